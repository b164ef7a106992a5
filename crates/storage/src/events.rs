//! Offline events, who attended a training (by unit and role), and the
//! issues raised at them. Kinds, audiences, attendance and breakdowns are
//! checked by the api crate with the domain's rules; this module stores
//! what it is given.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use langnghe_domain::UnitId;
use langnghe_domain::moderation::IssueStatus;
use langnghe_domain::plan::{Attendance, EventKind, TrainingAudience};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QueryTrait,
};
use uuid::Uuid;

use crate::audit::{Change, snapshot};
use crate::entities::{event, event_children, issue, training_attendance};
use crate::moderation::new_issue_row;
use crate::query::{Found, page, rows_in};
use crate::{Actor, Db, StoreError, begin};

/// An event as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: Uuid,
    pub kind: EventKind,
    pub audience: Option<TrainingAudience>,
    pub unit_id: UnitId,
    pub held_on: NaiveDate,
    pub title: String,
    pub children_attending: i32,
    /// JSON object: age band → children.
    pub children_by_age_band: Option<String>,
    /// JSON object: school level → children.
    pub children_by_school_level: Option<String>,
    pub adults_attending: i32,
    pub notes: Option<String>,
    /// Who attended a training, by unit and role (empty: not recorded).
    pub attendance: Vec<Attendance>,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
}

fn to_event(m: event::Model, attendance: Vec<Attendance>) -> Result<Event, StoreError> {
    Ok(Event {
        id: m.id,
        kind: crate::names::read(&m.kind)?,
        audience: crate::names::read_opt(m.audience.as_deref())?,
        unit_id: UnitId(m.unit_id),
        held_on: m.held_on,
        title: m.title,
        children_attending: m.children_attending,
        children_by_age_band: m.children_by_age_band,
        children_by_school_level: m.children_by_school_level,
        adults_attending: m.adults_attending,
        notes: m.notes,
        attendance,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn fields(am: &mut event::ActiveModel, e: &Event, now: DateTime<Utc>) {
    am.kind = Set(e.kind.as_str().to_owned());
    am.audience = Set(e.audience.map(|a| a.as_str().to_owned()));
    am.unit_id = Set(e.unit_id.0);
    am.held_on = Set(e.held_on);
    am.title = Set(e.title.clone());
    am.children_attending = Set(e.children_attending);
    am.children_by_age_band = Set(e.children_by_age_band.clone());
    am.children_by_school_level = Set(e.children_by_school_level.clone());
    am.adults_attending = Set(e.adults_attending);
    am.notes = Set(e.notes.clone());
    am.updated_at = Set(now);
}

/// An issue raised at an event, already screened and redacted.
#[derive(Debug, Clone)]
pub struct EventIssue {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    pub topic_id: Option<Uuid>,
    pub redactions: Vec<String>,
    /// `New`, `Withheld` when screening routed it to safeguarding, or
    /// `InReview` until a safeguarding officer has read it.
    pub status: IssueStatus,
    pub cases: Vec<crate::participation::NewCase>,
}

/// The attendance lines of these events, in one query, in a fixed order.
pub async fn attendance_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Attendance>>, StoreError> {
    use training_attendance::Column;
    let order = [Column::EventId, Column::UnitId, Column::Role];
    let rows = rows_in::<training_attendance::Entity, _>(conn, Column::EventId, ids, &order).await?;
    let mut out: HashMap<Uuid, Vec<Attendance>> = HashMap::new();
    for r in rows {
        let role = TrainingAudience::parse(&r.role)
            .ok_or_else(|| DbErr::Custom(format!("unreadable attendance role {:?}", r.role)))?;
        out.entry(r.event_id).or_default().push(Attendance {
            unit: UnitId(r.unit_id),
            role,
            people: u32::try_from(r.people).unwrap_or(0),
        });
    }
    Ok(out)
}

/// Replaces the attendance lines of event `id` with `lines`.
async fn write_attendance<C: ConnectionTrait>(conn: &C, id: Uuid, lines: &[Attendance]) -> Result<(), DbErr> {
    training_attendance::Entity::delete_many()
        .filter(training_attendance::Column::EventId.eq(id))
        .exec(conn)
        .await?;
    if lines.is_empty() {
        return Ok(());
    }
    training_attendance::Entity::insert_many(lines.iter().map(|a| training_attendance::ActiveModel {
        event_id: Set(id),
        unit_id: Set(a.unit.0),
        role: Set(a.role.as_str().to_owned()),
        people: Set(i32::try_from(a.people).unwrap_or(i32::MAX)),
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

fn show_attendance(lines: &[Attendance]) -> serde_json::Value {
    serde_json::json!(
        lines
            .iter()
            .map(|a| serde_json::json!({"unit_id": a.unit.0, "role": a.role.as_str(), "people": a.people}))
            .collect::<Vec<_>>()
    )
}

/// Records an event, who attended it and the issues raised at it, in one
/// transaction.
///
/// The issues are dated `raised_at` (the start of the local day the event
/// was held), so that they count in the period it was held in, whenever it
/// was entered.
pub async fn create(
    db: &Db,
    actor: &Actor,
    e: &Event,
    issues: &[EventIssue],
    raised_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let mut am = event::ActiveModel {
        id: Set(e.id),
        created_by: Set(actor.id),
        created_at: Set(actor.at),
        ..Default::default()
    };
    fields(&mut am, e, actor.at);
    let row = am.insert(&tx).await?;
    write_attendance(&tx, e.id, &e.attendance).await?;
    for i in issues {
        insert_issue(&tx, e, i, raised_at, actor.at).await?;
    }
    Change::of("event.create", "event", e.id)
        .after(snapshot(
            &serde_json::json!({"event": row, "attendance": show_attendance(&e.attendance),
                    "issues": issues.iter().map(|i| i.id).collect::<Vec<_>>()}),
        ))
        .commit(tx, actor)
        .await?;
    Ok(())
}

async fn insert_issue<C: ConnectionTrait>(
    conn: &C,
    e: &Event,
    i: &EventIssue,
    raised_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    issue::Entity::insert(issue::ActiveModel {
        redactions: Set((!i.redactions.is_empty()).then(|| i.redactions.join(","))),
        updated_at: Set(now),
        event_id: Set(Some(e.id)),
        ..new_issue_row(
            (i.id, "event", i.status),
            (e.unit_id.0, i.topic_id),
            (&i.title, &i.body),
            raised_at,
        )
    })
    .exec_without_returning(conn)
    .await?;
    crate::participation::insert_cases(conn, &i.cases, e.unit_id, None, None, Some(i.id), now).await
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Event, StoreError> {
    let row = event::Entity::find_by_id(id).found(conn).await?;
    let attendance = attendance_of(conn, &[id]).await?.remove(&id).unwrap_or_default();
    to_event(row, attendance)
}

/// The ids, statuses and titles of the issues raised at an event.
pub async fn issues_of<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Vec<(Uuid, IssueStatus, String)>, StoreError> {
    Ok(issues_of_events(conn, &[id]).await?.remove(&id).unwrap_or_default())
}

/// The issues raised at each of these events, in one query.
pub async fn issues_of_events<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<(Uuid, IssueStatus, String)>>, StoreError> {
    let mut out: std::collections::HashMap<Uuid, Vec<(Uuid, IssueStatus, String)>> = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = issue::Entity::find()
        .filter(issue::Column::EventId.is_in(ids.iter().copied()))
        .order_by_asc(issue::Column::Id)
        .all(conn)
        .await?;
    for i in rows {
        if let Some(event) = i.event_id {
            let status = crate::names::read(&i.status)?;
            out.entry(event).or_default().push((i.id, status, i.title));
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kind: Option<String>,
    pub units: Option<Vec<UnitId>>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Events with ids after `after`, oldest recorded first.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &EventFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Event>, StoreError> {
    let q = page(event::Entity::find(), event::Column::Id, after, limit)
        .apply_if(filter.kind.as_ref(), |q, kind| {
            q.filter(event::Column::Kind.eq(kind.as_str()))
        })
        .apply_if(filter.units.as_ref(), |q, units| {
            q.filter(event::Column::UnitId.is_in(units.iter().map(|u| u.0)))
        })
        .apply_if(filter.from, |q, from| q.filter(event::Column::HeldOn.gte(from)))
        .apply_if(filter.to, |q, to| q.filter(event::Column::HeldOn.lte(to)));
    let rows = q.all(conn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut attendance = attendance_of(conn, &ids).await?;
    rows.into_iter()
        .map(|r| {
            let lines = attendance.remove(&r.id).unwrap_or_default();
            to_event(r, lines)
        })
        .collect()
}

/// Replaces an event's fields and attendance with `e`'s (same id); the
/// issues raised there are dated `raised_at` (the start of the local day it
/// was held) when the day changed.
pub async fn update(db: &Db, actor: &Actor, e: &Event, raised_at: DateTime<Utc>) -> Result<Event, StoreError> {
    let tx = begin(db).await?;
    let before = event::Entity::find_by_id(e.id).found(&tx).await?;
    let attended_before = attendance_of(&tx, &[e.id]).await?.remove(&e.id).unwrap_or_default();
    let mut am: event::ActiveModel = before.clone().into();
    fields(&mut am, e, actor.at);
    let after = am.update(&tx).await?;
    write_attendance(&tx, e.id, &e.attendance).await?;
    if before.held_on != e.held_on {
        issue::Entity::update_many()
            .col_expr(issue::Column::CreatedAt, sea_orm::sea_query::Expr::value(raised_at))
            .filter(issue::Column::EventId.eq(e.id))
            .exec(&tx)
            .await?;
    }
    Change::of("event.update", "event", e.id)
        .before(snapshot(
            &serde_json::json!({"event": before, "attendance": show_attendance(&attended_before)}),
        ))
        .after(snapshot(
            &serde_json::json!({"event": after, "attendance": show_attendance(&e.attendance)}),
        ))
        .commit(tx, actor)
        .await?;
    to_event(after, e.attendance.clone())
}

/// Children of one unit at an event held above it, as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildrenLine {
    pub id: Uuid,
    pub event_id: Uuid,
    pub unit_id: UnitId,
    pub children: i32,
    /// JSON object: school level → children.
    pub children_by_school_level: Option<String>,
    pub updated_at: DateTime<Utc>,
}

fn to_line(m: event_children::Model) -> ChildrenLine {
    ChildrenLine {
        id: m.id,
        event_id: m.event_id,
        unit_id: UnitId(m.unit_id),
        children: m.children,
        children_by_school_level: m.children_by_school_level,
        updated_at: m.updated_at,
    }
}

/// The children entered by units for these events, in one query, by event
/// in a fixed order.
pub async fn children_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<ChildrenLine>>, StoreError> {
    use event_children::Column;
    let rows = rows_in::<event_children::Entity, _>(conn, Column::EventId, ids, &[Column::EventId, Column::Id]).await?;
    let mut out: HashMap<Uuid, Vec<ChildrenLine>> = HashMap::new();
    for r in rows {
        out.entry(r.event_id).or_default().push(to_line(r));
    }
    Ok(out)
}

/// Records (or replaces) the children of `line.unit_id` at event
/// `line.event_id`, audited, in one transaction; the line keeps its first
/// id. Answers the line as stored.
pub async fn put_children(db: &Db, actor: &Actor, line: &ChildrenLine) -> Result<ChildrenLine, StoreError> {
    let tx = begin(db).await?;
    let before = event_children::Entity::find()
        .filter(event_children::Column::EventId.eq(line.event_id))
        .filter(event_children::Column::UnitId.eq(line.unit_id.0))
        .one(&tx)
        .await?;
    let after = match &before {
        Some(b) => {
            let mut am: event_children::ActiveModel = b.clone().into();
            am.children = Set(line.children);
            am.children_by_school_level = Set(line.children_by_school_level.clone());
            am.updated_by = Set(actor.id);
            am.updated_at = Set(actor.at);
            am.update(&tx).await?
        }
        None => {
            event_children::ActiveModel {
                id: Set(line.id),
                event_id: Set(line.event_id),
                unit_id: Set(line.unit_id.0),
                children: Set(line.children),
                children_by_school_level: Set(line.children_by_school_level.clone()),
                updated_by: Set(actor.id),
                updated_at: Set(actor.at),
            }
            .insert(&tx)
            .await?
        }
    };
    Change::of("event.children", "event", line.event_id)
        .before(before.as_ref().and_then(snapshot))
        .after(snapshot(&after))
        .commit(tx, actor)
        .await?;
    Ok(to_line(after))
}
