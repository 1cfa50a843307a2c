//! Daily quotas: today's remaining requests per model, read from the state store.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::clock::{Clock, rfc3339};
use crate::config::{Config, ModelId};
use crate::router::QuotaView;

/// Remaining requests per model for one day.
pub struct QuotaSnapshot {
    remaining: Vec<Option<u64>>,
}

impl QuotaSnapshot {
    pub fn new(config: &Config, usage: &BTreeMap<String, u64>) -> QuotaSnapshot {
        let remaining = config
            .models
            .iter()
            .map(|m| m.daily_quota.map(|q| q.saturating_sub(usage.get(&m.name).copied().unwrap_or(0))))
            .collect();
        QuotaSnapshot { remaining }
    }
}

impl QuotaView for QuotaSnapshot {
    fn available(&self, model: ModelId) -> bool {
        self.remaining.get(model).copied().flatten().is_none_or(|r| r > 0)
    }
}

/// One row of `llmroute quota`.
#[derive(Debug, Clone, Serialize)]
pub struct QuotaRow {
    pub model: String,
    pub used: u64,
    /// `null` when the model has no daily quota.
    pub quota: Option<u64>,
    pub remaining: Option<u64>,
    pub resets_at: String,
}

pub fn rows(config: &Config, usage: &BTreeMap<String, u64>, clock: &Clock) -> Vec<QuotaRow> {
    let resets_at = rfc3339(&clock.next_reset());
    let mut rows: Vec<QuotaRow> = config
        .models
        .iter()
        .map(|m| {
            let used = usage.get(&m.name).copied().unwrap_or(0);
            QuotaRow {
                model: m.name.clone(),
                used,
                quota: m.daily_quota,
                remaining: m.daily_quota.map(|q| q.saturating_sub(used)),
                resets_at: resets_at.clone(),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.model.cmp(&b.model));
    rows
}
