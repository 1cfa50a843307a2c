//! What guards `llmroute serve`'s socket, end to end through the real binary: slow clients
//! (half-sent heads, trickled bodies, floods of connections), requests a web page could forge
//! (foreign `Origin` or `Host`, non-JSON bodies, CORS preflights), the endpoints client keys
//! cover, the `Authorization` scheme's case, and what a 500 tells the client.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::{Env, Run, listening_port};
use crate::mock::{Mock, live_config, openai_ok};
use crate::serve::{Resp, parse};

const CLIENT_KEY: &str = "guard-client-key-123";

struct Server {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
    env: Env,
    oa: Mock,
    _an: Mock,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A gateway on a random port of 127.0.0.1 in front of scripted upstreams, `[serve]` set to
/// `serve` (the keys, when asked for, in `LR_GUARD_KEYS`).
fn start(serve: &str, args: &[&str]) -> Server {
    let env = Env::new();
    let (oa, an) = (Mock::start(), Mock::start());
    env.write("llmroute.toml", live_config(&oa.base(), &an.base()) + "\n[serve]\n" + serve);
    let mut all = vec!["serve", "--listen", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let mut child = env
        .cmd(&all)
        .env("LR_TEST_OA_KEY", "sk-oa")
        .env("LR_TEST_AN_KEY", "sk-an")
        .env("LR_GUARD_KEYS", CLIENT_KEY)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (port, before, mut lines) = listening_port(&mut child);
    let stderr = Arc::new(Mutex::new(before));
    let sink = stderr.clone();
    std::thread::spawn(move || {
        let mut line = String::new();
        while lines.read_line(&mut line).is_ok_and(|n| n > 0) {
            sink.lock().unwrap().push_str(&line);
            line.clear();
        }
    });
    Server { child, port, stderr, env, oa, _an: an }
}

/// The OpenAI-style error's code.
fn code(r: &Resp) -> String {
    r.json()["error"]["code"].as_str().unwrap_or_default().to_string()
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// A request with exactly these headers (`Host` included: none is added).
fn raw(port: u16, head: &str, body: &str) -> Resp {
    let mut s = connect(port);
    let req = format!("{head}Connection: close\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    parse(&out)
}

/// A request to 127.0.0.1:port with `Host: 127.0.0.1:port` and these extra headers.
fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    raw(port, &head, body)
}

const JSON: (&str, &str) = ("Content-Type", "application/json");

fn chat_body() -> String {
    serde_json::json!({"messages": [{"role": "user", "content": "hello"}]}).to_string()
}

/// Whether the server closed `s` (end of file or reset) within `within`.
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 512];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) => {
                return !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut);
            }
        }
    }
}

/// The time a GET /healthz takes to answer 200.
fn healthz(port: u16) -> Duration {
    let t = Instant::now();
    let r = request(port, "GET", "/healthz", &[], "");
    assert_eq!(r.status, 200, "{}", r.body);
    t.elapsed()
}

const HALF_HEAD: &[u8] = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n";

#[test]
fn a_half_sent_head_is_closed_after_the_header_timeout() {
    let s = start("header_read_timeout_secs = 2\n", &[]);
    let started = Instant::now();
    let mut half = connect(s.port);
    half.write_all(HALF_HEAD).unwrap();
    // A connection that sends nothing at all is closed the same way.
    let mut silent = connect(s.port);
    assert!(closed_within(&mut half, Duration::from_secs(8)), "a half-sent head kept its connection");
    assert!(closed_within(&mut silent, Duration::from_secs(8)), "a silent connection stayed open");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1500), "closed after {took:?}, before the timeout");
    // So does a kept-alive connection idle after its answer.
    let mut kept = connect(s.port);
    kept.write_all(format!("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", s.port).as_bytes()).unwrap();
    let mut buf = [0u8; 256];
    assert!(kept.read(&mut buf).unwrap() > 0);
    assert!(closed_within(&mut kept, Duration::from_secs(8)), "an idle kept-alive connection stayed open");
    // The flag overrides the setting.
    let s = start("header_read_timeout_secs = 60\n", &["--header-read-timeout", "1"]);
    let mut half = connect(s.port);
    half.write_all(HALF_HEAD).unwrap();
    assert!(closed_within(&mut half, Duration::from_secs(6)), "--header-read-timeout was not applied");
}

#[test]
fn a_trickled_body_gets_408_after_the_body_timeout() {
    let s = start("body_read_timeout_secs = 1\n", &[]);
    let mut c = connect(s.port);
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"messages\"",
        s.port
    );
    c.write_all(head.as_bytes()).unwrap();
    let started = Instant::now();
    // A byte now and then does not extend the deadline.
    let mut out = Vec::new();
    c.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut buf = [0u8; 1024];
    while started.elapsed() < Duration::from_secs(8) {
        let _ = c.write_all(b" ");
        match c.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    let r = parse(&out);
    assert_eq!(r.status, 408, "{}", r.body);
    assert_eq!(code(&r), "request_timeout");
    assert_eq!(r.header("connection"), Some("close"));
    assert!(started.elapsed() < Duration::from_secs(6), "{:?}", started.elapsed());
    assert!(s.oa.requests().is_empty());
}

#[test]
fn a_flood_of_half_sent_heads_leaves_healthz_answering() {
    let s = start("header_read_timeout_secs = 30\nmax_connections = 64\n", &[]);
    // Four times the cap of half-sent heads, kept open by this test: without a cap or timeout
    // every one would hold a descriptor for good.
    let mut held = Vec::new();
    for _ in 0..300 {
        let mut c = connect(s.port);
        c.write_all(HALF_HEAD).unwrap();
        held.push(c);
    }
    let took = healthz(s.port);
    assert!(took < Duration::from_secs(1), "/healthz took {took:?} under the flood");
    // The oldest were closed for the newer ones, long before the header timeout.
    assert!(closed_within(&mut held[0], Duration::from_secs(3)), "the oldest half-sent head is still open");
    // A request in progress is never the one closed: a held-back answer still arrives.
    s.oa.push(crate::mock::Reply::Delay(1500, Box::new(openai_ok("late", 1, 1))));
    let port = s.port;
    let pending = std::thread::spawn(move || request(port, "POST", "/v1/chat/completions", &[JSON], &chat_body()));
    while s.oa.requests().is_empty() {
        std::thread::sleep(Duration::from_millis(10));
    }
    for _ in 0..200 {
        let mut c = connect(s.port);
        c.write_all(HALF_HEAD).unwrap();
        held.push(c);
    }
    assert_eq!(pending.join().unwrap().status, 200);
    let took = healthz(s.port);
    assert!(took < Duration::from_secs(1), "/healthz took {took:?} under the flood");
}

#[test]
fn max_connections_fits_the_open_file_limit() {
    // Under a hard limit of 256 descriptors, 100,000 connections cannot be open: the cap is
    // lowered, with a warning, and the gateway still answers.
    let env = Env::new();
    let (oa, an) = (Mock::start(), Mock::start());
    env.write("llmroute.toml", live_config(&oa.base(), &an.base()));
    let template = env.cmd(&[]);
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg("ulimit -n 256 && exec \"$0\" serve --listen 127.0.0.1:0 --max-connections 100000 --max-concurrency 8")
        .arg(crate::harness::bin())
        .current_dir(template.get_current_dir().unwrap());
    for (k, v) in template.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    let mut child = sh.env("LR_TEST_OA_KEY", "sk").env("LR_TEST_AN_KEY", "sk").stderr(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap());
    let (mut first, mut second) = (String::new(), String::new());
    lines.read_line(&mut first).unwrap();
    lines.read_line(&mut second).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.starts_with("listening on http://127.0.0.1:"), "{first}");
    assert!(
        second.contains("max_connections = 100000 does not fit the open-file limit of 256")
            && second.contains("serving at most "),
        "{second}"
    );
}

#[test]
fn posts_must_be_json() {
    let s = start("", &[]);
    s.oa.always(openai_ok("ok", 1, 1));
    for ct in
        [Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("multipart/form-data; boundary=x"), None]
    {
        let headers: Vec<(&str, &str)> = ct.map(|c| ("Content-Type", c)).into_iter().collect();
        for path in ["/v1/chat/completions", "/v1/feedback"] {
            let r = request(s.port, "POST", path, &headers, &chat_body());
            assert_eq!(r.status, 415, "{ct:?} {path}: {}", r.body);
            assert_eq!(code(&r), "unsupported_media_type");
            // A refusal is sized, not chunked.
            assert_eq!(r.header("content-length"), Some(r.body.len().to_string().as_str()));
            assert_eq!(r.json()["error"]["type"], "unsupported_media_type");
            assert!(r.json()["error"]["message"].as_str().unwrap().contains("application/json"));
        }
    }
    assert!(s.oa.requests().is_empty(), "a non-JSON post reached the provider");
    let r = request(
        s.port,
        "POST",
        "/v1/chat/completions",
        &[("Content-Type", "application/json; charset=utf-8")],
        &chat_body(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn a_foreign_origin_is_refused_and_an_allowed_one_gets_cors() {
    let s = start("allowed_origins = [\"http://localhost:3000\"]\n", &[]);
    s.oa.always(openai_ok("ok", 1, 1));
    // A page elsewhere: refused whatever it sends, before any routing.
    for origin in ["http://evil.example", "null", "http://localhost:3001"] {
        let r = request(s.port, "POST", "/v1/chat/completions", &[JSON, ("Origin", origin)], &chat_body());
        assert_eq!((r.status, code(&r).as_str()), (403, "origin_not_allowed"), "{origin}: {}", r.body);
        let r = request(s.port, "GET", "/v1/models", &[("Origin", origin)], "");
        assert_eq!(r.status, 403, "{origin}");
    }
    assert!(s.oa.requests().is_empty());
    // The allowed origin: answered, with what its page may read.
    let r = request(s.port, "POST", "/v1/chat/completions", &[JSON, ("Origin", "http://localhost:3000")], &chat_body());
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("access-control-allow-origin"), Some("http://localhost:3000"));
    let exposed = r.header("access-control-expose-headers").unwrap();
    for h in ["x-llmroute-request-id", "x-llmroute-model", "x-llmroute-cost-usd"] {
        assert!(exposed.contains(h), "{exposed}");
    }
    assert_eq!(r.header("vary"), Some("Origin"));
    // Its preflight is answered; another origin's is refused.
    let pre = |origin: &str| {
        request(
            s.port,
            "OPTIONS",
            "/v1/chat/completions",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "authorization, content-type"),
            ],
            "",
        )
    };
    let r = pre("http://localhost:3000");
    assert_eq!((r.status, r.body.as_str(), r.header("transfer-encoding")), (204, "", None));
    assert_eq!(r.header("access-control-allow-origin"), Some("http://localhost:3000"));
    assert!(r.header("access-control-allow-methods").unwrap().contains("POST"));
    let allowed = r.header("access-control-allow-headers").unwrap();
    for h in ["authorization", "content-type", "x-llmroute-tag", "x-llmroute-user"] {
        assert!(allowed.contains(h), "{allowed}");
    }
    assert_eq!(r.header("vary"), Some("Origin"));
    let r = pre("http://evil.example");
    assert_eq!(r.status, 403);
    assert_eq!(r.header("access-control-allow-origin"), None);
    // By default no origin is allowed.
    let d = start("", &[]);
    let r = request(d.port, "POST", "/v1/chat/completions", &[JSON, ("Origin", "http://localhost:3000")], &chat_body());
    assert_eq!(r.status, 403);
    // A configured origin must be one.
    let r = invalid("allowed_origins = [\"http://ok.example\", \"evil.example/x\"]");
    assert!(r.stderr.contains("`serve.allowed_origins[1]`"), "{}", r.stderr);
}

#[test]
fn the_host_must_name_the_gateway() {
    let s = start("", &[]);
    s.oa.always(openai_ok("ok", 1, 1));
    let p = s.port;
    let with_host = |host: &str| {
        let head = format!("POST /v1/chat/completions HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n");
        raw(p, &head, &chat_body())
    };
    for host in [format!("127.0.0.1:{p}"), format!("localhost:{p}"), format!("LocalHost:{p}"), "localhost".into()] {
        assert_eq!(with_host(&host).status, 200, "{host}");
    }
    // A DNS-rebound name, another port, garbage: refused before routing.
    let before = s.oa.requests().len();
    for host in
        [format!("evil.example:{p}"), "evil.example".into(), format!("localhost:{}", p.wrapping_add(1)), "[".into()]
    {
        let r = with_host(&host);
        assert_eq!((r.status, code(&r).as_str()), (403, "host_not_allowed"), "{host}: {}", r.body);
    }
    assert_eq!(s.oa.requests().len(), before);
    // /healthz answers whatever the Host (load balancers probe it by their own name).
    assert_eq!(raw(p, "GET /healthz HTTP/1.1\r\nHost: lb.internal\r\n", "").status, 200);
    // Names a reverse proxy uses are listed.
    let s = start("allowed_hosts = [\"gateway.internal\"]\n", &[]);
    s.oa.always(openai_ok("ok", 1, 1));
    let head = "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway.internal\r\nContent-Type: application/json\r\n";
    assert_eq!(raw(s.port, head, &chat_body()).status, 200);
    let head = "GET /v1/models HTTP/1.1\r\nHost: other.internal\r\n";
    assert_eq!(raw(s.port, head, "").status, 403);
}

#[test]
fn client_keys_cover_metrics_and_models_unless_made_public() {
    let s = start("keys_env = \"LR_GUARD_KEYS\"\n", &[]);
    s.oa.always(openai_ok("ok", 1, 1));
    for path in ["/metrics", "/v1/models", "/v2/nothing"] {
        let r = request(s.port, "GET", path, &[], "");
        assert_eq!((r.status, code(&r).as_str()), (401, "invalid_api_key"), "{path}: {}", r.body);
    }
    assert_eq!(request(s.port, "GET", "/healthz", &[], "").status, 200);
    let auth = format!("Bearer {CLIENT_KEY}");
    assert_eq!(request(s.port, "GET", "/metrics", &[("Authorization", &auth)], "").status, 200);
    assert_eq!(request(s.port, "GET", "/v1/models", &[("Authorization", &auth)], "").status, 200);
    // The scheme is case-insensitive (RFC 7235); the key is not, nor a part or an extension of it.
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let auth = format!("{scheme} {CLIENT_KEY}");
        let r = request(s.port, "POST", "/v1/chat/completions", &[JSON, ("Authorization", &auth)], &chat_body());
        assert_eq!(r.status, 200, "{scheme}: {}", r.body);
    }
    let wrong = [
        CLIENT_KEY.to_uppercase(),
        CLIENT_KEY[..CLIENT_KEY.len() - 1].to_string(),
        format!("{CLIENT_KEY}x"),
        String::new(),
    ];
    for key in wrong {
        let auth = format!("Bearer {key}");
        let r = request(s.port, "POST", "/v1/chat/completions", &[JSON, ("Authorization", &auth)], &chat_body());
        assert_eq!(r.status, 401, "{key}");
    }
    let r = request(
        s.port,
        "POST",
        "/v1/chat/completions",
        &[JSON, ("Authorization", &format!("Basic {CLIENT_KEY}"))],
        &chat_body(),
    );
    assert_eq!(r.status, 401);
    // `public_endpoints` opens chosen ones.
    let s = start("keys_env = \"LR_GUARD_KEYS\"\npublic_endpoints = [\"/healthz\", \"/metrics\"]\n", &[]);
    assert_eq!(request(s.port, "GET", "/metrics", &[], "").status, 200);
    assert_eq!(request(s.port, "GET", "/v1/models", &[], "").status, 401);
    let r = invalid("public_endpoints = [\"/v1/chat/completions\"]");
    assert!(r.stderr.contains("`serve.public_endpoints[0]`") && r.stderr.contains("/metrics"), "{}", r.stderr);
}

/// `config validate` of a configuration whose `[serve]` has `line`: refused (exit 2).
fn invalid(line: &str) -> Run {
    let env = Env::new();
    env.write("bad.toml", live_config("http://127.0.0.1:9", "http://127.0.0.1:9") + "\n[serve]\n" + line + "\n");
    env.run(&["config", "validate", "bad.toml"]).code(2)
}

#[test]
fn serve_settings_are_range_checked_with_their_key_paths() {
    for (line, path) in [
        ("header_read_timeout_secs = 0", "serve.header_read_timeout_secs"),
        ("body_read_timeout_secs = -1", "serve.body_read_timeout_secs"),
        ("max_connections = 3", "serve.max_connections"),
        ("allowed_hosts = [\"a b\"]", "serve.allowed_hosts[0]"),
    ] {
        let r = invalid(line);
        assert!(r.stderr.contains(&format!("`{path}`")), "{line}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    }
}

#[test]
fn help_lists_every_exit_code() {
    let r = Env::new().run(&["--help"]).ok();
    for code in ["  0 ", "  1 ", "  2 ", "  3 ", "  4 ", "  5 ", "  6 ", "  130 "] {
        assert!(r.stdout.contains(code), "exit code `{}` is missing:\n{}", code.trim(), r.stdout);
    }
    assert!(r.stdout.contains("no model in the catalog can serve"), "{}", r.stdout);
}

#[test]
fn a_500_does_not_show_the_state_path() {
    let s = start("", &[]);
    s.oa.always(openai_ok("ok", 1, 1));
    assert_eq!(request(s.port, "POST", "/v1/chat/completions", &[JSON], &chat_body()).status, 200);
    // The state file is destroyed under the running server (as a full or failing disk would).
    let state = s.env.path("state.db");
    for suffix in ["", "-wal", "-shm"] {
        let p = format!("{}{suffix}", state.display());
        if std::path::Path::new(&p).exists() {
            std::fs::write(&p, vec![0x5a; 8192]).unwrap();
        }
    }
    let r = request(s.port, "POST", "/v1/chat/completions", &[JSON], &chat_body());
    assert_eq!(r.status, 500, "{}", r.body);
    assert_eq!(code(&r), "server_error");
    let dir = s.env.path("");
    assert!(!r.body.contains(dir.to_str().unwrap()) && !r.body.contains("state.db"), "{}", r.body);
    // The operator still sees why.
    let t = Instant::now();
    while !s.stderr.lock().unwrap().contains("state.db") && t.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(s.stderr.lock().unwrap().contains("state.db"), "{}", s.stderr.lock().unwrap());
}
