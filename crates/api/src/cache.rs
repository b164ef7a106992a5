//! In-process caches for the children's hot path. A published survey
//! version never changes, so its parsed definition is kept for good. A
//! session and its survey's status are kept for one second: closing a
//! session or a survey on this replica forgets them at once; another
//! replica may take answers for up to a second after a close.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use langnghe_domain::consultation::SurveyStatus;
use langnghe_domain::survey::SurveyDefinition;
use langnghe_storage::participation::Session;
use uuid::Uuid;

const SESSION_TTL: Duration = Duration::from_secs(1);
/// Beyond this many cached sessions, stale ones are dropped.
const SESSION_SWEEP_AT: usize = 10_000;

#[derive(Default)]
pub struct ConsultationCache {
    definitions: Mutex<HashMap<(Uuid, i32), Arc<SurveyDefinition>>>,
    sessions: Mutex<HashMap<Uuid, (Instant, Session, SurveyStatus)>>,
}

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

    /// A session and its survey's status, if read less than a second ago.
    pub fn session(&self, id: Uuid) -> Option<(Session, SurveyStatus)> {
        let map = self.sessions.lock().ok()?;
        let (at, session, status) = map.get(&id)?;
        (at.elapsed() < SESSION_TTL).then(|| (session.clone(), *status))
    }

    pub fn keep_session(&self, session: Session, status: SurveyStatus) {
        if let Ok(mut map) = self.sessions.lock() {
            if map.len() >= SESSION_SWEEP_AT {
                map.retain(|_, (at, _, _)| at.elapsed() < SESSION_TTL);
            }
            map.insert(session.id, (Instant::now(), session, status));
        }
    }

    pub fn forget_session(&self, id: Uuid) {
        if let Ok(mut map) = self.sessions.lock() {
            map.remove(&id);
        }
    }

    pub fn forget_survey(&self, survey_id: Uuid) {
        if let Ok(mut map) = self.sessions.lock() {
            map.retain(|_, (_, s, _)| s.survey_id != survey_id);
        }
    }
}
