//! `state import` refuses what would corrupt the store and is all or nothing: every field of
//! every line is range-checked before anything is written (one line of error naming the file,
//! line, column and key); a write that fails midway leaves the store as it was (SQLite: one
//! transaction; Redis: one MULTI/EXEC after a check of the keys' types). `report` reads no prompt
//! text and refuses sums that are not finite.

use serde_json::{Value, json};

use crate::harness::Env;

const DAY: &str = "2026-11-26";

fn quota(used: u64) -> Value {
    json!({"kind": "quota", "day": DAY, "model": "gpt-4o", "used": used})
}

fn decision(id: &str) -> Value {
    json!({
        "kind": "decision", "request_id": id, "ts": 1_795_694_400i64,
        "prompt_hash": "a".repeat(64), "prompt": "hello", "model": "gpt-4o-mini", "method": "rule",
        "rule": "greeting", "tier": null, "strategy": "chain", "estimated_cost": 0.00015, "arm": "control",
        "input_tokens": 1, "output_tokens": 250, "cost": null
    })
}

fn feedback(id: &str) -> Value {
    json!({
        "kind": "feedback", "request_id": id, "ts": 1_795_694_500i64, "model": "gpt-4o-mini",
        "rule": "greeting", "method": "rule", "tier": null, "arm": "control", "rating": 4.0,
        "success": true, "latency_ms": 850.25, "cost": 0.00015
    })
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

/// The 1-based column where `key`'s value starts on `line`.
fn column(line: &str, key: &str) -> usize {
    line.find(&format!("\"{key}\":")).unwrap() + key.len() + 3 + 1
}

/// Each bad field, on the second line after a good one: exit 2, one line naming the file, line,
/// column and key, and nothing written (the good line neither).
fn refuses_every_bad_field(env: &Env) {
    let long_id = "x".repeat(5000);
    let long_prompt = "p".repeat((4 << 20) + 1);
    let cases: Vec<(Value, &str, String)> = vec![
        (quota(u64::MAX), "used", "18446744073709551615 is outside 0..=1000000000000".into()),
        (with(quota(1), "day", json!("2026-02-30")), "day", "`2026-02-30` is not a date (YYYY-MM-DD)".into()),
        (with(quota(1), "day", json!("26-1-1")), "day", "`26-1-1` is not a date (YYYY-MM-DD)".into()),
        (with(quota(1), "model", json!("gpt4o")), "model", "unknown model `gpt4o`; did you mean `gpt-4o`?".into()),
        (
            with(decision("d"), "estimated_cost", json!(1.7e308)),
            "estimated_cost",
            "1.7e308 is outside 0..=1000000 USD".into(),
        ),
        (with(decision("d"), "cost", json!(-0.5)), "cost", "-0.5 is outside 0..=1000000 USD".into()),
        (
            with(decision("d"), "input_tokens", json!(10_000_000_000_000u64)),
            "input_tokens",
            "10000000000000 is outside 0..=1000000000000".into(),
        ),
        (
            with(decision("d"), "output_tokens", json!(u64::MAX)),
            "output_tokens",
            "18446744073709551615 is outside 0..=1000000000000".into(),
        ),
        (
            with(decision("d"), "ts", json!(1_000_000_000_000_000i64)),
            "ts",
            "1000000000000000 is outside the years -9999..=9999".into(),
        ),
        (with(decision("d"), "request_id", json!("")), "request_id", "empty".into()),
        (with(decision("d"), "request_id", json!(long_id)), "request_id", "5000 bytes, longer than 4096".into()),
        (
            with(decision("d"), "prompt_hash", json!("abc")),
            "prompt_hash",
            "not a SHA-256 (64 lowercase hex digits)".into(),
        ),
        (
            with(decision("d"), "prompt", json!(long_prompt)),
            "prompt",
            "4194305 bytes, longer than the 4 MiB llmroute routes".into(),
        ),
        (
            with(decision("d"), "model", json!("claude-3-sonet")),
            "model",
            "unknown model `claude-3-sonet`; did you mean `claude-3-sonnet`?".into(),
        ),
        (
            with(decision("d"), "method", json!("magic")),
            "method",
            "`magic` is not one of rule, ml, difficulty, adaptive, fallback, client".into(),
        ),
        (
            with(decision("d"), "strategy", json!("best")),
            "strategy",
            "`best` is not one of chain, rules, difficulty, ml, adaptive, client".into(),
        ),
        (with(decision("d"), "arm", json!("blue")), "arm", "`blue` is not one of control, canary".into()),
        (with(decision("d"), "rule", json!("r".repeat(2000))), "rule", "2000 bytes, longer than 1024".into()),
        (with(feedback("f"), "rating", json!(7)), "rating", "7 is outside 1..=5".into()),
        (with(feedback("f"), "latency_ms", json!(2e9)), "latency_ms", "2000000000 is outside 0..=1000000000".into()),
        (with(feedback("f"), "latency_ms", json!(-1)), "latency_ms", "-1 is outside 0..=1000000000".into()),
        (with(feedback("f"), "cost", json!(1e7)), "cost", "10000000 is outside 0..=1000000 USD".into()),
        (
            with(feedback("f"), "model", json!("nope")),
            "model",
            "unknown model `nope` (known: claude-3-haiku, claude-3-sonnet, gpt-4o, gpt-4o-mini)".into(),
        ),
        (
            with(feedback("f"), "ts", json!(i64::MIN)),
            "ts",
            "-9223372036854775808 is outside the years -9999..=9999".into(),
        ),
    ];
    let good = decision("good").to_string();
    for (bad, key, msg) in cases {
        let bad = bad.to_string();
        env.write("bad.jsonl", format!("{good}\n{bad}\n"));
        let r = env.run(&["state", "import", "bad.jsonl"]).code(2);
        let want = format!("error: bad.jsonl:2:{}: {key}: {msg}; nothing was imported\n", column(&bad, key));
        assert_eq!(r.stderr, want, "{key}");
        assert_eq!(env.run(&["state", "export"]).ok().stdout, "", "{key}: nothing was written");
    }
}

#[test]
fn every_imported_field_is_range_checked_before_anything_is_written() {
    refuses_every_bad_field(&Env::new());
}

#[test]
fn every_imported_field_is_range_checked_on_redis_too() {
    let Some(env) = Env::redis() else { return };
    refuses_every_bad_field(&env);
}

/// The counter that used to be stored as -1 (SQLite) or a float (Redis) is refused, and the
/// commands that then failed with "Incompatible type" work on both backends.
#[test]
fn a_huge_counter_leaves_every_command_working() {
    let mut envs = vec![Env::new()];
    envs.extend(Env::redis());
    for env in &envs {
        env.write("big.jsonl", format!("{}\n", quota(u64::MAX)));
        env.run(&["state", "import", "big.jsonl"]).code(2);
        let now = "2026-11-26T12:00:00Z";
        env.run_at(now, &["route", "hello"]).ok();
        env.run_at(now, &["quota", "--json"]).ok();
        let out = env.run(&["state", "export"]).ok().stdout;
        assert!(
            out.starts_with("{\"kind\":\"quota\",\"day\":\"2026-11-26\",\"model\":\"gpt-4o-mini\",\"used\":1}\n"),
            "{out}"
        );
    }
}

#[test]
fn a_line_longer_than_the_bound_is_refused_without_reading_it_whole() {
    let env = Env::new();
    let mut text = decision("good").to_string();
    text.push('\n');
    text.push_str(&format!("{{\"kind\":\"decision\",\"prompt\":\"{}\"}}\n", "q".repeat(26 << 20)));
    env.write("long.jsonl", text);
    env.run(&["state", "import", "long.jsonl"]).fails(
        2,
        "error: long.jsonl:2:1: the line is longer than 25 MiB (a 4 MiB prompt, escaped, and the other fields); \
         nothing was imported\n",
    );
    assert_eq!(env.run(&["state", "export"]).ok().stdout, "");
}

/// A write that fails after the quota counters were merged (a trigger stands in for a full
/// disk): the whole import is rolled back, counters included.
#[test]
fn a_write_failure_midway_leaves_the_sqlite_store_as_it_was() {
    let env = Env::new();
    env.write("first.jsonl", format!("{}\n", with(quota(2), "day", json!("2026-11-25"))));
    env.run(&["state", "import", "first.jsonl"]).ok();
    let before = env.run(&["state", "export"]).ok().stdout;
    let db = rusqlite::Connection::open(env.path("state.db")).unwrap();
    db.execute_batch(
        "CREATE TRIGGER full BEFORE INSERT ON decisions BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
    )
    .unwrap();
    drop(db);
    env.write("all.jsonl", format!("{}\n{}\n{}\n", quota(7), decision("d-1"), feedback("d-1")));
    let r = env.run(&["state", "import", "all.jsonl"]).code(5);
    assert!(r.stderr.starts_with("error: state store `"), "{}", r.stderr);
    assert!(r.stderr.contains("database or disk is full"), "{}", r.stderr);
    let db = rusqlite::Connection::open(env.path("state.db")).unwrap();
    db.execute_batch("DROP TRIGGER full").unwrap();
    drop(db);
    assert_eq!(env.run(&["state", "export"]).ok().stdout, before, "nothing of all.jsonl was written");
    // Without the failure the same file goes in whole.
    env.run(&["state", "import", "all.jsonl"]).ok();
    assert_eq!(env.run(&["state", "export"]).ok().stdout.lines().count(), 4);
}

/// On Redis a key of the wrong type under the prefix would make a write fail after others were
/// applied: it is found before anything is written.
#[test]
fn a_redis_import_that_cannot_complete_writes_nothing() {
    let Some(env) = Env::redis() else { return };
    let client = redis::Client::open(env.redis_url().unwrap()).unwrap();
    let mut c = client.get_connection().unwrap();
    let _: () = redis::cmd("SET").arg("llmroute:feedbacks").arg("not a sorted set").query(&mut c).unwrap();
    env.write("all.jsonl", format!("{}\n{}\n{}\n", quota(7), decision("d-1"), feedback("d-1")));
    let r = env
        .run(&["state", "import", "all.jsonl"])
        .code(5)
        .stderr_has("`llmroute:feedbacks` holds a string, not a sorted set");
    assert!(r.stderr.trim_end().ends_with("nothing was imported"), "{}", r.stderr);
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut c).unwrap();
    assert_eq!(keys, vec!["llmroute:feedbacks".to_string()], "nothing was written");
    let _: () = redis::cmd("DEL").arg("llmroute:feedbacks").query(&mut c).unwrap();
    env.run(&["state", "import", "all.jsonl"]).ok();
    assert_eq!(env.run(&["state", "export"]).ok().stdout.lines().count(), 3);
}

/// Imports two decisions, then overwrites what the import now refuses (old stores may hold it).
fn two_decisions(env: &Env) {
    let mut b = decision("d-2");
    b["ts"] = json!(1_795_694_460i64);
    env.write("two.jsonl", format!("{}\n{b}\n", decision("d-1")));
    env.run(&["state", "import", "two.jsonl"]).ok();
}

#[test]
fn the_report_refuses_sums_that_are_not_finite() {
    let env = Env::new();
    two_decisions(&env);
    let db = rusqlite::Connection::open(env.path("state.db")).unwrap();
    db.execute_batch("UPDATE decisions SET cost = 1.7e308").unwrap();
    drop(db);
    for args in [&["report"][..], &["report", "--json"][..], &["report", "--by", "model"][..]] {
        let r = env.run(args).code(5);
        assert!(!r.stdout.contains("inf"), "{}", r.stdout);
        assert!(
            r.stderr.ends_with(
                "the decision log's costs add up to more than any number at request `d-2` (cost 1.7e308 USD); \
                 a record holds a cost out of range\n"
            ),
            "{args:?}: {}",
            r.stderr
        );
    }
}

/// `report` never reads the prompt: a prompt that is not even text does not disturb it.
#[test]
fn the_report_reads_no_prompt_text() {
    let env = Env::new();
    two_decisions(&env);
    let db = rusqlite::Connection::open(env.path("state.db")).unwrap();
    db.execute_batch("UPDATE decisions SET prompt = X'FFFE00'").unwrap();
    drop(db);
    let r = env.run(&["report", "--json"]).ok().json();
    assert_eq!(r["total"]["requests"], 2);

    let Some(env) = Env::redis() else { return };
    two_decisions(&env);
    let client = redis::Client::open(env.redis_url().unwrap()).unwrap();
    let mut c = client.get_connection().unwrap();
    let _: () =
        redis::cmd("HSET").arg("llmroute:decision:d-1").arg("prompt").arg(&b"\xff\xfe"[..]).query(&mut c).unwrap();
    let r = env.run(&["report", "--json"]).ok().json();
    assert_eq!(r["total"]["requests"], 2);
}
