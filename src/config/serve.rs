//! `[serve]`: the gateway's settings as written, validated into [`Serve`] (its flags override
//! these).

use serde::{Deserialize, Serialize};

use super::check::Checker;
use crate::error::Result;

/// The gateway (`llmroute serve`); its flags override these.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServe {
    /// Address to listen on.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Environment variable holding the client keys (comma-separated); none: no client auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys_env: Option<String>,
    /// Largest request body in bytes.
    #[serde(default = "default_max_request")]
    pub max_request_bytes: u64,
    /// Upstream calls in flight at most.
    #[serde(default = "default_concurrency")]
    pub max_concurrency: u64,
    /// On SIGTERM/SIGINT, how long requests in flight may still take.
    #[serde(default = "default_grace")]
    pub shutdown_grace_secs: f64,
    /// Threads serving requests; 0: one per core.
    #[serde(default)]
    pub workers: u64,
    /// Seconds a client may take to send a request's head (and an idle kept-alive connection
    /// may wait for its next request) before the connection is closed.
    #[serde(default = "default_header_timeout")]
    pub header_read_timeout_secs: f64,
    /// Seconds a client may take to send a request's body once its head arrived (408 after).
    #[serde(default = "default_body_timeout")]
    pub body_read_timeout_secs: f64,
    /// Client connections open at most; at the cap a new one closes the oldest idle one.
    #[serde(default = "default_max_connections")]
    pub max_connections: u64,
    /// Browser origins (`scheme://host[:port]`) allowed to call the gateway (CORS); a request
    /// with any other `Origin` is refused.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// `Host` values (`name` or `name:port`) accepted besides the listening address; `*`: any.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Endpoints answered without a client key when keys are configured.
    #[serde(default = "default_public_endpoints")]
    pub public_endpoints: Vec<String>,
}

/// The endpoints `[serve] public_endpoints` may name.
pub const PUBLIC_ENDPOINTS: [&str; 3] = ["/healthz", "/metrics", "/v1/models"];

impl Default for RawServe {
    fn default() -> Self {
        RawServe {
            listen: default_listen(),
            keys_env: None,
            max_request_bytes: default_max_request(),
            max_concurrency: default_concurrency(),
            shutdown_grace_secs: default_grace(),
            workers: 0,
            header_read_timeout_secs: default_header_timeout(),
            body_read_timeout_secs: default_body_timeout(),
            max_connections: default_max_connections(),
            allowed_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            public_endpoints: default_public_endpoints(),
        }
    }
}

/// Whether `o` is a browser origin as an `Origin` header carries it: `http(s)://host[:port]`,
/// no path.
pub fn origin_ok(o: &str) -> bool {
    let rest = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(|c: char| c.is_whitespace() || "/?#@,".contains(c)))
}

fn default_header_timeout() -> f64 {
    10.0
}
fn default_body_timeout() -> f64 {
    30.0
}
fn default_max_connections() -> u64 {
    4096
}
fn default_public_endpoints() -> Vec<String> {
    vec!["/healthz".to_string()]
}

fn default_listen() -> String {
    "127.0.0.1:8080".to_string()
}
fn default_max_request() -> u64 {
    4 << 20
}
fn default_concurrency() -> u64 {
    256
}
fn default_grace() -> f64 {
    10.0
}

/// The gateway's validated settings (see [`RawServe`] for each key's meaning).
#[derive(Debug, Clone)]
pub struct Serve {
    /// Address to listen on (`HOST:PORT`).
    pub listen: String,
    /// Environment variable holding the client keys (comma-separated); none: no client auth.
    pub keys_env: Option<String>,
    /// Largest request body in bytes.
    pub max_request_bytes: u64,
    /// Upstream calls in flight at most.
    pub max_concurrency: u64,
    /// On SIGTERM/SIGINT, how long requests in flight may still take.
    pub shutdown_grace_secs: f64,
    /// Threads serving requests; 0: one per core.
    pub workers: u64,
    /// Seconds a client may take to send a request's head.
    pub header_read_timeout_secs: f64,
    /// Seconds a client may take to send a request's body once its head arrived.
    pub body_read_timeout_secs: f64,
    /// Client connections open at most.
    pub max_connections: u64,
    /// Browser origins allowed to call the gateway (CORS).
    pub allowed_origins: Vec<String>,
    /// `Host` values accepted besides the listening address; `*`: any.
    pub allowed_hosts: Vec<String>,
    /// Endpoints answered without a client key when keys are configured.
    pub public_endpoints: Vec<String>,
}

impl RawServe {
    pub(super) fn validate(&self, c: &Checker) -> Result<Serve> {
        let sv = self;
        if sv.listen.trim().is_empty() || !sv.listen.contains(':') {
            return Err(c.err("serve.listen", format!("`{}` is not a HOST:PORT address", sv.listen)));
        }
        if sv.keys_env.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(c.err("serve.keys_env", "the variable name is empty".to_string()));
        }
        c.int_in(sv.max_request_bytes, 1 << 10, 64 << 20, "serve.max_request_bytes")?;
        c.int_in(sv.max_concurrency, 1, 10_000, "serve.max_concurrency")?;
        c.seconds(sv.shutdown_grace_secs, "serve.shutdown_grace_secs")?;
        c.int_in(sv.workers, 0, 1024, "serve.workers")?;
        c.seconds(sv.header_read_timeout_secs, "serve.header_read_timeout_secs")?;
        c.seconds(sv.body_read_timeout_secs, "serve.body_read_timeout_secs")?;
        c.int_in(sv.max_connections, 16, 1 << 20, "serve.max_connections")?;
        self.check_lists(c)?;
        let sv = self.clone();
        Ok(Serve {
            listen: sv.listen,
            keys_env: sv.keys_env,
            max_request_bytes: sv.max_request_bytes,
            max_concurrency: sv.max_concurrency,
            shutdown_grace_secs: sv.shutdown_grace_secs,
            workers: sv.workers,
            header_read_timeout_secs: sv.header_read_timeout_secs,
            body_read_timeout_secs: sv.body_read_timeout_secs,
            max_connections: sv.max_connections,
            allowed_origins: sv.allowed_origins,
            allowed_hosts: sv.allowed_hosts,
            public_endpoints: sv.public_endpoints,
        })
    }

    /// `allowed_origins`, `allowed_hosts` and `public_endpoints`.
    fn check_lists(&self, c: &Checker) -> Result<()> {
        for (i, o) in self.allowed_origins.iter().enumerate() {
            if !origin_ok(o) {
                return Err(c.err(
                    &format!("serve.allowed_origins[{i}]"),
                    format!("`{o}` is not an origin like `https://app.example.com` or `http://localhost:3000`"),
                ));
            }
        }
        for (i, h) in self.allowed_hosts.iter().enumerate() {
            if h.is_empty() || h.contains(|c: char| c.is_whitespace() || c == '/' || c == ',') {
                return Err(c.err(
                    &format!("serve.allowed_hosts[{i}]"),
                    format!("`{h}` is not a host like `gateway.internal` or `gateway.internal:8080` (or `*`)"),
                ));
            }
        }
        for (i, e) in self.public_endpoints.iter().enumerate() {
            if !PUBLIC_ENDPOINTS.contains(&e.as_str()) {
                return Err(c.err(
                    &format!("serve.public_endpoints[{i}]"),
                    format!("`{e}` is not one of {}", PUBLIC_ENDPOINTS.join(", ")),
                ));
            }
        }
        Ok(())
    }
}
