//! How well the screen does on texts written as children write: the
//! labelled set in `tests/screening/` (the development set, asserted) and
//! `tests/screening/holdout/` (written blind and never tuned on: printed,
//! not asserted). See `tests/screening/README.md` for the files.
//!
//! Run with `cargo test -p langnghe-domain --test screening -- --nocapture`
//! to see the figures. While tuning rules, set `SCREENING_DEV_ONLY=1` so
//! that the holdout is not measured and its figures do not steer the
//! tuning.
//!
//! # What is measured
//!
//! - **Recall**, per category and overall: the share of the lines of
//!   `disclosures.tsv` that the screen flags at all, clear or possible. Also
//!   printed: how many are clear, and how many are filed under their labelled
//!   category (`violence_home` is [`ConcernCategory::Violence`]); a line
//!   filed under a near category is not a miss.
//! - **Clear alarms** and **possible alarms**: the share of the lines of
//!   `safe.tsv` that the screen flags as a clear or as a possible disclosure.
//! - **Redaction rate**: the share of the items of `personal.tsv` whose
//!   substring no longer appears in the screened text, per kind and overall.
//! - **False redaction rate**: the share of the markers the screen puts in
//!   the texts of `personal.tsv` that are false. A marker is false when its
//!   line expects `-` (nothing to redact), or when the text it replaced
//!   holds a letter or digit outside every expected substring of its line,
//!   not counting the words that name no one and that the set's conventions
//!   let go with an item: `trường`, `lớp`, `class`, `số`, `nhà`; the street
//!   and alley words `đường`, `phố`, `hẻm`, `kiệt`, `ngõ`, `ngách`, `street`,
//!   `road`; and the school levels `tiểu học`, `trung học cơ sở`, `trung
//!   học phổ thông`, `THCS`, `THPT`, `TH`, `mầm non`, `cấp`, `primary`,
//!   `secondary`, `high`, `school` (the README has a school item take its
//!   level word, and one line leaves it out). Words are compared folded.
//!
//! # What is asserted, on the development set only
//!
//! Recall at least 95%; clear alarms at most 3% of safe lines; possible
//! alarms at most 10%; redaction rate at least 95%; false redactions at most
//! 2% of markers.

use std::fmt::Write as _;
use std::path::PathBuf;

use langnghe_domain::screen::{self, ConcernCategory, Outcome, Redaction};

fn dir(holdout: bool) -> PathBuf {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/screening");
    if holdout { base.join("holdout") } else { base }
}

/// The lines of a file that are neither comments nor empty, as written (no
/// Unicode normalisation: some lines are NFD on purpose).
fn lines(holdout: bool, file: &str) -> Vec<String> {
    let path = dir(holdout).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

fn category(label: &str) -> ConcernCategory {
    match label {
        "violence_home" => ConcernCategory::Violence,
        other => ConcernCategory::parse(other).unwrap_or_else(|| panic!("unknown category {other:?}")),
    }
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 { 100.0 } else { 100.0 * n as f64 / of as f64 }
}

#[derive(Default)]
struct Figures {
    flagged: usize,
    disclosures: usize,
    safe: usize,
    clear_alarms: usize,
    possible_alarms: usize,
    items: usize,
    redacted: usize,
    markers: usize,
    false_markers: usize,
}

impl Figures {
    fn recall(&self) -> f64 {
        percent(self.flagged, self.disclosures)
    }
    fn clear_alarm_rate(&self) -> f64 {
        percent(self.clear_alarms, self.safe)
    }
    fn possible_alarm_rate(&self) -> f64 {
        percent(self.possible_alarms, self.safe)
    }
    fn redaction_rate(&self) -> f64 {
        percent(self.redacted, self.items)
    }
    fn false_redaction_rate(&self) -> f64 {
        if self.markers == 0 {
            0.0
        } else {
            percent(self.false_markers, self.markers)
        }
    }
}

/// Words that name no one and may go with an item (see the module doc).
const STRUCTURAL: &[&str] = &[
    "truong",
    "lop",
    "class",
    "so",
    "nha",
    "duong",
    "pho",
    "hem",
    "kiet",
    "ngo",
    "ngach",
    "street",
    "road",
    "tieu",
    "hoc",
    "trung",
    "co",
    "thong",
    "thcs",
    "thpt",
    "th",
    "mam",
    "non",
    "cap",
    "primary",
    "secondary",
    "high",
    "school",
];

/// Whether the text at `range` of `text` holds a letter or digit outside
/// every occurrence of the expected substrings, other than structural words.
fn swallowed_other(text: &str, range: std::ops::Range<usize>, expected: &[&str]) -> bool {
    let mut covered = vec![false; text.len()];
    for s in expected.iter().filter(|s| !s.is_empty()) {
        for (at, _) in text.match_indices(s) {
            covered[at..at + s.len()].fill(true);
        }
    }
    let slice = &text[range.clone()];
    let mut word_start = None;
    let mut outside = false;
    let check = |start: usize, end: usize, outside: bool| -> bool {
        let word = &slice[start..end];
        outside && !STRUCTURAL.contains(&screen::fold(word).as_str())
    };
    for (i, c) in slice.char_indices().chain(std::iter::once((slice.len(), ' '))) {
        if c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c) {
            if word_start.is_none() {
                word_start = Some(i);
                outside = false;
            }
            if !covered[range.start + i] {
                outside = true;
            }
        } else if let Some(s) = word_start.take()
            && check(s, i, outside)
        {
            return true;
        }
    }
    false
}

/// Screens the set and returns its figures and a report.
fn measure(holdout: bool) -> (Figures, String) {
    let mut f = Figures::default();
    let mut report = String::new();
    let mut misses = String::new();
    let name = if holdout { "holdout" } else { "development" };

    // Disclosures, per category: (lines, flagged, clear, filed under it).
    let mut per: Vec<(ConcernCategory, [usize; 4])> = ConcernCategory::ALL.iter().map(|c| (*c, [0; 4])).collect();
    for line in lines(holdout, "disclosures.tsv") {
        let Some((label, text)) = line.split_once('\t') else {
            panic!("not category<TAB>text: {line:?}")
        };
        let want = category(label);
        let s = screen::screen(text);
        let Some((_, row)) = per.iter_mut().find(|(c, _)| *c == want) else {
            panic!("no row for {label}")
        };
        row[0] += 1;
        f.disclosures += 1;
        if let Some(c) = &s.concern {
            f.flagged += 1;
            row[1] += 1;
            row[2] += usize::from(c.outcome == Outcome::Clear);
            row[3] += usize::from(c.categories.contains(&want));
        } else if !holdout {
            let _ = writeln!(misses, "  missed {label}: {text}");
        }
    }
    let _ = writeln!(report, "Screening, {name} set");
    let _ = writeln!(
        report,
        "  disclosures: recall (clear + possible), clear, filed under their category"
    );
    for (c, [n, flagged, clear, filed]) in &per {
        let _ = writeln!(
            report,
            "    {:<20} {:>3}/{:<3} {:5.1}%   clear {:>3}   category {:>3}",
            c.as_str(),
            flagged,
            n,
            percent(*flagged, *n),
            clear,
            filed
        );
    }
    let _ = writeln!(
        report,
        "    {:<20} {:>3}/{:<3} {:5.1}%",
        "all",
        f.flagged,
        f.disclosures,
        f.recall()
    );

    for text in lines(holdout, "safe.tsv") {
        let s = screen::screen(&text);
        f.safe += 1;
        if let Some(c) = &s.concern {
            match c.outcome {
                Outcome::Clear => f.clear_alarms += 1,
                Outcome::Possible => f.possible_alarms += 1,
            }
            if !holdout {
                let _ = writeln!(
                    misses,
                    "  alarm {} {}: {text}   {:?}",
                    c.outcome.as_str(),
                    c.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(","),
                    c.matched
                );
            }
        }
    }
    let _ = writeln!(
        report,
        "  safe texts: {}; clear alarms {} ({:.1}%), possible alarms {} ({:.1}%)",
        f.safe,
        f.clear_alarms,
        f.clear_alarm_rate(),
        f.possible_alarms,
        f.possible_alarm_rate()
    );

    let mut per_kind: Vec<(Redaction, usize, usize)> = Redaction::ALL.iter().map(|r| (*r, 0, 0)).collect();
    for line in lines(holdout, "personal.tsv") {
        let Some((text, expected)) = line.split_once('\t') else {
            panic!("not text<TAB>expected: {line:?}")
        };
        let items: Vec<(Redaction, &str)> = if expected == "-" {
            Vec::new()
        } else {
            expected
                .split(" | ")
                .map(|item| {
                    let (kind, sub) = item
                        .split_once(':')
                        .unwrap_or_else(|| panic!("not kind:substring: {item:?}"));
                    (
                        Redaction::parse(kind).unwrap_or_else(|| panic!("unknown kind {kind:?}")),
                        sub,
                    )
                })
                .collect()
        };
        let s = screen::screen(text);
        for (kind, sub) in &items {
            let Some(row) = per_kind.iter_mut().find(|r| r.0 == *kind) else {
                panic!("no row for {}", kind.as_str())
            };
            row.1 += 1;
            f.items += 1;
            if !s.redacted.contains(sub) {
                row.2 += 1;
                f.redacted += 1;
            } else if !holdout {
                let _ = writeln!(
                    misses,
                    "  unredacted {}:{sub}: {text}\n      -> {}",
                    kind.as_str(),
                    s.redacted
                );
            }
        }
        let subs: Vec<&str> = items.iter().map(|i| i.1).collect();
        for found in screen::personal_data(text) {
            f.markers += 1;
            let false_marker = items.is_empty() || swallowed_other(text, found.range.clone(), &subs);
            if false_marker {
                f.false_markers += 1;
                if !holdout {
                    let _ = writeln!(
                        misses,
                        "  false {} {:?}: {text}",
                        found.kind.as_str(),
                        &text[found.range.clone()]
                    );
                }
            }
        }
    }
    let _ = writeln!(report, "  personal data: items redacted, per kind");
    for (kind, n, done) in per_kind.iter().filter(|r| r.1 > 0) {
        let _ = writeln!(
            report,
            "    {:<20} {:>3}/{:<3} {:5.1}%",
            kind.as_str(),
            done,
            n,
            percent(*done, *n)
        );
    }
    let _ = writeln!(
        report,
        "    {:<20} {:>3}/{:<3} {:5.1}%",
        "all",
        f.redacted,
        f.items,
        f.redaction_rate()
    );
    let _ = writeln!(
        report,
        "  false redactions: {} of {} markers ({:.1}%)",
        f.false_markers,
        f.markers,
        f.false_redaction_rate()
    );
    if !misses.is_empty() {
        let _ = writeln!(report, "  what went wrong:\n{misses}");
    }
    (f, report)
}

#[test]
fn screening_on_the_labelled_sets() {
    let (main, report) = measure(false);
    println!("{report}");
    if std::env::var_os("SCREENING_DEV_ONLY").is_none() {
        let (_, holdout_report) = measure(true);
        println!("{holdout_report}");
    }
    let failures: Vec<String> = [
        (main.recall() >= 95.0, format!("recall {:.1}% < 95%", main.recall())),
        (
            main.clear_alarm_rate() <= 3.0,
            format!("clear alarms {:.1}% > 3%", main.clear_alarm_rate()),
        ),
        (
            main.possible_alarm_rate() <= 10.0,
            format!("possible alarms {:.1}% > 10%", main.possible_alarm_rate()),
        ),
        (
            main.redaction_rate() >= 95.0,
            format!("redaction rate {:.1}% < 95%", main.redaction_rate()),
        ),
        (
            main.false_redaction_rate() <= 2.0,
            format!("false redactions {:.1}% > 2%", main.false_redaction_rate()),
        ),
    ]
    .into_iter()
    .filter(|(ok, _)| !ok)
    .map(|(_, why)| why)
    .collect();
    assert!(failures.is_empty(), "{}\n{report}", failures.join("; "));
}
