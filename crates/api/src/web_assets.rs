//! What the three web clients (`web_app`, `web_console`, `web_public`)
//! share: a file embedded in the binary, the list that is all a client
//! serves, and the headers every client's files carry.

use actix_web::HttpResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::DefaultHeaders;

/// One embedded file of a client.
pub(crate) struct Asset {
    pub(crate) name: &'static str,
    pub(crate) mime: &'static str,
    pub(crate) body: &'static [u8],
}

/// `embed!("console", "api.js", JS)`: the file `web/console/api.js`,
/// read into the binary at compile time.
macro_rules! embed {
    ($dir:literal, $name:literal, $mime:expr) => {
        $crate::web_assets::Asset {
            name: $name,
            mime: $mime,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/", $dir, "/", $name)),
        }
    };
}
pub(crate) use embed;

pub(crate) const HTML: &str = "text/html; charset=utf-8";
pub(crate) const CSS: &str = "text/css; charset=utf-8";
pub(crate) const JS: &str = "text/javascript; charset=utf-8";

/// The headers of every file a client serves: its policy, no referrer,
/// no camera, microphone or location, no guessing of types, and a check
/// with the server before a cached copy is used (a new release is seen at
/// once).
pub(crate) fn headers(csp: &'static str) -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, csp))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::CACHE_CONTROL, "no-cache"))
}

pub(crate) fn serve(asset: &Asset) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(asset.mime)))
        .body(asset.body)
}

/// The file of that name, or the API's 404 problem: a file not listed is
/// not served.
pub(crate) fn find(assets: &[Asset], name: &str) -> HttpResponse {
    match assets.iter().find(|a| a.name == name) {
        Some(a) => serve(a),
        None => not_found(),
    }
}

pub(crate) fn not_found() -> HttpResponse {
    actix_web::ResponseError::error_response(&crate::error::ApiError::not_found("file"))
}
