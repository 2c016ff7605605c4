#!/usr/bin/env bash
# Configures and builds one build tree. Usage: scripts/build.sh release|asan [targets...]
set -euo pipefail
cd "$(dirname "$0")/.."

kind=${1:-release}
shift || true
case "$kind" in
  release) flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DQINGLANG_SANITIZE=ON -DQINGLANG_BUILD_BENCH=OFF) ;;
  *) echo "usage: $0 release|asan [targets...]" >&2; exit 2 ;;
esac

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f build/$kind/CMakeCache.txt ]]; then
  cmake -S . -B "build/$kind" "${generator[@]}" "${flags[@]}" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "build/$kind" --parallel "$(nproc)" "${targets[@]}"
