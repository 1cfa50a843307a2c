//! `llmroute man`: man pages generated from the clap definition, one per command (committed in
//! `man/` like the completions, for packagers).

mod args;
pub use args::ManArgs;

use crate::error::{Error, Result};
use crate::output;

/// Prints or writes the pages of `root`, llmroute's clap definition as the man pages show it.
pub fn run(a: &ManArgs, root: clap::Command) -> Result<()> {
    match &a.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::Usage(format!("{}: cannot create: {}", dir.display(), crate::error::io_reason(&e)))
            })?;
            for (name, page) in output::man::all(root)? {
                crate::fsutil::write_atomic(&dir.join(&name), &page, true)?;
            }
            Ok(())
        }
        None => {
            let mut cmd = root;
            cmd.build();
            let mut path = vec!["llmroute".to_string()];
            for name in &a.command {
                let sub = cmd.find_subcommand(name).cloned().ok_or_else(|| {
                    let known: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                    Error::Usage(format!("`{} {name}`: no such command (known: {})", path.join(" "), known.join(", ")))
                })?;
                path.push(name.clone());
                cmd = sub;
            }
            output::print(&String::from_utf8_lossy(&output::man::page(cmd)?))
        }
    }
}
