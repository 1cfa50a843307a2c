//! `llmroute serve`: an OpenAI-compatible routing gateway (the design article's entry gateway).
//!
//! Applications send every chat request to one endpoint; the gateway routes it through the same
//! routing service as `route` and `ask` ([`crate::router::service`]), counts the quota, calls the
//! model through `ask`'s providers (retries, fallback order) and answers in OpenAI's format, with
//! the decision in `x-llmroute-*` headers. `model` selects the routing: `auto` (or `llmroute`)
//! runs the configured chain, `router:<strategy>` one strategy, a catalog model name passes
//! through (its quota still counted). SQLite work runs on the blocking pool; engines are built
//! once per strategy (the adaptive router's, which reads live feedback, per request).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clap::ValueEnum;
use serde_json::{Value, json};

use crate::cli::ServeArgs;
use crate::commands::Context;
use crate::config::{Config, ModelId, Params, Strategy};
use crate::error::{Error, Result};
use crate::live::{self, multi};
use crate::prompt::Prompt;
use crate::provider::{Answer, Client, Message, Sink};
use crate::router::Engine;
use crate::router::service::{self, RouteRequest};
use crate::state::{AnswerUsage, Location, Store};

mod auth;
mod ledger;
mod metrics;
mod server;

use auth::authorized;

use metrics::Metrics;

/// Warns at start about every provider key variable that is not set: requests routed to those
/// providers' models would fail with 502.
fn warn_missing_keys(config: &Config) {
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

/// Everything a request handler needs, shared by all of them.
struct App {
    config: &'static Config,
    state: Location,
    /// Open state connections, shared by every request: one for SQLite (which serialises
    /// writers anyway; opening one per request cost more than the routing), `[state]
    /// pool_size` for Redis.
    stores: Vec<Mutex<Store>>,
    next_store: std::sync::atomic::AtomicUsize,
    /// Answers' tokens and costs, written off the request path (and SQLite's checkpoints).
    ledger: ledger::Ledger,
    model_path: Option<PathBuf>,
    http: reqwest::Client,
    /// Engines of the strategies, built on first use, with when they were built.
    engines: Mutex<Vec<(Strategy, Arc<Engine>, Instant)>>,
    /// Whether an adaptive engine is being rebuilt (one rebuild at a time).
    refreshing: std::sync::atomic::AtomicBool,
    /// Today's quota usage as last read, shown by `/metrics` when the store is slow.
    last_usage: Mutex<std::collections::BTreeMap<String, u64>>,
    /// Bearer keys clients must present (none: no client auth).
    keys: Vec<String>,
    /// Upstream calls in flight at most.
    upstream: tokio::sync::Semaphore,
    timeout: Duration,
    deadline: Duration,
    max_request_bytes: usize,
    metrics: Metrics,
    seed: std::sync::atomic::AtomicU64,
}

pub fn run(ctx: &Context, a: &ServeArgs) -> Result<()> {
    let config: &'static Config = Box::leak(Box::new(ctx.config()?));
    let state = Location::resolve(ctx.state.as_deref(), config)?;
    // The engine of the chain is built now, so a bad model or config fails before listening.
    let chain = Arc::new(service::engine(config, a.model.as_deref(), Strategy::CHAIN, &state)?);
    let sv = &config.serve;
    let keys = match a.keys_env.as_ref().or(sv.keys_env.as_ref()) {
        None => Vec::new(),
        Some(var) => {
            let v = std::env::var(var).unwrap_or_default();
            let keys: Vec<String> = v.split(',').map(str::trim).filter(|k| !k.is_empty()).map(String::from).collect();
            if keys.is_empty() {
                return Err(Error::Usage(format!("environment variable `{var}` (the client keys) holds no key")));
            }
            keys
        }
    };
    warn_missing_keys(config);
    let timeout = Duration::from_secs_f64(a.timeout.unwrap_or(config.live.timeout_secs));
    let stores = (0..state.pool_size())
        .map(|_| {
            let mut s = Store::open(&state)?;
            // The ledger's thread checkpoints; a request's commit never waits for it.
            s.defer_checkpoints()?;
            Ok(Mutex::new(s))
        })
        .collect::<Result<Vec<_>>>()?;
    let ledger = ledger::Ledger::start(&state)?;
    let app = Arc::new(App {
        config,
        stores,
        next_store: std::sync::atomic::AtomicUsize::new(0),
        ledger,
        state,
        model_path: a.model.clone(),
        http: crate::provider::http_client(timeout).map_err(Error::Provider)?,
        engines: Mutex::new(vec![(Strategy::CHAIN, chain, Instant::now())]),
        refreshing: std::sync::atomic::AtomicBool::new(false),
        last_usage: Mutex::new(Default::default()),
        keys,
        upstream: tokio::sync::Semaphore::new(a.max_concurrency.unwrap_or(sv.max_concurrency as usize)),
        timeout,
        deadline: Duration::from_secs_f64(a.deadline.unwrap_or(config.live.deadline_secs)),
        max_request_bytes: a.max_request_bytes.unwrap_or(sv.max_request_bytes as usize),
        metrics: Metrics::default(),
        seed: std::sync::atomic::AtomicU64::new(crate::rng::derive(config.adaptive.seed, 0x5E4)),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(match a.workers.unwrap_or(config.serve.workers as usize) {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        })
        .enable_all()
        .build()
        .map_err(|e| Error::Provider(format!("cannot start the async runtime: {e}")))?;
    let grace = Duration::from_secs_f64(a.shutdown_grace.unwrap_or(sv.shutdown_grace_secs));
    let listen = a.listen.clone().unwrap_or_else(|| sv.listen.clone());
    let served = rt.block_on(server::serve(app.clone(), a, &listen, grace));
    // Requests still in flight past the grace period are dropped with the runtime; each settles
    // as answered by nothing (its count given back, its decision removed) as it goes.
    drop(rt);
    // What the ledger still holds is written before exit.
    app.ledger.finish();
    served
}

/// An OpenAI-style error response.
fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    let body = json!({"error": {"message": message, "type": kind, "code": kind}});
    (status, axum::Json(body)).into_response()
}

/// The state store could not be reached: 503, worth retrying in a second.
fn unavailable(e: &Error) -> Response {
    let mut r = error(StatusCode::SERVICE_UNAVAILABLE, "state_unavailable", &e.to_string());
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(1));
    r
}

/// The routing a request's `model` field asks for.
#[derive(Clone, Copy)]
enum Target {
    Route(Strategy),
    Model(ModelId),
    /// `router:cascade` or `router:consensus`: logged as the chain decides, answered as `ask
    /// --cascade`/`--consensus` answers, each call counted on its own model.
    Multi(multi::Kind),
}

fn target(config: &Config, model: &str) -> std::result::Result<Target, String> {
    if model.is_empty() || model == "auto" || model == "llmroute" {
        return Ok(Target::Route(Strategy::CHAIN));
    }
    match model {
        "router:cascade" => return Ok(Target::Multi(multi::Kind::Cascade)),
        "router:consensus" => return Ok(Target::Multi(multi::Kind::Consensus)),
        _ => {}
    }
    if let Some(s) = model.strip_prefix("router:") {
        return <Strategy as clap::ValueEnum>::from_str(s, false).map(Target::Route).map_err(|_| {
            let names: Vec<String> = Strategy::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value().map(|p| format!("router:{}", p.get_name())))
                .chain(["router:cascade".to_string(), "router:consensus".to_string()])
                .collect();
            format!("unknown strategy `{model}`; use one of {}", names.join(", "))
        });
    }
    config.models.iter().position(|m| m.name == model).map(Target::Model).ok_or_else(|| {
        let hint = crate::error::did_you_mean(model, config.models.iter().map(|m| m.name.as_str())).unwrap_or_default();
        format!("unknown model `{model}`{hint}; use `auto`, `router:<strategy>` or a catalog model (GET /v1/models)")
    })
}

/// The text of a message's `content`: a string, or the text parts of an array.
fn content_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => {
            Some(parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join("\n"))
        }
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// A parsed chat request.
struct ChatRequest {
    model: String,
    messages: Vec<Message>,
    prompt: Prompt,
    stream: bool,
    /// The sampling parameters the client set.
    params: Params,
    /// Every other field, forwarded as it is.
    extra: serde_json::Map<String, Value>,
    user: Option<String>,
}

fn parse_chat(body: &[u8]) -> std::result::Result<ChatRequest, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let Value::Object(mut o) = v else { return Err("the body must be a JSON object".to_string()) };
    let asks = crate::prompt::asks(&o);
    let raw = o.remove("messages").ok_or("missing `messages`")?;
    let Value::Array(raw) = raw else { return Err("`messages` must be an array".to_string()) };
    if raw.is_empty() {
        return Err("`messages` is empty".to_string());
    }
    let mut messages = Vec::with_capacity(raw.len());
    for (i, m) in raw.iter().enumerate() {
        let role = m.get("role").and_then(Value::as_str).ok_or_else(|| format!("`messages[{i}].role` is missing"))?;
        let content = m
            .get("content")
            .map_or(Some(String::new()), content_text)
            .ok_or_else(|| format!("`messages[{i}].content` must be a string or an array of parts"))?;
        messages.push(Message { role: role.to_string(), content });
    }
    let text = messages.iter().rev().find(|m| m.role == "user").map(|m| m.content.clone()).unwrap_or_default();
    if let Some(m) = crate::prompt::too_long(&text) {
        return Err(m);
    }
    let prompt =
        Prompt { text, messages: messages.iter().map(|m| (m.role.clone(), m.content.clone())).collect(), asks };
    let model = match o.remove("model") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s,
        Some(_) => return Err("`model` must be a string".to_string()),
    };
    let stream = match o.remove("stream") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => b,
        Some(_) => return Err("`stream` must be a boolean".to_string()),
    };
    o.remove("stream_options");
    let num = |o: &serde_json::Map<String, Value>, k: &str| -> std::result::Result<Option<f64>, String> {
        match o.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_f64().filter(|x| x.is_finite()).map(Some).ok_or_else(|| format!("`{k}` must be a number")),
        }
    };
    let max_tokens = match num(&o, "max_completion_tokens")?.or(num(&o, "max_tokens")?) {
        Some(t) if t >= 1.0 && t <= u32::MAX as f64 && t.fract() == 0.0 => Some(t as u32),
        Some(_) => return Err("`max_tokens` must be a positive integer".to_string()),
        None => None,
    };
    // The ranges the configuration allows (and providers accept).
    let temperature = num(&o, "temperature")?;
    if let Some(t) = temperature.filter(|t| !(0.0..=2.0).contains(t)) {
        return Err(format!("`temperature` {} is outside 0 to 2", crate::error::num(t)));
    }
    let top_p = num(&o, "top_p")?;
    if let Some(t) = top_p.filter(|t| !(*t > 0.0 && *t <= 1.0)) {
        return Err(format!("`top_p` {} is outside (0, 1]", crate::error::num(t)));
    }
    let params = Params { temperature, max_tokens, top_p };
    for k in ["temperature", "max_tokens", "max_completion_tokens", "top_p"] {
        o.remove(k);
    }
    let user = match o.get("user") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    Ok(ChatRequest { model, messages, prompt, stream, params, extra: o, user })
}

/// Parses a chat request body as the gateway does, and the routing its `model` asks for in the
/// embedded default configuration: the gateway-request fuzz harness's entry point.
#[doc(hidden)]
pub fn parse_request(config: &Config, body: &[u8]) -> std::result::Result<(), String> {
    let req = parse_chat(body)?;
    target(config, &req.model).map(|_| ())
}

/// The client's parameters, the decision's filling what the client left out.
fn merge(client: Params, decided: Params) -> Params {
    Params {
        temperature: client.temperature.or(decided.temperature),
        max_tokens: client.max_tokens.or(decided.max_tokens),
        top_p: client.top_p.or(decided.top_p),
    }
}

/// The decision a request got: what the headers, the call and the log need.
struct Decided {
    request_id: String,
    model: ModelId,
    method: &'static str,
    reason: String,
    params: Params,
    estimated_usd: f64,
    day: String,
    /// Today's quota usage right after this decision was counted (which fallback models are
    /// over their quota).
    usage: std::collections::BTreeMap<String, u64>,
    /// Models that cannot serve the request (skipped by the fallback too).
    excluded: Vec<crate::router::constraints::Exclusion>,
}

/// Decides: the engine's routers and the quota count in SQLite (run in place on a worker
/// thread: handing it to the blocking pool cost more in thread switches than it saved).
fn decide(
    app: &Arc<App>,
    req: &ChatRequest,
    target: &Target,
    tag: Option<&str>,
    user: Option<&str>,
) -> Result<Decided> {
    let config = app.config;
    let route_req = |strategy: Strategy| RouteRequest {
        prompt: &req.prompt,
        tag,
        strategy,
        model: app.model_path.as_deref(),
        request_id: None,
        user,
        log_prompts: false,
        dry_run: false,
    };
    let target = match *target {
        Target::Multi(_) => Target::Route(Strategy::CHAIN),
        Target::Route(s) => Target::Route(s),
        Target::Model(m) => Target::Model(m),
    };
    match target {
        Target::Multi(_) => unreachable!("mapped to the chain above"),
        Target::Model(m) => {
            let day = crate::clock::Clock::new(config.timezone.clone())?.day();
            let mut store = app.store()?;
            let f = service::decide_forced(config, &mut store, &route_req(Strategy::CHAIN), m)?;
            Ok(Decided {
                request_id: f.request_id,
                model: f.decision.model,
                method: f.decision.method.as_str(),
                reason: f.decision.reason.to_string(),
                params: f.decision.params,
                estimated_usd: f.cost.usd,
                usage: store.usage(&day)?,
                day,
                excluded: f.excluded,
            })
        }
        Target::Route(strategy) => {
            let rr = route_req(strategy);
            let plan = service::plan(config, &rr)?;
            let engine = engine_for(app, plan.strategy)?;
            let mut store = app.store()?;
            let r = service::decide_with(config, engine, app.state.clone(), Some(&mut store), &rr, plan)?;
            let day = r.clock.day();
            Ok(Decided {
                request_id: r.request_id,
                model: r.decision.model,
                method: r.decision.method.as_str(),
                reason: r.decision.reason.to_string(),
                params: r.decision.params,
                estimated_usd: r.cost.usd,
                usage: r.usage,
                day,
                excluded: r.excluded,
            })
        }
    }
}

impl App {
    /// A free state connection (or, when all are busy, one to wait for).
    fn store(&self) -> Result<std::sync::MutexGuard<'_, Store>> {
        let n = self.stores.len();
        let start = self.next_store.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % n;
        for i in 0..n {
            if let Ok(g) = self.stores[(start + i) % n].try_lock() {
                return Ok(g);
            }
        }
        self.stores[start].lock().map_err(|_| Error::Provider("the state store lock is poisoned".to_string()))
    }
}

/// How stale the adaptive router's posteriors may get: a request past this age starts a rebuild
/// in the background and is routed on the engine it finds.
const ADAPTIVE_REFRESH: Duration = Duration::from_secs(1);

/// The engine of a strategy, built on first use. One whose adaptive router reads live feedback
/// is rebuilt in the background once it is [`ADAPTIVE_REFRESH`] old, so a request costs the same
/// however much feedback the store holds.
fn engine_for(app: &Arc<App>, strategy: Strategy) -> Result<Arc<Engine>> {
    let cached = app.engines.lock().ok().and_then(|g| g.iter().find(|e| e.0 == strategy).map(|e| (e.1.clone(), e.2)));
    if let Some((engine, built)) = cached {
        if service::uses_adaptive(app.config, strategy)
            && built.elapsed() >= ADAPTIVE_REFRESH
            && !app.refreshing.swap(true, std::sync::atomic::Ordering::AcqRel)
        {
            let app = app.clone();
            std::thread::spawn(move || {
                match service::engine(app.config, app.model_path.as_deref(), strategy, &app.state) {
                    Ok(e) => cache_engine(&app, strategy, Arc::new(e)),
                    Err(e) => crate::output::warn(&format!("cannot refresh the adaptive router: {e}")),
                }
                app.refreshing.store(false, std::sync::atomic::Ordering::Release);
            });
        }
        return Ok(engine);
    }
    let e = Arc::new(service::engine(app.config, app.model_path.as_deref(), strategy, &app.state)?);
    cache_engine(app, strategy, e.clone());
    Ok(e)
}

fn cache_engine(app: &App, strategy: Strategy, engine: Arc<Engine>) {
    if let Ok(mut g) = app.engines.lock() {
        g.retain(|e| e.0 != strategy);
        g.push((strategy, engine, Instant::now()));
    }
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok()).filter(|s| !s.is_empty())
}

async fn chat(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    if !authorized(&app, &headers) {
        app.metrics.status(401);
        return error(StatusCode::UNAUTHORIZED, "invalid_api_key", "missing or unknown bearer key");
    }
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let status = e.status();
            app.metrics.status(status.as_u16());
            let msg = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!("the request body is over the limit of {} bytes", app.max_request_bytes)
            } else {
                e.body_text()
            };
            return error(status, "invalid_request_error", &msg);
        }
    };
    let req = match parse_chat(&body) {
        Ok(r) => r,
        Err(m) => {
            app.metrics.status(400);
            return error(StatusCode::BAD_REQUEST, "invalid_request_error", &m);
        }
    };
    let target = match target(app.config, &req.model) {
        Ok(t) => t,
        Err(m) => {
            app.metrics.status(404);
            return error(StatusCode::NOT_FOUND, "model_not_found", &m);
        }
    };
    let tag = header_str(&headers, "x-llmroute-tag").map(String::from);
    let user = header_str(&headers, "x-llmroute-user").map(String::from).or_else(|| req.user.clone());
    let req = Arc::new(req);
    // The decision (routing and the state step) runs on the blocking pool: a state store that is
    // slow or locked (an import holding SQLite's write lock, a Redis round trip) holds that
    // thread, never a worker, so `/healthz` and `/metrics` keep answering.
    let (app2, req2) = (app.clone(), req.clone());
    let decided = tokio::task::spawn_blocking(move || decide(&app2, &req2, &target, tag.as_deref(), user.as_deref()))
        .await
        .unwrap_or_else(|e| Err(Error::Provider(format!("the decision failed: {e}"))));
    let d = match decided {
        Ok(d) => d,
        Err(Error::QuotasExhausted { retry_after, resets_at }) => {
            app.metrics.status(429);
            let body = json!({"error": {"message": format!("every model's daily quota is used up; quotas reset at {resets_at}"),
                "type": "all_quotas_exhausted", "code": "all_quotas_exhausted"}, "retry_after": retry_after, "resets_at": resets_at});
            let mut r = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            return r;
        }
        Err(Error::Usage(m)) => {
            app.metrics.status(400);
            return error(StatusCode::BAD_REQUEST, "invalid_request_error", &m);
        }
        Err(e @ Error::StateUnavailable { .. }) => {
            app.metrics.status(503);
            return unavailable(&e);
        }
        Err(Error::Unservable(m)) => {
            app.metrics.status(400);
            return error(StatusCode::BAD_REQUEST, "no_model_can_serve", &m);
        }
        Err(e) => {
            app.metrics.status(500);
            return error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e.to_string());
        }
    };
    let mut client = Client::with_http(
        app.config,
        app.http.clone(),
        app.timeout,
        app.deadline,
        app.seed.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
    );
    client.extra = req.extra.clone();
    let params = merge(req.params, d.params);
    let pending = Pending::new(&app, &d);
    if let Target::Multi(kind) = target {
        return multi(app, req, d, pending, client, params, kind, started).await;
    }
    let headers = decision_headers(app.config, &d);
    if req.stream {
        return stream(app, req, d, pending, client, params, headers, started);
    }
    let _permit = app.upstream.acquire().await;
    let o =
        live::fallback(&client, app.config, plan(&d, &over_quota(app.config, &d)), &req.messages, &params, None).await;
    let (answered, attempts) = (o.answered, o.attempts);
    pending.settle(answered.as_ref().map(|(m, _)| *m)).await;
    let latency = started.elapsed();
    match answered {
        Some((m, ans)) => {
            let b = book(&app, &d, m, &req.messages, &ans, latency, &attempts);
            let body = completion_body(app.config, &d, m, &ans, &b);
            let mut r = (StatusCode::OK, axum::Json(body)).into_response();
            finish_headers(r.headers_mut(), headers, app.config, m, b.usd);
            r
        }
        None => {
            app.metrics.failed(&d, latency, &attempts);
            bad_gateway(&attempts, headers)
        }
    }
}

/// Fallback models over today's quota as the decision saw it (the routed model was counted).
fn over_quota(config: &'static Config, d: &Decided) -> impl Fn(ModelId) -> bool + use<> {
    let quota = crate::quota::QuotaSnapshot::new(config, &d.usage);
    let decided = d.model;
    move |m| m != decided && !crate::quota::QuotaView::available(&quota, m)
}

fn plan<'a>(d: &'a Decided, over: &'a (dyn Fn(ModelId) -> bool + Sync)) -> live::Plan<'a> {
    live::Plan { first: d.model, over_quota: over, excluded: &d.excluded }
}

/// A counted, logged request not settled yet. Settled with the model that answered, or — when it
/// is dropped unsettled (the client went away, the server stopped past its grace period) — as
/// answered by nothing: its count is given back and its decision removed, so a request nothing
/// answered counts nothing and logs nothing.
struct Pending {
    app: Arc<App>,
    day: String,
    request_id: String,
    decided: ModelId,
    /// Whether the decision's own count was already given back (cascade and consensus count
    /// each call instead).
    released: bool,
    done: bool,
}

impl Pending {
    fn new(app: &Arc<App>, d: &Decided) -> Pending {
        Pending {
            app: app.clone(),
            day: d.day.clone(),
            request_id: d.request_id.clone(),
            decided: d.model,
            released: false,
            done: false,
        }
    }

    /// Settles with the model that answered (none: nothing did).
    async fn settle(mut self, answered: Option<ModelId>) {
        self.done = true;
        if answered == Some(self.decided) && !self.released {
            return;
        }
        let app = self.app.clone();
        let (day, id, released) = (self.day.clone(), self.request_id.clone(), self.released);
        let decided = app.config.models[self.decided].name.clone();
        let answered = answered.map(|m| app.config.models[m].name.clone());
        let r = tokio::task::spawn_blocking(move || {
            let mut s = app.store()?;
            if released {
                s.relabel(&id, answered.as_deref())
            } else {
                s.settle(&day, &id, &decided, answered.as_deref())
            }
        })
        .await;
        if let Ok(Err(e)) = r {
            crate::output::warn(&format!("cannot settle the quota of `{}`: {e}", self.request_id));
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let decided = &self.app.config.models[self.decided].name;
        let r = self.app.store().and_then(|mut s| {
            if self.released {
                s.relabel(&self.request_id, None)
            } else {
                s.settle(&self.day, &self.request_id, decided, None)
            }
        });
        if let Err(e) = r {
            crate::output::warn(&format!("cannot settle the quota of `{}`: {e}", self.request_id));
        }
    }
}

/// The gateway's [`live::CallQuota`]: the shared state connections.
struct GatewayQuota<'a> {
    app: &'a App,
    day: &'a str,
}

impl live::CallQuota for GatewayQuota<'_> {
    fn take(&self, model: ModelId) -> Result<bool> {
        let m = &self.app.config.models[model];
        let run = || self.app.store().and_then(|mut s| s.reserve(self.day, &m.name, m.daily_quota));
        if self.app.state.is_redis() { tokio::task::block_in_place(run) } else { run() }
    }

    fn give_back(&self, model: ModelId) {
        let name = &self.app.config.models[model].name;
        let run = || self.app.store().and_then(|mut s| s.release(self.day, name));
        let r = if self.app.state.is_redis() { tokio::task::block_in_place(run) } else { run() };
        if let Err(e) = r {
            crate::output::warn(&format!("cannot give back a call of `{name}`: {e}"));
        }
    }
}

/// A cascade or consensus answer (`router:cascade`, `router:consensus`); a stream gets the
/// answer in one chunk, since the answer is known only once the models are scored or counted.
#[allow(clippy::too_many_arguments)]
async fn multi(
    app: Arc<App>,
    req: Arc<ChatRequest>,
    mut d: Decided,
    mut pending: Pending,
    client: Client<'static>,
    params: Params,
    kind: multi::Kind,
    started: Instant,
) -> Response {
    let _permit = app.upstream.acquire().await;
    // Each call counts on its own model: the decision's count is given back first.
    let decided = &app.config.models[d.model].name;
    let run = || app.store().and_then(|mut s| s.release(&d.day, decided));
    let released = if app.state.is_redis() { tokio::task::block_in_place(run) } else { run() };
    if let Err(e) = released {
        app.metrics.status(503);
        return unavailable(&e);
    }
    pending.released = true;
    let o = {
        let quota = GatewayQuota { app: &app, day: &d.day };
        multi::run(&client, app.config, kind, &quota, &req.messages, &params).await
    };
    pending.settle(o.answered.as_ref().map(|(m, _)| *m)).await;
    d.method = kind.as_str();
    let headers = decision_headers(app.config, &d);
    let latency = started.elapsed();
    let Some((m, answer)) = o.answered else {
        app.metrics.failed(&d, latency, &o.attempts);
        let mut r = bad_gateway(&o.attempts, headers);
        if let Some(n) = o.note.and_then(|n| HeaderValue::from_str(&n).ok()) {
            r.headers_mut().insert("x-llmroute-note", n);
        }
        return r;
    };
    let b = crate::provider::billed(app.config, m, &req.messages, &answer);
    if b.implausible {
        app.metrics.implausible();
        crate::output::warn(&crate::provider::implausible_note(app.config, m, &answer));
    }
    let cost = o.total_cost_usd;
    log_answer(&app, &d, m, (b.input, b.output, cost), latency, &o.attempts);
    let answer = Answer { raw: None, ..answer };
    let mut r = if req.stream {
        let name = &app.config.models[m].name;
        let id = &d.request_id;
        let events = [
            chunk(id, name, json!({"role": "assistant", "content": answer.text}), None, None),
            chunk(id, name, json!({}), Some(finish_reason(&answer)), None),
            chunk(id, name, json!({}), None, Some(usage_json(b.input, b.output))),
            Bytes::from_static(b"data: [DONE]\n\n"),
        ];
        let mut r = Response::new(Body::from(events.concat()));
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        r
    } else {
        let body = completion_body(app.config, &d, m, &answer, &b);
        (StatusCode::OK, axum::Json(body)).into_response()
    };
    finish_headers(r.headers_mut(), headers, app.config, m, cost);
    if let Some(n) = o.note.and_then(|n| HeaderValue::from_str(&n).ok()) {
        r.headers_mut().insert("x-llmroute-note", n);
    }
    r
}

/// OpenAI's `usage` object; the total saturates.
fn usage_json(input: u64, output: u64) -> Value {
    json!({"prompt_tokens": input, "completion_tokens": output, "total_tokens": input.saturating_add(output)})
}

/// 502: every candidate failed, each one's error listed, with the decision's headers.
fn bad_gateway(attempts: &[crate::provider::Attempt], headers: HeaderMap) -> Response {
    let mut r = error(StatusCode::BAD_GATEWAY, "upstream_error", &crate::provider::all_failed(attempts));
    r.headers_mut().extend(headers);
    r
}

/// The decision's response headers.
fn decision_headers(config: &Config, d: &Decided) -> HeaderMap {
    let mut h = HeaderMap::new();
    let mut put = |k: &'static str, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    };
    put("x-llmroute-request-id", &d.request_id);
    put("x-llmroute-model", &config.models[d.model].name);
    put("x-llmroute-method", d.method);
    put("x-llmroute-reason", &d.reason);
    put("x-llmroute-cost-usd", &format!("{:.8}", d.estimated_usd));
    h
}

/// The headers once a model answered: that model, and the cost of its answer.
fn finish_headers(h: &mut HeaderMap, decided: HeaderMap, config: &Config, answered: ModelId, cost: f64) {
    h.extend(decided);
    if let Ok(v) = HeaderValue::from_str(&config.models[answered].name) {
        h.insert("x-llmroute-model", v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{cost:.8}")) {
        h.insert("x-llmroute-cost-usd", v);
    }
}

/// Today's quota usage per model (empty before the first request).
async fn today(app: &Arc<App>, day: &str) -> std::collections::BTreeMap<String, u64> {
    let (app, day) = (app.clone(), day.to_string());
    tokio::task::spawn_blocking(move || app.store().ok().and_then(|mut s| s.usage(&day).ok()))
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Counts an answer in the metrics and records its tokens and cost in the decision log, where
/// `llmroute report` reads them (so the report and `/metrics` add up to the same spend).
fn log_answer(
    app: &App,
    d: &Decided,
    m: ModelId,
    (input, output, cost): (u64, u64, f64),
    latency: Duration,
    attempts: &[crate::provider::Attempt],
) {
    app.metrics.answered(app.config, d, m, input, output, cost, latency, attempts);
    let u = AnswerUsage { request_id: d.request_id.clone(), input_tokens: input, output_tokens: output, cost };
    // Queued for the ledger's thread; written here only when its queue is full.
    if let Err(u) = app.ledger.record(u) {
        let run = || app.store().and_then(|mut s| s.record_usage(std::slice::from_ref(&u)));
        let r = if app.state.is_redis() { tokio::task::block_in_place(run) } else { run() };
        if let Err(e) = r {
            crate::output::warn(&format!("cannot record the cost of `{}`: {e}", d.request_id));
        }
    }
}

/// An answer's tokens (reported, else counted) and cost (cached input at its price), counted in
/// the metrics and the decision log.
fn book(
    app: &App,
    d: &Decided,
    m: ModelId,
    messages: &[Message],
    a: &Answer,
    latency: Duration,
    attempts: &[crate::provider::Attempt],
) -> crate::provider::Billed {
    let b = crate::provider::billed(app.config, m, messages, a);
    if b.implausible {
        app.metrics.implausible();
        crate::output::warn(&crate::provider::implausible_note(app.config, m, a));
    }
    log_answer(app, d, m, (b.input, b.output, b.usd), latency, attempts);
    b
}

fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The response body: the provider's own (OpenAI-compatible providers) with `model` set to the
/// answering model, else one built in OpenAI's format.
fn completion_body(config: &Config, d: &Decided, m: ModelId, a: &Answer, b: &crate::provider::Billed) -> Value {
    let name = &config.models[m].name;
    let (input, output) = (b.input, b.output);
    if let Some(Value::Object(raw)) = &a.raw {
        let mut raw = raw.clone();
        raw.insert("model".to_string(), json!(name));
        // Usage as OpenAI reports it, whatever the provider left out; an implausible report is
        // replaced by the local count it was billed on.
        let usage = raw.entry("usage").or_insert_with(|| json!({}));
        if b.implausible {
            *usage = usage_json(input, output);
        }
        if let Value::Object(u) = usage {
            u.entry("prompt_tokens").or_insert_with(|| json!(input));
            u.entry("completion_tokens").or_insert_with(|| json!(output));
            u.entry("total_tokens").or_insert_with(|| json!(input.saturating_add(output)));
        }
        return Value::Object(raw);
    }
    json!({
        "id": format!("chatcmpl-{}", d.request_id),
        "object": "chat.completion",
        "created": now_secs(),
        "model": name,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": a.text},
                     "finish_reason": finish_reason(a)}],
        "usage": usage_json(input, output),
    })
}

/// OpenAI's finish reason for an answer (Anthropic's `end_turn` is `stop`, `max_tokens` is
/// `length`).
fn finish_reason(a: &Answer) -> &str {
    match a.finish_reason.as_deref() {
        None | Some("end_turn" | "stop_sequence") => "stop",
        Some("max_tokens") => "length",
        Some("tool_use") => "tool_calls",
        Some(other) => other,
    }
}

/// One server-sent event of a chat.completion.chunk.
fn chunk(id: &str, model: &str, delta: Value, finish: Option<&str>, usage: Option<Value>) -> Bytes {
    let mut v = json!({
        "id": format!("chatcmpl-{id}"),
        "object": "chat.completion.chunk",
        "created": now_secs(),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    });
    if let Some(u) = usage {
        v["choices"] = json!([]);
        v["usage"] = u;
    }
    Bytes::from(format!("data: {v}\n\n"))
}

/// Events queued for a slow client at most, and their bytes at most (an event larger than that
/// is queued alone); past them the upstream is read no faster than the client reads, so the
/// relay's memory stays bounded whatever the client does.
const STREAM_QUEUE: usize = 16;
const STREAM_QUEUE_BYTES: usize = 64 << 10;

/// A chunk for the client and its share of [`STREAM_QUEUE_BYTES`], given back once the server
/// took the chunk.
type Queued = (Bytes, Option<tokio::sync::OwnedSemaphorePermit>);

/// The gateway's [`Sink`]: each piece of a streamed answer becomes a `chat.completion.chunk`
/// event for the client. OpenAI-compatible providers' events are relayed as they are (tool-call
/// deltas included) with our id, object and the answering model; others' text is wrapped.
struct Relay {
    tx: tokio::sync::mpsc::Sender<Queued>,
    bytes: Arc<tokio::sync::Semaphore>,
    queued: Vec<Bytes>,
    config: &'static Config,
    id: String,
    model: ModelId,
    /// Whether the provider sent its finish chunk.
    finished: bool,
}

impl Relay {
    fn openai(&self) -> bool {
        let m = &self.config.models[self.model];
        m.provider.as_ref().and_then(|p| self.config.providers.get(p)).map(|p| p.kind())
            == Some(crate::config::ProviderKind::Openai)
    }
}

impl Sink for Relay {
    fn begin(&mut self, model: ModelId) {
        self.model = model;
    }

    fn piece(&mut self, t: &str) {
        let name = &self.config.models[self.model].name;
        if !self.openai() {
            self.queued.push(chunk(&self.id, name, json!({"content": t}), None, None));
            return;
        }
        let Ok(Value::Object(mut e)) = serde_json::from_str::<Value>(t) else { return };
        // The usage-only event: ours follows, counted the same way as every answer.
        if e.get("choices").and_then(Value::as_array).is_some_and(Vec::is_empty) {
            return;
        }
        let choice = e.get("choices").and_then(|c| c.get(0));
        self.finished |= choice.and_then(|c| c.get("finish_reason")).is_some_and(|f| !f.is_null());
        // The role went out in the stream's first chunk already.
        let finishing = choice.and_then(|c| c.get("finish_reason")).is_some_and(|f| !f.is_null());
        if let Some(Value::Object(delta)) =
            e.get_mut("choices").and_then(|c| c.get_mut(0)).and_then(|c| c.get_mut("delta"))
        {
            delta.remove("role");
            let empty = delta.is_empty() || (delta.len() == 1 && delta.get("content").is_some_and(|c| c == ""));
            if empty && !finishing {
                return;
            }
        }
        e.insert("id".to_string(), json!(format!("chatcmpl-{}", self.id)));
        e.insert("object".to_string(), json!("chat.completion.chunk"));
        e.insert("model".to_string(), json!(name));
        e.remove("usage");
        self.queued.push(Bytes::from(format!("data: {}\n\n", Value::Object(e))));
    }

    fn events(&self) -> bool {
        self.openai()
    }

    fn drain(&mut self) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + '_>> {
        Box::pin(async move {
            for b in self.queued.drain(..) {
                let n = u32::try_from(b.len().clamp(1, STREAM_QUEUE_BYTES)).unwrap_or(1);
                let Ok(permit) = self.bytes.clone().acquire_many_owned(n).await else { return false };
                if self.tx.send((b, Some(permit))).await.is_err() {
                    return false;
                }
            }
            true
        })
    }

    fn keeps_text(&self) -> bool {
        false
    }

    fn restartable(&self) -> bool {
        false
    }
}

/// A streamed answer: events are relayed as they arrive (a fallback model that takes over
/// before anything was relayed streams the same way), then the finish chunk unless the provider
/// sent one, our usage chunk and `[DONE]`. Once a part was relayed, a failure ends the stream
/// with an error event (the OpenAI client raises it), never with a clean finish. When the client
/// goes away, the upstream call stops and the request is settled as answered by nothing.
#[allow(clippy::too_many_arguments)]
fn stream(
    app: Arc<App>,
    req: Arc<ChatRequest>,
    d: Decided,
    pending: Pending,
    client: Client<'static>,
    params: Params,
    headers: HeaderMap,
    started: Instant,
) -> Response {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Queued>(STREAM_QUEUE);
    let model_name = app.config.models[d.model].name.clone();
    tokio::spawn(async move {
        let _permit = app.upstream.acquire().await;
        let id = d.request_id.clone();
        let gone = tx.clone();
        if tx
            .send((chunk(&id, &model_name, json!({"role": "assistant", "content": ""}), None, None), None))
            .await
            .is_err()
        {
            return;
        }
        let bytes = Arc::new(tokio::sync::Semaphore::new(STREAM_QUEUE_BYTES));
        let mut relay = Relay {
            tx,
            bytes,
            queued: Vec::new(),
            config: app.config,
            id: id.clone(),
            model: d.model,
            finished: false,
        };
        let over = over_quota(app.config, &d);
        let call = live::fallback(&client, app.config, plan(&d, &over), &req.messages, &params, Some(&mut relay));
        let o = tokio::select! {
            o = call => o,
            // The client went away: the call (and its retries) stops here; `pending` settles it.
            _ = gone.closed() => return,
        };
        let tx = relay.tx.clone();
        pending.settle(o.answered.as_ref().map(|(m, _)| *m)).await;
        let latency = started.elapsed();
        match o.answered {
            Some((m, ans)) => {
                let b = book(&app, &d, m, &req.messages, &ans, latency, &o.attempts);
                let (input, output) = (b.input, b.output);
                let name = app.config.models[m].name.clone();
                if !relay.finished {
                    let _ = tx.send((chunk(&id, &name, json!({}), Some(finish_reason(&ans)), None), None)).await;
                }
                let _ = tx.send((chunk(&id, &name, json!({}), None, Some(usage_json(input, output))), None)).await;
            }
            None => {
                app.metrics.failed(&d, latency, &o.attempts);
                let e = json!({"error": {"message": crate::provider::all_failed(&o.attempts),
                    "type": "upstream_error", "code": "upstream_error"}});
                let _ = tx.send((Bytes::from(format!("data: {e}\n\n")), None)).await;
            }
        }
        let _ = tx.send((Bytes::from_static(b"data: [DONE]\n\n"), None)).await;
    });
    let body = Body::from_stream(futures_util::stream::poll_fn(move |cx| {
        // The chunk's share of the byte budget is given back as the server takes it.
        rx.poll_recv(cx).map(|b| b.map(|(b, _permit)| Ok::<_, std::convert::Infallible>(b)))
    }));
    let mut r = Response::new(body);
    r.headers_mut().extend(headers);
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

async fn feedback(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Response {
    if !authorized(&app, &headers) {
        return error(StatusCode::UNAUTHORIZED, "invalid_api_key", "missing or unknown bearer key");
    }
    let body = match body {
        Ok(b) => b,
        Err(e) => return error(e.status(), "invalid_request_error", &e.body_text()),
    };
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error(StatusCode::BAD_REQUEST, "invalid_request_error", &format!("the body is not JSON: {e}"));
        }
    };
    let Some(id) = v.get("request_id").and_then(Value::as_str).map(String::from) else {
        return error(StatusCode::BAD_REQUEST, "invalid_request_error", "missing `request_id`");
    };
    let field = |k: &str, want: &str, get: fn(&Value) -> bool| match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(x) if get(x) => Ok(Some(x.clone())),
        Some(_) => Err(format!("`{k}` must be {want}")),
    };
    let fields = (|| {
        Ok::<_, String>((
            field("rating", "a number from 1 to 5", Value::is_number)?.and_then(|x| x.as_f64()),
            field("success", "true or false", Value::is_boolean)?.and_then(|x| x.as_bool()),
            field("latency_ms", "a number of milliseconds", Value::is_number)?.and_then(|x| x.as_f64()),
        ))
    })();
    let (rating, success, latency) = match fields {
        Ok(f) => f,
        Err(m) => return error(StatusCode::BAD_REQUEST, "invalid_request_error", &m),
    };
    let app2 = app.clone();
    let r = tokio::task::spawn_blocking(move || {
        crate::commands::feedback::record(app2.config, &mut *app2.store()?, &id, rating, success, latency)
    })
    .await
    .unwrap_or_else(|e| Err(Error::Provider(e.to_string())));
    match r {
        Ok(model) => axum::Json(json!({"status": "recorded", "model": model})).into_response(),
        Err(Error::Usage(m)) => error(StatusCode::BAD_REQUEST, "invalid_request_error", &m),
        Err(e @ Error::StateUnavailable { .. }) => unavailable(&e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e.to_string()),
    }
}

async fn models(State(app): State<Arc<App>>) -> Response {
    let created = now_secs();
    let mut data = vec![json!({"id": "auto", "object": "model", "created": created, "owned_by": "llmroute"})];
    for s in Strategy::value_variants() {
        if let Some(p) = s.to_possible_value() {
            data.push(json!({"id": format!("router:{}", p.get_name()), "object": "model", "created": created, "owned_by": "llmroute"}));
        }
    }
    for id in ["router:cascade", "router:consensus"] {
        data.push(json!({"id": id, "object": "model", "created": created, "owned_by": "llmroute"}));
    }
    for m in &app.config.models {
        data.push(json!({"id": m.name, "object": "model", "created": created,
            "owned_by": m.provider.clone().unwrap_or_else(|| "llmroute".to_string())}));
    }
    axum::Json(json!({"object": "list", "data": data})).into_response()
}

/// How long `/metrics` waits for the state store's quota figures before showing the last ones read.
const METRICS_STATE_WAIT: Duration = Duration::from_millis(200);

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let day = crate::clock::Clock::new(app.config.timezone.clone()).ok().map(|c| c.day());
    let fresh = match day {
        Some(day) => tokio::time::timeout(METRICS_STATE_WAIT, today(&app, &day)).await.ok(),
        None => None,
    };
    let usage = match (fresh, app.last_usage.lock()) {
        (Some(u), Ok(mut last)) => {
            last.clone_from(&u);
            u
        }
        (Some(u), Err(_)) => u,
        (None, Ok(last)) => last.clone(),
        (None, Err(_)) => Default::default(),
    };
    let text = app.metrics.render(app.config, &usage);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
