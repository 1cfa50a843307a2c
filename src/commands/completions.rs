//! `llmroute completions <shell>`: completion scripts generated from the clap definition.

mod args;
pub use args::CompletionsArgs;

use crate::error::Result;
use crate::output;

/// The completion script of `cmd` (the clap definition of llmroute) for `shell`.
pub fn script(shell: clap_complete::Shell, mut cmd: clap::Command) -> String {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "llmroute", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// Prints the script for `args.shell`; `cmd` is llmroute's clap definition, as `cli` builds it.
pub fn run(args: &CompletionsArgs, cmd: clap::Command) -> Result<()> {
    output::print(&script(args.shell, cmd))
}
