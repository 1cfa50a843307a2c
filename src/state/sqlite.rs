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

#[cfg(test)]
mod tests {
    use super::super::transfer;
    use super::super::{Backend, DecisionRecord, Event, FeedbackRecord, QuotaRow, Store, Usage};
    use super::*;
    use crate::error::Error;

    const DAY: &str = "2026-03-01";

    fn open(dir: &tempfile::TempDir, name: &str) -> Sqlite {
        Sqlite::open(&dir.path().join(name)).unwrap_or_else(|e| panic!("{e}"))
    }

    fn decision(id: &str, model: &str, ts: i64) -> DecisionRecord {
        DecisionRecord {
            request_id: id.to_string(),
            ts,
            prompt_hash: "ab".repeat(32),
            prompt: Some("translate \"hi\"\nto French".to_string()),
            model: model.to_string(),
            method: "rule".to_string(),
            rule: Some("tag_translate".to_string()),
            tier: None,
            strategy: "chain".to_string(),
            estimated_cost: 0.000125,
            arm: "control".to_string(),
            input_tokens: Some(12),
            output_tokens: Some(30),
            cost: None,
        }
    }

    fn usage_of(b: &mut Sqlite, model: &str) -> Option<u64> {
        b.usage(DAY).unwrap_or_else(|e| panic!("{e}")).get(model).copied()
    }

    #[test]
    fn reserve_counts_up_to_the_limit_and_release_never_goes_below_zero() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = open(&dir, "s.db");
        assert!(b.reserve(DAY, "gpt-4o", Some(2)).unwrap());
        assert!(b.reserve(DAY, "gpt-4o", Some(2)).unwrap());
        assert!(!b.reserve(DAY, "gpt-4o", Some(2)).unwrap());
        assert_eq!(usage_of(&mut b, "gpt-4o"), Some(2));
        // Without a limit every call is counted.
        assert!(b.reserve(DAY, "gpt-4o", None).unwrap());
        assert_eq!(usage_of(&mut b, "gpt-4o"), Some(3));
        for _ in 0..5 {
            b.release(DAY, "gpt-4o").unwrap();
        }
        assert_eq!(usage_of(&mut b, "gpt-4o"), Some(0));
        // Another day and another model are counted apart.
        assert!(b.reserve("2026-03-02", "gpt-4o", Some(1)).unwrap());
        assert_eq!(usage_of(&mut b, "gpt-4o"), Some(0));
        assert_eq!(usage_of(&mut b, "claude-3-haiku"), None);
        // Released to zero, the quota takes calls again.
        assert!(b.reserve(DAY, "gpt-4o", Some(1)).unwrap());
        assert!(!b.reserve(DAY, "gpt-4o", Some(1)).unwrap());
    }

    #[test]
    fn relabel_names_the_answering_model_or_removes_the_decision_and_leaves_counters() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = open(&dir, "s.db");
        b.log_decisions(&[decision("r-1", "gpt-4o-mini", 10), decision("r-2", "gpt-4o-mini", 11)]).unwrap();
        assert!(b.reserve(DAY, "gpt-4o-mini", None).unwrap());
        b.relabel("r-1", Some("gpt-4o")).unwrap();
        let found = b.find_decision("r-1").unwrap().map(|d| d.model);
        assert_eq!(found.as_deref(), Some("gpt-4o"));
        b.relabel("r-2", None).unwrap();
        assert_eq!(b.find_decision("r-2").unwrap(), None);
        // An unknown id is left alone, and no counter moved.
        b.relabel("r-404", Some("gpt-4o")).unwrap();
        assert_eq!(b.find_decision("r-404").unwrap(), None);
        let want: Usage = [("gpt-4o-mini".to_string(), 1)].into_iter().collect();
        assert_eq!(b.usage(DAY).unwrap(), want);
    }

    #[test]
    fn settle_moves_the_count_to_the_model_that_answered() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = open(&dir, "s.db");
        b.log_decisions(&[decision("r-1", "gpt-4o-mini", 10)]).unwrap();
        assert!(b.reserve(DAY, "gpt-4o-mini", None).unwrap());
        b.settle(DAY, "r-1", "gpt-4o-mini", Some("claude-3-haiku")).unwrap();
        assert_eq!(usage_of(&mut b, "gpt-4o-mini"), Some(0));
        assert_eq!(usage_of(&mut b, "claude-3-haiku"), Some(1));
        assert_eq!(b.find_decision("r-1").unwrap().map(|d| d.model).as_deref(), Some("claude-3-haiku"));
    }

    fn export_text(store: &mut Store) -> (String, transfer::Counts) {
        let mut out = Vec::new();
        let counts = transfer::export(store, &mut out, &|e| Error::usage(e.to_string())).unwrap();
        (String::from_utf8(out).unwrap(), counts)
    }

    #[test]
    fn export_then_import_into_a_fresh_store_gives_the_same_export() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::Config::from_str(crate::config::EMBEDDED_DEFAULT, crate::config::Source::Embedded)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut a = open(&dir, "a.db");
        a.merge_quota(&[QuotaRow { day: DAY.to_string(), model: "gpt-4o".to_string(), used: 7 }]).unwrap();
        a.log_decisions(&[decision("r-2", "gpt-4o", 20), decision("r-1", "gpt-4o-mini", 10)]).unwrap();
        let feedback = FeedbackRecord {
            request_id: "r-1".to_string(),
            ts: 30,
            model: "gpt-4o-mini".to_string(),
            rule: None,
            method: Some("rule".to_string()),
            tier: None,
            arm: Some("canary".to_string()),
            rating: Some(4.0),
            success: Some(true),
            latency_ms: Some(812.5),
            cost: Some(0.0003),
        };
        a.upsert_feedback(std::slice::from_ref(&feedback)).unwrap();
        let mut a = Store { backend: Box::new(a), local: None };
        let (text, counts) = export_text(&mut a);
        assert_eq!(counts, transfer::Counts { quota: 1, decisions: 2, feedback: 1 });
        assert_eq!(text.lines().count(), 4);
        // Sorted: the counter, then decisions by time, then feedback.
        let kinds: Vec<&str> = text.lines().map(|l| &l[..l.find(',').unwrap_or(0)]).collect();
        assert_eq!(
            kinds,
            ["{\"kind\":\"quota\"", "{\"kind\":\"decision\"", "{\"kind\":\"decision\"", "{\"kind\":\"feedback\""]
        );
        assert!(text.lines().nth(1).is_some_and(|l| l.contains("\"request_id\":\"r-1\"")), "{text}");
        let file = dir.path().join("dump.jsonl");
        std::fs::write(&file, &text).unwrap();
        let b_path = dir.path().join("b.db");
        let (moved, place) =
            transfer::import(&config, &file, || Ok(Store { backend: Box::new(Sqlite::open(&b_path)?), local: None }))
                .unwrap();
        assert_eq!(moved, counts);
        assert_eq!(place, b_path.display().to_string());
        let mut b = Store { backend: Box::new(Sqlite::open(&b_path).unwrap()), local: None };
        assert_eq!(export_text(&mut b).0, text);
        assert_eq!(b.feedback_since(None).unwrap(), vec![feedback]);
        // Importing again counts nothing twice: a counter is raised, never added to.
        transfer::import(&config, &file, || Ok(Store { backend: Box::new(Sqlite::open(&b_path)?), local: None }))
            .unwrap();
        assert_eq!(b.quota_rows().unwrap(), vec![QuotaRow { day: DAY.to_string(), model: "gpt-4o".into(), used: 7 }]);
    }

    /// A configured store that is down for the first `down` operations.
    struct Flaky {
        down: usize,
        inner: Sqlite,
    }

    impl Flaky {
        fn up(&mut self) -> Result<&mut Sqlite> {
            if self.down > 0 {
                self.down -= 1;
                return Err(Error::StateUnavailable { place: "redis://test".into(), message: "refused".into() });
            }
            Ok(&mut self.inner)
        }
    }

    impl Backend for Flaky {
        fn place(&self) -> String {
            "redis://test".to_string()
        }
        fn usage(&mut self, day: &str) -> Result<Usage> {
            self.up()?.usage(day)
        }
        fn count_and_log(&mut self, day: &str, f: &mut Decide<'_>) -> Result<()> {
            self.up()?.count_and_log(day, f)
        }
        fn reset(&mut self, day: &str, model: Option<&str>) -> Result<usize> {
            self.up()?.reset(day, model)
        }
        fn settle(&mut self, day: &str, id: &str, decided: &str, answered: Option<&str>) -> Result<()> {
            self.up()?.settle(day, id, decided, answered)
        }
        fn record_usage(&mut self, answers: &[AnswerUsage]) -> Result<()> {
            self.up()?.record_usage(answers)
        }
        fn find_decision(&mut self, id: &str) -> Result<Option<DecisionRecord>> {
            self.up()?.find_decision(id)
        }
        fn scan_decisions(&mut self, since: Option<i64>, text: bool, f: &mut DecisionSink<'_>) -> Result<()> {
            self.up()?.scan_decisions(since, text, f)
        }
        fn log_decisions(&mut self, records: &[DecisionRecord]) -> Result<()> {
            self.up()?.log_decisions(records)
        }
        fn upsert_feedback(&mut self, records: &[FeedbackRecord]) -> Result<usize> {
            self.up()?.upsert_feedback(records)
        }
        fn feedback_since(&mut self, since: Option<i64>) -> Result<Vec<FeedbackRecord>> {
            self.up()?.feedback_since(since)
        }
        fn quota_rows(&mut self) -> Result<Vec<QuotaRow>> {
            self.up()?.quota_rows()
        }
        fn merge_quota(&mut self, rows: &[QuotaRow]) -> Result<()> {
            self.up()?.merge_quota(rows)
        }
        fn reserve(&mut self, day: &str, model: &str, limit: Option<u64>) -> Result<bool> {
            self.up()?.reserve(day, model, limit)
        }
        fn release(&mut self, day: &str, model: &str) -> Result<()> {
            self.up()?.release(day, model)
        }
        fn relabel(&mut self, id: &str, answered: Option<&str>) -> Result<()> {
            self.up()?.relabel(id, answered)
        }
        fn export(&mut self, f: &mut Sink<'_>) -> Result<()> {
            self.up()?.export(f)
        }
        fn import(&mut self, next: &mut Records<'_>) -> Result<()> {
            self.up()?.import(next)
        }
    }

    static SEEN: std::sync::Mutex<Vec<Event>> = std::sync::Mutex::new(Vec::new());

    #[test]
    fn an_outage_falls_back_to_the_local_file_and_reports_it_once_then_the_return() {
        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().join("local.db");
        let flaky = Flaky { down: 2, inner: open(&dir, "remote.db") };
        let mut store = Store { backend: Box::new(flaky), local: Some((local.clone(), None)) };
        super::super::set_reporter(|e| SEEN.lock().unwrap().push(e.clone()));
        let before = super::super::LOCAL_FALLBACKS.load(std::sync::atomic::Ordering::Relaxed);
        // Two operations during the outage count in the local file; the third reaches the store.
        assert!(store.reserve(DAY, "gpt-4o", Some(5)).unwrap());
        assert!(store.reserve(DAY, "gpt-4o", Some(5)).unwrap());
        assert_eq!(store.usage(DAY).unwrap().get("gpt-4o"), None);
        let after = super::super::LOCAL_FALLBACKS.load(std::sync::atomic::Ordering::Relaxed);
        assert!(after >= before + 2);
        let mut local = Sqlite::open(&local).unwrap();
        assert_eq!(usage_of(&mut local, "gpt-4o"), Some(2));
        let seen = SEEN.lock().unwrap().clone();
        assert_eq!(
            seen,
            vec![
                Event::FellBack {
                    place: "redis://test".into(),
                    reason: "refused".into(),
                    local: dir.path().join("local.db")
                },
                Event::Back { place: "redis://test".into() },
            ]
        );
    }
}
