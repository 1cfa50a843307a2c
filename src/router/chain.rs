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
//! 4. A model the constraint step ruled out for this request (context window, output limit,
//!    capabilities; see [`crate::router::constraints`]) is treated as one over its quota, with
//!    its reason in the trace and the note; when it rules out every model, there is no decision
//!    and the caller reports that no model can serve the request.
//!
//! A single strategy (`--strategy rules`, …) is a chain of one stage, so it keeps the fallback.
//! Stages run lazily through the request's [`Eval`]: a stage after the deciding one never runs.

use serde::Serialize;

use crate::config::{Config, ModelId, Params};
pub use crate::quota::{QuotaView, Unlimited};
use crate::router::{Decision, Eval, Method, Stage, Verdict};

/// Which model the chain's quota semantics pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// The decision of stage `i`.
    Stage(usize),
    /// A model from the fallback order.
    Fallback(ModelId),
    /// Every model that could serve the request is over quota.
    Exhausted,
    /// The constraint step ruled out every model.
    Unservable,
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
    Decided {
        model: String,
        reason: String,
    },
    Declined {
        reason: String,
    },
    OverQuota {
        model: String,
        reason: String,
    },
    /// The stage chose a model that cannot serve this request (`skipped` says why).
    Excluded {
        model: String,
        reason: String,
        skipped: String,
    },
    NotReached,
}

/// The chosen decision, borrowed from the evaluation (replay reads millions of these).
#[derive(Debug, Clone, Copy)]
pub struct Chosen<'d> {
    pub model: ModelId,
    pub method: Method,
    pub reason: &'d str,
    /// The stage's parameters with the model's defaults filled in.
    pub params: Params,
    /// An outcome model's choice among its training data's models.
    pub data_model: Option<&'d str>,
}

pub struct Chain<'a> {
    config: &'a Config,
    stages: Vec<Stage>,
}

/// The chain's answer: a decision (or none when every quota is exhausted) and what each stage did.
pub struct Outcome {
    pub decision: Option<Decision>,
    pub trace: Vec<StageTrace>,
}

impl<'a> Chain<'a> {
    pub fn new(config: &'a Config, stages: Vec<Stage>) -> Chain<'a> {
        Chain { config, stages }
    }

    /// The stages, in order.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// The quota semantics in one place: the first stage decision whose model has quota left
    /// wins (later stages do not run); when none does, the first fallback model with quota
    /// left; otherwise nothing.
    pub fn pick(&self, eval: &mut Eval, quota: &dyn QuotaView) -> Pick {
        for (i, &s) in self.stages.iter().enumerate() {
            if let Some(m) = eval.verdict(s).decision().map(|d| d.model)
                && quota.available(m)
                && eval.excluded(m).is_none()
            {
                return Pick::Stage(i);
            }
        }
        match self.config.chain.fallback.iter().find(|&&m| quota.available(m) && eval.excluded(m).is_none()) {
            Some(&m) => Pick::Fallback(m),
            None if eval.exclusions().len() == self.config.models.len() => Pick::Unservable,
            None => Pick::Exhausted,
        }
    }

    /// The decision a pick stands for, borrowed from the evaluation.
    pub fn chosen<'e>(&self, eval: &'e mut Eval, pick: Pick) -> Option<Chosen<'e>> {
        match pick {
            Pick::Stage(i) => {
                let config = self.config;
                eval.verdict(self.stages[i]).decision().map(|d| Chosen {
                    model: d.model,
                    method: d.method,
                    reason: &d.reason,
                    params: d.params.or(&config.models[d.model].params),
                    data_model: d.data_model.as_deref(),
                })
            }
            Pick::Fallback(m) => Some(Chosen {
                model: m,
                method: Method::FALLBACK,
                reason: "quota",
                params: self.config.models[m].params,
                data_model: None,
            }),
            Pick::Exhausted | Pick::Unservable => None,
        }
    }

    /// Routes with every detail: the full decision and each stage's verdict.
    pub fn route(&self, eval: &mut Eval, quota: &dyn QuotaView) -> Outcome {
        let picked = self.pick(eval, quota);
        let mut trace = Vec::with_capacity(self.stages.len() + 1);
        let mut exhausted: Vec<ModelId> = Vec::new();
        let mut decision = None;
        for (i, &s) in self.stages.iter().enumerate() {
            let stage = eval.engine().router(s).stage();
            let outcome = match eval.computed(s) {
                None => StageOutcome::NotReached,
                Some(Verdict::Decline(reason)) => StageOutcome::Declined { reason: reason.to_string() },
                Some(Verdict::Decide(d)) if picked == Pick::Stage(i) => {
                    decision = Some(self.finish(d.clone()));
                    StageOutcome::Decided { model: self.name(d.model), reason: d.reason.to_string() }
                }
                Some(Verdict::Decide(d)) => {
                    if !exhausted.contains(&d.model) {
                        exhausted.push(d.model);
                    }
                    match eval.excluded(d.model) {
                        Some(why) => StageOutcome::Excluded {
                            model: self.name(d.model),
                            reason: d.reason.to_string(),
                            skipped: why.to_string(),
                        },
                        None => StageOutcome::OverQuota { model: self.name(d.model), reason: d.reason.to_string() },
                    }
                }
            };
            trace.push(StageTrace { stage, outcome });
            if picked == Pick::Stage(i) {
                // Later stages never ran.
                for &later in &self.stages[i + 1..] {
                    let stage = eval.engine().router(later).stage();
                    trace.push(StageTrace { stage, outcome: StageOutcome::NotReached });
                }
                break;
            }
        }
        match picked {
            Pick::Stage(_) => {}
            Pick::Fallback(m) => {
                trace.push(StageTrace {
                    stage: "fallback",
                    outcome: StageOutcome::Decided { model: self.name(m), reason: "quota".to_string() },
                });
                decision = Some(self.fallback_decision(m, &exhausted, eval));
            }
            Pick::Exhausted => trace.push(StageTrace {
                stage: "fallback",
                outcome: StageOutcome::Declined { reason: "every model is over its daily quota".to_string() },
            }),
            Pick::Unservable => trace.push(StageTrace {
                stage: "fallback",
                outcome: StageOutcome::Declined { reason: "no model can serve this request".to_string() },
            }),
        }
        Outcome { decision, trace }
    }

    /// The decision for a fallback model, with a note naming the models the stages chose that
    /// were over quota or could not serve the request.
    fn fallback_decision(&self, m: ModelId, passed: &[ModelId], eval: &Eval) -> Decision {
        let mut over: Vec<String> = Vec::new();
        let mut skipped: Vec<String> = Vec::new();
        for &e in passed {
            match eval.excluded(e) {
                Some(why) => skipped.push(format!("`{}` skipped: {why}", self.name(e))),
                None => over.push(format!("`{}`", self.name(e))),
            }
        }
        let mut why: Vec<String> = skipped;
        if !over.is_empty() {
            why.push(format!("{} over its daily quota", over.join(", ")));
        }
        let note = if why.is_empty() {
            format!("no stage decided; `{}` is the first model in the fallback order with quota left", self.name(m))
        } else {
            format!("{}; fell back to `{}`", why.join("; "), self.name(m))
        };
        let mut d = self.finish(Decision::new(m, Params::default(), Method::FALLBACK, "quota"));
        d.note = Some(note.into());
        d
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
