//! The append-only audit log: who changed what, when, before and after. This
//! module only inserts and reads; nothing in the code base updates or
//! deletes an audit row.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
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

/// A row's state for the log.
pub fn snapshot<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

pub async fn record<C: ConnectionTrait>(conn: &C, actor: &Actor, change: Change<'_>) -> Result<(), StoreError> {
    let row = audit_event::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        at: Set(Utc::now()),
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
    Ok(rows
        .into_iter()
        .map(|r| AuditEvent {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_label: r.actor_label,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
        })
        .collect())
}
