//! `llmroute ask`: route, call the model, print the answer.
//!
//! Single mode calls the routed model; on failure (after its retries) the next models of the
//! fallback order are tried, and the record says so. `--cascade` and `--consensus` answer as the
//! gateway's `router:cascade`/`router:consensus` do ([`crate::live::multi`]), every call counted
//! against its model's daily quota. The calls themselves are [`crate::live`]'s, shared with `serve`.

mod args;
pub use args::AskArgs;

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::commands::Context;
use crate::config::{Config, ModelId, Params};
use crate::error::{Error, Result};
use crate::live::multi::{self, CascadeStep, Consensus};
use crate::live::{self as calls, CallQuota, StoreQuota};
use crate::output;
use crate::provider::{Answer, Attempt, Client, Message, Sink};
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
    if b.implausible {
        output::warn(&crate::provider::implausible_note(config, m, a));
    }
    let usage =
        Usage { input_tokens: b.input, cached_input_tokens: b.cached, output_tokens: b.output, estimated: b.estimated };
    (usage, b.usd)
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// `ask`'s flags merged over the configuration, once: how the models are called.
struct Settings {
    mode: Mode,
    /// Per-request timeout: `--timeout`, else `[live] timeout_secs`.
    timeout: Duration,
    /// Overall deadline: `--deadline`, else `[live] deadline_secs`.
    deadline: Duration,
}

impl Settings {
    fn new(a: &AskArgs, config: &Config) -> Settings {
        let mode = if a.cascade {
            Mode::Cascade
        } else if a.consensus {
            Mode::Consensus
        } else {
            Mode::Single
        };
        Settings {
            mode,
            timeout: Duration::from_secs_f64(a.timeout.unwrap_or(config.live.timeout_secs)),
            deadline: Duration::from_secs_f64(a.deadline.unwrap_or(config.live.deadline_secs)),
        }
    }

    /// The several-model mode, if any.
    fn kind(&self) -> Option<multi::Kind> {
        match self.mode {
            Mode::Cascade => Some(multi::Kind::Cascade),
            Mode::Consensus => Some(multi::Kind::Consensus),
            Mode::Single => None,
        }
    }
}

pub fn run(ctx: &Context, a: &AskArgs) -> Result<()> {
    let config = ctx.config()?;
    let s = Settings::new(a, &config);
    let prompt = a.req.read_prompt()?;
    let mut messages: Vec<Message> = Vec::new();
    if let Some(sys) = &a.system {
        messages.push(Message { role: "system".to_string(), content: sys.clone() });
    }
    messages.extend(prompt.messages.iter().map(|(r, c)| Message { role: r.clone(), content: c.clone() }));
    let client = ready_client(&config, &s)?;

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
    if s.mode == Mode::Single {
        // Learn the routed model without counting, so a missing key stops before anything is
        // counted or sent.
        let probe = decide(true)?;
        if let Err(e) = client.ready(probe.decision.model) {
            return Err(Error::Usage(format!("`{}`: {e}", config.models[probe.decision.model].name)));
        }
    }
    let routed = decide(false)?;
    let d = &routed.decision;
    let mut record = AskRecord::new(
        routed.request_id.clone(),
        s.mode,
        DecisionOut {
            model: config.models[d.model].name.clone(),
            method: d.method.as_str(),
            reason: d.reason.to_string(),
            rule: d.rule.as_deref().map(str::to_string),
            tier: d.tier.as_deref().map(str::to_string),
            params: d.params,
            strategy: if a.req.force_model.is_some() { "client" } else { routed.strategy.as_str() },
            arm: routed.arm,
        },
    );
    let started = Instant::now();
    let stream_out = s.mode == Mode::Single && !a.json && (a.stream || std::io::stdout().is_terminal());
    let mut store = Store::open(&routed.state)?;
    let answered = call(&config, &client, &s, &routed, &mut store, stream_out, &messages, &mut record)?;
    record.latency_ms = started.elapsed().as_secs_f64() * 1e3;
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
    print(&record, answered.is_some(), a.json)
}

/// The provider client, its keys checked for every model a cascade or a vote plans to call before
/// anything is counted or sent.
fn ready_client<'a>(config: &'a Config, s: &Settings) -> Result<Client<'a>> {
    let client_seed = crate::rng::derive(config.adaptive.seed, 0xA5C);
    let client = Client::new(config, s.timeout, s.deadline, client_seed).map_err(Error::Provider)?;
    let planned: Vec<ModelId> = s.kind().map(|k| k.planned(config)).unwrap_or_default();
    for &m in &planned {
        if let Err(e) = client.ready(m) {
            return Err(Error::Usage(format!("`{}`: {e}", config.models[m].name)));
        }
    }
    Ok(client)
}

/// Calls the routed model (then the fallback order), or the cascade's or the vote's models, and
/// settles the quota counts with what answered. Returns the model that answered.
#[allow(clippy::too_many_arguments)]
fn call(
    config: &Config,
    client: &Client<'_>,
    s: &Settings,
    routed: &service::Routed,
    store: &mut Store,
    stream_out: bool,
    messages: &[Message],
    record: &mut AskRecord,
) -> Result<Option<ModelId>> {
    let d = &routed.decision;
    let params = d.params;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    let day = routed.clock.day();
    Ok(match s.kind() {
        None => {
            // Fallback models over today's quota are not tried.
            let quota = crate::quota::QuotaSnapshot::new(config, &routed.usage);
            let over_quota = |m: ModelId| m != d.model && !crate::quota::QuotaView::available(&quota, m);
            let plan = calls::Plan { first: d.model, over_quota: &over_quota, excluded: &routed.excluded };
            let answered = rt.block_on(single(client, config, plan, stream_out, messages, &params, record));
            // The decision counted the routed model; only the model that answered keeps a count
            // (and the decision log names it, so feedback joins it). Nothing answered: nothing
            // counted.
            if answered != Some(d.model) {
                let decided = &config.models[d.model].name;
                let answered_name = answered.map(|m| config.models[m].name.as_str());
                store.settle(&day, &routed.request_id, decided, answered_name)?;
            }
            answered
        }
        Some(kind) => {
            // Each call counts on its own model, so the decision's count is given back first.
            let mut store = Store::open(&routed.state)?;
            store.release(&day, &config.models[d.model].name)?;
            let quota = StoreQuota { config, day: day.clone(), store: std::sync::Mutex::new(store) };
            let answered = rt.block_on(several(client, config, kind, &quota, messages, &params, record));
            let mut store =
                quota.store.into_inner().map_err(|_| Error::Internal("the state lock is poisoned".into()))?;
            store.relabel(&routed.request_id, answered.map(|m| config.models[m].name.as_str()))?;
            answered
        }
    })
}

/// Prints the record (`--json`) or the answer; nothing answered is a provider failure.
fn print(record: &AskRecord, answered: bool, json: bool) -> Result<()> {
    if !answered {
        if json {
            output::print_json(record)?;
        }
        return Err(Error::Provider(crate::provider::all_failed(&record.attempts)));
    }
    if json {
        output::print_json(record)
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

/// `ask`'s sink: the answer printed as it arrives. A stream that breaks after printing may be
/// completed by a retry or a fallback model, whose whole answer is printed after a note.
struct Stdout {
    printed: bool,
}

impl Sink for Stdout {
    fn piece(&mut self, data: &str) {
        self.printed = true;
        let mut so = std::io::stdout().lock();
        let _ = so.write_all(data.as_bytes()).and_then(|_| so.flush());
    }

    fn restartable(&self) -> bool {
        true
    }
}

/// The routed model, then the next models of the fallback order.
async fn single(
    client: &Client<'_>,
    config: &Config,
    plan: calls::Plan<'_>,
    stream: bool,
    messages: &[Message],
    params: &Params,
    rec: &mut AskRecord,
) -> Option<ModelId> {
    let mut out = Stdout { printed: false };
    let sink: Option<&mut dyn Sink> = if stream { Some(&mut out) } else { None };
    let o = calls::fallback(client, config, plan, messages, params, sink).await;
    rec.attempts = o.attempts;
    let (m, ans) = o.answered?;
    rec.streamed = o.streamed_whole;
    if out.printed && !rec.streamed {
        output::note("");
        output::warn("the stream broke off; the complete answer follows");
    }
    let (usage, cost) = usage_of(config, m, messages, &ans);
    rec.model = config.models[m].name.clone();
    rec.answer = ans.text;
    rec.usage = usage;
    rec.cost_usd = cost;
    rec.total_cost_usd = cost;
    if o.fell_back {
        rec.fallback = true;
        let failed: Vec<String> = rec.attempts.iter().filter(|a| !a.ok).map(|a| format!("`{}`", a.model)).collect();
        rec.note = Some(format!("{} failed; fell back to `{}`", failed.join(", "), rec.model));
    }
    Some(m)
}

/// The cascade or the consensus, each call counted on `quota`.
async fn several(
    client: &Client<'_>,
    config: &Config,
    kind: multi::Kind,
    quota: &dyn CallQuota,
    messages: &[Message],
    params: &Params,
    rec: &mut AskRecord,
) -> Option<ModelId> {
    let o = multi::run(client, config, kind, quota, messages, params).await;
    rec.attempts = o.attempts;
    rec.cascade = o.cascade;
    rec.consensus = o.consensus;
    rec.note = o.note;
    rec.total_cost_usd = o.total_cost_usd;
    let (m, ans) = o.answered?;
    let (usage, cost) = usage_of(config, m, messages, &ans);
    rec.model = config.models[m].name.clone();
    rec.answer = ans.text;
    rec.usage = usage;
    rec.cost_usd = cost;
    Some(m)
}
