//! Query shapes several modules share.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

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
