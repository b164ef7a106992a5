//! The imperative shell of Lắng Nghe: the actix-web application and the
//! `langnghe` command. Handlers extract and validate input, authorise, call
//! storage and domain, and map the result to a response.

// An `ApiError` is built at most once per refused request and carries the
// whole problem document; boxing it would buy nothing measurable.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod closed_sets;
pub mod config;
pub mod credentials;
pub mod csv;
pub mod demo;
pub mod dto;
pub mod error;
pub mod extract;
pub mod jobs;
pub mod join_budget;
pub mod letters;
pub mod metrics;
pub mod openapi;
pub mod pagination;
pub mod problem_language;
pub mod route_table;
pub mod routes;
pub mod server;
pub mod services;
pub mod state;
pub mod survey_format;
pub mod web_app;
mod web_assets;
pub mod web_console;
pub mod web_public;

pub use clock::{Clock, LOCAL_OFFSET_HOURS, local_day, local_day_start};
// The folder and the purge under the names tools and tests have called
// them by (`langnghe_api::rollup::fold_all`, `langnghe_api::retention::purge`).
pub use jobs::{retention, rollup};

/// The language a request asks for with `Accept-Language` (Vietnamese by
/// default).
pub fn request_lang(req: &actix_web::HttpRequest) -> langnghe_domain::text::Lang {
    req.headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(langnghe_domain::text::Lang::negotiate)
        .unwrap_or_default()
}

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

/// A throttling key: `purpose:` and the keyed hash (the data key) of
/// `value`, so that a stored key tells neither the address nor the account
/// behind it, and cannot be reversed by hashing every IPv4 address.
pub fn throttle_key(data_key: &credentials::DataKey, purpose: &str, value: &str) -> String {
    format!("{purpose}:{}", data_key.hash(&format!("throttle:{purpose}"), value))
}

/// A throttling key for the client's network: an IPv4 address itself, an
/// IPv6 address by its /64 (what one subscriber or one LAN is given, so
/// that rotating through the rest of it buys nothing).
pub fn client_network_key(req: &actix_web::HttpRequest, state: &state::AppState, purpose: &str) -> String {
    let addr = client_address(req, state.trust_forwarded_for);
    let network = match addr.parse::<std::net::IpAddr>() {
        Ok(ip) => network_of(ip),
        // Not an address (a proxy's odd header): counted as it is.
        Err(_) => addr,
    };
    throttle_key(&state.data_key, purpose, &network)
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

/// A random secret of `bytes` bytes, as URL-safe text.
pub fn random_secret(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    data_encoding::BASE64URL_NOPAD.encode(&buf)
}

/// Tells an absent field from an explicit `null` in PATCH bodies:
/// absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
/// Use with `#[serde(default, deserialize_with = "crate::nullable::deserialize")]`.
pub mod nullable {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::network_of;

    #[test]
    fn networks_are_ipv4_addresses_and_ipv6_slash_64s() {
        let check = |input: &str, expect: &str| {
            assert_eq!(network_of(input.parse().unwrap()), expect, "{input}");
        };
        check("203.0.113.7", "203.0.113.7");
        check("::ffff:203.0.113.7", "203.0.113.7");
        check("2001:db8:1:2::1", "2001:db8:1:2::/64");
        check("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64");
        check("2001:db8:1:3::1", "2001:db8:1:3::/64");
        check("::1", "0:0:0:0::/64");
    }
}
