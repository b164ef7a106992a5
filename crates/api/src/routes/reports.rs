//! The report the plan asks for (six-monthly, per school term, yearly in
//! November, or any period), as JSON or CSV, for the caller's unit: a
//! facilitator's school or ward, the district for district staff, or a
//! unit they name.
//!
//! A report is a list of sections, each built on its own by an async
//! function from the report's [`Scope`] (period, units, organisation chart,
//! language) into a [`SectionDto`]: a key, a title in Vietnamese and English,
//! and rows of one long shape (`item`, `name`, `breakdown`, `value`). The
//! JSON and the CSV are written from those rows alone, so a new section
//! (recommendations, agency replies) is one more builder in [`builders`];
//! nothing else changes. Builders run concurrently and keep their order.
//! Every figure about children goes through disclosure control (the cell
//! key method: see `langnghe_domain::disclosure`).

use std::collections::{BTreeSet, HashMap, HashSet};

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::future::{LocalBoxFuture, try_join_all};
use langnghe_domain::UnitId;
use langnghe_domain::account::Role;
use langnghe_domain::disclosure::CellKey;
use langnghe_domain::org::{OrgChart, UnitKind};
use langnghe_domain::plan::{EventKind, Period};
use langnghe_domain::reports::{branch, counts_children};
use langnghe_domain::results::Count;
use langnghe_domain::text::Lang;
use langnghe_domain::words;
use langnghe_storage::org;
use langnghe_storage::reports::{self as counts, Window};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::{Consulting, Staff};
use crate::csv::Csv;
use crate::dto::CountDto;
use crate::dto::Text;
use crate::dto::UnitBrief;
use crate::error::{ApiError, Code};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_report);
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `2026` (year), `2026-H1` (half), `2026-Q3` (quarter), `2026-WY`
    /// (the work year reported in November: 1 Dec 2025 – 30 Nov 2026),
    /// `2025-2026-HK1` or `2025-2026-HK2` (a school term, dates from the
    /// school calendar); also `2026-11` (month), `2024..2027` (years) and
    /// `2026-03-01..2026-05-31` (any days).
    pub period: String,
    /// The unit reported on, with everything below it at the period's end
    /// and the old units whose history it took over. Default: the caller's
    /// own unit (a facilitator's school or ward; the district for district
    /// staff), never the city. A facilitator gets nothing outside their
    /// unit (404).
    pub unit_id: Option<Uuid>,
    /// `json` (default) or `csv`.
    #[param(value_type = Option<crate::closed_sets::ReportFormat>)]
    pub format: Option<String>,
    /// `vi` or `en`: the language of names and, in the CSV, of every word
    /// (default: from `Accept-Language`, else `vi`).
    #[param(value_type = Option<crate::closed_sets::LangCode>)]
    pub lang: Option<String>,
}

/// A value in a report row: a count, another number (a target, a share, a
/// percentage), or a text (a status, a list of unit codes).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ValueDto {
    Count(u64),
    Number(f64),
    Text(String),
}

/// A number or a text: a count is a number too, so that a whole number
/// matches one branch only.
impl utoipa::PartialSchema for ValueDto {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Number))
            .item(ObjectBuilder::new().schema_type(Type::String))
            .description(Some(
                "A value in a report row: a count, another number (a target, a share, a percentage), or a text (a status, a list of unit codes).",
            ))
            .into()
    }
}

impl ToSchema for ValueDto {}

/// What a row's value means, so that the CSV for people puts it in the
/// one column that has that meaning and writes it as people do (the JSON
/// gives the value alone, in its machine form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Meaning {
    /// A number of children, events, deliveries…: an integer.
    #[default]
    Count,
    /// A percentage, 0 to 100 (a coverage, and its target).
    Percent,
    /// A share, 0 to 1 (of a target reached): written as a percentage.
    Share,
    /// A number of working days.
    Days,
    /// A target's status (`met`, `on_track`, `behind`).
    TargetStatus,
    /// Unit codes, one space apart: their names.
    Units,
    /// What a target's figure counts (`consultations`, `headcount`, …).
    Quantity,
}

/// One figure of a report, in the long shape shared by every section.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"item": "HCM-DUCNHUAN", "name": "Phường Đức Nhuận", "breakdown": "survey_response", "value": 42}))]
pub struct RowDto {
    /// What the row is about: a unit code, a topic slug, an event kind, a
    /// case status, a target (`metric period scope-code`), or `all`.
    pub item: String,
    /// For a unit counted in another row as well (a school, in its
    /// ward's): the code of that unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    /// The item's name in the request's language, where it has one.
    pub name: Option<String>,
    /// Which figure of the item, e.g. `survey_response`, `issues.new`,
    /// `trend.2026-07.issues`, `severity.high`; for a target `target`,
    /// `actual`, `share`, `status`, `measures` (what the actual counts),
    /// `counting_rule`, `part.<name>` (added up into the actual),
    /// `beside.<name>` (shown beside it, never added: a headcount beside
    /// unique participants) and `uncovered_units`.
    pub breakdown: String,
    /// A figure about children is published through the cell key method:
    /// close to the true count, never from 1 to k − 1.
    pub value: ValueDto,
    #[serde(skip)]
    pub meaning: Meaning,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectionDto {
    /// `progress`, `consultations`, `topics`, `events`, `safeguarding` or
    /// `recommendations`.
    #[schema(value_type = crate::closed_sets::ReportSectionKey)]
    pub key: &'static str,
    pub title: Text,
    pub rows: Vec<RowDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    /// As asked, e.g. `2026-Q3`.
    pub period: String,
    /// The period's first local day.
    pub from: NaiveDate,
    /// The period's last local day.
    pub to: NaiveDate,
    /// The days what children did is counted over (the consultations,
    /// topics and events sections): the whole months the period touches,
    /// its own days when it is whole months (a term of 5 September to 15
    /// January counts 1 September to 31 January), so that two reports never
    /// differ by less than a month of children.
    pub children_from: NaiveDate,
    pub children_to: NaiveDate,
    /// The unit reported on.
    pub unit: Option<UnitBrief>,
    pub generated_at: DateTime<Utc>,
    /// The smallest figure about children shown (k).
    pub min_cell: u64,
    pub sections: Vec<SectionDto>,
}

/// What every section builder is given.
struct Scope<'a> {
    state: &'a AppState,
    chart: &'a OrgChart,
    lang: Lang,
    period: Period,
    /// The period's days (recommendations sent in it).
    window: Window,
    /// The days children are counted over: the whole months the period
    /// touches ([`Period::months_touched`]).
    children: Window,
    /// Progress is measured up to this day: the period's end, or today if
    /// earlier.
    measured_to: NaiveDate,
    /// The organisation is read on this day: `measured_to`, or the
    /// period's first day for a period still to come.
    org_day: NaiveDate,
    /// The unit reported on.
    unit: Option<UnitId>,
    /// The units whose records count (`None`: all, and records with no
    /// unit).
    units: Option<Vec<UnitId>>,
    /// The unit broken down into the units below it: the unit reported on.
    top: Option<UnitId>,
    /// The period of the report's safeguarding section, when it has one:
    /// for admins only, district-wide or wider, over whole calendar
    /// quarters, those of the report's period that have ended.
    with_safeguarding: Option<langnghe_domain::plan::WholeQuarters>,
}

type Built<'a> = LocalBoxFuture<'a, Result<SectionDto, ApiError>>;

/// The report's sections, in order: add a builder here to add a section.
fn builders<'a>(s: &'a Scope<'a>) -> Vec<Built<'a>> {
    let mut sections: Vec<Built<'a>> = vec![
        Box::pin(progress(s)),
        Box::pin(consultations(s)),
        Box::pin(topics(s)),
        Box::pin(events(s)),
    ];
    if let Some(quarters) = s.with_safeguarding {
        sections.push(Box::pin(safeguarding(s, quarters)));
    }
    sections.push(Box::pin(recommendations(s)));
    sections
}

fn title(vi: &str, en: &str) -> Text {
    Text {
        vi: vi.to_owned(),
        en: Some(en.to_owned()),
    }
}

/// Rows of one item.
struct Item {
    item: String,
    name: Option<String>,
    part_of: Option<String>,
}

impl Item {
    fn new(item: impl Into<String>, name: Option<String>) -> Item {
        Item {
            item: item.into(),
            name,
            part_of: None,
        }
    }

    fn unit(s: &Scope<'_>, id: UnitId) -> Item {
        match s.chart.unit(id) {
            Some(u) => Item::new(u.code.as_str(), Some(u.name.get(s.lang).to_owned())),
            None => Item::new(id.0.to_string(), None),
        }
    }

    fn all(s: &Scope<'_>) -> Item {
        Item::new(
            "all",
            Some(
                match s.lang {
                    Lang::Vi => "Tổng cộng",
                    Lang::En => "All",
                }
                .to_owned(),
            ),
        )
    }

    fn value(&self, breakdown: impl Into<String>, value: ValueDto) -> RowDto {
        self.meaning(breakdown, value, Meaning::Count)
    }

    fn meaning(&self, breakdown: impl Into<String>, value: ValueDto, meaning: Meaning) -> RowDto {
        RowDto {
            item: self.item.clone(),
            part_of: self.part_of.clone(),
            name: self.name.clone(),
            breakdown: breakdown.into(),
            value,
            meaning,
        }
    }

    fn count(&self, breakdown: impl Into<String>, n: u64) -> RowDto {
        self.value(breakdown, ValueDto::Count(n))
    }

    fn dto_figure(&self, breakdown: impl Into<String>, f: &CountDto) -> RowDto {
        self.count(breakdown, f.count)
    }
}

/// The targets of the unit reported on and of the units below it (for
/// the district: its wards' and schools'), whose period overlaps the
/// report's, with their progress up to the report's end (or today): the
/// target's value, the actual figure (through the cell key method where it
/// counts children, and the share of the published figure), the share,
/// the status, what the actual counts and how (the counting rule, in the
/// request's language), its parts (`part.*`, added up into it) and the
/// figures shown beside it (`beside.*`, never added: a headcount beside
/// unique participants), and the units not yet covered.
async fn progress<'a>(s: &'a Scope<'a>) -> Result<SectionDto, ApiError> {
    let targets =
        crate::services::progress::targets_progress(s.state, s.chart, Some(s.period), s.unit, s.measured_to).await?;
    let mut rows = Vec::new();
    for (target, p) in targets {
        let scope = s.chart.unit(target.scope_unit());
        // The target in words: what it measures, over which period, where.
        let item = Item::new(
            format!(
                "{} {} {}",
                p.target.metric,
                p.target.period,
                scope.map_or("?", |u| u.code.as_str())
            ),
            Some(format!(
                "{} ({}, {})",
                words::metric(p.target.metric, s.lang),
                p.target.period,
                scope.map_or("?", |u| u.name.get(s.lang))
            )),
        );
        let coverage = target.metric().is_coverage();
        let amount = if coverage { Meaning::Percent } else { Meaning::Count };
        rows.push(item.meaning("target", ValueDto::Number(p.target.value), amount));
        // Figures about children come already through the cell key method.
        rows.push(if counts_children(target.metric()) {
            item.count("actual", p.actual.max(0.0) as u64)
        } else {
            item.meaning("actual", ValueDto::Number(p.actual), amount)
        });
        rows.push(item.meaning("share", ValueDto::Number(p.share), Meaning::Share));
        rows.push(item.meaning("status", ValueDto::Text(p.status.to_owned()), Meaning::TargetStatus));
        rows.push(item.meaning(
            "measures",
            ValueDto::Text(p.target.measures.to_owned()),
            Meaning::Quantity,
        ));
        let rule = target.metric().counting_rule();
        rows.push(item.value("counting_rule", ValueDto::Text(rule.get(s.lang).to_owned())));
        for part in &p.parts {
            let kind = if part.added_to_actual { "part" } else { "beside" };
            rows.push(item.count(format!("{kind}.{}", part.name), part.value));
        }
        if coverage {
            let codes: Vec<&str> = p.uncovered_units.iter().map(|u| u.code.as_str()).collect();
            rows.push(item.meaning("uncovered_units", ValueDto::Text(codes.join(" ")), Meaning::Units));
        }
    }
    Ok(SectionDto {
        key: "progress",
        title: title("Kết quả thực hiện các chỉ tiêu", "Progress against targets"),
        rows,
    })
}

/// The groups of a breakdown by unit: the units directly below the top
/// unit on the organisation's day (by code), then any other unit records
/// fell under (the top unit itself, a closed unit), then `None` for records
/// outside every group.
fn unit_groups(s: &Scope<'_>, recorded: impl Iterator<Item = UnitId>) -> (Vec<Option<UnitId>>, HashMap<UnitId, usize>) {
    let mut below: Vec<&langnghe_domain::org::Unit> = match s.top {
        Some(top) => s.chart.children_on(top, s.org_day).collect(),
        None => s
            .chart
            .in_force_on(s.org_day)
            .filter(|u| s.chart.parent_on(u.id, s.org_day).is_none())
            .collect(),
    };
    below.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    let mut groups: Vec<Option<UnitId>> = below.iter().map(|u| Some(u.id)).collect();
    let mut extra: BTreeSet<(String, UnitId)> = BTreeSet::new();
    let mut outside = false;
    let mut placed: Vec<(UnitId, Option<UnitId>)> = Vec::new();
    for u in recorded.collect::<HashSet<_>>() {
        let b = branch(s.chart, u, s.top, s.org_day);
        match b {
            Some(b) if !groups.contains(&Some(b)) => {
                let code = s.chart.unit(b).map(|x| x.code.as_str().to_owned()).unwrap_or_default();
                extra.insert((code, b));
            }
            None => outside = true,
            _ => {}
        }
        placed.push((u, b));
    }
    groups.extend(extra.into_iter().map(|(_, b)| Some(b)));
    if outside {
        groups.push(None);
    }
    let group_of = placed
        .into_iter()
        .filter_map(|(u, b)| Some((u, groups.iter().position(|g| *g == b)?)))
        .collect();
    (groups, group_of)
}

/// The school units within the top unit on the organisation's day that are
/// not rows of the breakdown already (the district's schools, below its
/// wards), by code, each with the row it is counted in as well; and the
/// school row each recorded unit counts toward.
fn school_rows(
    s: &Scope<'_>,
    groups: &[Option<UnitId>],
    recorded: &[UnitId],
) -> (Vec<(UnitId, UnitId)>, HashMap<UnitId, usize>) {
    let Some(top) = s.top else {
        return (Vec::new(), HashMap::new());
    };
    let mut schools: Vec<&langnghe_domain::org::Unit> = s
        .chart
        .in_force_on(s.org_day)
        .filter(|u| u.kind == UnitKind::School && u.id != top && !groups.contains(&Some(u.id)))
        .filter(|u| s.chart.is_within(u.id, top, s.org_day))
        .collect();
    schools.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    let rows: Vec<(UnitId, UnitId)> = schools
        .iter()
        .filter_map(|u| Some((u.id, branch(s.chart, u.id, Some(top), s.org_day)?)))
        .collect();
    let school_of = recorded
        .iter()
        .filter_map(|u| {
            let school = s.chart.at_level(*u, Some(UnitKind::School), s.org_day)?;
            Some((*u, rows.iter().position(|(x, _)| *x == school)?))
        })
        .collect();
    (rows, school_of)
}

/// Consultations ("lượt") in the whole months the period touches ([`Scope`]) by unit (the units below the top
/// unit, old units counted toward their successors, then the school units
/// further down, each also counted in its ward's row: `part_of`) and by
/// kind: responses not withdrawn (`survey_response`), issues children
/// raised themselves, not those rejected as spam or withdrawn (`issue`),
/// and children attending consultation events, not trainings,
/// communication or parents' sessions (`event_attendance`, a headcount;
/// a unit's children at an event held above it, as the unit entered them,
/// in that unit's row);
/// with their total and the distinct participants (pseudonyms that
/// responded or raised an issue; event attendance is anonymous and never
/// added to them).
async fn consultations<'a>(s: &'a Scope<'a>) -> Result<SectionDto, ApiError> {
    let db = &s.state.db;
    let units = s.units.as_deref();
    let responses = counts::responses_by_unit(db, units, &s.children).await?;
    let issues = counts::child_issues_by_unit(db, units, &s.children).await?;
    let events: Vec<counts::EventTally> = counts::events_in(db, units, &s.children)
        .await?
        .into_iter()
        .filter(|e| e.kind.is_consultation())
        .collect();
    // Children of a unit below where an event was held (a school's at a
    // district forum), as that unit entered them: they count in their own
    // unit's row, and are taken from the row of the unit that held it.
    let lines: Vec<counts::ChildrenTally> = counts::event_children_in(db, units, &s.children)
        .await?
        .into_iter()
        .filter(|l| EventKind::parse(&l.kind).is_some_and(EventKind::is_consultation))
        .collect();
    let participants = counts::participants_by_unit(db, units, &s.children).await?;
    let recorded: Vec<UnitId> = responses
        .iter()
        .map(|r| r.0)
        .chain(issues.iter().map(|r| r.0))
        .chain(events.iter().map(|e| e.unit_id))
        .chain(lines.iter().map(|l| l.unit_id))
        .chain(participants.iter().map(|p| p.0))
        .collect();
    let (groups, group_of) = unit_groups(s, recorded.iter().copied());
    // The school units further down (the district's, below its wards),
    // each a row of its own after the groups, counted in its ward's too.
    let main = groups.len();
    let (schools, school_of) = school_rows(s, &groups, &recorded);
    let slots = |u: &UnitId| -> Vec<usize> {
        group_of
            .get(u)
            .copied()
            .into_iter()
            .chain(school_of.get(u).map(|i| main + i))
            .collect()
    };
    // Per group: responses, issues, children attending (each event one
    // record weighing its attendance), keyed for the cell key method.
    let key = |purpose: &str, id: Uuid| CellKey::from(s.state.data_key.record_key(purpose, id));
    let mut cells = vec![[Count::default(); 3]; main + schools.len()];
    let mut who: Vec<HashSet<Uuid>> = vec![HashSet::new(); main + schools.len()];
    for (u, n, k) in &responses {
        for g in slots(u) {
            cells[g][0].merge(&Count::of(*n, CellKey::from_u32(*k)));
        }
    }
    for (u, id) in &issues {
        for g in slots(u) {
            cells[g][1].merge(&Count::of(1, key("issue", *id)));
        }
    }
    for e in &events {
        let entered: u64 = lines.iter().filter(|l| l.event_id == e.id).map(|l| l.children).sum();
        for g in slots(&e.unit_id) {
            cells[g][2].merge(&Count::of(e.children.saturating_sub(entered), key("event", e.id)));
        }
    }
    for l in &lines {
        for g in slots(&l.unit_id) {
            cells[g][2].merge(&Count::of(l.children, key("event_children", l.id)));
        }
    }
    for (u, p) in &participants {
        for g in slots(u) {
            who[g].insert(*p);
        }
    }
    let table = &s.state.ptable;
    let people = |ids: &HashSet<Uuid>| {
        let mut c = Count::default();
        for p in ids {
            c.merge(&Count::of(1, key("participant", *p)));
        }
        c.published(table)
    };
    let total = |parts: &[Count]| {
        let mut all = Count::default();
        parts.iter().for_each(|c| all.merge(c));
        all
    };
    const KINDS: [&str; 3] = ["survey_response", "issue", "event_attendance"];
    let mut rows = Vec::new();
    let items = groups
        .iter()
        .map(|group| match group {
            Some(u) => Item::unit(s, *u),
            None => Item::new("other", Some(words::other_units(s.lang).to_owned())),
        })
        .chain(schools.iter().map(|(school, ward)| Item {
            part_of: s.chart.unit(*ward).map(|w| w.code.as_str().to_owned()),
            ..Item::unit(s, *school)
        }));
    for (g, item) in items.enumerate() {
        for (c, kind) in KINDS.iter().enumerate() {
            rows.push(item.count(*kind, cells[g][c].published(table)));
        }
        rows.push(item.count("total", total(&cells[g]).published(table)));
        rows.push(item.count("unique_participants", people(&who[g])));
    }
    let all = Item::all(s);
    let columns: Vec<Count> = (0..3)
        .map(|c| total(&cells[..main].iter().map(|g| g[c]).collect::<Vec<_>>()))
        .collect();
    for (c, kind) in KINDS.iter().enumerate() {
        rows.push(all.count(*kind, columns[c].published(table)));
    }
    rows.push(all.count("total", total(&columns).published(table)));
    let everyone: HashSet<Uuid> = participants.iter().map(|p| p.1).collect();
    rows.push(all.count("unique_participants", people(&everyone)));
    Ok(SectionDto {
        key: "consultations",
        title: title(
            "Lượt trẻ em được lấy ý kiến, theo đơn vị và hình thức",
            "Consultations by unit and kind",
        ),
        rows,
    })
}

/// The topic summary's figures (see `GET /topics/summary`) over the whole
/// months the period touches, as the summary itself reads whole months
/// only: over other days two reports a day apart would difference one
/// day's issues per topic.
async fn topics<'a>(s: &'a Scope<'a>) -> Result<SectionDto, ApiError> {
    let figures =
        crate::services::topics::topic_figures(s.state, s.lang, s.units.as_deref(), s.children.first, s.children.last)
            .await?;
    let mut rows = Vec::new();
    for t in figures {
        let item = Item::new(t.topic.slug, Some(t.topic.name));
        for (status, f) in &t.issues.by_status {
            rows.push(item.dto_figure(format!("issues.{status}"), f));
        }
        rows.push(item.dto_figure("issues.total", &t.issues.total));
        rows.push(item.dto_figure("survey_answers", &t.survey_answers));
        rows.push(item.count("events", t.events));
        for point in &t.trend {
            rows.push(item.dto_figure(format!("trend.{}.issues", point.month), &point.issues));
            rows.push(item.dto_figure(format!("trend.{}.survey_answers", point.month), &point.survey_answers));
        }
    }
    Ok(SectionDto {
        key: "topics",
        title: title(
            "Các vấn đề trẻ em quan tâm, theo chủ đề",
            "What children raised, by topic",
        ),
        rows,
    })
}

/// Events held in the whole months the period touches, by kind (every
/// kind, with zeros): the number of events, children attending (through the
/// cell key method) and adults attending.
async fn events<'a>(s: &'a Scope<'a>) -> Result<SectionDto, ApiError> {
    let events = counts::events_in(&s.state.db, s.units.as_deref(), &s.children).await?;
    let kinds = EventKind::ALL;
    // Per kind: events, children attending (each event one record weighing
    // its attendance, keyed for the cell key method), adults attending.
    let mut by_kind = vec![(0u64, Count::default(), 0u64); kinds.len()];
    for e in &events {
        if let Some(i) = kinds.iter().position(|k| *k == e.kind) {
            by_kind[i].0 += 1;
            let key = CellKey::from(s.state.data_key.record_key("event", e.id));
            by_kind[i].1.merge(&Count::of(e.children, key));
            by_kind[i].2 += e.adults;
        }
    }
    let table = &s.state.ptable;
    let mut rows = Vec::new();
    let mut children = Count::default();
    for (i, kind) in kinds.iter().enumerate() {
        let item = Item::new(
            kind.as_str().to_owned(),
            Some(words::event_kind(kind.as_str(), s.lang).to_owned()),
        );
        rows.push(item.count("events", by_kind[i].0));
        rows.push(item.count("children_attending", by_kind[i].1.published(table)));
        rows.push(item.count("adults_attending", by_kind[i].2));
        children.merge(&by_kind[i].1);
    }
    let all = Item::all(s);
    rows.push(all.count("events", by_kind.iter().map(|k| k.0).sum()));
    rows.push(all.count("children_attending", children.published(table)));
    rows.push(all.count("adults_attending", by_kind.iter().map(|k| k.2).sum()));
    Ok(SectionDto {
        key: "events",
        title: title("Các hoạt động đã tổ chức", "Events held"),
        rows,
    })
}

/// Safeguarding cases received in the period, district-wide: counts by
/// status and severity, by category and by ward, through disclosure control (each count a cell of
/// the cell key method), never any detail. Only in an admin's report of
/// the district or wider, over whole calendar quarters ([`Scope`]) that
/// have ended (a year under way: its ended quarters, as the title says); a
/// report over other days, or before any of its quarters has ended, has no
/// such section.
async fn safeguarding<'a>(
    s: &'a Scope<'a>,
    quarters: langnghe_domain::plan::WholeQuarters,
) -> Result<SectionDto, ApiError> {
    let figures = crate::services::figures::published_cases(s.state, quarters)
        .await?
        .ok_or_else(|| ApiError::conflict(Code::CasePeriodNotEnded, "no quarter of the period has ended yet"))?;
    let published = &figures.by_status;
    let severities = crate::services::figures::SEVERITIES;
    let mut rows = Vec::new();
    for (i, status) in langnghe_domain::safeguarding::CaseStatus::ALL.iter().enumerate() {
        let item = Item::new(
            status.as_str(),
            Some(words::case_status(status.as_str(), s.lang).to_owned()),
        );
        rows.push(item.count("total", published.rows.get(i).copied().unwrap_or(0)));
        for (j, severity) in severities.iter().enumerate() {
            let n = published.cells.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0);
            rows.push(item.count(format!("severity.{severity}"), n));
        }
    }
    for (category, n) in &figures.by_category {
        let name = langnghe_domain::safeguarding::category_label(category, s.lang).to_owned();
        rows.push(Item::new(format!("category.{category}"), Some(name)).count("total", *n));
    }
    for (ward, n) in &figures.by_ward {
        rows.push(Item::unit(s, *ward).count("total", *n));
    }
    let all = Item::all(s);
    rows.push(all.count("total", published.total));
    for (j, severity) in severities.iter().enumerate() {
        rows.push(all.count(
            format!("severity.{severity}"),
            published.columns.get(j).copied().unwrap_or(0),
        ));
    }
    Ok(SectionDto {
        key: "safeguarding",
        title: if figures.counted == s.period {
            title(
                "Các vụ việc liên quan đến trẻ em (số lượng theo trạng thái, mức độ, loại vụ việc và phường)",
                "Safeguarding cases (counts by status, severity, category and ward)",
            )
        } else {
            // A period under way: its ended quarters only.
            let (from, to) = (figures.counted.first_day(), figures.counted.last_day());
            title(
                &format!(
                    "Các vụ việc liên quan đến trẻ em từ {} đến {}, các quý đã kết thúc (số lượng theo trạng thái, mức độ, loại vụ việc và phường)",
                    from.format("%d/%m/%Y"),
                    to.format("%d/%m/%Y")
                ),
                &format!(
                    "Safeguarding cases from {from} to {to}, the quarters that have ended (counts by status, severity, category and ward)"
                ),
            )
        },
        rows,
    })
}

/// Recommendations sent to agencies in the period, per agency and in all:
/// deliveries sent, answered, answered by the due date, overdue (unanswered
/// past the due date as the period ends, or today), and the median working
/// days from sending to answer. Figures about agencies, not children: no
/// suppression.
async fn recommendations<'a>(s: &'a Scope<'a>) -> Result<SectionDto, ApiError> {
    use langnghe_domain::recommendation::{AnswerTally, DeliveryFacts};
    let deliveries = langnghe_storage::recommendations::deliveries_sent_between(
        &s.state.db,
        crate::local_day_start(s.window.first),
        crate::local_day_start(s.window.last + chrono::Duration::days(1)),
        s.units.as_deref(),
    )
    .await?;
    let cal = crate::services::lookups::holidays(s.state).await?;
    let agencies = langnghe_storage::catalog::list_agencies(&s.state.db).await?;
    let mut by_agency: std::collections::BTreeMap<uuid::Uuid, AnswerTally> = std::collections::BTreeMap::new();
    let mut all = AnswerTally::default();
    for d in &deliveries {
        let facts = DeliveryFacts {
            recommendation: d.recommendation_id,
            status: d.status,
            sent_on: crate::local_day(d.sent_at),
            due_on: d.due_on,
            answered_on: d.answered_on,
        };
        for t in [by_agency.entry(d.agency_id).or_default(), &mut all] {
            t.add(&facts, s.measured_to, &cal);
        }
    }
    let mut rows = Vec::new();
    let mut push = |item: &Item, t: &AnswerTally| {
        rows.push(item.count("recommendations", t.recommendations.len() as u64));
        rows.push(item.count("sent", t.sent));
        rows.push(item.count("answered", t.answered));
        rows.push(item.count("answered_on_time", t.answered_on_time));
        rows.push(item.count("overdue", t.overdue));
        if let Some(m) = t.median_working_days() {
            rows.push(item.meaning("median_working_days_to_answer", ValueDto::Number(m), Meaning::Days));
        }
    };
    for (id, t) in &by_agency {
        let name = agencies
            .iter()
            .find(|a| a.id.0 == *id)
            .map(|a| a.name.get(s.lang).to_owned());
        push(&Item::new(id.to_string(), name), t);
    }
    push(&Item::all(s), &all);
    Ok(SectionDto {
        key: "recommendations",
        title: title(
            "Kiến nghị gửi cơ quan và kết quả trả lời",
            "Recommendations sent to agencies and their answers",
        ),
        rows,
    })
}

/// The report for a period (a year, half, quarter, month, the November
/// work year, a school term or any days) and a unit (the caller's own by
/// default: a facilitator's school or ward, the district for district
/// staff): progress against the targets of the unit and the units below it,
/// consultations by unit (the district's wards and schools) and kind,
/// topics and events, each counted over the whole months the period
/// touches (`children_from`, `children_to`: a term of 5 September to 15
/// January counts 1 September to 31 January, so that two reports never
/// differ by less than a month of children), and counts of safeguarding
/// cases by status (an admin's report of the district or wider, over whole
/// calendar quarters that have ended; never details).
/// Figures about children go through the cell key method. `format=csv`
/// gives the same rows as one long table (UTF-8 with BOM,
/// `section,item,name,breakdown,value`).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "The report: JSON, or CSV with `format=csv`", content(
            (ReportDto = "application/json"),
            (String = "text/csv; charset=utf-8"),
        )),
        crate::openapi::ReadErrors,
    )
)]
#[get("/reports")]
async fn get_report(
    req: HttpRequest,
    staff: Staff<Consulting>,
    state: web::Data<AppState>,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let terms = langnghe_storage::school_terms::calendar(&state.db).await?;
    let period = Period::parse_in(&q.period, &terms)
        .map_err(|e| ApiError::bad_request(Code::InvalidQuery, format!("period: {e}")))?;
    let lang = crate::extract::query_lang(&req, q.lang.as_deref())?;
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::bad_request(Code::InvalidQuery, "format is json or csv")),
    };
    let chart = org::load_chart(&state.db).await?;
    let today = state.clock.local_date();
    let measured_to = period.last_day().min(today);
    let org_day = measured_to.max(period.first_day());
    let unit = crate::services::progress::scope_unit(&staff, &chart, q.unit_id, &[org_day, today])?;
    let scope = Scope {
        state: &state,
        chart: &chart,
        lang,
        period,
        window: Window {
            first: period.first_day(),
            last: period.last_day(),
            offset_hours: crate::LOCAL_OFFSET_HOURS,
        },
        children: Window {
            first: period.months_touched().0,
            last: period.months_touched().1,
            offset_hours: crate::LOCAL_OFFSET_HOURS,
        },
        measured_to,
        org_day,
        unit: Some(unit),
        units: Some(chart.counting_for(unit, org_day)),
        top: Some(unit),
        with_safeguarding: period
            .whole_quarters()
            .ok()
            .and_then(|q| q.ended_by(today))
            .filter(|_| {
                staff.role() == Role::Admin
                    && chart
                        .unit(unit)
                        .is_some_and(|u| matches!(u.kind, UnitKind::City | UnitKind::District))
            }),
    };
    let sections = try_join_all(builders(&scope)).await?;
    let report = ReportDto {
        period: period.to_string(),
        from: period.first_day(),
        to: period.last_day(),
        children_from: scope.children.first,
        children_to: scope.children.last,
        unit: chart.unit(unit).map(crate::dto::brief),
        generated_at: state.clock.now(),
        min_cell: state.ptable.policy().threshold(),
        sections,
    };
    if !csv {
        return Ok(HttpResponse::Ok().json(report));
    }
    let out = people_csv(&report, &chart, lang);
    let name = match report.unit.as_ref() {
        Some(u) => format!("report-{}-{}.csv", report.period, u.code),
        None => format!("report-{}.csv", report.period),
    };
    Ok(out.response(&name))
}

/// The report as a CSV for people, in `lang`: one row per figure, with the
/// section's title, the item's code and name, the figure in words, and its
/// value in the one column that has its meaning: a number (an integer), a
/// percentage (one decimal; shares of a target as percentages too), working
/// days (one decimal), or words (a status, the names of units).
fn people_csv(report: &ReportDto, chart: &OrgChart, lang: Lang) -> Csv {
    let mut out = Csv::for_people(
        lang,
        &[
            ("Phần", "Section"),
            ("Mã", "Code"),
            ("Tên", "Name"),
            ("Chỉ số", "Figure"),
            ("Số lượng", "Number"),
            ("Tỷ lệ (%)", "Percent"),
            ("Số ngày làm việc", "Working days"),
            ("Nội dung", "Details"),
        ],
    );
    let number = |v: &ValueDto| match v {
        ValueDto::Count(n) => Some(*n as f64),
        ValueDto::Number(x) => Some(*x),
        ValueDto::Text(_) => None,
    };
    for section in &report.sections {
        let title = match lang {
            Lang::Vi => section.title.vi.clone(),
            Lang::En => section.title.en.clone().unwrap_or_else(|| section.title.vi.clone()),
        };
        for row in &section.rows {
            let mut cells = [String::new(), String::new(), String::new(), String::new()];
            let x = number(&row.value);
            match row.meaning {
                Meaning::Count => match &row.value {
                    ValueDto::Text(t) => cells[3] = t.clone(),
                    _ => cells[0] = x.map(|x| words::decimal(x, 0, lang)).unwrap_or_default(),
                },
                Meaning::Percent => cells[1] = x.map(|x| words::decimal(x, 1, lang)).unwrap_or_default(),
                Meaning::Share => cells[1] = x.map(|x| words::percent_of_share(x, lang)).unwrap_or_default(),
                Meaning::Days => cells[2] = x.map(|x| words::decimal(x, 1, lang)).unwrap_or_default(),
                Meaning::TargetStatus => {
                    if let ValueDto::Text(t) = &row.value {
                        cells[3] = words::target_status(t, lang).to_owned();
                    }
                }
                Meaning::Quantity => {
                    if let ValueDto::Text(t) = &row.value {
                        cells[3] = words::quantity(t, lang).to_owned();
                    }
                }
                Meaning::Units => {
                    if let ValueDto::Text(t) = &row.value {
                        let names: Vec<String> = t
                            .split_whitespace()
                            .map(|code| {
                                chart
                                    .units()
                                    .find(|u| u.code.as_str() == code)
                                    .map_or_else(|| code.to_owned(), |u| u.name.get(lang).to_owned())
                            })
                            .collect();
                        cells[3] = names.join("; ");
                    }
                }
            }
            // A unit counted within another row too (a school in its
            // ward's) says so beside its name.
            let name = match (&row.name, &row.part_of) {
                (Some(name), Some(whole)) => {
                    let whole = chart
                        .units()
                        .find(|u| u.code.as_str() == whole)
                        .map_or_else(|| whole.clone(), |u| u.name.get(lang).to_owned());
                    match lang {
                        Lang::Vi => format!("{name} (thuộc {whole})"),
                        Lang::En => format!("{name} (in {whole})"),
                    }
                }
                (name, _) => name.clone().unwrap_or_default(),
            };
            let mut line = vec![
                title.clone(),
                row.item.clone(),
                name,
                figure_words(section.key, &row.breakdown, lang),
            ];
            line.extend(cells);
            out.push(&line);
        }
    }
    out
}

/// A figure of a report in words; one the words do not know yet is given
/// as its code.
fn figure_words(section: &str, breakdown: &str, lang: Lang) -> String {
    let say = |vi: &str, en: &str| match lang {
        Lang::Vi => vi.to_owned(),
        Lang::En => en.to_owned(),
    };
    if let Some(status) = breakdown.strip_prefix("issues.")
        && status != "total"
    {
        return format!("{} — {}", say("Ý kiến", "Issues"), words::issue_status(status, lang));
    }
    if let Some(rest) = breakdown.strip_prefix("trend.")
        && let Some((month, what)) = rest.split_once('.')
    {
        let what = match what {
            "issues" => say("Ý kiến", "Issues"),
            _ => say("Phiếu khảo sát", "Survey responses"),
        };
        return format!("{what} — {}", words::month(month));
    }
    if let Some(part) = breakdown.strip_prefix("part.") {
        return format!("{}: {}", say("Gồm", "Of which"), words::target_part(part, lang));
    }
    if let Some(part) = breakdown.strip_prefix("beside.") {
        return format!(
            "{}: {}",
            say("Kèm theo, không cộng vào kết quả", "Beside, not added"),
            words::target_part(part, lang)
        );
    }
    if let Some(severity) = breakdown.strip_prefix("severity.") {
        return format!(
            "{} {}",
            say("Mức độ", "Severity"),
            langnghe_domain::safeguarding::severity_label(severity, lang)
        );
    }
    match (section, breakdown) {
        (_, "target") => say("Chỉ tiêu", "Target"),
        (_, "actual") => say("Kết quả", "Achieved"),
        (_, "share") => say("Tỷ lệ hoàn thành chỉ tiêu", "Share of the target"),
        (_, "status") => say("Đánh giá", "Status"),
        (_, "measures") => say("Đơn vị tính", "Counted as"),
        (_, "counting_rule") => say("Cách tính", "How it is counted"),
        (_, "uncovered_units") => say("Đơn vị chưa thực hiện", "Units yet to do it"),
        (_, "event_children") => say(
            "Trẻ em dự hoạt động (lượt, không cộng vào kết quả)",
            "Children at events (headcount, not added to the figure)",
        ),
        (_, "survey_response") => say("Phiếu khảo sát", "Survey responses"),
        (_, "issue") => say("Ý kiến trẻ em gửi", "Issues children raised"),
        (_, "event_attendance") => say(
            "Trẻ em dự hoạt động lấy ý kiến (lượt)",
            "Children at consultations (headcount)",
        ),
        ("consultations", "total") => say("Tổng số lượt", "Consultations in all"),
        (_, "unique_participants") => say("Số trẻ tham gia (mỗi em một lần)", "Children taking part (each once)"),
        (_, "issues.total") => say("Tổng số ý kiến", "Issues in all"),
        (_, "survey_answers") => say("Phiếu khảo sát", "Survey responses"),
        ("topics", "events") => say("Hoạt động", "Events"),
        (_, "events") => say("Số hoạt động", "Events held"),
        (_, "children_attending") => say("Trẻ em tham dự (lượt)", "Children attending (headcount)"),
        (_, "adults_attending") => say("Người lớn tham dự (lượt)", "Adults attending (headcount)"),
        (_, "total") => say("Tổng số", "Total"),
        (_, "recommendations") => say("Số kiến nghị", "Recommendations"),
        (_, "sent") => say("Số lượt gửi cơ quan", "Deliveries sent"),
        (_, "answered") => say("Đã trả lời", "Answered"),
        (_, "answered_on_time") => say("Trả lời đúng hạn", "Answered on time"),
        (_, "overdue") => say("Quá hạn chưa trả lời", "Overdue, unanswered"),
        (_, "median_working_days_to_answer") => say(
            "Số ngày làm việc đến khi trả lời (trung vị)",
            "Working days to answer (median)",
        ),
        _ => breakdown.to_owned(),
    }
}
