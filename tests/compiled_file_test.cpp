// The compiled-database cache: used when it matches, rebuilt when it does not, never trusted when damaged.
#include <filesystem>
#include <fstream>

#include "base/hash.h"
#include "qinglang/compiler.h"
#include "test_support.h"

namespace qinglang::testing {
namespace {

const std::string kRules = one_rule("    match: {any: [{words: [开盒]}, {regex: '开盒\\d+'}]}\n");
const std::string kOtherRules = one_rule("    match: {words: [挂人]}\n");

// Overwrites bytes near the end of a file: the last part of a compiled file, its tables.
void damage_the_end_of(const std::filesystem::path& path) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(static_cast<std::streamoff>(std::filesystem::file_size(path)) - 8);
  file.write("damage", 6);
}

// A cache key must change with any byte of any pattern: a word-wide multiply alone would let a change in a
// word's high bytes reach only the key's high bits.
TEST(CacheKeyHash, EveryByteOfEveryWordReachesTheLowBits) {
  std::string text = "开盒挂人0123456789abcdef";
  detail::Hasher original;
  original.add(text);
  for (std::size_t at = 0; at < text.size(); ++at) {
    std::string changed = text;
    changed[at] = static_cast<char>(changed[at] ^ 0x80);
    detail::Hasher hash;
    hash.add(changed);
    EXPECT_NE(hash.value() & 0xFFFFFFFF, original.value() & 0xFFFFFFFF) << "byte " << at;
  }
}

class DatabaseCache : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("qinglang_cache_test_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove_all(path_); }

  CompileResult compile(const std::string& yaml) {
    CompileOptions options;
    options.cache_file = path_;
    return compile_rules_from_yaml(yaml, "test.yaml", options);
  }
  static bool warned(const CompileResult& r) {
    return std::any_of(r.diagnostics.begin(), r.diagnostics.end(),
                       [](const Diagnostic& d) { return d.code == "W004"; });
  }

  std::filesystem::path path_;
};

TEST_F(DatabaseCache, FirstCompileWritesTheCache) {
  CompileResult r = compile(kRules);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.rules->stats().from_cache);
  EXPECT_TRUE(std::filesystem::exists(path_));
}

// What a failed or refused write may leave beside the cache path: nothing.
bool temporaries_left(const std::filesystem::path& path) {
  for (const auto& entry : std::filesystem::directory_iterator(path.parent_path()))
    if (entry.path().filename().string().starts_with(path.filename().string() + ".tmp.")) return true;
  return false;
}

TEST_F(DatabaseCache, ACachePathThatIsAFolderIsLeftAloneWithAWarning) {
  std::filesystem::create_directory(path_);
  CompileResult r = compile(kRules);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(warned(r));
  EXPECT_TRUE(std::filesystem::is_directory(path_));
  EXPECT_FALSE(temporaries_left(path_));
}

TEST_F(DatabaseCache, ACachePathThatIsALinkIsNotReplacedNorWrittenThrough) {
  std::filesystem::path victim = path_;
  victim += ".victim";
  std::ofstream(victim) << "theirs";
  std::filesystem::create_symlink(victim, path_);
  CompileResult r = compile(kRules);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(warned(r));
  EXPECT_TRUE(std::filesystem::is_symlink(path_));
  EXPECT_EQ(std::filesystem::file_size(victim), 6u);
  std::filesystem::remove(victim);
}

TEST_F(DatabaseCache, ALinkPlantedAtTheTemporaryNameIsNeverWrittenThrough) {
  std::filesystem::path victim = path_, planted = path_;
  victim += ".victim";
  planted += ".tmp." + std::to_string(getpid()) + ".0";
  std::ofstream(victim) << "theirs";
  std::filesystem::create_symlink(victim, planted);
  CompileResult r = compile(kRules);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::filesystem::file_size(victim), 6u);
  EXPECT_TRUE(std::filesystem::is_regular_file(path_));
  std::filesystem::remove(planted);
  std::filesystem::remove(victim);
}

TEST_F(DatabaseCache, UnchangedRulesLoadFromTheCache) {
  compile(kRules);
  CompileResult r = compile(kRules);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.rules->stats().from_cache);
}

TEST_F(DatabaseCache, CachedRulesScanLikeFreshOnes) {
  compile(kRules);
  CompileResult r = compile(kRules);
  Scanner scanner(r.rules);
  Record record = Record::from_text("x开 盒12");
  const Verdict& v = scanner.scan(record);
  ASSERT_EQ(v.hits.size(), 1u);
  EXPECT_EQ(v.hits[0].text, "开 盒");
}

TEST_F(DatabaseCache, CachedRegexesLocateTheirWholeMatch) {
  std::string rules = one_rule("    match: {regex: '开盒\\d+'}\n");
  compile(rules);
  CompileResult r = compile(rules);
  ASSERT_TRUE(r.rules->stats().from_cache);
  Scanner scanner(r.rules);
  Record record = Record::from_text("看开盒12345了");
  const Verdict& v = scanner.scan(record);
  ASSERT_EQ(v.hits.size(), 1u);
  EXPECT_EQ(v.hits[0].text, "开盒12345");
}

TEST_F(DatabaseCache, CachedLoadReportsTheSameWarnings) {
  std::string rules = one_rule("    match: {regex: '开盒|[a-z]'}\n");
  std::vector<Diagnostic> fresh = compile(rules).diagnostics;
  std::vector<Diagnostic> cached = compile(rules).diagnostics;
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].code, "W002");
  ASSERT_EQ(cached.size(), 1u);
  EXPECT_EQ(cached[0].message, fresh[0].message);
}

TEST_F(DatabaseCache, ChangedRulesRebuildTheCacheSilently) {
  compile(kRules);
  CompileResult r = compile(kOtherRules);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.rules->stats().from_cache);
  EXPECT_FALSE(warned(r));
  EXPECT_TRUE(compile(kOtherRules).rules->stats().from_cache);
}

TEST_F(DatabaseCache, CorruptCacheIsRebuiltWithAWarning) {
  compile(kRules);
  {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(64);
    file.write("damage", 6);
  }
  CompileResult r = compile(kRules);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.rules->stats().from_cache);
  EXPECT_TRUE(warned(r));
}

TEST_F(DatabaseCache, ForeignFileIsNotUsed) {
  std::ofstream(path_, std::ios::binary) << "this is not a database";
  CompileResult r = compile(kRules);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.rules->stats().from_cache);
  EXPECT_TRUE(warned(r));
}

TEST_F(DatabaseCache, TruncatedCacheIsNotUsed) {
  compile(kRules);
  std::filesystem::resize_file(path_, std::filesystem::file_size(path_) / 2);
  CompileResult r = compile(kRules);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.rules->stats().from_cache);
}

// A cache built from rule files also holds the rule model, so that a cached start does not parse YAML.
class ModelCache : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("qinglang_model_cache_test_" + std::to_string(getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_ / "rules");
    write("rules/a.yaml", one_rule("    match: {all: [{words: [开盒]}, {words_file: words.txt}]}\n"));
    write("rules/words.txt", "学校\n班级\n");
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(directory_ / name, std::ios::binary | std::ios::trunc) << text;
  }
  CompileResult compile() {
    CompileOptions options;
    options.cache_file = directory_ / "rules.cache";
    return compile_rules({directory_ / "rules"}, options);
  }
  static std::string decision(const CompileResult& r, std::string_view text) {
    Scanner scanner(r.rules);
    Record record = Record::from_text(text);
    return std::string(to_string(scanner.scan(record).decision));
  }

  std::filesystem::path directory_;
};

TEST_F(ModelCache, UnchangedRuleFilesLoadFromTheCache) {
  ASSERT_TRUE(compile().ok());
  CompileResult r = compile();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.rules->stats().rules_from_cache);
  EXPECT_TRUE(r.rules->stats().from_cache);
  EXPECT_EQ(decision(r, "开盒 班级"), "block");
}

TEST_F(ModelCache, AnEditedRuleFileIsReadAgain) {
  compile();
  write("rules/a.yaml", one_rule("    match: {all: [{words: [人肉]}, {words_file: words.txt}]}\n"));
  CompileResult r = compile();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.rules->stats().rules_from_cache);
  EXPECT_EQ(decision(r, "开盒 班级"), "pass");
  EXPECT_EQ(decision(r, "人肉 班级"), "block");
}

TEST_F(ModelCache, AnEditedWordsFileIsReadAgain) {
  compile();
  write("rules/words.txt", "宿舍\n");
  CompileResult r = compile();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.rules->stats().rules_from_cache);
  EXPECT_EQ(decision(r, "开盒 班级"), "pass");
  EXPECT_EQ(decision(r, "开盒 宿舍"), "block");
}

TEST_F(ModelCache, ANewRuleFileInTheDirectoryIsRead) {
  compile();
  write("rules/b.yaml",
        "rules:\n  - {id: b, category: social, item: 6, title: t, severity: low, action: review, "
        "match: {words: [挂人]}}\n");
  CompileResult r = compile();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.rules->rule_count(), 2u);
  EXPECT_EQ(decision(r, "挂人"), "review");
}

TEST_F(ModelCache, ADamagedModelIsReadFromTheRuleFilesInstead) {
  compile();
  std::filesystem::path cache = directory_ / "rules.cache";
  damage_the_end_of(cache);
  CompileResult r = compile();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.rules->stats().rules_from_cache);
  EXPECT_EQ(decision(r, "开盒 班级"), "block");
  EXPECT_TRUE(compile().rules->stats().rules_from_cache);  // and the cache is written whole again
}

TEST_F(ModelCache, TheLoadersWarningsAreReportedFromTheCacheToo) {
  write("rules/a.yaml", one_rule("    match: {words: [的, 开盒]}\n"));
  std::vector<Diagnostic> fresh = compile().diagnostics;
  CompileResult cached = compile();
  ASSERT_TRUE(cached.rules->stats().rules_from_cache);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].code, "W002");
  ASSERT_EQ(cached.diagnostics.size(), 1u);
  EXPECT_EQ(format_diagnostic(cached.diagnostics[0]), format_diagnostic(fresh[0]));
}

TEST_F(ModelCache, TheBundledRulesPassTheirExamplesFromTheCache) {
  CompileOptions options;
  options.cache_file = QINGLANG_BUNDLED_RULES_CACHE;  // the suite's, or written by the first compile here
  std::vector<std::filesystem::path> bundled = {QINGLANG_BUNDLED_RULES};
  ASSERT_TRUE(compile_rules(bundled, options).ok());
  CompileResult r = compile_rules(bundled, options);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.rules->stats().rules_from_cache);
  std::size_t examples = 0, failed = 0;
  for (const ExampleResult& result : run_rule_examples(r.rules)) {
    ++examples;
    failed += !result.passed;
  }
  EXPECT_GT(examples, 900u);
  EXPECT_EQ(failed, 0u);
}

TEST_F(ModelCache, AFileCompiledFromMoreRuleFilesIsNotUsedForFewer) {
  write("rules/b.yaml",
        "rules:\n  - {id: b, category: social, item: 6, title: t, severity: low, action: review, "
        "match: {words: [挂人]}}\n");
  ASSERT_EQ(compile().rules->rule_count(), 2u);
  CompileOptions options;
  options.cache_file = directory_ / "rules.cache";
  CompileResult r = compile_rules({directory_ / "rules" / "a.yaml"}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.rules->stats().rules_from_cache);
  EXPECT_EQ(r.rules->rule_count(), 1u);
  EXPECT_EQ(decision(r, "挂人"), "pass");
}

TEST_F(ModelCache, AWarningAboutTheCacheFileIsNotStoredWithTheRules) {
  compile();
  std::filesystem::path cache = directory_ / "rules.cache";
  {
    std::fstream file(cache, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(64);  // inside the databases
    file.write("damage", 6);
  }
  std::vector<Diagnostic> rebuilt = compile().diagnostics;
  ASSERT_EQ(rebuilt.size(), 1u);
  EXPECT_EQ(rebuilt[0].code, "W004");
  CompileResult loaded = compile();
  ASSERT_TRUE(loaded.rules->stats().rules_from_cache);
  EXPECT_TRUE(loaded.diagnostics.empty());
}

// The runtime's way in: a file that `qinglang compile -o` wrote, loaded with no rule file and no compiler.
class LoadCompiledRules : public ModelCache {};

TEST_F(LoadCompiledRules, ACompiledFileScansLikeTheRulesItWasCompiledFrom) {
  CompileResult compiled = compile();
  ASSERT_TRUE(compiled.ok());
  std::filesystem::remove_all(directory_ / "rules");
  CompileResult loaded = load_compiled_rules(directory_ / "rules.cache");
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded.rules->stats().rules_from_cache);
  EXPECT_EQ(loaded.rules->rule_count(), compiled.rules->rule_count());
  EXPECT_EQ(loaded.rules->rule(0).rule.id, "r");
  EXPECT_EQ(decision(loaded, "开盒 班级"), "block");
  EXPECT_EQ(decision(loaded, "开盒"), "pass");
}

TEST_F(LoadCompiledRules, MatchesAndExtractWorkAfterLoading) {
  write("rules/a.yaml", one_rule("    match: {words: [加我]}\n"
                                 "    where: ['contact matches \"(?i)^qq\"']\n"
                                 "    extract: {qq: '(?i)QQ(\\d{5,11})'}\n"));
  ASSERT_TRUE(compile().ok());
  std::filesystem::remove_all(directory_ / "rules");
  CompileResult loaded = load_compiled_rules(directory_ / "rules.cache");
  ASSERT_TRUE(loaded.ok());
  Scanner scanner(loaded.rules);
  Record matching = record_from_json(R"({"contact":"qq","text":"加我QQ12345678"})");
  const Verdict& verdict = scanner.scan(matching);
  ASSERT_EQ(verdict.hits.size(), 1u);
  ASSERT_EQ(verdict.hits[0].extracted.size(), 1u);
  EXPECT_EQ(verdict.hits[0].extracted[0].name, "qq");
  EXPECT_EQ(verdict.hits[0].extracted[0].value, "12345678");
  Record other = record_from_json(R"({"contact":"wx","text":"加我QQ12345678"})");
  EXPECT_TRUE(scanner.scan(other).hits.empty());
}

TEST_F(LoadCompiledRules, TheCompilesWarningsComeWithTheRules) {
  write("rules/a.yaml", one_rule("    match: {words: [的, 开盒]}\n"));
  std::vector<Diagnostic> fresh = compile().diagnostics;
  CompileResult loaded = load_compiled_rules(directory_ / "rules.cache");
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(format_diagnostic(loaded.diagnostics[0]), format_diagnostic(fresh[0]));
}

TEST_F(LoadCompiledRules, AMissingFileIsAnErrorNamingIt) {
  CompileResult loaded = load_compiled_rules(directory_ / "absent.cache");
  EXPECT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].code, "E015");
  EXPECT_EQ(loaded.diagnostics[0].location.file, (directory_ / "absent.cache").string());
}

TEST_F(LoadCompiledRules, AFileThatIsNotCompiledRulesIsAnError) {
  write("rules.cache", "rules:\n  - id: r\n");
  CompileResult loaded = load_compiled_rules(directory_ / "rules.cache");
  EXPECT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].code, "E015");
  EXPECT_NE(loaded.diagnostics[0].message.find("not a compiled Qinglang rule set"), std::string::npos);
}

TEST_F(LoadCompiledRules, ADamagedFileIsAnError) {
  compile();
  std::filesystem::path cache = directory_ / "rules.cache";
  damage_the_end_of(cache);
  CompileResult loaded = load_compiled_rules(cache);
  EXPECT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].code, "E015");
  EXPECT_NE(loaded.diagnostics[0].message.find("corrupt"), std::string::npos);
}

TEST_F(LoadCompiledRules, ATruncatedFileIsAnError) {
  compile();
  std::filesystem::path cache = directory_ / "rules.cache";
  std::filesystem::resize_file(cache, std::filesystem::file_size(cache) / 2);
  CompileResult loaded = load_compiled_rules(cache);
  EXPECT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].code, "E015");
}

}  // namespace
}  // namespace qinglang::testing
