#include "stream_command.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <set>
#include <unordered_map>

#include "line_reader.h"
#include "qinglang/json.h"
#include "qinglang/scanner.h"
#include "qinglang/stream.h"

namespace qinglang::cli {
namespace {

// Why a stream was closed, as its summary line says.
enum class CloseReason { closed, idle, too_long, evicted, end_of_input };

std::string_view to_string(CloseReason reason) {
  constexpr std::array<std::string_view, 5> kNames = {"closed", "idle", "too_long", "evicted",
                                                      "end_of_input"};
  return kNames[static_cast<std::size_t>(reason)];
}

// One input line read as an event.
struct Event {
  enum class Type { message, open, close };
  Type type = Type::message;
  std::string stream;  // the id as JSON: the key of the stream
  std::optional<double> seq, ts;
  std::optional<std::string_view> text;
};

void append_double(std::string& out, double value) {
  char buffer[32];
  int n = std::snprintf(buffer, sizeof buffer, "%.17g", value);
  out.append(buffer, static_cast<std::size_t>(n));
}

// Reads an event from a parsed record; returns what is wrong with it, or an empty string.
std::string read_event(const Record& record, Event& event) {
  std::optional<std::string_view> type;
  for (std::size_t i = 0; i < record.size(); ++i) {
    FieldView field = record.field(i);
    if (field.path == "stream") {
      if (field.type == ValueType::text) {
        event.stream.clear();
        append_json_string(event.stream, field.text);
      } else if (field.type == ValueType::number) {
        event.stream.clear();
        append_double(event.stream, field.number);
      } else {
        return "\"stream\" must be a string or a number";
      }
    } else if (field.path == "seq" || field.path == "ts") {
      if (field.type != ValueType::number) return "\"" + std::string(field.path) + "\" must be a number";
      (field.path == "seq" ? event.seq : event.ts) = field.number;
    } else if (field.path == "text") {
      if (field.type != ValueType::text) return "\"text\" must be a string";
      event.text = field.text;
    } else if (field.path == "type") {
      if (field.type != ValueType::text) return "\"type\" must be \"message\", \"open\" or \"close\"";
      type = field.text;
    }
  }
  if (event.stream.empty()) return "missing \"stream\": the id of the live room, chat or transcript";
  if (type && *type == "open") {
    event.type = Event::Type::open;
  } else if (type && *type == "close") {
    event.type = Event::Type::close;
  } else if (type && *type != "message") {
    return "\"type\" must be \"message\", \"open\" or \"close\", found \"" + std::string(*type) + "\"";
  } else {
    constexpr double kLargestExactInteger = 9007199254740992.0;
    if (!event.seq || *event.seq < 0 || *event.seq != std::floor(*event.seq) ||
        *event.seq > kLargestExactInteger)
      return "a message needs \"seq\": a whole number, growing from message to message of its stream";
    if (!event.ts) return "a message needs \"ts\": its time in seconds";
    if (!event.text) return "a message needs \"text\"";
  }
  return {};
}

class StreamRouter {
 public:
  StreamRouter(std::shared_ptr<const CompiledRuleSet> rules, const StreamSettings& settings)
      : scanner_(std::move(rules)), settings_(settings) {
    scanner_.restrict_to(settings.categories);
  }

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
    if (event.type == Event::Type::message) advance_clock(*event.ts);
    auto it = open_.find(event.stream);
    switch (event.type) {
      case Event::Type::open:
        if (it != open_.end()) {
          error(event.stream, {}, "the stream is already open");
        } else {
          open(event.stream, now_);
          ok(event.stream, "\"opened\":true");
        }
        return;
      case Event::Type::close:
        if (it == open_.end()) {
          error(event.stream, {}, unknown_stream(event.stream));
        } else {
          closed_at_[event.stream] = number;
          close(it, CloseReason::closed);
        }
        return;
      case Event::Type::message:
        break;
    }
    if (it == open_.end()) {
      if (auto closed = closed_at_.find(event.stream); closed != closed_at_.end()) {
        error(event.stream, event.seq, unknown_stream(event.stream));
        return;
      }
      it = open(event.stream, *event.ts);
    }
    OpenStream& s = it->second;
    StreamMessage message{static_cast<std::uint64_t>(*event.seq), *event.ts, *event.text};
    const StreamVerdict& verdict = scanner_.write(s.stream, message);
    if (!verdict.error.empty()) {
      error(event.stream, event.seq, std::string(verdict.error));
      return;
    }
    append_stream_verdict_json(out_, event.stream, verdict);
    out_.push_back('\n');
    count(verdict);
    touch(it, *event.ts);
    if (s.stream.summary().messages >= settings_.max_messages) close(it, CloseReason::too_long);
  }

  void take_too_long(const std::string& source, std::size_t number, std::size_t limit) {
    locate(source, number);
    error({}, {}, "event longer than " + std::to_string(limit) + " bytes");
  }

  // Closes every stream still open, oldest first.
  void finish() {
    std::vector<std::pair<std::uint64_t, std::string>> order;
    for (const auto& [id, s] : open_)
      order.emplace_back(s.opened, id);
    std::sort(order.begin(), order.end());
    for (const auto& [opened, id] : order)
      close(open_.find(id), CloseReason::end_of_input);
  }

  // Writes what is ready; flushes when asked (before waiting for input) or when much is pending.
  void write_out(bool flush) {
    if (!flush && out_.size() < (1 << 16)) return;
    std::fwrite(out_.data(), 1, out_.size(), stdout);
    out_.clear();
    if (flush) std::fflush(stdout);
  }

  std::size_t errors() const { return errors_; }

  void print_totals() const {
    std::string out = "\nstreams " + std::to_string(streams_) + "  messages " + std::to_string(messages_) +
                      "  errors " + std::to_string(errors_) + "\nclosed:";
    for (std::size_t r = 0; r < closes_.size(); ++r)
      out += "  " + std::string(to_string(static_cast<CloseReason>(r))) + " " + std::to_string(closes_[r]);
    out += "\nmessages  pass " + std::to_string(decisions_[0]) + "  review " + std::to_string(decisions_[1]) +
           "  block " + std::to_string(decisions_[2]) + "\nstreams   review " +
           std::to_string(stream_decisions_[1]) + "  block " + std::to_string(stream_decisions_[2]) +
           "\nwindow rules fired " + std::to_string(windows_) + "\n";
    std::fputs(out.c_str(), stderr);
  }

 private:
  struct OpenStream {
    Stream stream;
    double last_ts;
    std::uint64_t opened;  // order of opening
    std::size_t opened_line;
  };
  using Streams = std::unordered_map<std::string, OpenStream>;

  Streams::iterator open(const std::string& id, double ts) {
    if (open_.size() >= settings_.max_streams)
      close(open_.find(idle_order_.begin()->second), CloseReason::evicted);
    closed_at_.erase(id);
    auto [it, inserted] = open_.emplace(id, OpenStream{Stream(), ts, next_order_++, line_});
    idle_order_.emplace(ts, id);
    ++streams_;
    return it;
  }

  void touch(Streams::iterator it, double ts) {
    if (ts == it->second.last_ts) return;
    idle_order_.erase({it->second.last_ts, it->first});
    it->second.last_ts = ts;
    idle_order_.emplace(ts, it->first);
  }

  // Event time: streams quiet for longer than the idle timeout, by the latest ts seen, are closed. Streams
  // opened before any time was seen count from the first.
  void advance_clock(double ts) {
    if (!std::isfinite(now_)) {
      for (auto& [id, s] : open_)
        touch(open_.find(id), ts);
    }
    now_ = std::max(now_, ts);
    while (!idle_order_.empty() && idle_order_.begin()->first < now_ - settings_.idle_seconds)
      close(open_.find(idle_order_.begin()->second), CloseReason::idle);
  }

  // Decides what waited for more text and writes the stream's summary line.
  void close(Streams::iterator it, CloseReason reason) {
    OpenStream& s = it->second;
    const StreamVerdict& verdict = scanner_.close(s.stream);
    windows_ += verdict.windows.size();
    append_stream_verdict_json(out_, it->first, verdict);
    out_.pop_back();  // the closing brace: the summary goes inside
    const StreamSummary& summary = s.stream.summary();
    out_ += ",\"summary\":{\"reason\":\"";
    out_ += to_string(reason);
    out_ += "\",\"opened_line\":" + std::to_string(s.opened_line);
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
    ++closes_[static_cast<std::size_t>(reason)];
    ++stream_decisions_[static_cast<std::size_t>(summary.decision)];
    idle_order_.erase({s.last_ts, it->first});
    open_.erase(it);
  }

  void count(const StreamVerdict& verdict) {
    ++messages_;
    ++decisions_[static_cast<std::size_t>(verdict.decision)];
    windows_ += verdict.windows.size();
  }

  void locate(const std::string& source, std::size_t number) {
    where_ = source + ":" + std::to_string(number);
    line_ = number;
  }

  std::string unknown_stream(const std::string& id) const {
    auto closed = closed_at_.find(id);
    if (closed == closed_at_.end()) return "unknown stream: it is not open";
    return "unknown stream: it was closed at line " + std::to_string(closed->second) +
           " (send {\"type\":\"open\"} to start it again)";
  }

  void ok(const std::string& id, std::string_view fields) {
    out_ += "{\"stream\":" + id + "," + std::string(fields) + "}\n";
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

  Scanner scanner_;
  const StreamSettings& settings_;
  JsonRecordParser parser_;
  Record record_;
  Streams open_;
  std::set<std::pair<double, std::string>> idle_order_;     // (last ts, id) of every open stream
  std::unordered_map<std::string, std::size_t> closed_at_;  // streams closed by a close event: the line
  double now_ = -std::numeric_limits<double>::infinity();
  std::uint64_t next_order_ = 0;
  std::string where_;
  std::size_t line_ = 0;
  std::string out_;
  std::size_t errors_ = 0, streams_ = 0, messages_ = 0, windows_ = 0;
  std::array<std::size_t, 5> closes_{};
  std::array<std::size_t, 3> decisions_{}, stream_decisions_{};
};

}  // namespace

int run_stream_scan(std::shared_ptr<const CompiledRuleSet> rules, const StreamSettings& settings) {
  StreamRouter router(std::move(rules), settings);
  bool inputs_ok = read_inputs(settings.inputs, settings.max_record_bytes,
                               [&](LineReader& reader, const std::string& source) {
                                 // Live input gets each line's verdict before the next line is waited for.
                                 bool live = reader.live();
                                 Line line;
                                 while (reader.next(line)) {
                                   if (line.too_long) {
                                     router.take_too_long(source, line.number, settings.max_record_bytes);
                                   } else {
                                     router.take(line.text, source, line.number);
                                   }
                                   router.write_out(live && !reader.line_ready());
                                 }
                               });
  router.finish();
  router.write_out(true);
  if (settings.summary) router.print_totals();
  return !inputs_ok || router.errors() > 0 ? 1 : 0;
}

}  // namespace qinglang::cli
