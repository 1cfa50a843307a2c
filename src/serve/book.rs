//! Booking an answer: its tokens (reported, else counted) and cost, counted in the metrics and
//! recorded in the decision log through the ledger, where `llmroute report` reads them.

use std::time::Duration;

use super::app::App;
use super::decide::Decided;
use crate::config::ModelId;
use crate::provider::{Answer, Message};
use crate::state::AnswerUsage;

/// Counts an answer in the metrics and records its tokens and cost in the decision log, where
/// `llmroute report` reads them (so the report and `/metrics` add up to the same spend).
pub(super) fn log_answer(
    app: &App,
    d: &Decided,
    m: ModelId,
    (input, output, cost): (u64, u64, f64),
    latency: Duration,
    attempts: &[crate::provider::Attempt],
) {
    app.metrics.answered(app.config, d, m, input, output, cost, latency, attempts);
    let u = AnswerUsage { request_id: d.request_id.clone(), input_tokens: input, output_tokens: output, cost };
    // Queued for the ledger's thread; written here only when its queue is full.
    if let Err(u) = app.ledger.record(u)
        && let Err(e) = app.on_store(|s| s.record_usage(std::slice::from_ref(&u)))
    {
        crate::output::warn(&format!("cannot record the cost of `{}`: {e}", d.request_id));
    }
}

/// An answer's tokens (reported, else counted) and cost (cached input at its price), counted in
/// the metrics and the decision log.
pub(super) fn book(
    app: &App,
    d: &Decided,
    m: ModelId,
    messages: &[Message],
    a: &Answer,
    latency: Duration,
    attempts: &[crate::provider::Attempt],
) -> crate::provider::Billed {
    let b = crate::provider::billed(app.config, m, messages, a);
    if b.implausible {
        app.metrics.implausible();
        crate::output::warn(&crate::provider::implausible_note(app.config, m, a));
    }
    log_answer(app, d, m, (b.input, b.output, b.usd), latency, attempts);
    b
}
