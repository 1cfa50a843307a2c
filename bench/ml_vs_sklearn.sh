#!/usr/bin/env bash
# llmroute's TF-IDF + random forest against scikit-learn's, on identical data.
#
#   bench/ml_vs_sklearn.sh [RUNS]      (default 3 runs per side; medians are reported)
#
# Datasets: (a) the UncommonRoute tier data, train -> dev, with the article's pipeline (word
# analyzer, depth 10) and with llmroute's measured defaults (char_wb 1-4, unlimited depth);
# (b) a generated 20,000-row problem with 5,000 features and (c) a 100,000-row one, both tested on
# the same 5,000 held-out rows. scikit-learn runs with n_jobs=-1 (every core). Prints fit time,
# predict time for all test rows, single-query latency (TF-IDF included), peak RSS and accuracy
# for both sides, and the ratios. Targets: fit >= 3x faster, accuracy within 1.5 points, peak RSS
# <= 1/5, single query <= 50 us.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
PY=$(bash bench/setup_venv.sh | tail -n1)
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/llmroute
out=bench/out
mkdir -p "$out"
[ -f "$out/train20k.csv" ] || "$PY" bench/gen_synthetic.py --rows 20000 --out "$out/train20k.csv" --test-rows 5000 --test-out "$out/test5k.csv" >&2
[ -f "$out/train100k.csv" ] || "$PY" bench/gen_synthetic.py --rows 100000 --out "$out/train100k.csv" >&2

# name | train | test | label column | analyzer | ngram | depth
cases=(
  "tiers, article pipeline|fixtures/tiers/train.jsonl|fixtures/tiers/dev.jsonl|expected_tier|word|1,1|10"
  "tiers, llmroute defaults|fixtures/tiers/train.jsonl|fixtures/tiers/dev.jsonl|expected_tier|char_wb|1,4|none"
  "synthetic 20k x 5000|$out/train20k.csv|$out/test5k.csv|label|word|1,1|10"
  "synthetic 100k x 5000|$out/train100k.csv|$out/test5k.csv|label|word|1,1|10"
)
results=$out/ml_vs_sklearn.jsonl
: > "$results"
for c in "${cases[@]}"; do
  IFS='|' read -r name train test label analyzer ngram depth <<< "$c"
  echo "running: $name" >&2
  for r in $(seq "$runs"); do
    "$PY" bench/sklearn_side.py --train "$train" --test "$test" --label-col "$label" --analyzer "$analyzer" \
      --ngram "$ngram" --max-depth "$depth" --n-jobs -1 --single-queries 300 > "$out/sk.json"
    /usr/bin/time -f '%M' -o "$out/rss.txt" "$bin" train "$train" --valid-split 0 --label-col "$label" \
      --analyzer "$analyzer" --ngram "$ngram" --max-depth "$depth" -o "$out/lr.model" --force --json > "$out/lr_train.json"
    "$bin" evaluate --classifier "$out/lr.model" "$test" --label-col "$label" --min-confidence 0.6 --json > "$out/lr_eval.json"
    "$PY" - "$name" "$out" >> "$results" <<'PY'
import json, sys
name, out = sys.argv[1], sys.argv[2]
sk = json.load(open(f"{out}/sk.json"))
tr = json.load(open(f"{out}/lr_train.json"))
ev = json.load(open(f"{out}/lr_eval.json"))
rss_kb = int(open(f"{out}/rss.txt").read().split()[-1])
print(json.dumps({
    "case": name,
    "sk_fit": sk["fit_seconds"], "lr_fit": tr["fit_seconds"],
    "sk_predict": sk["predict_all_seconds"], "lr_predict": ev["predict_seconds"],
    "sk_query_us": sk["single_query_us"], "lr_query_us": ev["per_query_us"],
    "sk_rss_mb": sk["peak_rss_mb"], "lr_rss_mb": rss_kb / 1024,
    "sk_acc": sk["accuracy"], "lr_acc": ev["accuracy"],
    "sk_fallback": sk["fallback_rate"], "lr_fallback": ev["fallback_rate"],
    "lr_load_ms": ev["load_ms"],
}))
PY
  done
done
"$PY" - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cases = []
for r in rows:
    if r["case"] not in cases:
        cases.append(r["case"])
med = lambda c, k: statistics.median(r[k] for r in rows if r["case"] == c)
print("| case | side | fit s | predict all s | single query µs | peak RSS MB | accuracy | fallback < 0.6 |")
print("|---|---|---|---|---|---|---|---|")
for c in cases:
    for side, label in (("sk", "scikit-learn 1.9.1 (n_jobs=-1)"), ("lr", "llmroute")):
        print(f"| {c} | {label} | {med(c, side + '_fit'):.3f} | {med(c, side + '_predict'):.3f} | "
              f"{med(c, side + '_query_us'):.1f} | {med(c, side + '_rss_mb'):.0f} | {med(c, side + '_acc'):.4f} | "
              f"{med(c, side + '_fallback') * 100:.1f} % |")
print()
print("| case | fit speed-up | single-query speed-up | RSS ratio (sk / llmroute) | accuracy difference (points) | model load ms |")
print("|---|---|---|---|---|---|")
for c in cases:
    print(f"| {c} | {med(c, 'sk_fit') / med(c, 'lr_fit'):.1f}x | {med(c, 'sk_query_us') / med(c, 'lr_query_us'):.0f}x | "
          f"{med(c, 'sk_rss_mb') / med(c, 'lr_rss_mb'):.1f}x | {(med(c, 'lr_acc') - med(c, 'sk_acc')) * 100:+.2f} | {med(c, 'lr_load_ms'):.2f} |")
PY
