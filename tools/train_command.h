#pragma once

#include <string>
#include <vector>

#include "qinglang/model.h"

namespace qinglang::cli {

struct TrainSettings {
  std::vector<std::string> labelled;  // labelled JSONL: positives learn "item<N>", negatives "none"
  std::vector<std::string> benign;    // plain text, one record a line: all "none"
  std::size_t benign_max = 40000;     // per benign file, taken evenly through it
  std::string output;
  TrainOptions options;
  std::string command_line;  // for the manifest
};

// `qinglang train`: trains a model (docs/models.md), prints how it scores on the held-back examples, and
// writes the model and its manifest (OUTPUT with .manifest.json for its extension).
int run_train(const TrainSettings& settings);

}  // namespace qinglang::cli
