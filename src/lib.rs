//! llmroute: route each LLM prompt to the cheapest model that answers it well, and prove the
//! savings on your own logs.
//!
//! The binary is a thin shell around [`run`]; everything lives here so that tests and benchmarks
//! can call it.

pub mod canary;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod cost;
pub mod data;
pub mod error;
pub mod feedback;
pub mod fsutil;
#[doc(hidden)]
pub mod fuzzing;
pub mod live;
pub mod ml;
pub mod output;
pub mod prices;
pub mod prompt;
pub mod provider;
pub mod quota;
pub mod replay;
pub mod rng;
pub mod router;
pub mod serve;
pub mod spend;
pub mod state;
pub mod text;
pub mod tokenizer;
pub mod units;

use cli::{Cli, Command};
use commands::Context;
pub use error::{Error, Result};

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    state::set_reporter(output::state_event);
    let ctx = Context { config_path: cli.config, state: cli.state };
    match &cli.command {
        Command::Route(a) => commands::route::run(&ctx, a),
        Command::Ask(a) => commands::ask::run(&ctx, a),
        Command::Models(a) => commands::models::run(&ctx, a),
        Command::Serve(a) => serve::run(ctx.config()?, ctx.state.as_deref(), a),
        Command::Quota(a) => commands::quota::run(&ctx, a),
        Command::State(c) => commands::state::run(&ctx, c),
        Command::Report(a) => commands::report::run(&ctx, a),
        Command::Config(c) => commands::config::run(&ctx, c),
        Command::Simulate(a) => commands::simulate::run(&ctx, a),
        Command::Batch(a) => commands::batch::run(&ctx, a),
        Command::Feedback(c) => commands::feedback::run(&ctx, c),
        Command::Train(a) => commands::train::train(&ctx, a),
        Command::Evaluate(a) => commands::train::evaluate(&ctx, a),
        Command::Completions(a) => commands::completions::run(a, <Cli as clap::CommandFactory>::command()),
        Command::Man(a) => commands::man::run(a, cli::man_command()),
    }
}

/// Parses the process arguments, runs, prints any error and returns the exit code.
pub fn main() -> std::process::ExitCode {
    use clap::FromArgMatches;
    let cli = match Cli::from_arg_matches(&cli::command().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            if !matches!(e, Error::BrokenPipe) {
                output::error(&e.to_string());
            }
            std::process::ExitCode::from(e.exit_code())
        }
    }
}
