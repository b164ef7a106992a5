//! Failed sign-in records, shared by every replica through the database.

use chrono::{DateTime, Utc};
use langnghe_domain::throttle::FailureRecord;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::StoreError;
use crate::entities::login_throttle;

pub async fn get<C: ConnectionTrait>(conn: &C, key: &str) -> Result<Option<FailureRecord>, StoreError> {
    Ok(login_throttle::Entity::find_by_id(key.to_owned())
        .one(conn)
        .await?
        .map(|r| FailureRecord {
            failures: u32::try_from(r.failures).unwrap_or(0),
            last_failure_at: r.last_failure_at,
        }))
}

/// Counts one more failure for `key` at `now`, atomically (concurrent
/// failures are never lost): failures older than `window_start` are
/// forgotten first. Returns the record as it now stands.
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
    Ok(get(conn, key).await?.unwrap_or(FailureRecord {
        failures: 1,
        last_failure_at: now,
    }))
}

pub async fn clear<C: ConnectionTrait>(conn: &C, key: &str) -> Result<(), StoreError> {
    login_throttle::Entity::delete_by_id(key.to_owned()).exec(conn).await?;
    Ok(())
}
