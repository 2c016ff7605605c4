// What a model reads of a text: the features `qinglang train` writes for fastText and a Classifier looks up.
//
// The text is folded as rules see it (normalizer.h), so 習 and 习, ｗｘ and wx are one feature. Its tokens
// are its characters, except that a run of ASCII letters and digits (a pinyin syllable, a number) is one
// token; spaces and punctuation only separate tokens. The features are each token and each pair of adjacent
// tokens ("a+b"), as words of their own: fastText hashes its own word n-grams into buckets, which are larger
// than the vocabulary, collide, and cannot be named in an explanation. Written out, every feature is a word a
// model lists by name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "qinglang/record.h"
#include "text/normalizer.h"

namespace qinglang::detail {

// A model reads at most this much of a text: the opening of a long document says what it is about, and a
// scan's cost must not grow with a 100 MB field.
inline constexpr std::size_t kMaxModelInputBytes = 16 * 1024;

// Joins two tokens into a pair feature; never part of a token, since ASCII punctuation only separates.
inline constexpr char kPairJoiner = '+';

// Calls visit(token) for each token of `folded` (a folded view) in order.
template <typename Visit>
void for_each_model_token(std::string_view folded, Visit&& visit);

// Appends the features of `text` to `line`, separated by spaces, as one fastText training line (no label, no
// newline).
void append_model_features(std::string_view text, std::string& line);

// What a model reads of a record (model_text() in qinglang/model.h): the text fields that `allows(key)` lets
// through, joined by newlines. A record of one such field is read where it lies; others are joined in
// `buffer`.
template <typename Allows>
std::string_view model_text_of(const Record& record, std::string& buffer, Allows&& allows) {
  std::string_view text;
  std::size_t fields = 0;
  for (std::size_t f = 0; f < record.size(); ++f) {
    FieldView value = record.field(f);
    if (value.type != ValueType::text || !allows(value.key)) continue;
    if (fields++ == 0) {
      text = value.text;
      continue;
    }
    if (fields == 2) buffer.assign(text);
    buffer += '\n';
    buffer += value.text;
  }
  return fields > 1 ? std::string_view(buffer) : text;
}
inline std::string_view model_text_of(const Record& record, std::string& buffer) {
  return model_text_of(record, buffer, [](std::string_view) { return true; });
}

namespace model_tokens {

// Punctuation and spaces beyond ASCII: general punctuation, CJK symbols and punctuation, full-width forms
// that folding leaves (、。「」), the replacement character.
constexpr bool separates(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0xBF) || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2E00 && cp <= 0x2E7F) ||
         (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE10 && cp <= 0xFE1F) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
         (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
         (cp >= 0xFF5B && cp <= 0xFF65) || cp == 0xFFFD;
}

constexpr bool ascii_word(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace model_tokens

template <typename Visit>
void for_each_model_token(std::string_view folded, Visit&& visit) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(folded.data());
  std::size_t n = folded.size(), i = 0;
  while (i < n) {
    unsigned char c = bytes[i];
    if (c < 0x80) {
      std::size_t start = i;
      while (i < n && model_tokens::ascii_word(bytes[i]))
        ++i;
      if (i > start) {
        visit(folded.substr(start, i - start));
      } else {
        ++i;  // an ASCII space or punctuation: a separator
      }
      continue;
    }
    std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (i + length > n) break;
    std::uint32_t cp = length == 2 ? (c & 0x1Fu) << 6 | (bytes[i + 1] & 0x3Fu)
                       : length == 3
                           ? (c & 0x0Fu) << 12 | (bytes[i + 1] & 0x3Fu) << 6 | (bytes[i + 2] & 0x3Fu)
                       : length == 4 ? (c & 0x07u) << 18 | (bytes[i + 1] & 0x3Fu) << 12 |
                                           (bytes[i + 2] & 0x3Fu) << 6 | (bytes[i + 3] & 0x3Fu)
                                     : 0xFFFD;
    if (!model_tokens::separates(cp)) visit(folded.substr(i, length));
    i += length;
  }
}

}  // namespace qinglang::detail
