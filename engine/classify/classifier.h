// A text classifier a rule can ask (`model:` in docs/rule-language.md): a fastText supervised model trained
// by `qinglang train` on the features of model_features.h.
//
// fastText's own predict() reads its input through an istream, allocates on every call and hashes every
// token twice; a scan asks the model about every record a model rule looks at. The model is linear up to
// its softmax: a label's logit is the mean, over the text's features, of that feature's input vector times
// the label's output vector. So each feature's contribution to every label is computed once, when the model
// is loaded, and a text costs one table lookup and one add of nlabels floats per feature. fastText still
// reads, trains and quantizes the model; a test checks that both give the same probabilities.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "text/normalizer.h"

namespace qinglang::detail {

// A text of fewer tokens gets the same probability for every label (Classifier::score): a bare name or a
// two-word title tells a model what a record is about, not what it does, and the model would be sure of
// nothing but the topic.
inline constexpr std::size_t kMinModelTokens = 12;

class Classifier {
 public:
  // Loads a model from the bytes of a .bin or .ftz file. Null, with `error` set, when fastText cannot read
  // it, or when it is not a supervised model of this kind (features as words, no subwords, no hashed
  // n-grams).
  static std::unique_ptr<Classifier> load(std::string_view bytes, std::string& error);

  // The labels, without fastText's "__label__" prefix, in the model's order.
  const std::vector<std::string>& labels() const noexcept { return labels_; }
  // The index of `label` in labels(), or -1.
  int label_index(std::string_view label) const noexcept;

  // Per-thread buffers, so that scoring allocates nothing once warm.
  struct Scratch {
    ViewText folded, skeleton;
    std::vector<std::int32_t> sums;
    std::vector<std::uint64_t> keys;
    std::vector<std::uint32_t> rows;
    std::size_t tokens = 0;
  };

  // Fills `probabilities` (resized to labels().size()) with the model's probability of each label for `text`
  // (at most kMaxModelInputBytes of it; the same for every label below kMinModelTokens). Never throws.
  void score(std::string_view text, Scratch& scratch, std::vector<float>& probabilities) const noexcept;
  // The same for a text already folded (the folded view, normalizer.h): a scan has folded every field.
  void score_folded(std::string_view folded, Scratch& scratch,
                    std::vector<float>& probabilities) const noexcept;

  // The features of `text` that pushed its score for `label` up the most, with what each added to the label's
  // logit (before the softmax), the largest first; at most `top` of them.
  std::vector<std::pair<std::string, float>> weightiest_features(std::string_view text, int label,
                                                                 std::size_t top) const;

 private:
  Classifier() = default;
  // The folded view of `text`'s opening (kMaxModelInputBytes), in scratch.folded.
  static std::string_view fold(std::string_view text, Scratch& scratch);
  // Calls visit(row) for each feature of the folded text the model knows, then for the end of the line.
  template <typename Visit>
  void for_each_folded_feature(std::string_view folded, Scratch& scratch, Visit&& visit) const;
  const std::int16_t* row(std::uint32_t index) const noexcept { return contributions_ + index * stride_; }
  float contribution(std::uint32_t index, std::size_t label) const noexcept {
    return row(index)[label] * scale_;
  }

  // A slot of the open-addressing table from a feature's hash to its row; key 0 marks an empty slot. Key and
  // row share a slot, so that finding a feature costs one cache miss, and reading its row one more.
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t row = 0;
  };

  std::vector<std::string> labels_;
  std::vector<std::string> words_;  // by row: the feature, for explanations
  std::vector<Slot> slots_;
  // Each row's contributions to every label's logit, as multiples of scale_: a row of 16-bit numbers padded
  // to a multiple of 32 fills whole cache lines (one, up to 32 labels), where floats took two or more. The
  // rounding moves a logit by far less than a feature's weight.
  std::vector<std::int16_t> storage_;
  const std::int16_t* contributions_ = nullptr;  // storage_'s first 64-byte boundary
  std::size_t stride_ = 0;
  float scale_ = 1;
  std::int64_t end_of_line_row_ = -1;  // fastText reads a newline as a word of its own, "</s>"
};

}  // namespace qinglang::detail
