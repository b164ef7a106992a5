//! Children taking part: sessions and their join codes, pseudonymous
//! participants, responses and issues (idempotent, one response per
//! participant where the survey says so, enforced by unique indexes), and
//! the safeguarding cases that screening opens in the same transaction;
//! and the writers that store children's submissions in batches
//! (`Writers`, group commit).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use langnghe_domain::UnitId;
use langnghe_domain::consultation::{SessionMode, SessionWindow, SurveyStatus};
use langnghe_domain::moderation::IssueStatus;
use langnghe_domain::screen::{Outcome, Severity};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query, SelectStatement, ValueTuple};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Iterable, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, SqlErr,
};
use tokio::sync::{Mutex, mpsc, oneshot};
use uuid::Uuid;

use crate::audit::{Change, snapshot};
use crate::broadcast::{self, Notice};
use crate::entities::{issue, participant, response, safeguarding_case, session, survey};
use crate::query::{Found, create_audited, delete_in, insert_if_absent, page, rows_in};
use crate::safeguarding::Opening;
use crate::{Actor, Db, StoreError, begin, conflict_on_unique};

/// A consultation session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: Uuid,
    pub survey_id: Uuid,
    pub version: i32,
    pub unit_id: UnitId,
    pub window: SessionWindow,
    pub expected_participants: Option<i32>,
    pub join_code: String,
    pub guardian_consent_method: Option<String>,
    pub guardian_consent_reference: Option<String>,
    pub created_at: DateTime<Utc>,
    /// `app`, or `paper`: forms a facilitator enters after the session.
    pub mode: SessionMode,
}

fn to_session(m: session::Model) -> Result<Session, StoreError> {
    Ok(Session {
        id: m.id,
        survey_id: m.survey_id,
        version: m.version,
        unit_id: UnitId(m.unit_id),
        window: SessionWindow {
            opens_at: m.opens_at,
            closes_at: m.closes_at,
            closed_at: m.closed_at,
        },
        expected_participants: m.expected_participants,
        join_code: m.join_code,
        guardian_consent_method: m.guardian_consent_method,
        guardian_consent_reference: m.guardian_consent_reference,
        created_at: m.created_at,
        mode: crate::names::read(&m.mode)?,
    })
}

/// Why a join was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Admitted,
    /// The session admitted its cap of participants.
    SessionFull,
    /// This client address brought its cap of participants.
    AddressFull,
}

/// Admits a participant to a session under its caps, atomically (the
/// session row's counter is the lock): a participant already admitted comes
/// back freely; a new one needs room in the session (`cap`) and from its
/// address (`per_address`). A refusal is counted on the session.
pub async fn admit(
    db: &Db,
    session_id: Uuid,
    participant_id: Uuid,
    address_key: &str,
    cap: i32,
    per_address: i32,
) -> Result<Admission, StoreError> {
    use crate::entities::{session_address, session_participant};
    let tx = begin(db).await?;
    let known = session_participant::Entity::find_by_id((session_id, participant_id))
        .one(&tx)
        .await?
        .is_some();
    if known {
        tx.commit().await?;
        return Ok(Admission::Admitted);
    }
    let row = session_address::ActiveModel {
        session_id: Set(session_id),
        address_key: Set(address_key.to_owned()),
        joins: Set(1),
    };
    let key = [session_address::Column::SessionId, session_address::Column::AddressKey];
    let address = insert_if_absent(&tx, row, key).await?;
    let mut refused = None;
    if address == 0 {
        let more = session_address::Entity::update_many()
            .col_expr(
                session_address::Column::Joins,
                Expr::col(session_address::Column::Joins).add(1),
            )
            .filter(session_address::Column::SessionId.eq(session_id))
            .filter(session_address::Column::AddressKey.eq(address_key))
            .filter(session_address::Column::Joins.lt(per_address))
            .exec(&tx)
            .await?;
        if more.rows_affected == 0 {
            refused = Some(Admission::AddressFull);
        }
    }
    if refused.is_none() {
        let room = session::Entity::update_many()
            .col_expr(session::Column::Joined, Expr::col(session::Column::Joined).add(1))
            .filter(session::Column::Id.eq(session_id))
            .filter(session::Column::Joined.lt(cap))
            .exec(&tx)
            .await?;
        if room.rows_affected == 0 {
            refused = Some(Admission::SessionFull);
        }
    }
    if let Some(why) = refused {
        tx.rollback().await?;
        session::Entity::update_many()
            .col_expr(
                session::Column::JoinsRefused,
                Expr::col(session::Column::JoinsRefused).add(1),
            )
            .filter(session::Column::Id.eq(session_id))
            .exec(db)
            .await?;
        return Ok(why);
    }
    session_participant::Entity::insert(session_participant::ActiveModel {
        session_id: Set(session_id),
        participant_id: Set(participant_id),
    })
    .exec_without_returning(&tx)
    .await?;
    tx.commit().await?;
    Ok(Admission::Admitted)
}

/// How many participants each session admitted, and how many joins it
/// refused.
pub async fn join_counts<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, (i32, i32)>, StoreError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(session::Entity::find()
        .filter(session::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, (s.joined, s.joins_refused)))
        .collect())
}

/// How many answers a session has received that still count (withdrawn
/// ones aside): a count of activity for the facilitator's projection
/// screen, never what the answers say.
pub async fn answer_count<C: ConnectionTrait>(conn: &C, session_id: Uuid) -> Result<u64, StoreError> {
    Ok(response::Entity::find()
        .filter(response::Column::SessionId.eq(session_id))
        .filter(response::Column::WithdrawnAt.is_null())
        .count(conn)
        .await?)
}

/// Voids the responses of a session submitted in `[from, until)` (a burst a
/// facilitator recognises as stuffing): they are withdrawn, and leave the
/// figures at their cells' next release. Audited with the count.
pub async fn void_burst(
    db: &Db,
    actor: &Actor,
    session_id: Uuid,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let tx = begin(db).await?;
    let r = response::Entity::update_many()
        .col_expr(response::Column::WithdrawnAt, Expr::value(actor.at))
        .col_expr(response::Column::SingleResponseOf, Expr::value(Option::<Uuid>::None))
        .filter(response::Column::SessionId.eq(session_id))
        .filter(response::Column::WithdrawnAt.is_null())
        .filter(response::Column::SubmittedAt.gte(from))
        .filter(response::Column::SubmittedAt.lt(until))
        .exec(&tx)
        .await?;
    Change::of("session.void", "session", session_id)
        .after(serde_json::json!({"from": from, "until": until, "voided": r.rows_affected}))
        .commit(tx, actor)
        .await?;
    Ok(r.rows_affected)
}

/// Records a session; a join code already in use answers
/// `Conflict("join_code_taken")` so the caller can draw another.
pub async fn create_session(db: &Db, actor: &Actor, s: &Session) -> Result<(), StoreError> {
    let row = session::ActiveModel {
        id: Set(s.id),
        survey_id: Set(s.survey_id),
        version: Set(s.version),
        unit_id: Set(s.unit_id.0),
        opens_at: Set(s.window.opens_at),
        closes_at: Set(s.window.closes_at),
        expected_participants: Set(s.expected_participants),
        join_code: Set(s.join_code.clone()),
        guardian_consent_method: Set(s.guardian_consent_method.clone()),
        guardian_consent_reference: Set(s.guardian_consent_reference.clone()),
        created_by: Set(actor.id),
        created_at: Set(s.created_at),
        closed_at: Set(None),
        joined: Set(0),
        joins_refused: Set(0),
        mode: Set(s.mode.as_str().to_owned()),
    };
    let audit = ("session.create", "session", s.id);
    create_audited(db, actor, row, conflict_on_unique("join_code_taken"), audit).await?;
    Ok(())
}

pub async fn get_session<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Session, StoreError> {
    let row = session::Entity::find_by_id(id).found(conn).await?;
    to_session(row)
}

pub async fn session_by_code<C: ConnectionTrait>(conn: &C, code: &str) -> Result<Option<Session>, StoreError> {
    session::Entity::find()
        .filter(session::Column::JoinCode.eq(code))
        .one(conn)
        .await?
        .map(to_session)
        .transpose()
}

/// Sessions of a survey (of the given units only, when given), oldest first.
pub async fn list_sessions<C: ConnectionTrait>(
    conn: &C,
    survey_id: Uuid,
    units: Option<&[UnitId]>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Session>, StoreError> {
    let q = page(session::Entity::find(), session::Column::Id, after, limit)
        .filter(session::Column::SurveyId.eq(survey_id))
        .apply_if(units, |q, units| {
            q.filter(session::Column::UnitId.is_in(units.iter().map(|u| u.0)))
        });
    q.all(conn).await?.into_iter().map(to_session).collect()
}

/// Closes a session now (idempotent: an already closed session keeps its
/// closing time), and tells every replica when it commits.
pub async fn close_session(db: &Db, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> Result<Session, StoreError> {
    let tx = begin(db).await?;
    let before = session::Entity::find_by_id(id).found(&tx).await?;
    if before.closed_at.is_none() {
        session::Entity::update_many()
            .col_expr(session::Column::ClosedAt, Expr::value(now))
            .filter(session::Column::Id.eq(id))
            .exec(&tx)
            .await?;
        Change::of("session.close", "session", id)
            .before(snapshot(&before))
            .record(&tx, actor)
            .await?;
        broadcast::announce(&tx, Notice::Session(id)).await?;
    }
    let after = session::Entity::find_by_id(id).found(&tx).await?;
    tx.commit().await?;
    to_session(after)
}

/// The pseudonym for a participant token's keyed hash, created on first use.
pub async fn participant_for<C: ConnectionTrait>(
    conn: &C,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    // An erased pseudonym's token is refused for good.
    if crate::entities::erased_participant::Entity::find_by_id(token_hash.to_owned())
        .one(conn)
        .await?
        .is_some()
    {
        return Err(StoreError::Conflict("participant_erased"));
    }
    let row = participant::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(token_hash.to_owned()),
        created_at: Set(now),
    };
    insert_if_absent(conn, row, [participant::Column::TokenHash]).await?;
    let row = participant::Entity::find()
        .filter(participant::Column::TokenHash.eq(token_hash))
        .found(conn)
        .await?;
    Ok(row.id)
}

/// A safeguarding case opened by screening.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub severity: Severity,
    pub categories: Vec<String>,
    pub original_text: String,
    pub question_key: Option<String>,
    pub outcome: Outcome,
    /// The words that fired.
    pub matched: Vec<String>,
}

/// What happened to a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Stored now.
    Created,
    /// The same idempotency key and body came before: the original id.
    Replayed(Uuid),
    /// The idempotency key came before with another body.
    KeyReused,
    /// The participant already answered a survey that takes one response.
    AlreadyResponded,
    /// The session, or its survey, was closed: nothing was stored.
    SessionClosed,
}

/// Sessions still taking answers: not closed, of a survey not closed. (The
/// time window is the caller's to check, by the application's clock; it
/// never changes once a session is opened.)
fn open_sessions_query() -> SelectStatement {
    Query::select()
        .column((session::Entity, session::Column::Id))
        .from(session::Entity)
        .inner_join(
            survey::Entity,
            Expr::col((survey::Entity, survey::Column::Id)).equals((session::Entity, session::Column::SurveyId)),
        )
        .and_where(Expr::col((session::Entity, session::Column::ClosedAt)).is_null())
        .and_where(Expr::col((survey::Entity, survey::Column::Status)).ne(SurveyStatus::Closed.as_str()))
        .to_owned()
}

/// The sessions among `ids` that still take answers, as the database has
/// them now (whatever a replica's memory says).
pub async fn open_sessions<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashSet<Uuid>, DbErr> {
    let query = open_sessions_query()
        .and_where(Expr::col((session::Entity, session::Column::Id)).is_in(ids))
        .to_owned();
    let rows = conn.query_all(&query).await?;
    rows.iter().map(|r| r.try_get_by_index::<Uuid>(0)).collect()
}

#[derive(Debug, Clone)]
pub struct NewResponse {
    pub id: Uuid,
    pub survey_id: Uuid,
    pub version: i32,
    pub session_id: Uuid,
    pub unit_id: UnitId,
    pub participant_id: Uuid,
    pub age: i16,
    pub age_band: String,
    pub grade: Option<i16>,
    pub gender: Option<String>,
    pub language: String,
    /// The answers as JSON text (screened: redacted, flagged text withheld).
    pub answers: String,
    pub receipt_hash: String,
    pub idempotency_key: String,
    pub request_hash: String,
    /// The survey takes one response per participant.
    pub single: bool,
    pub cases: Vec<NewCase>,
    /// When the child submitted it, by the application's clock.
    pub submitted_at: DateTime<Utc>,
    /// A random key drawn for this response alone (the cell key method).
    pub record_key: u32,
}

/// The cases screening opened for one response or issue.
pub(crate) async fn insert_cases<C: ConnectionTrait>(
    conn: &C,
    cases: &[NewCase],
    unit_id: UnitId,
    session_id: Option<Uuid>,
    response_id: Option<Uuid>,
    issue_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for c in cases {
        let case = Opening {
            categories: &c.categories,
            unit_id: Some(unit_id.0),
            session_id,
            response_id,
            issue_id,
            question_key: c.question_key.clone(),
            outcome: Some(c.outcome),
            matched: &c.matched,
            ..Opening::new("screen", c.severity, c.original_text.clone(), now)
        };
        crate::safeguarding::open(conn, case, now).await?;
    }
    Ok(())
}

fn violated(e: &DbErr, index: &str, columns: &str) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(m)) if m.contains(index) || m.contains(columns))
}

/// A submission stored before, which a retry under its idempotency key is
/// compared with.
trait Sent {
    /// Its id, and the hash of the request that stored it.
    fn sent(&self) -> (Uuid, Option<&str>);
}

impl Sent for response::Model {
    fn sent(&self) -> (Uuid, Option<&str>) {
        (self.id, Some(&self.request_hash))
    }
}

impl Sent for issue::Model {
    fn sent(&self) -> (Uuid, Option<&str>) {
        (self.id, self.request_hash.as_deref())
    }
}

/// A submission of `E` the participant sent before under the same
/// idempotency key (`columns`: the participant and key columns): replayed
/// when the request is the same, else the key reused.
async fn replay<E: EntityTrait, C: ConnectionTrait>(
    conn: &C,
    columns: [E::Column; 2],
    (participant_id, key, request_hash): (Uuid, &str, &str),
) -> Result<Option<Submitted>, DbErr>
where
    E::Model: Sent,
{
    let [participant, key_column] = columns;
    let prior = E::find()
        .filter(participant.eq(participant_id))
        .filter(key_column.eq(key))
        .one(conn)
        .await?;
    Ok(prior.map(|p| match p.sent() {
        (id, Some(hash)) if hash == request_hash => Submitted::Replayed(id),
        _ => Submitted::KeyReused,
    }))
}

/// The participant and idempotency key of a response.
const RESPONSE_KEY: [response::Column; 2] = [response::Column::ParticipantId, response::Column::IdempotencyKey];

/// A response seen before under the same idempotency key.
async fn replay_response<C: ConnectionTrait>(conn: &C, r: &NewResponse) -> Result<Option<Submitted>, DbErr> {
    replay::<response::Entity, _>(
        conn,
        RESPONSE_KEY,
        (r.participant_id, &r.idempotency_key, &r.request_hash),
    )
    .await
}

/// Stores a response and its cases atomically, or says why not: the
/// session is checked open in the same transaction (write-locked from the
/// start on SQLite), and the unique indexes decide retries and duplicates.
/// Submissions without cases normally go through [`submit_responses`].
pub async fn submit_response(db: &Db, r: &NewResponse) -> Result<Submitted, StoreError> {
    let tx = begin(db).await?;
    if open_sessions(&tx, [r.session_id]).await?.is_empty() {
        tx.rollback().await?;
        return Ok(Submitted::SessionClosed);
    }
    if let Err(e) = insert_response(&tx, r).await {
        tx.rollback().await?;
        return settle_refused_response(db, r, e).await;
    }
    insert_cases(
        &tx,
        &r.cases,
        r.unit_id,
        Some(r.session_id),
        Some(r.id),
        None,
        r.submitted_at,
    )
    .await?;
    tx.commit().await?;
    Ok(Submitted::Created)
}

/// Stores a child's paper form entered by a facilitator, with its cases,
/// atomically, or refuses it with `Conflict(code)` when the session takes
/// no more forms ([`langnghe_domain::consultation::admit_paper_form`]):
/// the child's pseudonym (the one `token_hash` names, created
/// on first use, so a retry finds it again), the response (the session
/// checked open in the same transaction, the unique indexes deciding
/// retries) and an audit event of the entry with how consent was given
/// (never the answers).
pub async fn enter_paper_response(
    db: &Db,
    actor: &Actor,
    token_hash: &str,
    r: &NewResponse,
) -> Result<(Submitted, Uuid), StoreError> {
    let tx = begin(db).await?;
    let participant_id = participant_for(&tx, token_hash, actor.at).await?;
    let r = NewResponse {
        participant_id,
        ..r.clone()
    };
    if open_sessions(&tx, [r.session_id]).await?.is_empty() {
        tx.rollback().await?;
        return Ok((Submitted::SessionClosed, participant_id));
    }
    // A retry gets its receipt whatever the caps; a new form is counted
    // against them with the session locked, so two entries at once cannot
    // both take the last place.
    if let Some(prior) = replay_response(&tx, &r).await? {
        tx.rollback().await?;
        return Ok((prior, participant_id));
    }
    if let Err(refusal) = paper_form_admitted(&tx, r.session_id).await? {
        tx.rollback().await?;
        return Err(StoreError::Conflict(refusal.code()));
    }
    if let Err(e) = insert_response(&tx, &r).await {
        tx.rollback().await?;
        return Ok((settle_refused_response(db, &r, e).await?, participant_id));
    }
    insert_cases(&tx, &r.cases, r.unit_id, Some(r.session_id), Some(r.id), None, actor.at).await?;
    Change::of("response.enter_paper", "session", r.session_id)
        .after(serde_json::json!({
            "response_id": r.id,
            "assent": "paper_form",
            "age_band": r.age_band,
            "answered_at": r.submitted_at,
            "safeguarding_cases": r.cases.len(),
        }))
        .commit(tx, actor)
        .await?;
    Ok((Submitted::Created, participant_id))
}

/// Whether paper session `session_id` takes one more form
/// ([`langnghe_domain::consultation::admit_paper_form`]), read with its row
/// locked: the forms entered, withdrawn ones included, and those withdrawn.
async fn paper_form_admitted<C: ConnectionTrait>(
    conn: &C,
    session_id: Uuid,
) -> Result<Result<(), langnghe_domain::consultation::PaperRefusal>, StoreError> {
    let Some(s) = session::Entity::find_by_id(session_id)
        .lock_exclusive()
        .one(conn)
        .await?
    else {
        return Err(StoreError::NotFound);
    };
    let forms = || response::Entity::find().filter(response::Column::SessionId.eq(session_id));
    let entered = i64::try_from(forms().count(conn).await?).unwrap_or(i64::MAX);
    let withdrawn = forms()
        .filter(response::Column::WithdrawnAt.is_not_null())
        .count(conn)
        .await?;
    let withdrawn = i64::try_from(withdrawn).unwrap_or(i64::MAX);
    Ok(langnghe_domain::consultation::admit_paper_form(
        s.expected_participants,
        entered,
        withdrawn,
    ))
}

/// Stores many responses without safeguarding cases in one statement
/// (group commit). The statement itself takes only rows whose session is
/// still open (`INSERT … SELECT … WHERE EXISTS`), so a session or survey
/// closed on another replica stops answers the moment its close commits,
/// whatever this replica remembers. Rows the unique indexes refuse are
/// skipped by `ON CONFLICT DO NOTHING`; every skipped row is then settled
/// one by one as closed, a replay, a reused key or a second response,
/// exactly as [`submit_response`] settles them. The answer is in the order
/// of `rs`.
pub async fn submit_responses(db: &Db, rs: &[NewResponse]) -> Result<Vec<Submitted>, StoreError> {
    if rs.iter().any(|r| !r.cases.is_empty()) {
        let mut out = Vec::with_capacity(rs.len());
        for r in rs {
            out.push(submit_response(db, r).await?);
        }
        return Ok(out);
    }
    if rs.is_empty() {
        return Ok(Vec::new());
    }
    let inserted = insert_where_open(db, rs).await?;
    let skipped = rs.iter().filter(|r| !inserted.contains(&r.id)).map(|r| r.session_id);
    let skipped: HashSet<Uuid> = skipped.collect();
    let open = if skipped.is_empty() {
        HashSet::new()
    } else {
        open_sessions(db, skipped).await?
    };
    let mut out = Vec::with_capacity(rs.len());
    for r in rs {
        if inserted.contains(&r.id) {
            out.push(Submitted::Created);
            continue;
        }
        if !open.contains(&r.session_id) {
            out.push(Submitted::SessionClosed);
            continue;
        }
        // Refused by an index: a retry under the same key (perhaps in this
        // very batch), or a second response where one is allowed.
        out.push(match replay_response(db, r).await? {
            Some(prior) => prior,
            None if r.single => Submitted::AlreadyResponded,
            // Nothing explains it: try alone, for the real answer.
            None => submit_response(db, r).await?,
        });
    }
    Ok(out)
}

/// Why an insert was refused: a retry, a reused key, a second response, or
/// a real failure.
async fn settle_refused_response(db: &Db, r: &NewResponse, e: DbErr) -> Result<Submitted, StoreError> {
    let idempotency = violated(&e, "ux_responses_idempotency", "idempotency_key");
    // A concurrent retry under the same key may trip the one-response index
    // first: it is a replay, not a second response.
    let single = violated(&e, "ux_responses_single", "single_response_of");
    if !idempotency && !single {
        return Err(e.into());
    }
    let prior = replay_response(db, r).await?;
    Ok(match (prior, single) {
        (Some(p), _) => p,
        (None, true) => Submitted::AlreadyResponded,
        (None, false) => Submitted::KeyReused,
    })
}

/// `INSERT INTO responses (…) SELECT v.column1, … FROM (VALUES …) AS v WHERE EXISTS
/// (the row's session is open) ON CONFLICT DO NOTHING RETURNING id`: one
/// statement, one round trip; the ids of the rows stored.
async fn insert_where_open<C: ConnectionTrait>(conn: &C, rs: &[NewResponse]) -> Result<HashSet<Uuid>, DbErr> {
    let rows: Vec<response::ActiveModel> = rs.iter().map(response_row).collect();
    // The columns `response_row` sets, in one fixed order.
    let columns: Vec<response::Column> = response::Column::iter()
        .filter(|c| rows.first().is_some_and(|r| r.get(*c).is_set()))
        .collect();
    let mut tuples = Vec::with_capacity(rows.len());
    for row in &rows {
        let values = columns.iter().map(|c| row.get(*c).into_value());
        let values = values.collect::<Option<Vec<_>>>();
        tuples.push(ValueTuple::Many(
            values.ok_or_else(|| DbErr::Custom("a response row leaves a column unset".into()))?,
        ));
    }
    // Both databases name the columns of a VALUES list column1, column2, …
    let session_at = columns
        .iter()
        .position(|c| matches!(c, response::Column::SessionId))
        .map(|i| i + 1)
        .unwrap_or(0);
    let row_session = (Alias::new("v"), Alias::new(format!("column{session_at}")));
    let open = open_sessions_query()
        .and_where(Expr::col((session::Entity, session::Column::Id)).equals(row_session))
        .to_owned();
    let select = Query::select()
        .columns((1..=columns.len()).map(|i| (Alias::new("v"), Alias::new(format!("column{i}")))))
        .from_values(tuples, Alias::new("v"))
        .and_where(Expr::exists(open))
        .to_owned();
    let insert = Query::insert()
        .into_table(response::Entity)
        .columns(columns.iter().copied())
        .select_from(select)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .returning_col(response::Column::Id)
        .to_owned();
    let rows = conn.query_all(&insert).await?;
    rows.iter().map(|r| r.try_get_by_index::<Uuid>(0)).collect()
}

async fn insert_response<C: ConnectionTrait>(conn: &C, r: &NewResponse) -> Result<(), DbErr> {
    response::Entity::insert(response_row(r))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

fn response_row(r: &NewResponse) -> response::ActiveModel {
    response::ActiveModel {
        id: Set(r.id),
        survey_id: Set(r.survey_id),
        version: Set(r.version),
        session_id: Set(r.session_id),
        unit_id: Set(r.unit_id.0),
        participant_id: Set(r.participant_id),
        age: Set(r.age),
        age_band: Set(r.age_band.clone()),
        grade: Set(r.grade),
        gender: Set(r.gender.clone()),
        language: Set(r.language.clone()),
        answers: Set(r.answers.clone()),
        receipt_hash: Set(r.receipt_hash.clone()),
        idempotency_key: Set(r.idempotency_key.clone()),
        request_hash: Set(r.request_hash.clone()),
        single_response_of: Set(r.single.then_some(r.participant_id)),
        submitted_at: Set(r.submitted_at),
        record_key: Set(i64::from(r.record_key)),
        withdrawn_at: Set(None),
        text_purged_at: Set(None),
    }
}

// ---------------------------------------------------------------------------
// Group commit: the writers children's submissions queue up for

/// The most responses stored in one statement.
const MAX_BATCH: usize = 64;
/// Writer tasks: two, so one batch is being written while the next forms.
const WRITERS: usize = 2;
/// How long a submission waits for its batch before it is answered as a
/// database out of reach (the child retries with the same key, which
/// replays).
const WAIT: std::time::Duration = std::time::Duration::from_secs(20);

type Job = (NewResponse, oneshot::Sender<Result<Submitted, StoreError>>);

/// Group commit of children's submissions. A submission is handed to
/// writer tasks over a channel; a writer takes whatever has queued up (up
/// to 64) and stores it with one statement ([`submit_responses`]), then
/// answers each. Under light load a batch is one response and nothing
/// waits; under a class's burst the database does one round trip and one
/// commit for many. Retries, reused keys and second responses are settled
/// per response exactly as a single insert would. Responses that open a
/// safeguarding case keep their own transaction ([`submit_response`]).
///
/// The writers run on a thread of their own, so that nothing else in the
/// process (the result folder, the relay) holds them up. Should they be
/// gone, a submission is stored directly: a late or repeated write is
/// harmless, as the idempotency index makes it a replay.
#[derive(Clone)]
pub struct Writers {
    db: Db,
    tx: mpsc::Sender<Job>,
}

impl Writers {
    /// Starts the writers on a thread of their own; they stop when the last
    /// `Writers` is dropped.
    pub fn spawn(db: Db) -> std::io::Result<Writers> {
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
        Ok(Writers { db, tx })
    }

    /// Stores one response (in a batch with whatever else is waiting). A
    /// batch that waited too long, or writers that stopped, answer as a
    /// database out of reach.
    pub async fn submit(&self, r: NewResponse) -> Result<Submitted, StoreError> {
        if !r.cases.is_empty() {
            return submit_response(&self.db, &r).await;
        }
        let (done, answer) = oneshot::channel();
        let queued = async {
            match self.tx.send((r, done)).await {
                Ok(()) => answer.await.ok(),
                Err(mpsc::error::SendError((r, _))) => {
                    tracing::error!("the submission writers are gone; storing directly");
                    Some(submit_response(&self.db, &r).await)
                }
            }
        };
        match tokio::time::timeout(WAIT, queued).await {
            Ok(Some(result)) => result,
            // The writer dropped the job without answering: it stopped.
            Ok(None) => Err(out_of_reach()),
            Err(_) => {
                tracing::warn!("a submission waited {} s for its batch", WAIT.as_secs());
                Err(out_of_reach())
            }
        }
    }
}

/// The database as a caller sees it when its write cannot be done in time.
fn out_of_reach() -> StoreError {
    StoreError::Db(DbErr::ConnectionAcquire(crate::ConnAcquireErr::Timeout))
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
    // Submissions that gave up are not written for; their retry replays.
    batch.retain(|(_, done)| !done.is_closed());
    if batch.is_empty() {
        return;
    }
    // The same order in every batch, so two batches in flight take the
    // unique index entries they share in the same order (no deadlock).
    batch.sort_by(|(a, _), (b, _)| (a.participant_id, &a.idempotency_key).cmp(&(b.participant_id, &b.idempotency_key)));
    let rows: Vec<NewResponse> = batch.iter().map(|(r, _)| r.clone()).collect();
    match submit_responses(db, &rows).await {
        Ok(results) => {
            for ((_, done), result) in batch.into_iter().zip(results) {
                let _ = done.send(Ok(result));
            }
        }
        // The database is down or busy: every response gets that answer at
        // once (503, the child retries), not a slow retry one by one.
        Err(StoreError::Db(e)) if crate::is_unavailable(&e) || crate::is_busy(&e) => {
            tracing::warn!(cause = %e, responses = batch.len(), "a batch of submissions could not be stored");
            let busy = crate::is_busy(&e);
            for (_, done) in batch {
                let e = if busy {
                    DbErr::Custom("database is locked".into())
                } else {
                    DbErr::ConnectionAcquire(crate::ConnAcquireErr::Timeout)
                };
                let _ = done.send(Err(StoreError::Db(e)));
            }
        }
        // Anything else: each response tries alone, for its own answer.
        Err(e) => {
            tracing::warn!(cause = %e, responses = batch.len(), "a batch of submissions failed; storing one by one");
            for (r, done) in batch {
                if !done.is_closed() {
                    let _ = done.send(submit_response(db, &r).await);
                }
            }
        }
    }
}

/// Inserts many responses at once, submitted when each says, with no
/// idempotency or one-response checks and no screening: for seeding a
/// benchmark or importing responses already checked elsewhere. They are
/// folded into the result rollups like any other.
pub async fn insert_responses_bulk(db: &Db, rows: &[NewResponse]) -> Result<(), StoreError> {
    for chunk in rows.chunks(1000) {
        let models = chunk.iter().map(|r| {
            let mut m = response_row(r);
            m.single_response_of = Set(None);
            m
        });
        response::Entity::insert_many(models).exec_without_returning(db).await?;
    }
    Ok(())
}

/// What withdrawing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdrawn {
    Now,
    Already,
    NotFound,
}

/// Withdraws the response with this receipt, in one transaction: it stops
/// counting anywhere and frees the participant to answer again; its free
/// text is replaced by `erased_text` (still a text answer, so the folder
/// takes it out of the cells it counted in; answers that cannot be read are
/// emptied, reported: the child's words must go); and every issue promoted
/// from it is withdrawn as [`withdraw_issue`] withdraws one.
pub async fn withdraw_response(
    db: &Db,
    receipt_hash: &str,
    erased_text: &str,
    now: DateTime<Utc>,
) -> Result<Withdrawn, StoreError> {
    let tx = begin(db).await?;
    let Some(row) = response::Entity::find()
        .filter(response::Column::ReceiptHash.eq(receipt_hash))
        .lock_exclusive()
        .one(&tx)
        .await?
    else {
        return Ok(Withdrawn::NotFound);
    };
    if row.withdrawn_at.is_some() {
        return Ok(Withdrawn::Already);
    }
    let emptied = match crate::surveys::version(&tx, row.survey_id, row.version).await {
        Ok(v) => crate::formats::answers::replace_texts(&v.definition.definition, &row.answers, erased_text),
        Err(StoreError::Unreadable(e)) => Err(e),
        Err(e) => return Err(e),
    };
    let answers = emptied.unwrap_or_else(|e| {
        crate::formats::report(&format_args!("response {}", row.id), &e);
        crate::formats::answers::empty()
    });
    response::Entity::update_many()
        .col_expr(response::Column::WithdrawnAt, Expr::value(now))
        .col_expr(response::Column::SingleResponseOf, Expr::value(Option::<Uuid>::None))
        .col_expr(response::Column::Answers, Expr::value(answers))
        .filter(response::Column::Id.eq(row.id))
        .exec(&tx)
        .await?;
    withdraw_issues(&tx, issue::Column::ResponseId.eq(row.id), erased_text, now).await?;
    tx.commit().await?;
    Ok(Withdrawn::Now)
}

/// A response as stored (for tests and, later, aggregation).
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub id: Uuid,
    pub survey_id: Uuid,
    pub version: i32,
    pub participant_id: Uuid,
    pub age_band: String,
    pub answers: String,
    pub withdrawn: bool,
}

/// Responses of a survey that count (not withdrawn), oldest first.
pub async fn responses_of<C: ConnectionTrait>(
    conn: &C,
    survey_id: Uuid,
    include_withdrawn: bool,
) -> Result<Vec<StoredResponse>, StoreError> {
    let mut q = response::Entity::find()
        .filter(response::Column::SurveyId.eq(survey_id))
        .order_by_asc(response::Column::Id);
    if !include_withdrawn {
        q = q.filter(response::Column::WithdrawnAt.is_null());
    }
    Ok(q.all(conn)
        .await?
        .into_iter()
        .map(|r| StoredResponse {
            id: r.id,
            survey_id: r.survey_id,
            version: r.version,
            participant_id: r.participant_id,
            age_band: r.age_band,
            answers: r.answers,
            withdrawn: r.withdrawn_at.is_some(),
        })
        .collect())
}

#[derive(Debug, Clone)]
pub struct NewIssue {
    pub id: Uuid,
    /// `New`, `Withheld` when screening routed it to safeguarding, or
    /// `InReview` until a safeguarding officer has read it.
    pub status: IssueStatus,
    pub survey_id: Uuid,
    pub session_id: Uuid,
    pub unit_id: UnitId,
    pub participant_id: Uuid,
    pub age_band: String,
    pub topic_id: Option<Uuid>,
    pub title: String,
    pub body: String,
    pub redactions: Vec<String>,
    pub receipt_hash: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub cases: Vec<NewCase>,
    /// When the child raised it, by the application's clock.
    pub submitted_at: DateTime<Utc>,
}

/// An issue seen before under the same idempotency key.
async fn replay_issue<C: ConnectionTrait>(conn: &C, i: &NewIssue) -> Result<Option<Submitted>, DbErr> {
    let columns = [issue::Column::ParticipantId, issue::Column::IdempotencyKey];
    replay::<issue::Entity, _>(conn, columns, (i.participant_id, &i.idempotency_key, &i.request_hash)).await
}

/// Stores a child's issue (and its cases) in one transaction, if its
/// session is open as the database has it in that transaction.
pub async fn submit_issue(db: &Db, i: &NewIssue) -> Result<Submitted, StoreError> {
    let status = i.status;
    if let Some(prior) = replay_issue(db, i).await? {
        return Ok(prior);
    }
    let tx = begin(db).await?;
    if open_sessions(&tx, [i.session_id]).await?.is_empty() {
        tx.rollback().await?;
        return Ok(Submitted::SessionClosed);
    }
    let now = i.submitted_at;
    let inserted = issue::Entity::insert(issue::ActiveModel {
        survey_id: Set(Some(i.survey_id)),
        session_id: Set(Some(i.session_id)),
        participant_id: Set(Some(i.participant_id)),
        age_band: Set(Some(i.age_band.clone())),
        redactions: Set((!i.redactions.is_empty()).then(|| i.redactions.join(","))),
        receipt_hash: Set(Some(i.receipt_hash.clone())),
        idempotency_key: Set(Some(i.idempotency_key.clone())),
        request_hash: Set(Some(i.request_hash.clone())),
        ..crate::moderation::new_issue_row(
            (i.id, "form", status),
            (i.unit_id.0, i.topic_id),
            (&i.title, &i.body),
            now,
        )
    })
    .exec_without_returning(&tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if violated(&e, "ux_issues_idempotency", "idempotency_key") => {
            tx.rollback().await?;
            return Ok(replay_issue(db, i).await?.unwrap_or(Submitted::KeyReused));
        }
        Err(e) => return Err(e.into()),
    }
    insert_cases(
        &tx,
        &i.cases,
        i.unit_id,
        Some(i.session_id),
        None,
        Some(i.id),
        i.submitted_at,
    )
    .await?;
    tx.commit().await?;
    Ok(Submitted::Created)
}

/// An issue as stored (for tests and, later, moderation).
#[derive(Debug, Clone)]
pub struct StoredIssue {
    pub id: Uuid,
    pub status: IssueStatus,
    pub title: String,
    pub body: String,
    pub redactions: Option<String>,
    pub topic_id: Option<Uuid>,
    /// The keyed hash that recognises a retry (cleared after the window).
    pub request_hash: Option<String>,
    /// The child who raised it (or whose answer it was made from).
    pub participant_id: Option<Uuid>,
    /// What a moderator's search matches.
    pub search_text: Option<String>,
}

pub async fn get_issue<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<StoredIssue, StoreError> {
    let r = issue::Entity::find_by_id(id).found(conn).await?;
    Ok(StoredIssue {
        id: r.id,
        status: crate::names::read(&r.status)?,
        title: r.title,
        body: r.body,
        redactions: r.redactions,
        topic_id: r.topic_id,
        request_hash: r.request_hash,
        participant_id: r.participant_id,
        search_text: r.search_text,
    })
}

/// A case as stored.
#[derive(Debug, Clone)]
pub struct StoredCase {
    pub id: Uuid,
    pub severity: String,
    pub categories: String,
    pub original_text: String,
    pub response_id: Option<Uuid>,
    pub issue_id: Option<Uuid>,
    pub question_key: Option<String>,
}

/// Every safeguarding case, oldest first.
pub async fn cases<C: ConnectionTrait>(conn: &C) -> Result<Vec<StoredCase>, StoreError> {
    Ok(safeguarding_case::Entity::find()
        .order_by_asc(safeguarding_case::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| StoredCase {
            id: c.id,
            severity: c.severity,
            categories: c.categories,
            original_text: c.original_text,
            response_id: c.response_id,
            issue_id: c.issue_id,
            question_key: c.question_key,
        })
        .collect())
}

/// A counted response, as results need it.
#[derive(Debug, Clone)]
pub struct ResultRow {
    pub unit_id: UnitId,
    pub age_band: String,
    pub gender: Option<String>,
    pub submitted_at: DateTime<Utc>,
    /// The stored (screened) answers as JSON text.
    pub answers: String,
}

/// Responses to one version of a survey that count (not withdrawn), in
/// the time range and units given.
pub async fn responses_for_results<C: ConnectionTrait>(
    conn: &C,
    survey_id: Uuid,
    version: i32,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    units: Option<&[UnitId]>,
) -> Result<Vec<ResultRow>, StoreError> {
    let q = crate::query::counted_answers(survey_id, version)
        .column(response::Column::Gender)
        .apply_if(from, |q, from| q.filter(response::Column::SubmittedAt.gte(from)))
        .apply_if(to, |q, to| q.filter(response::Column::SubmittedAt.lt(to)))
        .apply_if(units, |q, units| {
            q.filter(response::Column::UnitId.is_in(units.iter().map(|u| u.0)))
        });
    type Row = (Uuid, String, DateTime<Utc>, String, Option<String>);
    let rows: Vec<Row> = q.into_tuple().all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(unit, age_band, submitted_at, answers, gender)| ResultRow {
            unit_id: UnitId(unit),
            age_band,
            gender,
            submitted_at,
            answers,
        })
        .collect())
}

/// A response as its author may read it back.
#[derive(Debug, Clone)]
pub struct OwnResponse {
    pub id: Uuid,
    pub survey_id: Uuid,
    pub version: i32,
    pub age_band: String,
    pub gender: Option<String>,
    pub language: String,
    pub answers: String,
    pub submitted_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// An issue as its author may read it back.
#[derive(Debug, Clone)]
pub struct OwnIssue {
    pub id: Uuid,
    pub status: IssueStatus,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<response::Model> for OwnResponse {
    fn from(r: response::Model) -> Self {
        OwnResponse {
            id: r.id,
            survey_id: r.survey_id,
            version: r.version,
            age_band: r.age_band,
            gender: r.gender,
            language: r.language,
            answers: r.answers,
            submitted_at: r.submitted_at,
            withdrawn_at: r.withdrawn_at,
        }
    }
}

impl TryFrom<issue::Model> for OwnIssue {
    type Error = StoreError;

    fn try_from(i: issue::Model) -> Result<Self, StoreError> {
        Ok(OwnIssue {
            id: i.id,
            status: crate::names::read(&i.status)?,
            title: i.title,
            body: i.body,
            created_at: i.created_at,
        })
    }
}

/// Everything held under a pseudonym: its responses (withdrawn ones
/// included, marked) and the issues still attached to it.
pub async fn everything_of<C: ConnectionTrait>(
    conn: &C,
    participant_id: Uuid,
) -> Result<(Vec<OwnResponse>, Vec<OwnIssue>), StoreError> {
    let of = [participant_id];
    let responses = rows_in::<response::Entity, _>(conn, response::Column::ParticipantId, &of, &[response::Column::Id]);
    let issues = rows_in::<issue::Entity, _>(conn, issue::Column::ParticipantId, &of, &[issue::Column::Id]);
    let responses = responses.await?.into_iter().map(OwnResponse::from).collect();
    let issues = issues
        .await?
        .into_iter()
        .map(OwnIssue::try_from)
        .collect::<Result<_, _>>()?;
    Ok((responses, issues))
}

/// What erasing a pseudonym did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Erased {
    /// Responses gone at once: never released into any figure.
    pub responses_deleted: u64,
    /// Responses released into figures: withdrawn and emptied now, their
    /// rows deleted when the withdrawal is released (the figures' rules).
    pub responses_withdrawn: u64,
    /// Issues whose text is erased and that count nowhere any more.
    pub issues_erased: u64,
}

/// The pseudonym every erased response is moved to until its row goes: no
/// participant has it.
pub const ERASED_PARTICIPANT: Uuid = Uuid::nil();

/// A response of a pseudonym, for the caller to say what is left of its
/// answers once the child's words are erased.
#[derive(Debug, Clone)]
pub struct Held {
    pub id: Uuid,
    pub survey_id: Uuid,
    pub version: i32,
    pub answers: String,
}

/// Every response held under a pseudonym.
pub async fn held_by<C: ConnectionTrait>(conn: &C, participant_id: Uuid) -> Result<Vec<Held>, StoreError> {
    Ok(response::Entity::find()
        .filter(response::Column::ParticipantId.eq(participant_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| Held {
            id: r.id,
            survey_id: r.survey_id,
            version: r.version,
            answers: r.answers,
        })
        .collect())
}

/// How a pseudonym is erased.
pub struct Erasure<'a> {
    pub participant_id: Uuid,
    /// Per response released into figures: its answers with the child's
    /// words taken out (what the folder needs to take it out of the cells).
    pub emptied: &'a std::collections::HashMap<Uuid, String>,
    /// What replaces an issue's title and body.
    pub erased_text: &'a str,
    pub now: DateTime<Utc>,
}

/// Erases what is held under a pseudonym, in one transaction:
/// - a response never released into a figure is deleted with its queue
///   entries; one that was is withdrawn (the folder takes it out of the
///   cells at the next release of its cell, and then deletes the row), and
///   until then holds no link to the child: moved to
///   [`ERASED_PARTICIPANT`], its words taken out, its receipt, keys and
///   request hash gone;
/// - every support is removed;
/// - every issue raised or promoted from the child's answers loses its
///   text, its links and its place on the public list, and is `withdrawn`;
/// - the participant row is deleted, and its token's keyed hash kept as a
///   tombstone so that the token is refused from now on.
///
/// Safeguarding cases are kept: a child's safety outweighs erasure.
/// Idempotent.
pub async fn erase_participant(db: &Db, e: &Erasure<'_>) -> Result<Erased, StoreError> {
    use crate::entities::{erased_participant, fold_queue};
    let tx = begin(db).await?;
    let pid = e.participant_id;
    let rows = response::Entity::find()
        .filter(response::Column::ParticipantId.eq(pid))
        .all(&tx)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    // Never released: a +1 entry still waits (released entries are gone).
    let mut unreleased: Vec<Uuid> = Vec::new();
    for chunk in ids.chunks(500) {
        unreleased.extend(
            fold_queue::Entity::find()
                .select_only()
                .column(fold_queue::Column::ResponseId)
                .filter(fold_queue::Column::ResponseId.is_in(chunk.iter().copied()))
                .filter(fold_queue::Column::Sign.eq(1))
                .into_tuple::<Uuid>()
                .all(&tx)
                .await?,
        );
    }
    delete_in::<fold_queue::Entity, _>(&tx, fold_queue::Column::ResponseId, &unreleased).await?;
    delete_in::<response::Entity, _>(&tx, response::Column::Id, &unreleased).await?;
    let mut withdrawn = 0;
    for r in rows.iter().filter(|r| !unreleased.contains(&r.id)) {
        let tag = format!("erased:{}", r.id.simple());
        let mut update = response::Entity::update_many()
            .col_expr(response::Column::ParticipantId, Expr::value(ERASED_PARTICIPANT))
            .col_expr(response::Column::SingleResponseOf, Expr::value(Option::<Uuid>::None))
            .col_expr(response::Column::Grade, Expr::value(Option::<i16>::None))
            .col_expr(response::Column::ReceiptHash, Expr::value(tag.clone()))
            .col_expr(response::Column::IdempotencyKey, Expr::value(tag))
            .col_expr(response::Column::RequestHash, Expr::value(String::new()))
            .col_expr(
                response::Column::Answers,
                Expr::value(e.emptied.get(&r.id).cloned().unwrap_or_else(|| "{}".to_owned())),
            );
        if r.withdrawn_at.is_none() {
            update = update.col_expr(response::Column::WithdrawnAt, Expr::value(e.now));
            withdrawn += 1;
        }
        update.filter(response::Column::Id.eq(r.id)).exec(&tx).await?;
    }
    crate::entities::issue_support::Entity::delete_many()
        .filter(crate::entities::issue_support::Column::ParticipantId.eq(pid))
        .exec(&tx)
        .await?;
    crate::entities::session_participant::Entity::delete_many()
        .filter(crate::entities::session_participant::Column::ParticipantId.eq(pid))
        .exec(&tx)
        .await?;
    let erased = issue::Entity::update_many()
        .col_expr(issue::Column::Status, Expr::value(IssueStatus::Withdrawn.as_str()))
        .col_expr(issue::Column::Title, Expr::value(e.erased_text))
        .col_expr(issue::Column::Body, Expr::value(e.erased_text))
        .col_expr(issue::Column::SearchText, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::ParticipantId, Expr::value(Option::<Uuid>::None))
        .col_expr(issue::Column::IdempotencyKey, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::RequestHash, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::ReceiptHash, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::ResponseId, Expr::value(Option::<Uuid>::None))
        .col_expr(issue::Column::QuestionKey, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::Redactions, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::ModeratorNote, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::PublishedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(issue::Column::UpdatedAt, Expr::value(e.now))
        .filter(issue::Column::ParticipantId.eq(pid))
        .exec(&tx)
        .await?;
    if let Some(p) = participant::Entity::find_by_id(pid).one(&tx).await? {
        let row = erased_participant::ActiveModel {
            token_hash: Set(p.token_hash),
            erased_at: Set(e.now),
        };
        insert_if_absent(&tx, row, [erased_participant::Column::TokenHash]).await?;
        participant::Entity::delete_by_id(pid).exec(&tx).await?;
    }
    tx.commit().await?;
    Ok(Erased {
        responses_deleted: unreleased.len() as u64,
        responses_withdrawn: withdrawn,
        issues_erased: erased.rows_affected,
    })
}

/// Whether a pseudonym exists (an erased one does not).
pub async fn participant_exists<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<bool, StoreError> {
    Ok(participant::Entity::find_by_id(id).one(conn).await?.is_some())
}

/// The pseudonym of a participant token's keyed hash, if it has one.
pub async fn participant_of_token<C: ConnectionTrait>(conn: &C, token_hash: &str) -> Result<Option<Uuid>, StoreError> {
    Ok(participant::Entity::find()
        .filter(participant::Column::TokenHash.eq(token_hash))
        .one(conn)
        .await?
        .map(|p| p.id))
}

/// What became of an issue's withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueWithdrawn {
    Now,
    Already,
    NotFound,
}

/// Withdraws the issue with this receipt: its text is erased and it counts
/// nowhere (an issue that went to a safeguarding case keeps its case).
pub async fn withdraw_issue(
    db: &Db,
    receipt_hash: &str,
    erased_text: &str,
    now: DateTime<Utc>,
) -> Result<IssueWithdrawn, StoreError> {
    let tx = begin(db).await?;
    let Some(row) = issue::Entity::find()
        .filter(issue::Column::ReceiptHash.eq(receipt_hash))
        .one(&tx)
        .await?
    else {
        return Ok(IssueWithdrawn::NotFound);
    };
    if row.status == "withdrawn" {
        return Ok(IssueWithdrawn::Already);
    }
    withdraw_issues(&tx, issue::Column::Id.eq(row.id), erased_text, now).await?;
    tx.commit().await?;
    Ok(IssueWithdrawn::Now)
}

/// Withdraws the issues `which` picks that are not withdrawn yet: their
/// words are erased, and they leave the queue, the public list and every
/// count. How many.
async fn withdraw_issues<C: ConnectionTrait>(
    conn: &C,
    which: impl sea_orm::sea_query::IntoCondition,
    erased_text: &str,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let r = issue::Entity::update_many()
        .col_expr(issue::Column::Status, Expr::value(IssueStatus::Withdrawn.as_str()))
        .col_expr(issue::Column::Title, Expr::value(erased_text))
        .col_expr(issue::Column::Body, Expr::value(erased_text))
        .col_expr(issue::Column::SearchText, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::RequestHash, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::ModeratorNote, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::PublishedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(issue::Column::UpdatedAt, Expr::value(now))
        .filter(which)
        .filter(issue::Column::Status.ne(IssueStatus::Withdrawn.as_str()))
        .exec(conn)
        .await?;
    Ok(r.rows_affected)
}
