#include "stream_events.h"

#include <cmath>
#include <cstdio>

#include "qinglang/json.h"

namespace qinglang::cli {

void append_double(std::string& out, double value) {
  char buffer[32];
  int n = std::snprintf(buffer, sizeof buffer, "%.17g", value);
  out.append(buffer, static_cast<std::size_t>(n));
}

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
      // Appended rather than concatenated: GCC 12 sees a false overlap in "\"" + std::string once inlined.
      if (field.type != ValueType::number)
        return std::string("\"").append(field.path).append("\" must be a number");
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

}  // namespace qinglang::cli
