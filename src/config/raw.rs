//! The configuration file as written: serde structs with `deny_unknown_fields`.
//!
//! Nothing here is checked beyond types; `super::validate` turns a [`RawConfig`] into a
//! [`super::Config`] and reports cross-reference errors with their key path.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// A model name in the file, with its position for error messages.
pub type ModelRef = Spanned<String>;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Tier names, cheapest first.
    #[serde(default = "default_tiers")]
    pub tiers: Vec<String>,
    pub models: BTreeMap<String, RawModel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RawRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_route: Option<RawRoute>,
    pub difficulty: RawDifficulty,
    #[serde(default)]
    pub chain: RawChain,
    #[serde(default)]
    pub quota: RawQuota,
    #[serde(default)]
    pub estimate: RawEstimate,
    #[serde(default)]
    pub ml: RawMl,
    #[serde(default)]
    pub adaptive: RawAdaptive,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary: Option<RawCanary>,
    /// Endpoints for live calls (`ask`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub providers: BTreeMap<String, RawProvider>,
    #[serde(default)]
    pub live: RawLive,
    #[serde(default)]
    pub cascade: RawCascade,
    #[serde(default)]
    pub consensus: RawConsensus,
    #[serde(default)]
    pub serve: RawServe,
    #[serde(default)]
    pub state: RawState,
}

/// Where quotas, decisions and feedback live.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawState {
    /// `sqlite` (one machine, the default) or `redis` (many instances).
    #[serde(default)]
    pub backend: StateBackend,
    /// Environment variable holding the Redis URL (which may hold a password).
    #[serde(default = "default_url_env")]
    pub url_env: String,
    /// Prefix of every Redis key.
    #[serde(default = "default_key_prefix")]
    pub key_prefix: String,
    /// Redis connections the gateway keeps open.
    #[serde(default = "default_pool_size")]
    pub pool_size: u64,
    #[serde(default = "default_state_timeout")]
    pub connect_timeout_ms: u64,
    /// Longest wait for one Redis reply.
    #[serde(default = "default_state_timeout")]
    pub timeout_ms: u64,
    /// When Redis cannot be reached: `error` (exit 5 / HTTP 503) or `local` (count in the local
    /// SQLite file, with a warning and a metric).
    #[serde(default)]
    pub on_unavailable: Unavailable,
}

impl Default for RawState {
    fn default() -> Self {
        RawState {
            backend: StateBackend::default(),
            url_env: default_url_env(),
            key_prefix: default_key_prefix(),
            pool_size: default_pool_size(),
            connect_timeout_ms: default_state_timeout(),
            timeout_ms: default_state_timeout(),
            on_unavailable: Unavailable::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateBackend {
    #[default]
    Sqlite,
    Redis,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unavailable {
    #[default]
    Error,
    Local,
}

fn default_url_env() -> String {
    "LLMROUTE_REDIS_URL".to_string()
}
fn default_key_prefix() -> String {
    "llmroute:".to_string()
}
fn default_pool_size() -> u64 {
    8
}
fn default_state_timeout() -> u64 {
    1000
}

/// The gateway (`llmroute serve`); its flags override these.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServe {
    /// Address to listen on.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Environment variable holding the client keys (comma-separated); none: no client auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys_env: Option<String>,
    /// Largest request body in bytes.
    #[serde(default = "default_max_request")]
    pub max_request_bytes: u64,
    /// Upstream calls in flight at most.
    #[serde(default = "default_concurrency")]
    pub max_concurrency: u64,
    /// On SIGTERM/SIGINT, how long requests in flight may still take.
    #[serde(default = "default_grace")]
    pub shutdown_grace_secs: f64,
    /// Threads serving requests; 0: one per core.
    #[serde(default)]
    pub workers: u64,
    /// Seconds a client may take to send a request's head (and an idle kept-alive connection
    /// may wait for its next request) before the connection is closed.
    #[serde(default = "default_header_timeout")]
    pub header_read_timeout_secs: f64,
    /// Seconds a client may take to send a request's body once its head arrived (408 after).
    #[serde(default = "default_body_timeout")]
    pub body_read_timeout_secs: f64,
    /// Client connections open at most; at the cap a new one closes the oldest idle one.
    #[serde(default = "default_max_connections")]
    pub max_connections: u64,
    /// Browser origins (`scheme://host[:port]`) allowed to call the gateway (CORS); a request
    /// with any other `Origin` is refused.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// `Host` values (`name` or `name:port`) accepted besides the listening address; `*`: any.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Endpoints answered without a client key when keys are configured.
    #[serde(default = "default_public_endpoints")]
    pub public_endpoints: Vec<String>,
}

/// The endpoints `[serve] public_endpoints` may name.
pub const PUBLIC_ENDPOINTS: [&str; 3] = ["/healthz", "/metrics", "/v1/models"];

impl Default for RawServe {
    fn default() -> Self {
        RawServe {
            listen: default_listen(),
            keys_env: None,
            max_request_bytes: default_max_request(),
            max_concurrency: default_concurrency(),
            shutdown_grace_secs: default_grace(),
            workers: 0,
            header_read_timeout_secs: default_header_timeout(),
            body_read_timeout_secs: default_body_timeout(),
            max_connections: default_max_connections(),
            allowed_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            public_endpoints: default_public_endpoints(),
        }
    }
}

/// Whether `o` is a browser origin as an `Origin` header carries it: `http(s)://host[:port]`,
/// no path.
pub fn origin_ok(o: &str) -> bool {
    let rest = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(|c: char| c.is_whitespace() || "/?#@,".contains(c)))
}

fn default_header_timeout() -> f64 {
    10.0
}
fn default_body_timeout() -> f64 {
    30.0
}
fn default_max_connections() -> u64 {
    4096
}
fn default_public_endpoints() -> Vec<String> {
    vec!["/healthz".to_string()]
}

fn default_listen() -> String {
    "127.0.0.1:8080".to_string()
}
fn default_max_request() -> u64 {
    4 << 20
}
fn default_concurrency() -> u64 {
    256
}
fn default_grace() -> f64 {
    10.0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// Any OpenAI-compatible chat-completions endpoint.
    Openai,
    /// Anthropic's Messages API.
    Anthropic,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProvider {
    #[serde(rename = "type")]
    pub kind: ProviderKind,
    pub base_url: String,
    /// Environment variable holding the API key; absent for endpoints without keys (local servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
    /// Extra HTTP headers sent with every request.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// `anthropic-version` header (Anthropic only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anthropic_version: Option<String>,
}

/// Reliability of live calls.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLive {
    /// Per-request timeout.
    #[serde(default = "default_timeout")]
    pub timeout_secs: f64,
    /// Overall deadline for one `ask`, retries and fallbacks included.
    #[serde(default = "default_deadline")]
    pub deadline_secs: f64,
    /// Retries per model on connection errors, timeouts, 429, 5xx and malformed bodies.
    #[serde(default = "default_retries")]
    pub max_retries: u32,
    /// First backoff; doubles per retry, with jitter, capped at `max_backoff_ms`.
    #[serde(default = "default_backoff")]
    pub backoff_ms: u64,
    #[serde(default = "default_max_backoff")]
    pub max_backoff_ms: u64,
    /// The largest response body read from a provider, in bytes (streamed answers included).
    #[serde(default = "default_max_body")]
    pub max_body_bytes: u64,
}

impl Default for RawLive {
    fn default() -> Self {
        RawLive {
            timeout_secs: default_timeout(),
            deadline_secs: default_deadline(),
            max_retries: default_retries(),
            backoff_ms: default_backoff(),
            max_backoff_ms: default_max_backoff(),
            max_body_bytes: default_max_body(),
        }
    }
}

fn default_timeout() -> f64 {
    60.0
}
fn default_deadline() -> f64 {
    180.0
}
fn default_retries() -> u32 {
    2
}
fn default_backoff() -> u64 {
    500
}
fn default_max_backoff() -> u64 {
    8000
}
fn default_max_body() -> u64 {
    16 << 20
}

/// Live cascade: cheapest first, self-evaluated, escalated.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCascade {
    /// Models tried in order [default: the fallback order's cheapest, middle and most expensive].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<ModelRef>>,
    #[serde(default = "default_attempts")]
    pub max_attempts: usize,
    /// Accept an answer scoring at least this (0-1).
    #[serde(default = "default_accept")]
    pub accept: f64,
    /// Model that scores answers; without one, a documented heuristic scores them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge: Option<ModelRef>,
}

impl Default for RawCascade {
    fn default() -> Self {
        RawCascade { models: None, max_attempts: default_attempts(), accept: default_accept(), judge: None }
    }
}

fn default_attempts() -> usize {
    3
}
fn default_accept() -> f64 {
    0.8
}

/// Live consensus: several models answer, the majority wins.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConsensus {
    /// Voters [default: the three most expensive catalog models].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<ModelRef>>,
}

/// The adaptive router (Thompson sampling per segment).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAdaptive {
    /// Success rate a model needs in a segment to be "good enough".
    #[serde(default = "default_target")]
    pub target: f64,
    /// Ratings at or above this count as a success when feedback has no `success`.
    #[serde(default = "default_success_rating")]
    pub success_rating: f64,
    /// Seed of the sampling.
    #[serde(default = "default_seed")]
    pub seed: u64,
}

impl Default for RawAdaptive {
    fn default() -> Self {
        RawAdaptive { target: default_target(), success_rating: default_success_rating(), seed: default_seed() }
    }
}

fn default_target() -> f64 {
    0.8
}

fn default_success_rating() -> f64 {
    4.0
}

fn default_seed() -> u64 {
    42
}

/// Gray release: a share of traffic goes to another strategy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCanary {
    pub strategy: Strategy,
    pub share: f64,
}

/// A routing strategy: the production chain, or one router alone (`--strategy`, `[canary]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The production chain (`[chain] stages`).
    Chain,
    /// The rules alone, with the default route when no rule matches (the article's RuleBasedRouter).
    Rules,
    /// The difficulty score alone.
    Difficulty,
    /// The trained classifier alone (the article's `balanced` default while untrained).
    Ml,
    /// The adaptive router alone (learns from feedback).
    Adaptive,
}

impl Strategy {
    pub const ALL: [Strategy; 5] =
        [Strategy::Chain, Strategy::Rules, Strategy::Difficulty, Strategy::Ml, Strategy::Adaptive];

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Chain => "chain",
            Strategy::Rules => "rules",
            Strategy::Difficulty => "difficulty",
            Strategy::Ml => "ml",
            Strategy::Adaptive => "adaptive",
        }
    }
}

pub fn default_tiers() -> Vec<String> {
    ["cheap", "balanced", "premium"].map(String::from).to_vec()
}

/// A tier: a name from `tiers`, or an integer rank (higher = more capable).
#[derive(Debug, Clone, PartialEq)]
pub enum RawTier {
    Name(String),
    Rank(i64),
}

impl Serialize for RawTier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RawTier::Name(n) => s.serialize_str(n),
            RawTier::Rank(r) => s.serialize_i64(*r),
        }
    }
}

impl<'de> Deserialize<'de> for RawTier {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = RawTier;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a tier name (string) or an integer rank")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawTier, E> {
                Ok(RawTier::Name(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawTier, E> {
                Ok(RawTier::Rank(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawTier, E> {
                i64::try_from(v).map(RawTier::Rank).map_err(|_| E::custom("tier rank is too large"))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    pub tier: RawTier,
    /// USD per 1M input tokens.
    pub input_price: f64,
    /// USD per 1M output tokens.
    pub output_price: f64,
    /// Requests per day; absent = unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_quota: Option<u64>,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
    /// Provider used for live calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The provider's id for this model when it differs from the catalog name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    /// Output tokens assumed by cost estimates (default: `estimate.output_tokens`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_output_tokens: Option<u32>,
    /// Largest prompt in tokens (absent: not checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window: Option<u64>,
    /// Largest answer in tokens (absent: not checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u64>,
    /// What the model accepts beyond text; absent: not checked (every request may go to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Vec<Capability>>,
    /// USD per 1M input tokens read from the provider's prompt cache (absent: the input price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input_price: Option<f64>,
    /// The day the provider retires the model (`YYYY-MM-DD`); `config validate` warns after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation_date: Option<String>,
}

/// What a request may need from a model beyond text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Function / tool calling (`tools` in a chat request).
    Tools,
    /// Image input (an `image_url` part).
    Vision,
    /// Structured output to a JSON schema (`response_format.type = "json_schema"`).
    JsonSchema,
}

impl Capability {
    pub const ALL: [Capability; 3] = [Capability::Tools, Capability::Vision, Capability::JsonSchema];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Tools => "tools",
            Capability::Vision => "vision",
            Capability::JsonSchema => "json_schema",
        }
    }
}

/// Sampling parameters passed with a request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
}

impl Params {
    pub fn is_empty(&self) -> bool {
        *self == Params::default()
    }

    /// `self`, with unset fields taken from `defaults`.
    pub fn or(&self, defaults: &Params) -> Params {
        Params {
            temperature: self.temperature.or(defaults.temperature),
            max_tokens: self.max_tokens.or(defaults.max_tokens),
            top_p: self.top_p.or(defaults.top_p),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeywordMatch {
    #[default]
    Any,
    All,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Whether any or all keywords must be present.
    #[serde(default, rename = "match")]
    pub keyword_match: KeywordMatch,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub model: ModelRef,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRoute {
    pub model: ModelRef,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDifficulty {
    pub length: RawLengthDim,
    pub reasoning: RawKeywordDim,
    pub structure: RawKeywordDim,
    pub domain: RawKeywordDim,
    pub bands: Vec<RawBand>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLengthDim {
    /// Length in characters at which this dimension saturates.
    pub saturation: f64,
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKeywordDim {
    pub keywords: Vec<String>,
    /// Number of distinct keywords at which this dimension saturates.
    pub saturation: f64,
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBand {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Upper bound (exclusive) of the band; absent on the last band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    pub model: ModelRef,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageName {
    Rules,
    Ml,
    Difficulty,
    Adaptive,
}

impl StageName {
    pub fn as_str(self) -> &'static str {
        match self {
            StageName::Rules => "rules",
            StageName::Ml => "ml",
            StageName::Difficulty => "difficulty",
            StageName::Adaptive => "adaptive",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChain {
    #[serde(default = "default_stages")]
    pub stages: Vec<StageName>,
    /// Fallback order when quotas run out, cheapest first. Default: the catalog by tier, then price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Vec<ModelRef>>,
}

impl Default for RawChain {
    fn default() -> Self {
        RawChain { stages: default_stages(), fallback: None }
    }
}

fn default_stages() -> Vec<StageName> {
    vec![StageName::Rules, StageName::Ml, StageName::Difficulty]
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuota {
    #[serde(default = "default_timezone")]
    pub timezone: String,
}

impl Default for RawQuota {
    fn default() -> Self {
        RawQuota { timezone: default_timezone() }
    }
}

fn default_timezone() -> String {
    "local".to_string()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEstimate {
    #[serde(default = "default_output_tokens")]
    pub output_tokens: u32,
}

impl Default for RawEstimate {
    fn default() -> Self {
        RawEstimate { output_tokens: default_output_tokens() }
    }
}

fn default_output_tokens() -> u32 {
    250
}

/// What the ML stage does with a low-confidence prediction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LowConfidence {
    /// Route to the low-confidence (premium) model, as the design article does.
    #[default]
    Premium,
    /// Decline, so the next stage of the chain decides.
    Decline,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMl {
    /// Trained model file (relative paths are relative to the configuration file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default)]
    pub on_low_confidence: LowConfidence,
    /// Overrides the threshold stored in the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_confidence: Option<f64>,
    /// Model for low-confidence predictions (default: the model of label `premium`, else the
    /// last model of the fallback order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_confidence_model: Option<ModelRef>,
    /// Model for `--strategy ml` while no model is trained (default: the model of label
    /// `balanced`, else the default route's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untrained_model: Option<ModelRef>,
    /// Class label -> catalog model. A label that is itself a catalog model name needs no entry.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, ModelRef>,
    /// An outcome model's cost–quality knob (overrides the λ stored in the model): the router
    /// picks the model maximising expected quality − λ × expected cost in USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda: Option<f64>,
}
