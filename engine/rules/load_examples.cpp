// A rule's examples: the texts, records and message streams it must match and must not.
#include <algorithm>
#include <charconv>

#include "rules/file_loader.h"

namespace qinglang::detail {
namespace {

std::string single_line(std::string_view text) {
  std::string out(text.substr(0, 120));
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

// How a failure report shows a record example: its fields in flow style. Built from the record rather than by
// emitting the YAML node again, which cost a tenth of loading the bundled rules.
std::string describe_example(const Record& record) {
  std::string out = "{";
  for (std::size_t i = 0; i < record.size(); ++i) {
    FieldView field = record.field(i);
    out += i == 0 ? "" : ", ";
    out += field.path;
    out += ": ";
    switch (field.type) {
      case ValueType::text:
        out += field.text;
        break;
      case ValueType::number: {
        char buffer[32];
        auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, field.number);
        out.append(buffer, end);
        break;
      }
      case ValueType::boolean:
        out += field.boolean ? "true" : "false";
        break;
      case ValueType::null:
        out += "null";
        break;
    }
  }
  return single_line(out + "}");
}

}  // namespace

void FileLoader::load_examples(const YAML::Node& node, Rule& rule) {
  if (!node.IsMap()) {
    error("E003", "'examples' must be a map with 'match' and 'no_match' lists, found " + describe(node),
          node);
    return;
  }
  check_keys(node, {"match", "no_match"}, "examples");
  std::string text_field = "text";
  if (!rule.fields.empty()) text_field = rule.fields[0].key + (rule.fields[0].prefix ? ".text" : "");

  for (bool expect_match : {true, false}) {
    YAML::Node list = node[expect_match ? "match" : "no_match"];
    if (!list) continue;
    if (!list.IsSequence()) {
      error("E003", "examples must be a list, found " + describe(list), list);
      continue;
    }
    for (const YAML::Node& item : list) {
      Example example;
      example.expect_match = expect_match;
      example.location = at(item);
      if (rule.window) {
        // A window rule's example is a stream: a list of messages.
        std::optional<std::vector<std::string>> messages =
            item.IsSequence() ? string_list(item, "example") : std::nullopt;
        if (!messages) {
          if (!item.IsSequence())
            error("E003", "a window rule's example is a list of messages, found " + describe(item), item);
          continue;
        }
        example.messages = std::move(*messages);
        for (const std::string& message : example.messages)
          example.text += (example.text.empty() ? "" : " | ") + single_line(message);
      } else if (item.IsScalar()) {
        example.record.add_text(text_field, item.Scalar());
        example.text = single_line(item.Scalar());
      } else if (item.IsMap()) {
        std::string path;
        flatten(item, path, example.record);
        example.text = describe_example(example.record);
      } else {
        error("E003", "an example is a text or a record (a map), found " + describe(item), item);
        continue;
      }
      rule.examples.push_back(std::move(example));
    }
  }
}

// Turns a YAML example record into record fields, typing plain scalars the way JSON would.
void FileLoader::flatten(const YAML::Node& node, std::string& path, Record& record) {
  std::size_t base = path.size();
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!path.empty()) path += '.';
      path += it->first.Scalar();
      flatten(it->second, path, record);
      path.resize(base);
    }
  } else if (node.IsSequence()) {
    std::size_t index = 0;
    for (const YAML::Node& item : node) {
      path += '[' + std::to_string(index++) + ']';
      flatten(item, path, record);
      path.resize(base);
    }
  } else if (node.IsNull()) {
    record.add_null(path);
  } else {
    const std::string& text = node.Scalar();
    bool plain = node.Tag() == "?";
    double number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (plain && (text == "true" || text == "false")) {
      record.add_boolean(path, text == "true");
    } else if (plain && !text.empty() && ec == std::errc() && end == text.data() + text.size()) {
      record.add_number(path, number);
    } else {
      record.add_text(path, text);
    }
  }
}

}  // namespace qinglang::detail
