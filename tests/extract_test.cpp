// `extract:`: what a hit reports from its field, the capture of each named RE2 regex's first match.
#include <string>
#include <utility>
#include <vector>

#include "test_support.h"

namespace qinglang::testing {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// A contact ad: the words that give it away, and the QQ number it leaves.
const std::string kQqRule = one_rule(
    "    match: {words: [加我]}\n"
    "    extract: {qq: 'QQ[:：\\s]*(\\d{5,11})'}\n");

Pairs pairs_of(const Hit& hit) {
  Pairs pairs;
  for (const Extracted& e : hit.extracted)
    pairs.emplace_back(e.name, e.value);
  return pairs;
}

// What each hit of the record extracted, hit by hit.
std::vector<Pairs> extracted_by_hit(std::string_view yaml, std::string_view json) {
  auto rules = compile_or_fail(yaml);
  if (!rules) return {};
  Scanner scanner(rules);
  Record record = record_from_json(json);
  std::vector<Pairs> hits;
  for (const Hit& hit : scanner.scan(record).hits)
    hits.push_back(pairs_of(hit));
  return hits;
}

TEST(Extract, ReportsTheCaptureOfTheFirstMatch) {
  EXPECT_EQ(extracted_by_hit(kQqRule, R"({"text":"加我 QQ：12345678，备用QQ 87654321"})"),
            (std::vector<Pairs>{{{"qq", "12345678"}}}));
}

TEST(Extract, SearchesTheWholeFieldNotOnlyTheHit) {
  EXPECT_EQ(extracted_by_hit(kQqRule, R"({"text":"QQ12345678 有事加我"})"),
            (std::vector<Pairs>{{{"qq", "12345678"}}}));
}

TEST(Extract, NoMatchReportsNothing) {
  EXPECT_EQ(extracted_by_hit(kQqRule, R"({"text":"加我私聊"})"), (std::vector<Pairs>{{}}));
}

TEST(Extract, ReportsEachNameInTheRulesOrder) {
  std::string yaml = one_rule(
      "    match: {words: [加我]}\n"
      "    extract: {qq: 'QQ(\\d{5,11})', wechat: '(?i)(?:vx|wx|微信)[:：\\s]*([a-z][-_a-z0-9]{5,19})'}\n");
  EXPECT_EQ(extracted_by_hit(yaml, R"({"text":"加我VX: Abc_123456 或 QQ12345678"})"),
            (std::vector<Pairs>{{{"qq", "12345678"}, {"wechat", "Abc_123456"}}}));
}

TEST(Extract, EachHitReadsItsOwnField) {
  EXPECT_EQ(extracted_by_hit(kQqRule, R"({"title":"加我QQ11111","text":"加我QQ22222"})"),
            (std::vector<Pairs>{{{"qq", "11111"}}, {{"qq", "22222"}}}));
}

TEST(Extract, WorksOnARuleOfConditionsAlone) {
  std::string yaml = one_rule(
      "    where: ['contact matches \"\\d\"']\n"
      "    extract: {phone: '(1\\d{10})'}\n");
  EXPECT_EQ(extracted_by_hit(yaml, R"({"contact":"电话 13800138000"})"),
            (std::vector<Pairs>{{{"phone", "13800138000"}}}));
}

TEST(Extract, EachVerdictOfABatchKeepsItsOwn) {
  auto rules = compile_or_fail(kQqRule);
  ASSERT_TRUE(rules);
  Scanner scanner(rules);
  std::vector<Record> records = {Record::from_text("加我QQ11111"), Record::from_text("加我QQ22222")};
  const std::vector<Verdict>& verdicts = scanner.scan_batch(records);
  ASSERT_EQ(verdicts.size(), 2u);
  ASSERT_EQ(verdicts[0].hits.size(), 1u);
  ASSERT_EQ(verdicts[1].hits.size(), 1u);
  EXPECT_EQ(pairs_of(verdicts[0].hits[0]), (Pairs{{"qq", "11111"}}));
  EXPECT_EQ(pairs_of(verdicts[1].hits[0]), (Pairs{{"qq", "22222"}}));
}

}  // namespace
}  // namespace qinglang::testing
