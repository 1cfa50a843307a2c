//! The random mix: each request goes to the baseline with probability p and to the cheapest model
//! otherwise, p chosen so that the expected cost equals the chain's (RouterBench's random
//! router at the chain's cost). A router that is not above it adds nothing over chance.

use crate::replay::strategy::{Detail, Kind, ReplayStrategy, Step};
use crate::replay::{Run, Setup};
use crate::rng::{Rng, derive};
use crate::router::Eval;

pub struct RandomMix {
    p: f64,
    rng: Rng,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

impl RandomMix {
    pub fn new(setup: &Setup, runs: &[Run], chain: &Run, seed: u64) -> RandomMix {
        let cost_of = |m: usize| runs.iter().find(|r| r.kind == Kind::Single(m)).map_or(0.0, |r| mean(&r.cost));
        let (lo, hi) = (cost_of(setup.cheapest), cost_of(setup.baseline));
        let target = mean(&chain.cost);
        let p = if hi > lo { ((target - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 0.0 };
        RandomMix { p, rng: Rng::new(derive(seed, 0x7A4D)) }
    }
}

impl ReplayStrategy for RandomMix {
    fn kind(&self) -> Kind {
        Kind::RandomMix
    }

    fn label(&self, _: &Setup) -> String {
        "random mix at chain cost".to_string()
    }

    fn step(&mut self, setup: &Setup, row: usize, _: &mut Eval, detail: bool) -> Step {
        let m = if self.rng.unit() < self.p { setup.baseline } else { setup.cheapest };
        let mut s = Step::served(setup, row, m, setup.ds.cost(row, m, setup.max_tokens_of(m)));
        if detail {
            let reason = format!("baseline with p = {:.4}", self.p);
            s.detail = Some(Detail { model: setup.ds.models[m].catalog, method: "random", reason });
        }
        s
    }
}
