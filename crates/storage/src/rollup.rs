//! Result cells: per survey version, unit, age band, gender and month, the
//! tally of what the released responses in that cell said (stored in the
//! format of [`crate::formats::tally`]), so that results read a few thousand cells instead of
//! every response. Results are read over whole months only.
//!
//! Triggers on `responses` queue `(response_id, +1, survey_id)` when a
//! response is stored and `(response_id, −1, survey_id)` when it is
//! withdrawn, in the same statement, so the queue can neither miss nor
//! repeat a change. The queue is also what waits for a release: the folder
//! takes the entries of the cells that have enough changes waiting (the
//! disclosure-control rule, cell by cell), applies them to those cells,
//! deletes exactly those entries and numbers the survey's release, in one
//! transaction. Readers read the cells alone, so figures move only in releases.
//! One folder runs at a time: on SQLite the write lock serialises them, on
//! PostgreSQL a transaction-scoped advisory lock (other replicas skip their
//! turn).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, OnConflict, Query, SelectStatement};
use sea_orm::{
    AccessMode, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, IsolationLevel,
    QueryFilter, QueryTrait, Statement, TransactionTrait,
};
use uuid::Uuid;

use crate::entities::{fold_queue, result_cell, result_release};
use crate::query::{aggregates, count_in};
use crate::{Db, StoreError, Tx, begin};

/// Cells are monthly (the table's `grain` column says so).
const MONTH: &str = "month";

/// The advisory lock that lets one folder at a time run on PostgreSQL.
const FOLD_LOCK: i64 = 0x6c6e_726f_6c6c; // "lnroll"

/// The key of a rollup cell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    pub survey_id: Uuid,
    pub version: i32,
    /// `YYYY-MM`, local time.
    pub period: String,
    pub unit_id: Uuid,
    pub age_band: String,
    /// `not_given` when the child did not say.
    pub gender: String,
}

/// The gender group of a cell for children who did not say.
pub const NOT_GIVEN: &str = "not_given";

/// A rollup cell: how many responses it counts and their tally, in the
/// format of [`crate::formats::tally`].
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
    /// In the format of [`crate::formats::answers`].
    pub answers: String,
    /// The response's random key (the cell key method).
    pub record_key: u32,
    /// `true` for an entry +1 (add), `false` for −1 (take out).
    pub live: bool,
}

/// A queue entry: the response and its sign.
pub type Entry = (Uuid, i16);

/// The response columns of a queued change.
const CHANGE_COLUMNS: [&str; 8] = [
    "survey_id",
    "version",
    "unit_id",
    "age_band",
    "gender",
    "submitted_at",
    "answers",
    "record_key",
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
            record_key: u32::try_from(row.try_get::<i64>("", "record_key")?).unwrap_or(0),
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

/// How many changes wait to be folded, all surveys together.
pub async fn pending_count(db: &Db) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(fold_queue::Entity::find().count(db).await?)
}

/// What an operator watches of the folder: changes waiting (across all
/// surveys, counted up to [`crate::outbox::BACKLOG_COUNT_CAP`]) and the
/// newest release of any survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    pub waiting: u64,
    pub last_release_at: Option<DateTime<Utc>>,
}

/// The folder's backlog, in one bounded statement.
pub async fn backlog<C: ConnectionTrait>(conn: &C) -> Result<Backlog, StoreError> {
    let sql = format!(
        "SELECT \
           (SELECT COUNT(*) FROM (SELECT 1 FROM fold_queue LIMIT {cap}) q) AS waiting, \
           (SELECT MAX(released_at) FROM result_releases) AS last_release",
        cap = crate::outbox::BACKLOG_COUNT_CAP
    );
    let row = aggregates(conn, sql).await?;
    Ok(Backlog {
        waiting: count_in(&row, "waiting")?,
        last_release_at: row.try_get::<Option<DateTime<Utc>>>("", "last_release")?,
    })
}

/// What waits for a survey's next release: responses taken in and
/// withdrawn since the last one. A response both taken in and withdrawn
/// while waiting changes nothing and is not counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waiting {
    pub added: u64,
    pub removed: u64,
}

/// The fold queue's `WHERE` of one survey (with its value), or nothing
/// for every survey.
fn of_survey(backend: DatabaseBackend, survey_id: Option<Uuid>) -> (&'static str, Vec<sea_orm::Value>) {
    match (survey_id, backend) {
        (Some(id), DatabaseBackend::Postgres) => ("WHERE survey_id = $1", vec![id.into()]),
        (Some(id), _) => ("WHERE survey_id = ?", vec![id.into()]),
        (None, _) => ("", Vec::new()),
    }
}

/// The changes waiting, per survey that has any.
pub async fn waiting<C: ConnectionTrait>(
    conn: &C,
    survey_id: Option<Uuid>,
) -> Result<Vec<(Uuid, Waiting)>, StoreError> {
    let backend = conn.get_database_backend();
    let (filter, values) = of_survey(backend, survey_id);
    let sql = format!(
        "SELECT survey_id,            SUM(CASE WHEN net > 0 THEN 1 ELSE 0 END) AS added,            SUM(CASE WHEN net < 0 THEN 1 ELSE 0 END) AS removed          FROM (SELECT survey_id, response_id, SUM(sign) AS net FROM fold_queue {filter}                GROUP BY survey_id, response_id) changes          GROUP BY survey_id"
    );
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    rows.iter()
        .map(|r| {
            let count = |c: &str| -> Result<u64, StoreError> {
                Ok(u64::try_from(r.try_get::<Option<i64>>("", c)?.unwrap_or(0)).unwrap_or(0))
            };
            Ok((
                r.try_get::<Uuid>("", "survey_id")?,
                Waiting {
                    added: count("added")?,
                    removed: count("removed")?,
                },
            ))
        })
        .collect()
}

/// A response waiting in the queue: the net of its entries (+1 taken in,
/// −1 withdrawn, 0 both while waiting) and where it counts; `place` is
/// `None` when the response no longer exists.
#[derive(Debug, Clone)]
pub struct Change {
    pub response_id: Uuid,
    pub survey_id: Uuid,
    pub net: i64,
    pub place: Option<Place>,
}

/// The columns of a response that decide its cell.
#[derive(Debug, Clone)]
pub struct Place {
    pub version: i32,
    pub unit_id: Uuid,
    pub age_band: String,
    pub gender: Option<String>,
    pub submitted_at: DateTime<Utc>,
}

/// The responses waiting for a release (of one survey, or all), each once
/// with its net change and cell columns; never the answers.
pub async fn waiting_changes<C: ConnectionTrait>(conn: &C, survey_id: Option<Uuid>) -> Result<Vec<Change>, StoreError> {
    let backend = conn.get_database_backend();
    let (filter, values) = of_survey(backend, survey_id);
    let sql = format!(
        "SELECT q.survey_id, q.response_id, q.net, r.version, r.unit_id, r.age_band, r.gender, r.submitted_at \
         FROM (SELECT survey_id, response_id, SUM(sign) AS net FROM fold_queue {filter} \
               GROUP BY survey_id, response_id) q \
         LEFT JOIN responses r ON r.id = q.response_id"
    );
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    rows.iter()
        .map(|r| {
            let place = match r.try_get::<Option<i32>>("", "version")? {
                Some(version) => Some(Place {
                    version,
                    unit_id: r.try_get("", "unit_id")?,
                    age_band: r.try_get("", "age_band")?,
                    gender: r.try_get("", "gender")?,
                    submitted_at: r.try_get("", "submitted_at")?,
                }),
                None => None,
            };
            Ok(Change {
                response_id: r.try_get("", "response_id")?,
                survey_id: r.try_get("", "survey_id")?,
                net: r.try_get::<Option<i64>>("", "net")?.unwrap_or(0),
                place,
            })
        })
        .collect()
}

/// Takes the entries of the given responses of one survey off the queue
/// (every entry each has, including any queued since they were chosen) and
/// returns the changes they stand for; gone when the fold's transaction
/// commits, back if it rolls back. In statements of at most
/// [`TAKE_CHUNK`] responses.
pub async fn take(tx: &Tx, survey_id: Uuid, responses: &[Uuid]) -> Result<Vec<Pending>, StoreError> {
    let backend = tx.get_database_backend();
    let mut changes = Vec::with_capacity(responses.len());
    for chunk in responses.chunks(TAKE_CHUNK) {
        let rows = if backend == DatabaseBackend::Postgres {
            let list = (0..chunk.len())
                .map(|i| format!("${}", i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "WITH q AS (DELETE FROM fold_queue WHERE survey_id = $1 AND response_id IN ({list}) \
                 RETURNING response_id, sign) \
                 SELECT q.response_id, q.sign, {} FROM q LEFT JOIN responses r ON r.id = q.response_id",
                CHANGE_COLUMNS.map(|c| format!("r.{c}")).join(", ")
            );
            let values: Vec<sea_orm::Value> = std::iter::once(survey_id.into())
                .chain(chunk.iter().map(|id| (*id).into()))
                .collect();
            tx.query_all_raw(Statement::from_sql_and_values(backend, sql, values))
                .await?
        } else {
            // SQLite: the fold holds the write lock, so the entries read are
            // exactly those deleted.
            let q = Alias::new("q");
            let mut select = changes_query();
            select
                .and_where(Expr::col((q.clone(), Alias::new("survey_id"))).eq(survey_id))
                .and_where(Expr::col((q, Alias::new("response_id"))).is_in(chunk.iter().copied()));
            let rows = tx.query_all(&select).await?;
            fold_queue::Entity::delete_many()
                .filter(fold_queue::Column::SurveyId.eq(survey_id))
                .filter(fold_queue::Column::ResponseId.is_in(chunk.iter().copied()))
                .exec(tx)
                .await?;
            rows
        };
        for row in &rows {
            changes.extend(change_of(row)?.1);
        }
    }
    Ok(changes)
}

/// Responses per statement of [`take`] (well under either database's limit
/// of parameters).
const TAKE_CHUNK: usize = 1000;

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

/// Takes every entry of one survey off the queue (the fast way when every
/// waiting change is due) and returns the changes they stand for; the entries are gone when the fold's transaction
/// commits, and back if it rolls back.
pub async fn take_survey(tx: &Tx, survey_id: Uuid) -> Result<Vec<Pending>, StoreError> {
    let backend = tx.get_database_backend();
    let rows = if backend == DatabaseBackend::Postgres {
        // Exactly the entries deleted, even while submissions add more.
        let sql = format!(
            "WITH q AS (DELETE FROM fold_queue WHERE survey_id = $1 RETURNING response_id, sign) \
             SELECT q.response_id, q.sign, {} FROM q LEFT JOIN responses r ON r.id = q.response_id",
            CHANGE_COLUMNS.map(|c| format!("r.{c}")).join(", ")
        );
        tx.query_all_raw(Statement::from_sql_and_values(backend, sql, [survey_id.into()]))
            .await?
    } else {
        // SQLite: the fold holds the write lock (an immediate transaction),
        // so the survey's entries cannot change before they are deleted.
        let q = Alias::new("q");
        let mut select = changes_query();
        select.and_where(Expr::col((q, Alias::new("survey_id"))).eq(survey_id));
        let rows = tx.query_all(&select).await?;
        fold_queue::Entity::delete_many()
            .filter(fold_queue::Column::SurveyId.eq(survey_id))
            .exec(tx)
            .await?;
        rows
    };
    let mut changes = Vec::with_capacity(rows.len());
    for row in &rows {
        changes.extend(change_of(row)?.1);
    }
    Ok(changes)
}

/// Deletes the rows of erased responses whose withdrawal has been released
/// (nothing of them waits in the queue any more): the cells no longer count
/// them, and nothing else needs them. In the fold's transaction.
pub async fn delete_erased(tx: &Tx) -> Result<u64, StoreError> {
    use crate::entities::response;
    let r = response::Entity::delete_many()
        .filter(response::Column::ParticipantId.eq(crate::participation::ERASED_PARTICIPANT))
        .filter(response::Column::WithdrawnAt.is_not_null())
        .filter(crate::query::not_queued())
        .exec(tx)
        .await?;
    Ok(r.rows_affected)
}

/// After a large release, clears the queue's deleted entries at once
/// (PostgreSQL's `VACUUM`), so that the look at what waits, made on every
/// reading of results, does not walk a million dead index entries until
/// autovacuum comes by. Nothing to do on SQLite.
pub async fn tidy_queue(db: &Db) -> Result<(), StoreError> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared("VACUUM (ANALYZE) fold_queue").await?;
    }
    Ok(())
}

/// The latest release of a survey's results: its number and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    pub number: i32,
    pub at: DateTime<Utc>,
}

/// Numbers the next release of a survey's results (in the fold's
/// transaction).
pub async fn record_release(tx: &Tx, survey_id: Uuid, now: DateTime<Utc>) -> Result<Release, StoreError> {
    let number = release_of(tx, survey_id).await?.map_or(1, |r| r.number + 1);
    result_release::Entity::insert(result_release::ActiveModel {
        survey_id: Set(survey_id),
        number: Set(number),
        released_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(result_release::Column::SurveyId)
            .update_columns([result_release::Column::Number, result_release::Column::ReleasedAt])
            .to_owned(),
    )
    .exec_without_returning(tx)
    .await?;
    Ok(Release { number, at: now })
}

/// A survey's latest release, if its results were ever released.
pub async fn release_of<C: ConnectionTrait>(conn: &C, survey_id: Uuid) -> Result<Option<Release>, StoreError> {
    Ok(result_release::Entity::find_by_id(survey_id)
        .one(conn)
        .await?
        .map(|m| Release {
            number: m.number,
            at: m.released_at,
        }))
}

fn cell_of(m: result_cell::Model) -> Cell {
    Cell {
        key: CellKey {
            survey_id: m.survey_id,
            version: m.version,
            period: m.period,
            unit_id: m.unit_id,
            age_band: m.age_band,
            gender: m.gender,
        },
        responses: m.responses,
        tally: m.tally,
    }
}

/// The cells of one survey version, in the units and months (`from`
/// included, `until` excluded, as `YYYY-MM`) given.
pub async fn cells<C: ConnectionTrait>(
    conn: &C,
    survey_id: Uuid,
    version: i32,
    units: Option<&[Uuid]>,
    from: Option<&str>,
    until: Option<&str>,
) -> Result<Vec<Cell>, StoreError> {
    let q = result_cell::Entity::find()
        .filter(result_cell::Column::SurveyId.eq(survey_id))
        .filter(result_cell::Column::Version.eq(version))
        .filter(result_cell::Column::Grain.eq(MONTH))
        .apply_if(units, |q, units| {
            q.filter(result_cell::Column::UnitId.is_in(units.iter().copied()))
        })
        .apply_if(from, |q, p| q.filter(result_cell::Column::Period.gte(p)))
        .apply_if(until, |q, p| q.filter(result_cell::Column::Period.lt(p)));
    Ok(q.all(conn).await?.into_iter().map(cell_of).collect())
}

/// Writes cells (insert or replace), in one statement per chunk.
pub async fn save_cells(tx: &Tx, cells: &[Cell], now: DateTime<Utc>) -> Result<(), StoreError> {
    for chunk in cells.chunks(500) {
        let models = chunk.iter().map(|c| result_cell::ActiveModel {
            survey_id: Set(c.key.survey_id),
            version: Set(c.key.version),
            grain: Set(MONTH.to_owned()),
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

/// A read-only snapshot: everything read inside it (the cells, the release)
/// agrees even while a fold commits.
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
         WHERE r.survey_id = {param} AND r.withdrawn_at IS NULL AND a.key <> '$v' GROUP BY {dims}, a.key, a.value"
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [survey_id.into()]))
        .await?;
    Ok(rows.len())
}
