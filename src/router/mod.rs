//! Routing strategies behind one trait, the production chain that composes them, and the routing
//! service every command decides through.
//!
//! A [`Router`] is pure and synchronous: it reads an [`Eval`] of the request (the prompt's
//! analysis, the ML prediction, other stages' verdicts) and either decides (model, parameters,
//! reason) or declines. An [`Eval`] computes each of those at most once per request, so `route`,
//! `ask`, `batch` and every strategy of `simulate` share one evaluation of a row: the ML model
//! predicts a prompt once whether the `ml` row, the chain or the canary asks for it. Quotas, I/O
//! and the network live outside.

pub mod adaptive;
pub mod chain;
pub mod constraints;
pub mod difficulty;
pub mod eval;
pub mod label;
pub mod ml;
pub mod rules;
pub mod service;

use serde::Serialize;

use std::path::Path;

use crate::config::{Config, ModelId, Params, StageName};
use crate::error::Result;
use crate::text::{KeywordIndex, KeywordIndexBuilder};

pub use crate::config::Strategy;
pub use chain::{Chain, Chosen, Pick, QuotaView, StageOutcome, StageTrace, Unlimited};
pub use difficulty::{DifficultyBreakdown, DifficultyRouter};
pub use eval::{Eval, Memo};
pub use label::Label;
pub use ml::{MlRouter, NoModel, Untrained};
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
    /// The client named a catalog model (the gateway's pass-through); nothing was routed.
    Client,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Rule => "rule",
            Method::Ml => "ml",
            Method::Difficulty => "difficulty",
            Method::Adaptive => "adaptive",
            Method::Fallback => "fallback",
            Method::Client => "client",
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
    pub reason: Label,
    /// The matched rule, when a rule decided.
    pub rule: Option<Label>,
    /// The difficulty band or ML class that decided.
    pub tier: Option<Label>,
    /// The difficulty score, when it was computed.
    pub difficulty: Option<f64>,
    /// Extra explanation, e.g. which model was over quota.
    pub note: Option<Label>,
    /// An outcome model's choice: the model of its training data (replay serves that data model
    /// when the log has it; `model` is the catalog model it stands for).
    pub data_model: Option<Label>,
}

impl Decision {
    /// A decision with only the fields every stage sets.
    pub fn new(model: ModelId, params: Params, method: Method, reason: impl Into<Label>) -> Decision {
        Decision {
            model,
            params,
            method,
            reason: reason.into(),
            rule: None,
            tier: None,
            difficulty: None,
            note: None,
            data_model: None,
        }
    }
}

/// A stage's answer.
#[derive(Debug, Clone)]
pub enum Verdict {
    Decide(Decision),
    /// The stage has no opinion; the reason is shown by `--explain`.
    Decline(Label),
}

impl Verdict {
    /// The decision, when the stage decided.
    pub fn decision(&self) -> Option<&Decision> {
        match self {
            Verdict::Decide(d) => Some(d),
            Verdict::Decline(_) => None,
        }
    }
}

/// One routing strategy.
pub trait Router: Send + Sync {
    /// The stage name used in `--explain` and configuration.
    fn stage(&self) -> &'static str;
    /// Decides or declines for the request under evaluation.
    fn route(&self, eval: &mut Eval) -> Verdict;
}

/// A router of the [`Engine`], as strategies and chains name it. Each has one slot in an
/// [`Eval`], so its verdict is computed at most once per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// The rules; declines when no rule matches (the chain's stage).
    Rules,
    /// The rules with the default route (the article's RuleBasedRouter, `--strategy rules`).
    RulesOrDefault,
    /// The classifier; declines while no model is configured (the chain's stage).
    Ml,
    /// The classifier alone (`--strategy ml`): the untrained default while no model is configured.
    MlAlone,
    /// The difficulty score; always decides.
    Difficulty,
    /// The adaptive router (feedback posteriors).
    Adaptive,
}

impl Stage {
    pub const COUNT: usize = 6;

    pub fn index(self) -> usize {
        match self {
            Stage::Rules => 0,
            Stage::RulesOrDefault => 1,
            Stage::Ml => 2,
            Stage::MlAlone => 3,
            Stage::Difficulty => 4,
            Stage::Adaptive => 5,
        }
    }

    /// The stages a strategy runs, in order.
    pub fn of(config: &Config, strategy: Strategy) -> Vec<Stage> {
        match strategy {
            Strategy::Rules => vec![Stage::RulesOrDefault],
            Strategy::Difficulty => vec![Stage::Difficulty],
            Strategy::Ml => vec![Stage::MlAlone],
            Strategy::Adaptive => vec![Stage::Adaptive],
            Strategy::Chain => config
                .chain
                .stages
                .iter()
                .map(|s| match s {
                    StageName::Rules => Stage::Rules,
                    StageName::Ml => Stage::Ml,
                    StageName::Difficulty => Stage::Difficulty,
                    StageName::Adaptive => Stage::Adaptive,
                })
                .collect(),
        }
    }
}

/// The routers built from a configuration, sharing one keyword index.
pub struct Engine {
    pub index: KeywordIndex,
    pub rules: RuleRouter,
    pub difficulty: DifficultyRouter,
    /// The trained ML router, when `[ml] model` or `--model` names one.
    pub ml: Option<MlRouter>,
    pub untrained: Untrained,
    /// The adaptive router; its posteriors come from the feedback store.
    pub adaptive: adaptive::Adaptive,
}

impl Engine {
    /// Builds every router; loads the ML model from `model` (or `[ml] model`) when given.
    pub fn new(config: &Config, model: Option<&Path>) -> Result<Engine> {
        Engine::with_labels(config, model, ml::Labels::Catalog)
    }

    /// [`Engine::new`] for replay: an outcome model's labels may be models of the log only.
    pub fn for_replay(config: &Config, model: Option<&Path>) -> Result<Engine> {
        Engine::with_labels(config, model, ml::Labels::OrData)
    }

    fn with_labels(config: &Config, model: Option<&Path>, labels: ml::Labels) -> Result<Engine> {
        let mut kw = KeywordIndexBuilder::default();
        let rules = RuleRouter::new(config, &mut kw);
        let difficulty = DifficultyRouter::new(config, &mut kw);
        let ml = match model.map(Path::to_path_buf).or_else(|| config.ml.model.clone()) {
            Some(path) => {
                let m = crate::ml::artifact::load(&path)?;
                Some(MlRouter::new(config, m, &path.display().to_string(), labels)?)
            }
            None => None,
        };
        Ok(Engine {
            adaptive: adaptive::Adaptive::new(config),
            index: kw.build(),
            rules,
            difficulty,
            ml,
            untrained: Untrained { model: config.ml.untrained_model },
        })
    }

    /// Starts the evaluation of one request.
    pub fn eval<'e, 't>(&'e self, text: &'t str, tag: Option<&'t str>) -> Eval<'e, 't> {
        Eval::new(self, text, tag)
    }

    /// The chain that runs `strategy`; single strategies keep the quota fallback.
    pub fn chain<'a>(&'a self, config: &'a Config, strategy: Strategy) -> Chain<'a> {
        Chain::new(config, Stage::of(config, strategy))
    }

    /// The router behind a stage.
    pub fn router(&self, stage: Stage) -> &dyn Router {
        match stage {
            Stage::Rules => &self.rules.in_chain,
            Stage::RulesOrDefault => &self.rules.standalone,
            Stage::Ml => match &self.ml {
                Some(m) => m,
                None => &NoModel,
            },
            Stage::MlAlone => match &self.ml {
                Some(m) => m,
                None => &self.untrained,
            },
            Stage::Difficulty => &self.difficulty,
            Stage::Adaptive => &self.adaptive,
        }
    }
}
