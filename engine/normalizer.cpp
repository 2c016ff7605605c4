#include "normalizer.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "qinglang/normalize.h"
#include "utf8.h"

namespace qinglang::detail {
namespace {

struct FoldEntry {
  std::uint32_t code_point;
  const char* folded;
};
struct CodeRange {
  std::uint32_t first, last;
};

#include "normalization_tables.inc"

template <std::size_t N>
bool in_ranges(std::uint32_t cp, const CodeRange (&ranges)[N]) {
  auto it = std::upper_bound(std::begin(ranges), std::end(ranges), cp,
                             [](std::uint32_t value, const CodeRange& r) { return value < r.first; });
  return it != std::begin(ranges) && cp <= std::prev(it)->last;
}

// Decodes the well-formed sequence of `length` bytes at `p`.
inline std::uint32_t decode(const unsigned char* p, std::size_t length) {
  switch (length) {
    case 1:
      return p[0];
    case 2:
      return (p[0] & 0x1Fu) << 6 | (p[1] & 0x3Fu);
    case 3:
      return (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
    default:
      return (p[0] & 0x07u) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 | (p[3] & 0x3Fu);
  }
}

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

std::uint8_t saturating_increment(std::uint8_t n) {
  return n == 255 ? n : static_cast<std::uint8_t>(n + 1);
}

// The length of a sequence from its lead byte, for text already known to be valid.
inline std::size_t sequence_length(unsigned char lead) {
  return lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

}  // namespace

std::string_view to_string(View view) noexcept {
  static constexpr std::array<std::string_view, 8> kNames = {"raw",    "folded",    "skeleton", "numerals",
                                                             "pinyin", "homophone", "split",    "emoji"};
  return kNames[static_cast<std::size_t>(view)];
}

const Normalizer& Normalizer::instance() {
  static const Normalizer normalizer;
  return normalizer;
}

Normalizer::Normalizer() : page_index_(0x110000 >> 8, 0), pages_(1) {
  pages_[0].fill(kIdentity);
  auto set = [&](std::uint32_t cp, std::uint16_t value) {
    std::uint16_t& page = page_index_[cp >> 8];
    if (page == 0) {
      page = static_cast<std::uint16_t>(pages_.size());
      pages_.push_back(pages_[0]);
    }
    pages_[page][cp & 0xFF] = value;
  };
  for (const CodeRange& r : kNoiseRanges)
    for (std::uint32_t cp = r.first; cp <= r.last; ++cp)
      set(cp, kNoise);
  for (const CodeRange& r : kInvisibleRanges)
    for (std::uint32_t cp = r.first; cp <= r.last; ++cp)
      set(cp, kInvisible);
  for (const FoldEntry& e : kFoldEntries) {
    Entry entry{e.folded, {}};
    // The skeleton of a folded form drops its noise characters; folded forms are valid UTF-8.
    std::string_view folded = entry.folded;
    for (std::size_t i = 0; i < folded.size();) {
      std::size_t n = valid_sequence_length(folded.substr(i));
      std::uint32_t cp = decode(reinterpret_cast<const unsigned char*>(folded.data() + i), n);
      if (!in_ranges(cp, kNoiseRanges) && !in_ranges(cp, kInvisibleRanges))
        entry.skeleton.append(folded.substr(i, n));
      i += n;
    }
    entries_.push_back(std::move(entry));
    set(e.code_point, static_cast<std::uint16_t>(kFirstEntry + entries_.size() - 1));
  }
  numeral_digit_.assign(0x10000, 0);
  for (const FoldEntry& e : kNumeralDigits)
    if (e.code_point >= 0x800 && e.code_point < 0x10000) numeral_digit_[e.code_point] = e.folded[0];
  for (std::uint32_t cp = kCjkFirst; cp < kCjkFirst + kCjkCount; ++cp)
    if (classify(cp) != kIdentity)
      cjk_changed_[(cp - kCjkFirst) >> 6] |= std::uint64_t{1} << ((cp - kCjkFirst) & 63);
  for (std::uint32_t c = 0; c < 128; ++c) {
    std::uint16_t kind = classify(c);
    ascii_noise_[c] = kind == kNoise;
    ascii_folded_[c] = kind >= kFirstEntry ? entries_[kind - kFirstEntry].folded[0] : static_cast<char>(c);
  }
}

// Hot: every byte of every field passes here. The output pointers and sizes are locals, not members, because
// a store through char* may alias any member and would force the compiler to reload them for every byte.
// Capacity always covers what is written plus the rest of the input, so a character that does not expand
// (ASCII, kept or dropped characters) needs no capacity check; only expansions check.
void Normalizer::normalize(std::string_view text, ViewText& folded, ViewText& skeleton) const {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  const bool valid = is_valid_utf8(text);  // at SIMD speed; then no per-character validation

  std::size_t fn = folded.size, kn = skeleton.size;
  std::size_t f_capacity = fn + n + 16, k_capacity = kn + n + 16;
  char* fc = folded.chars.reserve(f_capacity, fn);
  std::uint32_t* fo = folded.origins.reserve(f_capacity, fn);
  char* kc = skeleton.chars.reserve(k_capacity, kn);
  std::uint32_t* ko = skeleton.origins.reserve(k_capacity, kn);
  std::uint8_t* kg = skeleton.gaps.reserve(k_capacity, kn);
  std::uint8_t noise_run = 0;
  // Locals again: the tables are members, and members are reloaded after every store through char*.
  const std::uint16_t* page_index = page_index_.data();
  const std::array<std::uint16_t, 256>* pages = pages_.data();
  const std::uint64_t* cjk_changed = cjk_changed_.data();

  for (std::size_t i = 0; i < n;) {
    auto origin = static_cast<std::uint32_t>(i);
    unsigned char lead = bytes[i];
    if (lead < 0x80) {
      char c = ascii_folded_[lead];
      fc[fn] = c;
      fo[fn++] = origin;
      if (ascii_noise_[lead]) {
        noise_run = saturating_increment(noise_run);
      } else {
        kc[kn] = c;
        ko[kn] = origin;
        kg[kn++] = noise_run;
        noise_run = 0;
      }
      ++i;
      continue;
    }
    std::size_t length = valid ? sequence_length(lead) : valid_sequence_length(text.substr(i));
    std::string_view folded_form, skeleton_form;
    if (length == 0) {  // an invalid byte reads as U+FFFD: noise
      length = 1;
      folded_form = kReplacementCharacter;
    } else {
      std::uint32_t cp = decode(bytes + i, length);
      // Most characters are common CJK ideographs that stay as they are: one bit each, held in L1.
      bool plain_ideograph =
          cp - kCjkFirst < kCjkCount && !(cjk_changed[(cp - kCjkFirst) >> 6] >> ((cp - kCjkFirst) & 63) & 1);
      std::uint16_t kind = plain_ideograph ? kIdentity : pages[page_index[cp >> 8]][cp & 0xFF];
      if (kind == kIdentity) {
        if (i + 4 <= n) {
          // One four-byte copy per view: the byte past the character is overwritten by the next one (the
          // buffers keep 16 bytes of slack), and a single store beats a byte loop.
          std::uint32_t four;
          std::memcpy(&four, bytes + i, 4);
          std::memcpy(fc + fn, &four, 4);
          std::memcpy(kc + kn, &four, 4);
        } else {
          for (std::size_t b = 0; b < length; ++b)
            fc[fn + b] = kc[kn + b] = static_cast<char>(bytes[i + b]);
        }
        fo[fn] = ko[kn] = origin;  // only a character's first byte needs its origin and gap
        kg[kn] = noise_run;
        fn += length;
        kn += length;
        noise_run = 0;
        i += length;
        continue;
      }
      if (kind == kInvisible) {
        i += length;
        continue;
      }
      if (kind == kNoise) {
        folded_form = text.substr(i, length);
      } else {
        const Entry& entry = entries_[kind - kFirstEntry];
        folded_form = entry.folded;
        skeleton_form = entry.skeleton;
      }
    }
    i += length;
    std::size_t still_to_come = n - i + 16;
    if (fn + folded_form.size() + still_to_come > f_capacity) {
      f_capacity = std::max(fn + folded_form.size() + still_to_come, 2 * f_capacity);
      fc = folded.chars.reserve(f_capacity, fn);
      fo = folded.origins.reserve(f_capacity, fn);
    }
    for (char c : folded_form) {
      fc[fn] = c;
      fo[fn++] = origin;
    }
    if (skeleton_form.empty()) {
      noise_run = saturating_increment(noise_run);
      continue;
    }
    if (kn + skeleton_form.size() + still_to_come > k_capacity) {
      k_capacity = std::max(kn + skeleton_form.size() + still_to_come, 2 * k_capacity);
      kc = skeleton.chars.reserve(k_capacity, kn);
      ko = skeleton.origins.reserve(k_capacity, kn);
      kg = skeleton.gaps.reserve(k_capacity, kn);
    }
    for (std::size_t b = 0; b < skeleton_form.size(); ++b) {
      kc[kn] = skeleton_form[b];
      ko[kn] = origin;
      kg[kn++] = b == 0 ? noise_run : 0;
    }
    noise_run = 0;
  }
  folded.size = fn;
  skeleton.size = kn;
}

void Normalizer::append_separator(ViewText& view) {
  view.chars.reserve(view.size + 1, view.size)[view.size] = '\n';
  view.origins.reserve(view.size + 1, view.size)[view.size] = 0;
  view.gaps.reserve(view.size + 1, view.size)[view.size] = 255;
  ++view.size;
}

// The skeleton is valid UTF-8 (the normalizer writes only whole characters), so lengths come from lead bytes,
// and the few numerals, all of three bytes, are found by one table lookup rather than a search per character.
void Normalizer::numerals(const ViewText& skeleton, ViewText& out) const {
  std::string_view text = skeleton.text();
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  char* chars = out.chars.reserve(text.size() + 1, 0);
  std::uint32_t* origins = out.origins.reserve(text.size() + 1, 0);
  std::uint8_t* gaps = out.gaps.reserve(text.size() + 1, 0);
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size();) {
    unsigned char lead = bytes[i];
    origins[n] = skeleton.origin(i);
    gaps[n] = skeleton.gap(i);
    if (lead < 0x80) {
      chars[n++] = static_cast<char>(lead);
      ++i;
      continue;
    }
    std::size_t length = std::min(sequence_length(lead), text.size() - i);
    if (length == 3) {
      char digit =
          numeral_digit_[(bytes[i] & 0x0Fu) << 12 | (bytes[i + 1] & 0x3Fu) << 6 | (bytes[i + 2] & 0x3Fu)];
      if (digit != 0) {
        chars[n++] = digit;
        i += 3;
        continue;
      }
    }
    for (std::size_t b = 0; b < length; ++b)
      chars[n++] = text[i++];
  }
  out.size = n;
}

std::string Normalizer::numerals(std::string_view word) const {
  ViewText folded, skeleton, digits;
  normalize(word, folded, skeleton);
  numerals(skeleton, digits);
  return std::string(digits.text());
}

std::string Normalizer::fold(std::string_view word) const {
  ViewText folded, skeleton;
  normalize(word, folded, skeleton);
  return std::string(folded.text());
}

std::string Normalizer::skeleton(std::string_view word) const {
  ViewText folded, skeleton;
  normalize(word, folded, skeleton);
  return std::string(skeleton.text());
}

std::pair<std::uint32_t, std::uint32_t> Normalizer::original_span(const ViewText& view,
                                                                  std::string_view original,
                                                                  std::uint32_t view_start,
                                                                  std::uint32_t view_end) {
  std::string_view text = view.text();
  std::uint32_t last_character = view_end - 1;
  while (last_character > view_start && (static_cast<unsigned char>(text[last_character]) & 0xC0) == 0x80)
    --last_character;
  std::uint32_t start = view.origin(view_start);
  std::uint32_t last = view.origin(last_character);
  std::size_t length = valid_sequence_length(original.substr(last));
  return {start, last + static_cast<std::uint32_t>(length == 0 ? 1 : length)};
}

std::uint8_t Normalizer::longest_noise_run(const ViewText& skeleton, std::uint32_t view_start,
                                           std::uint32_t view_end) {
  std::string_view text = skeleton.text();
  std::uint8_t longest = 0;
  for (std::uint32_t i = view_start + 1; i < view_end; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) longest = std::max(longest, skeleton.gap(i));
  return longest;
}

}  // namespace qinglang::detail

namespace qinglang {

TextViews normalized_views(std::string_view text) {
  detail::ViewText folded, skeleton;
  detail::Normalizer::instance().normalize(text, folded, skeleton);
  return {std::string(folded.text()), std::string(skeleton.text())};
}

}  // namespace qinglang
