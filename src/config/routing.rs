//! `[chain]`, `[adaptive]` and `[canary]`: which routers run and in what order, the adaptive
//! router's settings, and the gray release, with the strategy and stage names they use.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::ModelId;
use super::check::{Checker, ModelRef, Names};
use super::models::{Model, by_cost};
use crate::error::Result;

/// A routing strategy: the production chain, or one router alone (`--strategy`, `[canary]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The production chain (`[chain] stages`).
    Chain,
    /// The rules alone, with the default route when no rule matches (the article's RuleBasedRouter).
    Rules,
    /// The difficulty score alone.
    Difficulty,
    /// The trained classifier alone (the article's `balanced` default while untrained).
    Ml,
    /// The adaptive router alone (learns from feedback).
    Adaptive,
}

impl Strategy {
    pub const ALL: [Strategy; 5] =
        [Strategy::Chain, Strategy::Rules, Strategy::Difficulty, Strategy::Ml, Strategy::Adaptive];

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Chain => "chain",
            Strategy::Rules => "rules",
            Strategy::Difficulty => "difficulty",
            Strategy::Ml => "ml",
            Strategy::Adaptive => "adaptive",
        }
    }
}

/// A stage of the production chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageName {
    Rules,
    Ml,
    Difficulty,
    Adaptive,
}

impl StageName {
    pub fn as_str(self) -> &'static str {
        match self {
            StageName::Rules => "rules",
            StageName::Ml => "ml",
            StageName::Difficulty => "difficulty",
            StageName::Adaptive => "adaptive",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChain {
    #[serde(default = "default_stages")]
    pub stages: Vec<StageName>,
    /// Fallback order when quotas run out, cheapest first. Default: the catalog by tier, then price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Vec<ModelRef>>,
}

impl Default for RawChain {
    fn default() -> Self {
        RawChain { stages: default_stages(), fallback: None }
    }
}

fn default_stages() -> Vec<StageName> {
    vec![StageName::Rules, StageName::Ml, StageName::Difficulty]
}

#[derive(Debug, Clone)]
pub struct ChainConfig {
    pub stages: Vec<StageName>,
    /// Fallback order, cheapest first.
    pub fallback: Vec<ModelId>,
}

impl RawChain {
    pub(super) fn validate(&self, c: &Checker, names: &Names, models: &[Model]) -> Result<ChainConfig> {
        if self.stages.is_empty() {
            return Err(c.err("chain.stages", "needs at least one stage"));
        }
        let mut seen_stages = HashSet::new();
        for (i, s) in self.stages.iter().enumerate() {
            if !seen_stages.insert(*s) {
                return Err(c.err(&format!("chain.stages[{i}]"), format!("duplicate stage `{}`", s.as_str())));
            }
        }
        let fallback = match &self.fallback {
            Some(list) => {
                let mut ids = Vec::with_capacity(list.len());
                for (i, r) in list.iter().enumerate() {
                    let id = c.model_ref(names, r, &format!("chain.fallback[{i}]"))?;
                    if ids.contains(&id) {
                        return Err(c.err_at(
                            r.span(),
                            &format!("chain.fallback[{i}]"),
                            format!("`{}` is listed twice", r.get_ref()),
                        ));
                    }
                    ids.push(id);
                }
                if ids.is_empty() {
                    return Err(c.err("chain.fallback", "needs at least one model"));
                }
                ids
            }
            None => by_cost(models),
        };
        Ok(ChainConfig { stages: self.stages.clone(), fallback })
    }
}

/// The adaptive router (Thompson sampling per segment).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAdaptive {
    /// Success rate a model needs in a segment to be "good enough".
    #[serde(default = "default_target")]
    pub target: f64,
    /// Ratings at or above this count as a success when feedback has no `success`.
    #[serde(default = "default_success_rating")]
    pub success_rating: f64,
    /// Seed of the sampling.
    #[serde(default = "default_seed")]
    pub seed: u64,
}

impl Default for RawAdaptive {
    fn default() -> Self {
        RawAdaptive { target: default_target(), success_rating: default_success_rating(), seed: default_seed() }
    }
}

fn default_target() -> f64 {
    0.8
}

fn default_success_rating() -> f64 {
    4.0
}

fn default_seed() -> u64 {
    42
}

/// The adaptive router's validated settings.
#[derive(Debug, Clone)]
pub struct Adaptive {
    /// Success rate a model needs in a segment to be "good enough" (0-1).
    pub target: f64,
    /// Ratings at or above this count as a success when feedback has no `success` (1-5).
    pub success_rating: f64,
    /// Seed of the sampling.
    pub seed: u64,
}

impl RawAdaptive {
    pub(super) fn validate(&self, c: &Checker) -> Result<Adaptive> {
        c.share(self.target, "adaptive.target")?;
        if !(1.0..=5.0).contains(&self.success_rating) {
            return Err(c.err("adaptive.success_rating", format!("{} is outside 1..=5", self.success_rating)));
        }
        Ok(Adaptive { target: self.target, success_rating: self.success_rating, seed: self.seed })
    }
}

/// Gray release: a share of traffic goes to another strategy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCanary {
    pub strategy: Strategy,
    pub share: f64,
}

/// The validated gray release.
#[derive(Debug, Clone)]
pub struct Canary {
    /// The strategy the canary share is routed with (never the chain).
    pub strategy: Strategy,
    /// Share of traffic, 0-1.
    pub share: f64,
}

impl RawCanary {
    pub(super) fn validate(&self, c: &Checker) -> Result<Canary> {
        c.share(self.share, "canary.share")?;
        if self.strategy == Strategy::Chain {
            return Err(c.err(
                "canary.strategy",
                "the canary must differ from the chain: `rules`, `difficulty`, `ml` or `adaptive`",
            ));
        }
        Ok(Canary { strategy: self.strategy, share: self.share })
    }
}
