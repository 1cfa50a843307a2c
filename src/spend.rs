//! The spend report (`llmroute report`): from the decision log, what routed traffic cost and
//! what sending every request to the premium model would have cost, grouped by day, model,
//! method, arm or strategy.
//!
//! A request's cost is what its answer cost (the provider's usage at catalog prices, recorded by
//! `ask` and `serve`: the figures `/metrics` adds up), else the decision's estimate (`route`
//! counts a decision without calling a model). The all-premium figure prices the same input and
//! output tokens at the premium model's list prices — it assumes the premium model would have
//! read and written as many tokens.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Config;
use crate::state::DecisionRecord;

/// How the report groups decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// The quota day in `[quota] timezone`
    Day,
    /// The model that answered (or was decided, when nothing was called)
    Model,
    /// How the model was chosen (rule, ml, difficulty, fallback, client…)
    Method,
    /// The gray-release arm
    Arm,
    /// The routing strategy
    Strategy,
}

/// One group's figures.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Row {
    pub key: String,
    pub requests: u64,
    /// Requests whose cost is an answer's (the rest are decisions' estimates).
    pub answered: u64,
    #[serde(serialize_with = "crate::units::json_usd")]
    pub cost_usd: f64,
    #[serde(serialize_with = "crate::units::json_usd")]
    pub all_premium_usd: f64,
    #[serde(serialize_with = "crate::units::json_usd")]
    pub savings_usd: f64,
    /// Savings as a share of the all-premium cost; `None` when that is 0.
    pub savings_share: Option<f64>,
}

/// The report: its groups (sorted by key) and the total.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub by: GroupBy,
    pub premium: String,
    /// Unix seconds of the first decision counted (`--since`), if any bound.
    pub since: Option<i64>,
    pub rows: Vec<Row>,
    pub total: Row,
}

impl Row {
    fn add(&mut self, cost: f64, premium: f64, answered: bool) {
        self.requests += 1;
        self.answered += u64::from(answered);
        self.cost_usd += cost;
        self.all_premium_usd += premium;
    }

    fn finish(mut self) -> Row {
        self.savings_usd = self.all_premium_usd - self.cost_usd;
        self.savings_share = (self.all_premium_usd > 0.0).then(|| self.savings_usd / self.all_premium_usd);
        self
    }
}

/// Builds the report one decision at a time ([`Spend::add`]), reading no prompt.
pub struct Spend<'a> {
    config: &'a Config,
    premium: usize,
    by: GroupBy,
    since: Option<i64>,
    day: &'a dyn Fn(i64) -> String,
    groups: BTreeMap<String, Row>,
    total: Row,
}

impl<'a> Spend<'a> {
    /// An empty report; `day` names a decision's quota day.
    pub fn new(config: &'a Config, by: GroupBy, since: Option<i64>, day: &'a dyn Fn(i64) -> String) -> Spend<'a> {
        let premium = config.models_by_cost().last().copied().unwrap_or(0);
        Spend {
            config,
            premium,
            by,
            since,
            day,
            groups: BTreeMap::new(),
            total: Row { key: "total".to_string(), ..Row::default() },
        }
    }

    /// Forgets every decision added (a scan that starts again).
    pub fn clear(&mut self) {
        self.groups.clear();
        self.total = Row { key: "total".to_string(), ..Row::default() };
    }

    /// Adds one decision. The sums are checked: when one stops being a finite number (a cost
    /// out of range, written before imports were checked), the report is refused, naming the
    /// request, rather than printing `inf` or `NaN`.
    pub fn add(&mut self, d: &DecisionRecord) -> std::result::Result<(), String> {
        let pm = &self.config.models[self.premium];
        let key = match self.by {
            GroupBy::Day => (self.day)(d.ts),
            GroupBy::Model => d.model.clone(),
            GroupBy::Method => d.method.clone(),
            GroupBy::Arm => d.arm.clone(),
            GroupBy::Strategy => d.strategy.clone(),
        };
        let cost = d.cost.unwrap_or(d.estimated_cost);
        let output = d.output_tokens.unwrap_or_else(|| pm.price().expected_output(None));
        let all_premium = d.input_tokens.map_or(0.0, |i| pm.cost(i, output));
        let group = self.groups.entry(key.clone()).or_insert_with(|| Row { key, ..Row::default() });
        group.add(cost, all_premium, d.cost.is_some());
        self.total.add(cost, all_premium, d.cost.is_some());
        if !(self.total.cost_usd.is_finite() && self.total.all_premium_usd.is_finite()) {
            return Err(format!(
                "the decision log's costs add up to more than any number at request `{}` (cost {} USD); \
                 a record holds a cost out of range",
                d.request_id,
                crate::error::num(cost)
            ));
        }
        Ok(())
    }

    pub fn finish(self) -> Report {
        let pm = &self.config.models[self.premium];
        Report {
            by: self.by,
            premium: pm.name.clone(),
            since: self.since,
            rows: self.groups.into_values().map(Row::finish).collect(),
            total: self.total.finish(),
        }
    }
}
