// A window rule's window: what it counts over a stream, and for how long.
#include <cstdlib>

#include "rules/file_loader.h"

namespace qinglang::detail {

std::optional<Window> FileLoader::load_window(const YAML::Node& node, Category category) {
  if (!node.IsMap()) {
    error("E003",
          "'window' must be a map such as {hits: 3, items: [5], messages: 20}, found " + describe(node),
          node);
    return std::nullopt;
  }
  if (!check_keys(node, {"hits", "repeats", "rules", "items", "messages", "seconds"}, "window"))
    return std::nullopt;
  Window window;
  window.location = at(node);
  bool ok = true;
  // The counts bound what a stream keeps per window rule, hence the limits.
  YAML::Node hits = node["hits"], repeats = node["repeats"];
  if (static_cast<bool>(hits) == static_cast<bool>(repeats)) {
    error("E014", "a window counts either 'hits' of rules or 'repeats' of one message: give exactly one",
          node);
    return std::nullopt;
  }
  window.kind = hits ? Window::Kind::hits : Window::Kind::repeats;
  if (std::optional<int> count = integer(hits ? hits : repeats, hits ? "hits" : "repeats", 2, 64)) {
    window.count = static_cast<std::uint32_t>(*count);
  } else {
    ok = false;
  }
  if (YAML::Node rules = node["rules"]) {
    if (std::optional<std::vector<std::string>> ids = string_list(rules, "rules")) {
      window.rule_ids = std::move(*ids);
    } else {
      ok = false;
    }
  }
  if (YAML::Node items = node["items"]) {
    if (!items.IsSequence() || items.size() == 0) {
      error("E003", "'items' must be a non-empty list of item numbers, found " + describe(items), items);
      ok = false;
    } else {
      for (const YAML::Node& item : items) {
        std::optional<int> number = integer(item, "item", 1, kItemCount);
        if (number && category_of_item(*number) != category) {
          error("E007",
                "item " + std::to_string(*number) + " is not in the rule's category " +
                    std::string(to_string(category)),
                item);
          number.reset();
        }
        if (number) window.items.push_back(*number);
        ok = ok && number.has_value();
      }
    }
  }
  if (window.kind == Window::Kind::hits && window.rule_ids.empty() && window.items.empty() && ok) {
    error("E014", "a 'hits' window needs the rules it counts: 'rules' (ids) or 'items' (numbers)", node);
    ok = false;
  }
  if (window.kind == Window::Kind::repeats && (node["rules"] || node["items"])) {
    error("E014", "a 'repeats' window counts repeated messages, not rules: drop 'rules' and 'items'", node);
    ok = false;
  }
  if (YAML::Node messages = node["messages"]) {
    std::optional<int> count = integer(messages, "messages", 2, 100000);
    if (count) window.messages = static_cast<std::uint32_t>(*count);
    ok = ok && count.has_value();
  }
  if (YAML::Node seconds = node["seconds"]) {
    std::optional<std::string> text = scalar(seconds, "seconds");
    char* end = nullptr;
    double value = text ? std::strtod(text->c_str(), &end) : 0;
    if (text && (end != text->c_str() + text->size() || !(value > 0 && value <= 86400))) {
      error("E008", "'seconds' must be a number of seconds above 0 and at most 86400, found '" + *text + "'",
            seconds);
      ok = false;
    }
    window.seconds = value;
    ok = ok && text.has_value();
  }
  if (!node["messages"] && !node["seconds"] && ok) {
    error("E014", "a window needs its length: 'messages', 'seconds' or both", node);
    ok = false;
  }
  if (!ok) return std::nullopt;
  return window;
}

}  // namespace qinglang::detail
