#include "qinglang/diagnostic.h"

#include <algorithm>

namespace qinglang {

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = d.location.file.empty() ? "<rules>" : d.location.file;
  if (d.location.line > 0) {
    out += ':' + std::to_string(d.location.line);
    if (d.location.column > 0) out += ':' + std::to_string(d.location.column);
  }
  out += d.level == DiagnosticLevel::error ? ": error " : ": warning ";
  out += d.code;
  out += ": ";
  if (!d.rule_id.empty()) out += '[' + d.rule_id + "] ";
  out += d.message;
  return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) noexcept {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.level == DiagnosticLevel::error; });
}

}  // namespace qinglang
