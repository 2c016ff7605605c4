// A rule file's top level and each rule's own keys: id, category, item, severity, fields, scope, views, the
// options that reach its patterns, its conditions (`where`) and what its hits extract.
#include <re2/re2.h>

#include <algorithm>

#include "rules/condition.h"
#include "rules/file_loader.h"
#include "rules/re2_regexes.h"

namespace qinglang::detail {
namespace {

// Patterns (`any`, `all`, words, regex … nodes) in one rule's match, exceptions and guard. The bundled rules
// have at most a few dozen; a list of words is one.
constexpr std::size_t kMaxRulePatterns = 10000;

constexpr std::string_view kRuleKeys[] = {
    "id",       "category", "item",         "title",     "severity", "action", "fields", "scope",
    "match",    "unless",   "unless_scope", "where",     "examples", "views",  "pinyin", "homophones",
    "numerals", "emoji",    "window",       "not_after", "defaults", "score",  "extract"};

}  // namespace

void FileLoader::load(const YAML::Node& root) {
  if (!root.IsMap()) {
    error("E003", "a rule file is a map with 'rules' (and optionally 'category'), found " + describe(root),
          root);
    return;
  }
  check_keys(root, {"category", "rules", "lists", "defaults", "thresholds"}, "rule file");
  std::optional<Category> default_category;
  if (YAML::Node category = root["category"]) {
    if (std::optional<std::string> id = scalar(category, "category")) {
      default_category = parse_category(*id);
      if (!default_category) error("E006", "unknown category '" + *id + "'", category);
    }
  }
  if (YAML::Node defaults = root["defaults"]) load_defaults(defaults);
  if (YAML::Node thresholds = root["thresholds"]) load_thresholds(thresholds, default_category);
  YAML::Node rules = root["rules"];
  if (!rules) {
    if (!root["lists"]) error("E004", "missing 'rules'", root);
    return;
  }
  if (!rules.IsSequence()) {
    error("E003", "'rules' must be a list, found " + describe(rules), rules);
    return;
  }
  for (const YAML::Node& rule : rules)
    load_rule(rule, default_category);
}

void FileLoader::load_rule(const YAML::Node& node, std::optional<Category> default_category) {
  rule_id_.clear();
  if (!node.IsMap()) {
    error("E003", "a rule must be a map, found " + describe(node), node);
    return;
  }
  Rule rule;
  rule.location = at(node);

  if (YAML::Node id = node["id"]) {
    if (std::optional<std::string> text = scalar(id, "id")) {
      rule_id_ = *text;
      if (!valid_name(*text)) {
        error("E008", "rule id '" + *text + "' may hold only letters, digits, '_', '-' and '.'", id);
      }
      auto [it, inserted] = rule_ids_.emplace(*text, at(id));
      if (!inserted) {
        error("E005",
              "duplicate rule id (first defined at " + it->second.file + ":" +
                  std::to_string(it->second.line) + ")",
              id);
      }
      rule.id = *text;
    }
  } else {
    error("E004", "rule without 'id'", node);
  }

  check_keys(node, kRuleKeys, "rule");

  std::optional<Category> category = default_category;
  if (YAML::Node c = node["category"]) {
    category.reset();
    if (std::optional<std::string> id = scalar(c, "category")) {
      category = parse_category(*id);
      if (!category) error("E006", "unknown category '" + *id + "'", c);
    }
  } else if (!category) {
    error("E004", "rule without 'category' in a file without a default category", node);
  }
  if (category) rule.category = *category;

  if (YAML::Node item = node["item"]) {
    if (std::optional<int> number = integer(item, "item", 1, kItemCount)) {
      rule.item = *number;
      if (category && category_of_item(*number) != rule.category) {
        error("E007",
              "item " + std::to_string(*number) + " belongs to " +
                  std::string(to_string(category_of_item(*number))) + ", not " +
                  std::string(to_string(rule.category)),
              item);
      }
    }
  } else {
    error("E004", "rule without 'item'", node);
  }

  if (YAML::Node title = node["title"]) {
    std::optional<std::string> text = scalar(title, "title");
    if (text) rule.title = *text;
  } else {
    error("E004", "rule without 'title'", node);
  }

  if (YAML::Node severity = node["severity"]) {
    std::optional<std::string> text = scalar(severity, "severity");
    std::optional<Severity> value = text ? parse_severity(*text) : std::nullopt;
    if (text && !value)
      error("E008", "severity must be low, medium, high or critical, found '" + *text + "'", severity);
    if (value) rule.severity = *value;
  } else {
    error("E004", "rule without 'severity'", node);
  }

  if (YAML::Node score = node["score"]) {
    if (std::optional<int> n = integer(score, "score", 1, 1000)) rule.score = static_cast<std::uint32_t>(*n);
    if (node["action"])
      error("E008", "a scoring rule takes its action from its item's thresholds: drop 'action'",
            node["action"]);
    if (node["window"]) error("E014", "a window rule decides by itself: it has no 'score'", score);
  } else if (YAML::Node action = node["action"]) {
    std::optional<std::string> text = scalar(action, "action");
    std::optional<Action> value = text ? parse_action(*text) : std::nullopt;
    if (text && !value) error("E008", "action must be review or block, found '" + *text + "'", action);
    if (value) rule.action = *value;
  } else {
    error("E004", "rule without 'action' (or 'score')", node);
  }

  if (YAML::Node fields = node["fields"]) {
    if (fields.IsSequence() && fields.size() == 0) {
      warning("W001", "'fields' is empty: the rule's patterns can never match", fields);
    } else if (std::optional<std::vector<std::string>> names = string_list(fields, "fields")) {
      for (std::string& name : *names) {
        FieldSelector selector;
        selector.prefix = name.size() > 2 && name.ends_with(".*");
        selector.key = selector.prefix ? name.substr(0, name.size() - 2) : name;
        rule.fields.push_back(std::move(selector));
      }
    }
  }

  if (YAML::Node s = node["scope"]) {
    std::optional<Scope> value = scope(s, "scope");
    if (value) rule.scope = *value;
  }
  rule.unless_scope = rule.scope;
  if (YAML::Node s = node["unless_scope"]) {
    std::optional<Scope> value = scope(s, "unless_scope");
    if (value) rule.unless_scope = *value;
  }

  if (YAML::Node views = node["views"]) {
    if (std::optional<std::vector<std::string>> names = string_list(views, "views")) {
      for (const std::string& name : *names) {
        if (name == "raw")
          rule.views |= view_bit(View::raw);
        else if (name == "folded")
          rule.views |= view_bit(View::folded);
        else if (name == "skeleton")
          rule.views |= view_bit(View::skeleton);
        else
          error("E008", "views are raw, folded and skeleton, found '" + name + "'", views);
      }
    }
  }

  if (YAML::Node pinyin = node["pinyin"]) {
    if (std::optional<bool> value = boolean(pinyin, "pinyin")) rule.pinyin = *value;
  }
  if (YAML::Node homophones = node["homophones"]) {
    if (std::optional<bool> value = boolean(homophones, "homophones")) rule.homophones = *value;
  }
  if (YAML::Node numerals = node["numerals"]) {
    if (std::optional<bool> value = boolean(numerals, "numerals")) rule.numerals = *value;
  }
  if (YAML::Node emoji = node["emoji"]) {
    if (std::optional<bool> value = boolean(emoji, "emoji")) rule.emoji = *value;
  }

  rule_index_ = static_cast<std::uint32_t>(model_.rules.size());
  rule_views_ = rule.views;
  rule_pinyin_ = rule.pinyin;
  rule_homophones_ = rule.homophones;
  rule_numerals_ = rule.numerals;
  rule_emoji_ = rule.emoji;
  const std::size_t nodes_before = model_.nodes.size();
  if (YAML::Node match = node["match"]) {
    rule.match = load_pattern(match);
    if (rule.match != kNoNode && model_.nodes[rule.match].anchor)
      error("E009", "'anchor' goes on a part of an 'all' or a 'near', not on the whole 'match'", match);
    if (match.IsMap() && match["score"])
      error("E009", "'score' weighs a part of an 'at_least'; a rule's own score is a rule key",
            match["score"]);
  }
  bool with_defaults = true;
  if (YAML::Node defaults = node["defaults"]) {
    std::optional<bool> value = boolean(defaults, "defaults");
    with_defaults = value.value_or(true);
  }
  rule.unless = load_unless(node["unless"], with_defaults);
  if (YAML::Node guard = node["not_after"]) {
    rule.guard = load_guard(guard, rule);
  } else if (with_defaults && default_not_after_) {
    quiet_ = true;
    rule.guard = load_guard(default_not_after_, rule);
    quiet_ = false;
  }

  // Each pattern costs compile time and a place in every scan: a rule of more is a generated file gone wrong
  // (or aliases within the file's limit, E020, that still multiply).
  if (std::size_t patterns = model_.nodes.size() - nodes_before; patterns > kMaxRulePatterns)
    error("E009",
          "the rule has " + std::to_string(patterns) + " patterns, more than " +
              std::to_string(kMaxRulePatterns) + ": put its words in lists (one pattern each) or split it",
          node);

  if (YAML::Node where = node["where"]) load_conditions(where, rule);
  if (YAML::Node extract = node["extract"]) load_extract(extract, rule);

  if (YAML::Node window = node["window"]) {
    if (node["match"] || node["where"]) {
      error("E014",
            "a window rule watches other rules' hits or repeated messages: it has no 'match' or 'where'",
            window);
    }
    if (node["extract"])
      error("E014", "a window rule has no field to extract from: drop 'extract'", node["extract"]);
    rule.window = load_window(window, rule.category);
  } else if (!node["match"] && !node["where"]) {
    error("E012", "the rule has neither 'match', 'where' nor 'window'", node);
  }

  if (YAML::Node examples = node["examples"]) load_examples(examples, rule);

  model_.rules.push_back(std::move(rule));
}

void FileLoader::load_conditions(const YAML::Node& node, Rule& rule) {
  if (!node.IsSequence()) {
    error("E003", "'where' must be a list of conditions, found " + describe(node), node);
    return;
  }
  for (const YAML::Node& item : node) {
    std::optional<std::string> text = scalar(item, "where");
    if (!text) continue;
    std::string message;
    std::optional<Condition> condition = parse_condition(*text, message);
    if (!condition) {
      error("E010", message, item);
      continue;
    }
    if (condition->op == ConditionOp::matches) condition->regex = intern_re2(condition->value.text);
    rule.conditions.push_back(std::move(*condition));
  }
}

// `extract: {name: regex, …}`: what a hit reports from its field, such as the contact number an ad leaves.
// Each regex has exactly one capture group, the part reported: a regex without one would report the whole
// match, which is rarely the number or id wanted, and with several it would be unclear which.
void FileLoader::load_extract(const YAML::Node& node, Rule& rule) {
  if (!node.IsMap()) {
    error(
        "E003",
        "'extract' must be a map of names to regexes, such as {qq: 'QQ(\\d{5,11})'}, found " + describe(node),
        node);
    return;
  }
  for (const auto& entry : node) {
    std::optional<std::string> name = scalar(entry.first, "extract");
    std::optional<std::string> regex = scalar(entry.second, "extract");
    if (!name || !regex) continue;
    if (!valid_name(*name)) {
      error("E008", "extract name '" + *name + "' may hold only letters, digits, '_', '-' and '.'",
            entry.first);
      continue;
    }
    std::string why;
    Re2Ptr compiled = compile_re2(*regex, why);
    if (!compiled) {
      error("E008", "extract '" + *name + "': regex '" + *regex + "' rejected by RE2: " + why, entry.second);
      continue;
    }
    if (int groups = compiled->NumberOfCapturingGroups(); groups != 1) {
      error("E008",
            "extract '" + *name + "': regex '" + *regex + "' has " + std::to_string(groups) +
                " capture groups; it needs exactly one, around the part to report",
            entry.second);
      continue;
    }
    rule.extractions.push_back({*name, intern_re2(*regex), at(entry.second)});
  }
}

// Rules often share a regex (the same contact pattern in several items): it is compiled once.
std::uint32_t FileLoader::intern_re2(const std::string& regex) {
  std::vector<std::string>& regexes = model_.re2_regexes;
  auto found = std::find(regexes.begin(), regexes.end(), regex);
  if (found != regexes.end()) return static_cast<std::uint32_t>(found - regexes.begin());
  regexes.push_back(regex);
  return static_cast<std::uint32_t>(regexes.size() - 1);
}

// `thresholds:` what the total of an item's scoring rules must reach in a record to be reviewed or blocked:
// a list of {items: [5, 6] | category: social, review: N, block: M}; without items or category, for every
// item of the file's category. An item's own threshold takes precedence over its category's.
void FileLoader::load_thresholds(const YAML::Node& node, std::optional<Category> file_category) {
  rule_id_.clear();
  if (!node.IsSequence()) {
    error("E003",
          "'thresholds' must be a list such as [{items: [5], review: 3, block: 6}], found " + describe(node),
          node);
    return;
  }
  for (const YAML::Node& entry : node) {
    if (!entry.IsMap()) {
      error("E003", "a threshold is a map with 'review' and/or 'block', found " + describe(entry), entry);
      continue;
    }
    if (!check_keys(entry, {"items", "category", "review", "block"}, "threshold")) continue;
    Threshold threshold;
    threshold.location = at(entry);
    bool ok = true;
    for (auto [key, value] : {std::pair{"review", &threshold.review}, std::pair{"block", &threshold.block}}) {
      if (YAML::Node n = entry[key]) {
        std::optional<int> number = integer(n, key, 1, 100000);
        ok = ok && number;
        *value = static_cast<std::uint32_t>(number.value_or(0));
      }
    }
    if (!ok) continue;
    if (!threshold.set()) {
      error("E017", "a threshold needs 'review', 'block' or both", entry);
      continue;
    }
    if (threshold.review != 0 && threshold.block != 0 && threshold.review >= threshold.block) {
      error("E017", "'review' must be below 'block': a total that blocks is reviewed already", entry);
      continue;
    }
    std::vector<int> items;
    if (YAML::Node list = entry["items"]) {
      if (entry["category"]) {
        error("E017", "a threshold is for 'items' or for a 'category', not both", entry);
        continue;
      }
      threshold.item_specific = true;
      for (const YAML::Node& item : items_of(list))
        if (std::optional<int> number = integer(item, "items", 1, kItemCount)) items.push_back(*number);
    } else {
      std::optional<Category> category = file_category;
      if (YAML::Node c = entry["category"]) {
        std::optional<std::string> id = scalar(c, "category");
        category = id ? parse_category(*id) : std::nullopt;
        if (id && !category) error("E006", "unknown category '" + *id + "'", c);
        if (!category) continue;
      } else if (!category) {
        error("E017", "a threshold without 'items' is for the file's category, and this file names none",
              entry);
        continue;
      }
      for (int item = 1; item <= kItemCount; ++item)
        if (category_of_item(item) == *category) items.push_back(item);
    }
    for (int item : items) {
      Threshold& slot = model_.thresholds[static_cast<std::size_t>(item)];
      if (slot.set() && slot.item_specific == threshold.item_specific) {
        error("E017",
              "item " + std::to_string(item) + " has a threshold already (at " + slot.location.file + ":" +
                  std::to_string(slot.location.line) + ")",
              entry);
      } else if (!slot.set() || threshold.item_specific) {
        slot = threshold;
      }
    }
  }
}

}  // namespace qinglang::detail
