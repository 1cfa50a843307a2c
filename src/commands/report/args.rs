//! `llmroute report`'s arguments: the spend report's window and grouping.

use clap::Args;

use crate::commands::args::FormatArgs;

/// `llmroute report`: the spend report's window and grouping.
#[derive(Debug, Args)]
pub struct SpendArgs {
    /// Group by
    #[arg(long, value_enum, default_value_t = crate::spend::GroupBy::Day)]
    pub by: crate::spend::GroupBy,

    /// Only decisions from this day on (YYYY-MM-DD in `[quota] timezone`, or an RFC 3339 time)
    #[arg(long, value_name = "WHEN", conflicts_with = "days")]
    pub since: Option<String>,

    /// Only the last N days (0: all time)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=36_500))]
    pub days: Option<u64>,

    #[command(flatten)]
    pub output: FormatArgs,
}
