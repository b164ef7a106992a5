//! Liveness, readiness and metrics, outside `/api/v1`.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(readyz).service(metrics);
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
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

/// Prometheus text: request counts and latencies by route and status.
#[utoipa::path(tag = "health", responses((status = 200, content_type = "text/plain; version=0.0.4", body = String)))]
#[get("/metrics")]
async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}
