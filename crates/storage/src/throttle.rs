//! Failed sign-in records, shared by every replica through the database.
//! Keys are opaque (the caller hashes addresses and accounts with the data
//! key); a record past its window counts for nothing and is purged.

use chrono::{DateTime, Duration, Utc};
use langnghe_domain::throttle::{FailureRecord, ThrottlePolicy};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::login_throttle;
use crate::{Db, StoreError, begin};

fn record_of(r: login_throttle::Model) -> FailureRecord {
    FailureRecord {
        failures: u32::try_from(r.failures).unwrap_or(0),
        last_failure_at: r.last_failure_at,
    }
}

pub async fn get<C: ConnectionTrait>(conn: &C, key: &str) -> Result<Option<FailureRecord>, StoreError> {
    Ok(login_throttle::Entity::find_by_id(key.to_owned())
        .one(conn)
        .await?
        .map(record_of))
}

/// Reserves one attempt under every key at once, before the attempt is
/// made: in one transaction each key's row is created if missing and locked
/// (keys in the order given, the same for every caller), checked against
/// its policy, and — when every key allows the attempt — counted as a
/// failure. Concurrent attempts queue on the locks, so no more get through
/// than the policies allow. When a key refuses, nothing is counted and the
/// longest wait is returned. A caller whose attempt then succeeds gives the
/// reservation back ([`clear`], [`give_back`]). Records past every window
/// are purged on the way.
pub async fn reserve(
    db: &Db,
    keys: &[(&str, ThrottlePolicy)],
    now: DateTime<Utc>,
) -> Result<Result<(), Duration>, StoreError> {
    use login_throttle::Column;
    let tx = begin(db).await?;
    let mut records = Vec::with_capacity(keys.len());
    for (key, _) in keys {
        // A row to lock, even for a key never seen (PostgreSQL locks rows,
        // not their absence); a refusal rolls it back.
        login_throttle::Entity::insert(login_throttle::ActiveModel {
            key: Set((*key).to_owned()),
            failures: Set(0),
            last_failure_at: Set(now),
        })
        .on_conflict(OnConflict::column(Column::Key).do_nothing().to_owned())
        .exec_without_returning(&tx)
        .await?;
        let row = login_throttle::Entity::find_by_id((*key).to_owned())
            .lock_exclusive()
            .one(&tx)
            .await?;
        records.push(row.map(record_of));
    }
    let wait = keys
        .iter()
        .zip(&records)
        .filter_map(|((_, policy), record)| policy.check(*record, now).err())
        .max();
    if let Some(wait) = wait {
        tx.rollback().await?;
        purge(db, now - ThrottlePolicy::LONGEST_WINDOW).await?;
        return Ok(Err(wait));
    }
    for ((key, policy), record) in keys.iter().zip(records) {
        let next = policy.record_failure(record, now);
        login_throttle::Entity::update_many()
            .col_expr(
                Column::Failures,
                Expr::value(i32::try_from(next.failures).unwrap_or(i32::MAX)),
            )
            .col_expr(Column::LastFailureAt, Expr::value(next.last_failure_at))
            .filter(Column::Key.eq(*key))
            .exec(&tx)
            .await?;
    }
    tx.commit().await?;
    // Outside the reservation, so that it never waits on another's lock
    // while holding its own.
    purge(db, now - ThrottlePolicy::LONGEST_WINDOW).await?;
    Ok(Ok(()))
}

/// Counts one more failure for `key` at `now`, atomically (concurrent
/// failures are never lost): failures older than `window_start` are
/// forgotten first; records past every window are purged. Returns the
/// record as it now stands.
pub async fn record_failure<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    now: DateTime<Utc>,
    window_start: DateTime<Utc>,
) -> Result<FailureRecord, StoreError> {
    use login_throttle::Column;
    let row = login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(1),
        last_failure_at: Set(now),
    };
    let failures = Expr::case(
        Expr::col((login_throttle::Entity, Column::LastFailureAt)).gte(window_start),
        Expr::col((login_throttle::Entity, Column::Failures)).add(1),
    )
    .finally(1);
    login_throttle::Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::Key)
                .value(Column::Failures, failures)
                .value(Column::LastFailureAt, now)
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    purge(conn, now - ThrottlePolicy::LONGEST_WINDOW).await?;
    Ok(get(conn, key).await?.unwrap_or(FailureRecord {
        failures: 1,
        last_failure_at: now,
    }))
}

/// Forgets every failure of `key` (the right password, from that address).
pub async fn clear<C: ConnectionTrait>(conn: &C, key: &str) -> Result<(), StoreError> {
    login_throttle::Entity::delete_by_id(key.to_owned()).exec(conn).await?;
    Ok(())
}

/// Gives back one reserved attempt of `key` (a sign-in that succeeded does
/// not count against its address).
pub async fn give_back<C: ConnectionTrait>(conn: &C, key: &str) -> Result<(), StoreError> {
    use login_throttle::Column;
    login_throttle::Entity::update_many()
        .col_expr(Column::Failures, Expr::col(Column::Failures).sub(1))
        .filter(Column::Key.eq(key))
        .filter(Column::Failures.gt(0))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes the records whose last failure is older than `before` (past
/// every policy's window, they count for nothing). Returns how many.
pub async fn purge<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let res = login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::LastFailureAt.lt(before))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}

/// How many records there are (tests, and the purge's report).
pub async fn count<C: ConnectionTrait>(conn: &C) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(login_throttle::Entity::find().count(conn).await?)
}
