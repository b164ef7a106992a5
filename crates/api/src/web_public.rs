//! The Children's Council's community page at `/cong-dong/` (`web/public/`:
//! "You said, we did", published issues, public results as charts; each
//! recommendation readable at `/cong-dong/r/{id}`, where the Atom feed's
//! entries link), and what every client shares, under `/shared/` (the
//! accessible SVG charts of `web/shared/`). Embedded in the binary like the
//! other clients, a client of the public JSON API only, served under a
//! strict Content-Security-Policy with no cookie and no referrer.

use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Compress, DefaultHeaders};
use actix_web::{HttpResponse, web};

/// One embedded file.
struct Asset {
    name: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($dir:literal, $name:literal, $mime:expr) => {
        Asset {
            name: $name,
            mime: $mime,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/", $dir, "/", $name)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every shared file; a file not listed here is not served.
const SHARED: &[Asset] = &[asset!("shared", "charts.js", JS), asset!("shared", "charts.css", CSS)];

/// Every file of the public page.
const PUBLIC: &[Asset] = &[
    asset!("public", "index.html", "text/html; charset=utf-8"),
    asset!("public", "public.css", CSS),
    asset!("public", "public.js", JS),
];

/// The policy shared files and the public page are served under: nothing
/// inline, nothing from another origin.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
    connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CSP))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::CACHE_CONTROL, "no-cache"))
}

/// Mounts `/shared/…` and `/cong-dong/…`.
/// These are the client's files, not API operations: registered with
/// `.route()` and left out of the OpenAPI document on purpose (the
/// contract describes `/api/v1` alone).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/shared")
            .wrap(Compress::default())
            .wrap(headers())
            .route("/{file}", web::get().to(shared)),
    )
    .service(
        web::scope("/cong-dong")
            .wrap(Compress::default())
            .wrap(headers())
            .route("", web::get().to(page))
            .route("/", web::get().to(page))
            // A recommendation's own address: the page reads the id.
            .route("/r/{id}", web::get().to(page))
            .route("/{file}", web::get().to(public_file)),
    );
}

fn serve(asset: &Asset) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(asset.mime)))
        .body(asset.body)
}

fn find(assets: &[Asset], name: &str) -> HttpResponse {
    match assets.iter().find(|a| a.name == name) {
        Some(a) => serve(a),
        None => actix_web::ResponseError::error_response(&crate::error::ApiError::not_found("file")),
    }
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
