// Many live streams at once: events of streams interleaved in any way, routed to each stream by its id, with
// the limits a service needs (how many streams stay open, how long a quiet one is kept, how long one grows).
//
// A StreamRouter owns the Streams and one Scanner (stream.h, scanner.h). It tells what it decides through a
// StreamListener, in the order it decides it: the verdict of each message it takes and the summary of each
// stream it closes. The return value of each call says whether the event itself was taken. Stream ids are
// opaque bytes to it. One router serves one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "qinglang/rules.h"
#include "qinglang/stream.h"
#include "qinglang/taxonomy.h"

namespace qinglang {

// When a router closes a stream on its own. Time is event time: the latest `ts` of the messages taken, where
// one stream's `ts` moves the clock at most max_clock_skew past the latest `ts` of every other stream (a
// single event dated far ahead must not close every other stream as idle).
struct StreamLimits {
  double idle_seconds = 600;             // a stream with no message for longer than this is closed
  double max_clock_skew = 60;            // seconds one stream's ts may run ahead of the others' on the clock
  std::uint64_t max_messages = 1000000;  // a stream with this many messages is closed; its next message
                                         // opens a new one
  std::size_t max_streams = 100000;      // opening one more closes the least recently active stream
};

// Why a stream was closed.
enum class StreamCloseReason {
  closed,        // StreamRouter::close(), as asked
  idle,          // StreamLimits::idle_seconds without a message
  too_long,      // StreamLimits::max_messages reached
  evicted,       // StreamLimits::max_streams reached, and it was the least recently active
  end_of_input,  // StreamRouter::close_all()
};

// The reason's name as docs/streams.md writes it: "closed", "idle", "too_long", "evicted", "end_of_input".
std::string_view to_string(StreamCloseReason reason) noexcept;

// A stream the router closed. Valid only during StreamListener::stream_closed().
struct ClosedStream {
  std::string_view id;
  StreamCloseReason reason;
  std::uint64_t opened_at;       // the position of the event that opened it (see StreamRouter)
  const StreamVerdict& verdict;  // what the close decided: the matches that waited for more text
  const StreamSummary& summary;  // its whole life
};

// Receives what a router decides, in order. What it is given is valid only during the call; it must not call
// back into the router.
class StreamListener {
 public:
  // A message was taken: what its write decided.
  virtual void message_scanned(std::string_view stream_id, const StreamVerdict& verdict) = 0;
  virtual void stream_closed(const ClosedStream& closed) = 0;

 protected:
  ~StreamListener() = default;
};

// Whether an event was taken, and if not, why.
enum class RouteStatus {
  taken,
  already_open,  // open() of a stream that is open
  not_open,      // close() of a stream that is not open
  was_closed,    // a message or close() for a stream that close() ended and nothing opened again
  refused,       // the Scanner refused the message (out of order, for one): it is not part of the stream
};

struct RouteResult {
  RouteStatus status = RouteStatus::taken;
  std::uint64_t closed_at = 0;  // was_closed: the position of the close() that ended the stream
  std::string_view refusal;     // refused: the Scanner's reason; valid until the router's next call
};

// Routes the events of many streams to them. Each call takes the position of its event: any number the caller
// chooses to find the event by again (the input line, a request number), given back in
// ClosedStream::opened_at and RouteResult::closed_at. Movable, not copyable; not thread-safe. The listener
// must outlive the router.
class StreamRouter {
 public:
  StreamRouter(std::shared_ptr<const CompiledRuleSet> rules, StreamLimits limits, StreamListener& listener);
  ~StreamRouter();
  StreamRouter(StreamRouter&&) noexcept;
  StreamRouter& operator=(StreamRouter&&) noexcept;

  // Limits every stream's scans to these categories, as Scanner::restrict_to().
  void restrict_to(CategorySet categories) noexcept;

  // A message of stream `id`. First the clock moves on to its ts, closing every stream idle for longer than
  // the timeout (least recently active first). A stream not open is then opened, as open() does, unless
  // close() ended it. The message's verdict goes to the listener; then the stream closes if it has reached
  // max_messages.
  RouteResult write(std::string_view id, const StreamMessage& message, std::uint64_t position);

  // Opens a stream before its first message, or again after close() ended it. With max_streams open, the
  // least recently active one is closed first. Until a message has set the clock, a stream opened this way
  // counts its idle time from the first message of any stream.
  RouteResult open(std::string_view id, std::uint64_t position);

  // Ends a stream as asked. Its id is remembered and its messages refused (was_closed) until open() starts
  // it again; a stream the limits closed is opened anew by its next message instead. At most max_streams
  // ended streams are remembered: beyond that the oldest is forgotten, and its next message opens it anew.
  RouteResult close(std::string_view id, std::uint64_t position);

  // Closes every open stream, in the order they were opened, as the end of the input.
  void close_all();

  std::size_t open_streams() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace qinglang
