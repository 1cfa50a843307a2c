//! The routing service: one request in, one decision out, with the gray release, the daily
//! quota and the decision log. `route`, `ask` (and the gateway) decide through [`decide`];
//! `batch` and `simulate` use the same pieces ([`assign`], [`engine`], the chain) row by row.
//! Nothing here prints.

use std::collections::BTreeMap;
use std::path::Path;

use crate::canary::Arm;
use crate::clock::{Clock, rfc3339};
use crate::config::Config;
use crate::cost::{self, Cost};
use crate::error::{Error, Result};
use crate::prompt::Prompt;
use crate::quota::QuotaSnapshot;
use crate::router::constraints::{self, Exclusion};
use crate::router::{Decision, Engine, StageTrace, Strategy, adaptive};
use crate::state::{DecisionRecord, Location, Store};

/// What a routing request asks for.
pub struct RouteRequest<'a> {
    pub prompt: &'a Prompt,
    pub tag: Option<&'a str>,
    pub strategy: Strategy,
    /// A trained classifier file overriding `[ml] model`.
    pub model: Option<&'a Path>,
    pub request_id: Option<&'a str>,
    /// The gray-release key (one user stays in one arm); the request id otherwise.
    pub user: Option<&'a str>,
    pub log_prompts: bool,
    /// Decide without counting or logging.
    pub dry_run: bool,
}

/// A routed request: the decision (counted against the quota and logged unless a dry run).
pub struct Routed {
    pub engine: std::sync::Arc<Engine>,
    pub decision: Decision,
    pub trace: Vec<StageTrace>,
    pub request_id: String,
    /// The strategy that decided (the canary's on the canary arm).
    pub strategy: Strategy,
    pub arm: Arm,
    pub clock: Clock,
    pub state: Location,
    /// The decision's estimated cost (the prompt's tokens and the expected output).
    pub cost: Cost,
    /// Today's quota usage as the decision saw it, its own count included (which fallback
    /// models of a live call are over their quota).
    pub usage: BTreeMap<String, u64>,
    /// The models the constraint step ruled out for this request (a live call skips them too).
    pub excluded: Vec<Exclusion>,
}

/// The strategy and gray-release arm of a request keyed by `key` (the user, else the request
/// id): a chain request lands on the canary strategy for `[canary] share` of the keys.
pub fn assign(config: &Config, strategy: Strategy, key: &str) -> (Strategy, Arm) {
    match (&config.canary, strategy) {
        (Some(c), Strategy::CHAIN) => match crate::canary::arm(key, c.share) {
            Arm::Canary => (c.strategy, Arm::Canary),
            Arm::Control => (Strategy::CHAIN, Arm::Control),
        },
        _ => (strategy, Arm::Control),
    }
}

/// Whether routing with `strategy` (or its canary) reads the adaptive router's feedback.
pub fn uses_adaptive(config: &Config, strategy: Strategy) -> bool {
    let direct = |s: Strategy| {
        s == Strategy::ADAPTIVE || (s == Strategy::CHAIN && config.chain.stages.contains(&Strategy::ADAPTIVE))
    };
    direct(strategy) || (strategy == Strategy::CHAIN && config.canary.as_ref().is_some_and(|c| direct(c.strategy)))
}

/// The engine for `strategy`: the routers of `config`, the classifier of `model` (or
/// `[ml] model`), and the adaptive router's posteriors from the feedback in the state store.
pub fn engine(config: &Config, model: Option<&Path>, strategy: Strategy, state: &Location) -> Result<Engine> {
    with_adaptive(Engine::new(config, model)?, config, strategy, state)
}

/// [`engine`] for replaying a log: an outcome model's labels may be the log's models.
pub fn replay_engine(config: &Config, model: Option<&Path>, strategy: Strategy, state: &Location) -> Result<Engine> {
    with_adaptive(Engine::for_replay(config, model)?, config, strategy, state)
}

fn with_adaptive(mut engine: Engine, config: &Config, strategy: Strategy, state: &Location) -> Result<Engine> {
    if uses_adaptive(config, strategy)
        && let Some(mut store) = Store::open_read(state)?
    {
        engine.adaptive.posteriors = adaptive::posteriors(config, &mut store)?;
    }
    Ok(engine)
}

/// The estimated cost of a decision for a prompt of `input_tokens`: those tokens and the model's
/// expected output (capped by the decision's `max_tokens`) at list prices.
pub fn estimate(config: &Config, d: &Decision, input_tokens: u64) -> Cost {
    cost::resolve(&cost::Known::default(), &config.models[d.model].price(), d.params.max_tokens, || input_tokens)
}

/// Routes one request with the gray-release and quota semantics. When every quota is exhausted
/// the error is [`Error::QuotasExhausted`] with the time of the next reset.
pub fn decide(config: &Config, state: Option<&Path>, req: &RouteRequest) -> Result<Routed> {
    let plan = plan(config, req)?;
    let state = Location::resolve(state, config)?;
    let engine = std::sync::Arc::new(engine(config, req.model, plan.strategy, &state)?);
    decide_with(config, engine, state, None, req, plan)
}

/// A request's id, strategy and gray-release arm, fixed before its engine is chosen.
pub struct Plan {
    pub request_id: String,
    pub strategy: Strategy,
    pub arm: Arm,
}

/// The id (given or generated) and the strategy and arm of a request.
pub fn plan(config: &Config, req: &RouteRequest) -> Result<Plan> {
    let request_id = match req.request_id {
        Some(id) if id.trim().is_empty() => return Err(Error::usage("--request-id must not be empty")),
        Some(id) => id.to_string(),
        None => new_request_id(),
    };
    let (strategy, arm) = assign(config, req.strategy, req.user.unwrap_or(&request_id));
    Ok(Plan { request_id, strategy, arm })
}

/// [`decide`] on an engine built for `plan.strategy` (the gateway keeps one per strategy) and,
/// when given, an open store (the gateway keeps its connections) instead of opening `state`.
pub fn decide_with(
    config: &Config,
    engine: std::sync::Arc<Engine>,
    state: Location,
    store: Option<&mut Store>,
    req: &RouteRequest,
    plan: Plan,
) -> Result<Routed> {
    let Plan { request_id, strategy, arm } = plan;
    let prompt = req.prompt;
    let clock = Clock::new(config.timezone.clone())?;
    let day = clock.day();
    let chain = engine.chain(config, strategy);
    let mut eval = engine.eval(&prompt.text, req.tag);
    let input_tokens = prompt.input_tokens();
    eval.exclude(constraints::of_request(config, prompt, input_tokens));

    let (outcome, usage) = if req.dry_run {
        let usage = match Store::open_read(&state)? {
            Some(mut store) => store.usage(&day)?,
            None => BTreeMap::new(),
        };
        (chain.route(&mut eval, &QuotaSnapshot::new(config, &usage)), usage)
    } else {
        let mut opened;
        let store = match store {
            Some(s) => s,
            None => {
                opened = Store::open(&state)?;
                &mut opened
            }
        };
        store.count_and_log(&day, |usage| {
            let o = chain.route(&mut eval, &QuotaSnapshot::new(config, usage));
            let record = o.decision.as_ref().map(|d| DecisionRecord {
                request_id: request_id.clone(),
                ts: clock.now().timestamp().as_second(),
                prompt_hash: prompt_hash(&prompt.text),
                prompt: req.log_prompts.then(|| prompt.text.clone()),
                model: config.models[d.model].name.clone(),
                method: d.method.as_str().to_string(),
                rule: d.rule.as_deref().map(str::to_string),
                tier: d.tier.as_deref().map(str::to_string),
                strategy: strategy.as_str().to_string(),
                estimated_cost: estimate(config, d, input_tokens).usd,
                arm: arm.as_str().to_string(),
                input_tokens: Some(input_tokens),
                output_tokens: estimate(config, d, input_tokens).output_tokens,
                cost: None,
            });
            let model = o.decision.as_ref().map(|d| config.models[d.model].name.clone());
            let mut after = usage.clone();
            if let Some(m) = &model {
                *after.entry(m.clone()).or_default() += 1;
            }
            ((o, after), model, record)
        })?
    };
    let excluded = eval.exclusions().to_vec();
    drop(eval);
    drop(chain);
    let Some(decision) = outcome.decision else {
        if excluded.len() == config.models.len() {
            return Err(Error::Unservable(constraints::none_can_serve(config, &excluded)));
        }
        return Err(Error::QuotasExhausted {
            retry_after: clock.seconds_to_reset(),
            resets_at: rfc3339(&clock.next_reset()),
        });
    };
    let cost = estimate(config, &decision, input_tokens);
    Ok(Routed {
        engine,
        decision,
        trace: outcome.trace,
        request_id,
        strategy,
        arm,
        clock,
        state,
        cost,
        usage,
        excluded,
    })
}

/// A client's model, counted and logged: what [`decide_forced`] returns.
pub struct Forced {
    pub decision: Decision,
    pub request_id: String,
    pub cost: Cost,
    /// The models that cannot serve the request (a live call's fallbacks skip them).
    pub excluded: Vec<Exclusion>,
}

/// A request for a model the client named (the gateway's pass-through): nothing is routed, the
/// model's quota is counted and the decision logged as `route` logs one. Over its quota, the
/// error is [`Error::QuotasExhausted`] with the time of the next reset; a model that cannot
/// serve the request is [`Error::Unservable`].
pub fn decide_forced(
    config: &Config,
    store: &mut Store,
    req: &RouteRequest,
    model: crate::config::ModelId,
) -> Result<Forced> {
    let Plan { request_id, .. } = plan(config, req)?;
    let clock = Clock::new(config.timezone.clone())?;
    let day = clock.day();
    let input_tokens = req.prompt.input_tokens();
    let excluded = constraints::of_request(config, req.prompt, input_tokens);
    constraints::refuse_named(config, model, &excluded)?;
    let d = Decision::new(model, config.models[model].params, crate::router::Method::CLIENT, "requested");
    let cost = estimate(config, &d, input_tokens);
    let name = config.models[model].name.clone();
    let counted = store.count_and_log(&day, |usage| {
        let ok = crate::quota::QuotaView::available(&QuotaSnapshot::new(config, usage), model);
        let record = ok.then(|| DecisionRecord {
            request_id: request_id.clone(),
            ts: clock.now().timestamp().as_second(),
            prompt_hash: prompt_hash(&req.prompt.text),
            prompt: req.log_prompts.then(|| req.prompt.text.clone()),
            model: name.clone(),
            method: d.method.as_str().to_string(),
            rule: None,
            tier: None,
            strategy: "client".to_string(),
            estimated_cost: cost.usd,
            arm: Arm::Control.as_str().to_string(),
            input_tokens: Some(input_tokens),
            output_tokens: cost.output_tokens,
            cost: None,
        });
        (ok, ok.then(|| name.clone()), record)
    })?;
    if !counted {
        return Err(Error::QuotasExhausted {
            retry_after: clock.seconds_to_reset(),
            resets_at: rfc3339(&clock.next_reset()),
        });
    }
    Ok(Forced { decision: d, request_id, cost, excluded })
}

/// `route --force-model` and `ask --model`: [`decide_forced`] with the store at `state` (a dry run
/// only checks the model's quota), as a [`Routed`] like [`decide`]'s.
pub fn decide_named(config: &Config, state: Option<&Path>, req: &RouteRequest, name: &str) -> Result<Routed> {
    let model = config.model_id(name).ok_or_else(|| {
        let hint = crate::error::did_you_mean(name, config.models.iter().map(|m| m.name.as_str())).unwrap_or_default();
        Error::Usage(format!("--model: unknown model `{name}`{hint} (`llmroute models` lists the catalog)"))
    })?;
    let state = Location::resolve(state, config)?;
    let engine = std::sync::Arc::new(engine(config, req.model, Strategy::CHAIN, &state)?);
    let clock = Clock::new(config.timezone.clone())?;
    let (decision, request_id, cost, usage, excluded) = if req.dry_run {
        let Plan { request_id, .. } = plan(config, req)?;
        let input_tokens = req.prompt.input_tokens();
        let excluded = constraints::of_request(config, req.prompt, input_tokens);
        constraints::refuse_named(config, model, &excluded)?;
        let usage = match Store::open_read(&state)? {
            Some(mut store) => store.usage(&clock.day())?,
            None => BTreeMap::new(),
        };
        if !crate::quota::QuotaView::available(&QuotaSnapshot::new(config, &usage), model) {
            return Err(Error::QuotasExhausted {
                retry_after: clock.seconds_to_reset(),
                resets_at: rfc3339(&clock.next_reset()),
            });
        }
        let d = Decision::new(model, config.models[model].params, crate::router::Method::CLIENT, "requested");
        let cost = estimate(config, &d, input_tokens);
        (d, request_id, cost, usage, excluded)
    } else {
        let mut store = Store::open(&state)?;
        let f = decide_forced(config, &mut store, req, model)?;
        let usage = store.usage(&clock.day())?;
        (f.decision, f.request_id, f.cost, usage, f.excluded)
    };
    let (strategy, arm) = (Strategy::CHAIN, Arm::Control);
    Ok(Routed { engine, decision, trace: Vec::new(), request_id, strategy, arm, clock, state, cost, usage, excluded })
}

/// The models a live call tries: the routed model, then the models after it in the fallback
/// order (all of them, in order, when it is not in that order), skipping those `over` says are
/// over today's quota and those the constraint step ruled out.
pub fn call_order(
    config: &Config,
    first: crate::config::ModelId,
    over: &dyn Fn(crate::config::ModelId) -> bool,
    excluded: &[Exclusion],
) -> Vec<crate::config::ModelId> {
    let over = |m| over(m) || excluded.iter().any(|e| e.model == m);
    let fb = &config.chain.fallback;
    let after: Vec<crate::config::ModelId> = match fb.iter().position(|&m| m == first) {
        Some(i) => fb[i + 1..].to_vec(),
        None => fb.iter().copied().filter(|&m| m != first).collect(),
    };
    std::iter::once(first).chain(after.into_iter().filter(|&m| !over(m))).collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Source;

    fn config() -> Config {
        Config::from_str(crate::config::EMBEDDED_DEFAULT, Source::Embedded).unwrap_or_else(|e| panic!("{e}"))
    }

    fn names(c: &Config, ids: &[crate::config::ModelId]) -> Vec<String> {
        ids.iter().map(|&m| c.models[m].name.clone()).collect()
    }

    #[test]
    fn call_order_follows_the_fallback_list_after_the_routed_model() {
        let c = config();
        let id = |n: &str| c.require_model(n).unwrap_or_else(|e| panic!("{e}"));
        let none = |_| false;
        let order = call_order(&c, id("claude-3-haiku"), &none, &[]);
        assert_eq!(names(&c, &order), ["claude-3-haiku", "claude-3-sonnet", "gpt-4o"]);
        // The last of the list has nothing after it.
        assert_eq!(names(&c, &call_order(&c, id("gpt-4o"), &none, &[])), ["gpt-4o"]);
        // Models over quota and models ruled out are skipped, never the routed one.
        let over = |m| m == id("claude-3-sonnet");
        let excluded = [Exclusion { model: id("gpt-4o"), reason: "context".into() }];
        let order = call_order(&c, id("gpt-4o-mini"), &over, &excluded);
        assert_eq!(names(&c, &order), ["gpt-4o-mini", "claude-3-haiku"]);
        let order = call_order(&c, id("gpt-4o-mini"), &|m| m == id("gpt-4o-mini"), &[]);
        assert_eq!(names(&c, &order)[0], "gpt-4o-mini");
    }

    #[test]
    fn a_model_outside_the_fallback_list_is_followed_by_all_of_it() {
        let text = crate::config::EMBEDDED_DEFAULT.replace(
            "fallback = [\"gpt-4o-mini\", \"claude-3-haiku\", \"claude-3-sonnet\", \"gpt-4o\"]",
            "fallback = [\"gpt-4o\", \"gpt-4o-mini\"]",
        );
        let c = Config::from_str(&text, Source::Embedded).unwrap_or_else(|e| panic!("{e}"));
        let first = c.require_model("claude-3-haiku").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names(&c, &call_order(&c, first, &|_| false, &[])), ["claude-3-haiku", "gpt-4o", "gpt-4o-mini"]);
    }

    #[test]
    fn prompt_hash_is_sha256_hex() {
        assert_eq!(prompt_hash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(prompt_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn request_ids_are_fresh_and_shaped_alike() {
        let (a, b) = (new_request_id(), new_request_id());
        assert_ne!(a, b);
        for id in [a, b] {
            assert_eq!(id.len(), 18, "{id}");
            assert!(id.starts_with("r-") && id[2..].bytes().all(|c| c.is_ascii_hexdigit()), "{id}");
        }
    }

    #[test]
    fn every_method_is_logged_under_its_own_name() {
        let logged = crate::state::transfer::methods();
        let all: Vec<&str> = crate::router::Method::all().map(|m| m.as_str()).collect();
        assert_eq!(all, logged);
        // The built-in routers' methods in their order, a registered router's after them.
        assert_eq!(all[..4], ["rule", "ml", "difficulty", "adaptive"]);
        assert_eq!(all[all.len() - 2..], ["fallback", "client"]);
    }
}
