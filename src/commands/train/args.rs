//! `llmroute train` and `evaluate`'s arguments: how labelled rows and outcome logs are read, the forest, the operating point.

use std::path::PathBuf;

use clap::Args;

use crate::commands::args::{InputFormatArg, MapArg, ReportArgs, float_in, int_in, scale, split, unit};
use crate::ml::analyzer::AnalyzerKind;
pub use crate::ml::features::Kind as FeatureKind;

/// The classifiers `train` fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClassifierKind {
    /// A random forest (the only one for TF-IDF before encoders)
    Forest,
    /// L2-regularised logistic regression (softmax over labels; a sigmoid per model for outcomes)
    Logistic,
}

/// `--c`: a positive, finite C within 1e-6..=1e6.
fn positive_c(s: &str) -> Result<f64, String> {
    float_in(s, 1e-6, 1e6, false)
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled queries (or, with --outcomes, outcome logs): CSV, JSON Lines or JSON arrays,
    /// several files at once; `-` reads stdin
    #[arg(value_name = "DATA", required = true)]
    pub data: Vec<PathBuf>,

    /// Learn every model's expected quality from outcome logs (as `simulate` reads them) instead
    /// of a label per prompt: the outcome router
    #[arg(long)]
    pub outcomes: bool,

    #[command(flatten)]
    pub outcome: OutcomeArgs,

    /// Where to write the model
    #[arg(short, long, value_name = "MODEL")]
    pub output: std::path::PathBuf,

    /// Overwrite an existing model file
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub labels: LabelledArgs,

    /// Validation file (instead of holding out --valid-split of DATA)
    #[arg(long, value_name = "FILE")]
    pub valid: Option<PathBuf>,

    /// Share of DATA held out for validation (seeded); 0 disables validation
    #[arg(long, default_value_t = 0.2, value_parser = split, value_name = "SHARE")]
    pub valid_split: f64,

    /// What the classifier reads: TF-IDF n-grams, the sentence encoder's vector (carries to
    /// languages and wordings absent from the training data), or both
    #[arg(long, value_enum, default_value_t = FeatureKind::Tfidf, value_name = "KIND")]
    pub features: FeatureKind,

    /// The sentence encoder of --features encoder|both: `builtin:multilingual`, or the directory
    /// of a Model2Vec static model (model.safetensors + tokenizer.json) [default:
    /// builtin:multilingual]
    #[arg(long, value_name = "SPEC|DIR")]
    pub encoder: Option<String>,

    /// The classifier [default: forest with --features tfidf, logistic otherwise: the better of
    /// the two measured on each]
    #[arg(long, value_enum, value_name = "KIND")]
    pub classifier: Option<ClassifierKind>,

    /// Logistic regression's inverse regularisation C [default: chosen by 5-fold
    /// cross-validation inside the training rows]
    #[arg(long = "c", value_parser = positive_c, value_name = "C")]
    pub c: Option<f64>,

    /// Text analyzer [default: char_wb, the best measured on the tier data]
    #[arg(long, value_enum)]
    pub analyzer: Option<AnalyzerKind>,

    /// N-gram range MIN,MAX (characters for char_wb, words otherwise) [default: char_wb 1,4; word 1,1]
    #[arg(long, value_parser = parse_ngram, value_name = "MIN,MAX")]
    pub ngram: Option<(usize, usize)>,

    /// Vocabulary size: the most frequent terms
    #[arg(long, default_value_t = 5000, value_parser = int_in::<1, 10_000_000>, value_name = "N")]
    pub max_features: usize,

    /// Use 1 + ln(tf) instead of raw term counts
    #[arg(long)]
    pub sublinear_tf: bool,

    /// Number of trees
    #[arg(long, default_value_t = 100, value_parser = int_in::<1, 10_000>, value_name = "N")]
    pub n_estimators: usize,

    /// Maximum tree depth, or `none` (grow until pure; the article used 10, which leaves most
    /// predictions below a 0.6 confidence threshold)
    #[arg(long, default_value = "none", value_parser = parse_depth, value_name = "N|none")]
    pub max_depth: Depth,

    /// Random seed (bootstrap, feature sampling, validation split)
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_parser = int_in::<1, 256>, value_name = "N")]
    pub threads: Option<usize>,

    /// Confidence threshold stored in the model [default: [ml] min_confidence, else 0.6]
    #[arg(long, value_parser = unit, value_name = "X")]
    pub min_confidence: Option<f64>,

    /// Choose the threshold on the validation data (max accuracy-after-fallback, or
    /// --target-premium-share)
    #[arg(long)]
    pub calibrate: bool,

    /// Keep the trees' raw vote shares as probabilities (by default they are calibrated on the
    /// out-of-bag predictions of the training rows)
    #[arg(long)]
    pub no_calibration: bool,

    /// With --calibrate: the highest threshold whose premium share stays at or below X
    #[arg(long, value_parser = unit, value_name = "X")]
    pub target_premium_share: Option<f64>,

    /// Also report K-fold cross-validated accuracy
    #[arg(long, value_parser = int_in::<2, 100>, value_name = "K")]
    pub cv: Option<usize>,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Classifier file to measure (a `train -o` output, or `builtin:tiers`)
    #[arg(long, value_name = "FILE")]
    pub classifier: std::path::PathBuf,

    /// Labelled queries (or, for an outcome model, outcome logs); `-` reads stdin
    #[arg(value_name = "DATA", required = true)]
    pub data: Vec<PathBuf>,

    #[command(flatten)]
    pub outcome: OutcomeArgs,

    #[command(flatten)]
    pub labels: LabelledArgs,

    /// Confidence threshold [default: [ml] min_confidence, else the model's]
    #[arg(long, value_parser = unit, value_name = "X")]
    pub min_confidence: Option<f64>,

    /// Also report accuracy, fallback and under-routing per value of this column (e.g. `lang`)
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,

    #[command(flatten)]
    pub report: ReportArgs,
}

/// How `train` and `evaluate` read labelled rows.
#[derive(Debug, Clone, Args)]
pub struct LabelledArgs {
    #[command(flatten)]
    pub format: InputFormatArg,

    /// Column (or JSON key) holding the prompt
    #[arg(long, default_value = "prompt", value_name = "NAME")]
    pub text_col: String,

    /// Column (or JSON key) holding the label
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub label_col: String,

    /// Label each row with the cheapest model that was good enough (RouterBench columns
    /// `<model>` and `<model>|total_cost`)
    #[arg(long)]
    pub label_from_outcomes: bool,

    /// Quality a model needs for --label-from-outcomes [default: the row's best quality]
    #[arg(long, value_parser = unit, value_name = "X")]
    pub min_quality: Option<f64>,

    /// Skip malformed rows (reported on stderr; exit code 1 at the end)
    #[arg(long)]
    pub skip_bad: bool,
}

/// How `train --outcomes` and `evaluate` read outcome logs (the `simulate` flags that do not
/// clash with the labelled ones) and choose the operating point.
#[derive(Debug, Clone, Args)]
pub struct OutcomeArgs {
    /// Quality column template; `{model}` stands for the model name (e.g. `scores.{model}`)
    #[arg(long, default_value = "{model}", value_name = "TEMPLATE")]
    pub quality: String,

    /// Cost column template (USD per request); models without one are priced from tokens
    #[arg(long, default_value = "{model}|total_cost", value_name = "TEMPLATE")]
    pub cost: String,

    /// Response column template
    #[arg(long, default_value = "{model}|model_response", value_name = "TEMPLATE")]
    pub response: String,

    /// The models of the data, when the header does not reveal them
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub models: Option<Vec<String>>,

    /// Learn only these data models
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub candidates: Option<Vec<String>>,

    /// Long format: one row per (request, model), grouped by `--id-col`, model in `--model-col`
    #[arg(long)]
    pub long: bool,

    /// Request id column for --long
    #[arg(long, value_name = "NAME")]
    pub id_col: Option<String>,

    /// Model column for --long
    #[arg(long, default_value = "model", value_name = "NAME")]
    pub model_col: String,

    #[command(flatten)]
    pub map: MapArg,

    /// Price table for data models without costs
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,

    /// Quality values range over [0, X] and are divided by X
    #[arg(long, default_value_t = 1.0, value_parser = scale, value_name = "X")]
    pub quality_scale: f64,

    /// A categorical column the router also learns from (e.g. `eval_name`); when routing, its value
    /// is the request's `--tag`
    #[arg(long, value_name = "NAME")]
    pub feature_col: Option<String>,

    /// Smallest leaf of the outcome forest
    #[arg(long, default_value_t = 5, value_parser = int_in::<1, 100_000>, value_name = "N")]
    pub min_samples_leaf: usize,

    /// The cost–quality knob: maximise expected quality − λ × expected cost (USD)
    #[arg(long, value_parser = lambda, value_name = "LAMBDA", conflicts_with_all = ["target_quality", "max_cost", "premium_share"])]
    pub lambda: Option<f64>,

    /// The cheapest operating point whose validation quality reaches Q
    #[arg(long, value_parser = unit, value_name = "Q", conflicts_with_all = ["max_cost", "premium_share"])]
    pub target_quality: Option<f64>,

    /// The best validation quality at a mean cost per request of at most USD
    /// [default: half the dearest model's]
    #[arg(long, value_parser = usd, value_name = "USD", conflicts_with = "premium_share")]
    pub max_cost: Option<f64>,

    /// The best validation quality sending at most this share of requests to the dearest model
    #[arg(long, value_parser = unit, value_name = "S")]
    pub premium_share: Option<f64>,
}

/// λ: `[0, 1e12]`.
pub fn lambda(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, crate::ml::outcome::MAX_LAMBDA, false)
}

/// A cost in USD per request: `[0, 1e6]`.
pub fn usd(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, 1e6, false)
}

/// `--max-depth N|none`.
#[derive(Debug, Clone, Copy)]
pub struct Depth(pub Option<usize>);

pub fn parse_depth(s: &str) -> std::result::Result<Depth, String> {
    if s.eq_ignore_ascii_case("none") {
        return Ok(Depth(None));
    }
    s.parse::<usize>()
        .ok()
        .filter(|&d| d > 0)
        .map(|d| Depth(Some(d)))
        .ok_or_else(|| format!("`{s}` is not a positive integer or `none`"))
}

/// `--ngram MIN,MAX`.
pub fn parse_ngram(s: &str) -> std::result::Result<(usize, usize), String> {
    let (a, b) = s.split_once(',').ok_or_else(|| format!("`{s}`: write MIN,MAX, e.g. 1,3"))?;
    let lo = a.trim().parse::<usize>().map_err(|_| format!("`{a}` is not a positive integer"))?;
    let hi = b.trim().parse::<usize>().map_err(|_| format!("`{b}` is not a positive integer"))?;
    if lo == 0 || hi < lo || hi > 10 {
        return Err(format!("`{s}`: need 1 <= MIN <= MAX <= 10"));
    }
    Ok((lo, hi))
}
