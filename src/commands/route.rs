//! `llmroute route`: decide which model answers one prompt, and count it against today's quota.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cli::RouteArgs;
use crate::clock::{Clock, rfc3339};
use crate::commands::Context;
use crate::config::{Config, Params};
use crate::error::{Error, Result};
use crate::output;
use crate::prompt::{self, Prompt};
use crate::quota::QuotaSnapshot;
use crate::router::Strategy;
use crate::router::ml::MlScores;
use crate::router::{Decision, DifficultyBreakdown, Engine, StageTrace};
use crate::state::{self, DecisionRecord, Store};
use crate::tokenizer::Counting;

/// The `route --json` record.
#[derive(Debug, Serialize)]
pub struct RouteReport {
    /// Report feedback for this decision with `llmroute feedback add --request-id`; `null` for a
    /// dry run, which logs nothing.
    pub request_id: Option<String>,
    pub model: String,
    pub params: Params,
    pub reason: String,
    pub method: &'static str,
    pub rule: Option<String>,
    pub tier: Option<String>,
    pub difficulty: Option<f64>,
    pub note: Option<String>,
    pub estimated_cost_usd: f64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub token_count: Counting,
    pub counted: bool,
    pub strategy: &'static str,
    /// Gray-release arm: `control` or `canary`.
    pub arm: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<StageTrace>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difficulty_breakdown: Option<DifficultyBreakdown>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ml_scores: Option<MlScores>,
}

#[derive(Debug, Serialize)]
struct Exhausted {
    model: Option<String>,
    error: &'static str,
    retry_after: u64,
    resets_at: String,
}

/// Output tokens assumed for a decision: the model's expectation capped by `max_tokens`.
pub fn expected_output_tokens(config: &Config, d: &Decision) -> u64 {
    let m = &config.models[d.model];
    let cap = d.params.max_tokens.unwrap_or(u32::MAX);
    u64::from(m.expected_output_tokens.min(cap))
}

/// A fresh request id: time, process and a per-process random key, hashed to 16 hex digits.
pub fn new_request_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    h.write_u128(nanos);
    h.write_u32(std::process::id());
    h.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    format!("r-{:016x}", h.finish())
}

/// SHA-256 of the prompt, hex: decisions are logged without the prompt unless asked.
pub fn prompt_hash(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn strategy_name(s: Strategy) -> &'static str {
    match s {
        Strategy::Chain => "chain",
        Strategy::Rules => "rules",
        Strategy::Difficulty => "difficulty",
        Strategy::Ml => "ml",
        Strategy::Adaptive => "adaptive",
    }
}

pub fn canary_strategy(s: crate::config::CanaryStrategy) -> Strategy {
    match s {
        crate::config::CanaryStrategy::Rules => Strategy::Rules,
        crate::config::CanaryStrategy::Difficulty => Strategy::Difficulty,
        crate::config::CanaryStrategy::Ml => Strategy::Ml,
        crate::config::CanaryStrategy::Adaptive => Strategy::Adaptive,
    }
}

/// Whether routing with `s` needs the adaptive router's feedback.
pub fn uses_adaptive(config: &Config, s: Strategy) -> bool {
    s == Strategy::Adaptive
        || (s == Strategy::Chain && config.chain.stages.contains(&crate::config::StageName::Adaptive))
}

/// What a routing request asks for (shared by `route` and `ask`).
pub struct RouteRequest<'a> {
    pub prompt: &'a Prompt,
    pub tag: Option<&'a str>,
    pub strategy: Strategy,
    pub model: Option<&'a std::path::Path>,
    pub request_id: Option<&'a str>,
    pub user: Option<&'a str>,
    pub log_prompts: bool,
    pub dry_run: bool,
    pub json: bool,
}

/// A routed request: the decision (counted against the quota and logged unless a dry run).
pub struct Routed {
    pub engine: Engine,
    pub decision: Decision,
    pub trace: Vec<StageTrace>,
    pub request_id: String,
    pub strategy: Strategy,
    pub arm: &'static str,
    pub clock: Clock,
    pub state_path: std::path::PathBuf,
}

/// Routes one request with the quota and gray-release semantics; reports exhaustion (printing
/// the JSON record first when `json`).
pub fn decide(ctx: &Context, config: &Config, req: &RouteRequest) -> Result<Routed> {
    let prompt = req.prompt;
    let mut engine = Engine::new(config, req.model)?;
    let request_id = match req.request_id {
        Some(id) if id.trim().is_empty() => return Err(Error::usage("--request-id must not be empty")),
        Some(id) => id.to_string(),
        None => new_request_id(),
    };
    // Gray release: the canary's share of requests (by user, else request id) uses its strategy.
    let (strategy, arm) = match (&config.canary, req.strategy) {
        (Some(c), Strategy::Chain) => {
            let key = req.user.unwrap_or(&request_id);
            match crate::canary::arm(key, c.share) {
                "canary" => (canary_strategy(c.strategy), "canary"),
                _ => (Strategy::Chain, "control"),
            }
        }
        _ => (req.strategy, "control"),
    };
    let clock = Clock::new(config.timezone.clone())?;
    let day = clock.day();
    let state_path = state::resolve_path(ctx.state.as_deref())?;
    if uses_adaptive(config, strategy)
        && let Some(store) = Store::open_existing(&state_path)?
    {
        engine.adaptive.posteriors = crate::feedback::posteriors(config, &store)?;
    }
    let chain = engine.chain(config, strategy);
    let analysis = engine.analyze(&prompt.text, req.tag);

    let outcome = if req.dry_run {
        let usage = match Store::open_existing(&state_path)? {
            Some(store) => store.usage(&day)?,
            None => BTreeMap::new(),
        };
        chain.route(&analysis, &QuotaSnapshot::new(config, &usage))
    } else {
        let mut store = Store::open(&state_path)?;
        store.count_and_log(&day, |usage| {
            let o = chain.route(&analysis, &QuotaSnapshot::new(config, usage));
            let record = o.decision.as_ref().map(|d| {
                let m = &config.models[d.model];
                DecisionRecord {
                    request_id: request_id.clone(),
                    ts: clock.now().timestamp().as_second(),
                    prompt_hash: prompt_hash(&prompt.text),
                    prompt: req.log_prompts.then(|| prompt.text.clone()),
                    model: m.name.clone(),
                    method: d.method.as_str().to_string(),
                    rule: d.rule.clone(),
                    tier: d.tier.clone(),
                    strategy: strategy_name(strategy).to_string(),
                    estimated_cost: m.cost(prompt.input_tokens() as u64, expected_output_tokens(config, d)),
                    arm: arm.to_string(),
                }
            });
            let model = o.decision.as_ref().map(|d| config.models[d.model].name.clone());
            (o, model, record)
        })?
    };
    drop(chain);

    let Some(decision) = outcome.decision else {
        let (retry_after, resets_at) = (clock.seconds_to_reset(), rfc3339(&clock.next_reset()));
        if req.json {
            output::print_json(&Exhausted {
                model: None,
                error: "all_quotas_exhausted",
                retry_after,
                resets_at: resets_at.clone(),
            })?;
        }
        return Err(Error::QuotasExhausted { retry_after, resets_at });
    };
    Ok(Routed { engine, decision, trace: outcome.trace, request_id, strategy, arm, clock, state_path })
}

impl crate::cli::RequestArgs {
    /// Reads the prompt (argument, stdin or chat body).
    pub fn read_prompt(&self) -> Result<Prompt> {
        let origin = if self.prompt == "-" { "stdin" } else { "argument" };
        prompt::parse(prompt::read_arg(&self.prompt)?, self.chat, origin)
    }

    pub fn route_request<'a>(
        &'a self,
        prompt: &'a Prompt,
        request_id: Option<&'a str>,
        dry_run: bool,
        json: bool,
    ) -> RouteRequest<'a> {
        RouteRequest {
            prompt,
            tag: self.tag.as_deref(),
            strategy: self.strategy,
            model: self.model.as_deref(),
            request_id: request_id.or(self.request_id.as_deref()),
            user: self.user.as_deref(),
            log_prompts: self.log_prompts,
            dry_run,
            json,
        }
    }
}

pub fn run(ctx: &Context, args: &RouteArgs) -> Result<()> {
    let config = ctx.config()?;
    let prompt = args.req.read_prompt()?;
    let r = decide(ctx, &config, &args.req.route_request(&prompt, None, args.dry_run, args.json))?;
    let analysis = r.engine.analyze(&prompt.text, args.req.tag.as_deref());
    let mut report =
        report(&config, &r.engine, &prompt, &analysis, r.decision, !args.dry_run, args.explain.then_some(r.trace));
    report.request_id = (!args.dry_run).then_some(r.request_id);
    report.arm = r.arm;
    report.strategy = strategy_name(r.strategy);
    if args.json { output::print_json(&report) } else { output::print(&render(&report)) }
}

fn report(
    config: &Config,
    engine: &Engine,
    prompt: &Prompt,
    analysis: &crate::text::Analysis,
    d: Decision,
    counted: bool,
    trace: Option<Vec<StageTrace>>,
) -> RouteReport {
    let model = &config.models[d.model];
    let input_tokens = prompt.input_tokens() as u64;
    let output_tokens = expected_output_tokens(config, &d);
    let breakdown = trace.as_ref().map(|_| engine.difficulty.breakdown(analysis));
    let ml_scores = trace.as_ref().and(engine.ml.as_ref()).map(|m| m.scores(config, analysis.text));
    RouteReport {
        request_id: None,
        strategy: "chain",
        arm: "control",
        model: model.name.clone(),
        estimated_cost_usd: output::round(model.cost(input_tokens, output_tokens), 10),
        input_tokens,
        output_tokens,
        token_count: model.counting,
        params: d.params,
        reason: d.reason,
        method: d.method.as_str(),
        rule: d.rule,
        tier: d.tier,
        difficulty: d.difficulty,
        note: d.note,
        counted,
        stages: trace,
        difficulty_breakdown: breakdown,
        ml_scores,
    }
}

fn params_text(p: &Params) -> String {
    let mut parts = Vec::new();
    if let Some(t) = p.temperature {
        parts.push(format!("temperature={t}"));
    }
    if let Some(t) = p.max_tokens {
        parts.push(format!("max_tokens={t}"));
    }
    if let Some(t) = p.top_p {
        parts.push(format!("top_p={t}"));
    }
    if parts.is_empty() { "-".to_string() } else { parts.join(" ") }
}

fn render(r: &RouteReport) -> String {
    let mut s = String::new();
    let mut line = |k: &str, v: &str| s.push_str(&format!("{k:<11} {v}\n"));
    line("model", &r.model);
    line("method", r.method);
    line("reason", &r.reason);
    line("params", &params_text(&r.params));
    line("difficulty", &r.difficulty.map_or("-".to_string(), |d| format!("{d:.4}")));
    let approx = if r.token_count == Counting::Approximate { ", approximate count" } else { "" };
    line(
        "est. cost",
        &format!(
            "{} ({} input + {} output tokens{approx})",
            output::usd(r.estimated_cost_usd, 8),
            r.input_tokens,
            r.output_tokens
        ),
    );
    if let Some(n) = &r.note {
        line("note", n);
    }
    if !r.counted {
        line("quota", "not counted (--dry-run)");
    } else if let Some(id) = &r.request_id {
        line("request", id);
    }
    if r.arm == "canary" {
        line("arm", &format!("canary ({})", r.strategy));
    }
    if let Some(stages) = &r.stages {
        s.push_str("\nstages\n");
        for t in stages {
            use crate::router::StageOutcome::*;
            let v = match &t.outcome {
                Decided { model, reason } => format!("decided {model} ({reason})"),
                Declined { reason } => format!("declined: {reason}"),
                OverQuota { model, reason } => format!("{model} ({reason}) is over its daily quota; passed on"),
                NotReached => "not reached".to_string(),
            };
            s.push_str(&format!("  {:<11} {v}\n", t.stage));
        }
    }
    if let Some(m) = &r.ml_scores {
        s.push_str(&format!(
            "\nml: {} at {:.4} (threshold {:.4}{})\n",
            m.predicted,
            m.confidence,
            m.threshold,
            if m.low_confidence { ", low confidence" } else { "" }
        ));
        let mut t = output::table(["label", "model", "probability"]);
        for p in &m.probabilities {
            t.add_row(vec![p.label.clone(), p.model.clone(), format!("{:.4}", p.probability)]);
        }
        output::align_right(&mut t, &[2]);
        s.push_str(&format!("{t}\n"));
    }
    if let Some(b) = &r.difficulty_breakdown {
        s.push_str(&format!("\ndifficulty {:.4} -> band {}\n", b.score, b.band));
        let mut t = output::table(["dimension", "raw", "saturation", "score", "weight", "contribution", "matched"]);
        for d in &b.dimensions {
            t.add_row(vec![
                d.name.to_string(),
                format!("{}", d.raw),
                format!("{}", d.saturation),
                format!("{:.4}", d.score),
                format!("{:.2}", d.weight),
                format!("{:.4}", d.contribution),
                d.matched.join(", "),
            ]);
        }
        output::align_right(&mut t, &[1, 2, 3, 4, 5]);
        s.push_str(&format!("{t}\n"));
    }
    s
}
