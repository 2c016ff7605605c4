// Words shared between rules: named lists, a file's defaults, and the negation guard (`not_after`).
#include <filesystem>
#include <fstream>

#include "qinglang/compiler.h"
#include "test_support.h"

namespace qinglang::testing {
namespace {

// A rule file that defines `lists` (YAML under `lists:`) and holds one rule with `body`.
std::string with_lists(std::string_view lists, std::string_view body) {
  return "lists:\n" + std::string(lists) + one_rule(body);
}

// A folder of rule files, removed after the test.
class RuleFolder {
 public:
  RuleFolder() : root_(std::filesystem::temp_directory_path() / ("qinglang-lists-" + unique_name())) {
    std::filesystem::create_directories(root_ / "lists");
  }
  ~RuleFolder() { std::filesystem::remove_all(root_); }
  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path write(const std::string& name, std::string_view text) const {
    std::ofstream(root_ / name, std::ios::binary) << text;
    return root_ / name;
  }

 private:
  static std::string unique_name() {
    return std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  std::filesystem::path root_;
};

// --- named lists

TEST(NamedList, ItsWordsMatchWhereARuleUsesIt) {
  std::string yaml = with_lists("  doxxing: [开盒, 人肉]\n", "    match: {list: doxxing}\n");
  EXPECT_EQ("block", decision_of(yaml, "帮我人肉他"));
  EXPECT_EQ("pass", decision_of(yaml, "今天天气很好"));
}

TEST(NamedList, SeveralListsMatchAnyOfTheirWords) {
  std::string yaml =
      with_lists("  doxxing: [开盒]\n  exposing: [挂人]\n", "    match: {list: [doxxing, exposing]}\n");
  EXPECT_EQ("block", decision_of(yaml, "在线挂人"));
}

TEST(NamedList, IsAPartOfAllLikeAnyWords) {
  std::string yaml =
      with_lists("  minors: [初中生, 小学生]\n", "    match: {all: [{list: minors}, {words: [开盒]}]}\n");
  EXPECT_EQ("block", decision_of(yaml, "开盒一个初中生"));
  EXPECT_EQ("pass", decision_of(yaml, "开盒一个明星"));
}

TEST(NamedList, ItsFormsReachEveryRuleThatUsesIt) {
  std::string yaml = with_lists("  doxxing: {words: [开盒], pinyin: true}\n", "    match: {list: doxxing}\n");
  EXPECT_EQ("block", decision_of(yaml, "会kaihe的来"));
}

TEST(NamedList, ItsFormsDoNotReachExceptions) {
  std::string yaml = with_lists("  news: {words: [网信], pinyin: true}\n",
                                "    match: {words: [加wx]}\n    unless: {list: news}\n");
  EXPECT_EQ("block", decision_of(yaml, "加wx领福利"));
  EXPECT_EQ("pass", decision_of(yaml, "网信办提醒:加wx领福利是骗局"));
}

TEST(NamedList, IsReadFromAFileBesideTheRuleFile) {
  RuleFolder folder;
  folder.write("minors.txt", "# one word per line\n初中生\n小学生\n");
  std::filesystem::path rules =
      folder.write("a.yaml", with_lists("  minors: {file: minors.txt}\n", "    match: {list: minors}\n"));
  CompileResult result = compile_rules({rules});
  ASSERT_TRUE(result.ok());
  Scanner scanner(result.rules);
  Record record = Record::from_text("找小学生");
  EXPECT_EQ(Decision::block, scanner.scan(record).decision);
}

TEST(NamedList, UnknownListIsAnError) {
  EXPECT_EQ(Codes{"E016"},
            codes_of(compile_rules_from_yaml(one_rule("    match: {list: nope}\n"), "t.yaml")));
}

TEST(NamedList, ListDefinedInTwoFilesIsAnError) {
  RuleFolder folder;
  folder.write("a.yaml", with_lists("  minors: [初中生]\n", "    match: {list: minors}\n"));
  folder.write("b.yaml", "lists:\n  minors: [小学生]\n");
  EXPECT_EQ(Codes{"E016"}, codes_of(compile_rules({folder.root()})));
}

TEST(NamedList, ListNoRuleUsesIsWarned) {
  EXPECT_EQ(Codes{"W005"}, codes_of(compile_rules_from_yaml(
                               with_lists("  spare: [备用]\n", "    match: {words: [开盒]}\n"), "t.yaml")));
}

TEST(NamedList, SharedListsFolderLoadsWithOneRuleFileOfTheFolder) {
  RuleFolder folder;
  folder.write("lists/common.yaml", "lists:\n  doxxing: [开盒]\n  unused_here: [别的]\n");
  std::filesystem::path rules = folder.write("a.yaml", one_rule("    match: {list: doxxing}\n"));
  CompileResult result = compile_rules({rules});
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(Codes{}, codes_of(result)) << "a shared list that one file does not use is no news";
}

TEST(NamedList, SharedListsFolderLoadsWithTheWholeFolder) {
  RuleFolder folder;
  folder.write("lists/common.yaml", "lists:\n  doxxing: [开盒]\n  spare: [别的]\n");
  folder.write("a.yaml", one_rule("    match: {list: doxxing}\n"));
  EXPECT_EQ(Codes{"W005"}, codes_of(compile_rules({folder.root()})));
}

// --- a file's defaults

TEST(FileDefaults, SharedExceptionExceptsEveryRuleOfTheFile) {
  std::string yaml = "defaults:\n  unless: {words: [举报]}\n" + one_rule("    match: {words: [开盒]}\n");
  EXPECT_EQ("block", decision_of(yaml, "开盒他"));
  EXPECT_EQ("pass", decision_of(yaml, "有人开盒他,已举报"));
}

TEST(FileDefaults, ARulesOwnExceptionStillCounts) {
  std::string yaml = "defaults:\n  unless: {words: [举报]}\n" +
                     one_rule("    match: {words: [开盒]}\n    unless: {words: [新闻]}\n");
  EXPECT_EQ("pass", decision_of(yaml, "新闻:开盒他"));
  EXPECT_EQ("pass", decision_of(yaml, "开盒他,已举报"));
}

TEST(FileDefaults, ARuleCanDeclineThem) {
  std::string yaml = "defaults:\n  unless: {words: [举报]}\n" +
                     one_rule("    match: {words: [开盒]}\n    defaults: false\n");
  EXPECT_EQ("block", decision_of(yaml, "有人开盒他,已举报"));
}

TEST(FileDefaults, AProblemInThemIsReportedOnceNotPerRule) {
  std::string yaml = "defaults:\n  unless: {list: nope}\ncategory: social\nrules:\n" +
                     std::string(
                         "  - {id: a, item: 6, title: t, severity: low, action: review, "
                         "match: {words: [开盒]}}\n"
                         "  - {id: b, item: 6, title: t, severity: low, action: review, "
                         "match: {words: [人肉]}}\n");
  EXPECT_EQ(Codes{"E016"}, codes_of(compile_rules_from_yaml(yaml, "t.yaml")));
}

// --- the negation guard

TEST(NotAfter, NegationJustBeforeTheMatchCancelsIt) {
  std::string yaml = one_rule("    match: {words: [代骂]}\n    not_after: {words: [不提供], within: 2}\n");
  EXPECT_EQ("pass", decision_of(yaml, "本店不提供代骂"));
  EXPECT_EQ("block", decision_of(yaml, "本店提供代骂"));
}

TEST(NotAfter, CountsTheCharactersBetween) {
  std::string yaml = one_rule("    match: {words: [擦边款]}\n    not_after: {words: [不含], within: 3}\n");
  EXPECT_EQ("pass", decision_of(yaml, "本品不含任何擦边款"));
  EXPECT_EQ("block", decision_of(yaml, "不含运费,另有精选擦边款"));
}

TEST(NotAfter, ReachesOverAListInTheSameClause) {
  std::string yaml =
      one_rule("    match: {words: [资源链接]}\n    not_after: {words: [不提供], within: 10}\n");
  EXPECT_EQ("pass", decision_of(yaml, "本店不提供破解、资源链接"));
}

TEST(NotAfter, StopsAtTheEndOfAClause) {
  std::string yaml = one_rule("    match: {words: [代骂]}\n    not_after: {words: [严禁], within: 10}\n");
  EXPECT_EQ("block", decision_of(yaml, "严禁转发，代骂私信"));
  EXPECT_EQ("block", decision_of(yaml, "严禁转发 代骂私信"));
}

TEST(NotAfter, OneCharacterRightAfterTheGuardIsAlwaysReached) {
  std::string yaml = one_rule("    match: {words: [代骂]}\n    not_after: {words: [严禁], within: 10}\n");
  EXPECT_EQ("pass", decision_of(yaml, "严禁 代骂"));
}

TEST(NotAfter, ALaterOccurrenceWithoutTheGuardStillFires) {
  std::string yaml = one_rule("    match: {words: [代骂]}\n    not_after: {words: [不], within: 1}\n");
  EXPECT_EQ("block", decision_of(yaml, "不代骂?不,我们专业代骂"));
}

TEST(NotAfter, GuardsEachPartOfAnAll) {
  std::string yaml = one_rule(
      "    match: {all: [{words: [代骂]}, {words: [接单]}]}\n    not_after: {words: [暂停], within: 1}\n");
  EXPECT_EQ("pass", decision_of(yaml, "代骂 暂停接单"));
  EXPECT_EQ("block", decision_of(yaml, "代骂 火热接单"));
}

TEST(NotAfter, GuardsThePartsOfANear) {
  std::string yaml = one_rule(
      "    match: {near: [{words: [代骂]}, {words: [服务]}], within: 4}\n"
      "    not_after: {words: [禁止], within: 1}\n");
  EXPECT_EQ("pass", decision_of(yaml, "禁止代骂服务"));
  EXPECT_EQ("block", decision_of(yaml, "专业代骂服务"));
}

TEST(NotAfter, ComesFromTheFileDefaults) {
  std::string yaml =
      "lists:\n  negation: [不, 没有, 严禁]\ndefaults:\n  not_after: {list: negation, within: 2}\n" +
      one_rule("    match: {words: [代骂]}\n");
  EXPECT_EQ("pass", decision_of(yaml, "严禁代骂"));
  EXPECT_EQ("block", decision_of(yaml, "承接代骂"));
}

TEST(NotAfter, DoesNotTouchExceptions) {
  std::string yaml = one_rule(
      "    match: {words: [开盒]}\n    unless: {words: [举报]}\n    not_after: {words: [不], within: 2}\n");
  EXPECT_EQ("pass", decision_of(yaml, "开盒的不举报吗"));
}

TEST(NotAfter, NeedsWithin) {
  EXPECT_EQ(Codes{"E009"},
            codes_of(compile_rules_from_yaml(
                one_rule("    match: {words: [代骂]}\n    not_after: {words: [不]}\n"), "t.yaml")));
}

TEST(NotAfter, TakesOneLeafPattern) {
  EXPECT_EQ(Codes{"E002"},
            codes_of(compile_rules_from_yaml(
                one_rule("    match: {words: [代骂]}\n    not_after: {any: [{words: [不]}], within: 2}\n"),
                "t.yaml")));
}

// --- whole tokens

TEST(WholeToken, ANameExceptsOnlyWhereItStandsAlone) {
  std::string yaml = one_rule("    match: {words: [充值返利]}\n    unless: {words: [迷你玩], whole: true}\n");
  EXPECT_EQ("pass", decision_of(yaml, "开发者:迷你玩 充值返利"));
  EXPECT_EQ("block", decision_of(yaml, "迷你玩游戏工作室 充值返利"));
}

TEST(WholeToken, AWholeFieldValueIsAWholeToken) {
  std::string yaml = one_rule(
      "    scope: record\n    match: {words: [充值返利]}\n    unless: {words: [迷你玩], whole: true}\n");
  EXPECT_EQ("pass", decision_of_record(yaml, R"({"developer":"迷你玩","text":"充值返利"})"));
  EXPECT_EQ("block", decision_of_record(yaml, R"({"developer":"迷你玩科技","text":"充值返利"})"));
}

TEST(WholeToken, LatinWordsDoNotFireInsideLongerWords) {
  std::string yaml = one_rule("    match: {words: [av], whole: true}\n");
  EXPECT_EQ("pass", decision_of(yaml, "I have a plan"));
  EXPECT_EQ("block", decision_of(yaml, "看AV网站"));
}

}  // namespace
}  // namespace qinglang::testing
