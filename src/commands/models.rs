//! `llmroute models`: the model catalog.

use serde::Serialize;

use crate::cli::{ModelsAction, ModelsArgs, OutputFormat};
use crate::commands::Context;
use crate::config::Config;
use crate::config::Params;
use crate::error::{Error, Result};
use crate::output;

#[derive(Debug, Serialize)]
struct ModelRow {
    name: String,
    tier: String,
    tier_rank: i64,
    input_price: f64,
    output_price: f64,
    daily_quota: Option<u64>,
    provider: Option<String>,
    params: Params,
    /// Labels of the ML stage's model that route to this model (`[ml.labels]`).
    ml_labels: Vec<String>,
}

pub fn run(ctx: &Context, args: &ModelsArgs) -> Result<()> {
    let config = ctx.config()?;
    if let Some(ModelsAction::ImportPrices { file, output: out, force }) = &args.action {
        return import_prices(&config, file, out.as_deref(), *force);
    }
    let rows: Vec<ModelRow> = config
        .models_by_cost()
        .into_iter()
        .map(|i| {
            let m = &config.models[i];
            ModelRow {
                name: m.name.clone(),
                tier: m.tier.clone(),
                tier_rank: m.tier_rank,
                input_price: m.input_price,
                output_price: m.output_price,
                daily_quota: m.daily_quota,
                provider: m.provider.clone(),
                params: m.params,
                ml_labels: config.ml.labels.iter().filter(|&(_, &id)| id == i).map(|(l, _)| l.clone()).collect(),
            }
        })
        .collect();
    let format = output::use_format(args.output.format());
    if format == OutputFormat::Json {
        return output::print_json(&rows);
    }
    let mut t = output::table(["model", "tier", "input $/1M", "output $/1M", "daily quota", "provider", "ml labels"]);
    for r in &rows {
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
    match format {
        OutputFormat::Csv => output::print(&output::render(&t)),
        _ => output::print(&format!("{}ml model: {}\n", output::render(&t), ml_source(&config))),
    }
}

/// The ML stage's model and where it comes from.
fn ml_source(config: &Config) -> String {
    let Some(path) = &config.ml.model else {
        return "none (the ML stage declines; train one with `llmroute train`)".to_string();
    };
    let shown = path.display().to_string();
    match crate::ml::builtin::lookup(&shown) {
        Some(Ok(b)) => format!("{shown} ({})", b.origin),
        _ => shown,
    }
}

fn import_prices(config: &Config, file: &std::path::Path, out: Option<&std::path::Path>, force: bool) -> Result<()> {
    let table = crate::prices::load(Some(file))?;
    let mut raw = config.raw.clone();
    let mut t = output::table(["model", "price-table entry", "input $/1M", "output $/1M"]);
    let mut unmatched = Vec::new();
    for (name, m) in raw.models.iter_mut() {
        let key = m.model_id.clone().unwrap_or_else(|| name.clone());
        match table.find(&key, m.provider.as_deref()) {
            Some((k, (i, o))) => {
                t.add_row(vec![
                    name.clone(),
                    k.to_string(),
                    format!("{:.4} -> {:.4}", m.input_price, i),
                    format!("{:.4} -> {:.4}", m.output_price, o),
                ]);
                m.input_price = (i * 1e6).round() / 1e6;
                m.output_price = (o * 1e6).round() / 1e6;
            }
            None => unmatched.push(name.clone()),
        }
    }
    output::note(&format!("{t}"));
    if !unmatched.is_empty() {
        output::warn(&format!("no price found for {}; kept their prices", unmatched.join(", ")));
    }
    let body =
        toml::to_string_pretty(&raw).map_err(|e| Error::usage(format!("cannot render the configuration: {e}")))?;
    let text = format!("# prices imported from {}\n\n{body}", file.display());
    match out {
        Some(p) => crate::fsutil::write_atomic(p, text.as_bytes(), force),
        None => output::print(&text),
    }
}
