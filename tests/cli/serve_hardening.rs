//! The gateway (and `ask`) against hostile upstreams and clients, round 2: a stream broken after
//! text was relayed, a client that goes away mid-stream, keys echoed in error bodies, quotas
//! under cascade and consensus, a stop past the grace period, absurd token counts, out-of-range
//! parameters, a locked state store and clients that do not read.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::harness::Env;
use crate::mock::{Gate, Mock, Reply, anthropic_ok, live_config, openai_ok};
use crate::serve::{Gateway, OA_KEY, chat, connect, request, send, user};

/// One OpenAI stream event carrying `text`.
fn delta(text: &str) -> String {
    serde_json::json!({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]}).to_string()
}

/// Today's count of `model` from `quota --json` (0 when it has none).
fn used(g: &Gateway, model: &str) -> u64 {
    let q = g.cli(&["quota", "--json"]).ok().json();
    q.as_array().unwrap().iter().find(|r| r["model"] == model).and_then(|r| r["used"].as_u64()).unwrap_or(0)
}

/// Waits (bounded) until `f` holds.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(20), "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A gateway whose catalog gives `mid` and `top` a daily quota of 2.
fn with_quotas(env: Env) -> Gateway {
    let (oa, an) = (Mock::start(), Mock::start());
    let cfg = live_config(&oa.base(), &an.base())
        .replace("[models.mid]\n", "[models.mid]\ndaily_quota = 2\n")
        .replace("[models.top]\n", "[models.top]\ndaily_quota = 2\n");
    env.write("llmroute.toml", cfg);
    Gateway { env, oa, an }
}

#[test]
fn a_stream_broken_after_text_ends_with_an_error_event_never_a_clean_stop() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    g.oa.push_for("cheap-1", Reply::BrokenStream(vec![delta("The answer "), delta("is: ")]));
    // What a retry would get: it must not be asked for, since its text could not be relayed.
    g.oa.push_for("cheap-1", openai_ok("The answer is: 42", 3, 5));
    let r = chat(s.port, serde_json::json!({"stream": true, "messages": user("hello")}));
    assert_eq!(r.status, 200);
    let events = r.events();
    let parsed: Vec<serde_json::Value> =
        events.iter().filter(|e| *e != "[DONE]").map(|e| serde_json::from_str(e).unwrap()).collect();
    let text: String =
        parsed.iter().filter_map(|c| c.pointer("/choices/0/delta/content").and_then(|t| t.as_str())).collect();
    assert_eq!(text, "The answer is: ");
    assert!(
        parsed.iter().all(|c| c.pointer("/choices/0/finish_reason").is_none_or(|f| f.is_null())),
        "a clean finish over a partial answer: {events:?}"
    );
    let last = parsed.last().unwrap();
    assert_eq!(last["error"]["type"], "upstream_error", "{events:?}");
    assert!(last["error"]["message"].as_str().unwrap().contains("not retried"), "{last}");
    assert_eq!(g.oa.requests().len(), 1, "the upstream was called again after text was relayed");
    // Nothing answered: nothing counted.
    assert_eq!(used(&g, "cheap"), 0);
}

#[test]
fn the_official_openai_client_raises_on_a_broken_stream() {
    let Some(python) = crate::serve::openai_python() else { return };
    let g = Gateway::new("");
    let s = g.start(&[]);
    g.oa.push_for("cheap-1", Reply::BrokenStream(vec![delta("The answer "), delta("is: ")]));
    g.oa.push_for("cheap-1", openai_ok("The answer is: 42", 3, 5));
    let script = format!(
        r#"
import openai
c = openai.OpenAI(base_url="http://127.0.0.1:{}/v1", api_key="unused", max_retries=0)
got = ""
try:
    for ch in c.chat.completions.create(model="auto", messages=[{{"role": "user", "content": "hi"}}], stream=True):
        if ch.choices and ch.choices[0].delta.content:
            got += ch.choices[0].delta.content
    print("NO ERROR", repr(got))
except openai.APIError as e:
    print("RAISED", repr(got))
"#,
        s.port
    );
    let out = std::process::Command::new(python).args(["-c", &script]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.trim(), "RAISED 'The answer is: '", "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_client_that_goes_away_mid_stream_stops_the_upstream_call() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    let gate = Gate::default();
    g.oa.push_for("cheap-1", Reply::Gated(vec![delta("Hel"), delta("lo"), delta("!")], gate.clone()));
    g.oa.always(openai_ok("retried", 1, 1));
    let mut c = connect(s.port);
    let body = serde_json::json!({"stream": true, "messages": user("hello")}).to_string();
    send(&mut c, "POST", "/v1/chat/completions", &[("Content-Type", "application/json")], &body);
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("Hel") {
        let n = c.read(&mut buf).unwrap();
        assert!(n > 0, "the stream ended early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    assert_eq!(used(&g, "cheap"), 1, "the request is counted while it is answered");
    drop(c);
    // The gateway notices, stops the call and gives the count back.
    eventually("the abandoned request is settled", || used(&g, "cheap") == 0);
    gate.open();
    assert_eq!(g.oa.requests().len(), 1, "the upstream was called again after the client left");
    let export = g.cli(&["state", "export"]).ok().stdout;
    assert!(!export.contains("\"kind\":\"decision\""), "the abandoned request is still logged: {export}");
}

#[test]
fn an_error_body_never_shows_a_key_or_a_prefix_of_one() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    let body = format!("{}Bearer {OA_KEY}", "x".repeat(170));
    g.oa.always(Reply::Status(401, vec![("Content-Type".into(), "text/plain".into())], body));
    let r = chat(s.port, serde_json::json!({"model": "cheap", "messages": user("hello")}));
    assert_eq!(r.status, 502, "{}", r.body);
    assert!(r.body.contains("[redacted]"), "{}", r.body);
    for len in 8..=OA_KEY.len() {
        assert!(!r.body.contains(&OA_KEY[..len]), "{len} characters of the key leaked: {}", r.body);
    }
    // The same through `ask`.
    let out = g.env.run_env(
        &["ask", "--model", "cheap", "hello"],
        &[("LR_TEST_OA_KEY", OA_KEY), ("LR_TEST_AN_KEY", crate::serve::AN_KEY)],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    for len in 8..=OA_KEY.len() {
        assert!(!out.stderr.contains(&OA_KEY[..len]), "{len} characters of the key leaked: {}", out.stderr);
    }
}

fn cascade_and_consensus_respect_daily_quotas_on(env: Env) {
    let g = with_quotas(env);
    let s = g.start(&[]);
    // The cascade: cheap and mid refuse, so every request would go on to top.
    g.oa.push_for("cheap-1", openai_ok("I'm sorry, I can't help with that.", 1, 1));
    g.oa.always(openai_ok("I'm sorry, I can't.", 1, 1));
    g.an.always(anthropic_ok("I'm sorry, I can't.", 1, 1));
    for _ in 0..2 {
        g.oa.push_for("top-1", openai_ok("Paris.", 1, 1));
    }
    let mut notes = Vec::new();
    for _ in 0..5 {
        let r = chat(s.port, serde_json::json!({"model": "router:cascade", "messages": user("capital?")}));
        assert_eq!(r.status, 200, "{}", r.body);
        notes.push(r.header("x-llmroute-note").unwrap_or("").to_string());
    }
    let calls = |m: &Mock, id: &str| m.requests().iter().filter(|r| r.body["model"] == id).count();
    assert_eq!((calls(&g.oa, "cheap-1"), g.an.requests().len(), calls(&g.oa, "top-1")), (5, 2, 2));
    assert_eq!((used(&g, "cheap"), used(&g, "mid"), used(&g, "top")), (5, 2, 2));
    assert_eq!(notes[4], "`mid` is over its daily quota, `top` is over its daily quota; returning the previous answer");
    g.cli(&["quota", "reset"]).ok();
    // The consensus: members over quota are left out, and the answer says so.
    let before = (g.an.requests().len(), calls(&g.oa, "top-1"));
    for i in 0..8 {
        let r = chat(s.port, serde_json::json!({"model": "router:consensus", "messages": user("A or B?")}));
        assert_eq!(r.status, 200, "{}", r.body);
        if i >= 2 {
            assert_eq!(
                r.header("x-llmroute-note"),
                Some("left out of the consensus: `mid` (over its daily quota), `top` (over its daily quota)"),
            );
        }
    }
    assert_eq!((g.an.requests().len() - before.0, calls(&g.oa, "top-1") - before.1), (2, 2));
    assert_eq!((used(&g, "cheap"), used(&g, "mid"), used(&g, "top")), (8, 2, 2));
}

#[test]
fn cascade_and_consensus_respect_daily_quotas() {
    cascade_and_consensus_respect_daily_quotas_on(Env::new());
}

#[test]
fn cascade_and_consensus_respect_daily_quotas_on_redis() {
    if let Some(env) = Env::redis() {
        cascade_and_consensus_respect_daily_quotas_on(env);
    }
}

#[test]
fn ask_consensus_leaves_out_models_over_their_quota() {
    let g = with_quotas(Env::new());
    g.oa.always(openai_ok("A", 1, 1));
    g.an.always(anthropic_ok("A", 1, 1));
    let keys = [("LR_TEST_OA_KEY", OA_KEY), ("LR_TEST_AN_KEY", crate::serve::AN_KEY)];
    for _ in 0..2 {
        let v = g.env.run_env(&["ask", "--json", "--consensus", "A or B?"], &keys).ok().json();
        assert_eq!(v["consensus"]["agreement"], "3/3");
    }
    let v = g.env.run_env(&["ask", "--json", "--consensus", "A or B?"], &keys).ok().json();
    assert_eq!(v["consensus"]["agreement"], "1/1");
    assert_eq!(v["note"], "left out of the consensus: `mid` (over its daily quota), `top` (over its daily quota)");
    assert_eq!((used(&g, "cheap"), used(&g, "mid"), used(&g, "top")), (3, 2, 2));
    assert_eq!(g.an.requests().len(), 2);
}

#[test]
fn a_stop_past_the_grace_period_counts_and_logs_nothing_unanswered() {
    let g = Gateway::new("");
    let mut s = g.start(&["--shutdown-grace", "1"]);
    g.oa.always(Reply::Delay(4000, Box::new(openai_ok("late", 1, 1))));
    let port = s.port;
    let clients: Vec<_> = (0..5)
        .map(|_| {
            std::thread::spawn(move || {
                let mut c = connect(port);
                let body = serde_json::json!({"messages": user("hello")}).to_string();
                send(&mut c, "POST", "/v1/chat/completions", &[("Content-Type", "application/json")], &body);
                let mut raw = Vec::new();
                let _ = c.read_to_end(&mut raw);
            })
        })
        .collect();
    eventually("the upstream has the five requests", || g.oa.requests().len() == 5);
    assert_eq!(used(&g, "cheap"), 5);
    let ok = std::process::Command::new("kill").args(["-TERM", &s.child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    assert_eq!(s.child.wait().unwrap().code(), Some(0));
    for c in clients {
        c.join().unwrap();
    }
    assert_eq!(used(&g, "cheap"), 0, "requests nothing answered are still counted");
    let export = g.cli(&["state", "export"]).ok().stdout;
    assert!(!export.contains("\"kind\":\"decision\""), "requests nothing answered are still logged: {export}");
}

#[test]
fn absurd_upstream_token_counts_are_counted_locally_not_priced() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    let huge = u64::MAX;
    g.oa.push(Reply::Json(
        200,
        serde_json::json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris."},
            "finish_reason": "stop"}], "usage": {"prompt_tokens": huge, "completion_tokens": 3}})
        .to_string(),
    ));
    let r = chat(s.port, serde_json::json!({"messages": user("What is the capital of France?")}));
    assert_eq!(r.status, 200, "{}", r.body);
    let u = &r.json()["usage"];
    let (p, c, t) = (
        u["prompt_tokens"].as_u64().unwrap(),
        u["completion_tokens"].as_u64().unwrap(),
        u["total_tokens"].as_u64().unwrap(),
    );
    assert!(p < 100, "{u}");
    assert_eq!(p + c, t, "{u}");
    let cost: f64 = r.header("x-llmroute-cost-usd").unwrap().parse().unwrap();
    assert!(cost < 0.001, "{cost}");
    let m = request(s.port, "GET", "/metrics", &[], "").body;
    assert!(m.contains("llmroute_implausible_usage_total 1"), "{m}");
    assert!(!m.contains(&huge.to_string()), "{m}");
}

#[test]
fn out_of_range_parameters_and_feedback_are_refused() {
    let g = Gateway::new("");
    let s = g.start(&[]);
    for (field, value, want) in [
        ("temperature", serde_json::json!(-1), "`temperature` -1 is outside 0 to 2"),
        ("temperature", serde_json::json!(2.5), "`temperature` 2.5 is outside 0 to 2"),
        ("top_p", serde_json::json!(-5), "`top_p` -5 is outside (0, 1]"),
        ("top_p", serde_json::json!(0), "`top_p` 0 is outside (0, 1]"),
    ] {
        let mut body = serde_json::json!({"messages": user("hello")});
        body[field] = value;
        let r = chat(s.port, body);
        assert_eq!((r.status, r.json()["error"]["message"].as_str()), (400, Some(want)));
    }
    assert!(g.oa.requests().is_empty(), "an out-of-range request reached the upstream");
    let fb = |body: serde_json::Value| {
        request(s.port, "POST", "/v1/feedback", &[("Content-Type", "application/json")], &body.to_string())
    };
    let r = fb(serde_json::json!({"request_id": "r-1", "latency_ms": 1e300}));
    assert_eq!(
        (r.status, r.json()["error"]["message"].as_str()),
        (400, Some("latency 1e300 is outside 0-1000000000 milliseconds"))
    );
    let r = fb(serde_json::json!({"request_id": "r-1", "rating": "5"}));
    assert_eq!((r.status, r.json()["error"]["message"].as_str()), (400, Some("`rating` must be a number from 1 to 5")));
}

#[test]
fn healthz_answers_while_the_state_store_is_locked() {
    let g = Gateway::new("");
    let s = g.start(&["--workers", "1"]);
    g.oa.always(openai_ok("ok", 1, 1));
    // Another process holds SQLite's write lock (as a large `state import` does).
    let db = g.env.path("state.db");
    assert_eq!(chat(s.port, serde_json::json!({"messages": user("hello")})).status, 200);
    let mut locker = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys,time\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\nc.execute('BEGIN IMMEDIATE')\nprint('locked',flush=True)\nsys.stdin.read()",
        ])
        .arg(&db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = [0u8; 7];
    locker.stdout.as_mut().unwrap().read_exact(&mut line).unwrap();
    assert_eq!(&line, b"locked\n");
    let port = s.port;
    let waiting = std::thread::spawn(move || chat(port, serde_json::json!({"messages": user("hello")})).status);
    // Let the chat request reach the lock (sooner, the check below would prove nothing).
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let r = request(s.port, "GET", "/healthz", &[], "");
    assert_eq!(r.status, 200);
    assert!(start.elapsed() < Duration::from_secs(2), "/healthz took {:?}", start.elapsed());
    let start = Instant::now();
    assert_eq!(request(s.port, "GET", "/metrics", &[], "").status, 200);
    assert!(start.elapsed() < Duration::from_secs(2), "/metrics took {:?}", start.elapsed());
    locker.stdin.take().unwrap().write_all(b"done").unwrap();
    locker.wait().unwrap();
    assert_eq!(waiting.join().unwrap(), 200);
}

/// Resident memory of a process in kB.
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .unwrap()
        .trim()
        .trim_end_matches(" kB")
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn clients_that_do_not_read_a_stream_do_not_grow_the_gateway() {
    // 4 clients, each asking for a 12 MiB stream and reading nothing.
    let g = {
        let (oa, an) = (Mock::start(), Mock::start());
        let cfg = live_config(&oa.base(), &an.base())
            .replace("max_retries = 2", "max_retries = 0\nmax_body_bytes = 67108864");
        let env = Env::new();
        env.write("llmroute.toml", cfg);
        Gateway { env, oa, an }
    };
    let s = g.start(&[]);
    let piece = "x".repeat(64 << 10);
    let events: Vec<String> = (0..192).map(|_| delta(&piece)).collect();
    g.oa.always(Reply::Stream(events));
    let before = rss_kb(s.child.id());
    let mut conns = Vec::new();
    for _ in 0..4 {
        let mut c = connect(s.port);
        let body = serde_json::json!({"stream": true, "messages": user("hello")}).to_string();
        send(&mut c, "POST", "/v1/chat/completions", &[("Content-Type", "application/json")], &body);
        conns.push(c);
    }
    eventually("the upstream has the four requests", || g.oa.requests().len() == 4);
    // Give the relays time to buffer what they would (unbounded, the whole 12 MiB each).
    std::thread::sleep(Duration::from_millis(1500));
    let grown = rss_kb(s.child.id()).saturating_sub(before);
    assert!(grown < 32 << 10, "the gateway grew by {grown} kB for 4 clients that read nothing");
    drop(conns);
}
