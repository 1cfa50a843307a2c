//! A trained router model: its inputs (TF-IDF, a sentence encoder, or both; `ml::features`), a
//! classifier (a forest, or logistic regression) and metadata, of one of two kinds.
//!
//! - **Labels** (`train DATA --label-col`): the forest classifies a prompt into a label (a tier or
//!   a model); a confidence threshold decides when to fall back.
//! - **Outcomes** (`train --outcomes FILE…`): the forest predicts, for every model of the
//!   training data, its expected quality on the prompt; a per-model cost model predicts what it
//!   would cost; the router picks the model maximising quality − λ·cost, λ stored in the model.

use serde::{Deserialize, Serialize};

use std::sync::OnceLock;

use crate::ml::features::{Inputs, Projection, Scratch};
use crate::ml::forest::Forest;
use crate::ml::linear::Linear;

/// Facts about training, stored in the model file (no timestamps: the same data and seed give a
/// byte-identical file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingMeta {
    pub llmroute_version: String,
    pub rows: usize,
    pub n_estimators: usize,
    pub max_depth: Option<usize>,
    pub seed: u64,
    /// Validation figures at the stored threshold, when a validation set was used.
    pub validation_accuracy: Option<f64>,
    pub validation_fallback_rate: Option<f64>,
    /// How the threshold was chosen: `flag`, `default`, `calibrated-accuracy`, `calibrated-share`.
    pub threshold_source: String,
}

#[derive(Debug, Clone)]
pub struct Model {
    /// Class labels in class-index order (sorted); for an outcome model, the models of the data.
    pub labels: Vec<String>,
    pub inputs: Inputs,
    pub classifier: Classifier,
    /// Below this maximum class probability a prediction is "low confidence" (labels only).
    pub threshold: f64,
    pub meta: TrainingMeta,
    pub kind: Kind,
    /// A label model's probability calibration: class probabilities are raised to this power
    /// and renormalised (fitted on out-of-bag predictions; `None` = as the trees vote).
    pub calibration: Option<f64>,
    /// A logistic model's projection of a table encoder, built on first use.
    pub fast: FastPath,
}

/// [`Projection`], made on first prediction (a model that is only trained or inspected never
/// pays for it).
#[derive(Debug, Default)]
pub struct FastPath(OnceLock<Option<Projection>>);

impl Clone for FastPath {
    fn clone(&self) -> FastPath {
        FastPath::default()
    }
}

/// What turns a row into class probabilities (or every model's expected quality).
#[derive(Debug, Clone)]
pub enum Classifier {
    Forest(Forest),
    /// Logistic regression: one softmax over the labels, or (an outcome model) one sigmoid per
    /// model, its probability of a good answer.
    Linear(Vec<Linear>),
}

impl Classifier {
    pub fn name(&self) -> &'static str {
        match self {
            Classifier::Forest(_) => "forest",
            Classifier::Linear(_) => "logistic",
        }
    }

    /// The inverse regularisation C of a logistic classifier (the first head's).
    pub fn c(&self) -> Option<f64> {
        match self {
            Classifier::Forest(_) => None,
            Classifier::Linear(h) => h.first().map(Linear::c),
        }
    }
}

/// What a model predicts.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A label per prompt.
    Labels,
    /// Every model's expected quality, and what to trade for cost.
    Outcomes(Outcomes),
}

/// The parts of an outcome model besides the forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcomes {
    /// Per model (in label order): its cost in USD ≈ `intercept + slope × prompt characters`.
    pub cost: Vec<(f64, f64)>,
    /// Per model: its mean cost per request in the training data (its place in the price order).
    pub mean_cost: Vec<f64>,
    /// The operating point: the router maximises expected quality − λ × expected cost.
    pub lambda: f64,
    /// How λ was chosen (`flag`, `target-quality`, `max-cost`, `premium-share`, `default`).
    pub lambda_source: String,
    /// A categorical feature (`--feature-col`), one-hot after the TF-IDF columns.
    pub feature: Option<Feature>,
}

/// A categorical feature of the request (the column in training data, `--tag` when routing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    pub column: String,
    pub values: Vec<String>,
}

impl Outcomes {
    /// The expected cost of model `m` for a prompt of `chars` characters (never below 0).
    pub fn cost_of(&self, m: usize, chars: usize) -> f64 {
        let (a, b) = self.cost[m];
        (a + b * chars as f64).max(0.0)
    }

    /// The model to route to: the highest expected quality − λ·cost, the cheaper on a tie.
    pub fn choose(&self, quality: &[f64], chars: usize, lambda: f64) -> usize {
        let mut best = (0usize, f64::MIN, f64::MAX);
        for (m, &q) in quality.iter().enumerate() {
            let c = self.cost_of(m, chars);
            let score = q - lambda * c;
            if score > best.1 || (score == best.1 && c < best.2) {
                best = (m, score, c);
            }
        }
        best.0
    }
}

/// One prediction: class probabilities and the winning class.
#[derive(Debug, Clone)]
pub struct Prediction {
    pub proba: Vec<f64>,
    pub class: usize,
    pub confidence: f64,
}

impl Prediction {
    pub fn from_proba(proba: Vec<f64>) -> Prediction {
        // First maximum wins, as numpy's argmax.
        let mut class = 0;
        for (i, &p) in proba.iter().enumerate() {
            if p > proba[class] {
                class = i;
            }
        }
        let confidence = proba.get(class).copied().unwrap_or(0.0);
        Prediction { proba, class, confidence }
    }
}

impl Model {
    pub fn predict(&self, text: &str, scratch: &mut Scratch) -> Prediction {
        self.predict_with(text, None, scratch)
    }

    /// [`Model::predict`] with the request's categorical feature value (an outcome model's
    /// `--feature-col`, `--tag` when routing).
    pub fn predict_with(&self, text: &str, tag: Option<&str>, scratch: &mut Scratch) -> Prediction {
        if let Some(p) = self.predict_projected(text, tag, scratch) {
            return p;
        }
        self.predict_explicit(text, tag, scratch)
    }

    /// The projection of a logistic model on a table encoder (see [`Projection`]), when the model is one.
    fn projection(&self) -> Option<&Projection> {
        self.fast
            .0
            .get_or_init(|| {
                let (Classifier::Linear(heads), Some(e)) = (&self.classifier, &self.inputs.encoder) else {
                    return None;
                };
                if self.calibration.is_some() {
                    return None;
                }
                Projection::new(e, self.inputs.tfidf_columns(), &heads.iter().collect::<Vec<_>>())
            })
            .as_ref()
    }

    /// [`Model::predict_with`] through the projection; `None` when the model has none.
    fn predict_projected(&self, text: &str, tag: Option<&str>, scratch: &mut Scratch) -> Option<Prediction> {
        let p = self.projection()?;
        let (Classifier::Linear(heads), Some(e)) = (&self.classifier, &self.inputs.encoder) else { return None };
        self.inputs.row_without_encoder(text, scratch);
        self.push_tag(tag, scratch);
        let Scratch { tfidf: s, dense, z } = scratch;
        z.clear();
        let mut at = 0;
        for h in heads {
            z.resize(at + h.columns(), 0.0);
            h.scores(&s.indices, &s.values, &mut z[at..]);
            at += h.columns();
        }
        if !p.add_mean(e, text, z, dense) {
            return None;
        }
        let mut proba = vec![0.0; self.labels.len()];
        match &self.kind {
            Kind::Labels => {
                let h = heads.first()?;
                proba.copy_from_slice(&z[..self.labels.len()]);
                h.proba_of_scores(&mut proba);
            }
            Kind::Outcomes(_) => {
                for ((p, h), &zi) in proba.iter_mut().zip(heads).zip(z.iter()) {
                    let mut two = [zi, 0.0];
                    h.proba_of_scores(&mut two);
                    *p = two[1];
                }
            }
        }
        Some(Prediction::from_proba(proba))
    }

    /// Appends an outcome model's categorical one-hot column for `tag` to the row.
    fn push_tag(&self, tag: Option<&str>, scratch: &mut Scratch) {
        if let (Kind::Outcomes(o), Some(tag)) = (&self.kind, tag)
            && let Some(f) = &o.feature
            && let Some(i) = f.values.iter().position(|v| v == tag)
        {
            scratch.tfidf.indices.push((self.inputs.n_columns() + i) as u32);
            scratch.tfidf.values.push(1.0);
        }
    }

    /// [`Model::predict_with`] on the explicit row (every classifier; the reference the
    /// projection is tested against).
    pub fn predict_explicit(&self, text: &str, tag: Option<&str>, scratch: &mut Scratch) -> Prediction {
        self.inputs.row(text, scratch);
        self.push_tag(tag, scratch);
        let s = &mut scratch.tfidf;
        let mut proba = vec![0.0; self.labels.len()];
        match (&self.classifier, &self.kind) {
            (Classifier::Forest(f), _) => f.predict_row(&s.indices, &s.values, &mut s.forest, &mut proba),
            (Classifier::Linear(heads), Kind::Labels) => {
                if let Some(h) = heads.first() {
                    h.predict_proba(&s.indices, &s.values, &mut proba);
                }
            }
            (Classifier::Linear(heads), Kind::Outcomes(_)) => {
                for (p, h) in proba.iter_mut().zip(heads) {
                    *p = h.predict_p(&s.indices, &s.values);
                }
            }
        }
        if let Some(a) = self.calibration {
            crate::ml::calibration::apply(&mut proba, a);
        }
        Prediction::from_proba(proba)
    }
}
