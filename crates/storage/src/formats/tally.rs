//! A result cell's tally as stored.
//!
//! Version 1: `{"v":1,"r":[n,key],"q":[[[n,key],[[n,key],…],[[value,n],…]],…]}`:
//! `r` the responses, and per question (in the survey version's order,
//! which never changes once published) the respondents, the column counts
//! or rank sums, and the number histogram. Each count is stored with its
//! cell key (the cell key method), as `[count, key]`. Version 0 (before
//! versions) is the same without `v`.

use langnghe_domain::disclosure::CellKey;
use langnghe_domain::results::{Count, Num, QuestionTally, Tally};
use serde::{Deserialize, Serialize};

use super::{FormatError, Kind, unknown_version, version_of};

/// The version [`encode`] writes.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct TallyV1 {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    v: Option<u32>,
    r: (i64, u32),
    q: Vec<QuestionV1>,
}

/// Respondents, columns, and `[value, count]` pairs.
type QuestionV1 = ((i64, u32), Vec<(i64, u32)>, Vec<(f64, i64)>);

fn stored(c: &Count) -> (i64, u32) {
    (c.n, c.key.get())
}

fn count((n, key): (i64, u32)) -> Count {
    Count {
        n,
        key: CellKey::from_u32(key),
    }
}

/// The stored text of a tally, current version.
pub fn encode(t: &Tally) -> String {
    let stored = TallyV1 {
        v: Some(VERSION),
        r: stored(&t.responses),
        q: t.questions
            .iter()
            .map(|q| {
                (
                    stored(&q.respondents),
                    q.columns.iter().map(stored).collect(),
                    q.values.iter().map(|(v, n)| (v.0, *n)).collect(),
                )
            })
            .collect(),
    };
    // Numbers only (values are finite): serialising cannot fail.
    serde_json::to_string(&stored).unwrap_or_default()
}

/// A stored tally read back (version 0 or 1).
pub fn decode(text: &str) -> Result<Tally, FormatError> {
    match version_of(Kind::Tally, text)? {
        0 | 1 => {}
        v => return Err(unknown_version(Kind::Tally, v)),
    }
    let s: TallyV1 = serde_json::from_str(text).map_err(|e| FormatError::new(Kind::Tally, e.to_string()))?;
    Ok(Tally {
        responses: count(s.r),
        questions: s
            .q
            .into_iter()
            .map(|(respondents, columns, values)| QuestionTally {
                respondents: count(respondents),
                columns: columns.into_iter().map(count).collect(),
                values: values.into_iter().map(|(v, n)| (Num(v), n)).collect(),
            })
            .collect(),
    })
}
