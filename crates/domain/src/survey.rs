//! Survey definitions: checking what a staff member wrote, what a child of a
//! given age sees of it in their language, and checking a child's answers
//! against the exact version they were shown.

use std::collections::{HashMap, HashSet};

use crate::text::Lang;
use crate::{FieldErrors, LocalizedText};

/// Youngest child the service asks.
pub const MIN_AGE: u8 = 6;
/// Oldest child the service asks.
pub const MAX_AGE: u8 = 17;

const MAX_QUESTIONS: usize = 100;
/// More options than this is not something a child can read on a phone.
const MAX_OPTIONS: usize = 50;
const TITLE_MAX_CHARS: usize = 200;
const DESCRIPTION_MAX_CHARS: usize = 4000;
const QUESTION_TEXT_MAX_CHARS: usize = 1000;
const LABEL_MAX_CHARS: usize = 200;
const DOCUMENT_URL_MAX_CHARS: usize = 2000;
const DOCUMENT_QUOTE_MAX_CHARS: usize = 4000;
/// A child reads the assent wording before answering: a few sentences.
const ASSENT_MAX_CHARS: usize = 600;
const KEY_MAX_LEN: usize = 64;
const TEXT_MAX_LENGTH: i64 = 2000;
const TEXT_DEFAULT_MAX_LENGTH: u32 = 500;
/// A rating is a short scale of faces or stars; 0–10 covers every scale in use.
const RATING_LOWEST: i64 = 0;
const RATING_HIGHEST: i64 = 10;
const RATING_DEFAULT_MIN: i64 = 1;
const RATING_DEFAULT_MAX: i64 = 5;

/// What a survey is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SurveyKind {
    /// Children's views on a subject.
    Opinion,
    /// Children's views on a draft policy, optionally with its text.
    PolicyConsultation,
    /// A form through which children raise issues.
    IssueForm,
}

names! { SurveyKind { Opinion = "opinion", PolicyConsultation = "policy_consultation", IssueForm = "issue_form" } }

/// The age bands wording can be adapted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgeBand {
    Band6To8,
    Band9To11,
    Band12To14,
    Band15To17,
}

names! { AgeBand { Band6To8 = "6-8", Band9To11 = "9-11", Band12To14 = "12-14", Band15To17 = "15-17" } }

impl AgeBand {
    /// The youngest age in the band.
    pub fn youngest(self) -> u8 {
        match self {
            AgeBand::Band6To8 => 6,
            AgeBand::Band9To11 => 9,
            AgeBand::Band12To14 => 12,
            AgeBand::Band15To17 => 15,
        }
    }

    /// The band of a child of `age`; `None` outside 6–17.
    pub fn for_age(age: u8) -> Option<AgeBand> {
        match age {
            6..=8 => Some(AgeBand::Band6To8),
            9..=11 => Some(AgeBand::Band9To11),
            12..=14 => Some(AgeBand::Band12To14),
            15..=17 => Some(AgeBand::Band15To17),
            _ => None,
        }
    }
}

/// The kinds of question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionType {
    SingleChoice,
    MultipleChoice,
    Rating,
    YesNo,
    Text,
    Number,
    Ranking,
}

names! {
    QuestionType {
        SingleChoice = "single_choice", MultipleChoice = "multiple_choice", Rating = "rating",
        YesNo = "yes_no", Text = "text", Number = "number", Ranking = "ranking",
    }
}

impl QuestionType {
    /// Whether questions of this type list options.
    pub fn has_options(self) -> bool {
        matches!(
            self,
            QuestionType::SingleChoice | QuestionType::MultipleChoice | QuestionType::Ranking
        )
    }

    /// What an answer of this type looks like, for messages.
    fn expected_answer(self) -> &'static str {
        match self {
            QuestionType::SingleChoice => "an option key",
            QuestionType::MultipleChoice | QuestionType::Ranking => "a list of option keys",
            QuestionType::Rating | QuestionType::Number => "a number",
            QuestionType::YesNo => "true or false",
            QuestionType::Text => "a text",
        }
    }
}

// ---------------------------------------------------------------------------
// Raw input

/// A text in both languages as sent; either may be missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawText {
    pub vi: Option<String>,
    pub en: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawOption {
    pub key: String,
    pub label: RawText,
}

/// `{"question": "feel_safe", "in": ["no"]}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawShowIf {
    pub question: String,
    /// JSON `in`.
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawQuestion {
    pub key: String,
    /// JSON `type`.
    pub qtype: String,
    pub required: Option<bool>,
    pub topic: Option<String>,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    pub show_if: Option<RawShowIf>,
    pub text: Option<RawText>,
    /// Band (`"6-8"`) → wording, in the order sent.
    pub text_by_age_band: Vec<(String, RawText)>,
    pub options: Vec<RawOption>,
    pub min_choices: Option<i64>,
    pub max_choices: Option<i64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub faces: Option<bool>,
    pub max_length: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawSurvey {
    pub kind: String,
    pub topic: Option<String>,
    pub title: Option<RawText>,
    pub description: Option<RawText>,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    pub allow_multiple: Option<bool>,
    pub allow_issues: Option<bool>,
    pub requires_guardian_consent: Option<bool>,
    pub document_url: Option<String>,
    pub document_quote: Option<String>,
    pub questions: Vec<RawQuestion>,
    /// Band (`"6-8"`) → what the child agrees to, in the order sent.
    pub assent: Vec<(String, RawText)>,
}

// ---------------------------------------------------------------------------
// Trusted parts (definitions checked when they were saved)

/// The parts of a definition that was checked when it was saved, as a store
/// reads them back: [`SurveyDefinition::from_checked`] builds the definition
/// from them without checking them again, so a definition saved under
/// older rules stays readable when the rules tighten. Nothing a client sends
/// may come this way; input goes through [`SurveyDefinition::parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedSurvey {
    pub kind: SurveyKind,
    pub topic: Option<String>,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    pub min_age: u8,
    pub max_age: u8,
    pub allow_multiple: bool,
    pub allow_issues: bool,
    pub requires_guardian_consent: bool,
    pub document_url: Option<String>,
    pub document_quote: Option<String>,
    pub questions: Vec<CheckedQuestion>,
    /// Band → the survey's own assent wording; kept sorted by band, the
    /// last wording of a band standing.
    pub assent: Vec<(AgeBand, LocalizedText)>,
}

/// A question of a [`CheckedSurvey`].
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedQuestion {
    pub key: String,
    pub spec: QuestionSpec,
    pub required: bool,
    pub topic: Option<String>,
    pub min_age: u8,
    pub max_age: u8,
    /// `(question, values)`.
    pub show_if: Option<(String, Vec<String>)>,
    pub text: LocalizedText,
    /// Band → `(vi, en)`; kept sorted by band, the last wording of a band
    /// standing.
    pub text_by_age_band: Vec<(AgeBand, Option<String>, Option<String>)>,
}

impl QuestionOption {
    /// An option of a definition checked when it was saved.
    pub fn from_checked(key: impl Into<String>, label: LocalizedText) -> QuestionOption {
        QuestionOption { key: key.into(), label }
    }
}

impl SurveyDefinition {
    /// A definition from the parts of one checked when it was saved, taken
    /// as they are (see [`CheckedSurvey`]).
    pub fn from_checked(parts: CheckedSurvey) -> SurveyDefinition {
        let questions = parts
            .questions
            .into_iter()
            .map(|q| {
                let mut bands: Vec<(AgeBand, BandText)> = Vec::with_capacity(q.text_by_age_band.len());
                for (band, vi, en) in q.text_by_age_band {
                    bands.retain(|(b, _)| *b != band);
                    bands.push((band, BandText { vi, en }));
                }
                bands.sort_by_key(|(b, _)| *b);
                Question {
                    key: q.key,
                    spec: q.spec,
                    required: q.required,
                    topic: q.topic,
                    min_age: q.min_age,
                    max_age: q.max_age,
                    show_if: q.show_if.map(|(question, values)| ShowIf { question, values }),
                    text: q.text,
                    text_by_age_band: bands,
                }
            })
            .collect();
        let mut assent: Vec<(AgeBand, LocalizedText)> = Vec::with_capacity(parts.assent.len());
        for (band, text) in parts.assent {
            assent.retain(|(b, _)| *b != band);
            assent.push((band, text));
        }
        assent.sort_by_key(|(b, _)| *b);
        SurveyDefinition {
            kind: parts.kind,
            topic: parts.topic,
            title: parts.title,
            description: parts.description,
            min_age: parts.min_age,
            max_age: parts.max_age,
            allow_multiple: parts.allow_multiple,
            allow_issues: parts.allow_issues,
            requires_guardian_consent: parts.requires_guardian_consent,
            document_url: parts.document_url,
            document_quote: parts.document_quote,
            questions,
            assent,
        }
    }

    /// The parts of this definition, for storing it
    /// (`from_checked(d.to_checked()) == d`).
    pub fn to_checked(&self) -> CheckedSurvey {
        CheckedSurvey {
            kind: self.kind,
            topic: self.topic.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
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
                .map(|q| CheckedQuestion {
                    key: q.key.clone(),
                    spec: q.spec.clone(),
                    required: q.required,
                    topic: q.topic.clone(),
                    min_age: q.min_age,
                    max_age: q.max_age,
                    show_if: q.show_if.as_ref().map(|s| (s.question.clone(), s.values.clone())),
                    text: q.text.clone(),
                    text_by_age_band: q
                        .text_by_age_band
                        .iter()
                        .map(|(b, t)| (*b, t.vi.clone(), t.en.clone()))
                        .collect(),
                })
                .collect(),
            assent: self.assent.clone(),
        }
    }
}

// ---------------------------------------------------------------------------
// Checked definition

/// An option of a choice or ranking question.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionOption {
    key: String,
    label: LocalizedText,
}

impl QuestionOption {
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn label(&self) -> &LocalizedText {
        &self.label
    }
}

/// Wording for one age band; either language may be missing (the question's
/// default wording fills in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandText {
    vi: Option<String>,
    en: Option<String>,
}

impl BandText {
    pub fn vi(&self) -> Option<&str> {
        self.vi.as_deref()
    }

    pub fn en(&self) -> Option<&str> {
        self.en.as_deref()
    }

    fn get(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::Vi => self.vi(),
            Lang::En => self.en(),
        }
    }
}

/// Show a question only when an earlier question's answer is one of `values`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowIf {
    question: String,
    values: Vec<String>,
}

impl ShowIf {
    pub fn question(&self) -> &str {
        &self.question
    }

    pub fn values(&self) -> &[String] {
        &self.values
    }
}

/// The settings that depend on a question's type, with defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub enum QuestionSpec {
    SingleChoice {
        options: Vec<QuestionOption>,
    },
    MultipleChoice {
        options: Vec<QuestionOption>,
        min_choices: u32,
        max_choices: u32,
    },
    Rating {
        min: i64,
        max: i64,
        faces: bool,
    },
    YesNo,
    Text {
        max_length: u32,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
    },
    Ranking {
        options: Vec<QuestionOption>,
    },
}

impl QuestionSpec {
    pub fn qtype(&self) -> QuestionType {
        match self {
            QuestionSpec::SingleChoice { .. } => QuestionType::SingleChoice,
            QuestionSpec::MultipleChoice { .. } => QuestionType::MultipleChoice,
            QuestionSpec::Rating { .. } => QuestionType::Rating,
            QuestionSpec::YesNo => QuestionType::YesNo,
            QuestionSpec::Text { .. } => QuestionType::Text,
            QuestionSpec::Number { .. } => QuestionType::Number,
            QuestionSpec::Ranking { .. } => QuestionType::Ranking,
        }
    }

    pub fn options(&self) -> &[QuestionOption] {
        match self {
            QuestionSpec::SingleChoice { options }
            | QuestionSpec::MultipleChoice { options, .. }
            | QuestionSpec::Ranking { options } => options,
            _ => &[],
        }
    }

    fn has_option(&self, key: &str) -> bool {
        self.options().iter().any(|o| o.key == key)
    }

    /// Whether `value` can ever match an answer to this question in a
    /// `show_if`; `None` when answers of this type cannot be matched at all.
    fn accepts_show_if_value(&self, value: &str) -> Option<bool> {
        match self {
            QuestionSpec::SingleChoice { .. } | QuestionSpec::MultipleChoice { .. } => Some(self.has_option(value)),
            QuestionSpec::YesNo => Some(value == "yes" || value == "no"),
            QuestionSpec::Rating { min, max, .. } => Some(
                value
                    .parse::<i64>()
                    .is_ok_and(|n| (*min..=*max).contains(&n) && n.to_string() == value),
            ),
            QuestionSpec::Number { min, max } => Some(
                value
                    .parse::<f64>()
                    .is_ok_and(|x| x.is_finite() && format_number(x) == value && within(x, *min, *max)),
            ),
            QuestionSpec::Text { .. } | QuestionSpec::Ranking { .. } => None,
        }
    }
}

/// One checked question.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    key: String,
    spec: QuestionSpec,
    required: bool,
    topic: Option<String>,
    min_age: u8,
    max_age: u8,
    show_if: Option<ShowIf>,
    text: LocalizedText,
    /// Sorted by band, at most one per band.
    text_by_age_band: Vec<(AgeBand, BandText)>,
}

impl Question {
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn qtype(&self) -> QuestionType {
        self.spec.qtype()
    }

    pub fn spec(&self) -> &QuestionSpec {
        &self.spec
    }

    pub fn required(&self) -> bool {
        self.required
    }

    pub fn topic(&self) -> Option<&str> {
        self.topic.as_deref()
    }

    /// Youngest age asked (the survey's unless narrowed).
    pub fn min_age(&self) -> u8 {
        self.min_age
    }

    /// Oldest age asked (the survey's unless narrowed).
    pub fn max_age(&self) -> u8 {
        self.max_age
    }

    pub fn eligible_age(&self, age: u8) -> bool {
        (self.min_age..=self.max_age).contains(&age)
    }

    pub fn show_if(&self) -> Option<&ShowIf> {
        self.show_if.as_ref()
    }

    /// The default wording.
    pub fn text(&self) -> &LocalizedText {
        &self.text
    }

    pub fn text_by_age_band(&self) -> &[(AgeBand, BandText)] {
        &self.text_by_age_band
    }

    pub fn options(&self) -> &[QuestionOption] {
        self.spec.options()
    }

    /// The wording for `band` in `lang`: the band's wording in `lang`, else
    /// the default wording in `lang`, else the same two in Vietnamese.
    pub fn text_for(&self, band: AgeBand, lang: Lang) -> &str {
        let band_text = self.text_by_age_band.iter().find(|(b, _)| *b == band).map(|(_, t)| t);
        if lang == Lang::En {
            if let Some(text) = band_text.and_then(|t| t.get(Lang::En)) {
                return text;
            }
            if let Some(text) = self.text.en() {
                return text;
            }
        }
        band_text.and_then(|t| t.get(Lang::Vi)).unwrap_or(self.text.vi())
    }
}

/// A checked survey definition: every reference resolves, every limit holds.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyDefinition {
    kind: SurveyKind,
    topic: Option<String>,
    title: LocalizedText,
    description: Option<LocalizedText>,
    min_age: u8,
    max_age: u8,
    allow_multiple: bool,
    allow_issues: bool,
    requires_guardian_consent: bool,
    document_url: Option<String>,
    document_quote: Option<String>,
    questions: Vec<Question>,
    /// The survey's own assent wording by band, sorted by band.
    assent: Vec<(AgeBand, LocalizedText)>,
}

impl SurveyDefinition {
    /// Checks a raw definition and reports every problem by field path, in
    /// input order (`kind`, `title.vi`, `min_age`, `questions[2].key`,
    /// `questions[1].show_if.in[0]`, `questions[0].options[1].label.vi`, …).
    /// `topic_exists` says whether a topic slug is known; it is asked about
    /// the survey's and each question's.
    ///
    /// Codes: `required`, `unknown_value` (kind, type, age band),
    /// `unknown_topic`, `too_long`, `out_of_range`, `min_greater_than_max`
    /// (reported on the max field), `not_integer` (rating bounds),
    /// `invalid_key`, `duplicate_key`, `empty_options`, `too_few_options`,
    /// `too_many` (questions, options), `not_allowed` (a setting the type or
    /// kind does not take, `allow_issues: false` on an issue form, a show_if
    /// on a text or ranking answer), `invalid_url` (document link not
    /// http(s)), on `assent.<band>`: `unknown_value` (not a band),
    /// `duplicate_key`, `required` (no Vietnamese), `too_long`, `show_if_unknown_question`, `show_if_later_question`,
    /// `show_if_unknown_option`. A show_if's values are only checked when the
    /// question it names is itself well-formed.
    pub fn parse(raw: &RawSurvey, topic_exists: &dyn Fn(&str) -> bool) -> Result<SurveyDefinition, FieldErrors> {
        let mut errors = FieldErrors::new();
        let e = &mut errors;

        let kind = if raw.kind.is_empty() {
            e.push("kind", "required", "the kind of survey is required");
            None
        } else {
            let kind = SurveyKind::parse(&raw.kind);
            if kind.is_none() {
                e.push_one_of("kind", &SurveyKind::NAMES);
            }
            kind
        };
        let topic = parse_topic(e, "topic", raw.topic.as_deref(), topic_exists);
        let title = required_text(e, "title", raw.title.as_ref(), TITLE_MAX_CHARS);
        let description = optional_text(e, "description", raw.description.as_ref(), DESCRIPTION_MAX_CHARS);

        let min_age = parse_age(e, "min_age", raw.min_age, MIN_AGE, MIN_AGE, MAX_AGE);
        let max_age = parse_age(e, "max_age", raw.max_age, MAX_AGE, MIN_AGE, MAX_AGE);
        let (survey_min, survey_max) = match (min_age, max_age) {
            (Some(lo), Some(hi)) if lo > hi => {
                e.push("max_age", "min_greater_than_max", "max_age is below min_age");
                (MIN_AGE, MAX_AGE)
            }
            (Some(lo), Some(hi)) => (lo, hi),
            _ => (MIN_AGE, MAX_AGE),
        };

        let allow_issues = match (kind, raw.allow_issues) {
            (Some(SurveyKind::IssueForm), Some(false)) => {
                e.push(
                    "allow_issues",
                    "not_allowed",
                    "an issue form always lets children raise issues",
                );
                true
            }
            (Some(SurveyKind::IssueForm), _) => true,
            (_, given) => given.unwrap_or(false),
        };

        let is_policy = kind.is_none_or(|k| k == SurveyKind::PolicyConsultation);
        let document_url = clean(raw.document_url.as_deref());
        if let Some(url) = &document_url {
            if !is_policy {
                e.push(
                    "document_url",
                    "not_allowed",
                    "only a policy consultation has a document",
                );
            } else if url.chars().count() > DOCUMENT_URL_MAX_CHARS {
                e.push(
                    "document_url",
                    "too_long",
                    format!("at most {DOCUMENT_URL_MAX_CHARS} characters"),
                );
            } else if !is_web_url(url) {
                e.push("document_url", "invalid_url", "an http:// or https:// address");
            }
        }
        let document_quote = clean(raw.document_quote.as_deref());
        if let Some(quote) = &document_quote {
            if !is_policy {
                e.push(
                    "document_quote",
                    "not_allowed",
                    "only a policy consultation has a document",
                );
            } else if quote.chars().count() > DOCUMENT_QUOTE_MAX_CHARS {
                e.push(
                    "document_quote",
                    "too_long",
                    format!("at most {DOCUMENT_QUOTE_MAX_CHARS} characters"),
                );
            }
        }

        if raw.questions.is_empty() {
            e.push("questions", "required", "at least one question");
        } else if raw.questions.len() > MAX_QUESTIONS {
            e.push("questions", "too_many", format!("at most {MAX_QUESTIONS} questions"));
        }
        // Where each well-formed key first appears, so that a show_if can be
        // told apart as unknown or later.
        let mut first_index: HashMap<&str, usize> = HashMap::new();
        for (i, q) in raw.questions.iter().enumerate() {
            if is_key(&q.key) {
                first_index.entry(q.key.as_str()).or_insert(i);
            }
        }
        let mut specs: Vec<Option<QuestionSpec>> = Vec::with_capacity(raw.questions.len());
        let mut questions = Vec::with_capacity(raw.questions.len());
        let ctx = QuestionContext {
            topic_exists,
            survey_min,
            survey_max,
            first_index: &first_index,
        };
        for (i, rq) in raw.questions.iter().enumerate() {
            let (spec, question) = parse_question(e, &ctx, i, rq, &specs);
            specs.push(spec);
            if let Some(q) = question {
                questions.push(q);
            }
        }

        let assent = parse_assent(e, &raw.assent);

        let Some(kind) = kind else { return Err(errors) };
        let Some(title) = title else { return Err(errors) };
        errors.into_result(SurveyDefinition {
            kind,
            topic,
            title,
            description,
            min_age: survey_min,
            max_age: survey_max,
            allow_multiple: raw.allow_multiple.unwrap_or(false),
            allow_issues,
            requires_guardian_consent: raw.requires_guardian_consent.unwrap_or(false),
            document_url,
            document_quote,
            questions,
            assent,
        })
    }

    /// The raw form again, with defaults written out (except a question's
    /// ages when they are the survey's): `parse(&d.to_raw(), ..) == Ok(d)`.
    pub fn to_raw(&self) -> RawSurvey {
        RawSurvey {
            kind: self.kind.as_str().to_owned(),
            topic: self.topic.clone(),
            title: Some(raw_text(&self.title)),
            description: self.description.as_ref().map(raw_text),
            min_age: Some(i64::from(self.min_age)),
            max_age: Some(i64::from(self.max_age)),
            allow_multiple: Some(self.allow_multiple),
            allow_issues: Some(self.allow_issues),
            requires_guardian_consent: Some(self.requires_guardian_consent),
            document_url: self.document_url.clone(),
            document_quote: self.document_quote.clone(),
            questions: self.questions.iter().map(|q| self.question_to_raw(q)).collect(),
            assent: self
                .assent
                .iter()
                .map(|(band, t)| (band.as_str().to_owned(), raw_text(t)))
                .collect(),
        }
    }

    fn question_to_raw(&self, q: &Question) -> RawQuestion {
        let raw_options = |options: &[QuestionOption]| {
            options
                .iter()
                .map(|o| RawOption {
                    key: o.key.clone(),
                    label: raw_text(&o.label),
                })
                .collect()
        };
        let mut raw = RawQuestion {
            key: q.key.clone(),
            qtype: q.qtype().as_str().to_owned(),
            required: Some(q.required),
            topic: q.topic.clone(),
            min_age: (q.min_age != self.min_age).then_some(i64::from(q.min_age)),
            max_age: (q.max_age != self.max_age).then_some(i64::from(q.max_age)),
            show_if: q.show_if.as_ref().map(|s| RawShowIf {
                question: s.question.clone(),
                values: s.values.clone(),
            }),
            text: Some(raw_text(&q.text)),
            text_by_age_band: q
                .text_by_age_band
                .iter()
                .map(|(band, t)| {
                    (
                        band.as_str().to_owned(),
                        RawText {
                            vi: t.vi.clone(),
                            en: t.en.clone(),
                        },
                    )
                })
                .collect(),
            ..RawQuestion::default()
        };
        match &q.spec {
            QuestionSpec::SingleChoice { options } | QuestionSpec::Ranking { options } => {
                raw.options = raw_options(options);
            }
            QuestionSpec::MultipleChoice {
                options,
                min_choices,
                max_choices,
            } => {
                raw.options = raw_options(options);
                raw.min_choices = Some(i64::from(*min_choices));
                raw.max_choices = Some(i64::from(*max_choices));
            }
            QuestionSpec::Rating { min, max, faces } => {
                // Both are within RATING_LOWEST..=RATING_HIGHEST, exact in f64.
                raw.min = Some(*min as f64);
                raw.max = Some(*max as f64);
                raw.faces = Some(*faces);
            }
            QuestionSpec::YesNo => {}
            QuestionSpec::Text { max_length } => raw.max_length = Some(i64::from(*max_length)),
            QuestionSpec::Number { min, max } => {
                raw.min = *min;
                raw.max = *max;
            }
        }
        raw
    }

    pub fn kind(&self) -> SurveyKind {
        self.kind
    }

    pub fn topic(&self) -> Option<&str> {
        self.topic.as_deref()
    }

    pub fn title(&self) -> &LocalizedText {
        &self.title
    }

    pub fn description(&self) -> Option<&LocalizedText> {
        self.description.as_ref()
    }

    pub fn min_age(&self) -> u8 {
        self.min_age
    }

    pub fn max_age(&self) -> u8 {
        self.max_age
    }

    pub fn allow_multiple(&self) -> bool {
        self.allow_multiple
    }

    pub fn allow_issues(&self) -> bool {
        self.allow_issues
    }

    /// Whether a child who joined a session of this survey may raise an
    /// issue there: an issue form always, another kind when it allows them.
    pub fn takes_issues(&self) -> bool {
        self.kind == SurveyKind::IssueForm || self.allow_issues
    }

    pub fn requires_guardian_consent(&self) -> bool {
        self.requires_guardian_consent
    }

    pub fn document_url(&self) -> Option<&str> {
        self.document_url.as_deref()
    }

    pub fn document_quote(&self) -> Option<&str> {
        self.document_quote.as_deref()
    }

    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.key == key)
    }

    pub fn eligible_age(&self, age: u8) -> bool {
        (self.min_age..=self.max_age).contains(&age)
    }

    /// The survey's own assent wording, by band (only the bands it words).
    pub fn assent(&self) -> &[(AgeBand, LocalizedText)] {
        &self.assent
    }

    /// What a child of `band` agrees to in `lang`: the survey's wording for
    /// the band in `lang`; else the service's wording for the band in
    /// `lang` ([`default_assent`]). A survey worded only in Vietnamese
    /// leaves an English reader the service's English, never Vietnamese
    /// they may not read.
    pub fn assent_for(&self, band: AgeBand, lang: Lang) -> &str {
        let own = self.assent.iter().find(|(b, _)| *b == band).map(|(_, t)| t);
        match (own, lang) {
            (Some(t), Lang::Vi) => t.vi(),
            (Some(t), Lang::En) => t.en().unwrap_or_else(|| default_assent(band, Lang::En)),
            (None, _) => default_assent(band, lang),
        }
    }
}

/// The service's assent wording when a survey gives none for a band: plain
/// words for the two younger bands, fuller ones for the two older.
pub fn default_assent(band: AgeBand, lang: Lang) -> &'static str {
    let young = matches!(band, AgeBand::Band6To8 | AgeBand::Band9To11);
    match (young, lang) {
        (true, Lang::Vi) => {
            "Em muốn trả lời. Em biết em có thể dừng lúc nào cũng được, và không ai biết câu trả lời là của em."
        }
        (true, Lang::En) => {
            "I want to answer. I know I can stop whenever I like, and nobody will know the answers are mine."
        }
        (false, Lang::Vi) => {
            "Tôi đồng ý tham gia. Tôi biết việc tham gia là tự nguyện, tôi có thể dừng bất cứ lúc nào, và câu trả lời không gắn với tên tôi."
        }
        (false, Lang::En) => {
            "I agree to take part. I know it is my choice, I can stop at any time, and my answers are not linked to my name."
        }
    }
}

struct QuestionContext<'a> {
    topic_exists: &'a dyn Fn(&str) -> bool,
    survey_min: u8,
    survey_max: u8,
    first_index: &'a HashMap<&'a str, usize>,
}

/// Checks question `i`. Returns its type-specific settings when they are
/// valid on their own (later show_ifs are checked against them) and the
/// question when everything about it is valid.
fn parse_question(
    e: &mut FieldErrors,
    ctx: &QuestionContext<'_>,
    i: usize,
    rq: &RawQuestion,
    earlier: &[Option<QuestionSpec>],
) -> (Option<QuestionSpec>, Option<Question>) {
    let before = e.0.len();
    let p = format!("questions[{i}]");

    if check_key(e, &format!("{p}.key"), &rq.key) && ctx.first_index.get(rq.key.as_str()) != Some(&i) {
        e.push(format!("{p}.key"), "duplicate_key", "another question has this key");
    }
    let qtype = if rq.qtype.is_empty() {
        e.push(format!("{p}.type"), "required", "the question type is required");
        None
    } else {
        let qtype = QuestionType::parse(&rq.qtype);
        if qtype.is_none() {
            e.push_one_of(
                format!("{p}.type"),
                &[
                    "single_choice",
                    "multiple_choice",
                    "rating",
                    "yes_no",
                    "text",
                    "number",
                    "ranking",
                ],
            );
        }
        qtype
    };
    let topic = parse_topic(e, &format!("{p}.topic"), rq.topic.as_deref(), ctx.topic_exists);

    let min_age = parse_age(
        e,
        &format!("{p}.min_age"),
        rq.min_age,
        ctx.survey_min,
        ctx.survey_min,
        ctx.survey_max,
    );
    let max_age = parse_age(
        e,
        &format!("{p}.max_age"),
        rq.max_age,
        ctx.survey_max,
        ctx.survey_min,
        ctx.survey_max,
    );
    if let (Some(lo), Some(hi)) = (min_age, max_age)
        && lo > hi
    {
        e.push(
            format!("{p}.max_age"),
            "min_greater_than_max",
            "max_age is below min_age",
        );
    }

    let text = required_text(e, &format!("{p}.text"), rq.text.as_ref(), QUESTION_TEXT_MAX_CHARS);
    let text_by_age_band = parse_band_texts(e, &p, &rq.text_by_age_band);

    let spec = qtype.and_then(|t| parse_spec(e, &p, t, rq));

    let show_if = rq.show_if.as_ref().map(|s| {
        check_show_if(e, ctx, &p, i, s, earlier);
        ShowIf {
            question: s.question.clone(),
            values: s.values.clone(),
        }
    });

    let question = match (spec.clone(), min_age, max_age, text) {
        (Some(spec), Some(min_age), Some(max_age), Some(text)) if e.0.len() == before => Some(Question {
            key: rq.key.clone(),
            spec,
            required: rq.required.unwrap_or(false),
            topic,
            min_age,
            max_age,
            show_if,
            text,
            text_by_age_band,
        }),
        _ => None,
    };
    (spec, question)
}

fn check_show_if(
    e: &mut FieldErrors,
    ctx: &QuestionContext<'_>,
    p: &str,
    i: usize,
    show_if: &RawShowIf,
    earlier: &[Option<QuestionSpec>],
) {
    let field = format!("{p}.show_if.question");
    if show_if.question.is_empty() {
        e.push(field, "required", "the question this one depends on is required");
    } else {
        match ctx.first_index.get(show_if.question.as_str()) {
            None => e.push(field.as_str(), "show_if_unknown_question", "no question has this key"),
            Some(&j) if j >= i => e.push(
                field.as_str(),
                "show_if_later_question",
                "a question can only depend on an earlier question",
            ),
            Some(&j) => {
                if let Some(Some(spec)) = earlier.get(j) {
                    for (k, value) in show_if.values.iter().enumerate() {
                        match spec.accepts_show_if_value(value) {
                            None => {
                                e.push(
                                    field.as_str(),
                                    "not_allowed",
                                    "a question cannot depend on a text or ranking answer",
                                );
                                break;
                            }
                            Some(false) => e.push(
                                format!("{p}.show_if.in[{k}]"),
                                "show_if_unknown_option",
                                "no answer to that question can have this value",
                            ),
                            Some(true) => {}
                        }
                    }
                }
            }
        }
    }
    if show_if.values.is_empty() {
        e.push(format!("{p}.show_if.in"), "required", "at least one value");
    }
}

/// The survey's assent wording by band: known bands, each once, Vietnamese
/// required (English optional), at most [`ASSENT_MAX_CHARS`] each.
/// Texts given per age band under `field` (`assent`,
/// `questions[0].text_by_age_band`): each band known and given once, each
/// text read by `read` (`None`: refused, or nothing to keep), by band.
fn parse_by_band<T>(
    e: &mut FieldErrors,
    field: &str,
    raw: &[(String, RawText)],
    mut read: impl FnMut(&mut FieldErrors, &str, &RawText) -> Option<T>,
) -> Vec<(AgeBand, T)> {
    let mut out: Vec<(AgeBand, T)> = Vec::new();
    let mut seen = HashSet::new();
    for (band_raw, text) in raw {
        let field = format!("{field}.{band_raw}");
        let Some(band) = AgeBand::parse(band_raw) else {
            e.push_one_of(field, &AgeBand::NAMES);
            continue;
        };
        if !seen.insert(band) {
            e.push(field, "duplicate_key", "this band is given twice");
            continue;
        }
        if let Some(t) = read(e, &field, text) {
            out.push((band, t));
        }
    }
    out.sort_by_key(|(band, _)| *band);
    out
}

fn parse_assent(e: &mut FieldErrors, raw: &[(String, RawText)]) -> Vec<(AgeBand, LocalizedText)> {
    parse_by_band(e, "assent", raw, |e, field, text| {
        required_text(e, field, Some(text), ASSENT_MAX_CHARS)
    })
}

fn parse_band_texts(e: &mut FieldErrors, p: &str, raw: &[(String, RawText)]) -> Vec<(AgeBand, BandText)> {
    parse_by_band(e, &format!("{p}.text_by_age_band"), raw, |e, field, text| {
        let mut part = |lang: &str, s: Option<&str>| {
            let s = clean(s);
            if s.as_ref().is_some_and(|s| s.chars().count() > QUESTION_TEXT_MAX_CHARS) {
                e.push(
                    format!("{field}.{lang}"),
                    "too_long",
                    format!("at most {QUESTION_TEXT_MAX_CHARS} characters"),
                );
            }
            s
        };
        let vi = part("vi", text.vi.as_deref());
        let en = part("en", text.en.as_deref());
        // A band entry with no wording at all changes nothing; drop it.
        (vi.is_some() || en.is_some()).then_some(BandText { vi, en })
    })
}

/// The type-specific settings; `None` when any of them (or a field that the
/// type does not take) is wrong.
fn parse_spec(e: &mut FieldErrors, p: &str, qtype: QuestionType, rq: &RawQuestion) -> Option<QuestionSpec> {
    let before = e.0.len();
    let mut not_allowed = |field: &str, present: bool| {
        if present {
            e.push(
                format!("{p}.{field}"),
                "not_allowed",
                format!("a {} question does not take {field}", qtype.as_str()),
            );
        }
    };
    not_allowed("options", !qtype.has_options() && !rq.options.is_empty());
    let is_multiple = qtype == QuestionType::MultipleChoice;
    not_allowed("min_choices", !is_multiple && rq.min_choices.is_some());
    not_allowed("max_choices", !is_multiple && rq.max_choices.is_some());
    let is_scale = matches!(qtype, QuestionType::Rating | QuestionType::Number);
    not_allowed("min", !is_scale && rq.min.is_some());
    not_allowed("max", !is_scale && rq.max.is_some());
    not_allowed("faces", qtype != QuestionType::Rating && rq.faces.is_some());
    not_allowed("max_length", qtype != QuestionType::Text && rq.max_length.is_some());

    let options = if qtype.has_options() {
        parse_options(e, p, &rq.options)
    } else {
        Vec::new()
    };
    let spec = match qtype {
        QuestionType::SingleChoice => QuestionSpec::SingleChoice { options },
        QuestionType::Ranking => QuestionSpec::Ranking { options },
        QuestionType::MultipleChoice => {
            let n = rq.options.len();
            let min_choices = choice_count(e, &format!("{p}.min_choices"), rq.min_choices, 1, n);
            let max_choices = choice_count(e, &format!("{p}.max_choices"), rq.max_choices, n, n);
            if let (Some(lo), Some(hi)) = (min_choices, max_choices)
                && lo > hi
            {
                e.push(
                    format!("{p}.max_choices"),
                    "min_greater_than_max",
                    "max_choices is below min_choices",
                );
            }
            QuestionSpec::MultipleChoice {
                options,
                min_choices: min_choices.unwrap_or(0),
                max_choices: max_choices.unwrap_or(0),
            }
        }
        QuestionType::Rating => {
            let min = rating_bound(e, &format!("{p}.min"), rq.min, RATING_DEFAULT_MIN);
            let max = rating_bound(e, &format!("{p}.max"), rq.max, RATING_DEFAULT_MAX);
            if let (Some(lo), Some(hi)) = (min, max)
                && lo >= hi
            {
                e.push(
                    format!("{p}.max"),
                    "min_greater_than_max",
                    "a rating needs max above min",
                );
            }
            QuestionSpec::Rating {
                min: min.unwrap_or(RATING_DEFAULT_MIN),
                max: max.unwrap_or(RATING_DEFAULT_MAX),
                faces: rq.faces.unwrap_or(false),
            }
        }
        QuestionType::YesNo => QuestionSpec::YesNo,
        QuestionType::Text => {
            let max_length = match rq.max_length {
                None => TEXT_DEFAULT_MAX_LENGTH,
                Some(n) => match u32::try_from(n) {
                    Ok(n) if (1..=TEXT_MAX_LENGTH).contains(&i64::from(n)) => n,
                    _ => {
                        e.push(
                            format!("{p}.max_length"),
                            "out_of_range",
                            format!("between 1 and {TEXT_MAX_LENGTH}"),
                        );
                        TEXT_DEFAULT_MAX_LENGTH
                    }
                },
            };
            QuestionSpec::Text { max_length }
        }
        QuestionType::Number => {
            let mut bound = |field: &str, v: Option<f64>| match v {
                Some(x) if !x.is_finite() => {
                    e.push(format!("{p}.{field}"), "out_of_range", "a finite number");
                    None
                }
                other => other,
            };
            let min = bound("min", rq.min);
            let max = bound("max", rq.max);
            if let (Some(lo), Some(hi)) = (min, max)
                && lo > hi
            {
                e.push(format!("{p}.max"), "min_greater_than_max", "max is below min");
            }
            QuestionSpec::Number { min, max }
        }
    };
    (e.0.len() == before).then_some(spec)
}

fn parse_options(e: &mut FieldErrors, p: &str, raw: &[RawOption]) -> Vec<QuestionOption> {
    let field = format!("{p}.options");
    if raw.is_empty() {
        e.push(field, "empty_options", "this type of question needs options");
    } else if raw.len() < 2 {
        e.push(field, "too_few_options", "at least 2 options");
    } else if raw.len() > MAX_OPTIONS {
        e.push(field, "too_many", format!("at most {MAX_OPTIONS} options"));
    }
    let mut seen = HashSet::new();
    let mut options = Vec::with_capacity(raw.len());
    for (j, o) in raw.iter().enumerate() {
        let key_field = format!("{p}.options[{j}].key");
        if check_key(e, &key_field, &o.key) && !seen.insert(o.key.as_str()) {
            e.push(
                key_field,
                "duplicate_key",
                "another option of this question has this key",
            );
        }
        let label = required_text(e, &format!("{p}.options[{j}].label"), Some(&o.label), LABEL_MAX_CHARS);
        if let Some(label) = label {
            options.push(QuestionOption {
                key: o.key.clone(),
                label,
            });
        }
    }
    options
}

fn choice_count(e: &mut FieldErrors, field: &str, v: Option<i64>, default: usize, options: usize) -> Option<u32> {
    let n = match v {
        None => default,
        Some(n) => match usize::try_from(n) {
            Ok(n) if n <= options => n,
            _ => {
                e.push(
                    field,
                    "out_of_range",
                    format!("between 0 and the number of options ({options})"),
                );
                return None;
            }
        },
    };
    u32::try_from(n).ok()
}

fn rating_bound(e: &mut FieldErrors, field: &str, v: Option<f64>, default: i64) -> Option<i64> {
    let Some(x) = v else { return Some(default) };
    if !x.is_finite() || x < RATING_LOWEST as f64 || x > RATING_HIGHEST as f64 {
        e.push(
            field,
            "out_of_range",
            format!("between {RATING_LOWEST} and {RATING_HIGHEST}"),
        );
        None
    } else if x.fract() != 0.0 {
        e.push(field, "not_integer", "a whole number");
        None
    } else {
        // In range and whole, so the conversion is exact.
        Some(x as i64)
    }
}

/// A question or option key: 1–64 of `a-z`, `0-9`, `_`.
fn is_key(key: &str) -> bool {
    (1..=KEY_MAX_LEN).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_key(e: &mut FieldErrors, field: &str, key: &str) -> bool {
    if key.is_empty() {
        e.push(field, "required", "a key is required");
        false
    } else if !is_key(key) {
        e.push(field, "invalid_key", "1 to 64 characters: a-z, digits or '_'");
        false
    } else {
        true
    }
}

fn parse_topic(
    e: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    topic_exists: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let topic = clean(raw)?;
    if !topic_exists(&topic) {
        e.push(field, "unknown_topic", "no topic has this slug");
    }
    Some(topic)
}

fn parse_age(e: &mut FieldErrors, field: &str, raw: Option<i64>, default: u8, lo: u8, hi: u8) -> Option<u8> {
    let Some(age) = raw else { return Some(default) };
    match u8::try_from(age) {
        Ok(age) if (lo..=hi).contains(&age) => Some(age),
        _ => {
            e.push(field, "out_of_range", format!("between {lo} and {hi}"));
            None
        }
    }
}

fn required_text(e: &mut FieldErrors, field: &str, raw: Option<&RawText>, max_chars: usize) -> Option<LocalizedText> {
    let (vi, en) = raw.map_or((None, None), |t| (t.vi.as_deref(), t.en.as_deref()));
    match LocalizedText::parse(field, vi.unwrap_or(""), en, max_chars) {
        Ok(text) => Some(text),
        Err(errors) => {
            e.0.extend(errors.0);
            None
        }
    }
}

/// An optional text: absent or blank in both languages is none; otherwise
/// Vietnamese is required, as everywhere.
fn optional_text(e: &mut FieldErrors, field: &str, raw: Option<&RawText>, max_chars: usize) -> Option<LocalizedText> {
    let raw = raw?;
    if clean(raw.vi.as_deref()).is_none() && clean(raw.en.as_deref()).is_none() {
        return None;
    }
    required_text(e, field, Some(raw), max_chars)
}

fn raw_text(t: &LocalizedText) -> RawText {
    RawText {
        vi: Some(t.vi().to_owned()),
        en: t.en().map(str::to_owned),
    }
}

/// Trimmed, and `None` when blank.
fn clean(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// An absolute http(s) address with a host and no whitespace: the document
/// link is shown to children, so no `javascript:` or `data:` links.
fn is_web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

/// A number as a show_if value: `4` for 4.0, `2.5` for 2.5.
fn format_number(x: f64) -> String {
    // `-0` and `0` are one answer.
    if x == 0.0 { "0".to_owned() } else { format!("{x}") }
}

fn within(x: f64, min: Option<f64>, max: Option<f64>) -> bool {
    min.is_none_or(|m| x >= m) && max.is_none_or(|m| x <= m)
}

// ---------------------------------------------------------------------------
// Rendering

/// A survey as one child sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedSurvey {
    pub kind: SurveyKind,
    pub title: String,
    pub description: Option<String>,
    pub document_url: Option<String>,
    pub document_quote: Option<String>,
    pub age_band: AgeBand,
    /// What the child agreed to, for their band and language.
    pub assent: String,
    /// Whether the child may raise an issue in this survey's sessions.
    pub takes_issues: bool,
    pub questions: Vec<RenderedQuestion>,
}

/// A question as one child sees it. Settings that do not apply to its type
/// are `None`; choice counts are given with their defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedQuestion {
    pub key: String,
    pub qtype: QuestionType,
    pub required: bool,
    pub text: String,
    /// Key and label.
    pub options: Vec<(String, String)>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub faces: bool,
    pub max_length: Option<u32>,
    pub min_choices: Option<u32>,
    pub max_choices: Option<u32>,
    /// The earlier question and the values that show this one.
    pub show_if: Option<(String, Vec<String>)>,
}

/// What a child of `age` sees in `lang`: the questions eligible for that age
/// (and not depending on one that is not), worded for the child's band and
/// language with fallback to the default wording, then to Vietnamese. An age
/// outside 6–17 takes the nearest band.
pub fn render(def: &SurveyDefinition, age: u8, lang: Lang) -> RenderedSurvey {
    let band = AgeBand::for_age(age).unwrap_or(if age < MIN_AGE {
        AgeBand::Band6To8
    } else {
        AgeBand::Band15To17
    });
    let mut shown: HashSet<&str> = HashSet::new();
    let mut questions = Vec::new();
    for q in &def.questions {
        let reachable = q.show_if.as_ref().is_none_or(|s| shown.contains(s.question.as_str()));
        if !q.eligible_age(age) || !reachable {
            continue;
        }
        shown.insert(&q.key);
        questions.push(render_question(q, band, lang));
    }
    RenderedSurvey {
        kind: def.kind,
        title: def.title.get(lang).to_owned(),
        description: def.description.as_ref().map(|d| d.get(lang).to_owned()),
        document_url: def.document_url.clone(),
        document_quote: def.document_quote.clone(),
        age_band: band,
        assent: def.assent_for(band, lang).to_owned(),
        takes_issues: def.takes_issues(),
        questions,
    }
}

fn render_question(q: &Question, band: AgeBand, lang: Lang) -> RenderedQuestion {
    let mut r = RenderedQuestion {
        key: q.key.clone(),
        qtype: q.qtype(),
        required: q.required,
        text: q.text_for(band, lang).to_owned(),
        options: q
            .options()
            .iter()
            .map(|o| (o.key.clone(), o.label.get(lang).to_owned()))
            .collect(),
        min: None,
        max: None,
        faces: false,
        max_length: None,
        min_choices: None,
        max_choices: None,
        show_if: q.show_if.as_ref().map(|s| (s.question.clone(), s.values.clone())),
    };
    match &q.spec {
        QuestionSpec::MultipleChoice {
            min_choices,
            max_choices,
            ..
        } => {
            r.min_choices = Some(*min_choices);
            r.max_choices = Some(*max_choices);
        }
        QuestionSpec::Rating { min, max, faces } => {
            r.min = Some(*min as f64);
            r.max = Some(*max as f64);
            r.faces = *faces;
        }
        QuestionSpec::Text { max_length } => r.max_length = Some(*max_length),
        QuestionSpec::Number { min, max } => {
            r.min = *min;
            r.max = *max;
        }
        QuestionSpec::SingleChoice { .. } | QuestionSpec::Ranking { .. } | QuestionSpec::YesNo => {}
    }
    r
}

// ---------------------------------------------------------------------------
// Answers

/// An answer as the client sent it.
#[derive(Debug, Clone, PartialEq)]
pub enum RawAnswer {
    Text(String),
    Number(f64),
    Bool(bool),
    List(Vec<String>),
    Null,
    /// Any other JSON value (object, array with non-strings).
    Invalid,
}

/// A checked answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The chosen option's key.
    Choice(String),
    /// The chosen options' keys, in the question's option order.
    Choices(Vec<String>),
    Rating(i64),
    YesNo(bool),
    /// Trimmed.
    Text(String),
    Number(f64),
    /// Every option key, most preferred first.
    Ranking(Vec<String>),
}

impl Answer {
    /// Whether this answer makes a question with `show_if` values visible.
    fn matches(&self, values: &[String]) -> bool {
        let has = |v: &str| values.iter().any(|x| x == v);
        match self {
            Answer::Choice(k) => has(k),
            Answer::Choices(ks) => ks.iter().any(|k| has(k)),
            Answer::YesNo(b) => has(if *b { "yes" } else { "no" }),
            Answer::Rating(n) => has(&n.to_string()),
            Answer::Number(x) => has(&format_number(*x)),
            Answer::Text(_) | Answer::Ranking(_) => false,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visibility {
    Shown,
    Hidden,
    /// Depends on an answer that is itself refused: neither `required` nor
    /// `hidden_question` can be decided, and the submission fails anyway.
    Unknown,
}

enum Slot {
    Absent,
    Valid(Answer),
    Invalid,
}

/// Checks a whole submission by a child of `age` against `def` and returns
/// the answers in question order (null answers left out), or every problem
/// at `answers.<key>`. A child outside the survey's ages gets one more
/// problem at `age` (`not_eligible`).
pub fn validate_answers(
    def: &SurveyDefinition,
    age: u8,
    answers: &[(String, RawAnswer)],
) -> Result<Vec<(String, Answer)>, FieldErrors> {
    let mut e = FieldErrors::new();
    if !def.eligible_age(age) {
        e.push_said(
            "age",
            "not_eligible",
            format!(
                "Khảo sát này dành cho các bạn từ {} đến {} tuổi.",
                def.min_age, def.max_age
            ),
            format!("this survey is for ages {} to {}", def.min_age, def.max_age),
        );
    }
    let index: HashMap<&str, usize> = def
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| (q.key.as_str(), i))
        .collect();

    let mut submitted: HashMap<&str, &RawAnswer> = HashMap::new();
    for (key, answer) in answers {
        if !index.contains_key(key.as_str()) {
            e.push_said(
                format!("answers.{key}"),
                "unknown_question",
                "Không có câu hỏi này.",
                "no question has this key",
            );
        } else if submitted.contains_key(key.as_str()) {
            e.push_said(
                format!("answers.{key}"),
                "duplicate_key",
                "Câu hỏi này được trả lời hai lần.",
                "this question is answered twice",
            );
        } else {
            submitted.insert(key, answer);
        }
    }

    let mut states: Vec<(Visibility, Slot)> = Vec::with_capacity(def.questions.len());
    let mut out = Vec::new();
    for q in &def.questions {
        let field = format!("answers.{}", q.key);
        let eligible = q.eligible_age(age);
        let visibility = if !eligible {
            Visibility::Hidden
        } else if let Some(show_if) = &q.show_if {
            // show_if always names an earlier question, so its state is known.
            match index.get(show_if.question.as_str()).and_then(|&j| states.get(j)) {
                Some((Visibility::Shown, Slot::Valid(a))) if a.matches(&show_if.values) => Visibility::Shown,
                Some((Visibility::Shown, Slot::Invalid) | (Visibility::Unknown, _)) => Visibility::Unknown,
                _ => Visibility::Hidden,
            }
        } else {
            Visibility::Shown
        };
        let raw = submitted
            .get(q.key.as_str())
            .copied()
            .filter(|a| **a != RawAnswer::Null);
        let slot = match raw {
            None => {
                if q.required && visibility == Visibility::Shown {
                    e.push_said(
                        field,
                        "required",
                        "Em hãy trả lời câu hỏi này.",
                        "this question needs an answer",
                    );
                }
                Slot::Absent
            }
            Some(_) if !eligible => {
                e.push_said(
                    field,
                    "not_eligible",
                    "Câu hỏi này không dành cho tuổi của em.",
                    "this question is not for the child's age",
                );
                Slot::Invalid
            }
            Some(_) if visibility == Visibility::Hidden => {
                e.push_said(
                    field,
                    "hidden_question",
                    "Câu hỏi này không hiện với các câu trả lời trước của em.",
                    "this question is not shown for the earlier answers",
                );
                Slot::Invalid
            }
            Some(raw) => match check_answer(&mut e, &field, &q.spec, raw) {
                Some(answer) => {
                    out.push((q.key.clone(), answer.clone()));
                    Slot::Valid(answer)
                }
                None => Slot::Invalid,
            },
        };
        states.push((visibility, slot));
    }
    e.into_result(out)
}

fn check_answer(e: &mut FieldErrors, field: &str, spec: &QuestionSpec, raw: &RawAnswer) -> Option<Answer> {
    let before = e.0.len();
    let answer = match (spec, raw) {
        (QuestionSpec::SingleChoice { .. }, RawAnswer::Text(k)) => {
            if !spec.has_option(k) {
                e.push_said(
                    field,
                    "unknown_option",
                    "Đây không phải một lựa chọn của câu hỏi.",
                    "not an option of this question",
                );
            }
            Answer::Choice(k.clone())
        }
        (
            QuestionSpec::MultipleChoice {
                options,
                min_choices,
                max_choices,
            },
            RawAnswer::List(keys),
        ) => {
            if keys.iter().any(|k| !spec.has_option(k)) {
                e.push_said(
                    field,
                    "unknown_option",
                    "Đây không phải một lựa chọn của câu hỏi.",
                    "not an option of this question",
                );
            }
            let mut seen = HashSet::new();
            if !keys.iter().all(|k| seen.insert(k.as_str())) {
                e.push_said(
                    field,
                    "duplicate_choice",
                    "Một lựa chọn được chọn hai lần.",
                    "an option is chosen twice",
                );
            }
            if e.0.len() == before {
                let n = keys.len();
                if n < *min_choices as usize {
                    e.push_said(
                        field,
                        "too_few_choices",
                        format!("Em hãy chọn ít nhất {min_choices}."),
                        format!("choose at least {min_choices}"),
                    );
                } else if n > *max_choices as usize {
                    e.push_said(
                        field,
                        "too_many_choices",
                        format!("Em chỉ chọn nhiều nhất {max_choices}."),
                        format!("choose at most {max_choices}"),
                    );
                }
            }
            Answer::Choices(
                options
                    .iter()
                    .filter(|o| seen.contains(o.key.as_str()))
                    .map(|o| o.key.clone())
                    .collect(),
            )
        }
        (QuestionSpec::Rating { min, max, .. }, RawAnswer::Number(x)) => {
            if !x.is_finite() {
                e.push_said(
                    field,
                    "out_of_range",
                    format!("Em chọn từ {min} đến {max}."),
                    format!("between {min} and {max}"),
                );
            } else if x.fract() != 0.0 {
                e.push_said(field, "not_integer", "Em chọn một số nguyên.", "a whole number");
            } else if *x < *min as f64 || *x > *max as f64 {
                e.push_said(
                    field,
                    "out_of_range",
                    format!("Em chọn từ {min} đến {max}."),
                    format!("between {min} and {max}"),
                );
            }
            // Only used when no error was pushed: then it is a whole number
            // within a small range, so the conversion is exact.
            Answer::Rating(*x as i64)
        }
        (QuestionSpec::YesNo, RawAnswer::Bool(b)) => Answer::YesNo(*b),
        (QuestionSpec::Text { max_length }, RawAnswer::Text(s)) => {
            let s = s.trim();
            if s.is_empty() {
                e.push_said(field, "empty_text", "Em chưa viết gì.", "the text is empty");
            } else if s.chars().count() > *max_length as usize {
                e.push_said(
                    field,
                    "too_long",
                    format!("Em viết tối đa {max_length} ký tự."),
                    format!("at most {max_length} characters"),
                );
            }
            Answer::Text(s.to_owned())
        }
        (QuestionSpec::Number { min, max }, RawAnswer::Number(x)) => {
            if !x.is_finite() || !within(*x, *min, *max) {
                let (vi, en) = match (min, max) {
                    (Some(lo), Some(hi)) => (
                        format!("Em ghi một số từ {lo} đến {hi}."),
                        format!("between {lo} and {hi}"),
                    ),
                    (Some(lo), None) => (format!("Em ghi một số từ {lo} trở lên."), format!("at least {lo}")),
                    (None, Some(hi)) => (format!("Em ghi một số không quá {hi}."), format!("at most {hi}")),
                    (None, None) => ("Em ghi một con số.".to_owned(), "a finite number".to_owned()),
                };
                e.push_said(field, "out_of_range", vi, en);
            }
            Answer::Number(*x)
        }
        (QuestionSpec::Ranking { options }, RawAnswer::List(keys)) => {
            let mut seen = HashSet::new();
            let permutation =
                keys.len() == options.len() && keys.iter().all(|k| spec.has_option(k) && seen.insert(k.as_str()));
            if !permutation {
                e.push_said(
                    field,
                    "invalid_ranking",
                    "Em xếp thứ tự mỗi lựa chọn đúng một lần.",
                    "order every option exactly once",
                );
            }
            Answer::Ranking(keys.clone())
        }
        _ => {
            e.push_said(
                field,
                "invalid_type",
                "Câu trả lời không đúng kiểu của câu hỏi.",
                format!("expected {}", spec.qtype().expected_answer()),
            );
            return None;
        }
    };
    (e.0.len() == before).then_some(answer)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn topics(slug: &str) -> bool {
        matches!(slug, "safety" | "school" | "health")
    }

    fn text(vi: &str, en: Option<&str>) -> RawText {
        RawText {
            vi: Some(vi.to_owned()),
            en: en.map(str::to_owned),
        }
    }

    fn option(key: &str, vi: &str, en: Option<&str>) -> RawOption {
        RawOption {
            key: key.to_owned(),
            label: text(vi, en),
        }
    }

    fn question(key: &str, qtype: &str) -> RawQuestion {
        RawQuestion {
            key: key.to_owned(),
            qtype: qtype.to_owned(),
            text: Some(text(&format!("Câu hỏi {key}?"), Some(&format!("Question {key}?")))),
            ..RawQuestion::default()
        }
    }

    fn show_if(question: &str, values: &[&str]) -> Option<RawShowIf> {
        Some(RawShowIf {
            question: question.to_owned(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        })
    }

    /// The example from the API description.
    fn example() -> RawSurvey {
        RawSurvey {
            kind: "opinion".into(),
            topic: Some("safety".into()),
            title: Some(text("Đường đến trường", Some("The way to school"))),
            min_age: Some(6),
            max_age: Some(17),
            questions: vec![
                RawQuestion {
                    key: "feel_safe".into(),
                    qtype: "single_choice".into(),
                    required: Some(true),
                    text: Some(text(
                        "Em có cảm thấy an toàn trên đường đến trường không?",
                        Some("Do you feel safe on your way to school?"),
                    )),
                    text_by_age_band: vec![(
                        "6-8".into(),
                        RawText {
                            vi: Some("Em đi học có thấy an toàn không?".into()),
                            en: None,
                        },
                    )],
                    options: vec![
                        option("yes", "Có", Some("Yes")),
                        option("no", "Không", Some("No")),
                        option("not_sure", "Em không chắc", Some("Not sure")),
                    ],
                    ..RawQuestion::default()
                },
                RawQuestion {
                    key: "why_not".into(),
                    qtype: "text".into(),
                    max_length: Some(500),
                    show_if: show_if("feel_safe", &["no", "not_sure"]),
                    text: Some(text(
                        "Điều gì làm em thấy không an toàn?",
                        Some("What makes you feel unsafe?"),
                    )),
                    ..RawQuestion::default()
                },
                RawQuestion {
                    key: "happy_at_school".into(),
                    qtype: "rating".into(),
                    min: Some(1.0),
                    max: Some(5.0),
                    faces: Some(true),
                    text: Some(text(
                        "Em vui thế nào khi ở trường?",
                        Some("How happy are you at school?"),
                    )),
                    ..RawQuestion::default()
                },
            ],
            ..RawSurvey::default()
        }
    }

    fn parse(raw: &RawSurvey) -> Result<SurveyDefinition, FieldErrors> {
        SurveyDefinition::parse(raw, &topics)
    }

    fn def(raw: &RawSurvey) -> SurveyDefinition {
        parse(raw).unwrap()
    }

    fn problems(e: &FieldErrors) -> Vec<(String, &'static str)> {
        e.0.iter().map(|e| (e.field.clone(), e.code)).collect()
    }

    fn expected(pairs: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
        pairs.iter().map(|(f, c)| ((*f).to_owned(), *c)).collect()
    }

    /// Edits the example survey and checks the exact problems reported.
    fn check_refusal(edit: fn(&mut RawSurvey), expect: &[(&str, &'static str)]) {
        let mut raw = example();
        edit(&mut raw);
        let got = match parse(&raw) {
            Ok(_) => Vec::new(),
            Err(e) => problems(&e),
        };
        assert_eq!(got, expected(expect), "for {raw:?}");
    }

    fn long(n: usize) -> String {
        "ắ".repeat(n)
    }

    #[test]
    fn the_survey_words_assent_by_band_or_the_service_does() {
        let mut raw = example();
        raw.assent = vec![
            (
                "12-14".into(),
                text("  Mình đồng ý trả lời.  ", Some("I agree to answer.")),
            ),
            ("6-8".into(), text("Em muốn trả lời.", None)),
        ];
        let d = def(&raw);
        // Sorted by band, trimmed.
        let bands: Vec<_> = d.assent().iter().map(|(b, t)| (*b, t.vi())).collect();
        assert_eq!(
            bands,
            vec![
                (AgeBand::Band6To8, "Em muốn trả lời."),
                (AgeBand::Band12To14, "Mình đồng ý trả lời.")
            ]
        );
        assert_eq!(d.assent_for(AgeBand::Band12To14, Lang::En), "I agree to answer.");
        assert_eq!(d.assent_for(AgeBand::Band6To8, Lang::Vi), "Em muốn trả lời.");
        // No English for the band: the service's English, not Vietnamese.
        assert_eq!(
            d.assent_for(AgeBand::Band6To8, Lang::En),
            default_assent(AgeBand::Band6To8, Lang::En)
        );
        // A band the survey does not word: the service's wording for it.
        assert_eq!(
            d.assent_for(AgeBand::Band15To17, Lang::Vi),
            default_assent(AgeBand::Band15To17, Lang::Vi)
        );
        assert!(default_assent(AgeBand::Band9To11, Lang::Vi).starts_with("Em muốn"));
        assert!(default_assent(AgeBand::Band12To14, Lang::Vi).starts_with("Tôi đồng ý"));
        // What a child sees carries it; the raw form and the checked parts give it back.
        assert_eq!(render(&d, 7, Lang::Vi).assent, "Em muốn trả lời.");
        assert_eq!(
            render(&d, 16, Lang::En).assent,
            default_assent(AgeBand::Band15To17, Lang::En)
        );
        assert_eq!(parse(&d.to_raw()).unwrap(), d);
        assert_eq!(SurveyDefinition::from_checked(d.to_checked()), d);
        // A survey without wording: the service's for every band.
        let plain = def(&example());
        assert!(plain.assent().is_empty());
        for band in AgeBand::ALL {
            assert_eq!(plain.assent_for(band, Lang::Vi), default_assent(band, Lang::Vi));
        }
    }

    #[test]
    fn assent_wording_is_checked() {
        check_refusal(
            |s| s.assent = vec![("5-7".into(), text("Em đồng ý.", None))],
            &[("assent.5-7", "unknown_value")],
        );
        check_refusal(
            |s| {
                s.assent = vec![
                    ("6-8".into(), text("Em đồng ý.", None)),
                    ("6-8".into(), text("Em cũng đồng ý.", None)),
                ]
            },
            &[("assent.6-8", "duplicate_key")],
        );
        check_refusal(
            |s| {
                s.assent = vec![(
                    "9-11".into(),
                    RawText {
                        vi: None,
                        en: Some("I agree.".into()),
                    },
                )]
            },
            &[("assent.9-11.vi", "required")],
        );
        check_refusal(
            |s| s.assent = vec![("15-17".into(), text(&long(601), Some(&"a".repeat(601))))],
            &[("assent.15-17.vi", "too_long"), ("assent.15-17.en", "too_long")],
        );
        check_refusal(|s| s.assent = vec![("15-17".into(), text(&long(600), None))], &[]);
        check_refusal(
            |s| s.assent = vec![("6-8".into(), text("Em đồng ý\u{202e}.", None))],
            &[("assent.6-8.vi", "invalid_character")],
        );
    }

    #[test]
    fn the_example_parses_with_defaults() {
        let d = def(&example());
        assert_eq!(d.kind(), SurveyKind::Opinion);
        assert_eq!(d.topic(), Some("safety"));
        assert_eq!(d.title().en(), Some("The way to school"));
        assert_eq!((d.min_age(), d.max_age()), (6, 17));
        assert!(!d.allow_multiple() && !d.allow_issues() && !d.requires_guardian_consent());
        assert!(!d.takes_issues() && !render(&d, 10, Lang::Vi).takes_issues);
        let keys: Vec<_> = d.questions().iter().map(Question::key).collect();
        assert_eq!(keys, ["feel_safe", "why_not", "happy_at_school"]);
        let q = &d.questions()[2];
        assert_eq!(q.qtype(), QuestionType::Rating);
        assert!(!q.required());
        assert_eq!(
            q.spec(),
            &QuestionSpec::Rating {
                min: 1,
                max: 5,
                faces: true
            }
        );
        assert_eq!((q.min_age(), q.max_age()), (6, 17));
        assert!(d.eligible_age(6) && d.eligible_age(17) && !d.eligible_age(5) && !d.eligible_age(18));
    }

    #[test]
    fn defaults_by_kind_and_type() {
        let mut raw = example();
        raw.kind = "issue_form".into();
        raw.questions[1].max_length = None;
        raw.questions[2].min = None;
        raw.questions[2].max = None;
        raw.questions.push(question("pick", "multiple_choice"));
        raw.questions[3].options = vec![option("a", "A", None), option("b", "B", None), option("c", "C", None)];
        let d = def(&raw);
        assert!(d.allow_issues() && d.takes_issues() && render(&d, 10, Lang::Vi).takes_issues);
        assert_eq!(d.questions()[1].spec(), &QuestionSpec::Text { max_length: 500 });
        assert_eq!(
            d.questions()[2].spec(),
            &QuestionSpec::Rating {
                min: 1,
                max: 5,
                faces: true
            }
        );
        assert!(matches!(
            d.questions()[3].spec(),
            QuestionSpec::MultipleChoice {
                min_choices: 1,
                max_choices: 3,
                ..
            }
        ));

        let mut raw = example();
        raw.kind = "policy_consultation".into();
        raw.allow_issues = Some(true);
        raw.document_url = Some(" https://example.vn/du-thao.pdf ".into());
        raw.document_quote = Some("Điều 1. Trẻ em có quyền được lắng nghe.".into());
        raw.description = Some(RawText {
            vi: Some("  ".into()),
            en: Some("".into()),
        });
        let d = def(&raw);
        assert!(d.allow_issues());
        assert_eq!(d.document_url(), Some("https://example.vn/du-thao.pdf"));
        assert_eq!(d.description(), None);
    }

    #[test]
    fn kind_band_and_type_names() {
        crate::testing::assert_names_read_back(SurveyKind::ALL, SurveyKind::as_str, SurveyKind::parse);
        crate::testing::assert_names_read_back(QuestionType::ALL, QuestionType::as_str, QuestionType::parse);
        crate::testing::assert_names_read_back(AgeBand::ALL, AgeBand::as_str, AgeBand::parse);
        assert_eq!(SurveyKind::parse("Opinion"), None);
        assert_eq!(QuestionType::parse("slider"), None);
        assert_eq!(AgeBand::parse("6–8"), None);
        let bands: Vec<_> = (0..=20).map(|a| AgeBand::for_age(a).map(AgeBand::as_str)).collect();
        let mut expect = vec![None; 6];
        expect.extend(["6-8"; 3].map(Some));
        expect.extend(["9-11"; 3].map(Some));
        expect.extend(["12-14"; 3].map(Some));
        expect.extend(["15-17"; 3].map(Some));
        expect.extend([None; 3]);
        assert_eq!(bands, expect);
    }

    #[test]
    fn definition_refusals() {
        // The survey itself.
        check_refusal(|s| s.kind = "poll".into(), &[("kind", "unknown_value")]);
        check_refusal(|s| s.kind = String::new(), &[("kind", "required")]);
        check_refusal(|s| s.topic = Some("weather".into()), &[("topic", "unknown_topic")]);
        check_refusal(|s| s.topic = Some("  ".into()), &[]);
        check_refusal(|s| s.title = None, &[("title.vi", "required")]);
        check_refusal(
            |s| s.title = Some(text(" ", Some("Title"))),
            &[("title.vi", "required")],
        );
        check_refusal(|s| s.title = Some(text(&long(201), None)), &[("title.vi", "too_long")]);
        check_refusal(
            |s| s.title = Some(text(&long(200), Some(&long(201)))),
            &[("title.en", "too_long")],
        );
        check_refusal(
            |s| {
                s.description = Some(RawText {
                    vi: None,
                    en: Some("Only English".into()),
                })
            },
            &[("description.vi", "required")],
        );
        check_refusal(
            |s| s.description = Some(text(&long(4001), None)),
            &[("description.vi", "too_long")],
        );
        check_refusal(|s| s.min_age = Some(5), &[("min_age", "out_of_range")]);
        check_refusal(|s| s.max_age = Some(18), &[("max_age", "out_of_range")]);
        check_refusal(|s| s.min_age = Some(-1), &[("min_age", "out_of_range")]);
        check_refusal(|s| s.max_age = Some(i64::MAX), &[("max_age", "out_of_range")]);
        check_refusal(
            |s| {
                s.min_age = Some(12);
                s.max_age = Some(9);
            },
            &[("max_age", "min_greater_than_max")],
        );
        check_refusal(
            |s| {
                s.kind = "issue_form".into();
                s.allow_issues = Some(false);
            },
            &[("allow_issues", "not_allowed")],
        );
        check_refusal(
            |s| {
                s.document_url = Some("https://example.vn/a.pdf".into());
                s.document_quote = Some("Điều 1".into());
            },
            &[("document_url", "not_allowed"), ("document_quote", "not_allowed")],
        );
        check_refusal(
            |s| {
                s.kind = "policy_consultation".into();
                s.document_url = Some("javascript:alert(1)".into());
            },
            &[("document_url", "invalid_url")],
        );
        check_refusal(
            |s| {
                s.kind = "policy_consultation".into();
                s.document_url = Some("https://".into());
            },
            &[("document_url", "invalid_url")],
        );
        check_refusal(
            |s| {
                s.kind = "policy_consultation".into();
                s.document_url = Some("https://example.vn/a b".into());
            },
            &[("document_url", "invalid_url")],
        );
        check_refusal(
            |s| {
                s.kind = "policy_consultation".into();
                s.document_url = Some(format!("https://example.vn/{}", "a".repeat(2000)));
                s.document_quote = Some(long(4001));
            },
            &[("document_url", "too_long"), ("document_quote", "too_long")],
        );
        check_refusal(|s| s.questions.clear(), &[("questions", "required")]);
        check_refusal(
            |s| {
                for i in 3..101 {
                    s.questions.push(question(&format!("q{i}"), "yes_no"));
                }
            },
            &[("questions", "too_many")],
        );
        check_refusal(
            |s| {
                for i in 3..100 {
                    s.questions.push(question(&format!("q{i}"), "yes_no"));
                }
            },
            &[],
        );

        // Keys, types, topics, ages and wording of a question.
        check_refusal(
            |s| s.questions[2].key = "Happy!".into(),
            &[("questions[2].key", "invalid_key")],
        );
        check_refusal(
            |s| s.questions[2].key = " happy".into(),
            &[("questions[2].key", "invalid_key")],
        );
        check_refusal(
            |s| s.questions[2].key = "a".repeat(65),
            &[("questions[2].key", "invalid_key")],
        );
        check_refusal(|s| s.questions[2].key = "a".repeat(64), &[]);
        check_refusal(
            |s| s.questions[2].key = String::new(),
            &[("questions[2].key", "required")],
        );
        check_refusal(
            |s| s.questions[2].key = "feel_safe".into(),
            &[("questions[2].key", "duplicate_key")],
        );
        check_refusal(
            |s| s.questions[2].qtype = "slider".into(),
            &[("questions[2].type", "unknown_value")],
        );
        check_refusal(
            |s| s.questions[2].qtype = String::new(),
            &[("questions[2].type", "required")],
        );
        check_refusal(
            |s| s.questions[0].topic = Some("weather".into()),
            &[("questions[0].topic", "unknown_topic")],
        );
        check_refusal(|s| s.questions[0].topic = Some("school".into()), &[]);
        check_refusal(
            |s| s.questions[0].min_age = Some(5),
            &[("questions[0].min_age", "out_of_range")],
        );
        check_refusal(
            |s| {
                s.min_age = Some(9);
                s.questions[2].min_age = Some(6);
                s.questions[2].max_age = Some(18);
            },
            &[
                ("questions[2].min_age", "out_of_range"),
                ("questions[2].max_age", "out_of_range"),
            ],
        );
        check_refusal(
            |s| {
                s.questions[2].min_age = Some(12);
                s.questions[2].max_age = Some(10);
            },
            &[("questions[2].max_age", "min_greater_than_max")],
        );
        check_refusal(
            |s| {
                s.max_age = Some(11);
                s.questions[2].min_age = Some(12);
            },
            &[("questions[2].min_age", "out_of_range")],
        );
        check_refusal(|s| s.questions[2].text = None, &[("questions[2].text.vi", "required")]);
        check_refusal(
            |s| s.questions[2].text = Some(text(&long(1001), None)),
            &[("questions[2].text.vi", "too_long")],
        );
        check_refusal(
            |s| s.questions[0].text_by_age_band.push(("5-7".into(), text("x", None))),
            &[("questions[0].text_by_age_band.5-7", "unknown_value")],
        );
        check_refusal(
            |s| s.questions[0].text_by_age_band.push(("6-8".into(), text("x", None))),
            &[("questions[0].text_by_age_band.6-8", "duplicate_key")],
        );
        check_refusal(
            |s| {
                s.questions[0].text_by_age_band.push((
                    "12-14".into(),
                    RawText {
                        vi: None,
                        en: Some(long(1001)),
                    },
                ))
            },
            &[("questions[0].text_by_age_band.12-14.en", "too_long")],
        );

        // Options.
        check_refusal(
            |s| s.questions[0].options.clear(),
            &[("questions[0].options", "empty_options")],
        );
        check_refusal(
            |s| s.questions[0].options.truncate(1),
            // why_not's show_if names options that are gone, but feel_safe is
            // already refused: one problem is enough.
            &[("questions[0].options", "too_few_options")],
        );
        check_refusal(
            |s| {
                for i in 3..51 {
                    s.questions[0].options.push(option(&format!("o{i}"), "x", None));
                }
            },
            &[("questions[0].options", "too_many")],
        );
        check_refusal(
            |s| s.questions[0].options[1].key = "yes".into(),
            &[("questions[0].options[1].key", "duplicate_key")],
        );
        check_refusal(
            |s| s.questions[0].options[1].key = "No".into(),
            &[("questions[0].options[1].key", "invalid_key")],
        );
        check_refusal(
            |s| s.questions[0].options[2].key = String::new(),
            &[("questions[0].options[2].key", "required")],
        );
        check_refusal(
            |s| s.questions[0].options[0].label.vi = None,
            &[("questions[0].options[0].label.vi", "required")],
        );
        check_refusal(
            |s| s.questions[0].options[0].label.en = Some(long(201)),
            &[("questions[0].options[0].label.en", "too_long")],
        );

        // Settings that belong to another type.
        check_refusal(
            |s| s.questions[1].options = vec![option("a", "A", None), option("b", "B", None)],
            &[("questions[1].options", "not_allowed")],
        );
        check_refusal(
            |s| {
                s.questions[0].min_choices = Some(1);
                s.questions[0].max_choices = Some(2);
                s.questions[0].min = Some(1.0);
                s.questions[0].max = Some(2.0);
                s.questions[0].faces = Some(false);
                s.questions[0].max_length = Some(10);
            },
            &[
                ("questions[0].min_choices", "not_allowed"),
                ("questions[0].max_choices", "not_allowed"),
                ("questions[0].min", "not_allowed"),
                ("questions[0].max", "not_allowed"),
                ("questions[0].faces", "not_allowed"),
                ("questions[0].max_length", "not_allowed"),
            ],
        );
        check_refusal(
            |s| s.questions[2].max_length = Some(10),
            &[("questions[2].max_length", "not_allowed")],
        );

        // Limits of each type.
        check_refusal(
            |s| s.questions[1].max_length = Some(0),
            &[("questions[1].max_length", "out_of_range")],
        );
        check_refusal(
            |s| s.questions[1].max_length = Some(2001),
            &[("questions[1].max_length", "out_of_range")],
        );
        check_refusal(|s| s.questions[1].max_length = Some(2000), &[]);
        check_refusal(
            |s| {
                s.questions[0].qtype = "multiple_choice".into();
                s.questions[0].min_choices = Some(4);
                s.questions[0].max_choices = Some(-1);
            },
            &[
                ("questions[0].min_choices", "out_of_range"),
                ("questions[0].max_choices", "out_of_range"),
            ],
        );
        check_refusal(
            |s| {
                s.questions[0].qtype = "multiple_choice".into();
                s.questions[0].min_choices = Some(3);
                s.questions[0].max_choices = Some(2);
            },
            &[("questions[0].max_choices", "min_greater_than_max")],
        );
        check_refusal(
            |s| {
                s.questions[0].qtype = "multiple_choice".into();
                s.questions[0].min_choices = Some(0);
                s.questions[0].max_choices = Some(3);
            },
            &[],
        );
        check_refusal(
            |s| {
                s.questions[2].min = Some(5.0);
                s.questions[2].max = Some(1.0);
            },
            &[("questions[2].max", "min_greater_than_max")],
        );
        check_refusal(
            |s| {
                s.questions[2].min = Some(3.0);
                s.questions[2].max = Some(3.0);
            },
            &[("questions[2].max", "min_greater_than_max")],
        );
        check_refusal(
            |s| s.questions[2].min = Some(1.5),
            &[("questions[2].min", "not_integer")],
        );
        check_refusal(
            |s| {
                s.questions[2].min = Some(-1.0);
                s.questions[2].max = Some(11.0);
            },
            &[
                ("questions[2].min", "out_of_range"),
                ("questions[2].max", "out_of_range"),
            ],
        );
        check_refusal(
            |s| {
                s.questions[2].qtype = "number".into();
                s.questions[2].faces = None;
                s.questions[2].min = Some(10.5);
                s.questions[2].max = Some(f64::INFINITY);
            },
            &[("questions[2].max", "out_of_range")],
        );
        check_refusal(
            |s| {
                s.questions[2].qtype = "number".into();
                s.questions[2].faces = None;
                s.questions[2].min = Some(10.5);
                s.questions[2].max = Some(-3.0);
            },
            &[("questions[2].max", "min_greater_than_max")],
        );

        // show_if.
        check_refusal(
            |s| s.questions[1].show_if = show_if("nope", &["no"]),
            &[("questions[1].show_if.question", "show_if_unknown_question")],
        );
        check_refusal(
            |s| s.questions[1].show_if = show_if("happy_at_school", &["4"]),
            &[("questions[1].show_if.question", "show_if_later_question")],
        );
        check_refusal(
            |s| s.questions[1].show_if = show_if("why_not", &["x"]),
            &[("questions[1].show_if.question", "show_if_later_question")],
        );
        check_refusal(
            |s| s.questions[1].show_if = show_if("", &["no"]),
            &[("questions[1].show_if.question", "required")],
        );
        check_refusal(
            |s| s.questions[1].show_if = show_if("feel_safe", &["no", "maybe"]),
            &[("questions[1].show_if.in[1]", "show_if_unknown_option")],
        );
        check_refusal(
            |s| s.questions[1].show_if = show_if("feel_safe", &[]),
            &[("questions[1].show_if.in", "required")],
        );
        check_refusal(
            |s| {
                s.questions.push(question("more", "text"));
                s.questions[3].show_if = show_if("happy_at_school", &["1", "5", "4.0", "6", "+2", " 3"]);
            },
            &[
                ("questions[3].show_if.in[2]", "show_if_unknown_option"),
                ("questions[3].show_if.in[3]", "show_if_unknown_option"),
                ("questions[3].show_if.in[4]", "show_if_unknown_option"),
                ("questions[3].show_if.in[5]", "show_if_unknown_option"),
            ],
        );
        check_refusal(
            |s| {
                s.questions.push(question("more", "text"));
                s.questions[3].show_if = show_if("why_not", &["x"]);
            },
            &[("questions[3].show_if.question", "not_allowed")],
        );
        check_refusal(
            |s| {
                s.questions.push(question("ok", "yes_no"));
                s.questions.push(question("how_many", "number"));
                s.questions[4].min = Some(0.0);
                s.questions[4].max = Some(10.0);
                s.questions.push(question("more", "text"));
                s.questions[5].show_if = show_if("how_many", &["2.5", "3", "3.0", "11", "-0"]);
                s.questions.push(question("more2", "text"));
                s.questions[6].show_if = show_if("ok", &["yes", "true"]);
            },
            &[
                ("questions[5].show_if.in[2]", "show_if_unknown_option"),
                ("questions[5].show_if.in[3]", "show_if_unknown_option"),
                ("questions[5].show_if.in[4]", "show_if_unknown_option"),
                ("questions[6].show_if.in[1]", "show_if_unknown_option"),
            ],
        );
    }

    #[test]
    fn one_request_with_many_problems_lists_them_all_in_order() {
        check_refusal(
            |s| {
                s.kind = "poll".into();
                s.title = Some(text("", Some("The way to school")));
                s.min_age = Some(3);
                s.questions[0].options[1].key = "yes".into();
                s.questions[0].text_by_age_band.push(("18+".into(), text("x", None)));
                s.questions[1].show_if = show_if("happy_at_school", &["4"]);
                s.questions[1].faces = Some(true);
                s.questions[2].max = Some(20.0);
                s.questions[2].topic = Some("weather".into());
                s.questions.push(question("", "ranking"));
            },
            &[
                ("kind", "unknown_value"),
                ("title.vi", "required"),
                ("min_age", "out_of_range"),
                ("questions[0].text_by_age_band.18+", "unknown_value"),
                ("questions[0].options[1].key", "duplicate_key"),
                ("questions[1].faces", "not_allowed"),
                ("questions[1].show_if.question", "show_if_later_question"),
                ("questions[2].topic", "unknown_topic"),
                ("questions[2].max", "out_of_range"),
                ("questions[3].key", "required"),
                ("questions[3].options", "empty_options"),
            ],
        );
    }

    #[test]
    fn wording_falls_back_from_band_to_default_to_vietnamese() {
        let mut raw = example();
        raw.questions[0].text_by_age_band.push((
            "12-14".into(),
            RawText {
                vi: None,
                en: Some("Is the road to school safe?".into()),
            },
        ));
        // A band entry with no wording is dropped.
        raw.questions[0].text_by_age_band.push((
            "15-17".into(),
            RawText {
                vi: Some(" ".into()),
                en: None,
            },
        ));
        raw.questions[2].text = Some(text("Em vui thế nào khi ở trường?", None));
        raw.questions[0].options[2].label.en = None;
        let d = def(&raw);
        assert_eq!(d.questions()[0].text_by_age_band().len(), 2);

        let default_vi = "Em có cảm thấy an toàn trên đường đến trường không?";
        let default_en = "Do you feel safe on your way to school?";
        let cases: &[(u8, Lang, &str, &str)] = &[
            (7, Lang::Vi, "feel_safe", "Em đi học có thấy an toàn không?"),
            (7, Lang::En, "feel_safe", default_en),
            (10, Lang::Vi, "feel_safe", default_vi),
            (10, Lang::En, "feel_safe", default_en),
            (13, Lang::En, "feel_safe", "Is the road to school safe?"),
            (13, Lang::Vi, "feel_safe", default_vi),
            (16, Lang::Vi, "feel_safe", default_vi),
            (16, Lang::En, "happy_at_school", "Em vui thế nào khi ở trường?"),
            (7, Lang::En, "happy_at_school", "Em vui thế nào khi ở trường?"),
        ];
        for (age, lang, key, expect) in cases {
            let r = render(&d, *age, *lang);
            let q = r.questions.iter().find(|q| q.key == *key).unwrap();
            assert_eq!(q.text, *expect, "age {age}, {lang:?}, {key}");
        }

        let r = render(&d, 10, Lang::En);
        assert_eq!(r.title, "The way to school");
        assert_eq!(r.age_band, AgeBand::Band9To11);
        assert_eq!(
            r.questions[0].options,
            vec![
                ("yes".to_owned(), "Yes".to_owned()),
                ("no".to_owned(), "No".to_owned()),
                ("not_sure".to_owned(), "Em không chắc".to_owned()),
            ]
        );
        assert_eq!(render(&d, 10, Lang::Vi).questions[0].options[0].1, "Có");
    }

    #[test]
    fn render_describes_each_type() {
        let d = def(&answers_fixture());
        let r = render(&d, 13, Lang::Vi);
        let by_key = |k: &str| r.questions.iter().find(|q| q.key == k).unwrap().clone();
        let pets = by_key("pets");
        assert_eq!((pets.min_choices, pets.max_choices), (Some(1), Some(2)));
        assert_eq!(pets.options.len(), 4);
        let happy = by_key("happy");
        assert_eq!((happy.min, happy.max, happy.faces), (Some(1.0), Some(5.0), true));
        assert_eq!(by_key("story").max_length, Some(10));
        let hours = by_key("hours");
        assert_eq!(
            (hours.min, hours.max, hours.faces, hours.max_length),
            (Some(0.0), Some(24.0), false, None)
        );
        assert_eq!(
            by_key("why_blue").show_if,
            Some(("color".to_owned(), vec!["blue".to_owned()]))
        );
        assert!(by_key("color").required);
        assert_eq!(by_key("likes_school").options, vec![]);
    }

    #[test]
    fn rendering_keeps_only_questions_for_the_age() {
        let mut raw = example();
        raw.kind = "policy_consultation".into();
        raw.description = Some(text("Mô tả", None));
        raw.document_url = Some("https://example.vn/a.pdf".into());
        raw.questions[0].min_age = Some(9);
        raw.questions[2].max_age = Some(11);
        raw.questions.push(question("older", "yes_no"));
        raw.questions[3].min_age = Some(15);
        let d = def(&raw);
        let cases: &[(u8, &[&str])] = &[
            (6, &["happy_at_school"]),
            (8, &["happy_at_school"]),
            // why_not depends on feel_safe, which a 6-year-old is not asked.
            (9, &["feel_safe", "why_not", "happy_at_school"]),
            (12, &["feel_safe", "why_not"]),
            (15, &["feel_safe", "why_not", "older"]),
            (17, &["feel_safe", "why_not", "older"]),
            (18, &[]),
            (5, &[]),
        ];
        for (age, keys) in cases {
            let r = render(&d, *age, Lang::Vi);
            let got: Vec<_> = r.questions.iter().map(|q| q.key.as_str()).collect();
            assert_eq!(got, *keys, "age {age}");
            assert_eq!(r.kind, SurveyKind::PolicyConsultation);
            assert_eq!(r.description.as_deref(), Some("Mô tả"));
            assert_eq!(r.document_url.as_deref(), Some("https://example.vn/a.pdf"));
        }
        assert_eq!(render(&d, 5, Lang::Vi).age_band, AgeBand::Band6To8);
        assert_eq!(render(&d, 18, Lang::Vi).age_band, AgeBand::Band15To17);
    }

    /// One question of each type, an age-limited one and a dependent one.
    fn answers_fixture() -> RawSurvey {
        let mut color = question("color", "single_choice");
        color.required = Some(true);
        color.options = vec![
            option("red", "Đỏ", None),
            option("blue", "Xanh", None),
            option("green", "Lục", None),
        ];
        let mut pets = question("pets", "multiple_choice");
        pets.options = ["cat", "dog", "fish", "bird"].map(|k| option(k, k, None)).to_vec();
        pets.min_choices = Some(1);
        pets.max_choices = Some(2);
        let mut happy = question("happy", "rating");
        happy.min = Some(1.0);
        happy.max = Some(5.0);
        happy.faces = Some(true);
        let likes = question("likes_school", "yes_no");
        let mut story = question("story", "text");
        story.max_length = Some(10);
        let mut hours = question("hours", "number");
        hours.min = Some(0.0);
        hours.max = Some(24.0);
        let mut rank = question("rank", "ranking");
        rank.options = ["a", "b", "c"].map(|k| option(k, k, None)).to_vec();
        let mut teen = question("teen_only", "yes_no");
        teen.min_age = Some(12);
        teen.required = Some(true);
        let mut why_blue = question("why_blue", "text");
        why_blue.required = Some(true);
        why_blue.show_if = show_if("color", &["blue"]);
        RawSurvey {
            kind: "opinion".into(),
            title: Some(text("Về em", None)),
            questions: vec![color, pets, happy, likes, story, hours, rank, teen, why_blue],
            ..RawSurvey::default()
        }
    }

    fn s(v: &str) -> RawAnswer {
        RawAnswer::Text(v.to_owned())
    }

    fn list(v: &[&str]) -> RawAnswer {
        RawAnswer::List(v.iter().map(|k| (*k).to_owned()).collect())
    }

    /// Answers that are fine for a 13-year-old; each case replaces some.
    fn base_answers() -> Vec<(String, RawAnswer)> {
        vec![
            ("color".into(), s("red")),
            ("pets".into(), list(&["dog", "cat"])),
            ("happy".into(), RawAnswer::Number(4.0)),
            ("likes_school".into(), RawAnswer::Bool(true)),
            ("story".into(), s("  Vui lắm  ")),
            ("hours".into(), RawAnswer::Number(1.5)),
            ("rank".into(), list(&["c", "a", "b"])),
            ("teen_only".into(), RawAnswer::Bool(false)),
        ]
    }

    fn with(changes: &[(&str, RawAnswer)]) -> Vec<(String, RawAnswer)> {
        let mut answers = base_answers();
        for (key, value) in changes {
            match answers.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value.clone(),
                None => answers.push(((*key).to_owned(), value.clone())),
            }
        }
        answers
    }

    fn check_answers(age: u8, answers: &[(String, RawAnswer)], expect: &[(&str, &'static str)]) {
        let d = def(&answers_fixture());
        let got = match validate_answers(&d, age, answers) {
            Ok(_) => Vec::new(),
            Err(e) => problems(&e),
        };
        assert_eq!(got, expected(expect), "age {age}, answers {answers:?}");
    }

    #[test]
    fn valid_answers_come_back_checked_in_question_order() {
        let d = def(&answers_fixture());
        let mut answers = base_answers();
        answers.reverse();
        answers.push(("happy_extra_null".into(), RawAnswer::Null));
        answers.retain(|(k, _)| k != "happy_extra_null");
        answers.push(("why_blue".into(), RawAnswer::Null));
        let got = validate_answers(&d, 13, &answers).unwrap();
        assert_eq!(
            got,
            vec![
                ("color".to_owned(), Answer::Choice("red".into())),
                ("pets".to_owned(), Answer::Choices(vec!["cat".into(), "dog".into()])),
                ("happy".to_owned(), Answer::Rating(4)),
                ("likes_school".to_owned(), Answer::YesNo(true)),
                ("story".to_owned(), Answer::Text("Vui lắm".into())),
                ("hours".to_owned(), Answer::Number(1.5)),
                (
                    "rank".to_owned(),
                    Answer::Ranking(vec!["c".into(), "a".into(), "b".into()])
                ),
                ("teen_only".to_owned(), Answer::YesNo(false)),
            ]
        );
        // Only the required question is needed.
        let got = validate_answers(&d, 8, &[("color".into(), s("blue")), ("why_blue".into(), s("Đẹp"))]).unwrap();
        assert_eq!(
            got,
            vec![
                ("color".to_owned(), Answer::Choice("blue".into())),
                ("why_blue".to_owned(), Answer::Text("Đẹp".into())),
            ]
        );
    }

    #[test]
    fn every_answer_code() {
        let n = RawAnswer::Number;
        check_answers(13, &base_answers(), &[]);
        check_answers(13, &with(&[("nope", s("x"))]), &[("answers.nope", "unknown_question")]);
        check_answers(
            13,
            &with(&[("nope", RawAnswer::Null)]),
            &[("answers.nope", "unknown_question")],
        );
        let mut twice = base_answers();
        twice.push(("color".into(), s("blue")));
        check_answers(13, &twice, &[("answers.color", "duplicate_key")]);
        // teen_only is for 12 and over: an 8-year-old must not answer it and
        // need not.
        check_answers(
            8,
            &with(&[("teen_only", RawAnswer::Bool(true))]),
            &[("answers.teen_only", "not_eligible")],
        );
        check_answers(8, &with(&[("teen_only", RawAnswer::Null)]), &[]);
        // Outside the survey's ages, every question is out of reach.
        check_answers(5, &[], &[("age", "not_eligible")]);
        check_answers(
            18,
            &[("color".into(), s("red")), ("story".into(), RawAnswer::Null)],
            &[("age", "not_eligible"), ("answers.color", "not_eligible")],
        );
        check_answers(
            13,
            &with(&[("teen_only", RawAnswer::Null)]),
            &[("answers.teen_only", "required")],
        );
        check_answers(
            13,
            &with(&[("color", RawAnswer::Null)]),
            &[("answers.color", "required")],
        );
        let mut missing = base_answers();
        missing.retain(|(k, _)| k != "color");
        check_answers(13, &missing, &[("answers.color", "required")]);
        check_answers(
            13,
            &with(&[("why_blue", s("Vì thích"))]),
            &[("answers.why_blue", "hidden_question")],
        );
        check_answers(13, &with(&[("color", s("blue"))]), &[("answers.why_blue", "required")]);

        let wrong_types: &[(&str, RawAnswer)] = &[
            ("color", n(1.0)),
            ("color", list(&["red"])),
            ("pets", s("cat")),
            ("happy", s("4")),
            ("likes_school", s("yes")),
            ("story", n(3.0)),
            ("hours", s("2")),
            ("rank", RawAnswer::Bool(true)),
            ("teen_only", RawAnswer::Invalid),
        ];
        for (key, value) in wrong_types {
            let field = format!("answers.{key}");
            check_answers(13, &with(&[(key, value.clone())]), &[(&field, "invalid_type")]);
        }

        let cases: &[(&str, RawAnswer, &'static str)] = &[
            ("color", s("purple"), "unknown_option"),
            ("color", s("Red"), "unknown_option"),
            ("pets", list(&["cat", "cow"]), "unknown_option"),
            ("pets", list(&["cat", "cat"]), "duplicate_choice"),
            ("pets", list(&[]), "too_few_choices"),
            ("pets", list(&["cat", "dog", "fish"]), "too_many_choices"),
            ("happy", n(6.0), "out_of_range"),
            ("happy", n(0.0), "out_of_range"),
            ("happy", n(2.5), "not_integer"),
            ("happy", n(f64::NAN), "out_of_range"),
            ("story", s("   "), "empty_text"),
            ("story", s(""), "empty_text"),
            ("story", s("ắắắắắắắắắắắ"), "too_long"),
            ("hours", n(24.5), "out_of_range"),
            ("hours", n(-1.0), "out_of_range"),
            ("hours", n(f64::INFINITY), "out_of_range"),
            ("rank", list(&["a", "b"]), "invalid_ranking"),
            ("rank", list(&["a", "a", "b"]), "invalid_ranking"),
            ("rank", list(&["a", "b", "x"]), "invalid_ranking"),
            ("rank", list(&["a", "b", "c", "c"]), "invalid_ranking"),
        ];
        for (key, value, code) in cases {
            let field = format!("answers.{key}");
            check_answers(13, &with(&[(key, value.clone())]), &[(&field, *code)]);
        }
        // Within limits: ten characters (not bytes), bounds included.
        check_answers(13, &with(&[("story", s(" ắắắắắắắắắắ "))]), &[]);
        check_answers(
            13,
            &with(&[("happy", n(5.0)), ("hours", n(24.0)), ("pets", list(&["bird"]))]),
            &[],
        );
        check_answers(
            13,
            &with(&[("pets", list(&["cat", "cat", "cow"]))]),
            &[("answers.pets", "unknown_option"), ("answers.pets", "duplicate_choice")],
        );

        // Every problem at once, in question order after unknown keys.
        check_answers(
            13,
            &with(&[
                ("zzz", s("x")),
                ("color", s("purple")),
                ("happy", n(9.0)),
                ("teen_only", RawAnswer::Null),
                ("why_blue", s("x")),
            ]),
            &[
                ("answers.zzz", "unknown_question"),
                ("answers.color", "unknown_option"),
                ("answers.happy", "out_of_range"),
                ("answers.teen_only", "required"),
            ],
        );
    }

    /// A → B → C: B shows when A is yes, C (required) when B is `x`.
    fn chain() -> SurveyDefinition {
        let mut a = question("a", "yes_no");
        a.required = Some(true);
        let mut b = question("b", "single_choice");
        b.options = vec![option("x", "X", None), option("y", "Y", None)];
        b.show_if = show_if("a", &["yes"]);
        let mut c = question("c", "text");
        c.required = Some(true);
        c.show_if = show_if("b", &["x"]);
        let mut d = question("d", "yes_no");
        d.show_if = show_if("e_rating", &["3"]);
        let mut e = question("e_rating", "rating");
        e.min_age = Some(10);
        let mut f = question("f", "text");
        f.show_if = show_if("e_rating", &["3"]);
        let mut g = question("g", "multiple_choice");
        g.options = vec![option("p", "P", None), option("q", "Q", None)];
        g.min_choices = Some(0);
        let mut h = question("h", "yes_no");
        h.required = Some(true);
        h.show_if = show_if("g", &["q"]);
        d.show_if = None;
        def(&RawSurvey {
            kind: "opinion".into(),
            title: Some(text("Chuỗi", None)),
            questions: vec![a, b, c, d, e, f, g, h],
            ..RawSurvey::default()
        })
    }

    #[test]
    fn show_if_chains() {
        let d = chain();
        let yes = RawAnswer::Bool(true);
        let no = RawAnswer::Bool(false);
        // Age, answers, expected problems.
        type Case = (u8, Vec<(&'static str, RawAnswer)>, Vec<(&'static str, &'static str)>);
        let cases: Vec<Case> = vec![
            // A no: B and C hidden, C's requirement does not apply.
            (12, vec![("a", no.clone())], vec![]),
            (
                12,
                vec![("a", no.clone()), ("b", s("x"))],
                vec![("answers.b", "hidden_question")],
            ),
            // Hidden because B is hidden, even though the answer to B says x.
            (
                12,
                vec![("a", no.clone()), ("b", s("x")), ("c", s("t"))],
                vec![("answers.b", "hidden_question"), ("answers.c", "hidden_question")],
            ),
            // A yes, B unanswered: C hidden.
            (12, vec![("a", yes.clone())], vec![]),
            (
                12,
                vec![("a", yes.clone()), ("c", s("t"))],
                vec![("answers.c", "hidden_question")],
            ),
            (12, vec![("a", yes.clone()), ("b", s("y"))], vec![]),
            (
                12,
                vec![("a", yes.clone()), ("b", s("x"))],
                vec![("answers.c", "required")],
            ),
            (12, vec![("a", yes.clone()), ("b", s("x")), ("c", s("t"))], vec![]),
            (
                12,
                vec![("a", yes.clone()), ("b", s("x")), ("c", RawAnswer::Null)],
                vec![("answers.c", "required")],
            ),
            // A refused answer to B leaves C undecided: only B's problem.
            (
                12,
                vec![("a", yes.clone()), ("b", s("z"))],
                vec![("answers.b", "unknown_option")],
            ),
            (
                12,
                vec![("a", yes.clone()), ("b", s("z")), ("c", s("t"))],
                vec![("answers.b", "unknown_option")],
            ),
            (
                12,
                vec![("a", yes.clone()), ("b", s("z")), ("c", s("   "))],
                vec![("answers.b", "unknown_option"), ("answers.c", "empty_text")],
            ),
            // A required question that is missing hides what depends on it.
            (
                12,
                vec![("b", s("x"))],
                vec![("answers.a", "required"), ("answers.b", "hidden_question")],
            ),
            // Rating as a show_if value; for a child too young for E, F is hidden.
            (
                12,
                vec![("a", no.clone()), ("e_rating", RawAnswer::Number(3.0)), ("f", s("t"))],
                vec![],
            ),
            (
                12,
                vec![("a", no.clone()), ("e_rating", RawAnswer::Number(4.0)), ("f", s("t"))],
                vec![("answers.f", "hidden_question")],
            ),
            (
                8,
                vec![("a", no.clone()), ("f", s("t"))],
                vec![("answers.f", "hidden_question")],
            ),
            (
                8,
                vec![("a", no.clone()), ("e_rating", RawAnswer::Number(3.0)), ("f", s("t"))],
                vec![("answers.e_rating", "not_eligible"), ("answers.f", "hidden_question")],
            ),
            // Multiple choice: any chosen key shows; none chosen hides.
            (
                12,
                vec![("a", no.clone()), ("g", list(&["p", "q"]))],
                vec![("answers.h", "required")],
            ),
            (
                12,
                vec![("a", no.clone()), ("g", list(&["p", "q"])), ("h", no.clone())],
                vec![],
            ),
            (
                12,
                vec![("a", no.clone()), ("g", list(&[])), ("h", no.clone())],
                vec![("answers.h", "hidden_question")],
            ),
            (12, vec![("a", no.clone()), ("g", list(&["p"]))], vec![]),
        ];
        for (age, answers, expect) in cases {
            let answers: Vec<(String, RawAnswer)> = answers.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            let got = match validate_answers(&d, age, &answers) {
                Ok(_) => Vec::new(),
                Err(e) => problems(&e),
            };
            assert_eq!(got, expected(&expect), "age {age}, answers {answers:?}");
        }
        // The chain as rendered: everything for 12, no E or F for 8.
        let keys = |age| -> Vec<String> { render(&d, age, Lang::Vi).questions.into_iter().map(|q| q.key).collect() };
        assert_eq!(keys(12), ["a", "b", "c", "d", "e_rating", "f", "g", "h"]);
        assert_eq!(keys(8), ["a", "b", "c", "d", "g", "h"]);
    }

    #[test]
    fn number_show_if_matches_formatted_number() {
        let mut raw = example();
        let mut n = question("n", "number");
        n.min = Some(-10.0);
        n.max = Some(10.0);
        let mut t = question("t", "text");
        t.show_if = show_if("n", &["4", "2.5", "0"]);
        raw.questions.extend([n, t]);
        let d = def(&raw);
        for (x, shown) in [
            (4.0, true),
            (2.5, true),
            (-0.0, true),
            (0.0, true),
            (4.5, false),
            (-4.0, false),
        ] {
            let answers = vec![
                ("feel_safe".to_owned(), s("yes")),
                ("n".to_owned(), RawAnswer::Number(x)),
                ("t".to_owned(), s("x")),
            ];
            assert_eq!(validate_answers(&d, 10, &answers).is_ok(), shown, "{x}");
        }
    }

    #[test]
    fn the_example_round_trips() {
        let d = def(&example());
        let raw = d.to_raw();
        assert_eq!(parse(&raw), Ok(d.clone()));
        assert_eq!(raw.questions[0].min_age, None);

        let mut raw = answers_fixture();
        raw.kind = "policy_consultation".into();
        raw.description = Some(text(" Mô tả ", Some("About")));
        raw.document_url = Some("https://example.vn/x".into());
        raw.document_quote = Some("Điều 1".into());
        raw.min_age = Some(8);
        raw.max_age = Some(16);
        raw.allow_multiple = Some(true);
        raw.requires_guardian_consent = Some(true);
        raw.questions[0].topic = Some("school".into());
        raw.questions[7].max_age = Some(15);
        raw.questions[5].min = None;
        let d = def(&raw);
        assert_eq!(parse(&d.to_raw()), Ok(d.clone()));
        assert_eq!(d.to_raw().questions[7].min_age, Some(12));
        assert_eq!(d.to_raw().questions[7].max_age, Some(15));
    }

    #[test]
    fn a_checked_definition_is_rebuilt_from_its_parts_without_the_rules() {
        let d = def(&example());
        assert_eq!(SurveyDefinition::from_checked(d.to_checked()), d);
        // Parts today's rules would refuse (a topic nobody knows, a title
        // longer than allowed) are taken as they were saved.
        let mut parts = d.to_checked();
        parts.topic = Some("retired_topic".into());
        parts.title = LocalizedText::from_stored("x".repeat(1000), None);
        let old = SurveyDefinition::from_checked(parts);
        assert_eq!(old.topic(), Some("retired_topic"));
        assert!(parse(&old.to_raw()).is_err());
        // Band wordings end up sorted, one per band.
        let mut parts = d.to_checked();
        parts.questions[0].text_by_age_band = vec![
            (AgeBand::Band12To14, Some("b".into()), None),
            (AgeBand::Band6To8, Some("a".into()), None),
            (AgeBand::Band12To14, Some("c".into()), None),
        ];
        let q = SurveyDefinition::from_checked(parts).questions()[0].clone();
        let bands: Vec<_> = q.text_by_age_band().iter().map(|(b, t)| (*b, t.vi())).collect();
        assert_eq!(
            bands,
            vec![(AgeBand::Band6To8, Some("a")), (AgeBand::Band12To14, Some("c"))]
        );
    }

    fn raw_answer() -> impl Strategy<Value = RawAnswer> {
        let key = prop_oneof![
            Just("red".to_owned()),
            Just("blue".to_owned()),
            Just("cat".to_owned()),
            Just("dog".to_owned()),
            Just("a".to_owned()),
            Just("b".to_owned()),
            Just("c".to_owned()),
            ".{0,12}",
        ];
        prop_oneof![
            key.clone().prop_map(RawAnswer::Text),
            any::<f64>().prop_map(RawAnswer::Number),
            (-3i64..30).prop_map(|n| RawAnswer::Number(n as f64)),
            any::<bool>().prop_map(RawAnswer::Bool),
            prop::collection::vec(key, 0..6).prop_map(RawAnswer::List),
            Just(RawAnswer::Null),
            Just(RawAnswer::Invalid),
        ]
    }

    fn answer_key() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "color",
                "pets",
                "happy",
                "likes_school",
                "story",
                "hours",
                "rank",
                "teen_only",
                "why_blue",
            ])
            .prop_map(str::to_owned),
            "[a-z_]{0,8}",
        ]
    }

    /// A valid survey built from generated choices.
    fn generated_survey() -> impl Strategy<Value = RawSurvey> {
        let question_choices = (
            0usize..7,
            any::<bool>(),
            any::<bool>(),
            2usize..5,
            any::<bool>(),
            0usize..5,
            "\\PC{0,20}",
        );
        (
            0usize..3,
            prop::collection::vec(question_choices, 1..8),
            "\\PC{0,30}",
            any::<bool>(),
            6u8..=10,
            12u8..=17,
        )
            .prop_map(|(kind, questions, title, flag, lo, hi)| {
                let mut raw = RawSurvey {
                    kind: SurveyKind::ALL[kind].as_str().to_owned(),
                    title: Some(text(&format!("T{title}"), flag.then_some("Title"))),
                    min_age: Some(i64::from(lo)),
                    max_age: Some(i64::from(hi)),
                    allow_multiple: Some(flag),
                    ..RawSurvey::default()
                };
                let mut previous_yes_no: Option<String> = None;
                for (i, (t, required, flag, n_options, en, band, wording)) in questions.into_iter().enumerate() {
                    let qtype = QuestionType::ALL[t];
                    let key = format!("q{i}");
                    let mut q = question(&key, qtype.as_str());
                    q.required = Some(required);
                    q.text = Some(text(&format!("Câu {wording}"), en.then_some(" Q ")));
                    if qtype.has_options() {
                        q.options = (0..n_options)
                            .map(|j| option(&format!("o{j}"), &format!("{wording}{j}"), en.then_some("O")))
                            .collect();
                    }
                    match qtype {
                        QuestionType::MultipleChoice if flag => {
                            q.min_choices = Some(0);
                            q.max_choices = Some(n_options as i64);
                        }
                        QuestionType::Rating => {
                            q.faces = Some(flag);
                            q.min = flag.then_some(0.0);
                            q.max = Some(n_options as f64 + 1.0);
                        }
                        QuestionType::Number if flag => {
                            q.min = Some(-1.5);
                            q.max = Some(n_options as f64 * 1.25);
                        }
                        QuestionType::Text if flag => q.max_length = Some(n_options as i64 * 100),
                        _ => {}
                    }
                    if let Some(b) = AgeBand::ALL.get(band) {
                        q.text_by_age_band
                            .push((b.as_str().to_owned(), text(&format!(" {wording}x "), None)));
                    }
                    if flag && i % 2 == 1 {
                        q.min_age = Some(i64::from(lo) + 1);
                    }
                    if let Some(prev) = &previous_yes_no {
                        q.show_if = show_if(prev, &["yes"]);
                    }
                    if qtype == QuestionType::YesNo {
                        previous_yes_no = Some(key);
                    }
                    raw.questions.push(q);
                }
                raw
            })
    }

    proptest! {
        #[test]
        fn validate_answers_never_panics(
            age in 0u8..30,
            answers in prop::collection::vec((answer_key(), raw_answer()), 0..14),
        ) {
            let d = def(&answers_fixture());
            match validate_answers(&d, age, &answers) {
                Ok(checked) => {
                    // Every checked answer is for a known question, once, in order.
                    let positions: Vec<usize> = checked
                        .iter()
                        .map(|(k, _)| d.questions().iter().position(|q| q.key() == k).unwrap())
                        .collect();
                    prop_assert!(positions.windows(2).all(|w| w[0] < w[1]));
                }
                Err(e) => prop_assert!(!e.is_empty()),
            }
            let _ = validate_answers(&def(&example()), age, &answers);
            let _ = render(&d, age, Lang::En);
        }

        #[test]
        fn generated_surveys_round_trip(raw in generated_survey()) {
            let d = parse(&raw);
            prop_assert!(d.is_ok(), "{:?}", d);
            let d = d.unwrap();
            let again = d.to_raw();
            prop_assert_eq!(parse(&again), Ok(d.clone()));
            prop_assert_eq!(parse(&again).unwrap().to_raw(), again);
        }

        #[test]
        fn parse_never_panics(
            kind in "[a-z_]{0,20}",
            keys in prop::collection::vec("[a-z_]{0,4}", 0..6),
            types in prop::collection::vec(prop::sample::select(vec![
                "single_choice", "multiple_choice", "rating", "yes_no", "text", "number", "ranking", "x",
            ]), 6),
            nums in prop::collection::vec(prop::option::of(any::<f64>()), 12),
            ints in prop::collection::vec(prop::option::of(-3i64..30), 12),
        ) {
            let mut raw = example();
            raw.kind = kind;
            raw.min_age = ints[0];
            raw.max_age = ints[1];
            for (i, key) in keys.iter().enumerate() {
                let mut q = question(key, types[i]);
                q.options = vec![option("yes", "Có", None), option(key, "x", None)];
                q.min = nums[2 * i];
                q.max = nums[2 * i + 1];
                q.min_choices = ints[2 * i];
                q.max_choices = ints[2 * i + 1];
                q.max_length = ints[i + 2];
                q.min_age = ints[i + 3];
                q.show_if = show_if(&keys[(i + 1) % keys.len()], &["yes", "1"]);
                raw.questions.push(q);
            }
            if let Ok(d) = parse(&raw) {
                prop_assert_eq!(parse(&d.to_raw()), Ok(d));
            }
        }
    }
}
