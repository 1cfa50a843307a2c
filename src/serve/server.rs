//! The gateway's listener: the routes, the connection limits and a graceful stop. Kept apart from
//! the handlers so what guards the socket (timeouts, connection caps) has one room.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde_json::json;

use super::{App, chat, error, feedback, metrics, models};
use crate::error::{Error, Result};

pub(super) async fn serve(app: Arc<App>, listen: &str, grace: Duration) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Error::Usage(format!("--listen {listen}: {}", crate::error::io_reason(&e))))?;
    let addr: SocketAddr = listener.local_addr().map_err(|e| Error::Usage(format!("--listen {listen}: {e}")))?;
    crate::output::note(&format!("listening on http://{addr}"));
    let router = Router::new()
        .route("/v1/chat/completions", post(chat))
        .route("/chat/completions", post(chat))
        .route("/v1/feedback", post(feedback))
        .route("/v1/models", get(models))
        .route("/healthz", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .route("/metrics", get(metrics))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "not_found", "no such endpoint") })
        .layer(axum::extract::DefaultBodyLimit::max(app.max_request_bytes))
        .with_state(app.clone());
    let (tx, rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, router).with_graceful_shutdown(async move {
        shutdown_signal().await;
        crate::output::note("shutting down: no new connections; finishing requests in flight");
        let _ = tx.send(true);
    });
    let mut rx2 = rx.clone();
    tokio::select! {
        r = server => r.map_err(|e| Error::Provider(format!("server: {e}"))),
        _ = async move {
            let _ = rx2.wait_for(|&v| v).await;
            tokio::time::sleep(grace).await;
        } => {
            crate::output::warn(&format!("requests still in flight after {:.1} s; stopping", grace.as_secs_f64()));
            Ok(())
        }
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
