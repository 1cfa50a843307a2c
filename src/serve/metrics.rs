//! The gateway's counters, rendered in Prometheus' text format at `GET /metrics`.
//!
//! Refusals are counted by a middleware layer ([`count_refusals`]) around the chat endpoint,
//! from the responses themselves, so no handler counts its own errors.
//!
//! Counters live behind one mutex (a request touches it once or twice); quota figures are read
//! from the state store at scrape time, so every instance sharing a store reports the same.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::app::App;
use super::decide::Decided;
use super::error::Refused;
use crate::config::{Config, ModelId};
use crate::provider::Attempt;

/// Counts a chat request the gateway refused before any upstream call, by its status (a
/// response an [`super::error::ApiError`] marked [`Refused`]).
pub(super) async fn count_refusals(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let r = next.run(req).await;
    if r.extensions().get::<Refused>().is_some() {
        app.metrics.status(r.status().as_u16());
    }
    r
}

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// (model, method) → requests answered, input tokens, output tokens, spend in USD.
    answered: BTreeMap<(String, String), (u64, u64, u64, f64)>,
    /// Requests no candidate answered, by decided model.
    failed: BTreeMap<String, u64>,
    /// Requests answered by another model than the decided one.
    fallbacks: u64,
    /// Upstream tries beyond the first, by model.
    retries: BTreeMap<String, u64>,
    /// Answers whose reported usage was implausible (counted locally instead).
    implausible: u64,
    /// Responses refused before any call, by HTTP status.
    refused: BTreeMap<u16, u64>,
    /// Latency histogram: counts per bucket (cumulative at render), sum, count.
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Inner {
    fn observe(&mut self, latency: Duration, attempts: &[Attempt]) {
        let s = latency.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|&b| s <= b) {
            self.buckets[i] += 1;
        }
        self.sum += s;
        self.count += 1;
        for a in attempts {
            if a.tries > 1 {
                *self.retries.entry(a.model.clone()).or_default() += u64::from(a.tries - 1);
            }
        }
    }
}

impl Metrics {
    fn with(&self, f: impl FnOnce(&mut Inner)) {
        if let Ok(mut g) = self.inner.lock() {
            f(&mut g);
        }
    }

    /// An answer whose provider reported an implausible usage.
    pub fn implausible(&self) {
        self.with(|m| m.implausible = m.implausible.saturating_add(1));
    }

    /// A request refused with `status` before any upstream call.
    pub fn status(&self, status: u16) {
        self.with(|m| *m.refused.entry(status).or_default() += 1);
    }

    #[allow(clippy::too_many_arguments)]
    pub fn answered(
        &self,
        config: &Config,
        d: &Decided,
        answered: ModelId,
        input: u64,
        output: u64,
        cost: f64,
        latency: Duration,
        attempts: &[Attempt],
    ) {
        self.with(|m| {
            let key = (config.models[answered].name.clone(), d.method.to_string());
            let e = m.answered.entry(key).or_default();
            e.0 = e.0.saturating_add(1);
            e.1 = e.1.saturating_add(input);
            e.2 = e.2.saturating_add(output);
            e.3 += cost;
            m.fallbacks = m.fallbacks.saturating_add(u64::from(answered != d.model));
            m.observe(latency, attempts);
        });
    }

    pub fn failed(&self, d: &Decided, latency: Duration, attempts: &[Attempt]) {
        self.with(|m| {
            let model = attempts.first().map_or_else(|| d.method.to_string(), |a| a.model.clone());
            *m.failed.entry(model).or_default() += 1;
            m.observe(latency, attempts);
        });
    }

    /// The text exposition; `usage` is today's quota usage per model.
    pub fn render(&self, config: &Config, usage: &BTreeMap<String, u64>) -> String {
        let Ok(m) = self.inner.lock() else { return String::new() };
        let mut s = String::new();
        m.render_answers(&mut s);
        m.render_totals(&mut s);
        render_quota(&mut s, config, usage);
        s
    }
}

/// A label value escaped for the text format.
fn esc(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

impl Inner {
    /// Requests, tokens and spend by model, failed and refused requests.
    fn render_answers(&self, s: &mut String) {
        let m = self;
        let _ = writeln!(s, "# HELP llmroute_requests_total Requests answered, by answering model and routing method.");
        let _ = writeln!(s, "# TYPE llmroute_requests_total counter");
        for ((model, method), (n, ..)) in &m.answered {
            let _ = writeln!(s, "llmroute_requests_total{{model=\"{}\",method=\"{}\"}} {n}", esc(model), esc(method));
        }
        let _ = writeln!(s, "# HELP llmroute_tokens_total Tokens, by answering model and direction.");
        let _ = writeln!(s, "# TYPE llmroute_tokens_total counter");
        for ((model, method), (_, i, o, _)) in &m.answered {
            let (model, method) = (esc(model), esc(method));
            let _ =
                writeln!(s, "llmroute_tokens_total{{model=\"{model}\",method=\"{method}\",direction=\"input\"}} {i}");
            let _ =
                writeln!(s, "llmroute_tokens_total{{model=\"{model}\",method=\"{method}\",direction=\"output\"}} {o}");
        }
        let _ = writeln!(s, "# HELP llmroute_spend_usd_total Spend in USD at catalog prices, by answering model.");
        let _ = writeln!(s, "# TYPE llmroute_spend_usd_total counter");
        let mut spend: BTreeMap<&str, f64> = BTreeMap::new();
        for ((model, _), (.., c)) in &m.answered {
            *spend.entry(model).or_default() += c;
        }
        for (model, c) in spend {
            let _ = writeln!(s, "llmroute_spend_usd_total{{model=\"{}\"}} {c:.8}", esc(model));
        }
        let _ = writeln!(s, "# HELP llmroute_failed_requests_total Requests no candidate answered (HTTP 502).");
        let _ = writeln!(s, "# TYPE llmroute_failed_requests_total counter");
        for (model, n) in &m.failed {
            let _ = writeln!(s, "llmroute_failed_requests_total{{model=\"{}\"}} {n}", esc(model));
        }
        let _ =
            writeln!(s, "# HELP llmroute_refused_requests_total Requests refused before any upstream call, by status.");
        let _ = writeln!(s, "# TYPE llmroute_refused_requests_total counter");
        for (status, n) in &m.refused {
            let _ = writeln!(s, "llmroute_refused_requests_total{{status=\"{status}\"}} {n}");
        }
    }

    /// Fallbacks, implausible usage, local state fallbacks, retries and the latency histogram.
    fn render_totals(&self, s: &mut String) {
        let m = self;
        let _ = writeln!(s, "# HELP llmroute_fallbacks_total Requests answered by another model than the routed one.");
        let _ = writeln!(s, "# TYPE llmroute_fallbacks_total counter");
        let _ = writeln!(s, "llmroute_fallbacks_total {}", m.fallbacks);
        let _ = writeln!(
            s,
            "# HELP llmroute_implausible_usage_total Answers whose reported token usage was implausible and was counted locally."
        );
        let _ = writeln!(s, "# TYPE llmroute_implausible_usage_total counter");
        let _ = writeln!(s, "llmroute_implausible_usage_total {}", m.implausible);
        let _ = writeln!(
            s,
            "# HELP llmroute_state_local_fallbacks_total State operations done in the local file while Redis was unavailable."
        );
        let _ = writeln!(s, "# TYPE llmroute_state_local_fallbacks_total counter");
        let _ = writeln!(
            s,
            "llmroute_state_local_fallbacks_total {}",
            crate::state::LOCAL_FALLBACKS.load(std::sync::atomic::Ordering::Relaxed)
        );
        let _ = writeln!(s, "# HELP llmroute_retries_total Upstream tries beyond the first, by model.");
        let _ = writeln!(s, "# TYPE llmroute_retries_total counter");
        for (model, n) in &m.retries {
            let _ = writeln!(s, "llmroute_retries_total{{model=\"{}\"}} {n}", esc(model));
        }
        let _ = writeln!(s, "# HELP llmroute_request_seconds Time from request to the last byte of the answer.");
        let _ = writeln!(s, "# TYPE llmroute_request_seconds histogram");
        let mut cumulative = 0;
        for (b, n) in BUCKETS.iter().zip(m.buckets) {
            cumulative += n;
            let _ = writeln!(s, "llmroute_request_seconds_bucket{{le=\"{b}\"}} {cumulative}");
        }
        let _ = writeln!(s, "llmroute_request_seconds_bucket{{le=\"+Inf\"}} {}", m.count);
        let _ = writeln!(s, "llmroute_request_seconds_sum {:.6}", m.sum);
        let _ = writeln!(s, "llmroute_request_seconds_count {}", m.count);
    }
}

/// Today's quota use and what is left, by model.
fn render_quota(s: &mut String, config: &Config, usage: &BTreeMap<String, u64>) {
    let _ = writeln!(s, "# HELP llmroute_quota_used Requests counted against today's quota, by model.");
    let _ = writeln!(s, "# TYPE llmroute_quota_used gauge");
    for model in &config.models {
        let used = usage.get(&model.name).copied().unwrap_or(0);
        let _ = writeln!(s, "llmroute_quota_used{{model=\"{}\"}} {used}", esc(&model.name));
    }
    let _ =
        writeln!(s, "# HELP llmroute_quota_remaining Requests left in today's quota, by model (models with a quota).");
    let _ = writeln!(s, "# TYPE llmroute_quota_remaining gauge");
    for model in &config.models {
        if let Some(q) = model.daily_quota {
            let used = usage.get(&model.name).copied().unwrap_or(0);
            let _ =
                writeln!(s, "llmroute_quota_remaining{{model=\"{}\"}} {}", esc(&model.name), q.saturating_sub(used));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Source;

    #[test]
    fn refusals_and_quotas_render_by_label() {
        let c = Config::from_str(crate::config::EMBEDDED_DEFAULT, Source::Embedded).expect("the default");
        let m = Metrics::default();
        m.status(401);
        m.status(401);
        m.status(429);
        m.implausible();
        let usage = BTreeMap::from([("gpt-4o-mini".to_string(), 3)]);
        let text = m.render(&c, &usage);
        let lines: Vec<&str> = text.lines().collect();
        for want in [
            "llmroute_refused_requests_total{status=\"401\"} 2",
            "llmroute_refused_requests_total{status=\"429\"} 1",
            "llmroute_implausible_usage_total 1",
            "llmroute_fallbacks_total 0",
            "llmroute_request_seconds_bucket{le=\"+Inf\"} 0",
            "llmroute_quota_used{model=\"gpt-4o-mini\"} 3",
            "llmroute_quota_used{model=\"gpt-4o\"} 0",
        ] {
            assert!(lines.contains(&want), "{want} not in\n{text}");
        }
        assert!(!text.contains("llmroute_requests_total{"), "{text}");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(esc("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
