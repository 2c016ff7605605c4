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

// Accumulates rules from any number of files; duplicate ids are detected across all of them.
class RuleLoader {
 public:
  // A YAML file, or a directory whose *.yaml / *.yml files are read in name order (parsed on every core).
  void load_path(const std::filesystem::path& path);
  void load_yaml(std::string_view yaml, const std::string& file_name);

  RuleSetModel& model() { return model_; }
  std::vector<Diagnostic>& diagnostics() { return diagnostics_; }
  // Every file read, with a hash of its bytes: the rule files in the order read, then the words files.
  std::vector<SourceFile> sources() const;
  std::size_t rule_file_count() const { return rule_sources_.size(); }

  // The rule files load_path reads for `path`, in the order it reads them.
  static std::vector<std::filesystem::path> rule_files(const std::filesystem::path& path);

 private:
  void load_parsed(ParsedFile parsed, const std::string& file_name);

  RuleSetModel model_;
  std::vector<Diagnostic> diagnostics_;
  std::map<std::string, SourceLocation, std::less<>> rule_ids_;
  std::vector<SourceFile> rule_sources_, words_sources_;
};

}  // namespace qinglang::detail
