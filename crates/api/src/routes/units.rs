//! The organisation over time: units at a date, their lineage, and
//! reorganisations.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use langnghe_domain::org::{LineageEdge, OrgChart, Unit, UnitCode, UnitKind, check_date};
use langnghe_domain::reorg::{self, LineageSpec, MoveUnit, OpenUnit, ReorganisationRequest, UnitRef};
use langnghe_domain::{FieldErrors, LocalizedText, UnitId};
use langnghe_storage::org::{self as store, UnitCorrection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Admin, Staff};
use crate::dto::Text;
use crate::dto::{UnitBrief, brief};
use crate::error::{ApiError, Code};
use crate::extract::{Json, optional_text};
use crate::pagination::{Page, paged_query};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_units)
        .service(get_unit)
        .service(create_unit)
        .service(update_unit)
        .service(create_reorganisation)
        .service(list_reorganisations);
}

/// A unit as it stood on the date asked about.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d22", "kind": "ward", "code": "PN-P15", "name": {"vi": "Phường 15", "en": "Ward 15"}, "parent_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d20", "valid_from": "2000-01-01", "valid_to": "2025-07-01", "in_force": false, "note": null}))]
pub struct UnitDto {
    pub id: Uuid,
    /// `city`, `district`, `ward`, `school`, `care_centre` or `council`.
    #[schema(value_type = crate::closed_sets::UnitKindName)]
    pub kind: &'static str,
    pub code: String,
    pub name: Text,
    /// The parent on the date asked about (or on the unit's last day in force).
    pub parent_id: Option<Uuid>,
    pub valid_from: NaiveDate,
    /// First day the unit is no longer in force; `null` while it is.
    pub valid_to: Option<NaiveDate>,
    /// Whether the unit is in force on the date asked about.
    pub in_force: bool,
    pub note: Option<String>,
}

fn unit_dto(chart: &OrgChart, u: &Unit, at: NaiveDate) -> UnitDto {
    UnitDto {
        id: u.id.0,
        kind: u.kind.as_str(),
        code: u.code.as_str().to_owned(),
        name: Text::from(&u.name),
        parent_id: chart.parent_on(u.id, u.nearest_day_in_force(at)).map(|p| p.0),
        valid_from: u.valid_from,
        valid_to: u.valid_to,
        in_force: u.in_force_on(at),
        note: u.note.clone(),
    }
}

/// One lineage link, seen from either end.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineageDto {
    /// The unit at the other end.
    pub unit: UnitBrief,
    pub effective_on: NaiveDate,
    /// The successor that takes the history by default.
    pub is_default: bool,
    /// The link is an assumption, not a published fact.
    pub assumption: bool,
    pub note: Option<String>,
    pub reorganisation_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParentPeriodDto {
    pub parent: UnitBrief,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: UnitDto,
    /// Ancestors on the date asked about, nearest first.
    pub ancestors: Vec<UnitBrief>,
    /// Units in force on the date asked about directly under this one.
    pub children: Vec<UnitBrief>,
    /// Every parent the unit has had.
    pub parents: Vec<ParentPeriodDto>,
    /// Units whose history this one took over.
    pub predecessors: Vec<LineageDto>,
    /// Units that took over this one's history.
    pub successors: Vec<LineageDto>,
    /// The unit in force on the date asked about that this unit's data
    /// counts toward (itself while in force); `null` before it existed.
    pub counts_toward: Option<UnitBrief>,
}

paged_query! {
    pub struct ListUnitsQuery {
        /// The date (YYYY-MM-DD); default today.
        #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
        pub at: Option<NaiveDate>,
        /// Only units of this kind.
        #[param(value_type = Option<crate::closed_sets::UnitKindName>)]
        pub kind: Option<String>,
        /// Only units directly under this unit on that date.
        pub parent_id: Option<Uuid>,
    }
}

/// The tree in force on a date (today by default), filterable by kind and
/// parent, ordered by creation.
#[utoipa::path(
    tag = "units",
    security(("bearer" = [])),
    params(ListUnitsQuery),
    responses((status = 200, body = Page<UnitDto>), crate::openapi::ListErrors)
)]
#[get("/units")]
async fn list_units(
    _staff: Staff,
    state: web::Data<AppState>,
    q: web::Query<ListUnitsQuery>,
) -> Result<web::Json<Page<UnitDto>>, ApiError> {
    let page = q.page()?;
    let kind = match &q.kind {
        None => None,
        Some(k) => Some(
            UnitKind::parse(k)
                .ok_or_else(|| ApiError::bad_request(Code::InvalidQuery, format!("unknown unit kind {k:?}")))?,
        ),
    };
    let at = crate::extract::query_date("at", q.at)?.unwrap_or_else(|| state.clock.local_date());
    let chart = store::load_chart(&state.db).await?;
    let mut units: Vec<&Unit> = chart
        .in_force_on(at)
        .filter(|u| kind.is_none_or(|k| u.kind == k))
        .filter(|u| q.parent_id.is_none_or(|p| chart.parent_on(u.id, at) == Some(UnitId(p))))
        .collect();
    units.sort_by_key(|u| u.id);
    Ok(web::Json(page.page_sorted(
        units,
        |u| u.id.0,
        |u| unit_dto(&chart, u, at),
    )))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AtQuery {
    /// The date (YYYY-MM-DD); default today.
    #[param(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub at: Option<NaiveDate>,
}

fn lineage_dto(chart: &OrgChart, e: &LineageEdge, other: UnitId) -> Option<LineageDto> {
    Some(LineageDto {
        unit: brief(chart.unit(other)?),
        effective_on: e.effective_on,
        is_default: e.is_default,
        assumption: e.assumption,
        note: e.note.clone(),
        reorganisation_id: e.reorganisation_id.0,
    })
}

fn detail(chart: &OrgChart, u: &Unit, at: NaiveDate) -> UnitDetail {
    let day = u.nearest_day_in_force(at);
    let mut children: Vec<&Unit> = if u.in_force_on(at) {
        chart.children_on(u.id, at).collect()
    } else {
        vec![]
    };
    children.sort_by_key(|c| c.id);
    UnitDetail {
        unit: unit_dto(chart, u, at),
        ancestors: chart.ancestors_on(u.id, day).into_iter().map(brief).collect(),
        children: children.into_iter().map(brief).collect(),
        parents: chart
            .parent_periods(u.id)
            .iter()
            .filter_map(|p| {
                Some(ParentPeriodDto {
                    parent: brief(chart.unit(p.parent_id)?),
                    valid_from: p.valid_from,
                    valid_to: p.valid_to,
                })
            })
            .collect(),
        predecessors: chart
            .predecessors(u.id)
            .filter_map(|e| lineage_dto(chart, e, e.from))
            .collect(),
        successors: chart
            .successors(u.id)
            .filter_map(|e| lineage_dto(chart, e, e.to))
            .collect(),
        counts_toward: chart.counts_toward(u.id, at).and_then(|id| chart.unit(id)).map(brief),
    }
}

/// One unit with its ancestors, children, parents over time, predecessors
/// and successors.
#[utoipa::path(
    tag = "units",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), AtQuery),
    responses((status = 200, body = UnitDetail), crate::openapi::ReadErrors)
)]
#[get("/units/{id}")]
async fn get_unit(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<AtQuery>,
) -> Result<web::Json<UnitDetail>, ApiError> {
    let chart = store::load_chart(&state.db).await?;
    let u = chart.unit(UnitId(*id)).ok_or_else(|| ApiError::not_found("unit"))?;
    let at = crate::extract::query_date("at", q.at)?.unwrap_or_else(|| state.clock.local_date());
    Ok(web::Json(detail(&chart, u, at)))
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "school", "code": "PN-S19", "name": {"vi": "Liên đội Trường THCS Hoa Sen (dữ liệu mẫu)", "en": "Hoa Sen Lower Secondary School Pioneer unit (demo data)"}, "parent_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d22", "valid_from": "2026-09-01"}))]
pub struct CreateUnit {
    #[schema(value_type = crate::closed_sets::UnitKindName)]
    pub kind: String,
    pub code: String,
    pub name: Text,
    /// Required except for a city; must be in force on `valid_from`.
    pub parent_id: Option<Uuid>,
    /// Default today.
    #[schema(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub valid_from: Option<NaiveDate>,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

fn parse_kind(field: &str, raw: &str, errors: &mut FieldErrors) -> Option<UnitKind> {
    let k = UnitKind::parse(raw);
    if k.is_none() {
        errors.push(
            field,
            "unknown_value",
            "one of city, district, ward, school, care_centre, council",
        );
    }
    k
}

fn collect<T>(r: Result<T, FieldErrors>, errors: &mut FieldErrors) -> Option<T> {
    r.map_err(|e| errors.0.extend(e.0)).ok()
}

/// Add a unit (a new school, care centre, …). Changes of shape — merge,
/// split, rename, move — go through reorganisations.
#[utoipa::path(
    tag = "units",
    security(("bearer" = [])),
    request_body = CreateUnit,
    responses((status = 201, body = UnitDetail), crate::openapi::UniqueCreateErrors)
)]
#[post("/units")]
async fn create_unit(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    Json(b): Json<CreateUnit>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let kind = parse_kind("kind", &b.kind, &mut errors);
    let code = collect(UnitCode::parse("code", &b.code), &mut errors);
    let name = collect(b.name.parse("name", 200), &mut errors);
    let valid_from = b.valid_from.unwrap_or_else(|| state.clock.local_date());
    if let Err(e) = check_date("valid_from", valid_from) {
        errors.0.extend(e.0);
    }
    let chart = store::load_chart(&state.db).await?;
    if let Some(code) = &code
        && chart.code_taken(code)
    {
        return Err(ApiError::conflict(Code::UnitCodeTaken, "a unit already has this code"));
    }
    match (b.parent_id, kind) {
        (None, Some(k)) if k != UnitKind::City => {
            errors.push("parent_id", "required", "only a city may have no parent")
        }
        (Some(p), k) => match chart.unit(UnitId(p)) {
            None => errors.push("parent_id", "unknown_unit", "no such unit"),
            Some(parent) if !parent.in_force_on(valid_from) => {
                errors.push("parent_id", "not_in_force", "the parent is not in force on valid_from")
            }
            Some(parent) if k.is_some_and(|k| !k.may_sit_under(parent.kind)) => errors.push(
                "parent_id",
                "kind_not_allowed",
                format!("a {} cannot sit under a {}", b.kind, parent.kind.as_str()),
            ),
            Some(_) => {}
        },
        _ => {}
    }
    let (Some(kind), Some(code), Some(name), true) = (kind, code, name, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let unit = Unit {
        id: UnitId::new(),
        kind,
        code,
        name,
        valid_from,
        valid_to: None,
        note: optional_text(b.note),
    };
    store::create_unit(&state.db, &staff.actor(), &unit, b.parent_id.map(UnitId)).await?;
    let chart = store::load_chart(&state.db).await?;
    let u = chart.unit(unit.id).ok_or_else(|| ApiError::not_found("unit"))?;
    Ok(HttpResponse::Created().json(detail(&chart, u, valid_from.max(state.clock.local_date()))))
}

/// Corrections that do not change the organisation's shape.
#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": {"vi": "Phường Cầu Kiệu", "en": "Cau Kieu Ward"}}))]
pub struct UpdateUnit {
    pub name: Option<Text>,
    pub code: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::nullable::deserialize")]
    #[schema(value_type = Option<String>)]
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub note: Option<Option<String>>,
}

/// Correct a unit's names, code or note.
#[utoipa::path(
    tag = "units",
    security(("bearer" = [])),
    request_body = UpdateUnit,
    responses((status = 200, body = UnitDetail), crate::openapi::ChangeErrors)
)]
#[patch("/units/{id}")]
async fn update_unit(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(b): Json<UpdateUnit>,
) -> Result<web::Json<UnitDetail>, ApiError> {
    let id = UnitId(*id);
    let mut errors = FieldErrors::new();
    let name = b.name.map(|n| collect(n.parse("name", 200), &mut errors));
    let code = b.code.map(|c| collect(UnitCode::parse("code", &c), &mut errors));
    let chart = store::load_chart(&state.db).await?;
    let current = chart.unit(id).ok_or_else(|| ApiError::not_found("unit"))?;
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let code = code.flatten();
    if let Some(c) = &code
        && *c != current.code
        && chart.code_taken(c)
    {
        return Err(ApiError::conflict(Code::UnitCodeTaken, "a unit already has this code"));
    }
    let correction = UnitCorrection {
        name: name.flatten(),
        code,
        note: b.note.map(optional_text),
    };
    store::correct_unit(&state.db, &staff.actor(), id, correction).await?;
    let chart = store::load_chart(&state.db).await?;
    let u = chart.unit(id).ok_or_else(|| ApiError::not_found("unit"))?;
    Ok(web::Json(detail(&chart, u, state.clock.local_date())))
}

/// A unit the reorganisation opens.
#[derive(Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct OpenUnitDto {
    /// A name for this unit inside the request (`parent_ref`, `to_ref`).
    #[serde(rename = "ref")]
    pub reference: String,
    #[schema(value_type = crate::closed_sets::UnitKindName)]
    pub kind: String,
    pub code: String,
    pub name: Text,
    /// An existing parent …
    pub parent_id: Option<Uuid>,
    /// … or one opened by this request.
    pub parent_ref: Option<String>,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A unit that stays in force under another parent.
#[derive(Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct MoveDto {
    pub unit_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub parent_ref: Option<String>,
}

/// "The history of `from` continues in `to`."
#[derive(Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct LineageSpecDto {
    /// A unit this reorganisation closes.
    pub from: Uuid,
    /// An existing unit that continues …
    pub to_unit_id: Option<Uuid>,
    /// … or one opened by this request.
    pub to_ref: Option<String>,
    /// The successor that takes the history by default; implied when it is
    /// the only one.
    pub default: Option<bool>,
    /// The link is an assumption, not a published fact.
    #[serde(default)]
    pub assumption: bool,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "effective_on": "2025-07-01",
    "title": "Sắp xếp đơn vị hành chính cấp xã",
    "close": ["0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d31", "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d32"],
    "open": [{"ref": "duc_nhuan", "kind": "ward", "code": "HCM-DUCNHUAN", "name": {"vi": "Phường Đức Nhuận", "en": "Duc Nhuan Ward"}, "parent_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d20"}],
    "moves": [{"unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d41", "parent_ref": "duc_nhuan"}],
    "lineage": [
        {"from": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d31", "to_ref": "duc_nhuan"},
        {"from": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d32", "to_ref": "duc_nhuan"}
    ]
}))]
pub struct CreateReorganisation {
    /// First day of the new shape.
    #[schema(pattern = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub effective_on: NaiveDate,
    #[validate(length(min = 1, max = 200), custom(function = "crate::extract::no_bidi_controls"))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// Units that stop on `effective_on`.
    #[serde(default)]
    #[validate(length(max = 500))]
    #[schema(max_items = 500)]
    pub close: Vec<Uuid>,
    #[serde(default)]
    #[validate(length(max = 500), nested)]
    #[schema(max_items = 500)]
    pub open: Vec<OpenUnitDto>,
    #[serde(default)]
    #[validate(length(max = 2000), nested)]
    #[schema(max_items = 2000)]
    pub moves: Vec<MoveDto>,
    #[serde(default)]
    #[validate(length(max = 2000), nested)]
    #[schema(max_items = 2000)]
    pub lineage: Vec<LineageSpecDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReorganisationDto {
    pub id: Uuid,
    pub effective_on: NaiveDate,
    pub title: String,
    pub note: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Units closed, with their successors.
    pub lineage: Vec<ReorganisationLink>,
    /// Units opened.
    pub opened: Vec<UnitBrief>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReorganisationLink {
    pub from: UnitBrief,
    pub to: UnitBrief,
    pub is_default: bool,
    pub assumption: bool,
    pub note: Option<String>,
}

fn one_ref(
    field: &str,
    id: Option<Uuid>,
    reference: Option<String>,
    errors: &mut FieldErrors,
) -> Option<Option<UnitRef>> {
    match (id, reference) {
        (Some(id), None) => Some(Some(UnitRef::Existing(UnitId(id)))),
        (None, Some(r)) => Some(Some(UnitRef::New(r))),
        (None, None) => Some(None),
        (Some(_), Some(_)) => {
            errors.push(field, "ambiguous", "give an id or a ref, not both");
            None
        }
    }
}

/// Like [`one_ref`], for a unit that must be named: giving neither is
/// `required`, saying what to `give`.
fn required_ref(
    field: &str,
    id: Option<Uuid>,
    reference: Option<String>,
    give: &str,
    errors: &mut FieldErrors,
) -> Option<UnitRef> {
    let named = one_ref(field, id, reference, errors)?;
    if named.is_none() {
        errors.push(field, "required", give);
    }
    named
}

fn reorganisation_dto(chart: &OrgChart, r: store::Reorganisation) -> ReorganisationDto {
    let mut lineage: Vec<ReorganisationLink> = chart
        .units()
        .flat_map(|u| chart.successors(u.id))
        .filter(|e| e.reorganisation_id == r.id)
        .filter_map(|e| {
            Some(ReorganisationLink {
                from: brief(chart.unit(e.from)?),
                to: brief(chart.unit(e.to)?),
                is_default: e.is_default,
                assumption: e.assumption,
                note: e.note.clone(),
            })
        })
        .collect();
    lineage.sort_by(|a, b| (&a.from.code, &a.to.code).cmp(&(&b.from.code, &b.to.code)));
    let mut opened: Vec<&Unit> = chart
        .units()
        .filter(|u| u.valid_from == r.effective_on && chart.predecessors(u.id).any(|e| e.reorganisation_id == r.id))
        .collect();
    opened.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    ReorganisationDto {
        id: r.id.0,
        effective_on: r.effective_on,
        title: r.title,
        note: r.note,
        created_at: r.created_at,
        lineage,
        opened: opened.into_iter().map(brief).collect(),
    }
}

/// Record a reorganisation: on `effective_on`, close units, open new ones,
/// move units to other parents, and say which units take over each closed
/// unit's history (for a split, exactly one `default`). Refused with every
/// problem listed if a closed unit would be left without a successor or
/// with units under it, or if the tree would get a cycle.
#[utoipa::path(
    tag = "units",
    security(("bearer" = [])),
    request_body = CreateReorganisation,
    responses((status = 201, body = ReorganisationDto), crate::openapi::UniqueCreateErrors)
)]
#[post("/reorganisations")]
async fn create_reorganisation(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    Json(b): Json<CreateReorganisation>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    if let Err(e) = check_date("effective_on", b.effective_on) {
        errors.0.extend(e.0);
    }
    let mut open = Vec::new();
    for (i, o) in b.open.into_iter().enumerate() {
        let kind = parse_kind(&format!("open[{i}].kind"), &o.kind, &mut errors);
        let code = collect(UnitCode::parse(&format!("open[{i}].code"), &o.code), &mut errors);
        let name = collect(o.name.parse(&format!("open[{i}].name"), 200), &mut errors);
        let parent = one_ref(&format!("open[{i}].parent_id"), o.parent_id, o.parent_ref, &mut errors);
        if let (Some(kind), Some(code), Some(name), Some(parent)) = (kind, code, name, parent) {
            open.push(OpenUnit {
                reference: o.reference,
                kind,
                code,
                name,
                parent,
                note: optional_text(o.note),
            });
        }
    }
    let mut moves = Vec::new();
    for (i, m) in b.moves.into_iter().enumerate() {
        let field = format!("moves[{i}].parent_id");
        let give = "give parent_id or parent_ref";
        if let Some(parent) = required_ref(&field, m.parent_id, m.parent_ref, give, &mut errors) {
            moves.push(MoveUnit {
                unit_id: UnitId(m.unit_id),
                parent,
            });
        }
    }
    let mut lineage = Vec::new();
    for (i, l) in b.lineage.into_iter().enumerate() {
        let field = format!("lineage[{i}].to_unit_id");
        if let Some(to) = required_ref(&field, l.to_unit_id, l.to_ref, "give to_unit_id or to_ref", &mut errors) {
            lineage.push(LineageSpec {
                from: UnitId(l.from),
                to,
                is_default: l.default,
                assumption: l.assumption,
                note: optional_text(l.note),
            });
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let request = ReorganisationRequest {
        effective_on: b.effective_on,
        close: b.close.into_iter().map(UnitId).collect(),
        open,
        moves,
        lineage,
    };
    let chart = store::load_chart(&state.db).await?;
    let plan = reorg::plan(&chart, &request)?;
    let title = b.title.trim();
    let note = b.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    store::apply_reorganisation(&state.db, &staff.actor(), &plan, title, note).await?;
    let chart = store::load_chart(&state.db).await?;
    let r = store::get_reorganisation(&state.db, plan.id).await?;
    Ok(HttpResponse::Created().json(reorganisation_dto(&chart, r)))
}

paged_query! {
    pub struct ListReorganisationsQuery {
    }
}

/// Recorded reorganisations, in the order they were recorded.
#[utoipa::path(
    tag = "units",
    security(("bearer" = [])),
    params(ListReorganisationsQuery),
    responses((status = 200, body = Page<ReorganisationDto>), crate::openapi::ListErrors)
)]
#[get("/reorganisations")]
async fn list_reorganisations(
    _staff: Staff,
    state: web::Data<AppState>,
    q: web::Query<ListReorganisationsQuery>,
) -> Result<web::Json<Page<ReorganisationDto>>, ApiError> {
    let page = q.page()?;
    let chart = store::load_chart(&state.db).await?;
    let mut list = store::list_reorganisations(&state.db).await?;
    list.sort_by_key(|r| r.id);
    Ok(web::Json(page.page_sorted(
        list,
        |r| r.id.0,
        |r| reorganisation_dto(&chart, r),
    )))
}

impl Text {
    pub fn parse(self, field: &str, max: usize) -> Result<LocalizedText, FieldErrors> {
        LocalizedText::parse(field, &self.vi, self.en.as_deref(), max)
    }
}
