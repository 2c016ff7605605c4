// Standard output that knows when it failed: a full disk, /dev/full, a reader that went away (with SIGPIPE
// ignored). A verdict that was never written must not look like a clean run.
#pragma once

#include <optional>
#include <string_view>

namespace qinglang::cli {

// The exit status of a run whose output could not be written.
inline constexpr int kExitOutputFailed = 3;

// Writes to stdout through its buffer and remembers the first failure; after it, nothing more is written.
class StandardOutput {
 public:
  // False once any write or flush has failed.
  bool write(std::string_view bytes);
  bool flush();
  bool failed() const { return error_ != 0; }
  // "qinglang: cannot write the output: No space left on device" on standard error.
  void report_failure() const;

 private:
  int error_ = 0;
};

// How a run that was cut short ends: status 3 when its output failed (said on standard error), 128 + the
// signal's number when a signal asked it to stop (stop_signals.h); empty when it ran to its end.
std::optional<int> cut_short_status(const StandardOutput& output);

}  // namespace qinglang::cli
