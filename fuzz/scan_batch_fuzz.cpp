// Scanning on any bytes, each line one record (JSON, or the line as text when it is not JSON): a batch scan
// gives every record the verdict a scan of it alone gives, and every verdict line is JSON.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "qinglang/json.h"
#include "qinglang/scanner.h"
#include "scan_rules.h"

namespace {

std::shared_ptr<const qinglang::CompiledRuleSet> rules;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  rules = qinglang::fuzz::scan_rules();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static qinglang::Scanner scanner(rules);
  static qinglang::JsonRecordParser parser;
  std::vector<qinglang::Record> records;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty()) {
    std::size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    records.emplace_back();
    if (!parser.parse(line, records.back()).empty()) records.back() = qinglang::Record::from_text(line);
  }
  std::vector<std::string> alone;
  for (const qinglang::Record& record : records) {
    std::string line;
    qinglang::append_verdict_json(line, record, scanner.scan(record));
    alone.push_back(std::move(line));
  }
  const std::vector<qinglang::Verdict>& verdicts = scanner.scan_batch(records);
  FUZZ_CHECK(verdicts.size() == records.size());
  qinglang::Record reread;
  for (std::size_t i = 0; i < records.size(); ++i) {
    std::string line;
    qinglang::append_verdict_json(line, records[i], verdicts[i]);
    FUZZ_CHECK(line == alone[i]);
    FUZZ_CHECK(parser.parse(line, reread).empty());
  }
  return 0;
}
