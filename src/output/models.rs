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

/// The catalog's columns, in order.
const HEADER: [&str; 9] = [
    "model",
    "tier",
    "input $/1M",
    "output $/1M",
    "daily quota",
    "context / output",
    "capabilities",
    "provider",
    "ml labels",
];

/// The columns right-aligned (numbers).
const RIGHT: [usize; 4] = [2, 3, 4, 5];

/// The columns a narrow terminal leaves out, the first first, until the table fits without
/// breaking a word or a number; model, tier and prices always stay.
const DROP_ORDER: [usize; 5] = [8, 6, 7, 5, 4];

fn cells(r: &ModelRow) -> [String; 9] {
    let tokens = |v: Option<u64>| v.map_or("?".to_string(), |v| crate::error::grouped(&v.to_string()));
    [
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
    ]
}

/// The table of the columns `shown` (indexes into [`HEADER`]).
fn columns(rows: &[ModelRow], shown: &[usize]) -> comfy_table::Table {
    let mut t = output::table(shown.iter().map(|&c| HEADER[c]));
    for r in rows {
        let cells = cells(r);
        t.add_row(shown.iter().map(|&c| cells[c].clone()).collect::<Vec<_>>());
    }
    let right: Vec<usize> = shown.iter().enumerate().filter(|(_, c)| RIGHT.contains(c)).map(|(i, _)| i).collect();
    output::align_right(&mut t, &right);
    t
}

/// The catalog table. Too wide for the terminal, it wraps its cells between words and, when
/// that is not enough, leaves out the columns of [`DROP_ORDER`] and says where they are.
pub fn table(rows: &[ModelRow]) -> String {
    let full = columns(rows, &(0..HEADER.len()).collect::<Vec<_>>());
    if output::fits(&full) {
        return output::render(&full);
    }
    let mut shown: Vec<usize> = (0..HEADER.len()).collect();
    let mut t = columns(rows, &shown);
    let mut hidden = Vec::new();
    for c in DROP_ORDER {
        if output::fits_words(&t) {
            break;
        }
        shown.retain(|&s| s != c);
        hidden.push(c);
        t = columns(rows, &shown);
    }
    hidden.sort_unstable();
    let hidden: Vec<&str> = hidden.iter().map(|&c| HEADER[c]).collect();
    output::keep_words(&mut t);
    let mut out = output::render(&t);
    if !hidden.is_empty() {
        out.push_str(&output::wrap(
            &format!(
                "({}: --format plain, --json, or a {}-column terminal)\n",
                hidden.join(", "),
                output::natural_width(&full)
            ),
            1,
        ));
    }
    out
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
        format!("{}{}", table(&self.rows), output::wrap(&format!("ml model: {}\n", self.ml_model), 10))
    }
}

impl output::format::RenderTable for Catalog {
    fn csv(&self) -> String {
        table(&self.rows)
    }
}
