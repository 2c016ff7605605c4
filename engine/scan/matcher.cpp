// Records are matched in batches: every field's views are appended to one buffer per view, with a separator
// between fields, so Hyperscan is called once per view for the whole batch (its fixed cost per call dominates
// short records). Each match is attributed to its field by offset; a match that crosses a separator is
// dropped. The anchor tier of the databases runs over the whole batch; the deferred tier only over the
// records where an anchor matched, gathered into one buffer (compiled_rule_set.h).
#include "scan/matcher.h"

#include <bit>
#include <tuple>

#include "base/utf8.h"
#include "classify/model_features.h"

namespace qinglang::detail {
namespace {

std::uint8_t category_bit(Category category) {
  return static_cast<std::uint8_t>(1u << static_cast<unsigned>(category));
}

}  // namespace

Matcher::Matcher(const CompiledRuleSetData& data) : data_(&data) {
  leaf_count_epoch_.assign(data.model.leaves.size(), 0);
  leaf_count_.assign(data.model.leaves.size(), 0);
  hs_scratch_t* clone = nullptr;
  if (data.scratch && hs_clone_scratch(data.scratch.get(), &clone) != HS_SUCCESS) scratch_failed_ = true;
  scratch_.reset(clone);
}

void Matcher::match_batch(std::span<const Record> records) {
  events_.clear();
  records_ = records;
  build_views(records);
  scan_views();
  group_events(records.size());
  records_ = {};
}

// Grouped by record first (a counting sort), then each record's few events sorted: one sort of the whole
// batch's events cost more than every scan callback together.
void Matcher::group_events(std::size_t record_count) {
  record_event_begin_.assign(record_count + 1, 0);
  for (const Event& e : events_)
    ++record_event_begin_[e.record + 1];
  for (std::size_t r = 1; r < record_event_begin_.size(); ++r)
    record_event_begin_[r] += record_event_begin_[r - 1];
  grouped_events_.resize(events_.size());
  next_slot_.assign(record_event_begin_.begin(), record_event_begin_.end() - 1);
  for (const Event& e : events_)
    grouped_events_[next_slot_[e.record]++] = e;
  events_.swap(grouped_events_);
  for (std::size_t r = 0; r < record_count; ++r)
    if (record_anchored_[r])
      std::sort(events_.begin() + record_event_begin_[r], events_.begin() + record_event_begin_[r + 1]);
}

void Matcher::match_stream_text(const Record& text, std::uint32_t fresh_from) {
  stream_mode_ = true;
  stream_fresh_from_ = fresh_from;
  events_.clear();
  build_views(std::span<const Record>(&text, 1));
  scan_views();
  stream_mode_ = false;
}

void Matcher::add_event(std::size_t segment, std::uint32_t leaf, std::uint32_t start, std::uint32_t end,
                        Evasion evasion) {
  if (!categories_.contains(data_->leaf_category[leaf])) return;
  // A gate's words only say that the matcher should ask the model (compiled_rule_set.h): a batch keeps no
  // event of them, a stream evaluates them as any words.
  if (std::uint32_t gate = data_->leaf_gate[leaf]; gate != UINT32_MAX && !stream_mode_) {
    gate_states_[segments_[segment].record * data_->model_gates.size() + gate] |= kGateWords;
    return;
  }
  if (segment != counted_segment_) {
    counted_segment_ = segment;
    ++field_epoch_;
  }
  if (leaf_count_epoch_[leaf] != field_epoch_) {
    leaf_count_epoch_[leaf] = field_epoch_;
    leaf_count_[leaf] = 0;
  }
  // A stream counts the matches that may be fresh apart (high half), so a flood in the text carried from
  // earlier messages cannot crowd out the new ones.
  unsigned half = stream_mode_ && end > stream_fresh_from_ ? 16 : 0;
  if (quota_full(segment, leaf, half)) return;
  leaf_count_[leaf] += 1u << half;
  const Segment& s = segments_[segment];
  if (data_->leaf_anchor[leaf] == kAnchorLeaf)
    record_anchored_[s.record] |= category_bit(data_->leaf_category[leaf]);
  events_.push_back({s.record, leaf, s.field, start, end, evasion});
}

void Matcher::take_match(const ScanContext& c, std::uint32_t leaf, std::uint32_t start, std::uint32_t end,
                         Form form, std::string_view exact_name) {
  const BatchView& batch = *c.batch;
  std::size_t position = c.segment != kNoSegment ? c.segment : batch.segment_at(end - 1);
  std::uint32_t begin = batch.begin[position];
  if (start < begin || end > batch.content_end(position) || start == end) return;
  std::size_t segment = c.segment_map != nullptr ? c.segment_map[position] : position;
  // A word repeated all over a long document fills its quota early: add_event would drop the rest, so mapping
  // them back to the original first is wasted. (A stream's count depends on where the match ends in the
  // original, known only once mapped.)
  if (!stream_mode_ && quota_full(segment, leaf, 0)) return;
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
      c.view >= View::skeleton ? Normalizer::longest_noise_run(batch.text, start, end) : 0;
  if (noise_run > kMaxNoiseRun) return;
  if (form == Form::pinyin && c.view < View::skeleton && !stands_alone(text, local_start, local_end)) return;

  std::string_view original = segments_[segment].original;
  std::uint32_t original_start = local_start, original_end = local_end;
  View view = View::raw;
  if (c.view != View::raw) {
    std::tie(original_start, original_end) = Normalizer::original_span(batch.text, original, start, end);
    // The skeleton drops the spaces between words ("i like kai he" is "ilikekaihe" there): whether a pinyin
    // form runs into other letters is told by the original.
    if (form == Form::pinyin && c.view >= View::skeleton &&
        !stands_alone(original, original_start, original_end))
      return;
    bool unchanged = original.substr(original_start, original_end - original_start) ==
                     text.substr(local_start, local_end - local_start);
    // Name what the match needed: nothing, folding alone (no noise dropped inside it), or the skeleton.
    if (unchanged) {
      view = View::raw;
    } else if (c.view == View::skeleton && noise_run == 0) {
      view = View::folded;
    } else {
      view = c.view;
    }
  }
  add_event(segment, leaf, original_start, original_end, evasion_of(view, form));
}

int Matcher::on_literal(unsigned int id, unsigned long long, unsigned long long to, unsigned int,
                        void* context) {
  auto& c = *static_cast<ScanContext*>(context);
  const ViewDatabases& dbs = c.matcher->databases(c.view);
  auto end = static_cast<std::uint32_t>(to) + c.base;
  std::uint32_t start = end - dbs.literal_length[id];
  Matcher& m = *c.matcher;
  // A gate's words count once per record (add_event), and the common ones (学生, 孩子) are the words of many
  // gates and match all over a batch: once a gate has its record, its leaves are skipped here, before any
  // work on the match. With the gates as a mask, that is one test whatever the number of gates.
  std::size_t gates = m.data_->model_gates.size();
  std::size_t record = SIZE_MAX;
  auto record_of_match = [&] {
    std::size_t position = c.segment != kNoSegment ? c.segment : c.batch->segment_at(end - 1);
    std::size_t segment = c.segment_map != nullptr ? c.segment_map[position] : position;
    return m.segments_[segment].record;
  };
  if (!dbs.literal_gates.empty() && !m.stream_mode_) {
    if (std::uint64_t word_of = dbs.literal_gates[id] & m.scanned_gates_) {
      record = record_of_match();
      std::uint64_t& seen = m.gate_words_[record];
      for (std::uint64_t fresh = word_of & ~seen; fresh != 0; fresh &= fresh - 1)
        m.gate_states_[record * gates + static_cast<std::size_t>(std::countr_zero(fresh))] |= kGateWords;
      seen |= word_of;
    }
    for (std::uint32_t i = dbs.literal_word_targets_offset[id]; i < dbs.literal_word_targets_offset[id + 1];
         ++i) {
      const LiteralTarget& target = dbs.literal_word_targets[i];
      if (c.serves(target.leaf)) m.take_match(c, target.leaf, start, end, target.form, {});
    }
    return 0;
  }
  for (std::uint32_t i = dbs.literal_targets_offset[id]; i < dbs.literal_targets_offset[id + 1]; ++i) {
    const LiteralTarget& target = dbs.literal_targets[i];
    if (!c.serves(target.leaf)) continue;
    if (std::uint32_t gate = m.data_->leaf_gate[target.leaf]; gate != UINT32_MAX && !m.stream_mode_) {
      if (record == SIZE_MAX) record = record_of_match();
      if (m.gate_states_[record * gates + gate] & kGateWords) continue;
    }
    m.take_match(c, target.leaf, start, end, target.form, {});
  }
  return 0;
}

int Matcher::on_regex(unsigned int id, unsigned long long from, unsigned long long to, unsigned int,
                      void* context) {
  auto& c = *static_cast<ScanContext*>(context);
  const RegexTarget& target = c.matcher->databases(c.view).regex_targets[id];
  auto end = static_cast<std::uint32_t>(to) + c.base;
  if (c.accept_begin != nullptr && !std::binary_search(c.accept_begin, c.accept_end, Detection{end, id}))
    return 0;
  for (std::uint32_t leaf : target.leaves)
    if (c.serves(leaf))
      c.matcher->take_match(c, leaf, static_cast<std::uint32_t>(from) + c.base, end, Form::word,
                            target.exact_name);
  return 0;
}

int Matcher::on_detect(unsigned int id, unsigned long long, unsigned long long to, unsigned int,
                       void* context) {
  auto& c = *static_cast<ScanContext*>(context);
  c.batch->detections.push_back({static_cast<std::uint32_t>(to), id});
  return 0;
}

void Matcher::build_views(std::span<const Record> records) {
  segments_.clear();
  segment_field_bound_.clear();
  record_segments_.clear();
  record_anchored_.assign(records.size(), 0);
  gate_states_.assign(records.size() * data_->model_gates.size(), 0);
  gate_words_.assign(records.size(), 0);
  scanned_gates_ = 0;
  for (std::size_t g = 0; g < data_->model_gates.size() && g < 64; ++g)
    if (categories_.contains(data_->model.rules[data_->model_gates[g].rule].category))
      scanned_gates_ |= std::uint64_t{1} << g;
  for (BatchView& view : views_) {
    view.text.size = 0;
    view.begin.clear();
  }
  bool raw = !databases(View::raw).empty();
  bool normalized = !databases(View::folded).empty() || !databases(View::skeleton).empty() ||
                    !databases(View::numerals).empty();
  BatchView& raw_view = views_[static_cast<std::size_t>(View::raw)];
  BatchView& folded = views_[static_cast<std::size_t>(View::folded)];
  BatchView& skeleton = views_[static_cast<std::size_t>(View::skeleton)];
  bool numerals = !databases(View::numerals).empty();
  numeral_positions_.clear();
  for (std::size_t r = 0; r < records.size(); ++r) {
    record_segments_.push_back(static_cast<std::uint32_t>(segments_.size()));
    for (std::size_t f = 0; f < records[r].size(); ++f) {
      FieldView field = records[r].field(f);
      if (field.type != ValueType::text || field.text.empty()) continue;
      segments_.push_back({static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(f), field.text});
      if (!data_->field_bound_rules.empty()) segment_field_bound_.push_back(names_field_bound(field.key));
      if (raw) {
        std::string_view text = field.text;
        if (!is_valid_utf8(text)) {
          // Hyperscan's UTF-8 mode is undefined on invalid input; a same-length repair keeps every offset
          // valid.
          replace_invalid_bytes(text, '?', repaired_);
          text = repaired_;
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
        Normalizer::instance().normalize(field.text, folded.text, skeleton.text,
                                         numerals ? &numeral_positions_ : nullptr);
        Normalizer::append_separator(folded.text);
        Normalizer::append_separator(skeleton.text);
      }
    }
  }
  record_segments_.push_back(static_cast<std::uint32_t>(segments_.size()));
  for (BatchView& view : views_)
    view.begin.push_back(static_cast<std::uint32_t>(view.text.size));
  if (numerals) {
    BatchView& view = views_[static_cast<std::size_t>(View::numerals)];
    Normalizer::instance().numerals(skeleton.text, numeral_positions_, view.text);
    // Each numeral became one byte from three: a boundary moves back two bytes for each numeral before it.
    view.begin.clear();
    std::size_t before = 0;
    for (std::uint32_t begin : skeleton.begin) {
      while (before < numeral_positions_.size() && numeral_positions_[before] < begin)
        ++before;
      view.begin.push_back(static_cast<std::uint32_t>(begin - 2 * before));
    }
  }
}

void Matcher::scan_views() {
  for (std::size_t v = 0; v < kViewCount; ++v) {
    counted_segment_ = kNoSegment;
    scan_buffer(static_cast<View>(v), kAnchorTier, views_[v], nullptr);
  }
  gather_field_bound_segments();
  scan_gathered(kFieldBoundTier);
  score_model_gates();
  scan_deferred();
}

void Matcher::score_model_gates() {
  std::size_t stride = data_->gate_scores_stride;
  if (stride == 0 || records_.empty()) return;
  gate_scores_.assign(records_.size() * stride, -1.0f);
  const RuleSetModel& model = data_->model;
  const std::size_t gates = data_->model_gates.size();
  const BatchView& folded = views_[static_cast<std::size_t>(View::folded)];
  bool folded_built = folded.begin.size() == segments_.size() + 1;
  for (std::size_t r = 0; r < records_.size(); ++r) {
    std::uint8_t* states = gate_states_.data() + r * gates;
    // A gate asks the model where its category is scanned and its words matched (or it has none).
    auto asks = [&](std::size_t g) {
      const ModelGate& gate = data_->model_gates[g];
      return categories_.contains(model.rules[gate.rule].category) &&
             (gate.words == kNoNode || (states[g] & kGateWords));
    };
    bool wanted = false;
    for (std::size_t g = 0; g < gates && !wanted; ++g)
      wanted = asks(g);
    if (!wanted) continue;
    float* scores = gate_scores_.data() + r * stride;
    for (std::size_t file = 0; file < data_->gate_file_offset.size(); ++file) {
      std::uint32_t offset = data_->gate_file_offset[file];
      if (offset == UINT32_MAX) continue;
      // The record's fields are folded in the batch's folded view already, one after another with a
      // separator between them, as model_text() joins them with newlines.
      const Classifier& classifier = *data_->classifiers[file];
      if (folded_built) {
        std::uint32_t from = folded.begin[record_segments_[r]], to = folded.begin[record_segments_[r + 1]];
        classifier.score_folded(folded.text.text().substr(from, to - from), classifier_scratch_,
                                probabilities_);
      } else {
        classifier.score(model_text_of(records_[r], model_input_), classifier_scratch_, probabilities_);
      }
      std::copy(probabilities_.begin(), probabilities_.end(), scores + offset);
    }
    for (std::size_t g = 0; g < gates; ++g) {
      const ModelGate& gate = data_->model_gates[g];
      const ModelPart& part = model.model_parts[gate.part];
      auto label = static_cast<std::size_t>(data_->model_part_labels[gate.part]);
      if (asks(g) && scores[data_->gate_file_offset[part.file] + label] >= part.min) {
        states[g] |= kGateHeld;
        record_anchored_[r] |= category_bit(model.rules[gate.rule].category);
      }
    }
  }
}

bool Matcher::names_field_bound(std::string_view key) {
  for (const auto& [known, bound] : field_bound_keys_)
    if (known == key) return bound;
  bool bound = std::any_of(data_->field_bound_rules.begin(), data_->field_bound_rules.end(),
                           [&](std::uint32_t rule) { return data_->model.rules[rule].applies_to(key); });
  if (field_bound_keys_.size() >= 64) field_bound_keys_.clear();
  field_bound_keys_.emplace_back(key, bound);
  return bound;
}

// Each category's deferred tier runs over the records where an anchor of that category matched, unless that
// would scan the anchored records more than twice over: then the tier of all deferred patterns runs once.
void Matcher::scan_deferred() {
  std::size_t once = 0, per_category = 0;
  for (std::size_t r = 0; r < record_anchored_.size(); ++r) {
    if (record_anchored_[r] == 0) continue;
    std::size_t bytes = 0;
    for (std::uint32_t s = record_segments_[r]; s < record_segments_[r + 1]; ++s)
      bytes += segments_[s].original.size();
    once += bytes;
    per_category += bytes * static_cast<std::size_t>(std::popcount(record_anchored_[r]));
  }
  if (once == 0) return;
  if (per_category > 2 * once) {
    gather_anchored_segments(0xFF);
    scan_gathered(kAllDeferredTier);
    return;
  }
  for (Category category : kAllCategories) {
    gather_anchored_segments(category_bit(category));
    scan_gathered(deferred_tier(category));
  }
}

// One tier over the segments_ in gathered_segments_: in place when they are every segment of the batch,
// otherwise gathered into one buffer, one call per view.
void Matcher::scan_gathered(Tier tier) {
  if (gathered_segments_.empty()) return;
  for (std::size_t v = 0; v < kViewCount; ++v) {
    auto view = static_cast<View>(v);
    if (databases(view).tiers[tier].empty()) continue;
    counted_segment_ = kNoSegment;
    if (gathered_segments_.size() == segments_.size()) {
      scan_buffer(view, tier, views_[v], nullptr);
      continue;
    }
    gather_view(views_[v], gathered_views_[v]);
    scan_buffer(view, tier, gathered_views_[v], gathered_segments_.data());
  }
}

void Matcher::gather_field_bound_segments() {
  gathered_segments_.clear();
  for (std::uint32_t s = 0; s < segment_field_bound_.size(); ++s)
    if (segment_field_bound_[s]) gathered_segments_.push_back(s);
}

void Matcher::gather_anchored_segments(std::uint8_t categories) {
  gathered_segments_.clear();
  for (std::size_t r = 0; r < record_anchored_.size(); ++r)
    if (record_anchored_[r] & categories)
      for (std::uint32_t s = record_segments_[r]; s < record_segments_[r + 1]; ++s)
        gathered_segments_.push_back(s);
}

void Matcher::gather_view(const BatchView& from, BatchView& to) const {
  to.text.size = 0;
  to.begin.clear();
  for (std::uint32_t s : gathered_segments_) {
    to.begin.push_back(static_cast<std::uint32_t>(to.text.size));
    to.text.append(from.text, from.begin[s], from.begin[s + 1] - from.begin[s]);
  }
  to.begin.push_back(static_cast<std::uint32_t>(to.text.size));
}

void Matcher::scan_buffer(View view, Tier tier, BatchView& batch, const std::uint32_t* segment_map) {
  const TierDatabases& dbs = databases(view).tiers[tier];
  if (dbs.empty() || batch.text.size == 0) return;
  std::string_view text = batch.text.text();
  auto length = static_cast<unsigned int>(text.size());
  ScanContext context{this, view, tier, &batch, segment_map, 0, kNoSegment};
  if (dbs.literals) hs_scan(dbs.literals.get(), text.data(), length, 0, scratch_.get(), on_literal, &context);
  if (!dbs.regex_detector) return;
  batch.detections.clear();
  hs_scan(dbs.regex_detector.get(), text.data(), length, 0, scratch_.get(), on_detect, &context);
  std::sort(batch.detections.begin(), batch.detections.end());
  locate(view, tier, batch, segment_map);
}

// The locator reports start offsets, which costs: it runs only where the detector found something, and only
// as far back from each end as the longest match of that pattern (to the start of the field when unbounded).
void Matcher::locate(View view, Tier tier, BatchView& batch, const std::uint32_t* segment_map) {
  const ViewDatabases& dbs = databases(view);
  hs_database_t* locator = dbs.tiers[tier].regex_locator.get();
  const char* text = batch.text.text().data();
  const std::vector<Detection>& found = batch.detections;
  for (std::size_t first = 0; first < found.size();) {
    std::size_t s = batch.segment_at(found[first].end - 1);
    std::uint32_t begin = batch.begin[s], end = batch.content_end(s);
    std::size_t last = first;
    windows_.clear();
    for (; last < found.size() && found[last].end <= batch.begin[s + 1]; ++last) {
      std::uint32_t width = dbs.regex_targets[found[last].pattern].max_width;
      std::uint32_t stop = std::min(found[last].end, end);
      windows_.push_back({width != UINT32_MAX && stop > begin + width ? stop - width : begin, stop});
    }
    std::sort(windows_.begin(), windows_.end());
    for (std::size_t w = 0; w < windows_.size();) {
      auto [from, to] = windows_[w];
      for (++w; w < windows_.size() && windows_[w].first <= to; ++w)
        to = std::max(to, windows_[w].second);
      ScanContext context{
          this, view, tier, &batch, segment_map, from, s, found.data() + first, found.data() + last};
      hs_scan(locator, text + from, to - from, 0, scratch_.get(), on_regex, &context);
    }
    first = last;
  }
}
}  // namespace qinglang::detail
