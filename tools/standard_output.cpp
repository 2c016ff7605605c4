#include "standard_output.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "stop_signals.h"

namespace qinglang::cli {

bool StandardOutput::write(std::string_view bytes) {
  if (failed()) return false;
  if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size()) error_ = errno != 0 ? errno : EIO;
  return !failed();
}

bool StandardOutput::flush() {
  if (failed()) return false;
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) error_ = errno != 0 ? errno : EIO;
  return !failed();
}

void StandardOutput::report_failure() const {
  std::fprintf(stderr, "qinglang: cannot write the output: %s\n", std::strerror(error_));
}

std::optional<int> cut_short_status(const StandardOutput& output) {
  if (output.failed()) {
    output.report_failure();
    return kExitOutputFailed;
  }
  if (int signal = stop_signal(); signal != 0) return 128 + signal;
  return std::nullopt;
}

}  // namespace qinglang::cli
