//! Routing strategies behind one trait, the production chain that composes them, and the routing
//! service every command decides through.
//!
//! A [`Router`] is pure and synchronous: it reads an [`Eval`] of the request (the prompt's
//! analysis, the ML prediction, other stages' verdicts) and either decides (model, parameters,
//! reason) or declines. An [`Eval`] computes each of those at most once per request, so `route`,
//! `ask`, `batch` and every strategy of `simulate` share one evaluation of a row: the ML model
//! predicts a prompt once whether the `ml` row, the chain or the canary asks for it. Quotas, I/O
//! and the network live outside.
//!
//! # Adding a router
//!
//! A router is registered once. Adding one (say `cheapest`) touches exactly these files:
//! 1. `src/router/cheapest.rs`: the router (a [`Router`]) and its [`registry::Build`] function,
//!    which makes it from the configuration (and may register keywords in the shared index);
//!    its decisions record `Method::of(Strategy::named("cheapest"))`;
//! 2. this file: `pub mod cheapest;` and its line of [`ROUTERS`]
//!    (`Entry { name: "cheapest", make: Make::Build(cheapest::build) }`);
//! 3. `src/config/routing.rs`: its line of `STRATEGIES` at the same position (its name, its
//!    `--strategy` help, the method its decisions record, its place among the chain stages);
//! 4. only if it has settings: `src/config/default.toml` (and a section of the configuration).
//!
//! Everything else follows from the registry: `--strategy`'s possible values and help (the
//! completions and man pages are regenerated from clap), `[chain] stages` and `[canary] strategy`
//! with their "did you mean", replay's router rows (`simulate`), the methods and strategies
//! `state import` accepts, and the fuzzing harness. The build fails if the two registry lines
//! disagree.

pub mod adaptive;
pub mod chain;
pub mod constraints;
pub mod difficulty;
pub mod eval;
pub mod label;
pub mod ml;
pub mod registry;
pub mod rules;
pub mod service;

use serde::Serialize;

use std::path::Path;

use crate::config::{Config, ModelId, Params};
use crate::error::Result;
use crate::text::{KeywordIndex, KeywordIndexBuilder};

pub use crate::config::Strategy;
pub use chain::{Chain, Chosen, Pick, QuotaView, StageOutcome, StageTrace, Unlimited};
pub use difficulty::{DifficultyBreakdown, DifficultyRouter};
pub use eval::{Eval, Memo};
pub use label::Label;
pub use ml::{MlRouter, NoModel, Untrained};
pub use registry::{Entry, Make, Stage};
pub use rules::RuleRouter;

/// Which stage produced a decision: a router's method (its registry line's `method`), the quota
/// fallback, or the client's own choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Method(&'static str);

impl Method {
    pub const RULE: Method = Method::of(Strategy::RULES);
    pub const ML: Method = Method::of(Strategy::ML);
    pub const DIFFICULTY: Method = Method::of(Strategy::DIFFICULTY);
    pub const ADAPTIVE: Method = Method::of(Strategy::ADAPTIVE);
    pub const FALLBACK: Method = Method(FALLBACK);
    /// The client named a catalog model (the gateway's pass-through); nothing was routed.
    pub const CLIENT: Method = Method(CLIENT);

    /// The method `strategy`'s router records (fails to build for the chain, which has none).
    pub const fn of(strategy: Strategy) -> Method {
        match crate::config::STRATEGIES[strategy.index()].method {
            Some(m) => Method(m),
            None => panic!("the chain records its stages' methods"),
        }
    }

    /// Every method a decision can record: the routers', then the fallback and the client.
    pub fn all() -> impl Iterator<Item = Method> {
        Strategy::methods().map(Method).chain([Method::FALLBACK, Method::CLIENT])
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

const FALLBACK: &str = "fallback";
const CLIENT: &str = "client";

impl Serialize for Method {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
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

/// The router registry, in `crate::config::STRATEGIES`' order (the build fails otherwise): how
/// each strategy's router is made and which one runs in the chain and alone.
pub const ROUTERS: &[Entry] = &[
    Entry { name: "chain", make: Make::Chain },
    Entry { name: "rules", make: Make::Field { chain: |e| &e.rules.in_chain, alone: Some(|e| &e.rules.standalone) } },
    Entry { name: "difficulty", make: Make::Field { chain: |e| &e.difficulty, alone: None } },
    Entry { name: "ml", make: Make::Field { chain: ml_in_chain, alone: Some(ml_alone) } },
    Entry { name: "adaptive", make: Make::Field { chain: |e| &e.adaptive, alone: None } },
];

/// The classifier as a chain stage: declines while no model is configured.
fn ml_in_chain(e: &Engine) -> &dyn Router {
    match &e.ml {
        Some(m) => m,
        None => &NoModel,
    }
}

/// The classifier alone: the untrained default while no model is configured.
fn ml_alone(e: &Engine) -> &dyn Router {
    match &e.ml {
        Some(m) => m,
        None => &e.untrained,
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
    /// The routers of the registry's [`Make::Build`] lines, by registry position.
    built: Vec<Option<Box<dyn Router>>>,
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
        let built = registry::build(config, &mut kw);
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
            built,
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
        registry::router(self, stage)
    }
}
