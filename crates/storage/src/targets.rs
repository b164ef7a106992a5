//! Targets (metric, scope, period, value) and the records progress is
//! measured from. Which events, units and responses count is decided by
//! the domain's plan rules (`plan::measure`); these queries gather what
//! they are asked for, one query per kind of record for a whole set of
//! targets.

use chrono::{DateTime, NaiveDate, Utc};
use langnghe_domain::UnitId;
use langnghe_domain::plan::{Attendance, EventKind, Target, TermCalendar, TrainingAudience};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::audit::{Change, snapshot};
use crate::entities::{event, issue, response, session, survey, target};
use crate::query::Found;
use crate::reports::{Window, under};
use crate::{Actor, Db, StoreError, begin};

fn to_target(m: &target::Model, terms: &TermCalendar) -> Result<Target, DbErr> {
    Target::check(&m.metric, UnitId(m.scope_unit_id), &m.period, m.value, terms)
        .map_err(|_| DbErr::Custom(format!("unreadable target {}", m.id)))
}

/// Every target with its id, oldest first; a school term's dates are the
/// school calendar's now.
pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<(Uuid, Target)>, StoreError> {
    let terms = crate::school_terms::calendar(conn).await?;
    let rows = target::Entity::find()
        .order_by_asc(target::Column::Id)
        .all(conn)
        .await?;
    Ok(rows
        .iter()
        .map(|r| to_target(r, &terms).map(|t| (r.id, t)))
        .collect::<Result<_, _>>()?)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Target, StoreError> {
    let terms = crate::school_terms::calendar(conn).await?;
    let row = target::Entity::find_by_id(id).found(conn).await?;
    Ok(to_target(&row, &terms)?)
}

fn row(id: Uuid, t: &Target, actor: &Actor) -> target::ActiveModel {
    target::ActiveModel {
        id: Set(id),
        metric: Set(t.metric().as_str().to_owned()),
        scope_unit_id: Set(t.scope_unit().0),
        period: Set(t.period().to_string()),
        value: Set(t.value()),
        created_by: Set(actor.id),
        created_at: Set(actor.at),
        updated_at: Set(actor.at),
    }
}

pub async fn create(db: &Db, actor: &Actor, id: Uuid, t: &Target) -> Result<(), StoreError> {
    create_many(db, actor, &[(id, *t)]).await
}

/// Adds targets (the plan's, seeded at once), each audited, in one
/// transaction.
pub async fn create_many(db: &Db, actor: &Actor, targets: &[(Uuid, Target)]) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    for (id, t) in targets {
        let row = row(*id, t, actor).insert(&tx).await?;
        Change::of("target.create", "target", id)
            .after(snapshot(&row))
            .record(&tx, actor)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn update(db: &Db, actor: &Actor, id: Uuid, t: &Target) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let before = target::Entity::find_by_id(id).found(&tx).await?;
    let mut am: target::ActiveModel = before.clone().into();
    am.metric = Set(t.metric().as_str().to_owned());
    am.scope_unit_id = Set(t.scope_unit().0);
    am.period = Set(t.period().to_string());
    am.value = Set(t.value());
    am.updated_at = Set(actor.at);
    let after = am.update(&tx).await?;
    Change::of("target.update", "target", id)
        .between(&before, &after)
        .commit(tx, actor)
        .await?;
    Ok(())
}

/// A response that counts (not withdrawn): participant, grade, age, unit
/// and when it was submitted.
pub type ResponseRow = (Uuid, Option<i16>, i16, UnitId, DateTime<Utc>);

/// Responses that count (not withdrawn) submitted in the window under
/// these units (`None`: every unit).
pub async fn responses_between<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[UnitId]>,
    w: &Window,
) -> Result<Vec<ResponseRow>, StoreError> {
    /// (participant, grade, age, unit, submitted at)
    type Row = (Uuid, Option<i16>, i16, Uuid, DateTime<Utc>);
    let rows: Vec<Row> = response::Entity::find()
        .select_only()
        .column(response::Column::ParticipantId)
        .column(response::Column::Grade)
        .column(response::Column::Age)
        .column(response::Column::UnitId)
        .column(response::Column::SubmittedAt)
        .filter(w.counted_responses())
        .filter(under(response::Column::UnitId, units))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(p, g, a, u, at)| (p, g, a, UnitId(u), at))
        .collect())
}

/// Issues children raised themselves (not those entered from events) in
/// the window that count as consultations (not withdrawn, not rejected as
/// spam): unit, participant, when raised.
pub async fn child_issues_between<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[UnitId]>,
    w: &Window,
) -> Result<Vec<(UnitId, Option<Uuid>, DateTime<Utc>)>, StoreError> {
    let rows: Vec<(Uuid, Option<Uuid>, DateTime<Utc>)> = issue::Entity::find()
        .select_only()
        .column(issue::Column::UnitId)
        .column(issue::Column::ParticipantId)
        .column(issue::Column::CreatedAt)
        .filter(w.child_issues())
        .filter(under(issue::Column::UnitId, units))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|(u, p, at)| (UnitId(u), p, at)).collect())
}

/// An event as progress reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub id: Uuid,
    pub kind: EventKind,
    pub audience: Option<TrainingAudience>,
    pub unit_id: UnitId,
    pub held_on: NaiveDate,
    pub children_attending: i32,
    /// JSON object: school level → children.
    pub children_by_school_level: Option<String>,
    pub attendance: Vec<Attendance>,
    /// Children of units below where it was held, as those units entered
    /// them: (unit, children, by school level as JSON).
    pub children_from: Vec<(UnitId, i32, Option<String>)>,
}

/// Every event held in the window's days, wherever it was held (a training
/// held elsewhere counts for the units whose people attended it), with who
/// attended trainings.
pub async fn events_between<C: ConnectionTrait>(conn: &C, w: &Window) -> Result<Vec<EventRow>, StoreError> {
    /// (id, kind, audience, unit, held on, children, by school level)
    type Row = (Uuid, String, Option<String>, Uuid, NaiveDate, i32, Option<String>);
    let rows: Vec<Row> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .column(event::Column::Kind)
        .column(event::Column::Audience)
        .column(event::Column::UnitId)
        .column(event::Column::HeldOn)
        .column(event::Column::ChildrenAttending)
        .column(event::Column::ChildrenBySchoolLevel)
        .filter(event::Column::HeldOn.gte(w.first))
        .filter(event::Column::HeldOn.lte(w.last))
        .order_by_asc(event::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
    let mut attendance = crate::events::attendance_of(conn, &ids).await?;
    let mut from = crate::events::children_of(conn, &ids).await?;
    rows.into_iter()
        .map(|(id, kind, audience, unit, held_on, children, by_level)| {
            Ok(EventRow {
                children_from: from
                    .remove(&id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|l| (l.unit_id, l.children, l.children_by_school_level))
                    .collect(),
                id,
                kind: crate::names::read(&kind)?,
                audience: crate::names::read_opt(audience.as_deref())?,
                unit_id: UnitId(unit),
                held_on,
                children_attending: children,
                children_by_school_level: by_level,
                attendance: attendance.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}

/// Sessions under these units open at some time in the window: unit,
/// opening and closing instants.
pub async fn sessions_between<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[UnitId]>,
    w: &Window,
) -> Result<Vec<(UnitId, DateTime<Utc>, DateTime<Utc>)>, StoreError> {
    let rows: Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)> = session::Entity::find()
        .select_only()
        .column(session::Column::UnitId)
        .column(session::Column::OpensAt)
        .column(session::Column::ClosesAt)
        .filter(session::Column::OpensAt.lt(w.end()))
        .filter(session::Column::ClosesAt.gt(w.start()))
        .filter(under(session::Column::UnitId, units))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|(u, a, b)| (UnitId(u), a, b)).collect())
}

/// The local days on which each policy-consultation survey owned by these
/// units got a response that counts: (survey, owner unit, day), distinct.
pub async fn policy_answers_between<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[UnitId]>,
    w: &Window,
) -> Result<Vec<(Uuid, UnitId, NaiveDate)>, StoreError> {
    let day = w.day_of(conn.get_database_backend(), "responses", "submitted_at");
    let to_survey = response::Entity::belongs_to(survey::Entity)
        .from(response::Column::SurveyId)
        .to(survey::Column::Id)
        .into();
    let rows: Vec<(Uuid, Uuid, String)> = response::Entity::find()
        .select_only()
        .join(JoinType::InnerJoin, to_survey)
        .column_as(Expr::col((survey::Entity, survey::Column::Id)), "survey")
        .column(survey::Column::OwnerUnitId)
        .column_as(day.clone(), "day")
        .distinct()
        .filter(survey::Column::Kind.eq("policy_consultation"))
        .filter(w.counted_responses())
        .filter(under(survey::Column::OwnerUnitId, units))
        .into_tuple()
        .all(conn)
        .await?;
    rows.into_iter()
        .map(|(survey, unit, day)| {
            let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .map_err(|_| DbErr::Custom(format!("unreadable local day {day:?}")))?;
            Ok((survey, UnitId(unit), day))
        })
        .collect()
}
