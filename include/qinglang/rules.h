// Loading and compiling rule files. The life cycle, as in RE2's Set: compile once, then scan from many
// threads, each with its own Scanner (scanner.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qinglang/diagnostic.h"
#include "qinglang/record.h"
#include "qinglang/taxonomy.h"

namespace qinglang {

namespace detail {
struct CompiledRuleSetData;
}

// Which rule: what a hit, a window hit or a listing names it by. The views point into the CompiledRuleSet the
// rule belongs to and stay valid while it lives.
struct RuleRef {
  std::string_view id;
  std::string_view title;
  Category category;
  int item;
  Severity severity;
  Action action;

  bool operator==(const RuleRef&) const = default;
};

// What a rule says about itself; for listings and tools. `rule` points into the CompiledRuleSet that gave it.
struct RuleInfo {
  RuleRef rule;
  SourceLocation location;
  std::size_t match_examples = 0;
  std::size_t no_match_examples = 0;
  bool window = false;  // a window rule (`window:`): it fires in streams only; its examples are streams
};

// Sizes and costs of the compiled form, as `qinglang compile` prints them.
struct DatabaseStats {
  std::size_t rules = 0;
  std::size_t literal_patterns = 0;  // distinct words, across all rules
  std::size_t regex_patterns = 0;    // regexes and look-alike expansions
  // Of those, the patterns scanned only in records where one of their rule's anchors matched: the context
  // words of an `all` or `near` beyond its rarest part, and every exception (`unless`). The rest are scanned
  // in every record.
  std::size_t deferred_patterns = 0;
  // And the patterns only rules bound to fields other than `text` need (an app's name, its reviews): scanned
  // only in the fields those rules name.
  std::size_t field_bound_patterns = 0;
  std::size_t database_bytes = 0;  // all Hyperscan databases together
  std::size_t scratch_bytes = 0;   // per Scanner
  // Streams (stream.h): the most text a stream carries between messages so that every match completed by a
  // later message is found whole (the longest match in original bytes, however evasive, up to 4 KiB; plain
  // text needs far less and carries less), and how near the end of the text a match must not be before it
  // is decided (rules that look past their match: pinyin forms, look-alike names).
  std::size_t stream_history_bytes = 0;
  std::size_t stream_right_context_bytes = 0;
  double compile_milliseconds = 0;  // loading, when the databases came from the cache
  bool from_cache = false;          // the databases came from the cache
  bool rules_from_cache = false;    // so did the rules themselves: no rule file was parsed
  std::string engine_version;       // Hyperscan's own version string
};

// Rules compiled into Hyperscan databases. Immutable once built, so one instance is shared by every thread
// through shared_ptr. Not copyable.
class CompiledRuleSet {
 public:
  ~CompiledRuleSet();
  CompiledRuleSet(const CompiledRuleSet&) = delete;
  CompiledRuleSet& operator=(const CompiledRuleSet&) = delete;

  std::size_t rule_count() const noexcept;
  // The rule at `index` (below rule_count()); its RuleRef points into this CompiledRuleSet.
  RuleInfo rule(std::size_t index) const;
  const DatabaseStats& stats() const noexcept;

  const detail::CompiledRuleSetData& data() const noexcept { return *data_; }

 private:
  friend struct CompiledRuleSetFactory;
  explicit CompiledRuleSet(std::unique_ptr<detail::CompiledRuleSetData> data);
  std::unique_ptr<detail::CompiledRuleSetData> data_;
};

// The outcome of a compile: the rules when there was no error, and every diagnostic found (errors and
// warnings, all files, in file and line order).
struct CompileResult {
  std::shared_ptr<const CompiledRuleSet> rules;
  std::vector<Diagnostic> diagnostics;

  bool ok() const noexcept { return rules != nullptr; }
};

struct CompileOptions {
  // false: every pattern matches the text only as written (the raw view), whatever its rule's `views:` say.
  // For measuring what normalization costs, and for callers that normalize upstream.
  bool normalize = true;

  // When set, the compiled databases are read from this file if it was built from exactly the same patterns,
  // by the same Hyperscan, for this CPU, and are otherwise compiled and written to it. A stale, foreign or
  // corrupt file is never used: it is rebuilt (corrupt or foreign files with a warning).
  std::filesystem::path cache_file;
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

// Measures what each rule costs on a sample of records, for rule authors (qinglang profile). Compiles every
// rule on its own, so it takes as long as a few full compiles. Hyperscan shares work between the patterns of
// one database, so the costs do not add up to the cost of all rules together: read them as a ranking.
RuleProfile profile_rules(const std::vector<std::filesystem::path>& paths, std::span<const Record> sample);

// The result of one rule example (`examples:` in a rule) run against the compiled rules.
struct ExampleResult {
  std::string rule_id;
  SourceLocation location;  // of the example
  bool expect_match = true;
  bool passed = false;
  std::string text;  // the example's text, or a summary of its record
};

// Runs every rule's examples, each scanned against all compiled rules; returns one result per example.
std::vector<ExampleResult> run_rule_examples(const std::shared_ptr<const CompiledRuleSet>& rules);

}  // namespace qinglang
