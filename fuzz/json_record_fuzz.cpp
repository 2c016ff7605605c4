// The JSON record reader on any bytes: an error or a record, never a crash; and what is written back for a
// record it read (its verdict line, each text field as a JSON string) is JSON it reads again.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "qinglang/json.h"
#include "qinglang/record.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static qinglang::JsonRecordParser parser, reparser;
  static qinglang::Record record, reread;
  std::string_view json(reinterpret_cast<const char*>(data), size);
  if (!parser.parse(json, record).empty()) return 0;

  std::string line;
  qinglang::append_verdict_json(line, record, qinglang::Verdict{});
  FUZZ_CHECK(reparser.parse(line, reread).empty());
  FUZZ_CHECK(reread.id_json() == record.id_json());

  for (std::size_t i = 0; i < record.size(); ++i) {
    qinglang::FieldView field = record.field(i);
    FUZZ_CHECK(field.key.size() <= field.path.size());
    if (field.type != qinglang::ValueType::text) continue;
    std::string object = "{\"text\":";
    qinglang::append_json_string(object, field.text);
    object += '}';
    FUZZ_CHECK(reparser.parse(object, reread).empty());
    FUZZ_CHECK(reread.size() == 1 && reread.field(0).type == qinglang::ValueType::text);
    FUZZ_CHECK(reread.field(0).text == field.text);
  }
  return 0;
}
