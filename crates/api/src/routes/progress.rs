//! The plan's targets and progress against them, for the caller's own
//! unit (the district for district staff) over any period the plan
//! reports on.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use langnghe_domain::plan::{Period, Target};
use langnghe_domain::{FieldErrors, UnitId};
use langnghe_storage::{org, school_terms, targets as store};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Admin, Consulting, Staff};
use crate::dto::UnitBrief;
use crate::error::{ApiError, Code, OrNotFound};
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
    responses((status = 200, body = Vec<TargetDto>), crate::openapi::RoleErrors)
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
    /// Any metric the service measures (see `TargetDto.metric`), e.g.
    /// `pioneer_leaders_trained_coverage` or `events.parents_session`.
    #[schema(value_type = crate::closed_sets::MetricName)]
    pub metric: String,
    pub scope_unit_id: Uuid,
    /// `2027`, `2027-H1`, `2027-Q2`, `2027-03`, `2024..2027`, `2027-WY`,
    /// `2026-2027-HK2` (a school term in the school calendar) or
    /// `2027-03-01..2027-05-31`.
    pub period: String,
    pub value: f64,
}

async fn check(state: &AppState, b: &TargetIn) -> Result<Target, ApiError> {
    let mut errors = FieldErrors::new();
    let terms = school_terms::calendar(&state.db).await?;
    let target = Target::check(&b.metric, UnitId(b.scope_unit_id), &b.period, b.value, &terms)
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
    responses((status = 201, body = TargetDto), crate::openapi::CreateErrors)
)]
#[post("/targets")]
async fn create_target(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    Json(body): Json<TargetIn>,
) -> Result<HttpResponse, ApiError> {
    let target = check(&state, &body).await?;
    let id = Uuid::now_v7();
    store::create(&state.db, &staff.actor(), id, &target).await?;
    Ok(HttpResponse::Created().json(target_dto(id, &target)))
}

/// Replace a target's metric, scope, period or value.
#[utoipa::path(
    tag = "progress",
    security(("bearer" = [])),
    request_body = TargetIn,
    responses((status = 200, body = TargetDto), crate::openapi::EditErrors)
)]
#[patch("/targets/{id}")]
async fn update_target(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(body): Json<TargetIn>,
) -> Result<web::Json<TargetDto>, ApiError> {
    store::get(&state.db, *id).await.or_not_found("target")?;
    let target = check(&state, &body).await?;
    store::update(&state.db, &staff.actor(), *id, &target).await?;
    Ok(web::Json(target_dto(*id, &target)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// Only targets whose period overlaps this year (or give `period`).
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// Only targets whose period overlaps this one, measured up to its end
    /// (or today, if earlier): `2026`, `2026-H1`, `2026-Q3`, `2026-11`,
    /// `2026-WY` (the work year to November), `2026-2027-HK1` (a school
    /// term) or `2026-09-01..2026-11-30`.
    pub period: Option<String>,
    /// Targets scoped to this unit or below it. Default: the caller's own
    /// unit (a facilitator's school or ward; the district for district
    /// staff), never the city; a facilitator never outside their unit.
    pub unit_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressDto {
    /// The unit whose targets (and those of the units below it) these are.
    pub unit: UnitBrief,
    /// The period asked for, if any.
    pub period: Option<String>,
    /// The day progress is measured up to.
    pub as_of: NaiveDate,
    pub targets: Vec<TargetProgressDto>,
}

/// Progress against the targets of a unit and the units below it: the
/// actual figure so far, the share of the target, whether it is met, on
/// track (linear pace) or behind, what the figure is made of (a headcount
/// is shown beside unique participants, never added), how it is counted,
/// and for coverage targets the units not yet covered. Facilitators see
/// their own unit's; district staff the district's by default.
#[utoipa::path(
    tag = "progress",
    security(("bearer" = [])),
    params(ProgressQuery),
    responses((status = 200, body = ProgressDto), crate::openapi::ReadErrors)
)]
#[get("/progress")]
async fn get_progress(
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    q: web::Query<ProgressQuery>,
) -> Result<web::Json<ProgressDto>, ApiError> {
    let bad = |m: String| ApiError::bad_request(Code::InvalidQuery, m);
    let period = match (q.year, q.period.as_deref()) {
        (Some(_), Some(_)) => return Err(bad("give year or period, not both".into())),
        (Some(y), None) => Some(Period::year(y).map_err(|e| bad(e.to_string()))?),
        (None, Some(p)) => {
            let terms = school_terms::calendar(&state.db).await?;
            Some(Period::parse_in(p, &terms).map_err(|e| bad(format!("period: {e}")))?)
        }
        (None, None) => None,
    };
    let chart = org::load_chart(&state.db).await?;
    let today = state.clock.local_date();
    // A year keeps measuring to today; a period asked for, to its end.
    let as_of = match (&q.period, period) {
        (Some(_), Some(p)) => p.last_day().min(today),
        _ => today,
    };
    let unit = crate::services::progress::scope_unit(&staff, &chart, q.unit_id, &[today, as_of])?;
    let targets = targets_progress(&state, &chart, period, Some(unit), as_of).await?;
    let brief = chart
        .unit(unit)
        .map(crate::dto::brief)
        .ok_or_else(|| ApiError::not_found("unit"))?;
    Ok(web::Json(ProgressDto {
        unit: brief,
        period: q.period.as_ref().and(period).map(|p| p.to_string()),
        as_of,
        targets: targets.into_iter().map(|(_, p)| p).collect(),
    }))
}
