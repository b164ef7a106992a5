//! Group commit of children's submissions. Handlers hand their response to
//! writer tasks over a channel; a writer takes whatever has queued up (up
//! to 64) and stores it with one statement, then answers each handler.
//! Under light load a batch is one response and nothing waits; under a
//! class's burst the database does one round trip and one commit for many.
//! Retries, reused keys and second responses are settled per response
//! exactly as a single insert would (`participation::submit_responses`).
//! Responses that open a safeguarding case keep their own transaction.
//!
//! The writers run on a thread of their own, so that nothing else in the
//! process (the result folder, the relay) holds them up. Should they be
//! gone, a handler stores its response itself: a late or repeated write is
//! harmless, as the idempotency index makes it a replay.

use std::time::Duration;

use langnghe_storage::participation::{self as store, NewResponse, Submitted};
use langnghe_storage::{Db, DbErr, StoreError};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::error::ApiError;

/// The most responses stored in one statement.
const MAX_BATCH: usize = 64;
/// Writer tasks: two, so one batch is being written while the next forms.
const WRITERS: usize = 2;
/// How long a handler waits for its batch before answering 503 (the child
/// retries with the same key, which replays).
const WAIT: Duration = Duration::from_secs(20);

type Job = (NewResponse, oneshot::Sender<Result<Submitted, StoreError>>);

#[derive(Clone)]
pub struct Submissions {
    db: Db,
    tx: mpsc::Sender<Job>,
}

impl Submissions {
    /// Starts the writers on a thread of their own; they stop when the last
    /// `Submissions` is dropped.
    pub fn spawn(db: Db) -> std::io::Result<Submissions> {
        let (tx, rx) = mpsc::channel::<Job>(4096);
        let writer_db = db.clone();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new()
            .name("langnghe-submissions".into())
            .spawn(move || {
                let rx = std::sync::Arc::new(Mutex::new(rx));
                runtime.block_on(async move {
                    let writers: Vec<_> = (0..WRITERS)
                        .map(|_| tokio::spawn(writer(writer_db.clone(), rx.clone())))
                        .collect();
                    for w in writers {
                        let _ = w.await;
                    }
                });
            })?;
        Ok(Submissions { db, tx })
    }

    /// Stores one response (in a batch with whatever else is waiting).
    pub async fn submit(&self, r: NewResponse) -> Result<Submitted, ApiError> {
        if !r.cases.is_empty() {
            return Ok(store::submit_response(&self.db, &r).await?);
        }
        let (done, answer) = oneshot::channel();
        let queued = async {
            match self.tx.send((r, done)).await {
                Ok(()) => answer.await.ok(),
                Err(mpsc::error::SendError((r, _))) => {
                    tracing::error!("the submission writers are gone; storing directly");
                    Some(store::submit_response(&self.db, &r).await)
                }
            }
        };
        match tokio::time::timeout(WAIT, queued).await {
            Ok(Some(result)) => Ok(result?),
            // The writer dropped the job without answering: it stopped.
            Ok(None) => Err(ApiError::unavailable()),
            Err(_) => {
                tracing::warn!("a submission waited {} s for its batch", WAIT.as_secs());
                Err(ApiError::unavailable())
            }
        }
    }
}

async fn writer(db: Db, rx: std::sync::Arc<Mutex<mpsc::Receiver<Job>>>) {
    loop {
        let batch = {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else { return };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            batch
        };
        write(&db, batch).await;
    }
}

async fn write(db: &Db, mut batch: Vec<Job>) {
    // Handlers that gave up are not written for; their retry replays.
    batch.retain(|(_, done)| !done.is_closed());
    if batch.is_empty() {
        return;
    }
    // The same order in every batch, so two batches in flight take the
    // unique index entries they share in the same order (no deadlock).
    batch.sort_by(|(a, _), (b, _)| (a.participant_id, &a.idempotency_key).cmp(&(b.participant_id, &b.idempotency_key)));
    let rows: Vec<NewResponse> = batch.iter().map(|(r, _)| r.clone()).collect();
    match store::submit_responses(db, &rows).await {
        Ok(results) => {
            for ((_, done), result) in batch.into_iter().zip(results) {
                let _ = done.send(Ok(result));
            }
        }
        // The database is down or busy: every response gets that answer at
        // once (503, the child retries), not a slow retry one by one.
        Err(StoreError::Db(e)) if langnghe_storage::is_unavailable(&e) || langnghe_storage::is_busy(&e) => {
            tracing::warn!(cause = %e, responses = batch.len(), "a batch of submissions could not be stored");
            let busy = langnghe_storage::is_busy(&e);
            for (_, done) in batch {
                let e = if busy {
                    DbErr::Custom("database is locked".into())
                } else {
                    DbErr::ConnectionAcquire(langnghe_storage::ConnAcquireErr::Timeout)
                };
                let _ = done.send(Err(StoreError::Db(e)));
            }
        }
        // Anything else: each response tries alone, for its own answer.
        Err(e) => {
            tracing::warn!(cause = %e, responses = batch.len(), "a batch of submissions failed; storing one by one");
            for (r, done) in batch {
                if !done.is_closed() {
                    let _ = done.send(store::submit_response(db, &r).await);
                }
            }
        }
    }
}
