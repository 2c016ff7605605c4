// Matching: finds where the rules' leaves (words, regexes, look-alikes) match in a batch of records, as
// events. Builds each view of the batch, runs the tiers of Hyperscan databases over them, checks and maps
// each match back to its field, and keeps a leaf's matches in one field within a quota. Evaluation
// (evaluator.h) decides what the events mean.
#pragma once

#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "compiled/compiled_rule_set.h"
#include "qinglang/record.h"
#include "qinglang/taxonomy.h"
#include "scan/event.h"
#include "text/normalizer.h"

namespace qinglang::detail {

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
constexpr std::size_t kNoSegment = SIZE_MAX;

// Per-thread: holds Hyperscan scratch and the batch's buffers, reused from batch to batch.
class Matcher {
 public:
  explicit Matcher(const CompiledRuleSetData& data);

  // False when Hyperscan scratch could not be allocated: nothing can be matched.
  bool ready() const { return !scratch_failed_; }
  // Matches of leaves of other categories are dropped.
  void restrict_to(CategorySet categories) { categories_ = categories; }

  // Finds the matches in a batch of records; record_events() then gives each record's.
  void match_batch(std::span<const Record> records);
  // Record `record`'s events, sorted. Empty when no anchor matched in it: no pattern rule can fire there.
  std::span<const Event> record_events(std::size_t record) const {
    if (!record_anchored_[record]) return {};
    return {events_.data() + record_event_begin_[record], events_.data() + record_event_begin_[record + 1]};
  }

  // The scores of the models the gates read (CompiledRuleSetData::model_gates) for record `record` of the
  // last batch, gate_scores_stride of them (-1 where no gate's words matched); empty when no rule is a gate.
  // What each gate (CompiledRuleSetData::model_gates) found in record `record` of the last batch: its words
  // matched (kGateWords), and it held (kGateHeld: its words matched, or it has none, and the model's score
  // reached its min). Empty when no rule is a gate.
  std::span<const std::uint8_t> gate_states(std::size_t record) const {
    std::size_t gates = data_->model_gates.size();
    if (gates == 0 || gate_states_.empty()) return {};
    return {gate_states_.data() + record * gates, gates};
  }
  std::span<const float> gate_scores(std::size_t record) const {
    std::size_t stride = data_->gate_scores_stride;
    if (stride == 0) return {};
    return {gate_scores_.data() + record * stride, stride};
  }

  // Streams: finds the matches in `text`, a record of one field (the carried text and the message). Matches
  // ending after `fresh_from` (bytes into the field) may be new to this write: their quota is counted apart,
  // so a flood in the carried text cannot crowd them out. They are left in events(), unsorted.
  void match_stream_text(const Record& text, std::uint32_t fresh_from);
  std::vector<Event>& events() { return events_; }

  // The view of the last batch (or stream text) matched.
  const BatchView& view(View view) const { return views_[static_cast<std::size_t>(view)]; }

 private:
  // What Hyperscan's callbacks get: the matcher and the view being scanned. Offsets Hyperscan reports are
  // relative to `base` in the view's buffer; `segment` is fixed when one field alone is being scanned. A
  // buffer of gathered segments maps its segments to the batch's through `segment_map`.
  struct ScanContext {
    Matcher* matcher;
    View view;
    Tier tier;  // a deferred tier takes only its own category's leaves from a pattern it shares
    BatchView* batch;
    const std::uint32_t* segment_map;
    std::uint32_t base;
    std::size_t segment;
    // When locating in windows: the detections to accept; a report that is not one of them may be a match cut
    // short by the window's start, so it is dropped (its own detection has a window of its own).
    const Detection* accept_begin = nullptr;
    const Detection* accept_end = nullptr;

    // Whether a match of a pattern this tier scans goes to `leaf`.
    bool serves(std::uint32_t leaf) const {
      return tier == kAnchorTier || tier == kAllDeferredTier || tier == kFieldBoundTier ||
             deferred_tier(matcher->data_->leaf_category[leaf]) == tier;
    }
  };
  static int on_literal(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                        void* context);
  static int on_regex(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                      void* context);
  static int on_detect(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                       void* context);

  void build_views(std::span<const Record> records);
  // Scans every view of the batch: the anchor tier over all of it and the field-bound tier over the fields it
  // concerns, then the deferred tiers over the records their anchors marked.
  void scan_views();
  // Scores each record with the models the gates read and anchors it where a gate holds; batches only.
  void score_model_gates();
  void scan_deferred();
  void gather_anchored_segments(std::uint8_t categories);
  void gather_field_bound_segments();
  void scan_gathered(Tier tier);
  // Whether a field-bound rule names the field `key`.
  bool names_field_bound(std::string_view key);
  void gather_view(const BatchView& from, BatchView& to) const;
  void scan_buffer(View view, Tier tier, BatchView& batch, const std::uint32_t* segment_map);
  void locate(View view, Tier tier, BatchView& batch, const std::uint32_t* segment_map);
  // Attributes a match [start, end) of the view's buffer to its field, checks it and records it; drops it
  // when it crosses a separator or fails a check.
  void take_match(const ScanContext& c, std::uint32_t leaf, std::uint32_t start, std::uint32_t end, Form form,
                  std::string_view exact_name);
  void add_event(std::size_t segment, std::uint32_t leaf, std::uint32_t start, std::uint32_t end,
                 Evasion evasion);
  // Whether `leaf` has all the matches it may record in `segment`; `half` picks a stream's fresh count (16)
  // or the other one (0).
  bool quota_full(std::size_t segment, std::uint32_t leaf, unsigned half) const {
    return segment == counted_segment_ && leaf_count_epoch_[leaf] == field_epoch_ &&
           (leaf_count_[leaf] >> half & 0xFFFF) >= kMaxEventsPerLeafAndField;
  }
  // Groups the batch's events by record, each record's sorted.
  void group_events(std::size_t record_count);
  const ViewDatabases& databases(View view) const { return data_->views[static_cast<std::size_t>(view)]; }

  const CompiledRuleSetData* data_;
  ScratchPtr scratch_;
  bool scratch_failed_ = false;
  CategorySet categories_ = CategorySet::all();

  // The batch being scanned.
  std::span<const Record> records_;
  std::vector<float> gate_scores_;         // by record: gate_scores_stride scores
  std::vector<std::uint8_t> gate_states_;  // by record and gate: kGateWords, kGateHeld
  // By record: the gates whose words matched, as ViewDatabases::literal_gates masks them; and the gates of
  // the categories scanned.
  std::vector<std::uint64_t> gate_words_;
  std::uint64_t scanned_gates_ = 0;
  Classifier::Scratch classifier_scratch_;
  std::string model_input_;
  std::vector<float> probabilities_;
  std::vector<Segment> segments_;
  std::vector<std::uint32_t> record_segments_;  // by record: its first segment; one more entry marks the end
  std::vector<std::uint8_t> record_anchored_;   // by record: a bit per category whose anchor matched in it
  std::vector<std::uint8_t> segment_field_bound_;  // by segment: 1 when a field-bound rule names its field
  // A batch's records mostly share their keys: each key's answer is kept, so that not every field asks every
  // field-bound rule. Keys come from the input, so the list is emptied when it grows long.
  std::vector<std::pair<std::string, bool>> field_bound_keys_;
  // The segments a tier scans (the anchored records', the field-bound fields), copied out of the batch's
  // views so that the tier scans them in one call per view: a call per record cost more than the scan itself.
  std::vector<std::uint32_t> gathered_segments_;  // by gathered segment: the batch's segment
  std::array<BatchView, kViewCount> gathered_views_;
  std::array<BatchView, kViewCount> views_;
  std::string repaired_;  // a field's bytes with invalid UTF-8 replaced, same offsets
  std::vector<std::uint32_t>
      numeral_positions_;  // where the skeleton's numerals start, for the numerals view
  std::vector<std::pair<std::uint32_t, std::uint32_t>>
      windows_;  // where the locator runs, in a view's buffer

  // Match bookkeeping.
  std::size_t counted_segment_ = kNoSegment;
  std::uint32_t field_epoch_ = 0;  // bumped whenever matches move to another field: resets per-leaf counts
  std::vector<std::uint32_t> leaf_count_epoch_, leaf_count_;
  bool stream_mode_ = false;             // matches that may be fresh are counted apart
  std::uint32_t stream_fresh_from_ = 0;  // in the field: matches ending after here may be fresh
  std::vector<Event> events_;
  std::vector<Event> grouped_events_;  // events, grouped by record
  std::vector<std::uint32_t>
      record_event_begin_;  // by record: where its events start; one more marks the end
  std::vector<std::uint32_t> next_slot_;
};

}  // namespace qinglang::detail
