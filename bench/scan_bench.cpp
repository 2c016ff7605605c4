// Scan cost with the bundled rules: a short post (the common case) and a 1 MB document. Text comes from the
// real Weibo corpus in ../shared/data when present, otherwise from a fixed sentence.
#include <benchmark/benchmark.h>

#include <fstream>
#include <string>
#include <vector>

#include "qinglang/rules.h"
#include "qinglang/scanner.h"

namespace {

using namespace qinglang;

std::shared_ptr<const CompiledRuleSet> bundled_rules() {
  static std::shared_ptr<const CompiledRuleSet> rules = compile_rules({QINGLANG_RULES_DIR}).rules;
  return rules;
}

// Up to `limit` posts of the Weibo corpus (its second column).
std::vector<std::string> weibo_posts(std::size_t limit) {
  std::vector<std::string> posts;
  std::ifstream in(std::string(QINGLANG_SHARED_DATA) + "/ugc/weibo_ced_texts.tsv");
  for (std::string line; posts.size() < limit && std::getline(in, line);) {
    std::size_t tab = line.find('\t');
    if (tab != std::string::npos) posts.push_back(line.substr(tab + 1));
  }
  if (posts.empty()) posts.push_back("今天和同学一起去图书馆复习，晚上回家做作业，周末准备去公园散步。");
  return posts;
}

void BM_ScanShortPost(benchmark::State& state) {
  auto rules = bundled_rules();
  if (!rules) return state.SkipWithError("bundled rules do not compile");
  static const std::vector<std::string> posts = weibo_posts(10000);
  std::vector<Record> records;
  for (const std::string& post : posts)
    records.push_back(Record::from_text(post));
  Scanner scanner(rules);
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const Record& record = records[i++ % records.size()];
    benchmark::DoNotOptimize(scanner.scan(record).decision);
    bytes += record.field(0).text.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScanShortPost);

void BM_ScanOneMegabyteDocument(benchmark::State& state) {
  auto rules = bundled_rules();
  if (!rules) return state.SkipWithError("bundled rules do not compile");
  std::string document;
  for (const std::string& post : weibo_posts(100000)) {
    if (document.size() >= (1 << 20)) break;
    document += post;
    document += '\n';
  }
  while (document.size() < (1 << 20))
    document += document;
  Record record = Record::from_text(document);
  Scanner scanner(rules);
  for (auto _ : state)
    benchmark::DoNotOptimize(scanner.scan(record).decision);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(document.size()));
}
BENCHMARK(BM_ScanOneMegabyteDocument)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
