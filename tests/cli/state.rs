//! The state backends side by side: `state export`/`import` move everything between SQLite and
//! Redis without loss; instances sharing one Redis see each other's decisions and feedback;
//! an unreachable Redis is a clear error (exit 5) or, with `on_unavailable = "local"`, local
//! counting with a warning; the URL (and its password) is never printed.

use crate::harness::{Env, default_config, fixture, read};

const NOW: &str = "2026-11-26T12:00:00Z";

/// Routes a few requests and records feedback on them and from the fixture.
fn populate(env: &Env) {
    for (id, prompt) in [("a-1", "hello"), ("a-2", "帮我写代码实现快速排序"), ("a-3", "分析一下这只股票的财报")]
    {
        env.run_at(NOW, &["route", "--request-id", id, "--log-prompts", prompt]).ok();
    }
    env.run_at(NOW, &["feedback", "add", "--request-id", "a-2", "--rating", "2", "--latency-ms", "850.25"]).ok();
    env.run_at(NOW, &["feedback", "import", &fixture::arg(fixture::RULE_FEEDBACK)]).ok();
}

fn export(env: &Env) -> String {
    env.run(&["state", "export"]).ok().stdout
}

#[test]
fn export_and_import_move_the_state_between_backends_without_loss() {
    let Some(redis) = Env::article_redis() else { return };
    let sqlite = Env::article();
    populate(&sqlite);
    let from_sqlite = export(&sqlite);
    let lines: Vec<&str> = from_sqlite.lines().collect();
    // 3 counters… of the models routed to, 3 decisions, 1 + the fixture's feedback rows.
    let kinds = |k: &str| lines.iter().filter(|l| l.contains(&format!("\"kind\":\"{k}\""))).count();
    let fixture_rows = read(fixture::RULE_FEEDBACK).lines().count() - 1;
    assert_eq!((kinds("decision"), kinds("feedback")), (3, 1 + fixture_rows));
    assert!(kinds("quota") >= 2, "{from_sqlite}");
    assert!(from_sqlite.contains("\"prompt\":\"帮我写代码实现快速排序\""), "{from_sqlite}");
    assert!(from_sqlite.contains("\"latency_ms\":850.25"), "{from_sqlite}");

    let file = &sqlite.arg("state.jsonl");
    sqlite.run(&["state", "export", "-o", file]).ok();
    let r = redis.run(&["state", "import", file]).ok();
    assert!(
        r.stderr.starts_with(&format!("imported {} quota counter(s), 3 decision(s)", kinds("quota"))),
        "{}",
        r.stderr
    );
    assert_eq!(export(&redis), from_sqlite, "Redis holds exactly what SQLite held");

    // Importing again counts nothing twice; the way back is lossless too.
    redis.run(&["state", "import", file]).ok();
    assert_eq!(export(&redis), from_sqlite);
    let back = Env::article();
    let file2 = &redis.arg("back.jsonl");
    redis.run(&["state", "export", "-o", file2]).ok();
    back.run(&["state", "import", file2]).ok();
    assert_eq!(export(&back), from_sqlite);

    // The same reports from both backends.
    for args in [&["feedback", "stats", "--days", "0", "--json"][..], &["quota", "--json"][..]] {
        assert_eq!(redis.run_at(NOW, args).ok().stdout, sqlite.run_at(NOW, args).ok().stdout, "{args:?}");
    }
}

#[test]
fn a_bad_export_line_is_refused_with_its_place_and_nothing_is_imported() {
    let env = Env::new();
    env.write(
        "bad.jsonl",
        "{\"kind\":\"quota\",\"day\":\"2026-11-26\",\"model\":\"gpt-4o\",\"used\":3}\n{\"kind\":\"quota\",\"day\":\"2026-11-26\"}\n",
    );
    let r = env.run(&["state", "import", "bad.jsonl"]).code(2);
    assert!(r.stderr.starts_with("error: bad.jsonl:2:"), "{}", r.stderr);
    assert!(r.stderr.trim_end().ends_with("nothing was imported"), "{}", r.stderr);
    assert_eq!(export(&env), "");
    // An existing output file is kept unless --force.
    env.write("out.jsonl", "keep");
    env.run(&["state", "export", "-o", "out.jsonl"]).code(2).stderr_has("out.jsonl");
    assert_eq!(std::fs::read_to_string(env.path("out.jsonl")).unwrap(), "keep");
}

/// Two instances (separate directories and configs) on one Redis: a decision logged by one gets
/// feedback through the other, and both see every record.
#[test]
fn instances_on_one_redis_share_decisions_feedback_and_quotas() {
    let Some(one) = Env::article_redis() else { return };
    let two = Env::article_redis().unwrap();
    let shared = [("LLMROUTE_REDIS_URL", one.redis_url().unwrap()), ("LLMROUTE_NOW", NOW)];
    one.run_env(&["route", "--request-id", "x-1", "帮我写代码实现快速排序"], &shared).ok();
    two.run_env(&["route", "--request-id", "x-2", "帮我写代码实现快速排序"], &shared).ok();
    two.run_env(&["feedback", "add", "--request-id", "x-1", "--rating", "5"], &shared).ok();
    one.run_env(&["feedback", "add", "--request-id", "x-2", "--rating", "3"], &shared).ok();
    for env in [&one, &two] {
        let s = env.run_env(&["feedback", "stats", "--by", "rule", "--json"], &shared).ok().json();
        assert_eq!(
            (s[0]["key"].as_str(), s[0]["n"].as_u64(), s[0]["avg_rating"].as_f64()),
            (Some("code_generation"), Some(2), Some(4.0))
        );
        let q = env.run_env(&["quota", "--json"], &shared).ok().json();
        let sonnet = q.as_array().unwrap().iter().find(|r| r["model"] == "claude-3-sonnet").unwrap().clone();
        assert_eq!(sonnet["used"], 2);
    }
}

fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn an_unreachable_redis_is_exit_5_or_local_counting_and_the_url_is_never_printed() {
    let env = Env::new();
    let cfg = default_config();
    env.write(
        "redis.toml",
        cfg.replace("[state]\nbackend = \"sqlite\"", "[state]\nbackend = \"redis\"")
            .replace("\ntimeout_ms = 1000\n", "\ntimeout_ms = 200\n"),
    );
    env.write(
        "local.toml",
        cfg.replace("[state]\nbackend = \"sqlite\"", "[state]\nbackend = \"redis\"")
            .replace("on_unavailable = \"error\"", "on_unavailable = \"local\""),
    );
    let url = format!("redis://:hunter2-secret@127.0.0.1:{}/0", closed_port());
    let down = [("LLMROUTE_REDIS_URL", url.as_str()), ("LLMROUTE_NOW", NOW)];
    let r = env.run_env(&["--config", "redis.toml", "route", "hello"], &down).code(5);
    assert_eq!(
        r.stderr.lines().next().unwrap().split(" (os error").next().unwrap(),
        "error: state store `redis ($LLMROUTE_REDIS_URL, key prefix llmroute:)` is unavailable: Connection refused"
    );
    let q = env.run_env(&["--config", "redis.toml", "quota"], &down).code(5);
    let j = env.run_env(&["--config", "redis.toml", "route", "--json", "hello"], &down).code(5);

    // The local fallback counts in the SQLite file, with a warning.
    let l = env.run_env(&["--config", "local.toml", "route", "--json", "hello"], &down).ok();
    assert_eq!(l.json()["model"], "gpt-4o-mini");
    assert!(l.stderr.starts_with("warning: state store `redis ($LLMROUTE_REDIS_URL, key prefix llmroute:)` is unavailable (Connection refused"), "{}", l.stderr);
    assert!(l.stderr.contains("counting in ") && l.stderr.contains("state.db until it is back"), "{}", l.stderr);
    let used = env.run_at(NOW, &["quota", "--json"]).ok().json();
    let mini = used.as_array().unwrap().iter().find(|r| r["model"] == "gpt-4o-mini").unwrap().clone();
    assert_eq!(mini["used"], 1, "counted once, in the local file");

    for out in [&r.stderr, &q.stderr, &j.stderr, &j.stdout, &l.stderr, &l.stdout] {
        assert!(!out.contains("hunter2"), "the Redis password leaked: {out}");
    }

    // No URL at all, or not a URL: exit 2, naming the variable.
    env.run_env(&["--config", "redis.toml", "route", "hello"], &[("LLMROUTE_REDIS_URL", "")]).fails(
        2,
        "error: [state] backend = \"redis\" reads the server's URL from `LLMROUTE_REDIS_URL`, which is not set\n",
    );
    env.run_env(&["--config", "redis.toml", "route", "hello"], &[("LLMROUTE_REDIS_URL", "http://:hunter2@x")])
        .fails(2, "error: `LLMROUTE_REDIS_URL` does not hold a Redis URL (redis://[:PASSWORD@]HOST[:PORT][/DB])\n");
}

#[test]
fn state_settings_are_checked_with_their_key_path() {
    let env = Env::new();
    let cfg = default_config();
    for (from, to, msg) in [
        ("pool_size = 8 ", "pool_size = 0 ", "state.pool_size"),
        ("\ntimeout_ms = 1000\n", "\ntimeout_ms = 9999999\n", "state.timeout_ms"),
        ("backend = \"sqlite\"", "backend = \"postgres\"", "state.backend"),
        ("on_unavailable = \"error\"", "on_unavailable = \"ignore\"", "state.on_unavailable"),
    ] {
        assert!(cfg.contains(from), "{from}");
        env.write("bad.toml", cfg.replacen(from, to, 1));
        let r = env.run(&["config", "validate", "bad.toml"]).code(2);
        assert!(r.stderr.contains(msg), "{from}: {}", r.stderr);
    }
}

/// `report` over `route` decisions (no model called): each decision's estimate, grouped, with
/// `--since` bounding the window; the same figures from Redis.
#[test]
fn the_spend_report_adds_up_route_estimates_on_both_backends() {
    let mut envs = vec![Env::article()];
    envs.extend(Env::article_redis());
    let mut outputs = Vec::new();
    for env in &envs {
        let mut estimates = std::collections::BTreeMap::<String, f64>::new();
        for (when, prompt) in [("2026-11-25T10:00:00Z", "hello"), (NOW, "hello"), (NOW, "分析一下这只股票的财报")]
        {
            let v = env.run_at(when, &["route", "--json", prompt]).ok().json();
            if when == NOW {
                *estimates.entry(v["model"].as_str().unwrap().to_string()).or_default() +=
                    v["estimated_cost_usd"].as_f64().unwrap();
            }
        }
        let r = env.run(&["report", "--by", "model", "--since", "2026-11-26", "--json"]).ok().json();
        let got: std::collections::BTreeMap<String, f64> = r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["key"].as_str().unwrap().to_string(), x["cost_usd"].as_f64().unwrap()))
            .collect();
        assert_eq!(got.keys().collect::<Vec<_>>(), estimates.keys().collect::<Vec<_>>());
        for (k, v) in &estimates {
            assert!((got[k] - v).abs() < 1e-9, "{k}: {} vs {v}", got[k]);
        }
        assert_eq!((r["total"]["requests"].as_u64(), r["total"]["answered"].as_u64()), (Some(2), Some(0)));
        let all = env.run(&["report", "--json"]).ok().json();
        assert_eq!(all["total"]["requests"], 3);
        let by_day = env.run(&["report", "--format", "csv"]).ok().stdout;
        outputs.push(by_day);
    }
    if outputs.len() == 2 {
        assert_eq!(outputs[0], outputs[1]);
    }
    assert!(
        outputs[0].starts_with("day,requests,answered,cost,all premium,savings,saved\n2026-11-25,1,0,"),
        "{}",
        outputs[0]
    );
}

/// A server that answers but refuses (here: no such database) is a state error, not an outage:
/// exit 5, and no local counting even with `on_unavailable = "local"`.
#[test]
fn a_redis_that_refuses_is_an_error_not_an_outage() {
    let Some(env) = Env::redis() else { return };
    let url = env.redis_url().unwrap().rsplit_once('/').unwrap().0.to_string() + "/99999";
    let cfg = std::fs::read_to_string(env.path("llmroute.toml")).unwrap();
    env.write("local.toml", cfg.replace("on_unavailable = \"error\"", "on_unavailable = \"local\""));
    let r = env.run_env(&["--config", "local.toml", "route", "hello"], &[("LLMROUTE_REDIS_URL", &url)]).code(5);
    assert!(
        r.stderr.starts_with("error: state store `redis ($LLMROUTE_REDIS_URL, key prefix llmroute:)`: "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("DB index is out of range"), "{}", r.stderr);
    assert!(!env.path("state.db").exists(), "nothing was counted locally");
}
