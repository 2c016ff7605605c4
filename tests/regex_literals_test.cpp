// Regexes that are word lists in disguise become literals; everything else stays a regex.
#include "compile/regex_literals.h"

#include <gtest/gtest.h>

namespace qinglang::detail {
namespace {

using Strings = std::vector<std::string>;

TEST(SplitRegex, AlternationOfWordsBecomesLiterals) {
  RegexSplit split = split_regex("牛牛|PK10|捕鱼");
  EXPECT_EQ(split.literals, (Strings{"PK10", "捕鱼", "牛牛"}));
  EXPECT_TRUE(split.regexes.empty());
}

TEST(SplitRegex, GroupsAndOptionalPartsAreExpanded) {
  RegexSplit split = split_regex("下分(秒到|到账)|赢了?现金|(?:秒)?到支付宝");
  EXPECT_EQ(split.literals,
            (Strings{"下分到账", "下分秒到", "到支付宝", "秒到支付宝", "赢了现金", "赢现金"}));
}

TEST(SplitRegex, OptionalAppliesToAWholeCharacter) {
  EXPECT_EQ(split_regex("穿得?很少").literals, (Strings{"穿很少", "穿得很少"}));  // sorted by bytes
}

TEST(SplitRegex, EscapedPunctuationIsLiteral) {
  EXPECT_EQ(split_regex("a\\.b|c\\|d").literals, (Strings{"a.b", "c|d"}));
}

TEST(SplitRegex, AlternativesThatAreNotPlainTextStayRegexes) {
  RegexSplit split = split_regex("擦边|性感[\\x{4e00}-\\x{9fa5}]{0,3}(主播|美女)|黑丝");
  EXPECT_EQ(split.literals, (Strings{"擦边", "黑丝"}));
  EXPECT_EQ(split.regexes, (Strings{"性感[\\x{4e00}-\\x{9fa5}]{0,3}(主播|美女)"}));
}

TEST(SplitRegex, RegexWithNoPlainAlternativeComesBackWhole) {
  RegexSplit split = split_regex("(^|[^a-z0-9])(se|涩)\\s{0,5}(tu|图)");
  EXPECT_TRUE(split.literals.empty());
  EXPECT_EQ(split.regexes, (Strings{"(^|[^a-z0-9])(se|涩)\\s{0,5}(tu|图)"}));
}

TEST(SplitRegex, ARegexWrittenAsOneGroupIsCutAtTheGroupsAlternatives) {
  RegexSplit split = split_regex("(教程|攻略|[一二三]{1,2}招)");
  EXPECT_EQ(split.literals, (Strings{"攻略", "教程"}));
  EXPECT_EQ(split.regexes, (Strings{"[一二三]{1,2}招"}));
  EXPECT_EQ(split_regex("(?:教程|\\d招)").regexes, (Strings{"\\d招"}));
}

TEST(SplitRegex, AGroupWithMoreAfterItIsNotOpened) {
  EXPECT_EQ(split_regex("(教程|\\d招)吧").regexes, (Strings{"(教程|\\d招)吧"}));
  EXPECT_EQ(split_regex("(教程|\\d招)+").regexes, (Strings{"(教程|\\d招)+"}));
  EXPECT_EQ(split_regex("(a|\\d)(b|\\d)").regexes, (Strings{"(a|\\d)(b|\\d)"}));
}

TEST(SplitRegex, BarInsideAClassDoesNotSplit) {
  EXPECT_EQ(split_regex("a[|b]c").regexes, (Strings{"a[|b]c"}));
}

TEST(SplitRegex, ClassesRepeatsAnchorsAndLetterEscapesAreNotPlain) {
  for (const char* regex : {"a[bc]", "ab+", "a*", "^ab", "ab$", "a.b", "\\d{6}", "a\\bb", "(?i)ab", "a{2}"})
    EXPECT_TRUE(split_regex(regex).literals.empty()) << regex;
}

TEST(SplitRegex, ExpansionBeyondTheLimitStaysARegex) {
  RegexSplit split = split_regex("(a|b)(c|d)(e|f)", 4);
  EXPECT_TRUE(split.literals.empty());
  EXPECT_EQ(split_regex("(a|b)(c|d)(e|f)", 8).literals.size(), 8u);
}

TEST(SplitRegex, AlternativeThatCanMatchNothingStaysARegex) {
  EXPECT_TRUE(split_regex("(ab)?").literals.empty());
}

}  // namespace
}  // namespace qinglang::detail
