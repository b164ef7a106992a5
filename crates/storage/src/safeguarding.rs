//! Safeguarding cases for the officers who follow them to closure. The
//! text of a case (what the child wrote, a report's summary, the officers'
//! notes) is read only through [`read`], which records the reading in the
//! audit log in the same transaction; the audit log itself never holds any
//! of that text.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, Change, snapshot};
use crate::entities::{safeguarding_case as case, safeguarding_note as note};
use crate::{Actor, Db, StoreError, begin};

/// A case without its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: Uuid,
    /// `screen` (a child's text), `intake` (a report received by hand).
    pub source: String,
    pub status: String,
    pub severity: String,
    pub categories: Vec<String>,
    pub unit_id: Option<Uuid>,
    pub issue_id: Option<Uuid>,
    pub response_id: Option<Uuid>,
    pub question_key: Option<String>,
    pub assignee_id: Option<Uuid>,
    pub referred_to: Option<String>,
    pub channel: Option<String>,
    pub received_at: DateTime<Utc>,
    pub assessed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// What the audit log keeps of a case: its state, never its text.
#[derive(Serialize)]
struct AuditView<'a> {
    status: &'a str,
    severity: &'a str,
    assignee_id: Option<Uuid>,
    referred_to: Option<&'a str>,
}

fn audit_view(c: &CaseRow) -> Option<serde_json::Value> {
    snapshot(&AuditView {
        status: &c.status,
        severity: &c.severity,
        assignee_id: c.assignee_id,
        referred_to: c.referred_to.as_deref(),
    })
}

fn row_of(m: case::Model) -> CaseRow {
    CaseRow {
        id: m.id,
        source: m.source,
        status: m.status,
        severity: m.severity,
        categories: m
            .categories
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        unit_id: m.unit_id,
        issue_id: m.issue_id,
        response_id: m.response_id,
        question_key: m.question_key,
        assignee_id: m.assignee_id,
        referred_to: m.referred_to,
        channel: m.channel,
        received_at: m.received_at.unwrap_or(m.created_at),
        assessed_at: m.assessed_at,
        closed_at: m.closed_at,
        updated_at: m.updated_at,
    }
}

/// What the case list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter<'a> {
    pub status: Option<&'a str>,
    pub severity: Option<&'a str>,
    /// `(true, cutoff)`: only urgent cases still `new` and received before
    /// `cutoff`; `(false, cutoff)`: every other case.
    pub overdue: Option<(bool, DateTime<Utc>)>,
}

/// Cases, oldest first, after the id `after`.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &CaseFilter<'_>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<CaseRow>, StoreError> {
    let mut q = case::Entity::find();
    if let Some(s) = filter.status {
        q = q.filter(case::Column::Status.eq(s));
    }
    if let Some(s) = filter.severity {
        q = q.filter(case::Column::Severity.eq(s));
    }
    if let Some((wanted, cutoff)) = filter.overdue {
        let overdue = Condition::all()
            .add(case::Column::Severity.eq("urgent"))
            .add(case::Column::Status.eq("new"))
            .add(
                Condition::any().add(case::Column::ReceivedAt.lt(cutoff)).add(
                    Condition::all()
                        .add(case::Column::ReceivedAt.is_null())
                        .add(case::Column::CreatedAt.lt(cutoff)),
                ),
            );
        q = q.filter(if wanted { overdue } else { overdue.not() });
    }
    if let Some(a) = after {
        q = q.filter(case::Column::Id.gt(a));
    }
    let rows = q.order_by_asc(case::Column::Id).limit(limit).all(conn).await?;
    Ok(rows.into_iter().map(row_of).collect())
}

/// An officer's note on a case.
#[derive(Debug, Clone)]
pub struct Note {
    pub id: Uuid,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A case with its text and notes, for an officer; the reading is audited.
pub async fn read(db: &Db, actor: &Actor, id: Uuid) -> Result<(CaseRow, String, Vec<Note>), StoreError> {
    let tx = begin(db).await?;
    let m = case::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
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
    audit::record(
        &tx,
        actor,
        Change {
            action: "safeguarding_case.read",
            entity: "safeguarding_case",
            entity_id: Some(id.to_string()),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((row_of(m), text, notes))
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
            .col_expr(case::Column::Status, Expr::value(next.status.clone()))
            .col_expr(case::Column::Severity, Expr::value(next.severity.clone()))
            .col_expr(case::Column::AssigneeId, Expr::value(next.assignee_id))
            .col_expr(case::Column::ReferredTo, Expr::value(next.referred_to.clone()))
            .col_expr(case::Column::AssessedAt, Expr::value(next.assessed_at))
            .col_expr(case::Column::ClosedAt, Expr::value(next.closed_at))
            .col_expr(case::Column::UpdatedAt, Expr::value(now))
            .filter(case::Column::Id.eq(id))
            .exec(&tx)
            .await?;
        audit::record(
            &tx,
            actor,
            Change {
                action: "safeguarding_case.update",
                entity: "safeguarding_case",
                entity_id: Some(id.to_string()),
                before: audit_view(&current),
                after: audit_view(&next),
            },
        )
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
        audit::record(
            &tx,
            actor,
            Change {
                action: "safeguarding_case.note",
                entity: "safeguarding_case",
                entity_id: Some(id.to_string()),
                before: None,
                after: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(next))
}

/// A report received by hand (hotline 111, in person).
pub struct Intake<'a> {
    pub received_at: DateTime<Utc>,
    pub channel: &'a str,
    pub unit_id: Option<Uuid>,
    pub summary: &'a str,
    pub severity: &'a str,
}

/// Opens a case from a report; audited without its text.
pub async fn intake(db: &Db, actor: &Actor, i: &Intake<'_>) -> Result<CaseRow, StoreError> {
    let tx = begin(db).await?;
    let now = actor.at;
    let id = Uuid::now_v7();
    let m = case::ActiveModel {
        id: Set(id),
        source: Set("intake".to_owned()),
        status: Set("new".to_owned()),
        severity: Set(i.severity.to_owned()),
        categories: Set(String::new()),
        original_text: Set(i.summary.to_owned()),
        unit_id: Set(i.unit_id),
        session_id: Set(None),
        response_id: Set(None),
        issue_id: Set(None),
        question_key: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        assignee_id: Set(None),
        referred_to: Set(None),
        channel: Set(Some(i.channel.to_owned())),
        received_at: Set(Some(i.received_at)),
        assessed_at: Set(None),
        closed_at: Set(None),
    };
    case::Entity::insert(m).exec_without_returning(&tx).await?;
    let row = case::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .map(row_of)
        .ok_or(StoreError::NotFound)?;
    audit::record(
        &tx,
        actor,
        Change {
            action: "safeguarding_case.intake",
            entity: "safeguarding_case",
            entity_id: Some(id.to_string()),
            before: None,
            after: audit_view(&row),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Cases received in `[from, until)`, counted by status and severity.
/// Every case received in `[from, until)`, district-wide: its id, status
/// and severity (never any detail), for counts published through
/// disclosure control.
pub async fn received<C: ConnectionTrait>(
    conn: &C,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(Uuid, String, String)>, StoreError> {
    let received = Expr::cust("COALESCE(received_at, created_at)");
    Ok(case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .column(case::Column::Status)
        .column(case::Column::Severity)
        .filter(received.clone().gte(from))
        .filter(received.lt(until))
        .into_tuple()
        .all(conn)
        .await?)
}
