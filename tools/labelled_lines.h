// Labelled lines (docs/records.md, "Evaluation data"): {"id":…,"label":{category, item, positive},
// "record":{…}}, as `eval` scores and `train` learns from.
#pragma once

#include <cstdio>
#include <istream>
#include <optional>
#include <string>

#include "qinglang/json.h"
#include "qinglang/record.h"
#include "qinglang/taxonomy.h"

namespace qinglang::cli {

struct Label {
  Category category = Category::short_video_live;
  int item = 0;
  bool positive = true;
};

// Reads the label from a parsed line and moves its "record.*" fields into `record`; nullopt when the line
// has no valid label (a category, an item of that category).
std::optional<Label> split_line(const Record& line, Record& record);

// Reads labelled lines one by one, keeping its buffers between lines and files.
class LabelledLineReader {
 public:
  // Calls visit(label, record, line_number) for each labelled line of `in` (read from `file`), skipping empty
  // lines; a line that is not one is reported on standard error as "file:line: not <what>" and counted.
  // Returns how many were not.
  template <typename Visit>
  std::size_t read(const std::string& file, std::istream& in, const char* what, Visit&& visit) {
    std::size_t number = 0, bad = 0;
    for (std::string line; std::getline(in, line);) {
      ++number;
      if (line.empty()) continue;
      std::optional<Label> label;
      if (parser_.parse(line, line_).empty()) label = split_line(line_, record_);
      if (!label) {
        std::fprintf(stderr, "%s:%zu: not %s (see docs/records.md)\n", file.c_str(), number, what);
        ++bad;
        continue;
      }
      visit(*label, record_, number);
    }
    return bad;
  }

 private:
  JsonRecordParser parser_;
  Record line_, record_;
};

}  // namespace qinglang::cli
