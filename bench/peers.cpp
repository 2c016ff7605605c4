// Matchers side by side on the same text and the same word list, for bench/compare_peers.sh:
//   peers qinglang WORDS TEXT   Qinglang's matcher through the public API (a rule of the words, raw view)
//   peers re2set WORDS TEXT     RE2::Set with the words as escaped literals
// Each prints: compile seconds, scan seconds, text bytes, lines, lines with a match.
#include <re2/re2.h>
#include <re2/set.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "qinglang/rules.h"
#include "qinglang/scanner.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::string> read_lines(const char* path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

void report(double compile, double scan, const std::vector<std::string>& text, std::size_t matched) {
  std::size_t bytes = 0;
  for (const std::string& line : text)
    bytes += line.size() + 1;
  std::printf("%.3f %.3f %zu %zu %zu\n", compile, scan, bytes, text.size(), matched);
}

int run_qinglang(const std::vector<std::string>& words, const std::vector<std::string>& text) {
  std::string yaml =
      "rules:\n  - id: lexicon\n    category: social\n    item: 7\n    title: lexicon\n"
      "    severity: low\n    action: review\n    match:\n      words:\n";
  for (const std::string& w : words) {
    std::string quoted;
    for (char c : w)
      quoted += c == '\'' ? std::string("''") : std::string(1, c);
    yaml += "        - '" + quoted + "'\n";
  }
  qinglang::CompileOptions options;
  options.normalize = false;
  auto start = Clock::now();
  qinglang::CompileResult compiled = qinglang::compile_rules_from_yaml(yaml, "lexicon.yaml", options);
  double compile = seconds_since(start);
  if (!compiled.ok()) {
    for (const auto& d : compiled.diagnostics)
      std::fprintf(stderr, "%s\n", qinglang::format_diagnostic(d).c_str());
    return 1;
  }
  std::vector<qinglang::Record> records;
  for (const std::string& line : text)
    records.push_back(qinglang::Record::from_text(line));
  qinglang::Scanner scanner(compiled.rules);
  start = Clock::now();
  std::size_t matched = 0;
  constexpr std::size_t kBatch = 1000;
  for (std::size_t i = 0; i < records.size(); i += kBatch) {
    auto batch = std::span<const qinglang::Record>(records).subspan(i, std::min(kBatch, records.size() - i));
    for (const qinglang::Verdict& v : scanner.scan_batch(batch))
      matched += !v.hits.empty();
  }
  report(compile, seconds_since(start), text, matched);
  return 0;
}

int run_re2set(const std::vector<std::string>& words, const std::vector<std::string>& text) {
  RE2::Options options;
  options.set_max_mem(std::int64_t{4} << 30);  // the default 8 MiB budget silently fails large sets
  options.set_case_sensitive(false);
  options.set_literal(true);
  RE2::Set set(options, RE2::UNANCHORED);
  auto start = Clock::now();
  for (const std::string& w : words) {
    std::string error;
    if (set.Add(w, &error) < 0) {
      std::fprintf(stderr, "re2: cannot add '%s': %s\n", w.c_str(), error.c_str());
      return 1;
    }
  }
  if (!set.Compile()) {
    std::fprintf(stderr, "re2: compile failed\n");
    return 1;
  }
  double compile = seconds_since(start);
  start = Clock::now();
  std::size_t matched = 0;
  std::vector<int> hits;
  RE2::Set::ErrorInfo error;
  for (const std::string& line : text) {
    if (set.Match(line, &hits, &error)) {
      ++matched;
    } else if (error.kind != RE2::Set::kNoError) {
      std::fprintf(stderr, "re2: match failed (out of memory for its DFA)\n");
      return 1;
    }
  }
  report(compile, seconds_since(start), text, matched);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: peers qinglang|re2set WORDS TEXT\n");
    return 2;
  }
  std::vector<std::string> words = read_lines(argv[2]), text = read_lines(argv[3]);
  std::string mode = argv[1];
  if (mode == "qinglang") return run_qinglang(words, text);
  if (mode == "re2set") return run_re2set(words, text);
  std::fprintf(stderr, "unknown matcher %s\n", argv[1]);
  return 2;
}
