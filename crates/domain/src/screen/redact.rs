//! Finding personal data in a child's text: e-mail addresses, social
//! profiles and handles, phone numbers (in digits or in words), ID numbers,
//! street addresses, class and school, and people's names.

use std::ops::Range;

use super::Redaction;
use super::normalise::{Cut, Word, fold, words};

/// A piece of personal data: where it is in the text and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Byte range in the text, on character boundaries.
    pub range: Range<usize>,
    pub kind: Redaction,
}

/// Bytes of the text already claimed by a span.
struct Claimed {
    bytes: Vec<bool>,
    spans: Vec<Found>,
}

impl Claimed {
    fn free(&self, start: usize, end: usize) -> bool {
        self.bytes.get(start..end).is_some_and(|b| !b.contains(&true))
    }

    fn claim(&mut self, start: usize, end: usize, kind: Redaction) {
        if start < end
            && let Some(bytes) = self.bytes.get_mut(start..end)
        {
            bytes.fill(true);
            self.spans.push(Found {
                range: start..end,
                kind,
            });
        }
    }

    /// Claims the span if it is all free.
    fn take(&mut self, start: usize, end: usize, kind: Redaction) -> bool {
        let free = self.free(start, end);
        if free {
            self.claim(start, end, kind);
        }
        free
    }
}

/// The personal data in `text`, in order of appearance, never overlapping.
/// Each kind is looked for in turn, and a later kind never takes bytes an
/// earlier one took: e-mail, social profiles, phone numbers, ID numbers,
/// addresses, class and school, names.
pub fn personal_data(text: &str) -> Vec<Found> {
    let mut claimed = Claimed {
        bytes: vec![false; text.len()],
        spans: Vec::new(),
    };
    emails(text, &mut claimed);
    disguised_emails(text, &mut claimed);
    social(text, &mut claimed);
    let groups = digit_groups(text);
    phones(text, &groups, &mut claimed);
    id_numbers(text, &groups, &mut claimed);
    let ws = words(
        text,
        Cut {
            slash: true,
            apostrophe: false,
        },
    );
    spoken_numbers(text, &ws, &mut claimed);
    addresses(&ws, &mut claimed);
    schools(text, &ws, &mut claimed);
    names(text, &ws, &mut claimed);
    let mut spans = claimed.spans;
    spans.sort_by_key(|s| s.range.start);
    spans
}

// ---------------------------------------------------------------------------
// E-mail and social profiles
// ---------------------------------------------------------------------------

fn emails(text: &str, claimed: &mut Claimed) {
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
        if valid {
            claimed.take(start, end, Redaction::Email);
        }
    }
}

/// Stand-ins for `@` in an address a child disguises.
const AT_SIGNS: &[&str] = &["@", "(a)", "(at)", "[at]", "(@)", "[a]"];

/// `hoangyen . 2010 @ gmail . com`, `ngthao.vy(a)gmail.com`: an address
/// with spaces around its dots and `@`, or a stand-in for `@`.
fn disguised_emails(text: &str, claimed: &mut Claimed) {
    let lower = text.to_ascii_lowercase();
    let b = lower.as_bytes();
    let local = |c: u8| c.is_ascii_alphanumeric() || b"_%+-".contains(&c);
    let label = |c: u8| c.is_ascii_alphanumeric() || c == b'-';
    let spaces_back = |mut k: usize| {
        while k > 0 && b[k - 1] == b' ' {
            k -= 1;
        }
        k
    };
    let spaces_fwd = |mut k: usize| {
        while k < b.len() && b[k] == b' ' {
            k += 1;
        }
        k
    };
    for sign in AT_SIGNS {
        for (at, _) in lower.match_indices(sign) {
            // A plain `@` is disguised only with a space after it; without,
            // it is an address (found already) or a handle.
            if *sign == "@" && b.get(at + 1) != Some(&b' ') {
                continue;
            }
            // The local part, leftwards: words joined by dots.
            let mut start = spaces_back(at);
            let first_end = start;
            while start > 0 && local(b[start - 1]) {
                start -= 1;
            }
            if start == first_end {
                continue;
            }
            loop {
                let dot = spaces_back(start);
                if dot == 0 || b[dot - 1] != b'.' {
                    break;
                }
                let word_end = spaces_back(dot - 1);
                let mut word_start = word_end;
                while word_start > 0 && local(b[word_start - 1]) {
                    word_start -= 1;
                }
                if word_start == word_end {
                    break;
                }
                start = word_start;
            }
            // The domain, rightwards: labels joined by dots.
            let mut end = spaces_fwd(at + sign.len());
            let mut labels: Vec<(usize, usize)> = Vec::new();
            loop {
                let from = end;
                let mut to = from;
                while to < b.len() && label(b[to]) {
                    to += 1;
                }
                if to == from {
                    break;
                }
                labels.push((from, to));
                end = to;
                let dot = spaces_fwd(to);
                if dot >= b.len() || b[dot] != b'.' {
                    break;
                }
                let next = spaces_fwd(dot + 1);
                if next >= b.len() || !label(b[next]) {
                    break;
                }
                end = next;
            }
            let tld_ok = labels
                .last()
                .is_some_and(|&(f, t)| t - f >= 2 && b[f..t].iter().all(u8::is_ascii_alphabetic));
            if labels.len() >= 2 && tld_ok {
                claimed.take(start, end, Redaction::Email);
            }
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

/// Hosts of social networks and messaging apps whose links name a person.
const SOCIAL_HOSTS: &[&str] = &[
    "facebook.com",
    "fb.com",
    "fb.me",
    "fb.watch",
    "messenger.com",
    "m.me/",
    "zalo.me",
    "tiktok.com",
    "instagram.com",
    "instagr.am",
    "youtube.com/@",
    "youtube.com/c/",
    "youtube.com/channel",
    "youtube.com/user",
    "twitter.com",
    "x.com/",
    "t.me/",
    "threads.net",
    "snapchat.com",
    "discord.gg",
    "discord.com/users",
];

/// Words that name a social network or an account on one.
const PLATFORMS: &[&str] = &[
    "facebook",
    "fb",
    "face",
    "zalo",
    "tiktok",
    "instagram",
    "insta",
    "ig",
    "youtube",
    "telegram",
    "tele",
    "discord",
    "snapchat",
    "snap",
    "twitter",
    "messenger",
    "mess",
    "threads",
    "nick",
    "nik",
    "acc",
    "account",
    "kenh",
    "channel",
    "username",
    "handle",
    "id",
];

/// What may stand between a platform word and the account: `fb của em là`,
/// `zalo tên`, `tiktok: `.
const ACCOUNT_LINK: &[&str] = &[
    "cua", "em", "e", "minh", "mk", "mik", "to", "toi", "t", "la", "ten", "is", "my", "me", "ne", "nick", "acc", "id",
];

/// Words that end an account name written in words.
const ACCOUNT_STOP: &[&str] = &[
    "nhe", "nha", "a", "va", "hoac", "de", "roi", "thi", "ma", "vi", "nen", "cua", "voi", "cho", "o", "tai", "and",
    "or", "to", "for", "with", "hay", "khong", "ko", "di", "lam", "xem", "tim", "ib", "inbox", "nhan", "goi", "lien",
    "ket", "ban", "follow", "theo", "doi", "like", "share", "de", "duoc",
];

fn social(text: &str, claimed: &mut Claimed) {
    // Links: the whole whitespace-delimited chunk, less trailing punctuation.
    let lower = text.to_ascii_lowercase();
    let mut at = 0;
    for chunk in text.split_inclusive(char::is_whitespace) {
        let start = at;
        at += chunk.len();
        let trimmed = chunk.trim_end();
        let lower_chunk = lower.get(start..start + trimmed.len()).unwrap_or_default();
        if SOCIAL_HOSTS.iter().any(|h| lower_chunk.contains(h)) {
            let body = trimmed.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
            let lead = body.len() - body.trim_start_matches(['(', '"', '\'']).len();
            claimed.take(start + lead, start + body.len(), Redaction::Social);
        }
    }
    // Handles: `@name` not part of an e-mail address.
    let bytes = text.as_bytes();
    let handle = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'.';
    for (i, _) in text.match_indices('@') {
        let after_word = i > 0 && bytes.get(i - 1).is_some_and(|b| b.is_ascii_alphanumeric());
        let mut end = i + 1;
        while bytes.get(end).is_some_and(|&b| handle(b)) {
            end += 1;
        }
        while end > i + 1 && bytes.get(end - 1) == Some(&b'.') {
            end -= 1;
        }
        let name = text.get(i + 1..end).unwrap_or_default();
        if !after_word && name.len() >= 2 && name.bytes().any(|b| b.is_ascii_alphabetic()) {
            claimed.take(i, end, Redaction::Social);
        }
    }
    // Accounts named after a platform word: `zalo: Mai Anh`, `tiktok
    // linh.cute2010`, `fb Hoa Bé Bỏng`.
    let ws = words(
        text,
        Cut {
            slash: false,
            apostrophe: false,
        },
    );
    for (i, w) in ws.iter().enumerate() {
        if !w.is(PLATFORMS) || (w.folded == "id" && !w.text.starts_with(char::is_lowercase)) {
            continue;
        }
        // `id` alone is too often an ID number or an app id: only `id:`.
        let colon_after = text.get(w.end..).is_some_and(|r| r.trim_start().starts_with(':'));
        if w.folded == "id" && !colon_after {
            continue;
        }
        let mut j = i + 1;
        let mut explicit = colon_after;
        while j < ws.len() && j < i + 4 && !ws[j].after_punct_other_than_colon(text) && ws[j].is(ACCOUNT_LINK) {
            explicit |= ws[j].is(&["la", "ten", "is"])
                || text.get(ws[j].end..).is_some_and(|r| r.trim_start().starts_with(':'));
            j += 1;
        }
        let Some(first) = ws.get(j) else { continue };
        if first.sentence != w.sentence {
            continue;
        }
        // A handle typed as one chunk: `linh.cute2010`, `hoa_be_bong`.
        let chunk_end = text
            .get(first.start..)
            .and_then(|r| r.find(|c: char| c.is_whitespace() || ",;!?()\"".contains(c)))
            .map_or(text.len(), |n| first.start + n);
        let chunk = text
            .get(first.start..chunk_end)
            .unwrap_or_default()
            .trim_end_matches('.');
        let handle_like = chunk.contains(['_', '.'])
            || (chunk.bytes().any(|b| b.is_ascii_digit()) && chunk.bytes().any(|b| b.is_ascii_alphabetic()));
        if handle_like {
            claimed.take(first.start, first.start + chunk.len(), Redaction::Social);
            continue;
        }
        // A name in words: after `:` or `là` any words up to a stop word,
        // otherwise capitalised words only.
        let mut k = j;
        while k < ws.len() && k < j + 5 && ws[k].sentence == w.sentence && (k == j || !ws[k].after_punct) {
            let word = &ws[k];
            let fits = if explicit {
                !word.is(ACCOUNT_STOP)
                    && word
                        .text
                        .chars()
                        .all(|c| c.is_alphanumeric() || super::normalise::is_mark(c))
            } else {
                word.capitalised()
            };
            if !fits || word.text.bytes().all(|b| b.is_ascii_digit()) {
                break;
            }
            k += 1;
        }
        if k > j {
            claimed.take(ws[j].start, ws[k - 1].end, Redaction::Social);
        }
    }
}

impl Word<'_> {
    /// Separated from the previous word by punctuation other than a colon.
    fn after_punct_other_than_colon(&self, text: &str) -> bool {
        self.after_punct
            && text
                .get(..self.start)
                .and_then(|before| before.trim_end().chars().last())
                .is_some_and(|c| c != ':')
    }
}

// ---------------------------------------------------------------------------
// Phone and ID numbers
// ---------------------------------------------------------------------------

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

fn phones(text: &str, groups: &[Group], claimed: &mut Claimed) {
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
        claimed.claim(start, end, Redaction::Phone);
        i = j + 1;
    }
}

fn id_numbers(text: &str, groups: &[Group], claimed: &mut Claimed) {
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
                claimed.claim(groups[i].start, groups[j].end, Redaction::IdNumber);
                i = j + 1;
            }
            None => i += 1,
        }
    }
}

/// The digits a word says: `không`, `một` … `chín`, `zero` … `nine`, or
/// ASCII digits themselves.
fn spoken_digits(w: &Word<'_>) -> Option<String> {
    if w.text.bytes().all(|b| b.is_ascii_digit()) {
        return Some(w.text.to_owned());
    }
    let digit = match w.folded.as_str() {
        "khong" | "ko" | "linh" | "zero" | "oh" => '0',
        "mot" | "one" => '1',
        "hai" | "two" => '2',
        "ba" | "three" => '3',
        "bon" | "tu" | "four" => '4',
        "nam" | "lam" | "five" => '5',
        "sau" | "six" => '6',
        "bay" | "seven" => '7',
        "tam" | "eight" => '8',
        "chin" | "nine" => '9',
        _ => return None,
    };
    Some(digit.to_string())
}

/// Phone numbers (and 12-digit citizen ID numbers) spelt in words or with
/// one digit per group: `không chín một hai …`, `0 9 1 2 …`.
fn spoken_numbers(text: &str, ws: &[Word<'_>], claimed: &mut Claimed) {
    let mut i = 0;
    while i < ws.len() {
        let mut digits = String::new();
        let mut j = i;
        let mut words_used = 0;
        while j < ws.len() && digits.len() < 13 {
            let linked = j == i
                || text
                    .get(ws[j - 1].end..ws[j].start)
                    .is_some_and(|g| g.chars().count() <= 3 && g.chars().all(|c| " ,.-\u{a0}".contains(c)));
            let Some(d) = linked.then(|| spoken_digits(&ws[j])).flatten() else {
                break;
            };
            if !ws[j].text.bytes().all(|b| b.is_ascii_digit()) {
                words_used += 1;
            }
            digits.push_str(&d);
            j += 1;
        }
        // Only when words or single digits were needed: numbers in digit
        // groups were looked at already.
        let spelt = words_used > 0 || (j - i >= 9);
        let number = (is_phone(&digits) || (digits.len() == 12 && digits.starts_with('0'))) && spelt;
        let (start, end) = (ws[i].start, ws[j.max(i + 1) - 1].end);
        if number && claimed.free(start, end) {
            let kind = if is_phone(&digits) {
                Redaction::Phone
            } else {
                Redaction::IdNumber
            };
            claimed.claim(start, end, kind);
            i = j;
        } else {
            i += 1;
        }
    }
}

// ---------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------

/// Words after which a number is never a house number.
const NOT_HOUSE: &[&str] = &[
    "lop", "khoi", "tang", "lau", "nam", "ngay", "thang", "tuan", "gio", "phut", "luc", "phong", "bai", "cau", "trang",
    "diem", "tiet", "hang", "top", "tap", "chuong", "doi", "quan", "phuong", "huyen", "xa", "khu", "ap", "thon", "xom",
    "to", "tuoi", "xe", "tuyen", "ban", "ghe", "hoc", "ky", "ki", "class", "grade", "room", "page", "level", "year",
    "chapter", "floor", "bus", "age", "ao", "sinh", "nhat", "hom", "toi", "sang", "chieu", "dem", "trua", "khoang",
    "tu", "den", "toi", "tren", "duoi", "het", "mat", "co", "duoc", "con", "them", "khoa",
];
/// Words that name a kind of street.
const STREET: &[&str] = &["duong", "pho", "hem", "ngo", "kiet", "ngach"];
/// Alleys, whose number follows the word: `hẻm 12`, `kiệt 45`.
const ALLEY: &[&str] = &["hem", "ngo", "kiet", "ngach"];
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
    "tinh", "minh", "toi", "nhe", "nha", "a", "day", "do", "ne",
];

fn addresses(ws: &[Word<'_>], claimed: &mut Claimed) {
    let mut i = 0;
    while i < ws.len() {
        match address_at(ws, i) {
            Some((s, e)) => {
                claimed.take(ws[s].start, ws[e - 1].end, Redaction::Address);
                i = e.max(i + 1);
            }
            None => i += 1,
        }
    }
}

/// `12`, `12A`, `123/4`, `12/3B`: whether it is a strong house number (with
/// a slash or a letter). A letter is A–G, or a–c: `12h` is a time, `50k`
/// money, `5m` a length. A slash number that reads as a date or a mark out
/// of ten (`12/5`, `8/10`) is not strong.
fn house_number(word: &str) -> Option<bool> {
    let mut strong = false;
    let mut parts: Vec<u32> = Vec::new();
    for part in word.split('/') {
        let digits = part.bytes().take_while(u8::is_ascii_digit).count();
        let rest = &part.as_bytes()[digits..];
        let letter = match rest {
            [] => false,
            [b'A'..=b'G' | b'a'..=b'c'] => true,
            _ => return None,
        };
        if !(1..=4).contains(&digits) || parts.len() >= 3 {
            return None;
        }
        parts.push(part.get(..digits)?.parse().ok()?);
        strong |= letter;
    }
    let date_like = parts.len() == 2 && parts[0] <= 31 && parts[1] <= 12 && !strong;
    strong |= parts.len() > 1 && !date_like;
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
    if p1.is_some_and(|w| w.is(ALLEY)) {
        return alley_at(ws, i - 1);
    }
    // `lớp 7`, `phòng số 5`, `đường 3/2` (a street named for a date).
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
    } else if p1.is_some_and(|w| w.is(&["o", "tai", "at", "nha", "chi"])) {
        context = true;
        // `ở 45/6`: a slash number after `ở` is a house even if it reads as a date.
        strong |= ws[i].text.contains('/');
    }
    // `9 bis Thich Quang Duc`.
    let (number_end, strong) = match linked(ws, i + 1) {
        Some(w) if w.is(&["bis", "ter"]) => (i + 2, true),
        _ => (i + 1, strong),
    };
    if let Some(end) = street_after(ws, number_end, context, strong) {
        return Some((start, end));
    }
    if strong && context {
        return Some((start, number_end));
    }
    if after_so {
        // `đường Lê Lợi số 12`.
        return street_before(ws, start).map(|s| (s, i + 1));
    }
    None
}

/// `kiệt 45 Trần Cao Vân`, `hẻm 12/3 Phan Đăng Lưu`, `ngõ 7 phố Huế`: an
/// alley (word `a`), its number and the street it leaves; or, after `ở`,
/// `tại`, `nhà`, the alley and number alone.
fn alley_at(ws: &[Word<'_>], a: usize) -> Option<(usize, usize)> {
    let n = a + 1;
    let context = a
        .checked_sub(1)
        .and_then(|p| linked(ws, a).map(|_| &ws[p]))
        .is_some_and(|w| w.is(&["o", "tai", "nha", "so"]));
    let end = match linked(ws, n + 1) {
        Some(w) if w.is(STREET) || w.is(ALLEY) => name_run(ws, n + 1),
        Some(w) if w.capitalised() && house_number(w.text).is_none() => name_run(ws, n + 1),
        // `kiet 32 ong ich khiem`: two to four lower-case words.
        Some(_) => {
            let mut k = n + 1;
            while k < n + 5
                && linked(ws, k).is_some_and(|w| !w.is(NAME_STOP) && w.text.chars().all(char::is_alphabetic))
            {
                k += 1;
            }
            if k >= n + 3 { k } else { n + 1 }
        }
        None => n + 1,
    };
    (end > n + 1 || context).then_some((a, end))
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
// Class and school
// ---------------------------------------------------------------------------

/// A class code: `7A3`, `9A`, `8a1`, `10A1`, `6/2`, `5.3`; `7` alone is a
/// grade.
fn class_code(code: &str) -> bool {
    let b = code.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&digits) {
        return false;
    }
    match &b[digits..] {
        [l] => l.is_ascii_alphabetic(),
        [l, d @ ..] if l.is_ascii_alphabetic() => (1..=2).contains(&d.len()) && d.iter().all(u8::is_ascii_digit),
        [b'/' | b'.', d @ ..] => (1..=2).contains(&d.len()) && d.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// Kinds of school, folded, as one or more words; the first ones are
/// abbreviations no one writes for anything else.
const SCHOOL_KINDS: &[&[&str]] = &[
    &["thcs"],
    &["thpt"],
    &["ptcs"],
    &["ptth"],
    &["ptdtnt"],
    &["dtnt"],
    &["ptdtbt"],
    &["thptcs"],
    &["th"],
    &["tieu", "hoc"],
    &["trung", "hoc", "co", "so"],
    &["trung", "hoc", "pho", "thong"],
    &["trung", "hoc"],
    &["mam", "non"],
    &["mau", "giao"],
    &["cap", "1"],
    &["cap", "2"],
    &["cap", "3"],
    &["cap", "ii"],
    &["cap", "iii"],
    &["chuyen"],
    &["quoc", "te"],
    &["pho", "thong"],
    &["dan", "lap"],
];
const SCHOOL_ABBREVIATIONS: &[&str] = &["thcs", "thpt", "ptcs", "ptth", "ptdtnt", "dtnt", "ptdtbt", "thptcs"];

/// Words that end a school name written in lower case.
const SCHOOL_STOP: &[&str] = &[
    "lop", "o", "tai", "cua", "va", "em", "e", "minh", "mk", "toi", "thi", "la", "co", "rat", "nhe", "nha", "quan",
    "huyen", "phuong", "xa", "tinh", "thanh", "tp", "nam", "hoc", "hay", "bi", "dang", "duoc", "dc", "nen", "voi",
    "vs", "khi", "vi", "nhung", "ma", "con", "cung", "deu", "khong", "ko", "k", "moi", "day", "do", "ne", "a", "ah",
    "roi", "r", "di", "den", "ve", "thay", "cac", "ban", "nhieu", "it", "mot", "hai", "so", "trong", "ngoai", "gan",
    "xa", "muon", "mun", "can", "phai", "may", "lanh", "nuoc", "san", "choi", "to", "qua", "wa", "bi",
];

/// Length (in words) of the school kind starting at word `k`, if any.
fn school_kind_at(ws: &[Word<'_>], k: usize) -> Option<usize> {
    SCHOOL_KINDS
        .iter()
        .filter(|kind| {
            kind.iter().enumerate().all(|(n, part)| {
                ws.get(k + n)
                    .is_some_and(|w| w.sentence == ws[k].sentence && (n == 0 || !w.after_punct) && w.folded == *part)
            })
        })
        .map(|kind| kind.len())
        .max()
}

/// English words that follow a school's name.
const SCHOOL_EN: &[&str] = &["high", "primary", "secondary", "middle", "elementary", "school"];

/// The end of a school name from word `k`: capitalised words, or (when
/// `loose`, after a school kind) lower-case words up to a stop word.
fn school_name_end(ws: &[Word<'_>], k: usize, loose: bool) -> usize {
    let mut e = k;
    while e < k + 5 {
        let Some(w) = linked(ws, e).filter(|w| w.sentence == ws[k].sentence) else {
            break;
        };
        if w.is(SCHOOL_EN) {
            break;
        }
        let capital = w.capitalised() && !not_name(w);
        let number = w.text.bytes().all(|b| b.is_ascii_digit()) && e > k;
        let lower_ok = loose && !w.is(SCHOOL_STOP) && w.text.chars().all(char::is_alphabetic);
        if !(capital || lower_ok || number) {
            break;
        }
        e += 1;
    }
    e
}

/// Schools, and class codes when a school is named in the same text: a
/// class code alone matches a class in every school of the district.
fn schools(text: &str, ws: &[Word<'_>], claimed: &mut Claimed) {
    let mut named = false;
    let mut i = 0;
    while i < ws.len() {
        let w = &ws[i];
        // `trường THCS Lê Quý Đôn` (all but `trường`), `THCS Nguyễn Du`,
        // `thcs cau kieu`, `trường Kim Đồng`, `Nguyen Du High School`.
        let after_truong = i
            .checked_sub(1)
            .is_some_and(|p| ws[p].is(&["truong", "school"]) && !w.after_punct);
        if let Some(kind) = school_kind_at(ws, i) {
            let strong_kind = kind > 1
                || w.is(SCHOOL_ABBREVIATIONS)
                || w.text.chars().filter(|c| c.is_uppercase()).count() >= 2
                || after_truong;
            let end = school_name_end(ws, i + kind, after_truong || strong_kind);
            if strong_kind && end > i + kind {
                named |= claimed.take(w.start, ws[end - 1].end, Redaction::School);
                i = end;
                continue;
            }
        } else if after_truong && w.capitalised() && !w.is(&["em", "minh", "toi", "lop", "hoc", "e"]) {
            let end = school_name_end(ws, i, false);
            if end > i {
                named |= claimed.take(w.start, ws[end - 1].end, Redaction::School);
                i = end;
                continue;
            }
        }
        if w.capitalised() && !w.is(&["em", "minh", "toi", "i"]) {
            // `Nguyen Du High School`: the name, not the words after it.
            let end = school_name_end(ws, i, false);
            let english = ws
                .get(end)
                .is_some_and(|a| a.is(SCHOOL_EN) && !a.after_punct && a.sentence == w.sentence)
                && ws[end..].iter().take(3).any(|x| x.folded == "school");
            if end > i && english {
                named |= claimed.take(w.start, ws[end - 1].end, Redaction::School);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    if !named {
        return;
    }
    // `6A7`, `8a1` alone, when a school is named.
    for w in ws {
        let b = w.text.as_bytes();
        let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let strong = (1..=2).contains(&digits)
            && b.get(digits).is_some_and(u8::is_ascii_alphabetic)
            && b.len() > digits + 1
            && b[digits + 1..].iter().all(u8::is_ascii_digit);
        if strong {
            claimed.take(w.start, w.end, Redaction::School);
        }
    }
    // `lớp 7A3`, `lop 8a1`, `lớp 5.3`, `class 7B`: the code only.
    for (i, w) in ws.iter().enumerate() {
        if !w.is(&["lop", "class"]) {
            continue;
        }
        let Some(next) = ws
            .get(i + 1)
            .filter(|n| n.sentence == w.sentence || n.start == w.end + 1)
        else {
            continue;
        };
        let rest = text.get(next.start..).unwrap_or_default();
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '/'))
            .unwrap_or(rest.len());
        let code = rest.get(..len).unwrap_or_default().trim_end_matches(['.', '/']);
        let between = text.get(w.end..next.start).unwrap_or("x");
        if class_code(code) && between.chars().all(char::is_whitespace) {
            claimed.take(next.start, next.start + code.len(), Redaction::School);
        }
    }
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/// Vietnamese family names, with their marks.
const FAMILY: &[&str] = &[
    "nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ", "hồ", "ngô", "dương",
    "lý", "lí", "đinh", "đoàn", "trương", "lâm", "mai", "cao", "lương", "trịnh", "tạ", "tô", "hà", "châu", "quách",
    "thái", "lưu", "triệu", "kiều", "mạc", "đào", "hứa", "phùng", "tăng", "vương", "từ", "lại", "diệp", "thạch", "chu",
    "giang", "đàm", "khổng", "lục", "nông", "lò", "hầu", "tống", "thân", "doãn", "khúc", "âu", "kim", "lã", "nghiêm",
    "ninh", "tiêu", "lạc", "quan", "hàn", "phó", "bạch", "đồng", "ông", "văn",
];
/// Family names that, in lower case, are only names: `nguyễn`, `nguyen`.
const FAMILY_ONLY: &[&str] = &[
    "nguyen", "huynh", "truong", "nguyễn", "huỳnh", "trương", "đặng", "trịnh", "quách",
];
/// Middle names that mark a full name even in lower case: `nguyen thi hoa`.
const MIDDLE: &[&str] = &[
    "van", "thi", "huu", "duc", "dinh", "cong", "quoc", "ngoc", "minh", "thanh", "gia", "hoai", "xuan", "kim", "bao",
    "anh", "the", "tuan", "hong", "khanh", "trong", "manh", "quang", "hai", "nhat", "thuy", "dieu", "phuong", "thu",
    "my", "bich", "tien", "nhu", "hoang", "tri", "vinh", "dang", "thien", "tuong", "phuc", "hoa", "hai",
];
/// Given names, folded, for names written in lower case after a cue.
const GIVEN: &[&str] = &[
    "an", "anh", "bao", "binh", "chau", "chi", "cuong", "dung", "duy", "duong", "dat", "duc", "giang", "ha", "hai",
    "han", "hanh", "hao", "hau", "hieu", "hien", "hoa", "hoang", "hong", "hue", "hung", "huong", "huy", "huyen",
    "khang", "khanh", "khoa", "khoi", "kien", "lam", "lan", "linh", "loan", "long", "loc", "mai", "minh", "my", "nam",
    "nga", "ngan", "nghia", "ngoc", "nguyen", "nhi", "nhung", "nhu", "oanh", "phat", "phong", "phuc", "phuong", "quan",
    "quang", "quyen", "quynh", "son", "tam", "tan", "thai", "thanh", "thao", "thang", "thinh", "thu", "thuy", "tien",
    "toan", "trang", "tram", "tri", "trinh", "trung", "tu", "tuan", "tung", "uyen", "van", "viet", "vinh", "vy",
    "xuan", "yen", "bich", "diep", "nhan", "phuoc", "tai", "thien", "thong", "tin", "trong", "vu", "kiet", "hiep",
    "dang", "khai", "na", "ly", "tra", "diem", "hang", "kha", "khue", "man", "que", "sang", "suong", "thoa", "thuong",
    "tuyet", "tuong", "bo", "bi", "ti", "teo", "bong", "mi", "mia", "bin", "bon", "ken", "tom", "su", "nhien", "nhat",
    "quy", "tuyen", "hoai", "dao", "ky", "lien", "gia", "phu", "loi", "nghi", "y", "vi", "truc", "dan", "hanh", "hoan",
    "luan", "nhan", "tho", "uy", "vuong", "chinh", "cong", "hau", "khiem", "lap", "lieu",
];
/// Words that, spelt like this, are not part of a name: pronouns, kin,
/// places, function words.
const NOT_NAME: &[&str] = &[
    "em",
    "mình",
    "tôi",
    "tớ",
    "tao",
    "con",
    "cháu",
    "bạn",
    "cô",
    "thầy",
    "anh",
    "chị",
    "chú",
    "bác",
    "ông",
    "bà",
    "bố",
    "mẹ",
    "má",
    "ba",
    "cha",
    "dì",
    "cậu",
    "nhà",
    "trường",
    "lớp",
    "ở",
    "và",
    "là",
    "thì",
    "những",
    "vì",
    "khi",
    "hôm",
    "ngày",
    "tháng",
    "năm",
    "tối",
    "sáng",
    "chiều",
    "đêm",
    "quận",
    "huyện",
    "xã",
    "phường",
    "tỉnh",
    "thành",
    "phố",
    "đường",
    "chợ",
    "công",
    "viên",
    "bệnh",
    "sông",
    "núi",
    "đền",
    "chùa",
    "nhưng",
    "như",
    "nếu",
    "tại",
    "đó",
    "đây",
    "kia",
    "ấy",
    "này",
    "ai",
    "gì",
    "sao",
    "thế",
    "có",
    "không",
    "được",
    "đang",
    "đã",
    "sẽ",
    "cũng",
    "rất",
    "lắm",
    "học",
    "sinh",
    "giáo",
    "xin",
    "chào",
    "cảm",
    "ơn",
    "dạ",
    "vâng",
    "mọi",
    "các",
    "một",
    "hai",
    "đi",
    "về",
    "từ",
    "với",
    "cho",
    "của",
    "trong",
    "ngoài",
    "hay",
    "muốn",
    "thích",
    "hội",
    "đội",
    "tiết",
    "môn",
    "bài",
    "lễ",
    "tết",
    "tiếng",
    "việt",
    "nam",
    "hà",
    "nội",
];
/// Words that, typed without diacritics, are not part of a name.
const NOT_NAME_UNMARKED: &[&str] = &[
    "em",
    "e",
    "o",
    "va",
    "la",
    "nha",
    "truong",
    "lop",
    "quan",
    "huyen",
    "phuong",
    "tp",
    "duong",
    "hom",
    "ngay",
    "i",
    "my",
    "the",
    "a",
    "an",
    "he",
    "she",
    "we",
    "they",
    "it",
    "this",
    "that",
    "mom",
    "dad",
    "mr",
    "mrs",
    "ms",
    "miss",
    "teacher",
    "facebook",
    "zalo",
    "tiktok",
    "instagram",
    "google",
    "youtube",
    "from",
    "and",
    "or",
    "at",
    "in",
    "on",
    "is",
    "am",
    "im",
    "to",
    "of",
    "hi",
    "hello",
    "toi",
    "cua",
    "cho",
    "voi",
    "khong",
    "ko",
    "co",
];
/// Places and historical figures (streets, schools) that look like names.
const PLACES: &[&[&str]] = &[
    &["ho", "chi", "minh"],
    &["ha", "noi"],
    &["ha", "giang"],
    &["ha", "tinh"],
    &["ha", "nam"],
    &["ha", "long"],
    &["ha", "tien"],
    &["ha", "dong"],
    &["lam", "dong"],
    &["cao", "bang"],
    &["lao", "cai"],
    &["lai", "chau"],
    &["da", "nang"],
    &["tra", "vinh"],
    &["kien", "giang"],
    &["binh", "duong"],
    &["thai", "binh"],
    &["thai", "nguyen"],
    &["ly", "son"],
    &["phan", "thiet"],
    &["phan", "rang"],
    &["ho", "guom"],
    &["ho", "tay"],
    &["mai", "chau"],
    &["chau", "doc"],
    &["tay", "ninh"],
    &["vung", "tau"],
    &["hoang", "sa"],
    &["truong", "sa"],
    &["giang", "vo"],
    &["vinh", "long"],
    &["vinh", "phuc"],
    &["lang", "son"],
    &["an", "giang"],
    &["hau", "giang"],
    &["bac", "giang"],
    &["cao", "lanh"],
    &["nguyen", "hue"],
    &["le", "loi"],
    &["tran", "hung", "dao"],
    &["nguyen", "trai"],
    &["ly", "thuong", "kiet"],
    &["le", "duan"],
    &["nguyen", "du"],
    &["ngo", "quyen"],
    &["quang", "trung"],
    &["phan", "dinh", "phung"],
    &["phan", "boi", "chau"],
    &["phan", "chu", "trinh"],
    &["nguyen", "thi", "minh", "khai"],
    &["vo", "thi", "sau"],
    &["le", "van", "sy"],
    &["hoang", "van", "thu"],
    &["nguyen", "van", "troi"],
    &["le", "quy", "don"],
    &["tran", "phu"],
    &["nguyen", "dinh", "chieu"],
    &["vo", "van", "tan"],
    &["dinh", "tien", "hoang"],
    &["ly", "tu", "trong"],
    &["le", "thanh", "ton"],
    &["tran", "quoc", "toan"],
    &["nguyen", "van", "cu"],
    &["le", "hong", "phong"],
    &["tran", "quang", "khai"],
    &["ly", "thai", "to"],
    &["le", "lai"],
    &["ho", "xuan", "huong"],
    &["nguyen", "binh", "khiem"],
    &["chu", "van", "an"],
    &["tran", "dai", "nghia"],
    &["vo", "nguyen", "giap"],
];
/// Words after which a capitalised run is a place or a thing, not a person.
const PLACE_BEFORE: &[&str] = &[
    "duong", "pho", "hem", "ngo", "kiet", "ngach", "quan", "huyen", "xa", "phuong", "tinh", "tp", "thanh", "cho",
    "cau", "vien", "song", "nui", "den", "chua", "truong", "thcs", "thpt", "th", "tieu", "street", "road", "city",
    "district", "province", "dai", "lo", "ben", "bai", "bien", "khu", "ap", "thon", "xom", "lang", "tuong", "hoi",
    "benh", "nha", "sieu", "thi", "rap", "tiem", "quan", "ward", "park", "hospital", "school", "at",
];
/// Words before a name: `em tên`, `tên là`, `em là`, `my name is`.
const NAME_CUES: &[&[&str]] = &[
    &["ten"],
    &["ho", "ten"],
    &["ky", "ten"],
    &["nguoi", "gui"],
    &["em", "la"],
    &["e", "la"],
    &["minh", "la"],
    &["mk", "la"],
    &["toi", "la"],
    &["to", "la"],
    &["tui", "la"],
    &["con", "la"],
    &["chau", "la"],
    &["ay", "la"],
    &["ten", "la"],
    &["name", "is"],
    &["name"],
    &["i", "am"],
    &["im"],
    &["called"],
    &["goi", "la"],
];
/// Titles before a name: `bạn Hùng`, `cô Lan`, `thầy Minh`, `ba e là`.
const TITLES: &[&str] = &[
    "bạn", "cô", "thầy", "anh", "chị", "chú", "bác", "em", "bé", "thằng", "con", "nhóc", "ông", "bà", "dì", "cậu",
    "mẹ", "bố", "má", "ba", "friend", "teacher", "mr", "mrs", "ms", "miss", "mister", "uncle", "aunt", "sister",
    "brother", "a", "c", "b", "bn",
];
/// Words that may stand between a title and the name: `cô giáo Lan`,
/// `chú hàng xóm Tuấn`, `ba e là`.
const ROLES: &[&str] = &[
    "giao", "chu", "nhiem", "hieu", "truong", "hang", "xom", "ho", "lop", "trai", "gai", "cung", "than", "day", "toan",
    "van", "anh", "ke", "duong", "ghe", "em", "e", "minh", "la", "ten", "phu", "trach",
];

/// [`FAMILY`] folded, once.
static FAMILY_FOLDED: std::sync::LazyLock<super::table::Set<String>> =
    std::sync::LazyLock::new(|| FAMILY.iter().map(|f| fold(f)).collect());

/// [`TITLES`] folded, once.
static TITLES_FOLDED: std::sync::LazyLock<super::table::Set<String>> =
    std::sync::LazyLock::new(|| TITLES.iter().map(|t| fold(t)).collect());

/// A family name: any case after a cue; otherwise capitalised, or one of
/// the few that are only names.
fn family(w: &Word<'_>, cue: bool) -> bool {
    // `la` without marks is `là` far more often than `Lã`.
    if w.folded == "la" && !w.marked() {
        return false;
    }
    let listed = FAMILY.contains(&w.lower.as_str()) || (!w.marked() && FAMILY_FOLDED.contains(w.folded.as_str()));
    listed
        && (cue
            || w.capitalised()
            || FAMILY_ONLY.contains(&w.lower.as_str())
            || FAMILY_ONLY.contains(&w.folded.as_str()))
}

fn not_name(w: &Word<'_>) -> bool {
    if w.marked() {
        NOT_NAME.contains(&w.lower.as_str())
    } else {
        NOT_NAME_UNMARKED.contains(&w.folded.as_str())
    }
}

/// A capitalised word that may be part of a name.
fn name_word(w: &Word<'_>) -> bool {
    w.capitalised()
        && w.text
            .chars()
            .all(|c| c.is_alphabetic() || super::normalise::is_mark(c))
        && !not_name(w)
}

/// A lower-case word that may follow a family name: a middle or given name.
fn lower_name_word(w: &Word<'_>) -> bool {
    (w.is(MIDDLE) || w.is(GIVEN))
        && w.text
            .chars()
            .all(|c| c.is_alphabetic() || super::normalise::is_mark(c))
        && !(w.marked() && not_name(w))
}

fn is_place(ws: &[Word<'_>], s: usize, e: usize) -> bool {
    PLACES
        .iter()
        .any(|p| p.len() <= e - s && p.iter().enumerate().all(|(n, part)| ws[s + n].folded == *part))
}

/// A title, spelt as in [`TITLES`] when typed with diacritics (`Chí` is not
/// `chị`).
fn is_title(w: &Word<'_>) -> bool {
    if w.marked() {
        TITLES.contains(&w.lower.as_str())
    } else {
        TITLES_FOLDED.contains(w.folded.as_str())
    }
}

/// A name cue ends right before word `i` (`em tên`, `mình là`).
fn cue_before(ws: &[Word<'_>], i: usize) -> bool {
    NAME_CUES.iter().any(|cue| {
        cue.len() <= i
            && cue.iter().enumerate().all(|(n, part)| {
                let w = &ws[i - cue.len() + n];
                w.folded == *part && w.sentence == ws[i].sentence
            })
    })
}

/// A title (maybe with a role) ends right before word `i`: `bạn`, `cô giáo`.
fn title_before(ws: &[Word<'_>], i: usize) -> bool {
    let sentence = ws[i].sentence;
    let mut p = i;
    let mut roles = 0;
    loop {
        if p == 0 || ws[p].after_punct || ws[p - 1].sentence != sentence {
            return false;
        }
        let w = &ws[p - 1];
        // A capitalised title inside a sentence is a name itself (`Ho Chi Minh`).
        let sentence_start = p < 2 || ws[p - 2].sentence != sentence;
        if is_title(w) && (!w.capitalised() || sentence_start) {
            return true;
        }
        if roles >= 3 || !w.is(ROLES) {
            return false;
        }
        roles += 1;
        p -= 1;
    }
}

fn names(text: &str, ws: &[Word<'_>], claimed: &mut Claimed) {
    let mut i = 0;
    while i < ws.len() {
        match name_at(text, ws, i) {
            Some(e) if e > i => {
                claimed.take(ws[i].start, ws[e - 1].end, Redaction::Name);
                i = e;
            }
            _ => i += 1,
        }
    }
}

/// The end of a name starting at word `i`.
fn name_at(text: &str, ws: &[Word<'_>], i: usize) -> Option<usize> {
    let w = &ws[i];
    let sentence = w.sentence;
    let linked_in = |k: usize| linked(ws, k).filter(|x| x.sentence == sentence);
    let after_place = i
        .checked_sub(1)
        .is_some_and(|p| ws[p].is(PLACE_BEFORE) && !w.after_punct);
    if after_place {
        return None;
    }
    let cue = cue_before(ws, i) || title_before(ws, i);
    let place = |e: usize| is_place(ws, i, e);
    // A full name: family name and one to three more.
    if family(w, cue) {
        let mut e = i + 1;
        if w.capitalised() {
            while e < i + 4 && linked_in(e).is_some_and(|x| name_word(x) || (x.capitalised() && family(x, false))) {
                e += 1;
            }
        }
        if e == i + 1 && !w.capitalised() {
            // `nguyen thi hoa`, `em tên nguyễn văn an`: a middle name, or a
            // cue, makes lower-case words a name.
            let middle = linked_in(i + 1).is_some_and(|x| x.is(MIDDLE) && !x.marked_not_name());
            if middle || cue {
                while e < i + 4 && linked_in(e).is_some_and(lower_name_word) {
                    e += 1;
                }
            }
        }
        if e > i + 1 && !place(e) {
            return Some(e);
        }
    }
    // After a cue: capitalised words.
    if cue && name_word(w) {
        let mut e = i;
        while e < i + 4 && linked_in(e).is_some_and(|x| name_word(x) || (e > i && family(x, false))) {
            e += 1;
        }
        if e > i && !place(e) {
            return Some(e);
        }
    }
    // A contact's name in brackets after a number: `0799 345 612 (Ngọc Trâm)`.
    let bracketed = text.get(..w.start).is_some_and(|b| {
        b.trim_end().ends_with('(')
            && b.trim_end()
                .trim_end_matches('(')
                .trim_end()
                .ends_with(|c: char| c.is_ascii_digit())
    });
    if bracketed && name_word(w) {
        let mut e = i + 1;
        while e < i + 4 && linked_in(e).is_some_and(name_word) {
            e += 1;
        }
        return Some(e);
    }
    None
}

impl Word<'_> {
    /// Typed with diacritics as a word that is not a name (`mình`, `thì`).
    fn marked_not_name(&self) -> bool {
        self.marked() && NOT_NAME.contains(&self.lower.as_str())
    }
}
