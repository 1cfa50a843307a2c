//! `llmroute serve`: an OpenAI-compatible routing gateway (the design article's entry gateway).
//!
//! Applications send every chat request to one endpoint; the gateway routes it through the same
//! routing service as `route` and `ask` ([`crate::router::service`]), counts the quota, calls the
//! model through the live-call path ([`crate::live`]: retries, fallback order) and answers in
//! OpenAI's format, with the decision in `x-llmroute-*` headers. `model` selects the routing:
//! `auto` (or `llmroute`) runs the configured chain, `router:<strategy>` one strategy, a catalog
//! model name passes through (its quota still counted). SQLite work runs on the blocking pool;
//! engines are built once per strategy (the adaptive router's, which reads live feedback, is
//! rebuilt in the background).
//!
//! One room per concern: `args` and `settings` (the flags merged over the configuration once),
//! `app` (what every handler shares), `request` (a chat body parsed and checked), `decide` (the
//! routing and quota step, and its headers), `pending` (settling the count), `book` (an answer's
//! tokens and cost), `openai` (response bodies and events), `handlers/` (one file per endpoint),
//! `error` (`ApiError`, the one error answer), `metrics` (the counters and the middleware that
//! counts refusals), `server` (the listener), `auth` (client keys, CSRF and DNS-rebinding checks)
//! and `ledger` (usage written off the request path).

use std::path::Path;
use std::sync::Arc;

use crate::config::{Config, Strategy};
use crate::error::{Error, Result};
use crate::router::service;
use crate::state::Location;

mod app;
mod args;
mod auth;
mod book;
mod decide;
mod error;
mod handlers;
mod ledger;
mod metrics;
mod openai;
mod pending;
mod request;
mod server;
mod settings;

pub use args::ServeArgs;

use app::App;
use settings::ServeSettings;

/// Serves until SIGTERM/SIGINT: `config` is the loaded configuration, `state` the `--state` flag.
pub fn run(config: Config, state: Option<&Path>, a: &ServeArgs) -> Result<()> {
    let config: &'static Config = Box::leak(Box::new(config));
    let state = Location::resolve(state, config)?;
    // The engine of the chain is built now, so a bad model or config fails before listening.
    let chain = Arc::new(service::engine(config, a.model.as_deref(), Strategy::CHAIN, &state)?);
    let settings = ServeSettings::new(a, config, |var| std::env::var(var).ok())?;
    app::warn_missing_keys(config);
    let app = Arc::new(App::new(config, state, settings, chain)?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(app.settings.threads())
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    let served = rt.block_on(server::serve(app.clone()));
    // Requests still in flight past the grace period are dropped with the runtime; each settles
    // as answered by nothing (its count given back, its decision removed) as it goes.
    drop(rt);
    // What the ledger still holds is written before exit.
    app.ledger.finish();
    served
}

/// Parses a chat request body as the gateway does, and the routing its `model` asks for in the
/// embedded default configuration: the gateway-request fuzz harness's entry point.
#[doc(hidden)]
pub fn parse_request(config: &Config, body: &[u8]) -> std::result::Result<(), String> {
    let req = request::parse_chat(body)?;
    request::target(config, &req.model).map(|_| ())
}
