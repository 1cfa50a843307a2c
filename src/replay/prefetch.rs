//! Predicting while loading: the trained classifier's prediction is the costliest part of a
//! replay (several µs a row), and loading a log keeps one core busy reading while the others
//! wait. The loader offers each prompt to this pool; the pool predicts chunks on the spare cores
//! and never holds the loader up (a chunk offered while the pool is busy is left for the replay's
//! workers, which predict what is missing). Every prediction is the engine's own
//! ([`crate::router::MlRouter::predict`]), made once per row.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, channel, sync_channel};

use crate::ml::model::Prediction;
use crate::router::Engine;

const CHUNK: usize = 2048;

/// Prompts in, predictions out, by chunk.
pub struct Prefetch {
    to: SyncSender<(usize, Vec<String>)>,
    from: Receiver<(usize, Vec<Prediction>)>,
    buf: Vec<String>,
    /// Chunks offered so far.
    chunks: usize,
    /// Chunks the pool accepted.
    accepted: usize,
}

impl Prefetch {
    /// Starts `threads` predicting threads in `scope`; `None` without a trained model or spare
    /// threads.
    pub fn start<'s, 'e: 's>(
        scope: &'s std::thread::Scope<'s, 'e>,
        engine: &'e Engine,
        threads: usize,
    ) -> Option<Prefetch> {
        let ml = engine.ml.as_ref()?;
        // A categorical feature needs each row's tag, which the loader does not offer here.
        if threads == 0 || ml.outcomes().is_some_and(|o| o.feature.is_some()) {
            return None;
        }
        let (to, jobs) = sync_channel::<(usize, Vec<String>)>(threads);
        let (done, from) = channel::<(usize, Vec<Prediction>)>();
        let jobs = std::sync::Arc::new(std::sync::Mutex::new(jobs));
        for _ in 0..threads {
            let (jobs, done) = (jobs.clone(), done.clone());
            scope.spawn(move || {
                loop {
                    let job = match jobs.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((chunk, texts)) = job else { return };
                    let preds: Vec<Prediction> = texts.iter().map(|t| ml.predict(t, None)).collect();
                    if done.send((chunk, preds)).is_err() {
                        return;
                    }
                }
            });
        }
        Some(Prefetch { to, from, buf: Vec::with_capacity(CHUNK), chunks: 0, accepted: 0 })
    }

    /// Offers one prompt.
    pub fn push(&mut self, text: &str) {
        self.buf.push(text.to_string());
        if self.buf.len() == CHUNK {
            let texts = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
            match self.to.try_send((self.chunks, texts)) {
                Ok(()) => self.accepted += 1,
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {}
            }
            self.chunks += 1;
        }
    }

    /// The predictions made, by row (`None` for rows left to the replay), for `rows` rows.
    pub fn finish(self, rows: usize) -> Vec<Option<Prediction>> {
        let Prefetch { to, from, accepted, .. } = self;
        drop(to);
        let mut out: Vec<Option<Prediction>> = Vec::new();
        out.resize_with(rows, || None);
        for (chunk, preds) in from.iter().take(accepted) {
            for (i, p) in preds.into_iter().enumerate() {
                if let Some(slot) = out.get_mut(chunk * CHUNK + i) {
                    *slot = Some(p);
                }
            }
        }
        out
    }
}
