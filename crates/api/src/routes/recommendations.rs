//! Recommendations: the Children's Council turns accepted issues and survey
//! evidence into recommendations, approves them (optionally at a Council
//! meeting), and sends each to the agencies responsible, with a due date in
//! working days. Staff follow every delivery, overdue ones first.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use langnghe_domain::moderation::IssueStatus;
use langnghe_domain::recommendation::{
    self as rules, DeliveryRequest, DeliveryStatus, RecommendationError, RecommendationStatus, SendError,
};
use langnghe_domain::text::Lang;
use langnghe_domain::{AgencyId, FieldErrors, LocalizedText, UnitId};
use langnghe_storage::recommendations::{
    self as store, DeliveryFilter, DeliveryRow, Draft, EvidenceRef, RecFilter, RecommendationRow, SendRefusal,
};
use langnghe_storage::{StoreError, catalog, events, moderation, org, surveys};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Curator, Staff};
use crate::dto::Text;
use crate::dto::{CommitmentDto, ReplyDto, commitment_dtos, reply_dto};
use crate::error::{ApiError, Code, OrNotFound};
use crate::extract::Json;
use crate::pagination::{Page, paged_query};
use crate::services::lookups::{Lookup, commitments};
use crate::services::lookups::{status_query, topic_query, unit_query};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_recommendation)
        .service(list_recommendations)
        .service(get_recommendation)
        .service(update_recommendation)
        .service(approve_recommendation)
        .service(send_recommendation)
        .service(routing_suggestions)
        .service(timeline)
        .service(list_deliveries);
}

fn text_field(errors: &mut FieldErrors, field: &str, t: &Text, max: usize) -> LocalizedText {
    LocalizedText::parse(field, &t.vi, t.en.as_deref(), max).unwrap_or_else(|e| {
        errors.0.extend(e.0);
        LocalizedText::from_stored("", None)
    })
}

/// A survey question whose suppressed results back the recommendation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceDto {
    pub survey_id: Uuid,
    pub question_key: String,
}

impl From<EvidenceRef> for EvidenceDto {
    fn from(e: EvidenceRef) -> Self {
        EvidenceDto {
            survey_id: e.survey_id,
            question_key: e.question_key,
        }
    }
}

impl From<EvidenceDto> for EvidenceRef {
    fn from(e: EvidenceDto) -> Self {
        EvidenceRef {
            survey_id: e.survey_id,
            question_key: e.question_key,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
  "title": {"vi": "Bổ sung đèn chiếu sáng trên đường đến trường", "en": "Light the road to school"},
  "summary": {"vi": "Học sinh phường 7 phản ánh đoạn đường Hoàng Văn Thụ tối, không an toàn khi tan học buổi chiều.", "en": null},
  "child_summary": {"vi": "Các bạn nói đường đến trường tối và đáng sợ. Hội đồng trẻ em đề nghị lắp thêm đèn.", "en": null},
  "action": {"vi": "Lắp đèn chiếu sáng và bố trí lực lượng hỗ trợ giờ tan học.", "en": null},
  "topic": "online_safety", "unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d20",
  "issue_ids": ["0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d99"],
  "evidence": [{"survey_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d70", "question_key": "safe_route"}]}))]
pub struct CreateRecommendation {
    pub title: Text,
    /// For the agency: what children said and why it matters.
    pub summary: Text,
    /// In words a child understands; published in the feed.
    pub child_summary: Text,
    /// The action requested of the agencies.
    pub action: Text,
    /// Topic slug.
    pub topic: String,
    /// The unit (ward, school…) the recommendation is about.
    pub unit_id: Uuid,
    /// Accepted issues it is built on (at most 100).
    #[serde(default)]
    pub issue_ids: Vec<Uuid>,
    /// Survey questions whose suppressed results back it (at most 20).
    #[serde(default)]
    pub evidence: Vec<EvidenceDto>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateRecommendation {
    pub title: Option<Text>,
    pub summary: Option<Text>,
    pub child_summary: Option<Text>,
    pub action: Option<Text>,
    pub topic: Option<String>,
    pub unit_id: Option<Uuid>,
    pub issue_ids: Option<Vec<Uuid>>,
    pub evidence: Option<Vec<EvidenceDto>>,
}

/// A delivery as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDto {
    pub id: Uuid,
    pub recommendation_id: Uuid,
    pub agency_id: Uuid,
    pub agency_name: Text,
    /// `sent`, `acknowledged`, `answered`, `in_progress`, `done`,
    /// `declined` or `not_responsible`.
    #[schema(value_type = crate::closed_sets::DeliveryStatusName)]
    pub status: String,
    pub due_on: NaiveDate,
    /// Unanswered after the due date.
    pub overdue: bool,
    /// Working days past the due date (0 when not overdue).
    pub days_overdue: i64,
    pub sent_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub reply: Option<ReplyDto>,
    pub commitments: Vec<CommitmentDto>,
    pub reminders_sent: i64,
    /// The admins were alerted after three reminders past due.
    pub escalated: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationDto {
    pub id: Uuid,
    /// `draft`, `approved` or `sent`.
    #[schema(value_type = crate::closed_sets::RecommendationStatusName)]
    pub status: String,
    pub title: Text,
    pub summary: Text,
    pub child_summary: Text,
    pub action: Text,
    /// Topic slug.
    pub topic: String,
    pub unit_id: Uuid,
    pub issue_ids: Vec<Uuid>,
    pub evidence: Vec<EvidenceDto>,
    /// The evidence's suppressed figures as they were when sent, with the
    /// survey's title, the question, the columns' labels and the unit's
    /// name in both languages, and `labels`: those words in the caller's
    /// language (`Accept-Language`).
    #[schema(value_type = Option<Vec<crate::services::results::FrozenEvidenceDto>>)]
    pub frozen_evidence: Option<serde_json::Value>,
    /// The Council meeting where it was approved.
    pub approval_event_id: Option<Uuid>,
    pub approved_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deliveries: Vec<DeliveryDto>,
    /// A delivery is unanswered past its due date.
    pub overdue: bool,
    /// An agency said it is not responsible since it was last routed: send
    /// it to another.
    pub needs_rerouting: bool,
}

async fn delivery_dtos(state: &AppState, look: &Lookup, rows: Vec<DeliveryRow>) -> Result<Vec<DeliveryDto>, ApiError> {
    let ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
    let promised = commitments(state, &ids).await?;
    let counts = store::reminder_counts(&state.db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|d| {
            let overdue = look.days_overdue(&d);
            DeliveryDto {
                id: d.id,
                recommendation_id: d.recommendation_id,
                agency_id: d.agency_id,
                agency_name: look.agency_name(d.agency_id),
                status: d.status.as_str().to_owned(),
                due_on: d.due_on,
                overdue: overdue.is_some(),
                days_overdue: overdue.unwrap_or(0),
                sent_at: d.sent_at,
                acknowledged_at: d.acknowledged_at,
                answered_at: d.answered_at,
                reply: reply_dto(&d),
                commitments: commitment_dtos(d.id, &promised),
                reminders_sent: counts.iter().find(|(i, _)| *i == d.id).map_or(0, |(_, n)| *n),
                escalated: d.escalated_at.is_some(),
            }
        })
        .collect())
}

async fn dtos(state: &AppState, rows: Vec<RecommendationRow>, lang: Lang) -> Result<Vec<RecommendationDto>, ApiError> {
    let look = Lookup::load(state).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let rows_of = store::deliveries_of(&state.db, &ids).await?;
    let all = delivery_dtos(state, &look, rows_of.clone()).await?;
    let mut by_rec: std::collections::HashMap<Uuid, Vec<DeliveryDto>> = std::collections::HashMap::new();
    for d in all {
        by_rec.entry(d.recommendation_id).or_default().push(d);
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let frozen_evidence = match r.frozen_evidence {
            Some(f) => Some(crate::services::results::evidence_for_reader(state, f, lang).await?),
            None => None,
        };
        out.push({
            let statuses: Vec<_> = rows_of
                .iter()
                .filter(|d| d.recommendation_id == r.id)
                .map(|d| (d.status, d.sent_at, d.answered_at))
                .collect();
            let deliveries = by_rec.remove(&r.id).unwrap_or_default();
            RecommendationDto {
                id: r.id,
                status: r.status.as_str().to_owned(),
                title: Text::from(&r.draft.title),
                summary: Text::from(&r.draft.summary),
                child_summary: Text::from(&r.draft.child_summary),
                action: Text::from(&r.draft.action),
                topic: look.topic_slug(r.draft.topic_id),
                unit_id: r.draft.unit_id,
                issue_ids: r.draft.issue_ids,
                evidence: r.draft.evidence.into_iter().map(EvidenceDto::from).collect(),
                frozen_evidence,
                approval_event_id: r.approval_event_id,
                approved_at: r.approved_at,
                sent_at: r.sent_at,
                created_by: r.created_by,
                created_at: r.created_at,
                updated_at: r.updated_at,
                overdue: deliveries.iter().any(|d| d.overdue),
                needs_rerouting: rules::needs_rerouting(&statuses),
                deliveries,
            }
        });
    }
    Ok(out)
}

/// One recommendation as the caller reads it: the frozen evidence's words
/// in the request's language.
async fn dto(state: &AppState, req: &HttpRequest, row: RecommendationRow) -> Result<RecommendationDto, ApiError> {
    dtos(state, vec![row], crate::extract::request_lang(req))
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("recommendation"))
}

/// Checks what a moderator wrote against the stored world: topic, unit,
/// accepted issues, published survey questions.
async fn check_draft(
    state: &AppState,
    errors: &mut FieldErrors,
    topic: &str,
    unit_id: Uuid,
    issue_ids: &[Uuid],
    evidence: &[EvidenceDto],
) -> Result<Uuid, ApiError> {
    let topics = catalog::list_topics(&state.db).await?;
    let topic_id = match topics.iter().find(|t| t.slug.as_str() == topic) {
        Some(t) => t.id.0,
        None => {
            errors.push("topic", "unknown_topic", "no topic has this slug");
            Uuid::nil()
        }
    };
    let chart = org::load_chart(&state.db).await?;
    if chart.unit(UnitId(unit_id)).is_none() {
        errors.push("unit_id", "unknown_unit", "no such unit");
    }
    if issue_ids.is_empty() && evidence.is_empty() {
        errors.push(
            "issue_ids",
            "no_grounds",
            "a recommendation rests on accepted issues or survey evidence",
        );
    }
    if issue_ids.len() > 100 {
        errors.push("issue_ids", "too_many", "at most 100 issues");
    } else {
        let found = moderation::get_many(&state.db, issue_ids).await?;
        for (i, id) in issue_ids.iter().enumerate() {
            if issue_ids[..i].contains(id) {
                errors.push(format!("issue_ids[{i}]"), "duplicate", "listed twice");
                continue;
            }
            match found.iter().find(|issue| issue.id == *id) {
                Some(issue) if issue.status == IssueStatus::Accepted => {}
                Some(_) => errors.push(
                    format!("issue_ids[{i}]"),
                    "not_accepted",
                    "only issues the moderators accepted back a recommendation",
                ),
                None => errors.push(format!("issue_ids[{i}]"), "unknown_issue", "no such issue"),
            }
        }
    }
    if evidence.len() > 20 {
        errors.push("evidence", "too_many", "at most 20 questions");
    } else {
        for (i, e) in evidence.iter().enumerate() {
            let record = match surveys::get(&state.db, e.survey_id).await {
                Ok(r) => r,
                Err(StoreError::NotFound) => {
                    errors.push(format!("evidence[{i}].survey_id"), "unknown_survey", "no such survey");
                    continue;
                }
                Err(err) => return Err(err.into()),
            };
            let Some(version) = record.published_version else {
                errors.push(
                    format!("evidence[{i}].survey_id"),
                    "survey_not_published",
                    "the survey has no published results",
                );
                continue;
            };
            let stored = surveys::version(&state.db, e.survey_id, version).await?;
            let def = stored.definition.definition;
            if !def.questions().iter().any(|q| q.key() == e.question_key) {
                errors.push(
                    format!("evidence[{i}].question_key"),
                    "unknown_question",
                    "the published survey has no such question",
                );
            }
        }
    }
    Ok(topic_id)
}

fn refusal(e: RecommendationError) -> ApiError {
    ApiError::named(e.code(), e.to_string())
}

/// Write a recommendation as a draft (moderators, admins).
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    request_body = CreateRecommendation,
    responses((status = 201, body = RecommendationDto), crate::openapi::CreateErrors)
)]
#[post("/recommendations")]
async fn create_recommendation(
    req: HttpRequest,
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    Json(b): Json<CreateRecommendation>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let title = text_field(&mut errors, "title", &b.title, 200);
    let summary = text_field(&mut errors, "summary", &b.summary, 4000);
    let child_summary = text_field(&mut errors, "child_summary", &b.child_summary, 1000);
    let action = text_field(&mut errors, "action", &b.action, 2000);
    let topic_id = check_draft(&state, &mut errors, &b.topic, b.unit_id, &b.issue_ids, &b.evidence).await?;
    errors.into_result(())?;
    let draft = Draft {
        title,
        summary,
        child_summary,
        action,
        topic_id,
        unit_id: b.unit_id,
        issue_ids: b.issue_ids,
        evidence: b.evidence.into_iter().map(EvidenceRef::from).collect(),
    };
    let row = store::create(&state.db, &staff.actor(), &draft).await?;
    Ok(HttpResponse::Created().json(dto(&state, &req, row).await?))
}

paged_query! {
    pub struct RecommendationQuery {
        /// `draft`, `approved` or `sent`.
        #[param(value_type = Option<crate::closed_sets::RecommendationStatusName>)]
        pub status: Option<String>,
        /// Topic slug.
        pub topic: Option<String>,
        /// This unit and everything below it.
        pub unit_id: Option<Uuid>,
        /// Sent to this agency.
        pub agency_id: Option<Uuid>,
        /// `true`: with a delivery unanswered past its due date.
        pub overdue: Option<bool>,
    }
}

/// Recommendations, oldest first (moderators, admins).
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(RecommendationQuery),
    responses((status = 200, body = Page<RecommendationDto>), crate::openapi::ListErrors)
)]
#[get("/recommendations")]
async fn list_recommendations(
    req: HttpRequest,
    _staff: Staff<Curator>,
    state: web::Data<AppState>,
    q: web::Query<RecommendationQuery>,
) -> Result<web::Json<Page<RecommendationDto>>, ApiError> {
    let page = q.page()?;
    let status = status_query::<RecommendationStatus>(q.status.as_deref(), "status")?;
    let topic_id = topic_query(&catalog::list_topics(&state.db).await?, q.topic.as_deref())?;
    let units = unit_query(&state, q.unit_id).await?;
    let filter = RecFilter {
        status,
        topic_id,
        units: units.as_deref(),
        agency_id: q.agency_id,
        overdue: q.overdue.map(|o| (o, state.clock.local_date())),
    };
    let rows = store::list(&state.db, &filter, page.after, page.fetch()).await?;
    let p = page.page(rows, |r| r.id, |r| r);
    Ok(web::Json(
        p.try_map(|items| dtos(&state, items, crate::extract::request_lang(&req)))
            .await?,
    ))
}

/// One recommendation with its deliveries (moderators, admins).
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    responses((status = 200, body = RecommendationDto), crate::openapi::ReadErrors)
)]
#[get("/recommendations/{id}")]
async fn get_recommendation(
    req: HttpRequest,
    _staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<RecommendationDto>, ApiError> {
    let row = store::get(&state.db, *id).await.or_not_found("recommendation")?;
    Ok(web::Json(dto(&state, &req, row).await?))
}

/// Edit a draft; only the fields sent change (moderators, admins).
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    request_body = UpdateRecommendation,
    responses((status = 200, body = RecommendationDto), crate::openapi::ChangeErrors)
)]
#[patch("/recommendations/{id}")]
async fn update_recommendation(
    req: HttpRequest,
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(b): Json<UpdateRecommendation>,
) -> Result<web::Json<RecommendationDto>, ApiError> {
    let current = store::get(&state.db, *id).await.or_not_found("recommendation")?;
    rules::can_edit(current.status).map_err(refusal)?;
    let mut errors = FieldErrors::new();
    let mut next = current.draft.clone();
    for (field, given, slot, max) in [
        ("title", &b.title, &mut next.title, 200),
        ("summary", &b.summary, &mut next.summary, 4000),
        ("child_summary", &b.child_summary, &mut next.child_summary, 1000),
        ("action", &b.action, &mut next.action, 2000),
    ] {
        if let Some(t) = given {
            *slot = text_field(&mut errors, field, t, max);
        }
    }
    let topic = match &b.topic {
        Some(t) => t.clone(),
        None => Lookup::load(&state).await?.topic_slug(current.draft.topic_id),
    };
    let unit_id = b.unit_id.unwrap_or(current.draft.unit_id);
    let issue_ids = b.issue_ids.clone().unwrap_or_else(|| current.draft.issue_ids.clone());
    let evidence: Vec<EvidenceDto> = match &b.evidence {
        Some(e) => e.clone(),
        None => current.draft.evidence.iter().cloned().map(EvidenceDto::from).collect(),
    };
    next.topic_id = check_draft(&state, &mut errors, &topic, unit_id, &issue_ids, &evidence).await?;
    errors.into_result(())?;
    next.unit_id = unit_id;
    next.issue_ids = issue_ids;
    next.evidence = evidence.into_iter().map(EvidenceRef::from).collect();
    let row = store::update(&state.db, &staff.actor(), *id, |cur| {
        rules::can_edit(cur.status).map(|()| next)
    })
    .await
    .or_not_found("recommendation")?
    .map_err(refusal)?;
    Ok(web::Json(dto(&state, &req, row).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRecommendation {
    /// The Council meeting (an event of kind `council_meeting`) where it
    /// was approved.
    pub event_id: Option<Uuid>,
}

/// Record the Council's approval of a draft (moderators, admins).
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    request_body = ApproveRecommendation,
    responses((status = 200, body = RecommendationDto), crate::openapi::ChangeErrors)
)]
#[post("/recommendations/{id}/approve")]
async fn approve_recommendation(
    req: HttpRequest,
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> Result<web::Json<RecommendationDto>, ApiError> {
    // The body is optional: an empty one approves without a meeting.
    let body: ApproveRecommendation = if body.iter().all(u8::is_ascii_whitespace) {
        ApproveRecommendation::default()
    } else {
        crate::extract::parse_json(&body)?
    };
    if let Some(e) = body.event_id {
        match events::get(&state.db, e).await {
            Ok(ev) if ev.kind == langnghe_domain::plan::EventKind::CouncilMeeting => {}
            Ok(_) => {
                return Err(ApiError::field(
                    "event_id",
                    "not_a_council_meeting",
                    "approval is recorded at a Council meeting (kind council_meeting)",
                ));
            }
            Err(StoreError::NotFound) => return Err(ApiError::field("event_id", "unknown_event", "no such event")),
            Err(e) => return Err(e.into()),
        }
    }
    let row = store::approve(&state.db, &staff.actor(), *id, body.event_id, |cur| {
        rules::can_approve(cur.status)
    })
    .await
    .or_not_found("recommendation")?
    .map_err(refusal)?;
    Ok(web::Json(dto(&state, &req, row).await?))
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DeliveryIn {
    pub agency_id: Uuid,
    /// Default: 15 working days after today, skipping weekends and the
    /// holiday calendar.
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"deliveries": [{"agency_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d60"}, {"agency_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d61", "due_on": "2026-12-31"}]}))]
pub struct SendRecommendation {
    /// One per agency (1–20). Sending a sent recommendation again routes it
    /// to more agencies.
    pub deliveries: Vec<DeliveryIn>,
}

/// Send an approved recommendation to agencies, or route a sent one to
/// more (moderators, admins). The evidence's suppressed figures are frozen
/// on the first sending; each agency gets a `delivery.created` webhook.
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    request_body = SendRecommendation,
    responses((status = 200, body = RecommendationDto), crate::openapi::ChangeErrors)
)]
#[post("/recommendations/{id}/send")]
async fn send_recommendation(
    req: HttpRequest,
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(body): Json<SendRecommendation>,
) -> Result<web::Json<RecommendationDto>, ApiError> {
    let asked: Vec<DeliveryRequest> = body.deliveries.iter().map(DeliveryRequest::from).collect();
    let current = store::get(&state.db, *id).await.or_not_found("recommendation")?;
    let look = Lookup::load(&state).await?;
    let plan = rules::plan_deliveries(
        current.status,
        current.sent_at.is_some(),
        &asked,
        &look.agencies,
        look.today,
        &look.holidays,
    )
    .map_err(|e| match e {
        SendError::Refused(e) => refusal(e),
        SendError::Invalid(e) => e.into(),
    })?;
    let frozen = if plan.freeze_evidence {
        frozen_evidence(&state, &current).await?
    } else {
        Vec::new()
    };
    let sent = store::send(
        &state.db,
        &staff.actor(),
        *id,
        &plan.deliveries,
        serde_json::Value::Array(frozen),
        |cur| rules::can_send(cur.status),
    )
    .await
    .or_not_found("recommendation")?;
    let row = match sent {
        Ok((row, _)) => row,
        Err(SendRefusal::Rule(e)) => return Err(refusal(e)),
        Err(SendRefusal::AlreadyDelivered(taken)) => return Err(rules::already_delivered(&asked, &taken).into()),
    };
    Ok(web::Json(dto(&state, &req, row).await?))
}

/// The evidence as it is published now, to be frozen on the first
/// sending. The survey may have been closed or republished without the
/// question since the draft was written: a conflict, to edit the evidence.
async fn frozen_evidence(state: &AppState, current: &RecommendationRow) -> Result<Vec<serde_json::Value>, ApiError> {
    let mut frozen = Vec::new();
    for (i, e) in current.draft.evidence.iter().enumerate() {
        let gone = || {
            ApiError::conflict(
                Code::EvidenceUnavailable,
                format!("evidence[{i}]: the survey no longer publishes this question; edit the evidence"),
            )
        };
        let record = surveys::get(&state.db, e.survey_id).await.map_err(|_| gone())?;
        let published = record.published_version.ok_or_else(gone)?;
        let version = surveys::version(&state.db, e.survey_id, published).await?;
        let def = version.definition.definition;
        if !def.questions().iter().any(|q| q.key() == e.question_key) {
            return Err(gone());
        }
        frozen.push(
            crate::services::results::evidence_figures(
                state,
                e.survey_id,
                &def,
                &e.question_key,
                current.draft.unit_id,
            )
            .await?,
        );
    }
    Ok(frozen)
}

impl From<&DeliveryIn> for DeliveryRequest {
    fn from(d: &DeliveryIn) -> Self {
        DeliveryRequest {
            agency_id: AgencyId(d.agency_id),
            due_on: d.due_on,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingSuggestionDto {
    pub agency_id: Uuid,
    pub name: Text,
    #[schema(value_type = crate::closed_sets::AgencyKindName)]
    pub kind: &'static str,
    pub jurisdiction_unit_id: Uuid,
    /// Levels between the recommendation's unit and the agency's
    /// jurisdiction: 0 is the unit itself; the closest come first.
    pub distance: usize,
    /// Already has a delivery of this recommendation.
    pub already_delivered: bool,
}

/// Agencies whose jurisdiction covers the recommendation's unit and who
/// answer for its topic, closest jurisdiction first (moderators, admins).
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<RoutingSuggestionDto>), crate::openapi::ReadErrors)
)]
#[get("/recommendations/{id}/routing-suggestions")]
async fn routing_suggestions(
    _staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<RoutingSuggestionDto>>, ApiError> {
    let rec = store::get(&state.db, *id).await.or_not_found("recommendation")?;
    let chart = org::load_chart(&state.db).await?;
    let delivered: Vec<langnghe_domain::AgencyId> = store::deliveries_of(&state.db, &[rec.id])
        .await?
        .iter()
        .map(|d| langnghe_domain::AgencyId(d.agency_id))
        .collect();
    let agencies = catalog::list_agencies(&state.db).await?;
    let out = rules::suggest_agencies(
        &agencies,
        &chart,
        UnitId(rec.draft.unit_id),
        langnghe_domain::TopicId(rec.draft.topic_id),
        &delivered,
        state.clock.local_date(),
    )
    .into_iter()
    .map(|s| RoutingSuggestionDto {
        agency_id: s.agency.id.0,
        name: Text::from(&s.agency.name),
        kind: s.agency.kind.as_str(),
        jurisdiction_unit_id: s.agency.jurisdiction_unit_id.0,
        distance: s.distance,
        already_delivered: s.already_delivered,
    })
    .collect();
    Ok(web::Json(out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineStepDto {
    pub at: DateTime<Utc>,
    /// Who: a staff username, `client:<client_id>`, or `system`.
    pub actor: String,
    /// `recommendation.create`, `recommendation.approve`,
    /// `recommendation.send`, `delivery.acknowledge`, `delivery.reply`,
    /// `delivery.update`, `delivery.reminder`, `delivery.escalate`, …
    #[schema(value_type = crate::closed_sets::TimelineAction)]
    pub action: String,
    /// The delivery the step is about, if any.
    pub delivery_id: Option<Uuid>,
    /// The state after the step.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// Every step of a recommendation and its deliveries, with time and actor
/// (moderators, admins).
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<TimelineStepDto>), crate::openapi::ReadErrors)
)]
#[get("/recommendations/{id}/timeline")]
async fn timeline(
    _staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<TimelineStepDto>>, ApiError> {
    store::get(&state.db, *id).await.or_not_found("recommendation")?;
    let steps = store::timeline(&state.db, *id).await?;
    Ok(web::Json(
        steps
            .into_iter()
            .map(|e| TimelineStepDto {
                at: e.at,
                actor: e.actor_label,
                delivery_id: (e.entity == "delivery")
                    .then(|| e.entity_id.as_deref().and_then(|i| i.parse().ok()))
                    .flatten(),
                action: e.action,
                after: e.after,
            })
            .collect(),
    ))
}

paged_query! {
    pub struct DeliveryQuery {
        /// `true`: only deliveries unanswered past their due date.
        pub overdue: Option<bool>,
        /// `true`: only those escalated to the admins.
        pub escalated: Option<bool>,
        pub agency_id: Option<Uuid>,
        /// A delivery status.
        #[param(value_type = Option<crate::closed_sets::DeliveryStatusName>)]
        pub status: Option<String>,
    }
}

/// Deliveries across agencies, with days overdue (moderators, admins).
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(DeliveryQuery),
    responses((status = 200, body = Page<DeliveryDto>), crate::openapi::ListErrors)
)]
#[get("/deliveries")]
async fn list_deliveries(
    _staff: Staff<Curator>,
    state: web::Data<AppState>,
    q: web::Query<DeliveryQuery>,
) -> Result<web::Json<Page<DeliveryDto>>, ApiError> {
    let page = q.page()?;
    let status = status_query::<DeliveryStatus>(q.status.as_deref(), "status")?;
    let look = Lookup::load(&state).await?;
    let filter = DeliveryFilter {
        agency_id: q.agency_id,
        status,
        overdue: q.overdue.map(|o| (o, look.today)),
        escalated: q.escalated,
    };
    let rows = store::list_deliveries(&state.db, &filter, page.after, page.fetch()).await?;
    let p = page.page(rows, |d| d.id, |d| d);
    Ok(web::Json(p.try_map(|items| delivery_dtos(&state, &look, items)).await?))
}
