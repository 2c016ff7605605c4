// `examples:` in rules: each is scanned against the whole compiled rule set, and the rule must fire (match)
// or stay silent (no_match).
#include <algorithm>

#include "compiled_rule_set.h"
#include "qinglang/scanner.h"

namespace qinglang {

std::vector<ExampleResult> run_rule_examples(const std::shared_ptr<const CompiledRuleSet>& rules) {
  std::vector<ExampleResult> results;
  Scanner scanner(rules);
  for (const detail::Rule& rule : rules->data().model.rules) {
    for (const detail::Example& example : rule.examples) {
      const Verdict& verdict = scanner.scan(example.record);
      bool fired = std::any_of(verdict.hits.begin(), verdict.hits.end(),
                               [&](const Hit& hit) { return hit.rule_id == rule.id; });
      results.push_back(
          {rule.id, example.location, example.expect_match, fired == example.expect_match, example.text});
    }
  }
  return results;
}

}  // namespace qinglang
