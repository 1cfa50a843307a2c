//! The adaptive router: learns from feedback, per segment, the cheapest model that is good enough.
//!
//! A segment is the matched rule, else the difficulty band. For every (segment, model) it keeps a
//! Beta posterior of the success rate (prior Beta(1, 1); a success is `success = true`, or a rating
//! at or above `[adaptive] success_rating`; replay adds a recorded quality q as q successes and
//! 1 − q failures). To route, it draws one sample per model (Thompson sampling) and picks the
//! cheapest model whose sample reaches `[adaptive] target`, else the model with the best sample.
//!
//! Why Thompson sampling rather than UCB with a cost penalty: the decision we need is "is this
//! cheap model good enough *here*", a threshold on a success rate, not a trade-off weight between
//! quality and dollars that someone would have to tune. Sampling the posterior answers exactly
//! that, explores a cheap model in proportion to the chance that it clears the bar, and needs no
//! exploration constant. With the seed fixed, a decision is reproducible for the same prompt and
//! the same feedback.

use crate::config::{Config, ModelId, Params};
use crate::error::Result;
use crate::rng::{Rng, derive};
use crate::router::{Decision, Eval, Label, Method, Router, Stage, Verdict};
use crate::state::{FeedbackRecord, Store};

/// Success / failure pseudo-counts per segment and model.
#[derive(Debug, Clone, Default)]
pub struct Posteriors {
    /// segment -> (successes, failures) by model id.
    counts: rustc_hash::FxHashMap<String, Vec<(f64, f64)>>,
    /// Observations so far (each adds one success-or-failure unit).
    observations: u64,
}

impl Posteriors {
    pub fn add(&mut self, segment: &str, model: ModelId, success: f64) {
        let per_model = match self.counts.get_mut(segment) {
            Some(v) => v,
            None => self.counts.entry(segment.to_string()).or_default(),
        };
        if per_model.len() <= model {
            per_model.resize(model + 1, (0.0, 0.0));
        }
        per_model[model].0 += success;
        per_model[model].1 += 1.0 - success;
        self.observations += 1;
    }

    pub fn get(&self, segment: &str, model: ModelId) -> (f64, f64) {
        self.counts.get(segment).and_then(|v| v.get(model)).copied().unwrap_or((0.0, 0.0))
    }

    /// The number of observations (the same whatever order they came in).
    pub fn total(&self) -> f64 {
        self.observations as f64
    }
}

/// Standard normal by Box–Muller.
fn normal(rng: &mut Rng) -> f64 {
    let u1 = rng.unit().max(f64::MIN_POSITIVE);
    let u2 = rng.unit();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Gamma(shape, 1) for shape >= 1 (Marsaglia–Tsang); smaller shapes by boosting.
fn gamma(rng: &mut Rng, shape: f64) -> f64 {
    if shape < 1.0 {
        let u = rng.unit().max(f64::MIN_POSITIVE);
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = rng.unit();
        if u < 1.0 - 0.0331 * x.powi(4) || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

/// A draw from Beta(a, b).
pub fn beta(rng: &mut Rng, a: f64, b: f64) -> f64 {
    let x = gamma(rng, a);
    let y = gamma(rng, b);
    if x + y > 0.0 { x / (x + y) } else { 0.5 }
}

/// Thompson choice among `models` (cheapest first): the cheapest whose sampled success rate
/// reaches `target`, else the best sample. Returns the model and its sample.
pub fn choose(post: &Posteriors, segment: &str, models: &[ModelId], target: f64, rng: &mut Rng) -> (ModelId, f64) {
    let mut best = (models[0], f64::MIN);
    let mut chosen = None;
    let counts = post.counts.get(segment);
    for &m in models {
        let (s, f) = counts.and_then(|v| v.get(m)).copied().unwrap_or((0.0, 0.0));
        let p = beta(rng, 1.0 + s, 1.0 + f);
        if chosen.is_none() && p >= target {
            chosen = Some((m, p));
        }
        if p > best.1 {
            best = (m, p);
        }
    }
    chosen.unwrap_or(best)
}

/// The segment of a request: the matched rule, else the difficulty band (read from the
/// evaluation, so the rules and the score are not computed again).
pub fn segment(eval: &mut Eval) -> String {
    let mut s = String::new();
    segment_into(eval, &mut s);
    s
}

/// [`segment`] into a reused buffer.
pub fn segment_into(eval: &mut Eval, out: &mut String) {
    out.clear();
    if let Verdict::Decide(d) = eval.verdict(Stage::RULES) {
        out.push_str("rule:");
        out.push_str(&d.reason);
        return;
    }
    out.push_str("band:");
    if let Some(d) = eval.verdict(Stage::DIFFICULTY).decision() {
        out.push_str(&d.reason);
    }
}

/// Whether a feedback record counts as a success: its `success` flag, else its rating against
/// the bar.
pub fn success(r: &FeedbackRecord, success_rating: f64) -> Option<bool> {
    r.success.or(r.rating.map(|x| x >= success_rating))
}

/// The segment a feedback record belongs to: its rule, else the difficulty band or adaptive
/// segment its decision recorded.
pub fn record_segment(r: &FeedbackRecord) -> Option<String> {
    if let Some(rule) = r.rule.as_deref().filter(|x| !x.is_empty() && *x != "default") {
        return Some(format!("rule:{rule}"));
    }
    match (r.method.as_deref(), r.tier.as_deref()) {
        (Some("difficulty"), Some(t)) => Some(format!("band:{t}")),
        (Some("adaptive"), Some(t)) => Some(t.to_string()),
        _ => None,
    }
}

/// Posteriors rebuilt from every feedback record of the store.
pub fn posteriors(config: &Config, store: &mut Store) -> Result<Posteriors> {
    let records = store.feedback_since(None)?;
    let mut p = Posteriors::default();
    for r in &records {
        if let (Some(seg), Some(m), Some(ok)) =
            (record_segment(r), config.model_id(&r.model), success(r, config.adaptive.success_rating))
        {
            p.add(&seg, m, if ok { 1.0 } else { 0.0 });
        }
    }
    Ok(p)
}

pub struct Adaptive {
    pub posteriors: Posteriors,
    /// Catalog models, cheapest first.
    pub models: Vec<ModelId>,
    pub target: f64,
    pub seed: u64,
}

impl Adaptive {
    /// An adaptive router without feedback yet.
    pub fn new(config: &Config) -> Adaptive {
        Adaptive {
            posteriors: Posteriors::default(),
            models: config.models_by_cost(),
            target: config.adaptive.target,
            seed: config.adaptive.seed,
        }
    }

    /// The model for a request of `segment` with these posteriors (the router's own, or the
    /// ones replay learns online), and its sampled success rate.
    pub fn pick(&self, posteriors: &Posteriors, segment: &str, text: &str) -> (ModelId, f64) {
        // Reproducible per prompt and per state of the feedback.
        let mut rng = Rng::new(derive(self.seed ^ text_hash(text), posteriors.total().to_bits()));
        choose(posteriors, segment, &self.models, self.target, &mut rng)
    }

    /// The decision for a request of `segment`, with the sample that chose it.
    pub fn decide(&self, posteriors: &Posteriors, segment: &str, text: &str) -> Decision {
        let (m, p) = self.pick(posteriors, segment, text);
        let (s, f) = posteriors.get(segment, m);
        let mut d = Decision::new(m, Params::default(), Method::ADAPTIVE, segment.to_string());
        d.rule = segment.strip_prefix("rule:").map(|r| Label::from(r.to_string()));
        d.tier = Some(d.reason.clone());
        d.note = Some(Label::from(format!(
            "sampled success {p:.2} (target {:.2}) from {s:.0} successes / {f:.0} failures in `{segment}`",
            self.target
        )));
        d
    }
}

fn text_hash(t: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in t.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Router for Adaptive {
    fn stage(&self) -> &'static str {
        "adaptive"
    }

    fn route(&self, eval: &mut Eval) -> Verdict {
        let seg = segment(eval);
        Verdict::Decide(self.decide(&self.posteriors, &seg, eval.text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_samples_have_the_right_mean() {
        let mut rng = Rng::new(1);
        let n = 20_000;
        let mean: f64 = (0..n).map(|_| beta(&mut rng, 8.0, 2.0)).sum::<f64>() / f64::from(n);
        assert!((mean - 0.8).abs() < 0.01, "{mean}");
        let mean: f64 = (0..n).map(|_| beta(&mut rng, 0.5, 0.5)).sum::<f64>() / f64::from(n);
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
    }

    #[test]
    fn converges_to_the_cheapest_good_enough_model_per_segment() {
        // Models 0 (cheap) and 1 (premium). Segment "easy": the cheap model succeeds 95 %;
        // segment "hard": it succeeds 30 %, the premium one 95 %.
        let mut post = Posteriors::default();
        let mut rng = Rng::new(7);
        let mut world = Rng::new(8);
        let mut late = std::collections::HashMap::new();
        for step in 0..4000 {
            let seg = if step % 2 == 0 { "easy" } else { "hard" };
            let (m, _) = choose(&post, seg, &[0, 1], 0.8, &mut rng);
            let p = match (seg, m) {
                ("easy", 0) => 0.95,
                ("hard", 0) => 0.30,
                _ => 0.95,
            };
            post.add(seg, m, if world.unit() < p { 1.0 } else { 0.0 });
            if step >= 3000 {
                *late.entry((seg, m)).or_insert(0) += 1;
            }
        }
        let share = |seg: &str, m: usize| f64::from(late.get(&(seg, m)).copied().unwrap_or(0)) / 500.0;
        assert!(share("easy", 0) > 0.9, "easy: cheap share {}", share("easy", 0));
        assert!(share("hard", 1) > 0.9, "hard: premium share {}", share("hard", 1));
    }
}
