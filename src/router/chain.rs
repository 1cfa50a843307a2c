//! The production chain: stages in order, quotas as the last line of defence.
//!
//! Semantics (the design article's chain, with its flaw fixed):
//! 1. Each stage either declines or decides. A stage whose chosen model is over its daily quota
//!    passes to the next stage, just as a declining one does.
//! 2. When no stage produced a model with quota left, walk the fallback order (cheapest first) and
//!    return the first model with quota left, `method = "fallback"`, with a note naming the
//!    exhausted model(s).
//! 3. When every model is exhausted there is no decision: the caller reports
//!    `all_quotas_exhausted` with the time of the next reset.

use serde::Serialize;

use crate::config::{Config, ModelId};
use crate::router::{Decision, Method, Router, Verdict};
use crate::text::Analysis;

/// Read access to today's quota state.
pub trait QuotaView {
    /// Whether `model` may take one more request today.
    fn available(&self, model: ModelId) -> bool;
}

/// No quotas at all (every model available).
pub struct Unlimited;

impl QuotaView for Unlimited {
    fn available(&self, _: ModelId) -> bool {
        true
    }
}

/// Which model the chain's quota semantics pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// The decision of stage `i`.
    Stage(usize),
    /// A model from the fallback order.
    Fallback(ModelId),
    /// Every model is over quota.
    Exhausted,
}

/// The chain's semantics in one place, shared by live routing and replay: the first stage decision
/// whose model has quota left wins (stages are consumed lazily, so later ones need not run); when
/// none does, the first fallback model with quota left; otherwise nothing.
pub fn pick(stages: impl Iterator<Item = Option<ModelId>>, fallback: &[ModelId], quota: &dyn QuotaView) -> Pick {
    for (i, m) in stages.enumerate() {
        if let Some(m) = m
            && quota.available(m)
        {
            return Pick::Stage(i);
        }
    }
    fallback.iter().find(|&&m| quota.available(m)).map_or(Pick::Exhausted, |&m| Pick::Fallback(m))
}

/// What one stage did, for `--explain`.
#[derive(Debug, Clone, Serialize)]
pub struct StageTrace {
    pub stage: &'static str,
    #[serde(flatten)]
    pub outcome: StageOutcome,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum StageOutcome {
    Decided { model: String, reason: String },
    Declined { reason: String },
    OverQuota { model: String, reason: String },
    NotReached,
}

pub struct Chain<'a> {
    config: &'a Config,
    stages: Vec<&'a dyn Router>,
}

/// The chain's answer: a decision (or none when every quota is exhausted) and what each stage did.
pub struct Outcome {
    pub decision: Option<Decision>,
    pub trace: Vec<StageTrace>,
}

impl<'a> Chain<'a> {
    pub fn new(config: &'a Config, stages: Vec<&'a dyn Router>) -> Chain<'a> {
        Chain { config, stages }
    }

    pub fn route(&self, a: &Analysis, quota: &dyn QuotaView) -> Outcome {
        // Stages run lazily: a stage after the deciding one never runs.
        let mut verdicts: Vec<Verdict> = Vec::with_capacity(self.stages.len());
        let picked = pick(
            self.stages.iter().map(|s| {
                let v = s.route(a);
                let m = match &v {
                    Verdict::Decide(d) => Some(d.model),
                    Verdict::Decline(_) => None,
                };
                verdicts.push(v);
                m
            }),
            &self.config.chain.fallback,
            quota,
        );
        let mut trace = Vec::with_capacity(self.stages.len() + 1);
        let mut exhausted: Vec<ModelId> = Vec::new();
        let mut decision = None;
        for (i, v) in verdicts.into_iter().enumerate() {
            let stage = self.stages[i].stage();
            let outcome = match v {
                Verdict::Decline(reason) => StageOutcome::Declined { reason },
                Verdict::Decide(d) if picked == Pick::Stage(i) => {
                    let o = StageOutcome::Decided { model: self.name(d.model), reason: d.reason.clone() };
                    decision = Some(self.finish(d));
                    o
                }
                Verdict::Decide(d) => {
                    if !exhausted.contains(&d.model) {
                        exhausted.push(d.model);
                    }
                    StageOutcome::OverQuota { model: self.name(d.model), reason: d.reason }
                }
            };
            trace.push(StageTrace { stage, outcome });
        }
        for s in &self.stages[trace.len()..] {
            trace.push(StageTrace { stage: s.stage(), outcome: StageOutcome::NotReached });
        }
        match picked {
            Pick::Stage(_) => {}
            Pick::Fallback(m) => {
                trace.push(StageTrace {
                    stage: "fallback",
                    outcome: StageOutcome::Decided { model: self.name(m), reason: "quota".to_string() },
                });
                decision = Some(self.fallback_decision(m, &exhausted));
            }
            Pick::Exhausted => trace.push(StageTrace {
                stage: "fallback",
                outcome: StageOutcome::Declined { reason: "every model is over its daily quota".to_string() },
            }),
        }
        Outcome { decision, trace }
    }

    /// The stages, in order.
    pub fn stages(&self) -> &[&'a dyn Router] {
        &self.stages
    }

    /// The decision for a fallback model, with a note naming the models that were over quota.
    pub fn fallback_decision(&self, m: ModelId, exhausted: &[ModelId]) -> Decision {
        let mut names: Vec<String> = Vec::new();
        for &e in exhausted {
            let n = format!("`{}`", self.name(e));
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let exhausted = names;
        let note = if exhausted.is_empty() {
            format!("no stage decided; `{}` is the first model in the fallback order with quota left", self.name(m))
        } else {
            format!("{} over its daily quota; fell back to `{}`", exhausted.join(", "), self.name(m))
        };
        self.finish(Decision {
            model: m,
            params: Default::default(),
            method: Method::Fallback,
            reason: "quota".to_string(),
            rule: None,
            tier: None,
            difficulty: None,
            note: Some(note),
        })
    }

    fn name(&self, m: ModelId) -> String {
        self.config.models[m].name.clone()
    }

    /// Fills parameters the stage left unset from the model's defaults.
    fn finish(&self, mut d: Decision) -> Decision {
        d.params = d.params.or(&self.config.models[d.model].params);
        d
    }
}
