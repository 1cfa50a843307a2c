//! `llmroute quota`'s arguments, and `quota reset`.

use clap::{Args, Subcommand};

use crate::commands::args::FormatArgs;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct QuotaArgs {
    #[command(flatten)]
    pub output: FormatArgs,

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
