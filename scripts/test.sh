#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test: once in a release build, once under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
clang-format --dry-run --Werror include/qinglang/*.h engine/*/*.h engine/*/*.cpp tools/*.h tools/*.cpp tests/*.h \
  tests/*.cpp tests/install/*.cpp bench/*.cpp
for kind in release asan; do
  echo "== $kind build"
  scripts/build.sh "$kind"
  (cd "build/$kind" && ctest --output-on-failure --parallel "$(nproc)" --timeout 600)
done
