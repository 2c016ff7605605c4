#include "explain_command.h"

#include <fmt/format.h>

#include <cstdio>

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
      out += hit.list.empty() ? "\n" : fmt::format(", list {}\n", hit.list);
    }
    std::fputs((out + "\n").c_str(), stdout);
  }
  return 0;
}

}  // namespace qinglang::cli
