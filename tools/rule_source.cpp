#include "rule_source.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "qinglang/json.h"

namespace qinglang::cli {

namespace {

// A few megabytes tell the common words from the rare ones; more only slows the compile.
constexpr std::size_t kSampleBytes = 16u << 20;

// The text fields of a JSONL sample, or the lines of a text one, one per line. Lines that are not JSON
// objects are taken as text, so a sample may mix both.
bool read_anchor_sample(const std::string& file, std::string& out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  JsonRecordParser parser;
  Record record;
  for (std::string line; out.size() < kSampleBytes && std::getline(in, line);) {
    if (!line.starts_with('{') || !parser.parse(line, record).empty()) {
      out.append(line).push_back('\n');
      continue;
    }
    for (std::size_t f = 0; f < record.size(); ++f)
      if (FieldView field = record.field(f); field.type == ValueType::text && !field.text.empty())
        out.append(field.text).push_back('\n');
  }
  return true;
}

CompileResult load_or_compile(const RuleSource& source) {
  if (!source.compiled_file.empty()) return load_compiled_rules(source.compiled_file);
  std::vector<std::filesystem::path> paths(source.paths.begin(), source.paths.end());
  CompileOptions options;
  options.cache_file = source.cache_file;
  options.allow_empty_rule_set = source.allow_empty_rule_set;
  if (!source.anchor_sample.empty() && !read_anchor_sample(source.anchor_sample, options.anchor_sample)) {
    CompileResult failed;
    failed.diagnostics.push_back(
        {DiagnosticLevel::error, "E001", "cannot read the anchor sample", {source.anchor_sample}, {}});
    return failed;
  }
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
