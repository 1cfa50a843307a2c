#!/usr/bin/env bash
# Whole-process latency of `llmroute route --dry-run` with the embedded config.
# Target: median <= 5 ms. Prints the median, mean and spread for a greeting, a rule miss that reaches
# the difficulty stage, and a counted route (which writes the state store).
#
#   BASE=/path/to/old/llmroute bench/route_latency.sh    times both binaries in one run
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/llmroute
base=${BASE:-}
if ! command -v hyperfine >/dev/null 2>&1; then
  echo "hyperfine not found; installing it from Debian's packages" >&2
  (apt-get install -y hyperfine >/dev/null 2>&1 || sudo apt-get install -y hyperfine >/dev/null 2>&1) || {
    echo "cannot install hyperfine; install it and re-run" >&2; exit 1; }
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LLMROUTE_STATE=$tmp/state.db
cd "$tmp"   # no ./llmroute.toml here: the embedded default is used
"$bin" route hello >/dev/null   # create the store so dry runs read a real database
cmds=()
for b in $base $bin; do
  cmds+=("$b route --dry-run 你好" "$b route --dry-run '为什么这个算法的时间复杂度是 O(n log n)? 请比较并推导, 用表格输出'" "$b route hello")
done
hyperfine -N --warmup 50 --runs 500 --export-json "$tmp/r.json" "${cmds[@]}" >/dev/null
python3 - "$tmp/r.json" "$bin" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(f"{'command':<70} {'median':>8} {'mean':>8} {'min':>8} {'max':>8}")
for x in r:
    who, cmd = x["command"].split(" ", 1)
    who = "base " if who != sys.argv[2] else ""
    print(f"{who}llmroute {cmd[:56]:<56} {x['median']*1e3:7.2f}ms {x['mean']*1e3:7.2f}ms {x['min']*1e3:7.2f}ms {x['max']*1e3:7.2f}ms")
PY
