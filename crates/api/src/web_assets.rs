//! What the three web clients (`web_app`, `web_console`, `web_public`)
//! share: a file embedded in the binary, the list that is all a client
//! serves, and the headers every client's files carry.

use actix_web::HttpResponse;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};

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

/// `assets!("console", ["index.html" => HTML, "api.js" => JS])`: the files
/// of one directory of `web/`, each [`embed!`]ded, as the list a client
/// serves.
macro_rules! assets {
    ($dir:literal, [$($name:literal => $mime:expr),* $(,)?]) => {
        &[$($crate::web_assets::embed!($dir, $name, $mime)),*]
    };
}
pub(crate) use assets;

/// `files_scope!("/app", CSP)`: the scope a client's files are served in,
/// compressed, with the [`headers`] of `CSP`, answering 304 while a cached
/// copy is still the same ([`not_modified`]).
macro_rules! files_scope {
    ($path:literal, $csp:expr) => {
        actix_web::web::scope($path)
            .wrap(actix_web::middleware::Compress::default())
            .wrap(actix_web::middleware::from_fn($crate::web_assets::not_modified))
            .wrap($crate::web_assets::headers($csp))
    };
}
pub(crate) use files_scope;

pub(crate) const HTML: &str = "text/html; charset=utf-8";
pub(crate) const CSS: &str = "text/css; charset=utf-8";
pub(crate) const JS: &str = "text/javascript; charset=utf-8";

/// The headers of every file a client serves: its policy, no referrer,
/// no camera, microphone or location, no guessing of types, and a check
/// with the server before a cached copy is used (a new release is seen at
/// once; the check costs a 304 and no body while the file is the same,
/// see [`not_modified`]).
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
        .insert_header((header::ETAG, etag(asset.body)))
        .body(asset.body)
}

/// A validator of a file's bytes: one release serves one tag on every
/// replica. Weak, because the same bytes go out compressed or not.
fn etag(body: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    // SipHash with fixed keys: the same bytes give the same tag in every
    // process of one build.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    format!("W/\"{:016x}\"", h.finish())
}

/// Whether an `If-None-Match` list names `tag` (compared weakly, as
/// RFC 9110 asks for this header), or is `*`.
fn names(asked: &str, tag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    asked.split(',').any(|t| t.trim() == "*" || bare(t) == bare(tag))
}

/// A file the browser already holds (its `If-None-Match` names the file's
/// tag) is answered 304 with no body: on a child's flaky connection a
/// revisit checks each file in a few bytes instead of downloading it again.
pub(crate) async fn not_modified(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let asked = (req.headers().get(header::IF_NONE_MATCH))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let res = next.call(req).await?;
    let held = res.status() == StatusCode::OK
        && asked.as_deref().is_some_and(|asked| {
            (res.headers().get(header::ETAG))
                .and_then(|v| v.to_str().ok())
                .is_some_and(|tag| names(asked, tag))
        });
    if !held {
        return Ok(res.map_into_left_body());
    }
    let (req, res) = res.into_parts();
    let mut out = HttpResponse::NotModified();
    if let Some(tag) = res.headers().get(header::ETAG) {
        out.insert_header((header::ETAG, tag.clone()));
    }
    Ok(ServiceResponse::new(req, out.finish()).map_into_right_body())
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
