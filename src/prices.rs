//! LiteLLM's price table (`model_prices_and_context_window.json`): USD per 1M tokens by model.

use std::collections::HashMap;

use crate::error::{Error, Result};

#[derive(Debug, Default)]
pub struct PriceTable {
    /// key -> (input, output) USD per 1M tokens.
    prices: HashMap<String, (f64, f64)>,
    /// key -> `litellm_provider`.
    providers: HashMap<String, String>,
    /// key -> what else the entry says about the model.
    details: HashMap<String, Details>,
}

/// An entry's limits, capabilities, cache price and retirement date (what the catalog's
/// `context_window`, `max_output_tokens`, `capabilities`, `cached_input_price` and
/// `deprecation_date` take).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Details {
    pub context_window: Option<u64>,
    pub max_output_tokens: Option<u64>,
    /// `None` when the entry states no `supports_*` flag at all.
    pub capabilities: Option<Vec<crate::config::Capability>>,
    /// USD per 1M tokens.
    pub cached_input_price: Option<f64>,
    /// `YYYY-MM-DD`.
    pub deprecation_date: Option<String>,
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
        t.details.insert(k.clone(), details(m));
    }
    Ok(t)
}

/// The details of one entry; values out of the catalog's ranges are left out.
fn details(m: &serde_json::Value) -> Details {
    use crate::config::Capability;
    let tokens = |f: &str| {
        m.get(f).and_then(serde_json::Value::as_u64).filter(|&t| (1..=crate::config::MAX_CONTEXT_TOKENS).contains(&t))
    };
    let flags = [
        ("supports_function_calling", Capability::Tools),
        ("supports_vision", Capability::Vision),
        ("supports_response_schema", Capability::JsonSchema),
    ];
    let stated = flags.iter().any(|(f, _)| m.get(*f).is_some_and(serde_json::Value::is_boolean));
    let capabilities = stated.then(|| {
        flags
            .iter()
            .filter(|(f, _)| m.get(*f).and_then(serde_json::Value::as_bool) == Some(true))
            .map(|(_, c)| *c)
            .collect()
    });
    let cached = m
        .get("cache_read_input_token_cost")
        .and_then(serde_json::Value::as_f64)
        .map(|c| (c * 1e12).round() / 1e6)
        .filter(|p| (0.0..=crate::config::MAX_PRICE).contains(p));
    let date = m
        .get("deprecation_date")
        .and_then(serde_json::Value::as_str)
        .filter(|d| d.parse::<jiff::civil::Date>().is_ok())
        .map(str::to_string);
    Details {
        context_window: tokens("max_input_tokens"),
        max_output_tokens: tokens("max_output_tokens"),
        capabilities,
        cached_input_price: cached,
        deprecation_date: date,
    }
}

/// How a catalog model found its entry (the rule `models import-prices` states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The key is the name.
    Exact,
    /// The key is the name under a provider path (`vertex_ai/claude-3-haiku`), the release date
    /// written either way (`-20240307`, `@20240307`, `-2024-03-07`).
    Prefixed,
    /// The name has no date; the key is its newest dated release (`claude-3-haiku-20240307`).
    NewestDated,
    /// The name is a dated release with no entry of its own; the key is its undated name's.
    Undated,
}

impl Match {
    pub fn as_str(self) -> &'static str {
        match self {
            Match::Exact => "exact",
            Match::Prefixed => "provider prefix",
            Match::NewestDated => "newest dated",
            Match::Undated => "undated",
        }
    }
}

/// The matching rule, as `models import-prices` prints it.
pub const RULE: &str = "each catalog model is looked up by its `model_id`, then by its name: the exact key, else the \
                        key under a provider prefix (`vertex_ai/NAME`; entries of the model's provider first, then the \
                        shortest), else the newest dated release (`NAME-YYYYMMDD`, `NAME-YYYY-MM-DD`, `NAME@YYYYMMDD`), \
                        else, for a dated name, its undated name's entry";

/// A name split into its base and its release date (`YYYYMMDD`), when it ends with one.
fn dated(name: &str) -> (&str, Option<String>) {
    let b = name.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let n = b.len();
    // -YYYYMMDD or @YYYYMMDD
    if n > 9 && matches!(b[n - 9], b'-' | b'@') && digits(&b[n - 8..]) {
        return (&name[..n - 9], Some(name[n - 8..].to_string()));
    }
    // -YYYY-MM-DD
    if n > 11
        && b[n - 11] == b'-'
        && digits(&b[n - 10..n - 6])
        && b[n - 6] == b'-'
        && digits(&b[n - 5..n - 3])
        && b[n - 3] == b'-'
        && digits(&b[n - 2..])
    {
        return (&name[..n - 11], Some(format!("{}{}{}", &name[n - 10..n - 6], &name[n - 5..n - 3], &name[n - 2..])));
    }
    (name, None)
}

impl PriceTable {
    /// The entry for a model named `name` (see [`RULE`]), with how it matched.
    pub fn find(&self, name: &str, provider: Option<&str>) -> Option<(&str, (f64, f64), Match)> {
        self.lookup(name, provider).or_else(|| match dated(name) {
            (base, Some(_)) => self.lookup(base, provider).map(|(k, v, _)| (k, v, Match::Undated)),
            _ => None,
        })
    }

    fn lookup(&self, name: &str, provider: Option<&str>) -> Option<(&str, (f64, f64), Match)> {
        if let Some((k, v)) = self.prices.get_key_value(name) {
            return Some((k.as_str(), *v, Match::Exact));
        }
        let own = |k: &str| provider.is_some_and(|p| self.providers.get(k).is_some_and(|lp| lp.starts_with(p)));
        let want = dated(name);
        let mut prefixed: Vec<&String> = self
            .prices
            .keys()
            .filter(|k| {
                let last = k.rsplit('/').next().unwrap_or(k);
                k.ends_with(&format!("/{name}")) || (want.1.is_some() && last != name && dated(last) == want)
            })
            .collect();
        prefixed.sort_by_key(|k| (!own(k), k.len(), (*k).clone()));
        if let Some(k) = prefixed.first() {
            return Some((k.as_str(), self.prices[k.as_str()], Match::Prefixed));
        }
        if want.1.is_some() {
            return None;
        }
        let mut releases: Vec<(&String, String)> = self
            .prices
            .keys()
            .filter_map(|k| {
                let last = k.rsplit('/').next().unwrap_or(k);
                match dated(last) {
                    (base, Some(date)) if base == name => Some((k, date)),
                    _ => None,
                }
            })
            .collect();
        releases.sort_by(|a, b| {
            own(b.0).cmp(&own(a.0)).then(b.1.cmp(&a.1)).then(a.0.len().cmp(&b.0.len())).then(a.0.cmp(b.0))
        });
        releases.first().map(|(k, _)| (k.as_str(), self.prices[k.as_str()], Match::NewestDated))
    }

    /// What the entry `key` says beyond prices.
    pub fn details(&self, key: &str) -> Details {
        self.details.get(key).cloned().unwrap_or_default()
    }

    pub fn get(&self, name: &str) -> Option<(f64, f64)> {
        self.find(name, None).map(|(_, v, _)| v)
    }
}

/// Where to get the table, for messages and the README.
pub const WHERE: &str = "LiteLLM's model_prices_and_context_window.json, from \
                         https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json";

/// One model's update: its prices (USD per 1M tokens) and what else the table says.
pub struct Update {
    pub model: String,
    pub input: f64,
    pub output: f64,
    pub details: Details,
}

/// `text` (a configuration file) with `[models.NAME] input_price` and `output_price` set to the
/// given USD per 1M tokens and the table's limits, capabilities, cache price and retirement date
/// filled in; comments, order and layout stay as they were.
pub fn apply(text: &str, name: &str, updates: &[Update]) -> Result<String> {
    let mut doc: toml_edit::DocumentMut =
        text.parse().map_err(|e| Error::Usage(format!("{name}: cannot edit: {e}")))?;
    for Update { model, input, output, details } in updates {
        let table = doc
            .get_mut("models")
            .and_then(|m| m.get_mut(model.as_str()))
            .and_then(toml_edit::Item::as_table_like_mut)
            .ok_or_else(|| Error::Usage(format!("{name}: no `[models.{model}]` table to edit")))?;
        for (key, price) in [("input_price", *input), ("output_price", *output)] {
            let mut value = toml_edit::Value::from(price);
            if let Some(old) = table.get(key).and_then(toml_edit::Item::as_value) {
                // An unchanged price keeps its spelling (`0.60` stays `0.60`).
                let same = old.as_float().or_else(|| old.as_integer().map(|i| i as f64)) == Some(price);
                if same {
                    continue;
                }
                *value.decor_mut() = old.decor().clone();
            }
            table.insert(key, toml_edit::Item::Value(value));
        }
        set_details(table, details);
    }
    Ok(doc.to_string())
}

/// Writes the stated details into a model's table, keeping values that are already the same.
fn set_details(table: &mut dyn toml_edit::TableLike, d: &Details) {
    let mut set = |key: &str, value: toml_edit::Value| {
        let same = table
            .get(key)
            .and_then(toml_edit::Item::as_value)
            .is_some_and(|old| old.to_string().trim() == value.to_string().trim());
        if !same {
            table.insert(key, toml_edit::Item::Value(value));
        }
    };
    if let Some(w) = d.context_window {
        set("context_window", toml_edit::Value::from(w as i64));
    }
    if let Some(w) = d.max_output_tokens {
        set("max_output_tokens", toml_edit::Value::from(w as i64));
    }
    if let Some(c) = &d.capabilities {
        set("capabilities", toml_edit::Value::Array(c.iter().map(|c| c.as_str()).collect()));
    }
    if let Some(p) = d.cached_input_price {
        set("cached_input_price", toml_edit::Value::from(p));
    }
    if let Some(date) = &d.deprecation_date {
        set("deprecation_date", toml_edit::Value::from(date.as_str()));
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
    fn finds_exact_then_prefixed_then_the_newest_dated_then_the_undated_entry() {
        let mut t = table();
        for (k, p, v) in [
            ("claude-3-5-sonnet-20240620", "anthropic", (3.0, 15.0)),
            ("claude-3-5-sonnet-20241022", "anthropic", (3.1, 15.1)),
            ("bedrock/claude-3-5-sonnet-2024-12-01", "bedrock", (9.0, 9.0)),
            ("vertex_ai/claude-3-opus@20240229", "vertex_ai-anthropic_models", (15.0, 75.0)),
        ] {
            t.prices.insert(k.to_string(), v);
            t.providers.insert(k.to_string(), p.to_string());
        }
        let key = |n: &str, p: Option<&str>| t.find(n, p).map(|(k, _, m)| (k, m));
        assert_eq!(key("gpt-4o", None), Some(("gpt-4o", Match::Exact)));
        assert_eq!(
            key("mistralai/Mixtral-8x7B-Instruct-v0.1", None),
            Some(("anyscale/mistralai/Mixtral-8x7B-Instruct-v0.1", Match::Prefixed))
        );
        // A provider path beats a dated release; the shortest path wins.
        assert_eq!(key("claude-3-haiku", Some("anthropic")), Some(("vertex_ai/claude-3-haiku", Match::Prefixed)));
        // The same release date written another way is the same release.
        assert_eq!(
            key("claude-3-opus-20240229", Some("anthropic")),
            Some(("vertex_ai/claude-3-opus@20240229", Match::Prefixed))
        );
        // Undated: the newest release, the provider's own first.
        assert_eq!(
            key("claude-3-5-sonnet", Some("anthropic")),
            Some(("claude-3-5-sonnet-20241022", Match::NewestDated))
        );
        assert_eq!(key("claude-3-5-sonnet", None), Some(("bedrock/claude-3-5-sonnet-2024-12-01", Match::NewestDated)));
        // A dated name without an entry of its own: the undated name's.
        assert_eq!(key("claude-3-haiku-20990101", None), Some(("vertex_ai/claude-3-haiku", Match::Undated)));
        assert_eq!(key("gpt-4", None), None, "a prefix that is not a date suffix does not match");
    }

    #[test]
    fn release_dates_are_read_in_every_form() {
        assert_eq!(dated("claude-3-haiku-20240307"), ("claude-3-haiku", Some("20240307".to_string())));
        assert_eq!(dated("claude-3-haiku@20240307"), ("claude-3-haiku", Some("20240307".to_string())));
        assert_eq!(dated("gpt-4o-2024-08-06"), ("gpt-4o", Some("20240806".to_string())));
        assert_eq!(dated("gpt-4-1106-preview"), ("gpt-4-1106-preview", None));
    }
}
