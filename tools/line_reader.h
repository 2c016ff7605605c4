// Reads lines from a file in large blocks, without holding more than one bounded line in memory.
#pragma once

#include <cstdio>
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

}  // namespace qinglang::cli
