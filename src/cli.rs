//! Command-line definition (clap derive). Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Strategy;
use crate::data::Format;
use crate::ml::analyzer::AnalyzerKind;
use crate::prompt::{self, Prompt};
use crate::router::service::RouteRequest;

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
  LLMROUTE_CONFIG  configuration file (after --config, before ./llmroute.toml)
  LLMROUTE_STATE   state store path (quota counters)
  LLMROUTE_NOW     pretend the current time is this RFC 3339 instant (tests, replays)
  NO_COLOR         disable colour";

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

/// `llmroute serve`: where to listen and the gateway's limits.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port, printed on stderr [default: `[serve] listen`, 127.0.0.1:8080]
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: Option<String>,

    /// Environment variable holding the client keys (comma-separated) a request must present as
    /// `Authorization: Bearer KEY` [default: `[serve] keys_env`; neither: no client auth]
    #[arg(long, value_name = "VAR")]
    pub keys_env: Option<String>,

    /// Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)
    #[arg(long = "classifier", value_name = "FILE")]
    pub model: Option<PathBuf>,

    /// Largest request body in bytes, 1 KiB to 64 MiB [default: `[serve] max_request_bytes`, 4 MiB]
    #[arg(long, value_parser = int_in::<1024, 67_108_864>, value_name = "BYTES")]
    pub max_request_bytes: Option<usize>,

    /// Upstream calls in flight at most, 1 to 10,000; more requests wait [default: `[serve] max_concurrency`, 256]
    #[arg(long, value_parser = int_in::<1, 10_000>, value_name = "N")]
    pub max_concurrency: Option<usize>,

    /// Per-request upstream timeout in seconds (overrides `[live] timeout_secs`)
    #[arg(long, value_parser = seconds, value_name = "SECS")]
    pub timeout: Option<f64>,

    /// Deadline of one request, retries and fallbacks included (overrides `[live] deadline_secs`)
    #[arg(long, value_parser = seconds, value_name = "SECS")]
    pub deadline: Option<f64>,

    /// On SIGTERM/SIGINT, how long requests in flight may still take [default: `[serve] shutdown_grace_secs`, 10]
    #[arg(long, value_parser = seconds, value_name = "SECS")]
    pub shutdown_grace: Option<f64>,

    /// Threads serving requests, 1 to 1,024; 0 for one per core [default: `[serve] workers`, 0]
    #[arg(long, value_parser = int_in::<0, 1024>, value_name = "N")]
    pub workers: Option<usize>,

    /// Client connections open at most, 16 to 1,048,576; at the cap a new one closes the oldest
    /// idle one [default: `[serve] max_connections`, 4096]
    #[arg(long, value_parser = int_in::<16, 1_048_576>, value_name = "N")]
    pub max_connections: Option<usize>,

    /// Seconds a client may take to send a request's head, or to start the next one on a kept-alive
    /// connection [default: `[serve] header_read_timeout_secs`, 10]
    #[arg(long, value_parser = seconds, value_name = "SECS")]
    pub header_read_timeout: Option<f64>,

    /// Seconds a client may take to send a request's body (408 after) [default: `[serve]
    /// body_read_timeout_secs`, 30]
    #[arg(long, value_parser = seconds, value_name = "SECS")]
    pub body_read_timeout: Option<f64>,
}

/// What to route and how (shared by `route` and `ask`).
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The prompt; `-` reads it from stdin
    #[arg(value_name = "PROMPT")]
    pub prompt: String,

    /// Treat the input as an OpenAI chat-completions body (routing uses the last user message)
    #[arg(long)]
    pub chat: bool,

    /// Task tag matched by rules with `tags`
    #[arg(long, value_name = "TASK")]
    pub tag: Option<String>,

    /// Routing strategy
    #[arg(long, value_enum, default_value_t = Strategy::CHAIN)]
    pub strategy: Strategy,

    /// Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)
    #[arg(long, value_name = "FILE")]
    pub classifier: Option<PathBuf>,

    /// Skip routing: send the request to this catalog model (its quota is counted and the decision
    /// logged with method `client`, as the gateway does for a named model)
    #[arg(long = "model", visible_alias = "force-model", value_name = "NAME", conflicts_with_all = ["strategy", "classifier"])]
    pub force_model: Option<String>,

    /// Id to log the decision under (default: a generated one, printed in the output)
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,

    /// Key for the gray release, so that one user always lands in the same arm
    #[arg(long, value_name = "KEY")]
    pub user: Option<String>,

    /// Store the prompt itself in the decision log (only its hash otherwise)
    #[arg(long)]
    pub log_prompts: bool,
}

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

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ModelsArgs {
    #[command(flatten)]
    pub output: FormatArgs,

    #[command(subcommand)]
    pub action: Option<ModelsAction>,
}

#[derive(Debug, Subcommand)]
pub enum ModelsAction {
    /// Update the catalog's prices from LiteLLM's price table, editing the configuration in place
    /// (comments and layout kept); prints it, or writes it to --output or back with --in-place
    #[command(long_about = IMPORT_PRICES_ABOUT)]
    ImportPrices(ImportPrices),
}

const IMPORT_PRICES_ABOUT: &str = "\
Update the catalog's prices from LiteLLM's price table, model_prices_and_context_window.json
(https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json). Only the
input_price and output_price values of matched models change; comments and layout stay.

Matching: each catalog model is looked up by its `model_id`, then by its name: the exact key, else
the key under a provider prefix (`vertex_ai/NAME`; entries of the model's provider first, then the
shortest), else the newest dated release (`NAME-YYYYMMDD`, `NAME-YYYY-MM-DD`, `NAME@YYYYMMDD`),
else, for a dated name, its undated name's entry. The table printed on stderr names the entry and
the rule that matched each model.";

/// `models import-prices`: the table and where the updated configuration goes.
#[derive(Debug, Args)]
pub struct ImportPrices {
    /// The price table (LiteLLM's model_prices_and_context_window.json)
    pub file: PathBuf,
    /// Write the updated configuration here instead of stdout
    #[arg(short, long, value_name = "FILE", conflicts_with = "in_place")]
    pub output: Option<PathBuf>,
    /// Overwrite --output if it exists
    #[arg(long)]
    pub force: bool,
    /// Update the configuration file itself
    #[arg(long)]
    pub in_place: bool,
}

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

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// Write every quota counter, decision and feedback record of the configured store
    #[command(after_help = "Examples:
  llmroute state export > state.jsonl
  llmroute state export -o state.jsonl --force")]
    Export {
        /// Write to this file instead of stdout
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace an existing output file
        #[arg(long)]
        force: bool,
    },
    /// Read an export into the configured store (all or nothing; counters are never lowered)
    #[command(after_help = "Examples:
  llmroute state import state.jsonl
  LLMROUTE_REDIS_URL=redis://10.0.0.5:6379/0 llmroute --config redis.toml state import state.jsonl")]
    Import {
        /// The JSON Lines file `state export` wrote
        file: PathBuf,
    },
}

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

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to generate for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled queries (or, with --outcomes, outcome logs): CSV, JSON Lines or JSON arrays,
    /// several files at once; `-` reads stdin
    #[arg(value_name = "DATA", required = true)]
    pub data: Vec<PathBuf>,

    /// Learn every model's expected quality from outcome logs (as `simulate` reads them) instead
    /// of a label per prompt: the outcome router
    #[arg(long)]
    pub outcomes: bool,

    #[command(flatten)]
    pub outcome: OutcomeArgs,

    /// Where to write the model
    #[arg(short, long, value_name = "MODEL")]
    pub output: std::path::PathBuf,

    /// Overwrite an existing model file
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub labels: LabelledArgs,

    /// Validation file (instead of holding out --valid-split of DATA)
    #[arg(long, value_name = "FILE")]
    pub valid: Option<PathBuf>,

    /// Share of DATA held out for validation (seeded); 0 disables validation
    #[arg(long, default_value_t = 0.2, value_parser = split, value_name = "SHARE")]
    pub valid_split: f64,

    /// Text analyzer [default: char_wb, the best measured on the tier data]
    #[arg(long, value_enum)]
    pub analyzer: Option<AnalyzerKind>,

    /// N-gram range MIN,MAX (characters for char_wb, words otherwise) [default: char_wb 1,4; word 1,1]
    #[arg(long, value_parser = parse_ngram, value_name = "MIN,MAX")]
    pub ngram: Option<(usize, usize)>,

    /// Vocabulary size: the most frequent terms
    #[arg(long, default_value_t = 5000, value_parser = int_in::<1, 10_000_000>, value_name = "N")]
    pub max_features: usize,

    /// Use 1 + ln(tf) instead of raw term counts
    #[arg(long)]
    pub sublinear_tf: bool,

    /// Number of trees
    #[arg(long, default_value_t = 100, value_parser = int_in::<1, 10_000>, value_name = "N")]
    pub n_estimators: usize,

    /// Maximum tree depth, or `none` (grow until pure; the article used 10, which leaves most
    /// predictions below a 0.6 confidence threshold)
    #[arg(long, default_value = "none", value_parser = parse_depth, value_name = "N|none")]
    pub max_depth: Depth,

    /// Random seed (bootstrap, feature sampling, validation split)
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_parser = int_in::<1, 256>, value_name = "N")]
    pub threads: Option<usize>,

    /// Confidence threshold stored in the model [default: [ml] min_confidence, else 0.6]
    #[arg(long, value_parser = unit, value_name = "X")]
    pub min_confidence: Option<f64>,

    /// Choose the threshold on the validation data (max accuracy-after-fallback, or
    /// --target-premium-share)
    #[arg(long)]
    pub calibrate: bool,

    /// Keep the trees' raw vote shares as probabilities (by default they are calibrated on the
    /// out-of-bag predictions of the training rows)
    #[arg(long)]
    pub no_calibration: bool,

    /// With --calibrate: the highest threshold whose premium share stays at or below X
    #[arg(long, value_parser = unit, value_name = "X")]
    pub target_premium_share: Option<f64>,

    /// Also report K-fold cross-validated accuracy
    #[arg(long, value_parser = int_in::<2, 100>, value_name = "K")]
    pub cv: Option<usize>,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Classifier file to measure (a `train -o` output, or `builtin:tiers`)
    #[arg(long, value_name = "FILE")]
    pub classifier: std::path::PathBuf,

    /// Labelled queries (or, for an outcome model, outcome logs); `-` reads stdin
    #[arg(value_name = "DATA", required = true)]
    pub data: Vec<PathBuf>,

    #[command(flatten)]
    pub outcome: OutcomeArgs,

    #[command(flatten)]
    pub labels: LabelledArgs,

    /// Confidence threshold [default: [ml] min_confidence, else the model's]
    #[arg(long, value_parser = unit, value_name = "X")]
    pub min_confidence: Option<f64>,

    /// Also report accuracy, fallback and under-routing per value of this column (e.g. `lang`)
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,

    #[command(flatten)]
    pub report: ReportArgs,
}

/// Output formats of commands that print tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Boxed tables that fit the terminal
    Table,
    /// Aligned columns without borders, never wrapped
    Plain,
    /// Markdown tables
    Markdown,
    /// JSON
    Json,
    /// CSV
    Csv,
}

/// `--format` and its `--json` shorthand for a command whose output is one table (CSV is that table).
#[derive(Debug, Clone, Args)]
pub struct FormatArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Table, value_name = "FORMAT")]
    pub format: OutputFormat,

    /// Shorthand for `--format json`
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

impl FormatArgs {
    /// The chosen format (`--json` is `--format json`).
    pub fn format(&self) -> OutputFormat {
        if self.json { OutputFormat::Json } else { self.format }
    }
}

/// Output formats of reports made of text lines and tables (no CSV: they are not one table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Text with boxed tables that fit the terminal
    Table,
    /// Text with aligned columns without borders, never wrapped
    Plain,
    /// Text with Markdown tables
    Markdown,
    /// JSON
    Json,
}

/// `--format` and its `--json` shorthand for a report of text lines and tables.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ReportFormat::Table, value_name = "FORMAT")]
    pub format: ReportFormat,

    /// Shorthand for `--format json`
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

impl ReportArgs {
    /// Whether the report is JSON (`--json` or `--format json`).
    pub fn is_json(&self) -> bool {
        self.json || self.format == ReportFormat::Json
    }

    /// The chosen format (`--json` is `--format json`).
    pub fn format(&self) -> ReportFormat {
        if self.json { ReportFormat::Json } else { self.format }
    }
}

/// How to read replay inputs (shared by `simulate` and `batch`).
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Input format [default: from the extension, else sniffed]
    #[arg(long = "input-format", value_enum, value_name = "FORMAT")]
    pub input_format: Option<Format>,

    /// Column (or JSON key) with the prompt [default: prompt, question, query, text or input]
    #[arg(long, value_name = "NAME")]
    pub text_col: Option<String>,

    /// Quality column template; `{model}` stands for the model name, dots walk into JSON objects
    /// (e.g. `scores.{model}`)
    #[arg(long, default_value = "{model}", value_name = "TEMPLATE")]
    pub quality: String,

    /// Shorthand for `--quality '{model}SUFFIX'`
    #[arg(long, value_name = "SUFFIX", conflicts_with = "quality")]
    pub quality_col_suffix: Option<String>,

    /// Cost column template (USD per request); models without one are priced from tokens
    #[arg(long, default_value = "{model}|total_cost", value_name = "TEMPLATE")]
    pub cost: String,

    /// Response column template (answers for consensus votes and output-token counts)
    #[arg(long, default_value = "{model}|model_response", value_name = "TEMPLATE")]
    pub response: String,

    /// The models of the data, when the header does not reveal them
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub models: Option<Vec<String>>,

    /// Long format: one row per (request, model); `--id-col` groups rows, `--model-col` names the
    /// model, and `--quality`/`--cost`/`--response` name plain columns
    #[arg(long)]
    pub long: bool,

    /// Row id column (with --long: the column grouping a request's rows, default `id`)
    /// [default: sample_id, id or request_id if present, else the row number]
    #[arg(long, value_name = "NAME")]
    pub id_col: Option<String>,

    /// Model column for --long
    #[arg(long, default_value = "model", value_name = "NAME")]
    pub model_col: String,

    /// Timestamp column (RFC 3339, `YYYY-MM-DD HH:MM:SS` or Unix seconds) [default: `timestamp` if present]
    #[arg(long, value_name = "NAME")]
    pub timestamp_col: Option<String>,

    /// Label column for plain logs: the label's model (via `[ml.labels]`) is the cheapest adequate one
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub label_col: String,

    /// Column holding each row's task tag, routed as `route --tag` routes it [default: the trained
    /// outcome model's feature column, if the log has it]
    #[arg(long, value_name = "NAME")]
    pub tag_col: Option<String>,

    /// Input-token column (plain logs, --long)
    #[arg(long, default_value = "input_tokens", value_name = "NAME")]
    pub input_tokens_col: String,

    /// Output-token column (plain logs, --long)
    #[arg(long, default_value = "output_tokens", value_name = "NAME")]
    pub output_tokens_col: String,

    /// Column of input tokens read from the provider's prompt cache (plain logs), priced at the
    /// model's `cached_input_price`
    #[arg(long, default_value = "cached_input_tokens", value_name = "NAME")]
    pub cached_tokens_col: String,

    /// Treat a data model as a catalog model: `--map data_name=catalog_name` (repeatable)
    #[arg(long = "map", value_name = "DATA=CATALOG", value_parser = parse_map)]
    pub map: Vec<(String, String)>,

    /// Price table (LiteLLM's model_prices_and_context_window.json) for data models not in the catalog
    #[arg(long, value_name = "FILE")]
    pub prices: Option<std::path::PathBuf>,

    /// Skip malformed rows (reported; exit code 1 at the end) instead of stopping
    #[arg(long)]
    pub skip_bad: bool,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Replay files (CSV, JSON Lines, JSON arrays); `-` reads stdin
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub input: InputArgs,

    /// Restrict the candidates to these data models
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub candidates: Option<Vec<String>>,

    /// The all-premium baseline [default: the most expensive candidate]
    #[arg(long, value_name = "MODEL")]
    pub baseline: Option<String>,

    /// Show a row for every single model, not only the baseline and the cheapest
    #[arg(long)]
    pub all_models: bool,

    /// Classifier file for the ML strategy and the chain's ML stage, or `builtin:tiers`
    #[arg(long, value_name = "FILE")]
    pub classifier: Option<std::path::PathBuf>,

    /// Without timestamps, split the log into days of N requests for quotas
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000_000), value_name = "N")]
    pub requests_per_day: Option<u64>,

    /// Traffic for annual savings [default: from the timestamp span, else 11,700,000 as in the article]
    #[arg(long, value_parser = per_year, value_name = "N")]
    pub requests_per_year: Option<f64>,

    /// Cascade: accept an answer whose recorded quality reaches this [default: `[cascade] accept`]
    #[arg(long, value_parser = unit, value_name = "X")]
    pub cascade_threshold: Option<f64>,

    /// Cascade models, cheapest first [default: `[cascade] models` as the data serves them]
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub cascade_models: Option<Vec<String>>,

    /// Cascade: most models tried per request [default: `[cascade] max_attempts`]
    #[arg(long, value_parser = int_in::<1, 16>, value_name = "N")]
    pub max_attempts: Option<usize>,

    /// Cascade: probability that the judge's accept/reject is wrong (seeded); the default is
    /// GPT-4's disagreement with human experts on MT-Bench (Zheng et al., 2023)
    #[arg(long, alias = "evaluator-error-rate", default_value_t = crate::replay::DEFAULT_JUDGE_ERROR_RATE, value_parser = unit, value_name = "P")]
    pub judge_error_rate: f64,

    /// Consensus voters [default: `[consensus] models` as the data serves them]
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub consensus_models: Option<Vec<String>>,

    /// Quality values range over [0, X] and are divided by X (e.g. 10 for 1–10 ratings)
    #[arg(long, default_value_t = 1.0, value_parser = scale, value_name = "X")]
    pub quality_scale: f64,

    /// Break the table down by this column (e.g. eval_name)
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,

    /// Bootstrap resamples for the 95 % intervals (0 disables)
    #[arg(long, default_value_t = 1000, value_parser = int_in::<0, 100_000>, value_name = "N")]
    pub bootstrap: usize,

    /// Seed for the bootstrap, the evaluator errors and the random mix
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Worker threads [default: all cores]
    #[arg(long, value_parser = int_in::<1, 256>, value_name = "N")]
    pub threads: Option<usize>,

    #[command(flatten)]
    pub output: FormatArgs,

    /// Draw the cost–quality plane to a .png or .svg file
    #[arg(long, value_name = "FILE")]
    pub plot: Option<std::path::PathBuf>,

    /// Write every decision (one line per row and strategy: id, strategy, model, method, reason,
    /// tokens, cost, quality) to FILE: CSV, or JSON Lines when FILE ends in .jsonl
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<std::path::PathBuf>,

    /// Overwrite --plot and --decisions files that exist
    #[arg(long)]
    pub force: bool,

    /// Report the gray release of `[canary]`: its share of rows on the canary strategy, the rest
    /// on the chain
    #[arg(long)]
    pub canary: bool,
}

/// Stream formats of `batch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StreamFormat {
    Csv,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Log files (CSV, JSON Lines, JSON arrays); `-` reads stdin
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Input format [default: from the extension, else sniffed]
    #[arg(long = "input-format", value_enum, value_name = "FORMAT")]
    pub input_format: Option<Format>,

    /// Column (or JSON key) with the prompt [default: prompt, question, query, text or input]
    #[arg(long, value_name = "NAME")]
    pub text_col: Option<String>,

    /// Column (or JSON key) with the request id [default: sample_id, id or request_id if present, else the row number]
    #[arg(long, value_name = "NAME")]
    pub id_col: Option<String>,

    /// Timestamp column for --quotas [default: `timestamp`]
    #[arg(long, value_name = "NAME")]
    pub timestamp_col: Option<String>,

    /// Recorded cost column template (USD per request); `{model}` is a catalog model's name or
    /// `model_id`, or a data name given with --map. The chosen model's recorded cost is reported
    /// when the row has it
    #[arg(long, default_value = "{model}|total_cost", value_name = "TEMPLATE")]
    pub cost: String,

    /// Treat a data model's columns as a catalog model's, and an outcome model's label as that
    /// catalog model: `--map data_name=catalog_name` (repeatable)
    #[arg(long = "map", value_name = "DATA=CATALOG", value_parser = parse_map)]
    pub map: Vec<(String, String)>,

    /// Column holding each row's task tag, routed as `route --tag` routes it [default: the trained
    /// outcome model's feature column, if the log has it]
    #[arg(long, value_name = "NAME")]
    pub tag_col: Option<String>,

    /// Logged input-token column: priced instead of counting the prompt's tokens
    #[arg(long, default_value = "input_tokens", value_name = "NAME")]
    pub input_tokens_col: String,

    /// Logged output-token column: priced instead of the model's expected output
    #[arg(long, default_value = "output_tokens", value_name = "NAME")]
    pub output_tokens_col: String,

    /// Logged column of input tokens read from the provider's prompt cache, priced at the
    /// model's `cached_input_price`
    #[arg(long, default_value = "cached_input_tokens", value_name = "NAME")]
    pub cached_tokens_col: String,

    /// Routing strategy
    #[arg(long, value_enum, default_value_t = Strategy::CHAIN)]
    pub strategy: Strategy,

    /// Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)
    #[arg(long, value_name = "FILE")]
    pub classifier: Option<std::path::PathBuf>,

    /// Apply daily quotas over the log's timestamps (in memory; the state store is not touched)
    #[arg(long)]
    pub quotas: bool,

    /// Output format: one CSV line or one JSON line per row
    #[arg(long, value_enum, default_value_t = StreamFormat::Csv, value_name = "FORMAT")]
    pub format: StreamFormat,

    /// Shorthand for `--format jsonl`
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Write to FILE instead of stdout (written to a temporary file, then renamed)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// Overwrite --output if it exists
    #[arg(long)]
    pub force: bool,

    /// Skip malformed rows (reported; exit code 1 at the end) instead of stopping
    #[arg(long)]
    pub skip_bad: bool,

    /// Worker threads [default: all cores]; the output order is the input order
    #[arg(long, value_parser = int_in::<1, 256>, value_name = "N")]
    pub threads: Option<usize>,

    /// End with a summary on stderr (rows, model mix, estimated cost, all-premium cost)
    /// [default: when stderr is a terminal]
    #[arg(long)]
    pub summary: bool,
}

impl BatchArgs {
    /// The chosen stream format (`--json` is `--format jsonl`).
    pub fn stream_format(&self) -> StreamFormat {
        if self.json { StreamFormat::Jsonl } else { self.format }
    }
}

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
        /// Input format [default: from the extension, else sniffed]
        #[arg(long = "input-format", value_enum, value_name = "FORMAT")]
        input_format: Option<Format>,
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

/// How `train` and `evaluate` read labelled rows.
#[derive(Debug, Clone, Args)]
pub struct LabelledArgs {
    /// Input format [default: from the extension, else sniffed]
    #[arg(long = "input-format", value_enum, value_name = "FORMAT")]
    pub input_format: Option<Format>,

    /// Column (or JSON key) holding the prompt
    #[arg(long, default_value = "prompt", value_name = "NAME")]
    pub text_col: String,

    /// Column (or JSON key) holding the label
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub label_col: String,

    /// Label each row with the cheapest model that was good enough (RouterBench columns
    /// `<model>` and `<model>|total_cost`)
    #[arg(long)]
    pub label_from_outcomes: bool,

    /// Quality a model needs for --label-from-outcomes [default: the row's best quality]
    #[arg(long, value_parser = unit, value_name = "X")]
    pub min_quality: Option<f64>,

    /// Skip malformed rows (reported on stderr; exit code 1 at the end)
    #[arg(long)]
    pub skip_bad: bool,
}

/// How `train --outcomes` and `evaluate` read outcome logs (the `simulate` flags that do not
/// clash with the labelled ones) and choose the operating point.
#[derive(Debug, Clone, Args)]
pub struct OutcomeArgs {
    /// Quality column template; `{model}` stands for the model name (e.g. `scores.{model}`)
    #[arg(long, default_value = "{model}", value_name = "TEMPLATE")]
    pub quality: String,

    /// Cost column template (USD per request); models without one are priced from tokens
    #[arg(long, default_value = "{model}|total_cost", value_name = "TEMPLATE")]
    pub cost: String,

    /// Response column template
    #[arg(long, default_value = "{model}|model_response", value_name = "TEMPLATE")]
    pub response: String,

    /// The models of the data, when the header does not reveal them
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub models: Option<Vec<String>>,

    /// Learn only these data models
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub candidates: Option<Vec<String>>,

    /// Long format: one row per (request, model), grouped by `--id-col`, model in `--model-col`
    #[arg(long)]
    pub long: bool,

    /// Request id column for --long
    #[arg(long, value_name = "NAME")]
    pub id_col: Option<String>,

    /// Model column for --long
    #[arg(long, default_value = "model", value_name = "NAME")]
    pub model_col: String,

    /// Treat a data model as a catalog model: `--map data_name=catalog_name` (repeatable)
    #[arg(long = "map", value_name = "DATA=CATALOG", value_parser = parse_map)]
    pub map: Vec<(String, String)>,

    /// Price table for data models without costs
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,

    /// Quality values range over [0, X] and are divided by X
    #[arg(long, default_value_t = 1.0, value_parser = scale, value_name = "X")]
    pub quality_scale: f64,

    /// A categorical column the router also learns from (e.g. `eval_name`); when routing, its value
    /// is the request's `--tag`
    #[arg(long, value_name = "NAME")]
    pub feature_col: Option<String>,

    /// Smallest leaf of the outcome forest
    #[arg(long, default_value_t = 5, value_parser = int_in::<1, 100_000>, value_name = "N")]
    pub min_samples_leaf: usize,

    /// The cost–quality knob: maximise expected quality − λ × expected cost (USD)
    #[arg(long, value_parser = lambda, value_name = "LAMBDA", conflicts_with_all = ["target_quality", "max_cost", "premium_share"])]
    pub lambda: Option<f64>,

    /// The cheapest operating point whose validation quality reaches Q
    #[arg(long, value_parser = unit, value_name = "Q", conflicts_with_all = ["max_cost", "premium_share"])]
    pub target_quality: Option<f64>,

    /// The best validation quality at a mean cost per request of at most USD
    /// [default: half the dearest model's]
    #[arg(long, value_parser = usd, value_name = "USD", conflicts_with = "premium_share")]
    pub max_cost: Option<f64>,

    /// The best validation quality sending at most this share of requests to the dearest model
    #[arg(long, value_parser = unit, value_name = "S")]
    pub premium_share: Option<f64>,
}

/// λ: `[0, 1e12]`.
pub fn lambda(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, crate::ml::outcome::MAX_LAMBDA, false)
}

/// A cost in USD per request: `[0, 1e6]`.
pub fn usd(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, 1e6, false)
}

/// `--max-depth N|none`.
#[derive(Debug, Clone, Copy)]
pub struct Depth(pub Option<usize>);

pub fn parse_depth(s: &str) -> std::result::Result<Depth, String> {
    if s.eq_ignore_ascii_case("none") {
        return Ok(Depth(None));
    }
    s.parse::<usize>()
        .ok()
        .filter(|&d| d > 0)
        .map(|d| Depth(Some(d)))
        .ok_or_else(|| format!("`{s}` is not a positive integer or `none`"))
}

/// `--map DATA=CATALOG`: both names non-empty.
pub fn parse_map(s: &str) -> std::result::Result<(String, String), String> {
    match s.split_once('=') {
        Some((d, c)) if !d.trim().is_empty() && !c.trim().is_empty() => Ok((d.to_string(), c.to_string())),
        _ => Err(format!("`{s}`: write it as data_name=catalog_name")),
    }
}

/// `--ngram MIN,MAX`.
pub fn parse_ngram(s: &str) -> std::result::Result<(usize, usize), String> {
    let (a, b) = s.split_once(',').ok_or_else(|| format!("`{s}`: write MIN,MAX, e.g. 1,3"))?;
    let lo = a.trim().parse::<usize>().map_err(|_| format!("`{a}` is not a positive integer"))?;
    let hi = b.trim().parse::<usize>().map_err(|_| format!("`{b}` is not a positive integer"))?;
    if lo == 0 || hi < lo || hi > 10 {
        return Err(format!("`{s}`: need 1 <= MIN <= MAX <= 10"));
    }
    Ok((lo, hi))
}

impl RequestArgs {
    /// Reads the prompt (argument, stdin or chat body).
    pub fn read_prompt(&self) -> crate::error::Result<Prompt> {
        let origin = if self.prompt == "-" { "stdin" } else { "argument" };
        prompt::parse(prompt::read_arg(&self.prompt)?, self.chat, origin)
    }

    pub fn route_request<'a>(
        &'a self,
        prompt: &'a Prompt,
        request_id: Option<&'a str>,
        dry_run: bool,
    ) -> RouteRequest<'a> {
        RouteRequest {
            prompt,
            tag: self.tag.as_deref(),
            strategy: self.strategy,
            model: self.classifier.as_deref(),
            request_id: request_id.or(self.request_id.as_deref()),
            user: self.user.as_deref(),
            log_prompts: self.log_prompts,
            dry_run,
        }
    }
}

/// An integer flag within `LO..=HI`.
pub fn int_in<const LO: u64, const HI: u64>(s: &str) -> std::result::Result<usize, String> {
    match s.trim().parse::<u64>() {
        Ok(v) if (LO..=HI).contains(&v) => Ok(v as usize),
        _ => Err(format!("`{s}` is not a whole number from {LO} to {HI}")),
    }
}

fn float_in(s: &str, lo: f64, hi: f64, lo_open: bool) -> std::result::Result<f64, String> {
    let v: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a number"))?;
    let ok = v.is_finite() && (if lo_open { v > lo } else { v >= lo }) && v <= hi;
    let lo_bracket = if lo_open { "(" } else { "[" };
    ok.then_some(v)
        .ok_or_else(|| format!("`{s}` is outside {lo_bracket}{}, {}]", crate::error::num(lo), crate::error::num(hi)))
}

/// A share or probability: `[0, 1]`.
pub fn unit(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, 1.0, false)
}

/// A time in seconds: `(0, 86400]`.
pub fn seconds(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, MAX_SECONDS, true)
}

/// The longest timeout or deadline, in seconds (a day).
pub const MAX_SECONDS: f64 = 86_400.0;

/// Requests per year: `(0, 1e12]`.
pub fn per_year(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, 1e12, true)
}

/// A quality scale: `(0, 1e6]`.
pub fn scale(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, 1e6, true)
}

/// A rating: `[1, 5]`.
pub fn rating(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 1.0, 5.0, false)
}

/// A latency in milliseconds: `[0, MAX_LATENCY_MS]`.
pub fn millis(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, crate::config::MAX_LATENCY_MS, false)
}

/// The validation share: `[0, 1)`.
pub fn split(s: &str) -> std::result::Result<f64, String> {
    let v = unit(s)?;
    (v < 1.0).then_some(v).ok_or_else(|| format!("`{s}` is outside [0, 1)"))
}

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
}
