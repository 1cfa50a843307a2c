//! `llmroute batch`: route every row of a log and stream one decision per row.
//!
//! Each row is decided by the same engine, chain and gray release as `route --request-id <id>`
//! (the row's id, else its number): rows are read in chunks, evaluated on worker threads and
//! written in input order, so memory stays flat however long the log is, and an interrupted run
//! keeps every finished chunk. With `--quotas`, daily quotas are applied in memory over the rows'
//! timestamps on the writer thread, resuming each row's evaluation.
//!
//! The cost of each decision comes from the best data the row has ([`crate::cost::resolve`]): the
//! chosen model's recorded cost (`{model}|total_cost`), else the logged token counts priced, else
//! the prompt's token count and the model's expected output. The tokenizer runs only for rows
//! that need it.

mod args;
pub use args::BatchArgs;

use std::io::{IsTerminal, Write};

use crate::canary::Arm;
use crate::commands::Context;
use crate::config::{Config, ModelId};
use crate::cost::{self, Cost};
use crate::data::{self, RowError, pylit};
use crate::error::{Error, Result};
use crate::output;
use crate::output::format::StreamFormat;
use crate::quota::DayQuota;
use crate::replay::dataset::{Checks, ID_COLUMNS, parse_time};
use crate::replay::tally::Tally;
use crate::router::constraints;
use crate::router::service::{self, assign};
use crate::router::{Chain, Chosen, Engine, Eval, Memo, Pick, QuotaView, Strategy, Unlimited};
use crate::tokenizer::prompt_input_tokens;

const CHUNK: usize = 8192;

struct Item {
    id: String,
    text: String,
    /// The row's task tag (`--tag-col`).
    tag: Option<String>,
    day: Option<i64>,
    /// Recorded cost per catalog model; empty when the log records none.
    costs: Vec<Option<f64>>,
    in_tokens: Option<u64>,
    /// Logged input tokens read from the prompt cache.
    cached: Option<u64>,
    out_tokens: Option<u64>,
    /// The prompt's token count, once a cost has needed it.
    counted: Option<u64>,
}

/// The columns read from one file.
struct Columns {
    text: data::Column,
    tag: Option<data::Column>,
    id: Option<data::Column>,
    ts: Option<data::Column>,
    /// Recorded cost column per catalog model.
    costs: Vec<Option<data::Column>>,
    in_tokens: Option<data::Column>,
    cached: Option<data::Column>,
    out_tokens: Option<data::Column>,
}

/// The engine's chains for the requested strategy and, under `[canary]`, the canary's.
struct Routing<'a> {
    config: &'a Config,
    engine: &'a Engine,
    strategy: Strategy,
    chains: Vec<(Strategy, Chain<'a>)>,
    /// The catalog's dearest model, when the run ends with a summary (the all-premium cost).
    premium: Option<ModelId>,
}

impl<'a> Routing<'a> {
    fn new(config: &'a Config, engine: &'a Engine, strategy: Strategy) -> Routing<'a> {
        let mut chains = vec![(strategy, engine.chain(config, strategy))];
        if let Some(c) = config.canary.as_ref().filter(|_| strategy == Strategy::CHAIN) {
            chains.push((c.strategy, engine.chain(config, c.strategy)));
        }
        Routing { config, engine, strategy, chains, premium: None }
    }

    /// Tallies a routed row for the summary (nothing without one).
    fn tally(
        &self,
        tally: &mut Tally,
        row: RowCost,
        counted: &mut Option<u64>,
        chosen: Option<&Chosen>,
        cost: Option<Cost>,
    ) {
        let Some(p) = self.premium else { return };
        let premium = Chosen {
            model: p,
            method: crate::router::Method::CLIENT,
            reason: "",
            params: self.config.models[p].params,
            data_model: None,
        };
        let all_premium = cost_of(self.config, row, counted, &premium).usd;
        tally.add(chosen.map(|c| c.model), cost.map_or(0.0, |c| c.usd), all_premium);
    }

    /// The chain of a row and its arm (the row's id is the gray-release key).
    fn chain(&self, id: &str) -> (&Chain<'a>, Arm) {
        let (s, arm) = assign(self.config, self.strategy, id);
        let chain = self.chains.iter().find(|(x, _)| *x == s).map_or(&self.chains[0].1, |(_, c)| c);
        (chain, arm)
    }
}

/// The cost of a decision for a row, counting the prompt's tokens (once) only when nothing
/// better is logged.
fn cost_of(config: &Config, row: RowCost, counted: &mut Option<u64>, c: &Chosen) -> Cost {
    let known = cost::Known {
        recorded: row.costs.get(c.model).copied().flatten(),
        input_tokens: row.in_tokens,
        cached_tokens: row.cached,
        output_tokens: row.out_tokens,
    };
    cost::resolve(&known, &config.models[c.model].price(), c.params.max_tokens, || {
        *counted.get_or_insert_with(|| prompt_input_tokens(row.text))
    })
}

/// What a row logs about its cost.
#[derive(Clone, Copy)]
struct RowCost<'a> {
    text: &'a str,
    costs: &'a [Option<f64>],
    in_tokens: Option<u64>,
    cached: Option<u64>,
    out_tokens: Option<u64>,
}

pub fn run(ctx: &Context, a: &BatchArgs) -> Result<()> {
    let mut config = ctx.config()?;
    let map = crate::replay::dataset::map_to_catalog(&config, &a.map)?;
    config.ml.add_labels(&map);
    let config = config;
    let state = crate::state::Location::resolve(ctx.state.as_deref(), &config)?;
    let engine = service::engine(&config, a.classifier.as_deref(), a.strategy, &state)?;
    // The tag column: `--tag-col`, else the outcome model's feature column when a file has it.
    let feature = engine.ml.as_ref().and_then(|m| m.outcomes()).and_then(|o| o.feature.as_ref());
    let tag = match (&a.tag.tag_col, feature) {
        (Some(c), _) => Some((c.clone(), true)),
        (None, Some(f)) => Some((f.column.clone(), false)),
        (None, None) => None,
    };
    let mut routing = Routing::new(&config, &engine, a.strategy);
    let summary = a.summary || std::io::stderr().is_terminal();
    routing.premium = summary.then(|| config.models_by_cost().last().copied()).flatten();
    let threads = crate::commands::threads(a.threads).max(1);
    // Output: stdout, or a temporary file moved into place at the end.
    let mut file = a.output.as_ref().map(|o| crate::fsutil::AtomicFile::create(o, a.force)).transpose()?;
    let sink: Box<dyn Write> = match &mut file {
        Some(f) => Box::new(f.file()?.try_clone().map_err(|e| Error::usage(format!("cannot write: {e}")))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, sink);
    let input = Input { args: a, config: &config, map: &map, tag: tag.as_ref() };
    let result = stream(&routing, &input, threads, &mut out);
    let flushed = out.flush().map_err(Error::from_stdout);
    drop(out);
    let (bad, tally) = result?;
    flushed?;
    if let Some(f) = file {
        f.commit()?;
    }
    if let Some(p) = routing.premium {
        output::note(output::batch::summary(&config, &tally, p, bad).trim_end());
    }
    if bad > 0 {
        return Err(Error::Partial(format!("{bad} bad row(s) skipped")));
    }
    Ok(())
}

/// A chunk of rows read by the reader thread, then what stopped it or came after it (a bad row
/// reported in input order, or the error that ends the run).
struct Chunk {
    items: Vec<Item>,
    then: Option<Stop>,
}

enum Stop {
    Bad(RowError),
    Fatal(Error),
}

/// A chunk routed by a worker: without quotas its output lines, ready to write; with quotas each
/// row's evaluation so far, which the writer resumes in order against the day's usage.
struct Done {
    lines: Vec<u8>,
    tally: Tally,
    memos: Vec<Memo>,
    items: Vec<Item>,
    then: Option<Stop>,
}

/// Reader → workers → writer. The reader deals chunks to the workers in turn; the writer takes
/// the results back in the same turn, so output keeps input order. Workers live for the whole run,
/// so their per-thread caches (token counts, ML scratch) stay warm.
fn stream(routing: &Routing, input: &Input, threads: usize, out: &mut dyn Write) -> Result<(usize, Tally)> {
    let (config, a) = (routing.config, input.args);
    let mut bad = 0usize;
    let mut total = Tally::new(config.models.len());
    let mut quota = DayQuota::new(config);
    // Rows routed so far, on stderr when it is a terminal; not while decisions stream to the
    // same terminal.
    let hidden = a.output.is_none() && std::io::stdout().is_terminal();
    let pb = output::progress(None, "routing", "rows", hidden);
    let mut header_written = false;
    let format = a.stream_format();
    let header = |out: &mut dyn Write| out.write_all(output::batch::header(format)).map_err(Error::from_stdout);
    let done = std::thread::scope(|s| -> Result<()> {
        let mut to_workers = Vec::with_capacity(threads);
        let mut from_workers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<Chunk>(1);
            let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Done>(1);
            to_workers.push(job_tx);
            from_workers.push(done_rx);
            s.spawn(move || work(routing, a, job_rx, done_tx));
        }
        s.spawn(move || read_all(input, &to_workers));
        for turn in (0..threads).cycle() {
            let Ok(Done { mut lines, tally, memos, mut items, then }) = from_workers[turn].recv() else { break };
            total.merge(&tally);
            resume(routing, a.stream_format(), &mut quota, &mut items, memos, &mut lines, &mut total);
            if !lines.is_empty() && !header_written {
                // Written with the first decisions: a run that fails at once prints nothing.
                header(out)?;
                header_written = true;
            }
            out.write_all(&lines).map_err(Error::from_stdout)?;
            out.flush().map_err(Error::from_stdout)?;
            pb.inc(items.len() as u64);
            let secs = pb.elapsed().as_secs_f64();
            if secs > 0.0 {
                pb.set_message(format!("({:.0}/s)", pb.position() as f64 / secs));
            }
            match then {
                Some(Stop::Bad(e)) => {
                    pb.suspend(|| output::warn(&format!("skipped {e}")));
                    bad += 1;
                }
                Some(Stop::Fatal(e)) => return Err(e),
                None => {}
            }
        }
        if !header_written {
            header(out)?;
        }
        Ok(())
    });
    pb.finish_and_clear();
    done?;
    Ok((bad, total))
}

/// A worker: routes every chunk it is dealt and hands the result back to the writer.
fn work(
    routing: &Routing,
    a: &BatchArgs,
    jobs: std::sync::mpsc::Receiver<Chunk>,
    done: std::sync::mpsc::SyncSender<Done>,
) {
    let (config, engine) = (routing.config, routing.engine);
    for Chunk { mut items, then } in jobs {
        let mut lines = Vec::new();
        let mut memos = Vec::new();
        let mut tally = Tally::new(config.models.len());
        for it in &mut items {
            let Item { id, text, tag, costs, in_tokens, cached, out_tokens, counted, .. } = it;
            let (chain, arm) = routing.chain(id);
            let mut eval = engine.eval(text, tag.as_deref());
            eval.exclude(constraints::for_plain(config, text.len(), || match (*in_tokens, *counted) {
                (Some(t), _) | (None, Some(t)) => t,
                (None, None) => *counted.insert(prompt_input_tokens(text)),
            }));
            // The stages up to the first decision; later ones run on demand.
            let pick = chain.pick(&mut eval, &Unlimited);
            let row = RowCost { text, costs, in_tokens: *in_tokens, cached: *cached, out_tokens: *out_tokens };
            if a.quotas {
                // Which model answers is known only in the writer: count here (in
                // parallel) whenever some model's cost would need the count.
                if in_tokens.is_none() && (costs.len() < config.models.len() || costs.iter().any(Option::is_none)) {
                    *counted = Some(prompt_input_tokens(text));
                }
                memos.push(eval.into_memo());
            } else {
                let chosen = chain.chosen(&mut eval, pick);
                let cost = chosen.as_ref().map(|c| cost_of(config, row, counted, c));
                let d = chosen.as_ref().ok_or(refusal(pick));
                output::batch::row(&mut lines, a.stream_format(), config, id, d, arm, cost);
                routing.tally(&mut tally, row, counted, chosen.as_ref(), cost);
            }
        }
        if done.send(Done { lines, tally, memos, items, then }).is_err() {
            return;
        }
    }
}

/// The writer's part of a chunk routed under quotas: each row's decision resumed, in input order,
/// against the day's usage so far.
fn resume(
    routing: &Routing,
    format: StreamFormat,
    quota: &mut DayQuota<'_>,
    items: &mut [Item],
    memos: Vec<Memo>,
    lines: &mut Vec<u8>,
    total: &mut Tally,
) {
    let (config, engine) = (routing.config, routing.engine);
    for (it, memo) in items.iter_mut().zip(memos) {
        if let Some(d) = it.day {
            quota.set_day(d);
        }
        let Item { id, text, tag, costs, in_tokens, cached, out_tokens, counted, .. } = it;
        let (chain, arm) = routing.chain(id);
        let mut eval = Eval::resume(engine, text, tag.as_deref(), memo);
        let pick = chain.pick(&mut eval, &*quota as &dyn QuotaView);
        let chosen = chain.chosen(&mut eval, pick);
        if let Some(c) = &chosen {
            quota.count(c.model);
        }
        let row = RowCost { text, costs, in_tokens: *in_tokens, cached: *cached, out_tokens: *out_tokens };
        let cost = chosen.as_ref().map(|c| cost_of(config, row, counted, c));
        output::batch::row(lines, format, config, id, chosen.as_ref().ok_or(refusal(pick)), arm, cost);
        routing.tally(total, row, counted, chosen.as_ref(), cost);
    }
}

/// Reads every file in chunks and sends them to the workers.
/// What the reader needs: the flags, the catalog, `--map` and the tag column (with whether a
/// file must have it).
struct Input<'a> {
    args: &'a BatchArgs,
    config: &'a Config,
    map: &'a [(String, ModelId)],
    tag: Option<&'a (String, bool)>,
}

fn read_all(input: &Input, workers: &[std::sync::mpsc::SyncSender<Chunk>]) {
    let (a, config) = (input.args, input.config);
    let mut turn = 0;
    // Deals a chunk to the next worker; false once the writer has stopped.
    let mut send = |items: Vec<Item>, then: Option<Stop>| {
        let ok = workers[turn].send(Chunk { items, then }).is_ok();
        turn = (turn + 1) % workers.len();
        ok
    };
    let mut row_no: u64 = 0;
    for path in &a.files {
        let mut r = match data::open(path, a.log.format.input_format) {
            Ok(r) => r,
            Err(e) => {
                send(Vec::new(), Some(Stop::Fatal(e)));
                return;
            }
        };
        // JSON inputs reveal their keys with their first good row.
        let mut pending: Vec<Result<bool, RowError>> = Vec::new();
        loop {
            let adv = r.advance();
            let stop = adv.is_ok() || !a.skip_bad || r.is_csv();
            pending.push(adv);
            if stop {
                break;
            }
        }
        let cols = match columns(&r, input) {
            Ok(c) => c,
            Err(e) => {
                send(Vec::new(), Some(Stop::Fatal(e)));
                return;
            }
        };
        let mut pending = pending.into_iter();
        let mut items: Vec<Item> = Vec::with_capacity(CHUNK);
        loop {
            let adv = pending.next().unwrap_or_else(|| r.advance());
            let row = match adv {
                Ok(false) => break,
                Ok(true) => {
                    row_no += 1;
                    read_item(&r, &cols, config, row_no)
                }
                Err(e) => {
                    row_no += 1;
                    Err(e)
                }
            };
            match row {
                Ok(it) => {
                    items.push(it);
                    if items.len() == CHUNK && !send(std::mem::replace(&mut items, Vec::with_capacity(CHUNK)), None) {
                        return;
                    }
                }
                // The warning follows the rows read before it.
                Err(e) if a.skip_bad => {
                    if !send(std::mem::take(&mut items), Some(Stop::Bad(e))) {
                        return;
                    }
                }
                Err(e) => {
                    let e = Error::Usage(format!("{e} (use --skip-bad to skip bad rows)"));
                    send(std::mem::take(&mut items), Some(Stop::Fatal(e)));
                    return;
                }
            }
        }
        if !items.is_empty() && !send(items, None) {
            return;
        }
    }
}

/// Resolves the columns of one file.
fn columns(r: &data::Reader, input: &Input) -> Result<Columns> {
    let (a, config, map) = (input.args, input.config, input.map);
    let find = |names: &[&str]| -> Result<Option<data::Column>> {
        let found = names.iter().find(|c| if r.is_csv() { r.has_column(c) } else { r.json(c).is_some() });
        found.map(|c| r.column(c)).transpose()
    };
    let text = r.text_column(a.log.text_col.as_deref())?;
    let id = match &a.id_col {
        Some(c) => Some(r.column(c)?),
        None => find(&ID_COLUMNS)?,
    };
    let ts = match (&a.timestamp_col, a.quotas) {
        (Some(c), _) => Some(r.column(c)?),
        (None, true) => find(&["timestamp"])?,
        (None, false) => None,
    };
    if a.quotas && ts.is_none() {
        return Err(Error::Usage(format!("{}: --quotas needs a timestamp column (--timestamp-col)", r.name)));
    }
    // A catalog model's recorded cost: under a mapped data name, its name or its model_id.
    let mut costs = Vec::with_capacity(config.models.len());
    for (m, model) in config.models.iter().enumerate() {
        let names = map
            .iter()
            .filter(|(_, c)| *c == m)
            .map(|(d, _)| d.as_str())
            .chain([model.name.as_str()])
            .chain(model.model_id.as_deref());
        let cols: Vec<String> = names.map(|n| a.cost.replace("{model}", n)).collect();
        let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
        costs.push(find(&cols)?);
    }
    if costs.iter().all(Option::is_none) {
        costs.clear();
    }
    let in_tokens = find(&[a.input_tokens_col.as_str()])?;
    let out_tokens = find(&[a.output_tokens_col.as_str()])?;
    let cached = find(&[a.cached_tokens_col.as_str()])?;
    let tag = match input.tag {
        Some((c, true)) => Some(r.column(c)?),
        Some((c, false)) => find(&[c.as_str()])?,
        None => None,
    };
    Ok(Columns { text, tag, id, ts, costs, in_tokens, cached, out_tokens })
}

fn read_item(r: &data::Reader, cols: &Columns, config: &Config, row_no: u64) -> std::result::Result<Item, RowError> {
    let text_col = &cols.text;
    let raw = r.text(text_col)?.ok_or_else(|| r.row_error(format!("column `{}` is empty", text_col.name)))?;
    let text = pylit::prompt_text(&raw).into_owned();
    if text.trim().is_empty() {
        return Err(r.row_error(format!("column `{}` is empty", text_col.name)));
    }
    if let Some(m) = crate::prompt::too_long(&text) {
        return Err(r.row_error(format!("column `{}`: {m}", text_col.name)));
    }
    let id = match &cols.id {
        Some(c) => r.text(c)?.map(|v| v.into_owned()).filter(|v| !v.trim().is_empty()),
        None => None,
    }
    .unwrap_or_else(|| row_no.to_string());
    let day = match &cols.ts {
        Some(c) => {
            let t = r.text(c)?.ok_or_else(|| r.row_error(format!("column `{}` is empty", c.name)))?;
            let secs = parse_time(&t).ok_or_else(|| {
                r.row_error(format!(
                    "column `{}`: `{t}` is not a timestamp (RFC 3339, `YYYY-MM-DD HH:MM:SS` or Unix seconds, years \
                     -9999 to 9999)",
                    c.name
                ))
            })?;
            Some(crate::quota::day_index(secs, &config.timezone))
        }
        None => None,
    };
    let checks = Checks { r, scale: 1.0 };
    let mut costs = Vec::with_capacity(cols.costs.len());
    for c in &cols.costs {
        costs.push(match c {
            Some(c) => checks.cost(r.number(c)?, &c.name)?,
            None => None,
        });
    }
    let tokens = |c: &Option<data::Column>| -> std::result::Result<Option<u64>, RowError> {
        match c {
            Some(c) => checks.tokens(r.number(c)?, &c.name),
            None => Ok(None),
        }
    };
    let tag = match &cols.tag {
        Some(c) => r.text(c)?.map(|v| v.into_owned()).filter(|v| !v.trim().is_empty()),
        None => None,
    };
    Ok(Item {
        id,
        text,
        tag,
        day,
        costs,
        in_tokens: tokens(&cols.in_tokens)?,
        cached: tokens(&cols.cached)?,
        out_tokens: tokens(&cols.out_tokens)?,
        counted: None,
    })
}

/// Appends one output line to `out`.
/// Why a row got no model: every quota exhausted, or no model could serve it.
fn refusal(pick: Pick) -> &'static str {
    if pick == Pick::Unservable { "no_model_can_serve" } else { "all_quotas_exhausted" }
}
