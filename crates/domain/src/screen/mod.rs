//! Screening of the free text a child writes (survey text answers, issue
//! titles and bodies) before it is stored: personal data is redacted in the
//! copy others see, and text suggesting that a child is at risk is flagged.
//!
//! # Redaction
//!
//! Each occurrence is replaced by a Vietnamese marker, in this priority:
//! e-mail addresses; Vietnamese phone numbers (mobile: 10 digits starting
//! 03, 05, 07, 08 or 09; landline: 11 digits starting 02; the 11-digit
//! mobiles starting 01 of before 2018; each also with the country code 84 or
//! +84, and with spaces, dots, dashes or brackets between digit groups of two
//! or more digits); ID numbers (9 or 12 digits, digit groups of three or more
//! separated by spaces or dashes — dots only for 12 digits, since
//! `100.000.000` is money), and any other unbroken run of 9 or more digits
//! (account numbers, student codes); street addresses with a house number.
//! A phone number is never taken for an ID number: phones are found first.
//!
//! An address is a house number (`12`, `12A`, `123/4`) followed by a street:
//! a street word (đường, phố, hẻm, ngõ, kiệt, ngách, street, road, …) and the
//! name after it, or two or more capitalised words (`12A Huỳnh Văn Bánh`).
//! The marker covers the house number, a `số`/`số nhà` before it and the
//! street name. A number after a word such as lớp, tầng, năm, ngày, phòng,
//! quận is never a house number, and a number followed by ordinary lower-case
//! words (`12 tuổi`, `3 bạn`, `4 giờ`) is not one either; after `số`, `ở`,
//! `tại` or `nhà` a lower-case street name is accepted (`so 12 duong le van
//! sy`). `nhà số 7` / `số nhà 7` is an address even without a street.
//!
//! # The disclosure rule
//!
//! Text is cut into words and *folded* ([`fold`]: lower case, no tone or
//! vowel marks, đ→d) and matched against the phrase lists below (`RULES`),
//! never across a sentence end. A disclosure needs an *anchor*: the writer
//! (em, mình, tôi, tớ, con, cháu, tui, I, me, my, us — `trẻ em`, children in
//! general, is not one) or a parent (bố, mẹ, má, cha, mom, dad). A phrase
//! counts when
//! - it is an *expression* that holds its anchor, as the object of a harmful
//!   act (`đánh em`, `sờ vào người em`, `đánh má`, `hits me`, `hits my
//!   sister`), or that only a person at risk writes (`không muốn sống nữa`,
//!   `muốn chết`, `kill myself`);
//! - it is a *harm term* (`bị … đánh`, `bị nhốt`, `xâm hại`, `tẩy chay`,
//!   `bắt nạt`) with an anchor at most eight words away in the same sentence;
//! - or it is a *cue* that means harm only with a cue of another group of
//!   its category within 20 words, and an anchor near them: for sexual abuse
//!   contact (`touched me`, `ôm em`, `gửi ảnh`), secrecy (`keep it secret`,
//!   `không được nói với ai`) and gifts (`cho em tiền`); for trafficking a
//!   lure (`rủ`, `dụ`, `offered me`), a stranger (`người lạ`) and going
//!   abroad (`sang Trung Quốc`).
//!
//! General discussion of a topic is not a disclosure: a harm term with no
//! anchor, or right after a topic word (`phòng chống`, `vấn đề`, `nạn`, `học
//! về`, `prevent`, …), is ignored, and so is any match overlapping an idiom
//! of the exception list (`mệt muốn chết`, `chết cười`, `đánh giá`, `đánh cầu
//! lông`, `không muốn sống ở`, …). Folding merges words (đánh/dành, tự
//! tử/từ từ, bố/bỏ/bộ, tôi/tối, còn/con): a list word written `=word` must
//! match its exact spelling when the writer typed diacritics; text typed
//! without diacritics is matched by its folded form.
//!
//! Severity: `urgent` for self-harm, sexual abuse, trafficking, and violence
//! with a household adult (bố, mẹ, dượng, chú, dad, uncle, …) within ten
//! words; `high` for other violence and neglect; `medium` for bullying.
//!
//! # Known limits
//!
//! The lists are finite: new slang, misspellings beyond missing diacritics,
//! negation (`em không bị đánh` is flagged) and sarcasm are not understood,
//! so a flag asks a person to read the text; it decides nothing. Digits are
//! ASCII only, so numbers spelt in words, fullwidth digits or one digit per
//! group (`0 9 1 2 …`) pass, as do addresses without a house number and
//! rural addresses (thôn, xóm, ấp). A report about another child with no
//! anchor (`bạn ấy bị đánh`) is missed; `bạn em bị đánh` is not. Strict
//! spellings compare precomposed text; a decomposed (NFD) word is compared
//! folded.

use std::collections::HashMap;
use std::sync::LazyLock;

/// A kind of personal data hidden from the copy others see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Redaction {
    Phone,
    Email,
    IdNumber,
    Address,
}

impl Redaction {
    pub fn as_str(self) -> &'static str {
        match self {
            Redaction::Phone => "phone",
            Redaction::Email => "email",
            Redaction::IdNumber => "id_number",
            Redaction::Address => "address",
        }
    }

    /// The text that replaces the data.
    fn marker(self) -> &'static str {
        match self {
            Redaction::Phone => "[số điện thoại đã ẩn]",
            Redaction::Email => "[email đã ẩn]",
            Redaction::IdNumber => "[số giấy tờ đã ẩn]",
            Redaction::Address => "[địa chỉ đã ẩn]",
        }
    }
}

/// What a child may be at risk of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConcernCategory {
    Violence,
    SexualAbuse,
    SelfHarm,
    Neglect,
    Bullying,
    Trafficking,
}

impl ConcernCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            ConcernCategory::Violence => "violence",
            ConcernCategory::SexualAbuse => "sexual_abuse",
            ConcernCategory::SelfHarm => "self_harm",
            ConcernCategory::Neglect => "neglect",
            ConcernCategory::Bullying => "bullying",
            ConcernCategory::Trafficking => "trafficking",
        }
    }
}

/// How soon a person must read a flagged text; `Urgent` is the greatest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Medium,
    High,
    Urgent,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Urgent => "urgent",
        }
    }

    /// The inverse of [`Severity::as_str`]; exact, lower-case names only.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "urgent" => Some(Severity::Urgent),
            _ => None,
        }
    }
}

/// Why a text was flagged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concern {
    /// In declaration order of [`ConcernCategory`], each once.
    pub categories: Vec<ConcernCategory>,
    /// The highest severity of the categories found.
    pub severity: Severity,
}

/// The outcome of [`screen`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screened {
    /// The text with each piece of personal data replaced by a marker.
    pub redacted: String,
    /// One entry per replaced piece, in order of appearance.
    pub redactions: Vec<Redaction>,
    /// Set when the text suggests that a child is at risk.
    pub concern: Option<Concern>,
}

/// Redacts personal data and flags disclosures of risk; see the module
/// documentation for the rules. Never panics; linear in the text length.
pub fn screen(text: &str) -> Screened {
    let spans = personal_data(text);
    let mut redacted = String::with_capacity(text.len());
    let mut redactions = Vec::with_capacity(spans.len());
    let mut at = 0;
    for span in &spans {
        // Spans lie on character boundaries by construction; `get` keeps a
        // mistake from ever becoming a panic.
        if let Some(before) = text.get(at..span.start) {
            redacted.push_str(before);
            redacted.push_str(span.kind.marker());
            redactions.push(span.kind);
            at = span.end;
        }
    }
    redacted.push_str(text.get(at..).unwrap_or_default());
    Screened {
        redacted,
        redactions,
        concern: assess(text),
    }
}

/// Lowercase, strip Vietnamese diacritics (đ→d), collapse whitespace: the form used for matching and search.
///
/// Leading and trailing whitespace is dropped and each inner run becomes one
/// space; combining marks (U+0300–U+036F) are dropped, so decomposed text
/// folds like precomposed text. `fold(fold(s)) == fold(s)`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if is_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(base_letter(c));
    }
    out
}

/// Lower-case Vietnamese letters with marks, by the ASCII letter they fold to.
const FOLDS: &[(char, &str)] = &[
    ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
    ('d', "đ"),
    ('e', "èéẻẽẹêềếểễệ"),
    ('i', "ìíỉĩị"),
    ('o', "òóỏõọôồốổỗộơờớởỡợ"),
    ('u', "ùúủũụưừứửữự"),
    ('y', "ỳýỷỹỵ"),
];

fn base_letter(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    FOLDS
        .iter()
        .find(|(_, marked)| marked.contains(c))
        .map_or(c, |(base, _)| *base)
}

/// A combining diacritical mark, as in decomposed (NFD) Vietnamese.
fn is_mark(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

// ---------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------

/// A word of the text, with its folded form and what separates it from the
/// previous word.
struct Word<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    lower: String,
    folded: String,
    /// Something other than whitespace separates it from the previous word.
    after_punct: bool,
    /// Sentence number; sentences end at `.`, `!`, `?`, `;`, `…` and new lines.
    sentence: usize,
}

impl Word<'_> {
    /// Written without diacritics (or with decomposed ones), so only its
    /// folded form can be compared.
    fn unmarked(&self) -> bool {
        self.lower == self.folded || self.lower.chars().any(is_mark)
    }

    fn capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }

    fn is(&self, folded: &[&str]) -> bool {
        folded.contains(&self.folded.as_str())
    }
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ';' | '…' | '\n' | '。' | '！' | '？')
}

/// Cuts `text` into words: runs of letters, digits and combining marks (and
/// `/` when `keep_slash`, for house numbers such as `123/4`).
fn words(text: &str, keep_slash: bool) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    let mut punct = false;
    let mut sentence = 0;
    let word = |start: usize, end: usize, after_punct: bool, sentence: usize| {
        let word = text.get(start..end).unwrap_or_default();
        Word {
            text: word,
            start,
            end,
            lower: word.to_lowercase(),
            folded: fold(word),
            after_punct,
            sentence,
        }
    };
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() || is_mark(c) || (keep_slash && c == '/') {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start.take() {
            out.push(word(s, i, punct, sentence));
            punct = false;
        }
        if !c.is_whitespace() {
            punct = true;
        }
        if is_sentence_end(c) {
            sentence += 1;
        }
    }
    if let Some(s) = start {
        out.push(word(s, text.len(), punct, sentence));
    }
    out
}

// ---------------------------------------------------------------------------
// Redaction
// ---------------------------------------------------------------------------

struct Span {
    start: usize,
    end: usize,
    kind: Redaction,
}

/// Bytes of the text already claimed by a span.
struct Claimed(Vec<bool>);

impl Claimed {
    fn free(&self, start: usize, end: usize) -> bool {
        self.0.get(start..end).is_some_and(|b| !b.contains(&true))
    }

    fn claim(&mut self, spans: &mut Vec<Span>, start: usize, end: usize, kind: Redaction) {
        if let Some(bytes) = self.0.get_mut(start..end) {
            bytes.fill(true);
            spans.push(Span { start, end, kind });
        }
    }
}

fn personal_data(text: &str) -> Vec<Span> {
    let mut claimed = Claimed(vec![false; text.len()]);
    let mut spans = Vec::new();
    emails(text, &mut claimed, &mut spans);
    let groups = digit_groups(text);
    phones(text, &groups, &mut claimed, &mut spans);
    id_numbers(text, &groups, &mut claimed, &mut spans);
    addresses(text, &mut claimed, &mut spans);
    spans.sort_by_key(|s| s.start);
    spans
}

fn emails(text: &str, claimed: &mut Claimed, spans: &mut Vec<Span>) {
    let local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-".contains(&b);
    let domain = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'-';
    let bytes = text.as_bytes();
    // Each scan stops at the previous or next `@`, so the whole is linear.
    for (at, _) in text.match_indices('@') {
        let mut start = at;
        while start > 0 && bytes.get(start - 1).is_some_and(|&b| local(b)) {
            start -= 1;
        }
        while start < at && bytes.get(start) == Some(&b'.') {
            start += 1;
        }
        let mut end = at + 1;
        while bytes.get(end).is_some_and(|&b| domain(b)) {
            end += 1;
        }
        while end > at + 1 && bytes.get(end - 1).is_some_and(|b| matches!(b, b'.' | b'-')) {
            end -= 1;
        }
        let valid = start < at && text.get(at + 1..end).is_some_and(valid_domain);
        if valid && claimed.free(start, end) {
            claimed.claim(spans, start, end, Redaction::Email);
        }
    }
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// A maximal run of ASCII digits, by byte offsets.
#[derive(Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
}

impl Group {
    fn len(self) -> usize {
        self.end - self.start
    }
}

fn digit_groups(text: &str) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut start = None;
    for (i, b) in text.bytes().enumerate() {
        match (b.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                groups.push(Group { start: s, end: i });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        groups.push(Group {
            start: s,
            end: text.len(),
        });
    }
    groups
}

/// What separates two digit groups that may belong to one number: one to
/// three of space, no-break space, `.`, `-`, `(`, `)`, with at most one dot
/// or dash (`091.234.5678`, `(028) 3844`, `079 123`).
struct Gap {
    dot: bool,
    bracket: bool,
}

fn gap(text: &str, a: Group, b: Group) -> Option<Gap> {
    let between = text.get(a.end..b.start)?;
    let mut count = 0;
    let (mut dots, mut dashes, mut bracket) = (0, 0, false);
    for c in between.chars() {
        count += 1;
        match c {
            ' ' | '\u{a0}' => {}
            '.' => dots += 1,
            '-' => dashes += 1,
            '(' | ')' => bracket = true,
            _ => return None,
        }
        if count > 3 {
            return None;
        }
    }
    (count > 0 && dots + dashes <= 1).then_some(Gap {
        dot: dots == 1,
        bracket,
    })
}

fn digits_of(text: &str, groups: &[Group]) -> String {
    groups.iter().filter_map(|g| text.get(g.start..g.end)).collect()
}

/// A Vietnamese phone number, with or without the country code 84.
fn is_phone(digits: &str) -> bool {
    let national = match digits.strip_prefix("84") {
        Some(rest) if digits.len() == 11 || digits.len() == 12 => {
            if rest.starts_with('0') {
                rest.to_owned()
            } else {
                format!("0{rest}")
            }
        }
        _ => digits.to_owned(),
    };
    let b = national.as_bytes();
    match (b.len(), b.first(), b.get(1)) {
        (10, Some(b'0'), Some(b'3' | b'5' | b'7' | b'8' | b'9')) => true,
        // Landlines (02x) and the mobiles numbered 01x before 2018.
        (11, Some(b'0'), Some(b'1' | b'2')) => true,
        _ => false,
    }
}

fn phones(text: &str, groups: &[Group], claimed: &mut Claimed, spans: &mut Vec<Span>) {
    let mut i = 0;
    while i < groups.len() {
        let mut best = None;
        let mut len = 0;
        for j in i..groups.len() {
            let g = groups[j];
            if !claimed.free(g.start, g.end) || len + g.len() > 13 {
                break;
            }
            // Pairs of digits and up are groups of a phone number; single
            // digits are more likely a list of numbers.
            if j > i && (gap(text, groups[j - 1], g).is_none() || g.len() < 2 || groups[i].len() < 2) {
                break;
            }
            len += g.len();
            if is_phone(&digits_of(text, &groups[i..=j])) {
                best = Some(j);
            }
        }
        let Some(j) = best else {
            i += 1;
            continue;
        };
        let bytes = text.as_bytes();
        let (mut start, mut end) = (groups[i].start, groups[j].end);
        // `+84`, `(028)`, `(+84)`.
        for _ in 0..2 {
            if start > 0
                && bytes.get(start - 1).is_some_and(|b| matches!(b, b'(' | b'+'))
                && claimed.free(start - 1, start)
            {
                start -= 1;
            }
        }
        let inside = text.get(start..end).unwrap_or_default();
        if inside.matches('(').count() > inside.matches(')').count()
            && bytes.get(end) == Some(&b')')
            && claimed.free(end, end + 1)
        {
            end += 1;
        }
        claimed.claim(spans, start, end, Redaction::Phone);
        i = j + 1;
    }
}

fn id_numbers(text: &str, groups: &[Group], claimed: &mut Claimed, spans: &mut Vec<Span>) {
    let mut i = 0;
    while i < groups.len() {
        let mut best = None;
        let (mut len, mut shortest, mut dot) = (0, usize::MAX, false);
        for j in i..groups.len() {
            let g = groups[j];
            if !claimed.free(g.start, g.end) {
                break;
            }
            if j > i {
                match gap(text, groups[j - 1], g) {
                    Some(gap) if !gap.bracket => dot |= gap.dot,
                    _ => break,
                }
            }
            len += g.len();
            shortest = shortest.min(g.len());
            let valid = if j == i {
                len >= 9
            } else {
                shortest >= 3 && (len == 12 || (len == 9 && !dot))
            };
            if valid {
                best = Some(j);
            }
            if len >= 12 {
                break;
            }
        }
        match best {
            Some(j) => {
                claimed.claim(spans, groups[i].start, groups[j].end, Redaction::IdNumber);
                i = j + 1;
            }
            None => i += 1,
        }
    }
}

/// Words after which a number is never a house number.
const NOT_HOUSE: &[&str] = &[
    "lop", "khoi", "tang", "lau", "nam", "ngay", "thang", "tuan", "gio", "phut", "luc", "phong", "bai", "cau", "trang",
    "diem", "tiet", "hang", "top", "tap", "chuong", "doi", "quan", "phuong", "huyen", "xa", "khu", "ap", "thon", "xom",
    "to", "tuoi", "xe", "tuyen", "ban", "ghe", "hoc", "ky", "ki", "class", "grade", "room", "page", "level", "year",
    "chapter", "floor", "bus", "age", "ao",
];
/// Words that name a kind of street.
const STREET: &[&str] = &["duong", "pho", "hem", "ngo", "kiet", "ngach"];
/// English street words, which follow the name.
const STREET_EN: &[&str] = &[
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "lane",
    "drive",
    "boulevard",
    "blvd",
];
/// Words that end a lower-case street name.
const NAME_STOP: &[&str] = &[
    "gan", "canh", "va", "nhung", "cua", "em", "o", "phuong", "quan", "thi", "la", "tp", "thanh", "sau", "truoc",
    "trong", "ngoai", "nen", "roi", "de", "voi", "cho", "khi", "doi", "dien", "nha", "con", "co", "ma", "huyen", "xa",
    "tinh",
];

fn addresses(text: &str, claimed: &mut Claimed, spans: &mut Vec<Span>) {
    let ws = words(text, true);
    let mut i = 0;
    while i < ws.len() {
        match address_at(&ws, i) {
            Some((s, e)) => {
                let (start, end) = (ws[s].start, ws[e - 1].end);
                if claimed.free(start, end) {
                    claimed.claim(spans, start, end, Redaction::Address);
                }
                i = e.max(i + 1);
            }
            None => i += 1,
        }
    }
}

/// `12`, `12A`, `123/4`, `12/3B`; whether it has a slash or a letter.
fn house_number(word: &str) -> Option<bool> {
    let mut strong = false;
    let mut parts = 0;
    for part in word.split('/') {
        parts += 1;
        let digits = part.bytes().take_while(u8::is_ascii_digit).count();
        let rest = &part.as_bytes()[digits..];
        let letter = match rest {
            [] => false,
            [b] if b.is_ascii_alphabetic() => true,
            _ => return None,
        };
        if !(1..=4).contains(&digits) || parts > 3 {
            return None;
        }
        strong |= letter || parts > 1;
    }
    Some(strong)
}

/// Word `i` if it directly follows word `i - 1`, with no punctuation between.
fn linked<'w, 'a>(ws: &'w [Word<'a>], i: usize) -> Option<&'w Word<'a>> {
    ws.get(i).filter(|w| !w.after_punct)
}

/// The words `[start, end)` of an address whose house number is word `i`.
fn address_at(ws: &[Word<'_>], i: usize) -> Option<(usize, usize)> {
    let strong_shape = house_number(ws[i].text)?;
    // Word `i - k`, if no punctuation stands between it and word `i`.
    let prev = |k: usize| {
        let p = i.checked_sub(k)?;
        ws[p + 1..=i].iter().all(|w| !w.after_punct).then(|| &ws[p])
    };
    let p1 = prev(1);
    let p2 = prev(2);
    // `lớp 7`, `phòng số 5`, and `hẻm 12`, the number of an alley rather
    // than of a house.
    let so = p1.is_some_and(|w| w.folded == "so");
    if p1.is_some_and(|w| w.is(NOT_HOUSE) || w.is(STREET)) || (so && p2.is_some_and(|w| w.is(NOT_HOUSE))) {
        return None;
    }
    let (mut start, mut strong, mut context) = (i, strong_shape, false);
    let mut after_so = false;
    if so {
        // `số 12`, and `nhà số 7`, where `nhà` stays visible.
        start = i - 1;
        context = true;
        after_so = true;
        strong |= p2.is_some_and(|w| w.folded == "nha");
    } else if p1.is_some_and(|w| w.folded == "nha") && p2.is_some_and(|w| w.folded == "so") {
        // `số nhà 7`.
        start = i - 2;
        context = true;
        strong = true;
    } else if p1.is_some_and(|w| w.is(&["o", "tai", "at", "nha"])) {
        context = true;
    }
    if let Some(end) = street_after(ws, i + 1, context, strong) {
        return Some((start, end));
    }
    if strong {
        return Some((start, i + 1));
    }
    if after_so {
        // `đường Lê Lợi số 12`.
        return street_before(ws, start).map(|s| (s, i + 1));
    }
    None
}

fn is_street(w: &Word<'_>) -> bool {
    w.is(STREET) || w.is(STREET_EN)
}

/// The end of a run of capitalised words, street words, and numbers right
/// after a street word (`hẻm 12 Phan Đăng Lưu`, `đường số 3`), from word `k`.
fn name_run(ws: &[Word<'_>], mut k: usize) -> usize {
    let first = k;
    while k - first < 6 {
        let Some(w) = linked(ws, k) else { break };
        let after_street = k > 0 && (is_street(&ws[k - 1]) || (k > first && ws[k - 1].folded == "so"));
        let number_next = ws[k].folded == "so" && linked(ws, k + 1).is_some_and(|n| house_number(n.text).is_some());
        let fits = (w.capitalised() && house_number(w.text).is_none())
            || is_street(w)
            || number_next
            || (after_street && house_number(w.text).is_some());
        if !fits {
            break;
        }
        k += 1;
    }
    k
}

fn street_after(ws: &[Word<'_>], j: usize, context: bool, strong: bool) -> Option<usize> {
    let w = linked(ws, j)?;
    if w.is(STREET) {
        let end = name_run(ws, j + 1);
        if end > j + 1 {
            return Some(end);
        }
        if context || strong {
            // `so 12 duong le van sy`: up to four lower-case words.
            let mut k = j + 1;
            while k < j + 5
                && linked(ws, k).is_some_and(|n| !n.is(NAME_STOP) && n.text.chars().all(char::is_alphabetic))
            {
                k += 1;
            }
            return (k > j + 1).then_some(k);
        }
        return None;
    }
    if w.capitalised() && house_number(w.text).is_none() {
        let end = name_run(ws, j);
        let capitals = ws[j..end].iter().filter(|w| w.capitalised()).count();
        let english = ws[j..end].last().is_some_and(|w| w.is(STREET_EN));
        return (capitals >= 2 || english || (strong && capitals >= 1)).then_some(end);
    }
    // `12 smith street`, but not `3 road bikes`.
    (j..j + 3)
        .take_while(|&k| linked(ws, k).is_some_and(|n| n.text.chars().all(char::is_alphabetic)))
        .skip(1)
        .find(|&k| ws[k].is(&["street", "road", "avenue", "lane", "drive", "boulevard"]))
        .map(|k| k + 1)
}

/// The start of `đường Lê Lợi` ending right before word `so` (`số`).
fn street_before(ws: &[Word<'_>], so: usize) -> Option<usize> {
    let mut k = so;
    while k > 0 && so - k < 5 && !ws[k].after_punct && ws[k - 1].capitalised() && !ws[k - 1].is(STREET) {
        k -= 1;
    }
    (k < so && k > 0 && !ws[k].after_punct && ws[k - 1].is(STREET)).then(|| k - 1)
}

// ---------------------------------------------------------------------------
// Concerns
// ---------------------------------------------------------------------------

use ConcernCategory::{Bullying, Neglect, SelfHarm, SexualAbuse, Trafficking, Violence};

/// How a phrase counts; see the module documentation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A disclosure wherever it occurs (outside idioms and topic words).
    Expression,
    /// A disclosure with a first-person word or parent nearby.
    Near,
    /// Part of a disclosure: needs a cue of another group of its category nearby.
    Cue(u8),
}

use Kind::{Cue, Expression, Near};

/// Phrases, written as a child would, with diacritics. In a phrase, `{a}` is
/// an anchor word; `{o}` is the object of a harmful act: an anchor or a
/// person close to the writer, maybe after `cả`, `vào`, body parts, `của`
/// and `các` (`vào bụng của em`, `đùi các bạn`); `{g4}` is up to four words
/// of any kind; `=word` must keep its spelling when the text has diacritics.
const RULES: &[(ConcernCategory, Kind, &str)] = &[
    // Violence: a harmful act on the writer or someone close.
    (Violence, Expression, "=đánh {o}"),
    (Violence, Expression, "=đấm {o}"),
    (Violence, Expression, "=đá {o}"),
    (Violence, Expression, "=tát {o}"),
    (Violence, Expression, "=đạp {o}"),
    (Violence, Expression, "=đập {o}"),
    (Violence, Expression, "=véo {o}"),
    (Violence, Expression, "=nhéo {o}"),
    (Violence, Expression, "=bóp cổ {o}"),
    (Violence, Expression, "=quất {o}"),
    (Violence, Expression, "=vụt {o}"),
    (Violence, Expression, "=giật tóc {o}"),
    (Violence, Expression, "=túm tóc {o}"),
    (Violence, Expression, "=bạt tai {o}"),
    (Violence, Expression, "=xô ngã {o}"),
    (Violence, Expression, "hành hạ {o}"),
    (Violence, Expression, "=bạo hành {o}"),
    (Violence, Expression, "=giết {o}"),
    (Violence, Near, "=bị {g4} =đánh"),
    (Violence, Near, "=bị {g4} =đấm"),
    (Violence, Near, "=bị {g4} =tát"),
    (Violence, Near, "=bị {g4} =đạp"),
    (Violence, Near, "=bị {g4} =đập"),
    (Violence, Near, "=bị {g4} =bạo hành"),
    (Violence, Near, "=bị {g2} =đòn"),
    (Violence, Near, "=ăn đòn"),
    (Violence, Near, "trận đòn"),
    (Violence, Near, "=đánh {g2} một trận"),
    (Violence, Near, "=đánh đập"),
    (Violence, Near, "=đánh hội đồng"),
    (Violence, Near, "=đập đồ"),
    (Violence, Near, "=đập phá"),
    (Violence, Near, "=bạo hành"),
    (Violence, Near, "=bị bạo lực"),
    (Violence, Expression, "hit {o}"),
    (Violence, Expression, "hits {o}"),
    (Violence, Expression, "hitting {o}"),
    (Violence, Expression, "beat {o}"),
    (Violence, Expression, "beats {o}"),
    (Violence, Expression, "beating {o}"),
    (Violence, Expression, "kick {o}"),
    (Violence, Expression, "kicks {o}"),
    (Violence, Expression, "kicked {o}"),
    (Violence, Expression, "slap {o}"),
    (Violence, Expression, "slaps {o}"),
    (Violence, Expression, "slapped {o}"),
    (Violence, Expression, "punch {o}"),
    (Violence, Expression, "punches {o}"),
    (Violence, Expression, "punched {o}"),
    (Violence, Expression, "choke {o}"),
    (Violence, Expression, "chokes {o}"),
    (Violence, Expression, "choked {o}"),
    (Violence, Expression, "hurt {o}"),
    (Violence, Expression, "push {o}"),
    (Violence, Expression, "pushes {o}"),
    (Violence, Expression, "pushed {o}"),
    (Violence, Expression, "pushing {o}"),
    (Violence, Expression, "hurts {o}"),
    (Violence, Expression, "abuses {o}"),
    (Violence, Expression, "abused {o}"),
    (Violence, Near, "was beaten"),
    (Violence, Near, "got beaten"),
    (Violence, Near, "get beaten"),
    (Violence, Near, "beaten up"),
    (Violence, Near, "physically abused"),
    // Sexual abuse.
    (SexualAbuse, Expression, "=sờ {o}"),
    (SexualAbuse, Expression, "=rờ {o}"),
    (SexualAbuse, Expression, "=sờ soạng {o}"),
    (SexualAbuse, Expression, "=gạ {o}"),
    (SexualAbuse, Expression, "=bắt {a} =cởi"),
    (SexualAbuse, Expression, "=ép {a} =cởi"),
    (SexualAbuse, Expression, "=bắt {a} =hôn"),
    (SexualAbuse, Expression, "=ép {a} =hôn"),
    (SexualAbuse, Expression, "=ép {a} quan hệ"),
    (SexualAbuse, Expression, "=bắt {a} xem phim sex"),
    (SexualAbuse, Expression, "=cho {a} xem phim sex"),
    (SexualAbuse, Expression, "=bắt {a} xem phim người lớn"),
    (SexualAbuse, Near, "xâm hại"),
    (SexualAbuse, Near, "hiếp dâm"),
    (SexualAbuse, Near, "cưỡng hiếp"),
    (SexualAbuse, Near, "=bị =hiếp"),
    (SexualAbuse, Near, "quấy rối"),
    (SexualAbuse, Near, "lạm dụng tình dục"),
    (SexualAbuse, Near, "=gạ gẫm"),
    (SexualAbuse, Near, "=sờ soạng"),
    (SexualAbuse, Near, "=sờ mó"),
    (SexualAbuse, Near, "=sàm sỡ"),
    (SexualAbuse, Near, "đồi bại"),
    (SexualAbuse, Near, "=bị {g3} =động chạm"),
    (SexualAbuse, Expression, "=động chạm {o}"),
    (SexualAbuse, Near, "dâm ô"),
    (SexualAbuse, Near, "ấu dâm"),
    (SexualAbuse, Near, "vùng kín"),
    (SexualAbuse, Near, "chỗ kín"),
    (SexualAbuse, Near, "khỏa thân"),
    (SexualAbuse, Near, "=ảnh =nóng"),
    (SexualAbuse, Near, "clip =nóng"),
    (SexualAbuse, Near, "rape"),
    (SexualAbuse, Near, "raped"),
    (SexualAbuse, Near, "molest"),
    (SexualAbuse, Near, "molested"),
    (SexualAbuse, Near, "sexual abuse"),
    (SexualAbuse, Near, "sexually abused"),
    (SexualAbuse, Near, "sexually assaulted"),
    (SexualAbuse, Near, "private parts"),
    (SexualAbuse, Near, "naked photos"),
    (SexualAbuse, Near, "nude photos"),
    (SexualAbuse, Near, "nudes"),
    (SexualAbuse, Expression, "touched my private"),
    (SexualAbuse, Expression, "touches my private"),
    (SexualAbuse, Expression, "touch my private"),
    (SexualAbuse, Expression, "made {a} undress"),
    (SexualAbuse, Expression, "makes {a} undress"),
    (SexualAbuse, Cue(0), "touched {o}"),
    (SexualAbuse, Cue(0), "touches {o}"),
    (SexualAbuse, Cue(0), "touch {o}"),
    (SexualAbuse, Cue(0), "kissed {o}"),
    (SexualAbuse, Cue(0), "hugged {o}"),
    (SexualAbuse, Cue(0), "=ôm {o}"),
    (SexualAbuse, Cue(0), "=hôn {o}"),
    (SexualAbuse, Cue(0), "=chạm {o}"),
    (SexualAbuse, Cue(0), "=vuốt ve {o}"),
    (SexualAbuse, Cue(0), "=gửi ảnh"),
    (SexualAbuse, Cue(0), "send photos"),
    (SexualAbuse, Cue(0), "send pictures"),
    (SexualAbuse, Cue(2), "=cho {a} tiền"),
    (SexualAbuse, Cue(2), "=cho {a} quà"),
    (SexualAbuse, Cue(2), "=hứa cho {a}"),
    (SexualAbuse, Cue(2), "=mua quà cho {a}"),
    (SexualAbuse, Cue(2), "gave me money"),
    (SexualAbuse, Cue(2), "gives me money"),
    (SexualAbuse, Cue(2), "gives me gifts"),
    (SexualAbuse, Cue(2), "gave me gifts"),
    (SexualAbuse, Cue(2), "buys me"),
    (SexualAbuse, Cue(1), "keep it secret"),
    (SexualAbuse, Cue(1), "keep it a secret"),
    (SexualAbuse, Cue(1), "our secret"),
    (SexualAbuse, Cue(1), "our little secret"),
    (SexualAbuse, Cue(1), "don't tell anyone"),
    (SexualAbuse, Cue(1), "not to tell anyone"),
    (SexualAbuse, Cue(1), "not tell anyone"),
    (SexualAbuse, Cue(1), "giữ bí mật"),
    (SexualAbuse, Cue(1), "không được nói với ai"),
    (SexualAbuse, Cue(1), "không được nói cho ai"),
    (SexualAbuse, Cue(1), "không được kể với ai"),
    (SexualAbuse, Cue(1), "không được kể cho ai"),
    (SexualAbuse, Cue(1), "=đừng nói với ai"),
    (SexualAbuse, Cue(1), "=đừng kể với ai"),
    (SexualAbuse, Cue(1), "không được nói với bố mẹ"),
    (SexualAbuse, Cue(1), "không được kể với bố mẹ"),
    // Self-harm.
    (SelfHarm, Expression, "=muốn =chết"),
    (SelfHarm, Expression, "=muốn =tự =tử"),
    (SelfHarm, Expression, "=định =tự =tử"),
    (SelfHarm, Expression, "=muốn =tự =sát"),
    (SelfHarm, Expression, "không muốn sống"),
    (SelfHarm, Expression, "không còn muốn sống"),
    (SelfHarm, Expression, "chẳng muốn sống"),
    (SelfHarm, Expression, "không thiết sống"),
    (SelfHarm, Expression, "=chán sống"),
    (SelfHarm, Expression, "=chết đi cho xong"),
    (SelfHarm, Expression, "=chết đi cho rồi"),
    (SelfHarm, Expression, "chấm dứt cuộc sống"),
    (SelfHarm, Expression, "=tự làm đau"),
    (SelfHarm, Expression, "=tự làm hại"),
    (SelfHarm, Expression, "=tự cắt tay"),
    (SelfHarm, Expression, "=tự =rạch"),
    (SelfHarm, Expression, "kill myself"),
    (SelfHarm, Expression, "killing myself"),
    (SelfHarm, Expression, "want to die"),
    (SelfHarm, Expression, "wanna die"),
    (SelfHarm, Expression, "want to be dead"),
    (SelfHarm, Expression, "wish i was dead"),
    (SelfHarm, Expression, "wish i were dead"),
    (SelfHarm, Expression, "end my life"),
    (SelfHarm, Expression, "hurt myself"),
    (SelfHarm, Expression, "hurting myself"),
    (SelfHarm, Expression, "cut myself"),
    (SelfHarm, Expression, "cutting myself"),
    (SelfHarm, Expression, "don't want to live"),
    (SelfHarm, Expression, "dont want to live"),
    (SelfHarm, Expression, "do not want to live"),
    (SelfHarm, Expression, "better off dead"),
    (SelfHarm, Near, "=tự =tử"),
    (SelfHarm, Near, "=tự =sát"),
    (SelfHarm, Near, "=tự hại"),
    (SelfHarm, Near, "=rạch tay"),
    (SelfHarm, Near, "=thắt cổ"),
    (SelfHarm, Near, "=treo cổ"),
    (SelfHarm, Near, "=nhảy lầu"),
    (SelfHarm, Near, "=nhảy sông"),
    (SelfHarm, Near, "uống thuốc ngủ"),
    (SelfHarm, Near, "thuốc chuột"),
    (SelfHarm, Near, "nghĩ đến cái chết"),
    (SelfHarm, Near, "=muốn biến mất"),
    (SelfHarm, Near, "kết thúc cuộc đời"),
    (SelfHarm, Near, "suicide"),
    (SelfHarm, Near, "suicidal"),
    (SelfHarm, Near, "self harm"),
    // Neglect.
    (Neglect, Expression, "=nhốt {o}"),
    (Neglect, Expression, "=bỏ =rơi {o}"),
    (Neglect, Expression, "=bỏ mặc {o}"),
    (Neglect, Expression, "không cho {a} ăn"),
    (Neglect, Expression, "=đuổi {a} ra khỏi nhà"),
    (Neglect, Expression, "=bắt {a} nghỉ học"),
    (Neglect, Expression, "=bắt {a} đi làm thuê"),
    (Neglect, Expression, "=bắt {a} đi ăn xin"),
    (Neglect, Expression, "=bắt {a} =bán vé số"),
    (Neglect, Expression, "{a} =phải đi =bán vé số"),
    (Neglect, Expression, "{a} =phải đi làm thuê"),
    (Neglect, Expression, "{a} =phải đi ăn xin"),
    (Neglect, Near, "=bị =nhốt"),
    (Neglect, Near, "=bỏ =đói"),
    (Neglect, Near, "=nhịn =đói"),
    (Neglect, Near, "không cho ăn"),
    (Neglect, Near, "không có gì ăn"),
    (Neglect, Near, "không có gì để ăn"),
    (Neglect, Near, "không có cơm ăn"),
    (Neglect, Near, "=bỏ mặc"),
    (Neglect, Near, "=bị =bỏ =rơi"),
    (Neglect, Near, "không ai chăm sóc"),
    (Neglect, Near, "không ai lo cho"),
    (Neglect, Near, "không cho đi học"),
    (Neglect, Near, "=nghỉ học đi làm"),
    (Neglect, Near, "=nghỉ học để đi làm"),
    (Neglect, Near, "=bị {g3} =đuổi ra khỏi nhà"),
    (Neglect, Expression, "locked {o}"),
    (Neglect, Expression, "locks {o}"),
    (Neglect, Expression, "lock {o}"),
    (Neglect, Expression, "don't feed {o}"),
    (Neglect, Expression, "doesn't feed {o}"),
    (Neglect, Expression, "didn't feed {o}"),
    (Neglect, Expression, "won't feed {o}"),
    (Neglect, Expression, "nobody takes care of {o}"),
    (Neglect, Expression, "no one takes care of {o}"),
    (Neglect, Expression, "abandoned {o}"),
    (Neglect, Near, "no food"),
    (Neglect, Near, "nothing to eat"),
    // Bullying.
    (Bullying, Near, "bắt nạt"),
    (Bullying, Near, "=ăn hiếp"),
    (Bullying, Near, "tẩy chay"),
    (Bullying, Near, "=cô lập"),
    (Bullying, Near, "trêu chọc"),
    (Bullying, Near, "=chọc ghẹo"),
    (Bullying, Near, "chế giễu"),
    (Bullying, Near, "chế nhạo"),
    (Bullying, Near, "=nói xấu"),
    (Bullying, Near, "đe dọa"),
    (Bullying, Near, "=bị {g4} =chửi"),
    (Bullying, Near, "=chửi bới"),
    (Bullying, Near, "lăng mạ"),
    (Bullying, Near, "xúc phạm"),
    (Bullying, Near, "miệt thị"),
    (Bullying, Near, "body shaming"),
    (Bullying, Near, "=bị =trêu"),
    (Bullying, Near, "=xa lánh"),
    (Bullying, Near, "tống tiền"),
    (Bullying, Near, "đặt biệt danh"),
    (Bullying, Near, "=tung ảnh"),
    (Bullying, Near, "=tung clip"),
    (Bullying, Near, "=tung lên mạng"),
    (Bullying, Near, "=chặn đường"),
    (Bullying, Near, "=trấn lột"),
    (Bullying, Near, "=bị {g3} =gọi là"),
    (Bullying, Expression, "=dọa {o}"),
    (Bullying, Expression, "=chửi {o}"),
    (Bullying, Expression, "=trêu {o}"),
    (Bullying, Expression, "=chọc {o}"),
    (Bullying, Expression, "=bắt {a} nộp tiền"),
    (Bullying, Expression, "không ai chơi với {a}"),
    (Bullying, Expression, "không ai chơi cùng {a}"),
    (Bullying, Near, "bully"),
    (Bullying, Near, "bullies"),
    (Bullying, Near, "bullied"),
    (Bullying, Near, "bullying"),
    (Bullying, Near, "cyberbullying"),
    (Bullying, Near, "cyberbullied"),
    (Bullying, Expression, "make fun of {o}"),
    (Bullying, Expression, "makes fun of {o}"),
    (Bullying, Expression, "made fun of {o}"),
    (Bullying, Expression, "making fun of {o}"),
    (Bullying, Expression, "laugh at {o}"),
    (Bullying, Expression, "laughs at {o}"),
    (Bullying, Expression, "laughed at {o}"),
    (Bullying, Expression, "call {o} names"),
    (Bullying, Expression, "calls {o} names"),
    (Bullying, Expression, "called {o} names"),
    (Bullying, Expression, "nobody plays with {o}"),
    (Bullying, Expression, "no one plays with {o}"),
    (Bullying, Expression, "nobody talks to {o}"),
    (Bullying, Expression, "no one talks to {o}"),
    (Bullying, Expression, "threaten {o}"),
    (Bullying, Expression, "threatens {o}"),
    (Bullying, Expression, "threatened {o}"),
    (Bullying, Expression, "tease {o}"),
    (Bullying, Expression, "teases {o}"),
    (Bullying, Expression, "teased {o}"),
    (Bullying, Expression, "excluded {o}"),
    (Bullying, Expression, "pick on {o}"),
    (Bullying, Expression, "picks on {o}"),
    (Bullying, Expression, "picked on {o}"),
    (Bullying, Expression, "takes my lunch money"),
    (Bullying, Expression, "took my lunch money"),
    (Bullying, Expression, "taking my lunch money"),
    (Bullying, Expression, "take my lunch money"),
    // Trafficking, forced marriage and abduction.
    (Trafficking, Expression, "=bán {o} sang"),
    (Trafficking, Expression, "=bán {o} cho"),
    (Trafficking, Expression, "=ép {a} lấy chồng"),
    (Trafficking, Expression, "=gả {o} cho"),
    (Trafficking, Near, "=bị =bán sang"),
    (Trafficking, Near, "=bị =bán cho"),
    (Trafficking, Near, "=bị =bán đi"),
    (Trafficking, Near, "=lừa =bán"),
    (Trafficking, Near, "buôn bán người"),
    (Trafficking, Near, "=buôn người"),
    (Trafficking, Near, "=bắt cóc"),
    (Trafficking, Near, "việc nhẹ lương cao"),
    (Trafficking, Near, "không cần giấy tờ"),
    (Trafficking, Near, "=vượt biên"),
    (Trafficking, Near, "sang trung quốc làm việc"),
    (Trafficking, Near, "qua trung quốc làm việc"),
    (Trafficking, Near, "lấy chồng trung quốc"),
    (Trafficking, Expression, "sold me"),
    (Trafficking, Expression, "sell me"),
    (Trafficking, Expression, "sold us"),
    (Trafficking, Near, "trafficked"),
    (Trafficking, Near, "kidnapped"),
    (Trafficking, Near, "kidnap"),
    (Trafficking, Near, "no passport"),
    (Trafficking, Near, "without papers"),
    (Trafficking, Near, "without a passport"),
    (Trafficking, Cue(0), "=rủ"),
    (Trafficking, Cue(0), "=dụ"),
    (Trafficking, Cue(0), "=dụ dỗ"),
    (Trafficking, Cue(0), "=lừa"),
    (Trafficking, Cue(2), "người lạ"),
    (Trafficking, Cue(2), "=lạ mặt"),
    (Trafficking, Cue(0), "offered {o}"),
    (Trafficking, Cue(2), "a stranger"),
    (Trafficking, Cue(1), "sang trung quốc"),
    (Trafficking, Cue(1), "qua trung quốc"),
    (Trafficking, Cue(1), "sang nước ngoài"),
    (Trafficking, Cue(1), "ra nước ngoài"),
    (Trafficking, Cue(1), "đi nước ngoài"),
    (Trafficking, Cue(1), "sang campuchia"),
    (Trafficking, Cue(1), "qua campuchia"),
    (Trafficking, Cue(1), "sang cam pu chia"),
    (Trafficking, Cue(1), "=biên giới"),
    (Trafficking, Cue(1), "abroad"),
    (Trafficking, Cue(1), "overseas"),
    (Trafficking, Cue(1), "to china"),
    (Trafficking, Cue(1), "another country"),
    (Trafficking, Cue(1), "across the border"),
];

/// Idioms and other uses of harm words that are not harm: a match that
/// overlaps one of them is dropped.
const IDIOMS: &[&str] = &[
    // `X muốn chết`: "X to death".
    "mệt muốn chết",
    "đói muốn chết",
    "nóng muốn chết",
    "lạnh muốn chết",
    "sợ muốn chết",
    "cười muốn chết",
    "buồn cười muốn chết",
    "buồn ngủ muốn chết",
    "khát muốn chết",
    "ngon muốn chết",
    "vui muốn chết",
    "đẹp muốn chết",
    "hay muốn chết",
    "chết cười",
    "cười chết",
    // Where one does not want to live is not about living.
    "không muốn sống ở",
    "không muốn sống tại",
    "không muốn sống với",
    "không muốn sống cùng",
    "không muốn sống gần",
    "không muốn sống trong",
    "không muốn sống chung",
    "muốn sống ở",
    // `đánh` that is not hitting.
    "đánh giá",
    "đánh thức",
    "đánh răng",
    "đánh dấu",
    "đánh vần",
    "đánh máy",
    "đánh rơi",
    "đánh mất",
    "đánh bài",
    "đánh cờ",
    "đánh đàn",
    "đánh trống",
    "đánh cầu lông",
    "đánh bóng",
    "đánh nhau",
    "đánh lừa",
    "đánh trượt",
    "đánh số",
    "đồ chơi",
    "xe đạp",
    // Treats a child may be refused.
    "ăn kẹo",
    "ăn vặt",
    "ăn kem",
    "ăn bánh",
    "ăn đồ ngọt",
    "ăn snack",
    "ăn mì tôm",
    "ăn nhiều",
    "nóng tính",
    // Without diacritics `so em` is far more often `sợ em` (afraid of) than
    // `sờ em`; `so vao nguoi em` still reads as touching.
    "=sợ em",
    "=sợ mình",
    "=sợ tôi",
    "=sợ con",
    "=sợ bố",
    "=sợ mẹ",
    "=sợ ba",
    "=sợ má",
    "=sợ anh",
    "=sợ chị",
    "=sợ bạn",
    "=sợ ông",
    "=sợ bà",
    "=sợ ma",
    "sợ bị bắt cóc",
    "hit me up",
    "it hurts",
    "it hurt",
    "push me to",
    "pushes me to",
    "pushed me to",
    "pushing me to",
];

/// Words after which a harm term is a topic, not a disclosure.
const TOPIC_MARKERS: &[&str] = &[
    "phòng chống",
    "phòng tránh",
    "phòng ngừa",
    "ngăn chặn",
    "ngăn ngừa",
    "chấm dứt",
    "chống",
    "cách bảo vệ",
    "tự bảo vệ",
    "nạn",
    "vấn đề",
    "tình trạng",
    "hiện tượng",
    "chủ đề",
    "kiến thức",
    "kỹ năng",
    "tuyên truyền",
    "học về",
    "dạy về",
    "nói về",
    "biết về",
    "hiểu về",
    "tìm hiểu",
    "về chuyện",
    "về việc",
    "vụ",
    "thông tin về",
    "prevent",
    "prevention",
    "preventing",
    "anti",
    "against",
    "learn about",
    "how to",
    "learned about",
    "talk about",
    "talked about",
    "lesson about",
    "lessons about",
    "taught about",
    "teach about",
    "awareness",
];

/// Anchor words: the writer and their parents; `{a}`, and what `Near` phrases need.
const ANCHORS: &[&str] = &[
    "em", "=mình", "=tôi", "=tớ", "tui", "=tao", "=con", "=cháu", "=bố", "=mẹ", "=má", "=cha", "i", "=my", "=myself",
    "=us", "mom", "mum", "dad",
];
/// People close to the writer, who may also be the object of a harmful act.
const CLOSE: &[&str] = &["ba", "=anh", "=chị", "=bạn", "=bà", "=ông"];
/// English people a child writes about after `my`.
const PEOPLE: &[&str] = &[
    "mom",
    "mum",
    "mother",
    "dad",
    "father",
    "brother",
    "sister",
    "friend",
    "friends",
    "little",
    "baby",
    "cousin",
    "parents",
    "grandma",
    "grandmother",
    "aunt",
];
/// Household adults: violence with one of them nearby is urgent. Not `cô`,
/// which in a child's text is far more often a teacher than an aunt.
const ADULTS: &[&str] = &[
    "=bố",
    "ba",
    "=cha",
    "=mẹ",
    "=má",
    "=dượng",
    "=ông",
    "=bà",
    "=chú",
    "=bác",
    "=dì",
    "=cậu",
    "=thím",
    "=mợ",
    "dad",
    "daddy",
    "father",
    "stepdad",
    "stepfather",
    "mom",
    "mum",
    "mommy",
    "mother",
    "stepmom",
    "stepmother",
    "uncle",
    "aunt",
    "grandpa",
    "grandfather",
    "grandma",
    "grandmother",
    "parents",
];
/// `con` before these is an animal or a thing, not the writer.
const NOT_CON: &[&str] = &[
    "nguoi", "cai", "vat", "cho", "meo", "ga", "vit", "lon", "heo", "bo", "trau", "ca", "chim", "chuot", "ran", "muoi",
    "kien", "ong", "khi", "ngua", "de", "cuu", "tho", "gau", "ho", "voi", "sau", "gian",
];
/// May stand between a harmful verb and its object: `đánh cả em`, `đá vào bụng của em`.
const FILLERS: &[&str] = &["ca", "lai", "luon", "vao", "vo", "len", "trung", "chet"];
const BODY: &[&str] = &[
    "nguoi", "mat", "dau", "bung", "lung", "tay", "chan", "ma", "nguc", "mong", "dui", "co", "vung", "kin", "quan",
    "ao", "tai", "mieng", "toc", "face", "head", "body",
];

/// Words at most this far from a `Near` phrase anchor it.
const WINDOW: usize = 8;
/// Two cues of different groups at most this far apart make a disclosure.
const CUE_WINDOW: usize = 20;
/// A household adult at most this far from violence makes it urgent.
const ADULT_WINDOW: usize = 10;

/// One word of a list: its folded form, and its spelling when strict.
struct WordPat {
    folded: String,
    spelling: Option<String>,
}

impl WordPat {
    fn matches(&self, w: &Word<'_>) -> bool {
        w.folded == self.folded && self.spelling.as_ref().is_none_or(|s| *s == w.lower || w.unmarked())
    }
}

enum Elem {
    Word(WordPat),
    Anchor,
    Object,
    Gap(usize),
}

fn compile(phrase: &str) -> Vec<Elem> {
    let mut elems = Vec::new();
    for piece in phrase.split_whitespace() {
        match piece {
            "{a}" => elems.push(Elem::Anchor),
            "{o}" => elems.push(Elem::Object),
            _ => {
                if let Some(n) = piece.strip_prefix("{g").and_then(|p| p.strip_suffix('}')) {
                    elems.push(Elem::Gap(n.parse().unwrap_or(0)));
                    continue;
                }
                let (strict, piece) = match piece.strip_prefix('=') {
                    Some(p) => (true, p),
                    None => (false, piece),
                };
                for w in words(piece, false) {
                    elems.push(Elem::Word(WordPat {
                        spelling: strict.then(|| w.lower.clone()),
                        folded: w.folded,
                    }));
                }
            }
        }
    }
    elems
}

fn compile_words(list: &[&str]) -> Vec<WordPat> {
    list.iter()
        .filter_map(|w| match compile(w).pop() {
            Some(Elem::Word(p)) => Some(p),
            _ => None,
        })
        .collect()
}

/// Compiled phrases, indexed by the folded form of their first word so that
/// each word of a text is tried only against the phrases it can start.
struct Phrases {
    phrases: Vec<Vec<Elem>>,
    by_first: HashMap<String, Vec<usize>>,
    /// Phrases that start with `{a}` or `{o}`, tried at every word.
    others: Vec<usize>,
}

impl Phrases {
    fn new<'p>(phrases: impl Iterator<Item = &'p str>) -> Self {
        let phrases: Vec<Vec<Elem>> = phrases.map(compile).collect();
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        let mut others = Vec::new();
        for (index, elems) in phrases.iter().enumerate() {
            match elems.first() {
                Some(Elem::Word(first)) => by_first.entry(first.folded.clone()).or_default().push(index),
                _ => others.push(index),
            }
        }
        Phrases {
            phrases,
            by_first,
            others,
        }
    }
}

struct Lists {
    rules: Phrases,
    idioms: Phrases,
    topics: Phrases,
    anchors: Vec<WordPat>,
    close: Vec<WordPat>,
    adults: Vec<WordPat>,
}

static LISTS: LazyLock<Lists> = LazyLock::new(|| Lists {
    rules: Phrases::new(RULES.iter().map(|r| r.2)),
    idioms: Phrases::new(IDIOMS.iter().copied()),
    topics: Phrases::new(TOPIC_MARKERS.iter().copied()),
    anchors: compile_words(ANCHORS),
    close: compile_words(CLOSE),
    adults: compile_words(ADULTS),
});

/// The words of a text with what is known about each.
struct Text<'a> {
    ws: Vec<Word<'a>>,
    /// First-person word (or parent) in its context.
    anchor: Vec<bool>,
    /// Anchor, or a person close to the writer.
    object: Vec<bool>,
}

impl Text<'_> {
    fn same(&self, a: usize, b: usize) -> bool {
        match (self.ws.get(a), self.ws.get(b)) {
            (Some(x), Some(y)) => x.sentence == y.sentence,
            _ => false,
        }
    }

    /// Where a phrase starting at word `pos` ends, if it matches there.
    fn match_at(&self, elems: &[Elem], pos: usize, sentence: usize) -> Option<usize> {
        let Some((first, rest)) = elems.split_first() else {
            return Some(pos);
        };
        let here = self.ws.get(pos).filter(|w| w.sentence == sentence);
        match first {
            Elem::Word(p) => here
                .filter(|w| p.matches(w))
                .and_then(|_| self.match_at(rest, pos + 1, sentence)),
            Elem::Anchor => here
                .filter(|_| self.anchor[pos])
                .and_then(|_| self.match_at(rest, pos + 1, sentence)),
            Elem::Object => self
                .object_ends(pos, sentence)
                .into_iter()
                .find_map(|end| self.match_at(rest, end, sentence)),
            Elem::Gap(n) => (0..=*n)
                .take_while(|k| *k == 0 || self.ws.get(pos + k - 1).is_some_and(|w| w.sentence == sentence))
                .find_map(|k| self.match_at(rest, pos + k, sentence)),
        }
    }

    /// Ends of `{o}` from word `pos`: `[cả|lại|…]* [vào] body* [của] object`.
    fn object_ends(&self, pos: usize, sentence: usize) -> Vec<usize> {
        let fits = |k: usize, list: &[&str]| self.ws.get(k).is_some_and(|w| w.sentence == sentence && w.is(list));
        let mut p = pos;
        while p < pos + 2 && fits(p, FILLERS) {
            p += 1;
        }
        let mut ends = Vec::new();
        for body in 0..=3 {
            if body > 0 && !fits(p + body - 1, BODY) {
                break;
            }
            // `của` before the object, and `các`, `mấy`, `những` (plural).
            let mut q = p + body;
            for skip in [&["cua"][..], &["cac", "may", "nhung"]] {
                if fits(q, skip) {
                    q += 1;
                }
            }
            if self.ws.get(q).is_some_and(|w| w.sentence == sentence) && self.object[q] {
                ends.push(q + 1);
            }
        }
        ends
    }

    /// Matches of each phrase, as `(index, start, end)`.
    fn occurrences(&self, set: &Phrases) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for (start, w) in self.ws.iter().enumerate() {
            for &index in set.by_first.get(&w.folded).into_iter().flatten().chain(&set.others) {
                if let Some(end) = self.match_at(&set.phrases[index], start, w.sentence) {
                    out.push((index, start, end));
                }
            }
        }
        out
    }

    fn near(&self, flags: &[bool], start: usize, end: usize, window: usize) -> bool {
        let from = start.saturating_sub(window);
        let to = (end + window).min(self.ws.len());
        (from..to).any(|k| flags[k] && self.same(k, start))
    }
}

fn is_anchor(ws: &[Word<'_>], i: usize, anchors: &[WordPat], vietnamese: &[bool]) -> bool {
    let w = &ws[i];
    if !anchors.iter().any(|p| p.matches(w)) {
        return false;
    }
    let prev = i
        .checked_sub(1)
        .and_then(|p| ws.get(p))
        .filter(|p| p.sentence == w.sentence);
    let next = ws.get(i + 1).filter(|n| n.sentence == w.sentence);
    match w.folded.as_str() {
        // `trẻ em`, `trẻ con`: children in general.
        "em" => prev.is_none_or(|p| p.folded != "tre"),
        "con" => prev.is_none_or(|p| p.folded != "tre") && next.is_none_or(|n| !n.is(NOT_CON)),
        // Unmarked `to` is `tớ` only in a Vietnamese sentence.
        "to" => w.lower != "to" || vietnamese[w.sentence],
        _ => true,
    }
}

/// The object of a harmful act: the writer (not `myself`, which is self-harm,
/// nor `my head`), a person close to them, `my mom`, `him`, `her`.
fn is_object(ws: &[Word<'_>], i: usize, anchor: bool, close: &[WordPat]) -> bool {
    let w = &ws[i];
    match w.lower.as_str() {
        "myself" | "i" => false,
        "my" => ws.get(i + 1).is_some_and(|n| n.is(PEOPLE)),
        "him" | "her" => true,
        _ => anchor || close.iter().any(|p| p.matches(w)),
    }
}

/// Common Vietnamese words that are not English words, to tell a Vietnamese
/// sentence typed without diacritics from an English one.
const VIETNAMESE: &[&str] = &[
    "em", "bi", "khong", "cua", "va", "la", "nha", "toi", "minh", "danh", "voi", "cho", "duoc", "hay", "roi", "nhung",
    "ve", "di", "lam", "ay", "nay", "thi", "ma", "rat", "nguoi", "truong", "hoc",
];

fn is_adult(w: &Word<'_>, adults: &[WordPat], vietnamese: &[bool]) -> bool {
    // Unmarked `me` is `mẹ` only in a Vietnamese sentence.
    adults.iter().any(|p| p.matches(w)) && (w.lower != "me" || vietnamese[w.sentence])
}

fn severity(category: ConcernCategory) -> Severity {
    match category {
        SelfHarm | SexualAbuse | Trafficking => Severity::Urgent,
        Violence | Neglect => Severity::High,
        Bullying => Severity::Medium,
    }
}

fn assess(text: &str) -> Option<Concern> {
    let lists = &*LISTS;
    let ws = words(text, false);
    let mut vietnamese = vec![false; ws.last().map_or(0, |w| w.sentence + 1)];
    for w in ws.iter().filter(|w| w.lower != w.folded || w.is(VIETNAMESE)) {
        vietnamese[w.sentence] = true;
    }
    let anchor: Vec<bool> = (0..ws.len())
        .map(|i| is_anchor(&ws, i, &lists.anchors, &vietnamese))
        .collect();
    let object = (0..ws.len())
        .map(|i| is_object(&ws, i, anchor[i], &lists.close))
        .collect();
    let adult: Vec<bool> = ws.iter().map(|w| is_adult(w, &lists.adults, &vietnamese)).collect();
    let t = Text { ws, anchor, object };

    let mut idiom = vec![false; t.ws.len()];
    for (_, s, e) in t.occurrences(&lists.idioms) {
        idiom[s..e].fill(true);
    }
    // `topic_end[k]`: a topic marker ends right before word `k`.
    let mut topic_end = vec![false; t.ws.len() + 1];
    for (_, _, e) in t.occurrences(&lists.topics) {
        topic_end[e] = true;
    }
    let topical = |s: usize| (s.saturating_sub(1)..=s).any(|k| topic_end[k] && k > 0 && t.same(k - 1, s));

    let mut found: Vec<(ConcernCategory, Severity)> = Vec::new();
    let mut cues: Vec<(usize, usize, ConcernCategory, u8)> = Vec::new();
    for (index, s, e) in t.occurrences(&lists.rules) {
        let (category, kind, _) = &RULES[index];
        if idiom[s..e].contains(&true) || topical(s) {
            continue;
        }
        match kind {
            Expression => {}
            Near if t.near(&t.anchor, s, e, WINDOW) => {}
            Near => continue,
            Cue(group) => {
                cues.push((s, e, *category, *group));
                continue;
            }
        }
        let level = if *category == Violence && t.near(&adult, s, e, ADULT_WINDOW) {
            Severity::Urgent
        } else {
            severity(*category)
        };
        found.push((*category, level));
    }

    // Cue pairs: sorted by position, each paired with the cues that follow
    // within the window, so the work stays linear in the number of cues.
    cues.sort_by_key(|c| c.0);
    for (n, &(s, e, category, group)) in cues.iter().enumerate() {
        let pair = cues[n + 1..]
            .iter()
            .take_while(|c| c.0 <= s + CUE_WINDOW)
            .find(|c| c.2 == category && c.3 != group);
        if let Some(&(_, e2, _, _)) = pair {
            let (from, to) = (s.saturating_sub(WINDOW), (e.max(e2) + WINDOW).min(t.ws.len()));
            if (from..to).any(|k| t.anchor[k]) {
                found.push((category, severity(category)));
            }
        }
    }

    let severity = found.iter().map(|f| f.1).max()?;
    let mut categories: Vec<ConcernCategory> = found.iter().map(|f| f.0).collect();
    categories.sort_by_key(|c| *c as u8);
    categories.dedup();
    Some(Concern { categories, severity })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PHONE: &str = "[số điện thoại đã ẩn]";
    const EMAIL: &str = "[email đã ẩn]";
    const ID: &str = "[số giấy tờ đã ẩn]";
    const ADDRESS: &str = "[địa chỉ đã ẩn]";

    mod redaction {
        use super::*;

        /// `expected` spells markers as `{P}`, `{E}`, `{I}`, `{A}`.
        fn check(input: &str, expected: &str) -> Result<(), String> {
            let expected = expected
                .replace("{P}", PHONE)
                .replace("{E}", EMAIL)
                .replace("{I}", ID)
                .replace("{A}", ADDRESS);
            let got = screen(input).redacted;
            (got == expected)
                .then_some(())
                .ok_or_else(|| format!("{input:?}\n   gave {got:?}\n   want {expected:?}"))
        }

        fn check_all<'a>(cases: impl IntoIterator<Item = (&'a str, &'a str)>) {
            let failures: Vec<String> = cases.into_iter().filter_map(|(i, e)| check(i, e).err()).collect();
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        }

        #[test]
        fn phone_numbers() {
            check_all([
                ("số của em là 0912345678", "số của em là {P}"),
                ("gọi 091 234 5678 nhé", "gọi {P} nhé"),
                ("091.234.5678", "{P}"),
                ("0912-345-678", "{P}"),
                ("0912 345 678.", "{P}."),
                ("+84 912 345 678", "{P}"),
                ("+84912345678", "{P}"),
                ("84912345678", "{P}"),
                ("(+84) 912 345 678", "{P}"),
                ("số máy bàn 028 3844 1234", "số máy bàn {P}"),
                ("(028) 38441234", "{P}"),
                ("024.3825.1234", "{P}"),
                ("02838441234", "{P}"),
                ("0352123456, 0587654321", "{P}, {P}"),
                ("0912345678 và 0987654321", "{P} và {P}"),
                ("số cũ 01234567890", "số cũ {P}"),
                ("sđt:0912345678!", "sđt:{P}!"),
            ]);
        }

        #[test]
        fn emails_and_id_numbers() {
            check_all([
                ("em tên An, email an.nguyen@gmail.com nhé", "em tên An, email {E} nhé"),
                ("Mail: be_an+lop5@truong.edu.vn.", "Mail: {E}."),
                ("0912345678@gmail.com", "{E}"),
                ("CCCD 079123456789", "CCCD {I}"),
                ("CMND 123456789", "CMND {I}"),
                ("số căn cước 079 123 456 789 ạ", "số căn cước {I} ạ"),
                ("0791-2345-6789", "{I}"),
                ("mã học sinh 20241234567", "mã học sinh {I}"),
                ("tài khoản 1903 5555 1234 012", "tài khoản {I} 012"),
            ]);
        }

        #[test]
        fn addresses() {
            check_all([
                ("nhà em ở số 12 đường Lê Văn Sỹ", "nhà em ở {A}"),
                ("123/4 Nguyễn Trọng Tuyển, Phường 2", "{A}, Phường 2"),
                ("số 45 hẻm 12 Phan Đăng Lưu", "{A}"),
                ("em ở 12A Huỳnh Văn Bánh quận Phú Nhuận", "em ở {A} quận Phú Nhuận"),
                ("nhà số 7 ngõ 3", "nhà {A}"),
                ("số nhà 25 gần chợ", "{A} gần chợ"),
                ("nha em o so 12 duong Le Van Sy", "nha em o {A}"),
                ("nha em o so 12 duong le van sy gan truong", "nha em o {A} gan truong"),
                ("em ở 8 phố Hàng Bạc", "em ở {A}"),
                ("kiệt 45 Trần Cao Vân", "kiệt 45 Trần Cao Vân"),
                ("nhà em ở 34 kiệt 45 Trần Cao Vân", "nhà em ở {A}"),
                ("I live at 12 Smith Street.", "I live at {A}."),
                ("we live at 221B Baker St", "we live at {A}"),
                ("nhà em ở đường Lê Lợi số 12", "nhà em ở {A}"),
                ("12 Đường Lý Thường Kiệt", "{A}"),
            ]);
        }

        #[test]
        fn ordinary_numbers_stay() {
            check_all(
                [
                    "em học lớp 7",
                    "em 12 tuổi",
                    "lớp em có 3 bạn bị ốm",
                    "năm 2025 em lên lớp 6",
                    "phòng y tế ở tầng 2",
                    "4 giờ chiều em về nhà",
                    "đường đến trường có 2 cây cầu",
                    "có 3 đường đi đến trường",
                    "giá 100.000.000 đồng",
                    "gọi 111 để được giúp đỡ",
                    "ngày 12/5 Lan Anh sinh nhật",
                    "em được 9 10 9 8 10 9 điểm",
                    "em thích số 7",
                    "email mình là @abc",
                    "tỉ số 2-1",
                    "Em sống ở Quận 3 Thành phố Hồ Chí Minh",
                    "Lớp 7A Trường Nguyễn Du",
                    "em hay chơi ở 2 công viên",
                    "trận đấu lúc 19 30",
                    "hotline 1800 1567",
                    "I have 3 road bikes",
                    "phòng số 5 Nhà A",
                    "em mặc áo số 10 Quang Hải",
                ]
                .map(|i| (i, i)),
            );
        }

        #[test]
        fn redactions_are_listed_in_order() {
            let s = screen("Em ở số 12 đường Lê Lợi, gọi 0912345678 hoặc mail a@b.vn, CCCD 079123456789.");
            assert_eq!(
                s.redactions,
                [
                    Redaction::Address,
                    Redaction::Phone,
                    Redaction::Email,
                    Redaction::IdNumber
                ]
            );
            assert_eq!(
                s.redacted,
                format!("Em ở {ADDRESS}, gọi {PHONE} hoặc mail {EMAIL}, CCCD {ID}.")
            );
            let names: Vec<_> = s.redactions.iter().map(|r| r.as_str()).collect();
            assert_eq!(names, ["address", "phone", "email", "id_number"]);
            assert_eq!(screen("không có gì").redactions, []);
        }
    }

    mod concerns {
        use super::*;

        /// `expected` is `-` for no concern, else `severity: category, …`.
        fn check(input: &str, expected: &str) -> Result<(), String> {
            let got = match screen(input).concern {
                None => "-".to_owned(),
                Some(c) => {
                    let names: Vec<_> = c.categories.iter().map(|c| c.as_str()).collect();
                    format!("{}: {}", c.severity.as_str(), names.join(", "))
                }
            };
            (got == expected)
                .then_some(())
                .ok_or_else(|| format!("{input:?}\n   gave {got}\n   want {expected}"))
        }

        fn check_all<'a>(cases: impl IntoIterator<Item = (&'a str, &'a str)>) {
            let failures: Vec<String> = cases.into_iter().filter_map(|(i, e)| check(i, e).err()).collect();
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        }

        #[test]
        fn disclosures_are_flagged() {
            check_all([
                // The examples of the brief.
                ("bố em say rượu về đánh em và mẹ", "urgent: violence"),
                ("bo em say ruou ve danh em", "urgent: violence"),
                ("em không muốn sống nữa", "urgent: self_harm"),
                ("em muon chet", "urgent: self_harm"),
                (
                    "chú hàng xóm sờ vào người em và bảo em không được nói với ai",
                    "urgent: sexual_abuse",
                ),
                (
                    "có người rủ em sang Trung Quốc làm việc, không cần giấy tờ",
                    "urgent: trafficking",
                ),
                ("em bị nhốt trong nhà cả ngày không cho ăn", "high: neglect"),
                (
                    "các bạn trong lớp đánh em và quay video đăng lên mạng",
                    "high: violence",
                ),
                ("em bị bạn bè tẩy chay và chửi mỗi ngày", "medium: bullying"),
                ("my uncle hits me", "urgent: violence"),
                ("I want to kill myself", "urgent: self_harm"),
                ("I cut myself", "urgent: self_harm"),
                (
                    "someone touched me and told me to keep it secret",
                    "urgent: sexual_abuse",
                ),
                // Violence.
                ("Mẹ kế hay lấy roi quất em", "urgent: violence"),
                ("em bị bố đánh bầm tím cả lưng", "urgent: violence"),
                ("tối qua ba đánh má, em sợ lắm", "urgent: violence"),
                ("Dượng đá vào bụng em", "urgent: violence"),
                ("hôm qua em bị thầy giáo tát vào mặt", "high: violence"),
                ("anh lớp trên đấm em chảy máu mũi", "high: violence"),
                ("The older boys beat me up after school", "high: violence"),
                ("I was beaten by my dad", "urgent: violence"),
                ("Con bi me danh vi lam vo bat.", "urgent: violence"),
                ("mẹ bảo nếu em nói với ai thì mẹ sẽ đánh chết em", "urgent: violence"),
                ("Ba em nhậu xỉn rồi về đập đồ, em sợ lắm.", "urgent: violence"),
                ("My best friend's dad hits her.", "urgent: violence"),
                ("Cô giáo đánh em bằng thước kẻ.", "high: violence"),
                ("Em bị mấy bạn lớp bên quay clip đánh hội đồng.", "high: violence"),
                // Sexual abuse.
                ("anh họ bắt em cởi quần áo", "urgent: sexual_abuse"),
                ("chu ay so vao nguoi em", "urgent: sexual_abuse"),
                ("em bị một người đàn ông quấy rối trên xe buýt", "urgent: sexual_abuse"),
                ("Dượng hay sờ soạng em khi mẹ đi vắng", "urgent: sexual_abuse"),
                ("chú ấy ôm em rồi bảo phải giữ bí mật", "urgent: sexual_abuse"),
                ("he hugged me and said it is our secret", "urgent: sexual_abuse"),
                (
                    "Chú ấy hay cho em tiền và bảo không được kể với ai.",
                    "urgent: sexual_abuse",
                ),
                (
                    "Có anh trên mạng hứa cho em điện thoại nếu em gửi ảnh.",
                    "urgent: sexual_abuse",
                ),
                ("Thầy giáo hay sờ đùi các bạn nữ.", "urgent: sexual_abuse"),
                ("em bi anh ho sam so", "urgent: sexual_abuse"),
                // Self-harm.
                ("Em muốn chết.", "urgent: self_harm"),
                ("em chán sống lắm rồi", "urgent: self_harm"),
                ("em đã nghĩ đến chuyện tự tử", "urgent: self_harm"),
                ("em hay tự rạch tay khi buồn", "urgent: self_harm"),
                ("em khong muon song nua", "urgent: self_harm"),
                ("I don't want to live anymore", "urgent: self_harm"),
                ("Nobody cares about me, I wish I was dead.", "urgent: self_harm"),
                ("I sometimes hurt myself when I am sad.", "urgent: self_harm"),
                ("Em buồn lắm, chẳng ai hiểu em, em muốn biến mất.", "urgent: self_harm"),
                // Neglect.
                ("me em bo di, em o nha mot minh, khong ai cham soc", "high: neglect"),
                ("em bị mẹ bỏ đói hai ngày", "high: neglect"),
                ("my mom locks me in my room", "high: neglect"),
                ("My parents locked me in the bathroom all night.", "high: neglect"),
                ("Bạn em nghỉ học để đi làm ở Bình Dương.", "high: neglect"),
                ("em bị bố mẹ đuổi ra khỏi nhà", "high: neglect"),
                // Bullying.
                ("bạn lớp trên chặn đường bắt em nộp tiền", "medium: bullying"),
                ("mấy bạn hay trêu em là đồ béo", "medium: bullying"),
                ("em bi ban be bat nat", "medium: bullying"),
                ("nobody plays with me at break time", "medium: bullying"),
                ("they make fun of me because of my accent", "medium: bullying"),
                ("I get bullied on the bus", "medium: bullying"),
                ("Em bị các bạn gọi là đồ mập, đồ xấu xí.", "medium: bullying"),
                ("Tớ bị bọn lớp bên chặn đường đòi tiền.", "medium: bullying"),
                ("Không ai chơi với em cả.", "medium: bullying"),
                // Trafficking.
                (
                    "có người lạ hứa cho em việc nhẹ lương cao ở nước ngoài",
                    "urgent: trafficking",
                ),
                ("a stranger offered me a job abroad", "urgent: trafficking"),
                ("bố mẹ định gả em cho một người lớn tuổi", "urgent: trafficking"),
                ("bạn em bị bắt cóc", "urgent: trafficking"),
                (
                    "Trường em hay có người lạ đứng ở cổng, dụ các bạn đi theo.",
                    "urgent: trafficking",
                ),
                // Several at once: the severity is the highest.
                ("bố đánh em và bắt em nghỉ học", "urgent: violence, neglect"),
                ("các bạn đánh em rồi chửi em", "high: violence, bullying"),
                ("bạn trêu em, em muốn chết", "urgent: self_harm, bullying"),
            ]);
        }

        #[test]
        fn topics_and_idioms_are_not_flagged() {
            check_all(
                [
                    // The examples of the brief.
                    "bạo lực học đường là vấn đề lớn ở nhiều nơi",
                    "trường nên dạy phòng chống xâm hại",
                    "em muốn có thêm tiết học về an toàn trên mạng",
                    "cần có chỗ chơi cho trẻ em",
                    "phim này có nhiều cảnh đánh nhau",
                    "em đánh cầu lông với bạn",
                    "em chết cười với bạn",
                    "học mệt muốn chết",
                    // Words that fold like harm words.
                    "mẹ đánh thức em dậy lúc 6 giờ",
                    "bố dành nhiều thời gian cho em",
                    "em từ từ làm bài cho cẩn thận",
                    "tối nay em phải học bài",
                    "cô giáo đánh giá em rất cao",
                    "chú bộ đội đến thăm trường em",
                    "anh ấy nóng tính nhưng tốt bụng",
                    "em thích đá bóng với các bạn",
                    "bạn rủ em đi đá bóng",
                    "em bị ngã xe đạp",
                    "hôm nay em bị điểm kém",
                    "hoc met muon chet",
                    "em cười muốn chết khi xem phim hài",
                    "em không muốn sống ở thành phố vì ồn ào",
                    "mẹ không cho em ăn kẹo",
                    // Topics.
                    "trẻ em bị xâm hại cần được giúp đỡ kịp thời",
                    "em muốn học cách phòng tránh bị bắt nạt",
                    "em được bố mẹ cho đi du lịch nước ngoài",
                    "em sợ bị bắt cóc nên luôn đi cùng mẹ",
                    "Bullying is a big problem in many schools",
                    "we learned about bullying at school today",
                    "Our school should teach suicide prevention",
                    "the movie has a lot of fighting",
                    "I hit the ball really far",
                    "I think schools need more lessons about online safety",
                    "We should learn how to stop cyberbullying.",
                    "I hit my head on the door yesterday.",
                    "This homework is killing me.",
                    "That movie killed me, it was so funny.",
                    "Em so ma.",
                    "Em tò mò về chuyện tự tử của một ca sĩ nổi tiếng.",
                    "Em được chú cho tiền mua bánh.",
                    "Mẹ em đi Hàn Quốc làm việc.",
                    "Bố mẹ em hay cãi nhau và đánh nhau.",
                    "Bố em dạy em đánh cờ tướng.",
                    "Trời nóng muốn chết mà lớp không có quạt.",
                    "",
                ]
                .map(|i| (i, "-")),
            );
        }

        #[test]
        fn names_round_trip() {
            for s in [Severity::Medium, Severity::High, Severity::Urgent] {
                assert_eq!(Severity::parse(s.as_str()), Some(s));
            }
            assert_eq!(Severity::parse("Urgent"), None);
            assert!(Severity::Urgent > Severity::High && Severity::High > Severity::Medium);
            let names: Vec<_> = [Violence, SexualAbuse, SelfHarm, Neglect, Bullying, Trafficking]
                .iter()
                .map(|c| c.as_str())
                .collect();
            assert_eq!(
                names,
                [
                    "violence",
                    "sexual_abuse",
                    "self_harm",
                    "neglect",
                    "bullying",
                    "trafficking"
                ]
            );
        }
    }

    #[test]
    fn folds() {
        assert_eq!(fold("  Bố EM   đánh\tEM  "), "bo em danh em");
        assert_eq!(fold("Tự tử, TỪ TỪ, Đường Lê Văn Sỹ"), "tu tu, tu tu, duong le van sy");
        // Decomposed (NFD) text folds like precomposed text.
        assert_eq!(fold("đa\u{301}nh"), "danh");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn long_and_hostile_texts_are_screened() {
        let sentence = "Bố em say rượu về đánh em. Gọi 0912345678, nhà số 12 đường Lê Lợi. ";
        let long = sentence.repeat(100_000 / sentence.len());
        let s = screen(&long);
        assert_eq!(s.redactions.len(), 2 * (100_000 / sentence.len()));
        assert_eq!(s.concern.map(|c| c.severity), Some(Severity::Urgent));
        for hostile in [
            "1 ".repeat(50_000),
            "1".repeat(100_000),
            "@".repeat(100_000),
            "a@".repeat(50_000),
            "a.".repeat(50_000),
            "đánh bị ".repeat(12_000),
            "em ".repeat(30_000),
            "12 Lê ".repeat(15_000),
            "\u{301}".repeat(50_000),
        ] {
            let s = screen(&hostile);
            assert!(s.redacted.len() <= hostile.len() * 8);
        }
    }

    /// Maximal runs of 9 or more ASCII digits.
    fn long_digit_runs(text: &str) -> Vec<&str> {
        text.split(|c: char| !c.is_ascii_digit())
            .filter(|r| r.len() >= 9)
            .collect()
    }

    fn number_soup() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                "[0-9]{1,14}",
                "[ .()+-]{1,2}",
                Just("84".to_owned()),
                Just("09".to_owned()),
                "(số|đường|Lê|Lợi|em|a@b\\.vn|@|x|\\.com)",
            ],
            0..16,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn screen_never_panics_and_fold_is_idempotent(text in any::<String>()) {
            let _ = screen(&text);
            let once = fold(&text);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn vietnamese_text_folds_idempotently(
            text in "[a-zA-Z0-9àáảãạăằắâđèéêềìíòóôồơờùúưừỳýÀÁĐÊÔƠƯ \u{300}\u{301}\u{303}\u{309}\u{323}\t\n.,@+()/-]{0,60}",
        ) {
            let _ = screen(&text);
            let once = fold(&text);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
        }

        #[test]
        fn long_digit_runs_never_survive(text in number_soup()) {
            let redacted = screen(&text).redacted;
            for run in long_digit_runs(&text) {
                prop_assert!(!redacted.contains(run), "{:?} leaked from {:?} into {:?}", run, text, redacted);
            }
        }
    }
}

/// Stored in place of words that screening routed to safeguarding: the
/// original exists only in the restricted case.
pub const WITHHELD: &str = "[nội dung đã chuyển cho cán bộ bảo vệ trẻ em]";

/// A free text that screening flagged: the original words and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flagged {
    pub original: String,
    pub concern: Concern,
}

/// An issue (title and body) after screening: what may be stored and shown,
/// and what goes to safeguarding instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenedIssue {
    /// The redacted title, or [`WITHHELD`] when anything was flagged.
    pub title: String,
    /// The redacted body, or [`WITHHELD`] when anything was flagged.
    pub body: String,
    /// Kinds of personal data removed, each once, sorted.
    pub redactions: Vec<Redaction>,
    /// Flagged parts; when not empty the issue is withheld from moderation.
    pub flagged: Vec<Flagged>,
}

impl ScreenedIssue {
    pub fn withheld(&self) -> bool {
        !self.flagged.is_empty()
    }
}

/// Screens an issue's title and body together: if either suggests a child
/// is at risk, neither is kept outside the safeguarding case.
pub fn screen_issue(title: &str, body: &str) -> ScreenedIssue {
    let (t, b) = (screen(title), screen(body));
    let flagged: Vec<Flagged> = [(&t, title), (&b, body)]
        .into_iter()
        .filter_map(|(s, original)| {
            s.concern.clone().map(|concern| Flagged {
                original: original.to_owned(),
                concern,
            })
        })
        .collect();
    let mut redactions: Vec<Redaction> = t.redactions.iter().chain(&b.redactions).copied().collect();
    redactions.sort_by_key(|r| r.as_str());
    redactions.dedup();
    let withheld = !flagged.is_empty();
    ScreenedIssue {
        title: if withheld { WITHHELD.to_owned() } else { t.redacted },
        body: if withheld { WITHHELD.to_owned() } else { b.redacted },
        redactions,
        flagged,
    }
}

#[cfg(test)]
mod issue_tests {
    use super::*;

    #[test]
    fn a_flag_in_either_part_withholds_both() {
        let plain = screen_issue("Cần đèn đường", "Gọi 0912 345 678 nhé");
        assert!(!plain.withheld());
        assert_eq!(plain.title, "Cần đèn đường");
        assert!(!plain.body.contains("0912"));
        assert_eq!(plain.redactions, vec![Redaction::Phone]);
        let flagged = screen_issue("Giúp em", "Bố em say rượu về đánh em");
        assert!(flagged.withheld());
        assert_eq!((flagged.title.as_str(), flagged.body.as_str()), (WITHHELD, WITHHELD));
        assert_eq!(flagged.flagged.len(), 1);
        assert_eq!(flagged.flagged[0].original, "Bố em say rượu về đánh em");
    }
}
