//! `llmroute serve` end to end: the real binary listening on a random port of 127.0.0.1, in front
//! of the scripted upstreams the `ask` tests use. Routing headers, pass-through, forwarded
//! parameters, streaming relayed as it arrives, retries and fallback, quotas (429), failures
//! (502), feedback, metrics, limits, client keys and shutdown.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::harness::{Env, Run, listening_port};
use crate::mock::{Gate, Mock, Reply, anthropic_ok, live_config, openai_ok};

pub(crate) const OA_KEY: &str = "sk-test-OPENAI-secret-123";
pub(crate) const AN_KEY: &str = "sk-ant-test-secret-456";
pub(crate) const CLIENT_KEY: &str = "client-key-789";

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) port: u16,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The mocks, the scratch directory and the config the servers of a test share.
pub(crate) struct Gateway {
    pub(crate) env: Env,
    pub(crate) oa: Mock,
    pub(crate) an: Mock,
}

impl Gateway {
    pub(crate) fn new(config_extra: &str) -> Gateway {
        Gateway::on(Env::new(), config_extra)
    }

    /// A gateway whose state lives where `env` keeps it (e.g. Redis).
    pub(crate) fn on(env: Env, config_extra: &str) -> Gateway {
        let (oa, an) = (Mock::start(), Mock::start());
        env.write("llmroute.toml", live_config(&oa.base(), &an.base()) + config_extra);
        Gateway { env, oa, an }
    }

    pub(crate) fn start(&self, args: &[&str]) -> Server {
        self.start_env(args, &[])
    }

    pub(crate) fn start_env(&self, args: &[&str], envs: &[(&str, &str)]) -> Server {
        let mut all = vec!["serve", "--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let mut cmd = self.env.cmd(&all);
        cmd.env("LR_TEST_OA_KEY", OA_KEY)
            .env("LR_TEST_AN_KEY", AN_KEY)
            .env("LR_TEST_CLIENT_KEYS", format!("other-key, {CLIENT_KEY}"));
        // The test's own variables last: they may replace the keys above.
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.stderr(Stdio::piped()).spawn().unwrap();
        let (port, before, mut lines) = listening_port(&mut child);
        let stderr = Arc::new(Mutex::new(before));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = lines.read_to_string(&mut rest);
            sink.lock().unwrap().push_str(&rest);
        });
        Server { child, port, stderr }
    }

    pub(crate) fn cli(&self, args: &[&str]) -> Run {
        self.env.run(args)
    }
}

pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Resp {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `data:` payloads of a server-sent event stream.
    pub(crate) fn events(&self) -> Vec<String> {
        self.body.lines().filter_map(|l| l.strip_prefix("data: ")).map(String::from).collect()
    }
}

pub(crate) fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

pub(crate) fn send(s: &mut TcpStream, method: &str, path: &str, headers: &[(&str, &str)], body: &str) {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
}

pub(crate) fn parse(raw: &[u8]) -> Resp {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    let chunked = headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v == "chunked");
    let body = if chunked { dechunk(body) } else { body.to_string() };
    Resp { status, headers, body }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

pub(crate) fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut s = connect(port);
    send(&mut s, method, path, headers, body);
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse(&raw)
}

pub(crate) fn chat(port: u16, body: serde_json::Value) -> Resp {
    request(port, "POST", "/v1/chat/completions", &[("Content-Type", "application/json")], &body.to_string())
}

pub(crate) fn user(text: &str) -> serde_json::Value {
    serde_json::json!([{"role": "user", "content": text}])
}

pub(crate) fn assert_no_key(texts: &[&str]) {
    for t in texts {
        for k in [OA_KEY, AN_KEY] {
            assert!(!t.contains(k), "an upstream key leaked: {t}");
        }
    }
}

#[test]
fn auto_routes_forwards_client_fields_and_reports_the_decision() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    g.oa.push(openai_ok("Paris.", 12, 3));
    let r = chat(
        s.port,
        serde_json::json!({"model": "auto", "messages": user("What is the capital of France?"),
            "tools": [{"type": "function", "function": {"name": "lookup"}}], "max_tokens": 50}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("x-llmroute-model"), Some("cheap"));
    assert_eq!(r.header("x-llmroute-method"), Some("difficulty"));
    assert_eq!(r.header("x-llmroute-reason"), Some("all"));
    // 12 input tokens at $1/M + 3 output at $2/M.
    assert_eq!(r.header("x-llmroute-cost-usd"), Some("0.00001800"));
    let id = r.header("x-llmroute-request-id").unwrap().to_string();
    assert!(id.starts_with("r-"), "{id}");
    let v = r.json();
    assert_eq!(v["model"], "cheap");
    assert_eq!(v["choices"][0]["message"]["content"], "Paris.");
    // Upstream: the catalog model's id, the client's tools and max_tokens, the band's temperature
    // (the client left it out), and the upstream key, not a client's.
    let up = g.oa.requests();
    let b = &up[0].body;
    assert_eq!(b["model"], "cheap-1");
    assert_eq!(b["tools"][0]["function"]["name"], "lookup");
    assert_eq!((b["max_tokens"].as_u64(), b["temperature"].as_f64()), (Some(50), Some(0.5)));
    assert_eq!(up[0].header("authorization"), Some(format!("Bearer {OA_KEY}").as_str()));
    // The decision is logged under the id: feedback joins it.
    g.cli(&["feedback", "add", "--request-id", &id, "--rating", "5"]).ok();
}

#[test]
fn a_strategy_or_a_catalog_model_can_be_asked_for() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    g.an.push(anthropic_ok("Bonjour.", 9, 2));
    let r = chat(s.port, serde_json::json!({"model": "router:rules", "messages": user("ask anthropic")}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.header("x-llmroute-model"), r.header("x-llmroute-method")), (Some("mid"), Some("rule")));
    let v = r.json();
    assert_eq!((v["model"].as_str(), v["object"].as_str()), (Some("mid"), Some("chat.completion")));
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(v["usage"], serde_json::json!({"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}));
    // A catalog model passes through; its quota is counted.
    g.oa.push(openai_ok("ok", 5, 1));
    let r = chat(s.port, serde_json::json!({"model": "top", "messages": user("anything")}));
    assert_eq!((r.status, r.header("x-llmroute-method")), (200, Some("client")));
    assert_eq!(g.oa.requests()[0].body["model"], "top-1");
    let q = g.cli(&["quota", "--json"]).ok().json();
    let used = |m: &str| q.as_array().unwrap().iter().find(|r| r["model"] == m).unwrap()["used"].as_u64().unwrap();
    assert_eq!((used("mid"), used("top"), used("cheap")), (1, 1, 0));
    // Unknown names are OpenAI-style 404s that say what exists.
    let r = chat(s.port, serde_json::json!({"model": "topp", "messages": user("x")}));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "model_not_found");
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("did you mean `top`?"), "{}", r.body);
    let r = chat(s.port, serde_json::json!({"model": "router:nope", "messages": user("x")}));
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("router:chain"), "{}", r.body);
    let m = request(s.port, "GET", "/v1/models", &[], "").json();
    let ids: Vec<&str> = m["data"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert!(ids.starts_with(&["auto", "router:chain"]), "{ids:?}");
    assert!(ids.contains(&"cheap") && ids.contains(&"mid") && ids.contains(&"top"), "{ids:?}");
    assert_eq!(request(s.port, "GET", "/healthz", &[], "").json()["status"], "ok");
}

#[test]
fn healthz_names_the_unset_provider_key_variables_and_still_answers_200() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    let r = request(s.port, "GET", "/healthz", &[], "");
    assert_eq!((r.status, r.body.as_str()), (200, r#"{"status":"ok","unset_provider_keys":[]}"#));
    drop(s);
    let s = g.start_env(&[], &[("LR_TEST_AN_KEY", "")]);
    let r = request(s.port, "GET", "/healthz", &[], "");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        r#"{"status":"ok","unset_provider_keys":["LR_TEST_AN_KEY"],"detail":"provider key variables not set: LR_TEST_AN_KEY; requests routed to their providers' models fail with 502"}"#
    );
    // Names only: the other provider's key is set and never shown.
    assert!(!r.body.contains(OA_KEY), "{}", r.body);
    assert_eq!(
        *s.stderr.lock().unwrap(),
        "warning: provider key not set: `LR_TEST_AN_KEY` (provider `an`: mid); requests routed to these models will \
         fail\n"
    );
}

#[test]
fn streams_are_relayed_as_they_arrive() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    let gate = Gate::default();
    let ev = |t: &str| {
        serde_json::json!({"choices": [{"index": 0, "delta": {"content": t}, "finish_reason": null}]}).to_string()
    };
    let usage = serde_json::json!({"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 2}}).to_string();
    g.oa.push(Reply::Gated(vec![ev("Hel"), ev("lo"), usage, "[DONE]".to_string()], gate.clone()));
    let mut c = connect(s.port);
    let body = serde_json::json!({"model": "auto", "stream": true, "messages": user("hi there")}).to_string();
    send(&mut c, "POST", "/v1/chat/completions", &[("Content-Type", "application/json")], &body);
    // The first text reaches the client while the upstream still holds back its last event.
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("\"Hel\"") {
        let n = c.read(&mut buf).expect("the first chunk did not arrive while the upstream was still streaming");
        assert!(n > 0, "the stream ended early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    gate.open();
    c.read_to_end(&mut seen).unwrap();
    let r = parse(&seen);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    let events = r.events();
    assert_eq!(events.last().map(String::as_str), Some("[DONE]"));
    let chunks: Vec<serde_json::Value> =
        events[..events.len() - 1].iter().map(|e| serde_json::from_str(e).unwrap()).collect();
    let text: String = chunks.iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect();
    assert_eq!(text, "Hello");
    assert!(chunks.iter().all(|c| c["model"] == "cheap" && c["object"] == "chat.completion.chunk"));
    assert_eq!(chunks[chunks.len() - 2]["choices"][0]["finish_reason"], "stop");
    assert_eq!(chunks.last().unwrap()["usage"]["total_tokens"], 9);
}

#[test]
fn failures_retry_then_fall_back_and_all_failing_is_a_502_without_keys() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    for _ in 0..3 {
        g.oa.push_for(
            "cheap-1",
            Reply::Status(500, vec![], format!("{{\"error\":{{\"message\":\"boom {OA_KEY}\"}}}}")),
        );
    }
    g.an.push(anthropic_ok("from mid", 4, 2));
    let r = chat(s.port, serde_json::json!({"model": "auto", "messages": user("hello")}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.header("x-llmroute-model"), r.json()["model"].as_str()), (Some("mid"), Some("mid")));
    assert_eq!(g.oa.requests().len(), 3, "the routed model is tried 1 + max_retries times");
    // Every candidate fails: 502 naming each, no key anywhere.
    g.oa.always(Reply::Status(503, vec![], format!("{{\"error\":{{\"message\":\"down {OA_KEY}\"}}}}")));
    g.an.always(Reply::Status(400, vec![], format!("{{\"error\":{{\"message\":\"bad {AN_KEY}\"}}}}")));
    let r = chat(s.port, serde_json::json!({"model": "auto", "messages": user("hello")}));
    assert_eq!(r.status, 502);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    for m in ["`cheap`", "`mid`", "`top`"] {
        assert!(msg.contains(m), "{msg}");
    }
    let metrics = request(s.port, "GET", "/metrics", &[], "").body;
    assert!(metrics.contains("llmroute_fallbacks_total 1\n"), "{metrics}");
    assert!(metrics.contains("llmroute_retries_total{model=\"cheap\"} "), "{metrics}");
    assert_no_key(&[&r.body, &metrics, &s.stderr.lock().unwrap()]);
    // Nothing answered: nothing stays counted for the failed request.
    let q = g.cli(&["quota", "--json"]).ok().json();
    let total: u64 = q.as_array().unwrap().iter().map(|r| r["used"].as_u64().unwrap()).sum();
    assert_eq!(total, 1, "{q}");
}

#[test]
fn exhausted_quotas_are_429_with_retry_after() {
    let g = Gateway::new("");
    let cfg = std::fs::read_to_string(g.env.path("llmroute.toml")).unwrap();
    g.env.write(
        "llmroute.toml",
        cfg.replace("provider = \"oa\"", "provider = \"oa\"\ndaily_quota = 1")
            .replace("provider = \"an\"", "provider = \"an\"\ndaily_quota = 1"),
    );
    let s = g.start(&[]);
    g.oa.always(openai_ok("ok", 1, 1));
    g.an.always(anthropic_ok("ok", 1, 1));
    for _ in 0..3 {
        assert_eq!(chat(s.port, serde_json::json!({"messages": user("hello")})).status, 200);
    }
    let r = chat(s.port, serde_json::json!({"messages": user("hello")}));
    assert_eq!(r.status, 429, "{}", r.body);
    let v = r.json();
    assert_eq!(v["error"]["code"], "all_quotas_exhausted");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert_eq!(v["retry_after"].as_u64(), Some(retry));
    assert!((1..=86_400).contains(&retry));
}

#[test]
fn concurrent_requests_are_counted_exactly() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    g.oa.always(openai_ok("ok", 1, 1));
    let port = s.port;
    let threads: Vec<_> = (0..20)
        .map(|_| {
            std::thread::spawn(move || {
                (0..10).filter(|_| chat(port, serde_json::json!({"messages": user("hello")})).status == 200).count()
            })
        })
        .collect();
    let ok: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(ok, 200);
    let q = g.cli(&["quota", "--json"]).ok().json();
    let cheap = q.as_array().unwrap().iter().find(|r| r["model"] == "cheap").unwrap();
    assert_eq!(cheap["used"], 200);
    let metrics = request(port, "GET", "/metrics", &[], "").body;
    assert!(metrics.contains("llmroute_requests_total{model=\"cheap\",method=\"difficulty\"} 200\n"), "{metrics}");
    assert!(metrics.contains("llmroute_quota_used{model=\"cheap\"} 200\n"), "{metrics}");
    assert!(metrics.contains("llmroute_request_seconds_count 200\n"), "{metrics}");
    assert!(metrics.contains("llmroute_tokens_total{model=\"cheap\",method=\"difficulty\",direction=\"input\"} 200\n"));
}

#[test]
fn feedback_over_http_lands_in_the_store() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    g.oa.push(openai_ok("ok", 1, 1));
    let r = chat(s.port, serde_json::json!({"messages": user("hello")}));
    let id = r.header("x-llmroute-request-id").unwrap().to_string();
    let body = serde_json::json!({"request_id": id, "rating": 4, "success": true}).to_string();
    let f = request(s.port, "POST", "/v1/feedback", &[("Content-Type", "application/json")], &body);
    assert_eq!((f.status, f.json()["model"].as_str()), (200, Some("cheap")), "{}", f.body);
    let stats = g.cli(&["feedback", "stats", "--json"]).ok().json();
    assert_eq!(stats[0]["key"], "cheap");
    assert_eq!(stats[0]["n"], 1);
    let f = request(
        s.port,
        "POST",
        "/v1/feedback",
        &[("Content-Type", "application/json")],
        "{\"request_id\": \"r-unknown\", \"rating\": 9}",
    );
    assert_eq!(f.status, 400);
    assert_eq!(f.json()["error"]["message"], "rating 9 is outside 1-5");
}

#[test]
fn bad_requests_get_openai_style_errors() {
    let g = Gateway::new("");
    let s = g.start(&["--max-request-bytes", "2048"]);
    let post =
        |body: &str| request(s.port, "POST", "/v1/chat/completions", &[("Content-Type", "application/json")], body);
    let cases = [
        ("{not json", 400, "the body is not JSON"),
        ("{\"model\": \"auto\"}", 400, "missing `messages`"),
        ("{\"messages\": []}", 400, "`messages` is empty"),
        ("{\"messages\": [{\"content\": \"x\"}]}", 400, "`messages[0].role` is missing"),
        (
            "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"temperature\": \"hot\"}",
            400,
            "`temperature` must be a number",
        ),
    ];
    for (body, status, msg) in cases {
        let r = post(body);
        assert_eq!(r.status, status, "{body}: {}", r.body);
        let v = r.json();
        assert_eq!(v["error"]["type"], "invalid_request_error");
        assert!(v["error"]["message"].as_str().unwrap().contains(msg), "{body}: {}", r.body);
    }
    let big = serde_json::json!({"messages": user(&"x".repeat(4096))}).to_string();
    let r = post(&big);
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["error"]["message"], "the request body is over the limit of 2048 bytes");
    assert_eq!(request(s.port, "GET", "/v2/nothing", &[], "").status, 404);
    assert!(g.oa.requests().is_empty());
}

#[test]
fn client_keys_are_required_and_never_forwarded() {
    let g = Gateway::new("");
    let s = g.start(&["--keys-env", "LR_TEST_CLIENT_KEYS"]);
    g.oa.always(openai_ok("ok", 1, 1));
    let body = serde_json::json!({"messages": user("hello")}).to_string();
    let r = request(s.port, "POST", "/v1/chat/completions", &[], &body);
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (401, Some("invalid_api_key")));
    let r = request(s.port, "POST", "/v1/chat/completions", &[("Authorization", "Bearer wrong")], &body);
    assert_eq!(r.status, 401);
    let auth = format!("Bearer {CLIENT_KEY}");
    let r = request(
        s.port,
        "POST",
        "/v1/chat/completions",
        &[("Authorization", &auth), ("Content-Type", "application/json")],
        &body,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let up = g.oa.requests();
    assert_eq!(up.len(), 1);
    assert!(up[0].headers.iter().all(|(_, v)| !v.contains(CLIENT_KEY)), "the client's key went upstream");
    // An empty variable is refused at start.
    g.env
        .run_env(&["serve", "--listen", "127.0.0.1:0", "--keys-env", "LR_TEST_NONE"], &[("LR_TEST_NONE", "")])
        .fails(2, "error: environment variable `LR_TEST_NONE` (the client keys) holds no key\n");
    // `[serve]` sets the same, checked like every config value.
    let cfg = std::fs::read_to_string(g.env.path("llmroute.toml")).unwrap();
    g.env.write("bad.toml", format!("{cfg}\n[serve]\nmax_concurrency = 0\n"));
    g.cli(&["config", "validate", "bad.toml"]).code(2).stderr_has("`serve.max_concurrency`: 0 is outside 1..=10000");
    g.env.write("keys.toml", format!("{cfg}\n[serve]\nkeys_env = \"LR_TEST_CLIENT_KEYS\"\n"));
    let s2 = g.start(&["--config", "keys.toml"]);
    let r = request(s2.port, "POST", "/v1/chat/completions", &[], &body);
    assert_eq!(r.status, 401);
}

#[test]
fn sigterm_finishes_the_request_in_flight_then_exits() {
    let g = Gateway::new("");
    let mut s = g.start(&[]);
    g.oa.push(Reply::Delay(300, Box::new(openai_ok("late", 1, 1))));
    let port = s.port;
    let pending = std::thread::spawn(move || chat(port, serde_json::json!({"messages": user("hello")})));
    // Wait until the upstream has the request, then ask the server to stop.
    while g.oa.requests().is_empty() {
        std::thread::yield_now();
    }
    let ok = std::process::Command::new("kill").args(["-TERM", &s.child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    let r = pending.join().unwrap();
    assert_eq!((r.status, r.json()["choices"][0]["message"]["content"].as_str()), (200, Some("late")));
    let status = s.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

/// A virtual environment with the `openai` package, made once per target directory. `None` when
/// it cannot be made outside CI (no network); under CI that is a failure.
#[allow(clippy::print_stderr)]
pub(crate) fn openai_python() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("openai-venv");
    let python = dir.join("bin/python");
    let ready = dir.join("ready");
    if !ready.exists() {
        let ok =
            std::process::Command::new("python3").args(["-m", "venv"]).arg(&dir).status().is_ok_and(|s| s.success())
                && std::process::Command::new(dir.join("bin/pip"))
                    .args(["install", "--quiet", "openai>=1.50,<3"])
                    .status()
                    .is_ok_and(|s| s.success());
        if !ok {
            assert!(std::env::var_os("CI").is_none(), "cannot install the openai package into a venv");
            eprintln!("skipped: cannot install the openai package (no network?)");
            return None;
        }
        std::fs::write(&ready, "").unwrap();
    }
    Some(python)
}

#[test]
fn the_official_openai_client_talks_to_the_gateway_unchanged() {
    let Some(python) = openai_python() else { return };
    let g = Gateway::new("");
    let s = g.start(&["--keys-env", "LR_TEST_CLIENT_KEYS"]);
    g.oa.push(openai_ok("Paris.", 12, 3));
    g.oa.push(crate::mock::openai_stream(&["Hel", "lo"], 7, 2));
    let script = r#"
import sys
from openai import OpenAI
c = OpenAI(base_url=f"http://127.0.0.1:{sys.argv[1]}/v1", api_key=sys.argv[2], max_retries=0)
raw = c.chat.completions.with_raw_response.create(model="auto", messages=[{"role": "user", "content": "What is the capital of France?"}])
r = raw.parse()
print(r.model, r.choices[0].message.content, r.usage.total_tokens, raw.headers["x-llmroute-method"])
text = ""
usage = None
for chunk in c.chat.completions.create(model="auto", stream=True, stream_options={"include_usage": True},
                                       messages=[{"role": "user", "content": "hi"}]):
    if chunk.choices and chunk.choices[0].delta.content:
        text += chunk.choices[0].delta.content
    if chunk.usage:
        usage = chunk.usage.total_tokens
print(text, usage)
print([m.id for m in c.models.list()][:2])
"#;
    let out =
        std::process::Command::new(python).args(["-c", script, &s.port.to_string(), CLIENT_KEY]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout, "cheap Paris. 15 difficulty\nHello 9\n['auto', 'router:chain']\n");
}

#[test]
fn streams_relay_tool_calls_and_fall_back_before_the_first_event() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    // Tool-call deltas from an OpenAI-compatible provider arrive as the provider sent them.
    let call = |args: &str, finish: Option<&str>| {
        serde_json::json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": args}}]},
            "finish_reason": finish}]})
        .to_string()
    };
    let usage = serde_json::json!({"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 4}}).to_string();
    g.oa.push(Reply::Stream(vec![
        call("{\"city\":", None),
        call("\"Paris\"}", Some("tool_calls")),
        usage,
        "[DONE]".into(),
    ]));
    let r = chat(
        s.port,
        serde_json::json!({"stream": true, "messages": user("weather in Paris?"), "tools": [{"type": "function"}]}),
    );
    let chunks: Vec<serde_json::Value> =
        r.events().iter().filter(|e| *e != "[DONE]").map(|e| serde_json::from_str(e).unwrap()).collect();
    let args: String = chunks
        .iter()
        .filter_map(|c| c.pointer("/choices/0/delta/tool_calls/0/function/arguments").and_then(|a| a.as_str()))
        .collect();
    assert_eq!(args, "{\"city\":\"Paris\"}");
    let finishes: Vec<&str> =
        chunks.iter().filter_map(|c| c.pointer("/choices/0/finish_reason").and_then(|f| f.as_str())).collect();
    assert_eq!(finishes, ["tool_calls"], "one finish chunk");
    assert_eq!(chunks.last().unwrap()["usage"]["total_tokens"], 11);
    assert!(chunks.iter().all(|c| c["model"] == "cheap"));
    // The routed model fails before streaming anything: the fallback (Anthropic) streams instead,
    // its text wrapped in OpenAI's chunks, once.
    for _ in 0..3 {
        g.oa.push_for("cheap-1", Reply::Status(500, vec![], "{}".into()));
    }
    g.an.push(crate::mock::anthropic_stream(&["Bon", "jour"], 5, 2));
    let r = chat(s.port, serde_json::json!({"stream": true, "messages": user("hello")}));
    let chunks: Vec<serde_json::Value> =
        r.events().iter().filter(|e| *e != "[DONE]").map(|e| serde_json::from_str(e).unwrap()).collect();
    let text: String =
        chunks.iter().filter_map(|c| c.pointer("/choices/0/delta/content").and_then(|t| t.as_str())).collect();
    assert_eq!(text, "Bonjour");
    assert_eq!(chunks.last().unwrap()["model"], "mid");
    assert_eq!(chunks[chunks.len() - 2]["choices"][0]["finish_reason"], "stop");
}

#[test]
fn cascade_and_consensus_answer_as_ask_does() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    // The cheap model refuses (heuristic score 0.3 < 0.8): the cascade escalates to `mid`.
    g.oa.push_for("cheap-1", openai_ok("I'm sorry, I can't help with that.", 5, 8));
    g.an.push(anthropic_ok("Paris.", 6, 2));
    let r = chat(s.port, serde_json::json!({"model": "router:cascade", "messages": user("capital of France?")}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.header("x-llmroute-method"), r.header("x-llmroute-model")), (Some("cascade"), Some("mid")));
    assert_eq!(r.json()["choices"][0]["message"]["content"], "Paris.");
    // Both calls are paid: cheap 5×$1 + 8×$2, mid 6×$3 + 2×$15 per million.
    assert_eq!(r.header("x-llmroute-cost-usd"), Some("0.00006900"));
    // Consensus: two of three agree.
    g.oa.push_for("cheap-1", openai_ok("A", 5, 1));
    g.oa.push_for("top-1", openai_ok("B", 5, 1));
    g.an.push(anthropic_ok("a.", 5, 1));
    let r = chat(s.port, serde_json::json!({"model": "router:consensus", "stream": true, "messages": user("A or B?")}));
    assert_eq!((r.status, r.header("x-llmroute-method")), (200, Some("consensus")));
    let first: serde_json::Value = serde_json::from_str(&r.events()[0]).unwrap();
    assert_eq!(first["choices"][0]["delta"]["content"], "A");
    assert_eq!(r.events().last().map(String::as_str), Some("[DONE]"));
    // Every upstream call counts on its model: the cascade's two steps, then the three voters.
    let q = g.cli(&["quota", "--json"]).ok().json();
    let used = |m: &str| q.as_array().unwrap().iter().find(|r| r["model"] == m).unwrap()["used"].as_u64().unwrap();
    assert_eq!((used("cheap"), used("mid"), used("top")), (2, 2, 1));
}

#[test]
fn the_canary_follows_the_user_field_or_header_as_route_does() {
    let g = Gateway::new("\n[canary]\nstrategy = \"rules\"\nshare = 0.5\n");
    let s = g.start(&[]);
    g.oa.always(openai_ok("ok", 1, 1));
    let mut methods = std::collections::BTreeSet::new();
    for i in 0..12 {
        let u = format!("user-{i}");
        let want = g.cli(&["route", "--dry-run", "--json", "--user", &u, "hello"]).ok().json()["method"]
            .as_str()
            .unwrap()
            .to_string();
        let by_field = chat(s.port, serde_json::json!({"messages": user("hello"), "user": u}));
        let by_header = request(
            s.port,
            "POST",
            "/v1/chat/completions",
            &[("x-llmroute-user", &u), ("Content-Type", "application/json")],
            &serde_json::json!({"messages": user("hello")}).to_string(),
        );
        assert_eq!(by_field.header("x-llmroute-method"), Some(want.as_str()), "{u}");
        assert_eq!(by_header.header("x-llmroute-method"), Some(want.as_str()), "{u}");
        methods.insert(want);
    }
    assert_eq!(methods.len(), 2, "both arms: {methods:?}");
}

/// `live_config` with a daily quota on every model.
fn quotas(n: u32) -> impl Fn(String) -> String {
    move |cfg: String| {
        cfg.replace("model_id = \"cheap-1\"", &format!("model_id = \"cheap-1\"\ndaily_quota = {n}"))
            .replace("model_id = \"mid-1\"", &format!("model_id = \"mid-1\"\ndaily_quota = {n}"))
            .replace("model_id = \"top-1\"", &format!("model_id = \"top-1\"\ndaily_quota = {n}"))
    }
}

/// A gateway on the Redis database `url` with quotas of `n` per model (`None`: no Redis here).
fn redis_gateway(n: u32) -> Option<Gateway> {
    let env = Env::redis()?;
    let (oa, an) = (Mock::start(), Mock::start());
    env.write("llmroute.toml", quotas(n)(live_config(&oa.base(), &an.base())));
    oa.always(openai_ok("ok", 1, 1));
    an.always(anthropic_ok("ok", 1, 1));
    Some(Gateway { env, oa, an })
}

/// Answers by status, and by answering model for the 200s.
fn tally(results: &[(u16, Option<String>)]) -> std::collections::BTreeMap<String, usize> {
    let mut t = std::collections::BTreeMap::new();
    for (status, model) in results {
        let key = match model {
            Some(m) if *status == 200 => m.clone(),
            _ => status.to_string(),
        };
        *t.entry(key).or_insert(0) += 1;
    }
    t
}

/// Four gateways on one Redis, 8 clients × 250 requests spread over them, quotas of 300 per
/// model: exactly 300 answered by each model across all instances, the rest refused with 429,
/// and `quota --json` agrees from every instance.
#[test]
fn four_instances_on_one_redis_share_each_daily_quota_exactly() {
    let Some(g) = redis_gateway(300) else { return };
    let servers: Vec<Server> = (0..4).map(|_| g.start(&[])).collect();
    let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let ports = ports.clone();
            std::thread::spawn(move || {
                (0..250)
                    .map(|i| {
                        let r =
                            chat(ports[(c + i) % 4], serde_json::json!({"model": "auto", "messages": user("hello")}));
                        (r.status, r.header("x-llmroute-model").map(String::from))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<(u16, Option<String>)> = clients.into_iter().flat_map(|t| t.join().unwrap()).collect();
    let want: std::collections::BTreeMap<String, usize> =
        [("429", 1100), ("cheap", 300), ("mid", 300), ("top", 300)].map(|(k, v)| (k.to_string(), v)).into();
    assert_eq!(tally(&results), want);
    for s in &servers {
        let metrics = request(s.port, "GET", "/metrics", &[], "").body;
        assert!(metrics.contains("llmroute_quota_used{model=\"cheap\"} 300\n"), "{metrics}");
    }
    let q = g.cli(&["quota", "--json"]).ok().json();
    let used: Vec<u64> = q.as_array().unwrap().iter().map(|r| r["used"].as_u64().unwrap()).collect();
    assert_eq!(used, [300, 300, 300]);
    // Every answered request's decision is in the shared log.
    let export = g.cli(&["state", "export"]).ok().stdout;
    assert_eq!(export.lines().filter(|l| l.contains("\"kind\":\"decision\"")).count(), 900);
    for s in servers {
        let err = s.stderr.lock().unwrap().clone();
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// Redis killed (SIGKILL) mid-run and restarted: requests during the outage get 503 with
/// Retry-After, nothing panics, and no request is counted twice — each model's counter is at
/// least its answered requests and at most those plus the 503s (a request in flight at the
/// kill may have been counted before its reply was lost).
#[test]
fn redis_killed_mid_run_and_restarted_counts_no_request_twice() {
    let Some(mut redis) = crate::redis_server::RedisServer::start() else { return };
    let g = Gateway::on(Env::new(), "\n[state]\nbackend = \"redis\"\ntimeout_ms = 500\nconnect_timeout_ms = 500\n");
    g.env.write("llmroute.toml", quotas(100_000)(std::fs::read_to_string(g.env.path("llmroute.toml")).unwrap()));
    g.oa.always(openai_ok("ok", 1, 1));
    let url = redis.url(0);
    let s = g.start_env(&[], &[("LLMROUTE_REDIS_URL", &url)]);
    let port = s.port;
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (done, stop) = (done.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut out = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = chat(port, serde_json::json!({"messages": user("hello")}));
                    if r.status == 503 {
                        assert_eq!(r.header("retry-after"), Some("1"));
                        assert_eq!(r.json()["error"]["type"], "state_unavailable");
                    }
                    let what = if r.status == 200 {
                        r.header("x-llmroute-model").map(String::from)
                    } else {
                        Some(r.body.clone())
                    };
                    out.push((r.status, what));
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                out
            })
        })
        .collect();
    let wait_for = |n: usize| {
        while done.load(std::sync::atomic::Ordering::Relaxed) < n {
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    wait_for(200);
    redis.kill();
    let at_kill = done.load(std::sync::atomic::Ordering::Relaxed);
    wait_for(at_kill + 100);
    redis.restart();
    let at_restart = done.load(std::sync::atomic::Ordering::Relaxed);
    wait_for(at_restart + 200);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let results: Vec<(u16, Option<String>)> = clients.into_iter().flat_map(|t| t.join().unwrap()).collect();
    let t = tally(&results);
    assert!(results.iter().all(|(s, _)| *s == 200 || *s == 503), "{results:?}");
    let (served, failed) = (t.get("cheap").copied().unwrap_or(0), t.get("503").copied().unwrap_or(0));
    assert!(failed >= 100 && served >= 400, "{t:?}");
    let q = g.env.run_env(&["quota", "--json"], &[("LLMROUTE_REDIS_URL", &url)]).ok().json();
    let used = q.as_array().unwrap().iter().find(|r| r["model"] == "cheap").unwrap()["used"].as_u64().unwrap() as usize;
    assert!(served <= used && used <= served + failed, "counted {used}, answered {served}, 503 {failed}");
    // The gateway recovered after the restart: the last requests were all answered.
    assert!(results.iter().rev().take(4).all(|(s, _)| *s == 200), "{t:?}");
    let metrics = request(port, "GET", "/metrics", &[], "").body;
    assert!(metrics.contains(&format!("llmroute_refused_requests_total{{status=\"503\"}} {failed}\n")), "{metrics}");
    drop(s);
}

/// Redis down from the start: every chat request is a 503 with Retry-After; with
/// `on_unavailable = "local"` the gateway answers, counting locally, and says so in a metric.
#[test]
fn an_unreachable_redis_is_503_or_local_counting_with_a_metric() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("redis://:hunter2-secret@127.0.0.1:{closed}/0");
    let g = Gateway::new("\n[state]\nbackend = \"redis\"\n");
    g.oa.always(openai_ok("ok", 1, 1));
    let s = g.start_env(&[], &[("LLMROUTE_REDIS_URL", &url)]);
    let r = chat(s.port, serde_json::json!({"messages": user("hello")}));
    assert_eq!((r.status, r.header("retry-after")), (503, Some("1")), "{}", r.body);
    assert!(r.body.contains("is unavailable: Connection refused"), "{}", r.body);
    assert!(!r.body.contains("hunter2"), "{}", r.body);
    assert!(g.oa.requests().is_empty(), "no upstream call without a counted decision");

    let g = Gateway::new("\n[state]\nbackend = \"redis\"\non_unavailable = \"local\"\n");
    g.oa.always(openai_ok("ok", 1, 1));
    let s = g.start_env(&[], &[("LLMROUTE_REDIS_URL", &url)]);
    for _ in 0..3 {
        assert_eq!(chat(s.port, serde_json::json!({"messages": user("hello")})).status, 200);
    }
    let metrics = request(s.port, "GET", "/metrics", &[], "").body;
    let n: u64 =
        metrics.lines().find_map(|l| l.strip_prefix("llmroute_state_local_fallbacks_total ")).unwrap().parse().unwrap();
    assert!(n >= 3, "{metrics}");
    let used = g.env.run_env(&["quota", "--json"], &[("LLMROUTE_REDIS_URL", &url)]).ok().json();
    assert_eq!(used.as_array().unwrap().iter().find(|r| r["model"] == "cheap").unwrap()["used"], 3);
    let err = s.stderr.lock().unwrap().clone();
    assert!(!err.contains("hunter2"), "{err}");
}

/// Capabilities in the gateway: `cheap` is text only, `mid` reads images, `top` also calls tools;
/// a request never lands on a model without what it needs (the fallback order skips it too),
/// and one no model can serve is a 400 before any upstream call.
#[test]
fn requests_go_only_to_models_with_the_capabilities_they_need() {
    let g = Gateway::new("");
    let cfg = std::fs::read_to_string(g.env.path("llmroute.toml")).unwrap();
    let cfg = cfg
        .replace("model_id = \"cheap-1\"", "model_id = \"cheap-1\"\ncapabilities = []\ncontext_window = 1000")
        .replace("model_id = \"mid-1\"", "model_id = \"mid-1\"\ncapabilities = [\"vision\"]")
        .replace("model_id = \"top-1\"", "model_id = \"top-1\"\ncapabilities = [\"tools\", \"vision\"]");
    g.env.write("llmroute.toml", cfg);
    let s = g.start(&[]);
    g.oa.always(openai_ok("ok", 1, 1));
    g.an.always(anthropic_ok("ok", 1, 1));
    let image = serde_json::json!([{"role": "user", "content": [{"type": "text", "text": "hello"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]);
    let tools = serde_json::json!([{"type": "function", "function": {"name": "lookup"}}]);
    let cases = [
        (serde_json::json!({"messages": user("hello")}), "cheap"),
        (serde_json::json!({"messages": image}), "mid"),
        (serde_json::json!({"messages": user("hello"), "tools": tools}), "top"),
        // Longer than cheap's 1,000-token window.
        (serde_json::json!({"messages": user(&"word ".repeat(1200))}), "mid"),
    ];
    for (body, want) in cases {
        let r = chat(s.port, body.clone());
        assert_eq!((r.status, r.header("x-llmroute-model")), (200, Some(want)), "{body}: {}", r.body);
    }
    // A client's model that cannot serve, and a request no model can: 400, nothing sent upstream.
    let before = g.oa.requests().len() + g.an.requests().len();
    let r = chat(s.port, serde_json::json!({"model": "cheap", "messages": image}));
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["error"]["message"], "`cheap` cannot serve this request: no image input");
    let schema = serde_json::json!({"type": "json_schema", "json_schema": {"name": "x", "schema": {}}});
    let r = chat(s.port, serde_json::json!({"messages": user("hello"), "response_format": schema}));
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["error"]["type"], "no_model_can_serve");
    assert!(
        r.json()["error"]["message"].as_str().unwrap().starts_with("no model in the catalog can serve this request")
    );
    assert_eq!(g.oa.requests().len() + g.an.requests().len(), before);
}

/// `llmroute report` adds up to the same spend as `/metrics`, and its all-premium figure is the
/// answers' tokens at the premium model's prices (counted here by hand).
#[test]
fn the_spend_report_matches_the_metrics() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    g.oa.always(openai_ok("ok", 12, 3));
    g.an.always(anthropic_ok("ok", 20, 7));
    for i in 0..6 {
        let text = if i % 3 == 0 { "ask anthropic about this" } else { "hello" };
        assert_eq!(chat(s.port, serde_json::json!({"messages": user(text)})).status, 200);
    }
    let metrics = request(s.port, "GET", "/metrics", &[], "").body;
    // Answers' costs reach the log off the request path; a graceful stop writes what is queued.
    let mut s = s;
    let ok = std::process::Command::new("kill").args(["-TERM", &s.child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    assert_eq!(s.child.wait().unwrap().code(), Some(0));
    let spend: f64 = metrics
        .lines()
        .filter_map(|l| l.strip_prefix("llmroute_spend_usd_total{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum();
    let r = g.cli(&["report", "--by", "model", "--json"]).ok().json();
    let total = &r["total"];
    assert_eq!((total["requests"].as_u64(), total["answered"].as_u64()), (Some(6), Some(6)));
    assert!((total["cost_usd"].as_f64().unwrap() - spend).abs() < 1e-8, "{r}\n{metrics}");
    // 4 × cheap (12 in, 3 out at $1/$2) + 2 × mid (20 in, 7 out at $3/$15) per 1M tokens.
    let cost = (4.0 * (12.0 + 6.0) + 2.0 * (60.0 + 105.0)) / 1e6;
    assert!((total["cost_usd"].as_f64().unwrap() - cost).abs() < 1e-12, "{r}");
    // All on `top` ($10/$30): the same tokens.
    let premium = (4.0 * (120.0 + 90.0) + 2.0 * (200.0 + 210.0)) / 1e6;
    assert_eq!(r["premium"], "top");
    assert!((total["all_premium_usd"].as_f64().unwrap() - premium).abs() < 1e-12, "{r}");
    let keys: Vec<&str> = r["rows"].as_array().unwrap().iter().map(|x| x["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["cheap", "mid"]);
    let table = g.cli(&["report"]).ok().stdout;
    assert!(table.contains("6 decisions from the decision log"), "{table}");
}
