//! Command-line definition (clap derive). Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
