#!/usr/bin/env bash
# Slowloris: N connections (default 20,000) each send half a request head
# (`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n`) and nothing more, as fast as this machine
# opens them, while `/healthz` is timed every 50 ms; then the flood's sockets are checked for the
# ones the gateway closed. Prints the /healthz latency percentiles during the flood, how many
# attempts were refused or reset, and the gateway's open descriptors at the end.
#
#   bench/flood.sh [N] [MAX_CONNECTIONS] [HEADER_TIMEOUT_SECS]   (default 20000, then `[serve]`'s;
#                                                 LLMROUTE_BIN=PATH to skip the release build,
#                                                 GW_NOFILE=N for the gateway's descriptor limit)
#
# The client side needs N descriptors: run it where `ulimit -n` allows N + 100 (it raises its
# soft limit to the hard one).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
flags=()
[ -n "${2:-}" ] && flags+=(--max-connections "$2")
[ -n "${3:-}" ] && flags+=(--header-read-timeout "$3")
if [ -n "${LLMROUTE_BIN:-}" ]; then
  bin=$LLMROUTE_BIN   # e.g. a debug build, or main's binary to compare
else
  cargo build --release --quiet --bin llmroute
  bin=${CARGO_TARGET_DIR:-$PWD/target}/release/llmroute
fi
tmp=$(mktemp -d)
trap 'kill $gw 2>/dev/null; rm -rf "$tmp"' EXIT
port=18741
# GW_NOFILE=N runs the gateway under `ulimit -n N` (the issue's 1,024: 1,100 connections suffice).
(
  [ -n "${GW_NOFILE:-}" ] && ulimit -n "$GW_NOFILE"
  LLMROUTE_STATE=$tmp/state.db exec "$bin" serve --listen 127.0.0.1:$port "${flags[@]}" 2>"$tmp/serve.log"
) &
gw=$!
for _ in $(seq 100); do grep -q listening "$tmp/serve.log" 2>/dev/null && break; sleep 0.05; done
python3 - "$port" "$n" "$gw" <<'PY'
import resource, socket, sys, threading, time, os
port, n, gw = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
half = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
lat, stop = [], threading.Event()
def probe():
    while not stop.is_set():
        t = time.perf_counter()
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            ok = s.recv(64).startswith(b"HTTP/1.1 200")
            s.close()
            lat.append((time.perf_counter() - t) * 1000 if ok else float("inf"))
        except OSError:
            lat.append(float("inf"))
        time.sleep(0.05)
th = threading.Thread(target=probe); th.start()
held, failed = [], 0
t0 = time.perf_counter()
for _ in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(half)
        held.append(s)
    except OSError:
        failed += 1
flood = time.perf_counter() - t0
time.sleep(0.5)
stop.set(); th.join()
closed = 0
for s in held:
    s.setblocking(False)
    try:
        if s.recv(1) == b"": closed += 1
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
fds = len(os.listdir(f"/proc/{gw}/fd")) if os.path.isdir(f"/proc/{gw}/fd") else -1
print(f"{n} half-sent connections in {flood:.1f} s ({failed} refused); {closed} already closed by the gateway")
print(f"/healthz during the flood: {len(lat)} probes, p50 {q(.5):.1f} ms, p99 {q(.99):.1f} ms, max {lat[-1]:.1f} ms")
print(f"gateway descriptors open at the end: {fds}")
PY
