//! The budget of wrong join codes, shared by every replica through the
//! database: one row per window counting the lookups that found no session.
//! A join reserves one unit before it looks its code up, in one statement
//! that refuses once the budget is used up (so concurrent joins can never
//! overshoot it), and gives the unit back when the code was right.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::audit::{self, Change};
use crate::entities::join_failure_budget::{self as budget, Column};
use crate::{Actor, Db, StoreError, begin};

/// Takes one unit of the window's budget of `limit`: the units taken so
/// far (this one included), or `None` when the budget is used up. The
/// first reservation of a window forgets the windows before it.
pub async fn reserve<C: ConnectionTrait>(
    conn: &C,
    window_start: DateTime<Utc>,
    limit: u32,
) -> Result<Option<u32>, StoreError> {
    let used = Expr::col((budget::Entity, Column::Used));
    let insert = Query::insert()
        .into_table(budget::Entity)
        .columns([Column::WindowStart, Column::Used])
        .values_panic([Expr::val(window_start), Expr::val(1)])
        .on_conflict(
            OnConflict::column(Column::WindowStart)
                .value(Column::Used, used.clone().add(1))
                .action_and_where(used.lt(i64::from(limit)))
                .to_owned(),
        )
        .returning_col(Column::Used)
        .to_owned();
    let Some(row) = conn.query_one(&insert).await? else {
        return Ok(None);
    };
    let taken = u32::try_from(row.try_get_by_index::<i32>(0)?).unwrap_or(0);
    if taken == 1 {
        budget::Entity::delete_many()
            .filter(Column::WindowStart.lt(window_start))
            .exec(conn)
            .await?;
    }
    Ok(Some(taken))
}

/// Gives back a unit reserved for a join whose code was right.
pub async fn give_back<C: ConnectionTrait>(conn: &C, window_start: DateTime<Utc>) -> Result<(), StoreError> {
    budget::Entity::update_many()
        .col_expr(Column::Used, Expr::col(Column::Used).sub(1))
        .filter(Column::WindowStart.eq(window_start))
        .filter(Column::Used.gt(0))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records that the window's budget ran out, once across every replica:
/// `true` for the one call that recorded it (with an audit event for
/// admins, `join.budget_spent`), `false` if it was already recorded.
pub async fn mark_spent(
    db: &Db,
    window_start: DateTime<Utc>,
    limit: u32,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let tx = begin(db).await?;
    let marked = budget::Entity::update_many()
        .col_expr(Column::SpentAt, Expr::value(at))
        .filter(Column::WindowStart.eq(window_start))
        .filter(Column::SpentAt.is_null())
        .exec(&tx)
        .await?;
    if marked.rows_affected != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    audit::record(
        &tx,
        &Actor::system(at),
        Change {
            action: "join.budget_spent",
            entity: "join_budget",
            entity_id: Some(window_start.to_rfc3339()),
            before: None,
            after: Some(serde_json::json!({
                "window_start": window_start,
                "wrong_codes": limit,
                "limit": limit,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
