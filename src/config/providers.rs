//! `[providers.<name>]`: the endpoints live calls go to, validated into [`Provider`]s, and the
//! check that every model's `provider` names one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::check::{Checker, key};
use super::models::RawModel;
use crate::error::{Result, did_you_mean};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// Any OpenAI-compatible chat-completions endpoint.
    Openai,
    /// Anthropic's Messages API.
    Anthropic,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProvider {
    #[serde(rename = "type")]
    pub kind: ProviderKind,
    pub base_url: String,
    /// Environment variable holding the API key; absent for endpoints without keys (local servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
    /// Extra HTTP headers sent with every request.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// `anthropic-version` header (Anthropic only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anthropic_version: Option<String>,
}

impl ProviderKind {
    /// The API with the settings only it has (`anthropic_version` is read for Anthropic alone).
    fn api(self, raw: &RawProvider) -> ProviderApi {
        match self {
            ProviderKind::Openai => ProviderApi::Openai,
            ProviderKind::Anthropic => ProviderApi::Anthropic { version: raw.anthropic_version.clone() },
        }
    }
}

/// A provider's API, carrying the settings only that API has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderApi {
    /// Any OpenAI-compatible chat-completions endpoint.
    Openai,
    /// Anthropic's Messages API.
    Anthropic {
        /// The `anthropic-version` header (absent: the provider module's default).
        version: Option<String>,
    },
}

impl ProviderApi {
    pub fn kind(&self) -> ProviderKind {
        match self {
            ProviderApi::Openai => ProviderKind::Openai,
            ProviderApi::Anthropic { .. } => ProviderKind::Anthropic,
        }
    }
}

/// A validated provider endpoint.
#[derive(Debug, Clone)]
pub struct Provider {
    /// The API spoken, with its own settings.
    pub api: ProviderApi,
    /// An `http://` or `https://` URL.
    pub base_url: String,
    /// Environment variable holding the API key; absent for endpoints without keys (local servers).
    pub api_key_env: Option<String>,
    /// Extra HTTP headers sent with every request.
    pub headers: BTreeMap<String, String>,
}

impl Provider {
    /// The API's kind (without its settings).
    pub fn kind(&self) -> ProviderKind {
        self.api.kind()
    }
}

impl RawProvider {
    fn validate(&self, c: &Checker, name: &str) -> Result<Provider> {
        let p = self;
        let path = format!("providers.{}", key(name));
        if !(p.base_url.starts_with("http://") || p.base_url.starts_with("https://")) {
            return Err(c.err(&format!("{path}.base_url"), format!("`{}` is not an http(s) URL", p.base_url)));
        }
        if let Some(v) = &p.api_key_env
            && (v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return Err(c.err(&format!("{path}.api_key_env"), format!("`{v}` is not an environment variable name")));
        }
        for h in p.headers.keys() {
            if h.is_empty() || !h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err(c.err(&format!("{path}.headers"), format!("`{h}` is not a header name")));
            }
        }
        Ok(Provider {
            api: p.kind.api(p),
            base_url: p.base_url.clone(),
            api_key_env: p.api_key_env.clone(),
            headers: p.headers.clone(),
        })
    }
}

/// `[providers]`, then every model's `provider` reference.
pub(super) fn validate_providers(
    c: &Checker,
    raw: &BTreeMap<String, RawProvider>,
    models: &BTreeMap<String, RawModel>,
) -> Result<BTreeMap<String, Provider>> {
    let providers =
        raw.iter().map(|(name, p)| Ok((name.clone(), p.validate(c, name)?))).collect::<Result<BTreeMap<_, _>>>()?;
    for (name, m) in models {
        if let Some(p) = &m.provider
            && !raw.contains_key(p)
        {
            let hint = did_you_mean(p, raw.keys().map(String::as_str)).unwrap_or_else(|| {
                "; define it under `[providers.<name>]` with `type`, `base_url` and `api_key_env`".to_string()
            });
            return Err(c.err(&format!("models.{}.provider", key(name)), format!("unknown provider `{p}`{hint}")));
        }
    }
    Ok(providers)
}
