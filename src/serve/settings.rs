//! The gateway's settings: `serve`'s flags merged over `[serve]` and `[live]` once, at start,
//! into one value the listener and the handlers read (no `flag.unwrap_or(config.x)` elsewhere).

use std::path::PathBuf;
use std::time::Duration;

use super::ServeArgs;
use crate::config::Config;
use crate::error::{Error, Result};

/// What `serve` runs with.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ServeSettings {
    pub(super) listen: String,
    /// Bearer keys clients must present (none: no client auth).
    pub(super) keys: Vec<String>,
    /// The ML stage's classifier (`--classifier`; none: `[ml] model`).
    pub(super) classifier: Option<PathBuf>,
    pub(super) max_request_bytes: usize,
    /// Upstream calls in flight at most.
    pub(super) max_concurrency: usize,
    pub(super) timeout: Duration,
    pub(super) deadline: Duration,
    pub(super) shutdown_grace: Duration,
    /// Runtime threads; 0: one per core.
    pub(super) workers: usize,
    pub(super) max_connections: usize,
    pub(super) header_read_timeout: Duration,
    pub(super) body_read_timeout: Duration,
    /// The provider key variables unset or empty, sorted, each once (names, never values): the
    /// models of those providers cannot be answered (502). `/healthz` names them.
    pub(super) unset_provider_keys: Vec<String>,
}

impl ServeSettings {
    /// Each flag given, else its configuration key; `env` reads the variable naming the client
    /// keys (`--keys-env`, else `[serve] keys_env`).
    pub(super) fn new(a: &ServeArgs, config: &Config, env: impl Fn(&str) -> Option<String>) -> Result<ServeSettings> {
        let sv = &config.serve;
        let keys = match a.keys_env.as_ref().or(sv.keys_env.as_ref()) {
            None => Vec::new(),
            Some(var) => client_keys(var, &env(var).unwrap_or_default())?,
        };
        let secs = Duration::from_secs_f64;
        Ok(ServeSettings {
            listen: a.listen.clone().unwrap_or_else(|| sv.listen.clone()),
            keys,
            classifier: a.model.clone(),
            max_request_bytes: a.max_request_bytes.unwrap_or(sv.max_request_bytes as usize),
            max_concurrency: a.max_concurrency.unwrap_or(sv.max_concurrency as usize),
            timeout: secs(a.timeout.unwrap_or(config.live.timeout_secs)),
            deadline: secs(a.deadline.unwrap_or(config.live.deadline_secs)),
            shutdown_grace: secs(a.shutdown_grace.unwrap_or(sv.shutdown_grace_secs)),
            workers: a.workers.unwrap_or(sv.workers as usize),
            max_connections: a.max_connections.unwrap_or(sv.max_connections as usize),
            header_read_timeout: secs(a.header_read_timeout.unwrap_or(sv.header_read_timeout_secs)),
            body_read_timeout: secs(a.body_read_timeout.unwrap_or(sv.body_read_timeout_secs)),
            unset_provider_keys: unset_provider_keys(config, &env),
        })
    }

    /// The runtime's worker threads: `workers`, or one per core for 0.
    pub(super) fn threads(&self) -> usize {
        match self.workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

/// The key variables of the providers that serve a model, unset or empty in `env`.
fn unset_provider_keys(config: &Config, env: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let mut unset: Vec<String> = config
        .providers
        .iter()
        .filter(|(name, _)| config.models.iter().any(|m| m.provider.as_deref() == Some(name.as_str())))
        .filter_map(|(_, p)| p.api_key_env.clone())
        .filter(|var| env(var).is_none_or(|v| v.is_empty()))
        .collect();
    unset.sort();
    unset.dedup();
    unset
}

/// The client keys in `value` (variable `var`): comma-separated, blanks trimmed; none is an error.
fn client_keys(var: &str, value: &str) -> Result<Vec<String>> {
    let keys: Vec<String> = value.split(',').map(str::trim).filter(|k| !k.is_empty()).map(String::from).collect();
    if keys.is_empty() {
        return Err(Error::Usage(format!("environment variable `{var}` (the client keys) holds no key")));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::config::Source;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        serve: ServeArgs,
    }

    /// The embedded default with `lines` added to its `[serve]` section.
    fn config(lines: &str) -> Config {
        let text = crate::config::EMBEDDED_DEFAULT.replacen("[serve]\n", &format!("[serve]\n{lines}\n"), 1);
        Config::from_str(&text, Source::Embedded).expect("a valid configuration")
    }

    fn settings(config: &Config, flags: &[&str], env: &[(&str, &str)]) -> Result<ServeSettings> {
        let a =
            Flags::try_parse_from(std::iter::once("serve").chain(flags.iter().copied())).expect("valid flags").serve;
        ServeSettings::new(&a, config, |v| env.iter().find(|(k, _)| *k == v).map(|(_, x)| x.to_string()))
    }

    #[test]
    fn configuration_applies_where_no_flag_is_given() {
        let c = config("");
        let s = settings(&c, &[], &[]).expect("settings");
        assert_eq!(s.listen, c.serve.listen);
        assert_eq!(s.keys, Vec::<String>::new());
        assert_eq!(s.classifier, None);
        assert_eq!(s.max_request_bytes, c.serve.max_request_bytes as usize);
        assert_eq!(s.max_concurrency, c.serve.max_concurrency as usize);
        assert_eq!(s.timeout, Duration::from_secs_f64(c.live.timeout_secs));
        assert_eq!(s.deadline, Duration::from_secs_f64(c.live.deadline_secs));
        assert_eq!(s.shutdown_grace, Duration::from_secs_f64(c.serve.shutdown_grace_secs));
        assert_eq!(s.workers, c.serve.workers as usize);
        assert_eq!(s.max_connections, c.serve.max_connections as usize);
        assert_eq!(s.header_read_timeout, Duration::from_secs_f64(c.serve.header_read_timeout_secs));
        assert_eq!(s.body_read_timeout, Duration::from_secs_f64(c.serve.body_read_timeout_secs));
    }

    #[test]
    fn flags_override_the_configuration() {
        let c = config("");
        let flags = [
            "--listen",
            "0.0.0.0:9000",
            "--classifier",
            "tier.model",
            "--max-request-bytes",
            "2048",
            "--max-concurrency",
            "7",
            "--timeout",
            "2.5",
            "--deadline",
            "9",
            "--shutdown-grace",
            "0.5",
            "--workers",
            "3",
            "--max-connections",
            "64",
            "--header-read-timeout",
            "4",
            "--body-read-timeout",
            "6",
        ];
        let s = settings(&c, &flags, &[]).expect("settings");
        let want = ServeSettings {
            listen: "0.0.0.0:9000".to_string(),
            keys: Vec::new(),
            classifier: Some(PathBuf::from("tier.model")),
            max_request_bytes: 2048,
            max_concurrency: 7,
            timeout: Duration::from_millis(2500),
            deadline: Duration::from_secs(9),
            shutdown_grace: Duration::from_millis(500),
            workers: 3,
            max_connections: 64,
            header_read_timeout: Duration::from_secs(4),
            body_read_timeout: Duration::from_secs(6),
            unset_provider_keys: vec!["ANTHROPIC_API_KEY".to_string(), "OPENAI_API_KEY".to_string()],
        };
        assert_eq!(s, want);
        assert_eq!(s.threads(), 3);
    }

    #[test]
    fn unset_provider_keys_are_named_once_each_empty_ones_included() {
        let c = config("");
        let unset = |env: &[(&str, &str)]| settings(&c, &[], env).expect("settings").unset_provider_keys;
        assert_eq!(unset(&[]), vec!["ANTHROPIC_API_KEY", "OPENAI_API_KEY"]);
        assert_eq!(unset(&[("OPENAI_API_KEY", "sk-1"), ("ANTHROPIC_API_KEY", "")]), vec!["ANTHROPIC_API_KEY"]);
        assert_eq!(unset(&[("OPENAI_API_KEY", "sk-1"), ("ANTHROPIC_API_KEY", "sk-2")]), Vec::<String>::new());
    }

    #[test]
    fn client_keys_come_from_the_named_variable() {
        let c = config("keys_env = \"FROM_CONFIG\"");
        let env = [("FROM_CONFIG", " a, b ,,c "), ("FROM_FLAG", "z")];
        assert_eq!(settings(&c, &[], &env).expect("keys").keys, vec!["a", "b", "c"]);
        assert_eq!(settings(&c, &["--keys-env", "FROM_FLAG"], &env).expect("keys").keys, vec!["z"]);
        let e = settings(&c, &[], &[("FROM_CONFIG", " , ")]).expect_err("no key");
        assert_eq!(e.to_string(), "environment variable `FROM_CONFIG` (the client keys) holds no key");
        let e = settings(&c, &[], &[]).expect_err("unset");
        assert_eq!(e.to_string(), "environment variable `FROM_CONFIG` (the client keys) holds no key");
    }
}
