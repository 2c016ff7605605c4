#include "text/normalizer.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <map>

#include "base/utf8.h"
#include "qinglang/normalize.h"

namespace qinglang::detail {
namespace {

struct FoldEntry {
  std::uint32_t code_point;
  const char* folded;
};
struct CodeRange {
  std::uint32_t first, last;
};

#include "text/normalization_tables.inc"

template <std::size_t N>
bool in_ranges(std::uint32_t cp, const CodeRange (&ranges)[N]) {
  auto it = std::upper_bound(std::begin(ranges), std::end(ranges), cp,
                             [](std::uint32_t value, const CodeRange& r) { return value < r.first; });
  return it != std::begin(ranges) && cp <= std::prev(it)->last;
}

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

std::uint8_t saturating_increment(std::uint8_t n) {
  return n == 255 ? n : static_cast<std::uint8_t>(n + 1);
}

// A 16-bit key, one to one, for the three-byte character whose bytes are the low three of `window`: cheaper
// than decoding it (one multiplication gathers the payload bits of its three bytes).
inline std::uint32_t three_byte_key(std::uint32_t window) {
  return static_cast<std::uint32_t>((window & 0x3F3F0Fu) * std::uint64_t{0x0100440000000000} >> 48);
}

// Whether the low three bytes of `window` are a three-byte sequence's lead and continuation bytes.
inline bool three_bytes(std::uint32_t window) {
  return (window & 0xC0C0F0u) == 0x8080E0u;
}

}  // namespace

std::string_view to_string(View view) noexcept {
  static constexpr std::array<std::string_view, kViewCount> kNames = {"raw", "folded", "skeleton",
                                                                      "numerals"};
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
      std::uint32_t cp = decode_sequence(reinterpret_cast<const unsigned char*>(folded.data() + i), n);
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
  std::map<Action, std::uint16_t> known;
  auto action_index = [&](const Action& action) {
    auto [it, added] = known.emplace(action, static_cast<std::uint16_t>(actions_.size()));
    if (added) actions_.push_back(action);
    return it->second;
  };
  for (std::uint32_t cp = 0; cp < 0x10000; ++cp) {
    std::uint16_t kind = classify(cp);
    Action action;
    if (kind == kIdentity || kind == kNoise) {
      action.own_folded = ~0u;
      action.own_skeleton = kind == kIdentity ? ~0u : 0;
      action.noise_step = kind == kNoise;
      action.noise_keep = kind == kNoise ? 0xFF : 0;
    } else if (kind == kInvisible) {
      action.noise_keep = 0xFF;
    } else {
      const Entry& entry = entries_[kind - kFirstEntry];
      std::size_t own_size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
      if (entry.folded.size() > own_size) {  // the skeleton is never longer than the folded form
        bmp_actions_.push_back(kGeneral);
        continue;
      }
      for (std::size_t b = 0; b < entry.folded.size(); ++b)
        action.folded |= std::uint32_t{static_cast<unsigned char>(entry.folded[b])} << 8 * b;
      for (std::size_t b = 0; b < entry.skeleton.size(); ++b)
        action.skeleton |= std::uint32_t{static_cast<unsigned char>(entry.skeleton[b])} << 8 * b;
      action.folded_size = static_cast<std::uint32_t>(entry.folded.size());
      action.skeleton_size = static_cast<std::uint32_t>(entry.skeleton.size());
      action.noise_step = entry.skeleton.empty();
      action.noise_keep = entry.skeleton.empty() ? 0xFF : 0;
      action.numeral = entry.skeleton.size() == 3 && numeral_at(entry.skeleton.data()) != 0;
    }
    if (kind == kIdentity && cp < 0x10000 && numeral_digit_[cp] != 0) action.numeral = 1;
    bmp_actions_.push_back(action_index(action));
  }
  // Three-byte encodings of code points below U+0800 (overlong) and of surrogates are invalid: their keys
  // stay clear, so such bytes leave the loops for the general path, which reads them as U+FFFD.
  auto encodable = [](std::uint32_t cp) { return cp >= 0x800 && (cp < 0xD800 || cp >= 0xE000); };
  for (std::uint32_t cp = 0x800; cp < 0x10000; ++cp) {
    if (!encodable(cp) || classify(cp) != kIdentity || numeral_digit_[cp] != 0) continue;
    std::uint32_t window = (0xE0 | cp >> 12) | (0x80 | (cp >> 6 & 0x3F)) << 8 | (0x80 | (cp & 0x3F)) << 16;
    std::uint32_t key = three_byte_key(window);
    plain_three_bytes_[key / 64] |= std::uint64_t{1} << key % 64;
  }
  three_byte_forms_.assign(0x10000, kOtherForm);
  for (std::uint32_t cp = 0x800; cp < 0x10000; ++cp) {
    if (!encodable(cp)) continue;
    std::uint16_t kind = classify(cp);
    const Entry* entry = kind >= kFirstEntry ? &entries_[kind - kFirstEntry] : nullptr;
    std::uint8_t form = kOtherForm;
    if (kind == kInvisible)
      form = kInvisibleForm;
    else if (kind == kNoise)
      form = kNoiseForm;
    else if (entry && entry->folded.size() == 1 && entry->skeleton.empty() &&
             static_cast<unsigned char>(entry->folded[0]) > kNoiseForm)  // full-width punctuation
      form = static_cast<std::uint8_t>(entry->folded[0]);
    std::uint32_t window = (0xE0 | cp >> 12) | (0x80 | (cp >> 6 & 0x3F)) << 8 | (0x80 | (cp & 0x3F)) << 16;
    three_byte_forms_[three_byte_key(window)] = form;
  }
  ascii_.fill(kAsciiOther);
  for (std::uint32_t c = 0; c < 128; ++c) {
    std::uint16_t kind = classify(c);
    const Entry* entry = kind >= kFirstEntry ? &entries_[kind - kFirstEntry] : nullptr;
    if (kind == kIdentity || kind == kNoise)
      ascii_[c] = static_cast<std::uint16_t>(c | (kind == kNoise ? 0x100 : 0));
    else if (entry && entry->folded.size() == 1)  // a letter's lower case
      ascii_[c] = static_cast<std::uint16_t>(static_cast<unsigned char>(entry->folded[0]) |
                                             (entry->skeleton.empty() ? 0x100 : 0));
  }
}

// Every byte of every field passes here: plain_characters takes most of them, and the general path below the
// rest. Capacity always covers what is written plus the rest of the input plus 16 bytes, so a character whose
// forms are no longer than itself needs no capacity check; only the general path, which expands, checks.
void Normalizer::normalize(std::string_view text, ViewText& folded, ViewText& skeleton,
                           std::vector<std::uint32_t>* numerals) const {
  static_assert(std::endian::native == std::endian::little, "Action holds a form's first byte lowest");
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();

  std::size_t f_capacity = folded.size + n + 16, k_capacity = skeleton.size + n + 16;
  Output out{.fc = folded.chars.reserve(f_capacity, folded.size),
             .fo = folded.origins.reserve(f_capacity, folded.size),
             .kc = skeleton.chars.reserve(k_capacity, skeleton.size),
             .ko = skeleton.origins.reserve(k_capacity, skeleton.size),
             .kg = skeleton.gaps.reserve(k_capacity, skeleton.size),
             .fn = folded.size,
             .kn = skeleton.size,
             .noise_run = 0,
             .numerals = numerals};
  const std::size_t window_end = n < 3 ? 0 : n - 3;  // a character before it can be read four bytes at once
  for (std::size_t i = 0; i < n;) {
    if (i < window_end) {
      std::size_t next = plain_characters(bytes, i, window_end, out);
      if (next != i) {
        i = next;
        continue;
      }
    }
    // The rest: four-byte characters, forms longer than their character, invalid bytes, the last bytes.
    auto origin = static_cast<std::uint32_t>(i);
    std::size_t length = valid_sequence_length(text.substr(i));
    std::string_view folded_form, skeleton_form;
    if (length == 0) {  // an invalid byte reads as U+FFFD: noise
      length = 1;
      folded_form = kReplacementCharacter;
    } else {
      std::uint16_t kind = classify(decode_sequence(bytes + i, length));
      if (kind == kInvisible) {
        i += length;
        continue;
      }
      if (kind == kIdentity || kind == kNoise) {
        folded_form = text.substr(i, length);
        if (kind == kIdentity) skeleton_form = folded_form;
      } else {
        const Entry& entry = entries_[kind - kFirstEntry];
        folded_form = entry.folded;
        skeleton_form = entry.skeleton;
      }
    }
    i += length;
    std::size_t still_to_come = n - i + 16;
    if (out.fn + folded_form.size() + still_to_come > f_capacity) {
      f_capacity = std::max(out.fn + folded_form.size() + still_to_come, 2 * f_capacity);
      out.fc = folded.chars.reserve(f_capacity, out.fn);
      out.fo = folded.origins.reserve(f_capacity, out.fn);
    }
    for (char c : folded_form) {
      out.fc[out.fn] = c;
      out.fo[out.fn++] = origin;
    }
    if (skeleton_form.empty()) {
      out.noise_run = saturating_increment(out.noise_run);
      continue;
    }
    if (out.kn + skeleton_form.size() + still_to_come > k_capacity) {
      k_capacity = std::max(out.kn + skeleton_form.size() + still_to_come, 2 * k_capacity);
      out.kc = skeleton.chars.reserve(k_capacity, out.kn);
      out.ko = skeleton.origins.reserve(k_capacity, out.kn);
      out.kg = skeleton.gaps.reserve(k_capacity, out.kn);
    }
    for (std::size_t b = 0; b < skeleton_form.size(); ++b) {
      if (numerals && b + 3 <= skeleton_form.size() && numeral_at(skeleton_form.data() + b) != 0)
        numerals->push_back(static_cast<std::uint32_t>(out.kn));
      out.kc[out.kn] = skeleton_form[b];
      out.ko[out.kn] = origin;
      out.kg[out.kn++] = b == 0 ? out.noise_run : 0;
    }
    out.noise_run = 0;
  }
  folded.size = out.fn;
  skeleton.size = out.kn;
}

// Hot: most characters pass here, read four bytes at a time. Runs of three-byte characters kept as they are
// (Chinese) and runs of ASCII, most of real text, have loops of their own that cost one mispredicted branch
// per run rather than per character. Other characters of up to three bytes take their Action, which says as
// masks and sizes what each view gets, without branching on their kind. Each sequence is checked as it is
// taken: an invalid byte stops the loop, as do four-byte characters and forms longer than their character,
// so capacity is never checked here.
std::size_t Normalizer::plain_characters(const unsigned char* bytes, std::size_t i, std::size_t end,
                                         Output& out) const {
  // Locals: a store through char* may alias any member or `out`, which would then be reloaded every time
  // (the tables are read through `this`: their elements are loaded anyway, and that leaves registers free).
  char* fc = out.fc;
  std::uint32_t* fo = out.fo;
  char* kc = out.kc;
  std::uint32_t* ko = out.ko;
  std::uint8_t* kg = out.kg;
  std::size_t fn = out.fn, kn = out.kn;
  std::uint32_t noise_run = out.noise_run;
  auto window_at = [&](std::size_t at) {
    std::uint32_t window;
    std::memcpy(&window, bytes + at, 4);
    return window;
  };
  auto plain = [&](std::uint32_t window) {
    std::uint32_t key = three_byte_key(window);
    return three_bytes(window) && (plain_three_bytes_[key / 64] >> key % 64 & 1) != 0;
  };
  while (i < end) {
    std::uint32_t window = window_at(i);
    if (plain(window)) {
      // Along a run, each view advances as the text does: one offset each, one four-byte copy each.
      std::size_t f_offset = fn - i, k_offset = kn - i;
      kg[kn] = static_cast<std::uint8_t>(noise_run);
      noise_run = 0;
      for (;;) {
        do {
          std::memcpy(fc + (i + f_offset), &window, 4);
          std::memcpy(kc + (i + k_offset), &window, 4);
          fo[i + f_offset] = ko[i + k_offset] = static_cast<std::uint32_t>(i);
          kg[i + k_offset + 3] = 0;  // the next character's gap, unless it is not in the run
          i += 3;
        } while (i < end && plain(window = window_at(i)));
        // Punctuation between plain characters stays in the run when its form is simple: leaving the loop
        // and coming back would cost two mispredicted branches. The offsets take up what it drops.
        bool run_ends = true;
        while (i < end && three_bytes(window)) {
          std::uint32_t key = three_byte_key(window);
          if (plain_three_bytes_[key / 64] >> key % 64 & 1) {
            run_ends = false;
            break;
          }
          std::uint32_t form = three_byte_forms_[key];
          if (form == kOtherForm) break;
          std::uint32_t to_ascii = form > kNoiseForm, invisible = form == kInvisibleForm;
          std::uint32_t f = to_ascii ? form : window;
          std::memcpy(fc + (i + f_offset), &f, 4);
          fo[i + f_offset] = static_cast<std::uint32_t>(i);
          f_offset -= to_ascii ? 2 : 3 * invisible;
          k_offset -= 3;
          noise_run += (noise_run < 255) & (invisible ^ 1);
          i += 3;
          if (i < end) window = window_at(i);
        }
        if (run_ends) break;
        kg[i + k_offset] = static_cast<std::uint8_t>(noise_run);
        noise_run = 0;
      }
      fn = i + f_offset;
      kn = i + k_offset;
      if (i >= end) break;  // else `window` is the next character, not plain: no need to ask again
    }
    std::uint32_t folded = ascii_[window & 0xFF];
    if (folded < kAsciiOther) {
      do {
        std::uint32_t noise = folded >> 8;
        fc[fn] = kc[kn] = static_cast<char>(folded);
        fo[fn++] = ko[kn] = static_cast<std::uint32_t>(i);
        kg[kn] = static_cast<std::uint8_t>(noise_run);
        kn += noise ^ 1;
        noise_run = (noise_run + (noise_run < 255)) & (0u - noise);
        ++i;
      } while (i < end && (folded = ascii_[window_at(i) & 0xFF]) < kAsciiOther);
      continue;
    }
    auto length = static_cast<std::uint32_t>(
        valid_sequence_length(std::string_view(reinterpret_cast<const char*>(bytes + i), 4)));
    if (length == 0 || length == 4) break;
    // With the character's bytes moved to end at the third byte, one formula decodes all three lengths: a
    // lead byte's marker bits and an ASCII byte's seventh bit fall where the others have zeros.
    std::uint32_t aligned = window << (24 - 8 * length);
    std::uint32_t cp = (aligned & 0x0F) << 12 | (aligned >> 2 & 0xFC0) | (aligned >> 16 & 0x7F);
    std::uint16_t index = bmp_actions_[cp];
    if (index == kGeneral) break;
    // Every store is four bytes (four origins, four gap bytes) wide whatever the forms' sizes: bytes past a
    // form are overwritten by the next character or lie past the view's end, and a gap or an origin is only
    // ever read at a character's first byte.
    const Action& action = actions_[index];
    std::uint32_t f = (window & action.own_folded) | action.folded;
    std::uint32_t k = (window & action.own_skeleton) | action.skeleton;
    auto origin = static_cast<std::uint32_t>(i);
    const std::uint32_t origins[4] = {origin, origin, origin, origin};
    std::memcpy(fc + fn, &f, 4);
    std::memcpy(fo + fn, origins, sizeof origins);
    std::memcpy(kc + kn, &k, 4);
    std::memcpy(ko + kn, origins, sizeof origins);
    std::memcpy(kg + kn, &noise_run, 4);
    if (action.numeral && out.numerals) out.numerals->push_back(static_cast<std::uint32_t>(kn));
    fn += (length & action.own_folded) + action.folded_size;
    kn += (length & action.own_skeleton) + action.skeleton_size;
    noise_run = std::min<std::uint32_t>(noise_run + action.noise_step, 255) & action.noise_keep;
    i += length;
  }
  out.fn = fn;
  out.kn = kn;
  out.noise_run = static_cast<std::uint8_t>(noise_run);
  return i;
}

// Byte copies: the origins and gaps of continuation bytes were never written, and only bytes may be copied
// unread.
void ViewText::append(const ViewText& from, std::size_t first, std::size_t count) {
  if (count == 0) return;  // a view never written to has no arrays yet, and memcpy takes no null pointer
  std::memcpy(chars.reserve(size + count, size) + size, from.chars.data() + first, count);
  if (from.origins.data() != nullptr)
    std::memcpy(origins.reserve(size + count, size) + size, from.origins.data() + first,
                count * sizeof(std::uint32_t));
  if (from.gaps.data() != nullptr)
    std::memcpy(gaps.reserve(size + count, size) + size, from.gaps.data() + first, count);
  size += count;
}

char Normalizer::numeral_at(const char* bytes) const {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes);
  if ((b[0] & 0xF0u) != 0xE0u || (b[1] & 0xC0u) != 0x80u || (b[2] & 0xC0u) != 0x80u) return 0;
  return numeral_digit_[(b[0] & 0x0Fu) << 12 | (b[1] & 0x3Fu) << 6 | (b[2] & 0x3Fu)];
}

// normalize() noted where the numerals are, so the text between them is copied in runs (characters, origins
// and gaps at once) without looking at a character of it.
void Normalizer::numerals(const ViewText& skeleton, std::span<const std::uint32_t> at, ViewText& out) const {
  out.size = 0;
  std::size_t run = 0;  // the run of text to copy as it is starts here
  for (std::uint32_t i : at) {
    out.append(skeleton, run, i - run);
    out.push_back(numeral_at(skeleton.text().data() + i), skeleton.origin(i), skeleton.gap(i));
    run = i + 3;
  }
  out.append(skeleton, run, skeleton.size - run);
}

namespace {

// Every word of every rule is folded at each compile and each cached start: views reused per thread spare
// the allocations of five arrays a call.
struct WordViews {
  ViewText folded, skeleton, digits;
  std::vector<std::uint32_t> numerals;
};

WordViews& word_views() {
  thread_local WordViews views;
  views.folded.size = views.skeleton.size = views.digits.size = 0;
  views.numerals.clear();
  return views;
}

}  // namespace

std::string Normalizer::numerals(std::string_view word) const {
  WordViews& views = word_views();
  normalize(word, views.folded, views.skeleton, &views.numerals);
  numerals(views.skeleton, views.numerals, views.digits);
  return std::string(views.digits.text());
}

std::string Normalizer::fold(std::string_view word) const {
  WordViews& views = word_views();
  normalize(word, views.folded, views.skeleton);
  return std::string(views.folded.text());
}

std::string Normalizer::skeleton(std::string_view word) const {
  WordViews& views = word_views();
  normalize(word, views.folded, views.skeleton);
  return std::string(views.skeleton.text());
}

std::pair<std::string, std::string> Normalizer::forms(std::string_view word) const {
  WordViews& views = word_views();
  normalize(word, views.folded, views.skeleton);
  return {std::string(views.folded.text()), std::string(views.skeleton.text())};
}

std::pair<std::uint32_t, std::uint32_t> Normalizer::original_span(const ViewText& view,
                                                                  std::string_view original,
                                                                  std::uint32_t view_start,
                                                                  std::uint32_t view_end) {
  std::string_view text = view.text();
  std::uint32_t last_character = view_end - 1;
  while (last_character > view_start && is_continuation_byte(text[last_character]))
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
    if (!is_continuation_byte(text[i])) longest = std::max(longest, skeleton.gap(i));
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
