//! `llmroute feedback add|import|stats|suggest`'s arguments.

use std::path::PathBuf;

use clap::Subcommand;

use crate::commands::args::{FormatArgs, InputFormatArg, ReportArgs, int_in, millis, rating};

#[derive(Debug, Subcommand)]
pub enum FeedbackCommand {
    /// Record the outcome of one request
    Add {
        /// The request id `route` printed (or passed with --request-id)
        #[arg(long, value_name = "ID")]
        request_id: String,
        /// User rating, 1 to 5
        #[arg(long, value_parser = rating, value_name = "1-5")]
        rating: Option<f64>,
        /// Whether the answer did its job
        #[arg(long, value_name = "true|false")]
        success: Option<bool>,
        /// Latency of the answer in milliseconds
        #[arg(long, value_parser = millis, value_name = "N")]
        latency_ms: Option<f64>,
        /// The model that answered, for a request llmroute did not log
        #[arg(long, value_name = "MODEL")]
        model: Option<String>,
        /// The rule that matched, for a request llmroute did not log
        #[arg(long, value_name = "NAME")]
        rule: Option<String>,
    },
    /// Load feedback from a CSV, JSON Lines or JSON file in one transaction (all or nothing)
    Import {
        /// Rows with `request_id` and/or `model`, `rating`, `success`, `latency_ms`, `rule`
        /// (or `rule_matched`), `timestamp`, `cost`; `-` reads stdin
        file: PathBuf,
        #[command(flatten)]
        format: InputFormatArg,
    },
    /// Rating, success rate, latency and cost over a recent window
    Stats {
        /// Window in days (0 = all)
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u64).range(0..=36_500), value_name = "N")]
        days: u64,
        /// Group by
        #[arg(long, value_enum, default_value_t = crate::feedback::By::Model)]
        by: crate::feedback::By,
        #[command(flatten)]
        output: FormatArgs,
    },
    /// Recommend rule changes from ratings (the article's optimize_rules), as a TOML diff
    Suggest {
        /// Ratings a rule needs before it is judged
        #[arg(long, default_value_t = 100, value_parser = int_in::<1, 1_000_000_000>, value_name = "N")]
        min_samples: usize,
        /// Judge rules whose model averages below this rating
        #[arg(long, default_value_t = 4.0, value_parser = rating, value_name = "RATING")]
        below: f64,
        /// Window in days (0 = all)
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=36_500), value_name = "N")]
        days: u64,
        /// Write the configuration with the suggestions applied to FILE
        #[arg(long, value_name = "FILE", conflicts_with = "in_place")]
        apply: Option<std::path::PathBuf>,
        /// Apply the suggestions to the configuration file itself
        #[arg(long)]
        in_place: bool,
        /// Overwrite --apply FILE if it exists
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        report: ReportArgs,
    },
}
