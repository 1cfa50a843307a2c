//! Command-line definition (clap derive): the `Cli` with its global options, the `Command` enum
//! (each subcommand's examples) and how `--help` and the man pages show them. Each command's
//! arguments live with the command (`commands::<name>::args`). Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The longest timeout or deadline, in seconds (a day); defined with the flag parsers.
use crate::commands::ask::AskArgs;
use crate::commands::batch::BatchArgs;
use crate::commands::completions::CompletionsArgs;
use crate::commands::config::ConfigCommand;
use crate::commands::feedback::FeedbackCommand;
use crate::commands::man::ManArgs;
use crate::commands::models::ModelsArgs;
use crate::commands::quota::QuotaArgs;
use crate::commands::report::SpendArgs;
use crate::commands::route::RouteArgs;
use crate::commands::simulate::SimulateArgs;
use crate::commands::state::StateCommand;
use crate::commands::train::{EvaluateArgs, TrainArgs};

const AFTER_HELP: &str = "\
Exit codes:
  0    success
  1    finished, but some items failed (bad rows skipped, a check failed)
  2    usage, configuration or input error
  3    provider or network failure
  4    every model is over its daily quota (all_quotas_exhausted)
  5    the state store could not be opened or written
  6    no model in the catalog can serve the request (context window, output limit, capability)
  130  interrupted

Environment:
  LLMROUTE_CONFIG    configuration file (after --config, before ./llmroute.toml)
  LLMROUTE_STATE     state store path (quota counters)
  LLMROUTE_NOW       pretend the current time is this RFC 3339 instant (tests, replays)
  OPENAI_API_KEY     OpenAI's API key for `ask` and `serve` ([providers.openai] api_key_env)
  ANTHROPIC_API_KEY  Anthropic's API key for `ask` and `serve` ([providers.anthropic] api_key_env)
  NO_COLOR           disable colour";

/// Route each LLM prompt to the cheapest model that answers it well.
#[derive(Debug, Parser)]
#[command(name = "llmroute", version, about, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    /// Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub state: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The command line as parsed and shown: `--config` and `--state` are accepted everywhere but
/// listed once, in `llmroute --help`; every subcommand's help ends with its examples (a nested
/// subcommand with none shows its parent's examples that use it) and a pointer to the global
/// options. (Arguments are hidden before clap propagates the global ones: changing a built
/// command breaks its argument index.)
pub fn command() -> clap::Command {
    with_examples(
        <Cli as clap::CommandFactory>::command()
            .mut_arg("config", |a| a.hide(true))
            .mut_arg("state", |a| a.hide(true))
            .help_template(ROOT_TEMPLATE),
    )
}

/// The command line the man pages describe: as [`command`], with the global options listed (a man
/// page stands alone) and no `help` subcommand.
pub fn man_command() -> clap::Command {
    with_examples(<Cli as clap::CommandFactory>::command().disable_help_subcommand(true))
}

fn with_examples(mut cmd: clap::Command) -> clap::Command {
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, |sub| tidy(sub, "llmroute", None));
    }
    cmd
}

const ROOT_TEMPLATE: &str = "\
{before-help}{about-with-newline}
{usage-heading} {usage}

{all-args}

Global options (before or after the subcommand):
      --config <PATH>  Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded
                       default]
      --state <PATH>   State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]{after-help}";

const GLOBAL_NOTE: &str = "Global options (see `llmroute --help`): --config PATH, --state PATH";

fn tidy(mut cmd: clap::Command, parent: &str, parent_examples: Option<&str>) -> clap::Command {
    let path = format!("{parent} {}", cmd.get_name());
    let own = cmd.get_after_help().map(|h| h.to_string());
    let examples = own.clone().or_else(|| {
        let uses = |l: &&str| l.contains(&format!("{path} ")) || l.trim_end().ends_with(&path);
        let lines: Vec<&str> = parent_examples?.lines().filter(uses).collect();
        (!lines.is_empty()).then(|| format!("Examples:\n{}", lines.join("\n")))
    });
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    for name in names {
        let ex = own.clone();
        cmd = cmd.mut_subcommand(&name, |sub| tidy(sub, &path, ex.as_deref()));
    }
    let help = match examples {
        Some(e) => format!("{e}\n\n{GLOBAL_NOTE}"),
        None => GLOBAL_NOTE.to_string(),
    };
    cmd.after_help(help)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decide which model should answer a prompt
    #[command(after_help = "Examples:
  llmroute route \"Prove that the square root of 2 is irrational.\"
  llmroute route --json --dry-run \"What is the capital of France?\"
  llmroute route --explain --dry-run \"输出 JSON 表格\"      every stage's verdict and the scores
  llmroute route --tag translate bonjour                 a task tag for rules with `tags`
  llmroute route --force-model gpt-4o hi                 no routing; counted and logged
  echo '{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}' | llmroute route --chat - --json")]
    Route(RouteArgs),
    /// Route a prompt, call the model and print its answer
    #[command(after_help = "Examples:
  llmroute ask \"Summarise RFC 9110 in three bullets\"
  llmroute ask --json \"What is the capital of France?\" | jq '{model, cost_usd}'
  llmroute ask --model claude-3-haiku \"hello\"           this model, no routing
  llmroute ask --cascade \"Integrate x^2 from 0 to 3\"    cheapest first, escalated by a judge
  llmroute ask --system \"Answer in French.\" --stream \"Say hello\"")]
    Ask(Box<AskArgs>),
    /// List the model catalog
    #[command(after_help = "Examples:
  llmroute models                                        tier, prices, quota, ML labels
  llmroute models --json | jq '.[].name'
  llmroute models import-prices model_prices_and_context_window.json --in-place")]
    Models(ModelsArgs),
    /// Show today's quota usage, or reset it
    #[command(after_help = "Examples:
  llmroute quota
  llmroute quota --json | jq '.[] | select(.remaining == 0)'
  llmroute quota reset gpt-4o                            clear today's counter of one model")]
    Quota(QuotaArgs),
    /// Write, show or check the configuration
    #[command(
        subcommand,
        after_help = "Examples:
  llmroute config init                                   write the default to ./llmroute.toml
  llmroute config init --article my.toml                 the design article's profile
  llmroute config show
  llmroute config validate my.toml"
    )]
    Config(ConfigCommand),
    /// Replay logs under every strategy and print the savings table
    #[command(after_help = "Examples:
  llmroute simulate fixtures/replay/routellm.csv
  llmroute simulate log.csv --by eval_name --format markdown
  llmroute simulate log.csv --classifier router.model --plot plane.png
  llmroute simulate log.csv --json | jq '.strategies[] | {name, avg_cost, quality}'
  llmroute simulate calls.jsonl --long --id-col request_id --quality score --cost cost")]
    Simulate(Box<SimulateArgs>),
    /// Route every row of a log and stream one decision per row
    #[command(after_help = "Examples:
  llmroute batch requests.csv -o decisions.csv
  llmroute batch requests.jsonl --json | jq -r .model | sort | uniq -c
  llmroute batch log.csv --strategy difficulty --quotas --timestamp-col ts")]
    Batch(BatchArgs),
    /// Record outcomes of routed requests; per-model stats; rule suggestions
    #[command(
        subcommand,
        after_help = "Examples:
  llmroute feedback add --request-id r-0123456789abcdef --rating 5
  llmroute feedback import fixtures/feedback/rule_feedback.csv
  llmroute feedback stats --days 0 --by rule
  llmroute feedback suggest --min-samples 20 --apply suggested.toml"
    )]
    Feedback(FeedbackCommand),
    /// Train the ML router from labelled logs
    #[command(after_help = "Examples:
  llmroute train fixtures/tiers/train.jsonl --label-col expected_tier -o tier.model
  llmroute train data.csv --valid dev.csv --calibrate -o router.model
  llmroute train routerbench.csv --label-from-outcomes -o rb.model
  llmroute train routerbench.csv --outcomes --target-quality 0.8 -o outcomes.model")]
    Train(Box<TrainArgs>),
    /// Measure a trained model on a labelled file
    #[command(after_help = "Examples:
  llmroute evaluate --classifier tier.model fixtures/tiers/dev.jsonl --label-col expected_tier
  llmroute evaluate --classifier builtin:tiers dev.jsonl --label-col expected_tier --by lang
  llmroute evaluate --classifier outcomes.model test.csv --json | jq .aiq")]
    Evaluate(Box<EvaluateArgs>),
    /// Run an OpenAI-compatible routing gateway (POST /v1/chat/completions with model `auto`)
    #[command(after_help = "Examples:
  llmroute serve                                         127.0.0.1:8080, or [serve] listen
  llmroute serve --listen 0.0.0.0:9000 --keys-env LLMROUTE_KEYS
  curl -s localhost:8080/v1/chat/completions -d '{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}'")]
    Serve(ServeArgs),
    /// What routed traffic cost against sending everything to the premium model, from the
    /// decision log
    #[command(after_help = "Examples:
  llmroute report                                        by day, all time
  llmroute report --by model --since 2026-11-01
  llmroute report --by method --days 7 --json")]
    Report(SpendArgs),
    /// Export or import the state (quotas, decisions, feedback) as JSON Lines
    #[command(
        subcommand,
        after_help = "Examples:
  llmroute state export -o state.jsonl                   from the configured store
  llmroute --config redis.toml state import state.jsonl  SQLite → Redis"
    )]
    State(StateCommand),
    /// Print a shell completion script
    #[command(after_help = "Examples:
  llmroute completions zsh > ~/.zfunc/_llmroute
  llmroute completions bash > ~/.local/share/bash-completion/completions/llmroute
  llmroute completions fish > ~/.config/fish/completions/llmroute.fish")]
    Completions(CompletionsArgs),
    /// Print a man page (roff), of llmroute or of a subcommand, or write them all to a directory
    #[command(after_help = "Examples:
  llmroute man | man -l -                                read llmroute(1)
  llmroute man feedback add > llmroute-feedback-add.1
  llmroute man --dir /usr/local/share/man/man1           every page")]
    Man(ManArgs),
}

pub use crate::serve::ServeArgs;

#[cfg(test)]
mod tests {
    /// `--help` describes every argument and subcommand, and every subcommand ends with examples.
    #[test]
    fn every_argument_is_described_and_every_subcommand_has_examples() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                if a.get_help().is_none() && a.get_long_help().is_none() {
                    missing.push(format!("{path}: argument `{}` has no description", a.get_id()));
                }
            }
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                let p = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() {
                    missing.push(format!("{p}: no description"));
                }
                if !sub.get_after_help().is_some_and(|h| h.to_string().starts_with("Examples:\n  llmroute")) {
                    missing.push(format!("{p}: no examples"));
                }
                walk(sub, &p, missing);
            }
        }
        let mut missing = Vec::new();
        let mut cmd = super::command();
        cmd.build();
        walk(&cmd, "llmroute", &mut missing);
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    /// The environment list names the key variable of every provider of the embedded default.
    #[test]
    fn the_environment_list_names_every_default_provider_key() {
        let config = crate::config::Config::from_str(crate::config::EMBEDDED_DEFAULT, crate::config::Source::Embedded)
            .expect("the embedded default");
        let vars: Vec<&str> = config.providers.values().filter_map(|p| p.api_key_env.as_deref()).collect();
        assert!(!vars.is_empty());
        for var in vars {
            assert!(super::AFTER_HELP.contains(&format!("\n  {var} ")), "{var} is not in --help's environment list");
        }
    }
}
