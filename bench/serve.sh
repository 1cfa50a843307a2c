#!/usr/bin/env bash
# The gateway's cost: the same chat request sent by `oha` to a stub upstream that answers at once
# (examples/stub_upstream.rs), directly and through `llmroute serve` (model `auto`: rules, the
# built-in tier model and the difficulty score decide, the quota is counted in SQLite, the
# decision logged). Prints latency percentiles at a fixed rate, the added latency, the maximum
# throughput of both and the gateway's peak RSS.
#
#   bench/serve.sh [RATE] [SECONDS] [sqlite|redis]   (default 1000 requests/s for 30 s, SQLite;
#                                                     WORKERS=N for the gateway's threads, default 1;
#                                                     GATEWAY_BIN=PATH to measure another llmroute
#                                                     binary, e.g. an earlier build: before/after)
#
# With `redis`, a local `redis-server` (no persistence) holds the state instead.
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-1000}
secs=${2:-30}
backend=${3:-sqlite}
command -v oha >/dev/null || { echo "oha not found: cargo install oha --locked" >&2; exit 1; }
cargo build --release --quiet --bin llmroute --example stub_upstream
bin=${CARGO_TARGET_DIR:-$PWD/target}/release
gateway=${GATEWAY_BIN:-$bin/llmroute}
tmp=$(mktemp -d)
stub_port=18731
gw_port=18732
"$bin/examples/stub_upstream" 127.0.0.1:$stub_port >/dev/null &
stub=$!
# The embedded default, pointed at the stub, without daily quotas (the run sends more than a day's).
"$gateway" config init "$tmp/llmroute.toml" >/dev/null 2>&1
sed -i -e "s#https://api.openai.com/v1#http://127.0.0.1:$stub_port/v1#" -e '/^daily_quota/d' "$tmp/llmroute.toml"
export OPENAI_API_KEY=bench-key LLMROUTE_STATE=$tmp/state.db
rs=""
if [ "$backend" = redis ]; then
  redis_port=18733
  redis-server --port $redis_port --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" --logfile "$tmp/redis.log" &
  rs=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$redis_port) 2>/dev/null && break; sleep 0.05; done
  sed -i 's/^backend = "sqlite"/backend = "redis"/' "$tmp/llmroute.toml"
  export LLMROUTE_REDIS_URL=redis://127.0.0.1:$redis_port/0
fi
# One worker thread: on this 2-core machine the load generator and the stub need the other core
# (1 worker: 0.36 ms p50 and 8,377 requests/s through the gateway; 2 workers: 0.41 ms and 7,773).
"$gateway" --config "$tmp/llmroute.toml" serve --listen 127.0.0.1:$gw_port --workers "${WORKERS:-1}" 2>"$tmp/serve.log" &
gw=$!
trap 'kill $gw $stub $rs 2>/dev/null; rm -rf "$tmp"' EXIT
for p in $stub_port $gw_port; do
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.05; done
done
body='{"model":"auto","messages":[{"role":"user","content":"hello"}]}'
run() { # name url extra-args...
  local name=$1 url=$2; shift 2
  oha --no-tui --output-format json -m POST -H 'content-type: application/json' -d "$body" "$@" "$url" >"$tmp/$name.json"
}
run warm "http://127.0.0.1:$gw_port/v1/chat/completions" -n 2000 -c 10
run stub_rate "http://127.0.0.1:$stub_port/v1/chat/completions" -z "${secs}s" -q "$rate" -c 50
run gw_rate "http://127.0.0.1:$gw_port/v1/chat/completions" -z "${secs}s" -q "$rate" -c 50
run stub_max "http://127.0.0.1:$stub_port/v1/chat/completions" -z 10s -c 50
run gw_max "http://127.0.0.1:$gw_port/v1/chat/completions" -z 10s -c 50
grep VmHWM /proc/$gw/status | awk "{print \$2}" >"$tmp/rss"; kill -TERM $gw; wait $gw 2>/dev/null || true
python3 - "$tmp" "$rate" "$secs" "$backend" "$gateway" <<'PY'
import json, sys
d, rate, secs = sys.argv[1], sys.argv[2], sys.argv[3]
r = {n: json.load(open(f"{d}/{n}.json")) for n in ["stub_rate", "gw_rate", "stub_max", "gw_max"]}
def p(n, q): return r[n]["latencyPercentiles"][q] * 1e3
def ok(n): return r[n]["statusCodeDistribution"]
print(f"state: {sys.argv[4]}; gateway: {sys.argv[5]}\n")
print(f"| at {rate} requests/s for {secs} s | p50 ms | p90 ms | p99 ms | requests/s | status codes |")
print("|---|---|---|---|---|---|")
for n, label in [("stub_rate", "stub alone"), ("gw_rate", "through `serve`")]:
    s = r[n]["summary"]
    print(f"| {label} | {p(n,'p50'):.3f} | {p(n,'p90'):.3f} | {p(n,'p99'):.3f} | {s['requestsPerSec']:.0f} | {ok(n)} |")
print(f"| added by the gateway | {p('gw_rate','p50')-p('stub_rate','p50'):.3f} | {p('gw_rate','p90')-p('stub_rate','p90'):.3f} | {p('gw_rate','p99')-p('stub_rate','p99'):.3f} | | |")
print()
print("| maximum throughput (50 connections, 10 s) | requests/s | p50 ms | p99 ms |")
print("|---|---|---|---|")
for n, label in [("stub_max", "stub alone"), ("gw_max", "through `serve`")]:
    s = r[n]["summary"]
    print(f"| {label} | {s['requestsPerSec']:.0f} | {p(n,'p50'):.3f} | {p(n,'p99'):.3f} |")
print(f"| ratio | {r['gw_max']['summary']['requestsPerSec']/r['stub_max']['summary']['requestsPerSec']*100:.1f} % | | |")
rss = open(f"{d}/rss").read().strip()
print(f"\ngateway peak RSS: {int(rss)/1024:.1f} MB")
PY
