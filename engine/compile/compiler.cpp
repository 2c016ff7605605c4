// Rule model → Hyperscan databases: the order of the steps, the database cache key, and the ways in.
#include "compile/compiler.h"

#include <algorithm>
#include <chrono>

#include "base/hash.h"
#include "compile/compiler_internal.h"
#include "compiled/compiled_file.h"
#include "compiled/compiled_rule_set.h"
#include "rules/rule_loader.h"

namespace qinglang {

namespace detail {

// Everything that decides what the databases hold and where they run: every expression with its flags and id,
// per view and database (so rules, normalization tables and this compiler's own choices are all covered),
// plus Hyperscan's version and the CPU it tunes for.
std::uint64_t Compiler::cache_key() const {
  constexpr std::string_view kFormat = "qinglang database cache 10";
  Hasher hash;
  hash.add(kFormat);
  hash.add(hs_version());
  hs_platform_info_t platform{};
  hs_populate_platform(&platform);
  hash.add(&platform.tune, sizeof platform.tune);
  hash.add(&platform.cpu_features, sizeof platform.cpu_features);
  for (std::size_t v = 0; v < kViewCount; ++v) {
    auto view = static_cast<View>(v);
    hash.add(&kLiteralFlags, sizeof kLiteralFlags);
    for (std::size_t id = 0; id < patterns_[v].literals.size(); ++id) {
      hash.add(patterns_[v].literals[id]);
      hash.add(&patterns_[v].literal_tiers[id], sizeof(std::uint32_t));
    }
    for (unsigned flags : {regex_flags(view, kDetectorFlags), regex_flags(view, kLocatorFlags)}) {
      hash.add(&flags, sizeof flags);
      for (std::size_t i = 0; i < patterns_[v].regexes.size(); ++i) {
        hash.add(patterns_[v].regexes[i]);
        hash.add(&patterns_[v].regex_tiers[i], sizeof(std::uint32_t));
      }
    }
  }
  return hash.value();
}

std::unique_ptr<CompiledRuleSetData> Compiler::compile(const CompileOptions& options) {
  auto started = std::chrono::steady_clock::now();
  collect_patterns();
  for (std::size_t v = 0; v < kViewCount; ++v)
    group_literals(static_cast<View>(v));
  if (!options.anchor_sample.empty()) count_in_sample(options.anchor_sample);
  choose_anchors();
  assign_tiers();
  lint_rules();
  resolve_windows();
  if (has_errors(diagnostics_)) {
    // Every finding is reported in one run.
    check_regexes();
    analyse_regexes();
    warn_if_regexes_match_single_characters();
    return nullptr;
  }

  DatabaseStats& stats = data_->stats;
  key_ = cache_key();
  if (!options.cache_file.empty()) {
    std::string why;
    stats.from_cache = read_databases(options.cache_file, key_, *data_, why);
    if (!stats.from_cache && !why.empty())
      cache_notes_.push_back({DiagnosticLevel::warning,
                              "W004",
                              "database cache not used (" + why + "): rebuilding it",
                              {options.cache_file.string()},
                              {}});
  }
  // A cache holds exactly these patterns, so they compiled before: Hyperscan's analysis, most of a cached
  // start, is needed only without it.
  if (!stats.from_cache) {
    check_regexes();
    if (has_errors(diagnostics_)) return nullptr;
    analyse_regexes();
  }
  warn_if_regexes_match_single_characters();
  measure_stream_history();
  if (!stats.from_cache && !build_databases()) return nullptr;
  for (std::size_t v = 0; v < kViewCount; ++v) {
    stats.literal_patterns += patterns_[v].literals.size();
    stats.regex_patterns += patterns_[v].regexes.size();
    auto count = [&](std::uint32_t tiers) {
      return static_cast<std::size_t>(
          std::count(patterns_[v].literal_tiers.begin(), patterns_[v].literal_tiers.end(), tiers) +
          std::count(patterns_[v].regex_tiers.begin(), patterns_[v].regex_tiers.end(), tiers));
    };
    std::size_t first_pass = count(1u << kAnchorTier), field_bound = count(1u << kFieldBoundTier);
    stats.field_bound_patterns += field_bound;
    stats.deferred_patterns +=
        patterns_[v].literals.size() + patterns_[v].regexes.size() - first_pass - field_bound;
  }
  if (!prepare_for_scanning(*data_, diagnostics_)) return nullptr;
  stats.compile_milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return std::move(data_);
}

namespace {

bool diagnostic_order(const Diagnostic& a, const Diagnostic& b) {
  return std::tie(a.location.file, a.location.line, a.location.column) <
         std::tie(b.location.file, b.location.line, b.location.column);
}

// Compiles the model; with a cache file, writes the compiled rule set to it, with `inputs` saying what it was
// compiled from.
CompileResult finish(RuleSetModel model, std::vector<Diagnostic> diagnostics, CompileInputs inputs,
                     const CompileOptions& options) {
  if (!options.normalize)
    for (Leaf& leaf : model.leaves)
      leaf.views = view_bit(View::raw);
  inputs.normalize = options.normalize;
  CompileResult result;
  // The compiler runs even after loader errors, so regex errors are reported in the same run.
  Compiler compiler(std::move(model), diagnostics);
  std::unique_ptr<CompiledRuleSetData> data = compiler.compile(options);
  std::stable_sort(diagnostics.begin(), diagnostics.end(), diagnostic_order);
  std::vector<Diagnostic> notes = compiler.cache_notes();
  if (data && !has_errors(diagnostics) && !options.cache_file.empty()) {
    std::string problem = write_compiled_file(options.cache_file, compiler.key(), *data,
                                              serialize_tables(*data, diagnostics, inputs));
    if (!problem.empty())
      notes.push_back({DiagnosticLevel::warning,
                       "W004",
                       "database cache not written: " + problem,
                       {options.cache_file.string()},
                       {}});
  }
  diagnostics.insert(diagnostics.end(), notes.begin(), notes.end());
  std::stable_sort(diagnostics.begin(), diagnostics.end(), diagnostic_order);
  result.diagnostics = std::move(diagnostics);
  if (data && !has_errors(result.diagnostics)) result.rules = CompiledRuleSetAccess::make(std::move(data));
  return result;
}

// A rule set without a rule passes everything: unless allowed, an error at `where` (the first path given).
void require_a_rule(RuleLoader& loader, const std::string& where, const CompileOptions& options) {
  if (loader.model().rules.empty() && !options.allow_empty_rule_set && !has_errors(loader.diagnostics()))
    loader.diagnostics().push_back(
        {DiagnosticLevel::error, "E018", "no rule was loaded: every record would pass", {where}, {}});
}

}  // namespace

std::shared_ptr<const CompiledRuleSet> compile_model(RuleSetModel model, std::vector<Diagnostic>& diagnostics,
                                                     const CompileOptions& options) {
  Compiler compiler(std::move(model), diagnostics);
  std::unique_ptr<CompiledRuleSetData> data = compiler.compile(options);
  diagnostics.insert(diagnostics.end(), compiler.cache_notes().begin(), compiler.cache_notes().end());
  if (!data || has_errors(diagnostics)) return nullptr;
  return CompiledRuleSetAccess::make(std::move(data));
}

}  // namespace detail

// With a cache file, the whole compiled rule set comes from it when it was compiled from exactly these rule
// files (and words files) as they are now: YAML is then not parsed and nothing is compiled. Otherwise the
// rules are loaded and compiled, and the compiled rule set is written to the file.
CompileResult compile_rules(const std::vector<std::filesystem::path>& paths, const CompileOptions& options) {
  // A sample asks for the anchors to be chosen anew: the databases may still come from the cache.
  if (!options.cache_file.empty() && options.anchor_sample.empty()) {
    std::vector<std::filesystem::path> files = detail::RuleLoader::rule_files(paths);
    CompileResult cached;
    std::string why;
    auto unchanged = [&](const detail::CompileInputs& inputs) {
      return inputs.normalize == options.normalize && detail::sources_unchanged(inputs, files);
    };
    // A file that cannot be used is compiled anew; the compile says why when the reason is not the usual one.
    if (auto data = detail::load_compiled_file(options.cache_file, cached.diagnostics, why, unchanged)) {
      cached.rules = detail::CompiledRuleSetAccess::make(std::move(data));
      return cached;
    }
  }
  detail::RuleLoader loader;
  loader.load_paths(paths);
  loader.finish();
  detail::require_a_rule(loader, paths.empty() ? std::string() : paths.front().string(), options);
  detail::CompileInputs inputs{loader.sources(), loader.rule_file_count()};
  return detail::finish(std::move(loader.model()), std::move(loader.diagnostics()), std::move(inputs),
                        options);
}

CompileResult compile_rules_from_yaml(std::string_view yaml, std::string_view file_name,
                                      const CompileOptions& options) {
  detail::RuleLoader loader;
  loader.load_yaml(yaml, std::string(file_name));
  loader.finish();
  detail::require_a_rule(loader, std::string(file_name), options);
  // The text stands for a rule file of that name: compile_rules() of a file holding the same bytes may load
  // it.
  detail::CompileInputs inputs{{{std::string(file_name), detail::checksum_of(yaml)}}, 1};
  return detail::finish(std::move(loader.model()), std::move(loader.diagnostics()), std::move(inputs),
                        options);
}

}  // namespace qinglang
