//! `llmroute state export|import`'s arguments.

use std::path::PathBuf;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// Write every quota counter, decision and feedback record of the configured store
    #[command(after_help = "Examples:
  llmroute state export > state.jsonl
  llmroute state export -o state.jsonl --force")]
    Export {
        /// Write to this file instead of stdout
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace an existing output file
        #[arg(long)]
        force: bool,
    },
    /// Read an export into the configured store (all or nothing; counters are never lowered)
    #[command(after_help = "Examples:
  llmroute state import state.jsonl
  LLMROUTE_REDIS_URL=redis://10.0.0.5:6379/0 llmroute --config redis.toml state import state.jsonl")]
    Import {
        /// The JSON Lines file `state export` wrote
        file: PathBuf,
    },
}
