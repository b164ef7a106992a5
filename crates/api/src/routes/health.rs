//! Liveness, readiness and metrics, outside `/api/v1`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::MetricsScraper;
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(readyz).service(metrics);
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    #[schema(value_type = crate::closed_sets::HealthStatus)]
    pub status: &'static str,
}

/// The process is alive.
#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// The database answers and every migration is applied; 503 otherwise.
/// The pool reconnects by itself, so this recovers when the database does.
#[utoipa::path(
    tag = "health",
    responses((status = 200, body = Health), (status = 503, response = crate::openapi::Unavailable))
)]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    let check = tokio::time::timeout(std::time::Duration::from_secs(3), langnghe_storage::ready(&state.db)).await;
    match check {
        Ok(Ok(())) => Ok(web::Json(Health { status: "ok" })),
        Ok(Err(e)) => {
            tracing::warn!(cause = %e, "not ready");
            Err(ApiError::unavailable())
        }
        Err(_) => {
            tracing::warn!("not ready: database check timed out");
            Err(ApiError::unavailable())
        }
    }
}

/// Prometheus metrics: requests by route and status, the webhook outbox,
/// the result folder, the connection pool, throttling, screening and the
/// process. The Prometheus text (0.0.4), or the OpenMetrics text when the
/// scraper's `Accept` asks for `application/openmetrics-text`. The
/// database's gauges are read at scrape time; while the database is
/// unreachable they are left out and `langnghe_database_up` is 0.
///
/// For the scraper only: with `LANGNGHE_METRICS_TOKEN` set, the request
/// carries `Authorization: Bearer <token>`; without it, only a request
/// from the service's own loopback address that no proxy forwarded (no
/// `X-Forwarded-For`, no `Forwarded`) is answered. Anything else is 401
/// `metrics_token_required`.
#[utoipa::path(
    tag = "health",
    security(("metrics_token" = [])),
    responses(
        (status = 200, content_type = "text/plain; version=0.0.4", body = String),
        (status = 401, response = crate::openapi::MetricsRefused)
    )
)]
#[get("/metrics")]
async fn metrics(_scraper: MetricsScraper, req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let openmetrics = req
        .headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/openmetrics-text"));
    let body = state.metrics.scrape(&state.db, state.clock.now(), openmetrics).await;
    let content_type = if openmetrics {
        crate::metrics::OPENMETRICS
    } else {
        crate::metrics::PROMETHEUS_TEXT
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::VARY, "Accept"))
        .body(body)
}
