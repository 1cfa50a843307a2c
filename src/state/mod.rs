//! The state store: daily quota counters, the decision log and feedback, on one of two backends
//! behind one trait — the embedded SQLite file (one machine, the default) or Redis (many
//! instances sharing one truth). Every command reads and writes state through [`Store`], so both
//! backends behave the same.
//!
//! SQLite location: `--state PATH` > `LLMROUTE_STATE` > `$XDG_STATE_HOME/llmroute/state.db` >
//! `~/.local/state/llmroute/state.db`. With `[state] backend = "redis"` that file is used only
//! when Redis is unavailable and `on_unavailable = "local"`.

mod event;
mod redis;
mod sqlite;
pub mod transfer;

pub use event::{Event, Reporter, set_reporter};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::config::Config;
use crate::config::{StateBackend, Unavailable};
use crate::error::{Error, Result};

/// Requests counted per model on one day.
pub type Usage = BTreeMap<String, u64>;

/// What one answered request used and cost.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerUsage {
    pub request_id: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost: f64,
}

/// One day's counter of one model (export and import).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QuotaRow {
    pub day: String,
    pub model: String,
    pub used: u64,
}

/// A logged routing decision.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DecisionRecord {
    pub request_id: String,
    pub ts: i64,
    pub prompt_hash: String,
    pub prompt: Option<String>,
    pub model: String,
    pub method: String,
    pub rule: Option<String>,
    pub tier: Option<String>,
    pub strategy: String,
    pub estimated_cost: f64,
    pub arm: String,
    /// Input and output tokens: the decision's estimate, replaced by the provider's usage once
    /// a live call (`ask`, `serve`) answered.
    #[serde(default)]
    pub input_tokens: Option<u64>,
    #[serde(default)]
    pub output_tokens: Option<u64>,
    /// What the answer cost (USD, from the provider's usage); `None` until a live call answered.
    #[serde(default)]
    pub cost: Option<f64>,
}

/// One feedback record (latest per request id).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeedbackRecord {
    pub request_id: String,
    pub ts: i64,
    pub model: String,
    pub rule: Option<String>,
    pub method: Option<String>,
    pub tier: Option<String>,
    pub arm: Option<String>,
    pub rating: Option<f64>,
    pub success: Option<bool>,
    pub latency_ms: Option<f64>,
    pub cost: Option<f64>,
}

/// One record of the state: what a line of `state export` holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Quota(QuotaRow),
    Decision(DecisionRecord),
    Feedback(FeedbackRecord),
}

/// Where [`Backend::import`] takes its records from: the next one, `None` at the end, or an
/// error (which rolls the import back).
pub type Records<'a> = dyn FnMut() -> Result<Option<Record>> + 'a;

/// What [`Backend::export`] hands each record to, with a reader of the decision's prompt when
/// the backend streams it instead of holding it (then the record's `prompt` is `None`).
pub type Sink<'a> = dyn FnMut(Record, Option<&mut dyn std::io::Read>) -> Result<()> + 'a;

/// What [`Backend::scan_decisions`] hands each decision to.
pub type DecisionSink<'a> = dyn FnMut(DecisionRecord) -> Result<()> + 'a;

/// The decision step of [`Backend::count_and_log`]: from the day's usage, the model to count
/// and the decision to log.
type Decide<'a> = dyn FnMut(&Usage) -> (Option<String>, Option<DecisionRecord>) + 'a;

/// What a state backend does. Each method is one atomic step on the backend.
trait Backend: Send {
    /// Where the state lives, for messages (never a secret).
    fn place(&self) -> String;
    fn usage(&mut self, day: &str) -> Result<Usage>;
    /// Runs `f` on the day's usage; the model it returns (if any) is counted and the decision it
    /// returns logged as one atomic step. `f` may run more than once (Redis retries when another
    /// instance counted the same model meanwhile); the last run's answer is the one applied.
    fn count_and_log(&mut self, day: &str, f: &mut Decide<'_>) -> Result<()>;
    fn reset(&mut self, day: &str, model: Option<&str>) -> Result<usize>;
    fn settle(&mut self, day: &str, request_id: &str, decided: &str, answered: Option<&str>) -> Result<()>;
    /// Records what logged requests' answers used and cost (unknown ids are left alone), as one
    /// step.
    fn record_usage(&mut self, answers: &[AnswerUsage]) -> Result<()>;
    /// Leaves write-ahead-log checkpoints (and their fsync) to [`Backend::checkpoint`] instead of
    /// the commit that fills the log (the gateway checkpoints off the request path).
    fn defer_checkpoints(&mut self) -> Result<()> {
        Ok(())
    }
    fn checkpoint(&mut self) -> Result<()> {
        Ok(())
    }
    fn find_decision(&mut self, request_id: &str) -> Result<Option<DecisionRecord>>;
    /// Hands `f` each decision with `ts >= since` (all when `None`), ordered by time then request
    /// id, one at a time. Without `text` the prompt and its hash are not read (left empty).
    fn scan_decisions(&mut self, since: Option<i64>, text: bool, f: &mut DecisionSink<'_>) -> Result<()>;
    fn log_decisions(&mut self, records: &[DecisionRecord]) -> Result<()>;
    /// Inserts or replaces feedback; returns how many earlier records were replaced.
    fn upsert_feedback(&mut self, records: &[FeedbackRecord]) -> Result<usize>;
    fn feedback_since(&mut self, since: Option<i64>) -> Result<Vec<FeedbackRecord>>;
    /// Every day's counters, sorted by day then model.
    fn quota_rows(&mut self) -> Result<Vec<QuotaRow>>;
    /// Raises counters to the given values (never lowers one): importing twice counts nothing twice.
    fn merge_quota(&mut self, rows: &[QuotaRow]) -> Result<()>;
    /// Counts one call of `model` if its counter is under `limit` (always without one), as one
    /// atomic step; `false` when the quota is used up.
    fn reserve(&mut self, day: &str, model: &str, limit: Option<u64>) -> Result<bool>;
    /// Takes back one counted call of `model` (never below zero).
    fn release(&mut self, day: &str, model: &str) -> Result<()>;
    /// Names the model that answered a logged request, or removes its decision when none did;
    /// counters are left as they are.
    fn relabel(&mut self, request_id: &str, answered: Option<&str>) -> Result<()>;
    /// Hands `f` every record, one at a time (`state export`): counters sorted by day and model,
    /// then decisions and feedback sorted by time and request id.
    fn export(&mut self, f: &mut Sink<'_>) -> Result<()>;
    /// Writes every record `next` yields as one atomic step (`state import`): counters are
    /// raised (never lowered), decisions and feedback replace those of their request id. When
    /// `next` or a write fails, nothing is written.
    fn import(&mut self, next: &mut Records<'_>) -> Result<()>;
}

/// Where state lives: resolved once per command from `--state`, the environment and `[state]`.
/// One variant per backend, each with its own settings.
#[derive(Clone)]
pub enum Location {
    /// One SQLite file on this machine.
    Sqlite(PathBuf),
    /// A Redis server shared by many instances.
    Redis {
        target: RedisTarget,
        /// The SQLite file named by `--state` or needed for the local fallback.
        local: Option<PathBuf>,
    },
}

/// The Redis settings of `[state]`. The URL stays in the environment until a connection is made.
#[derive(Clone)]
pub struct RedisTarget {
    pub url_env: String,
    pub prefix: String,
    pub pool_size: usize,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub local_fallback: bool,
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Location {
    /// The store of `config` (`[state]`) and the `--state` flag.
    pub fn resolve(flag: Option<&Path>, config: &Config) -> Result<Location> {
        let s = &config.state;
        match s.backend {
            StateBackend::Sqlite => Ok(Location::Sqlite(resolve_path(flag)?)),
            StateBackend::Redis => {
                let local_fallback = s.on_unavailable == Unavailable::Local;
                let local = if local_fallback || flag.is_some() { Some(resolve_path(flag)?) } else { None };
                Ok(Location::Redis {
                    target: RedisTarget {
                        url_env: s.url_env.clone(),
                        prefix: s.key_prefix.clone(),
                        pool_size: s.pool_size as usize,
                        connect_timeout: Duration::from_millis(s.connect_timeout_ms),
                        timeout: Duration::from_millis(s.timeout_ms),
                        local_fallback,
                    },
                    local,
                })
            }
        }
    }

    /// A SQLite store at `path` (tests and tools that name a file).
    pub fn sqlite(path: &Path) -> Location {
        Location::Sqlite(path.to_path_buf())
    }

    /// The store for messages: the file, or Redis with the variable holding its URL.
    pub fn describe(&self) -> String {
        match self {
            Location::Redis { target, .. } => redis::describe(target),
            Location::Sqlite(p) => p.display().to_string(),
        }
    }

    /// Connections the gateway keeps open (SQLite serialises writers: one is enough).
    pub fn pool_size(&self) -> usize {
        match self {
            Location::Redis { target, .. } => target.pool_size,
            Location::Sqlite(_) => 1,
        }
    }

    /// Whether the store is shared over the network by many instances (its calls block on I/O,
    /// so an async caller runs them with `block_in_place`).
    pub fn is_shared(&self) -> bool {
        matches!(self, Location::Redis { .. })
    }

    /// Opens the store, creating a SQLite file if needed.
    pub fn open(&self) -> Result<Store> {
        match self {
            Location::Redis { target, local } => Ok(Store::remote(target, local)),
            Location::Sqlite(p) => Ok(Store { backend: Box::new(sqlite::Sqlite::open(p)?), local: None }),
        }
    }

    /// Opens the store if it exists, for writing (a SQLite file is not created).
    pub fn open_existing(&self) -> Result<Option<Store>> {
        match self {
            Location::Redis { target, local } => Ok(Some(Store::remote(target, local))),
            Location::Sqlite(p) => {
                Ok(sqlite::Sqlite::open_existing(p)?.map(|s| Store { backend: Box::new(s), local: None }))
            }
        }
    }

    /// Opens the store if it exists, for reading: nothing is created, and a read-only SQLite file
    /// is fine.
    pub fn open_read(&self) -> Result<Option<Store>> {
        match self {
            Location::Redis { target, local } => Ok(Some(Store::remote(target, local))),
            Location::Sqlite(p) => {
                Ok(sqlite::Sqlite::open_read(p)?.map(|s| Store { backend: Box::new(s), local: None }))
            }
        }
    }
}

/// Resolves the SQLite store path from the flag or the environment.
pub fn resolve_path(flag: Option<&Path>) -> Result<PathBuf> {
    let path = match flag {
        Some(p) if p.as_os_str().is_empty() => return Err(Error::usage("--state must name a file")),
        Some(p) => p.to_path_buf(),
        None => default_path()?
            .ok_or_else(|| Error::usage("cannot locate the state store: set `--state`, `LLMROUTE_STATE` or `HOME`"))?,
    };
    // SQLite keeps journal files beside the store: only a regular file (or none yet) will do.
    if let Ok(m) = std::fs::metadata(&path)
        && !m.is_file()
    {
        return Err(Error::state(&path, "not a regular file"));
    }
    Ok(path)
}

pub fn default_path() -> Result<Option<PathBuf>> {
    if let Some(p) = std::env::var_os("LLMROUTE_STATE") {
        if p.is_empty() {
            return Err(Error::usage("LLMROUTE_STATE is set but empty; unset it or name the state store"));
        }
        return Ok(Some(PathBuf::from(p)));
    }
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".local/state")));
    Ok(base.map(|b| b.join("llmroute").join("state.db")))
}

/// Operations that fell back to local counting because Redis was unavailable (a gateway metric).
pub static LOCAL_FALLBACKS: AtomicU64 = AtomicU64::new(0);
/// Whether the last state operation fell back (the warning is printed once per outage).
static FALLING_BACK: AtomicBool = AtomicBool::new(false);

/// An open state store.
pub struct Store {
    backend: Box<dyn Backend>,
    /// Redis's local fallback: the SQLite file, opened on the first outage.
    local: Option<(PathBuf, Option<sqlite::Sqlite>)>,
}

impl Store {
    /// Opens the store, creating a SQLite file if needed ([`Location::open`]).
    pub fn open(at: &Location) -> Result<Store> {
        at.open()
    }

    /// Opens the store if it exists, for writing ([`Location::open_existing`]).
    pub fn open_existing(at: &Location) -> Result<Option<Store>> {
        at.open_existing()
    }

    /// Opens the store if it exists, for reading (`--dry-run`, `quota`, stats;
    /// [`Location::open_read`]).
    pub fn open_read(at: &Location) -> Result<Option<Store>> {
        at.open_read()
    }

    fn remote(r: &RedisTarget, path: &Option<PathBuf>) -> Store {
        let local = r.local_fallback.then(|| path.clone()).flatten().map(|p| (p, None));
        Store { backend: Box::new(redis::Redis::new(r.clone())), local }
    }

    /// Where the state lives, for messages.
    pub fn place(&self) -> String {
        self.backend.place()
    }

    /// Runs `op` on the backend; when Redis is unavailable and `on_unavailable = "local"`, on the
    /// local SQLite file instead, with an [`Event::FellBack`] (once per outage) and a count, and an
    /// [`Event::Back`] once Redis answers again.
    fn run<T>(&mut self, mut op: impl FnMut(&mut dyn Backend) -> Result<T>) -> Result<T> {
        let first = op(self.backend.as_mut());
        let Some((path, local)) = self.local.as_mut() else { return first };
        match first {
            Err(Error::StateUnavailable { place, message }) => {
                LOCAL_FALLBACKS.fetch_add(1, Ordering::Relaxed);
                if !FALLING_BACK.swap(true, Ordering::Relaxed) {
                    event::report(Event::FellBack { place, reason: message, local: path.clone() });
                }
                if local.is_none() {
                    *local = Some(sqlite::Sqlite::open(path)?);
                }
                match local.as_mut() {
                    Some(l) => op(l),
                    None => Err(Error::state(path, "cannot open the local fallback")),
                }
            }
            r => {
                if r.is_ok() && FALLING_BACK.swap(false, Ordering::Relaxed) {
                    event::report(Event::Back { place: self.backend.place() });
                }
                r
            }
        }
    }

    /// Requests counted per model on `day`.
    pub fn usage(&mut self, day: &str) -> Result<Usage> {
        self.run(|b| b.usage(day))
    }

    /// Runs `f` with the day's usage as one atomic step: the model it returns (if any) is counted
    /// and the decision it returns logged. `f` may run more than once; its last answer is returned.
    pub fn count_and_log<T>(
        &mut self,
        day: &str,
        mut f: impl FnMut(&Usage) -> (T, Option<String>, Option<DecisionRecord>),
    ) -> Result<T> {
        let mut out = None;
        self.run(|b| {
            b.count_and_log(day, &mut |u| {
                let (o, model, record) = f(u);
                out = Some(o);
                (model, record)
            })
        })?;
        out.ok_or_else(|| Error::state(Path::new(&self.place()), "the decision was never made"))
    }

    /// Deletes the day's counters (of one model, or all). Returns the number of counters removed.
    pub fn reset(&mut self, day: &str, model: Option<&str>) -> Result<usize> {
        self.run(|b| b.reset(day, model))
    }

    /// Settles a request counted at decision time once it is known which model answered: the
    /// decided model's count is released, the answering model (if any) is counted, and the
    /// decision log names it — or, when nothing answered, the decision is removed. One step.
    pub fn settle(&mut self, day: &str, request_id: &str, decided: &str, answered: Option<&str>) -> Result<()> {
        self.run(|b| b.settle(day, request_id, decided, answered))
    }

    /// Records what a logged request's answer used and cost (the spend report reads it).
    pub fn record_usage(&mut self, answers: &[AnswerUsage]) -> Result<()> {
        self.run(|b| b.record_usage(answers))
    }

    /// See [`Backend::defer_checkpoints`].
    pub fn defer_checkpoints(&mut self) -> Result<()> {
        self.run(|b| b.defer_checkpoints())
    }

    /// Moves the write-ahead log into the database (SQLite; nothing for Redis).
    pub fn checkpoint(&mut self) -> Result<()> {
        self.run(|b| b.checkpoint())
    }

    pub fn find_decision(&mut self, request_id: &str) -> Result<Option<DecisionRecord>> {
        self.run(|b| b.find_decision(request_id))
    }

    /// Decisions with `ts >= since` (all when `None`), ordered by time then request id.
    pub fn decisions_since(&mut self, since: Option<i64>) -> Result<Vec<DecisionRecord>> {
        self.run(|b| {
            let mut out = Vec::new();
            b.scan_decisions(since, true, &mut |d| {
                out.push(d);
                Ok(())
            })?;
            Ok(out)
        })
    }

    /// Hands `f` each decision with `ts >= since` (ordered by time then request id) without its
    /// prompt and prompt hash, which are not read. `reset` runs before each pass: when Redis is
    /// unavailable midway, the local store is scanned from the start.
    pub fn scan_decision_costs(
        &mut self,
        since: Option<i64>,
        mut reset: impl FnMut(),
        mut f: impl FnMut(DecisionRecord) -> Result<()>,
    ) -> Result<()> {
        self.run(|b| {
            reset();
            b.scan_decisions(since, false, &mut f)
        })
    }

    /// Hands `f` every record (`state export`). Never falls back to the local file: what was
    /// handed on cannot be taken back, so an outage is an error.
    pub fn export(&mut self, f: &mut Sink<'_>) -> Result<()> {
        self.backend.export(f)
    }

    /// Writes every record `next` yields as one atomic step (`state import`); on the configured
    /// store only, never the local fallback (an import goes where it was meant to, or nowhere).
    pub fn import(&mut self, next: &mut Records<'_>) -> Result<()> {
        self.backend.import(next)
    }

    pub fn log_decisions(&mut self, records: &[DecisionRecord]) -> Result<()> {
        self.run(|b| b.log_decisions(records))
    }

    /// Inserts or replaces feedback, all or nothing; returns how many earlier records it replaced.
    pub fn upsert_feedback(&mut self, records: &[FeedbackRecord]) -> Result<usize> {
        self.run(|b| b.upsert_feedback(records))
    }

    /// Feedback with `ts >= since` (all when `None`), ordered by time then request id.
    pub fn feedback_since(&mut self, since: Option<i64>) -> Result<Vec<FeedbackRecord>> {
        self.run(|b| b.feedback_since(since))
    }

    pub fn quota_rows(&mut self) -> Result<Vec<QuotaRow>> {
        self.run(|b| b.quota_rows())
    }

    pub fn merge_quota(&mut self, rows: &[QuotaRow]) -> Result<()> {
        self.run(|b| b.merge_quota(rows))
    }

    /// See [`Backend::reserve`]: one more call of `model` today, if its quota allows.
    pub fn reserve(&mut self, day: &str, model: &str, limit: Option<u64>) -> Result<bool> {
        self.run(|b| b.reserve(day, model, limit))
    }

    /// See [`Backend::release`].
    pub fn release(&mut self, day: &str, model: &str) -> Result<()> {
        self.run(|b| b.release(day, model))
    }

    /// See [`Backend::relabel`].
    pub fn relabel(&mut self, request_id: &str, answered: Option<&str>) -> Result<()> {
        self.run(|b| b.relabel(request_id, answered))
    }
}
