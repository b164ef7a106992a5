//! Result rollups: per survey version, unit, age band, gender and month,
//! the tally of what the responses in that cell said (stored as text the
//! API encodes), so that results read a few thousand cells instead of every
//! response.
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

use crate::entities::{response, result_rollup};
use crate::{Db, StoreError, Tx, begin};

/// The responses whose rollup cell does not yet reflect them.
const PENDING: &str = "in_rollup <> (withdrawn_at IS NULL)";

/// The advisory lock that lets one folder at a time run on PostgreSQL.
const FOLD_LOCK: i64 = 0x6c6e_726f_6c6c; // "lnroll"

/// The key of a rollup cell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    pub survey_id: Uuid,
    pub version: i32,
    pub unit_id: Uuid,
    pub age_band: String,
    /// `not_given` when the child did not say.
    pub gender: String,
    /// `YYYY-MM`, local time.
    pub month: String,
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

fn cell_of(m: result_rollup::Model) -> Cell {
    Cell {
        key: CellKey {
            survey_id: m.survey_id,
            version: m.version,
            unit_id: m.unit_id,
            age_band: m.age_band,
            gender: m.gender,
            month: m.month,
        },
        responses: m.responses,
        tally: m.tally,
    }
}

/// The cells of one survey version, in the units and months (`YYYY-MM`,
/// `from` included, `until` excluded) given.
pub async fn cells<C: ConnectionTrait>(
    conn: &C,
    survey_id: Uuid,
    version: i32,
    units: Option<&[Uuid]>,
    from_month: Option<&str>,
    until_month: Option<&str>,
) -> Result<Vec<Cell>, StoreError> {
    let mut q = result_rollup::Entity::find()
        .filter(result_rollup::Column::SurveyId.eq(survey_id))
        .filter(result_rollup::Column::Version.eq(version));
    if let Some(units) = units {
        q = q.filter(result_rollup::Column::UnitId.is_in(units.iter().copied()));
    }
    if let Some(m) = from_month {
        q = q.filter(result_rollup::Column::Month.gte(m));
    }
    if let Some(m) = until_month {
        q = q.filter(result_rollup::Column::Month.lt(m));
    }
    Ok(q.all(conn).await?.into_iter().map(cell_of).collect())
}

/// Writes cells (insert or replace), in one statement per chunk.
pub async fn save_cells(tx: &Tx, cells: &[Cell], now: DateTime<Utc>) -> Result<(), StoreError> {
    for chunk in cells.chunks(500) {
        let models = chunk.iter().map(|c| result_rollup::ActiveModel {
            survey_id: Set(c.key.survey_id),
            version: Set(c.key.version),
            unit_id: Set(c.key.unit_id),
            age_band: Set(c.key.age_band.clone()),
            gender: Set(c.key.gender.clone()),
            month: Set(c.key.month.clone()),
            responses: Set(c.responses),
            tally: Set(c.tally.clone()),
            updated_at: Set(now),
        });
        result_rollup::Entity::insert_many(models)
            .on_conflict(
                OnConflict::columns([
                    result_rollup::Column::SurveyId,
                    result_rollup::Column::Version,
                    result_rollup::Column::UnitId,
                    result_rollup::Column::AgeBand,
                    result_rollup::Column::Gender,
                    result_rollup::Column::Month,
                ])
                .update_columns([
                    result_rollup::Column::Responses,
                    result_rollup::Column::Tally,
                    result_rollup::Column::UpdatedAt,
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
