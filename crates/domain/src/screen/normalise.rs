//! How children's writing is read before any disclosure rule: text is cut
//! into words, folded, squeezed (`đauuuu` → `đau`), and teencode, letter
//! swaps (`f`/`ph`, `j`/`gi`, `z`/`d`, `w`/`qu`) and spaced-out letters
//! (`đ á n h`) are undone. Also [`fold`], the form used for search.

use super::table::Map;
use std::sync::LazyLock;

/// Lowercase, strip Vietnamese diacritics (đ→d), collapse whitespace: the form used for matching and search.
///
/// Leading and trailing whitespace is dropped and each inner run becomes one
/// space; combining marks (U+0300–U+036F) are dropped, so decomposed text
/// folds like precomposed text. `fold(fold(s)) == fold(s)`.
pub fn fold(text: &str) -> String {
    // Most words children type are plain ASCII letters.
    if text.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return text.to_ascii_lowercase();
    }
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
    // The marked letters lie in Latin-1 and Latin Extended-A and -B and
    // Additional: outside them nothing folds.
    if !matches!(c, 'À'..='ʯ' | 'Ḁ'..='ỿ') {
        return c;
    }
    FOLDS
        .iter()
        .find(|(_, marked)| marked.contains(c))
        .map_or(c, |(base, _)| *base)
}

/// A combining diacritical mark, as in decomposed (NFD) Vietnamese.
pub(super) fn is_mark(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

// ---------------------------------------------------------------------------
// Words as written
// ---------------------------------------------------------------------------

/// A word of the text, with its folded form and what separates it from the
/// previous word.
pub(super) struct Word<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
    pub lower: String,
    pub folded: String,
    /// Something other than whitespace separates it from the previous word.
    pub after_punct: bool,
    /// Sentence number; sentences end at `.`, `!`, `?`, `;`, `…` and new lines.
    pub sentence: usize,
    /// Clause number: clauses also end at `,`, `:`, brackets and quotes.
    pub clause: usize,
}

impl Word<'_> {
    pub fn capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }

    pub fn is(&self, folded: &[&str]) -> bool {
        folded.contains(&self.folded.as_str())
    }

    /// Typed with precomposed diacritics, so its spelling can be compared.
    pub fn marked(&self) -> bool {
        self.lower != self.folded && !self.lower.chars().any(is_mark)
    }
}

/// How [`words`] cuts.
#[derive(Clone, Copy)]
pub(super) struct Cut {
    /// Keep `/` inside words, for house numbers such as `123/4`.
    pub slash: bool,
    /// Keep an apostrophe between letters (`don't`), dropped from `lower`
    /// and `folded`.
    pub apostrophe: bool,
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ';' | '…' | '\n' | '。' | '！' | '？')
}

fn is_clause_end(c: char) -> bool {
    matches!(
        c,
        ',' | ':' | '(' | ')' | '"' | '“' | '”' | '\'' | '‘' | '’' | '«' | '»' | '[' | ']' | '–' | '—'
    )
}

/// `char::is_alphanumeric`, answered without the Unicode tables for the
/// letters Vietnamese is written with.
fn is_word_char(c: char) -> bool {
    match c {
        '0'..='9' | 'a'..='z' | 'A'..='Z' => true,
        '\0'..='\x7f' | '×' | '÷' => false,
        'À'..='ɏ' | 'Ạ'..='ỹ' => true,
        _ => c.is_alphanumeric(),
    }
}

/// `char::is_alphabetic`, likewise.
fn is_letter(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' => true,
        '\0'..='\x7f' | '×' | '÷' => false,
        'À'..='ɏ' | 'Ạ'..='ỹ' => true,
        _ => c.is_alphabetic(),
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// Cuts `text` into words: runs of letters, digits and combining marks. A
/// dot ends a sentence only when no letter or digit follows it at once, so
/// `091.234` and `đ.á.n.h` stay in one sentence.
pub(super) fn words(text: &str, cut: Cut) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    let mut punct = false;
    let (mut sentence, mut clause) = (0, 0);
    let word = |start: usize, end: usize, after_punct: bool, sentence: usize, clause: usize| {
        let word = text.get(start..end).unwrap_or_default();
        let lower: String = if word.is_ascii() {
            word.bytes()
                .filter(|b| *b != b'\'')
                .map(|b| char::from(b.to_ascii_lowercase()))
                .collect()
        } else {
            word.chars()
                .filter(|c| !is_apostrophe(*c))
                .flat_map(char::to_lowercase)
                .collect()
        };
        Word {
            text: word,
            start,
            end,
            folded: fold(&lower),
            lower,
            after_punct,
            sentence,
            clause,
        }
    };
    let mut chars = text.char_indices().peekable();
    let mut prev_letter = false;
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let inner = (cut.slash && c == '/')
            || (cut.apostrophe && is_apostrophe(c) && prev_letter && next.is_some_and(char::is_alphabetic));
        if is_word_char(c) || is_mark(c) || (inner && start.is_some()) {
            if start.is_none() {
                start = Some(i);
            }
            prev_letter = is_letter(c) || is_mark(c);
            continue;
        }
        prev_letter = false;
        if let Some(s) = start.take() {
            out.push(word(s, i, punct, sentence, clause));
            punct = false;
        }
        if !c.is_whitespace() {
            punct = true;
        }
        let dot_inside = c == '.' && next.is_some_and(char::is_alphanumeric);
        if is_sentence_end(c) && !dot_inside {
            sentence += 1;
            clause += 1;
        } else if is_clause_end(c) {
            clause += 1;
        }
    }
    if let Some(s) = start {
        out.push(word(s, text.len(), punct, sentence, clause));
    }
    out
}

// ---------------------------------------------------------------------------
// Words as read
// ---------------------------------------------------------------------------

/// A word as the disclosure rules read it. Teencode that stands for several
/// words (`bj` → `bây giờ`) gives several, all pointing at the same source.
#[derive(Debug, Clone)]
pub(super) struct Norm {
    /// Folded, with repeated letters squeezed.
    pub folded: String,
    /// The spelling with diacritics, squeezed, when it is known: typed with
    /// precomposed marks, or the expansion of teencode.
    pub marked: Option<String>,
    /// Other folded readings (`mun` may be `muốn`, `jet` may be `giết`).
    pub alts: Vec<String>,
    /// Byte range of the source word(s) in the text.
    pub start: usize,
    pub end: usize,
    pub sentence: usize,
    pub clause: usize,
    /// The sentence reads as Vietnamese rather than English.
    pub vietnamese: bool,
    /// The writer typed diacritics in this sentence (at least three words
    /// and half of them), so a word without marks is spelt as meant: `du`
    /// (du lịch) is not `dụ`.
    pub spelt: bool,
}

impl Norm {
    /// Any reading of the word is one of these folded forms.
    pub fn is(&self, folded: &[&str]) -> bool {
        folded.contains(&self.folded.as_str()) || self.alts.iter().any(|a| folded.contains(&a.as_str()))
    }
}

/// Runs of the same letter are cut to `keep` letters: `đauuuu` → `đau`
/// (Vietnamese, `keep` 1: it never doubles a letter), `killlll` → `kill`
/// (English and the rule lists, `keep` 2).
pub(super) fn squeeze(s: &str, keep: usize) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = None;
    let mut run = 0;
    for c in s.chars() {
        if Some(c) == last && c.is_alphabetic() {
            run += 1;
            if run >= keep {
                continue;
            }
        } else {
            run = 0;
        }
        out.push(c);
        last = Some(c);
    }
    out
}

/// How a teencode entry reads.
#[derive(Clone)]
struct Reading {
    /// Replace the word (`true`) or add a reading beside it.
    replace: bool,
    /// Only in a sentence read as Vietnamese.
    vietnamese_only: bool,
    /// The words it stands for: folded and with their marks.
    words: Vec<(String, String)>,
}

/// Teencode, abbreviations and common respellings; see the file's header.
static TEENCODE: LazyLock<Map<String, Reading>> = LazyLock::new(|| {
    let mut map = Map::default();
    for line in include_str!("teencode.txt").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let (Some(key), Some(mode)) = (fields.next(), fields.next()) else {
            continue;
        };
        let words: Vec<(String, String)> = fields
            .map(|w| {
                let lower = squeeze(&w.to_lowercase(), 2);
                (fold(&lower), lower)
            })
            .collect();
        let reading = Reading {
            replace: mode.starts_with('='),
            vietnamese_only: mode.ends_with("vi"),
            words,
        };
        for key in key.split(',') {
            map.insert(squeeze(&key.to_lowercase(), 2), reading.clone());
        }
    }
    map
});

/// Common Vietnamese words (folded) and teencode, to tell a Vietnamese
/// sentence typed without diacritics from an English one.
const VIETNAMESE: &[&str] = &[
    "em", "bi", "khong", "ko", "hok", "k", "cua", "va", "la", "nha", "toi", "minh", "mk", "mik", "danh", "voi", "vs",
    "cho", "duoc", "dc", "hay", "roi", "r", "nhung", "ve", "di", "lam", "ay", "nay", "thi", "ma", "rat", "nguoi",
    "truong", "hoc", "muon", "mun", "chet", "bo", "ba", "cha", "con", "chau", "tui", "tao", "may", "ban", "anh", "chi",
    "co", "thay", "j", "gi", "e", "bj", "ns", "noi", "ntn", "cx", "cung", "ms", "moi", "nhieu", "lam", "qua", "wa",
    "lun", "luon", "nua", "thuong", "xong", "sao", "vay", "z", "nhu", "the", "khi", "luc", "o", "hom", "qua", "dem",
    "toi", "sang", "chieu", "ngay", "dau", "buon", "vui", "ghet", "thich", "biet", "bit", "phai", "fai", "duoi",
    "tren", "trong", "ngoai", "viec", "tien", "an", "uong", "ngu", "choi", "game", "mang", "nhan", "tin", "gui", "anh",
    "hinh", "dung", "ai", "dau", "bao", "gio", "hien", "nhe", "nha", "a", "ah", "ak", "oi", "hix", "huhu", "thoi",
    "thui", "mot", "hai", "nam", "sau", "bay", "tam", "chin", "muoi", "tuoi", "lop",
];

/// Common English words, for the same purpose.
const ENGLISH: &[&str] = &[
    "i", "im", "me", "my", "you", "your", "he", "she", "it", "we", "they", "him", "her", "the", "is", "are", "was",
    "were", "to", "and", "of", "in", "on", "at", "for", "with", "not", "dont", "doesnt", "didnt", "cant", "want",
    "wanna", "have", "has", "had", "do", "does", "did", "be", "been", "this", "that", "what", "when", "why", "how",
    "if", "so", "but", "because", "always", "never", "every", "someone", "somebody", "nobody", "anyone", "said",
    "says", "tell", "told", "hit", "hits", "kill", "die", "school", "home", "mom", "dad", "a", "an", "am", "all",
    "just", "like", "feel", "about", "out", "up", "will", "would", "can", "could", "who",
];

/// Words that open a new clause, spelt with their marks: the scope of a
/// negation ends before them.
const CONJUNCTIONS: &[&str] = &[
    "nhưng", "mà", "thì", "vì", "nên", "nếu", "khi", "lúc", "rồi", "hoặc", "but", "because", "so", "when", "then",
    "and", "or",
];

/// [`CONJUNCTIONS`] folded, once.
static CONJUNCTIONS_FOLDED: LazyLock<Vec<String>> = LazyLock::new(|| CONJUNCTIONS.iter().map(|c| fold(c)).collect());

fn is_conjunction(lower: &str, folded: &str, marked: bool) -> bool {
    if marked {
        CONJUNCTIONS.contains(&lower)
    } else {
        CONJUNCTIONS_FOLDED.iter().any(|c| c == folded)
    }
}

/// Reads `text` as the disclosure rules see it; see the module
/// documentation. `vocabulary` says whether a folded word occurs in a rule,
/// for rejoining spaced-out letters.
pub(super) fn normalise(text: &str, vocabulary: &dyn Fn(&str) -> bool) -> Vec<Norm> {
    let ws = words(
        text,
        Cut {
            slash: false,
            apostrophe: true,
        },
    );
    let vietnamese = sentence_languages(&ws);
    let spelt = spelt_sentences(&ws);
    let mut out: Vec<Norm> = Vec::with_capacity(ws.len());
    let mut clause_shift = 0;
    let mut i = 0;
    while i < ws.len() {
        let w = &ws[i];
        let vi = vietnamese.get(w.sentence).copied().unwrap_or(true);
        if let Some((end, parts)) = spaced_letters(text, &ws, i, vocabulary) {
            for part in parts {
                out.push(Norm {
                    folded: part,
                    marked: None,
                    alts: Vec::new(),
                    start: w.start,
                    end: ws[end - 1].end,
                    sentence: w.sentence,
                    clause: w.clause + clause_shift,
                    vietnamese: vi,
                    spelt: false,
                });
            }
            i = end;
            continue;
        }
        let keep = if vi { 1 } else { 2 };
        let lower = squeeze(&w.lower, keep);
        let folded = squeeze(&w.folded, keep);
        // `bị bully`: an English word in a Vietnamese sentence keeps its
        // double letters as a second reading.
        let english = Some(squeeze(&w.folded, 2)).filter(|e| *e != folded);
        let reading = TEENCODE.get(&lower).filter(|r| vi || !r.vietnamese_only);
        let first = reading.filter(|r| r.replace).and_then(|r| r.words.first());
        let conjunction = match first {
            Some((f, m)) => is_conjunction(m, f, true),
            None => is_conjunction(&lower, &folded, w.marked()),
        };
        if conjunction && out.last().is_some_and(|p| p.sentence == w.sentence) {
            clause_shift += 1;
        }
        let base = Norm {
            marked: w.marked().then(|| lower.clone()),
            folded: folded.clone(),
            alts: english.into_iter().collect(),
            start: w.start,
            end: w.end,
            sentence: w.sentence,
            clause: w.clause + clause_shift,
            vietnamese: vi,
            spelt: spelt.get(w.sentence).copied().unwrap_or(false),
        };
        match reading {
            Some(r) if r.replace => {
                for (f, m) in &r.words {
                    out.push(Norm {
                        folded: f.clone(),
                        marked: Some(m.clone()),
                        ..base.clone()
                    });
                }
            }
            Some(r) => {
                let mut n = base;
                n.alts.extend(r.words.first().map(|(f, _)| f.clone()));
                out.push(n);
            }
            None => {
                let mut n = base;
                if vi && n.marked.is_none() {
                    n.alts.extend(letter_swaps(&folded));
                }
                out.push(n);
            }
        }
        i += 1;
    }
    out
}

/// Whether each sentence reads as Vietnamese: it has words with diacritics
/// or common Vietnamese words at least as often as common English words. A
/// sentence with neither counts as Vietnamese.
fn sentence_languages(ws: &[Word<'_>]) -> Vec<bool> {
    let count = ws.last().map_or(0, |w| w.sentence + 1);
    let mut score = vec![(0usize, 0usize); count];
    for w in ws {
        let s = &mut score[w.sentence];
        if w.lower != w.folded {
            s.0 += 2;
        } else if w.is(VIETNAMESE) {
            s.0 += 1;
        }
        if w.is(ENGLISH) {
            s.1 += 1;
        }
    }
    score.into_iter().map(|(vi, en)| vi >= en).collect()
}

/// Whether each sentence was typed with diacritics: at least three words
/// with marks, and at least half of its words.
fn spelt_sentences(ws: &[Word<'_>]) -> Vec<bool> {
    let count = ws.last().map_or(0, |w| w.sentence + 1);
    let mut tally = vec![(0usize, 0usize); count];
    for w in ws.iter().filter(|w| w.text.chars().any(char::is_alphabetic)) {
        let t = &mut tally[w.sentence];
        t.0 += usize::from(w.marked());
        t.1 += 1;
    }
    tally
        .into_iter()
        .map(|(marked, all)| marked >= 3 && 2 * marked >= all)
        .collect()
}

/// Readings of a folded word typed with letters Vietnamese does not use:
/// `f` for `ph`, `j` for `gi`, `z` (and `dz`) for `d`, `v` or `gi`, `w` for
/// `qu`, and `k` before `a`, `o`, `u` for `c`.
fn letter_swaps(folded: &str) -> Vec<String> {
    let mut alts = Vec::new();
    if folded.len() < 2 || !folded.bytes().all(|b| b.is_ascii_lowercase()) {
        return alts;
    }
    if folded.contains('f') {
        alts.push(folded.replace('f', "ph"));
    }
    if let Some(rest) = folded.strip_prefix('j') {
        alts.push(format!("gi{rest}"));
    }
    if let Some(rest) = folded.strip_prefix("dz").or_else(|| folded.strip_prefix('z')) {
        for head in ["d", "v", "gi"] {
            alts.push(format!("{head}{rest}"));
        }
    }
    if let Some(rest) = folded.strip_prefix('w') {
        alts.push(format!("qu{rest}"));
    }
    if let Some(rest) = folded.strip_prefix('k')
        && rest.starts_with(['a', 'o', 'u'])
    {
        alts.push(format!("c{rest}"));
    }
    alts
}

/// A run of at least three one-letter words from word `i`, separated by a
/// space, dot, dash, underscore or star (`đ á n h`, `c.h.ế.t`), whose letters
/// read as words of the rules: the end of the run and those words.
fn spaced_letters(
    text: &str,
    ws: &[Word<'_>],
    i: usize,
    vocabulary: &dyn Fn(&str) -> bool,
) -> Option<(usize, Vec<String>)> {
    let single = |w: &Word<'_>| w.folded.chars().count() == 1 && w.folded.chars().all(char::is_alphabetic);
    if !single(&ws[i]) {
        return None;
    }
    let mut end = i + 1;
    while end < ws.len() && end - i < 30 && single(&ws[end]) {
        let gap = text.get(ws[end - 1].end..ws[end].start).unwrap_or("x");
        if gap.is_empty() || gap.chars().count() > 2 || !gap.chars().all(|c| " .-_*".contains(c)) {
            break;
        }
        end += 1;
    }
    // The part of the run, from its start, that splits into words of the
    // rules with the longest first word: `đ á n h e` is `đánh` and `e`, not
    // `đá nhẹ`.
    (i + 3..=end)
        .filter_map(|end| {
            let joined: String = squeeze(&ws[i..end].iter().map(|w| w.folded.as_str()).collect::<String>(), 1);
            segment(&joined, vocabulary).map(|parts| (end, parts))
        })
        .max_by_key(|(end, parts)| (parts.first().map_or(0, String::len), *end))
}

/// Splits `s` into words of at least two letters for which `vocabulary`
/// holds, taking the longest first word that leaves a splittable rest;
/// quadratic in `s`, which is at most 30 letters.
fn segment(s: &str, vocabulary: &dyn Fn(&str) -> bool) -> Option<Vec<String>> {
    let n = s.len();
    if !s.is_ascii() || n < 2 {
        return None;
    }
    // rest[k]: s[k..] splits into words.
    let mut rest = vec![false; n + 1];
    rest[n] = true;
    for k in (0..n).rev() {
        rest[k] = (k + 2..=n).any(|e| rest[e] && vocabulary(&s[k..e]));
    }
    if !rest[0] {
        return None;
    }
    let mut parts = Vec::new();
    let mut k = 0;
    while k < n {
        let e = (k + 2..=n).rev().find(|&e| rest[e] && vocabulary(&s[k..e]))?;
        parts.push(s[k..e].to_owned());
        k = e;
    }
    Some(parts)
}
