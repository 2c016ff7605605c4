// How often each word a rule could be anchored on occurs in a sample of the content to be scanned
// (CompileOptions::anchor_sample): the sample is put in every view the scanner builds, and each view is
// scanned once for its literals, on every core.
#include <hs/hs.h>

#include "base/parallel.h"
#include "base/utf8.h"
#include "compile/compiler_internal.h"
#include "text/normalizer.h"

namespace qinglang::detail {
namespace {

// The sample as each view shows it, field by field, with the separators no match may span.
std::array<std::string, kViewCount> views_of(std::string_view sample) {
  ViewText folded, skeleton, numerals;
  std::vector<std::uint32_t> numeral_positions;
  std::string raw, repaired;
  const Normalizer& normalizer = Normalizer::instance();
  for (std::size_t begin = 0; begin < sample.size();) {
    std::size_t end = std::min(sample.find('\n', begin), sample.size());
    std::string_view field = sample.substr(begin, end - begin);
    begin = end + 1;
    if (field.empty()) continue;
    if (!is_valid_utf8(field)) {
      replace_invalid_bytes(field, '?', repaired);
      field = repaired;
    }
    raw.append(field).push_back('\n');
    normalizer.normalize(field, folded, skeleton, &numeral_positions);
    Normalizer::append_separator(folded);
    Normalizer::append_separator(skeleton);
  }
  normalizer.numerals(skeleton, numeral_positions, numerals);
  return {std::move(raw), std::string(folded.text()), std::string(skeleton.text()),
          std::string(numerals.text())};
}

int count_match(unsigned int id, unsigned long long, unsigned long long, unsigned int, void* counts) {
  ++(*static_cast<std::vector<std::uint32_t>*>(counts))[id];
  return 0;
}

// Each pattern's matches in `text`, added to `counts` (by pattern id); false when Hyperscan has no scratch.
bool count_matches(const hs_database_t* database, const std::string& text,
                   std::vector<std::uint32_t>& counts) {
  hs_scratch_t* raw_scratch = nullptr;
  if (hs_alloc_scratch(database, &raw_scratch) != HS_SUCCESS) return false;
  ScratchPtr scratch(raw_scratch);
  // Hyperscan takes at most 4 GiB per call; a sample is far smaller, but is cut into calls all the same.
  constexpr std::size_t kChunk = std::size_t{1} << 30;
  for (std::size_t at = 0; at < text.size(); at += kChunk)
    hs_scan(database, text.data() + at, static_cast<unsigned>(std::min(kChunk, text.size() - at)), 0,
            scratch.get(), count_match, &counts);
  return true;
}

}  // namespace

// Every pattern of a view is counted, whatever its leaves: a sample of a few megabytes scans in a fraction of
// the time the view's databases take to build. A regex counts each end it matches at.
void Compiler::count_in_sample(std::string_view sample) {
  std::array<std::string, kViewCount> texts = views_of(sample);
  sample_characters_ = static_cast<double>(
      std::count_if(sample.begin(), sample.end(), [](char c) { return (c & 0xC0) != 0x80 && c != '\n'; }));
  run_on_every_core(2 * kViewCount, [&](std::size_t task) {
    std::size_t v = task / 2;
    auto view = static_cast<View>(v);
    bool literals = task % 2 == 0;
    if (texts[v].empty()) return;
    // A database that cannot be built leaves the guess in place; build_databases() reports why, if it is an
    // error of the rules.
    DatabasePtr database;
    std::vector<Diagnostic> ignored;
    bool built = literals ? build_literal_database(view, std::nullopt, database, ignored)
                          : build_regex_database(view, std::nullopt, kDetectorFlags, database, ignored);
    if (!built || !database) return;
    std::vector<std::uint32_t>& counts = literals ? sample_counts_[v] : sample_regex_counts_[v];
    counts.assign(literals ? patterns_[v].literals.size() : patterns_[v].regexes.size(), 0);
    if (!count_matches(database.get(), texts[v], counts)) counts.clear();
  });
}

}  // namespace qinglang::detail
