//! Replay figures are right or refused: one test per defect found by trying `simulate` as a new
//! user would (dotted model names, a missing prompt column, impossible values, the cascade's
//! self-check, the baseline and premium share, quality-less logs, token counts).

use crate::harness::{Env, default_config, fixture, read};

fn strategy<'a>(v: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    v["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("no strategy {key}: {}", v["strategies"]))
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    v["strategies"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap().to_string()).collect()
}

/// LLMRouter's model names hold dots (`llama-3.1-8b-instruct`): `scores.{model}` reads them as
/// keys, and every model's mean equals the file's (computed here from the JSON).
#[test]
fn dotted_model_names_are_keys_not_paths() {
    let env = Env::new();
    let prices = read(fixture::LLMROUTER_PRICES);
    env.write("llmroute.toml", default_config() + &prices);
    let file = fixture::arg(fixture::LLMROUTER);
    let args = ["simulate", &file, "--quality", "scores.{model}", "--text-col", "question", "--format", "json"];
    let v = env.run(&[&args[..], &["--bootstrap", "0"]].concat()).ok().json();
    assert_eq!(v["empty_quality_cells"], 0);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let models = v["models"].as_array().unwrap();
    assert_eq!(models.len(), 9);
    for m in models {
        let name = m["name"].as_str().unwrap();
        let want = rows.iter().map(|r| r["scores"][name].as_f64().unwrap()).sum::<f64>() / rows.len() as f64;
        let got = strategy(&v, &format!("all:{name}"))["quality"].as_f64().unwrap();
        assert!((got - want).abs() < 1e-12, "{name}: {got} vs {want}");
    }
    // The fixture's README gives llama3-chatqa-1.5-70b 0.2550.
    let q = strategy(&v, "all:llama3-chatqa-1.5-70b")["quality"].as_f64().unwrap();
    assert_eq!(format!("{q:.4}"), "0.2550");
    // A template that names no key for a model is an error naming the model, the template and
    // the nearest key.
    let r =
        env.run(&[&args[..4], &["--text-col", "question", "--models", "gemma-2-9b-it,llama-3.1-8b"]].concat()).code(2);
    assert_eq!(
        r.stderr,
        format!(
            "error: {file}: no quality column `scores.llama-3.1-8b` for model `llama-3.1-8b` (template \
             `scores.{{model}}`); did you mean `scores.llama-3.1-8b-instruct`?\n"
        )
    );
    let mini = fixture::arg(fixture::MINI_ROUTERBENCH);
    env.run(&["simulate", &mini, "--models", "model-a,model-x"]).fails(2, &format!(
            "error: {mini}: no quality column `model-x` for model `model-x` (template `{{model}}`); did you mean `model-a`?\n"
        ));
}

/// A file without a prompt column is the same error in `simulate` as in `batch`.
#[test]
fn a_missing_prompt_column_is_an_error_in_simulate_as_in_batch() {
    let env = Env::new();
    env.write("q.csv", "id,question_text\n1,hello\n2,你好\n");
    for cmd in ["simulate", "batch"] {
        let r = env.run(&[cmd, "q.csv"]).code(2);
        assert_eq!(r.stderr, "error: q.csv: no prompt column; name it with --text-col\n", "{cmd}");
        assert_eq!(r.stdout, "", "{cmd} prints nothing before its error");
    }
    // An empty prompt is a bad row in both.
    env.write("e.csv", "id,prompt\n1,hello\n2,\n");
    for cmd in ["simulate", "batch"] {
        let r = env.run(&[cmd, "e.csv"]).code(2);
        assert_eq!(r.stderr, "error: e.csv:3: column `prompt` is empty (use --skip-bad to skip bad rows)\n", "{cmd}");
    }
}

/// Qualities outside [0, 1], negative costs and absurd token counts are bad rows with their line;
/// `--quality-scale` reads other scales; a price out of range is a configuration error.
#[test]
fn impossible_outcome_values_are_bad_rows() {
    let env = Env::new();
    let head = "prompt,model-a,model-b,model-a|total_cost,model-b|total_cost\n";
    let good = "hello,1,0,0.001,0.01\nprove it,0.5,1,0.002,0.02\n";
    for (row, msg) in [
        (
            "x,1e308,0,0.001,0.01",
            "quality `model-a`: 1e308 is outside [0, 1] (scores on another scale need --quality-scale, e.g. 10 for 1–10 ratings)",
        ),
        (
            "x,-1,0,0.001,0.01",
            "quality `model-a`: -1 is outside [0, 1] (scores on another scale need --quality-scale, e.g. 10 for 1–10 ratings)",
        ),
        ("x,1,0,-1,0.01", "cost `model-a|total_cost`: -1 is negative"),
        ("x,1,0,inf,0.01", "column `model-a|total_cost`: `inf` is not a number"),
        ("x,1,0,1e9,0.01", "cost `model-a|total_cost`: 1000000000 is above 1000000 USD per request"),
    ] {
        env.write("bad.csv", format!("{head}{good}{row}\n"));
        env.run(&["simulate", "bad.csv"])
            .fails(2, &format!("error: bad.csv:4: {msg} (use --skip-bad to skip bad rows)\n"));
        // Skipped, the figures come from the good rows alone.
        let r = env.run(&["simulate", "bad.csv", "--skip-bad", "--format", "json", "--bootstrap", "0"]).code(1);
        let v = r.json();
        assert_eq!(v["rows"], 2);
        assert_eq!(strategy(&v, "all:model-a")["quality"], 0.75);
        assert_eq!(strategy(&v, "all:model-a")["avg_cost"], 0.0015);
        assert!(r.stderr.contains(&format!("warning: skipped bad.csv:4: {msg}")), "{}", r.stderr);
    }
    env.write(
        "ten.csv",
        "prompt,model-a,model-b,model-a|total_cost,model-b|total_cost\nhi,7.5,10,0.001,0.01\nho,2.5,0,0.001,0.01\n",
    );
    let v =
        env.run(&["simulate", "ten.csv", "--quality-scale", "10", "--format", "json", "--bootstrap", "0"]).ok().json();
    assert_eq!(strategy(&v, "all:model-a")["quality"], 0.5);
    assert_eq!(strategy(&v, "all:model-b")["quality"], 0.5);
    let r = env.run(&["simulate", "ten.csv"]).code(2);
    assert!(r.stderr.starts_with("error: ten.csv:2: quality `model-a`: 7.5 is outside [0, 1]"), "{}", r.stderr);
    env.run(&["simulate", "ten.csv", "--quality-scale", "0"])
        .code(2)
        .stderr_has("invalid value '0' for '--quality-scale <X>': `0` is outside (0, 1000000]");
    // Prices must be finite and at most 100,000 USD per 1M tokens.
    env.write("llmroute.toml", default_config().replacen("input_price = 2.50", "input_price = 1e308", 1));
    env.run(&["config", "validate", "llmroute.toml"]).fails(
        2,
        "error: llmroute.toml: `models.gpt-4o.input_price`: 1e308 is outside 0..=100000 (USD per 1M tokens)\n",
    );
}

/// The cascade's self-check is a judge that errs at a stated rate; a perfect check is labelled an
/// upper bound like the oracle.
#[test]
fn the_cascade_states_its_judge_and_the_perfect_check_is_an_upper_bound() {
    let env = Env::new();
    let f = fixture::arg(fixture::ROUTELLM);
    let v = env.run(&["simulate", &f, "--format", "json", "--bootstrap", "0"]).ok().json();
    assert_eq!(v["judge_error_rate"], 0.15);
    let real = strategy(&v, "cascade");
    let perfect = strategy(&v, "cascade_upper_bound");
    assert_eq!((real["upper_bound"].as_bool(), perfect["upper_bound"].as_bool()), (Some(false), Some(true)));
    assert_eq!(strategy(&v, "oracle")["upper_bound"], true);
    assert_eq!(perfect["name"], "cascade, perfect self-check (upper bound)");
    assert_eq!(real["name"], "cascade, judge error 15 %");
    // The perfect check reaches what no judge does: above the baseline (GPT-4).
    let base = strategy(&v, "all:gpt-4-1106-preview")["quality"].as_f64().unwrap();
    assert!(perfect["quality"].as_f64().unwrap() > base);
    assert!(real["quality"].as_f64().unwrap() < perfect["quality"].as_f64().unwrap());
    let table = env.run(&["simulate", &f, "--bootstrap", "0"]).ok().stdout;
    assert!(
        table.contains(
            "cascade    Mixtral-8x7B-Instruct-v0.1 → gpt-4-1106-preview: accepts a recorded quality >= 0.8; the judge errs on 15 % of checks (--judge-error-rate)\n"
        ),
        "{table}"
    );
    // The old flag name still works.
    let v =
        env.run(&["simulate", &f, "--format", "json", "--bootstrap", "0", "--evaluator-error-rate", "0.3"]).ok().json();
    assert_eq!(v["judge_error_rate"], 0.3);
}

/// The baseline is the catalog's premium model; premium share is the share of requests on which
/// it was called, counted here from `--decisions` for every strategy.
#[test]
fn the_baseline_is_the_premium_model_and_premium_share_counts_its_calls() {
    let env = Env::new();
    let text = read(fixture::TIERS_DEV);
    let mut log = String::from("prompt,label\n");
    for l in text.lines().take(60) {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let p = v["prompt"].as_str().unwrap().replace('"', "\"\"");
        log.push_str(&format!("\"{p}\",{}\n", v["expected_tier"].as_str().unwrap()));
    }
    env.write("log.csv", log);
    let v =
        env.run(&["simulate", "log.csv", "--format", "json", "--bootstrap", "0", "--decisions", "d.csv"]).ok().json();
    // claude-3-sonnet costs more per request than gpt-4o, but gpt-4o is the premium tier.
    assert_eq!(v["baseline"], "gpt-4o");
    assert_eq!(v["baseline_source"], "the catalog's premium model `gpt-4o`");
    assert!(strategy(&v, "all:claude-3-sonnet")["avg_cost"].as_f64() > strategy(&v, "all:gpt-4o")["avg_cost"].as_f64());
    let mut rdr = csv::Reader::from_path(env.path("d.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let mut calls: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for r in rdr.records() {
        let r = r.unwrap();
        let e = calls.entry(r[col("strategy")].to_string()).or_default();
        e.0 += 1;
        // Every strategy here answers with one model per request.
        e.1 += usize::from(&r[col("data_model")] == "gpt-4o");
    }
    for (key, (n, premium)) in &calls {
        if key == "consensus" {
            continue; // every voter is called: 100 % when gpt-4o votes
        }
        let share = strategy(&v, key)["premium_share"].as_f64().unwrap();
        assert!(key.starts_with("cascade") || (share - *premium as f64 / *n as f64).abs() < 1e-12, "{key}: {share}");
    }
    assert_eq!(strategy(&v, "consensus")["premium_share"], 1.0);
    assert_eq!(strategy(&v, "random_mix")["name"], "random mix at chain cost");
}

/// Without outcomes or labels, no row shows quality or a strategy that needs it, and the table
/// says why.
#[test]
fn without_quality_no_row_claims_quality() {
    let env = Env::new();
    env.write("log.csv", "prompt\nhello\n帮我写代码实现快速排序\nprove that sqrt 2 is irrational\n");
    let v = env.run(&["simulate", "log.csv", "--format", "json", "--bootstrap", "0"]).ok().json();
    assert_eq!(v["quality_known"], false);
    let k = keys(&v);
    for gone in ["cascade", "cascade_upper_bound", "consensus", "oracle", "random_mix", "adaptive_online"] {
        assert!(!k.contains(&gone.to_string()), "{gone} in {k:?}");
    }
    assert!(v["strategies"].as_array().unwrap().iter().all(|s| s["quality"].is_null() && s["delta_hull"].is_null()));
    let table = env.run(&["simulate", "log.csv"]).ok().stdout;
    assert!(!table.contains("quality ["), "{table}");
    assert!(table.contains(
        "not run    adaptive (learns online), cascade, consensus, random mix and oracle: they need outcomes or labels, which the log does not have\n"
    ), "{table}");
}

/// `route`, `batch` and `simulate` count a prompt's tokens the same way: the cookbook's chat
/// format (3 per message, the role, 3 for the reply).
#[test]
fn every_command_counts_input_tokens_alike() {
    let env = Env::new();
    let v = env.dry_route(&["hello world"]);
    assert_eq!(v["input_tokens"], 9);
    env.write("log.csv", "id,prompt\na,hello world\n");
    let out = env.run(&["batch", "log.csv", "--format", "jsonl"]).ok().stdout;
    let b: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(b["input_tokens"], 9);
    assert_eq!(b["cost_usd"], v["estimated_cost_usd"]);
    env.run(&["simulate", "log.csv", "--decisions", "d.jsonl"]).ok();
    let d = std::fs::read_to_string(env.path("d.jsonl")).unwrap();
    let chain: serde_json::Value = d
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|x| x["strategy"] == "chain")
        .unwrap();
    assert_eq!(chain["input_tokens"], 9);
    assert_eq!(chain["cost_usd"], v["estimated_cost_usd"]);
}

/// The thread count changes nothing: rows are evaluated on workers, predicted while loading (with
/// a trained model, from the second thread on) and stepped by several strategy threads, yet the
/// report and every decision are the same.
#[test]
fn simulate_is_the_same_on_any_number_of_threads() {
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
    // Enough rows for several chunks of every pool.
    let text = read(fixture::TIERS_TRAIN);
    let mut log = String::from("id,prompt,gpt-4o-mini,gpt-4o,gpt-4o-mini|total_cost,gpt-4o|total_cost\n");
    for (i, l) in text.lines().cycle().take(9000).enumerate() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let p = v["prompt"].as_str().unwrap().replace('"', "\"\"");
        log.push_str(&format!("r{i},\"{p}\",{},{},0.0001,0.002\n", i % 2, (i / 3) % 2));
    }
    env.write("log.csv", log);
    let run = |threads: &str, decisions: &str| {
        let args = [
            "simulate",
            "log.csv",
            "--classifier",
            "tier.model",
            "--format",
            "json",
            "--threads",
            threads,
            "--decisions",
            decisions,
        ];
        env.run(&args).ok().stdout
    };
    let one = run("1", "d1.csv");
    assert_eq!(run("3", "d3.csv"), one);
    assert_eq!(std::fs::read(env.path("d1.csv")).unwrap(), std::fs::read(env.path("d3.csv")).unwrap());
    // Without a decision file the strategies step on several threads.
    let args =
        |t: &'static str| ["simulate", "log.csv", "--classifier", "tier.model", "--format", "json", "--threads", t];
    assert_eq!(env.run(&args("2")).ok().stdout, one);
    assert_eq!(env.run(&args("1")).ok().stdout, one);
}
