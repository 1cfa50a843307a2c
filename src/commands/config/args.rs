//! `llmroute config init|show|validate`'s arguments.

use std::path::PathBuf;

use clap::Subcommand;

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
        /// Write the design article's profile instead (its Chinese keyword rules and difficulty
        /// signals, no trained model)
        #[arg(long)]
        article: bool,
    },
    /// Print the effective configuration and where it came from
    Show,
    /// Check a configuration file (default: the effective one)
    Validate {
        /// The file to check [default: the effective configuration]
        path: Option<PathBuf>,
    },
}
