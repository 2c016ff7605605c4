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

// YAML aliases share a node, but the loader reads a node once for each place it is used, so a file of a few
// hundred bytes whose aliases nest (&a [x, x], &b [*a, *a], ...) reads as 10^9 nodes. The tree is walked once
// as the loader would, counting: beyond a million nodes, or 16 for each byte of the file if that is more (no
// file without aliases comes near), the file is refused before any of it is loaded. So is nesting no rule
// needs, which an alias to the node that holds it would make endless.
class ExpansionLimit {
 public:
  explicit ExpansionLimit(std::size_t file_bytes)
      : budget_(std::max<std::size_t>(1'000'000, 16 * file_bytes)) {}

  // The first node past the limit, or a null node when the tree is within it.
  YAML::Node first_beyond(const YAML::Node& node, int depth = 0) {
    if (++visited_ > budget_ || depth > kMaxDepth) return node;
    if (node.IsSequence()) {
      for (const YAML::Node& child : node)
        if (YAML::Node beyond = first_beyond(child, depth + 1)) return beyond;
    } else if (node.IsMap()) {
      for (const auto& entry : node) {
        if (YAML::Node beyond = first_beyond(entry.first, depth + 1)) return beyond;
        if (YAML::Node beyond = first_beyond(entry.second, depth + 1)) return beyond;
      }
    }
    return YAML::Node(YAML::NodeType::Undefined);
  }
  std::string problem() const {
    return visited_ > budget_ ? "its aliases expand to more than " + std::to_string(budget_) +
                                    " nodes: a rule file is read once for each use of an alias"
                              : "nested deeper than " + std::to_string(kMaxDepth) + " levels";
  }

 private:
  static constexpr int kMaxDepth = 200;
  std::size_t budget_;
  std::size_t visited_ = 0;
};

ParsedFile parse_yaml(std::string_view yaml, const std::string& file_name) {
  ParsedFile parsed;
  try {
    parsed.root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    parsed.problem = Diagnostic{
        DiagnosticLevel::error, "E001", e.msg, {file_name, e.mark.line + 1, e.mark.column + 1}, {}};
    return parsed;
  }
  ExpansionLimit limit(yaml.size());
  if (YAML::Node beyond = limit.first_beyond(parsed.root)) {
    YAML::Mark mark = beyond.Mark();
    parsed.problem =
        Diagnostic{DiagnosticLevel::error,
                   "E020",
                   limit.problem(),
                   {file_name, mark.is_null() ? 0 : mark.line + 1, mark.is_null() ? 0 : mark.column + 1},
                   {}};
  }
  return parsed;
}

// A rule file larger than this is a mistake (the bundled ones are 100 to 200 KB; large word lists belong in a
// words_file), or /dev/zero.
constexpr std::uintmax_t kMaxRuleFileBytes = 64u << 20;

ParsedFile parse_file(const std::filesystem::path& file) {
  auto refused = [&](std::string why) {
    return ParsedFile{{}, Diagnostic{DiagnosticLevel::error, "E001", std::move(why), {file.string()}, {}}};
  };
  // A device or a FIFO named as a rule file would hang the loader or exhaust it.
  std::error_code ec;
  std::filesystem::file_status status = std::filesystem::status(file, ec);
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    return refused("not a regular file");
  if (std::filesystem::is_regular_file(status) && std::filesystem::file_size(file, ec) > kMaxRuleFileBytes)
    return refused("larger than 64 MiB");
  std::ifstream in(file, std::ios::binary);
  if (!in) return refused("cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  ParsedFile parsed = parse_yaml(text.view(), file.string());
  parsed.hash = checksum_of(text.view());
  return parsed;
}

}  // namespace

namespace {

// The rule files of a folder: its regular *.yaml and *.yml files. Only the error_code overloads: an entry
// that is a symbolic link loop, or one that vanishes while the folder is listed, is not a rule file, never an
// uncaught filesystem_error.
std::vector<std::filesystem::path> yaml_files_in(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string ext = it->path().extension().string();
    std::error_code status;
    if ((ext == ".yaml" || ext == ".yml") && it->is_regular_file(status)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::vector<std::filesystem::path> RuleLoader::rule_files(const std::vector<std::filesystem::path>& paths) {
  std::vector<std::filesystem::path> files;
  auto add = [&](std::filesystem::path file) {
    if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(std::move(file));
  };
  std::error_code ec;
  for (const std::filesystem::path& path : paths) {
    bool directory = std::filesystem::is_directory(path, ec);
    if (directory) {
      for (std::filesystem::path& file : yaml_files_in(path))
        add(std::move(file));
    } else {
      add(path);
    }
    std::filesystem::path shared = (directory ? path : path.parent_path()) / "lists";
    if (path.parent_path().filename() != "lists" && std::filesystem::is_directory(shared, ec))
      for (std::filesystem::path& file : yaml_files_in(shared))
        add(std::move(file));
  }
  return files;
}

void RuleLoader::load_paths(const std::vector<std::filesystem::path>& paths) {
  std::vector<std::filesystem::path> files = rule_files(paths);
  std::error_code ec;
  for (const std::filesystem::path& path : paths)
    if (std::filesystem::is_directory(path, ec) && yaml_files_in(path).empty())
      diagnostics_.push_back(
          {DiagnosticLevel::warning, "W001", "no *.yaml rule files here", {path.string()}, {}});
  // yaml-cpp's parse is most of loading, and files parse independently: on every core, then read in name
  // order.
  std::vector<ParsedFile> parsed(files.size());
  run_on_every_core(files.size(), [&](std::size_t i) { parsed[i] = parse_file(files[i]); });
  // A shared lists file that came along only because a rule file beside it was named need not use all its
  // lists: that rule file alone rarely does.
  auto named_alone = [&](const std::filesystem::path& file) {
    if (file.parent_path().filename() != "lists") return true;
    return std::any_of(paths.begin(), paths.end(), [&](const std::filesystem::path& path) {
      return path == file || path == file.parent_path() || path == file.parent_path().parent_path();
    });
  };
  for (std::size_t i = 0; i < files.size(); ++i) {
    rule_sources_.push_back({files[i].string(), parsed[i].hash});
    if (parsed[i].problem) diagnostics_.push_back(*parsed[i].problem);
    load_lists(parsed[i], files[i].string(), named_alone(files[i]));
  }
  for (std::size_t i = 0; i < files.size(); ++i)
    load_rules(parsed[i], files[i].string());
}

void RuleLoader::load_yaml(std::string_view yaml, const std::string& file_name) {
  ParsedFile parsed = parse_yaml(yaml, file_name);
  rule_sources_.push_back({file_name, parsed.hash});
  if (parsed.problem) diagnostics_.push_back(*parsed.problem);
  load_lists(parsed, file_name, true);
  load_rules(parsed, file_name);
}

void RuleLoader::load_lists(const ParsedFile& parsed, const std::string& file_name, bool warn_unused) {
  if (parsed.problem) return;
  FileLoader(file_name, model_, diagnostics_, rule_ids_, lists_, words_sources_)
      .load_lists(parsed.root, warn_unused);
}

void RuleLoader::load_rules(const ParsedFile& parsed, const std::string& file_name) {
  if (parsed.problem) return;
  FileLoader(file_name, model_, diagnostics_, rule_ids_, lists_, words_sources_).load(parsed.root);
}

void RuleLoader::finish() {
  for (const Rule& rule : model_.rules)
    if (rule.score != 0 && rule.item >= 1 && rule.item <= kItemCount &&
        !model_.thresholds[static_cast<std::size_t>(rule.item)].set())
      diagnostics_.push_back(
          {DiagnosticLevel::error, "E017",
           "item " + std::to_string(rule.item) +
               " has no threshold ('thresholds:' in any rule file): its score decides nothing",
           rule.location, rule.id});
  for (const auto& [name, list] : lists_)
    if (!list.used && list.warn_unused)
      diagnostics_.push_back({DiagnosticLevel::warning,
                              "W005",
                              "the list '" + name + "' is defined but no rule uses it",
                              list.location,
                              {}});
}

std::vector<SourceFile> RuleLoader::sources() const {
  std::vector<SourceFile> all = rule_sources_;
  all.insert(all.end(), words_sources_.begin(), words_sources_.end());
  return all;
}

}  // namespace qinglang::detail
