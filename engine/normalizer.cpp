#include "normalizer.h"

#include <algorithm>
#include <array>

#include "qinglang/normalize.h"
#include "utf8.h"

namespace qinglang::detail {
namespace {

struct FoldEntry {
  std::uint32_t code_point;
  const char* folded;
};
struct CodeRange {
  std::uint32_t first, last;
};

#include "normalization_tables.inc"

template <std::size_t N>
bool in_ranges(std::uint32_t cp, const CodeRange (&ranges)[N]) {
  auto it = std::upper_bound(std::begin(ranges), std::end(ranges), cp,
                             [](std::uint32_t value, const CodeRange& r) { return value < r.first; });
  return it != std::begin(ranges) && cp <= std::prev(it)->last;
}

// Decodes the well-formed sequence of `length` bytes at `p`.
std::uint32_t decode(const unsigned char* p, std::size_t length) {
  switch (length) {
    case 1:
      return p[0];
    case 2:
      return (p[0] & 0x1Fu) << 6 | (p[1] & 0x3Fu);
    case 3:
      return (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
    default:
      return (p[0] & 0x07u) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 | (p[3] & 0x3Fu);
  }
}

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

void append(ViewText& view, std::string_view bytes, std::uint32_t origin) {
  view.text.append(bytes);
  view.origin.insert(view.origin.end(), bytes.size(), origin);
}

// Appends to the skeleton, recording the noise dropped since its last character.
void append_skeleton(ViewText& view, std::string_view bytes, std::uint32_t origin, std::uint8_t& noise_run) {
  view.gap.push_back(noise_run);
  view.gap.insert(view.gap.end(), bytes.size() - 1, 0);
  noise_run = 0;
  append(view, bytes, origin);
}

}  // namespace

std::string_view to_string(View view) noexcept {
  static constexpr std::array<std::string_view, kViewCount> kNames = {"raw", "folded", "skeleton"};
  return kNames[static_cast<std::size_t>(view)];
}

const Normalizer& Normalizer::instance() {
  static const Normalizer normalizer;
  return normalizer;
}

Normalizer::Normalizer() : page_index_(0x110000 >> 8, 0), pages_(1) {
  pages_[0].fill(kIdentity);
  auto set = [&](std::uint32_t cp, std::uint16_t value) {
    std::uint16_t& page = page_index_[cp >> 8];
    if (page == 0) {
      page = static_cast<std::uint16_t>(pages_.size());
      pages_.push_back(pages_[0]);
    }
    pages_[page][cp & 0xFF] = value;
  };
  for (const CodeRange& r : kNoiseRanges)
    for (std::uint32_t cp = r.first; cp <= r.last; ++cp)
      set(cp, kNoise);
  for (const CodeRange& r : kInvisibleRanges)
    for (std::uint32_t cp = r.first; cp <= r.last; ++cp)
      set(cp, kInvisible);
  for (const FoldEntry& e : kFoldEntries) {
    Entry entry{e.folded, {}};
    // The skeleton of a folded form drops its noise characters; folded forms are valid UTF-8.
    std::string_view folded = entry.folded;
    for (std::size_t i = 0; i < folded.size();) {
      std::size_t n = valid_sequence_length(folded.substr(i));
      std::uint32_t cp = decode(reinterpret_cast<const unsigned char*>(folded.data() + i), n);
      if (!in_ranges(cp, kNoiseRanges) && !in_ranges(cp, kInvisibleRanges))
        entry.skeleton.append(folded.substr(i, n));
      i += n;
    }
    entries_.push_back(std::move(entry));
    set(e.code_point, static_cast<std::uint16_t>(kFirstEntry + entries_.size() - 1));
  }
}

void Normalizer::normalize(std::string_view text, ViewText& folded, ViewText& skeleton) const {
  folded.clear();
  skeleton.clear();
  folded.text.reserve(text.size());
  folded.origin.reserve(text.size());
  skeleton.text.reserve(text.size());
  skeleton.origin.reserve(text.size());
  skeleton.gap.reserve(text.size());
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::uint8_t noise_run = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto origin = static_cast<std::uint32_t>(i);
    std::size_t length = bytes[i] < 0x80 ? 1 : valid_sequence_length(text.substr(i));
    if (length == 0) {  // an invalid byte reads as U+FFFD: noise
      append(folded, kReplacementCharacter, origin);
      noise_run = static_cast<std::uint8_t>(std::min(noise_run + 1, 255));
      ++i;
      continue;
    }
    std::string_view source = text.substr(i, length);
    std::uint16_t kind = classify(decode(bytes + i, length));
    i += length;
    if (kind == kIdentity) {
      append(folded, source, origin);
      append_skeleton(skeleton, source, origin, noise_run);
    } else if (kind == kNoise) {
      append(folded, source, origin);
      noise_run = static_cast<std::uint8_t>(std::min(noise_run + 1, 255));
    } else if (kind >= kFirstEntry) {
      const Entry& entry = entries_[kind - kFirstEntry];
      append(folded, entry.folded, origin);
      if (entry.skeleton.empty()) {
        noise_run = static_cast<std::uint8_t>(std::min(noise_run + 1, 255));
      } else {
        append_skeleton(skeleton, entry.skeleton, origin, noise_run);
      }
    }
  }
}

std::string Normalizer::fold(std::string_view word) const {
  ViewText folded, skeleton;
  normalize(word, folded, skeleton);
  return std::move(folded.text);
}

std::string Normalizer::skeleton(std::string_view word) const {
  ViewText folded, skeleton;
  normalize(word, folded, skeleton);
  return std::move(skeleton.text);
}

std::pair<std::uint32_t, std::uint32_t> Normalizer::original_span(const ViewText& view,
                                                                  std::string_view original,
                                                                  std::uint32_t view_start,
                                                                  std::uint32_t view_end) {
  std::uint32_t start = view.origin[view_start];
  std::uint32_t last = view.origin[view_end - 1];
  std::size_t length = valid_sequence_length(original.substr(last));
  return {start, last + static_cast<std::uint32_t>(length == 0 ? 1 : length)};
}

bool Normalizer::noise_runs_are_short(const ViewText& skeleton, std::uint32_t view_start,
                                      std::uint32_t view_end) {
  for (std::uint32_t i = view_start + 1; i < view_end; ++i)
    if (skeleton.gap[i] > kMaxNoiseRun) return false;
  return true;
}

}  // namespace qinglang::detail

namespace qinglang {

TextViews normalized_views(std::string_view text) {
  detail::ViewText folded, skeleton;
  detail::Normalizer::instance().normalize(text, folded, skeleton);
  return {std::move(folded.text), std::move(skeleton.text)};
}

}  // namespace qinglang
