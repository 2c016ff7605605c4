// `qinglang scan`: JSONL (or text lines) in, one verdict line per input line out, in input order.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "qinglang/rules.h"

namespace qinglang::cli {

struct ScanSettings {
  std::vector<std::string> inputs;  // files; empty or "-" reads standard input
  CategorySet categories = CategorySet::all();
  unsigned threads = 1;
  bool text_lines = false;  // each line is a record with one field "text"
  bool summary = false;     // counts per category and item on standard error
  std::size_t max_record_bytes = 1 << 20;
};

// Returns the process exit status: 0 when every line was scanned, 1 when a line or an input had an error.
int run_scan(std::shared_ptr<const CompiledRuleSet> rules, const ScanSettings& settings);

}  // namespace qinglang::cli
