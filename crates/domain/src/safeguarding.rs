//! Safeguarding cases: how a case moves from intake to closure, whom it is
//! referred to, and when an urgent one is overdue.
//!
//! A case opens `new` (from screening a child's text, or from a report
//! received on hotline 111 or in person), is `assessing` once an officer
//! takes it up, may be `referred` (to hotline 111, the social affairs
//! office, the police or the school), and ends `closed`. Nothing moves
//! backwards. An urgent case not assessed within 24 hours of being received
//! is overdue.

use chrono::{DateTime, Duration, Utc};

use crate::UserId;
use crate::screen::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaseStatus {
    New,
    Assessing,
    Referred,
    Closed,
}

names! { CaseStatus { New = "new", Assessing = "assessing", Referred = "referred", Closed = "closed" } }

impl CaseStatus {
    /// Whether a case may go from this status to `to`: forward only, one
    /// step at a time but for closing a case being assessed; staying put is
    /// allowed.
    pub fn may_move_to(self, to: CaseStatus) -> bool {
        use CaseStatus::*;
        self == to
            || matches!(
                (self, to),
                (New, Assessing) | (Assessing, Referred) | (Assessing, Closed) | (Referred, Closed)
            )
    }
}

/// Where a case is referred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Referral {
    Hotline111,
    SocialAffairs,
    Police,
    School,
}

names! {
    Referral {
        Hotline111 = "hotline_111", SocialAffairs = "social_affairs", Police = "police", School = "school",
    }
}

/// How a report reached the officers, for cases opened by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Hotline111,
    InPerson,
}

names! { Channel { Hotline111 = "hotline_111", InPerson = "in_person" } }

/// Why a move is refused; each has a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("a case cannot go from {from} to {to}")]
    Illegal { from: &'static str, to: &'static str },
    #[error("a referral says to whom: hotline_111, social_affairs, police or school")]
    ReferralRequired,
    #[error("only a referral names where the case went")]
    ReferralNotAllowed,
    #[error("only a case the screen opened has a call to mark")]
    NotScreened,
}

impl CaseError {
    pub fn code(self) -> &'static str {
        match self {
            CaseError::Illegal { .. } => "illegal_transition",
            CaseError::ReferralRequired => "referral_required",
            CaseError::ReferralNotAllowed => "referral_not_allowed",
            CaseError::NotScreened => "not_screened",
        }
    }
}

/// The referral a case carries after moving from `from` to `to`, or why the
/// move is refused. Staying put is allowed; `current` is the referral the
/// case already has.
pub fn transition(
    from: CaseStatus,
    to: CaseStatus,
    referral: Option<Referral>,
    current: Option<Referral>,
) -> Result<Option<Referral>, CaseError> {
    if !from.may_move_to(to) {
        return Err(CaseError::Illegal {
            from: from.as_str(),
            to: to.as_str(),
        });
    }
    match (to, referral) {
        (CaseStatus::Referred, Some(r)) => Ok(Some(r)),
        (CaseStatus::Referred, None) => current.map(Some).ok_or(CaseError::ReferralRequired),
        (_, Some(_)) => Err(CaseError::ReferralNotAllowed),
        // A closed case keeps the referral it had.
        (_, None) => Ok(current),
    }
}

/// What an officer's move does to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub status: CaseStatus,
    pub referral: Option<Referral>,
    /// The case leaves `new` now: it is assessed.
    pub assessed_now: bool,
    /// The case is closed now.
    pub closed_now: bool,
}

/// An officer's move as asked (a status and/or a referral, either possibly
/// absent) from a case in `from` that has `current` referral.
pub fn apply(
    from: CaseStatus,
    status: Option<CaseStatus>,
    referral: Option<Referral>,
    current: Option<Referral>,
) -> Result<Move, CaseError> {
    let to = status.unwrap_or(from);
    let referral = transition(from, to, referral, current)?;
    Ok(Move {
        status: to,
        referral,
        assessed_now: from == CaseStatus::New && to != CaseStatus::New,
        closed_now: to == CaseStatus::Closed && from != CaseStatus::Closed,
    })
}

/// An officer's mark of the screen's call on a case it opened, which grows
/// the screen's labelled set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Right,
    Wrong,
}

names! { Verdict { Right = "right", Wrong = "wrong" } }

/// What an officer's change can touch of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    pub status: CaseStatus,
    pub referral: Option<Referral>,
    pub severity: Severity,
    pub assignee: Option<UserId>,
    pub assessed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The screen opened the case, so its call can be marked.
    pub screened: bool,
    pub verdict: Option<Verdict>,
    pub verdict_at: Option<DateTime<Utc>>,
}

/// An officer's change as asked; an absent part leaves the case as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseChange {
    pub status: Option<CaseStatus>,
    pub referral: Option<Referral>,
    pub severity: Option<Severity>,
    pub assignee: Option<UserId>,
    pub verdict: Option<Verdict>,
}

impl CaseState {
    /// The case after `change` made at `now`, or why it is refused: the
    /// move (see [`apply`]) stamps `assessed_at` when the case leaves `new`
    /// and `closed_at` when it closes; a verdict is for a case the screen
    /// opened, and is stamped only when it differs from the one marked.
    pub fn change(&self, change: &CaseChange, now: DateTime<Utc>) -> Result<CaseState, CaseError> {
        let mut next = self.clone();
        if change.status.is_some() || change.referral.is_some() {
            let m = apply(self.status, change.status, change.referral, self.referral)?;
            next.status = m.status;
            next.referral = m.referral;
            if m.assessed_now {
                next.assessed_at = Some(now);
            }
            if m.closed_now {
                next.closed_at = Some(now);
            }
        }
        if let Some(s) = change.severity {
            next.severity = s;
        }
        if let Some(a) = change.assignee {
            next.assignee = Some(a);
        }
        if let Some(v) = change.verdict {
            if !self.screened {
                return Err(CaseError::NotScreened);
            }
            if self.verdict != Some(v) {
                next.verdict = Some(v);
                next.verdict_at = Some(now);
            }
        }
        Ok(next)
    }
}

/// How long an urgent case may wait to be assessed.
pub const ASSESS_URGENT_WITHIN: Duration = Duration::hours(24);

/// Whether a case is overdue at `now`: urgent, still `new`, received more
/// than 24 hours ago.
pub fn overdue(severity: Severity, status: CaseStatus, received_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    severity == Severity::Urgent && status == CaseStatus::New && now - received_at > ASSESS_URGENT_WITHIN
}

/// The name a child-protection worker uses for a category of concern
/// (`violence`, `sexual_abuse`, … as the screen names them), in Vietnamese
/// or English; an unknown name is given back as it is.
pub fn category_label(category: &str, lang: crate::text::Lang) -> &str {
    use crate::text::Lang;
    let (vi, en) = match category {
        "violence" => ("bạo lực trong gia đình", "violence at home"),
        "sexual_abuse" => ("xâm hại tình dục", "sexual abuse"),
        "self_harm" => ("tự gây hại, ý nghĩ tự tử", "self-harm or suicidal thoughts"),
        "bullying" => ("bắt nạt, đe dọa", "bullying and threats"),
        "trafficking" => ("mua bán người, bóc lột lao động", "trafficking and exploitative labour"),
        "neglect" => ("bỏ mặc, thiếu chăm sóc", "neglect"),
        "online_exploitation" => ("bóc lột trên mạng", "online exploitation"),
        _ => return category,
    };
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The words of a severity in a report.
pub fn severity_label(severity: &str, lang: crate::text::Lang) -> &str {
    use crate::text::Lang;
    match (severity, lang) {
        ("urgent", Lang::Vi) => "khẩn cấp",
        ("high", Lang::Vi) => "cao",
        ("medium", Lang::Vi) => "trung bình",
        (s, _) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseStatus::*;

    #[test]
    fn cases_move_forward_only() {
        let p = Some(Referral::Police);
        assert_eq!(transition(New, Assessing, None, None), Ok(None));
        assert_eq!(transition(Assessing, Referred, p, None), Ok(p));
        assert_eq!(transition(Referred, Closed, None, p), Ok(p), "the referral is kept");
        assert_eq!(transition(Assessing, Closed, None, None), Ok(None));
        assert_eq!(
            transition(Referred, Referred, Some(Referral::School), p),
            Ok(Some(Referral::School))
        );
        assert_eq!(
            transition(Assessing, Referred, None, None),
            Err(CaseError::ReferralRequired)
        );
        assert_eq!(transition(New, Assessing, p, None), Err(CaseError::ReferralNotAllowed));
        for (from, to) in [
            (New, Referred),
            (New, Closed),
            (Closed, New),
            (Referred, Assessing),
            (Closed, Assessing),
        ] {
            assert_eq!(
                transition(from, to, p, None).map_err(CaseError::code),
                Err("illegal_transition")
            );
        }
        crate::testing::assert_names_read_back(CaseStatus::ALL, CaseStatus::as_str, CaseStatus::parse);
        crate::testing::assert_names_read_back(Referral::ALL, Referral::as_str, Referral::parse);
        assert_eq!(Channel::parse("hotline_111"), Some(Channel::Hotline111));
        assert_eq!(Channel::parse("email"), None);
    }

    #[test]
    fn moves_stamp_assessment_and_closing_once() {
        let m = apply(New, Some(Assessing), None, None).unwrap();
        assert!(m.assessed_now && !m.closed_now);
        let m = apply(Assessing, Some(Closed), None, None).unwrap();
        assert!(!m.assessed_now && m.closed_now);
        let m = apply(Closed, None, None, Some(Referral::Police)).unwrap();
        assert_eq!(
            (m.status, m.referral, m.closed_now),
            (Closed, Some(Referral::Police), false)
        );
    }

    #[test]
    fn the_allowed_moves_are_exactly_the_forward_ones() {
        let allowed: Vec<(CaseStatus, CaseStatus)> = CaseStatus::ALL
            .into_iter()
            .flat_map(|from| CaseStatus::ALL.into_iter().map(move |to| (from, to)))
            .filter(|(from, to)| from != to && from.may_move_to(*to))
            .collect();
        assert_eq!(
            allowed,
            [
                (New, Assessing),
                (Assessing, Referred),
                (Assessing, Closed),
                (Referred, Closed)
            ]
        );
        assert!(CaseStatus::ALL.into_iter().all(|s| s.may_move_to(s)));
    }

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 + h * 3600, 0).unwrap()
    }

    fn case(status: CaseStatus) -> CaseState {
        CaseState {
            status,
            referral: None,
            severity: Severity::High,
            assignee: None,
            assessed_at: None,
            closed_at: None,
            screened: true,
            verdict: None,
            verdict_at: None,
        }
    }

    #[test]
    fn a_change_says_what_changes() {
        let now = at(5);
        let officer = UserId(uuid::Uuid::from_u128(7));
        let to = |status| CaseChange {
            status: Some(status),
            ..CaseChange::default()
        };
        // Taking a new case up stamps its assessment, and nothing else.
        let next = case(New).change(&to(Assessing), now).unwrap();
        assert_eq!(
            next,
            CaseState {
                status: Assessing,
                assessed_at: Some(now),
                ..case(New)
            }
        );
        // Referring names where; closing keeps the referral and stamps once.
        let referred = next
            .change(
                &CaseChange {
                    status: Some(Referred),
                    referral: Some(Referral::School),
                    ..CaseChange::default()
                },
                at(6),
            )
            .unwrap();
        assert_eq!((referred.status, referred.referral), (Referred, Some(Referral::School)));
        assert_eq!(referred.assessed_at, Some(now), "assessed once");
        let closed = referred.change(&to(Closed), at(7)).unwrap();
        assert_eq!(
            (closed.referral, closed.closed_at),
            (Some(Referral::School), Some(at(7)))
        );
        let again = closed.change(&to(Closed), at(8)).unwrap();
        assert_eq!(again, closed, "closing a closed case changes nothing");
        // Severity and assignee alone leave the status and its stamps.
        let reassigned = closed
            .change(
                &CaseChange {
                    severity: Some(Severity::Urgent),
                    assignee: Some(officer),
                    ..CaseChange::default()
                },
                at(9),
            )
            .unwrap();
        assert_eq!(
            reassigned,
            CaseState {
                severity: Severity::Urgent,
                assignee: Some(officer),
                ..closed.clone()
            }
        );
    }

    #[test]
    fn a_refused_change_says_why() {
        let check = |from: CaseState, change: CaseChange, expect: CaseError| {
            assert_eq!(from.change(&change, at(1)), Err(expect), "{from:?} {change:?}");
        };
        check(
            case(New),
            CaseChange {
                status: Some(Closed),
                ..CaseChange::default()
            },
            CaseError::Illegal {
                from: "new",
                to: "closed",
            },
        );
        check(
            case(Assessing),
            CaseChange {
                status: Some(Referred),
                ..CaseChange::default()
            },
            CaseError::ReferralRequired,
        );
        // A referral alone moves nothing, so it is refused outside `referred`.
        check(
            case(Assessing),
            CaseChange {
                referral: Some(Referral::Police),
                ..CaseChange::default()
            },
            CaseError::ReferralNotAllowed,
        );
        check(
            CaseState {
                screened: false,
                ..case(New)
            },
            CaseChange {
                verdict: Some(Verdict::Right),
                ..CaseChange::default()
            },
            CaseError::NotScreened,
        );
        // The move is judged before the verdict.
        check(
            CaseState {
                screened: false,
                ..case(Closed)
            },
            CaseChange {
                status: Some(New),
                verdict: Some(Verdict::Right),
                ..CaseChange::default()
            },
            CaseError::Illegal {
                from: "closed",
                to: "new",
            },
        );
    }

    #[test]
    fn a_verdict_is_stamped_when_it_changes() {
        let mark = |v| CaseChange {
            verdict: Some(v),
            ..CaseChange::default()
        };
        let marked = case(Assessing).change(&mark(Verdict::Wrong), at(1)).unwrap();
        assert_eq!((marked.verdict, marked.verdict_at), (Some(Verdict::Wrong), Some(at(1))));
        let same = marked.change(&mark(Verdict::Wrong), at(2)).unwrap();
        assert_eq!(same.verdict_at, Some(at(1)), "the same mark again keeps its time");
        let other = marked.change(&mark(Verdict::Right), at(3)).unwrap();
        assert_eq!((other.verdict, other.verdict_at), (Some(Verdict::Right), Some(at(3))));
        for v in [Verdict::Right, Verdict::Wrong] {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
        }
        assert_eq!(Verdict::parse("maybe"), None);
    }

    #[test]
    fn only_urgent_new_cases_older_than_a_day_are_overdue() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-03-11T02:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let old = now - Duration::hours(25);
        let fresh = now - Duration::hours(23);
        assert!(overdue(Severity::Urgent, New, old, now));
        assert!(!overdue(Severity::Urgent, New, fresh, now));
        assert!(!overdue(Severity::Urgent, Assessing, old, now));
        assert!(!overdue(Severity::High, New, old, now));
    }
}
