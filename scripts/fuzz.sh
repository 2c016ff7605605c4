#!/usr/bin/env bash
# Builds the fuzz targets (in the asan build: clang, libFuzzer, ASan and UBSan) and fuzzes each for a while, as
# many at once as there are processors. Usage: scripts/fuzz.sh [SECONDS per target, default 60] [targets...]
# New inputs go to build/asan/corpus/<target>/, never into the seed corpus (fuzz/corpus/); a crash leaves its
# input in build/asan/ and fails the run: add it to fuzz/corpus/<target>/ with the fix, so the replay test
# keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(json_record stream_events normalizer rule_loader scan_batch)

scripts/build.sh asan "${targets[@]/#/fuzz_}"

run() {
  local target=$1 found=build/asan/corpus/$1
  mkdir -p "$found"
  # -rss_limit_mb: a record may cost 20 times its size; libFuzzer's inputs stay under -max_len.
  (cd build/asan && "./fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 \
    -timeout=30 -print_final_stats=1 "corpus/$target" "../../fuzz/corpus/$target" >"fuzz-$target.log" 2>&1) &&
    echo "fuzz $target: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "build/asan/fuzz-$target.log" |
      grep -o '[0-9]*$') inputs in ${seconds} s, nothing found" ||
    { echo "fuzz $target: FAILED (build/asan/fuzz-$target.log)"; tail -40 "build/asan/fuzz-$target.log"; return 1; }
}

status=0
pids=()
for target in "${targets[@]}"; do
  run "$target" &
  pids+=($!)
  if ((${#pids[@]} >= $(nproc))); then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
