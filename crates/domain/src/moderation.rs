//! Curating children's issues: the statuses an issue moves through in the
//! Children's Council's queue, why one is rejected, and the folded form
//! the queue is searched by.
//!
//! An issue arrives `new` (or `withheld` when screening routed it to a
//! safeguarding case; moderators never change that one). A moderator
//! accepts it or rejects it with a reason; a decision can be revisited
//! (an accepted issue later found to be a duplicate, a rejected one on
//! appeal), but nothing goes back to `new`.

use crate::screen::fold;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IssueStatus {
    New,
    Withheld,
    Accepted,
    Rejected,
}

impl IssueStatus {
    pub const ALL: [IssueStatus; 4] = [
        IssueStatus::New,
        IssueStatus::Withheld,
        IssueStatus::Accepted,
        IssueStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IssueStatus::New => "new",
            IssueStatus::Withheld => "withheld",
            IssueStatus::Accepted => "accepted",
            IssueStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<IssueStatus> {
        IssueStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Why an issue was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    OffTopic,
    Duplicate,
    Unsafe,
    PersonalInformation,
    Other,
}

impl RejectReason {
    pub const ALL: [RejectReason; 5] = [
        RejectReason::OffTopic,
        RejectReason::Duplicate,
        RejectReason::Unsafe,
        RejectReason::PersonalInformation,
        RejectReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::OffTopic => "off_topic",
            RejectReason::Duplicate => "duplicate",
            RejectReason::Unsafe => "unsafe",
            RejectReason::PersonalInformation => "personal_information",
            RejectReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<RejectReason> {
        RejectReason::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Why a status change is refused; each has a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a withheld issue belongs to its safeguarding case and is not moderated")]
    Withheld,
    #[error("an issue cannot go from {from} to {to}")]
    Illegal { from: &'static str, to: &'static str },
    #[error("rejecting needs a reason")]
    ReasonRequired,
    #[error("only a rejection takes a reason")]
    ReasonNotAllowed,
}

impl TransitionError {
    pub fn code(self) -> &'static str {
        match self {
            TransitionError::Withheld => "issue_withheld",
            TransitionError::Illegal { .. } => "illegal_transition",
            TransitionError::ReasonRequired => "reason_required",
            TransitionError::ReasonNotAllowed => "reason_not_allowed",
        }
    }
}

/// The reason an issue will carry after moving from `from` to `to`
/// (`None` unless rejected), or why the move is refused. Staying in the
/// same status is allowed (a rejection may change its reason).
pub fn transition(
    from: IssueStatus,
    to: IssueStatus,
    reason: Option<RejectReason>,
) -> Result<Option<RejectReason>, TransitionError> {
    use IssueStatus::*;
    if from == Withheld || to == Withheld {
        return Err(TransitionError::Withheld);
    }
    match (from, to) {
        (_, New) if from != New => Err(TransitionError::Illegal {
            from: from.as_str(),
            to: to.as_str(),
        }),
        (_, Rejected) => reason.map(Some).ok_or(TransitionError::ReasonRequired),
        _ if reason.is_some() => Err(TransitionError::ReasonNotAllowed),
        _ => Ok(None),
    }
}

/// The text the queue is searched by: title and body folded (lower case,
/// no diacritics), so that "bao luc" finds "Bạo lực".
pub fn search_key(title: &str, body: &str) -> String {
    fold(&format!("{title}\n{body}"))
}

/// A search query folded the same way; `None` when nothing is left.
pub fn search_query(q: &str) -> Option<String> {
    Some(fold(q)).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use IssueStatus::*;

    #[test]
    fn transitions() {
        let r = Some(RejectReason::Duplicate);
        assert_eq!(transition(New, Accepted, None), Ok(None));
        assert_eq!(transition(New, Rejected, r), Ok(r));
        assert_eq!(
            transition(Accepted, Rejected, r),
            Ok(r),
            "found to be a duplicate later"
        );
        assert_eq!(transition(Rejected, Accepted, None), Ok(None), "on appeal");
        assert_eq!(
            transition(Rejected, Rejected, Some(RejectReason::Unsafe)),
            Ok(Some(RejectReason::Unsafe))
        );
        assert_eq!(transition(New, New, None), Ok(None));
        assert_eq!(transition(New, Rejected, None), Err(TransitionError::ReasonRequired));
        assert_eq!(transition(New, Accepted, r), Err(TransitionError::ReasonNotAllowed));
        assert_eq!(
            transition(Accepted, New, None).map_err(TransitionError::code),
            Err("illegal_transition")
        );
        assert_eq!(
            transition(Rejected, New, None).map_err(TransitionError::code),
            Err("illegal_transition")
        );
        for to in IssueStatus::ALL {
            assert_eq!(transition(Withheld, to, None), Err(TransitionError::Withheld));
        }
        assert_eq!(
            transition(New, Withheld, None).map_err(TransitionError::code),
            Err("issue_withheld")
        );
    }

    #[test]
    fn names_round_trip() {
        for s in IssueStatus::ALL {
            assert_eq!(IssueStatus::parse(s.as_str()), Some(s));
        }
        for r in RejectReason::ALL {
            assert_eq!(RejectReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(IssueStatus::parse("New"), None);
        assert_eq!(RejectReason::parse("spam"), None);
    }

    #[test]
    fn search_ignores_case_and_diacritics() {
        let key = search_key("Bạo lực học đường", "Ở trường em có bạn bị ĐÁNH.");
        assert!(key.contains(&search_query("bao luc").unwrap()));
        assert!(key.contains(&search_query("  BẠO   LỰC ").unwrap()));
        assert!(key.contains(&search_query("danh").unwrap()));
        assert!(key.contains(&search_query("truong em").unwrap()));
        assert!(!key.contains(&search_query("đuối nước").unwrap()));
        assert_eq!(search_query("   "), None);
    }
}
