#!/usr/bin/env bash
# The state store's cost per routed request: the quota check-and-increment with the decision
# logged (one `count_and_log`), timed N times on SQLite (a file in a temporary directory) and on
# a local Redis (a `redis-server` started here on a free port, no persistence), same machine.
# Prints p50/p99/mean in µs.
#
#   bench/state.sh [N]        (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)" >&2; exit 1; }
cargo build --release --quiet --bin llmroute --example state_roundtrip
bin=${CARGO_TARGET_DIR:-$PWD/target}/release
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" --logfile "$tmp/redis.log" &
rs=$!
trap 'kill $rs 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done
"$bin/llmroute" config init "$tmp/sqlite.toml" >/dev/null 2>&1
sed 's/^backend = "sqlite"/backend = "redis"/' "$tmp/sqlite.toml" >"$tmp/redis.toml"
export LLMROUTE_STATE=$tmp/state.db LLMROUTE_REDIS_URL=redis://127.0.0.1:$port/0
echo "| backend | requests | p50 µs | p99 µs | mean µs |"
echo "|---|---|---|---|---|"
for b in sqlite redis; do
  "$bin/examples/state_roundtrip" "$tmp/$b.toml" "$n" | awk -v b="$b" '{printf "| %s | %s | %s | %s | %s |\n", b, $(NF-3), $(NF-2), $(NF-1), $NF}'
done
