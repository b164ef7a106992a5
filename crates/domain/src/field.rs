//! A refusal that names the input field at fault, so that a client can show
//! every problem of a request at once, in the reader's language.

use crate::text::Lang;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `lineage[2].to_ref`.
    pub field: String,
    /// Stable snake_case code, e.g. `required`, `too_long`, `unknown_unit`.
    pub code: &'static str,
    /// A sentence for a person, in English.
    pub message: String,
    /// The same sentence in Vietnamese, where it carries more than the
    /// code's sentence (`crate::field_words::sentence`) says.
    pub message_vi: Option<String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
            message_vi: None,
        }
    }

    /// A problem whose sentence is written in both languages.
    pub fn said(field: impl Into<String>, code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            message_vi: Some(vi.into()),
            ..Self::new(field, code, en)
        }
    }

    /// The sentence in `lang`: in Vietnamese, the one written for this
    /// problem, else the sentence of its code.
    pub fn message_in(&self, lang: Lang) -> String {
        match (lang, &self.message_vi) {
            (Lang::En, _) => self.message.clone(),
            (Lang::Vi, Some(vi)) => vi.clone(),
            (Lang::Vi, None) => match listed_values(&self.message) {
                // A sentence that only lists the values allowed lists them
                // in Vietnamese too.
                Some(values) => format!(
                    "{} Một trong: {}.",
                    crate::field_words::sentence(self.code),
                    values.join(", ")
                ),
                None => crate::field_words::sentence(self.code).to_owned(),
            },
        }
    }
}

/// Every problem found in one request.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{} invalid field(s)", .0.len())]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// A problem whose sentence is written in both languages.
    pub fn push_said(
        &mut self,
        field: impl Into<String>,
        code: &'static str,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) {
        self.0.push(FieldError::said(field, code, vi, en));
    }

    /// A value that is none of `known`: `unknown_value`, listing them.
    pub fn push_one_of(&mut self, field: impl Into<String>, known: &[&str]) {
        self.0.push(one_of(field, known));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was pushed, else the collected errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }

    pub fn single(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self(vec![FieldError::new(field, code, message)])
    }

    /// How many problems there are, in `lang`.
    pub fn summary(&self, lang: Lang) -> String {
        match lang {
            Lang::Vi => format!("{} trường không hợp lệ", self.0.len()),
            Lang::En => self.to_string(),
        }
    }
}

impl From<FieldError> for FieldErrors {
    fn from(e: FieldError) -> Self {
        FieldErrors(vec![e])
    }
}

/// A value that is none of `known`: `unknown_value`, listing them in both
/// languages.
pub fn one_of(field: impl Into<String>, known: &[&str]) -> FieldError {
    let list = known.join(", ");
    FieldError::said(
        field,
        "unknown_value",
        format!("một trong: {list}"),
        format!("one of: {list}"),
    )
}

/// The values a sentence lists when it is only a list of codes (`a, b or
/// c`, `one of a, b, c`): the same in every language.
pub fn listed_values(message: &str) -> Option<Vec<&str>> {
    let list = message
        .strip_prefix("one of: ")
        .or_else(|| message.strip_prefix("one of "))
        .unwrap_or(message);
    let values: Vec<&str> = list.split(", ").flat_map(|part| part.split(" or ")).collect();
    let is_code = |v: &&str| {
        !v.is_empty()
            && v.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '+'))
    };
    (values.len() >= 2 && values.iter().all(is_code)).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_of_values_read_the_same_in_both_languages() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            ("medium, high or urgent", Some(&["medium", "high", "urgent"])),
            ("in_progress or done", Some(&["in_progress", "done"])),
            ("one of city, district", Some(&["city", "district"])),
            ("one of: 6-8, 9-11", Some(&["6-8", "9-11"])),
            ("not a known group", None),
            ("between 1 and 5", None),
            ("done", None),
        ];
        for (message, expected) in cases {
            assert_eq!(listed_values(message).as_deref(), *expected, "{message}");
        }
    }

    #[test]
    fn a_message_reads_in_the_language_asked() {
        let listed = FieldError::new("severity", "unknown_severity", "medium, high or urgent");
        assert_eq!(listed.message_in(Lang::En), "medium, high or urgent");
        assert_eq!(
            listed.message_in(Lang::Vi),
            "Không có mức độ này. Một trong: medium, high, urgent."
        );
        let said = FieldError::said("age", "out_of_range", "từ 6 đến 17", "from 6 to 17");
        assert_eq!(said.message_in(Lang::Vi), "từ 6 đến 17");
        let plain = FieldError::new("name", "required", "the name is required");
        assert_eq!(plain.message_in(Lang::Vi), "Cần điền mục này.");
        let e = one_of("stance", &["accepted", "declined"]);
        assert_eq!(e.message_in(Lang::En), "one of: accepted, declined");
        assert_eq!(e.message_in(Lang::Vi), "một trong: accepted, declined");
    }
}
