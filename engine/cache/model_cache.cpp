#include "cache/model_cache.h"

#include <concepts>
#include <cstring>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "base/hash.h"
#include "model_fingerprint.h"

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
template <typename A, either<ModelSource> S>
void fields(A& a, S& x) {
  a(x.path, x.hash);
}
template <typename A, either<FieldSelector> S>
void fields(A& a, S& x) {
  a(x.key, x.prefix);
}
template <typename A, either<Condition> S>
void fields(A& a, S& x) {
  a(x.path, x.op, x.value.type, x.value.text, x.value.number, x.value.boolean, x.source);
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
    x.pinyin, x.homophones, x.numerals, x.emoji, x.match, x.unless, x.conditions, x.window, x.examples,
    x.location);
}
template <typename A, either<PatternNode> S>
void fields(A& a, S& x) {
  a(x.kind, x.leaf, x.children, x.min_count, x.within, x.ordered, x.anchor, x.location);
}
template <typename A, either<Leaf> S>
void fields(A& a, S& x) {
  a(x.kind, x.rule, x.texts, x.edits, x.views, x.pinyin, x.homophones, x.emoji, x.location);
}

class Writer {
 public:
  template <typename... T>
  void operator()(const T&... items) {
    (put(items), ...);
  }
  std::string& bytes() { return out_; }

 private:
  template <typename T>
  void put(const T& value) {
    if constexpr (std::is_trivially_copyable_v<T>) {
      out_.append(reinterpret_cast<const char*>(&value), sizeof value);
    } else {
      fields(*this, value);
    }
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
    if constexpr (std::is_trivially_copyable_v<T>) {
      if (!ok_ || in_.size() < sizeof value) {
        ok_ = false;
        return;
      }
      std::memcpy(&value, in_.data(), sizeof value);
      in_.remove_prefix(sizeof value);
    } else {
      fields(*this, value);
    }
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

// Every index the model holds points inside it, so that a scan never trusts the cache blindly.
bool indexes_hold(const RuleSetModel& model) {
  auto node_ok = [&](std::uint32_t n) { return n == kNoNode || n < model.nodes.size(); };
  for (const Rule& rule : model.rules)
    if (!node_ok(rule.match) || !node_ok(rule.unless)) return false;
  for (const PatternNode& node : model.nodes) {
    if (is_leaf(node.kind) && node.leaf >= model.leaves.size()) return false;
    for (std::uint32_t child : node.children)
      if (child >= model.nodes.size()) return false;
  }
  for (const Leaf& leaf : model.leaves)
    if (leaf.rule >= model.rules.size()) return false;
  return true;
}

}  // namespace

std::string serialize_model(const RuleSetModel& model, const std::vector<Diagnostic>& diagnostics,
                            const std::vector<ModelSource>& sources) {
  Writer out;
  out(std::uint64_t{QINGLANG_MODEL_FINGERPRINT}, sources, diagnostics, model.rules, model.nodes,
      model.leaves);
  return std::move(out.bytes());
}

std::optional<CachedModel> deserialize_model(std::string_view bytes,
                                             const std::vector<std::filesystem::path>& rule_files) {
  Reader in(bytes);
  std::uint64_t fingerprint = 0;
  std::vector<ModelSource> sources;
  in(fingerprint);
  if (!in.ok() || fingerprint != QINGLANG_MODEL_FINGERPRINT) return std::nullopt;
  in(sources);
  // The rule files come first, in the order they were read; words files follow.
  if (!in.ok() || sources.size() < rule_files.size()) return std::nullopt;
  for (std::size_t i = 0; i < rule_files.size(); ++i)
    if (sources[i].path != rule_files[i].string()) return std::nullopt;
  for (const ModelSource& source : sources)
    if (hash_file(source.path) != source.hash) return std::nullopt;

  CachedModel cached;
  in(cached.diagnostics, cached.model.rules, cached.model.nodes, cached.model.leaves);
  if (!in.ok() || !in.at_end() || !indexes_hold(cached.model)) return std::nullopt;
  cached.bytes = std::string(bytes);
  return cached;
}

}  // namespace qinglang::detail
