//! `llmroute models`'s arguments, and those of `models import-prices`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::commands::args::FormatArgs;

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
