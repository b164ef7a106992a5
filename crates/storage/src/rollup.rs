//! Result rollups: per survey version, unit, age band, gender and month —
//! and again per day — the tally of what the responses in that cell said
//! (stored as text the API encodes), so that results read a few thousand
//! cells instead of every response: month cells for the whole months of a
//! window, day cells for the days at its edges.
//!
//! A response is folded into its cells after it is stored and taken out
//! after it is withdrawn. Triggers on `responses` queue `(response_id, +1)`
//! when a response is stored and `(response_id, −1)` when it is withdrawn,
//! in the same statement, so the queue can neither miss nor repeat a
//! change; the folder applies a batch of entries to the cells and deletes
//! exactly those entries in one transaction. Tallies add up in any order,
//! so entries need no order. One folder runs at a time: on SQLite the
//! write lock serialises them, on PostgreSQL a transaction-scoped advisory
//! lock (other replicas skip their turn).
//!
//! Readers combine the cells with the queued entries in one snapshot (a
//! repeatable-read transaction), so results are exact and never stale,
//! whatever the folder's lag.

use chrono::{DateTime, Utc};
use langnghe_domain::UnitId;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, OnConflict, Order, Query, SelectStatement};
use sea_orm::{
    AccessMode, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, IsolationLevel,
    QueryFilter, QuerySelect, Statement, TransactionTrait,
};
use uuid::Uuid;

use std::collections::HashMap;

use crate::entities::{fold_queue, response, result_cell};
use crate::{Db, StoreError, Tx, begin};

/// The advisory lock that lets one folder at a time run on PostgreSQL.
const FOLD_LOCK: i64 = 0x6c6e_726f_6c6c; // "lnroll"

/// How much time a cell covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grain {
    Month,
    Day,
}

impl Grain {
    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Month => "month",
            Grain::Day => "day",
        }
    }

    fn parse(s: &str) -> Grain {
        if s == "day" { Grain::Day } else { Grain::Month }
    }
}

/// The key of a rollup cell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    pub survey_id: Uuid,
    pub version: i32,
    pub grain: Grain,
    /// `YYYY-MM` or `YYYY-MM-DD` by grain, local time.
    pub period: String,
    pub unit_id: Uuid,
    pub age_band: String,
    /// `not_given` when the child did not say.
    pub gender: String,
}

/// A rollup cell: how many responses it counts and their encoded tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub key: CellKey,
    pub responses: i64,
    pub tally: String,
}

/// A queued change: a response to add (`live`) to its cells or to take out.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: Uuid,
    pub survey_id: Uuid,
    pub version: i32,
    pub unit_id: Uuid,
    pub age_band: String,
    pub gender: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub answers: String,
    /// `true` for an entry +1 (add), `false` for −1 (take out).
    pub live: bool,
}

/// A queue entry: the response and its sign.
pub type Entry = (Uuid, i16);

/// The response columns of a queued change.
const CHANGE_COLUMNS: [&str; 7] = [
    "survey_id",
    "version",
    "unit_id",
    "age_band",
    "gender",
    "submitted_at",
    "answers",
];

/// A queue entry joined to its response; no change when the response no
/// longer exists (the entry stands for nothing).
fn change_of(row: &sea_orm::QueryResult) -> Result<(Entry, Option<Pending>), StoreError> {
    let entry: Entry = (row.try_get::<Uuid>("", "response_id")?, row.try_get::<i16>("", "sign")?);
    let Some(survey_id) = row.try_get::<Option<Uuid>>("", "survey_id")? else {
        return Ok((entry, None));
    };
    Ok((
        entry,
        Some(Pending {
            id: entry.0,
            survey_id,
            version: row.try_get("", "version")?,
            unit_id: row.try_get("", "unit_id")?,
            age_band: row.try_get("", "age_band")?,
            gender: row.try_get("", "gender")?,
            submitted_at: row.try_get("", "submitted_at")?,
            answers: row.try_get("", "answers")?,
            live: entry.1 > 0,
        }),
    ))
}

/// `SELECT` of queue entries (`q`) joined to their responses (`r`); a left
/// join, since an entry may outlive its response.
fn changes_query() -> SelectStatement {
    let (q, r) = (Alias::new("q"), Alias::new("r"));
    let mut select = Query::select();
    select
        .column((q.clone(), Alias::new("response_id")))
        .column((q.clone(), Alias::new("sign")));
    for c in CHANGE_COLUMNS {
        select.column((r.clone(), Alias::new(c)));
    }
    select
        .from_as(Alias::new("fold_queue"), q.clone())
        .join_as(
            JoinType::LeftJoin,
            Alias::new("responses"),
            r.clone(),
            Expr::col((r, Alias::new("id"))).equals((q, Alias::new("response_id"))),
        )
        .to_owned()
}

/// Whether any change waits to be folded (a cheap read, so an idle folder
/// takes no write lock).
pub async fn has_pending(db: &Db) -> Result<bool, StoreError> {
    Ok(fold_queue::Entity::find().one(db).await?.is_some())
}

/// How many changes wait to be folded.
pub async fn pending_count(db: &Db) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(fold_queue::Entity::find().count(db).await?)
}

/// Starts a fold: a write transaction, or `None` when another folder holds
/// the fold lock (PostgreSQL).
pub async fn begin_fold(db: &Db) -> Result<Option<Tx>, StoreError> {
    let tx = begin(db).await?;
    if tx.get_database_backend() == DatabaseBackend::Postgres {
        let got = tx
            .query_one_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_try_advisory_xact_lock($1) AS got",
                [FOLD_LOCK.into()],
            ))
            .await?
            .map(|r| r.try_get::<bool>("", "got"))
            .transpose()?
            .unwrap_or(false);
        if !got {
            tx.rollback().await?;
            return Ok(None);
        }
    }
    Ok(Some(tx))
}

/// Takes up to `limit` entries off the queue and returns them with the
/// changes they stand for; the entries are gone when the fold's transaction
/// commits, and back if it rolls back.
pub async fn pending(tx: &Tx, limit: u64) -> Result<(Vec<Entry>, Vec<Pending>), StoreError> {
    let backend = tx.get_database_backend();
    let rows = if backend == DatabaseBackend::Postgres {
        // Exactly the entries deleted, even while submissions add more.
        let sql = format!(
            "WITH q AS (DELETE FROM fold_queue WHERE (response_id, sign) IN \
               (SELECT response_id, sign FROM fold_queue LIMIT $1) RETURNING response_id, sign) \
             SELECT q.response_id, q.sign, {} FROM q LEFT JOIN responses r ON r.id = q.response_id",
            CHANGE_COLUMNS.map(|c| format!("r.{c}")).join(", ")
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        tx.query_all_raw(Statement::from_sql_and_values(backend, sql, [limit.into()]))
            .await?
    } else {
        // SQLite: the fold holds the write lock, so the first `limit`
        // entries in key order cannot change before they are deleted.
        let q = Alias::new("q");
        let mut select = changes_query();
        select
            .order_by((q.clone(), Alias::new("response_id")), Order::Asc)
            .order_by((q, Alias::new("sign")), Order::Asc)
            .limit(limit);
        let rows = tx.query_all(&select).await?;
        if let Some(last) = rows.last() {
            let (id, sign) = change_of(last)?.0;
            fold_queue::Entity::delete_many()
                .filter(
                    fold_queue::Column::ResponseId.lt(id).or(fold_queue::Column::ResponseId
                        .eq(id)
                        .and(fold_queue::Column::Sign.lte(sign))),
                )
                .exec(tx)
                .await?;
        }
        rows
    };
    let mut entries = Vec::with_capacity(rows.len());
    let mut changes = Vec::with_capacity(rows.len());
    for row in &rows {
        let (entry, change) = change_of(row)?;
        entries.push(entry);
        changes.extend(change);
    }
    Ok((entries, changes))
}

/// The queued changes of one survey version, in the units and time range
/// given (for readers, inside their snapshot). Driven from the queue — its
/// entries first, then their responses by key — so the cost follows the
/// queue's length (about a second of submissions), never the survey's size,
/// whatever the planner's statistics say.
pub async fn pending_for<C: ConnectionTrait>(
    conn: &C,
    survey_id: Uuid,
    version: i32,
    units: Option<&[UnitId]>,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<Vec<Pending>, StoreError> {
    let entries: Vec<Entry> = fold_queue::Entity::find()
        .select_only()
        .column(fold_queue::Column::ResponseId)
        .column(fold_queue::Column::Sign)
        .into_tuple()
        .all(conn)
        .await?;
    let mut ids: Vec<Uuid> = entries.iter().map(|e| e.0).collect();
    ids.sort();
    ids.dedup();
    let mut rows: HashMap<Uuid, ResponseRow> = HashMap::new();
    for chunk in ids.chunks(1000) {
        let mut q = response::Entity::find()
            .select_only()
            .column(response::Column::Id)
            .column(response::Column::UnitId)
            .column(response::Column::AgeBand)
            .column(response::Column::Gender)
            .column(response::Column::SubmittedAt)
            .column(response::Column::Answers)
            .filter(response::Column::Id.is_in(chunk.iter().copied()))
            .filter(response::Column::SurveyId.eq(survey_id))
            .filter(response::Column::Version.eq(version));
        if let Some(from) = from {
            q = q.filter(response::Column::SubmittedAt.gte(from));
        }
        if let Some(until) = until {
            q = q.filter(response::Column::SubmittedAt.lt(until));
        }
        if let Some(units) = units {
            q = q.filter(response::Column::UnitId.is_in(units.iter().map(|u| u.0)));
        }
        let part: Vec<ResponseRow> = q.into_tuple().all(conn).await?;
        rows.extend(part.into_iter().map(|r| (r.0, r)));
    }
    Ok(entries
        .iter()
        .filter_map(|(id, sign)| {
            let (id, unit_id, age_band, gender, submitted_at, answers) = rows.get(id)?.clone();
            Some(Pending {
                id,
                survey_id,
                version,
                unit_id,
                age_band,
                gender,
                submitted_at,
                answers,
                live: *sign > 0,
            })
        })
        .collect())
}

/// A response's columns a reader needs.
type ResponseRow = (Uuid, Uuid, String, Option<String>, DateTime<Utc>, String);

fn cell_of(m: result_cell::Model) -> Cell {
    Cell {
        key: CellKey {
            survey_id: m.survey_id,
            version: m.version,
            grain: Grain::parse(&m.grain),
            period: m.period,
            unit_id: m.unit_id,
            age_band: m.age_band,
            gender: m.gender,
        },
        responses: m.responses,
        tally: m.tally,
    }
}

/// The cells of one survey version at one grain, in the units and periods
/// (`from` included, `until` excluded, in the grain's format) given.
#[allow(clippy::too_many_arguments)]
pub async fn cells<C: ConnectionTrait>(
    conn: &C,
    survey_id: Uuid,
    version: i32,
    grain: Grain,
    units: Option<&[Uuid]>,
    from: Option<&str>,
    until: Option<&str>,
) -> Result<Vec<Cell>, StoreError> {
    let mut q = result_cell::Entity::find()
        .filter(result_cell::Column::SurveyId.eq(survey_id))
        .filter(result_cell::Column::Version.eq(version))
        .filter(result_cell::Column::Grain.eq(grain.as_str()));
    if let Some(units) = units {
        q = q.filter(result_cell::Column::UnitId.is_in(units.iter().copied()));
    }
    if let Some(p) = from {
        q = q.filter(result_cell::Column::Period.gte(p));
    }
    if let Some(p) = until {
        q = q.filter(result_cell::Column::Period.lt(p));
    }
    Ok(q.all(conn).await?.into_iter().map(cell_of).collect())
}

/// Writes cells (insert or replace), in one statement per chunk.
pub async fn save_cells(tx: &Tx, cells: &[Cell], now: DateTime<Utc>) -> Result<(), StoreError> {
    for chunk in cells.chunks(500) {
        let models = chunk.iter().map(|c| result_cell::ActiveModel {
            survey_id: Set(c.key.survey_id),
            version: Set(c.key.version),
            grain: Set(c.key.grain.as_str().to_owned()),
            period: Set(c.key.period.clone()),
            unit_id: Set(c.key.unit_id),
            age_band: Set(c.key.age_band.clone()),
            gender: Set(c.key.gender.clone()),
            responses: Set(c.responses),
            tally: Set(c.tally.clone()),
            updated_at: Set(now),
        });
        result_cell::Entity::insert_many(models)
            .on_conflict(
                OnConflict::columns([
                    result_cell::Column::SurveyId,
                    result_cell::Column::Version,
                    result_cell::Column::Grain,
                    result_cell::Column::Period,
                    result_cell::Column::UnitId,
                    result_cell::Column::AgeBand,
                    result_cell::Column::Gender,
                ])
                .update_columns([
                    result_cell::Column::Responses,
                    result_cell::Column::Tally,
                    result_cell::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(tx)
            .await?;
    }
    Ok(())
}

/// A read-only snapshot: the cells and the pending responses read inside it
/// agree with each other even while a fold commits.
pub async fn read_snapshot(db: &Db) -> Result<Tx, StoreError> {
    Ok(match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly))
                .await?
        }
        // A deferred transaction reads one WAL snapshot throughout.
        _ => db.begin().await?,
    })
}

/// The straightforward way to compute results: a GROUP BY over every answer
/// of every response of a survey, by age band (and unit when `by_unit`).
/// Not used by the service; kept so the benchmark measures the rollups
/// against it in the same run. Returns the number of rows grouped.
pub async fn naive_counts(db: &Db, survey_id: Uuid, by_unit: bool) -> Result<usize, StoreError> {
    let backend = db.get_database_backend();
    let dims = if by_unit { "r.unit_id, r.age_band" } else { "r.age_band" };
    let (each, param) = match backend {
        DatabaseBackend::Postgres => ("CROSS JOIN LATERAL jsonb_each_text(r.answers::jsonb) a", "$1"),
        _ => (", json_each(r.answers) a", "?"),
    };
    let sql = format!(
        "SELECT {dims}, a.key, a.value, COUNT(*) AS n FROM responses r {each} \
         WHERE r.survey_id = {param} AND r.withdrawn_at IS NULL GROUP BY {dims}, a.key, a.value"
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [survey_id.into()]))
        .await?;
    Ok(rows.len())
}
