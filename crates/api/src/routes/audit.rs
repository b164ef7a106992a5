//! The audit log, for admins: every change staff, agencies or the system
//! made, with who, when, what, and the state before and after. Read only:
//! no endpoint changes or deletes an entry.

use actix_web::{get, web};
use chrono::{DateTime, NaiveDate, Utc};
use langnghe_storage::audit::{self, AuditEvent, AuditFilter};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::{Admin, Staff};
use crate::error::{ApiError, Code};
use crate::extract::query_date;
use crate::pagination::{Page, paged_query};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_audit);
}

paged_query! {
    pub struct AuditQuery {
        /// The kind of thing changed: `user`, `unit`, `reorganisation`, `topic`,
        /// `agency`, `survey`, `session`, `event`, `target`, …
        pub entity: Option<String>,
        /// Its id.
        pub entity_id: Option<String>,
        /// Who made the change: a staff account's id, or a label such as
        /// `system`.
        pub actor: Option<String>,
        /// Changes made on or after this day (local time).
        #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
        pub from: Option<NaiveDate>,
        /// Changes made on or before this day (local time).
        #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
        pub to: Option<NaiveDate>,
    }
}

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90", "at": "2026-11-28T09:15:00Z",
    "actor_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d10", "actor": "admin", "action": "agency.update",
    "entity": "agency", "entity_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d33",
    "before": {"name": "Phòng Giáo dục"}, "after": {"name": "Phòng Giáo dục và Đào tạo"}}))]
pub struct AuditEventDto {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// The staff account, when a person made the change.
    pub actor_id: Option<Uuid>,
    /// The account's username, or `system`.
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    /// The state before the change (none for a creation).
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The state after the change.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

impl From<AuditEvent> for AuditEventDto {
    fn from(e: AuditEvent) -> Self {
        AuditEventDto {
            id: e.id,
            at: e.at,
            actor_id: e.actor_id,
            actor: e.actor_label,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: e.before,
            after: e.after,
        }
    }
}

fn text_filter<'a>(name: &str, value: &'a Option<String>) -> Result<Option<&'a str>, ApiError> {
    match value.as_deref().map(str::trim) {
        None => Ok(None),
        Some(v) if v.is_empty() || v.chars().count() > 100 || v.chars().any(char::is_control) => {
            Err(ApiError::bad_request(
                Code::InvalidQuery,
                format!("{name} must be 1 to 100 printable characters"),
            ))
        }
        Some(v) => Ok(Some(v)),
    }
}

/// Every recorded change, oldest first, filtered by entity, entity id,
/// actor and days. Admins only.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = Page<AuditEventDto>), crate::openapi::ListErrors)
)]
#[get("/audit")]
async fn list_audit(
    _staff: Staff<Admin>,
    state: web::Data<AppState>,
    q: web::Query<AuditQuery>,
) -> Result<web::Json<Page<AuditEventDto>>, ApiError> {
    let page = q.page()?;
    let (from, to) = (query_date("from", q.from)?, query_date("to", q.to)?);
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        return Err(ApiError::bad_request(Code::InvalidQuery, "to is before from"));
    }
    let actor = text_filter("actor", &q.actor)?;
    let filter = AuditFilter {
        entity: text_filter("entity", &q.entity)?,
        entity_id: text_filter("entity_id", &q.entity_id)?,
        actor_id: actor.and_then(|a| a.parse::<Uuid>().ok()),
        actor_label: actor.filter(|a| a.parse::<Uuid>().is_err()),
        from: from.map(crate::local_day_start),
        until: to.and_then(|d| d.succ_opt()).map(crate::local_day_start),
    };
    let rows = audit::list(&state.db, &filter, page.after, page.fetch()).await?;
    Ok(web::Json(page.page(rows, |e| e.id, AuditEventDto::from)))
}
