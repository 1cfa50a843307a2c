//! A routing strategy of the engine (rules, difficulty, ml, the chain, adaptive): each row is
//! decided by the same chain `route` uses, over the same evaluation, with daily quotas counted
//! per day of the log. Under a `[canary]` the chain row is the gray release itself: each row's
//! arm comes from its id exactly as `route --request-id` assigns it.

use crate::cost::Cost;
use crate::quota::DayQuota;
use crate::replay::Setup;
use crate::replay::strategy::{Detail, Kind, ReplayStrategy, Step};
use crate::router::service::assign;
use crate::router::{Chain, Eval, Stage, Strategy, Unlimited};

pub struct Routed<'a> {
    strategy: Strategy,
    gray: bool,
    chains: Vec<(Strategy, Chain<'a>)>,
    quota: DayQuota<'a>,
}

impl<'a> Routed<'a> {
    pub fn new(setup: &Setup<'a>, strategy: Strategy, gray: bool) -> Routed<'a> {
        let (config, engine) = (setup.config, setup.engine);
        let mut chains = vec![(strategy, engine.chain(config, strategy))];
        if let Some(c) = config.canary.as_ref().filter(|_| gray) {
            chains.push((c.strategy, engine.chain(config, c.strategy)));
        }
        Routed { strategy, gray, chains, quota: DayQuota::new(config) }
    }
}

impl ReplayStrategy for Routed<'_> {
    fn kind(&self) -> Kind {
        Kind::Router { strategy: self.strategy, gray: self.gray }
    }

    fn label(&self, setup: &Setup) -> String {
        match (&setup.config.canary, self.gray) {
            (Some(c), true) => {
                format!(
                    "{} (gray release: {:.0} % on {})",
                    self.strategy.as_str(),
                    c.share * 100.0,
                    c.strategy.as_str()
                )
            }
            _ if self.strategy == Strategy::Ml && setup.engine.ml.is_none() => {
                let m = &setup.config.models[setup.config.ml.untrained_model].name;
                format!("ml (no trained model: all {m})")
            }
            _ => self.strategy.as_str().to_string(),
        }
    }

    fn stages(&self, _: &Setup) -> Vec<Stage> {
        self.chains.iter().flat_map(|(_, c)| c.stages().to_vec()).collect()
    }

    fn step(&mut self, setup: &Setup, row: usize, eval: &mut Eval, detail: bool) -> Step {
        let (strategy, arm) = if self.gray {
            assign(setup.config, Strategy::Chain, setup.ds.ids.get(row))
        } else {
            (self.strategy, crate::canary::Arm::Control)
        };
        let chain = match self.chains.iter().find(|(s, _)| *s == strategy) {
            Some((_, c)) => c,
            None => &self.chains[0].1,
        };
        let (pick, fallback) = match &setup.days {
            Some(days) => {
                self.quota.set_day(days[row]);
                let p = chain.pick(eval, &self.quota);
                (p, p != chain.pick(eval, &Unlimited))
            }
            None => (chain.pick(eval, &Unlimited), false),
        };
        let score = match self.strategy {
            Strategy::Difficulty => eval.verdict(Stage::Difficulty).decision().and_then(|d| d.difficulty),
            Strategy::Ml => {
                let engine = eval.engine();
                match (&engine.ml, eval.prediction()) {
                    (Some(ml), Some(p)) => Some(ml.expected_rank(p)),
                    _ => None,
                }
            }
            _ => None,
        };
        let mut step = match chain.chosen(eval, pick) {
            Some(c) => {
                self.quota.count(c.model);
                let served = setup.serve[c.model];
                let mut s = Step::served(setup, row, served, setup.ds.cost(row, served, c.params.max_tokens));
                if detail {
                    s.detail =
                        Some(Detail { model: Some(c.model), method: c.method.as_str(), reason: c.reason.to_string() });
                }
                s
            }
            None => Step {
                served: None,
                cost: Cost {
                    usd: 0.0,
                    source: crate::cost::CostSource::Estimated,
                    input_tokens: None,
                    output_tokens: None,
                },
                // A refused request gets no answer.
                quality: if setup.ds.quality_known { 0.0 } else { f64::NAN },
                premium: false,
                quota_fallback: false,
                arm: None,
                score: None,
                detail: detail.then(|| Detail {
                    model: None,
                    method: "refused",
                    reason: "all_quotas_exhausted".to_string(),
                }),
            },
        };
        step.quota_fallback = fallback;
        step.score = score;
        if self.gray {
            step.arm = Some(arm);
        }
        step
    }
}
