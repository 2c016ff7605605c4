// Conditions on structured fields (`where:`): "price > 0", "tags contains \"儿童\"".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "qinglang/record.h"

namespace qinglang::detail {

enum class ConditionOp : std::uint8_t { eq, ne, lt, le, gt, ge, contains };

struct ConditionValue {
  ValueType type = ValueType::null;
  std::string text;
  double number = 0;
  bool boolean = false;
};

struct Condition {
  std::string path;
  ConditionOp op = ConditionOp::eq;
  ConditionValue value;
  std::string source;  // as written, for messages
};

// Parses "PATH OP VALUE". On failure returns nullopt and sets `error` to what is wrong.
std::optional<Condition> parse_condition(std::string_view text, std::string& error);

// Evaluates against every value of the record whose key is the condition's path. A missing path is false,
// except for `!=`, which is true.
bool evaluate(const Condition& condition, const Record& record) noexcept;

// The index of the first record field the condition's path names, or record.size() when there is none.
std::size_t first_field_for(const Condition& condition, const Record& record) noexcept;

}  // namespace qinglang::detail
