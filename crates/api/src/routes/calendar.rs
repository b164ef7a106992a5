//! The holiday calendar that agencies' due dates skip: read by staff,
//! maintained by admins one year at a time.

use std::collections::BTreeSet;

use actix_web::{get, put, web};
use chrono::{Datelike, NaiveDate};
use langnghe_domain::FieldErrors;
use langnghe_storage::calendar as store;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::{Admin, AnyStaff, Staff};
use crate::error::{ApiError, Code};
use crate::extract::Json;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_holidays).service(replace_holidays);
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
    responses(
        (status = 200, body = HolidaysDto),
        crate::openapi::BadInput, crate::openapi::NoToken, crate::openapi::NotAllowed,
    )
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
    pub year: i32,
    /// Up to 60 days, each in `year`, each once.
    #[validate(length(max = 60, code = "length"))]
    pub holidays: Vec<HolidayDto>,
}

/// Replace a year's holidays (admins), for instance after the government
/// announces the year's Tết days. Audited with the list before and after.
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    request_body = YearIn,
    responses(
        (status = 200, body = HolidaysDto),
        crate::openapi::BadBody, crate::openapi::NoToken, crate::openapi::NotAllowed,
    )
)]
#[put("/calendar/holidays")]
async fn replace_holidays(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    body: Json<YearIn>,
) -> Result<web::Json<HolidaysDto>, ApiError> {
    let b = body.0;
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
