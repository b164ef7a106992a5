//! Counts for the topic summary and the reports, grouped in the database:
//! one `GROUP BY` query per kind of record, never a query per topic, unit or
//! month. Which units count, and how rows roll up to the units of a report,
//! is the caller's (the org chart's) business; these queries only count
//! the records of the units they are given (`None`: every unit).

use chrono::{DateTime, NaiveDate, Utc};
use langnghe_domain::plan::EventKind;
use langnghe_domain::{TopicId, UnitId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use uuid::Uuid;

use crate::StoreError;
use crate::entities::{event, issue, response, survey};

/// A window of local days, `first..=last`, in a zone `offset_hours` east of
/// UTC: timestamps are compared as the instants the days begin and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub offset_hours: i64,
}

impl Window {
    /// The instant a local day begins.
    fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        day.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc() - chrono::Duration::hours(self.offset_hours))
            .unwrap_or_default()
    }

    pub(crate) fn start(&self) -> DateTime<Utc> {
        self.start_of(self.first)
    }

    /// The instant after the last day (exclusive).
    pub(crate) fn end(&self) -> DateTime<Utc> {
        self.start_of(self.last.succ_opt().unwrap_or(self.last))
    }

    /// SQL for the local month (`YYYY-MM`) of a timestamp column.
    fn month_of(&self, backend: DbBackend, table: &str, column: &str) -> Expr {
        self.local(backend, (table, column), ("YYYY-MM", "%Y-%m"))
    }

    /// SQL for the local day (`YYYY-MM-DD`) of a timestamp column.
    pub(crate) fn day_of(&self, backend: DbBackend, table: &str, column: &str) -> Expr {
        self.local(backend, (table, column), ("YYYY-MM-DD", "%Y-%m-%d"))
    }

    /// SQL for a timestamp column in local time, in the format of each
    /// backend (PostgreSQL's, SQLite's). The offset is a number of the
    /// code's, never input, so it is written into the text.
    fn local(&self, backend: DbBackend, (table, column): (&str, &str), (pg, sqlite): (&str, &str)) -> Expr {
        let h = self.offset_hours;
        Expr::cust(match backend {
            DbBackend::Postgres => {
                format!("to_char((\"{table}\".\"{column}\" AT TIME ZONE 'UTC') + interval '{h} hours', '{pg}')")
            }
            _ => format!("strftime('{sqlite}', \"{table}\".\"{column}\", '{h:+} hours')"),
        })
    }

    /// Responses that count (not withdrawn), submitted in the window.
    pub(crate) fn counted_responses(&self) -> Condition {
        Condition::all()
            .add(response::Column::WithdrawnAt.is_null())
            .add(response::Column::SubmittedAt.gte(self.start()))
            .add(response::Column::SubmittedAt.lt(self.end()))
    }

    /// Issues raised in the window.
    fn raised_issues(&self) -> Condition {
        Condition::all()
            .add(issue::Column::CreatedAt.gte(self.start()))
            .add(issue::Column::CreatedAt.lt(self.end()))
    }

    /// Issues children raised themselves (source `form`, not entered from
    /// events) in the window that count as consultations
    /// ([`counting_issues`]).
    pub(crate) fn child_issues(&self) -> Condition {
        Condition::all()
            .add(issue::Column::Source.eq("form"))
            .add(counting_issues())
            .add(self.raised_issues())
    }
}

/// Rows whose `column` is one of `units`; every row without units.
pub(crate) fn under(column: impl ColumnTrait, units: Option<&[UnitId]>) -> Condition {
    Condition::all().add_option(units.map(|u| column.is_in(u.iter().map(|u| u.0))))
}

pub(crate) fn counting_issues() -> sea_orm::Condition {
    let mut all = sea_orm::Condition::all();
    for (status, reason) in langnghe_domain::plan::UNCOUNTED_ISSUES {
        all = all.add(match reason {
            None => sea_orm::Condition::all().add(issue::Column::Status.ne(status)),
            Some(r) => sea_orm::Condition::any()
                .add(issue::Column::Status.ne(status))
                .add(issue::Column::RejectionReason.is_null())
                .add(issue::Column::RejectionReason.ne(r)),
        });
    }
    all
}

fn ids(units: &[UnitId]) -> impl Iterator<Item = Uuid> + '_ {
    units.iter().map(|u| u.0)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Issues with a topic raised in the window, one each: (id, topic, status,
/// local month). Ids, not counts: the caller keys each issue for the cell
/// key method.
pub async fn issues_by_topic<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[UnitId]>,
    w: &Window,
) -> Result<Vec<(Uuid, TopicId, String, String)>, StoreError> {
    let month = w.month_of(conn.get_database_backend(), "issues", "created_at");
    let rows: Vec<(Uuid, Option<Uuid>, String, String)> = issue::Entity::find()
        .select_only()
        .column(issue::Column::Id)
        .column(issue::Column::TopicId)
        .column(issue::Column::Status)
        .column_as(month, "month")
        .filter(issue::Column::TopicId.is_not_null())
        // Withheld issues belong to safeguarding: counted nowhere else.
        .filter(issue::Column::Status.is_not_in(langnghe_domain::moderation::IssueStatus::HIDDEN))
        .filter(w.raised_issues())
        .filter(under(issue::Column::UnitId, units))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, t, s, m)| Some((id, TopicId(t?), s, m)))
        .collect())
}

/// The sum of the `record_key`s of a group of responses, modulo 2³² (the
/// key of their cell in the cell key method).
fn key_sum() -> Expr {
    Expr::cust("CAST(SUM(\"responses\".\"record_key\") % 4294967296 AS BIGINT)")
}

/// Responses that count (not withdrawn) submitted in the window to surveys
/// with a topic: (topic, local month, count, key of the responses counted).
pub async fn answers_by_topic<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[UnitId]>,
    w: &Window,
) -> Result<Vec<(TopicId, String, u64, u32)>, StoreError> {
    let month = w.month_of(conn.get_database_backend(), "responses", "submitted_at");
    let to_survey = response::Entity::belongs_to(survey::Entity)
        .from(response::Column::SurveyId)
        .to(survey::Column::Id)
        .into();
    let rows: Vec<(Option<Uuid>, String, i64, Option<i64>)> = response::Entity::find()
        .select_only()
        .join(JoinType::InnerJoin, to_survey)
        .column(survey::Column::TopicId)
        .column_as(month.clone(), "month")
        .column_as(Expr::col((response::Entity, response::Column::Id)).count(), "n")
        .column_as(key_sum(), "key")
        .filter(survey::Column::TopicId.is_not_null())
        .filter(w.counted_responses())
        .filter(under(response::Column::UnitId, units))
        .group_by(survey::Column::TopicId)
        .group_by(month)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(t, m, n, key)| Some((TopicId(t?), m, count(n), u32::try_from(key.unwrap_or(0)).unwrap_or(0))))
        .collect())
}

/// Events held in the window (under these units) at which an issue of the
/// topic was raised: (topic, number of distinct events).
pub async fn events_by_topic<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[UnitId]>,
    w: &Window,
) -> Result<Vec<(TopicId, u64)>, StoreError> {
    let to_event = issue::Entity::belongs_to(event::Entity)
        .from(issue::Column::EventId)
        .to(event::Column::Id)
        .into();
    let rows: Vec<(Option<Uuid>, i64)> = issue::Entity::find()
        .select_only()
        .join(JoinType::InnerJoin, to_event)
        .column(issue::Column::TopicId)
        .column_as(Expr::col((event::Entity, event::Column::Id)).count_distinct(), "n")
        .filter(issue::Column::TopicId.is_not_null())
        .filter(event::Column::HeldOn.gte(w.first))
        .filter(event::Column::HeldOn.lte(w.last))
        .filter(under(event::Column::UnitId, units))
        .group_by(issue::Column::TopicId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(t, n)| Some((TopicId(t?), count(n))))
        .collect())
}

/// Responses that count (not withdrawn) submitted in the window, per unit
/// recorded.
pub async fn responses_by_unit<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[UnitId]>,
    w: &Window,
) -> Result<Vec<(UnitId, u64, u32)>, StoreError> {
    let rows: Vec<(Uuid, i64, Option<i64>)> = response::Entity::find()
        .select_only()
        .column(response::Column::UnitId)
        .column_as(Expr::col((response::Entity, response::Column::Id)).count(), "n")
        .column_as(key_sum(), "key")
        .filter(w.counted_responses())
        .filter(under(response::Column::UnitId, units))
        .group_by(response::Column::UnitId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(u, n, key)| (UnitId(u), count(n), u32::try_from(key.unwrap_or(0)).unwrap_or(0)))
        .collect())
}

/// Issues children raised themselves (source `form`, not entered from
/// events) in the window that count as consultations ([`counting_issues`]),
/// one each: (unit, issue id).
pub async fn child_issues_by_unit<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[UnitId]>,
    w: &Window,
) -> Result<Vec<(UnitId, Uuid)>, StoreError> {
    let rows: Vec<(Uuid, Uuid)> = issue::Entity::find()
        .select_only()
        .column(issue::Column::UnitId)
        .column(issue::Column::Id)
        .filter(w.child_issues())
        .filter(under(issue::Column::UnitId, units))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|(u, id)| (UnitId(u), id)).collect())
}

/// The distinct (unit, participant) pairs of those who responded (not
/// withdrawn) or raised an issue themselves in the window (one that
/// counts: [`counting_issues`]). Distinct
/// participants per group are counted by the caller, as a child may take
/// part in several units.
pub async fn participants_by_unit<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[UnitId]>,
    w: &Window,
) -> Result<Vec<(UnitId, Uuid)>, StoreError> {
    let responded: Vec<(Uuid, Uuid)> = response::Entity::find()
        .select_only()
        .column(response::Column::UnitId)
        .column(response::Column::ParticipantId)
        .distinct()
        .filter(w.counted_responses())
        .filter(under(response::Column::UnitId, units))
        .into_tuple()
        .all(conn)
        .await?;
    let raised: Vec<(Uuid, Option<Uuid>)> = issue::Entity::find()
        .select_only()
        .column(issue::Column::UnitId)
        .column(issue::Column::ParticipantId)
        .distinct()
        .filter(issue::Column::Source.eq("form"))
        .filter(issue::Column::ParticipantId.is_not_null())
        .filter(counting_issues())
        .filter(w.raised_issues())
        .filter(under(issue::Column::UnitId, units))
        .into_tuple()
        .all(conn)
        .await?;
    let mut pairs: Vec<(UnitId, Uuid)> = responded
        .into_iter()
        .map(|(u, p)| (UnitId(u), p))
        .chain(raised.into_iter().filter_map(|(u, p)| Some((UnitId(u), p?))))
        .collect();
    pairs.sort();
    pairs.dedup();
    Ok(pairs)
}

/// One event held in the window: its id (for its key in the cell key
/// method), unit, kind, and how many children and adults attended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTally {
    pub id: Uuid,
    pub unit_id: UnitId,
    pub kind: EventKind,
    pub children: u64,
    pub adults: u64,
}

/// The events held in the window (under these units), one each.
pub async fn events_in<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[UnitId]>,
    w: &Window,
) -> Result<Vec<EventTally>, StoreError> {
    /// (id, unit, kind, children, adults)
    type Row = (Uuid, Uuid, String, i32, i32);
    let rows: Vec<Row> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .column(event::Column::UnitId)
        .column(event::Column::Kind)
        .column(event::Column::ChildrenAttending)
        .column(event::Column::AdultsAttending)
        .filter(event::Column::HeldOn.gte(w.first))
        .filter(event::Column::HeldOn.lte(w.last))
        .filter(under(event::Column::UnitId, units))
        .into_tuple()
        .all(conn)
        .await?;
    rows.into_iter()
        .map(|(id, u, kind, children, adults)| {
            Ok(EventTally {
                id,
                unit_id: UnitId(u),
                kind: crate::names::read(&kind)?,
                children: u64::try_from(children).unwrap_or(0),
                adults: u64::try_from(adults).unwrap_or(0),
            })
        })
        .collect()
}

/// Children of one unit entered at an event held in the window above it:
/// the line's id (for its key in the cell key method), the event, where it
/// was held and its kind, the unit and its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildrenTally {
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_unit: UnitId,
    pub kind: String,
    pub unit_id: UnitId,
    pub children: u64,
}

/// The children units entered at events held in the window, where either
/// the event or the line's unit is under these units.
pub async fn event_children_in<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[UnitId]>,
    w: &Window,
) -> Result<Vec<ChildrenTally>, StoreError> {
    use crate::entities::event_children;
    use sea_orm::sea_query::Condition;
    let to_event = event_children::Entity::belongs_to(event::Entity)
        .from(event_children::Column::EventId)
        .to(event::Column::Id)
        .into();
    /// (line, event, event unit, kind, unit, children)
    type Row = (Uuid, Uuid, Uuid, String, Uuid, i32);
    let rows: Vec<Row> = event_children::Entity::find()
        .select_only()
        .join(JoinType::InnerJoin, to_event)
        .column(event_children::Column::Id)
        .column(event_children::Column::EventId)
        .column_as(Expr::col((event::Entity, event::Column::UnitId)), "event_unit")
        .column(event::Column::Kind)
        .column(event_children::Column::UnitId)
        .column(event_children::Column::Children)
        .filter(event::Column::HeldOn.gte(w.first))
        .filter(event::Column::HeldOn.lte(w.last))
        .apply_if(units, |q, u| {
            q.filter(
                Condition::any()
                    .add(event::Column::UnitId.is_in(ids(u)))
                    .add(event_children::Column::UnitId.is_in(ids(u))),
            )
        })
        .order_by_asc(event_children::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, event_id, event_unit, kind, unit, children)| ChildrenTally {
            id,
            event_id,
            event_unit: UnitId(event_unit),
            kind,
            unit_id: UnitId(unit),
            children: u64::try_from(children).unwrap_or(0),
        })
        .collect())
}
