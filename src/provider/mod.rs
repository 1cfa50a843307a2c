//! Live calls to OpenAI-compatible and Anthropic endpoints, with timeouts, retries and fallback.
//!
//! Keys come only from the environment variable a provider names (`api_key_env`); they are sent
//! in headers and never appear in output, logs or error messages.

pub mod anthropic;
pub mod openai;

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::{Config, ModelId, Params, Provider, ProviderApi};
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
    /// Every input token of the call, cached ones included.
    pub input_tokens: Option<u64>,
    /// Input tokens read from the provider's prompt cache (OpenAI's
    /// `prompt_tokens_details.cached_tokens`, Anthropic's `cache_read_input_tokens`).
    pub cached_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    /// Output tokens counted locally while the text streamed to a sink that keeps it (the
    /// gateway's relay: `text` is then empty), for when the provider reports no usage.
    pub counted_output: Option<u64>,
    pub finish_reason: Option<String>,
    /// The provider's whole response body (non-streamed OpenAI-compatible calls), which the
    /// gateway returns with `model` set to the answering model.
    pub raw: Option<serde_json::Value>,
}

impl Answer {
    /// The finish reason in OpenAI's vocabulary, which the gateway answers in: none is `stop`,
    /// and another API's reasons are mapped by that API's module (Anthropic's `end_turn` is
    /// `stop`, `max_tokens` is `length`, `tool_use` is `tool_calls`).
    pub fn openai_finish_reason(&self) -> &str {
        match self.finish_reason.as_deref() {
            None => "stop",
            Some(r) => anthropic::openai_finish_reason(r).unwrap_or(r),
        }
    }
}

/// Why one request failed.
#[derive(Debug, Clone)]
pub enum CallError {
    Connect(String),
    Timeout(f64),
    Status {
        code: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    Malformed(String),
    MissingKey(String),
    NoProvider,
    Deadline,
    /// The reader of a streamed answer went away: nothing more is asked of the upstream.
    ClientGone,
    /// The model's daily quota is used up (a cascade step, judge or consensus member not called).
    OverQuota,
    /// The state store could not count the call.
    State(String),
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
            CallError::ClientGone => write!(f, "the client went away"),
            CallError::OverQuota => write!(f, "over its daily quota"),
            CallError::State(m) => write!(f, "{m}"),
        }
    }
}

impl CallError {
    /// The error with every configured key masked (see [`redact`]), so an upstream that echoes a
    /// key back, whole or in part, cannot make llmroute print it.
    pub fn redact(self, secrets: &[String]) -> CallError {
        let r = |m: String| redact(&m, secrets);
        match self {
            CallError::Connect(m) => CallError::Connect(r(m)),
            CallError::Status { code, message, retry_after } => {
                CallError::Status { code, message: r(message), retry_after }
            }
            CallError::Malformed(m) => CallError::Malformed(r(m)),
            other => other,
        }
    }

    /// Connection errors, timeouts, 429, 5xx and malformed bodies are worth another try.
    pub fn retryable(&self) -> bool {
        match self {
            CallError::Connect(_) | CallError::Timeout(_) | CallError::Malformed(_) => true,
            CallError::Status { code, .. } => *code == 429 || *code >= 500,
            CallError::MissingKey(_)
            | CallError::NoProvider
            | CallError::Deadline
            | CallError::ClientGone
            | CallError::OverQuota
            | CallError::State(_) => false,
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
    #[serde(serialize_with = "crate::units::json_ms")]
    pub latency_ms: f64,
    /// Waits between tries (backoff or `Retry-After`), in milliseconds.
    pub waits_ms: Vec<u64>,
}

pub struct Client<'a> {
    pub http: reqwest::Client,
    pub config: &'a Config,
    pub deadline: Instant,
    pub timeout: Duration,
    /// The largest body read from a provider.
    pub max_body: usize,
    /// Request fields a client set beyond the messages and [`Params`] (tools, response_format…),
    /// sent as they are to OpenAI-compatible providers.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Every configured provider key, masked in every error message ([`redact`]).
    pub secrets: Vec<String>,
    rng: std::sync::Mutex<Rng>,
}

/// Follows a redirect only to the same scheme, host and port: a key travels only to the host
/// the configuration names (reqwest drops `Authorization` across hosts, but not `x-api-key`).
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt.previous().last().is_some_and(|prev| {
            let next = attempt.url();
            prev.scheme() == next.scheme()
                && prev.host_str() == next.host_str()
                && prev.port_or_known_default() == next.port_or_known_default()
        });
        if !same || attempt.previous().len() > 5 { attempt.stop() } else { attempt.follow() }
    })
}

/// The HTTP client every provider call goes through: bounded connect time, same-origin redirects.
pub fn http_client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("llmroute/", env!("CARGO_PKG_VERSION")))
        .redirect(same_origin_redirects())
        .build()
        .map_err(|e| format!("cannot start the HTTP client: {e}"))
}

/// Reported usage past this many times a model's context window (input) or output limit
/// (output) is not believed: it is counted locally instead, with a warning and a metric.
pub const IMPLAUSIBLE_MARGIN: u64 = 2;
/// The bound for a model whose catalog entry states no window or output limit.
pub const MAX_PLAUSIBLE_TOKENS: u64 = 10_000_000;

/// An answer's input and output tokens: as the provider reported them, else counted locally
/// (`true` when any was counted).
pub fn answer_tokens(messages: &[Message], a: &Answer) -> (u64, u64, bool) {
    let estimated = a.input_tokens.is_none() || a.output_tokens.is_none();
    let input = a.input_tokens.unwrap_or_else(|| local_input_tokens(messages));
    let output = a.output_tokens.unwrap_or_else(|| local_output_tokens(a));
    (input, output, estimated)
}

/// The answer's output tokens counted here: as it streamed, or from its text.
fn local_output_tokens(a: &Answer) -> u64 {
    a.counted_output.unwrap_or(0).saturating_add(crate::tokenizer::count_tokens(&a.text) as u64)
}

fn local_input_tokens(messages: &[Message]) -> u64 {
    crate::tokenizer::chat_input_tokens(messages.iter().map(|m| crate::tokenizer::ChatPart {
        role: &m.role,
        content: &m.content,
        name: None,
    }))
}

/// What a call is billed: its tokens (reported, else counted) and their cost, cached input
/// tokens at the model's `cached_input_price`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Billed {
    pub input: u64,
    pub cached: u64,
    pub output: u64,
    /// True when the provider reported no usage and the tokens were counted locally.
    pub estimated: bool,
    /// True when the provider's usage was implausible (past [`IMPLAUSIBLE_MARGIN`] times the
    /// model's limits) and was replaced by a local count.
    pub implausible: bool,
    pub usd: f64,
}

pub fn billed(config: &crate::config::Config, m: crate::config::ModelId, messages: &[Message], a: &Answer) -> Billed {
    let model = &config.models[m];
    let bound = |limit: Option<u64>| limit.map_or(MAX_PLAUSIBLE_TOKENS, |l| l.saturating_mul(IMPLAUSIBLE_MARGIN));
    let implausible = a.input_tokens.is_some_and(|i| i > bound(model.context_window))
        || a.output_tokens.is_some_and(|o| o > bound(model.max_output_tokens.or(model.context_window)))
        || a.cached_tokens.is_some_and(|c| c > bound(model.context_window));
    if implausible {
        let input = local_input_tokens(messages);
        let output = local_output_tokens(a);
        let usd = model.cost_cached(input, 0, output);
        return Billed { input, cached: 0, output, estimated: true, implausible: true, usd };
    }
    let (input, output, estimated) = answer_tokens(messages, a);
    let cached = a.cached_tokens.unwrap_or(0).min(input);
    Billed { input, cached, output, estimated, implausible: false, usd: model.cost_cached(input, cached, output) }
}

/// The warning for an implausible usage report.
pub fn implausible_note(config: &Config, m: ModelId, a: &Answer) -> String {
    format!(
        "`{}` reported an implausible usage ({} input, {} output tokens); counted locally instead",
        config.models[m].name,
        a.input_tokens.map_or("no".to_string(), |t| t.to_string()),
        a.output_tokens.map_or("no".to_string(), |t| t.to_string()),
    )
}

/// "every candidate failed: `m`: error; …" for the attempts that failed (`ask`'s exit-3 error and
/// the gateway's 502).
pub fn all_failed(attempts: &[Attempt]) -> String {
    let errors: Vec<String> =
        attempts.iter().filter_map(|a| a.error.as_ref().map(|e| format!("`{}`: {e}", a.model))).collect();
    format!("every candidate failed: {}", errors.join("; "))
}

impl Attempt {
    /// A model not called because it cannot be (no provider, no key).
    pub fn skipped(config: &Config, model: ModelId, e: &CallError) -> Attempt {
        Attempt {
            model: config.models[model].name.clone(),
            tries: 0,
            ok: false,
            error: Some(e.to_string()),
            latency_ms: 0.0,
            waits_ms: Vec::new(),
        }
    }
}

/// The API key of a provider, or the error naming the missing variable.
pub fn api_key(p: &Provider) -> Result<Option<String>, CallError> {
    match &p.api_key_env {
        None => Ok(None),
        Some(var) => match std::env::var(var) {
            Ok(k) if !k.is_empty() => Ok(Some(k)),
            _ => Err(CallError::MissingKey(var.clone())),
        },
    }
}

/// Every key the configured providers read from the environment (those set): what no message,
/// log or response may show.
pub fn secrets(config: &Config) -> Vec<String> {
    let mut keys: Vec<String> = config
        .providers
        .values()
        .filter_map(|p| p.api_key_env.as_ref())
        .filter_map(|var| std::env::var(var).ok())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The shortest run of a key's first characters that is masked wherever it appears: an
/// upstream that echoes only the start of a key (or a body cut off mid-key) leaks no more than
/// seven of its characters.
pub const REDACT_PREFIX_CHARS: usize = 8;

/// `text` with every configured key masked as `[redacted]`: a whole key, and any run of at least
/// [`REDACT_PREFIX_CHARS`] of a key's first characters (a shorter key only when whole).
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for key in secrets {
        let min = if key.chars().count() < REDACT_PREFIX_CHARS {
            key.len()
        } else {
            key.char_indices().nth(REDACT_PREFIX_CHARS).map_or(key.len(), |(i, _)| i)
        };
        if min == 0 {
            continue;
        }
        let head = &key[..min];
        let mut masked = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(head) {
            masked.push_str(&rest[..at]);
            // The longest run of the key's characters from here.
            let tail = &rest[at..];
            let len = tail.bytes().zip(key.bytes()).take_while(|(a, b)| a == b).count();
            let len = (min..=len).rev().find(|&l| tail.is_char_boundary(l)).unwrap_or(min);
            masked.push_str("[redacted]");
            rest = &tail[len..];
        }
        masked.push_str(rest);
        out = masked;
    }
    out
}

/// Where a streamed answer goes while it arrives: stdout for `ask`, the client's connection for
/// the gateway. The provider hands over each piece, then waits in [`Sink::drain`] before reading
/// more from the upstream, so a slow reader slows its own upstream instead of filling memory.
pub trait Sink: Send {
    /// The model whose stream the next pieces are.
    fn begin(&mut self, _model: ModelId) {}
    /// A piece of the stream: its new text, or the whole event's JSON when [`Sink::events`].
    fn piece(&mut self, data: &str);
    /// Whether an OpenAI-compatible provider's pieces are its events' JSON (relayed as they are).
    fn events(&self) -> bool {
        false
    }
    /// Waits until the reader took what it was handed; `false` once it is gone.
    fn drain(&mut self) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + '_>> {
        Box::pin(std::future::ready(true))
    }
    /// Whether the answer's text must be kept once passed on (`ask` prints or records it); a sink
    /// that returns `false` (the gateway's relay) gets the text only as pieces, and the answer
    /// keeps a running count of its tokens instead, so a long stream holds no more than the relay.
    fn keeps_text(&self) -> bool {
        true
    }
    /// Whether a retry may complete an answer of which a part was passed on already (`ask`
    /// prints the complete answer after a note; a gateway cannot take back what it relayed).
    fn restartable(&self) -> bool;
}

impl<'a> Client<'a> {
    pub fn new(config: &'a Config, timeout: Duration, deadline: Duration, seed: u64) -> Result<Client<'a>, String> {
        Ok(Client::with_http(config, http_client(timeout)?, timeout, deadline, seed))
    }

    /// A client for one request on a shared connection pool (the gateway's).
    pub fn with_http(
        config: &'a Config,
        http: reqwest::Client,
        timeout: Duration,
        deadline: Duration,
        seed: u64,
    ) -> Client<'a> {
        Client {
            http,
            config,
            deadline: Instant::now() + deadline,
            timeout,
            max_body: usize::try_from(config.live.max_body_bytes).unwrap_or(usize::MAX),
            extra: serde_json::Map::new(),
            secrets: secrets(config),
            rng: std::sync::Mutex::new(Rng::new(seed)),
        }
    }

    pub fn provider(&self, model: ModelId) -> Result<&'a Provider, CallError> {
        let m = &self.config.models[model];
        m.provider.as_ref().and_then(|p| self.config.providers.get(p)).ok_or(CallError::NoProvider)
    }

    /// Checks that a model can be called (provider and key) without sending anything.
    pub fn ready(&self, model: ModelId) -> Result<(), CallError> {
        api_key(self.provider(model)?).map(|_| ())
    }

    /// One request, no retries. A `sink` receives the answer as it streams.
    pub async fn once(
        &self,
        model: ModelId,
        messages: &[Message],
        params: &Params,
        sink: Option<&mut dyn Sink>,
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
        let call = Call {
            http: &self.http,
            provider: p,
            key: key.as_deref(),
            max_body: self.max_body,
            extra: &self.extra,
            secrets: &self.secrets,
        };
        // The timeout covers the whole exchange: connecting, the status, every byte of the body.
        let fut = async {
            match &p.api {
                ProviderApi::Openai => openai::call(&call, id, messages, params, sink).await,
                ProviderApi::Anthropic { version } => {
                    anthropic::call(&call, version.as_deref(), id, messages, params, sink).await
                }
            }
        };
        let r = match tokio::time::timeout(timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(CallError::Timeout(timeout.as_secs_f64())),
        };
        r.map_err(|e| e.redact(&self.secrets))
    }

    /// A request with retries: exponential backoff with jitter, `Retry-After` honoured, the
    /// overall deadline respected. The answer streams to `sink` during the first try only; once a
    /// part of it was passed on, a failure is retried only when the sink is
    /// [restartable](Sink::restartable), and never once the sink's reader is gone.
    pub async fn with_retries(
        &self,
        model: ModelId,
        messages: &[Message],
        params: &Params,
        mut sink: Option<&mut dyn Sink>,
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
            let result = match sink.as_deref_mut() {
                Some(s) if !streamed_any => {
                    let mut seen = Watched { inner: s, seen: false };
                    let r = self.once(model, messages, params, Some(&mut seen)).await;
                    streamed_any |= seen.seen;
                    r
                }
                _ => self.once(model, messages, params, None).await,
            };
            match result {
                Ok(a) => {
                    attempt.ok = true;
                    attempt.latency_ms = start.elapsed().as_secs_f64() * 1e3;
                    return (Ok(a), attempt);
                }
                Err(e) => {
                    let cannot_restart = streamed_any && !sink.as_deref().is_some_and(|s| s.restartable());
                    let give_up = !e.retryable() || attempt.tries > live.max_retries || cannot_restart;
                    let wait = match &e {
                        CallError::Status { retry_after: Some(d), .. } => *d,
                        _ => {
                            let base = live
                                .backoff_ms
                                .saturating_mul(1u64 << (attempt.tries - 1).min(20))
                                .min(live.max_backoff_ms);
                            // Equal jitter: half fixed, half random.
                            let jitter = self.rng.lock().map_or(0.5, |mut r| r.unit());
                            Duration::from_millis(base / 2 + (base as f64 / 2.0 * jitter) as u64)
                        }
                    };
                    let past_deadline = Instant::now() + wait >= self.deadline;
                    if give_up || past_deadline {
                        attempt.error = Some(if past_deadline && !give_up {
                            format!("{e}; the deadline leaves no time to retry")
                        } else if cannot_restart && e.retryable() && attempt.tries <= live.max_retries {
                            format!("{e}; not retried: part of the answer was already relayed")
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

/// A sink that notes whether anything was passed on to the sink it wraps.
pub struct Watched<'s> {
    pub inner: &'s mut dyn Sink,
    pub seen: bool,
}

impl Sink for Watched<'_> {
    fn begin(&mut self, model: ModelId) {
        self.inner.begin(model);
    }
    fn piece(&mut self, data: &str) {
        self.seen = true;
        self.inner.piece(data);
    }
    fn events(&self) -> bool {
        self.inner.events()
    }
    fn drain(&mut self) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + '_>> {
        self.inner.drain()
    }
    fn keeps_text(&self) -> bool {
        self.inner.keeps_text()
    }
    fn restartable(&self) -> bool {
        self.inner.restartable()
    }
}

/// After a piece of streamed text from `before` was passed to `sink`: when the sink does not keep
/// the text, it is counted and dropped from the answer.
pub fn settle_text(a: &mut Answer, before: usize, sink: &dyn Sink) {
    if sink.keeps_text() || a.text.len() <= before {
        return;
    }
    let n = crate::tokenizer::count_tokens(&a.text[before..]) as u64;
    a.counted_output = Some(a.counted_output.unwrap_or(0).saturating_add(n));
    a.text.clear();
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

/// One provider call's connection: the client, the provider, its key and the body cap.
pub struct Call<'c> {
    pub http: &'c reqwest::Client,
    pub provider: &'c Provider,
    pub key: Option<&'c str>,
    pub max_body: usize,
    /// Extra request fields for OpenAI-compatible providers ([`Client::extra`]).
    pub extra: &'c serde_json::Map<String, serde_json::Value>,
    /// Every configured key, masked in an error body before it is cut short.
    pub secrets: &'c [String],
}

/// Sends a request with the provider's extra headers; an error status becomes a [`CallError`].
pub async fn send(mut req: reqwest::RequestBuilder, call: &Call<'_>) -> Result<reqwest::Response, CallError> {
    for (h, v) in &call.provider.headers {
        req = req.header(h, v);
    }
    let resp = req.send().await.map_err(|e| connect_error(&e))?;
    if resp.status().is_redirection() {
        let to = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| resp.url().join(l).ok())
            .and_then(|u| u.host_str().map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0))))
            .unwrap_or_else(|| "another location".to_string());
        return Err(CallError::Status {
            code: resp.status().as_u16(),
            message: format!("redirected to {to}; not followed (the key goes only to the configured host)"),
            retry_after: None,
        });
    }
    if !resp.status().is_success() {
        return Err(status_error(resp, call.max_body.min(ERROR_BODY_BYTES), call.secrets).await);
    }
    Ok(resp)
}

/// At most this much of an error response is read.
const ERROR_BODY_BYTES: usize = 64 << 10;

/// The response body, up to `max` bytes; a longer one is an error (it is not read further).
pub async fn body_bytes(resp: reqwest::Response, max: usize) -> Result<Vec<u8>, CallError> {
    use futures_util::StreamExt;
    if resp.content_length().is_some_and(|n| n > max as u64) {
        return Err(CallError::Malformed(format!("the response body is over {max} bytes (`[live] max_body_bytes`)")));
    }
    let mut out = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| connect_error(&e))?;
        if out.len() + chunk.len() > max {
            return Err(CallError::Malformed(format!(
                "the response body is over {max} bytes (`[live] max_body_bytes`)"
            )));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// The whole response body as JSON; a truncated, oversized or non-JSON body is malformed.
pub async fn json_body(resp: reqwest::Response, max: usize) -> Result<serde_json::Value, CallError> {
    let bytes = body_bytes(resp, max).await?;
    serde_json::from_slice(&bytes).map_err(|e| CallError::Malformed(format!("not JSON ({e})")))
}

/// Reads an error response into a short message (never including request headers). Keys are
/// masked before the body is cut short, so a cut cannot leave part of a key unmasked.
pub async fn status_error(resp: reqwest::Response, max: usize, secrets: &[String]) -> CallError {
    let code = resp.status().as_u16();
    let retry = retry_after(resp.headers().get(reqwest::header::RETRY_AFTER));
    let body = body_bytes(resp, max).await.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let body = redact(&body, secrets);
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

/// Splits a server-sent-events byte stream into `data:` payloads, holding at most `max` bytes in
/// all (a body without line breaks cannot grow memory without bound).
#[derive(Debug)]
pub struct SseDecoder {
    buf: Vec<u8>,
    /// Start of the unread part of `buf`.
    at: usize,
    seen: usize,
    max: usize,
}

impl SseDecoder {
    pub fn new(max: usize) -> SseDecoder {
        SseDecoder { buf: Vec::new(), at: 0, seen: 0, max }
    }

    /// Adds bytes; an error once the stream passes `max` bytes.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), CallError> {
        self.seen = self.seen.saturating_add(bytes.len());
        if self.seen > self.max {
            return Err(CallError::Malformed(format!(
                "the stream is over {} bytes (`[live] max_body_bytes`)",
                self.max
            )));
        }
        if self.at > 0 {
            self.buf.drain(..self.at);
            self.at = 0;
        }
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    /// The next complete `data:` payload, if a whole line has arrived.
    pub fn next_data(&mut self) -> Option<String> {
        loop {
            let rest = &self.buf[self.at..];
            let pos = rest.iter().position(|&b| b == b'\n')?;
            let line = String::from_utf8_lossy(&rest[..pos]).into_owned();
            self.at += pos + 1;
            let line = line.trim_end_matches('\r');
            if let Some(data) = line.strip_prefix("data:") {
                return Some(data.trim_start().to_string());
            }
        }
    }
}

/// Reads a server-sent-events body, calling `on_event` with each `data:` payload (and the sink)
/// until it returns `false`. After each piece of the body, the sink is drained before more is
/// read: the upstream is read no faster than the sink's reader takes the answer.
pub async fn sse(
    resp: reqwest::Response,
    max: usize,
    sink: &mut dyn Sink,
    mut on_event: impl FnMut(&str, &mut dyn Sink) -> Result<bool, CallError>,
) -> Result<(), CallError> {
    use futures_util::StreamExt;
    let mut stream = resp.bytes_stream();
    let mut decoder = SseDecoder::new(max);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| CallError::Malformed(format!("the stream broke off: {}", connect_error(&e))))?;
        decoder.push(&chunk)?;
        let mut more = true;
        while more && let Some(data) = decoder.next_data() {
            more = on_event(&data, sink)?;
        }
        if !sink.drain().await {
            return Err(CallError::ClientGone);
        }
        if !more {
            return Ok(());
        }
    }
    Err(CallError::Malformed("the stream ended before it was complete".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::from_str(crate::config::EMBEDDED_DEFAULT, crate::config::Source::Embedded)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn redact_masks_whole_keys_and_long_prefixes_only() {
        let secrets = vec!["sk-abcdefghijklmnop".to_string(), "short".to_string()];
        assert_eq!(redact("key sk-abcdefghijklmnop!", &secrets), "key [redacted]!");
        // Eight or more of a key's first characters are masked (an echo cut mid-key).
        assert_eq!(redact("got sk-abcde, sk-abcdef…", &secrets), "got [redacted], [redacted]…");
        // Seven are not: they say too little about the key.
        assert_eq!(redact("sk-abcd", &secrets), "sk-abcd");
        // A short key only when whole.
        assert_eq!(redact("a short shor", &secrets), "a [redacted] shor");
        assert_eq!(redact("nothing here", &[]), "nothing here");
        let e = CallError::Status { code: 401, message: "bad key sk-abcdefghij".into(), retry_after: None };
        assert_eq!(e.redact(&secrets).to_string(), "HTTP 401: bad key [redacted]");
    }

    #[test]
    fn billed_uses_reported_usage_with_cached_input_at_its_price() {
        let c = config();
        let m = c.require_model("gpt-4o-mini").unwrap();
        let msgs = vec![Message { role: "user".into(), content: "hi".into() }];
        let a = Answer {
            text: "hello".into(),
            input_tokens: Some(1000),
            cached_tokens: Some(400),
            output_tokens: Some(500),
            ..Answer::default()
        };
        let b = billed(&c, m, &msgs, &a);
        assert_eq!((b.input, b.cached, b.output, b.estimated, b.implausible), (1000, 400, 500, false, false));
        // 600 × 0.15 + 400 × 0.075 + 500 × 0.60 per million tokens.
        assert!((b.usd - 420e-6).abs() < 1e-12, "{}", b.usd);
        // More cached than input is capped at the input.
        let b = billed(&c, m, &msgs, &Answer { cached_tokens: Some(5000), ..a.clone() });
        assert_eq!(b.cached, 1000);
    }

    #[test]
    fn billed_counts_locally_when_usage_is_missing_or_implausible() {
        let c = config();
        let m = c.require_model("gpt-4o-mini").unwrap();
        let msgs = vec![Message { role: "user".into(), content: "hi".into() }];
        let local_in = local_input_tokens(&msgs);
        let local_out = crate::tokenizer::count_tokens("hello there") as u64;
        let missing = Answer { text: "hello there".into(), output_tokens: Some(3), ..Answer::default() };
        let b = billed(&c, m, &msgs, &missing);
        assert_eq!((b.input, b.output, b.estimated, b.implausible), (local_in, 3, true, false));
        // Past twice the context window (128,000) the report is replaced by a local count.
        let wild = Answer { input_tokens: Some(256_001), output_tokens: Some(1), ..missing.clone() };
        let b = billed(&c, m, &msgs, &wild);
        assert_eq!((b.input, b.cached, b.output, b.estimated, b.implausible), (local_in, 0, local_out, true, true));
        let edge = Answer { input_tokens: Some(256_000), output_tokens: Some(1), ..missing };
        assert!(!billed(&c, m, &msgs, &edge).implausible);
        assert_eq!(
            implausible_note(&c, m, &wild),
            "`gpt-4o-mini` reported an implausible usage (256001 input, 1 output tokens); counted locally instead"
        );
    }

    #[test]
    fn retryable_errors_are_transient_ones() {
        let status = |code| CallError::Status { code, message: String::new(), retry_after: None };
        assert!(status(429).retryable() && status(503).retryable());
        assert!(!status(400).retryable() && !status(401).retryable());
        assert!(CallError::Timeout(1.0).retryable() && CallError::Connect("x".into()).retryable());
        assert!(!CallError::MissingKey("K".into()).retryable() && !CallError::OverQuota.retryable());
    }

    #[test]
    fn sse_data_lines_come_out_whole_and_the_stream_is_bounded() {
        let mut d = SseDecoder::new(64);
        d.push(b"event: x\ndata: {\"a\":1}\n\ndata: [DO").unwrap();
        assert_eq!(d.next_data().as_deref(), Some("{\"a\":1}"));
        assert_eq!(d.next_data(), None);
        d.push(b"NE]\r\n").unwrap();
        assert_eq!(d.next_data().as_deref(), Some("[DONE]"));
        let e = d.push(&[b' '; 40]).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("malformed response: the stream is over 64 bytes (`[live] max_body_bytes`)"));
    }
}
