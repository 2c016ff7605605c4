// `examples:` in rules: each is scanned against the whole compiled rule set, and the rule must fire (match)
// or stay silent (no_match).
#include <algorithm>

#include "compiled/compiled_rule_set.h"
#include "qinglang/scanner.h"

namespace qinglang {
namespace {

bool fires(Scanner& scanner, std::string_view rule_id, const Record& record) {
  const Verdict& verdict = scanner.scan(record);
  return std::any_of(verdict.hits.begin(), verdict.hits.end(),
                     [&](const Hit& hit) { return hit.rule.id == rule_id; });
}

// Writes the messages to a stream, a second apart, and says whether the window rule fired on any of them.
bool window_fires(Scanner& scanner, std::string_view rule_id, const std::vector<std::string>& messages) {
  Stream stream;
  auto fired = [&](const StreamVerdict& verdict) {
    return std::any_of(verdict.windows.begin(), verdict.windows.end(),
                       [&](const WindowHit& window) { return window.rule.id == rule_id; });
  };
  bool any = false;
  for (std::uint64_t seq = 0; seq < messages.size(); ++seq)
    any = fired(scanner.write(stream, {seq, static_cast<double>(seq), messages[seq]})) || any;
  return fired(scanner.close(stream)) || any;
}

}  // namespace

std::vector<ExampleResult> run_rule_examples(const std::shared_ptr<const CompiledRuleSet>& rules) {
  std::vector<ExampleResult> results;
  Scanner scanner(rules);
  for (const detail::Rule& rule : detail::data_of(*rules).model.rules) {
    for (const detail::Example& example : rule.examples) {
      bool fired = rule.window ? window_fires(scanner, rule.id, example.messages)
                               : fires(scanner, rule.id, example.record);
      results.push_back(
          {rule.id, example.location, example.expect_match, fired == example.expect_match, example.text});
    }
  }
  return results;
}

}  // namespace qinglang
