//! The output formats a command's `--format` chooses from, and the one place that turns a format
//! into output: a report implements [`Render`] (and [`RenderTable`] when it is one table), and
//! [`emit`] / [`emit_report`] match the format once, so a new format is a compile error wherever
//! it is not handled.

/// Output formats of commands that print tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Boxed tables that fit the terminal
    Table,
    /// Aligned columns without borders, never wrapped
    Plain,
    /// Markdown tables
    Markdown,
    /// JSON
    Json,
    /// CSV
    Csv,
}

/// Output formats of reports made of text lines and tables (no CSV: they are not one table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Text with boxed tables that fit the terminal
    Table,
    /// Text with aligned columns without borders, never wrapped
    Plain,
    /// Text with Markdown tables
    Markdown,
    /// JSON
    Json,
}

/// Stream formats of `batch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StreamFormat {
    Csv,
    Jsonl,
}

use serde::Serialize;

use crate::error::{Error, Result};
use crate::output::{self, TableStyle};

/// A command's result, printable in every [`ReportFormat`]: JSON, or text lines and tables.
pub trait Render {
    /// What `--format json` prints (pretty, then a newline).
    type Json: Serialize + ?Sized;
    /// The JSON document.
    fn json(&self) -> &Self::Json;
    /// Text lines and tables, drawn in the style [`emit`] or [`emit_report`] set.
    fn text(&self) -> String;
}

/// A command's result that is one table, printable in every [`OutputFormat`] (CSV is that table).
pub trait RenderTable: Render {
    /// The table as CSV (drawn in the CSV style).
    fn csv(&self) -> String;
}

/// Prints `r` as `format` asks (the one place an [`OutputFormat`] is matched).
pub fn emit<R: RenderTable + ?Sized>(r: &R, format: OutputFormat) -> Result<()> {
    match format {
        OutputFormat::Table => text(r, TableStyle::Boxed),
        OutputFormat::Plain => text(r, TableStyle::Plain),
        OutputFormat::Markdown => text(r, TableStyle::Markdown),
        OutputFormat::Csv => {
            output::set_table_style(TableStyle::Csv);
            output::print(&r.csv())
        }
        OutputFormat::Json => output::print_json(r.json()),
    }
}

/// Prints `r` as `format` asks (the one place a [`ReportFormat`] is matched).
pub fn emit_report<R: Render + ?Sized>(r: &R, format: ReportFormat) -> Result<()> {
    match format {
        ReportFormat::Table => text(r, TableStyle::Boxed),
        ReportFormat::Plain => text(r, TableStyle::Plain),
        ReportFormat::Markdown => text(r, TableStyle::Markdown),
        ReportFormat::Json => output::print_json(r.json()),
    }
}

fn text<R: Render + ?Sized>(r: &R, style: TableStyle) -> Result<()> {
    output::set_table_style(style);
    output::print(&r.text())
}

impl ReportFormat {
    fn is_json(self) -> bool {
        match self {
            ReportFormat::Json => true,
            ReportFormat::Table | ReportFormat::Plain | ReportFormat::Markdown => false,
        }
    }

    /// Whether a progress display on stderr stays hidden: JSON is read by programs.
    pub fn hides_progress(self) -> bool {
        self.is_json()
    }
}

/// [`output::exhausted`] for a command with a `--format`: prints the refusal record when the
/// report is JSON, and hands `e` back.
pub fn refused(e: Error, format: ReportFormat) -> Error {
    output::exhausted(e, format.is_json())
}
