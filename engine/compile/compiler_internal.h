// The Compiler, inside compile/: compile() runs its steps in order (compiler.cpp); planning is in plan.cpp,
// lints in lints.cpp and the Hyperscan builds in hyperscan_build.cpp.
#pragma once

#include <hs/hs.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compile/regex_literals.h"
#include "compiled/compiled_rule_set.h"
#include "qinglang/compiler.h"
#include "rules/rule_model.h"

namespace qinglang::detail {

inline constexpr unsigned kLiteralFlags = HS_FLAG_CASELESS;
// UTF-8 mode makes classes and `.` work per character; Unicode properties (UCP) are left out: they made the
// regex databases half as fast, and the folded view has already turned full-width digits and spaces into
// ASCII. Multi-line mode: a batch is one buffer of fields, each ended by a newline, so `^` and `$` must match
// at every line's start and end, not only the buffer's (a field's lines are lines too).
inline constexpr unsigned kRegexFlags = HS_FLAG_UTF8 | HS_FLAG_MULTILINE;
// Reports every match, not one per pattern: in a batch, each field with a match must be found.
inline constexpr unsigned kDetectorFlags = kRegexFlags;
inline constexpr unsigned kLocatorFlags = kRegexFlags | HS_FLAG_SOM_LEFTMOST;

// What Hyperscan says of an expression: accepted or not, and how short and long its matches are (the scanner
// locates a detected match by rescanning only max_width bytes back from its end).
struct ExpressionInfo {
  std::string error;  // empty when accepted
  unsigned min_width = 0;
  std::uint32_t max_width = UINT32_MAX;  // UINT32_MAX when unbounded or rejected
};

ExpressionInfo expression_info(const std::string& regex);

class Compiler {
 public:
  Compiler(RuleSetModel model, std::vector<Diagnostic>& diagnostics)
      : data_(std::make_unique<CompiledRuleSetData>()), diagnostics_(diagnostics) {
    data_->model = std::move(model);
  }

  // Null when there are errors. With a cache file, the databases come from it when their patterns are exactly
  // these (the key); the caller writes the compiled rule set back (finish).
  std::unique_ptr<CompiledRuleSetData> compile(const CompileOptions& options);
  std::uint64_t key() const { return key_; }
  // What this run found wrong with the cache file (W004): about the file, not the rules, so kept apart from
  // the diagnostics that the compiled file stores.
  const std::vector<Diagnostic>& cache_notes() const { return cache_notes_; }

 private:
  // The patterns of one view, before compilation.
  struct ViewPatterns {
    std::vector<std::pair<std::string, LiteralTarget>> added;  // every literal as collected, in order
    std::vector<std::string> literals;  // the distinct words, sorted: index = literal id (group_literals)
    std::vector<std::string> regexes;   // by regex id, parallel to ViewDatabases::regex_targets
    std::map<std::pair<std::string, std::string>, std::uint32_t> regex_ids;  // by regex and exact name
    // The tiers that scan each pattern, a bit per Tier (assign_tiers).
    std::vector<std::uint32_t> literal_tiers;  // by literal id
    std::vector<std::uint32_t> regex_tiers;    // by regex id
  };

  void report(DiagnosticLevel level, std::string code, std::string message, const Rule& rule,
              const SourceLocation& where) {
    diagnostics_.push_back({level, std::move(code), std::move(message), where, rule.id});
  }

  void collect_patterns();
  void count_in_sample(std::string_view sample);
  double literal_rate(View view, std::size_t id) const;
  double regex_rate(View view, std::size_t id) const;
  void choose_anchors();
  double anchor_leaves(std::uint32_t node, const std::vector<double>& leaf_rate,
                       std::vector<std::uint32_t>& out);
  void assign_tiers();
  static void add_literal(ViewPatterns& patterns, const std::string& word, LiteralTarget target);
  static void add_regex(ViewPatterns& patterns, ViewDatabases& dbs, const std::string& regex,
                        const std::string& exact_name, std::uint32_t leaf);
  void group_literals(View view);
  void warn_that_skeleton_broadens(const Leaf& leaf, const std::string& word, const std::string& skeleton);
  void check_regexes();
  void lint_rules();
  void resolve_windows();
  void analyse_regexes();
  void warn_if_regexes_match_single_characters();
  void measure_stream_history();
  bool build_databases();
  // The database of the view's patterns that `tier` scans, or of every one (for counting them in a sample,
  // before tiers are assigned). Null, and true, when there is none.
  bool build_literal_database(View view, std::optional<Tier> tier, DatabasePtr& out,
                              std::vector<Diagnostic>& errors) const;
  std::uint64_t cache_key() const;
  unsigned regex_flags(View view, unsigned kind_flags) const;
  bool build_regex_database(View view, std::optional<Tier> tier, unsigned flags, DatabasePtr& out,
                            std::vector<Diagnostic>& errors) const;

  // Each regex is analysed once: Hyperscan's analysis is most of the cost of loading rules from the cache.
  const ExpressionInfo& info_of(const std::string& regex) {
    auto it = expression_infos_.find(regex);
    if (it == expression_infos_.end()) it = expression_infos_.emplace(regex, expression_info(regex)).first;
    return it->second;
  }

  // A regex is split into literals once, not once for each view it is scanned in and again by the lint.
  const RegexSplit& split_of(std::string_view regex) {
    auto it = regex_splits_.find(regex);
    if (it == regex_splits_.end()) it = regex_splits_.emplace(regex, split_regex(regex)).first;
    return it->second;
  }

  std::unique_ptr<CompiledRuleSetData> data_;
  std::vector<Diagnostic>& diagnostics_;
  std::uint64_t key_ = 0;
  std::vector<Diagnostic> cache_notes_;
  std::array<ViewPatterns, kViewCount> patterns_;
  // From CompileOptions::anchor_sample: how many times each pattern occurs in the sample's view (by view,
  // then literal id; empty without a sample, or when it could not be counted), and the sample's size in
  // characters.
  std::array<std::vector<std::uint32_t>, kViewCount> sample_counts_;
  std::array<std::vector<std::uint32_t>, kViewCount> sample_regex_counts_;  // by view, then regex id
  double sample_characters_ = 0;
  std::map<std::string, ExpressionInfo, std::less<>> expression_infos_;
  std::map<std::string, RegexSplit, std::less<>> regex_splits_;
};

}  // namespace qinglang::detail
