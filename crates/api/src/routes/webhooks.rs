//! Webhooks: an agency (or an admin for it) registers a URL and gets a
//! secret; events about its deliveries are signed with it and relayed from
//! the outbox. Admins list the events that could not be delivered (dead
//! letters) and replay them.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use langnghe_domain::recommendation::WebhookStatus;
use langnghe_storage::outbox::{self, Event};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Admin, AdminOrAgency, Staff};
use crate::error::{ApiError, Code, OrNotFound};
use crate::extract::Json;
use crate::pagination::{Page, paged_query};
use crate::services::lookups::{agency_exists, status_query};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(set_webhook)
        .service(get_webhook)
        .service(set_safeguarding_webhook)
        .service(get_safeguarding_webhook)
        .service(test_webhook)
        .service(list_webhook_events)
        .service(replay_event);
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://mot-cua.phuong7.gov.vn/hooks/langnghe"}))]
pub struct WebhookIn {
    /// An `https://` URL that accepts JSON POSTs.
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookSecretDto {
    pub url: String,
    /// Verify `Langnghe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
    /// "<t>.<body>">` with it. Shown once; setting the webhook again gives
    /// a new one.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDto {
    pub url: String,
}

/// A webhook URL checked (form and destination) with a new secret, before
/// it is stored.
struct NewWebhook {
    url: String,
    secret: String,
}

impl NewWebhook {
    async fn checked(state: &AppState, body: WebhookIn) -> Result<NewWebhook, ApiError> {
        let url = body.url.trim().to_owned();
        crate::services::destinations::check_url(&url, state.webhooks.allow_insecure)
            .map_err(|m| ApiError::field("url", "invalid_url", m))?;
        crate::services::destinations::check_destination(&url, state.webhooks.allow_insecure)
            .await
            .map_err(|m| ApiError::field("url", "invalid_destination", m))?;
        let secret = format!("whsec_{}", crate::credentials::random_secret(32));
        Ok(NewWebhook { url, secret })
    }

    /// The answer that shows the secret, this once.
    fn response(self) -> HttpResponse {
        HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(WebhookSecretDto {
                url: self.url,
                secret: self.secret,
            })
    }
}

/// A registered webhook's URL (never its secret), or 404.
fn registered(webhook: Option<(String, String)>) -> Result<web::Json<WebhookDto>, ApiError> {
    let (url, _) = webhook.ok_or_else(|| ApiError::not_found("webhook"))?;
    Ok(web::Json(WebhookDto { url }))
}

/// Register or change an agency's webhook, with a new secret (admins, or
/// the agency itself).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("oauth2" = [])),
    params(("id" = Uuid, Path, description = "The agency")),
    request_body = WebhookIn,
    responses((status = 200, body = WebhookSecretDto), crate::openapi::EditErrors)
)]
#[put("/agencies/{id}/webhook")]
async fn set_webhook(
    caller: AdminOrAgency,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(body): Json<WebhookIn>,
) -> Result<HttpResponse, ApiError> {
    caller.may_act_for(*id)?;
    agency_exists(&state, *id).await?;
    let new = NewWebhook::checked(&state, body).await?;
    outbox::set_webhook(&state.db, caller.actor(), *id, &new.url, &new.secret).await?;
    Ok(new.response())
}

/// An agency's webhook URL (admins, or the agency itself).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("oauth2" = [])),
    params(("id" = Uuid, Path, description = "The agency")),
    responses((status = 200, body = WebhookDto), crate::openapi::ReadErrors)
)]
#[get("/agencies/{id}/webhook")]
async fn get_webhook(
    caller: AdminOrAgency,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<WebhookDto>, ApiError> {
    caller.may_act_for(*id)?;
    registered(outbox::webhook_of(&state.db, *id).await?)
}

/// Set the safeguarding team's endpoint, with a new secret (admins): every
/// new case or review item is announced to it at once as
/// `safeguarding.case_opened` (case id, source, outcome, severity,
/// categories, unit, when; never the child's words), signed and retried as
/// the agencies' events are.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = WebhookIn,
    responses((status = 200, body = WebhookSecretDto), crate::openapi::CreateErrors)
)]
#[put("/safeguarding/webhook")]
async fn set_safeguarding_webhook(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    Json(body): Json<WebhookIn>,
) -> Result<HttpResponse, ApiError> {
    let new = NewWebhook::checked(&state, body).await?;
    outbox::set_safeguarding_webhook(&state.db, &staff.actor(), &new.url, &new.secret).await?;
    Ok(new.response())
}

/// The safeguarding team's endpoint (admins).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, body = WebhookDto),
        crate::openapi::NoToken, crate::openapi::NotAllowed, crate::openapi::Missing,
    )
)]
#[get("/safeguarding/webhook")]
async fn get_safeguarding_webhook(
    _staff: Staff<Admin>,
    state: web::Data<AppState>,
) -> Result<web::Json<WebhookDto>, ApiError> {
    registered(outbox::safeguarding_webhook(&state.db).await?)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEventDto {
    /// The event id receivers deduplicate on (`Langnghe-Event-Id`).
    pub id: Uuid,
    /// `null` for an event to the safeguarding endpoint.
    pub agency_id: Option<Uuid>,
    /// `delivery.created`, `delivery.reminder`, `delivery.overdue`,
    /// `recommendation.updated` or `webhook.test`.
    #[serde(rename = "type")]
    #[schema(value_type = crate::closed_sets::WebhookEventType)]
    pub event_type: String,
    /// `pending`, `delivered` or `dead`.
    #[schema(value_type = crate::closed_sets::WebhookStatus)]
    pub status: &'static str,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub queued_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The body as sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

fn event_dto(e: Event) -> WebhookEventDto {
    WebhookEventDto {
        id: e.id,
        agency_id: e.agency_id,
        event_type: e.event_type,
        status: e.status.as_str(),
        attempts: e.attempts,
        last_error: e.last_error,
        queued_at: e.queued_at,
        next_attempt_at: e.next_attempt_at,
        delivered_at: e.delivered_at,
        payload: serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null),
    }
}

/// Queue a `webhook.test` event to the agency's webhook (admins, or the
/// agency itself).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("oauth2" = [])),
    params(("id" = Uuid, Path, description = "The agency")),
    responses((status = 202, body = WebhookEventDto), crate::openapi::ActionErrors)
)]
#[post("/agencies/{id}/webhook/test")]
async fn test_webhook(
    caller: AdminOrAgency,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.may_act_for(*id)?;
    agency_exists(&state, *id).await?;
    let Some(event) = outbox::enqueue_test(&state.db, caller.actor(), *id).await? else {
        return Err(ApiError::conflict(Code::NoWebhook, "register a webhook first"));
    };
    Ok(HttpResponse::Accepted().json(event_dto(outbox::get(&state.db, event).await?)))
}

paged_query! {
    pub struct EventQuery {
        /// `pending`, `delivered` or `dead` (the dead letters).
        #[param(value_type = Option<crate::closed_sets::WebhookStatus>)]
        pub status: Option<String>,
        pub agency_id: Option<Uuid>,
    }
}

/// Webhook events, newest first; `status=dead` lists the dead letters
/// (admins).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(EventQuery),
    responses((status = 200, body = Page<WebhookEventDto>), crate::openapi::ListErrors)
)]
#[get("/webhooks/events")]
async fn list_webhook_events(
    _staff: Staff<Admin>,
    state: web::Data<AppState>,
    q: web::Query<EventQuery>,
) -> Result<web::Json<Page<WebhookEventDto>>, ApiError> {
    let page = q.page()?;
    let status = status_query::<WebhookStatus>(q.status.as_deref(), "status")?;
    let rows = outbox::list(&state.db, status, q.agency_id, page.after, page.fetch()).await?;
    Ok(web::Json(page.page(rows, |e| e.id, event_dto)))
}

/// Put a dead letter back in the queue with the same event id and a fresh
/// day of retries (admins).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The event")),
    responses((status = 200, body = WebhookEventDto), crate::openapi::ActionErrors)
)]
#[post("/webhooks/events/{id}/replay")]
async fn replay_event(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<WebhookEventDto>, ApiError> {
    if !outbox::replay(&state.db, &staff.actor(), *id)
        .await
        .or_not_found("event")?
    {
        return Err(ApiError::conflict(Code::NotDead, "only a dead letter is replayed"));
    }
    Ok(web::Json(event_dto(outbox::get(&state.db, *id).await?)))
}
