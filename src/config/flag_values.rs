//! Range-checked parsers for the numbers given on the command line (clap `value_parser`s), with
//! the limits the configuration file has: a flag and the config key it overrides accept the same
//! range. Here, below every command and the gateway, so that each can use them.

use super::limits::{MAX_LATENCY_MS, MAX_SECONDS};

/// An integer flag within `LO..=HI`.
pub fn int_in<const LO: u64, const HI: u64>(s: &str) -> std::result::Result<usize, String> {
    match s.trim().parse::<u64>() {
        Ok(v) if (LO..=HI).contains(&v) => Ok(v as usize),
        _ => Err(format!("`{s}` is not a whole number from {LO} to {HI}")),
    }
}

pub fn float_in(s: &str, lo: f64, hi: f64, lo_open: bool) -> std::result::Result<f64, String> {
    let v: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a number"))?;
    let ok = v.is_finite() && (if lo_open { v > lo } else { v >= lo }) && v <= hi;
    let lo_bracket = if lo_open { "(" } else { "[" };
    ok.then_some(v)
        .ok_or_else(|| format!("`{s}` is outside {lo_bracket}{}, {}]", crate::error::num(lo), crate::error::num(hi)))
}

/// A share or probability: `[0, 1]`.
pub fn unit(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, 1.0, false)
}

/// A time in seconds: `(0, 86400]`.
pub fn seconds(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, MAX_SECONDS, true)
}

/// Requests per year: `(0, 1e12]`.
pub fn per_year(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, 1e12, true)
}

/// A quality scale: `(0, 1e6]`.
pub fn scale(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, 1e6, true)
}

/// A rating: `[1, 5]`.
pub fn rating(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 1.0, 5.0, false)
}

/// A latency in milliseconds: `[0, MAX_LATENCY_MS]`.
pub fn millis(s: &str) -> std::result::Result<f64, String> {
    float_in(s, 0.0, MAX_LATENCY_MS, false)
}

/// The validation share: `[0, 1)`.
pub fn split(s: &str) -> std::result::Result<f64, String> {
    let v = unit(s)?;
    (v < 1.0).then_some(v).ok_or_else(|| format!("`{s}` is outside [0, 1)"))
}
