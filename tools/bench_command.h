// `qinglang bench`: what scanning a sample costs with all the rules; with --profile, what each rule costs.
#pragma once

#include <cstddef>
#include <string>

#include "rule_source.h"

namespace qinglang::cli {

struct BenchSettings {
  std::string sample;  // JSONL records, or text lines with text_lines; lines that are not records skipped
  bool text_lines = false;    // each line is a record with one field "text"
  std::size_t limit = 20000;  // records of the sample to use
  bool profile = false;       // compile each rule alone and rank the rules by what each costs
};

// Returns 0, 1 when the rules have errors, 2 when the sample cannot be read.
int run_bench(const RuleSource& source, const BenchSettings& settings);

}  // namespace qinglang::cli
