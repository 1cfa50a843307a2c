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
const MIGRATIONS: &[&str] = &["CREATE TABLE quota_usage (
        day   TEXT    NOT NULL,
        model TEXT    NOT NULL,
        used  INTEGER NOT NULL,
        PRIMARY KEY (day, model)
    ) WITHOUT ROWID;"];

pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LLMROUTE_STATE").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()).map(PathBuf::from).or_else(|| {
        std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".local/state"))
    })?;
    Some(base.join("llmroute").join("state.db"))
}

/// Resolves the store path from the flag or the environment.
pub fn resolve_path(flag: Option<&Path>) -> Result<PathBuf> {
    match flag {
        Some(p) => Ok(p.to_path_buf()),
        None => default_path()
            .ok_or_else(|| Error::usage("cannot locate the state store: set `--state`, `LLMROUTE_STATE` or `HOME`")),
    }
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

    /// Opens the store only if it already exists (read paths such as `--dry-run` create nothing).
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
        let path = self.path.clone();
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| Error::state(&path, e))?;
        let usage = usage_in(&tx, day).map_err(|e| Error::state(&path, e))?;
        let (out, model) = f(&usage);
        if let Some(model) = model {
            increment(&tx, day, &model).map_err(|e| Error::state(&path, e))?;
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
