// Words patterns whose words are kept in a text file beside the rules.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/hash.h"
#include "rules/file_loader.h"

namespace qinglang::detail {

// A word list in a text file beside the rules, one word per line ('#' starts a comment line): large lexicons
// read far faster this way than as YAML, and stay easy to edit.
std::optional<std::vector<std::string>> FileLoader::words_from_file(const YAML::Node& node,
                                                                    std::string_view key) {
  std::optional<std::string> name = scalar(node, key);
  if (!name) return std::nullopt;
  std::filesystem::path path = std::filesystem::path(file_).parent_path() / *name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error("E013", "cannot read the words file " + path.string(), node);
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
