#!/usr/bin/env bash
# End-to-end throughput of two versions of Qinglang, each with its own rules, on the Weibo posts of ../shared/data
# as JSONL, one thread, from a compiled cache: runs interleaved in pairs (old, new, old, new …) so that the drift
# of a shared machine falls on both, and prints each one's median MB per CPU second and the ratio new/old of the
# medians, with the lowest and highest ratio of a pair. For gating a change of rules or engine on speed.
#
#   bench/compare_builds.sh OLD_QINGLANG OLD_RULES NEW_QINGLANG NEW_RULES [PAIRS]   # PAIRS defaults to 7
#
# With SAMPLE=new (or both), the new build (or both) is compiled with `compile --sample` on every tenth post,
# and both scan the other nine tenths, so no post that chose an anchor is timed.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 4 ]] || { echo "usage: $0 OLD_QINGLANG OLD_RULES NEW_QINGLANG NEW_RULES [PAIRS]" >&2; exit 2; }
old=$(realpath "$1") old_rules=$(realpath "$2") new=$(realpath "$3") new_rules=$(realpath "$4")
pairs=${5:-7}
data=../shared/data/ugc/weibo_ced_texts.tsv
[[ -f $data ]] || { echo "skipped: $data is absent"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tail -n +2 "$data" | cut -f2- | grep -v '^$' | /usr/bin/python3 -c "
import json, sys
for i, line in enumerate(sys.stdin):
    sys.stdout.write(json.dumps({'id': i, 'text': line.rstrip('\n')}, ensure_ascii=False) + '\n')
" >"$work/posts.jsonl"
old_sample=() new_sample=()
if [[ -n ${SAMPLE:-} ]]; then
  awk 'NR % 10 == 1' "$work/posts.jsonl" >"$work/sample.jsonl"
  awk 'NR % 10 != 1' "$work/posts.jsonl" >"$work/timed.jsonl"
  mv "$work/timed.jsonl" "$work/posts.jsonl"
  new_sample=(--sample "$work/sample.jsonl")
  [[ $SAMPLE == both ]] && old_sample=(--sample "$work/sample.jsonl")
fi
bytes=$(stat -c %s "$work/posts.jsonl")
"$old" compile --rules "$old_rules" --cache "$work/old.cache" "${old_sample[@]}" >/dev/null
"$new" compile --rules "$new_rules" --cache "$work/new.cache" "${new_sample[@]}" >/dev/null

# CPU seconds (user and system) rather than wall time: on a shared machine, another job's load stretches the
# wall time of a one-thread scan far more than its CPU time.
seconds() {  # binary, rules, cache: CPU seconds of one scan
  /usr/bin/time -f '%U %S' -o "$work/cpu" "$1" scan --rules "$2" --cache "$3" -j 1 "$work/posts.jsonl" >/dev/null
  awk '{ print $1 + $2 }' "$work/cpu"
}
: >"$work/times"
for ((i = 0; i < pairs; ++i)); do
  o=$(seconds "$old" "$old_rules" "$work/old.cache")
  n=$(seconds "$new" "$new_rules" "$work/new.cache")
  echo "$o $n" >>"$work/times"
done
/usr/bin/python3 - "$work/times" "$bytes" "${SAMPLE:+sampled on a tenth of the posts (SAMPLE=$SAMPLE), timed on the rest}" <<'EOF'
import statistics, sys
pairs = [tuple(map(float, line.split())) for line in open(sys.argv[1])]
mb = int(sys.argv[2]) / 1e6
old = statistics.median(o for o, _ in pairs)
new = statistics.median(n for _, n in pairs)
ratios = sorted(o / n for o, n in pairs)  # throughput new/old of each pair
print(f"{len(pairs)} pairs, {mb:.0f} MB of Weibo posts as JSONL, one thread, from a cache")
print("anchors: " + (sys.argv[3] or "guessed"))
print(f"old: {mb / old:.1f} MB per CPU second (median {old:.2f} s)")
print(f"new: {mb / new:.1f} MB per CPU second (median {new:.2f} s)")
print(f"new/old throughput: {old / new:.3f} (pairs from {ratios[0]:.3f} to {ratios[-1]:.3f})")
# The pairs' own ratios cancel the drift that lasts longer than a pair: their median, and the middle half.
quartiles = statistics.quantiles(ratios, n=4) if len(ratios) >= 2 else [ratios[0]] * 3
print(f"median of the pairs' ratios: {quartiles[1]:.3f} (middle half {quartiles[0]:.3f} to {quartiles[2]:.3f})")
EOF
