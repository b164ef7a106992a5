//! The append-only audit log: who changed what, when, before and after. This
//! module only inserts and reads; nothing in the code base updates or
//! deletes an audit row.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryTrait};
use serde::Serialize;

use crate::entities::audit_event;
use crate::{Actor, StoreError};

/// One change to record, inside the transaction that makes it.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Change<'a> {
    /// `action` done to the `entity` whose id is `id`, with nothing before
    /// or after yet.
    pub fn of(action: &'a str, entity: &'a str, id: impl ToString) -> Self {
        Change {
            entity_id: Some(id.to_string()),
            ..Change::of_all(action, entity)
        }
    }

    /// `action` done to `entity` as a whole, not to one of its rows.
    pub fn of_all(action: &'a str, entity: &'a str) -> Self {
        Change {
            action,
            entity,
            entity_id: None,
            before: None,
            after: None,
        }
    }

    /// The state before the change.
    pub fn before(self, before: impl Into<Option<serde_json::Value>>) -> Self {
        Change {
            before: before.into(),
            ..self
        }
    }

    /// The state after the change.
    pub fn after(self, after: impl Into<Option<serde_json::Value>>) -> Self {
        Change {
            after: after.into(),
            ..self
        }
    }

    /// A row's state before and after the change.
    pub fn between<T: Serialize>(self, before: &T, after: &T) -> Self {
        self.before(snapshot(before)).after(snapshot(after))
    }

    /// Records the change in the transaction that made it, and commits it.
    pub async fn commit(self, tx: DatabaseTransaction, actor: &Actor) -> Result<(), StoreError> {
        self.record(&tx, actor).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the change with `conn`, inside the transaction that makes it.
    pub async fn record<C: ConnectionTrait>(self, conn: &C, actor: &Actor) -> Result<(), StoreError> {
        record(conn, actor, self).await
    }
}

/// A row's state for the log.
pub fn snapshot<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

pub async fn record<C: ConnectionTrait>(conn: &C, actor: &Actor, change: Change<'_>) -> Result<(), StoreError> {
    let row = audit_event::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        at: Set(actor.at),
        actor_id: Set(actor.id),
        actor_label: Set(actor.label.clone()),
        action: Set(change.action.to_owned()),
        entity: Set(change.entity.to_owned()),
        entity_id: Set(change.entity_id),
        before: Set(change.before),
        after: Set(change.after),
    };
    audit_event::Entity::insert(row).exec_without_returning(conn).await?;
    Ok(())
}

/// A recorded change, as read back.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub id: uuid::Uuid,
    pub at: chrono::DateTime<Utc>,
    pub actor_id: Option<uuid::Uuid>,
    pub actor_label: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The changes to one entity, oldest first.
pub async fn for_entity<C: ConnectionTrait>(
    conn: &C,
    entity: &str,
    entity_id: &str,
) -> Result<Vec<AuditEvent>, StoreError> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let rows = audit_event::Entity::find()
        .filter(audit_event::Column::Entity.eq(entity))
        .filter(audit_event::Column::EntityId.eq(entity_id))
        .order_by_asc(audit_event::Column::Id)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(AuditEvent::from).collect())
}

/// The changes to several entities of one kind, oldest first.
pub async fn for_entities<C: ConnectionTrait>(
    conn: &C,
    entity: &str,
    entity_ids: &[String],
) -> Result<Vec<AuditEvent>, StoreError> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    if entity_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = audit_event::Entity::find()
        .filter(audit_event::Column::Entity.eq(entity))
        .filter(audit_event::Column::EntityId.is_in(entity_ids.iter().cloned()))
        .order_by_asc(audit_event::Column::Id)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(AuditEvent::from).collect())
}

impl From<audit_event::Model> for AuditEvent {
    fn from(r: audit_event::Model) -> Self {
        AuditEvent {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_label: r.actor_label,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
        }
    }
}

/// What to read from the log; every field narrows it.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    pub entity: Option<&'a str>,
    pub entity_id: Option<&'a str>,
    pub actor_id: Option<uuid::Uuid>,
    pub actor_label: Option<&'a str>,
    /// Changes at or after this instant.
    pub from: Option<chrono::DateTime<Utc>>,
    /// Changes before this instant.
    pub until: Option<chrono::DateTime<Utc>>,
}

/// Changes matching `filter`, oldest first, after the id `after`, at most
/// `limit`.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &AuditFilter<'_>,
    after: Option<uuid::Uuid>,
    limit: u64,
) -> Result<Vec<AuditEvent>, StoreError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let q = audit_event::Entity::find()
        .apply_if(filter.entity, |q, e| q.filter(audit_event::Column::Entity.eq(e)))
        .apply_if(filter.entity_id, |q, id| q.filter(audit_event::Column::EntityId.eq(id)))
        .apply_if(filter.actor_id, |q, a| q.filter(audit_event::Column::ActorId.eq(a)))
        .apply_if(filter.actor_label, |q, a| {
            q.filter(audit_event::Column::ActorLabel.eq(a))
        })
        .apply_if(filter.from, |q, f| q.filter(audit_event::Column::At.gte(f)))
        .apply_if(filter.until, |q, u| q.filter(audit_event::Column::At.lt(u)));
    let rows = crate::query::page(q, audit_event::Column::Id, after, limit)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(AuditEvent::from).collect())
}
