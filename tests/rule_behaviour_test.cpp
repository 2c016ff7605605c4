// Rule semantics, one behaviour per test: rule YAML + text (or record) → decision.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "qinglang/compiler.h"
#include "test_support.h"

namespace qinglang::testing {
namespace {

// --- words and regexes

TEST(Words, AnyWordOfTheListMatches) {
  EXPECT_EQ("block", decision_of(one_rule("    match: {words: [开盒, 人肉]}\n"), "帮我人肉他"));
}

TEST(Words, TextWithoutTheWordsPasses) {
  EXPECT_EQ("pass", decision_of(one_rule("    match: {words: [开盒, 人肉]}\n"), "今天天气很好"));
}

TEST(Words, AsciiLettersMatchInAnyCase) {
  EXPECT_EQ("block", decision_of(one_rule("    match: {words: [vx]}\n"), "加我VX"));
}

TEST(Regex, CharacterClassesWorkPerChineseCharacter) {
  EXPECT_EQ("block",
            decision_of(one_rule("    match: {regex: '开盒[\\x{4e00}-\\x{9fa5}]{2}'}\n"), "开盒某某"));
}

TEST(Regex, DigitClassMatchesDigits) {
  EXPECT_EQ("block", decision_of(one_rule("    match: {regex: 'QQ\\d{6,10}'}\n"), "QQ12345678"));
}

TEST(Regex, NoMatchPasses) {
  EXPECT_EQ("pass", decision_of(one_rule("    match: {regex: 'QQ\\d{6,10}'}\n"), "QQ号码丢了"));
}

// --- combinations

TEST(All, FiresWhenEveryPartIsFound) {
  EXPECT_EQ("block",
            decision_of(one_rule("    match: {all: [{words: [代骂]}, {words: [私信]}]}\n"), "代骂服务 私信"));
}

TEST(All, PassesWhenAPartIsMissing) {
  EXPECT_EQ("pass",
            decision_of(one_rule("    match: {all: [{words: [代骂]}, {words: [私信]}]}\n"), "代骂服务"));
}

TEST(Any, FiresWhenOnePartIsFound) {
  EXPECT_EQ("block", decision_of(one_rule("    match: {any: [{words: [代骂]}, {regex: 'x{3}'}]}\n"), "xxx"));
}

TEST(AtLeast, FiresWhenEnoughPartsAreFound) {
  EXPECT_EQ("block", decision_of(one_rule("    match: {at_least: 2, of: [{words: [学校]}, {words: [班级]}, "
                                          "{words: [住址]}]}\n"),
                                 "学校和住址都有"));
}

TEST(AtLeast, PassesWithTooFewParts) {
  EXPECT_EQ("pass", decision_of(one_rule("    match: {at_least: 2, of: [{words: [学校]}, {words: [班级]}, "
                                         "{words: [住址]}]}\n"),
                                "只有学校"));
}

// --- proximity

TEST(Near, FiresWithinTheDistance) {
  EXPECT_EQ("block", decision_of(one_rule("    match: {near: [{words: [加]}, {words: [vx]}], within: 2}\n"),
                                 "加个vx"));
}

TEST(Near, DistanceCountsCharactersNotBytes) {
  // Two Chinese characters (six bytes) between the parts: within 2 holds.
  EXPECT_EQ("block", decision_of(one_rule("    match: {near: [{words: [加]}, {words: [vx]}], within: 2}\n"),
                                 "加我们vx"));
}

TEST(Near, PassesBeyondTheDistance) {
  EXPECT_EQ("pass", decision_of(one_rule("    match: {near: [{words: [加]}, {words: [vx]}], within: 2}\n"),
                                "加油啊朋友们vx"));
}

TEST(Near, UnorderedAcceptsEitherOrder) {
  EXPECT_EQ("block",
            decision_of(one_rule("    match: {near: [{words: [加]}, {words: [vx]}], within: 2}\n"), "vx加"));
}

TEST(Near, OrderedRejectsTheWrongOrder) {
  EXPECT_EQ(
      "pass",
      decision_of(one_rule("    match: {near: [{words: [加]}, {words: [vx]}], within: 2, ordered: true}\n"),
                  "vx加"));
}

TEST(Near, OrderedAcceptsTheListedOrder) {
  EXPECT_EQ(
      "block",
      decision_of(one_rule("    match: {near: [{words: [加]}, {words: [vx]}], within: 2, ordered: true}\n"),
                  "vx 不行，加vx"));
}

TEST(Near, FindsALaterPairWhenTheFirstIsTooFarApart) {
  EXPECT_EQ("block", decision_of(one_rule("    match: {near: [{words: [加]}, {words: [vx]}], within: 1}\n"),
                                 "加油，今天很开心，来加vx"));
}

// --- exceptions

TEST(Unless, ExceptionInTheSameFieldStopsTheRule) {
  EXPECT_EQ("pass", decision_of(one_rule("    match: {words: [开盒]}\n    unless: {words: [举报]}\n"),
                                "遇到开盒请举报"));
}

TEST(Unless, ExceptionAfterTheMatchStillStopsTheRule) {
  // Hyperscan's own NOT would have fired at 开盒, before 警惕 was seen.
  EXPECT_EQ("pass", decision_of(one_rule("    match: {words: [开盒]}\n    unless: {words: [警惕]}\n"),
                                "开盒这种事大家都要警惕"));
}

TEST(Unless, ExceptionInAnotherFieldDoesNotStopAFieldScopedRule) {
  EXPECT_EQ("block", decision_of_record(one_rule("    match: {words: [开盒]}\n    unless: {words: [举报]}\n"),
                                        R"({"title":"开盒","description":"举报"})"));
}

TEST(Unless, RecordScopedExceptionInAnotherFieldStopsTheRule) {
  EXPECT_EQ("pass", decision_of_record(one_rule("    match: {words: [开盒]}\n    unless: {words: [举报]}\n"
                                                "    unless_scope: record\n"),
                                       R"({"title":"开盒","description":"举报"})"));
}

// --- scope and fields

TEST(Scope, FieldScopeNeedsAllPartsInOneField) {
  EXPECT_EQ("pass", decision_of_record(one_rule("    match: {all: [{words: [代骂]}, {words: [私信]}]}\n"),
                                       R"({"title":"代骂","description":"私信"})"));
}

TEST(Scope, RecordScopeCombinesParts) {
  EXPECT_EQ("block",
            decision_of_record(
                one_rule("    scope: record\n    match: {all: [{words: [代骂]}, {words: [私信]}]}\n"),
                R"({"title":"代骂","description":"私信"})"));
}

TEST(Fields, RuleIgnoresFieldsItDoesNotName) {
  EXPECT_EQ("pass", decision_of_record(one_rule("    fields: [title]\n    match: {words: [开盒]}\n"),
                                       R"({"title":"你好","description":"开盒"})"));
}

TEST(Fields, ArrayElementsAreNamedWithoutIndex) {
  EXPECT_EQ("block", decision_of_record(one_rule("    fields: [comments]\n    match: {words: [开盒]}\n"),
                                        R"({"comments":["你好","开盒了"]})"));
}

TEST(Fields, PrefixSelectsNestedFields) {
  EXPECT_EQ("block", decision_of_record(one_rule("    fields: [app.*]\n    match: {words: [开盒]}\n"),
                                        R"({"app":{"description":"开盒"}})"));
}

// --- conditions

TEST(Where, ConditionHoldsWithText) {
  EXPECT_EQ("block", decision_of_record(one_rule("    match: {words: [代骂]}\n    where: [price > 0]\n"),
                                        R"({"title":"代骂","price":5})"));
}

TEST(Where, FailedConditionStopsTheRule) {
  EXPECT_EQ("pass", decision_of_record(one_rule("    match: {words: [代骂]}\n    where: [price > 0]\n"),
                                       R"({"title":"代骂","price":0})"));
}

TEST(Where, ConditionOnAMissingFieldIsFalse) {
  EXPECT_EQ("pass", decision_of_record(one_rule("    match: {words: [代骂]}\n    where: [price > 0]\n"),
                                       R"({"title":"代骂"})"));
}

TEST(Where, NotEqualOnAMissingFieldIsTrue) {
  EXPECT_EQ("block",
            decision_of_record(
                one_rule("    where: ['app.developer != \"真开发者\"']\n    match: {words: [代骂]}\n"),
                R"({"title":"代骂"})"));
}

TEST(Where, ConditionsAloneCanFire) {
  EXPECT_EQ("block",
            decision_of_record(one_rule("    where: [minor_mode.exit_requires_verification == false]\n"),
                               R"({"minor_mode":{"exit_requires_verification":false}})"));
}

TEST(Where, ContainsOnAnArrayComparesElements) {
  EXPECT_EQ("block", decision_of_record(one_rule("    where: ['tags contains \"儿童\"']\n"),
                                        R"({"tags":["玩具","儿童"]})"));
}

TEST(Where, ContainsOnAnArrayDoesNotMatchPartOfAnElement) {
  EXPECT_EQ("pass", decision_of_record(one_rule("    where: ['tags contains \"儿童\"']\n"),
                                       R"({"tags":["儿童节"]})"));
}

TEST(Where, ContainsOnAStringFindsASubstring) {
  EXPECT_EQ("block", decision_of_record(one_rule("    where: ['app.category contains \"edu\"']\n"),
                                        R"({"app":{"category":"education"}})"));
}

TEST(Where, StringEquality) {
  EXPECT_EQ("block", decision_of_record(one_rule("    where: ['app.category == \"education\"']\n"),
                                        R"({"app":{"category":"education"}})"));
}

TEST(Where, MatchesHoldsWhenTheRegexMatchesTheString) {
  EXPECT_EQ("block", decision_of_record(one_rule("    where: ['app.developer matches \"工作室$\"']\n"),
                                        R"({"app":{"developer":"某某游戏工作室"}})"));
}

TEST(Where, MatchesIsFalseWhenTheRegexDoesNotMatch) {
  EXPECT_EQ("pass", decision_of_record(one_rule("    where: ['app.developer matches \"工作室$\"']\n"),
                                       R"({"app":{"developer":"某某工作室有限公司"}})"));
}

TEST(Where, MatchesFindsTheRegexAnywhereInTheString) {
  EXPECT_EQ("block", decision_of_record(one_rule("    where: ['contact matches \"\\d{5}\"']\n"),
                                        R"({"contact":"电话 12345678 找我"})"));
}

TEST(Where, MatchesOnAnArrayHoldsWhenAnElementMatches) {
  EXPECT_EQ("block", decision_of_record(one_rule("    where: ['tags matches \"^QQ群\"']\n"),
                                        R"({"tags":["游戏","QQ群123456"]})"));
}

TEST(Where, MatchesOnANumberIsFalse) {
  EXPECT_EQ("pass", decision_of_record(one_rule("    where: ['price matches \"5\"']\n"), R"({"price":5})"));
}

TEST(Where, MatchesOnAMissingFieldIsFalse) {
  EXPECT_EQ("pass", decision_of_record(one_rule("    where: ['app.developer matches \"工作室\"']\n"),
                                       R"({"app":{"name":"工作室"}})"));
}

TEST(Where, MatchesIsCaseSensitiveByDefault) {
  EXPECT_EQ("pass", decision_of_record(one_rule("    where: ['app.developer matches \"studio\"']\n"),
                                       R"({"app":{"developer":"Happy Studio"}})"));
}

TEST(Where, MatchesIgnoresCaseWithTheIFlag) {
  EXPECT_EQ("block", decision_of_record(one_rule("    where: ['app.developer matches \"(?i)studio\"']\n"),
                                        R"({"app":{"developer":"Happy Studio"}})"));
}

// --- decisions

TEST(Decision, ReviewRuleGivesReview) {
  EXPECT_EQ("review", decision_of(one_rule("    match: {words: [开盒]}\n", "review"), "开盒"));
}

TEST(Decision, BlockBeatsReview) {
  std::string yaml = one_rule("    match: {words: [开盒]}\n", "review") +
                     "  - {id: s, category: social, item: 6, title: t, severity: high, action: block, "
                     "match: {words: [挂人]}}\n";
  EXPECT_EQ("block", decision_of(yaml, "开盒挂人"));
}

}  // namespace
}  // namespace qinglang::testing

namespace qinglang::testing {
namespace {

class WordsFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("qinglang_words_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  CompileResult compile(const std::string& words_file_line) {
    std::ofstream(dir_ / "rules.yaml") << one_rule("    match: {words_file: " + words_file_line + "}\n");
    return compile_rules({dir_ / "rules.yaml"});
  }
  std::filesystem::path dir_;
};

TEST_F(WordsFile, WordsComeFromTheFileBesideTheRules) {
  std::ofstream(dir_ / "words.txt") << "# a lexicon\n开盒\r\n人肉\n\n";
  CompileResult r = compile("words.txt");
  ASSERT_TRUE(r.ok());
  Scanner scanner(r.rules);
  Record listed = Record::from_text("人肉他"), comment = Record::from_text("a lexicon");
  EXPECT_EQ(scanner.scan(listed).decision, Decision::block);
  EXPECT_EQ(scanner.scan(comment).decision, Decision::pass);
}

TEST_F(WordsFile, MissingFileIsAnError) {
  CompileResult r = compile("missing.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics.at(0).code, "E013");
  EXPECT_EQ(r.diagnostics.at(0).location.line, 8);
}

TEST_F(WordsFile, AFileOutsideTheRuleFilesFolderIsRefused) {
  CompileResult r = compile("../../../../../../etc/passwd");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics.at(0).code, "E013");
  EXPECT_NE(r.diagnostics.at(0).message.find("outside the rule file's folder"), std::string::npos);
}

TEST_F(WordsFile, AnAbsolutePathIsRefused) {
  CompileResult r = compile("/etc/hostname");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diagnostics.at(0).message.find("outside the rule file's folder"), std::string::npos);
}

TEST_F(WordsFile, ALinkOutOfTheFolderIsRefused) {
  std::filesystem::create_symlink("/dev/zero", dir_ / "zero.txt");
  CompileResult r = compile("zero.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diagnostics.at(0).message.find("outside the rule file's folder"), std::string::npos);
}

TEST_F(WordsFile, AFifoIsRefusedRatherThanWaitedOn) {
  ASSERT_EQ(mkfifo((dir_ / "fifo.txt").c_str(), 0600), 0);
  CompileResult r = compile("fifo.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diagnostics.at(0).message.find("not a regular file"), std::string::npos);
}

TEST_F(WordsFile, AFolderIsNotAWordsFile) {
  std::filesystem::create_directory(dir_ / "lexicons");
  CompileResult r = compile("lexicons");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics.at(0).code, "E013");
  EXPECT_NE(r.diagnostics.at(0).message.find("not a regular file"), std::string::npos);
}

// A lint about one of its words quotes the word's opening, never a whole long line of the file.
TEST_F(WordsFile, AWarningQuotesOnlyTheOpeningOfALongLine) {
  std::string line = "开#盒";
  for (int i = 0; i < 500; ++i)
    line += "人肉";
  std::ofstream(dir_ / "words.txt") << line << "\n";
  CompileResult r = compile("words.txt");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].code, "W003");
  EXPECT_LT(r.diagnostics[0].message.size(), 300u) << r.diagnostics[0].message;
  EXPECT_NE(r.diagnostics[0].message.find("… (3007 bytes)"), std::string::npos) << r.diagnostics[0].message;
}

TEST_F(WordsFile, AFileInASubfolderIsRead) {
  std::filesystem::create_directory(dir_ / "lexicons");
  std::ofstream(dir_ / "lexicons" / "words.txt") << "开盒\n";
  EXPECT_TRUE(compile("lexicons/words.txt").ok());
}

}  // namespace
}  // namespace qinglang::testing
