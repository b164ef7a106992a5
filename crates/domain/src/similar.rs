//! Likely duplicates among children's issues, for moderators merging them.
//!
//! Each issue becomes a bag of words folded the way search folds them (no
//! case, no diacritics), with teen spellings normalised ("ko", "k" →
//! "khong"; "dc" → "duoc"; "j" → "gi") and filler words dropped ("ạ",
//! "nhé", "thì", "là", "em", "các bạn", …). Two issues score by a soft
//! overlap of their words — a word matches the same word, or one a single
//! slip away (an edit, for words of four letters or more) — blended with
//! the overlap of their letter trigrams, which catches words split or
//! joined differently. Word order does not matter. The quality on a
//! labelled set of Vietnamese children's issues is measured by a test
//! below and reported in the README.

use std::collections::BTreeSet;

use crate::screen::fold;

/// Folded words that carry no meaning of their own in children's issues.
/// Words whose folded form is also a meaningful word ("bẩn" and "bạn" both
/// fold to "ban", "vệ" and "về" to "ve", "chỗ" and "cho" to "cho") are kept.
const FILLER: &[&str] = &[
    "a", "ah", "nhe", "oi", "thi", "la", "ma", "rat", "qua", "lam", "cac", "em", "chung", "toi", "minh", "theo", "cua",
    "va", "co", "voi", "nhung", "nay", "o", "de", "vi", "nen", "hay", "moi", "cung", "da", "dang", "se", "vay", "nua",
    "tai", "khi", "luc", "nao", "gi", "duoc", "mot", "hon", "nhieu", "it", "nhu", "roi", "chi", "can", "mong", "muon",
    "xin", "ki", "ky",
];

/// Teen spellings and their words.
fn normalise(w: &str) -> &str {
    match w {
        "ko" | "k" | "hok" | "hong" | "kh" => "khong",
        "dc" | "đc" | "dk" => "duoc",
        "j" => "gi",
        "ng" => "nguoi",
        "bt" => "binh",
        "tr" | "trg" => "truong",
        other => other,
    }
}

/// An issue made ready for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    words: Vec<String>,
    grams: BTreeSet<[char; 3]>,
}

pub fn doc(title: &str, body: &str) -> Doc {
    let folded = fold(&format!("{title} {body}"));
    let mut words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| normalise(w).to_owned())
        .filter(|w| !FILLER.contains(&w.as_str()))
        .collect();
    words.sort();
    words.dedup();
    let joined: Vec<char> = format!(" {} ", words.join(" ")).chars().collect();
    let grams = joined.windows(3).map(|w| [w[0], w[1], w[2]]).collect();
    Doc { words, grams }
}

/// Whether two words are one slip apart (an insertion, deletion or
/// substitution), for words long enough that a slip is not another word.
fn one_slip(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().min(b.len()) < 4 || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let (mut i, mut j, mut slips) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            i += 1;
            j += 1;
            continue;
        }
        slips += 1;
        if slips > 1 {
            return false;
        }
        match a.len().cmp(&b.len()) {
            std::cmp::Ordering::Greater => i += 1,
            std::cmp::Ordering::Less => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    slips + (a.len() - i) + (b.len() - j) <= 1
}

/// How well the words of `a` are found in `b`, each weighted: 1 for the
/// same word, 0.8 for one a slip away.
fn found(a: &[String], b: &[String], weight: &dyn Fn(&str) -> f64) -> f64 {
    a.iter()
        .map(|w| {
            let m = if b.binary_search(w).is_ok() {
                1.0
            } else if b.iter().any(|x| one_slip(w, x)) {
                0.8
            } else {
                0.0
            };
            m * weight(w)
        })
        .sum()
}

/// How alike two issues are, from 0 (nothing shared) to 1, every word
/// weighing the same.
pub fn similarity(a: &Doc, b: &Doc) -> f64 {
    weighted_similarity(a, b, &|_| 1.0)
}

/// The same, with words weighted (rarer words tell more).
fn weighted_similarity(a: &Doc, b: &Doc, weight: &dyn Fn(&str) -> f64) -> f64 {
    let total: f64 = a.words.iter().chain(&b.words).map(|w| weight(w)).sum();
    let words = if total <= 0.0 {
        0.0
    } else {
        (found(&a.words, &b.words, weight) + found(&b.words, &a.words, weight)) / total
    };
    let shared = a.grams.intersection(&b.grams).count() as f64;
    let union = (a.grams.len() + b.grams.len()) as f64 - shared;
    let grams = if union == 0.0 { 0.0 } else { shared / union };
    0.6 * words + 0.4 * grams
}

/// Scores below this are not shown as likely duplicates.
pub const MIN_SCORE: f64 = 0.2;

/// The candidates most like `query`, best first, at most `limit`, none
/// under [`MIN_SCORE`]; ties keep the candidates' order. Words are weighted
/// by how rare they are among the candidates (inverse document frequency),
/// so "trường" or "học" count for less than "xà phòng".
pub fn rank<'a, K: Clone>(
    query: &Doc,
    candidates: impl IntoIterator<Item = (K, &'a Doc)>,
    limit: usize,
) -> Vec<(K, f64)> {
    let candidates: Vec<(K, &Doc)> = candidates.into_iter().collect();
    let mut df: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for d in candidates.iter().map(|(_, d)| *d).chain(std::iter::once(query)) {
        for w in &d.words {
            *df.entry(w.as_str()).or_insert(0) += 1;
        }
    }
    let n = (candidates.len() + 1) as f64;
    let idf = |w: &str| ((n + 1.0) / (df.get(w).copied().unwrap_or(0) as f64 + 0.5)).ln();
    let mut scored: Vec<(K, f64)> = candidates
        .into_iter()
        .map(|(k, d)| (k, weighted_similarity(query, d, &idf)))
        .filter(|(_, s)| *s >= MIN_SCORE)
        .collect();
    scored.sort_by(|x, y| y.1.total_cmp(&x.1));
    scored.truncate(limit);
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_case_diacritics_order_and_filler_do_not_matter() {
        let a = doc(
            "Nhà vệ sinh bẩn",
            "Nhà vệ sinh trường em rất bẩn và không có xà phòng ạ",
        );
        let b = doc("nha ve sinh ban", "ko co xa phong, nha ve sin ban qua");
        let c = doc("Sân chơi thiếu cây xanh", "Trưa nắng không có chỗ ngồi");
        assert!(similarity(&a, &b) > 0.5, "{}", similarity(&a, &b));
        assert!(similarity(&a, &c) < similarity(&a, &b));
        assert!((similarity(&a, &b) - similarity(&b, &a)).abs() < 1e-12, "symmetric");
        assert!((similarity(&a, &a) - 1.0).abs() < 1e-12);
        assert!(one_slip("phong", "phongg") && one_slip("truong", "truonh") && one_slip("truong", "trong"));
        assert!(!one_slip("den", "don") && !one_slip("truong", "duong") && !one_slip("sinh", "sin"));
        let ranked = rank(&a, [("b", &b), ("c", &c)], 5);
        assert_eq!(ranked[0].0, "b");
    }

    /// Precision and recall at 5 on the labelled set: for every issue with
    /// duplicates, rank every other issue of the set and look at the top 5.
    #[test]
    fn quality_on_the_labelled_set() {
        let lines: Vec<(&str, Doc)> = include_str!("similar_issues.tsv")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some((f.next()?, doc(f.next()?, f.next()?)))
            })
            .collect();
        let (mut precision, mut recall, mut queries, mut pairs) = (0.0, 0.0, 0usize, 0usize);
        let mut best_precision = 0.0;
        for (i, (group, q)) in lines.iter().enumerate() {
            let relevant = lines
                .iter()
                .enumerate()
                .filter(|(j, (g, _))| *j != i && g == group)
                .count();
            if relevant == 0 {
                continue;
            }
            pairs += relevant;
            let top = rank(
                q,
                lines
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(j, (_, d))| (j, d)),
                5,
            );
            let hits = top.iter().filter(|(j, _)| lines[*j].0 == *group).count();
            precision += hits as f64 / 5.0;
            best_precision += relevant.min(5) as f64 / 5.0;
            recall += hits as f64 / relevant.min(5) as f64;
            queries += 1;
        }
        let (p, r, best) = (
            precision / queries as f64,
            recall / queries as f64,
            best_precision / queries as f64,
        );
        println!(
            "labelled set: {} issues, {queries} with duplicates, {} duplicate pairs; precision@5 {p:.3} (the most possible {best:.3}), recall@5 {r:.3}",
            lines.len(),
            pairs / 2
        );
        assert!(pairs / 2 >= 100, "at least 100 labelled pairs");
        assert!(r >= 0.8, "recall@5 {r:.3}");
        assert!(p >= 0.75 * best, "precision@5 {p:.3} of {best:.3}");
    }
}
