// Labelled lines (docs/records.md, "Evaluation data"): {"id":…,"label":{category, item, positive},
// "record":{…}}, as `eval` scores and `train` learns from.
#pragma once

#include <optional>

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

}  // namespace qinglang::cli
