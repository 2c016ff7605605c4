// Evaluation: given a record and its events (the leaf matches that matching found, matcher.h), decides which
// rules fire and on what evidence, and turns them into the verdict. Exceptions (`unless`) see every event of
// the field or record, since matching has run over all of it first.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/utf8.h"
#include "compiled/compiled_rule_set.h"
#include "qinglang/record.h"
#include "qinglang/rules.h"
#include "qinglang/taxonomy.h"
#include "scan/event.h"

namespace qinglang {
struct Verdict;
struct Extracted;
}  // namespace qinglang

namespace qinglang::detail {

// No particular field: a node evaluated over the whole record, or a rule without patterns that names none.
constexpr std::uint32_t kAnyField = UINT32_MAX;

// Evidence for a firing rule: a span in a field.
struct Span {
  std::uint32_t field;
  std::uint32_t start;
  std::uint32_t end;
  Evasion evasion;
  bool fresh = false;               // streams: some of the evidence was decided by this write
  std::uint32_t leaf = UINT32_MAX;  // the leaf of the evidence that names a list, if any
  float model_score = 0;            // a model's evidence: its probability of the label
};

// A rule that fired on one field: the span covering its evidence there (kAnyField when a rule without
// patterns found no field to name).
struct Firing {
  Span span;
  std::uint32_t rule;
  Action action;                 // the rule's, or for a scoring rule the one its item's total reached
  std::uint32_t item_score = 0;  // scoring rules: the total of the item in the record
};

// Which rule a hit names.
inline RuleRef rule_ref(const Rule& rule) {
  return {rule.id, rule.title, rule.category, rule.item, rule.severity, rule.action};
}

// Per-thread: its buffers are reused from record to record, so it does not allocate once warm.
class Evaluator {
 public:
  explicit Evaluator(const CompiledRuleSetData& data);

  // Rules of other categories do not fire.
  void restrict_to(CategorySet categories) { categories_ = categories; }
  CategorySet categories() const { return categories_; }

  // Decides which rules fire on `record`, given its events (sorted; empty when no anchor matched in it) and
  // what the matcher found for the model gates (Matcher::gate_scores and gate_states), and writes them into
  // `verdict`, which holds nothing yet.
  void evaluate_record(const Record& record, std::span<const Event> events, Verdict& verdict,
                       std::span<const float> gate_scores = {},
                       std::span<const std::uint8_t> gate_states = {});

  // Streams: `record` is the stream's carried text and message as one field, `events` its decided matches,
  // sorted, those this write decided marked fresh. Only rules with a fresh event are evaluated, preferring
  // fresh evidence; a rule that fires on old evidence only (its fresh match lost to an older one in an `any`)
  // is evaluated again over the fresh events alone, so every fresh occurrence is found once. Reorders
  // `events`. What fired is then in firings().
  void evaluate_stream(const Record& record, std::span<Event> events);

  // What fired in the last evaluation, in field order, then by start offset and rule.
  std::span<const Firing> firings() const { return firings_; }

 private:
  // Starts an evaluation of `record`: forgets the previous record's ranges and marks.
  void begin_record(const Record& record);
  // Finds each leaf's events and the rules they make candidates.
  void index_events(std::span<const Event> events);
  void evaluate_rule(std::uint32_t rule_index);
  bool evaluate(std::uint32_t node, std::uint32_t field, const Rule* filter);
  bool evaluate_leaf(const PatternNode& node, std::uint32_t field, const Rule* filter);
  bool evaluate_near(const PatternNode& node, std::uint32_t field, const Rule* filter);
  bool evaluate_near_in_field(const PatternNode& node, std::uint32_t field, const Rule* rule);
  bool evaluate_model(const PatternNode& node, std::uint32_t field, const Rule* filter);
  // The probability model part `part` gives its label for `field`, or with kAnyField for the record's text
  // fields that `filter` allows (model_text); each classifier reads each text once per record.
  float model_probability(std::uint32_t part, std::uint32_t field, const Rule* filter);
  std::optional<float> matcher_score(std::uint32_t part) const;
  bool guarded(const Event& e, const Rule* rule) const;
  // `whole: true`: a leaf whose matches count only as whole tokens (a developer's name, not inside a longer
  // one).
  bool whole_enough(const Event& e) const {
    return !data_->model.leaves[e.leaf].whole || is_whole_token(record_->field(e.field).text, e.start, e.end);
  }
  bool names_list(std::uint32_t leaf) const {
    return leaf != UINT32_MAX && !data_->model.leaves[leaf].list.empty();
  }
  void collect_fields(std::uint32_t node, std::vector<std::uint32_t>& out, std::size_t from) const;
  void add_hits(std::uint32_t rule_index, std::size_t evidence_begin);
  void apply_scores();
  void sort_firings();
  void finish_verdict(Verdict& verdict);
  void extract(const Rule& rule, std::string_view text, std::vector<Extracted>& out) const;

  std::pair<const Event*, const Event*> events_of(std::uint32_t leaf) const {
    if (leaf_range_epoch_[leaf] != record_epoch_) return {nullptr, nullptr};
    return {events_ + leaf_begin_[leaf], events_ + leaf_end_[leaf]};
  }
  bool field_allowed(std::uint32_t field, std::uint32_t wanted, const Rule* filter) const {
    if (wanted != kAnyField) return field == wanted;
    return filter == nullptr || filter->applies_to(record_->field(field).key);
  }

  const CompiledRuleSetData* data_;
  CategorySet categories_ = CategorySet::all();

  // The record being evaluated and its events.
  const Record* record_ = nullptr;
  const Event* events_ = nullptr;
  std::uint32_t record_epoch_ = 0;  // invalidates leaf ranges and rule marks
  std::vector<std::uint32_t> leaf_range_epoch_, leaf_begin_, leaf_end_;  // by leaf: its events
  std::vector<std::uint32_t> rule_epoch_;  // by rule: a candidate of this record
  std::vector<std::uint32_t> candidate_rules_;
  std::vector<Span> evidence_;
  std::vector<std::uint32_t> fields_scratch_;
  std::vector<Firing> firings_;
  std::vector<std::size_t>
      extracted_begin_;  // by hit of the verdict being finished: where its extracted start

  // What each classifier said of the texts of this record it read: by classifier, field (kAnyField: the
  // record) and the rule whose `fields` chose the record's fields (null: every field). Kept between records
  // so that scoring allocates nothing once warm; the first model_scores_used_ are this record's.
  struct ModelScores {
    std::uint32_t file;
    std::uint32_t field;
    const Rule* fields_of;
    std::vector<float> probabilities;
  };
  std::vector<ModelScores> model_scores_;
  std::span<const float> gate_scores_;
  std::span<const std::uint8_t> gate_states_;
  std::vector<std::uint32_t> gate_of_rule_;  // by rule: its index in model_gates, or UINT32_MAX
  std::size_t model_scores_used_ = 0;
  Classifier::Scratch classifier_scratch_;
  std::string model_input_;

  // Streams.
  bool prefer_fresh_ = false;
  std::vector<std::uint32_t> rule_fresh_epoch_;  // by rule: it has a fresh event in this write
  bool has_scoring_rules_ = false;
  std::vector<std::uint8_t>
      unanchored_scoring_rule_;            // by rule: a scoring rule whose item is anchored elsewhere
  std::vector<std::uint32_t> item_score_;  // by item: the total of its scoring rules that fired
  std::vector<std::uint32_t> retry_rules_;
};

}  // namespace qinglang::detail
