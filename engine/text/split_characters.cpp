#include "text/split_characters.h"

#include <array>
#include <set>
#include <utility>

#include "base/utf8.h"

namespace qinglang::detail {
namespace {

// Characters of harmful words that evaders split, and their halves.
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kSplits = {{
    {"强", "弓虽"},
    {"奸", "女干"},
    {"妓", "女支"},
    {"嫖", "女票"},
    {"娼", "女昌"},
    {"婊", "女表"},
    {"骚", "马蚤"},
    {"射", "身寸"},
    {"枪", "木仓"},
    {"炮", "火包"},
    {"赌", "贝者"},
    {"鸡", "又鸟"},
    {"炸", "火乍"},
    {"砍", "石欠"},
    {"裸", "衤果"},
    {"操", "扌喿"},
}};

std::string_view halves_of(std::string_view character) {
  for (const auto& [whole, halves] : kSplits)
    if (whole == character) return halves;
  return {};
}

}  // namespace

std::vector<std::string> split_character_variants(std::string_view word) {
  std::vector<std::string> characters = characters_of(word);
  if (characters.size() < 2) return {};
  std::set<std::string> variants;
  std::string all_split;
  for (std::size_t i = 0; i < characters.size(); ++i) {
    std::string_view halves = halves_of(characters[i]);
    all_split += halves.empty() ? characters[i] : halves;
    if (halves.empty()) continue;
    std::string one;
    for (std::size_t j = 0; j < characters.size(); ++j)
      one += j == i ? halves : characters[j];
    variants.insert(std::move(one));
  }
  if (all_split != word) variants.insert(all_split);
  return {variants.begin(), variants.end()};
}

}  // namespace qinglang::detail
