// Anchors (compiled_rule_set.h): which leaves the first pass scans over every record, and that the second
// pass, over the records where an anchor matched, finds everything one pass over all of them would.
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "compiled/compiled_rule_set.h"
#include "qinglang/compiler.h"
#include "test_support.h"

namespace qinglang::testing {
namespace {

// Whether the leaf that holds `word` is an anchor of its rule.
bool is_anchor(const CompiledRuleSet& rules, std::string_view word) {
  const detail::CompiledRuleSetData& data = detail::data_of(rules);
  for (std::size_t leaf = 0; leaf < data.model.leaves.size(); ++leaf)
    for (const std::string& text : data.model.leaves[leaf].texts)
      if (text == word) return data.leaf_anchor[leaf] != 0;
  ADD_FAILURE() << "no leaf holds " << word;
  return false;
}

TEST(Anchors, AnAllIsAnchoredOnItsRarestPart) {
  auto rules = compile_or_fail(one_rule("    match: {all: [{words: [老师, 学生]}, {words: [打回去]}]}\n"));
  ASSERT_TRUE(rules);
  EXPECT_TRUE(is_anchor(*rules, "打回去"));
  EXPECT_FALSE(is_anchor(*rules, "老师"));
}

// The guess ranks two words of two characters alike; a sample of the traffic tells the everyday one apart.
std::shared_ptr<const CompiledRuleSet> compile_with_sample(std::string_view yaml, std::string sample) {
  CompileOptions options;
  options.anchor_sample = std::move(sample);
  CompileResult result = compile_rules_from_yaml(yaml, "test.yaml", options);
  EXPECT_TRUE(result.ok());
  return result.rules;
}

TEST(Anchors, ASampleAnchorsAnAllOnThePartRarestInIt) {
  std::string yaml = one_rule("    match: {all: [{words: [还有]}, {words: [开盒]}]}\n");
  auto rules = compile_with_sample(yaml, "还有一件事\n我还有作业\n开盒\n还有吗\n");
  ASSERT_TRUE(rules);
  EXPECT_TRUE(is_anchor(*rules, "开盒"));
  EXPECT_FALSE(is_anchor(*rules, "还有"));
  auto swapped = compile_with_sample(yaml, "开盒开盒\n开盒了\n还有\n");
  ASSERT_TRUE(swapped);
  EXPECT_TRUE(is_anchor(*swapped, "还有"));
  EXPECT_FALSE(is_anchor(*swapped, "开盒"));
}

TEST(Anchors, ASampleChangesWhatAScanCostsNotWhatItFinds) {
  std::string yaml = one_rule("    match: {all: [{words: [还有]}, {words: [开盒]}]}\n");
  auto guessed = compile_or_fail(yaml);
  auto sampled = compile_with_sample(yaml, "开盒开盒\n开盒了\n还有\n");
  ASSERT_TRUE(guessed && sampled);
  Scanner with_guess(guessed), with_sample(sampled);
  for (std::string_view text : {"还有人被开盒了", "还有", "开盒", "今天天气好"}) {
    Record record = Record::from_text(text);
    Decision expected = with_guess.scan(record).decision;
    EXPECT_EQ(expected, with_sample.scan(record).decision) << text;
  }
}

TEST(Anchors, TheAuthorsAnchorComesBeforeTheGuess) {
  auto rules = compile_or_fail(
      one_rule("    match: {all: [{words: [打回去]}, {words: [老师, 学生], anchor: true}]}\n"));
  ASSERT_TRUE(rules);
  EXPECT_TRUE(is_anchor(*rules, "老师"));
  EXPECT_FALSE(is_anchor(*rules, "打回去"));
}

TEST(Anchors, EveryAlternativeOfAnAnyIsAnAnchor) {
  auto rules = compile_or_fail(
      one_rule("    match: {any: [{words: [开盒]}, {all: [{words: [挂人]}, {words: [曝光他的学校]}]}]}\n"));
  ASSERT_TRUE(rules);
  EXPECT_TRUE(is_anchor(*rules, "开盒"));
  EXPECT_TRUE(is_anchor(*rules, "曝光他的学校"));
  EXPECT_FALSE(is_anchor(*rules, "挂人"));
}

TEST(Anchors, AtLeastTwoOfThreeIsAnchoredOnItsTwoRarestParts) {
  auto rules = compile_or_fail(
      one_rule("    match: {at_least: 2, of: [{words: [一]}, {words: [开盒]}, {words: [网络厕所]}]}\n"));
  ASSERT_TRUE(rules);
  EXPECT_TRUE(is_anchor(*rules, "开盒"));
  EXPECT_TRUE(is_anchor(*rules, "网络厕所"));
  EXPECT_FALSE(is_anchor(*rules, "一"));
}

TEST(Anchors, ExceptionsAreNeverAnchors) {
  auto rules = compile_or_fail(one_rule("    match: {words: [开盒]}\n    unless: {words: [举报]}\n"));
  ASSERT_TRUE(rules);
  EXPECT_TRUE(is_anchor(*rules, "开盒"));
  EXPECT_FALSE(is_anchor(*rules, "举报"));
}

TEST(Anchors, AWordManyRulesListIsTakenForCommonContext) {
  auto rules = compile_or_fail(R"(
rules:
  - {id: a, category: social, item: 6, title: t, severity: low, action: review,
     match: {all: [{words: [上课]}, {words: [挂人]}]}}
  - {id: b, category: social, item: 6, title: t, severity: low, action: review, match: {words: [上课]}}
  - {id: c, category: social, item: 6, title: t, severity: low, action: review, match: {words: [上课]}}
)");
  ASSERT_TRUE(rules);
  EXPECT_TRUE(is_anchor(*rules, "挂人"));
  std::size_t anchored_shared_leaves = 0;
  for (std::size_t leaf = 0; leaf < detail::data_of(*rules).model.leaves.size(); ++leaf)
    anchored_shared_leaves +=
        detail::data_of(*rules).model.leaves[leaf].texts == std::vector<std::string>{"上课"} &&
        detail::data_of(*rules).leaf_anchor[leaf];
  EXPECT_EQ(anchored_shared_leaves, 2u);  // rules b and c have no other part
}

std::string describe(const Verdict& v) {
  std::ostringstream out;
  out << to_string(v.decision);
  for (const Hit& h : v.hits)
    out << ' ' << h.rule.id << '@' << h.field << ':' << h.start << '-' << h.end;
  return out.str();
}

// Each record's verdict, as describe() writes it, the records scanned as one batch.
std::vector<std::string> batch_verdicts(std::shared_ptr<const CompiledRuleSet> rules,
                                        std::span<const Record> records) {
  Scanner scanner(std::move(rules));
  std::vector<std::string> described;
  for (const Verdict& verdict : scanner.scan_batch(records))
    described.push_back(describe(verdict));
  return described;
}

constexpr std::string_view kContextRule = R"(
rules:
  - {id: r, category: social, item: 8, title: t, severity: high, action: block,
     match: {all: [{words: [学生, 同学]}, {words: [打回去]}]}, unless: {words: [教育]}}
)";

TEST(Anchors, ContextAndExceptionsAreFoundInTheAnchoredRecordsOfABatch) {
  auto rules = compile_or_fail(kContextRule);
  ASSERT_TRUE(rules);
  std::vector<Record> records = {
      Record::from_text("学生"),   Record::from_text("被骂的同学就打回去"),
      Record::from_text("打回去"), Record::from_text("学生打回去不对，要教育"),
      Record::from_text("同学"),   record_from_json(R"({"title": "学生", "text": "打回去"})"),
  };
  // The fourth has the exception; the sixth has the parts in different fields.
  EXPECT_EQ(batch_verdicts(rules, records),
            (std::vector<std::string>{"pass", "block r@text:9-27", "pass", "pass", "pass", "pass"}));
}

TEST(Anchors, EveryRecordOfABatchGetsTheVerdictItGetsAlone) {
  auto rules = compile_or_fail(kContextRule);
  ASSERT_TRUE(rules);
  const std::vector<std::string> texts = {"学生", "打回去", "教育", "同学打回去", "", "好"};
  std::vector<Record> records;
  for (std::size_t i = 0; i < 64; ++i) {
    std::string text = texts[i % texts.size()] + texts[(i * 7 + 3) % texts.size()];
    records.push_back(Record::from_text(text));
  }
  Scanner batch_scanner(rules), single_scanner(rules);
  const std::vector<Verdict>& together = batch_scanner.scan_batch(records);
  for (std::size_t i = 0; i < records.size(); ++i)
    EXPECT_EQ(describe(together[i]), describe(single_scanner.scan(records[i]))) << "record " << i;
}

TEST(Anchors, ARegexAnchoredAtTheStartOrEndMatchesInEveryFieldOfABatch) {
  auto rules = compile_or_fail(one_rule("    match: {regex: ['^开盒', '人肉$']}\n"));
  ASSERT_TRUE(rules);
  std::vector<Record> records = {Record::from_text("开盒了"),         Record::from_text("开盒了"),
                                 Record::from_text("去人肉"),         Record::from_text("x 开盒了"),
                                 Record::from_text("第一行\n开盒了"), Record::from_text("人肉他")};
  Scanner scanner(rules);
  std::vector<std::string> decisions;
  for (const Verdict& verdict : scanner.scan_batch(records))
    decisions.emplace_back(to_string(verdict.decision));
  EXPECT_EQ(decisions, (std::vector<std::string>{"block", "block", "block", "pass", "block", "pass"}));
}

TEST(Anchors, AContextWordOfTwoCategoriesCompletesTheRulesOfEach) {
  auto rules = compile_or_fail(R"(
rules:
  - {id: a, category: social, item: 8, title: t, severity: high, action: block,
     match: {all: [{words: [同学]}, {words: [打回去]}]}}
  - {id: b, category: ecommerce, item: 11, title: t, severity: high, action: block,
     match: {all: [{words: [同学]}, {words: [代骂服务]}]}}
)");
  ASSERT_TRUE(rules);
  std::vector<Record> records = {Record::from_text("同学打回去"), Record::from_text("同学代骂服务"),
                                 Record::from_text("同学"), Record::from_text("打回去的同学找代骂服务")};
  EXPECT_EQ(batch_verdicts(rules, records),
            (std::vector<std::string>{"block a@text:0-15", "block b@text:0-18", "pass",
                                      "block a@text:0-18 b@text:12-33"}));
}

// Three categories anchor the record, so their context is scanned once with every deferred pattern.
TEST(Anchors, ARecordThatManyCategoriesAnchoredGetsEveryRulesContext) {
  auto rules = compile_or_fail(R"(
rules:
  - {id: a, category: social, item: 8, title: t, severity: high, action: block,
     match: {all: [{words: [同学]}, {words: [打回去]}]}, unless: {words: [心理老师]}}
  - {id: b, category: ecommerce, item: 11, title: t, severity: high, action: block,
     match: {all: [{words: [同学]}, {words: [代骂服务]}]}}
  - {id: c, category: app_store, item: 13, title: t, severity: high, action: block,
     match: {all: [{words: [同学]}, {words: [盗版游戏]}]}}
)");
  ASSERT_TRUE(rules);
  std::vector<Record> records = {Record::from_text("打回去的同学找代骂服务下盗版游戏"),
                                 Record::from_text("同学"),
                                 Record::from_text("心理老师说同学别打回去，别找代骂服务和盗版游戏")};
  // In the third, a is excepted.
  EXPECT_EQ(batch_verdicts(rules, records),
            (std::vector<std::string>{"block a@text:0-18 b@text:12-33 c@text:12-48", "pass",
                                      "block b@text:15-54 c@text:15-69"}));
}

TEST(Anchors, ARegexSeveralRulesWriteIsCompiledOnceAndReachesEach) {
  auto rules = compile_or_fail(R"(
rules:
  - {id: a, category: social, item: 8, title: t, severity: high, action: block, match: {regex: '打\d+次'}}
  - {id: b, category: ecommerce, item: 11, title: t, severity: high, action: block,
     match: {all: [{words: [代骂服务]}, {regex: '打\d+次'}]}}
)");
  ASSERT_TRUE(rules);
  EXPECT_EQ(rules->stats().regex_patterns, 1u);
  std::vector<Record> records = {Record::from_text("代骂服务打3次"), Record::from_text("打3次")};
  EXPECT_EQ(batch_verdicts(rules, records),
            (std::vector<std::string>{"block b@text:0-19 a@text:12-19", "block a@text:0-7"}));
}

// Each category's deferred tier holds the shared regex, and gives its matches to that category's rules only.
TEST(Anchors, ARegexTwoCategoriesDeferReachesEachRuleOnce) {
  auto rules = compile_or_fail(R"(
rules:
  - {id: c, category: social, item: 6, title: t, severity: high, action: block,
     match: {all: [{words: [开盒挂人]}, {regex: '第\d+名'}]}}
  - {id: d, category: ecommerce, item: 11, title: t, severity: high, action: block,
     match: {all: [{words: [代骂服务]}, {regex: '第\d+名'}]}}
)");
  ASSERT_TRUE(rules);
  EXPECT_EQ(rules->stats().regex_patterns, 1u);
  EXPECT_FALSE(is_anchor(*rules, "第\\d+名"));
  std::vector<Record> records = {Record::from_text("开盒挂人代骂服务第3名"),
                                 Record::from_text("代骂服务第3名"), Record::from_text("第3名")};
  EXPECT_EQ(batch_verdicts(rules, records),
            (std::vector<std::string>{"block c@text:0-31 d@text:12-31", "block d@text:0-19", "pass"}));
}

constexpr std::string_view kAppRule = R"(
rules:
  - {id: app, category: app_store, item: 13, title: t, severity: high, action: block, fields: [app.name],
     match: {words: [王者荣誉]}}
)";

TEST(Anchors, TheAnchorsOfARuleBoundToFieldsOtherThanTextAreFieldBound) {
  auto rules = compile_or_fail(kAppRule);
  ASSERT_TRUE(rules);
  const DatabaseStats& stats = rules->stats();
  EXPECT_GT(stats.field_bound_patterns, 0u);
  EXPECT_EQ(stats.field_bound_patterns, stats.literal_patterns + stats.regex_patterns);
}

TEST(Anchors, ARuleThatAlsoReadsTextIsNotFieldBound) {
  auto rules = compile_or_fail(one_rule("    fields: [app.name, text]\n    match: {words: [王者荣誉]}\n"));
  ASSERT_TRUE(rules);
  EXPECT_EQ(rules->stats().field_bound_patterns, 0u);
}

TEST(Anchors, AFieldBoundRuleFiresInItsFieldsAndNeverInText) {
  auto rules = compile_or_fail(std::string(kAppRule) + R"(
  - {id: post, category: social, item: 6, title: t, severity: high, action: block, match: {words: [开盒]}}
)");
  ASSERT_TRUE(rules);
  std::vector<Record> records = {
      record_from_json(R"({"app": {"name": "王者荣誉"}})"),
      Record::from_text("王者荣誉"),
      record_from_json(R"({"app": {"name": "王者荣耀"}, "text": "王者荣誉"})"),
      record_from_json(R"({"app": {"name": "王者荣誉"}, "text": "开盒"})"),
  };
  EXPECT_EQ(batch_verdicts(rules, records),
            (std::vector<std::string>{"block app@app.name:0-12", "pass", "pass",
                                      "block app@app.name:0-12 post@text:0-6"}));
  // Every field of this batch is bound: the tier scans the batch in place.
  EXPECT_EQ(batch_verdicts(rules, std::span<const Record>(records).first(1)),
            (std::vector<std::string>{"block app@app.name:0-12"}));
}

// An exception is looked for in every field, even a field-bound rule's: a word that is also an exception
// stays in the first pass.
TEST(Anchors, AWordThatIsAlsoAnExceptionIsNotFieldBound) {
  auto rules = compile_or_fail(std::string(kAppRule) + R"(
  - {id: cheat, category: app_store, item: 13, title: t, severity: high, action: block, fields: [app.name],
     match: {words: [破解版]}, unless: {words: [王者荣誉]}, unless_scope: record}
)");
  ASSERT_TRUE(rules);
  Scanner scanner(rules);
  Record excepted = record_from_json(R"({"app": {"name": "破解版"}, "text": "王者荣誉"})");
  Record cheat = record_from_json(R"({"app": {"name": "破解版"}, "text": "荣誉"})");
  EXPECT_EQ(describe(scanner.scan(excepted)), "pass");
  EXPECT_EQ(describe(scanner.scan(cheat)), "block cheat@app.name:0-9");
}

TEST(Anchors, TheProfileCountsTheRecordsWhereARulesAnchorsMatched) {
  std::filesystem::path file = std::filesystem::temp_directory_path() /
                               ("qinglang_anchor_profile_" + std::to_string(getpid()) + ".yaml");
  std::ofstream(file) << one_rule("    match: {all: [{words: [学生]}, {words: [打回去], anchor: true}]}\n");
  std::vector<Record> sample = {Record::from_text("学生"), Record::from_text("打回去"),
                                Record::from_text("学生打回去"), Record::from_text("好")};
  RuleProfile profile = profile_rules({file}, sample);
  std::filesystem::remove(file);
  ASSERT_EQ(profile.rules.size(), 1u);
  EXPECT_EQ(profile.rules[0].records_hit, 1u);
  EXPECT_EQ(profile.rules[0].records_anchored, 2u);
}

TEST(Anchors, TheProfileKeepsTheRulesItsCostsName) {
  std::filesystem::path file = std::filesystem::temp_directory_path() /
                               ("qinglang_named_profile_" + std::to_string(getpid()) + ".yaml");
  std::ofstream(file) << one_rule("    match: {words: [学生]}\n");
  std::vector<Record> sample = {Record::from_text("学生")};
  RuleProfile profile = profile_rules({file}, sample);
  std::filesystem::remove(file);
  ASSERT_TRUE(profile.compiled);
  ASSERT_EQ(profile.rules.size(), 1u);
  EXPECT_EQ(profile.rules[0].rule, profile.compiled->rule(0).rule);
  EXPECT_EQ(profile.rules[0].rule.id, "r");
}

TEST(Anchors, TheProfileCountsAFieldBoundRulesAnchorsOnlyInItsFields) {
  std::filesystem::path file = std::filesystem::temp_directory_path() /
                               ("qinglang_field_bound_profile_" + std::to_string(getpid()) + ".yaml");
  std::ofstream(file) << kAppRule;
  std::vector<Record> sample = {Record::from_text("王者荣誉"),
                                record_from_json(R"({"app": {"name": "王者荣誉"}})")};
  RuleProfile profile = profile_rules({file}, sample);
  std::filesystem::remove(file);
  ASSERT_EQ(profile.rules.size(), 1u);
  EXPECT_EQ(profile.rules[0].records_anchored, 1u);
}

}  // namespace
}  // namespace qinglang::testing
