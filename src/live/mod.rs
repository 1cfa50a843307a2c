//! Live calls after a decision, shared by `ask` and the gateway: the routed model then the
//! fallback order ([`fallback`]), the cascade and the consensus ([`multi`]), each upstream call
//! of the last two counted against its model's daily quota ([`CallQuota`]).
//!
//! Nothing here prints or answers HTTP: a streamed answer goes to a [`Sink`] (stdout for `ask`,
//! the client's connection for `serve`), and the outcome is returned for the caller to show.

pub mod multi;

use crate::config::{Config, ModelId, Params};
use crate::error::Result;
use crate::provider::{Answer, Attempt, CallError, Client, Message, Sink, Watched};
use crate::router::constraints::Exclusion;
use crate::router::service;
use crate::state::Store;

/// Counts upstream calls against the models' daily quotas, one atomic step each (the same
/// counters the decisions count in).
pub trait CallQuota: Sync {
    /// Takes one of `model`'s calls for today; `false` when its quota is used up.
    fn take(&self, model: ModelId) -> Result<bool>;
    /// Gives back a call that returned no answer.
    fn give_back(&self, model: ModelId);
}

/// [`CallQuota`] on one state connection (`ask`'s).
pub struct StoreQuota<'a> {
    pub config: &'a Config,
    pub day: String,
    pub store: std::sync::Mutex<Store>,
}

impl CallQuota for StoreQuota<'_> {
    fn take(&self, model: ModelId) -> Result<bool> {
        let m = &self.config.models[model];
        let mut store = self
            .store
            .lock()
            .map_err(|_| crate::error::Error::state(std::path::Path::new("state"), "the state lock is poisoned"))?;
        store.reserve(&self.day, &m.name, m.daily_quota)
    }

    fn give_back(&self, model: ModelId) {
        if let Ok(mut store) = self.store.lock() {
            let _ = store.release(&self.day, &self.config.models[model].name);
        }
    }
}

/// Which models a single call may try after the routed one.
pub struct Plan<'a> {
    /// The routed model (counted by its decision).
    pub first: ModelId,
    /// Fallback models over today's quota, skipped.
    pub over_quota: &'a (dyn Fn(ModelId) -> bool + Sync),
    /// Models that cannot serve the request (the constraint step's answer), skipped.
    pub excluded: &'a [Exclusion],
}

/// What a single call came to.
pub struct Outcome {
    /// The model that answered, its answer, and whether it is a fallback model.
    pub answered: Option<(ModelId, Answer)>,
    pub fell_back: bool,
    pub attempts: Vec<Attempt>,
    /// Whether a part of some answer went to the sink.
    pub relayed: bool,
    /// Whether the sink received the returned answer whole (its first try streamed to the end).
    pub streamed_whole: bool,
}

/// The routed model, then the next models of the fallback order (models without a provider key
/// skipped), each with retries. The answer streams to `sink` while nothing of an earlier
/// candidate was passed on; after a part was, a failure ends the call unless the sink is
/// [restartable](Sink::restartable) (then later candidates answer without streaming).
pub async fn fallback(
    client: &Client<'_>,
    config: &Config,
    plan: Plan<'_>,
    messages: &[Message],
    params: &Params,
    mut sink: Option<&mut dyn Sink>,
) -> Outcome {
    let mut out =
        Outcome { answered: None, fell_back: false, attempts: Vec::new(), relayed: false, streamed_whole: false };
    let restartable = sink.as_deref().is_some_and(|s| s.restartable());
    for (i, m) in service::call_order(config, plan.first, plan.over_quota, plan.excluded).into_iter().enumerate() {
        if let Err(e) = client.ready(m) {
            out.attempts.push(Attempt::skipped(config, m, &e));
            continue;
        }
        let (res, attempt, seen) = match sink.as_deref_mut() {
            Some(s) if !out.relayed => {
                s.begin(m);
                let mut seen = Watched { inner: s, seen: false };
                let (res, attempt) = client.with_retries(m, messages, params, Some(&mut seen)).await;
                (res, attempt, seen.seen)
            }
            _ => {
                let (res, attempt) = client.with_retries(m, messages, params, None).await;
                (res, attempt, false)
            }
        };
        out.relayed |= seen;
        let first_try = attempt.tries == 1;
        out.attempts.push(attempt);
        match res {
            Ok(a) => {
                out.streamed_whole = seen && first_try;
                out.fell_back = i > 0;
                out.answered = Some((m, a));
                return out;
            }
            Err(CallError::Deadline | CallError::ClientGone) => break,
            Err(_) if out.relayed && !restartable => break,
            Err(_) => {}
        }
    }
    out
}
