// Named lists: words defined once (`lists:` in any rule file, or a file of the shared `lists/` folder) and
// used by any rule as `list: name`, with the forms (pinyin, homophones, emoji) they also match; a file's
// `defaults:`, the exception and the negation guard all its rules share; and the guard (`not_after`) itself.
#include <algorithm>
#include <tuple>

#include "rules/file_loader.h"

namespace qinglang::detail {

void FileLoader::load_lists(const YAML::Node& root, bool warn_unused) {
  if (!root.IsMap()) return;  // load() reports it
  YAML::Node lists = root["lists"];
  if (!lists) return;
  if (!lists.IsMap()) {
    error("E003", "'lists' must map list names to lists, found " + describe(lists), lists);
    return;
  }
  for (auto it = lists.begin(); it != lists.end(); ++it) {
    const std::string& name = it->first.Scalar();
    if (!valid_name(name)) {
      error("E008", "list name '" + name + "' may hold only letters, digits, '_', '-' and '.'", it->first);
      continue;
    }
    std::optional<NamedList> list = load_list(it->second);
    if (!list) continue;
    list->location = at(it->first);
    list->warn_unused = warn_unused;
    auto [existing, inserted] = lists_.emplace(name, std::move(*list));
    if (!inserted)
      error("E016",
            "the list '" + name + "' is defined twice (first at " + existing->second.location.file + ":" +
                std::to_string(existing->second.location.line) + ")",
            it->first);
  }
}

// A list is its words, or a map with `words`, `file` (one word per line, beside the rule file) or both, and
// the forms its words also match.
std::optional<NamedList> FileLoader::load_list(const YAML::Node& node) {
  NamedList list;
  if (node.IsSequence()) {
    std::optional<std::vector<std::string>> words = string_list(node, "list");
    if (!words) return std::nullopt;
    list.words = std::move(*words);
    return list;
  }
  if (!node.IsMap()) {
    error("E003", "a list is a list of words, or a map with 'words' or 'file', found " + describe(node),
          node);
    return std::nullopt;
  }
  if (!check_keys(node, {"words", "file", "pinyin", "homophones", "emoji"}, "list")) return std::nullopt;
  if (!node["words"] && !node["file"]) {
    error("E004", "a list needs 'words' or 'file'", node);
    return std::nullopt;
  }
  bool ok = true;
  if (YAML::Node words = node["words"]) {
    std::optional<std::vector<std::string>> texts = string_list(words, "words");
    ok = ok && texts;
    if (texts) list.words.insert(list.words.end(), texts->begin(), texts->end());
  }
  if (YAML::Node file = node["file"]) {
    std::optional<std::vector<std::string>> texts = words_from_file(file, "file");
    ok = ok && texts;
    if (texts) list.words.insert(list.words.end(), texts->begin(), texts->end());
  }
  for (auto [key, option] : {std::tuple{"pinyin", &list.pinyin}, std::tuple{"homophones", &list.homophones},
                             std::tuple{"emoji", &list.emoji}}) {
    if (YAML::Node value = node[key]) {
      std::optional<bool> b = boolean(value, key);
      ok = ok && b;
      *option = b.value_or(false);
    }
  }
  if (!ok) return std::nullopt;
  return list;
}

const NamedList* FileLoader::use_list(const YAML::Node& name) {
  std::optional<std::string> text = scalar(name, "list");
  if (!text) return nullptr;
  auto it = lists_.find(*text);
  if (it == lists_.end()) {
    error("E016", "unknown list '" + *text + "' (lists are defined under 'lists:' in any rule file)", name);
    return nullptr;
  }
  it->second.used = true;
  return &it->second;
}

// `list: name` or `list: [a, b]`: the words of the lists, as one leaf per set of forms. In an exception or a
// guard the words match as written, like every word there.
std::uint32_t FileLoader::load_list_pattern(const YAML::Node& value, const YAML::Node& whole) {
  std::vector<std::pair<std::string, const NamedList*>> lists;
  for (const YAML::Node& name : items_of(value)) {
    const NamedList* list = use_list(name);
    if (!list) return kNoNode;
    lists.emplace_back(name.Scalar(), list);
  }
  if (lists.empty()) {
    error("E003", "'list' names a list or several, found " + describe(value), value);
    return kNoNode;
  }
  // A use adds forms to the list's own, as a words pattern's options do to its words.
  bool pinyin, homophones, emoji;
  std::tie(pinyin, homophones, emoji) = forms_of(whole);
  auto forms = [&](const NamedList& list) {
    if (loading_unless_) return std::tuple{false, false, false};
    return std::tuple{list.pinyin || pinyin, list.homophones || homophones, list.emoji || emoji};
  };
  std::vector<std::uint32_t> leaves;
  std::vector<bool> done(lists.size(), false);
  for (std::size_t i = 0; i < lists.size(); ++i) {
    if (done[i]) continue;
    Leaf leaf;
    leaf.kind = PatternKind::words;
    leaf.location = at(value);
    std::tie(leaf.pinyin, leaf.homophones, leaf.emoji) = forms(*lists[i].second);
    for (std::size_t j = i; j < lists.size(); ++j) {
      if (done[j] || forms(*lists[j].second) != forms(*lists[i].second)) continue;
      done[j] = true;
      leaf.texts.insert(leaf.texts.end(), lists[j].second->words.begin(), lists[j].second->words.end());
      leaf.list += (leaf.list.empty() ? "" : ", ") + lists[j].first;
    }
    leaves.push_back(push_leaf(std::move(leaf), whole));
  }
  if (leaves.size() == 1) return leaves.front();
  PatternNode any;
  any.kind = PatternKind::any;
  any.children = std::move(leaves);
  any.location = at(whole);
  model_.nodes.push_back(std::move(any));
  return static_cast<std::uint32_t>(model_.nodes.size() - 1);
}

// `defaults: {unless: P, not_after: G}`: checked once here, then loaded again, quietly, for every rule that
// does not say `defaults: false`.
void FileLoader::load_defaults(const YAML::Node& node) {
  if (!node.IsMap()) {
    error("E003", "'defaults' must be a map with 'unless' and/or 'not_after', found " + describe(node), node);
    return;
  }
  if (!check_keys(node, {"unless", "not_after"}, "defaults")) return;
  rule_id_.clear();
  RuleSetModel scratch;
  FileLoader probe(file_, scratch, diagnostics_, rule_ids_, lists_, words_files_);
  std::size_t before = diagnostics_.size();
  if (YAML::Node unless = node["unless"]) {
    probe.loading_unless_ = true;
    if (probe.load_pattern(unless) != kNoNode) default_unless_ = unless;
  }
  if (YAML::Node guard = node["not_after"]) {
    Rule rule;
    if (probe.load_guard(guard, rule) != kNoNode) default_not_after_ = guard;
  }
  // A problem is reported once, for the file; a default that has one is not given to the rules.
  if (diagnostics_.size() != before && has_errors(diagnostics_)) {
    default_unless_.reset();
    default_not_after_.reset();
  }
}

std::uint32_t FileLoader::load_unless(const YAML::Node& node, bool with_defaults) {
  loading_unless_ = true;
  std::uint32_t own = node ? load_pattern(node) : kNoNode;
  std::uint32_t shared = kNoNode;
  if (with_defaults && default_unless_) {
    quiet_ = true;
    shared = load_pattern(default_unless_);
    quiet_ = false;
  }
  loading_unless_ = false;
  if (own == kNoNode || shared == kNoNode) return own == kNoNode ? shared : own;
  PatternNode any;
  any.kind = PatternKind::any;
  any.children = {own, shared};
  any.location = at(node);
  model_.nodes.push_back(std::move(any));
  return static_cast<std::uint32_t>(model_.nodes.size() - 1);
}

// `not_after: {list|words|words_file|regex: …, within: N}`: one leaf pattern and the most characters between
// its end and the start of a match it cancels.
std::uint32_t FileLoader::load_guard(const YAML::Node& node, Rule& rule) {
  if (!node.IsMap()) {
    error("E003", "'not_after' must be a map such as {list: negation, within: 2}, found " + describe(node),
          node);
    return kNoNode;
  }
  if (!check_keys(node, {"list", "words", "words_file", "regex", "within"}, "not_after")) return kNoNode;
  YAML::Node within = node["within"];
  if (!within) {
    error("E009", "'not_after' needs 'within': the most characters between the guard and the match", node);
    return kNoNode;
  }
  std::optional<int> n = integer(within, "within", 0, 50);
  if (!n) return kNoNode;
  YAML::Node key;
  int keys = 0;
  for (auto it = node.begin(); it != node.end(); ++it)
    if (it->first.Scalar() != "within") key = it->first, ++keys;
  if (keys != 1) {
    error("E009", "'not_after' needs exactly one of list, words, words_file, regex", node);
    return kNoNode;
  }
  loading_unless_ = true;
  loading_guard_ = true;
  const std::string& kind = key.Scalar();
  YAML::Node value = node[kind];
  std::uint32_t index =
      kind == "list" ? load_list_pattern(value, node)
                     : load_leaf(kind == "regex" ? PatternKind::regex : PatternKind::words, key, value, node);
  loading_unless_ = false;
  loading_guard_ = false;
  if (index == kNoNode) return kNoNode;
  if (!is_leaf(model_.nodes[index].kind)) {
    error("E009", "the lists of 'not_after' must match their words as written: one leaf", node);
    return kNoNode;
  }
  rule.guard_within = static_cast<std::uint32_t>(*n);
  return index;
}

}  // namespace qinglang::detail
