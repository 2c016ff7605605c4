// Where a command's rules come from (--rules and --cache, or --compiled), and getting them with every
// diagnostic shown.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "qinglang/compiler.h"

namespace qinglang::cli {

// The rule paths and the optional database cache, or a compiled rule set; shared by every subcommand.
struct RuleSource {
  std::vector<std::string> paths{QINGLANG_DEFAULT_RULES};
  std::string cache_file;
  std::string compiled_file;  // what `qinglang compile -o` wrote: loaded as it is, no rule file read
  std::string anchor_sample;  // a JSONL or text file like the content to be scanned (CompileOptions)
  bool allow_empty_rule_set = false;
};

// Loads the compiled rules, or compiles the rule files, and prints every diagnostic to standard error;
// nullptr when there was an error.
std::shared_ptr<const CompiledRuleSet> load_rules_and_report(const RuleSource& source);

}  // namespace qinglang::cli
