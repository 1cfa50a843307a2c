//! Daily quotas: today's remaining requests per model, read from the state store.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::clock::{Clock, rfc3339};
use crate::config::{Config, ModelId};

/// Read access to today's quota state.
pub trait QuotaView {
    /// Whether `model` may take one more request today.
    fn available(&self, model: ModelId) -> bool;
}

/// No quotas at all (every model available).
pub struct Unlimited;

impl QuotaView for Unlimited {
    fn available(&self, _: ModelId) -> bool {
        true
    }
}

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

/// Daily quotas counted in memory over a log's days (replay and `batch --quotas`); the state
/// store is not touched.
pub struct DayQuota<'a> {
    config: &'a Config,
    day: i64,
    /// Requests per model on `day`.
    today: Vec<u64>,
    /// Other days' counts (logs are mostly in time order, so this is rarely read).
    others: rustc_hash::FxHashMap<i64, Vec<u64>>,
}

impl<'a> DayQuota<'a> {
    pub fn new(config: &'a Config) -> DayQuota<'a> {
        DayQuota { config, day: 0, today: vec![0; config.models.len()], others: Default::default() }
    }

    pub fn set_day(&mut self, day: i64) {
        if day != self.day {
            let fresh = self.others.remove(&day).unwrap_or_else(|| vec![0; self.config.models.len()]);
            let old = std::mem::replace(&mut self.today, fresh);
            self.others.insert(self.day, old);
            self.day = day;
        }
    }

    /// Counts one request for `model` on the current day.
    pub fn count(&mut self, model: ModelId) {
        self.today[model] += 1;
    }
}

impl QuotaView for DayQuota<'_> {
    fn available(&self, m: ModelId) -> bool {
        self.config.models[m].daily_quota.is_none_or(|q| self.today[m] < q)
    }
}

/// A number identifying the calendar day of Unix time `secs` in `tz` (distinct days, distinct
/// numbers).
pub fn day_index(secs: i64, tz: &jiff::tz::TimeZone) -> i64 {
    let z = jiff::Timestamp::from_second(secs).unwrap_or(jiff::Timestamp::UNIX_EPOCH).to_zoned_datetime(tz.clone());
    i64::from(z.date().year()) * 400 + i64::from(z.date().day_of_year())
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
