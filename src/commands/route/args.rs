//! `llmroute route`'s arguments: the request, the output format, `--explain`, `--dry-run`.

use clap::Args;

use crate::commands::args::{ReportArgs, RequestArgs};

#[derive(Debug, Args)]
pub struct RouteArgs {
    #[command(flatten)]
    pub req: RequestArgs,

    #[command(flatten)]
    pub output: ReportArgs,

    /// Show every stage's verdict and the difficulty breakdown
    #[arg(long)]
    pub explain: bool,

    /// Decide without counting against the daily quota
    #[arg(long)]
    pub dry_run: bool,
}
