// Words patterns whose words are kept in a text file beside the rules.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/hash.h"
#include "rules/file_loader.h"

namespace qinglang::detail {

namespace {

// Ten times the largest public lexicon at hand (64k words, 1 MB): more is a mistake, or /dev/zero.
constexpr std::uintmax_t kMaxWordsFileBytes = 64u << 20;

// Why `path` may not be read as a words file of a rule file in `folder`, or empty. Rule files may come from
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
  if (std::filesystem::file_size(path, ec) > kMaxWordsFileBytes) return "is larger than 64 MiB";
  return {};
}

}  // namespace

// A word list in a text file beside the rules, one word per line ('#' starts a comment line): large lexicons
// read far faster this way than as YAML, and stay easy to edit.
std::optional<std::vector<std::string>> FileLoader::words_from_file(const YAML::Node& node,
                                                                    std::string_view key) {
  std::optional<std::string> name = scalar(node, key);
  if (!name) return std::nullopt;
  std::filesystem::path folder = std::filesystem::path(file_).parent_path();
  std::filesystem::path path = folder / *name;
  std::string why = refusal(path, folder);
  std::ifstream in;
  if (why.empty()) {
    in.open(path, std::ios::binary);
    if (!in) why = "cannot be read";
  }
  if (!why.empty()) {
    error("E013", "the words file " + path.string() + " " + why, node);
    return std::nullopt;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::string_view text = bytes.view();
  words_files_.push_back({path.string(), checksum_of(text)});
  std::vector<std::string> words;
  while (!text.empty()) {
    std::string_view line = text.substr(0, text.find('\n'));
    text.remove_prefix(std::min(text.size(), line.size() + 1));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.front() != '#') words.emplace_back(line);
  }
  if (words.empty()) {
    error("E013", "the words file " + path.string() + " holds no words", node);
    return std::nullopt;
  }
  return words;
}

}  // namespace qinglang::detail
