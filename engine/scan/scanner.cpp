// The record path: a batch of records is matched at once (matcher.h), then each record is evaluated over its
// own matches (evaluator.h).
#include "qinglang/scanner.h"

#include "scan/scanner_core.h"

namespace qinglang {
namespace detail {

ScannerCore::ScannerCore(std::shared_ptr<const CompiledRuleSet> rules)
    : rules_(std::move(rules)),
      matcher_(detail::data_of(*rules_)),
      evaluator_(detail::data_of(*rules_)),
      streams_(detail::data_of(*rules_)) {}

void ScannerCore::restrict_to(CategorySet categories) {
  matcher_.restrict_to(categories);
  evaluator_.restrict_to(categories);
}

void ScannerCore::scan_batch(std::span<const Record> records) {
  verdicts_.resize(records.size());
  for (Verdict& v : verdicts_) {
    v.decision = Decision::pass;
    v.categories = CategorySet();
    v.hits.clear();
    v.extracted.clear();
    v.error = {};
  }
  if (!matcher_.ready()) {
    for (Verdict& v : verdicts_)
      v.error = "could not allocate Hyperscan scratch space";
    return;
  }
  matcher_.match_batch(records);
  for (std::size_t r = 0; r < records.size(); ++r)
    evaluator_.evaluate_record(records[r], matcher_.record_events(r), verdicts_[r], matcher_.gate_scores(r),
                               matcher_.gate_states(r));
}

}  // namespace detail

Scanner::Scanner(std::shared_ptr<const CompiledRuleSet> rules)
    : core_(std::make_unique<detail::ScannerCore>(std::move(rules))) {}
Scanner::~Scanner() = default;
Scanner::Scanner(Scanner&&) noexcept = default;
Scanner& Scanner::operator=(Scanner&&) noexcept = default;

void Scanner::restrict_to(CategorySet categories) noexcept {
  core_->restrict_to(categories);
}

const Verdict& Scanner::scan(const Record& record) noexcept {
  core_->scan_batch(std::span<const Record>(&record, 1));
  return core_->verdicts()[0];
}

const std::vector<Verdict>& Scanner::scan_batch(std::span<const Record> records) noexcept {
  core_->scan_batch(records);
  return core_->verdicts();
}

const StreamVerdict& Scanner::write(Stream& stream, const StreamMessage& message) noexcept {
  return core_->write(*stream.state_, message, false);
}

const StreamVerdict& Scanner::close(Stream& stream) noexcept {
  return core_->write(*stream.state_, {}, true);
}

const CompiledRuleSet& Scanner::rules() const noexcept {
  return core_->rules();
}

}  // namespace qinglang
