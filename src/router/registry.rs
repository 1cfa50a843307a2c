//! The router registry: how each routing strategy's router is built and which router runs for
//! it in the chain and alone. The table itself is [`crate::router::ROUTERS`], next to the
//! router modules it names; the names, help and logged methods are the configuration's half,
//! `crate::config::STRATEGIES`, and the two are checked line against line when the crate builds.
//!
//! A [`Stage`] is a registry position (the strategy) and whether the router runs alone: it keys
//! the verdicts an [`crate::router::Eval`] keeps, so one router's verdict is computed at most once
//! per request, whichever strategy asks for it.

use crate::config::{Config, STRATEGIES, Strategy};
use crate::router::{Engine, Label, Router, Verdict};
use crate::text::KeywordIndexBuilder;

/// Builds a router from the configuration, registering its keywords in the engine's shared index.
pub type Build = fn(&Config, &mut KeywordIndexBuilder) -> Box<dyn Router>;

/// How a strategy's router is made.
pub enum Make {
    /// The production chain: it runs `[chain] stages` and has no router of its own.
    Chain,
    /// A router the engine keeps in a field of its own, because other parts read it (the ML
    /// classifier's predictions, the adaptive router's posteriors): `chain` gives it as a chain
    /// stage, `alone` as `--strategy` runs it when that differs.
    Field { chain: fn(&Engine) -> &dyn Router, alone: Option<fn(&Engine) -> &dyn Router> },
    /// A router built once per engine, the same in the chain and alone.
    Build(Build),
}

/// One line of the registry.
pub struct Entry {
    /// The strategy's name, as in `crate::config::STRATEGIES` at the same position.
    pub name: &'static str,
    pub make: Make,
}

impl Entry {
    const fn has_alone(&self) -> bool {
        matches!(self.make, Make::Field { alone: Some(_), .. })
    }
}

/// Fails to build when the router registry and the configuration's strategies differ.
const _: () = {
    let routers = crate::router::ROUTERS;
    assert!(routers.len() == STRATEGIES.len(), "crate::router::ROUTERS and config::STRATEGIES differ in length");
    let mut i = 0;
    while i < routers.len() {
        let (a, b) = (routers[i].name.as_bytes(), STRATEGIES[i].name.as_bytes());
        assert!(a.len() == b.len(), "crate::router::ROUTERS and config::STRATEGIES name different strategies");
        let mut j = 0;
        while j < a.len() {
            assert!(a[j] == b[j], "crate::router::ROUTERS and config::STRATEGIES name different strategies");
            j += 1;
        }
        i += 1;
    }
};

/// The registry line of `strategy`.
pub fn entry(strategy: Strategy) -> &'static Entry {
    &crate::router::ROUTERS[strategy.index()]
}

/// A router of the [`Engine`], as strategies and chains name it: a registry position, alone or
/// as a chain stage. Each has one slot in an [`crate::router::Eval`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stage {
    strategy: Strategy,
    /// Runs as `--strategy` runs it (only for routers that differ alone).
    alone: bool,
}

impl Stage {
    /// The rules; declines when no rule matches (the chain's stage).
    pub const RULES: Stage = Stage::in_chain(Strategy::RULES);
    /// The rules with the default route (the article's RuleBasedRouter, `--strategy rules`).
    pub const RULES_OR_DEFAULT: Stage = Stage::alone(Strategy::RULES);
    /// The classifier; declines while no model is configured (the chain's stage).
    pub const ML: Stage = Stage::in_chain(Strategy::ML);
    /// The classifier alone (`--strategy ml`): the untrained default while no model is configured.
    pub const ML_ALONE: Stage = Stage::alone(Strategy::ML);
    /// The difficulty score; always decides.
    pub const DIFFICULTY: Stage = Stage::in_chain(Strategy::DIFFICULTY);
    /// The adaptive router (feedback posteriors).
    pub const ADAPTIVE: Stage = Stage::in_chain(Strategy::ADAPTIVE);

    /// How many stages there can be: two per registry position.
    pub const COUNT: usize = 2 * STRATEGIES.len();

    /// `strategy`'s router as a stage of the chain.
    pub const fn in_chain(strategy: Strategy) -> Stage {
        Stage { strategy, alone: false }
    }

    /// `strategy`'s router as `--strategy` runs it (the chain's stage when they are the same).
    pub const fn alone(strategy: Strategy) -> Stage {
        Stage { strategy, alone: crate::router::ROUTERS[strategy.index()].has_alone() }
    }

    /// Its position among the [`Stage::COUNT`] stages.
    pub fn index(self) -> usize {
        2 * self.strategy.index() + usize::from(self.alone)
    }

    pub fn strategy(self) -> Strategy {
        self.strategy
    }

    /// The stages a strategy runs, in order: `[chain] stages` for the chain, else its router alone.
    pub fn of(config: &Config, strategy: Strategy) -> Vec<Stage> {
        match entry(strategy).make {
            Make::Chain => config.chain.stages.iter().map(|&s| Stage::in_chain(s)).collect(),
            _ => vec![Stage::alone(strategy)],
        }
    }
}

/// The routers an engine built from [`Make::Build`] lines, by registry position.
pub fn build(config: &Config, kw: &mut KeywordIndexBuilder) -> Vec<Option<Box<dyn Router>>> {
    crate::router::ROUTERS
        .iter()
        .map(|e| match e.make {
            Make::Build(build) => Some(build(config, kw)),
            _ => None,
        })
        .collect()
}

/// The router behind `stage` in `engine`.
pub fn router(engine: &Engine, stage: Stage) -> &dyn Router {
    match &entry(stage.strategy).make {
        Make::Field { alone: Some(alone), .. } if stage.alone => alone(engine),
        Make::Field { chain, .. } => chain(engine),
        Make::Build(_) => match engine.built.get(stage.strategy.index()) {
            Some(Some(r)) => r.as_ref(),
            _ => &NoRouter,
        },
        Make::Chain => &NoRouter,
    }
}

/// Stands for a router that is not built (the chain is no stage; an engine builds every other).
struct NoRouter;

impl Router for NoRouter {
    fn stage(&self) -> &'static str {
        "none"
    }

    fn route(&self, _: &mut crate::router::Eval) -> Verdict {
        Verdict::Decline(Label::Static("no router"))
    }
}
