// Weighted evidence: parts of an `at_least` that count for more than one, and scoring rules whose item's
// total in a record, not any one of them, decides.
#include "qinglang/compiler.h"
#include "test_support.h"

namespace qinglang::testing {
namespace {

// Three scoring rules of item 5 (a minor, a contact, a lure) and the item's thresholds.
constexpr std::string_view kScoringRules = R"(
category: social
thresholds:
  - {items: [5], review: 4, block: 7}
rules:
  - {id: minor, item: 5, title: 未成年, severity: high, score: 2, match: {words: [初中生, 小学生]}}
  - {id: contact, item: 5, title: 私下联系, severity: high, score: 2, match: {words: [加v, 私聊]}}
  - {id: lure, item: 5, title: 诱导, severity: high, score: 3, match: {words: [处对象, 送皮肤]}}
)";

Verdict scan_record(std::string_view yaml, std::string_view json) {
  auto rules = compile_or_fail(yaml);
  Scanner scanner(rules);
  Record record = record_from_json(json);
  const Verdict& verdict = scanner.scan(record);
  Verdict copy;
  copy.decision = verdict.decision;
  for (const Hit& hit : verdict.hits) {
    Hit kept = hit;
    kept.field = kept.text = kept.view = kept.list = {};
    kept.extracted = {};
    copy.hits.push_back(kept);
  }
  return copy;
}

TEST(ScoringRules, OneAloneBelowTheThresholdDecidesNothing) {
  Verdict verdict = scan_record(kScoringRules, R"({"text":"初中生放假了"})");
  EXPECT_EQ(verdict.decision, Decision::pass);
  EXPECT_TRUE(verdict.hits.empty()) << "hits below the threshold are not reported";
}

TEST(ScoringRules, RulesOfOneItemAddUpToReview) {
  EXPECT_EQ("review", decision_of(kScoringRules, "初中生 私聊"));
}

TEST(ScoringRules, ReachingTheBlockThresholdBlocks) {
  EXPECT_EQ("block", decision_of(kScoringRules, "初中生处对象吗 私聊"));
}

TEST(ScoringRules, EvidenceSplitOverFieldsAddsUp) {
  EXPECT_EQ(Decision::review,
            scan_record(kScoringRules, R"({"title":"初中生交友","text":"来私聊"})").decision);
}

TEST(ScoringRules, ARuleCountsOnceHoweverManyFieldsItFiresIn) {
  EXPECT_EQ(
      Decision::pass,
      scan_record(kScoringRules, R"({"title":"初中生","text":"初中生","comments":["小学生"]})").decision);
}

TEST(ScoringRules, HitsReportWhatTheyAddedAndTheItemsTotal) {
  Verdict verdict = scan_record(kScoringRules, R"({"text":"初中生 私聊 送皮肤"})");
  ASSERT_EQ(verdict.hits.size(), 3u);
  EXPECT_EQ(verdict.hits[0].score, 2u);
  EXPECT_EQ(verdict.hits[2].score, 3u);
  for (const Hit& hit : verdict.hits) {
    EXPECT_EQ(hit.item_score, 7u);
    EXPECT_EQ(hit.rule.action, Action::block) << "the action the item's total reached";
  }
}

TEST(ScoringRules, TheVerdictLineCarriesTheScores) {
  auto rules = compile_or_fail(kScoringRules);
  Scanner scanner(rules);
  Record record = Record::from_text("初中生 私聊");
  std::string line;
  append_verdict_json(line, record, scanner.scan(record));
  EXPECT_NE(line.find(R"("action":"review")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("score":2,"item_score":4)"), std::string::npos) << line;
}

TEST(ScoringRules, RulesThatDecideByThemselvesKeepTheirMeaning) {
  std::string yaml =
      std::string(kScoringRules) +
      "  - {id: plain, item: 5, title: t, severity: high, action: block, match: {words: [开房]}}\n";
  EXPECT_EQ("block", decision_of(yaml, "开房"));
  Verdict verdict = scan_record(yaml, R"({"text":"开房"})");
  ASSERT_EQ(verdict.hits.size(), 1u);
  EXPECT_EQ(verdict.hits[0].score, 0u);
}

TEST(ScoringRules, AnItemsOwnThresholdBeatsItsCategorys) {
  std::string yaml = R"(
category: social
thresholds:
  - {review: 100}
  - {items: [5], review: 2}
rules:
  - {id: minor, item: 5, title: t, severity: high, score: 2, match: {words: [初中生]}}
)";
  EXPECT_EQ("review", decision_of(yaml, "初中生"));
}

TEST(ScoringRules, ARuleWithBothScoreAndActionIsAnError) {
  EXPECT_EQ(Codes{"E008"}, codes_of(R"(
category: social
thresholds: [{review: 2}]
rules:
  - {id: r, item: 5, title: t, severity: high, score: 2, action: block, match: {words: [初中生]}}
)"));
}

TEST(ScoringRules, AnItemWithoutThresholdIsAnError) {
  EXPECT_EQ(Codes{"E017"}, codes_of(R"(
category: social
rules:
  - {id: r, item: 5, title: t, severity: high, score: 2, match: {words: [初中生]}}
)"));
}

TEST(ScoringRules, ReviewMustBeBelowBlock) {
  EXPECT_EQ(Codes{"E017"}, codes_of(R"(
category: social
thresholds: [{review: 5, block: 5}]
rules:
  - {id: r, item: 5, title: t, severity: high, action: review, match: {words: [初中生]}}
)"));
}

// --- weighted parts of an at_least

constexpr std::string_view kWeighted = R"(
rules:
  - id: r
    category: social
    item: 5
    title: t
    severity: high
    action: block
    match:
      at_least: 3
      of:
        - {words: [处对象], score: 3}
        - {words: [初中生]}
        - {words: [私聊]}
        - {words: [哥哥]}
)";

TEST(WeightedAtLeast, AHeavyPartAloneReachesTheTotal) {
  EXPECT_EQ("block", decision_of(kWeighted, "找人处对象"));
}

TEST(WeightedAtLeast, LightPartsAddUp) {
  EXPECT_EQ("block", decision_of(kWeighted, "初中生 私聊 哥哥"));
  EXPECT_EQ("pass", decision_of(kWeighted, "初中生 私聊"));
}

TEST(WeightedAtLeast, AScoreOutsideAnAtLeastIsAnError) {
  EXPECT_EQ(Codes{"E009"},
            codes_of(one_rule("    match: {all: [{words: [a1], score: 2}, {words: [b2]}]}\n")));
}

TEST(WeightedAtLeast, ATotalTheScoresCannotReachIsAnError) {
  EXPECT_EQ(Codes{"E009"},
            codes_of(one_rule("    match: {at_least: 5, of: [{words: [a1], score: 2}, {words: [b2]}]}\n")));
}

}  // namespace
}  // namespace qinglang::testing
