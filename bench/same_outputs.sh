#!/usr/bin/env bash
# Whether two builds of qinglang say exactly the same thing: verdicts on every Weibo post of ../shared/data (as
# JSONL), the bundled record and live-room samples, the stream fixture, --text, the golden diagnostics, compile,
# test and explain, each with its exit status. For refactors, which must not change a byte of output.
#
#   bench/same_outputs.sh OLD_QINGLANG NEW_QINGLANG     # prints "same" and exits 0, or the differences and 1
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -eq 2 ]] || { echo "usage: $0 OLD_QINGLANG NEW_QINGLANG" >&2; exit 2; }
old=$(realpath "$1")
new=$(realpath "$2")
data=../shared/data/ugc/weibo_ced_texts.tsv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ -f $data ]]; then
  tail -n +2 "$data" | cut -f2- | grep -v '^$' | /usr/bin/python3 -c "
import json, sys
for i, line in enumerate(sys.stdin):
    sys.stdout.write(json.dumps({'id': i, 'text': line.rstrip('\n')}, ensure_ascii=False) + '\n')
" >"$work/weibo.jsonl"
else
  echo "note: $data is absent; the Weibo posts are left out" >&2
  : >"$work/weibo.jsonl"
fi

outputs() {  # BINARY DIR: every output, and its exit status, into DIR
  local q=$1 out=$2 cache=$2/rules.compiled
  mkdir -p "$out"
  run() { local name=$1; shift; "$@" >"$out/$name.out" 2>&1 && echo "$name 0" >>"$out/status" || echo "$name $?" >>"$out/status"; }
  "$q" compile --rules rules -o "$cache" >/dev/null 2>&1
  run weibo "$q" scan --cache "$cache" --rules rules -j 2 "$work/weibo.jsonl"
  run sample "$q" scan --cache "$cache" --rules rules examples/sample.jsonl
  run live "$q" scan --cache "$cache" --rules rules --stream examples/live_rooms.jsonl
  run events "$q" scan --cache "$cache" --rules rules --stream tests/fixtures/events.jsonl
  run text "$q" scan --cache "$cache" --rules rules --text examples/sample.txt
  run golden "$q" compile --rules tests/golden/bad_rules.yaml
  run compile "$q" compile --rules rules
  run test "$q" test --rules rules
  run explain "$q" explain '網.絡.廁.所 投稿 挂人' 'jia wo vx 领福利'
  # Timings differ from run to run.
  sed -i -E 's/[0-9]+(\.[0-9]+)? ?(ms|s|MB\/s|MiB|KiB|KB|MB)\b/T/g' "$out/compile.out" "$out/test.out"
}

outputs "$old" "$work/old"
outputs "$new" "$work/new"
if diff -r -q -x rules.compiled "$work/old" "$work/new" >/dev/null; then
  echo "same"
else
  diff -r -x rules.compiled "$work/old" "$work/new" | head -40
  exit 1
fi
