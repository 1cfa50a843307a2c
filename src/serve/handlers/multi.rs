//! A cascade or consensus answer (`router:cascade`, `router:consensus`): each call counted on its
//! own model, the answer sent whole (streamed requests get it in one chunk).

use axum::body::{Body, Bytes};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::chat::Call;
use crate::live::multi;
use crate::provider::Answer;
use crate::serve::book::log_answer;
use crate::serve::decide::{decision_headers, finish_headers};
use crate::serve::error::ApiError;
use crate::serve::openai::{chunk, completion_body, usage_json};
use crate::serve::pending::GatewayQuota;

/// A cascade or consensus answer (`router:cascade`, `router:consensus`); a stream gets the
/// answer in one chunk, since the answer is known only once the models are scored or counted.
pub(super) async fn multi(call: Call, kind: multi::Kind) -> Result<Response, ApiError> {
    let Call { app, req, mut d, mut pending, client, params, started } = call;
    let _permit = app.upstream.acquire().await;
    // Each call counts on its own model: the decision's count is given back first.
    let decided = &app.config.models[d.model].name;
    app.on_store(|s| s.release(&d.day, decided)).map_err(|e| ApiError::unavailable(&e))?;
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
        let mut e = ApiError::upstream(&o.attempts, headers);
        if let Some(n) = o.note.and_then(|n| HeaderValue::from_str(&n).ok()) {
            e = e.with_header(HeaderName::from_static("x-llmroute-note"), n);
        }
        return Err(e);
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
            chunk(id, name, json!({}), Some(answer.openai_finish_reason()), None),
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
    Ok(r)
}
