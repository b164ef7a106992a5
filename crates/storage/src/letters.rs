//! Agencies' official letters (công văn) attached to their replies: which
//! object holds a delivery's letter, its size and digest, and whether the
//! agency made it public. The bytes live in the object store the service
//! is configured with, never in the database.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, Change, snapshot};
use crate::entities::{delivery, reply_letter};
use crate::query::{Found, upsert};
use crate::{Actor, Db, StoreError, begin};

/// A delivery's letter: the object in the store that holds it, its size and
/// digest, and whether the agency made it public.
#[derive(Debug, Clone, Serialize)]
pub struct Letter {
    pub delivery_id: Uuid,
    pub agency_id: Uuid,
    pub object_key: String,
    pub bytes: i64,
    pub sha256: String,
    pub public: bool,
}

/// A delivery's letter, as stored: with when it was uploaded.
#[derive(Debug, Clone, Serialize)]
pub struct LetterRow {
    #[serde(flatten)]
    pub letter: Letter,
    pub uploaded_at: DateTime<Utc>,
}

fn row(m: reply_letter::Model) -> LetterRow {
    LetterRow {
        letter: Letter {
            delivery_id: m.delivery_id,
            agency_id: m.agency_id,
            object_key: m.object_key,
            bytes: m.bytes,
            sha256: m.sha256,
            public: m.public,
        },
        uploaded_at: m.uploaded_at,
    }
}

/// Records `letter` as its delivery's letter, replacing an earlier one
/// (whose object key is returned, for the caller to delete once this is
/// committed), audited in the same transaction. The delivery must be the
/// agency's: another agency's is not found.
pub async fn put(db: &Db, actor: &Actor, letter: Letter) -> Result<(LetterRow, Option<String>), StoreError> {
    let tx = begin(db).await?;
    delivery::Entity::find_by_id(letter.delivery_id)
        .filter(delivery::Column::AgencyId.eq(letter.agency_id))
        .found(&tx)
        .await?;
    let before = reply_letter::Entity::find_by_id(letter.delivery_id)
        .one(&tx)
        .await?
        .map(row);
    let model = reply_letter::ActiveModel {
        delivery_id: Set(letter.delivery_id),
        agency_id: Set(letter.agency_id),
        object_key: Set(letter.object_key),
        bytes: Set(letter.bytes),
        sha256: Set(letter.sha256),
        public: Set(letter.public),
        uploaded_by: Set(actor.id),
        uploaded_at: Set(actor.at),
    };
    use reply_letter::Column;
    let replaced = [
        Column::ObjectKey,
        Column::Bytes,
        Column::Sha256,
        Column::Public,
        Column::UploadedBy,
        Column::UploadedAt,
    ];
    upsert(&tx, model, Column::DeliveryId, replaced).await?;
    let after = reply_letter::Entity::find_by_id(letter.delivery_id)
        .one(&tx)
        .await?
        .map(row)
        .ok_or(StoreError::NotFound)?;
    audit::record(
        &tx,
        actor,
        Change {
            action: "delivery.letter",
            entity: "delivery",
            entity_id: Some(after.letter.delivery_id.to_string()),
            before: before.as_ref().and_then(snapshot),
            after: snapshot(&after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((after, before.map(|b| b.letter.object_key)))
}

/// The letter of a delivery, if it has one.
pub async fn get<C: ConnectionTrait>(conn: &C, delivery_id: Uuid) -> Result<LetterRow, StoreError> {
    reply_letter::Entity::find_by_id(delivery_id)
        .one(conn)
        .await?
        .map(row)
        .ok_or(StoreError::NotFound)
}

/// The public letters of the deliveries of `recommendations`, in one query
/// each for deliveries and letters.
pub async fn public_of<C: ConnectionTrait>(conn: &C, recommendations: &[Uuid]) -> Result<Vec<LetterRow>, StoreError> {
    if recommendations.is_empty() {
        return Ok(Vec::new());
    }
    let deliveries: Vec<Uuid> = delivery::Entity::find()
        .filter(delivery::Column::RecommendationId.is_in(recommendations.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    let letters = reply_letter::Entity::find()
        .filter(reply_letter::Column::DeliveryId.is_in(deliveries))
        .filter(reply_letter::Column::Public.eq(true))
        .all(conn)
        .await?;
    Ok(letters.into_iter().map(row).collect())
}
