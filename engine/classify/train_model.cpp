// `qinglang train`: fastText trains and quantizes; this file only writes its input and scores its output.
#include <fasttext/fasttext.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "base/hash.h"
#include "classify/classifier.h"
#include "classify/model_features.h"
#include "qinglang/model.h"

namespace qinglang {
namespace {

// A temporary file removed when it goes out of scope: fastText trains from a file.
class TemporaryFile {
 public:
  TemporaryFile() {
    std::filesystem::path pattern = std::filesystem::temp_directory_path() / "qinglang-train-XXXXXX";
    std::string name = pattern.string();
    int fd = ::mkstemp(name.data());
    if (fd >= 0) {
      ::close(fd);
      path_ = name;
    }
  }
  ~TemporaryFile() {
    if (!path_.empty()) std::filesystem::remove(path_);
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

bool held_back(const TrainingExample& example, double share) {
  std::uint64_t hash = detail::checksum_of(example.text);
  return static_cast<double>(hash % 10000) < share * 10000.0;
}

}  // namespace

TrainResult train_model(std::span<const TrainingExample> examples, const std::filesystem::path& output,
                        const TrainOptions& options) {
  TrainResult result;
  TemporaryFile input;
  if (input.path().empty()) {
    result.error = "cannot create a temporary file for fastText's input";
    return result;
  }
  std::vector<const TrainingExample*> kept_back;
  {
    std::ofstream out(input.path(), std::ios::binary);
    std::string line;
    for (const TrainingExample& example : examples) {
      if (held_back(example, options.held_back)) {
        kept_back.push_back(&example);
        continue;
      }
      line = "__label__" + example.label + ' ';
      detail::append_model_features(example.text, line);
      line += '\n';
      out << line;
      ++result.training_examples;
    }
    if (!out.flush()) {
      result.error = "cannot write fastText's input to " + input.path();
      return result;
    }
  }
  result.held_back_examples = kept_back.size();
  if (result.training_examples == 0) {
    result.error = "no examples to train on";
    return result;
  }

  fasttext::Args args;
  args.input = input.path();
  args.model = fasttext::model_name::sup;
  args.loss = fasttext::loss_name::softmax;
  args.dim = options.dimensions;
  args.epoch = options.epochs;
  args.lr = options.learning_rate;
  args.minCount = options.min_count;
  args.seed = static_cast<int>(options.seed);
  // Features are whole words (model_features.h): no subwords, no hashed n-grams, so no buckets.
  args.wordNgrams = 1;
  args.minn = 0;
  args.maxn = 0;
  args.bucket = 0;
  // One thread: fastText's threads race on shared weights (Hogwild), so only one gives the same model twice.
  args.thread = 1;
  args.verbose = 0;
  fasttext::FastText model;
  try {
    model.train(args);
    if (options.quantize) {
      fasttext::Args quantize = args;
      quantize.qnorm = true;
      quantize.retrain = false;
      quantize.cutoff = options.cutoff;
      quantize.dsub = 2;
      model.quantize(quantize);
    }
    model.saveModel(output.string());
  } catch (const std::exception& e) {
    result.error = std::string("fastText: ") + e.what();
    return result;
  }

  std::ifstream written(output, std::ios::binary);
  std::ostringstream bytes;
  bytes << written.rdbuf();
  if (!written) {
    result.error = "cannot read back " + output.string();
    return result;
  }
  result.model_bytes = bytes.view().size();
  std::string error;
  std::unique_ptr<detail::Classifier> classifier = detail::Classifier::load(bytes.view(), error);
  if (!classifier) {
    result.error = "the model written cannot be read: " + error;
    return result;
  }
  for (const std::string& label : classifier->labels())
    result.held_back_scores.push_back({label, 0, 0, 0});
  detail::Classifier::Scratch scratch;
  std::vector<float> probabilities;
  for (const TrainingExample* example : kept_back) {
    classifier->score(example->text, scratch, probabilities);
    std::size_t best = static_cast<std::size_t>(std::max_element(probabilities.begin(), probabilities.end()) -
                                                probabilities.begin());
    int truth = classifier->label_index(example->label);
    if (truth >= 0) ++result.held_back_scores[static_cast<std::size_t>(truth)].examples;
    if (static_cast<int>(best) == truth) {
      ++result.held_back_scores[best].true_positives;
    } else {
      ++result.held_back_scores[best].false_positives;
    }
  }
  return result;
}

}  // namespace qinglang
