//! Replay: route historical requests with every strategy and measure cost and quality.
//!
//! Routers decide catalog models; the data records outcomes of its own models ("candidates").
//! A decision is served by the candidate that is that catalog model (`--map`, same name or
//! `model_id`); a catalog model absent from the data is served by the candidate at the same
//! relative position in the price order (cheapest ↔ cheapest, most expensive ↔ most expensive).

pub mod dataset;
pub mod metrics;

use serde::Serialize;

use crate::config::{Config, ModelId, StageName};
use crate::error::{Error, Result};
use crate::rng::{Rng, derive};
use crate::router::{Engine, Pick, Verdict, pick};
pub use dataset::{Dataset, Spec};
use metrics::CurvePoint;

/// Above this many rows the bootstrap resamples contiguous blocks instead of rows.
pub const BOOTSTRAP_BLOCKS: usize = 2_000;

/// The article's example traffic: ~11.7 M requests a year.
pub const DEFAULT_REQUESTS_PER_YEAR: f64 = 11_700_000.0;

#[derive(Debug, Clone)]
pub struct Options {
    pub candidates: Option<Vec<String>>,
    pub baseline: Option<String>,
    pub all_models: bool,
    pub requests_per_day: Option<u64>,
    pub requests_per_year: Option<f64>,
    pub cascade_threshold: f64,
    pub cascade_models: Option<Vec<String>>,
    pub max_attempts: usize,
    pub evaluator_error_rate: f64,
    pub consensus_models: Option<Vec<String>>,
    pub consensus_n: usize,
    pub bootstrap: usize,
    pub seed: u64,
    pub threads: usize,
}

/// Per-row outcome of one strategy.
#[derive(Debug, Clone)]
pub struct Run {
    pub name: String,
    pub kind: &'static str,
    pub cost: Vec<f64>,
    pub quality: Vec<f64>,
    pub premium: Vec<bool>,
    pub quota_fallbacks: usize,
    /// A per-row score that traces a cost–quality curve (difficulty, ML).
    pub score: Option<Vec<f64>>,
    pub shown: bool,
}

/// Catalog decisions of every router for every row (computed in parallel, once).
struct Routed {
    rules_chain: Vec<Option<ModelId>>,
    rules_alone: Vec<Option<ModelId>>,
    difficulty: Vec<Option<ModelId>>,
    difficulty_score: Vec<f64>,
    ml_chain: Vec<Option<ModelId>>,
    ml_alone: Vec<Option<ModelId>>,
    ml_score: Vec<f64>,
    /// Adaptive segment of each row (rule or difficulty band).
    segment: Vec<String>,
    declined: Vec<Option<ModelId>>,
}

/// Everything a replay produced, before aggregation.
pub struct Replay {
    pub candidates: Vec<usize>,
    pub baseline: usize,
    pub cheapest: usize,
    /// Catalog model -> candidate (index into `Dataset::models`).
    pub serve: Vec<usize>,
    pub runs: Vec<Run>,
    /// Indices in `runs` of the baseline's and the cheapest model's single-model runs.
    pub baseline_run: usize,
    pub cheapest_run: usize,
    pub quotas_applied: bool,
}

fn names_to_candidates(ds: &Dataset, config: &Config, names: &[String], flag: &str) -> Result<Vec<usize>> {
    names
        .iter()
        .map(|n| {
            ds.models
                .iter()
                .position(|m| m.name == *n || m.catalog.is_some_and(|c| config.models[c].name == *n))
                .ok_or_else(|| {
                    let known: Vec<&str> = ds.models.iter().map(|m| m.name.as_str()).collect();
                    let hint = crate::error::did_you_mean(n, known.iter().copied()).unwrap_or_default();
                    Error::Usage(format!(
                        "{flag}: `{n}` is not a model of the data{hint}; models: {}",
                        known.join(", ")
                    ))
                })
        })
        .collect()
}

/// Day index of each row for quotas: calendar days of the timestamps in the quota time zone, or
/// blocks of `per_day` rows.
fn days(ds: &Dataset, config: &Config, per_day: Option<u64>) -> Option<Vec<i64>> {
    if let Some(ts) = &ds.timestamps {
        // Logs are mostly in time order: reuse the last row's day within the same minute (every
        // time zone offset is a whole number of minutes).
        let mut last: Option<(i64, i64)> = None;
        return Some(
            ts.iter()
                .map(|&t| match last {
                    Some((minute, d)) if minute == t.div_euclid(60) => d,
                    _ => {
                        let d = crate::quota::day_index(t, &config.timezone);
                        last = Some((t.div_euclid(60), d));
                        d
                    }
                })
                .collect(),
        );
    }
    per_day.filter(|&p| p > 0).map(|p| (0..ds.n() as u64).map(|i| (i / p) as i64).collect())
}

fn route_all(ds: &Dataset, config: &Config, engine: &Engine, threads: usize) -> Routed {
    let n = ds.n();
    let chunk = n.div_ceil(threads.max(1)).max(1);
    let by_cost = config.models_by_cost();
    let position = |m: ModelId| by_cost.iter().position(|&x| x == m).unwrap_or(0) as f64;
    let parts: Vec<Routed> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                let end = (start + chunk).min(n);
                let position = &position;
                s.spawn(move || {
                    let mut r = Routed {
                        rules_chain: Vec::with_capacity(end - start),
                        rules_alone: Vec::with_capacity(end - start),
                        difficulty: Vec::with_capacity(end - start),
                        difficulty_score: Vec::with_capacity(end - start),
                        ml_chain: Vec::with_capacity(end - start),
                        ml_alone: Vec::with_capacity(end - start),
                        ml_score: Vec::with_capacity(end - start),
                        segment: Vec::with_capacity(end - start),
                        declined: Vec::new(),
                    };
                    let model_of = |v: Verdict| match v {
                        Verdict::Decide(d) => Some(d.model),
                        Verdict::Decline(_) => None,
                    };
                    let mut scratch = crate::ml::tfidf::Scratch::default();
                    for row in start..end {
                        let text = ds.texts.get(row);
                        let a = engine.analyze(text, None);
                        let chain_rule = engine.rules.in_chain.matching(&a).map(|(r, _)| r.model);
                        r.segment.push(engine.adaptive.segment(&a));
                        r.rules_chain.push(chain_rule);
                        r.rules_alone.push(chain_rule.or(Some(config.default_route.model)));
                        let score = engine.difficulty.score(&a);
                        r.difficulty.push(Some(engine.difficulty.band(score).model));
                        r.difficulty_score.push(score);
                        match &engine.ml {
                            Some(ml) => {
                                let p = ml.model.predict(text, &mut scratch);
                                // Expected position in the price order: higher = needs a stronger model.
                                let expected: f64 = p
                                    .proba
                                    .iter()
                                    .zip(&ml.model.labels)
                                    .map(|(pr, l)| pr * config.ml.model_for_label(config, l).map_or(0.0, position))
                                    .sum();
                                let v = model_of(ml.decide(&p));
                                r.ml_chain.push(v);
                                r.ml_alone.push(v.or(Some(config.ml.low_confidence_model)));
                                r.ml_score.push(expected);
                            }
                            None => {
                                r.ml_chain.push(None);
                                r.ml_alone.push(Some(config.ml.untrained_model));
                                r.ml_score.push(0.0);
                            }
                        }
                    }
                    r
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut all = Routed {
        rules_chain: Vec::with_capacity(n),
        rules_alone: Vec::with_capacity(n),
        difficulty: Vec::with_capacity(n),
        difficulty_score: Vec::with_capacity(n),
        ml_chain: Vec::with_capacity(n),
        ml_alone: Vec::with_capacity(n),
        ml_score: Vec::with_capacity(n),
        segment: Vec::with_capacity(n),
        declined: vec![None; n],
    };
    for p in parts {
        all.segment.extend(p.segment);
        all.rules_chain.extend(p.rules_chain);
        all.rules_alone.extend(p.rules_alone);
        all.difficulty.extend(p.difficulty);
        all.difficulty_score.extend(p.difficulty_score);
        all.ml_chain.extend(p.ml_chain);
        all.ml_alone.extend(p.ml_alone);
        all.ml_score.extend(p.ml_score);
    }
    all
}

/// Replays `ds` under every strategy.
pub fn simulate(ds: &Dataset, config: &Config, engine: &Engine, opt: &Options) -> Result<Replay> {
    let n = ds.n();
    let mut candidates: Vec<usize> = match &opt.candidates {
        Some(c) => names_to_candidates(ds, config, c, "--candidates")?,
        None => (0..ds.m()).collect(),
    };
    if candidates.is_empty() {
        return Err(Error::Usage("no candidate models".to_string()));
    }
    candidates.sort_by(|&a, &b| ds.models[a].mean_cost.total_cmp(&ds.models[b].mean_cost).then(a.cmp(&b)));
    candidates.dedup();
    let cheapest = candidates[0];
    let baseline = match &opt.baseline {
        Some(b) => names_to_candidates(ds, config, std::slice::from_ref(b), "--baseline")?[0],
        None => candidates[candidates.len() - 1],
    };
    // Catalog model -> candidate.
    let by_cost = config.models_by_cost();
    let k = candidates.len();
    let serve: Vec<usize> = (0..config.models.len())
        .map(|cm| {
            if let Some(&c) = candidates.iter().find(|&&c| ds.models[c].catalog == Some(cm)) {
                return c;
            }
            let pos = by_cost.iter().position(|&x| x == cm).unwrap_or(0) as f64;
            let frac = if by_cost.len() > 1 { pos / (by_cost.len() - 1) as f64 } else { 0.0 };
            candidates[((frac * (k - 1) as f64).round() as usize).min(k - 1)]
        })
        .collect();

    let routed = if ds.missing_text < n { Some(route_all(ds, config, engine, opt.threads)) } else { None };
    let day_of = days(ds, config, opt.requests_per_day);
    let quotas_applied = day_of.is_some();

    let row_outcome = |cand: usize, row: usize| (ds.c(row, cand), ds.q(row, cand), cand == baseline);
    let mut runs: Vec<Run> = Vec::new();
    let new_run = |name: String, kind: &'static str| Run {
        name,
        kind,
        cost: Vec::with_capacity(n),
        quality: Vec::with_capacity(n),
        premium: Vec::with_capacity(n),
        quota_fallbacks: 0,
        score: None,
        shown: true,
    };

    // Single models.
    for &c in &candidates {
        let mut r = new_run(format!("all {}", ds.models[c].name), "single");
        r.shown = opt.all_models || c == baseline || c == cheapest;
        for row in 0..n {
            let (cost, q, p) = row_outcome(c, row);
            r.cost.push(cost);
            r.quality.push(q);
            r.premium.push(p);
        }
        runs.push(r);
    }

    // Routers through the chain's quota semantics.
    if let Some(routed) = &routed {
        let stage_list = |s: &StageName| -> &Vec<Option<ModelId>> {
            match s {
                StageName::Rules => &routed.rules_chain,
                StageName::Ml => &routed.ml_chain,
                StageName::Difficulty => &routed.difficulty,
                // The adaptive router learns online over the data's models (its own strategy
                // row); as a chain stage in a replay it declines.
                StageName::Adaptive => &routed.declined,
            }
        };
        let chain_stages: Vec<&Vec<Option<ModelId>>> = config.chain.stages.iter().map(stage_list).collect();
        // (name, kind, stage decisions, curve score)
        type Plan<'p> = (&'p str, &'static str, Vec<&'p Vec<Option<ModelId>>>, Option<&'p Vec<f64>>);
        let mut plans: Vec<Plan> = vec![
            ("rules", "router", vec![&routed.rules_alone], None),
            ("difficulty", "router", vec![&routed.difficulty], Some(&routed.difficulty_score)),
        ];
        if engine.ml.is_some() {
            plans.push(("ml", "router", vec![&routed.ml_alone], Some(&routed.ml_score)));
        }
        plans.push(("chain", "router", chain_stages, None));
        for (name, kind, stages, score) in plans {
            let mut r = new_run(name.to_string(), kind);
            let mut quota = crate::quota::DayQuota::new(config);
            for row in 0..n {
                let stage_models = || stages.iter().map(|s| s[row]);
                let chosen = match &day_of {
                    Some(days) => {
                        quota.set_day(days[row]);
                        let p = pick(stage_models(), &config.chain.fallback, &quota);
                        let free = pick(stage_models(), &config.chain.fallback, &crate::router::chain::Unlimited);
                        if p != free {
                            r.quota_fallbacks += 1;
                        }
                        let m = match p {
                            Pick::Stage(i) => stages[i][row],
                            Pick::Fallback(m) => Some(m),
                            Pick::Exhausted => None,
                        };
                        if let Some(m) = m {
                            quota.count(m);
                        }
                        m
                    }
                    None => match pick(stage_models(), &config.chain.fallback, &crate::router::chain::Unlimited) {
                        Pick::Stage(i) => stages[i][row],
                        Pick::Fallback(m) => Some(m),
                        Pick::Exhausted => None,
                    },
                };
                let (cost, q, p) = match chosen {
                    Some(m) => row_outcome(serve[m], row),
                    // Every quota exhausted: the request is refused (no cost, no answer).
                    None => (0.0, 0.0, false),
                };
                r.cost.push(cost);
                r.quality.push(q);
                r.premium.push(p);
            }
            r.score = score.cloned();
            runs.push(r);
        }
    }

    // Adaptive: online Thompson sampling over the candidates, per segment, learning from each
    // row's recorded quality as the log goes by.
    if let Some(routed) = &routed
        && ds.quality_known
    {
        let mut r = new_run("adaptive (learns online)".to_string(), "adaptive");
        let mut post = crate::router::adaptive::Posteriors::default();
        let mut rng = Rng::new(derive(opt.seed ^ config.adaptive.seed, 0xADA));
        for row in 0..n {
            let seg = &routed.segment[row];
            let (m, _) = crate::router::adaptive::choose(&post, seg, &candidates, config.adaptive.target, &mut rng);
            let (cost, q, p) = row_outcome(m, row);
            post.add(seg, m, if q.is_finite() { q.clamp(0.0, 1.0) } else { 0.0 });
            r.cost.push(cost);
            r.quality.push(q);
            r.premium.push(p);
        }
        runs.push(r);
    }

    // Cascade: cheapest first; accept when the recorded quality reaches the threshold, with the
    // self-check wrong at `evaluator_error_rate`; every attempt is paid for.
    let cascade: Vec<usize> = match &opt.cascade_models {
        Some(c) => names_to_candidates(ds, config, c, "--cascade-models")?,
        None => spread(&candidates, opt.max_attempts.max(1)),
    };
    {
        let mut r = new_run("cascade".to_string(), "cascade");
        let mut rng = Rng::new(derive(opt.seed, 0xCA5C));
        let tries = cascade.len().min(opt.max_attempts.max(1));
        for row in 0..n {
            let mut cost = 0.0;
            for (i, &m) in cascade.iter().take(tries).enumerate() {
                cost += ds.c(row, m);
                let mut accept = ds.q(row, m) >= opt.cascade_threshold;
                if opt.evaluator_error_rate > 0.0 && rng.unit() < opt.evaluator_error_rate {
                    accept = !accept;
                }
                if accept || i + 1 == tries {
                    r.cost.push(cost);
                    r.quality.push(ds.q(row, m));
                    r.premium.push(m == baseline);
                    break;
                }
            }
        }
        r.name = format!(
            "cascade ({})",
            cascade.iter().take(tries).map(|&m| short(&ds.models[m].name)).collect::<Vec<_>>().join(" → ")
        );
        runs.push(r);
    }

    // Consensus: several models answer, the majority wins.
    let voters: Vec<usize> = match &opt.consensus_models {
        Some(c) => names_to_candidates(ds, config, c, "--consensus-models")?,
        None => candidates.iter().rev().take(opt.consensus_n.max(1)).copied().collect(),
    };
    {
        let mut r = new_run(
            format!("consensus ({})", voters.iter().map(|&m| short(&ds.models[m].name)).collect::<Vec<_>>().join(", ")),
            "consensus",
        );
        let priciest = *voters
            .iter()
            .max_by(|&&a, &&b| ds.models[a].mean_cost.total_cmp(&ds.models[b].mean_cost))
            .unwrap_or(&baseline);
        let mut qs: Vec<f64> = Vec::with_capacity(voters.len());
        for row in 0..n {
            let cost: f64 = voters.iter().map(|&m| ds.c(row, m)).sum();
            let quality = match &ds.answers {
                Some(ans) => {
                    let mut votes: Vec<(u32, usize)> = Vec::new();
                    for &m in &voters {
                        let a = ans[row * ds.m() + m];
                        if a == u32::MAX {
                            continue;
                        }
                        match votes.iter_mut().find(|(x, _)| *x == a) {
                            Some(v) => v.1 += 1,
                            None => votes.push((a, 1)),
                        }
                    }
                    match votes.iter().find(|(_, c)| *c * 2 > voters.len()) {
                        Some(&(a, _)) => {
                            let with: Vec<f64> =
                                voters.iter().filter(|&&m| ans[row * ds.m() + m] == a).map(|&m| ds.q(row, m)).collect();
                            with.iter().sum::<f64>() / with.len() as f64
                        }
                        None => ds.q(row, priciest),
                    }
                }
                None => {
                    qs.clear();
                    qs.extend(voters.iter().map(|&m| ds.q(row, m)));
                    qs.sort_by(f64::total_cmp);
                    let mid = qs.len() / 2;
                    if qs.len() % 2 == 1 { qs[mid] } else { (qs[mid - 1] + qs[mid]) / 2.0 }
                }
            };
            r.cost.push(cost);
            r.quality.push(quality);
            r.premium.push(voters.contains(&baseline));
        }
        runs.push(r);
    }

    // Random mix of the cheapest and the baseline at the chain's cost.
    let chain_cost = runs.iter().find(|r| r.name == "chain").map(|r| r.cost.iter().sum::<f64>() / n as f64);
    if let Some(target) = chain_cost {
        let lo = ds.models[cheapest].mean_cost;
        let hi = ds.models[baseline].mean_cost;
        let p = if hi > lo { ((target - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 0.0 };
        let mut r = new_run(format!("random mix at chain cost ({:.0} % premium)", p * 100.0), "random");
        let mut rng = Rng::new(derive(opt.seed, 0x7A4D));
        for row in 0..n {
            let m = if rng.unit() < p { baseline } else { cheapest };
            let (cost, q, pr) = row_outcome(m, row);
            r.cost.push(cost);
            r.quality.push(q);
            r.premium.push(pr);
        }
        runs.push(r);
    }

    // Oracle: the cheapest candidate with the row's best quality; among equal qualities a recorded
    // outcome goes before an empty cell (as RouterBench's `oracle_model_to_route_to`).
    if ds.quality_known {
        let mut r = new_run("oracle (upper bound)".to_string(), "oracle");
        for row in 0..n {
            let best = candidates.iter().map(|&m| ds.q(row, m)).filter(|q| q.is_finite()).fold(f64::NAN, f64::max);
            let m = if best.is_finite() {
                let empty = |m: usize| ds.empty.get(row * ds.m() + m).copied().unwrap_or(false);
                *candidates
                    .iter()
                    .filter(|&&m| ds.q(row, m) == best)
                    .min_by(|&&a, &&b| empty(a).cmp(&empty(b)).then(ds.c(row, a).total_cmp(&ds.c(row, b))))
                    .unwrap_or(&cheapest)
            } else {
                cheapest
            };
            let (cost, q, p) = row_outcome(m, row);
            r.cost.push(cost);
            r.quality.push(q);
            r.premium.push(p);
        }
        runs.push(r);
    }

    // Single-model runs come first, in candidate order.
    let run_of = |m: usize| candidates.iter().position(|&c| c == m).unwrap_or(0);
    let (baseline_run, cheapest_run) = (run_of(baseline), run_of(cheapest));
    Ok(Replay { candidates, baseline, cheapest, serve, runs, baseline_run, cheapest_run, quotas_applied })
}

/// `count` candidates spread over the price order, always the cheapest and the most expensive.
fn spread(cands: &[usize], count: usize) -> Vec<usize> {
    if cands.len() <= count {
        return cands.to_vec();
    }
    let mut out: Vec<usize> = (0..count)
        .map(|i| cands[((i as f64 / (count - 1).max(1) as f64) * (cands.len() - 1) as f64).round() as usize])
        .collect();
    out.dedup();
    out
}

/// The part of a model name after the last `/`.
pub fn short(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// One strategy's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub name: String,
    pub kind: &'static str,
    pub avg_cost: f64,
    /// Mean quality over rows with a known quality; `None` when unknown.
    pub quality: Option<f64>,
    pub premium_share: f64,
    pub annual_savings: f64,
    pub quota_fallbacks: usize,
    /// Performance gap recovered between the cheapest model and the baseline.
    pub pgr: Option<f64>,
    /// Quality above (or below) the mix of single models at the same cost.
    pub delta_hull: Option<f64>,
    pub ci: Ci,
    /// Whether the table shows it (single models: the baseline and the cheapest, or all with
    /// `--all-models`); JSON and CSV list every strategy.
    #[serde(skip)]
    pub shown: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ci {
    pub avg_cost: Option<(f64, f64)>,
    pub quality: Option<(f64, f64)>,
}

fn mean_finite(v: &[f64], rows: Option<&[usize]>) -> Option<f64> {
    let (mut s, mut c) = (0.0, 0usize);
    let mut add = |x: f64| {
        if x.is_finite() {
            s += x;
            c += 1;
        }
    };
    match rows {
        Some(rs) => rs.iter().for_each(|&r| add(v[r])),
        None => v.iter().for_each(|&x| add(x)),
    }
    (c > 0).then(|| s / c as f64)
}

/// Aggregates runs over `rows` (all rows when `None`).
pub fn summarize(
    replay: &Replay,
    rows: Option<&[usize]>,
    requests_per_year: f64,
    bootstrap: usize,
    seed: u64,
) -> Vec<Summary> {
    let n = rows.map_or_else(|| replay.runs.first().map_or(0, |r| r.cost.len()), <[usize]>::len).max(1) as f64;
    let avg = |r: &Run| -> (f64, Option<f64>, f64) {
        let cost = mean_finite(&r.cost, rows).unwrap_or(0.0);
        let q = mean_finite(&r.quality, rows);
        let prem = match rows {
            Some(rs) => rs.iter().filter(|&&i| r.premium[i]).count(),
            None => r.premium.iter().filter(|&&p| p).count(),
        } as f64
            / n;
        (cost, q, prem)
    };
    let single: Vec<(f64, f64)> =
        replay.runs.iter().filter(|r| r.kind == "single").map(avg).filter_map(|(c, q, _)| q.map(|q| (c, q))).collect();
    let h = metrics::hull(&single);
    let (base_cost, base_q) = {
        let b = avg(&replay.runs[replay.baseline_run]);
        (b.0, b.1)
    };
    let cheapest_q = avg(&replay.runs[replay.cheapest_run]).1;
    replay
        .runs
        .iter()
        .map(|r| {
            let (cost, q, prem) = avg(r);
            let sub = |v: &[f64]| -> Vec<f64> {
                match rows {
                    Some(rs) => rs.iter().map(|&i| v[i]).collect(),
                    None => v.to_vec(),
                }
            };
            Summary {
                name: r.name.clone(),
                kind: r.kind,
                avg_cost: cost,
                quality: q,
                premium_share: prem,
                annual_savings: (base_cost - cost) * requests_per_year,
                quota_fallbacks: match rows {
                    Some(_) => 0,
                    None => r.quota_fallbacks,
                },
                pgr: match (q, cheapest_q, base_q) {
                    (Some(q), Some(w), Some(s)) => metrics::pgr(q, w, s),
                    _ => None,
                },
                delta_hull: q.and_then(|q| metrics::hull_at(&h, cost).map(|hq| q - hq)),
                ci: Ci {
                    avg_cost: metrics::bootstrap_mean(&sub(&r.cost), bootstrap, seed, BOOTSTRAP_BLOCKS),
                    quality: q
                        .and_then(|_| metrics::bootstrap_mean(&sub(&r.quality), bootstrap, seed ^ 1, BOOTSTRAP_BLOCKS)),
                },
                shown: r.shown,
            }
        })
        .collect()
}

/// Quality and cost of a run per tenth of the log (the adaptive router's learning curve).
#[derive(Debug, Clone, Serialize)]
pub struct CurveStep {
    pub from_row: usize,
    pub to_row: usize,
    pub avg_cost: f64,
    pub quality: Option<f64>,
}

pub fn learning_curve(run: &Run) -> Vec<CurveStep> {
    let n = run.cost.len();
    (0..10)
        .filter_map(|d| {
            let (a, b) = (d * n / 10, (d + 1) * n / 10);
            (b > a).then(|| {
                let rows: Vec<usize> = (a..b).collect();
                CurveStep {
                    from_row: a,
                    to_row: b,
                    avg_cost: mean_finite(&run.cost, Some(&rows)).unwrap_or(0.0),
                    quality: mean_finite(&run.quality, Some(&rows)),
                }
            })
        })
        .collect()
}

/// Threshold curves of the scoring strategies, between the cheapest model and the baseline.
pub fn curves(ds: &Dataset, replay: &Replay) -> Vec<(String, Vec<CurvePoint>)> {
    if !ds.quality_known {
        return Vec::new();
    }
    let n = ds.n();
    let col = |m: usize| -> (Vec<f64>, Vec<f64>) {
        ((0..n).map(|r| ds.c(r, m)).collect(), (0..n).map(|r| ds.q(r, m)).collect())
    };
    let (sc, sq) = col(replay.baseline);
    let (wc, wq) = col(replay.cheapest);
    let mut out = Vec::new();
    for r in &replay.runs {
        if let Some(score) = &r.score {
            out.push((r.name.clone(), metrics::threshold_curve(score, (&sc, &sq), (&wc, &wq))));
        }
    }
    // The random router's expected curve is the straight line between the two models.
    let line: Vec<CurvePoint> = (0..=20)
        .map(|i| {
            let s = f64::from(i) / 20.0;
            let mean = |v: &[f64]| v.iter().sum::<f64>() / n.max(1) as f64;
            CurvePoint {
                premium_share: s,
                cost: mean(&wc) + s * (mean(&sc) - mean(&wc)),
                quality: mean(&wq) + s * (mean(&sq) - mean(&wq)),
            }
        })
        .collect();
    out.push(("random".to_string(), line));
    // The oracle's curve: strong only where it helps, most helpful first.
    let gain: Vec<f64> = (0..n).map(|r| sq[r] - wq[r]).collect();
    out.push(("oracle".to_string(), metrics::threshold_curve(&gain, (&sc, &sq), (&wc, &wq))));
    out
}
