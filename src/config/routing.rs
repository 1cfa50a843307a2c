//! `[chain]`, `[adaptive]` and `[canary]`: which routers run and in what order, the adaptive
//! router's settings, and the gray release, with the strategy and stage names they use.
//!
//! [`STRATEGIES`] is the configuration's half of the router registry: each strategy's name, help,
//! logged method and whether it can be a chain stage. [`Strategy`] is a position in it, read from
//! the file (with a "did you mean" for a misspelt name) and from `--strategy` (clap's possible
//! values are its names). Adding a router adds one line here and one in `crate::router::ROUTERS`
//! (see `src/router/mod.rs` for the whole list of files an addition touches).

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::ModelId;
use super::check::{Checker, ModelRef, Names};
use super::models::{Model, by_cost};
use crate::error::Result;

/// One routing strategy as the configuration, the command line and the logs name it: a line of
/// [`STRATEGIES`]. How its router is built and run is its line of `crate::router::ROUTERS`.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Its name in `[chain] stages`, `--strategy`, `[canary] strategy` and replay's rows.
    pub name: &'static str,
    /// `--strategy`'s help for it (its possible value's help, completions and man pages).
    pub help: &'static str,
    /// The method its decisions record (`None`: the chain, whose stages' methods are recorded).
    pub method: Option<&'static str>,
    /// Its place among `[chain] stages`' names and the logged methods; `None`: not a chain stage.
    pub stage: Option<u8>,
}

/// Every routing strategy, in `--strategy`'s order: the production chain, then each router.
pub const STRATEGIES: &[Entry] = &[
    Entry { name: "chain", help: "The production chain (`[chain] stages`)", method: None, stage: None },
    Entry {
        name: "rules",
        help: "The rules alone, with the default route when no rule matches (the article's RuleBasedRouter)",
        method: Some("rule"),
        stage: Some(0),
    },
    Entry { name: "difficulty", help: "The difficulty score alone", method: Some("difficulty"), stage: Some(2) },
    Entry {
        name: "ml",
        help: "The trained classifier alone (the article's `balanced` default while untrained)",
        method: Some("ml"),
        stage: Some(1),
    },
    Entry {
        name: "adaptive",
        help: "The adaptive router alone (learns from feedback)",
        method: Some("adaptive"),
        stage: Some(3),
    },
];

const COUNT: usize = STRATEGIES.len();

/// A routing strategy: a position in [`STRATEGIES`] (the production chain, or one router alone;
/// `--strategy`, `[canary] strategy`). Only names of the registry can be one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Strategy(u8);

/// A stage of the production chain: a strategy whose entry has a `stage` place.
pub type StageName = Strategy;

impl Strategy {
    /// The production chain (`[chain] stages`), the composite of the routers.
    pub const CHAIN: Strategy = Strategy::at(0);
    pub const RULES: Strategy = Strategy::named("rules");
    pub const DIFFICULTY: Strategy = Strategy::named("difficulty");
    pub const ML: Strategy = Strategy::named("ml");
    pub const ADAPTIVE: Strategy = Strategy::named("adaptive");

    /// Every strategy, in [`STRATEGIES`]' order.
    pub const ALL: [Strategy; COUNT] = {
        let mut all = [Strategy(0); COUNT];
        let mut i = 0;
        while i < COUNT {
            all[i] = Strategy::at(i);
            i += 1;
        }
        all
    };

    const fn at(i: usize) -> Strategy {
        assert!(i < COUNT && i <= u8::MAX as usize);
        Strategy(i as u8)
    }

    /// The registry's strategy called `name` (at compile time: fails to build when there is none).
    pub const fn named(name: &str) -> Strategy {
        match Strategy::position(name) {
            Some(i) => Strategy::at(i),
            None => panic!("no such strategy in the registry"),
        }
    }

    const fn position(name: &str) -> Option<usize> {
        let mut i = 0;
        while i < COUNT {
            if const_eq(STRATEGIES[i].name, name) {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    /// The strategy called `name`, if the registry has one.
    pub fn from_name(name: &str) -> Option<Strategy> {
        Strategy::position(name).map(Strategy::at)
    }

    /// Its position in [`STRATEGIES`].
    pub const fn index(self) -> usize {
        self.0 as usize
    }

    pub fn entry(self) -> &'static Entry {
        &STRATEGIES[self.index()]
    }

    pub fn as_str(self) -> &'static str {
        self.entry().name
    }

    /// Whether this is the strategy called `name` (for the few strategy-specific checks).
    pub fn is(self, name: &str) -> bool {
        self.as_str() == name
    }

    /// Whether it can be a stage of `[chain] stages`.
    pub fn is_stage(self) -> bool {
        self.entry().stage.is_some()
    }

    /// The chain's possible stages, in their place's order.
    pub fn stages() -> impl Iterator<Item = Strategy> {
        let mut s: Vec<Strategy> = Strategy::ALL.into_iter().filter(|s| s.is_stage()).collect();
        s.sort_by_key(|s| s.entry().stage);
        s.into_iter()
    }

    /// The methods the routers' decisions record, in their place's order.
    pub fn methods() -> impl Iterator<Item = &'static str> {
        let mut m: Vec<&Entry> = STRATEGIES.iter().filter(|e| e.method.is_some()).collect();
        m.sort_by_key(|e| (e.stage.is_none(), e.stage));
        m.into_iter().filter_map(|e| e.method)
    }
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl Serialize for Strategy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Reads a registry name as serde reads a unit enum's variant (the same errors, at the same
/// place, as when the strategies were an enum).
#[derive(Clone, Copy)]
struct NameVisitor {
    /// Only names that can be a chain stage.
    stages: bool,
}

impl NameVisitor {
    /// The names it accepts, as serde wants them: a `'static` list, made once.
    fn names(self) -> &'static [&'static str] {
        static ALL: OnceLock<Vec<&'static str>> = OnceLock::new();
        static STAGES: OnceLock<Vec<&'static str>> = OnceLock::new();
        match self.stages {
            true => STAGES.get_or_init(|| Strategy::stages().map(Strategy::as_str).collect()),
            false => ALL.get_or_init(|| STRATEGIES.iter().map(|e| e.name).collect()),
        }
    }

    fn read<'de, D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<Strategy, D::Error> {
        d.deserialize_enum(if self.stages { "StageName" } else { "Strategy" }, self.names(), self)
    }
}

impl<'de> serde::de::Visitor<'de> for NameVisitor {
    type Value = Strategy;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(if self.stages { "enum StageName" } else { "enum Strategy" })
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> std::result::Result<Strategy, A::Error> {
        use serde::de::VariantAccess;
        let (strategy, variant) = data.variant_seed(self)?;
        variant.unit_variant()?;
        Ok(strategy)
    }
}

/// The variant's name.
impl<'de> serde::de::DeserializeSeed<'de> for NameVisitor {
    type Value = Strategy;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<Strategy, D::Error> {
        d.deserialize_identifier(Identifier(self))
    }
}

struct Identifier(NameVisitor);

impl serde::de::Visitor<'_> for Identifier {
    type Value = Strategy;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("variant identifier")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> std::result::Result<Strategy, E> {
        match Strategy::from_name(name).filter(|s| !self.0.stages || s.is_stage()) {
            Some(s) => Ok(s),
            None => Err(E::unknown_variant(name, self.0.names())),
        }
    }
}

/// Reads a name of the registry (`[canary] strategy`); anything else is serde's unknown variant,
/// which the configuration reports with a "did you mean".
impl<'de> Deserialize<'de> for Strategy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Strategy, D::Error> {
        NameVisitor { stages: false }.read(d)
    }
}

/// Reads `[chain] stages`: names of the registry that can be a stage.
fn deserialize_stages<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<Strategy>, D::Error> {
    struct Stage(Strategy);
    impl<'de> Deserialize<'de> for Stage {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Stage, D::Error> {
            NameVisitor { stages: true }.read(d).map(Stage)
        }
    }
    Ok(Vec::<Stage>::deserialize(d)?.into_iter().map(|s| s.0).collect())
}

/// `--strategy`: the registry's names, with their help.
impl clap::ValueEnum for Strategy {
    fn value_variants<'a>() -> &'a [Self] {
        &Strategy::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()).help(self.entry().help))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChain {
    #[serde(default = "default_stages", deserialize_with = "deserialize_stages")]
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
    vec![Strategy::RULES, Strategy::ML, Strategy::DIFFICULTY]
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
        if self.strategy == Strategy::CHAIN {
            let others: Vec<String> =
                Strategy::ALL.iter().filter(|s| **s != Strategy::CHAIN).map(|s| format!("`{}`", s.as_str())).collect();
            let list = match others.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                _ => others.join(""),
            };
            return Err(c.err("canary.strategy", format!("the canary must differ from the chain: {list}")));
        }
        Ok(Canary { strategy: self.strategy, share: self.share })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The strategies and stages as they were enums, before the registry.
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum OldStrategy {
        Chain,
        Rules,
        Difficulty,
        Ml,
        Adaptive,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum OldStage {
        Rules,
        Ml,
        Difficulty,
        Adaptive,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Old {
        s: OldStrategy,
        stages: Vec<OldStage>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct New {
        s: Strategy,
        #[serde(deserialize_with = "deserialize_stages")]
        stages: Vec<Strategy>,
    }

    #[test]
    fn names_are_read_with_the_errors_the_enums_gave() {
        let values =
            ["1", "{}", "\"x\"", "\"chain\"", "[]", "{ x = 1 }", "{ ml = 1 }", "\"ml\"", "\"adaptive\"", "true"];
        for v in values {
            for t in [format!("s = {v}\nstages = []"), format!("s = \"ml\"\nstages = [\"rules\", {v}]")] {
                let old = toml::from_str::<Old>(&t).map(|_| ()).map_err(|e| e.to_string());
                let new = toml::from_str::<New>(&t).map(|_| ()).map_err(|e| e.to_string());
                // A router registered after the built-in ones is listed after theirs.
                let extra: String = STRATEGIES[5..].iter().map(|e| format!(", `{}`", e.name)).collect();
                assert_eq!(old, new.map_err(|e| e.replace(&extra, "")), "{t}");
            }
        }
    }

    #[test]
    fn handles_name_their_registry_line() {
        let names: Vec<&str> = Strategy::ALL.iter().map(|s| s.as_str()).collect();
        // The built-in strategies in `--strategy`'s order, a registered router's after them.
        assert_eq!(names[..5], ["chain", "rules", "difficulty", "ml", "adaptive"]);
        let stages: Vec<&str> = Strategy::stages().map(Strategy::as_str).collect();
        assert_eq!(stages[..4], ["rules", "ml", "difficulty", "adaptive"]);
        assert!(Strategy::ML.is("ml") && !Strategy::CHAIN.is_stage());
    }
}
