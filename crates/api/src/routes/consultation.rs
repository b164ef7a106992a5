//! Children taking part: facilitators open sessions with join codes; a
//! child joins with the code, their age and their assent, answers, may
//! withdraw with their receipt, and may raise issues. Every free text is
//! screened on the way in: personal data is redacted from the stored copy,
//! and text suggesting a child is at risk goes only to a safeguarding case.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::Utc;
use langnghe_domain::UnitId;
use langnghe_domain::consultation::{
    Admitted, ChildRefusal, ERASED, JoinCaps, JoinCode, JoinForm, JoinRefusal, PaperChild, SessionAsk, SessionMode,
    SessionPlan, SessionRefusal, SessionState, SurveyStatus, UnitAsked, admit, paper_entry_open, plan_session,
    support_message,
};
use langnghe_domain::screen::Outcome;
use langnghe_domain::survey::{self, AgeBand};
use langnghe_domain::text::Lang;
use langnghe_domain::throttle::ThrottlePolicy;
use langnghe_storage::participation::{self as store, NewIssue, Session, Submitted, Withdrawn};
use langnghe_storage::{StoreError, catalog, org, surveys, throttle};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Consulting, Respondent, SessionRunner, Staff};
use crate::credentials::{Registered, RespondentClaims};
use crate::dto::{RenderedSurveyDto, rendered_dto};
use crate::error::{ApiError, Code, OrNotFound};
use crate::extract::Json;
use crate::pagination::{Page, paged_query};
use crate::services::receipt_guesses::ReceiptGuess;
use crate::services::submission::{self, closed_meanwhile, open_session, published_definition};
use crate::state::AppState;
use crate::survey_format::find as find_survey;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_session)
        .service(list_sessions)
        .service(close_session)
        .service(session_qr)
        .service(session_activity)
        .service(void_burst)
        .service(enter_paper_response)
        .service(join_assent)
        .service(join)
        .service(submit_response)
        .service(withdraw_response)
        .service(raise_issue)
        .service(withdraw_issue);
}

/// How a guardian's consent was collected for the children of a session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct GuardianConsentDto {
    /// e.g. `paper_form`, `school_register`, `digital_form`.
    #[validate(length(min = 1, max = 40))]
    #[schema(min_length = 1, max_length = 40)]
    pub method: String,
    /// Where the record is kept (a file number, not a name).
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub reference: String,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d41", "opens_at": "2026-12-01T01:00:00Z", "closes_at": "2026-12-01T03:00:00Z", "expected_participants": 45, "guardian_consent": {"method": "paper_form", "reference": "HS-2026-12/7A"}}))]
pub struct CreateSession {
    /// The unit the children belong to: the facilitator's own unit or below.
    pub unit_id: Uuid,
    pub opens_at: chrono::DateTime<Utc>,
    pub closes_at: chrono::DateTime<Utc>,
    #[validate(range(min = 1, max = 100000))]
    #[schema(minimum = 1, maximum = 100000)]
    pub expected_participants: Option<i32>,
    #[validate(nested)]
    pub guardian_consent: Option<GuardianConsentDto>,
    /// `app` (default): children answer on their phones within a window
    /// that ends in the future. `paper`: children answered paper forms
    /// that the facilitator enters afterwards
    /// (`POST /sessions/{id}/paper-responses`); its window was held
    /// already: not in the future, not before the survey version was
    /// published, and at most 60 days ago.
    #[schema(value_type = Option<crate::closed_sets::SessionModeName>)]
    pub mode: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d70", "survey_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d71", "version": 1, "unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d41", "join_code": "KT7HMX3PWA9C", "opens_at": "2026-12-01T01:00:00Z", "closes_at": "2026-12-01T03:00:00Z", "state": "open", "expected_participants": 45, "guardian_consent": null}))]
pub struct SessionDto {
    pub id: Uuid,
    pub survey_id: Uuid,
    /// The published version children answer in this session.
    pub version: i32,
    pub unit_id: Uuid,
    /// 12 characters without look-alikes (8 in older sessions); children type it on their phone.
    pub join_code: String,
    pub opens_at: chrono::DateTime<Utc>,
    pub closes_at: chrono::DateTime<Utc>,
    pub closed_at: Option<chrono::DateTime<Utc>>,
    /// `not_yet_open`, `open` or `closed`.
    #[schema(value_type = crate::closed_sets::SessionStateName)]
    pub state: &'static str,
    pub expected_participants: Option<i32>,
    pub guardian_consent: Option<GuardianConsentDto>,
    /// Distinct children admitted so far.
    pub joined: i32,
    /// How many it admits: the expected number and a margin (or the
    /// service's cap when it expects none).
    pub join_cap: i32,
    /// Joins refused because the session, or one address, was full: a
    /// sign of someone joining over and over.
    pub joins_refused: i32,
    /// More children joined than the session expects.
    pub over_expected: bool,
    /// `app` or `paper`.
    #[schema(value_type = crate::closed_sets::SessionModeName)]
    pub mode: &'static str,
}

fn session_dto(s: Session, now: chrono::DateTime<Utc>, counts: (i32, i32), caps: &JoinCaps) -> SessionDto {
    let state = match s.window.state(now) {
        SessionState::NotYetOpen => "not_yet_open",
        SessionState::Open => "open",
        SessionState::Closed => "closed",
    };
    SessionDto {
        id: s.id,
        survey_id: s.survey_id,
        version: s.version,
        unit_id: s.unit_id.0,
        join_code: s.join_code,
        opens_at: s.window.opens_at,
        closes_at: s.window.closes_at,
        closed_at: s.window.closed_at,
        state,
        joined: counts.0,
        join_cap: caps.cap(s.expected_participants),
        joins_refused: counts.1,
        over_expected: s.expected_participants.is_some_and(|e| counts.0 > e),
        mode: s.mode.as_str(),
        expected_participants: s.expected_participants,
        guardian_consent: match (s.guardian_consent_method, s.guardian_consent_reference) {
            (Some(method), Some(reference)) => Some(GuardianConsentDto { method, reference }),
            _ => None,
        },
    }
}

/// Open a session of a published survey for a unit and a time window.
/// Facilitators open sessions for their own unit (or below it); admins for
/// any unit. A `paper` session records one held on paper forms: its window
/// is in the past, and its forms are entered with
/// `POST /sessions/{id}/paper-responses`.
#[utoipa::path(
    tag = "consultation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The survey")),
    request_body = CreateSession,
    responses(
        (status = 201, body = SessionDto),
        (status = 409, description = "The survey is not published (`survey_not_published`) or is closed (`survey_closed`)", body = crate::error::Problem, content_type = "application/problem+json"),
        crate::openapi::EditErrors,
    )
)]
#[post("/surveys/{id}/sessions")]
async fn create_session(
    staff: Staff<SessionRunner>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(b): Json<CreateSession>,
) -> Result<HttpResponse, ApiError> {
    let record = find_survey(&state, *id).await?;
    let (now, today) = (state.clock.now(), state.clock.local_date());
    // The published version is read only for a survey that takes
    // sessions: a closed one is refused by its status, whatever is stored.
    let (published_at, requires_consent) = match record.published_version {
        Some(version) if record.status == SurveyStatus::Published => {
            let stored = surveys::version(&state.db, record.id, version).await?;
            (
                stored.published_at,
                stored.definition.definition.requires_guardian_consent(),
            )
        }
        _ => (None, false),
    };
    let chart = org::load_chart(&state.db).await?;
    let unit = chart.unit(UnitId(b.unit_id)).map(|u| UnitAsked {
        in_force: u.in_force_on(today),
        in_scope: staff.scope().covers(&chart, u.id, &[today]),
    });
    let plan = plan_session(SessionAsk {
        survey: record.status,
        published_version: record.published_version,
        published_at,
        opens_at: b.opens_at,
        closes_at: b.closes_at,
        mode: b.mode.as_deref(),
        unit,
        requires_guardian_consent: requires_consent,
        guardian_consent_given: b.guardian_consent.is_some(),
        now,
    })
    .map_err(|refusal| match refusal {
        SessionRefusal::SurveyClosed => ApiError::conflict(Code::SurveyClosed, "the survey is closed"),
        SessionRefusal::SurveyNotPublished => {
            ApiError::conflict(Code::SurveyNotPublished, "publish the survey before opening sessions")
        }
        SessionRefusal::Invalid(errors) => ApiError::invalid(errors),
    })?;
    let SessionPlan { version, window, mode } = plan;
    // Codes are drawn at random; a collision with a live code is retried.
    for _ in 0..5 {
        let code = JoinCode::generate(rand::random::<u8>);
        let session = Session {
            id: Uuid::now_v7(),
            survey_id: record.id,
            version,
            unit_id: UnitId(b.unit_id),
            window,
            expected_participants: b.expected_participants,
            join_code: code.as_str().to_owned(),
            guardian_consent_method: b.guardian_consent.as_ref().map(|g| g.method.trim().to_owned()),
            guardian_consent_reference: b.guardian_consent.as_ref().map(|g| g.reference.trim().to_owned()),
            created_at: state.clock.now(),
            mode,
        };
        match store::create_session(&state.db, &staff.actor(), &session).await {
            Ok(()) => {
                let dto = session_dto(session, state.clock.now(), (0, 0), &state.join_caps);
                return Ok(HttpResponse::Created().json(dto));
            }
            Err(StoreError::Conflict("join_code_taken")) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal(&StoreError::Conflict("join_code_taken")))
}

paged_query! {
    pub struct ListSessionsQuery {
    }
}

/// Sessions of a survey, oldest first; facilitators see their units' only.
#[utoipa::path(
    tag = "consultation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The survey"), ListSessionsQuery),
    responses((status = 200, body = Page<SessionDto>), crate::openapi::ReadErrors)
)]
#[get("/surveys/{id}/sessions")]
async fn list_sessions(
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<ListSessionsQuery>,
) -> Result<web::Json<Page<SessionDto>>, ApiError> {
    let page = q.page()?;
    let record = find_survey(&state, *id).await?;
    let scope = staff.unit_scope(&org::load_chart(&state.db).await?);
    let rows = store::list_sessions(&state.db, record.id, scope.as_deref(), page.after, page.fetch()).await?;
    let counts = store::join_counts(&state.db, &rows.iter().map(|s| s.id).collect::<Vec<_>>()).await?;
    Ok(web::Json(page.page(
        rows,
        |s| s.id,
        |s| {
            let c = counts.get(&s.id).copied().unwrap_or_default();
            session_dto(s, state.clock.now(), c, &state.join_caps)
        },
    )))
}

/// Close a session now. Facilitators close their units' sessions only.
#[utoipa::path(
    tag = "consultation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    responses((status = 200, body = SessionDto), crate::openapi::ReadErrors)
)]
#[post("/sessions/{id}/close")]
async fn close_session(
    staff: Staff<SessionRunner>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<SessionDto>, ApiError> {
    let session = session_in_scope(&state, &staff, *id).await?;
    let closed = store::close_session(&state.db, &staff.actor(), session.id, state.clock.now()).await?;
    state.cache.forget_session(session.id);
    let counts = store::join_counts(&state.db, &[closed.id]).await?;
    let c = counts.get(&closed.id).copied().unwrap_or_default();
    Ok(web::Json(session_dto(closed, state.clock.now(), c, &state.join_caps)))
}

/// The session's QR code as SVG, for the board or a printed sheet: it
/// encodes the absolute address `/j/{join_code}` (from
/// `LANGNGHE_PUBLIC_URL`, else the request's scheme and host), which opens
/// the children's app with the code filled in. Facilitators get their
/// units' sessions only.
#[utoipa::path(
    tag = "consultation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    responses(
        (status = 200, description = "The QR code", body = String, content_type = "image/svg+xml"),
        crate::openapi::ReadErrors
    )
)]
#[get("/sessions/{id}/qr.svg")]
async fn session_qr(
    req: HttpRequest,
    staff: Staff<SessionRunner>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let session = session_in_scope(&state, &staff, *id).await?;
    let base = match state.public_url.as_deref() {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    };
    let address = format!("{base}/j/{}", session.join_code);
    let code = qrcode::QrCode::with_error_correction_level(address.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| ApiError::internal(&e))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(320, 320)
        .quiet_zone(true)
        .build();
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(svg))
}

/// What a facilitator projects while a session runs: counts of activity
/// in their own room only, never what the answers say.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDto {
    /// `not_yet_open`, `open` or `closed`.
    #[schema(value_type = crate::closed_sets::SessionStateName)]
    pub state: &'static str,
    /// Distinct children admitted so far.
    pub joined: i32,
    /// Answers received that still count (withdrawn ones aside).
    pub answers: u64,
    pub closes_at: chrono::DateTime<Utc>,
}

/// The live counts of a session for its projection screen: children
/// joined and answers received, cheap enough to poll every few seconds.
/// Counts only, never content. Facilitators get their units' sessions
/// only.
#[utoipa::path(
    tag = "consultation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    responses((status = 200, body = ActivityDto), crate::openapi::ReadErrors)
)]
#[get("/sessions/{id}/activity")]
async fn session_activity(
    staff: Staff<SessionRunner>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<ActivityDto>, ApiError> {
    let session = session_in_scope(&state, &staff, *id).await?;
    let answers = store::answer_count(&state.db, session.id).await?;
    let counts = store::join_counts(&state.db, &[session.id]).await?;
    let joined = counts.get(&session.id).map_or(0, |c| c.0);
    let dto = session_dto(session, state.clock.now(), (joined, 0), &state.join_caps);
    Ok(web::Json(ActivityDto {
        state: dto.state,
        joined,
        answers,
        closes_at: dto.closes_at,
    }))
}

/// A session the caller runs: facilitators their units' sessions only (any
/// other is not found to them).
async fn session_in_scope(state: &AppState, staff: &Staff<SessionRunner>, id: Uuid) -> Result<Session, ApiError> {
    let session = store::get_session(&state.db, id).await.or_not_found("session")?;
    if !staff
        .scope()
        .covers(&org::load_chart(&state.db).await?, session.unit_id, &[staff.day()])
    {
        return Err(ApiError::not_found("session"));
    }
    Ok(session)
}

/// A burst of answers to void.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"from": "2026-11-25T09:10:00+07:00", "until": "2026-11-25T09:12:00+07:00"}))]
pub struct VoidIn {
    pub from: chrono::DateTime<Utc>,
    /// After `from`, at most a day later.
    pub until: chrono::DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VoidedDto {
    /// Answers withdrawn now: they leave the figures at their next release.
    pub voided: u64,
}

/// Void a burst of answers a facilitator recognises as stuffing (one client
/// joining over and over): every answer of the session submitted in
/// `[from, until)` is withdrawn. Audited with the count. Facilitators void
/// in their units' sessions only.
#[utoipa::path(
    tag = "consultation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    request_body = VoidIn,
    responses((status = 200, body = VoidedDto), crate::openapi::EditErrors)
)]
#[post("/sessions/{id}/void")]
async fn void_burst(
    staff: Staff<SessionRunner>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(body): Json<VoidIn>,
) -> Result<web::Json<VoidedDto>, ApiError> {
    let session = session_in_scope(&state, &staff, *id).await?;
    let VoidIn { from, until } = body;
    if until <= from || until - from > chrono::Duration::days(1) {
        return Err(ApiError::field(
            "until",
            "out_of_range",
            "after from, at most a day later",
        ));
    }
    let voided = store::void_burst(&state.db, &staff.actor(), session.id, from, until).await?;
    Ok(web::Json(VoidedDto { voided }))
}

/// A child's paper form, as the facilitator enters it.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"age": 12, "grade": 7, "gender": "girl", "language": "vi", "assent": true, "answers": {"feel_safe": "no", "why_not": "Đoạn đường gần trường không có đèn.", "happy_at_school": 4}}))]
pub struct PaperResponseIn {
    /// The child's age in years (6–17), or give `age_band`.
    pub age: Option<i64>,
    /// `6-8`, `9-11`, `12-14` or `15-17`, when the form asked for a band:
    /// its youngest age stands for the child's age.
    #[schema(value_type = Option<crate::closed_sets::AgeBandName>)]
    pub age_band: Option<String>,
    /// School grade 1–12, when the form has it.
    pub grade: Option<i64>,
    /// `girl`, `boy`, `other` or `prefer_not_to_say`, when the form asked.
    #[schema(value_type = Option<crate::closed_sets::GenderName>)]
    pub gender: Option<String>,
    /// The form's language, `vi` (default) or `en`.
    #[schema(value_type = Option<crate::closed_sets::LangCode>)]
    pub language: Option<String>,
    /// The child ticked their own agreement on the form; must be true.
    pub assent: bool,
    /// As for `POST /responses`: question key → answer.
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
}

/// What was stored for a paper form.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaperReceiptDto {
    pub id: Uuid,
    /// Withdraws the response (`DELETE /api/v1/responses/{receipt_code}`),
    /// e.g. to correct a form entered wrong.
    pub receipt_code: String,
    /// When it counts: the session's opening, the day the child answered.
    pub answered_at: chrono::DateTime<Utc>,
    /// Present when the child's words suggest they may need help: a
    /// safeguarding case was opened, and the facilitator may pass the
    /// hotline on to the child.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support: Option<HelpOfferDto>,
}

/// Enter a child's paper form after a paper session (`mode: paper`): a
/// response like one sent from a phone, counted in results, progress and
/// reports on the day of the session, validated against the session's
/// survey version for the child's age, its free text screened (personal
/// data redacted, words suggesting harm to safeguarding). Consent is the
/// app's: the child's own assent (ticked on the form, `assent: true`) and
/// the guardian consent recorded on the session where the survey needs it;
/// each entry is audited with who entered it and that assent was given on
/// paper. Send an `Idempotency-Key` per form: a retry with the same key
/// and body gets the original receipt and stores nothing new. Open from
/// the session's start until 60 days after its end, unless the session was
/// closed. A session takes at most as many forms as it would admit
/// children (its expected number and a margin, 300 without one), withdrawn
/// forms included, and none once five were withdrawn: each form entered
/// and withdrawn would otherwise draw the session's figures anew. The
/// session's facilitator (a unit in their scope) or an admin.
#[utoipa::path(
    tag = "consultation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The paper session"),
        ("Idempotency-Key" = String, Header, description = "Unique per form; reuse it when retrying"),
    ),
    request_body = PaperResponseIn,
    responses(
        (status = 201, body = PaperReceiptDto),
        crate::openapi::EditErrors,
        (status = 400, description = "No Idempotency-Key (`idempotency_key_required`) or malformed JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a paper session (`not_a_paper_session`), entries closed (`session_closed`), key reused with another form (`idempotency_key_reused`), the session's cap of forms reached (`paper_form_cap_reached`) or five of its forms withdrawn (`paper_withdrawal_cap_reached`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No assent (`assent_required`), age outside the survey's range (`age_not_eligible`) or invalid answers and fields (`validation_failed`)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sessions/{id}/paper-responses")]
async fn enter_paper_response(
    req: HttpRequest,
    staff: Staff<SessionRunner>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(b): Json<PaperResponseIn>,
) -> Result<HttpResponse, ApiError> {
    let session = session_in_scope(&state, &staff, *id).await?;
    let lang = crate::extract::request_lang(&req);
    let key = idempotency_key(&req, lang)?;
    if session.mode != SessionMode::Paper {
        return Err(ApiError::conflict(
            Code::NotAPaperSession,
            "children answer this session on their phones; open a session with mode paper to enter paper forms",
        ));
    }
    let now = state.clock.now();
    let record = find_survey(&state, session.survey_id).await?;
    if record.status == SurveyStatus::Closed || !paper_entry_open(&session.window, now) {
        return Err(ApiError::conflict(
            Code::SessionClosed,
            "this paper session no longer takes forms: it was closed, its survey was closed, or it ended more than 60 days ago",
        ));
    }
    let form_lang = match b.language.as_deref() {
        None | Some("vi") => Lang::Vi,
        Some("en") => Lang::En,
        Some(_) => {
            return Err(ApiError::invalid(
                langnghe_domain::field::one_of("language", &["vi", "en"]).into(),
            ));
        }
    };
    if !b.assent {
        return Err(ApiError::new(Code::AssentRequired, "No assent")
            .detail("the child did not tick their agreement on the form: their answers are not entered"));
    }
    let child =
        PaperChild::check(b.age, b.age_band.as_deref(), b.grade, b.gender.as_deref()).map_err(ApiError::invalid)?;
    let def = published_definition(&state, record.id, session.version).await?;
    if !def.eligible_age(child.age) {
        return Err(ApiError::new(Code::AgeNotEligible, "Age outside the survey's range")
            .detail("this survey is not for children of this age"));
    }
    let checked = submission::checked_answers(&def, child.age, &b.answers)?;
    let request_hash = state.data_key.hash(
        "request",
        &serde_json::to_string(&serde_json::json!({
            "age": child.age, "age_band": child.band.as_str(), "grade": child.grade,
            "gender": child.gender.map(|g| g.as_str()), "language": form_lang == Lang::En,
            "answers": b.answers,
        }))
        .map_err(|e| ApiError::internal(&e))?,
    );
    // Each form is a child of its own: a pseudonym named by the session and
    // the form's key, so that a retry finds the same child.
    let token_hash = state
        .data_key
        .hash("paper_participant", &format!("{}:{key}", session.id));
    let support = crate::services::intake::strongest(&checked.cases);
    let answerer = submission::Answerer::on_paper(&child, form_lang, &session);
    let new = answerer.response(&state, &session, &def, checked, key, request_hash);
    let new_id = new.id;
    let receipt = |id: Uuid| PaperReceiptDto {
        id,
        receipt_code: state.data_key.receipt_code(id),
        answered_at: session.window.opens_at,
        support: support_for(support, lang),
    };
    match store::enter_paper_response(&state.db, &staff.actor(), &token_hash, &new).await? {
        (Submitted::Created, _) => Ok(HttpResponse::Created().json(receipt(new_id))),
        (Submitted::Replayed(original), _) => Ok(HttpResponse::Created().json(receipt(original))),
        (Submitted::KeyReused | Submitted::AlreadyResponded, _) => Err(ApiError::conflict(
            Code::IdempotencyKeyReused,
            "this Idempotency-Key was used for another form",
        )),
        (Submitted::SessionClosed, _) => Err(ApiError::conflict(
            Code::SessionClosed,
            "the session was closed, or its survey",
        )),
    }
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"join_code": "KT7HMX3PWA9C", "age": 12, "grade": 7, "gender": "girl", "language": "vi", "assent": true}))]
pub struct JoinRequest {
    /// As read aloud; case, spaces and dashes do not matter.
    #[validate(length(max = 20))]
    #[schema(max_length = 20)]
    pub join_code: String,
    /// The child's age in years (6–17).
    pub age: i64,
    /// School grade 1–12, when the child knows it.
    pub grade: Option<i64>,
    /// `girl`, `boy`, `other` or `prefer_not_to_say`.
    #[schema(value_type = Option<crate::closed_sets::GenderName>)]
    pub gender: Option<String>,
    /// `vi` or `en`; default from Accept-Language, else Vietnamese.
    #[schema(value_type = Option<crate::closed_sets::LangCode>)]
    pub language: Option<String>,
    /// The child's own agreement to take part; must be true.
    pub assent: bool,
    /// The token this phone got on an earlier join, so the child counts once.
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub participant_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JoinResponse {
    /// Bearer token for submitting answers and issues in this session.
    pub respondent_token: String,
    /// Keep this on the phone and send it on the next join.
    pub participant_token: String,
    /// Seconds until `respondent_token` expires.
    pub expires_in: i64,
    pub session_id: Uuid,
    /// The survey as this child sees it.
    pub survey: RenderedSurveyDto,
}

/// Wrong join codes from one network (an IPv4 address, an IPv6 /64): a
/// class behind one school address joins freely; guessing is slowed after
/// 20 wrong codes. Across networks, the service-wide budget
/// (`crate::join_budget`) bounds guessing.
const JOIN_POLICY: ThrottlePolicy = ThrottlePolicy::ADDRESS;

/// Joining paused for everyone: the budget of wrong codes is spent.
fn join_paused(state: &AppState, p: crate::join_budget::Paused, lang: Lang) -> ApiError {
    state.metrics.join_paused();
    let mut e = ApiError::new(Code::JoinPaused, "Joining is paused").to_child(ChildRefusal::JoinPaused, lang);
    e.retry_after = Some(p.0.max(1));
    e
}

/// The refusals joining and its assent step share, worded for the child.
/// Only documented: the refusals themselves are `ApiError`s.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum JoinRefusals {
    /// No session has this code (`join_code_unknown`)
    #[response(status = 404, content_type = "application/problem+json")]
    UnknownCode(crate::error::Problem),
    /// The session has not opened (`session_not_open`) or has ended (`session_closed`)
    #[response(status = 409, content_type = "application/problem+json")]
    NotOpen(crate::error::Problem),
    /// Too many wrong codes from this network (`too_many_attempts`), or across the whole service this hour (`join_paused`); see `Retry-After`
    #[response(status = 429, content_type = "application/problem+json")]
    Throttled(crate::error::Problem),
}

/// Join a session: no account, no name. Refusals are worded for the child.
#[utoipa::path(
    tag = "consultation",
    request_body = JoinRequest,
    responses(
        (status = 200, body = JoinResponse),
        JoinRefusals,
        crate::openapi::BadBody,
        (status = 422, description = "No assent (`assent_required`), age outside the survey's range (`age_not_eligible`) or invalid fields (`validation_failed`)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/join")]
async fn join(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(b): Json<JoinRequest>,
) -> Result<web::Json<JoinResponse>, ApiError> {
    let lang = join_language(&req, b.language.as_deref())?;
    let now = state.clock.now();
    let form = JoinForm {
        age: b.age,
        grade: b.grade,
        gender: b.gender.as_deref(),
        assent: b.assent,
        participant_token: b.participant_token.as_deref(),
    };
    let Joined { session, def, child } = joined(&state, &req, &b.join_code, &form, lang, now).await?;
    let token = child
        .returning
        .clone()
        .unwrap_or_else(|| crate::credentials::random_secret(24));
    let participant_id = match store::participant_for(&state.db, &state.data_key.hash("participant", &token), now).await
    {
        Ok(id) => id,
        Err(StoreError::Conflict("participant_erased")) => {
            return Err(ApiError::for_child(Code::ParticipantErased, ChildRefusal::Erased, lang));
        }
        Err(e) => return Err(e.into()),
    };
    // Against ballot stuffing: the session's cap of children, and a cap per
    // client network (an IPv4 address, an IPv6 /64, as for wrong codes).
    let address = crate::network::client_network_key(&req, &state, "session");
    let caps = state.join_caps;
    let per_address = i32::try_from(caps.per_address).unwrap_or(i32::MAX);
    let cap = caps.cap(session.expected_participants);
    match store::admit(&state.db, session.id, participant_id, &address, cap, per_address).await? {
        store::Admission::Admitted => {}
        store::Admission::SessionFull | store::Admission::AddressFull => {
            return Err(ApiError::for_child(Code::SessionFull, ChildRefusal::SessionFull, lang));
        }
    }
    let claims = respondent_claims(&state, participant_id, session.id, &child, lang, now);
    Ok(web::Json(JoinResponse {
        respondent_token: state.keys.sign(&claims)?,
        participant_token: token,
        expires_in: state.respondent_ttl.num_seconds(),
        session_id: session.id,
        survey: rendered_dto(survey::render(&def, child.age, lang)),
    }))
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"join_code": "KT7HMX3PWA9C", "age": 7, "language": "vi"}))]
pub struct AssentRequest {
    /// As read aloud; case, spaces and dashes do not matter.
    #[validate(length(max = 20))]
    #[schema(max_length = 20)]
    pub join_code: String,
    /// The child's age in years (6–17).
    pub age: i64,
    /// `vi` or `en`; default from Accept-Language, else Vietnamese.
    #[schema(value_type = Option<crate::closed_sets::LangCode>)]
    pub language: Option<String>,
}

/// A text in both languages, English filled in where the survey has none.
#[derive(Debug, Serialize, ToSchema)]
pub struct BothLanguages {
    pub vi: String,
    pub en: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"title": {"vi": "Sân chơi an toàn quanh em", "en": "Safe places to play near you"}, "age_band": "6-8",
  "assent": {"vi": "Em muốn kể về chỗ em chơi. Em có thể dừng lúc nào cũng được.", "en": "I want to tell you where I play. I can stop whenever I like."}}))]
pub struct AssentResponse {
    /// The survey's title (English: the Vietnamese where it has none).
    pub title: BothLanguages,
    /// The child's band: `6-8`, `9-11`, `12-14` or `15-17`.
    #[schema(value_type = crate::closed_sets::AgeBandName)]
    pub age_band: &'static str,
    /// What the child agrees to by joining, for their band: the survey's
    /// own wording, else the service's, in both languages so that the
    /// child may switch.
    pub assent: BothLanguages,
}

/// What a child is asked to agree to before joining: the survey's own
/// assent wording for the child's age band (the service's wording where
/// the survey gives none). Checks what joining checks, but assent; stores
/// nothing. Looking a code up here counts as joining does against
/// guessing (wrong codes from one network, and the service-wide budget).
#[utoipa::path(
    tag = "consultation",
    request_body = AssentRequest,
    responses(
        (status = 200, body = AssentResponse),
        JoinRefusals,
        crate::openapi::BadBody,
        (status = 422, description = "Age outside the survey's range (`age_not_eligible`) or invalid fields (`validation_failed`)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/join/assent")]
async fn join_assent(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(b): Json<AssentRequest>,
) -> Result<web::Json<AssentResponse>, ApiError> {
    let lang = join_language(&req, b.language.as_deref())?;
    // Everything joining checks, but the assent this answers for.
    let form = JoinForm {
        age: b.age,
        grade: None,
        gender: None,
        assent: true,
        participant_token: None,
    };
    let Joined { def, child, .. } = joined(&state, &req, &b.join_code, &form, lang, state.clock.now()).await?;
    let band = AgeBand::for_age(child.age).unwrap_or(AgeBand::Band15To17);
    let title = def.title();
    Ok(web::Json(AssentResponse {
        title: BothLanguages {
            vi: title.vi().to_owned(),
            en: title.en().unwrap_or(title.vi()).to_owned(),
        },
        age_band: band.as_str(),
        assent: BothLanguages {
            vi: def.assent_for(band, Lang::Vi).to_owned(),
            en: def.assent_for(band, Lang::En).to_owned(),
        },
    }))
}

/// A child admitted to the session a join code names, with the survey
/// version they will answer.
struct Joined {
    session: Session,
    def: std::sync::Arc<survey::SurveyDefinition>,
    child: Admitted,
}

/// What joining and its assent step both check: the code, then the session's
/// window, the survey's status and the child's form against its definition.
async fn joined(
    state: &AppState,
    req: &HttpRequest,
    join_code: &str,
    form: &JoinForm<'_>,
    lang: Lang,
    now: chrono::DateTime<Utc>,
) -> Result<Joined, ApiError> {
    let session = session_by_code(state, req, join_code, lang, now).await?;
    let record = find_survey(state, session.survey_id).await?;
    let def = published_definition(state, record.id, session.version).await?;
    let child = admit(form, session.window.state(now), record.status, &def).map_err(|r| join_refusal(r, lang))?;
    Ok(Joined { session, def, child })
}

/// The language a child joins in: the form's, else the request's.
fn join_language(req: &HttpRequest, given: Option<&str>) -> Result<Lang, ApiError> {
    match given {
        Some("vi") => Ok(Lang::Vi),
        Some("en") => Ok(Lang::En),
        Some(_) => Err(ApiError::invalid(
            langnghe_domain::field::one_of("language", &["vi", "en"]).into(),
        )),
        None => Ok(crate::extract::request_lang(req)),
    }
}

/// A refusal to join, as the child reads it.
fn join_refusal(r: JoinRefusal, lang: Lang) -> ApiError {
    match r {
        JoinRefusal::Invalid(errors) => ApiError::invalid(errors),
        JoinRefusal::SessionNotOpen => ApiError::for_child(Code::SessionNotOpen, ChildRefusal::SessionNotOpen, lang),
        JoinRefusal::SessionClosed => ApiError::for_child(Code::SessionClosed, ChildRefusal::SessionClosed, lang),
        JoinRefusal::NoAssent => ApiError::for_child(Code::AssentRequired, ChildRefusal::NoAssent, lang),
        JoinRefusal::AgeNotEligible => ApiError::for_child(Code::AgeNotEligible, ChildRefusal::AgeOutsideRange, lang),
    }
}

/// What a respondent token says of the child it admits.
fn respondent_claims(
    state: &AppState,
    participant_id: Uuid,
    sid: Uuid,
    child: &Admitted,
    lang: Lang,
    now: chrono::DateTime<Utc>,
) -> RespondentClaims {
    RespondentClaims {
        registered: Registered::new(participant_id.to_string(), now, state.respondent_ttl),
        typ: "respondent".into(),
        sid,
        age: child.age,
        grade: child.grade,
        gender: child.gender.map(|g| g.as_str().to_owned()),
        lang: langnghe_domain::words::lang_code(lang).to_owned(),
    }
}

/// The session a join code names. Guessing is bounded twice: wrong codes
/// from one network are throttled, and every lookup takes a unit of the
/// service-wide budget first (given back when the code was right). An
/// unknown code counts as a failure of the network.
async fn session_by_code(
    state: &AppState,
    req: &HttpRequest,
    code: &str,
    lang: Lang,
    now: chrono::DateTime<Utc>,
) -> Result<Session, ApiError> {
    state.join_budget.check(now).map_err(|p| join_paused(state, p, lang))?;
    let key = crate::network::client_network_key(req, state, "join");
    if let Err(wait) = JOIN_POLICY.check(throttle::get(&state.db, &key).await?, now) {
        let secs = (wait.num_milliseconds().max(0) as u64).div_ceil(1000);
        state.metrics.throttled(crate::metrics::Throttled::JoinNetwork);
        return Err(ApiError::too_many_requests(secs).to_child(ChildRefusal::TooManyAttempts, lang));
    }
    let session = match JoinCode::parse(code) {
        // Only a lookup can tell a guess anything.
        Some(code) => {
            let reserved = state
                .join_budget
                .reserve(&state.db, &state.metrics, now)
                .await?
                .map_err(|p| join_paused(state, p, lang))?;
            let found = store::session_by_code(&state.db, code.as_str()).await;
            match found {
                Ok(Some(_)) | Err(_) => state.join_budget.right_code(&state.db, reserved).await?,
                Ok(None) => state.join_budget.wrong_code(&state.metrics, reserved),
            }
            found?
        }
        None => {
            state.metrics.join_failed();
            None
        }
    };
    match session {
        Some(session) => Ok(session),
        None => {
            throttle::record_failure(&state.db, &key, now, now - JOIN_POLICY.window).await?;
            Err(ApiError::for_child(
                Code::JoinCodeUnknown,
                ChildRefusal::UnknownJoinCode,
                lang,
            ))
        }
    }
}

/// Shown to a child whose words suggest they may need help.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpOfferDto {
    pub message: &'static str,
    /// The national child protection hotline: free, 24/7.
    pub hotline: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d80", "receipt_code": "k3q7m2x9w4p8r6t5y2c4v7b3n9h5j2d6"}))]
pub struct ReceiptDto {
    pub id: Uuid,
    /// Keep it to withdraw later (`DELETE /api/v1/responses/{receipt_code}`).
    pub receipt_code: String,
    /// Present when the child may need help.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support: Option<HelpOfferDto>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"answers": {"feel_safe": "no", "why_not": "Đoạn đường gần trường không có đèn.", "happy_at_school": 4}}))]
pub struct SubmitResponse {
    /// Question key → answer: a string (choice key, text), a number (rating,
    /// number), a boolean (yes/no), or an array of keys (multiple choice,
    /// ranking).
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
}

fn idempotency_key(req: &HttpRequest, lang: Lang) -> Result<String, ApiError> {
    let key = crate::extract::header_text(req, "idempotency-key")?.unwrap_or("");
    if key.is_empty() || key.len() > 200 {
        return Err(ApiError::bad_request(
            Code::IdempotencyKeyRequired,
            "Send an Idempotency-Key header (1–200 characters) so that a retry is not stored twice.",
        )
        .said(
            "Thiếu tiêu đề Idempotency-Key (1–200 ký tự): ứng dụng cần gửi kèm để không lưu trùng khi gửi lại.",
            "Send an Idempotency-Key header (1–200 characters) so that a retry is not stored twice.",
        )
        .written_in(lang));
    }
    Ok(key.to_owned())
}

fn receipt(state: &AppState, id: Uuid, support: Option<Outcome>, lang: Lang) -> ReceiptDto {
    ReceiptDto {
        id,
        receipt_code: state.data_key.receipt_code(id),
        support: support_for(support, lang),
    }
}

/// What a child is shown after writing words the screen flagged: the
/// hotline for a clear disclosure, a gentler offer for a possible one.
fn support_for(outcome: Option<Outcome>, lang: Lang) -> Option<HelpOfferDto> {
    let message = match outcome? {
        Outcome::Clear => support_message(lang),
        Outcome::Possible => langnghe_domain::consultation::gentle_support_message(lang),
    };
    Some(HelpOfferDto {
        message,
        hotline: langnghe_domain::consultation::HOTLINE,
    })
}

/// Submit answers. Send an `Idempotency-Key`: a retry with the same key and
/// body returns the original receipt and stores nothing new.
#[utoipa::path(
    tag = "consultation",
    security(("respondent" = [])),
    params(("Idempotency-Key" = String, Header, description = "Unique per submission; reuse it when retrying")),
    request_body = SubmitResponse,
    responses(
        (status = 201, body = ReceiptDto),
        crate::openapi::BadBody, crate::openapi::NoToken,
        (status = 400, description = "No Idempotency-Key (`idempotency_key_required`) or malformed JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already answered (`already_responded`), key reused with another body (`idempotency_key_reused`), or session ended (`session_closed`)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/responses")]
async fn submit_response(
    req: HttpRequest,
    who: Respondent,
    state: web::Data<AppState>,
    Json(body): Json<SubmitResponse>,
) -> Result<HttpResponse, ApiError> {
    let lang = who.lang();
    let key = idempotency_key(&req, lang)?;
    let stored = submission::submit(&state, &who, key, &body.answers).await?;
    Ok(HttpResponse::Created().json(receipt(&state, stored.id, stored.support, lang)))
}

/// Withdraw a response with its receipt code: it no longer counts anywhere,
/// its free-text answers are erased, and an issue a moderator made of one of
/// them is withdrawn too (its words erased; it leaves the queue, the public
/// list and every count). Withdrawing twice is harmless. Wrong receipt codes from one network are
/// throttled, counted with those looked up at `GET /receipts/{receipt_code}`.
#[utoipa::path(
    tag = "consultation",
    params(("receipt_code" = String, Path)),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 404, description = "No response has this receipt (`receipt_unknown`)", body = crate::error::Problem, content_type = "application/problem+json"),
        crate::openapi::BadInput, crate::openapi::Throttled,
    )
)]
#[delete("/responses/{receipt_code}")]
async fn withdraw_response(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let unknown = || ApiError::new(Code::ReceiptUnknown, "Not found").detail("no response has this receipt code");
    let app: &AppState = &state;
    withdraw_by_receipt(&req, app, &code, unknown, |hash| async move {
        let withdrawn = store::withdraw_response(&app.db, &hash, ERASED, app.clock.now()).await?;
        Ok(!matches!(withdrawn, Withdrawn::NotFound))
    })
    .await
}

/// Withdraws what a receipt code was given for: `withdraw` is handed the
/// code's keyed hash and says whether it found anything (withdrawn now or
/// before). A wrong code counts against the network as a wrong code looked
/// up does, and a network that waits is refused before anything is tried.
async fn withdraw_by_receipt<F, Fut>(
    req: &HttpRequest,
    state: &AppState,
    code: &str,
    unknown: impl FnOnce() -> ApiError,
    withdraw: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<bool, StoreError>>,
{
    let network = crate::network::client_network_key(req, state, "receipt");
    let guess = ReceiptGuess::admit(state, network, crate::extract::request_lang(req)).await?;
    let code = code.trim().to_ascii_lowercase();
    let found = crate::credentials::receipt_shaped(&code) && withdraw(state.data_key.hash("receipt", &code)).await?;
    if found {
        Ok(HttpResponse::NoContent().finish())
    } else {
        guess.wrong(state).await?;
        Err(unknown())
    }
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Cần đèn đường trước cổng trường", "body": "Buổi chiều đoạn đường trước cổng trường rất tối, chúng em đi về thấy sợ.", "topic": "safety"}))]
pub struct RaiseIssue {
    #[validate(length(min = 1, max = 200), custom(function = "crate::extract::no_bidi_controls"))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub body: String,
    /// Topic slug; default the survey's.
    pub topic: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssueReceiptDto {
    pub id: Uuid,
    pub receipt_code: String,
    /// Present when the child may need help.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support: Option<HelpOfferDto>,
}

/// Raise an issue from a session whose survey takes issues. It enters the
/// moderation queue as `new`. Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "consultation",
    security(("respondent" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Unique per issue; reuse it when retrying")),
    request_body = RaiseIssue,
    responses(
        (status = 201, body = IssueReceiptDto),
        (status = 403, description = "This session does not take issues (`issues_not_allowed`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Session ended (`session_closed`) or key reused (`idempotency_key_reused`)", body = crate::error::Problem, content_type = "application/problem+json"),
        crate::openapi::BadBody, crate::openapi::NoToken,
    )
)]
#[post("/issues")]
async fn raise_issue(
    req: HttpRequest,
    who: Respondent,
    state: web::Data<AppState>,
    Json(b): Json<RaiseIssue>,
) -> Result<HttpResponse, ApiError> {
    let lang = who.lang();
    let (session, def) = open_session(&state, &who).await?;
    if !def.takes_issues() {
        return Err(ApiError::for_child(
            Code::IssuesNotAllowed,
            ChildRefusal::IssuesNotAllowed,
            lang,
        ));
    }
    let topics = catalog::list_topics(&state.db).await?;
    let slug = b.topic.as_deref().or(def.topic());
    let taken = crate::services::intake::issue("", &b.title, &b.body, slug, &topics)
        .map_err(|e| ApiError::invalid(e).written_in(lang))?;
    let key = crate::extract::header_text(&req, "idempotency-key")?
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::now_v7().to_string());
    let id = Uuid::now_v7();
    let request_hash = state.data_key.hash(
        "request",
        &format!(
            "{}\u{1f}{}\u{1f}{}",
            b.title.trim(),
            b.body.trim(),
            b.topic.as_deref().unwrap_or("")
        ),
    );
    let new = NewIssue {
        submitted_at: state.clock.now(),
        id,
        status: taken.status,
        survey_id: session.survey_id,
        session_id: session.id,
        unit_id: session.unit_id,
        participant_id: who.participant_id,
        age_band: who.age_band.as_str().to_owned(),
        topic_id: taken.topic_id,
        redactions: taken.redactions,
        cases: taken.cases,
        title: taken.title,
        body: taken.body,
        receipt_hash: state.data_key.hash("receipt", &state.data_key.receipt_code(id)),
        idempotency_key: key,
        request_hash,
    };
    let issue_receipt = |id: Uuid| IssueReceiptDto {
        id,
        receipt_code: state.data_key.receipt_code(id),
        support: support_for(taken.outcome, lang),
    };
    match store::submit_issue(&state.db, &new).await? {
        Submitted::Created => Ok(HttpResponse::Created().json(issue_receipt(id))),
        Submitted::Replayed(original) => Ok(HttpResponse::Created().json(issue_receipt(original))),
        Submitted::KeyReused | Submitted::AlreadyResponded => Err(ApiError::conflict(
            Code::IdempotencyKeyReused,
            "this Idempotency-Key was used for another issue",
        )),
        Submitted::SessionClosed => Err(closed_meanwhile(&state, &session, lang)),
    }
}

/// Withdraw an issue with its receipt code, as with answers: its words are
/// erased and it counts nowhere (it leaves the moderators' queue and the
/// public list). Withdrawing twice is harmless. Wrong receipt codes from
/// one network are throttled, as for answers.
#[utoipa::path(
    tag = "consultation",
    params(("id" = String, Path, description = "The issue's receipt code (`receipt_code` of its receipt), not its id: OpenAPI has one name for the parameter of `/issues/{id}`")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 404, description = "No issue has this receipt (`issue_receipt_unknown`)", body = crate::error::Problem, content_type = "application/problem+json"),
        crate::openapi::BadInput, crate::openapi::Throttled,
    )
)]
#[delete("/issues/{id}")]
async fn withdraw_issue(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let unknown = || ApiError::new(Code::IssueReceiptUnknown, "Not found").detail("no issue has this receipt code");
    let app: &AppState = &state;
    withdraw_by_receipt(&req, app, &code, unknown, |hash| async move {
        let withdrawn = store::withdraw_issue(&app.db, &hash, ERASED, app.clock.now()).await?;
        Ok(!matches!(withdrawn, store::IssueWithdrawn::NotFound))
    })
    .await
}
