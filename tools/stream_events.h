// An input line of `scan --stream` read as an event of a live stream (docs/streams.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "qinglang/record.h"

namespace qinglang::cli {

// One input line read as an event.
struct Event {
  enum class Type { message, open, close };
  Type type = Type::message;
  std::string stream;  // the id as JSON: the key of the stream
  std::optional<double> seq, ts;
  std::optional<std::string_view> text;
};

// Reads an event from a parsed record; returns what is wrong with it, or an empty string. The event's text
// points into the record.
std::string read_event(const Record& record, Event& event);

// Appends a number as JSON with 17 significant digits, so that it reads back the same (an id, a seq, a ts).
void append_double(std::string& out, double value);

}  // namespace qinglang::cli
