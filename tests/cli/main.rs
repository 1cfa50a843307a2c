//! End-to-end tests of the `llmroute` binary, one module per subcommand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;
mod mock;
mod redis_server;

mod ask;
mod batch_summary;
mod builtin;
mod completions;
mod config;
mod constraints;
mod contract;
mod encoder;
mod feedback;
mod flags;
mod gateway_guard;
mod hardening;
mod outcomes;
mod plot;
mod prices;
mod quota;
mod replay;
mod replay_checks;
mod route;
mod serve;
mod serve_hardening;
mod state;
mod state_import;
mod train;
mod width;
