//! The ML router's parts, checked against references: TF-IDF values equal scikit-learn's,
//! forests are deterministic and thread-count independent, our forest's accuracy is in line with
//! smartcore's on a dense problem, and the model file round-trips and rejects damage.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use llmroute::ml::analyzer::{Analyzer, AnalyzerKind};
use llmroute::ml::artifact;
use llmroute::ml::features::{Inputs, Kind as FeatureKind};
use llmroute::ml::forest::{Forest, ForestParams};
use llmroute::ml::model::{Classifier, Model, TrainingMeta};
use llmroute::ml::sparse::Csr;
use llmroute::ml::tfidf::{Scratch, Tfidf, TfidfConfig};
use llmroute::rng::Rng;

fn repo(p: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

#[test]
fn tfidf_equals_scikit_learn_on_the_fixture() {
    let corpus = std::fs::read_to_string(repo("fixtures/tfidf/corpus.txt")).unwrap();
    let docs: Vec<&str> = corpus.strip_suffix('\n').unwrap_or(&corpus).split('\n').collect();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo("fixtures/tfidf/expected.json")).unwrap()).unwrap();
    let cases = expected["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 6);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let p = &case["params"];
        let kind = match p["analyzer"].as_str().unwrap() {
            "word" => AnalyzerKind::Word,
            "char_wb" => AnalyzerKind::CharWb,
            other => panic!("{other}"),
        };
        let ng = p["ngram_range"].as_array().unwrap();
        let cfg = TfidfConfig {
            analyzer: Analyzer {
                kind,
                ngram_min: ng[0].as_u64().unwrap() as usize,
                ngram_max: ng[1].as_u64().unwrap() as usize,
            },
            max_features: p["max_features"].as_u64().map(|m| m as usize),
            sublinear_tf: p["sublinear_tf"].as_bool().unwrap(),
        };
        let (tfidf, _) = Tfidf::fit_transform(cfg, &docs, 2);
        let vocab: Vec<&str> = case["vocabulary"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(tfidf.vocabulary.terms(), vocab, "{name}: vocabulary");
        for (i, (got, want)) in tfidf.idf.iter().zip(case["idf"].as_array().unwrap()).enumerate() {
            assert!((got - want.as_f64().unwrap()).abs() < 1e-12, "{name}: idf[{i}]");
        }
        // Enough passes that, after the warm-up, every `char_wb` document also goes through the
        // n-gram trie.
        let mut scratch = Scratch::default();
        let rows = case["rows"].as_array().unwrap();
        let passes = llmroute::ml::WARM_UP as usize / docs.len() + 2;
        for (d, (doc, want)) in docs.iter().cycle().zip(rows.iter().cycle()).take(passes * docs.len()).enumerate() {
            let got = tfidf.transform_f64(doc, &mut scratch);
            let want: Vec<(u32, f64)> = want
                .as_array()
                .unwrap()
                .iter()
                .map(|e| (e[0].as_u64().unwrap() as u32, e[1].as_f64().unwrap()))
                .collect();
            assert_eq!(got.len(), want.len(), "{name}: row {d} ({doc:?}) columns");
            for ((gc, gv), (wc, wv)) in got.iter().zip(&want) {
                assert_eq!(gc, wc, "{name}: row {d}");
                assert!((gv - wv).abs() < 1e-12, "{name}: row {d} col {gc}: {gv} vs {wv}");
            }
        }
    }
}

/// Two noisy Gaussian-ish classes in a sparse 200-feature space, generated from a seed.
fn synthetic(n: usize, seed: u64) -> (Csr, Vec<u32>) {
    let mut rng = Rng::new(seed);
    let mut x = Csr::with_capacity(200, n, n * 12);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let class = rng.below(3) as u32;
        let mut row: Vec<(u32, f32)> = Vec::new();
        for _ in 0..10 {
            let base = if rng.unit() < 0.6 { class * 40 } else { 120 };
            let f =
                base + rng.below(40) as u32 * u32::from(base != 120) + rng.below(80) as u32 * u32::from(base == 120);
            row.push((f, (0.1 + rng.unit()) as f32));
        }
        row.sort_by_key(|r| r.0);
        row.dedup_by_key(|r| r.0);
        x.push_row(row);
        y.push(class);
    }
    (x, y)
}

fn accuracy(f: &Forest, x: &Csr, y: &[u32]) -> f64 {
    let mut out = vec![0.0; f.n_classes];
    let mut correct = 0;
    for (r, &truth) in y.iter().enumerate() {
        let (i, v) = x.row(r);
        f.predict_proba(i, v, &mut out);
        let mut best = 0;
        for c in 1..out.len() {
            if out[c] > out[best] {
                best = c;
            }
        }
        correct += usize::from(best as u32 == truth);
    }
    correct as f64 / y.len() as f64
}

fn params(threads: usize, seed: u64) -> ForestParams {
    ForestParams { n_estimators: 30, max_depth: Some(8), max_features: None, min_samples_leaf: 1, seed, threads }
}

#[test]
fn forest_is_deterministic_for_a_seed_and_independent_of_threads() {
    let (x, y) = synthetic(600, 1);
    let a = Forest::fit(&x, &y, 3, &params(1, 42), &|| {});
    let b = Forest::fit(&x, &y, 3, &params(1, 42), &|| {});
    let c = Forest::fit(&x, &y, 3, &params(4, 42), &|| {});
    assert_eq!(a, b);
    assert_eq!(a, c);
    let d = Forest::fit(&x, &y, 3, &params(2, 43), &|| {});
    assert_ne!(a, d, "a different seed grows different trees");
}

#[test]
fn forest_learns_the_synthetic_problem() {
    let (x, y) = synthetic(1500, 2);
    let (xt, yt) = synthetic(500, 3);
    let f = Forest::fit(&x, &y, 3, &params(2, 42), &|| {});
    let acc = accuracy(&f, &xt, &yt);
    assert!(acc > 0.8, "accuracy {acc}");
    // Probabilities are distributions.
    let mut out = vec![0.0; 3];
    let (i, v) = xt.row(0);
    f.predict_proba(i, v, &mut out);
    assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-6);
}

#[test]
fn fast_predictions_equal_the_plain_tree_walk_bit_for_bit() {
    // 300 rows: the first predictions walk the trees, later ones use the feature index; rows with
    // features far apart exercise leaf ranges spanning several words.
    let (x, y) = synthetic(800, 5);
    let (xt, _) = synthetic(300, 6);
    let f = Forest::fit(&x, &y, 3, &ForestParams { max_depth: None, ..params(2, 42) }, &|| {});
    let (mut sparse, mut dense_out, mut row_out) = (vec![0.0; 3], vec![0.0; 3], vec![0.0; 3]);
    let mut dense = vec![0.0f32; f.n_features];
    let mut scratch = llmroute::ml::forest::Scratch::default();
    for r in 0..xt.n_rows() {
        let (i, v) = xt.row(r);
        f.predict_proba(i, v, &mut sparse);
        dense.iter_mut().for_each(|d| *d = 0.0);
        for (&c, &val) in i.iter().zip(v) {
            dense[c as usize] = val;
        }
        f.predict_proba_dense(&dense, &mut dense_out);
        assert_eq!(sparse, dense_out, "row {r}");
        // Feature-ordered scoring (the default for forests of this size).
        f.predict_row(i, v, &mut scratch, &mut row_out);
        assert_eq!(sparse, row_out, "row {r}");
    }
}

/// Our forest against smartcore's on the same small dense problem (smartcore needs dense input):
/// accuracies must agree within 5 points.
#[test]
fn forest_accuracy_agrees_with_smartcore_on_a_dense_problem() {
    use smartcore::ensemble::random_forest_classifier::{RandomForestClassifier, RandomForestClassifierParameters};
    use smartcore::linalg::basic::matrix::DenseMatrix;

    let dense = |x: &Csr| -> Vec<Vec<f64>> {
        (0..x.n_rows())
            .map(|r| {
                let mut row = vec![0.0; 40];
                let (i, v) = x.row(r);
                for (&c, &val) in i.iter().zip(v) {
                    row[(c / 5) as usize] += f64::from(val);
                }
                row
            })
            .collect()
    };
    let (x, y) = synthetic(800, 5);
    let (xt, yt) = synthetic(400, 6);
    let (dx, dxt) = (dense(&x), dense(&xt));
    // Our forest on the same 40 dense columns (as a sparse matrix).
    let to_csr = |d: &Vec<Vec<f64>>| {
        let mut m = Csr::with_capacity(40, d.len(), d.len() * 40);
        for row in d {
            m.push_row(row.iter().enumerate().map(|(c, &v)| (c as u32, v as f32)));
        }
        m
    };
    let ours = Forest::fit(&to_csr(&dx), &y, 3, &params(2, 42), &|| {});
    let ours_acc = accuracy(&ours, &to_csr(&dxt), &yt);

    let sx = DenseMatrix::from_2d_vec(&dx).unwrap();
    let sxt = DenseMatrix::from_2d_vec(&dxt).unwrap();
    let sy: Vec<i32> = y.iter().map(|&c| c as i32).collect();
    let sp = RandomForestClassifierParameters::default().with_n_trees(30).with_max_depth(8).with_seed(42);
    let rf = RandomForestClassifier::fit(&sx, &sy, sp).unwrap();
    let pred: Vec<i32> = rf.predict(&sxt).unwrap();
    let smart_acc = pred.iter().zip(&yt).filter(|(p, t)| **p == **t as i32).count() as f64 / yt.len() as f64;
    assert!((ours_acc - smart_acc).abs() < 0.05, "ours {ours_acc:.3} vs smartcore {smart_acc:.3}");
    assert!(ours_acc > 0.7, "ours {ours_acc:.3}");
}

fn tiny_model() -> Model {
    let texts = ["hello there", "hi friend", "prove the theorem", "derive the integral", "hello hello", "prove it"];
    let labels = vec!["cheap".to_string(), "premium".to_string()];
    let y = [0, 0, 1, 1, 0, 1];
    let cfg = TfidfConfig {
        analyzer: Analyzer { kind: AnalyzerKind::Word, ngram_min: 1, ngram_max: 1 },
        max_features: Some(100),
        sublinear_tf: false,
    };
    let p =
        ForestParams { n_estimators: 5, max_depth: None, max_features: None, min_samples_leaf: 1, seed: 7, threads: 1 };
    let (tfidf, x) = Tfidf::fit_transform(cfg, &texts, 1);
    let forest = Forest::fit(&x, &y, labels.len(), &p, &|| {});
    Model {
        labels,
        inputs: Inputs { kind: FeatureKind::Tfidf, tfidf: Some(tfidf), encoder: None },
        classifier: Classifier::Forest(forest),
        threshold: 0.6,
        meta: TrainingMeta {
            llmroute_version: "test".into(),
            rows: 6,
            n_estimators: 5,
            max_depth: None,
            seed: 7,
            validation_accuracy: None,
            validation_fallback_rate: None,
            threshold_source: "default".into(),
        },
        kind: llmroute::ml::model::Kind::Labels,
        calibration: None,
        fast: Default::default(),
    }
}

#[test]
fn model_file_round_trips() {
    let m = tiny_model();
    let bytes = artifact::to_bytes(&m);
    let back = artifact::from_bytes(&bytes).unwrap();
    assert_eq!(back.labels, m.labels);
    let (bt, mt) = (back.inputs.tfidf.as_ref().unwrap(), m.inputs.tfidf.as_ref().unwrap());
    assert_eq!(bt.vocabulary.terms(), mt.vocabulary.terms());
    assert_eq!(bt.idf, mt.idf);
    match (&back.classifier, &m.classifier) {
        (Classifier::Forest(a), Classifier::Forest(b)) => assert_eq!(a, b),
        _ => panic!("not a forest"),
    }
    assert_eq!(back.threshold, 0.6);
    assert_eq!(back.meta, m.meta);
    // Same bytes again: no timestamps in the file.
    assert_eq!(artifact::to_bytes(&back), bytes);
}

#[test]
fn damaged_model_files_are_errors_not_panics() {
    let bytes = artifact::to_bytes(&tiny_model());
    let err = |b: &[u8]| artifact::from_bytes(b).err().unwrap();
    assert_eq!(err(b"hello world, not a model"), "not an llmroute model file (bad magic number)");
    assert_eq!(err(&[]), "not an llmroute model file (bad magic number)");
    assert!(err(&bytes[..bytes.len() / 2]).starts_with("corrupt model file (truncated"));
    assert!(err(&bytes[..12]).starts_with("corrupt model file (truncated header)"));
    let mut v5 = bytes.clone();
    v5[8] = 5;
    assert!(err(&v5).starts_with("model file format version 5 is not supported (this llmroute reads versions 1 to 4)"));
    // An uncalibrated model's header under the calibrated format's version is refused.
    let mut v3 = bytes.clone();
    v3[8] = 3;
    assert_eq!(err(&v3), "corrupt model file (the header does not match the format version)");
    // A label model's header under the outcome format's version is refused.
    let mut v2 = bytes.clone();
    v2[8] = 2;
    assert_eq!(err(&v2), "corrupt model file (the header does not match the format version)");
    let mut flipped = bytes.clone();
    let mid = bytes.len() / 2;
    flipped[mid] ^= 0x40;
    assert_eq!(err(&flipped), "corrupt model file (checksum mismatch)");
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(err(&longer), "corrupt model file (trailing bytes)");
    // Every truncation point and every single-byte corruption is rejected without a panic.
    for cut in 0..bytes.len() {
        assert!(artifact::from_bytes(&bytes[..cut]).is_err());
    }
    for i in (0..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[i] = b[i].wrapping_add(1);
        assert!(artifact::from_bytes(&b).is_err(), "byte {i}");
    }
}

#[test]
fn labels_from_outcomes_pick_the_cheapest_good_enough_model() {
    use llmroute::ml::dataset::{LabelSource, read};
    let path = repo("fixtures/outcomes/mini_routerbench.csv");
    let d =
        read(&path, None, "prompt", &LabelSource::Outcomes { min_quality: None }, None, false, &mut |_| {}).unwrap();
    assert_eq!(
        (0..d.len()).map(|i| d.label(i)).collect::<Vec<_>>(),
        [
            "model-a", "model-c", "model-a", "model-b", "model-b", "model-a",
            // nobody correct: the best quality is 0, so the cheapest model "reaches" it
            "model-a", "model-a", "model-c", "model-b", "model-a", "model-c",
        ]
    );
    // The Python list literal is parsed into the text.
    assert_eq!(d.texts.get(0), "What is 2+2?");
    // With an explicit bar, a row where nobody reaches it is an error naming its line.
    let e = read(&path, None, "prompt", &LabelSource::Outcomes { min_quality: Some(0.5) }, None, false, &mut |_| {})
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("mini_routerbench.csv:8: no model reaches the quality bar"), "{e}");
}

/// Multi-output regression is the classifier's arithmetic with a vector per row: one-hot class
/// vectors as targets grow the same trees and predict the same distributions.
#[test]
fn regression_on_one_hot_vectors_equals_classification() {
    use llmroute::ml::forest::Targets;
    let (x, y) = synthetic(600, 11);
    let one_hot: Vec<f32> = y.iter().flat_map(|&c| (0..3).map(move |k| if k == c { 1.0 } else { 0.0 })).collect();
    let p = ForestParams { max_depth: None, ..params(2, 42) };
    let cls = Forest::fit(&x, &y, 3, &p, &|| {});
    let reg = Forest::fit_targets(&x, Targets::Values { values: &one_hot, n: 3 }, &p, &|| {});
    let (xt, _) = synthetic(200, 12);
    let (mut a, mut b) = (vec![0.0; 3], vec![0.0; 3]);
    for r in 0..xt.n_rows() {
        let (i, v) = xt.row(r);
        cls.predict_proba(i, v, &mut a);
        reg.predict_proba(i, v, &mut b);
        for (pa, pb) in a.iter().zip(&b) {
            assert!((pa - pb).abs() < 1e-6, "row {r}: {a:?} vs {b:?}");
        }
    }
}

/// The regression forest learns a vector of qualities, and `min_samples_leaf` smooths its leaves:
/// on held-out rows its squared error is far below that of predicting the training mean.
#[test]
fn regression_learns_per_output_means_and_respects_min_samples_leaf() {
    use llmroute::ml::forest::Targets;
    // Output 0 is 1 for class 0 rows, output 1 is a fraction for class 1 rows.
    let targets = |y: &[u32]| -> Vec<f32> {
        y.iter().flat_map(|&c| [if c == 0 { 1.0 } else { 0.0 }, if c == 1 { 0.75 } else { 0.25 }]).collect()
    };
    let (x, y) = synthetic(1500, 21);
    let (xt, yt) = synthetic(400, 22);
    let (t, tt) = (targets(&y), targets(&yt));
    let mean: Vec<f64> =
        (0..2).map(|o| t.iter().skip(o).step_by(2).map(|&v| f64::from(v)).sum::<f64>() / 1500.0).collect();
    for leaf in [1, 5, 25] {
        let p = ForestParams { max_depth: None, min_samples_leaf: leaf, ..params(2, 42) };
        let f = Forest::fit_targets(&x, Targets::Values { values: &t, n: 2 }, &p, &|| {});
        let (mut err, mut base) = (0.0, 0.0);
        let mut out = vec![0.0; 2];
        for r in 0..xt.n_rows() {
            let (i, v) = xt.row(r);
            f.predict_proba(i, v, &mut out);
            for o in 0..2 {
                let want = f64::from(tt[r * 2 + o]);
                err += (out[o] - want).powi(2);
                base += (mean[o] - want).powi(2);
                assert!((0.0..=1.0).contains(&out[o]));
            }
        }
        assert!(err < base * 0.5, "leaf {leaf}: {err} vs {base}");
        // Larger leaves mean fewer nodes.
        if leaf == 25 {
            let small = Forest::fit_targets(
                &x,
                Targets::Values { values: &t, n: 2 },
                &ForestParams { min_samples_leaf: 1, ..p },
                &|| {},
            );
            assert!(f.n_nodes() * 2 < small.n_nodes(), "{} vs {}", f.n_nodes(), small.n_nodes());
        }
    }
}

/// Candidate features are drawn as scikit-learn's splitter draws them: a feature that is constant
/// in the node (here: 98 empty columns) uses up one of the `max_features` draws, and drawing goes
/// on only while every draw was constant. With two useful features among 100 and two or three
/// draws, the root usually sees just one of them, so about half the roots split on the weak one;
/// a splitter that skipped constant features would always see both and always pick the perfect
/// one. (`max_features` 2 draws from the columns, 3 gathers from the rows: both ways are checked.)
#[test]
fn constant_features_count_toward_max_features_as_in_scikit_learn() {
    let mut rng = Rng::new(5);
    let mut x = Csr::with_capacity(100, 400, 800);
    let mut y = Vec::new();
    for i in 0..400 {
        let class = (i % 2) as u32;
        let weak = rng.unit() < if class == 1 { 0.6 } else { 0.4 };
        let mut row = Vec::new();
        if class == 1 {
            row.push((0, 1.0));
        }
        if weak {
            row.push((1, 1.0));
        }
        x.push_row(row);
        y.push(class);
    }
    for m in [2, 3] {
        let p = ForestParams { n_estimators: 200, max_depth: Some(1), max_features: Some(m), ..params(2, 42) };
        let forest = Forest::fit(&x, &y, 2, &p, &|| {});
        let perfect = forest.trees.iter().filter(|t| t.nodes[0].feature == 0).count();
        let weak = forest.trees.iter().filter(|t| t.nodes[0].feature == 1).count();
        assert_eq!(perfect + weak, 200, "max_features {m}");
        assert!((70..=130).contains(&perfect), "max_features {m}: {perfect} of 200 roots on the perfect feature");
    }
}

fn json_floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// A problem of fixtures/linear/data.json: its training rows and its test rows.
fn linear_problem(problem: &serde_json::Value) -> (Csr, Csr) {
    let d = problem["n_features"].as_u64().unwrap() as usize;
    let n_train = problem["n_train"].as_u64().unwrap() as usize;
    let mut train = Csr::with_capacity(d, n_train, n_train * d);
    let mut test = Csr::with_capacity(d, 40, 40 * d);
    for (r, row) in problem["rows"].as_array().unwrap().iter().enumerate() {
        let entries: Vec<(u32, f32)> = match problem["format"].as_str().unwrap() {
            "dense" => json_floats(row).iter().enumerate().map(|(j, &v)| (j as u32, v as f32)).collect(),
            _ => row
                .as_array()
                .unwrap()
                .iter()
                .map(|e| (e[0].as_u64().unwrap() as u32, e[1].as_f64().unwrap() as f32))
                .collect(),
        };
        if r < n_train { train.push_row(entries) } else { test.push_row(entries) }
    }
    (train, test)
}

/// Fits a fixture case's model on `train`: the model, and its weights (one vector per row of
/// sklearn's `coef_`) and intercepts in sklearn's form.
fn linear_case_fit(
    case: &serde_json::Value,
    problem: &serde_json::Value,
    train: &Csr,
) -> (llmroute::ml::linear::Linear, Vec<Vec<f64>>, Vec<f64>) {
    use llmroute::ml::linear::{Params, fit_binary, fit_multinomial};
    let c = case["C"].as_f64().unwrap();
    let p = Params { tol: 1e-9, max_iter: 10_000, ..Params::new(c) };
    let (n, d) = (train.n_rows(), train.n_cols);
    match case["kind"].as_str().unwrap() {
        "multinomial" => {
            assert_eq!(case["sklearn_C"].as_f64(), Some(c));
            let y: Vec<u32> =
                problem["y"].as_array().unwrap()[..n].iter().map(|v| v.as_u64().unwrap() as u32).collect();
            let k = problem["n_classes"].as_u64().unwrap() as usize;
            let m = fit_multinomial(train, &y, k, &p).unwrap();
            let coef = (0..k).map(|j| (0..d).map(|f| f64::from(m.coef()[f * k + j])).collect()).collect();
            let b = m.intercept().to_vec();
            (m, coef, b)
        }
        "binary" => {
            assert_eq!(case["sklearn_C"].as_f64(), Some(c));
            let m = fit_binary(train, &json_floats(&problem["t"])[..n], &p).unwrap();
            let coef = vec![m.coef().iter().map(|&v| f64::from(v)).collect()];
            let b = m.intercept().to_vec();
            (m, coef, b)
        }
        _ => {
            // Our two-column softmax at C is sklearn's binary model at 2C: w = W1 − W0, W0 = −W1.
            assert_eq!(case["sklearn_C"].as_f64(), Some(2.0 * c));
            let y: Vec<u32> = json_floats(&problem["t"])[..n].iter().map(|&t| u32::from(t >= 0.5)).collect();
            let m = fit_multinomial(train, &y, 2, &p).unwrap();
            let w = m.coef();
            for f in 0..d {
                assert!((w[2 * f] + w[2 * f + 1]).abs() < 1e-6, "W0 = -W1 at feature {f}");
            }
            let coef = vec![(0..d).map(|f| f64::from(w[2 * f + 1]) - f64::from(w[2 * f])).collect()];
            let b = vec![m.intercept()[1] - m.intercept()[0]];
            (m, coef, b)
        }
    }
}

/// Logistic regression against scikit-learn's `LogisticRegression(solver="lbfgs")` on the problems
/// of fixtures/linear (see its gen_expected.py): softmax models on a dense and a sparse problem,
/// the soft-target binary model (sklearn: each row twice, weighted t and 1 − t) and the two-class
/// softmax (sklearn: the binary model at 2C), each at C = 0.01, 1 and 100. Weights agree within
/// 1e-3 relative or 1e-4 absolute, test-block probabilities within 1e-4, and the predicted
/// classes are the same.
#[test]
fn logistic_regression_equals_scikit_learn_on_the_fixture() {
    let read =
        |p: &str| -> serde_json::Value { serde_json::from_str(&std::fs::read_to_string(repo(p)).unwrap()).unwrap() };
    let (data, expected) = (read("fixtures/linear/data.json"), read("fixtures/linear/expected.json"));
    let close = |got: f64, want: f64| (got - want).abs() <= 1e-4f64.max(1e-3 * want.abs());
    let argmax = |p: &[f64]| (1..p.len()).fold(0, |b, k| if p[k] > p[b] { k } else { b });
    let cases = expected["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 12);
    let (mut worst_coef, mut worst_proba) = (0.0f64, 0.0f64);
    for case in cases {
        let what = format!("{} C={}", case["name"].as_str().unwrap(), case["C"]);
        let problem = &data["problems"][case["problem"].as_str().unwrap()];
        let (train, test) = linear_problem(problem);
        let (model, got_coef, got_b) = linear_case_fit(case, problem, &train);
        assert!(model.converged(), "{what}: {} iterations", model.n_iter());
        let want_coef: Vec<Vec<f64>> = case["coef"].as_array().unwrap().iter().map(json_floats).collect();
        assert_eq!(got_coef.len(), want_coef.len(), "{what}");
        for (j, (got, want)) in got_coef.iter().zip(&want_coef).enumerate() {
            assert_eq!(got.len(), want.len(), "{what}");
            for (f, (&g, &w)) in got.iter().zip(want).enumerate() {
                assert!(close(g, w), "{what}: coef[{j}][{f}] {g} vs sklearn {w}");
                worst_coef = worst_coef.max((g - w).abs());
            }
        }
        // Softmax intercepts are defined up to a shift: ours are centred, so centre sklearn's.
        let mut want_b = json_floats(&case["intercept"]);
        if want_b.len() > 1 {
            let mean = want_b.iter().sum::<f64>() / want_b.len() as f64;
            want_b.iter_mut().for_each(|b| *b -= mean);
        }
        assert_eq!(got_b.len(), want_b.len(), "{what}");
        for (j, (&g, &w)) in got_b.iter().zip(&want_b).enumerate() {
            assert!(close(g, w), "{what}: intercept[{j}] {g} vs sklearn {w}");
        }
        let want_proba = case["proba"].as_array().unwrap();
        assert_eq!(want_proba.len(), test.n_rows());
        let mut out = vec![0.0; model.n_classes()];
        for (r, want) in want_proba.iter().enumerate() {
            let want = json_floats(want);
            let (i, v) = test.row(r);
            model.predict_proba(i, v, &mut out);
            assert_eq!(out.len(), want.len(), "{what}");
            for (&g, &w) in out.iter().zip(&want) {
                assert!((g - w).abs() < 1e-4, "{what}: test row {r}: {out:?} vs sklearn {want:?}");
                worst_proba = worst_proba.max((g - w).abs());
            }
            assert_eq!(argmax(&out), argmax(&want), "{what}: test row {r}");
        }
    }
    eprintln!("largest differences from scikit-learn: weights {worst_coef:.1e}, probabilities {worst_proba:.1e}");
}
