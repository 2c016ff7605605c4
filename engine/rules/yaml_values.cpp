// The values a rule file is made of, read from YAML with a diagnostic for each one of the wrong kind.
#include <algorithm>
#include <charconv>

#include "rules/file_loader.h"

namespace qinglang::detail {
namespace {

// The key a message is about, in quotes. Built by appending: at -O3, GCC 12 takes a quote put before a
// temporary string for an overlapping copy (-Wrestrict) once these readers are out of line.
std::string quoted(std::string_view what) {
  return std::string("'").append(what).append("'");
}

}  // namespace

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "nothing";
  }
}

bool FileLoader::check_keys(const YAML::Node& map, std::span<const std::string_view> allowed,
                            std::string_view what) {
  bool ok = true;
  // yaml-cpp keeps the first of two equal keys without a word; the second is what its author meant as often.
  std::vector<std::string_view> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string& key = it->first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      error("E002", "unknown key '" + key + "' in " + std::string(what), it->first);
      ok = false;
    } else if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      error("E002", "duplicate key '" + key + "' in " + std::string(what), it->first);
      ok = false;
    }
    seen.push_back(key);
  }
  return ok;
}

std::optional<std::string> FileLoader::scalar(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) {
    error("E003", quoted(what) + " must be a text, found " + describe(node), node);
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<int> FileLoader::integer(const YAML::Node& node, std::string_view what, int min, int max) {
  if (!node.IsScalar()) {
    error("E003", quoted(what) + " must be a whole number, found " + describe(node), node);
    return std::nullopt;
  }
  std::optional<std::string> text = node.Scalar();
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    error("E003", quoted(what) + " must be a whole number, found '" + *text + "'", node);
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(what == "item" ? "E007" : "E008",
          quoted(what) + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
              ", found " + *text,
          node);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> FileLoader::boolean(const YAML::Node& node, std::string_view what) {
  std::optional<std::string> text = scalar(node, what);
  if (!text) return std::nullopt;
  if (*text == "true") return true;
  if (*text == "false") return false;
  error("E003", quoted(what) + " must be true or false, found '" + *text + "'", node);
  return std::nullopt;
}

std::optional<std::vector<std::string>> FileLoader::string_list(const YAML::Node& node,
                                                                std::string_view what) {
  std::vector<std::string> items;
  if (node.IsScalar()) {
    items.push_back(node.Scalar());
    return items;
  }
  if (!node.IsSequence() || node.size() == 0) {
    error("E003", quoted(what) + " must be a non-empty list of texts, found " + describe(node), node);
    return std::nullopt;
  }
  bool ok = true;
  for (const YAML::Node& item : node) {
    std::optional<std::string> text = scalar(item, what);
    if (!text) {
      ok = false;
    } else if (text->empty()) {
      error("E008", "empty entry in '" + std::string(what) + "'", item);
      ok = false;
    } else {
      items.push_back(std::move(*text));
    }
  }
  return ok ? std::optional(std::move(items)) : std::nullopt;
}

std::optional<Scope> FileLoader::scope(const YAML::Node& node, std::string_view what) {
  std::optional<std::string> text = scalar(node, what);
  if (!text) return std::nullopt;
  if (*text == "field") return Scope::field;
  if (*text == "record") return Scope::record;
  error("E008", quoted(what) + " must be 'field' or 'record', found '" + *text + "'", node);
  return std::nullopt;
}

std::vector<YAML::Node> FileLoader::items_of(const YAML::Node& node) {
  if (!node.IsSequence()) return {node};
  return {node.begin(), node.end()};
}

}  // namespace qinglang::detail
