// The RE2 regexes of a rule set: `matches` conditions and `extract:` captures. Hyperscan finds where patterns
// match in bulk but reports no groups; RE2 tests one field's value and returns what a group captured. The
// model holds each distinct regex once, as text (RuleSetModel::re2_regexes); the compiled rule set compiles
// each once (CompiledRuleSetData::re2), so nothing is compiled while scanning.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace qinglang::detail {

using Re2Ptr = std::unique_ptr<const re2::RE2>;

// Compiles `pattern` as every RE2 regex of a rule set is compiled: UTF-8, partial matches, errors returned
// rather than logged. Null, with `error` set to RE2's message, when RE2 rejects it.
Re2Ptr compile_re2(std::string_view pattern, std::string& error);

}  // namespace qinglang::detail
