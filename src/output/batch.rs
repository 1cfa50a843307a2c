//! What `batch` writes: one decision per row in the stream format (CSV or JSON Lines), and the
//! summary it ends with on a terminal (or with `--summary`): rows, model mix, the estimated cost
//! and what the same rows would cost on the catalog's dearest model.

use std::io::Write;

use crate::canary::Arm;
use crate::config::{Config, ModelId};
use crate::cost::Cost;
use crate::output;
use crate::output::format::StreamFormat;
use crate::replay::tally::Tally;
use crate::router::Chosen;

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

/// The CSV header of the stream.
pub const CSV_HEADER: &str = "id,model,method,reason,arm,input_tokens,output_tokens,cost_usd,cost_source\n";

/// What the stream starts with: the CSV header; nothing for JSON Lines.
pub fn header(format: StreamFormat) -> &'static [u8] {
    match format {
        StreamFormat::Csv => CSV_HEADER.as_bytes(),
        StreamFormat::Jsonl => b"",
    }
}

/// Appends one row's decision (or its refusal) to `out` in the stream format.
pub fn row(
    out: &mut Vec<u8>,
    format: StreamFormat,
    config: &Config,
    id: &str,
    d: std::result::Result<&Chosen, &str>,
    arm: Arm,
    cost: Option<Cost>,
) {
    let (model, method, reason) = match d {
        Ok(d) => (config.models[d.model].name.as_str(), d.method.as_str(), d.reason),
        Err(refused) => ("", "", refused),
    };
    match format {
        StreamFormat::Csv => {
            for (i, field) in [id, model, method, reason, arm.as_str()].into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                output::csv_field(out, field);
            }
            match cost {
                Some(c) => {
                    for t in [c.input_tokens, c.output_tokens] {
                        out.push(b',');
                        if let Some(t) = t {
                            let _ = write!(out, "{t}");
                        }
                    }
                    let _ = write!(out, ",{:.10},{}", c.usd, c.source.as_str());
                }
                None => out.extend_from_slice(b",,,,"),
            }
            out.push(b'\n');
        }
        StreamFormat::Jsonl => {
            #[derive(serde::Serialize)]
            struct Line<'a> {
                id: &'a str,
                model: Option<&'a str>,
                method: Option<&'a str>,
                reason: &'a str,
                arm: Arm,
                input_tokens: Option<u64>,
                output_tokens: Option<u64>,
                cost_usd: Option<f64>,
                cost_source: Option<&'a str>,
            }
            let line = Line {
                id,
                model: d.ok().map(|_| model),
                method: d.ok().map(|_| method),
                reason,
                arm,
                input_tokens: cost.and_then(|c| c.input_tokens),
                output_tokens: cost.and_then(|c| c.output_tokens),
                cost_usd: cost.map(|c| crate::output::round(c.usd, 10)),
                cost_source: cost.map(|c| c.source.as_str()),
            };
            let _ = serde_json::to_writer(&mut *out, &line);
            out.push(b'\n');
        }
    }
}
