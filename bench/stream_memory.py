#!/usr/bin/env python3
"""The gateway's memory with clients that do not read: N clients each ask for a streamed answer of
MIB MiB (an upstream stub that streams it as fast as it can) and read nothing. Prints the gateway's
resident memory before, its peak over the run and the growth per client, for each binary given.

    bench/stream_memory.py [--clients N] [--mib MIB] [--secs S] BINARY [BINARY...]

e.g. bench/stream_memory.py --clients 256 target/release/llmroute, or an earlier build beside the
current one for before/after (an unbounded relay holds each stream whole: keep N small for it).
Only 127.0.0.1 is used; every socket is closed at the end.
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time


def stub(port_box, mib, stop):
    """An OpenAI-compatible upstream streaming `mib` MiB of content per request."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1024)
    port_box.append(srv.getsockname()[1])
    piece = "x" * (64 << 10)
    event = ('data: {"choices":[{"index":0,"delta":{"content":"%s"},"finish_reason":null}]}\n\n' % piece).encode()

    def serve(c):
        try:
            buf = b""
            while b"\r\n\r\n" not in buf:
                buf += c.recv(65536)
            head, _, body = buf.partition(b"\r\n\r\n")
            n = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
            while len(body) < n:
                body += c.recv(65536)
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
            for _ in range(mib * 16):
                if stop.is_set():
                    break
                c.sendall(event)
            c.sendall(b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n')
        except OSError:
            pass
        finally:
            c.close()

    srv.settimeout(0.2)
    while not stop.is_set():
        try:
            c, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(c,), daemon=True).start()
    srv.close()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def run(binary, clients, mib, secs):
    stop = threading.Event()
    box = []
    t = threading.Thread(target=stub, args=(box, mib, stop), daemon=True)
    t.start()
    while not box:
        time.sleep(0.01)
    tmp = tempfile.mkdtemp()
    cfg = os.path.join(tmp, "llmroute.toml")
    subprocess.run([binary, "config", "init", cfg], check=True, capture_output=True)
    text = open(cfg).read().replace("https://api.openai.com/v1", f"http://127.0.0.1:{box[0]}/v1")
    text = "\n".join(l for l in text.splitlines() if not l.startswith("daily_quota"))
    text = text.replace("[live]\n", f"[live]\nmax_body_bytes = {(mib + 4) << 20}\n", 1)
    open(cfg, "w").write(text + "\n")
    port = free_port()
    env = dict(os.environ, OPENAI_API_KEY="bench-key", LLMROUTE_STATE=os.path.join(tmp, "state.db"))
    gw = subprocess.Popen(
        [binary, "--config", cfg, "serve", "--listen", f"127.0.0.1:{port}", "--workers", "1",
         "--max-concurrency", str(max(clients, 1)), "--timeout", "300", "--deadline", "300"],
        env=env, stderr=open(os.path.join(tmp, "serve.log"), "w"))
    log = os.path.join(tmp, "serve.log")
    while "listening on" not in open(log).read():
        time.sleep(0.05)
    before = rss_kb(gw.pid)
    body = b'{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hello"}]}'
    req = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n" % (port, len(body))) + body
    socks = []
    for _ in range(clients):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(req)
        socks.append(s)
    peak = before
    end = time.time() + secs
    while time.time() < end:
        peak = max(peak, rss_kb(gw.pid))
        time.sleep(0.25)
    for s in socks:
        s.close()
    gw.terminate()
    try:
        gw.wait(timeout=30)
    except subprocess.TimeoutExpired:
        print(f"{binary}: still running 30 s after SIGTERM; its log: {log}", file=sys.stderr)
        gw.kill()
    stop.set()
    t.join()
    grown = peak - before
    print(f"| {binary} | {clients} | {mib} | {before / 1024:.1f} | {peak / 1024:.1f} | {grown / 1024:.1f} | "
          f"{grown / max(clients, 1):.0f} |", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=256)
    ap.add_argument("--mib", type=int, default=16)
    ap.add_argument("--secs", type=float, default=10.0)
    ap.add_argument("binaries", nargs="+")
    a = ap.parse_args()
    print("| gateway | clients not reading | MiB each | RSS before MB | peak RSS MB | growth MB | growth per client kB |")
    print("|---|---|---|---|---|---|---|")
    for b in a.binaries:
        run(b, a.clients, a.mib, a.secs)


if __name__ == "__main__":
    sys.exit(main())
