// What a verdict reports: spans, order, categories, and safety on hostile input.
#include <array>
#include <span>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "test_support.h"

namespace qinglang::testing {
namespace {

template <typename Argument>
concept ScanTakes = requires(Scanner& scanner, Argument&& argument) {
  scanner.scan(std::forward<Argument>(argument));
};
template <typename Argument>
concept ScanBatchTakes = requires(Scanner& scanner, Argument&& argument) {
  scanner.scan_batch(std::forward<Argument>(argument));
};

// A verdict's hits point into the record scanned: a record that lives on is scanned, a temporary is refused.
static_assert(ScanTakes<Record&>);
static_assert(ScanTakes<const Record&>);
static_assert(!ScanTakes<Record>);
static_assert(!ScanTakes<const Record>);

// The same for a batch: a named container of records, or a span viewing records that live elsewhere, is
// scanned; a temporary container is refused.
static_assert(ScanBatchTakes<std::vector<Record>&>);
static_assert(ScanBatchTakes<const std::vector<Record>&>);
static_assert(ScanBatchTakes<std::span<const Record>>);
static_assert(!ScanBatchTakes<std::vector<Record>>);
static_assert(!ScanBatchTakes<const std::vector<Record>>);
static_assert(!ScanBatchTakes<std::array<Record, 2>>);

// Every kind of hit, and a rule's own listing, names its rule the same way.
static_assert(std::is_same_v<decltype(Hit::rule), RuleRef>);
static_assert(std::is_same_v<decltype(StreamHit::rule), RuleRef>);
static_assert(std::is_same_v<decltype(WindowHit::rule), RuleRef>);
static_assert(std::is_same_v<decltype(RuleInfo::rule), RuleRef>);

constexpr std::string_view kTwoRules = R"(
rules:
  - {id: a.doxx, category: social, item: 6, title: 开盒, severity: high, action: block, match: {words: [开盒]}}
  - {id: b.scold, category: ecommerce, item: 11, title: 代骂, severity: medium, action: review, match: {words: [代骂]}}
)";

TEST(Scanner, HitSpanIsTheByteRangeOfTheMatch) {
  Scanner scanner(compile_or_fail(kTwoRules));
  Record record = Record::from_text("有人开盒了");
  const Verdict& v = scanner.scan(record);
  ASSERT_EQ(v.hits.size(), 1u);
  EXPECT_EQ(v.hits[0].start, 6u);
  EXPECT_EQ(v.hits[0].end, 12u);
  EXPECT_EQ(v.hits[0].text, "开盒");
  EXPECT_EQ(v.hits[0].field, "text");
}

TEST(Scanner, HitCarriesTheRulesTaxonomy) {
  Scanner scanner(compile_or_fail(kTwoRules));
  Record record = Record::from_text("代骂");
  const Hit& hit = scanner.scan(record).hits.at(0);
  EXPECT_EQ(hit.rule.id, "b.scold");
  EXPECT_EQ(hit.rule.category, Category::ecommerce);
  EXPECT_EQ(hit.rule.item, 11);
  EXPECT_EQ(hit.rule.title, "代骂");
  EXPECT_EQ(hit.rule.severity, Severity::medium);
  EXPECT_EQ(hit.rule.action, Action::review);
}

TEST(Scanner, HitNamesItsRuleAsTheRuleSetListsIt) {
  auto rules = compile_or_fail(kTwoRules);
  Scanner scanner(rules);
  Record record = Record::from_text("代骂");
  const Verdict& v = scanner.scan(record);
  ASSERT_EQ(v.hits.size(), 1u);
  EXPECT_EQ(v.hits[0].rule, rules->rule(1).rule);
}

TEST(Scanner, OneHitPerRuleAndFieldAtTheFirstOccurrence) {
  Scanner scanner(compile_or_fail(kTwoRules));
  Record record = Record::from_text("开盒 开盒 开盒");
  const Verdict& v = scanner.scan(record);
  ASSERT_EQ(v.hits.size(), 1u);
  EXPECT_EQ(v.hits[0].start, 0u);
}

TEST(Scanner, HitsAreOrderedByFieldThenStart) {
  Scanner scanner(compile_or_fail(kTwoRules));
  Record record = record_from_json(R"({"a":"代骂 开盒","b":"开盒"})");
  const Verdict& v = scanner.scan(record);
  ASSERT_EQ(v.hits.size(), 3u);
  EXPECT_EQ(v.hits[0].rule.id, "b.scold");
  EXPECT_EQ(v.hits[1].rule.id, "a.doxx");
  EXPECT_EQ(v.hits[2].field, "b");
}

TEST(Scanner, VerdictListsTheCategoriesOfItsHits) {
  Scanner scanner(compile_or_fail(kTwoRules));
  Record record = Record::from_text("开盒 代骂");
  const Verdict& v = scanner.scan(record);
  EXPECT_TRUE(v.categories.contains(Category::social));
  EXPECT_TRUE(v.categories.contains(Category::ecommerce));
  EXPECT_FALSE(v.categories.contains(Category::app_store));
  EXPECT_EQ(v.decision, Decision::block);
}

TEST(Scanner, RestrictingCategoriesSkipsOtherRules) {
  Scanner scanner(compile_or_fail(kTwoRules));
  CategorySet only_ecommerce;
  only_ecommerce.insert(Category::ecommerce);
  scanner.restrict_to(only_ecommerce);
  Record record = Record::from_text("开盒 代骂");
  const Verdict& v = scanner.scan(record);
  ASSERT_EQ(v.hits.size(), 1u);
  EXPECT_EQ(v.hits[0].rule.id, "b.scold");
}

TEST(Scanner, NothingCarriesOverBetweenRecords) {
  Scanner scanner(compile_or_fail(kTwoRules));
  Record first = Record::from_text("开盒"), second = Record::from_text("你好");
  scanner.scan(first);
  EXPECT_EQ(scanner.scan(second).decision, Decision::pass);
}

TEST(Scanner, NumbersAndBooleansAreNotScannedAsText) {
  Scanner scanner(compile_or_fail(kTwoRules));
  Record record = record_from_json(R"({"n":12,"b":true,"z":null})");
  EXPECT_EQ(scanner.scan(record).hits.size(), 0u);
}

TEST(Scanner, InvalidUtf8IsScannedAndSpansStayInsideTheField) {
  Scanner scanner(compile_or_fail(kTwoRules));
  std::string text = "\xff\xfe开盒\xc3";
  Record record = Record::from_text(text);
  const Verdict& v = scanner.scan(record);
  ASSERT_EQ(v.hits.size(), 1u);
  EXPECT_EQ(v.hits[0].start, 2u);
  EXPECT_EQ(v.hits[0].end, 8u);
}

TEST(Scanner, FloodOfOneWordStaysBoundedAndStillMatches) {
  Scanner scanner(compile_or_fail(kTwoRules));
  std::string flood;
  for (int i = 0; i < 200000; ++i)
    flood += "开盒";
  Record record = Record::from_text(flood);
  const Verdict& v = scanner.scan(record);
  ASSERT_EQ(v.hits.size(), 1u);
  EXPECT_EQ(v.hits[0].start, 0u);
}

TEST(Scanner, ManyScannersShareOneRuleSet) {
  auto rules = compile_or_fail(kTwoRules);
  Scanner first(rules), second(rules);
  Record doxx = Record::from_text("开盒"), scold = Record::from_text("代骂");
  EXPECT_EQ(first.scan(doxx).decision, Decision::block);
  EXPECT_EQ(second.scan(scold).decision, Decision::review);
}

// The compiled rules are read by every thread at once (ThreadSanitizer runs this in CI): each thread's
// Scanner gives the verdicts a Scanner alone gives.
TEST(Scanner, ScannersOnSeveralThreadsGiveTheVerdictsOfOne) {
  auto rules = compile_or_fail(kTwoRules);
  std::vector<Record> records;
  for (int i = 0; i < 200; ++i)
    records.push_back(Record::from_text(i % 3 == 0 ? "开盒" : i % 3 == 1 ? "代 骂" : "你好"));
  auto decisions_of = [&](Scanner& scanner) {
    std::vector<Decision> decisions;
    for (const Verdict& v : scanner.scan_batch(records))
      decisions.push_back(v.decision);
    return decisions;
  };
  Scanner alone(rules);
  std::vector<Decision> expected = decisions_of(alone);
  std::vector<std::vector<Decision>> seen(4);
  std::vector<std::thread> threads;
  for (auto& decisions : seen)
    threads.emplace_back([&rules, &decisions, &decisions_of] {
      Scanner scanner(rules);
      for (int round = 0; round < 5; ++round)
        decisions = decisions_of(scanner);
    });
  for (std::thread& thread : threads)
    thread.join();
  for (const auto& decisions : seen)
    EXPECT_EQ(decisions, expected);
}

TEST(Scanner, LongestMatchAtTheFirstStartIsReported) {
  Scanner scanner(compile_or_fail(one_rule("    match: {words: [开盒, 开盒挂人]}\n")));
  Record record = Record::from_text("开盒挂人");
  EXPECT_EQ(scanner.scan(record).hits.at(0).text, "开盒挂人");
}

TEST(Scanner, CoveringSpanOfACombination) {
  Scanner scanner(compile_or_fail(one_rule("    match: {all: [{words: [代骂]}, {words: [私信]}]}\n")));
  Record record = Record::from_text("我们代骂，请私信");
  const Hit& hit = scanner.scan(record).hits.at(0);
  EXPECT_EQ(hit.text, "代骂，请私信");
}

TEST(Scanner, RecordScopeReportsAHitPerFieldWithEvidence) {
  Scanner scanner(
      compile_or_fail(one_rule("    scope: record\n    match: {all: [{words: [代骂]}, {words: [私信]}]}\n")));
  Record record = record_from_json(R"({"title":"代骂","description":"请私信"})");
  const Verdict& v = scanner.scan(record);
  ASSERT_EQ(v.hits.size(), 2u);
  EXPECT_EQ(v.hits[0].field, "title");
  EXPECT_EQ(v.hits[1].field, "description");
  EXPECT_EQ(v.hits[1].text, "私信");
}

TEST(Scanner, RecordScopedNearFiresOnEveryRecordNotOnlyTheFirst) {
  std::string yaml =
      one_rule("    scope: record\n    match: {near: [{words: [关闭]}, {words: [模式]}], within: 3}\n") +
      "  - {id: f, category: social, item: 6, title: t, severity: low, action: review, "
      "match: {words: [关闭]}}\n";
  Scanner scanner(compile_or_fail(yaml));
  Record record = Record::from_text("x关闭青少年模式");
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(scanner.scan(record).decision, Decision::block) << "record " << i;
}

TEST(Scanner, ConditionOnlyHitNamesTheConditionsField) {
  Scanner scanner(compile_or_fail(one_rule("    where: ['report contains \"退出\"']\n")));
  Record record = record_from_json(R"({"report":"直接退出"})");
  const Hit& hit = scanner.scan(record).hits.at(0);
  EXPECT_EQ(hit.field, "report");
  EXPECT_EQ(hit.text, "直接退出");
}

}  // namespace
}  // namespace qinglang::testing
