//! The cascade (`ask --cascade` replayed): the configured models cheapest first, each answer
//! checked, escalating until one is accepted or the attempts run out; every attempt is paid for.
//!
//! In a replay the check is the recorded quality reaching the threshold. A perfect check is an
//! upper bound no judge reaches, so the main row flips the check at the judge error rate
//! (`--judge-error-rate`, default [`crate::replay::DEFAULT_JUDGE_ERROR_RATE`], seeded) and the
//! perfect one is labelled as an upper bound.

use crate::config::Config;
use crate::cost::Cost;
use crate::error::Result;
use crate::replay::strategy::{Detail, Kind, ReplayStrategy, Step};
use crate::replay::{Options, Setup, names_to_candidates};
use crate::rng::{Rng, derive};
use crate::router::Eval;

/// The acceptance threshold and the most models tried: the flags, else `[cascade]`.
pub fn threshold_and_attempts(config: &Config, opt: &Options) -> (f64, usize) {
    (opt.cascade_threshold.unwrap_or(config.cascade.accept), opt.max_attempts.unwrap_or(config.cascade.max_attempts))
}

/// The data models tried, in order: `--cascade-models`, else `[cascade] models` as the data
/// serves them (a data model serving two catalog models is tried once).
pub fn models(setup: &Setup, opt: &Options, attempts: usize) -> Result<Vec<usize>> {
    let mut models = match &opt.cascade_models {
        Some(names) => names_to_candidates(setup.ds, setup.config, names, "--cascade-models")?,
        None => setup.config.cascade.models.iter().map(|&m| setup.serve[m]).collect(),
    };
    let mut seen = Vec::new();
    models.retain(|m| {
        let fresh = !seen.contains(m);
        seen.push(*m);
        fresh
    });
    models.truncate(attempts.max(1));
    Ok(models)
}

pub struct Cascade {
    models: Vec<usize>,
    threshold: f64,
    error_rate: f64,
    rng: Rng,
}

impl Cascade {
    pub fn new(models: Vec<usize>, threshold: f64, error_rate: f64, seed: u64) -> Cascade {
        Cascade { models, threshold, error_rate, rng: Rng::new(derive(seed, 0xCA5C)) }
    }
}

impl ReplayStrategy for Cascade {
    fn kind(&self) -> Kind {
        Kind::Cascade { upper_bound: self.error_rate == 0.0 }
    }

    fn label(&self, _: &Setup) -> String {
        if self.error_rate == 0.0 {
            "cascade, perfect self-check (upper bound)".to_string()
        } else {
            format!("cascade, judge error {:.0} %", self.error_rate * 100.0)
        }
    }

    fn step(&mut self, setup: &Setup, row: usize, _: &mut Eval, detail: bool) -> Step {
        let ds = setup.ds;
        let mut total = 0.0;
        let mut premium = false;
        let last = self.models.len() - 1;
        for (i, &m) in self.models.iter().enumerate() {
            let cost = ds.cost(row, m, None);
            total += cost.usd;
            premium |= m == setup.baseline;
            let mut accept = ds.q(row, m) >= self.threshold;
            if self.error_rate > 0.0 && self.rng.unit() < self.error_rate {
                accept = !accept;
            }
            if accept || i == last {
                let mut s = Step::served(setup, row, m, Cost { usd: total, ..cost });
                s.premium = premium;
                if detail {
                    let reason = if accept { format!("accepted at step {}", i + 1) } else { "last model".to_string() };
                    s.detail = Some(Detail { model: ds.models[m].catalog, method: "cascade", reason });
                }
                return s;
            }
        }
        // `models` is never empty (truncated to at least one).
        Step::served(setup, row, setup.cheapest, ds.cost(row, setup.cheapest, None))
    }
}
