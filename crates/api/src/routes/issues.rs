//! The Children's Council's moderation queue: issues children raised (by
//! form or at events), filtered, searched without regard to case or
//! diacritics, counted per status; one issue with its history; and the
//! moderator's decision, topic, unit, note and further redaction.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use actix_web::{get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use langnghe_domain::UnitId;
use langnghe_domain::catalog::Topic;
use langnghe_domain::moderation::{self, IssueStatus, QueueStatus, RejectReason};
use langnghe_domain::screen::Severity;
use langnghe_storage::audit::AuditEvent;
use langnghe_storage::moderation::{self as store, IssueFilter, IssueRow};
use langnghe_storage::{audit, catalog, org};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Curator, Staff};
use crate::error::{ApiError, Code, OrNotFound};
use crate::extract::Json;
use crate::pagination::{Page, PageRequest, paged_query};
use crate::services::lookups::{topic_by_slug, topic_query, unit_query};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_issues)
        .service(public_issues)
        .service(support_issue)
        .service(bulk_update)
        .service(merge_issue)
        .service(unmerge_issue)
        .service(similar_issues)
        .service(survey_answers)
        .service(promote_answer)
        .service(refer_answer)
        .service(get_issue)
        .service(update_issue)
        .service(publish_issue)
        .service(unpublish_issue)
        .service(refer_issue);
}

const SOURCES: [&str; 3] = ["form", "event", "survey_answer"];

paged_query! {
    pub struct IssueQuery {
        /// `new`, `accepted`, `rejected` or `merged` (issues merged into
        /// another, whatever their own status).
        #[param(value_type = Option<crate::closed_sets::IssueQueueStatus>)]
        pub status: Option<String>,
        /// A topic's slug.
        pub topic: Option<String>,
        /// Issues raised under this unit or below it (old units included).
        pub unit_id: Option<Uuid>,
        /// `form` (raised by a child on the phone), `event` (raised at an
        /// event held offline) or `survey_answer` (promoted from an answer).
        #[param(value_type = Option<crate::closed_sets::IssueSource>)]
        pub source: Option<String>,
        /// Words to find in the title or body, ignoring case and diacritics
        /// ("bao luc" finds "Bạo lực"); up to 200 characters.
        pub q: Option<String>,
        /// `newest` (default) or `oldest`.
        #[param(value_type = Option<crate::closed_sets::IssueSort>)]
        pub sort: Option<String>,
    }
}

/// An issue as moderators see it: redacted text only.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueDto {
    pub id: Uuid,
    /// `form` or `event`.
    #[schema(value_type = crate::closed_sets::IssueSource)]
    pub source: String,
    /// `new`, `accepted` or `rejected`; `merged` for an issue merged into
    /// another (`merged_into`): a duplicate is resolved by the merge and
    /// leaves the `new` queue; unmerging brings back its own status.
    #[schema(value_type = crate::closed_sets::IssueStatusName)]
    pub status: String,
    /// For a rejected issue: `off_topic`, `spam` (junk, not counted as a
    /// consultation), `duplicate`, `unsafe`, `personal_information` or
    /// `other`.
    #[schema(value_type = Option<crate::closed_sets::RejectReasonName>)]
    pub rejection_reason: Option<String>,
    pub survey_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
    pub unit_id: Uuid,
    #[schema(value_type = Option<crate::closed_sets::AgeBandName>)]
    pub age_band: Option<String>,
    /// The topic's slug.
    pub topic: Option<String>,
    pub title: String,
    /// Redacted by screening (and by moderators); a withheld issue holds a
    /// marker, its text is in the safeguarding case.
    pub body: String,
    /// What screening redacted, by kind.
    #[schema(value_type = Vec<crate::closed_sets::RedactionName>)]
    pub redactions: Vec<String>,
    pub moderator_note: Option<String>,
    /// Children who support it, with the issues merged into it (each child
    /// once).
    pub supports: i64,
    /// The canonical issue this one was merged into.
    pub merged_into: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// On the public list since (a moderator publishes an accepted issue).
    pub published_at: Option<DateTime<Utc>>,
}

fn dto(r: IssueRow, topics: &[Topic], supports: &HashMap<Uuid, i64>) -> IssueDto {
    IssueDto {
        supports: supports.get(&r.id).copied().unwrap_or(0),
        merged_into: r.merged_into,
        id: r.id,
        source: r.source,
        status: moderation::queue_status(r.status, r.merged_into.is_some()).to_owned(),
        rejection_reason: r.rejection_reason.map(|r| r.as_str().to_owned()),
        survey_id: r.survey_id,
        event_id: r.event_id,
        unit_id: r.unit_id,
        age_band: r.age_band,
        topic: r
            .topic_id
            .and_then(|t| topics.iter().find(|x| x.id.0 == t))
            .map(|t| t.slug.as_str().to_owned()),
        title: r.title,
        body: r.body,
        redactions: r
            .redactions
            .map(|s| s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default(),
        moderator_note: r.moderator_note,
        created_at: r.created_at,
        updated_at: r.updated_at,
        published_at: r.published_at,
    }
}

/// A page of the queue and how many issues each status holds under the
/// same filters (the status filter aside).
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueQueueDto {
    pub items: Vec<IssueDto>,
    pub next_cursor: Option<String>,
    /// Status → number of issues; issues merged into another under `merged`.
    pub counts: BTreeMap<String, i64>,
}

/// The moderation queue, newest first by default, with counts per status.
#[utoipa::path(
    tag = "moderation",
    security(("bearer" = [])),
    params(IssueQuery),
    responses((status = 200, body = IssueQueueDto), crate::openapi::ListErrors)
)]
#[get("/issues")]
async fn list_issues(
    _staff: Staff<Curator>,
    state: web::Data<AppState>,
    q: web::Query<IssueQuery>,
) -> Result<web::Json<IssueQueueDto>, ApiError> {
    let page = q.page()?;
    let bad = |what: &str| ApiError::bad_request(Code::InvalidQuery, what.to_owned());
    let status = match q.status.as_deref() {
        None => None,
        Some(moderation::MERGED) => Some(QueueStatus::Merged),
        // Withheld issues are for safeguarding officers, through their cases.
        Some(s) => Some(QueueStatus::Own(
            IssueStatus::parse(s)
                .filter(|s| !s.is_hidden())
                .ok_or_else(|| bad("status is new, accepted, rejected or merged"))?,
        )),
    };
    let source = match q.source.as_deref() {
        None => None,
        Some(s) if SOURCES.contains(&s) => Some(s),
        Some(_) => return Err(bad("source is form, event or survey_answer")),
    };
    let newest_first = match q.sort.as_deref() {
        None | Some("newest") => true,
        Some("oldest") => false,
        Some(_) => return Err(bad("sort is newest or oldest")),
    };
    let search = match q.q.as_deref() {
        None => None,
        Some(text) if text.chars().count() > 200 || text.chars().any(char::is_control) => {
            return Err(bad("q is up to 200 printable characters"));
        }
        Some(text) => moderation::search_query(text),
    };
    let topics = catalog::list_topics(&state.db).await?;
    let topic_id = topic_query(&topics, q.topic.as_deref())?;
    let units = unit_query(&state, q.unit_id).await?;
    let filter = IssueFilter {
        status,
        topic_id,
        units: units.as_deref(),
        source,
        search: search.as_deref(),
        canonical_only: false,
        published_only: false,
    };
    let rows = store::list(&state.db, &filter, newest_first, page.after, page.fetch()).await?;
    let counts = store::counts(&state.db, &filter).await?;
    let supports = store::support_counts(&state.db, &rows.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
    let Page { items, next_cursor } = page.page(rows, |r| r.id, |r| dto(r, &topics, &supports));
    Ok(web::Json(IssueQueueDto {
        items,
        next_cursor,
        counts: IssueStatus::ALL
            .iter()
            .filter(|s| !s.is_hidden())
            .map(|s| s.as_str())
            .chain([moderation::MERGED])
            .map(|s| {
                let n = counts.iter().find(|(x, _)| x == s).map(|(_, n)| *n).unwrap_or(0);
                (s.to_owned(), n)
            })
            .collect(),
    }))
}

/// One change in an issue's history: who, when, and which fields — not
/// their values, so text a moderator redacted is not shown again (admins
/// read it in the audit log).
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueHistoryDto {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    /// The fields the change touched (`status`, `topic_id`, `body`, …).
    pub changed: Vec<String>,
}

fn history_entry(e: AuditEvent) -> IssueHistoryDto {
    let field = |v: &Option<serde_json::Value>, k: &str| v.as_ref().and_then(|v| v.get(k)).cloned();
    let keys: BTreeSet<String> = [&e.before, &e.after]
        .iter()
        .filter_map(|v| v.as_ref().and_then(|v| v.as_object()))
        .flat_map(|o| o.keys().cloned())
        .collect();
    IssueHistoryDto {
        at: e.at,
        actor: e.actor_label,
        action: e.action,
        changed: keys
            .into_iter()
            .filter(|k| k != "updated_at" && field(&e.before, k) != field(&e.after, k))
            .collect(),
    }
}

/// One issue with the history of what moderators did to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueDetailDto {
    #[serde(flatten)]
    pub issue: IssueDto,
    /// Every recorded change, oldest first.
    pub history: Vec<IssueHistoryDto>,
    /// The issues merged into this one.
    pub merged: Vec<Uuid>,
    /// Where it and the issues merged into it came from (`form`, `event`,
    /// `survey_answer`).
    #[schema(value_type = Vec<crate::closed_sets::IssueSource>)]
    pub sources: Vec<String>,
    /// Up to three likely duplicates, best first (more with
    /// `GET /issues/{id}/similar`).
    pub suggested_duplicates: Vec<SuggestionDto>,
}

/// An issue of the queue. A withheld issue belongs to its safeguarding case
/// and is not found here, whoever asks.
async fn find(state: &AppState, id: Uuid) -> Result<IssueRow, ApiError> {
    Some(store::get(&state.db, id).await.or_not_found("issue")?)
        .filter(|r| !r.status.is_hidden())
        .ok_or_else(|| ApiError::not_found("issue"))
}

async fn detail(state: &AppState, r: IssueRow) -> Result<IssueDetailDto, ApiError> {
    let topics = catalog::list_topics(&state.db).await?;
    let history = audit::for_entity(&state.db, "issue", &r.id.to_string()).await?;
    let supports = store::support_counts(&state.db, &[r.id]).await?;
    let merged = store::merged_of(&state.db, &[r.id])
        .await?
        .remove(&r.id)
        .unwrap_or_default();
    let sources = store::group_sources(&state.db, r.id).await?;
    let suggested_duplicates = if r.status == IssueStatus::Withheld {
        Vec::new()
    } else {
        let (candidates, ranked) = suggestions(state, &r, 3).await?;
        ranked
            .into_iter()
            .map(|(i, score)| SuggestionDto {
                id: candidates[i].id,
                title: candidates[i].title.clone(),
                status: candidates[i].status.as_str().to_owned(),
                score: (score * 1000.0).round() / 1000.0,
            })
            .collect()
    };
    Ok(IssueDetailDto {
        suggested_duplicates,
        issue: dto(r, &topics, &supports),
        history: history.into_iter().map(history_entry).collect(),
        merged,
        sources,
    })
}

/// One issue, redacted, with its history.
#[utoipa::path(
    tag = "moderation",
    security(("bearer" = [])),
    responses((status = 200, body = IssueDetailDto), crate::openapi::ReadErrors)
)]
#[get("/issues/{id}")]
async fn get_issue(
    _staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<IssueDetailDto>, ApiError> {
    let r = find(&state, *id).await?;
    Ok(web::Json(detail(&state, r).await?))
}

/// A moderator's change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "rejected", "reason": "duplicate", "note": "Trùng với kiến nghị về sân chơi"}))]
pub struct IssueChangeIn {
    /// `accepted` or `rejected` (a decision may be revisited; nothing goes
    /// back to `new`).
    #[schema(value_type = Option<crate::closed_sets::IssueDecision>)]
    pub status: Option<String>,
    /// Required to reject: `off_topic`, `spam` (junk such as "adsfasdf":
    /// no longer counted as a consultation), `duplicate`, `unsafe`,
    /// `personal_information` or `other`.
    #[schema(value_type = Option<crate::closed_sets::RejectReasonName>)]
    pub reason: Option<String>,
    /// A topic's slug, or `null` to clear it.
    #[serde(default, deserialize_with = "crate::extract::nullable::deserialize")]
    #[schema(value_type = Option<String>)]
    pub topic: Option<Option<String>>,
    /// The unit the issue concerns.
    pub unit_id: Option<Uuid>,
    /// A note for other moderators (up to 2,000 characters), or `null` to
    /// clear it.
    #[serde(default, deserialize_with = "crate::extract::nullable::deserialize")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
    /// The title with further redaction (the text before is kept only in
    /// the audit log).
    #[validate(length(min = 1, max = 200, code = "length"))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    /// The body with further redaction.
    #[validate(length(min = 1, max = 5000, code = "length"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub body: Option<String>,
}

/// Decide on an issue (accept, or reject with a reason), set its topic or
/// unit, note something for other moderators, or redact more of its text.
/// Audited with the state before and after.
#[utoipa::path(
    tag = "moderation",
    security(("bearer" = [])),
    request_body = IssueChangeIn,
    responses((status = 200, body = IssueDetailDto), crate::openapi::ChangeErrors)
)]
#[patch("/issues/{id}")]
async fn update_issue(
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(change): Json<IssueChangeIn>,
) -> Result<web::Json<IssueDetailDto>, ApiError> {
    let mut errors = langnghe_domain::FieldErrors::new();
    let mut decision = checked(
        &state,
        &mut errors,
        change.status.as_deref(),
        change.reason.as_deref(),
        &change.topic,
    )
    .await?;
    if let Some(Some(n)) = &change.note
        && n.chars().count() > 2000
    {
        errors.push("note", "too_long", "up to 2000 characters");
    }
    if let Some(u) = change.unit_id {
        let chart = org::load_chart(&state.db).await?;
        if chart.unit(UnitId(u)).is_none() {
            errors.push("unit_id", "unknown_unit", "no such unit");
        }
    }
    errors.into_result(())?;
    decision.unit_id = change.unit_id;
    decision.note = change.note;
    decision.title = change.title;
    decision.body = change.body;
    let updated = store::update(&state.db, &staff.actor(), *id, |current| decision.apply(current)).await;
    let row = updated.or_not_found("issue")??;
    Ok(web::Json(detail(&state, row).await?))
}

/// What a moderator asked to change, checked against the catalog.
#[derive(Default)]
struct Decision {
    status: Option<IssueStatus>,
    reason: Option<RejectReason>,
    topic: Option<Option<Uuid>>,
    unit_id: Option<Uuid>,
    note: Option<Option<String>>,
    title: Option<String>,
    body: Option<String>,
}

/// Reads status, reason and topic, pushing what is wrong to `errors`.
async fn checked(
    state: &AppState,
    errors: &mut langnghe_domain::FieldErrors,
    status: Option<&str>,
    reason: Option<&str>,
    topic: &Option<Option<String>>,
) -> Result<Decision, ApiError> {
    let status = match status {
        None => None,
        Some(s) => {
            let parsed = IssueStatus::parse(s);
            if parsed.is_none() {
                errors.push("status", "unknown_status", "accepted or rejected");
            }
            parsed
        }
    };
    let reason = match reason {
        None => None,
        Some(r) => {
            let parsed = RejectReason::parse(r);
            if parsed.is_none() {
                errors.push(
                    "reason",
                    "unknown_reason",
                    "off_topic, spam, duplicate, unsafe, personal_information or other",
                );
            }
            parsed
        }
    };
    let topics = catalog::list_topics(&state.db).await?;
    let topic = match topic {
        None => None,
        Some(None) => Some(None),
        Some(Some(slug)) => match topic_by_slug(&topics, slug) {
            Some(t) => Some(Some(t.id.0)),
            None => {
                errors.push("topic", "unknown_topic", format!("no topic \"{slug}\""));
                None
            }
        },
    };
    Ok(Decision {
        status,
        reason,
        topic,
        ..Decision::default()
    })
}

impl Decision {
    /// The issue after this decision, or why it is refused.
    fn apply(&self, current: &IssueRow) -> Result<IssueRow, ApiError> {
        let mut next = current.clone();
        let from = current.status;
        if from.is_hidden() {
            // Not in the queue at all, as if it did not exist.
            return Err(ApiError::not_found("issue"));
        }
        if self.status.is_some() || self.reason.is_some() {
            match moderation::decide(from, self.status, self.reason, current.rejection_reason) {
                Ok((to, r)) => {
                    next.status = to;
                    next.rejection_reason = r;
                }
                Err(
                    e @ (moderation::TransitionError::ReasonRequired | moderation::TransitionError::ReasonNotAllowed),
                ) => return Err(ApiError::field("reason", e.code(), e.to_string())),
                // `from` is not hidden (above): a moderator asked for the
                // status only the screen gives.
                Err(moderation::TransitionError::Withheld) => {
                    return Err(ApiError::conflict(
                        Code::IllegalTransition,
                        format!("issue {}: only the screen withholds an issue", current.id),
                    ));
                }
                Err(e) => return Err(ApiError::named(e.code(), format!("issue {}: {e}", current.id))),
            }
        }
        if let Some(t) = self.topic {
            next.topic_id = t;
        }
        if let Some(u) = self.unit_id {
            next.unit_id = u;
        }
        if let Some(n) = &self.note {
            next.moderator_note = n.clone().filter(|n| !n.trim().is_empty());
        }
        if let Some(t) = &self.title {
            next.title = t.clone();
        }
        if let Some(b) = &self.body {
            next.body = b.clone();
        }
        Ok(next)
    }
}

/// Many issues at once: the same decision and topic for each.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ids": ["0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90", "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d91"], "status": "rejected", "reason": "off_topic"}))]
pub struct BulkIn {
    /// 1 to 500 distinct issues.
    #[validate(length(min = 1, max = 500, code = "length"))]
    #[schema(min_items = 1, max_items = 500)]
    pub ids: Vec<Uuid>,
    /// `accepted` or `rejected`.
    #[schema(value_type = Option<crate::closed_sets::IssueDecision>)]
    pub status: Option<String>,
    /// Required to reject.
    #[schema(value_type = Option<crate::closed_sets::RejectReasonName>)]
    pub reason: Option<String>,
    /// A topic's slug, or `null` to clear it.
    #[serde(default, deserialize_with = "crate::extract::nullable::deserialize")]
    #[schema(value_type = Option<String>)]
    pub topic: Option<Option<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkDto {
    /// The issues after the change, in the order asked.
    pub items: Vec<IssueDto>,
}

/// Accept, reject or re-topic many issues in one request, all or nothing:
/// an unknown issue (404) or a refused move (409, naming the issue) leaves
/// every issue as it was. Each change is audited.
#[utoipa::path(
    tag = "moderation",
    security(("bearer" = [])),
    request_body = BulkIn,
    responses((status = 200, body = BulkDto), crate::openapi::ChangeErrors)
)]
#[post("/issues/bulk")]
async fn bulk_update(
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    Json(change): Json<BulkIn>,
) -> Result<web::Json<BulkDto>, ApiError> {
    let mut errors = langnghe_domain::FieldErrors::new();
    let mut seen = BTreeSet::new();
    if let Some(d) = change.ids.iter().find(|id| !seen.insert(**id)) {
        errors.push("ids", "duplicate", format!("{d} is listed twice"));
    }
    if change.status.is_none() && change.reason.is_none() && change.topic.is_none() {
        errors.push("status", "nothing_to_change", "give a status, a reason or a topic");
    }
    let decision = checked(
        &state,
        &mut errors,
        change.status.as_deref(),
        change.reason.as_deref(),
        &change.topic,
    )
    .await?;
    errors.into_result(())?;
    let rows = store::update_all(&state.db, &staff.actor(), &change.ids, |current| {
        decision.apply(current)
    })
    .await
    .or_not_found("issue")??;
    let topics = catalog::list_topics(&state.db).await?;
    let supports = store::support_counts(&state.db, &change.ids).await?;
    Ok(web::Json(BulkDto {
        items: rows.into_iter().map(|r| dto(r, &topics, &supports)).collect(),
    }))
}

paged_query! {
    pub struct PublicIssueQuery {
        /// Issues of this unit and below.
        pub unit_id: Option<Uuid>,
        /// A topic's slug.
        pub topic: Option<String>,
    }
}

/// An accepted issue as children see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicIssueDto {
    /// The issue's public id, the one `POST /issues/{id}/supports` takes:
    /// not the id staff see, and nothing can be read from it (a stored id
    /// would tell the moment the issue was sent).
    pub id: Uuid,
    pub title: String,
    pub body: String,
    /// The topic's slug and name in the asked language.
    pub topic: Option<String>,
    pub topic_name: Option<String>,
    pub unit_id: Uuid,
    /// The ward (phường, xã) the issue's unit is in today, or the unit
    /// itself when it is a ward, in the asked language; `null` when the
    /// issue concerns a district or the city.
    pub ward_name: Option<String>,
    /// Children who support it, as published: those who supported it
    /// before today began (Việt Nam time), through the cell key method
    /// (a count from 1 to k − 1 reads 0 or k; see "Disclosure control").
    /// It moves once a day, never the moment one child supports it.
    pub supports: u64,
    /// The day it was raised, in Việt Nam time: the day only, as the exact
    /// moment could tie it to a child seen typing then.
    pub created_on: NaiveDate,
}

/// Issues the Council accepted, newest first, for children to read and
/// support: redacted text, no pseudonym, no sign-in.
#[utoipa::path(
    tag = "moderation",
    params(PublicIssueQuery),
    responses(
        (status = 200, body = Page<PublicIssueDto>),
        crate::openapi::BadInput,
    )
)]
#[get("/public/issues")]
async fn public_issues(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<PublicIssueQuery>,
) -> Result<web::Json<Page<PublicIssueDto>>, ApiError> {
    // The cursor, like the ids, is public: it holds the last public id.
    let mut page = q.page()?;
    page.after = page.after.map(|public| state.data_key.issue_of_public_id(public));
    let lang = crate::extract::request_lang(&req);
    let topics = catalog::list_topics(&state.db).await?;
    let topic_id = topic_query(&topics, q.topic.as_deref())?;
    let units = unit_query(&state, q.unit_id).await?;
    let rows = store::public_list(&state.db, units.as_deref(), topic_id, page.after, page.fetch()).await?;
    let supports =
        crate::services::figures::published_supports(&state, &rows.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
    let chart = org::load_chart(&state.db).await?;
    let today = state.clock.local_date();
    let ward = |unit: Uuid| {
        chart
            .at_level(UnitId(unit), Some(langnghe_domain::org::UnitKind::Ward), today)
            .and_then(|w| chart.unit(w))
            .map(|w| w.name.get(lang).to_owned())
    };
    let public_id = |id| state.data_key.public_issue_id(id);
    Ok(web::Json(page.page(
        rows,
        |r| public_id(r.id),
        |r| {
            let topic = r.topic_id.and_then(|t| topics.iter().find(|x| x.id.0 == t));
            PublicIssueDto {
                ward_name: ward(r.unit_id),
                id: public_id(r.id),
                title: r.title,
                body: r.body,
                topic: topic.map(|t| t.slug.as_str().to_owned()),
                topic_name: topic.map(|t| t.name.get(lang).to_owned()),
                unit_id: r.unit_id,
                supports: supports.get(&r.id).copied().unwrap_or(0),
                created_on: crate::local_day(r.created_at),
            }
        },
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssueSupportDto {
    /// The issue's public id, as `GET /public/issues` gives it.
    pub issue_id: Uuid,
    /// Children who support it, as `GET /public/issues` publishes it: the
    /// supports of the days before today, through the cell key method, so
    /// the child's own support shows from tomorrow.
    pub supports: u64,
}

/// A child supports an accepted issue, named by its public id (as
/// `GET /public/issues` gives it), with their respondent token. Once
/// per child: 201 the first time, 200 after. The count answered is the
/// published one (supports before today, perturbed), never the live count,
/// which a caller could otherwise watch move with each child.
#[utoipa::path(
    tag = "moderation",
    security(("respondent" = [])),
    responses(
        (status = 200, description = "Already supported", body = IssueSupportDto),
        (status = 201, body = IssueSupportDto),
        crate::openapi::ChildErrors,
    )
)]
#[post("/issues/{id}/supports")]
async fn support_issue(
    who: crate::auth::Respondent,
    state: web::Data<AppState>,
    public: web::Path<Uuid>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let id = state.data_key.issue_of_public_id(*public);
    let status = match store::support(&state.db, id, who.participant_id, state.clock.now()).await? {
        store::Supported::NotFound => return Err(ApiError::not_found("issue")),
        store::Supported::Now => actix_web::http::StatusCode::CREATED,
        store::Supported::Already => actix_web::http::StatusCode::OK,
    };
    let n = crate::services::figures::published_supports(&state, &[id]).await?;
    Ok(actix_web::HttpResponse::build(status).json(IssueSupportDto {
        issue_id: *public,
        supports: n.get(&id).copied().unwrap_or(0),
    }))
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    /// The canonical issue.
    pub into: Uuid,
}

/// Merge a duplicate into its canonical issue: the canonical issue then
/// counts the supports (each child once) and sources of both. Merges are
/// one level deep. Returns the canonical issue.
#[utoipa::path(
    tag = "moderation",
    security(("bearer" = [])),
    request_body = MergeIn,
    responses((status = 200, body = IssueDetailDto), crate::openapi::ChangeErrors)
)]
#[post("/issues/{id}/merge")]
async fn merge_issue(
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(body): Json<MergeIn>,
) -> Result<web::Json<IssueDetailDto>, ApiError> {
    let into = body.into;
    match store::merge(&state.db, &staff.actor(), *id, into)
        .await
        .or_not_found("issue")?
    {
        Ok(()) => {}
        // A withheld issue is not in the queue: as if it did not exist.
        Err(e) if e.code() == "issue_withheld" => return Err(ApiError::not_found("issue")),
        Err(e) => return Err(ApiError::named(e.code(), e.to_string())),
    }
    let canonical = find(&state, into).await?;
    Ok(web::Json(detail(&state, canonical).await?))
}

/// Undo a merge: both issues are exactly as they were before it. Returns
/// the issue.
#[utoipa::path(
    tag = "moderation",
    security(("bearer" = [])),
    responses((status = 200, body = IssueDetailDto), crate::openapi::ActionErrors)
)]
#[post("/issues/{id}/unmerge")]
async fn unmerge_issue(
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<IssueDetailDto>, ApiError> {
    if !store::unmerge(&state.db, &staff.actor(), *id)
        .await
        .or_not_found("issue")?
    {
        return Err(ApiError::conflict(Code::NotMerged, "this issue is not merged"));
    }
    let r = find(&state, *id).await?;
    Ok(web::Json(detail(&state, r).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AnswersQuery {
    /// Only this text question.
    pub question: Option<String>,
    /// Default: the published version.
    pub version: Option<i32>,
    /// 1–100 responses, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// One child's free-text answer, alone: nothing beside it says which
/// child, school, age or time it came from, or which other answers the
/// same child gave.
#[derive(Debug, Serialize, ToSchema)]
pub struct TextAnswerDto {
    /// An opaque id of this answer (not of the response), for promoting it.
    pub answer_id: Uuid,
    pub question_key: String,
    /// As stored: screened and redacted.
    pub text: String,
    /// The issue it was promoted to, if any.
    pub promoted_issue_id: Option<Uuid>,
}

/// The text answers of one response (all, or only question `only`), as
/// stored, withheld text left out.
fn text_answers(
    def: &langnghe_domain::survey::SurveyDefinition,
    response_id: Uuid,
    stored: &str,
    only: Option<&str>,
) -> Vec<(String, String)> {
    crate::services::results::answers_or_none(def, &format_args!("response {response_id}"), stored)
        .into_iter()
        .filter(|(k, _)| only.is_none_or(|o| o == k))
        .filter_map(|(k, a)| match a {
            // A withheld answer belongs to its safeguarding case: not even
            // its marker is shown.
            langnghe_domain::survey::Answer::Text(t)
                if !t.trim().is_empty() && t != langnghe_domain::screen::WITHHELD =>
            {
                Some((k, t.trim().to_owned()))
            }
            _ => None,
        })
        .collect()
}

/// Every text answer of one version of a survey that can be shown to
/// moderators: its opaque id, the response it belongs to (kept inside the
/// server), its question and text; ordered by the opaque id, which says
/// nothing of when or where it was written.
async fn text_answers_of(
    state: &AppState,
    survey_id: Uuid,
    version: i32,
    def: &langnghe_domain::survey::SurveyDefinition,
    only: Option<&str>,
) -> Result<Vec<(Uuid, Uuid, String, String)>, ApiError> {
    let rows = store::answers_of(&state.db, survey_id, version, None, u64::MAX).await?;
    let mut out: Vec<(Uuid, Uuid, String, String)> = rows
        .iter()
        .flat_map(|r| {
            text_answers(def, r.response_id, &r.answers, only)
                .into_iter()
                .map(|(key, text)| (state.data_key.answer_id(r.response_id, &key), r.response_id, key, text))
        })
        .collect();
    out.sort_by_key(|a| a.0);
    Ok(out)
}

/// Children's free-text answers to a survey, for moderators to read and
/// promote to issues: one item per answer, on its own (no unit, age band,
/// time or response, and two answers of one child are not linked), in an
/// order that says nothing of when or where they were written. Text
/// withheld for safeguarding is left out.
#[utoipa::path(
    tag = "moderation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), AnswersQuery),
    responses((status = 200, body = Page<TextAnswerDto>), crate::openapi::ReadErrors)
)]
#[get("/surveys/{id}/answers")]
async fn survey_answers(
    _staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<AnswersQuery>,
) -> Result<web::Json<Page<TextAnswerDto>>, ApiError> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let record = crate::survey_format::find(&state, *id).await?;
    let (version, def) = crate::survey_format::version_or_published(&state, &record, q.version).await?;
    if let Some(k) = q.question.as_deref()
        && !def
            .questions()
            .iter()
            .any(|x| x.key() == k && matches!(x.spec(), langnghe_domain::survey::QuestionSpec::Text { .. }))
    {
        return Err(ApiError::bad_request(
            Code::InvalidQuery,
            "question is not a text question of this survey",
        ));
    }
    let all = text_answers_of(&state, record.id, version, &def, q.question.as_deref()).await?;
    let rows: Vec<_> = all
        .into_iter()
        .filter(|a| page.after.is_none_or(|after| a.0 > after))
        .take(page.limit + 1)
        .collect();
    let promoted = store::promoted_from(&state.db, &rows.iter().map(|r| r.1).collect::<Vec<_>>()).await?;
    Ok(web::Json(page.page(
        rows,
        |r| r.0,
        |(answer_id, response_id, key, text)| {
            TextAnswerDto {
                answer_id,
                promoted_issue_id: promoted
                    .iter()
                    .find(|(rid, k, _)| *rid == response_id && *k == key)
                    .map(|p| p.2),
                question_key: key,
                text,
            }
        },
    )))
}

/// A free-text answer found again by the opaque id the answers list gives:
/// its response, question key and text.
async fn find_answer(
    state: &AppState,
    record: &langnghe_storage::surveys::SurveyRecord,
    answer_id: Uuid,
) -> Result<(Uuid, String, String), ApiError> {
    for version in 1..=record.latest_version {
        let Ok(stored) = langnghe_storage::surveys::version(&state.db, record.id, version).await else {
            continue;
        };
        let def = stored.definition.definition;
        let answers = text_answers_of(state, record.id, version, &def, None).await?;
        if let Some((_, response_id, key, text)) = answers.into_iter().find(|a| a.0 == answer_id) {
            return Ok((response_id, key, text));
        }
    }
    Err(ApiError::not_found("answer"))
}

/// The first words of a text, as a title of at most 80 characters.
fn title_of(text: &str) -> String {
    let t = text.trim();
    if t.chars().count() <= 80 {
        return t.to_owned();
    }
    let cut: String = t.chars().take(79).collect();
    let cut = cut.rsplit_once(' ').map(|(a, _)| a).unwrap_or(&cut);
    format!("{}…", cut.trim_end())
}

/// Turn a child's free-text answer (by the opaque id the answers list
/// gives) into an issue in the queue, linked back to the answer (and to
/// the child's pseudonym, so their erasure detaches it), on the survey's
/// topic. Promoting the same answer again gives the same issue (200).
#[utoipa::path(
    tag = "moderation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The survey"), ("answer_id" = Uuid, Path)),
    responses(
        (status = 200, description = "Already promoted", body = IssueDetailDto),
        (status = 201, body = IssueDetailDto),
        crate::openapi::ActionErrors,
    )
)]
#[post("/surveys/{id}/answers/{answer_id}/promote")]
async fn promote_answer(
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let (survey_id, answer_id) = path.into_inner();
    let record = crate::survey_format::find(&state, survey_id).await?;
    let (response_id, key, text) = find_answer(&state, &record, answer_id).await?;
    let from = store::promotable(&state.db, response_id).await.or_not_found("answer")?;
    let title = title_of(&text);
    let (id, new) = store::promote(
        &state.db,
        &staff.actor(),
        &store::Promotion {
            response_id,
            question_key: &key,
            from: &from,
            topic_id: record.topic_id.map(|t| t.0),
            title: &title,
            body: &text,
        },
    )
    .await
    .or_not_found("answer")?;
    let r = find(&state, id).await?;
    let status = if new {
        actix_web::http::StatusCode::CREATED
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(actix_web::HttpResponse::build(status).json(detail(&state, r).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SimilarQuery {
    /// 1–20, default 5.
    #[param(minimum = 1, maximum = 20)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarDto {
    pub issue: IssueDto,
    /// 0 to 1; higher is more alike.
    pub score: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarListDto {
    pub items: Vec<SimilarDto>,
}

/// Likely duplicates of an issue, best first: alike in words whatever the
/// case, diacritics, word order, filler words or small spelling slips
/// (among the 5,000 most recent issues that are not merged or withheld).
#[utoipa::path(
    tag = "moderation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), SimilarQuery),
    responses((status = 200, body = SimilarListDto), crate::openapi::ReadErrors)
)]
#[get("/issues/{id}/similar")]
async fn similar_issues(
    _staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<SimilarQuery>,
) -> Result<web::Json<SimilarListDto>, ApiError> {
    let limit = q.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        return Err(ApiError::bad_request(
            Code::InvalidQuery,
            "limit must be between 1 and 20",
        ));
    }
    let issue = find(&state, *id).await?;
    let (candidates, ranked) = suggestions(&state, &issue, limit as usize).await?;
    let topics = catalog::list_topics(&state.db).await?;
    let ids: Vec<Uuid> = ranked.iter().map(|(i, _)| candidates[*i].id).collect();
    let supports = store::support_counts(&state.db, &ids).await?;
    Ok(web::Json(SimilarListDto {
        items: ranked
            .into_iter()
            .map(|(i, score)| SimilarDto {
                issue: dto(candidates[i].clone(), &topics, &supports),
                score: (score * 1000.0).round() / 1000.0,
            })
            .collect(),
    }))
}

/// The likely duplicates of `issue`: the candidates and, best first, the
/// index and score of those that rank.
async fn suggestions(
    state: &AppState,
    issue: &IssueRow,
    limit: usize,
) -> Result<(Vec<IssueRow>, Vec<(usize, f64)>), ApiError> {
    use langnghe_domain::similar;
    let query = similar::doc(&issue.title, &issue.body);
    let candidates = store::similar_candidates(&state.db, 5000).await?;
    let docs: Vec<(usize, similar::Doc)> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.id != issue.id && c.merged_into.is_none())
        .map(|(i, c)| (i, similar::doc(&c.title, &c.body)))
        .collect();
    let ranked = similar::rank(&query, docs.iter().map(|(i, d)| (*i, d)), limit);
    Ok((candidates, ranked))
}

/// A likely duplicate, in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionDto {
    pub id: Uuid,
    pub title: String,
    #[schema(value_type = crate::closed_sets::IssueStatusName)]
    pub status: String,
    /// 0 to 1; higher is more alike.
    pub score: f64,
}

/// Publish an accepted issue on the public list. Its text is screened again
/// now: a text that may tell of a child at risk is refused (refer it to
/// safeguarding instead), and so is one that still holds personal data
/// (redact it first). Publishing twice is harmless.
#[utoipa::path(
    tag = "moderation",
    security(("bearer" = [])),
    responses(
        (status = 200, body = IssueDetailDto),
        (status = 409, description = "Not accepted (`not_accepted`), merged into another (`merged`), a possible disclosure (`possible_disclosure`) or personal data left (`personal_data`)", body = crate::error::Problem, content_type = "application/problem+json"),
        crate::openapi::ReadErrors,
    )
)]
#[post("/issues/{id}/publish")]
async fn publish_issue(
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<IssueDetailDto>, ApiError> {
    let now = state.clock.now();
    set_published(&state, &staff, *id, |current| {
        if current.status != IssueStatus::Accepted {
            return Err(ApiError::conflict(
                Code::NotAccepted,
                "only an accepted issue is published",
            ));
        }
        if current.merged_into.is_some() {
            return Err(ApiError::conflict(Code::Merged, "publish the issue it was merged into"));
        }
        let screened = langnghe_domain::screen::screen_issue(&current.title, &current.body);
        if screened.withheld() {
            return Err(ApiError::conflict(
                Code::PossibleDisclosure,
                "the text may tell of a child at risk: refer it to safeguarding instead of publishing it",
            ));
        }
        if !screened.redactions.is_empty() {
            let kinds: Vec<&str> = screened.redactions.iter().map(|r| r.as_str()).collect();
            return Err(ApiError::conflict(
                Code::PersonalData,
                format!(
                    "the text still holds personal data ({}): redact it first",
                    kinds.join(", ")
                ),
            ));
        }
        Ok(current.published_at.or(Some(now)))
    })
    .await
}

/// Take an issue off the public list (it stays accepted).
#[utoipa::path(
    tag = "moderation",
    security(("bearer" = [])),
    responses((status = 200, body = IssueDetailDto), crate::openapi::ReadErrors)
)]
#[post("/issues/{id}/unpublish")]
async fn unpublish_issue(
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<IssueDetailDto>, ApiError> {
    set_published(&state, &staff, *id, |_| Ok(None)).await
}

async fn set_published(
    state: &AppState,
    staff: &Staff<Curator>,
    id: Uuid,
    decide: impl FnOnce(&IssueRow) -> Result<Option<DateTime<Utc>>, ApiError>,
) -> Result<web::Json<IssueDetailDto>, ApiError> {
    let updated = store::update(&state.db, &staff.actor(), id, |current| {
        if current.status.is_hidden() {
            return Err(ApiError::not_found("issue"));
        }
        let published_at = decide(current)?;
        Ok(IssueRow {
            published_at,
            ..current.clone()
        })
    })
    .await;
    updated.or_not_found("issue")??;
    // As stored (the database keeps the time to its own precision).
    let row = find(state, id).await?;
    Ok(web::Json(detail(state, row).await?))
}

/// A moderator's referral to safeguarding.
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"severity": "urgent", "categories": ["sexual_abuse"]}))]
pub struct ReferIn {
    /// `medium`, `high` (default) or `urgent`.
    #[schema(value_type = Option<crate::closed_sets::SeverityName>)]
    pub severity: Option<String>,
    /// What the moderator read: `violence`, `sexual_abuse`, `self_harm`,
    /// `bullying`, `trafficking`, `neglect` or `online_exploitation`.
    #[validate(length(max = 7, code = "length"))]
    #[schema(max_items = 7)]
    #[schema(value_type = Option<Vec<crate::closed_sets::ConcernCategoryName>>)]
    pub categories: Option<Vec<String>>,
}

/// A referral made: the case opened (which only safeguarding officers read).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferredDto {
    pub case_id: Uuid,
}

fn referral_of(b: &ReferIn) -> Result<CheckedReferral, ApiError> {
    let mut errors = langnghe_domain::FieldErrors::new();
    let severity = match b.severity.as_deref().map_or(Some(Severity::High), Severity::parse) {
        Some(severity) => severity,
        None => {
            // Refused below with the other problems.
            errors.push("severity", "unknown_severity", "medium, high or urgent");
            Severity::High
        }
    };
    let mut categories = b.categories.clone().unwrap_or_default();
    if categories
        .iter()
        .any(|c| langnghe_domain::screen::ConcernCategory::parse(c).is_none())
    {
        errors.push(
            "categories",
            "unknown_category",
            "violence, sexual_abuse, self_harm, bullying, trafficking, neglect or online_exploitation",
        );
    }
    categories.sort();
    categories.dedup();
    Ok(errors.into_result(CheckedReferral { severity, categories })?)
}

/// A moderator's referral, checked: the case's severity and categories.
struct CheckedReferral {
    severity: Severity,
    categories: Vec<String>,
}

impl CheckedReferral {
    /// The referral as storage records it, the text withheld as screening
    /// would have withheld it.
    fn referral(&self) -> store::Referral<'_> {
        store::Referral {
            severity: self.severity,
            categories: &self.categories,
            withheld: langnghe_domain::screen::WITHHELD,
        }
    }
}

/// Refer an issue to safeguarding when its text tells of a child at risk
/// that the screen missed: a case opens with its title and body for the
/// officers, and the issue leaves the moderators' view (and the public
/// list) at once, as if screening had withheld it.
#[utoipa::path(
    tag = "moderation",
    security(("bearer" = [])),
    request_body = ReferIn,
    responses((status = 201, body = ReferredDto), crate::openapi::EditErrors)
)]
#[post("/issues/{id}/refer")]
async fn refer_issue(
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(body): Json<ReferIn>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let checked = referral_of(&body)?;
    let case_id = store::refer_issue(&state.db, &staff.actor(), *id, &checked.referral())
        .await
        .or_not_found("issue")?;
    Ok(actix_web::HttpResponse::Created().json(ReferredDto { case_id }))
}

/// Refer a free-text answer (by the opaque id the answers list gives) to
/// safeguarding: a case opens with its text, and the answer leaves every
/// moderator list at once.
#[utoipa::path(
    tag = "moderation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The survey"), ("answer_id" = Uuid, Path)),
    request_body = ReferIn,
    responses((status = 201, body = ReferredDto), crate::openapi::EditErrors)
)]
#[post("/surveys/{id}/answers/{answer_id}/refer")]
async fn refer_answer(
    staff: Staff<Curator>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    Json(body): Json<ReferIn>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let checked = referral_of(&body)?;
    let (survey_id, answer_id) = path.into_inner();
    let record = crate::survey_format::find(&state, survey_id).await?;
    let (response_id, key, _) = find_answer(&state, &record, answer_id).await?;
    let case_id = (store::refer_answer(&state.db, &staff.actor(), response_id, &key, &checked.referral()).await)
        .or_not_found("answer")?;
    Ok(actix_web::HttpResponse::Created().json(ReferredDto { case_id }))
}
