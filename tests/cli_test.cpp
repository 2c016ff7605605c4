// The qinglang command as users run it: fixtures with bad lines, order, exit status, subcommands.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::string kData = QINGLANG_TEST_DATA;
const std::string kRules = kData + "/fixtures/rules";
const std::string kRecords = kData + "/fixtures/records.jsonl";

struct Outcome {
  int status = -1;
  std::string out, err;
  std::vector<std::string> lines() const {
    std::vector<std::string> result;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
      result.push_back(line);
    return result;
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("qinglang_cli_test_" + std::to_string(getpid()) + "_" + name))
      .string();
}

// Runs the binary with arguments (shell words) and optional standard input.
Outcome qinglang(const std::string& args, const std::string& input = "") {
  std::string in_path = temp_path("in"), err_path = temp_path("err");
  std::ofstream(in_path, std::ios::binary) << input;
  std::string command = std::string(QINGLANG_BINARY) + " " + args + " <" + in_path + " 2>" + err_path;
  Outcome run;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[65536];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    run.out.append(buffer, n);
  int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = read_file(err_path);
  std::filesystem::remove(in_path);
  std::filesystem::remove(err_path);
  return run;
}

TEST(CliScan, EveryInputLineGetsExactlyOneOutputLineInOrder) {
  Outcome run = qinglang("scan --rules " + kRules + " " + kRecords);
  std::vector<std::string> lines = run.lines();
  ASSERT_EQ(lines.size(), 8u) << run.out << run.err;
  EXPECT_EQ(lines[0].rfind(R"({"id":"r1","decision":"block")", 0), 0u);
  EXPECT_EQ(lines[1].rfind(R"({"id":"r2","decision":"review")", 0), 0u);
  EXPECT_EQ(lines[4].rfind(R"({"id":"r5","decision":"pass")", 0), 0u);
  EXPECT_EQ(lines[6].rfind(R"({"id":6,"decision":"block")", 0), 0u);
  EXPECT_EQ(lines[7].rfind(R"({"id":"r8","decision":"pass")", 0), 0u);
}

TEST(CliScan, BadLinesGetAnErrorNamingFileAndLine) {
  std::vector<std::string> lines = qinglang("scan --rules " + kRules + " " + kRecords).lines();
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_EQ(lines[2], R"({"id":null,"error":")" + kRecords + R"(:3: invalid JSON","line":3})");
  EXPECT_EQ(lines[3], R"({"id":null,"error":")" + kRecords + R"(:4: not a JSON object","line":4})");
  EXPECT_EQ(lines[5], R"({"id":null,"error":")" + kRecords + R"(:6: empty line","line":6})");
}

TEST(CliScan, ExitStatusIsOneWhenALineHadAnError) {
  EXPECT_EQ(qinglang("scan --rules " + kRules + " " + kRecords).status, 1);
}

TEST(CliScan, ExitStatusIsZeroWhenEveryLineWasScanned) {
  EXPECT_EQ(qinglang("scan --rules " + kRules, "{\"id\":1,\"text\":\"开盒\"}\n").status, 0);
}

TEST(CliScan, HitsReportFieldSpanAndText) {
  Outcome run = qinglang("scan --rules " + kRules, "{\"id\":1,\"comments\":[\"你好\",\"x开盒\"]}\n");
  EXPECT_NE(run.out.find(R"("field":"comments[1]","start":1,"end":7,"text":"开盒")"), std::string::npos)
      << run.out;
}

TEST(CliScan, ReadsStandardInputWhenNoFileIsGiven) {
  EXPECT_EQ(qinglang("scan --rules " + kRules, "{\"id\":1,\"text\":\"开盒\"}\n").lines().size(), 1u);
}

TEST(CliScan, LastLineWithoutNewlineIsScanned) {
  EXPECT_EQ(qinglang("scan --rules " + kRules, "{\"id\":1,\"text\":\"开盒\"}").lines().size(), 1u);
}

TEST(CliScan, TooLongLineGetsAnErrorAndScanningGoesOn) {
  std::string input =
      "{\"id\":1,\"text\":\"" + std::string(5000, 'x') + "\"}\n{\"id\":2,\"text\":\"开盒\"}\n";
  Outcome run = qinglang("scan --max-record-bytes 100 --rules " + kRules, input);
  std::vector<std::string> lines = run.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("record longer than 100 bytes"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1].rfind(R"({"id":2,"decision":"block")", 0), 0u);
}

// The line buffer grows with the lines that come, up to the limit: a generous limit is not paid for up front.
TEST(CliScan, AHighRecordLimitIsNotAllocatedBeforeALongLineArrives) {
  Outcome run =
      qinglang("scan --max-record-bytes 1073741824 --rules " + kRules, "{\"id\":1,\"text\":\"开盒\"}\n");
  ASSERT_EQ(run.lines().size(), 1u) << run.err;
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  EXPECT_LT(children.ru_maxrss, 1L << 19) << "peak KiB of the scan";  // far below the 1 GiB limit
}

TEST(CliScan, ALineLongerThanTheFirstBufferIsScannedWhole) {
  std::string text;
  for (int i = 0; i < 400000; ++i)
    text += "今天天气不错";
  Outcome run = qinglang("scan --max-record-bytes 20000000 --rules " + kRules,
                         "{\"id\":1,\"text\":\"" + text + "开盒\"}\n{\"id\":2,\"text\":\"开盒\"}\n");
  std::vector<std::string> lines = run.lines();
  ASSERT_EQ(lines.size(), 2u) << run.err;
  EXPECT_EQ(lines[0].rfind(R"({"id":1,"decision":"block")", 0), 0u) << lines[0].substr(0, 200);
  EXPECT_EQ(lines[1].rfind(R"({"id":2,"decision":"block")", 0), 0u);
}

TEST(CliScan, InvalidUtf8LineIsScanned) {
  Outcome run = qinglang("scan --rules " + kRules, "{\"id\":1,\"text\":\"a\xff开盒\"}\n");
  EXPECT_EQ(run.lines().size(), 1u);
  EXPECT_NE(run.out.find(R"("decision":"block")"), std::string::npos) << run.out;
}

TEST(CliScan, TextModeTreatsEachLineAsARecord) {
  Outcome run = qinglang("scan --text --rules " + kRules, "你好\n开盒了\n");
  std::vector<std::string> lines = run.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind(R"({"id":1,"decision":"pass")", 0), 0u);
  EXPECT_EQ(lines[1].rfind(R"({"id":2,"decision":"block")", 0), 0u);
}

TEST(CliScan, CategoriesLimitTheScan) {
  Outcome run =
      qinglang("scan --categories ecommerce --rules " + kRules, "{\"id\":1,\"text\":\"开盒 代骂\"}\n");
  EXPECT_NE(run.out.find("ecommerce.scolding.word"), std::string::npos);
  EXPECT_EQ(run.out.find("social.doxxing.word"), std::string::npos);
}

TEST(CliScan, UnknownCategoryIsAUsageError) {
  Outcome run = qinglang("scan --categories games --rules " + kRules, "");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("unknown category 'games'"), std::string::npos);
}

// Enough records for many batches, with bad lines among them.
std::string many_records() {
  std::string input;
  for (int i = 0; i < 20000; ++i)
    input += i % 7 == 0 ? "broken line\n"
                        : "{\"id\":" + std::to_string(i) + ",\"text\":\"第" + std::to_string(i) +
                              (i % 3 ? "条 开盒\"}\n" : "条 普通\"}\n");
  return input;
}

// Scans many records with `options` and with -j 1: the outputs must be the same, line for line.
void expect_the_output_of_one_thread(const std::string& options) {
  std::string input = many_records();
  Outcome one = qinglang("scan -j 1 --rules " + kRules, input);
  Outcome other = qinglang("scan " + options + "--rules " + kRules, input);
  EXPECT_EQ(one.lines().size(), 20000u);
  EXPECT_EQ(one.out, other.out);
}

TEST(CliScan, ParallelOutputEqualsSingleThreadedOutput) {
  expect_the_output_of_one_thread("-j 2 ");
}

// Without -j, scan uses one worker per processor.
TEST(CliScan, DefaultThreadCountGivesTheSingleThreadedOutput) {
  expect_the_output_of_one_thread("");
}

TEST(CliScan, SummaryCountsDecisionsCategoriesAndItems) {
  Outcome run = qinglang("scan --summary --rules " + kRules + " " + kRecords);
  EXPECT_NE(run.err.find("records 5  pass 2  review 1  block 2  errors 3"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("有偿代骂"), std::string::npos) << run.err;
}

TEST(CliScan, SummarySaysHowMuchWasReadAndHowFast) {
  Outcome run = qinglang("scan -j 1 --summary --rules " + kRules + " " + kRecords);
  EXPECT_NE(run.err.find(" MB scanned in "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(" MB/s, "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("k records/s"), std::string::npos) << run.err;
}

TEST(CliScan, MissingInputFileIsReported) {
  Outcome run = qinglang("scan --rules " + kRules + " /nonexistent.jsonl");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("cannot open /nonexistent.jsonl"), std::string::npos);
}

TEST(CliScan, AnOutputThatCannotBeWrittenEndsTheRunWithStatusThree) {
  Outcome run = qinglang("scan --rules " + kRules + " " + kRecords + " >/dev/full");
  EXPECT_EQ(run.status, 3);
  EXPECT_NE(run.err.find("cannot write the output"), std::string::npos);
}

TEST(CliScan, AStreamOutputThatCannotBeWrittenEndsTheRunWithStatusThree) {
  Outcome run = qinglang("scan --stream --rules " + kRules + " >/dev/full",
                         "{\"stream\":\"a\",\"seq\":1,\"ts\":1,\"text\":\"hello\"}\n");
  EXPECT_EQ(run.status, 3);
  EXPECT_NE(run.err.find("cannot write the output"), std::string::npos);
}

// With SIGPIPE ignored (as a supervisor may leave it), a reader that goes away is a failed write: the scan
// stops rather than scanning the rest of its input for no one.
TEST(CliScan, AnOutputPipeClosedByItsReaderEndsTheRunWithStatusThree) {
  std::string input = temp_path("pipe_in");
  {
    std::ofstream out(input, std::ios::binary);
    for (int i = 0; i < 200000; ++i)
      out << "{\"id\":" << i << ",\"text\":\"开盒\"}\n";
  }
  std::string script = "trap '' PIPE; " + std::string(QINGLANG_BINARY) + " scan --rules " + kRules + " " +
                       input + " 2>/dev/null | head -c 1 >/dev/null; echo \\${PIPESTATUS[0]}";
  FILE* pipe = popen(("bash -c \"" + script + "\"").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char status[16] = {};
  ASSERT_NE(fgets(status, sizeof status, pipe), nullptr);
  pclose(pipe);
  std::filesystem::remove(input);
  EXPECT_EQ(std::string(status), "3\n");
}

// A live input whose writer is still there: the scan waits in a read when SIGTERM comes.
TEST(CliScan, SigtermEndsAScanOnAWholeLineWithStatus143) {
  std::string fifo = temp_path("sigterm_in"), out_path = temp_path("sigterm_out");
  std::string script = "mkfifo " + fifo + "; " + std::string(QINGLANG_BINARY) + " scan --rules " + kRules +
                       " <" + fifo + " >" + out_path + " 2>/dev/null & pid=$!; exec 3>" + fifo +
                       "; printf '{\"id\":1}\\n{\"id\":2}\\n' >&3; "
                       // Once the scan catches SIGTERM (its bit in /proc's SigCgt mask), which is after its
                       // rules are loaded however slow a sanitized build is, and has had time to read the two
                       // lines and wait for more.
                       "for i in $(seq 600); do "
                       "[ $((0x$(awk '/SigCgt/{print $2}' /proc/$pid/status) & 0x4000)) -ne 0 ] && break; "
                       "sleep 0.05; done; sleep 0.5; kill -TERM $pid; wait $pid; echo $?";
  FILE* pipe = popen(script.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char status[16] = {};
  ASSERT_NE(fgets(status, sizeof status, pipe), nullptr);
  pclose(pipe);
  std::string out = read_file(out_path);
  std::filesystem::remove(fifo);
  std::filesystem::remove(out_path);
  EXPECT_EQ(std::string(status), "143\n");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
  EXPECT_TRUE(out.ends_with("}\n"));
}

// A scan of one record with rules from an empty folder, after `options`.
Outcome scan_with_an_empty_rule_folder(const std::string& options) {
  std::string empty = temp_path("empty_rules");
  std::filesystem::create_directory(empty);
  Outcome run = qinglang("scan " + options + "--rules " + empty, "{\"id\":1,\"text\":\"x\"}\n");
  std::filesystem::remove(empty);
  return run;
}

TEST(CliScan, AFolderWithoutRulesIsARuleError) {
  Outcome run = scan_with_an_empty_rule_folder("");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("error E018"), std::string::npos);
  EXPECT_EQ(run.out, "");
}

TEST(CliScan, AFolderWithoutRulesPassesEveryRecordWhenAllowed) {
  Outcome run = scan_with_an_empty_rule_folder("--allow-empty-rules ");
  EXPECT_EQ(run.status, 0);
  EXPECT_NE(run.out.find("\"decision\":\"pass\""), std::string::npos);
}

TEST(CliScan, RuleErrorsStopTheScan) {
  Outcome run = qinglang("scan --rules " + kData + "/golden/bad_rules.yaml", "{}\n");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("error E005"), std::string::npos);
}

TEST(CliScan, CompiledRulesScanAsTheRuleFilesDo) {
  std::string compiled = temp_path("compiled");
  ASSERT_EQ(qinglang("compile --rules " + kRules + " -o " + compiled).status, 0);
  Outcome from_rules = qinglang("scan --rules " + kRules + " " + kRecords);
  Outcome from_compiled = qinglang("scan --compiled " + compiled + " " + kRecords);
  std::filesystem::remove(compiled);
  EXPECT_EQ(from_compiled.status, from_rules.status);
  EXPECT_EQ(from_compiled.out, from_rules.out);
}

TEST(CliScan, MissingCompiledRulesAreARuleErrorNamingTheFile) {
  Outcome run = qinglang("scan --compiled /nonexistent.compiled", "{}\n");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("/nonexistent.compiled"), std::string::npos);
  EXPECT_NE(run.err.find("error E015"), std::string::npos);
}

TEST(CliScan, CompiledRulesAndRuleFilesTogetherAreAUsageError) {
  Outcome run = qinglang("scan --compiled x --rules " + kRules, "");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("excludes"), std::string::npos) << run.err;
}

TEST(Cli, AnUnknownOptionIsAUsageError) {
  EXPECT_EQ(qinglang("scan --no-such-option", "").status, 2);
}

TEST(Cli, HelpIsASuccess) {
  EXPECT_EQ(qinglang("scan --help").status, 0);
}

// Property: whatever bytes come in, every input line gets exactly one output line, and each is a JSON object.
TEST(CliScan, AnyInputGivesOneJsonObjectPerLine) {
  std::mt19937 rng(17);
  const std::vector<std::string> pieces = {"{",
                                           "}",
                                           "\"",
                                           "id",
                                           ":",
                                           ",",
                                           "text",
                                           "开盒",
                                           "\\",
                                           "\r",
                                           "[",
                                           "1",
                                           std::string(1, '\0'),
                                           "\xff",
                                           "\xe5\xbc",
                                           " ",
                                           "null",
                                           "代*骂"};
  std::string input;
  std::size_t lines = 0;
  for (; lines < 3000; ++lines) {
    if (lines % 3 == 0) {
      input += "{\"id\":" + std::to_string(lines) + ",\"text\":\"有人开盒\"}";
    } else {
      for (unsigned n = rng() % 20; n > 0; --n)
        input += pieces[rng() % pieces.size()];
      if (lines % 97 == 0) input += std::string(300, 'x');
    }
    input += lines % 5 == 0 ? "\r\n" : "\n";
  }
  Outcome one = qinglang("scan --max-record-bytes 200 --rules " + kRules, input);
  Outcome two = qinglang("scan -j 2 --max-record-bytes 200 --rules " + kRules, input);
  std::vector<std::string> out = one.lines();
  ASSERT_EQ(out.size(), lines);
  EXPECT_EQ(one.out, two.out);
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].front(), '{') << "line " << i + 1;
    EXPECT_EQ(out[i].back(), '}') << "line " << i + 1;
    if (i % 3 == 0) {
      EXPECT_NE(out[i].find("\"decision\":\"block\""), std::string::npos) << out[i];
    }
  }
}

TEST(CliTest, PassingExamplesExitZero) {
  Outcome run = qinglang("test --rules " + kRules);
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("2 rules, 10 examples: 10 passed, 0 failed"), std::string::npos) << run.out;
}

TEST(CliTest, FailingExamplesAreReportedByRuleAndLine) {
  Outcome run = qinglang("test --rules " + kData + "/fixtures/failing_rules");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.out.find("failing.yaml:10: FAIL [social.doxxing.word] expected a match: 这条不会命中"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("failing.yaml:11: FAIL [social.doxxing.word] expected no match: 又开盒了"),
            std::string::npos)
      << run.out;
}

TEST(CliExplain, NamesTheListAMatchedWordCameFrom) {
  std::string rules = temp_path("listed.yaml");
  std::ofstream(rules, std::ios::binary)
      << "lists:\n  doxxing: [开盒, 人肉]\nrules:\n  - {id: r, category: social, item: 6, title: t, "
         "severity: high, action: block, match: {list: doxxing}}\n";
  Outcome run = qinglang("explain --rules " + rules + " 帮我人肉他");
  std::filesystem::remove(rules);
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("\"人肉\" via raw, list doxxing"), std::string::npos) << run.out;
}

// A labelled line and a rule that fires on "kaihe": the line's text is harmless, its id is not.
Outcome eval_line(const std::string& line) {
  std::string rules = temp_path("eval.yaml"), corpus = temp_path("eval.jsonl");
  std::ofstream(rules, std::ios::binary) << "rules:\n  - {id: r, category: social, item: 6, title: t, "
                                            "severity: high, action: block, match: {words: [kaihe]}}\n";
  std::ofstream(corpus, std::ios::binary) << line << "\n";
  Outcome run = qinglang("eval --rules " + rules + " " + corpus);
  std::filesystem::remove(rules);
  std::filesystem::remove(corpus);
  return run;
}

TEST(CliEval, TheRecordsIdIsNotScanned) {
  Outcome run = eval_line(R"({"id":"kaihe-1","label":{"category":"social","item":6,"positive":false},)"
                          R"("record":{"id":"kaihe-1","text":"今天天气好"}})");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("hard negatives blocked: 0, reviewed: 0"), std::string::npos) << run.out;
}

TEST(CliEval, PrintsTheHeadlineRecallUnderTheRightItem) {
  Outcome run = eval_line(R"({"id":"x","label":{"category":"social","item":6,"positive":true},)"
                          R"("record":{"text":"会kaihe的来"}})");
  EXPECT_NE(run.out.find("violations flagged under their item: 1 of 1 (1.00)"), std::string::npos) << run.out;
}

TEST(CliBench, ProfileOfATextSampleRanksEveryRuleWithItsCost) {
  std::string sample = temp_path("sample.txt");
  std::ofstream(sample) << "有人开盒了\n代骂服务\n普通的评论\n";
  Outcome run = qinglang("bench --profile --text --rules " + kRules + " " + sample);
  std::filesystem::remove(sample);
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("3 records"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("social.doxxing.word (6)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("ecommerce.scolding.word (11)"), std::string::npos) << run.out;
}

TEST(CliCompile, PrintsStatistics) {
  Outcome run = qinglang("compile --rules " + kRules);
  EXPECT_EQ(run.status, 0);
  EXPECT_NE(run.out.find("rules             2"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("database bytes"), std::string::npos);
  EXPECT_NE(run.out.find("scratch bytes"), std::string::npos);
}

TEST(CliCompile, ReportsEveryRuleErrorWithPosition) {
  Outcome run = qinglang("compile --rules " + kData + "/golden/bad_rules.yaml");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(
      run.err.find("bad_rules.yaml:13:5: error E002: [social.unknown_key] unknown key 'colour' in rule"),
      std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("error E011"), std::string::npos);
}

const std::string kStreamRules = kData + "/fixtures/stream_rules.yaml";
const std::string kEvents = kData + "/fixtures/events.jsonl";

Outcome scan_stream(const std::string& options = "") {
  return qinglang("scan --stream --rules " + kStreamRules + " " + options + " " + kEvents);
}

bool has(const std::string& line, const std::string& part) {
  return line.find(part) != std::string::npos;
}

// A close event's line is its stream's summary; streams still open at the end get one more line each.
TEST(CliStream, EveryEventGetsALineInOrderThenEveryOpenStreamASummary) {
  Outcome run = scan_stream();
  std::vector<std::string> lines = run.lines();
  ASSERT_EQ(lines.size(), 13u) << run.out << run.err;
  EXPECT_TRUE(has(lines[0], R"({"stream":"a","seq":1,)"));
  EXPECT_TRUE(has(lines[8], R"({"stream":"b",)") && has(lines[8], R"("summary":{"reason":"closed")"));
  EXPECT_TRUE(has(lines[11], R"({"stream":"a","seq":3,)") && has(lines[11], R"("reason":"end_of_input")"));
  EXPECT_TRUE(has(lines[12], R"({"stream":"c","seq":1,)") && has(lines[12], R"("reason":"end_of_input")"));
}

TEST(CliStream, WordSplitOverMessagesIsReportedWithItsParts) {
  std::vector<std::string> lines = scan_stream().lines();
  ASSERT_GE(lines.size(), 3u);
  EXPECT_TRUE(
      has(lines[2],
          R"("parts":[{"seq":1,"start":9,"end":12,"text":"开"},{"seq":2,"start":0,"end":3,"text":"盒"}])"))
      << lines[2];
}

TEST(CliStream, MoreThanOneThreadIsAUsageError) {
  Outcome run = qinglang("scan --stream -j 2 --rules " + kRules, "");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("--stream reads JSON events on one thread"), std::string::npos) << run.err;
}

TEST(CliStream, OutOfOrderEventIsAnErrorNamingFileAndLine) {
  std::vector<std::string> lines = scan_stream().lines();
  ASSERT_GE(lines.size(), 5u);
  EXPECT_TRUE(has(lines[4], kEvents + ":5: out of order: seq 2 does not follow")) << lines[4];
}

TEST(CliStream, EventForAClosedStreamIsAnError) {
  std::vector<std::string> lines = scan_stream().lines();
  ASSERT_GE(lines.size(), 10u);
  EXPECT_TRUE(has(lines[9], "unknown stream: it was closed at line 9")) << lines[9];
}

TEST(CliStream, WindowRulesEscalateTheStream) {
  std::vector<std::string> lines = scan_stream().lines();
  ASSERT_GE(lines.size(), 8u);
  EXPECT_TRUE(has(lines[5], R"("windows":[{"rule":"minor_mode.flood")")) << lines[5];
  EXPECT_TRUE(has(lines[7], R"("decision":"block","stream_decision":"block")")) << lines[7];
}

TEST(CliStream, QuietStreamsAreClosedAsIdle) {
  std::vector<std::string> lines = scan_stream("--idle-timeout 0.5").lines();
  std::size_t idle = 0;
  for (const std::string& line : lines)
    idle += has(line, R"("reason":"idle")");
  EXPECT_GE(idle, 2u);
}

TEST(CliStream, BundledLiveRoomsFlagTheGroomerAndTheFloodButNotTheWarnings) {
  Outcome run = qinglang("scan --stream --cache " + std::string(QINGLANG_BUNDLED_RULES_CACHE) + " " + kData +
                         "/../examples/live_rooms.jsonl");
  std::map<std::string, std::string> decision;  // by stream, from its summary line
  for (const std::string& line : run.lines()) {
    std::size_t at = line.find(R"("summary")");
    if (at == std::string::npos) continue;
    std::size_t id = line.find(R"("stream":")") + 10;
    std::size_t d = line.find(R"("decision":")", at) + 12;
    decision[line.substr(id, line.find('"', id) - id)] = line.substr(d, line.find('"', d) - d);
  }
  EXPECT_EQ(decision["room-101"], "block") << run.out;
  EXPECT_EQ(decision["room-202"], "review") << run.out;
  EXPECT_EQ(decision["room-303"], "pass") << run.out;
}

TEST(CliStream, StreamsReachingTheMessageLimitAreClosedAsTooLong) {
  std::vector<std::string> lines = scan_stream("--max-messages 2").lines();
  std::size_t too_long = 0;
  for (const std::string& line : lines)
    too_long += has(line, R"("reason":"too_long")");
  EXPECT_EQ(too_long, 3u);  // a at seq 2, then the stream a that follows at seq 3; b at seq 2
}

TEST(CliStream, OpeningBeyondTheStreamLimitClosesTheLeastRecentlyActive) {
  std::vector<std::string> lines = scan_stream("--max-streams 1").lines();
  ASSERT_GE(lines.size(), 2u);
  EXPECT_TRUE(has(lines[1], R"({"stream":"a",)") && has(lines[1], R"("reason":"evicted")")) << lines[1];
}

TEST(CliStream, BadEventsMakeTheExitStatusOne) {
  EXPECT_EQ(scan_stream().status, 1);
}

TEST(CliBench, ReportsTheScanRateOfTheRulesOnASample) {
  Outcome run = qinglang("bench --rules " + kRules + " " + kRecords);
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("records/s"), std::string::npos) << run.out;
}

TEST(CliBench, ProfileRanksEachRule) {
  Outcome run = qinglang("bench --profile --rules " + kRules + " " + kRecords);
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("social.doxxing.word"), std::string::npos) << run.out;
}

}  // namespace
