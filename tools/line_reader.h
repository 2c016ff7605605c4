// Reads lines from a file in large blocks, without holding more than one bounded line in memory.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace qinglang::cli {

struct Line {
  std::string_view text;   // without the newline (and without a trailing '\r'); cut short when too_long
  std::size_t number = 0;  // 1-based
  bool too_long = false;   // the line exceeded the limit; the rest of it was skipped
};

class LineReader {
 public:
  LineReader(std::FILE* input, std::size_t max_line_bytes);

  // The next line, valid until the next call; false at the end of the input or on a read error.
  bool next(Line& line);
  bool read_failed() const { return read_failed_; }
  // Whether the input is live (a pipe or a terminal, not a regular file): its lines may be far apart in time.
  bool live() const;
  // Whether next() can return a line without reading (and perhaps waiting for) more input.
  bool line_ready() const;

 private:
  bool fill();  // reads more input after the kept bytes; false when nothing more came

  std::FILE* input_;
  std::size_t max_line_bytes_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;
  std::size_t line_number_ = 0;
  bool eof_ = false;
  bool read_failed_ = false;
};

// Reads each input in turn with a LineReader: files by name, "-" (or no input at all) for standard input,
// named "<stdin>" in error lines. `read` gets the reader and that name. Returns false when an input could not
// be opened or read (each such problem is reported on standard error).
bool read_inputs(const std::vector<std::string>& inputs, std::size_t max_line_bytes,
                 const std::function<void(LineReader& reader, const std::string& source)>& read);

}  // namespace qinglang::cli
