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
        let mut trace = Vec::with_capacity(self.stages.len() + 1);
        let mut exhausted: Vec<ModelId> = Vec::new();
        for (i, stage) in self.stages.iter().enumerate() {
            match stage.route(a) {
                Verdict::Decline(reason) => {
                    trace.push(StageTrace { stage: stage.stage(), outcome: StageOutcome::Declined { reason } })
                }
                Verdict::Decide(d) if quota.available(d.model) => {
                    trace.push(StageTrace {
                        stage: stage.stage(),
                        outcome: StageOutcome::Decided { model: self.name(d.model), reason: d.reason.clone() },
                    });
                    for s in &self.stages[i + 1..] {
                        trace.push(StageTrace { stage: s.stage(), outcome: StageOutcome::NotReached });
                    }
                    return Outcome { decision: Some(self.finish(d)), trace };
                }
                Verdict::Decide(d) => {
                    if !exhausted.contains(&d.model) {
                        exhausted.push(d.model);
                    }
                    trace.push(StageTrace {
                        stage: stage.stage(),
                        outcome: StageOutcome::OverQuota { model: self.name(d.model), reason: d.reason },
                    });
                }
            }
        }
        for &m in &self.config.chain.fallback {
            if quota.available(m) {
                let note = if exhausted.is_empty() {
                    format!(
                        "no stage decided; `{}` is the first model in the fallback order with quota left",
                        self.name(m)
                    )
                } else {
                    let names: Vec<String> = exhausted.iter().map(|&e| format!("`{}`", self.name(e))).collect();
                    format!("{} over its daily quota; fell back to `{}`", names.join(", "), self.name(m))
                };
                trace.push(StageTrace {
                    stage: "fallback",
                    outcome: StageOutcome::Decided { model: self.name(m), reason: "quota".to_string() },
                });
                let d = Decision {
                    model: m,
                    params: Default::default(),
                    method: Method::Fallback,
                    reason: "quota".to_string(),
                    rule: None,
                    tier: None,
                    difficulty: None,
                    note: Some(note),
                };
                return Outcome { decision: Some(self.finish(d)), trace };
            }
        }
        trace.push(StageTrace {
            stage: "fallback",
            outcome: StageOutcome::Declined { reason: "every model is over its daily quota".to_string() },
        });
        Outcome { decision: None, trace }
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
