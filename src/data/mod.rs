//! Reading tabular inputs: CSV, JSON Lines, or a JSON array of objects; from files or stdin.
//!
//! Rows are read one at a time (constant memory). Every problem is reported with the file name
//! and the line the row starts on, e.g. `logs.csv:17: expected 5 fields, found 4`.

pub mod pylit;

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Tsv,
    Jsonl,
    Json,
}

/// A problem with one row; batch commands may skip it and continue.
#[derive(Debug, Clone)]
pub struct RowError {
    pub file: String,
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl From<RowError> for Error {
    fn from(e: RowError) -> Error {
        Error::Usage(e.to_string())
    }
}

enum Inner {
    Csv { rdr: csv::Reader<Box<dyn Read>>, rec: csv::ByteRecord, crlf_offset: u64 },
    Jsonl { rdr: BufReader<Box<dyn Read>>, buf: Vec<u8>, obj: serde_json::Map<String, serde_json::Value> },
    Json { items: JsonArray, buf: Vec<u8>, obj: serde_json::Map<String, serde_json::Value> },
}

/// The longest row (CSV record, JSON line or array item) read, in bytes: a file that is one
/// endless line cannot grow memory without bound.
pub const MAX_ROW_BYTES: usize = 64 << 20;

/// Counts the bytes read since the last row ended, and ends the input with an error once a
/// single row passes [`MAX_ROW_BYTES`].
struct RowLimit {
    inner: Box<dyn Read>,
    since_row: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    tripped: bool,
}

impl Read for RowLimit {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::sync::atomic::Ordering;
        if self.tripped {
            return Ok(0);
        }
        // Room for the csv crate's read-ahead across row boundaries.
        if self.since_row.load(Ordering::Relaxed) > MAX_ROW_BYTES + (1 << 20) {
            self.tripped = true;
            return Err(std::io::Error::other(format!(
                "a row is longer than {} MiB; the rest of the file is not read",
                MAX_ROW_BYTES >> 20
            )));
        }
        let n = self.inner.read(buf)?;
        self.since_row.fetch_add(n, Ordering::Relaxed);
        Ok(n)
    }
}

/// The items of a JSON array, one at a time: each item's bytes are found by tracking strings and
/// nesting, then parsed alone, so memory holds one item, not the array.
struct JsonArray {
    rdr: BufReader<Box<dyn Read>>,
    /// Before `[`, inside the array, or after `]`.
    state: ArrayState,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ArrayState {
    Start,
    Items,
    Done,
}

impl JsonArray {
    fn byte(&mut self) -> std::io::Result<Option<u8>> {
        let b = self.rdr.fill_buf()?.first().copied();
        if b.is_some() {
            self.rdr.consume(1);
        }
        Ok(b)
    }

    fn skip_space(&mut self) -> std::io::Result<Option<u8>> {
        loop {
            match self.byte()? {
                Some(b) if b.is_ascii_whitespace() => continue,
                other => return Ok(other),
            }
        }
    }

    /// The next item's bytes into `buf`; `Ok(false)` after the last one.
    fn next_item(&mut self, buf: &mut Vec<u8>) -> std::result::Result<bool, String> {
        let io = |e: std::io::Error| e.to_string();
        buf.clear();
        if self.state == ArrayState::Start {
            match self.skip_space().map_err(io)? {
                Some(b'[') => self.state = ArrayState::Items,
                _ => {
                    self.state = ArrayState::Done;
                    return Err("expected a JSON array of objects".to_string());
                }
            }
            match self.skip_space().map_err(io)? {
                Some(b']') => {
                    self.state = ArrayState::Done;
                    return Ok(false);
                }
                Some(b) => buf.push(b),
                None => return Err(self.fail("unexpected end of input in the array")),
            }
        } else if self.state == ArrayState::Done {
            return Ok(false);
        } else {
            match self.skip_space().map_err(io)? {
                Some(b) => buf.push(b),
                None => return Err(self.fail("unexpected end of input in the array")),
            }
        }
        let (mut depth, mut in_str, mut esc) = (0usize, false, false);
        let mut b = buf[0];
        loop {
            if in_str {
                if esc {
                    esc = false;
                } else if b == b'\\' {
                    esc = true;
                } else if b == b'"' {
                    in_str = false;
                }
            } else {
                match b {
                    b'"' => in_str = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => depth -= 1,
                    _ => {}
                }
            }
            if !in_str && depth == 0 {
                // The item ends at the next `,` or `]` outside it.
                let next = self.rdr.fill_buf().map_err(io)?.first().copied();
                match next {
                    Some(b',' | b']') => {
                        self.rdr.consume(1);
                        if next == Some(b']') {
                            self.state = ArrayState::Done;
                            if self.skip_space().map_err(io)?.is_some() {
                                return Err("unexpected data after the array".to_string());
                            }
                        }
                        return Ok(true);
                    }
                    Some(c) if c.is_ascii_whitespace() => {
                        self.rdr.consume(1);
                        match self.skip_space().map_err(io)? {
                            Some(b',') => return Ok(true),
                            Some(b']') => {
                                self.state = ArrayState::Done;
                                if self.skip_space().map_err(io)?.is_some() {
                                    return Err("unexpected data after the array".to_string());
                                }
                                return Ok(true);
                            }
                            Some(_) => return Err(self.fail("expected `,` or `]` after an item")),
                            None => return Err(self.fail("unexpected end of input in the array")),
                        }
                    }
                    _ => {}
                }
            }
            b = match self.byte().map_err(io)? {
                Some(b) => b,
                None => return Err(self.fail("unexpected end of input in the array")),
            };
            if buf.len() >= MAX_ROW_BYTES {
                return Err(self.fail(&format!("an item is longer than {} MiB", MAX_ROW_BYTES >> 20)));
            }
            buf.push(b);
        }
    }

    fn fail(&mut self, m: &str) -> String {
        self.state = ArrayState::Done;
        m.to_string()
    }
}

/// A column handle resolved once against the input's header.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    index: Option<usize>,
}

pub struct Reader {
    pub name: String,
    inner: Inner,
    headers: Vec<String>,
    line: u64,
    next_line: u64,
    /// Bytes read since the last row ended (see [`RowLimit`]).
    since_row: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// Opens `path` (`-` = stdin). The format comes from `format`, else the file extension, else the
/// first byte (`{` JSON Lines, `[` JSON array, otherwise CSV).
pub fn open(path: &std::path::Path, format: Option<Format>) -> Result<Reader> {
    let stdin = path.as_os_str() == "-";
    let name = if stdin { "stdin".to_string() } else { path.display().to_string() };
    let raw: Box<dyn Read> = if stdin {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            File::open(path)
                .map_err(|e| Error::Usage(format!("{name}: cannot open: {}", crate::error::io_reason(&e))))?,
        )
    };
    from_reader(name, raw, format.or_else(|| by_extension(&path.to_string_lossy())))
}

/// A reader over bytes in memory (tests and fuzzing); `name` is used in messages.
pub fn from_bytes(name: &str, bytes: Vec<u8>, format: Option<Format>) -> Result<Reader> {
    from_reader(name.to_string(), Box::new(std::io::Cursor::new(bytes)), format)
}

fn from_reader(name: String, raw: Box<dyn Read>, format: Option<Format>) -> Result<Reader> {
    let since_row = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let limited = RowLimit { inner: raw, since_row: since_row.clone(), tripped: false };
    let mut br = BufReader::with_capacity(1 << 16, Box::new(limited) as Box<dyn Read>);
    // A UTF-8 byte order mark is not part of the data.
    if br.fill_buf().map_err(|e| Error::Usage(format!("{name}: cannot read: {e}")))?.starts_with(b"\xEF\xBB\xBF") {
        br.consume(3);
    }
    let format = match format {
        Some(f) => f,
        None => {
            let head = br.fill_buf().map_err(|e| Error::Usage(format!("{name}: cannot read: {e}")))?;
            match head.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'{') => Format::Jsonl,
                Some(b'[') => Format::Json,
                _ => Format::Csv,
            }
        }
    };
    // The csv crate reports records of CRLF files one line early (the header's '\n' is consumed
    // with the next record); detect the line ending to correct it.
    let crlf_offset = {
        let head = br.fill_buf().unwrap_or(&[]);
        match head.iter().position(|&b| b == b'\n') {
            Some(i) if i > 0 && head[i - 1] == b'\r' => 1,
            _ => 0,
        }
    };
    let boxed: Box<dyn Read> = Box::new(br);
    match format {
        Format::Csv | Format::Tsv => {
            let mut rdr = csv::ReaderBuilder::new()
                .delimiter(if format == Format::Tsv { b'\t' } else { b',' })
                .has_headers(true)
                .from_reader(boxed);
            let headers = rdr
                .byte_headers()
                .map_err(|e| Error::Usage(format!("{name}:1: cannot read the header: {e}")))?
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let h = String::from_utf8_lossy(h).trim_start_matches('\u{feff}').to_string();
                    if i == 0 && h.is_empty() { "Unnamed: 0".to_string() } else { h }
                })
                .collect();
            Ok(Reader {
                name,
                inner: Inner::Csv { rdr, rec: csv::ByteRecord::new(), crlf_offset },
                headers,
                line: 1,
                next_line: 2,
                since_row,
            })
        }
        Format::Jsonl => Ok(Reader {
            name,
            inner: Inner::Jsonl {
                rdr: BufReader::with_capacity(1 << 16, boxed),
                buf: Vec::new(),
                obj: serde_json::Map::new(),
            },
            headers: Vec::new(),
            line: 0,
            next_line: 1,
            since_row,
        }),
        Format::Json => Ok(Reader {
            name,
            inner: Inner::Json {
                items: JsonArray { rdr: BufReader::with_capacity(1 << 16, boxed), state: ArrayState::Start },
                buf: Vec::new(),
                obj: serde_json::Map::new(),
            },
            headers: Vec::new(),
            line: 0,
            next_line: 1,
            since_row,
        }),
    }
}

fn by_extension(path: &str) -> Option<Format> {
    let lower = path.to_ascii_lowercase();
    let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
    if lower.ends_with(".csv") {
        Some(Format::Csv)
    } else if lower.ends_with(".tsv") {
        Some(Format::Tsv)
    } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        Some(Format::Jsonl)
    } else {
        // `.json` may hold an array or JSON Lines: sniff, as for unknown extensions.
        None
    }
}

fn strip_at(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl Reader {
    /// Header names (CSV), or the keys of the first object (JSON); empty before the first row of
    /// a JSON input.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    pub fn is_csv(&self) -> bool {
        matches!(self.inner, Inner::Csv { .. })
    }

    /// The line the current row starts on (for JSON arrays: the item number).
    pub fn line(&self) -> u64 {
        self.line
    }

    pub fn row_error(&self, message: impl Into<String>) -> RowError {
        RowError { file: self.name.clone(), line: self.line, message: message.into() }
    }

    /// Resolves a column by name. CSV: an error naming the available columns when absent.
    pub fn column(&self, name: &str) -> Result<Column> {
        if self.is_csv() {
            match self.headers.iter().position(|h| h == name) {
                Some(i) => Ok(Column { name: name.to_string(), index: Some(i) }),
                None => Err(Error::Usage(format!(
                    "{}: no column `{name}`{}; columns are: {}",
                    self.name,
                    crate::error::did_you_mean(name, self.headers.iter().map(String::as_str)).unwrap_or_default(),
                    self.headers.iter().take(12).map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
                ))),
            }
        } else {
            Ok(Column { name: name.to_string(), index: None })
        }
    }

    /// Whether the input has a column (CSV) — JSON inputs answer per row.
    pub fn has_column(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h == name)
    }

    /// Advances to the next row. `Ok(false)` at the end; a `RowError` for a malformed row (the
    /// reader stays usable for the next one).
    pub fn advance(&mut self) -> std::result::Result<bool, RowError> {
        match &mut self.inner {
            Inner::Csv { rdr, rec, crlf_offset } => {
                let start = self.next_line;
                self.since_row.store(0, std::sync::atomic::Ordering::Relaxed);
                let r = rdr.read_byte_record(rec);
                self.next_line = rdr.position().line() + 1 + *crlf_offset;
                self.line = rec.position().map_or(start, |p| p.line() + *crlf_offset);
                match r {
                    Ok(true) => Ok(true),
                    Ok(false) => Ok(false),
                    Err(e) => {
                        let (line, msg) = match e.kind() {
                            csv::ErrorKind::UnequalLengths { pos, expected_len, len } => (
                                pos.as_ref().map_or(start, |p| p.line() + *crlf_offset),
                                format!("expected {expected_len} fields, found {len}"),
                            ),
                            _ => (start, e.to_string()),
                        };
                        self.line = line;
                        Err(RowError { file: self.name.clone(), line, message: msg })
                    }
                }
            }
            Inner::Jsonl { rdr, buf, obj } => loop {
                buf.clear();
                self.since_row.store(0, std::sync::atomic::Ordering::Relaxed);
                let n = rdr.read_until(b'\n', buf).map_err(|e| RowError {
                    file: self.name.clone(),
                    line: self.next_line,
                    message: e.to_string(),
                })?;
                if n == 0 {
                    return Ok(false);
                }
                self.line = self.next_line;
                self.next_line += 1;
                if buf.iter().all(|b| b.is_ascii_whitespace()) {
                    continue;
                }
                let text = std::str::from_utf8(buf).map_err(|e| RowError {
                    file: self.name.clone(),
                    line: self.line,
                    message: format!("invalid UTF-8 (byte {} of the line)", e.valid_up_to() + 1),
                })?;
                return match serde_json::from_str::<serde_json::Value>(text) {
                    Ok(serde_json::Value::Object(o)) => {
                        if self.headers.is_empty() {
                            self.headers = o.keys().cloned().collect();
                        }
                        *obj = o;
                        Ok(true)
                    }
                    Ok(_) => Err(RowError {
                        file: self.name.clone(),
                        line: self.line,
                        message: "expected a JSON object".to_string(),
                    }),
                    Err(e) => Err(RowError {
                        file: self.name.clone(),
                        line: self.line,
                        message: format!("invalid JSON: {}", strip_at(&e)),
                    }),
                };
            },
            Inner::Json { items, buf, obj } => {
                self.since_row.store(0, std::sync::atomic::Ordering::Relaxed);
                let found = items.next_item(buf);
                let row_error = |line: u64, message: String| RowError { file: self.name.clone(), line, message };
                match found {
                    Ok(true) => {}
                    Ok(false) => return Ok(false),
                    Err(m) => return Err(row_error(self.next_line, m)),
                }
                self.line = self.next_line;
                self.next_line += 1;
                let item: serde_json::Value = serde_json::from_slice(buf)
                    .map_err(|e| row_error(self.line, format!("invalid JSON: {}", strip_at(&e))))?;
                match item {
                    serde_json::Value::Object(o) => {
                        if self.headers.is_empty() {
                            self.headers = o.keys().cloned().collect();
                        }
                        *obj = o;
                        Ok(true)
                    }
                    _ => Err(RowError {
                        file: self.name.clone(),
                        line: self.line,
                        message: "expected a JSON object".to_string(),
                    }),
                }
            }
        }
    }

    fn json_obj(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        match &self.inner {
            Inner::Jsonl { obj, .. } | Inner::Json { obj, .. } => Some(obj),
            Inner::Csv { .. } => None,
        }
    }

    /// The raw bytes of a CSV field.
    pub fn csv_bytes(&self, col: &Column) -> Option<&[u8]> {
        match (&self.inner, col.index) {
            (Inner::Csv { rec, .. }, Some(i)) => rec.get(i),
            _ => None,
        }
    }

    /// Text of a field: `None` when absent or JSON null; numbers and booleans as written.
    pub fn text(&self, col: &Column) -> std::result::Result<Option<Cow<'_, str>>, RowError> {
        if let Some(bytes) = self.csv_bytes(col) {
            return std::str::from_utf8(bytes).map(|s| Some(Cow::Borrowed(s))).map_err(|e| {
                self.row_error(format!(
                    "column `{}`: invalid UTF-8 (byte {} of the field)",
                    col.name,
                    e.valid_up_to() + 1
                ))
            });
        }
        match self.json_obj().and_then(|o| o.get(&col.name)) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(Cow::Borrowed(s.as_str()))),
            Some(v) => Ok(Some(Cow::Owned(v.to_string()))),
        }
    }

    /// A number field: empty, `nan`, JSON null → `None`; `true`/`false` → 1/0; otherwise a parse
    /// error naming the column.
    pub fn number(&self, col: &Column) -> std::result::Result<Option<f64>, RowError> {
        if let Some(bytes) = self.csv_bytes(col) {
            return parse_number(bytes).map_err(|v| {
                self.row_error(format!("column `{}`: `{}` is not a number", col.name, String::from_utf8_lossy(v)))
            });
        }
        match self.json_obj().and_then(|o| o.get(&col.name)) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::Number(n)) => Ok(n.as_f64()),
            Some(serde_json::Value::Bool(b)) => Ok(Some(if *b { 1.0 } else { 0.0 })),
            Some(serde_json::Value::String(s)) => parse_number(s.as_bytes())
                .map_err(|_| self.row_error(format!("column `{}`: `{s}` is not a number", col.name))),
            Some(v) => Err(self.row_error(format!("column `{}`: `{v}` is not a number", col.name))),
        }
    }

    /// A JSON value of the current row (JSON inputs only).
    pub fn json(&self, key: &str) -> Option<&serde_json::Value> {
        self.json_obj().and_then(|o| o.get(key))
    }

    /// A JSON value at a dotted path of the current row: a key spelled with its dots wins, then
    /// each split at a dot is tried (`scores.llama-3.1-8b` finds `{"scores": {"llama-3.1-8b": …}}`).
    pub fn json_path(&self, path: &str) -> Option<&serde_json::Value> {
        self.json_obj().and_then(|o| lookup(o, path))
    }

    /// The prompt column: `explicit` (which must exist), else the first of the usual names
    /// present; an error naming `--text-col` when there is none.
    pub fn text_column(&self, explicit: Option<&str>) -> Result<Column> {
        if let Some(c) = explicit {
            return self.column(c);
        }
        TEXT_COLUMNS
            .iter()
            .find(|c| if self.is_csv() { self.has_column(c) } else { self.json(c).is_some() })
            .map(|c| self.column(c))
            .unwrap_or_else(|| Err(Error::Usage(format!("{}: no prompt column; name it with --text-col", self.name))))
    }
}

/// Column names taken for the prompt when `--text-col` is not given, in this order.
pub const TEXT_COLUMNS: [&str; 5] = ["prompt", "question", "query", "text", "input"];

/// Resolves a dotted path in a JSON object: the whole key first, then splits at each dot.
pub fn lookup<'a>(obj: &'a serde_json::Map<String, serde_json::Value>, path: &str) -> Option<&'a serde_json::Value> {
    if let Some(v) = obj.get(path) {
        return Some(v);
    }
    for (i, _) in path.match_indices('.') {
        if let Some(serde_json::Value::Object(inner)) = obj.get(&path[..i])
            && let Some(v) = lookup(inner, &path[i + 1..])
        {
            return Some(v);
        }
    }
    None
}

/// Parses a number cell. Empty and NaN spellings are "missing".
pub fn parse_number(bytes: &[u8]) -> std::result::Result<Option<f64>, &[u8]> {
    let t = bytes.trim_ascii();
    if t.is_empty() {
        return Ok(None);
    }
    match t {
        b"nan" | b"NaN" | b"NAN" | b"null" | b"None" | b"NA" => return Ok(None),
        b"True" | b"true" | b"TRUE" => return Ok(Some(1.0)),
        b"False" | b"false" | b"FALSE" => return Ok(Some(0.0)),
        _ => {}
    }
    std::str::from_utf8(t).ok().and_then(|s| s.parse::<f64>().ok()).filter(|v| v.is_finite()).map(Some).ok_or(bytes)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(name: &str, text: &str, format: Option<Format>) -> Reader {
        from_bytes(name, text.as_bytes().to_vec(), format).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn csv_rows_give_text_and_numbers_with_the_line_each_starts_on() {
        let mut r = reader("t.csv", "id,prompt,score\n1,hello,0.5\n2,\"two\nlines\",nan\n3,x,\n", Some(Format::Csv));
        assert!(r.is_csv());
        assert_eq!(r.headers(), ["id", "prompt", "score"]);
        let (prompt, score) = (r.column("prompt").unwrap(), r.column("score").unwrap());
        assert!(r.advance().unwrap());
        assert_eq!(r.line(), 2);
        assert_eq!(r.text(&prompt).unwrap().as_deref(), Some("hello"));
        assert_eq!(r.number(&score).unwrap(), Some(0.5));
        assert!(r.advance().unwrap());
        assert_eq!(r.line(), 3);
        assert_eq!(r.text(&prompt).unwrap().as_deref(), Some("two\nlines"));
        assert_eq!(r.number(&score).unwrap(), None);
        assert!(r.advance().unwrap());
        assert_eq!(r.line(), 5);
        assert_eq!(r.number(&score).unwrap(), None);
        assert!(!r.advance().unwrap());
    }

    #[test]
    fn csv_errors_name_the_file_line_and_column() {
        let mut r = reader("t.csv", "prompt,score\nhi,abc\nho\n", None);
        assert!(r.is_csv());
        let score = r.column("score").unwrap();
        assert!(r.advance().unwrap());
        let e = r.number(&score).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("t.csv:2: column `score`: `abc` is not a number"));
        let e = r.advance().err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("t.csv:3: expected 2 fields, found 1"));
        let e = r.column("scroe").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("t.csv: no column `scroe`"), "{e}");
        assert!(e.ends_with("; columns are: `prompt`, `score`"), "{e}");
        assert!(!r.has_column("scroe") && r.has_column("prompt"));
    }

    #[test]
    fn the_prompt_column_is_the_first_usual_name_present() {
        let r = reader("t.csv", "id,question,text\n", Some(Format::Csv));
        assert_eq!(r.text_column(None).unwrap().name, "question");
        assert_eq!(r.text_column(Some("text")).unwrap().name, "text");
        let r = reader("t.csv", "id,body\n", Some(Format::Csv));
        let e = r.text_column(None).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("t.csv: no prompt column; name it with --text-col"));
    }

    #[test]
    fn json_lines_skip_blank_lines_and_report_bad_ones_then_go_on() {
        let text = "{\"prompt\":\"a\",\"n\":2,\"s\":{\"m.1\":0.5}}\n\n{\"prompt\":\"b\",\"n\":\"x\"}\n[1]\n{bad\n{\"prompt\":\"c\",\"n\":true}\n";
        let mut r = reader("t.jsonl", text, None);
        assert!(!r.is_csv());
        let n = r.column("n").unwrap();
        assert!(r.advance().unwrap());
        assert_eq!(r.line(), 1);
        let mut keys = r.headers().to_vec();
        keys.sort();
        assert_eq!(keys, ["n", "prompt", "s"]);
        assert_eq!(r.number(&n).unwrap(), Some(2.0));
        assert_eq!(r.json_path("s.m.1"), Some(&serde_json::json!(0.5)));
        assert!(r.advance().unwrap());
        assert_eq!(r.line(), 3);
        let e = r.number(&n).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("t.jsonl:3: column `n`: `x` is not a number"));
        let e = r.advance().err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("t.jsonl:4: expected a JSON object"));
        let e = r.advance().err().map(|e| (e.line, e.message.starts_with("invalid JSON: ")));
        assert_eq!(e, Some((5, true)));
        assert!(r.advance().unwrap());
        assert_eq!(r.number(&n).unwrap(), Some(1.0));
        assert_eq!(r.text(&r.column("prompt").unwrap()).unwrap().as_deref(), Some("c"));
        assert!(!r.advance().unwrap());
    }

    #[test]
    fn a_json_array_is_read_item_by_item() {
        let mut r = reader("t.json", " [{\"prompt\": \"a\", \"n\": null}, {\"prompt\": 7}]", None);
        let (p, n) = (r.column("prompt").unwrap(), r.column("n").unwrap());
        assert!(r.advance().unwrap());
        assert_eq!((r.line(), r.text(&p).unwrap().as_deref(), r.number(&n).unwrap()), (1, Some("a"), None));
        assert!(r.advance().unwrap());
        assert_eq!((r.line(), r.text(&p).unwrap().as_deref()), (2, Some("7")));
        assert!(!r.advance().unwrap());
    }

    #[test]
    fn numbers_and_missing_spellings() {
        assert_eq!(parse_number(b" 1e3 "), Ok(Some(1000.0)));
        assert_eq!(parse_number(b"NaN"), Ok(None));
        assert_eq!(parse_number(b""), Ok(None));
        assert_eq!(parse_number(b"True"), Ok(Some(1.0)));
        assert_eq!(parse_number(b"inf"), Err(&b"inf"[..]));
        assert_eq!(parse_number(b"1,5"), Err(&b"1,5"[..]));
    }

    #[test]
    fn answers_normalise_to_a_letter_or_folded_text() {
        assert_eq!(normalize_answer("The answer is (B)."), "b");
        assert_eq!(normalize_answer("Answer: c"), "c");
        assert_eq!(normalize_answer("  Paris  IS\n the capital. "), "paris is the capital");
        assert_eq!(normalize_answer("['first', 'Second']"), "first second");
        // A letter past J is not a choice.
        assert_eq!(normalize_answer("answer: z"), "answer: z");
    }
}
