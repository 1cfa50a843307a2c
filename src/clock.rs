//! The current time and quota days.
//!
//! `LLMROUTE_NOW` (an RFC 3339 timestamp such as `2026-11-26T23:59:00Z`) overrides the system clock,
//! so quota resets can be tested and reproduced without waiting for midnight.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime as Zoned};

use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct Clock {
    now: Zoned,
}

impl Clock {
    pub fn new(tz: TimeZone) -> Result<Clock> {
        let ts = match std::env::var("LLMROUTE_NOW") {
            Ok(v) if !v.is_empty() => v.parse::<Timestamp>().map_err(|e| {
                Error::usage(format!(
                    "`LLMROUTE_NOW`: invalid timestamp `{v}` ({e}); use RFC 3339, e.g. 2026-11-26T08:00:00Z"
                ))
            })?,
            _ => Timestamp::now(),
        };
        Ok(Clock { now: ts.to_zoned_datetime(tz) })
    }

    pub fn at(ts: Timestamp, tz: TimeZone) -> Clock {
        Clock { now: ts.to_zoned_datetime(tz) }
    }

    pub fn now(&self) -> &Zoned {
        &self.now
    }

    /// The quota day, `YYYY-MM-DD` in the configured time zone.
    pub fn day(&self) -> String {
        self.now.date().to_string()
    }

    /// The instant the current quota day ends.
    pub fn next_reset(&self) -> Zoned {
        self.now
            .date()
            .tomorrow()
            .ok()
            .and_then(|d| d.to_zoned_datetime(self.now.time_zone().clone()).ok())
            .unwrap_or_else(|| self.now.clone())
    }

    /// Whole seconds until [`Clock::next_reset`], rounded up.
    pub fn seconds_to_reset(&self) -> u64 {
        let next = self.next_reset().timestamp().as_millisecond();
        let now = self.now.timestamp().as_millisecond();
        ((next - now).max(0) as u64).div_ceil(1000)
    }
}

/// RFC 3339 with the zone's offset, e.g. `2026-11-27T00:00:00+08:00`.
pub fn rfc3339(z: &Zoned) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}
