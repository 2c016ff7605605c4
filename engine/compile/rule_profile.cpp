// What each rule costs: its patterns compiled alone and scanned over a sample. Hyperscan's cost cannot be
// split between the patterns of one database, so each rule is measured on its own; the ranking tells rule
// authors which words match all the time and which regexes are slow.
#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "compile/compiler.h"
#include "compiled/compiled_rule_set.h"
#include "qinglang/compiler.h"
#include "qinglang/scanner.h"
#include "rules/rule_loader.h"

namespace qinglang {
namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Scans the sample in batches; returns milliseconds and counts the records each rule fired on.
double scan_sample(const std::shared_ptr<const CompiledRuleSet>& rules, std::span<const Record> sample,
                   std::vector<std::size_t>& hits_by_rule) {
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t r = 0; r < rules->rule_count(); ++r)
    index.emplace(detail::data_of(*rules).model.rules[r].id, r);
  Scanner scanner(rules);
  constexpr std::size_t kBatch = 1000;
  auto start = Clock::now();
  std::vector<std::size_t> last_record(rules->rule_count(), SIZE_MAX);  // counts each record once per rule
  for (std::size_t i = 0; i < sample.size(); i += kBatch) {
    const std::vector<Verdict>& verdicts =
        scanner.scan_batch(sample.subspan(i, std::min(kBatch, sample.size() - i)));
    for (std::size_t k = 0; k < verdicts.size(); ++k) {
      for (const Hit& hit : verdicts[k].hits) {
        std::size_t r = index.at(hit.rule.id);
        if (last_record[r] == i + k) continue;
        last_record[r] = i + k;
        ++hits_by_rule[r];
      }
    }
  }
  return milliseconds_since(start);
}

// The model with each rule's `match` replaced by any of its anchors (as compiled with all rules) and nothing
// else asked: a rule then fires exactly on the records where one of its anchors matched. In any field, as the
// first pass scans them, except that a field-bound rule's anchors are scanned only in its own fields.
detail::RuleSetModel anchors_alone(const detail::CompiledRuleSetData& compiled) {
  detail::RuleSetModel model = compiled.model;
  std::vector<std::vector<std::uint32_t>> anchors(model.rules.size());
  for (std::uint32_t n = 0; n < model.nodes.size(); ++n) {
    const detail::PatternNode& node = model.nodes[n];
    if (detail::is_leaf(node.kind) && compiled.leaf_anchor[node.leaf])
      anchors[model.leaves[node.leaf].rule].push_back(n);
  }
  for (std::size_t r = 0; r < model.rules.size(); ++r) {
    detail::Rule& rule = model.rules[r];
    rule.unless = detail::kNoNode;
    rule.conditions.clear();
    if (!std::binary_search(compiled.field_bound_rules.begin(), compiled.field_bound_rules.end(), r))
      rule.fields.clear();
    rule.scope = detail::Scope::record;
    if (rule.match == detail::kNoNode) continue;
    detail::PatternNode any;
    any.kind = detail::PatternKind::any;
    any.children = anchors[r];
    rule.match = static_cast<std::uint32_t>(model.nodes.size());
    model.nodes.push_back(std::move(any));
  }
  return model;
}

}  // namespace

RuleProfile profile_rules(const std::vector<std::filesystem::path>& paths, std::span<const Record> sample) {
  RuleProfile profile;
  detail::RuleLoader loader;
  loader.load_paths(paths);
  loader.finish();
  profile.diagnostics = std::move(loader.diagnostics());
  if (has_errors(profile.diagnostics)) return profile;
  const detail::RuleSetModel& model = loader.model();

  auto start = Clock::now();
  std::shared_ptr<const CompiledRuleSet> all = detail::compile_model(model, profile.diagnostics, {});
  if (!all) return profile;
  profile.compiled = all;
  profile.all_rules_compile_milliseconds = milliseconds_since(start);
  std::vector<std::size_t> unused(model.rules.size(), 0);
  profile.all_rules_scan_milliseconds = scan_sample(all, sample, unused);
  std::vector<std::size_t> anchored(model.rules.size(), 0);
  std::vector<Diagnostic> ignored_anchors;
  if (std::shared_ptr<const CompiledRuleSet> anchors =
          detail::compile_model(anchors_alone(detail::data_of(*all)), ignored_anchors, {}))
    scan_sample(anchors, sample, anchored);

  // What a scan costs with no patterns at all (normalizing, building views): each rule's own cost is beyond
  // it.
  detail::RuleSetModel empty = model;
  for (detail::Leaf& leaf : empty.leaves)
    leaf.views = 0;
  std::vector<Diagnostic> ignored_empty;
  if (std::shared_ptr<const CompiledRuleSet> none =
          detail::compile_model(std::move(empty), ignored_empty, {}))
    profile.baseline_scan_milliseconds = scan_sample(none, sample, unused);

  for (std::size_t r = 0; r < model.rules.size(); ++r) {
    // The whole model, with every other rule's patterns switched off: indexes stay valid, databases hold one
    // rule.
    detail::RuleSetModel alone = model;
    for (detail::Leaf& leaf : alone.leaves)
      if (leaf.rule != r) leaf.views = 0;
    std::vector<Diagnostic> ignored;
    start = Clock::now();
    std::shared_ptr<const CompiledRuleSet> compiled = detail::compile_model(std::move(alone), ignored, {});
    if (!compiled) continue;
    RuleCost cost;
    cost.rule = all->rule(r).rule;
    cost.compile_milliseconds = milliseconds_since(start);
    cost.database_bytes = compiled->stats().database_bytes;
    std::vector<std::size_t> hits(model.rules.size(), 0);
    cost.scan_milliseconds =
        std::max(0.0, scan_sample(compiled, sample, hits) - profile.baseline_scan_milliseconds);
    cost.records_hit = hits[r];
    cost.records_anchored = model.rules[r].match == detail::kNoNode ? 0 : anchored[r];  // `where` only
    profile.rules.push_back(std::move(cost));
  }
  std::sort(profile.rules.begin(), profile.rules.end(),
            [](const RuleCost& a, const RuleCost& b) { return a.scan_milliseconds > b.scan_milliseconds; });
  return profile;
}

}  // namespace qinglang
