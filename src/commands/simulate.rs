//! `llmroute simulate`: replay logs under every strategy and print the savings table.

mod args;
pub use args::{InputArgs, SimulateArgs};

use crate::commands::Context;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::output;
use crate::replay::{self, Options, Spec};
use crate::router::{Strategy, service};

/// The replay input spec from the shared flags.
pub fn spec_from(config: &Config, input: &InputArgs, by: Option<&str>, quality_scale: f64) -> Result<Spec> {
    replay::dataset::map_to_catalog(config, &input.map.map)?;
    let map = input.map.map.clone();
    Ok(Spec {
        format: input.log.format.input_format,
        text: input.log.text_col.clone(),
        id: input.id_col.clone().or_else(|| input.long.then(|| "id".to_string())),
        quality: match &input.quality_col_suffix {
            Some(s) => format!("{{model}}{s}"),
            None => input.quality.clone(),
        },
        quality_scale,
        cost: input.cost.clone(),
        response: input.response.clone(),
        models: input.models.clone(),
        long: input.long.then(|| input.model_col.clone()),
        timestamp: input.timestamp_col.clone(),
        by: by.map(str::to_string),
        tag: input.tag.tag_col.clone(),
        tag_required: true,
        label: input.label_col.clone(),
        input_tokens: input.input_tokens_col.clone(),
        cached_tokens: input.cached_tokens_col.clone(),
        output_tokens: input.output_tokens_col.clone(),
        map,
        skip_bad: input.skip_bad,
    })
}

/// The replay's knobs from the flags (`[cascade]`, `[consensus]` and the other sections fill
/// what a flag leaves unset when the replay is set up).
fn options(a: &SimulateArgs) -> Options {
    Options {
        candidates: a.candidates.clone(),
        baseline: a.baseline.clone(),
        all_models: a.all_models,
        requests_per_day: a.requests_per_day,
        requests_per_year: a.requests_per_year,
        cascade_threshold: a.cascade_threshold,
        cascade_models: a.cascade_models.clone(),
        max_attempts: a.max_attempts,
        judge_error_rate: a.judge_error_rate,
        consensus_models: a.consensus_models.clone(),
        bootstrap: a.bootstrap,
        seed: a.seed,
        threads: crate::commands::threads(a.threads),
    }
}

pub fn run(ctx: &Context, a: &SimulateArgs) -> Result<()> {
    let config = ctx.config()?;
    for (flag, path) in [("--decisions", &a.decisions), ("--plot", &a.plot)] {
        if let Some(p) = path
            && p.exists()
            && !a.force
        {
            return Err(Error::Usage(format!("{flag} {}: already exists; pass --force to overwrite it", p.display())));
        }
    }
    let opt = options(a);
    let threads = opt.threads;
    let mut spec = spec_from(&config, &a.input, a.by.as_deref(), a.quality_scale)?;
    // `--map` maps an outcome model's labels (the models of its training data) as it maps the log's.
    let mut config = config;
    config.ml.add_labels(&replay::dataset::map_to_catalog(&config, &a.input.map.map)?);
    let config = config;
    let prices = crate::prices::load(a.input.prices.as_deref())?;
    let state = crate::state::Location::resolve(ctx.state.as_deref(), &config)?;
    let engine = service::replay_engine(&config, a.classifier.as_deref(), Strategy::ADAPTIVE, &state)?;
    if spec.tag.is_none() {
        // The outcome model's categorical feature, when the log has its column.
        spec.tag =
            engine.ml.as_ref().and_then(|m| m.outcomes()).and_then(|o| o.feature.as_ref()).map(|f| f.column.clone());
        spec.tag_required = false;
    }
    // Rows read, then the replay's elapsed time, on stderr when it is a terminal (as `batch`).
    let pb = output::progress(None, "reading", "rows", false);
    // The classifier predicts every row while the log loads.
    let (ds, predictions) = std::thread::scope(|s| -> Result<_> {
        // One core reads; the others predict.
        let mut prefetch = replay::prefetch::Prefetch::start(s, &engine, threads.saturating_sub(1));
        let hooks = replay::dataset::Hooks {
            on_bad: &mut |e| pb.suspend(|| output::warn(&format!("skipped {e}"))),
            on_text: &mut |t| {
                pb.inc(1);
                if let Some(p) = prefetch.as_mut() {
                    p.push(t);
                }
            },
        };
        let ds = replay::dataset::load(&a.files, &spec, &config, &prices, threads, hooks)?;
        let rows = ds.n();
        Ok((ds, prefetch.map(|p| p.finish(rows)).unwrap_or_default()))
    })?;
    pb.set_prefix("replaying");
    pb.set_message("under every strategy");
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    let setup = replay::setup(&ds, &config, &engine, &opt)?;
    let rp = match &a.decisions {
        Some(path) => {
            let mut sink = output::decisions::DecisionFile::create(path, a.force)?;
            let rp = replay::simulate(&setup, &opt, &predictions, Some(&mut sink))?;
            sink.commit()?;
            rp
        }
        None => replay::simulate(&setup, &opt, &predictions, None)?,
    };
    pb.finish_and_clear();
    let mut report = replay::report::build(&a.files, &ds, &config, &rp, &opt);
    if a.canary {
        report.canary = Some(replay::report::canary(&config, &ds, &rp, &report, &opt).ok_or_else(|| {
            Error::Usage("--canary needs a `[canary]` section (strategy, share) in the configuration".to_string())
        })?);
    }
    if let Some(p) = &a.plot {
        output::plot::draw(p, &report, a.force)?;
    }
    output::format::emit(&report, a.output.format())?;
    if !ds.bad_rows.is_empty() {
        return Err(Error::Partial(format!("{} bad row(s) skipped", ds.bad_rows.len())));
    }
    Ok(())
}
