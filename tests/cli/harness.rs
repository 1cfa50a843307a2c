//! Runs the real binary in a scratch directory with a private state store, and the words the
//! tests are written in: the repository's fixtures by name ([`fixture`]), the embedded
//! configurations' text ([`default_config`], [`article_config`]), scratch files as arguments
//! ([`Env::file`]), a clock ([`Env::run_at`]) and assertions on a [`Run`] ([`Run::fails`],
//! [`Run::stdout_eq`], [`Run::stderr_has`] …) that say what the output must be.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Output, Stdio};

/// Repository files the tests read, relative to the repository (pass them through
/// [`fixture::arg`] to get a command-line argument, or [`read`] for their text).
pub mod fixture {
    /// The embedded default configuration.
    pub const DEFAULT_CONFIG: &str = "src/config/default.toml";
    /// The design article's profile (`config init --article`).
    pub const ARTICLE_CONFIG: &str = "src/config/article.toml";
    /// Three models `big`, `mid`, `mini` with a quota of 1 a day each, in UTC.
    pub const TINY_QUOTAS: &str = "fixtures/config/tiny-quotas.toml";
    /// RouteLLM's recorded outcomes (1,597 rows).
    pub const ROUTELLM: &str = "fixtures/replay/routellm.csv";
    /// LLMRouter's recorded outcomes (JSON).
    pub const LLMROUTER: &str = "fixtures/replay/llmrouter.json";
    /// LLMRouter's prices for the replay fixtures.
    pub const LLMROUTER_PRICES: &str = "fixtures/replay/llmrouter_prices.toml";
    /// RouterArena's recorded outcomes (JSON lines).
    pub const ROUTERARENA: &str = "fixtures/replay/routerarena.jsonl";
    /// A small RouterBench outcome file (three models, one empty quality cell).
    pub const MINI_ROUTERBENCH: &str = "fixtures/outcomes/mini_routerbench.csv";
    /// The tier classifier's held-out set.
    pub const TIERS_DEV: &str = "fixtures/tiers/dev.jsonl";
    /// The tier classifier's training set.
    pub const TIERS_TRAIN: &str = "fixtures/tiers/train.jsonl";
    /// Ratings of the article's rules.
    pub const RULE_FEEDBACK: &str = "fixtures/feedback/rule_feedback.csv";
    /// LiteLLM's price table, a slice of it.
    pub const LITELLM_SLICE: &str = "fixtures/prices/litellm_slice.json";
    /// LiteLLM's price table, the whole catalog.
    pub const LITELLM_CATALOG: &str = "fixtures/prices/litellm_catalog.json";
    /// A tier classifier of format version 1.
    pub const TIER_V1_MODEL: &str = "fixtures/models/tier-v1.model";

    /// A repository file's absolute path, as a command-line argument.
    pub fn arg(path: &str) -> String {
        super::repo(path).to_str().unwrap().to_string()
    }
}

/// A repository file's text.
pub fn read(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap()
}

/// The embedded default configuration's text.
pub fn default_config() -> String {
    read(fixture::DEFAULT_CONFIG)
}

/// The design article's profile's text.
pub fn article_config() -> String {
    read(fixture::ARTICLE_CONFIG)
}

pub struct Env {
    dir: tempfile::TempDir,
    /// `LLMROUTE_CONFIG` for every command, when set.
    config: Option<PathBuf>,
    /// The Redis database (`LLMROUTE_REDIS_URL`) when the state is on Redis.
    redis: Option<String>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }

    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "expected success\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    #[track_caller]
    pub fn code(self, code: i32) -> Self {
        assert_eq!(self.code, code, "unexpected exit code\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    /// Exit `code` with exactly `stderr`.
    #[track_caller]
    pub fn fails(self, code: i32, stderr: &str) -> Self {
        self.code(code).stderr_eq(stderr)
    }

    /// Stdout is exactly `want`.
    #[track_caller]
    pub fn stdout_eq(self, want: &str) -> Self {
        assert_eq!(self.stdout, want);
        self
    }

    /// Stderr is exactly `want`.
    #[track_caller]
    pub fn stderr_eq(self, want: &str) -> Self {
        assert_eq!(self.stderr, want);
        self
    }

    /// Nothing on stdout.
    #[track_caller]
    pub fn no_stdout(self) -> Self {
        assert!(self.stdout.is_empty(), "{}", self.stdout);
        self
    }

    /// Stdout contains `part`.
    #[track_caller]
    pub fn stdout_has(self, part: &str) -> Self {
        assert!(self.stdout.contains(part), "stdout lacks {part:?}:\n{}", self.stdout);
        self
    }

    /// Stderr contains `part`.
    #[track_caller]
    pub fn stderr_has(self, part: &str) -> Self {
        assert!(self.stderr.contains(part), "stderr lacks {part:?}:\n{}", self.stderr);
        self
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_llmroute"))
}

pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

impl Env {
    pub fn new() -> Env {
        Env { dir: tempfile::tempdir().unwrap(), config: None, redis: None }
    }

    /// An environment whose state lives on a fresh database of the tests' Redis server: every
    /// configuration it writes gets `[state] backend = "redis"` (the embedded default is written
    /// out as `llmroute.toml` to carry it). `None` (skip) without Redis outside CI.
    pub fn redis() -> Option<Env> {
        let mut env = Env::new();
        env.redis = Some(crate::redis_server::fresh_db()?);
        env.write("llmroute.toml", default_config());
        Some(env)
    }

    /// [`Env::article`] on Redis.
    pub fn article_redis() -> Option<Env> {
        let mut env = Env::redis()?;
        let path = env.write("article.toml", article_config());
        env.config = Some(path);
        Some(env)
    }

    /// The environment of a command whose state is kept apart from every other's: its own
    /// SQLite file, or its own Redis database.
    pub fn separate_state(&self, name: &str) -> (&'static str, String) {
        match &self.redis {
            Some(_) => ("LLMROUTE_REDIS_URL", crate::redis_server::fresh_db().unwrap()),
            None => ("LLMROUTE_STATE", self.path(name).to_str().unwrap().to_string()),
        }
    }

    /// The Redis database of this environment (`LLMROUTE_REDIS_URL`), when on Redis.
    pub fn redis_url(&self) -> Option<&str> {
        self.redis.as_deref()
    }

    /// An environment whose commands read the design article's profile (`config init
    /// --article`: its Chinese keyword rules, no ML model) instead of the embedded default, for
    /// tests of the article's behaviour.
    pub fn article() -> Env {
        let mut env = Env::new();
        let path = env.write("article.toml", article_config());
        env.config = Some(path);
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file of the scratch directory; on Redis, a configuration (`*.toml`) is
    /// pointed at Redis.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        match std::str::from_utf8(contents.as_ref()) {
            Ok(text) if self.redis.is_some() && name.ends_with(".toml") => {
                std::fs::write(&p, on_redis(text)).unwrap();
            }
            _ => std::fs::write(&p, contents).unwrap(),
        }
        p
    }

    /// Writes a file of the scratch directory (as [`Env::write`]) and returns its path as a
    /// command-line argument.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        self.write(name, contents).to_str().unwrap().to_string()
    }

    /// A scratch file's path as a command-line argument (the file need not exist).
    pub fn arg(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    /// A command with a clean environment: no user config, private state, UTC.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args).current_dir(self.dir.path()).env_remove("LLMROUTE_CONFIG");
        if let Some(config) = &self.config {
            c.env("LLMROUTE_CONFIG", config);
        }
        // Tables fit COLUMNS when it is set; tests see unwrapped output unless they set it.
        c.env_remove("LLMROUTE_NOW")
            .env_remove("COLUMNS")
            .env_remove("XDG_STATE_HOME")
            .env("LLMROUTE_STATE", self.path("state.db"))
            .env("TZ", "UTC")
            .env_remove("LLMROUTE_REDIS_URL")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        if let Some(url) = &self.redis {
            c.env("LLMROUTE_REDIS_URL", url);
        }
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.cmd(args).output().unwrap().into()
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut c = self.cmd(args);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap().into()
    }

    /// `route --json --dry-run ARGS…`, which must succeed: the decision, counted nowhere.
    pub fn dry_route(&self, args: &[&str]) -> serde_json::Value {
        self.run(&[&["route", "--json", "--dry-run"][..], args].concat()).ok().json()
    }

    /// `quota --json`, which must succeed: every model's counter.
    pub fn quota_json(&self) -> serde_json::Value {
        self.run(&["quota", "--json"]).ok().json()
    }

    /// Runs with the clock at `now` (`LLMROUTE_NOW`, RFC 3339).
    pub fn run_at(&self, now: &str, args: &[&str]) -> Run {
        self.run_env(args, &[("LLMROUTE_NOW", now)])
    }

    pub fn run_stdin(&self, args: &[&str], input: impl AsRef<[u8]>) -> Run {
        use std::io::Write;
        let mut c = self.cmd(args);
        c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        child.stdin.take().unwrap().write_all(input.as_ref()).unwrap();
        child.wait_with_output().unwrap().into()
    }
}

/// The port of a gateway started with `serve --listen 127.0.0.1:0` and its stderr piped, read
/// from the line `listening on http://127.0.0.1:PORT`; the warnings written before it (such as
/// unset provider keys); and the rest of its stderr. A gateway that writes anything else first
/// is stopped and the test fails.
pub fn listening_port(child: &mut Child) -> (u16, String, BufReader<ChildStderr>) {
    let mut lines = BufReader::new(child.stderr.take().unwrap());
    let mut before = String::new();
    loop {
        let mut line = String::new();
        lines.read_line(&mut line).unwrap();
        if line.starts_with("warning: ") {
            before.push_str(&line);
            continue;
        }
        if let Some(port) = line.trim().strip_prefix("listening on http://127.0.0.1:").and_then(|p| p.parse().ok()) {
            return (port, before, lines);
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("unexpected line before `listening on`: {line}");
    }
}

/// A configuration's text with its state on Redis.
fn on_redis(text: &str) -> String {
    if text.contains("[state]\nbackend = \"redis\"") {
        text.to_string()
    } else if text.contains("[state]\nbackend = \"sqlite\"") {
        text.replace("[state]\nbackend = \"sqlite\"", "[state]\nbackend = \"redis\"")
    } else {
        assert!(!text.contains("[state]"), "a test configuration sets [state] itself");
        format!("{text}\n[state]\nbackend = \"redis\"\n")
    }
}
