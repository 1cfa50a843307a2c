//! Routing strategies behind one trait, and the production chain that composes them.
//!
//! A [`Router`] is pure and synchronous: it reads an [`Analysis`] of the prompt and either decides
//! (model, parameters, reason) or declines. Quotas, I/O and the network live outside.

pub mod adaptive;
pub mod chain;
pub mod difficulty;
pub mod ml;
pub mod rules;

use serde::Serialize;

use std::path::Path;

use crate::config::{Config, ModelId, Params, StageName};
use crate::error::Result;
use crate::text::{Analysis, KeywordIndex, KeywordIndexBuilder};

pub use chain::{Chain, Pick, QuotaView, StageOutcome, StageTrace, pick};
pub use difficulty::{DifficultyBreakdown, DifficultyRouter};
pub use ml::{MlRouter, Untrained};
pub use rules::RuleRouter;

/// Which stage produced a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Rule,
    Ml,
    Difficulty,
    Adaptive,
    Fallback,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Rule => "rule",
            Method::Ml => "ml",
            Method::Difficulty => "difficulty",
            Method::Adaptive => "adaptive",
            Method::Fallback => "fallback",
        }
    }
}

/// A routing decision, with the design article's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub model: ModelId,
    pub params: Params,
    pub method: Method,
    /// Why: the rule name (`default` for the default route), the difficulty band, or `quota`.
    pub reason: String,
    /// The matched rule, when a rule decided.
    pub rule: Option<String>,
    /// The difficulty band or ML class that decided.
    pub tier: Option<String>,
    /// The difficulty score, when it was computed.
    pub difficulty: Option<f64>,
    /// Extra explanation, e.g. which model was over quota.
    pub note: Option<String>,
}

/// A stage's answer.
#[derive(Debug, Clone)]
pub enum Verdict {
    Decide(Decision),
    /// The stage has no opinion; the reason is shown by `--explain`.
    Decline(String),
}

/// One routing strategy.
pub trait Router: Send + Sync {
    /// The stage name used in `--explain` and configuration.
    fn stage(&self) -> &'static str;
    fn route(&self, analysis: &Analysis) -> Verdict;
}

/// Strategies selectable with `--strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
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

/// The routers built from a configuration, sharing one keyword index.
pub struct Engine {
    pub index: KeywordIndex,
    pub rules: RuleRouter,
    pub difficulty: DifficultyRouter,
    /// The trained ML router, when `[ml] model` or `--model` names one.
    pub ml: Option<MlRouter>,
    untrained_chain: Untrained,
    untrained_alone: Untrained,
    /// The adaptive router; its posteriors come from the feedback store (`set_feedback`).
    pub adaptive: adaptive::Adaptive,
}

impl Engine {
    /// Builds every router; loads the ML model from `model` (or `[ml] model`) when given.
    pub fn new(config: &Config, model: Option<&Path>) -> Result<Engine> {
        let mut kw = KeywordIndexBuilder::default();
        let rules = RuleRouter::new(config, &mut kw);
        let difficulty = DifficultyRouter::new(config, &mut kw);
        let ml = match model.map(Path::to_path_buf).or_else(|| config.ml.model.clone()) {
            Some(path) => {
                let m = crate::ml::artifact::load(&path)?;
                Some(MlRouter::new(config, m, &path.display().to_string())?)
            }
            None => None,
        };
        let untrained = config.ml.untrained_model;
        let adaptive = adaptive::Adaptive::new(config, &rules, &difficulty);
        Ok(Engine {
            adaptive,
            index: kw.build(),
            rules,
            difficulty,
            ml,
            untrained_chain: Untrained { standalone: false, model: untrained },
            untrained_alone: Untrained { standalone: true, model: untrained },
        })
    }

    pub fn analyze<'a>(&self, text: &'a str, tag: Option<&'a str>) -> Analysis<'a> {
        Analysis::new(&self.index, text, tag)
    }

    fn ml_stage(&self, alone: bool) -> &dyn Router {
        match (&self.ml, alone) {
            (Some(m), _) => m,
            (None, true) => &self.untrained_alone,
            (None, false) => &self.untrained_chain,
        }
    }

    /// The chain that runs `strategy`; single strategies keep the quota fallback.
    pub fn chain<'a>(&'a self, config: &'a Config, strategy: Strategy) -> Chain<'a> {
        let stages: Vec<&dyn Router> = match strategy {
            Strategy::Rules => vec![&self.rules.standalone],
            Strategy::Difficulty => vec![&self.difficulty],
            Strategy::Ml => vec![self.ml_stage(true)],
            Strategy::Adaptive => vec![&self.adaptive],
            Strategy::Chain => config
                .chain
                .stages
                .iter()
                .map(|s| -> &dyn Router {
                    match s {
                        StageName::Rules => &self.rules.in_chain,
                        StageName::Ml => self.ml_stage(false),
                        StageName::Difficulty => &self.difficulty,
                        StageName::Adaptive => &self.adaptive,
                    }
                })
                .collect(),
        };
        Chain::new(config, stages)
    }
}
