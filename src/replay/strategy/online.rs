//! The adaptive router learning online: the engine's adaptive router decides each row with the
//! posteriors learned so far, then learns from the served model's recorded quality (a quality q
//! counts as q successes and 1 − q failures), as a deployment collecting feedback would.

use crate::replay::Setup;
use crate::replay::strategy::{Detail, Kind, ReplayStrategy, Step};
use crate::router::adaptive::{Posteriors, segment};
use crate::router::{Eval, Stage};

pub struct Online {
    posteriors: Posteriors,
}

impl Online {
    pub fn new(_setup: &Setup, _seed: u64) -> Online {
        Online { posteriors: Posteriors::default() }
    }
}

impl ReplayStrategy for Online {
    fn kind(&self) -> Kind {
        Kind::AdaptiveOnline
    }

    fn label(&self, _: &Setup) -> String {
        "adaptive (learns online)".to_string()
    }

    fn stages(&self, _: &Setup) -> Vec<Stage> {
        // The segment: the matched rule, else the difficulty band.
        vec![Stage::Rules, Stage::Difficulty]
    }

    fn step(&mut self, setup: &Setup, row: usize, eval: &mut Eval, detail: bool) -> Step {
        let seg = segment(eval);
        let d = setup.engine.adaptive.decide(&self.posteriors, &seg, eval.text);
        let params = d.params.or(&setup.config.models[d.model].params);
        let served = setup.serve[d.model];
        let s = Step::served(setup, row, served, setup.ds.cost(row, served, params.max_tokens));
        let q = if s.quality.is_finite() { s.quality.clamp(0.0, 1.0) } else { 0.0 };
        self.posteriors.add(&seg, d.model, q);
        Step { detail: detail.then_some(Detail { model: Some(d.model), method: "adaptive", reason: seg }), ..s }
    }
}
