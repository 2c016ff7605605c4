// Rule errors: each reported with file:line:col, a stable code and the rule id, all in one run.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "qinglang/compiler.h"
#include "test_support.h"

namespace qinglang::testing {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The golden file pins the wording and positions of every diagnostic; regenerate it after an intended change
// with QINGLANG_UPDATE_GOLDEN=1.
TEST(Diagnostics, MatchTheGoldenFile) {
  const std::string dir = std::string(QINGLANG_TEST_DATA) + "/golden/";
  CompileResult result = compile_rules_from_yaml(read_file(dir + "bad_rules.yaml"), "bad_rules.yaml");
  EXPECT_FALSE(result.ok());
  std::string actual;
  for (const Diagnostic& d : result.diagnostics)
    actual += format_diagnostic(d) + "\n";
  if (std::getenv("QINGLANG_UPDATE_GOLDEN"))
    std::ofstream(dir + "bad_rules.expected", std::ios::binary) << actual;
  EXPECT_EQ(actual, read_file(dir + "bad_rules.expected"));
}

TEST(Diagnostics, ARuleSetWithoutARuleIsE018) {
  CompileResult r = compile_rules_from_yaml("lists:\n  harm: {words: [开盒]}\n", "lists.yaml");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(codes_of(r), (Codes{"E018", "W005"}));
}

TEST(Diagnostics, ARuleSetWithoutARuleIsAcceptedWhenAllowed) {
  CompileOptions options;
  options.allow_empty_rule_set = true;
  CompileResult r = compile_rules_from_yaml("rules: []\n", "empty.yaml", options);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.diagnostics.empty());
}

TEST(Diagnostics, ADuplicateKeyIsE002AtTheSecond) {
  CompileResult r =
      compile_rules_from_yaml(one_rule("    match: {words: [开盒]}\n    match: {words: [人肉]}\n"), "t.yaml");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].code, "E002");
  EXPECT_NE(r.diagnostics[0].message.find("duplicate key 'match'"), std::string::npos);
  EXPECT_EQ(r.diagnostics[0].location.line, 9);
}

TEST(Diagnostics, YamlSyntaxErrorHasAPosition) {
  CompileResult r = compile_rules_from_yaml("rules: [\n  - {id: x", "t.yaml");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].code, "E001");
  EXPECT_GT(r.diagnostics[0].location.line, 0);
}

TEST(Diagnostics, UnknownKeyNamesTheRuleAndPosition) {
  CompileResult r =
      compile_rules_from_yaml(one_rule("    match: {words: [开盒]}\n    colour: red\n"), "t.yaml");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].code, "E002");
  EXPECT_EQ(r.diagnostics[0].rule_id, "r");
  EXPECT_EQ(r.diagnostics[0].location.line, 9);
  EXPECT_EQ(r.diagnostics[0].location.column, 5);
}

TEST(Diagnostics, ARegexRE2RejectsIsE010AtItsCondition) {
  CompileResult r =
      compile_rules_from_yaml(one_rule("    where: ['app.developer matches \"(工作室\"']\n"), "t.yaml");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  const Diagnostic& d = r.diagnostics[0];
  EXPECT_EQ(d.code, "E010");
  EXPECT_EQ(d.rule_id, "r");
  EXPECT_EQ(d.location.line, 8);
  EXPECT_EQ(d.location.column, 13);
  EXPECT_NE(d.message.find("regex '(工作室' rejected by RE2: missing )"), std::string::npos) << d.message;
}

TEST(Diagnostics, MatchesTakesAQuotedRegex) {
  EXPECT_EQ(codes_of(one_rule("    where: [price matches 5]\n")), Codes{"E010"});
}

TEST(Diagnostics, AnExtractRegexRE2RejectsIsE008) {
  EXPECT_EQ(codes_of(one_rule("    match: {words: [加我]}\n    extract: {qq: 'QQ(\\d+'}\n")), Codes{"E008"});
}

TEST(Diagnostics, AnExtractRegexNeedsExactlyOneCaptureGroup) {
  EXPECT_EQ(codes_of(one_rule("    match: {words: [加我]}\n    extract: {qq: 'QQ\\d+', vx: '(vx)(\\w+)'}\n")),
            (Codes{"E008", "E008"}));
}

TEST(Diagnostics, ItemMustBelongToTheCategory) {
  EXPECT_EQ(
      codes_of("rules:\n  - {id: x, category: social, item: 1, title: t, severity: low, action: review, "
               "match: {words: [ab]}}\n"),
      Codes{"E007"});
}

TEST(Diagnostics, ItemOutOfRange) {
  EXPECT_EQ(
      codes_of("rules:\n  - {id: x, category: social, item: 25, title: t, severity: low, action: review, "
               "match: {words: [ab]}}\n"),
      Codes{"E007"});
}

TEST(Diagnostics, NearTakesOnlyLeafPatterns) {
  EXPECT_EQ(codes_of(one_rule("    match: {near: [{all: [{words: [ab]}]}, {words: [cd]}], within: 3}\n")),
            Codes{"E009"});
}

TEST(Diagnostics, NearNeedsWithin) {
  EXPECT_EQ(codes_of(one_rule("    match: {near: [{words: [ab]}, {words: [cd]}]}\n")), Codes{"E009"});
}

TEST(Diagnostics, PatternWithTwoKinds) {
  EXPECT_EQ(codes_of(one_rule("    match: {words: [ab], regex: 'cd'}\n")), Codes{"E009"});
}

TEST(Diagnostics, EmptyWord) {
  EXPECT_EQ(codes_of(one_rule("    match: {words: ['']}\n")), Codes{"E008"});
}

// Found by the rule loader's fuzz target: the loader read `of` from a key that was not there and aborted.
TEST(Diagnostics, AtLeastWithoutOfIsE009RatherThanAnAbort) {
  EXPECT_EQ(codes_of(one_rule("    match: {at_least: 2}\n")), Codes{"E009"});
}

TEST(Diagnostics, ShortLookalikeName) {
  EXPECT_EQ(codes_of(one_rule("    match: {lookalike: [抖音]}\n")), Codes{"E008"});
}

TEST(Diagnostics, ALookalikeNameLongerThanAnAppsNameIsE008) {
  EXPECT_EQ(codes_of(one_rule("    match: {lookalike: [" + std::string(33, 'a') + "]}\n")), Codes{"E008"});
}

// 100 names of 5 characters with two edits have about 13,000 variants: 20 s of compiling, refused at once.
TEST(Diagnostics, LookalikeNamesBeyondTheVariantBudgetAreE009) {
  std::string names;
  for (int i = 0; i < 100; ++i)
    names += (i ? ", " : "") + std::string("app") + static_cast<char>('a' + i % 26) +
             static_cast<char>('a' + i / 26);
  CompileResult r =
      compile_rules_from_yaml(one_rule("    match: {lookalike: [" + names + "], edits: 2}\n"), "t.yaml");
  ASSERT_EQ(codes_of(r), Codes{"E009"});
  EXPECT_NE(r.diagnostics[0].message.find("more than 8192"), std::string::npos) << r.diagnostics[0].message;
}

// Each level of aliases multiplies what the loader reads by ten: 10^7 patterns from 700 bytes.
TEST(Diagnostics, AliasesThatExpandBeyondTheLimitAreE020) {
  std::string yaml = one_rule(
      "    match:\n      any:\n"
      "        - &a {any: [{words: [甲]}, {words: [乙]}, {words: [丙]}, {words: [丁]}, {words: [戊]}, "
      "{words: [己]}, "
      "{words: [庚]}, {words: [辛]}, {words: [壬]}, {words: [癸]}]}\n");
  for (char level = 'b'; level <= 'g'; ++level) {
    std::string alias = std::string("*") + static_cast<char>(level - 1);
    yaml += std::string("        - &") + level + " {any: [" + alias;
    for (int i = 1; i < 10; ++i)
      yaml += ", " + alias;
    yaml += "]}\n";
  }
  CompileResult r = compile_rules_from_yaml(yaml, "t.yaml");
  ASSERT_EQ(codes_of(r), Codes{"E020"});
  EXPECT_NE(r.diagnostics[0].message.find("aliases expand"), std::string::npos);
  EXPECT_GT(r.diagnostics[0].location.line, 8);
}

TEST(Diagnostics, ARuleOfMoreThanTenThousandPatternsIsE009) {
  std::string parts;
  for (int i = 0; i < 10001; ++i)
    parts += "        - {regex: 'a" + std::to_string(i) + "'}\n";
  CompileResult r = compile_rules_from_yaml(one_rule("    match:\n      any:\n" + parts), "t.yaml");
  ASSERT_EQ(codes_of(r), Codes{"E009"});
  EXPECT_NE(r.diagnostics[0].message.find("more than 10000"), std::string::npos);
}

TEST(Diagnostics, AnAliasInsideItsOwnNodeIsE020) {
  EXPECT_EQ(codes_of("rules:\n  - &a [*a]\n"), Codes{"E020"});
}

TEST(Diagnostics, AnAliasUsedAFewTimesIsRead) {
  std::string yaml = "lists:\n  harm: &harm {words: [开盒, 人肉]}\n" + one_rule("    match: *harm\n");
  EXPECT_TRUE(compile_rules_from_yaml(yaml, "t.yaml").ok());
}

TEST(Diagnostics, OneCharacterWordWarns) {
  CompileResult r = compile_rules_from_yaml(one_rule("    match: {words: [的]}\n"), "t.yaml");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(codes_of(one_rule("    match: {words: [的]}\n")), Codes{"W002"});
}

TEST(Diagnostics, WordWithSymbolsTheSkeletonDropsWarns) {
  EXPECT_EQ(codes_of(one_rule("    match: {words: ['开#盒']}\n")), Codes{"W003"});
}

TEST(Diagnostics, WordWithOnlySpacesDoesNotWarn) {
  EXPECT_EQ(codes_of(one_rule("    match: {words: ['开 盒']}\n")), Codes{});
}

TEST(Diagnostics, AllErrorsOfAFileAreReportedTogether) {
  std::string yaml =
      "rules:\n  - {id: a, category: nope, item: 5, title: t, severity: low, action: review, "
      "match: {words: [ab]}}\n  - {id: b, category: social, item: 5, title: t, severity: low, "
      "action: review, match: {regex: '(('}}\n";
  EXPECT_EQ(codes_of(yaml), (Codes{"E006", "E011"}));
}

TEST(Diagnostics, AWordHyperscanRefusesIsE011AtItsRuleAndShownByItsOpening) {
  std::string word;
  for (int i = 0; i < 30000; ++i)
    word += "啊";
  CompileResult result =
      compile_rules_from_yaml(one_rule("    match:\n      words: [正常, " + word + "]\n"), "t.yaml");
  ASSERT_EQ(codes_of(result), Codes{"E011"});
  const Diagnostic& d = result.diagnostics[0];
  EXPECT_EQ(d.location.file, "t.yaml");
  EXPECT_EQ(d.location.line, 9u);
  EXPECT_EQ(d.rule_id, "r");
  EXPECT_NE(d.message.find("(90000 bytes)"), std::string::npos) << d.message;
  EXPECT_LT(d.message.size(), 200u);
}

TEST(Diagnostics, ASymbolicLinkLoopInARuleFolderIsNotARuleFile) {
  namespace fs = std::filesystem;
  fs::path folder = fs::temp_directory_path() / ("qinglang-loop-" + std::to_string(::getpid()));
  fs::remove_all(folder);
  fs::create_directories(folder);
  fs::create_symlink("b.yaml", folder / "a.yaml");
  fs::create_symlink("a.yaml", folder / "b.yaml");
  std::ofstream(folder / "rules.yaml") << one_rule("    match: {words: [代骂]}\n");
  CompileResult result = compile_rules({folder});
  fs::remove_all(folder);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.rules ? result.rules->rule_count() : 0u, 1u);
}

TEST(Diagnostics, ADeviceNamedAsARuleFileIsE001RatherThanReadForever) {
  CompileResult r = compile_rules({"/dev/zero"});
  ASSERT_EQ(codes_of(r), Codes{"E001"});
  EXPECT_EQ(r.diagnostics[0].message, "not a regular file");
}

TEST(Diagnostics, AFifoNamedAsARuleFileIsE001RatherThanWaitedOn) {
  std::filesystem::path fifo =
      std::filesystem::temp_directory_path() / ("qinglang_rules_fifo_" + std::to_string(getpid()) + ".yaml");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  CompileResult r = compile_rules({fifo});
  std::filesystem::remove(fifo);
  ASSERT_EQ(codes_of(r), Codes{"E001"});
  EXPECT_EQ(r.diagnostics[0].message, "not a regular file");
}

TEST(Diagnostics, FileWithoutRulesList) {
  EXPECT_EQ(codes_of("category: social\n"), Codes{"E004"});
}

}  // namespace
}  // namespace qinglang::testing

namespace qinglang::testing {
namespace {

// A rule file caught half-written (an editor saving, a copy in progress) must give diagnostics, never a
// crash.
TEST(Diagnostics, TruncatedRuleFilesNeverCrash) {
  std::string full = read_file(std::string(QINGLANG_TEST_DATA) + "/golden/bad_rules.yaml") +
                     read_file(std::string(QINGLANG_TEST_DATA) + "/fixtures/rules/fixture.yaml");
  for (std::size_t cut = 0; cut < full.size(); cut += 37) {
    CompileResult r = compile_rules_from_yaml(std::string_view(full).substr(0, cut), "cut.yaml");
    EXPECT_TRUE(r.ok() || !r.diagnostics.empty()) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace qinglang::testing
