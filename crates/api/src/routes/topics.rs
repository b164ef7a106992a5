//! The topic taxonomy.

use actix_web::{HttpResponse, get, patch, post, web};
use langnghe_domain::catalog::{Topic, TopicSlug};
use langnghe_domain::{FieldErrors, LocalizedText, TopicId};
use langnghe_storage::{StoreError, catalog};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Admin, Staff};
use crate::error::ApiError;
use crate::extract::Json;
use crate::pagination::{Page, PageRequest};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_topics).service(create_topic).service(update_topic);
}

/// Text in Vietnamese (required) and English.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"vi": "An toàn trên mạng", "en": "Online safety"}))]
pub struct Text {
    pub vi: String,
    pub en: Option<String>,
}

impl From<&LocalizedText> for Text {
    fn from(t: &LocalizedText) -> Self {
        Text {
            vi: t.vi().to_owned(),
            en: t.en().map(str::to_owned),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d50", "slug": "online_safety", "name": {"vi": "An toàn trên mạng", "en": "Online safety"}, "description": null, "active": true}))]
pub struct TopicDto {
    pub id: Uuid,
    pub slug: String,
    pub name: Text,
    pub description: Option<Text>,
    pub active: bool,
}

impl From<&Topic> for TopicDto {
    fn from(t: &Topic) -> Self {
        TopicDto {
            id: t.id.0,
            slug: t.slug.as_str().to_owned(),
            name: Text::from(&t.name),
            description: t.description.as_ref().map(Text::from),
            active: t.active,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListTopicsQuery {
    /// Only active (true) or inactive (false) topics; default all.
    pub active: Option<bool>,
    /// 1–100, default 50.
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Topics, oldest first.
#[utoipa::path(
    tag = "topics",
    security(("bearer" = [])),
    params(ListTopicsQuery),
    responses(
        (status = 200, body = Page<TopicDto>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
    )
)]
#[get("/topics")]
async fn list_topics(
    _staff: Staff,
    state: web::Data<AppState>,
    q: web::Query<ListTopicsQuery>,
) -> Result<web::Json<Page<TopicDto>>, ApiError> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let mut topics: Vec<Topic> = catalog::list_topics(&state.db)
        .await?
        .into_iter()
        .filter(|t| q.active.is_none_or(|a| t.active == a))
        .collect();
    topics.sort_by_key(|t| t.id);
    Ok(web::Json(page.page_sorted(topics, |t| t.id.0, |t| TopicDto::from(&t))))
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"slug": "online_safety", "name": {"vi": "An toàn trên mạng", "en": "Online safety"}}))]
pub struct CreateTopic {
    pub slug: String,
    pub name: Text,
    pub description: Option<Text>,
    /// Default true.
    pub active: Option<bool>,
}

/// Add a topic.
#[utoipa::path(
    tag = "topics",
    security(("bearer" = [])),
    request_body = CreateTopic,
    responses(
        (status = 201, body = TopicDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[post("/topics")]
async fn create_topic(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    body: Json<CreateTopic>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let mut errors = FieldErrors::new();
    let slug = TopicSlug::parse("slug", &b.slug).map_err(|e| errors.0.extend(e.0)).ok();
    let name = b.name.parse("name", 200).map_err(|e| errors.0.extend(e.0)).ok();
    let description = match b.description {
        None => Some(None),
        Some(d) => d
            .parse("description", 2000)
            .map(Some)
            .map_err(|e| errors.0.extend(e.0))
            .ok(),
    };
    let (Some(slug), Some(name), Some(description), true) = (slug, name, description, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let topic = Topic {
        id: TopicId::new(),
        slug,
        name,
        description,
        active: b.active.unwrap_or(true),
    };
    catalog::create_topic(&state.db, &staff.actor(), &topic).await?;
    Ok(HttpResponse::Created().json(TopicDto::from(&topic)))
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UpdateTopic {
    pub slug: Option<String>,
    pub name: Option<Text>,
    #[serde(default, deserialize_with = "crate::nullable::deserialize")]
    #[schema(value_type = Option<Text>)]
    pub description: Option<Option<Text>>,
    pub active: Option<bool>,
}

/// Change a topic's slug, names, description or whether it is active.
#[utoipa::path(
    tag = "topics",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = UpdateTopic,
    responses(
        (status = 200, body = TopicDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[patch("/topics/{id}")]
async fn update_topic(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<UpdateTopic>,
) -> Result<web::Json<TopicDto>, ApiError> {
    let b = body.0;
    let mut topic = match catalog::get_topic(&state.db, TopicId(*id)).await {
        Ok(t) => t,
        Err(StoreError::NotFound) => return Err(ApiError::not_found("topic")),
        Err(e) => return Err(e.into()),
    };
    let mut errors = FieldErrors::new();
    if let Some(slug) = b.slug {
        match TopicSlug::parse("slug", &slug) {
            Ok(s) => topic.slug = s,
            Err(e) => errors.0.extend(e.0),
        }
    }
    if let Some(name) = b.name {
        match name.parse("name", 200) {
            Ok(n) => topic.name = n,
            Err(e) => errors.0.extend(e.0),
        }
    }
    match b.description {
        None => {}
        Some(None) => topic.description = None,
        Some(Some(d)) => match d.parse("description", 2000) {
            Ok(d) => topic.description = Some(d),
            Err(e) => errors.0.extend(e.0),
        },
    }
    if let Some(active) = b.active {
        topic.active = active;
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    catalog::update_topic(&state.db, &staff.actor(), &topic).await?;
    Ok(web::Json(TopicDto::from(&topic)))
}
