//! Group commit of children's submissions. Handlers hand their response to
//! a few writer tasks over a channel; a writer takes whatever has queued up
//! (up to 64) and stores it with one statement, then answers each handler.
//! Under light load a batch is one response and nothing waits; under a
//! class's burst the database does one round trip and one commit for many.
//! Retries, reused keys and second responses are settled per response
//! exactly as a single insert would (`participation::submit_responses`).
//! Responses that open a safeguarding case keep their own transaction.

use std::sync::Arc;

use langnghe_storage::participation::{self as store, NewResponse, Submitted};
use langnghe_storage::{Db, StoreError};
use tokio::sync::{Mutex, mpsc, oneshot};

/// The most responses stored in one statement.
const MAX_BATCH: usize = 64;

type Job = (NewResponse, oneshot::Sender<Result<Submitted, StoreError>>);

#[derive(Clone)]
pub struct Submissions {
    db: Db,
    tx: mpsc::Sender<Job>,
}

#[derive(Debug, thiserror::Error)]
#[error("the submission writer has stopped")]
pub struct WriterGone;

impl Submissions {
    /// Starts `writers` writer tasks on the current runtime.
    pub fn spawn(db: Db, writers: usize) -> Submissions {
        let (tx, rx) = mpsc::channel::<Job>(4096);
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..writers.max(1) {
            let (db, rx) = (db.clone(), rx.clone());
            tokio::spawn(async move {
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
            });
        }
        Submissions { db, tx }
    }

    /// Stores one response (in a batch with whatever else is waiting).
    pub async fn submit(&self, r: NewResponse) -> Result<Submitted, crate::error::ApiError> {
        if !r.cases.is_empty() {
            return Ok(store::submit_response(&self.db, &r).await?);
        }
        let (done, answer) = oneshot::channel();
        self.tx
            .send((r, done))
            .await
            .map_err(|_| crate::error::ApiError::internal(&WriterGone))?;
        let result = answer
            .await
            .map_err(|_| crate::error::ApiError::internal(&WriterGone))?;
        Ok(result?)
    }
}

async fn write(db: &Db, batch: Vec<Job>) {
    let rows: Vec<NewResponse> = batch.iter().map(|(r, _)| r.clone()).collect();
    match store::submit_responses(db, &rows).await {
        Ok(results) => {
            for ((_, done), result) in batch.into_iter().zip(results) {
                let _ = done.send(Ok(result));
            }
        }
        // The statement failed as a whole (a busy or lost database): each
        // response tries alone, so each gets its own answer.
        Err(_) => {
            for (r, done) in batch {
                let _ = done.send(store::submit_response(db, &r).await);
            }
        }
    }
}
