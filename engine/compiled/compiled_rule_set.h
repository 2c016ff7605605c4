// The compiled form of a rule set: the rule model plus Hyperscan databases and the tables that map each
// Hyperscan pattern id back to the leaves that asked for it. The compiler (compile/) builds it, the compiled
// file (compiled_file.h) stores and loads it, the scanner (scan/) reads it: it sits below all three, in the
// runtime library.
#pragma once

#include <hs/hs.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "classify/classifier.h"
#include "qinglang/rules.h"
#include "rules/re2_regexes.h"
#include "rules/rule_model.h"
#include "text/evasion.h"

namespace qinglang::detail {

// Frees a Hyperscan database when its owner goes.
struct DatabaseDeleter {
  void operator()(hs_database_t* db) const noexcept { hs_free_database(db); }
};
using DatabasePtr = std::unique_ptr<hs_database_t, DatabaseDeleter>;

struct ScratchDeleter {
  void operator()(hs_scratch_t* scratch) const noexcept { hs_free_scratch(scratch); }
};
using ScratchPtr = std::unique_ptr<hs_scratch_t, ScratchDeleter>;

// Where a literal's matches go: a leaf, and which form of the leaf's word the literal is. Generated forms are
// reported as such; pinyin forms must also stand alone (word_forms.h).
struct LiteralTarget {
  std::uint32_t leaf = 0;
  Form form = Form::word;  // the word itself, or a generated form
};

// Where a regex pattern's matches go. A look-alike expansion carries the protected name: an exact match of it
// (or a match overlapping it) is the real app, not a look-alike.
struct RegexTarget {
  // The leaves that wrote it: one regex serves them all (the same names' look-alikes in several rules), as
  // one literal serves every leaf that lists its word.
  std::vector<std::uint32_t> leaves;
  std::string exact_name;                // empty for plain regexes
  std::uint32_t min_width = 0;           // the shortest match in bytes
  std::uint32_t max_width = UINT32_MAX;  // the longest match in bytes; UINT32_MAX when unbounded
};

// Which pass scans a pattern. A rule can fire only where one of its anchors matched: leaves that every match
// of the rule needs (each alternative of an `any`, the rarest part of an `all` or a `near`). The anchor tier
// holds every pattern of an anchor and is scanned over the whole batch. The rest (the context words of an
// `all`, the exceptions of `unless`) are deferred, one tier per category: a category's deferred tier is
// scanned only over the records where an anchor of that category's rules matched. Common words such as 视频,
// 孩子 or 举报 then cost nothing on the many posts where no rule can fire, and a post that only a social rule
// anchored is not scanned for the context words of the other five categories. A record that several
// categories anchored would be scanned once per category, though: when that would more than double the bytes
// scanned, the anchored records are scanned once with every deferred pattern instead (a long document that
// all six categories anchored).
//
// A rule bound by `fields` to fields other than `text` (an app's name, a report's notes) cannot fire in a
// `text` field, the one a plain text becomes and most records carry. The anchors only such rules need are
// field-bound: their tier is scanned only over the fields one of those rules names, so a feed of posts never
// pays for app-store look-alikes.
using Tier = std::uint8_t;
inline constexpr Tier kAnchorTier = 0;
inline constexpr Tier kAllDeferredTier = 1 + kAllCategories.size();
inline constexpr Tier kFieldBoundTier = 2 + kAllCategories.size();
inline constexpr std::size_t kTierCount = 3 + kAllCategories.size();
inline constexpr std::string_view kPlainTextField = "text";
constexpr Tier deferred_tier(Category category) {
  return static_cast<Tier>(1 + static_cast<unsigned>(category));
}

// One tier's databases over one view.
struct TierDatabases {
  // Every distinct word of every `words` leaf is one literal; several leaves may share it. Literal ids are
  // shared by the tiers: each tier's database holds its own subset of them.
  DatabasePtr literals;
  // Regexes and look-alike expansions, kept apart so the literal database stays fast. Start of match makes a
  // database four times slower, and regex matches are rare: a batch is scanned with the detector (no start of
  // match), and only the fields where it found something are rescanned by the locator.
  DatabasePtr regex_detector;
  DatabasePtr regex_locator;

  bool empty() const { return !literals && !regex_detector; }
};

// The databases that scan one view of the text, and what their pattern ids mean.
struct ViewDatabases {
  std::array<TierDatabases, kTierCount> tiers;        // by Tier
  std::vector<std::uint32_t> literal_length;          // by literal id: bytes in this view
  std::vector<std::uint32_t> literal_targets_offset;  // by literal id: range into literal_targets (CSR)
  std::vector<LiteralTarget> literal_targets;
  std::vector<RegexTarget> regex_targets;  // by regex id
  // Built by prepare_for_scanning when there are at most 64 gates (model_gate), else empty: by literal id,
  // the gates whose words it is (bit g for model_gates[g]), and its other targets (CSR), so that a common
  // word of many gates costs one mask on each match rather than a walk over every gate's leaf.
  std::vector<std::uint64_t> literal_gates;
  std::vector<std::uint32_t> literal_word_targets_offset;
  std::vector<LiteralTarget> literal_word_targets;

  bool empty() const {
    return std::all_of(tiers.begin(), tiers.end(), [](const TierDatabases& t) { return t.empty(); });
  }
};

// What a stream carries at least and at most, in original bytes (an unbounded regex is cut off there).
inline constexpr std::size_t kMinStreamHistory = 64;
inline constexpr std::size_t kMaxStreamHistory = 4096;

// What leaf_anchor says of a leaf: an anchor of its rule (scanned in every record; a match makes the record's
// category's deferred tier scanned), scanned everywhere without anchoring anything (the words of a rule that
// is evaluated in every record, as a model's rule is), or else deferred.
inline constexpr std::uint8_t kAnchorLeaf = 1;
inline constexpr std::uint8_t kEverywhereLeaf = 2;

// A rule that a model decides over the whole record (`scope: record`, no `fields`, no `where`, not a scoring
// rule): its `match` is a model part alone, or an `all` of one model part and one words pattern (or an `any`
// of them, as `list: [a, b]` is), the words saying where the model is worth asking. The matcher scores such a
// record before the deferred tiers (its words are scanned everywhere but anchor nothing), so that the model
// runs once per record, only where the words matched, and a record it flags is anchored as a word would
// anchor it: the rule's exceptions are then scanned there only.
struct ModelGate {
  std::uint32_t rule = kNoNode;
  std::uint32_t part = kNoNode;   // the model part
  std::uint32_t words = kNoNode;  // the words node, or kNoNode for a model alone
  std::uint32_t node = kNoNode;   // the model part's node
};

// What a gate found in a record (the matcher's gate states): its words matched, and it held (its words
// matched, or it has none, and the model's score reached its min).
inline constexpr std::uint8_t kGateWords = 1;
inline constexpr std::uint8_t kGateHeld = 2;

inline ModelGate model_gate(const RuleSetModel& model, std::uint32_t rule_index) {
  const Rule& rule = model.rules[rule_index];
  if (rule.match == kNoNode || rule.scope != Scope::record || !rule.fields.empty() ||
      !rule.conditions.empty() || rule.score != 0 || rule.window)
    return {};
  const PatternNode& match = model.nodes[rule.match];
  if (match.kind == PatternKind::model) return {rule_index, match.leaf, kNoNode, rule.match};
  if (match.kind != PatternKind::all || match.children.size() != 2) return {};
  auto words_only = [&](const PatternNode& node) {
    if (node.kind == PatternKind::words) return true;
    return node.kind == PatternKind::any &&
           std::all_of(node.children.begin(), node.children.end(),
                       [&](std::uint32_t child) { return model.nodes[child].kind == PatternKind::words; });
  };
  for (std::size_t i = 0; i < 2; ++i) {
    const PatternNode& words = model.nodes[match.children[i]];
    const PatternNode& part = model.nodes[match.children[1 - i]];
    if (words_only(words) && part.kind == PatternKind::model)
      return {rule_index, part.leaf, match.children[i], match.children[1 - i]};
  }
  return {};
}

// Calls visit(leaf) for each leaf of a gate's words node (ModelGate::words).
template <typename Visit>
void for_each_gate_leaf(const RuleSetModel& model, std::uint32_t words, Visit&& visit) {
  const PatternNode& node = model.nodes[words];
  if (node.kind == PatternKind::words) {
    visit(node.leaf);
    return;
  }
  for (std::uint32_t child : node.children)
    visit(model.nodes[child].leaf);
}

struct CompiledRuleSetData {
  RuleSetModel model;
  std::array<ViewDatabases, kViewCount> views;      // by View
  std::vector<Category> leaf_category;              // by leaf: its rule's category, checked on every match
  std::vector<std::uint8_t> leaf_anchor;            // by leaf: kAnchorLeaf, kEverywhereLeaf or 0 (Tier)
  std::vector<std::uint32_t> condition_only_rules;  // rules with `where` and no `match`: evaluated every scan
  // Rules that a `model:` part keeps from being anchored (a model alone, or beside words in an `any`):
  // evaluated in every record, as the classifier has no words to wait for.
  std::vector<std::uint32_t> model_rules;
  std::vector<std::uint32_t> window_rules;               // rules with `window`: streams only
  std::vector<std::uint32_t> field_bound_rules;          // rules whose `fields` leave out `text` (Tier)
  std::uint32_t most_repeats = 0;                        // the largest count of a `repeats` window; 0: none
  std::array<std::uint32_t, kViewCount> stream_reach{};  // by View: bytes of view a stream carries back
  // model.re2_regexes compiled, by index: built by prepare_for_scanning, never stored, since RE2 has no
  // serialized form and compiling the few regexes of `matches` and `extract` costs little.
  std::vector<Re2Ptr> re2;
  // model.model_files loaded, by index, and each model part's label in its classifier: built by
  // prepare_for_scanning, as re2 is; the model bytes are what the compiled file stores.
  std::vector<std::unique_ptr<Classifier>> classifiers;
  std::vector<int> model_part_labels;
  // The gates (model_gate) and the scores they read: for each record the matcher writes every label's score
  // of each model a gate reads, gate_scores_stride in all, a model's labels from gate_file_offset[file]
  // (UINT32_MAX for a model no gate reads), or -1 in all of them when no gate's words matched in it. By leaf,
  // the gate whose words it is (its index in model_gates), or UINT32_MAX. Built by prepare_for_scanning.
  std::vector<ModelGate> model_gates;
  std::vector<std::uint32_t> leaf_gate;
  std::vector<std::uint32_t> gate_file_offset;
  std::uint32_t gate_scores_stride = 0;
  // Scratch space for every database, allocated once: each scanner clones it, which costs a copy where
  // allocating for each database in turn costs a third of a cached start's Hyperscan work. Null when there
  // are no databases.
  ScratchPtr scratch;
  DatabaseStats stats;
};

// The way from a public CompiledRuleSet to its data and back, for the engine's own code: the public class
// keeps its data private.
struct CompiledRuleSetAccess {
  static const CompiledRuleSetData& data(const CompiledRuleSet& rules) noexcept { return *rules.data_; }
  static std::shared_ptr<const CompiledRuleSet> make(std::unique_ptr<CompiledRuleSetData> data);
};

inline const CompiledRuleSetData& data_of(const CompiledRuleSet& rules) noexcept {
  return CompiledRuleSetAccess::data(rules);
}

// Makes compiled or loaded data ready to scan with: compiles the RE2 regexes, allocates the scratch space
// every scanner clones and measures the databases (DatabaseStats). False, with error E010 when RE2 rejects a
// regex, E011 when Hyperscan cannot allocate the scratch space, or E019 when a model cannot be read or lacks
// a label a rule asks for.
bool prepare_for_scanning(CompiledRuleSetData& data, std::vector<Diagnostic>& diagnostics);

}  // namespace qinglang::detail
