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
    #[schema(value_type = crate::closed_sets::QuestionTypeName)]
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
 "assent": {"6-8": {"vi": "Em muốn kể về đường đến trường. Em có thể dừng lúc nào cũng được.", "en": "I want to tell you about my way to school. I can stop whenever I like."}},
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
    #[schema(value_type = crate::closed_sets::SurveyKindName)]
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
    #[schema(max_length = 2000)]
    pub document_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub document_quote: Option<String>,
    #[serde(default)]
    pub questions: Vec<QuestionIn>,
    /// Publish the suppressed results to everyone
    /// (`GET /api/v1/public/surveys/{id}/results`); takes effect when the
    /// version is published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results_public: Option<bool>,
    /// The survey's own words for what a child agrees to, by age band
    /// (`6-8`, `9-11`, `12-14`, `15-17`): Vietnamese required, English
    /// optional, at most 600 characters each. A band left out (or English
    /// left out) gets the service's wording for the band.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub assent: BTreeMap<String, TextIn>,
}

/// The wire format and the domain's raw form hold the same fields: each
/// pair of types is converted both ways from one list of its fields, moved
/// as they are or through a helper below, and the fields only the wire
/// format has are given to `from_raw`. A field added to either type does not
/// compile until it is listed here.
macro_rules! mirror {
    ($wire:ident <=> $raw:ident { $($same:ident),+; $($field:ident by $how:ident),* }) => {
        mirror!(@to_raw $wire => $raw { $($same),+; $($field by $how),* });
        impl From<$raw> for $wire {
            fn from(raw: $raw) -> $wire {
                $wire { $($same: raw.$same,)+ $($field: $how(raw.$field),)* }
            }
        }
    };
    ($wire:ident <=> $raw:ident { $($same:ident),+; $($field:ident by $how:ident),*; wire only $($extra:ident: $ty:ty),+ }) => {
        mirror!(@to_raw $wire => $raw { $($same),+; $($field by $how),* });
        impl $wire {
            /// From the raw form, with the fields only the wire format has.
            fn from_raw(raw: $raw, $($extra: $ty),+) -> $wire {
                $wire { $($same: raw.$same,)+ $($field: $how(raw.$field),)* $($extra,)+ }
            }
        }
    };
    (@to_raw $wire:ident => $raw:ident { $($same:ident),+; $($field:ident by $how:ident),* }) => {
        impl From<$wire> for $raw {
            fn from(wire: $wire) -> $raw {
                $raw { $($same: wire.$same,)+ $($field: $how(wire.$field),)* }
            }
        }
    };
}

fn into<A: Into<B>, B>(a: A) -> B {
    a.into()
}

fn option<A: Into<B>, B>(a: Option<A>) -> Option<B> {
    a.map(Into::into)
}

fn list<A: Into<B>, B>(list: Vec<A>) -> Vec<B> {
    list.into_iter().map(Into::into).collect()
}

/// Texts by key, as a map on the wire and a list of pairs in the domain.
fn keyed<A: Into<B>, B, C: FromIterator<(String, B)>>(texts: impl IntoIterator<Item = (String, A)>) -> C {
    texts.into_iter().map(|(k, t)| (k, t.into())).collect()
}

mirror!(TextIn <=> RawText { vi, en; });
mirror!(OptionIn <=> RawOption { key; label by into });
mirror!(ShowIfIn <=> RawShowIf { question, values; });
mirror!(QuestionIn <=> RawQuestion {
    key, qtype, required, topic, min_age, max_age, min_choices, max_choices, min, max, faces, max_length;
    show_if by option, text by option, text_by_age_band by keyed, options by list
});
mirror!(SurveyIn <=> RawSurvey {
    kind, topic, min_age, max_age, allow_multiple, allow_issues, requires_guardian_consent, document_url,
    document_quote;
    title by option, description by option, questions by list, assent by keyed;
    wire only owner_unit_id: Uuid, results_public: Option<bool>
});

impl SurveyIn {
    /// A stored version as clients read it.
    pub fn from_stored(stored: &StoredSurvey) -> SurveyIn {
        SurveyIn {
            results_public: stored.results_public,
            ..SurveyIn::from_definition(&stored.definition, stored.owner_unit_id.0)
        }
    }

    /// A checked definition as clients read it.
    pub fn from_definition(def: &SurveyDefinition, owner_unit_id: Uuid) -> SurveyIn {
        SurveyIn::from_raw(def.to_raw(), owner_unit_id, None)
    }
}

/// A survey by id, or 404 `not_found`.
pub async fn find(state: &AppState, id: Uuid) -> Result<langnghe_storage::surveys::SurveyRecord, ApiError> {
    langnghe_storage::surveys::get(&state.db, id)
        .await
        .or_not_found("survey")
}

/// The definition of a survey's version `asked`, else of its published
/// version, with the version read: 404 `not_found` when there is no such
/// version (or none is published and none was asked).
pub async fn version_or_published(
    state: &AppState,
    record: &langnghe_storage::surveys::SurveyRecord,
    asked: Option<i32>,
) -> Result<(i32, SurveyDefinition), ApiError> {
    let version = asked
        .or(record.published_version)
        .ok_or_else(|| ApiError::not_found("published version"))?;
    let stored = langnghe_storage::surveys::version(&state.db, record.id, version)
        .await
        .or_not_found("survey version")?;
    Ok((version, stored.definition.definition))
}
