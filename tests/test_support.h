// Helpers that keep tests one line long: rules as YAML text, records as JSON text.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "qinglang/compiler.h"
#include "qinglang/json.h"
#include "qinglang/scanner.h"

namespace qinglang::testing {

// Compiles YAML rules; fails the test with the diagnostics when they do not compile.
inline std::shared_ptr<const CompiledRuleSet> compile_or_fail(std::string_view yaml) {
  CompileResult result = compile_rules_from_yaml(yaml, "test.yaml");
  std::string messages;
  for (const Diagnostic& d : result.diagnostics)
    messages += format_diagnostic(d) + "\n";
  EXPECT_TRUE(result.ok()) << messages;
  return result.rules;
}

// A rule file holding one rule; `body` holds the rule's keys after id/category/item/title/severity/action.
inline std::string one_rule(std::string_view body, std::string_view action = "block") {
  std::string yaml =
      "rules:\n  - id: r\n    category: social\n    item: 6\n    title: t\n    severity: high\n";
  yaml += "    action: " + std::string(action) + "\n";
  yaml += body;
  return yaml;
}

// The codes of a compile's diagnostics, in order: {"E016", "W005"}.
using Codes = std::vector<std::string>;
inline Codes codes_of(const CompileResult& result) {
  Codes codes;
  for (const Diagnostic& d : result.diagnostics)
    codes.push_back(d.code);
  return codes;
}
inline Codes codes_of(std::string_view yaml) {
  return codes_of(compile_rules_from_yaml(yaml, "t.yaml"));
}

inline Record record_from_json(std::string_view json) {
  Record record;
  JsonRecordParser parser;
  std::string_view error = parser.parse(json, record);
  EXPECT_TRUE(error.empty()) << error;
  return record;
}

// The decision for a text (one field named "text") under the given rules.
inline std::string decision_of(std::string_view yaml, std::string_view text) {
  auto rules = compile_or_fail(yaml);
  if (!rules) return "<no rules>";
  Scanner scanner(rules);
  Record record = Record::from_text(text);
  return std::string(to_string(scanner.scan(record).decision));
}

inline std::string decision_of_record(std::string_view yaml, std::string_view json) {
  auto rules = compile_or_fail(yaml);
  if (!rules) return "<no rules>";
  Scanner scanner(rules);
  Record record = record_from_json(json);
  return std::string(to_string(scanner.scan(record).decision));
}

}  // namespace qinglang::testing
