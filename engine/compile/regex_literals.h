// Regexes that are word lists in disguise. Rule authors write 'PK10|牛牛|下分(秒到|到账)' as a regex;
// Hyperscan's literal matcher finds those strings far faster than its regex engines, and start offsets come
// free.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace qinglang::detail {

// A regex cut at its top-level alternatives: those that are plain text (characters, escaped punctuation,
// groups of alternatives, `?` after a character or a group) expanded into the strings they match, the others
// kept as regexes of their own. Matching the literals and the regexes finds exactly what the whole regex
// finds.
struct RegexSplit {
  std::vector<std::string> literals;
  std::vector<std::string> regexes;
};

// Expands at most `max_literals` strings per alternative; a larger alternative stays a regex. A regex with no
// plain alternative comes back whole, in `regexes`.
RegexSplit split_regex(std::string_view regex, std::size_t max_literals = 256);

}  // namespace qinglang::detail
