//! Feedback: recording it against the decision log (shared by `feedback add`/`import` and the
//! gateway's `POST /v1/feedback`), statistics per model / rule / method / arm, the article's
//! `optimize_rules` as reviewable suggestions.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::router::adaptive::success;
use crate::state::{DecisionRecord, FeedbackRecord, Store};

/// Records feedback for a logged decision, as `feedback add` does (the gateway's
/// `POST /v1/feedback`). Returns the model the feedback is for.
pub fn record(
    config: &Config,
    store: &mut Store,
    request_id: &str,
    rating: Option<f64>,
    success: Option<bool>,
    latency_ms: Option<f64>,
) -> Result<String> {
    let clock = crate::clock::Clock::new(config.timezone.clone())?;
    let now = clock.now().timestamp().as_second();
    // A store failure is the store's error (a 500 from the gateway, which never shows its path).
    let logged = store.find_decision(request_id)?;
    let rec = build(config, logged, request_id, rating, success, latency_ms, None, None, now).map_err(Error::Usage)?;
    store.upsert_feedback(std::slice::from_ref(&rec))?;
    Ok(rec.model)
}

/// Validates one feedback entry and joins it to the decision log (`feedback add`, `feedback
/// import` and the gateway's `POST /v1/feedback`).
#[allow(clippy::too_many_arguments)]
pub fn build(
    config: &Config,
    logged: Option<DecisionRecord>,
    request_id: &str,
    rating: Option<f64>,
    success: Option<bool>,
    latency_ms: Option<f64>,
    model: Option<&str>,
    rule: Option<&str>,
    ts: i64,
) -> std::result::Result<FeedbackRecord, String> {
    if request_id.trim().is_empty() {
        return Err("the request id is empty".to_string());
    }
    if let Some(r) = rating
        && !(1.0..=5.0).contains(&r)
    {
        return Err(format!("rating {r} is outside 1-5"));
    }
    if rating.is_none() && success.is_none() && latency_ms.is_none() {
        return Err("nothing to record: give a rating, success or latency".to_string());
    }
    if let Some(l) = latency_ms
        && !(l.is_finite() && (0.0..=crate::config::MAX_LATENCY_MS).contains(&l))
    {
        return Err(format!(
            "latency {} is outside 0-{} milliseconds",
            crate::error::num(l),
            crate::error::num(crate::config::MAX_LATENCY_MS)
        ));
    }
    let known = |m: &str| -> std::result::Result<String, String> {
        config.require_model(m).map(|id| config.models[id].name.clone()).map_err(|e| e.to_string())
    };
    match (logged, model) {
        (Some(d), m) => {
            if let Some(m) = m
                && m != d.model
            {
                return Err(format!("request `{request_id}` was routed to `{}`, not `{m}`", d.model));
            }
            Ok(FeedbackRecord {
                request_id: request_id.to_string(),
                ts,
                model: d.model,
                rule: d.rule,
                method: Some(d.method),
                tier: d.tier,
                arm: Some(d.arm),
                rating,
                success,
                latency_ms,
                cost: Some(d.estimated_cost),
            })
        }
        (None, Some(m)) => Ok(FeedbackRecord {
            request_id: request_id.to_string(),
            ts,
            model: known(m)?,
            rule: rule.map(str::to_string),
            method: rule.map(|_| "rule".to_string()),
            tier: None,
            arm: None,
            rating,
            success,
            latency_ms,
            cost: None,
        }),
        (None, None) => Err(format!(
            "unknown request id `{request_id}`: no logged decision has it; pass --model (and --rule) to record feedback for a request llmroute did not route"
        )),
    }
}

/// Mean and a 95 % normal interval.
pub fn mean_ci(v: &[f64]) -> (Option<f64>, Option<(f64, f64)>) {
    if v.is_empty() {
        return (None, None);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (Some(mean), None);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let half = 1.96 * (var / n).sqrt();
    (Some(mean), Some((mean - half, mean + half)))
}

/// Wilson 95 % interval of a proportion.
pub fn wilson(successes: usize, n: usize) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (z, nf) = (1.96f64, n as f64);
    let p = successes as f64 / nf;
    let denom = 1.0 + z * z / nf;
    let centre = (p + z * z / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z * z / (4.0 * nf * nf)).sqrt() / denom;
    Some((centre - half, centre + half))
}

fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Model,
    Rule,
    Method,
    Arm,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupStats {
    pub key: String,
    pub n: usize,
    pub avg_rating: Option<f64>,
    pub rating_ci: Option<(f64, f64)>,
    pub success_rate: Option<f64>,
    pub success_ci: Option<(f64, f64)>,
    pub p50_latency_ms: Option<f64>,
    pub p95_latency_ms: Option<f64>,
    pub avg_cost: Option<f64>,
}

pub fn stats(records: &[FeedbackRecord], by: By, success_rating: f64) -> Vec<GroupStats> {
    let mut groups: BTreeMap<String, Vec<&FeedbackRecord>> = BTreeMap::new();
    for r in records {
        let key = match by {
            By::Model => Some(r.model.clone()),
            By::Rule => r.rule.clone(),
            By::Method => r.method.clone(),
            By::Arm => r.arm.clone(),
        }
        .unwrap_or_else(|| "-".to_string());
        groups.entry(key).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|(key, rs)| {
            let ratings: Vec<f64> = rs.iter().filter_map(|r| r.rating).collect();
            let (avg_rating, rating_ci) = mean_ci(&ratings);
            let succ: Vec<bool> = rs.iter().filter_map(|r| success(r, success_rating)).collect();
            let ok = succ.iter().filter(|&&s| s).count();
            let mut lat: Vec<f64> = rs.iter().filter_map(|r| r.latency_ms).collect();
            lat.sort_by(f64::total_cmp);
            let costs: Vec<f64> = rs.iter().filter_map(|r| r.cost).collect();
            GroupStats {
                key,
                n: rs.len(),
                avg_rating,
                rating_ci,
                success_rate: (!succ.is_empty()).then(|| ok as f64 / succ.len() as f64),
                success_ci: wilson(ok, succ.len()),
                p50_latency_ms: percentile(&lat, 0.5),
                p95_latency_ms: percentile(&lat, 0.95),
                avg_cost: mean_ci(&costs).0,
            }
        })
        .collect()
}

/// Evidence for one model under one rule.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub model: String,
    pub n: usize,
    pub mean: f64,
    pub ci: Option<(f64, f64)>,
    pub cost_per_request: f64,
}

/// One recommended rule change.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub rule: String,
    pub rule_index: usize,
    pub current_model: String,
    pub suggested_model: String,
    /// Feedback records for the rule.
    pub n: usize,
    pub current_mean: f64,
    pub suggested_mean: f64,
    /// Suggested minus current cost per request (USD).
    pub cost_change_per_request: f64,
    pub evidence: Vec<Evidence>,
}

/// The article's `optimize_rules`: for each rule with at least `min_samples` rated records whose
/// current model averages below `below`, the model with the best mean rating among those seen
/// for the rule. Costs per request come from the logged estimates, else from the catalog prices
/// for a 500-token prompt.
pub fn suggest(config: &Config, records: &[FeedbackRecord], min_samples: usize, below: f64) -> Vec<Suggestion> {
    let mut out = Vec::new();
    for (i, rule) in config.rules.iter().enumerate() {
        let rs: Vec<&FeedbackRecord> =
            records.iter().filter(|r| r.rule.as_deref() == Some(rule.name.as_str()) && r.rating.is_some()).collect();
        if rs.len() < min_samples {
            continue;
        }
        let mut by_model: BTreeMap<&str, Vec<&FeedbackRecord>> = BTreeMap::new();
        for r in &rs {
            by_model.entry(r.model.as_str()).or_default().push(r);
        }
        let evidence: Vec<Evidence> = by_model
            .iter()
            .map(|(m, v)| {
                let ratings: Vec<f64> = v.iter().filter_map(|r| r.rating).collect();
                let (mean, ci) = mean_ci(&ratings);
                let logged: Vec<f64> = v.iter().filter_map(|r| r.cost).collect();
                let cost = mean_ci(&logged).0.unwrap_or_else(|| {
                    config.model_id(m).map_or(0.0, |id| {
                        let cm = &config.models[id];
                        cm.cost(500, u64::from(cm.expected_output_tokens))
                    })
                });
                Evidence { model: m.to_string(), n: v.len(), mean: mean.unwrap_or(0.0), ci, cost_per_request: cost }
            })
            .collect();
        let current_name = &config.models[rule.model].name;
        let current = evidence.iter().find(|e| e.model == *current_name);
        // As the article: a model without ratings for the rule scores 0.
        let current_mean = current.map_or(0.0, |e| e.mean);
        let current_cost = current.map_or_else(
            || {
                let cm = &config.models[rule.model];
                cm.cost(500, u64::from(cm.expected_output_tokens))
            },
            |e| e.cost_per_request,
        );
        if current_mean >= below {
            continue;
        }
        // Best mean; ties: the cheaper model, then the name.
        let Some(best) = evidence.iter().max_by(|a, b| {
            a.mean
                .total_cmp(&b.mean)
                .then(b.cost_per_request.total_cmp(&a.cost_per_request))
                .then(b.model.cmp(&a.model))
        }) else {
            continue;
        };
        if best.model == *current_name || config.model_id(&best.model).is_none() {
            continue;
        }
        out.push(Suggestion {
            rule: rule.name.clone(),
            rule_index: i,
            current_model: current_name.clone(),
            suggested_model: best.model.clone(),
            n: rs.len(),
            current_mean,
            suggested_mean: best.mean,
            cost_change_per_request: best.cost_per_request - current_cost,
            evidence,
        });
    }
    out
}

/// The configuration text with each suggested rule's `model` replaced, comments and layout kept.
pub fn apply(text: &str, config: &Config, suggestions: &[Suggestion]) -> Result<String> {
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for s in suggestions {
        let rule = config
            .rules
            .get(s.rule_index)
            .ok_or_else(|| Error::usage(format!("rule `{}` is not in the configuration", s.rule)))?;
        let span = rule.model_span.clone();
        let original = text.get(span.clone()).unwrap_or("");
        let quote = if original.starts_with('\'') { '\'' } else { '"' };
        edits.push((span, format!("{quote}{}{quote}", s.suggested_model)));
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0.start));
    let mut out = text.to_string();
    for (span, new) in edits {
        if span.end > out.len() {
            return Err(Error::usage("the configuration changed while reading it; run again"));
        }
        out.replace_range(span, &new);
    }
    Ok(out)
}

/// A line diff of two texts in unified style (only the changed lines, with their numbers).
pub fn diff(old: &str, new: &str, name: &str) -> String {
    let mut s = format!("--- {name}\n+++ {name} (suggested)\n");
    for (i, (a, b)) in old.lines().zip(new.lines()).enumerate() {
        if a != b {
            s.push_str(&format!("@@ -{0},1 +{0},1 @@\n-{a}\n+{b}\n", i + 1));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval_brackets_the_rate() {
        let (lo, hi) = wilson(8, 10).unwrap();
        assert!(lo < 0.8 && hi > 0.8 && lo > 0.4 && hi < 1.0);
        assert!(wilson(0, 0).is_none());
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), Some(50.0));
        assert_eq!(percentile(&v, 0.95), Some(95.0));
    }
}
