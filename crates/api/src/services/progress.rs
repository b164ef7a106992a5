//! The plan's targets measured: progress against each, for the progress
//! route and the report.

use langnghe_domain::UnitId;
use langnghe_domain::org::OrgChart;
use langnghe_domain::plan::{self, EventKind, Facts, Period, Target, TrainingAudience};
use langnghe_storage::targets as store;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::dto::UnitBrief;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90", "metric": "consultations", "scope_unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d20", "period": "2024..2027", "value": 50000.0, "plan_target": 9}))]
pub struct TargetDto {
    pub id: Uuid,
    /// `consultations`, `lower_secondary_participants`, `ward_dialogue_coverage`,
    /// `school_dialogue_coverage`, `school_consultation_coverage`, `council_meetings`,
    /// `forums`, `leaders_meet_pioneers`, `trainings_commanders`,
    /// `pioneer_leaders_trained_coverage` or `policy_consultations`.
    pub metric: &'static str,
    pub scope_unit_id: Uuid,
    /// `2026`, `2026-H1`, `2026-Q3`, `2026-11` or `2024..2027`.
    pub period: String,
    /// A count, or a percentage for coverage metrics.
    pub value: f64,
    /// The number of the plan's target this measures (1–9).
    pub plan_target: u8,
}

pub(crate) fn target_dto(id: Uuid, t: &Target) -> TargetDto {
    TargetDto {
        id,
        metric: t.metric().as_str(),
        scope_unit_id: t.scope_unit().0,
        period: t.period().to_string(),
        value: t.value(),
        plan_target: t.metric().plan_target(),
    }
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
    pub status: &'static str,
    /// For coverage targets: the units not yet covered, whom to call.
    pub uncovered_units: Vec<UnitBrief>,
    /// For lower-secondary participants: children at events, reported beside the figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_children: Option<u64>,
}

pub(crate) async fn facts(
    state: &AppState,
    chart: &OrgChart,
    target: &Target,
    today: chrono::NaiveDate,
) -> Result<Facts, ApiError> {
    let period: Period = target.period();
    let from = period.first_day();
    let to = period.last_day().min(today);
    let as_of = to.max(from);
    let units = chart.counting_for(target.scope_unit(), as_of);
    let here = |u: UnitId, d: chrono::NaiveDate| chart.counts_toward(u, as_of.max(d)).unwrap_or(u);
    let mut f = Facts::default();
    if from > to {
        return Ok(f);
    }
    f.responses = store::responses_in(&state.db, &units, from, to)
        .await?
        .into_iter()
        .map(|(p, grade, age, _)| {
            (
                p,
                grade.and_then(|g| u8::try_from(g).ok()),
                u8::try_from(age).unwrap_or(0),
            )
        })
        .collect();
    f.child_issues = store::child_issues_in(&state.db, &units, from, to).await?;
    f.events = store::events_in(&state.db, &units, from, to)
        .await?
        .into_iter()
        .filter_map(|(k, a, u, d, c)| {
            Some((
                EventKind::parse(&k)?,
                a.as_deref().and_then(TrainingAudience::parse),
                here(u, d),
                u64::try_from(c).unwrap_or(0),
            ))
        })
        .collect();
    f.session_units = store::session_units_in(&state.db, &units, from, to)
        .await?
        .into_iter()
        .map(|u| here(u, as_of))
        .collect();
    f.policy_consultations = store::policy_consultations_in(&state.db, &units, from, to).await?;
    if let Some(kind) = target.metric().unit_kind() {
        let mut cover: Vec<UnitId> = chart
            .in_force_on(as_of)
            .filter(|u| u.kind == kind && chart.is_within(u.id, target.scope_unit(), as_of))
            .map(|u| u.id)
            .collect();
        cover.sort();
        f.units_to_cover = cover;
    }
    Ok(f)
}

/// The progress of one target, measured from the start of its period up to
/// `as_of` (today for `/progress`; the end of a report's period, if earlier,
/// for reports), with its status against the pace on that day.
pub(crate) async fn target_progress(
    state: &AppState,
    chart: &OrgChart,
    id: Uuid,
    target: &Target,
    as_of: chrono::NaiveDate,
) -> Result<TargetProgressDto, ApiError> {
    let facts = facts(state, chart, target, as_of).await?;
    let measured = plan::measure(target.metric(), &facts);
    // A figure that counts children is published through the cell key
    // method, and the share and status follow the published figure.
    let children = langnghe_domain::reports::counts_children(target.metric());
    let actual = if children {
        crate::services::figures::published_total(state, "target", id, measured.actual.max(0.0) as u64) as f64
    } else {
        measured.actual
    };
    let progress = plan::progress(target, actual, as_of);
    Ok(TargetProgressDto {
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
        event_children: measured
            .event_children
            .map(|n| crate::services::figures::published_total(state, "target.event_children", id, n)),
    })
}

/// Every target whose period overlaps the days `overlap` (all targets
/// without) and whose scope is `unit` or below it on `as_of` (every scope
/// without), oldest first, each with its progress up to `as_of`.
pub(crate) async fn targets_progress(
    state: &AppState,
    chart: &OrgChart,
    overlap: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    unit: Option<UnitId>,
    as_of: chrono::NaiveDate,
) -> Result<Vec<(Target, TargetProgressDto)>, ApiError> {
    let mut out = Vec::new();
    for (id, target) in store::list(&state.db).await? {
        let p = target.period();
        if overlap.is_some_and(|(first, last)| p.last_day() < first || p.first_day() > last) {
            continue;
        }
        if unit.is_some_and(|u| !chart.is_within(target.scope_unit(), u, as_of)) {
            continue;
        }
        out.push((target, target_progress(state, chart, id, &target, as_of).await?));
    }
    Ok(out)
}
