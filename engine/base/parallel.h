// Work that splits into independent tasks: each runs once, on whichever core is free.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace qinglang::detail {

// Calls task(i) once for each i in [0, count), on as many threads as there are cores (and tasks), this one
// included, and returns when every call has returned. The calls must not depend on one another's order.
template <typename Task>
void run_on_every_core(std::size_t count, const Task& task) {
  std::atomic<std::size_t> next{0};
  auto run_some = [&] {
    for (std::size_t i; (i = next++) < count;)
      task(i);
  };
  std::size_t threads = std::min<std::size_t>(count, std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < threads; ++t)
    helpers.emplace_back(run_some);
  run_some();
  for (std::thread& helper : helpers)
    helper.join();
}

}  // namespace qinglang::detail
