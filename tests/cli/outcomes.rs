//! The outcome router end to end: `train --outcomes` on the RouteLLM fixture, its operating point
//! confirmed by a hand count over the fixture's own outcomes, the same decisions from `evaluate`,
//! `simulate`, `batch` and `route`, the λ knob, the targets, and the bad inputs it must refuse.

use std::collections::HashMap;

use crate::harness::{Env, default_config, fixture, repo};

const GPT4: &str = "gpt-4-1106-preview";
const MIXTRAL: &str = "mistralai/Mixtral-8x7B-Instruct-v0.1";

fn routellm() -> String {
    fixture::arg(fixture::ROUTELLM)
}

/// Trains a small outcome model on the RouteLLM fixture (seeded 80/20 split).
fn train(env: &Env, name: &str, extra: &[&str]) -> serde_json::Value {
    let fixture = routellm();
    let mut args = vec!["train", "--outcomes", &fixture, "--n-estimators", "30", "-o", name, "--json"];
    args.extend_from_slice(extra);
    env.run(&args).ok().json()
}

/// Per row id of the fixture: each model's (quality, cost).
fn fixture_outcomes() -> HashMap<String, HashMap<&'static str, (f64, f64)>> {
    let mut r = csv::Reader::from_path(repo(fixture::ROUTELLM)).unwrap();
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let id = col("sample_id");
    let mut out = HashMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let mut m = HashMap::new();
        for model in [GPT4, MIXTRAL] {
            let q: f64 = rec[col(model)].parse().unwrap_or(0.0);
            let c: f64 = rec[col(&format!("{model}|total_cost"))].parse().unwrap();
            m.insert(model, (q, c));
        }
        out.insert(rec[id].to_string(), m);
    }
    out
}

/// `(id, model, data_model)` of one strategy's rows in a decisions CSV.
fn decisions(env: &Env, file: &str, strategy: &str) -> Vec<(String, String, String)> {
    let mut r = csv::Reader::from_path(env.path(file)).unwrap();
    r.records()
        .map(|x| x.unwrap())
        .filter(|x| &x[1] == strategy)
        .map(|x| (x[0].to_string(), x[3].to_string(), x[4].to_string()))
        .collect()
}

fn mapped_config() -> String {
    default_config()
        .replace("[ml.labels]\n", &format!("[ml.labels]\n\"{GPT4}\" = \"gpt-4o\"\n\"{MIXTRAL}\" = \"gpt-4o-mini\"\n"))
}

#[test]
fn the_operating_point_is_what_a_hand_count_of_the_routed_rows_gives() {
    let env = Env::new();
    let v = train(&env, "m.model", &[]);
    assert_eq!(v["models"], serde_json::json!([GPT4, MIXTRAL]));
    assert_eq!((v["rows"].as_u64(), v["valid_rows"].as_u64()), (Some(1597), Some(319)));
    assert!(v["lambda_source"].as_str().unwrap().starts_with("default"), "{v}");
    let val = &v["validation"];
    // The default target: the best validation quality at half the dearest model's cost.
    let half = val["models"][0]["cost"].as_f64().unwrap() / 2.0;
    let op = &val["operating_point"];
    assert!(op["cost"].as_f64().unwrap() <= half + 1e-12, "{op}");
    let (lo, hi) = (op["quality_ci"][0].as_f64().unwrap(), op["quality_ci"][1].as_f64().unwrap());
    assert!(lo <= op["quality"].as_f64().unwrap() && op["quality"].as_f64().unwrap() <= hi);
    // The router's curve beats the single models' hull and stays below the oracle.
    let (aiq, zero) = (val["aiq"].as_f64().unwrap(), val["zero_router_aiq"].as_f64().unwrap());
    assert!(aiq > zero && aiq < val["oracle_quality"].as_f64().unwrap(), "{aiq} {zero}");

    // On the whole fixture: evaluate, simulate's ml row and a hand count over the decisions.
    let e = env.run(&["evaluate", "--classifier", "m.model", &routellm(), "--json"]).ok().json();
    assert_eq!(e["rows"], 1597);
    let sim = env
        .run(&["simulate", &routellm(), "--classifier", "m.model", "--decisions", "d.csv", "--format", "json"])
        .ok()
        .json();
    let ml = sim["strategies"].as_array().unwrap().iter().find(|s| s["key"] == "ml").unwrap();
    let outcomes = fixture_outcomes();
    let rows = decisions(&env, "d.csv", "ml");
    assert_eq!(rows.len(), 1597);
    let (mut q, mut c, mut premium) = (0.0, 0.0, 0usize);
    for (id, model, data_model) in &rows {
        // The labels name no catalog model: the fixture's model of that name answered.
        assert_eq!(model, "");
        let (qq, cc) = outcomes[id][data_model.as_str()];
        q += qq;
        c += cc;
        premium += usize::from(data_model == GPT4);
    }
    let n = rows.len() as f64;
    let eop = &e["operating_point"];
    for (what, hand, evaluate, simulate) in [
        ("quality", q / n, eop["quality"].as_f64().unwrap(), ml["quality"].as_f64().unwrap()),
        ("cost", c / n, eop["cost"].as_f64().unwrap(), ml["avg_cost"].as_f64().unwrap()),
        (
            "premium share",
            premium as f64 / n,
            eop["premium_share"].as_f64().unwrap(),
            ml["premium_share"].as_f64().unwrap(),
        ),
    ] {
        assert!(
            (hand - evaluate).abs() < 1e-9 && (hand - simulate).abs() < 1e-9,
            "{what}: {hand} {evaluate} {simulate}"
        );
    }
    // Simulate draws the λ curve next to the others; its AIQ is evaluate's.
    let swept =
        sim["metrics"]["routers"].as_array().unwrap().iter().find(|r| r["cost_equivalent_share"] == true).unwrap();
    assert_eq!(swept["name"], "ml (λ swept)");
    assert!((swept["aiq"].as_f64().unwrap() - e["aiq"].as_f64().unwrap()).abs() < 1e-9, "{swept} {}", e["aiq"]);
    let table = env.run(&["simulate", &routellm(), "--classifier", "m.model"]).ok().stdout;
    assert!(table.contains("│ ml (λ swept)"), "{table}");
    assert!(table.contains("λ swept: the outcome router chooses among every model"), "{table}");
}

#[test]
fn route_batch_and_simulate_decide_alike_once_the_labels_map_to_the_catalog() {
    let env = Env::new();
    train(&env, "m.model", &[]);
    // Unmapped labels: routing live is refused, naming them and the ways to map them.
    env.run(&["route", "--classifier", "m.model", "--dry-run", "hello"])
        .code(2)
        .stderr_has(&format!("`{GPT4}`, `{MIXTRAL}` name no catalog model; map each in `[ml.labels]`"));

    env.write("llmroute.toml", mapped_config());
    env.run(&["simulate", &routellm(), "--classifier", "m.model", "--decisions", "d.csv"]).ok();
    let sim = decisions(&env, "d.csv", "ml");
    env.run(&["batch", &routellm(), "--classifier", "m.model", "--strategy", "ml", "-o", "b.csv"]).ok().no_stdout();
    let mut b = csv::Reader::from_path(env.path("b.csv")).unwrap();
    let batch: Vec<(String, String)> =
        b.records().map(|x| x.unwrap()).map(|x| (x[0].to_string(), x[1].to_string())).collect();
    assert_eq!(batch.len(), sim.len());
    for ((id, model, data_model), (bid, bmodel)) in sim.iter().zip(&batch) {
        assert_eq!((id, model), (bid, bmodel));
        assert_eq!(model, if data_model == GPT4 { "gpt-4o" } else { "gpt-4o-mini" });
    }
    assert!(batch.iter().any(|(_, m)| m == "gpt-4o") && batch.iter().any(|(_, m)| m == "gpt-4o-mini"));
    // `route` decides each prompt of a log as `batch` does, with its explanation.
    let prompts = [
        "What is 12 * 7?",
        "Statement 1 | Every group of order 4 is cyclic. Statement 2 | Every cyclic group is abelian.",
        "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?",
        "Which of the following is a prime number?\nA. 21\nB. 27\nC. 31\nD. 33\nAnswer:",
        "hello",
    ];
    let mut log = String::from("prompt\n");
    for p in prompts {
        log.push_str(&format!("\"{}\"\n", p.replace('"', "\"\"")));
    }
    env.write("p.csv", log);
    env.run(&["batch", "p.csv", "--classifier", "m.model", "--strategy", "ml", "-o", "pb.csv"]).ok();
    let mut b = csv::Reader::from_path(env.path("pb.csv")).unwrap();
    let batch: Vec<String> = b.records().map(|x| x.unwrap()[1].to_string()).collect();
    assert_eq!(batch.len(), prompts.len());
    for (i, p) in prompts.iter().enumerate() {
        let v = env
            .run(&["route", "--classifier", "m.model", "--strategy", "ml", "--dry-run", "--json", "--explain", p])
            .ok()
            .json();
        assert_eq!(v["model"], batch[i].as_str(), "row {i}");
        assert_eq!(v["method"], "ml");
        let o = &v["outcome_scores"];
        // The decision rule, recomputed: the highest expected quality − λ × expected cost.
        let lambda = o["lambda"].as_f64().unwrap();
        let best = o["models"]
            .as_array()
            .unwrap()
            .iter()
            .max_by(|a, b| {
                let s = |m: &serde_json::Value| {
                    m["expected_quality"].as_f64().unwrap() - lambda * m["expected_cost_usd"].as_f64().unwrap()
                };
                s(a).total_cmp(&s(b))
            })
            .unwrap();
        assert_eq!(o["chosen"], best["label"]);
        assert_eq!(v["tier"], best["label"]);
        assert!(v["note"].as_str().unwrap().starts_with("expected quality "), "{v}");
    }
    let text = env
        .run(&["route", "--classifier", "m.model", "--strategy", "ml", "--dry-run", "--explain", prompts[0]])
        .ok()
        .stdout;
    assert!(text.contains("ml (outcomes): ") && text.contains("quality − λ·cost"), "{text}");
}

#[test]
fn the_lambda_knob_in_the_config_moves_decisions_between_quality_and_price() {
    let env = Env::new();
    train(&env, "m.model", &[]);
    let route = |cfg: String| {
        env.write("llmroute.toml", cfg);
        env.run(&[
            "route",
            "--classifier",
            "m.model",
            "--strategy",
            "ml",
            "--dry-run",
            "--json",
            "--explain",
            "Prove that sqrt 2 is irrational",
        ])
        .ok()
        .json()
    };
    let free = route(mapped_config().replace("[ml]\n", "[ml]\nlambda = 0\n"));
    let q = |m: &serde_json::Value| m["expected_quality"].as_f64().unwrap();
    let models = free["outcome_scores"]["models"].as_array().unwrap().clone();
    let best_q = models.iter().max_by(|a, b| q(a).total_cmp(&q(b))).unwrap();
    assert_eq!(free["outcome_scores"]["chosen"], best_q["label"]);
    let stingy = route(mapped_config().replace("[ml]\n", "[ml]\nlambda = 1e12\n"));
    assert_eq!(stingy["model"], "gpt-4o-mini");
    assert_eq!(stingy["outcome_scores"]["lambda"], 1e12);
    let r = {
        env.write("llmroute.toml", mapped_config().replace("[ml]\n", "[ml]\nlambda = -1\n"));
        env.run(&["route", "--dry-run", "hi"]).code(2)
    };
    assert!(r.stderr.contains("ml.lambda") && r.stderr.contains("-1 is outside"), "{}", r.stderr);
}

#[test]
fn each_target_sets_lambda_and_is_met_on_validation() {
    let env = Env::new();
    let op = |v: &serde_json::Value, k: &str| v["validation"]["operating_point"][k].as_f64().unwrap();
    let v = train(&env, "q.model", &["--target-quality", "0.75"]);
    assert_eq!(v["lambda_source"], "target-quality");
    assert!(op(&v, "quality") >= 0.75, "{v}");
    let v = train(&env, "c.model", &["--max-cost", "0.0005"]);
    assert_eq!(v["lambda_source"], "max-cost");
    assert!(op(&v, "cost") <= 0.0005, "{v}");
    let v = train(&env, "s.model", &["--premium-share", "0.1"]);
    assert_eq!(v["lambda_source"], "premium-share");
    assert!(op(&v, "premium_share") <= 0.1, "{v}");
    let v = train(&env, "l.model", &["--lambda", "5", "--valid-split", "0"]);
    assert_eq!((v["lambda"].as_f64(), v["lambda_source"].as_str()), (Some(5.0), Some("flag")));
    assert!(v.get("validation").is_none());
    // Without validation rows a target cannot be met.
    env.run(&["train", "--outcomes", &routellm(), "--valid-split", "0", "-o", "x.model"])
        .code(2)
        .stderr_has("give --lambda, or keep --valid-split / --valid");
    // An unreachable quality is reported and the closest point used.
    env.run(&["train", "--outcomes", &routellm(), "--n-estimators", "10", "--target-quality", "0.99", "-o", "u.model"])
        .ok()
        .stderr_has("no point of the validation curve meets --target-quality; using the closest");
}

#[test]
fn cross_validation_reports_apgr_with_an_interval() {
    let env = Env::new();
    let v = train(&env, "m.model", &["--cv", "5"]);
    let cv = &v["cv"];
    assert_eq!(cv["folds"], 5);
    let (a, lo, hi) =
        (cv["apgr"].as_f64().unwrap(), cv["apgr_ci"][0].as_f64().unwrap(), cv["apgr_ci"][1].as_f64().unwrap());
    assert!(lo < a && a < hi && hi - lo < 0.3, "{cv}");
    let text = env
        .run(&["train", "--outcomes", &routellm(), "--n-estimators", "10", "--cv", "3", "-o", "t.model"])
        .ok()
        .stdout;
    assert!(text.contains("3-fold cross-validation: APGR "), "{text}");
}

#[test]
fn a_categorical_feature_is_learned_and_fed_by_the_tag() {
    let env = Env::new();
    let v = train(&env, "f.model", &["--feature-col", "eval_name"]);
    assert_eq!(v["feature"]["column"], "eval_name");
    assert!(v["feature"]["values"].as_array().unwrap().len() > 10);
    env.write("llmroute.toml", mapped_config());
    let explain = |tag: &str| {
        env.run(&[
            "route",
            "--classifier",
            "f.model",
            "--strategy",
            "ml",
            "--dry-run",
            "--json",
            "--explain",
            "--tag",
            tag,
            "What is 12 * 7?",
        ])
        .ok()
        .json()["outcome_scores"]["models"][0]["expected_quality"]
            .as_f64()
            .unwrap()
    };
    assert_ne!(explain("gsm8k"), explain("mmlu-abstract_algebra"));
    // Replay reads the feature column by default: simulate's ml row equals evaluate's point.
    let e = env.run(&["evaluate", "--classifier", "f.model", &routellm(), "--json"]).ok().json();
    let sim = env.run(&["simulate", &routellm(), "--classifier", "f.model", "--format", "json"]).ok().json();
    let ml = sim["strategies"].as_array().unwrap().iter().find(|s| s["key"] == "ml").unwrap();
    assert!((ml["quality"].as_f64().unwrap() - e["operating_point"]["quality"].as_f64().unwrap()).abs() < 1e-12);
}

#[test]
fn bad_outcome_data_is_refused_or_warned_about() {
    let env = Env::new();
    let train = |file: &str| env.run(&["train", "--outcomes", file, "--n-estimators", "5", "-o", "x.model", "--force"]);
    let mut rows = String::from("prompt,a,a|total_cost,b,b|total_cost\n");
    for i in 0..20 {
        rows.push_str(&format!("question {i},{},0.001,{},0.01\n", i % 2, 1));
    }
    // One model only.
    env.write("one.csv", "prompt,a,a|total_cost\nhi,1,0.001\nho,0,0.001\n");
    train("one.csv").code(2).stderr_has("outcomes for 1 model(s); the outcome router needs two or more");
    // A model that never succeeds: a warning, and the model trains.
    env.write("never.csv", rows.replace(",1,0.01\n", ",0,0.01\n"));
    train("never.csv").ok().stderr_has("model `b` never answered well in the data");
    // All-empty quality for a model.
    env.write("empty.csv", rows.replace(",1,0.01\n", ",,0.01\n"));
    train("empty.csv").code(2).stderr_has("model `b` has no outcome in any row");
    // Costs missing for a model that no price table knows.
    env.write("nocost.csv", "prompt,a,a|total_cost,zzz-model\nhi,1,0.001,1\nho,0,0.001,1\n");
    let r =
        env.run(&["train", "--outcomes", "nocost.csv", "--models", "a,zzz-model", "-o", "x.model", "--force"]).code(2);
    assert!(r.stderr.contains("model `zzz-model` has no cost column and no price"), "{}", r.stderr);
    // A plain log has no outcomes to learn from.
    env.write("plain.csv", "prompt\nhi\nho\n");
    train("plain.csv").code(2).stderr_has("the data has no outcome columns");
    // A label that is neither a model of the replayed log nor a catalog model.
    env.run(&["train", "--outcomes", "never.csv", "--n-estimators", "5", "-o", "ab.model"]).ok();
    env.write("other.csv", "prompt,c,c|total_cost,d,d|total_cost\nhi,1,0.001,1,0.01\n");
    env.run(&["simulate", "other.csv", "--classifier", "ab.model"])
        .code(2)
        .stderr_has("the outcome model's `a` is neither a model of the log (c, d) nor a catalog model");
}

#[test]
fn a_label_model_file_of_format_version_1_still_loads_and_routes() {
    let env = Env::new();
    let m = &fixture::arg(fixture::TIER_V1_MODEL);
    let bytes = std::fs::read(m).unwrap();
    assert_eq!((&bytes[..8], bytes[8]), (&b"LLMROUTE"[..], 1), "the fixture is a version-1 file");
    let v = env
        .run(&["route", "--classifier", m, "--strategy", "ml", "--dry-run", "--json", "--explain", "hi"])
        .ok()
        .json();
    assert_eq!(v["method"], "ml");
    assert_eq!(v["ml_scores"]["probabilities"].as_array().unwrap().len(), 4);
    let tiers = &fixture::arg(fixture::TIERS_DEV);
    let e = env.run(&["evaluate", "--classifier", m, tiers, "--label-col", "expected_tier", "--json"]).ok().json();
    assert!(e["accuracy"].as_f64().unwrap() > 0.5, "{e}");
}
