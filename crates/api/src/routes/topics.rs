//! The topic taxonomy, and what children raised and answered per topic.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{Datelike, NaiveDate};
use langnghe_domain::account::OutOfScope;
use langnghe_domain::catalog::{Topic, TopicSlug};
use langnghe_domain::{FieldErrors, TopicId, UnitId};
use langnghe_storage::{catalog, org};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Admin, Consulting, Staff};
use crate::dto::Text;
use crate::error::{ApiError, Code, OrNotFound};
use crate::extract::{Json, query_date};
use crate::pagination::{Page, paged_query};
use crate::services::topics::{TopicFiguresDto, topic_figures};

use crate::dto::UnitBrief;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    // `/topics/summary` before any `/topics/{id}`, so that `summary` is
    // never read as an id.
    cfg.service(list_topics)
        .service(topic_summary)
        .service(create_topic)
        .service(update_topic);
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

paged_query! {
    pub struct ListTopicsQuery {
        /// Only active (true) or inactive (false) topics; default all.
        pub active: Option<bool>,
    }
}

/// Topics, oldest first.
#[utoipa::path(
    tag = "topics",
    security(("bearer" = [])),
    params(ListTopicsQuery),
    responses((status = 200, body = Page<TopicDto>), crate::openapi::ListErrors)
)]
#[get("/topics")]
async fn list_topics(
    _staff: Staff,
    state: web::Data<AppState>,
    q: web::Query<ListTopicsQuery>,
) -> Result<web::Json<Page<TopicDto>>, ApiError> {
    let page = q.page()?;
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
    responses((status = 201, body = TopicDto), crate::openapi::UniqueCreateErrors)
)]
#[post("/topics")]
async fn create_topic(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    Json(b): Json<CreateTopic>,
) -> Result<HttpResponse, ApiError> {
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
    #[serde(default, deserialize_with = "crate::extract::nullable::deserialize")]
    #[schema(value_type = Option<Text>)]
    pub description: Option<Option<Text>>,
    pub active: Option<bool>,
}

/// Change a topic's slug, names, description or whether it is active.
#[utoipa::path(
    tag = "topics",
    security(("bearer" = [])),
    request_body = UpdateTopic,
    responses((status = 200, body = TopicDto), crate::openapi::ChangeErrors)
)]
#[patch("/topics/{id}")]
async fn update_topic(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(b): Json<UpdateTopic>,
) -> Result<web::Json<TopicDto>, ApiError> {
    let mut topic = catalog::get_topic(&state.db, TopicId(*id))
        .await
        .or_not_found("topic")?;
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

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TopicSummaryQuery {
    /// The first day of a month; default 1 January of `to`'s year.
    #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub from: Option<NaiveDate>,
    /// The last day of a month; default the end of this month.
    #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub to: Option<NaiveDate>,
    /// Only records of this unit and below it on `to`, with those of old
    /// units whose history it took over. Default: every unit (a
    /// facilitator: their own unit, and never outside it).
    pub unit_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopicSummaryDto {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The unit summarised; `null` for every unit.
    pub unit: Option<UnitBrief>,
    /// No count about children from 1 to k − 1 is published (k).
    pub min_cell: u64,
    /// Every topic, in the order they were created, including those with nothing.
    pub topics: Vec<TopicFiguresDto>,
}

/// Per topic, over whole months: the issues raised (by status), the survey
/// answers, the events where the topic came up, and a monthly trend. Every
/// figure about children goes through disclosure control (the cell key
/// method: no count from 1 to k − 1, totals their own cells); issues
/// withheld for safeguarding are counted nowhere. Facilitators see their
/// own unit and below only.
#[utoipa::path(
    tag = "topics",
    security(("bearer" = [])),
    params(TopicSummaryQuery),
    responses((status = 200, body = TopicSummaryDto), crate::openapi::ReadErrors)
)]
#[get("/topics/summary")]
async fn topic_summary(
    req: HttpRequest,
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    q: web::Query<TopicSummaryQuery>,
) -> Result<web::Json<TopicSummaryDto>, ApiError> {
    let today = state.clock.local_date();
    // Whole months only: by default from January to the end of this month.
    let end_of_month = |d: NaiveDate| {
        let next = if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
        };
        next.and_then(|n| n.pred_opt()).unwrap_or(d)
    };
    let to = query_date("to", q.to)?.unwrap_or_else(|| end_of_month(today));
    let from = match query_date("from", q.from)? {
        Some(d) => d,
        None => NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to),
    };
    langnghe_domain::results::whole_months(Some(from), Some(to))
        .map_err(|e| ApiError::bad_request(Code::InvalidQuery, e.to_string()))?;
    let chart = org::load_chart(&state.db).await?;
    if let Some(u) = q.unit_id
        && chart.unit(UnitId(u)).is_none()
    {
        return Err(ApiError::bad_request(Code::InvalidQuery, "unknown unit_id"));
    }
    let root = match staff.scope().narrow(&chart, q.unit_id.map(UnitId), &[today]) {
        Err(OutOfScope::NoUnit) => return Err(ApiError::forbidden()),
        Err(OutOfScope::Outside) => return Err(ApiError::not_found("unit")),
        Ok(root) => root,
    };
    let units = root.map(|r| chart.counting_for(r, to));
    let topics = topic_figures(&state, crate::extract::request_lang(&req), units.as_deref(), from, to).await?;
    Ok(web::Json(TopicSummaryDto {
        from,
        to,
        unit: root.and_then(|r| chart.unit(r)).map(crate::dto::brief),
        min_cell: state.ptable.policy().threshold(),
        topics,
    }))
}
