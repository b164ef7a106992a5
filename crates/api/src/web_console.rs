//! The staff console: plain HTML, CSS and JavaScript modules from
//! `web/console/`, embedded in the binary like the children's app. A client
//! of the JSON API only: it signs in with `POST /auth/login` and holds the
//! token in the page's memory (no cookie, so no request can be forged from
//! another site), and shows each role only what the API lets it do. Served
//! under a strict Content-Security-Policy (no inline script, nothing from
//! another origin), with no referrer.

use actix_web::{HttpResponse, web};

use crate::web_assets::{Asset, CSS, HTML, JS, embed, files_scope, find};

macro_rules! asset {
    ($name:literal, $mime:expr) => {
        embed!("console", $name, $mime)
    };
}

/// Every file of the console; a file not listed here is not served.
const ASSETS: &[Asset] = &[
    asset!("index.html", HTML),
    asset!("console.css", CSS),
    asset!("console.js", JS),
    asset!("api.js", JS),
    asset!("i18n.js", JS),
    asset!("format.js", JS),
    asset!("sessions.js", JS),
    asset!("issues.js", JS),
    asset!("safeguarding.js", JS),
    asset!("agency.js", JS),
    asset!("recommendations.js", JS),
    asset!("results.js", JS),
    asset!("progress.js", JS),
    asset!("ui.js", JS),
    asset!("admin.js", JS),
    asset!("admin_words.js", JS),
    asset!("admin_people.js", JS),
    asset!("admin_org.js", JS),
    asset!("admin_catalog.js", JS),
    asset!("admin_plan.js", JS),
    asset!("admin_audit.js", JS),
    asset!("admin_reorg.js", JS),
    asset!("admin_terms.js", JS),
    asset!("admin_hooks.js", JS),
    asset!("event_detail.js", JS),
    asset!("events.js", JS),
    asset!("answers.js", JS),
    asset!("surveys.js", JS),
    asset!("survey_words.js", JS),
    asset!("more_words.js", JS),
    asset!("extra_words.js", JS),
];

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
