// JSON in and out: records from JSON objects, verdicts to the output contract of docs/records.md.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "qinglang/record.h"
#include "qinglang/scanner.h"
#include "qinglang/stream.h"

namespace qinglang {

// Turns one JSON object (a JSONL line) into a Record: "id" becomes the echoed id, every other value a field
// named by its dotted path. Invalid UTF-8 in the input is read as U+FFFD rather than rejected.
// Keeps its buffers between calls: one per thread. Not thread-safe; movable.
class JsonRecordParser {
 public:
  JsonRecordParser();
  ~JsonRecordParser();
  JsonRecordParser(JsonRecordParser&&) noexcept;
  JsonRecordParser& operator=(JsonRecordParser&&) noexcept;

  // Fills `record` (cleared first). Returns an empty view on success, else what is wrong with the input;
  // the message is static text. On error the record's id is still set when the object's "id" could be read.
  std::string_view parse(std::string_view json, Record& record);

  // Bytes of slack that let parse_padded() read a line where it lies.
  static constexpr std::size_t kPadding = 64;
  // As parse(), without copying `json` first: at least kPadding readable bytes (any content, such as the next
  // lines of a buffer) must follow it.
  std::string_view parse_padded(std::string_view json, Record& record);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Appends the verdict line for a record (no newline), as documented in docs/records.md.
void append_verdict_json(std::string& out, const Record& record, const Verdict& verdict);

// Appends the line for one write (or the close) of a stream (no newline), as documented in docs/streams.md.
// `stream_json` is the stream's id, already JSON (a quoted string or a number).
void append_stream_verdict_json(std::string& out, std::string_view stream_json, const StreamVerdict& verdict);

// Appends an error line: {"id":…,"error":"<where>: <message>","line":N}. `id_json` may be empty (null).
void append_error_json(std::string& out, std::string_view id_json, std::string_view where,
                       std::string_view message, std::size_t line_number);

// Appends `text` as a JSON string literal; invalid UTF-8 bytes become \ufffd.
void append_json_string(std::string& out, std::string_view text);

}  // namespace qinglang
