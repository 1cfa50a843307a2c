//! A trained router model: labels, TF-IDF vectorizer, forest, confidence threshold, metadata.

use serde::{Deserialize, Serialize};

use crate::ml::forest::{Forest, ForestParams};
use crate::ml::tfidf::{Scratch, Tfidf, TfidfConfig};

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
    /// Class labels in class-index order (sorted).
    pub labels: Vec<String>,
    pub tfidf: Tfidf,
    pub forest: Forest,
    /// Below this maximum class probability a prediction is "low confidence".
    pub threshold: f64,
    pub meta: TrainingMeta,
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
    pub fn fit(
        texts: &[&str],
        y: &[u32],
        labels: Vec<String>,
        tfidf: TfidfConfig,
        params: &ForestParams,
        on_tree: &(dyn Fn() + Sync),
    ) -> (Tfidf, Forest) {
        let (vectorizer, x) = Tfidf::fit_transform(tfidf, texts, params.threads);
        let forest = Forest::fit(&x, y, labels.len(), params, on_tree);
        (vectorizer, forest)
    }

    pub fn predict(&self, text: &str, scratch: &mut Scratch) -> Prediction {
        let row = self.tfidf.transform_f64(text, scratch);
        scratch.indices.clear();
        scratch.values.clear();
        for &(c, v) in &row {
            scratch.indices.push(c);
            scratch.values.push(v as f32);
        }
        let mut proba = vec![0.0; self.labels.len()];
        self.forest.predict_row(&scratch.indices, &scratch.values, &mut scratch.forest, &mut proba);
        Prediction::from_proba(proba)
    }
}
