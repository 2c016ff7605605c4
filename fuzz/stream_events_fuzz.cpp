// Lines of `scan --stream` input on any bytes: each read as JSON, then as an event, then routed to its
// stream, as the command does, with small limits so that idle, too long and evicted streams come often. Never
// a crash; every message the router takes gets exactly one verdict, no more streams are open than the limit,
// and none is left open at the end.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "qinglang/json.h"
#include "qinglang/stream_router.h"
#include "scan_rules.h"
#include "stream_events.h"

namespace {

struct Counts final : qinglang::StreamListener {
  std::size_t verdicts = 0;
  void message_scanned(std::string_view, const qinglang::StreamVerdict&) override { ++verdicts; }
  void stream_closed(const qinglang::ClosedStream& closed) override {
    FUZZ_CHECK(closed.reason != qinglang::StreamCloseReason::too_long || closed.summary.messages == 4);
  }
};

std::shared_ptr<const qinglang::CompiledRuleSet> rules;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  rules = qinglang::fuzz::scan_rules();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static qinglang::JsonRecordParser parser;
  static qinglang::Record record;
  Counts counts;
  qinglang::StreamLimits limits{.idle_seconds = 30, .max_clock_skew = 5, .max_messages = 4, .max_streams = 3};
  qinglang::StreamRouter router(rules, limits, counts);
  std::size_t taken = 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (std::uint64_t number = 1; !input.empty(); ++number) {
    std::size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    qinglang::cli::Event event;
    if (!parser.parse(line, record).empty() || !qinglang::cli::read_event(record, event).empty()) continue;
    qinglang::RouteResult result;
    switch (event.type) {
      case qinglang::cli::Event::Type::open:
        result = router.open(event.stream, number);
        break;
      case qinglang::cli::Event::Type::close:
        result = router.close(event.stream, number);
        break;
      case qinglang::cli::Event::Type::message:
        std::size_t verdicts = counts.verdicts;
        result = router.write(event.stream, {static_cast<std::uint64_t>(*event.seq), *event.ts, *event.text},
                              number);
        FUZZ_CHECK(counts.verdicts == verdicts + (result.status == qinglang::RouteStatus::taken ? 1 : 0));
        taken += result.status == qinglang::RouteStatus::taken;
        break;
    }
    FUZZ_CHECK(router.open_streams() <= limits.max_streams);
  }
  router.close_all();
  FUZZ_CHECK(router.open_streams() == 0);
  FUZZ_CHECK(counts.verdicts == taken);
  return 0;
}
