// Streams: matches across message boundaries, decided once; window rules; bounded state.
#include "qinglang/stream.h"

#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "qinglang/compiler.h"
#include "test_support.h"

namespace qinglang {
namespace {

using testing::compile_or_fail;

constexpr std::string_view kRules = R"(
rules:
  - id: doxxing
    category: social
    item: 6
    title: 开盒
    severity: high
    action: block
    pinyin: true
    match: {words: [开盒]}
  - id: wechat
    category: social
    item: 5
    title: 加微信
    severity: medium
    action: review
    match: {words: [加v, 加微信]}
  - id: qq_number
    category: social
    item: 5
    title: QQ 号
    severity: medium
    action: review
    match: {regex: '扣扣\d{5,10}'}
  - id: scolding
    category: ecommerce
    item: 11
    title: 代骂
    severity: high
    action: block
    match: {words: [代骂]}
    not_after: {words: [不接], within: 1}
  - id: diversion_burst
    category: social
    item: 5
    title: 多次导流
    severity: high
    action: block
    window: {hits: 3, items: [5], messages: 10}
  - id: flood
    category: minor_mode
    item: 24
    title: 刷屏
    severity: medium
    action: review
    window: {repeats: 4, seconds: 30}
)";

// A stream written message by message; keeps every verdict's hits and windows as plain values.
struct Written {
  struct Part {
    std::uint64_t seq;
    std::uint32_t start, end;
    std::string text;
    bool operator==(const Part&) const = default;
  };
  struct HitValue {
    std::string rule;
    std::vector<Part> parts;
    std::string view;
  };
  std::vector<std::vector<HitValue>> hits;  // by write, then the close
  std::vector<std::vector<std::string>> windows;
  std::vector<std::string> errors;
};

class StreamTest : public ::testing::Test {
 protected:
  StreamTest() : rules_(compile_or_fail(kRules)), scanner_(rules_) {}

  void keep(const StreamVerdict& v) {
    auto& hits = written_.hits.emplace_back();
    for (const StreamHit& hit : v.hits) {
      Written::HitValue value{std::string(hit.rule.id), {}, std::string(hit.view)};
      for (const StreamPart& p : hit.parts)
        value.parts.push_back({p.seq, p.start, p.end, std::string(p.text)});
      hits.push_back(value);
    }
    auto& windows = written_.windows.emplace_back();
    for (const WindowHit& w : v.windows)
      windows.push_back(std::string(w.rule.id));
    written_.errors.push_back(std::string(v.error));
  }
  const Written& write_all(const std::vector<std::string>& messages, double seconds_apart = 1) {
    for (std::size_t i = 0; i < messages.size(); ++i)
      keep(scanner_.write(stream_, {i + 1, static_cast<double>(i) * seconds_apart, messages[i]}));
    keep(scanner_.close(stream_));
    return written_;
  }
  std::vector<std::string> rules_fired() const {
    std::vector<std::string> out;
    for (const auto& hits : written_.hits)
      for (const auto& hit : hits)
        out.push_back(hit.rule);
    return out;
  }

  std::shared_ptr<const CompiledRuleSet> rules_;
  Scanner scanner_;
  Stream stream_;
  Written written_;
};

TEST_F(StreamTest, WordSplitOverTwoMessagesIsFoundWithAPartInEach) {
  const Written& w = write_all({"今天来开", "盒了"});
  ASSERT_EQ(w.hits[1].size(), 1u);
  EXPECT_EQ(w.hits[1][0].rule, "doxxing");
  std::vector<Written::Part> expected = {{1, 9, 12, "开"}, {2, 0, 3, "盒"}};
  EXPECT_EQ(w.hits[1][0].parts, expected);
}

TEST_F(StreamTest, NegationInTheMessageBeforeStillGuardsTheMatch) {
  write_all({"本店不接", "代骂哦", "但专业代骂"});
  EXPECT_EQ(rules_fired(), std::vector<std::string>{"scolding"});
  EXPECT_EQ(written_.hits[2].size(), 1u) << "the unguarded occurrence, in the third message";
}

TEST_F(StreamTest, HitIsReportedByTheWriteThatCompletesIt) {
  const Written& w = write_all({"今天来开", "盒了"});
  EXPECT_TRUE(w.hits[0].empty());
  EXPECT_EQ(w.hits[1].size(), 1u);
  EXPECT_TRUE(w.hits[2].empty());
}

TEST_F(StreamTest, NoiseBetweenMessagesIsSeenThrough) {
  const Written& w = write_all({"主播 加", "🌹", "V 谢谢"});
  ASSERT_EQ(w.hits[2].size(), 1u);
  EXPECT_EQ(w.hits[2][0].rule, "wechat");
  EXPECT_EQ(w.hits[2][0].view, "skeleton");
  EXPECT_EQ(w.hits[2][0].parts.size(), 3u);
}

TEST_F(StreamTest, ChunksCutInsideCharactersStillMatch) {
  std::string text = "大家一起开盒他";
  write_all({text.substr(0, 13), text.substr(13, 1), text.substr(14)});
  EXPECT_EQ(rules_fired(), std::vector<std::string>{"doxxing"});
}

TEST_F(StreamTest, EachOccurrenceIsReportedOnce) {
  write_all({"开盒了", "今天天气好", "又开盒"});
  EXPECT_EQ(written_.hits[0].size(), 1u);
  EXPECT_TRUE(written_.hits[1].empty());
  EXPECT_EQ(written_.hits[2].size(), 1u);
  EXPECT_TRUE(written_.hits[3].empty());
}

TEST_F(StreamTest, RegexSpanningMessagesIsLocated) {
  const Written& w = write_all({"有事找我扣扣123", "4567 哦"});
  ASSERT_EQ(rules_fired(), std::vector<std::string>{"qq_number"});
  EXPECT_EQ(w.hits[1][0].parts.front().text, "扣扣123");
}

TEST_F(StreamTest, PinyinAtTheEndWaitsForWhatFollows) {
  keep(scanner_.write(stream_, {1, 0, "这个人我们 kaihe"}));
  EXPECT_TRUE(written_.hits[0].empty());
  keep(scanner_.write(stream_, {2, 1, "ren"}));  // kaiheren: not a word of its own
  EXPECT_TRUE(written_.hits[1].empty());
  keep(scanner_.close(stream_));
  EXPECT_TRUE(written_.hits[2].empty());
}

TEST_F(StreamTest, PinyinStandingAloneIsDecidedByTheNextWrite) {
  const Written& w = write_all({"这个人我们 kaihe", " 吧"});
  EXPECT_TRUE(w.hits[0].empty());
  ASSERT_EQ(w.hits[1].size(), 1u);
  EXPECT_EQ(w.hits[1][0].view, "pinyin");
}

TEST_F(StreamTest, CloseDecidesWhatWaitedForMoreText) {
  const Written& w = write_all({"我们 kaihe"});
  EXPECT_TRUE(w.hits[0].empty());
  ASSERT_EQ(w.hits[1].size(), 1u);
  EXPECT_EQ(w.hits[1][0].rule, "doxxing");
}

TEST_F(StreamTest, MessageWithAnOldSeqIsRefusedAndLeftOut) {
  keep(scanner_.write(stream_, {5, 0, "开"}));
  keep(scanner_.write(stream_, {5, 1, "盒"}));
  EXPECT_NE(written_.errors[1].find("out of order"), std::string::npos);
  EXPECT_EQ(stream_.summary().messages, 1u);
  keep(scanner_.close(stream_));
  EXPECT_TRUE(rules_fired().empty());
}

TEST_F(StreamTest, MessageGoingBackInTimeIsRefused) {
  scanner_.write(stream_, {1, 10, "你好"});
  EXPECT_NE(std::string(scanner_.write(stream_, {2, 9, "你好"}).error).find("ts"), std::string::npos);
}

TEST_F(StreamTest, WriteAfterCloseIsRefused) {
  scanner_.close(stream_);
  EXPECT_EQ(scanner_.write(stream_, {1, 0, "你好"}).error, "the stream is closed");
  EXPECT_TRUE(stream_.closed());
}

TEST_F(StreamTest, HitsWindowFiresOnTheThirdCountedHit) {
  const Written& w = write_all({"加v", "你好", "加微信", "你好", "扣扣123456"});
  EXPECT_TRUE(w.windows[2].empty());
  EXPECT_EQ(w.windows[4], std::vector<std::string>{"diversion_burst"});
  EXPECT_EQ(stream_.summary().decision, Decision::block);
}

TEST_F(StreamTest, MessageFiringSeveralCountedRulesCountsOnce) {
  const Written& w = write_all({"加v 扣扣123456", "加微信 扣扣654321", "你好"});
  for (const auto& windows : w.windows)
    EXPECT_TRUE(windows.empty());
}

TEST_F(StreamTest, HitsWindowStartsAgainAfterFiring) {
  const Written& w = write_all({"加v 1", "加v 2", "加v 3", "加v 4", "加v 5", "加v 6"});
  EXPECT_EQ(w.windows[2].size(), 1u);
  EXPECT_TRUE(w.windows[3].empty());
  EXPECT_TRUE(w.windows[4].empty());
  EXPECT_EQ(w.windows[5].size(), 1u);
}

TEST_F(StreamTest, HitsFartherApartThanTheWindowDoNotCount) {
  std::vector<std::string> messages;
  for (int i = 0; i < 25; ++i)
    messages.push_back(i % 12 == 0 ? "加v" : "今天直播唱第" + std::to_string(i) + "首歌");
  write_all(messages);
  for (const auto& windows : written_.windows)
    EXPECT_TRUE(windows.empty());
}

TEST_F(StreamTest, HitsAndWindowHitsNameTheirRuleAsTheRuleSetListsIt) {
  auto listed = [&](std::string_view id) {
    for (std::size_t r = 0; r < rules_->rule_count(); ++r)
      if (rules_->rule(r).rule.id == id) return rules_->rule(r).rule;
    ADD_FAILURE() << "no rule " << id;
    return RuleRef{};
  };
  const StreamVerdict& first = scanner_.write(stream_, {1, 0, "开盒"});
  ASSERT_EQ(first.hits.size(), 1u);
  EXPECT_EQ(first.hits[0].rule, listed("doxxing"));
  for (std::uint64_t seq = 2; seq < 5; ++seq)
    scanner_.write(stream_, {seq, 0, "主播最棒"});
  const StreamVerdict& last = scanner_.write(stream_, {5, 0, "主播最棒"});
  ASSERT_EQ(last.windows.size(), 1u);
  EXPECT_EQ(last.windows[0].rule, listed("flood"));
}

TEST_F(StreamTest, RepeatsWindowFiresOnNearlyTheSameMessage) {
  const Written& w = write_all({"主播最棒！", "主播 最棒～", "主播最棒!!!", "你好", "主播最棒"});
  EXPECT_EQ(w.windows[4], std::vector<std::string>{"flood"});
}

TEST(StreamRepeats, RulesOfRawTextOnlyStillSeeNearlyTheSameMessage) {
  auto rules = compile_or_fail(R"(
rules:
  - {id: url, category: social, item: 5, title: t, severity: low, action: review, views: [raw], match: {regex: 'http://x\.cn'}}
  - {id: flood, category: minor_mode, item: 24, title: t, severity: low, action: review, window: {repeats: 3, seconds: 30}}
)");
  ASSERT_TRUE(rules);
  Scanner scanner(rules);
  Stream stream;
  std::size_t fired = 0;
  for (const char* text : {"冲鸭！", "冲 鸭", "冲鸭~"})
    fired += scanner.write(stream, {stream.summary().messages, 0, text}).windows.size();
  EXPECT_EQ(fired, 1u);
}

TEST_F(StreamTest, RepeatsSpreadOverMoreThanTheWindowDoNotFire) {
  write_all({"主播最棒", "主播最棒", "主播最棒", "主播最棒"}, /*seconds_apart=*/20);
  for (const auto& windows : written_.windows)
    EXPECT_TRUE(windows.empty());
}

TEST_F(StreamTest, SummaryCountsTheStream) {
  write_all({"开盒", "你好"});
  const StreamSummary& s = stream_.summary();
  EXPECT_EQ(s.messages, 2u);
  EXPECT_EQ(s.first_seq, 1u);
  EXPECT_EQ(s.last_seq, 2u);
  EXPECT_EQ(s.hits, 1u);
  EXPECT_TRUE(s.categories.contains(Category::social));
}

TEST_F(StreamTest, StateStaysBoundedOverALongStream) {
  std::size_t after_warm_up = 0;
  for (std::uint64_t seq = 1; seq <= 20000; ++seq) {
    scanner_.write(stream_,
                   {seq, static_cast<double>(seq), "第" + std::to_string(seq) + "条：主播唱得真好听"});
    if (seq == 1000) after_warm_up = stream_.memory_bytes();
  }
  EXPECT_LE(stream_.memory_bytes(), after_warm_up + 256);
  EXPECT_LE(stream_.memory_bytes(), rules_->stats().stream_history_bytes + 4096);
}

TEST_F(StreamTest, StateStaysSmallOverAFloodOfOneCharacterMessages) {
  for (std::uint64_t seq = 1; seq <= 5000; ++seq)
    scanner_.write(stream_, {seq, static_cast<double>(seq), seq % 2 ? "6" : "哈"});
  EXPECT_LE(stream_.memory_bytes(), 2048u);
}

TEST_F(StreamTest, WordSpreadOverSeveralMessagesOfOneCharacterIsFound) {
  const Written& w = write_all({"开", " ", "*", "盒"});
  ASSERT_EQ(w.hits[3].size(), 1u);
  EXPECT_EQ(w.hits[3][0].parts.size(), 4u);
}

TEST_F(StreamTest, ClosingFreesTheCarriedText) {
  scanner_.write(stream_, {1, 0, std::string(10000, 'x')});
  scanner_.close(stream_);
  EXPECT_LT(stream_.memory_bytes(), 1024u);
}

std::vector<ExampleResult> window_examples(std::string_view examples) {
  std::string yaml = std::string(kRules) + "    examples:\n" + std::string(examples);
  auto rules = compile_or_fail(yaml);
  if (!rules) return {};
  std::vector<ExampleResult> results = run_rule_examples(rules);
  std::erase_if(results, [](const ExampleResult& r) { return r.rule_id != "flood"; });
  return results;
}

TEST(WindowExamples, StreamThatFiresPassesAsAMatchExample) {
  std::vector<ExampleResult> results = window_examples("      match:\n        - [刷, 刷, 刷, 刷]\n");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].passed);
  EXPECT_EQ(results[0].text, "刷 | 刷 | 刷 | 刷");
}

TEST(WindowExamples, StreamThatStaysQuietFailsAsAMatchExample) {
  std::vector<ExampleResult> results = window_examples("      match:\n        - [刷, 刷, 刷]\n");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].passed);
}

TEST(WindowExamples, ExampleThatIsNotAListOfMessagesIsAnError) {
  CompileResult result =
      compile_rules_from_yaml(std::string(kRules) + "    examples:\n      match: [刷屏]\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.diagnostics.at(0).code, "E003");
}

// For random texts with evaded words, cut at random bytes (inside characters too), the stream reports exactly
// the hits that one scan of the whole text reports: same rules, starts and views. Each rule's word occurs at
// most once, so one scan's single hit per rule is every occurrence. The ends agree too, except where a cut
// fell inside a match that could still grow (扣扣12345|6): the stream decides it at the cut and does not
// report its longer form again.
TEST(StreamProperty, RandomCutsFindExactlyTheHitsOfTheWholeText) {
  auto rules = compile_or_fail(R"(
rules:
  - {id: a, category: social, item: 6, title: t, severity: high, action: block, pinyin: true, match: {words: [开盒]}}
  - {id: b, category: social, item: 6, title: t, severity: high, action: block, match: {words: [网络厕所]}}
  - {id: c, category: ecommerce, item: 11, title: t, severity: high, action: block, match: {words: [代骂]}}
  - {id: d, category: social, item: 5, title: t, severity: high, action: block, match: {regex: '扣扣\d{5,8}'}}
  - {id: e, category: social, item: 8, title: t, severity: high, action: block,
     match: {near: [{words: [老师]}, {words: [去死]}], within: 6}}
)");
  ASSERT_TRUE(rules);
  const std::vector<std::vector<std::string>> forms = {
      {"开盒", "开 盒", "開盒", "开*盒", "kaihe", "kh"},
      {"网络厕所", "網絡廁所", "网.络.厕.所", "网\u200b络厕所"},
      {"代骂", "代**骂", "代🌹骂"},
      {"扣扣123456", "扣扣 1234567", "扣扣１２３４５６"},
      {"老师去死", "老师你们都去死", "老 师 去 死"}};
  const std::vector<std::string> filler = {"今天", "天气", "很好", "我们", "的", "。",
                                           "，",   " ",    "😀",    "哈哈", "了"};
  std::mt19937 rng(7);
  auto pick = [&](const auto& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
  };
  Scanner whole_scanner(rules), stream_scanner(rules);

  for (int round = 0; round < 400; ++round) {
    std::string text;
    for (std::size_t word = 0; word < forms.size(); ++word) {
      // Long stretches of filler make the stream drop text it no longer needs.
      int stretch = round % 2 ? 4 : 200;
      for (int i = std::uniform_int_distribution<int>(0, stretch)(rng); i > 0; --i)
        text += pick(filler);
      if (rng() % 2) text += pick(forms[word]);
    }
    text += pick(filler);

    using Found = std::tuple<std::string, std::uint64_t, std::uint64_t, std::string>;
    std::vector<Found> expected;
    Record record = Record::from_text(text);
    for (const Hit& hit : whole_scanner.scan(record).hits)
      expected.emplace_back(std::string(hit.rule.id), hit.start, hit.end, std::string(hit.view));

    std::vector<std::size_t> cuts = {0, text.size()};
    for (int i = std::uniform_int_distribution<int>(0, 40)(rng); i > 0; --i)
      cuts.push_back(std::uniform_int_distribution<std::size_t>(0, text.size())(rng));
    std::sort(cuts.begin(), cuts.end());
    Stream stream;
    std::vector<Found> found;
    std::vector<std::uint64_t> message_start;
    auto collect = [&](const StreamVerdict& v) {
      ASSERT_TRUE(v.error.empty()) << v.error;
      for (const StreamHit& hit : v.hits) {
        const StreamPart& first = hit.parts.front();
        const StreamPart& last = hit.parts.back();
        found.emplace_back(std::string(hit.rule.id), message_start[first.seq] + first.start,
                           message_start[last.seq] + last.end, std::string(hit.view));
      }
    };
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      message_start.push_back(cuts[i]);
      collect(stream_scanner.write(stream,
                                   {i, 0, std::string_view(text).substr(cuts[i], cuts[i + 1] - cuts[i])}));
    }
    if (text.size() > 4096) {
      ASSERT_LT(stream.memory_bytes(), text.size() / 2) << "the stream kept text it no longer needs";
    }
    collect(stream_scanner.close(stream));
    std::sort(expected.begin(), expected.end());
    std::sort(found.begin(), found.end());
    ASSERT_EQ(found.size(), expected.size()) << text;
    for (std::size_t i = 0; i < found.size(); ++i) {
      auto [rule, start, end, view] = found[i];
      auto [expected_rule, expected_start, expected_end, expected_view] = expected[i];
      EXPECT_EQ(std::tie(rule, start, view), std::tie(expected_rule, expected_start, expected_view)) << text;
      bool cut_inside = std::any_of(
          cuts.begin(), cuts.end(),
          [end = end, expected_end = expected_end](std::size_t c) { return end <= c && c < expected_end; });
      EXPECT_TRUE(end == expected_end || (cut_inside && end < expected_end)) << rule << " in " << text;
    }
  }
}

// Random bytes (invalid UTF-8 too) written in random chunks: every part of every hit lies inside its message.
TEST(StreamProperty, RandomBytesGivePartsInsideTheirMessages) {
  auto rules = compile_or_fail(kRules);
  ASSERT_TRUE(rules);
  Scanner scanner(rules);
  std::mt19937 rng(3);
  const std::vector<std::string> pieces = {"开",   "盒",   "加",   "v", "扣扣", "1",    "2",
                                           "\xE5", "\x80", "\xFF", " ", "🌹",    "kaihe"};
  for (int round = 0; round < 200; ++round) {
    Stream stream;
    std::vector<std::size_t> sizes;
    auto check = [&](const StreamVerdict& v) {
      ASSERT_TRUE(v.error.empty()) << v.error;
      for (const StreamHit& hit : v.hits) {
        ASSERT_FALSE(hit.parts.empty());
        for (const StreamPart& part : hit.parts) {
          ASSERT_LT(part.seq, sizes.size());
          EXPECT_LT(part.start, part.end);
          EXPECT_LE(part.end, sizes[part.seq]);
          EXPECT_EQ(part.text.size(), part.end - part.start);
        }
      }
    };
    for (std::uint64_t seq = 0; seq < 30; ++seq) {
      std::string message;
      for (int i = std::uniform_int_distribution<int>(0, 6)(rng); i > 0; --i)
        message += pieces[rng() % pieces.size()];
      sizes.push_back(message.size());
      check(scanner.write(stream, {seq, static_cast<double>(seq), message}));
    }
    check(scanner.close(stream));
  }
}

}  // namespace
}  // namespace qinglang
