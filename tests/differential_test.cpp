// The engine's word-list hits against a naive substring search, on generated text. The rules match the raw
// view only: this pins the literal matcher and the evaluation; normalized views have property tests of their
// own.
#include <re2/re2.h>

#include <random>
#include <sstream>

#include "test_support.h"

namespace qinglang::testing {
namespace {

// A small alphabet makes words occur often, overlap, and share prefixes.
const std::vector<std::string> kAlphabet = {"开", "盒", "挂", "人", "a", "1", " ", "，", "😀"};

std::string random_string(std::mt19937& rng, std::size_t min_chars, std::size_t max_chars) {
  std::uniform_int_distribution<std::size_t> length(min_chars, max_chars), pick(0, kAlphabet.size() - 1);
  std::string s;
  for (std::size_t n = length(rng); n > 0; --n)
    s += kAlphabet[pick(rng)];
  return s;
}

struct Expected {
  bool fires = false;
  std::size_t start = 0, end = 0;
};

// What the engine promises for one rule: the earliest start of any of its words, and the longest word there.
Expected naive(const std::string& text, const std::vector<std::string>& words) {
  Expected e;
  for (const std::string& w : words) {
    std::size_t at = text.find(w);
    if (at == std::string::npos) continue;
    if (!e.fires || at < e.start || (at == e.start && at + w.size() > e.end)) e = {true, at, at + w.size()};
  }
  return e;
}

TEST(Differential, WordHitsAgreeWithNaiveSubstringSearch) {
  std::mt19937 rng(20240701);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::vector<std::string>> rules_words(12);
    std::string yaml = "rules:\n";
    for (std::size_t r = 0; r < rules_words.size(); ++r) {
      yaml += "  - {id: r" + std::to_string(r) +
              ", category: social, item: 6, title: t, severity: low, "
              "action: review, views: [raw], match: {words: [";
      for (int w = 0; w < 3; ++w) {
        std::string word = random_string(rng, 2, 4);
        if (word.find_first_not_of(' ') == std::string::npos) word = "开盒";
        rules_words[r].push_back(word);
        yaml += (w ? ", '" : "'") + word + "'";
      }
      yaml += "]}}\n";
    }
    auto rules = compile_or_fail(yaml);
    ASSERT_TRUE(rules);
    Scanner scanner(rules);
    for (int t = 0; t < 50; ++t) {
      std::string text = random_string(rng, 0, 60);
      Record record = Record::from_text(text);
      const Verdict& verdict = scanner.scan(record);
      for (std::size_t r = 0; r < rules_words.size(); ++r) {
        Expected expected = naive(text, rules_words[r]);
        std::string id = "r";
        id += std::to_string(r);
        auto hit = std::find_if(verdict.hits.begin(), verdict.hits.end(),
                                [&](const Hit& h) { return h.rule.id == id; });
        ASSERT_EQ(expected.fires, hit != verdict.hits.end()) << "rule " << id << " text '" << text << "'";
        if (!expected.fires) continue;
        EXPECT_EQ(expected.start, hit->start) << "rule " << id << " text '" << text << "'";
        EXPECT_EQ(expected.end, hit->end) << "rule " << id << " text '" << text << "'";
      }
    }
  }
}

}  // namespace
}  // namespace qinglang::testing

namespace qinglang::testing {
namespace {

std::string describe(const Verdict& v) {
  std::ostringstream out;
  out << to_string(v.decision);
  for (const Hit& h : v.hits)
    out << ' ' << h.rule.id << '@' << h.field << ':' << h.start << '-' << h.end << '/' << h.view;
  return out.str();
}

// Scanning records together must give each exactly the verdict it gets alone: no match may leak across the
// boundary between fields or records, whatever the views, regexes and evasions.
TEST(Differential, BatchScanEqualsScanningEachRecordAlone) {
  const std::string yaml = R"(
rules:
  - {id: w, category: social, item: 6, title: t, severity: high, action: block, match: {words: [开盒, 网络厕所]}}
  - {id: x, category: social, item: 5, title: t, severity: low, action: review, match: {regex: '[^。]{0,3}vx\d+'}}
  - {id: n, category: social, item: 5, title: t, severity: low, action: review, numerals: true,
     match: {regex: 'qq\d{3,}'}}
  - {id: r, category: social, item: 7, title: t, severity: low, action: review, scope: record,
     match: {near: [{words: [加]}, {words: [v]}], within: 2}}
  - {id: p, category: ecommerce, item: 11, title: t, severity: high, action: block, pinyin: true,
     match: {words: [代骂]}}
  - {id: c, category: social, item: 8, title: t, severity: low, action: review, unless_scope: record,
     match: {all: [{words: [开盒]}, {regex: '\d\d'}]}, unless: {words: [网络]}}
)";
  auto rules = compile_or_fail(yaml);
  ASSERT_TRUE(rules);
  const std::vector<std::string> pieces = {"开",   "盒",  "网络", "厕所", "v",  "x", "1",  "2",
                                           "qq",   "一",  "二",   "加",   " ",  "*", "。", "\n",
                                           "\xff", "dai", "ma",   "代",   "骂", "😀"};
  std::mt19937 rng(3);
  std::vector<Record> records(40);
  Scanner batch_scanner(rules), single_scanner(rules);
  for (int round = 0; round < 50; ++round) {
    for (Record& record : records) {
      record.clear();
      for (unsigned f = rng() % 4; f > 0; --f) {
        std::string text;
        for (unsigned n = rng() % 12; n > 0; --n)
          text += pieces[rng() % pieces.size()];
        std::string path = "title";
        if (f % 2 == 0) path = std::string("comments.") + std::to_string(f);
        record.add_text(path, text);
      }
    }
    const std::vector<Verdict>& together = batch_scanner.scan_batch(records);
    ASSERT_EQ(together.size(), records.size());
    for (std::size_t i = 0; i < records.size(); ++i)
      ASSERT_EQ(describe(together[i]), describe(single_scanner.scan(records[i]))) << "record " << i;
  }
}

}  // namespace
}  // namespace qinglang::testing

namespace qinglang::testing {
namespace {

// Regex spans against RE2 on long random text: the detector finds matches without their start, and the
// locator rescans only a window before each end, so a wrong window would give a wrong start. The reference is
// brute force: the leftmost position where a match starts, and the longest match there.
TEST(Differential, RegexSpansAgreeWithRe2InLongFields) {
  const std::vector<std::string> regexes = {"a\\d{1,4}b", "\\d{2,3}x", "[ab]{2,6}", "x[12]{0,3}a"};
  std::ostringstream yaml_text;
  yaml_text << "rules:\n";
  for (std::size_t r = 0; r < regexes.size(); ++r)
    yaml_text << "  - {id: r" << r << ", category: social, item: 7, title: t, severity: low, action: review, "
              << "match: {regex: '" << regexes[r] << "'}}\n";
  const std::string yaml = yaml_text.str();
  auto rules = compile_or_fail(yaml);
  ASSERT_TRUE(rules);
  Scanner scanner(rules);
  std::mt19937 rng(29);
  const std::string alphabet = "ab12x ";
  for (int round = 0; round < 20; ++round) {
    std::string text;
    for (int i = 0; i < 400; ++i)
      text += alphabet[rng() % alphabet.size()];
    Record record = Record::from_text(text);
    const Verdict& verdict = scanner.scan(record);
    for (std::size_t r = 0; r < regexes.size(); ++r) {
      RE2 re(regexes[r]);
      std::size_t start = std::string::npos, end = 0;
      for (std::size_t s = 0; s < text.size() && start == std::string::npos; ++s)
        for (std::size_t e = text.size(); e > s; --e)
          if (RE2::FullMatch(std::string_view(text).substr(s, e - s), re)) {
            start = s;
            end = e;
            break;
          }
      std::string id = "r";
      id += std::to_string(r);
      auto hit = std::find_if(verdict.hits.begin(), verdict.hits.end(),
                              [&](const Hit& h) { return h.rule.id == id; });
      ASSERT_EQ(start != std::string::npos, hit != verdict.hits.end()) << regexes[r] << " in " << text;
      if (hit == verdict.hits.end()) continue;
      EXPECT_EQ(hit->start, start) << regexes[r] << " in " << text;
      EXPECT_EQ(hit->end, end) << regexes[r] << " in " << text;
    }
  }
}

}  // namespace
}  // namespace qinglang::testing
