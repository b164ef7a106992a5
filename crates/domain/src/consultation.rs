//! Consultation sessions and the rules around a child taking part: survey
//! status transitions, join codes, the session window, school level, who
//! is admitted to a session (`admit`), and the words a child reads when
//! something is refused or when they may need help.

use chrono::{DateTime, Duration, Utc};

use crate::FieldErrors;
use crate::survey::{MAX_AGE, MIN_AGE, SurveyDefinition};
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

names! { SurveyStatus { Draft = "draft", Published = "published", Closed = "closed" } }

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

names! { Gender { Girl = "girl", Boy = "boy", Other = "other", PreferNotToSay = "prefer_not_to_say" } }

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

names! { SchoolLevel { Primary = "primary", LowerSecondary = "lower_secondary", UpperSecondary = "upper_secondary" } }

impl SchoolLevel {
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
    /// Every refusal.
    pub const ALL: [ChildRefusal; 11] = [
        ChildRefusal::UnknownJoinCode,
        ChildRefusal::SessionNotOpen,
        ChildRefusal::SessionClosed,
        ChildRefusal::NoAssent,
        ChildRefusal::AgeOutsideRange,
        ChildRefusal::AlreadyResponded,
        ChildRefusal::IssuesNotAllowed,
        ChildRefusal::TooManyAttempts,
        ChildRefusal::JoinPaused,
        ChildRefusal::Erased,
        ChildRefusal::SessionFull,
    ];

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

/// What a child sends to join a session, once its code found the session.
#[derive(Debug, Clone, Copy)]
pub struct JoinForm<'a> {
    /// In years; admitted from [`MIN_AGE`] to [`MAX_AGE`].
    pub age: i64,
    /// School grade 1–12, when the child knows it.
    pub grade: Option<i64>,
    pub gender: Option<&'a str>,
    /// The child's own agreement to take part.
    pub assent: bool,
    /// The token the phone got on an earlier join, as sent.
    pub participant_token: Option<&'a str>,
}

/// The shortest participant token a phone can hold (the service draws
/// longer ones).
pub const MIN_PARTICIPANT_TOKEN_CHARS: usize = 32;

/// A child the rules admit to a session: what their respondent token says
/// of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub age: u8,
    pub grade: Option<u8>,
    pub gender: Option<Gender>,
    /// The participant token the phone sent back, checked; `None` for a
    /// child the service has not met on this phone (the caller draws a new
    /// token).
    pub returning: Option<String>,
}

/// Why a child is not admitted, in the order the rules are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinRefusal {
    SessionNotOpen,
    /// The session ended, was closed, or its survey was closed.
    SessionClosed,
    NoAssent,
    /// Age, grade, gender or participant token unreadable: every problem.
    Invalid(FieldErrors),
    /// A readable age the survey is not for.
    AgeNotEligible,
}

/// Whether a child who found a session by its code may join it, from what
/// they sent, the session's state and its survey's status and definition.
/// The refusals come in a fixed order: the session's state (not yet open,
/// then ended or its survey closed), the child's assent, the fields (all
/// their problems at once), and last the survey's ages. What only the
/// database can say (erased data, a full session) is decided after.
pub fn admit(
    form: &JoinForm<'_>,
    session: SessionState,
    survey: SurveyStatus,
    def: &SurveyDefinition,
) -> Result<Admitted, JoinRefusal> {
    match session {
        SessionState::NotYetOpen => return Err(JoinRefusal::SessionNotOpen),
        SessionState::Closed => return Err(JoinRefusal::SessionClosed),
        SessionState::Open if survey == SurveyStatus::Closed => return Err(JoinRefusal::SessionClosed),
        SessionState::Open => {}
    }
    if !form.assent {
        return Err(JoinRefusal::NoAssent);
    }
    let mut errors = FieldErrors::new();
    let age = u8::try_from(form.age).ok().filter(|a| (MIN_AGE..=MAX_AGE).contains(a));
    if age.is_none() {
        errors.push("age", "out_of_range", format!("an age from {MIN_AGE} to {MAX_AGE}"));
    }
    let grade = form.grade.and_then(|g| {
        let grade = u8::try_from(g).ok().filter(|g| (1..=12).contains(g));
        if grade.is_none() {
            errors.push("grade", "out_of_range", "a grade from 1 to 12");
        }
        grade
    });
    let gender = form.gender.and_then(|g| {
        let gender = Gender::parse(g);
        if gender.is_none() {
            errors.push_one_of("gender", &Gender::NAMES);
        }
        gender
    });
    let returning = match form.participant_token.map(str::trim) {
        None | Some("") => None,
        Some(t) if is_participant_token(t) => Some(t.to_owned()),
        Some(_) => {
            errors.push(
                "participant_token",
                "invalid",
                "send back the participant_token exactly as you got it",
            );
            None
        }
    };
    let (Some(age), true) = (age, errors.is_empty()) else {
        return Err(JoinRefusal::Invalid(errors));
    };
    if !def.eligible_age(age) {
        return Err(JoinRefusal::AgeNotEligible);
    }
    Ok(Admitted {
        age,
        grade,
        gender,
        returning,
    })
}

/// Whether a text has the shape of a participant token: long enough, and
/// URL-safe characters only.
fn is_participant_token(t: &str) -> bool {
    t.len() >= MIN_PARTICIPANT_TOKEN_CHARS && t.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
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

/// Paper forms of one paper session that may be withdrawn (a form entered
/// wrong, withdrawn with its receipt and entered again) before the session
/// takes no more forms. Each form entered and withdrawn changes the
/// records behind the session's cells, so the cell key method draws their
/// noise anew: a facilitator who could enter and withdraw a different fake
/// form without end would read the same true count under ever new noise
/// and average it away. A withdrawal itself is never refused (a child's
/// answers leave when asked); the next entry is.
pub const PAPER_WITHDRAWALS: i64 = 5;

/// Why a paper session takes no more forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PaperRefusal {
    /// As many forms as the session admits children were entered,
    /// withdrawn ones included.
    #[error("the paper session has taken its cap of {cap} forms (withdrawn ones included)")]
    Full { cap: i64 },
    /// [`PAPER_WITHDRAWALS`] of its forms were withdrawn.
    #[error("{PAPER_WITHDRAWALS} forms of this paper session were withdrawn: it takes no more")]
    Withdrawn,
}

impl PaperRefusal {
    pub fn code(self) -> &'static str {
        match self {
            PaperRefusal::Full { .. } => "paper_form_cap_reached",
            PaperRefusal::Withdrawn => "paper_withdrawal_cap_reached",
        }
    }
}

/// Whether a paper session that expects `expected` children, and has
/// `entered` forms of which `withdrawn` were withdrawn, takes one more:
/// at most as many forms as an app session admits children (its expected
/// children and the default margin, [`JoinCaps::default`]; 300 when it
/// expects no number), withdrawn forms counted, and none once
/// [`PAPER_WITHDRAWALS`] were withdrawn. The caps are fixed, not
/// configuration: they bound how often a session's figures can be drawn
/// anew (see [`PAPER_WITHDRAWALS`]).
pub fn admit_paper_form(expected: Option<i32>, entered: i64, withdrawn: i64) -> Result<(), PaperRefusal> {
    let cap = i64::from(JoinCaps::default().cap(expected));
    if withdrawn >= PAPER_WITHDRAWALS {
        return Err(PaperRefusal::Withdrawn);
    }
    if entered >= cap {
        return Err(PaperRefusal::Full { cap });
    }
    Ok(())
}

/// What replaces the words of an issue its child withdrew or erased.
pub const ERASED: &str = "[nội dung đã được xoá theo yêu cầu của em]";

/// The hotline children are pointed to.
pub const HOTLINE: &str = "111";

/// How a session's children answer: on their phones (`app`), or on paper
/// forms a facilitator enters afterwards (`paper`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionMode {
    App,
    Paper,
}

names! { SessionMode { App = "app", Paper = "paper" } }

/// How far back a paper session may have been held, and how long after it
/// its forms may still be entered: 60 days, two months of a school term,
/// long enough for forms to come back from a class, short enough that the
/// figures already reported for a month do not keep changing.
pub const PAPER_DAYS: i64 = 60;

/// Checks the window of a paper session: it was held already (nothing in
/// the future), not before the survey version it answers was published,
/// and not more than [`PAPER_DAYS`] ago. An app session's window instead
/// ends in the future.
pub fn check_paper_window(
    window: &SessionWindow,
    published_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if window.opens_at > now {
        errors.push(
            "opens_at",
            "in_the_future",
            "a paper session is recorded once it was held",
        );
    } else if window.closes_at > now {
        errors.push(
            "closes_at",
            "in_the_future",
            "a paper session is recorded once it was held",
        );
    }
    if window.opens_at < now - Duration::days(PAPER_DAYS) {
        errors.push(
            "opens_at",
            "too_long_ago",
            format!("a paper session is entered within {PAPER_DAYS} days of being held"),
        );
    } else if published_at.is_none_or(|p| window.opens_at < p) {
        errors.push(
            "opens_at",
            "before_published",
            "the survey version was not published yet at that time",
        );
    }
    errors
}

/// Who reads surveys, as far as versions go: curators (admins, moderators)
/// read every version, drafts included; a facilitator reads what children
/// see, published versions only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyReader {
    Curator,
    Facilitator,
}

/// A survey, or a version of it, that this reader does not see: to them
/// it does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unseen {
    Survey,
    Version,
}

impl SurveyReader {
    pub fn of(role: crate::account::Role) -> SurveyReader {
        match role {
            crate::account::Role::Facilitator => SurveyReader::Facilitator,
            _ => SurveyReader::Curator,
        }
    }

    /// The version read of a survey whose published version is `published`:
    /// the one `requested`, or by default the published one (a facilitator)
    /// or the latest (a curator: `None`).
    pub fn version(self, published: Option<i32>, requested: Option<i32>) -> Result<Option<i32>, Unseen> {
        if self == SurveyReader::Curator {
            return Ok(requested);
        }
        let published = published.ok_or(Unseen::Survey)?;
        match requested {
            Some(v) if v > published || v < 1 => Err(Unseen::Version),
            Some(v) => Ok(Some(v)),
            None => Ok(Some(published)),
        }
    }

    /// The status a list of surveys is narrowed to, from the one `asked`:
    /// `None` when the reader sees none of that status.
    pub fn listed(self, asked: Option<SurveyStatus>) -> Option<Option<SurveyStatus>> {
        match (self, asked) {
            (SurveyReader::Curator, asked) => Some(asked),
            (SurveyReader::Facilitator, None | Some(SurveyStatus::Published)) => Some(Some(SurveyStatus::Published)),
            (SurveyReader::Facilitator, Some(_)) => None,
        }
    }
}

/// What opening a session asks, as the handler read it: the survey's
/// status and published version, the window and mode asked, and what the
/// organisation says of the unit.
#[derive(Debug, Clone, Copy)]
pub struct SessionAsk<'a> {
    pub survey: SurveyStatus,
    pub published_version: Option<i32>,
    pub published_at: Option<DateTime<Utc>>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// `app` when not given.
    pub mode: Option<&'a str>,
    /// The unit: `None` when the organisation has no such unit.
    pub unit: Option<UnitAsked>,
    pub requires_guardian_consent: bool,
    pub guardian_consent_given: bool,
    pub now: DateTime<Utc>,
}

/// The unit a session is asked for, as the organisation and the asker's
/// scope see it today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitAsked {
    pub in_force: bool,
    pub in_scope: bool,
}

/// A session that may be opened: the version it serves, its window and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPlan {
    pub version: i32,
    pub window: SessionWindow,
    pub mode: SessionMode,
}

/// Why a session cannot be opened: the survey's state first, then every
/// problem with what was asked, at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionRefusal {
    SurveyClosed,
    SurveyNotPublished,
    Invalid(FieldErrors),
}

/// Whether a session may be opened as asked. A survey that is closed, or
/// not published, takes no session; then the window (closing after it
/// opens, within [`MAX_SESSION_DAYS`]), the mode, an app session closing
/// in the future, a paper session already held ([`check_paper_window`]),
/// a unit that exists, is in force and is the asker's to open, and the
/// guardian consent a survey for young children needs.
pub fn plan_session(ask: SessionAsk<'_>) -> Result<SessionPlan, SessionRefusal> {
    match (ask.survey, ask.published_version) {
        (SurveyStatus::Closed, _) => return Err(SessionRefusal::SurveyClosed),
        (SurveyStatus::Draft, _) | (SurveyStatus::Published, None) => return Err(SessionRefusal::SurveyNotPublished),
        (SurveyStatus::Published, Some(_)) => {}
    }
    let mut errors = FieldErrors::new();
    let window = SessionWindow::new(ask.opens_at, ask.closes_at)
        .map_err(|e| errors.0.extend(e.0))
        .ok();
    let mode = match ask.mode {
        None => Some(SessionMode::App),
        Some(m) => SessionMode::parse(m).or_else(|| {
            errors.push("mode", "unknown_value", "app or paper");
            None
        }),
    };
    match (mode, &window) {
        (Some(SessionMode::App), _) if ask.closes_at <= ask.now => {
            errors.push("closes_at", "in_the_past", "closes_at must be in the future");
        }
        (Some(SessionMode::Paper), Some(w)) => errors.0.extend(check_paper_window(w, ask.published_at, ask.now).0),
        _ => {}
    }
    match ask.unit {
        None => errors.push("unit_id", "unknown_unit", "no such unit"),
        Some(u) if !u.in_force => errors.push("unit_id", "not_in_force", "the unit is closed"),
        Some(u) if !u.in_scope => errors.push(
            "unit_id",
            "outside_scope",
            "a facilitator opens sessions for their own unit only",
        ),
        Some(_) => {}
    }
    if ask.requires_guardian_consent && !ask.guardian_consent_given {
        errors.push(
            "guardian_consent",
            "required",
            "this survey needs guardian consent to be recorded",
        );
    }
    match (ask.published_version, window, mode) {
        (Some(version), Some(window), Some(mode)) if errors.is_empty() => Ok(SessionPlan { version, window, mode }),
        _ => Err(SessionRefusal::Invalid(errors)),
    }
}

/// Whether a paper session still takes entries at `now`: not closed by its
/// facilitator, and within [`PAPER_DAYS`] of its end.
pub fn paper_entry_open(window: &SessionWindow, now: DateTime<Utc>) -> bool {
    window.closed_at.is_none_or(|c| c > now)
        && now >= window.opens_at
        && now < window.closes_at + Duration::days(PAPER_DAYS)
}

/// A child as their paper form describes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaperChild {
    /// The age in years, or the youngest age of the band the form asked
    /// for: eligibility and per-question ages use it.
    pub age: u8,
    pub band: crate::survey::AgeBand,
    pub grade: Option<u8>,
    pub gender: Option<Gender>,
}

impl PaperChild {
    /// Reads a paper form's age (or age band), grade and gender; every
    /// problem by field. One of age and age band is needed; given both,
    /// they agree.
    pub fn check(
        age: Option<i64>,
        band: Option<&str>,
        grade: Option<i64>,
        gender: Option<&str>,
    ) -> Result<PaperChild, FieldErrors> {
        use crate::survey::{AgeBand, MAX_AGE, MIN_AGE};
        let mut errors = FieldErrors::new();
        let age = optional(
            &mut errors,
            age.map(|a| u8::try_from(a).ok().filter(|a| (MIN_AGE..=MAX_AGE).contains(a))),
            |e| e.push("age", "out_of_range", "an age from 6 to 17"),
        );
        let band = optional(&mut errors, band.map(AgeBand::parse), |e| {
            e.push_one_of("age_band", &AgeBand::NAMES)
        });
        let grade = optional(
            &mut errors,
            grade.map(|g| u8::try_from(g).ok().filter(|g| (1..=12).contains(g))),
            |e| e.push("grade", "out_of_range", "a grade from 1 to 12"),
        );
        let gender = optional(&mut errors, gender.map(Gender::parse), |e| {
            e.push_one_of("gender", &Gender::NAMES)
        });
        let child = match (age, band) {
            (Some(a), Some(b)) if AgeBand::for_age(a) != Some(b) => {
                errors.push("age_band", "does_not_match", "the band of another age");
                None
            }
            (Some(a), _) => AgeBand::for_age(a).map(|b| (a, b)),
            (None, Some(b)) => Some((b.youngest(), b)),
            (None, None) => {
                if errors.is_empty() {
                    errors.push("age", "required", "the child's age, or age_band");
                }
                None
            }
        };
        match child {
            Some((age, band)) if errors.is_empty() => Ok(PaperChild {
                age,
                band,
                grade,
                gender,
            }),
            _ => Err(errors),
        }
    }
}

/// A field that may be left out: `None` when it was, or when what was given
/// could not be read (`Some(None)`), which `refuse` then records.
fn optional<T>(errors: &mut FieldErrors, given: Option<Option<T>>, refuse: impl FnOnce(&mut FieldErrors)) -> Option<T> {
    let read = given?;
    if read.is_none() {
        refuse(errors);
    }
    read
}

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

    /// A survey for children of 9 to 14.
    fn survey_9_to_14() -> SurveyDefinition {
        use crate::testing::{raw_opinion, raw_question};
        let raw = crate::survey::RawSurvey {
            min_age: Some(9),
            max_age: Some(14),
            ..raw_opinion(vec![raw_question("t", "text")])
        };
        SurveyDefinition::parse(&raw, &|_| true).unwrap()
    }

    const TOKEN: &str = "abcdefghijklmnopqrstuvwxyz012345-_AB";

    fn form() -> JoinForm<'static> {
        JoinForm {
            age: 12,
            grade: Some(7),
            gender: Some("girl"),
            assent: true,
            participant_token: None,
        }
    }

    fn fields(r: Result<Admitted, JoinRefusal>) -> Vec<(String, &'static str)> {
        match r {
            Err(JoinRefusal::Invalid(e)) => e.0.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("not field errors: {other:?}"),
        }
    }

    #[test]
    fn a_child_is_admitted_with_what_they_said() {
        let def = survey_9_to_14();
        let open = |f: &JoinForm| admit(f, SessionState::Open, SurveyStatus::Published, &def);
        assert_eq!(
            open(&form()),
            Ok(Admitted {
                age: 12,
                grade: Some(7),
                gender: Some(Gender::Girl),
                returning: None,
            })
        );
        let bare = JoinForm {
            grade: None,
            gender: None,
            participant_token: Some("  "),
            ..form()
        };
        assert_eq!(
            open(&bare),
            Ok(Admitted {
                age: 12,
                grade: None,
                gender: None,
                returning: None,
            }),
            "a blank token is no token"
        );
        let back = JoinForm {
            participant_token: Some(TOKEN),
            ..form()
        };
        assert_eq!(open(&back).unwrap().returning.as_deref(), Some(TOKEN));
        let padded = format!(" {TOKEN}\n");
        let back = JoinForm {
            participant_token: Some(&padded),
            ..form()
        };
        assert_eq!(open(&back).unwrap().returning.as_deref(), Some(TOKEN), "trimmed");
        for (age, ok) in [(8, false), (9, true), (14, true), (15, false)] {
            let f = JoinForm { age, ..form() };
            assert_eq!(open(&f).is_ok(), ok, "age {age}");
        }
    }

    /// Each refusal, in the order the rules apply: every earlier rule is
    /// broken together with all the later ones.
    #[test]
    fn refusals_come_in_their_order() {
        let def = survey_9_to_14();
        let everything_wrong = JoinForm {
            age: 40,
            grade: Some(13),
            gender: Some("robot"),
            assent: false,
            participant_token: Some("short"),
        };
        let wrong_fields = JoinForm {
            assent: true,
            ..everything_wrong
        };
        let too_young = JoinForm { age: 7, ..form() };
        use SessionState::{NotYetOpen, Open};
        use SurveyStatus::Published;
        let cases: [(SessionState, SurveyStatus, &JoinForm, JoinRefusal); 5] = [
            (
                NotYetOpen,
                SurveyStatus::Closed,
                &everything_wrong,
                JoinRefusal::SessionNotOpen,
            ),
            (
                SessionState::Closed,
                Published,
                &everything_wrong,
                JoinRefusal::SessionClosed,
            ),
            (
                Open,
                SurveyStatus::Closed,
                &everything_wrong,
                JoinRefusal::SessionClosed,
            ),
            (Open, Published, &everything_wrong, JoinRefusal::NoAssent),
            (Open, Published, &too_young, JoinRefusal::AgeNotEligible),
        ];
        for (session, survey, f, want) in cases {
            assert_eq!(admit(f, session, survey, &def), Err(want), "{session:?} {survey:?}");
        }
        assert_eq!(
            fields(admit(&wrong_fields, Open, Published, &def)),
            [
                ("age".to_owned(), "out_of_range"),
                ("grade".to_owned(), "out_of_range"),
                ("gender".to_owned(), "unknown_value"),
                ("participant_token".to_owned(), "invalid"),
            ]
        );
    }

    #[test]
    fn ages_grades_genders_and_tokens_are_checked() {
        let def = survey_9_to_14();
        let check = |f: JoinForm| admit(&f, SessionState::Open, SurveyStatus::Published, &def);
        for age in [-1, 0, 5, 18, 256, i64::MAX] {
            assert_eq!(
                fields(check(JoinForm { age, ..form() })),
                [("age".to_owned(), "out_of_range")],
                "{age}"
            );
        }
        // Readable but outside this survey: the child is told, not a field.
        assert_eq!(check(JoinForm { age: 6, ..form() }), Err(JoinRefusal::AgeNotEligible));
        assert_eq!(check(JoinForm { age: 17, ..form() }), Err(JoinRefusal::AgeNotEligible));
        for grade in [0, 13, -1, 300] {
            let f = JoinForm {
                grade: Some(grade),
                ..form()
            };
            assert_eq!(fields(check(f)), [("grade".to_owned(), "out_of_range")], "{grade}");
        }
        for grade in [1, 12] {
            assert!(
                check(JoinForm {
                    grade: Some(grade),
                    ..form()
                })
                .is_ok()
            );
        }
        for g in ["girl", "boy", "other", "prefer_not_to_say"] {
            assert!(
                check(JoinForm {
                    gender: Some(g),
                    ..form()
                })
                .is_ok(),
                "{g}"
            );
        }
        for g in ["Girl", "", "female"] {
            assert_eq!(
                fields(check(JoinForm {
                    gender: Some(g),
                    ..form()
                })),
                [("gender".to_owned(), "unknown_value")]
            );
        }
        let short = &TOKEN[..MIN_PARTICIPANT_TOKEN_CHARS - 1];
        let just = &TOKEN[..MIN_PARTICIPANT_TOKEN_CHARS];
        assert!(
            check(JoinForm {
                participant_token: Some(just),
                ..form()
            })
            .is_ok()
        );
        for bad in [
            short,
            "abcdefghijklmnopqrstuvwxyz012345+",
            "abcdefghijklmnopqrstuvwxyz01234 5",
            "ābcdefghijklmnopqrstuvwxyz012345",
        ] {
            assert_eq!(
                fields(check(JoinForm {
                    participant_token: Some(bad),
                    ..form()
                })),
                [("participant_token".to_owned(), "invalid")],
                "{bad:?}"
            );
        }
        // Unreadable fields come before the survey's ages.
        let f = JoinForm {
            age: 7,
            gender: Some("x"),
            ..form()
        };
        assert_eq!(fields(check(f)), [("gender".to_owned(), "unknown_value")]);
    }

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
    fn a_paper_session_was_held_since_its_survey_was_published_and_recently() {
        let t = |h: i64| DateTime::from_timestamp(1_780_000_000 + h * 3600, 0).unwrap();
        let now = t(24 * 100);
        let published = Some(t(0));
        let codes = |opens: i64, closes: i64, published| {
            let w = SessionWindow::new(t(opens), t(closes)).unwrap();
            check_paper_window(&w, published, now)
                .0
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect::<Vec<_>>()
        };
        assert!(codes(24 * 99, 24 * 99 + 2, published).is_empty());
        assert!(
            codes(24 * 40, 24 * 40 + 2, published).is_empty(),
            "60 days back exactly"
        );
        assert_eq!(
            codes(24 * 39, 24 * 39 + 2, published),
            [("opens_at".to_string(), "too_long_ago")]
        );
        assert_eq!(
            codes(24 * 99, 24 * 101, published),
            [("closes_at".to_string(), "in_the_future")]
        );
        assert_eq!(
            codes(24 * 101, 24 * 102, published),
            [("opens_at".to_string(), "in_the_future")]
        );
        assert_eq!(
            codes(24 * 50, 24 * 50 + 2, Some(t(24 * 60))),
            [("opens_at".to_string(), "before_published")]
        );
        assert_eq!(
            codes(24 * 50, 24 * 50 + 2, None),
            [("opens_at".to_string(), "before_published")]
        );
        let w = SessionWindow::new(t(0), t(2)).unwrap();
        assert!(paper_entry_open(&w, t(2)));
        assert!(paper_entry_open(
            &w,
            t(2) + Duration::days(PAPER_DAYS) - Duration::seconds(1)
        ));
        assert!(!paper_entry_open(&w, t(2) + Duration::days(PAPER_DAYS)));
        assert!(!paper_entry_open(&w, t(-1)));
        let closed = SessionWindow {
            closed_at: Some(t(3)),
            ..w
        };
        assert!(!paper_entry_open(&closed, t(4)));
        assert_eq!(SessionMode::parse("paper"), Some(SessionMode::Paper));
        assert_eq!(SessionMode::parse("phone"), None);
    }

    #[test]
    fn a_paper_session_takes_its_expected_children_and_few_withdrawals() {
        // Expected 45: a margin of 9 (20 %); expected 10: at least 5 more;
        // no number: 300. Withdrawn forms count toward the cap.
        for (expected, entered, withdrawn, want) in [
            (Some(45), 53, 0, Ok(())),
            (Some(45), 54, 0, Err(PaperRefusal::Full { cap: 54 })),
            (Some(10), 14, 4, Ok(())),
            (Some(10), 15, 0, Err(PaperRefusal::Full { cap: 15 })),
            (None, 299, 0, Ok(())),
            (None, 300, 0, Err(PaperRefusal::Full { cap: 300 })),
            (Some(45), 6, 5, Err(PaperRefusal::Withdrawn)),
            (Some(45), 54, 5, Err(PaperRefusal::Withdrawn)),
        ] {
            assert_eq!(
                admit_paper_form(expected, entered, withdrawn),
                want,
                "{expected:?} {entered} {withdrawn}"
            );
        }
        assert_eq!(PaperRefusal::Withdrawn.code(), "paper_withdrawal_cap_reached");
        assert_eq!(PaperRefusal::Full { cap: 1 }.code(), "paper_form_cap_reached");
    }

    #[test]
    fn a_paper_form_gives_an_age_or_a_band() {
        use crate::survey::AgeBand;
        let c = PaperChild::check(Some(12), None, Some(7), Some("girl")).unwrap();
        assert_eq!(
            (c.age, c.band, c.grade, c.gender),
            (12, AgeBand::Band12To14, Some(7), Some(Gender::Girl))
        );
        let c = PaperChild::check(None, Some("9-11"), None, None).unwrap();
        assert_eq!((c.age, c.band), (9, AgeBand::Band9To11));
        assert!(PaperChild::check(Some(13), Some("12-14"), None, None).is_ok());
        let codes = |r: Result<PaperChild, FieldErrors>| {
            r.unwrap_err()
                .0
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(PaperChild::check(None, None, None, None)),
            [("age".to_string(), "required")]
        );
        assert_eq!(
            codes(PaperChild::check(Some(13), Some("6-8"), None, None)),
            [("age_band".to_string(), "does_not_match")]
        );
        assert_eq!(
            codes(PaperChild::check(Some(5), Some("3-5"), Some(13), Some("x"))),
            [
                ("age".to_string(), "out_of_range"),
                ("age_band".to_string(), "unknown_value"),
                ("grade".to_string(), "out_of_range"),
                ("gender".to_string(), "unknown_value")
            ]
        );
    }

    #[test]
    fn every_refusal_speaks_both_languages() {
        for r in ChildRefusal::ALL {
            assert_ne!(r.message(Lang::Vi), r.message(Lang::En));
        }
        assert!(support_message(Lang::Vi).contains("111"));
        assert!(support_message(Lang::En).contains("111"));
    }

    #[test]
    fn a_session_is_planned_or_refused_in_order() {
        use chrono::TimeZone;
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).unwrap();
        let hour = Duration::hours(1);
        let ok_unit = Some(UnitAsked {
            in_force: true,
            in_scope: true,
        });
        let ask = SessionAsk {
            survey: SurveyStatus::Published,
            published_version: Some(3),
            published_at: Some(now - Duration::days(10)),
            opens_at: now,
            closes_at: now + hour,
            mode: None,
            unit: ok_unit,
            requires_guardian_consent: false,
            guardian_consent_given: false,
            now,
        };
        let plan = plan_session(ask).unwrap();
        assert_eq!((plan.version, plan.mode), (3, SessionMode::App));
        assert_eq!(plan.window, SessionWindow::new(now, now + hour).unwrap());

        // The survey first, whatever else is wrong.
        let broken = SessionAsk {
            closes_at: now - hour,
            unit: None,
            ..ask
        };
        let closed = SessionAsk {
            survey: SurveyStatus::Closed,
            ..broken
        };
        assert_eq!(plan_session(closed), Err(SessionRefusal::SurveyClosed));
        for (survey, version) in [(SurveyStatus::Draft, None), (SurveyStatus::Published, None)] {
            let draft = SessionAsk {
                survey,
                published_version: version,
                ..broken
            };
            assert_eq!(plan_session(draft), Err(SessionRefusal::SurveyNotPublished));
        }

        // Then every problem with what was asked, at once.
        let codes = |a: SessionAsk<'_>| -> Vec<(String, String)> {
            match plan_session(a) {
                Err(SessionRefusal::Invalid(e)) => e.0.into_iter().map(|f| (f.field, f.code.to_owned())).collect(),
                other => panic!("{other:?}"),
            }
        };
        let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
        assert_eq!(
            codes(SessionAsk {
                mode: Some("radio"),
                unit: None,
                requires_guardian_consent: true,
                ..ask
            }),
            vec![
                pair("mode", "unknown_value"),
                pair("unit_id", "unknown_unit"),
                pair("guardian_consent", "required")
            ]
        );
        assert_eq!(
            codes(SessionAsk {
                opens_at: now - hour * 3,
                closes_at: now - hour,
                ..ask
            }),
            vec![pair("closes_at", "in_the_past")]
        );
        assert_eq!(
            codes(SessionAsk {
                opens_at: now + hour * 2,
                unit: Some(UnitAsked {
                    in_force: false,
                    in_scope: true
                }),
                ..ask
            }),
            vec![
                pair("closes_at", "min_greater_than_max"),
                pair("unit_id", "not_in_force")
            ]
        );
        assert_eq!(
            codes(SessionAsk {
                unit: Some(UnitAsked {
                    in_force: true,
                    in_scope: false
                }),
                ..ask
            }),
            vec![pair("unit_id", "outside_scope")]
        );
        // A paper session is recorded once held, after publication.
        let paper = SessionAsk {
            mode: Some("paper"),
            opens_at: now - hour * 3,
            closes_at: now - hour,
            ..ask
        };
        assert_eq!(plan_session(paper).unwrap().mode, SessionMode::Paper);
        assert_eq!(
            codes(SessionAsk {
                mode: Some("paper"),
                ..ask
            }),
            vec![pair("closes_at", "in_the_future")]
        );
        assert_eq!(
            codes(SessionAsk {
                published_at: Some(now - hour * 2),
                ..paper
            }),
            vec![pair("opens_at", "before_published")]
        );
        // Consent recorded: a survey for the youngest is open too.
        let consented = SessionAsk {
            requires_guardian_consent: true,
            guardian_consent_given: true,
            ..ask
        };
        assert!(plan_session(consented).is_ok());
    }

    #[test]
    fn a_facilitator_reads_published_versions_only() {
        use SurveyStatus::*;
        let (c, f) = (SurveyReader::Curator, SurveyReader::Facilitator);
        assert_eq!(SurveyReader::of(crate::account::Role::Facilitator), f);
        assert_eq!(SurveyReader::of(crate::account::Role::Moderator), c);
        // (published, requested) → what a curator and a facilitator read.
        for (published, requested, curator, facilitator) in [
            (None, None, Ok(None), Err(Unseen::Survey)),
            (None, Some(1), Ok(Some(1)), Err(Unseen::Survey)),
            (Some(2), None, Ok(None), Ok(Some(2))),
            (Some(2), Some(1), Ok(Some(1)), Ok(Some(1))),
            (Some(2), Some(3), Ok(Some(3)), Err(Unseen::Version)),
            (Some(2), Some(0), Ok(Some(0)), Err(Unseen::Version)),
        ] {
            assert_eq!(c.version(published, requested), curator, "{published:?} {requested:?}");
            assert_eq!(
                f.version(published, requested),
                facilitator,
                "{published:?} {requested:?}"
            );
        }
        assert_eq!(c.listed(Some(Draft)), Some(Some(Draft)));
        assert_eq!(c.listed(None), Some(None));
        assert_eq!(f.listed(None), Some(Some(Published)));
        assert_eq!(f.listed(Some(Published)), Some(Some(Published)));
        assert_eq!(f.listed(Some(Draft)), None);
        assert_eq!(f.listed(Some(Closed)), None);
    }
}
