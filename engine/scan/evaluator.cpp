// Rules are evaluated per record over its leaf matches only; surviving rules become hits.
#include "scan/evaluator.h"

#include <re2/re2.h>

#include <algorithm>
#include <tuple>

#include "base/utf8.h"
#include "classify/model_features.h"
#include "qinglang/scanner.h"

namespace qinglang::detail {

Evaluator::Evaluator(const CompiledRuleSetData& data) : data_(&data) {
  std::size_t leaves = data.model.leaves.size();
  leaf_range_epoch_.assign(leaves, 0);
  leaf_begin_.assign(leaves, 0);
  leaf_end_.assign(leaves, 0);
  rule_epoch_.assign(data.model.rules.size(), 0);
  rule_fresh_epoch_.assign(data.model.rules.size(), 0);
  item_score_.assign(kItemCount + 1, 0);
  has_scoring_rules_ = std::any_of(data.model.rules.begin(), data.model.rules.end(),
                                   [](const Rule& rule) { return rule.score != 0; });
  unanchored_scoring_rule_.assign(data.model.rules.size(), 0);
  for (std::uint32_t r = 0; r < data.model.rules.size(); ++r)
    unanchored_scoring_rule_[r] = data.model.rules[r].score != 0;
  for (std::size_t leaf = 0; leaf < leaves; ++leaf)
    if (data.leaf_anchor[leaf] == kAnchorLeaf) unanchored_scoring_rule_[data.model.leaves[leaf].rule] = 0;
  gate_of_rule_.assign(data.model.rules.size(), UINT32_MAX);
  for (std::uint32_t g = 0; g < data.model_gates.size(); ++g)
    gate_of_rule_[data.model_gates[g].rule] = g;
}

void Evaluator::evaluate_record(const Record& record, std::span<const Event> events, Verdict& verdict,
                                std::span<const float> gate_scores,
                                std::span<const std::uint8_t> gate_states) {
  begin_record(record);
  gate_scores_ = gate_scores;
  gate_states_ = gate_states;
  index_events(events);
  for (std::uint32_t rule : candidate_rules_)
    evaluate_rule(rule);
  apply_scores();
  sort_firings();
  finish_verdict(verdict);
}

void Evaluator::evaluate_stream(const Record& record, std::span<Event> events) {
  prefer_fresh_ = true;
  begin_record(record);
  gate_scores_ = {};
  gate_states_ = {};
  retry_rules_.clear();
  index_events(events);
  for (const Event& e : events)
    if (e.fresh) rule_fresh_epoch_[data_->model.leaves[e.leaf].rule] = record_epoch_;
  for (std::uint32_t rule : candidate_rules_) {
    if (rule_fresh_epoch_[rule] != record_epoch_ || data_->model.rules[rule].match == kNoNode) continue;
    std::size_t mark = firings_.size();
    evaluate_rule(rule);
    bool fired = firings_.size() > mark;
    bool fresh = std::any_of(firings_.begin() + static_cast<std::ptrdiff_t>(mark), firings_.end(),
                             [](const Firing& firing) { return firing.span.fresh; });
    if (fired && !fresh) {
      firings_.resize(mark);
      retry_rules_.push_back(rule);
    }
  }
  if (!retry_rules_.empty()) {
    auto fresh_end = std::remove_if(events.begin(), events.end(), [](const Event& e) { return !e.fresh; });
    ++record_epoch_;
    index_events(std::span<const Event>(events.begin(), fresh_end));
    for (std::uint32_t rule : retry_rules_)
      evaluate_rule(rule);
  }
  prefer_fresh_ = false;
  apply_scores();
  sort_firings();
}

void Evaluator::begin_record(const Record& record) {
  record_ = &record;
  ++record_epoch_;
  firings_.clear();
  model_scores_used_ = 0;
}

void Evaluator::index_events(std::span<const Event> events) {
  events_ = events.data();
  candidate_rules_.clear();
  for (std::size_t i = 0; i < events.size();) {
    std::uint32_t leaf = events[i].leaf;
    std::size_t j = i;
    while (j < events.size() && events[j].leaf == leaf)
      ++j;
    leaf_range_epoch_[leaf] = record_epoch_;
    leaf_begin_[leaf] = static_cast<std::uint32_t>(i);
    leaf_end_[leaf] = static_cast<std::uint32_t>(j);
    std::uint32_t rule = data_->model.leaves[leaf].rule;
    // A rule none of whose anchors matched cannot fire; a scoring rule without anchors of its own is
    // evaluated wherever its patterns were scanned (compiled_rule_set.h).
    if ((data_->leaf_anchor[leaf] == kAnchorLeaf || unanchored_scoring_rule_[rule]) &&
        rule_epoch_[rule] != record_epoch_) {
      rule_epoch_[rule] = record_epoch_;
      candidate_rules_.push_back(rule);
    }
    i = j;
  }
  for (const auto* always : {&data_->condition_only_rules, &data_->model_rules}) {
    for (std::uint32_t rule : *always) {
      if (rule_epoch_[rule] == record_epoch_) continue;  // already a candidate through its words
      // A gate (compiled_rule_set.h) is settled here by what the matcher found: most records never reach
      // evaluate_rule. A stream has no matcher's word on gates: evaluate_rule decides.
      if (std::uint32_t g = gate_of_rule_[rule];
          g != UINT32_MAX && !gate_states_.empty() && (gate_states_[g] & kGateHeld) == 0)
        continue;
      rule_epoch_[rule] = record_epoch_;
      candidate_rules_.push_back(rule);
    }
  }
}

bool Evaluator::evaluate_leaf(const PatternNode& node, std::uint32_t field, const Rule* filter) {
  auto [begin, end] = events_of(node.leaf);
  if (prefer_fresh_) {
    // A stream reports what this write decided: a fresh occurrence is better evidence_ than an old one.
    const Event* fresh = std::find_if(
        begin, end, [&](const Event& e) { return e.fresh && field_allowed(e.field, field, filter); });
    if (fresh != end) begin = fresh;
  }
  for (const Event* e = begin; e != end; ++e) {
    if (!field_allowed(e->field, field, filter) || guarded(*e, filter) || !whole_enough(*e)) continue;
    // Events are sorted by start, end, then evasion: the longest match at this start, with the least it had
    // to see through.
    const Event* longest = e;
    while (longest + 1 != end && longest[1].field == e->field && longest[1].start == e->start)
      ++longest;
    const Event* plainest = longest;
    while (plainest != e && plainest[-1].end == longest->end)
      --plainest;
    evidence_.push_back({e->field, e->start, longest->end, plainest->evasion, e->fresh, e->leaf});
    return true;
  }
  return false;
}

namespace {

// Whether `text` ends a clause somewhere: a negation reaches over a list (不含攀比、炫富内容) but not into
// the next clause or sentence (严禁转发，代骂私信). Informal posts separate phrases with spaces (不出不收
// 户籍), so a space ends one too.
bool breaks_clause(std::string_view text) {
  static constexpr std::string_view kBreaks[] = {"，", "。", "！", "？", "；", "：", "　",
                                                 " ",  "\n", ",",  ".",  "!",  "?",  ";"};
  return std::any_of(std::begin(kBreaks), std::end(kBreaks),
                     [&](std::string_view mark) { return text.find(mark) != std::string_view::npos; });
}

}  // namespace

// `not_after`: whether the rule's guard matched in the event's field, ending at most `guard_within`
// characters before the event starts: right before it, with at most one character between (不含擦边款,
// 严禁 代骂), or further in the same clause (本店不提供破解、资源链接).
bool Evaluator::guarded(const Event& e, const Rule* rule) const {
  if (rule == nullptr || rule->guard == kNoNode) return false;
  auto [begin, end] = events_of(data_->model.nodes[rule->guard].leaf);
  std::uint32_t within = rule->guard_within;
  std::string_view text = record_->field(e.field).text;
  for (const Event* g = begin; g != end; ++g) {
    if (g->field != e.field || g->end > e.start) continue;
    std::uint32_t gap = e.start - g->end;
    if (gap > 4 * within) continue;  // more bytes than `within` characters can take
    std::string_view between = text.substr(g->end, gap);
    std::size_t characters = count_characters(between);
    if (characters <= std::min<std::uint32_t>(within, 1) || (characters <= within && !breaks_clause(between)))
      return true;
  }
  return false;
}

// Some occurrence of every part, all within `within` characters between the end of the first and the start of
// the last (and in the listed order when `ordered`).
bool Evaluator::evaluate_near_in_field(const PatternNode& node, std::uint32_t field, const Rule* rule) {
  std::string_view text = record_->field(field).text;
  auto occurrences = [&](std::uint32_t child) {
    auto [begin, end] = events_of(data_->model.nodes[child].leaf);
    const Event* first = std::find_if(begin, end, [&](const Event& e) { return e.field == field; });
    const Event* last = std::find_if(first, end, [&](const Event& e) { return e.field != field; });
    return std::pair{first, last};
  };
  // Whether at most `within` characters lie in [from, to). A character takes one to four bytes, so the byte
  // distance settles most cases without counting: a long field would otherwise be counted pair by pair.
  auto close_enough = [&](std::uint32_t from, std::uint32_t to) {
    if (to <= from || to - from <= node.within) return true;
    if (to - from > 4 * node.within) return false;
    return count_characters(text.substr(from, to - from)) <= node.within;
  };
  const std::vector<std::uint32_t>& parts = node.children;

  if (node.ordered) {
    auto [first_begin, first_end] = occurrences(parts[0]);
    for (const Event* anchor = first_begin; anchor != first_end; ++anchor) {
      if (guarded(*anchor, rule) || !whole_enough(*anchor)) continue;
      std::size_t mark = evidence_.size();
      evidence_.push_back({field, anchor->start, anchor->end, anchor->evasion, anchor->fresh, anchor->leaf});
      const Event* previous = anchor;
      bool complete = true;
      for (std::size_t k = 1; k < parts.size() && complete; ++k) {
        auto [begin, end] = occurrences(parts[k]);
        const Event* next = std::find_if(begin, end, [&](const Event& e) {
          return e.start >= previous->end && !guarded(e, rule) && whole_enough(e);
        });
        complete = next != end;
        if (complete) {
          evidence_.push_back({field, next->start, next->end, next->evasion, next->fresh, next->leaf});
          previous = next;
        }
      }
      if (!complete) {
        evidence_.resize(mark);
        return false;  // later anchors start later still: they cannot complete either
      }
      if (close_enough(anchor->end, previous->start)) return true;
      evidence_.resize(mark);
    }
    return false;
  }

  // Unordered: try each occurrence as the leftmost part; every other part takes its earliest occurrence at or
  // after it, which minimises the window for that anchor.
  for (std::uint32_t anchor_part : parts) {
    auto [anchor_begin, anchor_end] = occurrences(anchor_part);
    for (const Event* anchor = anchor_begin; anchor != anchor_end; ++anchor) {
      if (guarded(*anchor, rule) || !whole_enough(*anchor)) continue;
      std::size_t mark = evidence_.size();
      evidence_.push_back({field, anchor->start, anchor->end, anchor->evasion, anchor->fresh, anchor->leaf});
      std::uint32_t last_start = anchor->start;
      bool complete = true;
      for (std::uint32_t part : parts) {
        if (part == anchor_part) continue;
        auto [begin, end] = occurrences(part);
        const Event* next = std::find_if(begin, end, [&](const Event& e) {
          return e.start >= anchor->start && !guarded(e, rule) && whole_enough(e);
        });
        if (next == end) {
          complete = false;
          break;
        }
        evidence_.push_back({field, next->start, next->end, next->evasion, next->fresh, next->leaf});
        last_start = std::max(last_start, next->start);
      }
      if (complete && close_enough(anchor->end, last_start)) return true;
      evidence_.resize(mark);
    }
  }
  return false;
}

bool Evaluator::evaluate_near(const PatternNode& node, std::uint32_t field, const Rule* filter) {
  if (field != kAnyField) return evaluate_near_in_field(node, field, filter);
  std::size_t mark = fields_scratch_.size();
  collect_fields(static_cast<std::uint32_t>(&node - data_->model.nodes.data()), fields_scratch_, mark);
  bool found = false;
  for (std::size_t i = mark; i < fields_scratch_.size() && !found; ++i)
    if (field_allowed(fields_scratch_[i], field, filter))
      found = evaluate_near_in_field(node, fields_scratch_[i], filter);
  fields_scratch_.resize(mark);
  return found;
}

bool Evaluator::evaluate(std::uint32_t node_index, std::uint32_t field, const Rule* filter) {
  const PatternNode& node = data_->model.nodes[node_index];
  std::size_t mark = evidence_.size();
  switch (node.kind) {
    case PatternKind::words:
    case PatternKind::regex:
    case PatternKind::lookalike:
      return evaluate_leaf(node, field, filter);
    case PatternKind::any:
      for (std::uint32_t child : node.children)
        if (evaluate(child, field, filter)) return true;
      return false;
    case PatternKind::all:
      for (std::uint32_t child : node.children) {
        if (!evaluate(child, field, filter)) {
          evidence_.resize(mark);
          return false;
        }
      }
      return true;
    case PatternKind::at_least: {
      std::uint32_t count = 0;
      for (std::uint32_t child : node.children)
        if (evaluate(child, field, filter) && (count += data_->model.nodes[child].weight) >= node.min_count)
          return true;
      evidence_.resize(mark);
      return false;
    }
    case PatternKind::near:
      return evaluate_near(node, field, filter);
    case PatternKind::model:
      return evaluate_model(node, field, filter);
  }
  return false;
}

// The score the matcher gave this record for model part `part`'s label (-1 when no gate reading that model
// asked for one), or nullopt when it scores nothing for that model.
std::optional<float> Evaluator::matcher_score(std::uint32_t part) const {
  if (gate_scores_.empty()) return std::nullopt;
  std::uint32_t offset = data_->gate_file_offset[data_->model.model_parts[part].file];
  if (offset == UINT32_MAX) return std::nullopt;
  return gate_scores_[offset + static_cast<std::size_t>(data_->model_part_labels[part])];
}

float Evaluator::model_probability(std::uint32_t part_index, std::uint32_t field, const Rule* filter) {
  const ModelPart& part = data_->model.model_parts[part_index];
  if (filter != nullptr && filter->fields.empty()) filter = nullptr;
  if (field != kAnyField) filter = nullptr;
  // The matcher scored the whole record for the gates already.
  if (field == kAnyField && filter == nullptr)
    if (std::optional<float> score = matcher_score(part_index); score && *score >= 0) return *score;
  ModelScores* scores = nullptr;
  for (std::size_t i = 0; i < model_scores_used_ && scores == nullptr; ++i) {
    ModelScores& s = model_scores_[i];
    if (s.file == part.file && s.field == field && s.fields_of == filter) scores = &s;
  }
  if (scores == nullptr) {
    if (model_scores_used_ == model_scores_.size()) model_scores_.emplace_back();
    scores = &model_scores_[model_scores_used_++];
    scores->file = part.file;
    scores->field = field;
    scores->fields_of = filter;
    std::string_view text;
    if (field != kAnyField) {
      text = record_->field(field).text;
    } else {
      text = model_text_of(*record_, model_input_, [&](std::string_view key) {
        return filter == nullptr || filter->applies_to(key);
      });
    }
    data_->classifiers[part.file]->score(text, classifier_scratch_, scores->probabilities);
  }
  return scores->probabilities[static_cast<std::size_t>(data_->model_part_labels[part_index])];
}

// A model's evidence is the whole text it read: the field, or for a record-wide rule the longest text field
// it read, which is where an analyst looks first.
bool Evaluator::evaluate_model(const PatternNode& node, std::uint32_t field, const Rule* filter) {
  const ModelPart& part = data_->model.model_parts[node.leaf];
  if (field != kAnyField && record_->field(field).type != ValueType::text) return false;
  float probability = model_probability(node.leaf, field, filter);
  if (probability < part.min) return false;
  std::uint32_t where = field;
  if (where == kAnyField) {
    std::size_t longest = 0;
    for (std::uint32_t f = 0; f < record_->size(); ++f) {
      FieldView value = record_->field(f);
      if (value.type != ValueType::text || !field_allowed(f, kAnyField, filter)) continue;
      if (where == kAnyField || value.text.size() > longest) {
        where = f;
        longest = value.text.size();
      }
    }
    if (where == kAnyField) return false;
  }
  auto size = static_cast<std::uint32_t>(record_->field(where).text.size());
  evidence_.push_back({where, 0, size, Evasion::model, false, UINT32_MAX, probability});
  return true;
}

// Appends to `out` the fields in which any leaf under `node` matched and that are not yet in out[from, end).
void Evaluator::collect_fields(std::uint32_t node_index, std::vector<std::uint32_t>& out,
                               std::size_t from) const {
  const PatternNode& node = data_->model.nodes[node_index];
  auto add = [&](std::uint32_t field) {
    auto first = out.begin() + static_cast<std::ptrdiff_t>(from);
    if (std::find(first, out.end(), field) == out.end()) out.push_back(field);
  };
  if (is_leaf(node.kind)) {
    auto [begin, end] = events_of(node.leaf);
    for (const Event* e = begin; e != end; ++e)
      add(e->field);
    return;
  }
  if (node.kind == PatternKind::model) {
    for (std::uint32_t f = 0; f < record_->size(); ++f)
      if (record_->field(f).type == ValueType::text) add(f);
    return;
  }
  for (std::uint32_t child : node.children)
    collect_fields(child, out, from);
}

void Evaluator::add_hits(std::uint32_t rule_index, std::size_t evidence_begin) {
  // One hit per field: the span covering that field's evidence_.
  auto first = evidence_.begin() + static_cast<std::ptrdiff_t>(evidence_begin);
  std::sort(first, evidence_.end(), [](const Span& a, const Span& b) {
    return std::tie(a.field, a.start) < std::tie(b.field, b.start);
  });
  for (auto it = first; it != evidence_.end();) {
    Span covering = *it;
    for (; it != evidence_.end() && it->field == covering.field; ++it) {
      covering.end = std::max(covering.end, it->end);
      covering.evasion = std::max(covering.evasion, it->evasion);
      covering.fresh = covering.fresh || it->fresh;
      covering.model_score = std::max(covering.model_score, it->model_score);
      if (!names_list(covering.leaf) && names_list(it->leaf)) covering.leaf = it->leaf;
    }
    firings_.push_back({covering, rule_index, data_->model.rules[rule_index].action});
  }
}

void Evaluator::evaluate_rule(std::uint32_t rule_index) {
  const Rule& rule = data_->model.rules[rule_index];
  if (!categories_.contains(rule.category)) return;
  for (const Condition& condition : rule.conditions)
    if (!detail::evaluate(condition, *record_, data_->re2)) return;

  evidence_.clear();
  if (rule.match == kNoNode) {
    std::size_t field = first_field_for(rule.conditions.front(), *record_);
    if (field < record_->size()) {
      FieldView value = record_->field(field);
      evidence_.push_back({static_cast<std::uint32_t>(field), 0,
                           static_cast<std::uint32_t>(value.text.size()), Evasion::raw});
    }
    add_hits(rule_index, 0);
    if (evidence_.empty()) {
      firings_.push_back({{kAnyField, 0, 0, Evasion::raw}, rule_index, rule.action});
    }
    return;
  }

  auto excepted = [&](std::uint32_t field) {
    if (rule.unless == kNoNode) return false;
    std::size_t mark = evidence_.size();
    bool found = evaluate(rule.unless, rule.unless_scope == Scope::record ? kAnyField : field, nullptr);
    evidence_.resize(mark);
    return found;
  };

  if (rule.scope == Scope::record) {
    // A gate held: its words matched (the matcher keeps no event of them), and its model decides.
    std::uint32_t gate = gate_of_rule_[rule_index];
    std::uint32_t match =
        gate != UINT32_MAX && !gate_states_.empty() ? data_->model_gates[gate].node : rule.match;
    if (!evaluate(match, kAnyField, &rule)) return;
    for (const Span& span : evidence_)
      if (excepted(span.field)) return;
    add_hits(rule_index, 0);
    return;
  }

  fields_scratch_.clear();
  collect_fields(rule.match, fields_scratch_, 0);
  std::sort(fields_scratch_.begin(), fields_scratch_.end());
  std::size_t field_count = fields_scratch_.size();
  for (std::size_t i = 0; i < field_count; ++i) {
    std::uint32_t field = fields_scratch_[i];
    if (!rule.applies_to(record_->field(field).key)) continue;
    std::size_t mark = evidence_.size();
    if (!evaluate(rule.match, field, &rule)) continue;
    if (excepted(field)) {
      evidence_.resize(mark);
      continue;
    }
    add_hits(rule_index, mark);
  }
}

// Scoring rules decide together, as Rspamd's symbols do: each that fired adds its score to its item's total
// once, however many fields it fired in (evidence split over title and text adds up); an item whose total
// reaches a threshold reports its scoring rules' hits with that action, and the others are dropped.
void Evaluator::apply_scores() {
  if (!has_scoring_rules_) return;
  const RuleSetModel& model = data_->model;
  std::fill(item_score_.begin(), item_score_.end(), 0);
  for (std::size_t i = 0; i < firings_.size(); ++i) {
    const Rule& rule = model.rules[firings_[i].rule];
    bool counted = std::any_of(firings_.begin(), firings_.begin() + static_cast<std::ptrdiff_t>(i),
                               [&](const Firing& f) { return f.rule == firings_[i].rule; });
    if (rule.score != 0 && !counted) item_score_[static_cast<std::size_t>(rule.item)] += rule.score;
  }
  std::erase_if(firings_, [&](Firing& firing) {
    const Rule& rule = model.rules[firing.rule];
    if (rule.score == 0) return false;
    std::uint32_t total = item_score_[static_cast<std::size_t>(rule.item)];
    const Threshold& threshold = model.thresholds[static_cast<std::size_t>(rule.item)];
    firing.item_score = total;
    if (threshold.block != 0 && total >= threshold.block) {
      firing.action = Action::block;
    } else if (threshold.review != 0 && total >= threshold.review) {
      firing.action = Action::review;
    } else {
      return true;
    }
    return false;
  });
}

void Evaluator::sort_firings() {
  std::sort(firings_.begin(), firings_.end(), [](const Firing& a, const Firing& b) {
    return std::tie(a.span.field, a.span.start, a.rule) < std::tie(b.span.field, b.span.start, b.rule);
  });
}

void Evaluator::finish_verdict(Verdict& verdict) {
  extracted_begin_.clear();
  for (const Firing& firing : firings_) {
    extracted_begin_.push_back(verdict.extracted.size());
    const Rule& rule = data_->model.rules[firing.rule];
    const Span& span = firing.span;
    Hit hit{.rule = rule_ref(rule),
            .start = span.start,
            .end = span.end,
            .view = to_string(span.evasion),
            .score = rule.score,
            .item_score = firing.item_score};
    hit.rule.action = firing.action;
    if (names_list(span.leaf)) hit.list = data_->model.leaves[span.leaf].list;
    hit.model_score = span.model_score;
    if (span.field != kAnyField) {
      FieldView field = record_->field(span.field);
      hit.field = field.path;
      hit.text = field.text.substr(span.start, span.end - span.start);
      if (field.type == ValueType::text) extract(rule, field.text, verdict.extracted);
    }
    verdict.hits.push_back(hit);
    verdict.categories.insert(rule.category);
    verdict.decision = std::max(verdict.decision, decision_for(firing.action));
  }
  // Only now, since `extracted` may have moved as it grew.
  extracted_begin_.push_back(verdict.extracted.size());
  for (std::size_t h = 0; h < verdict.hits.size(); ++h)
    verdict.hits[h].extracted = std::span<const Extracted>(verdict.extracted.data() + extracted_begin_[h],
                                                           extracted_begin_[h + 1] - extracted_begin_[h]);
}

// `extract:` searches the whole field, not the hit's span: a contact number stands beside the words that
// gave the ad away, not inside them.
void Evaluator::extract(const Rule& rule, std::string_view text, std::vector<Extracted>& out) const {
  for (const Extraction& extraction : rule.extractions) {
    re2::StringPiece groups[2];
    if (data_->re2[extraction.regex]->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(),
                                            RE2::UNANCHORED, groups, 2) &&
        groups[1].data() != nullptr)
      out.push_back({extraction.name, std::string_view(groups[1].data(), groups[1].size())});
  }
}

}  // namespace qinglang::detail
