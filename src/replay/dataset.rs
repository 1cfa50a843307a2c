//! Loading replay data into columns: one row per request, per-model quality, cost and answer.
//!
//! Three shapes are read, all from CSV, JSON Lines or JSON arrays, several files at once:
//! - **wide outcomes** (RouterBench): a quality column per model, named by the `--quality`
//!   template (default `{model}`), with `{model}|total_cost` and `{model}|model_response`
//!   companions. In JSON a template may walk into objects (`scores.{model}`); a key spelled with
//!   its dots (`llama-3.1-8b`) is found before any split at a dot. Models are discovered from the
//!   header (a `{model}` column counts when a companion column exists) or named with `--models`.
//! - **long outcomes** (`--long`): one row per (request, model), grouped by `--id-col`.
//! - **plain logs**: a prompt (and optional tokens, timestamp, label) without outcomes: every catalog
//!   model is a candidate, priced from token counts; quality comes only from a label.
//!
//! Every value is checked: a quality outside [0, `--quality-scale`], a negative cost or token
//! count, or a timestamp outside years -9999..=9999 makes the row bad (`file:line`). An empty
//! quality cell means the model gave no usable answer: it scores 0 and is counted.
//!
//! Costs are kept as the log gives them (recorded USD, logged or counted tokens) and priced per
//! decision by [`crate::cost::resolve`], so a replayed decision costs what `route` estimates and
//! `batch` reports for the same row.

use std::collections::HashMap;

use crate::config::{Config, ModelId};
use crate::cost::{self, Cost, Price};
use crate::data::{self, Format, Reader, RowError, pylit};
use crate::error::{Error, Result, num};
use crate::ml::dataset::Texts;
use crate::tokenizer::{count_tokens, prompt_input_tokens};

/// How to read outcome columns.
#[derive(Debug, Clone)]
pub struct Spec {
    pub format: Option<Format>,
    pub text: Option<String>,
    /// Row id column (`--long`: the grouping key) [default: sample_id, id or request_id].
    pub id: Option<String>,
    pub quality: String,
    /// Qualities are divided by this (and must lie in [0, scale]).
    pub quality_scale: f64,
    pub cost: String,
    pub response: String,
    pub models: Option<Vec<String>>,
    /// The model column of long outcomes (`--long`).
    pub long: Option<String>,
    pub timestamp: Option<String>,
    pub by: Option<String>,
    /// The column whose value is each row's task tag (`route --tag`; an outcome model's
    /// categorical feature).
    pub tag: Option<String>,
    /// Whether a CSV without the `tag` column is an error (else its rows have no tag).
    pub tag_required: bool,
    pub label: String,
    pub input_tokens: String,
    /// The column of input tokens read from the prompt cache (priced at `cached_input_price`).
    pub cached_tokens: String,
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
    /// List prices for cells without a recorded cost.
    pub price: Option<Price>,
    /// Mean cost per request (expected output uncapped).
    pub mean_cost: f64,
    pub mean_quality: f64,
}

/// No logged or counted value.
const NONE_U64: u64 = u64::MAX;
const NONE_U32: u32 = u32::MAX;

/// The replay rows, column by column (`quality[row * models + m]`).
#[derive(Debug, Default)]
pub struct Dataset {
    pub models: Vec<DataModel>,
    pub texts: Texts,
    /// Row ids: the id column, else the row's number (1-based, over every file).
    pub ids: Texts,
    /// Quality in [0, 1]; NaN when unknown (plain logs without labels).
    pub quality: Vec<f64>,
    /// Whether a quality cell was empty (scored 0).
    pub empty: Vec<bool>,
    /// Recorded cost per (row, model); NaN when none.
    recorded: Vec<f64>,
    /// Logged (or counted from the response) output tokens per (row, model).
    out_tokens: Vec<u32>,
    /// Input tokens per row: logged, or counted from the prompt.
    in_tokens: Vec<u64>,
    /// Whether a row's input tokens were logged (else counted).
    in_logged: Vec<bool>,
    /// Logged input tokens read from the provider's prompt cache per row (0: none).
    cached: Vec<u64>,
    /// Normalised answer per (row, model), interned; `u32::MAX` when absent.
    pub answers: Option<Vec<u32>>,
    /// Seconds since the epoch.
    pub timestamps: Option<Vec<i64>>,
    pub segments: Option<(Vec<u32>, Vec<String>)>,
    /// Each row's task tag (empty when the row has none), when `Spec::tag` names a column.
    pub tags: Option<Texts>,
    /// Whether quality is known (outcome data, or labels in plain logs).
    pub quality_known: bool,
    pub plain: bool,
    pub empty_cells: usize,
    pub bad_rows: Vec<RowError>,
}

impl Dataset {
    pub fn n(&self) -> usize {
        self.texts.len()
    }

    pub fn m(&self) -> usize {
        self.models.len()
    }

    /// The row's task tag, when it has one.
    pub fn tag(&self, row: usize) -> Option<&str> {
        self.tags.as_ref().map(|t| t.get(row)).filter(|t| !t.is_empty())
    }

    pub fn q(&self, row: usize, m: usize) -> f64 {
        self.quality[row * self.models.len() + m]
    }

    /// The row's input tokens when logged or counted at load (`None`: not needed for costs).
    pub fn input_tokens(&self, row: usize) -> Option<u64> {
        Some(self.in_tokens[row]).filter(|&t| t != NONE_U64)
    }

    /// What data model `m` cost on `row` for a decision whose `max_tokens` is given: the
    /// recorded cost, else the row's tokens at the model's prices.
    pub fn cost(&self, row: usize, m: usize, max_tokens: Option<u32>) -> Cost {
        let i = row * self.models.len() + m;
        let out = self.out_tokens[i];
        let tokens = self.in_tokens[row];
        let known = cost::Known {
            recorded: Some(self.recorded[i]).filter(|c| !c.is_nan()),
            input_tokens: (self.in_logged[row] && tokens != NONE_U64).then_some(tokens),
            cached_tokens: Some(self.cached[row]).filter(|&c| c > 0),
            output_tokens: (out != NONE_U32).then_some(u64::from(out)),
        };
        // The loader refuses a model that needs a price and has none.
        let price =
            self.models[m].price.unwrap_or(Price { input: 0.0, output: 0.0, expected_output: 0, cached_input: 0.0 });
        cost::resolve(&known, &price, max_tokens, || if tokens == NONE_U64 { 0 } else { tokens })
    }

    /// The cost in USD with the expected output uncapped.
    pub fn c(&self, row: usize, m: usize) -> f64 {
        self.cost(row, m, None).usd
    }
}

/// A value of the current row: a CSV column or a JSON path.
enum Field {
    Csv(data::Column),
    Json(String),
}

fn field(r: &Reader, name: &str) -> Option<Field> {
    if r.is_csv() {
        r.has_column(name).then(|| r.column(name).ok()).flatten().map(Field::Csv)
    } else {
        Some(Field::Json(name.to_string()))
    }
}

fn text_of(r: &Reader, f: &Field) -> std::result::Result<Option<String>, RowError> {
    match f {
        Field::Csv(c) => Ok(r.text(c)?.map(|t| t.into_owned())),
        Field::Json(p) => Ok(match r.json_path(p) {
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
        Field::Json(p) => match r.json_path(p) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::Number(n)) => Ok(n.as_f64()),
            Some(serde_json::Value::Bool(b)) => Ok(Some(if *b { 1.0 } else { 0.0 })),
            Some(serde_json::Value::String(s)) => data::parse_number(s.as_bytes())
                .map_err(|_| r.row_error(format!("{what} `{p}`: `{s}` is not a number"))),
            Some(v) => Err(r.row_error(format!("{what} `{p}`: `{v}` is not a number"))),
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
        return match r.json_path(pre.trim_end_matches('.')) {
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

/// Every key path of a JSON object (for "nearest key" hints).
fn key_paths(v: &serde_json::Map<String, serde_json::Value>, prefix: &str, out: &mut Vec<String>) {
    for (k, inner) in v {
        let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        if let serde_json::Value::Object(o) = inner {
            key_paths(o, &p, out);
        }
        out.push(p);
    }
}

pub use crate::data::normalize_answer;

#[derive(Default, Clone)]
struct Row {
    id: String,
    text: String,
    quality: Vec<Option<f64>>,
    cost: Vec<Option<f64>>,
    response: Vec<Option<String>>,
    in_tokens: Vec<Option<u64>>,
    cached: Option<u64>,
    out_tokens: Vec<Option<u64>>,
    timestamp: Option<i64>,
    segment: Option<String>,
    tag: Option<String>,
    label: Option<String>,
}

impl Row {
    fn clear(&mut self) {
        self.text.clear();
        self.quality.clear();
        self.cost.clear();
        self.response.clear();
        self.in_tokens.clear();
        self.cached = None;
        self.out_tokens.clear();
        self.timestamp = None;
        self.segment = None;
        self.tag = None;
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
    fn init(&mut self, names: Vec<String>) -> Result<()> {
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
            config.model_for_data_name(name)
        };
        let table = self.table;
        self.ds.models = names
            .iter()
            .map(|n| {
                let catalog = catalog_of(n);
                let price = match catalog {
                    Some(c) => Some(config.models[c].price()),
                    None => table.get(n).map(|(input, output)| Price {
                        input,
                        output,
                        expected_output: config.output_tokens,
                        // A price table's cache price is not read: cached tokens at the input price.
                        cached_input: input,
                    }),
                };
                DataModel { name: n.clone(), catalog, price, mean_cost: 0.0, mean_quality: 0.0 }
            })
            .collect();
        // Two data models standing for one catalog model would make decisions ambiguous.
        for (i, a) in self.ds.models.iter().enumerate() {
            if let Some(b) = self.ds.models[..i].iter().find(|b| b.catalog.is_some() && b.catalog == a.catalog) {
                let c = a.catalog.map_or("", |c| config.models[c].name.as_str());
                return Err(Error::Usage(format!(
                    "data models `{}` and `{}` both stand for the catalog model `{c}`; map only one of them",
                    b.name, a.name
                )));
            }
        }
        Ok(())
    }

    fn push(&mut self, row: &Row) -> Result<()> {
        let config = self.config;
        let m = self.ds.models.len();
        let label_needed = row.label.as_deref().and_then(|l| config.ml.model_for_label(config, l));
        self.any_label |= row.label.is_some();
        let first = |v: &Vec<Option<u64>>| v.first().copied().flatten();
        let plain = self.ds.plain;
        let in_tokens = row.in_tokens.iter().flatten().next().copied();
        self.ds.in_tokens.push(in_tokens.unwrap_or(NONE_U64));
        self.ds.in_logged.push(in_tokens.is_some());
        self.ds.cached.push(row.cached.unwrap_or(0));
        for k in 0..m {
            let (q, c, resp) = if plain {
                (None, None, None)
            } else {
                (
                    row.quality.get(k).copied().flatten(),
                    row.cost.get(k).copied().flatten(),
                    row.response.get(k).and_then(Option::as_deref),
                )
            };
            let ot = if plain { first(&row.out_tokens) } else { row.out_tokens.get(k).copied().flatten() };
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
            if c.is_none() && self.ds.models[k].price.is_none() {
                let name = &self.ds.models[k].name;
                return Err(Error::Usage(format!(
                    "model `{name}` has no cost column and no price: map it to a catalog model with \
                     `--map {name}=<catalog model>`, or pass a price table with `--prices`"
                )));
            }
            let out = match (c, ot) {
                (_, Some(t)) => t.min(u64::from(NONE_U32 - 1)) as u32,
                // The answer's length stands for the output when the cost must be priced.
                (None, None) => resp.map_or(NONE_U32, |r| count_tokens(&pylit::prompt_text(r)).min(1 << 31) as u32),
                (Some(_), None) => NONE_U32,
            };
            self.ds.quality.push(quality);
            self.ds.recorded.push(c.unwrap_or(f64::NAN));
            self.ds.out_tokens.push(out);
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
        if self.spec.tag.is_some() {
            self.ds.tags.get_or_insert_with(Texts::default).push(row.tag.as_deref().unwrap_or(""));
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
        self.ds.texts.push(&row.text);
        self.ds.ids.push(&row.id);
        Ok(())
    }

    fn finish(mut self, paths: &[std::path::PathBuf], threads: usize) -> Result<Dataset> {
        let mut ds = std::mem::take(&mut self.ds);
        if ds.n() == 0 {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            return Err(Error::Usage(format!("{}: no usable rows", names.join(", "))));
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
        count_inputs(&mut ds, threads);
        let n = ds.n() as f64;
        for k in 0..ds.m() {
            ds.models[k].mean_cost = (0..ds.n()).map(|r| ds.c(r, k)).sum::<f64>() / n;
            ds.models[k].mean_quality = (0..ds.n()).map(|r| ds.q(r, k)).sum::<f64>() / n;
        }
        Ok(ds)
    }
}

/// Counts the prompt tokens of every row that lacks a logged count and has a cell priced from
/// tokens, on `threads` threads.
fn count_inputs(ds: &mut Dataset, threads: usize) {
    let m = ds.m();
    let n = ds.n();
    let needs: Vec<bool> = (0..n)
        .map(|r| ds.in_tokens[r] == NONE_U64 && ds.recorded[r * m..(r + 1) * m].iter().any(|c| c.is_nan()))
        .collect();
    if !needs.contains(&true) {
        return;
    }
    let chunk = n.div_ceil(threads.max(1)).max(1);
    let texts = &ds.texts;
    let needs = &needs;
    let counted: Vec<Vec<u64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                s.spawn(move || {
                    (start..(start + chunk).min(n))
                        .map(|r| if needs[r] { prompt_input_tokens(texts.get(r)) } else { NONE_U64 })
                        .collect::<Vec<u64>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    for (r, t) in counted.into_iter().flatten().enumerate() {
        if needs[r] {
            ds.in_tokens[r] = t;
        }
    }
}

/// Checks a quality, a cost or a token count of the current row (`simulate` and `batch`).
pub struct Checks<'r> {
    pub r: &'r Reader,
    /// Qualities range over [0, scale].
    pub scale: f64,
}

impl Checks<'_> {
    fn quality(&self, v: Option<f64>, name: &str) -> std::result::Result<Option<f64>, RowError> {
        match v {
            Some(q) if !(0.0..=self.scale).contains(&q) => {
                let hint = if self.scale == 1.0 {
                    " (scores on another scale need --quality-scale, e.g. 10 for 1–10 ratings)".to_string()
                } else {
                    String::new()
                };
                Err(self.r.row_error(format!("quality `{name}`: {} is outside [0, {}]{hint}", num(q), num(self.scale))))
            }
            Some(q) => Ok(Some(q / self.scale)),
            None => Ok(None),
        }
    }

    pub fn cost(&self, v: Option<f64>, name: &str) -> std::result::Result<Option<f64>, RowError> {
        match v {
            Some(c) if c < 0.0 => Err(self.r.row_error(format!("cost `{name}`: {} is negative", num(c)))),
            // No single request costs a million dollars: such a cell is a unit error.
            Some(c) if c > MAX_COST_USD => Err(self.r.row_error(format!(
                "cost `{name}`: {} is above {} USD per request",
                num(c),
                num(MAX_COST_USD)
            ))),
            other => Ok(other),
        }
    }

    pub fn tokens(&self, v: Option<f64>, name: &str) -> std::result::Result<Option<u64>, RowError> {
        match v {
            Some(t) if !(0.0..=MAX_TOKENS).contains(&t) || t.fract() != 0.0 => Err(self.r.row_error(format!(
                "`{name}`: {} is not a token count (a whole number from 0 to {})",
                num(t),
                num(MAX_TOKENS)
            ))),
            Some(t) => Ok(Some(t as u64)),
            None => Ok(None),
        }
    }
}

/// Checks `--map` pairs: each names a catalog model, and no two data models map to one.
pub fn map_to_catalog(config: &Config, map: &[(String, String)]) -> Result<Vec<(String, ModelId)>> {
    let mut out: Vec<(String, ModelId)> = Vec::with_capacity(map.len());
    for (d, c) in map {
        let id =
            config.model_id(c).ok_or_else(|| Error::Usage(format!("--map `{d}={c}`: `{c}` is not a catalog model")))?;
        if let Some((other, _)) = out.iter().find(|(x, m)| *m == id || x == d) {
            return Err(Error::Usage(if other == d {
                format!("--map: `{d}` is mapped twice")
            } else {
                format!("--map: `{other}` and `{d}` both map to `{c}`; a catalog model stands for one data model")
            }));
        }
        out.push((d.clone(), id));
    }
    Ok(out)
}

pub use crate::cost::MAX_COST_USD;
/// Above this a logged token count is refused.
pub const MAX_TOKENS: f64 = 1e12;

/// The column names the id is taken from when `--id-col` is not given.
pub const ID_COLUMNS: [&str; 3] = ["sample_id", "id", "request_id"];

/// What the loader tells its caller as it goes.
pub struct Hooks<'h> {
    /// Each bad row (with `skip_bad`).
    pub on_bad: &'h mut dyn FnMut(&RowError),
    /// Each accepted row's prompt, in row order (e.g. to start predicting while loading).
    pub on_text: &'h mut dyn FnMut(&str),
}

/// Reads every file into one dataset: for each file its columns are found ([`Fields::resolve`]),
/// then each row is read and checked ([`Fields::read`]) and handed to the builder (or, for long
/// outcomes, gathered by id and handed on at the end).
pub fn load(
    paths: &[std::path::PathBuf],
    spec: &Spec,
    config: &Config,
    prices: &crate::prices::PriceTable,
    threads: usize,
    hooks: Hooks,
) -> Result<Dataset> {
    let Hooks { on_bad, on_text } = hooks;
    let mut b = Builder {
        ds: Dataset::default(),
        config,
        spec,
        table: prices,
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
    let mut long = Long::default();
    let mut bad_rows: Vec<RowError> = Vec::new();
    let mut row = Row::default();
    let mut row_no: u64 = 0;
    for path in paths {
        let mut r = data::open(path, spec.format)?;
        // JSON inputs reveal their keys with the first row; a bad first row is reported below.
        let mut first = Some(r.advance());
        let names = file_models(&r, spec, &mut model_names, &mut b)?;
        let fields = Fields::resolve(&r, spec, &names, &first)?;
        loop {
            match first.take().unwrap_or_else(|| r.advance()) {
                Ok(true) => row_no += 1,
                Ok(false) => break,
                Err(e) if spec.skip_bad => {
                    row_no += 1;
                    on_bad(&e);
                    bad_rows.push(e);
                    continue;
                }
                Err(e) => return Err(Error::Usage(format!("{e} (use --skip-bad to skip bad rows)"))),
            }
            row.clear();
            match fields.read(&r, spec, row_no, &mut row) {
                Ok(None) => {
                    b.push(&row)?;
                    on_text(&row.text);
                }
                Ok(Some(model)) => long.add(&mut row, model),
                Err(e) if spec.skip_bad => {
                    on_bad(&e);
                    bad_rows.push(e);
                }
                Err(e) => return Err(Error::Usage(format!("{e} (use --skip-bad to skip bad rows)"))),
            }
        }
    }
    if spec.long.is_some() {
        b.init(long.names.clone())?;
        for mut p in long.rows {
            p.pad(long.names.len());
            b.push(&p)?;
            on_text(&p.text);
        }
    }
    let mut ds = b.finish(paths, threads)?;
    ds.bad_rows = bad_rows;
    Ok(ds)
}

/// The models of the file `r` opens: `--models`, none yet (long outcomes) or the header's. The
/// first file fixes them (and the builder's candidates, wide outcomes); every other must agree.
fn file_models(r: &Reader, spec: &Spec, model_names: &mut Option<Vec<String>>, b: &mut Builder) -> Result<Vec<String>> {
    let names = match (&spec.models, &spec.long) {
        (Some(m), _) => m.clone(),
        (None, Some(_)) => Vec::new(),
        (None, None) => discover(r, spec),
    };
    match model_names {
        None => {
            *model_names = Some(names.clone());
            if spec.long.is_none() {
                b.init(names)?;
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
    Ok(model_names.clone().unwrap_or_default())
}

/// Where one file keeps each value a row is read from (a CSV column or a JSON path), with the
/// names messages give them.
struct Fields {
    text: Field,
    id: Option<Field>,
    ts_name: String,
    ts: Option<Field>,
    by: Option<Field>,
    label: Option<Field>,
    tag: Option<Field>,
    input: Option<Field>,
    cached: Option<Field>,
    output: Option<Field>,
    long_model: Option<Field>,
    quality: Vec<Option<Field>>,
    cost: Vec<Option<Field>>,
    response: Vec<Option<Field>>,
    quality_names: Vec<String>,
    cost_names: Vec<String>,
}

/// `name`'s field; in a CSV file the column must exist.
fn required(r: &Reader, name: &str) -> Result<Option<Field>> {
    if r.is_csv() {
        r.column(name)?;
    }
    Ok(field(r, name))
}

impl Fields {
    /// Finds the columns of the file `r` reads for `spec` and the models `names`; an error names
    /// a column the flags ask for that is not there.
    fn resolve(
        r: &Reader,
        spec: &Spec,
        names: &[String],
        first: &Option<std::result::Result<bool, RowError>>,
    ) -> Result<Fields> {
        let text = match r.text_column(spec.text.as_deref()) {
            Ok(c) if r.is_csv() => Field::Csv(c),
            Ok(c) => Field::Json(c.name),
            Err(e) => return Err(e),
        };
        let id = match (&spec.id, &spec.long) {
            (Some(id), _) => required(r, id)?,
            (None, Some(_)) => return Err(Error::Usage("--long needs --id-col".to_string())),
            (None, None) => ID_COLUMNS
                .iter()
                .find(|c| if r.is_csv() { r.has_column(c) } else { r.json(c).is_some() })
                .and_then(|c| field(r, c)),
        };
        let ts_name = spec.timestamp.clone().unwrap_or_else(|| "timestamp".to_string());
        if let Some(t) = &spec.timestamp
            && r.is_csv()
        {
            r.column(t)?;
        }
        let ts = field(r, &ts_name);
        let by = match &spec.by {
            Some(by) => required(r, by)?,
            None => None,
        };
        let label = field(r, &spec.label);
        let tag = match &spec.tag {
            Some(t) if spec.tag_required => required(r, t)?,
            Some(t) => field(r, t),
            None => None,
        };
        let (input, cached, output) =
            (field(r, &spec.input_tokens), field(r, &spec.cached_tokens), field(r, &spec.output_tokens));
        let long_model = match &spec.long {
            Some(model) => required(r, model)?,
            None => None,
        };
        let per_model = |tmpl: &str| -> Vec<Option<Field>> {
            if spec.long.is_some() {
                vec![field(r, tmpl)]
            } else {
                names.iter().map(|m| field(r, &fill(tmpl, m))).collect()
            }
        };
        let (quality, cost, response) = (per_model(&spec.quality), per_model(&spec.cost), per_model(&spec.response));
        if spec.long.is_none() {
            check_templates(r, spec, names, first)?;
        }
        // Column names for messages, per model.
        let col_names = |t: &str| -> Vec<String> {
            if spec.long.is_some() { vec![t.to_string()] } else { names.iter().map(|m| fill(t, m)).collect() }
        };
        let (quality_names, cost_names) = (col_names(&spec.quality), col_names(&spec.cost));
        Ok(Fields {
            text,
            id,
            ts_name,
            ts,
            by,
            label,
            tag,
            input,
            cached,
            output,
            long_model,
            quality,
            cost,
            response,
            quality_names,
            cost_names,
        })
    }

    /// Reads the current row of `r` (the `row_no`th) into `row`, each value checked; with long
    /// outcomes, returns the row's model.
    fn read(
        &self,
        r: &Reader,
        spec: &Spec,
        row_no: u64,
        row: &mut Row,
    ) -> std::result::Result<Option<String>, RowError> {
        let checks = Checks { r, scale: spec.quality_scale };
        let opt_text = |f: &Option<Field>| match f {
            Some(f) => text_of(r, f),
            None => Ok(None),
        };
        let opt_num = |f: &Option<Field>, what: &str| match f {
            Some(f) => number_of(r, f, what),
            None => Ok(None),
        };
        self.read_text(r, row)?;
        row.id = match opt_text(&self.id)? {
            Some(id) if !id.trim().is_empty() => id,
            _ if spec.long.is_some() => return Err(r.row_error("the id is empty")),
            _ => row_no.to_string(),
        };
        row.timestamp = match opt_text(&self.ts)? {
            Some(t) if !t.trim().is_empty() => Some(parse_time(&t).ok_or_else(|| {
                r.row_error(format!(
                    "column `{}`: `{t}` is not a timestamp (RFC 3339, `YYYY-MM-DD HH:MM:SS` or Unix \
                     seconds, years -9999 to 9999)",
                    self.ts_name
                ))
            })?),
            _ => None,
        };
        if self.by.is_some() {
            row.segment = Some(opt_text(&self.by)?.unwrap_or_default());
        }
        if self.tag.is_some() {
            row.tag = opt_text(&self.tag)?.filter(|t| !t.trim().is_empty());
        }
        row.label = opt_text(&self.label)?.filter(|l| !l.trim().is_empty());
        for k in 0..self.quality.len() {
            row.quality.push(checks.quality(opt_num(&self.quality[k], "quality")?, &self.quality_names[k])?);
            row.cost.push(checks.cost(opt_num(&self.cost[k], "cost")?, &self.cost_names[k])?);
            row.response.push(opt_text(&self.response[k])?);
        }
        row.in_tokens.push(checks.tokens(opt_num(&self.input, "input tokens")?, &spec.input_tokens)?);
        row.cached = checks.tokens(opt_num(&self.cached, "cached input tokens")?, &spec.cached_tokens)?;
        row.out_tokens.push(checks.tokens(opt_num(&self.output, "output tokens")?, &spec.output_tokens)?);
        match &self.long_model {
            Some(model) => Ok(Some(text_of(r, model)?.ok_or_else(|| r.row_error("the model is empty"))?)),
            None => Ok(None),
        }
    }

    /// The row's prompt (a Python list literal becomes its text): neither empty nor too long.
    fn read_text(&self, r: &Reader, row: &mut Row) -> std::result::Result<(), RowError> {
        let text = text_of(r, &self.text)?.unwrap_or_default();
        let text = pylit::prompt_text(&text);
        let name = match &self.text {
            Field::Csv(c) => c.name.as_str(),
            Field::Json(p) => p.as_str(),
        };
        if text.trim().is_empty() {
            return Err(r.row_error(format!("column `{name}` is empty")));
        }
        if let Some(m) = crate::prompt::too_long(&text) {
            return Err(r.row_error(format!("column `{name}`: {m}")));
        }
        row.text.push_str(&text);
        Ok(())
    }
}

/// Long outcomes (one row per request and model) gathered into one row per request id, in the
/// order ids first appear; models numbered as they first appear.
#[derive(Default)]
struct Long {
    rows: Vec<Row>,
    names: Vec<String>,
    by_id: HashMap<String, usize>,
}

impl Long {
    /// Adds `row`, the answer of `model`, to its request's row.
    fn add(&mut self, row: &mut Row, model: String) {
        let mi = match self.names.iter().position(|n| *n == model) {
            Some(i) => i,
            None => {
                self.names.push(model);
                self.names.len() - 1
            }
        };
        let rows = &mut self.rows;
        let at = *self.by_id.entry(row.id.clone()).or_insert_with(|| {
            let mut fresh = row.clone();
            fresh.quality.clear();
            fresh.cost.clear();
            fresh.response.clear();
            fresh.in_tokens.clear();
            fresh.out_tokens.clear();
            rows.push(fresh);
            rows.len() - 1
        });
        let p = &mut self.rows[at];
        p.pad(mi + 1);
        p.quality[mi] = row.quality[0];
        p.cost[mi] = row.cost[0];
        p.response[mi] = row.response[0].take();
        p.in_tokens[mi] = row.in_tokens[0];
        p.out_tokens[mi] = row.out_tokens[0];
    }
}

/// Every model's quality template must name a column (CSV) or a key of the first row (JSON): an
/// error naming the model, the template and the nearest column otherwise.
fn check_templates(
    r: &Reader,
    spec: &Spec,
    names: &[String],
    first: &Option<std::result::Result<bool, RowError>>,
) -> Result<()> {
    let json_first = !r.is_csv() && matches!(first, Some(Ok(true)));
    if !r.is_csv() && !json_first {
        return Ok(());
    }
    let mut keys: Vec<String> = r.headers().to_vec();
    if json_first {
        keys.clear();
        let mut obj = serde_json::Map::new();
        for h in r.headers() {
            if let Some(v) = r.json(h) {
                obj.insert(h.clone(), v.clone());
            }
        }
        key_paths(&obj, "", &mut keys);
    }
    for m in names {
        let want = fill(&spec.quality, m);
        let found = if r.is_csv() { r.has_column(&want) } else { r.json_path(&want).is_some() };
        if !found {
            let nearest = crate::error::did_you_mean(&want, keys.iter().map(String::as_str)).unwrap_or_default();
            return Err(Error::Usage(format!(
                "{}: no quality column `{want}` for model `{m}` (template `{}`){nearest}",
                r.name, spec.quality
            )));
        }
    }
    Ok(())
}

/// RFC 3339, `YYYY-MM-DD HH:MM:SS[.fff]` (UTC), a date, or Unix seconds; `None` outside the
/// years -9999..=9999.
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
    let secs = t.parse::<f64>().ok().filter(|v| v.is_finite())?;
    let min = jiff::Timestamp::MIN.as_second() as f64;
    let max = jiff::Timestamp::MAX.as_second() as f64;
    (min..=max).contains(&secs).then_some(secs.floor() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Source;

    fn config() -> Config {
        Config::from_str(crate::config::EMBEDDED_DEFAULT, Source::Embedded).unwrap_or_else(|e| panic!("{e}"))
    }

    fn spec() -> Spec {
        Spec {
            format: None,
            text: None,
            id: None,
            quality: "{model}".into(),
            quality_scale: 1.0,
            cost: "{model}|total_cost".into(),
            response: "{model}|model_response".into(),
            models: None,
            long: None,
            timestamp: None,
            by: None,
            tag: None,
            tag_required: false,
            label: "label".into(),
            input_tokens: "input_tokens".into(),
            cached_tokens: "cached_tokens".into(),
            output_tokens: "output_tokens".into(),
            map: Vec::new(),
            skip_bad: false,
        }
    }

    /// Loads `text` as the file `name` (in a temporary directory) with `spec`.
    fn load_text(name: &str, text: &str, spec: &Spec) -> (Result<Dataset>, Vec<String>) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        let config = config();
        let table = crate::prices::PriceTable::default();
        let mut bad = Vec::new();
        let mut texts = Vec::new();
        let hooks = Hooks { on_bad: &mut |e| bad.push(e.message.clone()), on_text: &mut |t| texts.push(t.to_string()) };
        let ds = load(std::slice::from_ref(&path), spec, &config, &table, 1, hooks);
        let ds = ds.map_err(|e| Error::Usage(e.to_string().replace(&format!("{}", dir.path().display()), "DIR")));
        (ds, bad.into_iter().chain(texts).collect())
    }

    const WIDE: &str = "sample_id,prompt,gpt-4o-mini,gpt-4o,gpt-4o-mini|total_cost,gpt-4o|total_cost,note\n\
                        a,hello,0,1,0.0001,0.002,x\n\
                        b,\"['bonjour']\",1,,0.0002,0.003,y\n";

    #[test]
    fn wide_outcomes_find_their_models_from_the_companion_columns() {
        let (ds, seen) = load_text("w.csv", WIDE, &spec());
        let ds = ds.unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = ds.models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["gpt-4o-mini", "gpt-4o"]);
        assert_eq!(ds.n(), 2);
        assert_eq!((ds.ids.get(0), ds.ids.get(1)), ("a", "b"));
        // A Python list literal is read as its text.
        assert_eq!(ds.texts.get(1), "bonjour");
        assert_eq!(seen, ["hello", "bonjour"]);
        assert_eq!((ds.q(0, 0), ds.q(0, 1), ds.q(1, 0)), (0.0, 1.0, 1.0));
        // An empty quality cell scores 0 and is counted.
        assert_eq!((ds.q(1, 1), ds.empty_cells), (0.0, 1));
        assert_eq!((ds.c(0, 0), ds.c(1, 1)), (0.0001, 0.003));
        assert!(ds.quality_known && !ds.plain);
    }

    #[test]
    fn bad_cells_name_the_file_line_and_column() {
        let err =
            |text: &str, spec: &Spec| load_text("w.csv", text, spec).0.err().map(|e| e.to_string()).unwrap_or_default();
        let header = "id,prompt,gpt-4o-mini,gpt-4o,gpt-4o-mini|total_cost,gpt-4o|total_cost\n";
        let ok = "1,hi,0,1,0.1,0.2\n";
        let e = err(&format!("{header}{ok}2,hi,0,1,-1,0.2\n"), &spec());
        assert_eq!(e, "DIR/w.csv:3: cost `gpt-4o-mini|total_cost`: -1 is negative (use --skip-bad to skip bad rows)");
        let e = err(&format!("{header}{ok}{ok}3,hi,0,1.5,0.1,0.2\n"), &spec());
        assert_eq!(
            e,
            "DIR/w.csv:4: quality `gpt-4o`: 1.5 is outside [0, 1] (scores on another scale need --quality-scale, \
             e.g. 10 for 1–10 ratings) (use --skip-bad to skip bad rows)"
        );
        let e = err(&format!("{header}2,hi,0,1,2000000,0.2\n"), &spec());
        assert_eq!(
            e,
            "DIR/w.csv:2: cost `gpt-4o-mini|total_cost`: 2000000 is above 1000000 USD per request (use --skip-bad \
             to skip bad rows)"
        );
        let e = err(&format!("{header}2,,0,1,0.1,0.2\n"), &spec());
        assert_eq!(e, "DIR/w.csv:2: column `prompt` is empty (use --skip-bad to skip bad rows)");
    }

    #[test]
    fn plain_logs_check_token_counts_and_timestamps() {
        let err = |text: &str, spec: &Spec| {
            load_text("p.jsonl", text, spec).0.err().map(|e| e.to_string()).unwrap_or_default()
        };
        let e = err("{\"prompt\":\"hi\",\"input_tokens\":12}\n{\"prompt\":\"ho\",\"input_tokens\":1.5}\n", &spec());
        assert_eq!(
            e,
            "DIR/p.jsonl:2: `input_tokens`: 1.5 is not a token count (a whole number from 0 to 1000000000000) (use \
             --skip-bad to skip bad rows)"
        );
        let e = err("\n{\"prompt\":\"hi\",\"output_tokens\":\"many\"}\n", &spec());
        assert_eq!(
            e,
            "DIR/p.jsonl:2: output tokens `output_tokens`: `many` is not a number (use --skip-bad to skip bad rows)"
        );
        let e = err("{\"prompt\":\"hi\",\"timestamp\":\"yesterday\"}\n", &spec());
        assert_eq!(
            e,
            "DIR/p.jsonl:1: column `timestamp`: `yesterday` is not a timestamp (RFC 3339, `YYYY-MM-DD HH:MM:SS` or \
             Unix seconds, years -9999 to 9999) (use --skip-bad to skip bad rows)"
        );
        // With --skip-bad the bad row is reported and left out.
        let spec = Spec { skip_bad: true, ..spec() };
        let (ds, seen) = load_text("p.jsonl", "{\"prompt\":\"hi\",\"input_tokens\":-3}\n{\"prompt\":\"ho\"}\n", &spec);
        let ds = ds.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((ds.n(), ds.bad_rows.len(), ds.plain), (1, 1, true));
        assert_eq!(ds.bad_rows[0].line, 1);
        assert_eq!(seen, ["`input_tokens`: -3 is not a token count (a whole number from 0 to 1000000000000)", "ho"]);
        // Every catalog model is a candidate of a plain log.
        assert_eq!(ds.models.len(), config().models.len());
    }

    #[test]
    fn columns_the_flags_name_must_exist() {
        let header = "id,prompt,gpt-4o-mini,gpt-4o,gpt-4o-mini|total_cost,gpt-4o|total_cost\n1,hi,0,1,0.1,0.2\n";
        let err = |spec: &Spec| load_text("w.csv", header, spec).0.err().map(|e| e.to_string()).unwrap_or_default();
        let e = err(&Spec { text: Some("question".into()), ..spec() });
        assert!(e.starts_with("DIR/w.csv: no column `question`"), "{e}");
        let e = err(&Spec { long: Some("model".into()), ..spec() });
        assert_eq!(e, "--long needs --id-col");
        let e = err(&Spec { by: Some("segment".into()), ..spec() });
        assert!(e.starts_with("DIR/w.csv: no column `segment`"), "{e}");
        // The id falls back to the usual names, then to the row number.
        let (ds, _) = load_text("w.csv", &header.replace("\n1,", "\nx7,"), &spec());
        assert_eq!(ds.map(|d| d.ids.get(0).to_string()).ok().as_deref(), Some("x7"));
        let (ds, _) = load_text("w.csv", &header.replace("id,", "key,").replace("\n1,", "\nx7,"), &spec());
        assert_eq!(ds.map(|d| d.ids.get(0).to_string()).ok().as_deref(), Some("1"));
    }

    #[test]
    fn long_outcomes_gather_rows_by_id() {
        let text = "id,prompt,model,score\nq1,hi,gpt-4o,1\nq2,ho,gpt-4o,0\nq1,hi,gpt-4o-mini,0.5\n";
        let spec = Spec {
            id: Some("id".into()),
            long: Some("model".into()),
            quality: "score".into(),
            cost: "cost".into(),
            response: "response".into(),
            ..spec()
        };
        let (ds, seen) = load_text("l.csv", text, &spec);
        let ds = ds.unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = ds.models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["gpt-4o", "gpt-4o-mini"]);
        assert_eq!((ds.n(), ds.ids.get(0), ds.ids.get(1)), (2, "q1", "q2"));
        assert_eq!((ds.q(0, 0), ds.q(0, 1), ds.q(1, 0)), (1.0, 0.5, 0.0));
        assert_eq!(seen, ["hi", "ho"]);
    }
}
