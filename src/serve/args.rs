//! `llmroute serve`'s flags. They live with the gateway (not in `cli`, which only lists the
//! commands) so the gateway's settings and the flags that override them are read in one place.

use std::path::PathBuf;

use clap::Args;

use crate::config::flag_values::{int_in, seconds};

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
