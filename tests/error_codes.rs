//! Every error code the service can answer is in the documented table: the
//! api crate names codes by the `Code` enum (the compiler checks those);
//! the codes the domain and storage name as text are read from their
//! sources here and looked up, and the published table is the enum's.

use std::collections::BTreeSet;
use std::path::Path;

use langnghe_api::error::Code;

/// The string literals of `crates/<krate>/src` that follow one of `marks`
/// (`Conflict("`, …), or that a `fn code(` returns.
fn named_codes(krate: &str, marks: &[&str]) -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates")
        .join(krate)
        .join("src");
    let mut found = BTreeSet::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            for mark in marks {
                for (at, _) in text.match_indices(mark) {
                    let rest = &text[at + mark.len()..];
                    if let Some(end) = rest.find('"') {
                        found.insert(rest[..end].to_owned());
                    }
                }
            }
            // `pub fn code(&self) -> &'static str { match self { … => "x", … } }`
            // (or `code(self)`)
            let bodies = text
                .match_indices("fn code(&self) -> &'static str")
                .chain(text.match_indices("fn code(self) -> &'static str"));
            for (at, _) in bodies {
                let body = &text[at..];
                let body = &body[..body.find("\n    }\n").unwrap_or(body.len())];
                for piece in body.split("=> \"").skip(1) {
                    if let Some(end) = piece.find('"') {
                        found.insert(piece[..end].to_owned());
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_code_named_below_the_api_is_documented() {
    let storage = named_codes("storage", &["Conflict(\"", "conflict_on_unique(\""]);
    let domain = named_codes("domain", &[]);
    assert!(
        storage.contains("username_taken"),
        "storage codes were not read: {storage:?}"
    );
    assert!(
        domain.contains("illegal_transition"),
        "domain codes were not read: {domain:?}"
    );
    // Handled where they arise, never answered as a problem's code: a join
    // code drawn twice at one moment is drawn again (`open_session`); a
    // withheld issue is a 404 (merge) or an illegal move (a decision); the
    // rest are a field's code in a `validation_failed` problem's `errors`
    // (`ApiError::field`), each checked by an end-to-end test.
    let handled = [
        "join_code_taken",
        "issue_withheld",
        "reason_required",
        "reason_not_allowed",
        "referral_required",
        "referral_not_allowed",
        "not_screened",
        "out_of_range",
        "not_a_working_day",
    ];
    let missing: Vec<&String> = storage
        .iter()
        .chain(&domain)
        .filter(|c| Code::parse(c).is_none() && !handled.contains(&c.as_str()))
        .collect();
    assert!(missing.is_empty(), "codes missing from error::Code: {missing:?}");
}

#[test]
fn the_documented_table_is_the_enum() {
    let spec: serde_json::Value = serde_json::from_str(&langnghe_api::server::spec_json()).unwrap();
    let description = spec["info"]["description"].as_str().unwrap();
    let mut names = BTreeSet::new();
    for code in Code::ALL {
        assert!(names.insert(code.as_str()), "{} twice", code.as_str());
        assert_eq!(Code::parse(code.as_str()), Some(*code));
        let row = format!("| `{}` | {} |", code.as_str(), code.status().as_u16());
        assert!(description.contains(&row), "the table lacks {row}");
        assert!(!code.meaning().is_empty());
    }
    assert_eq!(description.matches("\n| `").count(), Code::ALL.len());
    assert_eq!(Code::parse("no_such_code"), None);
}
