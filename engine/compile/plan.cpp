// Planning: the patterns each view scans, the leaves that anchor each rule, the tier that scans each pattern,
// the rules each window counts, and how much text a stream carries.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "compile/compiler_internal.h"
#include "text/lookalike.h"
#include "text/split_characters.h"
#include "text/word_forms.h"

namespace qinglang::detail {
namespace {

// Whether the skeleton view drops more of a word than its spaces: symbols or emoji that the folded view
// keeps.
bool skeleton_drops_symbols(std::string folded, const std::string& skeleton) {
  std::erase(folded, ' ');
  return folded != skeleton;
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

// How often a literal is expected to match, relative to one common Chinese character: each further character
// makes a match about eight times rarer. ASCII letters and digits tell less apart than a Chinese character,
// and a symbol less still. A guess from the literal alone: it cannot tell 还有 from 开盒.
double guessed_rate(std::string_view literal) {
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

// One common Chinese character is about one in this many characters of text: the unit of guessed_rate().
constexpr double kCharactersPerCommonCharacter = 300;
// A pattern in the first pass costs even where it never matches: a part of ten thousand rare words (pinyin
// and homophone forms) makes Hyperscan's first pass slower than the everyday word beside it would. Measured
// on the Weibo posts, a literal costs the first pass about what one match in this many characters costs.
constexpr double kCharactersPerPatternCost = 5e6;

// A pattern's rate in the unit of guessed_rate(), from its matches in a sample of `characters`: the count
// (plus `prior`, the guess, worth less than one occurrence, so the patterns a sample lacks are still told
// apart) and the pattern's own cost.
double measured_rate(std::uint32_t count, double prior, double characters) {
  return ((count + prior) / characters + 1 / kCharactersPerPatternCost) * kCharactersPerCommonCharacter;
}

}  // namespace

double Compiler::literal_rate(View view, std::size_t id) const {
  const std::size_t v = static_cast<std::size_t>(view);
  double guess = guessed_rate(patterns_[v].literals[id]);
  if (sample_counts_[v].empty() || sample_characters_ == 0) return guess;
  return measured_rate(sample_counts_[v][id], guess, sample_characters_);
}

// A regex the compiler could not turn into literals is guessed to match as often as one common character.
double Compiler::regex_rate(View view, std::size_t id) const {
  const std::vector<std::uint32_t>& counts = sample_regex_counts_[static_cast<std::size_t>(view)];
  if (counts.empty() || sample_characters_ == 0) return 1.0;
  return measured_rate(counts[id], 1.0, sample_characters_);
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
      } else if (target.form == Form::word) {
        existing->form = Form::word;
      }
    }
    out.literal_length.push_back(static_cast<std::uint32_t>(word.size()));
    out.literal_targets_offset.push_back(static_cast<std::uint32_t>(out.literal_targets.size()));
    patterns.literals.push_back(std::move(word));
    i = j;
  }
  added = {};
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
          // both would double the literal work for nothing. A pinyin form holds no symbols either, and the
          // skeleton remembers the spaces that kept it apart from other letters (Matcher::take_match).
          bool in_skeleton = (leaf.views & view_bit(View::skeleton)) != 0;
          bool skeleton_suffices = view == View::folded && in_skeleton && !drops_symbols;
          if (!skeleton_suffices) {
            add_literal(patterns, word, {leaf_index, Form::word});
            if (leaf.homophones && view != View::raw)
              for (const std::string& variant : homophone_variants(word))
                add_literal(patterns, variant, {leaf_index, Form::homophone});
            if (view != View::raw)
              for (const std::string& variant : split_character_variants(word))
                add_literal(patterns, variant, {leaf_index, Form::split});
          }
          if (leaf.pinyin && view != View::raw && !(view == View::folded && in_skeleton))
            for (const std::string& variant : pinyin_variants(word))
              add_literal(patterns, variant, {leaf_index, Form::pinyin});
          if (leaf.emoji && view == View::folded)
            for (const std::string& variant : emoji_variants(word))
              add_literal(patterns, variant, {leaf_index, Form::emoji});
        } else if (leaf.kind == PatternKind::regex) {
          const RegexSplit& split = split_of(text);
          for (const std::string& literal : split.literals) {
            std::string word = text_for_view(literal, view);
            if (!word.empty()) add_literal(patterns, word, {leaf_index, Form::word});
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
    // An item's rules are its pattern rules but those a model decides: a model's opinion is a review, and
    // three of them in a room must not add up to a block (name such a rule by id to count it).
    for (int item : window.items) {
      std::size_t before = window.rules.size();
      for (std::uint32_t r = 0; r < m.rules.size(); ++r)
        if (!m.rules[r].window && m.rules[r].category == rule.category && m.rules[r].item == item &&
            first_model_node(m, m.rules[r].match) == kNoNode)
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

// Marks each rule's anchors (compiled_rule_set.h). A leaf's rate is the sum of its patterns' rates
// over every view and generated form it is scanned as. A literal counts once for each leaf it serves: the
// words many rules list are their common context (老师, 孩子, 视频), and each match of such a word costs an
// event per leaf.
void Compiler::choose_anchors() {
  CompiledRuleSetData& d = *data_;
  // Only the parts of an `all`, `near` or `at_least`, and scoring rules (anchored together, below), are
  // ranked: a lexicon of one word list has no choice to make, and its cached start should not pay for one.
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
    if (rule.match != kNoNode) mark_ranked(mark_ranked, rule.match, rule.score != 0);

  std::vector<double> leaf_rate(d.model.leaves.size(), 0.0);
  for (std::size_t v = 0; v < kViewCount; ++v) {
    const ViewDatabases& dbs = d.views[v];
    const std::vector<std::string>& literals = patterns_[v].literals;
    for (std::size_t id = 0; id < literals.size(); ++id) {
      std::uint32_t first = dbs.literal_targets_offset[id], last = dbs.literal_targets_offset[id + 1];
      if (std::none_of(dbs.literal_targets.begin() + first, dbs.literal_targets.begin() + last,
                       [&](const LiteralTarget& t) { return ranked[t.leaf] != 0; }))
        continue;
      double rate = literal_rate(static_cast<View>(v), id) * (last - first);
      for (std::uint32_t t = first; t < last; ++t)
        leaf_rate[dbs.literal_targets[t].leaf] += rate;
    }
    for (std::size_t id = 0; id < dbs.regex_targets.size(); ++id)
      for (std::uint32_t leaf : dbs.regex_targets[id].leaves)
        leaf_rate[leaf] += regex_rate(static_cast<View>(v), id);
  }
  d.leaf_anchor.assign(d.model.leaves.size(), 0);
  // Scoring rules report nothing until their item's total reaches a threshold, so an item is anchored as an
  // `at_least` of its scoring rules is: on the rarest rules until those left could not reach the lowest
  // threshold together. The others are scanned only where an anchor of their category matched (their
  // everyday words, such as 性感 or 骂人, would otherwise be scanned in every record).
  struct Scoring {
    double rate;
    std::uint32_t score;
    std::vector<std::uint32_t> anchors;
  };
  std::vector<std::vector<Scoring>> scoring(kItemCount + 1);
  // A model part has no words to wait for: a rule that needs it to anchor is evaluated in every record, and
  // every pattern it has is scanned in every record too, so that it sees all its evidence wherever it runs;
  // those matches anchor nothing, since the rule needs no anchor. Scoring rules add up per item, so one such
  // rule makes its whole item's scoring rules anchors.
  std::vector<std::uint8_t> item_has_model(kItemCount + 1, 0);
  std::uint8_t mark = kEverywhereLeaf;
  auto mark_all_leaves = [&](auto& self, std::uint32_t node_index) -> void {
    if (node_index == kNoNode) return;
    const PatternNode& node = d.model.nodes[node_index];
    if (is_leaf(node.kind) && d.leaf_anchor[node.leaf] != kAnchorLeaf) d.leaf_anchor[node.leaf] = mark;
    for (std::uint32_t child : node.children)
      self(self, child);
  };
  d.model_rules.clear();
  for (std::uint32_t r = 0; r < d.model.rules.size(); ++r) {
    const Rule& rule = d.model.rules[r];
    if (rule.match == kNoNode) continue;
    // A gate anchors its record itself (compiled_rule_set.h): its words are scanned everywhere, its
    // exceptions stay deferred.
    if (ModelGate gate = model_gate(d.model, r); gate.rule != kNoNode) {
      d.model_rules.push_back(r);
      if (gate.words != kNoNode)
        for_each_gate_leaf(d.model, gate.words,
                           [&](std::uint32_t leaf) { d.leaf_anchor[leaf] = kEverywhereLeaf; });
      continue;
    }
    std::vector<std::uint32_t> anchors;
    if (std::isfinite(anchor_leaves(rule.match, leaf_rate, anchors))) continue;
    d.model_rules.push_back(r);
    mark_all_leaves(mark_all_leaves, rule.match);
    mark_all_leaves(mark_all_leaves, rule.unless);
    if (rule.score != 0) item_has_model[static_cast<std::size_t>(rule.item)] = 1;
  }
  mark = kAnchorLeaf;
  for (const Rule& rule : d.model.rules) {
    if (rule.score != 0 && item_has_model[static_cast<std::size_t>(rule.item)]) {
      mark_all_leaves(mark_all_leaves, rule.match);
      mark_all_leaves(mark_all_leaves, rule.unless);
    }
  }
  for (std::uint32_t r = 0; r < d.model.rules.size(); ++r) {
    const Rule& rule = d.model.rules[r];
    if (rule.match == kNoNode || model_gate(d.model, r).rule != kNoNode) continue;
    Scoring scored{0, rule.score, {}};
    scored.rate = anchor_leaves(rule.match, leaf_rate, scored.anchors);
    if (!std::isfinite(scored.rate)) continue;
    if (rule.score != 0) {
      scoring[static_cast<std::size_t>(rule.item)].push_back(std::move(scored));
      continue;
    }
    for (std::uint32_t leaf : scored.anchors)
      d.leaf_anchor[leaf] = kAnchorLeaf;
  }
  for (std::size_t item = 1; item < scoring.size(); ++item) {
    std::vector<Scoring>& rules = scoring[item];
    const Threshold& threshold = d.model.thresholds[item];
    std::uint32_t lowest = threshold.review != 0 ? threshold.review : threshold.block;
    std::uint32_t left = 0;
    for (const Scoring& rule : rules)
      left += rule.score;
    std::stable_sort(rules.begin(), rules.end(),
                     [](const Scoring& a, const Scoring& b) { return a.rate < b.rate; });
    for (std::size_t i = 0; i < rules.size() && left >= lowest; ++i) {
      left -= rules[i].score;
      for (std::uint32_t leaf : rules[i].anchors)
        d.leaf_anchor[leaf] = kAnchorLeaf;
    }
  }
}

// Appends to `out` a set of leaves one of which matches wherever the node matches, chosen to match as rarely
// as the node's shape allows; returns that set's rate. `all` and `near` need every part, so the rarest part
// suffices (or the one its author marked `anchor: true`); `at_least n` needs one of any set of parts whose
// scores leave less than n to the others, so the rarest parts until that holds (k - n + 1 of k unweighted).
double Compiler::anchor_leaves(std::uint32_t node_index, const std::vector<double>& leaf_rate,
                               std::vector<std::uint32_t>& out) {
  const PatternNode& node = data_->model.nodes[node_index];
  if (is_leaf(node.kind)) {
    out.push_back(node.leaf);
    return leaf_rate[node.leaf];
  }
  if (node.kind == PatternKind::model) return std::numeric_limits<double>::infinity();
  struct Choice {
    double rate;
    bool chosen;  // `anchor: true`: the author's choice comes before the guess
    std::uint32_t weight;
    std::vector<std::uint32_t> leaves;
  };
  std::vector<Choice> children;
  std::uint32_t total_weight = 0;
  for (std::uint32_t child : node.children) {
    const PatternNode& part = data_->model.nodes[child];
    Choice choice{0, part.anchor, part.weight, {}};
    choice.rate = anchor_leaves(child, leaf_rate, choice.leaves);
    total_weight += part.weight;
    children.push_back(std::move(choice));
  }
  std::stable_sort(children.begin(), children.end(), [](const Choice& a, const Choice& b) {
    return a.chosen != b.chosen ? a.chosen : a.rate < b.rate;
  });
  std::size_t needed = children.size();  // any
  if (node.kind == PatternKind::all || node.kind == PatternKind::near) {
    needed = 1;
  } else if (node.kind == PatternKind::at_least) {
    // The rarest parts until those left could not reach the total without one of them.
    std::uint32_t left = total_weight;
    needed = 0;
    while (needed < children.size() && left >= node.min_count)
      left -= children[needed++].weight;
  }
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
        if (target.form == Form::pinyin) right_context = std::max<std::size_t>(right_context, 4);
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
    // A guard (`not_after`) must be carried with the match it cancels and the characters between them.
    std::size_t widest = leaf_width.empty() ? 0 : *std::max_element(leaf_width.begin(), leaf_width.end());
    for (const Rule& rule : d.model.rules) {
      if (rule.guard == kNoNode) continue;
      std::size_t guard_width = leaf_width[d.model.nodes[rule.guard].leaf];
      reach = std::max(reach, guard_width + 4 * std::size_t{rule.guard_within} + widest + kCharacterBefore);
    }
    reach = std::min(reach, kMaxStreamHistory);
    d.stream_reach[v] = static_cast<std::uint32_t>(reach);
    history = std::max(history, reach * kOriginalPerViewByte[v]);
  }
  d.stats.stream_history_bytes = std::min(history, kMaxStreamHistory);
  d.stats.stream_right_context_bytes = right_context;
}

}  // namespace qinglang::detail
