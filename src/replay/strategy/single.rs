//! Every request on one data model: the rows the table compares routers with.

use crate::replay::Setup;
use crate::replay::strategy::{Detail, Kind, ReplayStrategy, Step};
use crate::router::Eval;

pub struct Single {
    model: usize,
}

impl Single {
    pub fn new(model: usize) -> Single {
        Single { model }
    }
}

impl ReplayStrategy for Single {
    fn kind(&self) -> Kind {
        Kind::Single(self.model)
    }

    fn label(&self, setup: &Setup) -> String {
        format!("all {}", setup.ds.models[self.model].name)
    }

    fn step(&mut self, setup: &Setup, row: usize, eval: &mut Eval, detail: bool) -> Step {
        let m = self.model;
        // A catalog model whose context window the row's prompt exceeds cannot answer it.
        if setup.ds.models[m].catalog.is_some_and(|c| eval.excluded(c).is_some()) {
            return Step::refused(setup, true, detail);
        }
        let mut s = Step::served(setup, row, m, setup.ds.cost(row, m, setup.max_tokens_of(m)));
        if detail {
            s.detail = Some(Detail { model: setup.ds.models[m].catalog, method: "single", reason: "all".to_string() });
        }
        s
    }
}
