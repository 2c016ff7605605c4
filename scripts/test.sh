#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test: in a release build (GCC), under ASan+UBSan (clang),
# then fuzzes each fuzz target for FUZZ_SECONDS (default 60) and runs the tests that use threads under
# ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
clang-format --dry-run --Werror include/qinglang/*.h engine/*/*.h engine/*/*.cpp tools/*.h tools/*.cpp tests/*.h \
  tests/*.cpp tests/install/*.cpp bench/*.cpp fuzz/*.h fuzz/*.cpp
for kind in release asan; do
  echo "== $kind build"
  scripts/build.sh "$kind"
  (cd "build/$kind" && ctest --output-on-failure --parallel "$(nproc)" --timeout 600)
done

echo "== fuzz, ${FUZZ_SECONDS:-60} s per target"
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"

echo "== tsan build: the tests, but those that compile the bundled rules (minutes under TSan)"
# Threads run in the parallel scan (-j), in Scanners sharing compiled rules, and in every compile of a rule
# folder, whose files are parsed on every core.
scripts/build.sh tsan qinglang_tests qinglang_cli qinglang_cli_tests
(cd build/tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure --parallel "$(nproc)" --timeout 600 \
  -E 'BenignCorpus|CampaignNotice|Bundled|bundled_rules|installed_|fuzz_replay')
