//! Agencies: who answers for which topics in which area.

use actix_web::{HttpResponse, get, patch, post, web};
use langnghe_domain::catalog::{Agency, AgencyKind, Contact, Topic};
use langnghe_domain::{AgencyId, FieldErrors, UnitId};
use langnghe_storage::{catalog, org};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Admin, Staff};
use crate::dto::Text;
use crate::error::{ApiError, Code, OrNotFound};
use crate::extract::Json;
use crate::pagination::{Page, paged_query};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_agencies)
        .service(create_agency)
        .service(get_agency)
        .service(update_agency);
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Bộ phận tiếp nhận", "email": "pgddt@example.gov.vn", "phone": "028 3844 0000"}))]
pub struct ContactDto {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d60", "name": {"vi": "Phòng Giáo dục và Đào tạo quận Phú Nhuận", "en": "Phu Nhuan District Education Office"}, "kind": "education_office", "jurisdiction_unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d20", "topics": ["education", "participation"], "contact": {"name": null, "email": null, "phone": null}, "active": true}))]
pub struct AgencyDto {
    pub id: Uuid,
    pub name: Text,
    /// `education_office`, `social_affairs_office`, `peoples_committee`,
    /// `school_board`, `mass_organisation`, `department`, `police`,
    /// `health` or `other`.
    #[schema(value_type = crate::closed_sets::AgencyKindName)]
    pub kind: &'static str,
    /// The unit whose area it answers for, with everything below it.
    pub jurisdiction_unit_id: Uuid,
    /// Slugs of the topics it answers for.
    pub topics: Vec<String>,
    pub contact: ContactDto,
    pub active: bool,
}

fn agency_dto(a: &Agency, topics: &[Topic]) -> AgencyDto {
    let mut slugs: Vec<String> = a
        .topics
        .iter()
        .filter_map(|id| topics.iter().find(|t| t.id == *id))
        .map(|t| t.slug.as_str().to_owned())
        .collect();
    slugs.sort();
    AgencyDto {
        id: a.id.0,
        name: Text::from(&a.name),
        kind: a.kind.as_str(),
        jurisdiction_unit_id: a.jurisdiction_unit_id.0,
        topics: slugs,
        contact: ContactDto {
            name: a.contact.name.clone(),
            email: a.contact.email.clone(),
            phone: a.contact.phone.clone(),
        },
        active: a.active,
    }
}

paged_query! {
    pub struct ListAgenciesQuery {
        /// Only agencies answering for this topic (slug).
        pub topic: Option<String>,
        /// Only agencies whose jurisdiction is this unit.
        pub jurisdiction_unit_id: Option<Uuid>,
        pub active: Option<bool>,
    }
}

/// Agencies, oldest first.
#[utoipa::path(
    tag = "agencies",
    security(("bearer" = [])),
    params(ListAgenciesQuery),
    responses((status = 200, body = Page<AgencyDto>), crate::openapi::ListErrors)
)]
#[get("/agencies")]
async fn list_agencies(
    _staff: Staff,
    state: web::Data<AppState>,
    q: web::Query<ListAgenciesQuery>,
) -> Result<web::Json<Page<AgencyDto>>, ApiError> {
    let page = q.page()?;
    let topics = catalog::list_topics(&state.db).await?;
    let topic = match &q.topic {
        None => None,
        Some(slug) => Some(
            topics
                .iter()
                .find(|t| t.slug.as_str() == slug)
                .map(|t| t.id)
                .ok_or_else(|| ApiError::bad_request(Code::InvalidQuery, format!("unknown topic {slug:?}")))?,
        ),
    };
    let agencies: Vec<Agency> = catalog::list_agencies(&state.db)
        .await?
        .into_iter()
        .filter(|a| topic.is_none_or(|t| a.topics.contains(&t)))
        .filter(|a| q.jurisdiction_unit_id.is_none_or(|u| a.jurisdiction_unit_id.0 == u))
        .filter(|a| q.active.is_none_or(|x| a.active == x))
        .collect();
    Ok(web::Json(page.page_sorted(
        agencies,
        |a| a.id.0,
        |a| agency_dto(&a, &topics),
    )))
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": {"vi": "Phòng Giáo dục và Đào tạo quận Phú Nhuận", "en": "Phu Nhuan District Education Office"}, "kind": "education_office", "jurisdiction_unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d20", "topics": ["education", "participation"]}))]
pub struct CreateAgency {
    pub name: Text,
    #[schema(value_type = crate::closed_sets::AgencyKindName)]
    pub kind: String,
    pub jurisdiction_unit_id: Uuid,
    /// Topic slugs.
    #[serde(default)]
    #[validate(length(max = 100))]
    #[schema(max_items = 100)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub contact: ContactDto,
    /// Default true.
    pub active: Option<bool>,
}

/// An agency's fields as the client sent them.
struct AgencyInput<'a> {
    name: Text,
    kind: &'a str,
    jurisdiction: Uuid,
    topic_slugs: &'a [String],
    contact: ContactDto,
    active: bool,
}

/// Checks an agency's fields against the units and topics that exist.
async fn build(state: &AppState, id: AgencyId, input: AgencyInput<'_>) -> Result<(Agency, Vec<Topic>), ApiError> {
    let AgencyInput {
        name,
        kind,
        jurisdiction,
        topic_slugs,
        contact,
        active,
    } = input;
    let mut errors = FieldErrors::new();
    let name = name.parse("name", 200).map_err(|e| errors.0.extend(e.0)).ok();
    let kind_parsed = AgencyKind::parse(kind);
    if kind_parsed.is_none() {
        errors.push_one_of("kind", &AgencyKind::NAMES);
    }
    let chart = org::load_chart(&state.db).await?;
    if chart.unit(UnitId(jurisdiction)).is_none() {
        errors.push("jurisdiction_unit_id", "unknown_unit", "no such unit");
    }
    let topics = catalog::list_topics(&state.db).await?;
    let mut topic_ids = Vec::new();
    for (i, slug) in topic_slugs.iter().enumerate() {
        match topics.iter().find(|t| t.slug.as_str() == slug) {
            Some(t) => topic_ids.push(t.id),
            None => errors.push(format!("topics[{i}]"), "unknown_topic", format!("no topic {slug:?}")),
        }
    }
    let contact = Contact::parse(
        contact.name.as_deref(),
        contact.email.as_deref(),
        contact.phone.as_deref(),
    )
    .map_err(|e| errors.0.extend(e.0))
    .ok();
    let (Some(name), Some(kind), Some(contact), true) = (name, kind_parsed, contact, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    Ok((
        Agency {
            id,
            name,
            kind,
            jurisdiction_unit_id: UnitId(jurisdiction),
            topics: topic_ids,
            contact,
            active,
        },
        topics,
    ))
}

/// Add an agency.
#[utoipa::path(
    tag = "agencies",
    security(("bearer" = [])),
    request_body = CreateAgency,
    responses((status = 201, body = AgencyDto), crate::openapi::CreateErrors)
)]
#[post("/agencies")]
async fn create_agency(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    Json(b): Json<CreateAgency>,
) -> Result<HttpResponse, ApiError> {
    let input = AgencyInput {
        name: b.name,
        kind: &b.kind,
        jurisdiction: b.jurisdiction_unit_id,
        topic_slugs: &b.topics,
        contact: b.contact,
        active: b.active.unwrap_or(true),
    };
    let (agency, topics) = build(&state, AgencyId::new(), input).await?;
    catalog::create_agency(&state.db, &staff.actor(), &agency).await?;
    Ok(HttpResponse::Created().json(agency_dto(&agency, &topics)))
}

async fn find(state: &AppState, id: Uuid) -> Result<Agency, ApiError> {
    catalog::get_agency(&state.db, AgencyId(id))
        .await
        .or_not_found("agency")
}

/// One agency.
#[utoipa::path(
    tag = "agencies",
    security(("bearer" = [])),
    responses((status = 200, body = AgencyDto), crate::openapi::ReadErrors)
)]
#[get("/agencies/{id}")]
async fn get_agency(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<AgencyDto>, ApiError> {
    let agency = find(&state, *id).await?;
    let topics = catalog::list_topics(&state.db).await?;
    Ok(web::Json(agency_dto(&agency, &topics)))
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"topics": ["education", "participation", "summer"], "contact": {"email": "pgddt@example.gov.vn"}}))]
pub struct UpdateAgency {
    pub name: Option<Text>,
    #[schema(value_type = Option<crate::closed_sets::AgencyKindName>)]
    pub kind: Option<String>,
    pub jurisdiction_unit_id: Option<Uuid>,
    /// Replaces the topic list.
    #[validate(length(max = 100))]
    #[schema(max_items = 100)]
    pub topics: Option<Vec<String>>,
    /// Replaces the contact.
    pub contact: Option<ContactDto>,
    pub active: Option<bool>,
}

/// Change an agency.
#[utoipa::path(
    tag = "agencies",
    security(("bearer" = [])),
    request_body = UpdateAgency,
    responses((status = 200, body = AgencyDto), crate::openapi::EditErrors)
)]
#[patch("/agencies/{id}")]
async fn update_agency(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(b): Json<UpdateAgency>,
) -> Result<web::Json<AgencyDto>, ApiError> {
    let current = find(&state, *id).await?;
    let all_topics = catalog::list_topics(&state.db).await?;
    let current_slugs: Vec<String> = current
        .topics
        .iter()
        .filter_map(|t| all_topics.iter().find(|x| x.id == *t))
        .map(|t| t.slug.as_str().to_owned())
        .collect();
    let input = AgencyInput {
        name: b.name.unwrap_or_else(|| Text::from(&current.name)),
        kind: b.kind.as_deref().unwrap_or(current.kind.as_str()),
        jurisdiction: b.jurisdiction_unit_id.unwrap_or(current.jurisdiction_unit_id.0),
        topic_slugs: b.topics.as_deref().unwrap_or(&current_slugs),
        contact: b.contact.unwrap_or(ContactDto {
            name: current.contact.name.clone(),
            email: current.contact.email.clone(),
            phone: current.contact.phone.clone(),
        }),
        active: b.active.unwrap_or(current.active),
    };
    let (agency, topics) = build(&state, current.id, input).await?;
    catalog::update_agency(&state.db, &staff.actor(), &agency).await?;
    Ok(web::Json(agency_dto(&agency, &topics)))
}
