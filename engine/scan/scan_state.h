// The scanner's per-thread state, shared by the record path (scanner.cpp) and the stream path (stream.cpp).
#pragma once

#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <memory>
#include <tuple>
#include <vector>

#include "compiled/compiled_rule_set.h"
#include "qinglang/scanner.h"
#include "qinglang/stream.h"
#include "text/normalizer.h"

namespace qinglang {
namespace detail {

// One leaf match in one field of one record of the batch. Offsets are bytes into the field value.
struct Event {
  std::uint32_t record;
  std::uint32_t leaf;
  std::uint32_t field;
  std::uint32_t start;
  std::uint32_t end;
  View view;           // the least normalized view that explains the match
  bool fresh = false;  // streams: decided by this write, not an earlier one

  bool operator<(const Event& o) const {
    return std::tie(record, leaf, field, start, end, view) <
           std::tie(o.record, o.leaf, o.field, o.start, o.end, o.view);
  }
};

// Evidence for a firing rule: a span in a field.
struct Span {
  std::uint32_t field;
  std::uint32_t start;
  std::uint32_t end;
  View view;
  bool fresh = false;  // streams: some of the evidence was decided by this write
};

// What one stream carries between writes (stream.h). Offsets named `global` count bytes from the stream's
// first byte.
struct StreamState {
  // A message's first byte, for reporting where the parts of a hit lie.
  struct MessageStart {
    std::uint64_t seq;
    std::uint64_t global;
  };
  // A message counted by a window: a hit of a counted rule, or a repeat of a line.
  struct Occurrence {
    std::uint64_t message;  // index in the stream
    std::uint64_t seq;
    double ts;
  };
  // A recent distinct message (by its skeleton) and when it was seen; the least recently seen gives way.
  struct RecentLine {
    std::uint64_t hash;
    std::vector<Occurrence> seen;
  };

  std::string text;                    // the end of the stream's text: at most the history plus a message
  std::uint64_t base = 0;              // global offset of text[0]
  std::uint64_t decided = 0;           // matches that need nothing after them and end by here are decided
  std::uint64_t decided_context = 0;   // the same for matches that look past their end
  std::vector<MessageStart> messages;  // the messages that `text` holds, oldest first
  std::vector<std::vector<Occurrence>> window_hits;  // by window rule: counted hits still in the window
  std::vector<RecentLine> recent_lines;
  StreamSummary summary;
  bool closed = false;
};

// A text field of a record in the batch.
struct Segment {
  std::uint32_t record;
  std::uint32_t field;
  std::string_view original;
};

// A regex match the detector found: its end in the view's buffer and its pattern; the start is still unknown.
struct Detection {
  std::uint32_t end;
  std::uint32_t pattern;
  bool operator<(const Detection& o) const { return std::tie(end, pattern) < std::tie(o.end, o.pattern); }
};

// One scanned view of the whole batch: the fields' view texts one after another, each followed by a
// separator.
struct BatchView {
  ViewText text;
  std::vector<std::uint32_t> begin;   // by segment: where its text starts; one more entry marks the end
  std::vector<Detection> detections;  // what the regex detector found, to be located

  std::uint32_t content_end(std::size_t segment) const {
    return begin[segment + 1] - 1;
  }  // before the separator
  std::size_t segment_at(std::uint32_t offset) const {
    return static_cast<std::size_t>(std::upper_bound(begin.begin(), begin.end(), offset) - begin.begin()) - 1;
  }
};

// A flood of one word must not grow memory without bound: beyond this many matches of one leaf in one field
// (per view), later ones are dropped (the first ones already prove the leaf, and `near` windows look at the
// first ones).
constexpr std::uint32_t kMaxEventsPerLeafAndField = 64;
constexpr std::uint32_t kAnyField = UINT32_MAX;
constexpr std::size_t kNoSegment = SIZE_MAX;

}  // namespace detail

using detail::Event;

struct Scanner::State {
  explicit State(std::shared_ptr<const CompiledRuleSet> r)
      : rules(std::move(r)), data(&detail::data_of(*rules)) {
    std::size_t leaves = data->model.leaves.size();
    leaf_count_epoch.assign(leaves, 0);
    leaf_count.assign(leaves, 0);
    leaf_range_epoch.assign(leaves, 0);
    leaf_begin.assign(leaves, 0);
    leaf_end.assign(leaves, 0);
    rule_epoch.assign(data->model.rules.size(), 0);
    rule_fresh_epoch.assign(data->model.rules.size(), 0);
    hs_scratch_t* clone = nullptr;
    if (data->scratch && hs_clone_scratch(data->scratch.get(), &clone) != HS_SUCCESS) scratch_failed = true;
    scratch.reset(clone);
  }

  // What Hyperscan's callbacks get: the scanner and the view being scanned. Offsets Hyperscan reports are
  // relative to `base` in the view's buffer; `segment` is fixed when one field alone is being scanned. A
  // buffer of gathered segments maps its segments to the batch's through `segment_map`.
  struct ScanContext {
    State* state;
    detail::View view;
    detail::Tier tier;  // a deferred tier takes only its own category's leaves from a pattern it shares
    detail::BatchView* batch;
    const std::uint32_t* segment_map;
    std::uint32_t base;
    std::size_t segment;
    // When locating in windows: the detections to accept; a report that is not one of them may be a match cut
    // short by the window's start, so it is dropped (its own detection has a window of its own).
    const detail::Detection* accept_begin = nullptr;
    const detail::Detection* accept_end = nullptr;

    // Whether a match of a pattern this tier scans goes to `leaf`.
    bool serves(std::uint32_t leaf) const {
      return tier == detail::kAnchorTier || tier == detail::kAllDeferredTier ||
             tier == detail::kFieldBoundTier ||
             detail::deferred_tier(state->data->leaf_category[leaf]) == tier;
    }
  };
  static int on_literal(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                        void* context);
  static int on_regex(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                      void* context);
  static int on_detect(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                       void* context);

  void scan_batch(std::span<const Record> records);
  void build_views(std::span<const Record> records);
  // Scans every view of the batch: the anchor tier over all of it and the field-bound tier over the fields it
  // concerns, then the deferred tiers over the records their anchors marked.
  void scan_views();
  void scan_deferred();
  void gather_anchored_segments(std::uint8_t categories);
  void gather_field_bound_segments();
  void scan_gathered(detail::Tier tier);
  // Whether a field-bound rule names the field `key`.
  bool names_field_bound(std::string_view key);
  void gather_view(const detail::BatchView& from, detail::BatchView& to) const;
  void scan_buffer(detail::View view, detail::Tier tier, detail::BatchView& batch,
                   const std::uint32_t* segment_map);
  void locate(detail::View view, detail::Tier tier, detail::BatchView& batch,
              const std::uint32_t* segment_map);
  // Attributes a match [start, end) of the view's buffer to its field, checks it and records it; drops it
  // when it crosses a separator or fails a check.
  void take_match(const ScanContext& c, std::uint32_t leaf, std::uint32_t start, std::uint32_t end,
                  detail::View form, std::string_view exact_name);
  void add_event(std::size_t segment, std::uint32_t leaf, std::uint32_t start, std::uint32_t end,
                 detail::View view);
  // Whether `leaf` has all the matches it may record in `segment`; `half` picks a stream's fresh count (16)
  // or the other one (0).
  bool quota_full(std::size_t segment, std::uint32_t leaf, unsigned half) const {
    return segment == counted_segment && leaf_count_epoch[leaf] == field_epoch &&
           (leaf_count[leaf] >> half & 0xFFFF) >= detail::kMaxEventsPerLeafAndField;
  }
  void evaluate_record(const Record& record, std::size_t events_begin, std::size_t events_end,
                       Verdict& verdict);
  void index_events(std::size_t begin, std::size_t end);
  void evaluate_rule(std::uint32_t rule_index);
  bool evaluate(std::uint32_t node, std::uint32_t field, const detail::Rule* filter);
  bool evaluate_leaf(const detail::PatternNode& node, std::uint32_t field, const detail::Rule* filter);
  bool evaluate_near(const detail::PatternNode& node, std::uint32_t field, const detail::Rule* filter);
  bool evaluate_near_in_field(const detail::PatternNode& node, std::uint32_t field);
  void collect_fields(std::uint32_t node, std::vector<std::uint32_t>& out, std::size_t from) const;
  void add_hits(std::uint32_t rule_index, std::size_t evidence_begin);
  void finish_verdict(Verdict& verdict);
  void sort_pending_hits();

  // Streams (stream.cpp).
  const StreamVerdict& write_stream(detail::StreamState& stream, const StreamMessage& message, bool closing);
  bool refuse_message(const detail::StreamState& stream, const StreamMessage& message);
  void scan_stream_text(detail::StreamState& stream, bool closing);
  void evaluate_stream();
  void report_stream_hits(detail::StreamState& stream);
  void count_window_hits(detail::StreamState& stream, const StreamMessage& message);
  void count_repeats(detail::StreamState& stream, const StreamMessage& message);
  std::string_view message_view(detail::View view, std::uint32_t start) const;
  void fire_window(std::uint32_t rule_index, std::uint32_t count, std::uint64_t first_seq,
                   std::uint64_t last_seq);
  void trim_stream(detail::StreamState& stream) const;

  std::pair<const Event*, const Event*> events_of(std::uint32_t leaf) const {
    if (leaf_range_epoch[leaf] != record_epoch) return {nullptr, nullptr};
    return {events.data() + leaf_begin[leaf], events.data() + leaf_end[leaf]};
  }
  bool field_allowed(std::uint32_t field, std::uint32_t wanted, const detail::Rule* filter) const {
    if (wanted != detail::kAnyField) return field == wanted;
    return filter == nullptr || filter->applies_to(record->field(field).key);
  }
  const detail::ViewDatabases& databases(detail::View view) const {
    return data->views[static_cast<std::size_t>(view)];
  }

  std::shared_ptr<const CompiledRuleSet> rules;
  const detail::CompiledRuleSetData* data;
  detail::ScratchPtr scratch;
  bool scratch_failed = false;
  CategorySet categories = CategorySet::all();

  // The batch being scanned.
  std::vector<detail::Segment> segments;
  std::vector<std::uint32_t> record_segments;  // by record: its first segment; one more entry marks the end
  std::vector<std::uint8_t> record_anchored;   // by record: a bit per category whose anchor matched in it
  std::vector<std::uint8_t> segment_field_bound;  // by segment: 1 when a field-bound rule names its field
  // A batch's records mostly share their keys: each key's answer is kept, so that not every field asks every
  // field-bound rule. Keys come from the input, so the list is emptied when it grows long.
  std::vector<std::pair<std::string, bool>> field_bound_keys;
  // The segments a tier scans (the anchored records', the field-bound fields), copied out of the batch's
  // views so that the tier scans them in one call per view: a call per record cost more than the scan itself.
  std::vector<std::uint32_t> gathered_segments;  // by gathered segment: the batch's segment
  std::array<detail::BatchView, detail::kViewCount> gathered_views;
  std::array<detail::BatchView, detail::kViewCount> views;
  std::string repaired;                          // a field's bytes with invalid UTF-8 replaced, same offsets
  std::vector<std::uint32_t> numeral_positions;  // where the skeleton's numerals start, for the numerals view
  std::vector<std::pair<std::uint32_t, std::uint32_t>> windows;  // where the locator runs, in a view's buffer
  std::vector<Verdict> verdicts;

  // Match bookkeeping.
  std::size_t counted_segment = detail::kNoSegment;
  std::uint32_t field_epoch = 0;  // bumped whenever matches move to another field: resets per-leaf counts
  std::vector<std::uint32_t> leaf_count_epoch, leaf_count;
  std::vector<Event> events;
  std::vector<Event> grouped_events;  // events, grouped by record
  std::vector<std::uint32_t>
      record_events;  // by record: where its events start; one more entry marks the end
  std::vector<std::uint32_t> next_slot;

  // Evaluation of one record.
  const Record* record = nullptr;
  std::uint32_t record_epoch = 0;  // invalidates leaf ranges and rule marks
  std::vector<std::uint32_t> leaf_range_epoch, leaf_begin, leaf_end;
  std::vector<std::uint32_t> rule_epoch;
  std::vector<std::uint32_t> candidate_rules;
  std::vector<detail::Span> evidence;
  std::vector<std::uint32_t> fields_scratch;
  std::vector<detail::Span> pending_hits;  // field, start, end of each hit; rule in pending_rules
  std::vector<std::uint32_t> pending_rules;
  std::vector<std::uint32_t> hit_order;

  // Streams: the carried text and the message, scanned as one record's field; a write's verdict.
  bool stream_mode = false;  // evaluation prefers fresh evidence; events counted old and fresh apart
  std::uint32_t stream_fresh_from = 0;  // in the field: events ending after here may be fresh
  Record stream_record;
  std::vector<std::uint32_t> rule_fresh_epoch;
  std::vector<std::uint32_t> retry_rules;
  StreamVerdict stream_verdict;
  std::vector<StreamPart> stream_parts;
  std::vector<std::uint32_t> stream_part_begin;  // by hit: its first part; one more entry marks the end
  std::vector<std::uint32_t> stream_hit_rules;   // by hit: its rule
  std::string stream_error;
  detail::ViewText line_folded, line_skeleton;  // a message alone, when the write built no normalized views
};

}  // namespace qinglang
