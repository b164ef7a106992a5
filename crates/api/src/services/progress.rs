//! The plan's targets measured, for the progress route and the report: the
//! records a set of targets needs are gathered once (one query per kind of
//! record), each target is measured from them by the domain's counting
//! rules (`plan::measure`), and every figure that counts children is
//! published through disclosure control.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use langnghe_domain::UnitId;
use langnghe_domain::consultation::SchoolLevel;
use langnghe_domain::org::OrgChart;
use langnghe_domain::plan::{
    self, ChildrenFrom, EventRecord, IssueRecord, Period, PolicyAnswer, Records, ResponseRecord, SessionRecord, Target,
};
use langnghe_domain::reports::{ScopeError, report_unit};
use langnghe_storage::reports::Window;
use langnghe_storage::targets as store;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Allowed, Staff};
use crate::dto::{Text, UnitBrief};
use crate::error::{ApiError, Code};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90", "metric": "consultations", "scope_unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d20", "period": "2024..2027", "value": 50000.0, "plan_target": 9, "measures": "consultations",
  "counting_rule": {"vi": "Lượt trẻ em được lấy ý kiến: …", "en": "Consultations (lượt): …"}}))]
pub struct TargetDto {
    pub id: Uuid,
    /// The plan's: `consultations` (9), `lower_secondary_participants` (8),
    /// `ward_dialogue_coverage` and `school_dialogue_coverage` (3),
    /// `school_consultation_coverage` (7), `council_meetings` (1), `forums`
    /// and `leaders_meet_pioneers` (2), `trainings_commanders` (4),
    /// `pioneer_leaders_trained_coverage` and
    /// `neighbourhood_leaders_trained_coverage` (6), `policy_consultations`
    /// (5); and the service's other measures: `unique_participants` and
    /// `events.<kind>` (events of one kind, e.g. `events.parents_session`).
    #[schema(value_type = crate::closed_sets::MetricName)]
    pub metric: &'static str,
    /// What it measures, in words (as the reports name it).
    pub name: Text,
    pub scope_unit_id: Uuid,
    /// `2026`, `2026-H1`, `2026-Q3`, `2026-11`, `2024..2027`, `2026-WY`
    /// (the work year to November), `2025-2026-HK1` (a school term) or
    /// `2026-03-01..2026-05-31`.
    pub period: String,
    /// A count, or a percentage for coverage metrics.
    pub value: f64,
    /// The number of the plan's target this measures (1–9); `null` for the
    /// service's other measures.
    pub plan_target: Option<u8>,
    /// What the figure counts: `consultations` ("lượt": a child taking part
    /// twice counts twice), `unique_participants` (each child once),
    /// `events`, `policy_consultations` (each survey or event once) or
    /// `percent_of_units`.
    #[schema(value_type = crate::closed_sets::MeasureName)]
    pub measures: &'static str,
    /// How the figure is counted, in Vietnamese and English.
    pub counting_rule: Text,
}

pub(crate) fn target_dto(id: Uuid, t: &Target) -> TargetDto {
    let metric = t.metric();
    TargetDto {
        id,
        metric: metric.as_str(),
        name: Text {
            vi: langnghe_domain::words::metric(metric.as_str(), langnghe_domain::text::Lang::Vi).to_owned(),
            en: Some(langnghe_domain::words::metric(metric.as_str(), langnghe_domain::text::Lang::En).to_owned()),
        },
        scope_unit_id: t.scope_unit().0,
        period: t.period().to_string(),
        value: t.value(),
        plan_target: metric.plan_target(),
        measures: metric.quantity().as_str(),
        counting_rule: Text::from(&metric.counting_rule()),
    }
}

/// A part of a measured figure, or a figure shown beside it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"name": "event_headcount", "counts": "headcount", "value": 1250, "added_to_actual": false}))]
pub struct PartDto {
    /// Consultations: `survey_responses`, `issues`, `event_attendance`.
    /// Lower-secondary participants: `unique_participants`,
    /// `event_headcount` (lower-secondary children entered at events),
    /// `event_headcount_school_level_not_entered`. Policy consultations:
    /// `surveys`, `events`. Coverage: `units_covered`, `units_in_scope`.
    #[schema(value_type = crate::closed_sets::PartName)]
    pub name: &'static str,
    /// `consultations` ("lượt"), `unique_participants`, `headcount`
    /// (children counted in the room: one child may be counted twice),
    /// `policy_consultations` or `units`. Published through the cell key
    /// method when it counts children.
    #[schema(value_type = crate::closed_sets::PartCounts)]
    pub counts: &'static str,
    pub value: u64,
    /// Whether it is added up into `actual`. A headcount is never added to
    /// unique participants: it is shown beside them.
    pub added_to_actual: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetProgressDto {
    #[serde(flatten)]
    pub target: TargetDto,
    /// Measured from the start of the period to today (or its end). A
    /// figure that counts children is published through the cell key
    /// method (see the README's disclosure control).
    pub actual: f64,
    /// `actual / value`.
    pub share: f64,
    /// `met`, `on_track` (against a linear pace over the period) or `behind`.
    #[schema(value_type = crate::closed_sets::TargetStatusName)]
    pub status: &'static str,
    /// For coverage targets: the units not yet covered, whom to call.
    pub uncovered_units: Vec<UnitBrief>,
    /// What the actual is made of, and the figures shown beside it.
    pub parts: Vec<PartDto>,
}

/// The local day of an instant.
fn day(at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    crate::local_day(at)
}

/// The school levels entered for an event, as stored: the lower-secondary
/// children, `None` when no breakdown was entered.
fn lower_secondary(by_level: Option<&str>) -> Option<u64> {
    let map: BTreeMap<String, i64> = serde_json::from_str(by_level?).ok()?;
    Some(
        map.get(SchoolLevel::LowerSecondary.as_str())
            .and_then(|n| u64::try_from(*n).ok())
            .unwrap_or(0),
    )
}

/// Everything the targets need, measured up to `as_of`: the days from the
/// earliest first day to the latest day measured, under the units that
/// count for any of their scopes (every event, wherever held).
pub(crate) async fn records(
    state: &AppState,
    chart: &OrgChart,
    targets: &[(Uuid, Target)],
    as_of: NaiveDate,
) -> Result<Records, ApiError> {
    let spans: Vec<(NaiveDate, NaiveDate)> = targets
        .iter()
        .map(|(_, t)| (t.period().first_day(), t.period().last_day().min(as_of)))
        .filter(|(first, last)| first <= last)
        .collect();
    let (Some(first), Some(last)) = (spans.iter().map(|s| s.0).min(), spans.iter().map(|s| s.1).max()) else {
        return Ok(Records::default());
    };
    let window = Window {
        first,
        last,
        offset_hours: crate::LOCAL_OFFSET_HOURS,
    };
    let mut units: HashSet<UnitId> = HashSet::new();
    for (_, t) in targets {
        let on = t.period().last_day().min(as_of).max(t.period().first_day());
        units.extend(chart.counting_for(t.scope_unit(), on));
    }
    let mut units: Vec<UnitId> = units.into_iter().collect();
    units.sort();
    let db = &state.db;
    let within = Some(units.as_slice());
    let responses = store::responses_between(db, within, &window)
        .await?
        .into_iter()
        .map(|(participant, grade, age, unit, at)| ResponseRecord {
            participant,
            level: SchoolLevel::of(grade.and_then(|g| u8::try_from(g).ok()), u8::try_from(age).unwrap_or(0)),
            unit,
            day: day(at),
        })
        .collect();
    let issues = store::child_issues_between(db, within, &window)
        .await?
        .into_iter()
        .map(|(unit, participant, at)| IssueRecord {
            unit,
            day: day(at),
            participant,
        })
        .collect();
    let events = store::events_between(db, &window)
        .await?
        .into_iter()
        .map(|e| EventRecord {
            kind: e.kind,
            audience: e.audience,
            unit: e.unit_id,
            day: e.held_on,
            children: u64::try_from(e.children_attending).unwrap_or(0),
            lower_secondary: lower_secondary(e.children_by_school_level.as_deref()),
            attendance: e.attendance,
            children_from: e
                .children_from
                .iter()
                .map(|(unit, children, by_level)| ChildrenFrom {
                    unit: *unit,
                    children: u64::try_from(*children).unwrap_or(0),
                    lower_secondary: lower_secondary(by_level.as_deref()),
                })
                .collect(),
        })
        .collect();
    let sessions = store::sessions_between(db, within, &window)
        .await?
        .into_iter()
        .map(|(unit, opens, closes)| {
            let first_day = day(opens);
            // Closing is exclusive: a session closing at midnight was not
            // open on the day that begins then.
            let last_day = day(closes - chrono::Duration::seconds(1)).max(first_day);
            SessionRecord {
                unit,
                first_day,
                last_day,
            }
        })
        .collect();
    let policy_answers = store::policy_answers_between(db, within, &window)
        .await?
        .into_iter()
        .map(|(survey, unit, day)| PolicyAnswer { survey, unit, day })
        .collect();
    Ok(Records {
        responses,
        issues,
        events,
        sessions,
        policy_answers,
    })
}

/// The progress of one target, measured from `records` from the start of
/// its period up to `as_of` (today for `/progress`; the end of a report's
/// period, if earlier, for reports), with its status against the pace on
/// that day. Figures about children are published through the cell key
/// method, and the share and status follow the published figure.
pub(crate) fn target_progress(
    state: &AppState,
    chart: &OrgChart,
    records: &Records,
    id: Uuid,
    target: &Target,
    as_of: NaiveDate,
) -> TargetProgressDto {
    let measured = plan::measure(target, records, chart, as_of);
    let publish = |purpose: &str, n: u64| crate::services::figures::published_total(state, purpose, id, n);
    let children = target.metric().quantity().counts_children();
    let true_actual = measured.actual.max(0.0) as u64;
    let actual = if children {
        publish("target", true_actual) as f64
    } else {
        measured.actual
    };
    let added = measured.parts.iter().filter(|p| p.added).count();
    let parts = measured
        .parts
        .iter()
        .map(|p| PartDto {
            name: p.name,
            counts: p.quantity.as_str(),
            // A part that is the whole actual publishes as the actual does.
            value: if !p.quantity.counts_children() {
                p.value
            } else if p.added && added == 1 && p.value == true_actual {
                actual as u64
            } else {
                publish(&format!("target.{}", p.name), p.value)
            },
            added_to_actual: p.added,
        })
        .collect();
    let progress = plan::progress(target, actual, as_of);
    TargetProgressDto {
        target: target_dto(id, target),
        actual,
        share: progress.share,
        status: progress.status.as_str(),
        uncovered_units: measured
            .uncovered
            .iter()
            .filter_map(|u| chart.unit(*u))
            .map(crate::dto::brief)
            .collect(),
        parts,
    }
}

/// Every target whose period overlaps `overlap` (all targets without) and
/// whose scope is `unit` or below it on `as_of` (every scope without),
/// oldest first, each with its progress up to `as_of`.
pub(crate) async fn targets_progress(
    state: &AppState,
    chart: &OrgChart,
    overlap: Option<Period>,
    unit: Option<UnitId>,
    as_of: NaiveDate,
) -> Result<Vec<(Target, TargetProgressDto)>, ApiError> {
    let targets: Vec<(Uuid, Target)> = store::list(&state.db)
        .await?
        .into_iter()
        .filter(|(_, t)| overlap.is_none_or(|p| p.overlaps(&t.period())))
        .filter(|(_, t)| unit.is_none_or(|u| chart.is_within(t.scope_unit(), u, as_of)))
        .collect();
    let records = records(state, chart, &targets, as_of).await?;
    Ok(targets
        .iter()
        .map(|(id, t)| (*t, target_progress(state, chart, &records, *id, t, as_of)))
        .collect())
}

/// The unit a caller's report or progress is about (`asked`, or their own
/// unit, or the district), refused outside a facilitator's unit (404) or
/// when no district can be the default (400).
pub(crate) fn scope_unit<R: Allowed>(
    staff: &Staff<R>,
    chart: &langnghe_domain::org::OrgChart,
    asked: Option<Uuid>,
    days: &[NaiveDate],
) -> Result<UnitId, ApiError> {
    if let Some(u) = asked
        && chart.unit(UnitId(u)).is_none()
    {
        return Err(ApiError::bad_request(Code::InvalidQuery, "unknown unit_id"));
    }
    report_unit(chart, staff.scope(), asked.map(UnitId), days).map_err(|e| match e {
        ScopeError::NoUnit => ApiError::forbidden(),
        ScopeError::OutsideOwnUnit => ApiError::not_found("unit"),
        ScopeError::NoDistrict => ApiError::bad_request(Code::InvalidQuery, e.to_string()),
    })
}
