// Look-alike app names (item 13): one edit away from a protected name, but not the name itself.
#include "test_support.h"

namespace qinglang::testing {
namespace {

const std::string kRule = one_rule("    fields: [app.name]\n    match: {lookalike: [小猿搜题]}\n");

std::string app(std::string_view name) {
  return std::string(R"({"app":{"name":")") + std::string(name) + "\"}}";
}

TEST(Lookalike, ChangedCharacterMatches) {
  EXPECT_EQ("block", decision_of_record(kRule, app("小猿搜提")));
}
TEST(Lookalike, AddedCharacterMatches) {
  EXPECT_EQ("block", decision_of_record(kRule, app("小猿猿搜题")));
}
TEST(Lookalike, DroppedCharacterMatches) {
  EXPECT_EQ("block", decision_of_record(kRule, app("小猿题")));
}
TEST(Lookalike, SwappedNeighboursMatch) {
  EXPECT_EQ("block", decision_of_record(kRule, app("小猿题搜")));
}
TEST(Lookalike, TheRealNameDoesNotMatch) {
  EXPECT_EQ("pass", decision_of_record(kRule, app("小猿搜题")));
}
TEST(Lookalike, TheRealNameWithASuffixDoesNotMatch) {
  EXPECT_EQ("pass", decision_of_record(kRule, app("小猿搜题家长版")));
}
TEST(Lookalike, TheRealNameInTraditionalCharactersIsTheRealName) {
  EXPECT_EQ("pass", decision_of_record(kRule, app("小猿搜題")));
}
TEST(Lookalike, TwoEditsAwayDoesNotMatchAtDistanceOne) {
  EXPECT_EQ("pass", decision_of_record(kRule, app("大猿搜提")));
}
TEST(Lookalike, TwoEditsMatchAtDistanceTwo) {
  EXPECT_EQ("block", decision_of_record(one_rule("    match: {lookalike: [小猿搜题], edits: 2}\n"),
                                        R"({"text":"大猿搜提"})"));
}
TEST(Lookalike, HitCoversTheWholeLookalike) {
  Scanner scanner(compile_or_fail(kRule));
  Record record = record_from_json(app("小猿收题HD"));
  EXPECT_EQ(scanner.scan(record).hits.at(0).text, "小猿收题");
}

}  // namespace
}  // namespace qinglang::testing
