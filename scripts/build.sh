#!/usr/bin/env bash
# Configures and builds one build tree. Usage: scripts/build.sh release|asan|tsan [targets...]
#   release  optimized (GCC), with the tests and benchmarks
#   asan     the tests under AddressSanitizer and UndefinedBehaviorSanitizer, and the fuzz targets for libFuzzer
#            (clang; scripts/fuzz.sh runs them)
#   tsan     the tests under ThreadSanitizer (clang)
set -euo pipefail
cd "$(dirname "$0")/.."

kind=${1:-release}
shift || true
# The sanitizer builds trade some optimization for a faster build: they are built from scratch in CI.
clang=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
       "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" -DQINGLANG_BUILD_BENCH=OFF)
case "$kind" in
  release) flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) flags=("${clang[@]}" -DQINGLANG_SANITIZE=ON -DQINGLANG_FUZZ=ON) ;;
  tsan) flags=("${clang[@]}" -DQINGLANG_THREAD_SANITIZER=ON) ;;
  *) echo "usage: $0 release|asan|tsan [targets...]" >&2; exit 2 ;;
esac

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f build/$kind/CMakeCache.txt ]]; then
  cmake -S . -B "build/$kind" "${generator[@]}" "${flags[@]}" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "build/$kind" --parallel "$(nproc)" "${targets[@]}"
