// `qinglang scan --stream`: JSONL events of many live streams, interleaved, in; a line per event out as soon
// as it is decided, and a summary line per stream when it is closed, idles out, grows too long or the input
// ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "qinglang/rules.h"

namespace qinglang::cli {

struct StreamSettings {
  std::vector<std::string> inputs;  // files; empty or "-" reads standard input
  CategorySet categories = CategorySet::all();
  double idle_seconds = 600;             // a stream with no message for this long (event time) is closed
  std::uint64_t max_messages = 1000000;  // a stream with this many messages is closed (a new one may follow)
  std::size_t max_streams = 100000;      // beyond this many open streams, the least recently active is closed
  std::size_t max_record_bytes = 1 << 20;
  bool summary = false;  // totals on standard error
};

// Returns the process exit status: 0 when every event was taken, 1 when an event or an input had an error.
int run_stream_scan(std::shared_ptr<const CompiledRuleSet> rules, const StreamSettings& settings);

}  // namespace qinglang::cli
