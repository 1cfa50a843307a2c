//! `tiers` and `[models.<name>]`: the catalog as written, its validation, and the validated
//! [`Model`] every other module prices and routes with.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::ModelId;
use super::check::{Checker, key};
use super::limits::{MAX_CONTEXT_TOKENS, MAX_DAILY_QUOTA, MAX_TOKENS_PER_CALL};
use crate::error::{Result, did_you_mean};
use crate::tokenizer::Counting;

pub(super) fn default_tiers() -> Vec<String> {
    ["cheap", "balanced", "premium"].map(String::from).to_vec()
}

/// A tier: a name from `tiers`, or an integer rank (higher = more capable).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum RawTier {
    Name(String),
    Rank(i64),
}

impl Serialize for RawTier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RawTier::Name(n) => s.serialize_str(n),
            RawTier::Rank(r) => s.serialize_i64(*r),
        }
    }
}

impl<'de> Deserialize<'de> for RawTier {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = RawTier;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a tier name (string) or an integer rank")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawTier, E> {
                Ok(RawTier::Name(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawTier, E> {
                Ok(RawTier::Rank(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawTier, E> {
                i64::try_from(v).map(RawTier::Rank).map_err(|_| E::custom("tier rank is too large"))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModel {
    pub tier: RawTier,
    /// USD per 1M input tokens.
    pub input_price: f64,
    /// USD per 1M output tokens.
    pub output_price: f64,
    /// Requests per day; absent = unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_quota: Option<u64>,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
    /// Provider used for live calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The provider's id for this model when it differs from the catalog name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    /// Output tokens assumed by cost estimates (default: `estimate.output_tokens`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_output_tokens: Option<u32>,
    /// Largest prompt in tokens (absent: not checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window: Option<u64>,
    /// Largest answer in tokens (absent: not checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u64>,
    /// What the model accepts beyond text; absent: not checked (every request may go to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Vec<Capability>>,
    /// USD per 1M input tokens read from the provider's prompt cache (absent: the input price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input_price: Option<f64>,
    /// The day the provider retires the model (`YYYY-MM-DD`); `config validate` warns after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation_date: Option<String>,
}

/// What a request may need from a model beyond text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Function / tool calling (`tools` in a chat request).
    Tools,
    /// Image input (an `image_url` part).
    Vision,
    /// Structured output to a JSON schema (`response_format.type = "json_schema"`).
    JsonSchema,
}

impl Capability {
    pub const ALL: [Capability; 3] = [Capability::Tools, Capability::Vision, Capability::JsonSchema];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Tools => "tools",
            Capability::Vision => "vision",
            Capability::JsonSchema => "json_schema",
        }
    }
}

/// Sampling parameters passed with a request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
}

impl Params {
    pub fn is_empty(&self) -> bool {
        *self == Params::default()
    }

    /// `self`, with unset fields taken from `defaults`.
    pub fn or(&self, defaults: &Params) -> Params {
        Params {
            temperature: self.temperature.or(defaults.temperature),
            max_tokens: self.max_tokens.or(defaults.max_tokens),
            top_p: self.top_p.or(defaults.top_p),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    /// Position in the tier order (higher = more capable).
    pub tier_rank: i64,
    /// The tier as written: a name, or the rank as text.
    pub tier: String,
    /// USD per 1M input tokens.
    pub input_price: f64,
    /// USD per 1M output tokens.
    pub output_price: f64,
    pub daily_quota: Option<u64>,
    pub params: Params,
    pub provider: Option<String>,
    pub model_id: Option<String>,
    pub expected_output_tokens: u32,
    pub counting: Counting,
    pub context_window: Option<u64>,
    pub max_output_tokens: Option<u64>,
    /// `None`: not stated (not checked).
    pub capabilities: Option<Vec<Capability>>,
    /// USD per 1M cached input tokens (the input price when not stated).
    pub cached_input_price: f64,
    pub deprecation_date: Option<jiff::civil::Date>,
}

impl Model {
    /// The model's list prices.
    pub fn price(&self) -> crate::cost::Price {
        crate::cost::Price {
            input: self.input_price,
            output: self.output_price,
            expected_output: self.expected_output_tokens,
            cached_input: self.cached_input_price,
        }
    }

    /// Cost in USD of a call with these token counts.
    pub fn cost(&self, input_tokens: u64, output_tokens: u64) -> f64 {
        self.price().usd(input_tokens, output_tokens)
    }

    /// Cost in USD of a call of which `cached` input tokens were read from the provider's prompt
    /// cache (billed at `cached_input_price`).
    pub fn cost_cached(&self, input_tokens: u64, cached: u64, output_tokens: u64) -> f64 {
        self.price().usd_cached(input_tokens, cached, output_tokens)
    }
}

/// `tiers`: at least one, no duplicates.
pub(super) fn validate_tiers(c: &Checker, tiers: &[String]) -> Result<()> {
    if tiers.is_empty() {
        return Err(c.err("tiers", "needs at least one tier name"));
    }
    let mut seen = HashSet::new();
    for (i, t) in tiers.iter().enumerate() {
        if !seen.insert(t.as_str()) {
            return Err(c.err(&format!("tiers[{i}]"), format!("duplicate tier `{t}`")));
        }
    }
    Ok(())
}

/// `[models]`, in name order; `output_tokens` is `estimate.output_tokens`.
pub(super) fn validate_models(
    c: &Checker,
    raw: &BTreeMap<String, RawModel>,
    tiers: &[String],
    output_tokens: u32,
) -> Result<Vec<Model>> {
    if raw.is_empty() {
        return Err(c.err("models", "the catalog needs at least one model"));
    }
    raw.iter().map(|(name, m)| m.validate(c, name, tiers, output_tokens)).collect()
}

impl RawModel {
    fn validate(&self, c: &Checker, name: &str, tiers: &[String], output_tokens: u32) -> Result<Model> {
        let m = self;
        let path = format!("models.{}", key(name));
        let (tier_rank, tier) = m.tier(c, &path, tiers)?;
        c.price(m.input_price, &format!("{path}.input_price"))?;
        c.price(m.output_price, &format!("{path}.output_price"))?;
        c.params(&m.params, &format!("{path}.params"))?;
        if let Some(q) = m.daily_quota {
            c.int_in(q, 0, MAX_DAILY_QUOTA, &format!("{path}.daily_quota"))?;
        }
        if let Some(t) = m.expected_output_tokens {
            c.int_in(u64::from(t), 1, MAX_TOKENS_PER_CALL, &format!("{path}.expected_output_tokens"))?;
        }
        for (v, key) in [(m.context_window, "context_window"), (m.max_output_tokens, "max_output_tokens")] {
            if let Some(v) = v {
                c.int_in(v, 1, MAX_CONTEXT_TOKENS, &format!("{path}.{key}"))?;
            }
        }
        if let (Some(want), Some(limit)) = (m.params.max_tokens, m.max_output_tokens)
            && u64::from(want) > limit
        {
            return Err(c.err(
                &format!("{path}.params.max_tokens"),
                format!("{want} is over the model's output limit ({limit}, `max_output_tokens`)"),
            ));
        }
        if let Some(p) = m.cached_input_price {
            c.price(p, &format!("{path}.cached_input_price"))?;
        }
        let deprecation_date = match &m.deprecation_date {
            None => None,
            Some(d) => Some(d.parse::<jiff::civil::Date>().map_err(|_| {
                c.err(&format!("{path}.deprecation_date"), format!("`{d}` is not a date (YYYY-MM-DD)"))
            })?),
        };
        let id = m.model_id.as_deref().unwrap_or(name);
        let openai = ["gpt-", "o1", "o3", "o4", "chatgpt-"].iter().any(|p| id.starts_with(p));
        Ok(Model {
            name: name.to_string(),
            tier_rank,
            tier,
            input_price: m.input_price,
            output_price: m.output_price,
            daily_quota: m.daily_quota,
            params: m.params,
            provider: m.provider.clone(),
            model_id: m.model_id.clone(),
            expected_output_tokens: m.expected_output_tokens.unwrap_or(output_tokens),
            counting: if openai { Counting::Exact } else { Counting::Approximate },
            context_window: m.context_window,
            max_output_tokens: m.max_output_tokens,
            capabilities: m.capabilities.clone().map(|mut c| {
                c.sort();
                c.dedup();
                c
            }),
            cached_input_price: m.cached_input_price.unwrap_or(m.input_price),
            deprecation_date,
        })
    }

    /// The tier's rank and its text.
    fn tier(&self, c: &Checker, path: &str, tiers: &[String]) -> Result<(i64, String)> {
        match &self.tier {
            RawTier::Name(t) => match tiers.iter().position(|x| x == t) {
                Some(i) => Ok((i as i64, t.clone())),
                None => {
                    let hint = did_you_mean(t, tiers.iter().map(String::as_str)).unwrap_or_else(|| {
                        format!("; tiers are {}", tiers.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "))
                    });
                    Err(c.err(&format!("{path}.tier"), format!("unknown tier `{t}`{hint}")))
                }
            },
            RawTier::Rank(r) => Ok((*r, r.to_string())),
        }
    }
}

/// Model ids ordered cheapest first: by tier, then by price, then by name.
pub(super) fn by_cost(models: &[Model]) -> Vec<ModelId> {
    let mut ids: Vec<ModelId> = (0..models.len()).collect();
    ids.sort_by(|&a, &b| {
        let (ma, mb) = (&models[a], &models[b]);
        ma.tier_rank
            .cmp(&mb.tier_rank)
            .then((ma.input_price + ma.output_price).total_cmp(&(mb.input_price + mb.output_price)))
            .then(ma.name.cmp(&mb.name))
    });
    ids
}

pub(super) fn cheapest(models: &[Model]) -> ModelId {
    by_cost(models).first().copied().unwrap_or(0)
}
