// 拆字: writing a character as its two halves side by side (弓虽 for 强, 女干 for 奸) to get a word past
// filters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qinglang::detail {

// The word with one or all of its splittable characters written as their halves. The table is a short curated
// list of left-right splits whose halves are characters of their own (Debian ships no decomposition data in a
// readable form); a word of one character gives none, since its halves alone would be ordinary text.
std::vector<std::string> split_character_variants(std::string_view folded_word);

}  // namespace qinglang::detail
