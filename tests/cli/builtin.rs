//! Routing out of the box: the built-in tier model is a fresh build of the MIT tier data, the
//! embedded default routes English and Chinese prompts by tier through it, the article's profile
//! stays reproducible, and `evaluate --by` agrees with the engine's own decisions in `batch`.

use std::collections::{BTreeMap, HashMap};

use crate::harness::{Env, article_config, default_config, fixture, repo};

#[test]
fn shipped_tier_model_is_a_fresh_build_of_the_tier_data() {
    let env = Env::new();
    let train = fixture::arg(fixture::TIERS_TRAIN);
    // The same arguments as scripts/build-tier-model.sh.
    env.run(&[
        "train",
        &train,
        "--label-col",
        "expected_tier",
        "--valid-split",
        "0",
        "--seed",
        "42",
        "--features",
        "encoder",
        "--calibrate",
        "-o",
        "fresh.model",
    ])
    .ok();
    let fresh = std::fs::read(env.path("fresh.model")).unwrap();
    let shipped = std::fs::read(repo("src/ml/builtin/tiers.model")).unwrap();
    assert!(fresh == shipped, "src/ml/builtin/tiers.model is stale: run scripts/build-tier-model.sh");
    assert_eq!(
        std::fs::read(repo("src/ml/builtin/LICENSE-tiers")).unwrap(),
        std::fs::read(repo("fixtures/tiers/LICENSE")).unwrap()
    );
}

#[test]
fn default_chain_routes_english_and_chinese_by_tier() {
    let env = Env::new();
    let route = |p: &str| {
        let j = env.run(&["route", "--json", p]).ok().json();
        (j["model"].as_str().unwrap().to_string(), j["method"].as_str().unwrap().to_string())
    };
    let pair = |m: &str, how: &str| (m.to_string(), how.to_string());
    assert_eq!(route("Prove that the square root of 2 is irrational."), pair("gpt-4o", "ml"));
    assert_eq!(route("What is the capital of France?"), pair("gpt-4o-mini", "ml"));
    assert_eq!(route("hello"), pair("gpt-4o-mini", "rule"));
    assert_eq!(route("你好"), pair("gpt-4o-mini", "rule"));
    let (m, how) = route("Implement an LRU cache in Rust with O(1) get and put.");
    assert_ne!(m, "gpt-4o-mini", "code goes past the cheapest model");
    assert_eq!(how, "ml");
    // Tags mean something in the default rules.
    let j = env.run(&["route", "--json", "--tag", "translate", "bonjour, comment ça va ?"]).ok().json();
    assert_eq!((j["model"].as_str(), j["reason"].as_str()), (Some("gpt-4o-mini"), Some("tag_translate")));
}

#[test]
fn explain_and_models_say_which_model_decided_and_where_it_came_from() {
    let env = Env::new();
    let out = env.run(&["route", "--explain", "Prove that the square root of 2 is irrational."]).ok().stdout;
    assert!(out.contains("ml          decided gpt-4o (REASONING)"), "{out}");
    assert!(
        out.contains("model: builtin:tiers (trained from the UncommonRoute prompt → tier data (MIT license)"),
        "{out}"
    );
    let j = env.run(&["route", "--explain", "--json", "Prove that 2 is prime."]).ok().json();
    assert!(j["ml_scores"]["source"].as_str().unwrap().starts_with("builtin:tiers ("), "{j}");
    let out = env.run(&["models"]).ok().stdout;
    assert!(out.contains("ml model: builtin:tiers (trained from"), "{out}");
    let j = env.run(&["models", "--json"]).ok().json();
    let mini = j.as_array().unwrap().iter().find(|m| m["name"] == "gpt-4o-mini").unwrap();
    assert_eq!(mini["ml_labels"], serde_json::json!(["SIMPLE", "cheap"]));
}

#[test]
fn unknown_builtin_model_is_refused_with_a_suggestion() {
    let env = Env::new();
    env.run(&["route", "--classifier", "builtin:tier", "hi"])
        .code(2)
        .stderr_has("`builtin:tier` is not a built-in model; did you mean `builtin:tiers`?");
    let cfg = default_config();
    let cfg = env.file("llmroute.toml", cfg.replace("model = \"builtin:tiers\"", "model = \"builtin:nothing\""));
    let r = env.run(&["--config", &cfg, "config", "validate"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("`builtin:nothing` is not a built-in model (built-in models: builtin:tiers)"),
        "{}",
        r.stderr
    );
}

#[test]
fn config_init_writes_the_default_or_the_article_profile() {
    let env = Env::new();
    env.run(&["config", "init", "--article", "article.toml"]).ok();
    assert_eq!(std::fs::read_to_string(env.path("article.toml")).unwrap(), article_config());
    env.run(&["config", "init", "default.toml"]).ok();
    assert_eq!(std::fs::read_to_string(env.path("default.toml")).unwrap(), default_config());
    // The article's profile routes as the article does: no ML stage, Chinese keywords.
    let article = env.arg("article.toml");
    let j = env.run(&["--config", &article, "route", "--json", "分析一下这只股票的财报"]).ok().json();
    assert_eq!((j["model"].as_str(), j["reason"].as_str()), (Some("gpt-4o"), Some("financial_analysis")));
    let j = env
        .run(&["--config", &article, "route", "--json", "Prove that the square root of 2 is irrational."])
        .ok()
        .json();
    assert_eq!((j["model"].as_str(), j["method"].as_str()), (Some("gpt-4o-mini"), Some("difficulty")));
}

/// Tier → catalog model rank (cheapest first) as the default `[ml.labels]` maps them.
fn tier_rank(tier: &str) -> usize {
    match tier {
        "SIMPLE" => 0,
        "MEDIUM" => 1,
        "COMPLEX" => 2,
        "REASONING" => 3,
        other => panic!("tier {other}"),
    }
}

fn model_rank(model: &str) -> usize {
    // The order `llmroute models` lists them in: by tier, then price.
    ["gpt-4o-mini", "claude-3-haiku", "claude-3-sonnet", "gpt-4o"].iter().position(|m| *m == model).unwrap()
}

#[test]
fn evaluate_by_column_agrees_with_the_engines_decisions_in_batch() {
    let env = Env::new();
    let dev = fixture::arg(fixture::TIERS_DEV);
    let j = env
        .run(&[
            "evaluate",
            "--classifier",
            "builtin:tiers",
            &dev,
            "--label-col",
            "expected_tier",
            "--by",
            "lang",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(j["segments"]["column"], "lang");
    // The engine's decisions for the same rows, through `batch --strategy ml`.
    env.run(&["batch", &dev, "--strategy", "ml", "-o", "decisions.csv"]).ok();
    let mut decided = HashMap::new();
    let mut r = csv::Reader::from_path(env.path("decisions.csv")).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        decided.insert(rec[0].parse::<usize>().unwrap(), rec[1].to_string());
    }
    // Hand count per language: under-routed = the decided model is cheaper than the tier's model.
    let mut count: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for (i, line) in std::fs::read_to_string(&dev).unwrap().lines().enumerate() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let need = tier_rank(row["expected_tier"].as_str().unwrap());
        let got = model_rank(&decided[&(i + 1)]);
        for key in [row["lang"].as_str().unwrap().to_string(), "all".to_string()] {
            let e = count.entry(key).or_default();
            e.0 += 1;
            e.1 += usize::from(got < need);
            e.2 += usize::from(got > need);
        }
    }
    let rows = j["segments"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), count.len());
    assert_eq!(rows.last().unwrap()["segment"], "all");
    for seg in rows {
        let (n, under, over) = count[seg["segment"].as_str().unwrap()];
        assert_eq!(seg["rows"].as_u64().unwrap() as usize, n, "{seg}");
        let close = |v: &serde_json::Value, k: usize| (v.as_f64().unwrap() - k as f64 / n as f64).abs() < 1e-12;
        assert!(close(&seg["under_routed"], under), "{seg}: {under} under-routed of {n}");
        assert!(close(&seg["over_routed"], over), "{seg}: {over} over-routed of {n}");
    }
    let all = rows.last().unwrap();
    assert_eq!(all["accuracy"], j["accuracy"]);
    assert_eq!(all["fallback_rate"], j["fallback_rate"]);
    assert_eq!(all["accuracy_after_fallback"], j["accuracy_after_fallback"]);
    // The table names the column and ends with the whole set.
    let out = env
        .run(&["evaluate", "--classifier", "builtin:tiers", &dev, "--label-col", "expected_tier", "--by", "lang"])
        .ok()
        .stdout;
    assert!(
        out.contains("│ lang ┆ rows ┆ accuracy ┆ fallback ┆ after fallback ┆ under-routed ┆ over-routed │"),
        "{out}"
    );
    env.run(&["evaluate", "--classifier", "builtin:tiers", &dev, "--label-col", "expected_tier", "--by", "langs"])
        .code(2)
        .stderr_has("dev.jsonl: `--by langs`: no row has a value in column `langs`");
}
