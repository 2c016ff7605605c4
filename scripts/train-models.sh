#!/usr/bin/env bash
# Trains the bundled model, rules/models/minors.ftz, from its recipe: the corpus written for it
# (rules/models/corpus, never the evaluation batches of tests/eval) and real benign text from ../shared/data
# (Weibo posts and shopping reviews, 40,000 lines of each, taken evenly). One thread and a fixed seed: the same
# inputs give the same file byte for byte. Writes the model and its manifest (minors.manifest.json).
#
#   scripts/build.sh release && scripts/train-models.sh
set -euo pipefail
cd "$(dirname "$0")/.."

data=../shared/data
for f in ugc/weibo_ced_texts.tsv ugc/online_shopping_10_cats.csv; do
  [[ -f $data/$f ]] || { echo "$data/$f is absent: the benign text comes from there" >&2; exit 1; }
done
benign=build/models
mkdir -p "$benign"
# The text columns alone, one record a line.
tail -n +2 "$data/ugc/weibo_ced_texts.tsv" | cut -f2- >"$benign/weibo.txt"
tail -n +2 "$data/ugc/online_shopping_10_cats.csv" | cut -d, -f3- >"$benign/shopping.txt"

build/release/tools/qinglang train --cutoff 20000 --seed 1 -o rules/models/minors.ftz \
  --benign "$benign/weibo.txt" --benign "$benign/shopping.txt" rules/models/corpus/*.jsonl
