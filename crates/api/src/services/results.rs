//! Survey results as published: every figure through disclosure control.
//! The results routes, the evidence of recommendations and reports read
//! them here.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use langnghe_domain::UnitId;
use langnghe_domain::account::{Assignment, OutOfScope, Role, Scope};
use langnghe_domain::org::{OrgChart, UnitKind};
use langnghe_domain::results::{self, GroupFigures, Shown, Tally};
use langnghe_domain::survey::{Question, QuestionType, SurveyDefinition};
use langnghe_domain::text::Lang;
use langnghe_domain::words;
use langnghe_storage::rollup::{self as rollup_store, CellKey};
use langnghe_storage::surveys::SurveyRecord;
use langnghe_storage::{StoreError, org, surveys};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::dto::CountDto;
use crate::error::{ApiError, Code};
use crate::state::AppState;
use crate::survey_format::find as find_survey;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResultsQuery {
    /// Break down by `age_band`, `gender`, `unit` or `period` (month), or a
    /// pair separated by a comma (`unit,age_band`).
    #[param(pattern = "^(age_band|gender|unit|period)(,(age_band|gender|unit|period))?$")]
    pub by: Option<String>,
    /// Only responses recorded under this unit or below it.
    pub unit_id: Option<Uuid>,
    /// For `by=unit`: group by the units of this kind (`ward`, `school`, …)
    /// in force on `at`; old units count toward their successors.
    #[param(value_type = Option<crate::closed_sets::UnitKindName>)]
    pub unit_level: Option<String>,
    /// The date whose organisation `unit` groups by (default today).
    #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub at: Option<NaiveDate>,
    /// Responses submitted on or after this day, the first of a month
    /// (results are read over whole months only).
    #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub from: Option<NaiveDate>,
    /// Responses submitted on or before this day, the last of a month.
    #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub to: Option<NaiveDate>,
    /// Default: the published version.
    pub version: Option<i32>,
    /// `vi` or `en`: the language of the texts and labels (default: from
    /// `Accept-Language`, else `vi`).
    #[param(value_type = Option<crate::closed_sets::LangCode>)]
    pub lang: Option<String>,
}

/// The checked dates of a results query: the organisation's date, the
/// submission window as instants (for rows), and as whole months (for
/// cells).
pub(crate) struct Window {
    pub(crate) at: NaiveDate,
    pub(crate) from: Option<chrono::DateTime<Utc>>,
    pub(crate) to: Option<chrono::DateTime<Utc>>,
    /// `YYYY-MM`, first included, until excluded.
    pub(crate) months: (Option<String>, Option<String>),
}

impl Window {
    /// The window of a query's `at`, `from` and `to` (`at` defaults to
    /// `today`); 400 for a date out of range or a window of part months.
    pub(crate) fn of(
        at: Option<NaiveDate>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Window, ApiError> {
        use crate::extract::query_date;
        let (from, to) = (query_date("from", from)?, query_date("to", to)?);
        let months =
            results::whole_months(from, to).map_err(|e| ApiError::bad_request(Code::InvalidQuery, e.to_string()))?;
        Ok(Window {
            at: query_date("at", at)?.unwrap_or(today),
            from: from.map(crate::local_day_start),
            to: to.and_then(|d| d.succ_opt()).map(crate::local_day_start),
            months,
        })
    }
}

pub(crate) fn count_dto(s: &Shown) -> CountDto {
    CountDto {
        count: s.count,
        share: s.share,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDto {
    /// Dimension → value, e.g. `{"age_band": "12-14"}`; empty without
    /// breakdown. For `unit`, the unit's code.
    pub dimensions: BTreeMap<String, String>,
    /// Dimension → the value in words, in the language of the results:
    /// the unit's name, `12–14 tuổi`, `Nữ`, `11/2026`.
    pub labels: BTreeMap<String, String>,
}

/// Mean, median and quartiles of a number question in one group: the mean
/// only for a group of at least `mean_min` (published count), median and
/// quartiles only for a group of at least `quantile_min`; all perturbed and
/// rounded to one decimal. The smallest and largest answers are never
/// published.
#[derive(Debug, Serialize, ToSchema)]
pub struct NumberStatsDto {
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
}

/// One question's figures for one group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupFiguresDto {
    /// Respondents in the group who answered the question.
    pub respondents: u64,
    /// Choice, yes/no, rating: one per column, with its share of
    /// `respondents`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<CountDto>,
    /// Number questions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<NumberStatsDto>,
    /// Ranking questions: mean rank per option (1 = first), for a group of
    /// at least `mean_min`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_rank: Option<Vec<f64>>,
}

pub(crate) fn group_figures(g: &GroupFigures) -> GroupFiguresDto {
    GroupFiguresDto {
        respondents: g.respondents,
        counts: g.counts.iter().map(count_dto).collect(),
        stats: g.stats.map(|s| NumberStatsDto {
            mean: s.mean,
            median: s.quartiles.map(|q| q.median),
            q1: s.quartiles.map(|q| q.q1),
            q3: s.quartiles.map(|q| q.q3),
        }),
        mean_rank: g.mean_rank.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionResultsDto {
    pub key: String,
    #[serde(rename = "type")]
    #[schema(value_type = crate::closed_sets::QuestionTypeName)]
    pub qtype: &'static str,
    /// The question as the survey words it (its default wording), in the
    /// language of the results.
    pub text: String,
    /// Option keys, `yes`/`no`, rating values, or ranking options.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// What each column reads, in the order of `columns`: the option's
    /// label, `Có`/`Yes`, the rating value.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub column_labels: Vec<String>,
    /// In the order of `groups`.
    pub groups: Vec<GroupFiguresDto>,
    /// Everyone the groups are drawn from: its own cells, perturbed on
    /// their own, so not exactly the sum of the groups.
    pub total: GroupFiguresDto,
}

/// How figures are protected, so that a reader knows why a number may
/// differ slightly from a hand count.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureDto {
    /// `cell_key`: each count carries a small noise that depends only on
    /// which children it counts.
    pub method: &'static str,
    /// No count from 1 to `threshold − 1` is published; such counts read 0
    /// or at least `threshold`.
    pub threshold: u64,
    /// The largest noise added to a count of at least `threshold + max_noise`.
    pub max_noise: u64,
    pub mean_min: u64,
    pub quantile_min: u64,
}

/// The release the figures come from.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseDto {
    /// 0 before the first release (no figure yet).
    pub number: i32,
    pub released_at: Option<chrono::DateTime<Utc>>,
    /// Admins and moderators only: responses taken in or withdrawn since,
    /// not yet in the figures, survey-wide. Facilitators do not get it: a
    /// live exact count of every unit's changes would show them one child
    /// answering or withdrawing elsewhere the moment it happens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting: Option<u64>,
    /// Staff only: how many changes a cell (unit, age band, gender,
    /// month) must gather for its next release.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_release_at: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsDto {
    pub survey_id: Uuid,
    /// The survey's title, in the language of the results.
    pub survey_title: String,
    /// The language of the texts and labels: `vi` or `en` (a text with no
    /// English falls back to Vietnamese).
    #[schema(value_type = crate::closed_sets::LangCode)]
    pub lang: &'static str,
    pub version: i32,
    pub disclosure: DisclosureDto,
    pub release: ReleaseDto,
    pub by: Vec<String>,
    /// The groups published; a group whose responses are published as 0 is
    /// not listed.
    pub groups: Vec<GroupDto>,
    pub questions: Vec<QuestionResultsDto>,
}

pub(crate) const DIMENSIONS: [&str; 4] = ["age_band", "gender", "unit", "period"];

/// What places a response (or a rollup cell of responses) in a group.
pub(crate) struct GroupFacts<'a> {
    pub(crate) unit_id: UnitId,
    pub(crate) age_band: &'a str,
    pub(crate) gender: &'a str,
    /// `YYYY-MM`, local time.
    pub(crate) month: &'a str,
}

/// A response's stored answers typed by its survey version's definition.
/// Answers that cannot be read are reported and read as none: the
/// response still stands where it counts (a row of an export, a cell).
pub fn answers_or_none(
    def: &SurveyDefinition,
    response: &dyn std::fmt::Display,
    stored: &str,
) -> Vec<(String, langnghe_domain::survey::Answer)> {
    langnghe_storage::formats::answers::decode(def, stored).unwrap_or_else(|e| {
        langnghe_storage::formats::report(response, &e);
        Vec::new()
    })
}

/// What a question's columns read in `lang`: option labels, yes and no
/// in words, anything else (rating values) as it is.
pub(crate) fn column_labels(def: &SurveyDefinition, key: &str, columns: &[String], lang: Lang) -> Vec<String> {
    let question = def.question(key);
    columns.iter().map(|c| answer_label(question, c, lang)).collect()
}

/// What one answer key of `question` reads in `lang`: its option's label,
/// yes or no in words, anything else (a rating value, an unknown key) as
/// it is.
pub(crate) fn answer_label(question: Option<&Question>, key: &str, lang: Lang) -> String {
    match question {
        Some(q) if q.qtype() == QuestionType::YesNo => words::yes_no_column(key, lang).to_owned(),
        Some(q) => q
            .options()
            .iter()
            .find(|o| o.key() == key)
            .map_or_else(|| key.to_owned(), |o| o.label().get(lang).to_owned()),
        None => key.to_owned(),
    }
}

/// A group's value on one dimension, in words: the unit's name (by its
/// code), the age band, the gender or the month.
pub(crate) fn dimension_label(dim: &str, value: &str, chart: &OrgChart, lang: Lang) -> String {
    match dim {
        "age_band" => words::age_band(value, lang),
        "gender" => words::gender(value, lang).to_owned(),
        "period" => words::month(value),
        _ if value == "other" => words::other_units(lang).to_owned(),
        _ => chart
            .units()
            .find(|u| u.code.as_str() == value)
            .map_or_else(|| value.to_owned(), |u| u.name.get(lang).to_owned()),
    }
}

/// The group a response or cell falls in: its values on the `by`
/// dimensions, joined.
pub(crate) fn group_key(
    f: &GroupFacts,
    by: &[String],
    chart: &OrgChart,
    level: Option<UnitKind>,
    at: NaiveDate,
) -> String {
    by.iter()
        .map(|dim| match dim.as_str() {
            "age_band" => f.age_band.to_owned(),
            "gender" => f.gender.to_owned(),
            "period" => f.month.to_owned(),
            _ => chart
                .at_level(f.unit_id, level, at)
                .and_then(|u| chart.unit(u))
                .map(|u| u.code.as_str().to_owned())
                .unwrap_or_else(|| "other".into()),
        })
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// Who is asking for results, and so which responses they may see.
#[derive(Clone, Copy)]
pub(crate) enum Viewer {
    /// Admins and moderators: every unit.
    AllUnits,
    /// A facilitator: the units their scope covers.
    Facilitator(Scope),
    /// Anyone, for a survey whose results are public.
    Public,
}

impl Viewer {
    /// A staff member with this assignment.
    pub(crate) fn of(assignment: &Assignment) -> Viewer {
        match assignment.role {
            Role::Facilitator => Viewer::Facilitator(assignment.scope()),
            _ => Viewer::AllUnits,
        }
    }

    fn scope(self) -> Scope {
        match self {
            Viewer::Facilitator(scope) => scope,
            Viewer::AllUnits | Viewer::Public => Scope::Everywhere,
        }
    }
}

/// The version whose results everyone may read: the published one of a
/// survey marked `results_public`.
pub(crate) fn public_version(record: &SurveyRecord) -> Option<i32> {
    record.published_version.filter(|_| record.results_public)
}

pub(crate) async fn compute(
    state: &AppState,
    viewer: Viewer,
    id: Uuid,
    q: &ResultsQuery,
    lang: Lang,
) -> Result<ResultsDto, ApiError> {
    let by: Vec<String> = match q.by.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        None => Vec::new(),
        Some(b) => b.split(',').map(|d| d.trim().to_owned()).collect(),
    };
    if by.len() > 2 || by.iter().any(|d| !DIMENSIONS.contains(&d.as_str())) || (by.len() == 2 && by[0] == by[1]) {
        return Err(ApiError::bad_request(
            Code::InvalidQuery,
            "by is one or two of age_band, gender, unit, period",
        ));
    }
    let level = match q.unit_level.as_deref() {
        None => None,
        Some(l) => {
            Some(UnitKind::parse(l).ok_or_else(|| ApiError::bad_request(Code::InvalidQuery, "unknown unit_level"))?)
        }
    };
    let record = find_survey(state, id).await?;
    match viewer {
        Viewer::Facilitator(_) if record.published_version.is_none() => return Err(ApiError::not_found("survey")),
        Viewer::Public if public_version(&record).is_none() => {
            return Err(ApiError::not_found("survey"));
        }
        Viewer::Public if q.version.is_some_and(|v| Some(v) != record.published_version) => {
            return Err(ApiError::not_found("survey version"));
        }
        _ => {}
    }
    let (version, def) = crate::survey_format::version_or_published(state, &record, q.version).await?;
    let chart = org::load_chart(&state.db).await?;
    let today = state.clock.local_date();
    let Window { at, months, .. } = Window::of(q.at, q.from, q.to, state.clock.local_date())?;
    // The units whose responses are counted: the caller's scope, narrowed
    // to `unit_id` when given.
    let root = match viewer.scope().narrow(&chart, q.unit_id.map(UnitId), &[today]) {
        Err(OutOfScope::NoUnit) => return Err(ApiError::forbidden()),
        Err(OutOfScope::Outside) => return Err(ApiError::not_found("unit")),
        Ok(Some(u)) if chart.unit(u).is_none() => {
            return Err(ApiError::bad_request(Code::InvalidQuery, "unknown unit_id"));
        }
        Ok(root) => root,
    };
    let units: Option<Vec<UnitId>> = root.map(|r| chart.counting_for(r, at));
    let (tallies, all, release) = tally_groups(state, &def, record.id, version, units.as_deref(), &months, |f| {
        group_key(f, &by, &chart, level, at)
    })
    .await?;
    let table = &state.ptable;
    // Too few children in all (published as k or less): nothing is
    // published, not even the whole, which could be one child.
    let all = if all.listed(table) { all } else { Tally::empty(&def) };
    let listed: Vec<(&String, &Tally)> = tallies
        .iter()
        .filter(|(_, t)| all.responses.n > 0 && t.listed(table))
        .collect();
    let questions = results::publish(&def, &listed.iter().map(|(_, t)| *t).collect::<Vec<_>>(), &all, table);
    let groups = listed
        .iter()
        .map(|(g, _)| {
            let dimensions: BTreeMap<String, String> = if by.is_empty() {
                BTreeMap::new()
            } else {
                by.iter().cloned().zip(g.split('\u{1f}').map(str::to_owned)).collect()
            };
            GroupDto {
                labels: dimensions
                    .iter()
                    .map(|(d, v)| (d.clone(), dimension_label(d, v, &chart, lang)))
                    .collect(),
                dimensions,
            }
        })
        .collect();
    let questions = questions
        .into_iter()
        .map(|qr| QuestionResultsDto {
            text: def
                .question(&qr.key)
                .map_or_else(String::new, |x| x.text().get(lang).to_owned()),
            column_labels: column_labels(&def, &qr.key, &qr.columns, lang),
            key: qr.key,
            qtype: qr.qtype.as_str(),
            columns: qr.columns,
            groups: qr.groups.iter().map(group_figures).collect(),
            total: group_figures(&qr.total),
        })
        .collect();
    let policy = table.policy();
    let staff = !matches!(viewer, Viewer::Public);
    Ok(ResultsDto {
        survey_id: record.id,
        survey_title: def.title().get(lang).to_owned(),
        lang: words::lang_code(lang),
        version,
        disclosure: DisclosureDto {
            method: "cell_key",
            threshold: policy.threshold(),
            max_noise: policy.max_noise(),
            mean_min: policy.mean_min(),
            quantile_min: policy.quantile_min(),
        },
        release: ReleaseDto {
            number: release.0.map_or(0, |r| r.number),
            released_at: release.0.map(|r| r.at),
            waiting: matches!(viewer, Viewer::AllUnits).then_some(release.1),
            next_release_at: staff.then_some(policy.release_step()),
        },
        by,
        groups,
        questions,
    })
}

/// The tally of each group and of everyone, read in one snapshot from the
/// result cells of the whole months asked for, with the release they come
/// from and how many changes wait for the next one.
#[allow(clippy::type_complexity)]
pub(crate) async fn tally_groups(
    state: &AppState,
    def: &SurveyDefinition,
    survey_id: Uuid,
    version: i32,
    units: Option<&[UnitId]>,
    months: &(Option<String>, Option<String>),
    group: impl Fn(&GroupFacts) -> String,
) -> Result<(BTreeMap<String, Tally>, Tally, (Option<rollup_store::Release>, u64)), ApiError> {
    let unit_ids: Option<Vec<Uuid>> = units.map(|u| u.iter().map(|u| u.0).collect());
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut all = Tally::empty(def);
    let tx = rollup_store::read_snapshot(&state.db).await?;
    let cells = rollup_store::cells(
        &tx,
        survey_id,
        version,
        unit_ids.as_deref(),
        months.0.as_deref(),
        months.1.as_deref(),
    )
    .await?;
    let release = rollup_store::release_of(&tx, survey_id).await?;
    let waiting = rollup_store::waiting(&tx, Some(survey_id))
        .await?
        .first()
        .map_or(0, |(_, w)| w.added + w.removed);
    tx.commit().await.map_err(StoreError::from)?;
    for c in &cells {
        // A cell that cannot be read is reported and left out.
        let t = match langnghe_storage::formats::tally::decode(&c.tally) {
            Ok(t) => t,
            Err(e) => {
                langnghe_storage::formats::report(&format_args!("result cell {:?}", c.key), &e);
                continue;
            }
        };
        let key: &CellKey = &c.key;
        let g = group(&GroupFacts {
            unit_id: UnitId(key.unit_id),
            age_band: &key.age_band,
            gender: &key.gender,
            month: &key.period,
        });
        tallies.entry(g).or_insert_with(|| Tally::empty(def)).merge(&t);
        all.merge(&t);
    }
    Ok((tallies, all, (release, waiting)))
}

/// The published results of one question over the responses recorded under
/// `unit` and below, with the survey's published version `def`, as
/// released: the evidence frozen into a recommendation when it is sent.
/// It keeps the keys and, for every reader, the words in both languages:
/// the survey's title, the question, the columns' labels and the unit's
/// name ([`evidence_for_reader`] picks the reader's).
pub(crate) async fn evidence_figures(
    state: &AppState,
    survey_id: Uuid,
    def: &SurveyDefinition,
    key: &str,
    unit: Uuid,
) -> Result<serde_json::Value, ApiError> {
    let q = ResultsQuery {
        by: None,
        unit_id: Some(unit),
        unit_level: None,
        at: None,
        from: None,
        to: None,
        version: None,
        lang: None,
    };
    let r = compute(state, Viewer::AllUnits, survey_id, &q, Lang::Vi).await?;
    let mut question = r
        .questions
        .into_iter()
        .find(|x| x.key == key)
        .ok_or_else(|| ApiError::not_found("question"))?;
    let both = |lang| column_labels(def, key, &question.columns, lang);
    let labels = serde_json::json!({"vi": both(Lang::Vi), "en": both(Lang::En)});
    // The words are kept once, in both languages, beside the figures.
    question.text = String::new();
    question.column_labels = Vec::new();
    let chart = org::load_chart(&state.db).await?;
    let unit = chart
        .unit(UnitId(unit))
        .map(|u| serde_json::json!({"id": u.id.0, "code": u.code.as_str(), "name": crate::dto::Text::from(&u.name)}));
    let mut results = serde_json::json!(question);
    if let Some(m) = results.as_object_mut() {
        m.remove("text");
    }
    Ok(serde_json::json!({
        "survey_id": survey_id,
        "survey_title": crate::dto::Text::from(def.title()),
        "question_key": key,
        "question": def.question(key).map(|q| crate::dto::Text::from(q.text())),
        "column_labels": labels,
        "unit": unit,
        "version": r.version,
        "disclosure": r.disclosure,
        "release": r.release.number,
        "results": results,
    }))
}

/// One question's figures frozen into a recommendation when it was sent,
/// as [`evidence_for_reader`] gives them: the figures, the words in both
/// languages, and `labels`, the words in the reader's. A schema only: the
/// item is stored and served as JSON. Evidence frozen before the words were
/// kept lacks them (`survey_title`, `question`, `column_labels`, `unit`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FrozenEvidenceDto {
    pub survey_id: Uuid,
    pub survey_title: Option<crate::dto::Text>,
    pub question_key: String,
    pub question: Option<crate::dto::Text>,
    /// The columns' labels in both languages.
    pub column_labels: Option<ColumnLabelsDto>,
    pub unit: Option<EvidenceUnitDto>,
    /// The survey version the figures are for.
    pub version: i32,
    pub disclosure: DisclosureDto,
    /// The results release the figures come from.
    pub release: i32,
    /// The question's figures, its `text` and `column_labels` in the
    /// reader's language.
    pub results: QuestionResultsDto,
    pub labels: EvidenceLabelsDto,
}

/// The columns' labels of frozen evidence, in both languages.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ColumnLabelsDto {
    pub vi: Vec<String>,
    pub en: Vec<String>,
}

/// The unit frozen evidence counts (and the units under it).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUnitDto {
    pub id: Uuid,
    pub code: String,
    pub name: crate::dto::Text,
}

/// The words of frozen evidence in the reader's language.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceLabelsDto {
    /// `vi` or `en`.
    #[schema(value_type = crate::closed_sets::LangCode)]
    pub lang: String,
    pub survey_title: Option<String>,
    pub question: Option<String>,
    /// In the order of the results' `columns`.
    pub columns: Vec<String>,
    /// The unit's name.
    pub unit: Option<String>,
}

/// Frozen evidence as a reader in `lang` reads it: each item as frozen
/// (keys, figures, the words in both languages) with `labels`, the words
/// in `lang`: `{lang, survey_title, question, columns, unit}`, and the
/// question's `text` and `column_labels` in its `results`, as the results
/// routes give them. Evidence frozen before the words were kept takes the
/// column labels from its survey version (published versions never
/// change).
pub(crate) async fn evidence_for_reader(
    state: &AppState,
    frozen: serde_json::Value,
    lang: Lang,
) -> Result<serde_json::Value, ApiError> {
    let serde_json::Value::Array(items) = frozen else {
        return Ok(frozen);
    };
    let code = words::lang_code(lang);
    let mut definitions: BTreeMap<(Uuid, i32), Option<SurveyDefinition>> = BTreeMap::new();
    let mut out = Vec::with_capacity(items.len());
    for mut item in items {
        let pick = |v: &serde_json::Value| -> Option<String> {
            v.get(code)
                .and_then(|t| t.as_str())
                .or_else(|| v.get("vi").and_then(|t| t.as_str()))
                .map(str::to_owned)
        };
        let columns: Vec<String> = item["results"]["columns"]
            .as_array()
            .map(|c| c.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        let mut labels: Option<Vec<String>> = item["column_labels"][code]
            .as_array()
            .map(|c| c.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect());
        if labels.is_none()
            && let (Some(survey), Some(version)) = (
                item["survey_id"].as_str().and_then(|s| s.parse::<Uuid>().ok()),
                item["version"].as_i64().and_then(|v| i32::try_from(v).ok()),
            )
        {
            if let std::collections::btree_map::Entry::Vacant(v) = definitions.entry((survey, version)) {
                let def = match surveys::version(&state.db, survey, version).await {
                    Ok(stored) => Some(stored.definition.definition),
                    Err(StoreError::NotFound) => None,
                    Err(e) => return Err(e.into()),
                };
                v.insert(def);
            }
            if let (Some(Some(def)), Some(key)) = (definitions.get(&(survey, version)), item["question_key"].as_str()) {
                labels = Some(column_labels(def, key, &columns, lang));
            }
        }
        let labels = labels.unwrap_or(columns);
        let question = pick(&item["question"]);
        let shown = serde_json::json!({
            "lang": code,
            "survey_title": pick(&item["survey_title"]),
            "question": question,
            "columns": labels,
            "unit": pick(&item["unit"]["name"]),
        });
        if let Some(results) = item.get_mut("results").and_then(|r| r.as_object_mut()) {
            results.insert("text".into(), serde_json::json!(question.unwrap_or_default()));
            results.insert("column_labels".into(), serde_json::json!(labels));
        }
        if let Some(m) = item.as_object_mut() {
            m.insert("labels".into(), shown);
        }
        out.push(item);
    }
    Ok(serde_json::Value::Array(out))
}
