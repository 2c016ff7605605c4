// Conditions on structured fields: parsing and evaluation.
#include "rules/condition.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace qinglang::detail {
namespace {

Condition parse_or_fail(std::string_view text) {
  std::string error;
  std::optional<Condition> c = parse_condition(text, error);
  EXPECT_TRUE(c.has_value()) << error;
  return c.value_or(Condition{});
}

bool holds(std::string_view condition, std::string_view json) {
  return evaluate(parse_or_fail(condition), testing::record_from_json(json), {});
}

TEST(ConditionParser, ReadsPathOperatorAndNumber) {
  Condition c = parse_or_fail("price >= 10.5");
  EXPECT_EQ(c.path, "price");
  EXPECT_EQ(c.op, ConditionOp::ge);
  EXPECT_EQ(c.value.number, 10.5);
}

TEST(ConditionParser, ReadsQuotedStrings) {
  EXPECT_EQ(parse_or_fail("tags contains \"儿童\"").value.text, "儿童");
}

TEST(ConditionParser, KeepsAMatchesRegexAsWritten) {
  Condition c = parse_or_fail("contact matches \"QQ\\d{5,}\\s\"");
  EXPECT_EQ(c.op, ConditionOp::matches);
  EXPECT_EQ(c.value.text, "QQ\\d{5,}\\s");
}

TEST(ConditionParser, RejectsARegexRE2Rejects) {
  std::string error;
  EXPECT_FALSE(parse_condition("name matches \"(a\"", error));
  EXPECT_NE(error.find("rejected by RE2"), std::string::npos) << error;
}

TEST(ConditionParser, RejectsAMissingOperator) {
  std::string error;
  EXPECT_FALSE(parse_condition("price 10", error));
  EXPECT_NE(error.find("expected one of"), std::string::npos);
}

TEST(ConditionParser, RejectsAnUnquotedWord) {
  std::string error;
  EXPECT_FALSE(parse_condition("app.category == education", error));
}

TEST(ConditionParser, RejectsOrderingOfText) {
  std::string error;
  EXPECT_FALSE(parse_condition("name > \"a\"", error));
}

TEST(Condition, OfSeveralPathsTheFirstTheRecordHasIsTested) {
  EXPECT_TRUE(holds("minor_mode.enabled|minor_mode == true", R"({"minor_mode":{"enabled":true}})"));
  EXPECT_TRUE(holds("minor_mode.enabled|minor_mode == true", R"({"minor_mode":true})"));
  EXPECT_FALSE(holds("minor_mode.enabled|minor_mode == true", R"({"minor_mode":false})"));
  EXPECT_FALSE(holds("a|b == true", R"({"a":false,"b":true})"));
}

TEST(Condition, NoneOfSeveralPathsIsAMissingPath) {
  EXPECT_FALSE(holds("a|b == true", R"({"c":true})"));
  EXPECT_TRUE(holds("a|b != true", R"({"c":true})"));
}

TEST(ConditionParser, RejectsAnUnnamedPathBetweenBars) {
  std::string error;
  EXPECT_FALSE(parse_condition("a|| == true", error).has_value());
  EXPECT_FALSE(parse_condition("|a == true", error).has_value());
}

TEST(Condition, NumbersCompare) {
  EXPECT_TRUE(holds("price > 0", R"({"price":0.5})"));
}
TEST(Condition, BooleansCompare) {
  EXPECT_TRUE(holds("m.on == true", R"({"m":{"on":true}})"));
}
TEST(Condition, NullCompares) {
  EXPECT_TRUE(holds("x == null", R"({"x":null})"));
}
TEST(Condition, TypesDoNotMix) {
  EXPECT_FALSE(holds("price == \"5\"", R"({"price":5})"));
}
TEST(Condition, AnyArrayElementSatisfiesEquality) {
  EXPECT_TRUE(holds("n == 3", R"({"n":[1,3]})"));
}
TEST(Condition, NotEqualIsTheNegationOfEqual) {
  EXPECT_FALSE(holds("n != 3", R"({"n":[1,3]})"));
}

}  // namespace
}  // namespace qinglang::detail
