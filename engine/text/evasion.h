// What a match had to see through: the view of the text it was found in, and the form of the rule's word that
// matched. A hit reports the two as one name, its `view` (docs/records.md).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "text/normalizer.h"

namespace qinglang::detail {

// A form of a rule's word that is matched as a literal of its own: the word as written, or one generated at
// compile time (word_forms.h, split_characters.h) for rules that opt in: `pinyin` (kaihe, kh), `homophone`
// (带骂 for 代骂), `split` (弓虽 for 强) or `emoji` (你🐴 for 你妈).
enum class Form : std::uint8_t { word, pinyin, homophone, split, emoji };

// The evasion a match saw through, ordered from the least to the most: a scanned view when the word matched
// as written, else the generated form it matched. When several matches are evidence for one hit, the hit
// names the most any of them needed.
// A model's hit (`model:`) saw through whatever the classifier did: it names the model, the most of all.
enum class Evasion : std::uint8_t { raw, folded, skeleton, numerals, pinyin, homophone, split, emoji, model };

constexpr Evasion evasion_of(View view, Form form) {
  return form == Form::word ? static_cast<Evasion>(view)
                            : static_cast<Evasion>(kViewCount - 1 + static_cast<std::size_t>(form));
}
static_assert(evasion_of(View::numerals, Form::word) == Evasion::numerals);
static_assert(evasion_of(View::raw, Form::pinyin) == Evasion::pinyin);
static_assert(evasion_of(View::raw, Form::emoji) == Evasion::emoji);

constexpr std::string_view to_string(Evasion evasion) {
  constexpr std::array<std::string_view, 9> kNames = {"raw",       "folded", "skeleton", "numerals", "pinyin",
                                                      "homophone", "split",  "emoji",    "model"};
  return kNames[static_cast<std::size_t>(evasion)];
}

}  // namespace qinglang::detail
