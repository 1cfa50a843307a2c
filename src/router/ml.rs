//! The ML router: a trained classifier predicts a label; the label names a model.
//!
//! Low confidence (the maximum class probability below the threshold stored in the model, or
//! `[ml] min_confidence`) sends the request to the low-confidence model, as the design article
//! does, or declines with `on_low_confidence = "decline"`.

use serde::Serialize;

use crate::config::{Config, LowConfidence, ModelId, Params};
use crate::error::{Error, Result};
use crate::ml::model::{Model, Prediction};
use crate::ml::tfidf::Scratch;
use crate::router::{Decision, Eval, Label, Method, Router, Verdict};

pub struct MlRouter {
    pub model: Model,
    label_models: Vec<ModelId>,
    pub threshold: f64,
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

impl MlRouter {
    /// Wraps a loaded model; every label must name a catalog model.
    pub fn new(config: &Config, model: Model, origin: &str) -> Result<MlRouter> {
        let mut label_models = Vec::with_capacity(model.labels.len());
        for l in &model.labels {
            let id = config.ml.model_for_label(config, l).ok_or_else(|| {
                Error::Usage(format!(
                    "{origin}: label `{l}` names no catalog model; map it in `[ml.labels]` (e.g. `{l} = \"{}\"`)",
                    config.models[config.ml.low_confidence_model].name
                ))
            })?;
            label_models.push(id);
        }
        let by_cost = config.models_by_cost();
        let label_rank = label_models.iter().map(|m| by_cost.iter().position(|x| x == m).unwrap_or(0) as f64).collect();
        let label_names = model.labels.iter().map(|l| std::sync::Arc::from(l.as_str())).collect();
        Ok(MlRouter {
            label_names,
            label_rank,
            threshold: config.ml.min_confidence.unwrap_or(model.threshold),
            model,
            label_models,
            on_low: config.ml.on_low_confidence,
            low_model: config.ml.low_confidence_model,
        })
    }

    pub fn predict(&self, text: &str) -> Prediction {
        // One scratch per thread: batch workers predict many rows, and the model's fast paths
        // start once a thread has predicted a few.
        thread_local! {
            static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
        }
        SCRATCH.with(|s| self.model.predict(text, &mut s.borrow_mut()))
    }

    pub fn scores(&self, config: &Config, text: &str) -> MlScores {
        let p = self.predict(text);
        MlScores {
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
        }
    }

    /// The expected position of the needed model in the price order: a score that traces a
    /// cost–quality curve when thresholded (replay's ML curve).
    pub fn expected_rank(&self, p: &Prediction) -> f64 {
        p.proba.iter().zip(&self.label_rank).map(|(pr, r)| pr * r).sum()
    }

    /// The decision for a prediction.
    pub fn decide(&self, p: &Prediction) -> Verdict {
        let label = &self.model.labels[p.class];
        if p.confidence < self.threshold {
            return match self.on_low {
                LowConfidence::Decline => {
                    let why = format!("low confidence: {label} at {:.2} < {:.2}", p.confidence, self.threshold);
                    Verdict::Decline(why.into())
                }
                LowConfidence::Premium => {
                    let reason = format!("low_confidence ({label} {:.2} < {:.2})", p.confidence, self.threshold);
                    let mut d = Decision::new(self.low_model, Params::default(), Method::Ml, reason);
                    d.tier = Some(Label::from(&self.label_names[p.class]));
                    Verdict::Decide(d)
                }
            };
        }
        let name = Label::from(&self.label_names[p.class]);
        let mut d = Decision::new(self.label_models[p.class], Params::default(), Method::Ml, name.clone());
        d.tier = Some(name);
        Verdict::Decide(d)
    }
}

impl Router for MlRouter {
    fn stage(&self) -> &'static str {
        "ml"
    }

    fn route(&self, eval: &mut Eval) -> Verdict {
        match eval.prediction() {
            Some(p) => self.decide(p),
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
        let mut d = Decision::new(self.model, Params::default(), Method::Ml, "untrained");
        d.note = Some("no trained model configured (`[ml] model` or `--model`); the article's default".into());
        Verdict::Decide(d)
    }
}
