//! The summary `batch` ends with on a terminal (or with `--summary`): rows, model mix, the
//! estimated cost and what the same rows would cost on the catalog's dearest model.

use crate::config::{Config, ModelId};
use crate::output;
use crate::replay::tally::Tally;

/// Three or four `key        value` lines.
pub fn summary(config: &Config, t: &Tally, premium: ModelId, bad: usize) -> String {
    let total = t.total();
    let share = |n: u64| if total == 0 { 0.0 } else { n as f64 * 100.0 / total as f64 };
    let mut s = format!("routed     {total} rows");
    if bad > 0 {
        s.push_str(&format!(", {bad} bad skipped"));
    }
    s.push('\n');
    let mut mix: Vec<(ModelId, u64)> = t.rows.iter().copied().enumerate().filter(|&(_, n)| n > 0).collect();
    mix.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut parts: Vec<String> =
        mix.iter().map(|&(m, n)| format!("{} {n} ({:.1} %)", config.models[m].name, share(n))).collect();
    if t.refused > 0 {
        parts.push(format!("refused {} ({:.1} %, every quota exhausted)", t.refused, share(t.refused)));
    }
    s.push_str(&format!("models     {}\n", if parts.is_empty() { "-".to_string() } else { parts.join(", ") }));
    let saved = if t.premium_cost_usd > 0.0 {
        format!(" ({:.1} % less)", (1.0 - t.cost_usd / t.premium_cost_usd) * 100.0)
    } else {
        String::new()
    };
    s.push_str(&format!(
        "cost       {} estimated; all {}: {}{saved}\n",
        output::usd(t.cost_usd, 6),
        config.models[premium].name,
        output::usd(t.premium_cost_usd, 6)
    ));
    output::wrap(&s, 11)
}
