//! Command-line definition (clap derive). Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands::train::{Depth, parse_depth, parse_ngram};
use crate::data::Format;
use crate::ml::analyzer::AnalyzerKind;
use crate::router::Strategy;

const AFTER_HELP: &str = "\
Exit codes:
  0    success
  1    finished, but some items failed (bad rows skipped, a check failed)
  2    usage, configuration or input error
  3    provider or network failure
  4    every model is over its daily quota (all_quotas_exhausted)
  5    the state store could not be opened or written
  130  interrupted

Environment:
  LLMROUTE_CONFIG  configuration file (after --config, before ./llmroute.toml)
  LLMROUTE_STATE   state store path (quota counters)
  LLMROUTE_NOW     pretend the current time is this RFC 3339 instant (tests, replays)
  NO_COLOR         disable colour";

/// Route each LLM prompt to the cheapest model that answers it well.
#[derive(Debug, Parser)]
#[command(name = "llmroute", version, about, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    /// Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub state: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decide which model should answer a prompt
    Route(RouteArgs),
    /// List the model catalog
    Models(ModelsArgs),
    /// Show today's quota usage, or reset it
    Quota(QuotaArgs),
    /// Write, show or check the configuration
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Train the ML router from labelled logs
    Train(TrainArgs),
    /// Measure a trained model on a labelled file
    Evaluate(EvaluateArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct RouteArgs {
    /// The prompt; `-` reads it from stdin
    #[arg(value_name = "PROMPT")]
    pub prompt: String,

    /// Treat the input as an OpenAI chat-completions body and route on the last user message
    #[arg(long)]
    pub chat: bool,

    /// Task tag matched by rules with `tags`
    #[arg(long, value_name = "TASK")]
    pub tag: Option<String>,

    /// Routing strategy
    #[arg(long, value_enum, default_value_t = Strategy::Chain)]
    pub strategy: Strategy,

    /// Print one JSON object
    #[arg(long)]
    pub json: bool,

    /// Show every stage's verdict and the difficulty breakdown
    #[arg(long)]
    pub explain: bool,

    /// Decide without counting against the daily quota
    #[arg(long)]
    pub dry_run: bool,

    /// Trained model for the ML stage (overrides `[ml] model`)
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct QuotaArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,

    #[command(subcommand)]
    pub action: Option<QuotaAction>,
}

#[derive(Debug, Subcommand)]
pub enum QuotaAction {
    /// Reset today's counters (of one model, or all)
    Reset {
        /// Model to reset; all models when omitted
        model: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write the embedded default configuration to a file
    Init {
        /// Where to write it
        #[arg(default_value = "llmroute.toml")]
        path: PathBuf,
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Print the effective configuration and where it came from
    Show,
    /// Check a configuration file (default: the effective one)
    Validate { path: Option<PathBuf> },
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to generate for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled queries: CSV, JSON Lines or a JSON array; `-` reads stdin
    #[arg(value_name = "DATA")]
    pub data: String,

    /// Where to write the model
    #[arg(short, long, value_name = "MODEL")]
    pub output: std::path::PathBuf,

    /// Overwrite an existing model file
    #[arg(long)]
    pub force: bool,

    /// Input format [default: from the extension, else sniffed]
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Column (or JSON key) holding the prompt
    #[arg(long, default_value = "prompt", value_name = "NAME")]
    pub text_col: String,

    /// Column (or JSON key) holding the label
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub label_col: String,

    /// Label each row with the cheapest model that was good enough (RouterBench columns
    /// `<model>` and `<model>|total_cost`)
    #[arg(long)]
    pub label_from_outcomes: bool,

    /// Quality a model needs for --label-from-outcomes [default: the row's best quality]
    #[arg(long, value_name = "X")]
    pub min_quality: Option<f64>,

    /// Validation file (instead of holding out --valid-split of DATA)
    #[arg(long, value_name = "FILE")]
    pub valid: Option<String>,

    /// Share of DATA held out for validation (seeded); 0 disables validation
    #[arg(long, default_value_t = 0.2, value_name = "SHARE")]
    pub valid_split: f64,

    /// Text analyzer [default: char_wb, the best measured on the tier data]
    #[arg(long, value_enum)]
    pub analyzer: Option<AnalyzerKind>,

    /// N-gram range MIN,MAX (characters for char_wb, words otherwise) [default: char_wb 1,4; word 1,1]
    #[arg(long, value_parser = parse_ngram, value_name = "MIN,MAX")]
    pub ngram: Option<(usize, usize)>,

    /// Vocabulary size: the most frequent terms
    #[arg(long, default_value_t = 5000, value_name = "N")]
    pub max_features: usize,

    /// Use 1 + ln(tf) instead of raw term counts
    #[arg(long)]
    pub sublinear_tf: bool,

    /// Number of trees
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub n_estimators: usize,

    /// Maximum tree depth, or `none` (grow until pure; the article used 10, which leaves most
    /// predictions below a 0.6 confidence threshold)
    #[arg(long, default_value = "none", value_parser = parse_depth, value_name = "N|none")]
    pub max_depth: Depth,

    /// Random seed (bootstrap, feature sampling, validation split)
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Confidence threshold stored in the model [default: [ml] min_confidence, else 0.6]
    #[arg(long, value_name = "X")]
    pub min_confidence: Option<f64>,

    /// Choose the threshold on the validation data (max accuracy-after-fallback, or
    /// --target-premium-share)
    #[arg(long)]
    pub calibrate: bool,

    /// With --calibrate: the highest threshold whose premium share stays at or below X
    #[arg(long, value_name = "X")]
    pub target_premium_share: Option<f64>,

    /// Also report K-fold cross-validated accuracy
    #[arg(long, value_name = "K")]
    pub cv: Option<usize>,

    /// Skip malformed rows (reported on stderr; exit code 1 at the end)
    #[arg(long)]
    pub skip_bad: bool,

    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Trained model file
    #[arg(long, value_name = "MODEL")]
    pub model: std::path::PathBuf,

    /// Labelled queries: CSV, JSON Lines or a JSON array; `-` reads stdin
    #[arg(value_name = "DATA")]
    pub data: String,

    /// Input format [default: from the extension, else sniffed]
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Column (or JSON key) holding the prompt
    #[arg(long, default_value = "prompt", value_name = "NAME")]
    pub text_col: String,

    /// Column (or JSON key) holding the label
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub label_col: String,

    /// Labels from outcome columns (see `train --label-from-outcomes`)
    #[arg(long)]
    pub label_from_outcomes: bool,

    /// Quality bar for --label-from-outcomes
    #[arg(long, value_name = "X")]
    pub min_quality: Option<f64>,

    /// Confidence threshold [default: [ml] min_confidence, else the model's]
    #[arg(long, value_name = "X")]
    pub min_confidence: Option<f64>,

    /// Skip malformed rows (reported on stderr; exit code 1 at the end)
    #[arg(long)]
    pub skip_bad: bool,

    /// Print JSON
    #[arg(long)]
    pub json: bool,
}
