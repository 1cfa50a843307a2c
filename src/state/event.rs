//! What the state store has to tell the person running llmroute — Redis unavailable and the
//! local file counting meanwhile, Redis back, an import file that changed under it — as values.
//! The store never decides how they are shown: the caller installs a reporter once
//! ([`set_reporter`]) and the store hands it each event as it happens.

use std::path::PathBuf;
use std::sync::RwLock;

/// One thing the store reports while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The configured store is unavailable (`reason`): operations go to the local SQLite file
    /// until it is back. Reported once per outage, before the first operation on the file.
    FellBack { place: String, reason: String, local: PathBuf },
    /// The configured store answered again after an outage (reported after that operation).
    Back { place: String },
    /// `state import`: the file read on the second pass was not the one checked on the first
    /// (`name` as the user gave it); what was written is the second reading.
    ChangedDuringImport { name: String },
}

impl Event {
    /// Whether the event is a warning (else a plain note).
    pub fn is_warning(&self) -> bool {
        !matches!(self, Event::Back { .. })
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Event::FellBack { place, reason, local } => write!(
                f,
                "state store `{place}` is unavailable ({reason}); counting in {} until it is back \
                 (quotas are per machine meanwhile)",
                local.display()
            ),
            Event::Back { place } => write!(f, "state store `{place}` is back"),
            Event::ChangedDuringImport { name } => write!(f, "{name} changed while it was imported"),
        }
    }
}

/// What receives the store's events.
pub type Reporter = fn(&Event);

static REPORTER: RwLock<Option<Reporter>> = RwLock::new(None);

/// Installs the function the store hands each event to (for the whole process; the last one
/// installed wins).
pub fn set_reporter(f: Reporter) {
    if let Ok(mut r) = REPORTER.write() {
        *r = Some(f);
    }
}

/// Hands `e` to the installed reporter (none installed: a library caller that did not ask).
pub(super) fn report(e: Event) {
    if let Some(f) = REPORTER.read().ok().and_then(|r| *r) {
        f(&e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_the_ones_printed_before() {
        let e =
            Event::FellBack { place: "redis (REDIS_URL)".into(), reason: "refused".into(), local: "/tmp/s.db".into() };
        assert_eq!(
            e.to_string(),
            "state store `redis (REDIS_URL)` is unavailable (refused); counting in /tmp/s.db until it is back \
             (quotas are per machine meanwhile)"
        );
        assert!(e.is_warning());
        let e = Event::Back { place: "redis (REDIS_URL)".into() };
        assert_eq!(e.to_string(), "state store `redis (REDIS_URL)` is back");
        assert!(!e.is_warning());
        let e = Event::ChangedDuringImport { name: "dump.jsonl".into() };
        assert_eq!(e.to_string(), "dump.jsonl changed while it was imported");
        assert!(e.is_warning());
    }
}
