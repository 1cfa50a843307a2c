#!/usr/bin/env bash
# Replay speed and memory on generated logs (1,000,000 rows of short English/Chinese prompts with
# outcome columns for the 4 catalog models; bench/gen_replay.py).
#
#   bench/replay.sh [ROWS]                 (default 1000000)
#   BASE=/path/to/old/llmroute bench/replay.sh    before/after in one run
#
# Prints, for `batch` (the chain, without and with a trained ML stage) and `simulate` (every
# strategy, without and with ML): seconds, rows/s, peak RSS; batch at a fifth of the rows, to
# show that its memory does not grow with the input; and batch against the time the csv crate
# alone needs to read the same file (examples/csv_read.rs), on the outcome file (costs recorded
# per model: no token counting) and on a plain log of the same prompts (id, prompt: every
# decision's cost is estimated from the prompt's exact o200k token count).
#
# This machine's speed drifts by up to 1.6x between minutes, so every figure is the best of
# three runs, and each comparison alternates its commands run by run. With BASE set, every row is
# measured for BASE and for this build, alternating, and the ratio is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
PY=$(bash bench/setup_venv.sh | tail -n1)
cargo build --release --quiet --bin llmroute --example csv_read
target=${CARGO_TARGET_DIR:-$PWD/target}
bin=$target/release/llmroute
base=${BASE:-}
out=bench/out
mkdir -p "$out"
big=$out/replay_$rows.csv
small=$out/replay_$((rows / 5)).csv
plain=$out/plain_$rows.csv
[ -f "$big" ] || "$PY" bench/gen_replay.py --rows "$rows" --out "$big" --seed 7 >&2
[ -f "$small" ] || head -n $((rows / 5 + 1)) "$big" > "$small"
[ -f "$plain" ] || "$PY" - "$big" "$plain" <<'PYEOF'
import csv, sys
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as g:
    r, w = csv.DictReader(f), csv.writer(g)
    w.writerow(["id", "prompt"])
    for row in r:
        w.writerow([row["sample_id"], row["prompt"]])
PYEOF
[ -f "$out/tier.model" ] || "$bin" train fixtures/tiers/train.jsonl --label-col expected_tier --valid-split 0 -o "$out/tier.model" --force >/dev/null

# Runs a command, appending "SECS KB" to the file named by $1.
timed() {
  local into=$1; shift
  /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" > /dev/null
  cat "$out/time.txt" >> "$into"
}
# best SECS and max KB of a file of "SECS KB" lines, into $secs and $kb
best_of() {
  read -r secs kb < <(awk 'NR==1||$1<s{s=$1} $2>k{k=$2} END{print s, k}' "$1")
}
row() { # label, rows, llmroute args...
  local label=$1 n=$2; shift 2
  rm -f "$out/new.t" "$out/base.t"
  for _ in 1 2 3; do
    [ -n "$base" ] && timed "$out/base.t" "$base" "$@"
    timed "$out/new.t" "$bin" "$@"
  done
  best_of "$out/new.t"; local s=$secs k=$kb
  if [ -n "$base" ]; then
    best_of "$out/base.t"
    python3 -c "print(f'| $label | {$secs:.2f} | {$n/$secs:,.0f} | {$kb/1024:.0f} | {$s:.2f} | {$n/$s:,.0f} | {$k/1024:.0f} | {$secs/$s:.2f}x |')"
  else
    python3 -c "print(f'| $label | {$s:.2f} | {$n/$s:,.0f} | {$k/1024:.0f} |')"
  fi
}
ratio() { # label, file, batch args...: best of 3 csv reads vs best of 3 batch runs, alternating
  local label=$1 file=$2; shift 2
  local c=999999 b=999999 s
  for _ in 1 2 3; do
    s=$("$target/release/examples/csv_read" "$file" | awk '{print $(NF-1)}'); c=$(python3 -c "print(min($c, $s))")
    /usr/bin/time -f '%e' -o "$out/time.txt" "$bin" batch "$file" "$@" -o "$out/decisions.csv" --force
    s=$(cat "$out/time.txt"); b=$(python3 -c "print(min($b, $s))")
  done
  python3 -c "print(f'| $label | {$c:.2f} | {$b:.2f} | {$b/$c:.1f}x |')"
}
if [ -n "$base" ]; then
  echo "| run | before s | before rows/s | before RSS MB | after s | after rows/s | after RSS MB | speed-up |"
  echo "|---|---|---|---|---|---|---|---|"
else
  echo "| run | seconds | rows/s | peak RSS MB |"
  echo "|---|---|---|---|"
fi
row "batch, chain (rules → difficulty), recorded costs" "$rows" batch "$big" -o "$out/decisions.csv" --force
row "batch, same, $((rows / 5)) rows" $((rows / 5)) batch "$small" -o "$out/decisions.csv" --force
row "batch, chain, plain log (costs from token counts)" "$rows" batch "$plain" -o "$out/decisions.csv" --force
row "batch, chain with ML (char_wb model)" "$rows" batch "$big" --classifier "$out/tier.model" -o "$out/decisions.csv" --force
row "simulate, every strategy" "$rows" simulate "$big"
row "simulate, every strategy + ML" "$rows" simulate "$big" --classifier "$out/tier.model"
echo
echo "| batch (chain) against reading the same file with the csv crate | csv s | batch s | ratio |"
echo "|---|---|---|---|"
ratio "outcome file (recorded costs)" "$big"
ratio "plain log (exact token counts)" "$plain"
