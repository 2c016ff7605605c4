// `qinglang eval`: precision and recall per item and category on a labelled corpus (docs/records.md).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "qinglang/rules.h"

namespace qinglang::cli {

// Prints markdown tables to standard output and each miss (a positive not flagged for its item, a hard
// negative blocked) to standard error. Returns 0, or 1 when a line was not an evaluation line, 2 when a file
// is missing.
int run_eval(std::shared_ptr<const CompiledRuleSet> rules, const std::vector<std::string>& inputs);

}  // namespace qinglang::cli
