#include "compiled/compiled_tables.h"

#include <algorithm>
#include <concepts>
#include <cstring>
#include <type_traits>

#include "base/hash.h"
#include "build_fingerprint.h"

namespace qinglang::detail {
namespace {

// Each type names its fields once, for both directions, so that what Writer writes Reader reads back in the
// same order.
template <typename Self, typename T>
concept either = std::same_as<std::remove_const_t<Self>, T>;

template <typename A, either<SourceLocation> S>
void fields(A& a, S& x) {
  a(x.file, x.line, x.column);
}
template <typename A, either<Diagnostic> S>
void fields(A& a, S& x) {
  a(x.level, x.code, x.message, x.location, x.rule_id);
}
template <typename A, either<SourceFile> S>
void fields(A& a, S& x) {
  a(x.path, x.hash);
}
template <typename A, either<CompileInputs> S>
void fields(A& a, S& x) {
  a(x.sources, x.rule_files, x.normalize);
}
template <typename A, either<FieldSelector> S>
void fields(A& a, S& x) {
  a(x.key, x.prefix);
}
template <typename A, either<Condition> S>
void fields(A& a, S& x) {
  a(x.path, x.op, x.value.type, x.value.text, x.value.number, x.value.boolean, x.regex, x.source);
}
template <typename A, either<Extraction> S>
void fields(A& a, S& x) {
  a(x.name, x.regex, x.location);
}
template <typename A, either<Example> S>
void fields(A& a, S& x) {
  a(x.expect_match, x.record, x.messages, x.text, x.location);
}
template <typename A, either<Window> S>
void fields(A& a, S& x) {
  a(x.kind, x.count, x.rule_ids, x.items, x.rules, x.messages, x.seconds, x.location);
}
template <typename A, either<Rule> S>
void fields(A& a, S& x) {
  a(x.id, x.category, x.item, x.title, x.severity, x.action, x.fields, x.scope, x.unless_scope, x.views,
    x.pinyin, x.homophones, x.numerals, x.emoji, x.match, x.unless, x.guard, x.guard_within, x.score,
    x.conditions, x.extractions, x.window, x.examples, x.location);
}
template <typename A, either<PatternNode> S>
void fields(A& a, S& x) {
  a(x.kind, x.leaf, x.children, x.min_count, x.within, x.ordered, x.anchor, x.weight, x.location);
}
template <typename A, either<Leaf> S>
void fields(A& a, S& x) {
  a(x.kind, x.rule, x.texts, x.edits, x.views, x.pinyin, x.homophones, x.emoji, x.list, x.whole, x.location);
}
template <typename A, either<Threshold> S>
void fields(A& a, S& x) {
  a(x.review, x.block, x.item_specific, x.location);
}
template <typename A, either<ModelPart> S>
void fields(A& a, S& x) {
  a(x.rule, x.file, x.label, x.min, x.location);
}
template <typename A, either<ModelFile> S>
void fields(A& a, S& x) {
  a(x.path, x.hash, x.bytes);
}
template <typename A, either<RuleSetModel> S>
void fields(A& a, S& x) {
  a(x.rules, x.nodes, x.leaves, x.thresholds, x.model_parts, x.model_files, x.re2_regexes);
}
template <typename A, either<LiteralTarget> S>
void fields(A& a, S& x) {
  a(x.leaf, x.form);
}
template <typename A, either<RegexTarget> S>
void fields(A& a, S& x) {
  a(x.leaves, x.exact_name, x.min_width, x.max_width);
}
// The databases are stored beside the tables (compiled_file.h), not in them.
template <typename A, either<ViewDatabases> S>
void fields(A& a, S& x) {
  a(x.literal_length, x.literal_targets_offset, x.literal_targets, x.regex_targets);
}
// Only what the compile decided: sizes, timings and where the rules came from are measured by each load.
template <typename A, either<DatabaseStats> S>
void fields(A& a, S& x) {
  a(x.literal_patterns, x.regex_patterns, x.deferred_patterns, x.field_bound_patterns, x.stream_history_bytes,
    x.stream_right_context_bytes);
}
template <typename A, either<CompiledRuleSetData> S>
void fields(A& a, S& x) {
  a(x.model, x.views, x.leaf_category, x.leaf_anchor, x.condition_only_rules, x.model_rules, x.window_rules,
    x.field_bound_rules, x.most_repeats, x.stream_reach, x.stats);
}

class Writer {
 public:
  template <typename... T>
  void operator()(const T&... items) {
    (put(items), ...);
  }
  std::string& bytes() { return out_; }

 private:
  // A type with fields is written field by field, so no padding byte reaches the file.
  template <typename T>
  void put(const T& value) {
    if constexpr (requires { fields(*this, value); }) {
      fields(*this, value);
    } else {
      static_assert(std::is_trivially_copyable_v<T>);
      out_.append(reinterpret_cast<const char*>(&value), sizeof value);
    }
  }
  template <typename T, std::size_t N>
  void put(const std::array<T, N>& items) {
    for (const T& item : items)
      put(item);
  }
  void put(const std::string& text) {
    put(static_cast<std::uint64_t>(text.size()));
    out_ += text;
  }
  template <typename T>
  void put(const std::vector<T>& items) {
    put(static_cast<std::uint64_t>(items.size()));
    for (const T& item : items)
      put(item);
  }
  template <typename T>
  void put(const std::optional<T>& value) {
    put(value.has_value());
    if (value) put(*value);
  }
  void put(const Record& record) {
    put(static_cast<std::uint64_t>(record.size()));
    for (std::size_t i = 0; i < record.size(); ++i) {
      FieldView field = record.field(i);
      (*this)(std::string(field.path), field.type, std::string(field.text), field.number, field.boolean);
    }
  }

  std::string out_;
};

// Reads what Writer wrote. Every read is bounds-checked: a short or damaged part fails, it never reads past
// the end. Counts are checked against the bytes left, so a damaged count cannot ask for a huge allocation.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  template <typename... T>
  void operator()(T&... items) {
    (get(items), ...);
  }
  bool ok() const { return ok_; }
  bool at_end() const { return in_.empty(); }

 private:
  template <typename T>
  void get(T& value) {
    if constexpr (requires { fields(*this, value); }) {
      fields(*this, value);
    } else {
      static_assert(std::is_trivially_copyable_v<T>);
      if (!ok_ || in_.size() < sizeof value) {
        ok_ = false;
        return;
      }
      // Through a local: GCC 12's -Wstringop-overflow misreads a copy straight into an inlined array element.
      T read;
      std::memcpy(&read, in_.data(), sizeof read);
      value = read;
      in_.remove_prefix(sizeof value);
    }
  }
  template <typename T, std::size_t N>
  void get(std::array<T, N>& items) {
    for (T& item : items)
      get(item);
  }
  void get(std::string& text) {
    std::uint64_t size = count();
    text.assign(in_.substr(0, size));
    in_.remove_prefix(size);
  }
  template <typename T>
  void get(std::vector<T>& items) {
    std::uint64_t size = count();
    items.clear();
    for (std::uint64_t i = 0; i < size && ok_; ++i)
      get(items.emplace_back());
  }
  template <typename T>
  void get(std::optional<T>& value) {
    bool present = false;
    get(present);
    value.reset();
    if (present) get(value.emplace());
  }
  void get(Record& record) {
    std::uint64_t size = count();
    record.clear();
    std::string path, text;
    for (std::uint64_t i = 0; i < size && ok_; ++i) {
      ValueType type = ValueType::null;
      double number = 0;
      bool boolean = false;
      (*this)(path, type, text, number, boolean);
      switch (type) {
        case ValueType::text:
          record.add_text(path, text);
          break;
        case ValueType::number:
          record.add_number(path, number);
          break;
        case ValueType::boolean:
          record.add_boolean(path, boolean);
          break;
        case ValueType::null:
          record.add_null(path);
          break;
        default:
          ok_ = false;
      }
    }
  }
  std::uint64_t count() {
    std::uint64_t size = 0;
    get(size);
    if (size > in_.size()) ok_ = false;  // every element takes at least a byte
    return ok_ ? size : 0;
  }

  std::string_view in_;
  bool ok_ = true;
};

// Every index the tables hold points inside the rule set, so that a scan never trusts the file blindly.
bool indexes_hold(const CompiledRuleSetData& data) {
  const RuleSetModel& model = data.model;
  auto node_ok = [&](std::uint32_t n) { return n == kNoNode || n < model.nodes.size(); };
  auto leaf_ok = [&](std::uint32_t leaf) { return leaf < model.leaves.size(); };
  auto rule_ok = [&](std::uint32_t rule) { return rule < model.rules.size(); };
  for (const Rule& rule : model.rules)
    if (!node_ok(rule.match) || !node_ok(rule.unless) || !node_ok(rule.guard)) return false;
  for (const Rule& rule : model.rules)
    if (rule.guard != kNoNode && !is_leaf(model.nodes[rule.guard].kind)) return false;
  auto regex_ok = [&](std::uint32_t regex) { return regex < model.re2_regexes.size(); };
  for (const Rule& rule : model.rules) {
    for (const Condition& condition : rule.conditions)
      if (condition.op == ConditionOp::matches && !regex_ok(condition.regex)) return false;
    for (const Extraction& extraction : rule.extractions)
      if (!regex_ok(extraction.regex)) return false;
  }
  for (const PatternNode& node : model.nodes) {
    if (is_leaf(node.kind) && !leaf_ok(node.leaf)) return false;
    if (node.kind == PatternKind::model && node.leaf >= model.model_parts.size()) return false;
    if (!std::all_of(node.children.begin(), node.children.end(),
                     [&](std::uint32_t child) { return child < model.nodes.size(); }))
      return false;
  }
  for (const Leaf& leaf : model.leaves)
    if (!rule_ok(leaf.rule)) return false;
  for (const ModelPart& part : model.model_parts)
    if (part.file >= model.model_files.size() || !rule_ok(part.rule)) return false;
  if (model.thresholds.size() != kItemCount + 1) return false;
  for (const Rule& rule : model.rules)
    if (rule.item < 1 || rule.item > kItemCount) return false;
  if (data.leaf_category.size() != model.leaves.size() || data.leaf_anchor.size() != model.leaves.size())
    return false;
  for (const auto* rules :
       {&data.condition_only_rules, &data.model_rules, &data.window_rules, &data.field_bound_rules})
    if (!std::all_of(rules->begin(), rules->end(), rule_ok)) return false;
  for (const ViewDatabases& view : data.views) {
    const std::vector<std::uint32_t>& offsets = view.literal_targets_offset;
    if (offsets.size() != view.literal_length.size() + 1 || offsets.back() != view.literal_targets.size() ||
        !std::is_sorted(offsets.begin(), offsets.end()))
      return false;
    for (const LiteralTarget& target : view.literal_targets)
      if (!leaf_ok(target.leaf)) return false;
    for (const RegexTarget& target : view.regex_targets)
      if (!std::all_of(target.leaves.begin(), target.leaves.end(), leaf_ok)) return false;
  }
  return true;
}

}  // namespace

std::string serialize_tables(const CompiledRuleSetData& data, const std::vector<Diagnostic>& diagnostics,
                             const CompileInputs& inputs) {
  Writer out;
  out(std::uint64_t{QINGLANG_BUILD_FINGERPRINT}, inputs, diagnostics, data);
  return std::move(out.bytes());
}

bool deserialize_tables(std::string_view bytes, CompiledRuleSetData& data,
                        std::vector<Diagnostic>& diagnostics, CompileInputs& inputs) {
  Reader in(bytes);
  std::uint64_t fingerprint = 0;
  in(fingerprint);
  if (!in.ok() || fingerprint != QINGLANG_BUILD_FINGERPRINT) return false;
  in(inputs, diagnostics, data);
  return in.ok() && in.at_end() && indexes_hold(data);
}

bool sources_unchanged(const CompileInputs& inputs, const std::vector<std::filesystem::path>& rule_files) {
  if (inputs.rule_files != rule_files.size() || inputs.sources.size() < rule_files.size()) return false;
  for (std::size_t i = 0; i < rule_files.size(); ++i)
    if (inputs.sources[i].path != rule_files[i].string()) return false;
  return std::all_of(inputs.sources.begin(), inputs.sources.end(),
                     [](const SourceFile& source) { return hash_file(source.path) == source.hash; });
}

}  // namespace qinglang::detail
