//! The outbox of webhook events: written in the transaction of the change
//! they announce, claimed by a relay for a short lease (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL, so two replicas never claim the same row), sent,
//! then marked delivered, rescheduled or dead.

use chrono::{DateTime, Utc};
use langnghe_domain::recommendation::WebhookStatus;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Statement,
};
use uuid::Uuid;

use crate::audit::Change;
use crate::entities::{agency_webhook, outbox, safeguarding_webhook};
use crate::query::{Found, aggregates, count_in, upsert};
use crate::{Actor, Db, StoreError, begin};

/// An event as the relay sends it and an admin reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: Uuid,
    /// `None` for the safeguarding endpoint's events.
    pub agency_id: Option<Uuid>,
    pub event_type: String,
    /// The JSON body sent, exactly as signed.
    pub payload: String,
    pub status: WebhookStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    /// The end of the claim a relay holds on it: its claim token.
    pub locked_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub queued_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A stored row as an event; an unknown status is an error.
fn event_of(m: outbox::Model) -> Result<Event, StoreError> {
    Ok(Event {
        id: m.id,
        agency_id: m.agency_id,
        event_type: m.event_type,
        payload: m.payload,
        status: crate::names::read(&m.status)?,
        attempts: m.attempts,
        next_attempt_at: m.next_attempt_at,
        locked_until: m.locked_until,
        last_error: m.last_error,
        queued_at: m.queued_at,
        delivered_at: m.delivered_at,
    })
}

/// Queues an event for the agency's webhook, inside the caller's
/// transaction. Nothing is queued for an agency without a webhook.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    agency_id: Uuid,
    event_type: &str,
    data: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, StoreError> {
    if agency_webhook::Entity::find_by_id(agency_id).one(conn).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(insert(conn, Some(agency_id), event_type, data, now).await?))
}

/// Queues an event for the safeguarding endpoint, inside the caller's
/// transaction; nothing when no endpoint is configured. The data must hold
/// no child's words.
pub async fn enqueue_safeguarding<C: ConnectionTrait>(
    conn: &C,
    event_type: &str,
    data: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, StoreError> {
    if safeguarding_webhook::Entity::find_by_id(SAFEGUARDING)
        .one(conn)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    Ok(Some(insert(conn, None, event_type, data, now).await?))
}

/// The one row of `safeguarding_webhook`.
const SAFEGUARDING: i32 = 1;

async fn insert<C: ConnectionTrait>(
    conn: &C,
    agency_id: Option<Uuid>,
    event_type: &str,
    data: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let payload = serde_json::json!({
        "id": id,
        "type": event_type,
        "created_at": now,
        "agency_id": agency_id,
        "data": data,
    });
    outbox::Entity::insert(outbox::ActiveModel {
        id: Set(id),
        agency_id: Set(agency_id),
        event_type: Set(event_type.to_owned()),
        payload: Set(payload.to_string()),
        status: Set(WebhookStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        queued_at: Set(now),
        delivered_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(id)
}

/// Queues a `webhook.test` event (the agency has a webhook).
pub async fn enqueue_test(db: &Db, actor: &Actor, agency_id: Uuid) -> Result<Option<Uuid>, StoreError> {
    let tx = begin(db).await?;
    let id = enqueue(
        &tx,
        agency_id,
        "webhook.test",
        &serde_json::json!({"message": "Lắng Nghe webhook test"}),
        actor.at,
    )
    .await?;
    if id.is_some() {
        Change::of("webhook.test", "agency", agency_id)
            .record(&tx, actor)
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Claims up to `limit` due events for `lease`: no other relay claims them
/// until the lease ends, and a relay that dies mid-send leaves them to be
/// claimed again after it.
pub async fn claim(db: &Db, now: DateTime<Utc>, lease: chrono::Duration, limit: u64) -> Result<Vec<Event>, StoreError> {
    let backend = db.get_database_backend();
    // Microseconds, as both databases keep them, so the claim reads back
    // equal to what `settle` compares.
    let until = chrono::SubsecRound::trunc_subsecs(now + lease, 6);
    let tx = begin(db).await?;
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "UPDATE outbox SET locked_until = $1 WHERE id IN (SELECT id FROM outbox \
             WHERE status = 'pending' AND next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until <= $2) \
             ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING *"
        }
        // SQLite has one writer at a time: the immediate transaction is
        // the lock.
        _ => {
            "UPDATE outbox SET locked_until = ? WHERE id IN (SELECT id FROM outbox \
             WHERE status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?) \
             ORDER BY next_attempt_at, id LIMIT ?) RETURNING *"
        }
    };
    let values: Vec<sea_orm::Value> = match backend {
        DatabaseBackend::Postgres => vec![until.into(), now.into(), (limit as i64).into()],
        _ => vec![until.into(), now.into(), now.into(), (limit as i64).into()],
    };
    let rows = tx
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let mut events = Vec::with_capacity(rows.len());
    for r in rows {
        events.push(event_of(outbox::Model::from_query_result(&r, "")?)?);
    }
    tx.commit().await?;
    events.sort_by_key(|e| (e.next_attempt_at, e.id));
    Ok(events)
}

/// Where to send an event and the secret to sign it with: its agency's
/// webhook, or the safeguarding endpoint.
pub async fn endpoint_of<C: ConnectionTrait>(conn: &C, e: &Event) -> Result<Option<(String, String)>, StoreError> {
    match e.agency_id {
        Some(a) => webhook_of(conn, a).await,
        None => safeguarding_webhook(conn).await,
    }
}

/// The safeguarding endpoint and its secret, if configured.
pub async fn safeguarding_webhook<C: ConnectionTrait>(conn: &C) -> Result<Option<(String, String)>, StoreError> {
    Ok(safeguarding_webhook::Entity::find_by_id(SAFEGUARDING)
        .one(conn)
        .await?
        .map(|w| (w.url, w.secret)))
}

/// Sets the safeguarding endpoint (an admin); audited without the secret.
pub async fn set_safeguarding_webhook(db: &Db, actor: &Actor, url: &str, secret: &str) -> Result<(), StoreError> {
    use safeguarding_webhook::Column;
    let tx = begin(db).await?;
    let row = safeguarding_webhook::ActiveModel {
        id: Set(SAFEGUARDING),
        url: Set(url.to_owned()),
        secret: Set(secret.to_owned()),
        updated_at: Set(actor.at),
    };
    upsert(&tx, row, Column::Id, [Column::Url, Column::Secret, Column::UpdatedAt]).await?;
    Change::of_all("safeguarding_webhook.set", "safeguarding_webhook")
        .after(serde_json::json!({"url": url}))
        .commit(tx, actor)
        .await?;
    Ok(())
}

/// Where to send an agency's events and the secret to sign them with.
pub async fn webhook_of<C: ConnectionTrait>(conn: &C, agency_id: Uuid) -> Result<Option<(String, String)>, StoreError> {
    Ok(agency_webhook::Entity::find_by_id(agency_id)
        .one(conn)
        .await?
        .map(|w| (w.url, w.secret)))
}

/// What became of one attempt.
#[derive(Debug, Clone)]
pub enum Outcome {
    Delivered,
    Retry { at: DateTime<Utc>, error: String },
    Dead { error: String },
}

/// Records what became of an attempt, if the relay still holds its claim:
/// a relay whose lease ran out mid-send (and whose event another relay has
/// since claimed or delivered) changes nothing. `false` then.
pub async fn settle(db: &Db, e: &Event, now: DateTime<Utc>, outcome: Outcome) -> Result<bool, StoreError> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let Some(claim) = e.locked_until else {
        return Ok(false);
    };
    let mut q = outbox::Entity::update_many()
        .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).add(1))
        .col_expr(outbox::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None));
    q = match outcome {
        Outcome::Delivered => q
            .col_expr(outbox::Column::Status, Expr::value(WebhookStatus::Delivered.as_str()))
            .col_expr(outbox::Column::DeliveredAt, Expr::value(Some(now)))
            .col_expr(outbox::Column::LastError, Expr::value(Option::<String>::None)),
        Outcome::Retry { at, error } => q
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(at))
            .col_expr(outbox::Column::LastError, Expr::value(Some(error))),
        Outcome::Dead { error } => q
            .col_expr(outbox::Column::Status, Expr::value(WebhookStatus::Dead.as_str()))
            .col_expr(outbox::Column::LastError, Expr::value(Some(error))),
    };
    let done = q
        .filter(outbox::Column::Id.eq(e.id))
        .filter(outbox::Column::Status.eq(WebhookStatus::Pending.as_str()))
        .filter(outbox::Column::LockedUntil.eq(claim))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Events of one agency (or all), newest first, before `before`.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    status: Option<WebhookStatus>,
    agency_id: Option<Uuid>,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Event>, StoreError> {
    let q = outbox::Entity::find()
        .apply_if(status, |q, s| q.filter(outbox::Column::Status.eq(s.as_str())))
        .apply_if(agency_id, |q, a| q.filter(outbox::Column::AgencyId.eq(a)))
        .apply_if(before, |q, b| q.filter(outbox::Column::Id.lt(b)));
    q.order_by_desc(outbox::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(event_of)
        .collect()
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Event, StoreError> {
    event_of(outbox::Entity::find_by_id(id).found(conn).await?)
}

/// Puts a dead event back in the queue, with a fresh day of retries; the
/// same event id, so a receiver that got it after all deduplicates it.
/// `false` when the event is not dead.
pub async fn replay(db: &Db, actor: &Actor, id: Uuid) -> Result<bool, StoreError> {
    let tx = begin(db).await?;
    let current = outbox::Entity::find_by_id(id).lock_exclusive().found(&tx).await?;
    if crate::names::read::<WebhookStatus>(&current.status)? != WebhookStatus::Dead {
        tx.rollback().await?;
        return Ok(false);
    }
    let now = actor.at;
    outbox::Entity::update(outbox::ActiveModel {
        id: Set(id),
        status: Set(WebhookStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        queued_at: Set(now),
        ..Default::default()
    })
    .exec(&tx)
    .await?;
    Change::of("webhook.replay", "outbox", id)
        .before(serde_json::json!({"status": WebhookStatus::Dead.as_str(), "attempts": current.attempts}))
        .after(serde_json::json!({"status": WebhookStatus::Pending.as_str()}))
        .commit(tx, actor)
        .await?;
    Ok(true)
}

/// Sets an agency's webhook, with a new secret. Audited without the secret.
pub async fn set_webhook(db: &Db, actor: &Actor, agency_id: Uuid, url: &str, secret: &str) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let before = agency_webhook::Entity::find_by_id(agency_id).one(&tx).await?;
    let row = agency_webhook::ActiveModel {
        agency_id: Set(agency_id),
        url: Set(url.to_owned()),
        secret: Set(secret.to_owned()),
        updated_at: Set(actor.at),
    };
    // Two first registrations at once: the later one wins, no error.
    use agency_webhook::Column;
    upsert(
        &tx,
        row,
        Column::AgencyId,
        [Column::Url, Column::Secret, Column::UpdatedAt],
    )
    .await?;
    Change::of("agency.webhook_set", "agency", agency_id)
        .before(before.map(|b| serde_json::json!({"url": b.url})))
        .after(serde_json::json!({"url": url}))
        .commit(tx, actor)
        .await?;
    Ok(())
}

/// Deletes events delivered before `cutoff` (retention). Dead letters stay
/// until an admin replays them.
pub async fn delete_delivered(db: &Db, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(outbox::Entity::delete_many()
        .filter(outbox::Column::Status.eq(WebhookStatus::Delivered.as_str()))
        .filter(outbox::Column::DeliveredAt.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected)
}

/// Whether any event is still pending (for tests and shutdown).
pub async fn pending_count<C: ConnectionTrait>(conn: &C) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(outbox::Entity::find()
        .filter(outbox::Column::Status.eq(WebhookStatus::Pending.as_str()))
        .count(conn)
        .await?)
}

/// What an operator watches of the outbox: events waiting to be sent, when
/// the oldest of them was queued, and dead letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    pub queued: u64,
    pub oldest_queued_at: Option<DateTime<Utc>>,
    pub dead: u64,
}

/// Counts stop here, so that reading the backlog stays cheap however long
/// the queue grows.
pub const BACKLOG_COUNT_CAP: u64 = 100_000;

/// The outbox's backlog, in one bounded statement.
pub async fn backlog<C: ConnectionTrait>(conn: &C) -> Result<Backlog, StoreError> {
    let sql = format!(
        "SELECT \
           (SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE status = 'pending' LIMIT {cap}) p) AS queued, \
           (SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE status = 'dead' LIMIT {cap}) d) AS dead, \
           (SELECT MIN(queued_at) FROM outbox WHERE status = 'pending') AS oldest",
        cap = BACKLOG_COUNT_CAP
    );
    let row = aggregates(conn, sql).await?;
    Ok(Backlog {
        queued: count_in(&row, "queued")?,
        oldest_queued_at: row.try_get::<Option<DateTime<Utc>>>("", "oldest")?,
        dead: count_in(&row, "dead")?,
    })
}
