// Conditions on structured fields (`where:`): "price > 0", "tags contains \"儿童\"",
// "app.developer matches \"(?i)studio$\"".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "qinglang/record.h"
#include "rules/re2_regexes.h"

namespace qinglang::detail {

enum class ConditionOp : std::uint8_t { eq, ne, lt, le, gt, ge, contains, matches };

inline constexpr std::uint32_t kNoRegex = UINT32_MAX;

struct ConditionValue {
  ValueType type = ValueType::null;
  std::string text;
  double number = 0;
  bool boolean = false;
};

struct Condition {
  std::string path;
  ConditionOp op = ConditionOp::eq;
  ConditionValue value;            // for `matches`, the regex as written
  std::uint32_t regex = kNoRegex;  // `matches`: index into RuleSetModel::re2_regexes, set by the loader
  std::string source;              // as written, for messages
};

// Parses "PATH OP VALUE", and checks a `matches` regex with RE2. On failure returns nullopt and sets `error`
// to what is wrong.
std::optional<Condition> parse_condition(std::string_view text, std::string& error);

// Evaluates against every value of the record whose key is the condition's path; of several paths
// ("minor_mode.enabled|minor_mode"), the first the record has. A missing path is false, except for `!=`,
// which is true. `regexes` are the rule set's RE2 regexes compiled, by index (CompiledRuleSetData::re2): a
// `matches` condition's must be there.
bool evaluate(const Condition& condition, const Record& record, std::span<const Re2Ptr> regexes) noexcept;

// The index of the first record field the condition's path names, or record.size() when there is none.
std::size_t first_field_for(const Condition& condition, const Record& record) noexcept;

}  // namespace qinglang::detail
