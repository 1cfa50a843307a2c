//! `llmroute completions <shell>`: completion scripts generated from the clap definition.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::Result;
use crate::output;

/// The completion script for `shell`.
pub fn script(shell: clap_complete::Shell) -> String {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "llmroute", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

pub fn run(args: &CompletionsArgs) -> Result<()> {
    output::print(&script(args.shell))
}
