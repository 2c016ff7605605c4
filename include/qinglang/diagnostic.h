// Diagnostics: what the rule loader and compiler have to say, as values.
#pragma once

#include <string>
#include <vector>

namespace qinglang {

// A position in a rule file; line and column count from 1, 0 when unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class DiagnosticLevel { error, warning };

// One finding about the rules. `code` is stable (E001…, W001…; see docs/rule-language.md) so tools and
// golden tests can rely on it; `message` is for people.
struct Diagnostic {
  DiagnosticLevel level = DiagnosticLevel::error;
  std::string code;
  std::string message;
  SourceLocation location;
  std::string rule_id;  // empty when the finding is not about one rule
};

// "rules/social.yaml:12:7: error E005: [social.doxxing.school] duplicate rule id (first defined at …)"
std::string format_diagnostic(const Diagnostic& diagnostic);

bool has_errors(const std::vector<Diagnostic>& diagnostics) noexcept;

}  // namespace qinglang
