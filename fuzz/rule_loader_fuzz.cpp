// The rule loader on any YAML text: diagnostics or a rule set, never a crash, a hang or an exception, and
// every diagnostic names the file and a code. Files the text names (words_file, model) are looked for in a
// folder that does not exist, so that no input reads the machine's files.
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "rules/rule_loader.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string file = "/nonexistent/qinglang-fuzz/rules.yaml";
  qinglang::detail::RuleLoader loader;
  loader.load_yaml(std::string_view(reinterpret_cast<const char*>(data), size), file);
  loader.finish();
  for (const qinglang::Diagnostic& diagnostic : loader.diagnostics()) {
    FUZZ_CHECK(diagnostic.location.file == file);
    FUZZ_CHECK(diagnostic.code.size() == 4);
    FUZZ_CHECK(!diagnostic.message.empty());
  }
  return 0;
}
