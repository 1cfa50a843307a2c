//! The oracle: the cheapest candidate with the row's best quality (RouterBench's
//! `oracle_model_to_route_to`); among equal qualities a recorded outcome goes before an empty
//! cell. An upper bound: it knows every answer before choosing.

use crate::replay::Setup;
use crate::replay::strategy::{Detail, Kind, ReplayStrategy, Step};
use crate::router::Eval;

pub struct Oracle;

impl ReplayStrategy for Oracle {
    fn kind(&self) -> Kind {
        Kind::Oracle
    }

    fn label(&self, _: &Setup) -> String {
        "oracle (upper bound)".to_string()
    }

    fn step(&mut self, setup: &Setup, row: usize, _: &mut Eval, detail: bool) -> Step {
        let ds = setup.ds;
        let best = setup.candidates.iter().map(|&m| ds.q(row, m)).filter(|q| q.is_finite()).fold(f64::NAN, f64::max);
        let m = if best.is_finite() {
            let empty = |m: usize| ds.empty.get(row * ds.m() + m).copied().unwrap_or(false);
            *setup
                .candidates
                .iter()
                .filter(|&&m| ds.q(row, m) == best)
                .min_by(|&&a, &&b| empty(a).cmp(&empty(b)).then(ds.c(row, a).total_cmp(&ds.c(row, b))))
                .unwrap_or(&setup.cheapest)
        } else {
            setup.cheapest
        };
        let mut s = Step::served(setup, row, m, ds.cost(row, m, setup.max_tokens_of(m)));
        if detail {
            s.detail = Some(Detail {
                model: ds.models[m].catalog,
                method: "oracle",
                reason: "best quality, cheapest".to_string(),
            });
        }
        s
    }
}
