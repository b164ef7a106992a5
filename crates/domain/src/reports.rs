//! The rules behind summaries and reports: the months of a window, where a
//! record falls in a breakdown by the units one level below a scope, which
//! target figures are about children, and how the per-topic figures are
//! published through disclosure control ([`crate::disclosure`]: the cell key
//! method, so that the same children give the same figure in every table).

use chrono::{Datelike, NaiveDate};

use crate::UnitId;
use crate::account::{OutOfScope, Scope};
use crate::disclosure::PTable;
use crate::org::OrgChart;
use crate::plan::Metric;
use crate::results::Count;

/// The months (`YYYY-MM`) that the local days `from..=to` touch, oldest
/// first; empty when `to` is before `from`.
pub fn months(from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let (mut year, mut month) = (from.year(), from.month());
    while (year, month) <= (to.year(), to.month()) {
        out.push(format!("{year:04}-{month:02}"));
        (year, month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    }
    out
}

/// Where data recorded under `id` falls when `scope` is broken down by the
/// units directly below it on `date`: the unit below `scope` that it counts
/// toward, `scope` itself for data recorded at the scope, or `None` when it
/// is not within the scope. Data of a closed unit follows its default
/// successor ([`OrgChart::counts_toward`]); a unit closed without one is
/// placed by the tree on its last day in force.
///
/// Without a scope (the whole organisation), the top of the tree it falls
/// under.
pub fn branch(chart: &OrgChart, id: UnitId, scope: Option<UnitId>, date: NaiveDate) -> Option<UnitId> {
    let here = chart.counts_toward(id, date).unwrap_or(id);
    let day = chart.unit(here).map_or(date, |u| u.nearest_day_in_force(date));
    let mut path = vec![here];
    path.extend(chart.ancestors_on(here, day).iter().map(|u| u.id));
    match scope {
        None => path.last().copied(),
        Some(scope) => {
            let at = path.iter().position(|u| *u == scope)?;
            Some(if at == 0 { scope } else { path[at - 1] })
        }
    }
}

/// Why a caller cannot have the report (or the progress) of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// A facilitator without a unit has no report.
    #[error("the account has no unit to work for")]
    NoUnit,
    /// A facilitator asked for a unit outside their own.
    #[error("the unit is outside the caller's own unit")]
    OutsideOwnUnit,
    /// District staff asked for no unit, and the organisation has no single
    /// district in force to default to.
    #[error("the organisation has no single district in force: name the unit (unit_id)")]
    NoDistrict,
}

/// The district in force on `day`, when there is exactly one.
pub fn the_district(chart: &OrgChart, day: NaiveDate) -> Option<UnitId> {
    let mut districts = chart
        .in_force_on(day)
        .filter(|u| u.kind == crate::org::UnitKind::District);
    match (districts.next(), districts.next()) {
        (Some(one), None) => Some(one.id),
        _ => None,
    }
}

/// The unit a report or progress is about. A caller with a unit of their
/// own (a school's Pioneer leader, a ward's youth officer) gets it by
/// default and may ask for a unit within it on one of `days`, never
/// outside ([`Scope::narrow`]). District staff get the district by default
/// ([`the_district`] on the first of `days`), never the city, and may ask
/// for any unit.
pub fn report_unit(
    chart: &OrgChart,
    scope: Scope,
    asked: Option<UnitId>,
    days: &[NaiveDate],
) -> Result<UnitId, ScopeError> {
    match scope.narrow(chart, asked, days) {
        Ok(Some(u)) => Ok(u),
        Ok(None) => days
            .first()
            .and_then(|d| the_district(chart, *d))
            .ok_or(ScopeError::NoDistrict),
        Err(OutOfScope::NoUnit) => Err(ScopeError::NoUnit),
        Err(OutOfScope::Outside) => Err(ScopeError::OutsideOwnUnit),
    }
}

/// Whether a target's figure counts children (and is published through
/// disclosure control), rather than events, units or surveys.
pub fn counts_children(metric: Metric) -> bool {
    metric.quantity().counts_children()
}

/// What one topic gathered in a window, before publication: every count
/// with the key of the records it counts (the cell key method).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicTally {
    /// Issues raised, per status (the caller's status columns, in order).
    pub issues_by_status: Vec<Count>,
    /// The same issues, per month of the window.
    pub issues_by_month: Vec<Count>,
    /// Survey answers (responses to surveys of the topic), per month.
    pub answers_by_month: Vec<Count>,
}

/// One topic's figures as published: every count perturbed by the cell key
/// method, the totals as cells of their own (so not exactly the sum of the
/// parts shown), nothing from 1 to k − 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicFigures {
    pub issues_by_status: Vec<u64>,
    pub issues_total: u64,
    pub issues_by_month: Vec<u64>,
    pub answers_total: u64,
    pub answers_by_month: Vec<u64>,
}

/// Publishes the topics' figures through disclosure control. A topic's
/// issue total is the cell of all its issues (the merge of its statuses);
/// its answer total, of all its answers.
pub fn publish_topics(tallies: &[TopicTally], table: &PTable) -> Vec<TopicFigures> {
    let publish = |counts: &[Count]| counts.iter().map(|c| c.published(table)).collect::<Vec<u64>>();
    let total = |counts: &[Count]| {
        let mut all = Count::default();
        for c in counts {
            all.merge(c);
        }
        all.published(table)
    };
    tallies
        .iter()
        .map(|t| TopicFigures {
            issues_by_status: publish(&t.issues_by_status),
            issues_total: total(&t.issues_by_status),
            issues_by_month: publish(&t.issues_by_month),
            answers_total: total(&t.answers_by_month),
            answers_by_month: publish(&t.answers_by_month),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::testing::{d, parent, parent_in, unit, unit_in};
    use proptest::prelude::*;

    use super::*;
    use crate::org::UnitKind;

    #[test]
    fn months_of_a_window() {
        let cases = [
            ("2026-01-01", "2026-01-31", vec!["2026-01"]),
            ("2026-01-31", "2026-03-01", vec!["2026-01", "2026-02", "2026-03"]),
            (
                "2025-11-15",
                "2026-02-01",
                vec!["2025-11", "2025-12", "2026-01", "2026-02"],
            ),
            ("2026-03-01", "2026-02-28", vec![]),
        ];
        for (from, to, want) in cases {
            assert_eq!(months(d(from), d(to)), want, "{from}..{to}");
        }
        assert_eq!(months(d("1900-01-01"), d("2199-12-31")).len(), 300 * 12);
    }

    #[test]
    fn branches_follow_the_tree_and_successors() {
        let city = unit_in("C", UnitKind::City, "2000-01-01", None);
        let old = unit_in("W1", UnitKind::Ward, "2000-01-01", Some("2025-07-01"));
        let new = unit_in("W2", UnitKind::Ward, "2025-07-01", None);
        let school = unit_in("S", UnitKind::School, "2000-01-01", None);
        let gone = unit_in("G", UnitKind::Ward, "2000-01-01", Some("2025-07-01"));
        let other = unit_in("X", UnitKind::City, "2000-01-01", None);
        let chart = OrgChart::new(
            vec![
                city.clone(),
                old.clone(),
                new.clone(),
                school.clone(),
                gone.clone(),
                other.clone(),
            ],
            vec![
                parent_in(&old, &city, "2000-01-01", Some("2025-07-01")),
                parent_in(&new, &city, "2025-07-01", None),
                parent_in(&gone, &city, "2000-01-01", Some("2025-07-01")),
                parent_in(&school, &old, "2000-01-01", Some("2025-07-01")),
                parent_in(&school, &new, "2025-07-01", None),
            ],
            vec![crate::org::LineageEdge {
                reorganisation_id: crate::ReorganisationId::new(),
                from: old.id,
                to: new.id,
                effective_on: d("2025-07-01"),
                is_default: true,
                assumption: false,
                note: None,
            }],
        );
        let on = d("2026-03-31");
        let cases = [
            // Below the scope: the unit directly under it.
            (school.id, Some(city.id), Some(new.id)),
            (new.id, Some(city.id), Some(new.id)),
            // An old unit counts toward its successor.
            (old.id, Some(city.id), Some(new.id)),
            // Recorded at the scope itself.
            (city.id, Some(city.id), Some(city.id)),
            // Closed without successor: placed by its last day.
            (gone.id, Some(city.id), Some(gone.id)),
            // Outside the scope.
            (other.id, Some(city.id), None),
            (school.id, Some(old.id), None),
            (city.id, Some(new.id), None),
            // No scope: the top of the tree.
            (school.id, None, Some(city.id)),
            (other.id, None, Some(other.id)),
        ];
        for (id, scope, want) in cases {
            assert_eq!(branch(&chart, id, scope, on), want);
        }
        // Before the reorganisation, the old tree.
        assert_eq!(branch(&chart, school.id, Some(city.id), d("2025-01-01")), Some(old.id));
    }

    #[test]
    fn a_report_is_of_the_callers_own_unit_or_the_district() {
        let city = unit("HCM", UnitKind::City);
        let district = unit("PN", UnitKind::District);
        let ward = unit("W", UnitKind::Ward);
        let school = unit("S", UnitKind::School);
        let other = unit("S2", UnitKind::School);
        let units = vec![
            city.clone(),
            district.clone(),
            ward.clone(),
            school.clone(),
            other.clone(),
        ];
        let parents = vec![
            parent(&district, &city),
            parent(&ward, &district),
            parent(&school, &ward),
            parent(&other, &district),
        ];
        let chart = OrgChart::new(units.clone(), parents.clone(), vec![]);
        let days = [d("2026-11-25")];
        use Scope::{Everywhere, Nowhere, Within};
        use ScopeError::*;
        let cases = [
            // District staff: the district by default, any unit asked.
            (Everywhere, None, Ok(district.id)),
            (Everywhere, Some(city.id), Ok(city.id)),
            (Everywhere, Some(school.id), Ok(school.id)),
            // A school's Pioneer leader: their school, never another.
            (Within(school.id), None, Ok(school.id)),
            (Within(school.id), Some(school.id), Ok(school.id)),
            (Within(school.id), Some(other.id), Err(OutsideOwnUnit)),
            (Within(school.id), Some(district.id), Err(OutsideOwnUnit)),
            // A ward: its own, and its schools.
            (Within(ward.id), None, Ok(ward.id)),
            (Within(ward.id), Some(school.id), Ok(school.id)),
            (Within(ward.id), Some(other.id), Err(OutsideOwnUnit)),
            // A facilitator without a unit: nothing.
            (Nowhere, None, Err(NoUnit)),
            (Nowhere, Some(school.id), Err(NoUnit)),
        ];
        for (own, asked, want) in cases {
            assert_eq!(report_unit(&chart, own, asked, &days), want, "{own:?} {asked:?}");
        }
        // No district, or two: district staff must name the unit.
        let no_district = OrgChart::new(vec![city.clone()], vec![], vec![]);
        assert_eq!(
            report_unit(&no_district, Scope::Everywhere, None, &days),
            Err(NoDistrict)
        );
        assert_eq!(the_district(&no_district, days[0]), None);
        let mut two = units;
        two.push(unit("Q3", UnitKind::District));
        let two = OrgChart::new(two, parents, vec![]);
        assert_eq!(report_unit(&two, Scope::Everywhere, None, &days), Err(NoDistrict));
        assert_eq!(
            report_unit(&two, Scope::Everywhere, Some(district.id), &days),
            Ok(district.id)
        );
    }

    #[test]
    fn child_counts_are_the_participation_metrics() {
        let children: Vec<Metric> = Metric::all().into_iter().filter(|m| counts_children(*m)).collect();
        assert_eq!(
            children,
            [
                Metric::Consultations,
                Metric::LowerSecondaryParticipants,
                Metric::UniqueParticipants
            ]
        );
    }

    fn keyed(counts: &[u64], salt: u32) -> Vec<Count> {
        counts
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut c = Count::default();
                for j in 0..*n {
                    c.record(crate::disclosure::RecordKey::from_u32(
                        (salt + i as u32 * 1000 + j as u32).wrapping_mul(2_654_435_761),
                    ));
                }
                c
            })
            .collect()
    }

    #[test]
    fn topic_figures_go_through_the_cell_key_method() {
        let table = PTable::new(crate::disclosure::Policy::default());
        let statuses = keyed(&[10, 2], 0);
        let mut all = Count::default();
        statuses.iter().for_each(|c| all.merge(c));
        let t = TopicTally {
            issues_by_status: statuses.clone(),
            issues_by_month: keyed(&[7, 5], 50),
            answers_by_month: keyed(&[20, 0], 90),
        };
        let f = publish_topics(std::slice::from_ref(&t), &table);
        assert_eq!(f[0].issues_total, all.published(&table), "the total is its own cell");
        assert_eq!(f[0].issues_by_status[0], statuses[0].published(&table));
        assert!(
            f[0].issues_by_status[1] == 0 || f[0].issues_by_status[1] == 5,
            "2 is never shown"
        );
        assert_eq!(f[0].answers_by_month[1], 0, "zero stays zero");
        assert!(f[0].answers_total.abs_diff(20) <= 3);
    }

    proptest! {
        /// No figure between 1 and k − 1 is ever published, and zero stays
        /// zero.
        #[test]
        fn topic_figures_never_show_a_small_count(
            rows in proptest::collection::vec(proptest::collection::vec(0u64..12, 3), 0..6),
        ) {
            let table = PTable::new(crate::disclosure::Policy::default());
            let tallies: Vec<TopicTally> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| TopicTally {
                    issues_by_status: keyed(&[r[0], r[1]], i as u32 * 7),
                    issues_by_month: keyed(&[r[1], r[0]], i as u32 * 11),
                    answers_by_month: keyed(&[r[2], r[0]], i as u32 * 13),
                })
                .collect();
            for (t, f) in tallies.iter().zip(publish_topics(&tallies, &table)) {
                let all: Vec<u64> = f
                    .issues_by_status
                    .iter()
                    .chain(&f.issues_by_month)
                    .chain(&f.answers_by_month)
                    .chain([&f.issues_total, &f.answers_total])
                    .copied()
                    .collect();
                prop_assert!(!all.iter().any(|x| (1..5).contains(x)), "{t:?} → {f:?}");
                for (c, p) in t.issues_by_status.iter().zip(&f.issues_by_status) {
                    if c.n == 0 {
                        prop_assert_eq!(*p, 0);
                    }
                }
            }
        }
    }
}
