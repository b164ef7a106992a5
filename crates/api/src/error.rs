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
    pub code: Code,
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
        write!(f, "{} {}", self.status.as_u16(), self.code.as_str())
    }
}

impl ApiError {
    /// A problem with this code, at the code's status.
    pub fn new(code: Code, title: &'static str) -> Self {
        Self::with_status(code.status(), code, title)
    }

    /// A problem at another status than its code's: only the HTTP layer's
    /// `request_refused`, which keeps the status actix-web chose.
    pub fn with_status(status: StatusCode, code: Code, title: &'static str) -> Self {
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
        self.oauth_error = Some(self.code.as_str());
        self
    }

    pub fn bad_request(code: Code, detail: impl Into<String>) -> Self {
        Self::new(code, "The request could not be read").detail(detail)
    }

    pub fn unauthenticated() -> Self {
        Self::new(Code::Unauthenticated, "Sign-in required")
            .detail("send Authorization: Bearer <token> from POST /api/v1/auth/login")
    }

    pub fn invalid_token() -> Self {
        Self::new(Code::InvalidToken, "The access token is not valid")
            .detail("the token is malformed, expired, revoked or signed with an unknown key: sign in again")
    }

    pub fn forbidden() -> Self {
        Self::new(Code::Forbidden, "Your role may not do this")
    }

    pub fn not_found(what: &'static str) -> Self {
        Self::new(Code::NotFound, "Not found").detail(format!("no such {what}"))
    }

    /// A refusal a child reads, in their language.
    pub fn for_child(
        code: Code,
        refusal: langnghe_domain::consultation::ChildRefusal,
        lang: langnghe_domain::text::Lang,
    ) -> Self {
        Self::new(code, "Không thể tiếp tục / Cannot continue").detail(refusal.message(lang))
    }

    pub fn conflict(code: Code, detail: impl Into<String>) -> Self {
        Self::new(code, "The request conflicts with the current state").detail(detail)
    }

    /// A refusal whose code a lower layer named (a domain or storage
    /// error): a name missing from [`Code`] is a fault of ours, logged and
    /// answered as one.
    pub fn named(code: &str, detail: impl Into<String>) -> Self {
        match Code::parse(code) {
            Some(c) => Self::new(c, title_of(c)).detail(detail),
            None => Self::internal(&UnknownCode(code.to_owned())),
        }
    }

    /// Validation failures, every one of them.
    pub fn invalid(errors: FieldErrors) -> Self {
        let mut e = Self::new(Code::ValidationFailed, "The request has invalid fields").detail(errors.to_string());
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
        let mut e = Self::new(Code::TooManyAttempts, "Too many failed attempts")
            .detail(format!("try again in {retry_after_secs} s"));
        e.retry_after = Some(retry_after_secs.max(1));
        e
    }

    pub fn unavailable() -> Self {
        let mut e =
            Self::new(Code::DatabaseUnavailable, "The service cannot reach its database").detail("try again shortly");
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
        let mut e = Self::new(Code::InternalError, "Something went wrong on our side")
            .detail("the error was logged; quote error_id when reporting it");
        e.error_id = Some(id);
        e
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("urn:langnghe:problem:{}", self.code.as_str()),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            code: self.code.as_str().to_owned(),
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
            let mut busy = ApiError::new(Code::DatabaseBusy, "The database is busy")
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
            StoreError::Conflict(code) => match Code::parse(code) {
                Some(c) => ApiError::conflict(c, c.meaning()),
                None => ApiError::internal(&UnknownCode(code.to_owned())),
            },
            corrupt @ StoreError::Corrupt { .. } => ApiError::internal(&corrupt),
            StoreError::Db(db) => db.into(),
            // A stored row that cannot be read: logged, a 500.
            StoreError::Unreadable(e) => ApiError::internal(&e),
        }
    }
}

/// Reads storage's `NotFound` as a 404 naming what was not found (or as
/// another refusal); every other failure maps as any storage error does.
pub trait OrNotFound<T> {
    fn or_not_found(self, what: &'static str) -> Result<T, ApiError>;

    /// `NotFound` answered with `refusal` (a token naming what no longer
    /// exists is not valid, say).
    fn missing_as(self, refusal: impl FnOnce() -> ApiError) -> Result<T, ApiError>;
}

impl<T> OrNotFound<T> for Result<T, StoreError> {
    fn or_not_found(self, what: &'static str) -> Result<T, ApiError> {
        self.missing_as(|| ApiError::not_found(what))
    }

    fn missing_as(self, refusal: impl FnOnce() -> ApiError) -> Result<T, ApiError> {
        self.map_err(|e| match e {
            StoreError::NotFound => refusal(),
            e => e.into(),
        })
    }
}

/// A code a lower layer named that the table lacks.
#[derive(Debug, thiserror::Error)]
#[error("error code {0:?} is not in the table of codes")]
struct UnknownCode(String);

/// The title of a problem by its status.
fn title_of(code: Code) -> &'static str {
    match code.status().as_u16() {
        400 => "The request could not be read",
        401 => "Sign-in required",
        403 => "Your role may not do this",
        404 => "Not found",
        409 => "The request conflicts with the current state",
        422 => "The request has invalid fields",
        429 => "Too many requests",
        _ => "The request was refused",
    }
}

/// Declares the error codes: each a variant with its code, status and
/// meaning, from which the documented table is generated.
macro_rules! codes {
    ($($variant:ident = ($code:literal, $status:literal, $meaning:literal),)*) => {
        /// The stable error codes: the `code` of every problem the API
        /// answers, documented once in the API description.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in the documented order.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The code as clients see it, snake_case.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// The HTTP status a problem with this code has.
            pub fn status(self) -> StatusCode {
                let status: u16 = match self {
                    $(Code::$variant => $status,)*
                };
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }

            /// What the code means, for the documented table.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Code::$variant => $meaning,)*
                }
            }

            /// The code with this name, if there is one.
            pub fn parse(code: &str) -> Option<Code> {
                match code {
                    $($code => Some(Code::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    MalformedJson = ("malformed_json", 400, "the body is not valid JSON"),
    InvalidQuery = ("invalid_query", 400, "a query parameter is missing, unknown or malformed"),
    ReasonRequired = ("reason_required", 400, "reading per-response rows needs a reason (1 to 200 characters), kept in the audit log"),
    InvalidPath = ("invalid_path", 400, "a path parameter is malformed (e.g. not a UUID)"),
    InvalidCharacter = ("invalid_character", 400, "a path, query string, header used as data (Idempotency-Key) or credential holds NUL or another control character; in a JSON body the same is a validation_failed field error with code invalid_character (tab and line breaks are allowed there), as are bidirectional overrides in names and titles"),
    InvalidCursor = ("invalid_cursor", 400, "the pagination cursor was not issued by this service"),
    Unauthenticated = ("unauthenticated", 401, "no bearer token was sent"),
    InvalidToken = ("invalid_token", 401, "the token is malformed, expired, revoked or signed with an unknown key"),
    InvalidCredentials = ("invalid_credentials", 401, "wrong username or password"),
    AccountDisabled = ("account_disabled", 403, "the account is disabled"),
    Forbidden = ("forbidden", 403, "the caller's role may not do this"),
    NotFound = ("not_found", 404, "no such resource or route (or it is outside the caller's scope)"),
    MethodNotAllowed = ("method_not_allowed", 405, "the route exists but not with this method"),
    UsernameTaken = ("username_taken", 409, "an account already has this username"),
    UnitCodeTaken = ("unit_code_taken", 409, "a unit already has this code"),
    TopicSlugTaken = ("topic_slug_taken", 409, "a topic already has this slug"),
    ClientIdTaken = ("client_id_taken", 409, "the agency already has a machine client with this client_id"),
    ReorganisationConflict = ("reorganisation_conflict", 409, "the units changed while the reorganisation was being recorded"),
    CannotChangeOwnAccount = ("cannot_change_own_account", 409, "an admin cannot disable or demote their own account"),
    CurrentPasswordWrong = ("current_password_wrong", 422, "changing one's own password: current_password is not the account's password (counts as a failed sign-in)"),
    CurrentPasswordRequired = ("current_password_required", 422, "an admin changes their own password at POST /api/v1/me/password, with the current one"),
    PayloadTooLarge = ("payload_too_large", 413, "the body is larger than the configured limit"),
    UnsupportedMediaType = ("unsupported_media_type", 415, "the body must be application/json"),
    ValidationFailed = ("validation_failed", 422, "fields are invalid; see errors[]"),
    TooManyAttempts = ("too_many_attempts", 429, "too many failed sign-ins, or wrong join codes from one network; wait Retry-After seconds"),
    InternalError = ("internal_error", 500, "a server fault; quote error_id"),
    DatabaseUnavailable = ("database_unavailable", 503, "the database cannot be reached"),
    DatabaseBusy = ("database_busy", 503, "a concurrent write held the (SQLite) database; retry after Retry-After"),
    BadRequest = ("bad_request", 400, "the request could not be read at the HTTP level"),
    IdempotencyKeyRequired = ("idempotency_key_required", 400, "a child's submission needs an Idempotency-Key header"),
    IssuesNotAllowed = ("issues_not_allowed", 403, "this session's survey does not take issues"),
    JoinCodeUnknown = ("join_code_unknown", 404, "no session has this join code"),
    JoinPaused = ("join_paused", 429, "too many wrong join codes across the whole service this hour: joining resumes after Retry-After"),
    ReceiptUnknown = ("receipt_unknown", 404, "no response has this receipt code"),
    SurveyClosed = ("survey_closed", 409, "the survey is closed"),
    SurveyNotPublished = ("survey_not_published", 409, "the survey has no published version yet"),
    NothingToPublish = ("nothing_to_publish", 409, "the latest version is already published"),
    SessionNotOpen = ("session_not_open", 409, "the session has not opened yet"),
    SessionClosed = ("session_closed", 409, "the session has ended (or its survey is closed)"),
    AlreadyResponded = ("already_responded", 409, "this child already answered a survey that takes one response"),
    IdempotencyKeyReused = ("idempotency_key_reused", 409, "the Idempotency-Key was used for another body"),
    AssentRequired = ("assent_required", 422, "the child did not give their assent"),
    AgeNotEligible = ("age_not_eligible", 422, "the child's age is outside the survey's range"),
    IllegalTransition = ("illegal_transition", 409, "the issue, safeguarding case, recommendation or delivery cannot move from its status to the one asked (nothing goes back)"),
    MergeIntoItself = ("merge_into_itself", 409, "an issue cannot be merged into itself"),
    AlreadyMerged = ("already_merged", 409, "the issue is already merged; unmerge it first"),
    HasMergedIssues = ("has_merged_issues", 409, "other issues are merged into this one, so it cannot be merged in turn"),
    MergeTargetMerged = ("merge_target_merged", 409, "the target is merged into another issue; merge into that one"),
    NotMerged = ("not_merged", 409, "the issue is not merged"),
    TooFewResponses = ("too_few_responses", 409, "fewer responses than the smallest group published: no row can be given without pointing at a child"),
    NotDraft = ("not_draft", 409, "only a draft recommendation can be edited"),
    CommitmentDone = ("commitment_done", 409, "the commitment is already done"),
    InvalidRequest = ("invalid_request", 400, "an OAuth 2 token request is missing a parameter or sends credentials twice"),
    UnsupportedGrantType = ("unsupported_grant_type", 400, "only grant_type=client_credentials is supported"),
    InvalidClient = ("invalid_client", 401, "unknown agency client, wrong secret, or revoked client"),
    EvidenceUnavailable = ("evidence_unavailable", 409, "a survey question named as evidence is no longer published; edit the recommendation's evidence"),
    NoWebhook = ("no_webhook", 409, "the agency has no webhook registered"),
    NotDead = ("not_dead", 409, "only a dead-lettered webhook event can be replayed"),
    AgencyInactive = ("agency_inactive", 403, "the caller's agency is no longer active"),
    RequestRefused = ("request_refused", 400, "any other refusal produced by the HTTP layer"),
    NotAccepted = ("not_accepted", 409, "only an accepted issue is published"),
    Merged = ("merged", 409, "the issue was merged into another: publish that one"),
    PossibleDisclosure = ("possible_disclosure", 409, "the text may tell of a child at risk: refer it to safeguarding instead of publishing it"),
    PersonalData = ("personal_data", 409, "the text still holds personal data: redact it first"),
    NotPossible = ("not_possible", 409, "only a possible disclosure found by the screen is released"),
    AlreadyReleased = ("already_released", 409, "the case was released to moderation already"),
    CaseClosed = ("case_closed", 409, "a closed case is not released"),
    ClearBeside = ("clear_beside", 409, "the same issue holds a clear disclosure, which stays withheld"),
    NotUrgent = ("not_urgent", 409, "a quick report is made for an urgent case"),
    ParticipantErased = ("participant_erased", 409, "this participant token belongs to data erased at the child's request: join without it"),
    IssueReceiptUnknown = ("issue_receipt_unknown", 404, "no issue has this receipt code"),
    NotAConsultation = ("not_a_consultation", 409, "children are entered by unit at consultation events only (not trainings, communication or parents' sessions)"),
    NotAPaperSession = ("not_a_paper_session", 409, "paper forms are entered into a paper session only (`mode: paper`); children answer an app session themselves"),
    SessionFull = ("session_full", 409, "the session admitted its cap of children (expected and a margin), or as many as one address may bring"),
}
