#include "explain_command.h"

#include <fmt/format.h>

#include <cstdio>

#include "qinglang/model.h"
#include "qinglang/normalize.h"
#include "qinglang/scanner.h"

namespace qinglang::cli {

int run_explain(const RuleSource& source, const std::vector<std::string>& texts) {
  std::shared_ptr<const CompiledRuleSet> rules = load_rules_and_report(source);
  if (!rules) return 1;
  Scanner scanner(rules);
  for (const std::string& text : texts) {
    TextViews views = normalized_views(text);
    std::string out =
        fmt::format("raw       {}\nfolded    {}\nskeleton  {}\n", text, views.folded, views.skeleton);
    Record record = Record::from_text(text);
    const Verdict& verdict = scanner.scan(record);
    out += fmt::format("decision  {}\n", to_string(verdict.decision));
    for (const Hit& hit : verdict.hits) {
      out += fmt::format("  {:<8} {} (item {}, {}) [{}, {}) \"{}\" via {}", to_string(hit.rule.action),
                         hit.rule.id, hit.rule.item, hit.rule.title, hit.start, hit.end, hit.text, hit.view);
      if (hit.model_score > 0) out += fmt::format(", model score {:.3f}", hit.model_score);
      out += hit.list.empty() ? "\n" : fmt::format(", list {}\n", hit.list);
      // What the model read most into its score: the features that raised the rule's label the most.
      std::vector<std::pair<std::string, float>> weights = explain_model_hit(*rules, record, hit, 8);
      if (!weights.empty()) {
        out += "           weighed most:";
        for (const auto& [feature, weight] : weights)
          out += fmt::format(" {} {:+.2f}", feature, weight);
        out += "\n";
      }
    }
    std::fputs((out + "\n").c_str(), stdout);
  }
  return 0;
}

}  // namespace qinglang::cli
