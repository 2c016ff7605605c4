// The scan path. Records are scanned in batches: every field's views are appended to one buffer per view,
// with a separator between fields, so Hyperscan is called once per view for the whole batch (its fixed cost
// per call dominates short records). Each match is attributed to its field by offset; a match that crosses a
// separator is dropped. The anchor tier of the databases runs over the whole batch; the deferred tier only
// over the records where an anchor matched, gathered into one buffer (compiled_rule_set.h). Rules are then
// evaluated per record over the leaf matches only, so exceptions see the whole field or record, and surviving
// rules become hits.
#include "qinglang/scanner.h"

#include <algorithm>
#include <bit>
#include <tuple>

#include "base/utf8.h"
#include "scan/scan_state.h"

namespace qinglang {
namespace {

std::uint8_t category_bit(Category category) {
  return static_cast<std::uint8_t>(1u << static_cast<unsigned>(category));
}

}  // namespace

void Scanner::State::add_event(std::size_t segment, std::uint32_t leaf, std::uint32_t start,
                               std::uint32_t end, detail::View view) {
  if (!categories.contains(data->leaf_category[leaf])) return;
  if (segment != counted_segment) {
    counted_segment = segment;
    ++field_epoch;
  }
  if (leaf_count_epoch[leaf] != field_epoch) {
    leaf_count_epoch[leaf] = field_epoch;
    leaf_count[leaf] = 0;
  }
  // A stream counts the matches that may be fresh apart (high half), so a flood in the text carried from
  // earlier messages cannot crowd out the new ones.
  unsigned half = stream_mode && end > stream_fresh_from ? 16 : 0;
  if (quota_full(segment, leaf, half)) return;
  leaf_count[leaf] += 1u << half;
  const detail::Segment& s = segments[segment];
  if (data->leaf_anchor[leaf]) record_anchored[s.record] |= category_bit(data->leaf_category[leaf]);
  events.push_back({s.record, leaf, s.field, start, end, view});
}

void Scanner::State::take_match(const ScanContext& c, std::uint32_t leaf, std::uint32_t start,
                                std::uint32_t end, detail::View form, std::string_view exact_name) {
  const detail::BatchView& batch = *c.batch;
  std::size_t position = c.segment != detail::kNoSegment ? c.segment : batch.segment_at(end - 1);
  std::uint32_t begin = batch.begin[position];
  if (start < begin || end > batch.content_end(position) || start == end) return;
  std::size_t segment = c.segment_map != nullptr ? c.segment_map[position] : position;
  // A word repeated all over a long document fills its quota early: add_event would drop the rest, so mapping
  // them back to the original first is wasted. (A stream's count depends on where the match ends in the
  // original, known only once mapped.)
  if (!stream_mode && quota_full(segment, leaf, 0)) return;
  std::string_view text = batch.text.text().substr(begin, batch.content_end(position) - begin);
  std::uint32_t local_start = start - begin, local_end = end - begin;
  if (!exact_name.empty()) {
    // The real name itself, or a look-alike match overlapping it, is the genuine app.
    std::size_t margin = exact_name.size();
    std::size_t window_start = local_start > margin ? local_start - margin : 0;
    if (text.substr(window_start, local_end - window_start + margin).find(exact_name) !=
        std::string_view::npos)
      return;
  }
  std::uint8_t noise_run =
      c.view >= detail::View::skeleton ? detail::Normalizer::longest_noise_run(batch.text, start, end) : 0;
  if (noise_run > detail::kMaxNoiseRun) return;
  if (form == detail::View::pinyin && !detail::stands_alone(text, local_start, local_end)) return;

  std::string_view original = segments[segment].original;
  std::uint32_t original_start = local_start, original_end = local_end;
  detail::View view = detail::View::raw;
  if (c.view != detail::View::raw) {
    std::tie(original_start, original_end) =
        detail::Normalizer::original_span(batch.text, original, start, end);
    bool unchanged = original.substr(original_start, original_end - original_start) ==
                     text.substr(local_start, local_end - local_start);
    // Name what the match needed: nothing, folding alone (no noise dropped inside it), or the skeleton.
    if (unchanged) {
      view = detail::View::raw;
    } else if (c.view == detail::View::skeleton && noise_run == 0) {
      view = detail::View::folded;
    } else {
      view = c.view;
    }
  }
  if (form != detail::View::raw) view = form;
  add_event(segment, leaf, original_start, original_end, view);
}

int Scanner::State::on_literal(unsigned int id, unsigned long long, unsigned long long to, unsigned int,
                               void* context) {
  auto& c = *static_cast<ScanContext*>(context);
  const detail::ViewDatabases& dbs = c.state->databases(c.view);
  auto end = static_cast<std::uint32_t>(to) + c.base;
  std::uint32_t start = end - dbs.literal_length[id];
  for (std::uint32_t i = dbs.literal_targets_offset[id]; i < dbs.literal_targets_offset[id + 1]; ++i) {
    const detail::LiteralTarget& target = dbs.literal_targets[i];
    if (c.serves(target.leaf)) c.state->take_match(c, target.leaf, start, end, target.form, {});
  }
  return 0;
}

int Scanner::State::on_regex(unsigned int id, unsigned long long from, unsigned long long to, unsigned int,
                             void* context) {
  auto& c = *static_cast<ScanContext*>(context);
  const detail::RegexTarget& target = c.state->databases(c.view).regex_targets[id];
  auto end = static_cast<std::uint32_t>(to) + c.base;
  if (c.accept_begin != nullptr &&
      !std::binary_search(c.accept_begin, c.accept_end, detail::Detection{end, id}))
    return 0;
  for (std::uint32_t leaf : target.leaves)
    if (c.serves(leaf))
      c.state->take_match(c, leaf, static_cast<std::uint32_t>(from) + c.base, end, detail::View::raw,
                          target.exact_name);
  return 0;
}

int Scanner::State::on_detect(unsigned int id, unsigned long long, unsigned long long to, unsigned int,
                              void* context) {
  auto& c = *static_cast<ScanContext*>(context);
  c.batch->detections.push_back({static_cast<std::uint32_t>(to), id});
  return 0;
}

void Scanner::State::build_views(std::span<const Record> records) {
  segments.clear();
  segment_field_bound.clear();
  record_segments.clear();
  record_anchored.assign(records.size(), 0);
  for (detail::BatchView& view : views) {
    view.text.size = 0;
    view.begin.clear();
  }
  bool raw = !databases(detail::View::raw).empty();
  bool normalized = !databases(detail::View::folded).empty() || !databases(detail::View::skeleton).empty() ||
                    !databases(detail::View::numerals).empty();
  detail::BatchView& raw_view = views[static_cast<std::size_t>(detail::View::raw)];
  detail::BatchView& folded = views[static_cast<std::size_t>(detail::View::folded)];
  detail::BatchView& skeleton = views[static_cast<std::size_t>(detail::View::skeleton)];
  bool numerals = !databases(detail::View::numerals).empty();
  numeral_positions.clear();
  for (std::size_t r = 0; r < records.size(); ++r) {
    record_segments.push_back(static_cast<std::uint32_t>(segments.size()));
    for (std::size_t f = 0; f < records[r].size(); ++f) {
      FieldView field = records[r].field(f);
      if (field.type != ValueType::text || field.text.empty()) continue;
      segments.push_back({static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(f), field.text});
      if (!data->field_bound_rules.empty()) segment_field_bound.push_back(names_field_bound(field.key));
      if (raw) {
        std::string_view text = field.text;
        if (!detail::is_valid_utf8(text)) {
          // Hyperscan's UTF-8 mode is undefined on invalid input; a same-length repair keeps every offset
          // valid.
          detail::replace_invalid_bytes(text, '?', repaired);
          text = repaired;
        }
        raw_view.begin.push_back(static_cast<std::uint32_t>(raw_view.text.size));
        char* out = raw_view.text.chars.reserve(raw_view.text.size + text.size() + 1, raw_view.text.size);
        std::copy(text.begin(), text.end(), out + raw_view.text.size);
        raw_view.text.size += text.size();
        out[raw_view.text.size++] = '\n';
      }
      if (normalized) {
        folded.begin.push_back(static_cast<std::uint32_t>(folded.text.size));
        skeleton.begin.push_back(static_cast<std::uint32_t>(skeleton.text.size));
        detail::Normalizer::instance().normalize(field.text, folded.text, skeleton.text,
                                                 numerals ? &numeral_positions : nullptr);
        detail::Normalizer::append_separator(folded.text);
        detail::Normalizer::append_separator(skeleton.text);
      }
    }
  }
  record_segments.push_back(static_cast<std::uint32_t>(segments.size()));
  for (detail::BatchView& view : views)
    view.begin.push_back(static_cast<std::uint32_t>(view.text.size));
  if (numerals) {
    detail::BatchView& view = views[static_cast<std::size_t>(detail::View::numerals)];
    detail::Normalizer::instance().numerals(skeleton.text, numeral_positions, view.text);
    // Each numeral became one byte from three: a boundary moves back two bytes for each numeral before it.
    view.begin.clear();
    std::size_t before = 0;
    for (std::uint32_t begin : skeleton.begin) {
      while (before < numeral_positions.size() && numeral_positions[before] < begin)
        ++before;
      view.begin.push_back(static_cast<std::uint32_t>(begin - 2 * before));
    }
  }
}

void Scanner::State::scan_views() {
  for (std::size_t v = 0; v < detail::kViewCount; ++v) {
    counted_segment = detail::kNoSegment;
    scan_buffer(static_cast<detail::View>(v), detail::kAnchorTier, views[v], nullptr);
  }
  gather_field_bound_segments();
  scan_gathered(detail::kFieldBoundTier);
  scan_deferred();
}

bool Scanner::State::names_field_bound(std::string_view key) {
  for (const auto& [known, bound] : field_bound_keys)
    if (known == key) return bound;
  bool bound = std::any_of(data->field_bound_rules.begin(), data->field_bound_rules.end(),
                           [&](std::uint32_t rule) { return data->model.rules[rule].applies_to(key); });
  if (field_bound_keys.size() >= 64) field_bound_keys.clear();
  field_bound_keys.emplace_back(key, bound);
  return bound;
}

// Each category's deferred tier runs over the records where an anchor of that category matched, unless that
// would scan the anchored records more than twice over: then the tier of all deferred patterns runs once.
void Scanner::State::scan_deferred() {
  std::size_t once = 0, per_category = 0;
  for (std::size_t r = 0; r < record_anchored.size(); ++r) {
    if (record_anchored[r] == 0) continue;
    std::size_t bytes = 0;
    for (std::uint32_t s = record_segments[r]; s < record_segments[r + 1]; ++s)
      bytes += segments[s].original.size();
    once += bytes;
    per_category += bytes * static_cast<std::size_t>(std::popcount(record_anchored[r]));
  }
  if (once == 0) return;
  if (per_category > 2 * once) {
    gather_anchored_segments(0xFF);
    scan_gathered(detail::kAllDeferredTier);
    return;
  }
  for (Category category : kAllCategories) {
    gather_anchored_segments(category_bit(category));
    scan_gathered(detail::deferred_tier(category));
  }
}

// One tier over the segments in gathered_segments: in place when they are every segment of the batch,
// otherwise gathered into one buffer, one call per view.
void Scanner::State::scan_gathered(detail::Tier tier) {
  if (gathered_segments.empty()) return;
  for (std::size_t v = 0; v < detail::kViewCount; ++v) {
    auto view = static_cast<detail::View>(v);
    if (databases(view).tiers[tier].empty()) continue;
    counted_segment = detail::kNoSegment;
    if (gathered_segments.size() == segments.size()) {
      scan_buffer(view, tier, views[v], nullptr);
      continue;
    }
    gather_view(views[v], gathered_views[v]);
    scan_buffer(view, tier, gathered_views[v], gathered_segments.data());
  }
}

void Scanner::State::gather_field_bound_segments() {
  gathered_segments.clear();
  for (std::uint32_t s = 0; s < segment_field_bound.size(); ++s)
    if (segment_field_bound[s]) gathered_segments.push_back(s);
}

void Scanner::State::gather_anchored_segments(std::uint8_t categories) {
  gathered_segments.clear();
  for (std::size_t r = 0; r < record_anchored.size(); ++r)
    if (record_anchored[r] & categories)
      for (std::uint32_t s = record_segments[r]; s < record_segments[r + 1]; ++s)
        gathered_segments.push_back(s);
}

void Scanner::State::gather_view(const detail::BatchView& from, detail::BatchView& to) const {
  to.text.size = 0;
  to.begin.clear();
  for (std::uint32_t s : gathered_segments) {
    to.begin.push_back(static_cast<std::uint32_t>(to.text.size));
    to.text.append(from.text, from.begin[s], from.begin[s + 1] - from.begin[s]);
  }
  to.begin.push_back(static_cast<std::uint32_t>(to.text.size));
}

void Scanner::State::scan_buffer(detail::View view, detail::Tier tier, detail::BatchView& batch,
                                 const std::uint32_t* segment_map) {
  const detail::TierDatabases& dbs = databases(view).tiers[tier];
  if (dbs.empty() || batch.text.size == 0) return;
  std::string_view text = batch.text.text();
  auto length = static_cast<unsigned int>(text.size());
  ScanContext context{this, view, tier, &batch, segment_map, 0, detail::kNoSegment};
  if (dbs.literals) hs_scan(dbs.literals.get(), text.data(), length, 0, scratch.get(), on_literal, &context);
  if (!dbs.regex_detector) return;
  batch.detections.clear();
  hs_scan(dbs.regex_detector.get(), text.data(), length, 0, scratch.get(), on_detect, &context);
  std::sort(batch.detections.begin(), batch.detections.end());
  locate(view, tier, batch, segment_map);
}

// The locator reports start offsets, which costs: it runs only where the detector found something, and only
// as far back from each end as the longest match of that pattern (to the start of the field when unbounded).
void Scanner::State::locate(detail::View view, detail::Tier tier, detail::BatchView& batch,
                            const std::uint32_t* segment_map) {
  const detail::ViewDatabases& dbs = databases(view);
  hs_database_t* locator = dbs.tiers[tier].regex_locator.get();
  const char* text = batch.text.text().data();
  const std::vector<detail::Detection>& found = batch.detections;
  for (std::size_t first = 0; first < found.size();) {
    std::size_t s = batch.segment_at(found[first].end - 1);
    std::uint32_t begin = batch.begin[s], end = batch.content_end(s);
    std::size_t last = first;
    windows.clear();
    for (; last < found.size() && found[last].end <= batch.begin[s + 1]; ++last) {
      std::uint32_t width = dbs.regex_targets[found[last].pattern].max_width;
      std::uint32_t stop = std::min(found[last].end, end);
      windows.push_back({width != UINT32_MAX && stop > begin + width ? stop - width : begin, stop});
    }
    std::sort(windows.begin(), windows.end());
    for (std::size_t w = 0; w < windows.size();) {
      auto [from, to] = windows[w];
      for (++w; w < windows.size() && windows[w].first <= to; ++w)
        to = std::max(to, windows[w].second);
      ScanContext context{
          this, view, tier, &batch, segment_map, from, s, found.data() + first, found.data() + last};
      hs_scan(locator, text + from, to - from, 0, scratch.get(), on_regex, &context);
    }
    first = last;
  }
}

void Scanner::State::index_events(std::size_t begin, std::size_t end) {
  candidate_rules.clear();
  for (std::size_t i = begin; i < end;) {
    std::uint32_t leaf = events[i].leaf;
    std::size_t j = i;
    while (j < end && events[j].leaf == leaf)
      ++j;
    leaf_range_epoch[leaf] = record_epoch;
    leaf_begin[leaf] = static_cast<std::uint32_t>(i);
    leaf_end[leaf] = static_cast<std::uint32_t>(j);
    std::uint32_t rule = data->model.leaves[leaf].rule;
    // A rule none of whose anchors matched cannot fire.
    if (data->leaf_anchor[leaf] && rule_epoch[rule] != record_epoch) {
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
  if (stream_mode) {
    // A stream reports what this write decided: a fresh occurrence is better evidence than an old one.
    const Event* fresh = std::find_if(
        begin, end, [&](const Event& e) { return e.fresh && field_allowed(e.field, field, filter); });
    if (fresh != end) begin = fresh;
  }
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
    evidence.push_back({e->field, e->start, longest->end, plainest->view, e->fresh});
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
  // Whether at most `within` characters lie in [from, to). A character takes one to four bytes, so the byte
  // distance settles most cases without counting: a long field would otherwise be counted pair by pair.
  auto close_enough = [&](std::uint32_t from, std::uint32_t to) {
    if (to <= from || to - from <= node.within) return true;
    if (to - from > 4 * node.within) return false;
    return detail::count_characters(text.substr(from, to - from)) <= node.within;
  };
  const std::vector<std::uint32_t>& parts = node.children;

  if (node.ordered) {
    auto [first_begin, first_end] = occurrences(parts[0]);
    for (const Event* anchor = first_begin; anchor != first_end; ++anchor) {
      std::size_t mark = evidence.size();
      evidence.push_back({field, anchor->start, anchor->end, anchor->view, anchor->fresh});
      const Event* previous = anchor;
      bool complete = true;
      for (std::size_t k = 1; k < parts.size() && complete; ++k) {
        auto [begin, end] = occurrences(parts[k]);
        const Event* next =
            std::find_if(begin, end, [&](const Event& e) { return e.start >= previous->end; });
        complete = next != end;
        if (complete) {
          evidence.push_back({field, next->start, next->end, next->view, next->fresh});
          previous = next;
        }
      }
      if (!complete) {
        evidence.resize(mark);
        return false;  // later anchors start later still: they cannot complete either
      }
      if (close_enough(anchor->end, previous->start)) return true;
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
      evidence.push_back({field, anchor->start, anchor->end, anchor->view, anchor->fresh});
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
        evidence.push_back({field, next->start, next->end, next->view, next->fresh});
        last_start = std::max(last_start, next->start);
      }
      if (complete && close_enough(anchor->end, last_start)) return true;
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
      covering.fresh = covering.fresh || it->fresh;
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

void Scanner::State::sort_pending_hits() {
  hit_order.resize(pending_hits.size());
  for (std::uint32_t i = 0; i < hit_order.size(); ++i)
    hit_order[i] = i;
  std::sort(hit_order.begin(), hit_order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::tie(pending_hits[a].field, pending_hits[a].start, pending_rules[a]) <
           std::tie(pending_hits[b].field, pending_hits[b].start, pending_rules[b]);
  });
}

void Scanner::State::finish_verdict(Verdict& verdict) {
  sort_pending_hits();
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

void Scanner::State::evaluate_record(const Record& r, std::size_t events_begin, std::size_t events_end,
                                     Verdict& verdict) {
  record = &r;
  ++record_epoch;
  pending_hits.clear();
  pending_rules.clear();
  index_events(events_begin, events_end);
  for (std::uint32_t rule : candidate_rules)
    evaluate_rule(rule);
  finish_verdict(verdict);
}

void Scanner::State::scan_batch(std::span<const Record> records) {
  verdicts.resize(records.size());
  for (Verdict& v : verdicts) {
    v.decision = Decision::pass;
    v.categories = CategorySet();
    v.hits.clear();
    v.error = {};
  }
  if (scratch_failed) {
    for (Verdict& v : verdicts)
      v.error = "could not allocate Hyperscan scratch space";
    return;
  }
  events.clear();
  build_views(records);
  scan_views();
  // Grouped by record first (a counting sort), then each record's few events sorted: one sort of the whole
  // batch's events cost more than every scan callback together.
  record_events.assign(records.size() + 1, 0);
  for (const Event& e : events)
    ++record_events[e.record + 1];
  for (std::size_t r = 1; r < record_events.size(); ++r)
    record_events[r] += record_events[r - 1];
  grouped_events.resize(events.size());
  next_slot.assign(record_events.begin(), record_events.end() - 1);
  for (const Event& e : events)
    grouped_events[next_slot[e.record]++] = e;
  events.swap(grouped_events);
  for (std::uint32_t r = 0; r < records.size(); ++r) {
    if (!record_anchored[r]) {
      evaluate_record(records[r], 0, 0, verdicts[r]);  // only rules without patterns can fire
      continue;
    }
    auto first = events.begin() + record_events[r], last = events.begin() + record_events[r + 1];
    std::sort(first, last);
    evaluate_record(records[r], record_events[r], record_events[r + 1], verdicts[r]);
  }
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
  state_->scan_batch(std::span<const Record>(&record, 1));
  return state_->verdicts[0];
}

const std::vector<Verdict>& Scanner::scan_batch(std::span<const Record> records) noexcept {
  state_->scan_batch(records);
  return state_->verdicts;
}

const CompiledRuleSet& Scanner::rules() const noexcept {
  return *state_->rules;
}

}  // namespace qinglang
