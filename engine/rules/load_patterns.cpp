// A rule's pattern trees: words, regex and lookalike leaves, and the all, any, at_least and near that combine
// them.
#include <algorithm>
#include <charconv>
#include <tuple>

#include "base/utf8.h"
#include "rules/file_loader.h"
#include "text/lookalike.h"

namespace qinglang::detail {
namespace {

// Look-alike names are an app's name; the variants of a longer one grow as its length squared.
constexpr std::size_t kMaxLookalikeCharacters = 32;
// Every variant of every look-alike name in a rule set: about 12 s of compile time and 300 MB while compiling
// (100 names of 5 characters with two edits, 15,000 variants, took 23 s and 544 MB).
constexpr std::size_t kMaxLookalikeVariants = 8192;

std::optional<PatternKind> pattern_kind(std::string_view key) {
  if (key == "words" || key == "words_file" || key == "list") return PatternKind::words;
  if (key == "regex") return PatternKind::regex;
  if (key == "lookalike") return PatternKind::lookalike;
  if (key == "any") return PatternKind::any;
  if (key == "all") return PatternKind::all;
  if (key == "at_least") return PatternKind::at_least;
  if (key == "near") return PatternKind::near;
  if (key == "model") return PatternKind::model;
  return std::nullopt;
}

}  // namespace

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

// `score: N` on a part of an `at_least`: what finding it counts towards the `at_least` total (1 otherwise).
bool FileLoader::load_part_score(const YAML::Node& part, std::uint32_t index, PatternKind parent) {
  YAML::Node score = part["score"];
  if (!score) return true;
  if (parent != PatternKind::at_least) {
    error("E009", "'score' weighs a part of an 'at_least'; a rule's own score is a rule key", score);
    return false;
  }
  std::optional<int> n = integer(score, "score", 1, 1000);
  if (!n) return false;
  model_.nodes[index].weight = static_cast<std::uint32_t>(*n);
  return true;
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
          kinds == 0 ? "a pattern needs one of words, list, regex, lookalike, model, any, all, at_least, near"
                     : "a pattern must have exactly one of words, list, regex, lookalike, model, any, all, "
                       "at_least, near",
          node);
    return kNoNode;
  }
  YAML::Node value = node[kind_key.Scalar()];

  switch (*kind) {
    case PatternKind::words:
      if (kind_key.Scalar() == "list") {
        if (!check_keys(node, {"list", "pinyin", "homophones", "emoji", "anchor", "score", "whole"},
                        "list pattern"))
          return kNoNode;
        return load_list_pattern(value, node);
      }
      if (!check_keys(node, {kind_key.Scalar(), "pinyin", "homophones", "emoji", "anchor", "score", "whole"},
                      "words pattern"))
        return kNoNode;
      return load_leaf(*kind, kind_key, value, node);
    case PatternKind::regex:
      if (!check_keys(node, {kind_key.Scalar(), "anchor", "score", "whole"}, "pattern")) return kNoNode;
      return load_leaf(*kind, kind_key, value, node);
    case PatternKind::lookalike:
      if (!check_keys(node, {"lookalike", "edits", "anchor", "score", "whole"}, "lookalike pattern"))
        return kNoNode;
      return load_leaf(*kind, kind_key, value, node);
    case PatternKind::model:
      if (!check_keys(node, {"model", "score"}, "model pattern")) return kNoNode;
      return load_model_pattern(value, node);
    default:
      break;
  }

  PatternNode pattern;
  pattern.kind = *kind;
  pattern.location = at(node);
  YAML::Node children = value;
  if (*kind == PatternKind::any || *kind == PatternKind::all) {
    if (!check_keys(node, {kind_key.Scalar(), "anchor", "score"}, "pattern")) return kNoNode;
  } else if (*kind == PatternKind::at_least) {
    if (!check_keys(node, {"at_least", "of", "anchor", "score"}, "at_least pattern")) return kNoNode;
    std::optional<int> n = integer(value, "at_least", 1, 1000);
    if (!n) return kNoNode;
    pattern.min_count = static_cast<std::uint32_t>(*n);
    YAML::Node of = node["of"];
    if (!of) {
      error("E009", "at_least needs 'of': the list of patterns to count", node);
      return kNoNode;
    }
    // reset() points `children` at `of`; `=` would write `of` into the tree where the count was (and throws
    // on a missing key).
    children.reset(of);
  } else {
    if (!check_keys(node, {"near", "within", "ordered", "anchor", "score"}, "near pattern")) return kNoNode;
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
    if (!load_part_score(child, index, *kind)) ok = false;
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
  std::uint32_t total = 0;
  for (std::uint32_t child : pattern.children)
    total += model_.nodes[child].weight;
  if (*kind == PatternKind::at_least && pattern.min_count > total) {
    error("E009",
          "at_least " + std::to_string(pattern.min_count) + " of " + std::to_string(pattern.children.size()) +
              " patterns" + (total == pattern.children.size() ? "" : " scoring " + std::to_string(total)) +
              " can never hold",
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
      key.Scalar() == "words_file" ? words_from_file(value, "words_file") : string_list(value, key.Scalar());
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
      std::size_t length = count_characters(name);
      if (length < 3 || length > kMaxLookalikeCharacters) {
        error("E008",
              "look-alike name '" + name + "' " +
                  (length < 3 ? "is shorter than 3 characters: every edit would match"
                              : "is longer than " + std::to_string(kMaxLookalikeCharacters) +
                                    " characters: an app's name is shorter, and its variants would be many"),
              value);
        return kNoNode;
      }
      model_.lookalike_variants += lookalike_variant_count(name, leaf.edits);
    }
    if (model_.lookalike_variants > kMaxLookalikeVariants) {
      error("E009",
            "the look-alike names so far have " + std::to_string(model_.lookalike_variants) +
                " variants, more than " + std::to_string(kMaxLookalikeVariants) +
                " (each costs about 1.5 ms of compile time): fewer names, or edits: 1",
            value);
      return kNoNode;
    }
  }
  if (kind == PatternKind::words && !loading_guard_) {
    for (const std::string& word : *texts)
      if (count_characters(word) == 1)
        warning("W002", "the one-character word '" + word + "' matches nearly everything", value);
  }
  leaf.texts = std::move(*texts);
  if (kind == PatternKind::words) std::tie(leaf.pinyin, leaf.homophones, leaf.emoji) = forms_of(whole);
  return push_leaf(std::move(leaf), whole);
}

// The forms a words or list pattern asks for: its own `pinyin`, `homophones` and `emoji`, or else the rule's.
// The rule's options reach only its `match` words, since the generated forms of exception words (the
// initials of 网信 are wx) would silence real violations.
std::tuple<bool, bool, bool> FileLoader::forms_of(const YAML::Node& pattern) {
  auto option = [&](const char* key, bool rule_default) {
    std::optional<bool> value;
    if (YAML::Node n = pattern[key]) value = boolean(n, key);
    return value.value_or(rule_default && !loading_unless_);
  };
  return {option("pinyin", rule_pinyin_), option("homophones", rule_homophones_),
          option("emoji", rule_emoji_)};
}

// Adds a leaf, seen in the rule's views, and its node.
std::uint32_t FileLoader::push_leaf(Leaf leaf, const YAML::Node& whole) {
  leaf.rule = rule_index_;
  if (YAML::Node token = whole["whole"]) leaf.whole = boolean(token, "whole").value_or(false);
  leaf.views = rule_views_ != 0 ? rule_views_ : default_views(leaf.kind);
  if (rule_numerals_) leaf.views |= view_bit(View::numerals);
  // Emoji are noise in the skeleton: their forms are matched in the folded view.
  if (leaf.emoji) leaf.views |= view_bit(View::folded);
  model_.leaves.push_back(std::move(leaf));

  PatternNode node;
  node.kind = model_.leaves.back().kind;
  node.leaf = static_cast<std::uint32_t>(model_.leaves.size() - 1);
  node.location = at(whole);
  model_.nodes.push_back(std::move(node));
  return static_cast<std::uint32_t>(model_.nodes.size() - 1);
}

// `model: {file: models/minors.ftz, label: item7, min: 0.8}`. The file is read here; whether it is a model
// and has the label is checked when the compiler loads it (E019, at this pattern).
std::uint32_t FileLoader::load_model_pattern(const YAML::Node& value, const YAML::Node& whole) {
  if (!value.IsMap()) {
    error("E009",
          "model takes a map such as {file: models/minors.ftz, label: item7, min: 0.8}, found " +
              describe(value),
          value);
    return kNoNode;
  }
  if (!check_keys(value, {"file", "label", "min"}, "model")) return kNoNode;
  for (const char* key : {"file", "label", "min"}) {
    if (!value[key]) {
      error("E009", std::string("model needs '") + key + "'", value);
      return kNoNode;
    }
  }
  std::optional<std::string> label = scalar(value["label"], "label");
  std::optional<std::string> min_text = scalar(value["min"], "min");
  if (!label || !min_text) return kNoNode;
  double min = 0;
  auto [end, ec] = std::from_chars(min_text->data(), min_text->data() + min_text->size(), min);
  if (ec != std::errc() || end != min_text->data() + min_text->size() || !(min > 0 && min <= 1)) {
    error("E009", "model's 'min' is a probability above 0 and at most 1, found " + describe(value["min"]),
          value["min"]);
    return kNoNode;
  }
  std::optional<std::uint32_t> file = model_file(value["file"]);
  if (!file) return kNoNode;
  model_.model_parts.push_back({rule_index_, *file, *label, static_cast<float>(min), at(value)});
  PatternNode node;
  node.kind = PatternKind::model;
  node.leaf = static_cast<std::uint32_t>(model_.model_parts.size() - 1);
  node.location = at(whole);
  model_.nodes.push_back(std::move(node));
  return static_cast<std::uint32_t>(model_.nodes.size() - 1);
}

}  // namespace qinglang::detail
