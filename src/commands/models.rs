//! `llmroute models`: the model catalog.

use serde::Serialize;

use crate::cli::ModelsArgs;
use crate::commands::Context;
use crate::config::Params;
use crate::error::Result;
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
