// What a fuzz target does when an invariant fails: says which and aborts, so that libFuzzer keeps the input
// and a replay test fails, in every build type (assert() is gone from release builds).
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                 \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)

// Each target's inputs are its own; libFuzzer's flags are for libFuzzer.
extern "C" int LLVMFuzzerInitialize(int*, char***);
