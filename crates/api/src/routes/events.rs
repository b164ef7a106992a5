//! Offline events: the forums, dialogues, Council meetings, trainings,
//! People's Council sessions, policy consultations, communication and
//! parents' sessions the plan holds in rooms, with attendance (for a
//! training, who attended by unit and role), and the issues raised there
//! (screened, into the moderation queue).

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, patch, post, put, web};
use chrono::NaiveDate;
use langnghe_domain::consultation::SchoolLevel;
use langnghe_domain::moderation::IssueStatus;
use langnghe_domain::org::check_date;
use langnghe_domain::plan::{
    Attendance, EventKind, MAX_PEOPLE, TrainingAudience, check_attendance, check_audience, check_breakdown, may_record,
};
use langnghe_domain::survey::AgeBand;
use langnghe_domain::{FieldErrors, UnitId};
use langnghe_storage::events::{self as store, ChildrenLine, Event, EventFilter, EventIssue};
use langnghe_storage::{catalog, org};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Consulting, SessionRunner, Staff};
use crate::error::{ApiError, Code, OrNotFound};
use crate::extract::{Json, optional_text};
use crate::pagination::{Page, paged_query};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_event)
        .service(list_events)
        .service(get_event)
        .service(update_event)
        .service(put_children);
}

/// People of one unit and role who attended a training.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d41", "role": "pioneer_leaders", "people": 1}))]
pub struct AttendanceIn {
    /// The unit they came from (a school for Pioneer leaders and
    /// commanders, a ward for neighbourhood children's leaders), wherever
    /// the training was held.
    pub unit_id: Uuid,
    /// `pioneer_leaders`, `neighbourhood_leaders`, `commanders`,
    /// `council_delegates` or `parents`.
    #[schema(value_type = crate::closed_sets::TrainingAudienceName)]
    pub role: String,
    /// 1 to 100000.
    pub people: i64,
}

/// An issue children raised at the event.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EventIssueIn {
    #[validate(length(min = 1, max = 200), custom(function = "crate::extract::no_bidi_controls"))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub body: String,
    /// Topic slug.
    pub topic: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "dialogue", "unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d41", "held_on": "2026-10-15",
  "title": "Đối thoại giữa Ban Giám hiệu và học sinh", "children_attending": 42,
  "children_by_age_band": {"12-14": 42}, "children_by_school_level": {"lower_secondary": 42}, "adults_attending": 6,
  "issues": [{"title": "Nhà vệ sinh trường thiếu giấy và xà phòng", "body": "Các bạn lớp 7 đề nghị nhà trường bổ sung.", "topic": "school_participation"}]}))]
pub struct CreateEvent {
    /// `forum`, `leaders_meet_pioneers`, `dialogue`, `council_meeting`, `training`, `action_month`,
    /// `care_centre_listening`, `peoples_council_session` (child delegates at a People's Council session),
    /// `policy_consultation` (children consulted in a room on a document, plan or programme),
    /// `rights_communication` (on the Law on Children and the Convention) or `parents_session`.
    #[schema(value_type = crate::closed_sets::EventKindName)]
    pub kind: String,
    /// For a training: `pioneer_leaders`, `neighbourhood_leaders`, `commanders`, `council_delegates` or `parents`.
    #[schema(value_type = Option<crate::closed_sets::TrainingAudienceName>)]
    pub audience: Option<String>,
    pub unit_id: Uuid,
    /// The day it was held (not in the future).
    #[schema(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub held_on: NaiveDate,
    #[validate(length(min = 1, max = 200), custom(function = "crate::extract::no_bidi_controls"))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub children_attending: i32,
    /// Age band (`6-8` …) → children; adds up to `children_attending`.
    pub children_by_age_band: Option<BTreeMap<String, i32>>,
    /// `primary`, `lower_secondary`, `upper_secondary` → children; adds up to `children_attending`.
    pub children_by_school_level: Option<BTreeMap<String, i32>>,
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub adults_attending: i32,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
    /// For a training: who attended, by unit and role (adults listed no
    /// more than `adults_attending`, children no more than
    /// `children_attending`). Coverage of target 6 counts the units whose
    /// people attended, wherever the training was held; a training
    /// recorded without attendance counts for its own unit and audience.
    #[serde(default)]
    #[validate(length(max = 500))]
    #[schema(max_items = 500)]
    pub attendance: Vec<AttendanceIn>,
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub issues: Vec<EventIssueIn>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceDto {
    pub unit_id: Uuid,
    #[schema(value_type = crate::closed_sets::TrainingAudienceName)]
    pub role: &'static str,
    pub people: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventIssueDto {
    pub id: Uuid,
    /// `new`, or `withheld` when its words went to safeguarding.
    #[schema(value_type = crate::closed_sets::IssueStatusName)]
    pub status: String,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    pub id: Uuid,
    #[schema(value_type = crate::closed_sets::EventKindName)]
    pub kind: String,
    #[schema(value_type = Option<crate::closed_sets::TrainingAudienceName>)]
    pub audience: Option<String>,
    pub unit_id: Uuid,
    pub held_on: NaiveDate,
    pub title: String,
    pub children_attending: i32,
    pub children_by_age_band: Option<BTreeMap<String, i32>>,
    pub children_by_school_level: Option<BTreeMap<String, i32>>,
    pub adults_attending: i32,
    pub notes: Option<String>,
    /// Who attended a training, by unit and role.
    pub attendance: Vec<AttendanceDto>,
    /// Whether children attending count as consultations (every kind but
    /// trainings, communication events and parents' sessions).
    pub counts_as_consultation: bool,
    /// Children of units below where it was held (a school's at a
    /// district forum), as each unit entered them: among
    /// `children_attending`, counted for their own unit. A facilitator
    /// sees their own units' lines only.
    pub children_by_unit: Vec<ChildrenDto>,
    /// The issues raised there (empty for a facilitator reading an event
    /// held above their unit).
    pub issues: Vec<EventIssueDto>,
}

/// Children of one unit at an event held above it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildrenDto {
    pub unit_id: Uuid,
    pub children_attending: i32,
    pub children_by_school_level: Option<BTreeMap<String, i32>>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn children_dto(l: ChildrenLine) -> ChildrenDto {
    ChildrenDto {
        unit_id: l.unit_id.0,
        children_attending: l.children,
        children_by_school_level: l
            .children_by_school_level
            .and_then(|j| serde_json::from_str::<BTreeMap<String, i32>>(&j).ok()),
        updated_at: l.updated_at,
    }
}

fn event_dto(e: Event, issues: Vec<(Uuid, IssueStatus, String)>, children: Vec<ChildrenLine>) -> EventDto {
    let counts = e.kind.is_consultation();
    let map = |s: Option<String>| s.and_then(|j| serde_json::from_str::<BTreeMap<String, i32>>(&j).ok());
    EventDto {
        id: e.id,
        kind: e.kind.as_str().to_owned(),
        audience: e.audience.map(|a| a.as_str().to_owned()),
        unit_id: e.unit_id.0,
        held_on: e.held_on,
        title: e.title,
        children_attending: e.children_attending,
        children_by_age_band: map(e.children_by_age_band),
        children_by_school_level: map(e.children_by_school_level),
        adults_attending: e.adults_attending,
        notes: e.notes,
        attendance: e
            .attendance
            .iter()
            .map(|a| AttendanceDto {
                unit_id: a.unit.0,
                role: a.role.as_str(),
                people: a.people,
            })
            .collect(),
        counts_as_consultation: counts,
        children_by_unit: children.into_iter().map(children_dto).collect(),
        issues: issues
            .into_iter()
            .map(|(id, status, title)| EventIssueDto {
                id,
                status: status.as_str().to_owned(),
                title,
            })
            .collect(),
    }
}

/// The fields of an event, checked.
struct Checked {
    kind: EventKind,
    audience: Option<TrainingAudience>,
    by_band: Option<String>,
    by_level: Option<String>,
    attendance: Vec<Attendance>,
}

/// What [`check`] checks of an event, new or corrected.
struct Fields<'a> {
    kind: &'a str,
    audience: Option<&'a str>,
    unit_id: Uuid,
    held_on: NaiveDate,
    children: i32,
    adults: i32,
    by_band: Option<&'a BTreeMap<String, i32>>,
    by_level: Option<&'a BTreeMap<String, i32>>,
    attendance: &'a [AttendanceIn],
}

/// Checks kind, audience, date, unit scope, attendance breakdowns and who
/// attended a training (units that exist; a facilitator's within their
/// own unit): the fields checked (unless the kind is unknown), with the
/// field errors found, to which the caller adds its own.
async fn check(
    state: &AppState,
    staff: &Staff<impl crate::auth::Allowed>,
    f: Fields<'_>,
) -> Result<(Option<Checked>, FieldErrors), ApiError> {
    let mut errors = FieldErrors::new();
    let (kind, audience, unit_id, held_on, children) = (f.kind, f.audience, f.unit_id, f.held_on, f.children);
    let (by_band, by_level) = (f.by_band, f.by_level);
    let kind = EventKind::parse(kind);
    if kind.is_none() {
        errors.push_one_of("kind", &EventKind::NAMES);
    }
    if let Some(k) = kind
        && !may_record(staff.role(), k)
    {
        return Err(ApiError::forbidden().detail("a moderator records the Children's Council's meetings only"));
    }
    let parsed_audience = audience.and_then(TrainingAudience::parse);
    if audience.is_some() && parsed_audience.is_none() {
        errors.push(
            "audience",
            "unknown_value",
            "pioneer_leaders, neighbourhood_leaders, commanders, council_delegates or parents",
        );
    } else if let Some(k) = kind
        && let Err(e) = check_audience(k, parsed_audience)
    {
        errors.0.extend(e.0);
    }
    let audience = parsed_audience;
    if let Err(e) = check_date("held_on", held_on) {
        errors.0.extend(e.0);
    } else if held_on > state.clock.local_date() {
        errors.push("held_on", "in_the_future", "record an event once it has been held");
    }
    let chart = org::load_chart(&state.db).await?;
    // A unit is the facilitator's when it is within theirs today or on the
    // day the event was held.
    let days = [state.clock.local_date(), held_on];
    let outside = |u: UnitId| !staff.scope().covers(&chart, u, &days);
    match chart.unit(UnitId(unit_id)) {
        None => errors.push("unit_id", "unknown_unit", "no such unit"),
        Some(u) => {
            if outside(u.id) {
                errors.push(
                    "unit_id",
                    "outside_scope",
                    "a facilitator records events of their own unit only",
                );
            }
        }
    }
    for (i, line) in f.attendance.iter().enumerate() {
        let field = format!("attendance[{i}].unit_id");
        match chart.unit(UnitId(line.unit_id)) {
            None => errors.push(field, "unknown_unit", "no such unit"),
            Some(u) if outside(u.id) => errors.push(
                field,
                "outside_scope",
                "a facilitator records people of their own unit only",
            ),
            Some(_) => {}
        }
    }
    let lines: Vec<(UnitId, &str, i64)> = f
        .attendance
        .iter()
        .map(|l| (UnitId(l.unit_id), l.role.as_str(), l.people.clamp(-1, MAX_PEOPLE + 1)))
        .collect();
    let attendance = match kind {
        Some(k) => check_attendance(k, &lines, i64::from(f.adults), i64::from(children))
            .map_err(|e| errors.0.extend(e.0))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let mut breakdown = |field: &str, map: Option<&BTreeMap<String, i32>>, known: &dyn Fn(&str) -> bool| {
        let map = map?;
        let parts: Vec<(String, i32)> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
        errors.0.extend(check_breakdown(field, children, &parts, known).0);
        serde_json::to_string(map).ok()
    };
    let by_band = breakdown("children_by_age_band", by_band, &|k| AgeBand::parse(k).is_some());
    let by_level = breakdown("children_by_school_level", by_level, &|k| {
        SchoolLevel::parse(k).is_some()
    });
    let checked = kind.map(|kind| Checked {
        kind,
        audience,
        by_band,
        by_level,
        attendance,
    });
    Ok((checked, errors))
}

/// Record an event held in a room, with attendance and the issues raised
/// there (dated the day it was held). Facilitators record their own unit's
/// events; admins any unit; moderators the Children's Council's meetings
/// only (403 for another kind).
#[utoipa::path(
    tag = "events",
    security(("bearer" = [])),
    request_body = CreateEvent,
    responses((status = 201, body = EventDto), crate::openapi::CreateErrors)
)]
#[post("/events")]
async fn create_event(
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    Json(b): Json<CreateEvent>,
) -> Result<HttpResponse, ApiError> {
    let (checked, mut errors) = check(
        &state,
        &staff,
        Fields {
            kind: &b.kind,
            audience: b.audience.as_deref(),
            unit_id: b.unit_id,
            held_on: b.held_on,
            children: b.children_attending,
            adults: b.adults_attending,
            by_band: b.children_by_age_band.as_ref(),
            by_level: b.children_by_school_level.as_ref(),
            attendance: &b.attendance,
        },
    )
    .await?;
    let topics = catalog::list_topics(&state.db).await?;
    let mut issues = Vec::new();
    for (i, issue) in b.issues.iter().enumerate() {
        let prefix = format!("issues[{i}].");
        match crate::services::intake::issue(&prefix, &issue.title, &issue.body, issue.topic.as_deref(), &topics) {
            Ok(taken) => issues.push(EventIssue {
                id: Uuid::now_v7(),
                status: taken.status,
                redactions: taken.redactions,
                cases: taken.cases,
                title: taken.title,
                body: taken.body,
                topic_id: taken.topic_id,
            }),
            Err(e) => errors.0.extend(e.0),
        }
    }
    let (Some(c), true) = (checked, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let event = Event {
        id: Uuid::now_v7(),
        kind: c.kind,
        audience: c.audience,
        unit_id: UnitId(b.unit_id),
        held_on: b.held_on,
        title: b.title.trim().to_owned(),
        children_attending: b.children_attending,
        children_by_age_band: c.by_band,
        children_by_school_level: c.by_level,
        adults_attending: b.adults_attending,
        notes: optional_text(b.notes),
        attendance: c.attendance,
        created_at: state.clock.now(),
        updated_at: state.clock.now(),
    };
    // Issues raised there are dated the day it was held.
    let raised_at = crate::local_day_start(event.held_on);
    store::create(&state.db, &staff.actor(), &event, &issues, raised_at).await?;
    let stored = store::get(&state.db, event.id).await?;
    let issues = store::issues_of(&state.db, event.id).await?;
    Ok(HttpResponse::Created().json(event_dto(stored, issues, Vec::new())))
}

paged_query! {
    pub struct ListEventsQuery {
        /// Only events of this kind.
        #[param(value_type = Option<crate::closed_sets::EventKindName>)]
        pub kind: Option<String>,
        /// Only events of this unit (and, for facilitators, within their scope).
        pub unit_id: Option<Uuid>,
        /// Held on or after (YYYY-MM-DD).
        #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
        pub from: Option<NaiveDate>,
        /// Held on or before (YYYY-MM-DD).
        #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
        pub to: Option<NaiveDate>,
    }
}

/// Events, in the order recorded; facilitators see their units' and those
/// held above their unit (the district's forum their children may attend,
/// without the issues raised there).
#[utoipa::path(
    tag = "events",
    security(("bearer" = [])),
    params(ListEventsQuery),
    responses((status = 200, body = Page<EventDto>), crate::openapi::ListErrors)
)]
#[get("/events")]
async fn list_events(
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    q: web::Query<ListEventsQuery>,
) -> Result<web::Json<Page<EventDto>>, ApiError> {
    let page = q.page()?;
    if let Some(k) = &q.kind
        && EventKind::parse(k).is_none()
    {
        return Err(ApiError::bad_request(Code::InvalidQuery, format!("unknown kind {k:?}")));
    }
    let chart = org::load_chart(&state.db).await?;
    let own = staff.unit_scope(&chart);
    let mut units = readable_units(&staff, &chart);
    if let Some(u) = q.unit_id {
        units = Some(match units {
            Some(scope) => scope.into_iter().filter(|x| x.0 == u).collect(),
            None => vec![UnitId(u)],
        });
    }
    let filter = EventFilter {
        kind: q.kind.clone(),
        units,
        from: crate::extract::query_date("from", q.from)?,
        to: crate::extract::query_date("to", q.to)?,
    };
    let rows = store::list(&state.db, &filter, page.after, page.fetch()).await?;
    let ids: Vec<Uuid> = rows.iter().map(|e| e.id).collect();
    let mut issues = store::issues_of_events(&state.db, &ids).await?;
    let mut children = store::children_of(&state.db, &ids).await?;
    let Page { items, next_cursor } = page.page(
        rows,
        |e| e.id,
        |e| {
            let raised = issues.remove(&e.id).unwrap_or_default();
            let lines = children.remove(&e.id).unwrap_or_default();
            shown(e, raised, lines, own.as_deref())
        },
    );
    Ok(web::Json(Page { items, next_cursor }))
}

/// The units whose events a caller reads: a facilitator's own units and
/// the units above their unit (whose events their children may attend);
/// `None` for every unit.
fn readable_units(
    staff: &Staff<impl crate::auth::Allowed>,
    chart: &langnghe_domain::org::OrgChart,
) -> Option<Vec<UnitId>> {
    staff.scope().units_and_above(chart, staff.day())
}

/// An event as a caller sees it: a facilitator sees the issues of their
/// own units' events only, and the children lines of their own units.
fn shown(
    e: Event,
    issues: Vec<(Uuid, IssueStatus, String)>,
    lines: Vec<ChildrenLine>,
    own: Option<&[UnitId]>,
) -> EventDto {
    match own {
        None => event_dto(e, issues, lines),
        Some(own) => {
            let issues = if own.contains(&e.unit_id) { issues } else { Vec::new() };
            let lines = lines.into_iter().filter(|l| own.contains(&l.unit_id)).collect();
            event_dto(e, issues, lines)
        }
    }
}

/// One event as a caller sees it (see [`shown`]), with its issues and
/// children lines read.
async fn read_shown(state: &AppState, e: Event, own: Option<&[UnitId]>) -> Result<EventDto, ApiError> {
    let issues = store::issues_of(&state.db, e.id).await?;
    let lines = store::children_of(&state.db, &[e.id])
        .await?
        .remove(&e.id)
        .unwrap_or_default();
    Ok(shown(e, issues, lines, own))
}

/// An event the caller may read (`above`: also one held above a
/// facilitator's unit) or change; any other is not found to them.
async fn find(
    state: &AppState,
    staff: &Staff<impl crate::auth::Allowed>,
    id: Uuid,
    above: bool,
) -> Result<Event, ApiError> {
    let event = store::get(&state.db, id).await.or_not_found("event")?;
    let chart = org::load_chart(&state.db).await?;
    let own = staff.unit_scope(&chart);
    let units = if above { readable_units(staff, &chart) } else { own };
    if let Some(units) = units
        && !units.contains(&event.unit_id)
    {
        return Err(ApiError::not_found("event"));
    }
    Ok(event)
}

/// One event with the issues raised there.
#[utoipa::path(
    tag = "events",
    security(("bearer" = [])),
    responses((status = 200, body = EventDto), crate::openapi::ReadErrors)
)]
#[get("/events/{id}")]
async fn get_event(
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<EventDto>, ApiError> {
    let event = find(&state, &staff, *id, true).await?;
    let own = staff.unit_scope(&org::load_chart(&state.db).await?);
    Ok(web::Json(read_shown(&state, event, own.as_deref()).await?))
}

/// Corrections to an event (issues raised there are curated separately).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"children_attending": 44, "children_by_age_band": {"12-14": 44}, "children_by_school_level": null}))]
pub struct UpdateEvent {
    #[schema(value_type = Option<crate::closed_sets::EventKindName>)]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::nullable::deserialize")]
    #[schema(value_type = Option<crate::closed_sets::TrainingAudienceName>)]
    pub audience: Option<Option<String>>,
    pub unit_id: Option<Uuid>,
    #[schema(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub held_on: Option<NaiveDate>,
    #[validate(length(min = 1, max = 200), custom(function = "crate::extract::no_bidi_controls"))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub children_attending: Option<i32>,
    #[serde(default, deserialize_with = "crate::extract::nullable::deserialize")]
    #[schema(value_type = Option<Object>)]
    pub children_by_age_band: Option<Option<BTreeMap<String, i32>>>,
    #[serde(default, deserialize_with = "crate::extract::nullable::deserialize")]
    #[schema(value_type = Option<Object>)]
    pub children_by_school_level: Option<Option<BTreeMap<String, i32>>>,
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub adults_attending: Option<i32>,
    #[serde(default, deserialize_with = "crate::extract::nullable::deserialize")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// Replaces who attended a training (`[]` to clear).
    #[validate(length(max = 500))]
    #[schema(max_items = 500)]
    pub attendance: Option<Vec<AttendanceIn>>,
}

/// Correct an event. The result is checked like a new one; the issues
/// raised there move with its day. An event whose children units below
/// entered stays a consultation held above them, with at least their
/// children.
#[utoipa::path(
    tag = "events",
    security(("bearer" = [])),
    request_body = UpdateEvent,
    responses((status = 200, body = EventDto), crate::openapi::EditErrors)
)]
#[patch("/events/{id}")]
async fn update_event(
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(b): Json<UpdateEvent>,
) -> Result<web::Json<EventDto>, ApiError> {
    let current = find(&state, &staff, *id, false).await?;
    if !may_record(staff.role(), current.kind) {
        return Err(ApiError::forbidden().detail("a moderator corrects the Children's Council's meetings only"));
    }
    let map = |s: &Option<String>| {
        s.as_ref()
            .and_then(|j| serde_json::from_str::<BTreeMap<String, i32>>(j).ok())
    };
    let kind = b.kind.unwrap_or_else(|| current.kind.as_str().to_owned());
    let audience = b
        .audience
        .unwrap_or_else(|| current.audience.map(|a| a.as_str().to_owned()));
    let unit_id = b.unit_id.unwrap_or(current.unit_id.0);
    let held_on = b.held_on.unwrap_or(current.held_on);
    let children = b.children_attending.unwrap_or(current.children_attending);
    let by_band = b
        .children_by_age_band
        .unwrap_or_else(|| map(&current.children_by_age_band));
    let by_level = b
        .children_by_school_level
        .unwrap_or_else(|| map(&current.children_by_school_level));
    let adults = b.adults_attending.unwrap_or(current.adults_attending);
    let attendance = b.attendance.unwrap_or_else(|| {
        current
            .attendance
            .iter()
            .map(|a| AttendanceIn {
                unit_id: a.unit.0,
                role: a.role.as_str().to_owned(),
                people: i64::from(a.people),
            })
            .collect()
    });
    let (checked, mut errors) = check(
        &state,
        &staff,
        Fields {
            kind: &kind,
            audience: audience.as_deref(),
            unit_id,
            held_on,
            children,
            adults,
            by_band: by_band.as_ref(),
            by_level: by_level.as_ref(),
            attendance: &attendance,
        },
    )
    .await?;
    // Children entered by units below: the event stays a consultation held
    // above them, with at least as many children.
    let lines = store::children_of(&state.db, &[current.id])
        .await?
        .remove(&current.id)
        .unwrap_or_default();
    if !lines.is_empty() {
        let chart = org::load_chart(&state.db).await?;
        let entered: i64 = lines.iter().map(|l| i64::from(l.children)).sum();
        if checked.as_ref().is_some_and(|c| !c.kind.is_consultation()) {
            errors.push(
                "kind",
                "has_children_by_unit",
                "units entered their children at this consultation",
            );
        }
        if lines
            .iter()
            .any(|l| l.unit_id.0 == unit_id || !chart.is_within(l.unit_id, UnitId(unit_id), held_on))
        {
            errors.push(
                "unit_id",
                "has_children_by_unit",
                "units below it entered their children",
            );
        }
        if i64::from(children) < entered {
            errors.push(
                "children_attending",
                "less_than_entered",
                format!("units below entered {entered} children"),
            );
        }
    }
    let (Some(c), true) = (checked, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let event = Event {
        kind: c.kind,
        audience: c.audience,
        unit_id: UnitId(unit_id),
        held_on,
        title: b.title.map(|t| t.trim().to_owned()).unwrap_or(current.title.clone()),
        children_attending: children,
        children_by_age_band: c.by_band,
        children_by_school_level: c.by_level,
        adults_attending: adults,
        notes: match b.notes {
            None => current.notes.clone(),
            Some(n) => optional_text(n),
        },
        attendance: c.attendance,
        ..current
    };
    let updated = store::update(&state.db, &staff.actor(), &event, crate::local_day_start(held_on)).await?;
    let issues = store::issues_of(&state.db, updated.id).await?;
    Ok(web::Json(event_dto(updated, issues, lines)))
}

/// Children of one unit at an event held above it.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"children_attending": 30, "children_by_school_level": {"lower_secondary": 30}}))]
pub struct ChildrenIn {
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub children_attending: i32,
    /// `primary`, `lower_secondary`, `upper_secondary` → children; adds up
    /// to `children_attending`.
    pub children_by_school_level: Option<BTreeMap<String, i32>>,
}

/// Record how many of a unit's children attended a consultation event held
/// above it (a school's children at the district forum or a dialogue):
/// they count for that unit's consultations and reports (and its ward's),
/// on the day the event was held, and the event's own unit keeps the rest.
/// Replaces what the unit entered before (a retry changes nothing). The
/// units' children together are at most the event's `children_attending`.
/// Facilitators enter their own units' children; admins any unit's.
#[utoipa::path(
    tag = "events",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The event"), ("unit_id" = Uuid, Path, description = "The unit whose children attended")),
    request_body = ChildrenIn,
    responses(
        (status = 200, body = EventDto),
        (status = 409, description = "Not a consultation event (`not_a_consultation`): trainings, communication and parents' sessions count no children's views", body = crate::error::Problem, content_type = "application/problem+json"),
        crate::openapi::EditErrors,
    )
)]
#[put("/events/{id}/children/{unit_id}")]
async fn put_children(
    staff: Staff<SessionRunner>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    Json(b): Json<ChildrenIn>,
) -> Result<web::Json<EventDto>, ApiError> {
    let (id, unit_id) = path.into_inner();
    let event = find(&state, &staff, id, true).await?;
    if !event.kind.is_consultation() {
        return Err(ApiError::conflict(
            Code::NotAConsultation,
            "children are entered by unit at consultation events only",
        ));
    }
    let chart = org::load_chart(&state.db).await?;
    let today = state.clock.local_date();
    let mut errors = FieldErrors::new();
    match chart.unit(UnitId(unit_id)) {
        None => errors.push("unit_id", "unknown_unit", "no such unit"),
        Some(u) => {
            if !staff.scope().covers(&chart, u.id, &[today, event.held_on]) {
                errors.push(
                    "unit_id",
                    "outside_scope",
                    "a facilitator enters their own unit's children only",
                );
            } else if u.id == event.unit_id || !chart.is_within(u.id, event.unit_id, event.held_on) {
                errors.push(
                    "unit_id",
                    "not_below_event",
                    "a unit below the one that held the event, on the day it was held",
                );
            }
        }
    }
    let by_level = b.children_by_school_level.as_ref().and_then(|map| {
        let parts: Vec<(String, i32)> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
        let known = |k: &str| SchoolLevel::parse(k).is_some();
        errors
            .0
            .extend(check_breakdown("children_by_school_level", b.children_attending, &parts, &known).0);
        serde_json::to_string(map).ok()
    });
    let lines = store::children_of(&state.db, &[event.id])
        .await?
        .remove(&event.id)
        .unwrap_or_default();
    let others: i64 = lines
        .iter()
        .filter(|l| l.unit_id.0 != unit_id)
        .map(|l| i64::from(l.children))
        .sum();
    if others + i64::from(b.children_attending) > i64::from(event.children_attending) {
        errors.push(
            "children_attending",
            "more_than_attended",
            format!(
                "the event had {} children, of whom other units entered {others}",
                event.children_attending
            ),
        );
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    store::put_children(
        &state.db,
        &staff.actor(),
        &ChildrenLine {
            id: Uuid::now_v7(),
            event_id: event.id,
            unit_id: UnitId(unit_id),
            children: b.children_attending,
            children_by_school_level: by_level,
            updated_at: state.clock.now(),
        },
    )
    .await?;
    let own = staff.unit_scope(&chart);
    Ok(web::Json(read_shown(&state, event, own.as_deref()).await?))
}
