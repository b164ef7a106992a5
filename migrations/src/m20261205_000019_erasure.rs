//! Erasure that erases (issue 13).
//!
//! - `erased_participants` keeps the keyed hash of an erased pseudonym's
//!   participant token, so that the token is refused from then on; nothing
//!   else of the child is kept.
//! - The audit log no longer holds issues' words: the snapshots of issue
//!   changes written before lose their title and body (a change of either
//!   is kept as `"edited"`).
//! - Request hashes written before were plain SHA-256 digests of what the
//!   child wrote, which a guess can be checked against: they are cleared.
//!   New ones are keyed with the data key.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement, Value};

use crate::ddl::{drop_tables, stamp, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An issue snapshot without its words; `edited` marks a changed text.
fn scrub(before: Option<&serde_json::Value>, v: Option<String>) -> Option<String> {
    let mut v: serde_json::Value = serde_json::from_str(&v?).ok()?;
    let o = v.as_object_mut()?;
    let (title, body) = (o.remove("title"), o.remove("body"));
    if let Some(b) = before {
        if title.is_some() && b.get("title") != title.as_ref() {
            o.insert("title".into(), "edited".into());
        }
        if body.is_some() && b.get("body") != body.as_ref() {
            o.insert("body".into(), "edited".into());
        }
    }
    Some(v.to_string())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        table("erased_participants")
            .cols([string_len("token_hash", 64).primary_key().take(), stamp("erased_at")])
            .create(m)
            .await?;
        let db = m.get_connection();
        let backend = m.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, CAST(before AS TEXT) AS b, CAST(after AS TEXT) AS a FROM audit_events \
                 WHERE entity = 'issue' AND action = 'issue.update'",
            ))
            .await?;
        let param = |i: usize| match backend {
            sea_orm_migration::sea_orm::DatabaseBackend::Postgres => format!("${i}"),
            _ => "?".to_owned(),
        };
        let cast = match backend {
            sea_orm_migration::sea_orm::DatabaseBackend::Postgres => "::jsonb",
            _ => "",
        };
        for row in rows {
            let id: uuid::Uuid = row.try_get("", "id")?;
            let b: Option<String> = row.try_get("", "b")?;
            let a: Option<String> = row.try_get("", "a")?;
            let before_json: Option<serde_json::Value> = b.as_deref().and_then(|t| serde_json::from_str(t).ok());
            let (nb, na) = (scrub(None, b), scrub(before_json.as_ref(), a));
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "UPDATE audit_events SET before = {}{cast}, after = {}{cast} WHERE id = {}",
                    param(1),
                    param(2),
                    param(3)
                ),
                [Value::from(nb), Value::from(na), Value::from(id)],
            ))
            .await?;
        }
        db.execute_unprepared("UPDATE responses SET request_hash = ''").await?;
        db.execute_unprepared("UPDATE issues SET request_hash = NULL").await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["erased_participants"]).await
    }
}
