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
use crate::router::{Decision, Method, Router, Verdict};
use crate::text::Analysis;

pub struct MlRouter {
    pub model: Model,
    label_models: Vec<ModelId>,
    pub threshold: f64,
    on_low: LowConfidence,
    low_model: ModelId,
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
        Ok(MlRouter {
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

    /// The decision for a prediction (shared with replay, which predicts in bulk).
    pub fn decide(&self, p: &Prediction) -> Verdict {
        let label = &self.model.labels[p.class];
        if p.confidence < self.threshold {
            return match self.on_low {
                LowConfidence::Decline => {
                    Verdict::Decline(format!("low confidence: {label} at {:.2} < {:.2}", p.confidence, self.threshold))
                }
                LowConfidence::Premium => Verdict::Decide(Decision {
                    model: self.low_model,
                    params: Params::default(),
                    method: Method::Ml,
                    reason: format!("low_confidence ({label} {:.2} < {:.2})", p.confidence, self.threshold),
                    rule: None,
                    tier: Some(label.clone()),
                    difficulty: None,
                    note: None,
                }),
            };
        }
        Verdict::Decide(Decision {
            model: self.label_models[p.class],
            params: Params::default(),
            method: Method::Ml,
            reason: label.clone(),
            rule: None,
            tier: Some(label.clone()),
            difficulty: None,
            note: None,
        })
    }
}

impl Router for MlRouter {
    fn stage(&self) -> &'static str {
        "ml"
    }

    fn route(&self, a: &Analysis) -> Verdict {
        self.decide(&self.predict(a.text))
    }
}

/// The ML stage without a trained model: declines in the chain; alone (`--strategy ml`) it
/// answers with the untrained model (the article's `balanced`).
pub struct Untrained {
    pub standalone: bool,
    pub model: ModelId,
}

impl Router for Untrained {
    fn stage(&self) -> &'static str {
        "ml"
    }
    fn route(&self, _: &Analysis) -> Verdict {
        if self.standalone {
            return Verdict::Decide(Decision {
                model: self.model,
                params: Params::default(),
                method: Method::Ml,
                reason: "untrained".to_string(),
                rule: None,
                tier: None,
                difficulty: None,
                note: Some(
                    "no trained model configured (`[ml] model` or `--model`); the article's default".to_string(),
                ),
            });
        }
        Verdict::Decline("no trained model configured (`[ml] model` or `--model`)".to_string())
    }
}
