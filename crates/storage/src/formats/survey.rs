//! A survey version as stored: its checked definition, the unit that runs
//! the survey and whether its results are asked to be public.
//!
//! Version 1: `{"v":1,"kind":…,"owner_unit_id":…,"title":{"vi":…},…,
//! "questions":[{"key":…,"type":…,…}]}`, every survey-level setting
//! written out, each question with its own ages and the settings of its
//! type. Version 0 (before versions) is the same shape without `v`, some
//! settings left out where they had their defaults; it reads the same way.
//!
//! Version 2: version 1 with `"assent":{"6-8":{"vi":…,"en":…},…}`, the
//! survey's own assent wording by age band. A definition without assent
//! wording is still written as version 1, byte for byte as before, so a
//! replica not yet upgraded reads it; one with assent wording is written
//! as version 2, which such a replica refuses as newer than it knows rather
//! than showing children wording the survey did not choose.

use std::collections::BTreeMap;

use langnghe_domain::UnitId;
use langnghe_domain::survey::{
    AgeBand, CheckedQuestion, CheckedSurvey, QuestionOption, QuestionSpec, QuestionType, SurveyDefinition, SurveyKind,
};
use langnghe_domain::text::LocalizedText;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{FormatError, Kind, unknown_version, version_of};

/// The newest version [`encode`] writes (version 1 when there is no
/// assent wording).
pub const VERSION: u32 = 2;

/// A stored survey version, read back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSurvey {
    pub definition: SurveyDefinition,
    pub owner_unit_id: UnitId,
    /// As the curator set it (`None`: not said, which is `false`).
    pub results_public: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize)]
struct TextV1 {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vi: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    en: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct OptionV1 {
    key: String,
    label: TextV1,
}

#[derive(Debug, Serialize, Deserialize)]
struct ShowIfV1 {
    question: String,
    #[serde(rename = "in")]
    values: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct QuestionV1 {
    key: String,
    #[serde(rename = "type")]
    qtype: String,
    #[serde(default)]
    required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    topic: Option<String>,
    /// The survey's when absent (version 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_age: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_age: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    show_if: Option<ShowIfV1>,
    text: TextV1,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    text_by_age_band: BTreeMap<String, TextV1>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    options: Vec<OptionV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_choices: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_choices: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    faces: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_length: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SurveyV1 {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    v: Option<u32>,
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    topic: Option<String>,
    owner_unit_id: Uuid,
    title: TextV1,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<TextV1>,
    min_age: u8,
    max_age: u8,
    #[serde(default)]
    allow_multiple: bool,
    #[serde(default)]
    allow_issues: bool,
    #[serde(default)]
    requires_guardian_consent: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    document_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    document_quote: Option<String>,
    #[serde(default)]
    questions: Vec<QuestionV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    results_public: Option<bool>,
    /// Version 2: band → the survey's assent wording.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    assent: BTreeMap<String, TextV1>,
}

fn text_v1(t: &LocalizedText) -> TextV1 {
    TextV1 {
        vi: Some(t.vi().to_owned()),
        en: t.en().map(str::to_owned),
    }
}

fn options_v1(options: &[QuestionOption]) -> Vec<OptionV1> {
    options
        .iter()
        .map(|o| OptionV1 {
            key: o.key().to_owned(),
            label: text_v1(o.label()),
        })
        .collect()
}

/// The stored text of a survey version, in the current version.
pub fn encode(s: &StoredSurvey) -> String {
    let parts = s.definition.to_checked();
    let questions = parts
        .questions
        .into_iter()
        .map(|q| {
            let mut out = QuestionV1 {
                key: q.key,
                qtype: q.spec.qtype().as_str().to_owned(),
                required: q.required,
                topic: q.topic,
                min_age: Some(q.min_age),
                max_age: Some(q.max_age),
                show_if: q.show_if.map(|(question, values)| ShowIfV1 { question, values }),
                text: text_v1(&q.text),
                text_by_age_band: q
                    .text_by_age_band
                    .into_iter()
                    .map(|(band, vi, en)| (band.as_str().to_owned(), TextV1 { vi, en }))
                    .collect(),
                options: options_v1(q.spec.options()),
                min_choices: None,
                max_choices: None,
                min: None,
                max: None,
                faces: None,
                max_length: None,
            };
            match q.spec {
                QuestionSpec::MultipleChoice {
                    min_choices,
                    max_choices,
                    ..
                } => {
                    out.min_choices = Some(min_choices);
                    out.max_choices = Some(max_choices);
                }
                // Integers within the rating bounds, exact in f64.
                QuestionSpec::Rating { min, max, faces } => {
                    out.min = Some(min as f64);
                    out.max = Some(max as f64);
                    out.faces = Some(faces);
                }
                QuestionSpec::Text { max_length } => out.max_length = Some(max_length),
                QuestionSpec::Number { min, max } => {
                    out.min = min;
                    out.max = max;
                }
                QuestionSpec::SingleChoice { .. } | QuestionSpec::Ranking { .. } | QuestionSpec::YesNo => {}
            }
            out
        })
        .collect();
    let assent: BTreeMap<String, TextV1> = parts
        .assent
        .iter()
        .map(|(band, t)| (band.as_str().to_owned(), text_v1(t)))
        .collect();
    let stored = SurveyV1 {
        v: Some(if assent.is_empty() { 1 } else { VERSION }),
        kind: parts.kind.as_str().to_owned(),
        topic: parts.topic,
        owner_unit_id: s.owner_unit_id.0,
        title: text_v1(&parts.title),
        description: parts.description.as_ref().map(text_v1),
        min_age: parts.min_age,
        max_age: parts.max_age,
        allow_multiple: parts.allow_multiple,
        allow_issues: parts.allow_issues,
        requires_guardian_consent: parts.requires_guardian_consent,
        document_url: parts.document_url,
        document_quote: parts.document_quote,
        questions,
        results_public: s.results_public,
        assent,
    };
    // Strings, numbers and maps with string keys: serialising cannot fail.
    serde_json::to_string(&stored).unwrap_or_default()
}

/// A stored survey version read back as it was saved (version 0, 1 or 2).
pub fn decode(text: &str) -> Result<StoredSurvey, FormatError> {
    let err = |detail: String| FormatError::new(Kind::SurveyDefinition, detail);
    let version = version_of(Kind::SurveyDefinition, text)?;
    if version > VERSION {
        return Err(unknown_version(Kind::SurveyDefinition, version));
    }
    let s: SurveyV1 = serde_json::from_str(text).map_err(|e| err(e.to_string()))?;
    let assent = s
        .assent
        .into_iter()
        .map(|(band, t)| {
            let b = AgeBand::parse(&band).ok_or_else(|| err(format!("assent: unknown age band {band:?}")))?;
            localized(t)
                .map(|t| (b, t))
                .map_err(|d| err(format!("assent.{band}: {d}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let questions = s
        .questions
        .into_iter()
        .enumerate()
        .map(|(i, q)| question(q, s.min_age, s.max_age).map_err(|d| err(format!("questions[{i}]: {d}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let definition = SurveyDefinition::from_checked(CheckedSurvey {
        kind: SurveyKind::parse(&s.kind).ok_or_else(|| err(format!("unknown kind {:?}", s.kind)))?,
        topic: s.topic,
        title: localized(s.title).map_err(|d| err(format!("title: {d}")))?,
        description: s
            .description
            .map(localized)
            .transpose()
            .map_err(|d| err(format!("description: {d}")))?,
        min_age: s.min_age,
        max_age: s.max_age,
        allow_multiple: s.allow_multiple,
        allow_issues: s.allow_issues,
        requires_guardian_consent: s.requires_guardian_consent,
        document_url: s.document_url,
        document_quote: s.document_quote,
        questions,
        assent,
    });
    Ok(StoredSurvey {
        definition,
        owner_unit_id: UnitId(s.owner_unit_id),
        results_public: s.results_public,
    })
}

fn localized(t: TextV1) -> Result<LocalizedText, String> {
    let vi = t.vi.ok_or("no Vietnamese text")?;
    Ok(LocalizedText::from_stored(vi, t.en))
}

fn question(q: QuestionV1, survey_min: u8, survey_max: u8) -> Result<CheckedQuestion, String> {
    let qtype = QuestionType::parse(&q.qtype).ok_or_else(|| format!("unknown type {:?}", q.qtype))?;
    let options = || {
        q.options
            .iter()
            .map(|o| {
                localized(TextV1 {
                    vi: o.label.vi.clone(),
                    en: o.label.en.clone(),
                })
                .map(|label| QuestionOption::from_checked(o.key.clone(), label))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let missing = |what: &str| format!("{} without {what}", q.qtype);
    let rating_bound = |x: Option<f64>, what: &str| -> Result<i64, String> {
        let x = x.ok_or_else(|| missing(what))?;
        if x.fract() != 0.0 || !x.is_finite() || x.abs() > 1e15 {
            return Err(format!("rating {what} {x} is not an integer"));
        }
        Ok(x as i64)
    };
    let spec = match qtype {
        QuestionType::SingleChoice => QuestionSpec::SingleChoice { options: options()? },
        QuestionType::MultipleChoice => QuestionSpec::MultipleChoice {
            options: options()?,
            min_choices: q.min_choices.ok_or_else(|| missing("min_choices"))?,
            max_choices: q.max_choices.ok_or_else(|| missing("max_choices"))?,
        },
        QuestionType::Rating => QuestionSpec::Rating {
            min: rating_bound(q.min, "min")?,
            max: rating_bound(q.max, "max")?,
            faces: q.faces.unwrap_or(false),
        },
        QuestionType::YesNo => QuestionSpec::YesNo,
        QuestionType::Text => QuestionSpec::Text {
            max_length: q.max_length.ok_or_else(|| missing("max_length"))?,
        },
        QuestionType::Number => QuestionSpec::Number { min: q.min, max: q.max },
        QuestionType::Ranking => QuestionSpec::Ranking { options: options()? },
    };
    let text_by_age_band = q
        .text_by_age_band
        .into_iter()
        .map(|(band, t)| {
            AgeBand::parse(&band)
                .map(|b| (b, t.vi, t.en))
                .ok_or_else(|| format!("unknown age band {band:?}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CheckedQuestion {
        spec,
        required: q.required,
        topic: q.topic,
        min_age: q.min_age.unwrap_or(survey_min),
        max_age: q.max_age.unwrap_or(survey_max),
        show_if: q.show_if.map(|s| (s.question, s.values)),
        text: localized(q.text).map_err(|d| format!("text: {d}"))?,
        text_by_age_band,
        key: q.key,
    })
}
