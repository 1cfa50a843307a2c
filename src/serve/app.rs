//! `App`: what every request handler shares — the configuration and settings, the state
//! connections, the ledger, the HTTP client, the engines of the strategies and the counters —
//! and the ways handlers reach them (a free store connection, a strategy's engine).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::ledger::Ledger;
use super::metrics::Metrics;
use super::settings::ServeSettings;
use crate::config::{Config, Strategy};
use crate::error::{Error, Result};
use crate::router::Engine;
use crate::router::service;
use crate::state::{Location, Store};

/// Everything a request handler needs, shared by all of them.
pub(super) struct App {
    pub(super) config: &'static Config,
    pub(super) settings: ServeSettings,
    pub(super) state: Location,
    /// Open state connections, shared by every request: one for SQLite (which serialises
    /// writers anyway; opening one per request cost more than the routing), `[state]
    /// pool_size` for Redis.
    pub(super) stores: Vec<Mutex<Store>>,
    next_store: AtomicUsize,
    /// Answers' tokens and costs, written off the request path (and SQLite's checkpoints).
    pub(super) ledger: Ledger,
    pub(super) http: reqwest::Client,
    /// Engines of the strategies, built on first use, with when they were built.
    engines: Mutex<Vec<(Strategy, Arc<Engine>, Instant)>>,
    /// Whether an adaptive engine is being rebuilt (one rebuild at a time).
    refreshing: AtomicBool,
    /// Today's quota usage as last read, shown by `/metrics` when the store is slow.
    pub(super) last_usage: Mutex<BTreeMap<String, u64>>,
    /// Upstream calls in flight at most.
    pub(super) upstream: tokio::sync::Semaphore,
    pub(super) metrics: Metrics,
    pub(super) seed: AtomicU64,
}

impl App {
    /// Opens the state connections and the ledger; `chain` is the chain's engine, built first.
    pub(super) fn new(
        config: &'static Config,
        state: Location,
        settings: ServeSettings,
        chain: Arc<Engine>,
    ) -> Result<App> {
        let stores = (0..state.pool_size())
            .map(|_| {
                let mut s = Store::open(&state)?;
                // The ledger's thread checkpoints; a request's commit never waits for it.
                s.defer_checkpoints()?;
                Ok(Mutex::new(s))
            })
            .collect::<Result<Vec<_>>>()?;
        let ledger = Ledger::start(&state)?;
        Ok(App {
            config,
            stores,
            next_store: AtomicUsize::new(0),
            ledger,
            state,
            http: crate::provider::http_client(settings.timeout).map_err(Error::Provider)?,
            engines: Mutex::new(vec![(Strategy::CHAIN, chain, Instant::now())]),
            refreshing: AtomicBool::new(false),
            last_usage: Mutex::new(Default::default()),
            upstream: tokio::sync::Semaphore::new(settings.max_concurrency),
            metrics: Metrics::default(),
            seed: AtomicU64::new(crate::rng::derive(config.adaptive.seed, 0x5E4)),
            settings,
        })
    }

    /// A free state connection (or, when all are busy, one to wait for).
    pub(super) fn store(&self) -> Result<MutexGuard<'_, Store>> {
        let n = self.stores.len();
        let start = self.next_store.fetch_add(1, Ordering::Relaxed) % n;
        for i in 0..n {
            if let Ok(g) = self.stores[(start + i) % n].try_lock() {
                return Ok(g);
            }
        }
        self.stores[start].lock().map_err(|_| Error::Internal("the state store lock is poisoned".to_string()))
    }

    /// Runs one state step from an async task: in place for SQLite (a local file, quick), and
    /// for a store across the network (Redis) with the worker handed over meanwhile, so other
    /// requests keep running while it waits.
    pub(super) fn on_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let run = || self.store().and_then(|mut s| f(&mut s));
        if self.state.is_shared() { tokio::task::block_in_place(run) } else { run() }
    }
}

/// How stale the adaptive router's posteriors may get: a request past this age starts a rebuild
/// in the background and is routed on the engine it finds.
const ADAPTIVE_REFRESH: Duration = Duration::from_secs(1);

/// The engine of a strategy, built on first use. One whose adaptive router reads live feedback
/// is rebuilt in the background once it is [`ADAPTIVE_REFRESH`] old, so a request costs the same
/// however much feedback the store holds.
pub(super) fn engine_for(app: &Arc<App>, strategy: Strategy) -> Result<Arc<Engine>> {
    let cached = app.engines.lock().ok().and_then(|g| g.iter().find(|e| e.0 == strategy).map(|e| (e.1.clone(), e.2)));
    if let Some((engine, built)) = cached {
        if service::uses_adaptive(app.config, strategy)
            && built.elapsed() >= ADAPTIVE_REFRESH
            && !app.refreshing.swap(true, Ordering::AcqRel)
        {
            let app = app.clone();
            std::thread::spawn(move || {
                match service::engine(app.config, app.settings.classifier.as_deref(), strategy, &app.state) {
                    Ok(e) => cache_engine(&app, strategy, Arc::new(e)),
                    Err(e) => crate::output::warn(&format!("cannot refresh the adaptive router: {e}")),
                }
                app.refreshing.store(false, Ordering::Release);
            });
        }
        return Ok(engine);
    }
    let e = Arc::new(service::engine(app.config, app.settings.classifier.as_deref(), strategy, &app.state)?);
    cache_engine(app, strategy, e.clone());
    Ok(e)
}

fn cache_engine(app: &App, strategy: Strategy, engine: Arc<Engine>) {
    if let Ok(mut g) = app.engines.lock() {
        g.retain(|e| e.0 != strategy);
        g.push((strategy, engine, Instant::now()));
    }
}

/// Today's quota usage per model (empty before the first request).
pub(super) async fn today(app: &Arc<App>, day: &str) -> BTreeMap<String, u64> {
    let (app, day) = (app.clone(), day.to_string());
    tokio::task::spawn_blocking(move || app.store().ok().and_then(|mut s| s.usage(&day).ok()))
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Warns at start about every provider key variable that is not set: requests routed to those
/// providers' models would fail with 502.
pub(super) fn warn_missing_keys(config: &Config) {
    let mut missing: Vec<String> = Vec::new();
    for (name, p) in &config.providers {
        if let Some(var) = &p.api_key_env
            && std::env::var(var).map_or(true, |v| v.is_empty())
        {
            let models: Vec<&str> =
                config.models.iter().filter(|m| m.provider.as_deref() == Some(name)).map(|m| m.name.as_str()).collect();
            if !models.is_empty() {
                missing.push(format!("`{var}` (provider `{name}`: {})", models.join(", ")));
            }
        }
    }
    missing.sort();
    if !missing.is_empty() {
        crate::output::warn(&format!(
            "provider key not set: {}; requests routed to these models will fail",
            missing.join("; ")
        ));
    }
}
