//! The holiday calendar that agencies' due dates skip, and the school
//! calendar (the dates of each term, học kỳ, that reports and targets may
//! name as a period): read by staff, maintained by admins one year (one
//! school year) at a time.

use std::collections::BTreeSet;

use actix_web::{get, put, web};
use chrono::{Datelike, NaiveDate};
use langnghe_domain::FieldErrors;
use langnghe_domain::plan::{SchoolTerm, SchoolYear, check_school_year};
use langnghe_storage::calendar as store;
use langnghe_storage::school_terms;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::{Admin, AnyStaff, Staff};
use crate::error::{ApiError, Code};
use crate::extract::Json;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_holidays)
        .service(replace_holidays)
        .service(list_school_terms)
        .service(replace_school_year);
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayDto {
    pub date: NaiveDate,
    /// e.g. "Tết Nguyên đán (mùng 1)".
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HolidaysDto {
    pub holidays: Vec<HolidayDto>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HolidayQuery {
    /// Only this year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

fn check_year(year: i32) -> bool {
    (2000..=2100).contains(&year)
}

/// The holidays, in date order (weekends are never working days and are
/// not listed).
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    params(HolidayQuery),
    responses((status = 200, body = HolidaysDto), crate::openapi::ListErrors)
)]
#[get("/calendar/holidays")]
async fn list_holidays(
    _staff: Staff<AnyStaff>,
    state: web::Data<AppState>,
    q: web::Query<HolidayQuery>,
) -> Result<web::Json<HolidaysDto>, ApiError> {
    if q.year.is_some_and(|y| !check_year(y)) {
        return Err(ApiError::bad_request(
            Code::InvalidQuery,
            "year must be from 2000 to 2100",
        ));
    }
    let days = store::list(&state.db, q.year).await?;
    Ok(web::Json(HolidaysDto {
        holidays: days.into_iter().map(|(date, name)| HolidayDto { date, name }).collect(),
    }))
}

/// One year's holidays, replacing what the calendar had for that year.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2026, "holidays": [{"date": "2026-01-01", "name": "Tết Dương lịch"}, {"date": "2026-02-17", "name": "Tết Nguyên đán (mùng 1)"}]}))]
pub struct YearIn {
    /// From 2000 to 2100.
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// Up to 60 days, each in `year`, each once.
    #[validate(length(max = 60, code = "length"))]
    #[schema(max_items = 60)]
    pub holidays: Vec<HolidayDto>,
}

/// Replace a year's holidays (admins), for instance after the government
/// announces the year's Tết days. Audited with the list before and after.
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    request_body = YearIn,
    responses((status = 200, body = HolidaysDto), crate::openapi::CreateErrors)
)]
#[put("/calendar/holidays")]
async fn replace_holidays(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    Json(b): Json<YearIn>,
) -> Result<web::Json<HolidaysDto>, ApiError> {
    let mut errors = FieldErrors::new();
    if !check_year(b.year) {
        errors.push("year", "out_of_range", "a year from 2000 to 2100");
    }
    let mut seen = BTreeSet::new();
    for (i, h) in b.holidays.iter().enumerate() {
        if h.date.year() != b.year {
            errors.push(
                format!("holidays[{i}].date"),
                "other_year",
                "every date must be in the year given",
            );
        } else if !seen.insert(h.date) {
            errors.push(format!("holidays[{i}].date"), "duplicate", "each day once");
        }
        let n = h.name.trim().chars().count();
        if n == 0 || n > 100 || h.name.chars().any(char::is_control) {
            errors.push(
                format!("holidays[{i}].name"),
                "invalid_length",
                "1 to 100 printable characters",
            );
        }
    }
    errors.into_result(())?;
    let days: Vec<(NaiveDate, String)> = b.holidays.iter().map(|h| (h.date, h.name.trim().to_owned())).collect();
    store::replace_year(&state.db, &staff.actor(), b.year, &days).await?;
    let days = store::list(&state.db, Some(b.year)).await?;
    Ok(web::Json(HolidaysDto {
        holidays: days.into_iter().map(|(date, name)| HolidayDto { date, name }).collect(),
    }))
}

/// One term of a school year, with its dates.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"school_year": "2026-2027", "term": "HK1", "name": "Học kỳ I", "period": "2026-2027-HK1", "first_day": "2026-09-05", "last_day": "2027-01-15"}))]
pub struct SchoolTermDto {
    /// `2026-2027`.
    pub school_year: String,
    /// `HK1` (học kỳ I, September–January) or `HK2` (học kỳ II,
    /// January–May).
    #[schema(value_type = crate::closed_sets::TermName)]
    pub term: String,
    /// "Học kỳ I" or "Học kỳ II".
    pub name: &'static str,
    /// The period to ask reports, progress and targets for.
    pub period: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

fn term_dto(t: &SchoolTerm) -> SchoolTermDto {
    SchoolTermDto {
        school_year: t.year().to_string(),
        term: t.term().to_string(),
        name: t.term().name_vi(),
        period: t.period().to_string(),
        first_day: t.first_day(),
        last_day: t.last_day(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SchoolTermsDto {
    pub terms: Vec<SchoolTermDto>,
}

/// The school calendar: every term with its dates, in order. Seeded for
/// the school years of the plan (2023-2024 to 2027-2028); admins set the
/// dates the city announces.
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    responses((status = 200, body = SchoolTermsDto), crate::openapi::RoleErrors)
)]
#[get("/calendar/school-terms")]
async fn list_school_terms(
    _staff: Staff<AnyStaff>,
    state: web::Data<AppState>,
) -> Result<web::Json<SchoolTermsDto>, ApiError> {
    let calendar = school_terms::calendar(&state.db).await?;
    Ok(web::Json(SchoolTermsDto {
        terms: calendar.terms().iter().map(term_dto).collect(),
    }))
}

/// The first and last day of a term.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermDaysIn {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// The dates of a school year's two terms.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"school_year": "2026-2027", "hk1": {"first_day": "2026-09-05", "last_day": "2027-01-16"}, "hk2": {"first_day": "2027-01-18", "last_day": "2027-05-29"}}))]
pub struct SchoolYearIn {
    /// `2026-2027`: the year it starts in and the next.
    pub school_year: String,
    /// Học kỳ I.
    pub hk1: TermDaysIn,
    /// Học kỳ II, after học kỳ I ends.
    pub hk2: TermDaysIn,
}

/// Set the dates of a school year's terms (admins), adding the school year
/// or replacing its dates: every day within the school year (1 August to
/// 31 July), each term's last day on or after its first, học kỳ II after
/// học kỳ I. Reports, progress and targets named by a term follow the new
/// dates. Audited with the dates before and after.
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    request_body = SchoolYearIn,
    responses((status = 200, body = SchoolTermsDto), crate::openapi::CreateErrors)
)]
#[put("/calendar/school-terms")]
async fn replace_school_year(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    Json(b): Json<SchoolYearIn>,
) -> Result<web::Json<SchoolTermsDto>, ApiError> {
    let year = SchoolYear::parse(&b.school_year)
        .map_err(|e| ApiError::invalid(FieldErrors::single("school_year", "invalid_school_year", e.to_string())))?;
    let terms = check_school_year(
        year,
        (b.hk1.first_day, b.hk1.last_day),
        (b.hk2.first_day, b.hk2.last_day),
    )
    .map_err(ApiError::invalid)?;
    school_terms::replace_year(&state.db, &staff.actor(), &terms).await?;
    Ok(web::Json(SchoolTermsDto {
        terms: terms.iter().map(term_dto).collect(),
    }))
}
