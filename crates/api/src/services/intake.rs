//! What a child writes, taken in the same way whichever way it comes: an
//! issue raised on a phone or entered from an offline event (the domain's
//! checks, then the screen), a free-text answer (the screen). A clear
//! disclosure is withheld (the words go to a safeguarding case only); a
//! possible one is kept from moderators until a safeguarding officer
//! reviews it; anything else is stored redacted of personal data.

use langnghe_domain::FieldErrors;
use langnghe_domain::catalog::Topic;
use langnghe_domain::moderation::{self, IssueStatus, IssueText};
use langnghe_domain::screen::{self, Concern, Flagged, Outcome, Screened, WITHHELD};
use langnghe_storage::participation::NewCase;
use uuid::Uuid;

/// An issue as the rules and the screen let it be stored.
pub struct IssueIntake {
    /// `Withheld` (clear), `InReview` (possible) or `New`.
    pub status: IssueStatus,
    /// Redacted, or [`WITHHELD`] for a clear disclosure.
    pub title: String,
    pub body: String,
    /// Kinds of personal data removed, each once.
    pub redactions: Vec<String>,
    /// The safeguarding cases (or review items) it opens.
    pub cases: Vec<NewCase>,
    pub outcome: Option<Outcome>,
    /// The active topic named, if any.
    pub topic_id: Option<Uuid>,
}

/// Takes in an issue a child wrote, whichever way it came: checked by the
/// domain's rules ([`IssueText::check`], every problem under `prefix`:
/// `""` or `"issues[2]."`), then screened ([`moderation::intake`]).
pub fn issue(
    prefix: &str,
    title: &str,
    body: &str,
    topic: Option<&str>,
    topics: &[Topic],
) -> Result<IssueIntake, FieldErrors> {
    let text = IssueText::check(prefix, title, body, topic, topics)?;
    let taken = moderation::intake(&text);
    crate::metrics::screened(taken.outcome);
    Ok(IssueIntake {
        status: taken.status,
        title: taken.title,
        body: taken.body,
        redactions: taken.redactions.iter().map(|r| r.as_str().to_owned()).collect(),
        cases: cases_of(&taken.flagged),
        outcome: taken.outcome,
        topic_id: text.topic.map(|t| t.0),
    })
}

/// A free-text answer as screening lets it be stored: the redacted text, or
/// [`WITHHELD`] and the case that holds the words.
pub fn answer(text: &str, question_key: &str) -> (String, Option<NewCase>) {
    let screened: Screened = screen::screen(text);
    crate::metrics::screened(screened.concern.as_ref().map(|c| c.outcome));
    match &screened.concern {
        Some(c) => (WITHHELD.to_owned(), Some(new_case(c, text, Some(question_key)))),
        None => (screened.redacted, None),
    }
}

/// The strongest outcome among the cases a submission opened.
pub fn strongest(cases: &[NewCase]) -> Option<Outcome> {
    cases.iter().map(|c| c.outcome).max()
}

fn new_case(c: &Concern, original: &str, question_key: Option<&str>) -> NewCase {
    NewCase {
        severity: c.severity,
        categories: c.categories.iter().map(|x| x.as_str().to_owned()).collect(),
        original_text: original.to_owned(),
        question_key: question_key.map(str::to_owned),
        outcome: c.outcome,
        matched: c.matched.clone(),
    }
}

fn cases_of(flagged: &[Flagged]) -> Vec<NewCase> {
    flagged
        .iter()
        .map(|f| new_case(&f.concern, &f.original, None))
        .collect()
}
