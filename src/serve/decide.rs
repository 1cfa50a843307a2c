//! The decision of one request: the engine's routers (or the client's named model) and the
//! quota count in the state store, and the `x-llmroute-*` headers that report it.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue};

use super::app::{App, engine_for};
use super::request::{ChatRequest, Target};
use crate::config::{Config, ModelId, Params, Strategy};
use crate::error::Result;
use crate::live;
use crate::router::service::{self, RouteRequest};

/// The decision a request got: what the headers, the call and the log need.
pub(super) struct Decided {
    pub(super) request_id: String,
    pub(super) model: ModelId,
    pub(super) method: &'static str,
    pub(super) reason: String,
    pub(super) params: Params,
    pub(super) estimated_usd: f64,
    pub(super) day: String,
    /// Today's quota usage right after this decision was counted (which fallback models are
    /// over their quota).
    pub(super) usage: BTreeMap<String, u64>,
    /// Models that cannot serve the request (skipped by the fallback too).
    pub(super) excluded: Vec<crate::router::constraints::Exclusion>,
}

/// Decides: the engine's routers and the quota count in SQLite (run in place on a worker
/// thread: handing it to the blocking pool cost more in thread switches than it saved). A
/// cascade or consensus is logged as the chain decides.
pub(super) fn decide(
    app: &Arc<App>,
    req: &ChatRequest,
    target: &Target,
    tag: Option<&str>,
    user: Option<&str>,
) -> Result<Decided> {
    let route_req = |strategy: Strategy| RouteRequest {
        prompt: &req.prompt,
        tag,
        strategy,
        model: app.settings.classifier.as_deref(),
        request_id: None,
        user,
        log_prompts: false,
        dry_run: false,
    };
    match *target {
        Target::Model(m) => forced(app, &route_req(Strategy::CHAIN), m),
        Target::Route(strategy) => routed(app, &route_req(strategy)),
        Target::Multi(_) => routed(app, &route_req(Strategy::CHAIN)),
    }
}

/// A catalog model the client named: counted and logged with method `client`.
fn forced(app: &App, rr: &RouteRequest<'_>, m: ModelId) -> Result<Decided> {
    let config = app.config;
    let day = crate::clock::Clock::new(config.timezone.clone())?.day();
    let mut store = app.store()?;
    let f = service::decide_forced(config, &mut store, rr, m)?;
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

/// A strategy's decision, on its cached engine.
fn routed(app: &Arc<App>, rr: &RouteRequest<'_>) -> Result<Decided> {
    let config = app.config;
    let plan = service::plan(config, rr)?;
    let engine = engine_for(app, plan.strategy)?;
    let mut store = app.store()?;
    let r = service::decide_with(config, engine, app.state.clone(), Some(&mut store), rr, plan)?;
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

/// Fallback models over today's quota as the decision saw it (the routed model was counted).
pub(super) fn over_quota(config: &'static Config, d: &Decided) -> impl Fn(ModelId) -> bool + use<> {
    let quota = crate::quota::QuotaSnapshot::new(config, &d.usage);
    let decided = d.model;
    move |m| m != decided && !crate::quota::QuotaView::available(&quota, m)
}

/// The fallback plan of a decision: its model first, then the chain's order.
pub(super) fn plan<'a>(d: &'a Decided, over: &'a (dyn Fn(ModelId) -> bool + Sync)) -> live::Plan<'a> {
    live::Plan { first: d.model, over_quota: over, excluded: &d.excluded }
}

/// The decision's response headers.
pub(super) fn decision_headers(config: &Config, d: &Decided) -> HeaderMap {
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
pub(super) fn finish_headers(h: &mut HeaderMap, decided: HeaderMap, config: &Config, answered: ModelId, cost: f64) {
    h.extend(decided);
    if let Ok(v) = HeaderValue::from_str(&config.models[answered].name) {
        h.insert("x-llmroute-model", v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{cost:.8}")) {
        h.insert("x-llmroute-cost-usd", v);
    }
}
