// The stream path (stream.h): what one stream carries between writes, and the writer that appends a message,
// matches and evaluates the carried text with it (matcher.h, evaluator.h), reports what the write decided and
// counts the window rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiled/compiled_rule_set.h"
#include "qinglang/record.h"
#include "qinglang/stream.h"
#include "scan/evaluator.h"
#include "scan/matcher.h"
#include "text/normalizer.h"

namespace qinglang::detail {

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

// Per-thread, as the Matcher and Evaluator it works with; serves any number of streams.
class StreamWriter {
 public:
  explicit StreamWriter(const CompiledRuleSetData& data) : data_(&data) {}

  // Writes `message` to the stream (or closes it), matching with `matcher` and deciding with `evaluator`.
  // The verdict and its texts are valid until the next write.
  const StreamVerdict& write(StreamState& stream, const StreamMessage& message, bool closing,
                             Matcher& matcher, Evaluator& evaluator);

 private:
  bool refuse_message(const StreamState& stream, const StreamMessage& message);
  void scan_stream_text(StreamState& stream, bool closing, Matcher& matcher, Evaluator& evaluator);
  void report_stream_hits(StreamState& stream, const Evaluator& evaluator);
  void count_window_hits(StreamState& stream, const StreamMessage& message, CategorySet categories);
  void count_repeats(StreamState& stream, const StreamMessage& message, const Matcher& matcher,
                     CategorySet categories);
  void fire_window(std::uint32_t rule_index, std::uint32_t count, std::uint64_t first_seq,
                   std::uint64_t last_seq);
  void trim_stream(StreamState& stream, const Matcher& matcher) const;

  const CompiledRuleSetData* data_;
  Record stream_record_;  // the carried text and the message, matched as one record's field
  StreamVerdict verdict_;
  std::vector<StreamPart> parts_;
  std::vector<std::uint32_t> part_begin_;  // by hit: its first part; one more entry marks the end
  std::vector<std::uint32_t> hit_rules_;   // by hit: its rule
  std::string error_;
  ViewText line_folded_, line_skeleton_;  // a message alone, when the write built no normalized views
};

}  // namespace qinglang::detail
