// Compiling rule files into a CompiledRuleSet (rules.h): the compiler library. A program that only scans with
// rules compiled elsewhere needs the runtime library alone and load_compiled_rules() (rules.h).
#pragma once

#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "qinglang/diagnostic.h"
#include "qinglang/record.h"
#include "qinglang/rules.h"

namespace qinglang {

struct CompileOptions {
  // false: every pattern matches the text only as written (the raw view), whatever its rule's `views:` say.
  // For measuring what normalization costs, and for callers that normalize upstream.
  bool normalize = true;

  // When set, the compiled rule set is loaded from this file if it was compiled from exactly these rule files
  // (and words files) as they are now, by this build: no YAML is parsed. Otherwise the rules are loaded and
  // compiled, reusing the file's databases when their patterns are exactly the same (for the same Hyperscan
  // and CPU), and the whole compiled rule set is written to it. A stale, foreign or corrupt file is never
  // used: it is rebuilt (corrupt or foreign files with warning W004).
  std::filesystem::path cache_file;

  // Text like the content to be scanned (posts, reviews, chat lines; a few megabytes is plenty), fields
  // separated by newlines. A rule fires only where its anchor matched: its rarest required part, whose
  // other parts are then scanned for. Without a sample, rarity is guessed from each word's length, and an
  // everyday word such as 还有 or 老师 may be taken for a rare one; with it, each word is ranked by how often
  // it occurs in the sample. Scanning then costs less; what a scan finds is the same either way. A cache file
  // keeps the anchors it was compiled with until the rules change.
  std::string anchor_sample;

  // A rule set without a rule passes every record: a mistyped path must not look like clean content. It is
  // error E018 unless allowed here.
  bool allow_empty_rule_set = false;
};

// Loads and compiles rule files. Each path is a YAML file or a directory, whose *.yaml and *.yml files are
// read in name order. Never throws for bad input: problems become diagnostics.
CompileResult compile_rules(const std::vector<std::filesystem::path>& paths,
                            const CompileOptions& options = {});

// Compiles rules given as YAML text; `file_name` is used in diagnostics. For tests and embedding.
CompileResult compile_rules_from_yaml(std::string_view yaml, std::string_view file_name = "<string>",
                                      const CompileOptions& options = {});

// What one rule costs, measured on its own: its patterns compiled alone, then scanned over a sample.
struct RuleCost {
  RuleRef rule;  // points into RuleProfile::compiled
  double compile_milliseconds = 0;
  std::size_t database_bytes = 0;
  double scan_milliseconds = 0;  // the sample scanned with this rule alone, beyond the baseline
  std::size_t records_hit = 0;   // records of the sample it fired on
  // Records of the sample where one of its anchors matched, so that its deferred patterns were scanned: a
  // rule whose anchors match far more records than it fires on is a candidate for `anchor: true`.
  std::size_t records_anchored = 0;
};

struct RuleProfile {
  // All rules compiled together, which each cost's rule points into; null when they did not compile.
  std::shared_ptr<const CompiledRuleSet> compiled;
  double all_rules_compile_milliseconds = 0;
  double all_rules_scan_milliseconds = 0;  // the sample, scanned with all rules together
  double baseline_scan_milliseconds = 0;  // the sample, scanned with no patterns: normalizing, building views
  std::vector<RuleCost> rules;            // most expensive scan first
  std::vector<Diagnostic> diagnostics;
};

// Measures what each rule costs on a sample of records, for rule authors (qinglang bench --profile). Compiles
// every rule on its own, so it takes as long as a few full compiles. Hyperscan shares work between the
// patterns of one database, so the costs do not add up to the cost of all rules together: read them as a
// ranking.
RuleProfile profile_rules(const std::vector<std::filesystem::path>& paths, std::span<const Record> sample);

}  // namespace qinglang
