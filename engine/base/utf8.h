// UTF-8 and ASCII helpers shared by the text views, the scanner and the JSON reader and writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qinglang::detail {

// The length of the well-formed UTF-8 sequence at the start of `text` (1–4), or 0 when it is not one
// (a stray continuation byte, an overlong form, a surrogate, a truncated sequence).
std::size_t valid_sequence_length(std::string_view text) noexcept;

bool is_valid_utf8(std::string_view text) noexcept;

// Copies `text` into `out`, each byte of an invalid sequence replaced by `replacement`: offsets stay the
// same.
void replace_invalid_bytes(std::string_view text, char replacement, std::string& out);

// Copies `text` into `out`, each invalid byte replaced by U+FFFD: the text becomes valid UTF-8.
void replace_invalid_with_replacement_character(std::string_view text, std::string& out);

inline bool is_continuation_byte(char c) noexcept {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The length of the sequence a lead byte announces (1 for ASCII and for a byte that cannot lead), without
// checking the bytes that follow: for text already known to be valid, or to be checked apart.
inline std::size_t sequence_length(unsigned char lead) noexcept {
  return lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

// The code point of the well-formed sequence of `length` bytes at `p`.
inline std::uint32_t decode_sequence(const unsigned char* p, std::size_t length) noexcept {
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

// The characters of `text`, each invalid byte as one of its own. For compiling rules, not for the scan path.
std::vector<std::string> characters_of(std::string_view text);

// `text` as a diagnostic quotes it: whole when it has at most `characters` characters, else its opening and
// its length ("开盒人肉… (4096 bytes)"), so that a message never carries a whole file's line.
std::string opening_of(std::string_view text, std::size_t characters = 20);

// The number of characters in `text`, counting each invalid byte as one.
inline std::size_t count_characters(std::string_view text) noexcept {
  std::size_t n = 0;
  for (char c : text)
    n += !is_continuation_byte(c);
  return n;
}

// An ASCII letter, digit or underscore: what an identifier or a Latin word is made of.
inline bool is_ascii_word_character(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Whether a pinyin match [start, end) in `text` stands on its own: no ASCII letter or digit runs into its
// ASCII ends, so kh does not fire inside "khaki" or an id like "ak47kh".
bool stands_alone(std::string_view text, std::size_t start, std::size_t end) noexcept;

// Whether [start, end) in `text` is a whole token: each end is the text's edge, meets a space, punctuation or
// a symbol, or is where Latin letters and digits meet other characters. 迷你玩 is whole in "迷你玩" and
// "开发者:迷你玩 ", not in "迷你玩游戏工作室"; av is whole in "看av网站", not in "have".
bool is_whole_token(std::string_view text, std::size_t start, std::size_t end) noexcept;

}  // namespace qinglang::detail
