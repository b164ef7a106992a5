//! Survey results: per question, what children answered, tallied by group
//! (a breakdown such as age band or unit, or one group for everyone) and
//! published through disclosure control ([`crate::disclosure`]): every count
//! is perturbed by the cell key method, totals are cells of their own,
//! shares are over the group's own published total, means and quartiles
//! need large enough groups, and groups published as empty are not listed.
//!
//! A tally carries, beside each count, the key of the responses counted
//! (the sum of their record keys), so that tallies of parts (months, units)
//! merge into the tally of the whole, a withdrawn response is taken out by
//! counting it with sign −1, and the same children always publish the same
//! number whichever table they appear in.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::disclosure::{CellKey, PTable, Quartiles, RecordKey, share};
use crate::survey::{Answer, QuestionSpec, QuestionType, SurveyDefinition};

/// How many responses a cell counts (or, for ranking columns, the sum of
/// their ranks), with the key of the responses counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub n: i64,
    pub key: CellKey,
}

impl Count {
    /// Counts one response `by` (±1, or ± a rank) with its record key,
    /// added when `by` is positive and taken out when negative.
    fn add(&mut self, by: i64, record: RecordKey) {
        self.n += by;
        self.key = if by >= 0 {
            self.key.add(record)
        } else {
            self.key.remove(record)
        };
    }

    /// Adds `other` (disjoint records) into this count.
    pub fn merge(&mut self, other: &Count) {
        self.n += other.n;
        self.key = self.key.merge(other.key);
    }

    /// Counts one more record.
    pub fn record(&mut self, key: RecordKey) {
        self.add(1, key);
    }

    /// `n` records whose keys sum to `key` (modulo 2³²), as a database sums
    /// them.
    pub fn of(n: u64, key: CellKey) -> Count {
        Count {
            n: i64::try_from(n).unwrap_or(i64::MAX),
            key,
        }
    }

    /// The true count, never negative.
    pub fn count(&self) -> u64 {
        u64::try_from(self.n).unwrap_or(0)
    }

    /// The count as published.
    pub fn published(&self, table: &PTable) -> u64 {
        table.perturb(self.count(), self.key)
    }
}

/// A number that orders totally, so that it can key a histogram.
#[derive(Debug, Clone, Copy)]
pub struct Num(pub f64);

impl PartialEq for Num {
    fn eq(&self, other: &Num) -> bool {
        self.0.total_cmp(&other.0).is_eq()
    }
}
impl Eq for Num {}
impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Num) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Num {
    fn cmp(&self, other: &Num) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// What a group of responses said to one question, as counts that add up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionTally {
    /// Responses that answered the question.
    pub respondents: Count,
    /// Choice, yes/no and rating questions: the count per column
    /// ([`columns_of`]); ranking questions: the sum of ranks per option.
    pub columns: Vec<Count>,
    /// Number questions: how many gave each value.
    pub values: BTreeMap<Num, i64>,
}

/// The tallies of every question of one survey version, in the order of its
/// questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Responses counted, whether or not they answered anything.
    pub responses: Count,
    pub questions: Vec<QuestionTally>,
}

/// The columns a question is counted in: option keys, `yes`/`no`, rating
/// values, or the options of a ranking; none for numbers and texts.
pub fn columns_of(spec: &QuestionSpec) -> Vec<String> {
    match spec {
        QuestionSpec::Rating { min, max, .. } => (*min..=*max).map(|v| v.to_string()).collect(),
        QuestionSpec::YesNo => vec!["yes".into(), "no".into()],
        QuestionSpec::Number { .. } | QuestionSpec::Text { .. } => Vec::new(),
        other => other.options().iter().map(|o| o.key().to_owned()).collect(),
    }
}

impl Tally {
    /// Nothing counted yet, shaped for `def`.
    pub fn empty(def: &SurveyDefinition) -> Tally {
        Tally {
            responses: Count::default(),
            questions: def
                .questions()
                .iter()
                .map(|q| QuestionTally {
                    respondents: Count::default(),
                    columns: vec![Count::default(); columns_of(q.spec()).len()],
                    values: BTreeMap::new(),
                })
                .collect(),
        }
    }

    /// Counts one response's answers with `sign` (+1 to add, −1 to take
    /// out) and the response's record key. Answers of the wrong type for
    /// their question are ignored.
    pub fn count(&mut self, def: &SurveyDefinition, answers: &[(String, Answer)], sign: i64, record: RecordKey) {
        self.responses.add(sign, record);
        for (q, t) in def.questions().iter().zip(self.questions.iter_mut()) {
            let Some(a) = answers.iter().find(|(k, _)| k == q.key()).map(|(_, a)| a) else {
                continue;
            };
            let columns = columns_of(q.spec());
            let pos = |c: &str| columns.iter().position(|x| x == c);
            let mut add = |i: Option<usize>, by: i64| {
                if let Some(cell) = i.and_then(|i| t.columns.get_mut(i)) {
                    cell.add(by, record);
                }
            };
            match (q.spec(), a) {
                (QuestionSpec::Number { .. }, Answer::Number(x)) => {
                    let v = t.values.entry(Num(*x)).or_insert(0);
                    *v += sign;
                    if *v == 0 {
                        t.values.remove(&Num(*x));
                    }
                }
                (QuestionSpec::Ranking { .. }, Answer::Ranking(order)) => {
                    for (rank, k) in order.iter().enumerate() {
                        add(pos(k), sign * (rank as i64 + 1));
                    }
                }
                (QuestionSpec::Text { .. }, Answer::Text(_)) => {}
                (QuestionSpec::SingleChoice { .. }, Answer::Choice(c)) => add(pos(c), sign),
                (QuestionSpec::MultipleChoice { .. }, Answer::Choices(cs)) => {
                    for c in cs {
                        add(pos(c), sign);
                    }
                }
                (QuestionSpec::YesNo, Answer::YesNo(b)) => add(pos(if *b { "yes" } else { "no" }), sign),
                (QuestionSpec::Rating { .. }, Answer::Rating(v)) => add(pos(&v.to_string()), sign),
                _ => continue,
            }
            t.respondents.add(sign, record);
        }
    }

    /// Adds `other` (a tally of the same version) into this one.
    pub fn merge(&mut self, other: &Tally) {
        self.responses.merge(&other.responses);
        if self.questions.len() < other.questions.len() {
            self.questions.resize(other.questions.len(), QuestionTally::default());
        }
        for (t, o) in self.questions.iter_mut().zip(&other.questions) {
            t.respondents.merge(&o.respondents);
            if t.columns.len() < o.columns.len() {
                t.columns.resize(o.columns.len(), Count::default());
            }
            for (c, x) in t.columns.iter_mut().zip(&o.columns) {
                c.merge(x);
            }
            for (v, n) in &o.values {
                let e = t.values.entry(*v).or_insert(0);
                *e += n;
                if *e == 0 {
                    t.values.remove(v);
                }
            }
        }
    }

    /// Whether the group is listed at all: only when its responses are
    /// published as more than k. Counts from 1 to k − 1 publish as 0 or k,
    /// so a group published as k may be one child, all of whose cells
    /// publish the same k or 0 and so give their answers away; such a
    /// group, like an empty one, is left out, and a reader cannot tell
    /// an empty group from a small one.
    pub fn listed(&self, table: &PTable) -> bool {
        self.responses.published(table) > table.policy().threshold()
    }
}

/// A published count and its share of the group's own published total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shown {
    pub count: u64,
    /// `None` for totals, and when the group's total is published as 0.
    pub share: Option<f64>,
}

/// Mean, median and quartiles of a number question in one group, each
/// published only for a large enough group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumberStats {
    pub mean: Option<f64>,
    pub quartiles: Option<Quartiles>,
}

/// One question's published figures for one group (or for everyone).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFigures {
    /// Respondents of the group who answered the question.
    pub respondents: u64,
    /// Choice, yes/no and rating questions: one per column.
    pub counts: Vec<Shown>,
    /// Number questions.
    pub stats: Option<NumberStats>,
    /// Ranking questions: mean rank per option (1 = first), for a large
    /// enough group.
    pub mean_rank: Option<Vec<f64>>,
}

/// The published results of one question: per group, and for everyone the
/// groups are drawn from (its own cells, not a sum of the groups').
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionResult {
    pub key: String,
    pub qtype: QuestionType,
    /// Option keys, `yes`/`no`, rating values, or ranking options.
    pub columns: Vec<String>,
    pub groups: Vec<GroupFigures>,
    pub total: GroupFigures,
}

fn nonneg(x: i64) -> u64 {
    u64::try_from(x).unwrap_or(0)
}

/// The published figures of one question for one tally.
/// `question` numbers the question in its survey, so that each magnitude
/// (a question's mean, an option's mean rank) has a noise of its own.
fn figures(spec: &QuestionSpec, t: &QuestionTally, table: &PTable, question: u32) -> GroupFigures {
    let salt = |option: u32| question.wrapping_mul(64).wrapping_add(option);
    let respondents = t.respondents.published(table);
    let mut out = GroupFigures {
        respondents,
        counts: Vec::new(),
        stats: None,
        mean_rank: None,
    };
    match spec {
        QuestionSpec::Number { min, max } => {
            let values: Vec<(f64, u64)> = t.values.iter().map(|(v, n)| (v.0, nonneg(*n))).collect();
            // The declared bounds, or else the values' own span: the noise
            // is scaled to it (and neither end is ever published).
            let lo = min.or_else(|| values.first().map(|v| v.0)).unwrap_or(0.0);
            let hi = max.or_else(|| values.last().map(|v| v.0)).unwrap_or(0.0);
            let sum: f64 = values.iter().map(|(v, n)| v.clamp(lo, hi) * *n as f64).sum();
            let count = t.respondents.count();
            out.stats = Some(NumberStats {
                mean: table.publish_mean_of(sum, count, t.respondents.key, lo..=hi, salt(0)),
                quartiles: table.publish_quartiles_of(&values, t.respondents.key, lo..=hi, salt(1)),
            });
        }
        QuestionSpec::Ranking { options } => {
            let r = options.len() as f64;
            let count = t.respondents.count();
            out.mean_rank = (0..options.len())
                .map(|i| {
                    let sum = t.columns.get(i).map_or(0, |c| c.n) as f64;
                    table.publish_mean_of(sum, count, t.respondents.key, 1.0..=r.max(1.0), salt(i as u32 + 2))
                })
                .collect();
        }
        QuestionSpec::Text { .. } => {}
        _ => {
            out.counts = t
                .columns
                .iter()
                .map(|c| {
                    let count = c.published(table);
                    Shown {
                        count,
                        share: share(count, respondents),
                    }
                })
                .collect();
        }
    }
    out
}

/// The published results of every question, for each group's tally (in the
/// order given; callers list only [`Tally::listed`] groups) and for `all`,
/// the tally of everyone the groups were drawn from.
pub fn publish(def: &SurveyDefinition, groups: &[&Tally], all: &Tally, table: &PTable) -> Vec<QuestionResult> {
    let empty = QuestionTally::default();
    def.questions()
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            let of = |t: &Tally| figures(q.spec(), t.questions.get(qi).unwrap_or(&empty), table, qi as u32 + 1);
            QuestionResult {
                key: q.key().to_owned(),
                qtype: q.qtype(),
                columns: match q.spec() {
                    QuestionSpec::Ranking { options } => options.iter().map(|o| o.key().to_owned()).collect(),
                    spec => columns_of(spec),
                },
                groups: groups.iter().map(|g| of(g)).collect(),
                total: of(all),
            }
        })
        .collect()
}

/// The month key (`YYYY-MM`) of a day, as result cells are keyed.
pub fn month_key(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// A window of results that is not made of whole months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("from must be the first day of a month")]
    FromNotMonthStart,
    #[error("to must be the last day of a month")]
    ToNotMonthEnd,
    #[error("from is after to")]
    Reversed,
}

/// The months (`YYYY-MM`, `first` included, `until` excluded, either open)
/// of a window of days that must be whole months: results are never read
/// over arbitrary days, so that two windows differ by a month at least.
pub fn whole_months(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Option<String>, Option<String>), WindowError> {
    use chrono::Datelike;
    if from.is_some_and(|f| f.day() != 1) {
        return Err(WindowError::FromNotMonthStart);
    }
    let after = match to {
        None => None,
        Some(t) => match t.succ_opt() {
            Some(n) if n.day() == 1 => Some(n),
            _ => return Err(WindowError::ToNotMonthEnd),
        },
    };
    if let (Some(f), Some(a)) = (from, after)
        && f >= a
    {
        return Err(WindowError::Reversed);
    }
    Ok((from.map(month_key), after.map(month_key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::{RawOption, RawQuestion, RawText};
    use crate::testing::{raw_opinion, raw_question};

    fn def() -> SurveyDefinition {
        let opt = |k: &str| RawOption {
            key: k.into(),
            label: RawText {
                vi: Some(k.into()),
                en: None,
            },
        };
        let raw = raw_opinion(vec![
            RawQuestion {
                options: vec![opt("a"), opt("b")],
                ..raw_question("c", "single_choice")
            },
            raw_question("n", "number"),
            raw_question("t", "text"),
        ]);
        SurveyDefinition::parse(&raw, &|_| true).unwrap()
    }

    /// A response: a choice, a number and a text, with its record key.
    fn response(i: u32) -> (Vec<(String, Answer)>, RecordKey) {
        let answers = vec![
            (
                "c".into(),
                Answer::Choice(if i.is_multiple_of(3) { "b" } else { "a" }.into()),
            ),
            ("n".into(), Answer::Number(f64::from(i % 17))),
            ("t".into(), Answer::Text("x".into())),
        ];
        // Any spread of keys will do; these are far apart.
        (answers, RecordKey::from_u32(i.wrapping_mul(2_654_435_761)))
    }

    fn tally(d: &SurveyDefinition, ids: impl IntoIterator<Item = u32>) -> Tally {
        let mut t = Tally::empty(d);
        for i in ids {
            let (a, k) = response(i);
            t.count(d, &a, 1, k);
        }
        t
    }

    fn table() -> PTable {
        PTable::new(crate::disclosure::Policy::default())
    }

    #[test]
    fn the_same_children_publish_the_same_numbers_whatever_the_path() {
        let d = def();
        let p = table();
        // Everyone, tallied directly, and as the merge of two breakdowns.
        let direct = tally(&d, 0..40);
        let mut by_halves = tally(&d, 0..20);
        by_halves.merge(&tally(&d, 20..40));
        let mut by_thirds = Tally::empty(&d);
        for part in [0..13, 13..27, 27..40] {
            by_thirds.merge(&tally(&d, part));
        }
        let of = |t: &Tally| publish(&d, &[], t, &p);
        assert_eq!(of(&direct), of(&by_halves));
        assert_eq!(of(&direct), of(&by_thirds));
        // A withdrawal after a submission leaves no trace.
        let mut back = direct.clone();
        let (a, k) = response(99);
        back.count(&d, &a, 1, k);
        back.count(&d, &a, -1, k);
        assert_eq!(back, direct);
    }

    #[test]
    fn shares_are_over_the_groups_own_published_total() {
        let d = def();
        let p = table();
        let t = tally(&d, 0..36);
        let r = publish(&d, &[&t], &t, &p);
        let g = &r[0].groups[0];
        assert_eq!(g, &r[0].total, "the only group is everyone");
        for c in &g.counts {
            assert_eq!(c.share, Some((c.count as f64 / g.respondents as f64).min(1.0)));
        }
        // The true counts are 24 and 12 of 36: published within D of each.
        let d_max = p.policy().max_noise();
        assert!(g.respondents.abs_diff(36) <= d_max);
        assert!(g.counts[0].count.abs_diff(24) <= d_max);
        assert!(g.counts[1].count.abs_diff(12) <= d_max);
    }

    #[test]
    fn means_and_quartiles_need_large_groups() {
        let d = def();
        let p = table();
        let policy = *p.policy();
        let small = tally(&d, 0..4);
        let large = tally(&d, 0..60);
        let r = publish(&d, &[&small, &large], &large, &p);
        let stats = |g: &GroupFigures| {
            g.stats.unwrap_or(NumberStats {
                mean: None,
                quartiles: None,
            })
        };
        assert_eq!(stats(&r[1].groups[0]).mean, None, "4 children: no mean");
        assert_eq!(stats(&r[1].groups[0]).quartiles, None);
        let big = stats(&r[1].groups[1]);
        assert!(r[1].groups[1].respondents >= policy.quantile_min());
        let true_mean = (0..60u32).map(|i| f64::from(i % 17)).sum::<f64>() / 60.0;
        let mean = big.mean.unwrap_or(f64::NAN);
        assert!((mean - true_mean).abs() < 1.5, "{mean} vs {true_mean}");
        assert!(big.quartiles.is_some());
    }

    #[test]
    fn a_group_published_as_empty_is_not_listed() {
        let d = def();
        let p = table();
        assert!(!Tally::empty(&d).listed(&p));
        assert!(tally(&d, 0..30).listed(&p));
        // One child alone is never listed (published as 0 or k, never more).
        assert!((0..200).all(|i| !tally(&d, [i]).listed(&p)));
        for i in 0..200 {
            let t = tally(&d, [i]);
            let n = t.responses.published(&p);
            assert!(n == 0 || n >= p.policy().threshold(), "one child published as {n}");
        }
    }

    #[test]
    fn windows_are_whole_months() {
        let d = |s: &str| s.parse::<NaiveDate>().ok();
        assert_eq!(
            whole_months(d("2026-03-01"), d("2026-05-31")),
            Ok((Some("2026-03".into()), Some("2026-06".into())))
        );
        assert_eq!(whole_months(None, d("2026-12-31")), Ok((None, Some("2027-01".into()))));
        assert_eq!(whole_months(None, None), Ok((None, None)));
        assert_eq!(whole_months(d("2026-03-02"), None), Err(WindowError::FromNotMonthStart));
        assert_eq!(whole_months(None, d("2026-02-27")), Err(WindowError::ToNotMonthEnd));
        assert_eq!(
            whole_months(None, d("2028-02-29")).map(|w| w.1),
            Ok(Some("2028-03".into()))
        );
        assert_eq!(
            whole_months(d("2026-06-01"), d("2026-05-31")),
            Err(WindowError::Reversed)
        );
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn merged_tallies_publish_what_direct_counting_publishes(
                ids in proptest::collection::vec(0u32..10_000, 0..80),
                cut in 0usize..80,
            ) {
                let d = def();
                let p = table();
                let cut = cut.min(ids.len());
                let direct = tally(&d, ids.iter().copied());
                let mut merged = tally(&d, ids[..cut].iter().copied());
                merged.merge(&tally(&d, ids[cut..].iter().copied()));
                prop_assert_eq!(publish(&d, &[], &direct, &p), publish(&d, &[], &merged, &p));
            }
        }
    }
}
