//! Survey results: per question, by group, through small-cell suppression.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, web};
use chrono::{NaiveDate, Utc};
use langnghe_domain::UnitId;
use langnghe_domain::account::Role;
use langnghe_domain::org::{OrgChart, UnitKind};
use langnghe_domain::results::{self, QuestionResults, Tally};
use langnghe_domain::suppression::Figure;
use langnghe_domain::survey::{Answer, SurveyDefinition};
use langnghe_storage::participation as store;
use langnghe_storage::rollup::{self as rollup_store, CellKey, Grain};
use langnghe_storage::{StoreError, org, surveys};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::{Consulting, Curator, Staff};
use crate::error::ApiError;
use crate::routes::surveys::{find as find_survey, stored_definition};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(survey_results)
        .service(survey_results_csv)
        .service(responses_csv)
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
    /// Responses submitted on or after this day.
    pub from: Option<NaiveDate>,
    /// Responses submitted on or before this day.
    pub to: Option<NaiveDate>,
    /// Default: the published version.
    pub version: Option<i32>,
}

/// The checked dates of a results query: the organisation's date, and the
/// submission window as instants.
struct Window {
    at: NaiveDate,
    from: Option<chrono::DateTime<Utc>>,
    to: Option<chrono::DateTime<Utc>>,
    /// The same window as days, both included.
    days: (Option<NaiveDate>, Option<NaiveDate>),
}

impl ResultsQuery {
    fn window(&self, today: NaiveDate) -> Result<Window, ApiError> {
        use crate::extract::query_date;
        let (from, to) = (query_date("from", self.from)?, query_date("to", self.to)?);
        Ok(Window {
            at: query_date("at", self.at)?.unwrap_or(today),
            from: from.map(crate::local_day_start),
            to: to.and_then(|d| d.succ_opt()).map(crate::local_day_start),
            days: (from, to),
        })
    }
}

/// A figure about children: shown, or suppressed because it is too small.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureDto {
    /// `null` when suppressed.
    pub count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub suppressed: bool,
}

fn figure(f: &Figure) -> FigureDto {
    match f {
        Figure::Shown { count, share } => FigureDto {
            count: Some(*count),
            share: *share,
            suppressed: false,
        },
        Figure::Suppressed => FigureDto {
            count: None,
            share: None,
            suppressed: true,
        },
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDto {
    /// Dimension → value, e.g. `{"age_band": "12-14"}`; empty without breakdown.
    pub dimensions: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NumberStatsDto {
    pub mean: f64,
    pub median: f64,
    pub q1: f64,
    pub q3: f64,
}

/// One question's figures for one group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupFiguresDto {
    /// Respondents in the group who answered the question.
    pub respondents: FigureDto,
    /// Choice, yes/no, rating: one per column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<FigureDto>,
    /// Number questions, when the group is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<NumberStatsDto>,
    /// Ranking questions: mean rank per option (1 = first), when shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_rank: Option<Vec<f64>>,
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
    /// Column totals across groups (choice, yes/no, rating).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub totals: Vec<FigureDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsDto {
    pub survey_id: Uuid,
    pub version: i32,
    /// The smallest figure shown (k).
    pub min_cell: u64,
    pub by: Vec<String>,
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
/// rankings, and the number of text answers, broken down as asked. Every
/// group or cell under k respondents is suppressed, and further cells so
/// that none can be worked out from the totals shown. Facilitators see
/// their unit and below only.
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
/// same suppression. 404 for any other survey.
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
/// question, group and column, suppressed figures left empty and marked.
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
    header.extend(["column", "count", "share", "suppressed", "mean", "median", "q1", "q3"].map(String::from));
    let mut csv = Csv::new(&header);
    let num = |x: Option<f64>| x.map(|v| format!("{v}")).unwrap_or_default();
    for question in &r.questions {
        for (g, figures) in r.groups.iter().zip(&question.groups) {
            let mut lead = vec![question.key.clone(), question.qtype.to_owned()];
            lead.extend(r.by.iter().map(|d| g.dimensions.get(d).cloned().unwrap_or_default()));
            let row = |column: &str, f: &FigureDto, stats: Option<&NumberStatsDto>| {
                let mut row = lead.clone();
                row.extend([
                    column.to_owned(),
                    f.count.map(|c| c.to_string()).unwrap_or_default(),
                    num(f.share),
                    f.suppressed.to_string(),
                    num(stats.map(|s| s.mean)),
                    num(stats.map(|s| s.median)),
                    num(stats.map(|s| s.q1)),
                    num(stats.map(|s| s.q3)),
                ]);
                row
            };
            csv.push(&row("respondents", &figures.respondents, figures.stats.as_ref()));
            for (column, f) in question.columns.iter().zip(&figures.counts) {
                csv.push(&row(column, f, None));
            }
            if let Some(ranks) = &figures.mean_rank {
                for (option, rank) in question.columns.iter().zip(ranks) {
                    let mut row = lead.clone();
                    row.extend([
                        format!("mean_rank:{option}"),
                        String::new(),
                        num(Some(*rank)),
                        "false".into(),
                    ]);
                    row.extend(std::iter::repeat_n(String::new(), 4));
                    csv.push(&row);
                }
            }
        }
    }
    Ok(csv.response(&format!("results-{}.csv", r.survey_id)))
}

/// One row per response that counts, answers as columns: redacted text
/// only, no pseudonym, token or id. Admins and moderators only.
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
#[get("/surveys/{id}/responses.csv")]
async fn responses_csv(
    _staff: Staff<Curator>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<ResultsQuery>,
) -> Result<HttpResponse, ApiError> {
    if q.by.is_some() || q.unit_level.is_some() {
        return Err(ApiError::bad_request(
            "invalid_query",
            "responses.csv takes no breakdown",
        ));
    }
    let record = find_survey(&state, *id).await?;
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
    let Window { at, from, to, .. } = q.window(state.clock.local_date())?;
    let units = match q.unit_id {
        None => None,
        Some(u) if chart.unit(UnitId(u)).is_none() => {
            return Err(ApiError::bad_request("invalid_query", "unknown unit_id"));
        }
        Some(u) => Some(chart.counting_for(UnitId(u), at)),
    };
    let rows = store::responses_for_results(&state.db, record.id, version, from, to, units.as_deref()).await?;
    let mut header: Vec<String> = ["row", "submitted_on", "unit", "age_band", "gender"]
        .map(String::from)
        .to_vec();
    header.extend(def.questions().iter().map(|q| q.key().to_owned()));
    let mut csv = Csv::new(&header);
    for (i, row) in rows.iter().enumerate() {
        let answers = crate::rollup::answers_of(&def, &row.answers);
        let mut line = vec![
            (i + 1).to_string(),
            crate::local_day(row.submitted_at).to_string(),
            chart
                .unit(row.unit_id)
                .map(|u| u.code.as_str().to_owned())
                .unwrap_or_default(),
            row.age_band.clone(),
            row.gender.clone().unwrap_or_default(),
        ];
        for question in def.questions() {
            line.push(
                match answers.iter().find(|(k, _)| k == question.key()).map(|(_, a)| a) {
                    None => String::new(),
                    Some(Answer::Choice(c)) => c.clone(),
                    Some(Answer::Choices(cs)) => cs.join(";"),
                    Some(Answer::Ranking(cs)) => cs.join(">"),
                    Some(Answer::Rating(v)) => v.to_string(),
                    Some(Answer::YesNo(b)) => if *b { "yes" } else { "no" }.to_owned(),
                    Some(Answer::Number(x)) => format!("{x}"),
                    Some(Answer::Text(t)) => t.clone(),
                },
            );
        }
        csv.push(&line);
    }
    Ok(csv.response(&format!("responses-{}.csv", record.id)))
}

/// A CSV document that opens cleanly in Excel: UTF-8 with BOM, CRLF, every
/// field quoted where needed, and cells that would start a formula made
/// plain text.
pub(crate) struct Csv(String);

impl Csv {
    pub(crate) fn new(header: &[String]) -> Csv {
        let mut c = Csv(String::from("\u{feff}"));
        c.push(header);
        c
    }

    pub(crate) fn push(&mut self, fields: &[String]) {
        let line: Vec<String> = fields
            .iter()
            .map(|f| {
                let f = if f.starts_with(['=', '+', '-', '@', '\t', '\r']) && f.parse::<f64>().is_err() {
                    format!("'{f}")
                } else {
                    f.clone()
                };
                if f.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f
                }
            })
            .collect();
        self.0.push_str(&line.join(","));
        self.0.push_str("\r\n");
    }

    pub(crate) fn response(self, filename: &str) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(("Content-Disposition", format!("attachment; filename=\"{filename}\"")))
            .body(self.0)
    }
}

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
    let Window { at, days, .. } = q.window(state.clock.local_date())?;
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
    let tallies = tally_groups(state, &def, record.id, version, units.as_deref(), days, |f| {
        group_key(f, &by, &chart, level, at)
    })
    .await?;
    let groups: Vec<&String> = tallies.keys().collect();
    let questions = results::publish_tallies(&def, &tallies.values().collect::<Vec<_>>(), state.min_cell);
    let groups_dto = groups
        .iter()
        .map(|g| GroupDto {
            dimensions: if by.is_empty() {
                BTreeMap::new()
            } else {
                by.iter().cloned().zip(g.split('\u{1f}').map(str::to_owned)).collect()
            },
        })
        .collect();
    let questions = questions
        .into_iter()
        .map(|qr| {
            let (columns, per_group, totals) = match &qr.results {
                QuestionResults::Counts { columns, table } => {
                    let cols = columns.len();
                    let per_group = (0..groups.len())
                        .map(|g| GroupFiguresDto {
                            respondents: figure(&table.row_totals[g]),
                            counts: table.cells[g * cols..(g + 1) * cols].iter().map(figure).collect(),
                            stats: None,
                            mean_rank: None,
                        })
                        .collect();
                    (
                        columns.clone(),
                        per_group,
                        table.col_totals.iter().map(figure).collect(),
                    )
                }
                QuestionResults::Numbers { respondents, stats } => (
                    Vec::new(),
                    respondents
                        .iter()
                        .zip(stats)
                        .map(|(r, s)| GroupFiguresDto {
                            respondents: figure(r),
                            counts: Vec::new(),
                            stats: s.as_ref().map(|s| NumberStatsDto {
                                mean: s.mean,
                                median: s.median,
                                q1: s.q1,
                                q3: s.q3,
                            }),
                            mean_rank: None,
                        })
                        .collect(),
                    Vec::new(),
                ),
                QuestionResults::Ranking {
                    options,
                    respondents,
                    mean_rank,
                } => (
                    options.clone(),
                    respondents
                        .iter()
                        .zip(mean_rank)
                        .map(|(r, m)| GroupFiguresDto {
                            respondents: figure(r),
                            counts: Vec::new(),
                            stats: None,
                            mean_rank: m.clone(),
                        })
                        .collect(),
                    Vec::new(),
                ),
                QuestionResults::Texts { answers } => (
                    Vec::new(),
                    answers
                        .iter()
                        .map(|a| GroupFiguresDto {
                            respondents: figure(a),
                            counts: Vec::new(),
                            stats: None,
                            mean_rank: None,
                        })
                        .collect(),
                    Vec::new(),
                ),
            };
            QuestionResultsDto {
                key: qr.key,
                qtype: qr.qtype.as_str(),
                columns,
                groups: per_group,
                totals,
            }
        })
        .collect();
    Ok(ResultsDto {
        survey_id: record.id,
        version,
        min_cell: state.min_cell.get(),
        by,
        groups: groups_dto,
        questions,
    })
}

/// The tally of each group, read in one snapshot from the rollup cells —
/// month cells for the whole months of the window, day cells for the days
/// at its edges — plus the responses not yet folded into them, so the
/// figures are exact. Groups left without any response are dropped.
async fn tally_groups(
    state: &AppState,
    def: &SurveyDefinition,
    survey_id: Uuid,
    version: i32,
    units: Option<&[UnitId]>,
    days: (Option<NaiveDate>, Option<NaiveDate>),
    group: impl Fn(&GroupFacts) -> String,
) -> Result<BTreeMap<String, Tally>, ApiError> {
    let split = results::split_window(days.0, days.1);
    let mut ranges: Vec<(Grain, Option<NaiveDate>, Option<NaiveDate>)> = Vec::new();
    if let Some((first, end)) = split.months {
        ranges.push((Grain::Month, first, end));
    }
    ranges.extend(split.edges.iter().map(|(from, until)| (Grain::Day, *from, *until)));
    let unit_ids: Option<Vec<Uuid>> = units.map(|u| u.iter().map(|u| u.0).collect());
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut add = |key: &CellKey, t: &Tally| {
        let g = group(&GroupFacts {
            unit_id: UnitId(key.unit_id),
            age_band: &key.age_band,
            gender: &key.gender,
            month: key.period.get(..7).unwrap_or(&key.period),
        });
        tallies.entry(g).or_insert_with(|| Tally::empty(def)).merge(t);
    };
    let tx = rollup_store::read_snapshot(&state.db).await?;
    for (grain, from, until) in ranges {
        let period = |d: Option<NaiveDate>| d.map(|d| crate::rollup::period_of(d, grain));
        let cells = rollup_store::cells(
            &tx,
            survey_id,
            version,
            grain,
            unit_ids.as_deref(),
            period(from).as_deref(),
            period(until).as_deref(),
        )
        .await?;
        for c in &cells {
            add(
                &c.key,
                &crate::rollup::decode(&c.tally).map_err(|e| ApiError::internal(&e))?,
            );
        }
        let pending = rollup_store::pending_for(
            &tx,
            survey_id,
            version,
            units,
            from.map(crate::local_day_start),
            until.map(crate::local_day_start),
        )
        .await?;
        for p in &pending {
            let mut t = Tally::empty(def);
            t.count(
                def,
                &crate::rollup::answers_of(def, &p.answers),
                if p.live { 1 } else { -1 },
            );
            add(&crate::rollup::cell_key(p, grain), &t);
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    tallies.retain(|_, t| t.responses > 0);
    Ok(tallies)
}

/// The suppressed results of one question over the responses recorded
/// under `unit` and below, with the survey's published version: the
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
        "min_cell": r.min_cell,
        "results": question,
    }))
}
