#include "pinyin.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "utf8.h"

namespace qinglang::detail {
namespace {

struct PinyinEntry {
  std::uint32_t code_point;
  const char* readings;
};

#include "pinyin_table.inc"

// One choice per character position: the character itself, one of its full readings, or an initial.
using Options = std::vector<std::string>;

const std::unordered_map<std::uint32_t, std::vector<std::string>>& reading_table() {
  static const auto table = [] {
    std::unordered_map<std::uint32_t, std::vector<std::string>> t;
    for (const PinyinEntry& e : kPinyinReadings) {
      std::vector<std::string>& readings = t[e.code_point];
      std::string_view rest = e.readings;
      while (!rest.empty()) {
        std::size_t bar = rest.find('|');
        readings.emplace_back(rest.substr(0, bar));
        rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
      }
    }
    return t;
  }();
  return table;
}

std::uint32_t decode(std::string_view c) {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(c[i]) & 0x3Fu; };
  switch (c.size()) {
    case 1:
      return static_cast<unsigned char>(c[0]);
    case 2:
      return (static_cast<unsigned char>(c[0]) & 0x1Fu) << 6 | b(1);
    case 3:
      return (static_cast<unsigned char>(c[0]) & 0x0Fu) << 12 | b(1) << 6 | b(2);
    default:
      return (static_cast<unsigned char>(c[0]) & 0x07u) << 18 | b(1) << 12 | b(2) << 6 | b(3);
  }
}

// Appends every combination of one option per position, stopping at the cap.
void combine(const std::vector<Options>& positions, std::size_t index, std::string& current,
             std::set<std::string>& out) {
  if (out.size() >= kMaxPinyinVariants) return;
  if (index == positions.size()) {
    out.insert(current);
    return;
  }
  std::size_t length = current.size();
  for (const std::string& option : positions[index]) {
    current += option;
    combine(positions, index + 1, current, out);
    current.resize(length);
  }
}

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::vector<std::string> pinyin_variants(std::string_view word) {
  std::vector<std::string> characters;
  for (std::size_t i = 0; i < word.size();) {
    std::size_t n = valid_sequence_length(word.substr(i));
    if (n == 0) n = 1;
    characters.emplace_back(word.substr(i, n));
    i += n;
  }
  std::vector<Options> full, initials, mixed;
  std::size_t chinese = 0;
  for (const std::string& c : characters) {
    auto it = reading_table().find(decode(c));
    if (it == reading_table().end()) {
      full.push_back({c});
      initials.push_back({c});
      mixed.push_back({c});
      continue;
    }
    ++chinese;
    Options readings = it->second, firsts, both{c};
    for (const std::string& r : readings)
      if (std::find(firsts.begin(), firsts.end(), r.substr(0, 1)) == firsts.end())
        firsts.push_back(r.substr(0, 1));
    both.push_back(readings.front());
    both.push_back(firsts.front());
    full.push_back(readings);
    initials.push_back(firsts);
    mixed.push_back(both);
  }
  if (chinese < 2) return {};
  std::set<std::string> variants;
  std::string current;
  combine(full, 0, current, variants);
  combine(initials, 0, current, variants);
  combine(mixed, 0, current, variants);
  variants.erase(std::string(word));
  return {variants.begin(), variants.end()};
}

bool stands_alone(std::string_view text, std::size_t start, std::size_t end) noexcept {
  bool starts_ascii = start < text.size() && is_ascii_alnum(text[start]);
  bool ends_ascii = end > 0 && is_ascii_alnum(text[end - 1]);
  if (starts_ascii && start > 0 && is_ascii_alnum(text[start - 1])) return false;
  if (ends_ascii && end < text.size() && is_ascii_alnum(text[end])) return false;
  return true;
}

}  // namespace qinglang::detail
