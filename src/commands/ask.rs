//! `llmroute ask`: route, call the model, print the answer.
//!
//! Single mode calls the routed model; on failure (after its retries) the next models of the
//! fallback order are tried, and the record says so. `--cascade` tries the cascade models cheapest
//! first and stops at the first answer whose score reaches `[cascade] accept` (a judge model's
//! score, or the heuristic below). `--consensus` asks the consensus models concurrently and returns
//! the majority answer, or the most expensive model's answer when there is no majority.
//!
//! Heuristic score (no judge): 0 for an empty answer; 0.3 for a refusal or "I don't know"; 0.5 for
//! an answer cut off by the token limit; 1 otherwise.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::cli::AskArgs;
use crate::commands::Context;
use crate::config::{Config, ModelId, Params};
use crate::error::{Error, Result};
use crate::output;
use crate::provider::{Answer, Attempt, CallError, Client, Message};
use crate::router::service;
use crate::state::Store;

/// How `ask` calls models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Mode {
    /// The routed model, then the fallback order.
    Single,
    Cascade,
    Consensus,
}

#[derive(Debug, Serialize)]
struct DecisionOut {
    model: String,
    method: &'static str,
    reason: String,
    rule: Option<String>,
    tier: Option<String>,
    params: Params,
    strategy: &'static str,
    arm: crate::canary::Arm,
}

#[derive(Debug, Serialize)]
struct Usage {
    input_tokens: u64,
    /// Input tokens read from the provider's prompt cache (billed at `cached_input_price`).
    #[serde(skip_serializing_if = "is_zero")]
    cached_input_tokens: u64,
    output_tokens: u64,
    /// True when the provider reported no usage and the tokens were counted locally.
    estimated: bool,
}

#[derive(Debug, Serialize)]
struct CascadeStep {
    model: String,
    score: Option<f64>,
    scored_by: String,
    accepted: bool,
    #[serde(serialize_with = "output::json_usd")]
    cost_usd: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct Vote {
    model: String,
    answer: Option<String>,
    normalized: Option<String>,
    #[serde(serialize_with = "output::json_usd")]
    cost_usd: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct Consensus {
    agreement: String,
    majority: bool,
    votes: Vec<Vote>,
}

#[derive(Debug, Serialize)]
struct AskRecord {
    request_id: String,
    mode: Mode,
    decision: DecisionOut,
    /// The model whose answer is returned.
    model: String,
    answer: String,
    usage: Usage,
    /// Cost of the returned answer from its usage and the catalog prices.
    #[serde(serialize_with = "output::json_usd")]
    cost_usd: f64,
    /// Every call of this `ask` (cascade steps, voters, judge calls).
    #[serde(serialize_with = "output::json_usd")]
    total_cost_usd: f64,
    #[serde(serialize_with = "output::json_ms")]
    latency_ms: f64,
    fallback: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    attempts: Vec<Attempt>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cascade: Vec<CascadeStep>,
    #[serde(skip_serializing_if = "Option::is_none")]
    consensus: Option<Consensus>,
    /// Whether the returned answer was already streamed to stdout.
    #[serde(skip)]
    streamed: bool,
}

impl AskRecord {
    /// A record with nothing called yet.
    fn new(request_id: String, mode: Mode, decision: DecisionOut) -> AskRecord {
        AskRecord {
            request_id,
            mode,
            decision,
            model: String::new(),
            answer: String::new(),
            usage: Usage { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, estimated: false },
            cost_usd: 0.0,
            total_cost_usd: 0.0,
            latency_ms: 0.0,
            fallback: false,
            note: None,
            attempts: Vec::new(),
            cascade: Vec::new(),
            consensus: None,
            streamed: false,
        }
    }
}

fn usage_of(config: &Config, m: ModelId, messages: &[Message], a: &Answer) -> (Usage, f64) {
    let b = crate::provider::billed(config, m, messages, a);
    let usage =
        Usage { input_tokens: b.input, cached_input_tokens: b.cached, output_tokens: b.output, estimated: b.estimated };
    (usage, b.usd)
}

fn is_zero(n: &u64) -> bool {
    *n == 0
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

pub fn run(ctx: &Context, a: &AskArgs) -> Result<()> {
    let config = ctx.config()?;
    let prompt = a.req.read_prompt()?;
    let mut messages: Vec<Message> = Vec::new();
    if let Some(sys) = &a.system {
        messages.push(Message { role: "system".to_string(), content: sys.clone() });
    }
    messages.extend(prompt.messages.iter().map(|(r, c)| Message { role: r.clone(), content: c.clone() }));
    let timeout = a.timeout.unwrap_or(config.live.timeout_secs);
    let deadline = a.deadline.unwrap_or(config.live.deadline_secs);
    let mode = if a.cascade {
        Mode::Cascade
    } else if a.consensus {
        Mode::Consensus
    } else {
        Mode::Single
    };

    // Keys are checked before anything is counted or sent.
    let client_seed = crate::rng::derive(config.adaptive.seed, 0xA5C);
    let client = Client::new(&config, Duration::from_secs_f64(timeout), Duration::from_secs_f64(deadline), client_seed)
        .map_err(Error::Provider)?;
    let planned: Vec<ModelId> = match mode {
        Mode::Cascade => config.cascade.models.iter().take(config.cascade.max_attempts).copied().collect(),
        Mode::Consensus => config.consensus.clone(),
        Mode::Single => Vec::new(),
    };
    for &m in &planned {
        if let Err(e) = client.ready(m) {
            return Err(Error::Usage(format!("`{}`: {e}", config.models[m].name)));
        }
    }

    // One id for the probe and the real decision, so both land in the same gray-release arm.
    let request_id = a.req.request_id.clone().unwrap_or_else(service::new_request_id);
    let request = |dry_run: bool| a.req.route_request(&prompt, Some(&request_id), dry_run);
    let decide = |dry_run: bool| {
        match &a.req.force_model {
            Some(name) => service::decide_named(&config, ctx.state.as_deref(), &request(dry_run), name),
            None => service::decide(&config, ctx.state.as_deref(), &request(dry_run)),
        }
        .map_err(|e| output::exhausted(e, a.json))
    };
    if mode == Mode::Single {
        // Learn the routed model without counting, so a missing key stops before anything is
        // counted or sent.
        let probe = decide(true)?;
        if let Err(e) = client.ready(probe.decision.model) {
            return Err(Error::Usage(format!("`{}`: {e}", config.models[probe.decision.model].name)));
        }
    }
    let routed = decide(false)?;
    let d = &routed.decision;
    let params = d.params;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Provider(format!("cannot start the async runtime: {e}")))?;
    let started = Instant::now();
    let stream_out = mode == Mode::Single && !a.json && (a.stream || std::io::stdout().is_terminal());

    let mut record = AskRecord::new(
        routed.request_id.clone(),
        mode,
        DecisionOut {
            model: config.models[d.model].name.clone(),
            method: d.method.as_str(),
            reason: d.reason.to_string(),
            rule: d.rule.as_deref().map(str::to_string),
            tier: d.tier.as_deref().map(str::to_string),
            params,
            strategy: if a.req.force_model.is_some() { "client" } else { routed.strategy.as_str() },
            arm: routed.arm,
        },
    );

    // Fallback models over today's quota are not tried.
    let quota = crate::quota::QuotaSnapshot::new(&config, &routed.usage);
    let over_quota = |m: ModelId| m != d.model && !crate::quota::QuotaView::available(&quota, m);
    let answered: Option<ModelId> = rt.block_on(async {
        match mode {
            Mode::Cascade => cascade(&client, &config, &planned, &messages, &params, &mut record).await,
            Mode::Consensus => consensus(&client, &config, &planned, &messages, &params, &mut record).await,
            Mode::Single => {
                let how = Single { stream: stream_out, over_quota: &over_quota, excluded: &routed.excluded };
                single(&client, &config, d.model, &messages, &params, how, &mut record).await
            }
        }
    });
    record.latency_ms = started.elapsed().as_secs_f64() * 1e3;

    // The decision counted the routed model; only the model that answered keeps a count (and the
    // decision log names it, so feedback joins it). A request nothing answered counts nothing.
    if answered != Some(d.model) || answered.is_some() {
        let mut store = Store::open(&routed.state)?;
        if answered != Some(d.model) {
            let decided = &config.models[d.model].name;
            let answered_name = answered.map(|m| config.models[m].name.as_str());
            store.settle(&routed.clock.day(), &routed.request_id, decided, answered_name)?;
        }
        if answered.is_some() {
            // What the answer used and cost, for `llmroute report`.
            let u = &record.usage;
            store.record_usage(&[crate::state::AnswerUsage {
                request_id: routed.request_id.clone(),
                input_tokens: u.input_tokens,
                output_tokens: u.output_tokens,
                cost: record.total_cost_usd,
            }])?;
        }
    }
    if answered.is_none() {
        if a.json {
            output::print_json(&record)?;
        }
        return Err(Error::Provider(crate::provider::all_failed(&record.attempts)));
    }
    if a.json {
        output::print_json(&record)
    } else {
        if !record.streamed {
            output::print(&record.answer)?;
        }
        output::print(if record.answer.ends_with('\n') { "" } else { "\n" })?;
        if let Some(n) = &record.note {
            output::note(&format!("note: {n}"));
        }
        Ok(())
    }
}

/// A cascade's or consensus' result for the gateway: the model that answered and its answer.
pub(crate) struct MultiAnswer {
    pub model: ModelId,
    pub text: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Every call of the request (cascade steps, judge calls, voters).
    pub total_cost_usd: f64,
    pub note: Option<String>,
}

/// Runs the cascade (`cascade = true`) or the consensus of `[cascade]`/`[consensus]` as `ask
/// --cascade`/`--consensus` do, for the gateway. Returns the answer, if any, and every attempt.
pub(crate) async fn multi(
    client: &Client<'_>,
    config: &Config,
    cascade: bool,
    messages: &[Message],
    params: &Params,
) -> (Option<MultiAnswer>, Vec<Attempt>) {
    let (mode, planned): (Mode, Vec<ModelId>) = if cascade {
        (Mode::Cascade, config.cascade.models.iter().take(config.cascade.max_attempts).copied().collect())
    } else {
        (Mode::Consensus, config.consensus.clone())
    };
    // The gateway keeps its own decision record; this one only collects the calls.
    let decision = DecisionOut {
        model: String::new(),
        method: "",
        reason: String::new(),
        rule: None,
        tier: None,
        params: *params,
        strategy: "",
        arm: crate::canary::Arm::Control,
    };
    let mut rec = AskRecord::new(String::new(), mode, decision);
    let answered = if cascade {
        self::cascade(client, config, &planned, messages, params, &mut rec).await
    } else {
        consensus(client, config, &planned, messages, params, &mut rec).await
    };
    let out = answered.map(|m| MultiAnswer {
        model: m,
        text: std::mem::take(&mut rec.answer),
        input_tokens: rec.usage.input_tokens,
        output_tokens: rec.usage.output_tokens,
        total_cost_usd: rec.total_cost_usd,
        note: rec.note.take(),
    });
    (out, rec.attempts)
}

/// How a single-mode call runs: streamed or not, and which fallback models are over quota.
struct Single<'a> {
    stream: bool,
    over_quota: &'a dyn Fn(ModelId) -> bool,
    /// Models that cannot serve the request (the constraint step's answer).
    excluded: &'a [crate::router::constraints::Exclusion],
}

/// The routed model, then the next models of the fallback order.
async fn single(
    client: &Client<'_>,
    config: &Config,
    first: ModelId,
    messages: &[Message],
    params: &Params,
    how: Single<'_>,
    rec: &mut AskRecord,
) -> Option<ModelId> {
    let Single { stream, over_quota, excluded } = how;
    let mut printed = false;
    for (i, m) in service::call_order(config, first, over_quota, excluded).into_iter().enumerate() {
        if let Err(e) = client.ready(m) {
            rec.attempts.push(Attempt::skipped(config, m, &e));
            continue;
        }
        // Stream only while nothing has been printed: a fallback after a broken stream prints
        // its whole answer at the end instead of mixing two answers.
        let stream_now = stream && !printed;
        let mut out = |t: &str| {
            printed = true;
            let mut so = std::io::stdout().lock();
            let _ = so.write_all(t.as_bytes()).and_then(|_| so.flush());
        };
        let on_text: Option<&mut (dyn FnMut(&str) + Send)> = if stream_now { Some(&mut out) } else { None };
        let (res, attempt) = client.with_retries(m, messages, params, on_text).await;
        rec.attempts.push(attempt);
        if let Ok(ans) = res {
            // Streamed text is the whole answer only when the stream succeeded on its first try.
            rec.streamed = stream_now && printed && rec.attempts.last().is_some_and(|a| a.tries == 1);
            if printed && !rec.streamed {
                output::note("");
                output::warn("the stream broke off; the complete answer follows");
            }
            let (usage, cost) = usage_of(config, m, messages, &ans);
            rec.model = config.models[m].name.clone();
            rec.answer = ans.text;
            rec.usage = usage;
            rec.cost_usd = cost;
            rec.total_cost_usd = cost;
            if i > 0 {
                rec.fallback = true;
                let failed: Vec<String> =
                    rec.attempts.iter().filter(|a| !a.ok).map(|a| format!("`{}`", a.model)).collect();
                rec.note = Some(format!("{} failed; fell back to `{}`", failed.join(", "), rec.model));
            }
            return Some(m);
        }
        if matches!(res, Err(CallError::Deadline)) {
            break;
        }
    }
    None
}

async fn score(
    client: &Client<'_>,
    config: &Config,
    messages: &[Message],
    ans: &Answer,
    rec: &mut AskRecord,
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
    let (res, attempt) = client.with_retries(judge, &ask, &params, None).await;
    let name = config.models[judge].name.clone();
    rec.attempts.push(attempt);
    match res {
        Ok(r) => {
            rec.total_cost_usd += usage_of(config, judge, &ask, &r).1;
            match parse_score(&r.text) {
                Some(s) => (Some(s), format!("judge {name}")),
                None => (Some(heuristic_score(ans)), format!("heuristic (judge {name} gave no number)")),
            }
        }
        Err(e) => (Some(heuristic_score(ans)), format!("heuristic (judge {name} failed: {e})")),
    }
}

async fn cascade(
    client: &Client<'_>,
    config: &Config,
    models: &[ModelId],
    messages: &[Message],
    params: &Params,
    rec: &mut AskRecord,
) -> Option<ModelId> {
    let mut last_ok: Option<(ModelId, Answer)> = None;
    for (i, &m) in models.iter().enumerate() {
        let name = config.models[m].name.clone();
        let (res, attempt) = client.with_retries(m, messages, params, None).await;
        rec.attempts.push(attempt);
        match res {
            Ok(ans) => {
                let (_, cost) = usage_of(config, m, messages, &ans);
                rec.total_cost_usd += cost;
                let (s, by) = score(client, config, messages, &ans, rec).await;
                let last = i + 1 == models.len();
                let accepted = s.unwrap_or(0.0) >= config.cascade.accept || last;
                rec.cascade.push(CascadeStep {
                    model: name,
                    score: s,
                    scored_by: by,
                    accepted,
                    cost_usd: cost,
                    error: None,
                });
                if accepted {
                    return Some(finish(config, rec, m, messages, ans));
                }
                last_ok = Some((m, ans));
            }
            Err(e) => {
                rec.cascade.push(CascadeStep {
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
    // The last model failed: return the best earlier answer rather than nothing.
    last_ok.map(|(m, ans)| {
        rec.note = Some("the last cascade model failed; returning the previous answer".to_string());
        finish(config, rec, m, messages, ans)
    })
}

fn finish(config: &Config, rec: &mut AskRecord, m: ModelId, messages: &[Message], ans: Answer) -> ModelId {
    let (usage, cost) = usage_of(config, m, messages, &ans);
    rec.model = config.models[m].name.clone();
    rec.answer = ans.text;
    rec.usage = usage;
    rec.cost_usd = cost;
    m
}

async fn consensus(
    client: &Client<'_>,
    config: &Config,
    models: &[ModelId],
    messages: &[Message],
    params: &Params,
    rec: &mut AskRecord,
) -> Option<ModelId> {
    let calls = models.iter().map(|&m| async move { (m, client.with_retries(m, messages, params, None).await) });
    let results = futures_util::future::join_all(calls).await;
    let mut votes = Vec::new();
    let mut answers: Vec<(ModelId, Answer, String)> = Vec::new();
    for (m, (res, attempt)) in results {
        rec.attempts.push(attempt);
        let name = config.models[m].name.clone();
        match res {
            Ok(ans) => {
                let (_, cost) = usage_of(config, m, messages, &ans);
                rec.total_cost_usd += cost;
                let norm = crate::replay::dataset::normalize_answer(&ans.text);
                votes.push(Vote {
                    model: name,
                    answer: Some(ans.text.clone()),
                    normalized: Some(norm.clone()),
                    cost_usd: cost,
                    error: None,
                });
                answers.push((m, ans, norm));
            }
            Err(e) => votes.push(Vote {
                model: name,
                answer: None,
                normalized: None,
                cost_usd: 0.0,
                error: Some(e.to_string()),
            }),
        }
    }
    // The most common normalised answer; a majority needs more than half of the voters.
    let mut best: Option<(&str, usize)> = None;
    for (_, _, n) in &answers {
        let c = answers.iter().filter(|(_, _, x)| x == n).count();
        if best.is_none_or(|(_, bc)| c > bc) {
            best = Some((n.as_str(), c));
        }
    }
    let n_voters = models.len();
    let (winner, majority) = match best {
        Some((n, c)) if c * 2 > n_voters => (answers.iter().find(|(_, _, x)| x == n).map(|(m, _, _)| *m), true),
        _ => {
            // No majority: the most expensive model that answered.
            let by_cost = config.models_by_cost();
            (answers.iter().map(|(m, _, _)| *m).max_by_key(|m| by_cost.iter().position(|x| x == m)), false)
        }
    };
    let agreeing = best.map_or(0, |(_, c)| c);
    rec.consensus = Some(Consensus { agreement: format!("{agreeing}/{n_voters}"), majority, votes });
    let winner = winner?;
    if !majority {
        rec.note = Some(format!(
            "no majority ({agreeing}/{n_voters} agree); returning the answer of the most expensive model, `{}`",
            config.models[winner].name
        ));
    }
    let idx = answers.iter().position(|(m, _, _)| *m == winner)?;
    let (m, ans, _) = answers.swap_remove(idx);
    Some(finish(config, rec, m, messages, ans))
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
