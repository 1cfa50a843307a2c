//! The `train --outcomes` and `evaluate` reports of outcome models: the `--json` records and their
//! text (the data, the forest, the operating point, the curve).

use serde::Serialize;

use crate::ml::model::Feature;
use crate::ml::outcome::Point;
use crate::output;

#[derive(Debug, Serialize)]
pub struct TrainReport {
    pub model: String,
    pub model_bytes: usize,
    pub rows: usize,
    pub train_rows: usize,
    pub valid_rows: usize,
    pub bad_rows: usize,
    pub models: Vec<String>,
    pub feature: Option<Feature>,
    pub analyzer: &'static str,
    pub vocabulary_size: usize,
    /// `tfidf`, `encoder` or `both`.
    pub features: &'static str,
    pub encoder: Option<String>,
    /// `forest` or `logistic`.
    pub classifier: &'static str,
    /// A logistic classifier's C (the first model's head).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub c: Option<f64>,
    pub n_estimators: usize,
    pub min_samples_leaf: usize,
    pub fit_seconds: f64,
    pub nodes: usize,
    pub lambda: f64,
    pub lambda_source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<Validation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cv: Option<CvReport>,
}

/// What the router did on rows it was not trained on.
#[derive(Debug, Serialize)]
pub struct Validation {
    pub rows: usize,
    /// Each model alone.
    pub models: Vec<Single>,
    /// The operating point, with 95 % bootstrap intervals.
    pub operating_point: Operating,
    /// The router's curve (λ swept), as (λ, cost, quality, premium share).
    pub curve: Vec<Point>,
    /// RouterBench's AIQ of the router's curve and of the single models' hull.
    pub aiq: Option<f64>,
    pub zero_router_aiq: Option<f64>,
    /// The best quality the data allows (the oracle: the cheapest model with the row's best outcome).
    pub oracle_quality: f64,
}

#[derive(Debug, Serialize)]
pub struct Single {
    pub model: String,
    pub cost: f64,
    pub quality: f64,
}

#[derive(Debug, Serialize)]
pub struct Operating {
    pub lambda: f64,
    pub cost: f64,
    pub cost_ci: Option<(f64, f64)>,
    pub quality: f64,
    pub quality_ci: Option<(f64, f64)>,
    pub premium_share: f64,
    /// Share of requests per model.
    pub mix: Vec<(String, f64)>,
}

#[derive(Debug, Serialize)]
pub struct CvReport {
    pub folds: usize,
    /// APGR of the out-of-fold curve between the cheapest and the dearest model, with a 95 %
    /// bootstrap interval over rows.
    pub apgr: Option<f64>,
    pub apgr_ci: Option<(f64, f64)>,
    pub aiq: Option<f64>,
    pub zero_router_aiq: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct EvaluateReport {
    pub model: String,
    /// The model's labels (the data models it learnt), shown in the text.
    #[serde(skip)]
    pub labels: Vec<String>,
    pub load_ms: f64,
    pub per_query_us: f64,
    #[serde(flatten)]
    pub validation: Validation,
}

impl output::format::Render for TrainReport {
    type Json = TrainReport;
    fn json(&self) -> &TrainReport {
        self
    }
    fn text(&self) -> String {
        render(self)
    }
}

impl output::format::Render for EvaluateReport {
    type Json = EvaluateReport;
    fn json(&self) -> &EvaluateReport {
        self
    }
    fn text(&self) -> String {
        let r = self;
        let op = &r.validation.operating_point;
        let opt = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.4}"));
        format!(
            "model      {} (outcomes: {})\nrows       {}\noperating  λ {}: quality {:.4}{} at ${:.6}{} per request, {:.1} % on the \
             dearest model\ncurve      AIQ {} (single models' hull {}); oracle quality {:.4}\n",
            r.model,
            r.labels.join(", "),
            r.validation.rows,
            op.lambda,
            op.quality,
            ci(op.quality_ci, 4),
            op.cost,
            ci(op.cost_ci, 6),
            op.premium_share * 100.0,
            opt(r.validation.aiq),
            opt(r.validation.zero_router_aiq),
            r.validation.oracle_quality
        )
    }
}

fn ci(c: Option<(f64, f64)>, decimals: usize) -> String {
    c.map_or(String::new(), |(lo, hi)| format!(" [{lo:.decimals$}, {hi:.decimals$}]"))
}

fn render(r: &TrainReport) -> String {
    let mut s = String::new();
    s.push_str(&format!("data       {} rows ({} train, {} validation)", r.rows, r.train_rows, r.valid_rows));
    if r.bad_rows > 0 {
        s.push_str(&format!(", {} bad rows skipped", r.bad_rows));
    }
    s.push('\n');
    s.push_str(&format!("models     {}\n", r.models.join(", ")));
    if let Some(f) = &r.feature {
        s.push_str(&format!("feature    `{}` ({} values; `--tag` when routing)\n", f.column, f.values.len()));
    }
    let inputs = match (r.features, &r.encoder) {
        ("encoder", Some(e)) => e.clone(),
        ("both", Some(e)) => format!("{} terms ({}) + {e}", r.vocabulary_size, r.analyzer),
        _ => format!("{} terms ({})", r.vocabulary_size, r.analyzer),
    };
    s.push_str(&match r.c {
        None => format!(
            "forest     {} trees, min {} samples per leaf, {} nodes; {inputs}; fit {:.2} s\n",
            r.n_estimators, r.min_samples_leaf, r.nodes, r.fit_seconds
        ),
        Some(c) => format!(
            "classifier logistic regression per model (first C {}); {inputs}; fit {:.2} s\n",
            crate::error::num(c),
            r.fit_seconds
        ),
    });
    s.push_str(&format!("lambda     {} ({})\n", r.lambda, r.lambda_source));
    if let Some(v) = &r.validation {
        let op = &v.operating_point;
        s.push_str(&format!(
            "operating  quality {:.4}{} at ${:.6}{} per request, {:.1} % on the dearest model ({} validation rows)\n",
            op.quality,
            ci(op.quality_ci, 4),
            op.cost,
            ci(op.cost_ci, 6),
            op.premium_share * 100.0,
            v.rows
        ));
        let mix: Vec<String> = op.mix.iter().map(|(m, s)| format!("{m} {:.1} %", s * 100.0)).collect();
        s.push_str(&format!("mix        {}\n", mix.join(", ")));
        let opt = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.4}"));
        s.push_str(&format!(
            "curve      AIQ {} (single models' hull {}); oracle quality {:.4}\n",
            opt(v.aiq),
            opt(v.zero_router_aiq),
            v.oracle_quality
        ));
        let mut t = output::table(["model", "avg cost/request", "quality"]);
        for m in &v.models {
            t.add_row(vec![m.model.clone(), output::usd(m.cost, 6), format!("{:.4}", m.quality)]);
        }
        output::align_right(&mut t, &[1, 2]);
        s.push_str(&format!("\nvalidation, each model alone\n{}", output::render(&t)));
    }
    if let Some(c) = &r.cv {
        let opt = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.4}"));
        s.push_str(&format!(
            "\n{}-fold cross-validation: APGR {}{} · AIQ {} (single models' hull {})\n",
            c.folds,
            opt(c.apgr),
            ci(c.apgr_ci, 4),
            opt(c.aiq),
            opt(c.zero_router_aiq)
        ));
    }
    s
}
