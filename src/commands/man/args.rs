//! `llmroute man`'s arguments: which page, or all of them.

use std::path::PathBuf;

use clap::Args;

/// `llmroute man`: which page, or all of them.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (e.g. `feedback add`) [default: llmroute's own]
    #[arg(value_name = "COMMAND", conflicts_with = "dir")]
    pub command: Vec<String>,

    /// Write every page (llmroute.1, llmroute-route.1, llmroute-feedback-add.1, …) to DIR
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}
