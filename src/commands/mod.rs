//! One module per subcommand. Each declares its arguments (`<name>/args.rs`; the shared ones in
//! [`args`]), turns them into a report and hands it to `crate::output`.

pub mod args;
pub mod ask;
pub mod batch;
pub mod completions;
pub mod config;
pub mod feedback;
pub mod man;
pub mod models;
pub mod quota;
pub mod report;
pub mod route;
pub mod simulate;
pub mod state;
pub mod train;
pub mod train_outcomes;

use std::path::PathBuf;

use crate::config::Config;
use crate::error::Result;

/// Global options shared by every subcommand.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub config_path: Option<PathBuf>,
    pub state: Option<PathBuf>,
}

impl Context {
    /// The effective configuration (lookup order in [`crate::config`]).
    pub fn config(&self) -> Result<Config> {
        Config::load(self.config_path.as_deref())
    }
}

/// Worker threads: `--threads`, else one per core.
pub fn threads(flag: Option<usize>) -> usize {
    flag.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}
