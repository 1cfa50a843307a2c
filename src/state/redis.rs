//! The Redis backend: one truth for many instances.
//!
//! Key layout (`P` is `[state] key_prefix`, `llmroute:` by default):
//!
//! | key                  | type   | holds |
//! |----------------------|--------|-------|
//! | `P` `quota:` DAY     | hash   | model → requests counted on DAY (the quota day in the configured time zone); expires two days after its last write |
//! | `P` `decision:` ID   | hash   | one logged decision (the fields of the SQLite `decisions` table; absent fields are NULL) |
//! | `P` `decisions`      | zset   | request ids scored by decision time |
//! | `P` `feedback:` ID   | hash   | the latest feedback for a request |
//! | `P` `feedbacks`      | zset   | request ids scored by feedback time |
//!
//! The quota check and increment are one server-side step: the decision is computed from the
//! usage read, then a Lua script counts it only if the chosen model's counter still holds the value
//! the decision saw (and logs the decision in the same script); otherwise the decision is made
//! again on fresh usage. Each attempt carries a random marker (`P` `op:` MARKER, kept 60 s) that
//! the script sets when it applies: when a connection breaks mid-call the attempt is sent once
//! more on a new connection, and a script that had already run answers "done" instead of counting
//! again — so a request is never counted twice. When Redis stays unreachable the error reaches
//! the caller (exit 5, or HTTP 503 from the gateway).
//! Durability is Redis's own (`appendonly yes` keeps the log across restarts).
//!
//! `state import` is one MULTI/EXEC transaction: the records are queued as script calls of at
//! most 256 records or 8 MiB each while the file is read, and EXEC applies them all at once, so
//! other clients see none of the import or all of it, and a connection lost, a record that fails
//! its checks or a command refused while queueing (the server out of memory) leaves nothing
//! written. Redis does not roll back a command that fails while EXEC runs; the only such failure
//! here is a key under the prefix holding another type, which the import checks (on a second
//! connection) before queueing anything that writes it. `state export` reads decisions and
//! feedback in pages (32 decisions at a time with their prompts); the spend report reads only the
//! fields it adds up (HMGET), never a prompt.

use std::collections::HashMap;
use std::sync::LazyLock;

use redis::{Connection, RedisError, Script};

use super::{
    AnswerUsage, Backend, Decide, DecisionRecord, DecisionSink, FeedbackRecord, QuotaRow, Record, Records, RedisTarget,
    Sink, Usage,
};
use crate::error::{Error, Result};

/// Seconds a day's counters live after their last write (the day and a day of grace for
/// `quota` on the morning after).
const QUOTA_TTL_SECS: u64 = 2 * 86_400;
/// Attempts of one decision when other instances keep counting the same model meanwhile.
const MAX_CAS_ATTEMPTS: usize = 10_000;

const COUNT_LUA: &str = r"
-- KEYS: quota hash, decision hash, decisions zset, this attempt's marker
-- ARGV: model ('' none), expected used, ttl, ts, request id ('' none), field/value pairs...
if redis.call('EXISTS', KEYS[4]) == 1 then return 1 end
if ARGV[1] ~= '' then
  local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
  if cur ~= tonumber(ARGV[2]) then return 0 end
  redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
if ARGV[5] ~= '' then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[2], unpack(ARGV, 6))
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
end
redis.call('SET', KEYS[4], 1, 'EX', 60)
return 1
";

const SETTLE_LUA: &str = r"
-- KEYS: quota hash, decision hash, decisions zset, this attempt's marker
-- ARGV: decided model, answered model ('' none), request id, ttl
if redis.call('EXISTS', KEYS[4]) == 1 then return 1 end
local d = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if d > 0 then redis.call('HINCRBY', KEYS[1], ARGV[1], -1) end
if ARGV[2] ~= '' then
  redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('HSET', KEYS[2], 'model', ARGV[2]) end
else
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[3])
end
redis.call('SET', KEYS[4], 1, 'EX', 60)
return 1
";

const UPSERT_LUA: &str = r"
-- KEYS: index zset, then one hash per record
-- ARGV: per record: ts, id, n, then n field/value items
local replaced = 0
local a = 1
for i = 2, #KEYS do
  local n = tonumber(ARGV[a + 2])
  replaced = replaced + redis.call('EXISTS', KEYS[i])
  redis.call('DEL', KEYS[i])
  redis.call('HSET', KEYS[i], unpack(ARGV, a + 3, a + 2 + n))
  redis.call('ZADD', KEYS[1], ARGV[a], ARGV[a + 1])
  a = a + 3 + n
end
return replaced
";

const MERGE_QUOTA_LUA: &str = r"
-- KEYS: one quota hash per row; ARGV: per row: model, used, ttl
for i = 1, #KEYS do
  local m, used = ARGV[3 * i - 2], tonumber(ARGV[3 * i - 1])
  local cur = tonumber(redis.call('HGET', KEYS[i], m) or '0')
  -- The argument as sent (a whole number), not the Lua number: Lua would write a big one as a float.
  if used > cur then redis.call('HSET', KEYS[i], m, ARGV[3 * i - 1]) end
  redis.call('EXPIRE', KEYS[i], ARGV[3 * i])
end
return 1
";

const USAGE_LUA: &str = r"
-- KEYS: one decision hash per answer; ARGV: per answer: input tokens, output tokens, cost.
-- Only a logged decision is updated (HSET would create a partial one).
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('HSET', KEYS[i], 'input_tokens', ARGV[3 * i - 2], 'output_tokens', ARGV[3 * i - 1], 'cost', ARGV[3 * i])
  end
end
return 0
";

const RESERVE_LUA: &str = r"
-- KEYS: quota hash, this attempt's marker; ARGV: model, limit ('' none), ttl
if redis.call('EXISTS', KEYS[2]) == 1 then return tonumber(redis.call('GET', KEYS[2])) end
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local ok = 0
if ARGV[2] == '' or cur < tonumber(ARGV[2]) then
  redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  ok = 1
end
redis.call('SET', KEYS[2], ok, 'EX', 60)
return ok
";

const RELEASE_LUA: &str = r"
-- KEYS: quota hash, this attempt's marker; ARGV: model
if redis.call('EXISTS', KEYS[2]) == 1 then return 1 end
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if cur > 0 then redis.call('HINCRBY', KEYS[1], ARGV[1], -1) end
redis.call('SET', KEYS[2], 1, 'EX', 60)
return 1
";

const RELABEL_LUA: &str = r"
-- KEYS: decision hash, decisions zset; ARGV: answered model ('' none), request id
if ARGV[1] ~= '' then
  if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'model', ARGV[1]) end
else
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return 1
";

static RESERVE: LazyLock<Script> = LazyLock::new(|| Script::new(RESERVE_LUA));
static RELEASE: LazyLock<Script> = LazyLock::new(|| Script::new(RELEASE_LUA));
static RELABEL: LazyLock<Script> = LazyLock::new(|| Script::new(RELABEL_LUA));

/// Records per upsert script call (bounded argument lists).
const CHUNK: usize = 256;
/// Decisions read per round trip when their prompts are read too (`state export`): a prompt is
/// at most 4 MiB, so a page holds at most 128 MiB of them.
const TEXT_PAGE: usize = 32;
/// Bytes of arguments per script call of an import (besides [`CHUNK`] records at most).
const CHUNK_BYTES: usize = 8 << 20;
/// The fields of a decision the spend report reads: not the prompt nor its hash.
const COST_FIELDS: [&str; 11] = [
    "ts",
    "model",
    "method",
    "rule",
    "tier",
    "strategy",
    "estimated_cost",
    "arm",
    "input_tokens",
    "output_tokens",
    "cost",
];

static COUNT: LazyLock<Script> = LazyLock::new(|| Script::new(COUNT_LUA));
static SETTLE: LazyLock<Script> = LazyLock::new(|| Script::new(SETTLE_LUA));
static UPSERT: LazyLock<Script> = LazyLock::new(|| Script::new(UPSERT_LUA));
static MERGE: LazyLock<Script> = LazyLock::new(|| Script::new(MERGE_QUOTA_LUA));
static USAGE: LazyLock<Script> = LazyLock::new(|| Script::new(USAGE_LUA));

pub(super) struct Redis {
    target: RedisTarget,
    conn: Option<Connection>,
}

pub(super) fn describe(t: &RedisTarget) -> String {
    format!("redis (${}, key prefix {})", t.url_env, t.prefix)
}

impl Redis {
    pub(super) fn new(target: RedisTarget) -> Redis {
        Redis { target, conn: None }
    }

    fn key(&self, rest: &str) -> String {
        format!("{}{rest}", self.target.prefix)
    }

    fn unavailable(&self, message: impl std::fmt::Display) -> Error {
        Error::StateUnavailable { place: describe(&self.target), message: message.to_string() }
    }

    /// A new connection with the configured timeouts.
    fn connect(&self) -> Result<Connection> {
        let var = &self.target.url_env;
        let url = match std::env::var(var) {
            Ok(u) if !u.trim().is_empty() => u,
            _ => {
                return Err(Error::Usage(format!(
                    "[state] backend = \"redis\" reads the server's URL from `{var}`, which is not set"
                )));
            }
        };
        // The URL may hold a password: no message below repeats it.
        let client = redis::Client::open(url.as_str()).map_err(|_| {
            Error::Usage(format!("`{var}` does not hold a Redis URL (redis://[:PASSWORD@]HOST[:PORT][/DB])"))
        })?;
        // A server that answers but refuses (wrong password, no such database) is a state error,
        // not an outage: no local fallback.
        let c = client.get_connection_with_timeout(self.target.connect_timeout).map_err(|e| {
            if matches!(e.kind(), redis::ErrorKind::Server(_)) || e.kind() == redis::ErrorKind::AuthenticationFailed {
                Error::State { path: describe(&self.target), message: e.to_string() }
            } else {
                self.unavailable(e)
            }
        })?;
        let t = Some(self.target.timeout);
        c.set_read_timeout(t).and_then(|_| c.set_write_timeout(t)).map_err(|e| self.unavailable(e))?;
        Ok(c)
    }

    /// Maps a Redis error; a broken connection is dropped so the next call reconnects.
    fn fail(&mut self, e: RedisError) -> Error {
        use redis::{ErrorKind, ServerErrorKind};
        // A server still loading its data after a restart, or not accepting writes yet, is
        // unavailable for now, like one that does not answer.
        let busy = matches!(
            e.kind(),
            ErrorKind::Server(
                ServerErrorKind::BusyLoading
                    | ServerErrorKind::TryAgain
                    | ServerErrorKind::ClusterDown
                    | ServerErrorKind::MasterDown
                    | ServerErrorKind::ReadOnly
            )
        );
        if busy {
            return self.unavailable(e);
        }
        if e.is_io_error() || e.is_timeout() || e.is_connection_dropped() || e.is_unrecoverable_error() {
            self.conn = None;
            return self.unavailable(e);
        }
        Error::State { path: describe(&self.target), message: e.to_string() }
    }

    /// Runs one command (or script) on the connection.
    /// Runs one command (or script) on the connection, connecting first when there is none.
    /// A connection that turns out broken (the server restarted since it was opened, or died
    /// mid-call) is replaced and the call sent once more: reads and the idempotent upserts are
    /// safe to repeat, and the counting scripts recognise their own marker.
    fn call<T>(&mut self, mut f: impl FnMut(&mut Connection) -> redis::RedisResult<T>) -> Result<T> {
        let mut retried = false;
        loop {
            let mut conn = match self.conn.take() {
                Some(c) => c,
                None => self.connect()?,
            };
            match f(&mut conn) {
                Ok(v) => {
                    self.conn = Some(conn);
                    return Ok(v);
                }
                Err(e) if !retried && e.is_connection_dropped() && !e.is_timeout() => retried = true,
                Err(e) => {
                    self.conn = Some(conn);
                    return Err(self.fail(e));
                }
            }
        }
    }

    fn hashes(&mut self, kind: &str, ids: &[String]) -> Result<Vec<HashMap<String, String>>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let mut p = redis::pipe();
            for id in chunk {
                p.cmd("HGETALL").arg(self.key(&format!("{kind}:{id}")));
            }
            let got: Vec<HashMap<String, String>> = self.call(|c| p.query(c))?;
            out.extend(got);
        }
        Ok(out)
    }

    fn ids_since(&mut self, index: &str, since: Option<i64>) -> Result<Vec<String>> {
        let key = self.key(index);
        let min = since.map_or("-inf".to_string(), |s| s.to_string());
        self.call(|c| redis::cmd("ZRANGEBYSCORE").arg(&key).arg(&min).arg("+inf").query(c))
    }

    fn upsert(&mut self, index: &str, kind: &str, records: &[Upsert]) -> Result<usize> {
        let mut replaced = 0;
        for chunk in records.chunks(CHUNK) {
            let mut inv = UPSERT.key(self.key(index));
            for (ts, id, fields) in chunk {
                inv.key(self.key(&format!("{kind}:{id}")));
                inv.arg(ts).arg(id).arg(fields.len() * 2);
                for (k, v) in fields {
                    inv.arg(*k).arg(v);
                }
            }
            let n: usize = self.call(|c| inv.invoke(c))?;
            replaced += n;
        }
        Ok(replaced)
    }

    fn bad(&self, what: &str, id: &str, field: &str) -> Error {
        Error::State {
            path: describe(&self.target),
            message: format!("{what} `{id}`: field `{field}` is missing or malformed"),
        }
    }
}

/// An optional whole-number field of a hash (`Err(key)` when malformed).
fn num_u64<'k>(h: &mut HashMap<String, String>, key: &'k str) -> std::result::Result<Option<u64>, &'k str> {
    h.remove(key).map(|v| v.parse::<u64>().map_err(|_| key)).transpose()
}

/// One record to upsert: its time, its request id and its fields.
type Upsert = (i64, String, Vec<(&'static str, String)>);

/// A fresh random marker of one counting attempt.
fn marker() -> String {
    use std::hash::{BuildHasher, Hasher};
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(N.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    h.write_u32(std::process::id());
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    h.write_u128(t);
    format!("{:016x}{:08x}", h.finish(), std::process::id())
}

fn opt(fields: &mut Vec<(&'static str, String)>, k: &'static str, v: Option<impl ToString>) {
    if let Some(v) = v {
        fields.push((k, v.to_string()));
    }
}

fn decision_fields(r: &DecisionRecord) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("request_id", r.request_id.clone()),
        ("ts", r.ts.to_string()),
        ("prompt_hash", r.prompt_hash.clone()),
        ("model", r.model.clone()),
        ("method", r.method.clone()),
        ("strategy", r.strategy.clone()),
        // `{}` of an f64 is its shortest exact form: export/import loses nothing.
        ("estimated_cost", r.estimated_cost.to_string()),
        ("arm", r.arm.clone()),
    ];
    opt(&mut f, "prompt", r.prompt.as_ref());
    opt(&mut f, "rule", r.rule.as_ref());
    opt(&mut f, "tier", r.tier.as_ref());
    opt(&mut f, "input_tokens", r.input_tokens);
    opt(&mut f, "output_tokens", r.output_tokens);
    opt(&mut f, "cost", r.cost);
    f
}

fn feedback_fields(r: &FeedbackRecord) -> Vec<(&'static str, String)> {
    let mut f = vec![("request_id", r.request_id.clone()), ("ts", r.ts.to_string()), ("model", r.model.clone())];
    opt(&mut f, "rule", r.rule.as_ref());
    opt(&mut f, "method", r.method.as_ref());
    opt(&mut f, "tier", r.tier.as_ref());
    opt(&mut f, "arm", r.arm.as_ref());
    opt(&mut f, "rating", r.rating);
    opt(&mut f, "success", r.success.map(u8::from));
    opt(&mut f, "latency_ms", r.latency_ms);
    opt(&mut f, "cost", r.cost);
    f
}

impl Redis {
    /// A decision from its hash; without `text` the hash holds no prompt nor prompt hash (the
    /// spend report reads only the other fields).
    fn decision_from(&self, id: &str, mut h: HashMap<String, String>, text: bool) -> Result<DecisionRecord> {
        let mut take = |k: &str| h.remove(k);
        let need = |v: Option<String>, k: &str| v.ok_or_else(|| self.bad("decision", id, k));
        let ts = take("ts");
        let cost = take("estimated_cost");
        Ok(DecisionRecord {
            request_id: id.to_string(),
            prompt_hash: if text { need(take("prompt_hash"), "prompt_hash")? } else { String::new() },
            prompt: take("prompt"),
            model: need(take("model"), "model")?,
            method: need(take("method"), "method")?,
            rule: take("rule"),
            tier: take("tier"),
            strategy: need(take("strategy"), "strategy")?,
            arm: need(take("arm"), "arm")?,
            input_tokens: num_u64(&mut h, "input_tokens").map_err(|k| self.bad("decision", id, k))?,
            output_tokens: num_u64(&mut h, "output_tokens").map_err(|k| self.bad("decision", id, k))?,
            cost: h
                .remove("cost")
                .map(|v| v.parse::<f64>().map_err(|_| self.bad("decision", id, "cost")))
                .transpose()?,
            ts: ts.and_then(|v| v.parse().ok()).ok_or_else(|| self.bad("decision", id, "ts"))?,
            estimated_cost: cost
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| self.bad("decision", id, "estimated_cost"))?,
        })
    }

    fn feedback_from(&self, id: &str, mut h: HashMap<String, String>) -> Result<FeedbackRecord> {
        let num = |v: Option<String>, k: &str| -> Result<Option<f64>> {
            v.map(|s| s.parse::<f64>().map_err(|_| self.bad("feedback", id, k))).transpose()
        };
        Ok(FeedbackRecord {
            request_id: id.to_string(),
            ts: h.remove("ts").and_then(|v| v.parse().ok()).ok_or_else(|| self.bad("feedback", id, "ts"))?,
            model: h.remove("model").ok_or_else(|| self.bad("feedback", id, "model"))?,
            rule: h.remove("rule"),
            method: h.remove("method"),
            tier: h.remove("tier"),
            arm: h.remove("arm"),
            rating: num(h.remove("rating"), "rating")?,
            success: h.remove("success").map(|s| s == "1"),
            latency_ms: num(h.remove("latency_ms"), "latency_ms")?,
            cost: num(h.remove("cost"), "cost")?,
        })
    }
}

/// One script call of an import being queued: its keys and arguments.
#[derive(Default)]
struct Batch {
    keys: Vec<String>,
    args: Vec<String>,
    records: usize,
    bytes: usize,
}

impl Batch {
    fn push_key(&mut self, k: String) {
        self.bytes += k.len();
        self.keys.push(k);
    }

    fn push_arg(&mut self, a: String) {
        self.bytes += a.len();
        self.args.push(a);
    }

    fn full(&self) -> bool {
        self.records >= CHUNK || self.bytes >= CHUNK_BYTES
    }
}

impl Redis {
    /// [`Backend::import`] on `conn`: MULTI, one script call per batch of records queued, EXEC.
    fn import_on(&self, conn: &mut Connection, check: &mut Connection, next: &mut Records<'_>) -> Result<()> {
        let fail = |e: RedisError| Error::State {
            path: describe(&self.target),
            message: format!("{e}; nothing was imported"),
        };
        // The indexes must be sorted sets (or absent): a key of another type would make a write
        // fail inside the transaction after others were applied (Redis does not roll back).
        for index in ["decisions", "feedbacks"] {
            self.expect_type(check, &self.key(index), "zset", "a sorted set")?;
        }
        let _: () = redis::cmd("MULTI").query(conn).map_err(fail)?;
        let mut days = std::collections::HashSet::new();
        let (mut quota, mut decisions, mut feedback) = (Batch::default(), Batch::default(), Batch::default());
        while let Some(record) = next()? {
            match record {
                Record::Quota(q) => {
                    let key = self.key(&format!("quota:{}", q.day));
                    if days.insert(q.day) {
                        self.expect_type(check, &key, "hash", "a hash")?;
                    }
                    quota.push_key(key);
                    quota.push_arg(q.model);
                    quota.push_arg(q.used.to_string());
                    quota.push_arg(QUOTA_TTL_SECS.to_string());
                    quota.records += 1;
                    if quota.full() {
                        queue(conn, MERGE_QUOTA_LUA, std::mem::take(&mut quota), None).map_err(fail)?;
                    }
                }
                Record::Decision(d) => {
                    self.stage(&mut decisions, "decision", d.ts, &d.request_id, decision_fields(&d));
                    if decisions.full() {
                        let index = self.key("decisions");
                        queue(conn, UPSERT_LUA, std::mem::take(&mut decisions), Some(index)).map_err(fail)?;
                    }
                }
                Record::Feedback(fb) => {
                    self.stage(&mut feedback, "feedback", fb.ts, &fb.request_id, feedback_fields(&fb));
                    if feedback.full() {
                        let index = self.key("feedbacks");
                        queue(conn, UPSERT_LUA, std::mem::take(&mut feedback), Some(index)).map_err(fail)?;
                    }
                }
            }
        }
        queue(conn, MERGE_QUOTA_LUA, quota, None).map_err(fail)?;
        queue(conn, UPSERT_LUA, decisions, Some(self.key("decisions"))).map_err(fail)?;
        queue(conn, UPSERT_LUA, feedback, Some(self.key("feedbacks"))).map_err(fail)?;
        // EXEC applies everything queued; the reply comes when all of it ran, however long.
        conn.set_read_timeout(None).map_err(fail)?;
        let applied: redis::RedisResult<redis::Value> = redis::cmd("EXEC").query(conn);
        applied.map(|_| ()).map_err(|e| Error::State {
            path: describe(&self.target),
            message: if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::ExecAbort) {
                format!("{e}; nothing was imported")
            } else {
                format!("{e}; the import may have been applied in part")
            },
        })
    }

    /// Adds one record to an upsert batch.
    fn stage(&self, batch: &mut Batch, kind: &str, ts: i64, id: &str, fields: Vec<(&'static str, String)>) {
        batch.push_key(self.key(&format!("{kind}:{id}")));
        batch.push_arg(ts.to_string());
        batch.push_arg(id.to_string());
        batch.push_arg((fields.len() * 2).to_string());
        for (k, v) in fields {
            batch.push_arg(k.to_string());
            batch.push_arg(v);
        }
        batch.records += 1;
    }

    /// Refuses the import when `key` exists with a type other than `want`.
    fn expect_type(&self, check: &mut Connection, key: &str, want: &str, name: &str) -> Result<()> {
        let got: String = redis::cmd("TYPE").arg(key).query(check).map_err(|e| Error::State {
            path: describe(&self.target),
            message: format!("{e}; nothing was imported"),
        })?;
        if got == want || got == "none" {
            return Ok(());
        }
        let held = match got.as_str() {
            "string" => "a string",
            "list" => "a list",
            "set" => "a set",
            "zset" => "a sorted set",
            "hash" => "a hash",
            "stream" => "a stream",
            other => other,
        };
        Err(Error::State {
            path: describe(&self.target),
            message: format!("`{key}` holds {held}, not {name}; nothing was imported"),
        })
    }
}

/// Queues one script call inside the transaction (nothing when the batch is empty); `index`
/// is the upsert scripts' first key.
fn queue(conn: &mut Connection, script: &str, batch: Batch, index: Option<String>) -> redis::RedisResult<()> {
    if batch.records == 0 {
        return Ok(());
    }
    let mut cmd = redis::cmd("EVAL");
    cmd.arg(script).arg(batch.keys.len() + usize::from(index.is_some()));
    if let Some(i) = index {
        cmd.arg(i);
    }
    cmd.arg(batch.keys).arg(batch.args);
    cmd.query(conn)
}

impl Backend for Redis {
    fn place(&self) -> String {
        describe(&self.target)
    }

    fn usage(&mut self, day: &str) -> Result<Usage> {
        let key = self.key(&format!("quota:{day}"));
        let raw: HashMap<String, i64> = self.call(|c| redis::cmd("HGETALL").arg(&key).query(c))?;
        Ok(raw.into_iter().map(|(m, u)| (m, u.max(0) as u64)).collect())
    }

    fn count_and_log(&mut self, day: &str, f: &mut Decide<'_>) -> Result<()> {
        let keys = [self.key(&format!("quota:{day}")), self.key("decisions")];
        for _ in 0..MAX_CAS_ATTEMPTS {
            let usage = self.usage(day)?;
            let (model, record) = f(&usage);
            if model.is_none() && record.is_none() {
                return Ok(());
            }
            let seen = model.as_ref().map_or(0, |m| usage.get(m).copied().unwrap_or(0));
            let id = record.as_ref().map_or(String::new(), |r| r.request_id.clone());
            let mut inv = COUNT.key(&keys[0]);
            inv.key(self.key(&format!("decision:{id}"))).key(&keys[1]).key(self.key(&format!("op:{}", marker())));
            inv.arg(model.as_deref().unwrap_or("")).arg(seen).arg(QUOTA_TTL_SECS);
            inv.arg(record.as_ref().map_or(0, |r| r.ts)).arg(&id);
            if let Some(r) = &record {
                for (k, v) in decision_fields(r) {
                    inv.arg(k).arg(v);
                }
            }
            let done: i64 = self.call(|c| inv.invoke(c))?;
            if done == 1 {
                return Ok(());
            }
        }
        Err(Error::State {
            path: describe(&self.target),
            message: format!("the quota counter changed under {MAX_CAS_ATTEMPTS} attempts in a row; try again"),
        })
    }

    fn reset(&mut self, day: &str, model: Option<&str>) -> Result<usize> {
        let key = self.key(&format!("quota:{day}"));
        match model {
            Some(m) => self.call(|c| redis::cmd("HDEL").arg(&key).arg(m).query(c)),
            None => {
                let n: usize = self.call(|c| redis::cmd("HLEN").arg(&key).query(c))?;
                let _: i64 = self.call(|c| redis::cmd("DEL").arg(&key).query(c))?;
                Ok(n)
            }
        }
    }

    fn settle(&mut self, day: &str, request_id: &str, decided: &str, answered: Option<&str>) -> Result<()> {
        let mut inv = SETTLE.key(self.key(&format!("quota:{day}")));
        inv.key(self.key(&format!("decision:{request_id}"))).key(self.key("decisions"));
        inv.key(self.key(&format!("op:{}", marker())));
        inv.arg(decided).arg(answered.unwrap_or("")).arg(request_id).arg(QUOTA_TTL_SECS);
        let _: i64 = self.call(|c| inv.invoke(c))?;
        Ok(())
    }

    fn record_usage(&mut self, answers: &[AnswerUsage]) -> Result<()> {
        for chunk in answers.chunks(CHUNK) {
            let mut inv = USAGE.prepare_invoke();
            for a in chunk {
                inv.key(self.key(&format!("decision:{}", a.request_id)));
                inv.arg(a.input_tokens).arg(a.output_tokens).arg(a.cost.to_string());
            }
            let _: i64 = self.call(|c| inv.invoke(c))?;
        }
        Ok(())
    }

    fn find_decision(&mut self, request_id: &str) -> Result<Option<DecisionRecord>> {
        let h = self.hashes("decision", &[request_id.to_string()])?.pop().unwrap_or_default();
        if h.is_empty() {
            return Ok(None);
        }
        self.decision_from(request_id, h, true).map(Some)
    }

    fn scan_decisions(&mut self, since: Option<i64>, text: bool, f: &mut DecisionSink<'_>) -> Result<()> {
        // The index orders ids by time, then by id (bytewise, as Rust orders strings).
        let ids = self.ids_since("decisions", since)?;
        if text {
            for page in ids.chunks(TEXT_PAGE) {
                for (id, h) in page.iter().zip(self.hashes("decision", page)?) {
                    if !h.is_empty() {
                        f(self.decision_from(id, h, true)?)?;
                    }
                }
            }
            return Ok(());
        }
        for page in ids.chunks(CHUNK) {
            let mut p = redis::pipe();
            for id in page {
                p.cmd("HMGET").arg(self.key(&format!("decision:{id}"))).arg(&COST_FIELDS[..]);
            }
            let got: Vec<Vec<Option<String>>> = self.call(|c| p.query(c))?;
            for (id, values) in page.iter().zip(got) {
                let h: HashMap<String, String> =
                    COST_FIELDS.iter().zip(values).filter_map(|(k, v)| v.map(|v| (k.to_string(), v))).collect();
                if !h.is_empty() {
                    f(self.decision_from(id, h, false)?)?;
                }
            }
        }
        Ok(())
    }

    fn log_decisions(&mut self, records: &[DecisionRecord]) -> Result<()> {
        let rows: Vec<_> = records.iter().map(|r| (r.ts, r.request_id.clone(), decision_fields(r))).collect();
        self.upsert("decisions", "decision", &rows).map(|_| ())
    }

    fn upsert_feedback(&mut self, records: &[FeedbackRecord]) -> Result<usize> {
        let rows: Vec<_> = records.iter().map(|r| (r.ts, r.request_id.clone(), feedback_fields(r))).collect();
        self.upsert("feedbacks", "feedback", &rows)
    }

    fn feedback_since(&mut self, since: Option<i64>) -> Result<Vec<FeedbackRecord>> {
        let ids = self.ids_since("feedbacks", since)?;
        let hashes = self.hashes("feedback", &ids)?;
        let mut out = Vec::with_capacity(ids.len());
        for (id, h) in ids.iter().zip(hashes) {
            if !h.is_empty() {
                out.push(self.feedback_from(id, h)?);
            }
        }
        out.sort_by(|a, b| (a.ts, &a.request_id).cmp(&(b.ts, &b.request_id)));
        Ok(out)
    }

    fn quota_rows(&mut self) -> Result<Vec<QuotaRow>> {
        let pattern = self.key("quota:*");
        let keys: Vec<String> = self.call(|c| {
            let mut cursor = 0u64;
            let mut keys = Vec::new();
            loop {
                let (next, batch): (u64, Vec<String>) =
                    redis::cmd("SCAN").arg(cursor).arg("MATCH").arg(&pattern).arg("COUNT").arg(500).query(c)?;
                keys.extend(batch);
                if next == 0 {
                    return Ok(keys);
                }
                cursor = next;
            }
        })?;
        let strip = self.key("quota:");
        let mut out = Vec::new();
        for key in keys {
            let raw: HashMap<String, i64> = self.call(|c| redis::cmd("HGETALL").arg(&key).query(c))?;
            let day = key.strip_prefix(&strip).unwrap_or(&key).to_string();
            out.extend(raw.into_iter().map(|(model, used)| QuotaRow {
                day: day.clone(),
                model,
                used: used.max(0) as u64,
            }));
        }
        out.sort_by(|a, b| (&a.day, &a.model).cmp(&(&b.day, &b.model)));
        Ok(out)
    }

    fn export(&mut self, f: &mut Sink<'_>) -> Result<()> {
        // Counters are few (models × days of the last two): read whole, then sorted.
        for q in self.quota_rows()? {
            f(Record::Quota(q), None)?;
        }
        self.scan_decisions(None, true, &mut |d| f(Record::Decision(d), None))?;
        let ids = self.ids_since("feedbacks", None)?;
        for page in ids.chunks(CHUNK) {
            for (id, h) in page.iter().zip(self.hashes("feedback", page)?) {
                if !h.is_empty() {
                    f(Record::Feedback(self.feedback_from(id, h)?), None)?;
                }
            }
        }
        Ok(())
    }

    fn import(&mut self, next: &mut Records<'_>) -> Result<()> {
        // A quick round trip first, so that a stale pooled connection is replaced before the
        // transaction starts (nothing can be retried once it has).
        let _: String = self.call(|c| redis::cmd("PING").query(c))?;
        let mut conn = match self.conn.take() {
            Some(c) => c,
            None => self.connect()?,
        };
        // A separate connection answers the type checks while the transaction is being queued.
        let mut check = self.connect()?;
        let out = self.import_on(&mut conn, &mut check, next);
        match &out {
            // The connection is back in a plain state only after EXEC; otherwise it is dropped
            // (the server discards a transaction whose client went away).
            Ok(()) => self.conn = Some(conn),
            Err(_) => drop(conn),
        }
        out
    }

    fn merge_quota(&mut self, rows: &[QuotaRow]) -> Result<()> {
        for chunk in rows.chunks(CHUNK) {
            let mut inv = MERGE.prepare_invoke();
            for q in chunk {
                inv.key(self.key(&format!("quota:{}", q.day)));
                inv.arg(&q.model).arg(q.used).arg(QUOTA_TTL_SECS);
            }
            let _: i64 = self.call(|c| inv.invoke(c))?;
        }
        Ok(())
    }

    fn reserve(&mut self, day: &str, model: &str, limit: Option<u64>) -> Result<bool> {
        let mut inv = RESERVE.key(self.key(&format!("quota:{day}")));
        inv.key(self.key(&format!("op:{}", marker())));
        inv.arg(model).arg(limit.map(|l| l.to_string()).unwrap_or_default()).arg(QUOTA_TTL_SECS);
        let ok: i64 = self.call(|c| inv.invoke(c))?;
        Ok(ok == 1)
    }

    fn release(&mut self, day: &str, model: &str) -> Result<()> {
        let mut inv = RELEASE.key(self.key(&format!("quota:{day}")));
        inv.key(self.key(&format!("op:{}", marker())));
        inv.arg(model);
        let _: i64 = self.call(|c| inv.invoke(c))?;
        Ok(())
    }

    fn relabel(&mut self, request_id: &str, answered: Option<&str>) -> Result<()> {
        let mut inv = RELABEL.key(self.key(&format!("decision:{request_id}")));
        inv.key(self.key("decisions"));
        inv.arg(answered.unwrap_or("")).arg(request_id);
        let _: i64 = self.call(|c| inv.invoke(c))?;
        Ok(())
    }
}
