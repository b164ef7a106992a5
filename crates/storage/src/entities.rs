//! Plain sea-orm entities, one per table. They never leave this crate: the
//! query modules beside them convert rows to domain types.

macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod unit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "units")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub kind: String,
        pub code: String,
        pub name_vi: String,
        pub name_en: Option<String>,
        pub valid_from: Date,
        pub valid_to: Option<Date>,
        pub note: Option<String>,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod unit_parent {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "unit_parents")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub unit_id: Uuid,
        pub parent_id: Uuid,
        pub valid_from: Date,
        pub valid_to: Option<Date>,
    }
    no_relations!();
}

pub mod unit_lineage {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "unit_lineage")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub reorganisation_id: Uuid,
        pub from_unit_id: Uuid,
        pub to_unit_id: Uuid,
        pub effective_on: Date,
        pub is_default: bool,
        pub assumption: bool,
        pub note: Option<String>,
    }
    no_relations!();
}

pub mod reorganisation {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "reorganisations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub effective_on: Date,
        pub title: String,
        pub note: Option<String>,
        pub created_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod topic {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "topics")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub slug: String,
        pub name_vi: String,
        pub name_en: Option<String>,
        pub description_vi: Option<String>,
        pub description_en: Option<String>,
        pub active: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod agency {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "agencies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name_vi: String,
        pub name_en: Option<String>,
        pub kind: String,
        pub jurisdiction_unit_id: Uuid,
        pub contact_name: Option<String>,
        pub contact_email: Option<String>,
        pub contact_phone: Option<String>,
        pub active: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod agency_topic {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "agency_topics")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub agency_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub topic_id: Uuid,
    }
    no_relations!();
}

pub mod user {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub username: String,
        /// Never serialised, so never in an audit row.
        #[serde(skip)]
        pub password_hash: String,
        pub role: String,
        pub unit_id: Option<Uuid>,
        pub agency_id: Option<Uuid>,
        pub display_name: Option<String>,
        pub disabled: bool,
        pub token_version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod login_throttle {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "login_throttle")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub failures: i32,
        pub last_failure_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod join_failure_budget {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "join_failure_budget")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub window_start: DateTimeUtc,
        pub used: i32,
        pub spent_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod audit_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub at: DateTimeUtc,
        pub actor_id: Option<Uuid>,
        pub actor_label: String,
        pub action: String,
        pub entity: String,
        pub entity_id: Option<String>,
        pub before: Option<Json>,
        pub after: Option<Json>,
    }
    no_relations!();
}

pub mod survey {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "surveys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub kind: String,
        pub owner_unit_id: Uuid,
        pub topic_id: Option<Uuid>,
        pub status: String,
        pub latest_version: i32,
        pub published_version: Option<i32>,
        pub title_vi: String,
        pub created_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub results_public: bool,
    }
    no_relations!();
}

pub mod survey_version {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "survey_versions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub survey_id: Uuid,
        pub version: i32,
        pub definition: String,
        pub created_at: DateTimeUtc,
        pub published_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod session {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub survey_id: Uuid,
        pub version: i32,
        pub unit_id: Uuid,
        pub opens_at: DateTimeUtc,
        pub closes_at: DateTimeUtc,
        pub expected_participants: Option<i32>,
        pub join_code: String,
        pub guardian_consent_method: Option<String>,
        pub guardian_consent_reference: Option<String>,
        pub created_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub closed_at: Option<DateTimeUtc>,
        /// Distinct participants admitted (the join cap counts these).
        pub joined: i32,
        /// Joins refused because a cap was reached.
        pub joins_refused: i32,
        /// `app`, or `paper` (forms entered afterwards by a facilitator).
        pub mode: String,
    }
    no_relations!();
}

pub mod participant {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "participants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub token_hash: String,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod response {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "responses")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub survey_id: Uuid,
        pub version: i32,
        pub session_id: Uuid,
        pub unit_id: Uuid,
        pub participant_id: Uuid,
        pub age: i16,
        pub age_band: String,
        pub grade: Option<i16>,
        pub gender: Option<String>,
        pub language: String,
        pub answers: String,
        pub receipt_hash: String,
        pub idempotency_key: String,
        pub request_hash: String,
        pub single_response_of: Option<Uuid>,
        pub submitted_at: DateTimeUtc,
        pub withdrawn_at: Option<DateTimeUtc>,
        pub text_purged_at: Option<DateTimeUtc>,
        /// The response's random key (0 ≤ key < 2³²) for the cell key method.
        pub record_key: i64,
    }
    no_relations!();
}

pub mod fold_queue {
    use sea_orm::entity::prelude::*;

    /// Responses to fold into the result cells (`sign` +1) or out of them
    /// (−1); filled by triggers on `responses`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fold_queue")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub response_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub sign: i16,
        pub survey_id: Uuid,
    }
    no_relations!();
}

pub mod result_release {
    use sea_orm::entity::prelude::*;

    /// The latest release of a survey's results.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "result_releases")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub survey_id: Uuid,
        pub number: i32,
        pub released_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod result_cell {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "result_cells")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub survey_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub version: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub grain: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub period: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub unit_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub age_band: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub gender: String,
        pub responses: i64,
        pub tally: String,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod issue {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "issues")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub source: String,
        pub status: String,
        pub survey_id: Option<Uuid>,
        pub session_id: Option<Uuid>,
        pub unit_id: Uuid,
        pub participant_id: Option<Uuid>,
        pub age_band: Option<String>,
        pub topic_id: Option<Uuid>,
        pub title: String,
        pub body: String,
        pub redactions: Option<String>,
        pub receipt_hash: Option<String>,
        pub idempotency_key: Option<String>,
        pub request_hash: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub event_id: Option<Uuid>,
        pub rejection_reason: Option<String>,
        pub moderator_note: Option<String>,
        pub search_text: Option<String>,
        pub merged_into: Option<Uuid>,
        pub response_id: Option<Uuid>,
        pub question_key: Option<String>,
        /// On the public list since (a moderator's explicit step).
        pub published_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub kind: String,
        pub audience: Option<String>,
        pub unit_id: Uuid,
        pub held_on: Date,
        pub title: String,
        pub children_attending: i32,
        pub children_by_age_band: Option<String>,
        pub children_by_school_level: Option<String>,
        pub adults_attending: i32,
        pub notes: Option<String>,
        pub created_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod training_attendance {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "training_attendance")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub event_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub unit_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub role: String,
        pub people: i32,
    }
    no_relations!();
}

pub mod event_children {
    use sea_orm::entity::prelude::*;

    /// Children of one unit at an event held above it.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "event_children")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub event_id: Uuid,
        pub unit_id: Uuid,
        pub children: i32,
        pub children_by_school_level: Option<String>,
        pub updated_by: Option<Uuid>,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod school_term {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "school_terms")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub school_year: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub term: i16,
        pub first_day: Date,
        pub last_day: Date,
        pub updated_by: Option<Uuid>,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod safeguarding_case {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "safeguarding_cases")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub source: String,
        pub status: String,
        pub severity: String,
        pub categories: String,
        pub original_text: String,
        pub unit_id: Option<Uuid>,
        pub session_id: Option<Uuid>,
        pub response_id: Option<Uuid>,
        pub issue_id: Option<Uuid>,
        pub question_key: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub assignee_id: Option<Uuid>,
        pub referred_to: Option<String>,
        pub channel: Option<String>,
        pub received_at: Option<DateTimeUtc>,
        pub assessed_at: Option<DateTimeUtc>,
        pub closed_at: Option<DateTimeUtc>,
        /// `clear` or `possible` for a case the screen opened.
        pub outcome: Option<String>,
        /// The words that fired, a JSON array (as restricted as the text).
        pub matched: String,
        /// An officer's mark of the screen's call: `right` or `wrong`.
        pub verdict: Option<String>,
        pub verdict_at: Option<DateTimeUtc>,
        /// When an officer released a possible disclosure to moderation.
        pub released_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod issue_support {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "issue_supports")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub issue_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub participant_id: Uuid,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod safeguarding_note {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "safeguarding_notes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub case_id: Uuid,
        pub author_id: Option<Uuid>,
        pub author_label: String,
        pub body: String,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod target {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "targets")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub metric: String,
        pub scope_unit_id: Uuid,
        pub period: String,
        pub value: f64,
        pub created_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod holiday {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "holidays")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: Date,
        pub name: String,
    }
    no_relations!();
}

pub mod recommendation {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "recommendations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub status: String,
        pub title_vi: String,
        pub title_en: Option<String>,
        pub summary_vi: String,
        pub summary_en: Option<String>,
        pub child_summary_vi: String,
        pub child_summary_en: Option<String>,
        pub action_vi: String,
        pub action_en: Option<String>,
        pub topic_id: Uuid,
        pub unit_id: Uuid,
        pub evidence: String,
        pub frozen_evidence: Option<String>,
        pub approval_event_id: Option<Uuid>,
        pub approved_at: Option<DateTimeUtc>,
        pub sent_at: Option<DateTimeUtc>,
        pub created_by: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod recommendation_issue {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "recommendation_issues")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub recommendation_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub issue_id: Uuid,
    }
    no_relations!();
}

pub mod delivery {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "deliveries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub recommendation_id: Uuid,
        pub agency_id: Uuid,
        pub status: String,
        pub due_on: Date,
        pub sent_at: DateTimeUtc,
        pub acknowledged_at: Option<DateTimeUtc>,
        pub answered_at: Option<DateTimeUtc>,
        pub answered_on: Option<Date>,
        pub stance: Option<String>,
        pub reply_body: Option<String>,
        pub reply_child_summary: Option<String>,
        pub reason: Option<String>,
        pub last_reminder_step: Option<i32>,
        pub escalated_at: Option<DateTimeUtc>,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod commitment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "commitments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub delivery_id: Uuid,
        pub position: i32,
        pub body: String,
        pub due_on: Date,
        pub status: String,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod delivery_update {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "delivery_updates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub delivery_id: Uuid,
        pub commitment_id: Uuid,
        pub status: String,
        pub note: String,
        pub child_note: Option<String>,
        pub actor_label: String,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod delivery_reminder {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "delivery_reminders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub delivery_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub step: i32,
        pub kind: String,
        pub reminded_on: Date,
        pub escalated: bool,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod agency_client {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "agency_clients")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub agency_id: Uuid,
        pub client_id: String,
        pub secret_hash: String,
        pub label: String,
        pub created_by: String,
        pub created_at: DateTimeUtc,
        pub revoked_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod agency_webhook {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "agency_webhooks")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub agency_id: Uuid,
        pub url: String,
        pub secret: String,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod outbox {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// `None` for the safeguarding endpoint's events.
        pub agency_id: Option<Uuid>,
        pub event_type: String,
        /// The JSON body sent, exactly as signed.
        pub payload: String,
        pub status: String,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        /// The end of the claim a relay holds on it: its claim token.
        pub locked_until: Option<DateTimeUtc>,
        pub last_error: Option<String>,
        pub queued_at: DateTimeUtc,
        pub delivered_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod safeguarding_webhook {
    use sea_orm::entity::prelude::*;

    /// The safeguarding team's endpoint (one row, `id` 1).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "safeguarding_webhook")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub url: String,
        pub secret: String,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod erased_participant {
    use sea_orm::entity::prelude::*;

    /// The keyed hash of an erased pseudonym's participant token: the token
    /// is refused from then on. Nothing else of the child is kept.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "erased_participants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub token_hash: String,
        pub erased_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod session_participant {
    use sea_orm::entity::prelude::*;

    /// A participant admitted to a session (once, however often they join).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "session_participants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub session_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub participant_id: Uuid,
    }
    no_relations!();
}

pub mod session_address {
    use sea_orm::entity::prelude::*;

    /// Participants admitted to a session from one client address (its
    /// keyed hash).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "session_addresses")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub session_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub address_key: String,
        pub joins: i32,
    }
    no_relations!();
}

pub mod reply_letter {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reply_letters")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub delivery_id: Uuid,
        pub agency_id: Uuid,
        pub object_key: String,
        pub bytes: i64,
        pub sha256: String,
        pub public: bool,
        pub uploaded_by: Option<Uuid>,
        pub uploaded_at: DateTimeUtc,
    }
    no_relations!();
}
