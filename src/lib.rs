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
    // Arguments need not be UTF-8 (file names); the tip reads them lossily.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let command = cli::command();
    let matches = match command.clone().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
            quote_tip(e, &command, &args).exit()
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
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

/// A prompt of several words given without quotes ends in clap's "unexpected argument" at its
/// second word: for the commands taking a prompt, the error gets a tip to quote it.
fn quote_tip(mut e: clap::Error, command: &clap::Command, args: &[String]) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument {
        return e;
    }
    let Some(ContextValue::String(bad)) = e.get(ContextKind::InvalidArg) else { return e };
    let bad = bad.clone();
    let Some((at_sub, sub)) =
        args.iter().enumerate().skip(1).find_map(|(i, a)| command.find_subcommand(a).map(|s| (i, s)))
    else {
        return e;
    };
    if bad.starts_with('-') || !sub.get_positionals().any(|p| p.get_id() == "prompt") {
        return e;
    }
    let Some(at) = args.iter().skip(at_sub + 2).position(|a| *a == bad).map(|p| p + at_sub + 2) else { return e };
    if args[at - 1].starts_with('-') {
        return e;
    }
    let words: Vec<&str> = args[at - 1..].iter().take_while(|a| !a.starts_with('-')).map(String::as_str).collect();
    let tip = format!("quote a prompt with spaces: llmroute {} \"{}\"", sub.get_name(), words.join(" "));
    e.insert(ContextKind::Suggested, ContextValue::StyledStrs(vec![tip.into()]));
    e
}
