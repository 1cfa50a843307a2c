//! What `models import-prices` found for each catalog model, printed on stderr (stdout carries
//! the configuration).

use crate::output;

/// One catalog model's match: the table's entry, the rule, and its prices before and after.
pub struct Imported {
    pub model: String,
    pub entry: String,
    pub rule: &'static str,
    pub input: (f64, f64),
    pub output: (f64, f64),
}

pub fn imported(rows: &[Imported]) -> String {
    let mut t = output::table(["model", "price-table entry", "rule", "input $/1M", "output $/1M"]);
    for r in rows {
        t.add_row(vec![
            r.model.clone(),
            r.entry.clone(),
            r.rule.to_string(),
            format!("{:.4} -> {:.4}", r.input.0, r.input.1),
            format!("{:.4} -> {:.4}", r.output.0, r.output.1),
        ]);
    }
    output::render(&t)
}
