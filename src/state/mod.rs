//! The SQLite state store: daily quota counters (and, as the schema grows, decisions and feedback).
//!
//! Location: `--state PATH` > `LLMROUTE_STATE` > `$XDG_STATE_HOME/llmroute/state.db` >
//! `~/.local/state/llmroute/state.db`. The schema version lives in `PRAGMA user_version`;
//! migrations run in order inside one transaction.
//!
//! Counting is atomic across processes: the quota check and the increment happen inside one
//! `BEGIN IMMEDIATE` transaction, which SQLite serialises between writers (WAL mode, with a busy
//! timeout so concurrent processes wait rather than fail).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params};

use crate::error::{Error, Result};

/// Schema migrations; entry `i` upgrades version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE quota_usage (
        day   TEXT    NOT NULL,
        model TEXT    NOT NULL,
        used  INTEGER NOT NULL,
        PRIMARY KEY (day, model)
    ) WITHOUT ROWID;",
    "CREATE TABLE decisions (
        request_id     TEXT    PRIMARY KEY,
        ts             INTEGER NOT NULL,
        prompt_hash    TEXT    NOT NULL,
        prompt         TEXT,
        model          TEXT    NOT NULL,
        method         TEXT    NOT NULL,
        rule           TEXT,
        tier           TEXT,
        strategy       TEXT    NOT NULL,
        estimated_cost REAL    NOT NULL,
        arm            TEXT    NOT NULL
    );
    CREATE TABLE feedback (
        request_id TEXT    PRIMARY KEY,
        ts         INTEGER NOT NULL,
        model      TEXT    NOT NULL,
        rule       TEXT,
        method     TEXT,
        tier       TEXT,
        arm        TEXT,
        rating     REAL,
        success    INTEGER,
        latency_ms REAL,
        cost       REAL
    );
    CREATE INDEX feedback_ts ON feedback (ts);",
];

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

/// Resolves the store path from the flag or the environment.
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

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::state(path, format!("cannot create directory: {e}")))?;
        }
        let conn = Connection::open(path).map_err(|e| Error::state(path, e))?;
        let mut store = Store { conn, path: path.to_path_buf() };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens the store only if it already exists, for writing.
    pub fn open_existing(path: &Path) -> Result<Option<Store>> {
        if !path.exists() {
            return Ok(None);
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| Error::state(path, e))?;
        let mut store = Store { conn, path: path.to_path_buf() };
        store.configure()?;
        store.migrate()?;
        Ok(Some(store))
    }

    /// Opens the store only if it already exists, for reading (`--dry-run`, `quota`, stats):
    /// nothing is created, and a read-only store file is fine.
    pub fn open_read(path: &Path) -> Result<Option<Store>> {
        if !path.exists() {
            return Ok(None);
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| Error::state(path, e))?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(|e| Error::state(path, e))?;
        let version: i64 =
            conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| Error::state(path, e))?;
        if version != MIGRATIONS.len() as i64 {
            // An older schema is brought up to date (which needs a writable store).
            return Store::open_existing(path);
        }
        Ok(Some(Store { conn, path: path.to_path_buf() }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: impl std::fmt::Display) -> Error {
        Error::state(&self.path, e)
    }

    fn configure(&mut self) -> Result<()> {
        self.conn.busy_timeout(Duration::from_secs(30)).map_err(|e| self.err(e))?;
        // Some file systems refuse WAL and keep the rollback journal, which still serialises
        // writers; either answer is fine.
        let _mode: String =
            self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        self.conn.execute_batch("PRAGMA synchronous = NORMAL").map_err(|e| self.err(e))?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let current: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        let want = MIGRATIONS.len() as i64;
        if current == want {
            return Ok(());
        }
        if current > want {
            return Err(self.err(format!(
                "schema version {current} is newer than this llmroute understands ({}); upgrade llmroute",
                MIGRATIONS.len()
            )));
        }
        let path = self.path.clone();
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| Error::state(&path, e))?;
        // Re-read inside the lock: another process may have migrated meanwhile.
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| Error::state(&path, e))?;
        for (v, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
            tx.execute_batch(sql).map_err(|e| Error::state(&path, format!("migration to version {}: {e}", v + 1)))?;
        }
        tx.execute_batch(&format!("PRAGMA user_version = {}", MIGRATIONS.len())).map_err(|e| Error::state(&path, e))?;
        tx.commit().map_err(|e| Error::state(&path, e))
    }

    /// Requests counted per model on `day`.
    pub fn usage(&self, day: &str) -> Result<BTreeMap<String, u64>> {
        usage_in(&self.conn, day).map_err(|e| self.err(e))
    }

    /// Runs `f` with the day's usage inside an exclusive write transaction; when `f` returns a
    /// model, one request is counted against it before the transaction commits.
    pub fn count<T>(&mut self, day: &str, f: impl FnOnce(&BTreeMap<String, u64>) -> (T, Option<String>)) -> Result<T> {
        self.count_and_log(day, |u| {
            let (out, model) = f(u);
            (out, model, None)
        })
    }

    /// Like [`Store::count`], also logging the decision in the same transaction.
    pub fn count_and_log<T>(
        &mut self,
        day: &str,
        f: impl FnOnce(&BTreeMap<String, u64>) -> (T, Option<String>, Option<DecisionRecord>),
    ) -> Result<T> {
        let path = self.path.clone();
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| Error::state(&path, e))?;
        let usage = usage_in(&tx, day).map_err(|e| Error::state(&path, e))?;
        let (out, model, record) = f(&usage);
        if let Some(model) = model {
            increment(&tx, day, &model).map_err(|e| Error::state(&path, e))?;
        }
        if let Some(r) = record {
            insert_decision(&tx, &r).map_err(|e| Error::state(&path, e))?;
        }
        tx.commit().map_err(|e| Error::state(&path, e))?;
        Ok(out)
    }

    /// Deletes the day's counters (of one model, or all). Returns the number of rows removed.
    pub fn reset(&mut self, day: &str, model: Option<&str>) -> Result<usize> {
        let n = match model {
            Some(m) => self.conn.execute("DELETE FROM quota_usage WHERE day = ?1 AND model = ?2", params![day, m]),
            None => self.conn.execute("DELETE FROM quota_usage WHERE day = ?1", params![day]),
        };
        n.map_err(|e| self.err(e))
    }

    /// Runs `f` inside one write transaction: everything it does lands, or nothing does.
    pub fn transaction<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let path = self.path.clone();
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| Error::state(&path, e))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| Error::state(&path, e))?;
        Ok(out)
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Settles a request counted at decision time once it is known which model answered: the
    /// decided model's count is released, the answering model (if any) is counted, and the
    /// decision log names it — or, when nothing answered, the decision is removed. One
    /// transaction.
    pub fn settle(&mut self, day: &str, request_id: &str, decided: &str, answered: Option<&str>) -> Result<()> {
        let path = self.path.clone();
        self.transaction(|tx| {
            let e = |e: rusqlite::Error| Error::state(&path, e);
            tx.execute(
                "UPDATE quota_usage SET used = used - 1 WHERE day = ?1 AND model = ?2 AND used > 0",
                params![day, decided],
            )
            .map_err(e)?;
            match answered {
                Some(m) => {
                    increment(tx, day, m).map_err(e)?;
                    set_decision_model(tx, request_id, m).map_err(e)?;
                }
                None => {
                    tx.execute("DELETE FROM decisions WHERE request_id = ?1", params![request_id]).map_err(e)?;
                }
            }
            Ok(())
        })
    }

    /// Used count of one model on one day.
    pub fn used(&self, day: &str, model: &str) -> Result<u64> {
        self.conn
            .query_row("SELECT used FROM quota_usage WHERE day = ?1 AND model = ?2", params![day, model], |r| r.get(0))
            .optional()
            .map(|v: Option<i64>| v.unwrap_or(0).max(0) as u64)
            .map_err(|e| self.err(e))
    }
}

fn usage_in(conn: &Connection, day: &str) -> rusqlite::Result<BTreeMap<String, u64>> {
    let mut stmt = conn.prepare_cached("SELECT model, used FROM quota_usage WHERE day = ?1")?;
    let rows = stmt.query_map(params![day], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    rows.map(|r| r.map(|(m, u)| (m, u.max(0) as u64))).collect()
}

fn increment(tx: &Transaction, day: &str, model: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO quota_usage (day, model, used) VALUES (?1, ?2, 1)
         ON CONFLICT (day, model) DO UPDATE SET used = used + 1",
        params![day, model],
    )?;
    Ok(())
}

/// A logged routing decision.
#[derive(Debug, Clone)]
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
}

fn insert_decision(tx: &Transaction, r: &DecisionRecord) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO decisions (request_id, ts, prompt_hash, prompt, model, method, rule, tier, strategy, estimated_cost, arm)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (request_id) DO UPDATE SET ts = excluded.ts, prompt_hash = excluded.prompt_hash,
           prompt = excluded.prompt, model = excluded.model, method = excluded.method, rule = excluded.rule,
           tier = excluded.tier, strategy = excluded.strategy, estimated_cost = excluded.estimated_cost, arm = excluded.arm",
        params![
            r.request_id,
            r.ts,
            r.prompt_hash,
            r.prompt,
            r.model,
            r.method,
            r.rule,
            r.tier,
            r.strategy,
            r.estimated_cost,
            r.arm
        ],
    )?;
    Ok(())
}

/// Looks a logged decision up by request id.
pub fn find_decision(conn: &Connection, request_id: &str) -> rusqlite::Result<Option<DecisionRecord>> {
    conn.query_row(
        "SELECT request_id, ts, prompt_hash, prompt, model, method, rule, tier, strategy, estimated_cost, arm
         FROM decisions WHERE request_id = ?1",
        params![request_id],
        |r| {
            Ok(DecisionRecord {
                request_id: r.get(0)?,
                ts: r.get(1)?,
                prompt_hash: r.get(2)?,
                prompt: r.get(3)?,
                model: r.get(4)?,
                method: r.get(5)?,
                rule: r.get(6)?,
                tier: r.get(7)?,
                strategy: r.get(8)?,
                estimated_cost: r.get(9)?,
                arm: r.get(10)?,
            })
        },
    )
    .optional()
}

/// One feedback record (latest per request id).
#[derive(Debug, Clone, PartialEq)]
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

/// Inserts or replaces feedback; returns whether an earlier record was replaced.
pub fn upsert_feedback(conn: &Connection, f: &FeedbackRecord) -> rusqlite::Result<bool> {
    let existed: bool = conn
        .query_row("SELECT 1 FROM feedback WHERE request_id = ?1", params![f.request_id], |_| Ok(true))
        .optional()?
        .is_some();
    conn.execute(
        "INSERT INTO feedback (request_id, ts, model, rule, method, tier, arm, rating, success, latency_ms, cost)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (request_id) DO UPDATE SET ts = excluded.ts, model = excluded.model, rule = excluded.rule,
           method = excluded.method, tier = excluded.tier, arm = excluded.arm, rating = excluded.rating,
           success = excluded.success, latency_ms = excluded.latency_ms, cost = excluded.cost",
        params![
            f.request_id,
            f.ts,
            f.model,
            f.rule,
            f.method,
            f.tier,
            f.arm,
            f.rating,
            f.success,
            f.latency_ms,
            f.cost
        ],
    )?;
    Ok(existed)
}

/// Feedback with `ts >= since` (all when `None`), ordered by time then request id.
pub fn feedback_since(conn: &Connection, since: Option<i64>) -> rusqlite::Result<Vec<FeedbackRecord>> {
    let mut stmt = conn.prepare(
        "SELECT request_id, ts, model, rule, method, tier, arm, rating, success, latency_ms, cost
         FROM feedback WHERE ts >= ?1 ORDER BY ts, request_id",
    )?;
    let rows = stmt.query_map(params![since.unwrap_or(i64::MIN)], |r| {
        Ok(FeedbackRecord {
            request_id: r.get(0)?,
            ts: r.get(1)?,
            model: r.get(2)?,
            rule: r.get(3)?,
            method: r.get(4)?,
            tier: r.get(5)?,
            arm: r.get(6)?,
            rating: r.get(7)?,
            success: r.get(8)?,
            latency_ms: r.get(9)?,
            cost: r.get(10)?,
        })
    })?;
    rows.collect()
}

/// Records which model actually answered a logged request (after a fallback).
pub fn set_decision_model(conn: &Connection, request_id: &str, model: &str) -> rusqlite::Result<()> {
    conn.execute("UPDATE decisions SET model = ?2 WHERE request_id = ?1", params![request_id, model])?;
    Ok(())
}
