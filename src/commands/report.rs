//! `llmroute report`: the spend report over the decision log (see [`crate::spend`]).

mod args;
pub use args::SpendArgs;

use crate::clock::Clock;
use crate::commands::Context;
use crate::error::{Error, Result};
use crate::output;
use crate::state::{Location, Store};

pub fn run(ctx: &Context, a: &SpendArgs) -> Result<()> {
    let config = ctx.config()?;
    let clock = Clock::new(config.timezone.clone())?;
    let (since, window) = match (&a.since, a.days) {
        (Some(s), _) => (Some(since(s, &config)?), format!("since {s}")),
        (None, Some(d)) if d > 0 => {
            (Some(clock.now().timestamp().as_second() - d as i64 * 86_400), format!("last {d} days"))
        }
        _ => (None, "all time".to_string()),
    };
    let at = Location::resolve(ctx.state.as_deref(), &config)?;
    let tz = config.timezone.clone();
    let day = move |ts: i64| {
        jiff::Timestamp::from_second(ts)
            .map_or_else(|_| ts.to_string(), |t| t.to_zoned_datetime(tz.clone()).date().to_string())
    };
    let spend = std::cell::RefCell::new(crate::spend::Spend::new(&config, a.by, since, &day));
    if let Some(mut store) = Store::open_read(&at)? {
        // One decision at a time, without its prompt (never read).
        let place = store.place();
        store.scan_decision_costs(
            since,
            || spend.borrow_mut().clear(),
            |d| spend.borrow_mut().add(&d).map_err(|m| Error::State { path: place.clone(), message: m }),
        )?;
    }
    let report = spend.into_inner().finish();
    output::format::emit(&output::spend::SpendReport { report: &report, window }, a.output.format())
}

/// `--since`: a day (its midnight in the quota time zone) or an RFC 3339 instant.
fn since(s: &str, config: &crate::config::Config) -> Result<i64> {
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return d
            .to_zoned_datetime(config.timezone.clone())
            .map(|z| z.timestamp().as_second())
            .map_err(|e| Error::usage(format!("--since {s}: {e}")));
    }
    s.parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .map_err(|_| Error::usage(format!("--since `{s}`: expected YYYY-MM-DD or an RFC 3339 time")))
}
