//! Recommendations and their deliveries: written as drafts, approved,
//! sent to agencies (each delivery with its due date, the evidence frozen
//! and a webhook event queued in the same transaction), answered through
//! the agency API, chased when late. Every step is audited in the
//! transaction that makes it; the audit log is the timeline.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, sea_query::OnConflict,
};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, AuditEvent, Change, snapshot};
use crate::entities::{
    commitment, delivery, delivery_reminder, delivery_update, recommendation as rec, recommendation_issue,
};
use crate::names::{by_name, by_name_opt, read, read_opt};
use crate::query::{Found, page, read_by_id, rows_in};
use crate::{Actor, Db, StoreError, Tx, begin, outbox};
use langnghe_domain::recommendation::{
    CommitmentStatus, DeliveryStatus, PlannedDelivery, RecommendationStatus, Stance, escalates,
};
use langnghe_domain::{AgencyId, LocalizedText, UnitId};

/// A survey question that backs a recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct EvidenceRef {
    pub survey_id: Uuid,
    pub question_key: String,
}

/// What a moderator writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub title: LocalizedText,
    pub summary: LocalizedText,
    pub child_summary: LocalizedText,
    pub action: LocalizedText,
    pub topic_id: Uuid,
    pub unit_id: Uuid,
    pub issue_ids: Vec<Uuid>,
    pub evidence: Vec<EvidenceRef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecommendationRow {
    pub id: Uuid,
    pub status: RecommendationStatus,
    pub draft: Draft,
    /// The evidence's suppressed figures as sent (JSON).
    pub frozen_evidence: Option<serde_json::Value>,
    pub approval_event_id: Option<Uuid>,
    pub approved_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What the audit log keeps of a recommendation.
#[derive(Serialize)]
struct RecAudit<'a> {
    status: &'a str,
    title: &'a str,
    topic_id: Uuid,
    unit_id: Uuid,
    issue_ids: &'a [Uuid],
    evidence: &'a [EvidenceRef],
    approval_event_id: Option<Uuid>,
}

fn rec_audit(r: &RecommendationRow) -> Option<serde_json::Value> {
    snapshot(&RecAudit {
        status: r.status.as_str(),
        title: r.draft.title.vi(),
        topic_id: r.draft.topic_id,
        unit_id: r.draft.unit_id,
        issue_ids: &r.draft.issue_ids,
        evidence: &r.draft.evidence,
        approval_event_id: r.approval_event_id,
    })
}

fn rec_of(m: rec::Model, issue_ids: Vec<Uuid>) -> Result<RecommendationRow, StoreError> {
    Ok(RecommendationRow {
        id: m.id,
        status: read(&m.status)?,
        draft: Draft {
            title: LocalizedText::from_stored(m.title_vi, m.title_en),
            summary: LocalizedText::from_stored(m.summary_vi, m.summary_en),
            child_summary: LocalizedText::from_stored(m.child_summary_vi, m.child_summary_en),
            action: LocalizedText::from_stored(m.action_vi, m.action_en),
            topic_id: m.topic_id,
            unit_id: m.unit_id,
            issue_ids,
            evidence: serde_json::from_str(&m.evidence).unwrap_or_default(),
        },
        frozen_evidence: m.frozen_evidence.and_then(|f| serde_json::from_str(&f).ok()),
        approval_event_id: m.approval_event_id,
        approved_at: m.approved_at,
        sent_at: m.sent_at,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn draft_columns(d: &Draft, m: &mut rec::ActiveModel) {
    m.title_vi = Set(d.title.vi().to_owned());
    m.title_en = Set(d.title.en().map(str::to_owned));
    m.summary_vi = Set(d.summary.vi().to_owned());
    m.summary_en = Set(d.summary.en().map(str::to_owned));
    m.child_summary_vi = Set(d.child_summary.vi().to_owned());
    m.child_summary_en = Set(d.child_summary.en().map(str::to_owned));
    m.action_vi = Set(d.action.vi().to_owned());
    m.action_en = Set(d.action.en().map(str::to_owned));
    m.topic_id = Set(d.topic_id);
    m.unit_id = Set(d.unit_id);
    m.evidence = Set(serde_json::to_string(&d.evidence).unwrap_or_else(|_| "[]".into()));
}

async fn issues_of<C: ConnectionTrait>(conn: &C, ids: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
    use recommendation_issue::Column;
    Ok(
        rows_in::<recommendation_issue::Entity, _>(conn, Column::RecommendationId, ids, &[Column::IssueId])
            .await?
            .into_iter()
            .map(|r| (r.recommendation_id, r.issue_id))
            .collect(),
    )
}

async fn set_issues<C: ConnectionTrait>(conn: &C, id: Uuid, issue_ids: &[Uuid]) -> Result<(), StoreError> {
    recommendation_issue::Entity::delete_many()
        .filter(recommendation_issue::Column::RecommendationId.eq(id))
        .exec(conn)
        .await?;
    if !issue_ids.is_empty() {
        recommendation_issue::Entity::insert_many(issue_ids.iter().map(|i| recommendation_issue::ActiveModel {
            recommendation_id: Set(id),
            issue_id: Set(*i),
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

async fn with_issues<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<rec::Model>,
) -> Result<Vec<RecommendationRow>, StoreError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let links = issues_of(conn, &ids).await?;
    rows.into_iter()
        .map(|m| {
            let issues = links.iter().filter(|(r, _)| *r == m.id).map(|(_, i)| *i).collect();
            rec_of(m, issues)
        })
        .collect()
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<RecommendationRow, StoreError> {
    let m = rec::Entity::find_by_id(id).found(conn).await?;
    with_issues(conn, vec![m]).await?.pop().ok_or(StoreError::NotFound)
}

/// Several recommendations, in no particular order; unknown ids are left
/// out.
pub async fn get_many<C: ConnectionTrait>(conn: &C, ids: &[Uuid]) -> Result<Vec<RecommendationRow>, StoreError> {
    let rows = rows_in::<rec::Entity, _>(conn, rec::Column::Id, ids, &[]).await?;
    with_issues(conn, rows).await
}

async fn get_locked(tx: &Tx, id: Uuid) -> Result<RecommendationRow, StoreError> {
    let m = rec::Entity::find_by_id(id).lock_exclusive().found(tx).await?;
    with_issues(tx, vec![m]).await?.pop().ok_or(StoreError::NotFound)
}

pub async fn create(db: &Db, actor: &Actor, d: &Draft) -> Result<RecommendationRow, StoreError> {
    let tx = begin(db).await?;
    let now = actor.at;
    let id = Uuid::now_v7();
    let mut m = rec::ActiveModel {
        id: Set(id),
        status: Set(RecommendationStatus::Draft.as_str().into()),
        frozen_evidence: Set(None),
        approval_event_id: Set(None),
        approved_at: Set(None),
        sent_at: Set(None),
        created_by: Set(actor.label.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    draft_columns(d, &mut m);
    rec::Entity::insert(m).exec_without_returning(&tx).await?;
    set_issues(&tx, id, &d.issue_ids).await?;
    audited(tx, actor, "recommendation.create", id, None).await
}

/// Changes a recommendation under a lock: `decide` sees it as it is and
/// returns the new draft, or a refusal.
pub async fn update<E>(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    decide: impl FnOnce(&RecommendationRow) -> Result<Draft, E>,
) -> Result<Result<RecommendationRow, E>, StoreError> {
    let tx = begin(db).await?;
    let current = get_locked(&tx, id).await?;
    let next = match decide(&current) {
        Ok(n) => n,
        Err(e) => {
            tx.rollback().await?;
            return Ok(Err(e));
        }
    };
    if next == current.draft {
        tx.rollback().await?;
        return Ok(Ok(current));
    }
    let mut m = rec::ActiveModel {
        id: Set(id),
        updated_at: Set(actor.at),
        ..Default::default()
    };
    draft_columns(&next, &mut m);
    rec::Entity::update(m).exec(&tx).await?;
    if next.issue_ids != current.draft.issue_ids {
        set_issues(&tx, id, &next.issue_ids).await?;
    }
    audited(tx, actor, "recommendation.update", id, Some(&current))
        .await
        .map(Ok)
}

/// Approves a draft, optionally naming the Council meeting.
pub async fn approve<E>(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    event_id: Option<Uuid>,
    check: impl FnOnce(&RecommendationRow) -> Result<(), E>,
) -> Result<Result<RecommendationRow, E>, StoreError> {
    let tx = begin(db).await?;
    let current = get_locked(&tx, id).await?;
    if let Err(e) = check(&current) {
        tx.rollback().await?;
        return Ok(Err(e));
    }
    let now = actor.at;
    rec::Entity::update(rec::ActiveModel {
        id: Set(id),
        status: Set(RecommendationStatus::Approved.as_str().into()),
        approval_event_id: Set(event_id),
        approved_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&tx)
    .await?;
    audited(tx, actor, "recommendation.approve", id, Some(&current))
        .await
        .map(Ok)
}

/// Reads recommendation `id` back as `tx` left it and commits `tx` with the
/// audit event of `action`: the recommendation `before` (none when it is
/// new) and after.
async fn audited(
    tx: Tx,
    actor: &Actor,
    action: &str,
    id: Uuid,
    before: Option<&RecommendationRow>,
) -> Result<RecommendationRow, StoreError> {
    let row = get(&tx, id).await?;
    Change::of(action, "recommendation", id)
        .before(before.and_then(rec_audit))
        .after(rec_audit(&row))
        .commit(tx, actor)
        .await?;
    Ok(row)
}

/// Why sending is refused after the checks that need the stored state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendRefusal<E> {
    Rule(E),
    /// These agencies already have a delivery of this recommendation.
    AlreadyDelivered(Vec<AgencyId>),
}

/// Sends an approved recommendation (or re-routes a sent one): one
/// delivery per agency, the evidence frozen on the first sending, and a
/// `delivery.created` event per delivery (and `recommendation.updated` to
/// the agencies already holding it, on re-routing) queued for webhooks, all
/// in one transaction.
pub async fn send<E>(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    deliveries: &[PlannedDelivery],
    frozen: serde_json::Value,
    check: impl FnOnce(&RecommendationRow) -> Result<(), E>,
) -> Result<Result<(RecommendationRow, Vec<DeliveryRow>), SendRefusal<E>>, StoreError> {
    let tx = begin(db).await?;
    let current = get_locked(&tx, id).await?;
    if let Err(e) = check(&current) {
        tx.rollback().await?;
        return Ok(Err(SendRefusal::Rule(e)));
    }
    let existing = delivery::Entity::find()
        .filter(delivery::Column::RecommendationId.eq(id))
        .all(&tx)
        .await?;
    let taken: Vec<AgencyId> = deliveries
        .iter()
        .map(|d| d.agency_id)
        .filter(|a| existing.iter().any(|e| e.agency_id == a.0))
        .collect();
    if !taken.is_empty() {
        tx.rollback().await?;
        return Ok(Err(SendRefusal::AlreadyDelivered(taken)));
    }
    // Microseconds, as PostgreSQL keeps them, so that a feed cursor on
    // `sent_at` matches exactly on SQLite too.
    let now = chrono::SubsecRound::trunc_subsecs(actor.at, 6);
    let first = current.sent_at.is_none();
    if first {
        rec::Entity::update(rec::ActiveModel {
            id: Set(id),
            status: Set(RecommendationStatus::Sent.as_str().into()),
            sent_at: Set(Some(now)),
            frozen_evidence: Set(Some(frozen.to_string())),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec(&tx)
        .await?;
    }
    let mut created = Vec::new();
    for d in deliveries {
        let m = delivery::ActiveModel {
            id: Set(Uuid::now_v7()),
            recommendation_id: Set(id),
            agency_id: Set(d.agency_id.0),
            status: Set(DeliveryStatus::Sent.as_str().into()),
            due_on: Set(d.due_on),
            sent_at: Set(now),
            acknowledged_at: Set(None),
            answered_at: Set(None),
            answered_on: Set(None),
            stance: Set(None),
            reply_body: Set(None),
            reply_child_summary: Set(None),
            reason: Set(None),
            last_reminder_step: Set(None),
            escalated_at: Set(None),
            updated_at: Set(now),
        };
        let row = delivery_of(delivery::Entity::insert(m).exec_with_returning(&tx).await?)?;
        Change::of("delivery.create", "delivery", row.id)
            .after(delivery_audit(&row))
            .record(&tx, actor)
            .await?;
        outbox::enqueue(
            &tx,
            row.agency_id,
            "delivery.created",
            &event_data(&row, None),
            actor.at,
        )
        .await?;
        created.push(row);
    }
    if !first {
        for e in existing.into_iter().map(delivery_of) {
            let e = e?;
            outbox::enqueue(
                &tx,
                e.agency_id,
                "recommendation.updated",
                &serde_json::json!({
                    "recommendation_id": id,
                    "delivery_id": e.id,
                    "change": "rerouted",
                    "agencies_added": deliveries.iter().map(|d| d.agency_id.0).collect::<Vec<_>>(),
                }),
                actor.at,
            )
            .await?;
        }
    }
    let row = get(&tx, id).await?;
    let action = if first {
        "recommendation.send"
    } else {
        "recommendation.reroute"
    };
    Change::of(action, "recommendation", id)
        .before(rec_audit(&current))
        .after(snapshot(&serde_json::json!({
            "status": row.status.as_str(),
            "agencies": deliveries.iter().map(|d| d.agency_id.0).collect::<Vec<_>>(),
        })))
        .commit(tx, actor)
        .await?;
    Ok(Ok((row, created)))
}

/// The data of a webhook event about a delivery.
fn event_data(d: &DeliveryRow, extra: Option<serde_json::Value>) -> serde_json::Value {
    let mut v = serde_json::json!({
        "delivery_id": d.id,
        "recommendation_id": d.recommendation_id,
        "status": d.status.as_str(),
        "due_on": d.due_on,
    });
    if let (Some(serde_json::Value::Object(extra)), Some(map)) = (extra, v.as_object_mut()) {
        map.extend(extra);
    }
    v
}

/// What recommendation lists are narrowed to.
#[derive(Debug, Clone, Default)]
pub struct RecFilter<'a> {
    pub status: Option<RecommendationStatus>,
    pub topic_id: Option<Uuid>,
    pub units: Option<&'a [UnitId]>,
    pub agency_id: Option<Uuid>,
    /// `(true, today)`: with a delivery overdue on `today`; `(false,
    /// today)`: with none.
    pub overdue: Option<(bool, NaiveDate)>,
}

/// The states in which a delivery awaits its agency's answer (the due
/// date applies), as the domain says.
fn awaiting_states() -> Vec<&'static str> {
    DeliveryStatus::ALL
        .into_iter()
        .filter(|s| s.awaits_answer())
        .map(DeliveryStatus::as_str)
        .collect()
}

/// A delivery unanswered past its due date on `today`.
fn overdue_on(today: NaiveDate) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(delivery::Column::Status.is_in(awaiting_states()))
        .add(delivery::Column::DueOn.lt(today))
}

/// Recommendations, oldest first, after `after`.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    f: &RecFilter<'_>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<RecommendationRow>, StoreError> {
    let mut q = rec::Entity::find()
        .apply_if(f.status, |q, s| q.filter(rec::Column::Status.eq(s.as_str())))
        .apply_if(f.topic_id, |q, t| q.filter(rec::Column::TopicId.eq(t)))
        .apply_if(f.units, |q, units| {
            q.filter(rec::Column::UnitId.is_in(units.iter().map(|u| u.0)))
        });
    if let Some(a) = f.agency_id {
        q = q.filter(
            rec::Column::Id.in_subquery(
                Query::select()
                    .column(delivery::Column::RecommendationId)
                    .from(delivery::Entity)
                    .and_where(Expr::col(delivery::Column::AgencyId).eq(a))
                    .to_owned(),
            ),
        );
    }
    if let Some((wanted, today)) = f.overdue {
        let sub = Query::select()
            .column(delivery::Column::RecommendationId)
            .from(delivery::Entity)
            .cond_where(overdue_on(today))
            .to_owned();
        q = q.filter(if wanted {
            rec::Column::Id.in_subquery(sub)
        } else {
            rec::Column::Id.not_in_subquery(sub)
        });
    }
    let rows = page(q, rec::Column::Id, after, limit).all(conn).await?;
    with_issues(conn, rows).await
}

/// Sent recommendations for the public feed, newest sent first, before the
/// `(sent_at, id)` cursor.
pub async fn published<C: ConnectionTrait>(
    conn: &C,
    topic_id: Option<Uuid>,
    units: Option<&[UnitId]>,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<RecommendationRow>, StoreError> {
    let mut q = rec::Entity::find()
        .filter(rec::Column::Status.eq(RecommendationStatus::Sent.as_str()))
        .apply_if(topic_id, |q, t| q.filter(rec::Column::TopicId.eq(t)))
        .apply_if(units, |q, units| {
            q.filter(rec::Column::UnitId.is_in(units.iter().map(|u| u.0)))
        });
    if let Some((at, id)) = before {
        q = q.filter(
            sea_orm::Condition::any().add(rec::Column::SentAt.lt(at)).add(
                sea_orm::Condition::all()
                    .add(rec::Column::SentAt.eq(at))
                    .add(rec::Column::Id.lt(id)),
            ),
        );
    }
    let rows = q
        .order_by_desc(rec::Column::SentAt)
        .order_by_desc(rec::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    with_issues(conn, rows).await
}

/// The actions of the audit events a timeline is made of: those recorded
/// on a recommendation and on its deliveries.
pub const TIMELINE_ACTIONS: [&str; 12] = [
    "recommendation.create",
    "recommendation.update",
    "recommendation.approve",
    "recommendation.send",
    "recommendation.reroute",
    "delivery.create",
    "delivery.acknowledge",
    "delivery.reply",
    "delivery.update",
    "delivery.reminder",
    "delivery.escalate",
    "delivery.letter",
];

/// The audit events of a recommendation and of its deliveries, oldest
/// first: its timeline (each action one of [`TIMELINE_ACTIONS`]).
pub async fn timeline<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Vec<AuditEvent>, StoreError> {
    let mut events = audit::for_entity(conn, "recommendation", &id.to_string()).await?;
    let deliveries: Vec<String> = deliveries_of(conn, &[id])
        .await?
        .iter()
        .map(|d| d.id.to_string())
        .collect();
    events.extend(audit::for_entities(conn, "delivery", &deliveries).await?);
    events.sort_by_key(|e| (e.at, e.id));
    debug_assert!(
        events.iter().all(|e| TIMELINE_ACTIONS.contains(&e.action.as_str())),
        "an action missing from TIMELINE_ACTIONS"
    );
    Ok(events)
}

// ---- deliveries ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryRow {
    pub id: Uuid,
    pub recommendation_id: Uuid,
    pub agency_id: Uuid,
    #[serde(serialize_with = "by_name")]
    pub status: DeliveryStatus,
    pub due_on: NaiveDate,
    pub sent_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_on: Option<NaiveDate>,
    #[serde(serialize_with = "by_name_opt")]
    pub stance: Option<Stance>,
    pub reply_body: Option<String>,
    pub reply_child_summary: Option<String>,
    pub reason: Option<String>,
    pub last_reminder_step: Option<i32>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

fn delivery_of(m: delivery::Model) -> Result<DeliveryRow, StoreError> {
    Ok(DeliveryRow {
        id: m.id,
        recommendation_id: m.recommendation_id,
        agency_id: m.agency_id,
        status: read(&m.status)?,
        due_on: m.due_on,
        sent_at: m.sent_at,
        acknowledged_at: m.acknowledged_at,
        answered_at: m.answered_at,
        answered_on: m.answered_on,
        stance: read_opt(m.stance.as_deref())?,
        reply_body: m.reply_body,
        reply_child_summary: m.reply_child_summary,
        reason: m.reason,
        last_reminder_step: m.last_reminder_step,
        escalated_at: m.escalated_at,
        updated_at: m.updated_at,
    })
}

#[derive(Serialize)]
struct DeliveryAudit<'a> {
    status: &'a str,
    agency_id: Uuid,
    due_on: NaiveDate,
    stance: Option<&'a str>,
}

fn delivery_audit(d: &DeliveryRow) -> Option<serde_json::Value> {
    snapshot(&DeliveryAudit {
        status: d.status.as_str(),
        agency_id: d.agency_id,
        due_on: d.due_on,
        stance: d.stance.map(Stance::as_str),
    })
}

/// The deliveries of some recommendations, oldest first.
pub async fn deliveries_of<C: ConnectionTrait>(conn: &C, recs: &[Uuid]) -> Result<Vec<DeliveryRow>, StoreError> {
    rows_in::<delivery::Entity, _>(conn, delivery::Column::RecommendationId, recs, &[delivery::Column::Id])
        .await?
        .into_iter()
        .map(delivery_of)
        .collect()
}

/// What delivery lists are narrowed to.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub agency_id: Option<Uuid>,
    pub status: Option<DeliveryStatus>,
    /// `(true, today)`: overdue on `today`; `(false, today)`: not.
    pub overdue: Option<(bool, NaiveDate)>,
    pub escalated: Option<bool>,
}

pub async fn list_deliveries<C: ConnectionTrait>(
    conn: &C,
    f: &DeliveryFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<DeliveryRow>, StoreError> {
    let mut q = delivery::Entity::find()
        .apply_if(f.agency_id, |q, a| q.filter(delivery::Column::AgencyId.eq(a)))
        .apply_if(f.status, |q, s| q.filter(delivery::Column::Status.eq(s.as_str())));
    if let Some((wanted, today)) = f.overdue {
        let cond = overdue_on(today);
        q = q.filter(if wanted { cond } else { cond.not() });
    }
    if let Some(e) = f.escalated {
        q = q.filter(if e {
            delivery::Column::EscalatedAt.is_not_null()
        } else {
            delivery::Column::EscalatedAt.is_null()
        });
    }
    page(q, delivery::Column::Id, after, limit)
        .all(conn)
        .await?
        .into_iter()
        .map(delivery_of)
        .collect()
}

pub async fn get_delivery<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<DeliveryRow, StoreError> {
    read_by_id::<delivery::Entity, _, _>(conn, id, delivery_of).await
}

/// Deliveries sent in `[from, to)`, for reports.
pub async fn deliveries_sent_between<C: ConnectionTrait>(
    conn: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    units: Option<&[UnitId]>,
) -> Result<Vec<DeliveryRow>, StoreError> {
    let mut q = delivery::Entity::find()
        .filter(delivery::Column::SentAt.gte(from))
        .filter(delivery::Column::SentAt.lt(to));
    if let Some(units) = units {
        q = q.filter(
            delivery::Column::RecommendationId.in_subquery(
                Query::select()
                    .column(rec::Column::Id)
                    .from(rec::Entity)
                    .and_where(Expr::col(rec::Column::UnitId).is_in(units.iter().map(|u| u.0)))
                    .to_owned(),
            ),
        );
    }
    q.order_by_asc(delivery::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(delivery_of)
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitmentRow {
    pub id: Uuid,
    pub delivery_id: Uuid,
    pub body: String,
    pub due_on: NaiveDate,
    #[serde(serialize_with = "by_name")]
    pub status: CommitmentStatus,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateRow {
    pub id: Uuid,
    pub delivery_id: Uuid,
    pub commitment_id: Uuid,
    #[serde(serialize_with = "by_name")]
    pub status: CommitmentStatus,
    pub note: String,
    pub child_note: Option<String>,
    pub actor: String,
    pub created_at: DateTime<Utc>,
}

pub async fn commitments_of<C: ConnectionTrait>(
    conn: &C,
    deliveries: &[Uuid],
) -> Result<Vec<CommitmentRow>, StoreError> {
    use commitment::Column;
    rows_in::<commitment::Entity, _>(
        conn,
        Column::DeliveryId,
        deliveries,
        &[Column::DeliveryId, Column::Position],
    )
    .await?
    .into_iter()
    .map(|c| {
        Ok(CommitmentRow {
            id: c.id,
            delivery_id: c.delivery_id,
            body: c.body,
            due_on: c.due_on,
            status: read(&c.status)?,
            updated_at: c.updated_at,
        })
    })
    .collect()
}

pub async fn updates_of<C: ConnectionTrait>(conn: &C, deliveries: &[Uuid]) -> Result<Vec<UpdateRow>, StoreError> {
    use delivery_update::Column;
    rows_in::<delivery_update::Entity, _>(conn, Column::DeliveryId, deliveries, &[Column::Id])
        .await?
        .into_iter()
        .map(|u| {
            Ok(UpdateRow {
                id: u.id,
                delivery_id: u.delivery_id,
                commitment_id: u.commitment_id,
                status: read(&u.status)?,
                note: u.note,
                child_note: u.child_note,
                actor: u.actor_label,
                created_at: u.created_at,
            })
        })
        .collect()
}

/// A delivery as changed by the agency: the change to store, decided
/// under the lock from the delivery and its commitments.
#[derive(Debug, Clone)]
pub enum AgencyStep {
    /// Nothing changes (acknowledging again).
    Nothing,
    Acknowledge,
    Reply {
        status: DeliveryStatus,
        stance: Stance,
        body: String,
        child_summary: Option<String>,
        reason: Option<String>,
        answered_on: NaiveDate,
        commitments: Vec<(String, NaiveDate)>,
    },
    Progress {
        status: DeliveryStatus,
        commitment_id: Uuid,
        commitment_status: CommitmentStatus,
        note: String,
        child_note: Option<String>,
    },
}

/// Applies an agency's step to a delivery of `agency_id` under a lock. A
/// delivery of another agency is not found. The change is audited and a
/// `recommendation.updated` event is queued for the other agencies'
/// webhooks.
pub async fn agency_step<E>(
    db: &Db,
    actor: &Actor,
    agency_id: Uuid,
    id: Uuid,
    decide: impl FnOnce(&DeliveryRow, &[CommitmentRow]) -> Result<AgencyStep, E>,
) -> Result<Result<DeliveryRow, E>, StoreError> {
    let tx = begin(db).await?;
    let current = delivery::Entity::find_by_id(id)
        .filter(delivery::Column::AgencyId.eq(agency_id))
        .lock_exclusive()
        .one(&tx)
        .await?
        .map(delivery_of)
        .transpose()?
        .ok_or(StoreError::NotFound)?;
    let commitments = commitments_of(&tx, &[id]).await?;
    let step = match decide(&current, &commitments) {
        Ok(s) => s,
        Err(e) => {
            tx.rollback().await?;
            return Ok(Err(e));
        }
    };
    let now = actor.at;
    let mut m = delivery::ActiveModel {
        id: Set(id),
        updated_at: Set(now),
        ..Default::default()
    };
    let action = match step {
        AgencyStep::Nothing => {
            tx.rollback().await?;
            return Ok(Ok(current));
        }
        AgencyStep::Acknowledge => {
            m.status = Set(DeliveryStatus::Acknowledged.as_str().into());
            m.acknowledged_at = Set(Some(now));
            "delivery.acknowledge"
        }
        AgencyStep::Reply {
            status,
            stance,
            body,
            child_summary,
            reason,
            answered_on,
            commitments: promised,
        } => {
            m.status = Set(status.as_str().into());
            if current.acknowledged_at.is_none() {
                m.acknowledged_at = Set(Some(now));
            }
            m.answered_at = Set(Some(now));
            m.answered_on = Set(Some(answered_on));
            m.stance = Set(Some(stance.as_str().into()));
            m.reply_body = Set(Some(body));
            m.reply_child_summary = Set(child_summary);
            m.reason = Set(reason);
            if !promised.is_empty() {
                commitment::Entity::insert_many(promised.into_iter().enumerate().map(|(i, (body, due_on))| {
                    commitment::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        delivery_id: Set(id),
                        position: Set(i as i32),
                        body: Set(body),
                        due_on: Set(due_on),
                        status: Set(CommitmentStatus::Open.as_str().into()),
                        updated_at: Set(now),
                    }
                }))
                .exec_without_returning(&tx)
                .await?;
            }
            "delivery.reply"
        }
        AgencyStep::Progress {
            status,
            commitment_id,
            commitment_status,
            note,
            child_note,
        } => {
            m.status = Set(status.as_str().into());
            commitment::Entity::update(commitment::ActiveModel {
                id: Set(commitment_id),
                status: Set(commitment_status.as_str().into()),
                updated_at: Set(now),
                ..Default::default()
            })
            .exec(&tx)
            .await?;
            delivery_update::Entity::insert(delivery_update::ActiveModel {
                id: Set(Uuid::now_v7()),
                delivery_id: Set(id),
                commitment_id: Set(commitment_id),
                status: Set(commitment_status.as_str().into()),
                note: Set(note),
                child_note: Set(child_note),
                actor_label: Set(actor.label.clone()),
                created_at: Set(now),
            })
            .exec_without_returning(&tx)
            .await?;
            "delivery.update"
        }
    };
    let row = delivery_of(delivery::Entity::update(m).exec(&tx).await?)?;
    audit::record(
        &tx,
        actor,
        Change {
            action,
            entity: "delivery",
            entity_id: Some(id.to_string()),
            before: delivery_audit(&current),
            after: delivery_audit(&row),
        },
    )
    .await?;
    let others = delivery::Entity::find()
        .filter(delivery::Column::RecommendationId.eq(row.recommendation_id))
        .filter(delivery::Column::Id.ne(id))
        .all(&tx)
        .await?;
    for o in others {
        outbox::enqueue(
            &tx,
            o.agency_id,
            "recommendation.updated",
            &serde_json::json!({
                "recommendation_id": row.recommendation_id,
                "delivery_id": o.id,
                "change": action,
                "by_agency_id": agency_id,
                "status": row.status.as_str(),
            }),
            actor.at,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(row))
}

/// Deliveries still awaiting an answer, for the chaser.
pub async fn awaiting<C: ConnectionTrait>(conn: &C) -> Result<Vec<DeliveryRow>, StoreError> {
    delivery::Entity::find()
        .filter(delivery::Column::Status.is_in(awaiting_states()))
        .order_by_asc(delivery::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(delivery_of)
        .collect()
}

/// A reminder the chaser decided to send.
#[derive(Debug, Clone, Copy)]
pub struct ReminderStep {
    pub step: u32,
    /// `before_due`, `on_due` or `overdue`.
    pub kind: &'static str,
    pub on: NaiveDate,
    /// Decided when recording: the third reminder past due actually sent
    /// escalates.
    pub escalates: bool,
    pub days_overdue: i64,
}

/// Records a reminder once: the `(delivery, step)` key makes a second
/// chaser (another replica, or a rerun) a no-op. Queues the webhook event
/// (`delivery.reminder` before or on the due date, `delivery.overdue`
/// after) and, for the third reminder past due, marks the delivery
/// escalated, all audited in one transaction. `Some(escalated)` when
/// recorded; `None` when already recorded, the step is behind the last one
/// sent, or the delivery was answered meanwhile.
pub async fn record_reminder(
    db: &Db,
    id: Uuid,
    r: ReminderStep,
    now: DateTime<Utc>,
) -> Result<Option<bool>, StoreError> {
    let tx = begin(db).await?;
    let Some(current) = delivery::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&tx)
        .await?
        .map(delivery_of)
        .transpose()?
    else {
        tx.rollback().await?;
        return Ok(None);
    };
    // A step already passed (a replica working from a stale read, or on
    // the other side of midnight) is not sent late.
    if !current.status.awaits_answer() || current.last_reminder_step.is_some_and(|l| l >= r.step as i32) {
        tx.rollback().await?;
        return Ok(None);
    }
    // The admins are alerted after the third reminder past due actually
    // sent, however the steps fell.
    let past_due_sent = delivery_reminder::Entity::find()
        .filter(delivery_reminder::Column::DeliveryId.eq(id))
        .filter(delivery_reminder::Column::Kind.eq("overdue"))
        .count(&tx)
        .await?;
    let r = ReminderStep {
        escalates: r.kind == "overdue" && escalates(past_due_sent + 1) && current.escalated_at.is_none(),
        ..r
    };
    let inserted = delivery_reminder::Entity::insert(delivery_reminder::ActiveModel {
        delivery_id: Set(id),
        step: Set(r.step as i32),
        kind: Set(r.kind.into()),
        reminded_on: Set(r.on),
        escalated: Set(r.escalates),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([delivery_reminder::Column::DeliveryId, delivery_reminder::Column::Step])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&tx)
    .await?;
    if inserted == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    let mut m = delivery::ActiveModel {
        id: Set(id),
        last_reminder_step: Set(Some(r.step as i32)),
        ..Default::default()
    };
    if r.escalates && current.escalated_at.is_none() {
        m.escalated_at = Set(Some(now));
    }
    let row = delivery_of(delivery::Entity::update(m).exec(&tx).await?)?;
    let system = Actor::system(now);
    let detail = serde_json::json!({
        "step": r.step, "kind": r.kind, "on": r.on, "days_overdue": r.days_overdue,
    });
    Change::of("delivery.reminder", "delivery", id)
        .after(detail.clone())
        .record(&tx, &system)
        .await?;
    if row.escalated_at.is_some() && current.escalated_at.is_none() {
        Change::of("delivery.escalate", "delivery", id)
            .after(detail.clone())
            .record(&tx, &system)
            .await?;
    }
    let event = if r.kind == "overdue" {
        "delivery.overdue"
    } else {
        "delivery.reminder"
    };
    outbox::enqueue(&tx, row.agency_id, event, &event_data(&row, Some(detail)), now).await?;
    tx.commit().await?;
    Ok(Some(r.escalates))
}

/// How many reminders each delivery has had.
pub async fn reminder_counts<C: ConnectionTrait>(conn: &C, ids: &[Uuid]) -> Result<Vec<(Uuid, i64)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(delivery_reminder::Entity::find()
        .select_only()
        .column(delivery_reminder::Column::DeliveryId)
        .column_as(delivery_reminder::Column::Step.count(), "n")
        .filter(delivery_reminder::Column::DeliveryId.is_in(ids.iter().copied()))
        .group_by(delivery_reminder::Column::DeliveryId)
        .into_tuple()
        .all(conn)
        .await?)
}
