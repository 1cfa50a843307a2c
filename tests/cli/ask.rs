//! `ask`: live calls to mock OpenAI-compatible and Anthropic upstreams — usage-based cost,
//! streaming, retries, fallback to the next model (counting only the one that answered),
//! cascade and consensus, capped bodies, keys never followed or echoed, and a request nothing
//! answered counting nothing (SQLite and Redis).

use crate::harness::{Env, Run};
use crate::mock::{Mock, Reply, anthropic_ok, anthropic_stream, openai_ok, openai_stream};

const OA_KEY: &str = "sk-test-OPENAI-secret-123";
const AN_KEY: &str = "sk-ant-test-secret-456";

/// Two mock endpoints and a config: `cheap` and `top` on the OpenAI-compatible one, `mid` on the
/// Anthropic one. Prompts mentioning "anthropic" route to `mid`, everything else to `cheap`.
struct Live {
    env: Env,
    oa: Mock,
    an: Mock,
}

impl Live {
    fn new() -> Live {
        Live::on(Env::new())
    }

    /// Live calls whose state lives where `env` keeps it (e.g. Redis).
    fn on(env: Env) -> Live {
        let (oa, an) = (Mock::start(), Mock::start());
        let cfg = crate::mock::live_config(&oa.base(), &an.base());
        env.write("llmroute.toml", cfg);
        Live { env, oa, an }
    }

    fn ask(&self, args: &[&str]) -> Run {
        let mut all = vec!["ask"];
        all.extend_from_slice(args);
        let r = self.env.run_env(&all, &[("LR_TEST_OA_KEY", OA_KEY), ("LR_TEST_AN_KEY", AN_KEY)]);
        assert!(!r.stdout.contains(OA_KEY) && !r.stderr.contains(OA_KEY), "a key leaked");
        assert!(!r.stdout.contains(AN_KEY) && !r.stderr.contains(AN_KEY), "a key leaked");
        r
    }
}

#[test]
fn openai_compatible_call_with_usage_based_cost() {
    let l = Live::new();
    l.oa.push(openai_ok("Paris is the capital of France.", 12, 5));
    let v = l.ask(&["--json", "What is the capital of France?"]).ok().json();
    assert_eq!(v["model"], "cheap");
    assert_eq!(v["answer"], "Paris is the capital of France.");
    assert_eq!(v["usage"], serde_json::json!({"input_tokens": 12, "output_tokens": 5, "estimated": false}));
    assert_eq!(v["cost_usd"], 0.000022);
    // Times print to the microsecond, costs to 10 decimals: no float noise.
    for t in [&v["latency_ms"], &v["attempts"][0]["latency_ms"]] {
        let text = t.to_string();
        assert!(text.split('.').nth(1).is_none_or(|d| d.len() <= 3), "{text}");
    }
    assert_eq!(v["decision"]["method"], "difficulty");
    let req = &l.oa.requests()[0];
    assert_eq!(req.path, "/v1/chat/completions");
    assert_eq!(req.header("authorization"), Some(format!("Bearer {OA_KEY}").as_str()));
    assert_eq!(req.body["model"], "cheap-1");
    assert_eq!(req.body["temperature"], 0.5);
    assert_eq!(
        req.body["messages"],
        serde_json::json!([{"role": "user", "content": "What is the capital of France?"}])
    );
    // Plain output is just the answer.
    l.oa.push(openai_ok("Paris.", 1, 1));
    assert_eq!(l.ask(&["capital of France?"]).ok().stdout, "Paris.\n");
}

#[test]
fn anthropic_messages_call() {
    let l = Live::new();
    l.an.push(anthropic_ok("Bonjour!", 20, 3));
    let v = l.ask(&["--json", "--system", "Answer in French.", "say hello via anthropic"]).ok().json();
    assert_eq!((v["model"].as_str(), v["answer"].as_str()), (Some("mid"), Some("Bonjour!")));
    let req = &l.an.requests()[0];
    assert_eq!(req.path, "/v1/messages");
    assert_eq!(req.header("x-api-key"), Some(AN_KEY));
    assert_eq!(req.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(req.body["model"], "mid-1");
    assert_eq!(req.body["max_tokens"], 300);
    assert_eq!(req.body["system"], "Answer in French.");
    assert_eq!(req.body["messages"], serde_json::json!([{"role": "user", "content": "say hello via anthropic"}]));
}

#[test]
fn streaming_prints_the_answer_as_it_arrives() {
    let l = Live::new();
    l.oa.push(openai_stream(&["Hel", "lo, ", "world"], 7, 3));
    assert_eq!(l.ask(&["--stream", "greet me"]).ok().stdout, "Hello, world\n");
    assert_eq!(l.oa.requests()[0].body["stream"], true);
    l.an.push(anthropic_stream(&["Bon", "jour"], 5, 2));
    assert_eq!(l.ask(&["--stream", "anthropic greeting"]).ok().stdout, "Bonjour\n");
    assert_eq!(l.an.requests()[0].body["stream"], true);
}

#[test]
fn retries_on_500_and_honours_retry_after() {
    let l = Live::new();
    l.oa.push(Reply::Status(500, vec![], "{\"error\":{\"message\":\"boom\"}}".into()));
    l.oa.push(openai_ok("ok", 1, 1));
    let v = l.ask(&["--json", "question one"]).ok().json();
    assert_eq!(v["attempts"][0]["tries"], 2);
    assert_eq!(v["fallback"], false);
    l.oa.push(Reply::Status(429, vec![("Retry-After".into(), "1".into())], "{}".into()));
    l.oa.push(openai_ok("ok", 1, 1));
    let v = l.ask(&["--json", "question two"]).ok().json();
    assert_eq!(v["attempts"][0]["waits_ms"], serde_json::json!([1000]));
    // Malformed JSON, a dropped connection and a truncated body are errors of one try.
    l.oa.push(Reply::Malformed);
    l.oa.push(Reply::Drop);
    l.oa.push(openai_ok("third time lucky", 1, 1));
    let v = l.ask(&["--json", "question three"]).ok().json();
    assert_eq!((v["attempts"][0]["tries"].as_u64(), v["answer"].as_str()), (Some(3), Some("third time lucky")));
    l.oa.push(Reply::Truncated);
    l.oa.push(openai_ok("after truncation", 1, 1));
    assert_eq!(l.ask(&["--json", "question four"]).ok().json()["answer"], "after truncation");
}

#[test]
fn ask_model_skips_routing_and_is_counted_and_logged_like_a_routed_request() {
    let l = Live::new();
    // Routing would send this prompt to `cheap`; `--model top` sends it to `top`.
    l.oa.push_for("top-1", openai_ok("from top", 3, 2));
    let v =
        l.ask(&["--json", "--model", "top", "--request-id", "named-1", "What is the capital of France?"]).ok().json();
    assert_eq!((v["model"].as_str(), v["answer"].as_str()), (Some("top"), Some("from top")));
    assert_eq!(v["decision"]["method"], "client");
    assert_eq!(v["decision"]["strategy"], "client");
    assert_eq!(l.oa.requests()[0].body["model"], "top-1");
    let q = l.env.quota_json();
    let used = |m: &str| q.as_array().unwrap().iter().find(|r| r["model"] == m).unwrap()["used"].as_u64().unwrap();
    assert_eq!((used("cheap"), used("top")), (0, 1));
    // The decision log has it: feedback joins the named model.
    l.env.run(&["feedback", "add", "--request-id", "named-1", "--rating", "4"]).ok();
    assert_eq!(l.env.run(&["feedback", "stats", "--json"]).ok().json()[0]["key"], "top");
    l.ask(&["--model", "top", "--cascade", "hi"])
        .code(2)
        .stderr_has("the argument '--model <NAME>' cannot be used with '--cascade'");
}

#[test]
fn persistent_failure_falls_back_to_the_next_model_and_counts_only_it() {
    fallback_counts_only_the_answer_on(Live::new());
}

#[test]
fn persistent_failure_falls_back_to_the_next_model_and_counts_only_it_on_redis() {
    if let Some(env) = Env::redis() {
        fallback_counts_only_the_answer_on(Live::on(env));
    }
}

fn fallback_counts_only_the_answer_on(l: Live) {
    l.oa.push_for("cheap-1", Reply::Status(503, vec![], "{\"error\":{\"message\":\"overloaded\"}}".into()));
    l.oa.push_for("cheap-1", Reply::Status(503, vec![], "{\"error\":{\"message\":\"overloaded\"}}".into()));
    l.oa.push_for("cheap-1", Reply::Status(503, vec![], "{\"error\":{\"message\":\"overloaded\"}}".into()));
    l.an.push(anthropic_ok("from the fallback", 4, 4));
    let v = l.ask(&["--json", "--request-id", "fb-1", "plain question"]).ok().json();
    assert_eq!((v["model"].as_str(), v["fallback"].as_bool()), (Some("mid"), Some(true)));
    assert_eq!(v["note"], "`cheap` failed; fell back to `mid`");
    assert_eq!(v["attempts"][0]["error"], "HTTP 503: overloaded (after 3 tries)");
    let q = l.env.quota_json();
    let used = |m: &str| q.as_array().unwrap().iter().find(|r| r["model"] == m).unwrap()["used"].as_u64().unwrap();
    // Only the model that answered is counted.
    assert_eq!((used("cheap"), used("mid")), (0, 1));
    // Feedback joins the model that answered.
    l.env.run(&["feedback", "add", "--request-id", "fb-1", "--rating", "5"]).ok();
    assert_eq!(l.env.run(&["feedback", "stats", "--json"]).ok().json()[0]["key"], "mid");
}

#[test]
fn every_candidate_failing_keeps_each_error_and_exits_3() {
    let l = Live::new();
    l.oa.always(Reply::Delay(3000, Box::new(openai_ok("too late", 1, 1))));
    l.an.always(Reply::Status(400, vec![], "{\"error\":{\"message\":\"bad request\"}}".into()));
    l.ask(&["--timeout", "0.3", "a question"]).fails(
        3,
        "error: every candidate failed: `cheap`: no answer within 0.3 s (after 3 tries); `mid`: HTTP 400: bad request; \
         `top`: no answer within 0.3 s (after 3 tries)\n",
    );
}

#[test]
fn a_missing_key_fails_before_any_request() {
    let l = Live::new();
    l.oa.push(openai_ok("never", 1, 1));
    l.env
        .run_env(&["ask", "hello"], &[("LR_TEST_AN_KEY", AN_KEY)])
        .fails(2, "error: `cheap`: environment variable `LR_TEST_OA_KEY` is not set (the provider's `api_key_env`)\n");
    assert!(l.oa.requests().is_empty());
    let q = l.env.quota_json();
    assert!(q.as_array().unwrap().iter().all(|r| r["used"] == 0), "nothing counted");
}

#[test]
fn cascade_escalates_once_when_the_cheap_answer_is_weak() {
    let l = Live::new();
    l.oa.push_for("cheap-1", openai_ok("I'm sorry, I can't help with that.", 10, 9));
    l.an.push(anthropic_ok("The integral is 9.", 10, 6));
    let v = l.ask(&["--json", "--cascade", "Integrate x^2 from 0 to 3"]).ok().json();
    assert_eq!((v["model"].as_str(), v["answer"].as_str()), (Some("mid"), Some("The integral is 9.")));
    let steps = v["cascade"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!((steps[0]["score"].as_f64(), steps[0]["accepted"].as_bool()), (Some(0.3), Some(false)));
    assert_eq!((steps[1]["score"].as_f64(), steps[1]["accepted"].as_bool()), (Some(1.0), Some(true)));
    let total = (10.0 * 1.0 + 9.0 * 2.0 + 10.0 * 3.0 + 6.0 * 15.0) / 1e6;
    assert!((v["total_cost_usd"].as_f64().unwrap() - total).abs() < 1e-15);
}

#[test]
fn consensus_with_and_without_a_majority() {
    let l = Live::new();
    l.oa.push_for("cheap-1", openai_ok("B", 5, 1));
    l.an.push(anthropic_ok("The answer is (B).", 5, 5));
    l.oa.push_for("top-1", openai_ok("C", 5, 1));
    let v = l.ask(&["--json", "--consensus", "Pick A, B or C"]).ok().json();
    assert_eq!(v["consensus"]["agreement"], "2/3");
    assert_eq!(v["consensus"]["majority"], true);
    assert_eq!(v["answer"], "B");
    assert_eq!(v["note"], serde_json::Value::Null);

    l.oa.push_for("cheap-1", openai_ok("A", 5, 1));
    l.an.push(anthropic_ok("B", 5, 1));
    l.oa.push_for("top-1", openai_ok("C", 5, 1));
    l.ask(&["--consensus", "Pick A, B or C"])
        .ok()
        .stdout_eq("C\n")
        .stderr_has("no majority (1/3 agree); returning the answer of the most expensive model, `top`");
}

/// Adds `extra` to the `[live]` table of the test configuration.
fn with_live(l: &Live, extra: &str) {
    let cfg = std::fs::read_to_string(l.env.path("llmroute.toml")).unwrap();
    l.env.write("llmroute.toml", cfg.replace("[live]\n", &format!("[live]\n{extra}\n")));
}

#[test]
fn response_bodies_are_capped() {
    let l = Live::new();
    with_live(&l, "max_body_bytes = 100000");
    // An answer over the cap is refused without reading it all (and retried, then the fallback).
    l.oa.push_for("cheap-1", Reply::Big(5_000_000));
    l.oa.push_for("cheap-1", Reply::Big(5_000_000));
    l.oa.push_for("cheap-1", Reply::Big(5_000_000));
    l.an.push(anthropic_ok("small", 1, 1));
    let v = l.ask(&["--json", "a question"]).ok().json();
    assert_eq!(v["model"], "mid");
    assert_eq!(
        v["attempts"][0]["error"],
        "malformed response: the response body is over 100000 bytes (`[live] max_body_bytes`) (after 3 tries)"
    );
    // A body that never ends is cut at the cap, streamed or not.
    l.oa.always(Reply::Endless);
    l.an.always(Reply::Endless);
    l.ask(&["--json", "another question"]).code(3).stderr_has("the response body is over 100000 bytes");
    l.ask(&["--stream", "a streamed question"]).code(3).stderr_has("over 100000 bytes");
}

#[test]
fn a_redirect_to_another_host_is_not_followed_with_the_key() {
    let l = Live::new();
    let elsewhere = Mock::start();
    elsewhere.always(anthropic_ok("stolen", 1, 1));
    let to = format!("{}/v1/messages", elsewhere.base());
    l.an.always(Reply::Status(307, vec![("Location".to_string(), to)], String::new()));
    l.oa.always(openai_ok("from openai", 1, 1));
    let v = l.ask(&["--json", "ask anthropic please"]).ok().json();
    assert!(elsewhere.requests().is_empty(), "the redirect was followed");
    // `mid` failed; the fallback order goes on to `top`.
    assert_eq!(v["model"], "top");
    let err = v["attempts"][0]["error"].as_str().unwrap();
    assert_eq!(
        err,
        format!(
            "HTTP 307: redirected to 127.0.0.1:{}; not followed (the key goes only to the configured host)",
            elsewhere.port
        )
    );
}

#[test]
fn an_upstream_that_echoes_the_key_does_not_make_it_appear() {
    let l = Live::new();
    let body = format!("{{\"error\":{{\"message\":\"Incorrect API key provided: Bearer {OA_KEY}\"}}}}");
    l.oa.always(Reply::Status(401, vec![], body));
    l.an.always(Reply::Status(401, vec![], format!("invalid x-api-key {AN_KEY}")));
    // `ask` itself asserts that neither key appears in stdout or stderr.
    l.ask(&["--json", "a question"])
        .code(3)
        .stderr_has("Incorrect API key provided: Bearer [redacted]")
        .stdout_has("invalid x-api-key [redacted]");
}

#[test]
fn a_request_nothing_answered_counts_nothing() {
    nothing_answered_on(Live::new());
}

#[test]
fn a_request_nothing_answered_counts_nothing_on_redis() {
    if let Some(env) = Env::redis() {
        nothing_answered_on(Live::on(env));
    }
}

fn nothing_answered_on(l: Live) {
    l.oa.always(Reply::Status(500, vec![], "{\"error\":{\"message\":\"down\"}}".into()));
    l.an.always(Reply::Status(500, vec![], "{\"error\":{\"message\":\"down\"}}".into()));
    l.ask(&["--request-id", "gone-1", "a question"]).code(3);
    let q = l.env.quota_json();
    assert!(q.as_array().unwrap().iter().all(|r| r["used"] == 0), "{q}");
    // No decision was logged: feedback for it needs a model.
    l.env.run(&["feedback", "add", "--request-id", "gone-1", "--rating", "3"]).code(2).stderr_has("gone-1");
}

#[test]
fn a_stream_that_breaks_says_so_before_the_fallback_answer() {
    let l = Live::new();
    let partial = vec![
        serde_json::json!({"choices": [{"index": 0, "delta": {"content": "Par"}, "finish_reason": null}]}).to_string(),
    ];
    for _ in 0..3 {
        l.oa.push_for("cheap-1", Reply::BrokenStream(partial.clone()));
    }
    l.an.push(anthropic_ok("Paris.", 1, 1));
    l.ask(&["--stream", "capital of France?"])
        .ok()
        .stdout_eq("ParParis.\n")
        .stderr_has("warning: the stream broke off; the complete answer follows");
}

/// Prompt-cache reads reported by the provider are priced at the model's `cached_input_price`:
/// OpenAI's `prompt_tokens_details.cached_tokens` (part of `prompt_tokens`) and Anthropic's
/// `cache_read_input_tokens` (beside `input_tokens`).
#[test]
fn cached_input_tokens_are_billed_at_the_cached_price() {
    let l = Live::new();
    let cfg = std::fs::read_to_string(l.env.path("llmroute.toml")).unwrap();
    let cfg = cfg
        .replace("model_id = \"cheap-1\"", "model_id = \"cheap-1\"\ncached_input_price = 0.25")
        .replace("model_id = \"mid-1\"", "model_id = \"mid-1\"\ncached_input_price = 0.3");
    l.env.write("llmroute.toml", cfg);
    l.oa.push(Reply::Json(
        200,
        serde_json::json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 2000, "completion_tokens": 10, "prompt_tokens_details": {"cached_tokens": 1500}}})
        .to_string(),
    ));
    let v = l.ask(&["--json", "a question"]).ok().json();
    assert_eq!(
        v["usage"],
        serde_json::json!({"input_tokens": 2000, "cached_input_tokens": 1500, "output_tokens": 10, "estimated": false})
    );
    // cheap: 500 × $1 + 1500 × $0.25 + 10 × $2 per 1M tokens.
    assert_eq!(v["cost_usd"], (500.0 + 375.0 + 20.0) / 1e6);
    l.an.push(Reply::Json(
        200,
        serde_json::json!({"content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
            "usage": {"input_tokens": 100, "cache_read_input_tokens": 900, "cache_creation_input_tokens": 0, "output_tokens": 4}})
        .to_string(),
    ));
    let v = l.ask(&["--json", "ask anthropic"]).ok().json();
    assert_eq!(
        (v["model"].as_str(), v["usage"]["input_tokens"].as_u64(), v["usage"]["cached_input_tokens"].as_u64()),
        (Some("mid"), Some(1000), Some(900))
    );
    // mid: 100 × $3 + 900 × $0.3 + 4 × $15 per 1M tokens.
    assert_eq!(v["cost_usd"], (300.0 + 270.0 + 60.0) / 1e6);
}
