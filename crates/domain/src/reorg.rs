//! Reorganisations: on an effective date, close a set of units and open or
//! continue others (merge, split, rename, move). [`plan`] checks a request
//! against the chart and turns it into the exact changes to record, or lists
//! every reason it cannot work.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::org::{LineageEdge, OrgChart, ParentPeriod, Unit, UnitCode, UnitKind};
use crate::{FieldErrors, LocalizedText, ReorganisationId, UnitId};

/// A unit named in a request: one that exists, or one the request opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitRef {
    Existing(UnitId),
    New(String),
}

/// A unit the reorganisation opens.
#[derive(Debug, Clone)]
pub struct OpenUnit {
    /// Name used inside the request to point at this unit.
    pub reference: String,
    pub kind: UnitKind,
    pub code: UnitCode,
    pub name: LocalizedText,
    pub parent: Option<UnitRef>,
    pub note: Option<String>,
}

/// A unit that stays in force under another parent.
#[derive(Debug, Clone)]
pub struct MoveUnit {
    pub unit_id: UnitId,
    pub parent: UnitRef,
}

/// One lineage link asked for.
#[derive(Debug, Clone)]
pub struct LineageSpec {
    pub from: UnitId,
    pub to: UnitRef,
    /// `None`: default when it is the closed unit's only successor.
    pub is_default: Option<bool>,
    pub assumption: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ReorganisationRequest {
    pub effective_on: NaiveDate,
    pub close: Vec<UnitId>,
    pub open: Vec<OpenUnit>,
    pub moves: Vec<MoveUnit>,
    pub lineage: Vec<LineageSpec>,
}

/// What to record, all at once.
#[derive(Debug, Clone)]
pub struct ReorganisationPlan {
    pub id: ReorganisationId,
    pub effective_on: NaiveDate,
    /// Units whose `valid_to` becomes `effective_on`.
    pub close: Vec<UnitId>,
    /// Units whose open parent period ends on `effective_on` (closed and
    /// moved units).
    pub end_parent_periods: Vec<UnitId>,
    pub open: Vec<Unit>,
    pub new_parent_periods: Vec<ParentPeriod>,
    pub lineage: Vec<LineageEdge>,
}

/// Checks `request` against `chart`; on success, the changes to record.
pub fn plan(chart: &OrgChart, request: &ReorganisationRequest) -> Result<ReorganisationPlan, FieldErrors> {
    let day = request.effective_on;
    let mut errors = FieldErrors::new();
    let id = ReorganisationId::new();

    if request.close.is_empty() && request.open.is_empty() && request.moves.is_empty() {
        errors.push("close", "empty_reorganisation", "nothing to close, open or move");
    }

    // Units that stop on `day`.
    let mut closing: HashSet<UnitId> = HashSet::new();
    for (i, &uid) in request.close.iter().enumerate() {
        let field = format!("close[{i}]");
        match chart.unit(uid) {
            None => errors.push(field, "unknown_unit", "no such unit"),
            Some(u) if u.valid_to.is_some() || u.valid_from >= day => errors.push(
                field,
                "not_in_force",
                "only a unit in force before the effective date and not yet closed can be closed",
            ),
            Some(_) if !closing.insert(uid) => errors.push(field, "duplicate", "listed twice"),
            Some(_) => {}
        }
    }

    // Units opened on `day`, by reference.
    let mut opened: HashMap<&str, Unit> = HashMap::new();
    let mut codes: HashSet<&UnitCode> = HashSet::new();
    for (i, o) in request.open.iter().enumerate() {
        let reference = o.reference.trim();
        if reference.is_empty() || reference.len() > 64 {
            errors.push(format!("open[{i}].ref"), "invalid_ref", "1 to 64 characters");
        } else if opened.contains_key(reference) {
            errors.push(format!("open[{i}].ref"), "duplicate", "ref used twice");
        }
        if chart.code_taken(&o.code) || !codes.insert(&o.code) {
            errors.push(format!("open[{i}].code"), "code_taken", "a unit already has this code");
        }
        opened.insert(
            reference,
            Unit {
                id: UnitId::new(),
                kind: o.kind,
                code: o.code.clone(),
                name: o.name.clone(),
                valid_from: day,
                valid_to: None,
                note: o.note.clone(),
            },
        );
    }

    // A unit named as a parent or successor must be in force from `day`.
    let resolve = |r: &UnitRef, field: &str, errors: &mut FieldErrors| -> Option<(UnitId, UnitKind)> {
        match r {
            UnitRef::New(name) => match opened.get(name.trim()) {
                Some(u) => Some((u.id, u.kind)),
                None => {
                    errors.push(field, "unknown_ref", format!("no unit opened with ref '{name}'"));
                    None
                }
            },
            UnitRef::Existing(uid) => match chart.unit(*uid) {
                None => {
                    errors.push(field, "unknown_unit", "no such unit");
                    None
                }
                Some(_) if closing.contains(uid) => {
                    errors.push(
                        field,
                        "closed_by_this_reorganisation",
                        "this unit is closed on the same date",
                    );
                    None
                }
                Some(u) if !u.in_force_on(day) || u.valid_to.is_some() => {
                    errors.push(field, "not_in_force", "the unit is not in force on the effective date");
                    None
                }
                Some(u) => Some((u.id, u.kind)),
            },
        }
    };

    // Parents from `day` on, for every unit whose parent changes.
    let mut new_parent: HashMap<UnitId, UnitId> = HashMap::new();
    let mut new_parent_periods = Vec::new();
    let mut attach = |unit_id: UnitId, kind: UnitKind, parent: &UnitRef, field: String, errors: &mut FieldErrors| {
        let Some((pid, pkind)) = resolve(parent, &field, errors) else {
            return;
        };
        if !kind.may_sit_under(pkind) {
            errors.push(
                field,
                "kind_not_allowed",
                format!("a {} cannot sit under a {}", kind.as_str(), pkind.as_str()),
            );
        }
        new_parent.insert(unit_id, pid);
        new_parent_periods.push(ParentPeriod {
            unit_id,
            parent_id: pid,
            valid_from: day,
            valid_to: None,
        });
    };
    for (i, o) in request.open.iter().enumerate() {
        let Some(unit) = opened.get(o.reference.trim()) else {
            continue;
        };
        match &o.parent {
            None if o.kind != UnitKind::City => {
                errors.push(
                    format!("open[{i}].parent_id"),
                    "required",
                    "only a city may have no parent",
                );
            }
            None => {}
            Some(p) => attach(unit.id, o.kind, p, format!("open[{i}].parent"), &mut errors),
        }
    }
    let mut moved: HashSet<UnitId> = HashSet::new();
    for (i, m) in request.moves.iter().enumerate() {
        let field = format!("moves[{i}].unit_id");
        let Some(unit) = chart.unit(m.unit_id) else {
            errors.push(field, "unknown_unit", "no such unit");
            continue;
        };
        if closing.contains(&m.unit_id) {
            errors.push(field, "closed_by_this_reorganisation", "a closed unit cannot be moved");
            continue;
        }
        if !unit.in_force_on(day) || unit.valid_to.is_some() {
            errors.push(field, "not_in_force", "the unit is not in force on the effective date");
            continue;
        }
        if chart
            .current_parent_period(m.unit_id)
            .is_some_and(|p| p.valid_from >= day)
        {
            errors.push(
                field,
                "parent_changed_later",
                "the unit's parent already changes on or after this date",
            );
            continue;
        }
        if !moved.insert(m.unit_id) {
            errors.push(field, "duplicate", "moved twice");
            continue;
        }
        attach(
            m.unit_id,
            unit.kind,
            &m.parent,
            format!("moves[{i}].parent"),
            &mut errors,
        );
    }

    // Lineage: every closed unit hands its history to someone.
    let mut lineage = Vec::new();
    let mut edges_of: HashMap<UnitId, Vec<usize>> = HashMap::new();
    let mut pairs: HashSet<(UnitId, UnitId)> = HashSet::new();
    for (i, l) in request.lineage.iter().enumerate() {
        if !closing.contains(&l.from) {
            // A unit listed in `close` but refused there is reported once.
            if !request.close.contains(&l.from) {
                errors.push(
                    format!("lineage[{i}].from"),
                    "not_closed",
                    "lineage starts at a unit this reorganisation closes",
                );
            }
            continue;
        }
        let Some((to, _)) = resolve(&l.to, &format!("lineage[{i}].to"), &mut errors) else {
            continue;
        };
        if !pairs.insert((l.from, to)) {
            errors.push(format!("lineage[{i}]"), "duplicate", "the same link twice");
            continue;
        }
        edges_of.entry(l.from).or_default().push(lineage.len());
        lineage.push(LineageEdge {
            reorganisation_id: id,
            from: l.from,
            to,
            effective_on: day,
            is_default: l.is_default.unwrap_or(false),
            assumption: l.assumption,
            note: l.note.clone(),
        });
    }
    let mut checked: HashSet<UnitId> = HashSet::new();
    for (i, uid) in request.close.iter().enumerate() {
        if !closing.contains(uid) || !checked.insert(*uid) {
            continue;
        }
        let field = format!("close[{i}]");
        match edges_of.get(uid).map(Vec::as_slice) {
            // A successor that was named but refused is reported once.
            None | Some([]) if request.lineage.iter().any(|l| l.from == *uid) => {}
            None | Some([]) => errors.push(
                field.clone(),
                "no_successor",
                "a closed unit needs a successor for its history",
            ),
            Some([only]) => {
                if request
                    .lineage
                    .iter()
                    .any(|l| l.from == *uid && l.is_default == Some(false))
                {
                    errors.push(
                        field.clone(),
                        "default_successor_required",
                        "the only successor must be the default",
                    );
                }
                lineage[*only].is_default = true;
            }
            Some(many) => {
                let defaults = many.iter().filter(|&&e| lineage[e].is_default).count();
                if defaults != 1 {
                    errors.push(
                        field.clone(),
                        "default_successor_required",
                        "a split names exactly one successor that takes the history by default",
                    );
                }
            }
        }
        // No unit may be left under a closed parent.
        let orphans: Vec<&str> = chart
            .in_force_on(day)
            .filter(|c| c.valid_to.is_none() && chart.parent_on(c.id, day) == Some(*uid))
            .filter(|c| !closing.contains(&c.id) && !moved.contains(&c.id))
            .map(|c| c.code.as_str())
            .collect();
        if !orphans.is_empty() {
            errors.push(
                field,
                "children_left",
                format!("close or move its units first: {}", orphans.join(", ")),
            );
        }
    }

    // The tree from `day` on must have no cycle.
    let parent_from_day = |u: UnitId| -> Option<UnitId> {
        new_parent.get(&u).copied().or_else(|| {
            if opened.values().any(|o| o.id == u) {
                None
            } else {
                chart.parent_on(u, day)
            }
        })
    };
    for &start in new_parent.keys() {
        let mut seen = HashSet::from([start]);
        let mut cur = start;
        while let Some(p) = parent_from_day(cur) {
            if !seen.insert(p) {
                let field = match request.moves.iter().position(|m| m.unit_id == start) {
                    Some(i) => format!("moves[{i}].parent"),
                    None => "open".to_owned(),
                };
                errors.push(field, "cycle", "this would put a unit under itself");
                break;
            }
            cur = p;
        }
        if !errors.is_empty() && errors.0.iter().any(|e| e.code == "cycle") {
            break;
        }
    }

    let mut end_parent_periods: Vec<UnitId> = request.close.clone();
    end_parent_periods.extend(moved.iter().copied());
    end_parent_periods.sort();
    end_parent_periods.dedup();
    let mut open: Vec<Unit> = opened.into_values().collect();
    open.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    errors.into_result(ReorganisationPlan {
        id,
        effective_on: day,
        close: request.close.clone(),
        end_parent_periods,
        open,
        new_parent_periods,
        lineage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{d, parent, unit};

    struct Fixture {
        chart: OrgChart,
        city: UnitId,
        w1: UnitId,
        w2: UnitId,
        school: UnitId,
    }

    fn fixture() -> Fixture {
        let city = unit("C", UnitKind::City);
        let w1 = unit("W1", UnitKind::Ward);
        let w2 = unit("W2", UnitKind::Ward);
        let school = unit("S", UnitKind::School);
        let periods = vec![parent(&w1, &city), parent(&w2, &city), parent(&school, &w1)];
        Fixture {
            city: city.id,
            w1: w1.id,
            w2: w2.id,
            school: school.id,
            chart: OrgChart::new(vec![city, w1, w2, school], periods, vec![]),
        }
    }

    fn new_ward(reference: &str, code: &str, parent: UnitId) -> OpenUnit {
        OpenUnit {
            reference: reference.into(),
            kind: UnitKind::Ward,
            code: UnitCode::parse("code", code).unwrap(),
            name: LocalizedText::from_stored(code, None),
            parent: Some(UnitRef::Existing(parent)),
            note: None,
        }
    }

    fn link(from: UnitId, to: &str, is_default: Option<bool>) -> LineageSpec {
        LineageSpec {
            from,
            to: UnitRef::New(to.into()),
            is_default,
            assumption: false,
            note: None,
        }
    }

    fn codes(e: &FieldErrors) -> Vec<(&str, &str)> {
        e.0.iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    #[test]
    fn merge_with_moved_school() {
        let f = fixture();
        let req = ReorganisationRequest {
            effective_on: d("2025-07-01"),
            close: vec![f.w1, f.w2],
            open: vec![new_ward("n", "N", f.city)],
            moves: vec![MoveUnit {
                unit_id: f.school,
                parent: UnitRef::New("n".into()),
            }],
            lineage: vec![link(f.w1, "n", None), link(f.w2, "n", None)],
        };
        let p = plan(&f.chart, &req).unwrap();
        assert_eq!(p.open.len(), 1);
        assert!(p.lineage.iter().all(|e| e.is_default));
        assert_eq!(p.new_parent_periods.len(), 2);
        assert_eq!(p.end_parent_periods.len(), 3);
    }

    #[test]
    fn refusals_name_every_problem() {
        let f = fixture();
        let req = ReorganisationRequest {
            effective_on: d("2025-07-01"),
            close: vec![f.w1, f.w2, f.w2],
            open: vec![new_ward("a", "A", f.city), new_ward("b", "W1", f.city)],
            moves: vec![],
            lineage: vec![
                link(f.w2, "a", Some(false)),
                link(f.w2, "b", Some(false)),
                link(f.city, "a", None),
            ],
        };
        let e = plan(&f.chart, &req).unwrap_err();
        assert_eq!(
            codes(&e),
            [
                ("close[2]", "duplicate"),
                ("open[1].code", "code_taken"),
                ("lineage[2].from", "not_closed"),
                ("close[0]", "no_successor"),
                ("close[0]", "children_left"),
                ("close[1]", "default_successor_required"),
            ]
        );
    }

    #[test]
    fn refuses_cycles_and_bad_kinds() {
        let f = fixture();
        let req = ReorganisationRequest {
            effective_on: d("2025-07-01"),
            close: vec![],
            open: vec![],
            moves: vec![MoveUnit {
                unit_id: f.city,
                parent: UnitRef::Existing(f.w1),
            }],
            lineage: vec![],
        };
        let e = plan(&f.chart, &req).unwrap_err();
        assert_eq!(
            codes(&e),
            [("moves[0].parent", "kind_not_allowed"), ("moves[0].parent", "cycle")]
        );
        let req = ReorganisationRequest {
            effective_on: d("2025-07-01"),
            close: vec![],
            open: vec![],
            moves: vec![MoveUnit {
                unit_id: f.school,
                parent: UnitRef::Existing(f.w2),
            }],
            lineage: vec![],
        };
        assert!(plan(&f.chart, &req).is_ok());
        let empty = ReorganisationRequest {
            effective_on: d("2025-07-01"),
            close: vec![],
            open: vec![],
            moves: vec![],
            lineage: vec![],
        };
        assert_eq!(
            codes(&plan(&f.chart, &empty).unwrap_err()),
            [("close", "empty_reorganisation")]
        );
    }

    #[test]
    fn split_needs_one_default() {
        let f = fixture();
        let mut req = ReorganisationRequest {
            effective_on: d("2025-07-01"),
            close: vec![f.w2],
            open: vec![new_ward("a", "A", f.city), new_ward("b", "B", f.city)],
            moves: vec![],
            lineage: vec![link(f.w2, "a", Some(true)), link(f.w2, "b", Some(true))],
        };
        assert_eq!(
            codes(&plan(&f.chart, &req).unwrap_err()),
            [("close[0]", "default_successor_required")]
        );
        req.lineage[1].is_default = None;
        let p = plan(&f.chart, &req).unwrap();
        assert_eq!(p.lineage.iter().filter(|e| e.is_default).count(), 1);
    }
}
