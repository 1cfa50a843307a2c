//! Encoder features end to end: `train --features encoder|both` on the tier data, the model file
//! that records its encoder, routing prompts in languages absent from the training data, a user's
//! Model2Vec directory (and refusing it once it changed), outcome models on encoder features, and
//! the flag errors.

use crate::harness::{Env, fixture, repo};

fn train_json(env: &Env, extra: &[&str]) -> serde_json::Value {
    let train = fixture::arg(fixture::TIERS_TRAIN);
    let dev = fixture::arg(fixture::TIERS_DEV);
    let mut args = vec!["train", &train, "--label-col", "expected_tier", "--valid", &dev, "--json", "--force"];
    args.extend_from_slice(extra);
    env.run(&args).ok().json()
}

#[test]
fn encoder_features_train_a_logistic_model_that_routes_languages_it_never_saw() {
    let env = Env::new();
    let j = train_json(&env, &["--features", "encoder", "-o", "enc.model"]);
    assert_eq!(j["features"], "encoder");
    assert_eq!(j["classifier"], "logistic");
    assert!(
        j["encoder"].as_str().unwrap().starts_with("builtin:multilingual: static table of 64884 pieces × 384 dims")
    );
    assert_eq!(j["c"]["source"], "cross-validation");
    assert_eq!(j["c"]["folds"], 5);
    let grid: Vec<f64> = j["c"]["grid"].as_array().unwrap().iter().map(|g| g[0].as_f64().unwrap()).collect();
    assert_eq!(grid, [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]);
    assert!(grid.contains(&j["c"]["c"].as_f64().unwrap()));
    assert_eq!(j["vocabulary_size"], 0);
    assert!(j["validation"]["accuracy"].as_f64().unwrap() > 0.97, "{j}");
    // The model file is format 4 and names its encoder.
    let bytes = std::fs::read(env.path("enc.model")).unwrap();
    assert_eq!(&bytes[..12], b"LLMROUTE\x04\x00\x00\x00");
    // Korean, Arabic, Japanese and Hindi are in no training row.
    let route = |p: &str| {
        let j =
            env.run(&["route", "--dry-run", "--json", "--strategy", "ml", "--classifier", "enc.model", p]).ok().json();
        j["model"].as_str().unwrap().to_string()
    };
    assert_eq!(route("ما هي عاصمة فرنسا؟"), "gpt-4o-mini");
    assert_eq!(route("東京の人口は何人ですか？"), "gpt-4o-mini");
    assert_eq!(route("फ्रांस की राजधानी क्या है?"), "gpt-4o-mini");
    assert_ne!(route("피타고라스 정리를 단계별로 엄밀하게 증명하시오."), "gpt-4o-mini");
    // evaluate reads the same rows: its accuracy equals train's validation figure.
    let dev = crate::harness::fixture::arg(fixture::TIERS_DEV);
    let e =
        env.run(&["evaluate", "--classifier", "enc.model", &dev, "--label-col", "expected_tier", "--json"]).ok().json();
    assert_eq!(e["accuracy"], j["validation"]["accuracy"]);
}

#[test]
fn both_puts_tfidf_terms_beside_the_encoder_and_the_text_report_says_so() {
    let env = Env::new();
    let train = fixture::arg(fixture::TIERS_TRAIN);
    let out = env
        .run(&["train", &train, "--label-col", "expected_tier", "--features", "both", "--c", "3", "-o", "both.model"])
        .ok()
        .stdout;
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[1].starts_with("features   5000 (char_wb 1-4, max 5000) + builtin:multilingual: static table"),
        "{out}"
    );
    assert_eq!(lines[2], "classifier logistic regression, C 3 (--c)");
    assert!(lines[3].starts_with("fit        ") && lines[3].contains("(features "), "{out}");
    assert_eq!(lines[4], "calibration none (the softmax's probabilities)");
}

#[test]
fn a_model2vec_directory_trains_and_a_changed_one_is_refused() {
    let env = Env::new();
    let dir = env.path("m2v");
    std::fs::create_dir(&dir).unwrap();
    for f in ["config.json", "model.safetensors", "tokenizer.json"] {
        std::fs::copy(repo(&format!("fixtures/encoder/model2vec/wordpiece_f32/{f}")), dir.join(f)).unwrap();
    }
    let train = fixture::arg(fixture::TIERS_TRAIN);
    let m2v = dir.display().to_string();
    let args = ["train", &train, "--label-col", "expected_tier", "--features", "encoder", "--encoder", &m2v];
    let j = env.run(&[&args[..], &["--c", "1", "--json", "-o", "m2v.model"]].concat()).ok().json();
    assert!(j["encoder"].as_str().unwrap().starts_with("model2vec static model, "), "{j}");
    let route = ["route", "--dry-run", "--strategy", "ml", "--classifier", "m2v.model", "hello there"];
    env.run(&route).ok();
    // Same name, other contents: refused at load, not used.
    let tok = std::fs::read_to_string(dir.join("tokenizer.json")).unwrap();
    std::fs::write(dir.join("tokenizer.json"), format!("{tok}\n")).unwrap();
    let r = env.run(&route).code(2);
    assert!(
        r.stderr.starts_with(&format!(
            "error: m2v.model: the model was trained with encoder `{}` (16 dims, fingerprint ",
            std::fs::canonicalize(&dir).unwrap().display()
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.trim_end().ends_with("restore it or retrain the model"), "{}", r.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
    let r = env.run(&route).code(2);
    assert!(r.stderr.starts_with("error: m2v.model: the model's encoder: "), "{}", r.stderr);
}

#[test]
fn outcome_models_learn_a_logistic_head_per_model_on_encoder_features() {
    let env = Env::new();
    let data = fixture::arg(fixture::MINI_ROUTERBENCH);
    let j = env
        .run(&[
            "train",
            "--outcomes",
            &data,
            "--features",
            "encoder",
            "--c",
            "1",
            "--lambda",
            "0",
            "--valid-split",
            "0",
            "--json",
            "-o",
            "o.model",
        ])
        .ok()
        .json();
    assert_eq!(
        (j["features"].as_str(), j["classifier"].as_str(), j["c"].as_f64()),
        (Some("encoder"), Some("logistic"), Some(1.0))
    );
    // Replay routes with it (the log's own models answer), and evaluate measures it.
    env.run(&["simulate", &data, "--classifier", "o.model"]).ok().stdout_has("ml");
    let e = env.run(&["evaluate", "--classifier", "o.model", &data, "--json"]).ok().json();
    assert!(e["aiq"].as_f64().is_some(), "{e}");
}

#[test]
fn encoder_flags_are_checked() {
    let env = Env::new();
    let train = fixture::arg(fixture::TIERS_TRAIN);
    let base = ["train", &train, "--label-col", "expected_tier", "-o", "x.model"];
    env.run(&[&base[..], &["--encoder", "builtin:multilingual"]].concat())
        .fails(2, "error: --encoder is read with --features encoder or --features both\n");
    env.run(&[&base[..], &["--c", "1"]].concat())
        .fails(2, "error: --c is logistic regression's; it needs --classifier logistic\n");
    env.run(&[&base[..], &["--features", "encoder", "--encoder", "builtin:multilingul"]].concat()).fails(
        2,
        "error: --encoder builtin:multilingul: `builtin:multilingul` is not a built-in encoder (built-in: \
         `builtin:multilingual`)\n",
    );
    let r = env.run(&[&base[..], &["--features", "encoder", "--encoder", "no/such/dir"]].concat()).code(2);
    assert!(r.stderr.starts_with("error: --encoder no/such/dir: "), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    env.run(&[&base[..], &["--features", "encoder", "--c", "0"]].concat()).code(2).stderr_has("--c");
    assert!(!env.path("x.model").exists());
}
