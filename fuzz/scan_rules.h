// The rules the scanning fuzz targets share: fuzz/rules (a rule of each kind of pattern, view and option) and
// a model rule over the bundled model, compiled once per process.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>

#include "fuzz_check.h"
#include "qinglang/compiler.h"

namespace qinglang::fuzz {

inline std::shared_ptr<const CompiledRuleSet> scan_rules() {
  // A model file is read only from beside its rule file: the model rule and a copy of the model go to a
  // folder of their own.
  std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("qinglang_fuzz_" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder / "models");
  std::filesystem::copy_file(QINGLANG_BUNDLED_MODEL, folder / "models" / "minors.ftz",
                             std::filesystem::copy_options::overwrite_existing);
  std::ofstream(folder / "model.yaml")
      << "rules:\n"
         "  - id: fuzz.model\n"
         "    category: social\n"
         "    item: 7\n"
         "    title: a model's opinion\n"
         "    severity: medium\n"
         "    action: review\n"
         "    scope: record\n"
         "    match: {model: {file: models/minors.ftz, label: item7, min: 0.5}}\n";
  CompileResult compiled = compile_rules({QINGLANG_FUZZ_RULES, folder});
  std::filesystem::remove_all(folder);
  FUZZ_CHECK(compiled.ok());
  return compiled.rules;
}

}  // namespace qinglang::fuzz
