//! The gateway's listener: the routes, the connection limits and a graceful stop. Kept apart from
//! the handlers so what guards the socket (timeouts, connection caps) has one room.
//!
//! Connections are driven here rather than by `axum::serve`, which sets no timer: a client that
//! sent half a request head kept its connection (and a file descriptor) forever, and enough of
//! them starved every other client. Here a head must arrive within `header_read_timeout_secs`
//! (an idle kept-alive connection too), a body within `body_read_timeout_secs`, and at most
//! `max_connections` are open: at the cap, the oldest connection without a request in progress
//! is closed for the new one, so a flood of half-sent requests cannot lock out `/healthz`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;

use super::app::App;
use super::auth::{Guard, Verdict};
use super::error::ApiError;
use super::handlers::{chat, feedback, metrics, models};
use super::metrics::count_refusals;
use crate::error::{Error, Result};

/// File descriptors kept for what is not a client connection, besides one per upstream call in
/// flight and per state connection: standard streams, the runtime, the ledger, SQLite's files.
const FD_RESERVE: u64 = 64;

/// Serves until SIGTERM/SIGINT, then waits up to `[serve] shutdown_grace_secs` for requests in
/// flight.
pub(super) async fn serve(app: Arc<App>) -> Result<()> {
    let settings = &app.settings;
    let listen = settings.listen.as_str();
    let listener =
        bind(listen).await.map_err(|e| Error::Usage(format!("--listen {listen}: {}", crate::error::io_reason(&e))))?;
    let addr: SocketAddr = listener.local_addr().map_err(|e| Error::Usage(format!("--listen {listen}: {e}")))?;
    crate::output::note(&format!("listening on http://{addr}"));
    let max =
        fit_descriptors(settings.max_connections, FD_RESERVE + (settings.max_concurrency + app.stores.len()) as u64);
    let limits = Limits { body: settings.body_read_timeout, guard: Arc::new(Guard::new(&app, listen)) };
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(settings.header_read_timeout);
    let router = TowerToHyperService::new(routes(&app));
    let conns = Arc::new(Conns { max, list: Mutex::new(VecDeque::new()), next: AtomicU64::new(0) });
    let limits = Arc::new(limits);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    // Every connection's task holds a sender: `recv` answers `None` once all are gone.
    let (open_tx, mut open_rx) = tokio::sync::mpsc::channel::<()>(1);
    let mut stop = std::pin::pin!(shutdown_signal());
    let mut warned: Option<Instant> = None;
    loop {
        let (stream, _) = tokio::select! {
            r = listener.accept() => match r {
                Ok(s) => s,
                Err(e) => {
                    accept_failed(&e, &mut warned).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let Some(conn) = conns.admit() else {
            // Every connection is in a request: say so rather than leave the client hanging.
            let _ = stream.try_write(
                b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nretry-after: 1\r\nconnection: close\r\n\r\n",
            );
            continue;
        };
        let _ = stream.set_nodelay(true);
        let local = if addr.ip().is_unspecified() { stream.local_addr().unwrap_or(addr) } else { addr };
        let service = Service { router: router.clone(), app: app.clone(), limits: limits.clone(), conn, local };
        let conn = service.conn.clone();
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let (mut stop_rx, open, conns) = (stop_rx.clone(), open_tx.clone(), conns.clone());
        tokio::spawn(async move {
            let _open = open;
            let mut connection = std::pin::pin!(connection);
            let mut stopping = false;
            loop {
                tokio::select! {
                    _ = connection.as_mut() => break,
                    // Closed for a newer connection: it had no request in progress.
                    _ = conn.evicted.notified() => break,
                    _ = stop_rx.changed(), if !stopping => {
                        // Without a request in progress (idle, or a head still arriving) it
                        // closes now; else after its response.
                        if conn.busy.load(Ordering::Acquire) == 0 {
                            break;
                        }
                        stopping = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
            conns.remove(conn.id);
        });
    }
    crate::output::note("shutting down: no new connections; finishing requests in flight");
    drop(listener);
    let _ = stop_tx.send(true);
    drop(open_tx);
    let grace = settings.shutdown_grace;
    if tokio::time::timeout(grace, open_rx.recv()).await.is_err() {
        crate::output::warn(&format!("requests still in flight after {:.1} s; stopping", grace.as_secs_f64()));
    }
    Ok(())
}

/// The endpoints. The chat endpoint's refusals are counted by status in a middleware layer.
fn routes(app: &Arc<App>) -> Router {
    let chat_routes = Router::new()
        .route("/v1/chat/completions", post(chat))
        .route("/chat/completions", post(chat))
        .route_layer(axum::middleware::from_fn_with_state(app.clone(), count_refusals));
    Router::new()
        .merge(chat_routes)
        .route("/v1/feedback", post(feedback))
        .route("/v1/models", get(models))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint") })
        .layer(axum::extract::DefaultBodyLimit::max(app.settings.max_request_bytes))
        .with_state(app.clone())
}

/// What `/healthz` answers, always with 200 (the process serves): the provider key variables
/// that are unset (their names), whose providers' models every request would fail on (502).
#[derive(serde::Serialize)]
struct Health<'a> {
    status: &'static str,
    unset_provider_keys: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

async fn healthz(axum::extract::State(app): axum::extract::State<Arc<App>>) -> Response {
    let unset = &app.settings.unset_provider_keys;
    let detail = (!unset.is_empty()).then(|| {
        format!(
            "provider key variables not set: {}; requests routed to their providers' models fail with 502",
            unset.join(", ")
        )
    });
    axum::Json(Health { status: "ok", unset_provider_keys: unset, detail }).into_response()
}

/// A listener on the first of `listen`'s addresses that binds, with a longer queue of
/// connections waiting for `accept` than `TcpListener::bind`'s 1,024 (the kernel caps it at
/// `net.core.somaxconn`): a burst of connections is queued rather than its SYNs dropped, which
/// would cost a legitimate client a one-second retransmission.
async fn bind(listen: &str) -> std::io::Result<tokio::net::TcpListener> {
    let mut last = None;
    for addr in tokio::net::lookup_host(listen).await? {
        let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
        #[cfg(unix)]
        socket.set_reuseaddr(true)?;
        match socket.bind(addr).and_then(|()| socket.listen(4096)) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "no address to listen on")))
}

/// An accept error: a connection reset before it was accepted is nothing; running out of file
/// descriptors (or another resource) waits a moment for connections to close, warned at most
/// every ten seconds.
async fn accept_failed(e: &std::io::Error, warned: &mut Option<Instant>) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    if warned.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
        crate::output::warn(&format!("cannot accept a connection: {e}"));
        *warned = Some(Instant::now());
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
}

/// Raises the open-file limit to its hard limit and returns the connection cap that fits under
/// it, `reserve` descriptors kept for the rest (warned when `max` had to be lowered).
fn fit_descriptors(max: usize, reserve: u64) -> usize {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(l) => l,
        Err(e) => {
            crate::output::warn(&format!("cannot raise the open-file limit: {e}"));
            return max;
        }
    };
    let room = usize::try_from(limit.saturating_sub(reserve)).unwrap_or(usize::MAX).max(16);
    if max > room {
        crate::output::warn(&format!(
            "[serve] max_connections = {max} does not fit the open-file limit of {limit} ({reserve} kept for \
             upstream calls and state); serving at most {room} connections (raise `ulimit -Hn`)"
        ));
        return room;
    }
    max
}

/// One client connection.
struct Conn {
    id: u64,
    /// Requests in progress (from a complete head until the response's body is sent).
    busy: AtomicUsize,
    evicted: tokio::sync::Notify,
}

/// The open connections, oldest first.
struct Conns {
    max: usize,
    list: Mutex<VecDeque<Arc<Conn>>>,
    next: AtomicU64,
}

impl Conns {
    /// A slot for a new connection: at the cap, the oldest connection without a request in
    /// progress is closed for it; `None` when every one has a request in progress.
    fn admit(&self) -> Option<Arc<Conn>> {
        let mut list = self.list.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if list.len() >= self.max {
            let i = list.iter().position(|c| c.busy.load(Ordering::Acquire) == 0)?;
            if let Some(old) = list.remove(i) {
                old.evicted.notify_one();
            }
        }
        let c = Arc::new(Conn {
            id: self.next.fetch_add(1, Ordering::Relaxed),
            busy: AtomicUsize::new(0),
            evicted: tokio::sync::Notify::new(),
        });
        list.push_back(c.clone());
        Some(c)
    }

    fn remove(&self, id: u64) {
        let mut list = self.list.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Ok(i) = list.binary_search_by_key(&id, |c| c.id) {
            list.remove(i);
        }
    }
}

/// A request in progress on a connection, until its response body is dropped.
struct Busy(Arc<Conn>);

impl Busy {
    fn new(c: Arc<Conn>) -> Busy {
        c.busy.fetch_add(1, Ordering::AcqRel);
        Busy(c)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

struct Limits {
    body: Duration,
    guard: Arc<Guard>,
}

/// The service of one connection: the guard's checks, the body deadline, then the routes.
#[derive(Clone)]
struct Service {
    router: TowerToHyperService<Router>,
    app: Arc<App>,
    limits: Arc<Limits>,
    conn: Arc<Conn>,
    /// The address the client connected to.
    local: SocketAddr,
}

impl hyper::service::Service<Request<Incoming>> for Service {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = std::result::Result<Response, Infallible>> + Send>>;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        let busy = Busy::new(self.conn.clone());
        let (parts, body) = req.into_parts();
        let origin = match self.limits.guard.check(&self.app, &parts, self.local) {
            Verdict::Pass(origin) => origin,
            Verdict::Answer(r) => return Box::pin(std::future::ready(Ok(hold(r, busy)))),
        };
        let late = Arc::new(AtomicBool::new(false));
        let body = if http_body::Body::is_end_stream(&body) {
            Body::new(body)
        } else {
            Body::new(Deadline {
                inner: body,
                sleep: Box::pin(tokio::time::sleep(self.limits.body)),
                late: late.clone(),
            })
        };
        let routed = hyper::service::Service::call(&self.router, Request::from_parts(parts, body));
        let (app, limits) = (self.app.clone(), self.limits.clone());
        Box::pin(async move {
            let Ok(mut r) = routed.await;
            if late.load(Ordering::Acquire) {
                app.metrics.status(408);
                let msg = format!(
                    "the request body did not arrive within {} s",
                    crate::error::num(limits.body.as_secs_f64())
                );
                r = ApiError::new(StatusCode::REQUEST_TIMEOUT, "request_timeout", msg).into_response();
                r.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            } else if r.status() == StatusCode::INTERNAL_SERVER_ERROR {
                r = conceal(r).await;
            }
            if let Some(o) = origin {
                super::auth::expose(&mut r, o);
            }
            Ok(hold(r, busy))
        })
    }
}

/// The response, its connection counted busy until its body is sent (or dropped).
fn hold(r: Response, busy: Busy) -> Response {
    r.map(|inner| Body::new(Held { inner, _busy: busy }))
}

/// A response body that keeps its connection counted busy while it lives; its size is the
/// inner body's, so a fixed-length answer keeps its `content-length`.
struct Held {
    inner: Body,
    _busy: Busy,
}

impl http_body::Body for Held {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// A 500's message goes to the server's log, not to the client: it can name the state store's
/// path or other details of this machine.
async fn conceal(r: Response) -> Response {
    let body = axum::body::to_bytes(r.into_body(), 64 << 10).await.unwrap_or_default();
    let detail = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(String::from))
        .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
    crate::output::warn(&format!("internal error answered 500: {detail}"));
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "internal error; the gateway's log has the details",
    )
    .into_response()
}

/// A request body that must arrive before a deadline: after it, reading fails and `late` is set.
struct Deadline {
    inner: Incoming,
    sleep: Pin<Box<tokio::time::Sleep>>,
    late: Arc<AtomicBool>,
}

impl http_body::Body for Deadline {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(f) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(f.map(|r| r.map_err(Into::into)));
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.late.store(true, Ordering::Release);
            return Poll::Ready(Some(Err("the request body did not arrive in time".into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
