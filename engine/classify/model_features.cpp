#include "classify/model_features.h"

namespace qinglang::detail {

void append_model_features(std::string_view text, std::string& line) {
  ViewText folded, skeleton;
  Normalizer::instance().normalize(text.substr(0, kMaxModelInputBytes), folded, skeleton);
  std::string_view previous;
  for_each_model_token(folded.text(), [&](std::string_view token) {
    if (!line.empty() && line.back() != ' ') line += ' ';
    line += token;
    if (!previous.empty()) {
      line += ' ';
      line += previous;
      line += kPairJoiner;
      line += token;
    }
    previous = token;
  });
}

}  // namespace qinglang::detail
