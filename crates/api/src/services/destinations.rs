//! Where the service may send a webhook: `https` only (unless insecure
//! destinations are allowed for development), never to a special-purpose
//! or internal address (the IANA registries), checked when the URL is
//! registered and again, with the addresses pinned, at every delivery. And
//! the signature a receiver checks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use hmac::{KeyInit, Mac};
use sha2::Sha256;

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={t},v1={}",
        data_encoding::HEXLOWER.encode(&mac.finalize().into_bytes())
    )
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

/// How long a receiver has to answer.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
