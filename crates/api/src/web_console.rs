//! The staff console: plain HTML, CSS and JavaScript modules from
//! `web/console/`, embedded in the binary like the children's app. A client
//! of the JSON API only: it signs in with `POST /auth/login` and holds the
//! token in the page's memory (no cookie, so no request can be forged from
//! another site), and shows each role only what the API lets it do. Served
//! under a strict Content-Security-Policy (no inline script, nothing from
//! another origin), with no referrer.

use actix_web::{HttpResponse, web};

use crate::web_assets::{Asset, CSS, HTML, JS, assets, files_scope, find};

/// Every file of the console; a file not listed here is not served.
const ASSETS: &[Asset] = assets!(
    "console",
    [
        "index.html" => HTML,
        "console.css" => CSS,
        "console.js" => JS,
        "api.js" => JS,
        "i18n.js" => JS,
        "format.js" => JS,
        "sessions.js" => JS,
        "issues.js" => JS,
        "safeguarding.js" => JS,
        "agency.js" => JS,
        "recommendations.js" => JS,
        "results.js" => JS,
        "progress.js" => JS,
        "ui.js" => JS,
        "admin.js" => JS,
        "admin_words.js" => JS,
        "admin_people.js" => JS,
        "admin_org.js" => JS,
        "admin_catalog.js" => JS,
        "admin_plan.js" => JS,
        "admin_audit.js" => JS,
        "admin_reorg.js" => JS,
        "admin_terms.js" => JS,
        "admin_hooks.js" => JS,
        "event_detail.js" => JS,
        "events.js" => JS,
        "answers.js" => JS,
        "surveys.js" => JS,
        "survey_words.js" => JS,
        "more_words.js" => JS,
        "extra_words.js" => JS,
    ]
);

/// The policy every page of the console is served under. Images from the
/// console itself and `blob:` (the session's QR code, fetched with the
/// token and shown from memory).
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; \
    connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Mounts `/console/…`.
/// These are the client's files, not API operations: registered with
/// `.route()` and left out of the OpenAPI document on purpose (the
/// contract describes `/api/v1` alone).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        files_scope!("/console", CSP)
            .route("", web::get().to(index))
            .route("/", web::get().to(index))
            .route("/{file}", web::get().to(file)),
    );
}

async fn index() -> HttpResponse {
    find(ASSETS, "index.html")
}

async fn file(name: web::Path<String>) -> HttpResponse {
    find(ASSETS, name.as_str())
}
