// Compiled rule sets. The life cycle, as in RE2's Set: compile once (compiler.h, or load what a compile
// wrote), then scan from many threads, each with its own Scanner (scanner.h).
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
struct CompiledRuleSetAccess;
}  // namespace detail

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
  bool window = false;      // a window rule (`window:`): it fires in streams only; its examples are streams
  bool uses_model = false;  // a `model:` pattern decides it, in part or whole (docs/models.md)
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

 private:
  friend struct detail::CompiledRuleSetAccess;
  explicit CompiledRuleSet(std::unique_ptr<detail::CompiledRuleSetData> data);
  std::unique_ptr<detail::CompiledRuleSetData> data_;
};

// The outcome of a compile or a load: the rules when there was no error, and every diagnostic found (errors
// and warnings, all files, in file and line order).
struct CompileResult {
  std::shared_ptr<const CompiledRuleSet> rules;
  std::vector<Diagnostic> diagnostics;

  bool ok() const noexcept { return rules != nullptr; }
};

// Loads a compiled rule set written by `qinglang compile -o FILE` (or kept by CompileOptions::cache_file):
// the databases and everything the scanner needs, with no rule file read and nothing compiled, in the
// runtime library alone. The file must come from this build of Qinglang, for a CPU this one can run;
// otherwise the result holds error E015, naming the file and why (compile the rules again). The compile's
// own diagnostics (warnings) are returned with the rules, as the compile reported them.
CompileResult load_compiled_rules(const std::filesystem::path& file);

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
