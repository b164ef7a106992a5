//! Builders the unit tests share: dates as people write them, units and
//! the periods they sit under a parent.

use chrono::NaiveDate;

use crate::org::{ParentPeriod, Unit, UnitCode, UnitKind};
use crate::survey::{RawQuestion, RawSurvey, RawText};
use crate::{LocalizedText, UnitId};

/// `2026-03-01` as a date.
pub(crate) fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A unit in force from 2000 on, named by its code.
pub(crate) fn unit(code: &str, kind: UnitKind) -> Unit {
    unit_in(code, kind, "2000-01-01", None)
}

/// A unit in force from `from` until `to`.
pub(crate) fn unit_in(code: &str, kind: UnitKind, from: &str, to: Option<&str>) -> Unit {
    Unit {
        id: UnitId::new(),
        kind,
        code: UnitCode::parse("code", code).unwrap(),
        name: LocalizedText::from_stored(code, None),
        valid_from: d(from),
        valid_to: to.map(d),
        note: None,
    }
}

/// `child` under `parent` from 2000 on.
pub(crate) fn parent(child: &Unit, parent: &Unit) -> ParentPeriod {
    parent_in(child, parent, "2000-01-01", None)
}

/// `child` under `parent` from `from` until `to`.
pub(crate) fn parent_in(child: &Unit, parent: &Unit, from: &str, to: Option<&str>) -> ParentPeriod {
    ParentPeriod {
        unit_id: child.id,
        parent_id: parent.id,
        valid_from: d(from),
        valid_to: to.map(d),
    }
}

/// Every value of a kind reads back from its name.
pub(crate) fn assert_names_read_back<T: Copy + PartialEq + std::fmt::Debug>(
    all: impl IntoIterator<Item = T>,
    name: impl Fn(T) -> &'static str,
    parse: impl Fn(&str) -> Option<T>,
) {
    for value in all {
        assert_eq!(parse(name(value)), Some(value), "{value:?}");
    }
}

/// Words in Vietnamese only, as a request sends them.
pub(crate) fn raw_text(vi: &str) -> Option<RawText> {
    Some(RawText {
        vi: Some(vi.into()),
        en: None,
    })
}

/// Question `key` of type `qtype`, asking `KEY?`.
pub(crate) fn raw_question(key: &str, qtype: &str) -> RawQuestion {
    RawQuestion {
        key: key.into(),
        qtype: qtype.into(),
        text: raw_text(&format!("{}?", key.to_uppercase())),
        ..RawQuestion::default()
    }
}

/// An opinion survey titled `T` asking `questions`.
pub(crate) fn raw_opinion(questions: Vec<RawQuestion>) -> RawSurvey {
    RawSurvey {
        kind: "opinion".into(),
        title: raw_text("T"),
        questions,
        ..RawSurvey::default()
    }
}
