//! Replay: route historical requests with every strategy and measure cost and quality.
//!
//! Routers decide catalog models; the data records outcomes of its own models ("candidates").
//! A decision is served by the candidate that is that catalog model (`--map`, same name or
//! `model_id`); a catalog model absent from the data is served by the candidate at the same
//! relative position in the price order (cheapest ↔ cheapest, most expensive ↔ most expensive).
//!
//! Every router row decides through the same [`Engine`] and [`crate::router::Chain`] as `route`:
//! rows are evaluated on worker threads (each stage's verdict and the ML prediction at most once
//! per row, shared by every strategy), then the strategies step through the rows in order on one
//! thread, which is where quotas, online learning and seeded draws happen.
//!
//! **Baseline** (the "all premium" row savings are measured against, and APGR's strong model):
//! the data model serving the catalog's premium model (the last of the price order), or
//! `--baseline`. **Premium share**: the share of requests on which the baseline model was called.

pub mod dataset;
pub mod metrics;
pub mod prefetch;
pub mod report;
pub mod strategy;
pub mod tally;

use crate::canary::Arm;
use crate::config::{Config, ModelId};
use crate::cost::Cost;
use crate::error::{Error, Result};
use crate::ml::model::Prediction;
use crate::router::{Engine, Eval, Memo, Stage};
pub use dataset::{Dataset, Spec};
use strategy::{Kind, ReplayStrategy, Step};

/// Above this many rows the bootstrap resamples contiguous blocks instead of rows.
pub const BOOTSTRAP_BLOCKS: usize = 2_000;

/// The design article's example traffic: ~11.7 M requests a year.
pub const DEFAULT_REQUESTS_PER_YEAR: f64 = 11_700_000.0;

/// The cascade's default judge error rate: GPT-4 as a judge disagreed with human experts on
/// about 15 % of non-tied pairwise votes on MT-Bench (Zheng et al., 2023, "Judging LLM-as-a-Judge
/// with MT-Bench and Chatbot Arena", §4.2: 85 % agreement).
pub const DEFAULT_JUDGE_ERROR_RATE: f64 = 0.15;

/// Rows evaluated per chunk on a worker thread.
const CHUNK: usize = 4096;

#[derive(Debug, Clone)]
pub struct Options {
    pub candidates: Option<Vec<String>>,
    pub baseline: Option<String>,
    pub all_models: bool,
    pub requests_per_day: Option<u64>,
    pub requests_per_year: Option<f64>,
    /// Cascade acceptance threshold [default: `[cascade] accept`].
    pub cascade_threshold: Option<f64>,
    pub cascade_models: Option<Vec<String>>,
    /// [default: `[cascade] max_attempts`]
    pub max_attempts: Option<usize>,
    pub judge_error_rate: f64,
    pub consensus_models: Option<Vec<String>>,
    pub bootstrap: usize,
    pub seed: u64,
    pub threads: usize,
}

/// One line of `simulate --decisions`: what a strategy did with a row.
#[derive(Debug, Clone)]
pub struct DecisionLine<'a> {
    pub id: &'a str,
    pub strategy: &'a str,
    pub arm: Option<Arm>,
    /// The catalog model decided (routers), if any.
    pub model: Option<&'a str>,
    /// The data model whose outcome was used; none when the request was refused.
    pub data_model: Option<&'a str>,
    pub method: &'a str,
    pub reason: &'a str,
    pub cost: Cost,
    /// `None` when quality is unknown.
    pub quality: Option<f64>,
}

/// Where decision lines go (`simulate --decisions`).
pub trait DecisionSink {
    fn write(&mut self, line: &DecisionLine) -> Result<()>;
}

/// What every strategy reads.
pub struct Setup<'a> {
    pub ds: &'a Dataset,
    pub config: &'a Config,
    pub engine: &'a Engine,
    /// Data models taking part, cheapest first.
    pub candidates: Vec<usize>,
    pub baseline: usize,
    pub cheapest: usize,
    /// Catalog model -> the data model serving its decisions.
    pub serve: Vec<usize>,
    /// An outcome model's labels: the data model serving each, and whether the label stands
    /// for a catalog model (whose parameters then apply).
    pub label_serve: Vec<LabelServe>,
    /// Quota day of each row, when quotas apply.
    pub days: Option<Vec<i64>>,
}

/// Who answers an outcome model's label in a replay.
#[derive(Debug, Clone)]
pub struct LabelServe {
    pub label: String,
    pub data_model: usize,
    pub in_catalog: bool,
}

impl Setup<'_> {
    /// The data model answering a decision: an outcome model's choice is the log's model of that
    /// name (when it takes part), any other decision the data model serving its catalog model.
    pub fn served(&self, model: ModelId, data_model: Option<&str>) -> usize {
        data_model
            .and_then(|n| self.label_serve.iter().find(|l| l.label == n))
            .map_or(self.serve[model], |l| l.data_model)
    }

    /// `max_tokens` of a data model's own catalog entry (single-model rows).
    pub fn max_tokens_of(&self, data_model: usize) -> Option<u32> {
        self.ds.models[data_model].catalog.and_then(|c| self.config.models[c].params.max_tokens)
    }
}

/// Per-row outcome of one strategy.
#[derive(Debug, Clone)]
pub struct Run {
    pub label: String,
    pub kind: Kind,
    pub cost: Vec<f64>,
    /// NaN when unknown.
    pub quality: Vec<f64>,
    /// Whether the baseline model was called.
    pub premium: Vec<bool>,
    /// The gray-release arm of each row (the chain under a `[canary]`).
    pub arms: Option<Vec<Arm>>,
    /// A per-row score that traces a cost–quality curve (difficulty, ML).
    pub score: Option<Vec<f64>>,
    /// A curve the strategy traced itself (an outcome router's λ sweep).
    pub curve: Option<Vec<metrics::CurvePoint>>,
    /// Requests that did not get the model their router chose (quotas).
    pub quota_fallbacks: usize,
    /// Requests refused because every quota was exhausted.
    pub refused: usize,
    /// Requests no model the strategy may use could serve (prompt longer than its context).
    pub unservable: usize,
    pub shown: bool,
}

impl Run {
    fn new(label: String, kind: Kind, n: usize, shown: bool) -> Run {
        Run {
            label,
            kind,
            cost: Vec::with_capacity(n),
            quality: Vec::with_capacity(n),
            premium: Vec::with_capacity(n),
            arms: None,
            score: None,
            curve: None,
            quota_fallbacks: 0,
            refused: 0,
            unservable: 0,
            shown,
        }
    }

    fn record(&mut self, s: &Step) {
        self.cost.push(s.cost.usd);
        self.quality.push(s.quality);
        self.premium.push(s.premium);
        if s.unservable {
            self.unservable += 1;
        } else if s.served.is_none() {
            self.refused += 1;
        }
        if s.quota_fallback {
            self.quota_fallbacks += 1;
        }
        let n = self.cost.capacity();
        if let Some(a) = s.arm {
            self.arms.get_or_insert_with(|| Vec::with_capacity(n)).push(a);
        }
        if let Some(sc) = s.score {
            self.score.get_or_insert_with(|| Vec::with_capacity(n)).push(sc);
        }
    }
}

/// Everything a replay produced, before aggregation.
pub struct Replay {
    pub candidates: Vec<usize>,
    pub baseline: usize,
    pub cheapest: usize,
    /// Catalog model -> candidate (index into `Dataset::models`).
    pub serve: Vec<usize>,
    pub runs: Vec<Run>,
    pub quotas_applied: bool,
    /// The catalog's premium model (the baseline's source unless `--baseline`).
    pub premium_catalog: ModelId,
    pub baseline_from_flag: bool,
    /// The cascade's judge error rate, acceptance threshold and models (data models, in order).
    pub judge_error_rate: f64,
    pub cascade_threshold: f64,
    pub cascade_models: Vec<usize>,
    /// Consensus voters (data models).
    pub consensus_voters: Vec<usize>,
    /// Why strategies are missing from the table.
    pub notes: Vec<String>,
}

impl Replay {
    /// The run of a kind, if it ran.
    pub fn run(&self, kind: Kind) -> Option<&Run> {
        self.runs.iter().find(|r| r.kind == kind)
    }

    pub fn baseline_run(&self) -> Option<&Run> {
        self.run(Kind::Single(self.baseline))
    }

    pub fn cheapest_run(&self) -> Option<&Run> {
        self.run(Kind::Single(self.cheapest))
    }
}

/// Data models named by `names` (data name, or a catalog name mapped to one).
pub fn names_to_candidates(ds: &Dataset, config: &Config, names: &[String], flag: &str) -> Result<Vec<usize>> {
    names
        .iter()
        .map(|n| {
            ds.models
                .iter()
                .position(|m| m.name == *n || m.catalog.is_some_and(|c| config.models[c].name == *n))
                .ok_or_else(|| {
                    let known: Vec<&str> = ds.models.iter().map(|m| m.name.as_str()).collect();
                    let hint = crate::error::did_you_mean(n, known.iter().copied()).unwrap_or_default();
                    Error::Usage(format!(
                        "{flag}: `{n}` is not a model of the data{hint}; models: {}",
                        known.join(", ")
                    ))
                })
        })
        .collect()
}

/// Day index of each row for quotas: calendar days of the timestamps in the quota time zone, or
/// blocks of `per_day` rows.
fn days(ds: &Dataset, config: &Config, per_day: Option<u64>) -> Option<Vec<i64>> {
    if let Some(ts) = &ds.timestamps {
        // Logs are mostly in time order: reuse the last row's day within the same minute (every
        // time zone offset is a whole number of minutes).
        let mut last: Option<(i64, i64)> = None;
        return Some(
            ts.iter()
                .map(|&t| match last {
                    Some((minute, d)) if minute == t.div_euclid(60) => d,
                    _ => {
                        let d = crate::quota::day_index(t, &config.timezone);
                        last = Some((t.div_euclid(60), d));
                        d
                    }
                })
                .collect(),
        );
    }
    per_day.filter(|&p| p > 0).map(|p| (0..ds.n() as u64).map(|i| (i / p) as i64).collect())
}

/// Candidates (cheapest first), the catalog → data mapping, the baseline and the cheapest model.
pub fn setup<'a>(ds: &'a Dataset, config: &'a Config, engine: &'a Engine, opt: &Options) -> Result<Setup<'a>> {
    let mut candidates: Vec<usize> = match &opt.candidates {
        Some(c) => names_to_candidates(ds, config, c, "--candidates")?,
        None => (0..ds.m()).collect(),
    };
    if candidates.is_empty() {
        return Err(Error::Usage("no candidate models".to_string()));
    }
    candidates.sort_by(|&a, &b| ds.models[a].mean_cost.total_cmp(&ds.models[b].mean_cost).then(a.cmp(&b)));
    candidates.dedup();
    let by_cost = config.models_by_cost();
    let k = candidates.len();
    let serve: Vec<usize> = (0..config.models.len())
        .map(|cm| {
            if let Some(&c) = candidates.iter().find(|&&c| ds.models[c].catalog == Some(cm)) {
                return c;
            }
            let pos = by_cost.iter().position(|&x| x == cm).unwrap_or(0) as f64;
            let frac = if by_cost.len() > 1 { pos / (by_cost.len() - 1) as f64 } else { 0.0 };
            candidates[((frac * (k - 1) as f64).round() as usize).min(k - 1)]
        })
        .collect();
    let premium = by_cost[by_cost.len() - 1];
    let baseline = match &opt.baseline {
        Some(b) => names_to_candidates(ds, config, std::slice::from_ref(b), "--baseline")?[0],
        None => serve[premium],
    };
    let days = days(ds, config, opt.requests_per_day);
    let label_serve = match &engine.ml {
        Some(ml) => label_serve(ds, ml, &candidates, &serve, days.is_some())?,
        None => Vec::new(),
    };
    Ok(Setup { ds, config, engine, cheapest: candidates[0], candidates, baseline, serve, label_serve, days })
}

/// Who answers each label of an outcome model: the log's model of that name when it takes part,
/// else the data model serving the label's catalog model. A label that is neither a model of
/// the log nor a catalog model is refused (nothing could stand for it but a guess), and so is
/// replaying quotas with one: quotas belong to catalog models.
fn label_serve(
    ds: &Dataset,
    ml: &crate::router::MlRouter,
    candidates: &[usize],
    serve: &[usize],
    quotas: bool,
) -> Result<Vec<LabelServe>> {
    if ml.outcomes().is_none() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (i, label) in ml.model.labels.iter().enumerate() {
        let in_catalog = !ml.unmapped.contains(label);
        let named = candidates.iter().copied().find(|&c| ds.models[c].name == *label);
        if !in_catalog {
            if !ds.models.iter().any(|m| m.name == *label) {
                let known: Vec<&str> = ds.models.iter().map(|m| m.name.as_str()).collect();
                return Err(Error::Usage(format!(
                    "the outcome model's `{label}` is neither a model of the log ({}) nor a catalog model; map it \
                     with `--map {label}=<catalog model>` or in `[ml.labels]`",
                    known.join(", ")
                )));
            }
            if quotas {
                return Err(Error::Usage(format!(
                    "quotas belong to catalog models, and the outcome model's `{label}` is none; map it with \
                     `--map {label}=<catalog model>` to replay quotas"
                )));
            }
        }
        let data_model = named.unwrap_or_else(|| serve[ml.label_model(i)]);
        out.push(LabelServe { label: label.clone(), data_model, in_catalog });
    }
    Ok(out)
}

/// Replays `ds` under every strategy; each decision goes to `sink` when given.
/// `predictions` holds the classifier's predictions made while loading ([`prefetch`]); rows
/// without one are predicted here.
pub fn simulate(
    setup: &Setup,
    opt: &Options,
    predictions: &[Option<Prediction>],
    mut sink: Option<&mut dyn DecisionSink>,
) -> Result<Replay> {
    let (ds, n) = (setup.ds, setup.ds.n());
    let mut notes = Vec::new();
    let mut strategies = strategy::plan(setup, opt, &mut notes)?;
    let mut runs: Vec<Run> = strategies
        .iter()
        .map(|s| Run::new(s.label(setup), s.kind(), n, s.kind().shown(setup, opt.all_models)))
        .collect();
    first_pass(setup, opt, predictions, &mut strategies, &mut runs, sink.as_deref_mut())?;
    for (run, st) in runs.iter_mut().zip(&strategies) {
        run.curve = st.curve();
    }
    // Strategies that need the first pass's figures (the random mix at the chain's cost).
    let detail = sink.is_some();
    for mut st in strategy::second_pass(setup, opt, &runs) {
        let mut run = Run::new(st.label(setup), st.kind(), n, st.kind().shown(setup, opt.all_models));
        let key = st.kind().key(ds);
        for row in 0..n {
            let mut eval = setup.engine.eval(ds.texts.get(row), ds.tag(row));
            eval.exclude(row_exclusions(setup, row));
            let step = st.step(setup, row, &mut eval, detail);
            run.record(&step);
            if let Some(sink) = sink.as_deref_mut() {
                write_line(sink, setup, row, &key, &step)?;
            }
        }
        runs.push(run);
    }
    replay(setup, opt, runs, notes)
}

/// A strategy of a replay, stepping through the rows.
type Boxed<'a> = Box<dyn ReplayStrategy + Send + 'a>;

/// The strategies' pass over the rows: worker threads evaluate each chunk of rows ahead (every
/// stage any strategy reads, the prediction when one is read), and the strategies step through
/// the chunks in row order.
fn first_pass(
    setup: &Setup,
    opt: &Options,
    predictions: &[Option<Prediction>],
    strategies: &mut [Boxed<'_>],
    runs: &mut [Run],
    mut sink: Option<&mut (dyn DecisionSink + '_)>,
) -> Result<()> {
    let n = setup.ds.n();
    let keys: Vec<String> = strategies.iter().map(|s| s.kind().key(setup.ds)).collect();
    // The stages any strategy reads; workers evaluate them ahead of the strategies.
    let mut stages: Vec<Stage> = strategies.iter().flat_map(|s| s.stages(setup)).collect();
    stages.sort_by_key(|s| s.index());
    stages.dedup();
    let predict = strategies.iter().any(|s| s.kind().reads_prediction()) && setup.engine.ml.is_some();
    let threads = opt.threads.max(1);
    std::thread::scope(|s| -> Result<()> {
        let mut to_workers = Vec::with_capacity(threads);
        let mut from_workers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<std::ops::Range<usize>>(1);
            let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Vec<Memo>>(1);
            to_workers.push(job_tx);
            from_workers.push(done_rx);
            let stages = &stages;
            s.spawn(move || {
                for range in job_rx {
                    if done_tx.send(evaluate(setup, range, stages, predict, predictions)).is_err() {
                        return;
                    }
                }
            });
        }
        // Chunks are dealt in turn; `threads` chunks are in flight while the strategies step.
        let chunks: Vec<std::ops::Range<usize>> = (0..n).step_by(CHUNK).map(|a| a..(a + CHUNK).min(n)).collect();
        let mut sent = 0;
        let send_next = |sent: &mut usize| {
            if let Some(r) = chunks.get(*sent) {
                let _ = to_workers[*sent % threads].send(r.clone());
                *sent += 1;
            }
        };
        for _ in 0..threads * 2 {
            send_next(&mut sent);
        }
        // Without a decision file the strategies step on several threads, each through the rows
        // in order (a strategy's state stays on one thread); with one, row by row for its order.
        let groups = if sink.is_some() { 1 } else { threads.min(strategies.len()).max(1) };
        for (c, range) in chunks.iter().enumerate() {
            let memos = from_workers[c % threads]
                .recv()
                .map_err(|_| Error::Usage("a replay worker stopped unexpectedly".to_string()))?;
            send_next(&mut sent);
            let chunk = Chunk { setup, rows: range.clone(), memos: &memos, predictions };
            match sink.as_deref_mut() {
                Some(sink) => chunk.step_in_order(strategies, runs, &keys, sink)?,
                None => chunk.step_in_groups(strategies, runs, groups),
            }
        }
        drop(to_workers);
        Ok(())
    })
}

/// What a worker hands on for the rows of `range`: each stage's verdict and the prediction, once.
fn evaluate(
    setup: &Setup,
    range: std::ops::Range<usize>,
    stages: &[Stage],
    predict: bool,
    predictions: &[Option<Prediction>],
) -> Vec<Memo> {
    let ds = setup.ds;
    range
        .map(|row| {
            let mut eval =
                setup.engine.eval(ds.texts.get(row), ds.tag(row)).with_prediction(predicted(predictions, row));
            eval.exclude(row_exclusions(setup, row));
            for &st in stages {
                eval.verdict(st);
            }
            if predict {
                eval.prediction();
            }
            eval.into_memo()
        })
        .collect()
}

fn predicted(predictions: &[Option<Prediction>], row: usize) -> Option<&Prediction> {
    predictions.get(row).and_then(Option::as_ref)
}

/// One evaluated chunk of rows, for the strategies to step through.
struct Chunk<'c, 's> {
    setup: &'c Setup<'s>,
    rows: std::ops::Range<usize>,
    memos: &'c [Memo],
    predictions: &'c [Option<Prediction>],
}

impl Chunk<'_, '_> {
    /// Row by row, every strategy in turn, each decision written to `sink` in that order.
    fn step_in_order(
        &self,
        strategies: &mut [Boxed<'_>],
        runs: &mut [Run],
        keys: &[String],
        sink: &mut dyn DecisionSink,
    ) -> Result<()> {
        let (setup, ds) = (self.setup, self.setup.ds);
        for (row, memo) in self.rows.clone().zip(self.memos) {
            let mut eval = Eval::shared(setup.engine, ds.texts.get(row), ds.tag(row), memo)
                .with_prediction(predicted(self.predictions, row));
            for (i, st) in strategies.iter_mut().enumerate() {
                let step = st.step(setup, row, &mut eval, true);
                runs[i].record(&step);
                write_line(sink, setup, row, &keys[i], &step)?;
            }
        }
        Ok(())
    }

    /// The strategies dealt into `groups` groups, each stepping through the rows on its own
    /// thread (one group: on this one).
    fn step_in_groups(&self, strategies: &mut [Boxed<'_>], runs: &mut [Run], groups: usize) {
        let (setup, ds) = (self.setup, self.setup.ds);
        let step_part = |part: &mut [(&mut Boxed<'_>, &mut Run)]| {
            for (row, memo) in self.rows.clone().zip(self.memos) {
                let mut eval = Eval::shared(setup.engine, ds.texts.get(row), ds.tag(row), memo)
                    .with_prediction(predicted(self.predictions, row));
                for (st, run) in part.iter_mut() {
                    run.record(&st.step(setup, row, &mut eval, false));
                }
            }
        };
        let mut parts: Vec<Vec<(&mut Boxed<'_>, &mut Run)>> = (0..groups).map(|_| Vec::new()).collect();
        for (i, pair) in strategies.iter_mut().zip(runs.iter_mut()).enumerate() {
            parts[i % groups].push(pair);
        }
        if groups == 1 {
            for mut part in parts {
                step_part(&mut part);
            }
            return;
        }
        std::thread::scope(|g| {
            for mut part in parts {
                g.spawn(move || step_part(&mut part));
            }
        });
    }
}

/// The replay's result: the runs and the figures the report reads beside them.
fn replay(setup: &Setup, opt: &Options, runs: Vec<Run>, notes: Vec<String>) -> Result<Replay> {
    let premium_catalog = *setup.config.models_by_cost().last().unwrap_or(&0);
    let (cascade_threshold, attempts) = strategy::cascade::threshold_and_attempts(setup.config, opt);
    let cascade_models = strategy::cascade::models(setup, opt, attempts)?;
    let consensus_voters = strategy::consensus::voters(setup, opt)?;
    Ok(Replay {
        candidates: setup.candidates.clone(),
        baseline: setup.baseline,
        cheapest: setup.cheapest,
        serve: setup.serve.clone(),
        runs,
        quotas_applied: setup.days.is_some(),
        premium_catalog,
        baseline_from_flag: opt.baseline.is_some(),
        judge_error_rate: opt.judge_error_rate,
        cascade_threshold,
        cascade_models,
        consensus_voters,
        notes,
    })
}

/// The catalog models the row's prompt cannot go to (longer than their context window): the
/// routers route around them and single models count the row as not served.
fn row_exclusions(setup: &Setup, row: usize) -> Vec<crate::router::constraints::Exclusion> {
    let text = setup.ds.texts.get(row);
    crate::router::constraints::for_plain(setup.config, text.len(), || {
        setup.ds.input_tokens(row).unwrap_or_else(|| crate::tokenizer::prompt_input_tokens(text))
    })
}

fn write_line(sink: &mut dyn DecisionSink, setup: &Setup, row: usize, key: &str, step: &Step) -> Result<()> {
    let Some(d) = &step.detail else { return Ok(()) };
    sink.write(&DecisionLine {
        id: setup.ds.ids.get(row),
        strategy: key,
        arm: step.arm,
        model: d.model.map(|m| setup.config.models[m].name.as_str()),
        data_model: step.served.map(|m| setup.ds.models[m].name.as_str()),
        method: d.method,
        reason: &d.reason,
        cost: step.cost,
        quality: Some(step.quality).filter(|q| !q.is_nan()),
    })
}

/// The part of a model name after the last `/`.
pub fn short(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Source;

    fn config() -> Config {
        Config::from_str(crate::config::EMBEDDED_DEFAULT, Source::Embedded).unwrap_or_else(|e| panic!("{e}"))
    }

    fn data_model(name: &str, catalog: Option<ModelId>) -> dataset::DataModel {
        dataset::DataModel { name: name.into(), catalog, price: None, mean_cost: 0.0, mean_quality: 0.0 }
    }

    #[test]
    fn candidates_are_named_by_data_name_or_mapped_catalog_name() {
        let c = config();
        let mini = c.require_model("gpt-4o-mini").unwrap_or_else(|e| panic!("{e}"));
        let mut ds = Dataset::default();
        ds.models = vec![data_model("llama-3-8b", Some(mini)), data_model("gpt-4o", None)];
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let got = names_to_candidates(&ds, &c, &names(&["gpt-4o", "gpt-4o-mini", "llama-3-8b"]), "--candidates");
        assert_eq!(got.ok(), Some(vec![1, 0, 0]));
        let e = names_to_candidates(&ds, &c, &names(&["gpt-4"]), "--baseline").err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("--baseline: `gpt-4` is not a model of the data; did you mean `gpt-4o`?; models: llama-3-8b, gpt-4o")
        );
    }

    #[test]
    fn quota_days_are_blocks_of_rows_without_timestamps() {
        let c = config();
        let mut texts = crate::ml::dataset::Texts::default();
        for t in ["a", "b", "c", "d", "e"] {
            texts.push(t);
        }
        let mut ds = Dataset::default();
        ds.texts = texts;
        assert_eq!(ds.n(), 5);
        assert_eq!(days(&ds, &c, Some(2)), Some(vec![0, 0, 1, 1, 2]));
        assert_eq!(days(&ds, &c, Some(0)), None);
        assert_eq!(days(&ds, &c, None), None);
        // Timestamps count calendar days of the quota time zone (year × 400 + day of the year),
        // whatever the block size.
        let text = crate::config::EMBEDDED_DEFAULT.replace("timezone = \"local\"", "timezone = \"UTC\"");
        let utc = Config::from_str(&text, Source::Embedded).unwrap_or_else(|e| panic!("{e}"));
        let ts = vec![0, 86_399, 86_400, 86_400 * 3 + 5, 86_400 * 3 + 30];
        ds.timestamps = Some(ts);
        assert_eq!(days(&ds, &utc, Some(2)), Some(vec![788_001, 788_001, 788_002, 788_004, 788_004]));
    }

    #[test]
    fn short_names_drop_the_provider_path() {
        assert_eq!(short("meta-llama/Llama-3-8b"), "Llama-3-8b");
        assert_eq!(short("a/b/c"), "c");
        assert_eq!(short("gpt-4o"), "gpt-4o");
    }
}
