//! `llmroute state export|import`: move quotas, decisions and feedback between backends.

mod args;
pub use args::StateCommand;

use std::io::Write;

use crate::commands::Context;
use crate::error::{Error, Result};
use crate::output;
use crate::state::{Location, Store, transfer};

pub fn run(ctx: &Context, cmd: &StateCommand) -> Result<()> {
    let config = ctx.config()?;
    let at = Location::resolve(ctx.state.as_deref(), &config)?;
    match cmd {
        StateCommand::Export { output: file, force } => {
            // The output is checked (and its temporary file made) before the store is read.
            let mut target = file.as_deref().map(|p| crate::fsutil::AtomicFile::create(p, *force)).transpose()?;
            let Some(mut store) = Store::open_read(&at)? else {
                output::note(&format!("no state store at {}; nothing to export", at.describe()));
                return Ok(());
            };
            let counts = match (&mut target, file) {
                (Some(t), Some(path)) => {
                    let shown = path.display();
                    let io = |e: std::io::Error| {
                        Error::usage(format!("{shown}: cannot write: {}", crate::error::io_reason(&e)))
                    };
                    let mut out = std::io::BufWriter::with_capacity(1 << 16, t.file()?);
                    let counts = transfer::export(&mut store, &mut out, &io)?;
                    out.flush().map_err(io)?;
                    counts
                }
                _ => transfer::export(
                    &mut store,
                    &mut std::io::BufWriter::new(std::io::stdout().lock()),
                    &Error::from_stdout,
                )?,
            };
            if let Some(t) = target {
                t.commit()?;
            }
            output::note(&format!("exported {counts} from {}", store.place()));
            Ok(())
        }
        StateCommand::Import { file } => {
            let (counts, place) = transfer::import(&config, file, || Store::open(&at))?;
            output::note(&format!("imported {counts} into {place}"));
            Ok(())
        }
    }
}
