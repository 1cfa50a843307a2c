//! The contract of the one routing engine: for every row of a log and every strategy,
//! `route` (row by row), `batch` and `simulate --decisions` make the same decision (model,
//! method) and report the same input tokens, output tokens and cost, under several
//! configurations: the default, an ML stage that declines below its confidence, tight daily
//! quotas (by timestamp and by `--requests-per-day`), a gray release, and the adaptive router
//! with feedback in the state store — on the SQLite and the Redis backend alike.

use std::collections::BTreeMap;

use crate::harness::{Env, default_config, fixture, read};

/// What one tool decided for one row: model (`None` when every quota was exhausted), method,
/// input tokens, output tokens, cost in USD.
type Decision = (Option<String>, String, Option<u64>, Option<u64>, Option<f64>);

struct Row {
    id: String,
    prompt: String,
    /// RFC 3339.
    time: String,
}

/// 36 prompts: the first 30 of the tier dev set (English and Chinese) and six that fire the
/// article's rules; two days of timestamps, 18 a day.
fn rows() -> Vec<Row> {
    let text = read(fixture::TIERS_DEV);
    let mut prompts: Vec<String> = text
        .lines()
        .take(30)
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["prompt"].as_str().unwrap().to_string())
        .collect();
    for p in [
        "你好",
        "hello there",
        "帮我写代码实现快速排序",
        "分析一下这只股票的财报",
        "Hi! what is 2+2?",
        "输出 JSON 表格并比较",
    ] {
        prompts.push(p.to_string());
    }
    prompts
        .into_iter()
        .enumerate()
        .map(|(i, prompt)| Row {
            id: format!("r{i:02}"),
            prompt,
            time: format!("2026-03-{:02}T{:02}:{:02}:00Z", 10 + i / 18, 8 + (i % 18) / 6, (i % 6) * 7),
        })
        .collect()
}

fn write_log(env: &Env, rows: &[Row]) {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "prompt", "timestamp"]).unwrap();
    for r in rows {
        w.write_record([&r.id, &r.prompt, &r.time]).unwrap();
    }
    env.write("log.csv", w.into_inner().unwrap());
}

fn decision_of(v: &serde_json::Value, model_key: &str, cost_key: &str) -> Decision {
    let s = |k: &str| v[k].as_str().filter(|s| !s.is_empty()).map(str::to_string);
    (
        s(model_key),
        s("method").unwrap_or_default(),
        v["input_tokens"].as_u64(),
        v["output_tokens"].as_u64(),
        v[cost_key].as_f64(),
    )
}

/// `route` for every row, one process each (`--dry-run` unless `counted`, then with the row's
/// time as the clock and a private state store per strategy).
fn route_rows(
    env: &Env,
    rows: &[Row],
    strategy: &str,
    counted: bool,
    day_of: &dyn Fn(usize) -> String,
) -> Vec<Decision> {
    // Counted runs keep their own state per strategy (a file, or a Redis database).
    let (state_var, state) = env.separate_state(&format!("route-{strategy}.db"));
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let mut args = vec!["route", "--json", "--strategy", strategy, "--request-id", &r.id, "-"];
            if !counted {
                args.insert(1, "--dry-run");
            }
            let now = day_of(i);
            let mut envs = vec![("LLMROUTE_NOW", now.as_str())];
            if counted {
                envs.push((state_var, state.as_str()));
            }
            let mut c = env.cmd(&args);
            for (k, v) in &envs {
                c.env(k, v);
            }
            use std::io::Write;
            c.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = c.spawn().unwrap();
            child.stdin.take().unwrap().write_all(r.prompt.as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            let code = out.status.code().unwrap();
            let v: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("route {}: {e}: {}", r.id, String::from_utf8_lossy(&out.stderr)));
            match code {
                0 => decision_of(&v, "model", "estimated_cost_usd"),
                4 => {
                    assert_eq!(v["error"], "all_quotas_exhausted");
                    (None, "refused: all_quotas_exhausted".to_string(), None, None, None)
                }
                6 => {
                    assert_eq!(v["error"], "no_model_can_serve");
                    (None, "refused: no_model_can_serve".to_string(), None, None, None)
                }
                c => panic!("route {} exited {c}: {}", r.id, String::from_utf8_lossy(&out.stderr)),
            }
        })
        .collect()
}

fn batch_rows(env: &Env, strategy: &str, extra: &[&str]) -> Vec<Decision> {
    let mut args = vec!["batch", "log.csv", "--format", "jsonl", "--strategy", strategy];
    args.extend(extra);
    let out = env.run(&args).ok().stdout;
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let mut d = decision_of(&v, "model", "cost_usd");
            if d.0.is_none() {
                d.1 = format!("refused: {}", v["reason"].as_str().unwrap());
            }
            d
        })
        .collect()
}

/// `simulate --decisions`, by strategy key, in row order.
fn simulate_rows(env: &Env, extra: &[&str]) -> BTreeMap<String, Vec<Decision>> {
    let mut args =
        vec!["simulate", "log.csv", "--decisions", "d.jsonl", "--force", "--bootstrap", "0", "--format", "json"];
    args.extend(extra);
    env.run(&args).ok();
    let mut out: BTreeMap<String, Vec<Decision>> = BTreeMap::new();
    for l in std::fs::read_to_string(env.path("d.jsonl")).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let mut d = decision_of(&v, "model", "cost_usd");
        if d.1 == "refused" {
            d = (None, format!("refused: {}", v["reason"].as_str().unwrap()), None, None, None);
        }
        out.entry(v["strategy"].as_str().unwrap().to_string()).or_default().push(d);
    }
    out
}

/// Checks that the three tools agree on every row for `strategies`.
fn check(env: &Env, rows: &[Row], strategies: &[&str], quotas: Quotas) {
    let sim_extra: Vec<&str> = match quotas {
        Quotas::PerDay(n) => vec!["--requests-per-day", n],
        _ => Vec::new(),
    };
    let sim = simulate_rows(env, &sim_extra);
    for &s in strategies {
        let day = |i: usize| match quotas {
            Quotas::PerDay(n) => format!("2026-01-{:02}T12:00:00Z", 1 + i / n.parse::<usize>().unwrap()),
            _ => rows[i].time.clone(),
        };
        let counted = !matches!(quotas, Quotas::None);
        let route = route_rows(env, rows, s, counted, &day);
        let sim_rows = sim.get(s).unwrap_or_else(|| panic!("simulate has no `{s}` decisions: {:?}", sim.keys()));
        assert_eq!(route.len(), rows.len());
        assert_eq!(sim_rows.len(), rows.len(), "{s}");
        if !matches!(quotas, Quotas::PerDay(_)) {
            let batch_extra: &[&str] = if counted { &["--quotas"] } else { &[] };
            let batch = batch_rows(env, s, batch_extra);
            for (i, r) in rows.iter().enumerate() {
                assert_eq!(batch[i], route[i], "{s}: batch vs route on {} ({})", r.id, r.prompt);
            }
        }
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(sim_rows[i], route[i], "{s}: simulate vs route on {} ({})", r.id, r.prompt);
        }
    }
}

#[derive(Clone, Copy)]
enum Quotas {
    None,
    /// Daily quotas over the rows' timestamps.
    Timestamps,
    /// Days of N rows (`simulate --requests-per-day`).
    PerDay(&'static str),
}

fn methods(env: &Env, strategy: &str) -> Vec<String> {
    batch_rows(env, strategy, &[]).into_iter().map(|d| d.1).collect()
}

#[test]
fn route_batch_and_simulate_agree_under_the_default_config() {
    route_batch_and_simulate_agree_under_the_default_config_on(Env::new());
}

#[test]
fn route_batch_and_simulate_agree_under_the_default_config_on_redis() {
    if let Some(env) = Env::redis() {
        route_batch_and_simulate_agree_under_the_default_config_on(env);
    }
}

fn route_batch_and_simulate_agree_under_the_default_config_on(env: Env) {
    let rows = rows();
    write_log(&env, &rows);
    check(&env, &rows, &["rules", "difficulty", "ml", "chain"], Quotas::None);
    // The log exercises the rules and the built-in tier model.
    let m = methods(&env, "chain");
    assert!(m.iter().any(|x| x == "rule") && m.iter().any(|x| x == "ml"), "{m:?}");
}

#[test]
fn route_batch_and_simulate_agree_under_the_articles_profile() {
    route_batch_and_simulate_agree_under_the_articles_profile_on(Env::article());
}

#[test]
fn route_batch_and_simulate_agree_under_the_articles_profile_on_redis() {
    if let Some(env) = Env::article_redis() {
        route_batch_and_simulate_agree_under_the_articles_profile_on(env);
    }
}

fn route_batch_and_simulate_agree_under_the_articles_profile_on(env: Env) {
    let rows = rows();
    write_log(&env, &rows);
    check(&env, &rows, &["rules", "difficulty", "ml", "chain"], Quotas::None);
    // The log exercises the rules, the default route and the difficulty bands.
    let m = methods(&env, "chain");
    assert!(m.iter().any(|x| x == "rule") && m.iter().any(|x| x == "difficulty"), "{m:?}");
}

#[test]
fn route_batch_and_simulate_agree_with_an_ml_stage_that_declines() {
    let env = Env::new();
    env.run(&[
        "train",
        &fixture::arg(fixture::TIERS_TRAIN),
        "--label-col",
        "expected_tier",
        "--valid-split",
        "0",
        "--n-estimators",
        "10",
        "-o",
        "tier.model",
    ])
    .ok();
    let cfg = default_config().replace(
        "[ml]\nmodel = \"builtin:tiers\"\non_low_confidence = \"premium\"",
        "[ml]\nmodel = \"tier.model\"\non_low_confidence = \"decline\"\nmin_confidence = 0.9",
    );
    assert!(cfg.contains("min_confidence = 0.9"));
    env.write("llmroute.toml", cfg);
    let rows = rows();
    write_log(&env, &rows);
    check(&env, &rows, &["ml", "chain"], Quotas::None);
    // Some predictions decline (the chain passes on; `--strategy ml` falls back), some decide.
    let m = methods(&env, "ml");
    assert!(m.iter().any(|x| x == "fallback") && m.iter().any(|x| x == "ml"), "{m:?}");
    let m = methods(&env, "chain");
    assert!(m.iter().any(|x| x == "ml") && m.iter().any(|x| x == "difficulty"), "{m:?}");
}

fn tight_quotas() -> String {
    let mut cfg = default_config();
    for (model, q) in [("gpt-4o-mini", 50000), ("claude-3-haiku", 10000), ("claude-3-sonnet", 3000), ("gpt-4o", 1000)] {
        let small = match model {
            "gpt-4o-mini" => 5,
            "claude-3-haiku" => 4,
            _ => 2,
        };
        cfg = cfg.replacen(&format!("daily_quota = {q}\n"), &format!("daily_quota = {small}\n"), 1);
    }
    cfg.replace("timezone = \"local\"", "timezone = \"UTC\"")
}

#[test]
fn route_batch_and_simulate_agree_under_tight_daily_quotas() {
    route_batch_and_simulate_agree_under_tight_daily_quotas_on(Env::new());
}

#[test]
fn route_batch_and_simulate_agree_under_tight_daily_quotas_on_redis() {
    if let Some(env) = Env::redis() {
        route_batch_and_simulate_agree_under_tight_daily_quotas_on(env);
    }
}

fn route_batch_and_simulate_agree_under_tight_daily_quotas_on(env: Env) {
    env.write("llmroute.toml", tight_quotas());
    let rows = rows();
    write_log(&env, &rows);
    check(&env, &rows, &["rules", "difficulty", "chain"], Quotas::Timestamps);
    // 13 requests a day fit; the rest of each day's 18 are refused, and some fall back.
    let m: Vec<String> = batch_rows(&env, "chain", &["--quotas"]).into_iter().map(|d| d.1).collect();
    assert!(m.iter().any(|x| x == "fallback") && m.iter().any(|x| x == "refused: all_quotas_exhausted"), "{m:?}");
}

#[test]
fn route_and_simulate_agree_on_days_of_n_requests() {
    let env = Env::new();
    env.write("llmroute.toml", tight_quotas());
    let rows = rows();
    // No timestamps: days are blocks of 9 rows.
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "prompt"]).unwrap();
    for r in &rows {
        w.write_record([&r.id, &r.prompt]).unwrap();
    }
    env.write("log.csv", w.into_inner().unwrap());
    check(&env, &rows, &["chain"], Quotas::PerDay("9"));
}

#[test]
fn route_batch_and_simulate_agree_on_a_gray_release() {
    route_batch_and_simulate_agree_on_a_gray_release_on(Env::new());
}

#[test]
fn route_batch_and_simulate_agree_on_a_gray_release_on_redis() {
    if let Some(env) = Env::redis() {
        route_batch_and_simulate_agree_on_a_gray_release_on(env);
    }
}

fn route_batch_and_simulate_agree_on_a_gray_release_on(env: Env) {
    let cfg = default_config() + "\n[canary]\nstrategy = \"difficulty\"\nshare = 0.4\n";
    env.write("llmroute.toml", cfg);
    let rows = rows();
    write_log(&env, &rows);
    check(&env, &rows, &["chain"], Quotas::None);
    // Both arms occur, keyed by the row id as `route --request-id` keys them.
    let out = env.run(&["batch", "log.csv", "--format", "jsonl"]).ok().stdout;
    let arms: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["arm"].as_str().unwrap().to_string())
        .collect();
    assert!(arms.iter().any(|a| a == "canary") && arms.iter().any(|a| a == "control"), "{arms:?}");
    let sim = std::fs::read_to_string(env.path("d.jsonl")).unwrap();
    let sim_arms: Vec<String> = sim
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["strategy"] == "chain")
        .map(|v| v["arm"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sim_arms, arms);
}

#[test]
fn route_batch_and_simulate_agree_on_the_adaptive_router_with_feedback() {
    route_batch_and_simulate_agree_on_the_adaptive_router_with_feedback_on(Env::new());
}

#[test]
fn route_batch_and_simulate_agree_on_the_adaptive_router_with_feedback_on_redis() {
    if let Some(env) = Env::redis() {
        route_batch_and_simulate_agree_on_the_adaptive_router_with_feedback_on(env);
    }
}

fn route_batch_and_simulate_agree_on_the_adaptive_router_with_feedback_on(env: Env) {
    env.run(&["feedback", "import", &fixture::arg(fixture::RULE_FEEDBACK)]).ok();
    let rows = rows();
    write_log(&env, &rows);
    check(&env, &rows, &["adaptive"], Quotas::None);
}

/// On an outcome log whose models are the catalog's, `batch` and `simulate` report each
/// decision's recorded cost, and every tool decides the same.
#[test]
fn batch_and_simulate_report_the_same_recorded_costs() {
    let env = Env::new();
    let rows = rows();
    let models = ["gpt-4o-mini", "claude-3-haiku", "claude-3-sonnet", "gpt-4o"];
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["sample_id".to_string(), "prompt".to_string()];
    for m in models {
        header.push(m.to_string());
        header.push(format!("{m}|total_cost"));
    }
    w.write_record(&header).unwrap();
    for (i, r) in rows.iter().enumerate() {
        let mut rec = vec![r.id.clone(), r.prompt.clone()];
        for (k, _) in models.iter().enumerate() {
            rec.push(if (i + k) % 3 != 0 { "1" } else { "0" }.to_string());
            rec.push(format!("{:.6}", 0.0001 * (k + 1) as f64 + 0.000001 * i as f64));
        }
        w.write_record(&rec).unwrap();
    }
    env.write("log.csv", w.into_inner().unwrap());
    let sim = simulate_rows(&env, &[]);
    for s in ["rules", "difficulty", "ml", "chain"] {
        let batch = batch_rows(&env, s, &[]);
        let route = route_rows(&env, &rows, s, false, &|i| rows[i].time.clone());
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(sim[s][i], batch[i], "{s}: simulate vs batch on {}", r.id);
            assert_eq!((&batch[i].0, &batch[i].1), (&route[i].0, &route[i].1), "{s}: batch vs route on {}", r.id);
            // The recorded cost of the decided model on that row.
            let k = models.iter().position(|m| Some(*m) == batch[i].0.as_deref()).unwrap();
            let want: f64 = format!("{:.6}", 0.0001 * (k + 1) as f64 + 0.000001 * i as f64).parse().unwrap();
            assert_eq!(batch[i].4, Some(want), "{s} {}", r.id);
        }
    }
}

/// Two prompts longer than the 128,000-token windows of `gpt-4o-mini` and `gpt-4o` (and within
/// the Claude models' 200,000): the constraint step rules the small-window models out in
/// `route`, `batch` and `simulate` alike, and the three still agree row by row.
#[test]
fn route_batch_and_simulate_agree_on_prompts_longer_than_a_context_window() {
    let env = Env::new();
    let mut rows = rows();
    rows.truncate(10);
    // 140,008 and 150,007 tokens (within the Claude models' windows), and 210,008 (within none).
    for (i, word) in ["word ", "量子 ", "word "].into_iter().enumerate() {
        let n = [140_000, 50_000, 210_000][i];
        rows.push(Row { id: format!("long-{i}"), prompt: word.repeat(n), time: "2026-01-02T09:00:00Z".to_string() });
    }
    write_log(&env, &rows);
    check(&env, &rows, &["rules", "difficulty", "ml", "chain"], Quotas::None);
    let batch = batch_rows(&env, "chain", &[]);
    for d in &batch[10..12] {
        let model = d.0.as_deref().unwrap();
        assert!(model.starts_with("claude-3"), "a long prompt went to {model}");
    }
    assert_eq!(batch[12].1, "refused: no_model_can_serve");
}
