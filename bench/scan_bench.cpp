// Scan cost with the bundled rules, on real Weibo text from ../shared/data when present (a fixed sentence
// otherwise): the normalizer alone, a short post (the common case) and a 1 MB document, each with and without
// normalization, so the cost of seeing through evasions is a ratio measured in the same run; then each
// category's rule set compiled alone, so its share of the cost shows.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "qinglang/compiler.h"
#include "qinglang/scanner.h"
#include "text/normalizer.h"

namespace {

using namespace qinglang;

// Compiled once per machine: the cache keeps compilation out of the measurements and out of profiles.
std::shared_ptr<const CompiledRuleSet> compiled(const std::string& rules, bool normalize,
                                                const std::string& cache_name) {
  static std::map<std::string, std::shared_ptr<const CompiledRuleSet>> done;
  std::shared_ptr<const CompiledRuleSet>& slot = done[cache_name];
  if (!slot) {
    CompileOptions options;
    options.normalize = normalize;
    options.cache_file = std::filesystem::temp_directory_path() / cache_name;
    slot = compile_rules({rules}, options).rules;
  }
  return slot;
}

std::shared_ptr<const CompiledRuleSet> bundled_rules(bool normalize) {
  return compiled(QINGLANG_RULES_DIR, normalize,
                  normalize ? "qinglang_bench_normalized.cache" : "qinglang_bench_raw.cache");
}

// Up to `limit` posts of the Weibo corpus (its second column).
const std::vector<std::string>& weibo_posts() {
  static const std::vector<std::string> posts = [] {
    std::vector<std::string> result;
    std::ifstream in(std::string(QINGLANG_SHARED_DATA) + "/ugc/weibo_ced_texts.tsv");
    for (std::string line; result.size() < 200000 && std::getline(in, line);) {
      std::size_t tab = line.find('\t');
      if (tab != std::string::npos) result.push_back(line.substr(tab + 1));
    }
    if (result.empty()) result.push_back("今天和同学一起去图书馆复习，晚上回家做作业，周末准备去公园散步。");
    return result;
  }();
  return posts;
}

std::string one_megabyte_document() {
  std::string document;
  for (const std::string& post : weibo_posts()) {
    if (document.size() >= (1 << 20)) break;
    document += post;
    document += '\n';
  }
  while (document.size() < (1 << 20))
    document += document;
  return document;
}

void BM_Normalize(benchmark::State& state) {
  std::string document = one_megabyte_document();
  detail::ViewText folded, skeleton;
  for (auto _ : state) {
    folded.size = skeleton.size = 0;  // normalize appends
    detail::Normalizer::instance().normalize(document, folded, skeleton);
    benchmark::DoNotOptimize(skeleton.text().data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(document.size()));
}
BENCHMARK(BM_Normalize)->Unit(benchmark::kMillisecond);

void BM_ScanShortPost(benchmark::State& state) {
  auto rules = bundled_rules(state.range(0) != 0);
  if (!rules) return state.SkipWithError("bundled rules do not compile");
  std::vector<Record> records;
  for (std::size_t i = 0; i < 10000 && i < weibo_posts().size(); ++i)
    records.push_back(Record::from_text(weibo_posts()[i]));
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
BENCHMARK(BM_ScanShortPost)->ArgName("normalize")->Arg(0)->Arg(1);

// 10,000 posts, 1,000 per call: what `qinglang scan` does.
void scan_posts_in_batches(benchmark::State& state, std::shared_ptr<const CompiledRuleSet> rules) {
  if (!rules) return state.SkipWithError("the rules do not compile");
  std::vector<Record> records;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < 10000 && i < weibo_posts().size(); ++i) {
    records.push_back(Record::from_text(weibo_posts()[i]));
    bytes += weibo_posts()[i].size();
  }
  Scanner scanner(rules);
  constexpr std::size_t kBatch = 1000;
  for (auto _ : state)
    for (std::size_t i = 0; i < records.size(); i += kBatch)
      benchmark::DoNotOptimize(scanner.scan_batch(
          std::span<const Record>(records).subspan(i, std::min(kBatch, records.size() - i))));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(records.size()));
}

void BM_ScanShortPostsInBatches(benchmark::State& state) {
  scan_posts_in_batches(state, bundled_rules(state.range(0) != 0));
}
BENCHMARK(BM_ScanShortPostsInBatches)->ArgName("normalize")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// One category's rule file alone, normalized, over the same batches: the six together share each view's scan,
// so they cost less than the sum of these.
void BM_ScanShortPostsInBatchesOneCategory(benchmark::State& state) {
  std::string category(to_string(kAllCategories[static_cast<std::size_t>(state.range(0))]));
  state.SetLabel(category);
  scan_posts_in_batches(state, compiled(std::string(QINGLANG_RULES_DIR) + "/" + category + ".yaml", true,
                                        "qinglang_bench_" + category + ".cache"));
}
BENCHMARK(BM_ScanShortPostsInBatchesOneCategory)
    ->ArgName("category")
    ->DenseRange(0, static_cast<int>(kAllCategories.size()) - 1)
    ->Unit(benchmark::kMillisecond);

void BM_ScanOneMegabyteDocument(benchmark::State& state) {
  auto rules = bundled_rules(state.range(0) != 0);
  if (!rules) return state.SkipWithError("bundled rules do not compile");
  Record record = Record::from_text(one_megabyte_document());
  Scanner scanner(rules);
  for (auto _ : state)
    benchmark::DoNotOptimize(scanner.scan(record).decision);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(record.field(0).text.size()));
}
BENCHMARK(BM_ScanOneMegabyteDocument)->ArgName("normalize")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
