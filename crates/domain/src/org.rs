//! The organisation over time: units with a validity period, parent links
//! that can change on a date, and lineage from closed units to the units
//! that took over their history. [`OrgChart`] answers every question about
//! the tree at a date, including where an old unit's data counts today.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::{FieldErrors, LocalizedText, ReorganisationId, UnitId};

/// What a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitKind {
    City,
    District,
    Ward,
    /// A school's Pioneer unit (Liên đội).
    School,
    CareCentre,
    /// A Children's Council.
    Council,
}

names! {
    UnitKind {
        City = "city", District = "district", Ward = "ward", School = "school", CareCentre = "care_centre",
        Council = "council",
    }
}

impl UnitKind {
    /// Whether a unit of this kind may sit directly under `parent`. Levels
    /// may be skipped (since 2025 wards sit directly under the city), never
    /// inverted; schools, care centres and councils have no children.
    pub fn may_sit_under(self, parent: UnitKind) -> bool {
        use UnitKind::*;
        match parent {
            City => self != City,
            District => matches!(self, Ward | School | CareCentre | Council),
            Ward => matches!(self, School | CareCentre | Council),
            School | CareCentre | Council => false,
        }
    }
}

/// Dates the organisation can hold: 1900 to 2199. Anything outside is a
/// typing slip (and some databases cannot store it).
pub fn check_date(field: &str, date: NaiveDate) -> Result<NaiveDate, FieldErrors> {
    use chrono::Datelike;
    if (1900..=2199).contains(&date.year()) {
        Ok(date)
    } else {
        Err(FieldErrors::single(field, "out_of_range", "a date from 1900 to 2199"))
    }
}

/// A unit's code: 1–40 characters of letters, digits, `.`, `_` or `-`,
/// unique across all time so that it never points at two units.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnitCode(String);

impl UnitCode {
    pub fn parse(field: &str, raw: &str) -> Result<UnitCode, FieldErrors> {
        let code = raw.trim();
        let ok = !code.is_empty()
            && code.len() <= 40
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if ok {
            Ok(UnitCode(code.to_owned()))
        } else {
            Err(FieldErrors::single(
                field,
                "invalid_code",
                "1 to 40 characters: letters, digits, '.', '_' or '-'",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A unit. Its identity lasts from `valid_from` until `valid_to`
/// (exclusive; `None` while it is in force).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: UnitId,
    pub kind: UnitKind,
    pub code: UnitCode,
    pub name: LocalizedText,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub note: Option<String>,
}

impl Unit {
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        in_period(self.valid_from, self.valid_to, date)
    }

    /// The date to read this unit's surroundings at when asked about
    /// `date`: `date` itself while it is in force, else the nearest day on
    /// which it was.
    pub fn nearest_day_in_force(&self, date: NaiveDate) -> NaiveDate {
        if date < self.valid_from {
            self.valid_from
        } else {
            match self.valid_to {
                Some(to) if date >= to => to.pred_opt().unwrap_or(self.valid_from).max(self.valid_from),
                _ => date,
            }
        }
    }
}

fn in_period(from: NaiveDate, to: Option<NaiveDate>, date: NaiveDate) -> bool {
    from <= date && to.is_none_or(|to| date < to)
}

/// A unit's parent during a period (`valid_to` exclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentPeriod {
    pub unit_id: UnitId,
    pub parent_id: UnitId,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// "The history of `from` continues in `to` from `effective_on`." A closed
/// unit has one or more edges; exactly one is the default, the successor its
/// data counts toward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineageEdge {
    pub reorganisation_id: ReorganisationId,
    pub from: UnitId,
    pub to: UnitId,
    pub effective_on: NaiveDate,
    pub is_default: bool,
    /// The link is an assumption, not a published fact.
    pub assumption: bool,
    pub note: Option<String>,
}

/// Every unit, parent period and lineage edge: the whole organisation
/// across time. Small enough (thousands of units) to reason about in memory.
#[derive(Debug, Clone, Default)]
pub struct OrgChart {
    units: HashMap<UnitId, Unit>,
    parents: HashMap<UnitId, Vec<ParentPeriod>>,
    lineage: Vec<LineageEdge>,
}

/// Longest chain followed through parents or successors; guards against
/// corrupt data looping forever.
const MAX_DEPTH: usize = 64;

impl OrgChart {
    pub fn new(units: Vec<Unit>, parents: Vec<ParentPeriod>, lineage: Vec<LineageEdge>) -> Self {
        let mut by_unit: HashMap<UnitId, Vec<ParentPeriod>> = HashMap::new();
        for p in parents {
            by_unit.entry(p.unit_id).or_default().push(p);
        }
        for periods in by_unit.values_mut() {
            periods.sort_by_key(|p| p.valid_from);
        }
        Self {
            units: units.into_iter().map(|u| (u.id, u)).collect(),
            parents: by_unit,
            lineage,
        }
    }

    pub fn unit(&self, id: UnitId) -> Option<&Unit> {
        self.units.get(&id)
    }

    pub fn units(&self) -> impl Iterator<Item = &Unit> {
        self.units.values()
    }

    pub fn code_taken(&self, code: &UnitCode) -> bool {
        self.units.values().any(|u| &u.code == code)
    }

    /// The units in force on `date`.
    pub fn in_force_on(&self, date: NaiveDate) -> impl Iterator<Item = &Unit> {
        self.units.values().filter(move |u| u.in_force_on(date))
    }

    pub fn parent_periods(&self, id: UnitId) -> &[ParentPeriod] {
        self.parents.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The parent period open at the end of history, if any.
    pub fn current_parent_period(&self, id: UnitId) -> Option<&ParentPeriod> {
        self.parent_periods(id).iter().find(|p| p.valid_to.is_none())
    }

    /// The unit's parent on `date`.
    pub fn parent_on(&self, id: UnitId, date: NaiveDate) -> Option<UnitId> {
        self.parent_periods(id)
            .iter()
            .find(|p| in_period(p.valid_from, p.valid_to, date))
            .map(|p| p.parent_id)
    }

    /// The unit's ancestors on `date`, nearest first.
    pub fn ancestors_on(&self, id: UnitId, date: NaiveDate) -> Vec<&Unit> {
        let mut out = Vec::new();
        let mut seen = HashSet::from([id]);
        let mut current = id;
        while let Some(parent) = self.parent_on(current, date) {
            if !seen.insert(parent) || out.len() >= MAX_DEPTH {
                break;
            }
            let Some(unit) = self.unit(parent) else { break };
            out.push(unit);
            current = parent;
        }
        out
    }

    /// The units in force on `date` whose parent on that date is `id`.
    pub fn children_on(&self, id: UnitId, date: NaiveDate) -> impl Iterator<Item = &Unit> {
        self.in_force_on(date)
            .filter(move |u| self.parent_on(u.id, date) == Some(id))
    }

    /// Whether `ancestor` is `id` or above it on `date`.
    pub fn is_within(&self, id: UnitId, ancestor: UnitId, date: NaiveDate) -> bool {
        id == ancestor || self.ancestors_on(id, date).iter().any(|u| u.id == ancestor)
    }

    /// Edges into `id`: the units whose history it took over.
    pub fn predecessors(&self, id: UnitId) -> impl Iterator<Item = &LineageEdge> {
        self.lineage.iter().filter(move |e| e.to == id)
    }

    /// Edges out of `id`: the units that took over its history.
    pub fn successors(&self, id: UnitId) -> impl Iterator<Item = &LineageEdge> {
        self.lineage.iter().filter(move |e| e.from == id)
    }

    /// Every unit whose records count for `scope` as of `date`: units at or
    /// below it, and closed units whose history a unit at or below it took
    /// over.
    pub fn counting_for(&self, scope: UnitId, date: NaiveDate) -> Vec<UnitId> {
        let mut ids: Vec<UnitId> = self
            .units()
            .filter(|u| {
                let here = self.counts_toward(u.id, date).unwrap_or(u.id);
                self.is_within(here, scope, date) || self.is_within(u.id, scope, u.nearest_day_in_force(date))
            })
            .map(|u| u.id)
            .collect();
        ids.sort();
        ids
    }

    /// Where data recorded under `id` is reported on `date` at a level of
    /// the tree: the unit it counts toward then, or its nearest ancestor of
    /// `kind` (itself when it is of that kind). `None` when there is none.
    pub fn at_level(&self, id: UnitId, kind: Option<UnitKind>, date: NaiveDate) -> Option<UnitId> {
        let here = self.counts_toward(id, date).unwrap_or(id);
        match kind {
            None => Some(here),
            Some(kind) => std::iter::once(here)
                .chain(self.ancestors_on(here, date).into_iter().map(|u| u.id))
                .find(|u| self.unit(*u).is_some_and(|x| x.kind == kind)),
        }
    }

    /// The unit in force on `date` that data recorded under `id` counts
    /// toward: `id` itself while it is in force, else its default successor
    /// (followed through as many reorganisations as there were). `None` for
    /// a date before the unit existed or a unit closed without successor.
    pub fn counts_toward(&self, id: UnitId, date: NaiveDate) -> Option<UnitId> {
        let mut current = id;
        for _ in 0..MAX_DEPTH {
            let unit = self.unit(current)?;
            if unit.in_force_on(date) {
                return Some(current);
            }
            if date < unit.valid_from {
                return None;
            }
            current = self.successors(current).find(|e| e.is_default)?.to;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{d, parent_in, unit_in};

    #[test]
    fn kinds_nest_downwards_only() {
        assert!(UnitKind::Ward.may_sit_under(UnitKind::City));
        assert!(UnitKind::School.may_sit_under(UnitKind::Ward));
        assert!(!UnitKind::District.may_sit_under(UnitKind::Ward));
        assert!(!UnitKind::School.may_sit_under(UnitKind::School));
        assert!(!UnitKind::City.may_sit_under(UnitKind::City));
        crate::testing::assert_names_read_back(UnitKind::ALL, UnitKind::as_str, UnitKind::parse);
    }

    #[test]
    fn codes() {
        assert!(UnitCode::parse("code", "PN-P01").is_ok());
        assert!(UnitCode::parse("code", "").is_err());
        assert!(UnitCode::parse("code", "có dấu").is_err());
        assert!(UnitCode::parse("code", &"A".repeat(41)).is_err());
    }

    #[test]
    fn chart_answers_at_a_date() {
        let city = unit_in("HCM", UnitKind::City, "2000-01-01", None);
        let old = unit_in("P1", UnitKind::Ward, "2000-01-01", Some("2025-07-01"));
        let mid = unit_in("X", UnitKind::Ward, "2025-07-01", Some("2026-01-01"));
        let new = unit_in("Y", UnitKind::Ward, "2026-01-01", None);
        let school = unit_in("S", UnitKind::School, "2000-01-01", None);
        let edge = |from: &Unit, to: &Unit, on: &str, is_default| LineageEdge {
            reorganisation_id: ReorganisationId::new(),
            from: from.id,
            to: to.id,
            effective_on: d(on),
            is_default,
            assumption: false,
            note: None,
        };
        let chart = OrgChart::new(
            vec![city.clone(), old.clone(), mid.clone(), new.clone(), school.clone()],
            vec![
                parent_in(&old, &city, "2000-01-01", Some("2025-07-01")),
                parent_in(&mid, &city, "2025-07-01", Some("2026-01-01")),
                parent_in(&new, &city, "2026-01-01", None),
                parent_in(&school, &old, "2000-01-01", Some("2025-07-01")),
                parent_in(&school, &mid, "2025-07-01", Some("2026-01-01")),
                parent_in(&school, &new, "2026-01-01", None),
            ],
            vec![
                edge(&old, &mid, "2025-07-01", true),
                edge(&old, &new, "2025-07-01", false),
                edge(&mid, &new, "2026-01-01", true),
            ],
        );
        assert_eq!(chart.parent_on(school.id, d("2025-06-30")), Some(old.id));
        assert_eq!(chart.parent_on(school.id, d("2025-07-01")), Some(mid.id));
        let names: Vec<_> = chart
            .ancestors_on(school.id, d("2024-01-01"))
            .iter()
            .map(|u| u.code.as_str())
            .collect();
        assert_eq!(names, ["P1", "HCM"]);
        assert_eq!(chart.counts_toward(old.id, d("2025-06-30")), Some(old.id));
        assert_eq!(chart.counts_toward(old.id, d("2025-07-01")), Some(mid.id));
        assert_eq!(chart.counts_toward(old.id, d("2026-05-01")), Some(new.id));
        assert_eq!(chart.counts_toward(new.id, d("2025-05-01")), None);
        assert!(chart.is_within(school.id, city.id, d("2024-01-01")));
        assert_eq!(
            chart.at_level(school.id, Some(UnitKind::Ward), d("2025-06-30")),
            Some(old.id)
        );
        assert_eq!(
            chart.at_level(old.id, Some(UnitKind::Ward), d("2026-05-01")),
            Some(new.id)
        );
        assert_eq!(
            chart.at_level(old.id, Some(UnitKind::City), d("2024-01-01")),
            Some(city.id)
        );
        assert_eq!(chart.at_level(city.id, Some(UnitKind::Ward), d("2024-01-01")), None);
        assert!(!chart.is_within(school.id, old.id, d("2025-08-01")));
        assert_eq!(chart.children_on(city.id, d("2025-08-01")).count(), 1);
        assert_eq!(old.nearest_day_in_force(d("2030-01-01")), d("2025-06-30"));
        assert_eq!(new.nearest_day_in_force(d("2020-01-01")), d("2026-01-01"));
        assert_eq!(chart.predecessors(new.id).count(), 2);
        assert_eq!(chart.successors(old.id).count(), 2);
    }
}
