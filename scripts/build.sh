#!/usr/bin/env bash
# Configures and builds one build tree. Usage: scripts/build.sh release|asan|fuzz|tsan [targets...]
#   release  optimized, with the tests and benchmarks
#   asan     the tests under AddressSanitizer and UndefinedBehaviorSanitizer
#   fuzz     the fuzz targets for libFuzzer, with ASan and UBSan (clang; scripts/fuzz.sh runs them)
#   tsan     the tests under ThreadSanitizer (clang)
set -euo pipefail
cd "$(dirname "$0")/.."

kind=${1:-release}
shift || true
# The clang builds trade some optimization for a faster build: they run briefly, once, in CI.
clang=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
       "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" -DQINGLANG_BUILD_BENCH=OFF)
case "$kind" in
  release) flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DQINGLANG_SANITIZE=ON -DQINGLANG_BUILD_BENCH=OFF) ;;
  fuzz) flags=("${clang[@]}" -DQINGLANG_FUZZ=ON -DQINGLANG_BUILD_TESTS=OFF -DQINGLANG_BUILD_TOOLS=OFF) ;;
  tsan) flags=("${clang[@]}" -DQINGLANG_THREAD_SANITIZER=ON) ;;
  *) echo "usage: $0 release|asan|fuzz|tsan [targets...]" >&2; exit 2 ;;
esac

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f build/$kind/CMakeCache.txt ]]; then
  cmake -S . -B "build/$kind" "${generator[@]}" "${flags[@]}" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "build/$kind" --parallel "$(nproc)" "${targets[@]}"
