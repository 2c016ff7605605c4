// The `qinglang` command: reads the arguments and runs one subcommand (a file each). Uses only the public
// API.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <thread>

#include "bench_command.h"
#include "compile_command.h"
#include "eval_command.h"
#include "explain_command.h"
#include "qinglang/compiler.h"
#include "qinglang/taxonomy.h"
#include "rule_source.h"
#include "scan_command.h"
#include "stream_command.h"
#include "test_command.h"
#include "train_command.h"

using namespace qinglang;

int main(int argc, char** argv) {
  CLI::App app{"Qinglang: scans content for the 清朗 minors' online environment campaign's 24 problems"};
  app.require_subcommand(1);
  cli::RuleSource source;
  auto add_rules_option = [&](CLI::App* command) {
    command->add_option("--rules", source.paths, "Rule files or directories (default: the bundled rules/)")
        ->allow_extra_args(false);
    command->add_option("--cache", source.cache_file,
                        "Compiled-database cache: loaded when it matches the rules, rebuilt otherwise");
    command->add_flag("--allow-empty-rules", source.allow_empty_rule_set,
                      "Accept rule paths that hold no rule (every record then passes) instead of error E018");
  };
  // Commands that only use rules can take them compiled, as a worker that does not compile would.
  auto add_compiled_option = [&](CLI::App* command) {
    command
        ->add_option("--compiled", source.compiled_file,
                     "Rules compiled by `qinglang compile -o FILE`: loaded as they are, no rule file read")
        ->excludes(command->get_option("--rules"))
        ->excludes(command->get_option("--cache"));
  };

  cli::ScanSettings scan;
  std::string categories;
  CLI::App* scan_command =
      app.add_subcommand("scan", "Scan JSONL records (or text lines); one verdict line each");
  add_rules_option(scan_command);
  add_compiled_option(scan_command);
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
      ->add_option("--idle-timeout", stream.limits.idle_seconds,
                   "--stream: close a stream after this many seconds without a message (event time)")
      ->check(CLI::PositiveNumber);
  scan_command
      ->add_option("--max-messages", stream.limits.max_messages,
                   "--stream: close a stream after this many messages")
      ->check(CLI::PositiveNumber);
  scan_command
      ->add_option("--max-streams", stream.limits.max_streams,
                   "--stream: at most this many open streams; the least recently active is closed")
      ->check(CLI::PositiveNumber);

  CLI::App* test_command = app.add_subcommand("test", "Run every rule's examples");
  add_rules_option(test_command);
  add_compiled_option(test_command);
  CLI::App* compile_command =
      app.add_subcommand("compile", "Check the rules; print diagnostics and statistics");
  add_rules_option(compile_command);
  compile_command->add_option("-o,--output", source.cache_file,
                              "Write the compiled databases to this cache file");
  compile_command->add_option(
      "--sample", source.anchor_sample,
      "JSONL or text like the content to be scanned: rules are anchored on the words rarest in it");

  std::vector<std::string> eval_inputs;
  CLI::App* eval_command = app.add_subcommand("eval", "Precision and recall per item on a labelled corpus");
  add_rules_option(eval_command);
  add_compiled_option(eval_command);
  eval_command->add_option("inputs", eval_inputs, "Labelled JSONL files (tests/eval/*.jsonl)")->required();

  std::vector<std::string> explain_texts;
  CLI::App* explain_command =
      app.add_subcommand("explain", "Show how texts are normalized and which rules fire");
  add_rules_option(explain_command);
  add_compiled_option(explain_command);
  explain_command->add_option("texts", explain_texts, "Texts to explain")->required();

  cli::BenchSettings bench;
  CLI::App* bench_command =
      app.add_subcommand("bench", "What scanning a sample costs; with --profile, what each rule costs");
  add_rules_option(bench_command);
  bench_command->add_flag("--text", bench.text_lines, "The sample is plain text, one record per line");
  bench_command->add_option("--limit", bench.limit, "Records of the sample to use")
      ->check(CLI::PositiveNumber);
  bench_command->add_option("sample", bench.sample, "JSONL (or text) sample of the content to moderate")
      ->required();
  bench_command->add_flag("--profile", bench.profile,
                          "Compile each rule alone and rank the rules by what each costs on the sample");

  cli::TrainSettings train;
  CLI::App* train_command = app.add_subcommand(
      "train", "Train a model for `model:` patterns on labelled JSONL and benign text (docs/models.md)");
  train_command->add_option("-o,--output", train.output, "The model file to write (.ftz)")->required();
  train_command->add_option("--benign", train.benign, "Plain text of ordinary content, one record a line")
      ->allow_extra_args(false);
  train_command->add_option("--benign-max", train.benign_max, "Lines taken from each benign file, evenly")
      ->check(CLI::PositiveNumber);
  train_command->add_option("--dimensions", train.options.dimensions, "Vector size")
      ->check(CLI::Range(2, 300));
  train_command->add_option("--epochs", train.options.epochs, "Passes over the data")
      ->check(CLI::Range(1, 1000));
  train_command->add_option("--min-count", train.options.min_count, "Rarer features are not learned")
      ->check(CLI::Range(1, 1000));
  train_command->add_option("--seed", train.options.seed, "fastText's seed");
  train_command
      ->add_option("--cutoff", train.options.cutoff,
                   "Keep this many features, the strongest: fewer make a smaller, faster model")
      ->check(CLI::Range(std::size_t{256}, std::size_t{10000000}));
  train_command->add_option("labelled", train.labelled, "Labelled JSONL files (the format of tests/eval)")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a success; every other parse error is a usage error, exit status 2 as the README says.
    return app.exit(e) == 0 ? 0 : 2;
  }

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
    std::shared_ptr<const CompiledRuleSet> rules = cli::load_rules_and_report(source);
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
  if (*test_command) return cli::run_test(source);
  if (*train_command) {
    for (int i = 0; i < argc; ++i)
      train.command_line += (i > 0 ? " " : "") + std::string(i == 0 ? "qinglang" : argv[i]);
    return cli::run_train(train);
  }
  if (*explain_command) return cli::run_explain(source, explain_texts);
  if (*bench_command) return cli::run_bench(source, bench);
  if (*eval_command) {
    std::shared_ptr<const CompiledRuleSet> rules = cli::load_rules_and_report(source);
    return rules ? cli::run_eval(std::move(rules), eval_inputs) : 2;
  }
  return cli::run_compile(source);
}
