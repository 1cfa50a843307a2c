//! `llmroute ask`'s arguments: the request, the answer mode and the time limits.

use clap::Args;

use crate::commands::args::{RequestArgs, seconds};

#[derive(Debug, Args)]
pub struct AskArgs {
    #[command(flatten)]
    pub req: RequestArgs,

    /// A system prompt sent before the messages
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,

    /// Cheapest model first, scored, escalated until an answer is accepted (`[cascade]`)
    #[arg(long, conflicts_with_all = ["consensus", "force_model"])]
    pub cascade: bool,

    /// Several models answer concurrently; the majority answer wins (`[consensus]`)
    #[arg(long, conflicts_with = "force_model")]
    pub consensus: bool,

    /// Stream the answer to stdout even when it is not a terminal
    #[arg(long, conflicts_with_all = ["json", "cascade", "consensus"])]
    pub stream: bool,

    /// Print one JSON record: decision, answer, usage, cost, latency, attempts
    #[arg(long)]
    pub json: bool,

    /// Per-request timeout in seconds (overrides `[live] timeout_secs`)
    #[arg(long, value_parser = seconds, value_name = "SECS")]
    pub timeout: Option<f64>,

    /// Overall deadline in seconds (overrides `[live] deadline_secs`)
    #[arg(long, value_parser = seconds, value_name = "SECS")]
    pub deadline: Option<f64>,
}
