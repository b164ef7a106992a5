//! The webhook relay: claims due events from the outbox for a short lease,
//! posts each to its agency's webhook signed with the agency's secret, and
//! marks it delivered, or schedules a retry with exponential backoff, or —
//! once retries have run for the configured time (a day) — moves it to the
//! dead letters that admins list and replay. Any number of replicas can run
//! a relay: a claimed row is skipped by the others (`FOR UPDATE SKIP
//! LOCKED`), and receivers deduplicate on the event id should a lease ever
//! run out mid-send.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{KeyInit, Mac};
use langnghe_storage::outbox::{self, Event, Outcome};
use langnghe_storage::{Db, StoreError};
use sha2::Sha256;

/// How webhooks are sent and retried.
#[derive(Debug, Clone, Copy)]
pub struct WebhookPolicy {
    /// Plain `http://` URLs and hosts on private or local addresses are
    /// accepted (development and tests only).
    pub allow_insecure: bool,
    /// The first retry's delay; each next one doubles, up to an hour.
    pub retry_base: Duration,
    /// Retries stop, and the event becomes a dead letter, this long after
    /// it was queued.
    pub give_up_after: chrono::Duration,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        WebhookPolicy {
            allow_insecure: false,
            retry_base: Duration::from_secs(30),
            give_up_after: chrono::Duration::hours(24),
        }
    }
}

/// The longest wait between two attempts.
pub const MAX_DELAY: Duration = Duration::from_secs(3600);
/// How long a relay holds a claimed event.
const LEASE: chrono::Duration = chrono::Duration::seconds(60);
/// How long a receiver has to answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Events claimed at once.
const BATCH: u64 = 20;

/// The delay before the attempt after `failures` failed ones.
pub fn backoff(base: Duration, failures: i32) -> Duration {
    let exp = failures.saturating_sub(1).clamp(0, 20) as u32;
    base.saturating_mul(2u32.pow(exp)).min(MAX_DELAY)
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether a webhook URL may be registered: absolute, `https` (or `http`
/// when allowed), with a host and no credentials in it.
pub fn check_url(url: &str, allow_insecure: bool) -> Result<(), &'static str> {
    if url.len() > 2000 {
        return Err("at most 2000 characters");
    }
    let uri: actix_web::http::Uri = url.parse().map_err(|_| "not a URL")?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if allow_insecure => {}
        _ => return Err("an https:// URL"),
    }
    let authority = uri.authority().ok_or("a URL with a host")?;
    if authority.as_str().contains('@') {
        return Err("no credentials in the URL");
    }
    if authority.host().is_empty() {
        return Err("a URL with a host");
    }
    Ok(())
}

/// Addresses a webhook must not reach, so that a registered URL cannot
/// make the service call into its own network: loopback, private,
/// link-local, carrier-grade NAT, unique-local, multicast, unspecified.
pub fn internal_address(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| internal_address(IpAddr::V4(v4)))
        }
    }
}

/// Resolves the URL's host and refuses it when it does not resolve or any
/// of its addresses is internal (unless insecure destinations are
/// allowed). Checked when the webhook is registered and before every send.
pub async fn check_destination(url: &str, allow_insecure: bool) -> Result<(), &'static str> {
    let uri: actix_web::http::Uri = url.parse().map_err(|_| "not a URL")?;
    let host = uri
        .host()
        .ok_or("a URL with a host")?
        .trim_matches(['[', ']'])
        .to_owned();
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("http") { 80 } else { 443 });
    let lookup = tokio::net::lookup_host((host.as_str(), port));
    let addrs: Vec<std::net::SocketAddr> = tokio::time::timeout(Duration::from_secs(5), lookup)
        .await
        .map_err(|_| "the host does not resolve in time")?
        .map_err(|_| "the host does not resolve")?
        .collect();
    if addrs.is_empty() {
        return Err("the host does not resolve");
    }
    if !allow_insecure && addrs.iter().any(|a| internal_address(a.ip())) {
        return Err("the host is on a private or local address");
    }
    Ok(())
}

/// The HTTP client the relay sends with: TLS with the Mozilla roots, no
/// redirects followed (a redirect is a failed attempt).
pub fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(SEND_TIMEOUT)
        .disable_redirects()
        .add_default_header((actix_web::http::header::USER_AGENT, "LangNghe-Webhooks/1"))
        .finish()
}

async fn attempt(client: &awc::Client, url: &str, secret: &str, e: &Event, now: DateTime<Utc>) -> Result<(), String> {
    let sig = signature(secret, now.timestamp(), &e.payload);
    let res = client
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
pub async fn relay_once(
    db: &Db,
    client: &awc::Client,
    policy: WebhookPolicy,
    clock: &crate::Clock,
) -> Result<usize, StoreError> {
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
                Ok(()) => attempt(client, &url, &secret, &e, clock.now()).await,
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
        let client = client();
        loop {
            match relay_once(&db, &client, policy, &clock).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(cause = %e, "webhook relay failed"),
            }
            tokio::time::sleep(idle).await;
        }
    })
}
