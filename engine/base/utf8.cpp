#include "base/utf8.h"

#include <simdjson.h>

#include <algorithm>

namespace qinglang::detail {

std::size_t valid_sequence_length(std::string_view text) noexcept {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length;
  unsigned char min_second = 0x80, max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;  // overlong
    if (lead == 0xED) max_second = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;  // overlong
    if (lead == 0xF4) max_second = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  if (byte(1) < min_second || byte(1) > max_second) return 0;
  for (std::size_t i = 2; i < length; ++i)
    if ((byte(i) & 0xC0) != 0x80) return 0;
  return length;
}

bool is_valid_utf8(std::string_view text) noexcept {
  return simdjson::validate_utf8(text.data(), text.size());
}

namespace {

template <typename OnInvalidByte>
void copy_repairing(std::string_view text, std::string& out, OnInvalidByte on_invalid) {
  out.clear();
  out.reserve(text.size() + 8);
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t n = valid_sequence_length(text.substr(i));
    if (n == 0) {
      on_invalid(out);
      ++i;
    } else {
      out.append(text.data() + i, n);
      i += n;
    }
  }
}

}  // namespace

void replace_invalid_bytes(std::string_view text, char replacement, std::string& out) {
  copy_repairing(text, out, [replacement](std::string& o) { o.push_back(replacement); });
}

void replace_invalid_with_replacement_character(std::string_view text, std::string& out) {
  copy_repairing(text, out, [](std::string& o) { o.append("\xEF\xBF\xBD"); });
}

std::vector<std::string> characters_of(std::string_view text) {
  std::vector<std::string> characters;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = std::max<std::size_t>(1, valid_sequence_length(text.substr(i)));
    characters.emplace_back(text.substr(i, n));
    i += n;
  }
  return characters;
}

namespace {

// The code point whose first byte is at `i`; U+FFFD for a sequence the text cuts short.
char32_t code_point_at(std::string_view text, std::size_t i) noexcept {
  std::size_t length = sequence_length(static_cast<unsigned char>(text[i]));
  if (i + length > text.size()) return 0xFFFD;
  return decode_sequence(reinterpret_cast<const unsigned char*>(text.data() + i), length);
}

// Spaces, punctuation and symbols: ASCII ones, Latin-1's, general punctuation, CJK punctuation and the
// full-width forms of ASCII punctuation.
bool separates_tokens(char32_t c) noexcept {
  if (c < 0x80) return !is_ascii_word_character(static_cast<char>(c));
  return (c >= 0xA0 && c <= 0xBF) || (c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
         (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65);
}

}  // namespace

bool is_whole_token(std::string_view text, std::size_t start, std::size_t end) noexcept {
  if (start >= end) return false;
  // Latin letters and digits against other characters are a boundary too: AV is a token in 看AV网站.
  auto boundary = [](char32_t inside, char32_t outside) {
    bool latin_inside = inside < 0x80 && is_ascii_word_character(static_cast<char>(inside));
    bool latin_outside = outside < 0x80 && is_ascii_word_character(static_cast<char>(outside));
    return separates_tokens(outside) || latin_inside != latin_outside;
  };
  auto character_before = [&](std::size_t i) {
    do
      --i;
    while (i > 0 && is_continuation_byte(text[i]));
    return code_point_at(text, i);
  };
  if (start > 0 && !boundary(code_point_at(text, start), character_before(start))) return false;
  return end >= text.size() || boundary(character_before(end), code_point_at(text, end));
}

bool stands_alone(std::string_view text, std::size_t start, std::size_t end) noexcept {
  bool starts_ascii = start < text.size() && is_ascii_word_character(text[start]);
  bool ends_ascii = end > 0 && is_ascii_word_character(text[end - 1]);
  if (starts_ascii && start > 0 && is_ascii_word_character(text[start - 1])) return false;
  if (ends_ascii && end < text.size() && is_ascii_word_character(text[end])) return false;
  return true;
}

std::string opening_of(std::string_view text, std::size_t characters) {
  std::size_t shown = 0;
  for (std::size_t n = 0; shown < text.size() && n < characters; ++n)
    shown += sequence_length(static_cast<unsigned char>(text[shown]));
  if (shown >= text.size()) return std::string(text);
  return std::string(text.substr(0, shown)) + "… (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace qinglang::detail
