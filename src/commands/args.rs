//! The arguments several commands share (the request of `route` and `ask`, `--format` and its
//! `--json` shorthand, the log-input flags) and the value parsers that check a flag's range.

use std::path::PathBuf;

use clap::Args;

use crate::config::Strategy;
pub use crate::config::flag_values::{float_in, int_in, millis, per_year, rating, scale, seconds, split, unit};
use crate::data::Format;
use crate::output::format::{OutputFormat, ReportFormat};
use crate::prompt::{self, Prompt};
use crate::router::service::RouteRequest;

/// `--format` and its `--json` shorthand for a command whose output is one table (CSV is that table).
#[derive(Debug, Clone, Args)]
pub struct FormatArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Table, value_name = "FORMAT")]
    pub format: OutputFormat,

    /// Shorthand for `--format json`
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

impl FormatArgs {
    /// The chosen format (`--json` is `--format json`).
    pub fn format(&self) -> OutputFormat {
        if self.json { OutputFormat::Json } else { self.format }
    }
}

/// `--format` and its `--json` shorthand for a report of text lines and tables.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ReportFormat::Table, value_name = "FORMAT")]
    pub format: ReportFormat,

    /// Shorthand for `--format json`
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

impl ReportArgs {
    /// The chosen format (`--json` is `--format json`).
    pub fn format(&self) -> ReportFormat {
        if self.json { ReportFormat::Json } else { self.format }
    }
}

/// What to route and how (shared by `route` and `ask`).
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The prompt; `-` reads it from stdin
    #[arg(value_name = "PROMPT")]
    pub prompt: String,

    /// Treat the input as an OpenAI chat-completions body (routing uses the last user message)
    #[arg(long)]
    pub chat: bool,

    /// Task tag matched by rules with `tags`
    #[arg(long, value_name = "TASK")]
    pub tag: Option<String>,

    /// Routing strategy
    #[arg(long, value_enum, default_value_t = Strategy::CHAIN)]
    pub strategy: Strategy,

    /// Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)
    #[arg(long, value_name = "FILE")]
    pub classifier: Option<PathBuf>,

    /// Skip routing: send the request to this catalog model (its quota is counted and the decision
    /// logged with method `client`, as the gateway does for a named model)
    #[arg(long = "model", visible_alias = "force-model", value_name = "NAME", conflicts_with_all = ["strategy", "classifier"])]
    pub force_model: Option<String>,

    /// Id to log the decision under (default: a generated one, printed in the output)
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,

    /// Key for the gray release, so that one user always lands in the same arm
    #[arg(long, value_name = "KEY")]
    pub user: Option<String>,

    /// Store the prompt itself in the decision log (only its hash otherwise)
    #[arg(long)]
    pub log_prompts: bool,
}

impl RequestArgs {
    /// Reads the prompt (argument, stdin or chat body).
    pub fn read_prompt(&self) -> crate::error::Result<Prompt> {
        let origin = if self.prompt == "-" { "stdin" } else { "argument" };
        prompt::parse(prompt::read_arg(&self.prompt)?, self.chat, origin)
    }

    pub fn route_request<'a>(
        &'a self,
        prompt: &'a Prompt,
        request_id: Option<&'a str>,
        dry_run: bool,
    ) -> RouteRequest<'a> {
        RouteRequest {
            prompt,
            tag: self.tag.as_deref(),
            strategy: self.strategy,
            model: self.classifier.as_deref(),
            request_id: request_id.or(self.request_id.as_deref()),
            user: self.user.as_deref(),
            log_prompts: self.log_prompts,
            dry_run,
        }
    }
}

/// `--map DATA=CATALOG`: both names non-empty.
pub fn parse_map(s: &str) -> std::result::Result<(String, String), String> {
    match s.split_once('=') {
        Some((d, c)) if !d.trim().is_empty() && !c.trim().is_empty() => Ok((d.to_string(), c.to_string())),
        _ => Err(format!("`{s}`: write it as data_name=catalog_name")),
    }
}

/// `--input-format`: how a log file is read (every command that reads one).
#[derive(Debug, Clone, Args)]
pub struct InputFormatArg {
    /// Input format [default: from the extension, else sniffed]
    #[arg(long = "input-format", value_enum, value_name = "FORMAT")]
    pub input_format: Option<Format>,
}

/// A routing log's format and prompt column (`simulate` and `batch`).
#[derive(Debug, Clone, Args)]
pub struct LogTextArgs {
    #[command(flatten)]
    pub format: InputFormatArg,

    /// Column (or JSON key) with the prompt [default: prompt, question, query, text or input]
    #[arg(long, value_name = "NAME")]
    pub text_col: Option<String>,
}

/// `--tag-col`: a routing log's task tag column (`simulate` and `batch`).
#[derive(Debug, Clone, Args)]
pub struct TagColArg {
    /// Column holding each row's task tag, routed as `route --tag` routes it [default: the trained
    /// outcome model's feature column, if the log has it]
    #[arg(long, value_name = "NAME")]
    pub tag_col: Option<String>,
}

/// `--map`: an outcome log's data models as catalog models (`simulate`, `train --outcomes` and
/// `evaluate`; `batch` says more, about its cost columns).
#[derive(Debug, Clone, Args)]
pub struct MapArg {
    /// Treat a data model as a catalog model: `--map data_name=catalog_name` (repeatable)
    #[arg(long = "map", value_name = "DATA=CATALOG", value_parser = parse_map)]
    pub map: Vec<(String, String)>,
}
