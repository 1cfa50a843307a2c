//! `llmroute train` and `llmroute evaluate`: fit the ML router from labelled logs, and measure it.

mod args;
pub use args::{ClassifierKind, EvaluateArgs, FeatureKind, LabelledArgs, OutcomeArgs, TrainArgs};

use std::time::Instant;

use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::model_selection::{BaseKFold, KFold, train_test_split};

use crate::commands::Context;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ml::analyzer::Analyzer;
use crate::ml::dataset::{self, LabelSource, Labelled, Texts};
use crate::ml::features::{Inputs, Scratch};
use crate::ml::forest::{Forest, ForestParams};
use crate::ml::linear::{self, Linear};
use crate::ml::metrics;
use crate::ml::model::{Classifier, Model, Prediction, TrainingMeta};
use crate::ml::report::{CSelection, CvReport, EvaluateReport, Segment, Segments, TrainReport};
use crate::ml::sparse::Csr;
use crate::ml::tfidf::TfidfConfig;
use crate::ml::{artifact, defaults};
use crate::output;

/// Reads the labelled rows of every file as `args` say.
fn read_labelled_all(paths: &[std::path::PathBuf], args: &LabelledArgs, by: Option<&str>) -> Result<Labelled> {
    let mut all: Option<Labelled> = None;
    for p in paths {
        let more = read_labelled(p, args, by)?;
        match &mut all {
            Some(a) => a.extend(more),
            None => all = Some(more),
        }
    }
    all.ok_or_else(|| Error::usage("no data file given"))
}

/// Reads the labelled rows of `path` as `args` say.
fn read_labelled(path: &std::path::Path, args: &LabelledArgs, by: Option<&str>) -> Result<Labelled> {
    let source = if args.label_from_outcomes {
        LabelSource::Outcomes { min_quality: args.min_quality }
    } else {
        LabelSource::Column(args.label_col.clone())
    };
    dataset::read(path, args.format.input_format, &args.text_col, &source, by, args.skip_bad, &mut |e| {
        output::warn(&format!("skipped {e}"));
    })
}

/// The distinct labels, sorted.
fn sorted_unique<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let set: std::collections::BTreeSet<&str> = labels.collect();
    set.into_iter().collect()
}

/// Class indices of the labels of `rows`; `classes` is sorted.
fn encode(classes: &[String], data: &Labelled, rows: &[usize]) -> Vec<u32> {
    rows.iter()
        .map(|&i| classes.binary_search_by(|c| c.as_str().cmp(data.label(i))).map_or(u32::MAX, |c| c as u32))
        .collect()
}

/// The class whose model serves low-confidence requests, if any label maps to it.
fn premium_class(config: &Config, classes: &[String]) -> Option<u32> {
    classes
        .iter()
        .position(|l| config.ml.model_for_label(config, l) == Some(config.ml.low_confidence_model))
        .map(|i| i as u32)
}

fn predict_all(model: &Model, texts: &Texts) -> Vec<Prediction> {
    let mut scratch = Scratch::default();
    texts.iter().map(|t| model.predict(t, &mut scratch)).collect()
}

/// The C values cross-validation chooses from: TF-IDF rows (unit length, sparse) want a larger C
/// than standardised encoder columns, so the grid spans both.
pub const C_GRID: [f64; 11] = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0];
/// Folds of the cross-validation that chooses C.
pub const C_FOLDS: usize = 5;

/// The classifier the flags ask for, checked against the features and `--c`, `--encoder`.
pub(crate) fn classifier_of(a: &TrainArgs) -> Result<ClassifierKind> {
    if a.encoder.is_some() && !a.features.uses_encoder() {
        return Err(Error::usage("--encoder is read with --features encoder or --features both"));
    }
    let classifier = a.classifier.unwrap_or(if a.features == FeatureKind::Tfidf {
        ClassifierKind::Forest
    } else {
        ClassifierKind::Logistic
    });
    if a.c.is_some() && classifier != ClassifierKind::Logistic {
        return Err(Error::usage("--c is logistic regression's; it needs --classifier logistic"));
    }
    Ok(classifier)
}

/// `train`'s flags merged over the configuration, once: what the fit reads.
pub(crate) struct Settings {
    threads: usize,
    features: FeatureKind,
    encoder: Option<String>,
    classifier: ClassifierKind,
    c: Option<f64>,
    seed: u64,
    tfidf: TfidfConfig,
    forest: ForestParams,
    /// The confidence threshold stored unless calibrated: `--min-confidence`, else `[ml]
    /// min_confidence`, else the default.
    threshold: f64,
    /// Where the threshold came from, as the model records it.
    threshold_source: &'static str,
}

impl Settings {
    fn new(a: &TrainArgs, config: &Config) -> Result<Settings> {
        let kind = a.analyzer.unwrap_or(defaults::ANALYZER);
        let (lo, hi) = a.ngram.unwrap_or_else(|| defaults::ngram(a.analyzer));
        let threads = crate::commands::threads(a.threads);
        let classifier = classifier_of(a)?;
        Ok(Settings {
            threads,
            features: a.features,
            encoder: a.encoder.clone(),
            classifier,
            c: a.c,
            seed: a.seed,
            tfidf: TfidfConfig {
                analyzer: Analyzer { kind, ngram_min: lo, ngram_max: hi },
                max_features: Some(a.max_features),
                sublinear_tf: a.sublinear_tf,
            },
            forest: ForestParams {
                min_samples_leaf: 1,
                n_estimators: a.n_estimators,
                max_depth: a.max_depth.0,
                max_features: None,
                seed: a.seed,
                threads,
            },
            threshold: a.min_confidence.or(config.ml.min_confidence).unwrap_or(defaults::THRESHOLD),
            threshold_source: if a.min_confidence.is_some() { "flag" } else { "default" },
        })
    }
}

pub fn train(ctx: &Context, a: &TrainArgs) -> Result<()> {
    let config = ctx.config()?;
    if a.output.exists() && !a.force {
        return Err(Error::Usage(format!("{}: already exists; pass --force to overwrite it", a.output.display())));
    }
    if a.outcomes {
        return crate::commands::train_outcomes::train(&config, a);
    }
    let s = Settings::new(a, &config)?;
    let mut data = read_labelled_all(&a.data, &a.labels, None)?;
    let n_rows = data.len();
    let classes = classes_of(&data, &a.data)?;
    let (train_idx, valid) = validation_split(a, &data)?;
    let (train_classes, y) = train_labels(&data, &train_idx)?;
    let cv = match a.cv {
        Some(k) => Some(cross_validate(&data, &classes, k, &s)?),
        None => None,
    };
    let (mut model, timings) = fit(a, &s, &mut data, &train_idx, train_classes, &y)?;
    let premium = premium_class(&config, &model.labels);
    let validation = valid.as_ref().map(|v| validate(a, &mut model, v, premium));
    if !timings.out_of_sample.is_empty() {
        calibrate_threshold(a, &mut model, &timings.out_of_sample, premium);
    }

    let bytes = artifact::to_bytes(&model);
    crate::fsutil::write_atomic(&a.output, &bytes, a.force)?;
    let analyzer = s.tfidf.analyzer;
    let report = TrainReport {
        model: a.output.display().to_string(),
        model_bytes: bytes.len(),
        // Every row read: the training file's, plus a separate validation file's (`--valid`).
        rows: n_rows + if a.valid.is_some() { valid.as_ref().map_or(0, Labelled::len) } else { 0 },
        train_rows: train_idx.len(),
        valid_rows: valid.as_ref().map_or(0, Labelled::len),
        bad_rows: data.bad_rows.len(),
        labels: model.labels.clone(),
        analyzer: analyzer.kind.as_str(),
        ngram: [analyzer.ngram_min, analyzer.ngram_max],
        max_features: a.max_features,
        sublinear_tf: a.sublinear_tf,
        vocabulary_size: model.inputs.tfidf_columns(),
        features: s.features.as_str(),
        encoder: model.inputs.encoder.as_ref().map(|e| e.embed.describe()),
        classifier: model.classifier.name(),
        c: timings.c.clone(),
        n_estimators: a.n_estimators,
        max_depth: a.max_depth.0,
        seed: a.seed,
        threads: s.threads,
        tfidf_seconds: timings.tfidf,
        forest_seconds: timings.forest,
        fit_seconds: timings.fit,
        nodes: match &model.classifier {
            Classifier::Forest(f) => f.n_nodes(),
            Classifier::Linear(_) => 0,
        },
        threshold: model.threshold,
        threshold_source: model.meta.threshold_source.clone(),
        calibration: model.calibration,
        validation,
        cv,
    };
    output::format::emit_report(&report, a.report.format())?;
    if !data.bad_rows.is_empty() {
        return Err(Error::Partial(format!("{} bad row(s) skipped", data.bad_rows.len())));
    }
    Ok(())
}

/// The data's labels, sorted; a usage error when a classifier cannot be trained on them.
fn classes_of(data: &Labelled, paths: &[std::path::PathBuf]) -> Result<Vec<String>> {
    let mut classes: Vec<String> = data.names.clone();
    classes.sort();
    if classes.len() < 2 {
        return Err(Error::Usage(format!(
            "{}: only one label (`{}`) in {} rows; a classifier needs at least two",
            display_name(paths),
            classes.first().map_or("", String::as_str),
            data.len()
        )));
    }
    if classes.len() > crate::ml::artifact::MAX_LABELS {
        return Err(Error::Usage(format!(
            "{}: {} labels; a model holds at most {}",
            display_name(paths),
            classes.len(),
            crate::ml::artifact::MAX_LABELS
        )));
    }
    if classes.iter().any(|c| c.len() > 1024) {
        return Err(Error::Usage(format!("{}: a label is longer than 1024 bytes", display_name(paths))));
    }
    Ok(classes)
}

/// The training rows and the validation data: a file, or a seeded hold-out split (smartcore's
/// train_test_split).
fn validation_split(a: &TrainArgs, data: &Labelled) -> Result<(Vec<usize>, Option<Labelled>)> {
    let n_rows = data.len();
    Ok(match &a.valid {
        Some(v) => ((0..n_rows).collect(), Some(read_labelled(v, &a.labels, None)?)),
        None if a.valid_split > 0.0 => {
            let n = n_rows;
            if a.valid_split >= 1.0 || a.valid_split.is_nan() || ((n as f32) * a.valid_split as f32) < 1.0 || n < 2 {
                return Err(Error::Usage(format!(
                    "--valid-split {} leaves no validation row out of {n}; use more data, a larger split, or --valid-split 0",
                    a.valid_split
                )));
            }
            let idx: Vec<usize> = (0..n).collect();
            let x = DenseMatrix::from_2d_vec(&idx.iter().map(|&i| vec![i]).collect::<Vec<_>>())
                .map_err(|e| Error::Usage(format!("cannot split the data: {e}")))?;
            let (_, _, tr, va) = train_test_split(&x, &idx, a.valid_split as f32, true, Some(a.seed));
            (tr, Some(data.select(&va)))
        }
        None => ((0..n_rows).collect(), None),
    })
}

/// The labels of the training rows, sorted, and each row's class among them.
fn train_labels(data: &Labelled, train_idx: &[usize]) -> Result<(Vec<String>, Vec<u32>)> {
    let train_classes: Vec<String> =
        sorted_unique(train_idx.iter().map(|&i| data.label(i))).into_iter().map(str::to_string).collect();
    if train_classes.len() < 2 {
        return Err(Error::Usage("the training split has a single label; use more data".to_string()));
    }
    let class_of_name: Vec<u32> =
        data.names.iter().map(|n| train_classes.binary_search(n).map_or(u32::MAX, |c| c as u32)).collect();
    let y: Vec<u32> = train_idx.iter().map(|&i| class_of_name[data.labels[i] as usize]).collect();
    Ok((train_classes, y))
}

/// Seconds the fit spent computing features and fitting the classifier (calibration included),
/// and how C was chosen.
struct Timings {
    tfidf: f64,
    forest: f64,
    fit: f64,
    c: Option<CSelection>,
    /// Out-of-sample predictions of the training rows (`--calibrate` without validation rows).
    out_of_sample: Vec<(u32, u32, f64)>,
}

/// Fits the inputs, the classifier and (forest) the calibration on the training rows. The texts
/// are moved into the vectorizer, which frees them once counted: the forest grows without them
/// in memory.
fn fit(
    a: &TrainArgs,
    s: &Settings,
    data: &mut Labelled,
    train_idx: &[usize],
    train_classes: Vec<String>,
    y: &[u32],
) -> Result<(Model, Timings)> {
    let all_rows = train_idx.len() == data.len();
    let train_texts = if all_rows { std::mem::take(&mut data.texts) } else { data.texts.select(train_idx) };
    drop(std::mem::take(&mut data.texts));
    let hide = a.report.format().hides_progress();
    // Without validation rows, `--calibrate` chooses the threshold on out-of-sample predictions
    // of the training rows themselves.
    let oof = (a.calibrate || a.target_premium_share.is_some()) && a.valid.is_none() && a.valid_split == 0.0;
    let (mut model, timings) = fit_model(s, train_texts, y, train_classes, !a.no_calibration, oof, hide)?;
    model.meta.rows = train_idx.len();
    Ok((model, timings))
}

/// Fits a label model on `texts` with classes `y`: the one path of `train` and `--cv`.
fn fit_model(
    s: &Settings,
    texts: Texts,
    y: &[u32],
    classes: Vec<String>,
    calibrate: bool,
    oof: bool,
    hide_progress: bool,
) -> Result<(Model, Timings)> {
    let t0 = Instant::now();
    let n = texts.len();
    let (inputs, x) = Inputs::fit(s.features, s.tfidf, s.encoder.as_deref(), texts, s.threads).map_err(Error::Usage)?;
    let t1 = Instant::now();
    let k = classes.len();
    let mut out_of_sample = Vec::new();
    let (classifier, calibration, c) = match s.classifier {
        ClassifierKind::Forest => {
            let pb = output::progress(Some(s.forest.n_estimators as u64), "training", "trees", hide_progress);
            let forest = Forest::fit(&x, y, k, &s.forest, &|| pb.inc(1));
            pb.finish_and_clear();
            // Probabilities calibrated on the out-of-bag predictions (no validation row spent).
            let calibration = if calibrate {
                // Every row up to calibration::ROWS, else an even sample of that many.
                let step = x.n_rows().div_ceil(crate::ml::calibration::ROWS);
                crate::ml::calibration::fit(&forest.oob_proba_every(&x, s.seed, s.threads, step), y)
            } else {
                None
            };
            if oof {
                out_of_sample = forest_oob(&forest, &x, y, calibration, s);
            }
            (Classifier::Forest(forest), calibration, None)
        }
        ClassifierKind::Logistic => {
            let (c, selection) = choose_c(s, &x, y, k)?;
            let m = linear::fit_multinomial(&x, y, k, &linear::Params::new(c)).map_err(Error::Usage)?;
            warn_unconverged(&m);
            if oof {
                out_of_sample = logistic_oof(&x, y, k, c, s.seed)?;
            }
            (Classifier::Linear(vec![m]), None, selection)
        }
    };
    let t2 = Instant::now();
    let model = Model {
        labels: classes,
        inputs,
        classifier,
        threshold: s.threshold,
        meta: TrainingMeta {
            llmroute_version: env!("CARGO_PKG_VERSION").to_string(),
            rows: n,
            n_estimators: s.forest.n_estimators,
            max_depth: s.forest.max_depth,
            seed: s.seed,
            validation_accuracy: None,
            validation_fallback_rate: None,
            threshold_source: s.threshold_source.to_string(),
        },
        kind: crate::ml::model::Kind::Labels,
        calibration,
        fast: Default::default(),
    };
    let timings = Timings {
        tfidf: (t1 - t0).as_secs_f64(),
        forest: (t2 - t1).as_secs_f64(),
        fit: (t2 - t0).as_secs_f64(),
        c,
        out_of_sample,
    };
    Ok((model, timings))
}

/// Each training row's (true class, predicted class, confidence) from the trees that did not
/// see it, calibrated as the model will be.
fn forest_oob(f: &Forest, x: &Csr, y: &[u32], calibration: Option<f64>, s: &Settings) -> Vec<(u32, u32, f64)> {
    let oob = f.oob_proba_every(x, s.seed, s.threads, 1);
    oob.into_iter()
        .zip(y)
        .filter_map(|(p, &y)| {
            let mut p = p?;
            if let Some(a) = calibration {
                crate::ml::calibration::apply(&mut p, a);
            }
            let pred = Prediction::from_proba(p);
            Some((y, pred.class as u32, pred.confidence))
        })
        .collect()
}

/// Each training row's (true class, predicted class, confidence) from a logistic model fitted
/// at `c` without the row's fold ([`C_FOLDS`] seeded folds).
fn logistic_oof(x: &Csr, y: &[u32], k: usize, c: f64, seed: u64) -> Result<Vec<(u32, u32, f64)>> {
    let n = x.n_rows();
    let idx = DenseMatrix::from_2d_vec(&(0..n).map(|i| vec![i]).collect::<Vec<_>>())
        .map_err(|e| Error::Usage(format!("cannot split the data: {e}")))?;
    let folds = KFold::default().with_n_splits(C_FOLDS.min(n)).with_shuffle(true).with_seed(Some(seed));
    let mut out = vec![(0, 0, 0.0); n];
    for (tr, te) in folds.split(&idx) {
        let yt: Vec<u32> = tr.iter().map(|&r| y[r]).collect();
        let m = linear::fit_multinomial(&x.select(&tr), &yt, k, &linear::Params::new(c))
            .map_err(|e| Error::Usage(format!("cannot calibrate on out-of-fold predictions: {e}")))?;
        let mut p = vec![0.0; k];
        for &r in &te {
            let (i, v) = x.row(r);
            m.predict_proba(i, v, &mut p);
            let pred = Prediction::from_proba(p.clone());
            out[r] = (y[r], pred.class as u32, pred.confidence);
        }
    }
    Ok(out)
}

/// `--c`, else the C of [`C_GRID`] with the best mean accuracy over [`C_FOLDS`] stratified folds
/// of the training rows.
fn choose_c(s: &Settings, x: &Csr, y: &[u32], k: usize) -> Result<(f64, Option<CSelection>)> {
    if let Some(c) = s.c {
        return Ok((c, Some(CSelection { c, source: "flag", folds: 0, grid: Vec::new() })));
    }
    let cv = linear::select_c(x, y, k, &C_GRID, C_FOLDS, s.seed, s.threads)
        .map_err(|e| Error::Usage(format!("cannot choose C by cross-validation: {e}; set it with --c")))?;
    let grid = C_GRID.iter().copied().zip(cv.mean_accuracy).collect();
    Ok((cv.best_c, Some(CSelection { c: cv.best_c, source: "cross-validation", folds: C_FOLDS, grid })))
}

/// Says so when L-BFGS stopped at its iteration limit.
pub(crate) fn warn_unconverged(m: &Linear) {
    if !m.converged() {
        output::warn(&format!(
            "logistic regression stopped after {} iterations before converging (C {}); its probabilities may be off",
            m.n_iter(),
            m.c()
        ));
    }
}

/// Chooses the threshold on (true, predicted, confidence) triples, as `--calibrate` and
/// `--target-premium-share` ask.
fn set_threshold(a: &TrainArgs, model: &mut Model, y_true: &[u32], pairs: &[(u32, f64)], premium: Option<u32>) {
    let c = metrics::calibrate(y_true, pairs, premium, a.target_premium_share);
    if let Some(x) = c.unmet_target {
        output::warn(&format!(
            "cannot meet --target-premium-share {x}: the classifier alone sends more to the premium model; threshold set to 0"
        ));
    }
    model.threshold = c.threshold;
    model.meta.threshold_source = c.source.to_string();
}

/// `--calibrate` without validation rows: the threshold from out-of-sample predictions of the
/// training rows (out-of-fold for logistic regression, out-of-bag for a forest).
fn calibrate_threshold(a: &TrainArgs, model: &mut Model, oos: &[(u32, u32, f64)], premium: Option<u32>) {
    let y: Vec<u32> = oos.iter().map(|t| t.0).collect();
    let pairs: Vec<(u32, f64)> = oos.iter().map(|t| (t.1, t.2)).collect();
    set_threshold(a, model, &y, &pairs, premium);
    model.meta.threshold_source.push_str(" (out-of-sample training predictions)");
}

/// Measures the model on the validation rows; with `--calibrate` or `--target-premium-share`,
/// chooses its threshold there first. Records the figures in the model.
fn validate(a: &TrainArgs, model: &mut Model, v: &Labelled, premium: Option<u32>) -> metrics::EvalReport {
    let preds = predict_all(model, &v.texts);
    let (classes_ext, y_true) = extend_classes(&model.labels, v);
    let pairs: Vec<(u32, f64)> = preds.iter().map(|p| (p.class as u32, p.confidence)).collect();
    if a.calibrate || a.target_premium_share.is_some() {
        set_threshold(a, model, &y_true, &pairs, premium);
    }
    let report = metrics::evaluate(&classes_ext, &y_true, &pairs, model.threshold, premium);
    model.meta.validation_accuracy = Some(report.accuracy);
    model.meta.validation_fallback_rate = Some(report.fallback_rate);
    if report.fallback_rate > 0.5 {
        output::warn(&format!(
            "{:.1} % of validation prompts fall below the confidence threshold {:.2} and would go to the premium model; \
             this router saves little. Try --calibrate, --target-premium-share, another --analyzer, or --max-depth none",
            report.fallback_rate * 100.0,
            model.threshold
        ));
    }
    report
}

/// Adds labels seen only in evaluation data (they can never be predicted) and encodes the rows'
/// labels.
fn extend_classes(model_labels: &[String], data: &Labelled) -> (Vec<String>, Vec<u32>) {
    let mut classes = model_labels.to_vec();
    let mut extra: Vec<&String> = data.names.iter().filter(|l| !model_labels.contains(l)).collect();
    extra.sort();
    classes.extend(extra.into_iter().cloned());
    let of_name: Vec<u32> =
        data.names.iter().map(|n| classes.iter().position(|c| c == n).unwrap_or(0) as u32).collect();
    (classes, data.labels.iter().map(|&l| of_name[l as usize]).collect())
}

fn cross_validate(data: &Labelled, classes: &[String], k: usize, s: &Settings) -> Result<CvReport> {
    let n = data.len();
    if k < 2 || k > n {
        return Err(Error::Usage(format!("--cv {k}: needs 2 <= folds <= rows ({n})")));
    }
    let x = DenseMatrix::from_2d_vec(&(0..n).map(|i| vec![i]).collect::<Vec<_>>())
        .map_err(|e| Error::Usage(format!("cannot split the data: {e}")))?;
    let folds = KFold::default().with_n_splits(k).with_shuffle(true).with_seed(Some(s.seed));
    let mut accs = Vec::with_capacity(k);
    for (tr, te) in folds.split(&x) {
        let y = encode(classes, data, &tr);
        let (m, _) = fit_model(s, data.texts.select(&tr), &y, classes.to_vec(), false, false, true)?;
        let truth = encode(classes, data, &te);
        let preds = predict_all(&m, &data.texts.select(&te));
        let correct = preds.iter().zip(&truth).filter(|(p, t)| p.class as u32 == **t).count();
        accs.push(correct as f64 / te.len().max(1) as f64);
    }
    let mean = accs.iter().sum::<f64>() / accs.len() as f64;
    let var = accs.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / accs.len() as f64;
    Ok(CvReport { folds: k, accuracy_mean: mean, accuracy_std: var.sqrt(), fold_accuracy: accs })
}

fn display_name(paths: &[std::path::PathBuf]) -> String {
    let name =
        |p: &std::path::PathBuf| if p.as_os_str() == "-" { "stdin".to_string() } else { p.display().to_string() };
    paths.iter().map(name).collect::<Vec<_>>().join(", ")
}

pub fn evaluate(ctx: &Context, a: &EvaluateArgs) -> Result<()> {
    let config = ctx.config()?;
    let t_load = Instant::now();
    let model = artifact::load(&a.classifier)?;
    let load_ms = t_load.elapsed().as_secs_f64() * 1e3;
    if let crate::ml::model::Kind::Outcomes(_) = &model.kind {
        if a.by.is_some() {
            return Err(Error::usage(
                "`--by` reports a label model's routing per segment; for an outcome model, split the log by the \
                 column and evaluate each part",
            ));
        }
        return crate::commands::train_outcomes::evaluate(&config, a, &model, load_ms);
    }
    let data = read_labelled_all(&a.data, &a.labels, a.by.as_deref())?;
    if let Some(col) = &a.by
        && data.segments.iter().all(|s| s == "(empty)")
    {
        return Err(Error::Usage(format!(
            "{}: `--by {col}`: no row has a value in column `{col}`",
            display_name(&a.data)
        )));
    }
    let threshold = a.min_confidence.or(config.ml.min_confidence).unwrap_or(model.threshold);
    let t0 = Instant::now();
    let preds = predict_all(&model, &data.texts);
    let secs = t0.elapsed().as_secs_f64();
    let (classes, y_true) = extend_classes(&model.labels, &data);
    let pairs: Vec<(u32, f64)> = preds.iter().map(|p| (p.class as u32, p.confidence)).collect();
    let premium = premium_class(&config, &model.labels);
    let report = EvaluateReport {
        model: a.classifier.display().to_string(),
        load_ms,
        bad_rows: data.bad_rows.len(),
        predict_seconds: secs,
        per_query_us: secs * 1e6 / data.len().max(1) as f64,
        metrics: metrics::evaluate(&classes, &y_true, &pairs, threshold, premium),
        segments: a.by.as_ref().map(|col| Segments {
            column: col.clone(),
            rows: segments(&config, &classes, &data, &y_true, &pairs, threshold),
        }),
    };
    output::format::emit_report(&report, a.report.format())?;
    if !data.bad_rows.is_empty() {
        return Err(Error::Partial(format!("{} bad row(s) skipped", data.bad_rows.len())));
    }
    Ok(())
}

/// Per-segment figures: a row is under-routed when the model it would be sent to (the low-
/// confidence model below the threshold, else its predicted label's model) has a lower cost rank
/// than its true label's model, as `[ml.labels]` maps them.
fn segments(
    config: &Config,
    classes: &[String],
    data: &Labelled,
    y_true: &[u32],
    preds: &[(u32, f64)],
    threshold: f64,
) -> Vec<Segment> {
    let by_cost = config.models_by_cost();
    let rank = |m: crate::config::ModelId| by_cost.iter().position(|&x| x == m);
    let class_rank: Vec<Option<usize>> =
        classes.iter().map(|l| config.ml.model_for_label(config, l).and_then(rank)).collect();
    let fallback_rank = rank(config.ml.low_confidence_model);
    let mut groups: std::collections::BTreeMap<&str, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, s) in data.segments.iter().enumerate() {
        groups.entry(s.as_str()).or_default().push(i);
    }
    let all: Vec<usize> = (0..y_true.len()).collect();
    let figures = |name: &str, rows: &[usize]| {
        let n = rows.len();
        let (mut correct, mut fallback, mut after, mut ranked, mut under, mut over) = (0, 0, 0, 0, 0, 0);
        for &i in rows {
            let (y, (p, conf)) = (y_true[i], preds[i]);
            correct += usize::from(p == y);
            let low = conf < threshold;
            fallback += usize::from(low);
            let routed = if low { fallback_rank } else { class_rank[p as usize] };
            let needed = class_rank.get(y as usize).copied().flatten();
            after += usize::from(if low { routed.is_some() && routed == needed } else { p == y });
            if let (Some(r), Some(need)) = (routed, needed) {
                ranked += 1;
                under += usize::from(r < need);
                over += usize::from(r > need);
            }
        }
        let share = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        Segment {
            segment: name.to_string(),
            rows: n,
            accuracy: share(correct, n),
            fallback_rate: share(fallback, n),
            accuracy_after_fallback: share(after, n),
            under_routed: (ranked > 0).then(|| share(under, ranked)),
            over_routed: (ranked > 0).then(|| share(over, ranked)),
        }
    };
    let mut out: Vec<Segment> = groups.iter().map(|(name, rows)| figures(name, rows)).collect();
    out.push(figures("all", &all));
    out
}
