//! What `llmroute report` prints: the spend table and the assumptions behind its figures.

use crate::output;
use crate::spend::{GroupBy, Report};

/// What `report` prints: the spend table and, above it in the text formats, the window and the
/// assumptions behind its figures.
pub struct SpendReport<'a> {
    pub report: &'a Report,
    /// `all time`, `since WHEN` or `last N days`.
    pub window: String,
}

impl output::format::Render for SpendReport<'_> {
    type Json = Report;
    fn json(&self) -> &Report {
        self.report
    }
    fn text(&self) -> String {
        let r = self.report;
        let head = format!(
            "spend      {}: {} decisions from the decision log\n\
             cost       an answer's cost where `ask` or `serve` called a model ({} of them), else the decision's estimate\n\
             premium    all {}: the same input and output tokens at its list prices\n\n",
            self.window, r.total.requests, r.total.answered, r.premium
        );
        format!("{}{}", output::wrap(&head, 11), table(r))
    }
}

impl output::format::RenderTable for SpendReport<'_> {
    fn csv(&self) -> String {
        table(self.report)
    }
}

/// The spend table: one row per group, then the total.
fn table(r: &Report) -> String {
    let by = match r.by {
        GroupBy::Day => "day",
        GroupBy::Model => "model",
        GroupBy::Method => "method",
        GroupBy::Arm => "arm",
        GroupBy::Strategy => "strategy",
    };
    let mut t = output::table([by, "requests", "answered", "cost", "all premium", "savings", "saved"]);
    for row in r.rows.iter().chain(std::iter::once(&r.total)) {
        t.add_row(vec![
            row.key.clone(),
            row.requests.to_string(),
            row.answered.to_string(),
            output::usd(row.cost_usd, 6),
            output::usd(row.all_premium_usd, 6),
            output::usd(row.savings_usd, 6),
            row.savings_share.map_or("-".to_string(), |s| format!("{:.1} %", s * 100.0)),
        ]);
    }
    output::align_right(&mut t, &[1, 2, 3, 4, 5, 6]);
    output::render(&t)
}
