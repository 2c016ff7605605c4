// Rule model → Hyperscan databases: the order of the steps, the database cache key, and the ways in.
#include "compile/compiler.h"

#include <algorithm>
#include <chrono>

#include "base/hash.h"
#include "cache/database_cache.h"
#include "compile/compiled_rule_set.h"
#include "compile/compiler_internal.h"
#include "rules/rule_loader.h"

namespace qinglang {

struct CompiledRuleSetFactory {
  static std::shared_ptr<const CompiledRuleSet> make(std::unique_ptr<detail::CompiledRuleSetData> data) {
    return std::shared_ptr<const CompiledRuleSet>(new CompiledRuleSet(std::move(data)));
  }
};

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
  std::uint64_t key = cache_key();
  if (!options.cache_file.empty()) {
    std::string why;
    stats.from_cache = read_database_cache(options.cache_file, key, *data_, why);
    if (!stats.from_cache && !why.empty())
      diagnostics_.push_back({DiagnosticLevel::warning,
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
  stats.rules_from_cache = model_from_cache_;
  bool model_is_new = !serialized_model_.empty() && !model_from_cache_;
  if (!options.cache_file.empty() && (!stats.from_cache || model_is_new)) {
    std::string problem = write_database_cache(options.cache_file, key, *data_, serialized_model_);
    if (!problem.empty())
      diagnostics_.push_back({DiagnosticLevel::warning,
                              "W004",
                              "database cache not written: " + problem,
                              {options.cache_file.string()},
                              {}});
  }

  hs_scratch_t* scratch = nullptr;
  for (DatabasePtr* db : cached_databases(*data_)) {
    if (!*db) continue;
    std::size_t size = 0;
    hs_database_size(db->get(), &size);
    stats.database_bytes += size;
    if (hs_alloc_scratch(db->get(), &scratch) != HS_SUCCESS) {
      diagnostics_.push_back(
          {DiagnosticLevel::error, "E011", "could not allocate Hyperscan scratch space", {}, {}});
      hs_free_scratch(scratch);
      return nullptr;
    }
  }
  data_->scratch.reset(scratch);
  stats.rules = data_->model.rules.size();
  if (scratch) hs_scratch_size(scratch, &stats.scratch_bytes);
  stats.engine_version = hs_version();
  stats.compile_milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return std::move(data_);
}

namespace {

bool diagnostic_order(const Diagnostic& a, const Diagnostic& b) {
  return std::tie(a.location.file, a.location.line, a.location.column) <
         std::tie(b.location.file, b.location.line, b.location.column);
}

CompileResult finish(RuleSetModel model, std::vector<Diagnostic> diagnostics, std::string serialized_model,
                     bool model_from_cache, const CompileOptions& options) {
  if (!options.normalize)
    for (Leaf& leaf : model.leaves)
      leaf.views = view_bit(View::raw);
  CompileResult result;
  // The compiler runs even after loader errors, so regex errors are reported in the same run.
  std::unique_ptr<CompiledRuleSetData> data =
      Compiler(std::move(model), diagnostics, std::move(serialized_model), model_from_cache).compile(options);
  std::stable_sort(diagnostics.begin(), diagnostics.end(), diagnostic_order);
  result.diagnostics = std::move(diagnostics);
  if (data && !has_errors(result.diagnostics)) result.rules = CompiledRuleSetFactory::make(std::move(data));
  return result;
}

}  // namespace

std::shared_ptr<const CompiledRuleSet> compile_model(RuleSetModel model, std::vector<Diagnostic>& diagnostics,
                                                     const CompileOptions& options) {
  std::unique_ptr<CompiledRuleSetData> data = Compiler(std::move(model), diagnostics).compile(options);
  if (!data || has_errors(diagnostics)) return nullptr;
  return CompiledRuleSetFactory::make(std::move(data));
}

}  // namespace detail

CompiledRuleSet::CompiledRuleSet(std::unique_ptr<detail::CompiledRuleSetData> data)
    : data_(std::move(data)) {}
CompiledRuleSet::~CompiledRuleSet() = default;

std::size_t CompiledRuleSet::rule_count() const noexcept {
  return data_->model.rules.size();
}

RuleInfo CompiledRuleSet::rule(std::size_t index) const {
  const detail::Rule& r = data_->model.rules[index];
  auto matching = static_cast<std::size_t>(std::count_if(
      r.examples.begin(), r.examples.end(), [](const detail::Example& e) { return e.expect_match; }));
  return {r.id,
          r.category,
          r.item,
          r.title,
          r.severity,
          r.action,
          r.location,
          matching,
          r.examples.size() - matching,
          r.window.has_value()};
}

const DatabaseStats& CompiledRuleSet::stats() const noexcept {
  return data_->stats;
}

// With a cache file, the rule model comes from it when every rule file (and words file) still holds the bytes
// it was read from: YAML is then not parsed at all. Otherwise the rules are loaded, and the model is stored
// with the databases.
CompileResult compile_rules(const std::vector<std::filesystem::path>& paths, const CompileOptions& options) {
  if (!options.cache_file.empty()) {
    std::vector<std::filesystem::path> files;
    for (const auto& path : paths)
      for (std::filesystem::path& file : detail::RuleLoader::rule_files(path))
        files.push_back(std::move(file));
    if (std::optional<detail::CachedModel> cached = detail::read_cached_model(options.cache_file, files))
      return detail::finish(std::move(cached->model), std::move(cached->diagnostics),
                            std::move(cached->bytes), true, options);
  }
  detail::RuleLoader loader;
  for (const auto& path : paths)
    loader.load_path(path);
  std::string serialized;
  if (!options.cache_file.empty() && !has_errors(loader.diagnostics()))
    serialized = detail::serialize_model(loader.model(), loader.diagnostics(), loader.sources());
  return detail::finish(std::move(loader.model()), std::move(loader.diagnostics()), std::move(serialized),
                        false, options);
}

CompileResult compile_rules_from_yaml(std::string_view yaml, std::string_view file_name,
                                      const CompileOptions& options) {
  detail::RuleLoader loader;
  loader.load_yaml(yaml, std::string(file_name));
  return detail::finish(std::move(loader.model()), std::move(loader.diagnostics()), {}, false, options);
}

}  // namespace qinglang
