//! The gateway's bookkeeping off the request path: each answer's tokens and cost go to the
//! decision log (where `llmroute report` reads them) in batches, one write per batch, and — with
//! SQLite — the write-ahead log is checkpointed here, so no request waits for its fsync. One
//! thread with its own store connection; `finish` writes what is queued before the server exits.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::state::{AnswerUsage, Location, Store};

/// Answers queued at most; when full, a request writes its own.
const QUEUE: usize = 65_536;
/// Answers written in one step at most.
const BATCH: usize = 1024;
/// How often queued answers are written.
const FLUSH_EVERY: Duration = Duration::from_millis(100);
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

pub struct Ledger {
    tx: Mutex<Option<SyncSender<AnswerUsage>>>,
    worker: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Ledger {
    pub fn start(at: &Location) -> Result<Ledger> {
        let mut store = Store::open(at)?;
        store.defer_checkpoints()?;
        let (tx, rx) = std::sync::mpsc::sync_channel(QUEUE);
        let worker = std::thread::Builder::new()
            .name("llmroute-ledger".to_string())
            .spawn(move || run(store, rx))
            .map_err(|e| crate::error::Error::Internal(format!("cannot start the ledger thread: {e}")))?;
        Ok(Ledger { tx: Mutex::new(Some(tx)), worker: Mutex::new(Some(worker)) })
    }

    /// Queues an answer's usage; hands it back when the queue is full or closed.
    pub fn record(&self, u: AnswerUsage) -> std::result::Result<(), AnswerUsage> {
        let Ok(guard) = self.tx.lock() else { return Err(u) };
        match guard.as_ref() {
            Some(tx) => tx.try_send(u).map_err(|e| match e {
                TrySendError::Full(u) | TrySendError::Disconnected(u) => u,
            }),
            None => Err(u),
        }
    }

    /// Writes everything queued and stops the thread.
    pub fn finish(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        if let Some(w) = self.worker.lock().ok().and_then(|mut w| w.take()) {
            w.thread().unpark();
            let _ = w.join();
        }
    }
}

fn run(mut store: Store, rx: Receiver<AnswerUsage>) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut checkpointed = Instant::now();
    loop {
        // Answers collect in the queue while this thread sleeps: a request's send wakes nobody,
        // and one write takes everything of the last interval.
        std::thread::park_timeout(FLUSH_EVERY);
        let mut open = true;
        loop {
            match rx.try_recv() {
                Ok(u) => batch.push(u),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    open = false;
                    break;
                }
            }
            if batch.len() == BATCH {
                write(&mut store, &mut batch);
            }
        }
        write(&mut store, &mut batch);
        if !open || checkpointed.elapsed() >= CHECKPOINT_EVERY {
            if let Err(e) = store.checkpoint() {
                crate::output::warn(&format!("cannot checkpoint the state store: {e}"));
            }
            checkpointed = Instant::now();
        }
        if !open {
            return;
        }
    }
}

fn write(store: &mut Store, batch: &mut Vec<AnswerUsage>) {
    if batch.is_empty() {
        return;
    }
    if let Err(e) = store.record_usage(batch) {
        crate::output::warn(&format!("cannot record the cost of {} answer(s): {e}", batch.len()));
    }
    batch.clear();
}
