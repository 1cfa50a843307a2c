//! The `feedback stats` table and the `feedback suggest` report (the diff is the caller's).

use crate::feedback::{By, GroupStats, Suggestion};
use crate::output;

/// Per group: n, rating and success rate with their intervals, latency percentiles, cost.
pub fn stats_table(rows: &[GroupStats], by: By) -> String {
    let key = match by {
        By::Model => "model",
        By::Rule => "rule",
        By::Method => "method",
        By::Arm => "arm",
    };
    let mut t =
        output::table([key, "n", "avg rating [95% CI]", "success rate [95% CI]", "p50 ms", "p95 ms", "avg cost"]);
    let ci = |v: Option<f64>, c: Option<(f64, f64)>, pct: bool| match (v, c) {
        (Some(v), Some((lo, hi))) if pct => {
            format!("{:.1} % [{:.1}, {:.1}]", v * 100.0, lo * 100.0, hi * 100.0)
        }
        (Some(v), None) if pct => format!("{:.1} %", v * 100.0),
        (Some(v), Some((lo, hi))) => format!("{v:.2} [{lo:.2}, {hi:.2}]"),
        (Some(v), None) => format!("{v:.2}"),
        (None, _) => "-".to_string(),
    };
    for r in rows {
        t.add_row(vec![
            r.key.clone(),
            r.n.to_string(),
            ci(r.avg_rating, r.rating_ci, false),
            ci(r.success_rate, r.success_ci, true),
            r.p50_latency_ms.map_or("-".to_string(), |v| format!("{v:.0}")),
            r.p95_latency_ms.map_or("-".to_string(), |v| format!("{v:.0}")),
            r.avg_cost.map_or("-".to_string(), |v| output::usd(v, 6)),
        ]);
    }
    output::align_right(&mut t, &[1, 2, 3, 4, 5, 6]);
    output::render(&t)
}

/// Each suggestion with its evidence table.
pub fn suggestions(suggestions: &[Suggestion]) -> String {
    let mut s = String::new();
    for sg in suggestions {
        s.push_str(&format!(
            "rule `{}` ({} ratings): `{}` averages {:.2}; `{}` averages {:.2}; cost change {} per request\n",
            sg.rule,
            sg.n,
            sg.current_model,
            sg.current_mean,
            sg.suggested_model,
            sg.suggested_mean,
            signed_usd(sg.cost_change_per_request)
        ));
        let mut t = output::table(["model", "n", "mean rating [95% CI]", "cost/request"]);
        for e in &sg.evidence {
            t.add_row(vec![
                e.model.clone(),
                e.n.to_string(),
                match e.ci {
                    Some((lo, hi)) => format!("{:.2} [{lo:.2}, {hi:.2}]", e.mean),
                    None => format!("{:.2}", e.mean),
                },
                output::usd(e.cost_per_request, 6),
            ]);
        }
        output::align_right(&mut t, &[1, 2, 3]);
        s.push_str(&output::render(&t));
    }
    s
}

fn signed_usd(x: f64) -> String {
    if x < 0.0 { format!("-{}", output::usd(-x, 6)) } else { format!("+{}", output::usd(x, 6)) }
}

/// What `feedback stats` prints: the window, the record count and the per-group table.
pub struct Stats {
    pub rows: Vec<GroupStats>,
    pub by: By,
    /// `all time` or `last N days`.
    pub window: String,
    pub records: usize,
}

impl output::format::Render for Stats {
    type Json = [GroupStats];
    fn json(&self) -> &[GroupStats] {
        &self.rows
    }
    fn text(&self) -> String {
        format!("feedback, {}: {} records\n{}", self.window, self.records, stats_table(&self.rows, self.by))
    }
}

impl output::format::RenderTable for Stats {
    fn csv(&self) -> String {
        stats_table(&self.rows, self.by)
    }
}

/// What `feedback suggest` prints: the suggestions and the configuration diff they make.
pub struct Suggest {
    pub suggestions: Vec<Suggestion>,
    pub min_samples: usize,
    pub below: f64,
    /// The unified diff of the configuration with the suggestions applied.
    pub diff: String,
}

impl output::format::Render for Suggest {
    type Json = [Suggestion];
    fn json(&self) -> &[Suggestion] {
        &self.suggestions
    }
    fn text(&self) -> String {
        if self.suggestions.is_empty() {
            return format!(
                "no suggestions: every rule with at least {} ratings averages {} or better on its model, \
                 or no other model did better\n",
                self.min_samples, self.below
            );
        }
        let mut s = suggestions(&self.suggestions);
        s.push('\n');
        s.push_str(&self.diff);
        s
    }
}
