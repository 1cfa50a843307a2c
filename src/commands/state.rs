//! `llmroute state export|import`: move quotas, decisions and feedback between backends.

use crate::cli::StateCommand;
use crate::commands::Context;
use crate::error::Result;
use crate::output;
use crate::state::{Location, Store, transfer};

pub fn run(ctx: &Context, cmd: &StateCommand) -> Result<()> {
    let config = ctx.config()?;
    let at = Location::resolve(ctx.state.as_deref(), &config)?;
    match cmd {
        StateCommand::Export { output: file, force } => {
            let Some(mut store) = Store::open_read(&at)? else {
                output::note(&format!("no state store at {}; nothing to export", at.describe()));
                return Ok(());
            };
            let counts = match file {
                None => transfer::export(&mut store, &mut std::io::stdout().lock())?,
                Some(path) => {
                    let mut bytes = Vec::new();
                    let counts = transfer::export(&mut store, &mut bytes)?;
                    crate::fsutil::write_atomic(path, &bytes, *force)?;
                    counts
                }
            };
            output::note(&format!("exported {counts} from {}", store.place()));
            Ok(())
        }
        StateCommand::Import { file } => {
            let bytes = crate::fsutil::read_bounded(file, transfer::MAX_IMPORT_BYTES, "state export")?;
            let mut store = Store::open(&at)?;
            let counts = transfer::import(&mut store, &file.display().to_string(), &bytes)?;
            output::note(&format!("imported {counts} into {}", store.place()));
            Ok(())
        }
    }
}
