#include "compiled/compiled_rule_set.h"

#include <algorithm>

#include "compiled/compiled_file.h"

namespace qinglang {
namespace detail {

std::shared_ptr<const CompiledRuleSet> CompiledRuleSetAccess::make(
    std::unique_ptr<CompiledRuleSetData> data) {
  return std::shared_ptr<const CompiledRuleSet>(new CompiledRuleSet(std::move(data)));
}

namespace {

// ViewDatabases::literal_gates and literal_word_targets, from literal_targets and leaf_gate.
void split_gate_targets(CompiledRuleSetData& data) {
  bool masks = !data.model_gates.empty() && data.model_gates.size() <= 64;
  for (ViewDatabases& dbs : data.views) {
    dbs.literal_gates.clear();
    dbs.literal_word_targets_offset.clear();
    dbs.literal_word_targets.clear();
    if (!masks || dbs.literal_targets_offset.empty()) continue;
    std::size_t literals = dbs.literal_targets_offset.size() - 1;
    dbs.literal_gates.assign(literals, 0);
    dbs.literal_word_targets_offset.push_back(0);
    for (std::size_t id = 0; id < literals; ++id) {
      for (std::uint32_t i = dbs.literal_targets_offset[id]; i < dbs.literal_targets_offset[id + 1]; ++i) {
        const LiteralTarget& target = dbs.literal_targets[i];
        if (std::uint32_t gate = data.leaf_gate[target.leaf]; gate != UINT32_MAX) {
          dbs.literal_gates[id] |= std::uint64_t{1} << gate;
        } else {
          dbs.literal_word_targets.push_back(target);
        }
      }
      dbs.literal_word_targets_offset.push_back(static_cast<std::uint32_t>(dbs.literal_word_targets.size()));
    }
  }
}

bool load_classifiers(CompiledRuleSetData& data, std::vector<Diagnostic>& diagnostics) {
  const RuleSetModel& model = data.model;
  data.classifiers.clear();
  data.model_part_labels.clear();
  bool ok = true;
  std::vector<std::string> why(model.model_files.size());
  for (std::size_t i = 0; i < model.model_files.size(); ++i)
    data.classifiers.push_back(Classifier::load(model.model_files[i].bytes, why[i]));
  for (const ModelPart& part : model.model_parts) {
    const Classifier* classifier = data.classifiers[part.file].get();
    int label = classifier ? classifier->label_index(part.label) : -1;
    data.model_part_labels.push_back(label);
    if (label >= 0) continue;
    std::string message =
        "the model file " + model.model_files[part.file].path +
        (classifier ? " has no label '" + part.label + "'" : " cannot be used: " + why[part.file]);
    diagnostics.push_back(
        {DiagnosticLevel::error, "E019", std::move(message), part.location, model.rules[part.rule].id});
    ok = false;
  }
  data.model_gates.clear();
  data.leaf_gate.assign(model.leaves.size(), UINT32_MAX);
  data.gate_file_offset.assign(model.model_files.size(), UINT32_MAX);
  data.gate_scores_stride = 0;
  if (!ok) return false;
  for (std::uint32_t rule : data.model_rules) {
    ModelGate gate = model_gate(model, rule);
    if (gate.rule == kNoNode) continue;
    if (gate.words != kNoNode) {
      auto index = static_cast<std::uint32_t>(data.model_gates.size());
      for_each_gate_leaf(model, gate.words, [&](std::uint32_t leaf) { data.leaf_gate[leaf] = index; });
    }
    data.model_gates.push_back(gate);
    std::uint32_t file = model.model_parts[gate.part].file;
    if (data.gate_file_offset[file] != UINT32_MAX) continue;
    data.gate_file_offset[file] = data.gate_scores_stride;
    data.gate_scores_stride += static_cast<std::uint32_t>(data.classifiers[file]->labels().size());
  }
  split_gate_targets(data);
  return true;
}

}  // namespace

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
  if (!load_classifiers(data, diagnostics)) return false;
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
          r.window.has_value(),
          detail::first_model_node(data_->model, r.match) != detail::kNoNode ||
              detail::first_model_node(data_->model, r.unless) != detail::kNoNode};
}

const DatabaseStats& CompiledRuleSet::stats() const noexcept {
  return data_->stats;
}

}  // namespace qinglang
