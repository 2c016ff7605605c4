#include "rules/condition.h"

#include <re2/re2.h>

#include <array>
#include <charconv>
#include <utility>

namespace qinglang::detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool is_path_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-' || c == '|' || static_cast<unsigned char>(c) >= 0x80;
}

// The first of a condition's paths ("minor_mode.enabled|minor_mode") that the record has, or "" when it has
// none: platforms put one fact in different places, and a rule names each.
std::string_view present_path(std::string_view paths, const Record& record) noexcept {
  while (!paths.empty()) {
    std::size_t bar = paths.find('|');
    std::string_view path = paths.substr(0, bar);
    for (std::size_t i = 0; i < record.size(); ++i)
      if (record.field(i).key == path) return path;
    paths = bar == std::string_view::npos ? std::string_view() : paths.substr(bar + 1);
  }
  return {};
}

// Longest operators first, so "<=" is not read as "<".
constexpr std::array<std::pair<std::string_view, ConditionOp>, 8> kOperators = {{
    {"==", ConditionOp::eq},
    {"!=", ConditionOp::ne},
    {"<=", ConditionOp::le},
    {">=", ConditionOp::ge},
    {"<", ConditionOp::lt},
    {">", ConditionOp::gt},
    {"contains", ConditionOp::contains},
    {"matches", ConditionOp::matches},
}};

// `verbatim`: a quoted string is kept as written, since a regex's backslashes are RE2's (\d, \s), not
// escapes.
std::optional<ConditionValue> parse_value(std::string_view text, bool verbatim) {
  ConditionValue value;
  if (text == "true" || text == "false") {
    value.type = ValueType::boolean;
    value.boolean = text == "true";
    return value;
  }
  if (text == "null") return value;
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') && text.back() == text.front()) {
    value.type = ValueType::text;
    if (verbatim) {
      value.text = text.substr(1, text.size() - 2);
      return value;
    }
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
      if (text[i] == '\\' && i + 2 < text.size()) ++i;
      value.text.push_back(text[i]);
    }
    return value;
  }
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  value.type = ValueType::number;
  value.number = number;
  return value;
}

bool compare_number(ConditionOp op, double left, double right) {
  switch (op) {
    case ConditionOp::eq:
      return left == right;
    case ConditionOp::ne:
      return left != right;
    case ConditionOp::lt:
      return left < right;
    case ConditionOp::le:
      return left <= right;
    case ConditionOp::gt:
      return left > right;
    case ConditionOp::ge:
      return left >= right;
    case ConditionOp::contains:
    case ConditionOp::matches:
      return false;
  }
  return false;
}

bool equals(const FieldView& field, const ConditionValue& value) {
  if (field.type != value.type) return false;
  switch (value.type) {
    case ValueType::text:
      return field.text == value.text;
    case ValueType::number:
      return field.number == value.number;
    case ValueType::boolean:
      return field.boolean == value.boolean;
    case ValueType::null:
      return true;
  }
  return false;
}

// Whether one value of the record satisfies the condition; `!=` is handled by the caller as "not ==".
bool satisfies(const Condition& c, const FieldView& field, std::span<const Re2Ptr> regexes) {
  switch (c.op) {
    case ConditionOp::eq:
    case ConditionOp::ne:
      return equals(field, c.value);
    case ConditionOp::contains:
      if (field.in_array) return equals(field, c.value);
      return field.type == ValueType::text && c.value.type == ValueType::text &&
             field.text.find(c.value.text) != std::string_view::npos;
    case ConditionOp::matches:
      return field.type == ValueType::text &&
             RE2::PartialMatch(re2::StringPiece(field.text.data(), field.text.size()), *regexes[c.regex]);
    default:
      return field.type == ValueType::number && c.value.type == ValueType::number &&
             compare_number(c.op, field.number, c.value.number);
  }
}

}  // namespace

std::optional<Condition> parse_condition(std::string_view text, std::string& error) {
  std::string_view rest = trim(text);
  std::size_t path_end = 0;
  while (path_end < rest.size() && is_path_char(rest[path_end]))
    ++path_end;
  if (path_end == 0) {
    error = "expected a field path at the start of '" + std::string(text) + "'";
    return std::nullopt;
  }
  Condition condition;
  condition.source = std::string(trim(text));
  condition.path = std::string(rest.substr(0, path_end));
  rest = trim(rest.substr(path_end));
  if (condition.path.front() == '|' || condition.path.back() == '|' ||
      condition.path.find("||") != std::string::npos) {
    error = "'" + condition.path + "': each path between '|' must be named";
    return std::nullopt;
  }

  bool found = false;
  for (const auto& [token, op] : kOperators) {
    if (rest.starts_with(token)) {
      condition.op = op;
      rest = trim(rest.substr(token.size()));
      found = true;
      break;
    }
  }
  if (!found) {
    error = "expected one of == != < <= > >= contains matches after '" + condition.path + "'";
    return std::nullopt;
  }
  std::optional<ConditionValue> value = parse_value(rest, condition.op == ConditionOp::matches);
  if (!value) {
    error = "expected a number, a quoted string, true, false or null, found '" + std::string(rest) + "'";
    return std::nullopt;
  }
  bool ordering = condition.op == ConditionOp::lt || condition.op == ConditionOp::le ||
                  condition.op == ConditionOp::gt || condition.op == ConditionOp::ge;
  if (ordering && value->type != ValueType::number) {
    error = "'" + condition.source + "' compares order with something that is not a number";
    return std::nullopt;
  }
  if (condition.op == ConditionOp::contains && value->type != ValueType::text) {
    error = "'" + condition.source + "': contains takes a quoted string";
    return std::nullopt;
  }
  if (condition.op == ConditionOp::matches) {
    if (value->type != ValueType::text) {
      error = "'" + condition.source + "': matches takes a regex in quotes";
      return std::nullopt;
    }
    std::string why;
    if (!compile_re2(value->text, why)) {
      error = "regex '" + value->text + "' rejected by RE2: " + why;
      return std::nullopt;
    }
  }
  condition.value = std::move(*value);
  return condition;
}

bool evaluate(const Condition& condition, const Record& record, std::span<const Re2Ptr> regexes) noexcept {
  std::string_view path = present_path(condition.path, record);
  bool any = false;
  for (std::size_t i = 0; i < record.size() && !any && !path.empty(); ++i) {
    FieldView field = record.field(i);
    if (field.key == path) any = satisfies(condition, field, regexes);
  }
  return condition.op == ConditionOp::ne ? !any : any;
}

std::size_t first_field_for(const Condition& condition, const Record& record) noexcept {
  std::string_view path = present_path(condition.path, record);
  for (std::size_t i = 0; i < record.size() && !path.empty(); ++i)
    if (record.field(i).key == path) return i;
  return record.size();
}

}  // namespace qinglang::detail
