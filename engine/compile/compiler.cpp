// Rule model → Hyperscan databases, with checks that need Hyperscan (regex syntax, empty matches) and lints.
#include "compile/compiler.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>

#include "base/hash.h"
#include "base/parallel.h"
#include "cache/database_cache.h"
#include "compile/compiled_rule_set.h"
#include "compile/regex_literals.h"
#include "rules/rule_loader.h"
#include "text/lookalike.h"
#include "text/split_characters.h"
#include "text/word_forms.h"

namespace qinglang {

struct CompiledRuleSetFactory {
  static std::shared_ptr<const CompiledRuleSet> make(std::unique_ptr<detail::CompiledRuleSetData> data) {
    return std::shared_ptr<const CompiledRuleSet>(new CompiledRuleSet(std::move(data)));
  }
};

namespace detail {
namespace {

constexpr unsigned kLiteralFlags = HS_FLAG_CASELESS;
// UTF-8 mode makes classes and `.` work per character; Unicode properties (UCP) are left out: they made the
// regex databases half as fast, and the folded view has already turned full-width digits and spaces into
// ASCII.
constexpr unsigned kRegexFlags = HS_FLAG_UTF8;
// Reports every match, not one per pattern: in a batch, each field with a match must be found.
constexpr unsigned kDetectorFlags = kRegexFlags;
constexpr unsigned kLocatorFlags = kRegexFlags | HS_FLAG_SOM_LEFTMOST;

struct ErrorDeleter {
  void operator()(hs_compile_error_t* e) const noexcept { hs_free_compile_error(e); }
};
using CompileErrorPtr = std::unique_ptr<hs_compile_error_t, ErrorDeleter>;

// What Hyperscan says of an expression: accepted or not, and how short and long its matches are (the scanner
// locates a detected match by rescanning only max_width bytes back from its end).
struct ExpressionInfo {
  std::string error;  // empty when accepted
  unsigned min_width = 0;
  std::uint32_t max_width = UINT32_MAX;  // UINT32_MAX when unbounded or rejected
};

ExpressionInfo expression_info(const std::string& regex) {
  ExpressionInfo result;
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* raw_error = nullptr;
  if (hs_expression_info(regex.c_str(), kRegexFlags, &info, &raw_error) != HS_SUCCESS) {
    CompileErrorPtr error(raw_error);
    result.error = error->message;
    return result;
  }
  result.min_width = info->min_width;
  result.max_width = info->max_width;
  std::free(info);
  return result;
}

class Compiler {
 public:
  // `serialized_model` goes into the cache file beside the databases (model_cache.h); empty: none. A model
  // that did not come from the cache file is written to it even when the databases did.
  Compiler(RuleSetModel model, std::vector<Diagnostic>& diagnostics, std::string serialized_model = {},
           bool model_from_cache = false)
      : data_(std::make_unique<CompiledRuleSetData>()),
        diagnostics_(diagnostics),
        serialized_model_(std::move(serialized_model)),
        model_from_cache_(model_from_cache) {
    data_->model = std::move(model);
  }

  std::unique_ptr<CompiledRuleSetData> compile(const CompileOptions& options);

 private:
  // The patterns of one view, before compilation.
  struct ViewPatterns {
    std::vector<std::pair<std::string, LiteralTarget>> added;  // every literal as collected, in order
    std::vector<std::string> literals;  // the distinct words, sorted: index = literal id (group_literals)
    std::vector<std::string> regexes;   // by regex id, parallel to ViewDatabases::regex_targets
    std::map<std::pair<std::string, std::string>, std::uint32_t> regex_ids;  // by regex and exact name
    // The tiers that scan each pattern, a bit per Tier (assign_tiers).
    std::vector<std::uint32_t> literal_tiers;  // by literal id
    std::vector<std::uint32_t> regex_tiers;    // by regex id
  };

  void report(DiagnosticLevel level, std::string code, std::string message, const Rule& rule,
              const SourceLocation& where) {
    diagnostics_.push_back({level, std::move(code), std::move(message), where, rule.id});
  }

  void collect_patterns();
  void choose_anchors();
  double anchor_leaves(std::uint32_t node, const std::vector<double>& leaf_rate,
                       std::vector<std::uint32_t>& out);
  void assign_tiers();
  static void add_literal(ViewPatterns& patterns, const std::string& word, LiteralTarget target);
  static void add_regex(ViewPatterns& patterns, ViewDatabases& dbs, const std::string& regex,
                        const std::string& exact_name, std::uint32_t leaf);
  void group_literals(View view);
  void warn_that_skeleton_broadens(const Leaf& leaf, const std::string& word, const std::string& skeleton);
  void check_regexes();
  void lint_rules();
  void resolve_windows();
  void analyse_regexes();
  void warn_if_regexes_match_single_characters();
  void measure_stream_history();
  bool build_databases();
  bool build_literal_database(View view, Tier tier, DatabasePtr& out, std::vector<Diagnostic>& errors) const;
  std::uint64_t cache_key() const;
  unsigned regex_flags(View view, unsigned kind_flags) const;
  bool build_regex_database(View view, Tier tier, unsigned flags, DatabasePtr& out,
                            std::vector<Diagnostic>& errors) const;

  // Each regex is analysed once: Hyperscan's analysis is most of the cost of loading rules from the cache.
  const ExpressionInfo& info_of(const std::string& regex) {
    auto it = expression_infos_.find(regex);
    if (it == expression_infos_.end()) it = expression_infos_.emplace(regex, expression_info(regex)).first;
    return it->second;
  }

  // A regex is split into literals once, not once for each view it is scanned in and again by the lint.
  const RegexSplit& split_of(std::string_view regex) {
    auto it = regex_splits_.find(regex);
    if (it == regex_splits_.end()) it = regex_splits_.emplace(regex, split_regex(regex)).first;
    return it->second;
  }

  std::unique_ptr<CompiledRuleSetData> data_;
  std::vector<Diagnostic>& diagnostics_;
  std::string serialized_model_;
  bool model_from_cache_;
  std::array<ViewPatterns, kViewCount> patterns_;
  std::map<std::string, ExpressionInfo, std::less<>> expression_infos_;
  std::map<std::string, RegexSplit, std::less<>> regex_splits_;
};

// Whether the skeleton view drops more of a word than its spaces: symbols or emoji that the folded view
// keeps.
bool skeleton_drops_symbols(std::string folded, const std::string& skeleton) {
  std::erase(folded, ' ');
  return folded != skeleton;
}

void Compiler::add_literal(ViewPatterns& patterns, const std::string& word, LiteralTarget target) {
  patterns.added.emplace_back(word, target);
}

// A regex already collected for another leaf serves this one too: Hyperscan would compile and run each copy.
void Compiler::add_regex(ViewPatterns& patterns, ViewDatabases& dbs, const std::string& regex,
                         const std::string& exact_name, std::uint32_t leaf) {
  auto [it, added] = patterns.regex_ids.try_emplace({regex, exact_name},
                                                    static_cast<std::uint32_t>(patterns.regexes.size()));
  if (added) {
    patterns.regexes.push_back(regex);
    dbs.regex_targets.push_back({{}, exact_name});
  }
  std::vector<std::uint32_t>& leaves = dbs.regex_targets[it->second].leaves;
  if (std::find(leaves.begin(), leaves.end(), leaf) == leaves.end()) leaves.push_back(leaf);
}

// Makes each distinct word one literal, in sorted order, with the leaves it serves (in the order they asked).
// A literal may serve several leaves, but each leaf once: as the word itself when it is also a generated
// form. Sorting a list beats a map keyed by word: a lexicon of 64k words loads in a fraction of the time.
void Compiler::group_literals(View view) {
  ViewPatterns& patterns = patterns_[static_cast<std::size_t>(view)];
  ViewDatabases& out = data_->views[static_cast<std::size_t>(view)];
  std::vector<std::pair<std::string, LiteralTarget>>& added = patterns.added;
  // Sorted by each word's first eight bytes held inline (big-endian, so integer order is byte order), the
  // full words compared only on a tie: indirect string comparisons missed the cache on every step.
  struct SortKey {
    std::uint64_t prefix;
    std::uint32_t index;
  };
  std::vector<SortKey> keys(added.size());
  for (std::uint32_t i = 0; i < keys.size(); ++i) {
    unsigned char bytes[8] = {};
    std::memcpy(bytes, added[i].first.data(), std::min<std::size_t>(8, added[i].first.size()));
    std::uint64_t prefix = 0;
    for (unsigned char b : bytes)
      prefix = prefix << 8 | b;
    keys[i] = {prefix, i};
  }
  std::sort(keys.begin(), keys.end(), [&](const SortKey& a, const SortKey& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    int c = added[a.index].first.compare(added[b.index].first);
    return c != 0 ? c < 0 : a.index < b.index;
  });
  std::vector<std::uint32_t> order(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i)
    order[i] = keys[i].index;
  out.literal_targets_offset.assign(1, 0);
  for (std::size_t i = 0; i < order.size();) {
    std::string& word = added[order[i]].first;
    std::size_t group = out.literal_targets.size();
    std::size_t j = i;
    for (; j < order.size() && added[order[j]].first == word; ++j) {
      const LiteralTarget& target = added[order[j]].second;
      auto existing = std::find_if(out.literal_targets.begin() + static_cast<std::ptrdiff_t>(group),
                                   out.literal_targets.end(),
                                   [&](const LiteralTarget& t) { return t.leaf == target.leaf; });
      if (existing == out.literal_targets.end()) {
        out.literal_targets.push_back(target);
      } else if (target.form == View::raw) {
        existing->form = View::raw;
      }
    }
    out.literal_length.push_back(static_cast<std::uint32_t>(word.size()));
    out.literal_targets_offset.push_back(static_cast<std::uint32_t>(out.literal_targets.size()));
    patterns.literals.push_back(std::move(word));
    i = j;
  }
  added = {};
}

// What a view shows of a pattern's text: words and names are folded the way the text is.
std::string text_for_view(const std::string& text, View view) {
  switch (view) {
    case View::folded:
      return Normalizer::instance().fold(text);
    case View::skeleton:
      return Normalizer::instance().skeleton(text);
    case View::numerals:
      return Normalizer::instance().numerals(text);
    default:
      return text;
  }
  return text;
}

void Compiler::collect_patterns() {
  CompiledRuleSetData& d = *data_;
  for (std::uint32_t leaf_index = 0; leaf_index < d.model.leaves.size(); ++leaf_index) {
    const Leaf& leaf = d.model.leaves[leaf_index];
    d.leaf_category.push_back(d.model.rules[leaf.rule].category);
    for (std::size_t v = 0; v < kViewCount; ++v) {
      auto view = static_cast<View>(v);
      if ((leaf.views & view_bit(view)) == 0) continue;
      ViewPatterns& patterns = patterns_[v];
      for (const std::string& text : leaf.texts) {
        if (leaf.kind == PatternKind::words) {
          std::string word;
          bool drops_symbols = false;
          if (view == View::folded || view == View::skeleton) {
            auto [folded, skeleton] = Normalizer::instance().forms(text);
            drops_symbols = skeleton_drops_symbols(folded, skeleton);
            word = view == View::folded ? std::move(folded) : std::move(skeleton);
          } else {
            word = text_for_view(text, view);
          }
          if (view == View::skeleton && drops_symbols) warn_that_skeleton_broadens(leaf, text, word);
          if (word.empty()) continue;  // a word of noise only has no skeleton
          // The skeleton view finds a word that holds no symbols wherever the folded view would: scanning
          // both would double the literal work for nothing. Pinyin forms stay in both, where each stands
          // alone.
          bool skeleton_suffices =
              view == View::folded && (leaf.views & view_bit(View::skeleton)) != 0 && !drops_symbols;
          if (!skeleton_suffices) {
            add_literal(patterns, word, {leaf_index, View::raw});
            if (leaf.homophones && view != View::raw)
              for (const std::string& variant : homophone_variants(word))
                add_literal(patterns, variant, {leaf_index, View::homophone});
            if (view != View::raw)
              for (const std::string& variant : split_character_variants(word))
                add_literal(patterns, variant, {leaf_index, View::split});
          }
          if (leaf.pinyin && view != View::raw)
            for (const std::string& variant : pinyin_variants(word))
              add_literal(patterns, variant, {leaf_index, View::pinyin});
          if (leaf.emoji && view == View::folded)
            for (const std::string& variant : emoji_variants(word))
              add_literal(patterns, variant, {leaf_index, View::emoji});
        } else if (leaf.kind == PatternKind::regex) {
          const RegexSplit& split = split_of(text);
          for (const std::string& literal : split.literals) {
            std::string word = text_for_view(literal, view);
            if (!word.empty()) add_literal(patterns, word, {leaf_index, View::raw});
          }
          for (const std::string& regex : split.regexes)
            add_regex(patterns, d.views[v], regex, {}, leaf_index);
        } else {
          std::string name = text_for_view(text, view);
          add_regex(patterns, d.views[v], lookalike_regex(name, leaf.edits), name, leaf_index);
        }
      }
    }
  }
  for (std::uint32_t r = 0; r < d.model.rules.size(); ++r) {
    const Rule& rule = d.model.rules[r];
    if (!rule.fields.empty() && !rule.applies_to(kPlainTextField)) d.field_bound_rules.push_back(r);
    if (rule.window) {
      d.window_rules.push_back(r);
      if (rule.window->kind == Window::Kind::repeats)
        d.most_repeats = std::max(d.most_repeats, rule.window->count);
    } else if (rule.match == kNoNode) {
      d.condition_only_rules.push_back(r);
    }
  }
}

// A window's rules are named by id or by item, across all files: known only once every file is loaded.
void Compiler::resolve_windows() {
  RuleSetModel& m = data_->model;
  std::map<std::string_view, std::uint32_t> index;
  for (std::uint32_t r = 0; r < m.rules.size(); ++r)
    index.emplace(m.rules[r].id, r);
  for (Rule& rule : m.rules) {
    if (!rule.window) continue;
    Window& window = *rule.window;
    for (const std::string& id : window.rule_ids) {
      auto it = index.find(id);
      if (it == index.end()) {
        report(DiagnosticLevel::error, "E014", "the window counts the unknown rule '" + id + "'", rule,
               window.location);
      } else if (m.rules[it->second].window) {
        report(DiagnosticLevel::error, "E014",
               "the window counts the window rule '" + id + "': windows count pattern rules", rule,
               window.location);
      } else {
        window.rules.push_back(it->second);
      }
    }
    for (int item : window.items) {
      std::size_t before = window.rules.size();
      for (std::uint32_t r = 0; r < m.rules.size(); ++r)
        if (!m.rules[r].window && m.rules[r].category == rule.category && m.rules[r].item == item)
          window.rules.push_back(r);
      if (window.rules.size() == before)
        report(DiagnosticLevel::warning, "W001",
               "no rule of item " + std::to_string(item) + " to count: the window can never fire", rule,
               window.location);
    }
    std::sort(window.rules.begin(), window.rules.end());
    window.rules.erase(std::unique(window.rules.begin(), window.rules.end()), window.rules.end());
  }
}

// How often a literal is expected to match, relative to one common Chinese character: each further character
// makes a match about eight times rarer. ASCII letters and digits tell less apart than a Chinese character,
// and a symbol less still. A guess from the literal alone, good enough to rank the parts of a rule.
double expected_rate(std::string_view literal) {
  double characters = 0;
  for (unsigned char c : literal) {
    if (c >= 0xC0) {
      characters += 1;
    } else if (c < 0x80) {
      characters += std::isalnum(c) ? 0.45 : 0.3;
    }
  }
  return std::pow(8.0, 1.0 - characters);
}

// Marks each rule's anchors (compiled_rule_set.h). A leaf's rate is the sum of its patterns' expected rates
// over every view and generated form it is scanned as; a regex the compiler could not turn into literals
// counts as one character. A literal counts once for each leaf it serves: the words many rules list are their
// common context (老师, 孩子, 视频), and each match of such a word costs an event per leaf.
void Compiler::choose_anchors() {
  CompiledRuleSetData& d = *data_;
  // Only the parts of an `all`, `near` or `at_least` are ranked: a lexicon of one word list has no choice to
  // make, and its cached start should not pay for one.
  std::vector<std::uint8_t> ranked(d.model.leaves.size(), 0);
  auto mark_ranked = [&](auto& self, std::uint32_t node_index, bool inside_choice) -> void {
    const PatternNode& node = d.model.nodes[node_index];
    if (is_leaf(node.kind)) {
      ranked[node.leaf] |= inside_choice;
      return;
    }
    bool choice = inside_choice || node.kind != PatternKind::any;
    for (std::uint32_t child : node.children)
      self(self, child, choice);
  };
  for (const Rule& rule : d.model.rules)
    if (rule.match != kNoNode) mark_ranked(mark_ranked, rule.match, false);

  std::vector<double> leaf_rate(d.model.leaves.size(), 0.0);
  for (std::size_t v = 0; v < kViewCount; ++v) {
    const ViewDatabases& dbs = d.views[v];
    const std::vector<std::string>& literals = patterns_[v].literals;
    for (std::size_t id = 0; id < literals.size(); ++id) {
      std::uint32_t first = dbs.literal_targets_offset[id], last = dbs.literal_targets_offset[id + 1];
      if (std::none_of(dbs.literal_targets.begin() + first, dbs.literal_targets.begin() + last,
                       [&](const LiteralTarget& t) { return ranked[t.leaf] != 0; }))
        continue;
      double rate = expected_rate(literals[id]) * (last - first);
      for (std::uint32_t t = first; t < last; ++t)
        leaf_rate[dbs.literal_targets[t].leaf] += rate;
    }
    for (const RegexTarget& target : dbs.regex_targets)
      for (std::uint32_t leaf : target.leaves)
        leaf_rate[leaf] += 1.0;
  }
  d.leaf_anchor.assign(d.model.leaves.size(), 0);
  std::vector<std::uint32_t> anchors;
  for (const Rule& rule : d.model.rules) {
    if (rule.match == kNoNode) continue;
    anchors.clear();
    anchor_leaves(rule.match, leaf_rate, anchors);
    for (std::uint32_t leaf : anchors)
      d.leaf_anchor[leaf] = 1;
  }
}

// Appends to `out` a set of leaves one of which matches wherever the node matches, chosen to match as rarely
// as the node's shape allows; returns that set's rate. `all` and `near` need every part, so the rarest part
// suffices (or the one its author marked `anchor: true`); `at_least n` of k needs all but n - 1 of its parts'
// sets, so the k - n + 1 rarest do.
double Compiler::anchor_leaves(std::uint32_t node_index, const std::vector<double>& leaf_rate,
                               std::vector<std::uint32_t>& out) {
  const PatternNode& node = data_->model.nodes[node_index];
  if (is_leaf(node.kind)) {
    out.push_back(node.leaf);
    return leaf_rate[node.leaf];
  }
  struct Choice {
    double rate;
    bool chosen;  // `anchor: true`: the author's choice comes before the guess
    std::vector<std::uint32_t> leaves;
  };
  std::vector<Choice> children;
  for (std::uint32_t child : node.children) {
    Choice choice{0, data_->model.nodes[child].anchor, {}};
    choice.rate = anchor_leaves(child, leaf_rate, choice.leaves);
    children.push_back(std::move(choice));
  }
  std::size_t needed = children.size();  // any
  if (node.kind == PatternKind::all || node.kind == PatternKind::near) {
    needed = 1;
  } else if (node.kind == PatternKind::at_least) {
    needed = children.size() - std::min<std::size_t>(children.size() - 1, node.min_count - 1);
  }
  std::stable_sort(children.begin(), children.end(), [](const Choice& a, const Choice& b) {
    return a.chosen != b.chosen ? a.chosen : a.rate < b.rate;
  });
  double rate = 0;
  for (std::size_t i = 0; i < needed; ++i) {
    rate += children[i].rate;
    out.insert(out.end(), children[i].leaves.begin(), children[i].leaves.end());
  }
  return rate;
}

// The tiers that scan each pattern. A literal or a regex: when any leaf it serves is an anchor, the anchor
// tier alone (its matches then reach every leaf it serves, anchors or not), or the field-bound tier when
// every leaf it serves is in the `match` of a field-bound rule; otherwise the deferred tier of each category
// whose leaves it serves, and the tier of all deferred patterns.
void Compiler::assign_tiers() {
  const CompiledRuleSetData& d = *data_;
  std::vector<std::uint8_t> field_bound_leaf(d.model.leaves.size(), 0);
  auto mark = [&](auto& self, std::uint32_t node_index) -> void {
    const PatternNode& node = d.model.nodes[node_index];
    if (is_leaf(node.kind)) field_bound_leaf[node.leaf] = 1;
    for (std::uint32_t child : node.children)
      self(self, child);
  };
  for (std::uint32_t rule : d.field_bound_rules)
    if (d.model.rules[rule].match != kNoNode) mark(mark, d.model.rules[rule].match);
  auto tiers_of_leaf = [&](std::uint32_t leaf) -> std::uint32_t {
    if (d.leaf_anchor[leaf]) return 1u << kAnchorTier;
    return 1u << deferred_tier(d.leaf_category[leaf]) | 1u << kAllDeferredTier;
  };
  auto tiers_of = [&](const auto& leaves) {
    std::uint32_t tiers = 0;
    bool bound = true;
    for (std::uint32_t leaf : leaves) {
      tiers |= tiers_of_leaf(leaf);
      bound = bound && field_bound_leaf[leaf];
    }
    if ((tiers & 1u << kAnchorTier) == 0) return tiers;
    return bound ? 1u << kFieldBoundTier : 1u << kAnchorTier;
  };
  std::vector<std::uint32_t> leaves;
  for (std::size_t v = 0; v < kViewCount; ++v) {
    const ViewDatabases& dbs = d.views[v];
    ViewPatterns& patterns = patterns_[v];
    patterns.literal_tiers.clear();
    for (std::size_t id = 0; id < patterns.literals.size(); ++id) {
      leaves.clear();
      for (std::uint32_t t = dbs.literal_targets_offset[id]; t < dbs.literal_targets_offset[id + 1]; ++t)
        leaves.push_back(dbs.literal_targets[t].leaf);
      patterns.literal_tiers.push_back(tiers_of(leaves));
    }
    patterns.regex_tiers.clear();
    for (const RegexTarget& target : dbs.regex_targets)
      patterns.regex_tiers.push_back(tiers_of(target.leaves));
  }
}

// How much of its text a stream must carry so that a match completed by a later message is still found whole,
// with the character before it (pinyin forms must not run on from letters) and, for a look-alike, the real
// name around it: per view, in view bytes (the stream finds where that lies in the original), and as a
// bound in original bytes, for sizing. A view character stands for one original character of up to four
// bytes (𝐚 is a), and in the skeleton it may follow kMaxNoiseRun noise characters of up to four bytes each.
void Compiler::measure_stream_history() {
  constexpr std::size_t kOriginalPerViewByte[kViewCount] = {1, 4, 4 + 4 * kMaxNoiseRun, 4 + 4 * kMaxNoiseRun};
  constexpr std::size_t kCharacterBefore = 4;
  CompiledRuleSetData& d = *data_;
  std::size_t history = kMinStreamHistory;
  std::size_t right_context = 0;
  std::vector<std::size_t> leaf_width(d.model.leaves.size());
  for (std::size_t v = 0; v < kViewCount; ++v) {
    std::fill(leaf_width.begin(), leaf_width.end(), 0);
    const ViewDatabases& dbs = d.views[v];
    for (std::size_t id = 0; id < dbs.literal_length.size(); ++id) {
      for (std::uint32_t t = dbs.literal_targets_offset[id]; t < dbs.literal_targets_offset[id + 1]; ++t) {
        const LiteralTarget& target = dbs.literal_targets[t];
        leaf_width[target.leaf] = std::max<std::size_t>(leaf_width[target.leaf], dbs.literal_length[id]);
        if (target.form == View::pinyin) right_context = std::max<std::size_t>(right_context, 4);
      }
    }
    for (const RegexTarget& target : d.views[v].regex_targets) {
      std::size_t width =
          std::min<std::size_t>(target.max_width, kMaxStreamHistory) + target.exact_name.size();
      for (std::uint32_t leaf : target.leaves)
        leaf_width[leaf] = std::max(leaf_width[leaf], width);
      right_context = std::max(right_context, 4 * target.exact_name.size());
    }
    std::size_t reach = kCharacterBefore;
    for (std::size_t width : leaf_width)
      reach = std::max(reach, width + kCharacterBefore);
    // A `near` needs its parts and the characters between them (at most four bytes each) carried together.
    for (const PatternNode& node : d.model.nodes) {
      if (node.kind != PatternKind::near) continue;
      std::size_t span = 4 * std::size_t{node.within} + kCharacterBefore;
      for (std::uint32_t child : node.children)
        span += leaf_width[d.model.nodes[child].leaf];
      reach = std::max(reach, span);
    }
    reach = std::min(reach, kMaxStreamHistory);
    d.stream_reach[v] = static_cast<std::uint32_t>(reach);
    history = std::max(history, reach * kOriginalPerViewByte[v]);
  }
  d.stats.stream_history_bytes = std::min(history, kMaxStreamHistory);
  d.stats.stream_right_context_bytes = right_context;
}

// A word holding symbols or emoji (nm$l, 你🐴死了) loses them in the skeleton view and matches far more than
// its author wrote; spaces are taken as meant to be optional.
void Compiler::warn_that_skeleton_broadens(const Leaf& leaf, const std::string& word,
                                           const std::string& skeleton) {
  report(DiagnosticLevel::warning, "W003",
         "the word '" + word + "' holds characters the skeleton view drops: it also matches '" + skeleton +
             "' (use views: [folded] to keep them)",
         data_->model.rules[leaf.rule], leaf.location);
}

// Checks each regex on its own, so that every bad one is reported, not only the first.
void Compiler::check_regexes() {
  for (const Leaf& leaf : data_->model.leaves) {
    if (leaf.kind != PatternKind::regex) continue;
    const Rule& rule = data_->model.rules[leaf.rule];
    for (const std::string& regex : leaf.texts) {
      const ExpressionInfo& info = info_of(regex);
      if (!info.error.empty())
        report(DiagnosticLevel::error, "E011", "regex '" + regex + "' rejected: " + info.error, rule,
               leaf.location);
      else if (info.min_width == 0)
        report(DiagnosticLevel::error, "E011", "regex '" + regex + "' can match the empty string", rule,
               leaf.location);
    }
  }
}

// The widths of every regex the databases hold: how far back the locator looks, and how much text a stream
// carries. Loaded with the databases from a cache, or worked out by Hyperscan here.
void Compiler::analyse_regexes() {
  for (std::size_t v = 0; v < kViewCount; ++v) {
    std::vector<RegexTarget>& targets = data_->views[v].regex_targets;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const ExpressionInfo& info = info_of(patterns_[v].regexes[i]);
      targets[i].min_width = info.min_width;
      targets[i].max_width = info.max_width;
    }
  }
}

// A regex's shortest match is the shortest of its parts: its literals and the regexes left of it, whose
// widths are known by now whether they came from a cache or from Hyperscan.
void Compiler::warn_if_regexes_match_single_characters() {
  std::map<std::string_view, std::uint32_t> min_width;
  for (std::size_t v = 0; v < kViewCount; ++v)
    for (std::size_t i = 0; i < patterns_[v].regexes.size(); ++i)
      min_width.emplace(patterns_[v].regexes[i], data_->views[v].regex_targets[i].min_width);
  for (const Leaf& leaf : data_->model.leaves) {
    if (leaf.kind != PatternKind::regex) continue;
    for (const std::string& regex : leaf.texts) {
      auto checked = expression_infos_.find(regex);
      if (checked != expression_infos_.end() &&
          (!checked->second.error.empty() || checked->second.min_width == 0))
        continue;  // an error already
      const RegexSplit& split = split_of(regex);
      std::size_t shortest = SIZE_MAX;
      for (const std::string& literal : split.literals)
        shortest = std::min(shortest, literal.size());
      for (const std::string& part : split.regexes)
        if (auto it = min_width.find(part); it != min_width.end())
          shortest = std::min<std::size_t>(shortest, it->second);
      if (shortest <= 1)
        report(DiagnosticLevel::warning, "W002",
               "regex '" + regex + "' can match a single character: it matches nearly everything",
               data_->model.rules[leaf.rule], leaf.location);
    }
  }
}

bool contradicts(const Condition& a, const Condition& b) {
  if (a.path != b.path) return false;
  if (a.op == ConditionOp::eq && b.op == ConditionOp::eq) {
    const ConditionValue &x = a.value, &y = b.value;
    return x.type != y.type || x.text != y.text || x.number != y.number || x.boolean != y.boolean;
  }
  auto lower = [](const Condition& c) { return c.op == ConditionOp::gt || c.op == ConditionOp::ge; };
  auto upper = [](const Condition& c) { return c.op == ConditionOp::lt || c.op == ConditionOp::le; };
  if (lower(a) && upper(b)) {
    bool both_inclusive = a.op == ConditionOp::ge && b.op == ConditionOp::le;
    return both_inclusive ? a.value.number > b.value.number : a.value.number >= b.value.number;
  }
  return lower(b) && upper(a) && contradicts(b, a);
}

// Finds rules that can never fire. Examples catch the rest.
void Compiler::lint_rules() {
  const RuleSetModel& m = data_->model;
  for (const Rule& rule : m.rules) {
    for (std::size_t i = 0; i < rule.conditions.size(); ++i)
      for (std::size_t j = i + 1; j < rule.conditions.size(); ++j)
        if (contradicts(rule.conditions[i], rule.conditions[j]))
          report(DiagnosticLevel::warning, "W001",
                 "conditions '" + rule.conditions[i].source + "' and '" + rule.conditions[j].source +
                     "' cannot both hold: the rule can never match",
                 rule, rule.location);

    if (rule.match == kNoNode || rule.unless == kNoNode) continue;
    const PatternNode& match = m.nodes[rule.match];
    const PatternNode& unless = m.nodes[rule.unless];
    if (match.kind != PatternKind::words || unless.kind != PatternKind::words ||
        (rule.unless_scope != Scope::field && rule.scope == Scope::field))
      continue;
    const Leaf& match_leaf = m.leaves[match.leaf];
    const Leaf& unless_leaf = m.leaves[unless.leaf];
    bool always_excepted =
        std::all_of(match_leaf.texts.begin(), match_leaf.texts.end(), [&](const std::string& w) {
          return std::any_of(unless_leaf.texts.begin(), unless_leaf.texts.end(),
                             [&](const std::string& u) { return w.find(u) != std::string::npos; });
        });
    if (always_excepted)
      report(DiagnosticLevel::warning, "W001",
             "every word of 'match' contains a word of 'unless': the rule can never match", rule,
             unless.location);
  }
}

// Hyperscan compiles each database on its own and keeps no state between compiles: the databases are built on
// every core, each a task, and errors are reported in task order whichever finished first.
bool Compiler::build_databases() {
  struct Task {
    View view;
    Tier tier;
    int kind;  // 0 literals, 1 regex detector, 2 regex locator
  };
  std::vector<Task> tasks;
  for (std::size_t v = 0; v < kViewCount; ++v)
    for (std::size_t t = 0; t < kTierCount; ++t)
      for (int kind = 0; kind < 3; ++kind)
        tasks.push_back({static_cast<View>(v), static_cast<Tier>(t), kind});
  std::vector<std::vector<Diagnostic>> errors(tasks.size());
  std::vector<std::uint8_t> built(tasks.size(), 0);
  run_on_every_core(tasks.size(), [&](std::size_t i) {
    const Task& task = tasks[i];
    TierDatabases& dbs = data_->views[static_cast<std::size_t>(task.view)].tiers[task.tier];
    built[i] = task.kind == 0 ? build_literal_database(task.view, task.tier, dbs.literals, errors[i])
               : task.kind == 1
                   ? build_regex_database(task.view, task.tier, kDetectorFlags, dbs.regex_detector, errors[i])
                   : build_regex_database(task.view, task.tier, kLocatorFlags, dbs.regex_locator, errors[i]);
  });
  for (std::vector<Diagnostic>& task_errors : errors)
    diagnostics_.insert(diagnostics_.end(), task_errors.begin(), task_errors.end());
  return std::all_of(built.begin(), built.end(), [](std::uint8_t ok) { return ok != 0; });
}

bool Compiler::build_literal_database(View view, Tier tier, DatabasePtr& out,
                                      std::vector<Diagnostic>& errors) const {
  const std::vector<std::string>& literals = patterns_[static_cast<std::size_t>(view)].literals;
  std::vector<const char*> expressions;
  std::vector<std::size_t> lengths;
  std::vector<unsigned> ids;
  for (std::size_t id = 0; id < literals.size(); ++id) {
    if ((patterns_[static_cast<std::size_t>(view)].literal_tiers[id] >> tier & 1) == 0) continue;
    ids.push_back(static_cast<unsigned>(id));
    expressions.push_back(literals[id].data());
    lengths.push_back(literals[id].size());
  }
  if (expressions.empty()) return true;
  std::vector<unsigned> flags(expressions.size(), kLiteralFlags);
  hs_database_t* db = nullptr;
  hs_compile_error_t* raw_error = nullptr;
  if (hs_compile_lit_multi(expressions.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr, &db,
                           &raw_error) != HS_SUCCESS) {
    CompileErrorPtr error(raw_error);
    errors.push_back({DiagnosticLevel::error,
                      "E011",
                      std::string("Hyperscan could not compile the word lists: ") + error->message,
                      {},
                      {}});
    return false;
  }
  out.reset(db);
  return true;
}

bool Compiler::build_regex_database(View view, Tier tier, unsigned pattern_flags, DatabasePtr& out,
                                    std::vector<Diagnostic>& errors) const {
  const std::vector<std::string>& regexes = patterns_[static_cast<std::size_t>(view)].regexes;
  std::vector<const char*> expressions;
  std::vector<unsigned> ids;
  for (std::size_t i = 0; i < regexes.size(); ++i) {
    if ((patterns_[static_cast<std::size_t>(view)].regex_tiers[i] >> tier & 1) == 0) continue;
    expressions.push_back(regexes[i].c_str());
    ids.push_back(static_cast<unsigned>(i));
  }
  if (expressions.empty()) return true;
  std::vector<unsigned> flags(expressions.size(), regex_flags(view, pattern_flags));
  hs_database_t* db = nullptr;
  hs_compile_error_t* raw_error = nullptr;
  if (hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr, &db,
                       &raw_error) != HS_SUCCESS) {
    CompileErrorPtr error(raw_error);
    auto position = static_cast<std::size_t>(error->expression);
    if (error->expression >= 0 && position < ids.size()) {
      std::size_t index = ids[position];
      const Leaf& leaf =
          data_->model
              .leaves[data_->views[static_cast<std::size_t>(view)].regex_targets[index].leaves.front()];
      errors.push_back({DiagnosticLevel::error, "E011",
                        "regex '" + regexes[index] + "' rejected: " + error->message, leaf.location,
                        data_->model.rules[leaf.rule].id});
    } else {
      errors.push_back({DiagnosticLevel::error,
                        "E011",
                        std::string("Hyperscan could not compile the regexes: ") + error->message,
                        {},
                        {}});
    }
    return false;
  }
  out.reset(db);
  return true;
}

unsigned Compiler::regex_flags(View view, unsigned kind_flags) const {
  // Normalized views are lower case: a regex written with capitals must still match them.
  return view == View::raw ? kind_flags : kind_flags | HS_FLAG_CASELESS;
}

// Everything that decides what the databases hold and where they run: every expression with its flags and id,
// per view and database (so rules, normalization tables and this compiler's own choices are all covered),
// plus Hyperscan's version and the CPU it tunes for.
std::uint64_t Compiler::cache_key() const {
  constexpr std::string_view kFormat = "qinglang database cache 10";
  Hasher hash;
  hash.add(kFormat);
  hash.add(hs_version());
  hs_platform_info_t platform{};
  hs_populate_platform(&platform);
  hash.add(&platform.tune, sizeof platform.tune);
  hash.add(&platform.cpu_features, sizeof platform.cpu_features);
  for (std::size_t v = 0; v < kViewCount; ++v) {
    auto view = static_cast<View>(v);
    hash.add(&kLiteralFlags, sizeof kLiteralFlags);
    for (std::size_t id = 0; id < patterns_[v].literals.size(); ++id) {
      hash.add(patterns_[v].literals[id]);
      hash.add(&patterns_[v].literal_tiers[id], sizeof(std::uint32_t));
    }
    for (unsigned flags : {regex_flags(view, kDetectorFlags), regex_flags(view, kLocatorFlags)}) {
      hash.add(&flags, sizeof flags);
      for (std::size_t i = 0; i < patterns_[v].regexes.size(); ++i) {
        hash.add(patterns_[v].regexes[i]);
        hash.add(&patterns_[v].regex_tiers[i], sizeof(std::uint32_t));
      }
    }
  }
  return hash.value();
}

std::unique_ptr<CompiledRuleSetData> Compiler::compile(const CompileOptions& options) {
  auto started = std::chrono::steady_clock::now();
  collect_patterns();
  for (std::size_t v = 0; v < kViewCount; ++v)
    group_literals(static_cast<View>(v));
  choose_anchors();
  assign_tiers();
  lint_rules();
  resolve_windows();
  if (has_errors(diagnostics_)) {
    // Every finding is reported in one run.
    check_regexes();
    analyse_regexes();
    warn_if_regexes_match_single_characters();
    return nullptr;
  }

  DatabaseStats& stats = data_->stats;
  std::uint64_t key = cache_key();
  if (!options.cache_file.empty()) {
    std::string why;
    stats.from_cache = read_database_cache(options.cache_file, key, *data_, why);
    if (!stats.from_cache && !why.empty())
      diagnostics_.push_back({DiagnosticLevel::warning,
                              "W004",
                              "database cache not used (" + why + "): rebuilding it",
                              {options.cache_file.string()},
                              {}});
  }
  // A cache holds exactly these patterns, so they compiled before: Hyperscan's analysis, most of a cached
  // start, is needed only without it.
  if (!stats.from_cache) {
    check_regexes();
    if (has_errors(diagnostics_)) return nullptr;
    analyse_regexes();
  }
  warn_if_regexes_match_single_characters();
  measure_stream_history();
  if (!stats.from_cache && !build_databases()) return nullptr;
  for (std::size_t v = 0; v < kViewCount; ++v) {
    stats.literal_patterns += patterns_[v].literals.size();
    stats.regex_patterns += patterns_[v].regexes.size();
    auto count = [&](std::uint32_t tiers) {
      return static_cast<std::size_t>(
          std::count(patterns_[v].literal_tiers.begin(), patterns_[v].literal_tiers.end(), tiers) +
          std::count(patterns_[v].regex_tiers.begin(), patterns_[v].regex_tiers.end(), tiers));
    };
    std::size_t first_pass = count(1u << kAnchorTier), field_bound = count(1u << kFieldBoundTier);
    stats.field_bound_patterns += field_bound;
    stats.deferred_patterns +=
        patterns_[v].literals.size() + patterns_[v].regexes.size() - first_pass - field_bound;
  }
  stats.rules_from_cache = model_from_cache_;
  bool model_is_new = !serialized_model_.empty() && !model_from_cache_;
  if (!options.cache_file.empty() && (!stats.from_cache || model_is_new)) {
    std::string problem = write_database_cache(options.cache_file, key, *data_, serialized_model_);
    if (!problem.empty())
      diagnostics_.push_back({DiagnosticLevel::warning,
                              "W004",
                              "database cache not written: " + problem,
                              {options.cache_file.string()},
                              {}});
  }

  hs_scratch_t* scratch = nullptr;
  for (DatabasePtr* db : cached_databases(*data_)) {
    if (!*db) continue;
    std::size_t size = 0;
    hs_database_size(db->get(), &size);
    stats.database_bytes += size;
    if (hs_alloc_scratch(db->get(), &scratch) != HS_SUCCESS) {
      diagnostics_.push_back(
          {DiagnosticLevel::error, "E011", "could not allocate Hyperscan scratch space", {}, {}});
      hs_free_scratch(scratch);
      return nullptr;
    }
  }
  data_->scratch.reset(scratch);
  stats.rules = data_->model.rules.size();
  if (scratch) hs_scratch_size(scratch, &stats.scratch_bytes);
  stats.engine_version = hs_version();
  stats.compile_milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return std::move(data_);
}

bool diagnostic_order(const Diagnostic& a, const Diagnostic& b) {
  return std::tie(a.location.file, a.location.line, a.location.column) <
         std::tie(b.location.file, b.location.line, b.location.column);
}

CompileResult finish(RuleSetModel model, std::vector<Diagnostic> diagnostics, std::string serialized_model,
                     bool model_from_cache, const CompileOptions& options) {
  if (!options.normalize)
    for (Leaf& leaf : model.leaves)
      leaf.views = view_bit(View::raw);
  CompileResult result;
  // The compiler runs even after loader errors, so regex errors are reported in the same run.
  std::unique_ptr<CompiledRuleSetData> data =
      Compiler(std::move(model), diagnostics, std::move(serialized_model), model_from_cache).compile(options);
  std::stable_sort(diagnostics.begin(), diagnostics.end(), diagnostic_order);
  result.diagnostics = std::move(diagnostics);
  if (data && !has_errors(result.diagnostics)) result.rules = CompiledRuleSetFactory::make(std::move(data));
  return result;
}

}  // namespace

std::shared_ptr<const CompiledRuleSet> compile_model(RuleSetModel model, std::vector<Diagnostic>& diagnostics,
                                                     const CompileOptions& options) {
  std::unique_ptr<CompiledRuleSetData> data = Compiler(std::move(model), diagnostics).compile(options);
  if (!data || has_errors(diagnostics)) return nullptr;
  return CompiledRuleSetFactory::make(std::move(data));
}

}  // namespace detail

CompiledRuleSet::CompiledRuleSet(std::unique_ptr<detail::CompiledRuleSetData> data)
    : data_(std::move(data)) {}
CompiledRuleSet::~CompiledRuleSet() = default;

std::size_t CompiledRuleSet::rule_count() const noexcept {
  return data_->model.rules.size();
}

RuleInfo CompiledRuleSet::rule(std::size_t index) const {
  const detail::Rule& r = data_->model.rules[index];
  auto matching = static_cast<std::size_t>(std::count_if(
      r.examples.begin(), r.examples.end(), [](const detail::Example& e) { return e.expect_match; }));
  return {{r.id, r.title, r.category, r.item, r.severity, r.action},
          r.location,
          matching,
          r.examples.size() - matching,
          r.window.has_value()};
}

const DatabaseStats& CompiledRuleSet::stats() const noexcept {
  return data_->stats;
}

// With a cache file, the rule model comes from it when every rule file (and words file) still holds the bytes
// it was read from: YAML is then not parsed at all. Otherwise the rules are loaded, and the model is stored
// with the databases.
CompileResult compile_rules(const std::vector<std::filesystem::path>& paths, const CompileOptions& options) {
  if (!options.cache_file.empty()) {
    std::vector<std::filesystem::path> files;
    for (const auto& path : paths)
      for (std::filesystem::path& file : detail::RuleLoader::rule_files(path))
        files.push_back(std::move(file));
    if (std::optional<detail::CachedModel> cached = detail::read_cached_model(options.cache_file, files))
      return detail::finish(std::move(cached->model), std::move(cached->diagnostics),
                            std::move(cached->bytes), true, options);
  }
  detail::RuleLoader loader;
  for (const auto& path : paths)
    loader.load_path(path);
  std::string serialized;
  if (!options.cache_file.empty() && !has_errors(loader.diagnostics()))
    serialized = detail::serialize_model(loader.model(), loader.diagnostics(), loader.sources());
  return detail::finish(std::move(loader.model()), std::move(loader.diagnostics()), std::move(serialized),
                        false, options);
}

CompileResult compile_rules_from_yaml(std::string_view yaml, std::string_view file_name,
                                      const CompileOptions& options) {
  detail::RuleLoader loader;
  loader.load_yaml(yaml, std::string(file_name));
  return detail::finish(std::move(loader.model()), std::move(loader.diagnostics()), {}, false, options);
}

}  // namespace qinglang
