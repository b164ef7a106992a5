//! Consultation sessions and the rules around a child taking part: survey
//! status transitions, join codes, the session window, school level, and
//! the words a child reads when something is refused or when they may need
//! help.

use chrono::{DateTime, Duration, Utc};

use crate::FieldErrors;
use crate::text::Lang;

/// Where a survey definition is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SurveyStatus {
    /// Being written; no version published yet.
    Draft,
    /// A version is published; sessions can be opened on it.
    Published,
    /// No new sessions, responses or issues.
    Closed,
}

impl SurveyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyStatus::Draft => "draft",
            SurveyStatus::Published => "published",
            SurveyStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<SurveyStatus> {
        [SurveyStatus::Draft, SurveyStatus::Published, SurveyStatus::Closed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Why a survey cannot move as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SurveyTransitionError {
    #[error("the survey is closed")]
    Closed,
    #[error("there is no unpublished draft to publish")]
    NothingToPublish,
}

/// Publishing freezes the latest draft version.
pub fn publish(status: SurveyStatus, latest_is_draft: bool) -> Result<SurveyStatus, SurveyTransitionError> {
    match status {
        SurveyStatus::Closed => Err(SurveyTransitionError::Closed),
        _ if !latest_is_draft => Err(SurveyTransitionError::NothingToPublish),
        _ => Ok(SurveyStatus::Published),
    }
}

/// Editing a published survey makes a new draft version; a closed survey
/// cannot be edited.
pub fn edit(status: SurveyStatus) -> Result<(), SurveyTransitionError> {
    match status {
        SurveyStatus::Closed => Err(SurveyTransitionError::Closed),
        _ => Ok(()),
    }
}

pub fn close(status: SurveyStatus) -> Result<SurveyStatus, SurveyTransitionError> {
    match status {
        SurveyStatus::Closed => Err(SurveyTransitionError::Closed),
        _ => Ok(SurveyStatus::Closed),
    }
}

/// Characters of a join code: no look-alikes (0/O/Q/D, 1/I/L, 2/Z, 5/S, 6/G,
/// 8/B, U/V), easy to read aloud and to type on a phone.
pub const JOIN_ALPHABET: &[u8] = b"ACEFHJKMNPRTWXY3479";
/// Length of generated codes: 19^12 ≈ 2.2e15 codes. With the default
/// budget of wrong codes (1,000 an hour across the service) and 1,000
/// sessions taking joins at once, an attacker spending the whole budget
/// every day for a year hits some session with a chance of about 4e-6 (the
/// README works it out; `tests::the_budget_arithmetic_holds` checks it).
pub const JOIN_CODE_LEN: usize = 12;
/// Codes of sessions opened before codes grew to 12 characters; they are
/// still accepted, and retire as those sessions close.
pub const LEGACY_JOIN_CODE_LEN: usize = 8;

/// The chance that `guesses` random wrong tries hit one of `live` codes
/// (sessions not yet closed), among every possible code.
pub fn chance_of_a_hit(live: f64, guesses: f64) -> f64 {
    let space = (JOIN_ALPHABET.len() as f64).powi(JOIN_CODE_LEN as i32);
    -(guesses * (-live / space).ln_1p()).exp_m1()
}

/// How many wrong join codes the whole service accepts per window (every
/// replica, every address), so that the chance of guessing a code stays
/// bounded however many addresses an attacker rotates through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinFailureBudget {
    pub per_window: u32,
    pub window: chrono::Duration,
}

impl JoinFailureBudget {
    /// The budget of the default setting: 1,000 wrong codes an hour.
    pub fn per_hour(per_window: u32) -> JoinFailureBudget {
        JoinFailureBudget {
            per_window,
            window: chrono::Duration::hours(1),
        }
    }

    /// The start of the window `now` falls in (windows are aligned to the
    /// Unix epoch, so every replica agrees).
    pub fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let len = self.window.num_seconds().max(1);
        let start = now.timestamp().div_euclid(len) * len;
        DateTime::from_timestamp(start, 0).unwrap_or(now)
    }

    /// When the window of `now` ends (joining resumes if it was paused).
    pub fn window_end(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.window_start(now) + self.window
    }
}

/// A session's join code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JoinCode(String);

impl JoinCode {
    /// A fresh code from a source of random bytes (rejection sampling, so
    /// every character is equally likely).
    pub fn generate(mut random_byte: impl FnMut() -> u8) -> JoinCode {
        let n = JOIN_ALPHABET.len();
        let limit = 256 - (256 % n);
        let mut code = String::with_capacity(JOIN_CODE_LEN);
        while code.len() < JOIN_CODE_LEN {
            let b = usize::from(random_byte());
            if b < limit {
                code.push(char::from(JOIN_ALPHABET[b % n]));
            }
        }
        JoinCode(code)
    }

    /// What a child typed: case, spaces and dashes do not matter. `None`
    /// when it cannot be a code (so no database lookup is needed).
    pub fn parse(raw: &str) -> Option<JoinCode> {
        let code: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let ok = [LEGACY_JOIN_CODE_LEN, JOIN_CODE_LEN].contains(&code.len())
            && code.bytes().all(|b| JOIN_ALPHABET.contains(&b));
        ok.then_some(JoinCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The self-described gender a child may give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    Girl,
    Boy,
    Other,
    PreferNotToSay,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Girl => "girl",
            Gender::Boy => "boy",
            Gender::Other => "other",
            Gender::PreferNotToSay => "prefer_not_to_say",
        }
    }

    pub fn parse(s: &str) -> Option<Gender> {
        [Gender::Girl, Gender::Boy, Gender::Other, Gender::PreferNotToSay]
            .into_iter()
            .find(|g| g.as_str() == s)
    }
}

/// Vietnamese school levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchoolLevel {
    /// Tiểu học, grades 1–5.
    Primary,
    /// Trung học cơ sở, grades 6–9.
    LowerSecondary,
    /// Trung học phổ thông, grades 10–12.
    UpperSecondary,
}

impl SchoolLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            SchoolLevel::Primary => "primary",
            SchoolLevel::LowerSecondary => "lower_secondary",
            SchoolLevel::UpperSecondary => "upper_secondary",
        }
    }

    /// From the grade when known, else from the age (a child starts grade 1
    /// the year they turn 6).
    pub fn of(grade: Option<u8>, age: u8) -> SchoolLevel {
        match grade {
            Some(1..=5) => SchoolLevel::Primary,
            Some(6..=9) => SchoolLevel::LowerSecondary,
            Some(_) => SchoolLevel::UpperSecondary,
            None => match age {
                0..=10 => SchoolLevel::Primary,
                11..=14 => SchoolLevel::LowerSecondary,
                _ => SchoolLevel::UpperSecondary,
            },
        }
    }
}

/// Whether a child may use a session at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    NotYetOpen,
    Open,
    Closed,
}

/// When a session takes children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionWindow {
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Set when a facilitator closed it early.
    pub closed_at: Option<DateTime<Utc>>,
}

/// Longest a session may stay open.
pub const MAX_SESSION_DAYS: i64 = 92;

impl SessionWindow {
    pub fn new(opens_at: DateTime<Utc>, closes_at: DateTime<Utc>) -> Result<SessionWindow, FieldErrors> {
        let mut errors = FieldErrors::new();
        if closes_at <= opens_at {
            errors.push("closes_at", "min_greater_than_max", "closes_at must be after opens_at");
        } else if closes_at - opens_at > Duration::days(MAX_SESSION_DAYS) {
            errors.push(
                "closes_at",
                "out_of_range",
                format!("a session lasts at most {MAX_SESSION_DAYS} days"),
            );
        }
        errors.into_result(SessionWindow {
            opens_at,
            closes_at,
            closed_at: None,
        })
    }

    pub fn state(&self, now: DateTime<Utc>) -> SessionState {
        if self.closed_at.is_some_and(|c| c <= now) || now >= self.closes_at {
            SessionState::Closed
        } else if now < self.opens_at {
            SessionState::NotYetOpen
        } else {
            SessionState::Open
        }
    }
}

/// Something a child is told no to, in words for a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildRefusal {
    UnknownJoinCode,
    SessionNotOpen,
    SessionClosed,
    NoAssent,
    AgeOutsideRange,
    AlreadyResponded,
    IssuesNotAllowed,
    TooManyAttempts,
    /// Too many wrong codes across the whole service: joining waits.
    JoinPaused,
    /// The participant token sent belongs to data the child erased.
    Erased,
    /// The session admitted as many children as it can.
    SessionFull,
}

impl ChildRefusal {
    pub fn message(self, lang: Lang) -> &'static str {
        use ChildRefusal::*;
        match (self, lang) {
            (UnknownJoinCode, Lang::Vi) => "Mã tham gia chưa đúng. Em kiểm tra lại mã thầy cô đưa nhé.",
            (UnknownJoinCode, Lang::En) => "That join code is not right. Please check the code your teacher gave you.",
            (SessionNotOpen, Lang::Vi) => "Buổi lấy ý kiến này chưa bắt đầu. Em quay lại sau nhé.",
            (SessionNotOpen, Lang::En) => "This session has not started yet. Please come back later.",
            (SessionClosed, Lang::Vi) => "Buổi lấy ý kiến này đã kết thúc. Cảm ơn em đã quan tâm!",
            (SessionClosed, Lang::En) => "This session has ended. Thank you for your interest!",
            (NoAssent, Lang::Vi) => "Em chỉ tham gia khi em đồng ý. Nếu em muốn tham gia, hãy chọn \"Em đồng ý\".",
            (NoAssent, Lang::En) => "You only take part if you agree. If you want to join, choose \"I agree\".",
            (AgeOutsideRange, Lang::Vi) => "Khảo sát này dành cho các bạn ở độ tuổi khác. Cảm ơn em!",
            (AgeOutsideRange, Lang::En) => "This survey is for children of a different age. Thank you!",
            (AlreadyResponded, Lang::Vi) => "Em đã trả lời khảo sát này rồi. Cảm ơn em!",
            (AlreadyResponded, Lang::En) => "You have already answered this survey. Thank you!",
            (IssuesNotAllowed, Lang::Vi) => "Buổi này không nhận ý kiến, kiến nghị riêng.",
            (IssuesNotAllowed, Lang::En) => "This session does not take issues.",
            (TooManyAttempts, Lang::Vi) => "Em đã nhập sai mã nhiều lần. Em chờ một chút rồi thử lại nhé.",
            (TooManyAttempts, Lang::En) => "Too many wrong codes. Please wait a little and try again.",
            (JoinPaused, Lang::Vi) => {
                "Hệ thống đang tạm dừng việc tham gia vì có quá nhiều lượt nhập sai mã. Em chờ một lát rồi thử lại nhé."
            }
            (JoinPaused, Lang::En) => {
                "Joining is paused for a while because of too many wrong codes. Please wait a little and try again."
            }
            (Erased, Lang::Vi) => "Dữ liệu của em đã được xoá như em yêu cầu. Em có thể tham gia lại như một bạn mới.",
            (Erased, Lang::En) => "Your data was erased as you asked. You can join again as someone new.",
            (SessionFull, Lang::Vi) => "Buổi này đã đủ số bạn tham gia. Em hỏi thầy cô giúp em nhé.",
            (SessionFull, Lang::En) => "This session is full. Please ask your teacher.",
        }
    }
}

/// Shown at once to a child whose words suggest they or another child may
/// be at risk.
pub fn support_message(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => {
            "Cảm ơn em đã tin tưởng chia sẻ. Nếu em hoặc bạn em đang gặp nguy hiểm hay cần giúp đỡ, \
             hãy gọi Tổng đài quốc gia bảo vệ trẻ em 111 (miễn phí, 24/7) hoặc nói với thầy cô, người lớn em tin tưởng."
        }
        Lang::En => {
            "Thank you for trusting us with this. If you or a friend are in danger or need help, call the \
             national child protection hotline 111 (free, 24/7) or tell a teacher or an adult you trust."
        }
    }
}

/// The gentler line shown when a child's words only may tell of harm (the
/// screen's `possible` outcome): an offer, not an alarm.
pub fn gentle_support_message(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => {
            "Cảm ơn em đã chia sẻ. Nếu em muốn nói chuyện với ai đó, Tổng đài 111 luôn lắng nghe em              (miễn phí, 24/7), hoặc em có thể nói với thầy cô, người lớn em tin tưởng."
        }
        Lang::En => {
            "Thank you for sharing. If you want to talk to someone, the hotline 111 is always there to              listen (free, 24/7), or you can talk to a teacher or an adult you trust."
        }
    }
}

/// How many children a session admits: against ballot stuffing, a session
/// takes the children it expects and a margin, and one client address
/// brings at most so many (a class behind one school address must fit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinCaps {
    /// The margin over `expected_participants`, in percent (at least five
    /// children more in any case).
    pub margin_percent: u32,
    /// The cap of a session that says nothing of how many it expects.
    pub without_expected: u32,
    /// Children admitted from one client address per session.
    pub per_address: u32,
}

impl Default for JoinCaps {
    fn default() -> Self {
        JoinCaps {
            margin_percent: 20,
            without_expected: 300,
            per_address: 60,
        }
    }
}

impl JoinCaps {
    /// The distinct participants a session admits.
    pub fn cap(&self, expected: Option<i32>) -> i32 {
        match expected.and_then(|e| u32::try_from(e).ok()) {
            Some(e) => {
                let margin = (e * self.margin_percent).div_ceil(100).max(5);
                i32::try_from(e.saturating_add(margin)).unwrap_or(i32::MAX)
            }
            None => i32::try_from(self.without_expected).unwrap_or(i32::MAX),
        }
    }
}

/// What replaces the words of an issue its child withdrew or erased.
pub const ERASED: &str = "[nội dung đã được xoá theo yêu cầu của em]";

/// The hotline children are pointed to.
pub const HOTLINE: &str = "111";

#[cfg(test)]
mod tests {

    #[test]
    fn a_session_admits_what_it_expects_and_a_margin() {
        let caps = JoinCaps::default();
        assert_eq!(caps.cap(Some(30)), 36);
        assert_eq!(caps.cap(Some(10)), 15, "at least five more");
        assert_eq!(caps.cap(Some(0)), 5);
        assert_eq!(caps.cap(None), 300);
        assert_eq!(caps.cap(Some(-3)), 300, "nonsense counts as not said");
    }

    use super::*;

    #[test]
    fn status_transitions() {
        use SurveyStatus::*;
        assert_eq!(publish(Draft, true), Ok(Published));
        assert_eq!(publish(Published, true), Ok(Published));
        assert_eq!(publish(Published, false), Err(SurveyTransitionError::NothingToPublish));
        assert_eq!(publish(Closed, true), Err(SurveyTransitionError::Closed));
        assert_eq!(close(Published), Ok(Closed));
        assert_eq!(close(Closed), Err(SurveyTransitionError::Closed));
        assert!(edit(Published).is_ok());
        assert!(edit(Closed).is_err());
    }

    #[test]
    fn join_codes_are_unambiguous_and_forgiving() {
        let mut seed = 7u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (seed >> 16) as u8
        };
        for _ in 0..200 {
            let c = JoinCode::generate(&mut next);
            assert_eq!(c.as_str().len(), JOIN_CODE_LEN);
            assert!(c.as_str().bytes().all(|b| JOIN_ALPHABET.contains(&b)));
            let typed = format!(" {}-{} ", &c.as_str()[..4].to_lowercase(), &c.as_str()[4..]);
            assert_eq!(JoinCode::parse(&typed), Some(c));
        }
        for look_alike in [
            b'0', b'O', b'1', b'I', b'L', b'2', b'Z', b'5', b'S', b'6', b'G', b'8', b'B',
        ] {
            assert!(!JOIN_ALPHABET.contains(&look_alike));
        }
        assert_eq!(JoinCode::parse("ABC"), None);
        assert_eq!(JoinCode::parse("AAAAAAAAA"), None);
        assert_eq!(JoinCode::parse("ACEF0HJK"), None);
        // Codes of sessions opened before codes grew still join.
        assert!(JoinCode::parse("kt7h-mx3p").is_some());
        assert!(JoinCode::parse("KT7H MX3P WA9C").is_some());
        assert_eq!(JoinCode::parse("KT7HMX3PWA9CC"), None);
    }

    /// The README's arithmetic: the default budget of wrong codes, spent
    /// in full every hour of a year, against 1,000 sessions taking joins
    /// at once.
    #[test]
    fn the_budget_arithmetic_holds() {
        let space = (JOIN_ALPHABET.len() as f64).powi(JOIN_CODE_LEN as i32);
        assert!((space - 2.213e15).abs() < 1e12, "{space}");
        let per_day = 1_000.0 * 24.0;
        let year = chance_of_a_hit(1_000.0, per_day * 365.0);
        assert!(year < 1e-5 && year > 1e-6, "{year}");
        let day = chance_of_a_hit(1_000.0, per_day);
        assert!(day < 2e-8, "{day}");
        // What 8 characters would have given: about two in five over a year.
        let eight = -((per_day * 365.0) * (-1_000.0 / 19f64.powi(8)).ln_1p()).exp_m1();
        assert!(eight > 0.35 && eight < 0.45, "{eight}");
        // And with no budget at all, 956 guesses a second for a year
        // against 12 characters: about one in seventy.
        let unlimited = chance_of_a_hit(1_000.0, 956.0 * 86_400.0 * 365.0);
        assert!(unlimited > 0.01 && unlimited < 0.02, "{unlimited}");
    }

    #[test]
    fn budget_windows_are_aligned_hours() {
        let b = JoinFailureBudget::per_hour(1_000);
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(b.window_start(at("2026-11-25T02:59:59Z")), at("2026-11-25T02:00:00Z"));
        assert_eq!(b.window_end(at("2026-11-25T02:00:00Z")), at("2026-11-25T03:00:00Z"));
    }

    #[test]
    fn school_level_from_grade_or_age() {
        assert_eq!(SchoolLevel::of(Some(5), 12), SchoolLevel::Primary);
        assert_eq!(SchoolLevel::of(Some(6), 10), SchoolLevel::LowerSecondary);
        assert_eq!(SchoolLevel::of(Some(10), 15), SchoolLevel::UpperSecondary);
        assert_eq!(SchoolLevel::of(None, 8), SchoolLevel::Primary);
        assert_eq!(SchoolLevel::of(None, 13), SchoolLevel::LowerSecondary);
        assert_eq!(SchoolLevel::of(None, 16), SchoolLevel::UpperSecondary);
    }

    #[test]
    fn session_window() {
        let t = |h: i64| DateTime::from_timestamp(1_780_000_000 + h * 3600, 0).unwrap();
        let w = SessionWindow::new(t(0), t(2)).unwrap();
        assert_eq!(w.state(t(-1)), SessionState::NotYetOpen);
        assert_eq!(w.state(t(1)), SessionState::Open);
        assert_eq!(w.state(t(2)), SessionState::Closed);
        let early = SessionWindow {
            closed_at: Some(t(1)),
            ..w
        };
        assert_eq!(early.state(t(1)), SessionState::Closed);
        assert!(SessionWindow::new(t(2), t(1)).is_err());
        assert!(SessionWindow::new(t(0), t(24 * 93)).is_err());
    }

    #[test]
    fn every_refusal_speaks_both_languages() {
        use ChildRefusal::*;
        for r in [
            UnknownJoinCode,
            SessionNotOpen,
            SessionClosed,
            NoAssent,
            AgeOutsideRange,
            AlreadyResponded,
            IssuesNotAllowed,
            TooManyAttempts,
            JoinPaused,
            Erased,
        ] {
            assert_ne!(r.message(Lang::Vi), r.message(Lang::En));
        }
        assert!(support_message(Lang::Vi).contains("111"));
        assert!(support_message(Lang::En).contains("111"));
    }
}
