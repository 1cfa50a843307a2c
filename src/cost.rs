//! What a request costs, from the best data there is: a recorded cost, else logged token counts at
//! list prices, else an estimate (the prompt's token count and the model's expected output).
//!
//! `route`, `ask`, `batch` and `simulate` all price through [`resolve`], so one request gets one
//! figure whichever command reports it.

use serde::Serialize;

/// Above this a recorded cost is refused (USD per request): no single request costs a million
/// dollars, so such a figure is a unit error (a log's cost column, `state import`).
pub const MAX_COST_USD: f64 = 1_000_000.0;

/// Where a cost figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostSource {
    /// The log's recorded cost of the model that answered.
    Recorded,
    /// The log's input-token count at list prices.
    LoggedTokens,
    /// The prompt's token count and the expected output at list prices.
    Estimated,
}

impl CostSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CostSource::Recorded => "recorded",
            CostSource::LoggedTokens => "logged_tokens",
            CostSource::Estimated => "estimated",
        }
    }
}

/// List prices of a model: USD per 1M tokens, and the output it is expected to produce.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    pub expected_output: u32,
    /// USD per 1M input tokens read from the provider's prompt cache.
    pub cached_input: f64,
}

impl Price {
    /// USD for a call with these token counts.
    pub fn usd(&self, input_tokens: u64, output_tokens: u64) -> f64 {
        (input_tokens as f64 * self.input + output_tokens as f64 * self.output) / 1e6
    }

    /// USD for a call of which `cached` input tokens came from the prompt cache.
    pub fn usd_cached(&self, input_tokens: u64, cached: u64, output_tokens: u64) -> f64 {
        let cached = cached.min(input_tokens);
        self.usd(input_tokens - cached, output_tokens) + cached as f64 * self.cached_input / 1e6
    }

    /// Output tokens assumed when none are known: the expected output, capped by `max_tokens`.
    pub fn expected_output(&self, max_tokens: Option<u32>) -> u64 {
        u64::from(self.expected_output.min(max_tokens.unwrap_or(u32::MAX)))
    }
}

/// What a log row (or a live request) tells about one call's cost.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Known {
    /// The recorded cost in USD.
    pub recorded: Option<f64>,
    pub input_tokens: Option<u64>,
    /// Input tokens read from the prompt cache (a log's `cached_input_tokens`).
    pub cached_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
}

/// A priced call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    pub usd: f64,
    pub source: CostSource,
    /// Input tokens, when known or counted (a recorded cost needs no count).
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
}

/// Prices one call: the recorded cost if any; else the input tokens (logged, or `count_input()`)
/// and the output tokens (logged, else the expected output capped by `max_tokens`) at `price`.
pub fn resolve(known: &Known, price: &Price, max_tokens: Option<u32>, count_input: impl FnOnce() -> u64) -> Cost {
    if let Some(usd) = known.recorded {
        return Cost {
            usd,
            source: CostSource::Recorded,
            input_tokens: known.input_tokens,
            output_tokens: known.output_tokens,
        };
    }
    let (input, source) = match known.input_tokens {
        Some(t) => (t, CostSource::LoggedTokens),
        None => (count_input(), CostSource::Estimated),
    };
    let output = known.output_tokens.unwrap_or_else(|| price.expected_output(max_tokens));
    let usd = price.usd_cached(input, known.cached_tokens.unwrap_or(0), output);
    Cost { usd, source, input_tokens: Some(input), output_tokens: Some(output) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Price = Price { input: 2.5, output: 10.0, expected_output: 250, cached_input: 1.25 };

    #[test]
    fn recorded_wins_then_logged_tokens_then_the_estimate() {
        let rec = resolve(&Known { recorded: Some(0.5), ..Known::default() }, &P, None, || unreachable!());
        assert_eq!((rec.usd, rec.source), (0.5, CostSource::Recorded));
        let logged = resolve(&Known { input_tokens: Some(1000), ..Known::default() }, &P, Some(100), || 0);
        // 1000 × 2.5 + min(250, 100) × 10 per 1M tokens.
        assert_eq!((logged.usd, logged.source), ((2500.0 + 1000.0) / 1e6, CostSource::LoggedTokens));
        let est = resolve(&Known::default(), &P, None, || 9);
        assert_eq!((est.usd, est.source, est.input_tokens), ((22.5 + 2500.0) / 1e6, CostSource::Estimated, Some(9)));
        let out = resolve(&Known { output_tokens: Some(7), ..Known::default() }, &P, Some(1), || 9);
        // 400 of 1000 logged input tokens from the cache: 600 × 2.5 + 400 × 1.25 + 100 × 10.
        let cached = Known { input_tokens: Some(1000), cached_tokens: Some(400), ..Known::default() };
        assert_eq!(resolve(&cached, &P, Some(100), || 0).usd, (1500.0 + 500.0 + 1000.0) / 1e6);
        assert_eq!(out.output_tokens, Some(7), "a logged output count is not capped");
    }
}
