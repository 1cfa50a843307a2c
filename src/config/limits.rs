//! Range limits of configured and imported values, defined once here so that validation, the
//! command line, imports and price tables agree (and `config` needs nothing from `cli`).

/// The highest price a model may have, in USD per 1M tokens (the dearest listed models cost a
/// few hundred); higher values are unit mistakes.
pub const MAX_PRICE: f64 = 100_000.0;

/// The most tokens one call may ask for or be expected to produce.
pub const MAX_TOKENS_PER_CALL: u64 = 10_000_000;
/// The longest latency a feedback record may carry, in milliseconds (about 11.6 days).
pub const MAX_LATENCY_MS: f64 = 1e9;
/// The largest context window or output limit a catalog model may state (tokens).
pub const MAX_CONTEXT_TOKENS: u64 = 100_000_000;
/// The largest daily quota (requests per day).
pub const MAX_DAILY_QUOTA: u64 = 1_000_000_000_000;
/// The longest duration in seconds a timeout or deadline may have (one day).
pub const MAX_SECONDS: f64 = 86_400.0;
