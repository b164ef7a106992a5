//! The survey definition as clients send and read it: the JSON format
//! (`SurveyIn` and its parts) and its conversion to and from the domain's
//! raw survey. It is not what is stored: storage keeps its own format
//! (`langnghe_storage::formats::survey`), converted from and to the domain's
//! `SurveyDefinition`.

use std::collections::BTreeMap;

use langnghe_domain::survey::{RawOption, RawQuestion, RawShowIf, RawSurvey, RawText, SurveyDefinition};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use langnghe_storage::formats::survey::StoredSurvey;

use crate::error::{ApiError, OrNotFound};
use crate::state::AppState;

/// Text in Vietnamese and English; which is required depends on the field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextIn {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vi: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionIn {
    pub key: String,
    pub label: TextIn,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowIfIn {
    /// Key of an earlier question.
    pub question: String,
    /// Answers of that question that show this one (option keys, `yes`/`no`, numbers as text).
    #[serde(rename = "in")]
    pub values: Vec<String>,
}

/// A question. Which settings apply depends on `type`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionIn {
    /// Stable key: a-z, 0-9 and `_`.
    pub key: String,
    /// `single_choice`, `multiple_choice`, `rating`, `yes_no`, `text`, `number` or `ranking`.
    #[serde(rename = "type")]
    pub qtype: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Topic slug, when it differs from the survey's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_age: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_if: Option<ShowIfIn>,
    pub text: Option<TextIn>,
    /// Wording per age band (`6-8`, `9-11`, `12-14`, `15-17`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub text_by_age_band: BTreeMap<String, TextIn>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionIn>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_choices: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_choices: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Show a rating as faces (for young children).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub faces: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<i64>,
}

/// A survey definition, as sent and as stored for each version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "opinion", "topic": "safety", "owner_unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d20",
 "title": {"vi": "Đường đến trường", "en": "The way to school"}, "min_age": 6, "max_age": 17,
 "questions": [
  {"key": "feel_safe", "type": "single_choice", "required": true,
   "text": {"vi": "Em có cảm thấy an toàn trên đường đến trường không?", "en": "Do you feel safe on your way to school?"},
   "text_by_age_band": {"6-8": {"vi": "Em đi học có thấy an toàn không?"}},
   "options": [{"key": "yes", "label": {"vi": "Có", "en": "Yes"}}, {"key": "no", "label": {"vi": "Không", "en": "No"}},
               {"key": "not_sure", "label": {"vi": "Em không chắc", "en": "Not sure"}}]},
  {"key": "why_not", "type": "text", "max_length": 500, "show_if": {"question": "feel_safe", "in": ["no", "not_sure"]},
   "text": {"vi": "Điều gì làm em thấy không an toàn?", "en": "What makes you feel unsafe?"}},
  {"key": "happy_at_school", "type": "rating", "min": 1, "max": 5, "faces": true,
   "text": {"vi": "Em vui thế nào khi ở trường?", "en": "How happy are you at school?"}}]}))]
pub struct SurveyIn {
    /// `opinion`, `policy_consultation` or `issue_form`.
    pub kind: String,
    /// Default topic slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The unit that runs the survey.
    pub owner_unit_id: Uuid,
    pub title: Option<TextIn>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<TextIn>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_age: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i64>,
    /// One child may answer more than once (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_multiple: Option<bool>,
    /// Children may raise issues from its sessions (always for `issue_form`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_issues: Option<bool>,
    /// Sessions must record that guardian consent was collected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requires_guardian_consent: Option<bool>,
    /// For a policy consultation: the draft document consulted on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 2000))]
    pub document_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 4000))]
    pub document_quote: Option<String>,
    #[serde(default)]
    pub questions: Vec<QuestionIn>,
    /// Publish the suppressed results to everyone
    /// (`GET /api/v1/public/surveys/{id}/results`); takes effect when the
    /// version is published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results_public: Option<bool>,
}

fn raw_text(t: &TextIn) -> RawText {
    RawText {
        vi: t.vi.clone(),
        en: t.en.clone(),
    }
}

fn text_in(t: &RawText) -> TextIn {
    TextIn {
        vi: t.vi.clone(),
        en: t.en.clone(),
    }
}

impl SurveyIn {
    pub fn to_raw(&self) -> RawSurvey {
        RawSurvey {
            kind: self.kind.clone(),
            topic: self.topic.clone(),
            title: self.title.as_ref().map(raw_text),
            description: self.description.as_ref().map(raw_text),
            min_age: self.min_age,
            max_age: self.max_age,
            allow_multiple: self.allow_multiple,
            allow_issues: self.allow_issues,
            requires_guardian_consent: self.requires_guardian_consent,
            document_url: self.document_url.clone(),
            document_quote: self.document_quote.clone(),
            questions: self
                .questions
                .iter()
                .map(|q| RawQuestion {
                    key: q.key.clone(),
                    qtype: q.qtype.clone(),
                    required: q.required,
                    topic: q.topic.clone(),
                    min_age: q.min_age,
                    max_age: q.max_age,
                    show_if: q.show_if.as_ref().map(|s| RawShowIf {
                        question: s.question.clone(),
                        values: s.values.clone(),
                    }),
                    text: q.text.as_ref().map(raw_text),
                    text_by_age_band: q
                        .text_by_age_band
                        .iter()
                        .map(|(b, t)| (b.clone(), raw_text(t)))
                        .collect(),
                    options: q
                        .options
                        .iter()
                        .map(|o| RawOption {
                            key: o.key.clone(),
                            label: raw_text(&o.label),
                        })
                        .collect(),
                    min_choices: q.min_choices,
                    max_choices: q.max_choices,
                    min: q.min,
                    max: q.max,
                    faces: q.faces,
                    max_length: q.max_length,
                })
                .collect(),
        }
    }

    /// A stored version as clients read it.
    pub fn from_stored(stored: &StoredSurvey) -> SurveyIn {
        SurveyIn {
            results_public: stored.results_public,
            ..SurveyIn::from_definition(&stored.definition, stored.owner_unit_id.0)
        }
    }

    /// A checked definition as clients read it.
    pub fn from_definition(def: &SurveyDefinition, owner_unit_id: Uuid) -> SurveyIn {
        let raw = def.to_raw();
        SurveyIn {
            kind: raw.kind,
            topic: raw.topic,
            owner_unit_id,
            title: raw.title.as_ref().map(text_in),
            description: raw.description.as_ref().map(text_in),
            min_age: raw.min_age,
            max_age: raw.max_age,
            allow_multiple: raw.allow_multiple,
            allow_issues: raw.allow_issues,
            requires_guardian_consent: raw.requires_guardian_consent,
            document_url: raw.document_url,
            document_quote: raw.document_quote,
            questions: raw
                .questions
                .into_iter()
                .map(|q| QuestionIn {
                    key: q.key,
                    qtype: q.qtype,
                    required: q.required,
                    topic: q.topic,
                    min_age: q.min_age,
                    max_age: q.max_age,
                    show_if: q.show_if.map(|s| ShowIfIn {
                        question: s.question,
                        values: s.values,
                    }),
                    text: q.text.as_ref().map(text_in),
                    text_by_age_band: q
                        .text_by_age_band
                        .iter()
                        .map(|(b, t)| (b.clone(), text_in(t)))
                        .collect(),
                    options: q
                        .options
                        .iter()
                        .map(|o| OptionIn {
                            key: o.key.clone(),
                            label: text_in(&o.label),
                        })
                        .collect(),
                    min_choices: q.min_choices,
                    max_choices: q.max_choices,
                    min: q.min,
                    max: q.max,
                    faces: q.faces,
                    max_length: q.max_length,
                })
                .collect(),
            results_public: None,
        }
    }
}

/// A survey by id, or 404 `not_found`.
pub async fn find(state: &AppState, id: Uuid) -> Result<langnghe_storage::surveys::SurveyRecord, ApiError> {
    langnghe_storage::surveys::get(&state.db, id)
        .await
        .or_not_found("survey")
}
