//! Response and request bodies that several route modules share. A body
//! used by one route module stays in it.

use chrono::{DateTime, NaiveDate, Utc};
use langnghe_domain::org::Unit;
use langnghe_domain::recommendation as rules;
use langnghe_domain::survey::RenderedSurvey;
use langnghe_domain::text::LocalizedText;
use langnghe_storage::recommendations::{CommitmentRow, DeliveryRow, UpdateRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A query that asks only for a language (a public read with no other
/// choice to make).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// `vi` or `en` (default: from Accept-Language, else `vi`).
    #[param(value_type = Option<crate::closed_sets::LangCode>)]
    pub lang: Option<String>,
}

/// Text in Vietnamese (required) and English.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"vi": "An toàn trên mạng", "en": "Online safety"}))]
pub struct Text {
    pub vi: String,
    pub en: Option<String>,
}

impl From<&LocalizedText> for Text {
    fn from(t: &LocalizedText) -> Self {
        Text {
            vi: t.vi().to_owned(),
            en: t.en().map(str::to_owned),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitBrief {
    pub id: Uuid,
    #[schema(value_type = crate::closed_sets::UnitKindName)]
    pub kind: &'static str,
    pub code: String,
    pub name: Text,
}

pub fn brief(u: &Unit) -> UnitBrief {
    UnitBrief {
        id: u.id.0,
        kind: u.kind.as_str(),
        code: u.code.as_str().to_owned(),
        name: Text::from(&u.name),
    }
}

/// A published count about children (perturbed by the cell key method) and
/// its share of its group's own published total.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountDto {
    pub count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
}

/// A staff account. Never carries its password hash.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d21", "username": "lan.tpt", "role": "facilitator", "unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d22", "agency_id": null, "display_name": "Cô Lan (TPT Đội)", "disabled": false}))]
pub struct UserDto {
    pub id: Uuid,
    pub username: String,
    /// `admin`, `moderator`, `facilitator`, `safeguarding_officer` or `agency_staff`.
    #[schema(value_type = crate::closed_sets::StaffRole)]
    pub role: String,
    /// A facilitator's unit.
    pub unit_id: Option<Uuid>,
    /// Agency staff's agency.
    pub agency_id: Option<Uuid>,
    pub display_name: Option<String>,
    pub disabled: bool,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiIsImtpZCI6Ii4uLiJ9…", "token_type": "Bearer", "expires_in": 900}))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(value_type = crate::closed_sets::TokenType)]
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// An agency's reply.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyDto {
    /// `accepted`, `partially_accepted`, `declined` or `not_responsible`.
    #[schema(value_type = crate::closed_sets::StanceName)]
    pub stance: String,
    pub body: String,
    pub child_summary: Option<String>,
    /// Why it declined, or whom it thinks responsible.
    pub reason: Option<String>,
    /// Whether it came by the due date.
    pub on_time: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentDto {
    pub id: Uuid,
    pub text: String,
    pub due_on: NaiveDate,
    /// `open`, `in_progress` or `done`.
    #[schema(value_type = crate::closed_sets::CommitmentStatusName)]
    pub status: String,
    pub updates: Vec<UpdateDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UpdateDto {
    /// `in_progress` or `done`.
    #[schema(value_type = crate::closed_sets::ProgressStatusName)]
    pub status: String,
    pub note: String,
    pub child_note: Option<String>,
    pub at: DateTime<Utc>,
}

/// The commitments of some deliveries with their updates, read at once
/// (`services::lookups::commitments`), for the views that show each
/// delivery's promises.
pub(crate) struct Commitments {
    pub(crate) rows: Vec<CommitmentRow>,
    pub(crate) updates: Vec<UpdateRow>,
}

impl Commitments {
    /// A delivery's commitments, in the order stored.
    pub(crate) fn of(&self, delivery: Uuid) -> impl DoubleEndedIterator<Item = &CommitmentRow> {
        self.rows.iter().filter(move |c| c.delivery_id == delivery)
    }

    /// The progress reported on one commitment, in the order stored.
    pub(crate) fn updates(&self, commitment: Uuid) -> impl DoubleEndedIterator<Item = &UpdateRow> {
        self.updates.iter().filter(move |u| u.commitment_id == commitment)
    }
}

pub(crate) fn commitment_dtos(delivery: Uuid, commitments: &Commitments) -> Vec<CommitmentDto> {
    commitments
        .of(delivery)
        .map(|c| CommitmentDto {
            id: c.id,
            text: c.body.clone(),
            due_on: c.due_on,
            status: c.status.as_str().to_owned(),
            updates: commitments
                .updates(c.id)
                .map(|u| UpdateDto {
                    status: u.status.as_str().to_owned(),
                    note: u.note.clone(),
                    child_note: u.child_note.clone(),
                    at: u.created_at,
                })
                .collect(),
        })
        .collect()
}

pub(crate) fn reply_dto(d: &DeliveryRow) -> Option<ReplyDto> {
    Some(ReplyDto {
        stance: d.stance?.as_str().to_owned(),
        body: d.reply_body.clone().unwrap_or_default(),
        child_summary: d.reply_child_summary.clone(),
        reason: d.reason.clone(),
        on_time: d.answered_on.is_some_and(|a| rules::answered_on_time(a, d.due_on)),
    })
}

/// A survey rendered for one child.
#[derive(Debug, Serialize, ToSchema)]
pub struct RenderedSurveyDto {
    #[schema(value_type = crate::closed_sets::SurveyKindName)]
    pub kind: &'static str,
    pub title: String,
    pub description: Option<String>,
    pub document_url: Option<String>,
    pub document_quote: Option<String>,
    /// `6-8`, `9-11`, `12-14` or `15-17`.
    #[schema(value_type = crate::closed_sets::AgeBandName)]
    pub age_band: &'static str,
    /// What the child agrees to, worded for their band and language: the
    /// survey's own wording, else the service's.
    pub assent: String,
    /// Whether the child may raise an issue (`POST /issues`) with the
    /// respondent token of this join: an issue form's, or a survey that
    /// allows issues (`allow_issues`); otherwise `issues_not_allowed`.
    pub takes_issues: bool,
    pub questions: Vec<RenderedQuestionDto>,
}

/// An answer a question offers, with its label.
#[derive(Debug, Serialize, ToSchema)]
pub struct OptionLabelDto {
    pub key: String,
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RenderedShowIfDto {
    pub question: String,
    #[serde(rename = "in")]
    pub values: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RenderedQuestionDto {
    pub key: String,
    #[serde(rename = "type")]
    #[schema(value_type = crate::closed_sets::QuestionTypeName)]
    pub qtype: &'static str,
    pub required: bool,
    pub text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionLabelDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub faces: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_choices: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_choices: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_if: Option<RenderedShowIfDto>,
}

pub fn rendered_dto(r: RenderedSurvey) -> RenderedSurveyDto {
    RenderedSurveyDto {
        kind: r.kind.as_str(),
        title: r.title,
        description: r.description,
        document_url: r.document_url,
        document_quote: r.document_quote,
        age_band: r.age_band.as_str(),
        assent: r.assent,
        takes_issues: r.takes_issues,
        questions: r
            .questions
            .into_iter()
            .map(|q| RenderedQuestionDto {
                key: q.key,
                qtype: q.qtype.as_str(),
                required: q.required,
                text: q.text,
                options: q
                    .options
                    .into_iter()
                    .map(|(key, label)| OptionLabelDto { key, label })
                    .collect(),
                min: q.min,
                max: q.max,
                faces: q.faces,
                max_length: q.max_length,
                min_choices: q.min_choices,
                max_choices: q.max_choices,
                show_if: q
                    .show_if
                    .map(|(question, values)| RenderedShowIfDto { question, values }),
            })
            .collect(),
    }
}
