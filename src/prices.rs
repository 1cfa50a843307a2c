//! LiteLLM's price table (`model_prices_and_context_window.json`): USD per 1M tokens by model.

use std::collections::HashMap;

use crate::error::{Error, Result};

#[derive(Debug, Default)]
pub struct PriceTable {
    /// key -> (input, output) USD per 1M tokens.
    prices: HashMap<String, (f64, f64)>,
    /// key -> `litellm_provider`.
    providers: HashMap<String, String>,
}

/// Reads the table (an empty one when no file is given).
pub fn load(path: Option<&std::path::Path>) -> Result<PriceTable> {
    let Some(path) = path else { return Ok(PriceTable::default()) };
    let name = path.display().to_string();
    let bytes = crate::fsutil::read_bounded(path, 256 << 20, "the price table")?;
    let text = String::from_utf8(bytes).map_err(|_| Error::Usage(format!("{name}: not valid UTF-8")))?;
    parse(&name, &text)
}

/// Parses the table's text; `name` is used in messages.
pub fn parse(name: &str, text: &str) -> Result<PriceTable> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Error::Usage(format!("{name}:{}: invalid JSON: {e}", e.line())))?;
    let obj = v.as_object().ok_or_else(|| Error::Usage(format!("{name}: expected a JSON object of models")))?;
    let mut t = PriceTable::default();
    for (k, m) in obj {
        if k == "sample_spec" {
            continue;
        }
        let get = |f: &str| m.get(f).and_then(serde_json::Value::as_f64);
        // A price out of range (negative, or above what any model costs) is a broken entry: left out.
        let ok = |p: f64| (0.0..=crate::config::MAX_PRICE).contains(&p);
        if let (Some(i), Some(o)) = (get("input_cost_per_token"), get("output_cost_per_token"))
            && ok(i * 1e6)
            && ok(o * 1e6)
        {
            t.prices.insert(k.clone(), (i * 1e6, o * 1e6));
        }
        if let Some(p) = m.get("litellm_provider").and_then(|p| p.as_str()) {
            t.providers.insert(k.clone(), p.to_string());
        }
    }
    Ok(t)
}

impl PriceTable {
    /// The entry for a model: its exact name, else a key that is the name with a provider prefix
    /// (`anthropic/…`) or a release-date suffix (`…-20240307`); entries of `provider` win, then
    /// the shortest key.
    pub fn find(&self, name: &str, provider: Option<&str>) -> Option<(&str, (f64, f64))> {
        if let Some((k, v)) = self.prices.get_key_value(name) {
            return Some((k.as_str(), *v));
        }
        let matches = |k: &str| -> bool {
            let bare = k
                .strip_suffix(name)
                .filter(|p| p.ends_with('/'))
                .map(|_| name)
                .unwrap_or_else(|| k.rsplit('/').next().unwrap_or(k));
            bare == name
                || bare.strip_prefix(name).is_some_and(|rest| {
                    let rest = rest.trim_start_matches(['-', '@']);
                    rest.len() >= 8 && rest.chars().take(8).all(|c| c.is_ascii_digit())
                })
        };
        let mut found: Vec<(&String, &(f64, f64))> = self.prices.iter().filter(|(k, _)| matches(k)).collect();
        found.sort_by_key(|(k, _)| {
            let own = provider.is_some_and(|p| self.providers.get(k.as_str()).is_some_and(|lp| lp.starts_with(p)));
            (!own, k.len(), (*k).clone())
        });
        found.first().map(|(k, v)| (k.as_str(), **v))
    }

    pub fn get(&self, name: &str) -> Option<(f64, f64)> {
        self.find(name, None).map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> PriceTable {
        let mut t = PriceTable::default();
        for (k, p, v) in [
            ("anyscale/mistralai/Mixtral-8x7B-Instruct-v0.1", "anyscale", (0.15, 0.15)),
            ("vertex_ai/claude-3-haiku", "vertex_ai-anthropic_models", (0.25, 1.25)),
            ("anthropic/claude-3-haiku-20240307", "anthropic", (0.25, 1.25)),
            ("gpt-4o", "openai", (2.5, 10.0)),
            ("gpt-4o-mini", "openai", (0.15, 0.6)),
        ] {
            t.prices.insert(k.to_string(), v);
            t.providers.insert(k.to_string(), p.to_string());
        }
        t
    }

    #[test]
    fn finds_exact_prefixed_and_dated_names() {
        let t = table();
        assert_eq!(t.find("gpt-4o", None).unwrap().0, "gpt-4o");
        assert_eq!(
            t.find("mistralai/Mixtral-8x7B-Instruct-v0.1", None).unwrap().0,
            "anyscale/mistralai/Mixtral-8x7B-Instruct-v0.1"
        );
        assert_eq!(t.find("claude-3-haiku", Some("anthropic")).unwrap().0, "anthropic/claude-3-haiku-20240307");
        assert_eq!(t.find("claude-3-haiku", None).unwrap().0, "vertex_ai/claude-3-haiku");
        assert!(t.find("gpt-4", None).is_none(), "a prefix that is not a date suffix does not match");
    }
}
