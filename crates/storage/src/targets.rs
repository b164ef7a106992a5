//! Targets (metric, scope, period, value) and the counts progress is
//! measured with. Which events, units and responses count is decided by the
//! domain's plan rules; these queries only count what they are asked to.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use langnghe_domain::UnitId;
use langnghe_domain::plan::Target;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::audit::{self, Change, snapshot};
use crate::entities::{event, issue, response, session, survey, target};
use crate::{Actor, Db, StoreError, begin};

fn to_target(m: &target::Model) -> Result<Target, DbErr> {
    Target::check(&m.metric, UnitId(m.scope_unit_id), &m.period, m.value)
        .map_err(|_| DbErr::Custom(format!("unreadable target {}", m.id)))
}

/// Every target with its id, oldest first.
pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<(Uuid, Target)>, StoreError> {
    let rows = target::Entity::find()
        .order_by_asc(target::Column::Id)
        .all(conn)
        .await?;
    Ok(rows
        .iter()
        .map(|r| to_target(r).map(|t| (r.id, t)))
        .collect::<Result<_, _>>()?)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Target, StoreError> {
    let row = target::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(to_target(&row)?)
}

pub async fn create(db: &Db, actor: &Actor, id: Uuid, t: &Target) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let now = actor.at;
    let row = target::ActiveModel {
        id: Set(id),
        metric: Set(t.metric().as_str().to_owned()),
        scope_unit_id: Set(t.scope_unit().0),
        period: Set(t.period().to_string()),
        value: Set(t.value()),
        created_by: Set(actor.id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        actor,
        Change {
            action: "target.create",
            entity: "target",
            entity_id: Some(id.to_string()),
            before: None,
            after: snapshot(&row),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn update(db: &Db, actor: &Actor, id: Uuid, t: &Target) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let before = target::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut am: target::ActiveModel = before.clone().into();
    am.metric = Set(t.metric().as_str().to_owned());
    am.scope_unit_id = Set(t.scope_unit().0);
    am.period = Set(t.period().to_string());
    am.value = Set(t.value());
    am.updated_at = Set(actor.at);
    let after = am.update(&tx).await?;
    audit::record(
        &tx,
        actor,
        Change {
            action: "target.update",
            entity: "target",
            entity_id: Some(id.to_string()),
            before: snapshot(&before),
            after: snapshot(&after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The instants a local date range covers (UTC+7 days).
fn bounds(from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc() - chrono::Duration::hours(7))
            .unwrap_or_default()
    };
    (start(from), start(to.succ_opt().unwrap_or(to)))
}

/// Responses that count (not withdrawn) recorded under these units in the
/// date range: (participant, grade, age, unit).
pub async fn responses_in<C: ConnectionTrait>(
    conn: &C,
    units: &[UnitId],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(Uuid, Option<i16>, i16, UnitId)>, StoreError> {
    let (start, end) = bounds(from, to);
    let rows: Vec<(Uuid, Option<i16>, i16, Uuid)> = response::Entity::find()
        .select_only()
        .column(response::Column::ParticipantId)
        .column(response::Column::Grade)
        .column(response::Column::Age)
        .column(response::Column::UnitId)
        .filter(response::Column::WithdrawnAt.is_null())
        .filter(response::Column::UnitId.is_in(units.iter().map(|u| u.0)))
        .filter(response::Column::SubmittedAt.gte(start))
        .filter(response::Column::SubmittedAt.lt(end))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|(p, g, a, u)| (p, g, a, UnitId(u))).collect())
}

/// Issues children raised themselves (not those entered from events).
pub async fn child_issues_in<C: ConnectionTrait>(
    conn: &C,
    units: &[UnitId],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    let (start, end) = bounds(from, to);
    Ok(issue::Entity::find()
        .filter(issue::Column::Source.eq("form"))
        .filter(issue::Column::UnitId.is_in(units.iter().map(|u| u.0)))
        .filter(issue::Column::CreatedAt.gte(start))
        .filter(issue::Column::CreatedAt.lt(end))
        .count(conn)
        .await?)
}

/// Events held under these units in the range: (kind, audience, unit, held on, children).
pub async fn events_in<C: ConnectionTrait>(
    conn: &C,
    units: &[UnitId],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, Option<String>, UnitId, NaiveDate, i32)>, StoreError> {
    let rows: Vec<(String, Option<String>, Uuid, NaiveDate, i32)> = event::Entity::find()
        .select_only()
        .column(event::Column::Kind)
        .column(event::Column::Audience)
        .column(event::Column::UnitId)
        .column(event::Column::HeldOn)
        .column(event::Column::ChildrenAttending)
        .filter(event::Column::UnitId.is_in(units.iter().map(|u| u.0)))
        .filter(event::Column::HeldOn.gte(from))
        .filter(event::Column::HeldOn.lte(to))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(k, a, u, d, c)| (k, a, UnitId(u), d, c))
        .collect())
}

/// Units that had a session open in the range.
pub async fn session_units_in<C: ConnectionTrait>(
    conn: &C,
    units: &[UnitId],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashSet<UnitId>, StoreError> {
    let (start, end) = bounds(from, to);
    let rows: Vec<Uuid> = session::Entity::find()
        .select_only()
        .column(session::Column::UnitId)
        .filter(session::Column::UnitId.is_in(units.iter().map(|u| u.0)))
        .filter(session::Column::OpensAt.lt(end))
        .filter(session::Column::ClosesAt.gt(start))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(UnitId).collect())
}

/// Policy consultations (surveys of that kind owned within these units)
/// with at least one response that counts in the range.
pub async fn policy_consultations_in<C: ConnectionTrait>(
    conn: &C,
    units: &[UnitId],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<u64, StoreError> {
    let (start, end) = bounds(from, to);
    let surveys: Vec<Uuid> = survey::Entity::find()
        .select_only()
        .column(survey::Column::Id)
        .filter(survey::Column::Kind.eq("policy_consultation"))
        .filter(survey::Column::OwnerUnitId.is_in(units.iter().map(|u| u.0)))
        .into_tuple()
        .all(conn)
        .await?;
    if surveys.is_empty() {
        return Ok(0);
    }
    let answered: Vec<Uuid> = response::Entity::find()
        .select_only()
        .column(response::Column::SurveyId)
        .distinct()
        .filter(response::Column::SurveyId.is_in(surveys))
        .filter(response::Column::WithdrawnAt.is_null())
        .filter(response::Column::SubmittedAt.gte(start))
        .filter(response::Column::SubmittedAt.lt(end))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(answered.len() as u64)
}
