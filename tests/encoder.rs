//! The built-in multilingual encoder against its build script: the shipped table is the file
//! scripts/build-encoder.sh produces (recorded digest), and llmroute's SentencePiece tokenizer and
//! mean vectors equal the Python reference's (fixtures/encoder/check.json, written by the script
//! with the sentencepiece package) for stress strings and every tier prompt.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use llmroute::ml::encoder::{self, multilingual};
use sha2::{Digest, Sha256};

fn repo(p: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_shipped_table_is_the_one_the_script_builds() {
    let recorded = std::fs::read_to_string(repo("src/ml/builtin/encoder.sha256")).unwrap();
    assert_eq!(hex(multilingual::BYTES), recorded.trim());
    assert_eq!(multilingual::FINGERPRINT, recorded.trim());
    let check: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo("fixtures/encoder/check.json")).unwrap()).unwrap();
    assert_eq!(check["sha256"].as_str().unwrap(), recorded.trim(), "fixtures/encoder/check.json is from another build");
}

#[test]
fn tokens_and_vectors_equal_sentencepiece_and_the_reference_mean() {
    let m = multilingual::builtin().unwrap();
    let check: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo("fixtures/encoder/check.json")).unwrap()).unwrap();
    let cases = check["cases"].as_array().unwrap();
    assert!(cases.len() > 2000, "{} cases", cases.len());
    let mut out = vec![0.0f32; m.dims()];
    let (mut id_mismatch, mut first_bad) = (0, None);
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let want: Vec<u32> = case["ids"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect();
        let got = m.tokenize(text);
        if got != want {
            id_mismatch += 1;
            first_bad.get_or_insert_with(|| format!("{text:?}: got {got:?}, want {want:?}"));
            continue;
        }
        let n = m.embed(text, &mut out);
        assert_eq!(n, want.len() + 2, "{text:?}");
        for (i, v) in case["vector"].as_array().unwrap().iter().enumerate() {
            let v = v.as_f64().unwrap() as f32;
            assert!((out[i] - v).abs() <= 1e-4 * v.abs().max(1.0), "{text:?} dim {i}: {} vs {v}", out[i]);
        }
    }
    assert_eq!(id_mismatch, 0, "first: {}", first_bad.unwrap_or_default());
}

#[test]
fn the_encoder_is_named_and_loaded_by_its_spec() {
    let e = encoder::load(encoder::BUILTIN).unwrap();
    assert_eq!(e.dims(), 384);
    assert_eq!(e.fingerprint(), multilingual::FINGERPRINT);
    assert!(
        e.describe().starts_with("builtin:multilingual: static table of 64884 pieces × 384 dims"),
        "{}",
        e.describe()
    );
    let err = encoder::load("builtin:multilingul").err().unwrap();
    assert_eq!(err, "`builtin:multilingul` is not a built-in encoder (built-in: `builtin:multilingual`)");
}

#[test]
fn hostile_text_is_bounded_and_never_panics() {
    let m = multilingual::builtin().unwrap();
    let mut out = vec![0.0f32; m.dims()];
    for text in ["\u{0}", "\u{FFFD}\u{FFFD}", &"a".repeat(100_000), &"\u{2581}".repeat(1000), " \t\n\r ", "🙂🙂🙂"]
    {
        let n = m.embed(text, &mut out);
        assert!(n >= 2);
        assert!(out.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn the_projected_prediction_equals_the_explicit_row_on_every_tier_prompt() {
    use llmroute::ml::features::Scratch;
    let model = llmroute::ml::artifact::load(std::path::Path::new("builtin:tiers")).unwrap();
    let (mut a, mut b) = (Scratch::default(), Scratch::default());
    let mut worst = 0.0f64;
    let mut n = 0;
    for file in ["fixtures/tiers/train.jsonl", "fixtures/tiers/dev.jsonl"] {
        for line in std::fs::read_to_string(repo(file)).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = v["prompt"].as_str().unwrap();
            let (fast, slow) = (model.predict(text, &mut a), model.predict_explicit(text, None, &mut b));
            assert_eq!(fast.class, slow.class, "{text:?}");
            for (x, y) in fast.proba.iter().zip(&slow.proba) {
                worst = worst.max((x - y).abs());
            }
            n += 1;
        }
    }
    assert_eq!(n, 2284);
    assert!(worst < 1e-5, "largest probability difference {worst}");
}
