//! `llmroute batch`: route every row of a log and stream one decision per row.
//!
//! Rows are read in chunks, routed on worker threads and written in input order, so memory stays
//! flat however long the log is, and an interrupted run keeps every finished chunk. With
//! `--quotas`, daily quotas are applied in memory over the rows' timestamps.
//!
//! The cost of each decision comes from the best data the row has: the chosen model's recorded
//! cost (`{model}|total_cost`), else the logged token counts priced, else the prompt's `o200k`
//! count and the model's expected output. The tokenizer runs only for rows that need it.

use std::io::{IsTerminal, Write};

use crate::cli::{BatchArgs, StreamFormat};
use crate::commands::Context;
use crate::config::{Config, ModelId};
use crate::data::{self, RowError, pylit};
use crate::error::{Error, Result};
use crate::output;
use crate::quota::DayQuota;
use crate::router::{Decision, Engine, Pick, QuotaView, Verdict, pick};
use crate::tokenizer::count_tokens;

const CHUNK: usize = 8192;

struct Item {
    id: String,
    text: String,
    day: Option<i64>,
    /// Recorded cost per catalog model; empty when the log records none.
    costs: Vec<Option<f64>>,
    in_tokens: Option<u64>,
    out_tokens: Option<u64>,
}

/// A routed row: every stage's verdict until the first decision (later stages run on demand).
struct Routed {
    verdicts: Vec<Option<Decision>>,
    /// The prompt's token count (+ 7 for the chat format), once a cost has needed it.
    input_tokens: Option<u64>,
}

/// The columns read from one file.
struct Columns {
    text: data::Column,
    id: Option<data::Column>,
    ts: Option<data::Column>,
    /// Recorded cost column per catalog model.
    costs: Vec<Option<data::Column>>,
    in_tokens: Option<data::Column>,
    out_tokens: Option<data::Column>,
}

/// Where a decision's cost comes from.
#[derive(Debug, Clone, Copy)]
enum CostSource {
    /// The row's recorded cost of the chosen model.
    Recorded,
    /// The row's logged token counts at the catalog price.
    LoggedTokens,
    /// The prompt's token count and the model's expected output at the catalog price.
    Estimated,
}

impl CostSource {
    fn as_str(self) -> &'static str {
        match self {
            CostSource::Recorded => "recorded",
            CostSource::LoggedTokens => "logged_tokens",
            CostSource::Estimated => "estimated",
        }
    }
}

/// The cost of `d` for row `it`, counting the prompt's tokens only when nothing better is logged.
fn cost_of(config: &Config, it: &Item, d: &Decision, counted: &mut Option<u64>) -> (f64, CostSource) {
    if let Some(c) = it.costs.get(d.model).copied().flatten() {
        return (c, CostSource::Recorded);
    }
    let m = &config.models[d.model];
    let output = it.out_tokens.unwrap_or_else(|| crate::commands::route::expected_output_tokens(config, d));
    match it.in_tokens {
        Some(input) => (m.cost(input, output), CostSource::LoggedTokens),
        None => {
            let input = *counted.get_or_insert_with(|| count_tokens(&it.text) as u64 + 7);
            (m.cost(input, output), CostSource::Estimated)
        }
    }
}

pub fn run(ctx: &Context, a: &BatchArgs) -> Result<()> {
    let config = ctx.config()?;
    let map = parse_map(&config, &a.map)?;
    let engine = Engine::new(&config, a.model.as_deref())?;
    let chain = engine.chain(&config, a.strategy);
    let threads = a.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    if let Some(o) = &a.output
        && o.exists()
        && !a.force
    {
        return Err(Error::Usage(format!("{}: already exists; pass --force to overwrite it", o.display())));
    }
    // Output: stdout, or a temporary file renamed at the end.
    let tmp = a.output.as_ref().map(|o| {
        let name = o.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        o.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
    });
    let sink: Box<dyn Write> =
        match &tmp {
            Some(t) => Box::new(std::fs::File::create(t).map_err(|e| {
                Error::Usage(format!("{}: cannot write: {}", t.display(), crate::config::io_reason(&e)))
            })?),
            None => Box::new(std::io::stdout().lock()),
        };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, sink);
    let result = stream(&config, &engine, &chain, a, &map, threads, &mut out);
    let flushed = out.flush().map_err(Error::from_stdout);
    drop(out);
    if let (Some(t), Some(o)) = (&tmp, &a.output) {
        if result.is_ok() && flushed.is_ok() {
            std::fs::rename(t, o).map_err(|e| Error::Usage(format!("{}: cannot write: {e}", o.display())))?;
        } else {
            let _ = std::fs::remove_file(t);
        }
    }
    let bad = result?;
    flushed?;
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

/// A chunk routed by a worker: without quotas its output lines, ready to write; with quotas the
/// routing of each row, which the writer resolves in order against the day's usage.
struct Done {
    lines: Vec<u8>,
    rows: Vec<Routed>,
    items: Vec<Item>,
    then: Option<Stop>,
}

/// Reader → workers → writer. The reader deals chunks to the workers in turn; the writer takes
/// the results back in the same turn, so output keeps input order. Workers live for the whole run,
/// so their per-thread caches (token counts, ML scratch) stay warm.
fn stream(
    config: &Config,
    engine: &Engine,
    chain: &crate::router::Chain,
    a: &BatchArgs,
    map: &[(String, ModelId)],
    threads: usize,
    out: &mut dyn Write,
) -> Result<usize> {
    let mut bad = 0usize;
    let mut quota = DayQuota::new(config);
    out.write_all(match a.format {
        StreamFormat::Csv => b"id,model,method,reason,cost_usd,cost_source\n".as_slice(),
        StreamFormat::Jsonl => b"".as_slice(),
    })
    .map_err(Error::from_stdout)?;
    // Rows routed so far, on stderr when it is a terminal; not while decisions stream to the
    // same terminal.
    let hidden = a.output.is_none() && std::io::stdout().is_terminal();
    let pb = output::progress(None, "routing", "rows", hidden);
    let done = std::thread::scope(|s| -> Result<()> {
        let mut to_workers = Vec::with_capacity(threads);
        let mut from_workers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<Chunk>(1);
            let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Done>(1);
            to_workers.push(job_tx);
            from_workers.push(done_rx);
            s.spawn(move || {
                for Chunk { items, then } in job_rx {
                    let mut lines = Vec::new();
                    let mut rows = Vec::new();
                    for it in &items {
                        let mut rt = route_row(engine, chain, it);
                        if a.quotas {
                            // Which model answers is known only in the writer: count here (in
                            // parallel) whenever some model's cost would need the count.
                            let some_unrecorded =
                                it.costs.len() < config.models.len() || it.costs.iter().any(Option::is_none);
                            if it.in_tokens.is_none() && some_unrecorded {
                                rt.input_tokens = Some(count_tokens(&it.text) as u64 + 7);
                            }
                            rows.push(rt);
                        } else {
                            let d = resolve(config, engine, chain, it, &mut rt, &crate::router::chain::Unlimited);
                            let cost = d.as_ref().map(|d| cost_of(config, it, d, &mut rt.input_tokens));
                            format_row(&mut lines, a.format, config, it, d.as_ref(), cost);
                        }
                    }
                    if done_tx.send(Done { lines, rows, items, then }).is_err() {
                        return;
                    }
                }
            });
        }
        s.spawn(move || read_all(a, config, map, &to_workers));
        for turn in (0..threads).cycle() {
            let Ok(Done { mut lines, rows, items, then }) = from_workers[turn].recv() else { break };
            for (it, mut rt) in items.iter().zip(rows) {
                if let Some(d) = it.day {
                    quota.set_day(d);
                }
                let d = resolve(config, engine, chain, it, &mut rt, &quota);
                if let Some(d) = &d {
                    quota.count(d.model);
                }
                let cost = d.as_ref().map(|d| cost_of(config, it, d, &mut rt.input_tokens));
                format_row(&mut lines, a.format, config, it, d.as_ref(), cost);
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
        Ok(())
    });
    pb.finish_and_clear();
    done?;
    Ok(bad)
}

/// Reads every file in chunks and sends them to the router.
fn read_all(a: &BatchArgs, config: &Config, map: &[(String, ModelId)], workers: &[std::sync::mpsc::SyncSender<Chunk>]) {
    let mut turn = 0;
    // Deals a chunk to the next worker; false once the writer has stopped.
    let mut send = |items: Vec<Item>, then: Option<Stop>| {
        let ok = workers[turn].send(Chunk { items, then }).is_ok();
        turn = (turn + 1) % workers.len();
        ok
    };
    let mut row_no: u64 = 0;
    for path in &a.files {
        let mut r = match data::open(path, a.input_format) {
            Ok(r) => r,
            Err(e) => {
                send(Vec::new(), Some(Stop::Fatal(e)));
                return;
            }
        };
        let mut first = Some(r.advance());
        let pick_col =
            |r: &data::Reader, explicit: &Option<String>, defaults: &[&str]| -> Result<Option<data::Column>> {
                if let Some(c) = explicit {
                    return r.column(c).map(Some);
                }
                let found = defaults.iter().find(|c| if r.is_csv() { r.has_column(c) } else { r.json(c).is_some() });
                found.map(|c| r.column(c)).transpose()
            };
        let cols = (|| -> Result<_> {
            let text = pick_col(&r, &a.text_col, &["prompt", "question", "query", "text", "input"])?
                .ok_or_else(|| Error::Usage(format!("{}: no prompt column; name it with --text-col", r.name)))?;
            let id = pick_col(&r, &a.id_col, &["sample_id", "id", "request_id"])?;
            let ts = if a.quotas { pick_col(&r, &a.timestamp_col, &["timestamp"])? } else { None };
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
                costs.push(pick_col(&r, &None, &cols)?);
            }
            if costs.iter().all(Option::is_none) {
                costs.clear();
            }
            let in_tokens = pick_col(&r, &None, &[a.input_tokens_col.as_str()])?;
            let out_tokens = pick_col(&r, &None, &[a.output_tokens_col.as_str()])?;
            Ok(Columns { text, id, ts, costs, in_tokens, out_tokens })
        })();
        let cols = match cols {
            Ok(c) => c,
            Err(e) => {
                send(Vec::new(), Some(Stop::Fatal(e)));
                return;
            }
        };
        let mut items: Vec<Item> = Vec::with_capacity(CHUNK);
        loop {
            let adv = first.take().unwrap_or_else(|| r.advance());
            let row = match adv {
                Ok(false) => break,
                Ok(true) => {
                    row_no += 1;
                    read_item(&r, &cols, config, row_no)
                }
                Err(e) => Err(e),
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

/// Stages up to the first decision, and the prompt's token count.
fn route_row(engine: &Engine, chain: &crate::router::Chain, it: &Item) -> Routed {
    let an = engine.analyze(&it.text, None);
    let mut verdicts = Vec::new();
    for st in chain.stages() {
        match st.route(&an) {
            Verdict::Decide(d) => {
                verdicts.push(Some(d));
                break;
            }
            Verdict::Decline(_) => verdicts.push(None),
        }
    }
    Routed { verdicts, input_tokens: None }
}

/// The chain's quota semantics over a routed row; stages after the first decision run only when
/// its model is over quota.
fn resolve(
    config: &Config,
    engine: &Engine,
    chain: &crate::router::Chain,
    it: &Item,
    rt: &mut Routed,
    view: &dyn QuotaView,
) -> Option<Decision> {
    let stages = chain.stages();
    let picked = {
        let verdicts = &mut rt.verdicts;
        let mut analysis = None;
        pick(
            (0..stages.len()).map(|i| {
                if i >= verdicts.len() {
                    let an = analysis.get_or_insert_with(|| engine.analyze(&it.text, None));
                    verdicts.push(match stages[i].route(an) {
                        Verdict::Decide(d) => Some(d),
                        Verdict::Decline(_) => None,
                    });
                }
                verdicts[i].as_ref().map(|d| d.model)
            }),
            &config.chain.fallback,
            view,
        )
    };
    match picked {
        Pick::Stage(i) => rt.verdicts[i].take(),
        Pick::Fallback(m) => {
            let exhausted: Vec<ModelId> = rt.verdicts.iter().flatten().map(|d| d.model).collect();
            Some(chain.fallback_decision(m, &exhausted))
        }
        Pick::Exhausted => None,
    }
}

fn read_item(r: &data::Reader, cols: &Columns, config: &Config, row_no: u64) -> std::result::Result<Item, RowError> {
    let text_col = &cols.text;
    let raw = r.text(text_col)?.ok_or_else(|| r.row_error(format!("column `{}` is empty", text_col.name)))?;
    let text = pylit::prompt_text(&raw).into_owned();
    if text.trim().is_empty() {
        return Err(r.row_error(format!("column `{}` is empty", text_col.name)));
    }
    let id = match &cols.id {
        Some(c) => r.text(c)?.map(|v| v.into_owned()).unwrap_or_default(),
        None => row_no.to_string(),
    };
    let day = match &cols.ts {
        Some(c) => {
            let t = r.text(c)?.ok_or_else(|| r.row_error(format!("column `{}` is empty", c.name)))?;
            let secs = crate::replay::dataset::parse_time(&t)
                .ok_or_else(|| r.row_error(format!("column `{}`: `{t}` is not a timestamp", c.name)))?;
            Some(crate::quota::day_index(secs, &config.timezone))
        }
        None => None,
    };
    let mut costs = Vec::with_capacity(cols.costs.len());
    for c in &cols.costs {
        costs.push(match c {
            Some(c) => r.number(c)?.filter(|v| v.is_finite()),
            None => None,
        });
    }
    let tokens = |c: &Option<data::Column>| -> std::result::Result<Option<u64>, RowError> {
        Ok(match c {
            Some(c) => r.number(c)?.filter(|v| v.is_finite()).map(|v| v.max(0.0) as u64),
            None => None,
        })
    };
    Ok(Item { id, text, day, costs, in_tokens: tokens(&cols.in_tokens)?, out_tokens: tokens(&cols.out_tokens)? })
}

/// `--map data_name=catalog_name` pairs, the catalog model checked.
fn parse_map(config: &Config, map: &[String]) -> Result<Vec<(String, ModelId)>> {
    crate::commands::simulate::split_map(map)?
        .into_iter()
        .map(|(d, c)| match config.model_id(&c) {
            Some(id) => Ok((d, id)),
            None => Err(Error::Usage(format!("--map `{d}={c}`: `{c}` is not a catalog model"))),
        })
        .collect()
}

/// Appends one output line to `out`.
fn format_row(
    out: &mut Vec<u8>,
    format: StreamFormat,
    config: &Config,
    it: &Item,
    d: Option<&Decision>,
    cost: Option<(f64, CostSource)>,
) {
    let (model, method, reason) = match d {
        Some(d) => (config.models[d.model].name.as_str(), d.method.as_str(), d.reason.as_str()),
        None => ("", "", "all_quotas_exhausted"),
    };
    match format {
        StreamFormat::Csv => {
            for (i, field) in [it.id.as_str(), model, method, reason].into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                output::csv_field(out, field);
            }
            out.push(b',');
            if let Some((c, source)) = cost {
                let _ = write!(out, "{c:.10},{}", source.as_str());
            } else {
                out.push(b',');
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
                cost_usd: Option<f64>,
                cost_source: Option<&'a str>,
            }
            let line = Line {
                id: &it.id,
                model: d.map(|_| model),
                method: d.map(|_| method),
                reason,
                cost_usd: cost.map(|(c, _)| crate::output::round(c, 10)),
                cost_source: cost.map(|(_, s)| s.as_str()),
            };
            let _ = serde_json::to_writer(&mut *out, &line);
            out.push(b'\n');
        }
    }
}
