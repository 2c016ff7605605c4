// Evasions that the plain form of a rule must see through, and ordinary text it must leave alone.
#include <random>

#include "test_support.h"

namespace qinglang::testing {
namespace {

const std::string kRules = R"(
rules:
  - {id: scold, category: ecommerce, item: 11, title: t, severity: high, action: block, match: {words: [代骂]}}
  - {id: doxx, category: social, item: 6, title: t, severity: high, action: block, match: {words: [开盒, 网络厕所]}}
  - {id: contact, category: social, item: 5, title: t, severity: high, action: block, match: {words: [加v, vx]}}
  - {id: exact, category: social, item: 5, title: t, severity: high, action: block, views: [raw],
     match: {words: [www.example.com]}}
)";

struct Found {
  std::string decision, text, view;
};

Found scan(std::string_view text) {
  static auto rules = compile_or_fail(kRules);
  Scanner scanner(rules);
  Record record = Record::from_text(text);
  const Verdict& v = scanner.scan(record);
  if (v.hits.empty()) return {"pass", "", ""};
  return {std::string(to_string(v.decision)), std::string(v.hits[0].text), std::string(v.hits[0].view)};
}

TEST(Evasion, PlainTextMatchesInTheRawView) {
  EXPECT_EQ(scan("有偿代骂").view, "raw");
}
TEST(Evasion, SymbolInsideTheWord) {
  EXPECT_EQ(scan("有偿代*骂").text, "代*骂");
}
TEST(Evasion, SpacesInsideTheWord) {
  EXPECT_EQ(scan("开 盒").view, "skeleton");
}
TEST(Evasion, DotsBetweenEveryCharacter) {
  EXPECT_EQ(scan("网.络.厕.所").text, "网.络.厕.所");
}
TEST(Evasion, EmojiInsideTheWord) {
  EXPECT_EQ(scan("加🌹V").text, "加🌹V");
}
TEST(Evasion, TraditionalCharacters) {
  EXPECT_EQ(scan("網絡廁所").view, "folded");
}
TEST(Evasion, FullWidthLetters) {
  EXPECT_EQ(scan("ＶＸ").text, "ＶＸ");
}
TEST(Evasion, CircledLetters) {
  EXPECT_EQ(scan("ⓥⓧ").decision, "block");
}
TEST(Evasion, CyrillicLookalike) {
  EXPECT_EQ(scan("vх").decision, "block");
}
TEST(Evasion, ZeroWidthCharacterInsideTheWord) {
  EXPECT_EQ(scan("开\u200b盒").text, "开\u200b盒");
}
TEST(Evasion, ZeroWidthJoinerAndVariationSelector) {
  EXPECT_EQ(scan("代\u200d\ufe0f骂").decision, "block");
}
TEST(Evasion, SeveralTricksAtOnce) {
  EXPECT_EQ(scan("網 絡 廁 所").decision, "block");
}

TEST(Evasion, LongNoiseRunIsNotAnEvasion) {
  EXPECT_EQ(scan("开......盒").decision, "pass");
}
TEST(Evasion, OrdinaryTextPasses) {
  EXPECT_EQ(scan("开心的盒饭").decision, "pass");
}
TEST(Evasion, RawOnlyRulesIgnoreEvasions) {
  EXPECT_EQ(scan("www .example .com").decision, "pass");
}
TEST(Evasion, RawOnlyRulesMatchAsWritten) {
  EXPECT_EQ(scan("see www.example.com").view, "raw");
}

// Property: a word hidden in random text with random evasions is found, and its span covers exactly the
// evaded word in the original.
TEST(EvasionProperty, EvadedWordIsFoundAndItsSpanMapsBack) {
  const std::vector<std::string> fillers = {"今", "天", "很", "好", "a", "1", "。", " "};
  const std::vector<std::string> noise = {"*", " ", ".", "🌹", "\u200b", "、", "~", "\ufe0f"};
  const std::vector<std::pair<std::string, std::string>> variants = {
      {"网", "網"}, {"络", "絡"}, {"厕", "廁"}};
  std::mt19937 rng(11);
  auto pick = [&](const auto& list) {
    return list[std::uniform_int_distribution<std::size_t>(0, list.size() - 1)(rng)];
  };
  auto rules = compile_or_fail(kRules);
  Scanner scanner(rules);
  for (int round = 0; round < 500; ++round) {
    std::string evaded;
    for (const std::string ch : {"网", "络", "厕", "所"}) {
      std::string c = ch;
      for (const auto& [simplified, traditional] : variants)
        if (c == simplified && rng() % 2) c = traditional;
      if (!evaded.empty())
        for (unsigned n = rng() % 3; n > 0; --n)
          evaded += pick(noise);
      evaded += c;
    }
    std::string prefix, suffix;
    for (unsigned n = rng() % 6; n > 0; --n)
      prefix += pick(fillers);
    for (unsigned n = rng() % 6; n > 0; --n)
      suffix += pick(fillers);
    std::string text = prefix + evaded + suffix;
    Record record = Record::from_text(text);
    const Verdict& v = scanner.scan(record);
    auto hit = std::find_if(v.hits.begin(), v.hits.end(), [](const Hit& h) { return h.rule.id == "doxx"; });
    ASSERT_NE(hit, v.hits.end()) << text;
    EXPECT_EQ(hit->start, prefix.size()) << text;
    EXPECT_EQ(hit->end, prefix.size() + evaded.size()) << text;
  }
}

// Property: invalid UTF-8 never crashes and never yields a span outside the field or inside a character.
TEST(EvasionProperty, RandomBytesGiveSpansInsideTheFieldOnCharacterBoundaries) {
  std::mt19937 rng(5);
  auto rules = compile_or_fail(kRules);
  Scanner scanner(rules);
  const std::string seeds[] = {"开盒", "代骂", "網絡廁所", "ＶＸ", "\xff", "\xe5\xbc", " "};
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    for (unsigned n = rng() % 12; n > 0; --n) {
      if (rng() % 3 == 0)
        text.push_back(static_cast<char>(rng() % 256));
      else
        text += seeds[rng() % std::size(seeds)];
    }
    Record record = Record::from_text(text);
    for (const Hit& hit : scanner.scan(record).hits) {
      ASSERT_LT(hit.start, hit.end);
      ASSERT_LE(hit.end, text.size());
      auto continuation = [&](std::size_t i) {
        return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
      };
      // A span may start at a stray continuation byte (an invalid character of its own), never inside a valid
      // one.
      EXPECT_FALSE(continuation(hit.end) && hit.end > 0 && !continuation(hit.end - 1) &&
                   static_cast<unsigned char>(text[hit.end - 1]) >= 0xC0)
          << "span ends inside a character";
    }
  }
}

}  // namespace
}  // namespace qinglang::testing

namespace qinglang::testing {
namespace {

const std::string kContactRule = one_rule("    numerals: true\n    match: {regex: 'qq\\d{6,10}'}\n");

TEST(Numerals, ChineseNumeralsReadAsDigitsForRulesThatOptIn) {
  EXPECT_EQ("block", decision_of(kContactRule, "加QQ一二三四五六七"));
}
TEST(Numerals, AccountingNumeralsAndYao) {
  EXPECT_EQ("block", decision_of(kContactRule, "QQ幺贰叁肆伍陆柒"));
}
TEST(Numerals, SpacedDigits) {
  EXPECT_EQ("block", decision_of(kContactRule, "qq 1 2 3 4 5 6 7"));
}
TEST(Numerals, RulesWithoutTheOptionSeeNumeralsAsWords) {
  EXPECT_EQ("pass", decision_of(one_rule("    match: {regex: 'qq\\d{6,10}'}\n"), "加QQ一二三四五六七"));
}
TEST(Numerals, NumeralsInOrdinaryWordsDoNotMatter) {
  EXPECT_EQ("pass", decision_of(kContactRule, "我们一起玩QQ游戏"));
}

TEST(SplitCharacters, SplitCharacterMatches) {
  EXPECT_EQ("block", decision_of(one_rule("    match: {words: [强奸]}\n"), "弓虽奸"));
}
TEST(SplitCharacters, EverySplitCharacterAtOnce) {
  EXPECT_EQ("block", decision_of(one_rule("    match: {words: [强奸]}\n"), "弓虽女干"));
}
TEST(SplitCharacters, HalvesAloneAreOrdinaryText) {
  EXPECT_EQ("pass", decision_of(one_rule("    match: {words: [强奸]}\n"), "女子干活"));
}

}  // namespace
}  // namespace qinglang::testing
