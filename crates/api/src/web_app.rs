//! The children's app: plain HTML, CSS and JavaScript modules from
//! `web/app/`, embedded in the binary so that `cargo run --release` serves
//! them with no other toolchain. A client of the public JSON API like any
//! other: it adds no way into storage. Served under a strict
//! Content-Security-Policy (no inline script, nothing from another
//! origin), with no cookies and no referrer.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};

use crate::web_assets::{Asset, CSS, HTML, JS, assets, files_scope, find, serve};

/// Every file of the app; a file not listed here is not served.
const ASSETS: &[Asset] = assets!(
    "app",
    [
        "index.html" => HTML,
        "app.css" => CSS,
        "app.js" => JS,
        "api.js" => JS,
        "i18n.js" => JS,
        "store.js" => JS,
        "questions.js" => JS,
        "results.js" => JS,
        "sw.js" => JS,
        "manifest.webmanifest" => "application/manifest+json",
        "icon.svg" => "image/svg+xml",
    ]
);

/// The policy every page of the app is served under.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
    connect-src 'self'; manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

/// Mounts `/app/…` and `/j/{code}` (the QR code's address: the app with
/// the join code filled in).
/// These are the client's files, not API operations: registered with
/// `.route()` and left out of the OpenAPI document on purpose (the
/// contract describes `/api/v1` alone).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        files_scope!("/app", CSP)
            .route("", web::get().to(index))
            .route("/", web::get().to(index))
            .route("/{file}", web::get().to(file)),
    )
    .service(files_scope!("/j", CSP).route("/{code}", web::get().to(index)));
}

async fn index() -> HttpResponse {
    find(ASSETS, "index.html")
}

async fn file(name: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|a| a.name == name.as_str()) {
        // The service worker may control the whole app.
        Some(a) if a.name == "sw.js" => {
            let mut res = serve(a);
            res.headers_mut().insert(
                header::HeaderName::from_static("service-worker-allowed"),
                HeaderValue::from_static("/"),
            );
            res
        }
        Some(a) => serve(a),
        None => crate::web_assets::not_found(),
    }
}
