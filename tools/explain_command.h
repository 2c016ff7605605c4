// `qinglang explain`: shows rule authors how a text is seen: each view, then every hit with the view that
// found it.
#pragma once

#include <string>
#include <vector>

#include "rule_source.h"

namespace qinglang::cli {

// Returns 0, or 1 when the rules have errors.
int run_explain(const RuleSource& source, const std::vector<std::string>& texts);

}  // namespace qinglang::cli
