// Look-alike names (campaign item 13): a counterfeit app changes, adds, drops or swaps a character of a
// name children know. Each protected name becomes one regex of all its variants, built at compile time.
#pragma once

#include <string>
#include <string_view>

namespace qinglang::detail {

// A Hyperscan regex (UTF-8 mode) matching every text within `edits` edits of `name`. Substituted and inserted
// characters may be anything but a space. The regex also
// matches the name itself: callers drop exact matches.
std::string lookalike_regex(std::string_view name, int edits);

// How many variants that regex has, its cost: each takes about 1.5 ms to compile and 35 KB while compiling.
// With two edits a name of n characters has about 8n^2 (150 for 5 characters, 7,818 for 32).
std::size_t lookalike_variant_count(std::string_view name, int edits);

}  // namespace qinglang::detail
