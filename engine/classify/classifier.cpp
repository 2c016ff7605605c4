#include "classify/classifier.h"

#include <fasttext/fasttext.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <sstream>

#include "classify/model_features.h"

namespace qinglang::detail {
namespace {

constexpr std::string_view kLabelPrefix = "__label__";

// FNV-1a over bytes: features are a few bytes long, and a pair's hash continues its first token's.
constexpr std::uint64_t kHashStart = 0xcbf29ce484222325ULL;
std::uint64_t continue_hash(std::uint64_t hash, std::string_view bytes) {
  for (char c : bytes)
    hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return hash;
}
// 0 marks an empty slot.
std::uint64_t slot_key(std::uint64_t hash) {
  return hash | 1;
}

}  // namespace

std::unique_ptr<Classifier> Classifier::load(std::string_view bytes, std::string& error) {
  // loadModel(istream) reads what follows fastText's file header; loadModel(path) checks the header first.
  constexpr std::int32_t kMagic = 793712314, kVersion = 12;
  std::int32_t header[2] = {0, 0};
  if (bytes.size() >= sizeof header) std::memcpy(header, bytes.data(), sizeof header);
  if (header[0] != kMagic || header[1] != kVersion) {
    error = "not a fastText model file (of fastText's format version 12)";
    return nullptr;
  }
  fasttext::FastText model;
  try {
    std::istringstream in{std::string(bytes.substr(sizeof header))};
    model.loadModel(in);
    if (!in) {
      error = "the model file is cut short";
      return nullptr;
    }
    fasttext::Args args = model.getArgs();
    if (args.model != fasttext::model_name::sup || args.loss != fasttext::loss_name::softmax ||
        args.maxn != 0 || args.wordNgrams != 1) {
      error = "not a model `qinglang train` writes (a softmax classifier of whole features)";
      return nullptr;
    }
    std::shared_ptr<const fasttext::Dictionary> dictionary = model.getDictionary();
    std::shared_ptr<const fasttext::DenseMatrix> output = model.getOutputMatrix();
    auto classifier = std::unique_ptr<Classifier>(new Classifier);
    std::size_t labels = static_cast<std::size_t>(dictionary->nlabels());
    if (labels == 0 || output->rows() != dictionary->nlabels()) {
      error = "the model has no labels";
      return nullptr;
    }
    for (std::int32_t l = 0; l < dictionary->nlabels(); ++l) {
      std::string label = dictionary->getLabel(l);
      if (label.starts_with(kLabelPrefix)) label.erase(0, kLabelPrefix.size());
      classifier->labels_.push_back(std::move(label));
    }
    std::size_t rows = static_cast<std::size_t>(dictionary->nwords());
    std::int64_t dim = output->cols();
    std::vector<float> logits(rows * labels);
    fasttext::Vector vector(dim);
    float largest = 0;
    for (std::size_t row = 0; row < rows; ++row) {
      model.getInputVector(vector, static_cast<std::int32_t>(row));
      for (std::size_t l = 0; l < labels; ++l) {
        double logit = 0;
        for (std::int64_t k = 0; k < dim; ++k)
          logit += double{output->at(static_cast<std::int64_t>(l), k)} * double{vector[k]};
        logits[row * labels + l] = static_cast<float>(logit);
        largest = std::max(largest, std::abs(static_cast<float>(logit)));
      }
      classifier->words_.push_back(dictionary->getWord(static_cast<std::int32_t>(row)));
    }
    Classifier& c = *classifier;
    c.stride_ = (labels + 31) / 32 * 32;
    c.scale_ = largest > 0 ? largest / 32767.0f : 1.0f;
    constexpr std::size_t kLine = 64 / sizeof(std::int16_t);
    c.storage_.assign(rows * c.stride_ + kLine, 0);
    std::size_t misalign = reinterpret_cast<std::uintptr_t>(c.storage_.data()) % 64 / sizeof(std::int16_t);
    std::int16_t* aligned = c.storage_.data() + (misalign == 0 ? 0 : kLine - misalign);
    c.contributions_ = aligned;
    for (std::size_t row = 0; row < rows; ++row)
      for (std::size_t l = 0; l < labels; ++l)
        aligned[row * c.stride_ + l] =
            static_cast<std::int16_t>(std::lround(logits[row * labels + l] / c.scale_));
    std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, 2 * rows));
    c.slots_.assign(capacity, Slot{});
    for (std::size_t row = 0; row < rows; ++row) {
      const std::string& word = c.words_[row];
      if (word == fasttext::Dictionary::EOS) c.end_of_line_row_ = static_cast<std::int64_t>(row);
      std::uint64_t key = slot_key(continue_hash(kHashStart, word));
      std::size_t slot = key & (capacity - 1);
      while (c.slots_[slot].key != 0 && c.slots_[slot].key != key)
        slot = (slot + 1) & (capacity - 1);
      c.slots_[slot] = {key, static_cast<std::uint32_t>(row)};
    }
    return classifier;
  } catch (const std::exception& e) {
    error = std::string("fastText cannot read it: ") + e.what();
    return nullptr;
  }
}

int Classifier::label_index(std::string_view label) const noexcept {
  auto it = std::find(labels_.begin(), labels_.end(), label);
  return it == labels_.end() ? -1 : static_cast<int>(it - labels_.begin());
}

// Hashes every feature first, then looks them all up: the table is larger than the processor's nearer
// caches, and lookups that do not wait on one another let their cache misses overlap.
std::string_view Classifier::fold(std::string_view text, Scratch& scratch) {
  scratch.folded.size = 0;
  scratch.skeleton.size = 0;
  Normalizer::instance().normalize(text.substr(0, kMaxModelInputBytes), scratch.folded, scratch.skeleton);
  return scratch.folded.text();
}

template <typename Visit>
void Classifier::for_each_folded_feature(std::string_view folded, Scratch& scratch, Visit&& visit) const {
  folded = folded.substr(0, kMaxModelInputBytes);
  std::vector<std::uint64_t>& keys = scratch.keys;
  keys.clear();
  const std::size_t mask = slots_.size() - 1;
  std::uint64_t previous = 0;
  bool first = true;
  scratch.tokens = 0;
  for_each_model_token(folded, [&](std::string_view token) {
    ++scratch.tokens;
    std::uint64_t hash = continue_hash(kHashStart, token);
    keys.push_back(slot_key(hash));
    if (!first) keys.push_back(slot_key(continue_hash(continue_hash(previous, {&kPairJoiner, 1}), token)));
    previous = hash;
    first = false;
  });
  for (std::uint64_t key : keys)
    __builtin_prefetch(&slots_[key & mask]);
  for (std::uint64_t key : keys) {
    for (std::size_t slot = key & mask; slots_[slot].key != 0; slot = (slot + 1) & mask) {
      if (slots_[slot].key == key) {
        visit(slots_[slot].row);
        break;
      }
    }
  }
  if (end_of_line_row_ >= 0) visit(static_cast<std::uint32_t>(end_of_line_row_));
}

void Classifier::score(std::string_view text, Scratch& scratch,
                       std::vector<float>& probabilities) const noexcept {
  score_folded(fold(text, scratch), scratch, probabilities);
}

void Classifier::score_folded(std::string_view folded, Scratch& scratch,
                              std::vector<float>& probabilities) const noexcept {
  std::size_t labels = labels_.size();
  scratch.sums.assign(stride_, 0);
  std::int32_t* sums = scratch.sums.data();
  std::size_t features = 0;
  std::vector<std::uint32_t>& rows = scratch.rows;
  rows.clear();
  for_each_folded_feature(folded, scratch, [&](std::uint32_t index) {
    __builtin_prefetch(row(index));
    rows.push_back(index);
  });
  // A bare name (儿童电话手表) says what a record is about, not what it does: too few tokens to judge.
  if (scratch.tokens < kMinModelTokens) rows.clear();
  for (std::uint32_t index : rows) {
    const std::int16_t* from = row(index);
    for (std::size_t l = 0; l < stride_; ++l)
      sums[l] += from[l];
    ++features;
  }
  probabilities.resize(labels);
  if (features == 0) {
    std::fill(probabilities.begin(), probabilities.end(), 1.0f / static_cast<float>(labels));
    return;
  }
  // The softmax of the mean, as fastText computes it.
  float scale = scale_ / static_cast<float>(features);
  float most = -INFINITY;
  for (std::size_t l = 0; l < labels; ++l) {
    probabilities[l] = static_cast<float>(sums[l]) * scale;
    most = std::max(most, probabilities[l]);
  }
  float total = 0;
  for (float& p : probabilities) {
    p = std::exp(p - most);
    total += p;
  }
  for (float& p : probabilities)
    p /= total;
}

std::vector<std::pair<std::string, float>> Classifier::weightiest_features(std::string_view text, int label,
                                                                           std::size_t top) const {
  std::vector<std::pair<std::string, float>> weights;
  if (label < 0 || static_cast<std::size_t>(label) >= labels_.size()) return weights;
  Scratch scratch;
  std::vector<std::uint32_t> rows;
  for_each_folded_feature(fold(text, scratch), scratch, [&](std::uint32_t row) { rows.push_back(row); });
  if (rows.empty()) return weights;
  // A label's logit is the mean of its features' contributions, less the mean over all labels: what sets one
  // label apart is its contribution against the others'.
  std::size_t labels = labels_.size();
  for (std::uint32_t index : rows) {
    float mean = 0;
    for (std::size_t l = 0; l < labels; ++l)
      mean += contribution(index, l);
    mean /= static_cast<float>(labels);
    float weight =
        (contribution(index, static_cast<std::size_t>(label)) - mean) / static_cast<float>(rows.size());
    const std::string& word = words_[index];
    if (word == fasttext::Dictionary::EOS) continue;
    auto same = std::find_if(weights.begin(), weights.end(), [&](const auto& w) { return w.first == word; });
    if (same != weights.end()) {
      same->second += weight;
    } else {
      weights.emplace_back(word, weight);
    }
  }
  std::stable_sort(weights.begin(), weights.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (weights.size() > top) weights.resize(top);
  return weights;
}

}  // namespace qinglang::detail
