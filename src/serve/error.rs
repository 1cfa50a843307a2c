//! `ApiError`: the one error answer of the gateway. Every handler returns `Result<_, ApiError>`
//! and this file alone turns an error into a response: its status, OpenAI's error body
//! (`{"error": {"message", "type", "code"}}`, the fields some errors add after it) and headers.

use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::Error;

/// An error answer.
#[derive(Debug)]
pub(super) struct ApiError {
    status: StatusCode,
    /// The body's `type` and `code`.
    kind: &'static str,
    message: String,
    /// Top-level body fields after `error` (the 429's `retry_after` and `resets_at`).
    extra: Vec<(&'static str, Value)>,
    headers: HeaderMap,
    /// Whether the request was refused before any upstream call (counted by status in
    /// `/metrics`); a 502 is a failure after the calls, counted apart.
    refused: bool,
}

/// Marks a response refused before any upstream call, for the middleware that counts them
/// ([`super::metrics::count_refusals`]).
#[derive(Clone, Copy, Debug)]
pub(super) struct Refused;

impl ApiError {
    pub(super) fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, kind, message: message.into(), extra: Vec::new(), headers: HeaderMap::new(), refused: true }
    }

    /// 400: the request is malformed or out of range.
    pub(super) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
    }

    /// 401: no client key, or an unknown one.
    pub(super) fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "invalid_api_key", "missing or unknown bearer key")
    }

    /// 404: the `model` field names no routing and no catalog model.
    pub(super) fn model_not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "model_not_found", message)
    }

    /// The body could not be read: its own status; `limit` (the chat endpoint's) names the
    /// size limit in a 413's message.
    pub(super) fn body(e: &BytesRejection, limit: Option<usize>) -> ApiError {
        let status = e.status();
        let message = match limit {
            Some(n) if status == StatusCode::PAYLOAD_TOO_LARGE => {
                format!("the request body is over the limit of {n} bytes")
            }
            _ => e.body_text(),
        };
        ApiError::new(status, "invalid_request_error", message)
    }

    /// 503: the state store could not be reached, worth retrying in a second.
    pub(super) fn unavailable(e: &Error) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "state_unavailable", e.to_string())
            .with_header(header::RETRY_AFTER, HeaderValue::from(1))
    }

    /// 429: every model's daily quota is used up.
    pub(super) fn quotas_exhausted(retry_after: u64, resets_at: &str) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "all_quotas_exhausted",
            format!("every model's daily quota is used up; quotas reset at {resets_at}"),
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from(retry_after));
        e.extra = vec![("retry_after", json!(retry_after)), ("resets_at", json!(resets_at))];
        e
    }

    /// 502: every candidate failed, each one's error listed, with the decision's headers.
    pub(super) fn upstream(attempts: &[crate::provider::Attempt], decision: HeaderMap) -> ApiError {
        let mut e = ApiError::new(StatusCode::BAD_GATEWAY, "upstream_error", crate::provider::all_failed(attempts));
        e.headers = decision;
        e.refused = false;
        e
    }

    /// The same error with one more header.
    pub(super) fn with_header(mut self, name: HeaderName, value: HeaderValue) -> ApiError {
        self.headers.insert(name, value);
        self
    }

    /// The body: OpenAI's error object and the fields this error adds.
    fn body_json(&self) -> Value {
        let mut body = serde_json::Map::new();
        body.insert("error".to_string(), json!({"message": self.message, "type": self.kind, "code": self.kind}));
        for (k, v) in &self.extra {
            body.insert((*k).to_string(), v.clone());
        }
        Value::Object(body)
    }
}

/// What a failed step means for the client: a usage error is the request's (400), an
/// unreachable store is worth a retry (503), quotas and unservable requests have their own
/// codes; anything else is the gateway's (500, its detail kept in the log).
impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        match e {
            Error::Usage(m) => ApiError::bad_request(m),
            e @ Error::StateUnavailable { .. } => ApiError::unavailable(&e),
            Error::QuotasExhausted { retry_after, resets_at } => ApiError::quotas_exhausted(retry_after, &resets_at),
            Error::Unservable(m) => ApiError::new(StatusCode::BAD_REQUEST, "no_model_can_serve", m),
            e => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, axum::Json(self.body_json())).into_response();
        r.headers_mut().extend(self.headers);
        if self.refused {
            r.extensions_mut().insert(Refused);
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status, headers and body of an error's response.
    fn answer(e: ApiError) -> (u16, Vec<(String, String)>, String, bool) {
        let r = e.into_response();
        let refused = r.extensions().get::<Refused>().is_some();
        let status = r.status().as_u16();
        let headers = r.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("?").to_string())).collect();
        let body = futures_util::FutureExt::now_or_never(axum::body::to_bytes(r.into_body(), 1 << 20))
            .expect("a JSON body is ready at once")
            .expect("the body");
        (status, headers, String::from_utf8(body.to_vec()).expect("UTF-8"), refused)
    }

    #[test]
    fn bad_request_is_openai_shaped() {
        let (status, headers, body, refused) = answer(ApiError::bad_request("`messages` is empty"));
        assert_eq!(status, 400);
        assert_eq!(headers, vec![("content-type".to_string(), "application/json".to_string())]);
        let want = json!({"error": {"message": "`messages` is empty", "type": "invalid_request_error",
            "code": "invalid_request_error"}});
        assert_eq!(body, want.to_string());
        assert!(refused);
    }

    #[test]
    fn quotas_exhausted_adds_retry_after_and_reset() {
        let (status, headers, body, refused) = answer(ApiError::from(Error::QuotasExhausted {
            retry_after: 30,
            resets_at: "2026-12-08T00:00:00Z".to_string(),
        }));
        assert_eq!(status, 429);
        assert_eq!(headers[1], ("retry-after".to_string(), "30".to_string()));
        let want = json!({"error": {"message": "every model's daily quota is used up; quotas reset at 2026-12-08T00:00:00Z",
            "type": "all_quotas_exhausted", "code": "all_quotas_exhausted"}, "retry_after": 30, "resets_at": "2026-12-08T00:00:00Z"});
        assert_eq!(body, want.to_string());
        assert!(refused);
    }

    #[test]
    fn errors_map_to_statuses() {
        let status = |e: Error| answer(ApiError::from(e)).0;
        assert_eq!(status(Error::Usage("x".to_string())), 400);
        assert_eq!(status(Error::Unservable("too long".to_string())), 400);
        assert_eq!(status(Error::Provider("boom".to_string())), 500);
        assert_eq!(status(Error::Internal("lock".to_string())), 500);
        let (s, headers, body, _) =
            answer(ApiError::from(Error::StateUnavailable { place: "redis".to_string(), message: "down".to_string() }));
        assert_eq!(s, 503);
        assert_eq!(headers[1], ("retry-after".to_string(), "1".to_string()));
        let e = Error::StateUnavailable { place: "redis".to_string(), message: "down".to_string() };
        let want =
            json!({"error": {"message": e.to_string(), "type": "state_unavailable", "code": "state_unavailable"}});
        assert_eq!(body, want.to_string());
        let (_, _, body, _) = answer(ApiError::from(Error::Unservable("too long".to_string())));
        let want =
            json!({"error": {"message": "too long", "type": "no_model_can_serve", "code": "no_model_can_serve"}});
        assert_eq!(body, want.to_string());
    }

    #[test]
    fn upstream_failure_is_not_a_refusal_and_keeps_the_decision_headers() {
        let mut decision = HeaderMap::new();
        decision.insert("x-llmroute-model", HeaderValue::from_static("small"));
        let (status, headers, body, refused) = answer(ApiError::upstream(&[], decision));
        assert_eq!(status, 502);
        assert_eq!(headers[1], ("x-llmroute-model".to_string(), "small".to_string()));
        let want = json!({"error": {"message": "every candidate failed: ", "type": "upstream_error",
            "code": "upstream_error"}});
        assert_eq!(body, want.to_string());
        assert!(!refused);
    }
}
