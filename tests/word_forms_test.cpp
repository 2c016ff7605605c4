// Pinyin forms of words, for rules with `pinyin: true`.
#include "text/word_forms.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/utf8.h"
#include "test_support.h"

namespace qinglang::detail {
namespace {

bool has(const std::vector<std::string>& variants, const std::string& v) {
  return std::find(variants.begin(), variants.end(), v) != variants.end();
}

TEST(PinyinVariants, FullPinyin) {
  EXPECT_TRUE(has(pinyin_variants("开盒"), "kaihe"));
}
TEST(PinyinVariants, Initials) {
  EXPECT_TRUE(has(pinyin_variants("网络厕所"), "wlcs"));
}
TEST(PinyinVariants, MixedForms) {
  auto v = pinyin_variants("网络厕所");
  EXPECT_TRUE(has(v, "网络cs"));
  EXPECT_TRUE(has(v, "wangluo厕所"));
}
TEST(PinyinVariants, PolyphonicCharactersGiveEachReading) {
  auto v = pinyin_variants("银行");
  EXPECT_TRUE(has(v, "yinhang"));
  EXPECT_TRUE(has(v, "yinxing"));
}
TEST(PinyinVariants, SimplifiedCharactersTakeTheirTraditionalReadings) {
  EXPECT_TRUE(has(pinyin_variants("开盒"), "kaihe"));  // the dictionary lists 开 under 開
}
TEST(PinyinVariants, TheWordItselfIsNotAVariant) {
  EXPECT_FALSE(has(pinyin_variants("开盒"), "开盒"));
}
TEST(PinyinVariants, OneChineseCharacterGivesNone) {
  EXPECT_TRUE(pinyin_variants("加v").empty());
}
TEST(PinyinVariants, LongWordsStayBounded) {
  EXPECT_LE(pinyin_variants("长长长长长长长长长").size(), kMaxPinyinVariants);
}

TEST(StandsAlone, AtTextEdges) {
  EXPECT_TRUE(stands_alone("kh", 0, 2));
}
TEST(StandsAlone, BetweenChineseCharacters) {
  EXPECT_TRUE(stands_alone("被kh了", 3, 5));
}
TEST(StandsAlone, NotInsideAnEnglishWord) {
  EXPECT_FALSE(stands_alone("khaki", 0, 2));
}
TEST(StandsAlone, NotAtTheEndOfAnId) {
  EXPECT_FALSE(stands_alone("ak47kh", 4, 6));
}

}  // namespace
}  // namespace qinglang::detail

namespace qinglang::testing {
namespace {

const std::string kPinyinRule = one_rule("    pinyin: true\n    match: {words: [开盒, 网络厕所]}\n");

std::string view_of_hit(std::string_view text) {
  static auto rules = compile_or_fail(kPinyinRule);
  Scanner scanner(rules);
  Record record = Record::from_text(text);
  const Verdict& v = scanner.scan(record);
  return v.hits.empty() ? "none" : std::string(v.hits[0].view);
}

TEST(PinyinRule, FullPinyinMatches) {
  EXPECT_EQ(view_of_hit("他被kaihe了"), "pinyin");
}
TEST(PinyinRule, InitialsMatch) {
  EXPECT_EQ(view_of_hit("投稿wlcs"), "pinyin");
}
TEST(PinyinRule, MixedFormsMatch) {
  EXPECT_EQ(view_of_hit("网络cs"), "pinyin");
}
TEST(PinyinRule, CapitalsAndSpacesMatch) {
  EXPECT_EQ(view_of_hit("Kai He"), "pinyin");
}
TEST(PinyinRule, PinyinAfterAnEnglishWordAndASpaceMatches) {
  EXPECT_EQ(view_of_hit("i got kai he today"), "pinyin");
}
TEST(PinyinRule, InitialsInsideEnglishDoNotMatch) {
  EXPECT_EQ(view_of_hit("khaki pants"), "none");
}
TEST(PinyinRule, PlainWordsStillMatchRaw) {
  EXPECT_EQ(view_of_hit("开盒"), "raw");
}
TEST(PinyinRule, RulesWithoutPinyinIgnoreIt) {
  EXPECT_EQ("pass", decision_of(one_rule("    match: {words: [开盒]}\n"), "kaihe"));
}

}  // namespace
}  // namespace qinglang::testing

namespace qinglang::detail {
namespace {

TEST(HomophoneVariants, OneCharacterSwappedForTheSameReading) {
  auto h = homophone_variants("代骂");
  EXPECT_TRUE(std::find(h.begin(), h.end(), "带骂") != h.end());
  EXPECT_TRUE(std::find(h.begin(), h.end(), "代妈") != h.end());
}
TEST(HomophoneVariants, NeverTheWordItself) {
  auto h = homophone_variants("代骂");
  EXPECT_TRUE(std::find(h.begin(), h.end(), "代骂") == h.end());
}
TEST(HomophoneVariants, StayBounded) {
  EXPECT_LE(homophone_variants("一二三四五六七八九十").size(), kMaxHomophoneVariants);
}
TEST(HomophoneVariants, OneChineseCharacterGivesNone) {
  EXPECT_TRUE(homophone_variants("骂v").empty());
}

}  // namespace
}  // namespace qinglang::detail

namespace qinglang::testing {
namespace {

TEST(HomophoneRule, HomophoneMatchesAndSaysSo) {
  auto rules = compile_or_fail(one_rule("    homophones: true\n    match: {words: [代骂]}\n"));
  Scanner scanner(rules);
  Record record = Record::from_text("专业带骂");
  EXPECT_EQ(scanner.scan(record).hits.at(0).view, "homophone");
}
TEST(HomophoneRule, RulesWithoutHomophonesIgnoreThem) {
  EXPECT_EQ("pass", decision_of(one_rule("    match: {words: [代骂]}\n"), "专业带骂"));
}

}  // namespace
}  // namespace qinglang::testing

namespace qinglang::testing {
namespace {

const std::string kEmojiRule = one_rule("    emoji: true\n    match: {words: [你妈, 买枪]}\n");

TEST(EmojiRule, EmojiStandingForTheCharacter) {
  auto rules = compile_or_fail(kEmojiRule);
  Scanner scanner(rules);
  Record record = Record::from_text("哪里买🔫");
  EXPECT_EQ(scanner.scan(record).hits.at(0).view, "emoji");
}
TEST(EmojiRule, EmojiStandingForACharacterReadTheSame) {
  EXPECT_EQ("block", decision_of(kEmojiRule, "你🐴的"));
}
TEST(EmojiRule, PlainHomophoneTextIsNotAnEmojiForm) {
  EXPECT_EQ("pass", decision_of(kEmojiRule, "你马上来"));
}
TEST(EmojiRule, RulesWithoutEmojiIgnoreThem) {
  EXPECT_EQ("pass", decision_of(one_rule("    match: {words: [买枪]}\n"), "买🔫"));
}

}  // namespace
}  // namespace qinglang::testing

namespace qinglang::testing {
namespace {

TEST(WordFormOptions, ExceptionWordsGetNoPinyinForms) {
  // wx, the initials of the exception 网信, must not silence the rule.
  EXPECT_EQ(
      "block",
      decision_of(one_rule("    pinyin: true\n    match: {words: [代骂]}\n    unless: {words: [网信]}\n"),
                  "代骂 加wx"));
}
TEST(WordFormOptions, AWordsPatternCanOptInAlone) {
  std::string yaml = one_rule("    match: {all: [{words: [代骂], pinyin: true}, {words: [接单]}]}\n");
  EXPECT_EQ("block", decision_of(yaml, "daima 接单"));
  EXPECT_EQ("pass", decision_of(yaml, "daima jd"));
}
TEST(WordFormOptions, InitialsAfterAnUnderscoreArePartOfAnId) {
  EXPECT_EQ("pass", decision_of(one_rule("    pinyin: true\n    match: {words: [开盒]}\n"), "@user_kh"));
}

}  // namespace
}  // namespace qinglang::testing
