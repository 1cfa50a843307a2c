//! `GET /metrics`: the gateway's counters and today's quota figures in Prometheus' text format;
//! a slow state store shows the last figures read rather than holding the scrape.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::serve::app::{App, today};

/// How long `/metrics` waits for the state store's quota figures before showing the last ones read.
const METRICS_STATE_WAIT: Duration = Duration::from_millis(200);

/// The counters and the quota figures (read within [`METRICS_STATE_WAIT`], else the last read).
pub(in crate::serve) async fn metrics(State(app): State<Arc<App>>) -> Response {
    let day = crate::clock::Clock::new(app.config.timezone.clone()).ok().map(|c| c.day());
    let fresh = match day {
        Some(day) => tokio::time::timeout(METRICS_STATE_WAIT, today(&app, &day)).await.ok(),
        None => None,
    };
    let usage = match (fresh, app.last_usage.lock()) {
        (Some(u), Ok(mut last)) => {
            last.clone_from(&u);
            u
        }
        (Some(u), Err(_)) => u,
        (None, Ok(last)) => last.clone(),
        (None, Err(_)) => Default::default(),
    };
    let text = app.metrics.render(app.config, &usage);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
