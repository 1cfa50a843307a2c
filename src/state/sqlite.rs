//! The embedded SQLite backend: one file per machine, the default.
//!
//! Counting is atomic across processes: the quota check and the increment happen inside one
//! `BEGIN IMMEDIATE` transaction, which SQLite serialises between writers (WAL mode, with a busy
//! timeout so concurrent processes wait rather than fail). The schema version lives in
//! `PRAGMA user_version`; migrations run in order inside one transaction. `state import` is one
//! `BEGIN IMMEDIATE` transaction too (counters, decisions and feedback together): a write that
//! fails midway — a full disk — rolls all of it back. `state export` reads the three tables in
//! one read transaction, row by row, and the spend report selects no prompt column.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params};

use super::{
    AnswerUsage, Backend, Decide, DecisionRecord, DecisionSink, FeedbackRecord, QuotaRow, Record, Records, Sink, Usage,
};
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
    "CREATE INDEX decisions_ts ON decisions (ts);",
    "ALTER TABLE decisions ADD COLUMN input_tokens INTEGER;
     ALTER TABLE decisions ADD COLUMN output_tokens INTEGER;
     ALTER TABLE decisions ADD COLUMN cost REAL;",
];

pub(super) struct Sqlite {
    conn: Connection,
    path: PathBuf,
}

impl Sqlite {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub(super) fn open(path: &Path) -> Result<Sqlite> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::state(path, format!("cannot create directory: {e}")))?;
        }
        let conn = Connection::open(path).map_err(|e| Error::state(path, e))?;
        Sqlite::ready(conn, path)
    }

    /// Opens the store only if it already exists, for writing.
    pub(super) fn open_existing(path: &Path) -> Result<Option<Sqlite>> {
        if !path.exists() {
            return Ok(None);
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| Error::state(path, e))?;
        Sqlite::ready(conn, path).map(Some)
    }

    /// Opens the store only if it already exists, for reading: nothing is created, and a
    /// read-only store file is fine.
    pub(super) fn open_read(path: &Path) -> Result<Option<Sqlite>> {
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
            return Sqlite::open_existing(path);
        }
        Ok(Some(Sqlite { conn, path: path.to_path_buf() }))
    }

    fn ready(conn: Connection, path: &Path) -> Result<Sqlite> {
        let mut s = Sqlite { conn, path: path.to_path_buf() };
        s.conn.busy_timeout(Duration::from_secs(30)).map_err(|e| s.err(e))?;
        // Some file systems refuse WAL and keep the rollback journal, which still serialises
        // writers; either answer is fine.
        let _mode: String = s.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(|e| s.err(e))?;
        // Pages read through a memory map instead of a read call each.
        s.conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA mmap_size = 268435456").map_err(|e| s.err(e))?;
        s.migrate()?;
        Ok(s)
    }

    fn err(&self, e: impl std::fmt::Display) -> Error {
        Error::state(&self.path, e)
    }

    fn migrate(&mut self) -> Result<()> {
        let current: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        let want = MIGRATIONS.len() as i64;
        if current == want {
            return Ok(());
        }
        if current > want {
            return Err(self.err(format!(
                "schema version {current} is newer than this llmroute understands ({want}); upgrade llmroute"
            )));
        }
        self.write(|tx| {
            // Re-read inside the lock: another process may have migrated meanwhile.
            let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            for sql in MIGRATIONS.iter().skip(current.max(0) as usize) {
                tx.execute_batch(sql)?;
            }
            tx.execute_batch(&format!("PRAGMA user_version = {want}"))
        })
    }

    /// Runs `f` inside one `BEGIN IMMEDIATE` transaction: everything it does lands, or nothing.
    fn write<T>(&mut self, f: impl FnOnce(&Transaction) -> rusqlite::Result<T>) -> Result<T> {
        let path = self.path.clone();
        let e = |e: rusqlite::Error| Error::state(&path, e);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(e)?;
        let out = f(&tx).map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(out)
    }
}

impl Backend for Sqlite {
    fn place(&self) -> String {
        self.path.display().to_string()
    }

    fn usage(&mut self, day: &str) -> Result<Usage> {
        usage_in(&self.conn, day).map_err(|e| self.err(e))
    }

    fn count_and_log(&mut self, day: &str, f: &mut Decide<'_>) -> Result<()> {
        self.write(|tx| {
            let usage = usage_in(tx, day)?;
            let (model, record) = f(&usage);
            if let Some(model) = model {
                increment(tx, day, &model)?;
            }
            if let Some(r) = record {
                insert_decision(tx, &r)?;
            }
            Ok(())
        })
    }

    fn reset(&mut self, day: &str, model: Option<&str>) -> Result<usize> {
        let n = match model {
            Some(m) => self.conn.execute("DELETE FROM quota_usage WHERE day = ?1 AND model = ?2", params![day, m]),
            None => self.conn.execute("DELETE FROM quota_usage WHERE day = ?1", params![day]),
        };
        n.map_err(|e| self.err(e))
    }

    fn settle(&mut self, day: &str, request_id: &str, decided: &str, answered: Option<&str>) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE quota_usage SET used = used - 1 WHERE day = ?1 AND model = ?2 AND used > 0",
                params![day, decided],
            )?;
            match answered {
                Some(m) => {
                    increment(tx, day, m)?;
                    tx.execute("UPDATE decisions SET model = ?2 WHERE request_id = ?1", params![request_id, m])?;
                }
                None => {
                    tx.execute("DELETE FROM decisions WHERE request_id = ?1", params![request_id])?;
                }
            }
            Ok(())
        })
    }

    fn record_usage(&mut self, answers: &[AnswerUsage]) -> Result<()> {
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "UPDATE decisions SET input_tokens = ?2, output_tokens = ?3, cost = ?4 WHERE request_id = ?1",
            )?;
            for a in answers {
                stmt.execute(params![a.request_id, a.input_tokens as i64, a.output_tokens as i64, a.cost])?;
            }
            Ok(())
        })
    }

    fn defer_checkpoints(&mut self) -> Result<()> {
        self.conn.execute_batch("PRAGMA wal_autocheckpoint = 0").map_err(|e| self.err(e))
    }

    fn checkpoint(&mut self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())).map_err(|e| self.err(e))
    }

    fn find_decision(&mut self, request_id: &str) -> Result<Option<DecisionRecord>> {
        self.conn
            .query_row(&format!("SELECT {DECISION_COLS} FROM decisions WHERE request_id = ?1"), [request_id], decision)
            .optional()
            .map_err(|e| self.err(e))
    }

    fn scan_decisions(&mut self, since: Option<i64>, text: bool, f: &mut DecisionSink<'_>) -> Result<()> {
        let path = self.path.clone();
        let e = |e: rusqlite::Error| Error::state(&path, e);
        let cols = if text { DECISION_COLS } else { COST_COLS };
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {cols} FROM decisions WHERE ts >= ?1 ORDER BY ts, request_id"))
            .map_err(e)?;
        let mut rows = stmt.query([since.unwrap_or(i64::MIN)]).map_err(e)?;
        while let Some(row) = rows.next().map_err(e)? {
            f(decision(row).map_err(e)?)?;
        }
        Ok(())
    }

    fn log_decisions(&mut self, records: &[DecisionRecord]) -> Result<()> {
        self.write(|tx| records.iter().try_for_each(|r| insert_decision(tx, r)))
    }

    fn upsert_feedback(&mut self, records: &[FeedbackRecord]) -> Result<usize> {
        self.write(|tx| {
            let mut replaced = 0;
            for f in records {
                replaced += usize::from(upsert_feedback(tx, f)?);
            }
            Ok(replaced)
        })
    }

    fn feedback_since(&mut self, since: Option<i64>) -> Result<Vec<FeedbackRecord>> {
        let run = || -> rusqlite::Result<Vec<FeedbackRecord>> {
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT {FEEDBACK_COLS} FROM feedback WHERE ts >= ?1 ORDER BY ts, request_id"))?;
            let rows = stmt.query_map(params![since.unwrap_or(i64::MIN)], feedback)?;
            rows.collect()
        };
        run().map_err(|e| self.err(e))
    }

    fn quota_rows(&mut self) -> Result<Vec<QuotaRow>> {
        let run = || -> rusqlite::Result<Vec<QuotaRow>> {
            let mut stmt = self.conn.prepare("SELECT day, model, used FROM quota_usage ORDER BY day, model")?;
            let rows = stmt.query_map([], quota_row)?;
            rows.collect()
        };
        run().map_err(|e| self.err(e))
    }

    fn merge_quota(&mut self, rows: &[QuotaRow]) -> Result<()> {
        self.write(|tx| rows.iter().try_for_each(|q| merge_counter(tx, q)))
    }

    fn reserve(&mut self, day: &str, model: &str, limit: Option<u64>) -> Result<bool> {
        let limit = limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
        self.write(|tx| {
            tx.prepare_cached("INSERT INTO quota_usage (day, model, used) VALUES (?1, ?2, 0) ON CONFLICT (day, model) DO NOTHING")?
                .execute(params![day, model])?;
            let n = tx
                .prepare_cached(
                    "UPDATE quota_usage SET used = used + 1 WHERE day = ?1 AND model = ?2 AND (?3 IS NULL OR used < ?3)",
                )?
                .execute(params![day, model, limit])?;
            Ok(n == 1)
        })
    }

    fn release(&mut self, day: &str, model: &str) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached("UPDATE quota_usage SET used = used - 1 WHERE day = ?1 AND model = ?2 AND used > 0")?
                .execute(params![day, model])?;
            Ok(())
        })
    }

    fn relabel(&mut self, request_id: &str, answered: Option<&str>) -> Result<()> {
        self.write(|tx| {
            match answered {
                Some(m) => {
                    tx.execute("UPDATE decisions SET model = ?2 WHERE request_id = ?1", params![request_id, m])?
                }
                None => tx.execute("DELETE FROM decisions WHERE request_id = ?1", params![request_id])?,
            };
            Ok(())
        })
    }
    fn export(&mut self, f: &mut Sink<'_>) -> Result<()> {
        let path = self.path.clone();
        let e = |e: rusqlite::Error| Error::state(&path, e);
        // One read transaction: the three tables as of one moment, row by row.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Deferred).map_err(e)?;
        {
            let mut stmt = tx.prepare("SELECT day, model, used FROM quota_usage ORDER BY day, model").map_err(e)?;
            let mut rows = stmt.query([]).map_err(e)?;
            while let Some(r) = rows.next().map_err(e)? {
                f(Record::Quota(quota_row(r).map_err(e)?), None)?;
            }
            // Sorted by row ids only, each row then read by its id: sorting whole rows would hold
            // every prompt in SQLite's sorter at once. The prompt itself is streamed from the
            // file (incremental blob I/O), never held whole.
            let mut order = tx.prepare("SELECT rowid FROM decisions ORDER BY ts, request_id").map_err(e)?;
            let cols = DECISION_COLS.replacen("prompt,", "NULL,", 1);
            let mut one = tx
                .prepare(&format!("SELECT {cols}, typeof(prompt) != 'null' FROM decisions WHERE rowid = ?1"))
                .map_err(e)?;
            let mut ids = order.query([]).map_err(e)?;
            while let Some(id) = ids.next().map_err(e)? {
                let id: i64 = id.get(0).map_err(e)?;
                let mut rows = one.query([id]).map_err(e)?;
                if let Some(r) = rows.next().map_err(e)? {
                    let d = decision(r).map_err(e)?;
                    let has_prompt: bool = r.get(14).map_err(e)?;
                    if has_prompt {
                        let mut blob = tx.blob_open(rusqlite::MAIN_DB, "decisions", "prompt", id, true).map_err(e)?;
                        f(Record::Decision(d), Some(&mut blob))?;
                    } else {
                        f(Record::Decision(d), None)?;
                    }
                }
            }
            let mut stmt =
                tx.prepare(&format!("SELECT {FEEDBACK_COLS} FROM feedback ORDER BY ts, request_id")).map_err(e)?;
            let mut rows = stmt.query([]).map_err(e)?;
            while let Some(r) = rows.next().map_err(e)? {
                f(Record::Feedback(feedback(r).map_err(e)?), None)?;
            }
        }
        tx.commit().map_err(e)
    }

    fn import(&mut self, next: &mut Records<'_>) -> Result<()> {
        let path = self.path.clone();
        let e = |e: rusqlite::Error| Error::state(&path, e);
        // One `BEGIN IMMEDIATE` transaction: dropped without a commit (a record or a write
        // failed), it rolls back and nothing was written.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(e)?;
        while let Some(record) = next()? {
            match record {
                Record::Quota(q) => merge_counter(&tx, &q),
                Record::Decision(d) => insert_decision(&tx, &d),
                Record::Feedback(fb) => upsert_feedback(&tx, &fb).map(|_| ()),
            }
            .map_err(e)?;
        }
        tx.commit().map_err(e)
    }
}

fn merge_counter(tx: &Transaction, q: &QuotaRow) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO quota_usage (day, model, used) VALUES (?1, ?2, ?3)
         ON CONFLICT (day, model) DO UPDATE SET used = max(used, excluded.used)",
    )?
    .execute(params![q.day, q.model, i64::try_from(q.used).unwrap_or(i64::MAX)])?;
    Ok(())
}

fn quota_row(r: &rusqlite::Row) -> rusqlite::Result<QuotaRow> {
    Ok(QuotaRow { day: r.get(0)?, model: r.get(1)?, used: r.get::<_, i64>(2)?.max(0) as u64 })
}

const FEEDBACK_COLS: &str = "request_id, ts, model, rule, method, tier, arm, rating, success, latency_ms, cost";

fn feedback(r: &rusqlite::Row) -> rusqlite::Result<FeedbackRecord> {
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
}

fn usage_in(conn: &Connection, day: &str) -> rusqlite::Result<Usage> {
    let mut stmt = conn.prepare_cached("SELECT model, used FROM quota_usage WHERE day = ?1")?;
    let rows = stmt.query_map(params![day], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    rows.map(|r| r.map(|(m, u)| (m, u.max(0) as u64))).collect()
}

fn increment(tx: &Transaction, day: &str, model: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO quota_usage (day, model, used) VALUES (?1, ?2, 1)
         ON CONFLICT (day, model) DO UPDATE SET used = used + 1",
    )?
    .execute(params![day, model])?;
    Ok(())
}

const DECISION_COLS: &str = "request_id, ts, prompt_hash, prompt, model, method, rule, tier, strategy, estimated_cost, arm, \
                             input_tokens, output_tokens, cost";

fn decision(r: &rusqlite::Row) -> rusqlite::Result<DecisionRecord> {
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
        input_tokens: r.get::<_, Option<i64>>(11)?.map(|t| t.max(0) as u64),
        output_tokens: r.get::<_, Option<i64>>(12)?.map(|t| t.max(0) as u64),
        cost: r.get(13)?,
    })
}

/// What the spend report reads: the decision columns with the prompt and its hash left out (read
/// by the same row reader as [`DECISION_COLS`]).
const COST_COLS: &str = "request_id, ts, '', NULL, model, method, rule, tier, strategy, estimated_cost, arm, \
                         input_tokens, output_tokens, cost";

fn insert_decision(tx: &Transaction, r: &DecisionRecord) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO decisions (request_id, ts, prompt_hash, prompt, model, method, rule, tier, strategy, estimated_cost, arm,
           input_tokens, output_tokens, cost)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (request_id) DO UPDATE SET ts = excluded.ts, prompt_hash = excluded.prompt_hash,
           prompt = excluded.prompt, model = excluded.model, method = excluded.method, rule = excluded.rule,
           tier = excluded.tier, strategy = excluded.strategy, estimated_cost = excluded.estimated_cost, arm = excluded.arm,
           input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, cost = excluded.cost",
    )?
    .execute(params![
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
        r.arm,
        r.input_tokens.map(|t| t as i64),
        r.output_tokens.map(|t| t as i64),
        r.cost
    ])?;
    Ok(())
}

/// Inserts or replaces feedback; returns whether an earlier record was replaced.
fn upsert_feedback(tx: &Transaction, f: &FeedbackRecord) -> rusqlite::Result<bool> {
    let existed: bool = tx
        .query_row("SELECT 1 FROM feedback WHERE request_id = ?1", params![f.request_id], |_| Ok(true))
        .optional()?
        .is_some();
    tx.execute(
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
