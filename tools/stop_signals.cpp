#include "stop_signals.h"

#include <atomic>
#include <csignal>

namespace qinglang::cli {
namespace {

std::atomic<int> requested{0};
static_assert(std::atomic<int>::is_always_lock_free, "set from a signal handler");

void request_stop(int signal) {
  requested.store(signal, std::memory_order_relaxed);
}

}  // namespace

void stop_on_signals() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: a read waiting for input returns EINTR, and the reader sees the request. SA_RESETHAND: the
  // second signal takes its default action.
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int stop_signal() {
  return requested.load(std::memory_order_relaxed);
}

}  // namespace qinglang::cli
