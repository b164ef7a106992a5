//! The school calendar: the dates of each term of a school year, read as
//! a [`TermCalendar`], replaced one school year at a time (audited), and
//! seeded on a new database.

use chrono::{DateTime, Utc};
use langnghe_domain::plan::{SchoolTerm, SchoolYear, Term, TermCalendar};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

use crate::audit::Change;
use crate::entities::school_term;
use crate::{Actor, Db, StoreError, begin};

fn to_term(m: &school_term::Model) -> Result<SchoolTerm, DbErr> {
    let year = SchoolYear::of_first_year(m.school_year)
        .map_err(|_| DbErr::Custom(format!("unreadable school year {}", m.school_year)))?;
    let term = Term::from_number(i64::from(m.term))
        .ok_or_else(|| DbErr::Custom(format!("unreadable term {} of {}", m.term, m.school_year)))?;
    Ok(SchoolTerm::from_stored(year, term, m.first_day, m.last_day))
}

/// Every term with its dates.
pub async fn calendar<C: ConnectionTrait>(conn: &C) -> Result<TermCalendar, StoreError> {
    let rows = school_term::Entity::find().all(conn).await?;
    let terms = rows.iter().map(to_term).collect::<Result<Vec<_>, _>>()?;
    Ok(TermCalendar::new(terms))
}

fn row(t: &SchoolTerm, by: Option<uuid::Uuid>, at: DateTime<Utc>) -> school_term::ActiveModel {
    school_term::ActiveModel {
        school_year: Set(t.year().first_year()),
        term: Set(i16::from(t.term().number())),
        first_day: Set(t.first_day()),
        last_day: Set(t.last_day()),
        updated_by: Set(by),
        updated_at: Set(at),
    }
}

fn upsert() -> OnConflict {
    OnConflict::columns([school_term::Column::SchoolYear, school_term::Column::Term])
        .update_columns([
            school_term::Column::FirstDay,
            school_term::Column::LastDay,
            school_term::Column::UpdatedBy,
            school_term::Column::UpdatedAt,
        ])
        .to_owned()
}

/// Sets the dates of a school year's two terms (checked by
/// [`langnghe_domain::plan::check_school_year`]), adding the year or
/// replacing what it had, with the change in the audit log.
pub async fn replace_year(db: &Db, actor: &Actor, terms: &[SchoolTerm; 2]) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let year = terms[0].year().first_year();
    let before = school_term::Entity::find()
        .filter(school_term::Column::SchoolYear.eq(year))
        .all(&tx)
        .await?;
    school_term::Entity::insert_many(terms.iter().map(|t| row(t, actor.id, actor.at)))
        .on_conflict(upsert())
        .exec_without_returning(&tx)
        .await?;
    let show = |terms: Vec<(String, chrono::NaiveDate, chrono::NaiveDate)>| {
        serde_json::json!(
            terms
                .iter()
                .map(|(t, a, b)| serde_json::json!({"term": t, "first_day": a, "last_day": b}))
                .collect::<Vec<_>>()
        )
    };
    let before = before
        .iter()
        .map(|m| (format!("HK{}", m.term), m.first_day, m.last_day))
        .collect::<Vec<_>>();
    let after = terms
        .iter()
        .map(|t| (t.term().to_string(), t.first_day(), t.last_day()))
        .collect::<Vec<_>>();
    Change::of("school_terms.replace_year", "school_year", terms[0].year())
        .before((!before.is_empty()).then(|| show(before)))
        .after(show(after))
        .commit(tx, actor)
        .await?;
    Ok(())
}

/// Seeds the school calendar when it is empty; returns whether it did.
/// Replicas starting together may both try: a term already there is left
/// alone.
pub async fn seed_if_empty(db: &Db, terms: &[SchoolTerm], now: DateTime<Utc>) -> Result<bool, StoreError> {
    if school_term::Entity::find().count(db).await? > 0 || terms.is_empty() {
        return Ok(false);
    }
    school_term::Entity::insert_many(terms.iter().map(|t| row(t, None, now)))
        .on_conflict(
            OnConflict::columns([school_term::Column::SchoolYear, school_term::Column::Term])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(true)
}
