//! Survey results: per question, what children answered, counted by group
//! (a breakdown such as age band or unit, or one group for everyone) and
//! published through small-cell suppression, so that no child can be
//! singled out.

use std::collections::BTreeMap;

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

/// The groups present, in order, and each response's group index.
fn groups<'a>(responses: &[Counted<'a>]) -> (Vec<String>, Vec<usize>) {
    let mut index: BTreeMap<&'a str, usize> = BTreeMap::new();
    for r in responses {
        index.entry(r.group).or_insert(0);
    }
    for (i, v) in index.values_mut().enumerate() {
        *v = i;
    }
    let names = index.keys().map(|k| (*k).to_owned()).collect();
    let of = responses
        .iter()
        .map(|r| index.get(r.group).copied().unwrap_or(0))
        .collect();
    (names, of)
}

fn answer<'a>(r: &'a Counted<'_>, key: &str) -> Option<&'a Answer> {
    r.answers.iter().find(|(k, _)| k == key).map(|(_, a)| a)
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

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi.min(sorted.len() - 1)] - sorted[lo]) * frac
}

/// The published results of every question, groups in `group_names` order.
pub fn results(def: &SurveyDefinition, responses: &[Counted<'_>], k: MinCell) -> (Vec<String>, Vec<QuestionResult>) {
    let (names, group_of) = groups(responses);
    let n = names.len();
    let mut out = Vec::new();
    for q in def.questions() {
        let key = q.key();
        let results = match q.spec() {
            QuestionSpec::Number { .. } => {
                let mut values: Vec<Vec<f64>> = vec![Vec::new(); n];
                for (r, g) in responses.iter().zip(&group_of) {
                    if let Some(Answer::Number(x)) = answer(r, key) {
                        values[*g].push(*x);
                    }
                }
                let respondents = per_group(&values.iter().map(|v| v.len() as u64).collect::<Vec<_>>(), k);
                let stats = values
                    .iter_mut()
                    .zip(&respondents)
                    .map(|(v, f)| match f {
                        Figure::Shown { count, .. } if *count > 0 => {
                            v.sort_by(|a, b| a.total_cmp(b));
                            Some(NumberStats {
                                mean: v.iter().sum::<f64>() / v.len() as f64,
                                median: quantile(v, 0.5),
                                q1: quantile(v, 0.25),
                                q3: quantile(v, 0.75),
                            })
                        }
                        _ => None,
                    })
                    .collect();
                QuestionResults::Numbers { respondents, stats }
            }
            QuestionSpec::Ranking { options } => {
                let keys: Vec<String> = options.iter().map(|o| o.key().to_owned()).collect();
                let mut sums = vec![vec![0.0f64; keys.len()]; n];
                let mut counts = vec![0u64; n];
                for (r, g) in responses.iter().zip(&group_of) {
                    if let Some(Answer::Ranking(order)) = answer(r, key) {
                        counts[*g] += 1;
                        for (rank, k) in order.iter().enumerate() {
                            if let Some(i) = keys.iter().position(|x| x == k) {
                                sums[*g][i] += (rank + 1) as f64;
                            }
                        }
                    }
                }
                let respondents = per_group(&counts, k);
                let mean_rank = sums
                    .iter()
                    .zip(&respondents)
                    .map(|(s, f)| match f {
                        Figure::Shown { count, .. } if *count > 0 => {
                            Some(s.iter().map(|x| x / *count as f64).collect())
                        }
                        _ => None,
                    })
                    .collect();
                QuestionResults::Ranking {
                    options: keys,
                    respondents,
                    mean_rank,
                }
            }
            QuestionSpec::Text { .. } => {
                let mut counts = vec![0u64; n];
                for (r, g) in responses.iter().zip(&group_of) {
                    if matches!(answer(r, key), Some(Answer::Text(_))) {
                        counts[*g] += 1;
                    }
                }
                QuestionResults::Texts {
                    answers: per_group(&counts, k),
                }
            }
            spec => {
                let columns: Vec<String> = match spec {
                    QuestionSpec::Rating { min, max, .. } => (*min..=*max).map(|v| v.to_string()).collect(),
                    QuestionSpec::YesNo => vec!["yes".into(), "no".into()],
                    other => other.options().iter().map(|o| o.key().to_owned()).collect(),
                };
                let additive = !matches!(spec, QuestionSpec::MultipleChoice { .. });
                let cols = columns.len();
                let mut cells = vec![0u64; n * cols];
                let mut totals = vec![0u64; n];
                for (r, g) in responses.iter().zip(&group_of) {
                    let chosen: Vec<String> = match answer(r, key) {
                        Some(Answer::Choice(c)) => vec![c.clone()],
                        Some(Answer::Choices(cs)) => cs.clone(),
                        Some(Answer::YesNo(b)) => vec![if *b { "yes".into() } else { "no".into() }],
                        Some(Answer::Rating(v)) => vec![v.to_string()],
                        _ => continue,
                    };
                    totals[*g] += 1;
                    for c in chosen {
                        if let Some(i) = columns.iter().position(|x| *x == c) {
                            cells[*g * cols + i] += 1;
                        }
                    }
                }
                let table = CountTable {
                    rows: n,
                    cols,
                    cells,
                    row_totals: totals,
                    additive,
                };
                QuestionResults::Counts {
                    columns,
                    table: publish(&table, k),
                }
            }
        };
        out.push(QuestionResult {
            key: key.to_owned(),
            qtype: q.qtype(),
            results,
        });
    }
    (names, out)
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
}
