#!/usr/bin/python3
"""Generates engine/text/normalization_tables.inc: the character tables of the normalizer.

Every mapping is derived from data that Debian ships, never typed by hand:
  - unicode-data: UnicodeData.txt (compatibility decompositions: full-width, styled, circled letters and digits;
    numeric values of digit symbols; general categories for noise), CaseFolding.txt, Unihan_Variants (Z-variants);
  - libopencc-data through the opencc command: traditional to simplified, character by character;
  - python3-icu: Unicode's confusables (ICU spoof-checker skeletons) for Cyrillic and Greek look-alike letters;
  - Unihan_NumericValues (unicode-data): Chinese numerals (一 壹 幺 〇) as digits, for rules that opt in.

Run from the repository root after installing those packages:
    apt-get install unicode-data libopencc-data opencc python3-icu
    /usr/bin/python3 scripts/generate_normalization_tables.py > engine/text/normalization_tables.inc
"""
import bz2
import re
import subprocess
import sys

UCD = "/usr/share/unicode"
KEPT_DECOMPOSITIONS = {"<wide>", "<narrow>", "<font>", "<circle>", "<compat>", "<super>", "<sub>", "<square>",
                       "<small>", "<fraction>", "<vertical>"}
# Letter-like symbols drawn as a Latin letter in a frame: named, not decomposed, in UnicodeData.
FRAMED_LETTER = re.compile(r"^(NEGATIVE |)(CIRCLED|SQUARED|PARENTHESIZED) LATIN (CAPITAL|SMALL) LETTER ([A-Z])$")
REGIONAL_INDICATOR = re.compile(r"^REGIONAL INDICATOR SYMBOL LETTER ([A-Z])$")
DIGIT_SYMBOL = re.compile(r"DIGIT (ZERO|ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE)$")


def read_unicode_data():
    chars = {}
    ranges = []
    with open(f"{UCD}/UnicodeData.txt", encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split(";")
            cp = int(fields[0], 16)
            name, category, decomposition, numeric = fields[1], fields[2], fields[5], fields[8]
            if name.endswith(", First>"):
                ranges.append([cp, None, category])
                continue
            if name.endswith(", Last>"):
                ranges[-1][1] = cp
                continue
            chars[cp] = (name, category, decomposition, numeric)
    return chars, ranges


def read_case_folding():
    folds = {}
    with open(f"{UCD}/CaseFolding.txt", encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            code, status, mapping = [x.strip() for x in line.split(";")[:3]]
            if status in ("C", "S"):
                folds[int(code, 16)] = "".join(chr(int(x, 16)) for x in mapping.split())
    return folds


def decompose(cp, chars, depth=0):
    """The compatibility decomposition of cp, applied recursively, or None."""
    entry = chars.get(cp)
    if not entry or not entry[2] or depth > 4:
        return None
    parts = entry[2].split()
    tag = parts[0] if parts[0].startswith("<") else None
    if tag is None or tag not in KEPT_DECOMPOSITIONS:
        return None
    out = ""
    for code in parts[1:]:
        sub = decompose(int(code, 16), chars, depth + 1)
        out += sub if sub is not None else chr(int(code, 16))
    return out


def traditional_to_simplified(code_points):
    """Asks OpenCC for each character on its own, so only character-level mappings come back."""
    text = "\n".join(chr(cp) for cp in code_points) + "\n"
    result = subprocess.run(["opencc", "-c", "t2s.json"], input=text.encode(), capture_output=True, check=True)
    out = result.stdout.decode().split("\n")
    return {cp: s for cp, s in zip(code_points, out) if s and s != chr(cp) and len(s) == 1}


def confusable_letters():
    import icu
    checker = icu.SpoofChecker()
    mapping = {}
    for cp in list(range(0x0370, 0x0400)) + list(range(0x0400, 0x0530)):
        skeleton = checker.getSkeleton(0, chr(cp))
        if len(skeleton) == 1 and skeleton.isascii() and skeleton.isalnum():
            mapping[cp] = skeleton.lower()
    return mapping


def z_variants():
    """Unihan Z-variants (the same character with another code point) mapped into the common CJK block."""
    mapping = {}
    with bz2.open(f"{UCD}/Unihan_Variants.txt.bz2", "rt", encoding="utf-8") as f:
        for line in f:
            if "\tkZVariant\t" not in line:
                continue
            source, _, targets = line.rstrip("\n").split("\t")
            cp = int(source[2:], 16)
            for target in targets.split():
                t = int(target.split("<")[0][2:], 16)
                if not (0x4E00 <= cp <= 0x9FFF) and 0x4E00 <= t <= 0x9FFF:
                    mapping[cp] = t
                    break
    return mapping


def chinese_numerals(chars):
    """Characters with a single-digit Unihan numeric value (primary, accounting or other), and 〇."""
    digits = {0x3007: "0"}
    with bz2.open(f"{UCD}/Unihan_NumericValues.txt.bz2", "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            code, _, value = line.rstrip("\n").split("\t")
            cp = int(code[2:], 16)
            if len(value) == 1 and value.isdigit() and 0x4E00 <= cp <= 0x9FFF:
                digits[cp] = value
    return digits


def is_invisible(cp, category):
    return (category == "Cf" or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or 0x180B <= cp <= 0x180F
            or cp in (0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0))


def is_noise(category):
    """Punctuation, symbols, separators, controls and combining marks: what evaders put between characters."""
    return category[0] in "PSZM" or category == "Cc"


def to_ranges(code_points):
    ranges = []
    for cp in sorted(code_points):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return ranges


def c_string(s):
    """A C++ string literal: printable characters as UTF-8, others as three-digit octal escapes (which cannot
    run into the next character, unlike hex escapes)."""
    out = ""
    for c in s:
        if c in '"\\':
            out += "\\" + c
        elif c.isprintable():
            out += c
        else:
            out += "".join(f"\\{b:03o}" for b in c.encode())
    return '"' + out + '"'


def main():
    chars, ranges = read_unicode_data()
    categories = {cp: entry[1] for cp, entry in chars.items()}
    for first, last, category in ranges:
        for cp in range(first, last + 1):
            categories.setdefault(cp, category)
    case_folds = read_case_folding()
    cjk = [cp for cp in categories if 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x2FA1F]
    simplified = traditional_to_simplified(cjk)
    confusables = confusable_letters()
    variants = z_variants()

    def fold_char(cp):
        """The folded form of one character, before case folding and simplification of its parts."""
        name, category, _, numeric = chars.get(cp, ("", categories.get(cp, "Cn"), "", ""))
        if is_invisible(cp, category):
            return ""
        decomposed = decompose(cp, chars)
        if decomposed is not None:
            return decomposed
        m = FRAMED_LETTER.match(name) or REGIONAL_INDICATOR.match(name)
        if m:
            return m.groups()[-1]
        if category == "No" and numeric.isdigit() and len(numeric) == 1 and DIGIT_SYMBOL.search(name):
            return numeric
        if cp in confusables:
            return confusables[cp]
        if cp in variants:
            return chr(variants[cp])
        return chr(cp)

    def finish(text):
        """Case folding and simplification of every character of a folded form."""
        out = ""
        for c in text:
            c = case_folds.get(ord(c), c)
            out += "".join(simplified.get(ord(x), x) for x in c)
        return out

    folds = {}
    for cp in sorted(categories):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        folded = finish(fold_char(cp))
        if folded != chr(cp):
            folds[cp] = folded
    noise = [cp for cp, category in categories.items()
             if is_noise(category) and not is_invisible(cp, category)]
    # Emoji pictographs are symbols (So) and fall under noise; regional indicators fold to letters above.
    invisible = [cp for cp, category in categories.items() if is_invisible(cp, category)]

    out = sys.stdout
    out.write("// Generated by scripts/generate_normalization_tables.py from Debian's unicode-data, libopencc-data\n"
              "// (through opencc) and python3-icu (Unicode confusables). Do not edit: rerun the script.\n\n")
    out.write("// Code point → folded form (UTF-8): width, style, case, traditional → simplified, look-alike\n"
              "// letters, variants. Final: a folded form is never folded again. Invisible characters are absent\n"
              "// here and listed in kInvisibleRanges.\n")
    out.write("inline constexpr FoldEntry kFoldEntries[] = {\n")
    for cp, folded in folds.items():
        if cp in invisible:
            continue
        out.write(f"    {{0x{cp:X}, {c_string(folded)}}},\n")
    out.write("};\n\n")
    out.write("// Characters dropped from every normalized view: format controls, zero-width and bidi marks,\n"
              "// variation selectors, fillers.\n")
    out.write("inline constexpr CodeRange kInvisibleRanges[] = {\n")
    for first, last in to_ranges(invisible):
        out.write(f"    {{0x{first:X}, 0x{last:X}}},\n")
    out.write("};\n\n")
    out.write("// Noise dropped from the skeleton view: punctuation, symbols (emoji among them), separators,\n"
              "// controls, combining marks. Checked after folding.\n")
    out.write("inline constexpr CodeRange kNoiseRanges[] = {\n")
    for first, last in to_ranges(noise):
        out.write(f"    {{0x{first:X}, 0x{last:X}}},\n")
    out.write("};\n\n")
    out.write("// Chinese numerals → digits, for the numerals view (rules with numerals: true): 一二三, 壹贰叁, 幺, 〇.\n")
    out.write("inline constexpr FoldEntry kNumeralDigits[] = {\n")
    for cp, digit in sorted(chinese_numerals(chars).items()):
        out.write(f'    {{0x{cp:X}, "{digit}"}},\n')
    out.write("};\n")


if __name__ == "__main__":
    main()
