#include "text/word_forms.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "base/utf8.h"

namespace qinglang::detail {
namespace {

struct PinyinEntry {
  std::uint32_t code_point;
  const char* readings;
  bool common;  // GB2312 level 1
};

#include "text/pinyin_table.inc"

struct EmojiWord {
  const char* character;
  const char* emoji;
};

#include "text/emoji_words.inc"

// One choice per character position: the character itself, one of its full readings, or an initial.
using Options = std::vector<std::string>;

// The table is sorted by code point: a search costs less than building a map of it at every start.
const PinyinEntry* pinyin_entry(std::uint32_t code_point) {
  const PinyinEntry* end = std::end(kPinyinReadings);
  const PinyinEntry* it =
      std::lower_bound(std::begin(kPinyinReadings), end, code_point,
                       [](const PinyinEntry& e, std::uint32_t cp) { return e.code_point < cp; });
  return it != end && it->code_point == code_point ? it : nullptr;
}

std::string_view most_likely_reading(const PinyinEntry& e) {
  std::string_view readings = e.readings;
  return readings.substr(0, readings.find('|'));
}

Options readings_of(const PinyinEntry& e) {
  Options readings;
  std::string_view rest = e.readings;
  while (!rest.empty()) {
    std::size_t bar = rest.find('|');
    readings.emplace_back(rest.substr(0, bar));
    rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
  }
  return readings;
}

std::uint32_t decode(std::string_view c) {
  return decode_sequence(reinterpret_cast<const unsigned char*>(c.data()), c.size());
}

std::string encode(std::uint32_t cp) {
  std::string out;
  if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  }
  out += static_cast<char>(0x80 | (cp & 0x3F));
  return out;
}

// Most likely reading → the common characters whose most likely reading it is, in code point order.
const std::unordered_map<std::string, std::vector<std::string>>& common_characters_by_reading() {
  static const auto table = [] {
    std::unordered_map<std::string, std::vector<std::string>> t;
    for (const PinyinEntry& e : kPinyinReadings) {
      if (e.common) t[std::string(most_likely_reading(e))].push_back(encode(e.code_point));
    }
    return t;
  }();
  return table;
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

// Letters, digits and '_': what ids and English words are made of.

}  // namespace

std::vector<std::string> pinyin_variants(std::string_view word) {
  std::vector<std::string> characters = characters_of(word);
  std::vector<Options> full, initials, mixed;
  std::size_t chinese = 0;
  for (const std::string& c : characters) {
    const PinyinEntry* entry = pinyin_entry(decode(c));
    if (entry == nullptr) {
      full.push_back({c});
      initials.push_back({c});
      mixed.push_back({c});
      continue;
    }
    ++chinese;
    Options readings = readings_of(*entry), firsts, both{c};
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

std::vector<std::string> homophone_variants(std::string_view word) {
  std::vector<std::string> characters = characters_of(word);
  std::vector<std::string> variants;
  std::size_t chinese = 0;
  for (const std::string& c : characters)
    chinese += pinyin_entry(decode(c)) != nullptr;
  if (chinese < 2) return variants;
  for (std::size_t i = 0; i < characters.size() && variants.size() < kMaxHomophoneVariants; ++i) {
    const PinyinEntry* entry = pinyin_entry(decode(characters[i]));
    if (entry == nullptr) continue;
    auto same = common_characters_by_reading().find(std::string(most_likely_reading(*entry)));
    if (same == common_characters_by_reading().end()) continue;
    for (const std::string& h : same->second) {
      if (h == characters[i] || variants.size() >= kMaxHomophoneVariants) continue;
      std::string variant;
      for (std::size_t j = 0; j < characters.size(); ++j)
        variant += j == i ? h : characters[j];
      variants.push_back(std::move(variant));
    }
  }
  return variants;
}

std::vector<std::string> emoji_variants(std::string_view word) {
  // The emoji for each reading of the characters they stand for, in table order.
  static const auto by_reading = [] {
    std::unordered_map<std::string, std::vector<std::string>> t;
    for (const EmojiWord& e : kEmojiWords) {
      const PinyinEntry* entry = pinyin_entry(decode(e.character));
      if (entry == nullptr) continue;
      std::vector<std::string>& emoji = t[std::string(most_likely_reading(*entry))];
      if (std::find(emoji.begin(), emoji.end(), e.emoji) == emoji.end()) emoji.emplace_back(e.emoji);
    }
    return t;
  }();
  std::vector<std::string> characters = characters_of(word);
  std::vector<std::string> variants;
  if (characters.size() < 2) return variants;
  for (std::size_t i = 0; i < characters.size() && variants.size() < kMaxEmojiVariants; ++i) {
    const PinyinEntry* entry = pinyin_entry(decode(characters[i]));
    if (entry == nullptr) continue;
    auto emoji = by_reading.find(std::string(most_likely_reading(*entry)));
    if (emoji == by_reading.end()) continue;
    for (const std::string& e : emoji->second) {
      if (variants.size() >= kMaxEmojiVariants) break;
      std::string variant;
      for (std::size_t j = 0; j < characters.size(); ++j)
        variant += j == i ? e : characters[j];
      variants.push_back(std::move(variant));
    }
  }
  return variants;
}

}  // namespace qinglang::detail
