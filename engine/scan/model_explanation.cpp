// What a model reads of a record, and what weighed most in its hits.
#include <algorithm>

#include "classify/model_features.h"
#include "compiled/compiled_rule_set.h"
#include "qinglang/model.h"

namespace qinglang {
namespace {

std::string text_fields(const Record& record, const detail::Rule* rule) {
  std::string buffer;
  return std::string(detail::model_text_of(
      record, buffer, [&](std::string_view key) { return rule == nullptr || rule->applies_to(key); }));
}

}  // namespace

std::string model_text(const Record& record) {
  return text_fields(record, nullptr);
}

std::vector<std::pair<std::string, float>> explain_model_hit(const CompiledRuleSet& rules,
                                                             const Record& record, const Hit& hit,
                                                             std::size_t top) {
  const detail::CompiledRuleSetData& data = detail::data_of(rules);
  if (hit.view != "model") return {};
  auto rule = std::find_if(data.model.rules.begin(), data.model.rules.end(),
                           [&](const detail::Rule& r) { return r.id == hit.rule.id; });
  if (rule == data.model.rules.end()) return {};
  std::uint32_t node = detail::first_model_node(data.model, rule->match);
  if (node == detail::kNoNode) return {};
  std::uint32_t part_index = data.model.nodes[node].leaf;
  std::string text;
  if (rule->scope == detail::Scope::record) {
    text = text_fields(record, &*rule);
  } else {
    text = hit.field.empty() ? model_text(record) : std::string(hit.text);
  }
  const detail::ModelPart& part = data.model.model_parts[part_index];
  return data.classifiers[part.file]->weightiest_features(text, data.model_part_labels[part_index], top);
}

}  // namespace qinglang
