//! The strategies a replay compares, one file each, behind [`ReplayStrategy`].
//!
//! A strategy steps through the rows in order and says, per row, which data model answered
//! (if any), what it cost and how good it was. Routers ([`router`]) decide through the engine's
//! chain exactly as `route` does; the others (single models, the online-learning adaptive router,
//! the cascade, consensus, the random mix and the oracle) read the data's outcomes.

pub mod cascade;
pub mod consensus;
pub mod online;
pub mod oracle;
pub mod random;
pub mod router;
pub mod single;

use crate::canary::Arm;
use crate::cost::Cost;
use crate::error::Result;
use crate::replay::{Dataset, Options, Run, Setup};
use crate::router::{Eval, Stage, Strategy};

/// What a strategy is, for the report (never matched by its label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Every request on one data model.
    Single(usize),
    /// A routing strategy of the engine; `gray` when the chain runs under `[canary]`.
    Router { strategy: Strategy, gray: bool },
    /// The adaptive router learning online from each row's outcome.
    AdaptiveOnline,
    /// Cheapest first, escalating until the self-check accepts; `upper_bound` with a perfect
    /// self-check.
    Cascade { upper_bound: bool },
    /// Several models answer; the majority wins.
    Consensus,
    /// The cheapest model and the baseline mixed at random, at the chain's cost.
    RandomMix,
    /// The cheapest model with the row's best quality.
    Oracle,
}

impl Kind {
    /// The strategy's name in `--decisions` and JSON.
    pub fn key(self, ds: &Dataset) -> String {
        match self {
            Kind::Single(m) => format!("all:{}", ds.models[m].name),
            Kind::Router { strategy, .. } => strategy.as_str().to_string(),
            Kind::AdaptiveOnline => "adaptive_online".to_string(),
            Kind::Cascade { upper_bound: false } => "cascade".to_string(),
            Kind::Cascade { upper_bound: true } => "cascade_upper_bound".to_string(),
            Kind::Consensus => "consensus".to_string(),
            Kind::RandomMix => "random_mix".to_string(),
            Kind::Oracle => "oracle".to_string(),
        }
    }

    /// Whether the table shows it (single models: the baseline and the cheapest, or all with
    /// `--all-models`); JSON and CSV list every strategy.
    pub fn shown(self, setup: &Setup, all_models: bool) -> bool {
        match self {
            Kind::Single(m) => all_models || m == setup.baseline || m == setup.cheapest,
            _ => true,
        }
    }

    /// Whether the strategy is an upper bound no deployment reaches.
    pub fn upper_bound(self) -> bool {
        matches!(self, Kind::Oracle | Kind::Cascade { upper_bound: true })
    }

    /// Whether it reads the ML prediction besides stage verdicts (the ML curve).
    pub fn reads_prediction(self) -> bool {
        matches!(self, Kind::Router { strategy: Strategy::ML, .. })
    }
}

/// A strategy's detail for `--decisions`.
#[derive(Debug, Clone)]
pub struct Detail {
    /// The catalog model a router decided.
    pub model: Option<crate::config::ModelId>,
    pub method: &'static str,
    pub reason: String,
}

/// What a strategy did with one row.
#[derive(Debug, Clone)]
pub struct Step {
    /// The data model that answered; `None` when the request was refused.
    pub served: Option<usize>,
    pub cost: Cost,
    /// NaN when unknown.
    pub quality: f64,
    /// Whether the baseline model was called.
    pub premium: bool,
    pub quota_fallback: bool,
    /// Refused because no model the strategy may use can serve the row (its prompt is longer than
    /// their context windows).
    pub unservable: bool,
    pub arm: Option<Arm>,
    /// The curve score of the row (difficulty, ML).
    pub score: Option<f64>,
    /// Filled when decisions are written.
    pub detail: Option<Detail>,
}

impl Step {
    /// Data model `m` answered at `cost`.
    pub fn served(setup: &Setup, row: usize, m: usize, cost: Cost) -> Step {
        Step {
            served: Some(m),
            cost,
            quality: setup.ds.q(row, m),
            premium: m == setup.baseline,
            quota_fallback: false,
            unservable: false,
            arm: None,
            score: None,
            detail: None,
        }
    }

    /// No answer: every quota was exhausted, or (`unservable`) no model could serve the row.
    /// A refused request costs nothing and scores 0 where quality is known.
    pub fn refused(setup: &Setup, unservable: bool, detail: bool) -> Step {
        Step {
            served: None,
            cost: Cost {
                usd: 0.0,
                source: crate::cost::CostSource::Estimated,
                input_tokens: None,
                output_tokens: None,
            },
            quality: if setup.ds.quality_known { 0.0 } else { f64::NAN },
            premium: false,
            quota_fallback: false,
            unservable,
            arm: None,
            score: None,
            detail: detail.then(|| Detail {
                model: None,
                method: "refused",
                reason: if unservable { "no_model_can_serve" } else { "all_quotas_exhausted" }.to_string(),
            }),
        }
    }
}

/// One strategy of the replay.
pub trait ReplayStrategy {
    fn kind(&self) -> Kind;
    /// The label shown in the table.
    fn label(&self, setup: &Setup) -> String;
    /// Engine stages the strategy reads (evaluated ahead on worker threads).
    fn stages(&self, _setup: &Setup) -> Vec<Stage> {
        Vec::new()
    }
    /// The outcome of row `row`; `detail` asks for the decision's description.
    fn step(&mut self, setup: &Setup, row: usize, eval: &mut Eval, detail: bool) -> Step;
    /// A curve the strategy traced itself over all rows (an outcome router's λ sweep).
    fn curve(&self) -> Option<Vec<crate::replay::metrics::CurvePoint>> {
        None
    }
}

/// The strategies of a replay, in table order; `notes` says why any are left out.
pub fn plan<'a>(
    setup: &Setup<'a>,
    opt: &Options,
    notes: &mut Vec<String>,
) -> Result<Vec<Box<dyn ReplayStrategy + Send + 'a>>> {
    let mut out: Vec<Box<dyn ReplayStrategy + Send + 'a>> = Vec::new();
    for &c in &setup.candidates {
        out.push(Box::new(single::Single::new(c)));
    }
    // Each router of the registry alone, in its order (without a trained model, `ml` is
    // `route --strategy ml`'s untrained default); then the chain; then the adaptive router,
    // which needs the state store's feedback.
    for strategy in Strategy::ALL.into_iter().filter(|&s| s != Strategy::CHAIN && s != Strategy::ADAPTIVE) {
        out.push(Box::new(router::Routed::new(setup, strategy, false)));
    }
    out.push(Box::new(router::Routed::new(setup, Strategy::CHAIN, setup.config.canary.is_some())));
    if setup.engine.adaptive.posteriors.total() > 0.0 {
        out.push(Box::new(router::Routed::new(setup, Strategy::ADAPTIVE, false)));
    } else {
        notes.push("adaptive (as `route` decides today): the state store has no feedback".to_string());
    }
    if !setup.ds.quality_known {
        notes.push(
            "adaptive (learns online), cascade, consensus, random mix and oracle: they need outcomes or labels, \
             which the log does not have"
                .to_string(),
        );
        return Ok(out);
    }
    out.push(Box::new(online::Online::default()));
    let (threshold, attempts) = cascade::threshold_and_attempts(setup.config, opt);
    let models = cascade::models(setup, opt, attempts)?;
    out.push(Box::new(cascade::Cascade::new(models.clone(), threshold, opt.judge_error_rate, opt.seed)));
    out.push(Box::new(cascade::Cascade::new(models, threshold, 0.0, opt.seed)));
    out.push(Box::new(consensus::Consensus::new(setup, opt)?));
    out.push(Box::new(oracle::Oracle));
    Ok(out)
}

/// Strategies that need the first pass's figures.
pub fn second_pass<'a>(setup: &Setup<'a>, opt: &Options, runs: &[Run]) -> Vec<Box<dyn ReplayStrategy + Send + 'a>> {
    let chain = Kind::Router { strategy: Strategy::CHAIN, gray: setup.config.canary.is_some() };
    match runs.iter().find(|r| r.kind == chain) {
        Some(r) if setup.ds.quality_known => vec![Box::new(random::RandomMix::new(setup, runs, r, opt.seed))],
        _ => Vec::new(),
    }
}
