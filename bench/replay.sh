#!/usr/bin/env bash
# Replay speed and memory on generated logs (1,000,000 rows of short English/Chinese prompts with
# outcome columns for the 4 catalog models; bench/gen_replay.py).
#
#   bench/replay.sh [ROWS]        (default 1000000)
#
# Prints, for `batch` (the chain, without and with a trained ML stage) and `simulate` (every
# strategy, without and with ML): seconds, rows/s, peak RSS; batch against the time the csv crate
# alone needs to read the file (examples/csv_read.rs); batch RSS at a fifth of the rows, to show
# that batch memory does not grow with the input.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
PY=$(bash bench/setup_venv.sh | tail -n1)
cargo build --release --quiet --bin llmroute --example csv_read
bin=$PWD/target/release/llmroute
out=bench/out
mkdir -p "$out"
big=$out/replay_$rows.csv
small=$out/replay_$((rows / 5)).csv
[ -f "$big" ] || "$PY" bench/gen_replay.py --rows "$rows" --out "$big" --seed 7 >&2
[ -f "$small" ] || head -n $((rows / 5 + 1)) "$big" > "$small"
[ -f "$out/tier.model" ] || "$bin" train fixtures/tiers/train.jsonl --label-col expected_tier --valid-split 0 -o "$out/tier.model" --force >/dev/null

measure() { # label, rows, command...
  local label=$1 n=$2; shift 2
  /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" > /dev/null
  read -r secs kb < "$out/time.txt"
  python3 -c "import sys; s=float('$secs'); print(f'| $label | {s:.2f} | {$n/s:,.0f} | {$kb/1024:.0f} |')"
}
csv_secs=$(target/release/examples/csv_read "$big" | awk '{print $(NF-1)}')
echo "| run | seconds | rows/s | peak RSS MB |"
echo "|---|---|---|---|"
echo "| csv crate alone (read every field) | $csv_secs | $(python3 -c "print(f'{$rows/$csv_secs:,.0f}')") | - |"
measure "batch, chain (rules → difficulty)" "$rows" "$bin" batch "$big" -o "$out/decisions.csv" --force
measure "batch, chain, $((rows / 5)) rows" $((rows / 5)) "$bin" batch "$small" -o "$out/decisions.csv" --force
measure "batch, chain with ML (char_wb model)" "$rows" "$bin" batch "$big" --model "$out/tier.model" -o "$out/decisions.csv" --force
measure "simulate, every strategy" "$rows" "$bin" simulate "$big"
measure "simulate, every strategy + ML" "$rows" "$bin" simulate "$big" --model "$out/tier.model"
