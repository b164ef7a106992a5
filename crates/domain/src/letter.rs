//! An agency's official letter (công văn) attached to its reply: a PDF,
//! judged by its content, never by the type or name it was sent under,
//! and refused when it carries active content a reader's viewer would run.

/// Why a letter is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LetterRefusal {
    #[error("the letter is empty")]
    Empty,
    #[error("the letter is larger than {max} bytes")]
    TooLarge { max: usize },
    #[error(
        "the content is not a PDF document (it must start with %PDF-1.x or %PDF-2.x, have a cross-reference and end with %%EOF)"
    )]
    NotPdf,
    #[error("the PDF carries active content ({0}): export it again without scripts, actions or embedded files")]
    ActiveContent(&'static str),
}

impl LetterRefusal {
    /// The words for the agency, (Vietnamese, English).
    pub fn words(self) -> (String, String) {
        let vi = match self {
            LetterRefusal::Empty => "Tệp công văn đang trống.".to_owned(),
            LetterRefusal::TooLarge { max } => {
                format!("Tệp công văn lớn hơn {max} byte: hãy nén hoặc quét lại với độ phân giải thấp hơn.")
            }
            LetterRefusal::NotPdf => {
                "Nội dung tệp không phải PDF (dù tên hay kiểu khai báo là gì): hãy xuất công văn ra PDF rồi gửi lại."
                    .to_owned()
            }
            LetterRefusal::ActiveContent(what) => format!(
                "Tệp PDF có nội dung chạy được ({what}): hãy xuất lại không kèm mã lệnh, hành động hay tệp nhúng."
            ),
        };
        (vi, self.to_string())
    }
}

/// Names of PDF objects a viewer runs or opens: scripts, launches of other
/// programs, embedded files, forms that submit.
const ACTIVE: &[&str] = &[
    "JavaScript",
    "JS",
    "Launch",
    "EmbeddedFile",
    "EmbeddedFiles",
    "SubmitForm",
    "ImportData",
    "RichMedia",
];

/// Checks a letter: not empty, at most `max` bytes, a PDF by its structure
/// (the `%PDF-1.x`/`%PDF-2.x` header at the start, a `startxref`, `%%EOF`
/// in its last kilobyte), and no active content among its names (read with
/// their `#hh` escapes decoded, so `/J#61vaScript` is `/JavaScript`).
/// Names inside compressed object streams are not inflated: the letter is
/// served as an attachment, never shown inline, so a viewer is opened by
/// the reader's choice.
pub fn check_pdf(bytes: &[u8], max: usize) -> Result<(), LetterRefusal> {
    if bytes.is_empty() {
        return Err(LetterRefusal::Empty);
    }
    if bytes.len() > max {
        return Err(LetterRefusal::TooLarge { max });
    }
    let header = bytes.starts_with(b"%PDF-1.") || bytes.starts_with(b"%PDF-2.");
    let version = bytes.get(7).is_some_and(u8::is_ascii_digit);
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !header || !version || !contains(tail, b"%%EOF") || !contains(bytes, b"startxref") {
        return Err(LetterRefusal::NotPdf);
    }
    for name in names(bytes) {
        if let Some(active) = ACTIVE.iter().find(|a| a.as_bytes() == name.as_slice()) {
            return Err(LetterRefusal::ActiveContent(active));
        }
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The PDF names (`/Type`, `/J#61vaScript`) in `bytes`, `#hh` decoded.
fn names(bytes: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    let delimiter = |b: u8| b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b);
    let hex = |b: u8| (b as char).to_digit(16);
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if bytes[i] != b'/' {
                i += 1;
                continue;
            }
            i += 1;
            let mut name = Vec::new();
            while i < bytes.len() && !delimiter(bytes[i]) {
                match (
                    bytes[i],
                    bytes.get(i + 1).and_then(|b| hex(*b)),
                    bytes.get(i + 2).and_then(|b| hex(*b)),
                ) {
                    (b'#', Some(h), Some(l)) => {
                        name.push((h * 16 + l) as u8);
                        i += 3;
                    }
                    (b, _, _) => {
                        name.push(b);
                        i += 1;
                    }
                }
            }
            return Some(name);
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdf(body: &str) -> Vec<u8> {
        format!("%PDF-1.7\n1 0 obj\n<< /Type /Catalog {body} >>\nendobj\nxref\n0 1\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n")
            .into_bytes()
    }

    #[test]
    fn letters_are_judged_by_their_content() {
        let cases: &[(&[u8], usize, Result<(), LetterRefusal>)] = &[
            (&pdf(""), 1000, Ok(())),
            (&pdf("/Pages 2 0 R"), 1000, Ok(())),
            (b"", 1000, Err(LetterRefusal::Empty)),
            (&pdf(""), 50, Err(LetterRefusal::TooLarge { max: 50 })),
            (b"PK\x03\x04 a zip named letter.pdf", 1000, Err(LetterRefusal::NotPdf)),
            (
                b"<html>%PDF-1.7 startxref %%EOF</html>",
                1000,
                Err(LetterRefusal::NotPdf),
            ),
            (b"%PDF-1.7\n1 0 obj << >> endobj\n", 1000, Err(LetterRefusal::NotPdf)),
            (b"%PDF-x.7 startxref\n%%EOF", 1000, Err(LetterRefusal::NotPdf)),
            (
                &pdf("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
                1000,
                Err(LetterRefusal::ActiveContent("JavaScript")),
            ),
            (
                &pdf("/AA << /O << /S /J#61vaScript >> >>"),
                1000,
                Err(LetterRefusal::ActiveContent("JavaScript")),
            ),
            (
                &pdf("/OpenAction << /S /Launch /F (cmd.exe) >>"),
                1000,
                Err(LetterRefusal::ActiveContent("Launch")),
            ),
            (
                &pdf("/Names << /EmbeddedFiles 3 0 R >>"),
                1000,
                Err(LetterRefusal::ActiveContent("EmbeddedFiles")),
            ),
            // A word in the text is not a name.
            (&pdf("/Title (JavaScript and Launch)"), 1000, Ok(())),
        ];
        for (bytes, max, expected) in cases {
            assert_eq!(
                check_pdf(bytes, *max),
                *expected,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn every_refusal_has_words_in_both_languages() {
        for r in [
            LetterRefusal::Empty,
            LetterRefusal::TooLarge { max: 10 },
            LetterRefusal::NotPdf,
            LetterRefusal::ActiveContent("JavaScript"),
        ] {
            let (vi, en) = r.words();
            assert!(!vi.is_empty() && !en.is_empty() && vi != en);
        }
    }
}
