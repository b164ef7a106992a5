//! Per-response rows, for admins only: the quasi-identifiers of each row
//! (where the child answered, their age band, their gender) are generalised
//! until every combination that appears counts at least k rows, so that no
//! row stands for a rare child (k-anonymity, by full-domain generalisation).
//!
//! Each quasi-identifier has a hierarchy of values, finest first and `*`
//! (anything) last: a unit, the ward it belongs to, the district, `*`; an
//! age band, its half of childhood (`6-11`, `12-17`), `*`; a gender, `*`.
//! A *level* picks one step of each hierarchy for every row alike. The
//! level chosen is the one that keeps the most detail (the smallest sum of
//! steps; ties go to the finer place, then the finer age) among those under
//! which every combination has at least k rows. With fewer than k rows in
//! all, there is no such level and no row is given.

use std::collections::HashMap;

/// The generalised value for "anything".
pub const ANY: &str = "*";

/// A row's quasi-identifiers, each as its hierarchy of values, finest
/// first. A hierarchy shorter than another is read as ending in [`ANY`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuasiIds {
    pub place: Vec<String>,
    pub age: Vec<String>,
    pub gender: Vec<String>,
}

/// Steps taken up each hierarchy: place, age, gender.
pub type Level = [usize; 3];

/// The half of childhood an age band falls in: `6-11` or `12-17`.
pub fn coarse_age(band: &str) -> &'static str {
    match band {
        "6-8" | "9-11" => "6-11",
        "12-14" | "15-17" => "12-17",
        _ => ANY,
    }
}

impl QuasiIds {
    /// A row's values at `level`.
    pub fn at(&self, level: Level) -> [&str; 3] {
        fn step(h: &[String], i: usize) -> &str {
            h.get(i).map_or(ANY, String::as_str)
        }
        [
            step(&self.place, level[0]),
            step(&self.age, level[1]),
            step(&self.gender, level[2]),
        ]
    }
}

/// The level that keeps the most detail while every combination of values
/// counts at least `k` rows; `None` when the rows are fewer than `k`.
pub fn generalise(rows: &[QuasiIds], k: u64) -> Option<Level> {
    if (rows.len() as u64) < k {
        return None;
    }
    let depth = |f: fn(&QuasiIds) -> usize| rows.iter().map(f).max().unwrap_or(0);
    let (places, ages, genders) = (
        depth(|r| r.place.len()),
        depth(|r| r.age.len()),
        depth(|r| r.gender.len()),
    );
    let mut levels: Vec<Level> = Vec::new();
    for p in 0..=places {
        for a in 0..=ages {
            for g in 0..=genders {
                levels.push([p, a, g]);
            }
        }
    }
    levels.sort_by_key(|l| (l[0] + l[1] + l[2], l[0], l[1], l[2]));
    levels.into_iter().find(|&level| {
        let mut counts: HashMap<[&str; 3], u64> = HashMap::new();
        for r in rows {
            *counts.entry(r.at(level)).or_insert(0) += 1;
        }
        counts.values().all(|n| *n >= k)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(place: &[&str], band: &str, gender: &str) -> QuasiIds {
        QuasiIds {
            place: place.iter().map(|s| (*s).to_owned()).collect(),
            age: vec![band.to_owned(), coarse_age(band).to_owned()],
            gender: vec![gender.to_owned()],
        }
    }

    #[test]
    fn a_rare_child_is_generalised_into_a_crowd() {
        // 12 girls of 12-14 at school A; one boy of 9-11 at school B.
        let mut rows: Vec<QuasiIds> = (0..12).map(|_| row(&["A", "W1", "D"], "12-14", "girl")).collect();
        rows.push(row(&["B", "W1", "D"], "9-11", "boy"));
        let level = generalise(&rows, 5).unwrap_or([9, 9, 9]);
        let mut counts: HashMap<[&str; 3], u64> = HashMap::new();
        for r in &rows {
            *counts.entry(r.at(level)).or_insert(0) += 1;
        }
        assert!(counts.values().all(|n| *n >= 5), "{level:?}: {counts:?}");
        // The boy cannot be told apart: everything collapses to one group.
        assert_eq!(counts.len(), 1);
    }

    #[test]
    fn detail_is_kept_where_the_groups_are_large() {
        let mut rows: Vec<QuasiIds> = (0..10).map(|_| row(&["A", "W1", "D"], "12-14", "girl")).collect();
        rows.extend((0..10).map(|_| row(&["B", "W2", "D"], "12-14", "girl")));
        assert_eq!(generalise(&rows, 5), Some([0, 0, 0]));
        // A lone boy at A: gender goes before place (fewer steps in all).
        rows.extend((0..4).map(|_| row(&["A", "W1", "D"], "12-14", "boy")));
        assert_eq!(generalise(&rows, 5), Some([0, 0, 1]));
    }

    #[test]
    fn fewer_rows_than_k_give_nothing() {
        let rows: Vec<QuasiIds> = (0..4).map(|_| row(&["A"], "6-8", "girl")).collect();
        assert_eq!(generalise(&rows, 5), None);
        assert_eq!(generalise(&[], 5), None);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn every_combination_has_at_least_k_rows(
                raw in proptest::collection::vec((0u8..4, 0u8..4, 0u8..3), 0..80),
                k in 3u64..8,
            ) {
                let bands = ["6-8", "9-11", "12-14", "15-17"];
                let genders = ["girl", "boy", "other"];
                let rows: Vec<QuasiIds> = raw
                    .iter()
                    .map(|(s, b, g)| {
                        let school = format!("S{s}");
                        let ward = format!("W{}", s / 2);
                        row(&[&school, &ward, "D"], bands[*b as usize], genders[*g as usize])
                    })
                    .collect();
                match generalise(&rows, k) {
                    None => prop_assert!((rows.len() as u64) < k),
                    Some(level) => {
                        let mut counts: HashMap<[&str; 3], u64> = HashMap::new();
                        for r in &rows {
                            *counts.entry(r.at(level)).or_insert(0) += 1;
                        }
                        prop_assert!(counts.values().all(|n| *n >= k));
                    }
                }
            }
        }
    }
}
