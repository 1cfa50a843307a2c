//! Live calls to OpenAI-compatible and Anthropic endpoints, with timeouts, retries and fallback.
//!
//! Keys come only from the environment variable a provider names (`api_key_env`); they are sent
//! in headers and never appear in output, logs or error messages.

pub mod anthropic;
pub mod openai;

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::{Config, ModelId, Params, ProviderKind, RawProvider};
use crate::rng::Rng;

/// One chat message.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub role: String,
    pub content: String,
}

/// A model's answer.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub text: String,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub finish_reason: Option<String>,
}

/// Why one request failed.
#[derive(Debug, Clone)]
pub enum CallError {
    Connect(String),
    Timeout(f64),
    Status { code: u16, message: String, retry_after: Option<Duration> },
    Malformed(String),
    MissingKey(String),
    NoProvider,
    Deadline,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            CallError::Connect(m) => write!(f, "connection failed: {m}"),
            CallError::Timeout(s) => write!(f, "no answer within {s:.1} s"),
            CallError::Status { code, message, .. } => write!(f, "HTTP {code}: {message}"),
            CallError::Malformed(m) => write!(f, "malformed response: {m}"),
            CallError::MissingKey(v) => {
                write!(f, "environment variable `{v}` is not set (the provider's `api_key_env`)")
            }
            CallError::NoProvider => write!(f, "the model has no `provider` in the catalog"),
            CallError::Deadline => write!(f, "the overall deadline passed"),
        }
    }
}

impl CallError {
    /// Connection errors, timeouts, 429, 5xx and malformed bodies are worth another try.
    pub fn retryable(&self) -> bool {
        match self {
            CallError::Connect(_) | CallError::Timeout(_) | CallError::Malformed(_) => true,
            CallError::Status { code, .. } => *code == 429 || *code >= 500,
            CallError::MissingKey(_) | CallError::NoProvider | CallError::Deadline => false,
        }
    }
}

/// What one model did during a call: tries, outcome, time.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub model: String,
    pub tries: u32,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub latency_ms: f64,
    /// Waits between tries (backoff or `Retry-After`), in milliseconds.
    pub waits_ms: Vec<u64>,
}

pub struct Client<'a> {
    pub http: reqwest::Client,
    pub config: &'a Config,
    pub deadline: Instant,
    pub timeout: Duration,
    rng: std::cell::RefCell<Rng>,
}

/// The API key of a provider, or the error naming the missing variable.
pub fn api_key(p: &RawProvider) -> Result<Option<String>, CallError> {
    match &p.api_key_env {
        None => Ok(None),
        Some(var) => match std::env::var(var) {
            Ok(k) if !k.is_empty() => Ok(Some(k)),
            _ => Err(CallError::MissingKey(var.clone())),
        },
    }
}

impl<'a> Client<'a> {
    pub fn new(config: &'a Config, timeout: Duration, deadline: Duration, seed: u64) -> Result<Client<'a>, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("llmroute/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        Ok(Client {
            http,
            config,
            deadline: Instant::now() + deadline,
            timeout,
            rng: std::cell::RefCell::new(Rng::new(seed)),
        })
    }

    pub fn provider(&self, model: ModelId) -> Result<&'a RawProvider, CallError> {
        let m = &self.config.models[model];
        m.provider.as_ref().and_then(|p| self.config.providers.get(p)).ok_or(CallError::NoProvider)
    }

    /// Checks that a model can be called (provider and key) without sending anything.
    pub fn ready(&self, model: ModelId) -> Result<(), CallError> {
        api_key(self.provider(model)?).map(|_| ())
    }

    /// One request, no retries. `on_text` receives streamed text as it arrives.
    pub async fn once(
        &self,
        model: ModelId,
        messages: &[Message],
        params: &Params,
        on_text: Option<&mut (dyn FnMut(&str) + Send)>,
    ) -> Result<Answer, CallError> {
        let p = self.provider(model)?;
        let key = api_key(p)?;
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(CallError::Deadline);
        }
        let timeout = self.timeout.min(left);
        let m = &self.config.models[model];
        let id = m.model_id.as_deref().unwrap_or(&m.name);
        let fut = async {
            match p.kind {
                ProviderKind::Openai => {
                    openai::call(&self.http, p, key.as_deref(), id, messages, params, on_text).await
                }
                ProviderKind::Anthropic => {
                    anthropic::call(&self.http, p, key.as_deref(), id, messages, params, on_text).await
                }
            }
        };
        match tokio::time::timeout(timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(CallError::Timeout(timeout.as_secs_f64())),
        }
    }

    /// A request with retries: exponential backoff with jitter, `Retry-After` honoured, the
    /// overall deadline respected. Streamed text is passed on only during the first try.
    pub async fn with_retries(
        &self,
        model: ModelId,
        messages: &[Message],
        params: &Params,
        mut on_text: Option<&mut (dyn FnMut(&str) + Send)>,
    ) -> (Result<Answer, CallError>, Attempt) {
        let live = &self.config.live;
        let start = Instant::now();
        let mut attempt = Attempt {
            model: self.config.models[model].name.clone(),
            tries: 0,
            ok: false,
            error: None,
            latency_ms: 0.0,
            waits_ms: Vec::new(),
        };
        let mut streamed_any = false;
        loop {
            attempt.tries += 1;
            let stream = on_text.is_some() && !streamed_any;
            let result = {
                let mut seen = false;
                let mut relay = |t: &str| {
                    seen = true;
                    if let Some(f) = on_text.as_mut() {
                        f(t);
                    }
                };
                let r = if stream {
                    self.once(model, messages, params, Some(&mut relay)).await
                } else {
                    self.once(model, messages, params, None).await
                };
                streamed_any |= seen;
                r
            };
            match result {
                Ok(a) => {
                    attempt.ok = true;
                    attempt.latency_ms = start.elapsed().as_secs_f64() * 1e3;
                    return (Ok(a), attempt);
                }
                Err(e) => {
                    let give_up = !e.retryable() || attempt.tries > live.max_retries;
                    let wait = match &e {
                        CallError::Status { retry_after: Some(d), .. } => *d,
                        _ => {
                            let base = live
                                .backoff_ms
                                .saturating_mul(1u64 << (attempt.tries - 1).min(20))
                                .min(live.max_backoff_ms);
                            // Equal jitter: half fixed, half random.
                            let jitter = self.rng.borrow_mut().unit();
                            Duration::from_millis(base / 2 + (base as f64 / 2.0 * jitter) as u64)
                        }
                    };
                    let past_deadline = Instant::now() + wait >= self.deadline;
                    if give_up || past_deadline {
                        attempt.error = Some(if past_deadline && !give_up {
                            format!("{e}; the deadline leaves no time to retry")
                        } else if attempt.tries > 1 {
                            format!("{e} (after {} tries)", attempt.tries)
                        } else {
                            e.to_string()
                        });
                        attempt.latency_ms = start.elapsed().as_secs_f64() * 1e3;
                        return (Err(e), attempt);
                    }
                    attempt.waits_ms.push(wait.as_millis() as u64);
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

/// `Retry-After`: delay seconds or an HTTP date.
pub fn retry_after(v: Option<&reqwest::header::HeaderValue>) -> Option<Duration> {
    let s = v?.to_str().ok()?.trim();
    if let Ok(secs) = s.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)));
    }
    let when = jiff::fmt::rfc2822::parse(s).ok()?.timestamp();
    let now = jiff::Timestamp::now();
    let ms = (when.as_millisecond() - now.as_millisecond()).max(0) as u64;
    Some(Duration::from_millis(ms.min(3_600_000)))
}

/// Sends a request with the provider's extra headers; an error status becomes a [`CallError`].
pub async fn send(mut req: reqwest::RequestBuilder, p: &RawProvider) -> Result<reqwest::Response, CallError> {
    for (h, v) in &p.headers {
        req = req.header(h, v);
    }
    let resp = req.send().await.map_err(|e| connect_error(&e))?;
    if !resp.status().is_success() {
        return Err(status_error(resp).await);
    }
    Ok(resp)
}

/// The whole response body as JSON; a truncated or non-JSON body is malformed.
pub async fn json_body(resp: reqwest::Response) -> Result<serde_json::Value, CallError> {
    let text = resp.text().await.map_err(|e| connect_error(&e))?;
    serde_json::from_str(&text).map_err(|e| CallError::Malformed(format!("not JSON ({e})")))
}

/// Reads an error response into a short message (never including request headers).
pub async fn status_error(resp: reqwest::Response) -> CallError {
    let code = resp.status().as_u16();
    let retry = retry_after(resp.headers().get(reqwest::header::RETRY_AFTER));
    let body = resp.text().await.unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
                .or_else(|| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
        })
        .unwrap_or_else(|| body.chars().take(200).collect::<String>().trim().to_string());
    CallError::Status {
        code,
        message: if message.is_empty() { "no details".to_string() } else { message },
        retry_after: retry,
    }
}

pub fn connect_error(e: &reqwest::Error) -> CallError {
    if e.is_timeout() {
        return CallError::Timeout(0.0);
    }
    // reqwest's message names the URL (no secrets); keep the innermost cause for clarity.
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg = s.to_string();
        src = s.source();
    }
    if e.is_body() || e.is_decode() { CallError::Malformed(msg) } else { CallError::Connect(msg) }
}

/// Reads a server-sent-events body, calling `on_event` with each `data:` payload.
pub async fn sse(
    resp: reqwest::Response,
    mut on_event: impl FnMut(&str) -> Result<bool, CallError>,
) -> Result<(), CallError> {
    use futures_util::StreamExt;
    let mut stream = resp.bytes_stream();
    let mut buf: Vec<u8> = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| CallError::Malformed(format!("the stream broke off: {}", connect_error(&e))))?;
        buf.extend_from_slice(&chunk);
        while let Some(pos) = buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buf.drain(..=pos).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(data) = line.strip_prefix("data:")
                && !on_event(data.trim_start())?
            {
                return Ok(());
            }
        }
    }
    Err(CallError::Malformed("the stream ended before it was complete".to_string()))
}
