//! `POST /v1/feedback`: a rating, success or latency for a request the gateway routed, recorded
//! against its logged decision as `llmroute feedback add` records it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::Error;
use crate::serve::app::App;
use crate::serve::auth::authorized;
use crate::serve::error::ApiError;

pub(in crate::serve) async fn feedback(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    if !authorized(&app, &headers) {
        return Err(ApiError::unauthorized());
    }
    let body = body.map_err(|e| ApiError::body(&e, None))?;
    let v: Value =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
    let Some(id) = v.get("request_id").and_then(Value::as_str).map(String::from) else {
        return Err(ApiError::bad_request("missing `request_id`"));
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
    let (rating, success, latency) = fields.map_err(ApiError::bad_request)?;
    let app2 = app.clone();
    let r = tokio::task::spawn_blocking(move || {
        crate::feedback::record(app2.config, &mut *app2.store()?, &id, rating, success, latency)
    })
    .await
    .unwrap_or_else(|e| Err(Error::Provider(e.to_string())));
    let model = r?;
    Ok(axum::Json(json!({"status": "recorded", "model": model})).into_response())
}
