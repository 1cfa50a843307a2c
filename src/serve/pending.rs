//! Settling a counted request: [`Pending`] gives a decision's quota count back (and removes its
//! decision) unless the decided model answered, also when the request is dropped unsettled; and
//! [`GatewayQuota`] takes and gives back the per-call counts of cascades and consensus.

use std::sync::Arc;

use super::app::App;
use super::decide::Decided;
use crate::config::ModelId;
use crate::error::Result;
use crate::live;

/// A counted, logged request not settled yet. Settled with the model that answered, or — when it
/// is dropped unsettled (the client went away, the server stopped past its grace period) — as
/// answered by nothing: its count is given back and its decision removed, so a request nothing
/// answered counts nothing and logs nothing.
pub(super) struct Pending {
    app: Arc<App>,
    day: String,
    request_id: String,
    decided: ModelId,
    /// Whether the decision's own count was already given back (cascade and consensus count
    /// each call instead).
    pub(super) released: bool,
    done: bool,
}

impl Pending {
    pub(super) fn new(app: &Arc<App>, d: &Decided) -> Pending {
        Pending {
            app: app.clone(),
            day: d.day.clone(),
            request_id: d.request_id.clone(),
            decided: d.model,
            released: false,
            done: false,
        }
    }

    /// Settles with the model that answered (none: nothing did).
    pub(super) async fn settle(mut self, answered: Option<ModelId>) {
        self.done = true;
        if answered == Some(self.decided) && !self.released {
            return;
        }
        let app = self.app.clone();
        let (day, id, released) = (self.day.clone(), self.request_id.clone(), self.released);
        let decided = app.config.models[self.decided].name.clone();
        let answered = answered.map(|m| app.config.models[m].name.clone());
        let r = tokio::task::spawn_blocking(move || {
            let mut s = app.store()?;
            if released {
                s.relabel(&id, answered.as_deref())
            } else {
                s.settle(&day, &id, &decided, answered.as_deref())
            }
        })
        .await;
        if let Ok(Err(e)) = r {
            crate::output::warn(&format!("cannot settle the quota of `{}`: {e}", self.request_id));
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let decided = &self.app.config.models[self.decided].name;
        let r = self.app.store().and_then(|mut s| {
            if self.released {
                s.relabel(&self.request_id, None)
            } else {
                s.settle(&self.day, &self.request_id, decided, None)
            }
        });
        if let Err(e) = r {
            crate::output::warn(&format!("cannot settle the quota of `{}`: {e}", self.request_id));
        }
    }
}

/// The gateway's [`live::CallQuota`]: the shared state connections.
pub(super) struct GatewayQuota<'a> {
    pub(super) app: &'a App,
    pub(super) day: &'a str,
}

impl live::CallQuota for GatewayQuota<'_> {
    fn take(&self, model: ModelId) -> Result<bool> {
        let m = &self.app.config.models[model];
        self.app.on_store(|s| s.reserve(self.day, &m.name, m.daily_quota))
    }

    fn give_back(&self, model: ModelId) {
        let name = &self.app.config.models[model].name;
        if let Err(e) = self.app.on_store(|s| s.release(self.day, name)) {
            crate::output::warn(&format!("cannot give back a call of `{name}`: {e}"));
        }
    }
}
