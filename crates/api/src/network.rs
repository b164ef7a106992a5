//! Who is asking, for the throttles: the client's address (behind a
//! trusted load balancer, from `X-Forwarded-For`) and the network it
//! belongs to.

/// The client's address, as text. `X-Forwarded-For` is believed only
/// behind a trusted load balancer.
pub fn client_address(req: &actix_web::HttpRequest, trust_forwarded_for: bool) -> String {
    let forwarded = trust_forwarded_for
        .then(|| {
            req.headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(|v| v.trim().to_owned())
        })
        .flatten();
    forwarded
        .or_else(|| req.peer_addr().map(|a| a.ip().to_string()))
        .unwrap_or_default()
}

/// A throttling key for the client's network: an IPv4 address itself, an
/// IPv6 address by its /64 (what one subscriber or one LAN is given, so
/// that rotating through the rest of it buys nothing).
pub fn client_network_key(req: &actix_web::HttpRequest, state: &crate::state::AppState, purpose: &str) -> String {
    let addr = client_address(req, state.trust_forwarded_for);
    let network = match addr.parse::<std::net::IpAddr>() {
        Ok(ip) => network_of(ip),
        // Not an address (a proxy's odd header): counted as it is.
        Err(_) => addr,
    };
    crate::credentials::throttle_key(&state.data_key, purpose, &network)
}

/// An IPv4 address (also written IPv4-mapped in IPv6) as itself; an IPv6
/// address as its /64.
pub fn network_of(ip: std::net::IpAddr) -> String {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}
