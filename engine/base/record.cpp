#include "qinglang/record.h"

namespace qinglang {
namespace {

// The key of "comments[2].text" is "comments.text": rules name fields without array indexes.
std::size_t append_key(std::string& storage, std::string_view path) {
  std::size_t before = storage.size();
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '[') {
      std::size_t close = path.find(']', i);
      if (close != std::string_view::npos) {
        i = close;
        continue;
      }
    }
    storage.push_back(path[i]);
  }
  return storage.size() - before;
}

}  // namespace

Record::Entry& Record::append(std::string_view path, ValueType type) {
  Entry& entry = entries_.emplace_back();
  entry.path_offset = static_cast<std::uint32_t>(storage_.size());
  entry.path_length = static_cast<std::uint32_t>(path.size());
  storage_.append(path);
  // Most paths hold no array index: their key is the path itself.
  if (path.find('[') == std::string_view::npos) {
    entry.key_offset = entry.path_offset;
    entry.key_length = entry.path_length;
  } else {
    entry.key_offset = static_cast<std::uint32_t>(storage_.size());
    entry.key_length = static_cast<std::uint32_t>(append_key(storage_, path));
  }
  entry.type = type;
  entry.in_array = !path.empty() && path.back() == ']';
  entry.boolean = false;
  entry.number = 0;
  entry.text_offset = static_cast<std::uint32_t>(storage_.size());
  entry.text_length = 0;
  return entry;
}

void Record::add_text(std::string_view path, std::string_view value) {
  Entry& entry = append(path, ValueType::text);
  storage_.append(value);
  entry.text_length = static_cast<std::uint32_t>(value.size());
}

void Record::add_number(std::string_view path, double value) {
  append(path, ValueType::number).number = value;
}

void Record::add_boolean(std::string_view path, bool value) {
  append(path, ValueType::boolean).boolean = value;
}

void Record::add_null(std::string_view path) {
  append(path, ValueType::null);
}

void Record::set_id_json(std::string_view json) {
  id_json_.assign(json);
}

void Record::clear() noexcept {
  id_json_.clear();
  storage_.clear();
  entries_.clear();
}

Record Record::from_text(std::string_view text) {
  Record record;
  record.add_text("text", text);
  return record;
}

}  // namespace qinglang
