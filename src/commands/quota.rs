//! `llmroute quota`: today's usage per model; `quota reset [MODEL]`.

mod args;
pub use args::{QuotaAction, QuotaArgs};

use std::collections::BTreeMap;

use crate::clock::Clock;
use crate::commands::Context;
use crate::error::Result;
use crate::output;
use crate::quota;
use crate::state::{self, Store};

pub fn run(ctx: &Context, args: &QuotaArgs) -> Result<()> {
    let config = ctx.config()?;
    let clock = Clock::new(config.timezone.clone())?;
    let day = clock.day();
    let at = state::Location::resolve(ctx.state.as_deref(), &config)?;
    match &args.action {
        Some(QuotaAction::Reset { model }) => {
            if let Some(m) = model {
                config.require_model(m)?;
            }
            let removed = match Store::open_existing(&at)? {
                Some(mut store) => store.reset(&day, model.as_deref())?,
                None => 0,
            };
            let what = model.as_deref().map_or("all models".to_string(), |m| format!("`{m}`"));
            output::note(&format!("reset today's ({day}) quota counters of {what} ({removed} counter(s) cleared)"));
            Ok(())
        }
        None => {
            let usage = match Store::open_read(&at)? {
                Some(mut store) => store.usage(&day)?,
                None => BTreeMap::new(),
            };
            let rows = quota::rows(&config, &usage, &clock);
            output::format::emit(rows.as_slice(), args.output.format())
        }
    }
}
