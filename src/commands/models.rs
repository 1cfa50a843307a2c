//! `llmroute models`: the model catalog.

mod args;
pub use args::{ImportPrices, ModelsAction, ModelsArgs};

use crate::commands::Context;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::output;
use crate::output::models::{Catalog, ModelRow};

pub fn run(ctx: &Context, args: &ModelsArgs) -> Result<()> {
    let config = ctx.config()?;
    if let Some(ModelsAction::ImportPrices(a)) = &args.action {
        return import_prices(&config, a);
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
                context_window: m.context_window,
                max_output_tokens: m.max_output_tokens,
                capabilities: m.capabilities.as_ref().map(|c| c.iter().map(|c| c.as_str()).collect()),
                cached_input_price: m.cached_input_price,
                deprecation_date: m.deprecation_date.map(|d| d.to_string()),
            }
        })
        .collect();
    output::format::emit(&Catalog { rows, ml_model: ml_source(&config) }, args.output.format())
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

fn import_prices(config: &Config, a: &ImportPrices) -> Result<()> {
    if a.in_place && config.source == crate::config::Source::Embedded {
        return Err(Error::usage(
            "--in-place needs a configuration file; the embedded default is in use (see `config init`), or use -o FILE",
        ));
    }
    let table = crate::prices::load(Some(&a.file)).map_err(|e| match e {
        Error::Usage(m) => Error::Usage(format!("{m} (the price table is {})", crate::prices::WHERE)),
        e => e,
    })?;
    let mut rows = Vec::new();
    let mut updates = Vec::new();
    let mut unmatched = Vec::new();
    for m in &config.models {
        let name = &m.name;
        let keys: Vec<&str> = m.model_id.as_deref().into_iter().chain([name.as_str()]).collect();
        match keys.iter().find_map(|k| table.find(k, m.provider.as_deref())) {
            Some((k, (i, o), how)) => {
                let (i, o) = ((i * 1e6).round() / 1e6, (o * 1e6).round() / 1e6);
                rows.push(output::prices::Imported {
                    model: name.clone(),
                    entry: k.to_string(),
                    rule: how.as_str(),
                    input: (m.input_price, i),
                    output: (m.output_price, o),
                });
                updates.push(crate::prices::Update {
                    model: name.clone(),
                    input: i,
                    output: o,
                    details: table.details(k),
                });
            }
            None => unmatched.push(name.clone()),
        }
    }
    output::note(output::prices::imported(&rows).trim_end());
    if !unmatched.is_empty() {
        output::warn(&format!(
            "no price found for {}; kept their prices (set `model_id` to the table's key; {})",
            unmatched.join(", "),
            crate::prices::RULE
        ));
    }
    let file = config.source.file_name();
    let text = crate::prices::apply(&config.source_text()?, &file, &updates)?;
    if a.in_place {
        crate::fsutil::write_atomic(std::path::Path::new(&file), text.as_bytes(), true)?;
        output::note(&format!("updated {file} ({} model(s))", updates.len()));
        return Ok(());
    }
    match &a.output {
        Some(p) => crate::fsutil::write_atomic(p, text.as_bytes(), a.force),
        None => output::print(&text),
    }
}
