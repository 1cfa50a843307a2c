//! `llmroute train --outcomes` and `evaluate` of an outcome model: learn every model's expected
//! quality from outcome logs, choose the cost–quality operating point on validation rows, and
//! report the router's curve with bootstrap intervals.

use std::path::PathBuf;
use std::time::Instant;

use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::model_selection::{BaseKFold, KFold, train_test_split};

use crate::commands::train::{C_FOLDS, C_GRID, ClassifierKind};
use crate::commands::train::{EvaluateArgs, LabelledArgs, OutcomeArgs, TrainArgs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ml::analyzer::{Analyzer, AnalyzerKind};
use crate::ml::dataset::Texts;
use crate::ml::features::{Inputs, Scratch};
use crate::ml::forest::{Forest, ForestParams, Targets};
use crate::ml::linear;
use crate::ml::model::{Classifier, Feature, Kind, Model, Outcomes, TrainingMeta};
use crate::ml::outcome::{self, Point, Rows, Target};
use crate::ml::sparse::Csr;
use crate::ml::tfidf::TfidfConfig;
use crate::output;
use crate::output::outcomes::{CvReport, EvaluateReport, Operating, Single, TrainReport, Validation};
use crate::replay::dataset::{Dataset, Hooks, Spec};
use crate::replay::metrics;

/// The analyzer of outcome models when `--analyzer` is not given: words, with Chinese, Japanese and
/// Korean runs split into characters (on RouterBench's English rows it equals scikit-learn's word
/// tokens, which beat character n-grams there; see the README).
const ANALYZER: AnalyzerKind = AnalyzerKind::Cjk;

/// The replay spec for outcome logs from the train/evaluate flags.
fn spec(labels: &LabelledArgs, o: &OutcomeArgs) -> Spec {
    Spec {
        format: labels.format.input_format,
        text: Some(labels.text_col.clone()),
        id: o.id_col.clone().or_else(|| o.long.then(|| "id".to_string())),
        quality: o.quality.clone(),
        quality_scale: o.quality_scale,
        cost: o.cost.clone(),
        response: o.response.clone(),
        models: o.models.clone(),
        long: o.long.then(|| o.model_col.clone()),
        timestamp: None,
        by: None,
        tag: o.feature_col.clone(),
        tag_required: true,
        label: "label".to_string(),
        input_tokens: "input_tokens".to_string(),
        cached_tokens: "cached_input_tokens".to_string(),
        output_tokens: "output_tokens".to_string(),
        map: o.map.map.clone(),
        skip_bad: labels.skip_bad,
    }
}

fn load(config: &Config, files: &[PathBuf], labels: &LabelledArgs, o: &OutcomeArgs, threads: usize) -> Result<Dataset> {
    crate::replay::dataset::map_to_catalog(config, &o.map.map)?;
    let prices = crate::prices::load(o.prices.as_deref())?;
    let hooks = Hooks { on_bad: &mut |e| output::warn(&format!("skipped {e}")), on_text: &mut |_| {} };
    crate::replay::dataset::load(files, &spec(labels, o), config, &prices, threads, hooks)
}

/// The data models learned: all, or `--candidates`; checked to be learnable.
fn candidates(ds: &Dataset, config: &Config, o: &OutcomeArgs) -> Result<Vec<usize>> {
    if ds.plain {
        return Err(Error::Usage(
            "the data has no outcome columns: --outcomes learns from a quality column per model (and its costs)"
                .to_string(),
        ));
    }
    let cands = match &o.candidates {
        Some(c) => crate::replay::names_to_candidates(ds, config, c, "--candidates")?,
        None => (0..ds.m()).collect(),
    };
    if cands.len() < 2 {
        return Err(Error::Usage(format!(
            "outcomes for {} model(s); the outcome router needs two or more to choose between",
            cands.len()
        )));
    }
    for &m in &cands {
        let empty = (0..ds.n()).all(|r| ds.empty[r * ds.m() + m]);
        if empty {
            return Err(Error::Usage(format!("model `{}` has no outcome in any row", ds.models[m].name)));
        }
        if (0..ds.n()).all(|r| ds.q(r, m) == 0.0) {
            output::warn(&format!(
                "model `{}` never answered well in the data; the router will choose it only when nothing else is \
                 expected to do better",
                ds.models[m].name
            ));
        }
    }
    Ok(cands)
}

/// The rows `x` with the categorical feature's one-hot columns after the inputs' columns.
fn with_tags(x: Csr, feature: Option<&Feature>, tags: &[Option<&str>]) -> Csr {
    let Some(f) = feature else { return x };
    let mut out = Csr::with_capacity(x.n_cols + f.values.len(), x.n_rows(), x.nnz() + tags.len());
    for (r, tag) in tags.iter().enumerate() {
        let (i, v) = x.row(r);
        let one = tag.and_then(|t| f.values.iter().position(|v| v == t)).map(|j| ((x.n_cols + j) as u32, 1.0));
        out.push_row(i.iter().copied().zip(v.iter().copied()).chain(one));
    }
    out
}

/// What a set of rows holds for the router: text, tag, characters, and each model's recorded
/// quality and cost (the chosen candidates only, in order).
struct Table<'a> {
    texts: Vec<&'a str>,
    tags: Vec<Option<&'a str>>,
    chars: Vec<usize>,
    quality: Vec<f64>,
    cost: Vec<f64>,
}

fn table<'a>(ds: &'a Dataset, rows: &[usize], cands: &[usize]) -> Table<'a> {
    let mut t = Table { texts: Vec::new(), tags: Vec::new(), chars: Vec::new(), quality: Vec::new(), cost: Vec::new() };
    for &r in rows {
        let text = ds.texts.get(r);
        t.texts.push(text);
        t.tags.push(ds.tag(r));
        t.chars.push(text.chars().count());
        for &m in cands {
            t.quality.push(ds.q(r, m));
            t.cost.push(ds.c(r, m));
        }
    }
    t
}

fn predict_rows(model: &Model, t: &Table) -> Vec<f64> {
    let mut scratch = Scratch::default();
    t.texts.iter().zip(&t.tags).flat_map(|(text, tag)| model.predict_with(text, *tag, &mut scratch).proba).collect()
}

/// Fits an outcome model on rows `train` of `ds`.
fn fit(ds: &Dataset, train: &[usize], cands: &[usize], a: &TrainArgs, threads: usize) -> Result<Model> {
    let o = &a.outcome;
    let t = table(ds, train, cands);
    let feature = o.feature_col.as_ref().map(|column| {
        let mut values: Vec<String> = t.tags.iter().flatten().map(|s| s.to_string()).collect();
        values.sort();
        values.dedup();
        Feature { column: column.clone(), values }
    });
    let kind = a.analyzer.unwrap_or(ANALYZER);
    let (lo, hi) = a.ngram.unwrap_or_else(|| crate::ml::defaults::ngram(Some(kind)));
    let cfg = TfidfConfig {
        analyzer: Analyzer { kind, ngram_min: lo, ngram_max: hi },
        max_features: Some(a.max_features),
        sublinear_tf: a.sublinear_tf,
    };
    let mut texts = Texts::default();
    t.texts.iter().for_each(|s| texts.push(s));
    let (inputs, x) = Inputs::fit(a.features, cfg, a.encoder.as_deref(), texts, threads).map_err(Error::Usage)?;
    let x = with_tags(x, feature.as_ref(), &t.tags);
    let k = cands.len();
    let classifier = match crate::commands::train::classifier_of(a)? {
        ClassifierKind::Forest => {
            let targets: Vec<f32> = t.quality.iter().map(|&q| q as f32).collect();
            let params = ForestParams {
                n_estimators: a.n_estimators,
                max_depth: a.max_depth.0,
                max_features: None,
                min_samples_leaf: o.min_samples_leaf,
                seed: a.seed,
                threads,
            };
            let forest = Forest::fit_targets(&x, Targets::Values { values: &targets, n: k }, &params, &|| {});
            Classifier::Forest(Forest::new(x.n_cols, k, forest.trees))
        }
        ClassifierKind::Logistic => Classifier::Linear(fit_heads(&x, &t, cands, ds, a, threads)?),
    };
    let n = train.len().max(1) as f64;
    let mean_cost = (0..k).map(|m| (0..train.len()).map(|r| t.cost[r * k + m]).sum::<f64>() / n).collect();
    let outcomes = Outcomes {
        cost: outcome::fit_costs(&t.chars, &t.cost, k),
        mean_cost,
        lambda: 0.0,
        lambda_source: String::new(),
        feature,
    };
    Ok(Model {
        labels: cands.iter().map(|&m| ds.models[m].name.clone()).collect(),
        inputs,
        classifier,
        threshold: 0.0,
        meta: TrainingMeta {
            llmroute_version: env!("CARGO_PKG_VERSION").to_string(),
            rows: train.len(),
            n_estimators: a.n_estimators,
            max_depth: a.max_depth.0,
            seed: a.seed,
            validation_accuracy: None,
            validation_fallback_rate: None,
            threshold_source: "outcomes".to_string(),
        },
        kind: Kind::Outcomes(outcomes),
        calibration: None,
        fast: Default::default(),
    })
}

/// One logistic head per model: the probability of a good answer, fitted on the recorded
/// quality as a soft target (C by `--c`, else cross-validated log-loss in the training rows).
fn fit_heads(
    x: &Csr,
    t: &Table,
    cands: &[usize],
    ds: &Dataset,
    a: &TrainArgs,
    threads: usize,
) -> Result<Vec<linear::Linear>> {
    let k = cands.len();
    let n = t.texts.len();
    let mut heads = Vec::with_capacity(k);
    for (m, &cand) in cands.iter().enumerate() {
        let name = &ds.models[cand].name;
        let target: Vec<f64> = (0..n).map(|r| t.quality[r * k + m]).collect();
        if let Some(q) = target.iter().find(|q| !(0.0..=1.0).contains(*q)) {
            return Err(Error::Usage(format!(
                "model `{name}`: quality {q} is outside [0, 1]; a logistic head learns a probability of success \
                 (rescale with --quality-scale, or use --classifier forest)"
            )));
        }
        let c = match a.c {
            Some(c) => c,
            None => {
                linear::select_c_binary(x, &target, &C_GRID, C_FOLDS, a.seed, threads)
                    .map_err(|e| Error::Usage(format!("model `{name}`: cannot choose C: {e}; set it with --c")))?
                    .best_c
            }
        };
        let h = linear::fit_binary(x, &target, &linear::Params::new(c))
            .map_err(|e| Error::Usage(format!("model `{name}`: {e}; use --classifier forest")))?;
        crate::commands::train::warn_unconverged(&h);
        heads.push(h);
    }
    Ok(heads)
}

fn outcomes_of(m: &Model) -> Result<&Outcomes> {
    match &m.kind {
        Kind::Outcomes(o) => Ok(o),
        Kind::Labels => Err(Error::Usage("not an outcome model (train it with `train --outcomes`)".to_string())),
    }
}

/// The dearest model by mean cost.
fn dearest(mean_cost: &[f64]) -> usize {
    (0..mean_cost.len()).max_by(|&a, &b| mean_cost[a].total_cmp(&mean_cost[b])).unwrap_or(0)
}

/// The router's figures on rows it was not trained on (`pred`: its predictions for them), at
/// `lambda`.
fn validate(model: &Model, t: &Table, pred: &[f64], lambda: f64, bootstrap: usize, seed: u64) -> Result<Validation> {
    let o = outcomes_of(model)?;
    let k = model.labels.len();
    let rows = Rows { k, pred, chars: &t.chars, quality: &t.quality, cost: &t.cost };
    let n = rows.n().max(1) as f64;
    let singles: Vec<Single> = (0..k)
        .map(|m| Single {
            model: model.labels[m].clone(),
            cost: (0..rows.n()).map(|r| t.cost[r * k + m]).sum::<f64>() / n,
            quality: (0..rows.n()).map(|r| t.quality[r * k + m]).sum::<f64>() / n,
        })
        .collect();
    let mean_costs: Vec<f64> = singles.iter().map(|s| s.cost).collect();
    let premium = dearest(&o.mean_cost);
    let curve = rows.sweep(o, &outcome::lambda_grid(&o.mean_cost), premium);
    let choices = rows.choices(o, lambda);
    let chosen_cost: Vec<f64> = choices.iter().enumerate().map(|(r, &m)| t.cost[r * k + m]).collect();
    let chosen_q: Vec<f64> = choices.iter().enumerate().map(|(r, &m)| t.quality[r * k + m]).collect();
    let point = rows.point(o, lambda, premium);
    let mix = (0..k)
        .map(|m| (model.labels[m].clone(), choices.iter().filter(|&&c| c == m).count() as f64 / n))
        .filter(|(_, s)| *s > 0.0)
        .collect();
    let (c_min, c_max) = mean_costs.iter().fold((f64::MAX, f64::MIN), |(a, b), &c| (a.min(c), b.max(c)));
    let single_pts: Vec<(f64, f64)> = singles.iter().map(|s| (s.cost, s.quality)).collect();
    let curve_pts: Vec<(f64, f64)> = curve.iter().map(|p| (p.cost, p.quality)).collect();
    let oracle_quality =
        (0..rows.n()).map(|r| t.quality[r * k..(r + 1) * k].iter().copied().fold(0.0, f64::max)).sum::<f64>() / n;
    Ok(Validation {
        rows: rows.n(),
        models: singles,
        operating_point: Operating {
            lambda,
            cost: point.cost,
            cost_ci: metrics::bootstrap_mean(&chosen_cost, bootstrap, seed, crate::replay::BOOTSTRAP_BLOCKS),
            quality: point.quality,
            quality_ci: metrics::bootstrap_mean(&chosen_q, bootstrap, seed ^ 1, crate::replay::BOOTSTRAP_BLOCKS),
            premium_share: point.premium_share,
            mix,
        },
        curve,
        aiq: metrics::aiq(&curve_pts, c_min, c_max),
        zero_router_aiq: metrics::aiq(&single_pts, c_min, c_max),
        oracle_quality,
    })
}

/// The operating point the flags ask for (default: the best quality at half the dearest model's
/// cost).
fn target(o: &OutcomeArgs, mean_cost: &[f64]) -> Target {
    if let Some(l) = o.lambda {
        return Target::Lambda(l);
    }
    if let Some(q) = o.target_quality {
        return Target::Quality(q);
    }
    if let Some(s) = o.premium_share {
        return Target::PremiumShare(s);
    }
    Target::MaxCost(o.max_cost.unwrap_or_else(|| mean_cost[dearest(mean_cost)] / 2.0))
}

/// A seeded hold-out split of `n` rows (smartcore's `train_test_split`, as label training).
fn split(n: usize, share: f64, seed: u64) -> Result<(Vec<usize>, Vec<usize>)> {
    if n < 2 || ((n as f32) * share as f32) < 1.0 {
        return Err(Error::Usage(format!(
            "--valid-split {share} leaves no validation row out of {n}; use more data, a larger split, or --valid-split 0 \
             with --lambda"
        )));
    }
    let idx: Vec<usize> = (0..n).collect();
    let x = DenseMatrix::from_2d_vec(&idx.iter().map(|&i| vec![i]).collect::<Vec<_>>())
        .map_err(|e| Error::Usage(format!("cannot split the data: {e}")))?;
    let (_, _, tr, va) = train_test_split(&x, &idx, share as f32, true, Some(seed));
    Ok((tr, va))
}

pub fn train(config: &Config, a: &TrainArgs) -> Result<()> {
    if a.output.exists() && !a.force {
        return Err(Error::Usage(format!("{}: already exists; pass --force to overwrite it", a.output.display())));
    }
    let threads = crate::commands::threads(a.threads);
    let o = &a.outcome;
    let ds = load(config, &a.data, &a.labels, o, threads)?;
    let cands = candidates(&ds, config, o)?;
    let n = ds.n();
    // Validation rows: a file, a seeded split, or none (then λ must be given).
    let valid_ds = match &a.valid {
        Some(v) => Some(load(config, std::slice::from_ref(v), &a.labels, o, threads)?),
        None => None,
    };
    let (train_rows, valid_rows) = match (&valid_ds, a.valid_split > 0.0) {
        (Some(_), _) | (None, false) => ((0..n).collect::<Vec<_>>(), Vec::new()),
        (None, true) => split(n, a.valid_split, a.seed)?,
    };
    if valid_ds.is_none() && valid_rows.is_empty() && o.lambda.is_none() {
        return Err(Error::Usage(
            "without validation rows the operating point cannot be chosen: give --lambda, or keep --valid-split / \
             --valid"
                .to_string(),
        ));
    }
    let cv = match a.cv {
        Some(k) => Some(cross_validate(&ds, &cands, a, k, threads)?),
        None => None,
    };
    let t0 = Instant::now();
    let mut model = fit(&ds, &train_rows, &cands, a, threads)?;
    let fit_seconds = t0.elapsed().as_secs_f64();
    // The validation table, over the same models.
    let valid_table = match &valid_ds {
        Some(v) => {
            let names: Vec<String> = model.labels.clone();
            let vc = crate::replay::names_to_candidates(v, config, &names, "--valid")?;
            Some(table(v, &(0..v.n()).collect::<Vec<_>>(), &vc))
        }
        None if !valid_rows.is_empty() => Some(table(&ds, &valid_rows, &cands)),
        None => None,
    };
    let validation = choose_operating_point(&mut model, valid_table.as_ref(), o, a.seed)?;
    let bytes = crate::ml::artifact::to_bytes(&model);
    crate::fsutil::write_atomic(&a.output, &bytes, a.force)?;
    let oc = outcomes_of(&model)?;
    let report = TrainReport {
        model: a.output.display().to_string(),
        model_bytes: bytes.len(),
        rows: n,
        train_rows: train_rows.len(),
        valid_rows: valid_table.as_ref().map_or(0, |t| t.texts.len()),
        bad_rows: ds.bad_rows.len(),
        models: model.labels.clone(),
        feature: oc.feature.clone(),
        analyzer: model.inputs.tfidf.as_ref().map_or("-", |t| t.config.analyzer.kind.as_str()),
        vocabulary_size: model.inputs.tfidf_columns(),
        features: model.inputs.kind.as_str(),
        encoder: model.inputs.encoder.as_ref().map(|e| e.embed.describe()),
        classifier: model.classifier.name(),
        c: model.classifier.c(),
        n_estimators: a.n_estimators,
        min_samples_leaf: o.min_samples_leaf,
        fit_seconds,
        nodes: match &model.classifier {
            Classifier::Forest(f) => f.n_nodes(),
            Classifier::Linear(_) => 0,
        },
        lambda: oc.lambda,
        lambda_source: oc.lambda_source.clone(),
        validation,
        cv,
    };
    output::format::emit_report(&report, a.report.format())?;
    if !ds.bad_rows.is_empty() {
        return Err(Error::Partial(format!("{} bad row(s) skipped", ds.bad_rows.len())));
    }
    Ok(())
}

/// Chooses the operating point (λ) on the validation rows as `--lambda`, `--target-quality`,
/// `--max-cost` or `--premium-share` asks, records it in the model, and measures it there.
fn choose_operating_point(
    model: &mut Model,
    valid_table: Option<&Table>,
    o: &OutcomeArgs,
    seed: u64,
) -> Result<Option<Validation>> {
    let mean_cost = outcomes_of(model)?.mean_cost.clone();
    let tgt = target(o, &mean_cost);
    let mut validation = None;
    let mut lambda = match tgt {
        Target::Lambda(l) => l,
        _ => 0.0,
    };
    if let Some(t) = valid_table {
        let pred = predict_rows(model, t);
        let probe = validate(model, t, &pred, 0.0, 0, seed)?;
        lambda = match outcome::choose_lambda(&probe.curve, tgt) {
            Some(l) => l,
            None => {
                // The closest point: the cheapest for an unreachable quality, else the best.
                let fallback = match tgt {
                    Target::Quality(_) => probe.curve.iter().max_by(|x, y| x.quality.total_cmp(&y.quality)),
                    _ => probe.curve.iter().min_by(|x, y| x.cost.total_cmp(&y.cost)),
                };
                output::warn(&format!("no point of the validation curve meets --{}; using the closest", tgt.source()));
                fallback.map_or(0.0, |p| p.lambda)
            }
        };
        validation = Some(validate(model, t, &pred, lambda, 1000, seed)?);
    }
    if let Kind::Outcomes(oc) = &mut model.kind {
        oc.lambda = lambda;
        oc.lambda_source = match (tgt, o.max_cost) {
            (Target::MaxCost(_), None) => "default (best quality at half the dearest model's cost)".to_string(),
            _ => tgt.source().to_string(),
        };
    }
    Ok(validation)
}

/// K-fold out-of-fold predictions over all rows: the curve, its APGR between the cheapest and the
/// dearest model with a bootstrap interval, and its AIQ.
fn cross_validate(ds: &Dataset, cands: &[usize], a: &TrainArgs, k: usize, threads: usize) -> Result<CvReport> {
    let n = ds.n();
    if k > n {
        return Err(Error::Usage(format!("--cv {k}: needs at most as many folds as rows ({n})")));
    }
    let x = DenseMatrix::from_2d_vec(&(0..n).map(|i| vec![i]).collect::<Vec<_>>())
        .map_err(|e| Error::Usage(format!("cannot split the data: {e}")))?;
    let folds = KFold::default().with_n_splits(k).with_shuffle(true).with_seed(Some(a.seed));
    let m = cands.len();
    let mut pred = vec![0.0; n * m];
    let mut model_mean_cost = vec![0.0; m];
    for (tr, te) in folds.split(&x) {
        let model = fit(ds, &tr, cands, a, threads)?;
        let t = table(ds, &te, cands);
        let p = predict_rows(&model, &t);
        for (i, &r) in te.iter().enumerate() {
            pred[r * m..(r + 1) * m].copy_from_slice(&p[i * m..(i + 1) * m]);
        }
        for (acc, c) in model_mean_cost.iter_mut().zip(&outcomes_of(&model)?.mean_cost) {
            *acc += c / k as f64;
        }
    }
    let all = table(ds, &(0..n).collect::<Vec<_>>(), cands);
    // The curve uses each row's own fold's cost model; the costs are refitted on all rows here
    // (they only order the models).
    let o = Outcomes {
        cost: outcome::fit_costs(&all.chars, &all.cost, m),
        mean_cost: model_mean_cost,
        lambda: 0.0,
        lambda_source: String::new(),
        feature: None,
    };
    let rows = Rows { k: m, pred: &pred, chars: &all.chars, quality: &all.quality, cost: &all.cost };
    let premium = dearest(&o.mean_cost);
    let cheapest = (0..m).min_by(|&x, &y| o.mean_cost[x].total_cmp(&o.mean_cost[y])).unwrap_or(0);
    let grid = outcome::lambda_grid(&o.mean_cost);
    let curve = rows.sweep(&o, &grid, premium);
    let nf = n.max(1) as f64;
    let mean_q = |mm: usize| (0..n).map(|r| all.quality[r * m + mm]).sum::<f64>() / nf;
    let mean_c = |mm: usize| (0..n).map(|r| all.cost[r * m + mm]).sum::<f64>() / nf;
    let (qw, qs) = (mean_q(cheapest), mean_q(premium));
    let apgr_of = |pts: &[Point]| {
        let mut cp: Vec<metrics::CurvePoint> = pts
            .iter()
            .map(|p| metrics::CurvePoint { premium_share: p.premium_share, cost: p.cost, quality: p.quality })
            .collect();
        cp.sort_by(|x, y| x.premium_share.total_cmp(&y.premium_share));
        metrics::gap_metrics(&cp, qw, qs).apgr
    };
    // A row bootstrap of the APGR: resample rows, recompute the curve's points.
    let choices: Vec<Vec<usize>> = grid.iter().map(|&l| rows.choices(&o, l)).collect();
    let mut rng = crate::rng::Rng::new(crate::rng::derive(a.seed, 0xA96));
    let mut samples = Vec::new();
    for _ in 0..200 {
        let pick: Vec<usize> = (0..n).map(|_| rng.below(n)).collect();
        let (qw, qs) = (
            pick.iter().map(|&r| all.quality[r * m + cheapest]).sum::<f64>() / nf,
            pick.iter().map(|&r| all.quality[r * m + premium]).sum::<f64>() / nf,
        );
        let mut cp: Vec<metrics::CurvePoint> = choices
            .iter()
            .map(|ch| metrics::CurvePoint {
                premium_share: pick.iter().filter(|&&r| ch[r] == premium).count() as f64 / nf,
                cost: pick.iter().map(|&r| all.cost[r * m + ch[r]]).sum::<f64>() / nf,
                quality: pick.iter().map(|&r| all.quality[r * m + ch[r]]).sum::<f64>() / nf,
            })
            .collect();
        cp.sort_by(|x, y| x.premium_share.total_cmp(&y.premium_share));
        if let Some(v) = metrics::gap_metrics(&cp, qw, qs).apgr {
            samples.push(v);
        }
    }
    samples.sort_by(f64::total_cmp);
    let ci = (!samples.is_empty()).then(|| {
        let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
        (at(0.025), at(0.975))
    });
    let singles: Vec<(f64, f64)> = (0..m).map(|mm| (mean_c(mm), mean_q(mm))).collect();
    let (c_min, c_max) = singles.iter().fold((f64::MAX, f64::MIN), |(x, y), p| (x.min(p.0), y.max(p.0)));
    let curve_pts: Vec<(f64, f64)> = curve.iter().map(|p| (p.cost, p.quality)).collect();
    Ok(CvReport {
        folds: k,
        apgr: apgr_of(&curve),
        apgr_ci: ci,
        aiq: metrics::aiq(&curve_pts, c_min, c_max),
        zero_router_aiq: metrics::aiq(&singles, c_min, c_max),
    })
}

/// `evaluate` of an outcome model on outcome logs: the operating point (or `--lambda`) and the
/// curve.
pub fn evaluate(config: &Config, a: &EvaluateArgs, model: &Model, load_ms: f64) -> Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut spec_args = a.outcome.clone();
    if spec_args.feature_col.is_none() {
        spec_args.feature_col = outcomes_of(model)?.feature.as_ref().map(|f| f.column.clone());
    }
    let ds = load(config, &a.data, &a.labels, &spec_args, threads)?;
    let cands = crate::replay::names_to_candidates(&ds, config, &model.labels, "the model's")?;
    let t = table(&ds, &(0..ds.n()).collect::<Vec<_>>(), &cands);
    let lambda = a.outcome.lambda.unwrap_or(outcomes_of(model)?.lambda);
    let t0 = Instant::now();
    let pred = predict_rows(model, &t);
    let per_query_us = t0.elapsed().as_secs_f64() * 1e6 / t.texts.len().max(1) as f64;
    let validation = validate(model, &t, &pred, lambda, 1000, 42)?;
    let r = EvaluateReport {
        model: a.classifier.display().to_string(),
        labels: model.labels.clone(),
        load_ms,
        per_query_us,
        validation,
    };
    output::format::emit_report(&r, a.report.format())
}
