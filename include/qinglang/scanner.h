// Scanning records against compiled rules.
#pragma once

#include <cstdint>
#include <memory>
#include <ranges>
#include <span>
#include <string_view>
#include <vector>

#include "qinglang/record.h"
#include "qinglang/rules.h"
#include "qinglang/stream.h"
#include "qinglang/taxonomy.h"

namespace qinglang {

namespace detail {
class ScannerCore;
}

// What a rule's `extract:` found in a hit's field (docs/rule-language.md): under the entry's name, what the
// regex's capture group captured in its first match in the field's value. `name` points into the
// CompiledRuleSet, `value` into the scanned Record.
struct Extracted {
  std::string_view name;
  std::string_view value;
};

// One rule that fired on one field. The views point into the CompiledRuleSet (the rule) and into the scanned
// Record (field, text); they stay valid while both live and the Scanner has not scanned again.
struct Hit {
  RuleRef rule;
  std::string_view field;  // the field's path, e.g. "comments[1]"
  std::uint32_t start;     // byte offsets into the field value; end exclusive; on UTF-8 boundaries
  std::uint32_t end;
  std::string_view text;  // the field value's bytes [start, end)
  // The evasion the match saw through, named as the verdict's `view` field names it (docs/records.md): a view
  // of the text it was found in, "raw" (as written), "folded", "skeleton" or "numerals", or the generated
  // form of the rule's word it matched, "pinyin", "homophone", "split" or "emoji"; or "model" when a
  // `model:` pattern was part of the evidence (docs/models.md).
  std::string_view view;
  // The named list (`lists:`) the evidence's words came from, "" for words written in the rule itself;
  // several lists of one pattern are named together ("minors, contact"). Explanations show it; verdicts do
  // not.
  std::string_view list;
  // A scoring rule's hit (`score:` in docs/rule-language.md): what the rule adds to its item's total, and the
  // total in the record that made `rule.action`. 0 for a rule that decides by itself.
  std::uint32_t score = 0;
  std::uint32_t item_score = 0;
  // A model's hit: the probability the model gave the rule's label (the highest, when several model parts
  // held); 0 for other hits.
  float model_score = 0;
  // What the rule's `extract:` found in the field, in the order the rule names them; empty when it has none
  // or none matched. Points into the Verdict's `extracted`.
  std::span<const Extracted> extracted;
};

// The result of scanning one record.
struct Verdict {
  Decision decision = Decision::pass;
  CategorySet categories;  // categories of the hits
  std::vector<Hit> hits;   // in field order, then by start offset
  // What every hit's `extracted` views, hit after hit: a copy of the Verdict has hits that still view the
  // original's.
  std::vector<Extracted> extracted;
  std::string_view error;  // set when the scan itself failed (the record is then unscanned); empty otherwise
};

// Scans records. Holds per-thread state (Hyperscan scratch, match buffers): create one per thread; it is
// not thread-safe, but many Scanners share one CompiledRuleSet. Movable, not copyable. After warm-up a scan
// allocates only when a batch holds more text, matches or hits than any before it, and when RE2 finds what a
// rule's `extract:` captures (on hits of such rules alone).
class Scanner {
 public:
  explicit Scanner(std::shared_ptr<const CompiledRuleSet> rules);
  ~Scanner();
  Scanner(Scanner&&) noexcept;
  Scanner& operator=(Scanner&&) noexcept;

  // Limits scans to these categories; other rules are skipped. The default is all categories.
  void restrict_to(CategorySet categories) noexcept;

  // Scans a record. The returned verdict is owned by the Scanner and valid until the next scan. Never throws.
  const Verdict& scan(const Record& record) noexcept;
  // The verdict's hits point into the record: a temporary one would be gone before they are read. Name the
  // record instead (Record record = Record::from_text(text); scanner.scan(record)).
  const Verdict& scan(const Record&& record) = delete;

  // Scans many records at once: verdicts[i] belongs to records[i], each exactly as scan() would give it.
  // Faster for many short records, since Hyperscan is called once per view for the whole batch rather than
  // several times per field. About a thousand records or 256 KB of text is fastest: larger batches outgrow
  // the processor's caches (qinglang scan uses those limits). The verdicts are owned by the Scanner and valid
  // until the next scan. Never throws.
  const std::vector<Verdict>& scan_batch(std::span<const Record> records) noexcept;
  // As scan(Record&&): the hits point into the records, so a temporary container of them (one that does not
  // merely view records living elsewhere, as a span does) is refused.
  template <std::ranges::range Records>
  requires(!std::ranges::borrowed_range<Records>) const std::vector<Verdict>& scan_batch(Records&& records) =
      delete;

  // Writes the next message of a stream (stream.h) and scans it together with the text the stream carries,
  // so a match split over messages is found. Returns what this write decided: pattern hits, window rules
  // that fired, or an error when the message is refused (out of order). The verdict and its texts are owned
  // by the Scanner and valid until its next scan, write or close. Never throws.
  const StreamVerdict& write(Stream& stream, const StreamMessage& message) noexcept;

  // Ends a stream: decides the matches still waiting for text after them, and frees what the stream
  // carries. Its summary stays readable; later writes are refused. Never throws.
  const StreamVerdict& close(Stream& stream) noexcept;

  const CompiledRuleSet& rules() const noexcept;

 private:
  std::unique_ptr<detail::ScannerCore> core_;
};

}  // namespace qinglang
