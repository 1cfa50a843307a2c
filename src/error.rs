//! Errors and the one place that maps them to exit codes.
//!
//! | code | meaning |
//! |------|---------|
//! | 0    | success (also when stdout is closed early, e.g. `| head`) |
//! | 1    | the run finished but some items failed (bad rows skipped, a check failed) |
//! | 2    | usage, configuration or input error |
//! | 3    | provider or network failure |
//! | 4    | every model is over its daily quota (`all_quotas_exhausted`) |
//! | 5    | the state store could not be opened, reached or written |
//! | 6    | no model in the catalog can serve the request (context window, output limit, capability) |
//! | 130  | interrupted |

use std::fmt;

/// Process exit codes; see the module documentation.
pub mod exit {
    pub const OK: u8 = 0;
    pub const PARTIAL: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const PROVIDER: u8 = 3;
    pub const QUOTA_EXHAUSTED: u8 = 4;
    pub const STATE: u8 = 5;
    pub const UNSERVABLE: u8 = 6;
    pub const INTERRUPTED: u8 = 130;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad arguments or input the user can fix (exit 2).
    #[error("{0}")]
    Usage(String),
    /// A configuration file problem, already prefixed with file and key path (exit 2).
    #[error("{0}")]
    Config(String),
    /// The state store failed (exit 5).
    #[error("state store `{path}`: {message}")]
    State { path: String, message: String },
    /// The state store could not be reached in time (exit 5; HTTP 503 from the gateway).
    #[error("state store `{place}` is unavailable: {message}")]
    StateUnavailable { place: String, message: String },
    /// Every model is over its daily quota (exit 4).
    #[error(
        "all_quotas_exhausted: every model is over its daily quota; retry after {retry_after} s (quotas reset at {resets_at})"
    )]
    QuotasExhausted { retry_after: u64, resets_at: String },
    /// No catalog model can serve the request: context window, output limit or a capability
    /// (exit 6; HTTP 400 from the gateway).
    #[error("{0}")]
    Unservable(String),
    /// A provider or the network failed (exit 3).
    #[error("{0}")]
    Provider(String),
    /// llmroute itself could not go on, through no fault of a provider or of the input: a thread
    /// or the async runtime would not start, a lock was poisoned, a task died (exit 3, the code
    /// these failures have always had).
    #[error("{0}")]
    Internal(String),
    /// The run completed but some items failed; the message summarises them (exit 1).
    #[error("{0}")]
    Partial(String),
    /// stdout was closed by the reader; not an error for the user (exit 0).
    #[error("broken pipe")]
    BrokenPipe,
    /// Interrupted by the user (exit 130).
    #[error("interrupted")]
    Interrupted,
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::Config(_) => exit::USAGE,
            Error::State { .. } | Error::StateUnavailable { .. } => exit::STATE,
            Error::QuotasExhausted { .. } => exit::QUOTA_EXHAUSTED,
            Error::Provider(_) | Error::Internal(_) => exit::PROVIDER,
            Error::Unservable(_) => exit::UNSERVABLE,
            Error::Partial(_) => exit::PARTIAL,
            Error::BrokenPipe => exit::OK,
            Error::Interrupted => exit::INTERRUPTED,
        }
    }

    pub fn usage(msg: impl fmt::Display) -> Self {
        Error::Usage(msg.to_string())
    }

    pub fn state(path: &std::path::Path, e: impl fmt::Display) -> Self {
        Error::State { path: path.display().to_string(), message: e.to_string() }
    }

    /// Maps an I/O error on stdout: a closed pipe ends the program quietly.
    pub fn from_stdout(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Error::BrokenPipe
        } else {
            Error::Usage(format!("cannot write to stdout: {e}"))
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// "did you mean `x`?" for a misspelt name among `candidates`.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&name.to_lowercase(), &c.to_lowercase());
        if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| format!("; did you mean `{c}`?"))
}

/// A number for a message, as a person would write it: `1e308`, `-1`, `7.5`.
pub fn num(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e15 || x.abs() < 1e-4) { format!("{x:e}") } else { format!("{x}") }
}

/// Digits in groups of three: `1234567` → `1,234,567`.
pub fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The OS error without Rust's "(os error 2)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_failure_keeps_the_provider_exit_code_and_its_message() {
        let e = Error::Internal("cannot start the async runtime: no threads".into());
        assert_eq!(e.exit_code(), exit::PROVIDER);
        assert_eq!(e.to_string(), "cannot start the async runtime: no threads");
        assert_eq!(Error::Provider("x".into()).exit_code(), 3);
    }
}
