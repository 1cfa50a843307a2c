//! `llmroute models`: the model catalog.

use serde::Serialize;

use crate::cli::{ModelsAction, ModelsArgs};
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
                params: m.params.clone(),
            }
        })
        .collect();
    if args.json {
        return output::print_json(&rows);
    }
    let mut t = output::table(["model", "tier", "input $/1M", "output $/1M", "daily quota", "provider"]);
    for r in &rows {
        t.add_row(vec![
            r.name.clone(),
            r.tier.clone(),
            format!("{:.4}", r.input_price),
            format!("{:.4}", r.output_price),
            r.daily_quota.map_or("unlimited".to_string(), |q| q.to_string()),
            r.provider.clone().unwrap_or_else(|| "-".to_string()),
        ]);
    }
    output::align_right(&mut t, &[2, 3, 4]);
    output::print(&format!("{t}\n"))
}

/// The price-table key for a catalog model: its name or `model_id`, possibly with a provider
/// prefix (`anthropic/…`) or a release-date suffix (`…-20240307`); entries of the model's own
/// provider win, then the shortest key.
fn find_price<'a>(
    table: &'a std::collections::HashMap<String, (f64, f64)>,
    providers: &std::collections::HashMap<String, String>,
    name: &str,
    provider: Option<&str>,
) -> Option<(&'a str, (f64, f64))> {
    if let Some((k, v)) = table.get_key_value(name) {
        return Some((k.as_str(), *v));
    }
    let matches = |k: &str| -> bool {
        let bare = k.rsplit('/').next().unwrap_or(k);
        bare == name
            || bare.strip_prefix(name).is_some_and(|rest| {
                let rest = rest.trim_start_matches(['-', '@']);
                !rest.is_empty() && rest.chars().take(8).all(|c| c.is_ascii_digit()) && rest.len() >= 8
            })
    };
    let mut found: Vec<(&String, &(f64, f64))> = table.iter().filter(|(k, _)| matches(k)).collect();
    found.sort_by_key(|(k, _)| {
        let own = provider.is_some_and(|p| providers.get(k.as_str()).is_some_and(|lp| lp.starts_with(p)));
        (!own, k.len(), (*k).clone())
    });
    found.first().map(|(k, v)| (k.as_str(), **v))
}

fn import_prices(config: &Config, file: &std::path::Path, out: Option<&std::path::Path>, force: bool) -> Result<()> {
    let table = crate::commands::simulate::load_prices(Some(file))?;
    let providers: std::collections::HashMap<String, String> = {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        v.as_object()
            .map(|o| {
                o.iter()
                    .filter_map(|(k, m)| {
                        m.get("litellm_provider").and_then(|p| p.as_str()).map(|p| (k.clone(), p.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut raw = config.raw.clone();
    let mut t = output::table(["model", "price-table entry", "input $/1M", "output $/1M"]);
    let mut unmatched = Vec::new();
    for (name, m) in raw.models.iter_mut() {
        let key = m.model_id.clone().unwrap_or_else(|| name.clone());
        match find_price(&table, &providers, &key, m.provider.as_deref()) {
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
