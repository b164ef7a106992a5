//! Agencies' machine clients: a `client_id` and the keyed hash of a secret
//! shown once. A revoked client's tokens stop working at once, as every
//! request reads the client afresh.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::audit::Change;
use crate::entities::agency_client;
use crate::query::Found;
use crate::{Actor, Db, StoreError, begin, conflict_on_unique};

/// An agency's machine client, as stored (the secret only as its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub client_id: String,
    pub secret_hash: String,
    pub label: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<agency_client::Model> for Client {
    fn from(m: agency_client::Model) -> Self {
        Client {
            id: m.id,
            agency_id: m.agency_id,
            client_id: m.client_id,
            secret_hash: m.secret_hash,
            label: m.label,
            created_by: m.created_by,
            created_at: m.created_at,
            revoked_at: m.revoked_at,
        }
    }
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    agency_id: Uuid,
    client_id: &str,
    secret_hash: &str,
    label: &str,
) -> Result<Client, StoreError> {
    let tx = begin(db).await?;
    let m = agency_client::ActiveModel {
        id: Set(Uuid::now_v7()),
        agency_id: Set(agency_id),
        client_id: Set(client_id.to_owned()),
        secret_hash: Set(secret_hash.to_owned()),
        label: Set(label.to_owned()),
        created_by: Set(actor.label.clone()),
        created_at: Set(actor.at),
        revoked_at: Set(None),
    };
    let c = agency_client::Entity::insert(m)
        .exec_with_returning(&tx)
        .await
        .map_err(conflict_on_unique("client_id_taken"))?;
    Change::of("agency.client_create", "agency", agency_id)
        .after(serde_json::json!({"client_id": c.client_id, "label": c.label}))
        .commit(tx, actor)
        .await?;
    Ok(c.into())
}

pub async fn list<C: ConnectionTrait>(conn: &C, agency_id: Uuid) -> Result<Vec<Client>, StoreError> {
    Ok(agency_client::Entity::find()
        .filter(agency_client::Column::AgencyId.eq(agency_id))
        .order_by_asc(agency_client::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(Client::from)
        .collect())
}

pub async fn by_client_id<C: ConnectionTrait>(conn: &C, client_id: &str) -> Result<Client, StoreError> {
    agency_client::Entity::find()
        .filter(agency_client::Column::ClientId.eq(client_id))
        .found(conn)
        .await
        .map(Client::from)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Client, StoreError> {
    agency_client::Entity::find_by_id(id)
        .found(conn)
        .await
        .map(Client::from)
}

/// Revokes a client of `agency_id`; revoking again changes nothing.
pub async fn revoke(db: &Db, actor: &Actor, agency_id: Uuid, client_id: &str) -> Result<Client, StoreError> {
    let tx = begin(db).await?;
    let current = agency_client::Entity::find()
        .filter(agency_client::Column::ClientId.eq(client_id))
        .filter(agency_client::Column::AgencyId.eq(agency_id))
        .found(&tx)
        .await?;
    if current.revoked_at.is_some() {
        tx.rollback().await?;
        return Ok(current.into());
    }
    let c = agency_client::Entity::update(agency_client::ActiveModel {
        id: Set(current.id),
        revoked_at: Set(Some(actor.at)),
        ..Default::default()
    })
    .exec(&tx)
    .await?;
    Change::of("agency.client_revoke", "agency", agency_id)
        .after(serde_json::json!({"client_id": c.client_id}))
        .commit(tx, actor)
        .await?;
    Ok(c.into())
}
