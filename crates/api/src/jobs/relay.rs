//! The webhook relay: claims due events from the outbox for a short lease,
//! posts each to its agency's webhook signed with the agency's secret, and
//! marks it delivered, or schedules a retry with exponential backoff, or —
//! once retries have run for the configured time (a day) — moves it to the
//! dead letters that admins list and replay. Any number of replicas can run
//! a relay: a claimed row is skipped by the others (`FOR UPDATE SKIP
//! LOCKED`), and receivers deduplicate on the event id should a lease ever
//! run out mid-send.

use std::net::SocketAddr;
use std::time::Duration;

use crate::config::WebhookPolicy;
use crate::services::destinations::{check_destination, check_url, pinned_client, signature};
use chrono::{DateTime, Utc};
use langnghe_storage::outbox::{self, Event, Outcome};
use langnghe_storage::{Db, StoreError};

/// The longest wait between two attempts.
pub const MAX_DELAY: Duration = Duration::from_secs(3600);
/// How long a relay holds a claimed event.
const LEASE: chrono::Duration = chrono::Duration::seconds(60);
/// Events claimed at once.
const BATCH: u64 = 20;

/// The delay before the attempt after `failures` failed ones.
pub fn backoff(base: Duration, failures: i32) -> Duration {
    let exp = failures.saturating_sub(1).clamp(0, 20) as u32;
    base.saturating_mul(2u32.pow(exp)).min(MAX_DELAY)
}

async fn attempt(addrs: Vec<SocketAddr>, url: &str, secret: &str, e: &Event, now: DateTime<Utc>) -> Result<(), String> {
    let sig = signature(secret, now.timestamp(), &e.payload);
    let res = pinned_client(addrs)
        .post(url)
        .insert_header((actix_web::http::header::CONTENT_TYPE, "application/json"))
        .insert_header(("Langnghe-Signature", sig))
        .insert_header(("Langnghe-Event-Id", e.id.to_string()))
        .insert_header(("Langnghe-Event-Type", e.event_type.clone()))
        .send_body(e.payload.clone())
        .await
        .map_err(|err| format!("request failed: {err}"))?;
    if res.status().is_success() {
        Ok(())
    } else {
        Err(format!("receiver answered {}", res.status().as_u16()))
    }
}

/// Sends one batch of due events; returns how many were attempted.
pub async fn relay_once(db: &Db, policy: WebhookPolicy, clock: &crate::Clock) -> Result<usize, StoreError> {
    let now = clock.now();
    let events = outbox::claim(db, now, LEASE, BATCH).await?;
    let n = events.len();
    let sends = events.into_iter().map(|e| async move {
        let result = match outbox::endpoint_of(db, &e).await? {
            None => Err("no webhook is configured for it".to_owned()),
            // A URL set while insecure URLs were allowed is not used once
            // they are not.
            Some((url, secret)) => match async {
                check_url(&url, policy.allow_insecure)?;
                check_destination(&url, policy.allow_insecure).await
            }
            .await
            {
                Ok(addrs) => attempt(addrs, &url, &secret, &e, clock.now()).await,
                Err(why) => Err(format!("destination refused: {why}")),
            },
        };
        let after = clock.now();
        let outcome = match result {
            Ok(()) => Outcome::Delivered,
            Err(error) => {
                let delay = backoff(policy.retry_base, e.attempts + 1);
                let at = after + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
                if at > e.queued_at + policy.give_up_after {
                    tracing::warn!(event = %e.id, agency = ?e.agency_id, %error, "webhook event dead-lettered");
                    Outcome::Dead { error }
                } else {
                    Outcome::Retry { at, error }
                }
            }
        };
        if !outbox::settle(db, &e, after, outcome).await? {
            tracing::warn!(event = %e.id, "webhook claim lapsed mid-send; another relay owns the event");
        }
        Ok::<(), StoreError>(())
    });
    for r in futures_util::future::join_all(sends).await {
        r?;
    }
    Ok(n)
}

/// Runs the relay until the task is dropped. It must run on the actix
/// runtime (the HTTP client is not `Send`).
pub fn spawn_relay(db: Db, policy: WebhookPolicy, clock: crate::Clock) -> tokio::task::JoinHandle<()> {
    let idle = policy
        .retry_base
        .clamp(Duration::from_millis(50), Duration::from_secs(1));
    actix_web::rt::spawn(async move {
        loop {
            match relay_once(&db, policy, &clock).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(cause = %e, "webhook relay failed"),
            }
            tokio::time::sleep(idle).await;
        }
    })
}
