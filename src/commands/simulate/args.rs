//! `llmroute simulate`'s arguments: how the replay logs are read, the strategies' knobs, the outputs.

use std::path::PathBuf;

use clap::Args;

use crate::commands::args::{FormatArgs, LogTextArgs, MapArg, TagColArg, int_in, per_year, scale, unit};

/// How to read replay inputs (shared by `simulate` and `batch`).
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    #[command(flatten)]
    pub log: LogTextArgs,

    /// Quality column template; `{model}` stands for the model name, dots walk into JSON objects
    /// (e.g. `scores.{model}`)
    #[arg(long, default_value = "{model}", value_name = "TEMPLATE")]
    pub quality: String,

    /// Shorthand for `--quality '{model}SUFFIX'`
    #[arg(long, value_name = "SUFFIX", conflicts_with = "quality")]
    pub quality_col_suffix: Option<String>,

    /// Cost column template (USD per request); models without one are priced from tokens
    #[arg(long, default_value = "{model}|total_cost", value_name = "TEMPLATE")]
    pub cost: String,

    /// Response column template (answers for consensus votes and output-token counts)
    #[arg(long, default_value = "{model}|model_response", value_name = "TEMPLATE")]
    pub response: String,

    /// The models of the data, when the header does not reveal them
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub models: Option<Vec<String>>,

    /// Long format: one row per (request, model); `--id-col` groups rows, `--model-col` names the
    /// model, and `--quality`/`--cost`/`--response` name plain columns
    #[arg(long)]
    pub long: bool,

    /// Row id column (with --long: the column grouping a request's rows, default `id`)
    /// [default: sample_id, id or request_id if present, else the row number]
    #[arg(long, value_name = "NAME")]
    pub id_col: Option<String>,

    /// Model column for --long
    #[arg(long, default_value = "model", value_name = "NAME")]
    pub model_col: String,

    /// Timestamp column (RFC 3339, `YYYY-MM-DD HH:MM:SS` or Unix seconds) [default: `timestamp` if present]
    #[arg(long, value_name = "NAME")]
    pub timestamp_col: Option<String>,

    /// Label column for plain logs: the label's model (via `[ml.labels]`) is the cheapest adequate one
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub label_col: String,

    #[command(flatten)]
    pub tag: TagColArg,

    /// Input-token column (plain logs, --long)
    #[arg(long, default_value = "input_tokens", value_name = "NAME")]
    pub input_tokens_col: String,

    /// Output-token column (plain logs, --long)
    #[arg(long, default_value = "output_tokens", value_name = "NAME")]
    pub output_tokens_col: String,

    /// Column of input tokens read from the provider's prompt cache (plain logs), priced at the
    /// model's `cached_input_price`
    #[arg(long, default_value = "cached_input_tokens", value_name = "NAME")]
    pub cached_tokens_col: String,

    #[command(flatten)]
    pub map: MapArg,

    /// Price table (LiteLLM's model_prices_and_context_window.json) for data models not in the catalog
    #[arg(long, value_name = "FILE")]
    pub prices: Option<std::path::PathBuf>,

    /// Skip malformed rows (reported; exit code 1 at the end) instead of stopping
    #[arg(long)]
    pub skip_bad: bool,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Replay files (CSV, JSON Lines, JSON arrays); `-` reads stdin
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub input: InputArgs,

    /// Restrict the candidates to these data models
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub candidates: Option<Vec<String>>,

    /// The all-premium baseline [default: the most expensive candidate]
    #[arg(long, value_name = "MODEL")]
    pub baseline: Option<String>,

    /// Show a row for every single model, not only the baseline and the cheapest
    #[arg(long)]
    pub all_models: bool,

    /// Classifier file for the ML strategy and the chain's ML stage, or `builtin:tiers`
    #[arg(long, value_name = "FILE")]
    pub classifier: Option<std::path::PathBuf>,

    /// Without timestamps, split the log into days of N requests for quotas
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000_000), value_name = "N")]
    pub requests_per_day: Option<u64>,

    /// Traffic for annual savings [default: from the timestamp span, else 11,700,000 as in the article]
    #[arg(long, value_parser = per_year, value_name = "N")]
    pub requests_per_year: Option<f64>,

    /// Cascade: accept an answer whose recorded quality reaches this [default: `[cascade] accept`]
    #[arg(long, value_parser = unit, value_name = "X")]
    pub cascade_threshold: Option<f64>,

    /// Cascade models, cheapest first [default: `[cascade] models` as the data serves them]
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub cascade_models: Option<Vec<String>>,

    /// Cascade: most models tried per request [default: `[cascade] max_attempts`]
    #[arg(long, value_parser = int_in::<1, 16>, value_name = "N")]
    pub max_attempts: Option<usize>,

    /// Cascade: probability that the judge's accept/reject is wrong (seeded); the default is
    /// GPT-4's disagreement with human experts on MT-Bench (Zheng et al., 2023)
    #[arg(long, alias = "evaluator-error-rate", default_value_t = crate::replay::DEFAULT_JUDGE_ERROR_RATE, value_parser = unit, value_name = "P")]
    pub judge_error_rate: f64,

    /// Consensus voters [default: `[consensus] models` as the data serves them]
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub consensus_models: Option<Vec<String>>,

    /// Quality values range over [0, X] and are divided by X (e.g. 10 for 1–10 ratings)
    #[arg(long, default_value_t = 1.0, value_parser = scale, value_name = "X")]
    pub quality_scale: f64,

    /// Break the table down by this column (e.g. eval_name)
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,

    /// Bootstrap resamples for the 95 % intervals (0 disables)
    #[arg(long, default_value_t = 1000, value_parser = int_in::<0, 100_000>, value_name = "N")]
    pub bootstrap: usize,

    /// Seed for the bootstrap, the evaluator errors and the random mix
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Worker threads [default: all cores]
    #[arg(long, value_parser = int_in::<1, 256>, value_name = "N")]
    pub threads: Option<usize>,

    #[command(flatten)]
    pub output: FormatArgs,

    /// Draw the cost–quality plane to a .png or .svg file
    #[arg(long, value_name = "FILE")]
    pub plot: Option<std::path::PathBuf>,

    /// Write every decision (one line per row and strategy: id, strategy, model, method, reason,
    /// tokens, cost, quality) to FILE: CSV, or JSON Lines when FILE ends in .jsonl
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<std::path::PathBuf>,

    /// Overwrite --plot and --decisions files that exist
    #[arg(long)]
    pub force: bool,

    /// Report the gray release of `[canary]`: its share of rows on the canary strategy, the rest
    /// on the chain
    #[arg(long)]
    pub canary: bool,
}
