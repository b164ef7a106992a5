//! Agencies answer through the API: admins give an agency machine clients
//! (a `client_id` and a secret shown once), a client trades them for a
//! short-lived token (OAuth 2 client credentials), and the agency — client
//! or staff account alike — reads the recommendations routed to it,
//! acknowledges, replies with a stance and commitments, and reports
//! progress. An agency sees its own deliveries only, and never any child's
//! data: only the recommendation and its suppressed figures.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use langnghe_domain::field::FieldError;
use langnghe_domain::recommendation::{self as rules, CommitmentStatus, DeliveryStatus, Stance};
use langnghe_domain::text::Lang;
use langnghe_domain::{AgencyId, FieldErrors};
use langnghe_storage::recommendations::{self as store, AgencyStep, DeliveryFilter, DeliveryRow};
use langnghe_storage::{agency_clients, catalog};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Admin, AgencyCaller, Staff};
use crate::credentials::base32;
use crate::dto::Text;
use crate::dto::TokenResponse;
use crate::dto::{CommitmentDto, ReplyDto, commitment_dtos, reply_dto};
use crate::error::{ApiError, Code, OrNotFound};
use crate::extract::Json;
use crate::pagination::{Page, paged_query};
use crate::services::lookups::{Lookup, agency_exists, commitments, own_delivery, status_query};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(token)
        .service(create_client)
        .service(list_clients)
        .service(revoke_client)
        .service(agency_deliveries)
        .service(agency_delivery)
        .service(acknowledge)
        .service(reply)
        .service(progress_update);
}

// ---- machine clients ----

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"label": "Hệ thống một cửa của UBND phường 7"}))]
pub struct CreateClient {
    /// What the client is, for the admins.
    #[validate(length(min = 1, max = 100), custom(function = "crate::extract::no_bidi_controls"))]
    #[schema(min_length = 1, max_length = 100)]
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientDto {
    pub client_id: String,
    pub agency_id: Uuid,
    pub label: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewClientDto {
    pub client_id: String,
    /// Shown this once; only a keyed hash is kept.
    pub client_secret: String,
    pub agency_id: Uuid,
    pub label: String,
    pub created_at: DateTime<Utc>,
}

fn client_dto(c: agency_clients::Client) -> ClientDto {
    ClientDto {
        client_id: c.client_id,
        agency_id: c.agency_id,
        label: c.label,
        created_by: c.created_by,
        created_at: c.created_at,
        revoked_at: c.revoked_at,
    }
}

fn secret_hash(state: &AppState, secret: &str) -> String {
    state.data_key.hash("agency_client_secret", secret)
}

/// Give an agency a machine client (admins). The secret is in this answer
/// only.
#[utoipa::path(
    tag = "agency API",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The agency")),
    request_body = CreateClient,
    responses((status = 201, body = NewClientDto), crate::openapi::EditErrors)
)]
#[post("/agencies/{id}/clients")]
async fn create_client(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(body): Json<CreateClient>,
) -> Result<HttpResponse, ApiError> {
    agency_exists(&state, *id).await?;
    let label = body.label.trim().to_owned();
    if label.is_empty() {
        return Err(ApiError::field("label", "empty_text", "name the client"));
    }
    let client_id = format!("ln_{}", base32(&rand_bytes(10)));
    let secret = format!("lnsec_{}", crate::credentials::random_secret(32));
    let c = agency_clients::create(
        &state.db,
        &staff.actor(),
        *id,
        &client_id,
        &secret_hash(&state, &secret),
        &label,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(NewClientDto {
            client_id: c.client_id,
            client_secret: secret,
            agency_id: c.agency_id,
            label: c.label,
            created_at: c.created_at,
        }))
}

fn rand_bytes(n: usize) -> Vec<u8> {
    use rand::RngCore;
    let mut buf = vec![0u8; n];
    rand::rng().fill_bytes(&mut buf);
    buf
}

/// An agency's machine clients, revoked ones included (admins).
#[utoipa::path(
    tag = "agency API",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The agency")),
    responses((status = 200, body = Vec<ClientDto>), crate::openapi::ReadErrors)
)]
#[get("/agencies/{id}/clients")]
async fn list_clients(
    _staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<ClientDto>>, ApiError> {
    agency_exists(&state, *id).await?;
    let clients = agency_clients::list(&state.db, *id).await?;
    Ok(web::Json(clients.into_iter().map(client_dto).collect()))
}

/// Revoke a machine client: its tokens stop working at once (admins).
#[utoipa::path(
    tag = "agency API",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The agency"), ("client_id" = String, Path)),
    responses((status = 200, body = ClientDto), crate::openapi::ReadErrors)
)]
#[delete("/agencies/{id}/clients/{client_id}")]
async fn revoke_client(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
) -> Result<web::Json<ClientDto>, ApiError> {
    let (agency, client_id) = path.into_inner();
    let c = (agency_clients::revoke(&state.db, &staff.actor(), agency, &client_id).await).or_not_found("client")?;
    Ok(web::Json(client_dto(c)))
}

/// An OAuth 2 token request (RFC 6749 §4.4), as a form or as JSON. The
/// client may instead authenticate with HTTP Basic.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "client_credentials", "client_id": "ln_abcdefghijklmnop", "client_secret": "lnsec_…"}))]
pub struct TokenRequest {
    /// Always `client_credentials`.
    #[schema(value_type = Option<crate::closed_sets::GrantType>)]
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Ignored: a client has its agency's rights.
    pub scope: Option<String>,
}

fn invalid_client() -> ApiError {
    ApiError::new(Code::InvalidClient, "Unknown client, wrong secret, or revoked client")
}

fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = data_encoding::BASE64.decode(encoded.trim().as_bytes()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Whether two secrets' hashes are equal, in a time that does not tell
/// where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    subtle::ConstantTimeEq::ct_eq(a, b).into()
}

/// Trade an agency client's id and secret for a short-lived access token
/// (`grant_type=client_credentials`, form-encoded as RFC 6749 says, or
/// the credentials in HTTP Basic). The same fields as a JSON object are
/// accepted too; the contract names the form alone, as generated clients
/// handle one request media type.
#[utoipa::path(
    tag = "agency API",
    request_body(content((TokenRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Unknown client, wrong secret, or revoked (`invalid_client`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
    )
)]
#[post("/auth/token")]
async fn token(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    issue_token(req, state, body).await.map_err(|e| match e.code {
        Code::InvalidRequest | Code::InvalidClient | Code::UnsupportedGrantType => e.oauth(),
        _ => e,
    })
}

async fn issue_token(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let form: TokenRequest = match content_type.as_str() {
        "application/x-www-form-urlencoded" => serde_urlencoded::from_bytes(&body)
            .map_err(|e| ApiError::bad_request(Code::InvalidRequest, format!("the form cannot be read: {e}")))?,
        "application/json" => serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(Code::InvalidRequest, format!("the body is not valid JSON: {e}")))?,
        "" if body.is_empty() => TokenRequest::default(),
        _ => {
            return Err(ApiError::new(Code::UnsupportedMediaType, "Unsupported media type")
                .detail("send application/x-www-form-urlencoded or application/json"));
        }
    };
    match form.grant_type.as_deref() {
        Some("client_credentials") => {}
        None => return Err(ApiError::bad_request(Code::InvalidRequest, "grant_type is required")),
        Some(_) => {
            return Err(ApiError::bad_request(
                Code::UnsupportedGrantType,
                "only grant_type=client_credentials is supported",
            ));
        }
    }
    let (client_id, secret) = match (basic_credentials(&req), form.client_id, form.client_secret) {
        (Some(basic), None, None) => basic,
        (None, Some(id), Some(secret)) => (id, secret),
        (Some(_), _, _) => {
            return Err(ApiError::bad_request(
                Code::InvalidRequest,
                "send the credentials once: in HTTP Basic or in the body",
            ));
        }
        _ => {
            return Err(ApiError::bad_request(
                Code::InvalidRequest,
                "client_id and client_secret are required",
            ));
        }
    };
    // Neither reaches the database with a control character (a NUL in
    // `client_id` would fail the PostgreSQL query).
    if client_id.chars().chain(secret.chars()).any(char::is_control) {
        let mut e = crate::extract::invalid_character("client_id and client_secret");
        e.oauth_error = Some("invalid_request");
        return Err(e);
    }
    let client = agency_clients::by_client_id(&state.db, &client_id)
        .await
        .missing_as(invalid_client)?;
    let hash = secret_hash(&state, &secret);
    if !constant_time_eq(hash.as_bytes(), client.secret_hash.as_bytes()) || client.revoked_at.is_some() {
        return Err(invalid_client());
    }
    let agency = catalog::get_agency(&state.db, AgencyId(client.agency_id)).await?;
    if !agency.active {
        return Err(invalid_client().detail("the agency is no longer active"));
    }
    let access_token = state.keys.issue_client(client.id)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: state.keys.ttl.num_seconds(),
        }))
}

// ---- deliveries, as the agency sees them ----

/// A recommendation as its agencies read it: no child's words, no issue
/// texts, only the Council's summary and suppressed figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyRecommendationDto {
    pub id: Uuid,
    pub title: Text,
    pub summary: Text,
    pub child_summary: Text,
    pub action: Text,
    /// Topic slug.
    pub topic: String,
    pub unit_id: Uuid,
    /// How many accepted issues children raised behind it, as published:
    /// through the cell key method, the recommendation's issues that still
    /// stand its records (a count from 1 to k − 1 reads 0 or k; the same
    /// issues always read the same), like every figure about children. An
    /// issue withdrawn or erased by its child, referred to safeguarding or
    /// rejected since it was sent no longer counts.
    pub issues_count: u64,
    /// The survey figures as they were when sent, suppressed: per question
    /// the keys and figures, the survey's title, the question, the
    /// columns' labels and the unit's name in both languages, and
    /// `labels` with those words in the caller's language
    /// (`Accept-Language`).
    #[schema(value_type = Vec<crate::services::results::FrozenEvidenceDto>)]
    pub evidence: serde_json::Value,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyDeliveryDto {
    pub id: Uuid,
    /// `sent`, `acknowledged`, `answered`, `in_progress`, `done`,
    /// `declined` or `not_responsible`.
    #[schema(value_type = crate::closed_sets::DeliveryStatusName)]
    pub status: String,
    pub due_on: NaiveDate,
    pub overdue: bool,
    pub days_overdue: i64,
    pub sent_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub recommendation: AgencyRecommendationDto,
    pub reply: Option<ReplyDto>,
    pub commitments: Vec<CommitmentDto>,
}

async fn agency_dtos(state: &AppState, rows: Vec<DeliveryRow>, lang: Lang) -> Result<Vec<AgencyDeliveryDto>, ApiError> {
    let look = Lookup::load(state).await?;
    let ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
    let promised = commitments(state, &ids).await?;
    let rec_ids: Vec<Uuid> = rows.iter().map(|d| d.recommendation_id).collect();
    let recs: std::collections::HashMap<Uuid, store::RecommendationRow> = store::get_many(&state.db, &rec_ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let (rec_order, issue_sets): (Vec<Uuid>, Vec<&[Uuid]>) =
        recs.iter().map(|(id, r)| (*id, r.draft.issue_ids.as_slice())).unzip();
    let issues_counts: std::collections::HashMap<Uuid, u64> = rec_order
        .into_iter()
        .zip(crate::services::figures::published_standing_issues(state, &issue_sets).await?)
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for d in rows {
        let Some(r) = recs.get(&d.recommendation_id).cloned() else {
            continue;
        };
        let overdue = look.days_overdue(&d);
        out.push(AgencyDeliveryDto {
            id: d.id,
            status: d.status.as_str().to_owned(),
            due_on: d.due_on,
            overdue: overdue.is_some(),
            days_overdue: overdue.unwrap_or(0),
            sent_at: d.sent_at,
            acknowledged_at: d.acknowledged_at,
            answered_at: d.answered_at,
            reply: reply_dto(&d),
            commitments: commitment_dtos(d.id, &promised),
            recommendation: AgencyRecommendationDto {
                id: r.id,
                title: Text::from(&r.draft.title),
                summary: Text::from(&r.draft.summary),
                child_summary: Text::from(&r.draft.child_summary),
                action: Text::from(&r.draft.action),
                topic: look.topic_slug(r.draft.topic_id),
                unit_id: r.draft.unit_id,
                issues_count: issues_counts.get(&r.id).copied().unwrap_or(0),
                evidence: crate::services::results::evidence_for_reader(
                    state,
                    r.frozen_evidence.unwrap_or(serde_json::Value::Array(Vec::new())),
                    lang,
                )
                .await?,
                sent_at: r.sent_at,
            },
        });
    }
    Ok(out)
}

/// One delivery as the caller reads it: the frozen evidence's words in the
/// request's language.
async fn one(state: &AppState, req: &HttpRequest, d: DeliveryRow) -> Result<AgencyDeliveryDto, ApiError> {
    agency_dtos(state, vec![d], crate::extract::request_lang(req))
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("delivery"))
}

paged_query! {
    pub struct AgencyDeliveryQuery {
        /// A delivery status.
        #[param(value_type = Option<crate::closed_sets::DeliveryStatusName>)]
        pub status: Option<String>,
        /// `true`: only those unanswered past their due date.
        pub overdue: Option<bool>,
    }
}

/// The deliveries routed to the caller's agency, oldest first (agency
/// clients and agency staff).
#[utoipa::path(
    tag = "agency API",
    security(("oauth2" = []), ("bearer" = [])),
    params(AgencyDeliveryQuery),
    responses((status = 200, body = Page<AgencyDeliveryDto>), crate::openapi::ListErrors)
)]
#[get("/agency/deliveries")]
async fn agency_deliveries(
    req: HttpRequest,
    caller: AgencyCaller,
    state: web::Data<AppState>,
    q: web::Query<AgencyDeliveryQuery>,
) -> Result<web::Json<Page<AgencyDeliveryDto>>, ApiError> {
    let page = q.page()?;
    let status = status_query::<DeliveryStatus>(q.status.as_deref(), "status")?;
    let filter = DeliveryFilter {
        agency_id: Some(caller.agency_id),
        status,
        overdue: q.overdue.map(|o| (o, state.clock.local_date())),
        escalated: None,
    };
    let rows = store::list_deliveries(&state.db, &filter, page.after, page.fetch()).await?;
    let p = page.page(rows, |d| d.id, |d| d);
    Ok(web::Json(
        p.try_map(|items| agency_dtos(&state, items, crate::extract::request_lang(&req)))
            .await?,
    ))
}

/// One delivery with its recommendation and frozen evidence (the agency
/// it was routed to; another agency's answers 404).
#[utoipa::path(
    tag = "agency API",
    security(("oauth2" = []), ("bearer" = [])),
    responses((status = 200, body = AgencyDeliveryDto), crate::openapi::ReadErrors)
)]
#[get("/agency/deliveries/{id}")]
async fn agency_delivery(
    req: HttpRequest,
    caller: AgencyCaller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<AgencyDeliveryDto>, ApiError> {
    let d = own_delivery(&state, caller.agency_id, *id).await?;
    Ok(web::Json(one(&state, &req, d).await?))
}

/// A step the delivery's state refuses, saying what the agency can do
/// instead.
fn step_refused(e: rules::DeliveryError, id: Uuid) -> ApiError {
    let (vi, en) = e.next_step();
    let id = id.to_string();
    match ApiError::named(e.code(), e.to_string()) {
        fault if fault.code == Code::InternalError => fault,
        refusal => refusal.said(vi.replace("{id}", &id), format!("{e}. {}", en.replace("{id}", &id))),
    }
}

/// Takes the step `decide` chooses (from the delivery and its commitments,
/// or refuses with what `refused` answers) on one of the caller's
/// deliveries, and answers with the delivery after it.
async fn step<E>(
    req: &HttpRequest,
    state: &AppState,
    caller: &AgencyCaller,
    id: Uuid,
    decide: impl FnOnce(&DeliveryRow, &[store::CommitmentRow]) -> Result<AgencyStep, E>,
    refused: impl FnOnce(E) -> ApiError,
) -> Result<web::Json<AgencyDeliveryDto>, ApiError> {
    let d = store::agency_step(&state.db, &caller.actor, caller.agency_id, id, decide)
        .await
        .or_not_found("delivery")?
        .map_err(refused)?;
    Ok(web::Json(one(state, req, d).await?))
}

/// Acknowledge receipt; acknowledging again, even after replying, changes
/// nothing.
#[utoipa::path(
    tag = "agency API",
    security(("oauth2" = []), ("bearer" = [])),
    responses((status = 200, body = AgencyDeliveryDto), crate::openapi::ActionErrors)
)]
#[post("/agency/deliveries/{id}/acknowledge")]
async fn acknowledge(
    req: HttpRequest,
    caller: AgencyCaller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<AgencyDeliveryDto>, ApiError> {
    let decide = |d: &DeliveryRow, _: &[store::CommitmentRow]| {
        Ok(if rules::acknowledge(d.status) {
            AgencyStep::Acknowledge
        } else {
            AgencyStep::Nothing
        })
    };
    step(&req, &state, &caller, *id, decide, |e| step_refused(e, *id)).await
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CommitmentIn {
    pub text: String,
    pub due_on: NaiveDate,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stance": "accepted", "body": "UBND phường 7 sẽ lắp 12 bóng đèn trên đường Hoàng Văn Thụ trong tháng 12.",
  "child_summary": "Phường sẽ lắp thêm đèn trên đường đến trường của các bạn trước Tết.",
  "commitments": [{"text": "Lắp 12 bóng đèn LED đoạn từ số 1 đến số 120", "due_on": "2026-12-31"}]}))]
pub struct ReplyIn {
    /// `accepted`, `partially_accepted`, `declined` or `not_responsible`.
    #[schema(value_type = crate::closed_sets::StanceName)]
    pub stance: String,
    pub body: String,
    /// In words a child understands; published in the feed.
    pub child_summary: Option<String>,
    /// Required to decline, and to say it is not responsible (and who is).
    pub reason: Option<String>,
    /// What the agency will do, by when: one to 20 for an accepting stance,
    /// none otherwise.
    #[serde(default)]
    pub commitments: Vec<CommitmentIn>,
}

fn text_check(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let t = value.trim();
    if t.is_empty() {
        errors.push(field, "empty_text", "write something");
    } else if t.chars().count() > max {
        errors.push(field, "too_long", format!("at most {max} characters"));
    }
    t.to_owned()
}

/// Reply once, with a stance and commitments. A decline needs a reason;
/// `not_responsible` sends the delivery back to the moderators to route
/// elsewhere.
#[utoipa::path(
    tag = "agency API",
    security(("oauth2" = []), ("bearer" = [])),
    request_body = ReplyIn,
    responses((status = 200, body = AgencyDeliveryDto), crate::openapi::ChangeErrors)
)]
#[post("/agency/deliveries/{id}/replies")]
async fn reply(
    req: HttpRequest,
    caller: AgencyCaller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(b): Json<ReplyIn>,
) -> Result<web::Json<AgencyDeliveryDto>, ApiError> {
    own_delivery(&state, caller.agency_id, *id).await?;
    let mut errors = FieldErrors::new();
    let stance = Stance::parse(&b.stance);
    if stance.is_none() {
        errors.push_one_of("stance", &Stance::NAMES);
    }
    let body_text = text_check(&mut errors, "body", &b.body, 4000);
    let child_summary = b
        .child_summary
        .as_deref()
        .map(|c| text_check(&mut errors, "child_summary", c, 1000));
    let reason = b.reason.as_deref().map(|r| text_check(&mut errors, "reason", r, 2000));
    let today = state.clock.local_date();
    if let Some(s) = stance {
        errors
            .0
            .extend(rules::check_reply(s, reason.is_some(), b.commitments.len()).0);
    }
    let mut promised = Vec::new();
    for (i, c) in b.commitments.iter().enumerate() {
        let text = text_check(&mut errors, &format!("commitments[{i}].text"), &c.text, 1000);
        if c.due_on < today || c.due_on > today + chrono::Duration::days(3 * 366) {
            errors.push(
                format!("commitments[{i}].due_on"),
                "out_of_range",
                "from today to three years ahead",
            );
        }
        promised.push((text, c.due_on));
    }
    errors.into_result(())?;
    let Some(stance) = stance else {
        return Err(ApiError::invalid(
            langnghe_domain::field::one_of("stance", &Stance::NAMES).into(),
        ));
    };
    let decide = |d: &DeliveryRow, _: &[store::CommitmentRow]| {
        rules::reply(d.status, stance).map(|to| AgencyStep::Reply {
            status: to,
            stance,
            body: body_text,
            child_summary,
            reason,
            answered_on: today,
            commitments: promised,
        })
    };
    step(&req, &state, &caller, *id, decide, |e| step_refused(e, *id)).await
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"commitment_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d80", "status": "done", "note": "Đã lắp xong 12 bóng đèn.", "child_note": "Đèn đã sáng rồi nhé!"}))]
pub struct UpdateIn {
    pub commitment_id: Uuid,
    /// `in_progress` or `done`.
    #[schema(value_type = crate::closed_sets::ProgressStatusName)]
    pub status: String,
    pub note: String,
    /// In words a child understands; published in the feed.
    pub child_note: Option<String>,
}

/// Report progress on a commitment. The delivery is `in_progress` once
/// work starts, `done` when every commitment is done.
#[utoipa::path(
    tag = "agency API",
    security(("oauth2" = []), ("bearer" = [])),
    request_body = UpdateIn,
    responses((status = 200, body = AgencyDeliveryDto), crate::openapi::ChangeErrors)
)]
#[post("/agency/deliveries/{id}/updates")]
async fn progress_update(
    req: HttpRequest,
    caller: AgencyCaller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(b): Json<UpdateIn>,
) -> Result<web::Json<AgencyDeliveryDto>, ApiError> {
    own_delivery(&state, caller.agency_id, *id).await?;
    let mut errors = FieldErrors::new();
    let to = match CommitmentStatus::parse(&b.status) {
        Some(s @ (CommitmentStatus::InProgress | CommitmentStatus::Done)) => Some(s),
        _ => {
            errors.push("status", "unknown_value", "in_progress or done");
            None
        }
    };
    let note = text_check(&mut errors, "note", &b.note, 2000);
    let child_note = b
        .child_note
        .as_deref()
        .map(|c| text_check(&mut errors, "child_note", c, 1000));
    errors.into_result(())?;
    let Some(to) = to else {
        return Err(ApiError::field("status", "unknown_value", "in_progress or done"));
    };
    let decide = |d: &DeliveryRow, cs: &[store::CommitmentRow]| {
        let Some(c) = cs.iter().find(|c| c.id == b.commitment_id) else {
            return Err(StepError::UnknownCommitment);
        };
        let others_done = cs
            .iter()
            .filter(|o| o.id != c.id)
            .all(|o| o.status == CommitmentStatus::Done);
        let status = rules::progress(d.status, c.status, to, others_done).map_err(StepError::Rule)?;
        Ok(AgencyStep::Progress {
            status,
            commitment_id: c.id,
            commitment_status: to,
            note,
            child_note,
        })
    };
    let refused = |e| {
        match e {
        StepError::UnknownCommitment => ApiError::invalid(
            FieldError::said(
                "commitment_id",
                "unknown_commitment",
                format!(
                    "Kiến nghị này không có cam kết này. Cam kết được nêu khi trả lời (POST /api/v1/agency/deliveries/{id}/replies); xem các cam kết đã nêu tại GET /api/v1/agency/deliveries/{id}."
                ),
                format!(
                    "no such commitment on this delivery. Commitments are made in the reply (POST /api/v1/agency/deliveries/{id}/replies); those made are listed at GET /api/v1/agency/deliveries/{id}."
                ),
            )
            .into(),
        ),
        StepError::Rule(e) => step_refused(e, *id),
    }
    };
    step(&req, &state, &caller, *id, decide, refused).await
}

enum StepError {
    UnknownCommitment,
    Rule(rules::DeliveryError),
}
