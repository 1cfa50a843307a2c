//! `llmroute feedback add|import|stats|suggest`.
//!
//! Feedback joins the decision log by request id: model, rule, method, tier, arm and the estimated
//! cost come from the logged decision. A request may get feedback more than once; the latest
//! replaces the earlier one.

mod args;
pub use args::FeedbackCommand;

use crate::clock::Clock;
use crate::commands::Context;
use crate::config::{Config, EMBEDDED_DEFAULT, Source};
use crate::data::{self, RowError};
use crate::error::{Error, Result};
use crate::feedback::{self, build};
use crate::output;
use crate::state::{self, FeedbackRecord, Location, Store};

pub fn run(ctx: &Context, cmd: &FeedbackCommand) -> Result<()> {
    let config = ctx.config()?;
    let path = state::Location::resolve(ctx.state.as_deref(), &config)?;
    let clock = Clock::new(config.timezone.clone())?;
    match cmd {
        FeedbackCommand::Add { request_id, rating, success, latency_ms, model, rule } => {
            let mut store = Store::open(&path)?;
            let now = clock.now().timestamp().as_second();
            // A store failure is the store's error (exit 5), not a usage error.
            let logged = store.find_decision(request_id)?;
            let rec = build(
                &config,
                logged,
                request_id,
                *rating,
                *success,
                *latency_ms,
                model.as_deref(),
                rule.as_deref(),
                now,
            )
            .map_err(Error::Usage)?;
            let replaced = store.upsert_feedback(std::slice::from_ref(&rec))?;
            if replaced > 0 {
                output::note(&format!("replaced the earlier feedback for `{request_id}` (the latest feedback wins)"));
            }
            output::note(&format!("recorded feedback for `{request_id}` ({})", rec.model));
            Ok(())
        }
        FeedbackCommand::Import { file, format } => import(&config, &path, file, format.input_format, &clock),
        FeedbackCommand::Stats { days, by, output: out } => {
            let records = load(&path, *days, &clock)?;
            let rows = feedback::stats(&records, *by, config.adaptive.success_rating);
            let window = if *days == 0 { "all time".to_string() } else { format!("last {days} days") };
            let stats = output::feedback::Stats { rows, by: *by, window, records: records.len() };
            output::format::emit(&stats, out.format())
        }
        FeedbackCommand::Suggest { min_samples, below, days, apply, in_place, force, report } => {
            let records = load(&path, *days, &clock)?;
            let suggestions = feedback::suggest(&config, &records, *min_samples, *below);
            let (text, name) = config_text(&config)?;
            let new_text = feedback::apply(&text, &config, &suggestions)?;
            if let Some(out) = apply {
                crate::fsutil::write_atomic(out, new_text.as_bytes(), *force)?;
                output::note(&format!("wrote {} with {} suggestion(s) applied", out.display(), suggestions.len()));
            }
            if *in_place {
                let file = match &config.source {
                    Source::Embedded => {
                        return Err(Error::usage(
                            "--in-place needs a configuration file; the embedded default is in use (see `config init`), or use --apply FILE",
                        ));
                    }
                    s => std::path::PathBuf::from(s.file_name()),
                };
                crate::fsutil::write_atomic(&file, new_text.as_bytes(), true)?;
                output::note(&format!("updated {} with {} suggestion(s)", file.display(), suggestions.len()));
            }
            let diff = feedback::diff(&text, &new_text, &name);
            let suggest = output::feedback::Suggest { suggestions, min_samples: *min_samples, below: *below, diff };
            output::format::emit_report(&suggest, report.format())
        }
    }
}

/// The configuration's own text (comments included) and its name.
fn config_text(config: &Config) -> Result<(String, String)> {
    match &config.source {
        Source::Embedded => Ok((EMBEDDED_DEFAULT.to_string(), "llmroute.toml".to_string())),
        s => {
            let name = s.file_name();
            let text = std::fs::read_to_string(&name)
                .map_err(|e| Error::Usage(format!("{name}: cannot read: {}", crate::error::io_reason(&e))))?;
            Ok((text, name))
        }
    }
}

fn load(at: &Location, days: u64, clock: &Clock) -> Result<Vec<FeedbackRecord>> {
    let Some(mut store) = Store::open_read(at)? else { return Ok(Vec::new()) };
    let since = (days > 0).then(|| clock.now().timestamp().as_second() - days as i64 * 86_400);
    store.feedback_since(since)
}

/// One feedback row of an import, validated and joined to the decision log.
fn read_row(
    r: &data::Reader,
    config: &Config,
    store: &mut Store,
    now: i64,
) -> std::result::Result<FeedbackRecord, RowError> {
    let field = |names: &[&str]| -> std::result::Result<Option<String>, RowError> {
        for n in names {
            if r.is_csv() && !r.has_column(n) {
                continue;
            }
            let c = r.column(n).map_err(|e| r.row_error(e.to_string()))?;
            if let Some(v) = r.text(&c)?.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
                return Ok(Some(v));
            }
        }
        Ok(None)
    };
    let num = |names: &[&str], what: &str| -> std::result::Result<Option<f64>, RowError> {
        match field(names)? {
            Some(v) => v.parse::<f64>().map(Some).map_err(|_| r.row_error(format!("{what} `{v}` is not a number"))),
            None => Ok(None),
        }
    };
    let rating = num(&["rating", "user_rating"], "rating")?;
    let latency = num(&["latency_ms", "latency"], "latency")?;
    let success = match field(&["success"])? {
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            other => return Err(r.row_error(format!("success `{other}` is not true or false"))),
        },
        None => None,
    };
    let ts = match field(&["timestamp", "ts"])? {
        Some(t) => crate::replay::dataset::parse_time(&t)
            .ok_or_else(|| r.row_error(format!("timestamp `{t}` is not a time")))?,
        None => now,
    };
    let model = field(&["model", "model_used"])?;
    let rule = field(&["rule", "rule_matched"])?;
    let id = match field(&["request_id", "id"])? {
        Some(id) => id,
        // Rows gathered elsewhere: a stable id from the file and line, so a re-import
        // replaces rather than duplicates.
        None => format!("import:{}:{}", r.name, r.line()),
    };
    let logged = store.find_decision(&id).map_err(|e| r.row_error(e.to_string()))?;
    let mut rec = build(config, logged, &id, rating, success, latency, model.as_deref(), rule.as_deref(), ts)
        .map_err(|m| r.row_error(m))?;
    if let Some(c) = num(&["cost"], "cost")? {
        if !(0.0..=crate::replay::dataset::MAX_COST_USD).contains(&c) {
            return Err(r.row_error(format!("cost {} is outside 0..=1000000 USD", crate::error::num(c))));
        }
        rec.cost = Some(c);
    }
    Ok(rec)
}

fn import(
    config: &Config,
    at: &Location,
    file: &std::path::Path,
    format: Option<data::Format>,
    clock: &Clock,
) -> Result<()> {
    let mut r = data::open(file, format)?;
    let mut store = Store::open(at)?;
    let now = clock.now().timestamp().as_second();
    let mut records = Vec::new();
    let mut errors: Vec<RowError> = Vec::new();
    let mut first = Some(r.advance());
    loop {
        match first.take().unwrap_or_else(|| r.advance()) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                errors.push(e);
                continue;
            }
        }
        let row = read_row(&r, config, &mut store, now);
        match row {
            Ok(rec) => records.push(rec),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        for e in errors.iter().take(20) {
            output::warn(&e.to_string());
        }
        if errors.len() > 20 {
            output::warn(&format!("… and {} more", errors.len() - 20));
        }
        return Err(Error::Usage(format!(
            "{}: {} bad row(s); nothing was imported (the import is all or nothing)",
            r.name,
            errors.len()
        )));
    }
    let n = records.len();
    if n == 0 {
        return Err(Error::Usage(format!("{}: no feedback rows to import", r.name)));
    }
    let replaced = store.upsert_feedback(&records)?;
    output::note(&format!("imported {n} feedback record(s) from {} ({replaced} replaced earlier feedback)", r.name));
    Ok(())
}
