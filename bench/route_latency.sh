#!/usr/bin/env bash
# Whole-process latency of `llmroute route --dry-run` with the embedded config.
# Target: median <= 5 ms. Prints the median, mean and spread for a greeting, a rule miss that reaches
# the difficulty stage, and a counted route (which writes the state store).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/llmroute
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
hyperfine -N --warmup 50 --runs 500 --export-json "$tmp/r.json" \
  "$bin route --dry-run 你好" \
  "$bin route --dry-run '为什么这个算法的时间复杂度是 O(n log n)? 请比较并推导, 用表格输出'" \
  "$bin route hello" >/dev/null
python3 - "$tmp/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(f"{'command':<70} {'median':>8} {'mean':>8} {'min':>8} {'max':>8}")
for x in r:
    cmd = x["command"].split("/llmroute ", 1)[-1]
    print(f"llmroute {cmd[:61]:<61} {x['median']*1e3:7.2f}ms {x['mean']*1e3:7.2f}ms {x['min']*1e3:7.2f}ms {x['max']*1e3:7.2f}ms")
PY
