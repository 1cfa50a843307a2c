#!/usr/bin/env bash
# The outcome router against a scikit-learn baseline on RouterBench rows (../shared/data, never
# copied into the repository): a seeded 80/20 split (numpy RandomState(42) over the 2,225 rows of
# arc_challenge, mbpp and winogrande), llmroute `train --outcomes` on the 80 % with the 20 % as its
# validation file, scikit-learn's per-model logistic regression on word 1-2-gram TF-IDF on the same
# rows, both curves (λ swept the same way) scored by the same AIQ code, the whole-process fit times
# (best of 3), and llmroute's prediction time for all 11 models per prompt.
#
#   bench/outcome_vs_sklearn.sh
#   FEATURES=encoder bench/outcome_vs_sklearn.sh    llmroute on the built-in encoder's vectors
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(bash bench/setup_venv.sh | tail -n1)
[ -d ../shared/data/routerbench_routerdc ] || { echo "../shared/data/routerbench_routerdc is not here" >&2; exit 1; }
cargo build --release --quiet --bin llmroute
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/llmroute
out=bench/out
mkdir -p "$out"
"$PY" bench/outcome_sklearn.py split "$out"
best() { # best wall seconds of three runs of a command
  local b=999999 s
  for _ in 1 2 3; do
    /usr/bin/time -f '%e' -o "$out/time.txt" "$@" > /dev/null
    s=$(cat "$out/time.txt"); b=$(python3 -c "print(min($b, $s))")
  done
  echo "$b"
}
feats=(--features "${FEATURES:-tfidf}")
ours=$(best "$bin" train --outcomes "$out/rb_train.csv" --valid "$out/rb_test.csv" "${feats[@]}" -o "$out/rb.model" --force --json)
"$bin" train --outcomes "$out/rb_train.csv" --valid "$out/rb_test.csv" "${feats[@]}" -o "$out/rb.model" --force --json > "$out/rb_train.json"
theirs=$(best "$PY" bench/outcome_sklearn.py fit "$out")
"$PY" bench/outcome_sklearn.py score "$out" "$out/rb_train.json"
"$bin" evaluate --classifier "$out/rb.model" "$out/rb_test.csv" --json > "$out/rb_eval.json"
python3 - "$ours" "$theirs" "$out/rb_eval.json" <<'PY'
import json, sys
ours, theirs = float(sys.argv[1]), float(sys.argv[2])
ev = json.load(open(sys.argv[3]))
print(f"whole-process fit: llmroute {ours:.2f} s, scikit-learn {theirs:.2f} s ({theirs / ours:.1f}x)")
print(f"llmroute prediction, all 11 models: {ev['per_query_us']:.1f} us per prompt; model load {ev['load_ms']:.1f} ms")
PY
