#include "qinglang/stream_router.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "qinglang/scanner.h"

namespace qinglang {
namespace {

// Lets the maps keyed by id be searched with a string_view, without making a string of it.
struct IdHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view id) const noexcept { return std::hash<std::string_view>{}(id); }
};

template <typename Value>
using IdMap = std::unordered_map<std::string, Value, IdHash, std::equal_to<>>;

}  // namespace

std::string_view to_string(StreamCloseReason reason) noexcept {
  constexpr std::array<std::string_view, 5> kNames = {"closed", "idle", "too_long", "evicted",
                                                      "end_of_input"};
  return kNames[static_cast<std::size_t>(reason)];
}

struct StreamRouter::State {
  struct OpenStream {
    Stream stream;
    double last_ts;
    std::uint64_t order;  // of opening
    std::uint64_t opened_at;
  };
  using Streams = IdMap<OpenStream>;

  State(std::shared_ptr<const CompiledRuleSet> rules, StreamLimits limits, StreamListener& listener)
      : scanner(std::move(rules)), limits(limits), listener(&listener) {}

  Streams::iterator open(std::string_view id, double ts, std::uint64_t position) {
    if (streams.size() >= limits.max_streams && !activity.empty())
      close(streams.find(activity.begin()->second), StreamCloseReason::evicted);
    if (auto ended = closed_at.find(id); ended != closed_at.end()) closed_at.erase(ended);
    auto it = streams.emplace(std::string(id), OpenStream{Stream(), ts, next_order++, position}).first;
    activity.emplace(ts, it->first);
    return it;
  }

  void touch(Streams::iterator it, double ts) {
    if (ts == it->second.last_ts) return;
    activity.erase({it->second.last_ts, it->first});
    it->second.last_ts = ts;
    activity.emplace(ts, it->first);
  }

  // The clock, or the latest ts of an open stream but `id` if that is later.
  double latest_of_others(std::string_view id) const {
    for (auto it = activity.rbegin(); it != activity.rend(); ++it)
      if (it->second != id) return std::max(it->first, now);
    return now;
  }

  // Streams quiet for longer than the idle timeout, by the clock, are closed. The clock moves to a message's
  // ts, but no further than max_clock_skew past the other streams: one stream alone cannot date everyone
  // else idle; two that agree move it. Streams opened before any time was seen count from the first.
  void advance_clock(std::string_view id, double ts) {
    if (!std::isfinite(now)) {
      for (auto it = streams.begin(); it != streams.end(); ++it)
        touch(it, ts);
      now = ts;
    }
    now = std::max(now, std::min(ts, latest_of_others(id) + limits.max_clock_skew));
    while (!activity.empty() && activity.begin()->first < now - limits.idle_seconds)
      close(streams.find(activity.begin()->second), StreamCloseReason::idle);
  }

  void close(Streams::iterator it, StreamCloseReason reason) {
    OpenStream& s = it->second;
    const StreamVerdict& verdict = scanner.close(s.stream);
    listener->stream_closed({it->first, reason, s.opened_at, verdict, s.stream.summary()});
    activity.erase({s.last_ts, it->first});
    streams.erase(it);
  }

  // Remembers that close() ended `id`, forgetting the oldest such streams beyond max_streams: a feed of close
  // events must not grow memory without bound. A forgotten stream's next message opens it anew, as after a
  // limit closed it.
  void remember_closed(std::string_view id, std::uint64_t position) {
    closed_at.insert_or_assign(std::string(id), position);
    closed_order.emplace_back(std::string(id), position);
    while (!closed_order.empty() &&
           (closed_at.size() > limits.max_streams || closed_order.size() > 2 * limits.max_streams)) {
      const auto& [oldest, when] = closed_order.front();
      // Entries of streams opened again (or closed again since) are stale: only the latest close counts.
      if (auto it = closed_at.find(oldest); it != closed_at.end() && it->second == when) closed_at.erase(it);
      closed_order.pop_front();
    }
  }

  RouteResult not_open(std::string_view id) const {
    auto ended = closed_at.find(id);
    if (ended == closed_at.end()) return {RouteStatus::not_open, 0, {}};
    return {RouteStatus::was_closed, ended->second, {}};
  }

  Scanner scanner;
  StreamLimits limits;
  StreamListener* listener;
  Streams streams;
  // (last ts, id) of every open stream, least recently active first; the ids are the keys of `streams`.
  std::set<std::pair<double, std::string_view>> activity;
  IdMap<std::uint64_t> closed_at;  // streams that close() ended: the position of the close
  std::deque<std::pair<std::string, std::uint64_t>>
      closed_order;  // (id, position) of each close, oldest first
  double now = -std::numeric_limits<double>::infinity();
  std::uint64_t next_order = 0;
};

StreamRouter::StreamRouter(std::shared_ptr<const CompiledRuleSet> rules, StreamLimits limits,
                           StreamListener& listener)
    : state_(std::make_unique<State>(std::move(rules), limits, listener)) {}
StreamRouter::~StreamRouter() = default;
StreamRouter::StreamRouter(StreamRouter&&) noexcept = default;
StreamRouter& StreamRouter::operator=(StreamRouter&&) noexcept = default;

void StreamRouter::restrict_to(CategorySet categories) noexcept {
  state_->scanner.restrict_to(categories);
}

RouteResult StreamRouter::write(std::string_view id, const StreamMessage& message, std::uint64_t position) {
  State& s = *state_;
  s.advance_clock(id, message.ts);
  auto it = s.streams.find(id);
  if (it == s.streams.end()) {
    if (RouteResult result = s.not_open(id); result.status == RouteStatus::was_closed) return result;
    it = s.open(id, message.ts, position);
  }
  const StreamVerdict& verdict = s.scanner.write(it->second.stream, message);
  if (!verdict.error.empty()) return {RouteStatus::refused, 0, verdict.error};
  s.listener->message_scanned(it->first, verdict);
  s.touch(it, message.ts);
  if (it->second.stream.summary().messages >= s.limits.max_messages) s.close(it, StreamCloseReason::too_long);
  return {};
}

RouteResult StreamRouter::open(std::string_view id, std::uint64_t position) {
  State& s = *state_;
  if (s.streams.contains(id)) return {RouteStatus::already_open, 0, {}};
  s.open(id, s.now, position);
  return {};
}

RouteResult StreamRouter::close(std::string_view id, std::uint64_t position) {
  State& s = *state_;
  auto it = s.streams.find(id);
  if (it == s.streams.end()) return s.not_open(id);
  s.remember_closed(it->first, position);
  s.close(it, StreamCloseReason::closed);
  return {};
}

void StreamRouter::close_all() {
  State& s = *state_;
  std::vector<std::pair<std::uint64_t, std::string_view>> order;
  order.reserve(s.streams.size());
  for (const auto& [id, stream] : s.streams)
    order.emplace_back(stream.order, id);
  std::sort(order.begin(), order.end());
  for (const auto& [opened, id] : order)
    s.close(s.streams.find(id), StreamCloseReason::end_of_input);
}

std::size_t StreamRouter::open_streams() const noexcept {
  return state_->streams.size();
}

}  // namespace qinglang
