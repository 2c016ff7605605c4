// `model:` patterns and `qinglang train` (docs/models.md): models trained here, on a corpus written in the
// test.
#include "qinglang/model.h"

#include <fasttext/fasttext.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "classify/classifier.h"
#include "classify/model_features.h"
#include "test_support.h"

namespace qinglang {
namespace {

namespace fs = std::filesystem;

// Two classes a character model tells apart at once: talk of cats, talk of the stock market.
std::vector<TrainingExample> tiny_corpus() {
  const char* cats[] = {"小猫咪今天又在沙发上睡觉", "猫粮吃完了要去买猫砂", "我家猫咪会抓老鼠",
                        "猫咪喵喵叫要吃小鱼干",     "橘猫胖得跳不上桌子",   "猫猫蹭我的手求摸摸",
                        "给猫咪洗澡它一直叫",       "小猫爪子挠坏了窗帘"};
  const char* stocks[] = {"今天股市大涨券商领涨", "基金净值又跌了不少", "这只股票涨停了",
                          "大盘指数收跌两个点",   "证券公司发布研报",   "股价跌破发行价",
                          "基金经理调仓换股",     "A股成交量放大"};
  std::vector<TrainingExample> examples;
  for (int round = 0; round < 12; ++round) {
    for (const char* text : cats)
      examples.push_back({text, "cats"});
    for (const char* text : stocks)
      examples.push_back({text, "stocks"});
  }
  return examples;
}

TrainOptions tiny_options() {
  TrainOptions options;
  options.dimensions = 8;
  options.epochs = 20;
  options.min_count = 1;
  options.held_back = 0;
  options.quantize = false;
  return options;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// A classifier loaded from `file`; null, failing the test, when it cannot be.
std::unique_ptr<detail::Classifier> load_classifier(const fs::path& file) {
  std::string error;
  auto classifier = detail::Classifier::load(read_bytes(file), error);
  EXPECT_NE(classifier, nullptr) << error;
  return classifier;
}

// A classifier trained on the tiny corpus, through a file of its own; null, failing the test, when it cannot
// be.
std::unique_ptr<detail::Classifier> tiny_classifier(const std::string& name) {
  fs::path file =
      fs::temp_directory_path() / ("qinglang-" + name + "-" + std::to_string(::getpid()) + ".bin");
  EXPECT_TRUE(train_model(tiny_corpus(), file, tiny_options()).ok());
  auto classifier = load_classifier(file);
  fs::remove(file);
  return classifier;
}

// A folder with a model trained on the tiny corpus and a rule file beside it.
class ModelRules : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() / ("qinglang-model-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
    TrainResult trained = train_model(tiny_corpus(), folder_ / "pets.bin", tiny_options());
    ASSERT_TRUE(trained.ok()) << trained.error;
  }
  void TearDown() override { fs::remove_all(folder_); }

  fs::path write_rules(std::string_view match, std::string_view extra = "") {
    std::string yaml =
        "category: social\nrules:\n  - id: cats\n    item: 7\n    title: t\n    severity: low\n"
        "    action: review\n" +
        std::string(extra) + "    match:\n" + std::string(match);
    fs::path file = folder_ / "rules.yaml";
    std::ofstream(file) << yaml;
    return file;
  }
  CompileResult compile(std::string_view match, std::string_view extra = "") {
    return compile_rules({write_rules(match, extra)});
  }

  fs::path folder_;
};

constexpr std::string_view kCatsModel = "      model: {file: pets.bin, label: cats, min: 0.8}\n";

TEST(ModelTraining, AModelTrainedOnATinyCorpusSeparatesItsTwoClasses) {
  auto classifier = tiny_classifier("separates");
  ASSERT_NE(classifier, nullptr);
  detail::Classifier::Scratch scratch;
  std::vector<float> p;
  int cats = classifier->label_index("cats");
  classifier->score("邻居家的猫咪很可爱，每天都在窗台上晒太阳", scratch, p);
  EXPECT_GT(p[static_cast<std::size_t>(cats)], 0.8f);
  classifier->score("股票基金都跌了，券商说大盘还要调整一阵子", scratch, p);
  EXPECT_LT(p[static_cast<std::size_t>(cats)], 0.2f);
}

// Enough distinct characters for product quantization, which needs 256 features at least.
std::vector<TrainingExample> wide_corpus() {
  std::vector<TrainingExample> examples = tiny_corpus();
  for (char32_t c = 0x4E00; c < 0x4E00 + 600; c += 2) {
    std::string text;
    for (char32_t d : {c, static_cast<char32_t>(c + 1)}) {
      text += static_cast<char>(0xE0 | (d >> 12));
      text += static_cast<char>(0x80 | ((d >> 6) & 0x3F));
      text += static_cast<char>(0x80 | (d & 0x3F));
    }
    examples.push_back({text, (c / 2) % 2 == 0 ? "cats" : "stocks"});
  }
  return examples;
}

TEST(ModelTraining, ATextTooShortToJudgeGetsTheSameProbabilityForEveryLabel) {
  auto classifier = tiny_classifier("short");
  ASSERT_NE(classifier, nullptr);
  detail::Classifier::Scratch scratch;
  std::vector<float> p;
  classifier->score("小猫咪", scratch, p);
  EXPECT_FLOAT_EQ(p[0], p[1]);
}

TEST(ModelTraining, TheSameSeedGivesTheSameModelByteForByte) {
  fs::path a = fs::temp_directory_path() / ("qinglang-seed-a-" + std::to_string(::getpid()) + ".ftz");
  fs::path b = fs::temp_directory_path() / ("qinglang-seed-b-" + std::to_string(::getpid()) + ".ftz");
  TrainOptions options = tiny_options();
  options.quantize = true;
  TrainResult first_run = train_model(wide_corpus(), a, options);
  ASSERT_TRUE(first_run.ok()) << first_run.error;
  ASSERT_TRUE(train_model(wide_corpus(), b, options).ok());
  std::string first = read_bytes(a), second = read_bytes(b);
  fs::remove(a);
  fs::remove(b);
  EXPECT_FALSE(first.empty());
  EXPECT_TRUE(first == second);
}

TEST(ModelTraining, HeldBackExamplesAreScored) {
  fs::path file = fs::temp_directory_path() / ("qinglang-held-" + std::to_string(::getpid()) + ".bin");
  TrainOptions options = tiny_options();
  options.held_back = 0.3;
  TrainResult result = train_model(tiny_corpus(), file, options);
  fs::remove(file);
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_GT(result.held_back_examples, 0u);
  std::size_t scored = 0;
  for (const LabelScore& score : result.held_back_scores)
    scored += score.examples;
  EXPECT_EQ(scored, result.held_back_examples);
}

TEST(ModelTraining, NoExamplesIsAnErrorNotACrash) {
  TrainResult result = train_model({}, fs::temp_directory_path() / "qinglang-none.bin", tiny_options());
  EXPECT_FALSE(result.ok());
}

TEST_F(ModelRules, TheClassifierGivesFastTextsOwnProbabilities) {
  fasttext::FastText reference;
  reference.loadModel((folder_ / "pets.bin").string());
  auto classifier = load_classifier(folder_ / "pets.bin");
  ASSERT_NE(classifier, nullptr);
  detail::Classifier::Scratch scratch;
  std::vector<float> ours;
  for (std::string text :
       {"猫咪在沙发上睡觉，小爪子还在动", "股市大涨，券商股全线涨停了", "今天天气不错，适合出门走走"}) {
    std::string line;
    detail::append_model_features(text, line);
    std::istringstream in(line + "\n");
    std::vector<std::pair<fasttext::real, std::string>> theirs;
    reference.predictLine(in, theirs, -1, 0.0);
    classifier->score(text, scratch, ours);
    for (const auto& [probability, label] : theirs)
      EXPECT_NEAR(ours[static_cast<std::size_t>(classifier->label_index(label.substr(9)))], probability, 0.01)
          << text << " " << label;
  }
}

TEST_F(ModelRules, AModelAloneFlagsWhatItsLabelDescribes) {
  CompileResult result = compile(kCatsModel);
  ASSERT_TRUE(result.ok());
  Scanner scanner(result.rules);
  Record cat = Record::from_text("我家的小猫咪爱吃鱼干，吃完就去沙发上睡觉");
  const Verdict& verdict = scanner.scan(cat);
  ASSERT_EQ(verdict.hits.size(), 1u);
  EXPECT_EQ(verdict.hits[0].view, "model");
  EXPECT_GT(verdict.hits[0].model_score, 0.8f);
  EXPECT_EQ(verdict.hits[0].start, 0u);
  EXPECT_EQ(verdict.hits[0].end, cat.field(0).text.size());
  Record stock = Record::from_text("券商股票今天涨停了，基金也跟着涨");
  EXPECT_EQ(scanner.scan(stock).decision, Decision::pass);
}

TEST_F(ModelRules, AModelInsideAllCountsOnlyWhereTheWordsMatch) {
  CompileResult result = compile(
      "      all:\n        - words: [出售]\n        - model: {file: pets.bin, label: cats, min: 0.8}\n");
  ASSERT_TRUE(result.ok());
  Scanner scanner(result.rules);
  Record without = Record::from_text("我家的小猫咪爱吃鱼干，吃完就去沙发上睡觉");
  EXPECT_EQ(scanner.scan(without).decision, Decision::pass);
  Record with = Record::from_text("出售小猫咪 爱吃鱼干，吃完就去沙发上睡觉");
  EXPECT_EQ(scanner.scan(with).decision, Decision::review);
}

TEST_F(ModelRules, ARecordWideModelRuleReadsTheRecordAsTrainingDid) {
  CompileResult result = compile(kCatsModel, "    scope: record\n");
  ASSERT_TRUE(result.ok());
  Scanner scanner(result.rules);
  Record record =
      testing::record_from_json(R"({"title":"小猫咪","text":"在沙发上睡觉，爪子还在动","tags":["日常"]})");
  const Verdict& verdict = scanner.scan(record);
  ASSERT_EQ(verdict.hits.size(), 1u);
  auto classifier = load_classifier(folder_ / "pets.bin");
  ASSERT_NE(classifier, nullptr);
  detail::Classifier::Scratch scratch;
  std::vector<float> p;
  classifier->score(model_text(record), scratch, p);
  EXPECT_NEAR(verdict.hits[0].model_score, p[static_cast<std::size_t>(classifier->label_index("cats"))],
              1e-4);
  EXPECT_EQ(verdict.hits[0].field, "text");  // the longest field it read
}

TEST_F(ModelRules, ARecordWideRuleOfWordsAndAModelNeedsBoth) {
  CompileResult result = compile(
      "      all:\n        - words: [出售]\n        - model: {file: pets.bin, label: cats, min: 0.8}\n",
      "    scope: record\n");
  ASSERT_TRUE(result.ok());
  Scanner scanner(result.rules);
  Record cat_only = Record::from_text("我家的小猫咪爱吃鱼干，吃完就去沙发上睡觉");
  EXPECT_EQ(scanner.scan(cat_only).decision, Decision::pass);
  Record stock_sale = Record::from_text("出售券商股票，今天涨停了，基金也跟着涨");
  EXPECT_EQ(scanner.scan(stock_sale).decision, Decision::pass);
  Record both = testing::record_from_json(R"({"title":"出售","text":"小猫咪 爱吃鱼干，吃完就去沙发上睡觉"})");
  EXPECT_EQ(scanner.scan(both).decision, Decision::review);
}

TEST_F(ModelRules, ARecordWideModelRuleGivesTheSameVerdictAloneAndInABatch) {
  CompileResult result = compile(kCatsModel, "    scope: record\n");
  ASSERT_TRUE(result.ok());
  Scanner scanner(result.rules);
  std::vector<Record> records = {Record::from_text("券商股票今天涨停了，基金也跟着涨"),
                                 Record::from_text("小猫咪在沙发上睡觉，爪子还在动"),
                                 Record::from_text("基金跌了不少，大盘还要调整一阵子")};
  std::vector<Decision> alone;
  for (const Record& record : records)
    alone.push_back(scanner.scan(record).decision);
  const std::vector<Verdict>& batch = scanner.scan_batch(std::span<const Record>(records));
  for (std::size_t i = 0; i < records.size(); ++i)
    EXPECT_EQ(batch[i].decision, alone[i]) << i;
  EXPECT_EQ(alone[1], Decision::review);
}

TEST_F(ModelRules, AVerdictLineCarriesTheModelScore) {
  CompileResult result = compile(kCatsModel);
  ASSERT_TRUE(result.ok());
  Scanner scanner(result.rules);
  Record cat = Record::from_text("小猫咪在沙发上睡觉，爪子还在动");
  std::string line;
  append_verdict_json(line, cat, scanner.scan(cat));
  EXPECT_NE(line.find("\"view\":\"model\",\"model_score\":"), std::string::npos) << line;
}

TEST_F(ModelRules, ExplainingAModelHitNamesTheFeaturesThatWeighedMost) {
  CompileResult result = compile(kCatsModel);
  ASSERT_TRUE(result.ok());
  Scanner scanner(result.rules);
  Record cat = Record::from_text("小猫咪在沙发上睡觉，爪子还在动");
  const Verdict& verdict = scanner.scan(cat);
  ASSERT_EQ(verdict.hits.size(), 1u);
  auto weights = explain_model_hit(*result.rules, cat, verdict.hits[0], 3);
  ASSERT_FALSE(weights.empty());
  EXPECT_NE(weights[0].first.find("猫"), std::string::npos) << weights[0].first;
  EXPECT_GT(weights[0].second, 0.0f);
}

TEST_F(ModelRules, AMissingModelFileIsE019AtTheRule) {
  CompileResult result = compile("      model: {file: absent.ftz, label: cats, min: 0.8}\n");
  ASSERT_FALSE(result.ok());
  ASSERT_FALSE(result.diagnostics.empty());
  EXPECT_EQ(result.diagnostics[0].code, "E019");
  EXPECT_EQ(result.diagnostics[0].location.line, 9u);
  EXPECT_EQ(result.diagnostics[0].rule_id, "cats");
}

TEST_F(ModelRules, ACorruptModelFileIsE019NotACrash) {
  std::string bytes = read_bytes(folder_ / "pets.bin");
  std::ofstream(folder_ / "cut.bin", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  std::ofstream(folder_ / "noise.bin", std::ios::binary) << std::string(4096, '\x7f');
  for (const char* file : {"cut.bin", "noise.bin"}) {
    CompileResult result = compile("      model: {file: " + std::string(file) + ", label: cats, min: 0.8}\n");
    ASSERT_FALSE(result.ok()) << file;
    EXPECT_EQ(testing::codes_of(result), testing::Codes{"E019"}) << file;
    EXPECT_EQ(result.diagnostics[0].location.file, (folder_ / "rules.yaml").string());
  }
}

TEST_F(ModelRules, ALabelTheModelDoesNotKnowIsE019) {
  CompileResult result = compile("      model: {file: pets.bin, label: dogs, min: 0.8}\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(testing::codes_of(result), testing::Codes{"E019"});
  EXPECT_NE(result.diagnostics[0].message.find("dogs"), std::string::npos);
}

TEST_F(ModelRules, AModelFileOutsideTheRuleFolderIsRefused) {
  CompileResult result = compile("      model: {file: ../../etc/passwd, label: cats, min: 0.8}\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(testing::codes_of(result), testing::Codes{"E019"});
}

TEST_F(ModelRules, AMinThatIsNoProbabilityIsE009) {
  EXPECT_EQ(testing::codes_of(compile("      model: {file: pets.bin, label: cats, min: 1.5}\n")),
            testing::Codes{"E009"});
}

TEST_F(ModelRules, ACacheKeepsTheModelAndIsRebuiltWhenTheModelChanges) {
  fs::path rules = write_rules(kCatsModel);
  CompileOptions options;
  options.cache_file = folder_ / "rules.cache";
  ASSERT_TRUE(compile_rules({rules}, options).ok());
  CompileResult cached = compile_rules({rules}, options);
  ASSERT_TRUE(cached.ok());
  EXPECT_TRUE(cached.rules->stats().rules_from_cache);
  Scanner scanner(cached.rules);
  Record cat = Record::from_text("小猫咪在沙发上睡觉，爪子还在动");
  EXPECT_EQ(scanner.scan(cat).decision, Decision::review);

  TrainOptions other = tiny_options();
  other.seed = 7;
  ASSERT_TRUE(train_model(tiny_corpus(), folder_ / "pets.bin", other).ok());
  CompileResult rebuilt = compile_rules({rules}, options);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_FALSE(rebuilt.rules->stats().rules_from_cache);
}

TEST_F(ModelRules, RuleInfoSaysWhichRulesUseAModel) {
  CompileResult result = compile(kCatsModel);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.rules->rule(0).uses_model);
}

}  // namespace
}  // namespace qinglang
