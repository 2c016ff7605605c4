// Matchers side by side on the same text and the same word list, for bench/compare_peers.sh:
//   peers qinglang WORDS TEXT [CACHE]   Qinglang's matcher through the public API (a rule of the words, raw
//                               view); with CACHE, the databases loaded from a cache file instead of compiled
//   peers re2set WORDS TEXT     RE2::Set with the words as escaped literals
//   peers rules RULES_DIR TEXT  the bundled rule sets as written, without normalization: Qinglang (their
//                               words and regexes matched, rules evaluated), then Hyperscan alone given the
//                               same words and regexes (line by line, then the whole text in one call), then
//                               RE2::Set given them too
// Each prints: compile seconds, scan seconds, text bytes, lines, lines with a match (rules: a line for each;
// Hyperscan's whole-text call: the matches it reported).
#include <hs/hs.h>
#include <re2/re2.h>
#include <re2/set.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "qinglang/compiler.h"
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

// Scans the lines as records, in batches, and reports the lines on which some rule fired.
void scan_and_report(const std::shared_ptr<const qinglang::CompiledRuleSet>& rules, double compile,
                     const std::vector<std::string>& text) {
  std::vector<qinglang::Record> records;
  for (const std::string& line : text)
    records.push_back(qinglang::Record::from_text(line));
  qinglang::Scanner scanner(rules);
  auto start = Clock::now();
  std::size_t flagged = 0;
  constexpr std::size_t kBatch = 1000;
  for (std::size_t i = 0; i < records.size(); i += kBatch) {
    auto batch = std::span<const qinglang::Record>(records).subspan(i, std::min(kBatch, records.size() - i));
    for (const qinglang::Verdict& v : scanner.scan_batch(batch))
      flagged += !v.hits.empty();
  }
  report(compile, seconds_since(start), text, flagged);
}

// With a cache file, the databases are compiled into it first (not timed), then loaded from it (timed): what
// a worker that starts often pays.
int run_qinglang(const std::vector<std::string>& words, const std::vector<std::string>& text,
                 const char* cache_file) {
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
  if (cache_file != nullptr) {
    options.cache_file = cache_file;
    qinglang::compile_rules_from_yaml(yaml, "lexicon.yaml", options);
  }
  auto start = Clock::now();
  qinglang::CompileResult compiled = qinglang::compile_rules_from_yaml(yaml, "lexicon.yaml", options);
  double compile = seconds_since(start);
  if (!compiled.ok()) {
    for (const auto& d : compiled.diagnostics)
      std::fprintf(stderr, "%s\n", qinglang::format_diagnostic(d).c_str());
    return 1;
  }
  scan_and_report(compiled.rules, compile, text);
  return 0;
}

int run_re2set(const std::vector<std::string>& words, const std::vector<std::string>& text,
               bool literal_words = true) {
  RE2::Options options;
  options.set_max_mem(std::int64_t{4} << 30);  // the default 8 MiB budget silently fails large sets
  options.set_case_sensitive(!literal_words);
  options.set_literal(literal_words);
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

int count_match(unsigned, unsigned long long, unsigned long long, unsigned, void* count) {
  ++*static_cast<std::size_t*>(count);
  return 0;
}

// Hyperscan with nothing around it: the ceiling for any matcher built on it. Every pattern is compiled
// with HS_FLAG_SINGLEMATCH and each line's scan stops at its first match, which is all the question needs;
// then the whole text is scanned in one call, so that no per-call cost is paid either.
int run_hyperscan(const std::vector<std::string>& patterns, const std::vector<std::string>& text) {
  std::vector<const char*> expressions;
  std::vector<unsigned> flags(patterns.size(), HS_FLAG_UTF8 | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY);
  std::vector<unsigned> ids;  // one each: HS_FLAG_SINGLEMATCH counts per id
  for (const std::string& p : patterns) {
    ids.push_back(static_cast<unsigned>(expressions.size()));
    expressions.push_back(p.c_str());
  }
  hs_database_t* database = nullptr;
  hs_compile_error_t* error = nullptr;
  auto start = Clock::now();
  if (hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr, &database,
                       &error) != HS_SUCCESS) {
    std::fprintf(stderr, "hyperscan: pattern %d: %s\n", error->expression, error->message);
    hs_free_compile_error(error);
    return 1;
  }
  double compile = seconds_since(start);
  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(database, &scratch) != HS_SUCCESS) return 1;
  auto stop_at_first = [](unsigned, unsigned long long, unsigned long long, unsigned, void*) { return 1; };
  start = Clock::now();
  std::size_t matched = 0;
  for (const std::string& line : text) {
    hs_error_t scanned = hs_scan(database, line.data(), static_cast<unsigned>(line.size()), 0, scratch,
                                 stop_at_first, nullptr);
    if (scanned == HS_SCAN_TERMINATED) {
      ++matched;
    } else if (scanned != HS_SUCCESS) {
      std::fprintf(stderr, "hyperscan: scan failed (%d)\n", scanned);
      return 1;
    }
  }
  report(compile, seconds_since(start), text, matched);
  std::string whole;
  for (const std::string& line : text)
    whole.append(line).push_back('\n');
  std::size_t matches = 0;
  start = Clock::now();
  if (hs_scan(database, whole.data(), static_cast<unsigned>(whole.size()), 0, scratch, count_match,
              &matches) != HS_SUCCESS)
    return 1;
  report(compile, seconds_since(start), text, matches);
  hs_free_scratch(scratch);
  hs_free_database(database);
  return 0;
}

// The words (as literal regexes) and regexes of every `words`, `words_file` and `regex` pattern under `node`.
void collect_patterns(const YAML::Node& node, const std::filesystem::path& dir,
                      std::vector<std::string>& out) {
  if (node.IsSequence()) {
    for (const YAML::Node& child : node)
      collect_patterns(child, dir, out);
    return;
  }
  if (!node.IsMap()) return;
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    if (key == "words") {
      for (const YAML::Node& word : value)
        out.push_back(RE2::QuoteMeta(word.Scalar()));
    } else if (key == "words_file") {
      for (const std::string& word : read_lines((dir / value.Scalar()).c_str()))
        out.push_back(RE2::QuoteMeta(word));
    } else if (key == "regex") {
      if (value.IsSequence()) {
        for (const YAML::Node& regex : value)
          out.push_back(regex.Scalar());
      } else {
        out.push_back(value.Scalar());
      }
    } else if (value.IsMap() || value.IsSequence()) {
      collect_patterns(value, dir, out);
    }
  }
}

int run_rules(const char* dir, const std::vector<std::string>& text) {
  std::vector<std::string> patterns;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    if (file.path().extension() != ".yaml") continue;
    for (const YAML::Node& rule : YAML::LoadFile(file.path().string())["rules"]) {
      for (const char* key : {"match", "unless"})
        if (YAML::Node pattern = rule[key]) collect_patterns(pattern, dir, patterns);
    }
  }
  qinglang::CompileOptions options;
  options.normalize = false;
  auto start = Clock::now();
  qinglang::CompileResult compiled = qinglang::compile_rules({dir}, options);
  double compile = seconds_since(start);
  if (!compiled.ok()) return 1;
  scan_and_report(compiled.rules, compile, text);
  std::fprintf(stderr, "%zu patterns\n", patterns.size());
  if (int failed = run_hyperscan(patterns, text); failed != 0) return failed;
  return run_re2set(patterns, text, /*literal_words=*/false);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && !(argc == 5 && std::string(argv[1]) == "qinglang")) {
    std::fprintf(
        stderr,
        "usage: peers qinglang WORDS TEXT [CACHE], peers re2set WORDS TEXT, peers rules RULES_DIR TEXT\n");
    return 2;
  }
  std::string mode = argv[1];
  std::vector<std::string> words = mode == "rules" ? std::vector<std::string>{} : read_lines(argv[2]);
  std::vector<std::string> text = read_lines(argv[3]);
  if (mode == "qinglang") return run_qinglang(words, text, argc == 5 ? argv[4] : nullptr);
  if (mode == "re2set") return run_re2set(words, text);
  if (mode == "rules") return run_rules(argv[2], text);
  std::fprintf(stderr, "unknown matcher %s\n", argv[1]);
  return 2;
}
