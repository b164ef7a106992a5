//! In-process caches for the children's hot path. A published survey
//! version never changes, so its parsed definition is kept for good. A
//! session and its survey's status are kept briefly: closing a session or a
//! survey forgets them at once on the replica that closed it and, on
//! PostgreSQL, on every other replica when it hears the close (`LISTEN`,
//! see `storage::broadcast`).
//!
//! The cache is a hint for refusing early, never the rule: a submission or
//! an issue is stored only by a statement that finds its session open in
//! the database, so a close is in force everywhere once it has committed,
//! before its request returns, whatever a replica still remembers.
//!
//! How long a session is kept: one second while nothing tells this replica
//! of closes (SQLite, or a listener reconnecting), thirty seconds while it
//! listens. Whatever was read before an invalidation is not kept after it
//! (a generation counter), so a read racing a close cannot put the open
//! session back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use langnghe_domain::consultation::SurveyStatus;
use langnghe_domain::survey::SurveyDefinition;
use langnghe_storage::Db;
use langnghe_storage::broadcast::{self, Heard, Notice};
use langnghe_storage::participation::Session;
use uuid::Uuid;

use crate::metrics::Metrics;

/// How long a session is kept when nothing would tell of its close.
const SESSION_TTL: Duration = Duration::from_secs(1);
/// How long a session is kept while this replica hears every close.
const SESSION_TTL_LISTENING: Duration = Duration::from_secs(30);
/// Beyond this many cached sessions, stale ones are dropped.
const SESSION_SWEEP_AT: usize = 10_000;

#[derive(Default)]
pub struct ConsultationCache {
    definitions: Mutex<HashMap<(Uuid, i32), Arc<SurveyDefinition>>>,
    sessions: Mutex<HashMap<Uuid, (Instant, Session, SurveyStatus)>>,
    /// Bumped by every invalidation.
    generation: AtomicU64,
    /// A listener hears closes made by other replicas.
    listening: AtomicBool,
}

/// Taken before reading a session from the database; the reading is kept
/// only if nothing was invalidated meanwhile.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

impl ConsultationCache {
    /// A published version's definition, if parsed before.
    pub fn definition(&self, survey_id: Uuid, version: i32) -> Option<Arc<SurveyDefinition>> {
        self.definitions.lock().ok()?.get(&(survey_id, version)).cloned()
    }

    pub fn keep_definition(&self, survey_id: Uuid, version: i32, def: Arc<SurveyDefinition>) {
        if let Ok(mut map) = self.definitions.lock() {
            map.insert((survey_id, version), def);
        }
    }

    fn ttl(&self) -> Duration {
        if self.listening.load(Ordering::Acquire) {
            SESSION_TTL_LISTENING
        } else {
            SESSION_TTL
        }
    }

    /// A session and its survey's status, if read recently enough.
    pub fn session(&self, id: Uuid) -> Option<(Session, SurveyStatus)> {
        let ttl = self.ttl();
        let map = self.sessions.lock().ok()?;
        let (at, session, status) = map.get(&id)?;
        (at.elapsed() < ttl).then(|| (session.clone(), *status))
    }

    /// Call before reading a session to keep.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.generation.load(Ordering::Acquire))
    }

    /// Keeps a session read under `ticket`, unless something was
    /// invalidated since.
    pub fn keep_session(&self, ticket: Ticket, session: Session, status: SurveyStatus) {
        let ttl = self.ttl();
        if let Ok(mut map) = self.sessions.lock() {
            // Invalidations bump the generation under this lock.
            if self.generation.load(Ordering::Acquire) != ticket.0 {
                return;
            }
            if map.len() >= SESSION_SWEEP_AT {
                map.retain(|_, (at, _, _)| at.elapsed() < ttl);
            }
            map.insert(session.id, (Instant::now(), session, status));
        }
    }

    fn invalidate(&self, keep: impl FnMut(&Uuid, &mut (Instant, Session, SurveyStatus)) -> bool) {
        if let Ok(mut map) = self.sessions.lock() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            map.retain(keep);
        }
    }

    pub fn forget_session(&self, id: Uuid) {
        self.invalidate(|k, _| *k != id);
    }

    pub fn forget_survey(&self, survey_id: Uuid) {
        self.invalidate(|_, (_, s, _)| s.survey_id != survey_id);
    }

    /// Forgets every session (closes may have been missed).
    pub fn forget_sessions(&self) {
        self.invalidate(|_, _| false);
    }

    /// Whether closes made elsewhere are heard now; either way, what was
    /// kept before is forgotten, as closes may have been missed meanwhile.
    pub fn set_listening(&self, listening: bool) {
        self.listening.store(listening, Ordering::Release);
        self.forget_sessions();
    }

    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    fn heard(&self, notice: Notice) {
        match notice {
            Notice::Session(id) => self.forget_session(id),
            Notice::Survey(id) => self.forget_survey(id),
        }
    }
}

/// Listens for closes made by any replica and forgets them here
/// (PostgreSQL; on SQLite the task ends at once). While the listener is
/// down, sessions are kept one second only; it listens again after a pause.
pub fn spawn_listener(db: Db, cache: Arc<ConsultationCache>, metrics: Arc<Metrics>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match broadcast::listen(&db).await {
                Ok(Some(mut listener)) => {
                    cache.set_listening(true);
                    metrics.set_listening(true);
                    loop {
                        match listener.next().await {
                            Ok(Heard::Notice(notice)) => {
                                metrics.notice_heard();
                                cache.heard(notice);
                            }
                            Ok(Heard::Reconnected) => {
                                tracing::warn!("the listener for other replicas' changes reconnected");
                                cache.forget_sessions();
                            }
                            Err(e) => {
                                tracing::warn!(cause = %e, "the listener for other replicas' changes stopped");
                                break;
                            }
                        }
                    }
                    cache.set_listening(false);
                    metrics.set_listening(false);
                }
                Ok(None) => return,
                Err(e) => tracing::warn!(cause = %e, "cannot listen for other replicas' changes; retrying"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}
