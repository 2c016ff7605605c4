#include "rule_source.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace qinglang::cli {

namespace {

CompileResult load_or_compile(const RuleSource& source) {
  if (!source.compiled_file.empty()) return load_compiled_rules(source.compiled_file);
  std::vector<std::filesystem::path> paths(source.paths.begin(), source.paths.end());
  CompileOptions options;
  options.cache_file = source.cache_file;
  return compile_rules(paths, options);
}

}  // namespace

std::shared_ptr<const CompiledRuleSet> load_rules_and_report(const RuleSource& source) {
  CompileResult result = load_or_compile(source);
  for (const Diagnostic& d : result.diagnostics)
    std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
  if (!result.ok()) {
    std::size_t errors = std::count_if(result.diagnostics.begin(), result.diagnostics.end(),
                                       [](const Diagnostic& d) { return d.level == DiagnosticLevel::error; });
    std::fprintf(stderr, "qinglang: %zu error%s in the rules\n", errors, errors == 1 ? "" : "s");
  }
  return result.rules;
}

}  // namespace qinglang::cli
