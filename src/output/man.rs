//! Man pages (roff) rendered from the clap definition with `clap_mangen`.

use crate::error::{Error, Result};

/// The page of `cmd` (built: subcommands carry their `llmroute-…` display names). Every page's
/// footer names the program and its version (`llmroute 0.1.0`), a subcommand's too: by default
/// clap_mangen writes the subcommand's own name and version, which it does not have (`route `).
pub fn page(cmd: clap::Command) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .source(format!("llmroute {}", env!("CARGO_PKG_VERSION")))
        .render(&mut out)
        .map_err(|e| Error::Usage(format!("cannot render the man page: {e}")))?;
    Ok(out)
}

/// Every page, `llmroute.1` first, each with its file name.
pub fn all(mut root: clap::Command) -> Result<Vec<(String, Vec<u8>)>> {
    root.build();
    let mut pages = Vec::new();
    collect(root, &mut pages)?;
    Ok(pages)
}

fn collect(cmd: clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
    let name = format!("{}.1", cmd.get_display_name().unwrap_or_else(|| cmd.get_name()));
    let subs: Vec<clap::Command> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned().collect();
    pages.push((name, page(cmd)?));
    for sub in subs {
        collect(sub, pages)?;
    }
    Ok(())
}
