// The scan path: Hyperscan reports leaf matches per field; rules are then evaluated over those matches only
// (so exceptions see the whole field or record), and surviving rules become hits.
#include "qinglang/scanner.h"

#include <algorithm>
#include <tuple>

#include "compiled_rule_set.h"
#include "normalizer.h"
#include "pinyin.h"
#include "utf8.h"

namespace qinglang {
namespace detail {

// One leaf match in one field. Offsets are bytes into the field value.
struct Event {
  std::uint32_t leaf;
  std::uint32_t field;
  std::uint32_t start;
  std::uint32_t end;
  View view;  // the least normalized view that explains the match

  bool operator<(const Event& o) const {
    return std::tie(leaf, field, start, end, view) < std::tie(o.leaf, o.field, o.start, o.end, o.view);
  }
};

// Evidence for a firing rule: a span in a field.
struct Span {
  std::uint32_t field;
  std::uint32_t start;
  std::uint32_t end;
  View view;
};

// A flood of one word must not grow memory without bound: beyond this many matches of one leaf in one field,
// later ones are dropped (the first ones already prove the leaf, and `near` windows look at the first ones).
constexpr std::uint32_t kMaxEventsPerLeafAndField = 64;
constexpr std::uint32_t kAnyField = UINT32_MAX;

}  // namespace detail

using detail::Event;

struct Scanner::State {
  explicit State(std::shared_ptr<const CompiledRuleSet> r) : rules(std::move(r)), data(&rules->data()) {
    std::size_t leaves = data->model.leaves.size();
    leaf_count_epoch.assign(leaves, 0);
    leaf_count.assign(leaves, 0);
    leaf_range_epoch.assign(leaves, 0);
    leaf_begin.assign(leaves, 0);
    leaf_end.assign(leaves, 0);
    rule_epoch.assign(data->model.rules.size(), 0);
    for (const detail::ViewDatabases& dbs : data->views)
      for (hs_database_t* db : {dbs.literals.get(), dbs.regex_detector.get(), dbs.regex_locator.get()})
        if (db && hs_alloc_scratch(db, &scratch) != HS_SUCCESS) scratch_failed = true;
  }
  ~State() { hs_free_scratch(scratch); }

  // What Hyperscan's callbacks get: the scanner, the field, and the view of it being scanned.
  struct FieldContext {
    State* state;
    std::uint32_t field;
    detail::View view;
    std::string_view text;        // the view's text
    const detail::ViewText* map;  // its map to the original; null for the raw view
    std::string_view original;    // the field value

    // The original span of a view span, and the least normalized view that shows it as it is.
    std::tuple<std::uint32_t, std::uint32_t, detail::View> locate(std::uint32_t start,
                                                                  std::uint32_t end) const;
  };
  static int on_literal(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                        void* context);
  static int on_regex(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                      void* context);

  void scan_record(const Record& record);
  void scan_field(std::uint32_t field, std::string_view text);
  void scan_view(FieldContext& context, const detail::ViewDatabases& databases);
  void add_event(std::uint32_t leaf, std::uint32_t field, std::uint32_t start, std::uint32_t end,
                 detail::View view);
  void index_events();
  void evaluate_rule(std::uint32_t rule_index);
  bool evaluate(std::uint32_t node, std::uint32_t field, const detail::Rule* filter);
  bool evaluate_leaf(const detail::PatternNode& node, std::uint32_t field, const detail::Rule* filter);
  bool evaluate_near(const detail::PatternNode& node, std::uint32_t field, const detail::Rule* filter);
  bool evaluate_near_in_field(const detail::PatternNode& node, std::uint32_t field);
  void collect_fields(std::uint32_t node, std::vector<std::uint32_t>& out, std::size_t from) const;
  void add_hits(std::uint32_t rule_index, std::size_t evidence_begin);
  void finish_verdict();

  std::pair<const Event*, const Event*> events_of(std::uint32_t leaf) const {
    if (leaf_range_epoch[leaf] != record_epoch) return {nullptr, nullptr};
    return {events.data() + leaf_begin[leaf], events.data() + leaf_end[leaf]};
  }
  bool field_allowed(std::uint32_t field, std::uint32_t wanted, const detail::Rule* filter) const {
    if (wanted != detail::kAnyField) return field == wanted;
    return filter == nullptr || filter->applies_to(record->field(field).key);
  }

  std::shared_ptr<const CompiledRuleSet> rules;
  const detail::CompiledRuleSetData* data;
  hs_scratch_t* scratch = nullptr;
  bool scratch_failed = false;
  CategorySet categories = CategorySet::all();

  const Record* record = nullptr;
  std::uint32_t field_epoch = 0;   // one per scanned field: resets per-leaf match counts
  std::uint32_t record_epoch = 0;  // one per record: invalidates leaf ranges and rule marks
  std::vector<Event> events;
  std::vector<std::uint32_t> leaf_count_epoch, leaf_count;
  std::vector<std::uint32_t> leaf_range_epoch, leaf_begin, leaf_end;
  std::vector<std::uint32_t> rule_epoch;
  std::vector<std::uint32_t> candidate_rules;
  std::vector<detail::Span> evidence;
  std::vector<std::uint32_t> fields_scratch;
  std::vector<detail::Span> pending_hits;  // field, start, end of each hit; rule in pending_rules
  std::vector<std::uint32_t> pending_rules;
  std::vector<std::uint32_t> hit_order;
  std::string repaired;  // a field's bytes with invalid UTF-8 replaced, same offsets
  detail::ViewText folded, skeleton, numerals;
  Verdict verdict;
};

void Scanner::State::add_event(std::uint32_t leaf, std::uint32_t field, std::uint32_t start,
                               std::uint32_t end, detail::View view) {
  if (!categories.contains(data->leaf_category[leaf])) return;
  if (leaf_count_epoch[leaf] != field_epoch) {
    leaf_count_epoch[leaf] = field_epoch;
    leaf_count[leaf] = 0;
  }
  if (leaf_count[leaf] >= detail::kMaxEventsPerLeafAndField) return;
  ++leaf_count[leaf];
  events.push_back({leaf, field, start, end, view});
}

std::tuple<std::uint32_t, std::uint32_t, detail::View> Scanner::State::FieldContext::locate(
    std::uint32_t start, std::uint32_t end) const {
  if (map == nullptr) return {start, end, detail::View::raw};
  auto [original_start, original_end] = detail::Normalizer::original_span(*map, original, start, end);
  bool unchanged =
      original.substr(original_start, original_end - original_start) == text.substr(start, end - start);
  return {original_start, original_end, unchanged ? detail::View::raw : view};
}

int Scanner::State::on_literal(unsigned int id, unsigned long long, unsigned long long to, unsigned int,
                               void* context) {
  auto& c = *static_cast<FieldContext*>(context);
  const detail::ViewDatabases& dbs = c.state->data->views[static_cast<std::size_t>(c.view)];
  auto end = static_cast<std::uint32_t>(to);
  std::uint32_t start = end - dbs.literal_length[id];
  if (c.view >= detail::View::skeleton && !detail::Normalizer::noise_runs_are_short(*c.map, start, end))
    return 0;
  auto [original_start, original_end, view] = c.locate(start, end);
  for (std::uint32_t i = dbs.literal_targets_offset[id]; i < dbs.literal_targets_offset[id + 1]; ++i) {
    const detail::LiteralTarget& target = dbs.literal_targets[i];
    if (target.form == detail::View::raw) {
      c.state->add_event(target.leaf, c.field, original_start, original_end, view);
    } else if (target.form != detail::View::pinyin || detail::stands_alone(c.text, start, end)) {
      c.state->add_event(target.leaf, c.field, original_start, original_end, target.form);
    }
  }
  return 0;
}

int Scanner::State::on_regex(unsigned int id, unsigned long long from, unsigned long long to, unsigned int,
                             void* context) {
  auto& c = *static_cast<FieldContext*>(context);
  const detail::RegexTarget& target =
      c.state->data->views[static_cast<std::size_t>(c.view)].regex_targets[id];
  auto start = static_cast<std::uint32_t>(from), end = static_cast<std::uint32_t>(to);
  if (start == end) return 0;
  if (!target.exact_name.empty()) {
    // The real name itself, or a look-alike match overlapping it, is the genuine app.
    std::size_t margin = target.exact_name.size();
    std::size_t window_start = start > margin ? start - margin : 0;
    std::string_view window = c.text.substr(window_start, end - window_start + margin);
    if (window.find(target.exact_name) != std::string_view::npos) return 0;
  }
  if (c.view >= detail::View::skeleton && !detail::Normalizer::noise_runs_are_short(*c.map, start, end))
    return 0;
  auto [original_start, original_end, view] = c.locate(start, end);
  c.state->add_event(target.leaf, c.field, original_start, original_end, view);
  return 0;
}

void Scanner::State::scan_view(FieldContext& context, const detail::ViewDatabases& dbs) {
  auto length = static_cast<unsigned int>(context.text.size());
  if (dbs.literals)
    hs_scan(dbs.literals.get(), context.text.data(), length, 0, scratch, on_literal, &context);
  if (dbs.regex_detector) {
    bool found = false;
    auto on_detect = [](unsigned int, unsigned long long, unsigned long long, unsigned int, void* flag) {
      *static_cast<bool*>(flag) = true;
      return 1;  // one is enough: the locator finds them all
    };
    hs_scan(dbs.regex_detector.get(), context.text.data(), length, 0, scratch, on_detect, &found);
    if (found) hs_scan(dbs.regex_locator.get(), context.text.data(), length, 0, scratch, on_regex, &context);
  }
}

void Scanner::State::scan_field(std::uint32_t field, std::string_view text) {
  ++field_epoch;
  const auto& views = data->views;
  const detail::ViewDatabases& raw = views[static_cast<std::size_t>(detail::View::raw)];
  if (!raw.empty()) {
    std::string_view scanned = text;
    if (!detail::is_valid_utf8(text)) {
      // Hyperscan's UTF-8 mode is undefined on invalid input; a same-length repair keeps every offset valid.
      detail::replace_invalid_bytes(text, '?', repaired);
      scanned = repaired;
    }
    FieldContext context{this, field, detail::View::raw, scanned, nullptr, text};
    scan_view(context, raw);
  }
  const detail::ViewDatabases& folded_dbs = views[static_cast<std::size_t>(detail::View::folded)];
  const detail::ViewDatabases& skeleton_dbs = views[static_cast<std::size_t>(detail::View::skeleton)];
  if (folded_dbs.empty() && skeleton_dbs.empty() &&
      views[static_cast<std::size_t>(detail::View::numerals)].empty())
    return;
  detail::Normalizer::instance().normalize(text, folded, skeleton);
  if (!folded_dbs.empty() && folded.size > 0) {
    FieldContext context{this, field, detail::View::folded, folded.text(), &folded, text};
    scan_view(context, folded_dbs);
  }
  if (!skeleton_dbs.empty() && skeleton.size > 0) {
    FieldContext context{this, field, detail::View::skeleton, skeleton.text(), &skeleton, text};
    scan_view(context, skeleton_dbs);
  }
  const detail::ViewDatabases& numerals_dbs = views[static_cast<std::size_t>(detail::View::numerals)];
  if (!numerals_dbs.empty() && skeleton.size > 0) {
    detail::Normalizer::instance().numerals(skeleton, numerals);
    FieldContext context{this, field, detail::View::numerals, numerals.text(), &numerals, text};
    scan_view(context, numerals_dbs);
  }
}

void Scanner::State::index_events() {
  std::sort(events.begin(), events.end());
  candidate_rules.clear();
  for (std::size_t i = 0; i < events.size();) {
    std::uint32_t leaf = events[i].leaf;
    std::size_t j = i;
    while (j < events.size() && events[j].leaf == leaf)
      ++j;
    leaf_range_epoch[leaf] = record_epoch;
    leaf_begin[leaf] = static_cast<std::uint32_t>(i);
    leaf_end[leaf] = static_cast<std::uint32_t>(j);
    std::uint32_t rule = data->model.leaves[leaf].rule;
    if (rule_epoch[rule] != record_epoch) {
      rule_epoch[rule] = record_epoch;
      candidate_rules.push_back(rule);
    }
    i = j;
  }
  for (std::uint32_t rule : data->condition_only_rules) {
    if (rule_epoch[rule] == record_epoch) continue;  // already a candidate through its `unless` words
    rule_epoch[rule] = record_epoch;
    candidate_rules.push_back(rule);
  }
}

bool Scanner::State::evaluate_leaf(const detail::PatternNode& node, std::uint32_t field,
                                   const detail::Rule* filter) {
  auto [begin, end] = events_of(node.leaf);
  for (const Event* e = begin; e != end; ++e) {
    if (!field_allowed(e->field, field, filter)) continue;
    // Events are sorted by start, end, then view: the longest match at this start, seen in its least
    // normalized view.
    const Event* longest = e;
    while (longest + 1 != end && longest[1].field == e->field && longest[1].start == e->start)
      ++longest;
    const Event* plainest = longest;
    while (plainest != e && plainest[-1].end == longest->end)
      --plainest;
    evidence.push_back({e->field, e->start, longest->end, plainest->view});
    return true;
  }
  return false;
}

// Some occurrence of every part, all within `within` characters between the end of the first and the start of
// the last (and in the listed order when `ordered`).
bool Scanner::State::evaluate_near_in_field(const detail::PatternNode& node, std::uint32_t field) {
  std::string_view text = record->field(field).text;
  auto occurrences = [&](std::uint32_t child) {
    auto [begin, end] = events_of(data->model.nodes[child].leaf);
    const Event* first = std::find_if(begin, end, [&](const Event& e) { return e.field == field; });
    const Event* last = std::find_if(first, end, [&](const Event& e) { return e.field != field; });
    return std::pair{first, last};
  };
  auto gap = [&](std::uint32_t from, std::uint32_t to) {
    return to <= from ? 0 : detail::count_characters(text.substr(from, to - from));
  };
  const std::vector<std::uint32_t>& parts = node.children;

  if (node.ordered) {
    auto [first_begin, first_end] = occurrences(parts[0]);
    for (const Event* anchor = first_begin; anchor != first_end; ++anchor) {
      std::size_t mark = evidence.size();
      evidence.push_back({field, anchor->start, anchor->end, anchor->view});
      const Event* previous = anchor;
      bool complete = true;
      for (std::size_t k = 1; k < parts.size() && complete; ++k) {
        auto [begin, end] = occurrences(parts[k]);
        const Event* next =
            std::find_if(begin, end, [&](const Event& e) { return e.start >= previous->end; });
        complete = next != end;
        if (complete) {
          evidence.push_back({field, next->start, next->end, next->view});
          previous = next;
        }
      }
      if (!complete) {
        evidence.resize(mark);
        return false;  // later anchors start later still: they cannot complete either
      }
      if (gap(anchor->end, previous->start) <= node.within) return true;
      evidence.resize(mark);
    }
    return false;
  }

  // Unordered: try each occurrence as the leftmost part; every other part takes its earliest occurrence at or
  // after it, which minimises the window for that anchor.
  for (std::uint32_t anchor_part : parts) {
    auto [anchor_begin, anchor_end] = occurrences(anchor_part);
    for (const Event* anchor = anchor_begin; anchor != anchor_end; ++anchor) {
      std::size_t mark = evidence.size();
      evidence.push_back({field, anchor->start, anchor->end, anchor->view});
      std::uint32_t last_start = anchor->start;
      bool complete = true;
      for (std::uint32_t part : parts) {
        if (part == anchor_part) continue;
        auto [begin, end] = occurrences(part);
        const Event* next =
            std::find_if(begin, end, [&](const Event& e) { return e.start >= anchor->start; });
        if (next == end) {
          complete = false;
          break;
        }
        evidence.push_back({field, next->start, next->end, next->view});
        last_start = std::max(last_start, next->start);
      }
      if (complete && gap(anchor->end, last_start) <= node.within) return true;
      evidence.resize(mark);
    }
  }
  return false;
}

bool Scanner::State::evaluate_near(const detail::PatternNode& node, std::uint32_t field,
                                   const detail::Rule* filter) {
  if (field != detail::kAnyField) return evaluate_near_in_field(node, field);
  std::size_t mark = fields_scratch.size();
  collect_fields(static_cast<std::uint32_t>(&node - data->model.nodes.data()), fields_scratch, mark);
  bool found = false;
  for (std::size_t i = mark; i < fields_scratch.size() && !found; ++i)
    if (field_allowed(fields_scratch[i], field, filter))
      found = evaluate_near_in_field(node, fields_scratch[i]);
  fields_scratch.resize(mark);
  return found;
}

bool Scanner::State::evaluate(std::uint32_t node_index, std::uint32_t field, const detail::Rule* filter) {
  const detail::PatternNode& node = data->model.nodes[node_index];
  std::size_t mark = evidence.size();
  switch (node.kind) {
    case detail::PatternKind::words:
    case detail::PatternKind::regex:
    case detail::PatternKind::lookalike:
      return evaluate_leaf(node, field, filter);
    case detail::PatternKind::any:
      for (std::uint32_t child : node.children)
        if (evaluate(child, field, filter)) return true;
      return false;
    case detail::PatternKind::all:
      for (std::uint32_t child : node.children) {
        if (!evaluate(child, field, filter)) {
          evidence.resize(mark);
          return false;
        }
      }
      return true;
    case detail::PatternKind::at_least: {
      std::uint32_t count = 0;
      for (std::uint32_t child : node.children)
        if (evaluate(child, field, filter) && ++count == node.min_count) return true;
      evidence.resize(mark);
      return false;
    }
    case detail::PatternKind::near:
      return evaluate_near(node, field, filter);
  }
  return false;
}

// Appends to `out` the fields in which any leaf under `node` matched and that are not yet in out[from, end).
void Scanner::State::collect_fields(std::uint32_t node_index, std::vector<std::uint32_t>& out,
                                    std::size_t from) const {
  const detail::PatternNode& node = data->model.nodes[node_index];
  if (detail::is_leaf(node.kind)) {
    auto [begin, end] = events_of(node.leaf);
    for (const Event* e = begin; e != end; ++e) {
      auto first = out.begin() + static_cast<std::ptrdiff_t>(from);
      if (std::find(first, out.end(), e->field) == out.end()) out.push_back(e->field);
    }
    return;
  }
  for (std::uint32_t child : node.children)
    collect_fields(child, out, from);
}

void Scanner::State::add_hits(std::uint32_t rule_index, std::size_t evidence_begin) {
  // One hit per field: the span covering that field's evidence.
  auto first = evidence.begin() + static_cast<std::ptrdiff_t>(evidence_begin);
  std::sort(first, evidence.end(), [](const detail::Span& a, const detail::Span& b) {
    return std::tie(a.field, a.start) < std::tie(b.field, b.start);
  });
  for (auto it = first; it != evidence.end();) {
    detail::Span covering = *it;
    for (; it != evidence.end() && it->field == covering.field; ++it) {
      covering.end = std::max(covering.end, it->end);
      covering.view = std::max(covering.view, it->view);
    }
    pending_hits.push_back(covering);
    pending_rules.push_back(rule_index);
  }
}

void Scanner::State::evaluate_rule(std::uint32_t rule_index) {
  const detail::Rule& rule = data->model.rules[rule_index];
  if (!categories.contains(rule.category)) return;
  for (const detail::Condition& condition : rule.conditions)
    if (!detail::evaluate(condition, *record)) return;

  evidence.clear();
  if (rule.match == detail::kNoNode) {
    std::size_t field = detail::first_field_for(rule.conditions.front(), *record);
    if (field < record->size()) {
      FieldView value = record->field(field);
      evidence.push_back({static_cast<std::uint32_t>(field), 0, static_cast<std::uint32_t>(value.text.size()),
                          detail::View::raw});
    }
    add_hits(rule_index, 0);
    if (evidence.empty()) {
      pending_hits.push_back({detail::kAnyField, 0, 0, detail::View::raw});
      pending_rules.push_back(rule_index);
    }
    return;
  }

  auto excepted = [&](std::uint32_t field) {
    if (rule.unless == detail::kNoNode) return false;
    std::size_t mark = evidence.size();
    bool found = evaluate(rule.unless, rule.unless_scope == detail::Scope::record ? detail::kAnyField : field,
                          nullptr);
    evidence.resize(mark);
    return found;
  };

  if (rule.scope == detail::Scope::record) {
    if (!evaluate(rule.match, detail::kAnyField, &rule)) return;
    for (const detail::Span& span : evidence)
      if (excepted(span.field)) return;
    add_hits(rule_index, 0);
    return;
  }

  fields_scratch.clear();
  collect_fields(rule.match, fields_scratch, 0);
  std::sort(fields_scratch.begin(), fields_scratch.end());
  std::size_t field_count = fields_scratch.size();
  for (std::size_t i = 0; i < field_count; ++i) {
    std::uint32_t field = fields_scratch[i];
    if (!rule.applies_to(record->field(field).key)) continue;
    std::size_t mark = evidence.size();
    if (!evaluate(rule.match, field, &rule)) continue;
    if (excepted(field)) {
      evidence.resize(mark);
      continue;
    }
    add_hits(rule_index, mark);
  }
}

void Scanner::State::finish_verdict() {
  hit_order.resize(pending_hits.size());
  for (std::uint32_t i = 0; i < hit_order.size(); ++i)
    hit_order[i] = i;
  std::sort(hit_order.begin(), hit_order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::tie(pending_hits[a].field, pending_hits[a].start, pending_rules[a]) <
           std::tie(pending_hits[b].field, pending_hits[b].start, pending_rules[b]);
  });
  for (std::uint32_t i : hit_order) {
    const detail::Rule& rule = data->model.rules[pending_rules[i]];
    const detail::Span& span = pending_hits[i];
    Hit hit{rule.id,
            rule.title,
            rule.category,
            rule.item,
            rule.severity,
            rule.action,
            {},
            span.start,
            span.end,
            {},
            detail::to_string(span.view)};
    if (span.field != detail::kAnyField) {
      FieldView field = record->field(span.field);
      hit.field = field.path;
      hit.text = field.text.substr(span.start, span.end - span.start);
    }
    verdict.hits.push_back(hit);
    verdict.categories.insert(rule.category);
    verdict.decision = std::max(verdict.decision, decision_for(rule.action));
  }
}

void Scanner::State::scan_record(const Record& r) {
  record = &r;
  verdict.decision = Decision::pass;
  verdict.categories = CategorySet();
  verdict.hits.clear();
  verdict.error = {};
  if (scratch_failed) {
    verdict.error = "could not allocate Hyperscan scratch space";
    return;
  }
  ++record_epoch;
  events.clear();
  pending_hits.clear();
  pending_rules.clear();
  for (std::size_t i = 0; i < r.size(); ++i) {
    FieldView field = r.field(i);
    if (field.type == ValueType::text && !field.text.empty())
      scan_field(static_cast<std::uint32_t>(i), field.text);
  }
  index_events();
  for (std::uint32_t rule : candidate_rules)
    evaluate_rule(rule);
  finish_verdict();
}

Scanner::Scanner(std::shared_ptr<const CompiledRuleSet> rules)
    : state_(std::make_unique<State>(std::move(rules))) {}
Scanner::~Scanner() = default;
Scanner::Scanner(Scanner&&) noexcept = default;
Scanner& Scanner::operator=(Scanner&&) noexcept = default;

void Scanner::restrict_to(CategorySet categories) noexcept {
  state_->categories = categories;
}

const Verdict& Scanner::scan(const Record& record) noexcept {
  state_->scan_record(record);
  return state_->verdict;
}

const CompiledRuleSet& Scanner::rules() const noexcept {
  return *state_->rules;
}

}  // namespace qinglang
