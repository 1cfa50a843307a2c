#!/usr/bin/env bash
# Compares analyzers and tree depths on the UncommonRoute prompt -> tier data (train -> dev), the
# measurement behind `llmroute train`'s defaults. Prints a Markdown table.
#   bench/analyzers.sh [DATA_DIR]   (default: fixtures/tiers, else ../shared/data/uncommonroute_tiers)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-fixtures/tiers}
[ -f "$dir/train.jsonl" ] || dir=../shared/data/uncommonroute_tiers
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/llmroute
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| analyzer | n-gram | max depth | features | accuracy | fallback < 0.6 | accuracy after fallback | zh accuracy | fit s | model KB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
grep '"lang": "zh"' "$dir/dev.jsonl" > "$tmp/dev_zh.jsonl" || true
for cfg in "word 1,1" "word 1,2" "char_wb 1,3" "char_wb 2,4" "char_wb 1,4" "char_wb 2,5" "cjk 1,1" "cjk 1,2"; do
  for depth in 10 none; do
    set -- $cfg
    "$bin" train "$dir/train.jsonl" --valid "$dir/dev.jsonl" --label-col expected_tier --analyzer "$1" --ngram "$2" \
      --max-depth "$depth" -o "$tmp/m" --force --json 2>/dev/null > "$tmp/r.json"
    zh=$("$bin" evaluate --classifier "$tmp/m" "$tmp/dev_zh.jsonl" --label-col expected_tier --json 2>/dev/null \
      | python3 -c 'import json,sys; print("%.4f" % json.load(sys.stdin)["accuracy"])')
    python3 - "$tmp/r.json" "$1" "$2" "$depth" "$zh" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); v = r["validation"]
print(f"| {sys.argv[2]} | {sys.argv[3]} | {sys.argv[4]} | {r['vocabulary_size']} | {v['accuracy']:.4f} | "
      f"{v['fallback_rate']*100:.1f} % | {v['accuracy_after_fallback']:.4f} | {sys.argv[5]} | {r['fit_seconds']:.3f} | {r['model_bytes']//1024} |")
PY
  done
done
