// Compiling a rule model that was loaded (or trimmed) by the caller, for tools inside the engine such as the
// rule profiler; compile_rules() in rules.h is the way in for everyone else.
#pragma once

#include <memory>
#include <vector>

#include "qinglang/compiler.h"
#include "rules/rule_model.h"

namespace qinglang::detail {

// Null when there are errors; every diagnostic is appended to `diagnostics`.
std::shared_ptr<const CompiledRuleSet> compile_model(RuleSetModel model, std::vector<Diagnostic>& diagnostics,
                                                     const CompileOptions& options);

}  // namespace qinglang::detail
