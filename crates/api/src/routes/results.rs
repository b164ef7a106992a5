//! Survey results: per question, by group, through disclosure control (the
//! cell key method, in releases, over whole months).

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, web};
use chrono::{NaiveDate, Utc};
use langnghe_domain::UnitId;
use langnghe_domain::account::Role;
use langnghe_domain::org::{OrgChart, UnitKind};
use langnghe_domain::results::{self, GroupFigures, Shown, Tally};
use langnghe_domain::rows::{QuasiIds, coarse_age, generalise};
use langnghe_domain::survey::{Answer, SurveyDefinition};
use langnghe_storage::participation as store;
use langnghe_storage::rollup::{self as rollup_store, CellKey};
use langnghe_storage::{StoreError, org, surveys};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::{Admin, Consulting, Staff};
use crate::error::ApiError;
use crate::state::AppState;
use crate::survey_format::{find as find_survey, stored_definition};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(survey_results)
        .service(survey_results_csv)
        .service(responses_csv)
        .service(texts_csv)
        .service(public_results);
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResultsQuery {
    /// Break down by `age_band`, `gender`, `unit` or `period` (month), or a
    /// pair separated by a comma (`unit,age_band`).
    pub by: Option<String>,
    /// Only responses recorded under this unit or below it.
    pub unit_id: Option<Uuid>,
    /// For `by=unit`: group by the units of this kind (`ward`, `school`, …)
    /// in force on `at`; old units count toward their successors.
    pub unit_level: Option<String>,
    /// The date whose organisation `unit` groups by (default today).
    pub at: Option<NaiveDate>,
    /// Responses submitted on or after this day, the first of a month
    /// (results are read over whole months only).
    pub from: Option<NaiveDate>,
    /// Responses submitted on or before this day, the last of a month.
    pub to: Option<NaiveDate>,
    /// Default: the published version.
    pub version: Option<i32>,
}

/// The checked dates of a results query: the organisation's date, the
/// submission window as instants (for rows), and as whole months (for
/// cells).
struct Window {
    at: NaiveDate,
    from: Option<chrono::DateTime<Utc>>,
    to: Option<chrono::DateTime<Utc>>,
    /// `YYYY-MM`, first included, until excluded.
    months: (Option<String>, Option<String>),
}

impl ResultsQuery {
    fn window(&self, today: NaiveDate) -> Result<Window, ApiError> {
        use crate::extract::query_date;
        let (from, to) = (query_date("from", self.from)?, query_date("to", self.to)?);
        let months =
            results::whole_months(from, to).map_err(|e| ApiError::bad_request("invalid_query", e.to_string()))?;
        Ok(Window {
            at: query_date("at", self.at)?.unwrap_or(today),
            from: from.map(crate::local_day_start),
            to: to.and_then(|d| d.succ_opt()).map(crate::local_day_start),
            months,
        })
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

fn count_dto(s: &Shown) -> CountDto {
    CountDto {
        count: s.count,
        share: s.share,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDto {
    /// Dimension → value, e.g. `{"age_band": "12-14"}`; empty without breakdown.
    pub dimensions: BTreeMap<String, String>,
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

fn group_figures(g: &GroupFigures) -> GroupFiguresDto {
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
    pub qtype: &'static str,
    /// Option keys, `yes`/`no`, rating values, or ranking options.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
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
    /// Staff only: responses taken in or withdrawn since, not yet in the
    /// figures.
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
    pub version: i32,
    pub disclosure: DisclosureDto,
    pub release: ReleaseDto,
    pub by: Vec<String>,
    /// The groups published; a group whose responses are published as 0 is
    /// not listed.
    pub groups: Vec<GroupDto>,
    pub questions: Vec<QuestionResultsDto>,
}

const DIMENSIONS: [&str; 4] = ["age_band", "gender", "unit", "period"];

/// What places a response (or a rollup cell of responses) in a group.
struct GroupFacts<'a> {
    unit_id: UnitId,
    age_band: &'a str,
    gender: &'a str,
    /// `YYYY-MM`, local time.
    month: &'a str,
}

/// The group a response or cell falls in: its values on the `by`
/// dimensions, joined.
fn group_key(f: &GroupFacts, by: &[String], chart: &OrgChart, level: Option<UnitKind>, at: NaiveDate) -> String {
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
    responses(
        (status = 200, body = ResultsDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/surveys/{id}/results")]
async fn survey_results(
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<ResultsQuery>,
) -> Result<web::Json<ResultsDto>, ApiError> {
    Ok(web::Json(compute(&state, Viewer::of(&staff), *id, &q).await?))
}

/// The results of a survey marked `results_public`, for everyone, with the
/// same disclosure control. 404 for any other survey.
#[utoipa::path(
    tag = "results",
    params(("id" = Uuid, Path), ResultsQuery),
    responses(
        (status = 200, body = ResultsDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/public/surveys/{id}/results")]
async fn public_results(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<ResultsQuery>,
) -> Result<web::Json<ResultsDto>, ApiError> {
    Ok(web::Json(compute(&state, Viewer::Public, *id, &q).await?))
}

/// Who is asking for results, and so which responses they may see.
#[derive(Clone, Copy)]
enum Viewer {
    /// Admins and moderators: every unit.
    AllUnits,
    /// A facilitator: their unit and below.
    Facilitator(Option<UnitId>),
    /// Anyone, for a survey whose results are public.
    Public,
}

impl Viewer {
    fn of(staff: &Staff<Consulting>) -> Viewer {
        match staff.role() {
            Role::Facilitator => Viewer::Facilitator(staff.user.assignment.unit_id),
            _ => Viewer::AllUnits,
        }
    }
}

/// The same results as CSV (UTF-8 with BOM, for Excel): one row per
/// question, group and column, the whole (`all`) after the groups; a mean
/// or quartile of a group too small to have one is left empty.
#[utoipa::path(
    tag = "results",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ResultsQuery),
    responses(
        (status = 200, content_type = "text/csv; charset=utf-8", body = String),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/surveys/{id}/results.csv")]
async fn survey_results_csv(
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<ResultsQuery>,
) -> Result<HttpResponse, ApiError> {
    let r = compute(&state, Viewer::of(&staff), *id, &q).await?;
    let mut header = vec!["question".to_owned(), "type".to_owned()];
    header.extend(r.by.iter().cloned());
    header.extend(["column", "count", "share", "mean", "median", "q1", "q3"].map(String::from));
    let mut csv = Csv::new(&header);
    let num = |x: Option<f64>| x.map(|v| format!("{v}")).unwrap_or_default();
    let all = GroupDto {
        dimensions: r.by.iter().map(|d| (d.clone(), "all".to_owned())).collect(),
    };
    for question in &r.questions {
        let groups = r.groups.iter().zip(&question.groups).chain([(&all, &question.total)]);
        for (g, figures) in groups {
            let mut lead = vec![question.key.clone(), question.qtype.to_owned()];
            lead.extend(r.by.iter().map(|d| g.dimensions.get(d).cloned().unwrap_or_default()));
            let line = |column: &str, count: Option<u64>, share: Option<f64>, stats: Option<&NumberStatsDto>| {
                let mut row = lead.clone();
                row.extend([
                    column.to_owned(),
                    count.map(|c| c.to_string()).unwrap_or_default(),
                    num(share),
                    num(stats.and_then(|s| s.mean)),
                    num(stats.and_then(|s| s.median)),
                    num(stats.and_then(|s| s.q1)),
                    num(stats.and_then(|s| s.q3)),
                ]);
                row
            };
            csv.push(&line(
                "respondents",
                Some(figures.respondents),
                None,
                figures.stats.as_ref(),
            ));
            for (column, f) in question.columns.iter().zip(&figures.counts) {
                csv.push(&line(column, Some(f.count), f.share, None));
            }
            if let Some(ranks) = &figures.mean_rank {
                for (option, rank) in question.columns.iter().zip(ranks) {
                    let mut row = line(&format!("mean_rank:{option}"), None, None, None);
                    row[lead.len() + 3] = num(Some(*rank));
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
    pub reason: Option<String>,
    /// Only responses recorded under this unit or below it.
    pub unit_id: Option<Uuid>,
    /// The date whose organisation places the units (default today).
    pub at: Option<NaiveDate>,
    /// The first day of a month.
    pub from: Option<NaiveDate>,
    /// The last day of a month.
    pub to: Option<NaiveDate>,
    /// Default: the published version.
    pub version: Option<i32>,
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
                "reason_required",
                "say why the rows are needed (reason, 1 to 200 characters): it is kept in the audit log",
            ));
        }
    };
    let window = ResultsQuery {
        by: None,
        unit_id: q.unit_id,
        unit_level: None,
        at: q.at,
        from: q.from,
        to: q.to,
        version: q.version,
    }
    .window(state.clock.local_date())?;
    let record = find_survey(state, id).await?;
    let version = q
        .version
        .or(record.published_version)
        .ok_or_else(|| ApiError::not_found("published version"))?;
    let stored = match surveys::version(&state.db, record.id, version).await {
        Ok(s) => s,
        Err(StoreError::NotFound) => return Err(ApiError::not_found("survey version")),
        Err(e) => return Err(e.into()),
    };
    let (def, _) = stored_definition(&stored.definition)?;
    let chart = org::load_chart(&state.db).await?;
    let units = match q.unit_id {
        None => None,
        Some(u) if chart.unit(UnitId(u)).is_none() => {
            return Err(ApiError::bad_request("invalid_query", "unknown unit_id"));
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
/// 409 `too_few_responses`.
#[utoipa::path(
    tag = "results",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), RowsQuery),
    responses(
        (status = 200, content_type = "text/csv; charset=utf-8", body = String),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[get("/surveys/{id}/responses.csv")]
async fn responses_csv(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<RowsQuery>,
) -> Result<HttpResponse, ApiError> {
    use rand::seq::SliceRandom;
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
            gender: vec![r.gender.clone().unwrap_or_else(|| crate::rollup::NOT_GIVEN.into())],
        })
        .collect();
    let Some(level) = generalise(&quasi, k) else {
        return Err(ApiError::conflict(
            "too_few_responses",
            format!("fewer than {k} responses: no row can be given without pointing at a child"),
        ));
    };
    let questions: Vec<_> = def
        .questions()
        .iter()
        .filter(|q| !matches!(q.spec(), langnghe_domain::survey::QuestionSpec::Text { .. }))
        .collect();
    let mut header: Vec<String> = ["place", "age_band", "gender"].map(String::from).to_vec();
    header.extend(questions.iter().map(|q| q.key().to_owned()));
    let mut lines: Vec<Vec<String>> = rows
        .drain(..)
        .zip(&quasi)
        .map(|(row, ids)| {
            let answers = crate::rollup::answers_of(&def, &row.answers);
            let mut line: Vec<String> = ids.at(level).iter().map(|v| (*v).to_owned()).collect();
            for question in &questions {
                line.push(
                    match answers.iter().find(|(k, _)| k == question.key()).map(|(_, a)| a) {
                        None | Some(Answer::Text(_)) => String::new(),
                        Some(Answer::Choice(c)) => c.clone(),
                        Some(Answer::Choices(cs)) => cs.join(";"),
                        Some(Answer::Ranking(cs)) => cs.join(">"),
                        Some(Answer::Rating(v)) => v.to_string(),
                        Some(Answer::YesNo(b)) => if *b { "yes" } else { "no" }.to_owned(),
                        Some(Answer::Number(x)) => format!("{x}"),
                    },
                );
            }
            line
        })
        .collect();
    lines.shuffle(&mut rand::rng());
    let mut csv = Csv::new(&header);
    for line in &lines {
        csv.push(line);
    }
    Ok(csv.response(&format!("responses-{survey_id}.csv")))
}

/// The free-text answers of a survey, for admins only, each reading
/// audited with its `reason`: one row per answer (question and text, as
/// stored: redacted), in random order, with nothing that links two answers
/// of one child or an answer to the child's other answers, place, age or
/// gender. Text withheld for safeguarding is left out.
#[utoipa::path(
    tag = "results",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), RowsQuery),
    responses(
        (status = 200, content_type = "text/csv; charset=utf-8", body = String),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/surveys/{id}/texts.csv")]
async fn texts_csv(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<RowsQuery>,
) -> Result<HttpResponse, ApiError> {
    use rand::seq::SliceRandom;
    let Rows {
        def, survey_id, rows, ..
    } = read_rows(&staff, &state, *id, &q, "texts.export").await?;
    let mut lines: Vec<Vec<String>> = rows
        .iter()
        .flat_map(|row| crate::rollup::answers_of(&def, &row.answers))
        .filter_map(|(key, a)| match a {
            Answer::Text(t) if !t.trim().is_empty() && t != langnghe_domain::screen::WITHHELD => {
                Some(vec![key, t.trim().to_owned()])
            }
            _ => None,
        })
        .collect();
    lines.shuffle(&mut rand::rng());
    let mut csv = Csv::new(&["question".to_owned(), "text".to_owned()]);
    for line in &lines {
        csv.push(line);
    }
    Ok(csv.response(&format!("texts-{survey_id}.csv")))
}

pub(crate) use crate::csv::Csv;

async fn compute(state: &AppState, viewer: Viewer, id: Uuid, q: &ResultsQuery) -> Result<ResultsDto, ApiError> {
    let by: Vec<String> = match q.by.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        None => Vec::new(),
        Some(b) => b.split(',').map(|d| d.trim().to_owned()).collect(),
    };
    if by.len() > 2 || by.iter().any(|d| !DIMENSIONS.contains(&d.as_str())) || (by.len() == 2 && by[0] == by[1]) {
        return Err(ApiError::bad_request(
            "invalid_query",
            "by is one or two of age_band, gender, unit, period",
        ));
    }
    let level = match q.unit_level.as_deref() {
        None => None,
        Some(l) => {
            Some(UnitKind::parse(l).ok_or_else(|| ApiError::bad_request("invalid_query", "unknown unit_level"))?)
        }
    };
    let record = find_survey(state, id).await?;
    match viewer {
        Viewer::Facilitator(_) if record.published_version.is_none() => return Err(ApiError::not_found("survey")),
        Viewer::Public if !record.results_public || record.published_version.is_none() => {
            return Err(ApiError::not_found("survey"));
        }
        Viewer::Public if q.version.is_some_and(|v| Some(v) != record.published_version) => {
            return Err(ApiError::not_found("survey version"));
        }
        _ => {}
    }
    let version = q
        .version
        .or(record.published_version)
        .ok_or_else(|| ApiError::not_found("published version"))?;
    let stored = match surveys::version(&state.db, record.id, version).await {
        Ok(s) => s,
        Err(StoreError::NotFound) => return Err(ApiError::not_found("survey version")),
        Err(e) => return Err(e.into()),
    };
    let (def, _) = stored_definition(&stored.definition)?;
    let chart = org::load_chart(&state.db).await?;
    let today = state.clock.local_date();
    let Window { at, months, .. } = q.window(state.clock.local_date())?;
    // The units whose responses are counted: the caller's scope, narrowed
    // to `unit_id` when given.
    let root = match (viewer, q.unit_id) {
        (Viewer::Facilitator(Some(own)), Some(u)) if !chart.is_within(UnitId(u), own, today) => {
            return Err(ApiError::not_found("unit"));
        }
        (Viewer::Facilitator(Some(own)), None) => Some(own),
        (Viewer::Facilitator(None), _) => return Err(ApiError::forbidden()),
        (_, Some(u)) => {
            if chart.unit(UnitId(u)).is_none() {
                return Err(ApiError::bad_request("invalid_query", "unknown unit_id"));
            }
            Some(UnitId(u))
        }
        (_, None) => None,
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
        .map(|(g, _)| GroupDto {
            dimensions: if by.is_empty() {
                BTreeMap::new()
            } else {
                by.iter().cloned().zip(g.split('\u{1f}').map(str::to_owned)).collect()
            },
        })
        .collect();
    let questions = questions
        .into_iter()
        .map(|qr| QuestionResultsDto {
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
            waiting: staff.then_some(release.1),
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
async fn tally_groups(
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
        let t = crate::rollup::decode(&c.tally).map_err(|e| ApiError::internal(&e))?;
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
/// `unit` and below, with the survey's published version, as released: the
/// evidence frozen into a recommendation when it is sent.
pub(crate) async fn evidence_figures(
    state: &AppState,
    survey_id: Uuid,
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
    };
    let r = compute(state, Viewer::AllUnits, survey_id, &q).await?;
    let question = r
        .questions
        .into_iter()
        .find(|x| x.key == key)
        .ok_or_else(|| ApiError::not_found("question"))?;
    Ok(serde_json::json!({
        "version": r.version,
        "disclosure": r.disclosure,
        "release": r.release.number,
        "results": question,
    }))
}
