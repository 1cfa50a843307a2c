//! Runs the real binary in a scratch directory with a private state store.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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
        env.write("llmroute.toml", std::fs::read(repo("src/config/default.toml")).unwrap());
        Some(env)
    }

    /// [`Env::article`] on Redis.
    pub fn article_redis() -> Option<Env> {
        let mut env = Env::redis()?;
        let path = env.write("article.toml", std::fs::read(repo("src/config/article.toml")).unwrap());
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
        let path = env.write("article.toml", std::fs::read(repo("src/config/article.toml")).unwrap());
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

    pub fn run_stdin(&self, args: &[&str], input: impl AsRef<[u8]>) -> Run {
        use std::io::Write;
        let mut c = self.cmd(args);
        c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        child.stdin.take().unwrap().write_all(input.as_ref()).unwrap();
        child.wait_with_output().unwrap().into()
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
