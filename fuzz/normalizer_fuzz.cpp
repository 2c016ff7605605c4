// The normalizer on any bytes: its views are valid UTF-8, every character of a view comes from a character
// of the original (an origin inside it, on a character's first byte, never going back), and every span of a
// view maps back to a span inside the original. Scanning reports spans through that map.
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/utf8.h"
#include "fuzz_check.h"
#include "text/normalizer.h"

namespace {

using qinglang::detail::ViewText;

// Whether byte `i` of `text` starts a character, as the scanner reads it (an invalid byte is one of its own).
std::vector<bool> character_starts(std::string_view text) {
  std::vector<bool> starts(text.size() + 1, false);
  for (std::size_t i = 0; i < text.size();) {
    starts[i] = true;
    std::size_t length = qinglang::detail::valid_sequence_length(text.substr(i));
    i += length == 0 ? 1 : length;
  }
  starts[text.size()] = true;
  return starts;
}

void check_view(const ViewText& view, std::string_view original, const std::vector<bool>& original_starts) {
  std::string_view text = view.text();
  std::vector<bool> starts = character_starts(text);
  std::uint32_t previous = 0;
  std::vector<std::uint32_t> characters;
  for (std::uint32_t i = 0; i < text.size(); ++i) {
    if (!starts[i]) continue;
    FUZZ_CHECK(qinglang::detail::valid_sequence_length(text.substr(i)) > 0);
    std::uint32_t origin = view.origin(i);
    FUZZ_CHECK(origin < original.size());
    FUZZ_CHECK(original_starts[origin]);
    FUZZ_CHECK(origin >= previous);
    previous = origin;
    characters.push_back(i);
  }
  // Spans from each character to the end, and from the start to each character.
  for (std::size_t k = 0; k < characters.size(); ++k) {
    for (auto [first, last] :
         {std::pair{characters[0], characters[k]}, std::pair{characters[k], characters.back()}}) {
      std::uint32_t end = last + static_cast<std::uint32_t>(std::max<std::size_t>(
                                     1, qinglang::detail::valid_sequence_length(text.substr(last))));
      auto [start, stop] = qinglang::detail::Normalizer::original_span(view, original, first, end);
      FUZZ_CHECK(start < stop && stop <= original.size());
      FUZZ_CHECK(original_starts[start] && original_starts[stop]);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ViewText folded, skeleton, numerals;
  std::string_view original(reinterpret_cast<const char*>(data), size);
  const auto& normalizer = qinglang::detail::Normalizer::instance();
  std::vector<std::uint32_t> numeral_at;
  folded.size = skeleton.size = numerals.size = 0;
  normalizer.normalize(original, folded, skeleton, &numeral_at);
  normalizer.numerals(skeleton, numeral_at, numerals);
  std::vector<bool> original_starts = character_starts(original);
  check_view(folded, original, original_starts);
  check_view(skeleton, original, original_starts);
  check_view(numerals, original, original_starts);
  return 0;
}
