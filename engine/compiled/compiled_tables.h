// Everything of a compiled rule set but its databases, serialized: the rule model as compiled, the tables
// that map each pattern id back to its leaves, the statistics, every diagnostic, and the files it was
// compiled from. With the databases beside it (compiled_file.h) a process scans without loading or compiling
// anything, so the runtime library needs neither the YAML loader nor the compiler.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "compiled/compiled_rule_set.h"
#include "qinglang/diagnostic.h"

namespace qinglang::detail {

// What a compile read and how: the rule files in the order read, then their words files, and whether the
// views were normalized (CompileOptions::normalize).
struct CompileInputs {
  std::vector<SourceFile> sources;
  std::size_t rule_files = 0;  // the first this many sources
  bool normalize = true;
};

// The tables of `data` (not its databases), the diagnostics of the compile, and its inputs.
std::string serialize_tables(const CompiledRuleSetData& data, const std::vector<Diagnostic>& diagnostics,
                             const CompileInputs& inputs);

// Fills the tables of `data`, the diagnostics and the inputs from `bytes`. False when the bytes were written
// by another build of Qinglang (whose tables may mean something else), are damaged, or hold an index that
// points outside the rule set: nothing is trusted blindly.
bool deserialize_tables(std::string_view bytes, CompiledRuleSetData& data,
                        std::vector<Diagnostic>& diagnostics, CompileInputs& inputs);

// Whether the rule files are exactly `rule_files` (in that order) and every source still holds the bytes it
// held when the rules were compiled.
bool sources_unchanged(const CompileInputs& inputs, const std::vector<std::filesystem::path>& rule_files);

}  // namespace qinglang::detail
