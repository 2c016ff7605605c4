// The stream path. A stream carries the end of its text; each write appends the message and scans the carried
// text and the message as one field, with the record path's machinery, so normalization, every view and every
// check see across the boundary exactly as they would in the whole text. Carrying the longest match's worth
// of text (the compiler measures it) makes the result independent of where the text was cut.
//
// A match is decided once, by the first write after which it ends in the decided part of the text: all of it
// but a trailing incomplete character, and for matches that look past their end (pinyin forms must not run on
// into letters, a look-alike must not be the real name) all but the last few bytes. Rules are evaluated over
// the decided matches in the carried text and report only what a fresh match takes part in.
#include "qinglang/stream.h"

#include <cmath>

#include "base/hash.h"
#include "base/utf8.h"
#include "scan/stream_writer.h"

namespace qinglang {
namespace detail {
namespace {

// Where the last complete character of `text` ends: a chunk may stop inside one.
std::size_t complete_prefix(std::string_view text) {
  std::size_t n = text.size();
  for (std::size_t back = 1; back <= 4 && back <= n; ++back) {
    char byte = text[n - back];
    if (is_continuation_byte(byte)) continue;
    return back < sequence_length(static_cast<unsigned char>(byte)) ? n - back : n;
  }
  return n;
}

// A flood keeps one line in the table, however many other lines pass between its repeats.
constexpr std::size_t kRecentLines = 8;

// A match spread over more messages than this is not an evasion anyone types.
constexpr std::size_t kMaxCarriedMessages = 32;

// The part of a view that the text from `start` (in the scanned field) became: the view's characters from the
// first whose origin is at or after it, up to the separator.
std::string_view message_view(const ViewText& text, std::uint32_t start) {
  std::string_view chars = text.text();
  if (chars.empty()) return {};
  std::size_t end = chars.size() - 1;  // the separator
  std::size_t first = end;
  for (std::size_t i = end; i > 0;) {
    --i;
    if (is_continuation_byte(chars[i])) continue;
    if (text.origin(i) < start) break;
    first = i;
  }
  return chars.substr(first, end - first);
}

}  // namespace
}  // namespace detail

using detail::StreamState;

Stream::Stream() : state_(std::make_unique<StreamState>()) {}
Stream::~Stream() = default;
Stream::Stream(Stream&&) noexcept = default;
Stream& Stream::operator=(Stream&&) noexcept = default;

const StreamSummary& Stream::summary() const noexcept {
  return state_->summary;
}

bool Stream::closed() const noexcept {
  return state_->closed;
}

std::size_t Stream::memory_bytes() const noexcept {
  const StreamState& s = *state_;
  std::size_t bytes = sizeof(Stream) + sizeof(StreamState) + s.text.capacity() +
                      s.messages.capacity() * sizeof(StreamState::MessageStart) +
                      s.window_hits.capacity() * sizeof(s.window_hits[0]) +
                      s.recent_lines.capacity() * sizeof(StreamState::RecentLine);
  for (const auto& seen : s.window_hits)
    bytes += seen.capacity() * sizeof(StreamState::Occurrence);
  for (const StreamState::RecentLine& line : s.recent_lines)
    bytes += line.seen.capacity() * sizeof(StreamState::Occurrence);
  return bytes;
}

namespace detail {

const StreamVerdict& StreamWriter::write(StreamState& s, const StreamMessage& message, bool closing,
                                         Matcher& matcher, Evaluator& evaluator) {
  StreamVerdict& v = verdict_;
  v.seq = closing ? s.summary.last_seq : message.seq;
  v.decision = Decision::pass;
  v.categories = CategorySet();
  v.hits.clear();
  v.windows.clear();
  v.stream_decision = s.summary.decision;
  v.error = {};
  parts_.clear();
  if (!matcher.ready()) {
    v.error = "could not allocate Hyperscan scratch space";
    return v;
  }
  if (s.closed) {
    v.error = "the stream is closed";
    return v;
  }
  if (!closing && refuse_message(s, message)) return v;

  if (closing) {
    s.closed = true;
  } else {
    StreamSummary& summary = s.summary;
    if (summary.messages == 0) {
      summary.first_seq = message.seq;
      summary.first_ts = message.ts;
      s.window_hits.resize(data_->window_rules.size());
    }
    ++summary.messages;
    summary.bytes += message.text.size();
    summary.last_seq = message.seq;
    summary.last_ts = message.ts;
    s.messages.push_back({message.seq, s.base + s.text.size()});
    s.text.append(message.text);
  }

  scan_stream_text(s, closing, matcher, evaluator);
  report_stream_hits(s, evaluator);
  if (!closing) {
    count_window_hits(s, message, evaluator.categories());
    count_repeats(s, message, matcher, evaluator.categories());
  }

  StreamSummary& summary = s.summary;
  summary.hits += v.hits.size();
  summary.window_hits += v.windows.size();
  summary.decision = std::max(summary.decision, v.decision);
  for (Category category : kAllCategories)
    if (v.categories.contains(category)) summary.categories.insert(category);
  v.stream_decision = summary.decision;

  if (closing) {
    s.text = {};
    s.messages = {};
    s.window_hits = {};
    s.recent_lines = {};
  } else {
    trim_stream(s, matcher);
  }
  return v;
}

bool StreamWriter::refuse_message(const StreamState& s, const StreamMessage& message) {
  std::string& why = error_;
  why.clear();
  const StreamSummary& summary = s.summary;
  if (!std::isfinite(message.ts)) {
    why = "ts must be a finite number of seconds";
  } else if (message.text.size() > UINT32_MAX / 4) {
    why = "a message may hold at most 1 GiB";
  } else if (summary.messages > 0 && message.seq <= summary.last_seq) {
    why = "out of order: seq " + std::to_string(message.seq) + " does not follow the stream's last seq " +
          std::to_string(summary.last_seq);
  } else if (summary.messages > 0 && message.ts < summary.last_ts) {
    why = "out of order: ts " + std::to_string(message.ts) + " is before the stream's last ts " +
          std::to_string(summary.last_ts);
  }
  verdict_.error = why;
  return !why.empty();
}

void StreamWriter::scan_stream_text(StreamState& s, bool closing, Matcher& matcher, Evaluator& evaluator) {
  std::uint64_t total = s.base + s.text.size();
  std::uint64_t plain_limit = closing ? total : s.base + complete_prefix(s.text);
  std::size_t right_context = data_->stats.stream_right_context_bytes;
  std::uint64_t context_limit =
      closing ? total
              : std::max(s.decided_context, plain_limit > right_context ? plain_limit - right_context : 0);
  std::uint64_t fresh_from = std::min(s.decided, s.decided_context);

  stream_record_.clear();
  stream_record_.add_text("text", s.text);
  matcher.match_stream_text(stream_record_,
                            static_cast<std::uint32_t>(fresh_from > s.base ? fresh_from - s.base : 0));

  std::vector<Event>& events = matcher.events();
  std::erase_if(events, [&](Event& e) {
    std::uint64_t end = s.base + e.end;
    bool looks_past_end =
        e.evasion == Evasion::pinyin || data_->model.leaves[e.leaf].kind == PatternKind::lookalike;
    std::uint64_t limit = looks_past_end ? context_limit : plain_limit;
    std::uint64_t decided_before = looks_past_end ? s.decided_context : s.decided;
    e.fresh = end > decided_before;
    return end > limit;
  });
  std::sort(events.begin(), events.end());
  // A match that grew (扣扣12345 decided, then 扣扣123456 when the next message came) was reported already.
  for (std::size_t i = 1; i < events.size(); ++i) {
    const Event& before = events[i - 1];
    Event& e = events[i];
    if (e.fresh && before.leaf == e.leaf && before.start == e.start && !before.fresh) e.fresh = false;
  }
  evaluator.evaluate_stream(stream_record_, events);
  s.decided = plain_limit;
  s.decided_context = context_limit;
}

void StreamWriter::report_stream_hits(StreamState& s, const Evaluator& evaluator) {
  StreamVerdict& v = verdict_;
  std::string_view text = stream_record_.size() > 0 ? stream_record_.field(0).text : std::string_view();
  std::uint64_t total = s.base + s.text.size();
  hit_rules_.clear();
  part_begin_.clear();
  for (const Firing& firing : evaluator.firings()) {
    const Span& span = firing.span;
    if (span.field == kAnyField) continue;
    const Rule& rule = data_->model.rules[firing.rule];
    std::uint64_t start = s.base + span.start, end = s.base + span.end;
    part_begin_.push_back(static_cast<std::uint32_t>(parts_.size()));
    for (std::size_t m = 0; m < s.messages.size(); ++m) {
      std::uint64_t message_start = s.messages[m].global;
      std::uint64_t message_end = m + 1 < s.messages.size() ? s.messages[m + 1].global : total;
      std::uint64_t from = std::max(start, message_start), to = std::min(end, message_end);
      if (from >= to) continue;
      parts_.push_back({s.messages[m].seq, static_cast<std::uint32_t>(from - message_start),
                        static_cast<std::uint32_t>(to - message_start),
                        text.substr(from - s.base, to - from)});
    }
    RuleRef ref = rule_ref(rule);
    ref.action = firing.action;
    v.hits.push_back({ref, to_string(span.evasion), {}, rule.score, firing.item_score});
    hit_rules_.push_back(firing.rule);
    v.categories.insert(rule.category);
    v.decision = std::max(v.decision, decision_for(firing.action));
  }
  part_begin_.push_back(static_cast<std::uint32_t>(parts_.size()));
  for (std::size_t h = 0; h < v.hits.size(); ++h)
    v.hits[h].parts =
        std::span<const StreamPart>(parts_.data() + part_begin_[h], part_begin_[h + 1] - part_begin_[h]);
}

namespace {

// Whether an occurrence has left the window of a message (index `message`, time `ts`).
bool outside(const Window& window, const StreamState::Occurrence& o, std::uint64_t message, double ts) {
  return (window.messages != 0 && message - o.message >= window.messages) ||
         (window.seconds > 0 && ts - o.ts > window.seconds);
}

void drop_outside(const Window& window, std::vector<StreamState::Occurrence>& seen, std::uint64_t message,
                  double ts) {
  auto first_inside = std::find_if(seen.begin(), seen.end(), [&](const StreamState::Occurrence& o) {
    return !outside(window, o, message, ts);
  });
  seen.erase(seen.begin(), first_inside);
}

}  // namespace

void StreamWriter::count_window_hits(StreamState& s, const StreamMessage& message, CategorySet categories) {
  std::uint64_t index = s.summary.messages - 1;
  for (std::size_t w = 0; w < data_->window_rules.size(); ++w) {
    const Rule& rule = data_->model.rules[data_->window_rules[w]];
    const Window& window = *rule.window;
    if (window.kind != Window::Kind::hits || !categories.contains(rule.category)) continue;
    std::vector<StreamState::Occurrence>& seen = s.window_hits[w];
    // A message counts once, however many of the counted rules fire on it: neighbouring rules overlap, and
    // one message tripping three of them is not persistence.
    bool counted = std::any_of(hit_rules_.begin(), hit_rules_.end(), [&](std::uint32_t hit_rule) {
      return std::binary_search(window.rules.begin(), window.rules.end(), hit_rule);
    });
    if (!counted) continue;
    seen.push_back({index, message.seq, message.ts});
    drop_outside(window, seen, index, message.ts);
    if (seen.size() >= window.count) {
      fire_window(data_->window_rules[w], static_cast<std::uint32_t>(seen.size()), seen.front().seq,
                  seen.back().seq);
      seen.clear();
    }
  }
}

void StreamWriter::count_repeats(StreamState& s, const StreamMessage& message, const Matcher& matcher,
                                 CategorySet categories) {
  std::uint32_t most_repeats = data_->most_repeats;
  if (most_repeats == 0) return;

  // Nearly the same message is the same skeleton: 主播好棒！！ and 主播 好棒～ repeat each other. The write
  // has normalized the message already: it is the end of each view, from its first character on.
  // (Rules that match only the raw text leave the views unbuilt: then the message is normalized on its own.)
  std::string_view line;
  if (matcher.view(View::folded).text.size > 0) {
    auto message_start = static_cast<std::uint32_t>(s.messages.back().global - s.base);
    line = message_view(matcher.view(View::skeleton).text, message_start);
    if (line.empty()) line = message_view(matcher.view(View::folded).text, message_start);
  } else {
    line_folded_.size = 0;
    line_skeleton_.size = 0;
    Normalizer::instance().normalize(message.text, line_folded_, line_skeleton_);
    line = line_skeleton_.size > 0 ? line_skeleton_.text() : line_folded_.text();
  }
  if (line.empty()) return;
  Hasher hash;
  hash.add(line);

  std::uint64_t index = s.summary.messages - 1;
  auto it = std::find_if(s.recent_lines.begin(), s.recent_lines.end(),
                         [&](const StreamState::RecentLine& l) { return l.hash == hash.value(); });
  if (it == s.recent_lines.end()) {
    if (s.recent_lines.size() < kRecentLines) {
      s.recent_lines.push_back({hash.value(), {}});
      it = s.recent_lines.end() - 1;
    } else {
      it = std::min_element(s.recent_lines.begin(), s.recent_lines.end(), [](const auto& a, const auto& b) {
        return (a.seen.empty() ? 0 : a.seen.back().message + 1) <
               (b.seen.empty() ? 0 : b.seen.back().message + 1);
      });
      it->hash = hash.value();
      it->seen.clear();
    }
  }
  std::vector<StreamState::Occurrence>& seen = it->seen;
  seen.push_back({index, message.seq, message.ts});
  if (seen.size() > most_repeats) seen.erase(seen.begin());

  for (std::uint32_t r : data_->window_rules) {
    const Rule& rule = data_->model.rules[r];
    const Window& window = *rule.window;
    if (window.kind != Window::Kind::repeats || !categories.contains(rule.category)) continue;
    std::size_t inside = static_cast<std::size_t>(std::find_if(seen.rbegin(), seen.rend(),
                                                               [&](const StreamState::Occurrence& o) {
                                                                 return outside(window, o, index, message.ts);
                                                               }) -
                                                  seen.rbegin());
    if (inside < window.count) continue;
    fire_window(r, window.count, seen[seen.size() - window.count].seq, seen.back().seq);
    seen.clear();
    break;
  }
}

// Reports a window rule that `count` messages, from `first_seq` to `last_seq`, filled.
void StreamWriter::fire_window(std::uint32_t rule_index, std::uint32_t count, std::uint64_t first_seq,
                               std::uint64_t last_seq) {
  const Rule& rule = data_->model.rules[rule_index];
  verdict_.windows.push_back({rule_ref(rule), count, first_seq, last_seq});
  verdict_.categories.insert(rule.category);
  verdict_.decision = std::max(verdict_.decision, decision_for(rule.action));
}

// Keeps what a match ending after the earliest undecided byte may need: in each scanned view, the view's
// reach back from there, mapped to the original. Plain text needs far less than evasive text, and carries
// less.
void StreamWriter::trim_stream(StreamState& s, const Matcher& matcher) const {
  std::uint64_t undecided_global = std::min(s.decided, s.decided_context);
  if (undecided_global <= s.base) return;
  auto undecided = static_cast<std::size_t>(undecided_global - s.base);
  std::size_t cut = undecided;
  for (std::size_t v = 0; v < kViewCount; ++v) {
    if (data_->views[v].empty()) continue;
    std::size_t reach = data_->stream_reach[v];
    if (v == static_cast<std::size_t>(View::raw)) {
      cut = std::min(cut, undecided > reach ? undecided - reach : 0);
      continue;
    }
    const ViewText& view = matcher.view(static_cast<View>(v)).text;
    std::string_view text = view.text();
    std::size_t p = text.empty() ? 0 : text.size() - 1;  // the separator
    while (p > 0) {
      std::size_t q = p - 1;
      while (q > 0 && is_continuation_byte(text[q]))
        --q;
      if (view.origin(q) < undecided) break;
      p = q;
    }
    std::size_t r = p > reach ? p - reach : 0;
    while (r > 0 && is_continuation_byte(text[r]))
      --r;
    if (r < p) cut = std::min<std::size_t>(cut, view.origin(r));
  }
  cut = std::max(cut, undecided > kMaxStreamHistory ? undecided - kMaxStreamHistory : 0);
  // A flood of one-character messages would otherwise cost a message start per character carried.
  if (s.messages.size() > kMaxCarriedMessages) {
    std::uint64_t oldest_kept = s.messages[s.messages.size() - kMaxCarriedMessages].global;
    cut = std::max<std::size_t>(cut, std::min<std::uint64_t>(undecided, oldest_kept - s.base));
  }
  for (int i = 0; i < 3 && cut < s.text.size() && is_continuation_byte(s.text[cut]); ++i)
    ++cut;
  if (cut == 0) return;
  s.text.erase(0, cut);
  s.base += cut;
  if (s.text.capacity() > 4 * s.text.size() + 1024) s.text.shrink_to_fit();
  std::size_t gone = 0;
  while (gone + 1 < s.messages.size() && s.messages[gone + 1].global <= s.base)
    ++gone;
  s.messages.erase(s.messages.begin(), s.messages.begin() + static_cast<std::ptrdiff_t>(gone));
}

}  // namespace detail
}  // namespace qinglang
