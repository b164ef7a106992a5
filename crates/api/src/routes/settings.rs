//! The service's settings as they stand, for admins to read: today the
//! retention periods (set at start-up from the environment, not editable
//! through the API, so that a stolen admin token cannot shorten or extend
//! how long children's words are kept).

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{Admin, Staff};
use crate::jobs::retention::{DELIVERED_EVENTS_DAYS, IDEMPOTENCY_DAYS};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(retention);
}

/// How long each kind of data is kept, in days, as this server runs.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"text_days": 365, "responses_days": 1095, "closed_cases_days": 1825,
    "delivered_webhook_events_days": 30, "request_hashes_days": 7}))]
pub struct RetentionDto {
    /// Free-text answers are replaced by a marker after this many days
    /// (`LANGNGHE_RETAIN_TEXT_DAYS`).
    pub text_days: i64,
    /// Per-response rows are deleted, once folded into the results, after
    /// this many days (`LANGNGHE_RETAIN_RESPONSES_DAYS`).
    pub responses_days: i64,
    /// Safeguarding cases are deleted with their notes this many days after
    /// their closing (`LANGNGHE_RETAIN_CLOSED_CASES_DAYS`).
    pub closed_cases_days: i64,
    /// Webhook events delivered are deleted after this many days (dead
    /// letters stay until replayed). Fixed.
    pub delivered_webhook_events_days: i64,
    /// What recognises a retried submission is cleared after this many
    /// days. Fixed.
    pub request_hashes_days: i64,
}

/// The retention periods this server applies (admins). They are set when
/// the service starts (environment or command line) and cannot be changed
/// through the API; each daily purge is in the audit log (`entity=retention`).
#[utoipa::path(
    tag = "settings",
    security(("bearer" = [])),
    responses((status = 200, body = RetentionDto), crate::openapi::RoleErrors)
)]
#[get("/settings/retention")]
async fn retention(_staff: Staff<Admin>, state: web::Data<AppState>) -> web::Json<RetentionDto> {
    let p = state.retention;
    web::Json(RetentionDto {
        text_days: p.text_days,
        responses_days: p.responses_days,
        closed_cases_days: p.closed_cases_days,
        delivered_webhook_events_days: DELIVERED_EVENTS_DAYS,
        request_hashes_days: IDEMPOTENCY_DAYS,
    })
}
