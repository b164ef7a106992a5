//! Result rollups: per survey version, unit, age band, gender and month —
//! and again per day — the tally of what the responses in that cell said
//! (stored as text the API encodes), so that results read a few thousand
//! cells instead of every response: month cells for the whole months of a
//! window, day cells for the days at its edges.
//!
//! A response is folded into its cell after it is stored and taken out
//! after it is withdrawn. `responses.in_rollup` says whether its cell
//! currently includes it; the responses still to fold are those where it
//! differs from "not withdrawn", found through a partial index that holds
//! only them. Folding marks each response with the state it folded
//! (`in_rollup = true` for one added, `false` for one taken out), never with
//! the current state, so a withdrawal that lands while a fold runs leaves
//! the response pending and the next fold takes it out: nothing is lost or
//! counted twice. One folder runs at a time: on SQLite the write lock
//! serialises them, on PostgreSQL a transaction-scoped advisory lock.
//!
//! Readers combine the cells with the responses still pending in one
//! snapshot (a repeatable-read transaction), so results are exact and never
//! stale, whatever the folder's lag.

use chrono::{DateTime, Utc};
use langnghe_domain::UnitId;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    AccessMode, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, IsolationLevel,
    QueryFilter, QueryOrder, QuerySelect, Statement, TransactionTrait,
};
use uuid::Uuid;

use crate::entities::{response, result_cell};
use crate::{Db, StoreError, Tx, begin};

/// The responses whose rollup cell does not yet reflect them.
const PENDING: &str = "in_rollup <> (withdrawn_at IS NULL)";

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

/// A response whose cell does not reflect it yet: `live` ones are to be
/// added, withdrawn ones to be taken out.
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
    pub live: bool,
}

type PendingRow = (
    Uuid,
    Uuid,
    i32,
    Uuid,
    String,
    Option<String>,
    DateTime<Utc>,
    String,
    Option<DateTime<Utc>>,
);

fn pending_query() -> sea_orm::Select<response::Entity> {
    response::Entity::find()
        .select_only()
        .column(response::Column::Id)
        .column(response::Column::SurveyId)
        .column(response::Column::Version)
        .column(response::Column::UnitId)
        .column(response::Column::AgeBand)
        .column(response::Column::Gender)
        .column(response::Column::SubmittedAt)
        .column(response::Column::Answers)
        .column(response::Column::WithdrawnAt)
        .filter(Expr::cust(PENDING))
}

fn pending_of(rows: Vec<PendingRow>) -> Vec<Pending> {
    rows.into_iter()
        .map(
            |(id, survey_id, version, unit_id, age_band, gender, submitted_at, answers, withdrawn_at)| Pending {
                id,
                survey_id,
                version,
                unit_id,
                age_band,
                gender,
                submitted_at,
                answers,
                live: withdrawn_at.is_none(),
            },
        )
        .collect()
}

/// Whether any response waits to be folded (a cheap read, so an idle
/// folder takes no write lock).
pub async fn has_pending(db: &Db) -> Result<bool, StoreError> {
    let row: Option<Uuid> = response::Entity::find()
        .select_only()
        .column(response::Column::Id)
        .filter(Expr::cust(PENDING))
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.is_some())
}

/// How many responses wait to be folded.
pub async fn pending_count(db: &Db) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(response::Entity::find().filter(Expr::cust(PENDING)).count(db).await?)
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

/// Up to `limit` responses waiting to be folded, oldest first.
pub async fn pending(tx: &Tx, limit: u64) -> Result<Vec<Pending>, StoreError> {
    let rows: Vec<PendingRow> = pending_query()
        .order_by_asc(response::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(tx)
        .await?;
    Ok(pending_of(rows))
}

/// The pending responses of one survey version, in the units and time range
/// given (for readers, inside their snapshot).
pub async fn pending_for<C: ConnectionTrait>(
    conn: &C,
    survey_id: Uuid,
    version: i32,
    units: Option<&[UnitId]>,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<Vec<Pending>, StoreError> {
    let mut q = pending_query()
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
    let rows: Vec<PendingRow> = q.into_tuple().all(conn).await?;
    Ok(pending_of(rows))
}

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

/// Records what a fold did: `added` responses are now in their cells,
/// `removed` ones no longer are.
pub async fn mark_folded(tx: &Tx, added: &[Uuid], removed: &[Uuid]) -> Result<(), StoreError> {
    for (ids, state) in [(added, true), (removed, false)] {
        for chunk in ids.chunks(1000) {
            response::Entity::update_many()
                .col_expr(response::Column::InRollup, Expr::value(state))
                .filter(response::Column::Id.is_in(chunk.iter().copied()))
                .exec(tx)
                .await?;
        }
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
