//! A child's answers, from the session they answer in to the stored row:
//! the session and the published definition (kept in memory as a hint),
//! the answers checked against that exact version (`domain::survey`),
//! their free text screened, the response built and handed to storage's
//! group-commit writers, and what storage said turned into a receipt or a
//! refusal. ARCHITECTURE.md follows this path file by file.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use langnghe_domain::consultation::{ChildRefusal, PaperChild, SessionState, SurveyStatus};
use langnghe_domain::screen::Outcome;
use langnghe_domain::survey::{self, Answer, RawAnswer, SurveyDefinition};
use langnghe_domain::text::Lang;
use langnghe_domain::words;
use langnghe_storage::participation::{self as store, NewCase, NewResponse, Session, Submitted};
use langnghe_storage::surveys;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::auth::Respondent;
use crate::error::{ApiError, Code, OrNotFound};
use crate::state::AppState;
use crate::survey_format::find as find_survey;

/// A published version's definition, parsed once per process (a published
/// version never changes).
pub async fn published_definition(
    state: &AppState,
    survey_id: Uuid,
    version: i32,
) -> Result<Arc<SurveyDefinition>, ApiError> {
    if let Some(def) = state.cache.definition(survey_id, version) {
        return Ok(def);
    }
    let stored = surveys::version(&state.db, survey_id, version).await?;
    let def = Arc::new(stored.definition.definition);
    state.cache.keep_definition(survey_id, version, Arc::clone(&def));
    Ok(def)
}

/// The session and the definition a respondent answers, if still open as
/// this replica remembers it (the database has the last word when the
/// answers are stored).
pub async fn open_session(state: &AppState, who: &Respondent) -> Result<(Session, Arc<SurveyDefinition>), ApiError> {
    let (session, status) = match state.cache.session(who.claims.sid) {
        Some(hit) => hit,
        None => {
            let ticket = state.cache.ticket();
            let session = store::get_session(&state.db, who.claims.sid)
                .await
                .missing_as(ApiError::invalid_token)?;
            let status = find_survey(state, session.survey_id).await?.status;
            state.cache.keep_session(ticket, session.clone(), status);
            (session, status)
        }
    };
    if session.window.state(state.clock.now()) != SessionState::Open || status == SurveyStatus::Closed {
        return Err(ApiError::for_child(
            Code::SessionClosed,
            ChildRefusal::SessionClosed,
            who.lang(),
        ));
    }
    let def = published_definition(state, session.survey_id, session.version).await?;
    Ok((session, def))
}

/// The database found the session closed although this replica still
/// remembered it open (closed by another replica a moment ago): forget it,
/// and tell the child.
pub fn closed_meanwhile(state: &AppState, session: &Session, lang: Lang) -> ApiError {
    state.cache.forget_session(session.id);
    ApiError::for_child(Code::SessionClosed, ChildRefusal::SessionClosed, lang)
}

/// Who answered, as a response is stored with them: a child online (their
/// respondent token) or a child's paper form, and when they answered.
pub struct Answerer {
    pub participant_id: Uuid,
    pub age: u8,
    pub age_band: &'static str,
    pub grade: Option<u8>,
    pub gender: Option<String>,
    /// `vi` or `en`.
    pub language: &'static str,
    pub answered_at: DateTime<Utc>,
}

impl Answerer {
    /// A child online, from what their respondent token carries.
    pub fn online(who: &Respondent, now: DateTime<Utc>) -> Answerer {
        let age = who.claims.age;
        Answerer {
            participant_id: who.participant_id,
            age,
            age_band: who.age_band.as_str(),
            grade: who.claims.grade,
            gender: who.claims.gender.clone(),
            language: words::lang_code(who.lang()),
            answered_at: now,
        }
    }

    /// A paper form: a child of its own (no pseudonym: the form's key names
    /// it), who answered on the day the session opened.
    pub fn on_paper(child: &PaperChild, lang: Lang, session: &Session) -> Answerer {
        Answerer {
            participant_id: Uuid::nil(),
            age: child.age,
            age_band: child.band.as_str(),
            grade: child.grade,
            gender: child.gender.map(|g| g.as_str().to_owned()),
            language: words::lang_code(lang),
            answered_at: session.window.opens_at,
        }
    }

    /// The row that stores their checked answers in `session`, under the
    /// submission's `Idempotency-Key` and the keyed hash of what was sent.
    pub fn response(
        self,
        state: &AppState,
        session: &Session,
        def: &SurveyDefinition,
        Checked { answers, cases }: Checked,
        key: String,
        request_hash: String,
    ) -> NewResponse {
        let id = Uuid::now_v7();
        NewResponse {
            submitted_at: self.answered_at,
            // The response's secret key for the cell key method.
            record_key: rand::random(),
            id,
            survey_id: session.survey_id,
            version: session.version,
            session_id: session.id,
            unit_id: session.unit_id,
            participant_id: self.participant_id,
            age: i16::from(self.age),
            age_band: self.age_band.to_owned(),
            grade: self.grade.map(i16::from),
            gender: self.gender,
            language: self.language.to_owned(),
            answers: langnghe_storage::formats::answers::encode(&answers),
            receipt_hash: state.data_key.hash("receipt", &state.data_key.receipt_code(id)),
            idempotency_key: key,
            request_hash,
            single: !def.allow_multiple(),
            cases,
        }
    }
}

/// A response stored (now, or by the submission this one retries).
pub struct Receipt {
    pub id: Uuid,
    /// The strongest concern the screen found in the answers' free text.
    pub support: Option<Outcome>,
}

/// Stores a child's answers (question key → JSON value) under their
/// `Idempotency-Key`: a retry with the same key and answers gets the
/// original receipt and stores nothing new.
pub async fn submit(
    state: &AppState,
    who: &Respondent,
    key: String,
    answers: &Map<String, Value>,
) -> Result<Receipt, ApiError> {
    let lang = who.lang();
    let (session, def) = open_session(state, who).await?;
    // The child reads what is wrong with their answers in the language of
    // their form.
    let checked = checked_answers(&def, who.claims.age, answers).map_err(|e| e.written_in(lang))?;
    // Keyed: a guess at what the child wrote cannot be checked against it.
    let request_hash = state.data_key.hash(
        "request",
        &serde_json::to_string(answers).map_err(|e| ApiError::internal(&e))?,
    );
    let support = crate::services::intake::strongest(&checked.cases);
    let new = Answerer::online(who, state.clock.now()).response(state, &session, &def, checked, key, request_hash);
    let id = new.id;
    match state.submissions.submit(new).await? {
        Submitted::Created => Ok(Receipt { id, support }),
        Submitted::Replayed(original) => Ok(Receipt { id: original, support }),
        Submitted::KeyReused => Err(ApiError::conflict(
            Code::IdempotencyKeyReused,
            "this Idempotency-Key was used for another submission",
        )),
        Submitted::AlreadyResponded => Err(ApiError::for_child(
            Code::AlreadyResponded,
            ChildRefusal::AlreadyResponded,
            lang,
        )),
        Submitted::SessionClosed => Err(closed_meanwhile(state, &session, lang)),
    }
}

/// Answers as they may be stored, and the safeguarding cases they open.
pub struct Checked {
    pub answers: Vec<(String, Answer)>,
    pub cases: Vec<NewCase>,
}

/// A child's answers (question key → JSON value) checked against the
/// definition for their age, free text screened: the answers to store
/// (redacted words, or a marker where the words went to a safeguarding
/// case) and the cases they open. Paper forms entered by a facilitator
/// take the same way.
pub fn checked_answers(def: &SurveyDefinition, age: u8, answers: &Map<String, Value>) -> Result<Checked, ApiError> {
    let raw: Vec<(String, RawAnswer)> = answers.iter().map(|(k, v)| (k.clone(), raw_answer(v))).collect();
    let checked = survey::validate_answers(def, age, &raw)?;
    let mut stored = Vec::with_capacity(checked.len());
    let mut cases = Vec::new();
    for (key, answer) in checked {
        let answer = match answer {
            Answer::Text(t) => {
                let (text, case) = crate::services::intake::answer(&t, &key);
                cases.extend(case);
                Answer::Text(text)
            }
            other => other,
        };
        stored.push((key, answer));
    }
    Ok(Checked { answers: stored, cases })
}

/// An answer as JSON carries it, before the survey says what it must be.
fn raw_answer(v: &Value) -> RawAnswer {
    match v {
        Value::String(s) => RawAnswer::Text(s.clone()),
        Value::Number(n) => n.as_f64().map(RawAnswer::Number).unwrap_or(RawAnswer::Invalid),
        Value::Bool(b) => RawAnswer::Bool(*b),
        Value::Null => RawAnswer::Null,
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(RawAnswer::List)
            .unwrap_or(RawAnswer::Invalid),
        Value::Object(_) => RawAnswer::Invalid,
    }
}
