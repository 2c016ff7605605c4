// Where a command's rules come from (--rules, --cache), and compiling them with every diagnostic shown.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "qinglang/compiler.h"

namespace qinglang::cli {

// The rule paths and the optional database cache, shared by every subcommand.
struct RuleSource {
  std::vector<std::string> paths{QINGLANG_DEFAULT_RULES};
  std::string cache_file;
};

// Compiles the rules and prints every diagnostic to standard error; nullptr when there was an error.
std::shared_ptr<const CompiledRuleSet> compile_and_report(const RuleSource& source);

}  // namespace qinglang::cli
