//! Survey definitions: create, edit (a new draft version once published),
//! publish, close, list, read, and preview exactly what a child sees.

use actix_web::{HttpResponse, get, post, put, web};
use langnghe_domain::consultation::{SurveyReader, SurveyStatus, Unseen};
use langnghe_domain::survey::{self, RawSurvey, SurveyDefinition, SurveyKind};
use langnghe_domain::text::Lang;
use langnghe_domain::{FieldErrors, UnitId};
use langnghe_storage::formats::survey::StoredSurvey;
use langnghe_storage::surveys::{self as store, SurveyFilter, SurveyRecord, SurveySummary};
use langnghe_storage::{StoreError, catalog, org};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::{Consulting, Curator, Staff};
use crate::dto::{RenderedSurveyDto, rendered_dto};
use crate::error::{ApiError, Code, OrNotFound};
use crate::extract::Json;
use crate::pagination::{Page, paged_query};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_survey)
        .service(list_surveys)
        .service(get_survey)
        .service(save_draft)
        .service(publish_survey)
        .service(close_survey)
        .service(preview_survey);
}

pub use crate::survey_format::{OptionIn, QuestionIn, ShowIfIn, SurveyIn, TextIn};

/// Checks a definition against topics and units; returns it with the
/// summary kept beside it and the version to store.
async fn check(state: &AppState, body: &SurveyIn) -> Result<(SurveyDefinition, SurveySummary, StoredSurvey), ApiError> {
    let topics = catalog::list_topics(&state.db).await?;
    let exists = |slug: &str| topics.iter().any(|t| t.slug.as_str() == slug && t.active);
    let mut errors = FieldErrors::new();
    let def = SurveyDefinition::parse(&RawSurvey::from(body.clone()), &exists)
        .map_err(|e| errors.0.extend(e.0))
        .ok();
    let chart = org::load_chart(&state.db).await?;
    match chart.unit(UnitId(body.owner_unit_id)) {
        None => errors.push("owner_unit_id", "unknown_unit", "no such unit"),
        Some(u) if !u.in_force_on(state.clock.local_date()) => {
            errors.push("owner_unit_id", "not_in_force", "the unit is closed")
        }
        Some(_) => {}
    }
    let (Some(def), true) = (def, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let stored = StoredSurvey {
        definition: def.clone(),
        owner_unit_id: UnitId(body.owner_unit_id),
        results_public: body.results_public,
    };
    Ok((def, SurveySummary::of(&stored, &topics), stored))
}

/// A survey with the definition of one of its versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyDto {
    pub id: Uuid,
    #[schema(value_type = crate::closed_sets::SurveyKindName)]
    pub kind: String,
    /// `draft`, `published` or `closed`.
    #[schema(value_type = crate::closed_sets::SurveyStatusName)]
    pub status: &'static str,
    pub owner_unit_id: Uuid,
    pub title_vi: String,
    /// Suppressed results are open to everyone.
    pub results_public: bool,
    /// The newest version (a draft when it differs from `published_version`).
    pub latest_version: i32,
    pub published_version: Option<i32>,
    /// The version shown in `definition`.
    pub version: i32,
    pub version_published_at: Option<chrono::DateTime<chrono::Utc>>,
    pub definition: SurveyIn,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A survey in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveySummaryDto {
    pub id: Uuid,
    #[schema(value_type = crate::closed_sets::SurveyKindName)]
    pub kind: String,
    #[schema(value_type = crate::closed_sets::SurveyStatusName)]
    pub status: &'static str,
    pub owner_unit_id: Uuid,
    pub title_vi: String,
    pub latest_version: i32,
    pub published_version: Option<i32>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn summary_dto(r: SurveyRecord) -> SurveySummaryDto {
    SurveySummaryDto {
        id: r.id,
        kind: r.kind.as_str().to_owned(),
        status: r.status.as_str(),
        owner_unit_id: r.owner_unit_id.0,
        title_vi: r.title_vi,
        latest_version: r.latest_version,
        published_version: r.published_version,
        updated_at: r.updated_at,
    }
}

/// The stored version `version` of a survey, its latest by default.
async fn stored_version(
    state: &AppState,
    r: &SurveyRecord,
    version: Option<i32>,
) -> Result<store::SurveyVersion, ApiError> {
    store::version(&state.db, r.id, version.unwrap_or(r.latest_version))
        .await
        .or_not_found("survey version")
}

async fn survey_dto(state: &AppState, r: SurveyRecord, version: Option<i32>) -> Result<SurveyDto, ApiError> {
    let stored = stored_version(state, &r, version).await?;
    let definition = SurveyIn::from_stored(&stored.definition);
    Ok(SurveyDto {
        id: r.id,
        kind: r.kind.as_str().to_owned(),
        status: r.status.as_str(),
        owner_unit_id: r.owner_unit_id.0,
        title_vi: r.title_vi,
        results_public: r.results_public,
        latest_version: r.latest_version,
        published_version: r.published_version,
        version: stored.version,
        version_published_at: stored.published_at,
        definition,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

pub use crate::survey_format::find;

fn survey_conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found("survey"),
        StoreError::Conflict("survey_closed") => ApiError::conflict(Code::SurveyClosed, "the survey is closed"),
        StoreError::Conflict("nothing_to_publish") => ApiError::conflict(
            Code::NothingToPublish,
            "the latest version is already published; edit the draft first",
        ),
        e => e.into(),
    }
}

/// Create a survey; its first version is a draft.
#[utoipa::path(
    tag = "surveys",
    security(("bearer" = [])),
    request_body = SurveyIn,
    responses((status = 201, body = SurveyDto), crate::openapi::CreateErrors)
)]
#[post("/surveys")]
async fn create_survey(
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    Json(body): Json<SurveyIn>,
) -> Result<HttpResponse, ApiError> {
    let (_, summary, json) = check(&state, &body).await?;
    let record = store::create(&state.db, &staff.actor(), Uuid::now_v7(), &summary, &json).await?;
    Ok(HttpResponse::Created().json(survey_dto(&state, record, None).await?))
}

paged_query! {
    pub struct ListSurveysQuery {
        /// `draft`, `published` or `closed`.
        #[param(value_type = Option<crate::closed_sets::SurveyStatusName>)]
        pub status: Option<String>,
        /// `opinion`, `policy_consultation` or `issue_form`.
        #[param(value_type = Option<crate::closed_sets::SurveyKindName>)]
        pub kind: Option<String>,
    }
}

/// Surveys, oldest first. Facilitators see published surveys only.
#[utoipa::path(
    tag = "surveys",
    security(("bearer" = [])),
    params(ListSurveysQuery),
    responses((status = 200, body = Page<SurveySummaryDto>), crate::openapi::ListErrors)
)]
#[get("/surveys")]
async fn list_surveys(
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    q: web::Query<ListSurveysQuery>,
) -> Result<web::Json<Page<SurveySummaryDto>>, ApiError> {
    let page = q.page()?;
    let bad = |what: &str, v: &str| ApiError::bad_request(Code::InvalidQuery, format!("unknown {what} {v:?}"));
    let status = (q.status.as_deref())
        .map(|s| SurveyStatus::parse(s).ok_or_else(|| bad("status", s)))
        .transpose()?;
    let kind = (q.kind.as_deref())
        .map(|k| SurveyKind::parse(k).ok_or_else(|| bad("kind", k)))
        .transpose()?;
    let Some(status) = SurveyReader::of(staff.role()).listed(status) else {
        return Ok(web::Json(Page {
            items: vec![],
            next_cursor: None,
        }));
    };
    let filter = SurveyFilter {
        status,
        kind,
        owner_units: None,
    };
    let rows = store::list(&state.db, &filter, page.after, page.fetch()).await?;
    Ok(web::Json(page.page(rows, |r| r.id, summary_dto)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A version number; default the latest (facilitators: the published one).
    pub version: Option<i32>,
}

/// A survey with the definition of one version.
#[utoipa::path(
    tag = "surveys",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), VersionQuery),
    responses((status = 200, body = SurveyDto), crate::openapi::ReadErrors)
)]
#[get("/surveys/{id}")]
async fn get_survey(
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<VersionQuery>,
) -> Result<web::Json<SurveyDto>, ApiError> {
    let record = find(&state, *id).await?;
    let version = readable_version(&staff, &record, q.version)?;
    Ok(web::Json(survey_dto(&state, record, version).await?))
}

/// The version `staff` may read of a survey, `requested` or by default:
/// facilitators read what children see, published versions only (a
/// survey never published, or a later draft, is "not found"); curators
/// read any, the latest by default (`None`).
fn readable_version<R: crate::auth::Allowed>(
    staff: &Staff<R>,
    record: &SurveyRecord,
    requested: Option<i32>,
) -> Result<Option<i32>, ApiError> {
    SurveyReader::of(staff.role())
        .version(record.published_version, requested)
        .map_err(|unseen| match unseen {
            Unseen::Survey => ApiError::not_found("survey"),
            Unseen::Version => ApiError::not_found("survey version"),
        })
}

/// Replace the draft. Editing a published survey makes a new draft version;
/// the published one stays as it was.
#[utoipa::path(
    tag = "surveys",
    security(("bearer" = [])),
    request_body = SurveyIn,
    responses((status = 200, body = SurveyDto), crate::openapi::ChangeErrors)
)]
#[put("/surveys/{id}/draft")]
async fn save_draft(
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(body): Json<SurveyIn>,
) -> Result<web::Json<SurveyDto>, ApiError> {
    find(&state, *id).await?;
    let (_, summary, json) = check(&state, &body).await?;
    let record = store::save_draft(&state.db, &staff.actor(), *id, &summary, &json)
        .await
        .map_err(survey_conflict)?;
    Ok(web::Json(survey_dto(&state, record, None).await?))
}

/// Publish the latest draft: it is frozen, and sessions can be opened on it.
#[utoipa::path(
    tag = "surveys",
    security(("bearer" = [])),
    responses((status = 200, body = SurveyDto), crate::openapi::ActionErrors)
)]
#[post("/surveys/{id}/publish")]
async fn publish_survey(
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<SurveyDto>, ApiError> {
    let record = find(&state, *id).await?;
    let latest = store::version(&state.db, record.id, record.latest_version).await?;
    let topics = catalog::list_topics(&state.db).await?;
    let record = store::publish(
        &state.db,
        &staff.actor(),
        *id,
        &SurveySummary::of(&latest.definition, &topics),
    )
    .await
    .map_err(survey_conflict)?;
    Ok(web::Json(survey_dto(&state, record, None).await?))
}

/// Close the survey: no new sessions, responses or issues.
#[utoipa::path(
    tag = "surveys",
    security(("bearer" = [])),
    responses((status = 200, body = SurveyDto), crate::openapi::ActionErrors)
)]
#[post("/surveys/{id}/close")]
async fn close_survey(
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<SurveyDto>, ApiError> {
    find(&state, *id).await?;
    let record = store::close(&state.db, &staff.actor(), *id)
        .await
        .map_err(survey_conflict)?;
    state.cache.forget_survey(record.id);
    Ok(web::Json(survey_dto(&state, record, None).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// The child's age, 6–17.
    #[param(minimum = 6, maximum = 17)]
    pub age: u8,
    /// `vi` (default) or `en`.
    #[param(value_type = Option<crate::closed_sets::LangCode>)]
    pub lang: Option<String>,
    /// Default the latest version.
    pub version: Option<i32>,
}

pub fn parse_lang(raw: Option<&str>) -> Result<Lang, ApiError> {
    match raw {
        None | Some("vi") => Ok(Lang::Vi),
        Some("en") => Ok(Lang::En),
        Some(other) => Err(ApiError::bad_request(
            Code::InvalidQuery,
            format!("lang must be vi or en, not {other:?}"),
        )),
    }
}

/// Exactly what a child of that age sees, in that language. Facilitators
/// preview published versions only, as they read them.
#[utoipa::path(
    tag = "surveys",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), PreviewQuery),
    responses((status = 200, body = RenderedSurveyDto), crate::openapi::ReadErrors)
)]
#[get("/surveys/{id}/preview")]
async fn preview_survey(
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<PreviewQuery>,
) -> Result<web::Json<RenderedSurveyDto>, ApiError> {
    let lang = parse_lang(q.lang.as_deref())?;
    if !(survey::MIN_AGE..=survey::MAX_AGE).contains(&q.age) {
        return Err(ApiError::bad_request(
            Code::InvalidQuery,
            "age must be between 6 and 17",
        ));
    }
    let record = find(&state, *id).await?;
    let version = readable_version(&staff, &record, q.version)?;
    let def = stored_version(&state, &record, version).await?.definition.definition;
    Ok(web::Json(rendered_dto(survey::render(&def, q.age, lang))))
}
