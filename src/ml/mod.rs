//! The ML router's machinery: text analyzers, TF-IDF, a sparse random forest, metrics and the
//! model file.

pub mod analyzer;
pub mod artifact;
pub mod builtin;
pub mod calibration;
pub mod dataset;
pub mod encoder;
pub mod features;
pub mod forest;
pub mod linear;
pub mod metrics;
pub mod model;
pub mod outcome;
pub mod report;
pub mod sparse;
pub mod tfidf;

/// Predictions a thread makes before prediction builds its indexes (the n-gram trie, the
/// forest's feature index): a single `route` should not pay for them.
pub const WARM_UP: u32 = 64;

/// Defaults chosen by measurement on the UncommonRoute tier data (train → dev, `bench/analyzers.sh`):
/// `char_wb` 1–4 with unlimited depth had the best accuracy-after-fallback (0.954) with 5.4 % of
/// prompts below the 0.6 threshold; the article's word analyzer at depth 10 sent 76 % to premium.
pub mod defaults {
    use super::analyzer::AnalyzerKind;

    pub const ANALYZER: AnalyzerKind = AnalyzerKind::CharWb;
    pub const THRESHOLD: f64 = 0.6;

    /// The n-gram range for an analyzer when `--ngram` is not given.
    pub fn ngram(kind: Option<AnalyzerKind>) -> (usize, usize) {
        match kind.unwrap_or(ANALYZER) {
            AnalyzerKind::CharWb => (1, 4),
            AnalyzerKind::Word | AnalyzerKind::Cjk => (1, 1),
        }
    }
}
