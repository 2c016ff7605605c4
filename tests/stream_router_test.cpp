// Routing the interleaved events of many streams, and the limits that close streams on their own.
#include "qinglang/stream_router.h"

#include <optional>
#include <string>
#include <vector>

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
)";

// What the router told, in order: "a 2 wechat" for message 2 of stream a with a wechat hit, "a idle" for the
// close of stream a as idle.
class Recorder final : public StreamListener {
 public:
  struct Closed {
    std::string id;
    StreamCloseReason reason;
    std::uint64_t opened_at;
    std::uint64_t messages;
    std::vector<std::string> hits;  // decided at the close
  };

  void message_scanned(std::string_view stream_id, const StreamVerdict& verdict) override {
    std::string entry(stream_id);
    entry.append(" ").append(std::to_string(verdict.seq));
    for (const StreamHit& hit : verdict.hits)
      entry.append(" ").append(hit.rule.id);
    log.push_back(entry);
  }

  void stream_closed(const ClosedStream& closed) override {
    log.push_back(std::string(closed.id).append(" ").append(to_string(closed.reason)));
    Closed& c = closes.emplace_back(
        Closed{std::string(closed.id), closed.reason, closed.opened_at, closed.summary.messages, {}});
    for (const StreamHit& hit : closed.verdict.hits)
      c.hits.push_back(std::string(hit.rule.id));
  }

  std::vector<std::string> log;
  std::vector<Closed> closes;
};

class StreamRouterTest : public ::testing::Test {
 protected:
  StreamRouter& router(StreamLimits limits = {}) {
    router_.emplace(rules_, limits, recorder_);
    return *router_;
  }
  RouteResult write(std::string_view id, std::uint64_t seq, double ts, std::string_view text,
                    std::uint64_t position = 0) {
    return router_->write(id, {seq, ts, text}, position);
  }
  const std::vector<std::string>& log() const { return recorder_.log; }
  const std::vector<Recorder::Closed>& closes() const { return recorder_.closes; }

  std::shared_ptr<const CompiledRuleSet> rules_ = compile_or_fail(kRules);
  Recorder recorder_;
  std::optional<StreamRouter> router_;
};

using Log = std::vector<std::string>;

TEST_F(StreamRouterTest, EventsOfTwoStreamsAreRoutedApart) {
  router();
  write("a", 1, 0, "主播 加");
  write("b", 1, 0, "V");
  write("a", 2, 1, "V 谢谢");
  EXPECT_EQ(log(), (Log{"a 1", "b 1", "a 2 wechat"}));
}

TEST_F(StreamRouterTest, AMessageOpensItsStream) {
  router();
  EXPECT_EQ(write("a", 1, 0, "你好").status, RouteStatus::taken);
  EXPECT_EQ(router_->open_streams(), 1u);
}

TEST_F(StreamRouterTest, AStreamIdlePastTheTimeoutIsClosedAsIdleBeforeTheMessageThatShowsIt) {
  router({.idle_seconds = 10});
  write("a", 1, 0, "你好");
  write("b", 1, 5, "你好");
  write("b", 2, 11, "你好");
  EXPECT_EQ(log(), (Log{"a 1", "b 1", "a idle", "b 2"}));
}

TEST_F(StreamRouterTest, AStreamQuietForExactlyTheTimeoutStaysOpen) {
  router({.idle_seconds = 10});
  write("a", 1, 0, "你好");
  write("b", 1, 10, "你好");
  EXPECT_TRUE(closes().empty());
  EXPECT_EQ(router_->open_streams(), 2u);
}

TEST_F(StreamRouterTest, IdleStreamsCloseLeastRecentlyActiveFirst) {
  router({.idle_seconds = 10});
  write("a", 1, 2, "你好");
  write("b", 1, 1, "你好");
  write("c", 1, 30, "你好");
  EXPECT_EQ(log(), (Log{"a 1", "b 1", "b idle", "a idle", "c 1"}));
}

TEST_F(StreamRouterTest, AStreamOpenedBeforeAnyMessageCountsIdleTimeFromTheFirstMessage) {
  router({.idle_seconds = 10});
  router_->open("a", 0);
  write("b", 1, 1000, "你好");
  write("b", 2, 1010, "你好");
  EXPECT_TRUE(closes().empty());
  write("b", 3, 1011, "你好");
  EXPECT_EQ(log(), (Log{"b 1", "b 2", "a idle", "b 3"}));
}

TEST_F(StreamRouterTest, BeyondMaxStreamsTheLeastRecentlyActiveStreamIsEvicted) {
  router({.max_streams = 2});
  write("a", 1, 1, "你好");
  write("b", 1, 2, "你好");
  write("a", 2, 3, "你好");
  write("c", 1, 4, "你好");
  EXPECT_EQ(log(), (Log{"a 1", "b 1", "a 2", "b evicted", "c 1"}));
  EXPECT_EQ(router_->open_streams(), 2u);
}

TEST_F(StreamRouterTest, AnOpenBeyondMaxStreamsEvictsToo) {
  router({.max_streams = 1});
  write("a", 1, 1, "你好");
  EXPECT_EQ(router_->open("b", 0).status, RouteStatus::taken);
  EXPECT_EQ(log(), (Log{"a 1", "a evicted"}));
}

TEST_F(StreamRouterTest, AStreamReachingMaxMessagesIsClosedAfterTheVerdictOfItsLastMessage) {
  router({.max_messages = 2});
  write("a", 1, 0, "你好");
  write("a", 2, 1, "你好");
  EXPECT_EQ(log(), (Log{"a 1", "a 2", "a too_long"}));
  ASSERT_EQ(closes().size(), 1u);
  EXPECT_EQ(closes()[0].messages, 2u);
}

TEST_F(StreamRouterTest, AMessageAfterMaxMessagesOpensANewStream) {
  router({.max_messages = 2});
  write("a", 1, 0, "你好");
  write("a", 2, 1, "你好");
  EXPECT_EQ(write("a", 3, 2, "你好", 9).status, RouteStatus::taken);
  router_->close_all();
  ASSERT_EQ(closes().size(), 2u);
  EXPECT_EQ(closes()[1].messages, 1u);
  EXPECT_EQ(closes()[1].opened_at, 9u);
}

TEST_F(StreamRouterTest, CloseAllReportsEveryOpenStreamInTheOrderOpened) {
  router();
  write("b", 1, 0, "你好");
  write("c", 1, 1, "你好");
  write("a", 1, 2, "你好");
  write("b", 2, 3, "你好");
  router_->close_all();
  EXPECT_EQ(log(), (Log{"b 1", "c 1", "a 1", "b 2", "b end_of_input", "c end_of_input", "a end_of_input"}));
  EXPECT_EQ(router_->open_streams(), 0u);
}

TEST_F(StreamRouterTest, ClosingAStreamDecidesWhatWaitedForMoreText) {
  router();
  write("a", 1, 0, "我们 kaihe");
  EXPECT_EQ(router_->close("a", 2).status, RouteStatus::taken);
  EXPECT_EQ(log(), (Log{"a 1", "a closed"}));
  ASSERT_EQ(closes().size(), 1u);
  EXPECT_EQ(closes()[0].hits, std::vector<std::string>{"doxxing"});
}

TEST_F(StreamRouterTest, TheSummaryNamesThePositionOfTheEventThatOpenedTheStream) {
  router();
  router_->open("a", 3);
  write("a", 1, 0, "你好", 5);
  write("b", 1, 0, "你好", 6);
  router_->close_all();
  ASSERT_EQ(closes().size(), 2u);
  EXPECT_EQ(closes()[0].opened_at, 3u);
  EXPECT_EQ(closes()[1].opened_at, 6u);
}

TEST_F(StreamRouterTest, AMessageForAStreamEndedByCloseIsRefusedNamingTheClose) {
  router();
  write("a", 1, 0, "你好");
  router_->close("a", 7);
  RouteResult result = write("a", 2, 1, "你好");
  EXPECT_EQ(result.status, RouteStatus::was_closed);
  EXPECT_EQ(result.closed_at, 7u);
  EXPECT_EQ(log(), (Log{"a 1", "a closed"}));
}

TEST_F(StreamRouterTest, OpeningAStreamEndedByCloseStartsItAgain) {
  router();
  write("a", 1, 0, "你好");
  router_->close("a", 7);
  EXPECT_EQ(router_->open("a", 8).status, RouteStatus::taken);
  EXPECT_EQ(write("a", 1, 1, "你好").status, RouteStatus::taken);
}

TEST_F(StreamRouterTest, ClosingAStreamEndedByCloseIsRefusedNamingTheFirstClose) {
  router();
  write("a", 1, 0, "你好");
  router_->close("a", 7);
  RouteResult result = router_->close("a", 8);
  EXPECT_EQ(result.status, RouteStatus::was_closed);
  EXPECT_EQ(result.closed_at, 7u);
}

TEST_F(StreamRouterTest, OneMessageDatedFarAheadDoesNotCloseTheOtherStreamsAsIdle) {
  router({.idle_seconds = 600});
  write("a", 1, 0, "你好");
  write("b", 1, 0, "你好");
  write("x", 1, 1e15, "你好");
  EXPECT_EQ(write("a", 2, 10, "加").status, RouteStatus::taken);
  EXPECT_EQ(log(), (Log{"a 1", "b 1", "x 1", "a 2"}));
}

TEST_F(StreamRouterTest, TwoStreamsThatAgreeOnTheTimeMoveTheClock) {
  router({.idle_seconds = 600});
  write("a", 1, 0, "你好");
  write("b", 1, 0, "你好");
  write("b", 2, 5000, "你好");
  write("c", 1, 5001, "你好");
  EXPECT_EQ(log(), (Log{"a 1", "b 1", "b 2", "a idle", "c 1"}));
}

TEST_F(StreamRouterTest, AtMostMaxStreamsEndedStreamsAreRememberedTheOldestForgottenFirst) {
  router({.max_streams = 2});
  for (std::string id : {"a", "b", "c"}) {
    write(id, 1, 0, "你好");
    router_->close(id, 7);
  }
  EXPECT_EQ(write("a", 2, 1, "你好").status, RouteStatus::taken);  // forgotten: opened anew
  EXPECT_EQ(write("b", 2, 1, "你好").status, RouteStatus::was_closed);
  EXPECT_EQ(write("c", 2, 1, "你好").status, RouteStatus::was_closed);
}

TEST_F(StreamRouterTest, AStreamClosedAgainAfterReopeningIsRememberedByItsLatestClose) {
  router({.max_streams = 2});
  write("a", 1, 0, "你好");
  router_->close("a", 7);
  router_->open("a", 8);
  router_->close("a", 9);
  write("b", 1, 0, "你好");
  router_->close("b", 10);
  RouteResult result = write("a", 2, 1, "你好");
  EXPECT_EQ(result.status, RouteStatus::was_closed);
  EXPECT_EQ(result.closed_at, 9u);
}

TEST_F(StreamRouterTest, AStreamClosedByALimitIsOpenedAgainByItsNextMessage) {
  router({.idle_seconds = 10});
  write("a", 1, 0, "你好");
  write("b", 1, 20, "你好");
  EXPECT_EQ(write("a", 2, 21, "你好").status, RouteStatus::taken);
  EXPECT_EQ(log(), (Log{"a 1", "a idle", "b 1", "a 2"}));
}

TEST_F(StreamRouterTest, OpeningAnOpenStreamIsRefused) {
  router();
  write("a", 1, 0, "你好");
  EXPECT_EQ(router_->open("a", 2).status, RouteStatus::already_open);
}

TEST_F(StreamRouterTest, ClosingAStreamThatWasNeverOpenIsRefused) {
  router();
  EXPECT_EQ(router_->close("a", 1).status, RouteStatus::not_open);
  EXPECT_TRUE(log().empty());
}

TEST_F(StreamRouterTest, AMessageTheScannerRefusesIsReportedWithItsReasonAndNotScanned) {
  router();
  write("a", 5, 0, "你好");
  RouteResult result = write("a", 4, 1, "开盒");
  EXPECT_EQ(result.status, RouteStatus::refused);
  EXPECT_EQ(result.refusal, "out of order: seq 4 does not follow the stream's last seq 5");
  EXPECT_EQ(log(), (Log{"a 5"}));
}

TEST_F(StreamRouterTest, RestrictedCategoriesApplyToEveryStream) {
  router();
  CategorySet minor_mode;
  minor_mode.insert(Category::minor_mode);
  router_->restrict_to(minor_mode);
  write("a", 1, 0, "开盒");
  write("b", 1, 0, "加微信");
  EXPECT_EQ(log(), (Log{"a 1", "b 1"}));
}

TEST(StreamCloseReason, IsNamedAsTheStreamOutputWritesIt) {
  EXPECT_EQ(to_string(StreamCloseReason::closed), "closed");
  EXPECT_EQ(to_string(StreamCloseReason::idle), "idle");
  EXPECT_EQ(to_string(StreamCloseReason::too_long), "too_long");
  EXPECT_EQ(to_string(StreamCloseReason::evicted), "evicted");
  EXPECT_EQ(to_string(StreamCloseReason::end_of_input), "end_of_input");
}

}  // namespace
}  // namespace qinglang
