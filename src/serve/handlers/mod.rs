//! The gateway's endpoints, one file each: `chat` (`POST /v1/chat/completions`, with its
//! streamed and cascade/consensus answers in `stream` and `multi`), `feedback`
//! (`POST /v1/feedback`), `models` (`GET /v1/models`) and `metrics` (`GET /metrics`). Each
//! returns `Result<_, ApiError>`; the listener (`server.rs`) routes to them.

mod chat;
mod feedback;
mod metrics;
mod models;
mod multi;
mod stream;

pub(super) use chat::chat;
pub(super) use feedback::feedback;
pub(super) use metrics::metrics;
pub(super) use models::models;
