// Which rule files a path holds, parsed on every core and read in name order, and what was read.
#include "rules/rule_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include "base/hash.h"
#include "base/parallel.h"
#include "rules/file_loader.h"

namespace qinglang::detail {

// A rule file parsed: its YAML tree, or what stopped the parse.
struct ParsedFile {
  YAML::Node root;
  std::optional<Diagnostic> problem;
  std::uint64_t hash = 0;  // of the file's bytes (SourceFile)
};

namespace {

ParsedFile parse_yaml(std::string_view yaml, const std::string& file_name) {
  ParsedFile parsed;
  try {
    parsed.root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    parsed.problem = Diagnostic{
        DiagnosticLevel::error, "E001", e.msg, {file_name, e.mark.line + 1, e.mark.column + 1}, {}};
  }
  return parsed;
}

ParsedFile parse_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return {{}, Diagnostic{DiagnosticLevel::error, "E001", "cannot read the file", {file.string()}, {}}};
  std::ostringstream text;
  text << in.rdbuf();
  ParsedFile parsed = parse_yaml(text.view(), file.string());
  parsed.hash = checksum_of(text.view());
  return parsed;
}

}  // namespace

std::vector<std::filesystem::path> RuleLoader::rule_files(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return {path};
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
    std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void RuleLoader::load_path(const std::filesystem::path& path) {
  std::vector<std::filesystem::path> files = rule_files(path);
  if (files.empty())
    diagnostics_.push_back(
        {DiagnosticLevel::warning, "W001", "no *.yaml rule files here", {path.string()}, {}});
  // yaml-cpp's parse is most of loading, and files parse independently: on every core, then read in name
  // order.
  std::vector<ParsedFile> parsed(files.size());
  run_on_every_core(files.size(), [&](std::size_t i) { parsed[i] = parse_file(files[i]); });
  for (std::size_t i = 0; i < files.size(); ++i)
    load_parsed(std::move(parsed[i]), files[i].string());
}

void RuleLoader::load_yaml(std::string_view yaml, const std::string& file_name) {
  load_parsed(parse_yaml(yaml, file_name), file_name);
}

void RuleLoader::load_parsed(ParsedFile parsed, const std::string& file_name) {
  rule_sources_.push_back({file_name, parsed.hash});
  if (parsed.problem) {
    diagnostics_.push_back(std::move(*parsed.problem));
    return;
  }
  FileLoader(file_name, model_, diagnostics_, rule_ids_, words_sources_).load(parsed.root);
}

std::vector<SourceFile> RuleLoader::sources() const {
  std::vector<SourceFile> all = rule_sources_;
  all.insert(all.end(), words_sources_.begin(), words_sources_.end());
  return all;
}

}  // namespace qinglang::detail
