//! The screen applied to what a child writes, the same for every way in: an
//! issue raised on a phone, an issue entered from an offline event, a
//! free-text answer. A clear disclosure is withheld (the words go to a
//! safeguarding case only); a possible one is kept from moderators until a
//! safeguarding officer reviews it; anything else is stored redacted of
//! personal data.

use langnghe_domain::screen::{self, Concern, Flagged, Outcome, Screened, WITHHELD};
use langnghe_storage::participation::NewCase;

/// An issue as screening lets it be stored.
pub struct IssueIntake {
    /// `withheld` (clear), `in_review` (possible) or `new`.
    pub status: &'static str,
    /// Redacted, or [`WITHHELD`] for a clear disclosure.
    pub title: String,
    pub body: String,
    /// Kinds of personal data removed, each once.
    pub redactions: Vec<String>,
    /// The safeguarding cases (or review items) it opens.
    pub cases: Vec<NewCase>,
    pub outcome: Option<Outcome>,
}

/// Screens an issue's title and body together.
pub fn issue(title: &str, body: &str) -> IssueIntake {
    let s = screen::screen_issue(title, body);
    let outcome = s.outcome();
    let (status, title, body) = match outcome {
        Some(Outcome::Clear) => ("withheld", s.title.clone(), s.body.clone()),
        // Kept, redacted, for the officer who may release it to moderation.
        Some(Outcome::Possible) => (
            "in_review",
            screen::screen(title).redacted,
            screen::screen(body).redacted,
        ),
        None => ("new", s.title.clone(), s.body.clone()),
    };
    IssueIntake {
        status,
        title,
        body,
        redactions: s.redactions.iter().map(|r| r.as_str().to_owned()).collect(),
        cases: cases_of(&s.flagged),
        outcome,
    }
}

/// A free-text answer as screening lets it be stored: the redacted text, or
/// [`WITHHELD`] and the case that holds the words.
pub fn answer(text: &str, question_key: &str) -> (String, Option<NewCase>) {
    let screened: Screened = screen::screen(text);
    match &screened.concern {
        Some(c) => (WITHHELD.to_owned(), Some(new_case(c, text, Some(question_key)))),
        None => (screened.redacted, None),
    }
}

/// The strongest outcome among the cases a submission opened.
pub fn strongest(cases: &[NewCase]) -> Option<Outcome> {
    cases
        .iter()
        .filter_map(|c| Outcome::parse(&c.outcome))
        .max_by_key(|o| matches!(o, Outcome::Clear))
}

fn new_case(c: &Concern, original: &str, question_key: Option<&str>) -> NewCase {
    NewCase {
        severity: c.severity.as_str().to_owned(),
        categories: c.categories.iter().map(|x| x.as_str().to_owned()).collect(),
        original_text: original.to_owned(),
        question_key: question_key.map(str::to_owned),
        outcome: c.outcome.as_str().to_owned(),
        matched: c.matched.clone(),
    }
}

fn cases_of(flagged: &[Flagged]) -> Vec<NewCase> {
    flagged
        .iter()
        .map(|f| new_case(&f.concern, &f.original, None))
        .collect()
}
