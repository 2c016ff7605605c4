#include "stream_command.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>

#include "line_reader.h"
#include "qinglang/json.h"
#include "qinglang/stream.h"
#include "qinglang/stream_router.h"
#include "standard_output.h"
#include "stop_signals.h"
#include "stream_events.h"

namespace qinglang::cli {
namespace {

// Reads events, hands them to a StreamRouter and writes what it decides as JSON lines, in order.
class StreamScan final : public StreamListener {
 public:
  StreamScan(std::shared_ptr<const CompiledRuleSet> rules, const StreamSettings& settings)
      : router_(std::move(rules), settings.limits, *this) {
    router_.restrict_to(settings.categories);
  }
  // The router holds on to this listener.
  StreamScan(const StreamScan&) = delete;
  StreamScan& operator=(const StreamScan&) = delete;

  void take(std::string_view line, const std::string& source, std::size_t number) {
    locate(source, number);
    Event event;
    if (std::string_view problem = parser_.parse(line, record_); !problem.empty()) {
      error({}, {}, line.empty() ? "empty line" : std::string(problem));
      return;
    }
    if (std::string problem = read_event(record_, event); !problem.empty()) {
      error(event.stream, event.seq, problem);
      return;
    }
    switch (event.type) {
      case Event::Type::open:
        if (RouteResult result = router_.open(event.stream, number); result.status != RouteStatus::taken) {
          error(event.stream, {}, "the stream is already open");
        } else {
          out_ += "{\"stream\":";
          out_ += event.stream;
          out_ += ",\"opened\":true}\n";
        }
        return;
      case Event::Type::close:
        if (RouteResult result = router_.close(event.stream, number); result.status != RouteStatus::taken)
          error(event.stream, {}, unknown_stream(result));
        return;
      case Event::Type::message:
        break;
    }
    StreamMessage message{static_cast<std::uint64_t>(*event.seq), *event.ts, *event.text};
    RouteResult result = router_.write(event.stream, message, number);
    if (result.status == RouteStatus::refused) {
      error(event.stream, event.seq, std::string(result.refusal));
    } else if (result.status != RouteStatus::taken) {
      error(event.stream, event.seq, unknown_stream(result));
    }
  }

  void take_too_long(const std::string& source, std::size_t number, std::size_t limit) {
    locate(source, number);
    error({}, {}, "event longer than " + std::to_string(limit) + " bytes");
  }

  // Closes every stream still open, oldest first.
  void finish() { router_.close_all(); }

  // Writes what is ready; flushes when asked (before waiting for input) or when much is pending.
  void write_out(bool flush) {
    if (!flush && out_.size() < (1 << 16)) return;
    output_.write(out_);
    out_.clear();
    if (flush) output_.flush();
  }
  const StandardOutput& output() const { return output_; }

  std::size_t errors() const { return errors_; }

  void print_totals() const {
    std::string out = "\nstreams " + std::to_string(streams_) + "  messages " + std::to_string(messages_) +
                      "  errors " + std::to_string(errors_) + "\nclosed:";
    for (std::size_t r = 0; r < closes_.size(); ++r)
      out +=
          "  " + std::string(to_string(static_cast<StreamCloseReason>(r))) + " " + std::to_string(closes_[r]);
    out += "\nmessages  pass " + std::to_string(decisions_[0]) + "  review " + std::to_string(decisions_[1]) +
           "  block " + std::to_string(decisions_[2]) + "\nstreams   review " +
           std::to_string(stream_decisions_[1]) + "  block " + std::to_string(stream_decisions_[2]) +
           "\nwindow rules fired " + std::to_string(windows_) + "\n";
    std::fputs(out.c_str(), stderr);
  }

  void message_scanned(std::string_view stream_id, const StreamVerdict& verdict) override {
    append_stream_verdict_json(out_, stream_id, verdict);
    out_.push_back('\n');
    ++messages_;
    ++decisions_[static_cast<std::size_t>(verdict.decision)];
    windows_ += verdict.windows.size();
  }

  // Writes what the close decided with the stream's summary inside.
  void stream_closed(const ClosedStream& closed) override {
    windows_ += closed.verdict.windows.size();
    append_stream_verdict_json(out_, closed.id, closed.verdict);
    out_.pop_back();  // the closing brace: the summary goes inside
    const StreamSummary& summary = closed.summary;
    out_ += ",\"summary\":{\"reason\":\"";
    out_ += to_string(closed.reason);
    out_ += "\",\"opened_line\":" + std::to_string(closed.opened_at);
    out_ += ",\"messages\":" + std::to_string(summary.messages);
    out_ += ",\"bytes\":" + std::to_string(summary.bytes);
    if (summary.messages > 0) {
      out_ += ",\"first_seq\":" + std::to_string(summary.first_seq);
      out_ += ",\"last_seq\":" + std::to_string(summary.last_seq);
      out_ += ",\"first_ts\":";
      append_double(out_, summary.first_ts);
      out_ += ",\"last_ts\":";
      append_double(out_, summary.last_ts);
    }
    out_ += ",\"hits\":" + std::to_string(summary.hits);
    out_ += ",\"window_hits\":" + std::to_string(summary.window_hits);
    out_ += ",\"decision\":\"";
    out_ += qinglang::to_string(summary.decision);
    out_ += "\"}}\n";
    // Every stream is closed by the end of the input, so counting closes counts the streams.
    ++streams_;
    ++closes_[static_cast<std::size_t>(closed.reason)];
    ++stream_decisions_[static_cast<std::size_t>(summary.decision)];
  }

 private:
  void locate(const std::string& source, std::size_t number) {
    where_ = source + ":" + std::to_string(number);
    line_ = number;
  }

  static std::string unknown_stream(const RouteResult& result) {
    if (result.status != RouteStatus::was_closed) return "unknown stream: it is not open";
    return "unknown stream: it was closed at line " + std::to_string(result.closed_at) +
           " (send {\"type\":\"open\"} to start it again)";
  }

  void error(const std::string& id, std::optional<double> seq, const std::string& message) {
    out_ += "{\"stream\":" + (id.empty() ? std::string("null") : id);
    if (seq) {
      out_ += ",\"seq\":";
      append_double(out_, *seq);
    }
    out_ += ",\"error\":";
    append_json_string(out_, where_ + ": " + message);
    out_ += ",\"line\":" + std::to_string(line_) + "}\n";
    ++errors_;
  }

  StreamRouter router_;
  JsonRecordParser parser_;
  Record record_;
  std::string where_;
  std::size_t line_ = 0;
  std::string out_;
  StandardOutput output_;
  std::size_t errors_ = 0, streams_ = 0, messages_ = 0, windows_ = 0;
  std::array<std::size_t, 5> closes_{};
  std::array<std::size_t, 3> decisions_{}, stream_decisions_{};
};

}  // namespace

int run_stream_scan(std::shared_ptr<const CompiledRuleSet> rules, const StreamSettings& settings) {
  stop_on_signals();
  StreamScan scan(std::move(rules), settings);
  bool inputs_ok = read_inputs(settings.inputs, settings.max_record_bytes,
                               [&](LineReader& reader, const std::string& source) {
                                 // Live input gets each line's verdict before the next line is waited for.
                                 bool live = reader.live();
                                 Line line;
                                 while (!scan.output().failed() && reader.next(line)) {
                                   if (line.too_long) {
                                     scan.take_too_long(source, line.number, settings.max_record_bytes);
                                   } else {
                                     scan.take(line.text, source, line.number);
                                   }
                                   scan.write_out(live && !reader.line_ready());
                                 }
                               });
  scan.finish();
  scan.write_out(true);
  if (std::optional<int> status = cut_short_status(scan.output())) return *status;
  if (settings.summary) scan.print_totals();
  return !inputs_ok || scan.errors() > 0 ? 1 : 0;
}

}  // namespace qinglang::cli
