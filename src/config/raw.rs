//! The configuration file as written: the top-level table, each key a section's serde struct
//! (defined with its validation in the section's module) with `deny_unknown_fields`.
//!
//! Nothing here is checked beyond types; `super::validate` turns a [`RawConfig`] into a
//! [`super::Config`], section by section. Nothing outside `config` sees these types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::difficulty::RawDifficulty;
use super::live::{RawCascade, RawConsensus, RawLive};
use super::ml::RawMl;
use super::models::{RawModel, default_tiers};
use super::providers::RawProvider;
use super::quota::{RawEstimate, RawQuota};
use super::routing::{RawAdaptive, RawCanary, RawChain};
use super::rules::{RawRoute, RawRule};
use super::serve::RawServe;
use super::state::RawState;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    /// Tier names, cheapest first.
    #[serde(default = "default_tiers")]
    pub tiers: Vec<String>,
    pub models: BTreeMap<String, RawModel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RawRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_route: Option<RawRoute>,
    pub difficulty: RawDifficulty,
    #[serde(default)]
    pub chain: RawChain,
    #[serde(default)]
    pub quota: RawQuota,
    #[serde(default)]
    pub estimate: RawEstimate,
    #[serde(default)]
    pub ml: RawMl,
    #[serde(default)]
    pub adaptive: RawAdaptive,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary: Option<RawCanary>,
    /// Endpoints for live calls (`ask`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub providers: BTreeMap<String, RawProvider>,
    #[serde(default)]
    pub live: RawLive,
    #[serde(default)]
    pub cascade: RawCascade,
    #[serde(default)]
    pub consensus: RawConsensus,
    #[serde(default)]
    pub serve: RawServe,
    #[serde(default)]
    pub state: RawState,
}
