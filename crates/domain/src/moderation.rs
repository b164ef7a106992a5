//! Curating children's issues: the statuses an issue moves through in the
//! Children's Council's queue, why one is rejected, and the folded form
//! the queue is searched by.
//!
//! An issue arrives `new`, `withheld` when screening found a clear
//! disclosure (or a moderator referred it to safeguarding), or `in_review`
//! when it found a possible one, until a safeguarding officer releases it
//! to `new`. Moderators never see or change a hidden one. A moderator
//! accepts it or rejects it with a reason; a decision can be revisited
//! (an accepted issue later found to be a duplicate, a rejected one on
//! appeal), but nothing goes back to `new`. An accepted issue reaches the
//! public list only when a moderator publishes it, its text screened again
//! at that moment; an issue no longer accepted is no longer published.

use crate::catalog::Topic;
use crate::screen::{self, Flagged, Outcome, Redaction, fold};
use crate::{FieldErrors, TopicId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IssueStatus {
    New,
    Withheld,
    InReview,
    Accepted,
    Rejected,
    /// Withdrawn by the child who raised it (or erased with their data):
    /// its text is gone, and it counts nowhere.
    Withdrawn,
}

names! {
    IssueStatus {
        New = "new", Withheld = "withheld", InReview = "in_review", Accepted = "accepted",
        Rejected = "rejected", Withdrawn = "withdrawn",
    }
}

impl IssueStatus {
    /// Hidden from moderators: it belongs to a safeguarding case or review,
    /// or the child withdrew it.
    pub const HIDDEN: [&'static str; 3] = ["withheld", "in_review", "withdrawn"];

    pub fn is_hidden(self) -> bool {
        matches!(
            self,
            IssueStatus::Withheld | IssueStatus::InReview | IssueStatus::Withdrawn
        )
    }

    /// Still stands behind the recommendations it backs: accepted, as every
    /// issue was when it was put in one. Withdrawn by its child or erased
    /// with their data, referred to safeguarding (withheld, in review) or
    /// rejected on a second look, it no longer counts in any figure a
    /// recommendation publishes, though the link to it stays. (An issue in
    /// a recommendation is never purged: it is the consultation's record.)
    pub fn stands(self) -> bool {
        self == IssueStatus::Accepted
    }

    /// An issue the council never took up: its words are raw free text,
    /// purged after the retention period like answers' (the row stays, for
    /// counts). An accepted issue (every published one is) is the
    /// consultation's record and keeps its redacted words; a withdrawn one
    /// has lost its words already.
    pub fn never_taken_up(self) -> bool {
        matches!(
            self,
            IssueStatus::New | IssueStatus::Rejected | IssueStatus::Withheld | IssueStatus::InReview
        )
    }
}

/// An issue's words and topic as a child gave them, checked: whichever way
/// it came in (raised on a phone, entered from an event), it is taken in
/// by these rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueText {
    /// Trimmed, not empty.
    pub title: String,
    /// Trimmed, not empty.
    pub body: String,
    /// An active topic, when one was named.
    pub topic: Option<TopicId>,
}

impl IssueText {
    /// Checks a title and a body (more than blanks) and a topic's slug
    /// (one of the active `topics`), reporting every problem under
    /// `prefix` (`""` for `title`, `"issues[2]."` for `issues[2].title`).
    pub fn check(
        prefix: &str,
        title: &str,
        body: &str,
        topic: Option<&str>,
        topics: &[Topic],
    ) -> Result<IssueText, FieldErrors> {
        let (title, body) = (title.trim(), body.trim());
        let mut errors = FieldErrors::new();
        if title.is_empty() {
            errors.push_said(
                format!("{prefix}title"),
                "empty_text",
                "Em hãy viết tiêu đề.",
                "write a title",
            );
        }
        if body.is_empty() {
            errors.push_said(
                format!("{prefix}body"),
                "empty_text",
                "Em hãy viết ý kiến của em.",
                "write what the issue is",
            );
        }
        let topic = topic.and_then(|slug| {
            let found = topics.iter().find(|t| t.slug.as_str() == slug && t.active);
            if found.is_none() {
                errors.push_said(
                    format!("{prefix}topic"),
                    "unknown_topic",
                    format!("Không có chủ đề {slug:?}."),
                    format!("no topic {slug:?}"),
                );
            }
            found.map(|t| t.id)
        });
        errors.into_result(IssueText {
            title: title.to_owned(),
            body: body.to_owned(),
            topic,
        })
    }
}

/// An issue as the screen lets it be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake {
    /// `withheld` for a clear disclosure, `in_review` for a possible one,
    /// `new` otherwise.
    pub status: IssueStatus,
    /// Redacted of personal data, or [`screen::WITHHELD`] for a clear
    /// disclosure.
    pub title: String,
    pub body: String,
    /// Kinds of personal data removed, each once.
    pub redactions: Vec<Redaction>,
    /// The words that go to safeguarding, with what the screen found.
    pub flagged: Vec<Flagged>,
    pub outcome: Option<Outcome>,
}

/// Screens an issue: a clear disclosure is withheld (its words go to a
/// safeguarding case only); a possible one is kept, redacted, for the
/// officer who may release it to moderation; anything else enters the
/// queue as `new`, redacted.
pub fn intake(issue: &IssueText) -> Intake {
    let s = screen::screen_issue(&issue.title, &issue.body);
    let outcome = s.outcome();
    let (status, title, body) = match outcome {
        Some(Outcome::Clear) => (IssueStatus::Withheld, s.title, s.body),
        Some(Outcome::Possible) => (
            IssueStatus::InReview,
            screen::screen(&issue.title).redacted,
            screen::screen(&issue.body).redacted,
        ),
        None => (IssueStatus::New, s.title, s.body),
    };
    Intake {
        status,
        title,
        body,
        redactions: s.redactions,
        flagged: s.flagged,
        outcome,
    }
}

/// The status the queue shows for an issue merged into another, whatever
/// its own: a duplicate needs no decision of its own, so merging resolves
/// it and it leaves the `new` queue; unmerging brings back its own status,
/// which merging never changed.
pub const MERGED: &str = "merged";

/// The status the moderation queue shows and filters by: [`MERGED`] for
/// a merged issue, its own status otherwise.
pub fn queue_status(status: IssueStatus, merged: bool) -> &'static str {
    if merged { MERGED } else { status.as_str() }
}

/// A status the queue is filtered by: merged issues, or issues of one
/// status not merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueStatus {
    Merged,
    Own(IssueStatus),
}

/// Why an issue was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    OffTopic,
    /// Junk, nobody's view ("adsfasdf"): not counted as a consultation.
    Spam,
    Duplicate,
    Unsafe,
    PersonalInformation,
    Other,
}

names! {
    RejectReason {
        OffTopic = "off_topic", Spam = "spam", Duplicate = "duplicate", Unsafe = "unsafe",
        PersonalInformation = "personal_information", Other = "other",
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
        // In review (the screen's hold) and withdrawn (the child's) are
        // never a moderator's to give or to lift: either would hide an
        // issue, or bring back one the child took away.
        (InReview | Withdrawn, _) | (_, InReview | Withdrawn) => Err(TransitionError::Illegal {
            from: from.as_str(),
            to: to.as_str(),
        }),
        (_, New) if from != New => Err(TransitionError::Illegal {
            from: from.as_str(),
            to: to.as_str(),
        }),
        (_, Rejected) => reason.map(Some).ok_or(TransitionError::ReasonRequired),
        _ if reason.is_some() => Err(TransitionError::ReasonNotAllowed),
        _ => Ok(None),
    }
}

/// A moderator's decision as asked: a new status and/or a reason, either
/// possibly absent. Returns the status and reason the issue then has. A
/// reason alone re-words a rejection; a rejection without a reason keeps
/// the one the issue already had; any other status drops the reason.
pub fn decide(
    from: IssueStatus,
    status: Option<IssueStatus>,
    reason: Option<RejectReason>,
    current_reason: Option<RejectReason>,
) -> Result<(IssueStatus, Option<RejectReason>), TransitionError> {
    let to = status.unwrap_or(from);
    let reason = if status.is_some() && to != IssueStatus::Rejected {
        reason
    } else {
        reason.or(current_reason)
    };
    transition(from, to, reason).map(|r| (to, r))
}

/// The text the queue is searched by: the words of title and body folded
/// (lower case, no diacritics), so that "bao luc" finds "Bạo lực", each
/// word after a space, a punctuation mark a word of its own:
/// `" bao luc hoc duong . "`. A
/// query matches where it starts a word ([`search_matches`]), so a query
/// never matches inside a word ("hem" finds "hẻm", not "thêm").
pub fn search_key(title: &str, body: &str) -> String {
    let mut key = String::from(" ");
    for word in search_words(&format!("{title}\n{body}")) {
        key.push_str(&word);
        key.push(' ');
    }
    key
}

/// A search query folded the same way: its words, one space apart; `None`
/// when no word is left.
pub fn search_query(q: &str) -> Option<String> {
    Some(search_words(q).join(" ")).filter(|s| !s.is_empty())
}

/// Whether a folded query matches a search key: the query's words, in
/// order, with the first starting a word of the key and the last a word
/// start or whole word (what storage asks with `LIKE '% query%'`).
pub fn search_matches(key: &str, query: &str) -> bool {
    key.contains(&format!(" {query}"))
}

/// Whether a stored search key has the current form (an older one, from
/// before words were kept apart, is computed again at start-up).
pub fn is_search_key(key: &str) -> bool {
    key.starts_with(' ')
}

/// The folded words of a text: runs of letters and digits, and each other
/// character but a space as a word of its own (so "50%" is `50 %`, and a
/// search for `%` finds a percent sign).
fn search_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in fold(text).chars() {
        if c.is_alphanumeric() {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if !c.is_whitespace() {
            words.push(c.to_string());
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// What decides whether one issue may be merged into another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeCheck {
    pub same_issue: bool,
    pub issue_withheld: bool,
    pub target_withheld: bool,
    /// The issue already points at a canonical issue.
    pub issue_merged: bool,
    /// Other issues point at this one: it is canonical itself.
    pub issue_has_merged: bool,
    /// The target points at another issue.
    pub target_merged: bool,
}

/// Why a merge is refused; each has a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("an issue cannot be merged into itself")]
    SameIssue,
    #[error("a withheld issue belongs to its safeguarding case and is not merged")]
    Withheld,
    #[error("the issue is already merged; unmerge it first")]
    AlreadyMerged,
    #[error("other issues are merged into this one; it cannot be merged in turn")]
    HasMerged,
    #[error("the target is merged into another issue; merge into that one")]
    TargetMerged,
}

impl MergeError {
    pub fn code(self) -> &'static str {
        match self {
            MergeError::SameIssue => "merge_into_itself",
            MergeError::Withheld => "issue_withheld",
            MergeError::AlreadyMerged => "already_merged",
            MergeError::HasMerged => "has_merged_issues",
            MergeError::TargetMerged => "merge_target_merged",
        }
    }
}

/// Merges are one level deep: a merged issue points straight at its
/// canonical issue, which is not merged itself.
pub fn check_merge(c: MergeCheck) -> Result<(), MergeError> {
    if c.same_issue {
        Err(MergeError::SameIssue)
    } else if c.issue_withheld || c.target_withheld {
        Err(MergeError::Withheld)
    } else if c.issue_merged {
        Err(MergeError::AlreadyMerged)
    } else if c.issue_has_merged {
        Err(MergeError::HasMerged)
    } else if c.target_merged {
        Err(MergeError::TargetMerged)
    } else {
        Ok(())
    }
}

/// The children who support an issue together with the issues merged into
/// it: each child once, however many of the group's issues they supported.
pub fn group_supporters<'a, P: Ord + Clone + 'a>(
    members: impl IntoIterator<Item = &'a [P]>,
) -> std::collections::BTreeSet<P> {
    members.into_iter().flatten().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use IssueStatus::*;

    #[test]
    fn only_issues_taken_up_keep_their_words() {
        let purged: Vec<_> = IssueStatus::ALL.into_iter().filter(|s| s.never_taken_up()).collect();
        assert_eq!(purged, [New, Withheld, InReview, Rejected]);
        assert!(!Accepted.never_taken_up() && !Withdrawn.never_taken_up());
    }

    fn topics() -> Vec<Topic> {
        use crate::LocalizedText;
        use crate::catalog::TopicSlug;
        let topic = |slug: &str, active| Topic {
            id: TopicId::new(),
            slug: TopicSlug::parse("slug", slug).unwrap(),
            name: LocalizedText::from_stored(slug, None),
            description: None,
            active,
        };
        vec![topic("safety", true), topic("old_topic", false)]
    }

    fn problems(r: Result<IssueText, FieldErrors>) -> Vec<(String, &'static str)> {
        r.unwrap_err().0.into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn an_issue_is_checked_the_same_every_way_in() {
        let topics = topics();
        assert_eq!(
            IssueText::check("", "  Đèn đường ", "\nTối quá\t", Some("safety"), &topics),
            Ok(IssueText {
                title: "Đèn đường".into(),
                body: "Tối quá".into(),
                topic: Some(topics[0].id),
            })
        );
        assert_eq!(IssueText::check("", "T", "B", None, &topics).unwrap().topic, None);
        assert_eq!(
            problems(IssueText::check("", " ", "\n", Some("old_topic"), &topics)),
            [
                ("title".to_owned(), "empty_text"),
                ("body".to_owned(), "empty_text"),
                ("topic".to_owned(), "unknown_topic"),
            ],
            "every problem, in order; an inactive topic is unknown"
        );
        assert_eq!(
            problems(IssueText::check("issues[2].", "T", " ", Some("nope"), &topics)),
            [
                ("issues[2].body".to_owned(), "empty_text"),
                ("issues[2].topic".to_owned(), "unknown_topic"),
            ]
        );
    }

    #[test]
    fn the_screen_decides_where_an_issue_goes() {
        let text = |title: &str, body: &str| IssueText {
            title: title.into(),
            body: body.into(),
            topic: None,
        };
        let plain = intake(&text("Cần đèn đường", "Gọi 0912 345 678 nhé"));
        assert_eq!((plain.status, plain.outcome), (New, None));
        assert!(!plain.body.contains("0912"), "redacted: {}", plain.body);
        assert!(!plain.redactions.is_empty());
        assert!(plain.flagged.is_empty());

        let clear = intake(&text("Giúp em", "Bố em say rượu về đánh em"));
        assert_eq!((clear.status, clear.outcome), (Withheld, Some(Outcome::Clear)));
        assert_eq!(
            (clear.title.as_str(), clear.body.as_str()),
            (screen::WITHHELD, screen::WITHHELD)
        );
        assert_eq!(clear.flagged.len(), 1);

        let possible = intake(&text("Giúp em", "em buồn lắm, muốn biến mất"));
        assert_eq!((possible.status, possible.outcome), (InReview, Some(Outcome::Possible)));
        assert_eq!(possible.title, "Giúp em", "kept for the officer, redacted");
        assert_ne!(possible.body, screen::WITHHELD);
        assert_eq!(possible.flagged.len(), 1);
    }

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
        for hidden in [InReview, Withdrawn] {
            for other in [New, Accepted, Rejected] {
                assert!(
                    matches!(transition(other, hidden, None), Err(TransitionError::Illegal { .. })),
                    "{other:?} → {hidden:?}"
                );
                assert!(
                    matches!(transition(hidden, other, r), Err(TransitionError::Illegal { .. })),
                    "{hidden:?} → {other:?}"
                );
            }
        }
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
    fn decisions_keep_or_drop_the_reason() {
        let (d, o) = (Some(RejectReason::Duplicate), Some(RejectReason::Other));
        assert_eq!(decide(Rejected, None, o, d), Ok((Rejected, o)), "re-worded");
        assert_eq!(decide(Rejected, Some(Rejected), None, d), Ok((Rejected, d)), "kept");
        assert_eq!(
            decide(Rejected, Some(Accepted), None, d),
            Ok((Accepted, None)),
            "dropped"
        );
        assert_eq!(decide(New, None, o, None), Err(TransitionError::ReasonNotAllowed));
        assert_eq!(
            decide(New, Some(Rejected), None, None),
            Err(TransitionError::ReasonRequired)
        );
    }

    #[test]
    fn names_round_trip() {
        crate::testing::assert_names_read_back(IssueStatus::ALL, IssueStatus::as_str, IssueStatus::parse);
        crate::testing::assert_names_read_back(RejectReason::ALL, RejectReason::as_str, RejectReason::parse);
        assert_eq!(IssueStatus::parse("New"), None);
        assert_eq!(RejectReason::parse("spam"), Some(RejectReason::Spam));
        assert_eq!(RejectReason::parse("junk"), None);
    }

    #[test]
    fn merges_are_one_level_deep() {
        let ok = MergeCheck {
            same_issue: false,
            issue_withheld: false,
            target_withheld: false,
            issue_merged: false,
            issue_has_merged: false,
            target_merged: false,
        };
        assert_eq!(check_merge(ok), Ok(()));
        let code = |c: MergeCheck| check_merge(c).map_err(MergeError::code);
        assert_eq!(code(MergeCheck { same_issue: true, ..ok }), Err("merge_into_itself"));
        assert_eq!(
            code(MergeCheck {
                target_withheld: true,
                ..ok
            }),
            Err("issue_withheld")
        );
        assert_eq!(
            code(MergeCheck {
                issue_merged: true,
                ..ok
            }),
            Err("already_merged")
        );
        assert_eq!(
            code(MergeCheck {
                issue_has_merged: true,
                ..ok
            }),
            Err("has_merged_issues")
        );
        assert_eq!(
            code(MergeCheck {
                target_merged: true,
                ..ok
            }),
            Err("merge_target_merged")
        );
    }

    mod props {
        use std::collections::{BTreeMap, BTreeSet};

        use proptest::prelude::*;

        use super::super::*;

        /// The supports each issue shows: canonical issues their group's
        /// children once each, merged issues none of their own.
        fn shown(supports: &[Vec<u8>], merged_into: &BTreeMap<usize, usize>) -> Vec<usize> {
            (0..supports.len())
                .map(|i| {
                    if merged_into.contains_key(&i) {
                        return 0;
                    }
                    let members = std::iter::once(i)
                        .chain(merged_into.iter().filter(|(_, c)| **c == i).map(|(m, _)| *m))
                        .map(|m| supports[m].as_slice());
                    group_supporters(members).len()
                })
                .collect()
        }

        proptest! {
            /// Whatever children supported and whatever is merged (by the
            /// rules), no child is counted twice on any issue, every child
            /// who supported anything is still counted somewhere, and
            /// unmerging everything restores every issue's count exactly.
            #[test]
            fn merging_conserves_supports_and_unmerging_restores_them(
                supports in proptest::collection::vec(proptest::collection::vec(0u8..12, 0..8), 2..8),
                merges in proptest::collection::vec((0usize..8, 0usize..8), 0..10),
            ) {
                let n = supports.len();
                let before = shown(&supports, &BTreeMap::new());
                let mut merged_into: BTreeMap<usize, usize> = BTreeMap::new();
                for (a, b) in merges {
                    let (a, b) = (a % n, b % n);
                    let check = MergeCheck {
                        same_issue: a == b,
                        issue_withheld: false,
                        target_withheld: false,
                        issue_merged: merged_into.contains_key(&a),
                        issue_has_merged: merged_into.values().any(|c| *c == a),
                        target_merged: merged_into.contains_key(&b),
                    };
                    if check_merge(check).is_ok() {
                        merged_into.insert(a, b);
                    }
                }
                // One level deep, always.
                for c in merged_into.values() {
                    prop_assert!(!merged_into.contains_key(c));
                }
                let after = shown(&supports, &merged_into);
                let everyone: BTreeSet<u8> = supports.iter().flatten().copied().collect();
                let counted: BTreeSet<u8> = (0..n)
                    .filter(|i| !merged_into.contains_key(i))
                    .flat_map(|i| {
                        std::iter::once(i)
                            .chain(merged_into.iter().filter(|(_, c)| **c == i).map(|(m, _)| *m))
                            .flat_map(|m| supports[m].clone())
                            .collect::<Vec<_>>()
                    })
                    .collect();
                prop_assert_eq!(counted, everyone);
                for (i, shown_now) in after.iter().enumerate() {
                    let group_total: usize = std::iter::once(i)
                        .chain(merged_into.iter().filter(|(_, c)| **c == i).map(|(m, _)| *m))
                        .map(|m| supports[m].iter().collect::<BTreeSet<_>>().len())
                        .sum();
                    prop_assert!(*shown_now <= group_total, "a child counted twice");
                }
                prop_assert_eq!(shown(&supports, &BTreeMap::new()), before);
            }
        }
    }

    #[test]
    fn search_ignores_case_and_diacritics_and_matches_word_starts() {
        let key = search_key(
            "Bạo lực học đường",
            "Ở trường em có bạn bị ĐÁNH. Hẻm tối, cần thêm đèn!",
        );
        assert!(is_search_key(&key));
        assert!(!is_search_key("bao luc hoc duong"));
        let check = |query: &str, expect: bool| {
            let q = search_query(query).unwrap();
            assert_eq!(search_matches(&key, &q), expect, "{query:?} in {key:?}");
        };
        check("bao luc", true);
        check("  BẠO   LỰC ", true);
        check("danh", true);
        check("đánh.", true);
        check("đánh!", false);
        check("truong em", true);
        check("toi, can", true);
        check(",", true);
        check("%", false);
        check("hẻm", true);
        check("he", true);
        check("đè", true);
        check("hem", true);
        check("em", true);
        check("đuối nước", false);
        // Inside a word: "hem" is in "thêm", "ruong" in "trường", "uc" in "lực".
        check("them", true);
        check("ruong", false);
        check("uc", false);
        check("ao luc", false);
        assert_eq!(search_query("   "), None);
        assert_eq!(search_query(" !? ").as_deref(), Some("! ?"));
        assert!(search_matches(&search_key("Vòi nước", "50% hỏng"), "%"));
        // `hem` must not find an issue that only says "thêm".
        assert!(!search_matches(&search_key("Cần thêm cây", ""), "hem"));
    }
}
