// What a Scanner (scanner.h) holds: the rules, and the per-thread parts that scan records and streams with
// them.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "qinglang/record.h"
#include "qinglang/rules.h"
#include "qinglang/scanner.h"
#include "scan/evaluator.h"
#include "scan/matcher.h"
#include "scan/stream_writer.h"

namespace qinglang::detail {

class ScannerCore {
 public:
  explicit ScannerCore(std::shared_ptr<const CompiledRuleSet> rules);

  void restrict_to(CategorySet categories);
  // Matches the records, then evaluates each over its matches: verdicts()[i] belongs to records[i].
  void scan_batch(std::span<const Record> records);
  const std::vector<Verdict>& verdicts() const { return verdicts_; }
  const StreamVerdict& write(StreamState& stream, const StreamMessage& message, bool closing) {
    return streams_.write(stream, message, closing, matcher_, evaluator_);
  }
  const CompiledRuleSet& rules() const { return *rules_; }

 private:
  std::shared_ptr<const CompiledRuleSet> rules_;
  Matcher matcher_;
  Evaluator evaluator_;
  StreamWriter streams_;
  std::vector<Verdict> verdicts_;
};

}  // namespace qinglang::detail
