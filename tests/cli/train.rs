//! `train` and `evaluate` on the tier data: validation metrics, reproducible model bytes,
//! calibration, a trained model in the chain or alone, low-confidence handling, and clear
//! errors for bad data and damaged model files.

use crate::harness::{Env, Run, default_config, fixture};

/// A quick model on the tier data (20 trees) for tests that need one.
fn quick_model(env: &Env, name: &str) -> String {
    let out = env.arg(name);
    env.run(&[
        "train",
        &fixture::arg(fixture::TIERS_TRAIN),
        "--label-col",
        "expected_tier",
        "--valid",
        &fixture::arg(fixture::TIERS_DEV),
        "--n-estimators",
        "20",
        "-o",
        &out,
    ])
    .ok();
    out
}

#[test]
fn train_reports_validation_metrics_and_writes_a_model() {
    let env = Env::new();
    let out = env.arg("m.model");
    let v = env
        .run(&[
            "train",
            &fixture::arg(fixture::TIERS_TRAIN),
            "--label-col",
            "expected_tier",
            "--valid",
            &fixture::arg(fixture::TIERS_DEV),
            "--n-estimators",
            "20",
            "-o",
            &out,
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(v["labels"], serde_json::json!(["COMPLEX", "MEDIUM", "REASONING", "SIMPLE"]));
    assert_eq!(
        (v["rows"].as_u64(), v["train_rows"].as_u64(), v["valid_rows"].as_u64()),
        (Some(2284), Some(1892), Some(392))
    );
    assert_eq!(v["analyzer"], "char_wb");
    assert_eq!(v["ngram"], serde_json::json!([1, 4]));
    assert_eq!(v["vocabulary_size"], 5000);
    assert_eq!(v["threshold"], 0.6);
    let val = &v["validation"];
    assert!(val["accuracy"].as_f64().unwrap() > 0.9, "{val}");
    assert!(val["fallback_rate"].as_f64().unwrap() < 0.5);
    assert_eq!(val["confusion"].as_array().unwrap().len(), 4);
    assert!(env.path("m.model").exists());
}

#[test]
fn same_seed_same_model_bytes_whatever_the_thread_count() {
    let env = Env::new();
    let train = |name: &str, threads: &str, seed: &str| {
        let out = env.arg(name);
        env.run(&[
            "train",
            &fixture::arg(fixture::TIERS_DEV),
            "--label-col",
            "expected_tier",
            "--n-estimators",
            "15",
            "--threads",
            threads,
            "--seed",
            seed,
            "-o",
            &out,
        ])
        .ok();
        std::fs::read(out).unwrap()
    };
    let a = train("a", "1", "42");
    assert_eq!(a, train("b", "3", "42"));
    assert_ne!(a, train("c", "1", "7"));
}

#[test]
fn evaluate_json_has_accuracy_fallback_rate_threshold_and_n() {
    let env = Env::new();
    let m = quick_model(&env, "m");
    // `evaluate --json` of the model on the dev set, with extra flags.
    let evaluate = |extra: &[&str]| {
        let dev = fixture::arg(fixture::TIERS_DEV);
        let mut args = vec!["evaluate", "--classifier", &m, &dev, "--label-col", "expected_tier"];
        args.extend_from_slice(extra);
        args.push("--json");
        env.run(&args).ok().json()
    };
    let v = evaluate(&[]);
    assert_eq!(v["n"], 392);
    assert_eq!(v["threshold"], 0.6);
    assert!(v["accuracy"].as_f64().unwrap() > 0.9);
    let fb = v["fallback_rate"].as_f64().unwrap();
    assert!((0.0..0.5).contains(&fb));
    // A different threshold changes the fallback rate, not the accuracy.
    let w = evaluate(&["--min-confidence", "0.9"]);
    assert_eq!(w["accuracy"], v["accuracy"]);
    assert!(w["fallback_rate"].as_f64().unwrap() > fb);
}

#[test]
fn calibration_meets_the_target_premium_share() {
    let env = Env::new();
    let out = env.arg("c.model");
    let v = env
        .run(&[
            "train",
            &fixture::arg(fixture::TIERS_TRAIN),
            "--label-col",
            "expected_tier",
            "--valid",
            &fixture::arg(fixture::TIERS_DEV),
            "--n-estimators",
            "20",
            "--calibrate",
            "--target-premium-share",
            "0.25",
            "-o",
            &out,
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(v["threshold_source"], "calibrated-share");
    let share = v["validation"]["premium_share"].as_f64().unwrap();
    assert!(share <= 0.25, "premium share {share}");
    // The stored threshold is the one evaluate uses by default.
    let e = env
        .run(&[
            "evaluate",
            "--classifier",
            &out,
            &fixture::arg(fixture::TIERS_DEV),
            "--label-col",
            "expected_tier",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(e["threshold"], v["threshold"]);
    assert_eq!(e["premium_share"], v["validation"]["premium_share"]);
}

#[test]
fn route_uses_a_trained_model_in_the_chain_and_alone() {
    let env = Env::new();
    let m = quick_model(&env, "tier.model");
    let v = env
        .run(&["route", "--classifier", &m, "--json", "--dry-run", "Prove that there are infinitely many primes."])
        .ok()
        .json();
    assert_eq!(v["method"], "ml");
    assert_eq!(v["tier"], "REASONING");
    assert_eq!(v["model"], "gpt-4o");
    // Rules still come first in the chain.
    assert_eq!(env.run(&["route", "--classifier", &m, "--json", "--dry-run", "你好"]).ok().json()["method"], "rule");
    let e = env.run(&["route", "--classifier", &m, "--json", "--explain", "--dry-run", "hello world"]).ok().json();
    let probs = e["ml_scores"]["probabilities"].as_array().unwrap();
    assert_eq!(probs.len(), 4);
    assert_eq!(e["ml_scores"]["threshold"], 0.6);
    let sum: f64 = probs.iter().map(|p| p["probability"].as_f64().unwrap()).sum();
    assert!((sum - 1.0).abs() < 1e-9);

    // `[ml] model` in a config file, relative to the file.
    let cfg = default_config().replace("# model = \"router.model\"", "model = \"tier.model\"");
    env.write("llmroute.toml", cfg);
    let v = env.dry_route(&["--strategy", "ml", "what is the capital of france"]);
    assert_eq!(v["method"], "ml");
}

#[test]
fn strategy_ml_without_a_model_answers_with_the_articles_balanced_default() {
    let env = Env::article();
    let v = env.dry_route(&["--strategy", "ml", "anything"]);
    assert_eq!((v["model"].as_str(), v["reason"].as_str()), (Some("claude-3-sonnet"), Some("untrained")));
}

#[test]
fn low_confidence_goes_to_premium_or_declines() {
    let env = Env::new();
    let m = quick_model(&env, "m");
    let base = default_config();
    // A threshold above 1 is impossible to meet; 1.0 sends everything not unanimous to premium.
    env.write(
        "premium.toml",
        base.replace("on_low_confidence = \"premium\"", "on_low_confidence = \"premium\"\nmin_confidence = 1.0"),
    );
    let v = env
        .run(&[
            "--config",
            "premium.toml",
            "route",
            "--classifier",
            &m,
            "--json",
            "--dry-run",
            "hmm, tell me something",
        ])
        .ok()
        .json();
    assert_eq!(v["model"], "gpt-4o");
    assert!(v["reason"].as_str().unwrap().starts_with("low_confidence"), "{v}");
    env.write(
        "decline.toml",
        base.replace("on_low_confidence = \"premium\"", "on_low_confidence = \"decline\"\nmin_confidence = 1.0"),
    );
    let v = env
        .run(&[
            "--config",
            "decline.toml",
            "route",
            "--classifier",
            &m,
            "--json",
            "--dry-run",
            "hmm, tell me something",
        ])
        .ok()
        .json();
    assert_eq!(v["method"], "difficulty");
}

fn error(r: Run) -> String {
    let r = r.code(2).no_stdout();
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    r.stderr
}

#[test]
fn train_and_evaluate_errors_name_the_problem() {
    let env = Env::new();
    env.write("nolabel.csv", "prompt,tier\nhello,SIMPLE\n");
    assert_eq!(
        error(env.run(&["train", "nolabel.csv", "-o", "m"])),
        "error: nolabel.csv: no column `label`; columns are: `prompt`, `tier`\n"
    );
    env.write("empty.csv", "prompt,label\n");
    assert_eq!(error(env.run(&["train", "empty.csv", "-o", "m"])), "error: empty.csv: no usable rows\n");
    env.write("one.csv", "prompt,label\nhello,cheap\nhi there,cheap\nhey,cheap\n");
    assert_eq!(
        error(env.run(&["train", "one.csv", "-o", "m"])),
        "error: one.csv: only one label (`cheap`) in 3 rows; a classifier needs at least two\n"
    );
    env.write("bad.csv", b"prompt,label\nhello,cheap\nprove \xff this,premium\n");
    assert_eq!(
        error(env.run(&["train", "bad.csv", "-o", "m"])),
        "error: bad.csv:3: column `prompt`: invalid UTF-8 (byte 7 of the field) (use --skip-bad to skip bad rows)\n"
    );
    env.write("short.csv", "prompt,label\nhello,cheap\nprove,premium,extra\n");
    assert_eq!(
        error(env.run(&["train", "short.csv", "-o", "m"])),
        "error: short.csv:3: expected 2 fields, found 3 (use --skip-bad to skip bad rows)\n"
    );
    env.write("bad.jsonl", b"{\"prompt\": \"hi\", \"label\": \"a\"}\n{\"prompt\": \"x\xff\", \"label\": \"b\"}\n");
    assert_eq!(
        error(env.run(&["train", "bad.jsonl", "-o", "m"])),
        "error: bad.jsonl:2: invalid UTF-8 (byte 14 of the line) (use --skip-bad to skip bad rows)\n"
    );
    assert_eq!(
        error(env.run(&["train", "missing.csv", "-o", "m"])),
        "error: missing.csv: cannot open: No such file or directory\n"
    );
    env.write("exists.model", "keep me");
    assert_eq!(
        error(env.run(&[
            "train",
            &fixture::arg(fixture::TIERS_DEV),
            "--label-col",
            "expected_tier",
            "-o",
            "exists.model"
        ])),
        "error: exists.model: already exists; pass --force to overwrite it\n"
    );
    assert_eq!(std::fs::read_to_string(env.path("exists.model")).unwrap(), "keep me");
}

#[test]
fn skip_bad_continues_and_exits_1() {
    let env = Env::new();
    let mut text = String::from("prompt,label\n");
    for i in 0..30 {
        text.push_str(&format!("hello number {i},cheap\nprove theorem {i},premium\n"));
    }
    text.push_str("broken,row,here\n");
    env.write("mixed.csv", text);
    let r = env.run(&["train", "mixed.csv", "-o", "m", "--skip-bad", "--n-estimators", "5", "--json"]).code(1);
    assert_eq!(r.json()["bad_rows"], 1);
    assert!(r.stderr.contains("warning: skipped mixed.csv:62: expected 2 fields, found 3"), "{}", r.stderr);
    assert!(r.stderr.ends_with("error: 1 bad row(s) skipped\n"), "{}", r.stderr);
}

#[test]
fn damaged_model_files_are_clear_errors() {
    let env = Env::new();
    env.write("junk.model", "definitely not a model");
    assert_eq!(
        error(env.run(&["route", "--classifier", "junk.model", "--dry-run", "hi"])),
        "error: junk.model: not an llmroute model file (bad magic number)\n"
    );
    let m = quick_model(&env, "good.model");
    let bytes = std::fs::read(&m).unwrap();
    env.write("cut.model", &bytes[..bytes.len() - 10]);
    assert!(
        error(env.run(&["evaluate", "--classifier", "cut.model", &fixture::arg(fixture::TIERS_DEV)]))
            .starts_with("error: cut.model: corrupt model file (truncated")
    );
    assert_eq!(
        error(env.run(&["route", "--classifier", "nope.model", "--dry-run", "hi"])),
        "error: nope.model: cannot read model: No such file or directory\n"
    );
}

#[test]
fn rows_count_a_separate_validation_file_too() {
    let env = Env::new();
    let (t, d) = (&fixture::arg(fixture::TIERS_TRAIN), &fixture::arg(fixture::TIERS_DEV));
    let base = ["train", t, "--label-col", "expected_tier", "--n-estimators", "5", "-o", "m.model", "--force"];
    let out = env.run(&[&base[..], &["--valid", d]].concat()).ok().stdout;
    assert!(out.starts_with("data       2284 rows (1892 train, 392 validation), 4 labels\n"), "{out}");
    let out = env.run(&base).ok().stdout;
    assert!(out.starts_with("data       1892 rows (1514 train, 378 validation), 4 labels\n"), "{out}");
}
