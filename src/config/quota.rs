//! `[quota]` and `[estimate]`: the time zone daily quotas reset in, and the output length cost
//! estimates assume.

use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::check::Checker;
use super::limits::MAX_TOKENS_PER_CALL;
use crate::error::Result;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuota {
    #[serde(default = "default_timezone")]
    pub timezone: String,
}

impl Default for RawQuota {
    fn default() -> Self {
        RawQuota { timezone: default_timezone() }
    }
}

fn default_timezone() -> String {
    "local".to_string()
}

impl RawQuota {
    /// The quota time zone.
    pub(super) fn validate(&self, c: &Checker) -> Result<TimeZone> {
        parse_timezone(&self.timezone).map_err(|m| c.err("quota.timezone", m))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEstimate {
    #[serde(default = "default_output_tokens")]
    pub output_tokens: u32,
}

impl Default for RawEstimate {
    fn default() -> Self {
        RawEstimate { output_tokens: default_output_tokens() }
    }
}

fn default_output_tokens() -> u32 {
    250
}

impl RawEstimate {
    /// The output tokens assumed by cost estimates.
    pub(super) fn validate(&self, c: &Checker) -> Result<u32> {
        c.int_in(u64::from(self.output_tokens), 1, MAX_TOKENS_PER_CALL, "estimate.output_tokens")?;
        Ok(self.output_tokens)
    }
}

/// The system time zone. Reads `/etc/localtime` directly when `TZ` is unset: asking jiff for the
/// system zone scans the whole zoneinfo tree to learn the zone's name, which costs a millisecond
/// on every `route` call.
fn local_timezone() -> TimeZone {
    if std::env::var_os("TZ").is_none()
        && let Ok(bytes) = std::fs::read("/etc/localtime")
        && let Ok(tz) = TimeZone::tzif("localtime", &bytes)
    {
        return tz;
    }
    TimeZone::system()
}

/// `local`, `UTC`, a fixed offset (`+08:00`, `-5`, `+0530`), or an IANA name.
pub fn parse_timezone(s: &str) -> std::result::Result<TimeZone, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("local") {
        return Ok(local_timezone());
    }
    if t.eq_ignore_ascii_case("utc") || t == "Z" {
        return Ok(TimeZone::UTC);
    }
    if let Some(rest) = t.strip_prefix('+').map(|r| (1, r)).or_else(|| t.strip_prefix('-').map(|r| (-1, r))) {
        let (sign, body) = rest;
        let digits: String = body.chars().filter(|c| *c != ':').collect();
        let ok = !digits.is_empty() && digits.len() <= 4 && digits.chars().all(|c| c.is_ascii_digit());
        if ok {
            let (h, m) = if digits.len() <= 2 {
                (digits.parse::<i32>().unwrap_or(99), 0)
            } else {
                let split = digits.len() - 2;
                (digits[..split].parse::<i32>().unwrap_or(99), digits[split..].parse::<i32>().unwrap_or(99))
            };
            if h <= 14 && m < 60 {
                let secs = sign * (h * 3600 + m * 60);
                return jiff::tz::Offset::from_seconds(secs)
                    .map(TimeZone::fixed)
                    .map_err(|e| format!("invalid offset `{s}`: {e}"));
            }
        }
        return Err(format!("invalid UTC offset `{s}`; write it like `+08:00` or `-05:30`"));
    }
    TimeZone::get(t).map_err(|_| {
        format!(
            "unknown time zone `{s}`; use `local`, `UTC`, an offset like `+08:00`, or an IANA name like `Asia/Shanghai`"
        )
    })
}
