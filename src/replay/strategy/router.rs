//! A routing strategy of the engine (each router of the registry alone, the chain): each row is
//! decided by the same chain `route` uses, over the same evaluation, with daily quotas counted
//! per day of the log. Under a `[canary]` the chain row is the gray release itself: each row's
//! arm comes from its id exactly as `route --request-id` assigns it.
//!
//! With an outcome model, the ML strategy also sweeps λ: each row's prediction is asked for its
//! choice at every λ of the model's grid ([`crate::router::MlRouter::choose`], the function its
//! decisions come from), which traces the router's whole cost–quality curve.

use crate::quota::DayQuota;
use crate::replay::Setup;
use crate::replay::metrics::CurvePoint;
use crate::replay::strategy::{Detail, Kind, ReplayStrategy, Step};
use crate::router::service::assign;
use crate::router::{Chain, Eval, Pick, Stage, Strategy, Unlimited};

pub struct Routed<'a> {
    strategy: Strategy,
    gray: bool,
    chains: Vec<(Strategy, Chain<'a>)>,
    quota: DayQuota<'a>,
    sweep: Option<Sweep>,
}

/// The outcome router's curve, summed as the rows go by.
struct Sweep {
    lambdas: Vec<f64>,
    cost: Vec<f64>,
    quality: Vec<f64>,
    premium: Vec<usize>,
    rows: usize,
    /// Per label: this row's cost and quality.
    row_cost: Vec<f64>,
    row_quality: Vec<f64>,
}

impl<'a> Routed<'a> {
    pub fn new(setup: &Setup<'a>, strategy: Strategy, gray: bool) -> Routed<'a> {
        let (config, engine) = (setup.config, setup.engine);
        let mut chains = vec![(strategy, engine.chain(config, strategy))];
        if let Some(c) = config.canary.as_ref().filter(|_| gray) {
            chains.push((c.strategy, engine.chain(config, c.strategy)));
        }
        let sweep = match (&engine.ml, strategy) {
            (Some(ml), Strategy::ML) if setup.ds.quality_known => ml.outcomes().map(|o| {
                let lambdas = crate::ml::outcome::lambda_grid(&o.mean_cost);
                let g = lambdas.len();
                let k = o.mean_cost.len();
                Sweep {
                    lambdas,
                    cost: vec![0.0; g],
                    quality: vec![0.0; g],
                    premium: vec![0; g],
                    rows: 0,
                    row_cost: vec![0.0; k],
                    row_quality: vec![0.0; k],
                }
            }),
            _ => None,
        };
        Routed { strategy, gray, chains, quota: DayQuota::new(config), sweep }
    }

    /// Adds a row to the outcome router's curve.
    fn sweep_row(&mut self, setup: &Setup, row: usize, eval: &mut Eval) {
        let Some(sw) = self.sweep.as_mut() else { return };
        let Some(ml) = eval.engine().ml.as_ref() else { return };
        let Some(o) = ml.outcomes() else { return };
        let chars = eval.text.chars().count();
        let Some(p) = eval.prediction() else { return };
        for (m, l) in setup.label_serve.iter().enumerate() {
            let max_tokens = if l.in_catalog { setup.config.models[ml.label_model(m)].params.max_tokens } else { None };
            sw.row_cost[m] = setup.ds.cost(row, l.data_model, max_tokens).usd;
            sw.row_quality[m] = setup.ds.q(row, l.data_model);
        }
        for (i, &lambda) in sw.lambdas.iter().enumerate() {
            let m = ml.choose(o, p, chars, lambda);
            sw.cost[i] += sw.row_cost[m];
            sw.quality[i] += sw.row_quality[m];
            sw.premium[i] += usize::from(setup.label_serve[m].data_model == setup.baseline);
        }
        sw.rows += 1;
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
            _ if self.strategy == Strategy::ML && setup.engine.ml.is_none() => {
                let m = &setup.config.models[setup.config.ml.untrained_model].name;
                format!("ml (no trained model: all {m})")
            }
            _ => self.strategy.as_str().to_string(),
        }
    }

    fn stages(&self, _: &Setup) -> Vec<Stage> {
        self.chains.iter().flat_map(|(_, c)| c.stages().to_vec()).collect()
    }

    fn curve(&self) -> Option<Vec<CurvePoint>> {
        let sw = self.sweep.as_ref()?;
        let n = sw.rows.max(1) as f64;
        Some(
            (0..sw.lambdas.len())
                .map(|i| CurvePoint {
                    premium_share: sw.premium[i] as f64 / n,
                    cost: sw.cost[i] / n,
                    quality: sw.quality[i] / n,
                })
                .collect(),
        )
    }

    fn step(&mut self, setup: &Setup, row: usize, eval: &mut Eval, detail: bool) -> Step {
        let (strategy, arm) = if self.gray {
            assign(setup.config, Strategy::CHAIN, setup.ds.ids.get(row))
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
            Strategy::DIFFICULTY => eval.verdict(Stage::DIFFICULTY).decision().and_then(|d| d.difficulty),
            Strategy::ML => {
                let engine = eval.engine();
                match (&engine.ml, eval.prediction()) {
                    (Some(ml), Some(p)) if ml.outcomes().is_none() => Some(ml.expected_rank(p)),
                    _ => None,
                }
            }
            _ => None,
        };
        let mut step = match chain.chosen(eval, pick) {
            Some(c) => {
                self.quota.count(c.model);
                let served = setup.served(c.model, c.data_model);
                // An outcome model's label that is no catalog model has no catalog parameters.
                let unmapped =
                    c.data_model.is_some_and(|n| setup.label_serve.iter().any(|l| l.label == n && !l.in_catalog));
                let max_tokens = if unmapped { None } else { c.params.max_tokens };
                let mut s = Step::served(setup, row, served, setup.ds.cost(row, served, max_tokens));
                if detail {
                    // A label that is no catalog model has no catalog name; `data_model` tells.
                    let model = (!unmapped).then_some(c.model);
                    s.detail = Some(Detail { model, method: c.method.as_str(), reason: c.reason.to_string() });
                }
                s
            }
            None => Step::refused(setup, pick == Pick::Unservable, detail),
        };
        step.quota_fallback = fallback;
        step.score = score;
        self.sweep_row(setup, row, eval);
        if self.gray {
            step.arm = Some(arm);
        }
        step
    }
}
