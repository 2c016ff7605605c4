// Generated forms of a rule's words, built at compile time from the pinyin readings table and matched as
// literals: pinyin (kaihe, kh, 开he), homophones (带骂 for 代骂) and emoji (买🔫, 你🐴). Violators write words
// this way to get past filters; rules opt in per form (docs/rule-language.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qinglang::detail {

// At most this many variants per word: mixed forms grow as 3^n with the word's length.
inline constexpr std::size_t kMaxPinyinVariants = 256;

// The pinyin variants of a folded word (lower case, simplified): full pinyin (kaihe), initials (kh), and
// mixed forms that keep some characters (开he, wangluocs). Polyphonic characters contribute each reading.
// Empty for a word of fewer than two Chinese characters. The word itself is never among them.
std::vector<std::string> pinyin_variants(std::string_view folded_word);

// At most this many homophone variants per word.
inline constexpr std::size_t kMaxHomophoneVariants = 64;

// The word with one Chinese character replaced by a common character read the same way (带骂 for 代骂; its
// most likely reading only). Empty for a word of fewer than two Chinese characters.
std::vector<std::string> homophone_variants(std::string_view folded_word);

// At most this many emoji forms per word.
inline constexpr std::size_t kMaxEmojiVariants = 32;

// The word with one Chinese character written as an emoji that stands for it, or for a character read the
// same way (🔫 for 枪; 🐴, whose name is 马, for 妈), from CLDR's Chinese emoji keywords. Empty for a word of
// fewer than two characters.
std::vector<std::string> emoji_variants(std::string_view folded_word);

}  // namespace qinglang::detail
