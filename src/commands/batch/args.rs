//! `llmroute batch`'s arguments: the log's columns, the routing, the stream and where it goes.

use std::path::PathBuf;

use clap::Args;

use crate::commands::args::{LogTextArgs, TagColArg, int_in, parse_map};
use crate::config::Strategy;
use crate::output::format::StreamFormat;

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Log files (CSV, JSON Lines, JSON arrays); `-` reads stdin
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub log: LogTextArgs,

    /// Column (or JSON key) with the request id [default: sample_id, id or request_id if present, else the row number]
    #[arg(long, value_name = "NAME")]
    pub id_col: Option<String>,

    /// Timestamp column for --quotas [default: `timestamp`]
    #[arg(long, value_name = "NAME")]
    pub timestamp_col: Option<String>,

    /// Recorded cost column template (USD per request); `{model}` is a catalog model's name or
    /// `model_id`, or a data name given with --map. The chosen model's recorded cost is reported
    /// when the row has it
    #[arg(long, default_value = "{model}|total_cost", value_name = "TEMPLATE")]
    pub cost: String,

    /// Treat a data model's columns as a catalog model's, and an outcome model's label as that
    /// catalog model: `--map data_name=catalog_name` (repeatable)
    #[arg(long = "map", value_name = "DATA=CATALOG", value_parser = parse_map)]
    pub map: Vec<(String, String)>,

    #[command(flatten)]
    pub tag: TagColArg,

    /// Logged input-token column: priced instead of counting the prompt's tokens
    #[arg(long, default_value = "input_tokens", value_name = "NAME")]
    pub input_tokens_col: String,

    /// Logged output-token column: priced instead of the model's expected output
    #[arg(long, default_value = "output_tokens", value_name = "NAME")]
    pub output_tokens_col: String,

    /// Logged column of input tokens read from the provider's prompt cache, priced at the
    /// model's `cached_input_price`
    #[arg(long, default_value = "cached_input_tokens", value_name = "NAME")]
    pub cached_tokens_col: String,

    /// Routing strategy
    #[arg(long, value_enum, default_value_t = Strategy::CHAIN)]
    pub strategy: Strategy,

    /// Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)
    #[arg(long, value_name = "FILE")]
    pub classifier: Option<std::path::PathBuf>,

    /// Apply daily quotas over the log's timestamps (in memory; the state store is not touched)
    #[arg(long)]
    pub quotas: bool,

    /// Output format: one CSV line or one JSON line per row
    #[arg(long, value_enum, default_value_t = StreamFormat::Csv, value_name = "FORMAT")]
    pub format: StreamFormat,

    /// Shorthand for `--format jsonl`
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Write to FILE instead of stdout (written to a temporary file, then renamed)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// Overwrite --output if it exists
    #[arg(long)]
    pub force: bool,

    /// Skip malformed rows (reported; exit code 1 at the end) instead of stopping
    #[arg(long)]
    pub skip_bad: bool,

    /// Worker threads [default: all cores]; the output order is the input order
    #[arg(long, value_parser = int_in::<1, 256>, value_name = "N")]
    pub threads: Option<usize>,

    /// End with a summary on stderr (rows, model mix, estimated cost, all-premium cost)
    /// [default: when stderr is a terminal]
    #[arg(long)]
    pub summary: bool,
}

impl BatchArgs {
    /// The chosen stream format (`--json` is `--format jsonl`).
    pub fn stream_format(&self) -> StreamFormat {
        if self.json { StreamFormat::Jsonl } else { self.format }
    }
}
