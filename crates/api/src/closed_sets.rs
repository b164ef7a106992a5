//! The closed sets of words the API reads and writes (statuses, stances,
//! roles, kinds, age bands…) as named string enums of the contract. A body
//! or query field keeps its Rust type (a `String`, so that a wrong value is
//! refused as it always was, naming the known ones) and names its set with
//! `#[schema(value_type = …)]`. The values come from the domain's own
//! lists, so the contract cannot drift from what the service accepts.

use langnghe_domain::account::Role;
use langnghe_domain::catalog::AgencyKind;
use langnghe_domain::consultation::{Gender, SchoolLevel, SessionMode, SurveyStatus as Survey};
use langnghe_domain::moderation::{IssueStatus as Issue, RejectReason};
use langnghe_domain::org::UnitKind;
use langnghe_domain::plan::{EventKind, Part, Quantity, Status as Target, TrainingAudience};
use langnghe_domain::recommendation::{CommitmentStatus as Commitment, DeliveryStatus as Delivery, Stance};
use langnghe_domain::safeguarding::{CaseStatus as Case, Channel, Referral, Verdict};
use langnghe_domain::screen::{ConcernCategory, Outcome, Redaction, Severity};
use langnghe_domain::survey::{AgeBand, QuestionType, SurveyKind};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// The codes of the token endpoint's refusals, which are their RFC 6749
/// errors too (`ApiError::oauth` checks it). Written here rather than
/// taken from `error::Code`, which names this module's sets.
pub const OAUTH_ERRORS: [&str; 3] = ["invalid_request", "invalid_client", "unsupported_grant_type"];

/// Declares each set: a type whose schema is a string enum of `values`,
/// described by its doc comment.
macro_rules! closed_sets {
    ($($(#[doc = $doc:literal])+ $name:ident = $values:expr;)+) => {
        $(
            $(#[doc = $doc])+
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    string_enum($values, concat!($($doc, "\n"),+))
                }
            }

            impl utoipa::ToSchema for $name {}
        )+
    };
}

fn string_enum<S: AsRef<str>>(values: impl IntoIterator<Item = S>, doc: &str) -> RefOr<Schema> {
    let values: Vec<String> = values.into_iter().map(|v| v.as_ref().to_owned()).collect();
    let doc = doc.lines().map(str::trim).collect::<Vec<_>>().join("\n");
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(doc.trim()))
        .into()
}

closed_sets! {
    /// A staff account's role.
    StaffRole = Role::NAMES;
    /// An agency's answer to a recommendation.
    StanceName = Stance::NAMES;
    /// Where a recommendation sent to an agency stands.
    DeliveryStatusName = Delivery::NAMES;
    /// Where a recommendation stands.
    RecommendationStatusName = langnghe_domain::recommendation::RecommendationStatus::NAMES;
    /// Where an agency's commitment stands.
    CommitmentStatusName = Commitment::NAMES;
    /// The progress an agency reports on a commitment.
    ProgressStatusName = [Commitment::InProgress, Commitment::Done].map(Commitment::as_str);
    /// A child's age band.
    AgeBandName = AgeBand::NAMES;
    /// What a survey is for.
    SurveyKindName = SurveyKind::NAMES;
    /// A survey question's type.
    QuestionTypeName = QuestionType::NAMES;
    /// Where a survey stands.
    SurveyStatusName = Survey::NAMES;
    /// What a unit of the organisation is.
    UnitKindName = UnitKind::NAMES;
    /// What an agency is.
    AgencyKindName = AgencyKind::NAMES;
    /// What an event held offline is.
    EventKindName = EventKind::NAMES;
    /// Who a training was for, or the role of those who attended.
    TrainingAudienceName = TrainingAudience::NAMES;
    /// Where a child's issue stands; `merged` for an issue merged into
    /// another.
    IssueStatusName = Issue::NAMES.into_iter().chain([langnghe_domain::moderation::MERGED]);
    /// A moderator's decision on an issue.
    IssueDecision = [Issue::Accepted, Issue::Rejected].map(Issue::as_str);
    /// Why an issue was rejected.
    RejectReasonName = RejectReason::NAMES;
    /// The issue queue's status filter: the statuses moderators see, and
    /// `merged` for issues merged into another.
    IssueQueueStatus = Issue::ALL.into_iter().filter(|s| !s.is_hidden()).map(Issue::as_str).chain([langnghe_domain::moderation::MERGED]);
    /// The order of the issue queue.
    IssueSort = ["newest", "oldest"];
    /// A report's format.
    ReportFormat = ["json", "csv"];
    /// A measure of the plan's progress a target can be set on.
    MetricName = langnghe_domain::plan::Metric::all().into_iter().map(langnghe_domain::plan::Metric::as_str);
    /// What a progress figure counts.
    MeasureName = {
        let mut all: Vec<&str> = langnghe_domain::plan::Metric::all().into_iter().map(|m| m.quantity().as_str()).collect();
        all.sort_unstable();
        all.dedup();
        all
    };
    /// A term of a school year: `HK1` (học kỳ I) or `HK2` (học kỳ II).
    TermName = langnghe_domain::plan::Term::ALL.map(|t| t.to_string());
    /// A section of the annual report.
    ReportSectionKey = ["progress", "consultations", "topics", "events", "safeguarding", "recommendations"];
    /// Where an issue came from.
    IssueSource = ["form", "event", "survey_answer"];
    /// Where a safeguarding case stands.
    CaseStatusName = Case::NAMES;
    /// Whom a safeguarding case was referred to.
    ReferralName = Referral::NAMES;
    /// How a report received by hand came.
    ChannelName = Channel::NAMES;
    /// How serious a safeguarding case is.
    SeverityName = Severity::NAMES;
    /// The screen's call on a child's words: `clear` (a disclosure) or
    /// `possible` (to review).
    ScreenOutcome = Outcome::NAMES;
    /// An officer's mark of the screen's call.
    VerdictName = Verdict::NAMES;
    /// What the words of a safeguarding concern are about.
    ConcernCategoryName = ConcernCategory::NAMES;
    /// What opened a safeguarding case.
    CaseSource = ["screen", "referral", "intake"];
    /// A child's gender, as they gave it.
    GenderName = Gender::NAMES;
    /// A school level.
    SchoolLevelName = SchoolLevel::NAMES;
    /// A language of the service: Vietnamese or English.
    LangCode = ["vi", "en"];
    /// Where a session stands by the clock.
    SessionStateName = ["not_yet_open", "open", "closed"];
    /// How children answer in a session.
    SessionModeName = SessionMode::NAMES;
    /// Where a target stands.
    TargetStatusName = Target::NAMES;
    /// Where a webhook event stands: `dead` is a dead letter.
    WebhookStatus = langnghe_domain::recommendation::WebhookStatus::NAMES;
    /// What a webhook event tells.
    WebhookEventType = ["delivery.created", "delivery.reminder", "delivery.overdue", "recommendation.updated", "webhook.test"];
    /// What screening redacted from a child's words.
    RedactionName = Redaction::ALL.map(Redaction::as_str);
    /// A part of a measured figure, or a figure shown beside it.
    PartName = Part::NAMES;
    /// What a part of a measured figure counts.
    PartCounts = Part::QUANTITIES.map(Quantity::as_str);
    /// A step of a recommendation's timeline: an action recorded on it or
    /// on one of its deliveries.
    TimelineAction = langnghe_storage::recommendations::TIMELINE_ACTIONS;
    /// The error of an OAuth 2 token endpoint refusal (RFC 6749 §5.2).
    OAuthError = OAUTH_ERRORS;
    /// The grant an agency client asks for: client credentials alone.
    GrantType = ["client_credentials"];
    /// The kind of an access token: a bearer token.
    TokenType = ["Bearer"];
    /// A live process's answer.
    HealthStatus = ["ok"];
}
