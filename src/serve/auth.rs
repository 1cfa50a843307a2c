//! Who may use the gateway: client keys, and the checks that keep a web page from spending the
//! configured providers' money through a browser on this machine (cross-site requests, DNS
//! rebinding). Runs before routing, on the request's head only: a few header comparisons.

use std::net::{IpAddr, SocketAddr};

use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::app::App;
use super::error::ApiError;

/// The request headers a browser may send cross-origin to an allowed origin's page.
const ALLOW_HEADERS: &str = "authorization, content-type, x-llmroute-tag, x-llmroute-user";
/// The response headers such a page may read.
const EXPOSE_HEADERS: &str = "x-llmroute-request-id, x-llmroute-model, x-llmroute-method, x-llmroute-reason, \
                              x-llmroute-cost-usd, x-llmroute-note, retry-after";

/// Whether the request carries one of the configured client keys. The SHA-256 digests of the
/// given and the configured keys are compared, every byte of every key, so the time taken tells
/// nothing about a key's length or content.
pub(super) fn authorized(app: &App, headers: &HeaderMap) -> bool {
    if app.settings.keys.is_empty() {
        return true;
    }
    let Some(given) = bearer(headers) else { return false };
    let given = digest(given);
    app.settings.keys.iter().fold(false, |found, k| found | same(&digest(k), &given))
}

/// The token of an `Authorization: Bearer TOKEN` header; the scheme is case-insensitive (RFC 7235).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim_start_matches(' ')).filter(|t| !t.is_empty())
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What the guard says of a request.
pub(super) enum Verdict {
    /// Route it; `Some(origin)`: an allowed browser origin, whose response gets CORS headers.
    Pass(Option<HeaderValue>),
    /// Answer this instead (a refusal, or a CORS preflight's answer).
    Answer(Response),
}

/// The request checks of `[serve]`, built once at start.
pub(super) struct Guard {
    digests: Vec<[u8; 32]>,
    /// Allowed origins, lowercase.
    origins: Vec<String>,
    /// Allowed `Host` values besides the connection's own address, lowercase.
    hosts: Vec<String>,
    any_host: bool,
    metrics_public: bool,
    models_public: bool,
    healthz_public: bool,
}

impl Guard {
    /// `listen` is the address as configured: a host name in it is accepted in `Host` too.
    pub(super) fn new(app: &App, listen: &str) -> Guard {
        let sv = &app.config.serve;
        let mut hosts: Vec<String> = sv.allowed_hosts.iter().map(|h| h.to_ascii_lowercase()).collect();
        if let Some((name, _)) = split_host(listen)
            && name.parse::<IpAddr>().is_err()
            && !name.is_empty()
        {
            hosts.push(name.to_ascii_lowercase());
        }
        let public = |p: &str| sv.public_endpoints.iter().any(|e| e == p);
        Guard {
            digests: app.settings.keys.iter().map(|k| digest(k)).collect(),
            origins: sv.allowed_origins.iter().map(|o| o.to_ascii_lowercase()).collect(),
            any_host: hosts.iter().any(|h| h == "*"),
            hosts,
            metrics_public: public("/metrics"),
            models_public: public("/v1/models"),
            healthz_public: public("/healthz"),
        }
    }

    /// Checks a request's head: `local` is the address the client connected to. In order: the
    /// `Host` (403), the `Origin` (403), a CORS preflight (204), the client key (401) and a POST's
    /// `Content-Type` (415). `/healthz` skips the `Host` and `Origin` checks (load balancers
    /// probe it by IP or by their own name; it tells nothing).
    pub(super) fn check(&self, app: &App, req: &Parts, local: SocketAddr) -> Verdict {
        let path = req.uri.path();
        let headers = &req.headers;
        let healthz = path == "/healthz";
        let mut allowed_origin = None;
        if !healthz {
            if !self.host_ok(headers.get(header::HOST), local) {
                return refuse(
                    app,
                    StatusCode::FORBIDDEN,
                    "host_not_allowed",
                    "the Host header names neither this gateway's address nor one of `[serve] allowed_hosts`",
                );
            }
            if let Some(o) = headers.get(header::ORIGIN) {
                if !self.origins.iter().any(|a| o.as_bytes().eq_ignore_ascii_case(a.as_bytes())) {
                    return refuse(
                        app,
                        StatusCode::FORBIDDEN,
                        "origin_not_allowed",
                        "requests from this Origin are refused; list it in `[serve] allowed_origins`",
                    );
                }
                allowed_origin = Some(o.clone());
            }
        }
        if req.method == Method::OPTIONS && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
            let Some(origin) = allowed_origin else {
                return refuse(app, StatusCode::FORBIDDEN, "origin_not_allowed", "a CORS preflight needs an Origin");
            };
            return Verdict::Answer(preflight(origin));
        }
        let public = match path {
            "/healthz" => self.healthz_public,
            "/metrics" => self.metrics_public,
            "/v1/models" => self.models_public,
            _ => false,
        };
        if !public && !self.digests.is_empty() && !self.key_ok(headers) {
            return refuse(app, StatusCode::UNAUTHORIZED, "invalid_api_key", "missing or unknown bearer key");
        }
        if req.method == Method::POST && !is_json(headers.get(header::CONTENT_TYPE)) {
            return refuse(
                app,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as `Content-Type: application/json`",
            );
        }
        Verdict::Pass(allowed_origin)
    }

    fn key_ok(&self, headers: &HeaderMap) -> bool {
        let Some(given) = bearer(headers) else { return false };
        let given = digest(given);
        self.digests.iter().fold(false, |found, k| found | same(k, &given))
    }

    /// Whether `Host` names this gateway: the address the client connected to (an IP literal;
    /// `localhost` or any loopback address when that is a loopback address), a name of
    /// `[serve] allowed_hosts` or of `listen`. A port, when given, must be the connection's.
    /// Names are never trusted otherwise: a page whose DNS name was rebound to this machine
    /// sends its own name. No `Host` at all (HTTP/1.0) is no browser's request.
    fn host_ok(&self, host: Option<&HeaderValue>, local: SocketAddr) -> bool {
        if self.any_host {
            return true;
        }
        let Some(host) = host else { return true };
        let Some(host) = host.to_str().ok() else { return false };
        let Some((name, port)) = split_host(host) else { return false };
        if self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host) || h.eq_ignore_ascii_case(name)) {
            return true;
        }
        if port.is_some_and(|p| p != local.port()) {
            return false;
        }
        let here = local.ip().to_canonical();
        match name.parse::<IpAddr>() {
            Ok(ip) => ip.to_canonical() == here || (here.is_loopback() && ip.is_loopback()),
            Err(_) => here.is_loopback() && name.eq_ignore_ascii_case("localhost"),
        }
    }
}

/// Adds the CORS headers of a response to an allowed origin.
pub(super) fn expose(r: &mut Response, origin: HeaderValue) {
    let h = r.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSE_HEADERS));
    h.append(header::VARY, HeaderValue::from_static("Origin"));
}

fn preflight(origin: HeaderValue) -> Response {
    let mut r = Response::new(axum::body::Body::empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    let h = r.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOW_HEADERS));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    r
}

/// A refusal of the guard, counted by status like the chat endpoint's.
fn refuse(app: &App, status: StatusCode, kind: &'static str, message: &str) -> Verdict {
    app.metrics.status(status.as_u16());
    Verdict::Answer(ApiError::new(status, kind, message).into_response())
}

/// `application/json`, with or without parameters (`; charset=utf-8`).
fn is_json(v: Option<&HeaderValue>) -> bool {
    v.and_then(|v| v.to_str().ok())
        .and_then(|s| s.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// A `Host` value (or `listen` address) as its name and port: `name`, `name:port`, `[v6]`,
/// `[v6]:port`. `None` when malformed.
fn split_host(h: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = h.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        return match after {
            "" => Some((ip, None)),
            p => Some((ip, Some(p.strip_prefix(':')?.parse().ok()?))),
        };
    }
    match h.rsplit_once(':') {
        Some((name, port)) => Some((name, Some(port.parse().ok()?))),
        None => Some((h, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_values_split_into_name_and_port() {
        assert_eq!(split_host("localhost:8080"), Some(("localhost", Some(8080))));
        assert_eq!(split_host("localhost"), Some(("localhost", None)));
        assert_eq!(split_host("[::1]:80"), Some(("::1", Some(80))));
        assert_eq!(split_host("[::1]"), Some(("::1", None)));
        assert_eq!(split_host("x:notaport"), None);
        assert_eq!(split_host("[::1]x"), None);
    }

    #[test]
    fn json_content_types() {
        let j = |s: &'static str| is_json(Some(&HeaderValue::from_static(s)));
        assert!(j("application/json"));
        assert!(j("Application/JSON; charset=utf-8"));
        assert!(!j("text/plain"));
        assert!(!j("application/x-www-form-urlencoded"));
        assert!(!j("application/jsonx"));
        assert!(!is_json(None));
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        let mut h = HeaderMap::new();
        for v in ["Bearer k", "bearer k", "BEARER  k"] {
            h.insert(header::AUTHORIZATION, HeaderValue::from_static(v));
            assert_eq!(bearer(&h), Some("k"), "{v}");
        }
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic k"));
        assert_eq!(bearer(&h), None);
    }
}
