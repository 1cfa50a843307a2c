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
    pub context_window: Option<u64>,
    pub max_output_tokens: Option<u64>,
    /// `null`: not stated (requests needing tools, images or a JSON schema may go to it).
    pub capabilities: Option<Vec<&'static str>>,
    pub cached_input_price: f64,
    pub deprecation_date: Option<String>,
}

/// The catalog table.
pub fn table(rows: &[ModelRow]) -> String {
    let mut t = output::table([
        "model",
        "tier",
        "input $/1M",
        "output $/1M",
        "daily quota",
        "context / output",
        "capabilities",
        "provider",
        "ml labels",
    ]);
    let tokens = |v: Option<u64>| v.map_or("?".to_string(), |v| crate::error::grouped(&v.to_string()));
    for r in rows {
        t.add_row(vec![
            r.name.clone(),
            r.tier.clone(),
            format!("{:.4}", r.input_price),
            format!("{:.4}", r.output_price),
            r.daily_quota.map_or("unlimited".to_string(), |q| q.to_string()),
            format!("{} / {}", tokens(r.context_window), tokens(r.max_output_tokens)),
            r.capabilities
                .as_ref()
                .map_or("?".to_string(), |c| if c.is_empty() { "text".to_string() } else { c.join(" ") }),
            r.provider.clone().unwrap_or_else(|| "-".to_string()),
            if r.ml_labels.is_empty() { "-".to_string() } else { r.ml_labels.join(", ") },
        ]);
    }
    output::align_right(&mut t, &[2, 3, 4, 5]);
    output::render(&t)
}

/// What `models` prints: the catalog and, under the table, the ML stage's model.
pub struct Catalog {
    pub rows: Vec<ModelRow>,
    /// The ML stage's model and where it comes from.
    pub ml_model: String,
}

impl output::format::Render for Catalog {
    type Json = [ModelRow];
    fn json(&self) -> &[ModelRow] {
        &self.rows
    }
    fn text(&self) -> String {
        format!("{}ml model: {}\n", table(&self.rows), self.ml_model)
    }
}

impl output::format::RenderTable for Catalog {
    fn csv(&self) -> String {
        table(&self.rows)
    }
}
