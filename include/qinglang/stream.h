// Live streams: chat rooms, danmaku and transcripts, scanned message by message with matches that span
// message boundaries, and window rules (`window:`) that count hits or repeated messages across messages.
//
// A stream is the concatenation of its messages, as if they were one text: 加 in one message and V in the
// next read 加V, and a chunk may end inside a character. A Stream holds what one stream carries between
// messages; a Scanner (scanner.h) does the work, so one Scanner per thread serves any number of streams.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "qinglang/rules.h"
#include "qinglang/taxonomy.h"

namespace qinglang {

namespace detail {
struct StreamState;
}

// One message (or chunk) of a stream. `seq` must grow from message to message and `ts` must not go back.
struct StreamMessage {
  std::uint64_t seq = 0;
  double ts = 0;  // seconds, on any clock shared by the stream's messages; window rules in seconds read it
  std::string_view text;
};

// Where one part of a hit lies: bytes [start, end) of message `seq`. A hit within one message has one part; a
// character split between two chunks is split between their parts.
struct StreamPart {
  std::uint64_t seq;
  std::uint32_t start;
  std::uint32_t end;
  std::string_view text;  // the part's bytes
};

// A pattern rule that fired on the stream's text. As Hit (scanner.h), with the span given as parts.
struct StreamHit {
  RuleRef rule;  // for a scoring rule, `action` is the one its item's total reached
  std::string_view view;
  std::span<const StreamPart> parts;  // in text order
  std::uint32_t score = 0;            // as in Hit
  std::uint32_t item_score = 0;
};

// A window rule that fired: `count` messages on which the rules it counts fired, or `count` repeats of one
// message, from message `first_seq` to `last_seq`. Its count then starts again from zero.
struct WindowHit {
  RuleRef rule;
  std::uint32_t count;
  std::uint64_t first_seq;
  std::uint64_t last_seq;
};

// What one write (or the close) of a stream decided. A pattern hit is decided by the write that completes
// it, which may be a later message than the one its text ends in when the rule needs to see what follows (a
// pinyin form must not run on into letters); close() decides what is left.
struct StreamVerdict {
  std::uint64_t seq = 0;
  Decision decision = Decision::pass;  // of this write's hits and window hits
  CategorySet categories;
  std::vector<StreamHit> hits;
  std::vector<WindowHit> windows;
  Decision stream_decision = Decision::pass;  // the strongest decision of the stream so far
  std::string_view
      error;  // set when the message was refused (out of order); it is then not part of the stream
};

// Counts over a stream's life, for its summary.
struct StreamSummary {
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
  double first_ts = 0;
  double last_ts = 0;
  std::uint64_t hits = 0;
  std::uint64_t window_hits = 0;
  Decision decision = Decision::pass;
  CategorySet categories;
};

// The state one stream carries between messages: the end of its text, as much as the longest match of the
// rules needs (DatabaseStats::stream_history_bytes), and the counts of its window rules. Bounded whatever
// the stream's length. Movable, not copyable; not thread-safe (one stream is written by one thread at a
// time).
class Stream {
 public:
  Stream();
  ~Stream();
  Stream(Stream&&) noexcept;
  Stream& operator=(Stream&&) noexcept;

  const StreamSummary& summary() const noexcept;
  bool closed() const noexcept;

  // The heap and inline bytes the stream holds now.
  std::size_t memory_bytes() const noexcept;

 private:
  friend class Scanner;
  std::unique_ptr<detail::StreamState> state_;
};

}  // namespace qinglang
