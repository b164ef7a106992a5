//! The Children's Council's community page at `/cong-dong/` (`web/public/`:
//! "You said, we did", published issues, public results as charts; each
//! recommendation readable at `/cong-dong/r/{id}`, where the Atom feed's
//! entries link), and what every client shares, under `/shared/` (the
//! accessible SVG charts of `web/shared/`). Embedded in the binary like the
//! other clients, a client of the public JSON API only, served under a
//! strict Content-Security-Policy with no cookie and no referrer.

use actix_web::{HttpResponse, web};

use crate::web_assets::{Asset, CSS, HTML, JS, embed, files_scope, find};

/// Every shared file; a file not listed here is not served.
const SHARED: &[Asset] = &[
    embed!("shared", "charts.js", JS),
    embed!("shared", "charts.css", CSS),
    embed!("shared", "dom.js", JS),
];

/// Every file of the public page.
const PUBLIC: &[Asset] = &[
    embed!("public", "index.html", HTML),
    embed!("public", "public.css", CSS),
    embed!("public", "public.js", JS),
];

/// The policy shared files and the public page are served under: nothing
/// inline, nothing from another origin.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
    connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Mounts `/shared/…` and `/cong-dong/…`.
/// These are the client's files, not API operations: registered with
/// `.route()` and left out of the OpenAPI document on purpose (the
/// contract describes `/api/v1` alone).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(files_scope!("/shared", CSP).route("/{file}", web::get().to(shared)))
        .service(
            files_scope!("/cong-dong", CSP)
                .route("", web::get().to(page))
                .route("/", web::get().to(page))
                // A recommendation's own address: the page reads the id.
                .route("/r/{id}", web::get().to(page))
                .route("/{file}", web::get().to(public_file)),
        );
}

async fn shared(name: web::Path<String>) -> HttpResponse {
    find(SHARED, name.as_str())
}

async fn page() -> HttpResponse {
    find(PUBLIC, "index.html")
}

async fn public_file(name: web::Path<String>) -> HttpResponse {
    find(PUBLIC, name.as_str())
}
