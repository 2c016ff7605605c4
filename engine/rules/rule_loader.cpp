#include "rules/rule_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>

#include "base/hash.h"
#include "base/parallel.h"
#include "base/utf8.h"

namespace qinglang::detail {
namespace {

constexpr std::string_view kRuleKeys[] = {"id",           "category", "item",     "title", "severity",
                                          "action",       "fields",   "scope",    "match", "unless",
                                          "unless_scope", "where",    "examples", "views", "pinyin",
                                          "homophones",   "numerals", "emoji",    "window"};

// Reads one file's YAML tree; holds what every check needs to report where it is.
class FileLoader {
 public:
  FileLoader(const std::string& file, RuleSetModel& model, std::vector<Diagnostic>& diagnostics,
             std::map<std::string, SourceLocation, std::less<>>& rule_ids,
             std::vector<RuleSource>& words_files)
      : file_(file),
        model_(model),
        diagnostics_(diagnostics),
        rule_ids_(rule_ids),
        words_files_(words_files) {}

  void load(const YAML::Node& root);

 private:
  SourceLocation at(const YAML::Node& node) const {
    YAML::Mark mark = node.Mark();
    if (mark.is_null()) return {file_, 0, 0};
    return {file_, mark.line + 1, mark.column + 1};
  }
  void report(DiagnosticLevel level, std::string code, std::string message, const YAML::Node& node) {
    diagnostics_.push_back({level, std::move(code), std::move(message), at(node), rule_id_});
  }
  void error(std::string code, std::string message, const YAML::Node& node) {
    report(DiagnosticLevel::error, std::move(code), std::move(message), node);
  }
  void warning(std::string code, std::string message, const YAML::Node& node) {
    report(DiagnosticLevel::warning, std::move(code), std::move(message), node);
  }

  std::optional<std::string> scalar(const YAML::Node& node, std::string_view what);
  std::optional<int> integer(const YAML::Node& node, std::string_view what, int min, int max);
  std::optional<bool> boolean(const YAML::Node& node, std::string_view what);
  std::optional<std::vector<std::string>> string_list(const YAML::Node& node, std::string_view what);
  std::optional<Scope> scope(const YAML::Node& node, std::string_view what);
  std::optional<std::vector<std::string>> words_from_file(const YAML::Node& node);

  void load_rule(const YAML::Node& node, std::optional<Category> default_category);
  std::uint32_t load_pattern(const YAML::Node& node);
  std::uint32_t load_pattern_of_kind(const YAML::Node& node);
  std::uint32_t load_leaf(PatternKind kind, const YAML::Node& key, const YAML::Node& value,
                          const YAML::Node& whole);
  void load_examples(const YAML::Node& node, Rule& rule);
  std::optional<Window> load_window(const YAML::Node& node, Category category);
  void flatten(const YAML::Node& node, std::string& path, Record& record);
  bool check_keys(const YAML::Node& map, std::span<const std::string_view> allowed, std::string_view what);
  bool check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                  std::string_view what) {
    return check_keys(map, std::span<const std::string_view>(allowed.begin(), allowed.size()), what);
  }

  const std::string& file_;
  RuleSetModel& model_;
  std::vector<Diagnostic>& diagnostics_;
  std::map<std::string, SourceLocation, std::less<>>& rule_ids_;
  std::vector<RuleSource>& words_files_;
  std::string rule_id_;  // the rule being read, for diagnostics
  std::uint32_t rule_index_ = 0;
  std::uint8_t rule_views_ = 0;
  bool rule_pinyin_ = false;
  bool rule_homophones_ = false;
  bool rule_numerals_ = false;
  bool rule_emoji_ = false;
  bool loading_unless_ = false;
};

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

bool valid_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

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

std::optional<PatternKind> pattern_kind(std::string_view key) {
  if (key == "words" || key == "words_file") return PatternKind::words;
  if (key == "regex") return PatternKind::regex;
  if (key == "lookalike") return PatternKind::lookalike;
  if (key == "any") return PatternKind::any;
  if (key == "all") return PatternKind::all;
  if (key == "at_least") return PatternKind::at_least;
  if (key == "near") return PatternKind::near;
  return std::nullopt;
}

void FileLoader::load(const YAML::Node& root) {
  if (!root.IsMap()) {
    error("E003", "a rule file is a map with 'rules' (and optionally 'category'), found " + describe(root),
          root);
    return;
  }
  check_keys(root, {"category", "rules"}, "rule file");
  std::optional<Category> default_category;
  if (YAML::Node category = root["category"]) {
    if (std::optional<std::string> id = scalar(category, "category")) {
      default_category = parse_category(*id);
      if (!default_category) error("E006", "unknown category '" + *id + "'", category);
    }
  }
  YAML::Node rules = root["rules"];
  if (!rules) {
    error("E004", "missing 'rules'", root);
    return;
  }
  if (!rules.IsSequence()) {
    error("E003", "'rules' must be a list, found " + describe(rules), rules);
    return;
  }
  for (const YAML::Node& rule : rules)
    load_rule(rule, default_category);
}

bool FileLoader::check_keys(const YAML::Node& map, std::span<const std::string_view> allowed,
                            std::string_view what) {
  bool ok = true;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string& key = it->first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      error("E002", "unknown key '" + key + "' in " + std::string(what), it->first);
      ok = false;
    }
  }
  return ok;
}

std::optional<std::string> FileLoader::scalar(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) {
    error("E003", "'" + std::string(what) + "' must be a text, found " + describe(node), node);
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<int> FileLoader::integer(const YAML::Node& node, std::string_view what, int min, int max) {
  if (!node.IsScalar()) {
    error("E003", "'" + std::string(what) + "' must be a whole number, found " + describe(node), node);
    return std::nullopt;
  }
  std::optional<std::string> text = node.Scalar();
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    error("E003", "'" + std::string(what) + "' must be a whole number, found '" + *text + "'", node);
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(what == "item" ? "E007" : "E008",
          "'" + std::string(what) + "' must be between " + std::to_string(min) + " and " +
              std::to_string(max) + ", found " + *text,
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
  error("E003", "'" + std::string(what) + "' must be true or false, found '" + *text + "'", node);
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
    error("E003", "'" + std::string(what) + "' must be a non-empty list of texts, found " + describe(node),
          node);
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

// A word list in a text file beside the rules, one word per line ('#' starts a comment line): large lexicons
// read far faster this way than as YAML, and stay easy to edit.
std::optional<std::vector<std::string>> FileLoader::words_from_file(const YAML::Node& node) {
  std::optional<std::string> name = scalar(node, "words_file");
  if (!name) return std::nullopt;
  std::filesystem::path path = std::filesystem::path(file_).parent_path() / *name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error("E013", "cannot read the words file " + path.string(), node);
    return std::nullopt;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::string_view text = bytes.view();
  words_files_.push_back({path.string(), checksum_of(text)});
  std::vector<std::string> words;
  while (!text.empty()) {
    std::string_view line = text.substr(0, text.find('\n'));
    text.remove_prefix(std::min(text.size(), line.size() + 1));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.front() != '#') words.emplace_back(line);
  }
  if (words.empty()) {
    error("E013", "the words file " + path.string() + " holds no words", node);
    return std::nullopt;
  }
  return words;
}

std::optional<Scope> FileLoader::scope(const YAML::Node& node, std::string_view what) {
  std::optional<std::string> text = scalar(node, what);
  if (!text) return std::nullopt;
  if (*text == "field") return Scope::field;
  if (*text == "record") return Scope::record;
  error("E008", "'" + std::string(what) + "' must be 'field' or 'record', found '" + *text + "'", node);
  return std::nullopt;
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
      if (!valid_id(*text)) {
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

  if (YAML::Node action = node["action"]) {
    std::optional<std::string> text = scalar(action, "action");
    std::optional<Action> value = text ? parse_action(*text) : std::nullopt;
    if (text && !value) error("E008", "action must be review or block, found '" + *text + "'", action);
    if (value) rule.action = *value;
  } else {
    error("E004", "rule without 'action'", node);
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
  if (YAML::Node match = node["match"]) {
    rule.match = load_pattern(match);
    if (rule.match != kNoNode && model_.nodes[rule.match].anchor)
      error("E009", "'anchor' goes on a part of an 'all' or a 'near', not on the whole 'match'", match);
  }
  if (YAML::Node unless = node["unless"]) {
    loading_unless_ = true;
    rule.unless = load_pattern(unless);
    loading_unless_ = false;
  }

  if (YAML::Node where = node["where"]) {
    if (!where.IsSequence()) {
      error("E003", "'where' must be a list of conditions, found " + describe(where), where);
    } else {
      for (const YAML::Node& item : where) {
        std::optional<std::string> text = scalar(item, "where");
        if (!text) {
          continue;
        }
        std::string message;
        if (std::optional<Condition> condition = parse_condition(*text, message)) {
          rule.conditions.push_back(std::move(*condition));
        } else {
          error("E010", message, item);
        }
      }
    }
  }

  if (YAML::Node window = node["window"]) {
    if (node["match"] || node["where"]) {
      error("E014",
            "a window rule watches other rules' hits or repeated messages: it has no 'match' or 'where'",
            window);
    }
    rule.window = load_window(window, rule.category);
  } else if (!node["match"] && !node["where"]) {
    error("E012", "the rule has neither 'match', 'where' nor 'window'", node);
  }

  if (YAML::Node examples = node["examples"]) load_examples(examples, rule);

  model_.rules.push_back(std::move(rule));
}

// A pattern, with `anchor: true` when its author names it the part of an `all` or a `near` to scan in every
// record (compiled_rule_set.h); the compiler guesses otherwise.
std::uint32_t FileLoader::load_pattern(const YAML::Node& node) {
  std::uint32_t index = load_pattern_of_kind(node);
  if (index == kNoNode) return index;
  YAML::Node anchor = node["anchor"];
  if (!anchor) return index;
  std::optional<bool> value = boolean(anchor, "anchor");
  if (!value) return kNoNode;
  if (*value && loading_unless_) {
    error("E009", "an exception is never an anchor: 'unless' is scanned only where the rule's anchor matched",
          anchor);
    return kNoNode;
  }
  model_.nodes[index].anchor = *value;
  return index;
}

std::uint32_t FileLoader::load_pattern_of_kind(const YAML::Node& node) {
  if (!node.IsMap()) {
    error("E009", "a pattern must be a map such as {words: [...]}, found " + describe(node), node);
    return kNoNode;
  }
  YAML::Node kind_key;
  std::optional<PatternKind> kind;
  int kinds = 0;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (std::optional<PatternKind> k = pattern_kind(it->first.Scalar())) {
      kind = k;
      kind_key = it->first;
      ++kinds;
    }
  }
  if (kinds != 1) {
    error("E009",
          kinds == 0 ? "a pattern needs one of words, regex, lookalike, any, all, at_least, near"
                     : "a pattern must have exactly one of words, regex, lookalike, any, all, at_least, near",
          node);
    return kNoNode;
  }
  YAML::Node value = node[kind_key.Scalar()];

  switch (*kind) {
    case PatternKind::words:
      if (!check_keys(node, {kind_key.Scalar(), "pinyin", "homophones", "emoji", "anchor"}, "words pattern"))
        return kNoNode;
      return load_leaf(*kind, kind_key, value, node);
    case PatternKind::regex:
      if (!check_keys(node, {kind_key.Scalar(), "anchor"}, "pattern")) return kNoNode;
      return load_leaf(*kind, kind_key, value, node);
    case PatternKind::lookalike:
      if (!check_keys(node, {"lookalike", "edits", "anchor"}, "lookalike pattern")) return kNoNode;
      return load_leaf(*kind, kind_key, value, node);
    default:
      break;
  }

  PatternNode pattern;
  pattern.kind = *kind;
  pattern.location = at(node);
  YAML::Node children = value;
  if (*kind == PatternKind::any || *kind == PatternKind::all) {
    if (!check_keys(node, {kind_key.Scalar(), "anchor"}, "pattern")) return kNoNode;
  } else if (*kind == PatternKind::at_least) {
    if (!check_keys(node, {"at_least", "of", "anchor"}, "at_least pattern")) return kNoNode;
    std::optional<int> n = integer(value, "at_least", 1, 1000);
    if (!n) return kNoNode;
    pattern.min_count = static_cast<std::uint32_t>(*n);
    children = node["of"];
    if (!children) {
      error("E009", "at_least needs 'of': the list of patterns to count", node);
      return kNoNode;
    }
  } else {
    if (!check_keys(node, {"near", "within", "ordered", "anchor"}, "near pattern")) return kNoNode;
    YAML::Node within = node["within"];
    if (!within) {
      error("E009", "near needs 'within': the most characters between its parts", node);
      return kNoNode;
    }
    std::optional<int> n = integer(within, "within", 0, 100000);
    if (!n) return kNoNode;
    pattern.within = static_cast<std::uint32_t>(*n);
    if (YAML::Node ordered = node["ordered"]) {
      std::optional<bool> b = boolean(ordered, "ordered");
      if (!b) return kNoNode;
      pattern.ordered = *b;
    }
  }

  if (!children.IsSequence() || children.size() == 0) {
    error("E009",
          "'" + kind_key.Scalar() + "' takes a non-empty list of patterns, found " + describe(children),
          children);
    return kNoNode;
  }
  bool ok = true;
  for (const YAML::Node& child : children) {
    std::uint32_t index = load_pattern(child);
    if (index == kNoNode) {
      ok = false;
      continue;
    }
    if (*kind == PatternKind::near && !is_leaf(model_.nodes[index].kind)) {
      error("E009", "the parts of 'near' must be words, regex or lookalike patterns", child);
      ok = false;
    }
    if (model_.nodes[index].anchor) {
      bool chooses = *kind == PatternKind::all || *kind == PatternKind::near;
      bool first = std::none_of(pattern.children.begin(), pattern.children.end(),
                                [&](std::uint32_t c) { return model_.nodes[c].anchor; });
      if (!chooses || !first) {
        error("E009",
              chooses ? "only one part of an 'all' or a 'near' can be its anchor"
                      : "'anchor' chooses among the parts of an 'all' or a 'near'; every part of '" +
                            kind_key.Scalar() + "' is scanned already",
              child["anchor"]);
        ok = false;
      }
    }
    pattern.children.push_back(index);
  }
  if (!ok) return kNoNode;
  if (*kind == PatternKind::at_least && pattern.min_count > pattern.children.size()) {
    error("E009",
          "at_least " + std::to_string(pattern.min_count) + " of " + std::to_string(pattern.children.size()) +
              " patterns can never hold",
          node);
    return kNoNode;
  }
  if (*kind == PatternKind::near && pattern.children.size() < 2) {
    error("E009", "'near' needs at least two parts", node);
    return kNoNode;
  }
  model_.nodes.push_back(std::move(pattern));
  return static_cast<std::uint32_t>(model_.nodes.size() - 1);
}

std::uint32_t FileLoader::load_leaf(PatternKind kind, const YAML::Node& key, const YAML::Node& value,
                                    const YAML::Node& whole) {
  std::optional<std::vector<std::string>> texts =
      key.Scalar() == "words_file" ? words_from_file(value) : string_list(value, key.Scalar());
  if (!texts) return kNoNode;
  Leaf leaf;
  leaf.kind = kind;
  leaf.rule = rule_index_;
  leaf.location = at(value);
  if (kind == PatternKind::lookalike) {
    if (YAML::Node edits = whole["edits"]) {
      std::optional<int> n = integer(edits, "edits", 1, 2);
      if (!n) return kNoNode;
      leaf.edits = *n;
    }
    for (const std::string& name : *texts) {
      if (count_characters(name) < 3) {
        error("E008", "look-alike name '" + name + "' is shorter than 3 characters: every edit would match",
              value);
        return kNoNode;
      }
    }
  }
  if (kind == PatternKind::words) {
    for (const std::string& word : *texts)
      if (count_characters(word) == 1)
        warning("W002", "the one-character word '" + word + "' matches nearly everything", value);
  }
  leaf.texts = std::move(*texts);
  leaf.views = rule_views_ != 0 ? rule_views_ : default_views(kind);
  if (rule_numerals_) leaf.views |= view_bit(View::numerals);
  if (kind == PatternKind::words) {
    // A words pattern may opt in on its own; the rule's options reach only its `match` words, since the
    // generated forms of exception words (the initials of 网信 are wx) would silence real violations.
    auto option = [&](const char* key, bool rule_default) {
      std::optional<bool> value;
      if (YAML::Node n = whole[key]) value = boolean(n, key);
      return value.value_or(rule_default && !loading_unless_);
    };
    leaf.pinyin = option("pinyin", rule_pinyin_);
    leaf.homophones = option("homophones", rule_homophones_);
    leaf.emoji = option("emoji", rule_emoji_);
  }
  // Emoji are noise in the skeleton: their forms are matched in the folded view.
  if (leaf.emoji) leaf.views |= view_bit(View::folded);
  model_.leaves.push_back(std::move(leaf));

  PatternNode node;
  node.kind = kind;
  node.leaf = static_cast<std::uint32_t>(model_.leaves.size() - 1);
  node.location = at(whole);
  model_.nodes.push_back(std::move(node));
  return static_cast<std::uint32_t>(model_.nodes.size() - 1);
}

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

}  // namespace

// A rule file parsed: its YAML tree, or what stopped the parse.
struct ParsedFile {
  YAML::Node root;
  std::optional<Diagnostic> problem;
  std::uint64_t hash = 0;  // of the file's bytes (RuleSource)
};

namespace {

ParsedFile parse_yaml(std::string_view yaml, const std::string& file_name) {
  ParsedFile parsed;
  try {
    parsed.root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    parsed.problem = Diagnostic{
        DiagnosticLevel::error, "E001", e.msg, {file_name, e.mark.line + 1, e.mark.column + 1}, {}};
  }
  return parsed;
}

ParsedFile parse_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return {{}, Diagnostic{DiagnosticLevel::error, "E001", "cannot read the file", {file.string()}, {}}};
  std::ostringstream text;
  text << in.rdbuf();
  ParsedFile parsed = parse_yaml(text.view(), file.string());
  parsed.hash = checksum_of(text.view());
  return parsed;
}

}  // namespace

std::vector<std::filesystem::path> RuleLoader::rule_files(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return {path};
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
    std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void RuleLoader::load_path(const std::filesystem::path& path) {
  std::vector<std::filesystem::path> files = rule_files(path);
  if (files.empty())
    diagnostics_.push_back(
        {DiagnosticLevel::warning, "W001", "no *.yaml rule files here", {path.string()}, {}});
  // yaml-cpp's parse is most of loading, and files parse independently: on every core, then read in name
  // order.
  std::vector<ParsedFile> parsed(files.size());
  run_on_every_core(files.size(), [&](std::size_t i) { parsed[i] = parse_file(files[i]); });
  for (std::size_t i = 0; i < files.size(); ++i)
    load_parsed(std::move(parsed[i]), files[i].string());
}

void RuleLoader::load_yaml(std::string_view yaml, const std::string& file_name) {
  load_parsed(parse_yaml(yaml, file_name), file_name);
}

void RuleLoader::load_parsed(ParsedFile parsed, const std::string& file_name) {
  rule_sources_.push_back({file_name, parsed.hash});
  if (parsed.problem) {
    diagnostics_.push_back(std::move(*parsed.problem));
    return;
  }
  FileLoader(file_name, model_, diagnostics_, rule_ids_, words_sources_).load(parsed.root);
}

std::vector<RuleSource> RuleLoader::sources() const {
  std::vector<RuleSource> all = rule_sources_;
  all.insert(all.end(), words_sources_.begin(), words_sources_.end());
  return all;
}

}  // namespace qinglang::detail
