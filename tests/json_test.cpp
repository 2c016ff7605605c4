// Records from JSON and verdicts to JSON, per docs/records.md.
#include "test_support.h"

namespace qinglang::testing {
namespace {

std::vector<std::string> paths_of(const Record& record) {
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < record.size(); ++i)
    paths.emplace_back(record.field(i).path);
  return paths;
}

TEST(JsonRecord, NestedObjectsBecomeDottedPaths) {
  Record r = record_from_json(R"({"app":{"name":"x","dev":{"name":"y"}}})");
  EXPECT_EQ(paths_of(r), (std::vector<std::string>{"app.name", "app.dev.name"}));
}

TEST(JsonRecord, ArrayElementsCarryTheirIndex) {
  Record r = record_from_json(R"({"tags":["a","b"]})");
  EXPECT_EQ(paths_of(r), (std::vector<std::string>{"tags[0]", "tags[1]"}));
  EXPECT_EQ(r.field(1).key, "tags");
  EXPECT_TRUE(r.field(1).in_array);
}

TEST(JsonRecord, IdIsEchoedNotScanned) {
  Record r = record_from_json(R"({"id":"开盒","text":"x"})");
  EXPECT_EQ(r.id_json(), "\"开盒\"");
  EXPECT_EQ(paths_of(r), (std::vector<std::string>{"text"}));
}

TEST(JsonRecord, NumericIdIsEchoedAsANumber) {
  EXPECT_EQ(record_from_json(R"({"id":42})").id_json(), "42");
}

TEST(JsonRecord, ValuesKeepTheirTypes) {
  Record r = record_from_json(R"({"p":1.5,"b":false,"n":null,"s":"t"})");
  EXPECT_EQ(r.field(0).type, ValueType::number);
  EXPECT_EQ(r.field(0).number, 1.5);
  EXPECT_EQ(r.field(1).type, ValueType::boolean);
  EXPECT_EQ(r.field(2).type, ValueType::null);
  EXPECT_EQ(r.field(3).text, "t");
}

TEST(JsonRecord, NotJsonIsAnError) {
  Record r;
  EXPECT_EQ(JsonRecordParser().parse("not json", r), "invalid JSON");
}

TEST(JsonRecord, AnArrayIsNotARecord) {
  Record r;
  EXPECT_EQ(JsonRecordParser().parse("[1,2]", r), "not a JSON object");
}

TEST(JsonRecord, InvalidUtf8BecomesReplacementCharacters) {
  Record r;
  EXPECT_EQ(JsonRecordParser().parse("{\"t\":\"a\xff"
                                     "b\"}",
                                     r),
            "");
  EXPECT_EQ(r.field(0).text,
            "a\xEF\xBF\xBD"
            "b");
}

TEST(JsonRecord, ALeadingByteOrderMarkIsSkipped) {
  Record r = record_from_json("\xEF\xBB\xBF{\"id\":1,\"text\":\"x\"}");
  EXPECT_EQ(r.id_json(), "1");
  EXPECT_EQ(r.field(0).text, "x");
}

TEST(JsonRecord, AnEscapedHalfOfASurrogatePairBecomesTheReplacementCharacter) {
  Record r = record_from_json(R"({"text":"cut \ud83d here","t2":"\ude00"})");
  EXPECT_EQ(r.field(0).text, "cut \xEF\xBF\xBD here");
  EXPECT_EQ(r.field(1).text, "\xEF\xBF\xBD");
}

TEST(JsonRecord, AWholeSurrogatePairIsItsCharacter) {
  Record r = record_from_json(R"({"text":"a\ud83d\ude00 \\ud83d"})");
  EXPECT_EQ(r.field(0).text, "a\xF0\x9F\x98\x80 \\ud83d");
}

TEST(JsonRecord, ANumberNoDoubleHoldsIsKeptAsText) {
  Record r = record_from_json(R"({"price":1e400,"n":123456789012345678901234567890,"ok":2})");
  EXPECT_EQ(r.field(0).type, ValueType::text);
  EXPECT_EQ(r.field(0).text, "1e400");
  EXPECT_EQ(r.field(1).text, "123456789012345678901234567890");
  EXPECT_EQ(r.field(2).type, ValueType::number);
}

TEST(JsonRecord, ATrailingCommaIsStillInvalid) {
  Record r;
  EXPECT_EQ(JsonRecordParser().parse(R"({"text":"x",})", r), "invalid JSON");
}

TEST(JsonRecord, DeepNestingIsAnError) {
  std::string deep;
  for (int i = 0; i < 100; ++i)
    deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 100; ++i)
    deep += "}";
  Record r;
  EXPECT_FALSE(JsonRecordParser().parse(deep, r).empty());
}

TEST(JsonRecord, BadIdTypeIsAnError) {
  Record r;
  EXPECT_FALSE(JsonRecordParser().parse(R"({"id":[1]})", r).empty());
}

// The CLI parses each line where it lies in its batch: what follows a line must not change the record.
TEST(JsonRecord, InPlaceParseReadsOnlyItsLine) {
  std::string batch =
      R"({"id":1,"text":"开盒"}{"id":2,"text":"x"})" + std::string(JsonRecordParser::kPadding, ' ');
  Record r;
  ASSERT_EQ(JsonRecordParser().parse_padded(std::string_view(batch).substr(0, 24), r), "");
  EXPECT_EQ(r.id_json(), "1");
  EXPECT_EQ(paths_of(r), (std::vector<std::string>{"text"}));
  EXPECT_EQ(r.field(0).text, "开盒");
}

TEST(JsonRecord, InPlaceParseRepairsInvalidUtf8) {
  std::string batch = "{\"t\":\"a\xff\"}" + std::string(JsonRecordParser::kPadding, '\xff');
  Record r;
  ASSERT_EQ(JsonRecordParser().parse_padded(std::string_view(batch).substr(0, 10), r), "");
  EXPECT_EQ(r.field(0).text, "a\xEF\xBF\xBD");
}

TEST(JsonString, EscapesQuotesBackslashesAndControls) {
  std::string out;
  append_json_string(out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, R"("a\"b\\c\n\u0001")");
}

TEST(JsonString, KeepsChineseAsUtf8) {
  std::string out;
  append_json_string(out, "开盒");
  EXPECT_EQ(out, "\"开盒\"");
}

TEST(JsonString, InvalidBytesBecomeReplacementEscapes) {
  std::string out;
  append_json_string(out, "a\xff");
  EXPECT_EQ(out, R"("a\ufffd")");
}

// The verdict line of one JSON record under the given rules.
std::string verdict_json_of(std::string_view yaml, std::string_view record_json) {
  auto rules = compile_or_fail(yaml);
  Scanner scanner(rules);
  Record record = record_from_json(record_json);
  std::string out;
  append_verdict_json(out, record, scanner.scan(record));
  return out;
}

TEST(VerdictJson, FollowsTheOutputContract) {
  std::string out = verdict_json_of(one_rule("    match: {words: [开盒]}\n"), R"({"id":7,"text":"x开盒"})");
  EXPECT_EQ(
      out,
      R"({"id":7,"decision":"block","categories":["social"],"hits":[{"rule":"r","category":"social","item":6,)"
      R"("title":"t","severity":"high","action":"block","field":"text","start":1,"end":7,"text":"开盒",)"
      R"("view":"raw"}]})");
}

TEST(VerdictJson, ExtractedFollowsTheView) {
  std::string out =
      verdict_json_of(one_rule("    match: {words: [加我]}\n    extract: {qq: 'QQ(\\d{5,11})'}\n"),
                      R"({"id":7,"text":"加我QQ12345678"})");
  EXPECT_EQ(
      out,
      R"({"id":7,"decision":"block","categories":["social"],"hits":[{"rule":"r","category":"social","item":6,)"
      R"("title":"t","severity":"high","action":"block","field":"text","start":0,"end":6,"text":"加我",)"
      R"("view":"raw","extracted":{"qq":"12345678"}}]})");
}

TEST(VerdictJson, PassHasEmptyLists) {
  std::string out = verdict_json_of(one_rule("    match: {words: [开盒]}\n"), R"({"id":"a","text":"hi"})");
  EXPECT_EQ(out, R"({"id":"a","decision":"pass","categories":[],"hits":[]})");
}

TEST(ErrorJson, NamesWhereAndLine) {
  std::string out;
  append_error_json(out, "", "in.jsonl:3", "invalid JSON", 3);
  EXPECT_EQ(out, R"({"id":null,"error":"in.jsonl:3: invalid JSON","line":3})");
}

}  // namespace
}  // namespace qinglang::testing
