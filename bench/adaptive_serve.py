#!/usr/bin/env python3
"""What a `router:adaptive` request costs the gateway as feedback piles up: the same request sent
N times (one at a time) to `serve` in front of a stub upstream, with an empty state store and
with FEEDBACK feedback records imported first. Prints the median and p90 request time for each
binary given, so an earlier build and the current one can be compared in one run.

    bench/adaptive_serve.py [--feedback 300000] [--requests 200] BINARY [BINARY...]

Only 127.0.0.1 is used.
"""
import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": "stub",
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"},
                                "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}}).encode()


class Stub(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *a):
        pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def measure(binary, stub_port, feedback, requests):
    tmp = tempfile.mkdtemp()
    cfg = os.path.join(tmp, "llmroute.toml")
    subprocess.run([binary, "config", "init", cfg], check=True, capture_output=True)
    text = open(cfg).read().replace("https://api.openai.com/v1", f"http://127.0.0.1:{stub_port}/v1")
    text = "\n".join(l for l in text.splitlines() if not l.startswith("daily_quota"))
    open(cfg, "w").write(text + "\n")
    env = dict(os.environ, OPENAI_API_KEY="bench-key", LLMROUTE_STATE=os.path.join(tmp, "state.db"))
    if feedback:
        models = ["gpt-4o-mini", "claude-3-haiku", "gpt-4o"]
        path = os.path.join(tmp, "feedback.jsonl")
        with open(path, "w") as f:
            for i in range(feedback):
                f.write(json.dumps({"kind": "feedback", "request_id": f"r-{i:08d}", "ts": 1790000000 + i,
                                    "model": models[i % 3], "rule": None, "method": "ml", "tier": None,
                                    "arm": "control", "rating": float(1 + i % 5), "success": None,
                                    "latency_ms": None, "cost": None}) + "\n")
        subprocess.run([binary, "--config", cfg, "state", "import", path], check=True, env=env, capture_output=True)
    port = free_port()
    gw = subprocess.Popen([binary, "--config", cfg, "serve", "--listen", f"127.0.0.1:{port}", "--workers", "1"],
                          env=env, stderr=subprocess.PIPE)
    gw.stderr.readline()
    body = json.dumps({"model": "router:adaptive", "messages": [{"role": "user", "content": "hello"}]})
    times = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for i in range(requests + 5):
        t = time.perf_counter()
        conn.request("POST", "/v1/chat/completions", body, {"content-type": "application/json"})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise SystemExit(f"{binary}: HTTP {r.status}")
        if i >= 5:
            times.append((time.perf_counter() - t) * 1e3)
    conn.close()
    gw.terminate()
    gw.wait()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--feedback", type=int, default=300_000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("binaries", nargs="+")
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("| gateway | feedback records | p50 ms | p90 ms |")
    print("|---|---|---|---|")
    for b in a.binaries:
        for n in (0, a.feedback):
            p50, p90 = measure(b, srv.server_address[1], n, a.requests)
            print(f"| {b} | {n:,} | {p50:.2f} | {p90:.2f} |", flush=True)
    srv.shutdown()


if __name__ == "__main__":
    sys.exit(main())
