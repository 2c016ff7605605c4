// What the files that read one rule file share, inside rules/: RuleLoader (rule_loader.h) is the way in.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "qinglang/diagnostic.h"
#include "rules/rule_model.h"

namespace qinglang::detail {

// Rule ids and list names: letters, digits, '_', '-' and '.'.
inline bool valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

// A node as a diagnostic names what was found instead: "a map", "a list", the scalar quoted, or "nothing".
std::string describe(const YAML::Node& node);

// Reads one file's YAML tree; holds what every check needs to report where it is. Each part of a rule file is
// read in a file of its own: the file and its rules' own keys in load_rule.cpp, patterns in
// load_patterns.cpp, words files and model files in words_files.cpp, windows in load_windows.cpp, examples in
// load_examples.cpp, and the typed values all of them read in yaml_values.cpp.
class FileLoader {
 public:
  FileLoader(const std::string& file, RuleSetModel& model, std::vector<Diagnostic>& diagnostics,
             std::map<std::string, SourceLocation, std::less<>>& rule_ids,
             std::map<std::string, NamedList, std::less<>>& lists, std::vector<SourceFile>& words_files)
      : file_(file),
        model_(model),
        diagnostics_(diagnostics),
        rule_ids_(rule_ids),
        lists_(lists),
        words_files_(words_files) {}

  // The file's named lists (`lists:`), read before any file's rules (load_lists.cpp).
  void load_lists(const YAML::Node& root, bool warn_unused);
  // The file's defaults and rules.
  void load(const YAML::Node& root);

 private:
  SourceLocation at(const YAML::Node& node) const {
    YAML::Mark mark = node.Mark();
    if (mark.is_null()) return {file_, 0, 0};
    return {file_, mark.line + 1, mark.column + 1};
  }
  void report(DiagnosticLevel level, std::string code, std::string message, const YAML::Node& node) {
    if (quiet_) return;
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
  std::optional<std::vector<std::string>> words_from_file(const YAML::Node& node, std::string_view key);
  std::optional<std::uint32_t> model_file(const YAML::Node& node);
  std::uint32_t load_model_pattern(const YAML::Node& value, const YAML::Node& whole);
  std::optional<NamedList> load_list(const YAML::Node& node);
  const NamedList* use_list(const YAML::Node& name);
  void load_defaults(const YAML::Node& node);
  std::uint32_t load_guard(const YAML::Node& node, Rule& rule);
  std::uint32_t load_unless(const YAML::Node& node, bool with_defaults);

  void load_rule(const YAML::Node& node, std::optional<Category> default_category);
  std::uint32_t load_pattern(const YAML::Node& node);
  std::uint32_t load_pattern_of_kind(const YAML::Node& node);
  bool load_part_score(const YAML::Node& part, std::uint32_t index, PatternKind parent);
  void load_thresholds(const YAML::Node& node, std::optional<Category> file_category);
  void load_conditions(const YAML::Node& node, Rule& rule);
  void load_extract(const YAML::Node& node, Rule& rule);
  std::uint32_t intern_re2(const std::string& regex);
  std::uint32_t load_leaf(PatternKind kind, const YAML::Node& key, const YAML::Node& value,
                          const YAML::Node& whole);
  std::uint32_t push_leaf(Leaf leaf, const YAML::Node& whole);
  std::tuple<bool, bool, bool> forms_of(const YAML::Node& pattern);
  // The nodes of a value that may be one item or a list of them (`list: a`, `list: [a, b]`).
  static std::vector<YAML::Node> items_of(const YAML::Node& node);
  std::uint32_t load_list_pattern(const YAML::Node& value, const YAML::Node& whole);
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
  std::map<std::string, NamedList, std::less<>>& lists_;
  std::vector<SourceFile>& words_files_;
  // The file's `defaults:`, loaded again for each rule, since each leaf belongs to one rule.
  YAML::Node default_unless_;
  YAML::Node default_not_after_;
  std::string rule_id_;  // the rule being read, for diagnostics
  std::uint32_t rule_index_ = 0;
  std::uint8_t rule_views_ = 0;
  bool rule_pinyin_ = false;
  bool rule_homophones_ = false;
  bool rule_numerals_ = false;
  bool rule_emoji_ = false;
  bool loading_unless_ = false;  // or a guard: words as written, no anchors
  bool loading_guard_ = false;   // one-character words are what a guard is made of (不, 无, 没)
  bool quiet_ = false;           // loading a file's defaults again for a rule: checked once already
};

}  // namespace qinglang::detail
