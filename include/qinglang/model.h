// Text classifiers beside the rules: `qinglang train` writes them, `model:` patterns ask them
// (docs/models.md). A model is a fastText file; nothing of fastText shows here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "qinglang/record.h"
#include "qinglang/rules.h"
#include "qinglang/scanner.h"

namespace qinglang {

// What a model reads of a record: its text fields in record order, one line each. `qinglang train` and a
// `model:` pattern of a record-wide rule read the same text, so a model sees at scan time what it learned
// from.
std::string model_text(const Record& record);

// What weighed most in a model's hit (a hit whose `view` is "model"): the features of the text the model read
// that raised the hit's label the most, with what each added to its logit, the largest first; at most `top`.
// A feature is a character, a run of ASCII letters or digits, or two of them in a row joined by '+'. Empty
// for a hit of no model. Runtime library; for explanations, not the scan path.
std::vector<std::pair<std::string, float>> explain_model_hit(const CompiledRuleSet& rules,
                                                             const Record& record, const Hit& hit,
                                                             std::size_t top = 8);

// One labelled text to learn from: `label` is what the model is to answer, such as "item7", or "none" for
// text that violates nothing.
struct TrainingExample {
  std::string text;
  std::string label;
};

struct TrainOptions {
  // fastText's settings. The defaults suit a few thousand short texts per label.
  int dimensions = 32;
  int epochs = 25;
  double learning_rate = 0.5;
  int min_count = 2;  // a feature seen fewer times is not learned
  std::uint32_t seed = 1;
  // Every example whose text hashes into this share is held back from training and scored afterwards. By
  // hash, not by position: the same text is held back whatever order the files come in.
  double held_back = 0.1;
  // Quantized (.ftz): product-quantized vectors of at most `cutoff` features, the strongest; a tenth of the
  // size of the full model for a few points of accuracy at most.
  bool quantize = true;
  std::size_t cutoff = 100000;
};

// How the model scores on the held-back examples: each label's counts with the label predicted as the most
// probable one.
struct LabelScore {
  std::string label;
  std::size_t examples = 0;
  std::size_t true_positives = 0;
  std::size_t false_positives = 0;
};

struct TrainResult {
  std::string error;  // empty when the model was written
  std::size_t training_examples = 0;
  std::size_t held_back_examples = 0;
  std::vector<LabelScore> held_back_scores;  // by label, in the model's order
  std::uintmax_t model_bytes = 0;

  bool ok() const noexcept { return error.empty(); }
};

// Compiler library. Trains a model on `examples` with fastText, one thread and a fixed seed, so the same
// examples and options give the same file byte for byte, and writes it to `output`.
TrainResult train_model(std::span<const TrainingExample> examples, const std::filesystem::path& output,
                        const TrainOptions& options = {});

}  // namespace qinglang
