//! The district plan 2024–2027 as data: reporting periods, the offline
//! events the plan asks for, the metrics that measure its nine targets, and
//! the rule that says whether a target is met, on track or behind.

use std::fmt;

use chrono::NaiveDate;

use crate::consultation::SchoolLevel;
use crate::org::UnitKind;
use crate::{FieldErrors, UnitId};

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
}

/// A reporting period: a closed range of local days, named by its text
/// form (`2026`, `2026-H1`, `2026-Q3`, `2026-11`, `2024..2027`). Every value
/// is one of those forms with years in [`YEARS`]; `to_string` gives the form
/// back and [`Period::parse`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    span: Span,
    first: NaiveDate,
    last: NaiveDate,
}

/// Why text is not a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("a period is written YYYY, YYYY-H1, YYYY-Q1, YYYY-MM or YYYY..YYYY")]
    Malformed,
    #[error("the year {0} is outside 2000 to 2100")]
    YearOutOfRange(i32),
    #[error("a half is H1 or H2, a quarter Q1 to Q4, a month 01 to 12")]
    PartOutOfRange,
    #[error("a range of years runs from an earlier year to a later one")]
    RangeNotIncreasing,
}

impl Period {
    /// Reads the text form. Strict: no spaces, upper-case `H` and `Q`,
    /// four-digit years, two-digit months, and `2026..2026` is written
    /// `2026`, so that each period has exactly one spelling.
    pub fn parse(raw: &str) -> Result<Period, PeriodError> {
        if let Some((first, last)) = raw.split_once("..") {
            return Period::years(year_digits(first)?, year_digits(last)?);
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

    /// Whether the period is a single month (shorter than a quarter).
    pub fn is_month(&self) -> bool {
        matches!(self.span, Span::Month(..))
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

    fn from_span(span: Span) -> Result<Period, PeriodError> {
        let check_year = |y: i32| {
            if YEARS.contains(&y) {
                Ok(y)
            } else {
                Err(PeriodError::YearOutOfRange(y))
            }
        };
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

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Span::Year(y) => write!(f, "{y}"),
            Span::Half(y, h) => write!(f, "{y}-H{h}"),
            Span::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Span::Month(y, m) => write!(f, "{y}-{m:02}"),
            Span::Years(a, b) => write!(f, "{a}..{b}"),
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
    /// has a [`TrainingAudience`] and is not a consultation.
    Training,
    /// Action Month for Children, June each year.
    ActionMonth,
    /// A "listening to children's voices" session in a care centre.
    CareCentreListening,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        EventKind::Forum,
        EventKind::LeadersMeetPioneers,
        EventKind::Dialogue,
        EventKind::CouncilMeeting,
        EventKind::Training,
        EventKind::ActionMonth,
        EventKind::CareCentreListening,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Forum => "forum",
            EventKind::LeadersMeetPioneers => "leaders_meet_pioneers",
            EventKind::Dialogue => "dialogue",
            EventKind::CouncilMeeting => "council_meeting",
            EventKind::Training => "training",
            EventKind::ActionMonth => "action_month",
            EventKind::CareCentreListening => "care_centre_listening",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether each child attending counts as one consultation (target 9):
    /// every kind where children give their views, that is all but training.
    pub fn is_consultation(self) -> bool {
        self != EventKind::Training
    }
}

/// Who a training is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrainingAudience {
    /// Pioneer leaders (Tổng phụ trách Đội) and neighbourhood children's
    /// leaders (target 6).
    PioneerLeaders,
    /// Pioneer commanders and core members, who are children (target 4).
    Commanders,
    /// Delegates of the Children's Council.
    CouncilDelegates,
    /// Parents and carers ("Phụ huynh - Bạn đồng hành cùng con").
    Parents,
}

impl TrainingAudience {
    pub const ALL: [TrainingAudience; 4] = [
        TrainingAudience::PioneerLeaders,
        TrainingAudience::Commanders,
        TrainingAudience::CouncilDelegates,
        TrainingAudience::Parents,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TrainingAudience::PioneerLeaders => "pioneer_leaders",
            TrainingAudience::Commanders => "commanders",
            TrainingAudience::CouncilDelegates => "council_delegates",
            TrainingAudience::Parents => "parents",
        }
    }

    pub fn parse(s: &str) -> Option<TrainingAudience> {
        TrainingAudience::ALL.into_iter().find(|a| a.as_str() == s)
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

/// The events a metric counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFilter {
    pub kind: EventKind,
    /// `None`: any audience (and events other than trainings have none).
    pub audience: Option<TrainingAudience>,
}

impl EventFilter {
    pub fn matches(self, kind: EventKind, audience: Option<TrainingAudience>) -> bool {
        self.kind == kind && self.audience.is_none_or(|a| audience == Some(a))
    }
}

/// What a target measures. Counts are numbers of things in the period;
/// coverages are the percentage (0 to 100) of units of one kind within the
/// target's scope, in force on the period's last day (or today, if
/// earlier), that did something in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Target 9: consultations ("lượt", one child giving views once): each
    /// response not withdrawn, plus each issue a child raised, plus each
    /// child attending an event that [`EventKind::is_consultation`]. See
    /// [`ConsultationCounts`].
    Consultations,
    /// Target 8: distinct participants (pseudonyms) whose school level is
    /// [`SchoolLevel::LowerSecondary`] and who responded or raised an issue.
    /// Event attendance is anonymous headcount, so it is reported beside
    /// this figure and never added to it.
    LowerSecondaryParticipants,
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
    /// Target 4: trainings for Pioneer commanders and core members.
    TrainingsCommanders,
    /// Target 6: % of school units that held a training for Pioneer
    /// leaders. Neighbourhood children's leaders have no unit of their own,
    /// so they are counted in the trainings, not in this coverage.
    PioneerLeadersTrainedCoverage,
    /// Target 5: published surveys of kind `policy_consultation` with at
    /// least one response (not withdrawn) given in the period.
    PolicyConsultations,
}

impl Metric {
    pub const ALL: [Metric; 11] = [
        Metric::Consultations,
        Metric::LowerSecondaryParticipants,
        Metric::WardDialogueCoverage,
        Metric::SchoolDialogueCoverage,
        Metric::SchoolConsultationCoverage,
        Metric::CouncilMeetings,
        Metric::Forums,
        Metric::LeadersMeetPioneers,
        Metric::TrainingsCommanders,
        Metric::PioneerLeadersTrainedCoverage,
        Metric::PolicyConsultations,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Consultations => "consultations",
            Metric::LowerSecondaryParticipants => "lower_secondary_participants",
            Metric::WardDialogueCoverage => "ward_dialogue_coverage",
            Metric::SchoolDialogueCoverage => "school_dialogue_coverage",
            Metric::SchoolConsultationCoverage => "school_consultation_coverage",
            Metric::CouncilMeetings => "council_meetings",
            Metric::Forums => "forums",
            Metric::LeadersMeetPioneers => "leaders_meet_pioneers",
            Metric::TrainingsCommanders => "trainings_commanders",
            Metric::PioneerLeadersTrainedCoverage => "pioneer_leaders_trained_coverage",
            Metric::PolicyConsultations => "policy_consultations",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// A percentage of units (0 to 100) rather than a count.
    pub fn is_coverage(self) -> bool {
        self.unit_kind().is_some()
    }

    /// The kind of unit a coverage is a percentage of; `None` for counts.
    pub fn unit_kind(self) -> Option<UnitKind> {
        match self {
            Metric::WardDialogueCoverage => Some(UnitKind::Ward),
            Metric::SchoolDialogueCoverage
            | Metric::SchoolConsultationCoverage
            | Metric::PioneerLeadersTrainedCoverage => Some(UnitKind::School),
            _ => None,
        }
    }

    /// The events that count toward this metric, when it is about one kind
    /// of event. `None` for consultations (every consultation kind, see
    /// [`EventKind::is_consultation`]), lower-secondary participants and
    /// policy consultations (no events). For school consultation coverage
    /// a session counts besides these events.
    pub fn event_filter(self) -> Option<EventFilter> {
        let only = |kind| Some(EventFilter { kind, audience: None });
        let training = |audience| {
            Some(EventFilter {
                kind: EventKind::Training,
                audience: Some(audience),
            })
        };
        match self {
            Metric::WardDialogueCoverage | Metric::SchoolDialogueCoverage | Metric::SchoolConsultationCoverage => {
                only(EventKind::Dialogue)
            }
            Metric::CouncilMeetings => only(EventKind::CouncilMeeting),
            Metric::Forums => only(EventKind::Forum),
            Metric::LeadersMeetPioneers => only(EventKind::LeadersMeetPioneers),
            Metric::TrainingsCommanders => training(TrainingAudience::Commanders),
            Metric::PioneerLeadersTrainedCoverage => training(TrainingAudience::PioneerLeaders),
            Metric::Consultations | Metric::LowerSecondaryParticipants | Metric::PolicyConsultations => None,
        }
    }

    /// The number (1 to 9) of the plan's target this metric measures.
    pub fn plan_target(self) -> u8 {
        match self {
            Metric::CouncilMeetings => 1,
            Metric::Forums | Metric::LeadersMeetPioneers => 2,
            Metric::WardDialogueCoverage | Metric::SchoolDialogueCoverage => 3,
            Metric::TrainingsCommanders => 4,
            Metric::PolicyConsultations => 5,
            Metric::PioneerLeadersTrainedCoverage => 6,
            Metric::SchoolConsultationCoverage => 7,
            Metric::LowerSecondaryParticipants => 8,
            Metric::Consultations => 9,
        }
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
    /// `period` and `value`.
    pub fn check(metric: &str, scope_unit: UnitId, period: &str, value: f64) -> Result<Target, FieldErrors> {
        let mut errors = FieldErrors::new();
        let metric = if metric.is_empty() {
            errors.push("metric", "required", "the metric is required");
            None
        } else {
            let parsed = Metric::parse(metric);
            if parsed.is_none() {
                let names: Vec<_> = Metric::ALL.iter().map(|m| m.as_str()).collect();
                errors.push("metric", "unknown_value", format!("one of {}", names.join(", ")));
            }
            parsed
        };
        let period = if period.is_empty() {
            errors.push("period", "required", "the period is required");
            None
        } else {
            Period::parse(period)
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

/// The plan's targets as data, measured in the district (the Children's
/// Council for its meetings). Yearly targets are for `year`, taken into
/// the plan's years (2024–2027): the plan sets nothing before or after,
/// and after it ends its last year is the one to report.
///
/// Nine plan targets give eleven rows: target 2 names two events and
/// target 3 both wards and school units, each measured on its own.
pub fn plan_targets(district: UnitId, council: UnitId, year: i32) -> Vec<Target> {
    let year = match year.clamp(PLAN_FIRST_YEAR, PLAN_LAST_YEAR) {
        2024 => PLAN_YEAR_PERIODS[0],
        2025 => PLAN_YEAR_PERIODS[1],
        2026 => PLAN_YEAR_PERIODS[2],
        _ => PLAN_YEAR_PERIODS[3],
    };
    let target = |metric, scope_unit, period, value| Target {
        metric,
        scope_unit,
        period,
        value,
    };
    vec![
        // 1. A district Children's Council exists and meets twice a year.
        target(Metric::CouncilMeetings, council, year, 2.0),
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
        // 6. Every year, 100% of Pioneer leaders are trained.
        target(Metric::PioneerLeadersTrainedCoverage, district, year, 100.0),
        // 7. 100% of school units consult children on school decisions;
        //    read as every year, since children and decisions change yearly.
        target(Metric::SchoolConsultationCoverage, district, year, 100.0),
        // 8. By 2027, at least 15,000 lower-secondary teenagers took part.
        target(Metric::LowerSecondaryParticipants, district, PLAN_PERIOD, 15_000.0),
        // 9. By 2027, at least 50,000 child consultations.
        target(Metric::Consultations, district, PLAN_PERIOD, 50_000.0),
    ]
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

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Behind => "behind",
            Status::OnTrack => "on_track",
            Status::Met => "met",
        }
    }
}

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
    /// Issues raised by children (not by staff on their behalf).
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn target(metric: Metric, period: &str, value: f64) -> Target {
        Target::check(metric.as_str(), UnitId::new(), period, value).unwrap()
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
        ];
        for (raw, first, last, days) in cases {
            let p = Period::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(
                (p.first_day(), p.last_day(), p.days()),
                (d(first), d(last), days),
                "{raw}"
            );
            assert_eq!(p.to_string(), raw);
            assert_eq!(Period::parse(&p.to_string()), Ok(p));
        }
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
        ];
        for (raw, want) in cases {
            assert_eq!(Period::parse(raw), Err(want), "{raw:?}");
        }
        assert_eq!(Period::half(2026, 3), Err(PartOutOfRange));
        assert_eq!(Period::years(2026, 2026), Err(RangeNotIncreasing));
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
            match Target::check(metric, UnitId::new(), period, value) {
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
        let t = Target::check("forums", unit, "2026-H2", 1.0).unwrap();
        assert_eq!(
            (t.metric(), t.scope_unit(), t.period().to_string(), t.value()),
            (Metric::Forums, unit, "2026-H2".to_owned(), 1.0)
        );
    }

    #[test]
    fn plan_targets_are_the_plans_nine() {
        let (district, council) = (UnitId::new(), UnitId::new());
        let targets = plan_targets(district, council, 2026);
        let rows: Vec<_> = targets
            .iter()
            .map(|t| {
                let scope = if t.scope_unit() == council {
                    "council"
                } else {
                    "district"
                };
                (
                    t.metric().plan_target(),
                    t.metric().as_str(),
                    scope,
                    t.period().to_string(),
                    t.value(),
                )
            })
            .collect();
        let want = [
            (1, "council_meetings", "council", "2026", 2.0),
            (2, "forums", "district", "2026", 1.0),
            (2, "leaders_meet_pioneers", "district", "2026", 1.0),
            (3, "ward_dialogue_coverage", "district", "2026", 100.0),
            (3, "school_dialogue_coverage", "district", "2026", 100.0),
            (4, "trainings_commanders", "district", "2026", 1.0),
            (5, "policy_consultations", "district", "2026", 1.0),
            (6, "pioneer_leaders_trained_coverage", "district", "2026", 100.0),
            (7, "school_consultation_coverage", "district", "2026", 100.0),
            (8, "lower_secondary_participants", "district", "2024..2027", 15_000.0),
            (9, "consultations", "district", "2024..2027", 50_000.0),
        ]
        .map(|(n, m, s, p, v)| (n, m, s, p.to_owned(), v));
        assert_eq!(rows, want);

        // Exactly the plan's nine targets, and every metric measures one.
        let mut numbers: Vec<u8> = targets.iter().map(|t| t.metric().plan_target()).collect();
        numbers.dedup();
        assert_eq!(numbers, (1..=9).collect::<Vec<u8>>());
        let mut metrics: Vec<_> = targets.iter().map(|t| t.metric().as_str()).collect();
        metrics.sort_unstable();
        let mut all: Vec<_> = Metric::ALL.iter().map(|m| m.as_str()).collect();
        all.sort_unstable();
        assert_eq!(metrics, all);

        // Each would pass the same checks as a target typed in by staff.
        for t in &targets {
            let again = Target::check(t.metric().as_str(), t.scope_unit(), &t.period().to_string(), t.value());
            assert_eq!(again, Ok(*t));
        }
    }

    #[test]
    fn plan_years_are_clamped() {
        let year_of = |year| plan_targets(UnitId::new(), UnitId::new(), year)[0].period().to_string();
        let cases = [
            (1990, "2024"),
            (2024, "2024"),
            (2025, "2025"),
            (2027, "2027"),
            (2031, "2027"),
        ];
        for (year, want) in cases {
            assert_eq!(year_of(year), want, "{year}");
        }
        let whole = plan_targets(UnitId::new(), UnitId::new(), 2031)[10].period();
        assert_eq!(whole, PLAN_PERIOD);
    }

    #[test]
    fn names_round_trip() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
        for a in TrainingAudience::ALL {
            assert_eq!(TrainingAudience::parse(a.as_str()), Some(a));
        }
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
        }
        assert_eq!(EventKind::parse("Forum"), None);
        assert_eq!(TrainingAudience::parse("teachers"), None);
        assert_eq!(Metric::parse("consultation"), None);
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
                "care_centre_listening"
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
    fn metrics_know_their_units_and_events() {
        let coverages: Vec<_> = Metric::ALL
            .into_iter()
            .filter(|m| m.is_coverage())
            .map(|m| (m.as_str(), m.unit_kind().map(UnitKind::as_str)))
            .collect();
        assert_eq!(
            coverages,
            [
                ("ward_dialogue_coverage", Some("ward")),
                ("school_dialogue_coverage", Some("school")),
                ("school_consultation_coverage", Some("school")),
                ("pioneer_leaders_trained_coverage", Some("school")),
            ]
        );
        use EventKind::*;
        use TrainingAudience::*;
        let cases = [
            (Metric::Consultations, None),
            (Metric::LowerSecondaryParticipants, None),
            (Metric::PolicyConsultations, None),
            (Metric::WardDialogueCoverage, Some((Dialogue, None))),
            (Metric::SchoolConsultationCoverage, Some((Dialogue, None))),
            (Metric::CouncilMeetings, Some((CouncilMeeting, None))),
            (Metric::Forums, Some((Forum, None))),
            (
                Metric::LeadersMeetPioneers,
                Some((EventKind::LeadersMeetPioneers, None)),
            ),
            (Metric::TrainingsCommanders, Some((Training, Some(Commanders)))),
            (
                Metric::PioneerLeadersTrainedCoverage,
                Some((Training, Some(PioneerLeaders))),
            ),
        ];
        for (metric, want) in cases {
            let got = metric.event_filter().map(|f| (f.kind, f.audience));
            assert_eq!(got, want, "{}", metric.as_str());
        }
        let commanders = Metric::TrainingsCommanders.event_filter().unwrap();
        assert!(commanders.matches(Training, Some(Commanders)));
        assert!(!commanders.matches(Training, Some(Parents)));
        assert!(!commanders.matches(Training, None));
        assert!(!commanders.matches(Forum, None));
        let forums = Metric::Forums.event_filter().unwrap();
        assert!(forums.matches(Forum, None));
        assert!(!forums.matches(Dialogue, None));
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
        (0..Metric::ALL.len(), 0..periods.len(), 0u32..=100).prop_map(move |(m, p, v)| {
            Target::check(Metric::ALL[m].as_str(), UnitId::new(), periods[p], f64::from(v)).unwrap()
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

/// What progress is measured from, for one target: everything recorded in
/// its scope and period, with units already mapped to the units in force
/// (old wards' records counting toward their successors).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Responses that count: (participant pseudonym, grade, age).
    pub responses: Vec<(uuid::Uuid, Option<u8>, u8)>,
    /// Issues children raised themselves.
    pub child_issues: u64,
    /// Events: (kind, audience, unit in force, children attending).
    pub events: Vec<(EventKind, Option<TrainingAudience>, crate::UnitId, u64)>,
    /// Units in force that had a session open.
    pub session_units: std::collections::HashSet<crate::UnitId>,
    /// Policy consultations with a response.
    pub policy_consultations: u64,
    /// Units in force in the scope, of the kind a coverage metric counts.
    pub units_to_cover: Vec<crate::UnitId>,
}

/// A measured figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub actual: f64,
    /// For coverage metrics: the units not yet covered.
    pub uncovered: Vec<crate::UnitId>,
    /// For lower-secondary participants: children at events, reported
    /// beside the figure and never added to it.
    pub event_children: Option<u64>,
}

/// Measures `metric` from `facts` with the plan's counting rules.
pub fn measure(metric: Metric, facts: &Facts) -> Measured {
    let plain = |actual: f64| Measured {
        actual,
        uncovered: Vec::new(),
        event_children: None,
    };
    let event_count = |filter: Option<EventFilter>| {
        facts
            .events
            .iter()
            .filter(|(k, a, _, _)| filter.is_some_and(|f| f.matches(*k, *a)))
            .count() as f64
    };
    match metric {
        Metric::Consultations => {
            let counts = ConsultationCounts {
                responses: facts.responses.len() as u64,
                child_issues: facts.child_issues,
                event_children: facts
                    .events
                    .iter()
                    .filter(|(k, _, _, _)| counts_as_consultation(*k))
                    .map(|(_, _, _, c)| *c)
                    .sum(),
            };
            plain(counts.total() as f64)
        }
        Metric::LowerSecondaryParticipants => {
            let distinct: std::collections::HashSet<uuid::Uuid> = facts
                .responses
                .iter()
                .filter(|(_, grade, age)| counts_as_lower_secondary(SchoolLevel::of(*grade, *age)))
                .map(|(p, _, _)| *p)
                .collect();
            Measured {
                actual: distinct.len() as f64,
                uncovered: Vec::new(),
                event_children: Some(
                    facts
                        .events
                        .iter()
                        .filter(|(k, _, _, _)| counts_as_consultation(*k))
                        .map(|(_, _, _, c)| *c)
                        .sum(),
                ),
            }
        }
        Metric::PolicyConsultations => plain(facts.policy_consultations as f64),
        m if m.is_coverage() => {
            let covered = |u: &crate::UnitId| {
                let by_event = facts
                    .events
                    .iter()
                    .any(|(k, a, unit, _)| unit == u && m.event_filter().is_some_and(|f| f.matches(*k, *a)));
                let by_session = m == Metric::SchoolConsultationCoverage
                    && (facts.session_units.contains(u)
                        || facts
                            .events
                            .iter()
                            .any(|(k, _, unit, _)| unit == u && *k == EventKind::Dialogue));
                by_event || by_session
            };
            let uncovered: Vec<crate::UnitId> = facts.units_to_cover.iter().copied().filter(|u| !covered(u)).collect();
            let n = facts.units_to_cover.len();
            Measured {
                actual: coverage(n - uncovered.len(), n),
                uncovered,
                event_children: None,
            }
        }
        m => plain(event_count(m.event_filter())),
    }
}

#[cfg(test)]
mod measure_tests {
    use super::*;
    use crate::UnitId;

    #[test]
    fn consultations_count_responses_issues_and_children_at_consultation_events() {
        let (a, b) = (UnitId::new(), UnitId::new());
        let facts = Facts {
            responses: vec![(uuid::Uuid::now_v7(), Some(7), 12), (uuid::Uuid::now_v7(), None, 9)],
            child_issues: 3,
            events: vec![
                (EventKind::Dialogue, None, a, 40),
                (EventKind::Training, Some(TrainingAudience::Commanders), b, 30),
            ],
            ..Facts::default()
        };
        assert_eq!(measure(Metric::Consultations, &facts).actual, 45.0);
        let lower = measure(Metric::LowerSecondaryParticipants, &facts);
        assert_eq!(lower.actual, 1.0);
        assert_eq!(lower.event_children, Some(40));
        assert_eq!(measure(Metric::TrainingsCommanders, &facts).actual, 1.0);
        assert_eq!(measure(Metric::Forums, &facts).actual, 0.0);
    }

    #[test]
    fn coverage_lists_the_units_left() {
        let (a, b, c) = (UnitId::new(), UnitId::new(), UnitId::new());
        let facts = Facts {
            events: vec![(EventKind::Dialogue, None, a, 10), (EventKind::Forum, None, b, 10)],
            session_units: [c].into_iter().collect(),
            units_to_cover: vec![a, b, c],
            ..Facts::default()
        };
        let ward = measure(Metric::WardDialogueCoverage, &facts);
        assert!((ward.actual - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(ward.uncovered, vec![b, c]);
        let school = measure(Metric::SchoolConsultationCoverage, &facts);
        assert_eq!(school.uncovered, vec![b]);
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
