// Reads YAML rule files into the rule model, collecting every problem as a diagnostic.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "qinglang/diagnostic.h"
#include "rules/rule_model.h"

namespace qinglang::detail {

struct ParsedFile;

// Accumulates rules from any number of files; duplicate ids are detected across all of them. Named lists
// (`lists:`) are read from every file before any rule, so a rule may use a list defined in any file.
class RuleLoader {
 public:
  // YAML files, or directories whose *.yaml / *.yml files are read in name order (parsed on every core),
  // with the shared lists of each one's `lists/` folder (rule_files).
  void load_paths(const std::vector<std::filesystem::path>& paths);
  // One rule file's text: its lists, then its rules.
  void load_yaml(std::string_view yaml, const std::string& file_name);
  // Reports the named lists no rule used. Call once, after every file is loaded.
  void finish();

  RuleSetModel& model() { return model_; }
  std::vector<Diagnostic>& diagnostics() { return diagnostics_; }
  // Every file read, with a hash of its bytes: the rule files in the order read, then the words files.
  std::vector<SourceFile> sources() const;
  std::size_t rule_file_count() const { return rule_sources_.size(); }

  // The files load_paths reads for `paths`, in the order it reads them, each once: for a directory its rule
  // files, then those of its `lists/` folder; for a file, the file, then the `lists/` folder beside it, so
  // that one category's file loads with the shared lists it uses.
  static std::vector<std::filesystem::path> rule_files(const std::vector<std::filesystem::path>& paths);

 private:
  void load_lists(const ParsedFile& parsed, const std::string& file_name, bool warn_unused);
  void load_rules(const ParsedFile& parsed, const std::string& file_name);

  RuleSetModel model_;
  std::vector<Diagnostic> diagnostics_;
  std::map<std::string, SourceLocation, std::less<>> rule_ids_;
  std::map<std::string, NamedList, std::less<>> lists_;
  std::vector<SourceFile> rule_sources_, words_sources_;
};

}  // namespace qinglang::detail
