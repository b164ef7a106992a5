//! Text in the service's languages. Vietnamese is required and is what every
//! reader falls back to; English is optional.

use crate::FieldErrors;

/// A name or sentence in Vietnamese and, optionally, English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedText {
    vi: String,
    en: Option<String>,
}

impl LocalizedText {
    /// Trims both texts; refuses an empty Vietnamese text or a text longer
    /// than `max_chars`. `field` names the input for the error.
    /// Refuses bidirectional override and isolate characters too (see
    /// [`check_no_bidi_controls`]): these texts are names, titles and what
    /// children read.
    pub fn parse(field: &str, vi: &str, en: Option<&str>, max_chars: usize) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        check_no_bidi_controls(&mut errors, &format!("{field}.vi"), vi);
        if let Some(en) = en {
            check_no_bidi_controls(&mut errors, &format!("{field}.en"), en);
        }
        let vi = vi.trim();
        if vi.is_empty() {
            errors.push_said(
                format!("{field}.vi"),
                "required",
                "Cần có nội dung tiếng Việt.",
                "Vietnamese text is required",
            );
        } else if vi.chars().count() > max_chars {
            errors.push_said(
                format!("{field}.vi"),
                "too_long",
                format!("Tối đa {max_chars} ký tự."),
                format!("at most {max_chars} characters"),
            );
        }
        let en = en.map(str::trim).filter(|s| !s.is_empty());
        if let Some(en) = en
            && en.chars().count() > max_chars
        {
            errors.push_said(
                format!("{field}.en"),
                "too_long",
                format!("Tối đa {max_chars} ký tự."),
                format!("at most {max_chars} characters"),
            );
        }
        errors.into_result(Self {
            vi: vi.to_owned(),
            en: en.map(str::to_owned),
        })
    }

    /// Builds a text known to be valid (seed data, rows read back).
    pub fn from_stored(vi: impl Into<String>, en: Option<String>) -> Self {
        Self { vi: vi.into(), en }
    }

    pub fn vi(&self) -> &str {
        &self.vi
    }

    pub fn en(&self) -> Option<&str> {
        self.en.as_deref()
    }

    /// The text in `lang`, falling back to Vietnamese.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => self.en.as_deref().unwrap_or(&self.vi),
        }
    }
}

/// Whether `c` is a bidirectional override or isolate (U+202A–U+202E,
/// U+2066–U+2069): in a name or title it makes the text read otherwise than
/// it is stored ("Trojan Source"), and neither language needs it.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// What a refused bidirectional control is told.
pub const BIDI_MESSAGE: &str = "no bidirectional override or isolate characters (U+202A to U+202E, U+2066 to U+2069)";

/// Adds an `invalid_character` error for `field` when `text` holds a
/// bidirectional override or isolate.
pub fn check_no_bidi_controls(errors: &mut FieldErrors, field: &str, text: &str) {
    if text.chars().any(is_bidi_control) {
        errors.push(field, "invalid_character", BIDI_MESSAGE);
    }
}

/// The languages the service speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// Picks the first supported language of an `Accept-Language` value,
    /// honouring quality weights; Vietnamese when none is supported.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("vi") => Lang::Vi,
                Some("en") => Lang::En,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_language() {
        assert_eq!(Lang::negotiate("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::negotiate("fr, en;q=0.5, vi;q=0.8"), Lang::Vi);
        assert_eq!(Lang::negotiate("fr"), Lang::Vi);
        assert_eq!(Lang::negotiate(""), Lang::Vi);
        assert_eq!(Lang::negotiate("en;q=0"), Lang::Vi);
    }

    #[test]
    fn bidi_controls_are_refused_in_either_language() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            let text = format!("Phường{c} 1");
            let err = LocalizedText::parse("name", &text, None, 100).unwrap_err();
            assert_eq!(
                (err.0[0].field.as_str(), err.0[0].code),
                ("name.vi", "invalid_character")
            );
            let err = LocalizedText::parse("name", "Phường 1", Some(&text), 100).unwrap_err();
            assert_eq!(
                (err.0[0].field.as_str(), err.0[0].code),
                ("name.en", "invalid_character")
            );
        }
        // Neighbours of the ranges, and the marks that are not overrides,
        // stay: U+200E (left-to-right mark), U+2029, U+202F, U+2065, U+206A.
        for c in ['\u{200E}', '\u{2029}', '\u{202F}', '\u{2065}', '\u{206A}'] {
            assert!(!is_bidi_control(c), "{c:?}");
        }
    }

    #[test]
    fn parse_requires_vietnamese_and_falls_back() {
        let t = LocalizedText::parse("name", "  Phường 1 ", Some(""), 10).unwrap();
        assert_eq!(t.vi(), "Phường 1");
        assert_eq!(t.en(), None);
        assert_eq!(t.get(Lang::En), "Phường 1");
        let err = LocalizedText::parse("name", " ", Some("Ward 1"), 10).unwrap_err();
        assert_eq!(err.0[0].field, "name.vi");
        assert_eq!(err.0[0].code, "required");
        let err = LocalizedText::parse("name", "abc", Some("abcdefghijk"), 10).unwrap_err();
        assert_eq!(err.0[0].code, "too_long");
    }
}
