//! Query shapes several modules share.

use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, PrimaryKeyTrait,
    QueryFilter, QueryOrder, QueryResult, QuerySelect, QueryTrait, Select, Statement,
};
use uuid::Uuid;

use crate::audit::{Change, snapshot};
use crate::entities::{fold_queue, response};
use crate::{Actor, Db, StoreError, begin};

/// The rows of `E` whose `column` is one of `ids`, sorted by the columns of
/// `order`; no query at all without ids.
pub(crate) async fn rows_in<E: EntityTrait, C: ConnectionTrait>(
    conn: &C,
    column: E::Column,
    ids: &[Uuid],
    order: &[E::Column],
) -> Result<Vec<E::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = E::find().filter(column.is_in(ids.iter().copied()));
    for c in order {
        q = q.order_by_asc(*c);
    }
    q.all(conn).await
}

/// The responses of one survey version that count (not withdrawn), with
/// what every reader of answers needs, in this order: unit, age band, time
/// of submission, the stored answers; a caller adds its own columns after.
pub(crate) fn counted_answers(survey_id: Uuid, version: i32) -> Select<response::Entity> {
    response::Entity::find()
        .select_only()
        .column(response::Column::UnitId)
        .column(response::Column::AgeBand)
        .column(response::Column::SubmittedAt)
        .column(response::Column::Answers)
        .filter(response::Column::SurveyId.eq(survey_id))
        .filter(response::Column::Version.eq(version))
        .filter(response::Column::WithdrawnAt.is_null())
}

/// Deletes the rows of `E` whose `column` is one of `ids`, 500 ids to a
/// statement.
pub(crate) async fn delete_in<E: EntityTrait, C: ConnectionTrait>(
    conn: &C,
    column: E::Column,
    ids: &[Uuid],
) -> Result<(), DbErr> {
    for chunk in ids.chunks(500) {
        E::delete_many()
            .filter(column.is_in(chunk.iter().copied()))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Inserts `row` unless one with the same values in `columns` is there
/// already: how many rows were inserted (0 or 1).
pub(crate) async fn insert_if_absent<A, C>(
    conn: &C,
    row: A,
    columns: impl IntoIterator<Item = <A::Entity as EntityTrait>::Column>,
) -> Result<u64, DbErr>
where
    A: ActiveModelTrait,
    C: ConnectionTrait,
{
    let inserted = <A::Entity as EntityTrait>::insert(row)
        .on_conflict(OnConflict::columns(columns).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await;
    match inserted {
        Err(DbErr::RecordNotInserted) => Ok(0),
        other => other,
    }
}

/// Inserts `row`, or updates `columns` of the row already there with the
/// same `key`.
pub(crate) async fn upsert<A, C>(
    conn: &C,
    row: A,
    key: <A::Entity as EntityTrait>::Column,
    columns: impl IntoIterator<Item = <A::Entity as EntityTrait>::Column>,
) -> Result<(), DbErr>
where
    A: ActiveModelTrait,
    C: ConnectionTrait,
{
    <A::Entity as EntityTrait>::insert(row)
        .on_conflict(OnConflict::column(key).update_columns(columns).to_owned())
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// The one row a statement of aggregates (a backlog's counts) answers.
pub(crate) async fn aggregates<C: ConnectionTrait>(conn: &C, sql: String) -> Result<QueryResult, StoreError> {
    conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await?
        .ok_or(StoreError::NotFound)
}

/// The `COUNT(*)` in `column` of `row`.
pub(crate) fn count_in(row: &QueryResult, column: &str) -> Result<u64, DbErr> {
    Ok(u64::try_from(row.try_get::<i64>("", column)?).unwrap_or(0))
}

/// Responses with no change waiting in the fold queue: a row the queue
/// still names is never deleted.
pub(crate) fn not_queued() -> Condition {
    let queued = Query::select()
        .column(fold_queue::Column::ResponseId)
        .from(fold_queue::Entity)
        .to_owned();
    Condition::all().add(response::Column::Id.not_in_subquery(queued))
}

/// Stores a new row in a transaction of its own, with the audit event of
/// `action` on `entity` `id` holding the row as stored; a failed insert is
/// answered by `refused` (a `conflict_on_unique` of the value taken).
pub(crate) async fn create_audited<A>(
    db: &Db,
    actor: &Actor,
    row: A,
    refused: impl Fn(DbErr) -> StoreError,
    (action, entity, id): (&str, &str, Uuid),
) -> Result<<A::Entity as EntityTrait>::Model, StoreError>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A> + serde::Serialize,
{
    let tx = begin(db).await?;
    let row = <A::Entity as EntityTrait>::insert(row)
        .exec_with_returning(&tx)
        .await
        .map_err(refused)?;
    Change::of(action, entity, id)
        .after(snapshot(&row))
        .commit(tx, actor)
        .await?;
    Ok(row)
}

/// The row of `E` whose id is `id`, read by `read`; `NotFound` when there
/// is none.
pub(crate) async fn read_by_id<E, C, T>(
    conn: &C,
    id: Uuid,
    read: impl FnOnce(E::Model) -> Result<T, StoreError>,
) -> Result<T, StoreError>
where
    E: EntityTrait,
    E::PrimaryKey: PrimaryKeyTrait<ValueType = Uuid>,
    C: ConnectionTrait,
{
    read(E::find_by_id(id).found(conn).await?)
}

/// A query for a row that must be there.
pub(crate) trait Found<M> {
    /// The first row, or `NotFound` when there is none.
    async fn found<C: ConnectionTrait>(self, conn: &C) -> Result<M, StoreError>;
}

impl<E: EntityTrait> Found<E::Model> for Select<E> {
    async fn found<C: ConnectionTrait>(self, conn: &C) -> Result<E::Model, StoreError> {
        self.one(conn).await?.ok_or(StoreError::NotFound)
    }
}

/// One page of a listing in the order of `id` (v7, so oldest first): the
/// rows after `after`, at most `limit`.
pub(crate) fn page<E: EntityTrait>(q: Select<E>, id: E::Column, after: Option<Uuid>, limit: u64) -> Select<E> {
    q.apply_if(after, |q, a| q.filter(id.gt(a)))
        .order_by_asc(id)
        .limit(limit)
}
