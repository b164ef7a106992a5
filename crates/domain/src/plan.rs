//! The district plan 2024–2027 as data: reporting periods (calendar ones,
//! the November work year, school terms whose dates are data, any range of
//! days), the offline events the plan asks for and who attends trainings,
//! the metrics that measure its targets with each one's counting rule, the
//! targets the plan sets for every year and reporting unit, how records
//! are measured against a target, and the rule that says whether a target
//! is met, on track or behind.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::consultation::SchoolLevel;
use crate::org::{OrgChart, UnitKind};
use crate::{FieldErrors, LocalizedText, UnitId};

/// Years a period may name. Anything outside is a typing slip.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// First year of the plan.
pub const PLAN_FIRST_YEAR: i32 = 2024;
/// Last year of the plan (final review in August 2027).
pub const PLAN_LAST_YEAR: i32 = 2027;
/// The whole plan, `2024..2027`: the period of targets 8 and 9.
pub const PLAN_PERIOD: Period = const_years(PLAN_FIRST_YEAR, PLAN_LAST_YEAR);

/// What a period names, in the words of its text form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Span {
    /// `2026`
    Year(i32),
    /// `2026-H1`, `2026-H2`
    Half(i32, u32),
    /// `2026-Q1` … `2026-Q4`
    Quarter(i32, u32),
    /// `2026-01` … `2026-12`
    Month(i32, u32),
    /// `2024..2027`: whole years, the first before the last.
    Years(i32, i32),
    /// `2026-WY`: the Youth Union's work year reported in November 2026,
    /// 1 December 2025 to 30 November 2026.
    WorkYear(i32),
    /// `2025-2026-HK1`: a term (học kỳ) of a school year, with the dates
    /// the school calendar gives it.
    Term(i32, Term),
    /// `2026-03-15..2026-06-20`: any days, both ends included.
    Days,
}

/// A reporting period: a closed range of local days, named by its text
/// form (`2026`, `2026-H1`, `2026-Q3`, `2026-11`, `2024..2027`, `2026-WY`,
/// `2025-2026-HK1`, `2026-03-15..2026-06-20`). Every value is one of those
/// forms with years in [`YEARS`]; `to_string` gives the form back and
/// [`Period::parse_in`] reads it (a term with the dates of a
/// [`TermCalendar`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    span: Span,
    first: NaiveDate,
    last: NaiveDate,
}

/// A period that is a run of whole calendar quarters
/// ([`Period::whole_quarters`]): the only periods counts of safeguarding
/// cases are given for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WholeQuarters(Period);

impl WholeQuarters {
    pub fn period(&self) -> Period {
        self.0
    }

    /// The quarters of this period that have ended by `today` (the day
    /// before today's quarter began, at the latest), or `None` while its
    /// first quarter is still under way. Cases of a quarter under way are
    /// never counted: read on two days, its count would differ by the
    /// cases of the days between.
    pub fn ended_by(&self, today: NaiveDate) -> Option<WholeQuarters> {
        let quarter_began = NaiveDate::from_ymd_opt(today.year(), (today.month() - 1) / 3 * 3 + 1, 1)?;
        let last = self.0.last.min(quarter_began.pred_opt()?);
        if last == self.0.last {
            return Some(*self);
        }
        let cut = Period::between(self.0.first, last).ok()?;
        cut.whole_quarters().ok()
    }
}

/// A period that does not start on the first day of a calendar quarter or
/// does not end on the last day of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "counts of safeguarding cases are given for whole calendar quarters only: a quarter (2026-Q1), a half \
     (2026-H1), a year (2026), whole years (2024..2027), or days from the first day of a quarter to the last day \
     of a quarter (2026-01-01..2026-06-30); never a month, a work year, a school term or other days"
)]
pub struct NotWholeQuarters;

impl NotWholeQuarters {
    /// The same, in Vietnamese.
    pub fn message_vi(&self) -> &'static str {
        "Số ca bảo vệ trẻ em chỉ được đưa ra theo trọn quý: một quý (2026-Q1), nửa năm (2026-H1), một năm (2026), \
         nhiều năm trọn (2024..2027), hoặc các ngày từ ngày đầu một quý đến ngày cuối một quý \
         (2026-01-01..2026-06-30); không theo tháng, năm công tác, học kỳ hay các ngày khác."
    }
}

/// Why text is not a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "a period is written YYYY, YYYY-H1, YYYY-Q1, YYYY-MM, YYYY..YYYY, YYYY-WY (the work year to November), \
         YYYY-YYYY-HK1 or YYYY-YYYY-HK2 (a school term), or YYYY-MM-DD..YYYY-MM-DD"
    )]
    Malformed,
    #[error("the year {0} is outside 2000 to 2100")]
    YearOutOfRange(i32),
    #[error("a half is H1 or H2, a quarter Q1 to Q4, a month 01 to 12, a term HK1 or HK2")]
    PartOutOfRange,
    #[error("a range runs from an earlier year or day to a later one")]
    RangeNotIncreasing,
    #[error("a school year runs from one year to the next, e.g. 2025-2026")]
    SchoolYearNotConsecutive,
    #[error("the school calendar has no dates for {term} of {first}-{}", first + 1)]
    TermNotInCalendar { first: i32, term: Term },
}

impl Period {
    /// Reads the text form, except a school term (which needs the school
    /// calendar: [`Period::parse_in`]).
    pub fn parse(raw: &str) -> Result<Period, PeriodError> {
        Period::parse_in(raw, &TermCalendar::default())
    }

    /// Reads the text form, a school term with the dates `terms` gives it.
    /// Strict: no spaces, upper-case `H`, `Q`, `WY` and `HK`, four-digit
    /// years, two-digit months and days, and `2026..2026` is written
    /// `2026`, so that each period has exactly one spelling.
    pub fn parse_in(raw: &str, terms: &TermCalendar) -> Result<Period, PeriodError> {
        if let Some((first, last)) = raw.split_once("..") {
            if first.len() == 4 && last.len() == 4 {
                return Period::years(year_digits(first)?, year_digits(last)?);
            }
            return Period::between(day_digits(first)?, day_digits(last)?);
        }
        if let Some(year) = raw.strip_suffix("-WY") {
            return Period::work_year(year_digits(year)?);
        }
        if let Some((school_year, term)) = raw.split_once("-HK") {
            let (first, second) = school_year.split_once('-').ok_or(PeriodError::Malformed)?;
            let (first, second) = (year_digits(first)?, year_digits(second)?);
            let term = match term {
                "1" => Term::First,
                "2" => Term::Second,
                t if t.len() == 1 && t.bytes().all(|b| b.is_ascii_digit()) => return Err(PeriodError::PartOutOfRange),
                _ => return Err(PeriodError::Malformed),
            };
            if second != first + 1 {
                return Err(PeriodError::SchoolYearNotConsecutive);
            }
            return Period::term(first, term, terms);
        }
        let Some((year, part)) = raw.split_once('-') else {
            return Period::year(year_digits(raw)?);
        };
        let year = year_digits(year)?;
        match part.as_bytes() {
            [b'H', d] if d.is_ascii_digit() => Period::half(year, u32::from(d - b'0')),
            [b'Q', d] if d.is_ascii_digit() => Period::quarter(year, u32::from(d - b'0')),
            [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
                Period::month(year, u32::from(a - b'0') * 10 + u32::from(b - b'0'))
            }
            _ => Err(PeriodError::Malformed),
        }
    }

    /// The period as whole calendar quarters, if it is a run of them: a
    /// quarter, a half, a year, whole years, or days from the first day of
    /// a quarter to the last day of one. Counts of safeguarding cases are
    /// given for nothing else: were any window of 90 days or more allowed,
    /// two readings a day apart (Q1, then 1 January to 1 April) would tell
    /// a case received on that one day. Between any two runs of whole
    /// quarters the difference is whole quarters too.
    pub fn whole_quarters(&self) -> Result<WholeQuarters, NotWholeQuarters> {
        let starts = self.first.day() == 1 && self.first.month() % 3 == 1;
        let ends = self
            .last
            .succ_opt()
            .is_some_and(|next| next.day() == 1 && next.month() % 3 == 1);
        if starts && ends {
            Ok(WholeQuarters(*self))
        } else {
            Err(NotWholeQuarters)
        }
    }

    /// A calendar year.
    pub fn year(year: i32) -> Result<Period, PeriodError> {
        Period::from_span(Span::Year(year))
    }

    /// Half `half` (1 or 2) of a year: January–June or July–December.
    pub fn half(year: i32, half: u32) -> Result<Period, PeriodError> {
        Period::from_span(Span::Half(year, half))
    }

    /// Quarter `quarter` (1 to 4) of a year.
    pub fn quarter(year: i32, quarter: u32) -> Result<Period, PeriodError> {
        Period::from_span(Span::Quarter(year, quarter))
    }

    /// A month (1 to 12).
    pub fn month(year: i32, month: u32) -> Result<Period, PeriodError> {
        Period::from_span(Span::Month(year, month))
    }

    /// Whole years from `first` to `last`, `first < last`.
    pub fn years(first: i32, last: i32) -> Result<Period, PeriodError> {
        Period::from_span(Span::Years(first, last))
    }

    /// The work year reported in November of `year`: 1 December of the
    /// year before to 30 November.
    pub fn work_year(year: i32) -> Result<Period, PeriodError> {
        Period::from_span(Span::WorkYear(year))
    }

    /// A term of the school year that starts in `first_year`, with the
    /// dates of the school calendar.
    pub fn term(first_year: i32, term: Term, terms: &TermCalendar) -> Result<Period, PeriodError> {
        check_year(first_year)?;
        check_year(first_year + 1)?;
        let t = terms.get(first_year, term).ok_or(PeriodError::TermNotInCalendar {
            first: first_year,
            term,
        })?;
        Ok(Period {
            span: Span::Term(first_year, term),
            first: t.first_day(),
            last: t.last_day(),
        })
    }

    /// The days `first..=last` (one day at least).
    pub fn between(first: NaiveDate, last: NaiveDate) -> Result<Period, PeriodError> {
        check_year(first.year())?;
        check_year(last.year())?;
        if first > last {
            return Err(PeriodError::RangeNotIncreasing);
        }
        Ok(Period {
            span: Span::Days,
            first,
            last,
        })
    }

    /// The first and last day of the whole months this period touches:
    /// the days a report counts what children did over (consultations,
    /// topics, events), so that two reports never differ by less than a
    /// month of children. A period of whole months is its own.
    pub fn months_touched(&self) -> (NaiveDate, NaiveDate) {
        let first = self.first.with_day(1).unwrap_or(self.first);
        let last = last_day_of_month(self.last.year(), self.last.month()).unwrap_or(self.last);
        (first, last)
    }

    fn from_span(span: Span) -> Result<Period, PeriodError> {
        let part = |n: u32, max: u32| {
            if (1..=max).contains(&n) {
                Ok(n)
            } else {
                Err(PeriodError::PartOutOfRange)
            }
        };
        let (first_year, first_month, last_year, last_month) = match span {
            Span::Year(y) => (check_year(y)?, 1, y, 12),
            Span::Half(y, h) => (check_year(y)?, (part(h, 2)? - 1) * 6 + 1, y, h * 6),
            Span::Quarter(y, q) => (check_year(y)?, (part(q, 4)? - 1) * 3 + 1, y, q * 3),
            Span::Month(y, m) => (check_year(y)?, part(m, 12)?, y, m),
            Span::Years(a, b) => {
                check_year(a)?;
                check_year(b)?;
                if a >= b {
                    return Err(PeriodError::RangeNotIncreasing);
                }
                (a, 1, b, 12)
            }
            Span::WorkYear(y) => (check_year(y)? - 1, 12, y, 11),
            Span::Term(..) | Span::Days => return Err(PeriodError::Malformed),
        };
        // With the year and month checked above these dates always exist.
        let first = NaiveDate::from_ymd_opt(first_year, first_month, 1).ok_or(PeriodError::Malformed)?;
        let last = last_day_of_month(last_year, last_month).ok_or(PeriodError::Malformed)?;
        Ok(Period { span, first, last })
    }

    pub fn first_day(&self) -> NaiveDate {
        self.first
    }

    pub fn last_day(&self) -> NaiveDate {
        self.last
    }

    /// Whether `date` is one of the period's days (both ends included).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }

    /// Whether the two periods share a day.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.first <= other.last && other.first <= self.last
    }

    /// Number of days in the period.
    pub fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// Share of the period's days that are over before `today` begins:
    /// 0 up to and including the first day, `(days - 1) / days` on the last
    /// day, 1 after it. Today is not counted because its data is still
    /// coming in, so a target is never behind on its first day.
    pub fn elapsed_fraction(&self, today: NaiveDate) -> f64 {
        if today <= self.first {
            0.0
        } else if today > self.last {
            1.0
        } else {
            (today - self.first).num_days() as f64 / self.days() as f64
        }
    }
}

fn check_year(y: i32) -> Result<i32, PeriodError> {
    if YEARS.contains(&y) {
        Ok(y)
    } else {
        Err(PeriodError::YearOutOfRange(y))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Span::Year(y) => write!(f, "{y}"),
            Span::Half(y, h) => write!(f, "{y}-H{h}"),
            Span::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Span::Month(y, m) => write!(f, "{y}-{m:02}"),
            Span::Years(a, b) => write!(f, "{a}..{b}"),
            Span::WorkYear(y) => write!(f, "{y}-WY"),
            Span::Term(y, t) => write!(f, "{y}-{}-{t}", y + 1),
            Span::Days => write!(f, "{}..{}", self.first, self.last),
        }
    }
}

/// Exactly four ASCII digits.
fn year_digits(s: &str) -> Result<i32, PeriodError> {
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().map_err(|_| PeriodError::Malformed)
    } else {
        Err(PeriodError::Malformed)
    }
}

/// Exactly `YYYY-MM-DD`, a real day, its year in [`YEARS`].
fn day_digits(s: &str) -> Result<NaiveDate, PeriodError> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return Err(PeriodError::Malformed);
    }
    check_year(year_digits(&s[..4])?)?;
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| PeriodError::Malformed)
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    if month == 12 {
        NaiveDate::from_ymd_opt(year, 12, 31)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?.pred_opt()
    }
}

/// A date written in the code. Called only to build constants, so a wrong
/// date fails the build rather than a request.
const fn const_date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("not a date"),
    }
}

/// Whole years as a constant (`first == last` is a single year).
const fn const_years(first: i32, last: i32) -> Period {
    Period {
        span: if first == last {
            Span::Year(first)
        } else {
            Span::Years(first, last)
        },
        first: const_date(first, 1, 1),
        last: const_date(last, 12, 31),
    }
}

/// A term of a school year: học kỳ I (September to January) or học kỳ II
/// (January to May).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    First,
    Second,
}

impl Term {
    pub const ALL: [Term; 2] = [Term::First, Term::Second];

    /// `1` or `2`.
    pub fn number(self) -> u8 {
        match self {
            Term::First => 1,
            Term::Second => 2,
        }
    }

    pub fn from_number(n: i64) -> Option<Term> {
        match n {
            1 => Some(Term::First),
            2 => Some(Term::Second),
            _ => None,
        }
    }

    /// The users' name: "Học kỳ I" or "Học kỳ II".
    pub fn name_vi(self) -> &'static str {
        match self {
            Term::First => "Học kỳ I",
            Term::Second => "Học kỳ II",
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HK{}", self.number())
    }
}

/// A school year, `2025-2026`: named by the year it starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SchoolYear(i32);

impl SchoolYear {
    /// Reads `YYYY-YYYY`, the second year the one after the first.
    pub fn parse(raw: &str) -> Result<SchoolYear, PeriodError> {
        let (a, b) = raw.split_once('-').ok_or(PeriodError::Malformed)?;
        let (a, b) = (year_digits(a)?, year_digits(b)?);
        check_year(a)?;
        check_year(b)?;
        if b != a + 1 {
            return Err(PeriodError::SchoolYearNotConsecutive);
        }
        Ok(SchoolYear(a))
    }

    pub fn of_first_year(first: i32) -> Result<SchoolYear, PeriodError> {
        check_year(first)?;
        check_year(first + 1)?;
        Ok(SchoolYear(first))
    }

    /// The calendar year the school year starts in.
    pub fn first_year(self) -> i32 {
        self.0
    }

    /// 1 August of its first year.
    fn first_possible_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.0, 8, 1)
    }

    /// 31 July of its second year.
    fn last_possible_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.0 + 1, 7, 31)
    }
}

impl fmt::Display for SchoolYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.0, self.0 + 1)
    }
}

/// The dates of one term, as the school calendar has them. Built by
/// [`check_school_year`], so the days lie within the school year and the
/// first term ends before the second begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SchoolTerm {
    year: SchoolYear,
    term: Term,
    first: NaiveDate,
    last: NaiveDate,
}

impl SchoolTerm {
    /// A term as stored (checked when it was written).
    pub fn from_stored(year: SchoolYear, term: Term, first: NaiveDate, last: NaiveDate) -> SchoolTerm {
        SchoolTerm {
            year,
            term,
            first,
            last,
        }
    }

    pub fn year(&self) -> SchoolYear {
        self.year
    }

    pub fn term(&self) -> Term {
        self.term
    }

    pub fn first_day(&self) -> NaiveDate {
        self.first
    }

    pub fn last_day(&self) -> NaiveDate {
        self.last
    }

    /// The term as a period (`2025-2026-HK1`).
    pub fn period(&self) -> Period {
        Period {
            span: Span::Term(self.year.0, self.term),
            first: self.first,
            last: self.last,
        }
    }
}

/// Checks the two terms of a school year: each term's first day not after
/// its last, every day within the school year (1 August to 31 July), and
/// the first term over before the second begins. Every problem by field
/// (`hk1.first_day`, …).
pub fn check_school_year(
    year: SchoolYear,
    hk1: (NaiveDate, NaiveDate),
    hk2: (NaiveDate, NaiveDate),
) -> Result<[SchoolTerm; 2], FieldErrors> {
    let mut errors = FieldErrors::new();
    let (start, end) = (year.first_possible_day(), year.last_possible_day());
    for (name, (first, last)) in [("hk1", hk1), ("hk2", hk2)] {
        for (field, day) in [("first_day", first), ("last_day", last)] {
            if start.is_some_and(|s| day < s) || end.is_some_and(|e| day > e) {
                errors.push(
                    format!("{name}.{field}"),
                    "outside_school_year",
                    format!(
                        "a day of the school year {year}: 1 August {} to 31 July {}",
                        year.0,
                        year.0 + 1
                    ),
                );
            }
        }
        if first > last {
            errors.push(
                format!("{name}.last_day"),
                "before_first_day",
                "a term's last day is on or after its first day",
            );
        }
    }
    if hk1.1 >= hk2.0 {
        errors.push("hk2.first_day", "terms_overlap", "học kỳ II begins after học kỳ I ends");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok([
        SchoolTerm::from_stored(year, Term::First, hk1.0, hk1.1),
        SchoolTerm::from_stored(year, Term::Second, hk2.0, hk2.1),
    ])
}

/// The school calendar: the dates of each term that has them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermCalendar {
    terms: HashMap<(i32, Term), SchoolTerm>,
}

impl TermCalendar {
    pub fn new(terms: impl IntoIterator<Item = SchoolTerm>) -> TermCalendar {
        TermCalendar {
            terms: terms.into_iter().map(|t| ((t.year.0, t.term), t)).collect(),
        }
    }

    pub fn get(&self, first_year: i32, term: Term) -> Option<&SchoolTerm> {
        self.terms.get(&(first_year, term))
    }

    /// Every term, in date order.
    pub fn terms(&self) -> Vec<SchoolTerm> {
        let mut all: Vec<SchoolTerm> = self.terms.values().copied().collect();
        all.sort_by_key(|t| (t.year, t.term));
        all
    }
}

/// The school calendar seeded on a new database, for the school years
/// that the plan (2024–2027) touches, 2023-2024 to 2027-2028: học kỳ I
/// from 5 September (the national opening day) to 15 January, học kỳ II
/// from 16 January to 31 May. The city sets the real dates each year;
/// admins correct them.
pub fn seeded_school_terms() -> Vec<SchoolTerm> {
    let mut out = Vec::new();
    for first in 2023..=2027 {
        let year = SchoolYear(first);
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        if let (Some(a), Some(b), Some(c), Some(e)) = (
            day(first, 9, 5),
            day(first + 1, 1, 15),
            day(first + 1, 1, 16),
            day(first + 1, 5, 31),
        ) && let Ok(terms) = check_school_year(year, (a, b), (c, e))
        {
            out.extend(terms);
        }
    }
    out
}

/// The years of the plan, for its yearly targets.
const PLAN_YEAR_PERIODS: [Period; 4] = [
    const_years(2024, 2024),
    const_years(2025, 2025),
    const_years(2026, 2026),
    const_years(2027, 2027),
];

/// An offline activity, held in a room, that the plan asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// "Diễn đàn lắng nghe tiếng nói trẻ em": the district forum (target 2).
    Forum,
    /// "Lãnh đạo Quận gặp gỡ Đội viên tiêu biểu" (target 2).
    LeadersMeetPioneers,
    /// Children talk with ward leaders or a school board (targets 3 and 7).
    Dialogue,
    /// A meeting of the Children's Council (target 1).
    CouncilMeeting,
    /// Training of adults or child commanders (targets 4 and 6); it always
    /// has a [`TrainingAudience`], may say who attended from which unit
    /// ([`Attendance`]), and is not a consultation.
    Training,
    /// Action Month for Children, June each year.
    ActionMonth,
    /// A "listening to children's voices" session in a care centre.
    CareCentreListening,
    /// Child delegates attend a session of the People's Council (Hội đồng
    /// nhân dân), or its delegates meet and listen to children.
    PeoplesCouncilSession,
    /// Children consulted in a room on a legal document, plan or programme
    /// that concerns them (target 5), in a form suited to their age.
    PolicyConsultation,
    /// Communication on the Law on Children 2016 and the UN Convention on
    /// the Rights of the Child (tuyên truyền): children listen, they are
    /// not consulted.
    RightsCommunication,
    /// "Phụ huynh - Bạn đồng hành cùng con": a session for parents and
    /// carers, each quarter.
    ParentsSession,
}

names! {
    EventKind {
        Forum = "forum", LeadersMeetPioneers = "leaders_meet_pioneers", Dialogue = "dialogue",
        CouncilMeeting = "council_meeting", Training = "training", ActionMonth = "action_month",
        CareCentreListening = "care_centre_listening", PeoplesCouncilSession = "peoples_council_session",
        PolicyConsultation = "policy_consultation", RightsCommunication = "rights_communication",
        ParentsSession = "parents_session",
    }
}

impl EventKind {
    /// Whether each child attending counts as one consultation (target 9):
    /// every kind where children give their views; not a training, a
    /// communication event (children listen) or a parents' session.
    pub fn is_consultation(self) -> bool {
        !matches!(
            self,
            EventKind::Training | EventKind::RightsCommunication | EventKind::ParentsSession
        )
    }

    /// The metric counting events of this kind (`events.forum`, …).
    fn metric_name(self) -> &'static str {
        match self {
            EventKind::Forum => "events.forum",
            EventKind::LeadersMeetPioneers => "events.leaders_meet_pioneers",
            EventKind::Dialogue => "events.dialogue",
            EventKind::CouncilMeeting => "events.council_meeting",
            EventKind::Training => "events.training",
            EventKind::ActionMonth => "events.action_month",
            EventKind::CareCentreListening => "events.care_centre_listening",
            EventKind::PeoplesCouncilSession => "events.peoples_council_session",
            EventKind::PolicyConsultation => "events.policy_consultation",
            EventKind::RightsCommunication => "events.rights_communication",
            EventKind::ParentsSession => "events.parents_session",
        }
    }
}

/// Who a training is for, and the role of a person attending one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrainingAudience {
    /// Pioneer leaders (Tổng phụ trách Đội), one or more per school unit
    /// (target 6).
    PioneerLeaders,
    /// Neighbourhood children's leaders (phụ trách thiếu nhi địa bàn dân
    /// cư), who work for a ward (target 6).
    NeighbourhoodLeaders,
    /// Pioneer commanders and core members, who are children (target 4).
    Commanders,
    /// Delegates of the Children's Council, who are children.
    CouncilDelegates,
    /// Parents and carers.
    Parents,
}

names! {
    TrainingAudience {
        PioneerLeaders = "pioneer_leaders", NeighbourhoodLeaders = "neighbourhood_leaders",
        Commanders = "commanders", CouncilDelegates = "council_delegates", Parents = "parents",
    }
}

impl TrainingAudience {
    /// Whether people of this role are children (counted in
    /// `children_attending`), not adults.
    pub fn is_children(self) -> bool {
        matches!(self, TrainingAudience::Commanders | TrainingAudience::CouncilDelegates)
    }
}

/// A training names its audience; no other event has one.
pub fn check_audience(kind: EventKind, audience: Option<TrainingAudience>) -> Result<(), FieldErrors> {
    match (kind, audience) {
        (EventKind::Training, None) => Err(FieldErrors::single(
            "audience",
            "required",
            "a training names its audience",
        )),
        (EventKind::Training, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(FieldErrors::single(
            "audience",
            "not_allowed",
            "only a training has an audience",
        )),
    }
}

/// People of one unit and role who attended a training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attendance {
    pub unit: UnitId,
    pub role: TrainingAudience,
    pub people: u32,
}

/// Most people one attendance line may count.
pub const MAX_PEOPLE: i64 = 100_000;

/// Checks who attended a training, line by line (`attendance[i].role`,
/// `attendance[i].people`; the units are the caller's to check against the
/// organisation): only a training has attendance, each role is known, each
/// line counts 1 to [`MAX_PEOPLE`] people, a unit and role appear once,
/// and the adults (children) listed are no more than the adults (children)
/// attending.
pub fn check_attendance(
    kind: EventKind,
    lines: &[(UnitId, &str, i64)],
    adults_attending: i64,
    children_attending: i64,
) -> Result<Vec<Attendance>, FieldErrors> {
    let mut errors = FieldErrors::new();
    if kind != EventKind::Training && !lines.is_empty() {
        errors.push(
            "attendance",
            "not_allowed",
            "only a training records who attended by unit and role",
        );
        return Err(errors);
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let (mut adults, mut children) = (0i64, 0i64);
    for (i, (unit, role, people)) in lines.iter().enumerate() {
        let role = match TrainingAudience::parse(role) {
            Some(r) => Some(r),
            None => {
                errors.push_one_of(
                    format!("attendance[{i}].role"),
                    &TrainingAudience::ALL.map(TrainingAudience::as_str),
                );
                None
            }
        };
        if !(1..=MAX_PEOPLE).contains(people) {
            errors.push(
                format!("attendance[{i}].people"),
                "out_of_range",
                format!("1 to {MAX_PEOPLE} people"),
            );
        }
        let Some(role) = role else { continue };
        if !seen.insert((*unit, role)) {
            errors.push(
                format!("attendance[{i}]"),
                "duplicate",
                "each unit and role once: add the people up",
            );
        }
        if role.is_children() {
            children += people;
        } else {
            adults += people;
        }
        out.push(Attendance {
            unit: *unit,
            role,
            people: u32::try_from(*people).unwrap_or(0),
        });
    }
    if adults > adults_attending {
        errors.push(
            "attendance",
            "does_not_add_up",
            format!("lists {adults} adults, more than adults_attending ({adults_attending})"),
        );
    }
    if children > children_attending {
        errors.push(
            "attendance",
            "does_not_add_up",
            format!("lists {children} children, more than children_attending ({children_attending})"),
        );
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// What a figure counts, so that a reader never adds things that do not
/// add up: consultations and headcounts count occasions (one child may be
/// counted twice), unique participants count children once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantity {
    /// "Lượt": one child giving views once; a child who took part twice
    /// counts twice.
    Consultations,
    /// Distinct children (pseudonyms) who responded or raised an issue.
    UniqueParticipants,
    /// Children counted in the room at an event, as entered; nobody knows
    /// whether the same child came to two events.
    Headcount,
    /// Events held.
    Events,
    /// Consultations on a document, plan or programme: each survey or
    /// event once.
    PolicyConsultations,
    /// Units (wards, schools).
    Units,
    /// Percentage (0 to 100) of the units in scope.
    PercentOfUnits,
}

names! {
    Quantity {
        Consultations = "consultations", UniqueParticipants = "unique_participants", Headcount = "headcount",
        Events = "events", PolicyConsultations = "policy_consultations", Units = "units",
        PercentOfUnits = "percent_of_units",
    }
}

impl Quantity {
    /// Whether a figure of this quantity is about children (published
    /// through disclosure control).
    pub fn counts_children(self) -> bool {
        matches!(
            self,
            Quantity::Consultations | Quantity::UniqueParticipants | Quantity::Headcount
        )
    }
}

/// What a target measures. Counts are numbers of things in the period;
/// coverages are the percentage (0 to 100) of units of one kind within the
/// target's scope, in force on the period's last day (or today, if
/// earlier), that did something in the period. Each has its counting rule
/// ([`Metric::counting_rule`]), written next to the target wherever it is
/// shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Target 9: consultations ("lượt", one child giving views once): each
    /// response not withdrawn, plus each issue a child raised that counts
    /// ([`issue_counts`]), plus each child attending an event that
    /// [`EventKind::is_consultation`].
    Consultations,
    /// Target 8: distinct participants (pseudonyms) whose school level is
    /// [`SchoolLevel::LowerSecondary`] and who responded. The lower-secondary
    /// children entered at events (`children_by_school_level`) are a
    /// headcount, reported beside this figure and never added to it.
    LowerSecondaryParticipants,
    /// Distinct participants of every school level who responded or raised
    /// an issue that counts.
    UniqueParticipants,
    /// Target 3: % of wards holding a [`EventKind::Dialogue`].
    WardDialogueCoverage,
    /// Target 3: % of school units holding a [`EventKind::Dialogue`].
    SchoolDialogueCoverage,
    /// Target 7: % of school units where children were consulted on school
    /// decisions: a consultation session of the school unit, or a dialogue.
    SchoolConsultationCoverage,
    /// Target 1: meetings of the Children's Council (which exists when it
    /// is the target's scope unit).
    CouncilMeetings,
    /// Target 2: district forums.
    Forums,
    /// Target 2: "District leaders meet outstanding Pioneers" events.
    LeadersMeetPioneers,
    /// Target 4: trainings for Pioneer commanders and core members: held in
    /// scope for commanders or attended by commanders, or held anywhere and
    /// attended by commanders of a unit in scope.
    TrainingsCommanders,
    /// Target 6: % of school units whose Pioneer leaders attended a
    /// training in the period, wherever it was held.
    PioneerLeadersTrainedCoverage,
    /// Target 6: % of wards whose neighbourhood children's leaders attended
    /// a training in the period, wherever it was held.
    NeighbourhoodLeadersTrainedCoverage,
    /// Target 5: policy consultations, however they were held: each survey
    /// of kind `policy_consultation` with a response (not withdrawn) given
    /// in the period, plus each event of kind
    /// [`EventKind::PolicyConsultation`].
    PolicyConsultations,
    /// Events of one kind held in scope.
    Events(EventKind),
}

impl Metric {
    /// Every metric the service measures, the plan's first.
    pub fn all() -> Vec<Metric> {
        let mut all = vec![
            Metric::Consultations,
            Metric::LowerSecondaryParticipants,
            Metric::UniqueParticipants,
            Metric::WardDialogueCoverage,
            Metric::SchoolDialogueCoverage,
            Metric::SchoolConsultationCoverage,
            Metric::CouncilMeetings,
            Metric::Forums,
            Metric::LeadersMeetPioneers,
            Metric::TrainingsCommanders,
            Metric::PioneerLeadersTrainedCoverage,
            Metric::NeighbourhoodLeadersTrainedCoverage,
            Metric::PolicyConsultations,
        ];
        all.extend(EventKind::ALL.map(Metric::Events));
        all
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Consultations => "consultations",
            Metric::LowerSecondaryParticipants => "lower_secondary_participants",
            Metric::UniqueParticipants => "unique_participants",
            Metric::WardDialogueCoverage => "ward_dialogue_coverage",
            Metric::SchoolDialogueCoverage => "school_dialogue_coverage",
            Metric::SchoolConsultationCoverage => "school_consultation_coverage",
            Metric::CouncilMeetings => "council_meetings",
            Metric::Forums => "forums",
            Metric::LeadersMeetPioneers => "leaders_meet_pioneers",
            Metric::TrainingsCommanders => "trainings_commanders",
            Metric::PioneerLeadersTrainedCoverage => "pioneer_leaders_trained_coverage",
            Metric::NeighbourhoodLeadersTrainedCoverage => "neighbourhood_leaders_trained_coverage",
            Metric::PolicyConsultations => "policy_consultations",
            Metric::Events(kind) => kind.metric_name(),
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::all().into_iter().find(|m| m.as_str() == s)
    }

    /// A percentage of units (0 to 100) rather than a count.
    pub fn is_coverage(self) -> bool {
        self.unit_kind().is_some()
    }

    /// The kind of unit a coverage is a percentage of; `None` for counts.
    pub fn unit_kind(self) -> Option<UnitKind> {
        match self {
            Metric::WardDialogueCoverage | Metric::NeighbourhoodLeadersTrainedCoverage => Some(UnitKind::Ward),
            Metric::SchoolDialogueCoverage
            | Metric::SchoolConsultationCoverage
            | Metric::PioneerLeadersTrainedCoverage => Some(UnitKind::School),
            _ => None,
        }
    }

    /// What the figure counts.
    pub fn quantity(self) -> Quantity {
        match self {
            Metric::Consultations => Quantity::Consultations,
            Metric::LowerSecondaryParticipants | Metric::UniqueParticipants => Quantity::UniqueParticipants,
            Metric::PolicyConsultations => Quantity::PolicyConsultations,
            m if m.is_coverage() => Quantity::PercentOfUnits,
            _ => Quantity::Events,
        }
    }

    /// The role whose attendance at a training a coverage counts.
    fn trained_role(self) -> Option<TrainingAudience> {
        match self {
            Metric::PioneerLeadersTrainedCoverage => Some(TrainingAudience::PioneerLeaders),
            Metric::NeighbourhoodLeadersTrainedCoverage => Some(TrainingAudience::NeighbourhoodLeaders),
            _ => None,
        }
    }

    /// The number (1 to 9) of the plan's target this metric measures;
    /// `None` for the service's other measures.
    pub fn plan_target(self) -> Option<u8> {
        Some(match self {
            Metric::CouncilMeetings => 1,
            Metric::Forums | Metric::LeadersMeetPioneers => 2,
            Metric::WardDialogueCoverage | Metric::SchoolDialogueCoverage => 3,
            Metric::TrainingsCommanders => 4,
            Metric::PolicyConsultations => 5,
            Metric::PioneerLeadersTrainedCoverage | Metric::NeighbourhoodLeadersTrainedCoverage => 6,
            Metric::SchoolConsultationCoverage => 7,
            Metric::LowerSecondaryParticipants => 8,
            Metric::Consultations => 9,
            Metric::UniqueParticipants | Metric::Events(_) => return None,
        })
    }

    /// How the figure is counted, in the users' words (Vietnamese) and in
    /// English: shown next to the target in progress and reports.
    pub fn counting_rule(self) -> LocalizedText {
        let (vi, en): (String, String) = match self {
            Metric::Consultations => (
                "Lượt trẻ em được lấy ý kiến: mỗi phiếu trả lời khảo sát (trừ phiếu trẻ đã rút lại), cộng mỗi ý kiến trẻ em tự gửi \
                 (trừ ý kiến bị từ chối vì là tin rác và ý kiến trẻ đã rút lại), cộng số trẻ em dự các hoạt động lấy ý kiến trực tiếp \
                 (diễn đàn, đối thoại, họp Hội đồng trẻ em, dự kỳ họp HĐND, lấy ý kiến vào văn bản…; không tính tập huấn, tuyên truyền, \
                 sinh hoạt phụ huynh). Trẻ em của một trường (phường) dự hoạt động tổ chức ở cấp trên được tính cho trường (phường) đó, \
                 theo số Tổng phụ trách Đội đã nhập. Một em tham gia hai lần được tính hai lượt."
                    .into(),
                "Consultations (lượt): each survey response (not withdrawn), plus each issue a child raised (not those rejected as spam \
                 or withdrawn), plus each child counted at an event where children give their views (forums, dialogues, Council meetings, \
                 People's Council sessions, policy consultations…; not trainings, communication events or parents' sessions). Children of \
                 a school (ward) at an event held above it count for that school (ward), as its Pioneer leader entered them. A child \
                 who takes part twice counts twice."
                    .into(),
            ),
            Metric::LowerSecondaryParticipants => (
                "Số trẻ em THCS (lớp 6–9, hoặc 11–14 tuổi khi không rõ lớp) khác nhau đã trả lời khảo sát, mỗi em tính một lần. \
                 Số em THCS dự hoạt động trực tiếp (theo cấp học đã nhập) là số lượt có mặt, được nêu bên cạnh và không cộng vào, \
                 vì không biết một em có dự hai lần hay không."
                    .into(),
                "Distinct lower-secondary children (grades 6–9, or aged 11–14 when the grade is not known) who answered a survey, each \
                 counted once. Lower-secondary children at events (from the school levels entered) are a headcount, shown beside it and \
                 never added, since nobody knows whether one child came twice."
                    .into(),
            ),
            Metric::UniqueParticipants => (
                "Số trẻ em khác nhau đã trả lời khảo sát hoặc tự gửi ý kiến (trừ ý kiến bị từ chối vì là tin rác hoặc đã rút lại), \
                 mỗi em tính một lần."
                    .into(),
                "Distinct children who answered a survey or raised an issue (not one rejected as spam or withdrawn), each counted \
                 once."
                    .into(),
            ),
            Metric::WardDialogueCoverage => (
                "Tỷ lệ phường (đang hoạt động trong phạm vi) đã tổ chức ít nhất một buổi đối thoại giữa trẻ em và lãnh đạo địa phương \
                 trong kỳ; hoạt động của phường cũ được tính cho phường mới."
                    .into(),
                "Share of wards in scope that held at least one dialogue between children and local leaders in the period; what an \
                 old ward held counts for its successor."
                    .into(),
            ),
            Metric::SchoolDialogueCoverage => (
                "Tỷ lệ Liên đội trong phạm vi đã tổ chức ít nhất một buổi đối thoại giữa trẻ em và Ban Giám hiệu trong kỳ.".into(),
                "Share of school Pioneer units in scope that held at least one dialogue between children and the school board in the \
                 period."
                    .into(),
            ),
            Metric::SchoolConsultationCoverage => (
                "Tỷ lệ Liên đội trong phạm vi đã lấy ý kiến trẻ em về các quyết định của nhà trường trong kỳ: một phiên khảo sát của \
                 trường hoặc một buổi đối thoại."
                    .into(),
                "Share of school Pioneer units in scope that consulted children on school decisions in the period: a survey session of \
                 the school, or a dialogue."
                    .into(),
            ),
            Metric::CouncilMeetings => (
                "Số buổi họp Hội đồng trẻ em trong kỳ.".into(),
                "Meetings of the Children's Council held in the period.".into(),
            ),
            Metric::Forums => (
                "Số Diễn đàn lắng nghe tiếng nói trẻ em tổ chức trong kỳ.".into(),
                "Forums (listening to children's voices) held in the period.".into(),
            ),
            Metric::LeadersMeetPioneers => (
                "Số chương trình Lãnh đạo Quận gặp gỡ Đội viên tiêu biểu trong kỳ.".into(),
                "\"District leaders meet outstanding Pioneers\" events held in the period.".into(),
            ),
            Metric::TrainingsCommanders => (
                "Số lớp tập huấn cho chỉ huy Đội, Đội viên cốt cán: lớp tổ chức trong phạm vi dành cho chỉ huy Đội hoặc có chỉ huy Đội \
                 dự, và lớp tổ chức nơi khác có chỉ huy Đội của đơn vị trong phạm vi dự."
                    .into(),
                "Trainings for Pioneer commanders and core members: held in scope for commanders or attended by commanders, and held \
                 elsewhere but attended by commanders of a unit in scope."
                    .into(),
            ),
            Metric::PioneerLeadersTrainedCoverage => (
                "Tỷ lệ Liên đội trong phạm vi có Tổng phụ trách Đội dự ít nhất một lớp tập huấn trong kỳ, dù lớp tổ chức ở đâu (theo \
                 danh sách dự theo đơn vị và vai trò; lớp không ghi danh sách được tính cho đơn vị tổ chức và đối tượng của lớp)."
                    .into(),
                "Share of school Pioneer units in scope whose Pioneer leaders attended at least one training in the period, wherever it \
                 was held (from who attended, by unit and role; a training recorded without attendance counts for its own unit and \
                 audience)."
                    .into(),
            ),
            Metric::NeighbourhoodLeadersTrainedCoverage => (
                "Tỷ lệ phường trong phạm vi có phụ trách thiếu nhi địa bàn dân cư dự ít nhất một lớp tập huấn trong kỳ, dù lớp tổ chức \
                 ở đâu."
                    .into(),
                "Share of wards in scope whose neighbourhood children's leaders attended at least one training in the period, wherever \
                 it was held."
                    .into(),
            ),
            Metric::PolicyConsultations => (
                "Số lần lấy ý kiến trẻ em vào văn bản quy phạm pháp luật, kế hoạch, chương trình, dù tổ chức bằng hình thức nào: mỗi \
                 khảo sát loại lấy ý kiến chính sách có phiếu trả lời trong kỳ tính một lần, cộng mỗi buổi lấy ý kiến trực tiếp."
                    .into(),
                "Consultations on legal documents, plans and programmes, however they were held: each policy-consultation survey \
                 answered in the period once, plus each consultation held in a room."
                    .into(),
            ),
            Metric::Events(kind) => {
                let name = |lang| crate::words::event_kind(kind.as_str(), lang);
                (
                    format!(
                        "Số hoạt động \"{}\" tổ chức trong phạm vi, trong kỳ.",
                        name(crate::text::Lang::Vi)
                    ),
                    format!(
                        "Events of the kind \"{}\" held in scope in the period.",
                        name(crate::text::Lang::En)
                    ),
                )
            }
        };
        LocalizedText::from_stored(&vi, Some(en))
    }
}

/// A figure to reach: `value` of `metric` within `scope_unit` (and the units
/// under it) over `period`. Built by [`Target::check`], so a coverage is
/// always 0 to 100 and a count a whole number, zero or more.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    metric: Metric,
    scope_unit: UnitId,
    period: Period,
    value: f64,
}

impl Target {
    /// Reads a target, reporting every problem by field: `metric`,
    /// `period` (a school term with the dates of `terms`) and `value`.
    pub fn check(
        metric: &str,
        scope_unit: UnitId,
        period: &str,
        value: f64,
        terms: &TermCalendar,
    ) -> Result<Target, FieldErrors> {
        let mut errors = FieldErrors::new();
        let metric = if metric.is_empty() {
            errors.push("metric", "required", "the metric is required");
            None
        } else {
            let parsed = Metric::parse(metric);
            if parsed.is_none() {
                let names: Vec<_> = Metric::all().iter().map(|m| m.as_str()).collect();
                errors.push_one_of("metric", &names);
            }
            parsed
        };
        let period = if period.is_empty() {
            errors.push("period", "required", "the period is required");
            None
        } else {
            Period::parse_in(period, terms)
                .map_err(|e| errors.push("period", "invalid_period", e.to_string()))
                .ok()
        };
        if !value.is_finite() {
            errors.push("value", "out_of_range", "a finite number");
        } else if let Some(metric) = metric {
            if metric.is_coverage() && !(0.0..=100.0).contains(&value) {
                errors.push("value", "out_of_range", "a percentage from 0 to 100");
            } else if !metric.is_coverage() && (value < 0.0 || value.fract() != 0.0) {
                errors.push("value", "out_of_range", "a whole number, zero or more");
            }
        }
        match (metric, period) {
            (Some(metric), Some(period)) if errors.is_empty() => Ok(Target {
                metric,
                scope_unit,
                period,
                value,
            }),
            _ => Err(errors),
        }
    }

    pub fn metric(&self) -> Metric {
        self.metric
    }

    pub fn scope_unit(&self) -> UnitId {
        self.scope_unit
    }

    pub fn period(&self) -> Period {
        self.period
    }

    pub fn value(&self) -> f64 {
        self.value
    }
}

/// The units the plan's targets are set for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanUnits {
    /// The district: the plan's scope.
    pub district: UnitId,
    /// Its Children's Council (target 1).
    pub council: UnitId,
}

/// The plan's targets as data, for every year of the plan (2024–2027) and
/// every unit that reports:
///
/// - the district, each year: a Council meeting twice a year (target 1,
///   measured on the Council), a forum and a "leaders meet outstanding
///   Pioneers" (2), every ward and school unit holding a dialogue (3), a
///   commanders' training (4), a policy consultation (5), every school
///   unit's Pioneer leaders and every ward's neighbourhood leaders trained
///   (6), every school unit consulting children (7); and over the whole
///   plan 15,000 lower-secondary participants (8) and 50,000
///   consultations (9);
/// - each ward in force within the district at the end of the year: its
///   dialogue (3) and its neighbourhood leaders trained (6);
/// - each school unit in force within the district at the end of the
///   year: its dialogue (3), its Pioneer leaders trained (6) and its
///   children consulted (7).
///
/// Nine plan targets give twelve district rows: target 2 names two events,
/// targets 3 and 6 both wards and school units, each measured on its own.
pub fn plan_targets(chart: &OrgChart, units: PlanUnits) -> Vec<Target> {
    let target = |metric, scope_unit, period, value| Target {
        metric,
        scope_unit,
        period,
        value,
    };
    let mut out = Vec::new();
    for year in PLAN_YEAR_PERIODS {
        let district = units.district;
        out.extend([
            // 1. A district Children's Council exists and meets twice a year.
            target(Metric::CouncilMeetings, units.council, year, 2.0),
            // 2. Every year, a forum and a "leaders meet outstanding Pioneers".
            target(Metric::Forums, district, year, 1.0),
            target(Metric::LeadersMeetPioneers, district, year, 1.0),
            // 3. 100% of wards and school units hold a dialogue (every year).
            target(Metric::WardDialogueCoverage, district, year, 100.0),
            target(Metric::SchoolDialogueCoverage, district, year, 100.0),
            // 4. Every year, training for Pioneer commanders and core members.
            target(Metric::TrainingsCommanders, district, year, 1.0),
            // 5. Every year, children are consulted on policy documents.
            target(Metric::PolicyConsultations, district, year, 1.0),
            // 6. Every year, 100% of Pioneer leaders and neighbourhood
            //    children's leaders are trained.
            target(Metric::PioneerLeadersTrainedCoverage, district, year, 100.0),
            target(Metric::NeighbourhoodLeadersTrainedCoverage, district, year, 100.0),
            // 7. 100% of school units consult children on school decisions;
            //    read as every year, since children and decisions change yearly.
            target(Metric::SchoolConsultationCoverage, district, year, 100.0),
        ]);
        if year == PLAN_YEAR_PERIODS[0] {
            // 8. By 2027, at least 15,000 lower-secondary teenagers took part.
            out.push(target(
                Metric::LowerSecondaryParticipants,
                district,
                PLAN_PERIOD,
                15_000.0,
            ));
            // 9. By 2027, at least 50,000 child consultations.
            out.push(target(Metric::Consultations, district, PLAN_PERIOD, 50_000.0));
        }
        let end = year.last_day();
        let mut below: Vec<&crate::org::Unit> = chart
            .in_force_on(end)
            .filter(|u| u.id != district && chart.is_within(u.id, district, end))
            .collect();
        below.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
        for u in below.iter().filter(|u| u.kind == UnitKind::Ward) {
            out.push(target(Metric::WardDialogueCoverage, u.id, year, 100.0));
            out.push(target(Metric::NeighbourhoodLeadersTrainedCoverage, u.id, year, 100.0));
        }
        for u in below.iter().filter(|u| u.kind == UnitKind::School) {
            out.push(target(Metric::SchoolDialogueCoverage, u.id, year, 100.0));
            out.push(target(Metric::PioneerLeadersTrainedCoverage, u.id, year, 100.0));
            out.push(target(Metric::SchoolConsultationCoverage, u.id, year, 100.0));
        }
    }
    out
}

/// Where a target stands, ordered from worst to best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Below the linear pace.
    Behind,
    /// Not yet met, but at or above the linear pace (or not started).
    OnTrack,
    /// The value is reached.
    Met,
}

names! { Status { Behind = "behind", OnTrack = "on_track", Met = "met" } }

/// Met once `actual` reaches the target's value; before the period starts,
/// on track; otherwise on track while `actual` is at least the value times
/// [`Period::elapsed_fraction`] (a linear pace), else behind. A period that
/// is over and not met is behind.
pub fn status(target: &Target, actual: f64, today: NaiveDate) -> Status {
    if actual >= target.value {
        Status::Met
    } else if today < target.period.first || actual >= target.value * target.period.elapsed_fraction(today) {
        Status::OnTrack
    } else {
        Status::Behind
    }
}

/// Percentage (0 to 100) of `total` units that are `covered`. No unit in
/// scope gives 0, not 100: an empty scope means the units were never
/// recorded, and that must show as a gap, not as success. `covered` above
/// `total` counts as `total`.
pub fn coverage(covered: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        covered.min(total) as f64 * 100.0 / total as f64
    }
}

/// A target's figure and standing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub actual: f64,
    /// `actual / value`, 1 when the target is 0. Not capped: 3 forums
    /// against a target of 1 is 3, and a display caps its bar itself.
    pub share: f64,
    pub status: Status,
}

pub fn progress(target: &Target, actual: f64, today: NaiveDate) -> Progress {
    Progress {
        actual,
        share: if target.value == 0.0 {
            1.0
        } else {
            actual / target.value
        },
        status: status(target, actual, today),
    }
}

/// The parts of the consultation count (target 9) in a period and scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConsultationCounts {
    /// Responses not withdrawn.
    pub responses: u64,
    /// Issues raised by children that count ([`issue_counts`]).
    pub child_issues: u64,
    /// Children attending events that count as consultations.
    pub event_children: u64,
}

impl ConsultationCounts {
    pub fn total(&self) -> u64 {
        self.responses
            .saturating_add(self.child_issues)
            .saturating_add(self.event_children)
    }
}

/// Whether children attending an event of `kind` count as consultations.
pub fn counts_as_consultation(kind: EventKind) -> bool {
    kind.is_consultation()
}

/// Whether a participant of `level` counts toward target 8.
pub fn counts_as_lower_secondary(level: SchoolLevel) -> bool {
    level == SchoolLevel::LowerSecondary
}

/// Issues a child raised that are not a consultation, as (status, reason
/// for a rejection): withdrawn by the child, or rejected as spam (junk
/// such as "adsfasdf" is nobody's view). Every other issue a child raised
/// counts, merged, withheld for safeguarding or rejected for another
/// reason included: the child gave a view. Storage filters by this list.
pub const UNCOUNTED_ISSUES: [(&str, Option<&str>); 2] = [("withdrawn", None), ("rejected", Some("spam"))];

/// Whether an issue a child raised, with this status and rejection
/// reason, counts as a consultation ([`UNCOUNTED_ISSUES`]).
pub fn issue_counts(status: &str, reason: Option<&str>) -> bool {
    !UNCOUNTED_ISSUES
        .iter()
        .any(|(s, r)| *s == status && (r.is_none() || *r == reason))
}

#[cfg(test)]
mod tests {
    use crate::testing::{d, parent_in, unit_in};
    use proptest::prelude::*;

    use super::*;

    fn target(metric: Metric, period: &str, value: f64) -> Target {
        Target::check(metric.as_str(), UnitId::new(), period, value, &calendar()).unwrap()
    }

    /// Two school years of terms: 2025-2026 and 2026-2027.
    fn calendar() -> TermCalendar {
        let mut terms = Vec::new();
        for y in [2025, 2026] {
            let year = SchoolYear::of_first_year(y).unwrap();
            let [a, b] = check_school_year(
                year,
                (d(&format!("{y}-09-05")), d(&format!("{}-01-15", y + 1))),
                (d(&format!("{}-01-16", y + 1)), d(&format!("{}-05-31", y + 1))),
            )
            .unwrap();
            terms.extend([a, b]);
        }
        TermCalendar::new(terms)
    }

    #[test]
    fn periods_parse_and_round_trip() {
        let cases = [
            ("2026", "2026-01-01", "2026-12-31", 365),
            ("2024", "2024-01-01", "2024-12-31", 366),
            ("2026-H1", "2026-01-01", "2026-06-30", 181),
            ("2026-H2", "2026-07-01", "2026-12-31", 184),
            ("2026-Q1", "2026-01-01", "2026-03-31", 90),
            ("2024-Q1", "2024-01-01", "2024-03-31", 91),
            ("2026-Q3", "2026-07-01", "2026-09-30", 92),
            ("2026-Q4", "2026-10-01", "2026-12-31", 92),
            ("2026-11", "2026-11-01", "2026-11-30", 30),
            ("2028-02", "2028-02-01", "2028-02-29", 29),
            ("2026-12", "2026-12-01", "2026-12-31", 31),
            ("2024..2027", "2024-01-01", "2027-12-31", 1461),
            ("2000", "2000-01-01", "2000-12-31", 366),
            ("2100", "2100-01-01", "2100-12-31", 365),
            // The work year reported in November.
            ("2026-WY", "2025-12-01", "2026-11-30", 365),
            ("2024-WY", "2023-12-01", "2024-11-30", 366),
            // School terms, with the calendar's dates.
            ("2025-2026-HK1", "2025-09-05", "2026-01-15", 133),
            ("2025-2026-HK2", "2026-01-16", "2026-05-31", 136),
            ("2026-2027-HK1", "2026-09-05", "2027-01-15", 133),
            // Any days.
            ("2026-03-15..2026-06-20", "2026-03-15", "2026-06-20", 98),
            ("2026-11-25..2026-11-25", "2026-11-25", "2026-11-25", 1),
            ("2025-12-31..2026-01-01", "2025-12-31", "2026-01-01", 2),
        ];
        let cal = calendar();
        for (raw, first, last, days) in cases {
            let p = Period::parse_in(raw, &cal).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(
                (p.first_day(), p.last_day(), p.days()),
                (d(first), d(last), days),
                "{raw}"
            );
            assert_eq!(p.to_string(), raw);
            assert_eq!(Period::parse_in(&p.to_string(), &cal), Ok(p));
        }
        // A term needs the calendar; the other forms do not.
        assert_eq!(
            Period::parse("2025-2026-HK1"),
            Err(PeriodError::TermNotInCalendar {
                first: 2025,
                term: Term::First
            })
        );
        assert_eq!(Period::parse("2026-WY"), Period::parse_in("2026-WY", &cal));
        let hk1 = cal.get(2025, Term::First).unwrap();
        assert_eq!(hk1.period().to_string(), "2025-2026-HK1");
        assert_eq!(cal.terms().len(), 4);
        assert_eq!(cal.terms()[1].term(), Term::Second);
        assert_eq!(PLAN_PERIOD, Period::parse("2024..2027").unwrap());
        assert_eq!(PLAN_YEAR_PERIODS[2], Period::year(2026).unwrap());
    }

    #[test]
    fn bad_periods_are_refused() {
        use PeriodError::*;
        let cases = [
            ("", Malformed),
            ("26", Malformed),
            ("02026", Malformed),
            (" 2026", Malformed),
            ("2026 ", Malformed),
            ("+026", Malformed),
            ("2026-", Malformed),
            ("2026-h1", Malformed),
            ("2026-q3", Malformed),
            ("2026-H", Malformed),
            ("2026-HX", Malformed),
            ("2026-H10", Malformed),
            ("2026-1", Malformed),
            ("2026-011", Malformed),
            ("2026-W01", Malformed),
            ("2026-01-01", Malformed),
            ("2024-2027", Malformed),
            ("2024..", Malformed),
            ("..2027", Malformed),
            ("2024...2027", Malformed),
            ("2024..2025..2026", Malformed),
            ("2026-H0", PartOutOfRange),
            ("2026-H3", PartOutOfRange),
            ("2026-Q0", PartOutOfRange),
            ("2026-Q5", PartOutOfRange),
            ("2026-00", PartOutOfRange),
            ("2026-13", PartOutOfRange),
            ("1999", YearOutOfRange(1999)),
            ("2101", YearOutOfRange(2101)),
            ("0000-H1", YearOutOfRange(0)),
            ("9999-01", YearOutOfRange(9999)),
            ("1999..2027", YearOutOfRange(1999)),
            ("2024..2101", YearOutOfRange(2101)),
            ("2027..2024", RangeNotIncreasing),
            ("2026..2026", RangeNotIncreasing),
            ("2026-wy", Malformed),
            ("26-WY", Malformed),
            ("1999-WY", YearOutOfRange(1999)),
            ("2025-2026-hk1", Malformed),
            ("2025-2026-HK", Malformed),
            ("2025-2026-HKI", Malformed),
            ("2025-2026-HK3", PartOutOfRange),
            ("2025-2026-HK0", PartOutOfRange),
            ("2025-2027-HK1", SchoolYearNotConsecutive),
            ("2026-2025-HK1", SchoolYearNotConsecutive),
            (
                "2024-2025-HK1",
                TermNotInCalendar {
                    first: 2024,
                    term: Term::First,
                },
            ),
            (
                "2027-2028-HK2",
                TermNotInCalendar {
                    first: 2027,
                    term: Term::Second,
                },
            ),
            ("2026-06-20..2026-03-15", RangeNotIncreasing),
            ("2026-02-30..2026-03-15", Malformed),
            ("2026-3-1..2026-03-15", Malformed),
            ("2026-03-15..", Malformed),
            ("2026-03-15..2026", Malformed),
            ("1999-12-31..2026-01-01", YearOutOfRange(1999)),
            ("2026-01-01..2101-01-01", YearOutOfRange(2101)),
        ];
        let cal = calendar();
        for (raw, want) in cases {
            assert_eq!(Period::parse_in(raw, &cal), Err(want), "{raw:?}");
        }
        assert_eq!(Period::half(2026, 3), Err(PartOutOfRange));
        assert_eq!(Period::years(2026, 2026), Err(RangeNotIncreasing));
        assert_eq!(
            SchoolYear::parse("2025-2026").map(|y| y.to_string()),
            Ok("2025-2026".to_owned())
        );
        assert_eq!(SchoolYear::parse("2025-2027"), Err(SchoolYearNotConsecutive));
        assert_eq!(SchoolYear::parse("2025"), Err(Malformed));
        assert_eq!(SchoolYear::parse("2100-2101"), Err(YearOutOfRange(2101)));
    }

    #[test]
    fn a_report_counts_children_over_the_whole_months_a_period_touches() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let touched = |p: Period| {
            let (a, b) = p.months_touched();
            (a.to_string(), b.to_string())
        };
        let both = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        let term = Period::between(d("2026-09-05"), d("2027-01-15")).unwrap();
        assert_eq!(touched(term), both("2026-09-01", "2027-01-31"));
        let day = Period::between(d("2024-02-29"), d("2024-02-29")).unwrap();
        assert_eq!(touched(day), both("2024-02-01", "2024-02-29"));
        for raw in ["2026-Q4", "2026-02", "2026", "2026-WY", "2024..2027"] {
            let p = Period::parse(raw).unwrap();
            assert_eq!(
                touched(p),
                (p.first_day().to_string(), p.last_day().to_string()),
                "{raw}"
            );
        }
    }

    #[test]
    fn counts_of_cases_leave_out_a_quarter_under_way() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let q = |raw: &str| Period::parse(raw).unwrap().whole_quarters().unwrap();
        let counted = |raw: &str, today: &str| {
            q(raw)
                .ended_by(d(today))
                .map(|w| (w.period().first_day().to_string(), w.period().last_day().to_string()))
        };
        let both = |a: &str, b: &str| Some((a.to_owned(), b.to_owned()));
        // An ended period, whole.
        assert_eq!(counted("2026-Q3", "2026-10-01"), both("2026-07-01", "2026-09-30"));
        assert_eq!(counted("2025", "2026-12-07"), both("2025-01-01", "2025-12-31"));
        // A year under way: the quarters that have ended, the same all
        // quarter long.
        for today in ["2026-10-01", "2026-12-07", "2026-12-31"] {
            assert_eq!(counted("2026", today), both("2026-01-01", "2026-09-30"), "{today}");
        }
        assert_eq!(counted("2026-H2", "2026-12-07"), both("2026-07-01", "2026-09-30"));
        // A quarter under way, or one to come: nothing yet.
        assert_eq!(counted("2026-Q4", "2026-12-07"), None);
        assert_eq!(counted("2026-Q4", "2026-10-01"), None);
        assert_eq!(counted("2027", "2026-12-07"), None);
        assert_eq!(counted("2026-Q1", "2026-01-01"), None);
        assert_eq!(counted("2026-Q1", "2026-04-01"), both("2026-01-01", "2026-03-31"));
    }

    #[test]
    fn counts_of_cases_are_given_for_whole_quarters_only() {
        let cal = calendar();
        let p = |raw: &str| Period::parse_in(raw, &cal).unwrap();
        let cases = [
            ("2026-Q1", true),
            ("2026-Q4", true),
            ("2026-H1", true),
            ("2026-H2", true),
            ("2026", true),
            ("2024..2027", true),
            ("2026-01-01..2026-03-31", true),
            ("2026-04-01..2026-09-30", true),
            ("2025-10-01..2026-03-31", true),
            ("2024-01-01..2024-12-31", true),
            // A window one day longer or shorter than a quarter: the
            // difference of two readings would be that day.
            ("2026-01-01..2026-04-01", false),
            ("2026-01-02..2026-03-31", false),
            ("2025-12-31..2026-03-31", false),
            ("2026-01-01..2026-03-30", false),
            ("2026-02-01..2026-04-30", false),
            ("2026-01-01..2026-05-31", false),
            // Longer than a quarter but not whole quarters.
            ("2026-01-15..2026-12-31", false),
            ("2026-11", false),
            ("2026-03", false),
            ("2026-11-01..2026-12-15", false),
            ("2026-WY", false),
            ("2025-2026-HK1", false),
            ("2025-2026-HK2", false),
        ];
        for (raw, whole) in cases {
            let got = p(raw).whole_quarters();
            assert_eq!(got.is_ok(), whole, "{raw}");
            if let Ok(q) = got {
                assert_eq!(q.period(), p(raw), "{raw}");
            } else {
                assert_eq!(got, Err(NotWholeQuarters), "{raw}");
            }
        }
        assert!(NotWholeQuarters.to_string().contains("2026-Q1"));
        assert!(NotWholeQuarters.message_vi().contains("2026-H1"));
    }

    #[test]
    fn periods_overlap() {
        let cal = calendar();
        let p = |raw: &str| Period::parse_in(raw, &cal).unwrap();
        assert!(p("2026-WY").overlaps(&p("2025-12")));
        assert!(!p("2026-WY").overlaps(&p("2026-12")));
        assert!(p("2025-2026-HK1").overlaps(&p("2026")));
        assert!(!p("2025-2026-HK2").overlaps(&p("2026-06")));
    }

    #[test]
    fn the_seeded_calendar_covers_the_plan() {
        let terms = seeded_school_terms();
        assert_eq!(terms.len(), 10);
        let cal = TermCalendar::new(terms.clone());
        let p = |raw: &str| Period::parse_in(raw, &cal).map(|p| (p.first_day(), p.last_day()));
        assert_eq!(p("2023-2024-HK2"), Ok((d("2024-01-16"), d("2024-05-31"))));
        assert_eq!(p("2026-2027-HK1"), Ok((d("2026-09-05"), d("2027-01-15"))));
        assert_eq!(p("2027-2028-HK1"), Ok((d("2027-09-05"), d("2028-01-15"))));
        assert!(p("2028-2029-HK1").is_err());
    }

    #[test]
    fn school_years_are_checked() {
        let year = SchoolYear::of_first_year(2026).unwrap();
        let check = |hk1: (&str, &str), hk2: (&str, &str)| -> Vec<(String, &'static str)> {
            match check_school_year(year, (d(hk1.0), d(hk1.1)), (d(hk2.0), d(hk2.1))) {
                Ok(terms) => {
                    assert_eq!(terms[0].period().to_string(), "2026-2027-HK1");
                    assert_eq!(terms[1].period().first_day(), d(hk2.0));
                    Vec::new()
                }
                Err(e) => e.0.into_iter().map(|e| (e.field, e.code)).collect(),
            }
        };
        type Case = (
            (&'static str, &'static str),
            (&'static str, &'static str),
            &'static [(&'static str, &'static str)],
        );
        let cases: &[Case] = &[
            (("2026-09-05", "2027-01-15"), ("2027-01-16", "2027-05-31"), &[]),
            (("2026-08-01", "2027-01-09"), ("2027-01-11", "2027-07-31"), &[]),
            (
                ("2026-07-31", "2027-01-15"),
                ("2027-01-16", "2027-08-01"),
                &[
                    ("hk1.first_day", "outside_school_year"),
                    ("hk2.last_day", "outside_school_year"),
                ],
            ),
            (
                ("2027-01-15", "2026-09-05"),
                ("2027-01-16", "2027-05-31"),
                &[("hk1.last_day", "before_first_day")],
            ),
            (
                ("2026-09-05", "2027-01-20"),
                ("2027-01-16", "2027-05-31"),
                &[("hk2.first_day", "terms_overlap")],
            ),
        ];
        for (hk1, hk2, want) in cases {
            let want: Vec<_> = want.iter().map(|(f, c)| ((*f).to_owned(), *c)).collect();
            assert_eq!(check(*hk1, *hk2), want, "{hk1:?} {hk2:?}");
        }
    }

    #[test]
    fn periods_contain_their_days() {
        let p = Period::parse("2026-Q3").unwrap();
        let cases = [
            ("2026-06-30", false),
            ("2026-07-01", true),
            ("2026-08-15", true),
            ("2026-09-30", true),
            ("2026-10-01", false),
        ];
        for (date, want) in cases {
            assert_eq!(p.contains(d(date)), want, "{date}");
        }
    }

    #[test]
    fn elapsed_fraction_counts_days_before_today() {
        let cases = [
            ("2026", "2025-06-01", 0.0),
            ("2026", "2026-01-01", 0.0),
            ("2026", "2026-01-02", 1.0 / 365.0),
            ("2026", "2026-07-02", 182.0 / 365.0),
            ("2026", "2026-12-31", 364.0 / 365.0),
            ("2026", "2027-01-01", 1.0),
            ("2026", "2030-01-01", 1.0),
            ("2026-11", "2026-11-16", 0.5),
            ("2026-H1", "2026-04-01", 90.0 / 181.0),
            ("2024..2027", "2026-01-01", 731.0 / 1461.0),
        ];
        for (period, today, want) in cases {
            let got = Period::parse(period).unwrap().elapsed_fraction(d(today));
            assert!((got - want).abs() < 1e-12, "{period} on {today}: {got} != {want}");
        }
    }

    #[test]
    fn status_at_the_boundaries() {
        use Status::*;
        // 2026: 365 days; on 2026-07-02, 182 are over: pace 50,000 × 182/365.
        let pace_mid = 50_000.0 * 182.0 / 365.0;
        let cases = [
            // Before the period: on track unless already met.
            ("2025-12-31", 0.0, OnTrack),
            ("2025-12-31", 50_000.0, Met),
            // First day: nothing is due yet.
            ("2026-01-01", 0.0, OnTrack),
            ("2026-01-02", 0.0, Behind),
            ("2026-01-02", 50_000.0 / 365.0, OnTrack),
            // Middle: exactly at pace is on track, just under is behind.
            ("2026-07-02", pace_mid, OnTrack),
            ("2026-07-02", pace_mid - 0.01, Behind),
            ("2026-07-02", 49_999.0, OnTrack),
            ("2026-07-02", 50_000.0, Met),
            ("2026-07-02", 80_000.0, Met),
            // Last day: all but one day is due.
            ("2026-12-31", 50_000.0 * 364.0 / 365.0, OnTrack),
            ("2026-12-31", 49_000.0, Behind),
            // After: met or behind, nothing in between.
            ("2027-01-01", 49_999.0, Behind),
            ("2027-01-01", 50_000.0, Met),
        ];
        let t = target(Metric::Consultations, "2026", 50_000.0);
        for (today, actual, want) in cases {
            assert_eq!(status(&t, actual, d(today)), want, "{actual} on {today}");
        }
        // A zero target is met from the start.
        assert_eq!(status(&target(Metric::Forums, "2026", 0.0), 0.0, d("2025-01-01")), Met);
        assert_eq!(
            [Behind, OnTrack, Met].map(Status::as_str),
            ["behind", "on_track", "met"]
        );
        assert!(Behind < OnTrack && OnTrack < Met);
    }

    #[test]
    fn progress_reports_share_uncapped() {
        let t = target(Metric::Forums, "2026", 1.0);
        let p = progress(&t, 3.0, d("2026-06-01"));
        assert_eq!((p.actual, p.share, p.status), (3.0, 3.0, Status::Met));
        let t = target(Metric::WardDialogueCoverage, "2026", 100.0);
        let p = progress(&t, 25.0, d("2026-12-01"));
        assert_eq!((p.share, p.status), (0.25, Status::Behind));
        let p = progress(&target(Metric::Forums, "2026", 0.0), 0.0, d("2026-06-01"));
        assert_eq!((p.share, p.status), (1.0, Status::Met));
    }

    #[test]
    fn coverage_is_a_percentage() {
        let cases = [
            (0, 0, 0.0),
            (5, 0, 0.0),
            (0, 13, 0.0),
            (13, 13, 100.0),
            (18, 18, 100.0),
            (1, 4, 25.0),
            (9, 18, 50.0),
            (20, 18, 100.0),
        ];
        for (covered, total, want) in cases {
            assert_eq!(coverage(covered, total), want, "{covered}/{total}");
        }
        assert!((coverage(1, 3) - 100.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn targets_are_checked() {
        let check = |metric: &str, period: &str, value: f64| -> Vec<(String, &'static str)> {
            match Target::check(metric, UnitId::new(), period, value, &calendar()) {
                Ok(_) => Vec::new(),
                Err(e) => e.0.into_iter().map(|e| (e.field, e.code)).collect(),
            }
        };
        // metric, period, value, expected (field, code) pairs
        type Case = (&'static str, &'static str, f64, &'static [(&'static str, &'static str)]);
        let cases: &[Case] = &[
            ("consultations", "2024..2027", 50_000.0, &[]),
            ("consultations", "2026", 0.0, &[]),
            ("ward_dialogue_coverage", "2026", 100.0, &[]),
            ("ward_dialogue_coverage", "2026-H1", 0.0, &[]),
            ("school_dialogue_coverage", "2026-Q3", 50.5, &[]),
            ("pioneer_leaders_trained_coverage", "2025-2026-HK1", 100.0, &[]),
            ("events.parents_session", "2026-WY", 4.0, &[]),
            ("unique_participants", "2026-03-01..2026-05-31", 300.0, &[]),
            ("events.parents_session", "2026", 1.5, &[("value", "out_of_range")]),
            ("events.party", "2026", 1.0, &[("metric", "unknown_value")]),
            ("forums", "2024-2025-HK1", 1.0, &[("period", "invalid_period")]),
            ("ward_dialogue_coverage", "2026", 100.5, &[("value", "out_of_range")]),
            ("ward_dialogue_coverage", "2026", -1.0, &[("value", "out_of_range")]),
            ("council_meetings", "2026", -1.0, &[("value", "out_of_range")]),
            ("council_meetings", "2026", 1.5, &[("value", "out_of_range")]),
            ("council_meetings", "2026", f64::NAN, &[("value", "out_of_range")]),
            ("forums", "2026", f64::INFINITY, &[("value", "out_of_range")]),
            ("visits", "2026", 1.0, &[("metric", "unknown_value")]),
            ("", "2026", 1.0, &[("metric", "required")]),
            ("forums", "", 1.0, &[("period", "required")]),
            ("forums", "2026-H3", 1.0, &[("period", "invalid_period")]),
            ("forums", "1999", 1.0, &[("period", "invalid_period")]),
            // Every problem at once; the value cannot be judged without a metric.
            (
                "visits",
                "someday",
                -1.0,
                &[("metric", "unknown_value"), ("period", "invalid_period")],
            ),
            (
                "forums",
                "someday",
                -1.0,
                &[("period", "invalid_period"), ("value", "out_of_range")],
            ),
        ];
        for (metric, period, value, want) in cases {
            let want: Vec<_> = want.iter().map(|(f, c)| ((*f).to_owned(), *c)).collect();
            assert_eq!(check(metric, period, *value), want, "{metric} {period} {value}");
        }
        let unit = UnitId::new();
        let t = Target::check("forums", unit, "2026-H2", 1.0, &calendar()).unwrap();
        assert_eq!(
            (t.metric(), t.scope_unit(), t.period().to_string(), t.value()),
            (Metric::Forums, unit, "2026-H2".to_owned(), 1.0)
        );
    }

    use crate::org::{LineageEdge, Unit};

    /// A small plan: a district with its Council, ward W1 (two schools) and
    /// ward W2 (one school) merged into ward NW on 1 July 2025, and a care
    /// centre.
    struct Chart {
        chart: OrgChart,
        district: UnitId,
        council: UnitId,
        w1: UnitId,
        w2: UnitId,
        nw: UnitId,
        s1: UnitId,
        s2: UnitId,
        s3: UnitId,
    }

    fn chart() -> Chart {
        let district = unit_in("PN", UnitKind::District, "2000-01-01", None);
        let council = unit_in("PN-HDTE", UnitKind::Council, "2000-01-01", None);
        let care = unit_in("PN-MA", UnitKind::CareCentre, "2000-01-01", None);
        let w1 = unit_in("W1", UnitKind::Ward, "2000-01-01", Some("2025-07-01"));
        let w2 = unit_in("W2", UnitKind::Ward, "2000-01-01", Some("2025-07-01"));
        let nw = unit_in("NW", UnitKind::Ward, "2025-07-01", None);
        let s1 = unit_in("S1", UnitKind::School, "2000-01-01", None);
        let s2 = unit_in("S2", UnitKind::School, "2000-01-01", None);
        let s3 = unit_in("S3", UnitKind::School, "2000-01-01", None);
        let merged = |from: &Unit| LineageEdge {
            reorganisation_id: crate::ReorganisationId::new(),
            from: from.id,
            to: nw.id,
            effective_on: d("2025-07-01"),
            is_default: true,
            assumption: false,
            note: None,
        };
        let chart = OrgChart::new(
            vec![
                district.clone(),
                council.clone(),
                care.clone(),
                w1.clone(),
                w2.clone(),
                nw.clone(),
                s1.clone(),
                s2.clone(),
                s3.clone(),
            ],
            vec![
                parent_in(&council, &district, "2000-01-01", None),
                parent_in(&care, &district, "2000-01-01", None),
                parent_in(&w1, &district, "2000-01-01", Some("2025-07-01")),
                parent_in(&w2, &district, "2000-01-01", Some("2025-07-01")),
                parent_in(&nw, &district, "2025-07-01", None),
                parent_in(&s1, &w1, "2000-01-01", Some("2025-07-01")),
                parent_in(&s2, &w1, "2000-01-01", Some("2025-07-01")),
                parent_in(&s3, &w2, "2000-01-01", Some("2025-07-01")),
                parent_in(&s1, &nw, "2025-07-01", None),
                parent_in(&s2, &nw, "2025-07-01", None),
                parent_in(&s3, &nw, "2025-07-01", None),
            ],
            vec![merged(&w1), merged(&w2)],
        );
        Chart {
            chart,
            district: district.id,
            council: council.id,
            w1: w1.id,
            w2: w2.id,
            nw: nw.id,
            s1: s1.id,
            s2: s2.id,
            s3: s3.id,
        }
    }

    #[test]
    fn plan_targets_cover_every_year_and_reporting_unit() {
        let c = chart();
        let targets = plan_targets(
            &c.chart,
            PlanUnits {
                district: c.district,
                council: c.council,
            },
        );
        let name = |u: UnitId| c.chart.unit(u).unwrap().code.as_str().to_owned();
        let rows: Vec<(Option<u8>, &str, String, String, f64)> = targets
            .iter()
            .map(|t| {
                (
                    t.metric().plan_target(),
                    t.metric().as_str(),
                    name(t.scope_unit()),
                    t.period().to_string(),
                    t.value(),
                )
            })
            .collect();
        let district_year = |y: &str| {
            [
                (1, "council_meetings", "PN-HDTE", 2.0),
                (2, "forums", "PN", 1.0),
                (2, "leaders_meet_pioneers", "PN", 1.0),
                (3, "ward_dialogue_coverage", "PN", 100.0),
                (3, "school_dialogue_coverage", "PN", 100.0),
                (4, "trainings_commanders", "PN", 1.0),
                (5, "policy_consultations", "PN", 1.0),
                (6, "pioneer_leaders_trained_coverage", "PN", 100.0),
                (6, "neighbourhood_leaders_trained_coverage", "PN", 100.0),
                (7, "school_consultation_coverage", "PN", 100.0),
            ]
            .map(|(n, m, s, v)| (Some(n), m, s.to_owned(), y.to_owned(), v))
            .to_vec()
        };
        let ward = |w: &str, y: &str| {
            [
                (3, "ward_dialogue_coverage", 100.0),
                (6, "neighbourhood_leaders_trained_coverage", 100.0),
            ]
            .map(|(n, m, v)| (Some(n), m, w.to_owned(), y.to_owned(), v))
            .to_vec()
        };
        let school = |s: &str, y: &str| {
            [
                (3, "school_dialogue_coverage", 100.0),
                (6, "pioneer_leaders_trained_coverage", 100.0),
                (7, "school_consultation_coverage", 100.0),
            ]
            .map(|(n, m, v)| (Some(n), m, s.to_owned(), y.to_owned(), v))
            .to_vec()
        };
        let mut want = district_year("2024");
        want.push((
            Some(8),
            "lower_secondary_participants",
            "PN".into(),
            "2024..2027".into(),
            15_000.0,
        ));
        want.push((Some(9), "consultations", "PN".into(), "2024..2027".into(), 50_000.0));
        // 2024: the old wards; from 2025 (the wards in force at the end of
        // the year) the new one.
        want.extend(ward("W1", "2024"));
        want.extend(ward("W2", "2024"));
        for s in ["S1", "S2", "S3"] {
            want.extend(school(s, "2024"));
        }
        for y in ["2025", "2026", "2027"] {
            want.extend(district_year(y));
            want.extend(ward("NW", y));
            for s in ["S1", "S2", "S3"] {
                want.extend(school(s, y));
            }
        }
        assert_eq!(rows, want);
        assert!(
            !rows.iter().any(|r| r.2 == "PN-MA"),
            "a care centre has no target of its own"
        );

        // Every plan target, and each would pass the checks of a target
        // typed in by staff.
        let mut numbers: Vec<u8> = targets.iter().filter_map(|t| t.metric().plan_target()).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers, (1..=9).collect::<Vec<u8>>());
        for t in &targets {
            let again = Target::check(
                t.metric().as_str(),
                t.scope_unit(),
                &t.period().to_string(),
                t.value(),
                &TermCalendar::default(),
            );
            assert_eq!(again, Ok(*t));
        }
        let _ = (c.w1, c.w2, c.nw, c.s1, c.s2, c.s3);
    }

    #[test]
    fn names_round_trip() {
        crate::testing::assert_names_read_back(EventKind::ALL, EventKind::as_str, EventKind::parse);
        crate::testing::assert_names_read_back(
            TrainingAudience::ALL,
            TrainingAudience::as_str,
            TrainingAudience::parse,
        );
        let all = Metric::all();
        assert_eq!(all.len(), 13 + EventKind::ALL.len());
        for m in &all {
            assert_eq!(Metric::parse(m.as_str()), Some(*m));
        }
        let mut names: Vec<&str> = all.iter().map(|m| m.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "one name each");
        assert_eq!(
            Metric::parse("events.parents_session"),
            Some(Metric::Events(EventKind::ParentsSession))
        );
        assert_eq!(EventKind::parse("Forum"), None);
        assert_eq!(TrainingAudience::parse("teachers"), None);
        assert_eq!(Metric::parse("consultation"), None);
        assert_eq!(Metric::parse("events."), None);
        assert_eq!([Term::First, Term::Second].map(|t| t.to_string()), ["HK1", "HK2"]);
        assert_eq!(Term::from_number(2), Some(Term::Second));
        assert_eq!(Term::from_number(3), None);
    }

    #[test]
    fn every_metric_says_how_it_counts_in_both_languages() {
        for m in Metric::all() {
            let rule = m.counting_rule();
            assert!(rule.vi().len() > 20, "{}", m.as_str());
            assert!(rule.en().is_some_and(|e| e.len() > 20), "{}", m.as_str());
        }
        let spam = Metric::Consultations.counting_rule();
        assert!(spam.vi().contains("tin rác") && spam.en().unwrap().contains("spam"));
        let lower = Metric::LowerSecondaryParticipants.counting_rule();
        assert!(lower.en().unwrap().contains("headcount") && lower.en().unwrap().contains("never added"));
    }

    #[test]
    fn consultations_count_children_giving_views() {
        let counting: Vec<_> = EventKind::ALL
            .into_iter()
            .filter(|k| counts_as_consultation(*k))
            .map(EventKind::as_str)
            .collect();
        assert_eq!(
            counting,
            [
                "forum",
                "leaders_meet_pioneers",
                "dialogue",
                "council_meeting",
                "action_month",
                "care_centre_listening",
                "peoples_council_session",
                "policy_consultation",
            ]
        );
        let counts = ConsultationCounts {
            responses: 120,
            child_issues: 7,
            event_children: 45,
        };
        assert_eq!(counts.total(), 172);
        assert_eq!(ConsultationCounts::default().total(), 0);
        let huge = ConsultationCounts {
            responses: u64::MAX,
            child_issues: 1,
            event_children: 1,
        };
        assert_eq!(huge.total(), u64::MAX);
        assert!(counts_as_lower_secondary(SchoolLevel::LowerSecondary));
        assert!(!counts_as_lower_secondary(SchoolLevel::Primary));
        assert!(!counts_as_lower_secondary(SchoolLevel::UpperSecondary));
    }

    #[test]
    fn spam_and_withdrawn_issues_are_not_consultations() {
        let cases = [
            ("new", None, true),
            ("accepted", None, true),
            ("withheld", None, true),
            ("in_review", None, true),
            ("rejected", Some("off_topic"), true),
            ("rejected", Some("duplicate"), true),
            ("rejected", Some("spam"), false),
            ("withdrawn", None, false),
        ];
        for (status, reason, counts) in cases {
            assert_eq!(issue_counts(status, reason), counts, "{status} {reason:?}");
        }
    }

    #[test]
    fn metrics_know_their_units_and_quantities() {
        let coverages: Vec<_> = Metric::all()
            .into_iter()
            .filter(|m| m.is_coverage())
            .map(|m| (m.as_str(), m.unit_kind().map(UnitKind::as_str), m.quantity().as_str()))
            .collect();
        assert_eq!(
            coverages,
            [
                ("ward_dialogue_coverage", Some("ward"), "percent_of_units"),
                ("school_dialogue_coverage", Some("school"), "percent_of_units"),
                ("school_consultation_coverage", Some("school"), "percent_of_units"),
                ("pioneer_leaders_trained_coverage", Some("school"), "percent_of_units"),
                (
                    "neighbourhood_leaders_trained_coverage",
                    Some("ward"),
                    "percent_of_units"
                ),
            ]
        );
        let cases = [
            (Metric::Consultations, "consultations", true),
            (Metric::LowerSecondaryParticipants, "unique_participants", true),
            (Metric::UniqueParticipants, "unique_participants", true),
            (Metric::PolicyConsultations, "policy_consultations", false),
            (Metric::Forums, "events", false),
            (Metric::Events(EventKind::ParentsSession), "events", false),
        ];
        for (m, q, children) in cases {
            assert_eq!(
                (m.quantity().as_str(), m.quantity().counts_children()),
                (q, children),
                "{}",
                m.as_str()
            );
        }
        assert_eq!(Metric::Events(EventKind::Forum).plan_target(), None);
        assert_eq!(Metric::NeighbourhoodLeadersTrainedCoverage.plan_target(), Some(6));
    }

    #[test]
    fn attendance_is_checked_line_by_line() {
        let (a, b) = (UnitId::new(), UnitId::new());
        let codes = |r: Result<Vec<Attendance>, FieldErrors>| match r {
            Ok(_) => Vec::new(),
            Err(e) => e.0.into_iter().map(|e| (e.field, e.code)).collect::<Vec<_>>(),
        };
        let ok = check_attendance(
            EventKind::Training,
            &[
                (a, "pioneer_leaders", 1),
                (b, "pioneer_leaders", 2),
                (a, "commanders", 30),
            ],
            3,
            30,
        )
        .unwrap();
        assert_eq!(
            ok[2],
            Attendance {
                unit: a,
                role: TrainingAudience::Commanders,
                people: 30
            }
        );
        assert!(check_attendance(EventKind::Forum, &[], 0, 0).unwrap().is_empty());
        let s = |f: &str, c: &'static str| (f.to_owned(), c);
        assert_eq!(
            codes(check_attendance(EventKind::Forum, &[(a, "parents", 3)], 10, 0)),
            [s("attendance", "not_allowed")]
        );
        assert_eq!(
            codes(check_attendance(
                EventKind::Training,
                &[
                    (a, "teachers", 1),
                    (a, "parents", 0),
                    (b, "parents", 100_001),
                    (b, "parents", 1),
                    (b, "council_delegates", 5),
                ],
                20,
                4,
            )),
            [
                s("attendance[0].role", "unknown_value"),
                s("attendance[1].people", "out_of_range"),
                s("attendance[2].people", "out_of_range"),
                s("attendance[3]", "duplicate"),
                s("attendance", "does_not_add_up"),
                s("attendance", "does_not_add_up"),
            ]
        );
    }

    /// Records on days, for the measuring tests.
    fn event(kind: EventKind, unit: UnitId, day: &str, children: u64) -> EventRecord {
        EventRecord {
            kind,
            audience: None,
            unit,
            day: d(day),
            children,
            lower_secondary: None,
            attendance: Vec::new(),
            children_from: Vec::new(),
        }
    }

    fn training(
        unit: UnitId,
        day: &str,
        audience: TrainingAudience,
        attendance: &[(UnitId, TrainingAudience)],
    ) -> EventRecord {
        EventRecord {
            audience: Some(audience),
            attendance: attendance
                .iter()
                .map(|(u, r)| Attendance {
                    unit: *u,
                    role: *r,
                    people: 1,
                })
                .collect(),
            ..event(EventKind::Training, unit, day, 0)
        }
    }

    fn on(metric: Metric, scope: UnitId, period: &str) -> Target {
        Target::check(
            metric.as_str(),
            scope,
            period,
            if metric.is_coverage() { 100.0 } else { 1.0 },
            &calendar(),
        )
        .unwrap()
    }

    #[test]
    fn leaders_trained_count_where_they_came_from_not_where_it_was_held() {
        use TrainingAudience::*;
        let c = chart();
        let records = Records {
            events: vec![
                // A district training for Pioneer leaders that S1's and S3's
                // leaders attended, with S2's commanders.
                training(
                    c.district,
                    "2026-03-10",
                    PioneerLeaders,
                    &[(c.s1, PioneerLeaders), (c.s3, PioneerLeaders), (c.s2, Commanders)],
                ),
                // A training at S2 recorded without attendance: its own
                // Pioneer leaders, for 2025.
                training(c.s2, "2025-10-01", PioneerLeaders, &[]),
                // Neighbourhood leaders of old ward W1 trained in 2025.
                training(
                    c.district,
                    "2025-05-05",
                    NeighbourhoodLeaders,
                    &[(c.w1, NeighbourhoodLeaders)],
                ),
            ],
            ..Records::default()
        };
        let today = d("2026-11-25");
        let m = |metric, scope, period| measure(&on(metric, scope, period), &records, &c.chart, today);
        let year = m(Metric::PioneerLeadersTrainedCoverage, c.district, "2026");
        assert!((year.actual - 200.0 / 3.0).abs() < 1e-9, "{year:?}");
        assert_eq!(year.uncovered, [c.s2], "S2 sent commanders only");
        assert_eq!(
            year.parts
                .iter()
                .map(|p| (p.name, p.value, p.added))
                .collect::<Vec<_>>(),
            [("units_covered", 2, false), ("units_in_scope", 3, false)]
        );
        use Metric::{NeighbourhoodLeadersTrainedCoverage as Neighbourhood, PioneerLeadersTrainedCoverage as Pioneer};
        // (metric, scope, period, figure)
        let figures = [
            // For a school's own target, a district training counts too.
            (Pioneer, c.s1, "2026", 100.0),
            (Pioneer, c.s2, "2026", 0.0),
            (Pioneer, c.s2, "2025", 100.0),
            // Commanders' training: attended by S2's commanders at the district.
            (Metric::TrainingsCommanders, c.s2, "2026", 1.0),
            (Metric::TrainingsCommanders, c.s1, "2026", 0.0),
            (Metric::TrainingsCommanders, c.district, "2026", 1.0),
            // The old ward's leaders count for the ward that took it over.
            (Neighbourhood, c.nw, "2025", 100.0),
            (Neighbourhood, c.district, "2026", 0.0),
            // By term: HK2 of 2025-2026 holds the March training.
            (Pioneer, c.s3, "2025-2026-HK2", 100.0),
            (Pioneer, c.s3, "2025-2026-HK1", 0.0),
        ];
        for (metric, scope, period, figure) in figures {
            assert_eq!(m(metric, scope, period).actual, figure, "{metric:?} {period}");
        }
        let wards = m(Neighbourhood, c.district, "2025");
        assert_eq!((wards.actual, wards.uncovered.len()), (100.0, 0));
        // Before July 2025 the old wards were the ones in force.
        let h1 = m(Neighbourhood, c.district, "2025-H1");
        assert_eq!((h1.actual, h1.uncovered.clone()), (50.0, vec![c.w2]));
    }

    #[test]
    fn lower_secondary_participants_and_headcounts_are_never_added() {
        let c = chart();
        let child = |level, unit, day: &str| ResponseRecord {
            participant: uuid::Uuid::now_v7(),
            level,
            unit,
            day: d(day),
        };
        let twice = child(SchoolLevel::LowerSecondary, c.s1, "2026-02-01");
        let records = Records {
            responses: vec![
                twice,
                ResponseRecord {
                    day: d("2026-03-01"),
                    ..twice
                },
                child(SchoolLevel::LowerSecondary, c.s2, "2026-02-01"),
                child(SchoolLevel::Primary, c.s2, "2026-02-01"),
                child(SchoolLevel::LowerSecondary, c.s1, "2023-02-01"),
            ],
            issues: vec![
                IssueRecord {
                    unit: c.s1,
                    day: d("2026-04-01"),
                    participant: None,
                },
                IssueRecord {
                    unit: c.s2,
                    day: d("2026-04-01"),
                    participant: Some(twice.participant),
                },
            ],
            events: vec![
                EventRecord {
                    lower_secondary: Some(30),
                    ..event(EventKind::Forum, c.district, "2026-05-01", 50)
                },
                event(EventKind::Dialogue, c.s1, "2026-05-02", 12),
                EventRecord {
                    lower_secondary: Some(40),
                    ..event(EventKind::RightsCommunication, c.s1, "2026-05-03", 40)
                },
                event(EventKind::Training, c.s1, "2026-05-04", 9),
            ],
            ..Records::default()
        };
        let today = d("2026-11-25");
        let m = |metric, scope, period| measure(&on(metric, scope, period), &records, &c.chart, today);
        let lower = m(Metric::LowerSecondaryParticipants, c.district, "2024..2027");
        assert_eq!(lower.actual, 2.0, "the child who answered twice is one participant");
        let parts: Vec<_> = lower
            .parts
            .iter()
            .map(|p| (p.name, p.quantity.as_str(), p.value, p.added))
            .collect();
        assert_eq!(
            parts,
            [
                ("unique_participants", "unique_participants", 2, true),
                ("event_headcount", "headcount", 30, false),
                ("event_headcount_school_level_not_entered", "headcount", 12, false),
            ]
        );
        assert_eq!(
            m(Metric::UniqueParticipants, c.district, "2026").actual,
            3.0,
            "the child raising an issue answered too"
        );
        // Consultations add occasions: 4 responses, 2 issues, 62 children
        // at consultation events (not the communication event, not the
        // training).
        let all = m(Metric::Consultations, c.district, "2026");
        assert_eq!(all.actual, 68.0);
        let parts: Vec<_> = all.parts.iter().map(|p| (p.name, p.value, p.added)).collect();
        assert_eq!(
            parts,
            [
                ("survey_responses", 4, true),
                ("issues", 2, true),
                ("event_attendance", 62, true)
            ]
        );
        // At one school: its own records only.
        assert_eq!(m(Metric::Consultations, c.s1, "2026").actual, 2.0 + 1.0 + 12.0);
        // A period not begun counts nothing.
        assert_eq!(m(Metric::Consultations, c.district, "2027").actual, 0.0);
        assert_eq!(
            m(Metric::Events(EventKind::RightsCommunication), c.district, "2026").actual,
            1.0
        );
    }

    #[test]
    fn a_schools_children_at_a_district_forum_count_for_the_school_and_never_twice() {
        let c = chart();
        let forum = EventRecord {
            lower_secondary: Some(50),
            children_from: vec![
                ChildrenFrom {
                    unit: c.s1,
                    children: 30,
                    lower_secondary: Some(25),
                },
                ChildrenFrom {
                    unit: c.s2,
                    children: 10,
                    lower_secondary: None,
                },
            ],
            ..event(EventKind::Forum, c.district, "2026-05-01", 80)
        };
        // A training held at the district with children from a school is
        // not a consultation, wherever they came from.
        let training = EventRecord {
            children_from: vec![ChildrenFrom {
                unit: c.s1,
                children: 5,
                lower_secondary: None,
            }],
            ..event(EventKind::Training, c.district, "2026-05-02", 5)
        };
        let records = Records {
            events: vec![forum, training],
            ..Records::default()
        };
        let today = d("2026-11-25");
        let m = |metric, scope, period| measure(&on(metric, scope, period), &records, &c.chart, today);
        assert_eq!(
            m(Metric::Consultations, c.district, "2026").actual,
            80.0,
            "held here: all, once"
        );
        assert_eq!(
            m(Metric::Consultations, c.nw, "2026").actual,
            40.0,
            "its schools' children"
        );
        assert_eq!(m(Metric::Consultations, c.s1, "2026").actual, 30.0);
        assert_eq!(m(Metric::Consultations, c.s2, "2026").actual, 10.0);
        assert_eq!(m(Metric::Consultations, c.s3, "2026").actual, 0.0);
        assert_eq!(
            m(Metric::Consultations, c.s1, "2025").actual,
            0.0,
            "on the day it was held"
        );
        let parts = |scope| {
            m(Metric::LowerSecondaryParticipants, scope, "2026")
                .parts
                .iter()
                .map(|p| (p.name, p.value))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            parts(c.nw),
            [
                ("unique_participants", 0),
                ("event_headcount", 25),
                ("event_headcount_school_level_not_entered", 10)
            ]
        );
        assert_eq!(
            parts(c.district),
            [
                ("unique_participants", 0),
                ("event_headcount", 50),
                ("event_headcount_school_level_not_entered", 0)
            ]
        );
        // Attending is not holding: the school held no dialogue.
        assert_eq!(m(Metric::SchoolConsultationCoverage, c.s1, "2026").actual, 0.0);
    }

    #[test]
    fn policy_consultations_count_however_they_were_held() {
        let c = chart();
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let answer = |survey, unit, day: &str| PolicyAnswer {
            survey,
            unit,
            day: d(day),
        };
        let records = Records {
            policy_answers: vec![
                answer(a, c.district, "2026-03-01"),
                answer(a, c.district, "2026-03-02"),
                answer(b, c.s1, "2025-12-30"),
            ],
            events: vec![
                event(EventKind::PolicyConsultation, c.nw, "2026-04-01", 25),
                event(EventKind::PeoplesCouncilSession, c.district, "2026-04-02", 3),
            ],
            ..Records::default()
        };
        let today = d("2026-11-25");
        let m = |scope, period| {
            measure(
                &on(Metric::PolicyConsultations, scope, period),
                &records,
                &c.chart,
                today,
            )
        };
        let year = m(c.district, "2026");
        assert_eq!(year.actual, 2.0, "one survey answered on two days, one in a room");
        assert_eq!(
            year.parts.iter().map(|p| (p.name, p.value)).collect::<Vec<_>>(),
            [("surveys", 1), ("events", 1)]
        );
        assert_eq!(
            m(c.district, "2026-WY").actual,
            3.0,
            "the work year began in December 2025"
        );
        assert_eq!(m(c.nw, "2026").actual, 1.0);
    }

    #[test]
    fn school_consultation_counts_sessions_and_dialogues_of_old_units_for_their_successors() {
        let c = chart();
        let records = Records {
            sessions: vec![SessionRecord {
                unit: c.s1,
                first_day: d("2025-12-30"),
                last_day: d("2026-01-02"),
            }],
            events: vec![
                event(EventKind::Dialogue, c.s3, "2026-02-01", 10),
                event(EventKind::Dialogue, c.w2, "2025-02-01", 10),
            ],
            ..Records::default()
        };
        let today = d("2026-11-25");
        let m = |metric, scope, period| measure(&on(metric, scope, period), &records, &c.chart, today);
        let schools = m(Metric::SchoolConsultationCoverage, c.district, "2026");
        assert_eq!(schools.uncovered, [c.s2]);
        assert_eq!(
            m(Metric::SchoolDialogueCoverage, c.district, "2026").uncovered,
            [c.s1, c.s2]
        );
        // Old ward W2's dialogue in February 2025 counts for NW in 2025.
        assert_eq!(m(Metric::WardDialogueCoverage, c.district, "2025").actual, 100.0);
        assert_eq!(m(Metric::WardDialogueCoverage, c.district, "2026").actual, 0.0);
        assert_eq!(m(Metric::WardDialogueCoverage, c.district, "2025-Q1").uncovered, [c.w1]);
    }

    #[test]
    fn only_a_training_has_an_audience() {
        let code = |kind, audience| check_audience(kind, audience).err().map(|e| e.0[0].code);
        assert_eq!(code(EventKind::Training, Some(TrainingAudience::Parents)), None);
        assert_eq!(code(EventKind::Training, None), Some("required"));
        assert_eq!(code(EventKind::Forum, None), None);
        assert_eq!(
            code(EventKind::Forum, Some(TrainingAudience::Commanders)),
            Some("not_allowed")
        );
    }

    fn any_target() -> impl Strategy<Value = Target> {
        let periods = [
            "2024..2027",
            "2026",
            "2026-H1",
            "2026-H2",
            "2026-Q3",
            "2026-11",
            "2027-02",
        ];
        let all = Metric::all();
        (0..all.len(), 0..periods.len(), 0u32..=100).prop_map(move |(m, p, v)| {
            Target::check(
                all[m].as_str(),
                UnitId::new(),
                periods[p],
                f64::from(v),
                &TermCalendar::default(),
            )
            .unwrap()
        })
    }

    proptest! {
        #[test]
        fn more_actual_never_gives_a_worse_status(
            target in any_target(),
            day in 0i64..2200,
            a in 0.0f64..150.0,
            b in 0.0f64..150.0,
        ) {
            let today = d("2023-06-01") + chrono::Duration::days(day);
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            let (worse, better) = (status(&target, low, today), status(&target, high, today));
            prop_assert!(worse <= better, "{low} → {worse:?}, {high} → {better:?} on {today}");
            prop_assert_eq!(progress(&target, high, today).status, better);
        }
    }
}

/// A response that counts (not withdrawn), on the local day it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseRecord {
    pub participant: uuid::Uuid,
    pub level: SchoolLevel,
    pub unit: UnitId,
    pub day: NaiveDate,
}

/// An issue a child raised that counts ([`issue_counts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssueRecord {
    pub unit: UnitId,
    pub day: NaiveDate,
    /// The child's pseudonym (gone once the child's data was erased).
    pub participant: Option<uuid::Uuid>,
}

/// An event as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub kind: EventKind,
    pub audience: Option<TrainingAudience>,
    /// Where it was held.
    pub unit: UnitId,
    pub day: NaiveDate,
    /// Children attending (a headcount).
    pub children: u64,
    /// Of whom lower-secondary, from the school levels entered; `None`
    /// when no breakdown by school level was entered.
    pub lower_secondary: Option<u64>,
    /// Who attended a training, by unit and role (empty: not recorded).
    pub attendance: Vec<Attendance>,
    /// Children of units below where it was held (a school's children at
    /// a district forum), as their units entered them: among `children`.
    pub children_from: Vec<ChildrenFrom>,
}

/// Children of one unit at an event held above it, as the unit's
/// facilitator entered them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildrenFrom {
    pub unit: UnitId,
    pub children: u64,
    /// Of whom lower-secondary, when the school levels were entered.
    pub lower_secondary: Option<u64>,
}

/// Children at an event who count in a scope: (children, lower-secondary
/// from the school levels entered, children whose school level was not
/// entered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Headcount {
    pub children: u64,
    pub lower_secondary: u64,
    pub level_not_entered: u64,
}

impl EventRecord {
    /// The children at this event who count in a scope (the units in
    /// `counting`): all of them when it was held in the scope; else those
    /// of the units in the scope that entered their children
    /// ([`ChildrenFrom`]), so that a school's children at a district forum
    /// count for the school, its ward and the district, and never twice.
    pub fn headcount_in(&self, counting: &HashSet<UnitId>) -> Headcount {
        let one = |children: u64, lower: Option<u64>| Headcount {
            children,
            lower_secondary: lower.unwrap_or(0),
            level_not_entered: if lower.is_none() { children } else { 0 },
        };
        if counting.contains(&self.unit) {
            return one(self.children, self.lower_secondary);
        }
        let mut h = Headcount::default();
        for c in self.children_from.iter().filter(|c| counting.contains(&c.unit)) {
            let part = one(c.children, c.lower_secondary);
            h.children += part.children;
            h.lower_secondary += part.lower_secondary;
            h.level_not_entered += part.level_not_entered;
        }
        h
    }

    /// The units and roles a training was attended by: the lines recorded,
    /// or, when none were, its own unit for its audience (a training held
    /// at a school for its Pioneer leaders trained them).
    pub fn attendees(&self) -> Vec<(UnitId, TrainingAudience)> {
        if self.kind != EventKind::Training {
            return Vec::new();
        }
        if self.attendance.is_empty() {
            return self.audience.map(|a| (self.unit, a)).into_iter().collect();
        }
        self.attendance.iter().map(|a| (a.unit, a.role)).collect()
    }
}

/// A consultation session that was open on the local days
/// `first_day..=last_day`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRecord {
    pub unit: UnitId,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// A policy-consultation survey, owned by `unit`, answered on `day`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyAnswer {
    pub survey: uuid::Uuid,
    pub unit: UnitId,
    pub day: NaiveDate,
}

/// Everything progress is measured from, as recorded (units as recorded,
/// old ones included): gathered once for a set of targets and measured
/// for each by [`measure`].
#[derive(Debug, Clone, Default)]
pub struct Records {
    pub responses: Vec<ResponseRecord>,
    pub issues: Vec<IssueRecord>,
    /// Every event in the days asked for, wherever held (a training held
    /// elsewhere counts for the units whose people attended it).
    pub events: Vec<EventRecord>,
    pub sessions: Vec<SessionRecord>,
    pub policy_answers: Vec<PolicyAnswer>,
}

/// One part of a measured figure: what it counts, and whether it is added
/// up into the actual. Parts of different quantities are never added:
/// a headcount beside unique participants is shown, not summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// One of [`Part::NAMES`].
    pub name: &'static str,
    /// One of [`Part::QUANTITIES`].
    pub quantity: Quantity,
    pub value: u64,
    pub added: bool,
}

impl Part {
    /// Every part [`measure`] shows, so that readers can list them.
    pub const NAMES: [&'static str; 10] = [
        "survey_responses",
        "issues",
        "event_attendance",
        "unique_participants",
        "event_headcount",
        "event_headcount_school_level_not_entered",
        "surveys",
        "events",
        "units_covered",
        "units_in_scope",
    ];

    /// What the parts [`measure`] shows count.
    pub const QUANTITIES: [Quantity; 5] = [
        Quantity::Consultations,
        Quantity::UniqueParticipants,
        Quantity::Headcount,
        Quantity::PolicyConsultations,
        Quantity::Units,
    ];
}

/// A measured figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub actual: f64,
    /// What the actual is made of, and what is shown beside it.
    pub parts: Vec<Part>,
    /// For coverage metrics: the units not yet covered, by code.
    pub uncovered: Vec<UnitId>,
}

/// Measures `target` from `records` with the plan's counting rules (each
/// metric's [`Metric::counting_rule`]), from the start of its period to
/// its end or `today` if earlier. Records count within the target's scope
/// as the organisation stands on that day: the units at or below its scope
/// unit, and the old units whose history they took over
/// ([`OrgChart::counting_for`]). Coverage is of the units of the metric's
/// kind in force that day, an old unit's records counting for its default
/// successor. A period not yet begun counts nothing.
pub fn measure(target: &Target, records: &Records, chart: &OrgChart, today: NaiveDate) -> Measured {
    let period = target.period();
    let from = period.first_day();
    let to = period.last_day().min(today);
    let as_of = to.max(from);
    let scope = target.scope_unit();
    let counting: &HashSet<UnitId> = &chart.counting_for(scope, as_of).into_iter().collect();
    let in_range = |day: NaiveDate| from <= day && day <= to;
    let here = |u: UnitId, day: NaiveDate| chart.counts_toward(u, as_of.max(day)).unwrap_or(u);
    let events = || {
        records
            .events
            .iter()
            .filter(move |e| in_range(e.day) && counting.contains(&e.unit))
    };
    // Consultation events held in range whose children count in scope:
    // held in it, or attended by children of units in it.
    let consulting = || {
        records
            .events
            .iter()
            .filter(move |e| in_range(e.day) && counts_as_consultation(e.kind))
    };
    let part = |name: &'static str, quantity, value: u64, added| {
        debug_assert!(Part::NAMES.contains(&name), "{name} is not in Part::NAMES");
        debug_assert!(
            Part::QUANTITIES.contains(&quantity),
            "{quantity:?} is not in Part::QUANTITIES"
        );
        Part {
            name,
            quantity,
            value,
            added,
        }
    };
    let plain = |actual: u64, parts: Vec<Part>| Measured {
        actual: actual as f64,
        parts,
        uncovered: Vec::new(),
    };
    let responses = || {
        records
            .responses
            .iter()
            .filter(|r| in_range(r.day) && counting.contains(&r.unit))
    };
    let metric = target.metric();
    match metric {
        Metric::Consultations => {
            let counts = ConsultationCounts {
                responses: responses().count() as u64,
                child_issues: records
                    .issues
                    .iter()
                    .filter(|i| in_range(i.day) && counting.contains(&i.unit))
                    .count() as u64,
                event_children: consulting().map(|e| e.headcount_in(counting).children).sum(),
            };
            plain(
                counts.total(),
                vec![
                    part("survey_responses", Quantity::Consultations, counts.responses, true),
                    part("issues", Quantity::Consultations, counts.child_issues, true),
                    part("event_attendance", Quantity::Headcount, counts.event_children, true),
                ],
            )
        }
        Metric::LowerSecondaryParticipants | Metric::UniqueParticipants => {
            let lower_only = metric == Metric::LowerSecondaryParticipants;
            let mut distinct: HashSet<uuid::Uuid> = responses()
                .filter(|r| !lower_only || counts_as_lower_secondary(r.level))
                .map(|r| r.participant)
                .collect();
            if !lower_only {
                // An issue carries no school level: it counts for every
                // level only.
                distinct.extend(
                    records
                        .issues
                        .iter()
                        .filter(|i| in_range(i.day) && counting.contains(&i.unit))
                        .filter_map(|i| i.participant),
                );
            }
            let n = distinct.len() as u64;
            if !lower_only {
                return plain(n, Vec::new());
            }
            let heads: Vec<Headcount> = consulting().map(|e| e.headcount_in(counting)).collect();
            let entered: u64 = heads.iter().map(|h| h.lower_secondary).sum();
            let unknown: u64 = heads.iter().map(|h| h.level_not_entered).sum();
            plain(
                n,
                vec![
                    part("unique_participants", Quantity::UniqueParticipants, n, true),
                    part("event_headcount", Quantity::Headcount, entered, false),
                    part(
                        "event_headcount_school_level_not_entered",
                        Quantity::Headcount,
                        unknown,
                        false,
                    ),
                ],
            )
        }
        Metric::PolicyConsultations => {
            let surveys: HashSet<uuid::Uuid> = records
                .policy_answers
                .iter()
                .filter(|a| in_range(a.day) && counting.contains(&a.unit))
                .map(|a| a.survey)
                .collect();
            let held = events().filter(|e| e.kind == EventKind::PolicyConsultation).count() as u64;
            let surveys = surveys.len() as u64;
            plain(
                surveys + held,
                vec![
                    part("surveys", Quantity::PolicyConsultations, surveys, true),
                    part("events", Quantity::PolicyConsultations, held, true),
                ],
            )
        }
        Metric::TrainingsCommanders => {
            let commanders = TrainingAudience::Commanders;
            let n = records
                .events
                .iter()
                .filter(|e| in_range(e.day) && e.kind == EventKind::Training)
                .filter(|e| {
                    let attendees = e.attendees();
                    let held_here = counting.contains(&e.unit)
                        && (e.audience == Some(commanders) || attendees.iter().any(|(_, r)| *r == commanders));
                    held_here || attendees.iter().any(|(u, r)| *r == commanders && counting.contains(u))
                })
                .count();
            plain(n as u64, Vec::new())
        }
        Metric::CouncilMeetings => plain(
            events().filter(|e| e.kind == EventKind::CouncilMeeting).count() as u64,
            Vec::new(),
        ),
        Metric::Forums => plain(
            events().filter(|e| e.kind == EventKind::Forum).count() as u64,
            Vec::new(),
        ),
        Metric::LeadersMeetPioneers => plain(
            events().filter(|e| e.kind == EventKind::LeadersMeetPioneers).count() as u64,
            Vec::new(),
        ),
        Metric::Events(kind) => plain(events().filter(|e| e.kind == kind).count() as u64, Vec::new()),
        Metric::WardDialogueCoverage
        | Metric::SchoolDialogueCoverage
        | Metric::SchoolConsultationCoverage
        | Metric::PioneerLeadersTrainedCoverage
        | Metric::NeighbourhoodLeadersTrainedCoverage => {
            let mut covered: HashSet<UnitId> = HashSet::new();
            if let Some(role) = metric.trained_role() {
                // Wherever the training was held: the units whose people
                // of the role attended it.
                for e in records.events.iter().filter(|e| in_range(e.day)) {
                    for (u, r) in e.attendees() {
                        if r == role && counting.contains(&u) {
                            covered.insert(here(u, e.day));
                        }
                    }
                }
            } else {
                covered.extend(
                    events()
                        .filter(|e| e.kind == EventKind::Dialogue)
                        .map(|e| here(e.unit, e.day)),
                );
                if metric == Metric::SchoolConsultationCoverage {
                    covered.extend(
                        records
                            .sessions
                            .iter()
                            .filter(|s| s.first_day <= to && s.last_day >= from && counting.contains(&s.unit))
                            .map(|s| here(s.unit, as_of)),
                    );
                }
            }
            let kind = metric.unit_kind();
            let mut to_cover: Vec<&crate::org::Unit> = chart
                .in_force_on(as_of)
                .filter(|u| Some(u.kind) == kind && chart.is_within(u.id, scope, as_of))
                .collect();
            to_cover.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
            let total = to_cover.len();
            let uncovered: Vec<UnitId> = to_cover.iter().map(|u| u.id).filter(|u| !covered.contains(u)).collect();
            let done = total - uncovered.len();
            Measured {
                actual: coverage(done, total),
                parts: vec![
                    part("units_covered", Quantity::Units, done as u64, false),
                    part("units_in_scope", Quantity::Units, total as u64, false),
                ],
                uncovered,
            }
        }
    }
}

/// Whether a role records events of a kind: admins and facilitators every
/// kind (a facilitator for their own unit), a moderator of the Children's
/// Council its meetings only; nobody else records events.
pub fn may_record(role: crate::account::Role, kind: EventKind) -> bool {
    use crate::account::Role;
    match role {
        Role::Admin | Role::Facilitator => true,
        Role::Moderator => kind == EventKind::CouncilMeeting,
        _ => false,
    }
}

/// Checks a breakdown of the children attending an event (by age band or
/// school level): known groups, no negative counts, adding up to the total.
pub fn check_breakdown(
    field: &str,
    children: i32,
    parts: &[(String, i32)],
    known: &dyn Fn(&str) -> bool,
) -> crate::FieldErrors {
    let mut errors = crate::FieldErrors::new();
    let mut sum: i64 = 0;
    for (group, count) in parts {
        if !known(group) {
            errors.push(format!("{field}.{group}"), "unknown_value", "not a known group");
        }
        if *count < 0 {
            errors.push(format!("{field}.{group}"), "out_of_range", "a count of children");
        }
        sum += i64::from(*count);
    }
    if sum != i64::from(children) {
        errors.push(
            field,
            "does_not_add_up",
            format!("adds up to {sum}, not children_attending ({children})"),
        );
    }
    errors
}

#[cfg(test)]
mod breakdown_tests {
    use super::*;

    #[test]
    fn moderators_record_council_meetings_only() {
        use crate::account::Role;
        for kind in EventKind::ALL {
            assert!(may_record(Role::Admin, kind) && may_record(Role::Facilitator, kind));
            assert_eq!(may_record(Role::Moderator, kind), kind == EventKind::CouncilMeeting);
            assert!(!may_record(Role::SafeguardingOfficer, kind) && !may_record(Role::AgencyStaff, kind));
        }
    }

    #[test]
    fn breakdowns_must_add_up_to_the_attendance() {
        let known = |g: &str| g == "6-8" || g == "9-11";
        let parts = |v: &[(&str, i32)]| v.iter().map(|(g, c)| (g.to_string(), *c)).collect::<Vec<_>>();
        assert!(check_breakdown("b", 10, &parts(&[("6-8", 4), ("9-11", 6)]), &known).is_empty());
        let codes = |e: crate::FieldErrors| e.0.into_iter().map(|e| (e.field, e.code)).collect::<Vec<_>>();
        assert_eq!(
            codes(check_breakdown("b", 10, &parts(&[("6-8", -1), ("3-5", 2)]), &known)),
            [
                ("b.6-8".to_string(), "out_of_range"),
                ("b.3-5".to_string(), "unknown_value"),
                ("b".to_string(), "does_not_add_up")
            ]
        );
    }
}
