// Files a rule names beside it: words files (`words_file:`) and model files (`model:`).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/hash.h"
#include "rules/file_loader.h"

namespace qinglang::detail {

namespace {

// Ten times the largest public lexicon at hand (64k words, 1 MB), and a dozen times the largest model
// `qinglang train` writes: more is a mistake, or /dev/zero.
constexpr std::uintmax_t kMaxFileBytes = 64u << 20;

// Why `path` may not be read as a file of a rule file in `folder`, or empty. Rule files may come from
// someone else (a shared rule repository): a words file stays inside the rule file's folder, so a rule cannot
// read /etc/passwd and echo it in a warning, and is a regular file, so a device or a FIFO cannot hang or
// exhaust the loader.
std::string refusal(const std::filesystem::path& path, const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::path resolved = std::filesystem::weakly_canonical(path, ec);
  std::filesystem::path root = std::filesystem::weakly_canonical(folder.empty() ? "." : folder, ec);
  bool inside = std::mismatch(root.begin(), root.end(), resolved.begin(), resolved.end()).first == root.end();
  if (ec || !inside) return "is outside the rule file's folder";
  std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) return "cannot be read";
  if (!std::filesystem::is_regular_file(status)) return "is not a regular file";
  if (std::filesystem::file_size(path, ec) > kMaxFileBytes) return "is larger than 64 MiB";
  return {};
}

// Where the file `name` that the rule file `rule_file` names lies.
std::string path_beside(const std::string& rule_file, const std::string& name) {
  return (std::filesystem::path(rule_file).parent_path() / name).string();
}

// The bytes of `path` (path_beside), or the reason it may not be read.
std::optional<std::string> read_beside(const std::string& rule_file, const std::string& path,
                                       std::string& why) {
  std::filesystem::path folder = std::filesystem::path(rule_file).parent_path();
  std::filesystem::path full = path;
  why = refusal(full, folder);
  if (!why.empty()) return std::nullopt;
  std::ifstream in(full, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) {
    why = "cannot be read";
    return std::nullopt;
  }
  return std::move(bytes).str();
}

}  // namespace

// A word list in a text file beside the rules, one word per line ('#' starts a comment line): large lexicons
// read far faster this way than as YAML, and stay easy to edit.
std::optional<std::vector<std::string>> FileLoader::words_from_file(const YAML::Node& node,
                                                                    std::string_view key) {
  std::optional<std::string> name = scalar(node, key);
  if (!name) return std::nullopt;
  std::string path = path_beside(file_, *name), why;
  std::optional<std::string> bytes = read_beside(file_, path, why);
  if (!bytes) {
    error("E013", "the words file " + path + " " + why, node);
    return std::nullopt;
  }
  std::string_view text = *bytes;
  words_files_.push_back({path, checksum_of(text)});
  std::vector<std::string> words;
  while (!text.empty()) {
    std::string_view line = text.substr(0, text.find('\n'));
    text.remove_prefix(std::min(text.size(), line.size() + 1));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.front() != '#') words.emplace_back(line);
  }
  if (words.empty()) {
    error("E013", "the words file " + path + " holds no words", node);
    return std::nullopt;
  }
  return words;
}

// A model file (`model: {file: …}`), read once however many rules name it: its index in the rule set's model
// files. A model is as much a part of the rules as a words file: a changed model makes a cache stale.
std::optional<std::uint32_t> FileLoader::model_file(const YAML::Node& node) {
  std::optional<std::string> name = scalar(node, "file");
  if (!name) return std::nullopt;
  std::string path = path_beside(file_, *name), why;
  for (std::uint32_t i = 0; i < model_.model_files.size(); ++i)
    if (model_.model_files[i].path == path) return i;
  std::optional<std::string> bytes = read_beside(file_, path, why);
  if (!bytes) {
    error("E019", "the model file " + path + " " + why, node);
    return std::nullopt;
  }
  std::uint64_t hash = checksum_of(*bytes);
  words_files_.push_back({path, hash});
  model_.model_files.push_back({path, hash, std::move(*bytes)});
  return static_cast<std::uint32_t>(model_.model_files.size() - 1);
}

}  // namespace qinglang::detail
