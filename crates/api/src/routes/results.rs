//! Survey results: per question, by group, through disclosure control (the
//! cell key method, in releases, over whole months).

use actix_web::{HttpRequest, HttpResponse, get, web};
use std::collections::BTreeMap;

use chrono::NaiveDate;
use langnghe_domain::UnitId;
use langnghe_domain::org::OrgChart;
use langnghe_domain::rows::{QuasiIds, coarse_age, generalise};
use langnghe_domain::survey::{Answer, SurveyDefinition};
use langnghe_domain::text::Lang;
use langnghe_domain::words;
use langnghe_storage::participation as store;
use langnghe_storage::{org, surveys};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::{Admin, Consulting, Staff};
use crate::dto::OptionLabelDto;
use crate::error::{ApiError, Code};
use crate::extract::query_lang;
use crate::services::results::{
    GroupDto, NumberStatsDto, ResultsDto, ResultsQuery, Viewer, Window, compute, dimension_label,
};
use crate::services::results::{answer_label, answers_or_none, public_version};
use crate::state::AppState;
use crate::survey_format::find as find_survey;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(survey_results)
        .service(survey_results_csv)
        .service(responses_csv)
        .service(texts_csv)
        .service(public_results)
        .service(public_survey);
}

/// What children said, per question: counts and shares for choice, yes/no
/// and rating questions, mean/median/quartiles for numbers, mean rank for
/// rankings, and the number of text answers, broken down as asked, over
/// whole months. Every figure goes through disclosure control: counts carry
/// a small noise fixed by the children they count (the cell key method), no
/// count from 1 to k − 1 is published, groups published as empty are not
/// listed, and figures change only in releases of at least k responses.
/// Staff see how many responses wait for the next release. Facilitators
/// see their unit and below only.
#[utoipa::path(
    tag = "results",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ResultsQuery),
    responses((status = 200, body = ResultsDto), crate::openapi::ReadErrors)
)]
#[get("/surveys/{id}/results")]
async fn survey_results(
    req: HttpRequest,
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<ResultsQuery>,
) -> Result<web::Json<ResultsDto>, ApiError> {
    let lang = query_lang(&req, q.lang.as_deref())?;
    let viewer = Viewer::of(&staff.user.assignment);
    Ok(web::Json(compute(&state, viewer, *id, &q, lang).await?))
}

/// The results of a survey marked `results_public`, for everyone, with the
/// same disclosure control. 404 for any other survey.
#[utoipa::path(
    tag = "results",
    params(("id" = Uuid, Path), ResultsQuery),
    responses(
        (status = 200, body = ResultsDto),
        crate::openapi::BadInput, crate::openapi::Missing,
    )
)]
#[get("/public/surveys/{id}/results")]
async fn public_results(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<ResultsQuery>,
) -> Result<web::Json<ResultsDto>, ApiError> {
    let lang = query_lang(&req, q.lang.as_deref())?;
    Ok(web::Json(compute(&state, Viewer::Public, *id, &q, lang).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PublicSurveyQuery {
    /// `vi` or `en` (default: from `Accept-Language`, else `vi`).
    #[param(value_type = Option<crate::closed_sets::LangCode>)]
    pub lang: Option<String>,
}

/// A question as the survey asked it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicQuestionDto {
    pub key: String,
    #[serde(rename = "type")]
    #[schema(value_type = crate::closed_sets::QuestionTypeName)]
    pub qtype: &'static str,
    /// Its default wording (children of some ages may have read it in
    /// simpler words).
    pub text: String,
    /// Choice and ranking questions: the options, in order; yes/no: `yes`
    /// and `no` in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionLabelDto>,
    /// Rating and number questions: the range asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Asked only of children this age or older, or younger.
    pub min_age: u8,
    pub max_age: u8,
    /// Asked only after this earlier question was answered so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shown_if: Option<ShownIfDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShownIfDto {
    pub question: String,
    pub values: Vec<String>,
}

/// A survey whose results are public, as it was asked: what its results
/// are the answers to.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSurveyDto {
    pub id: Uuid,
    /// The published version, whose results `GET /public/surveys/{id}/results` gives.
    pub version: i32,
    /// The language of the texts: `vi` or `en` (a text with no English
    /// falls back to Vietnamese).
    #[schema(value_type = crate::closed_sets::LangCode)]
    pub lang: &'static str,
    /// `opinion`, `policy_consultation` or `issue_form`.
    #[schema(value_type = crate::closed_sets::SurveyKindName)]
    pub kind: &'static str,
    pub title: String,
    pub description: Option<String>,
    /// The draft document a policy consultation asks about.
    pub document_url: Option<String>,
    pub document_quote: Option<String>,
    pub min_age: u8,
    pub max_age: u8,
    pub questions: Vec<PublicQuestionDto>,
}

/// The published version of a survey marked `results_public`, for
/// everyone: its title, description and every question with its text and
/// options in the caller's language (`lang`, else `Accept-Language`), so
/// that its public results can be read. 404 for any other survey.
#[utoipa::path(
    tag = "results",
    params(("id" = Uuid, Path), PublicSurveyQuery),
    responses(
        (status = 200, body = PublicSurveyDto),
        crate::openapi::BadInput, crate::openapi::Missing,
    )
)]
#[get("/public/surveys/{id}")]
async fn public_survey(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<PublicSurveyQuery>,
) -> Result<web::Json<PublicSurveyDto>, ApiError> {
    use langnghe_domain::survey::QuestionSpec;
    let lang = query_lang(&req, q.lang.as_deref())?;
    let record = find_survey(&state, *id).await?;
    let version = public_version(&record).ok_or_else(|| ApiError::not_found("survey"))?;
    let stored = surveys::version(&state.db, record.id, version).await?;
    let def = stored.definition.definition;
    let questions = def
        .questions()
        .iter()
        .map(|question| {
            let (min, max) = match question.spec() {
                QuestionSpec::Rating { min, max, .. } => (Some(*min as f64), Some(*max as f64)),
                QuestionSpec::Number { min, max } => (*min, *max),
                _ => (None, None),
            };
            let keys: Vec<&str> = match question.spec() {
                QuestionSpec::YesNo => vec!["yes", "no"],
                spec => spec.options().iter().map(|o| o.key()).collect(),
            };
            let options = keys
                .into_iter()
                .map(|k| OptionLabelDto {
                    key: k.to_owned(),
                    label: answer_label(Some(question), k, lang),
                })
                .collect();
            PublicQuestionDto {
                key: question.key().to_owned(),
                qtype: question.qtype().as_str(),
                text: question.text().get(lang).to_owned(),
                options,
                min,
                max,
                min_age: question.min_age(),
                max_age: question.max_age(),
                shown_if: question.show_if().map(|s| ShownIfDto {
                    question: s.question().to_owned(),
                    values: s.values().to_vec(),
                }),
            }
        })
        .collect();
    Ok(web::Json(PublicSurveyDto {
        id: record.id,
        version,
        lang: words::lang_code(lang),
        kind: def.kind().as_str(),
        title: def.title().get(lang).to_owned(),
        description: def.description().map(|d| d.get(lang).to_owned()),
        document_url: def.document_url().map(str::to_owned),
        document_quote: def.document_quote().map(str::to_owned),
        min_age: def.min_age(),
        max_age: def.max_age(),
        questions,
    }))
}

/// The same results as CSV for people (UTF-8 with BOM, for Excel), in
/// Vietnamese, or English with `lang=en` or `Accept-Language: en`: one row
/// per question, group and answer, the whole (`Tất cả`) after the groups;
/// each column one meaning, in words: the question's text, the group's
/// values (unit names, age bands, genders, months as `11/2026`), the
/// answer's label, the number of children (an integer), their share as a
/// percentage with one decimal, then the mean, median and quartiles of
/// number answers and the mean rank of ranking options (one decimal; the
/// decimal mark of the language). A figure a group is too small to have is
/// left empty. JSON keeps the keys and the machine forms.
#[utoipa::path(
    tag = "results",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ResultsQuery),
    responses((status = 200, content_type = "text/csv; charset=utf-8", body = String), crate::openapi::ReadErrors)
)]
#[get("/surveys/{id}/results.csv")]
async fn survey_results_csv(
    req: HttpRequest,
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<ResultsQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = query_lang(&req, q.lang.as_deref())?;
    let viewer = Viewer::of(&staff.user.assignment);
    let r = compute(&state, viewer, *id, &q, lang).await?;
    let say = |vi: &'static str, en: &'static str| (vi, en);
    let mut columns = vec![say("Câu hỏi", "Question")];
    let dimensions: Vec<(&str, &str)> =
        r.by.iter()
            .map(|d| (words::dimension(d, Lang::Vi), words::dimension(d, Lang::En)))
            .collect();
    columns.extend(dimensions.iter().copied());
    columns.extend([
        say("Phương án trả lời", "Answer"),
        say("Số trẻ", "Children"),
        say("Tỷ lệ (%)", "Share (%)"),
        say("Trung bình", "Mean"),
        say("Trung vị", "Median"),
        say("Tứ phân vị dưới", "Lower quartile"),
        say("Tứ phân vị trên", "Upper quartile"),
        say("Thứ hạng trung bình", "Mean rank"),
    ]);
    let mut csv = Csv::for_people(lang, &columns);
    let num = |x: Option<f64>| x.map(|v| words::decimal(v, 1, lang)).unwrap_or_default();
    let all = GroupDto {
        dimensions: BTreeMap::new(),
        labels: r
            .by
            .iter()
            .map(|d| (d.clone(), words::everyone(lang).to_owned()))
            .collect(),
    };
    let respondents = match lang {
        Lang::Vi => "Số trẻ trả lời câu hỏi",
        Lang::En => "Children who answered",
    };
    for question in &r.questions {
        let groups = r.groups.iter().zip(&question.groups).chain([(&all, &question.total)]);
        for (g, figures) in groups {
            let mut lead = vec![question.text.clone()];
            lead.extend(r.by.iter().map(|d| g.labels.get(d).cloned().unwrap_or_default()));
            let line = |answer: &str, count: Option<u64>, share: Option<f64>| {
                let mut row = lead.clone();
                row.extend([
                    answer.to_owned(),
                    count.map(|c| c.to_string()).unwrap_or_default(),
                    share.map(|s| words::percent_of_share(s, lang)).unwrap_or_default(),
                ]);
                row
            };
            let mut first = line(respondents, Some(figures.respondents), None);
            let stats: Option<&NumberStatsDto> = figures.stats.as_ref();
            first.extend([
                num(stats.and_then(|s| s.mean)),
                num(stats.and_then(|s| s.median)),
                num(stats.and_then(|s| s.q1)),
                num(stats.and_then(|s| s.q3)),
                String::new(),
            ]);
            csv.push(&first);
            for (label, f) in question.column_labels.iter().zip(&figures.counts) {
                let mut row = line(label, Some(f.count), f.share);
                row.extend(std::iter::repeat_n(String::new(), 5));
                csv.push(&row);
            }
            if let Some(ranks) = &figures.mean_rank {
                for (label, rank) in question.column_labels.iter().zip(ranks) {
                    let mut row = line(label, None, None);
                    row.extend(std::iter::repeat_n(String::new(), 4));
                    row.push(num(Some(*rank)));
                    csv.push(&row);
                }
            }
        }
    }
    Ok(csv.response(&format!("results-{}.csv", r.survey_id)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RowsQuery {
    /// Why the rows are needed (1–200 characters), kept in the audit log.
    #[param(min_length = 1, max_length = 200)]
    pub reason: Option<String>,
    /// Only responses recorded under this unit or below it.
    pub unit_id: Option<Uuid>,
    /// The date whose organisation places the units (default today).
    #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub at: Option<NaiveDate>,
    /// The first day of a month.
    #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub from: Option<NaiveDate>,
    /// The last day of a month.
    #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub to: Option<NaiveDate>,
    /// Default: the published version.
    pub version: Option<i32>,
    /// `vi` or `en`: the language of the headers and words (default: from
    /// `Accept-Language`, else `vi`).
    #[param(value_type = Option<crate::closed_sets::LangCode>)]
    pub lang: Option<String>,
}

/// The rows a request for per-response rows may see, read and audited.
struct Rows {
    def: SurveyDefinition,
    survey_id: Uuid,
    /// Each response that counts, with its answers.
    rows: Vec<store::ResultRow>,
    chart: OrgChart,
    at: NaiveDate,
}

/// A row's answers, typed by its survey's definition (answers that cannot
/// be read are reported and read as none).
fn row_answers(def: &SurveyDefinition, survey_id: Uuid, row: &store::ResultRow) -> Vec<(String, Answer)> {
    answers_or_none(def, &format_args!("a response of survey {survey_id}"), &row.answers)
}

/// Checks a request for rows (an admin, a reason, whole months), reads the
/// rows and records the reading in the audit log, with its reason.
async fn read_rows(
    staff: &Staff<Admin>,
    state: &AppState,
    id: Uuid,
    q: &RowsQuery,
    what: &str,
) -> Result<Rows, ApiError> {
    let reason = match q.reason.as_deref().map(str::trim) {
        Some(r) if !r.is_empty() && r.chars().count() <= 200 && !r.chars().any(char::is_control) => r.to_owned(),
        _ => {
            return Err(ApiError::bad_request(
                Code::ReasonRequired,
                "say why the rows are needed (reason, 1 to 200 characters): it is kept in the audit log",
            ));
        }
    };
    let window = Window::of(q.at, q.from, q.to, state.clock.local_date())?;
    let record = find_survey(state, id).await?;
    let (version, def) = crate::survey_format::version_or_published(state, &record, q.version).await?;
    let chart = org::load_chart(&state.db).await?;
    let units = match q.unit_id {
        None => None,
        Some(u) if chart.unit(UnitId(u)).is_none() => {
            return Err(ApiError::bad_request(Code::InvalidQuery, "unknown unit_id"));
        }
        Some(u) => Some(chart.counting_for(UnitId(u), window.at)),
    };
    let rows =
        store::responses_for_results(&state.db, record.id, version, window.from, window.to, units.as_deref()).await?;
    langnghe_storage::audit::record(
        &state.db,
        &staff.actor(),
        langnghe_storage::audit::Change {
            action: what,
            entity: "survey",
            entity_id: Some(record.id.to_string()),
            before: None,
            after: Some(serde_json::json!({
                "reason": reason, "version": version, "unit_id": q.unit_id,
                "from": q.from, "to": q.to, "responses": rows.len(),
            })),
        },
    )
    .await?;
    Ok(Rows {
        def,
        survey_id: record.id,
        rows,
        chart,
        at: window.at,
    })
}

/// One row per response that counts, for admins only, each reading audited
/// with its `reason`: the answers to every question but free text (in
/// `texts.csv`, unlinked), in random order, with no id, pseudonym or time;
/// where the child answered (the unit, or its ward or district), their age
/// band (or half of childhood) and gender generalised until every
/// combination counts at least k rows (k-anonymity). Fewer than k responses:
/// 409 `too_few_responses`. For people, in Vietnamese or English (`lang`,
/// `Accept-Language`): the questions' texts as headers, units by name, age
/// bands and genders in words, answers by their labels (several joined by
/// `; `, a ranking as `first > second`), numbers with the language's
/// decimal mark.
#[utoipa::path(
    tag = "results",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), RowsQuery),
    responses((status = 200, content_type = "text/csv; charset=utf-8", body = String), crate::openapi::ActionErrors)
)]
#[get("/surveys/{id}/responses.csv")]
async fn responses_csv(
    req: HttpRequest,
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<RowsQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = query_lang(&req, q.lang.as_deref())?;
    let Rows {
        def,
        survey_id,
        mut rows,
        chart,
        at,
    } = read_rows(&staff, &state, *id, &q, "responses.export").await?;
    let k = state.ptable.policy().threshold();
    let quasi: Vec<QuasiIds> = rows
        .iter()
        .map(|r| QuasiIds {
            place: std::iter::once(chart.unit(r.unit_id).map(|u| u.code.as_str().to_owned()))
                .chain(
                    chart
                        .ancestors_on(r.unit_id, at)
                        .into_iter()
                        .map(|u| Some(u.code.as_str().to_owned())),
                )
                .map(|c| c.unwrap_or_else(|| "other".into()))
                .collect(),
            age: vec![r.age_band.clone(), coarse_age(&r.age_band).to_owned()],
            gender: vec![
                r.gender
                    .clone()
                    .unwrap_or_else(|| langnghe_storage::rollup::NOT_GIVEN.into()),
            ],
        })
        .collect();
    let Some(level) = generalise(&quasi, k) else {
        return Err(ApiError::conflict(
            Code::TooFewResponses,
            format!("fewer than {k} responses: no row can be given without pointing at a child"),
        ));
    };
    let questions: Vec<_> = def
        .questions()
        .iter()
        .filter(|q| !matches!(q.spec(), langnghe_domain::survey::QuestionSpec::Text { .. }))
        .collect();
    let say = |vi: &str, en: &str| match lang {
        Lang::Vi => vi.to_owned(),
        Lang::En => en.to_owned(),
    };
    let mut header: Vec<String> = vec![
        say("Nơi trả lời", "Where"),
        say("Nhóm tuổi", "Age band"),
        say("Giới tính", "Gender"),
    ];
    header.extend(questions.iter().map(|q| q.text().get(lang).to_owned()));
    let place = |code: &str| match code {
        langnghe_domain::rows::ANY => say("Mọi nơi", "Anywhere"),
        "other" => words::other_units(lang).to_owned(),
        code => dimension_label("unit", code, &chart, lang),
    };
    let lines: Vec<Vec<String>> = rows
        .drain(..)
        .zip(&quasi)
        .map(|(row, ids)| {
            let answers = row_answers(&def, survey_id, &row);
            let [where_, age, gender] = ids.at(level);
            let mut line = vec![
                place(where_),
                words::age_band(age, lang),
                words::gender(gender, lang).to_owned(),
            ];
            for question in &questions {
                let label = |key: &String| answer_label(Some(*question), key, lang);
                let labels = |keys: &[String]| keys.iter().map(label).collect::<Vec<_>>();
                line.push(
                    match answers.iter().find(|(k, _)| k == question.key()).map(|(_, a)| a) {
                        None | Some(Answer::Text(_)) => String::new(),
                        Some(Answer::Choice(c)) => label(c),
                        Some(Answer::Choices(cs)) => labels(cs).join("; "),
                        Some(Answer::Ranking(cs)) => labels(cs).join(" > "),
                        Some(Answer::Rating(v)) => v.to_string(),
                        Some(Answer::YesNo(b)) => words::yes_no(*b, lang).to_owned(),
                        Some(Answer::Number(x)) => match lang {
                            Lang::Vi => format!("{x}").replace('.', ","),
                            Lang::En => format!("{x}"),
                        },
                    },
                );
            }
            line
        })
        .collect();
    let mut csv = Csv::new(&header);
    csv.push_shuffled(lines);
    Ok(csv.response(&format!("responses-{survey_id}.csv")))
}

/// The free-text answers of a survey, for admins only, each reading
/// audited with its `reason`: one row per answer (question and text, as
/// stored: redacted), in random order, with nothing that links two answers
/// of one child or an answer to the child's other answers, place, age or
/// gender. Text withheld for safeguarding is left out. For people: the
/// question's text, in Vietnamese or English (`lang`, `Accept-Language`).
#[utoipa::path(
    tag = "results",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), RowsQuery),
    responses((status = 200, content_type = "text/csv; charset=utf-8", body = String), crate::openapi::ReadErrors)
)]
#[get("/surveys/{id}/texts.csv")]
async fn texts_csv(
    req: HttpRequest,
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<RowsQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = query_lang(&req, q.lang.as_deref())?;
    let Rows {
        def, survey_id, rows, ..
    } = read_rows(&staff, &state, *id, &q, "texts.export").await?;
    let text_of = |key: &str| {
        def.question(key)
            .map_or_else(|| key.to_owned(), |q| q.text().get(lang).to_owned())
    };
    let lines: Vec<Vec<String>> = rows
        .iter()
        .flat_map(|row| row_answers(&def, survey_id, row))
        .filter_map(|(key, a)| match a {
            Answer::Text(t) if !t.trim().is_empty() && t != langnghe_domain::screen::WITHHELD => {
                Some(vec![text_of(&key), t.trim().to_owned()])
            }
            _ => None,
        })
        .collect();
    let mut csv = Csv::for_people(lang, &[("Câu hỏi", "Question"), ("Câu trả lời", "Answer")]);
    csv.push_shuffled(lines);
    Ok(csv.response(&format!("texts-{survey_id}.csv")))
}

pub(crate) use crate::csv::Csv;
