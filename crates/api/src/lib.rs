//! The imperative shell of Lắng Nghe: the actix-web application and the
//! `langnghe` command. Handlers extract and validate input, authorise, call
//! storage and domain, and map the result to a response.

// An `ApiError` is built at most once per refused request and carries the
// whole problem document; boxing it would buy nothing measurable.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod cache;
pub mod chasing;
pub mod cli;
pub mod clock;
pub mod config;
pub mod csv;
pub mod demo;
pub mod error;
pub mod extract;
pub mod figures;
pub mod intake;
pub mod metrics;
pub mod openapi;
pub mod pagination;
pub mod relay;
pub mod retention;
pub mod rollup;
pub mod routes;
pub mod server;
pub mod state;
pub mod submissions;

pub use clock::{Clock, LOCAL_OFFSET_HOURS, local_day, local_day_start};

/// The language a request asks for with `Accept-Language` (Vietnamese by
/// default).
pub fn request_lang(req: &actix_web::HttpRequest) -> langnghe_domain::text::Lang {
    req.headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(langnghe_domain::text::Lang::negotiate)
        .unwrap_or_default()
}

/// A throttling key for the client's address (`purpose:` + a hash, so the
/// address itself is never stored). `X-Forwarded-For` is believed only
/// behind a trusted load balancer.
pub fn client_address_key(req: &actix_web::HttpRequest, trust_forwarded_for: bool, purpose: &str) -> String {
    use sha2::{Digest, Sha256};
    let forwarded = trust_forwarded_for
        .then(|| {
            req.headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(|v| v.trim().to_owned())
        })
        .flatten();
    let addr = forwarded
        .or_else(|| req.peer_addr().map(|a| a.ip().to_string()))
        .unwrap_or_default();
    format!("{purpose}:{}", hex::encode(&Sha256::digest(addr.as_bytes())[..12]))
}

/// A random secret of `bytes` bytes, as URL-safe text.
pub fn random_secret(bytes: usize) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
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
