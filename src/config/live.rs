//! `[live]`, `[cascade]` and `[consensus]`: how live calls retry and time out, and the models the
//! live multi-model strategies use, validated into [`Live`] and [`CascadeConfig`].

use serde::{Deserialize, Serialize};

use super::ModelId;
use super::check::{Checker, ModelRef, Names};
use super::models::{Model, by_cost};
use crate::error::Result;

/// Reliability of live calls.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLive {
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

/// Validated reliability settings of live calls.
#[derive(Debug, Clone)]
pub struct Live {
    /// Per-request timeout.
    pub timeout_secs: f64,
    /// Overall deadline for one `ask`, retries and fallbacks included.
    pub deadline_secs: f64,
    /// Retries per model on connection errors, timeouts, 429, 5xx and malformed bodies.
    pub max_retries: u32,
    /// First backoff; doubles per retry, with jitter, capped at `max_backoff_ms`.
    pub backoff_ms: u64,
    pub max_backoff_ms: u64,
    /// The largest response body read from a provider, in bytes (streamed answers included).
    pub max_body_bytes: u64,
}

impl RawLive {
    pub(super) fn validate(&self, c: &Checker) -> Result<Live> {
        let l = self;
        c.seconds(l.timeout_secs, "live.timeout_secs")?;
        c.seconds(l.deadline_secs, "live.deadline_secs")?;
        c.int_in(u64::from(l.max_retries), 0, 100, "live.max_retries")?;
        c.int_in(l.backoff_ms, 0, 600_000, "live.backoff_ms")?;
        c.int_in(l.max_backoff_ms, 0, 3_600_000, "live.max_backoff_ms")?;
        c.int_in(l.max_body_bytes, 1 << 10, 1 << 30, "live.max_body_bytes")?;
        Ok(Live {
            timeout_secs: l.timeout_secs,
            deadline_secs: l.deadline_secs,
            max_retries: l.max_retries,
            backoff_ms: l.backoff_ms,
            max_backoff_ms: l.max_backoff_ms,
            max_body_bytes: l.max_body_bytes,
        })
    }
}

/// Live cascade: cheapest first, self-evaluated, escalated.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCascade {
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

#[derive(Debug, Clone)]
pub struct CascadeConfig {
    pub models: Vec<ModelId>,
    pub max_attempts: usize,
    pub accept: f64,
    pub judge: Option<ModelId>,
}

impl RawCascade {
    pub(super) fn validate(&self, c: &Checker, names: &Names, fallback: &[ModelId]) -> Result<CascadeConfig> {
        c.share(self.accept, "cascade.accept")?;
        c.int_in(self.max_attempts as u64, 1, 16, "cascade.max_attempts")?;
        Ok(CascadeConfig {
            models: c.model_refs(names, &self.models, "cascade.models")?.unwrap_or_else(|| {
                let f = fallback;
                let mut v = vec![f[0], f[f.len() / 2], f[f.len() - 1]];
                v.dedup();
                v
            }),
            max_attempts: self.max_attempts,
            accept: self.accept,
            judge: match &self.judge {
                Some(r) => Some(c.model_ref(names, r, "cascade.judge")?),
                None => None,
            },
        })
    }
}

/// Live consensus: several models answer, the majority wins.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConsensus {
    /// Voters [default: the three most expensive catalog models].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<ModelRef>>,
}

impl RawConsensus {
    /// The voters.
    pub(super) fn validate(&self, c: &Checker, names: &Names, models: &[Model]) -> Result<Vec<ModelId>> {
        Ok(c.model_refs(names, &self.models, "consensus.models")?
            .unwrap_or_else(|| by_cost(models).into_iter().rev().take(3).collect()))
    }
}
