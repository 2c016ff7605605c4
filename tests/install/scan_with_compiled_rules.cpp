// Loads a compiled rule set and prints the decision on each text given: what a worker that only scans does.
#include <cstdio>

#include "qinglang/rules.h"
#include "qinglang/scanner.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s COMPILED_RULES TEXT...\n", argv[0]);
    return 2;
  }
  qinglang::CompileResult loaded = qinglang::load_compiled_rules(argv[1]);
  for (const qinglang::Diagnostic& d : loaded.diagnostics)
    std::fprintf(stderr, "%s\n", qinglang::format_diagnostic(d).c_str());
  if (!loaded.ok()) return 1;
  qinglang::Scanner scanner(loaded.rules);
  for (int i = 2; i < argc; ++i) {
    qinglang::Record record = qinglang::Record::from_text(argv[i]);
    std::printf("%s\n", std::string(qinglang::to_string(scanner.scan(record).decision)).c_str());
  }
  return 0;
}
