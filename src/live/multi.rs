//! Answers from several models: the cascade (cheapest first, stop at the first answer whose score
//! reaches `[cascade] accept`) and the consensus (the consensus models asked at once, the majority
//! answer returned, else the most expensive model's). Each upstream call — a cascade step, a
//! judge's grading, a consensus member — takes one of its model's daily quota first ([`CallQuota`]):
//! a model over its quota is skipped (cascade, judge) or left out (consensus), and the result says
//! so; a call that returned no answer gives its count back.
//!
//! Heuristic score (no judge): 0 for an empty answer; 0.3 for a refusal or "I don't know"; 0.5 for
//! an answer cut off by the token limit; 1 otherwise.

use serde::Serialize;

use super::CallQuota;
use crate::config::{Config, ModelId, Params};
use crate::provider::{Answer, Attempt, CallError, Client, Message};

/// Which of the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Cascade,
    Consensus,
}

impl Kind {
    /// The models asked, in order: the cascade's first `max_attempts`, or the consensus models.
    pub fn planned(self, config: &Config) -> Vec<ModelId> {
        match self {
            Kind::Cascade => config.cascade.models.iter().take(config.cascade.max_attempts).copied().collect(),
            Kind::Consensus => config.consensus.clone(),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Cascade => "cascade",
            Kind::Consensus => "consensus",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CascadeStep {
    pub model: String,
    pub score: Option<f64>,
    pub scored_by: String,
    pub accepted: bool,
    #[serde(serialize_with = "crate::units::json_usd")]
    pub cost_usd: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Vote {
    pub model: String,
    pub answer: Option<String>,
    pub normalized: Option<String>,
    #[serde(serialize_with = "crate::units::json_usd")]
    pub cost_usd: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Consensus {
    pub agreement: String,
    pub majority: bool,
    pub votes: Vec<Vote>,
}

/// What a cascade or consensus came to.
#[derive(Default)]
pub struct Outcome {
    /// The model whose answer is returned, and the answer.
    pub answered: Option<(ModelId, Answer)>,
    /// Every call (cascade steps, judge calls, voters; models over quota as skipped).
    pub attempts: Vec<Attempt>,
    pub cascade: Vec<CascadeStep>,
    pub consensus: Option<Consensus>,
    /// What every call cost (cascade steps, voters, judge calls).
    pub total_cost_usd: f64,
    pub note: Option<String>,
}

/// Runs the cascade or the consensus of the configuration.
pub async fn run(
    client: &Client<'_>,
    config: &Config,
    kind: Kind,
    quota: &dyn CallQuota,
    messages: &[Message],
    params: &Params,
) -> Outcome {
    let planned = kind.planned(config);
    let mut out = Outcome::default();
    match kind {
        Kind::Cascade => cascade(client, config, quota, &planned, messages, params, &mut out).await,
        Kind::Consensus => consensus(client, config, quota, &planned, messages, params, &mut out).await,
    }
    out
}

/// Takes one of `m`'s calls; `Err` (the reason it may not be called) when over quota or the
/// state store failed.
fn take(quota: &dyn CallQuota, m: ModelId) -> Result<(), CallError> {
    match quota.take(m) {
        Ok(true) => Ok(()),
        Ok(false) => Err(CallError::OverQuota),
        Err(e) => Err(CallError::State(e.to_string())),
    }
}

fn cost_of(config: &Config, m: ModelId, messages: &[Message], a: &Answer) -> f64 {
    crate::provider::billed(config, m, messages, a).usd
}

/// One counted call: the quota taken, the call made, the count given back when it failed.
async fn counted_call(
    client: &Client<'_>,
    config: &Config,
    quota: &dyn CallQuota,
    m: ModelId,
    messages: &[Message],
    params: &Params,
) -> (Result<Answer, CallError>, Attempt) {
    if let Err(e) = take(quota, m) {
        return (Err(e.clone()), Attempt::skipped(config, m, &e));
    }
    let (res, attempt) = client.with_retries(m, messages, params, None).await;
    if res.is_err() {
        quota.give_back(m);
    }
    (res, attempt)
}

/// The heuristic score (see the module documentation).
pub fn heuristic_score(a: &Answer) -> f64 {
    let t = a.text.trim();
    if t.is_empty() {
        return 0.0;
    }
    if matches!(a.finish_reason.as_deref(), Some("length" | "max_tokens")) {
        return 0.5;
    }
    let lower = t.to_lowercase();
    const REFUSALS: [&str; 10] = [
        "i'm sorry",
        "i am sorry",
        "i cannot",
        "i can't",
        "i am unable",
        "i'm unable",
        "i don't know",
        "as an ai",
        "抱歉",
        "我无法",
    ];
    if REFUSALS.iter().any(|r| lower.starts_with(r) || lower.contains(&format!(" {r}"))) || lower.contains("我不知道")
    {
        return 0.3;
    }
    1.0
}

/// The first number in `reply`, clamped to [0, 1].
fn parse_score(reply: &str) -> Option<f64> {
    let mut num = String::new();
    for c in reply.chars() {
        if c.is_ascii_digit() || (c == '.' && !num.is_empty() && !num.contains('.')) {
            num.push(c);
        } else if !num.is_empty() {
            break;
        }
    }
    num.parse::<f64>().ok().filter(|v| v.is_finite()).map(|v| v.clamp(0.0, 1.0))
}

/// An answer's score: the judge's (a counted call), else the heuristic; and who scored it.
async fn score(
    client: &Client<'_>,
    config: &Config,
    quota: &dyn CallQuota,
    messages: &[Message],
    ans: &Answer,
    out: &mut Outcome,
) -> (Option<f64>, String) {
    let Some(judge) = config.cascade.judge else { return (Some(heuristic_score(ans)), "heuristic".to_string()) };
    let question = messages.iter().rev().find(|m| m.role == "user").map_or("", |m| m.content.as_str());
    let ask = vec![
        Message {
            role: "system".to_string(),
            content:
                "You grade answers. Reply with one number between 0 and 1: how completely and correctly the answer \
                      addresses the request. Reply with the number only."
                    .to_string(),
        },
        Message { role: "user".to_string(), content: format!("Request:\n{question}\n\nAnswer:\n{}", ans.text) },
    ];
    let params = Params { temperature: Some(0.0), max_tokens: Some(8), top_p: None };
    let (res, attempt) = counted_call(client, config, quota, judge, &ask, &params).await;
    let name = config.models[judge].name.clone();
    out.attempts.push(attempt);
    match res {
        Ok(r) => {
            out.total_cost_usd += cost_of(config, judge, &ask, &r);
            match parse_score(&r.text) {
                Some(s) => (Some(s), format!("judge {name}")),
                None => (Some(heuristic_score(ans)), format!("heuristic (judge {name} gave no number)")),
            }
        }
        Err(e) => (Some(heuristic_score(ans)), format!("heuristic (judge {name}: {e})")),
    }
}

async fn cascade(
    client: &Client<'_>,
    config: &Config,
    quota: &dyn CallQuota,
    models: &[ModelId],
    messages: &[Message],
    params: &Params,
    out: &mut Outcome,
) {
    let mut last_ok: Option<(ModelId, Answer)> = None;
    let mut why_not: Vec<String> = Vec::new();
    for (i, &m) in models.iter().enumerate() {
        let name = config.models[m].name.clone();
        let (res, attempt) = counted_call(client, config, quota, m, messages, params).await;
        out.attempts.push(attempt);
        match res {
            Ok(ans) => {
                let cost = cost_of(config, m, messages, &ans);
                out.total_cost_usd += cost;
                let (s, by) = score(client, config, quota, messages, &ans, out).await;
                let last = i + 1 == models.len();
                let accepted = s.unwrap_or(0.0) >= config.cascade.accept || last;
                out.cascade.push(CascadeStep {
                    model: name,
                    score: s,
                    scored_by: by,
                    accepted,
                    cost_usd: cost,
                    error: None,
                });
                if accepted {
                    out.answered = Some((m, ans));
                    return;
                }
                last_ok = Some((m, ans));
                why_not.clear();
            }
            Err(e) => {
                why_not.push(format!(
                    "`{name}` {}",
                    if matches!(e, CallError::OverQuota) { "is over its daily quota" } else { "failed" }
                ));
                out.cascade.push(CascadeStep {
                    model: name,
                    score: None,
                    scored_by: String::new(),
                    accepted: false,
                    cost_usd: 0.0,
                    error: Some(e.to_string()),
                });
                if matches!(e, CallError::Deadline) {
                    break;
                }
            }
        }
    }
    // The later models failed or were over quota: the best earlier answer rather than nothing.
    if let Some((m, ans)) = last_ok {
        out.note = Some(format!("{}; returning the previous answer", why_not.join(", ")));
        out.answered = Some((m, ans));
    }
}

async fn consensus(
    client: &Client<'_>,
    config: &Config,
    quota: &dyn CallQuota,
    models: &[ModelId],
    messages: &[Message],
    params: &Params,
    out: &mut Outcome,
) {
    // Each member's call is counted before any is sent; members over quota are left out.
    let mut members = Vec::new();
    let mut left_out = Vec::new();
    let mut votes = Vec::new();
    for &m in models {
        match take(quota, m) {
            Ok(()) => members.push(m),
            Err(e) => {
                left_out.push(format!("`{}` ({e})", config.models[m].name));
                out.attempts.push(Attempt::skipped(config, m, &e));
                votes.push(Vote {
                    model: config.models[m].name.clone(),
                    answer: None,
                    normalized: None,
                    cost_usd: 0.0,
                    error: Some(e.to_string()),
                });
            }
        }
    }
    let calls = members.iter().map(|&m| async move { (m, client.with_retries(m, messages, params, None).await) });
    let results = futures_util::future::join_all(calls).await;
    let mut answers: Vec<(ModelId, Answer, String)> = Vec::new();
    for (m, (res, attempt)) in results {
        out.attempts.push(attempt);
        let name = config.models[m].name.clone();
        match res {
            Ok(ans) => {
                let cost = cost_of(config, m, messages, &ans);
                out.total_cost_usd += cost;
                let norm = crate::data::normalize_answer(&ans.text);
                votes.push(Vote {
                    model: name,
                    answer: Some(ans.text.clone()),
                    normalized: Some(norm.clone()),
                    cost_usd: cost,
                    error: None,
                });
                answers.push((m, ans, norm));
            }
            Err(e) => {
                quota.give_back(m);
                votes.push(Vote {
                    model: name,
                    answer: None,
                    normalized: None,
                    cost_usd: 0.0,
                    error: Some(e.to_string()),
                });
            }
        }
    }
    // The most common normalised answer; a majority needs more than half of the members asked.
    let mut best: Option<(&str, usize)> = None;
    for (_, _, n) in &answers {
        let c = answers.iter().filter(|(_, _, x)| x == n).count();
        if best.is_none_or(|(_, bc)| c > bc) {
            best = Some((n.as_str(), c));
        }
    }
    let n_voters = members.len();
    let (winner, majority) = match best {
        Some((n, c)) if c * 2 > n_voters => (answers.iter().find(|(_, _, x)| x == n).map(|(m, _, _)| *m), true),
        _ => {
            // No majority: the most expensive model that answered.
            let by_cost = config.models_by_cost();
            (answers.iter().map(|(m, _, _)| *m).max_by_key(|m| by_cost.iter().position(|x| x == m)), false)
        }
    };
    let agreeing = best.map_or(0, |(_, c)| c);
    out.consensus = Some(Consensus { agreement: format!("{agreeing}/{n_voters}"), majority, votes });
    let mut notes = Vec::new();
    if !left_out.is_empty() {
        notes.push(format!("left out of the consensus: {}", left_out.join(", ")));
    }
    let Some(winner) = winner else {
        out.note = (!notes.is_empty()).then(|| notes.join("; "));
        return;
    };
    if !majority {
        notes.push(format!(
            "no majority ({agreeing}/{n_voters} agree); returning the answer of the most expensive model, `{}`",
            config.models[winner].name
        ));
    }
    out.note = (!notes.is_empty()).then(|| notes.join("; "));
    if let Some(idx) = answers.iter().position(|(m, _, _)| *m == winner) {
        let (m, ans, _) = answers.swap_remove(idx);
        out.answered = Some((m, ans));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heuristic_scores_refusals_truncation_and_empty_answers() {
        let a = |t: &str, f: Option<&str>| Answer {
            text: t.into(),
            finish_reason: f.map(String::from),
            ..Default::default()
        };
        assert_eq!(heuristic_score(&a("Paris.", Some("stop"))), 1.0);
        assert_eq!(heuristic_score(&a("  ", None)), 0.0);
        assert_eq!(heuristic_score(&a("I'm sorry, I can't help with that.", None)), 0.3);
        assert_eq!(heuristic_score(&a("抱歉，我无法回答。", None)), 0.3);
        assert_eq!(heuristic_score(&a("The proof goes as", Some("length"))), 0.5);
    }

    #[test]
    fn judge_replies_are_parsed_to_a_score() {
        assert_eq!(parse_score("0.85"), Some(0.85));
        assert_eq!(parse_score("Score: 0.3\\n"), Some(0.3));
        assert_eq!(parse_score("7"), Some(1.0));
        assert_eq!(parse_score("great"), None);
    }
}
