// `qinglang compile`: checks the rules; prints their diagnostics and the compiled databases' statistics.
#pragma once

#include "rule_source.h"

namespace qinglang::cli {

// With a cache file in `source`, also writes the compiled databases there. Returns 0, or 1 when the rules
// have errors.
int run_compile(const RuleSource& source);

}  // namespace qinglang::cli
