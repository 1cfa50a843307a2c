//! `llmroute state export` / `import`: the whole state as JSON Lines, to move it between backends
//! (SQLite ↔ Redis) or machines without loss.
//!
//! One object per line, tagged by `kind`: `quota` (day, model, used), `decision` (the decision
//! log's fields) and `feedback`. Lines are sorted (quota by day and model, the others by time
//! and request id), so two exports of the same state are byte-identical. Export streams: one
//! record at a time from the store to the output.
//!
//! Importing is all or nothing, in two passes over the file, one line in memory at a time: the
//! first parses and range-checks every field of every line (see [`check`]) before anything is
//! written; the second parses and checks each line again and hands it to the store, which writes
//! everything as one atomic step (one SQLite transaction; one Redis MULTI/EXEC). Decisions and
//! feedback replace the records of the same request id; a quota counter is raised to the
//! imported value and never lowered, so importing the same file twice counts nothing twice.
//!
//! The bounds, each one the CLI's own where it has one: counters and token counts 0–10^12 (the
//! range of `daily_quota` and of a log's token columns; far inside what SQLite's integers, Redis's
//! counters and JSON's numbers hold exactly), costs 0–1,000,000 USD per request (a log's cost
//! column), ratings 1–5 and latencies 0–10^9 ms (`feedback add`), times within the years
//! −9999…9999, days real `YYYY-MM-DD` dates, models of the configured catalog, request ids of 1 to
//! 4,096 bytes, prompts up to the 4 MiB `route` routes, labels (rule, tier) up to 1,024 bytes,
//! methods, strategies and arms among those llmroute writes, and lines up to 25 MiB.

use std::io::{BufRead, Read, Seek, Write};

use super::{DecisionRecord, FeedbackRecord, QuotaRow, Record, Store};
use crate::config::{Config, Strategy};
use crate::error::{Error, Result};

/// Largest export file `import` reads.
pub const MAX_IMPORT_BYTES: u64 = 1 << 30;
/// Largest line `import` reads: a 4 MiB prompt whose every byte is escaped (`\u0001`: six
/// bytes), and 1 MiB for the other fields.
pub const MAX_LINE_BYTES: usize = 25 << 20;
/// Largest counter and token count.
pub const MAX_COUNT: u64 = 1_000_000_000_000;
/// Largest cost of one request, USD.
pub const MAX_COST_USD: f64 = crate::cost::MAX_COST_USD;
/// Largest latency, milliseconds (`feedback add --latency-ms`).
pub const MAX_LATENCY_MS: f64 = crate::config::MAX_LATENCY_MS;
/// Longest request id, bytes.
pub const MAX_ID_BYTES: usize = 4096;
/// Longest rule or tier name, bytes.
pub const MAX_LABEL_BYTES: usize = 1024;

/// The methods a decision records (`crate::router::Method::all`): the routers' methods of the
/// registry (`crate::config::STRATEGIES`), the quota fallback, the client's own choice.
pub fn methods() -> Vec<&'static str> {
    Strategy::methods().chain(["fallback", "client"]).collect()
}
/// The arms a decision records (`crate::canary::Arm::as_str`).
const ARMS: [&str; 2] = ["control", "canary"];

/// Fails to compile when an arm is added without adding it to the list above.
#[allow(dead_code)]
fn every_arm_is_listed(a: crate::canary::Arm) -> &'static str {
    use crate::canary::Arm;
    match a {
        Arm::Control => ARMS[0],
        Arm::Canary => ARMS[1],
    }
}

/// How many records of each kind moved.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub quota: usize,
    pub decisions: usize,
    pub feedback: usize,
}

impl Counts {
    fn add(&mut self, r: &Record) {
        match r {
            Record::Quota(_) => self.quota += 1,
            Record::Decision(_) => self.decisions += 1,
            Record::Feedback(_) => self.feedback += 1,
        }
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} quota counter(s), {} decision(s), {} feedback record(s)",
            self.quota, self.decisions, self.feedback
        )
    }
}

/// Writes every record of `store` to `out`, one at a time, each encoded straight into `out`
/// (a prompt the store streams is escaped chunk by chunk, never held whole); `io` names a write
/// error.
pub fn export(store: &mut Store, out: &mut dyn Write, io: &dyn Fn(std::io::Error) -> Error) -> Result<Counts> {
    let mut counts = Counts::default();
    let place = store.place();
    let encode = |e: serde_json::Error| match e.io_error_kind() {
        Some(kind) => io(std::io::Error::new(kind, e.to_string())),
        None => Error::usage(format!("cannot encode a record: {e}")),
    };
    store.export(&mut |record, prompt| {
        counts.add(&record);
        match prompt {
            None => serde_json::to_writer(&mut *out, &record).map_err(encode)?,
            Some(reader) => {
                // The record without its prompt is small; the prompt goes where its `null` was.
                const NULL: &str = "\"prompt\":null";
                let text = serde_json::to_string(&record).map_err(encode)?;
                let at = text.find(NULL).ok_or_else(|| Error::usage("cannot encode a record: no prompt field"))?;
                out.write_all(text.as_bytes().get(..at).unwrap_or_default()).map_err(io)?;
                out.write_all(b"\"prompt\":").map_err(io)?;
                write_json_string(reader, out, io).map_err(|e| match e {
                    Streamed::Read(m) => {
                        Error::State { path: place.clone(), message: format!("cannot read a prompt: {m}") }
                    }
                    Streamed::Write(e) => e,
                })?;
                out.write_all(text.as_bytes().get(at + NULL.len()..).unwrap_or_default()).map_err(io)?;
            }
        }
        out.write_all(b"\n").map_err(io)
    })?;
    out.flush().map_err(io)?;
    Ok(counts)
}

/// Why streaming a string failed: reading it (or it is not UTF-8), or writing it.
enum Streamed {
    Read(String),
    Write(Error),
}

/// Writes the text `reader` yields as one JSON string, escaped exactly as `serde_json` escapes
/// it, 64 KiB at a time.
fn write_json_string(
    reader: &mut dyn Read,
    out: &mut dyn Write,
    io: &dyn Fn(std::io::Error) -> Error,
) -> std::result::Result<(), Streamed> {
    let mut buf = vec![0u8; 1 << 16];
    // Bytes of a character cut by the end of the previous chunk.
    let mut carry = 0;
    let mut escaped = Vec::with_capacity(1 << 17);
    out.write_all(b"\"").map_err(|e| Streamed::Write(io(e)))?;
    loop {
        let n = reader.read(&mut buf[carry..]).map_err(|e| Streamed::Read(e.to_string()))?;
        let end = carry + n;
        let (text, rest) = match std::str::from_utf8(&buf[..end]) {
            Ok(t) => (t, 0),
            // A character cut at the end: kept for the next chunk (unless the text ended).
            Err(e) if e.error_len().is_none() && n > 0 => {
                let ok = e.valid_up_to();
                (std::str::from_utf8(&buf[..ok]).unwrap_or_default(), end - ok)
            }
            Err(_) => return Err(Streamed::Read("the prompt is not UTF-8".to_string())),
        };
        escaped.clear();
        serde_json::to_writer(&mut escaped, text).map_err(|e| Streamed::Read(e.to_string()))?;
        // Without the quotes serde_json puts around it.
        let inner = escaped.get(1..escaped.len().saturating_sub(1)).unwrap_or_default();
        out.write_all(inner).map_err(|e| Streamed::Write(io(e)))?;
        if n == 0 {
            break;
        }
        buf.copy_within(end - rest..end, 0);
        carry = rest;
    }
    out.write_all(b"\"").map_err(|e| Streamed::Write(io(e)))
}

/// Reads an export line by line: each one parsed and checked against `config`.
pub struct Lines<'c, R> {
    input: R,
    name: String,
    config: &'c Config,
    line: usize,
    buf: Vec<u8>,
}

impl<'c, R: BufRead> Lines<'c, R> {
    /// Lines of `input`; `name` (the file) prefixes every error.
    pub fn new(input: R, name: &str, config: &'c Config) -> Self {
        Lines { input, name: name.to_string(), config, line: 0, buf: Vec::new() }
    }

    fn bad(&self, col: usize, msg: impl std::fmt::Display) -> Error {
        Error::usage(format!("{}:{}:{col}: {msg}; nothing was imported", self.name, self.line))
    }

    /// The next record, `None` at the end; a line too long, not UTF-8, not a record or with a
    /// field out of range is an error naming `FILE:LINE:COLUMN`.
    pub fn next_record(&mut self) -> Result<Option<Record>> {
        loop {
            self.buf.clear();
            let limit = MAX_LINE_BYTES as u64 + 1;
            let n = (&mut self.input)
                .take(limit)
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| Error::usage(format!("{}: cannot read: {}", self.name, crate::error::io_reason(&e))))?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            if self.buf.last() == Some(&b'\n') {
                self.buf.pop();
                if self.buf.last() == Some(&b'\r') {
                    self.buf.pop();
                }
            } else if self.buf.len() > MAX_LINE_BYTES {
                return Err(self.bad(
                    1,
                    format!(
                        "the line is longer than {} MiB (a {} MiB prompt, escaped, and the other fields)",
                        MAX_LINE_BYTES >> 20,
                        crate::prompt::MAX_PROMPT_BYTES >> 20
                    ),
                ));
            }
            let text = match std::str::from_utf8(&self.buf) {
                Ok(t) => t,
                Err(e) => return Err(self.bad(e.valid_up_to() + 1, "not UTF-8")),
            };
            if text.trim().is_empty() {
                continue;
            }
            let record = match serde_json::from_str::<Record>(text) {
                Ok(r) => r,
                Err(e) => return Err(self.bad(e.column(), format!("not a state record: {e}"))),
            };
            if let Err(b) = check(self.config, &record) {
                let col = value_column(text, b.key);
                return Err(self.bad(col, format!("{}: {}", b.key, b.message)));
            }
            return Ok(Some(record));
        }
    }
}

/// Reads the export at `path` into the store `open` opens (once every line was checked: a bad
/// file creates no store), all or nothing: written in one atomic step, each line checked again
/// on the way (the file may have changed in between). Returns the counts and the store's place.
pub fn import(
    config: &Config,
    path: &std::path::Path,
    open: impl FnOnce() -> Result<Store>,
) -> Result<(Counts, String)> {
    let name = path.display().to_string();
    let fail =
        |e: std::io::Error| Error::usage(format!("{name}: cannot read state export: {}", crate::error::io_reason(&e)));
    let mut file = std::fs::File::open(path).map_err(fail)?;
    let meta = file.metadata().map_err(fail)?;
    if !meta.is_file() {
        return Err(Error::usage(format!("{name}: cannot read state export: not a regular file")));
    }
    if meta.len() > MAX_IMPORT_BYTES {
        return Err(Error::usage(format!(
            "{name}: cannot read state export: larger than {} MiB",
            MAX_IMPORT_BYTES >> 20
        )));
    }
    let counts = check_all(std::io::BufReader::new((&mut file).take(MAX_IMPORT_BYTES)), &name, config)?;
    file.rewind().map_err(fail)?;
    let mut store = open()?;
    let mut lines = Lines::new(std::io::BufReader::new(file.take(MAX_IMPORT_BYTES)), &name, config);
    let mut again = Counts::default();
    store.import(&mut || {
        let r = lines.next_record()?;
        if let Some(r) = &r {
            again.add(r);
        }
        Ok(r)
    })?;
    if again != counts {
        // Cannot happen unless the file changed between the passes, and then every line of the
        // second pass was checked too: what was written is the file as read the second time.
        super::event::report(super::Event::ChangedDuringImport { name: name.clone() });
    }
    Ok((again, store.place()))
}

/// The first pass of [`import`]: parses and checks every line, writes nothing.
pub fn check_all(input: impl BufRead, name: &str, config: &Config) -> Result<Counts> {
    let mut lines = Lines::new(input, name, config);
    let mut counts = Counts::default();
    while let Some(r) = lines.next_record()? {
        counts.add(&r);
    }
    Ok(counts)
}

/// A field out of range: its key and what is wrong with it.
#[derive(Debug)]
pub struct Bad {
    pub key: &'static str,
    pub message: String,
}

fn bad(key: &'static str, message: impl Into<String>) -> Bad {
    Bad { key, message: message.into() }
}

/// A value for a message: escaped (one line) and cut to 64 characters.
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(64).collect::<String>().escape_debug().to_string();
    if s.chars().nth(64).is_some() {
        out.push('…');
    }
    out
}

fn count(key: &'static str, n: u64) -> std::result::Result<(), Bad> {
    if n > MAX_COUNT { Err(bad(key, format!("{n} is outside 0..={MAX_COUNT}"))) } else { Ok(()) }
}

fn tokens(key: &'static str, n: Option<u64>) -> std::result::Result<(), Bad> {
    n.map_or(Ok(()), |n| count(key, n))
}

fn cost(key: &'static str, c: Option<f64>) -> std::result::Result<(), Bad> {
    match c {
        Some(c) if !(c.is_finite() && (0.0..=MAX_COST_USD).contains(&c)) => {
            Err(bad(key, format!("{} is outside 0..={} USD", crate::error::num(c), crate::error::num(MAX_COST_USD))))
        }
        _ => Ok(()),
    }
}

fn time(key: &'static str, ts: i64) -> std::result::Result<(), Bad> {
    let range = jiff::Timestamp::MIN.as_second()..=jiff::Timestamp::MAX.as_second();
    if range.contains(&ts) { Ok(()) } else { Err(bad(key, format!("{ts} is outside the years -9999..=9999"))) }
}

fn request_id(id: &str) -> std::result::Result<(), Bad> {
    if id.is_empty() {
        return Err(bad("request_id", "empty"));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(bad("request_id", format!("{} bytes, longer than {MAX_ID_BYTES}", id.len())));
    }
    Ok(())
}

fn label(key: &'static str, s: Option<&str>) -> std::result::Result<(), Bad> {
    match s {
        Some(s) if s.len() > MAX_LABEL_BYTES => {
            Err(bad(key, format!("{} bytes, longer than {MAX_LABEL_BYTES}", s.len())))
        }
        _ => Ok(()),
    }
}

fn one_of(key: &'static str, s: Option<&str>, options: &[&str]) -> std::result::Result<(), Bad> {
    match s {
        Some(s) if !options.contains(&s) => {
            Err(bad(key, format!("`{}` is not one of {}", shown(s), options.join(", "))))
        }
        _ => Ok(()),
    }
}

fn model(config: &Config, name: &str) -> std::result::Result<(), Bad> {
    if config.model_id(name).is_some() {
        return Ok(());
    }
    if name.len() > MAX_LABEL_BYTES {
        return Err(bad("model", format!("{} bytes, longer than {MAX_LABEL_BYTES}", name.len())));
    }
    let names = || config.models.iter().map(|m| m.name.as_str());
    let hint = crate::error::did_you_mean(name, names())
        .unwrap_or_else(|| format!(" (known: {})", names().collect::<Vec<_>>().join(", ")));
    Err(bad("model", format!("unknown model `{}`{hint}", shown(name))))
}

fn strategies() -> Vec<&'static str> {
    Strategy::ALL.iter().map(|s| s.as_str()).chain(["client"]).collect()
}

/// Checks every field of `r` against its range (see the module documentation).
pub fn check(config: &Config, r: &Record) -> std::result::Result<(), Bad> {
    match r {
        Record::Quota(q) => check_quota(config, q),
        Record::Decision(d) => check_decision(config, d),
        Record::Feedback(f) => check_feedback(config, f),
    }
}

fn check_quota(config: &Config, q: &QuotaRow) -> std::result::Result<(), Bad> {
    let is_date = q.day.parse::<jiff::civil::Date>().is_ok_and(|d| d.to_string() == q.day);
    if !is_date {
        return Err(bad("day", format!("`{}` is not a date (YYYY-MM-DD)", shown(&q.day))));
    }
    model(config, &q.model)?;
    count("used", q.used)
}

fn check_decision(config: &Config, d: &DecisionRecord) -> std::result::Result<(), Bad> {
    request_id(&d.request_id)?;
    time("ts", d.ts)?;
    if !(d.prompt_hash.len() == 64 && d.prompt_hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))) {
        return Err(bad("prompt_hash", "not a SHA-256 (64 lowercase hex digits)"));
    }
    if let Some(p) = &d.prompt
        && p.len() > crate::prompt::MAX_PROMPT_BYTES
    {
        return Err(bad(
            "prompt",
            format!("{} bytes, longer than the {} MiB llmroute routes", p.len(), crate::prompt::MAX_PROMPT_BYTES >> 20),
        ));
    }
    model(config, &d.model)?;
    one_of("method", Some(&d.method), &methods())?;
    label("rule", d.rule.as_deref())?;
    label("tier", d.tier.as_deref())?;
    one_of("strategy", Some(&d.strategy), &strategies())?;
    cost("estimated_cost", Some(d.estimated_cost))?;
    one_of("arm", Some(&d.arm), &ARMS)?;
    tokens("input_tokens", d.input_tokens)?;
    tokens("output_tokens", d.output_tokens)?;
    cost("cost", d.cost)
}

fn check_feedback(config: &Config, f: &FeedbackRecord) -> std::result::Result<(), Bad> {
    request_id(&f.request_id)?;
    time("ts", f.ts)?;
    model(config, &f.model)?;
    label("rule", f.rule.as_deref())?;
    one_of("method", f.method.as_deref(), &methods())?;
    label("tier", f.tier.as_deref())?;
    one_of("arm", f.arm.as_deref(), &ARMS)?;
    if let Some(r) = f.rating
        && !(1.0..=5.0).contains(&r)
    {
        return Err(bad("rating", format!("{} is outside 1..=5", crate::error::num(r))));
    }
    if let Some(l) = f.latency_ms
        && !(0.0..=MAX_LATENCY_MS).contains(&l)
    {
        return Err(bad(
            "latency_ms",
            format!("{} is outside 0..={}", crate::error::num(l), crate::error::num(MAX_LATENCY_MS)),
        ));
    }
    cost("cost", f.cost)
}

/// The 1-based column (in bytes) where the value of the top-level `key` starts on a JSON object
/// `line`, or 1 when it is not found.
fn value_column(line: &str, key: &str) -> usize {
    let b = line.as_bytes();
    let (mut depth, mut i, mut want_key) = (0usize, 0usize, false);
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                let end = i.min(b.len());
                if depth == 1 && want_key {
                    want_key = false;
                    if b.get(start..end) == Some(key.as_bytes()) {
                        let mut j = end + 1;
                        while j < b.len() && (b[j] == b':' || b[j].is_ascii_whitespace()) {
                            j += 1;
                        }
                        return j + 1;
                    }
                }
            }
            b'{' | b'[' => {
                depth += 1;
                want_key = depth == 1 && b[i] == b'{';
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => want_key = true,
            _ => {}
        }
        i += 1;
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::from_str(crate::config::EMBEDDED_DEFAULT, crate::config::Source::Embedded)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn first_error(text: &str) -> String {
        let config = config();
        check_all(text.as_bytes(), "s.jsonl", &config).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn a_bad_line_names_its_place() {
        let e = first_error(
            "{\"kind\":\"quota\",\"day\":\"2026-01-01\",\"model\":\"gpt-4o\",\"used\":3}\n{\"kind\":\"quota\",\"day\":1}\n",
        );
        assert!(e.starts_with("s.jsonl:2:"), "{e}");
        assert!(e.ends_with("nothing was imported"), "{e}");
    }

    #[test]
    fn a_field_out_of_range_names_its_key_and_column() {
        let e =
            first_error("\n{\"kind\":\"quota\", \"day\":\"2026-01-01\",\"model\":\"gpt-4o\",\"used\": 1000000000001}");
        assert_eq!(e, "s.jsonl:2:62: used: 1000000000001 is outside 0..=1000000000000; nothing was imported");
        let e = first_error("{\"kind\":\"quota\",\"day\":\"2026-1-1\\n\",\"model\":\"gpt-4o\",\"used\":1}\r\n");
        assert_eq!(e, "s.jsonl:1:23: day: `2026-1-1\\n` is not a date (YYYY-MM-DD); nothing was imported");
    }

    /// A reader that hands out at most 7 bytes a call, cutting characters.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(7).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_streamed_prompt_is_escaped_as_serde_json_escapes_it() {
        let io = |e: std::io::Error| Error::usage(e.to_string());
        let text: String = "帮我\"写\\代码\u{1}\n\t\u{7f}é😀 ".repeat(9000);
        for reader in [&mut text.as_bytes() as &mut dyn Read, &mut Trickle(text.as_bytes())] {
            let mut out = Vec::new();
            assert!(write_json_string(reader, &mut out, &io).is_ok());
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&text).unwrap());
        }
        let mut out = Vec::new();
        let cut = &text.as_bytes()[..text.len() - 2];
        assert!(matches!(write_json_string(&mut Trickle(cut), &mut out, &io), Err(Streamed::Read(_))));
    }

    #[test]
    fn the_value_column_skips_nested_and_quoted_keys() {
        let line = r#"{"a":{"used":1},"s":"\"used\":","used":2}"#;
        assert_eq!(&line[value_column(line, "used") - 1..], "2}");
        assert_eq!(value_column(line, "nope"), 1);
        assert_eq!(value_column("{\"used\":\"\\", "x"), 1);
    }
}
