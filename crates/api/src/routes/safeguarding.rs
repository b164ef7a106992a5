//! The safeguarding queue: cases opened by screening children's texts or
//! by reports received on hotline 111 or in person, followed by the
//! safeguarding officers to closure. Only officers read cases; reading a
//! case's text is itself audited. Admins see counts only.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use langnghe_domain::UnitId;
use langnghe_domain::account::Role;
use langnghe_domain::plan::Period;
use langnghe_domain::safeguarding::{self, CaseStatus, Channel, Referral};
use langnghe_domain::screen::Severity;
use langnghe_storage::safeguarding::{self as store, CaseFilter, CaseRow, Intake, Note};
use langnghe_storage::{StoreError, accounts, org};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{CaseCounts, Safeguarding, Staff};
use crate::error::ApiError;
use crate::extract::Json;
use crate::pagination::{Page, PageRequest};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_cases)
        .service(create_case)
        .service(case_summary)
        .service(get_case)
        .service(update_case);
}

/// A case without its text.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDto {
    pub id: Uuid,
    /// `screen` (a child's text) or `intake` (a report received by hand).
    pub source: String,
    /// `new`, `assessing`, `referred` or `closed`.
    pub status: String,
    /// `medium`, `high` or `urgent`.
    pub severity: String,
    /// What screening found (`abuse`, `self_harm`, …).
    pub categories: Vec<String>,
    pub unit_id: Option<Uuid>,
    pub issue_id: Option<Uuid>,
    pub response_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    /// `hotline_111`, `social_affairs`, `police` or `school`.
    pub referred_to: Option<String>,
    /// For reports received by hand: `hotline_111` or `in_person`.
    pub channel: Option<String>,
    pub received_at: DateTime<Utc>,
    pub assessed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Urgent, not yet assessed, received more than 24 hours ago.
    pub overdue: bool,
    pub updated_at: DateTime<Utc>,
}

fn dto(c: CaseRow, now: DateTime<Utc>) -> CaseDto {
    let overdue = match (Severity::parse(&c.severity), CaseStatus::parse(&c.status)) {
        (Some(sev), Some(st)) => safeguarding::overdue(sev, st, c.received_at, now),
        _ => false,
    };
    CaseDto {
        id: c.id,
        source: c.source,
        status: c.status,
        severity: c.severity,
        categories: c.categories,
        unit_id: c.unit_id,
        issue_id: c.issue_id,
        response_id: c.response_id,
        assignee_id: c.assignee_id,
        referred_to: c.referred_to,
        channel: c.channel,
        received_at: c.received_at,
        assessed_at: c.assessed_at,
        closed_at: c.closed_at,
        overdue,
        updated_at: c.updated_at,
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// `new`, `assessing`, `referred` or `closed`.
    pub status: Option<String>,
    /// `medium`, `high` or `urgent`.
    pub severity: Option<String>,
    /// `true`: only urgent cases not assessed within 24 hours.
    pub overdue: Option<bool>,
    /// 1–100, default 50.
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Cases, oldest first (safeguarding officers only).
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    params(CaseQuery),
    responses(
        (status = 200, body = Page<CaseDto>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
    )
)]
#[get("/safeguarding/cases")]
async fn list_cases(
    _staff: Staff<Safeguarding>,
    state: web::Data<AppState>,
    q: web::Query<CaseQuery>,
) -> Result<web::Json<Page<CaseDto>>, ApiError> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let bad = |m: &str| ApiError::bad_request("invalid_query", m.to_owned());
    if q.status.as_deref().is_some_and(|s| CaseStatus::parse(s).is_none()) {
        return Err(bad("status is new, assessing, referred or closed"));
    }
    if q.severity.as_deref().is_some_and(|s| Severity::parse(s).is_none()) {
        return Err(bad("severity is medium, high or urgent"));
    }
    let now = state.clock.now();
    let filter = CaseFilter {
        status: q.status.as_deref(),
        severity: q.severity.as_deref(),
        overdue: q.overdue.map(|o| (o, now - safeguarding::ASSESS_URGENT_WITHIN)),
    };
    let rows = store::list(&state.db, &filter, page.after, page.limit as u64 + 1).await?;
    Ok(web::Json(page.page(rows, |c| c.id, |c| dto(c, now))))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteDto {
    pub id: Uuid,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A case with its text and the officers' notes.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetailDto {
    #[serde(flatten)]
    pub case: CaseDto,
    /// What the child wrote, or the report's summary.
    pub text: String,
    pub notes: Vec<NoteDto>,
}

fn detail(c: CaseRow, text: String, notes: Vec<Note>, now: DateTime<Utc>) -> CaseDetailDto {
    CaseDetailDto {
        case: dto(c, now),
        text,
        notes: notes
            .into_iter()
            .map(|n| NoteDto {
                id: n.id,
                author: n.author,
                body: n.body,
                created_at: n.created_at,
            })
            .collect(),
    }
}

async fn read(state: &AppState, staff: &Staff<Safeguarding>, id: Uuid) -> Result<CaseDetailDto, ApiError> {
    match store::read(&state.db, &staff.actor(), id).await {
        Ok((c, text, notes)) => Ok(detail(c, text, notes, state.clock.now())),
        Err(StoreError::NotFound) => Err(ApiError::not_found("case")),
        Err(e) => Err(e.into()),
    }
}

/// One case with its text and notes; the reading is recorded in the audit
/// log.
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = CaseDetailDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/safeguarding/cases/{id}")]
async fn get_case(
    staff: Staff<Safeguarding>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<CaseDetailDto>, ApiError> {
    Ok(web::Json(read(&state, &staff, *id).await?))
}

/// An officer's change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "referred", "referred_to": "social_affairs", "note": "Đã gọi Phòng Văn hóa - Xã hội lúc 9 giờ"}))]
pub struct CaseChangeIn {
    /// `assessing`, `referred` or `closed` (forward only).
    pub status: Option<String>,
    /// With `referred`: `hotline_111`, `social_affairs`, `police` or `school`.
    pub referred_to: Option<String>,
    /// `medium`, `high` or `urgent`.
    pub severity: Option<String>,
    /// A safeguarding officer's account.
    pub assignee_id: Option<Uuid>,
    /// A note, kept with its author and time.
    #[validate(length(min = 1, max = 5000, code = "length"))]
    pub note: Option<String>,
}

/// Assign, assess, refer or close a case, change its severity, or add a
/// note. Audited (without any text).
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = CaseChangeIn,
    responses(
        (status = 200, body = CaseDetailDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[patch("/safeguarding/cases/{id}")]
async fn update_case(
    staff: Staff<Safeguarding>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<CaseChangeIn>,
) -> Result<web::Json<CaseDetailDto>, ApiError> {
    let change = body.0;
    let mut errors = langnghe_domain::FieldErrors::new();
    let status = change.status.as_deref().map(|s| (s, CaseStatus::parse(s)));
    if let Some((_, None)) = status {
        errors.push("status", "unknown_status", "assessing, referred or closed");
    }
    let referral = change.referred_to.as_deref().map(|s| (s, Referral::parse(s)));
    if let Some((_, None)) = referral {
        errors.push(
            "referred_to",
            "unknown_referral",
            "hotline_111, social_affairs, police or school",
        );
    }
    if change.severity.as_deref().is_some_and(|s| Severity::parse(s).is_none()) {
        errors.push("severity", "unknown_severity", "medium, high or urgent");
    }
    if let Some(a) = change.assignee_id {
        match accounts::get(&state.db, langnghe_domain::UserId(a)).await {
            Ok(u) if u.assignment.role == Role::SafeguardingOfficer && !u.disabled => {}
            Ok(_) | Err(StoreError::NotFound) => {
                errors.push(
                    "assignee_id",
                    "not_an_officer",
                    "an enabled safeguarding officer's account",
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    errors.into_result(())?;
    let (to, referral) = (status.and_then(|s| s.1), referral.and_then(|r| r.1));
    let now = state.clock.now();
    let updated = store::update(&state.db, &staff.actor(), *id, change.note.as_deref(), |current| {
        let mut next = current.clone();
        let from = CaseStatus::parse(&current.status).unwrap_or(CaseStatus::New);
        if to.is_some() || referral.is_some() {
            let kept = current.referred_to.as_deref().and_then(Referral::parse);
            match safeguarding::apply(from, to, referral, kept) {
                Ok(m) => {
                    next.status = m.status.as_str().to_owned();
                    next.referred_to = m.referral.map(|r| r.as_str().to_owned());
                    if m.assessed_now {
                        next.assessed_at = Some(now);
                    }
                    if m.closed_now {
                        next.closed_at = Some(now);
                    }
                }
                Err(e @ safeguarding::CaseError::Illegal { .. }) => {
                    return Err(ApiError::conflict(e.code(), e.to_string()));
                }
                Err(e) => return Err(ApiError::field("referred_to", e.code(), e.to_string())),
            }
        }
        if let Some(s) = &change.severity {
            next.severity = s.clone();
        }
        if let Some(a) = change.assignee_id {
            next.assignee_id = Some(a);
        }
        Ok(next)
    })
    .await;
    match updated {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(e),
        Err(StoreError::NotFound) => return Err(ApiError::not_found("case")),
        Err(e) => return Err(e.into()),
    }
    Ok(web::Json(read(&state, &staff, *id).await?))
}

/// A report received on hotline 111 or in person.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"received_at": "2026-11-28T08:30:00+07:00", "channel": "hotline_111", "unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d21", "summary": "Tổng đài 111 chuyển: một em lớp 6 bị bạn lớn bắt nạt nhiều lần.", "severity": "high"}))]
pub struct IntakeIn {
    pub received_at: DateTime<Utc>,
    /// `hotline_111` or `in_person`.
    pub channel: String,
    pub unit_id: Option<Uuid>,
    #[validate(length(min = 1, max = 5000, code = "length"))]
    pub summary: String,
    /// `medium`, `high` or `urgent`.
    pub severity: String,
}

/// Open a case from a report received by hand.
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    request_body = IntakeIn,
    responses(
        (status = 201, body = CaseDetailDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[post("/safeguarding/cases")]
async fn create_case(
    staff: Staff<Safeguarding>,
    state: web::Data<AppState>,
    body: Json<IntakeIn>,
) -> Result<HttpResponse, ApiError> {
    let i = body.0;
    let mut errors = langnghe_domain::FieldErrors::new();
    if Channel::parse(&i.channel).is_none() {
        errors.push("channel", "unknown_channel", "hotline_111 or in_person");
    }
    if Severity::parse(&i.severity).is_none() {
        errors.push("severity", "unknown_severity", "medium, high or urgent");
    }
    let now = state.clock.now();
    if i.received_at > now + chrono::Duration::minutes(5) || i.received_at < now - chrono::Duration::days(366) {
        errors.push("received_at", "out_of_range", "within the past year, not in the future");
    }
    if let Some(u) = i.unit_id {
        let chart = org::load_chart(&state.db).await?;
        if chart.unit(UnitId(u)).is_none() {
            errors.push("unit_id", "unknown_unit", "no such unit");
        }
    }
    errors.into_result(())?;
    let row = store::intake(
        &state.db,
        &staff.actor(),
        &Intake {
            received_at: i.received_at,
            channel: &i.channel,
            unit_id: i.unit_id,
            summary: &i.summary,
            severity: &i.severity,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(detail(row, i.summary, Vec::new(), state.clock.now())))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// `2026`, `2026-H1`, `2026-Q3`, `2026-11`.
    pub period: String,
}

/// Cases received in a period, counted by status and by severity, through
/// disclosure control: each count is its own cell of the cell key method
/// (no count from 1 to k − 1 is shown), district-wide, per quarter or
/// longer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummaryDto {
    pub period: String,
    pub total: u64,
    pub by_status: BTreeMap<String, u64>,
    pub by_severity: BTreeMap<String, u64>,
}

/// Counts of cases for the quarterly report: never any detail, never per
/// unit, never per month. Officers and admins.
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    params(SummaryQuery),
    responses(
        (status = 200, body = CaseSummaryDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
    )
)]
#[get("/safeguarding/summary")]
async fn case_summary(
    _staff: Staff<CaseCounts>,
    state: web::Data<AppState>,
    q: web::Query<SummaryQuery>,
) -> Result<web::Json<CaseSummaryDto>, ApiError> {
    let period = Period::parse(&q.period)
        .map_err(|_| ApiError::bad_request("invalid_query", "period is like 2026, 2026-H1 or 2026-Q3"))?;
    if period.is_month() {
        return Err(ApiError::bad_request(
            "invalid_query",
            "counts of cases are given per quarter or longer, never per month",
        ));
    }
    let counts = crate::figures::published_cases(&state, period).await?;
    let by_status = CaseStatus::ALL
        .iter()
        .map(|s| s.as_str().to_owned())
        .zip(counts.rows.iter().copied())
        .collect();
    let by_severity = crate::figures::SEVERITIES
        .iter()
        .map(|s| (*s).to_owned())
        .zip(counts.columns.iter().copied())
        .collect();
    Ok(web::Json(CaseSummaryDto {
        period: period.to_string(),
        total: counts.total,
        by_status,
        by_severity,
    }))
}
