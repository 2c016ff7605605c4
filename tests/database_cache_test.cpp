// The compiled-database cache: used when it matches, rebuilt when it does not, never trusted when damaged.
#include <filesystem>
#include <fstream>

#include "test_support.h"

namespace qinglang::testing {
namespace {

const std::string kRules = one_rule("    match: {any: [{words: [开盒]}, {regex: '开盒\\d+'}]}\n");
const std::string kOtherRules = one_rule("    match: {words: [挂人]}\n");

class DatabaseCache : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("qinglang_cache_test_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }

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

}  // namespace
}  // namespace qinglang::testing
