//! The plan's targets and progress against them.

use actix_web::{HttpResponse, get, patch, post, web};
use langnghe_domain::plan::{Period, Target};
use langnghe_domain::{FieldErrors, UnitId};
use langnghe_storage::{StoreError, org, targets as store};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Admin, Consulting, Staff};
use crate::error::{ApiError, Code};
use crate::extract::Json;
use crate::services::progress::{TargetDto, TargetProgressDto, target_dto, targets_progress};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_targets)
        .service(create_target)
        .service(update_target)
        .service(get_progress);
}

/// Targets, oldest first (the plan has a handful; not paginated further).
#[utoipa::path(
    tag = "progress",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<TargetDto>),
        crate::openapi::NoToken, crate::openapi::NotAllowed,
    )
)]
#[get("/targets")]
async fn list_targets(
    _staff: Staff<Consulting>,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<TargetDto>>, ApiError> {
    let list = store::list(&state.db).await?;
    Ok(web::Json(list.iter().map(|(id, t)| target_dto(*id, t)).collect()))
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"metric": "council_meetings", "scope_unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d21", "period": "2027", "value": 2}))]
pub struct TargetIn {
    pub metric: String,
    pub scope_unit_id: Uuid,
    pub period: String,
    pub value: f64,
}

async fn check(state: &AppState, b: &TargetIn) -> Result<Target, ApiError> {
    let mut errors = FieldErrors::new();
    let target = Target::check(&b.metric, UnitId(b.scope_unit_id), &b.period, b.value)
        .map_err(|e| errors.0.extend(e.0))
        .ok();
    if org::load_chart(&state.db)
        .await?
        .unit(UnitId(b.scope_unit_id))
        .is_none()
    {
        errors.push("scope_unit_id", "unknown_unit", "no such unit");
    }
    match (target, errors.is_empty()) {
        (Some(t), true) => Ok(t),
        _ => Err(ApiError::invalid(errors)),
    }
}

/// Add a target.
#[utoipa::path(
    tag = "progress",
    security(("bearer" = [])),
    request_body = TargetIn,
    responses(
        (status = 201, body = TargetDto),
        crate::openapi::BadBody, crate::openapi::NoToken, crate::openapi::NotAllowed,
    )
)]
#[post("/targets")]
async fn create_target(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    body: Json<TargetIn>,
) -> Result<HttpResponse, ApiError> {
    let target = check(&state, &body.0).await?;
    let id = Uuid::now_v7();
    store::create(&state.db, &staff.actor(), id, &target).await?;
    Ok(HttpResponse::Created().json(target_dto(id, &target)))
}

/// Replace a target's metric, scope, period or value.
#[utoipa::path(
    tag = "progress",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = TargetIn,
    responses(
        (status = 200, body = TargetDto),
        crate::openapi::BadBody, crate::openapi::NoToken, crate::openapi::NotAllowed, crate::openapi::Missing,
    )
)]
#[patch("/targets/{id}")]
async fn update_target(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<TargetIn>,
) -> Result<web::Json<TargetDto>, ApiError> {
    match store::get(&state.db, *id).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => return Err(ApiError::not_found("target")),
        Err(e) => return Err(e.into()),
    }
    let target = check(&state, &body.0).await?;
    store::update(&state.db, &staff.actor(), *id, &target).await?;
    Ok(web::Json(target_dto(*id, &target)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// Only targets whose period overlaps this year.
    pub year: Option<i32>,
    /// Only targets scoped to this unit or below it.
    pub unit_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressDto {
    pub targets: Vec<TargetProgressDto>,
}

/// Progress against every target: the actual figure so far, the share of
/// the target, whether it is met, on track (linear pace) or behind, and for
/// coverage targets the units not yet covered.
#[utoipa::path(
    tag = "progress",
    security(("bearer" = [])),
    params(ProgressQuery),
    responses(
        (status = 200, body = ProgressDto),
        crate::openapi::BadInput, crate::openapi::NoToken, crate::openapi::NotAllowed,
    )
)]
#[get("/progress")]
async fn get_progress(
    _staff: Staff<Consulting>,
    state: web::Data<AppState>,
    q: web::Query<ProgressQuery>,
) -> Result<web::Json<ProgressDto>, ApiError> {
    let year = match q.year {
        None => None,
        Some(y) => Some(Period::year(y).map_err(|e| ApiError::bad_request(Code::InvalidQuery, e.to_string()))?),
    };
    let chart = org::load_chart(&state.db).await?;
    let today = state.clock.local_date();
    if let Some(u) = q.unit_id
        && chart.unit(UnitId(u)).is_none()
    {
        return Err(ApiError::bad_request(Code::InvalidQuery, "unknown unit_id"));
    }
    let overlap = year.map(|y| (y.first_day(), y.last_day()));
    let targets = targets_progress(&state, &chart, overlap, q.unit_id.map(UnitId), today).await?;
    Ok(web::Json(ProgressDto {
        targets: targets.into_iter().map(|(_, p)| p).collect(),
    }))
}
