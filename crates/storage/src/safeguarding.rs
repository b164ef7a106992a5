//! Safeguarding cases for the officers who follow them to closure. The
//! text of a case (what the child wrote, a report's summary, the officers'
//! notes) is read only through [`read`], which records the reading in the
//! audit log in the same transaction; the audit log itself never holds any
//! of that text.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{Change, snapshot};
use crate::entities::{safeguarding_case as case, safeguarding_note as note};
use crate::names::{read as read_name, read_opt};
use crate::query::{Found, page, read_by_id};
use crate::{Actor, Db, StoreError, begin};
use langnghe_domain::moderation::IssueStatus;
use langnghe_domain::safeguarding::{CaseStatus, Channel, Referral, Verdict};
use langnghe_domain::screen::{Outcome, Severity};

/// The categories of a case as stored: comma-separated names.
fn categories_of(stored: &str) -> Vec<String> {
    stored.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect()
}

/// A case without its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: Uuid,
    /// `screen` (a child's text), `intake` (a report received by hand).
    pub source: String,
    pub status: CaseStatus,
    pub severity: Severity,
    pub categories: Vec<String>,
    pub unit_id: Option<Uuid>,
    pub issue_id: Option<Uuid>,
    pub response_id: Option<Uuid>,
    pub question_key: Option<String>,
    pub assignee_id: Option<Uuid>,
    pub referred_to: Option<Referral>,
    pub channel: Option<Channel>,
    pub received_at: DateTime<Utc>,
    pub assessed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// `clear` or `possible` for a case the screen opened.
    pub outcome: Option<Outcome>,
    /// An officer's mark of the screen's call: `right` or `wrong`.
    pub verdict: Option<Verdict>,
    pub verdict_at: Option<DateTime<Utc>>,
    /// When an officer released a possible disclosure to moderation.
    pub released_at: Option<DateTime<Utc>>,
}

/// What the audit log keeps of a case: its state, never its text.
#[derive(Serialize)]
struct AuditView<'a> {
    status: &'a str,
    severity: &'a str,
    assignee_id: Option<Uuid>,
    referred_to: Option<&'a str>,
    verdict: Option<&'a str>,
}

fn audit_view(c: &CaseRow) -> Option<serde_json::Value> {
    snapshot(&AuditView {
        status: c.status.as_str(),
        severity: c.severity.as_str(),
        assignee_id: c.assignee_id,
        referred_to: c.referred_to.map(Referral::as_str),
        verdict: c.verdict.map(Verdict::as_str),
    })
}

fn row_of(m: case::Model) -> Result<CaseRow, StoreError> {
    Ok(CaseRow {
        id: m.id,
        source: m.source,
        status: read_name(&m.status)?,
        severity: read_name(&m.severity)?,
        categories: categories_of(&m.categories),
        unit_id: m.unit_id,
        issue_id: m.issue_id,
        response_id: m.response_id,
        question_key: m.question_key,
        assignee_id: m.assignee_id,
        referred_to: read_opt(m.referred_to.as_deref())?,
        channel: read_opt(m.channel.as_deref())?,
        received_at: m.received_at.unwrap_or(m.created_at),
        assessed_at: m.assessed_at,
        closed_at: m.closed_at,
        updated_at: m.updated_at,
        outcome: read_opt(m.outcome.as_deref())?,
        verdict: read_opt(m.verdict.as_deref())?,
        verdict_at: m.verdict_at,
        released_at: m.released_at,
    })
}

/// What the case list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub severity: Option<Severity>,
    /// The screen's outcome.
    pub outcome: Option<Outcome>,
    /// `(true, cutoff)`: only urgent cases still `new` and received before
    /// `cutoff`; `(false, cutoff)`: every other case.
    pub overdue: Option<(bool, DateTime<Utc>)>,
}

/// Cases, oldest first, after the id `after`.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &CaseFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<CaseRow>, StoreError> {
    let mut q = case::Entity::find()
        .apply_if(filter.status, |q, s| q.filter(case::Column::Status.eq(s.as_str())))
        .apply_if(filter.severity, |q, s| q.filter(case::Column::Severity.eq(s.as_str())))
        .apply_if(filter.outcome, |q, o| q.filter(case::Column::Outcome.eq(o.as_str())));
    if let Some((wanted, cutoff)) = filter.overdue {
        let overdue = Condition::all()
            .add(case::Column::Severity.eq(Severity::Urgent.as_str()))
            .add(case::Column::Status.eq(CaseStatus::New.as_str()))
            .add(
                Condition::any().add(case::Column::ReceivedAt.lt(cutoff)).add(
                    Condition::all()
                        .add(case::Column::ReceivedAt.is_null())
                        .add(case::Column::CreatedAt.lt(cutoff)),
                ),
            );
        q = q.filter(if wanted { overdue } else { overdue.not() });
    }
    let rows = page(q, case::Column::Id, after, limit).all(conn).await?;
    rows.into_iter().map(row_of).collect()
}

/// An officer's note on a case.
#[derive(Debug, Clone)]
pub struct Note {
    pub id: Uuid,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A case without its text (no reading to audit).
pub async fn get<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<CaseRow, StoreError> {
    read_by_id::<case::Entity, _, _>(conn, id, row_of).await
}

/// A case's restricted part: what the child wrote (or the report's
/// summary), the words the screen matched, and the officers' notes.
#[derive(Debug, Clone)]
pub struct CaseText {
    pub text: String,
    pub matched: Vec<String>,
    pub notes: Vec<Note>,
}

/// A case with its text and notes, for an officer; the reading is audited.
pub async fn read(db: &Db, actor: &Actor, id: Uuid) -> Result<(CaseRow, CaseText), StoreError> {
    let tx = begin(db).await?;
    let m = case::Entity::find_by_id(id).found(&tx).await?;
    let text = m.original_text.clone();
    let notes = note::Entity::find()
        .filter(note::Column::CaseId.eq(id))
        .order_by_asc(note::Column::Id)
        .all(&tx)
        .await?
        .into_iter()
        .map(|n| Note {
            id: n.id,
            author: n.author_label,
            body: n.body,
            created_at: n.created_at,
        })
        .collect();
    Change::of("safeguarding_case.read", "safeguarding_case", id)
        .commit(tx, actor)
        .await?;
    let matched = serde_json::from_str(&m.matched).unwrap_or_default();
    Ok((row_of(m)?, CaseText { text, matched, notes }))
}

/// Changes a case under a lock: `decide` sees the current state and returns
/// the new one or a refusal; `note`, when given, is added with its author
/// and time. Audited without any text.
pub async fn update<E>(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    note_body: Option<&str>,
    decide: impl FnOnce(&CaseRow) -> Result<CaseRow, E>,
) -> Result<Result<CaseRow, E>, StoreError> {
    let tx = begin(db).await?;
    let current = case::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&tx)
        .await?
        .map(row_of)
        .transpose()?
        .ok_or(StoreError::NotFound)?;
    let mut next = match decide(&current) {
        Ok(n) => n,
        Err(e) => {
            tx.rollback().await?;
            return Ok(Err(e));
        }
    };
    let now = actor.at;
    if next != current {
        next.updated_at = now;
        case::Entity::update_many()
            .col_expr(case::Column::Status, Expr::value(next.status.as_str()))
            .col_expr(case::Column::Severity, Expr::value(next.severity.as_str()))
            .col_expr(case::Column::AssigneeId, Expr::value(next.assignee_id))
            .col_expr(
                case::Column::ReferredTo,
                Expr::value(next.referred_to.map(Referral::as_str)),
            )
            .col_expr(case::Column::AssessedAt, Expr::value(next.assessed_at))
            .col_expr(case::Column::ClosedAt, Expr::value(next.closed_at))
            .col_expr(case::Column::Verdict, Expr::value(next.verdict.map(Verdict::as_str)))
            .col_expr(case::Column::VerdictAt, Expr::value(next.verdict_at))
            .col_expr(case::Column::UpdatedAt, Expr::value(now))
            .filter(case::Column::Id.eq(id))
            .exec(&tx)
            .await?;
        Change::of("safeguarding_case.update", "safeguarding_case", id)
            .before(audit_view(&current))
            .after(audit_view(&next))
            .record(&tx, actor)
            .await?;
    }
    if let Some(body) = note_body {
        note::Entity::insert(note::ActiveModel {
            id: Set(Uuid::now_v7()),
            case_id: Set(id),
            author_id: Set(actor.id),
            author_label: Set(actor.label.clone()),
            body: Set(body.to_owned()),
            created_at: Set(now),
        })
        .exec_without_returning(&tx)
        .await?;
        Change::of("safeguarding_case.note", "safeguarding_case", id)
            .record(&tx, actor)
            .await?;
    }
    tx.commit().await?;
    Ok(Ok(next))
}

/// A report received by hand (hotline 111, in person).
pub struct Intake<'a> {
    pub received_at: DateTime<Utc>,
    pub channel: Channel,
    pub unit_id: Option<Uuid>,
    pub summary: &'a str,
    pub severity: Severity,
}

/// Opens a case from a report; audited without its text.
pub async fn intake(db: &Db, actor: &Actor, i: &Intake<'_>) -> Result<CaseRow, StoreError> {
    let tx = begin(db).await?;
    let id = open(
        &tx,
        Opening {
            unit_id: i.unit_id,
            channel: Some(i.channel),
            ..Opening::new("intake", i.severity, i.summary.to_owned(), i.received_at)
        },
        actor.at,
    )
    .await?;
    let row = get(&tx, id).await?;
    Change::of("safeguarding_case.intake", "safeguarding_case", id)
        .after(audit_view(&row))
        .commit(tx, actor)
        .await?;
    Ok(row)
}

/// A case as counted: never any detail beyond these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub id: Uuid,
    pub status: CaseStatus,
    pub severity: Severity,
    pub categories: Vec<String>,
    pub unit_id: Option<Uuid>,
    pub received_at: DateTime<Utc>,
}

/// id, status, severity, categories, unit, received, created.
type CountedRow = (
    Uuid,
    String,
    String,
    String,
    Option<Uuid>,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
);

/// Every case received in `[from, until)`, district-wide, for counts
/// published through disclosure control. A possible disclosure is a case
/// only once an officer marked the screen's call right; until then (or when
/// marked wrong) it is a review item and is not counted.
pub async fn received<C: ConnectionTrait>(
    conn: &C,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<Counted>, StoreError> {
    let received = Expr::cust("COALESCE(received_at, created_at)");
    let review_item = Condition::all().add(case::Column::Outcome.eq("possible")).add(
        Condition::any()
            .add(case::Column::Verdict.is_null())
            .add(case::Column::Verdict.ne("right")),
    );
    let rows: Vec<CountedRow> = case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .column(case::Column::Status)
        .column(case::Column::Severity)
        .column(case::Column::Categories)
        .column(case::Column::UnitId)
        .column(case::Column::ReceivedAt)
        .column(case::Column::CreatedAt)
        .filter(received.clone().gte(from))
        .filter(received.lt(until))
        .filter(review_item.not())
        .into_tuple()
        .all(conn)
        .await?;
    rows.into_iter()
        .map(|(id, status, severity, categories, unit_id, received_at, created_at)| {
            Ok(Counted {
                id,
                status: read_name(&status)?,
                severity: read_name(&severity)?,
                categories: categories_of(&categories),
                unit_id,
                received_at: received_at.unwrap_or(created_at),
            })
        })
        .collect()
}

/// What waits for the officers, counted cheaply for a client to poll.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// Cases not yet taken up (`new`).
    pub new: u64,
    /// Of them, urgent.
    pub urgent: u64,
    /// Possible disclosures not yet released or closed.
    pub to_review: u64,
    /// The latest case received, to tell a poller something changed.
    pub latest: Option<Uuid>,
}

pub async fn queue_counts<C: ConnectionTrait>(conn: &C) -> Result<QueueCounts, StoreError> {
    use sea_orm::PaginatorTrait;
    let new = case::Entity::find().filter(case::Column::Status.eq(CaseStatus::New.as_str()));
    let urgent = new.clone().filter(case::Column::Severity.eq("urgent"));
    let to_review = case::Entity::find()
        .filter(case::Column::Outcome.eq("possible"))
        .filter(case::Column::ReleasedAt.is_null())
        .filter(case::Column::Status.ne(CaseStatus::Closed.as_str()));
    let latest = case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .order_by_desc(case::Column::Id)
        .limit(1)
        .into_tuple::<Uuid>()
        .one(conn)
        .await?;
    Ok(QueueCounts {
        new: new.count(conn).await?,
        urgent: urgent.count(conn).await?,
        to_review: to_review.count(conn).await?,
        latest,
    })
}

/// Why a release is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseRefused {
    /// Only a possible disclosure found by the screen is released.
    NotPossible,
    AlreadyReleased,
    Closed,
    /// The same issue also holds a clear disclosure.
    ClearBeside,
}

/// Why a released case's answer did not get its words back: the child's
/// choice, or retention, came after the screen held them, and the case's
/// copy must not undo it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextLeft {
    /// The child erased everything held under their pseudonym.
    Erased,
    /// The child (or a facilitator voiding a burst) withdrew the response.
    Withdrawn,
    /// Retention purged the response's free text.
    Purged,
}

impl TextLeft {
    pub fn as_str(self) -> &'static str {
        match self {
            TextLeft::Erased => "erased",
            TextLeft::Withdrawn => "withdrawn",
            TextLeft::Purged => "purged",
        }
    }
}

/// Whether a response must keep what stands in for its words.
fn text_left(r: &crate::entities::response::Model) -> Option<TextLeft> {
    if r.participant_id == crate::participation::ERASED_PARTICIPANT {
        Some(TextLeft::Erased)
    } else if r.withdrawn_at.is_some() {
        Some(TextLeft::Withdrawn)
    } else if r.text_purged_at.is_some() {
        Some(TextLeft::Purged)
    } else {
        None
    }
}

/// Releases a possible disclosure to moderation: an issue in review becomes
/// `new` (its redacted text was kept, hidden), a withheld answer gets
/// `redacted(original)` back, unless the child erased or withdrew it or
/// retention purged its text since (then it keeps what stands in for the
/// words, and the audit entry says which). Every possible case of the same
/// issue is released with it. Audited without any text.
pub async fn release(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    redacted: impl Fn(&str) -> String,
) -> Result<Result<CaseRow, ReleaseRefused>, StoreError> {
    use crate::entities::{issue, response};
    let tx = begin(db).await?;
    let m = case::Entity::find_by_id(id).lock_exclusive().found(&tx).await?;
    let refused = if read_opt(m.outcome.as_deref())? != Some(Outcome::Possible) {
        Some(ReleaseRefused::NotPossible)
    } else if m.released_at.is_some() {
        Some(ReleaseRefused::AlreadyReleased)
    } else if read_name::<CaseStatus>(&m.status)? == CaseStatus::Closed {
        Some(ReleaseRefused::Closed)
    } else {
        None
    };
    if let Some(r) = refused {
        tx.rollback().await?;
        return Ok(Err(r));
    }
    let now = actor.at;
    let mut released = vec![m.id];
    let mut left = None;
    if let Some(issue_id) = m.issue_id {
        let siblings = case::Entity::find()
            .filter(case::Column::IssueId.eq(issue_id))
            .filter(case::Column::Id.ne(m.id))
            .all(&tx)
            .await?;
        let outcomes = siblings
            .iter()
            .map(|c| read_opt::<Outcome>(c.outcome.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        if outcomes.iter().any(|o| *o != Some(Outcome::Possible)) {
            tx.rollback().await?;
            return Ok(Err(ReleaseRefused::ClearBeside));
        }
        released.extend(siblings.iter().map(|c| c.id));
        issue::Entity::update_many()
            .col_expr(issue::Column::Status, Expr::value(IssueStatus::New.as_str()))
            .col_expr(issue::Column::UpdatedAt, Expr::value(now))
            .filter(issue::Column::Id.eq(issue_id))
            .filter(issue::Column::Status.eq(IssueStatus::InReview.as_str()))
            .exec(&tx)
            .await?;
    } else if let (Some(response_id), Some(key)) = (m.response_id, m.question_key.as_deref())
        && let Some(r) = response::Entity::find_by_id(response_id)
            .lock_exclusive()
            .one(&tx)
            .await?
    {
        left = text_left(&r);
        // An answer that cannot be read stays as it is (the marker), reported.
        let answers = if left.is_some() {
            None
        } else {
            crate::formats::answers::with_text(&r.answers, key, &redacted(&m.original_text))
                .inspect_err(|e| crate::formats::report(&response_id, e))
                .ok()
                .flatten()
        };
        if let Some(answers) = answers {
            response::Entity::update_many()
                .col_expr(response::Column::Answers, Expr::value(answers))
                .filter(response::Column::Id.eq(response_id))
                .exec(&tx)
                .await?;
        }
    }
    case::Entity::update_many()
        .col_expr(case::Column::ReleasedAt, Expr::value(now))
        .col_expr(case::Column::UpdatedAt, Expr::value(now))
        .filter(case::Column::Id.is_in(released.clone()))
        .exec(&tx)
        .await?;
    for c in &released {
        // Which of the child's choices kept the words out, never the words.
        let why = left
            .filter(|_| *c == m.id)
            .map(|l| serde_json::json!({"text_left": l.as_str()}));
        Change::of("safeguarding_case.release", "safeguarding_case", c)
            .after(why)
            .record(&tx, actor)
            .await?;
    }
    let row = get(&tx, id).await?;
    tx.commit().await?;
    Ok(Ok(row))
}

/// A case the screen opened and an officer marked, for growing the labelled
/// set: the screen's call, the officer's mark, and the text as the officer
/// read it.
#[derive(Debug, Clone)]
pub struct Marked {
    pub id: Uuid,
    pub outcome: Outcome,
    pub categories: Vec<String>,
    pub verdict: Verdict,
    pub verdict_at: Option<DateTime<Utc>>,
    pub text: String,
}

/// Every marked case, oldest mark first; the export is audited as one
/// reading of their texts.
pub async fn marked(db: &Db, actor: &Actor) -> Result<Vec<Marked>, StoreError> {
    let tx = begin(db).await?;
    let rows = case::Entity::find()
        .filter(case::Column::Verdict.is_not_null())
        .filter(case::Column::Source.eq("screen"))
        .order_by_asc(case::Column::VerdictAt)
        .order_by_asc(case::Column::Id)
        .all(&tx)
        .await?;
    Change::of_all("safeguarding_case.export_marks", "safeguarding_case")
        .after(serde_json::json!({"cases": rows.len()}))
        .commit(tx, actor)
        .await?;
    // A case the screen opened has its call, and one marked its mark: an
    // absent one is as corrupt as an unknown one.
    rows.into_iter()
        .map(|m| {
            Ok(Marked {
                id: m.id,
                outcome: read_name(m.outcome.as_deref().unwrap_or_default())?,
                categories: categories_of(&m.categories),
                verdict: read_name(m.verdict.as_deref().unwrap_or_default())?,
                verdict_at: m.verdict_at,
                text: m.original_text,
            })
        })
        .collect()
}

/// A case to open, whichever way it comes (`source`: `screen`, `referral`,
/// `intake`): what it holds and where it is from. Everything an officer
/// adds later (assignee, referral, verdict, stamps) starts empty.
pub(crate) struct Opening<'a> {
    pub id: Uuid,
    pub source: &'static str,
    pub severity: Severity,
    pub categories: &'a [String],
    pub text: String,
    pub unit_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub response_id: Option<Uuid>,
    pub issue_id: Option<Uuid>,
    pub question_key: Option<String>,
    pub channel: Option<Channel>,
    /// The screen's call, for a case it opened.
    pub outcome: Option<Outcome>,
    /// The words that fired, for a case the screen opened.
    pub matched: &'a [String],
    pub received_at: DateTime<Utc>,
}

impl<'a> Opening<'a> {
    /// A case from `source` holding `text`, nothing else known yet.
    pub fn new(source: &'static str, severity: Severity, text: String, received_at: DateTime<Utc>) -> Self {
        Opening {
            id: Uuid::now_v7(),
            source,
            severity,
            categories: &[],
            text,
            unit_id: None,
            session_id: None,
            response_id: None,
            issue_id: None,
            question_key: None,
            channel: None,
            outcome: None,
            matched: &[],
            received_at,
        }
    }
}

/// Opens the case, stamped `now`, and announces it to the safeguarding
/// endpoint, in `conn`'s transaction.
pub(crate) async fn open<C: ConnectionTrait>(
    conn: &C,
    o: Opening<'_>,
    now: DateTime<Utc>,
) -> Result<Uuid, sea_orm::DbErr> {
    announce(
        conn,
        &Opened {
            id: o.id,
            source: o.source,
            outcome: o.outcome,
            severity: o.severity,
            categories: o.categories,
            unit_id: o.unit_id,
            received_at: o.received_at,
        },
    )
    .await?;
    case::Entity::insert(case::ActiveModel {
        id: Set(o.id),
        source: Set(o.source.to_owned()),
        status: Set(CaseStatus::New.as_str().to_owned()),
        severity: Set(o.severity.as_str().to_owned()),
        categories: Set(o.categories.join(",")),
        original_text: Set(o.text),
        unit_id: Set(o.unit_id),
        session_id: Set(o.session_id),
        response_id: Set(o.response_id),
        issue_id: Set(o.issue_id),
        question_key: Set(o.question_key),
        created_at: Set(now),
        updated_at: Set(now),
        assignee_id: Set(None),
        referred_to: Set(None),
        channel: Set(o.channel.map(|c| c.as_str().to_owned())),
        received_at: Set(Some(o.received_at)),
        assessed_at: Set(None),
        closed_at: Set(None),
        outcome: Set(o.outcome.map(|o| o.as_str().to_owned())),
        matched: Set(serde_json::to_string(o.matched).unwrap_or_else(|_| "[]".into())),
        verdict: Set(None),
        verdict_at: Set(None),
        released_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(o.id)
}

/// A case just opened, as announced to the safeguarding endpoint: never any
/// text, never the child's pseudonym.
struct Opened<'a> {
    pub id: Uuid,
    pub source: &'a str,
    pub outcome: Option<Outcome>,
    pub severity: Severity,
    pub categories: &'a [String],
    pub unit_id: Option<Uuid>,
    pub received_at: DateTime<Utc>,
}

/// Queues `safeguarding.case_opened` for the safeguarding endpoint, in the
/// transaction that opens the case (nothing when none is configured).
async fn announce<C: ConnectionTrait>(conn: &C, o: &Opened<'_>) -> Result<(), sea_orm::DbErr> {
    let data = serde_json::json!({
        "case_id": o.id,
        "source": o.source,
        "outcome": o.outcome.map(Outcome::as_str),
        "severity": o.severity.as_str(),
        "categories": o.categories,
        "unit_id": o.unit_id,
        "received_at": o.received_at,
    });
    crate::outbox::enqueue_safeguarding(conn, "safeguarding.case_opened", &data, o.received_at)
        .await
        .map(|_| ())
        .map_err(|e| match e {
            StoreError::Db(e) => e,
            other => sea_orm::DbErr::Custom(other.to_string()),
        })
}
