//! What `route` prints: the `--json` record and its text rendering (key lines, then the stages,
//! the classifier's scores and the difficulty breakdown with `--explain`).

use serde::Serialize;

use crate::canary::Arm;
use crate::config::Params;
use crate::output;
use crate::router::ml::{MlScores, OutcomeScores};
use crate::router::{DifficultyBreakdown, StageTrace};
use crate::tokenizer::Counting;

/// The `route --json` record.
#[derive(Debug, Serialize)]
pub struct RouteReport {
    /// Report feedback for this decision with `llmroute feedback add --request-id`; `null` for a
    /// dry run, which logs nothing.
    pub request_id: Option<String>,
    pub model: String,
    pub params: Params,
    pub reason: String,
    pub method: &'static str,
    pub rule: Option<String>,
    pub tier: Option<String>,
    #[serde(serialize_with = "crate::output::json_score")]
    pub difficulty: Option<f64>,
    pub note: Option<String>,
    pub estimated_cost_usd: f64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub token_count: Counting,
    pub counted: bool,
    pub strategy: &'static str,
    /// Gray-release arm: `control` or `canary`.
    pub arm: Arm,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<StageTrace>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difficulty_breakdown: Option<DifficultyBreakdown>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ml_scores: Option<MlScores>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_scores: Option<OutcomeScores>,
    /// Models that cannot serve this request, and why (the constraint step).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<Excluded>,
}

#[derive(Debug, Serialize)]
pub struct Excluded {
    pub model: String,
    pub reason: String,
}

fn params_text(p: &Params) -> String {
    let mut parts = Vec::new();
    if let Some(t) = p.temperature {
        parts.push(format!("temperature={t}"));
    }
    if let Some(t) = p.max_tokens {
        parts.push(format!("max_tokens={t}"));
    }
    if let Some(t) = p.top_p {
        parts.push(format!("top_p={t}"));
    }
    if parts.is_empty() { "-".to_string() } else { parts.join(" ") }
}

/// With `--explain`: the models excluded and every stage's verdict.
fn stages(r: &RouteReport) -> String {
    let mut s = String::new();
    if r.stages.is_some() && !r.excluded.is_empty() {
        s.push_str("\nexcluded\n");
        for e in &r.excluded {
            s.push_str(&format!("  {:<15} {}\n", e.model, e.reason));
        }
    }
    if let Some(stages) = &r.stages {
        s.push_str("\nstages\n");
        for t in stages {
            use crate::router::StageOutcome::*;
            let v = match &t.outcome {
                Decided { model, reason } => format!("decided {model} ({reason})"),
                Declined { reason } => format!("declined: {reason}"),
                OverQuota { model, reason } => format!("{model} ({reason}) is over its daily quota; passed on"),
                Excluded { model, reason, skipped } => {
                    format!("{model} ({reason}) cannot serve it: {skipped}; passed on")
                }
                NotReached => "not reached".to_string(),
            };
            s.push_str(&format!("  {:<11} {v}\n", t.stage));
        }
    }
    s
}

/// With `--explain`: the classifier's scores and the difficulty breakdown.
fn scores(r: &RouteReport) -> String {
    let mut s = String::new();
    if let Some(m) = &r.ml_scores {
        s.push_str(&format!(
            "\nml: {} at {:.4} (threshold {:.4}{})\nmodel: {}\n",
            m.predicted,
            m.confidence,
            m.threshold,
            if m.low_confidence { ", low confidence" } else { "" },
            m.source
        ));
        let mut t = output::table(["label", "model", "probability"]);
        for p in &m.probabilities {
            t.add_row(vec![p.label.clone(), p.model.clone(), format!("{:.4}", p.probability)]);
        }
        output::align_right(&mut t, &[2]);
        s.push_str(&output::render(&t));
    }
    if let Some(o) = &r.outcome_scores {
        s.push_str(&format!("\nml (outcomes): {} at λ {}\nmodel: {}\n", o.chosen, o.lambda, o.source));
        let mut t = output::table(["label", "model", "expected quality", "expected cost", "quality − λ·cost"]);
        for m in &o.models {
            t.add_row(vec![
                m.label.clone(),
                m.model.clone(),
                format!("{:.4}", m.expected_quality),
                output::usd(m.expected_cost_usd, 8),
                format!("{:.4}", m.score),
            ]);
        }
        output::align_right(&mut t, &[2, 3, 4]);
        s.push_str(&output::render(&t));
    }
    if let Some(b) = &r.difficulty_breakdown {
        s.push_str(&format!("\ndifficulty {:.4} -> band {}\n", b.score, b.band));
        let mut t = output::table(["dimension", "raw", "saturation", "score", "weight", "contribution", "matched"]);
        for d in &b.dimensions {
            t.add_row(vec![
                d.name.to_string(),
                format!("{}", d.raw),
                format!("{}", d.saturation),
                format!("{:.4}", d.score),
                format!("{:.2}", d.weight),
                format!("{:.4}", d.contribution),
                d.matched.join(", "),
            ]);
        }
        output::align_right(&mut t, &[1, 2, 3, 4, 5]);
        s.push_str(&output::render(&t));
    }
    s
}

/// The text output.
pub fn render(r: &RouteReport) -> String {
    let mut s = String::new();
    let mut line = |k: &str, v: &str| s.push_str(&format!("{k:<11} {v}\n"));
    line("model", &r.model);
    line("method", r.method);
    line("reason", &r.reason);
    line("params", &params_text(&r.params));
    line("difficulty", &r.difficulty.map_or("-".to_string(), |d| format!("{d:.4}")));
    let approx = if r.token_count == Counting::Approximate { ", approximate count" } else { "" };
    line(
        "est. cost",
        &format!(
            "{} ({} input + {} output tokens{approx})",
            output::usd(r.estimated_cost_usd, 8),
            r.input_tokens,
            r.output_tokens
        ),
    );
    if let Some(n) = &r.note {
        line("note", n);
    }
    if !r.counted {
        line("quota", "not counted (--dry-run)");
    } else if let Some(id) = &r.request_id {
        line("request", id);
    }
    if r.arm == Arm::Canary {
        line("arm", &format!("canary ({})", r.strategy));
    }
    s.push_str(&stages(r));
    s.push_str(&scores(r));
    s
}

impl output::format::Render for RouteReport {
    type Json = RouteReport;
    fn json(&self) -> &RouteReport {
        self
    }
    fn text(&self) -> String {
        render(self)
    }
}
