#!/usr/bin/env bash
# What the bundled model rules cost: the same build scans the Weibo posts with the bundled rules as they are and
# with every rule a model decides taken out, interleaved in pairs (bench/compare_builds.sh), and prints the
# ratio of the medians (with models / without).
#
#   scripts/build.sh release && bench/compare_models.sh [PAIRS]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r rules "$work/without-models"
rm -rf "$work/without-models/models/corpus"
# The model rules are the block each rule file opens with "the model's opinion", up to the next top-level key.
/usr/bin/python3 - "$work/without-models" <<'PY'
import glob, re, sys
for path in glob.glob(sys.argv[1] + "/*.yaml"):
    text = open(path, encoding="utf-8").read()
    cut = re.sub(r"  # -+ the model's opinion.*?(?=^\S|\Z)", "", text, flags=re.S | re.M)
    open(path, "w", encoding="utf-8").write(cut)
PY
if grep -q "model: {file" "$work/without-models"/*.yaml; then
  echo "a model rule outside the model blocks: cannot take the models out" >&2
  exit 1
fi
bench/compare_builds.sh build/release/tools/qinglang "$work/without-models" build/release/tools/qinglang rules \
  "${1:-7}"
