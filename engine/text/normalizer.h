// The normalizer: views of a text that see through evasions, each with a map back to the original bytes.
//
//   raw       the original bytes
//   folded    width, style (𝐚 ⓐ ①), case, traditional → simplified, look-alike letters and variants folded;
//             invisible characters (zero-width, bidi, variation selectors) dropped
//   skeleton  folded, then noise dropped: punctuation, symbols, emoji, spaces, so 代*骂 and 加🌹V read 代骂,
//   加v
//
// Rules compile their words through the same folding, so a word written plainly matches every form.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qinglang::detail {

// The views of a text that are scanned: as written, folded, the skeleton, and `numerals` (the skeleton with
// Chinese numerals as digits, for rules that opt in). A rule's word can also match in a generated form
// (evasion.h), which is not a view.
enum class View : std::uint8_t { raw, folded, skeleton, numerals };
inline constexpr std::size_t kViewCount = 4;
std::string_view to_string(View view) noexcept;

// A growable array whose new elements are left uninitialized: the normalizer writes every element it keeps,
// and zero-filling megabytes per field would cost as much as normalizing them.
template <typename T>
class RawBuffer {
 public:
  // Makes room for `n` elements, keeping the first `used` (as many of them as were ever allocated).
  T* reserve(std::size_t n, std::size_t used) {
    if (n > capacity_) {
      std::size_t capacity = std::max(n, 2 * capacity_);
      std::unique_ptr<T[]> grown(new T[capacity]);
      std::copy(data_.get(), data_.get() + std::min(used, capacity_), grown.get());
      data_ = std::move(grown);
      capacity_ = capacity;
    }
    return data_.get();
  }
  const T* data() const { return data_.get(); }

 private:
  std::unique_ptr<T[]> data_;
  std::size_t capacity_ = 0;
};

// A view's text and, for the first byte of each of its characters, where the character it came from starts in
// the original (matches start and end on character boundaries, so no other byte is ever asked; the other
// slots are left unwritten). Reused between fields, so a warm scanner normalizes without allocating.
struct ViewText {
  std::string_view text() const { return {chars.data(), size}; }
  std::uint32_t origin(std::size_t i) const { return origins.data()[i]; }
  std::uint8_t gap(std::size_t i) const {
    return gaps.data()[i];
  }  // skeleton only: noise dropped just before

  // Appends one byte that starts a character (or is a separator), with its origin and gap.
  void push_back(char c, std::uint32_t origin, std::uint8_t gap) {
    chars.reserve(size + 1, size)[size] = c;
    origins.reserve(size + 1, size)[size] = origin;
    gaps.reserve(size + 1, size)[size] = gap;
    ++size;
  }
  // Appends `count` bytes of `from` from `first` on, with the origins and gaps `from` has (the raw view has
  // neither): they are offsets within a field, so they stay valid wherever the bytes go.
  void append(const ViewText& from, std::size_t first, std::size_t count);

  RawBuffer<char> chars;
  RawBuffer<std::uint32_t> origins;
  RawBuffer<std::uint8_t> gaps;
  std::size_t size = 0;
};

// In the skeleton view, at most this many noise characters may stand between two characters of one match:
// 开 盒 and 代**骂 are evasions; a word whose halves are sentences apart is not.
inline constexpr std::uint8_t kMaxNoiseRun = 3;

class Normalizer {
 public:
  // The tables are built once, on first use; the instance is immutable and shared by all threads.
  static const Normalizer& instance();

  // Appends the folded and skeleton views of `text` to `folded` and `skeleton` (set their size to 0 to start
  // afresh); origins are offsets into `text`. Any bytes: an invalid byte reads as U+FFFD, which is noise.
  // When `numerals` is given, appends to it where each numeral (一 壹 幺 〇) the skeleton gets starts in it.
  void normalize(std::string_view text, ViewText& folded, ViewText& skeleton,
                 std::vector<std::uint32_t>* numerals = nullptr) const;

  // Appends a byte that no match may span (the scanner drops matches that cross it), with no origin.
  static void append_separator(ViewText& view) { view.push_back('\n', 0, 255); }

  // The numerals view: the skeleton with Chinese numerals (一 壹 幺 〇) as ASCII digits, same origins and
  // gaps, given where normalize() found them (in order).
  void numerals(const ViewText& skeleton, std::span<const std::uint32_t> at, ViewText& out) const;
  std::string numerals(std::string_view word) const;

  // The folded and skeleton forms of a rule's word, as the views would show it; forms() gives both from one
  // pass.
  std::string fold(std::string_view word) const;
  std::string skeleton(std::string_view word) const;
  std::pair<std::string, std::string> forms(std::string_view word) const;

  // The original span [start, end) of the view span [view_start, view_end), which must be non-empty.
  static std::pair<std::uint32_t, std::uint32_t> original_span(const ViewText& view,
                                                               std::string_view original,
                                                               std::uint32_t view_start,
                                                               std::uint32_t view_end);

  // The longest run of noise dropped between two characters of the skeleton span [view_start, view_end): 0
  // when the span needed no noise dropped; a match with a run over kMaxNoiseRun is not an evasion.
  static std::uint8_t longest_noise_run(const ViewText& skeleton, std::uint32_t view_start,
                                        std::uint32_t view_end);

 private:
  Normalizer();
  struct Entry {
    std::string folded;
    std::string skeleton;
  };
  // The class of a code point: 0 identity, 1 identity but noise, 2 invisible, k ≥ 3 entries_[k - 3].
  std::uint16_t classify(std::uint32_t code_point) const {
    if (code_point >= 0x110000) return kNoise;
    return pages_[page_index_[code_point >> 8]][code_point & 0xFF];
  }
  static constexpr std::uint16_t kIdentity = 0, kNoise = 1, kInvisible = 2, kFirstEntry = 3;

  // What a character of one to three bytes becomes, in a form the normalizer applies without branching on
  // it: the mix of Chinese, ASCII and punctuation in real text defeats branch prediction. Fields are as wide
  // as the registers they meet, so each is one operand.
  struct Action {
    std::uint32_t own_folded = 0, own_skeleton = 0;    // all ones when the form is the character's own bytes
    std::uint32_t folded = 0, skeleton = 0;            // otherwise the form's bytes, first byte lowest
    std::uint32_t folded_size = 0, skeleton_size = 0;  // otherwise its size
    std::uint32_t noise_step = 0;                      // 1 when the character is noise in the skeleton
    std::uint32_t noise_keep = 0;  // 0xFF when the noise run goes on past the character, 0 when it ends
    std::uint32_t numeral = 0;     // 1 when the skeleton form is a numeral
    auto operator<=>(const Action&) const = default;
  };
  // In bmp_actions_: a form longer than its character, which only the general path, checking capacity,
  // writes.
  static constexpr std::uint16_t kGeneral = 0xFFFF;

  // Where normalize writes: both views' arrays and sizes, the noise run since the skeleton's last character,
  // and where it notes the skeleton's numerals (null: nowhere).
  struct Output {
    char* fc;
    std::uint32_t* fo;
    char* kc;
    std::uint32_t* ko;
    std::uint8_t* kg;
    std::size_t fn, kn;
    std::uint8_t noise_run;
    std::vector<std::uint32_t>* numerals;
  };
  // Normalizes the characters that start from `i` (a character boundary) up to `end` (at least 3 bytes before
  // the text's end), and returns where it stopped: `end` or past it, or a character left to the general path
  // (four bytes, a form longer than its character, an invalid byte).
  std::size_t plain_characters(const unsigned char* bytes, std::size_t i, std::size_t end, Output& out) const;
  // The digit of the character at `bytes` when it is a numeral of three bytes, else 0.
  char numeral_at(const char* bytes) const;

  std::vector<Entry> entries_;
  std::vector<Action> actions_;
  std::vector<std::uint16_t> bmp_actions_;  // by code point below U+10000
  // Most text is runs of three-byte characters kept as they are (Chinese) and of ASCII, which have loops of
  // their own: a bit per three-byte character kept as it is and not a numeral (numerals take their Action,
  // which notes where they are), by three_byte_key (8 KB, so it stays in the fastest cache), and by byte,
  // each ASCII byte's folded form with 0x100 added when it is noise (kAsciiOther: not ASCII, or a form of
  // another kind, left to its Action).
  std::array<std::uint64_t, 1024> plain_three_bytes_{};
  // By three_byte_key, the simple forms of three-byte characters that are not plain, met between plain ones:
  // invisible, noise kept in the folded view, or else (above kNoiseForm) the ASCII noise byte it folds to.
  std::vector<std::uint8_t> three_byte_forms_;
  static constexpr std::uint8_t kOtherForm = 0, kInvisibleForm = 1, kNoiseForm = 2;
  std::array<std::uint16_t, 256> ascii_{};
  static constexpr std::uint16_t kAsciiOther = 0x200;
  std::vector<char> numeral_digit_;  // by code point below U+10000: the digit a numeral stands for, or 0
  std::vector<std::uint16_t> page_index_;              // by code point >> 8: index into pages_
  std::vector<std::array<std::uint16_t, 256>> pages_;  // page 0 is all identity, shared
};

}  // namespace qinglang::detail
