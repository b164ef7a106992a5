//! The holiday calendar: read it, or replace one year of it (audited).

use chrono::{Datelike, NaiveDate};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::audit::Change;
use crate::entities::holiday;
use crate::{Actor, Db, StoreError, begin};

/// Holidays, in date order, of one year or all.
pub async fn list<C: ConnectionTrait>(conn: &C, year: Option<i32>) -> Result<Vec<(NaiveDate, String)>, StoreError> {
    let mut q = holiday::Entity::find();
    if let Some(y) = year {
        let (a, b) = (
            NaiveDate::from_ymd_opt(y, 1, 1).ok_or(StoreError::NotFound)?,
            NaiveDate::from_ymd_opt(y, 12, 31).ok_or(StoreError::NotFound)?,
        );
        q = q.filter(holiday::Column::Day.between(a, b));
    }
    Ok(q.order_by_asc(holiday::Column::Day)
        .all(conn)
        .await?
        .into_iter()
        .map(|h| (h.day, h.name))
        .collect())
}

/// Replaces the holidays of `year` (every day given must be in it).
pub async fn replace_year(db: &Db, actor: &Actor, year: i32, days: &[(NaiveDate, String)]) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let before = list(&tx, Some(year)).await?;
    let (a, b) = (
        NaiveDate::from_ymd_opt(year, 1, 1).ok_or(StoreError::NotFound)?,
        NaiveDate::from_ymd_opt(year, 12, 31).ok_or(StoreError::NotFound)?,
    );
    holiday::Entity::delete_many()
        .filter(holiday::Column::Day.between(a, b))
        .exec(&tx)
        .await?;
    if !days.is_empty() {
        holiday::Entity::insert_many(days.iter().filter(|(d, _)| d.year() == year).map(|(d, n)| {
            holiday::ActiveModel {
                day: Set(*d),
                name: Set(n.clone()),
            }
        }))
        .exec_without_returning(&tx)
        .await?;
    }
    let show = |v: &[(NaiveDate, String)]| {
        serde_json::json!(
            v.iter()
                .map(|(d, n)| serde_json::json!({"date": d, "name": n}))
                .collect::<Vec<_>>()
        )
    };
    Change::of("calendar.replace_year", "calendar", year)
        .before(show(&before))
        .after(show(days))
        .commit(tx, actor)
        .await?;
    Ok(())
}

/// Seeds the calendar when it is empty; returns whether it did. Replicas
/// starting together may both try: a day already there is left alone.
pub async fn seed_if_empty(db: &Db, days: &[(NaiveDate, &str)]) -> Result<bool, StoreError> {
    if holiday::Entity::find().count(db).await? > 0 || days.is_empty() {
        return Ok(false);
    }
    holiday::Entity::insert_many(days.iter().map(|(d, n)| holiday::ActiveModel {
        day: Set(*d),
        name: Set((*n).to_owned()),
    }))
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(holiday::Column::Day)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(true)
}
