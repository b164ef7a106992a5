//! Survey results: per question, what children answered, counted by group
//! (a breakdown such as age band or unit, or one group for everyone) and
//! published through small-cell suppression, so that no child can be
//! singled out.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::suppression::{CountTable, Figure, MinCell, Published, publish};
use crate::survey::{Answer, QuestionSpec, QuestionType, SurveyDefinition};

/// One response that counts: the group it falls in and its answers.
#[derive(Debug, Clone, Copy)]
pub struct Counted<'a> {
    pub group: &'a str,
    pub answers: &'a [(String, Answer)],
}

/// Mean, median and quartiles of a number question in one group.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberStats {
    pub mean: f64,
    pub median: f64,
    pub q1: f64,
    pub q3: f64,
}

/// The published results of one question.
#[derive(Debug, Clone, PartialEq)]
pub enum QuestionResults {
    /// Choice, yes/no and rating questions: counts and shares per column
    /// (option key, `yes`/`no`, or the rating value) and group.
    Counts { columns: Vec<String>, table: Published },
    /// Number questions: respondents per group, and statistics for the
    /// groups that are shown.
    Numbers {
        respondents: Vec<Figure>,
        stats: Vec<Option<NumberStats>>,
    },
    /// Ranking questions: respondents per group, and the mean rank of each
    /// option (1 = first) for the groups that are shown.
    Ranking {
        options: Vec<String>,
        respondents: Vec<Figure>,
        mean_rank: Vec<Option<Vec<f64>>>,
    },
    /// Text questions: how many answered, per group (never the texts).
    Texts { answers: Vec<Figure> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionResult {
    pub key: String,
    pub qtype: QuestionType,
    pub results: QuestionResults,
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

/// What a group of responses said to one question, as counts that add up,
/// so that tallies of parts (months, units, responses not yet folded in)
/// merge into the tally of the whole, and a withdrawn response is taken
/// out by counting it with sign −1.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionTally {
    /// Responses that answered the question.
    pub respondents: i64,
    /// Choice, yes/no and rating questions: the count per column
    /// ([`columns_of`]); ranking questions: the sum of ranks per option.
    pub columns: Vec<i64>,
    /// Number questions: how many gave each value.
    pub values: BTreeMap<Num, i64>,
}

/// The tallies of every question of one survey version, in the order of its
/// questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Responses counted, whether or not they answered anything.
    pub responses: i64,
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
            responses: 0,
            questions: def
                .questions()
                .iter()
                .map(|q| QuestionTally {
                    respondents: 0,
                    columns: vec![0; columns_of(q.spec()).len()],
                    values: BTreeMap::new(),
                })
                .collect(),
        }
    }

    /// Counts one response's answers with `sign` (+1 to add, −1 to take
    /// out). Answers of the wrong type for their question are ignored.
    pub fn count(&mut self, def: &SurveyDefinition, answers: &[(String, Answer)], sign: i64) {
        self.responses += sign;
        for (q, t) in def.questions().iter().zip(self.questions.iter_mut()) {
            let Some(a) = answers.iter().find(|(k, _)| k == q.key()).map(|(_, a)| a) else {
                continue;
            };
            let columns = columns_of(q.spec());
            let pos = |c: &str| columns.iter().position(|x| x == c);
            let mut add = |i: Option<usize>, by: i64| {
                if let Some(cell) = i.and_then(|i| t.columns.get_mut(i)) {
                    *cell += by;
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
            t.respondents += sign;
        }
    }

    /// Adds `other` (a tally of the same version) into this one.
    pub fn merge(&mut self, other: &Tally) {
        self.responses += other.responses;
        if self.questions.len() < other.questions.len() {
            self.questions.resize(other.questions.len(), QuestionTally::default());
        }
        for (t, o) in self.questions.iter_mut().zip(&other.questions) {
            t.respondents += o.respondents;
            if t.columns.len() < o.columns.len() {
                t.columns.resize(o.columns.len(), 0);
            }
            for (c, x) in t.columns.iter_mut().zip(&o.columns) {
                *c += x;
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
}

/// A one-column table of counts per group, so that groups hidden by
/// suppression stay hidden together.
fn per_group(counts: &[u64], k: MinCell) -> Vec<Figure> {
    let table = CountTable {
        rows: counts.len(),
        cols: 1,
        cells: counts.to_vec(),
        row_totals: counts.to_vec(),
        additive: true,
    };
    publish(&table, k).row_totals
}

fn nonneg(x: i64) -> u64 {
    u64::try_from(x).unwrap_or(0)
}

/// The value at position `pos` (0-based) of the values in sorted order.
fn nth(values: &BTreeMap<Num, i64>, pos: u64) -> f64 {
    let mut seen = 0u64;
    for (v, n) in values {
        seen += nonneg(*n);
        if pos < seen {
            return v.0;
        }
    }
    values.keys().next_back().map(|v| v.0).unwrap_or(0.0)
}

/// The `q` quantile by linear interpolation between the closest ranks.
fn quantile(values: &BTreeMap<Num, i64>, total: u64, q: f64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let pos = q * (total - 1) as f64;
    let (lo, hi) = (pos.floor() as u64, pos.ceil() as u64);
    let frac = pos - lo as f64;
    let (a, b) = (nth(values, lo), nth(values, hi.min(total - 1)));
    a + (b - a) * frac
}

fn number_stats(values: &BTreeMap<Num, i64>) -> Option<NumberStats> {
    let total: u64 = values.values().map(|n| nonneg(*n)).sum();
    if total == 0 {
        return None;
    }
    let sum: f64 = values.iter().map(|(v, n)| v.0 * nonneg(*n) as f64).sum();
    Some(NumberStats {
        mean: sum / total as f64,
        median: quantile(values, total, 0.5),
        q1: quantile(values, total, 0.25),
        q3: quantile(values, total, 0.75),
    })
}

/// The published results of every question, from the tally of each group
/// (groups in the order given).
pub fn publish_tallies(def: &SurveyDefinition, groups: &[&Tally], k: MinCell) -> Vec<QuestionResult> {
    let n = groups.len();
    let empty = QuestionTally::default();
    let mut out = Vec::new();
    for (qi, q) in def.questions().iter().enumerate() {
        let of: Vec<&QuestionTally> = groups.iter().map(|g| g.questions.get(qi).unwrap_or(&empty)).collect();
        let respondents: Vec<u64> = of.iter().map(|t| nonneg(t.respondents)).collect();
        let results = match q.spec() {
            QuestionSpec::Number { .. } => {
                let shown = per_group(&respondents, k);
                let stats = of
                    .iter()
                    .zip(&shown)
                    .map(|(t, f)| match f {
                        Figure::Shown { count, .. } if *count > 0 => number_stats(&t.values),
                        _ => None,
                    })
                    .collect();
                QuestionResults::Numbers {
                    respondents: shown,
                    stats,
                }
            }
            QuestionSpec::Ranking { options } => {
                let shown = per_group(&respondents, k);
                let mean_rank = of
                    .iter()
                    .zip(&shown)
                    .map(|(t, f)| match f {
                        Figure::Shown { count, .. } if *count > 0 => Some(
                            (0..options.len())
                                .map(|i| t.columns.get(i).copied().unwrap_or(0) as f64 / *count as f64)
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect();
                QuestionResults::Ranking {
                    options: options.iter().map(|o| o.key().to_owned()).collect(),
                    respondents: shown,
                    mean_rank,
                }
            }
            QuestionSpec::Text { .. } => QuestionResults::Texts {
                answers: per_group(&respondents, k),
            },
            spec => {
                let columns = columns_of(spec);
                let cols = columns.len();
                let mut cells = vec![0u64; n * cols];
                for (g, t) in of.iter().enumerate() {
                    for (c, x) in t.columns.iter().take(cols).enumerate() {
                        cells[g * cols + c] = nonneg(*x);
                    }
                }
                let table = CountTable {
                    rows: n,
                    cols,
                    cells,
                    row_totals: respondents,
                    additive: !matches!(spec, QuestionSpec::MultipleChoice { .. }),
                };
                QuestionResults::Counts {
                    columns,
                    table: publish(&table, k),
                }
            }
        };
        out.push(QuestionResult {
            key: q.key().to_owned(),
            qtype: q.qtype(),
            results,
        });
    }
    out
}

/// The published results of every question, groups in `group_names` order.
pub fn results(def: &SurveyDefinition, responses: &[Counted<'_>], k: MinCell) -> (Vec<String>, Vec<QuestionResult>) {
    let mut groups: BTreeMap<&str, Tally> = BTreeMap::new();
    for r in responses {
        groups
            .entry(r.group)
            .or_insert_with(|| Tally::empty(def))
            .count(def, r.answers, 1);
    }
    let names = groups.keys().map(|g| (*g).to_owned()).collect();
    let tallies: Vec<&Tally> = groups.values().collect();
    (names, publish_tallies(def, &tallies, k))
}

/// The first day of the month of `d`.
fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The first day of the month after the month of `d`.
fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

/// The month key (`YYYY-MM`) of a day, as monthly rollups are keyed.
pub fn month_key(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// How a window of days (`from` to `to`, both included, either open)
/// divides between the whole months it covers, which are read from the
/// monthly rollups, and the days at its edges, which are read from the
/// responses themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowSplit {
    /// Whole months as `[first day of the first month, first day after the
    /// last month)`, either bound open; `None` when no month is whole.
    pub months: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    /// Day ranges `[from, until)` (either bound open) outside whole months.
    pub edges: Vec<(Option<NaiveDate>, Option<NaiveDate>)>,
}

pub fn split_window(from: Option<NaiveDate>, to: Option<NaiveDate>) -> WindowSplit {
    let end = to.and_then(|t| t.succ_opt());
    let first = from.map(|f| if f.day() == 1 { f } else { next_month(f) });
    let last_end = to.map(|t| match t.succ_opt() {
        Some(n) if n.day() == 1 => n,
        _ => month_start(t),
    });
    if let (Some(a), Some(b)) = (first, last_end)
        && a >= b
    {
        return WindowSplit {
            months: None,
            edges: vec![(from, end)],
        };
    }
    let mut edges = Vec::new();
    if let (Some(f), Some(a)) = (from, first)
        && f < a
    {
        edges.push((Some(f), Some(a)));
    }
    if let (Some(b), Some(e)) = (last_end, end)
        && b < e
    {
        edges.push((Some(b), Some(e)));
    }
    WindowSplit {
        months: Some((first, last_end)),
        edges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::{RawOption, RawQuestion, RawSurvey, RawText};

    fn def() -> SurveyDefinition {
        let text = |s: &str| {
            Some(RawText {
                vi: Some(s.into()),
                en: None,
            })
        };
        let opt = |k: &str| RawOption {
            key: k.into(),
            label: RawText {
                vi: Some(k.into()),
                en: None,
            },
        };
        let raw = RawSurvey {
            kind: "opinion".into(),
            title: text("T"),
            questions: vec![
                RawQuestion {
                    key: "c".into(),
                    qtype: "single_choice".into(),
                    text: text("C?"),
                    options: vec![opt("a"), opt("b")],
                    ..RawQuestion::default()
                },
                RawQuestion {
                    key: "n".into(),
                    qtype: "number".into(),
                    text: text("N?"),
                    ..RawQuestion::default()
                },
                RawQuestion {
                    key: "t".into(),
                    qtype: "text".into(),
                    text: text("T?"),
                    ..RawQuestion::default()
                },
            ],
            ..RawSurvey::default()
        };
        SurveyDefinition::parse(&raw, &|_| true).unwrap()
    }

    #[test]
    fn counts_are_grouped_and_small_groups_hidden() {
        let d = def();
        let big: Vec<Vec<(String, Answer)>> = (0..12)
            .map(|i| {
                vec![
                    ("c".into(), Answer::Choice(if i < 7 { "a" } else { "b" }.into())),
                    ("n".into(), Answer::Number(i as f64)),
                    ("t".into(), Answer::Text("x".into())),
                ]
            })
            .collect();
        let small: Vec<Vec<(String, Answer)>> =
            (0..2).map(|_| vec![("c".into(), Answer::Choice("a".into()))]).collect();
        let mut counted: Vec<Counted> = big
            .iter()
            .map(|a| Counted {
                group: "12-14",
                answers: a,
            })
            .collect();
        counted.extend(big[..10].iter().map(|a| Counted {
            group: "9-11",
            answers: a,
        }));
        counted.extend(small.iter().map(|a| Counted {
            group: "6-8",
            answers: a,
        }));
        let (groups, res) = results(&d, &counted, MinCell::DEFAULT);
        assert_eq!(groups, ["12-14", "6-8", "9-11"]);
        let QuestionResults::Counts { columns, table } = &res[0].results else {
            panic!()
        };
        assert_eq!(columns, &["a", "b"]);
        assert_eq!(
            table.cells[0],
            Figure::Shown {
                count: 7,
                share: Some(7.0 / 12.0)
            }
        );
        // The small group is hidden, and the next smallest with it, so that
        // it cannot be worked out from the column totals.
        assert_eq!(table.row_totals[1], Figure::Suppressed);
        assert_eq!(table.row_totals[2], Figure::Suppressed);
        let QuestionResults::Numbers { stats, .. } = &res[1].results else {
            panic!()
        };
        let s = stats[0].as_ref().unwrap();
        assert_eq!((s.mean, s.median, s.q1, s.q3), (5.5, 5.5, 2.75, 8.25));
        // The small group answered no number question: a zero hides nothing.
        assert_eq!(stats[1], None);
        assert_eq!(stats[2].as_ref().unwrap().median, 4.5);
        let QuestionResults::Texts { answers } = &res[2].results else {
            panic!()
        };
        assert_eq!(answers[0], Figure::Shown { count: 12, share: None });
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_window_splits_into_whole_months_and_edge_days() {
        let d = |s: &str| Some(date(s));
        // Open on both sides: every month, no edges.
        assert_eq!(
            split_window(None, None),
            WindowSplit {
                months: Some((None, None)),
                edges: vec![]
            }
        );
        // Whole months exactly.
        assert_eq!(
            split_window(d("2026-03-01"), d("2026-05-31")),
            WindowSplit {
                months: Some((d("2026-03-01"), d("2026-06-01"))),
                edges: vec![]
            }
        );
        // Ragged on both sides.
        assert_eq!(
            split_window(d("2026-03-15"), d("2026-06-10")),
            WindowSplit {
                months: Some((d("2026-04-01"), d("2026-06-01"))),
                edges: vec![(d("2026-03-15"), d("2026-04-01")), (d("2026-06-01"), d("2026-06-11"))]
            }
        );
        // Inside one month: days only.
        assert_eq!(
            split_window(d("2026-03-02"), d("2026-03-30")),
            WindowSplit {
                months: None,
                edges: vec![(d("2026-03-02"), d("2026-03-31"))]
            }
        );
        // Across a year end, open above.
        assert_eq!(
            split_window(d("2026-12-31"), None),
            WindowSplit {
                months: Some((d("2027-01-01"), None)),
                edges: vec![(d("2026-12-31"), d("2027-01-01"))]
            }
        );
        // February of a leap year, open below.
        assert_eq!(
            split_window(None, d("2028-02-29")),
            WindowSplit {
                months: Some((None, d("2028-03-01"))),
                edges: vec![]
            }
        );
        // Two ragged halves of neighbouring months: no whole month.
        assert_eq!(
            split_window(d("2026-03-20"), d("2026-04-10")),
            WindowSplit {
                months: None,
                edges: vec![(d("2026-03-20"), d("2026-04-11"))]
            }
        );
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// A response to `def()` from small indices.
        fn answers(c: Option<bool>, n: Option<i8>, t: bool) -> Vec<(String, Answer)> {
            let mut a = Vec::new();
            if let Some(c) = c {
                a.push(("c".into(), Answer::Choice(if c { "a" } else { "b" }.into())));
            }
            if let Some(n) = n {
                a.push(("n".into(), Answer::Number(f64::from(n) / 2.0)));
            }
            if t {
                a.push(("t".into(), Answer::Text("x".into())));
            }
            a
        }

        /// The old way: sort every group's values and interpolate.
        fn sorted_quantile(sorted: &[f64], q: f64) -> f64 {
            let pos = q * (sorted.len() - 1) as f64;
            let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
            sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
        }

        proptest! {
            /// Tallies merged from any split of the responses, with any
            /// responses counted and then taken out again, publish exactly
            /// what counting every response at once publishes.
            #[test]
            fn merged_tallies_publish_what_direct_counting_publishes(
                rows in proptest::collection::vec(
                    (0u8..3, proptest::option::of(any::<bool>()), proptest::option::of(-6i8..20), any::<bool>(), 0u8..4, any::<bool>()),
                    0..80,
                ),
            ) {
                let d = def();
                let groups = ["6-8", "9-11", "12-14"];
                let all: Vec<Vec<(String, Answer)>> = rows.iter().map(|(_, c, n, t, _, _)| answers(*c, *n, *t)).collect();
                let counted: Vec<Counted> = rows
                    .iter()
                    .zip(&all)
                    .filter(|((.., withdrawn), _)| !*withdrawn)
                    .map(|((g, ..), a)| Counted { group: groups[*g as usize], answers: a })
                    .collect();
                let (names, direct) = results(&d, &counted, MinCell::DEFAULT);
                // Parts: per group, four shards each; withdrawn responses
                // counted in one shard and taken out in another.
                let mut parts: BTreeMap<(&str, u8), Tally> = BTreeMap::new();
                for ((g, _, _, _, shard, withdrawn), a) in rows.iter().zip(&all) {
                    let g = groups[*g as usize];
                    parts.entry((g, *shard)).or_insert_with(|| Tally::empty(&d)).count(&d, a, 1);
                    if *withdrawn {
                        parts.entry((g, (*shard + 1) % 4)).or_insert_with(|| Tally::empty(&d)).count(&d, a, -1);
                    }
                }
                let mut merged: BTreeMap<&str, Tally> = BTreeMap::new();
                for ((g, _), t) in &parts {
                    merged.entry(g).or_insert_with(|| Tally::empty(&d)).merge(t);
                }
                // Groups whose responses were all withdrawn leave empty tallies.
                let merged: BTreeMap<&str, Tally> = merged.into_iter().filter(|(_, t)| t.responses != 0).collect();
                let shown: Vec<&str> = merged.keys().copied().collect();
                prop_assert_eq!(&names, &shown);
                let tallies: Vec<&Tally> = merged.values().collect();
                prop_assert_eq!(publish_tallies(&d, &tallies, MinCell::DEFAULT), direct);
            }

            /// Quartiles from a histogram equal quartiles of the sorted values.
            #[test]
            fn histogram_quartiles_match_sorted_values(values in proptest::collection::vec(-50i16..50, 1..60)) {
                let mut sorted: Vec<f64> = values.iter().map(|v| f64::from(*v) / 4.0).collect();
                sorted.sort_by(|a, b| a.total_cmp(b));
                let mut h = BTreeMap::new();
                for v in &sorted {
                    *h.entry(Num(*v)).or_insert(0i64) += 1;
                }
                let s = number_stats(&h).unwrap();
                prop_assert_eq!(s.median, sorted_quantile(&sorted, 0.5));
                prop_assert_eq!(s.q1, sorted_quantile(&sorted, 0.25));
                prop_assert_eq!(s.q3, sorted_quantile(&sorted, 0.75));
                prop_assert!((s.mean - sorted.iter().sum::<f64>() / sorted.len() as f64).abs() < 1e-9);
            }
        }
    }
}
