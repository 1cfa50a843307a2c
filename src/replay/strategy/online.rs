//! The adaptive router learning online: the engine's adaptive router decides each row with the
//! posteriors learned so far, then learns from the served model's recorded quality (a quality q
//! counts as q successes and 1 − q failures), as a deployment collecting feedback would.

use crate::replay::Setup;
use crate::replay::strategy::{Detail, Kind, ReplayStrategy, Step};
use crate::router::adaptive::{Posteriors, segment_into};
use crate::router::{Eval, Stage};

#[derive(Default)]
pub struct Online {
    posteriors: Posteriors,
    segment: String,
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
        vec![Stage::RULES, Stage::DIFFICULTY]
    }

    fn step(&mut self, setup: &Setup, row: usize, eval: &mut Eval, detail: bool) -> Step {
        segment_into(eval, &mut self.segment);
        let (model, _) = setup.engine.adaptive.pick(&self.posteriors, &self.segment, eval.text);
        let served = setup.serve[model];
        let max_tokens = setup.config.models[model].params.max_tokens;
        let mut s = Step::served(setup, row, served, setup.ds.cost(row, served, max_tokens));
        let q = if s.quality.is_finite() { s.quality.clamp(0.0, 1.0) } else { 0.0 };
        self.posteriors.add(&self.segment, model, q);
        if detail {
            s.detail = Some(Detail { model: Some(model), method: "adaptive", reason: self.segment.clone() });
        }
        s
    }
}
