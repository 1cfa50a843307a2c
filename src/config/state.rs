//! `[state]`: where quotas, decisions and feedback live, as written and validated into [`State`].

use serde::{Deserialize, Serialize};

use super::check::Checker;
use crate::error::Result;

/// Where quotas, decisions and feedback live.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawState {
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

/// The state store's kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateBackend {
    /// One SQLite file on this machine.
    #[default]
    Sqlite,
    /// A Redis server shared by many instances.
    Redis,
}

/// What happens when the shared store cannot be reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unavailable {
    /// Fail (exit 5 / HTTP 503).
    #[default]
    Error,
    /// Count in the local SQLite file, with a warning and a metric.
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

/// The validated state settings (see [`RawState`] for each key's meaning).
#[derive(Debug, Clone)]
pub struct State {
    pub backend: StateBackend,
    /// Environment variable holding the Redis URL.
    pub url_env: String,
    /// Prefix of every Redis key (at most 64 characters, no spaces).
    pub key_prefix: String,
    /// Redis connections the gateway keeps open.
    pub pool_size: u64,
    pub connect_timeout_ms: u64,
    /// Longest wait for one Redis reply.
    pub timeout_ms: u64,
    pub on_unavailable: Unavailable,
}

impl RawState {
    pub(super) fn validate(&self, c: &Checker) -> Result<State> {
        let st = self;
        if st.url_env.trim().is_empty() {
            return Err(c.err("state.url_env", "the variable name is empty"));
        }
        if st.key_prefix.len() > 64 || st.key_prefix.chars().any(char::is_whitespace) {
            return Err(c.err("state.key_prefix", "at most 64 characters, no spaces"));
        }
        c.int_in(st.pool_size, 1, 1024, "state.pool_size")?;
        c.int_in(st.connect_timeout_ms, 1, 600_000, "state.connect_timeout_ms")?;
        c.int_in(st.timeout_ms, 1, 600_000, "state.timeout_ms")?;
        Ok(State {
            backend: st.backend,
            url_env: st.url_env.clone(),
            key_prefix: st.key_prefix.clone(),
            pool_size: st.pool_size,
            connect_timeout_ms: st.connect_timeout_ms,
            timeout_ms: st.timeout_ms,
            on_unavailable: st.on_unavailable,
        })
    }
}
