//! Feedback: `feedback add`/`import` join the logged decision, errors are one line, `stats`
//! windows follow the clock, imports are all or nothing, `suggest` recommends and applies rule
//! changes, and the adaptive router and the canary learn from it (SQLite and Redis).

use crate::harness::{Env, Run, default_config, fixture};

const NOW: &str = "2026-11-26T12:00:00Z";

fn at(env: &Env, args: &[&str]) -> Run {
    env.run_at(NOW, args)
}

#[test]
fn feedback_joins_the_logged_decision() {
    feedback_joins_on(Env::article());
}

#[test]
fn feedback_joins_the_logged_decision_on_redis() {
    if let Some(env) = Env::article_redis() {
        feedback_joins_on(env);
    }
}

fn feedback_joins_on(env: Env) {
    let v = at(&env, &["route", "--json", "帮我写代码实现快速排序"]).ok().json();
    let id = v["request_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("r-"), "{id}");
    at(&env, &["feedback", "add", "--request-id", &id, "--rating", "2", "--latency-ms", "850"]).ok();
    let s = at(&env, &["feedback", "stats", "--by", "rule", "--json"]).ok().json();
    assert_eq!(s[0]["key"], "code_generation");
    assert_eq!(s[0]["n"], 1);
    assert_eq!(s[0]["avg_rating"], 2.0);
    let m = at(&env, &["feedback", "stats", "--json"]).ok().json();
    assert_eq!(m[0]["key"], "claude-3-sonnet");
    assert_eq!(m[0]["p50_latency_ms"], 850.0);
    assert!(m[0]["avg_cost"].as_f64().unwrap() > 0.0);

    // A second rating for the same request replaces the first.
    at(&env, &["feedback", "add", "--request-id", &id, "--rating", "4"])
        .ok()
        .stderr_has("replaced the earlier feedback");
    assert_eq!(at(&env, &["feedback", "stats", "--json"]).ok().json()[0]["avg_rating"], 4.0);

    // The caller's own request id.
    let v = at(&env, &["route", "--json", "--request-id", "mine-1", "hello"]).ok().json();
    assert_eq!(v["request_id"], "mine-1");
    at(&env, &["feedback", "add", "--request-id", "mine-1", "--success", "true"]).ok();
}

#[test]
fn feedback_errors_are_clear() {
    let env = Env::new();
    at(&env, &["feedback", "add", "--request-id", "nope", "--rating", "4"]).fails(2, "error: unknown request id `nope`: no logged decision has it; pass --model (and --rule) to record feedback for a request llmroute did not route\n");
    at(&env, &["feedback", "add", "--request-id", "x", "--rating", "6", "--model", "gpt-4o"]).fails(
        2,
        "error: invalid value '6' for '--rating <1-5>': `6` is outside [1, 5]\n\nFor more information, try '--help'.\n",
    );
    at(&env, &["feedback", "add", "--request-id", "x", "--rating", "3", "--model", "gpt4o"])
        .fails(2, "error: unknown model `gpt4o`; did you mean `gpt-4o`?\n");
    at(&env, &["feedback", "add", "--request-id", "x", "--rating", "3", "--model", "gpt-4o"]).ok();
}

#[test]
fn stats_windows_follow_the_clock() {
    let env = Env::new();
    env.run_at("2026-11-01T10:00:00Z", &["route", "--request-id", "old", "hello"]).ok();
    env.run_at("2026-11-01T10:00:00Z", &["feedback", "add", "--request-id", "old", "--rating", "5"]).ok();
    env.run_at("2026-11-25T10:00:00Z", &["route", "--request-id", "new", "hello"]).ok();
    env.run_at("2026-11-25T10:00:00Z", &["feedback", "add", "--request-id", "new", "--rating", "3"]).ok();
    let week = at(&env, &["feedback", "stats", "--days", "7", "--json"]).ok().json();
    assert_eq!((week[0]["n"].as_u64(), week[0]["avg_rating"].as_f64()), (Some(1), Some(3.0)));
    let all = at(&env, &["feedback", "stats", "--days", "0", "--json"]).ok().json();
    assert_eq!((all[0]["n"].as_u64(), all[0]["avg_rating"].as_f64()), (Some(2), Some(4.0)));
}

#[test]
fn import_is_all_or_nothing() {
    let env = Env::new();
    at(&env, &["feedback", "import", &fixture::arg(fixture::RULE_FEEDBACK)]).ok();
    let before = at(&env, &["feedback", "stats", "--days", "0", "--json"]).ok().stdout;
    env.write("bad.csv", "request_id,model,rating\nz1,gpt-4o,5\nz2,gpt-4o,9\nz3,gpt4o,4\n");
    let r = at(&env, &["feedback", "import", "bad.csv"])
        .code(2)
        .stderr_has("warning: bad.csv:3: rating 9 is outside 1-5")
        .stderr_has("warning: bad.csv:4: unknown model `gpt4o`; did you mean `gpt-4o`?");
    assert!(
        r.stderr.ends_with("error: bad.csv: 2 bad row(s); nothing was imported (the import is all or nothing)\n"),
        "{}",
        r.stderr
    );
    assert_eq!(at(&env, &["feedback", "stats", "--days", "0", "--json"]).ok().stdout, before);
}

#[test]
fn suggest_recommends_the_better_model_with_evidence() {
    let env = Env::article();
    at(&env, &["feedback", "import", &fixture::arg(fixture::RULE_FEEDBACK)]).ok();
    let v = at(&env, &["feedback", "suggest", "--json"]).ok().json();
    let s = v.as_array().unwrap();
    assert_eq!(s.len(), 1, "{v}");
    assert_eq!(s[0]["rule"], "code_generation");
    assert_eq!(s[0]["current_model"], "claude-3-sonnet");
    assert_eq!(s[0]["suggested_model"], "gpt-4o");
    assert_eq!(s[0]["n"], 120);
    assert!(s[0]["current_mean"].as_f64().unwrap() < 4.0);
    assert!(s[0]["suggested_mean"].as_f64().unwrap() > s[0]["current_mean"].as_f64().unwrap());
    // Too few samples: nothing.
    assert_eq!(at(&env, &["feedback", "suggest", "--min-samples", "500", "--json"]).ok().json(), serde_json::json!([]));
    // The human output ends with a diff of the config.
    let t = at(&env, &["feedback", "suggest"]).ok().stdout;
    assert!(t.contains("-model = \"claude-3-sonnet\"\n+model = \"gpt-4o\"\n"), "{t}");
}

#[test]
fn suggestions_apply_cleanly_to_a_new_file_or_in_place() {
    let env = Env::new();
    at(&env, &["feedback", "import", &fixture::arg(fixture::RULE_FEEDBACK)]).ok();
    at(&env, &["config", "init", "--article"]).ok();
    let original = std::fs::read_to_string(env.path("llmroute.toml")).unwrap();
    at(&env, &["feedback", "suggest", "--apply", "new.toml"]).ok();
    assert_eq!(std::fs::read_to_string(env.path("llmroute.toml")).unwrap(), original, "the config is not touched");
    at(&env, &["config", "validate", "new.toml"]).ok();
    let v = at(&env, &["--config", "new.toml", "route", "--json", "--dry-run", "帮我写代码"]).ok().json();
    assert_eq!((v["rule"].as_str(), v["model"].as_str()), (Some("code_generation"), Some("gpt-4o")));
    // Only the model line changed.
    let new = std::fs::read_to_string(env.path("new.toml")).unwrap();
    let changed: Vec<(&str, &str)> = original.lines().zip(new.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(changed, [("model = \"claude-3-sonnet\"", "model = \"gpt-4o\"")]);
    at(&env, &["feedback", "suggest", "--in-place"]).ok();
    assert_eq!(std::fs::read_to_string(env.path("llmroute.toml")).unwrap(), new);
}

#[test]
fn adaptive_routes_from_feedback() {
    let env = Env::article();
    // Without feedback the adaptive router explores; with feedback that the cheap model fails on
    // code and succeeds on greetings, it settles per segment.
    for i in 0..40 {
        let model = if i % 2 == 0 { "gpt-4o-mini" } else { "gpt-4o" };
        let ok = if model == "gpt-4o" { "true" } else { "false" };
        at(
            &env,
            &[
                "feedback",
                "add",
                "--request-id",
                &format!("c{i}"),
                "--model",
                model,
                "--rule",
                "code_generation",
                "--success",
                ok,
            ],
        )
        .ok();
        at(
            &env,
            &[
                "feedback",
                "add",
                "--request-id",
                &format!("g{i}"),
                "--model",
                "gpt-4o-mini",
                "--rule",
                "greeting",
                "--success",
                "true",
            ],
        )
        .ok();
    }
    let code = at(&env, &["route", "--json", "--dry-run", "--strategy", "adaptive", "写代码实现二分查找"]).ok().json();
    assert_eq!(code["method"], "adaptive");
    assert_eq!(code["reason"], "rule:code_generation");
    assert_ne!(code["model"], "gpt-4o-mini");
    let hi = at(&env, &["route", "--json", "--dry-run", "--strategy", "adaptive", "hello there"]).ok().json();
    assert_eq!(hi["model"], "gpt-4o-mini");
}

#[test]
fn canary_arm_is_stable_per_user_and_recorded() {
    let env = Env::new();
    let cfg = default_config() + "\n[canary]\nstrategy = \"difficulty\"\nshare = 0.5\n";
    env.write("llmroute.toml", cfg);
    let arms: Vec<String> = (0..6)
        .map(|_| {
            at(&env, &["route", "--json", "--user", "alice", "hello"]).ok().json()["arm"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(arms.windows(2).all(|w| w[0] == w[1]), "{arms:?}");
    let mut seen = std::collections::BTreeSet::new();
    for u in 0..40 {
        let v =
            at(&env, &["route", "--json", "--user", &format!("user{u}"), "--request-id", &format!("u{u}"), "hello"])
                .ok()
                .json();
        if v["arm"] == "canary" {
            assert_eq!(v["method"], "difficulty");
        }
        seen.insert(v["arm"].as_str().unwrap().to_string());
        at(&env, &["feedback", "add", "--request-id", &format!("u{u}"), "--rating", "4"]).ok();
    }
    assert_eq!(seen.len(), 2);
    let by_arm = at(&env, &["feedback", "stats", "--by", "arm", "--json"]).ok().json();
    let keys: Vec<&str> = by_arm.as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["canary", "control"]);
}

#[test]
fn simulate_learns_online_and_reports_the_canary() {
    let env = Env::new();
    let cfg = default_config() + "\n[canary]\nstrategy = \"adaptive\"\nshare = 0.1\n";
    env.write("llmroute.toml", cfg);
    let v =
        at(&env, &["simulate", &fixture::arg(fixture::ROUTELLM), "--canary", "--format", "json", "--bootstrap", "0"])
            .ok()
            .json();
    let curve = v["adaptive_learning_curve"].as_array().unwrap();
    assert_eq!(curve.len(), 10);
    assert!(v["strategies"].as_array().unwrap().iter().any(|s| s["name"] == "adaptive (learns online)"));
    let c = &v["canary"];
    assert_eq!(c["strategy"], "adaptive");
    let share = c["canary_rows"].as_f64().unwrap() / v["rows"].as_f64().unwrap();
    assert!((share - 0.1).abs() < 0.02, "{share}");
    assert_eq!(c["control"]["name"], "control: chain");
    assert_eq!(c["canary"]["name"], "canary: adaptive");
    // The chain row is the gray release itself, as `route` runs it under `[canary]`.
    assert!(v["strategies"].as_array().unwrap().iter().any(|s| s["name"] == "chain (gray release: 10 % on adaptive)"));
}
