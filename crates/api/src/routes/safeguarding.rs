//! The safeguarding queue: cases opened by screening children's texts or
//! by reports received on hotline 111 or in person, followed by the
//! safeguarding officers to closure. Only officers read cases; reading a
//! case's text is itself audited. Admins see counts only.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use langnghe_domain::UnitId;
use langnghe_domain::account::Role;
use langnghe_domain::plan::Period;
use langnghe_domain::safeguarding::{self, CaseChange, CaseError, CaseState, CaseStatus, Channel, Referral, Verdict};
use langnghe_domain::screen::{Outcome, Severity};
use langnghe_storage::safeguarding::{self as store, CaseFilter, CaseRow, CaseText, Intake, ReleaseRefused};
use langnghe_storage::{StoreError, accounts, org};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{CaseCounts, Safeguarding, Staff};
use crate::error::{ApiError, Code, OrNotFound};
use crate::extract::Json;
use crate::pagination::{Page, paged_query};
use crate::services::lookups::status_query;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_cases)
        .service(create_case)
        .service(case_summary)
        .service(queue)
        .service(export_marks)
        .service(get_case)
        .service(update_case)
        .service(release_case)
        .service(quick_report);
}

/// A case without its text.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDto {
    pub id: Uuid,
    /// `screen` (a child's text), `referral` (a moderator referred what the
    /// screen missed) or `intake` (a report received by hand).
    #[schema(value_type = crate::closed_sets::CaseSource)]
    pub source: String,
    /// For `screen`: `clear` (a disclosure) or `possible` (to review: the
    /// text is kept from moderators until an officer releases it).
    #[schema(value_type = Option<crate::closed_sets::ScreenOutcome>)]
    pub outcome: Option<String>,
    /// An officer's mark of the screen's call: `right` or `wrong`.
    #[schema(value_type = Option<crate::closed_sets::VerdictName>)]
    pub verdict: Option<String>,
    /// When an officer released a possible disclosure to moderation.
    pub released_at: Option<DateTime<Utc>>,
    /// `new`, `assessing`, `referred` or `closed`.
    #[schema(value_type = crate::closed_sets::CaseStatusName)]
    pub status: String,
    /// `medium`, `high` or `urgent`.
    #[schema(value_type = crate::closed_sets::SeverityName)]
    pub severity: String,
    /// What screening found (`abuse`, `self_harm`, …).
    #[schema(value_type = Vec<crate::closed_sets::ConcernCategoryName>)]
    pub categories: Vec<String>,
    pub unit_id: Option<Uuid>,
    pub issue_id: Option<Uuid>,
    pub response_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    /// `hotline_111`, `social_affairs`, `police` or `school`.
    #[schema(value_type = Option<crate::closed_sets::ReferralName>)]
    pub referred_to: Option<String>,
    /// For reports received by hand: `hotline_111` or `in_person`.
    #[schema(value_type = Option<crate::closed_sets::ChannelName>)]
    pub channel: Option<String>,
    pub received_at: DateTime<Utc>,
    pub assessed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Urgent, not yet assessed, received more than 24 hours ago.
    pub overdue: bool,
    pub updated_at: DateTime<Utc>,
}

fn dto(c: CaseRow, now: DateTime<Utc>) -> CaseDto {
    let overdue = safeguarding::overdue(c.severity, c.status, c.received_at, now);
    CaseDto {
        id: c.id,
        source: c.source,
        outcome: c.outcome.map(|o| o.as_str().to_owned()),
        verdict: c.verdict.map(|v| v.as_str().to_owned()),
        released_at: c.released_at,
        status: c.status.as_str().to_owned(),
        severity: c.severity.as_str().to_owned(),
        categories: c.categories,
        unit_id: c.unit_id,
        issue_id: c.issue_id,
        response_id: c.response_id,
        assignee_id: c.assignee_id,
        referred_to: c.referred_to.map(|r| r.as_str().to_owned()),
        channel: c.channel.map(|ch| ch.as_str().to_owned()),
        received_at: c.received_at,
        assessed_at: c.assessed_at,
        closed_at: c.closed_at,
        overdue,
        updated_at: c.updated_at,
    }
}

paged_query! {
    pub struct CaseQuery {
        /// `new`, `assessing`, `referred` or `closed`.
        #[param(value_type = Option<crate::closed_sets::CaseStatusName>)]
        pub status: Option<String>,
        /// `medium`, `high` or `urgent`.
        #[param(value_type = Option<crate::closed_sets::SeverityName>)]
        pub severity: Option<String>,
        /// `true`: only urgent cases not assessed within 24 hours.
        pub overdue: Option<bool>,
        /// `possible`: the review items (possible disclosures); `clear`: the
        /// disclosures the screen was sure of.
        #[param(value_type = Option<crate::closed_sets::ScreenOutcome>)]
        pub outcome: Option<String>,
    }
}

/// Cases, oldest first (safeguarding officers only).
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    params(CaseQuery),
    responses((status = 200, body = Page<CaseDto>), crate::openapi::ListErrors)
)]
#[get("/safeguarding/cases")]
async fn list_cases(
    _staff: Staff<Safeguarding>,
    state: web::Data<AppState>,
    q: web::Query<CaseQuery>,
) -> Result<web::Json<Page<CaseDto>>, ApiError> {
    let page = q.page()?;
    let now = state.clock.now();
    let filter = CaseFilter {
        status: status_query::<CaseStatus>(q.status.as_deref(), "status")?,
        severity: status_query::<Severity>(q.severity.as_deref(), "severity")?,
        outcome: status_query::<Outcome>(q.outcome.as_deref(), "outcome")?,
        overdue: q.overdue.map(|o| (o, now - safeguarding::ASSESS_URGENT_WITHIN)),
    };
    let rows = store::list(&state.db, &filter, page.after, page.fetch()).await?;
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
    /// The words that made the screen fire, as written (for `screen`).
    pub matched: Vec<String>,
    pub notes: Vec<NoteDto>,
}

fn detail(c: CaseRow, t: CaseText, now: DateTime<Utc>) -> CaseDetailDto {
    CaseDetailDto {
        case: dto(c, now),
        text: t.text,
        matched: t.matched,
        notes: t
            .notes
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
    let (c, t) = store::read(&state.db, &staff.actor(), id).await.or_not_found("case")?;
    Ok(detail(c, t, state.clock.now()))
}

/// One case with its text and notes; the reading is recorded in the audit
/// log.
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    responses((status = 200, body = CaseDetailDto), crate::openapi::ReadErrors)
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
    #[schema(value_type = Option<crate::closed_sets::CaseStatusName>)]
    pub status: Option<String>,
    /// With `referred`: `hotline_111`, `social_affairs`, `police` or `school`.
    #[schema(value_type = Option<crate::closed_sets::ReferralName>)]
    pub referred_to: Option<String>,
    /// `medium`, `high` or `urgent`.
    #[schema(value_type = Option<crate::closed_sets::SeverityName>)]
    pub severity: Option<String>,
    /// A safeguarding officer's account.
    pub assignee_id: Option<Uuid>,
    /// A note, kept with its author and time.
    #[validate(length(min = 1, max = 5000, code = "length"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub note: Option<String>,
    /// For a case the screen opened: whether its call was `right` or
    /// `wrong` (exported to grow the screen's labelled set).
    #[schema(value_type = Option<crate::closed_sets::VerdictName>)]
    pub verdict: Option<String>,
}

/// Assign, assess, refer or close a case, change its severity, or add a
/// note. Audited (without any text).
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    request_body = CaseChangeIn,
    responses((status = 200, body = CaseDetailDto), crate::openapi::ChangeErrors)
)]
#[patch("/safeguarding/cases/{id}")]
async fn update_case(
    staff: Staff<Safeguarding>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(asked): Json<CaseChangeIn>,
) -> Result<web::Json<CaseDetailDto>, ApiError> {
    let (change, mut errors) = match CaseChange::try_from(&asked) {
        Ok(c) => (Some(c), langnghe_domain::FieldErrors::new()),
        Err(e) => (None, e),
    };
    if let Some(a) = asked.assignee_id {
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
    let (Some(change), true) = (change, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let now = state.clock.now();
    let updated = store::update(&state.db, &staff.actor(), *id, asked.note.as_deref(), |current| {
        let next = case_state(current).change(&change, now).map_err(|e| match e {
            CaseError::Illegal { .. } => ApiError::named(e.code(), e.to_string()),
            CaseError::NotScreened => ApiError::field("verdict", e.code(), e.to_string()),
            CaseError::ReferralRequired | CaseError::ReferralNotAllowed => {
                ApiError::field("referred_to", e.code(), e.to_string())
            }
        })?;
        Ok::<_, ApiError>(with_state(current, next))
    })
    .await;
    updated.or_not_found("case")??;
    Ok(web::Json(read(&state, &staff, *id).await?))
}

impl TryFrom<&CaseChangeIn> for CaseChange {
    type Error = langnghe_domain::FieldErrors;

    /// Every unknown name, by field; the assignee is checked against the
    /// accounts by the handler.
    fn try_from(c: &CaseChangeIn) -> Result<CaseChange, Self::Error> {
        fn named<T>(
            errors: &mut langnghe_domain::FieldErrors,
            value: Option<&str>,
            parse: fn(&str) -> Option<T>,
            (field, code, expected): (&str, &'static str, &str),
        ) -> Option<T> {
            let parsed = value.map(parse);
            if let Some(None) = parsed {
                errors.push(field, code, expected);
            }
            parsed.flatten()
        }
        let mut e = langnghe_domain::FieldErrors::new();
        let status = named(
            &mut e,
            c.status.as_deref(),
            CaseStatus::parse,
            ("status", "unknown_status", "assessing, referred or closed"),
        );
        let referral = named(
            &mut e,
            c.referred_to.as_deref(),
            Referral::parse,
            (
                "referred_to",
                "unknown_referral",
                "hotline_111, social_affairs, police or school",
            ),
        );
        let severity = named(
            &mut e,
            c.severity.as_deref(),
            Severity::parse,
            ("severity", "unknown_severity", "medium, high or urgent"),
        );
        let verdict = named(
            &mut e,
            c.verdict.as_deref(),
            Verdict::parse,
            ("verdict", "unknown_verdict", "right or wrong"),
        );
        e.into_result(CaseChange {
            status,
            referral,
            severity,
            assignee: c.assignee_id.map(langnghe_domain::UserId),
            verdict,
        })
    }
}

/// What an officer's change can touch of a stored case.
fn case_state(row: &CaseRow) -> CaseState {
    CaseState {
        status: row.status,
        referral: row.referred_to,
        severity: row.severity,
        assignee: row.assignee_id.map(langnghe_domain::UserId),
        assessed_at: row.assessed_at,
        closed_at: row.closed_at,
        screened: row.source == "screen",
        verdict: row.verdict,
        verdict_at: row.verdict_at,
    }
}

/// The stored case with what the change made of it.
fn with_state(row: &CaseRow, s: CaseState) -> CaseRow {
    CaseRow {
        status: s.status,
        referred_to: s.referral,
        severity: s.severity,
        assignee_id: s.assignee.map(|a| a.0),
        assessed_at: s.assessed_at,
        closed_at: s.closed_at,
        verdict: s.verdict,
        verdict_at: s.verdict_at,
        ..row.clone()
    }
}

/// A report received on hotline 111 or in person.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"received_at": "2026-11-28T08:30:00+07:00", "channel": "hotline_111", "unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d21", "summary": "Tổng đài 111 chuyển: một em lớp 6 bị bạn lớn bắt nạt nhiều lần.", "severity": "high"}))]
pub struct IntakeIn {
    pub received_at: DateTime<Utc>,
    /// `hotline_111` or `in_person`.
    #[schema(value_type = crate::closed_sets::ChannelName)]
    pub channel: String,
    pub unit_id: Option<Uuid>,
    #[validate(length(min = 1, max = 5000, code = "length"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub summary: String,
    /// `medium`, `high` or `urgent`.
    #[schema(value_type = crate::closed_sets::SeverityName)]
    pub severity: String,
}

/// Open a case from a report received by hand.
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    request_body = IntakeIn,
    responses((status = 201, body = CaseDetailDto), crate::openapi::CreateErrors)
)]
#[post("/safeguarding/cases")]
async fn create_case(
    staff: Staff<Safeguarding>,
    state: web::Data<AppState>,
    Json(i): Json<IntakeIn>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = langnghe_domain::FieldErrors::new();
    let channel = Channel::parse(&i.channel);
    if channel.is_none() {
        errors.push("channel", "unknown_channel", "hotline_111 or in_person");
    }
    let severity = Severity::parse(&i.severity);
    if severity.is_none() {
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
    let (Some(channel), Some(severity)) = (channel, severity) else {
        return Err(ApiError::invalid(errors));
    };
    errors.into_result(())?;
    let row = store::intake(
        &state.db,
        &staff.actor(),
        &Intake {
            received_at: i.received_at,
            channel,
            unit_id: i.unit_id,
            summary: &i.summary,
            severity,
        },
    )
    .await?;
    let text = CaseText {
        text: i.summary,
        matched: Vec::new(),
        notes: Vec::new(),
    };
    Ok(HttpResponse::Created().json(detail(row, text, state.clock.now())))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// Whole calendar quarters: `2026-Q3`, `2026-H1`, `2026`, `2024..2027`,
    /// or days from the first day of a quarter to the last day of one
    /// (`2026-01-01..2026-06-30`). Anything else (a month, a work year, a
    /// term, other days) is refused with 400 `case_period_not_quarters`.
    pub period: String,
}

/// Cases received in a period, counted by status, severity, category and
/// ward, through disclosure control: each count is its own cell of the cell
/// key method (no count from 1 to k − 1 is shown), district-wide, over
/// whole calendar quarters only, so that two readings never differ by a
/// month or a day. A possible disclosure counts once an officer marks the
/// screen's call right. The quarterly report's safeguarding section gives
/// the same numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummaryDto {
    pub period: String,
    /// The days counted: the period's, or, while it is under way, those of
    /// its quarters that have ended (a quarter under way is never counted:
    /// read on two days, it would differ by the cases of the days between).
    pub counted_from: NaiveDate,
    pub counted_to: NaiveDate,
    pub total: u64,
    pub by_status: BTreeMap<String, u64>,
    pub by_severity: BTreeMap<String, u64>,
    /// A case may concern several categories, so these need not add up.
    pub by_category: BTreeMap<String, u64>,
    /// Every ward in force at the period's end.
    pub by_ward: Vec<WardCountDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WardCountDto {
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    pub count: u64,
}

/// Counts of cases for the quarterly report: never any detail, never per
/// unit, only over whole calendar quarters (400 `case_period_not_quarters`
/// otherwise) that have ended (a year under way counts its ended quarters;
/// 409 `case_period_not_ended` while none has). Officers and admins.
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    params(SummaryQuery),
    responses((status = 200, body = CaseSummaryDto), crate::openapi::ListErrors)
)]
#[get("/safeguarding/summary")]
async fn case_summary(
    req: actix_web::HttpRequest,
    _staff: Staff<CaseCounts>,
    state: web::Data<AppState>,
    q: web::Query<SummaryQuery>,
) -> Result<web::Json<CaseSummaryDto>, ApiError> {
    let period = Period::parse(&q.period)
        .map_err(|_| ApiError::bad_request(Code::InvalidQuery, "period is like 2026, 2026-H1 or 2026-Q3"))?;
    let quarters = period.whole_quarters().map_err(|e| {
        ApiError::new(Code::CasePeriodNotQuarters, "The request could not be read").said(e.message_vi(), e.to_string())
    })?;
    let figures = crate::services::figures::published_cases(&state, quarters)
        .await?
        .ok_or_else(|| {
            ApiError::conflict(Code::CasePeriodNotEnded, "no quarter of the period has ended yet").said(
                format!("Chưa có quý nào của {period} kết thúc."),
                format!("No quarter of {period} has ended yet."),
            )
        })?;
    let counts = &figures.by_status;
    let by_status = CaseStatus::ALL
        .iter()
        .map(|s| s.as_str().to_owned())
        .zip(counts.rows.iter().copied())
        .collect();
    let by_severity = crate::services::figures::SEVERITIES
        .iter()
        .map(|s| (*s).to_owned())
        .zip(counts.columns.iter().copied())
        .collect();
    let lang = crate::extract::request_lang(&req);
    let chart = org::load_chart(&state.db).await?;
    let by_ward = figures
        .by_ward
        .iter()
        .filter_map(|(w, n)| {
            chart.unit(*w).map(|u| WardCountDto {
                unit_id: w.0,
                code: u.code.as_str().to_owned(),
                name: u.name.get(lang).to_owned(),
                count: *n,
            })
        })
        .collect();
    Ok(web::Json(CaseSummaryDto {
        period: period.to_string(),
        counted_from: figures.counted.first_day(),
        counted_to: figures.counted.last_day(),
        total: counts.total,
        by_status,
        by_severity,
        by_category: figures.by_category.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect(),
        by_ward,
    }))
}

/// What waits for the officers.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueDto {
    /// Cases not yet taken up.
    pub new: u64,
    /// Of them, urgent.
    pub urgent: u64,
    /// Possible disclosures to review (not released, not closed).
    pub to_review: u64,
    /// The newest case: when it changes, something arrived.
    pub latest_case_id: Option<Uuid>,
}

/// Counts of what waits, cheap enough to poll every few seconds: a client
/// that sees `latest_case_id` change fetches the list.
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    responses((status = 200, body = QueueDto), crate::openapi::RoleErrors)
)]
#[get("/safeguarding/queue")]
async fn queue(_staff: Staff<Safeguarding>, state: web::Data<AppState>) -> Result<web::Json<QueueDto>, ApiError> {
    let c = store::queue_counts(&state.db).await?;
    Ok(web::Json(QueueDto {
        new: c.new,
        urgent: c.urgent,
        to_review: c.to_review,
        latest_case_id: c.latest,
    }))
}

/// Release a possible disclosure to moderation, once an officer has read it
/// and found no child at risk: an issue in review enters the moderation
/// queue as `new` with its text redacted of personal data, a withheld answer
/// gets its redacted text back. Audited without the text.
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    responses(
        (status = 200, body = CaseDetailDto),
        (status = 409, description = "Not a possible disclosure (`not_possible`), already released (`already_released`), closed (`case_closed`), or the issue also holds a clear disclosure (`clear_beside`)", body = crate::error::Problem, content_type = "application/problem+json"),
        crate::openapi::ReadErrors,
    )
)]
#[post("/safeguarding/cases/{id}/release")]
async fn release_case(
    staff: Staff<Safeguarding>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<CaseDetailDto>, ApiError> {
    let redacted = |text: &str| langnghe_domain::screen::screen(text).redacted;
    if let Err(refused) = store::release(&state.db, &staff.actor(), *id, redacted)
        .await
        .or_not_found("case")?
    {
        let (code, detail) = match refused {
            ReleaseRefused::NotPossible => (
                Code::NotPossible,
                "only a possible disclosure found by the screen is released",
            ),
            ReleaseRefused::AlreadyReleased => (Code::AlreadyReleased, "this case was released already"),
            ReleaseRefused::Closed => (Code::CaseClosed, "a closed case is not released"),
            ReleaseRefused::ClearBeside => (Code::ClearBeside, "the same issue holds a clear disclosure"),
        };
        return Err(ApiError::conflict(code, detail));
    }
    Ok(web::Json(read(&state, &staff, *id).await?))
}

/// The officers' marks of the screen's calls, as CSV (UTF-8): case, the
/// screen's outcome and categories, the mark, when, and the text with
/// personal data redacted, to grow the screen's labelled set. The export is
/// audited as a reading of those texts.
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv; charset=utf-8", body = String), crate::openapi::RoleErrors)
)]
#[get("/safeguarding/marks.csv")]
async fn export_marks(staff: Staff<Safeguarding>, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let header = ["case_id", "outcome", "categories", "verdict", "marked_at", "text"].map(str::to_owned);
    let mut csv = crate::csv::Csv::new(&header);
    for m in store::marked(&state.db, &staff.actor()).await? {
        csv.push(&[
            m.id.to_string(),
            m.outcome.as_str().to_owned(),
            m.categories.join(" "),
            m.verdict.as_str().to_owned(),
            m.verdict_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            langnghe_domain::screen::screen(&m.text).redacted,
        ]);
    }
    Ok(csv.response("screen-marks.csv"))
}

/// A unit named in a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct WardDto {
    pub id: Uuid,
    pub code: String,
    pub name: String,
}

/// The quick report ("báo cáo nhanh") the plan asks for on an urgent case:
/// what, where (ward level), when, how severe and what was done; never the
/// child's words, never the school.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuickReportDto {
    pub case_id: Uuid,
    /// The categories, in words.
    pub what: Vec<String>,
    /// The ward the case concerns, when known.
    pub ward: Option<WardDto>,
    pub received_at: DateTime<Utc>,
    /// In words.
    pub severity: String,
    /// `new`, `assessing`, `referred` or `closed`.
    #[schema(value_type = crate::closed_sets::CaseStatusName)]
    pub status: String,
    pub assessed_at: Option<DateTime<Utc>>,
    /// `hotline_111`, `social_affairs`, `police` or `school`.
    #[schema(value_type = Option<crate::closed_sets::ReferralName>)]
    pub referred_to: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The same, as lines to paste into the report form.
    pub text: String,
}

/// The quick report of an urgent case (officers only).
#[utoipa::path(
    tag = "safeguarding",
    security(("bearer" = [])),
    responses(
        (status = 200, body = QuickReportDto),
        (status = 409, description = "The case is not urgent (`not_urgent`)", body = crate::error::Problem, content_type = "application/problem+json"),
        crate::openapi::ReadErrors,
    )
)]
#[get("/safeguarding/cases/{id}/quick-report")]
async fn quick_report(
    req: actix_web::HttpRequest,
    _staff: Staff<Safeguarding>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<QuickReportDto>, ApiError> {
    let lang = crate::extract::request_lang(&req);
    let c = store::get(&state.db, *id).await.or_not_found("case")?;
    if c.severity != Severity::Urgent {
        return Err(ApiError::conflict(
            Code::NotUrgent,
            "a quick report is made for an urgent case",
        ));
    }
    let chart = org::load_chart(&state.db).await?;
    let day = crate::local_day(c.received_at);
    let ward = c
        .unit_id
        .and_then(|u| chart.at_level(UnitId(u), Some(langnghe_domain::org::UnitKind::Ward), day))
        .and_then(|w| chart.unit(w))
        .map(|w| WardDto {
            id: w.id.0,
            code: w.code.as_str().to_owned(),
            name: w.name.get(lang).to_owned(),
        });
    let what: Vec<String> = if c.categories.is_empty() {
        vec![
            match lang {
                langnghe_domain::text::Lang::Vi => "chưa phân loại",
                langnghe_domain::text::Lang::En => "not yet classified",
            }
            .to_owned(),
        ]
    } else {
        c.categories
            .iter()
            .map(|x| safeguarding::category_label(x, lang).to_owned())
            .collect()
    };
    let severity = safeguarding::severity_label(c.severity.as_str(), lang).to_owned();
    let report = QuickReportDto {
        case_id: c.id,
        text: quick_report_text(&c, &what, ward.as_ref(), &severity, lang),
        what,
        ward,
        received_at: c.received_at,
        severity,
        status: c.status.as_str().to_owned(),
        assessed_at: c.assessed_at,
        referred_to: c.referred_to.map(|r| r.as_str().to_owned()),
        closed_at: c.closed_at,
    };
    Ok(web::Json(report))
}

fn quick_report_text(
    c: &CaseRow,
    what: &[String],
    ward: Option<&WardDto>,
    severity: &str,
    lang: langnghe_domain::text::Lang,
) -> String {
    use langnghe_domain::text::Lang;
    let when = |t: DateTime<Utc>| {
        (t + chrono::Duration::hours(crate::LOCAL_OFFSET_HOURS))
            .format("%H:%M %d/%m/%Y")
            .to_string()
    };
    let done = match (c.status.as_str(), c.referred_to.map(Referral::as_str), lang) {
        ("new", _, Lang::Vi) => "Đã tiếp nhận, chưa đánh giá".to_owned(),
        ("assessing", _, Lang::Vi) => "Đang đánh giá".to_owned(),
        ("referred", Some(to), Lang::Vi) => format!("Đã chuyển {}", referral_vi(to)),
        ("closed", _, Lang::Vi) => "Đã đóng hồ sơ".to_owned(),
        ("new", _, Lang::En) => "Received, not yet assessed".to_owned(),
        ("assessing", _, Lang::En) => "Being assessed".to_owned(),
        ("referred", Some(to), Lang::En) => format!("Referred to {to}"),
        (s, _, _) => s.to_owned(),
    };
    let place = ward.map_or("—".to_owned(), |w| w.name.clone());
    match lang {
        Lang::Vi => format!(
            "BÁO CÁO NHANH\nVụ việc: {}\nĐịa bàn: {place}\nThời gian tiếp nhận: {}\nMức độ: {severity}\nĐã xử lý: {done}\n",
            what.join("; "),
            when(c.received_at),
        ),
        Lang::En => format!(
            "QUICK REPORT\nWhat: {}\nWhere: {place}\nReceived: {}\nSeverity: {severity}\nDone: {done}\n",
            what.join("; "),
            when(c.received_at),
        ),
    }
}

fn referral_vi(to: &str) -> &str {
    match to {
        "hotline_111" => "Tổng đài 111",
        "social_affairs" => "Phòng Văn hóa - Xã hội",
        "police" => "công an",
        "school" => "nhà trường",
        other => other,
    }
}
