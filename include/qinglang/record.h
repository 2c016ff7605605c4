// A record: the unit Qinglang scans. A flat list of named values built from a JSON object, a YAML map or
// plain text. Text values are content fields (scanned by patterns); every value can be tested by conditions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qinglang {

enum class ValueType : std::uint8_t { text, number, boolean, null };

// One value of a record. Views point into the owning Record and stay valid until it is changed.
struct FieldView {
  std::string_view path;  // "comments[2]", "app.name"
  std::string_view key;   // the path without array indexes: "comments", "app.name"; what rules name
  ValueType type = ValueType::text;
  bool in_array = false;  // the value is an element of an array
  std::string_view text;  // for ValueType::text
  double number = 0;      // for ValueType::number
  bool boolean = false;   // for ValueType::boolean
};

// A record owns its values in one buffer, so clearing and refilling it does not allocate once warm.
// Not thread-safe; copyable and movable.
class Record {
 public:
  // The path is a dotted name; array elements carry their index ("tags[0]"). Any bytes are accepted as text:
  // invalid UTF-8 is scanned safely.
  void add_text(std::string_view path, std::string_view value);
  void add_number(std::string_view path, double value);
  void add_boolean(std::string_view path, bool value);
  void add_null(std::string_view path);

  // The record's id as it should be echoed in output: already JSON (a quoted string or a number), or empty.
  void set_id_json(std::string_view json);
  std::string_view id_json() const noexcept { return id_json_; }

  void clear() noexcept;

  std::size_t size() const noexcept { return entries_.size(); }
  FieldView field(std::size_t index) const noexcept {
    // Inline: the scanner asks for fields at every stage of every record.
    const Entry& e = entries_[index];
    const char* all = storage_.data();
    return {.path = {all + e.path_offset, e.path_length},
            .key = {all + e.key_offset, e.key_length},
            .type = e.type,
            .in_array = e.in_array,
            .text = {all + e.text_offset, e.text_length},
            .number = e.number,
            .boolean = e.boolean};
  }

  // A record with one text field, named "text".
  static Record from_text(std::string_view text);

 private:
  struct Entry {
    std::uint32_t path_offset, path_length, key_offset, key_length, text_offset, text_length;
    ValueType type;
    bool in_array;
    bool boolean;
    double number;
  };
  Entry& append(std::string_view path, ValueType type);

  std::string id_json_;
  std::string storage_;  // paths, keys and text values of all entries
  std::vector<Entry> entries_;
};

}  // namespace qinglang
