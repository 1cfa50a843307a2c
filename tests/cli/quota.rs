//! Daily quotas: exhaustion walks the fallback order and then refuses with exit 4, counters
//! reset at midnight of the configured time zone, dry runs count nothing, `quota` lists and
//! resets the counters, and parallel processes count every request once (SQLite and Redis).

use crate::harness::{Env, fixture, read};

fn tiny() -> String {
    fixture::arg(fixture::TINY_QUOTAS)
}

#[test]
fn exhaustion_walks_the_fallback_order_then_reports_all_quotas_exhausted() {
    exhaustion_on(Env::new(), tiny());
}

#[test]
fn exhaustion_walks_the_fallback_order_then_reports_all_quotas_exhausted_on_redis() {
    if let Some(env) = Env::redis() {
        let cfg = env.file("tiny.toml", read(fixture::TINY_QUOTAS));
        exhaustion_on(env, cfg);
    }
}

fn exhaustion_on(env: Env, cfg: String) {
    let now = "2026-11-26T23:00:00Z";
    let route = |env: &Env| env.run_at(now, &["--config", &cfg, "route", "--json", "question"]);

    let v = route(&env).ok().json();
    assert_eq!((v["model"].as_str(), v["method"].as_str()), (Some("big"), Some("difficulty")));

    let v = route(&env).ok().json();
    assert_eq!((v["model"].as_str(), v["method"].as_str()), (Some("mini"), Some("fallback")));
    assert_eq!(v["note"], "`big` over its daily quota; fell back to `mini`");

    let v = route(&env).ok().json();
    assert_eq!((v["model"].as_str(), v["method"].as_str()), (Some("mid"), Some("fallback")));

    let r = route(&env).code(4);
    assert_eq!(
        r.json(),
        serde_json::json!({
            "model": null,
            "error": "all_quotas_exhausted",
            "retry_after": 3600,
            "resets_at": "2026-11-27T00:00:00+00:00"
        })
    );
    r.stderr_eq(
        "error: all_quotas_exhausted: every model is over its daily quota; retry after 3600 s (quotas reset at 2026-11-27T00:00:00+00:00)\n",
    );

    // Nothing was counted for the refused request.
    let q = env.run_at(now, &["--config", &cfg, "quota", "--json"]).ok().json();
    let used: Vec<(String, u64)> = q
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["model"].as_str().unwrap().to_string(), r["used"].as_u64().unwrap()))
        .collect();
    assert_eq!(used, [("big".to_string(), 1), ("mid".to_string(), 1), ("mini".to_string(), 1)]);
}

#[test]
fn quotas_reset_at_midnight_of_the_configured_time_zone() {
    let env = Env::new();
    let cfg = tiny();
    let at = |ts: &str| env.run_at(ts, &["--config", &cfg, "route", "--json", "question"]).json()["model"].clone();
    assert_eq!(at("2026-11-26T23:59:58Z"), "big");
    assert_eq!(at("2026-11-26T23:59:59Z"), "mini");
    // A new day: the premium model is available again.
    assert_eq!(at("2026-11-27T00:00:00Z"), "big");
}

#[test]
fn a_fixed_offset_moves_the_day_boundary() {
    let env = Env::new();
    let text = read(fixture::TINY_QUOTAS).replace("timezone = \"UTC\"", "timezone = \"+08:00\"");
    let cfg = &env.file("east.toml", text);
    let at = |ts: &str| env.run_at(ts, &["--config", cfg, "route", "--json", "q"]).json();
    assert_eq!(at("2026-11-26T15:59:00Z")["model"], "big");
    assert_eq!(at("2026-11-26T15:59:30Z")["model"], "mini");
    // 16:00 UTC is midnight at +08:00.
    assert_eq!(at("2026-11-26T16:00:00Z")["model"], "big");
    let q = env.run_at("2026-11-26T16:00:00Z", &["--config", cfg, "quota", "--json"]).ok().json();
    assert_eq!(q[0]["resets_at"], "2026-11-28T00:00:00+08:00");
}

#[test]
fn dry_run_does_not_count() {
    let env = Env::new();
    let cfg = tiny();
    for _ in 0..3 {
        let v = env.run(&["--config", &cfg, "route", "--json", "--dry-run", "q"]).ok().json();
        assert_eq!(v["model"], "big");
        assert_eq!(v["counted"], false);
    }
    assert!(!env.path("state.db").exists(), "a dry run must not create the store");
}

#[test]
fn quota_json_lists_every_model_and_reset_clears_counters() {
    quota_json_on(Env::article());
}

#[test]
fn quota_json_lists_every_model_and_reset_clears_counters_on_redis() {
    if let Some(env) = Env::article_redis() {
        quota_json_on(env);
    }
}

fn quota_json_on(env: Env) {
    let now = "2026-11-26T10:00:00Z";
    env.run_at(now, &["route", "hello"]).ok();
    env.run_at(now, &["route", "hello"]).ok();
    env.run_at(now, &["route", "分析一下这只股票的财报"]).ok();
    let q = env.run_at(now, &["quota", "--json"]).ok().json();
    let rows = q.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    let mini = rows.iter().find(|r| r["model"] == "gpt-4o-mini").unwrap();
    assert_eq!(
        mini,
        &serde_json::json!({"model": "gpt-4o-mini", "used": 2, "quota": 50000, "remaining": 49998, "resets_at": "2026-11-27T00:00:00+00:00"})
    );

    env.run_at(now, &["quota", "reset", "gpt-4o-mini"]).ok();
    let q = env.run_at(now, &["quota", "--json"]).ok().json();
    let used = |m: &str| q.as_array().unwrap().iter().find(|r| r["model"] == m).unwrap()["used"].as_u64().unwrap();
    assert_eq!((used("gpt-4o-mini"), used("gpt-4o")), (0, 1));

    env.run_at(now, &["quota", "reset", "gpt4o"]).fails(2, "error: unknown model `gpt4o`; did you mean `gpt-4o`?\n");

    env.run_at(now, &["quota", "reset"]).ok();
    let q = env.run_at(now, &["quota", "--json"]).ok().json();
    assert!(q.as_array().unwrap().iter().all(|r| r["used"] == 0));
}

#[test]
fn quota_table_is_stable() {
    let env = Env::new();
    let now = "2026-11-26T10:00:00Z";
    env.run_at(now, &["route", "hello"]).ok();
    let r = env.run_at(now, &["quota"]).ok();
    insta::assert_snapshot!(r.stdout);
}

/// 8 processes routing 500 prompts each in parallel leave exactly 4000 counted.
#[test]
fn concurrent_processes_count_every_request_exactly_once() {
    concurrent_on(Env::new());
}

#[test]
fn concurrent_processes_count_every_request_exactly_once_on_redis() {
    if let Some(env) = Env::redis() {
        concurrent_on(env);
    }
}

fn concurrent_on(env: Env) {
    let env = std::sync::Arc::new(env);
    let now = "2026-11-26T10:00:00Z";
    // Create the store first so the processes only race on counting.
    env.run_at(now, &["quota", "reset"]).ok();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let env = env.clone();
            std::thread::spawn(move || {
                for _ in 0..500 {
                    env.run_at(now, &["route", "hello"]).ok();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let q = env.run_at(now, &["quota", "--json"]).ok().json();
    let mini = q.as_array().unwrap().iter().find(|r| r["model"] == "gpt-4o-mini").unwrap().clone();
    assert_eq!(mini["used"], 4000);
}
