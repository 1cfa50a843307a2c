//! The reports of `train` and `evaluate` for label models: plain data, rendered by
//! `crate::output::train` or serialised as JSON.

use serde::Serialize;

use crate::ml::metrics::EvalReport;

/// What `train` prints (or `--json` serialises).
#[derive(Debug, Serialize)]
pub struct TrainReport {
    pub model: String,
    pub model_bytes: usize,
    pub rows: usize,
    pub train_rows: usize,
    pub valid_rows: usize,
    pub bad_rows: usize,
    pub labels: Vec<String>,
    pub analyzer: &'static str,
    pub ngram: [usize; 2],
    pub max_features: usize,
    pub sublinear_tf: bool,
    pub vocabulary_size: usize,
    /// `tfidf`, `encoder` or `both`.
    pub features: &'static str,
    /// The sentence encoder, described, when the features use one.
    pub encoder: Option<String>,
    /// `forest` or `logistic`.
    pub classifier: &'static str,
    /// A logistic classifier's C and how it was chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub c: Option<CSelection>,
    pub n_estimators: usize,
    pub max_depth: Option<usize>,
    pub seed: u64,
    pub threads: usize,
    pub tfidf_seconds: f64,
    pub forest_seconds: f64,
    pub fit_seconds: f64,
    pub nodes: usize,
    pub threshold: f64,
    pub threshold_source: String,
    /// The power the vote shares are raised to (out-of-bag calibration).
    pub calibration: Option<f64>,
    pub validation: Option<EvalReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cv: Option<CvReport>,
}

/// How a logistic classifier's C was chosen.
#[derive(Debug, Clone, Serialize)]
pub struct CSelection {
    pub c: f64,
    /// `flag` (`--c`) or `cross-validation`.
    pub source: &'static str,
    /// Folds of the cross-validation (0 for `flag`).
    pub folds: usize,
    /// Each candidate C and its mean held-out score (accuracy; an outcome model's mean log-loss).
    pub grid: Vec<(f64, f64)>,
}

/// `train --cv K`: the K-fold accuracies.
#[derive(Debug, Serialize)]
pub struct CvReport {
    pub folds: usize,
    pub accuracy_mean: f64,
    pub accuracy_std: f64,
    pub fold_accuracy: Vec<f64>,
}

/// What `evaluate` prints for a label model.
#[derive(Debug, Serialize)]
pub struct EvaluateReport {
    pub model: String,
    /// Time to read and check the model file.
    pub load_ms: f64,
    pub bad_rows: usize,
    pub predict_seconds: f64,
    pub per_query_us: f64,
    #[serde(flatten)]
    pub metrics: EvalReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<Segments>,
}

/// `evaluate --by COLUMN`: the routing figures of each value of the column.
#[derive(Debug, Serialize)]
pub struct Segments {
    pub column: String,
    pub rows: Vec<Segment>,
}

/// One value of the `--by` column.
#[derive(Debug, Serialize)]
pub struct Segment {
    /// The column's value; `all` for the whole set (last).
    pub segment: String,
    pub rows: usize,
    pub accuracy: f64,
    pub fallback_rate: f64,
    pub accuracy_after_fallback: f64,
    /// Share of rows routed (after fallback) to a cheaper model than their label's; `None` when
    /// no row's labels both map to catalog models.
    pub under_routed: Option<f64>,
    /// Share routed to a dearer model than their label's.
    pub over_routed: Option<f64>,
}
