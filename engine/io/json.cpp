// JSON records in (simdjson's DOM parser: fast, validating, reusable buffers) and verdict lines out.
#include "qinglang/json.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "base/utf8.h"

namespace qinglang {
namespace {

// Literals as string_view: string::append(const char*) measures its argument with strlen on every call.
using namespace std::string_view_literals;

constexpr std::size_t kMaxDepth = 64;

template <typename Integer>
void append_number(std::string& out, Integer value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void append_categories(std::string& out, CategorySet categories) {
  out.push_back('[');
  bool first = true;
  for (Category category : kAllCategories) {
    if (!categories.contains(category)) continue;
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out.append(to_string(category));
    out.push_back('"');
  }
  out.push_back(']');
}

// The rule fields every hit line starts with: rule, category, item, title, severity, action.
void append_rule_fields(std::string& out, const RuleRef& rule) {
  out.append("{\"rule\":"sv);
  append_json_string(out, rule.id);
  out.append(",\"category\":\""sv);
  out.append(to_string(rule.category));
  out.append("\",\"item\":"sv);
  append_number(out, rule.item);
  out.append(",\"title\":"sv);
  append_json_string(out, rule.title);
  out.append(",\"severity\":\""sv);
  out.append(to_string(rule.severity));
  out.append("\",\"action\":\""sv);
  out.append(to_string(rule.action));
  out.push_back('"');
}

// Walks a parsed JSON value into record fields; returns an error message or an empty view.
class RecordBuilder {
 public:
  explicit RecordBuilder(Record& record) : record_(record) {}

  std::string_view add(simdjson::dom::element value, std::size_t depth) {
    using Type = simdjson::dom::element_type;
    if (depth > kMaxDepth) return "nested deeper than 64 levels";
    std::size_t base = path_.size();
    switch (value.type()) {
      case Type::OBJECT: {
        simdjson::dom::object object = value.get_object().value_unsafe();
        for (auto [key, child] : object) {
          if (!path_.empty()) path_ += '.';
          path_.append(key);
          std::string_view error = add(child, depth + 1);
          path_.resize(base);
          if (!error.empty()) return error;
        }
        return {};
      }
      case Type::ARRAY: {
        std::size_t index = 0;
        simdjson::dom::array array = value.get_array().value_unsafe();
        for (simdjson::dom::element child : array) {
          path_ += '[';
          append_number(path_, index++);
          path_ += ']';
          std::string_view error = add(child, depth + 1);
          path_.resize(base);
          if (!error.empty()) return error;
        }
        return {};
      }
      case Type::STRING:
        record_.add_text(path_, value.get_string().value_unsafe());
        return {};
      case Type::INT64:
        record_.add_number(path_, static_cast<double>(value.get_int64().value_unsafe()));
        return {};
      case Type::UINT64:
        record_.add_number(path_, static_cast<double>(value.get_uint64().value_unsafe()));
        return {};
      case Type::DOUBLE:
        record_.add_number(path_, value.get_double().value_unsafe());
        return {};
      case Type::BOOL:
        record_.add_boolean(path_, value.get_bool().value_unsafe());
        return {};
      case Type::NULL_VALUE:
        record_.add_null(path_);
        return {};
    }
    return {};
  }

  std::string& path() { return path_; }

 private:
  Record& record_;
  std::string path_;
};

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The code unit of a \uXXXX escape at `at` (the backslash), or -1.
int escaped_unit(std::string_view json, std::size_t at) {
  if (at + 6 > json.size() || json[at] != '\\' || json[at + 1] != 'u') return -1;
  int unit = 0;
  for (std::size_t i = at + 2; i < at + 6; ++i) {
    if (!is_hex(json[i])) return -1;
    unit = unit * 16 + (json[i] <= '9' ? json[i] - '0' : (json[i] | 0x20) - 'a' + 10);
  }
  return unit;
}

// A number token that no double holds (1e400) or no 64-bit integer (thirty digits).
bool out_of_range(std::string_view number) {
  bool integer = number.find_first_of(".eE") == std::string_view::npos;
  std::size_t digits = number.size() - (number.front() == '-');
  if (integer) return digits > 19;
  std::string copy(number);
  double value = std::strtod(copy.c_str(), nullptr);
  return !std::isfinite(value);
}

// Valid JSON that simdjson refuses, rewritten into what it takes: a byte order mark before the object is
// dropped, an escaped half of a surrogate pair (what JSON.stringify writes when an emoji was cut) becomes
// U+FFFD, and a number beyond what a double or a 64-bit integer holds becomes a string of its digits. False
// when there was nothing of the kind.
bool rewrite_refused_json(std::string_view json, std::string& out) {
  out.clear();
  bool changed = false;
  if (json.starts_with("\xEF\xBB\xBF")) {
    json.remove_prefix(3);
    changed = true;
  }
  bool in_string = false;
  for (std::size_t i = 0; i < json.size();) {
    char c = json[i];
    if (in_string) {
      if (c == '"') in_string = false;
      if (c != '\\') {
        out.push_back(c);
        ++i;
        continue;
      }
      int unit = escaped_unit(json, i);
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        int low = escaped_unit(json, i + 6);
        if (low >= 0xDC00 && low <= 0xDFFF) {
          out.append(json.substr(i, 12));
          i += 12;
          continue;
        }
      }
      if (unit >= 0xD800 && unit <= 0xDFFF) {
        out.append("\\ufffd");
        i += 6;
        changed = true;
        continue;
      }
      out.append(json.substr(i, std::min<std::size_t>(2, json.size() - i)));
      i += 2;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = json.find_first_not_of("+-.0123456789eE", i);
      std::string_view number = json.substr(i, (end == std::string_view::npos ? json.size() : end) - i);
      if (out_of_range(number)) {
        out.push_back('"');
        out.append(number);
        out.push_back('"');
        changed = true;
      } else {
        out.append(number);
      }
      i += number.size();
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return changed;
}

}  // namespace

struct JsonRecordParser::State {
  simdjson::dom::parser parser;
  std::string repaired;    // the input with invalid UTF-8 replaced
  std::string rewritten;   // the input rewritten into what simdjson takes (rewrite_refused_json)
  std::string padded;      // parse(): the input followed by kPadding bytes
  std::string path;        // reused between records
  std::string id_scratch;  // the id, escaped
};

JsonRecordParser::JsonRecordParser() : state_(std::make_unique<State>()) {}
JsonRecordParser::~JsonRecordParser() = default;
JsonRecordParser::JsonRecordParser(JsonRecordParser&&) noexcept = default;
JsonRecordParser& JsonRecordParser::operator=(JsonRecordParser&&) noexcept = default;

std::string_view JsonRecordParser::parse(std::string_view json, Record& record) {
  State& s = *state_;
  s.padded.assign(json);
  s.padded.append(kPadding, '\0');
  return parse_padded(std::string_view(s.padded.data(), json.size()), record);
}

std::string_view JsonRecordParser::parse_padded(std::string_view json, Record& record) {
  static_assert(kPadding >= simdjson::SIMDJSON_PADDING);
  record.clear();
  State& s = *state_;
  // simdjson checks UTF-8 as it parses: the input is repaired only when it says so.
  simdjson::dom::element root;
  simdjson::error_code error = s.parser.parse(json.data(), json.size(), false).get(root);
  std::string_view parsed = json;
  if (error == simdjson::UTF8_ERROR) {
    detail::replace_invalid_with_replacement_character(json, s.repaired);
    std::size_t repaired_size = s.repaired.size();
    s.repaired.append(kPadding, '\0');
    parsed = std::string_view(s.repaired.data(), repaired_size);
    error = s.parser.parse(parsed.data(), parsed.size(), false).get(root);
  }
  // Rare, so rewritten only when simdjson says no.
  if (error && error != simdjson::UTF8_ERROR && rewrite_refused_json(parsed, s.rewritten)) {
    std::size_t rewritten_size = s.rewritten.size();
    s.rewritten.append(kPadding, '\0');
    error = s.parser.parse(s.rewritten.data(), rewritten_size, false).get(root);
  }
  if (error) return error == simdjson::UTF8_ERROR ? "invalid UTF-8" : "invalid JSON";
  if (root.type() != simdjson::dom::element_type::OBJECT) return "not a JSON object";

  RecordBuilder builder(record);
  builder.path().swap(s.path);
  builder.path().clear();
  std::string_view problem;
  simdjson::dom::object object = root.get_object().value_unsafe();
  for (auto [key, value] : object) {
    if (key == "id") {
      using Type = simdjson::dom::element_type;
      s.id_scratch.clear();
      if (value.type() == Type::STRING) {
        append_json_string(s.id_scratch, value.get_string().value_unsafe());
      } else if (value.type() == Type::INT64) {
        append_number(s.id_scratch, value.get_int64().value_unsafe());
      } else if (value.type() == Type::UINT64) {
        append_number(s.id_scratch, value.get_uint64().value_unsafe());
      } else if (value.type() == Type::DOUBLE) {
        s.id_scratch = simdjson::minify(value);
      } else if (value.type() != Type::NULL_VALUE) {
        problem = "\"id\" must be a string or a number";
      }
      record.set_id_json(s.id_scratch);
      continue;
    }
    if (!problem.empty()) continue;
    if (value.type() == simdjson::dom::element_type::STRING) {  // most fields: the key is the whole path
      record.add_text(key, value.get_string().value_unsafe());
      continue;
    }
    builder.path().assign(key);
    problem = builder.add(value, 1);
  }
  builder.path().swap(s.path);
  return problem;
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      std::size_t run = i + 1;
      while (run < text.size()) {
        auto d = static_cast<unsigned char>(text[run]);
        if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') break;
        ++run;
      }
      out.append(text.data() + i, run - i);
      i = run;
      continue;
    }
    if (c >= 0x80) {
      std::size_t n = detail::valid_sequence_length(text.substr(i));
      if (n == 0) {
        out.append("\\ufffd"sv);
        ++i;
      } else {
        out.append(text.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\""sv);
        break;
      case '\\':
        out.append("\\\\"sv);
        break;
      case '\n':
        out.append("\\n"sv);
        break;
      case '\r':
        out.append("\\r"sv);
        break;
      case '\t':
        out.append("\\t"sv);
        break;
      default:
        out.append("\\u00"sv);
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
    ++i;
  }
  out.push_back('"');
}

namespace {

// A scoring rule's hit says what it added and the item's total; other hits say nothing of scores.
void append_score(std::string& out, std::uint32_t score, std::uint32_t item_score) {
  if (score == 0) return;
  out.append(",\"score\":"sv);
  append_number(out, score);
  out.append(",\"item_score\":"sv);
  append_number(out, item_score);
}

// A model's hit says how sure the model was, to three decimals (docs/models.md); other hits say nothing.
void append_model_score(std::string& out, float model_score) {
  if (model_score <= 0) return;
  char digits[16];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, model_score, std::chars_format::fixed, 3);
  if (ec != std::errc()) return;
  out.append(",\"model_score\":"sv);
  out.append(digits, end);
}

// What the rule's `extract:` found, as an object in the rule's order; nothing when it found nothing, so
// the lines of rules without `extract` stay as they were.
void append_extracted(std::string& out, std::span<const Extracted> extracted) {
  if (extracted.empty()) return;
  out.append(",\"extracted\":{"sv);
  for (std::size_t i = 0; i < extracted.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_json_string(out, extracted[i].name);
    out.push_back(':');
    append_json_string(out, extracted[i].value);
  }
  out.push_back('}');
}

}  // namespace

void append_verdict_json(std::string& out, const Record& record, const Verdict& verdict) {
  out.append("{\"id\":"sv);
  out.append(record.id_json().empty() ? std::string_view("null") : record.id_json());
  if (!verdict.error.empty()) {
    out.append(",\"decision\":\"pass\",\"categories\":[],\"hits\":[],\"error\":"sv);
    append_json_string(out, verdict.error);
    out.push_back('}');
    return;
  }
  // Most records pass: one append.
  if (verdict.decision == Decision::pass && verdict.hits.empty() && verdict.categories.empty()) {
    out.append(",\"decision\":\"pass\",\"categories\":[],\"hits\":[]}"sv);
    return;
  }
  out.append(",\"decision\":\""sv);
  out.append(to_string(verdict.decision));
  out.append("\",\"categories\":"sv);
  append_categories(out, verdict.categories);
  out.append(",\"hits\":["sv);
  bool first = true;
  for (const Hit& hit : verdict.hits) {
    if (!first) out.push_back(',');
    first = false;
    append_rule_fields(out, hit.rule);
    out.append(",\"field\":"sv);
    append_json_string(out, hit.field);
    out.append(",\"start\":"sv);
    append_number(out, hit.start);
    out.append(",\"end\":"sv);
    append_number(out, hit.end);
    out.append(",\"text\":"sv);
    append_json_string(out, hit.text);
    out.append(",\"view\":\""sv);
    out.append(hit.view);
    out.push_back('"');
    append_extracted(out, hit.extracted);
    append_score(out, hit.score, hit.item_score);
    append_model_score(out, hit.model_score);
    out.push_back('}');
  }
  out.append("]}"sv);
}

void append_stream_verdict_json(std::string& out, std::string_view stream_json,
                                const StreamVerdict& verdict) {
  out.append("{\"stream\":"sv);
  out.append(stream_json);
  out.append(",\"seq\":"sv);
  append_number(out, verdict.seq);
  if (!verdict.error.empty()) {
    out.append(",\"error\":"sv);
    append_json_string(out, verdict.error);
    out.push_back('}');
    return;
  }
  out.append(",\"decision\":\""sv);
  out.append(to_string(verdict.decision));
  out.append("\",\"stream_decision\":\""sv);
  out.append(to_string(verdict.stream_decision));
  out.append("\",\"categories\":"sv);
  append_categories(out, verdict.categories);
  out.append(",\"hits\":["sv);
  for (std::size_t h = 0; h < verdict.hits.size(); ++h) {
    const StreamHit& hit = verdict.hits[h];
    if (h > 0) out.push_back(',');
    append_rule_fields(out, hit.rule);
    out.append(",\"view\":\""sv);
    out.append(hit.view);
    out.push_back('"');
    append_score(out, hit.score, hit.item_score);
    out.append(",\"parts\":["sv);
    for (std::size_t p = 0; p < hit.parts.size(); ++p) {
      const StreamPart& part = hit.parts[p];
      if (p > 0) out.push_back(',');
      out.append("{\"seq\":"sv);
      append_number(out, part.seq);
      out.append(",\"start\":"sv);
      append_number(out, part.start);
      out.append(",\"end\":"sv);
      append_number(out, part.end);
      out.append(",\"text\":"sv);
      append_json_string(out, part.text);
      out.push_back('}');
    }
    out.append("]}"sv);
  }
  out.append("],\"windows\":["sv);
  for (std::size_t w = 0; w < verdict.windows.size(); ++w) {
    const WindowHit& window = verdict.windows[w];
    if (w > 0) out.push_back(',');
    append_rule_fields(out, window.rule);
    out.append(",\"count\":"sv);
    append_number(out, window.count);
    out.append(",\"first_seq\":"sv);
    append_number(out, window.first_seq);
    out.append(",\"last_seq\":"sv);
    append_number(out, window.last_seq);
    out.push_back('}');
  }
  out.append("]}"sv);
}

void append_error_json(std::string& out, std::string_view id_json, std::string_view where,
                       std::string_view message, std::size_t line_number) {
  out.append("{\"id\":"sv);
  out.append(id_json.empty() ? std::string_view("null") : id_json);
  out.append(",\"error\":"sv);
  std::string text;
  text.reserve(where.size() + message.size() + 2);
  text.append(where);
  text.append(": ");
  text.append(message);
  append_json_string(out, text);
  out.append(",\"line\":"sv);
  append_number(out, line_number);
  out.push_back('}');
}

}  // namespace qinglang
