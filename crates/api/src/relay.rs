//! The webhook relay: claims due events from the outbox for a short lease,
//! posts each to its agency's webhook signed with the agency's secret, and
//! marks it delivered, or schedules a retry with exponential backoff, or —
//! once retries have run for the configured time (a day) — moves it to the
//! dead letters that admins list and replay. Any number of replicas can run
//! a relay: a claimed row is skipped by the others (`FOR UPDATE SKIP
//! LOCKED`), and receivers deduplicate on the event id should a lease ever
//! run out mid-send.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
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

/// The IPv4 blocks of the IANA special-purpose address registry, with
/// multicast and the reserved 240/4 (which holds the limited broadcast):
/// a webhook reaches none of them, so that a registered URL cannot make the
/// service call into its own network (or a network it should not speak
/// for).
pub const SPECIAL_V4: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8, "this network"),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private use"),
    (
        Ipv4Addr::new(100, 64, 0, 0),
        10,
        "shared address space (carrier-grade NAT)",
    ),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback"),
    (Ipv4Addr::new(169, 254, 0, 0), 16, "link local"),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private use"),
    (Ipv4Addr::new(192, 0, 0, 0), 24, "IETF protocol assignments"),
    (Ipv4Addr::new(192, 0, 2, 0), 24, "documentation (TEST-NET-1)"),
    (Ipv4Addr::new(192, 31, 196, 0), 24, "AS112-v4"),
    (Ipv4Addr::new(192, 52, 193, 0), 24, "AMT"),
    (Ipv4Addr::new(192, 88, 99, 0), 24, "deprecated 6to4 relay anycast"),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "private use"),
    (Ipv4Addr::new(192, 175, 48, 0), 24, "direct delegation AS112 service"),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "benchmarking"),
    (Ipv4Addr::new(198, 51, 100, 0), 24, "documentation (TEST-NET-2)"),
    (Ipv4Addr::new(203, 0, 113, 0), 24, "documentation (TEST-NET-3)"),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast"),
    (Ipv4Addr::new(240, 0, 0, 0), 4, "reserved (and limited broadcast)"),
];

/// The IPv6 blocks of the IANA special-purpose address registry, with
/// multicast and the deprecated site-local and IPv4-compatible forms. An
/// IPv4-mapped address (`::ffff:0:0/96`) and a 6to4 one (`2002::/16`) are
/// judged by the IPv4 address inside them; anything outside global unicast
/// (`2000::/3`) is refused as well.
pub const SPECIAL_V6: &[(Ipv6Addr, u8, &str)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 128, "unspecified"),
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1), 128, "loopback"),
    (
        Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0),
        96,
        "IPv4-compatible (deprecated)",
    ),
    (Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, 0, 0), 96, "IPv4-translated"),
    (
        Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0),
        96,
        "IPv4-IPv6 translation (NAT64)",
    ),
    (
        Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
        48,
        "IPv4-IPv6 translation (local use)",
    ),
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64, "discard only"),
    (Ipv6Addr::new(0x100, 0, 0, 1, 0, 0, 0, 0), 64, "dummy prefix"),
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        23,
        "IETF protocol assignments (Teredo, ORCHID, benchmarking …)",
    ),
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32, "documentation"),
    (
        Ipv6Addr::new(0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0),
        48,
        "direct delegation AS112 service",
    ),
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20, "documentation"),
    (
        Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0),
        16,
        "segment routing (SRv6) SIDs",
    ),
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7, "unique local"),
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, "link local"),
    (
        Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0),
        10,
        "site local (deprecated)",
    ),
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, "multicast"),
];

fn within(ip: u128, net: u128, prefix: u8, bits: u8) -> bool {
    let shift = u32::from(bits - prefix.min(bits));
    ip.checked_shr(shift).unwrap_or(0) == net.checked_shr(shift).unwrap_or(0)
}

/// The special-purpose block `ip` falls in, if any (see [`SPECIAL_V4`] and
/// [`SPECIAL_V6`]); an IPv4-mapped or 6to4 address answers for the IPv4
/// address inside it.
pub fn special_purpose(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => SPECIAL_V4
            .iter()
            .find(|(net, prefix, _)| within(u128::from(u32::from(v4)), u128::from(u32::from(*net)), *prefix, 32))
            .map(|(_, _, name)| *name),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return special_purpose(IpAddr::V4(v4));
            }
            let s = v6.segments();
            if s[0] == 0x2002 {
                let v4 = Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2]));
                return special_purpose(IpAddr::V4(v4)).map(|_| "6to4 of a special-purpose IPv4 address");
            }
            let special = SPECIAL_V6
                .iter()
                .find(|(net, prefix, _)| within(u128::from(v6), u128::from(*net), *prefix, 128))
                .map(|(_, _, name)| *name);
            // Public IPv6 unicast is all in 2000::/3; outside it, nothing a
            // webhook needs (reserved, unassigned, or listed above).
            special.or_else(|| (s[0] & 0xe000 != 0x2000).then_some("not global unicast (outside 2000::/3)"))
        }
    }
}

/// Whether a webhook must not reach `ip` (it is in a special-purpose block).
pub fn internal_address(ip: IpAddr) -> bool {
    special_purpose(ip).is_some()
}

/// Resolves the URL's host once and refuses it when it does not resolve or
/// any of its addresses is special-purpose (unless insecure destinations
/// are allowed). Checked when the webhook is registered and before every
/// send, which then connects to exactly the addresses returned
/// ([`pinned_client`]): no second lookup can swap in another address.
pub async fn check_destination(url: &str, allow_insecure: bool) -> Result<Vec<SocketAddr>, &'static str> {
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
    let addrs: Vec<SocketAddr> = tokio::time::timeout(Duration::from_secs(5), lookup)
        .await
        .map_err(|_| "the host does not resolve in time")?
        .map_err(|_| "the host does not resolve")?
        .collect();
    if addrs.is_empty() {
        return Err("the host does not resolve");
    }
    if !allow_insecure && addrs.iter().any(|a| internal_address(a.ip())) {
        return Err(
            "the host is on a special-purpose address (private, local, shared, documentation, benchmarking, multicast, reserved …)",
        );
    }
    Ok(addrs)
}

/// Answers every lookup with the addresses given, whatever the host.
struct Pinned(Vec<SocketAddr>);

impl actix_tls::connect::Resolve for Pinned {
    fn lookup<'a>(
        &'a self,
        _host: &'a str,
        _port: u16,
    ) -> futures_util::future::LocalBoxFuture<'a, Result<Vec<SocketAddr>, Box<dyn std::error::Error>>> {
        Box::pin(std::future::ready(Ok(self.0.clone())))
    }
}

/// An HTTP client that connects to `addrs` only (the addresses
/// [`check_destination`] checked), whatever the URL's host would resolve
/// to now, while the host still names the `Host` header and the TLS server
/// name. TLS with the Mozilla roots; no redirects followed (a redirect is a
/// failed attempt).
pub fn pinned_client(addrs: Vec<SocketAddr>) -> awc::Client {
    let tcp = actix_tls::connect::Connector::new(actix_tls::connect::Resolver::custom(Pinned(addrs))).service();
    awc::Client::builder()
        .connector(awc::Connector::new().connector(tcp).timeout(SEND_TIMEOUT))
        .timeout(SEND_TIMEOUT)
        .disable_redirects()
        .add_default_header((actix_web::http::header::USER_AGENT, "LangNghe-Webhooks/1"))
        .finish()
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
