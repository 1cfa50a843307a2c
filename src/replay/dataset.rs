//! Loading replay data into columns: one row per request, per-model quality, cost and answer.
//!
//! Three shapes are read, all from CSV, JSON Lines or JSON arrays, several files at once:
//! - **wide outcomes** (RouterBench): a quality column per model, named by the `--quality`
//!   template (default `{model}`), with `{model}|total_cost` and `{model}|model_response`
//!   companions. Templates may be dotted JSON paths (`scores.{model}`). Models are discovered from
//!   the header (a `{model}` column counts when a companion column exists) or named with `--models`.
//! - **long outcomes** (`--long`): one row per (request, model), grouped by `--id-col`.
//! - **plain logs**: a prompt (and optional tokens, timestamp, label) without outcomes: every catalog
//!   model is a candidate, priced from token counts; quality comes only from a label.
//!
//! An empty quality cell means the model gave no usable answer: it scores 0 and is counted.

use std::collections::HashMap;

use crate::config::{Config, ModelId};
use crate::data::{self, Format, Reader, RowError, pylit};
use crate::error::{Error, Result};
use crate::ml::dataset::Texts;
use crate::output;
use crate::tokenizer::count_tokens;

/// How to read outcome columns.
#[derive(Debug, Clone)]
pub struct Spec {
    pub format: Option<Format>,
    pub text: Option<String>,
    pub quality: String,
    pub cost: String,
    pub response: String,
    pub models: Option<Vec<String>>,
    /// `(id column, model column)` for long outcomes.
    pub long: Option<(String, String)>,
    pub timestamp: Option<String>,
    pub by: Option<String>,
    pub label: String,
    pub input_tokens: String,
    pub output_tokens: String,
    /// `data name -> catalog name`.
    pub map: Vec<(String, String)>,
    pub skip_bad: bool,
}

#[derive(Debug, Clone)]
pub struct DataModel {
    pub name: String,
    /// The catalog model it is (`--map`, or the same name or `model_id`).
    pub catalog: Option<ModelId>,
    pub mean_cost: f64,
    pub mean_quality: f64,
}

/// The replay rows, column by column (`quality[row * models + m]`).
#[derive(Debug, Default)]
pub struct Dataset {
    pub models: Vec<DataModel>,
    pub texts: Texts,
    pub quality: Vec<f64>,
    /// Whether a quality cell was empty (scored 0).
    pub empty: Vec<bool>,
    pub cost: Vec<f64>,
    /// Normalised answer per (row, model), interned; `u32::MAX` when absent.
    pub answers: Option<Vec<u32>>,
    /// Seconds since the epoch.
    pub timestamps: Option<Vec<i64>>,
    pub segments: Option<(Vec<u32>, Vec<String>)>,
    /// Whether quality is known (outcome data, or labels in plain logs).
    pub quality_known: bool,
    pub plain: bool,
    pub empty_cells: usize,
    pub bad_rows: Vec<RowError>,
    /// Rows without a text (outcome data needs none for all-model strategies, routers need it).
    pub missing_text: usize,
}

impl Dataset {
    pub fn n(&self) -> usize {
        self.texts.len()
    }

    pub fn m(&self) -> usize {
        self.models.len()
    }

    pub fn q(&self, row: usize, m: usize) -> f64 {
        self.quality[row * self.models.len() + m]
    }

    pub fn c(&self, row: usize, m: usize) -> f64 {
        self.cost[row * self.models.len() + m]
    }
}

/// Value at a dotted JSON path, or a CSV column.
enum Field {
    Csv(data::Column),
    Json(Vec<String>),
}

fn field(r: &Reader, name: &str) -> Option<Field> {
    if r.is_csv() {
        r.has_column(name).then(|| r.column(name).ok()).flatten().map(Field::Csv)
    } else {
        Some(Field::Json(name.split('.').map(str::to_string).collect()))
    }
}

fn json_at<'a>(r: &'a Reader, path: &[String]) -> Option<&'a serde_json::Value> {
    let mut v = r.json(&path[0])?;
    for k in &path[1..] {
        v = v.get(k)?;
    }
    Some(v)
}

fn text_of(r: &Reader, f: &Field) -> std::result::Result<Option<String>, RowError> {
    match f {
        Field::Csv(c) => Ok(r.text(c)?.map(|t| t.into_owned())),
        Field::Json(p) => Ok(match json_at(r, p) {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Array(a)) => Some(
                a.iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            Some(v) => Some(v.to_string()),
        }),
    }
}

fn number_of(r: &Reader, f: &Field, what: &str) -> std::result::Result<Option<f64>, RowError> {
    match f {
        Field::Csv(c) => r.number(c),
        Field::Json(p) => match json_at(r, p) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::Number(n)) => Ok(n.as_f64()),
            Some(serde_json::Value::Bool(b)) => Ok(Some(if *b { 1.0 } else { 0.0 })),
            Some(serde_json::Value::String(s)) => data::parse_number(s.as_bytes())
                .map_err(|_| r.row_error(format!("{what} `{}`: `{s}` is not a number", p.join(".")))),
            Some(v) => Err(r.row_error(format!("{what} `{}`: `{v}` is not a number", p.join(".")))),
        },
    }
}

fn fill(template: &str, model: &str) -> String {
    template.replace("{model}", model)
}

/// Models named by the quality template in the header (or JSON keys).
fn discover(r: &Reader, spec: &Spec) -> Vec<String> {
    let t = &spec.quality;
    let Some((pre, post)) = t.split_once("{model}") else { return Vec::new() };
    if !r.is_csv() && pre.ends_with('.') {
        // `scores.{model}`: the keys of that object in the first row.
        let path: Vec<String> = pre.trim_end_matches('.').split('.').map(str::to_string).collect();
        return match json_at(r, &path) {
            Some(serde_json::Value::Object(o)) => o.keys().cloned().collect(),
            _ => Vec::new(),
        };
    }
    let headers = r.headers();
    headers
        .iter()
        .filter_map(|h| h.strip_prefix(pre).and_then(|x| x.strip_suffix(post)).filter(|m| !m.is_empty()))
        .filter(|m| {
            let bare = pre.is_empty() && post.is_empty();
            !bare
                || headers.iter().any(|h| *h == fill(&spec.cost, m))
                || headers.iter().any(|h| *h == fill(&spec.response, m))
        })
        .map(str::to_string)
        .collect()
}

/// Price source for a model without a cost column.
#[derive(Debug, Clone, Copy)]
struct Price {
    input: f64,
    output: f64,
    expected_output: u64,
}

/// Normalises an answer for consensus votes: trimmed, case-folded, spaces collapsed; a
/// multiple-choice answer becomes its letter.
pub fn normalize_answer(s: &str) -> String {
    let text = pylit::prompt_text(s);
    let t: String = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let t = t.trim_matches(|c: char| c == '.' || c == '"' || c == '\'' || c.is_whitespace());
    // "(b)", "b)", "b.", "answer: b", "the answer is (b)"
    let tail = t.rsplit_once("answer is").map_or(t, |(_, r)| r);
    let tail = tail.rsplit_once("answer:").map_or(tail, |(_, r)| r).trim();
    let letters: Vec<char> = tail.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if letters.len() == 1 && letters[0].is_ascii_lowercase() && letters[0] <= 'j' {
        return letters[0].to_string();
    }
    t.to_string()
}

#[derive(Default, Clone)]
struct Row {
    text: Option<String>,
    quality: Vec<Option<f64>>,
    cost: Vec<Option<f64>>,
    response: Vec<Option<String>>,
    in_tokens: Vec<Option<f64>>,
    out_tokens: Vec<Option<f64>>,
    timestamp: Option<i64>,
    segment: Option<String>,
    label: Option<String>,
}

impl Row {
    fn clear(&mut self) {
        self.text = None;
        self.quality.clear();
        self.cost.clear();
        self.response.clear();
        self.in_tokens.clear();
        self.out_tokens.clear();
        self.timestamp = None;
        self.segment = None;
        self.label = None;
    }

    /// Pads the per-model columns to `m` entries.
    fn pad(&mut self, m: usize) {
        self.quality.resize(m, None);
        self.cost.resize(m, None);
        self.response.resize(m, None);
        self.in_tokens.resize(m, None);
        self.out_tokens.resize(m, None);
    }
}

/// Turns rows into the dataset's columns as they arrive.
struct Builder<'a> {
    ds: Dataset,
    config: &'a Config,
    spec: &'a Spec,
    table: &'a crate::prices::PriceTable,
    prices: Vec<Option<Price>>,
    answers: Vec<u32>,
    answer_ids: HashMap<String, u32>,
    any_answer: bool,
    seg_ids: HashMap<String, u32>,
    segs: Vec<u32>,
    seg_names: Vec<String>,
    ts: Vec<Option<i64>>,
    any_label: bool,
}

impl<'a> Builder<'a> {
    /// Fixes the candidate models: the data's, or (plain logs) the whole catalog.
    fn init(&mut self, names: Vec<String>) {
        let config = self.config;
        self.ds.plain = names.is_empty();
        let names: Vec<String> = if self.ds.plain {
            config.models_by_cost().iter().map(|&i| config.models[i].name.clone()).collect()
        } else {
            names
        };
        let spec = self.spec;
        let catalog_of = |name: &str| -> Option<ModelId> {
            if let Some((_, c)) = spec.map.iter().find(|(d, _)| d == name) {
                return config.model_id(c);
            }
            config.model_id(name).or_else(|| config.models.iter().position(|m| m.model_id.as_deref() == Some(name)))
        };
        self.ds.models = names
            .iter()
            .map(|n| DataModel { name: n.clone(), catalog: catalog_of(n), mean_cost: 0.0, mean_quality: 0.0 })
            .collect();
        self.prices = self
            .ds
            .models
            .iter()
            .map(|dm| match dm.catalog {
                Some(c) => {
                    let cm = &config.models[c];
                    Some(Price {
                        input: cm.input_price,
                        output: cm.output_price,
                        expected_output: u64::from(cm.expected_output_tokens),
                    })
                }
                None => self.table.get(&dm.name).map(|(i, o)| Price {
                    input: i,
                    output: o,
                    expected_output: u64::from(config.output_tokens),
                }),
            })
            .collect();
    }

    fn push(&mut self, row: &Row) -> Result<()> {
        let config = self.config;
        let m = self.ds.models.len();
        let text = row.text.as_deref().unwrap_or("");
        if text.trim().is_empty() {
            self.ds.missing_text += 1;
        }
        let mut in_cache: Option<u64> = None;
        let label_needed = row.label.as_deref().and_then(|l| config.ml.model_for_label(config, l));
        self.any_label |= row.label.is_some();
        let first = |v: &Vec<Option<f64>>| v.first().copied().flatten();
        for k in 0..m {
            let plain = self.ds.plain;
            let (q, c, resp) = if plain {
                (None, None, None)
            } else {
                (
                    row.quality.get(k).copied().flatten(),
                    row.cost.get(k).copied().flatten(),
                    row.response.get(k).and_then(Option::as_deref),
                )
            };
            let it = if plain {
                first(&row.in_tokens)
            } else {
                row.in_tokens.get(k).copied().flatten().or(first(&row.in_tokens))
            };
            let ot = if plain {
                first(&row.out_tokens)
            } else {
                row.out_tokens.get(k).copied().flatten().or(first(&row.out_tokens))
            };
            let quality = if plain {
                match label_needed {
                    Some(needed) => {
                        let have = self.ds.models[k].catalog.map_or(i64::MIN, |c| config.models[c].tier_rank);
                        if have >= config.models[needed].tier_rank { 1.0 } else { 0.0 }
                    }
                    None => f64::NAN,
                }
            } else {
                q.unwrap_or_else(|| {
                    self.ds.empty_cells += 1;
                    0.0
                })
            };
            self.ds.empty.push(!plain && q.is_none());
            let cost = match c {
                Some(c) => c,
                None => {
                    let p = self.prices[k].ok_or_else(|| {
                        let name = &self.ds.models[k].name;
                        Error::Usage(format!(
                            "model `{name}` has no cost column and no price: map it to a catalog model with \
                             `--map {name}=<catalog model>`, or pass a price table with `--prices`"
                        ))
                    })?;
                    let input = it
                        .map(|v| v.max(0.0) as u64)
                        .unwrap_or_else(|| *in_cache.get_or_insert_with(|| count_tokens(text) as u64 + 7));
                    let output = ot
                        .map(|v| v.max(0.0) as u64)
                        .or_else(|| resp.map(|r| count_tokens(&pylit::prompt_text(r)) as u64))
                        .unwrap_or(p.expected_output);
                    (input as f64 * p.input + output as f64 * p.output) / 1e6
                }
            };
            self.ds.quality.push(quality);
            self.ds.cost.push(cost);
            let a = match resp {
                Some(r) if !r.trim().is_empty() => {
                    self.any_answer = true;
                    let norm = normalize_answer(r);
                    let next = self.answer_ids.len() as u32;
                    *self.answer_ids.entry(norm).or_insert(next)
                }
                _ => u32::MAX,
            };
            self.answers.push(a);
        }
        if let Some(s) = &row.segment {
            let next = self.seg_ids.len() as u32;
            let names = &mut self.seg_names;
            let id = *self.seg_ids.entry(s.clone()).or_insert_with(|| {
                names.push(s.clone());
                next
            });
            self.segs.push(id);
        }
        self.ts.push(row.timestamp);
        self.ds.texts.push(text);
        Ok(())
    }

    fn finish(mut self) -> Result<Dataset> {
        let mut ds = std::mem::take(&mut self.ds);
        if ds.n() == 0 {
            return Err(Error::Usage("no usable rows".to_string()));
        }
        ds.quality_known = !ds.plain || self.any_label;
        if self.any_answer {
            ds.answers = Some(self.answers);
        }
        if self.spec.by.is_some() {
            ds.segments = Some((self.segs, self.seg_names));
        }
        if self.ts.iter().all(Option::is_some) {
            ds.timestamps = Some(self.ts.into_iter().flatten().collect());
        } else if self.spec.timestamp.is_some() {
            return Err(Error::Usage(
                "some rows have no timestamp; fill them or leave out --timestamp-col".to_string(),
            ));
        }
        let n = ds.n() as f64;
        for k in 0..ds.m() {
            ds.models[k].mean_cost = (0..ds.n()).map(|r| ds.c(r, k)).sum::<f64>() / n;
            ds.models[k].mean_quality = (0..ds.n()).map(|r| ds.q(r, k)).sum::<f64>() / n;
        }
        Ok(ds)
    }
}

/// Reads every file into one dataset.
pub fn load(paths: &[String], spec: &Spec, config: &Config, prices: &crate::prices::PriceTable) -> Result<Dataset> {
    let mut b = Builder {
        ds: Dataset::default(),
        config,
        spec,
        table: prices,
        prices: Vec::new(),
        answers: Vec::new(),
        answer_ids: HashMap::new(),
        any_answer: false,
        seg_ids: HashMap::new(),
        segs: Vec::new(),
        seg_names: Vec::new(),
        ts: Vec::new(),
        any_label: false,
    };
    let mut model_names: Option<Vec<String>> = None;
    // Long format: rows grouped by id, pushed at the end.
    let mut long_rows: Vec<Row> = Vec::new();
    let mut long_names: Vec<String> = Vec::new();
    let mut rows_by_id: HashMap<String, usize> = HashMap::new();
    let mut bad_rows: Vec<RowError> = Vec::new();
    let mut row = Row::default();
    for path in paths {
        let mut r = data::open(path, spec.format)?;
        // JSON inputs reveal their keys with the first row.
        let mut first = Some(r.advance());
        let names = match (&spec.models, &spec.long) {
            (Some(m), _) => m.clone(),
            (None, Some(_)) => Vec::new(),
            (None, None) => discover(&r, spec),
        };
        match &model_names {
            None => {
                model_names = Some(names.clone());
                if spec.long.is_none() {
                    b.init(names.clone());
                }
            }
            Some(prev) if spec.long.is_none() && *prev != names => {
                return Err(Error::Usage(format!(
                    "{}: models differ from the first file's ({} vs {})",
                    r.name,
                    names.join(", "),
                    prev.join(", ")
                )));
            }
            Some(_) => {}
        }
        let text_name = match &spec.text {
            Some(t) => t.clone(),
            None => ["prompt", "question", "query", "text", "input"]
                .iter()
                .find(|c| r.is_csv() && r.has_column(c) || !r.is_csv() && r.json(c).is_some())
                .map(|c| c.to_string())
                .unwrap_or_else(|| "prompt".to_string()),
        };
        if r.is_csv() && spec.text.is_some() {
            r.column(&text_name)?;
        }
        let text_f = field(&r, &text_name);
        let ts_name = spec.timestamp.clone().unwrap_or_else(|| "timestamp".to_string());
        if let Some(t) = &spec.timestamp
            && r.is_csv()
        {
            r.column(t)?;
        }
        let ts_f = field(&r, &ts_name);
        let by_f = match &spec.by {
            Some(by) => {
                if r.is_csv() {
                    r.column(by)?;
                }
                field(&r, by)
            }
            None => None,
        };
        let label_f = field(&r, &spec.label);
        let in_f = field(&r, &spec.input_tokens);
        let out_f = field(&r, &spec.output_tokens);
        let long = spec.long.as_ref().map(|(id, model)| (field(&r, id), field(&r, model)));
        let names = model_names.clone().unwrap_or_default();
        let per_model =
            |tmpl: &str| -> Vec<Option<Field>> { names.iter().map(|m| field(&r, &fill(tmpl, m))).collect() };
        let (q_f, c_f, resp_f) = if long.is_some() {
            (vec![field(&r, &spec.quality)], vec![field(&r, &spec.cost)], vec![field(&r, &spec.response)])
        } else {
            (per_model(&spec.quality), per_model(&spec.cost), per_model(&spec.response))
        };
        if r.is_csv() && long.is_none() {
            for (m, f) in names.iter().zip(&q_f) {
                if f.is_none() {
                    return Err(Error::Usage(format!(
                        "{}: no quality column `{}` for model `{m}`",
                        r.name,
                        fill(&spec.quality, m)
                    )));
                }
            }
        }
        loop {
            match first.take().unwrap_or_else(|| r.advance()) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) if spec.skip_bad => {
                    output::warn(&format!("skipped {e}"));
                    bad_rows.push(e);
                    continue;
                }
                Err(e) => return Err(Error::Usage(format!("{e} (use --skip-bad to skip bad rows)"))),
            }
            row.clear();
            let read = (|row: &mut Row| -> std::result::Result<Option<(String, String)>, RowError> {
                let opt_text = |f: &Option<Field>| -> std::result::Result<Option<String>, RowError> {
                    match f {
                        Some(f) => text_of(&r, f),
                        None => Ok(None),
                    }
                };
                let opt_num = |f: &Option<Field>, what: &str| -> std::result::Result<Option<f64>, RowError> {
                    match f {
                        Some(f) => number_of(&r, f, what),
                        None => Ok(None),
                    }
                };
                row.text = opt_text(&text_f)?.map(|t| pylit::prompt_text(&t).into_owned());
                row.timestamp = match opt_text(&ts_f)? {
                    Some(t) if !t.trim().is_empty() => Some(parse_time(&t).ok_or_else(|| {
                        r.row_error(format!(
                            "column `{ts_name}`: `{t}` is not a timestamp (RFC 3339, `YYYY-MM-DD HH:MM:SS` or Unix seconds)"
                        ))
                    })?),
                    _ => None,
                };
                if by_f.is_some() {
                    row.segment = Some(opt_text(&by_f)?.unwrap_or_default());
                }
                row.label = opt_text(&label_f)?.filter(|l| !l.trim().is_empty());
                for k in 0..q_f.len() {
                    row.quality.push(opt_num(&q_f[k], "quality")?);
                    row.cost.push(opt_num(&c_f[k], "cost")?);
                    row.response.push(opt_text(&resp_f[k])?);
                }
                row.in_tokens.push(opt_num(&in_f, "input tokens")?);
                row.out_tokens.push(opt_num(&out_f, "output tokens")?);
                match &long {
                    Some((Some(id), Some(model))) => {
                        let id = text_of(&r, id)?.ok_or_else(|| r.row_error("the id is empty"))?;
                        let model = text_of(&r, model)?.ok_or_else(|| r.row_error("the model is empty"))?;
                        Ok(Some((id, model)))
                    }
                    Some(_) => Err(r.row_error("--long needs the id and model columns")),
                    None => Ok(None),
                }
            })(&mut row);
            match read {
                Ok(None) => b.push(&row)?,
                Ok(Some((id, model))) => {
                    let mi = match long_names.iter().position(|n| *n == model) {
                        Some(i) => i,
                        None => {
                            long_names.push(model);
                            long_names.len() - 1
                        }
                    };
                    let at = *rows_by_id.entry(id).or_insert_with(|| {
                        let mut fresh = row.clone();
                        fresh.quality.clear();
                        fresh.cost.clear();
                        fresh.response.clear();
                        fresh.in_tokens.clear();
                        fresh.out_tokens.clear();
                        long_rows.push(fresh);
                        long_rows.len() - 1
                    });
                    let p = &mut long_rows[at];
                    p.pad(mi + 1);
                    p.quality[mi] = row.quality[0];
                    p.cost[mi] = row.cost[0];
                    p.response[mi] = row.response[0].take();
                    p.in_tokens[mi] = row.in_tokens[0];
                    p.out_tokens[mi] = row.out_tokens[0];
                    if p.text.is_none() {
                        p.text = row.text.take();
                    }
                }
                Err(e) if spec.skip_bad => {
                    output::warn(&format!("skipped {e}"));
                    bad_rows.push(e);
                }
                Err(e) => return Err(Error::Usage(format!("{e} (use --skip-bad to skip bad rows)"))),
            }
        }
    }
    if spec.long.is_some() {
        b.init(long_names.clone());
        for mut p in long_rows {
            p.pad(long_names.len());
            b.push(&p)?;
        }
    }
    let mut ds = b.finish().map_err(|e| match e {
        Error::Usage(m) if m == "no usable rows" => Error::Usage(format!("{}: no usable rows", paths.join(", "))),
        other => other,
    })?;
    ds.bad_rows = bad_rows;
    Ok(ds)
}

/// RFC 3339, `YYYY-MM-DD HH:MM:SS[.fff]` (UTC), a date, or Unix seconds.
pub fn parse_time(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Some(ts.as_second());
    }
    if let Ok(dt) = t.parse::<jiff::civil::DateTime>() {
        return dt.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp().as_second());
    }
    if let Ok(d) = t.parse::<jiff::civil::Date>() {
        return d.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp().as_second());
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite()).map(|v| v as i64)
}
