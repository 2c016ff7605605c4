#include "labelled_lines.h"

namespace qinglang::cli {
namespace {

constexpr std::string_view kRecordPrefix = "record.";

}  // namespace

std::optional<Label> split_line(const Record& line, Record& record) {
  Label label;
  bool has_category = false;
  record.clear();
  record.set_id_json(line.id_json());
  for (std::size_t i = 0; i < line.size(); ++i) {
    FieldView f = line.field(i);
    if (f.path == "label.category" && f.type == ValueType::text) {
      std::optional<Category> c = parse_category(f.text);
      if (!c) return std::nullopt;
      label.category = *c;
      has_category = true;
    } else if (f.path == "label.item" && f.type == ValueType::number) {
      label.item = static_cast<int>(f.number);
    } else if (f.path == "label.positive" && f.type == ValueType::boolean) {
      label.positive = f.boolean;
    } else if (f.path.starts_with(kRecordPrefix)) {
      std::string_view path = f.path.substr(kRecordPrefix.size());
      // The record's id is echoed, never scanned (docs/records.md): here it is the line's id.
      if (path == "id") continue;
      switch (f.type) {
        case ValueType::text:
          record.add_text(path, f.text);
          break;
        case ValueType::number:
          record.add_number(path, f.number);
          break;
        case ValueType::boolean:
          record.add_boolean(path, f.boolean);
          break;
        case ValueType::null:
          record.add_null(path);
          break;
      }
    }
  }
  if (!has_category || !is_valid_item(label.item) || category_of_item(label.item) != label.category)
    return std::nullopt;
  return label;
}

}  // namespace qinglang::cli
