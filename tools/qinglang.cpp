// The `qinglang` command: scan, test and compile rule sets. Uses only the public API.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <span>
#include <thread>

#include "eval_command.h"
#include "qinglang/json.h"
#include "qinglang/normalize.h"
#include "qinglang/rules.h"
#include "qinglang/scanner.h"
#include "qinglang/stream.h"
#include "qinglang/taxonomy.h"
#include "scan_command.h"
#include "stream_command.h"

namespace {

using namespace qinglang;

// Compiles the rules and prints every diagnostic to standard error; nullptr when there was an error.
// The rule paths and the optional database cache, shared by every subcommand.
struct RuleSource {
  std::vector<std::string> paths{QINGLANG_DEFAULT_RULES};
  std::string cache_file;
};

std::shared_ptr<const CompiledRuleSet> compile_and_report(const RuleSource& source) {
  std::vector<std::filesystem::path> paths(source.paths.begin(), source.paths.end());
  CompileOptions options;
  options.cache_file = source.cache_file;
  CompileResult result = compile_rules(paths, options);
  for (const Diagnostic& d : result.diagnostics)
    std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
  if (!result.ok()) {
    std::size_t errors = std::count_if(result.diagnostics.begin(), result.diagnostics.end(),
                                       [](const Diagnostic& d) { return d.level == DiagnosticLevel::error; });
    std::fprintf(stderr, "qinglang: %zu error%s in the rules\n", errors, errors == 1 ? "" : "s");
  }
  return result.rules;
}

// What a stream holds once its window counts and recent lines are full: the figure to size a service by.
std::size_t measured_stream_state(const std::shared_ptr<const CompiledRuleSet>& rules) {
  Scanner scanner(rules);
  Stream stream;
  for (std::uint64_t seq = 1; seq <= 100; ++seq) {
    std::string text = fmt::format("第{:03}条弹幕：主播今天唱得真好听，点赞关注", seq);
    scanner.write(stream, {seq, static_cast<double>(seq), text});
  }
  return stream.memory_bytes();
}

int run_compile(const RuleSource& source) {
  std::shared_ptr<const CompiledRuleSet> rules = compile_and_report(source);
  if (!rules) return 1;
  const DatabaseStats& s = rules->stats();
  std::array<std::size_t, kAllCategories.size()> per_category{};
  std::size_t windows = 0;
  for (std::size_t i = 0; i < rules->rule_count(); ++i) {
    RuleInfo info = rules->rule(i);
    ++per_category[static_cast<std::size_t>(info.rule.category)];
    windows += info.window;
  }
  std::string out = fmt::format("rules             {} ({} window rules, for streams)\n", s.rules, windows);
  for (Category c : kAllCategories)
    out += fmt::format("  {:<16} {}\n", to_string(c), per_category[static_cast<std::size_t>(c)]);
  out += fmt::format("literal patterns  {}\nregex patterns    {}\n", s.literal_patterns, s.regex_patterns);
  out += fmt::format("deferred          {} of them, scanned only where an anchor of their rule matched\n",
                     s.deferred_patterns);
  out += fmt::format("field-bound       {} of them, scanned only in the fields their rules name (not text)\n",
                     s.field_bound_patterns);
  out += fmt::format("database bytes    {}\nscratch bytes     {}\n", s.database_bytes, s.scratch_bytes);
  out += fmt::format("{}      {:.1f} ms{}\nhyperscan         {}\n",
                     s.from_cache ? "cached load " : "compile time", s.compile_milliseconds,
                     s.rules_from_cache ? " (rules too: no YAML parsed)" : "", s.engine_version);
  out +=
      fmt::format("stream history    at most {} bytes of text carried between messages (plain text: less)\n",
                  s.stream_history_bytes);
  out += fmt::format(
      "stream state      {} bytes per open stream, measured after 100 distinct 60-byte messages\n",
      measured_stream_state(rules));
  std::fputs(out.c_str(), stdout);
  return 0;
}

int run_test(const RuleSource& source) {
  std::shared_ptr<const CompiledRuleSet> rules = compile_and_report(source);
  if (!rules) return 1;
  std::size_t passed = 0, failed = 0;
  for (const ExampleResult& r : run_rule_examples(rules)) {
    if (r.passed) {
      ++passed;
      continue;
    }
    ++failed;
    std::printf("%s:%d: FAIL [%s] expected %s: %s\n", r.location.file.c_str(), r.location.line,
                r.rule_id.c_str(), r.expect_match ? "a match" : "no match", r.text.c_str());
  }
  for (std::size_t i = 0; i < rules->rule_count(); ++i) {
    RuleInfo info = rules->rule(i);
    if (info.match_examples < 3 || info.no_match_examples < 2)
      std::printf("%s:%d: warning [%.*s] has %zu match and %zu no_match examples; write at least 3 and 2\n",
                  info.location.file.c_str(), info.location.line, static_cast<int>(info.rule.id.size()),
                  info.rule.id.data(), info.match_examples, info.no_match_examples);
  }
  std::printf("%zu rules, %zu examples: %zu passed, %zu failed\n", rules->rule_count(), passed + failed,
              passed, failed);
  return failed == 0 ? 0 : 1;
}

// Shows rule authors how a text is seen: each view, then every hit with the view that found it.
int run_explain(const RuleSource& source, const std::vector<std::string>& texts) {
  std::shared_ptr<const CompiledRuleSet> rules = compile_and_report(source);
  if (!rules) return 1;
  Scanner scanner(rules);
  for (const std::string& text : texts) {
    TextViews views = normalized_views(text);
    std::string out =
        fmt::format("raw       {}\nfolded    {}\nskeleton  {}\n", text, views.folded, views.skeleton);
    Record record = Record::from_text(text);
    const Verdict& verdict = scanner.scan(record);
    out += fmt::format("decision  {}\n", to_string(verdict.decision));
    for (const Hit& hit : verdict.hits)
      out += fmt::format("  {:<8} {} (item {}, {}) [{}, {}) \"{}\" via {}\n", to_string(hit.rule.action),
                         hit.rule.id, hit.rule.item, hit.rule.title, hit.start, hit.end, hit.text, hit.view);
    std::fputs((out + "\n").c_str(), stdout);
  }
  return 0;
}

// Ranks the rules by what they cost on a sample of records (JSONL, or text lines with --text).
// Up to `limit` records of a JSONL (or, with text_lines, plain text) file; lines that are not records are
// skipped. False when the file cannot be read.
bool read_sample(const std::string& input, bool text_lines, std::size_t limit, std::vector<Record>& sample,
                 std::size_t& bytes) {
  std::ifstream in(input, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "qinglang: cannot open %s\n", input.c_str());
    return false;
  }
  JsonRecordParser parser;
  Record record;
  for (std::string line; sample.size() < limit && std::getline(in, line);) {
    if (text_lines) {
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

// What scanning a sample costs with all the rules: compile (or cached load) time, then the scan rate over
// batches of the sample, repeated for at least a second.
int run_bench(const RuleSource& source, const std::string& input, bool text_lines, std::size_t limit) {
  std::vector<Record> sample;
  std::size_t bytes = 0;
  if (!read_sample(input, text_lines, limit, sample, bytes)) return 2;
  std::shared_ptr<const CompiledRuleSet> rules = compile_and_report(source);
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

int run_profile(const RuleSource& source, const std::string& input, bool text_lines, std::size_t limit) {
  std::vector<Record> sample;
  std::size_t bytes = 0;
  if (!read_sample(input, text_lines, limit, sample, bytes)) return 2;
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

int main(int argc, char** argv) {
  CLI::App app{"Qinglang: scans content for the 清朗 minors' online environment campaign's 24 problems"};
  app.require_subcommand(1);
  RuleSource source;
  auto add_rules_option = [&](CLI::App* command) {
    command->add_option("--rules", source.paths, "Rule files or directories (default: the bundled rules/)")
        ->allow_extra_args(false);
    command->add_option("--cache", source.cache_file,
                        "Compiled-database cache: loaded when it matches the rules, rebuilt otherwise");
  };

  cli::ScanSettings scan;
  std::string categories;
  CLI::App* scan_command =
      app.add_subcommand("scan", "Scan JSONL records (or text lines); one verdict line each");
  add_rules_option(scan_command);
  scan_command->add_option("--categories", categories, "Only these categories, e.g. social,ecommerce");
  CLI::Option* threads_option =
      scan_command->add_option("-j,--threads", scan.threads, "Worker threads (default: one per processor)")
          ->check(CLI::Range(1u, 256u));
  scan_command->add_flag("--text", scan.text_lines, "Each input line is plain text, not JSON");
  scan_command->add_flag("--summary", scan.summary, "Print counts per category and item to standard error");
  scan_command->add_option("--max-record-bytes", scan.max_record_bytes, "Longer lines get an error line")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  scan_command->add_option("inputs", scan.inputs, "JSONL files (default or '-': standard input)");
  cli::StreamSettings stream;
  bool streams = false;
  scan_command->add_flag(
      "--stream", streams,
      "Input lines are events of live streams: {\"stream\":…,\"seq\":…,\"ts\":…,\"text\":…} "
      "(docs/streams.md)");
  scan_command
      ->add_option("--idle-timeout", stream.idle_seconds,
                   "--stream: close a stream after this many seconds without a message (event time)")
      ->check(CLI::PositiveNumber);
  scan_command
      ->add_option("--max-messages", stream.max_messages, "--stream: close a stream after this many messages")
      ->check(CLI::PositiveNumber);
  scan_command
      ->add_option("--max-streams", stream.max_streams,
                   "--stream: at most this many open streams; the least recently active is closed")
      ->check(CLI::PositiveNumber);

  CLI::App* test_command = app.add_subcommand("test", "Run every rule's examples");
  add_rules_option(test_command);
  CLI::App* compile_command =
      app.add_subcommand("compile", "Check the rules; print diagnostics and statistics");
  add_rules_option(compile_command);
  compile_command->add_option("-o,--output", source.cache_file,
                              "Write the compiled databases to this cache file");

  std::vector<std::string> eval_inputs;
  CLI::App* eval_command = app.add_subcommand("eval", "Precision and recall per item on a labelled corpus");
  add_rules_option(eval_command);
  eval_command->add_option("inputs", eval_inputs, "Labelled JSONL files (tests/eval/*.jsonl)")->required();

  std::vector<std::string> explain_texts;
  CLI::App* explain_command =
      app.add_subcommand("explain", "Show how texts are normalized and which rules fire");
  add_rules_option(explain_command);
  explain_command->add_option("texts", explain_texts, "Texts to explain")->required();

  std::string profile_input;
  bool profile_text = false, profile_each_rule = false;
  std::size_t profile_limit = 20000;
  CLI::App* bench_command =
      app.add_subcommand("bench", "What scanning a sample costs; with --profile, what each rule costs");
  CLI::App* profile_command =
      app.add_subcommand("profile", "Rank the rules by what each costs (bench --profile)");
  for (CLI::App* command : {bench_command, profile_command}) {
    add_rules_option(command);
    command->add_flag("--text", profile_text, "The sample is plain text, one record per line");
    command->add_option("--limit", profile_limit, "Records of the sample to use")->check(CLI::PositiveNumber);
    command->add_option("sample", profile_input, "JSONL (or text) sample of the content to moderate")
        ->required();
  }
  bench_command->add_flag("--profile", profile_each_rule,
                          "Compile each rule alone and rank the rules by what each costs on the sample");

  CLI11_PARSE(app, argc, argv);

  if (*scan_command) {
    if (!categories.empty()) {
      std::string_view unknown;
      std::optional<CategorySet> set = parse_category_list(categories, &unknown);
      if (!set || set->empty()) {
        std::fprintf(stderr, "qinglang: unknown category '%.*s' in --categories\n",
                     static_cast<int>(unknown.size()), unknown.data());
        return 2;
      }
      scan.categories = *set;
    }
    if (streams && ((threads_option->count() > 0 && scan.threads != 1) || scan.text_lines)) {
      std::fprintf(stderr, "qinglang: --stream reads JSON events on one thread: drop -j and --text\n");
      return 2;
    }
    // Output keeps input order whatever the thread count, so using every processor changes nothing but the
    // time; a dump on a 2-core machine scans about 1.8 times as fast.
    if (threads_option->count() == 0)
      scan.threads = std::clamp(std::thread::hardware_concurrency(), 1u, 256u);
    std::shared_ptr<const CompiledRuleSet> rules = compile_and_report(source);
    if (!rules) return 2;
    if (streams) {
      stream.inputs = scan.inputs;
      stream.categories = scan.categories;
      stream.summary = scan.summary;
      stream.max_record_bytes = scan.max_record_bytes;
      return cli::run_stream_scan(std::move(rules), stream);
    }
    return cli::run_scan(std::move(rules), scan);
  }
  if (*test_command) return run_test(source);
  if (*explain_command) return run_explain(source, explain_texts);
  if (*profile_command || (*bench_command && profile_each_rule))
    return run_profile(source, profile_input, profile_text, profile_limit);
  if (*bench_command) return run_bench(source, profile_input, profile_text, profile_limit);
  if (*eval_command) {
    std::shared_ptr<const CompiledRuleSet> rules = compile_and_report(source);
    return rules ? cli::run_eval(std::move(rules), eval_inputs) : 2;
  }
  return run_compile(source);
}
