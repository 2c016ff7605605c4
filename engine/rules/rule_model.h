// The rule model: what the loader produces and the compiler consumes. Plain data, no Hyperscan types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "qinglang/diagnostic.h"
#include "qinglang/record.h"
#include "qinglang/taxonomy.h"
#include "rules/condition.h"
#include "text/normalizer.h"

namespace qinglang::detail {

inline constexpr std::uint32_t kNoNode = UINT32_MAX;

enum class PatternKind : std::uint8_t { words, regex, lookalike, any, all, at_least, near, model };

constexpr bool is_leaf(PatternKind kind) {
  return kind == PatternKind::words || kind == PatternKind::regex || kind == PatternKind::lookalike;
}

// A leaf pattern: the unit Hyperscan reports. Each leaf belongs to exactly one rule.
struct Leaf {
  PatternKind kind = PatternKind::words;
  std::uint32_t rule = 0;
  std::vector<std::string> texts;  // words, regexes or protected names
  int edits = 1;                   // for lookalike
  std::uint8_t views = 0;          // bit per View (normalizer.h): the views this leaf is matched against
  bool pinyin = false;             // words: also match their pinyin forms (word_forms.h)
  bool homophones = false;         // words: also match them with a character swapped for a homophone
  bool emoji = false;              // words: also match them with a character written as an emoji
  std::string list;                // words from a named list (`list:`): its name, for explanations
  bool whole = false;  // `whole: true`: only a match that is a whole token counts (is_whole_token)
  SourceLocation location;
};

constexpr std::uint8_t view_bit(View view) {
  return static_cast<std::uint8_t>(1u << static_cast<unsigned>(view));
}

// Words are matched with and without noise; regexes and look-alike names against the folded text only, since
// dropping noise would let them run across the punctuation that separates their parts.
constexpr std::uint8_t default_views(PatternKind kind) {
  return kind == PatternKind::words ? view_bit(View::folded) | view_bit(View::skeleton)
                                    : view_bit(View::folded);
}

// A `model:` pattern (docs/models.md): holds where the classifier gives `label` at least `min` for the text
// the rule looks at. Not a leaf: nothing is scanned for it, the evaluator asks the classifier.
struct ModelPart {
  std::uint32_t rule = 0;  // the rule it belongs to, for diagnostics
  std::uint32_t file = 0;  // index into RuleSetModel::model_files
  std::string label;
  float min = 0.5f;
  SourceLocation location;
};

// A model file the rules name, with its bytes: a compiled rule set carries its models.
struct ModelFile {
  std::string path;
  std::uint64_t hash = 0;
  std::string bytes;
};

// A node of a rule's pattern tree. Nodes of all rules live in one table; children refer to it by index.
struct PatternNode {
  PatternKind kind = PatternKind::any;
  std::uint32_t leaf = 0;  // leaf kinds: index into RuleSetModel::leaves; model: into model_parts
  std::vector<std::uint32_t> children;  // composite kinds
  std::uint32_t min_count = 0;          // at_least
  std::uint32_t within = 0;             // near: characters between the first and the last part
  bool ordered = false;                 // near
  bool anchor = false;       // `anchor: true`: the part of its `all` or `near` the rule is anchored on
  std::uint32_t weight = 1;  // `score:` of a part of an `at_least`: what finding it counts for
  SourceLocation location;
};

enum class Scope : std::uint8_t { field, record };

// A field selector from `fields:`: a key ("comments") or a prefix ("app.*").
struct FieldSelector {
  std::string key;
  bool prefix = false;

  bool selects(std::string_view field_key) const noexcept {
    if (!prefix) return field_key == key;
    return field_key.size() > key.size() && field_key.starts_with(key) && field_key[key.size()] == '.';
  }
};

struct Example {
  bool expect_match = true;
  Record record;
  std::vector<std::string> messages;  // a window rule's example: a stream, one message a second
  std::string text;                   // what failure reports show
  SourceLocation location;
};

// A window rule (`window:`) watches a stream rather than a text: it fires when the rules it counts fire on
// `count` messages, or one message is repeated `count` times, within the last `messages` messages and/or
// `seconds`.
struct Window {
  enum class Kind : std::uint8_t { hits, repeats };
  Kind kind = Kind::hits;
  std::uint32_t count = 0;
  std::vector<std::string> rule_ids;  // hits: the rules counted, as written; resolved by the compiler
  std::vector<int> items;             // hits: or every rule of these items in the window rule's category
  std::vector<std::uint32_t> rules;   // hits: the counted rules' indexes, sorted
  std::uint32_t messages = 0;         // 0: no limit in messages
  double seconds = 0;                 // 0: no limit in time
  SourceLocation location;
};

// One entry of `extract:`: when the rule fires on a field, the capture of the first match of the regex in
// the field's value is reported under `name`.
struct Extraction {
  std::string name;
  std::uint32_t regex = 0;  // index into RuleSetModel::re2_regexes; the regex has exactly one capture group
  SourceLocation location;
};

struct Rule {
  std::string id;
  Category category = Category::short_video_live;
  int item = 0;
  std::string title;
  Severity severity = Severity::medium;
  Action action = Action::review;
  std::vector<FieldSelector> fields;  // empty: every text field
  Scope scope = Scope::field;
  Scope unless_scope = Scope::field;
  std::uint8_t views = 0;          // from `views:`; 0 means each pattern's default
  bool pinyin = false;             // from `pinyin:`
  bool homophones = false;         // from `homophones:`
  bool numerals = false;           // from `numerals:`
  bool emoji = false;              // from `emoji:`
  std::uint32_t match = kNoNode;   // root node of `match`
  std::uint32_t unless = kNoNode;  // root node of `unless`
  // `not_after`: an occurrence of a `match` leaf does not count when this leaf matched ending at most
  // `guard_within` characters before it, in the same field (不含擦边款, 严禁代骂).
  std::uint32_t guard = kNoNode;
  std::uint32_t guard_within = 0;
  // A scoring rule (`score:`) does not decide by itself: when it fires it adds `score` to its item's total in
  // the record, and the item's thresholds turn the total into review or block.
  std::uint32_t score = 0;
  std::vector<Condition> conditions;
  std::vector<Extraction> extractions;  // from `extract:`, in the order written
  std::optional<Window> window;         // a window rule has neither `match` nor `where`
  std::vector<Example> examples;
  SourceLocation location;

  bool applies_to(std::string_view field_key) const noexcept {
    if (fields.empty()) return true;
    for (const FieldSelector& selector : fields)
      if (selector.selects(field_key)) return true;
    return false;
  }
};

// A file the rules were read from (a rule file or a words file), and a hash of its bytes (checksum_of).
struct SourceFile {
  std::string path;
  std::uint64_t hash = 0;
};

// A named list (`lists:`): words defined once and used by any rule of any file, with the forms its words
// also match wherever it is used in a `match`.
struct NamedList {
  std::vector<std::string> words;
  bool pinyin = false;
  bool homophones = false;
  bool emoji = false;
  SourceLocation location;
  bool used = false;
  bool warn_unused = true;  // false for a shared lists file read only because a rule file beside it was named
};

// What an item's total of scoring rules must reach (`thresholds:`); 0: that action is never taken.
struct Threshold {
  std::uint32_t review = 0;
  std::uint32_t block = 0;
  bool item_specific = false;  // given for the item, not for its whole category: it takes precedence
  SourceLocation location;

  bool set() const { return review != 0 || block != 0; }
};

struct RuleSetModel {
  std::vector<Rule> rules;
  std::vector<PatternNode> nodes;
  std::vector<Leaf> leaves;
  std::vector<Threshold> thresholds = std::vector<Threshold>(kItemCount + 1);  // by item number
  std::vector<ModelPart> model_parts;
  std::vector<ModelFile> model_files;
  // The regexes of `matches` conditions and `extract:` entries (re2_regexes.h), each distinct one once.
  std::vector<std::string> re2_regexes;
  // The variants of every look-alike name so far (lookalike_variant_count()): their compile cost, bounded.
  std::size_t lookalike_variants = 0;
};

// The first `model:` part under `node` (depth first), or kNoNode: whether a rule is decided by a model, and
// which.
inline std::uint32_t first_model_node(const RuleSetModel& model, std::uint32_t node) {
  if (node == kNoNode) return kNoNode;
  const PatternNode& n = model.nodes[node];
  if (n.kind == PatternKind::model) return node;
  for (std::uint32_t child : n.children)
    if (std::uint32_t found = first_model_node(model, child); found != kNoNode) return found;
  return kNoNode;
}

}  // namespace qinglang::detail
