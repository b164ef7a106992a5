//! Domain values stored by their names (statuses, stances, kinds): read
//! back typed, and a name no version of the service wrote is an error
//! ([`StoreError::Corrupt`]), never a silent default.

use langnghe_domain::Named;
use langnghe_domain::consultation::{SessionMode, SurveyStatus};
use langnghe_domain::moderation::{IssueStatus, RejectReason};
use langnghe_domain::plan::{EventKind, TrainingAudience};
use langnghe_domain::recommendation::{CommitmentStatus, DeliveryStatus, RecommendationStatus, Stance, WebhookStatus};
use langnghe_domain::safeguarding::{CaseStatus, Channel, Referral, Verdict};
use langnghe_domain::screen::{Outcome, Severity};
use langnghe_domain::survey::SurveyKind;

use crate::StoreError;

/// A value kept in a text column by its name (the domain's [`Named`]).
pub(crate) trait Stored: Named {
    /// What the column holds, for the error.
    const WHAT: &'static str;
}

macro_rules! stored {
    ($($ty:ty = $what:literal,)*) => {$(
        impl Stored for $ty {
            const WHAT: &'static str = $what;
        }
    )*};
}

stored! {
    RecommendationStatus = "recommendation status",
    DeliveryStatus = "delivery status",
    Stance = "stance",
    CommitmentStatus = "commitment status",
    IssueStatus = "issue status",
    RejectReason = "rejection reason",
    CaseStatus = "case status",
    Severity = "case severity",
    Referral = "referral",
    Channel = "intake channel",
    Outcome = "screening outcome",
    Verdict = "verdict",
    EventKind = "event kind",
    TrainingAudience = "training audience",
    SurveyKind = "survey kind",
    SurveyStatus = "survey status",
    SessionMode = "session mode",
    WebhookStatus = "webhook event status",
}

/// A stored name read back as its value.
pub(crate) fn read<T: Stored>(value: &str) -> Result<T, StoreError> {
    T::parse(value).ok_or_else(|| StoreError::Corrupt {
        what: T::WHAT,
        value: value.to_owned(),
    })
}

/// A stored name that may be absent.
pub(crate) fn read_opt<T: Stored>(value: Option<&str>) -> Result<Option<T>, StoreError> {
    value.map(read).transpose()
}

/// Serialises a value by its name, as the column holds it (audit
/// snapshots).
pub(crate) fn by_name<T: Named, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v.as_str())
}

/// [`by_name`] for an optional value.
pub(crate) fn by_name_opt<T: Named, S: serde::Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v.as_str()),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_name_reads_back_and_another_is_refused() {
        for status in IssueStatus::ALL {
            assert!(matches!(read::<IssueStatus>(status.as_str()), Ok(s) if s == status));
        }
        for unknown in ["open", "New", "", "new "] {
            let refused = read::<IssueStatus>(unknown);
            assert!(
                matches!(&refused, Err(StoreError::Corrupt { what: "issue status", value }) if value == unknown),
                "{unknown:?}: {refused:?}"
            );
        }
    }
}
