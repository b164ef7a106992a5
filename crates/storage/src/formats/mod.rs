//! What storage writes into its text columns and reads back: a survey
//! version's definition (`survey_versions.definition`), a response's
//! answers (`responses.answers`) and a result cell's tally
//! (`result_cells.tally`). Storage owns these formats: each has serde
//! structs of its own (never the api's request bodies), carries its version
//! (`"v": 1`), and is read back into domain values as it was written,
//! without today's input rules (a definition was checked when it was saved;
//! a published version is never rewritten, so tightening a rule must not
//! make it unreadable).
//!
//! The form written before versions existed (no `v`) is read as version 0;
//! migration 25 rewrote the rows of that time into version 1, and readers
//! keep reading version 0 for rows written by a replica not yet upgraded.
//! A version newer than the reader knows is an error, never a guess.
//!
//! A row that cannot be read is a [`FormatError`]. Whoever skips such a row
//! calls [`report`]: an error in the log with the row's id, and a count
//! per kind that `/metrics` shows (`langnghe_unreadable_rows_total`).
//!
//! Adding a version: see ARCHITECTURE.md, "Stored formats".

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;

pub mod answers;
pub mod survey;
pub mod tally;

/// What kind of stored text could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SurveyDefinition,
    Answers,
    Tally,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::SurveyDefinition, Kind::Answers, Kind::Tally];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SurveyDefinition => "survey_definition",
            Kind::Answers => "answers",
            Kind::Tally => "tally",
        }
    }

    fn index(self) -> usize {
        match self {
            Kind::SurveyDefinition => 0,
            Kind::Answers => 1,
            Kind::Tally => 2,
        }
    }
}

/// A stored text that cannot be read: not JSON, a version this reader does
/// not know, or a value of the wrong shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable {}: {detail}", kind.as_str())]
pub struct FormatError {
    pub kind: Kind,
    pub detail: String,
}

impl FormatError {
    pub(crate) fn new(kind: Kind, detail: impl Into<String>) -> FormatError {
        FormatError {
            kind,
            detail: detail.into(),
        }
    }
}

static UNREADABLE: [AtomicU64; 3] = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];

/// Reports a stored row skipped because it cannot be read: logged as an
/// error with `row` (an id, or survey and version) and counted.
pub fn report(row: &dyn std::fmt::Display, e: &FormatError) {
    UNREADABLE[e.kind.index()].fetch_add(1, Ordering::Relaxed);
    tracing::error!(kind = e.kind.as_str(), row = %row, cause = %e.detail, "stored row unreadable; skipped");
}

/// Rows skipped as unreadable since the process started, by kind.
pub fn unreadable_counts() -> [(Kind, u64); 3] {
    Kind::ALL.map(|k| (k, UNREADABLE[k.index()].load(Ordering::Relaxed)))
}

/// The `v` of a stored text (0 when absent), read before its body so that
/// a version this reader does not know is named as such.
fn version_of(kind: Kind, text: &str) -> Result<u32, FormatError> {
    #[derive(Deserialize)]
    struct Tag {
        #[serde(default)]
        v: Option<serde_json::Value>,
    }
    let tag: Tag = serde_json::from_str(text).map_err(|e| FormatError::new(kind, format!("not JSON: {e}")))?;
    match tag.v {
        None => Ok(0),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| FormatError::new(kind, format!("version {v} is not a number"))),
    }
}

fn unknown_version(kind: Kind, v: u32) -> FormatError {
    FormatError::new(kind, format!("version {v} is newer than this reader knows"))
}
