//! What `models` prints: the catalog, cheapest first (the `--json` record and its table).

use serde::Serialize;

use crate::config::Params;
use crate::output;

/// One catalog model, as `models --json` prints it.
#[derive(Debug, Serialize)]
pub struct ModelRow {
    pub name: String,
    pub tier: String,
    pub tier_rank: i64,
    pub input_price: f64,
    pub output_price: f64,
    pub daily_quota: Option<u64>,
    pub provider: Option<String>,
    pub params: Params,
    /// Labels of the ML stage's model that route to this model (`[ml.labels]`).
    pub ml_labels: Vec<String>,
}

/// The catalog table.
pub fn table(rows: &[ModelRow]) -> String {
    let mut t = output::table(["model", "tier", "input $/1M", "output $/1M", "daily quota", "provider", "ml labels"]);
    for r in rows {
        t.add_row(vec![
            r.name.clone(),
            r.tier.clone(),
            format!("{:.4}", r.input_price),
            format!("{:.4}", r.output_price),
            r.daily_quota.map_or("unlimited".to_string(), |q| q.to_string()),
            r.provider.clone().unwrap_or_else(|| "-".to_string()),
            if r.ml_labels.is_empty() { "-".to_string() } else { r.ml_labels.join(", ") },
        ]);
    }
    output::align_right(&mut t, &[2, 3, 4]);
    output::render(&t)
}
