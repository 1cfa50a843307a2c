//! The ML router, for both kinds of trained model.
//!
//! - A **label** model predicts a label that names a model. Low confidence (the maximum class
//!   probability below the threshold stored in the model, or `[ml] min_confidence`) sends the
//!   request to the low-confidence model, as the design article does, or declines with
//!   `on_low_confidence = "decline"`.
//! - An **outcome** model predicts every model's expected quality; the request goes to the one
//!   maximising expected quality − λ × expected cost (λ from `[ml] lambda`, else the model's).
//!   Its labels are the models of its training data; each stands for the catalog model of that
//!   name (or `model_id`, or `[ml.labels]`). Replay also accepts labels that are models of the log
//!   only ([`Labels::OrData`]): the log's model of that name answers.

use serde::Serialize;

use crate::config::{Config, LowConfidence, ModelId, Params};
use crate::error::{Error, Result};
use crate::ml::features::Scratch;
use crate::ml::model::{Kind, Model, Outcomes, Prediction};
use crate::router::{Decision, Eval, Label, Method, Router, Verdict};

pub struct MlRouter {
    pub model: Model,
    /// Where the model comes from: its file, or a built-in model and its origin.
    pub source: String,
    label_models: Vec<ModelId>,
    /// Labels that name no catalog model (replay only; `label_models` holds the catalog model at
    /// the same place in the price order).
    pub unmapped: Vec<String>,
    pub threshold: f64,
    /// An outcome model's λ.
    pub lambda: f64,
    on_low: LowConfidence,
    low_model: ModelId,
    /// Each label's model's position in the catalog's price order (0 = cheapest).
    label_rank: Vec<f64>,
    /// The labels, shared by every decision.
    label_names: Vec<std::sync::Arc<str>>,
}

/// Class probabilities for `--explain`.
#[derive(Debug, Clone, Serialize)]
pub struct MlScores {
    /// Where the model comes from (a path, or `builtin:<name>` and its origin).
    pub source: String,
    pub probabilities: Vec<LabelProbability>,
    pub predicted: String,
    pub confidence: f64,
    pub threshold: f64,
    pub low_confidence: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LabelProbability {
    pub label: String,
    pub model: String,
    pub probability: f64,
}

/// An outcome model's view of one prompt, for `--explain`.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeScores {
    /// Where the model comes from (a path, or `builtin:<name>` and its origin).
    pub source: String,
    pub lambda: f64,
    pub chosen: String,
    /// Per label: expected quality, expected cost and the score maximised.
    pub models: Vec<OutcomeScore>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutcomeScore {
    pub label: String,
    pub model: String,
    pub expected_quality: f64,
    pub expected_cost_usd: f64,
    /// expected quality − λ × expected cost.
    pub score: f64,
}

/// Which labels a router accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Labels {
    /// Every label names a catalog model (routing live).
    Catalog,
    /// An outcome model's labels may instead be models of the log being replayed.
    OrData,
}

impl MlRouter {
    /// Wraps a loaded model; every label must name a catalog model (outcome models under
    /// [`Labels::OrData`]: or stand for a model of the replayed log).
    pub fn new(config: &Config, model: Model, origin: &str, labels: Labels) -> Result<MlRouter> {
        let outcomes = match &model.kind {
            Kind::Outcomes(o) => Some(o),
            Kind::Labels => None,
        };
        let by_cost = config.models_by_cost();
        let mut label_models = Vec::with_capacity(model.labels.len());
        let mut unmapped = Vec::new();
        for (i, l) in model.labels.iter().enumerate() {
            let id = match (config.ml.model_for_label(config, l), outcomes) {
                (Some(id), _) => id,
                (None, Some(o)) if labels == Labels::OrData => {
                    unmapped.push(l.clone());
                    // The catalog model at the label's place in the price order.
                    let below = o.mean_cost.iter().filter(|&&c| c < o.mean_cost[i]).count() as f64;
                    let frac = below / (o.mean_cost.len().max(2) - 1) as f64;
                    by_cost[((frac * (by_cost.len() - 1) as f64).round() as usize).min(by_cost.len() - 1)]
                }
                (None, Some(_)) => {
                    let names: Vec<&str> = model
                        .labels
                        .iter()
                        .filter(|l| config.ml.model_for_label(config, l).is_none())
                        .map(String::as_str)
                        .collect();
                    return Err(Error::Usage(format!(
                        "{origin}: the outcome model's models {} name no catalog model; map each in `[ml.labels]` \
                         (e.g. `\"{l}\" = \"{}\"`; `batch` and `simulate` also take `--map`), give a catalog \
                         model its name as `model_id`, or train with `--candidates` on the models the catalog has",
                        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                        config.models[by_cost[by_cost.len() - 1]].name
                    )));
                }
                (None, None) => {
                    return Err(Error::Usage(format!(
                        "{origin}: label `{l}` names no catalog model; map it in `[ml.labels]` (e.g. `{l} = \"{}\"`)",
                        config.models[config.ml.low_confidence_model].name
                    )));
                }
            };
            label_models.push(id);
        }
        let label_rank = label_models.iter().map(|m| by_cost.iter().position(|x| x == m).unwrap_or(0) as f64).collect();
        let label_names = model.labels.iter().map(|l| std::sync::Arc::from(l.as_str())).collect();
        let source = match crate::ml::builtin::lookup(origin) {
            Some(Ok(b)) => format!("{origin} ({})", b.origin),
            _ => origin.to_string(),
        };
        Ok(MlRouter {
            source,
            label_names,
            label_rank,
            threshold: config.ml.min_confidence.unwrap_or(model.threshold),
            lambda: config.ml.lambda.or(outcomes.map(|o| o.lambda)).unwrap_or(0.0),
            unmapped,
            model,
            label_models,
            on_low: config.ml.on_low_confidence,
            low_model: config.ml.low_confidence_model,
        })
    }

    /// The catalog model label `i` stands for (for an unmapped label, the one at its place in
    /// the price order).
    pub fn label_model(&self, i: usize) -> ModelId {
        self.label_models[i]
    }

    /// The outcome model's parts, when it is one.
    pub fn outcomes(&self) -> Option<&Outcomes> {
        match &self.model.kind {
            Kind::Outcomes(o) => Some(o),
            Kind::Labels => None,
        }
    }

    /// The prediction for a prompt (and the request's tag, an outcome model's categorical
    /// feature).
    pub fn predict(&self, text: &str, tag: Option<&str>) -> Prediction {
        // One scratch per thread: batch workers predict many rows, and the model's fast paths
        // start once a thread has predicted a few.
        thread_local! {
            static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
        }
        SCRATCH.with(|s| self.model.predict_with(text, tag, &mut s.borrow_mut()))
    }

    /// A label model's class probabilities for `--explain` (`None` for an outcome model).
    pub fn scores(&self, config: &Config, text: &str) -> Option<MlScores> {
        if self.outcomes().is_some() {
            return None;
        }
        let p = self.predict(text, None);
        Some(MlScores {
            source: self.source.clone(),
            probabilities: self
                .model
                .labels
                .iter()
                .zip(&p.proba)
                .zip(&self.label_models)
                .map(|((l, &pr), &m)| LabelProbability {
                    label: l.clone(),
                    model: config.models[m].name.clone(),
                    probability: pr,
                })
                .collect(),
            predicted: self.model.labels[p.class].clone(),
            confidence: p.confidence,
            threshold: self.threshold,
            low_confidence: p.confidence < self.threshold,
        })
    }

    /// An outcome model's expected quality and cost of every model for `--explain`.
    pub fn outcome_scores(&self, config: &Config, text: &str, tag: Option<&str>) -> Option<OutcomeScores> {
        let o = self.outcomes()?;
        let p = self.predict(text, tag);
        let chars = text.chars().count();
        let chosen = o.choose(&p.proba, chars, self.lambda);
        Some(OutcomeScores {
            source: self.source.clone(),
            lambda: self.lambda,
            chosen: self.model.labels[chosen].clone(),
            models: (0..self.model.labels.len())
                .map(|m| {
                    let c = o.cost_of(m, chars);
                    OutcomeScore {
                        label: self.model.labels[m].clone(),
                        model: config.models[self.label_models[m]].name.clone(),
                        expected_quality: p.proba[m],
                        expected_cost_usd: c,
                        score: p.proba[m] - self.lambda * c,
                    }
                })
                .collect(),
        })
    }

    /// The label an outcome model chooses at `lambda` for a prediction on a prompt of `chars`
    /// characters (replay sweeps λ with it).
    pub fn choose(&self, o: &Outcomes, p: &Prediction, chars: usize, lambda: f64) -> usize {
        o.choose(&p.proba, chars, lambda)
    }

    /// The expected position of the needed model in the price order: a score that traces a
    /// cost–quality curve when thresholded (replay's ML curve).
    pub fn expected_rank(&self, p: &Prediction) -> f64 {
        p.proba.iter().zip(&self.label_rank).map(|(pr, r)| pr * r).sum()
    }

    /// The decision for a prediction on a prompt of `chars` characters.
    pub fn decide(&self, p: &Prediction, chars: usize) -> Verdict {
        if let Some(o) = self.outcomes() {
            let m = self.choose(o, p, chars, self.lambda);
            let name = Label::from(&self.label_names[m]);
            let mut d = Decision::new(self.label_models[m], Params::default(), Method::ML, name.clone());
            d.tier = Some(name.clone());
            d.data_model = Some(name);
            d.note = Some(
                format!("expected quality {:.4} at ${:.6} (λ {})", p.proba[m], o.cost_of(m, chars), self.lambda).into(),
            );
            return Verdict::Decide(d);
        }
        let label = &self.model.labels[p.class];
        if p.confidence < self.threshold {
            return match self.on_low {
                LowConfidence::Decline => {
                    let why = format!("low confidence: {label} at {:.2} < {:.2}", p.confidence, self.threshold);
                    Verdict::Decline(why.into())
                }
                LowConfidence::Premium => {
                    let reason = format!("low_confidence ({label} {:.2} < {:.2})", p.confidence, self.threshold);
                    let mut d = Decision::new(self.low_model, Params::default(), Method::ML, reason);
                    d.tier = Some(Label::from(&self.label_names[p.class]));
                    Verdict::Decide(d)
                }
            };
        }
        let name = Label::from(&self.label_names[p.class]);
        let mut d = Decision::new(self.label_models[p.class], Params::default(), Method::ML, name.clone());
        d.tier = Some(name);
        Verdict::Decide(d)
    }
}

impl Router for MlRouter {
    fn stage(&self) -> &'static str {
        "ml"
    }

    fn route(&self, eval: &mut Eval) -> Verdict {
        let chars = if self.outcomes().is_some() { eval.text.chars().count() } else { 0 };
        match eval.prediction() {
            Some(p) => self.decide(p, chars),
            None => NoModel.route(eval),
        }
    }
}

/// The ML stage of the chain without a trained model: declines.
pub struct NoModel;

impl Router for NoModel {
    fn stage(&self) -> &'static str {
        "ml"
    }

    fn route(&self, _: &mut Eval) -> Verdict {
        Verdict::Decline("no trained model configured (`[ml] model` or `--model`)".into())
    }
}

/// The ML strategy alone (`--strategy ml`) without a trained model: answers with the untrained
/// model (the article's `balanced`).
pub struct Untrained {
    pub model: ModelId,
}

impl Router for Untrained {
    fn stage(&self) -> &'static str {
        "ml"
    }

    fn route(&self, _: &mut Eval) -> Verdict {
        let mut d = Decision::new(self.model, Params::default(), Method::ML, "untrained");
        d.note = Some("no trained model configured (`[ml] model` or `--model`); the article's default".into());
        Verdict::Decide(d)
    }
}
