//! The rules behind summaries and reports: the months of a window, where a
//! record falls in a breakdown by the units one level below a scope, which
//! target figures are about children, and how the per-topic figures are
//! published through small-cell suppression consistently across the two
//! tables that share their totals.
//!
//! Figures are suppressed table by table (see [`crate::suppression`] for the
//! rule and its limits): a report that shows the same children in several
//! tables (by unit, by kind, by topic) does not stop differencing across
//! them.

use chrono::{Datelike, NaiveDate};

use crate::UnitId;
use crate::org::OrgChart;
use crate::plan::Metric;
use crate::suppression::{CountTable, Figure, MinCell, Published, publish};

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

/// Whether a target's figure counts children (and is suppressed when
/// small), rather than events, units or surveys.
pub fn counts_children(metric: Metric) -> bool {
    matches!(metric, Metric::Consultations | Metric::LowerSecondaryParticipants)
}

/// An additive table: `rows`, each with one count per column, totalled per
/// row; published with primary and secondary suppression. Rows of another
/// length make the table malformed, and it is published all suppressed.
pub fn publish_rows(rows: &[Vec<u64>], cols: usize, k: MinCell) -> Published {
    let table = CountTable {
        rows: rows.len(),
        cols,
        cells: rows.iter().flatten().copied().collect(),
        row_totals: rows
            .iter()
            .map(|r| r.iter().fold(0u64, |a, b| a.saturating_add(*b)))
            .collect(),
        additive: true,
    };
    publish(&table, k)
}

/// One count per group (unit, kind, …), published as a one-column table so
/// that when one group is hidden a second one is too, and the total of all
/// groups (`grand_total`) cannot give it away.
pub fn publish_groups(counts: &[u64], k: MinCell) -> Published {
    let rows: Vec<Vec<u64>> = counts.iter().map(|c| vec![*c]).collect();
    publish_rows(&rows, 1, k)
}

/// The figure without its share: topic figures are counts only.
fn count_only(f: Figure) -> Figure {
    match f {
        Figure::Shown { count, .. } => Figure::Shown { count, share: None },
        Figure::Suppressed => Figure::Suppressed,
    }
}

/// What one topic gathered in a window, before publication.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicTally {
    /// Issues raised, per status (the caller's status columns, in order).
    pub issues_by_status: Vec<u64>,
    /// The same issues, per month of the window.
    pub issues_by_month: Vec<u64>,
    /// Survey answers (responses to surveys of the topic), per month.
    pub answers_by_month: Vec<u64>,
}

/// One topic's figures as they may be published.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicFigures {
    pub issues_by_status: Vec<Figure>,
    pub issues_total: Figure,
    pub issues_by_month: Vec<Figure>,
    pub answers_total: Figure,
    pub answers_by_month: Vec<Figure>,
}

/// Publishes the topics' figures. Issues are two tables with the same row
/// totals (topics × statuses, topics × months): a topic whose total either
/// table hides is hidden whole in both, so that the other cannot give the
/// total back; hiding more never reveals more within a table. Answers are
/// one table (topics × months) whose row totals are the topics' totals.
/// No column or grand totals are published. A tally whose months do not add
/// up to its statuses is published hidden.
pub fn publish_topics(tallies: &[TopicTally], statuses: usize, months: usize, k: MinCell) -> Vec<TopicFigures> {
    let by_status: Vec<Vec<u64>> = tallies.iter().map(|t| t.issues_by_status.clone()).collect();
    let status_table = publish_rows(&by_status, statuses, k);
    // The month table's totals are the status table's, so a tally whose
    // months disagree makes that table malformed (all hidden), not wrong.
    let month_table = publish(
        &CountTable {
            rows: tallies.len(),
            cols: months,
            cells: tallies.iter().flat_map(|t| t.issues_by_month.iter().copied()).collect(),
            row_totals: by_status
                .iter()
                .map(|r| r.iter().fold(0u64, |a, b| a.saturating_add(*b)))
                .collect(),
            additive: true,
        },
        k,
    );
    let answers: Vec<Vec<u64>> = tallies.iter().map(|t| t.answers_by_month.clone()).collect();
    let answer_table = publish_rows(&answers, months, k);
    let row = |p: &Published, i: usize, cols: usize| -> Vec<Figure> {
        (0..cols)
            .map(|j| count_only(p.cells.get(i * cols + j).copied().unwrap_or(Figure::Suppressed)))
            .collect()
    };
    let total = |p: &Published, i: usize| p.row_totals.get(i).copied().unwrap_or(Figure::Suppressed);
    (0..tallies.len())
        .map(|i| {
            let issues_total = total(&status_table, i);
            let hidden = issues_total == Figure::Suppressed || total(&month_table, i) == Figure::Suppressed;
            TopicFigures {
                issues_by_status: if hidden {
                    vec![Figure::Suppressed; statuses]
                } else {
                    row(&status_table, i, statuses)
                },
                issues_total: if hidden { Figure::Suppressed } else { issues_total },
                issues_by_month: if hidden {
                    vec![Figure::Suppressed; months]
                } else {
                    row(&month_table, i, months)
                },
                answers_total: total(&answer_table, i),
                answers_by_month: row(&answer_table, i, months),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::LocalizedText;
    use crate::org::{ParentPeriod, Unit, UnitCode, UnitKind};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn k() -> MinCell {
        MinCell::DEFAULT
    }

    fn shown(count: u64) -> Figure {
        Figure::Shown { count, share: None }
    }

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
        let unit = |code: &str, kind, from: &str, to: Option<&str>| Unit {
            id: UnitId::new(),
            kind,
            code: UnitCode::parse("code", code).unwrap(),
            name: LocalizedText::from_stored(code, None),
            valid_from: d(from),
            valid_to: to.map(d),
            note: None,
        };
        let city = unit("C", UnitKind::City, "2000-01-01", None);
        let old = unit("W1", UnitKind::Ward, "2000-01-01", Some("2025-07-01"));
        let new = unit("W2", UnitKind::Ward, "2025-07-01", None);
        let school = unit("S", UnitKind::School, "2000-01-01", None);
        let gone = unit("G", UnitKind::Ward, "2000-01-01", Some("2025-07-01"));
        let other = unit("X", UnitKind::City, "2000-01-01", None);
        let period = |u: &Unit, p: &Unit, from: &str, to: Option<&str>| ParentPeriod {
            unit_id: u.id,
            parent_id: p.id,
            valid_from: d(from),
            valid_to: to.map(d),
        };
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
                period(&old, &city, "2000-01-01", Some("2025-07-01")),
                period(&new, &city, "2025-07-01", None),
                period(&gone, &city, "2000-01-01", Some("2025-07-01")),
                period(&school, &old, "2000-01-01", Some("2025-07-01")),
                period(&school, &new, "2025-07-01", None),
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
    fn child_counts_are_the_participation_metrics() {
        let children: Vec<Metric> = Metric::ALL.into_iter().filter(|m| counts_children(*m)).collect();
        assert_eq!(children, [Metric::Consultations, Metric::LowerSecondaryParticipants]);
    }

    #[test]
    fn groups_hide_a_partner() {
        let p = publish_groups(&[2, 10, 30, 0], k());
        assert_eq!(
            p.row_totals,
            [Figure::Suppressed, Figure::Suppressed, shown(30), shown(0)]
        );
        assert_eq!(p.grand_total, shown(42));
        let p = publish_groups(&[], k());
        assert!(p.row_totals.is_empty());
        assert_eq!(p.grand_total, shown(0));
    }

    #[test]
    fn topics_hide_small_totals_in_both_issue_tables() {
        let tallies = [
            // 12 issues: 10 new, 2 withheld; 7 in January, 5 in February.
            TopicTally {
                issues_by_status: vec![10, 2],
                issues_by_month: vec![7, 5],
                answers_by_month: vec![20, 0],
            },
            // 3 issues: below k, hidden whole; 6 answers shown.
            TopicTally {
                issues_by_status: vec![3, 0],
                issues_by_month: vec![0, 3],
                answers_by_month: vec![6, 0],
            },
            // Nothing: zeros are shown.
            TopicTally {
                issues_by_status: vec![0, 0],
                issues_by_month: vec![0, 0],
                answers_by_month: vec![0, 0],
            },
            // 40 issues.
            TopicTally {
                issues_by_status: vec![40, 0],
                issues_by_month: vec![20, 20],
                answers_by_month: vec![0, 1],
            },
            // 4 issues and 2 answers: hidden, so that the 3 issues and the
            // 1 answer above are not the only hidden totals.
            TopicTally {
                issues_by_status: vec![4, 0],
                issues_by_month: vec![4, 0],
                answers_by_month: vec![2, 0],
            },
        ];
        let f = publish_topics(&tallies, 2, 2, k());
        assert_eq!(f[0].issues_total, shown(12));
        // 2 withheld is hidden, and so is its partner in the row.
        assert_eq!(f[0].issues_by_status, [Figure::Suppressed, Figure::Suppressed]);
        assert_eq!(f[0].issues_by_month, [shown(7), shown(5)]);
        assert_eq!(f[0].answers_total, shown(20));
        assert_eq!(f[1].issues_total, Figure::Suppressed);
        assert_eq!(f[1].issues_by_status, [Figure::Suppressed; 2]);
        assert_eq!(f[1].issues_by_month, [Figure::Suppressed; 2]);
        assert_eq!(f[1].answers_total, shown(6));
        assert_eq!(f[2].issues_total, shown(0));
        assert_eq!(f[2].issues_by_month, [shown(0), shown(0)]);
        assert_eq!(f[3].issues_total, shown(40));
        assert_eq!(f[3].answers_total, Figure::Suppressed);
        assert_eq!(f[3].answers_by_month, [Figure::Suppressed; 2]);
        assert_eq!(
            (f[4].issues_total, f[4].answers_total),
            (Figure::Suppressed, Figure::Suppressed)
        );
        // One small total alone would be given away by the others: the
        // next smallest is hidden with it.
        let pair = publish_topics(&tallies[..4], 2, 2, k());
        assert_eq!(pair[0].issues_total, Figure::Suppressed);
        assert_eq!(pair[1].answers_total, Figure::Suppressed);
        // A tally that does not add up is hidden, not guessed.
        let bad = publish_topics(
            &[TopicTally {
                issues_by_status: vec![10],
                issues_by_month: vec![9],
                answers_by_month: vec![0],
            }],
            1,
            1,
            k(),
        );
        assert_eq!(bad[0].issues_total, Figure::Suppressed);
    }

    proptest! {
        /// No figure between 1 and k − 1 is ever shown, and a topic's issue
        /// total is shown in both issue tables or in neither.
        #[test]
        fn topic_figures_never_show_a_small_count(
            rows in proptest::collection::vec(proptest::collection::vec(0u64..12, 3), 0..6),
        ) {
            let tallies: Vec<TopicTally> = rows
                .iter()
                .map(|r| TopicTally {
                    issues_by_status: vec![r[0], r[1]],
                    issues_by_month: vec![r[1], r[0]],
                    answers_by_month: vec![r[2], r[0]],
                })
                .collect();
            let figures = publish_topics(&tallies, 2, 2, k());
            let small = |f: &Figure| matches!(f, Figure::Shown { count, .. } if (1..5).contains(count));
            for (t, f) in tallies.iter().zip(&figures) {
                let all: Vec<&Figure> = f
                    .issues_by_status
                    .iter()
                    .chain(&f.issues_by_month)
                    .chain(&f.answers_by_month)
                    .chain([&f.issues_total, &f.answers_total])
                    .collect();
                prop_assert!(!all.iter().any(|x| small(x)), "{t:?} → {f:?}");
                if f.issues_total == Figure::Suppressed {
                    prop_assert!(f.issues_by_month.iter().chain(&f.issues_by_status).all(|x| *x == Figure::Suppressed));
                } else {
                    prop_assert_eq!(f.issues_total, shown(t.issues_by_status.iter().sum()));
                }
            }
        }
    }
}
