//! `llmroute route`: decide which model answers one prompt, and count it against today's quota.

mod args;
pub use args::RouteArgs;

use crate::commands::Context;
use crate::error::Result;
use crate::output;
use crate::output::route::{Excluded, RouteReport};
use crate::router::service;

pub fn run(ctx: &Context, args: &RouteArgs) -> Result<()> {
    let config = ctx.config()?;
    let prompt = args.req.read_prompt()?;
    let req = args.req.route_request(&prompt, None, args.dry_run);
    let r = match &args.req.force_model {
        Some(name) => service::decide_named(&config, ctx.state.as_deref(), &req, name),
        None => service::decide(&config, ctx.state.as_deref(), &req),
    }
    .map_err(|e| output::format::refused(e, args.output.format()))?;
    let explain = args.explain.then(|| {
        let mut eval = r.engine.eval(&prompt.text, args.req.tag.as_deref());
        let breakdown = r.engine.difficulty.breakdown(eval.analysis());
        let tag = args.req.tag.as_deref();
        let ml_scores = r.engine.ml.as_ref().and_then(|m| m.scores(&config, &prompt.text));
        let outcome_scores = r.engine.ml.as_ref().and_then(|m| m.outcome_scores(&config, &prompt.text, tag));
        (breakdown, ml_scores, outcome_scores)
    });
    let (breakdown, ml_scores, outcome_scores) = explain.map_or((None, None, None), |(b, m, o)| (Some(b), m, o));
    let d = r.decision;
    let report = RouteReport {
        request_id: (!args.dry_run).then_some(r.request_id),
        // A named model was not routed: logged as the gateway logs a client's model.
        strategy: if args.req.force_model.is_some() { "client" } else { r.strategy.as_str() },
        arm: r.arm,
        model: config.models[d.model].name.clone(),
        estimated_cost_usd: output::round(r.cost.usd, 10),
        input_tokens: r.cost.input_tokens.unwrap_or(0),
        output_tokens: r.cost.output_tokens.unwrap_or(0),
        token_count: config.models[d.model].counting,
        params: d.params,
        reason: d.reason.to_string(),
        method: d.method.as_str(),
        rule: d.rule.as_deref().map(str::to_string),
        tier: d.tier.as_deref().map(str::to_string),
        difficulty: d.difficulty,
        note: d.note.as_deref().map(str::to_string),
        counted: !args.dry_run,
        stages: args.explain.then_some(r.trace),
        difficulty_breakdown: breakdown,
        ml_scores,
        outcome_scores,
        excluded: r
            .excluded
            .iter()
            .map(|e| Excluded { model: config.models[e.model].name.clone(), reason: e.reason.clone() })
            .collect(),
    };
    output::format::emit_report(&report, args.output.format())
}
