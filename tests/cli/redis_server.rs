//! A real `redis-server` for the tests: started on a free port of 127.0.0.1 with its data in a
//! temporary directory. Without the binary the Redis tests are skipped, except under CI (`CI`
//! set), where they fail: `.ci/run` installs the server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Whether `redis-server` can run here; panics under CI when it cannot.
#[allow(clippy::print_stderr)]
pub fn available() -> bool {
    let ok = Command::new("redis-server").arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "redis-server is not installed; CI must install it (.ci/run)");
        eprintln!("note: redis-server is not installed; skipping a Redis test");
    }
    ok
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Whether a server answers PING on `port`.
fn pong(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let mut buf = [0u8; 7];
    s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

/// A server owned by one test: killed on drop; `stop` and `start` keep its port and data
/// (append-only file), as a crashed and restarted server would.
pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
}

fn spawn(dir: &Path, port: u16, wrapped: bool) -> Child {
    // The shared server keeps nothing on disk; a test's own server keeps an append-only file to
    // survive a restart.
    let aof = if wrapped { "no" } else { "yes" };
    let args = [
        "--port".to_string(),
        port.to_string(),
        "--bind".to_string(),
        "127.0.0.1".to_string(),
        "--dir".to_string(),
        dir.display().to_string(),
        "--save".to_string(),
        String::new(),
        "--appendonly".to_string(),
        aof.to_string(),
        "--appendfsync".to_string(),
        "always".to_string(),
        "--databases".to_string(),
        "4096".to_string(),
        "--logfile".to_string(),
        dir.join("redis.log").display().to_string(),
    ];
    let mut c = if wrapped {
        // The server dies with the test process: the shell kills it when its stdin (a pipe this
        // process holds) closes.
        let mut c = Command::new("sh");
        c.arg("-c").arg("redis-server \"$@\" & pid=$!; read _; kill $pid; wait $pid").arg("sh").args(&args);
        c.stdin(Stdio::piped());
        c
    } else {
        let mut c = Command::new("redis-server");
        c.args(&args).stdin(Stdio::null());
        c
    };
    c.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("cannot start redis-server")
}

fn wait_ready(child: &mut Child, port: u16) -> bool {
    for _ in 0..500 {
        if pong(port) {
            return true;
        }
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

impl RedisServer {
    /// A new server, or `None` (skip) when redis-server is not installed outside CI.
    pub fn start() -> Option<RedisServer> {
        if !available() {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        for _ in 0..20 {
            let port = free_port();
            let mut child = spawn(dir.path(), port, false);
            if wait_ready(&mut child, port) {
                return Some(RedisServer { child: Some(child), port, dir });
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("redis-server did not start; see {}", dir.path().join("redis.log").display());
    }

    pub fn url(&self, db: u32) -> String {
        format!("redis://127.0.0.1:{}/{db}", self.port)
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port with the same data.
    pub fn restart(&mut self) {
        self.kill();
        let mut child = spawn(self.dir.path(), self.port, false);
        assert!(wait_ready(&mut child, self.port), "redis-server did not restart");
        self.child = Some(child);
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The server the tests of this process share (each test on databases of its own).
struct Shared {
    _child: Child,
    port: u16,
    _dir: PathBuf,
}

static SHARED: OnceLock<Option<Shared>> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// A fresh database of the shared server (`redis://…/N`), or `None` (skip) without Redis.
pub fn fresh_db() -> Option<String> {
    let shared = SHARED.get_or_init(|| {
        if !available() {
            return None;
        }
        let dir = tempfile::tempdir().unwrap().keep();
        for _ in 0..20 {
            let port = free_port();
            let mut child = spawn(&dir, port, true);
            if wait_ready(&mut child, port) {
                return Some(Shared { _child: child, port, _dir: dir });
            }
            drop(child.stdin.take());
            let _ = child.wait();
        }
        panic!("redis-server did not start; see {}", dir.join("redis.log").display());
    });
    let s = shared.as_ref()?;
    let db = NEXT_DB.fetch_add(1, Ordering::Relaxed);
    assert!(db < 4096, "out of Redis databases");
    Some(format!("redis://127.0.0.1:{}/{db}", s.port))
}
