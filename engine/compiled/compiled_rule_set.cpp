#include "compiled/compiled_rule_set.h"

#include "compiled/compiled_file.h"

namespace qinglang {
namespace detail {

std::shared_ptr<const CompiledRuleSet> CompiledRuleSetAccess::make(
    std::unique_ptr<CompiledRuleSetData> data) {
  return std::shared_ptr<const CompiledRuleSet>(new CompiledRuleSet(std::move(data)));
}

bool prepare_for_scanning(CompiledRuleSetData& data, std::vector<Diagnostic>& diagnostics) {
  data.re2.clear();
  for (const std::string& pattern : data.model.re2_regexes) {
    std::string why;
    data.re2.push_back(compile_re2(pattern, why));
    if (!data.re2.back()) {
      diagnostics.push_back(
          {DiagnosticLevel::error, "E010", "regex '" + pattern + "' rejected by RE2: " + why, {}, {}});
      return false;
    }
  }
  DatabaseStats& stats = data.stats;
  stats.database_bytes = 0;
  hs_scratch_t* scratch = nullptr;
  for (DatabasePtr* db : cached_databases(data)) {
    if (!*db) continue;
    std::size_t size = 0;
    hs_database_size(db->get(), &size);
    stats.database_bytes += size;
    if (hs_alloc_scratch(db->get(), &scratch) != HS_SUCCESS) {
      diagnostics.push_back(
          {DiagnosticLevel::error, "E011", "could not allocate Hyperscan scratch space", {}, {}});
      hs_free_scratch(scratch);
      return false;
    }
  }
  data.scratch.reset(scratch);
  stats.rules = data.model.rules.size();
  stats.scratch_bytes = 0;
  if (scratch) hs_scratch_size(scratch, &stats.scratch_bytes);
  stats.engine_version = hs_version();
  return true;
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
  return {{r.id, r.title, r.category, r.item, r.severity, r.action},
          r.location,
          matching,
          r.examples.size() - matching,
          r.window.has_value()};
}

const DatabaseStats& CompiledRuleSet::stats() const noexcept {
  return data_->stats;
}

}  // namespace qinglang
