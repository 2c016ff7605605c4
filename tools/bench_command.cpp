#include "bench_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <span>
#include <vector>

#include "qinglang/json.h"
#include "qinglang/scanner.h"

namespace qinglang::cli {
namespace {

// Up to `limit` records of a JSONL (or, with text_lines, plain text) file; lines that are not records are
// skipped. False when the file cannot be read.
bool read_sample(const BenchSettings& settings, std::vector<Record>& sample, std::size_t& bytes) {
  std::ifstream in(settings.sample, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "qinglang: cannot open %s\n", settings.sample.c_str());
    return false;
  }
  JsonRecordParser parser;
  Record record;
  for (std::string line; sample.size() < settings.limit && std::getline(in, line);) {
    if (settings.text_lines) {
      sample.push_back(Record::from_text(line));
    } else if (parser.parse(line, record).empty()) {
      sample.push_back(record);
    } else {
      continue;
    }
    bytes += line.size();
  }
  return true;
}

// Compile (or cached load) time, then the scan rate over batches of the sample, repeated for at least a
// second.
int measure_scan_rate(const RuleSource& source, const std::vector<Record>& sample, std::size_t bytes) {
  std::shared_ptr<const CompiledRuleSet> rules = load_rules_and_report(source);
  if (!rules) return 1;
  Scanner scanner(rules);
  constexpr std::size_t kBatch = 1024;
  std::size_t passes = 0, flagged = 0;
  auto started = std::chrono::steady_clock::now();
  double seconds = 0;
  while (seconds < 1.0 || passes == 0) {
    for (std::size_t i = 0; i < sample.size(); i += kBatch) {
      std::span<const Record> batch(sample.data() + i, std::min(kBatch, sample.size() - i));
      for (const Verdict& verdict : scanner.scan_batch(batch))
        flagged += passes == 0 && verdict.decision != Decision::pass;
    }
    ++passes;
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  const DatabaseStats& stats = rules->stats();
  double records = static_cast<double>(sample.size() * passes);
  std::fputs(fmt::format("{} records ({:.1f} MB), {} flagged\n{:<18}{:.0f} ms\n{:<18}{:.0f} records/s, "
                         "{:.1f} MB/s ({} passes)\n",
                         sample.size(), static_cast<double>(bytes) / 1e6, flagged,
                         stats.from_cache ? "cached load" : "compile", stats.compile_milliseconds, "scan",
                         records / seconds, static_cast<double>(bytes * passes) / 1e6 / seconds, passes)
                 .c_str(),
             stdout);
  return 0;
}

// Ranks the rules by what each costs alone on the sample, most expensive first.
int profile_each_rule(const RuleSource& source, const std::vector<Record>& sample, std::size_t bytes) {
  std::vector<std::filesystem::path> paths(source.paths.begin(), source.paths.end());
  RuleProfile profile = profile_rules(paths, sample);
  for (const Diagnostic& d : profile.diagnostics)
    if (d.level == DiagnosticLevel::error) std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
  if (has_errors(profile.diagnostics)) return 1;
  double sum = 0;
  for (const RuleCost& cost : profile.rules)
    sum += cost.scan_milliseconds;
  std::string out = fmt::format(
      "{} records ({:.1f} MB). All rules together: compile {:.0f} ms, scan {:.1f} ms; no rules: {:.1f} ms.\n"
      "Each rule alone, beyond that baseline (costs do not add up, since Hyperscan shares work within a\n"
      "database: read them as a ranking):\n\n"
      "'anchored': records where an anchor of the rule matched, so its other patterns were scanned too;\n"
      "far more than 'records' (where it fired) suggests marking a rarer part with anchor: true.\n\n"
      "{:>9} {:>7} {:>9} {:>11} {:>8} {:>9}  {}\n",
      sample.size(), static_cast<double>(bytes) / 1e6, profile.all_rules_compile_milliseconds,
      profile.all_rules_scan_milliseconds, profile.baseline_scan_milliseconds, "scan ms", "share", "compile",
      "db bytes", "records", "anchored", "rule (item)");
  for (const RuleCost& cost : profile.rules)
    out += fmt::format("{:>9.1f} {:>6.1f}% {:>9.1f} {:>11} {:>8} {:>9}  {} ({})\n", cost.scan_milliseconds,
                       sum > 0 ? 100 * cost.scan_milliseconds / sum : 0.0, cost.compile_milliseconds,
                       cost.database_bytes, cost.records_hit, cost.records_anchored, cost.rule.id,
                       cost.rule.item);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace

int run_bench(const RuleSource& source, const BenchSettings& settings) {
  std::vector<Record> sample;
  std::size_t bytes = 0;
  if (!read_sample(settings, sample, bytes)) return 2;
  return settings.profile ? profile_each_rule(source, sample, bytes)
                          : measure_scan_rate(source, sample, bytes);
}

}  // namespace qinglang::cli
