//! Failed sign-in records, shared by every replica through the database.

use langnghe_domain::throttle::FailureRecord;
use sea_orm::sea_query::OnConflict;
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

pub async fn put<C: ConnectionTrait>(conn: &C, key: &str, record: FailureRecord) -> Result<(), StoreError> {
    let row = login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(i32::try_from(record.failures).unwrap_or(i32::MAX)),
        last_failure_at: Set(record.last_failure_at),
    };
    login_throttle::Entity::insert(row)
        .on_conflict(
            OnConflict::column(login_throttle::Column::Key)
                .update_columns([login_throttle::Column::Failures, login_throttle::Column::LastFailureAt])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn clear<C: ConnectionTrait>(conn: &C, key: &str) -> Result<(), StoreError> {
    login_throttle::Entity::delete_by_id(key.to_owned()).exec(conn).await?;
    Ok(())
}
