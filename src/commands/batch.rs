//! `llmroute batch`: route every row of a log and stream one decision per row.
//!
//! Rows are read in chunks, routed on worker threads and written in input order, so memory stays
//! flat however long the log is, and an interrupted run keeps every finished chunk. With
//! `--quotas`, daily quotas are applied in memory over the rows' timestamps.

use std::io::Write;

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
}

/// A routed row: every stage's verdict until the first decision (later stages run on demand).
struct Routed {
    verdicts: Vec<Option<Decision>>,
    input_tokens: u64,
}

pub fn run(ctx: &Context, a: &BatchArgs) -> Result<()> {
    let config = ctx.config()?;
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
    let result = stream(&config, &engine, &chain, a, threads, &mut out);
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

/// A chunk of rows read by the reader thread, or what stopped it.
enum Msg {
    Rows(Vec<Item>),
    Bad(RowError),
    Fatal(Error),
}

fn stream(
    config: &Config,
    engine: &Engine,
    chain: &crate::router::Chain,
    a: &BatchArgs,
    threads: usize,
    out: &mut dyn Write,
) -> Result<usize> {
    let mut bad = 0usize;
    let mut quota = DayQuota::new(config);
    out.write_all(match a.format {
        StreamFormat::Csv => b"id,model,method,reason,estimated_cost_usd\n".as_slice(),
        StreamFormat::Jsonl => b"".as_slice(),
    })
    .map_err(Error::from_stdout)?;
    std::thread::scope(|s| -> Result<()> {
        // The reader runs ahead on its own thread, a couple of chunks at most.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Msg>(2);
        s.spawn(move || read_all(a, config, &tx));
        for msg in rx {
            let items = match msg {
                Msg::Rows(items) => items,
                Msg::Bad(e) => {
                    output::warn(&format!("skipped {e}"));
                    bad += 1;
                    continue;
                }
                Msg::Fatal(e) => return Err(e),
            };
            // Route (and, without quotas, format) in parallel.
            let per = items.len().div_ceil(threads).max(1);
            let routed: Vec<(Routed, Option<Vec<u8>>)> = std::thread::scope(|w| {
                let handles: Vec<_> = items
                    .chunks(per)
                    .map(|part| {
                        w.spawn(move || {
                            part.iter()
                                .map(|it| {
                                    let mut rt = route_row(engine, chain, it);
                                    let line = (!a.quotas).then(|| {
                                        let d = resolve(
                                            config,
                                            engine,
                                            chain,
                                            it,
                                            &mut rt,
                                            &crate::router::chain::Unlimited,
                                        );
                                        format_row(a.format, config, it, d.as_ref(), rt.input_tokens)
                                    });
                                    (rt, line)
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
            });
            for (it, (mut rt, line)) in items.iter().zip(routed) {
                let line = match line {
                    Some(l) => l,
                    None => {
                        if let Some(d) = it.day {
                            quota.set_day(d);
                        }
                        let d = resolve(config, engine, chain, it, &mut rt, &quota);
                        if let Some(d) = &d {
                            quota.count(d.model);
                        }
                        format_row(a.format, config, it, d.as_ref(), rt.input_tokens)
                    }
                };
                out.write_all(&line).map_err(Error::from_stdout)?;
            }
            out.flush().map_err(Error::from_stdout)?;
        }
        Ok(())
    })?;
    Ok(bad)
}

/// Reads every file in chunks and sends them to the router.
fn read_all(a: &BatchArgs, config: &Config, tx: &std::sync::mpsc::SyncSender<Msg>) {
    let mut row_no: u64 = 0;
    for path in &a.files {
        let mut r = match data::open(path, a.input_format) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.send(Msg::Fatal(e));
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
            Ok((text, id, ts))
        })();
        let (text_col, id_col, ts_col) = match cols {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.send(Msg::Fatal(e));
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
                    read_item(&r, &text_col, id_col.as_ref(), ts_col.as_ref(), config, row_no)
                }
                Err(e) => Err(e),
            };
            match row {
                Ok(it) => {
                    items.push(it);
                    if items.len() == CHUNK
                        && tx.send(Msg::Rows(std::mem::replace(&mut items, Vec::with_capacity(CHUNK)))).is_err()
                    {
                        return;
                    }
                }
                Err(e) if a.skip_bad => {
                    // Keep the order of warnings and rows: flush what was read before.
                    if !items.is_empty() && tx.send(Msg::Rows(std::mem::take(&mut items))).is_err() {
                        return;
                    }
                    if tx.send(Msg::Bad(e)).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Msg::Rows(std::mem::take(&mut items)));
                    let _ = tx.send(Msg::Fatal(Error::Usage(format!("{e} (use --skip-bad to skip bad rows)"))));
                    return;
                }
            }
        }
        if !items.is_empty() && tx.send(Msg::Rows(items)).is_err() {
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
    Routed { verdicts, input_tokens: count_tokens(&it.text) as u64 + 7 }
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

fn read_item(
    r: &data::Reader,
    text_col: &data::Column,
    id_col: Option<&data::Column>,
    ts_col: Option<&data::Column>,
    config: &Config,
    row_no: u64,
) -> std::result::Result<Item, RowError> {
    let raw = r.text(text_col)?.ok_or_else(|| r.row_error(format!("column `{}` is empty", text_col.name)))?;
    let text = pylit::prompt_text(&raw).into_owned();
    if text.trim().is_empty() {
        return Err(r.row_error(format!("column `{}` is empty", text_col.name)));
    }
    let id = match id_col {
        Some(c) => r.text(c)?.map(|v| v.into_owned()).unwrap_or_default(),
        None => row_no.to_string(),
    };
    let day = match ts_col {
        Some(c) => {
            let t = r.text(c)?.ok_or_else(|| r.row_error(format!("column `{}` is empty", c.name)))?;
            let secs = crate::replay::dataset::parse_time(&t)
                .ok_or_else(|| r.row_error(format!("column `{}`: `{t}` is not a timestamp", c.name)))?;
            Some(crate::quota::day_index(secs, &config.timezone))
        }
        None => None,
    };
    Ok(Item { id, text, day })
}

/// One output line.
fn format_row(format: StreamFormat, config: &Config, it: &Item, d: Option<&Decision>, input_tokens: u64) -> Vec<u8> {
    let (model, method, reason, cost) = match d {
        Some(d) => {
            let m = &config.models[d.model];
            let out_tokens = crate::commands::route::expected_output_tokens(config, d);
            (m.name.as_str(), d.method.as_str(), d.reason.as_str(), Some(m.cost(input_tokens, out_tokens)))
        }
        None => ("", "", "all_quotas_exhausted", None),
    };
    match format {
        StreamFormat::Csv => {
            let cost = cost.map_or(String::new(), |c| format!("{c:.10}"));
            let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::with_capacity(96));
            let _ = w.write_record([it.id.as_str(), model, method, reason, cost.as_str()]);
            w.into_inner().unwrap_or_default()
        }
        StreamFormat::Jsonl => {
            #[derive(serde::Serialize)]
            struct Line<'a> {
                id: &'a str,
                model: Option<&'a str>,
                method: Option<&'a str>,
                reason: &'a str,
                estimated_cost_usd: Option<f64>,
            }
            let line = Line {
                id: &it.id,
                model: d.map(|_| model),
                method: d.map(|_| method),
                reason,
                estimated_cost_usd: cost.map(|c| crate::output::round(c, 10)),
            };
            let mut buf = serde_json::to_vec(&line).unwrap_or_default();
            buf.push(b'\n');
            buf
        }
    }
}
