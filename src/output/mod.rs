//! The only place that writes to stdout and stderr: text, JSON, tables, messages.
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod batch;
pub mod decisions;
pub mod feedback;
pub mod format;
pub mod man;
pub mod models;
pub mod outcomes;
pub mod plot;
pub mod prices;
pub mod quota;
pub mod report;
pub mod route;
pub mod spend;
pub mod train;

use std::io::{IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::error::{Error, Result};

/// Writes `text` to stdout; a closed pipe becomes [`Error::BrokenPipe`] (exit 0).
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|_| out.flush()).map_err(Error::from_stdout)
}

/// Pretty JSON and a newline.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut s = serde_json::to_string_pretty(value).map_err(|e| Error::usage(format!("cannot encode JSON: {e}")))?;
    s.push('\n');
    print(&s)
}

fn stderr_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn prefixed(prefix: &str, color: &str, msg: &str) {
    let label = if stderr_color() { format!("\x1b[1;{color}m{prefix}\x1b[0m") } else { prefix.to_string() };
    let _ = writeln!(std::io::stderr().lock(), "{label}: {}", printable(msg));
}

/// A message with control characters escaped (`\u{1b}`): names and cells quoted from a file
/// cannot move the cursor, recolour the terminal or break a message across lines.
pub fn printable(msg: &str) -> std::borrow::Cow<'_, str> {
    if !msg.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(msg);
    }
    std::borrow::Cow::Owned(
        msg.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect(),
    )
}

pub fn error(msg: &str) {
    prefixed("error", "31", msg);
}

pub fn warn(msg: &str) {
    prefixed("warning", "33", msg);
}

/// A progress display on stderr: a bar when the total is known, else a counter (and the
/// caller's message, such as a rate).
/// Hidden when `hidden`, or when stderr is not a terminal (pipes and logs stay clean).
pub fn progress(total: Option<u64>, prefix: &'static str, unit: &str, hidden: bool) -> indicatif::ProgressBar {
    if hidden || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let (pb, template) = match total {
        Some(n) => {
            (indicatif::ProgressBar::new(n), format!("{{prefix}} [{{bar:30}}] {{pos}}/{{len}} {unit} {{elapsed}}"))
        }
        None => (
            indicatif::ProgressBar::new_spinner(),
            format!("{{prefix}} {{spinner}} {{human_pos}} {unit} {{msg}} {{elapsed}}"),
        ),
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_prefix(prefix);
    pb
}

pub fn note(msg: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{msg}");
}

/// Shows what the state store reports (installed with `state::set_reporter` before any command
/// runs): a warning, or a plain note when the store is back.
pub fn state_event(e: &crate::state::Event) {
    if e.is_warning() { warn(&e.to_string()) } else { note(&e.to_string()) }
}

/// How tables are drawn, chosen once per command from its `--format` ([`format::emit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableStyle {
    /// Rounded UTF-8 borders, fitted to the terminal's width.
    Boxed,
    /// Aligned columns without borders, never wrapped.
    Plain,
    /// Markdown tables, never wrapped.
    Markdown,
    /// CSV: the header and the rows as they are.
    Csv,
}

static STYLE: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Sets how [`table`] draws tables for the rest of the command.
pub fn set_table_style(style: TableStyle) {
    STYLE.store(style as u8, std::sync::atomic::Ordering::Relaxed);
}

/// The style [`table`] draws with.
pub fn table_style() -> TableStyle {
    match STYLE.load(std::sync::atomic::Ordering::Relaxed) {
        1 => TableStyle::Plain,
        2 => TableStyle::Markdown,
        3 => TableStyle::Csv,
        _ => TableStyle::Boxed,
    }
}

/// The width output must fit: `COLUMNS` when set, else the terminal's when stdout is one; `None`
/// when stdout is a pipe or a file and `COLUMNS` is unset (nothing is wrapped then).
pub fn width() -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS").ok().and_then(|v| v.trim().parse::<usize>().ok()).filter(|&n| n > 0) {
        return Some(n);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    Table::new().width().map(usize::from).filter(|&n| n > 0)
}

/// A table in the command's style ([`set_table_style`]); boxed tables wrap their cells to fit
/// [`width`], the other styles never wrap.
pub fn table<I, S>(header: I) -> Table
where
    I: IntoIterator<Item = S>,
    S: Into<comfy_table::Cell>,
{
    let mut t = Table::new();
    match table_style() {
        TableStyle::Boxed => {
            t.load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners());
            match width() {
                Some(w) => {
                    t.set_width(u16::try_from(w).unwrap_or(u16::MAX))
                        .set_content_arrangement(ContentArrangement::Dynamic);
                }
                None => {
                    t.set_content_arrangement(ContentArrangement::Disabled);
                }
            }
        }
        TableStyle::Plain | TableStyle::Csv => {
            t.load_style(presets::NOTHING).set_content_arrangement(ContentArrangement::Disabled);
        }
        TableStyle::Markdown => {
            t.load_style(presets::ASCII_MARKDOWN).set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t.set_header(header);
    t
}

/// The width of `t` drawn without wrapping (borders and padding included).
pub fn natural_width(t: &Table) -> usize {
    let content: usize = t.column_max_content_widths().iter().map(|&w| usize::from(w)).sum();
    let padding: usize = t.column_iter().map(|c| usize::from(c.padding_width())).sum();
    content + padding + t.column_iter().count() + 1
}

/// Whether `t` fits [`width`] without wrapping a cell (always, when nothing is wrapped).
pub fn fits(t: &Table) -> bool {
    table_style() != TableStyle::Boxed || width().is_none_or(|w| natural_width(t) <= w)
}

/// The longest word (run of non-blanks) of each column of `t`, its header's included.
fn longest_words(t: &Table) -> Vec<usize> {
    let mut longest = vec![0; t.column_iter().count()];
    for row in t.header().into_iter().chain(t.row_iter()) {
        for (i, cell) in row.cell_iter().enumerate() {
            let word = cell.content().split_whitespace().map(|w| w.chars().count()).max().unwrap_or(0);
            if let Some(l) = longest.get_mut(i) {
                *l = (*l).max(word);
            }
        }
    }
    longest
}

/// The narrowest `t` can be drawn without breaking a word or a number across lines (borders and
/// padding included).
pub fn min_width(t: &Table) -> usize {
    let padding: usize = t.column_iter().map(|c| usize::from(c.padding_width())).sum();
    longest_words(t).iter().sum::<usize>() + padding + t.column_iter().count() + 1
}

/// Whether `t` fits [`width`] when its cells wrap between words (always, when nothing is wrapped).
pub fn fits_words(t: &Table) -> bool {
    table_style() != TableStyle::Boxed || width().is_none_or(|w| min_width(t) <= w)
}

/// Keeps every column of `t` at least as wide as its longest word: a boxed table fitted to
/// [`width`] then wraps its cells between words, never inside a word or a number.
pub fn keep_words(t: &mut Table) {
    let longest = longest_words(t);
    for (column, word) in t.column_iter_mut().zip(longest) {
        let w = u16::try_from(word).unwrap_or(u16::MAX).saturating_add(column.padding_width());
        column.set_constraint(comfy_table::ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(w)));
    }
}

/// `t` as text with a final newline: CSV in the CSV style, lines without trailing blanks in the
/// plain style.
pub fn render(t: &Table) -> String {
    match table_style() {
        TableStyle::Csv => {
            let mut out = Vec::new();
            for row in t.header().into_iter().chain(t.row_iter()) {
                for (i, cell) in row.cell_iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    csv_field(&mut out, &cell.content());
                }
                out.push(b'\n');
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        // Every line starts with the first column's one-space padding.
        TableStyle::Plain => t.lines().map(|l| format!("{}\n", l.strip_prefix(' ').unwrap_or(&l).trim_end())).collect(),
        TableStyle::Boxed | TableStyle::Markdown => format!("{t}\n"),
    }
}

/// `text` with every line longer than [`width`] wrapped at spaces; continuation lines are
/// indented by `indent` spaces (to align under a `key        value` line's value).
pub fn wrap(text: &str, indent: usize) -> String {
    let Some(w) = width().filter(|&w| w > indent + 20) else {
        return text.to_string();
    };
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let (body, nl) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
        if body.chars().count() <= w {
            out.push_str(line);
            continue;
        }
        let mut col = 0;
        for (i, word) in body.split(' ').enumerate() {
            let len = word.chars().count();
            if i > 0 && col + 1 + len > w && col > indent {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                col = indent;
            } else if i > 0 {
                out.push(' ');
                col += 1;
            }
            out.push_str(word);
            col += len;
        }
        out.push_str(nl);
    }
    out
}

/// Right-aligns the given columns.
pub fn align_right(t: &mut Table, columns: &[usize]) {
    for &c in columns {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(comfy_table::CellAlignment::Right);
        }
    }
}

/// `$0.000061` style money with a fixed number of decimals.
pub fn usd(x: f64, decimals: usize) -> String {
    if x < 0.0 { format!("-${:.*}", decimals, -x) } else { format!("${x:.decimals$}") }
}

/// Appends `field` as one CSV field, quoted (quotes doubled) when it holds a comma, a quote or a
/// line break: what the `csv` crate writes by default.
pub fn csv_field(out: &mut Vec<u8>, field: &str) {
    if field.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for b in field.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

/// The JSON number serialisers live in a leaf so the layers below can use them.
pub use crate::units::{json_ms, json_usd, round};

/// Serialises a score in [0, 1] (a difficulty) to 4 decimals, as the text output shows it.
pub fn json_score<S: serde::Serializer>(v: &Option<f64>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_f64(round(*x, 4)),
        None => s.serialize_none(),
    }
}

/// The `--json` record when every quota is exhausted.
#[derive(Debug, Serialize)]
pub struct Exhausted<'a> {
    pub model: Option<String>,
    pub error: &'static str,
    pub retry_after: u64,
    pub resets_at: &'a str,
}

/// The `--json` record when no model can serve the request.
#[derive(Debug, Serialize)]
pub struct Unservable<'a> {
    pub model: Option<String>,
    pub error: &'static str,
    pub message: &'a str,
}

/// Prints the refusal record for `--json` when `e` is a refusal (every quota exhausted, or no
/// model able to serve the request), and hands `e` back.
pub fn exhausted(e: Error, json: bool) -> Error {
    let printed = match &e {
        Error::QuotasExhausted { retry_after, resets_at } if json => {
            print_json(&Exhausted { model: None, error: "all_quotas_exhausted", retry_after: *retry_after, resets_at })
        }
        Error::Unservable(message) if json => {
            print_json(&Unservable { model: None, error: "no_model_can_serve", message })
        }
        _ => Ok(()),
    };
    match printed {
        Err(print) => print,
        Ok(()) => e,
    }
}
