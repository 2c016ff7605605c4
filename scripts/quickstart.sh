#!/usr/bin/env bash
# Installs what is needed, builds, and scans the bundled samples: one verdict line per record on standard
# output, the summary per category and item on standard error; then three live rooms as streams.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
scripts/build.sh release qinglang_cli >/dev/null
status=0
build/release/tools/qinglang scan --summary --cache build/release/bundled-rules.cache examples/sample.jsonl || status=$?
# The sample ends with two deliberately broken lines, so exit status 1 is the expected outcome.
[[ $status -le 1 ]]
echo
echo "== live rooms (examples/live_rooms.jsonl) as streams =="
status=0
build/release/tools/qinglang scan --stream --summary --cache build/release/bundled-rules.cache \
  examples/live_rooms.jsonl || status=$?
# One event repeats an old seq on purpose: its error line is the expected outcome.
[[ $status -le 1 ]]
