//! `[[rules]]` and `[default_route]`: the rules router's settings as written, validated into
//! [`Rule`]s (regexes compiled, models resolved) and the [`Route`] taken when none matches.

use std::collections::HashSet;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::ModelId;
use super::check::{Checker, ModelRef, Names, first_line};
use super::models::{Model, Params, cheapest};
use crate::error::Result;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeywordMatch {
    #[default]
    Any,
    All,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Whether any or all keywords must be present.
    #[serde(default, rename = "match")]
    pub keyword_match: KeywordMatch,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub model: ModelRef,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRoute {
    pub model: ModelRef,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub keywords: Vec<String>,
    pub keyword_match: KeywordMatch,
    pub regex: Option<Regex>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub tags: Vec<String>,
    pub model: ModelId,
    /// Where the rule's `model` value is written in the configuration text (byte offsets), for
    /// edits that keep the file's comments and layout.
    pub model_span: std::ops::Range<usize>,
    pub params: Params,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub model: ModelId,
    pub params: Params,
}

/// `[[rules]]`, in order.
pub(super) fn validate_rules(c: &Checker, names: &Names, raw: &[RawRule]) -> Result<Vec<Rule>> {
    let mut rules = Vec::with_capacity(raw.len());
    let mut rule_names = HashSet::new();
    for (i, r) in raw.iter().enumerate() {
        let path = format!("rules[{i}]");
        if r.name.trim().is_empty() {
            return Err(c.err(&format!("{path}.name"), "must not be empty"));
        }
        if !rule_names.insert(r.name.as_str()) {
            return Err(c.err(&format!("{path}.name"), format!("duplicate rule name `{}`", r.name)));
        }
        rules.push(r.validate(c, names, &path)?);
    }
    Ok(rules)
}

impl RawRule {
    fn validate(&self, c: &Checker, names: &Names, path: &str) -> Result<Rule> {
        let r = self;
        if let Some(j) = r.keywords.iter().position(|k| k.trim().is_empty()) {
            return Err(c.err(&format!("{path}.keywords[{j}]"), "keywords must not be empty"));
        }
        let regex = match &r.regex {
            Some(re) => Some(Regex::new(&format!("(?i){re}")).map_err(|e| {
                c.err(&format!("{path}.regex"), format!("invalid regex: {}", first_line(&e.to_string())))
            })?),
            None => None,
        };
        if r.keywords.is_empty()
            && regex.is_none()
            && r.min_length.is_none()
            && r.max_length.is_none()
            && r.tags.is_empty()
        {
            return Err(c.err(
                path,
                "a rule needs at least one condition (`keywords`, `regex`, `min_length`, `max_length` or `tags`); \
                 put a catch-all route in `default_route`",
            ));
        }
        if let (Some(lo), Some(hi)) = (r.min_length, r.max_length)
            && lo > hi
        {
            return Err(c.err(&format!("{path}.min_length"), format!("{lo} is greater than max_length {hi}")));
        }
        c.params(&r.params, &format!("{path}.params"))?;
        let model = c.model_ref(names, &r.model, &format!("{path}.model"))?;
        Ok(Rule {
            name: r.name.clone(),
            keywords: r.keywords.clone(),
            keyword_match: r.keyword_match,
            regex,
            min_length: r.min_length,
            max_length: r.max_length,
            tags: r.tags.clone(),
            model,
            model_span: r.model.span(),
            params: r.params,
        })
    }
}

/// `[default_route]`; absent: the cheapest model.
pub(super) fn validate_default_route(
    c: &Checker,
    names: &Names,
    raw: &Option<RawRoute>,
    models: &[Model],
) -> Result<Route> {
    Ok(match raw {
        Some(r) => {
            c.params(&r.params, "default_route.params")?;
            Route { model: c.model_ref(names, &r.model, "default_route.model")?, params: r.params }
        }
        None => Route { model: cheapest(models), params: Params::default() },
    })
}
