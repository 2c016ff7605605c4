// `qinglang test`: runs every rule's embedded examples.
#pragma once

#include "rule_source.h"

namespace qinglang::cli {

// Prints each failing example, each rule with too few examples, and the totals. Returns 0 when every
// example passed, 1 when one failed or the rules have errors.
int run_test(const RuleSource& source);

}  // namespace qinglang::cli
