//! `POST /v1/chat/completions`: read and check the request, decide (off the worker), then answer
//! it — here for a plain answer, in `stream` for a streamed one, in `multi` for a cascade or
//! consensus.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::multi::multi;
use super::stream::stream;
use crate::config::Params;
use crate::error::Error;
use crate::live;
use crate::provider::Client;
use crate::serve::app::App;
use crate::serve::auth::authorized;
use crate::serve::book::book;
use crate::serve::decide::{Decided, decide, decision_headers, finish_headers, over_quota, plan};
use crate::serve::error::ApiError;
use crate::serve::openai::completion_body;
use crate::serve::pending::Pending;
use crate::serve::request::{ChatRequest, Target, header_str, merge, parse_chat, target};

pub(in crate::serve) async fn chat(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    if !authorized(&app, &headers) {
        return Err(ApiError::unauthorized());
    }
    let body = body.map_err(|e| ApiError::body(&e, Some(app.settings.max_request_bytes)))?;
    let req = parse_chat(&body).map_err(ApiError::bad_request)?;
    let target = target(app.config, &req.model).map_err(ApiError::model_not_found)?;
    let tag = header_str(&headers, "x-llmroute-tag").map(String::from);
    let user = header_str(&headers, "x-llmroute-user").map(String::from).or_else(|| req.user.clone());
    let req = Arc::new(req);
    // The decision (routing and the state step) runs on the blocking pool: a state store that is
    // slow or locked (an import holding SQLite's write lock, a Redis round trip) holds that
    // thread, never a worker, so `/healthz` and `/metrics` keep answering.
    let (app2, req2) = (app.clone(), req.clone());
    let d = tokio::task::spawn_blocking(move || decide(&app2, &req2, &target, tag.as_deref(), user.as_deref()))
        .await
        .unwrap_or_else(|e| Err(Error::Internal(format!("the decision failed: {e}"))))?;
    let client = client(&app, &req);
    let params = merge(req.params, d.params);
    let pending = Pending::new(&app, &d);
    let call = Call { app, req, d, pending, client, params, started };
    if let Target::Multi(kind) = target {
        return multi(call, kind).await;
    }
    let headers = decision_headers(call.app.config, &call.d);
    if call.req.stream {
        return Ok(stream(call, headers));
    }
    answer(call, headers).await
}

/// A decided request on its way upstream: what answering it needs, however it is answered.
pub(super) struct Call {
    pub(super) app: Arc<App>,
    pub(super) req: Arc<ChatRequest>,
    pub(super) d: Decided,
    /// Settles the decision's quota count once the call is over (or dropped).
    pub(super) pending: Pending,
    pub(super) client: Client<'static>,
    /// The client's sampling parameters over the decision's.
    pub(super) params: Params,
    pub(super) started: Instant,
}

/// The upstream client of one request: the shared connections, the settings' timeout and
/// deadline, its own seed, and the request's other fields forwarded.
fn client(app: &App, req: &ChatRequest) -> Client<'static> {
    let mut client = Client::with_http(
        app.config,
        app.http.clone(),
        app.settings.timeout,
        app.settings.deadline,
        app.seed.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
    );
    client.extra = req.extra.clone();
    client
}

/// A plain (not streamed) answer: the decided model, else the fallback order; 502 when none
/// answered.
async fn answer(call: Call, headers: HeaderMap) -> Result<Response, ApiError> {
    let Call { app, req, d, pending, client, params, started } = call;
    let _permit = app.upstream.acquire().await;
    let o =
        live::fallback(&client, app.config, plan(&d, &over_quota(app.config, &d)), &req.messages, &params, None).await;
    let (answered, attempts) = (o.answered, o.attempts);
    pending.settle(answered.as_ref().map(|(m, _)| *m)).await;
    let latency = started.elapsed();
    let Some((m, ans)) = answered else {
        app.metrics.failed(&d, latency, &attempts);
        return Err(ApiError::upstream(&attempts, headers));
    };
    let b = book(&app, &d, m, &req.messages, &ans, latency, &attempts);
    let body = completion_body(app.config, &d, m, &ans, &b);
    let mut r = (StatusCode::OK, axum::Json(body)).into_response();
    finish_headers(r.headers_mut(), headers, app.config, m, b.usd);
    Ok(r)
}
