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
    let Feedback { request_id: id, rating, success, latency_ms: latency } =
        parse_feedback(&body).map_err(ApiError::bad_request)?;
    let app2 = app.clone();
    let r = tokio::task::spawn_blocking(move || {
        crate::feedback::record(app2.config, &mut *app2.store()?, &id, rating, success, latency)
    })
    .await
    .unwrap_or_else(|e| Err(Error::Internal(e.to_string())));
    let model = r?;
    Ok(axum::Json(json!({"status": "recorded", "model": model})).into_response())
}

/// A feedback body's fields (`null` is absent); their ranges are checked where feedback is
/// recorded ([`crate::feedback::build`]).
#[derive(Debug, PartialEq)]
struct Feedback {
    request_id: String,
    rating: Option<f64>,
    success: Option<bool>,
    latency_ms: Option<f64>,
}

fn parse_feedback(body: &[u8]) -> std::result::Result<Feedback, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let Some(request_id) = v.get("request_id").and_then(Value::as_str).map(String::from) else {
        return Err("missing `request_id`".to_string());
    };
    let field = |k: &str, want: &str, get: fn(&Value) -> bool| match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(x) if get(x) => Ok(Some(x.clone())),
        Some(_) => Err(format!("`{k}` must be {want}")),
    };
    Ok(Feedback {
        request_id,
        rating: field("rating", "a number from 1 to 5", Value::is_number)?.and_then(|x| x.as_f64()),
        success: field("success", "true or false", Value::is_boolean)?.and_then(|x| x.as_bool()),
        latency_ms: field("latency_ms", "a number of milliseconds", Value::is_number)?.and_then(|x| x.as_f64()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_fields_are_typed() {
        let parse = |v: Value| parse_feedback(v.to_string().as_bytes());
        assert_eq!(
            parse(json!({"request_id": "r1", "rating": 4, "success": true, "latency_ms": 120.5, "other": 1})),
            Ok(Feedback {
                request_id: "r1".to_string(),
                rating: Some(4.0),
                success: Some(true),
                latency_ms: Some(120.5)
            })
        );
        assert_eq!(
            parse(json!({"request_id": "r1", "rating": null})),
            Ok(Feedback { request_id: "r1".to_string(), rating: None, success: None, latency_ms: None })
        );
        assert_eq!(parse(json!({"rating": 4})), Err("missing `request_id`".to_string()));
        assert_eq!(parse(json!({"request_id": 7})), Err("missing `request_id`".to_string()));
        assert_eq!(
            parse(json!({"request_id": "r1", "rating": "4"})),
            Err("`rating` must be a number from 1 to 5".to_string())
        );
        assert_eq!(
            parse(json!({"request_id": "r1", "success": 1})),
            Err("`success` must be true or false".to_string())
        );
        assert_eq!(
            parse(json!({"request_id": "r1", "latency_ms": "fast"})),
            Err("`latency_ms` must be a number of milliseconds".to_string())
        );
        assert_eq!(parse_feedback(b"nope"), Err("the body is not JSON: expected ident at line 1 column 2".to_string()));
    }
}
