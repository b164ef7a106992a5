//! The one error type at the edge: every refusal is an RFC 9457 problem
//! (`application/problem+json`) with a stable snake_case `code` and, for
//! validation, per-field `errors`. A 500 logs its cause and tells the client
//! only an opaque id.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use langnghe_domain::FieldErrors;
use langnghe_storage::{DbErr, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// RFC 9457 problem details, plus a stable `code`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:langnghe:problem:validation_failed",
    "title": "The request has invalid fields",
    "status": 422,
    "code": "validation_failed",
    "detail": "1 invalid field(s)",
    "errors": [{"field": "username", "code": "invalid_username", "message": "3 to 64 characters: letters a-z, digits, '.', '_' or '-'"}]
}))]
pub struct Problem {
    /// `urn:langnghe:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    /// Stable, machine-readable reason; see the list in the API description.
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// One entry per invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// For a server error: the id under which its cause was logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// From the OAuth 2 token endpoint only: the RFC 6749 (§5.2) error
    /// (`invalid_request`, `invalid_client`, `unsupported_grant_type`), for
    /// OAuth client libraries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// Path of the field, e.g. `lineage[2].to_ref`.
    pub field: String,
    pub code: String,
    pub message: String,
}

/// A refusal or failure on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: Option<String>,
    pub errors: Vec<ProblemField>,
    /// Seconds, for 429 and 503.
    pub retry_after: Option<u64>,
    pub error_id: Option<String>,
    /// The RFC 6749 error of a token endpoint refusal.
    pub oauth_error: Option<&'static str>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.code)
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, title: &'static str) -> Self {
        Self {
            status,
            code,
            title,
            detail: None,
            errors: Vec::new(),
            retry_after: None,
            error_id: None,
            oauth_error: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Marks a refusal of the OAuth 2 token endpoint with its RFC 6749
    /// error, which is also its code.
    pub fn oauth(mut self) -> Self {
        self.oauth_error = Some(self.code);
        self
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "The request could not be read").detail(detail)
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Sign-in required")
            .detail("send Authorization: Bearer <token> from POST /api/v1/auth/login")
    }

    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "The access token is not valid",
        )
        .detail("the token is malformed, expired, revoked or signed with an unknown key: sign in again")
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Your role may not do this")
    }

    pub fn not_found(what: &'static str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Not found").detail(format!("no such {what}"))
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            code,
            "The request conflicts with the current state",
        )
        .detail(detail)
    }

    /// Validation failures, every one of them.
    pub fn invalid(errors: FieldErrors) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "The request has invalid fields",
        )
        .detail(errors.to_string());
        e.errors = errors
            .0
            .into_iter()
            .map(|f| ProblemField {
                field: f.field,
                code: f.code.to_owned(),
                message: f.message,
            })
            .collect();
        e
    }

    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::invalid(FieldErrors::single(field, code, message))
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "Too many failed attempts",
        )
        .detail(format!("try again in {retry_after_secs} s"));
        e.retry_after = Some(retry_after_secs.max(1));
        e
    }

    pub fn unavailable() -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "The service cannot reach its database",
        )
        .detail("try again shortly");
        e.retry_after = Some(5);
        e
    }

    /// Logs `cause` under a fresh id and returns an opaque 500.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        let id = uuid::Uuid::now_v7().simple().to_string();
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(error_id = %id, cause = %chain, "internal error");
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side",
        )
        .detail("the error was logged; quote error_id when reporting it");
        e.error_id = Some(id);
        e
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("urn:langnghe:problem:{}", self.code),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            code: self.code.to_owned(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
            error_id: self.error_id.clone(),
            error: self.oauth_error.map(str::to_owned),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        ApiError::invalid(e)
    }
}

impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
        if langnghe_storage::is_unavailable(&e) {
            tracing::warn!(cause = %e, "database unavailable");
            ApiError::unavailable()
        } else if langnghe_storage::is_busy(&e) {
            tracing::warn!(cause = %e, "database busy");
            let mut busy = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "database_busy", "The database is busy")
                .detail("a concurrent write held the database; retry the request");
            busy.retry_after = Some(1);
            busy
        } else {
            ApiError::internal(&e)
        }
    }
}

/// Storage errors that no handler mapped more precisely.
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found("resource"),
            StoreError::Conflict(code) => ApiError::conflict(code, conflict_detail(code)),
            StoreError::Db(db) => db.into(),
        }
    }
}

fn conflict_detail(code: &str) -> &'static str {
    CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, meaning)| *meaning)
        .unwrap_or("the request conflicts with the current state")
}

/// The stable error codes, documented once in the API description.
pub const CODES: &[(&str, u16, &str)] = &[
    ("malformed_json", 400, "the body is not valid JSON"),
    (
        "invalid_query",
        400,
        "a query parameter is missing, unknown or malformed",
    ),
    (
        "reason_required",
        400,
        "reading per-response rows needs a reason (1 to 200 characters), kept in the audit log",
    ),
    ("invalid_path", 400, "a path parameter is malformed (e.g. not a UUID)"),
    (
        "invalid_character",
        400,
        "a path, query string, header used as data (Idempotency-Key) or credential holds NUL or another control character; in a JSON body the same is a validation_failed field error with code invalid_character (tab and line breaks are allowed there), as are bidirectional overrides in names and titles",
    ),
    (
        "invalid_cursor",
        400,
        "the pagination cursor was not issued by this service",
    ),
    ("unauthenticated", 401, "no bearer token was sent"),
    (
        "invalid_token",
        401,
        "the token is malformed, expired, revoked or signed with an unknown key",
    ),
    ("invalid_credentials", 401, "wrong username or password"),
    ("account_disabled", 403, "the account is disabled"),
    ("forbidden", 403, "the caller's role may not do this"),
    (
        "not_found",
        404,
        "no such resource or route (or it is outside the caller's scope)",
    ),
    ("method_not_allowed", 405, "the route exists but not with this method"),
    ("username_taken", 409, "an account already has this username"),
    ("unit_code_taken", 409, "a unit already has this code"),
    ("topic_slug_taken", 409, "a topic already has this slug"),
    (
        "reorganisation_conflict",
        409,
        "the units changed while the reorganisation was being recorded",
    ),
    (
        "cannot_change_own_account",
        409,
        "an admin cannot disable or demote their own account",
    ),
    (
        "current_password_wrong",
        422,
        "changing one's own password: current_password is not the account's password (counts as a failed sign-in)",
    ),
    (
        "current_password_required",
        422,
        "an admin changes their own password at POST /api/v1/me/password, with the current one",
    ),
    ("payload_too_large", 413, "the body is larger than the configured limit"),
    ("unsupported_media_type", 415, "the body must be application/json"),
    ("validation_failed", 422, "fields are invalid; see errors[]"),
    (
        "too_many_attempts",
        429,
        "too many failed sign-ins, or wrong join codes from one network; wait Retry-After seconds",
    ),
    ("internal_error", 500, "a server fault; quote error_id"),
    ("database_unavailable", 503, "the database cannot be reached"),
    (
        "database_busy",
        503,
        "a concurrent write held the (SQLite) database; retry after Retry-After",
    ),
    ("bad_request", 400, "the request could not be read at the HTTP level"),
    (
        "idempotency_key_required",
        400,
        "a child's submission needs an Idempotency-Key header",
    ),
    ("issues_not_allowed", 403, "this session's survey does not take issues"),
    ("join_code_unknown", 404, "no session has this join code"),
    (
        "join_paused",
        429,
        "too many wrong join codes across the whole service this hour: joining resumes after Retry-After",
    ),
    ("receipt_unknown", 404, "no response has this receipt code"),
    ("survey_closed", 409, "the survey is closed"),
    ("survey_not_published", 409, "the survey has no published version yet"),
    ("nothing_to_publish", 409, "the latest version is already published"),
    ("session_not_open", 409, "the session has not opened yet"),
    ("session_closed", 409, "the session has ended (or its survey is closed)"),
    (
        "already_responded",
        409,
        "this child already answered a survey that takes one response",
    ),
    (
        "idempotency_key_reused",
        409,
        "the Idempotency-Key was used for another body",
    ),
    ("assent_required", 422, "the child did not give their assent"),
    ("age_not_eligible", 422, "the child's age is outside the survey's range"),
    (
        "illegal_transition",
        409,
        "the issue, safeguarding case, recommendation or delivery cannot move from its status to the one asked (nothing goes back)",
    ),
    ("merge_into_itself", 409, "an issue cannot be merged into itself"),
    ("already_merged", 409, "the issue is already merged; unmerge it first"),
    (
        "has_merged_issues",
        409,
        "other issues are merged into this one, so it cannot be merged in turn",
    ),
    (
        "merge_target_merged",
        409,
        "the target is merged into another issue; merge into that one",
    ),
    ("not_merged", 409, "the issue is not merged"),
    (
        "too_few_responses",
        409,
        "fewer responses than the smallest group published: no row can be given without pointing at a child",
    ),
    ("not_draft", 409, "only a draft recommendation can be edited"),
    ("commitment_done", 409, "the commitment is already done"),
    (
        "invalid_request",
        400,
        "an OAuth 2 token request is missing a parameter or sends credentials twice",
    ),
    (
        "unsupported_grant_type",
        400,
        "only grant_type=client_credentials is supported",
    ),
    (
        "invalid_client",
        401,
        "unknown agency client, wrong secret, or revoked client",
    ),
    (
        "evidence_unavailable",
        409,
        "a survey question named as evidence is no longer published; edit the recommendation's evidence",
    ),
    ("no_webhook", 409, "the agency has no webhook registered"),
    ("not_dead", 409, "only a dead-lettered webhook event can be replayed"),
    ("agency_inactive", 403, "the caller's agency is no longer active"),
    ("request_refused", 400, "any other refusal produced by the HTTP layer"),
    ("not_accepted", 409, "only an accepted issue is published"),
    ("merged", 409, "the issue was merged into another: publish that one"),
    (
        "possible_disclosure",
        409,
        "the text may tell of a child at risk: refer it to safeguarding instead of publishing it",
    ),
    (
        "personal_data",
        409,
        "the text still holds personal data: redact it first",
    ),
    (
        "not_possible",
        409,
        "only a possible disclosure found by the screen is released",
    ),
    ("already_released", 409, "the case was released to moderation already"),
    ("case_closed", 409, "a closed case is not released"),
    (
        "clear_beside",
        409,
        "the same issue holds a clear disclosure, which stays withheld",
    ),
    ("not_urgent", 409, "a quick report is made for an urgent case"),
    (
        "participant_erased",
        409,
        "this participant token belongs to data erased at the child's request: join without it",
    ),
    ("issue_receipt_unknown", 404, "no issue has this receipt code"),
    (
        "session_full",
        409,
        "the session admitted its cap of children (expected and a margin), or as many as one address may bring",
    ),
];
