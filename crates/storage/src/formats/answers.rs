//! A response's answers as stored.
//!
//! Version 1: `{"$v":1,"<question key>": value,…}`, each value as its
//! question's type has it: a choice, a text, a number or a yes/no as JSON
//! text, number or boolean; several choices or a ranking as an array of
//! option keys. The version is under `$v`, a key no question can have (keys
//! are a–z, 0–9 and `_`), so the answers stay where readers of the column
//! have always found them. Version 0 (before versions) is the same without
//! `$v`.
//!
//! Answers are typed by the survey version's definition when read.

use langnghe_domain::survey::{Answer, Question, QuestionSpec, SurveyDefinition};
use serde_json::{Map, Value};

use super::{FormatError, Kind, unknown_version};

/// The version [`encode`] writes.
pub const VERSION: u32 = 1;

fn value(a: &Answer) -> Value {
    match a {
        Answer::Choice(k) => Value::from(k.as_str()),
        Answer::Choices(ks) | Answer::Ranking(ks) => Value::from(ks.clone()),
        Answer::Rating(n) => Value::from(*n),
        Answer::YesNo(b) => Value::from(*b),
        Answer::Text(t) => Value::from(t.as_str()),
        Answer::Number(x) => Value::from(*x),
    }
}

fn answer(q: &Question, v: &Value) -> Option<Answer> {
    let strings =
        |v: &Value| -> Option<Vec<String>> { v.as_array()?.iter().map(|x| x.as_str().map(str::to_owned)).collect() };
    Some(match q.spec() {
        QuestionSpec::SingleChoice { .. } => Answer::Choice(v.as_str()?.to_owned()),
        QuestionSpec::MultipleChoice { .. } => Answer::Choices(strings(v)?),
        QuestionSpec::Ranking { .. } => Answer::Ranking(strings(v)?),
        QuestionSpec::Rating { .. } => Answer::Rating(v.as_i64()?),
        QuestionSpec::YesNo => Answer::YesNo(v.as_bool()?),
        QuestionSpec::Text { .. } => Answer::Text(v.as_str()?.to_owned()),
        QuestionSpec::Number { .. } => Answer::Number(v.as_f64()?),
    })
}

/// Where the version is written.
const VERSION_KEY: &str = "$v";

fn write(mut map: Map<String, Value>) -> String {
    map.insert(VERSION_KEY.to_owned(), Value::from(VERSION));
    Value::Object(map).to_string()
}

/// The stored text of `answers` (question key, answer), current version.
pub fn encode(answers: &[(String, Answer)]) -> String {
    write(answers.iter().map(|(k, a)| (k.clone(), value(a))).collect())
}

/// Stored answers with none in them (what an erasure leaves of a response
/// it cannot read).
pub fn empty() -> String {
    write(Map::new())
}

/// The answers as JSON by question key, whichever version stored them,
/// without the version (what a child's export of their own data shows).
pub fn as_json(text: &str) -> Result<Value, FormatError> {
    values(text).map(Value::Object)
}

/// The answers' values by question key, whichever version stored them.
fn values(text: &str) -> Result<Map<String, Value>, FormatError> {
    let err = |d: String| FormatError::new(Kind::Answers, d);
    let Value::Object(mut map) = serde_json::from_str::<Value>(text).map_err(|e| err(format!("not JSON: {e}")))? else {
        return Err(err("not an object".to_owned()));
    };
    match map.remove(VERSION_KEY) {
        // Version 0: the answers themselves.
        None => Ok(map),
        Some(v) => match v.as_u64() {
            Some(1) => Ok(map),
            Some(v) => Err(unknown_version(Kind::Answers, u32::try_from(v).unwrap_or(u32::MAX))),
            None => Err(err(format!("version {v} is not a number"))),
        },
    }
}

/// The answers of a response, typed by its survey version's definition,
/// in the definition's order. Keys no question has are left out; a value
/// of the wrong type for its question makes the whole row unreadable.
pub fn decode(def: &SurveyDefinition, text: &str) -> Result<Vec<(String, Answer)>, FormatError> {
    let map = values(text)?;
    def.questions()
        .iter()
        .filter_map(|q| map.get(q.key()).map(|v| (q, v)))
        .map(|(q, v)| {
            answer(q, v).map(|a| (q.key().to_owned(), a)).ok_or_else(|| {
                FormatError::new(Kind::Answers, format!("{}: {v} is not {}", q.key(), q.qtype().as_str()))
            })
        })
        .collect()
}

/// The text stored for question `key`, if it holds one.
pub fn text_of(text: &str, key: &str) -> Result<Option<String>, FormatError> {
    Ok(values(text)?.get(key).and_then(Value::as_str).map(str::to_owned))
}

/// The answers with question `key`'s answer replaced by the text `new`
/// (current version); `None` when the response has no answer to `key`.
pub fn with_text(text: &str, key: &str, new: &str) -> Result<Option<String>, FormatError> {
    let mut map = values(text)?;
    let Some(v) = map.get_mut(key) else {
        return Ok(None);
    };
    *v = Value::String(new.to_owned());
    Ok(Some(write(map)))
}

/// The answers with every text answer replaced by `marker` (still a text
/// answer, so the result cells that count it agree), current version.
pub fn replace_texts(def: &SurveyDefinition, text: &str, marker: &str) -> Result<String, FormatError> {
    let mut map = values(text)?;
    for q in def.questions() {
        if matches!(q.spec(), QuestionSpec::Text { .. })
            && let Some(v) = map.get_mut(q.key())
            && v.is_string()
        {
            *v = Value::String(marker.to_owned());
        }
    }
    Ok(write(map))
}
