//! The one error type at the edge: every refusal is an RFC 9457 problem
//! (`application/problem+json`) with a stable snake_case `code` and, for
//! validation, per-field `errors`. A 500 logs its cause and tells the client
//! only an opaque id.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use langnghe_domain::FieldErrors;
use langnghe_domain::field::FieldError;
use langnghe_domain::text::Lang;
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
    #[schema(value_type = Option<crate::closed_sets::OAuthError>)]
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
    /// In English; the Vietnamese is the title of the status.
    pub title: &'static str,
    /// The title in Vietnamese, where the status's title will not do.
    pub title_vi: Option<&'static str>,
    /// In English.
    pub detail: Option<String>,
    /// The detail in Vietnamese; without it a Vietnamese reader gets the
    /// code's sentence (`vi::meaning_vi`).
    pub detail_vi: Option<String>,
    pub errors: Vec<FieldError>,
    /// The language the title and detail were already written in (a
    /// child's refusal, in the language of their form): the problem is
    /// read as written, whatever the request asks.
    pub written_in: Option<Lang>,
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
            title_vi: None,
            detail: None,
            detail_vi: None,
            errors: Vec::new(),
            written_in: None,
            retry_after: None,
            error_id: None,
            oauth_error: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The detail in both languages.
    pub fn said(mut self, vi: impl Into<String>, en: impl Into<String>) -> Self {
        self.detail_vi = Some(vi.into());
        self.detail = Some(en.into());
        self
    }

    /// Marks the problem as written in `lang` already: every message in
    /// it is read as it is.
    pub fn written_in(mut self, lang: Lang) -> Self {
        self.written_in = Some(lang);
        self
    }

    /// Marks a refusal of the OAuth 2 token endpoint with its RFC 6749
    /// error, which is also its code.
    pub fn oauth(mut self) -> Self {
        debug_assert!(
            crate::closed_sets::OAUTH_ERRORS.contains(&self.code.as_str()),
            "{} is not in closed_sets::OAUTH_ERRORS",
            self.code.as_str()
        );
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
        let mut e = Self::new(code, "Cannot continue").to_child(refusal, lang);
        e.title_vi = Some("Không thể tiếp tục");
        e
    }

    /// The detail a child reads, written in the language of their form
    /// whatever the request asks.
    pub fn to_child(self, refusal: langnghe_domain::consultation::ChildRefusal, lang: Lang) -> Self {
        self.said(refusal.message(Lang::Vi), refusal.message(Lang::En))
            .written_in(lang)
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
        let mut e = Self::new(Code::ValidationFailed, "The request has invalid fields")
            .said(errors.summary(Lang::Vi), errors.summary(Lang::En));
        e.errors = errors.0;
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

    /// The problem as a reader of `lang` reads it (as written, if it was
    /// written in a language already); `code`, `field` and `type` are the
    /// same in every language.
    pub fn problem_in(&self, lang: Lang) -> Problem {
        let lang = self.written_in.unwrap_or(lang);
        let (title, detail) = match lang {
            Lang::En => (self.title.to_owned(), self.detail.clone()),
            Lang::Vi => (
                self.title_vi
                    .unwrap_or_else(|| vi::title_vi(self.status.as_u16()))
                    .to_owned(),
                self.detail_vi
                    .clone()
                    .or_else(|| self.detail.as_ref().map(|_| vi::meaning_vi(self.code).to_owned())),
            ),
        };
        Problem {
            type_: format!("urn:langnghe:problem:{}", self.code.as_str()),
            title,
            status: self.status.as_u16(),
            code: self.code.as_str().to_owned(),
            detail,
            errors: self
                .errors
                .iter()
                .map(|f| ProblemField {
                    field: f.field.clone(),
                    code: f.code.to_owned(),
                    message: f.message_in(lang),
                })
                .collect(),
            error_id: self.error_id.clone(),
            error: self.oauth_error.map(str::to_owned),
        }
    }

    /// The problem in the service's default language, Vietnamese; the
    /// `problem_language` middleware answers each request in its own.
    pub fn problem(&self) -> Problem {
        self.problem_in(Lang::default())
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
        let lang = self.written_in.unwrap_or_default();
        res.insert_header((header::CONTENT_LANGUAGE, langnghe_domain::words::lang_code(lang)));
        res.body(serde_json::to_string(&self.problem_in(lang)).unwrap_or_default())
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        ApiError::invalid(e)
    }
}

/// A database error as it reaches the edge, not yet through storage's
/// error (which noted a pool timeout already).
impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
        langnghe_storage::note_acquire_timeout(&e);
        database_error(e)
    }
}

fn database_error(e: DbErr) -> ApiError {
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
            StoreError::Db(db) => database_error(db),
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
    CasePeriodNotQuarters = ("case_period_not_quarters", 400, "counts of safeguarding cases are given for whole calendar quarters only: a quarter, a half, a year, whole years, or days from the first day of a quarter to the last day of one (2026-Q1, 2026-H1, 2026, 2024..2027, 2026-01-01..2026-06-30); never a month, a work year, a school term or other days"),
    ReasonRequired = ("reason_required", 400, "reading per-response rows needs a reason (1 to 200 characters), kept in the audit log"),
    InvalidPath = ("invalid_path", 400, "a path parameter is malformed (e.g. not a UUID)"),
    InvalidCharacter = ("invalid_character", 400, "a path, query string, header used as data (Idempotency-Key) or credential holds NUL or another control character; in a JSON body the same is a validation_failed field error with code invalid_character (tab and line breaks are allowed there), as are bidirectional overrides in names and titles"),
    InvalidCursor = ("invalid_cursor", 400, "the pagination cursor was not issued by this service"),
    Unauthenticated = ("unauthenticated", 401, "no bearer token was sent"),
    InvalidToken = ("invalid_token", 401, "the token is malformed, expired, revoked or signed with an unknown key"),
    InvalidCredentials = ("invalid_credentials", 401, "wrong username or password"),
    MetricsTokenRequired = ("metrics_token_required", 401, "/metrics needs Authorization: Bearer with the metrics token (LANGNGHE_METRICS_TOKEN); without that setting it answers only a request from the service's own loopback address that no proxy forwarded"),
    AccountDisabled = ("account_disabled", 403, "the account is disabled"),
    Forbidden = ("forbidden", 403, "the caller's role may not do this"),
    NotFound = ("not_found", 404, "no such resource or route (or it is outside the caller's scope)"),
    MethodNotAllowed = ("method_not_allowed", 405, "the route exists but not with this method"),
    UsernameTaken = ("username_taken", 409, "an account already has this username"),
    UnitCodeTaken = ("unit_code_taken", 409, "a unit already has this code"),
    TopicSlugTaken = ("topic_slug_taken", 409, "a topic already has this slug"),
    ClientIdTaken = ("client_id_taken", 409, "the agency already has a machine client with this client_id"),
    ReorganisationConflict = ("reorganisation_conflict", 409, "the units changed while the reorganisation was being recorded"),
    CasePeriodNotEnded = ("case_period_not_ended", 409, "counts of safeguarding cases are given for quarters that have ended: no quarter of the period has ended yet (a quarter under way, read on two days, would differ by the cases of the days between)"),
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
    ReceiptUnknown = ("receipt_unknown", 404, "no response has this receipt code (at GET /receipts/{code}: no response or issue, or it was withdrawn or erased)"),
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
    PaperFormCapReached = ("paper_form_cap_reached", 409, "the paper session has taken as many forms as it admits children (expected and a margin, 300 when it expects no number), withdrawn forms included"),
    PaperWithdrawalCapReached = ("paper_withdrawal_cap_reached", 409, "five forms of this paper session were withdrawn: it takes no more (each form entered and withdrawn would draw its figures' noise anew)"),
    NotAPdf = ("not_a_pdf", 422, "the letter's content is not a PDF document (judged by its content, not its declared type or name)"),
    ActiveContent = ("active_content", 422, "the PDF carries scripts, actions that launch programs or embedded files"),
    NotAnswered = ("not_answered", 409, "a letter goes with the agency's reply: reply first"),
}

/// What a problem says in Vietnamese: the title of each status and the
/// sentence of each code, for a refusal whose own detail was written in
/// English only. The match is exhaustive, so a new code cannot be added
/// without its Vietnamese.
pub mod vi {
    use super::Code;
    /// The title of a problem at `status`, in Vietnamese.
    pub fn title_vi(status: u16) -> &'static str {
        match status {
            400 => "Yêu cầu không đọc được",
            401 => "Cần đăng nhập",
            403 => "Vai trò của bạn không được làm việc này",
            404 => "Không tìm thấy",
            405 => "Không dùng được phương thức này",
            409 => "Yêu cầu không hợp với trạng thái hiện tại",
            413 => "Nội dung gửi lên quá lớn",
            415 => "Kiểu nội dung không được hỗ trợ",
            422 => "Yêu cầu có mục không hợp lệ",
            429 => "Quá nhiều yêu cầu",
            500 => "Có lỗi ở phía chúng tôi",
            503 => "Dịch vụ tạm thời chưa sẵn sàng",
            _ => "Yêu cầu bị từ chối",
        }
    }

    /// What a problem with `code` means, in Vietnamese.
    pub fn meaning_vi(code: Code) -> &'static str {
        match code {
            Code::MalformedJson => "Nội dung gửi lên không phải JSON hợp lệ.",
            Code::InvalidQuery => "Một tham số truy vấn bị thiếu, không có hoặc sai dạng.",
            Code::CasePeriodNotQuarters => {
                "Số ca bảo vệ trẻ em chỉ được đưa ra theo trọn quý: một quý, nửa năm, một năm, nhiều năm trọn, hoặc từ ngày đầu một quý đến ngày cuối một quý (2026-Q1, 2026-H1, 2026, 2024..2027, 2026-01-01..2026-06-30); không theo tháng, năm công tác, học kỳ hay các ngày khác."
            }
            Code::ReasonRequired => {
                "Cần nêu lý do (1 đến 200 ký tự) để xem từng phiếu trả lời; lý do được ghi vào nhật ký."
            }
            Code::InvalidPath => "Một phần của đường dẫn sai dạng (ví dụ không phải UUID).",
            Code::InvalidCharacter => "Có ký tự điều khiển (như NUL) trong đường dẫn, truy vấn hoặc tiêu đề.",
            Code::InvalidCursor => "Con trỏ phân trang không do dịch vụ này cấp.",
            Code::Unauthenticated => "Cần đăng nhập: gửi Authorization: Bearer <token> lấy từ POST /api/v1/auth/login.",
            Code::InvalidToken => "Mã truy cập hỏng, hết hạn hoặc đã bị thu hồi: hãy đăng nhập lại.",
            Code::InvalidCredentials => "Sai tên đăng nhập hoặc mật khẩu.",
            Code::MetricsTokenRequired => {
                "/metrics cần Authorization: Bearer với mã của máy thu số liệu (LANGNGHE_METRICS_TOKEN); không đặt mã đó thì chỉ trả lời yêu cầu từ chính máy này (loopback) không qua proxy."
            }
            Code::AccountDisabled => "Tài khoản đã bị khoá.",
            Code::Forbidden => "Vai trò của bạn không được làm việc này.",
            Code::NotFound => "Không có mục này (hoặc nằm ngoài phạm vi của bạn).",
            Code::MethodNotAllowed => "Đường dẫn có, nhưng không dùng với phương thức này.",
            Code::UsernameTaken => "Tên đăng nhập này đã có người dùng.",
            Code::UnitCodeTaken => "Mã đơn vị này đã có đơn vị dùng.",
            Code::TopicSlugTaken => "Mã chủ đề này đã có chủ đề dùng.",
            Code::ClientIdTaken => "Cơ quan đã có một ứng dụng với client_id này.",
            Code::ReorganisationConflict => "Các đơn vị đã thay đổi trong lúc ghi lần sắp xếp: hãy xem lại và gửi lại.",
            Code::CannotChangeOwnAccount => "Quản trị viên không tự khoá hoặc tự hạ quyền tài khoản của mình.",
            Code::CurrentPasswordWrong => "Mật khẩu hiện tại không đúng.",
            Code::CurrentPasswordRequired => {
                "Quản trị viên đổi mật khẩu của mình tại POST /api/v1/me/password, kèm mật khẩu hiện tại."
            }
            Code::PayloadTooLarge => "Nội dung gửi lên lớn hơn giới hạn cho phép.",
            Code::UnsupportedMediaType => "Kiểu nội dung không được hỗ trợ ở đây.",
            Code::ValidationFailed => "Có mục không hợp lệ; xem danh sách errors.",
            Code::TooManyAttempts => "Quá nhiều lần thử sai: hãy chờ số giây trong Retry-After rồi thử lại.",
            Code::InternalError => "Có lỗi ở phía chúng tôi; lỗi đã được ghi lại, hãy báo kèm error_id.",
            Code::DatabaseUnavailable => "Không kết nối được cơ sở dữ liệu: hãy thử lại sau ít phút.",
            Code::DatabaseBusy => "Cơ sở dữ liệu đang bận: hãy thử lại sau số giây trong Retry-After.",
            Code::BadRequest => "Yêu cầu không đọc được ở tầng HTTP.",
            Code::IdempotencyKeyRequired => "Bài trả lời của trẻ em cần tiêu đề Idempotency-Key.",
            Code::IssuesNotAllowed => "Khảo sát của phiên này không nhận ý kiến.",
            Code::JoinCodeUnknown => "Không có phiên nào có mã tham gia này.",
            Code::JoinPaused => "Tạm dừng tham gia vì có quá nhiều mã sai: hãy thử lại sau.",
            Code::ReceiptUnknown => "Không có bài trả lời nào có mã biên nhận này.",
            Code::SurveyClosed => "Khảo sát đã đóng.",
            Code::SurveyNotPublished => "Khảo sát chưa có phiên bản nào được công bố.",
            Code::NothingToPublish => "Phiên bản mới nhất đã được công bố rồi.",
            Code::SessionNotOpen => "Phiên chưa mở.",
            Code::SessionClosed => "Phiên đã kết thúc (hoặc khảo sát đã đóng).",
            Code::AlreadyResponded => "Em đã trả lời khảo sát này rồi.",
            Code::IdempotencyKeyReused => "Idempotency-Key này đã dùng cho một nội dung khác.",
            Code::AssentRequired => "Em cần đồng ý tham gia trước.",
            Code::AgeNotEligible => "Khảo sát không dành cho độ tuổi này.",
            Code::CasePeriodNotEnded => {
                "Số ca bảo vệ trẻ em chỉ được đưa ra cho các quý đã kết thúc: chưa có quý nào của khoảng thời gian này kết thúc."
            }
            Code::IllegalTransition => "Không thể chuyển từ trạng thái hiện tại sang trạng thái này (không quay lui).",
            Code::MergeIntoItself => "Không gộp một ý kiến vào chính nó.",
            Code::AlreadyMerged => "Ý kiến đã được gộp; hãy bỏ gộp trước.",
            Code::HasMergedIssues => "Đã có ý kiến khác gộp vào ý kiến này nên không gộp tiếp được.",
            Code::MergeTargetMerged => "Ý kiến đích đã được gộp vào ý kiến khác: hãy gộp vào ý kiến đó.",
            Code::NotMerged => "Ý kiến này chưa được gộp.",
            Code::TooFewResponses => "Quá ít bài trả lời để đưa ra từng dòng mà không lộ trẻ em nào.",
            Code::NotDraft => "Chỉ sửa được kiến nghị đang là bản nháp.",
            Code::CommitmentDone => "Cam kết này đã hoàn thành.",
            Code::InvalidRequest => "Yêu cầu cấp mã OAuth 2 thiếu tham số hoặc gửi thông tin đăng nhập hai lần.",
            Code::UnsupportedGrantType => "Chỉ hỗ trợ grant_type=client_credentials.",
            Code::InvalidClient => "Ứng dụng của cơ quan không có, sai mật khẩu hoặc đã bị thu hồi.",
            Code::EvidenceUnavailable => {
                "Một câu hỏi khảo sát dùng làm căn cứ không còn được công bố: hãy sửa căn cứ của kiến nghị."
            }
            Code::NoWebhook => "Cơ quan chưa đăng ký địa chỉ nhận webhook.",
            Code::NotDead => "Chỉ gửi lại được sự kiện webhook đã dừng gửi.",
            Code::AgencyInactive => "Cơ quan của bạn đã ngừng hoạt động trên hệ thống.",
            Code::RequestRefused => "Yêu cầu bị tầng HTTP từ chối.",
            Code::NotAccepted => "Chỉ công bố ý kiến đã được chấp nhận.",
            Code::Merged => "Ý kiến đã được gộp vào ý kiến khác: hãy công bố ý kiến đó.",
            Code::PossibleDisclosure => {
                "Nội dung có thể cho thấy một trẻ em gặp nguy hiểm: hãy chuyển cho cán bộ bảo vệ trẻ em thay vì công bố."
            }
            Code::PersonalData => "Nội dung còn thông tin cá nhân: hãy che trước.",
            Code::NotPossible => "Chỉ chuyển lại những nội dung mà bộ lọc đánh dấu là có thể nguy hiểm.",
            Code::AlreadyReleased => "Trường hợp này đã được chuyển lại cho kiểm duyệt.",
            Code::CaseClosed => "Trường hợp đã đóng thì không chuyển lại.",
            Code::ClearBeside => "Cùng ý kiến có nội dung nguy hiểm rõ ràng, phần đó vẫn được giữ lại.",
            Code::NotUrgent => "Báo cáo nhanh chỉ dành cho trường hợp khẩn cấp.",
            Code::ParticipantErased => {
                "Mã người tham gia này thuộc dữ liệu đã xoá theo yêu cầu của em: hãy tham gia không kèm mã."
            }
            Code::IssueReceiptUnknown => "Không có ý kiến nào có mã biên nhận này.",
            Code::NotAConsultation => "Chỉ nhập trẻ em theo đơn vị ở hoạt động tham vấn.",
            Code::NotAPaperSession => "Chỉ nhập phiếu giấy vào phiên giấy (mode: paper).",
            Code::SessionFull => "Phiên đã nhận đủ số trẻ em cho phép.",
            Code::PaperFormCapReached => "Phiên giấy đã nhận đủ số phiếu cho phép (kể cả phiếu đã rút lại).",
            Code::PaperWithdrawalCapReached => "Phiên giấy đã có năm phiếu bị rút lại: không nhận thêm phiếu nào nữa.",
            Code::NotAPdf => {
                "Nội dung tệp công văn không phải PDF (xét theo nội dung, không theo tên hay kiểu khai báo)."
            }
            Code::ActiveContent => "Tệp PDF có mã lệnh, hành động mở chương trình hoặc tệp nhúng.",
            Code::NotAnswered => "Công văn đi kèm câu trả lời của cơ quan: hãy trả lời trước.",
        }
    }
}
