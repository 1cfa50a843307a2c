//! Client authentication of the gateway: which requests may spend the configured providers' money.

use axum::http::{HeaderMap, header};

use super::App;

/// Whether the request carries one of the configured client keys (compared in constant time).
pub(super) fn authorized(app: &App, headers: &HeaderMap) -> bool {
    if app.keys.is_empty() {
        return true;
    }
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    app.keys.iter().fold(false, |found, k| found | constant_time_eq(k.as_bytes(), given.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
