// Checks and lints of the rules: regexes Hyperscan rejects, and patterns or conditions that can never match
// or match nearly everything.
#include <algorithm>
#include <map>

#include "base/utf8.h"
#include "compile/compiler_internal.h"

namespace qinglang::detail {
namespace {

bool contradicts(const Condition& a, const Condition& b) {
  if (a.path != b.path) return false;
  if (a.op == ConditionOp::eq && b.op == ConditionOp::eq) {
    const ConditionValue &x = a.value, &y = b.value;
    return x.type != y.type || x.text != y.text || x.number != y.number || x.boolean != y.boolean;
  }
  auto lower = [](const Condition& c) { return c.op == ConditionOp::gt || c.op == ConditionOp::ge; };
  auto upper = [](const Condition& c) { return c.op == ConditionOp::lt || c.op == ConditionOp::le; };
  if (lower(a) && upper(b)) {
    bool both_inclusive = a.op == ConditionOp::ge && b.op == ConditionOp::le;
    return both_inclusive ? a.value.number > b.value.number : a.value.number >= b.value.number;
  }
  return lower(b) && upper(a) && contradicts(b, a);
}

}  // namespace

// A word holding symbols or emoji (nm$l, 你🐴死了) loses them in the skeleton view and matches far more than
// its author wrote; spaces are taken as meant to be optional.
void Compiler::warn_that_skeleton_broadens(const Leaf& leaf, const std::string& word,
                                           const std::string& skeleton) {
  report(DiagnosticLevel::warning, "W003",
         "the word '" + opening_of(word) + "' holds characters the skeleton view drops: it also matches '" +
             opening_of(skeleton) + "' (use views: [folded] to keep them)",
         data_->model.rules[leaf.rule], leaf.location);
}

// Checks each regex on its own, so that every bad one is reported, not only the first.
void Compiler::check_regexes() {
  for (const Leaf& leaf : data_->model.leaves) {
    if (leaf.kind != PatternKind::regex) continue;
    const Rule& rule = data_->model.rules[leaf.rule];
    for (const std::string& regex : leaf.texts) {
      const ExpressionInfo& info = info_of(regex);
      if (!info.error.empty())
        report(DiagnosticLevel::error, "E011", "regex '" + regex + "' rejected: " + info.error, rule,
               leaf.location);
      else if (info.min_width == 0)
        report(DiagnosticLevel::error, "E011", "regex '" + regex + "' can match the empty string", rule,
               leaf.location);
    }
  }
}

// A regex's shortest match is the shortest of its parts: its literals and the regexes left of it, whose
// widths are known by now whether they came from a cache or from Hyperscan.
void Compiler::warn_if_regexes_match_single_characters() {
  std::map<std::string_view, std::uint32_t> min_width;
  for (std::size_t v = 0; v < kViewCount; ++v)
    for (std::size_t i = 0; i < patterns_[v].regexes.size(); ++i)
      min_width.emplace(patterns_[v].regexes[i], data_->views[v].regex_targets[i].min_width);
  for (const Leaf& leaf : data_->model.leaves) {
    if (leaf.kind != PatternKind::regex) continue;
    for (const std::string& regex : leaf.texts) {
      auto checked = expression_infos_.find(regex);
      if (checked != expression_infos_.end() &&
          (!checked->second.error.empty() || checked->second.min_width == 0))
        continue;  // an error already
      const RegexSplit& split = split_of(regex);
      std::size_t shortest = SIZE_MAX;
      for (const std::string& literal : split.literals)
        shortest = std::min(shortest, literal.size());
      for (const std::string& part : split.regexes)
        if (auto it = min_width.find(part); it != min_width.end())
          shortest = std::min<std::size_t>(shortest, it->second);
      if (shortest <= 1)
        report(DiagnosticLevel::warning, "W002",
               "regex '" + regex + "' can match a single character: it matches nearly everything",
               data_->model.rules[leaf.rule], leaf.location);
    }
  }
}

// Finds rules that can never fire. Examples catch the rest.
void Compiler::lint_rules() {
  const RuleSetModel& m = data_->model;
  for (const Rule& rule : m.rules) {
    for (std::size_t i = 0; i < rule.conditions.size(); ++i)
      for (std::size_t j = i + 1; j < rule.conditions.size(); ++j)
        if (contradicts(rule.conditions[i], rule.conditions[j]))
          report(DiagnosticLevel::warning, "W001",
                 "conditions '" + rule.conditions[i].source + "' and '" + rule.conditions[j].source +
                     "' cannot both hold: the rule can never match",
                 rule, rule.location);

    if (rule.match == kNoNode || rule.unless == kNoNode) continue;
    const PatternNode& match = m.nodes[rule.match];
    const PatternNode& unless = m.nodes[rule.unless];
    if (match.kind != PatternKind::words || unless.kind != PatternKind::words ||
        (rule.unless_scope != Scope::field && rule.scope == Scope::field))
      continue;
    const Leaf& match_leaf = m.leaves[match.leaf];
    const Leaf& unless_leaf = m.leaves[unless.leaf];
    bool always_excepted =
        std::all_of(match_leaf.texts.begin(), match_leaf.texts.end(), [&](const std::string& w) {
          return std::any_of(unless_leaf.texts.begin(), unless_leaf.texts.end(),
                             [&](const std::string& u) { return w.find(u) != std::string::npos; });
        });
    if (always_excepted)
      report(DiagnosticLevel::warning, "W001",
             "every word of 'match' contains a word of 'unless': the rule can never match", rule,
             unless.location);
  }
}

}  // namespace qinglang::detail
