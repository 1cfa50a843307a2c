//! Consensus (`ask --consensus` replayed): the configured models all answer (every answer is
//! paid for); with answers in the data the normalised majority answer wins (its voters' mean
//! quality), without a majority the most expensive voter's answer; without answers, the median
//! of the voters' qualities.

use crate::error::Result;
use crate::replay::strategy::{Detail, Kind, ReplayStrategy, Step};
use crate::replay::{Options, Setup, names_to_candidates};
use crate::router::Eval;

pub struct Consensus {
    voters: Vec<usize>,
    priciest: usize,
    qs: Vec<f64>,
}

/// The voters: `--consensus-models`, else `[consensus] models` as the data serves them
/// (deduplicated); the baseline alone when none remain.
pub fn voters(setup: &Setup, opt: &Options) -> Result<Vec<usize>> {
    let mut voters = match &opt.consensus_models {
        Some(names) => names_to_candidates(setup.ds, setup.config, names, "--consensus-models")?,
        None => setup.config.consensus.iter().map(|&m| setup.serve[m]).collect(),
    };
    let mut seen = Vec::new();
    voters.retain(|m| {
        let fresh = !seen.contains(m);
        seen.push(*m);
        fresh
    });
    if voters.is_empty() {
        voters.push(setup.baseline);
    }
    Ok(voters)
}

impl Consensus {
    pub fn new(setup: &Setup, opt: &Options) -> Result<Consensus> {
        let voters = voters(setup, opt)?;
        let ds = setup.ds;
        let priciest = *voters
            .iter()
            .max_by(|&&a, &&b| ds.models[a].mean_cost.total_cmp(&ds.models[b].mean_cost))
            .unwrap_or(&setup.baseline);
        Ok(Consensus { voters, priciest, qs: Vec::new() })
    }
}

impl ReplayStrategy for Consensus {
    fn kind(&self) -> Kind {
        Kind::Consensus
    }

    fn label(&self, setup: &Setup) -> String {
        format!("consensus of {}", self.voters.len().min(setup.ds.m()))
    }

    fn step(&mut self, setup: &Setup, row: usize, _: &mut Eval, detail: bool) -> Step {
        let ds = setup.ds;
        let mut cost = ds.cost(row, self.priciest, None);
        cost.usd = self.voters.iter().map(|&m| ds.cost(row, m, None).usd).sum();
        let (answered_by, quality, reason) = match &ds.answers {
            Some(ans) => {
                let mut votes: Vec<(u32, usize)> = Vec::new();
                for &m in &self.voters {
                    let a = ans[row * ds.m() + m];
                    if a == u32::MAX {
                        continue;
                    }
                    match votes.iter_mut().find(|(x, _)| *x == a) {
                        Some(v) => v.1 += 1,
                        None => votes.push((a, 1)),
                    }
                }
                match votes.iter().find(|(_, c)| *c * 2 > self.voters.len()) {
                    Some(&(a, count)) => {
                        let with: Vec<usize> =
                            self.voters.iter().copied().filter(|&m| ans[row * ds.m() + m] == a).collect();
                        let q = with.iter().map(|&m| ds.q(row, m)).sum::<f64>() / with.len() as f64;
                        (with[0], q, format!("majority {count}/{}", self.voters.len()))
                    }
                    None => (self.priciest, ds.q(row, self.priciest), "no majority".to_string()),
                }
            }
            None => {
                self.qs.clear();
                self.qs.extend(self.voters.iter().map(|&m| ds.q(row, m)));
                self.qs.sort_by(f64::total_cmp);
                let mid = self.qs.len() / 2;
                let q = if self.qs.len() % 2 == 1 { self.qs[mid] } else { (self.qs[mid - 1] + self.qs[mid]) / 2.0 };
                (self.priciest, q, "median quality (no answers in the data)".to_string())
            }
        };
        let mut s = Step::served(setup, row, answered_by, cost);
        s.quality = quality;
        s.premium = self.voters.contains(&setup.baseline);
        if detail {
            s.detail = Some(Detail { model: ds.models[answered_by].catalog, method: "consensus", reason });
        }
        s
    }
}
