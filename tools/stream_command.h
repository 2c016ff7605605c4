// `qinglang scan --stream`: JSONL events of many live streams, interleaved, in; a line per event out as soon
// as it is decided, and a summary line per stream when it is closed, idles out, grows too long or the input
// ends.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "qinglang/rules.h"
#include "qinglang/stream_router.h"

namespace qinglang::cli {

struct StreamSettings {
  std::vector<std::string> inputs;  // files; empty or "-" reads standard input
  CategorySet categories = CategorySet::all();
  StreamLimits limits;
  std::size_t max_record_bytes = 1 << 20;
  bool summary = false;  // totals on standard error
};

// Returns the process exit status: 0 when every event was taken, 1 when an event or an input had an error.
int run_stream_scan(std::shared_ptr<const CompiledRuleSet> rules, const StreamSettings& settings);

}  // namespace qinglang::cli
