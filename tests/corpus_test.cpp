// The bundled rules against real text: benign UGC corpora and the campaign notice itself. These read
// ../shared (beside the repository) and skip when it is absent. The rules load from the suite's cache.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

const std::string kShared = std::string(QINGLANG_TEST_DATA) + "/../../shared";
const std::string kRules = QINGLANG_BUNDLED_RULES;
const std::string kRulesCache = QINGLANG_BUNDLED_RULES_CACHE;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("qinglang_corpus_" + std::to_string(getpid()) + "_" + name))
      .string();
}

struct Counts {
  long records = 0, pass = 0, review = 0, block = 0, errors = 0;
  std::string summary;
};

// Scans `input` with the bundled rules and reads the totals from the summary.
Counts scan(const std::string& options, const std::string& input) {
  std::string summary_path = temp_path("summary");
  std::string command = std::string(QINGLANG_BINARY) + " scan --summary --rules " + kRules + " --cache " +
                        kRulesCache + " " + options + " " + input + " >/dev/null 2>" + summary_path;
  std::system(command.c_str());
  std::ifstream in(summary_path);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(summary_path);
  Counts c;
  c.summary = text.str();
  std::size_t at = c.summary.find("records ");
  if (at != std::string::npos)
    std::sscanf(c.summary.c_str() + at, "records %ld  pass %ld  review %ld  block %ld  errors %ld",
                &c.records, &c.pass, &c.review, &c.block, &c.errors);
  return c;
}

// Writes the text column of a corpus, one record per line: the part after the `skip`-th separator.
std::string text_column(const std::string& path, char separator, int skip) {
  std::string out_path = temp_path(std::filesystem::path(path).filename().string());
  std::ifstream in(path);
  std::ofstream out(out_path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::size_t at = 0;
    for (int i = 0; i < skip && at != std::string::npos; ++i)
      at = line.find(separator, at == 0 ? 0 : at + 1);
    if (at != std::string::npos) out << line.substr(at + 1) << '\n';
  }
  return out_path;
}

void expect_benign_rates(const std::string& corpus, char separator, int skip) {
  if (!std::filesystem::exists(corpus)) GTEST_SKIP() << corpus << " is absent";
  std::string lines = text_column(corpus, separator, skip);
  Counts c = scan("--text -j 2", lines);
  std::filesystem::remove(lines);
  ASSERT_GT(c.records, 1000) << c.summary;
  std::printf("%s: %ld records, %ld review (%.3f%%), %ld block (%.4f%%)\n%s", corpus.c_str(), c.records,
              c.review, 100.0 * static_cast<double>(c.review) / static_cast<double>(c.records), c.block,
              100.0 * static_cast<double>(c.block) / static_cast<double>(c.records), c.summary.c_str());
  EXPECT_LE(c.block * 1000, c.records) << "more than 0.1% blocked";
  EXPECT_LE(c.review * 100, c.records) << "more than 1% reviewed";
}

TEST(BenignCorpus, WeiboPostsAreRarelyFlagged) {
  expect_benign_rates(kShared + "/data/ugc/weibo_ced_texts.tsv", '\t', 1);
}

TEST(BenignCorpus, ShoppingReviewsAreRarelyFlagged) {
  expect_benign_rates(kShared + "/data/ugc/online_shopping_10_cats.csv", ',', 2);
}

TEST(CampaignNotice, ParagraphByParagraphNothingIsBlocked) {
  std::string notice = kShared + "/docs/campaign-2024.txt";
  if (!std::filesystem::exists(notice)) GTEST_SKIP() << notice << " is absent";
  Counts c = scan("--text", notice);
  EXPECT_GT(c.records, 10);
  EXPECT_EQ(c.block, 0) << c.summary;
}

TEST(CampaignNotice, AsOneRecordNothingIsBlocked) {
  std::string notice = kShared + "/docs/campaign-2024.txt";
  if (!std::filesystem::exists(notice)) GTEST_SKIP() << notice << " is absent";
  std::ifstream in(notice);
  std::stringstream text;
  text << in.rdbuf();
  std::string whole = text.str();
  std::string escaped;
  for (char ch : whole) {
    if (ch == '\n')
      escaped += "\\n";
    else if (ch == '"')
      escaped += "\\\"";
    else if (ch == '\\')
      escaped += "\\\\";
    else if (ch != '\r')
      escaped += ch;
  }
  std::string record_path = temp_path("notice.jsonl");
  std::ofstream(record_path) << "{\"id\":\"notice\",\"text\":\"" << escaped << "\"}\n";
  Counts c = scan("", record_path);
  std::filesystem::remove(record_path);
  EXPECT_EQ(c.records, 1) << c.summary;
  EXPECT_EQ(c.block, 0) << c.summary;
}

}  // namespace
