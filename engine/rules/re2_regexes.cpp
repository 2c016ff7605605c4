#include "rules/re2_regexes.h"

#include <re2/re2.h>

namespace qinglang::detail {

Re2Ptr compile_re2(std::string_view pattern, std::string& error) {
  RE2::Options options;
  options.set_log_errors(
      false);  // a bad regex is a diagnostic of the rule that wrote it, not a line on stderr
  auto regex = std::make_unique<const RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (regex->ok()) return regex;
  error = regex->error();
  return nullptr;
}

}  // namespace qinglang::detail
