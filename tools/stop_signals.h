// SIGINT and SIGTERM ask a run to stop rather than kill it mid-line: reading ends at the next line, every
// line read so far is scanned and written whole, and the run exits with 128 + the signal's number, as shells
// expect. A second signal kills at once, should a read be waiting for input that never comes.
#pragma once

namespace qinglang::cli {

void stop_on_signals();
// The signal that asked to stop, or 0.
int stop_signal();

}  // namespace qinglang::cli
