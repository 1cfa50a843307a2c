//! What a `batch` run routed, for its closing summary: rows per model, the estimated cost and
//! what sending every row to the catalog's dearest model would have cost.

use crate::config::ModelId;

/// Counts and costs of routed rows; tallies of chunks add up.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Rows per catalog model (indexed by [`ModelId`]).
    pub rows: Vec<u64>,
    /// Rows no model took (every quota exhausted).
    pub refused: u64,
    pub cost_usd: f64,
    /// The same rows, every one on the premium model.
    pub premium_cost_usd: f64,
}

impl Tally {
    pub fn new(models: usize) -> Tally {
        Tally { rows: vec![0; models], ..Tally::default() }
    }

    /// One row: the model that took it (`None`: refused), its cost and its cost on the premium model.
    pub fn add(&mut self, model: Option<ModelId>, cost_usd: f64, premium_cost_usd: f64) {
        match model {
            Some(m) => self.rows[m] += 1,
            None => self.refused += 1,
        }
        self.cost_usd += cost_usd;
        self.premium_cost_usd += premium_cost_usd;
    }

    pub fn merge(&mut self, other: &Tally) {
        for (a, b) in self.rows.iter_mut().zip(&other.rows) {
            *a += b;
        }
        self.refused += other.refused;
        self.cost_usd += other.cost_usd;
        self.premium_cost_usd += other.premium_cost_usd;
    }

    /// Rows routed or refused.
    pub fn total(&self) -> u64 {
        self.rows.iter().sum::<u64>() + self.refused
    }
}
