#include "test_command.h"

#include <cstdio>

namespace qinglang::cli {

int run_test(const RuleSource& source) {
  std::shared_ptr<const CompiledRuleSet> rules = load_rules_and_report(source);
  if (!rules) return 1;
  std::size_t passed = 0, failed = 0;
  for (const ExampleResult& r : run_rule_examples(rules)) {
    if (r.passed) {
      ++passed;
      continue;
    }
    ++failed;
    std::printf("%s:%d: FAIL [%s] expected %s: %s\n", r.location.file.c_str(), r.location.line,
                r.rule_id.c_str(), r.expect_match ? "a match" : "no match", r.text.c_str());
  }
  for (std::size_t i = 0; i < rules->rule_count(); ++i) {
    RuleInfo info = rules->rule(i);
    if (info.match_examples < 3 || info.no_match_examples < 2)
      std::printf("%s:%d: warning [%.*s] has %zu match and %zu no_match examples; write at least 3 and 2\n",
                  info.location.file.c_str(), info.location.line, static_cast<int>(info.rule.id.size()),
                  info.rule.id.data(), info.match_examples, info.no_match_examples);
  }
  std::printf("%zu rules, %zu examples: %zu passed, %zu failed\n", rules->rule_count(), passed + failed,
              passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace qinglang::cli
