//! The disclosure rules: which phrases of a child's text suggest that a
//! child is being harmed, and whether the text says so clearly or possibly.
//! The phrases are data (`rules.txt`, `exceptions.txt`); what their kinds
//! mean is in the header of `rules.txt`.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::normalise::{self, Norm, fold, squeeze};
use super::table::{Map, Set};
use super::{Concern, ConcernCategory, Outcome, Severity};
use ConcernCategory::{Bullying, Neglect, OnlineExploitation, SelfHarm, SexualAbuse, Trafficking, Violence};

/// A person at most this far from a `near` phrase anchors it.
const WINDOW: usize = 10;
/// Cues of a combination at most this far apart make a disclosure.
const CUE_WINDOW: usize = 20;
/// A household adult at most this far from violence makes it urgent.
const ADULT_WINDOW: usize = 10;

/// Who a person word names, weakest first: a disclosure about the writer or
/// their family is clear; about someone else, possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Person {
    Other,
    Household,
    Writer,
}

// ---------------------------------------------------------------------------
// Phrases
// ---------------------------------------------------------------------------

/// One word of a phrase: its folded form, and its spelling when strict.
struct WordPat {
    folded: String,
    spelling: Option<String>,
}

impl WordPat {
    fn new(piece: &str) -> WordPat {
        let (strict, piece) = match piece.strip_prefix('=') {
            Some(p) => (true, p),
            None => (false, piece),
        };
        let lower = squeeze(&piece.to_lowercase().replace(['\'', '’'], ""), 2);
        WordPat {
            folded: fold(&lower),
            spelling: strict.then_some(lower),
        }
    }

    /// Any reading of the word; a strict word typed with diacritics must
    /// have this spelling.
    fn matches(&self, n: &Norm) -> bool {
        if n.folded == self.folded {
            return match (&self.spelling, &n.marked) {
                (Some(s), Some(m)) => s == m,
                // In a sentence typed with diacritics, a word without is
                // spelt as meant.
                (Some(s), None) if n.spelt => *s == n.folded,
                _ => true,
            };
        }
        n.alts.contains(&self.folded)
    }
}

fn any(list: &[WordPat], n: &Norm) -> bool {
    list.iter().any(|p| p.matches(n))
}

enum Elem {
    Word(WordPat),
    /// `{a}`: a person word.
    Person,
    /// `{o}`: the object of an act.
    Object,
    /// `{p}`: a household adult.
    Adult,
    /// `{gN}`: up to N words.
    Gap(usize),
    /// `{end}`: the end of a clause.
    End,
}

fn compile(phrase: &str) -> Option<Vec<Elem>> {
    let mut elems = Vec::new();
    for piece in phrase.split_whitespace() {
        elems.push(match piece {
            "{a}" => Elem::Person,
            "{o}" => Elem::Object,
            "{p}" => Elem::Adult,
            "{end}" => Elem::End,
            _ => match piece.strip_prefix("{g").and_then(|p| p.strip_suffix('}')) {
                Some(n) => Elem::Gap(n.parse().ok()?),
                None if piece.starts_with('{') => return None,
                None => Elem::Word(WordPat::new(piece)),
            },
        });
    }
    (!elems.is_empty()).then_some(elems)
}

/// Compiled phrases, indexed by the folded form of their first word so that
/// each word of a text is tried only against the phrases it can start.
#[derive(Default)]
struct Phrases {
    phrases: Vec<Vec<Elem>>,
    by_first: Map<String, Vec<usize>>,
    /// Phrases that do not start with a word, tried at every word.
    others: Vec<usize>,
}

impl Phrases {
    fn push(&mut self, elems: Vec<Elem>) -> usize {
        let index = self.phrases.len();
        match elems.first() {
            Some(Elem::Word(first)) => self.by_first.entry(first.folded.clone()).or_default().push(index),
            _ => self.others.push(index),
        }
        self.phrases.push(elems);
        index
    }

    fn words(&self) -> impl Iterator<Item = &str> {
        self.phrases.iter().flatten().filter_map(|e| match e {
            Elem::Word(p) => Some(p.folded.as_str()),
            _ => None,
        })
    }
}

// ---------------------------------------------------------------------------
// The lists
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Say,
    Near,
    /// A cue of a group; `alone`: a possible disclosure by itself.
    Cue {
        group: usize,
        alone: bool,
    },
}

struct Rule {
    categories: Vec<ConcernCategory>,
    kind: Kind,
    /// At most a possible disclosure.
    cap: bool,
}

struct Combo {
    category: ConcernCategory,
    outcome: Outcome,
    groups: Vec<usize>,
}

#[derive(Default)]
struct Exceptions {
    idiom: Phrases,
    soften: Phrases,
    topic: Phrases,
    report: Phrases,
    hedge: Phrases,
    advice: Phrases,
    fear: Phrases,
    game: Phrases,
    exam: Phrases,
    resolved: Phrases,
    speech: Phrases,
}

struct Lists {
    rules: Vec<Rule>,
    phrases: Phrases,
    combos: Vec<Combo>,
    exceptions: Exceptions,
    writer: Vec<WordPat>,
    household: Vec<WordPat>,
    other: Vec<WordPat>,
    adults: Vec<WordPat>,
    negators: Vec<WordPat>,
    vocabulary: Set<String>,
    /// Lines of the data files that could not be read; a test keeps it empty.
    #[cfg_attr(not(test), allow(dead_code))]
    unread: Vec<String>,
}

/// The writer: `em`, `mình`, `tôi`, `tớ`, `con`, `cháu`, `I`, `me`.
const WRITER: &[&str] = &[
    "em", "=mình", "=tôi", "=tớ", "=tui", "=tao", "=con", "=cháu", "=tau", "i", "us", "we",
];
/// The writer's parents and grandparents, in either language: household
/// and adults both.
const PARENTS: &[&str] = &[
    "=u",
    "=bố",
    "=ba",
    "=cha",
    "=mẹ",
    "=má",
    "=dượng",
    "=ông",
    "=bà",
    "mom",
    "mum",
    "mommy",
    "mother",
    "dad",
    "daddy",
    "father",
    "parents",
    "stepmom",
    "stepmother",
    "stepdad",
    "stepfather",
    "grandma",
    "grandmother",
    "grandpa",
    "grandfather",
];
/// The rest of the writer's household: brothers and sisters.
const SIBLINGS: &[&str] = &["family", "brother", "sister"];
/// Other people a child writes about.
const OTHER: &[&str] = &[
    "=bạn",
    "=nó",
    "=anh",
    "=chị",
    "=chú",
    "=bác",
    "=cô",
    "=thầy",
    "=dì",
    "=cậu",
    "=thằng",
    "=mày",
    "=họ",
    "=bé",
    "=nhỏ",
    "=ổng",
    "=bả",
    "him",
    "her",
    "he",
    "she",
    "they",
    "them",
    "friend",
    "friends",
    "cousin",
    "classmate",
    "classmates",
];
/// Person words that, typed without diacritics, are more often something
/// else (`co` is usually `có`, `thay` is `thấy`, `di` is `đi`).
const MARKED_ONLY: &[&str] = &[
    "co", "thay", "di", "ho", "thang", "chi", "cau", "be", "nho", "tau", "ong", "ba",
];
/// Household adults besides parents: violence with one of them nearby is
/// urgent. Not `cô`, which in a child's text is far more often a teacher
/// than an aunt.
const RELATIVES: &[&str] = &["=chú", "=bác", "=dì", "=cậu", "=thím", "=mợ", "uncle", "aunt"];
const NEGATORS: &[&str] = &[
    "không", "=chưa", "=chẳng", "=chả", "never", "not", "nobody", "dont", "doesnt", "didnt", "wont", "isnt", "wasnt",
    "arent", "havent", "hasnt", "cant", "cannot", "hardly", "noone",
];
/// May stand between a negation and what it negates: `không bao giờ bị`.
const NEGATION_FILLERS: &[&str] = &[
    "ai", "bao", "gio", "he", "tung", "co", "con", "bi", "hay", "duoc", "the", "nen", "can", "may", "khi", "ever",
    "really", "even", "been", "being", "get", "got", "one", "anyone", "body", "actually", "do", "does", "did", "ai",
    "lai", "phai",
];
/// May stand between a fear word and what is feared: `sợ bị`, `afraid of being`.
const FEAR_FILLERS: &[&str] = &[
    "bi", "se", "la", "rang", "lo", "of", "being", "getting", "to", "be", "will", "get", "that", "minh", "em",
];
/// May stand between a verb and its object: `đánh cả em`, `đá vào bụng của em`.
const FILLERS: &[&str] = &["ca", "lai", "luon", "vao", "vo", "len", "trung", "chet", "toi", "suot"];
const BODY: &[&str] = &[
    "nguoi", "mat", "dau", "bung", "lung", "tay", "chan", "ma", "nguc", "mong", "dui", "co", "vung", "kin", "quan",
    "ao", "tai", "mieng", "toc", "dit", "face", "head", "body", "arm", "leg", "back",
];
/// `con` before these is an animal or a thing, not the writer.
const NOT_CON: &[&str] = &[
    "nguoi", "cai", "vat", "cho", "meo", "ga", "vit", "lon", "heo", "bo", "trau", "ca", "chim", "chuot", "ran", "muoi",
    "kien", "ong", "khi", "ngua", "de", "cuu", "tho", "gau", "ho", "voi", "sau", "gian", "duong", "so", "dao",
];

static LISTS: LazyLock<Lists> = LazyLock::new(load);

fn load() -> Lists {
    let mut unread = Vec::new();
    let mut rules = Vec::new();
    let mut phrases = Phrases::default();
    let mut combos = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let mut group_of = |name: &str| match groups.iter().position(|g| g == name) {
        Some(i) => i,
        None => {
            groups.push(name.to_owned());
            groups.len() - 1
        }
    };
    for line in include_str!("rules.txt").lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields[0] == "combo" {
            let combo =
                match fields[..] {
                    [_, category, outcome, groups] => ConcernCategory::parse(category)
                        .zip(Outcome::parse(outcome))
                        .map(|(category, outcome)| Combo {
                            category,
                            outcome,
                            groups: groups.split('+').map(&mut group_of).collect(),
                        }),
                    _ => None,
                };
            match combo {
                Some(c) => combos.push(c),
                None => unread.push(line.to_owned()),
            }
            continue;
        }
        let categories: Option<Vec<ConcernCategory>> = fields[0].split(',').map(ConcernCategory::parse).collect();
        let kind = fields.get(1).and_then(|k| match *k {
            "say" => Some((Kind::Say, false)),
            "say?" => Some((Kind::Say, true)),
            "near" => Some((Kind::Near, false)),
            "near?" => Some((Kind::Near, true)),
            _ => {
                let (alone, name) = match k.strip_prefix("cue?:") {
                    Some(name) => (true, name),
                    None => (false, k.strip_prefix("cue:")?),
                };
                Some((
                    Kind::Cue {
                        group: group_of(name),
                        alone,
                    },
                    false,
                ))
            }
        });
        let elems = compile(&fields.get(2..).unwrap_or_default().join(" "));
        match (categories, kind, elems) {
            (Some(categories), Some((kind, cap)), Some(elems)) if !categories.is_empty() => {
                phrases.push(elems);
                rules.push(Rule { categories, kind, cap });
            }
            _ => unread.push(line.to_owned()),
        }
    }
    // A combination naming a group that no cue has can never fire.
    let cue_groups: HashSet<(ConcernCategory, usize)> = rules
        .iter()
        .filter_map(|r| match r.kind {
            Kind::Cue { group, .. } => Some(r.categories.iter().map(move |c| (*c, group))),
            _ => None,
        })
        .flatten()
        .collect();
    for c in &combos {
        if c.groups.iter().any(|g| !cue_groups.contains(&(c.category, *g))) {
            unread.push(format!("combo {} with a group no cue has", c.category.as_str()));
        }
    }

    let mut exceptions = Exceptions::default();
    let mut section: Option<&mut Phrases> = None;
    for line in include_str!("exceptions.txt").lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let e = &mut exceptions;
            section = match name {
                "idiom" => Some(&mut e.idiom),
                "soften" => Some(&mut e.soften),
                "topic" => Some(&mut e.topic),
                "report" => Some(&mut e.report),
                "hedge" => Some(&mut e.hedge),
                "advice" => Some(&mut e.advice),
                "fear" => Some(&mut e.fear),
                "game" => Some(&mut e.game),
                "exam" => Some(&mut e.exam),
                "resolved" => Some(&mut e.resolved),
                "speech" => Some(&mut e.speech),
                _ => {
                    unread.push(line.to_owned());
                    None
                }
            };
            continue;
        }
        match (section.as_deref_mut(), compile(line)) {
            (Some(s), Some(elems)) => {
                s.push(elems);
            }
            _ => unread.push(line.to_owned()),
        }
    }

    let words = |lists: &[&[&str]]| lists.concat().iter().map(|w| WordPat::new(w)).collect::<Vec<_>>();
    let (writer, household, other) = (words(&[WRITER]), words(&[PARENTS, SIBLINGS]), words(&[OTHER]));
    let vocabulary = phrases
        .words()
        .map(str::to_owned)
        .chain(writer.iter().chain(&household).chain(&other).map(|p| p.folded.clone()))
        .filter(|w| w.len() >= 2)
        .collect();
    Lists {
        rules,
        phrases,
        combos,
        exceptions,
        writer,
        household,
        other,
        adults: words(&[PARENTS, RELATIVES]),
        negators: words(&[NEGATORS]),
        vocabulary,
        unread,
    }
}

/// Lines of the rule files that could not be read (for a test).
#[cfg(test)]
pub(super) fn unread_lines() -> Vec<String> {
    LISTS.unread.clone()
}

// ---------------------------------------------------------------------------
// A text as the rules see it
// ---------------------------------------------------------------------------

struct Text<'a> {
    ns: &'a [Norm],
    /// Whom each word names, if a person.
    person: Vec<Option<Person>>,
    /// A household adult.
    adult: Vec<bool>,
}

fn is_folded(n: &Norm, list: &[&str]) -> bool {
    n.is(list)
}

/// Whom each word names: see [`Person`]. `em` after a person word is a
/// possessive (`bạn em`, my friend) and names no one by itself; `em gái` is a
/// sister; `trẻ em`, `các em` and `một mình` name no one.
fn persons(ns: &[Norm], lists: &Lists) -> Vec<Option<Person>> {
    let mut out: Vec<Option<Person>> = Vec::with_capacity(ns.len());
    for (i, n) in ns.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| &ns[p]).filter(|p| p.sentence == n.sentence);
        let next = ns.get(i + 1).filter(|x| x.sentence == n.sentence);
        let prev_person = i > 0 && prev.is_some() && out[i - 1].is_some();
        // `ma` typed without marks is `má` (mother) only before the writer
        // (`ma em`) or after `ba`, `bố`; otherwise `mà` (but) or `ma` (ghost).
        let bare_ma = n.folded == "ma"
            && n.marked.is_none()
            && !(next.is_some_and(|x| x.is(&["em", "minh", "con", "tui", "toi"]))
                || prev.is_some_and(|p| p.is(&["ba", "bo"])));
        let class = if bare_ma {
            None
        } else if n.folded == "me" || n.alts.iter().any(|a| a == "me") {
            // `me` is `mẹ` in a Vietnamese sentence.
            Some(if n.vietnamese {
                Person::Household
            } else {
                Person::Writer
            })
        } else if any(&lists.writer, n) {
            match n.folded.as_str() {
                // Unmarked `to` is `tớ` only in a Vietnamese sentence.
                "to" if !n.vietnamese => None,
                "em" | "con" | "minh" | "toi" | "to" | "chau" => {
                    let generic = prev.is_some_and(|p| is_folded(p, &["tre", "cac", "nhung", "mot", "moi"]));
                    let thing = n.folded == "con" && next.is_some_and(|x| is_folded(x, NOT_CON));
                    let sibling =
                        n.folded == "em" && next.is_some_and(|x| is_folded(x, &["gai", "trai", "be", "ut", "ho"]));
                    if generic || thing {
                        None
                    } else if sibling {
                        Some(Person::Household)
                    } else if prev_person {
                        None
                    } else {
                        Some(Person::Writer)
                    }
                }
                "i" | "we" | "us" if n.vietnamese => None,
                _ => Some(Person::Writer),
            }
        } else if any(&lists.household, n) {
            if (n.folded == "ba" || n.folded == "u") && !n.vietnamese {
                None
            } else {
                Some(Person::Household)
            }
        } else if any(&lists.other, n) {
            let unmarked_only = n.marked.is_none() && is_folded(n, MARKED_ONLY);
            let confirmed = next.is_some_and(|x| is_folded(x, &["ay", "giao", "ta", "kia"]));
            // `anh trai`, `chị gái`; `chị em`, `anh mình`: the writer's own.
            let sibling = next.is_some_and(|x| is_folded(x, &["trai", "gai"]))
                || (n.is(&["anh", "chi"])
                    && next.is_some_and(|x| is_folded(x, &["em", "minh", "toi", "to", "tui", "hai", "ca"])));
            if unmarked_only && !confirmed {
                None
            } else if sibling {
                Some(Person::Household)
            } else {
                Some(Person::Other)
            }
        } else {
            None
        };
        out.push(class);
    }
    out
}

impl Text<'_> {
    fn same_sentence(&self, a: usize, b: usize) -> bool {
        match (self.ns.get(a), self.ns.get(b)) {
            (Some(x), Some(y)) => x.sentence == y.sentence,
            _ => false,
        }
    }

    /// Where a phrase starting at word `pos` ends, if it matches there, and
    /// the person its `{a}` or `{o}` named.
    fn match_at(
        &self,
        elems: &[Elem],
        pos: usize,
        sentence: usize,
        who: Option<Person>,
    ) -> Option<(usize, Option<Person>)> {
        let Some((first, rest)) = elems.split_first() else {
            return Some((pos, who));
        };
        let here = self.ns.get(pos).filter(|w| w.sentence == sentence);
        match first {
            Elem::Word(p) => here
                .filter(|w| p.matches(w))
                .and_then(|_| self.match_at(rest, pos + 1, sentence, who)),
            Elem::Person => {
                // `tụi em`, `bọn mình`: a plural marker before the person.
                let pos = if here.is_some_and(is_plural) && self.ns.get(pos + 1).is_some_and(|w| w.sentence == sentence)
                {
                    pos + 1
                } else {
                    pos
                };
                let class = self
                    .ns
                    .get(pos)
                    .filter(|w| w.sentence == sentence)
                    .and_then(|_| self.person[pos])?;
                self.match_at(rest, pos + 1, sentence, who.or(Some(class)))
            }
            Elem::Adult => here
                .filter(|_| self.adult[pos])
                .and_then(|_| self.match_at(rest, pos + 1, sentence, who)),
            Elem::Object => self
                .object_ends(pos, sentence)
                .into_iter()
                .find_map(|(end, class)| self.match_at(rest, end, sentence, who.or(Some(class)))),
            // A gap stays within its clause: `bị điểm kém, bố la` is not `bị … la`.
            Elem::Gap(n) => {
                let clause = self.ns.get(pos.saturating_sub(1)).map(|w| w.clause);
                let in_clause = |k: usize| {
                    self.ns
                        .get(k)
                        .is_some_and(|w| w.sentence == sentence && Some(w.clause) == clause)
                };
                (0..=*n)
                    .take_while(|k| {
                        *k == 0 || (in_clause(pos + k - 1) && (pos + k >= self.ns.len() || in_clause(pos + k)))
                    })
                    .find_map(|k| self.match_at(rest, pos + k, sentence, who))
            }
            Elem::End => {
                let ends = pos > 0
                    && self
                        .ns
                        .get(pos)
                        .is_none_or(|w| self.ns.get(pos - 1).is_some_and(|p| p.clause != w.clause));
                if ends {
                    self.match_at(rest, pos, sentence, who)
                } else {
                    None
                }
            }
        }
    }

    /// Ends of `{o}` from word `pos`: `[cả|lại|…]* body* [của] [các|my] person`.
    fn object_ends(&self, pos: usize, sentence: usize) -> Vec<(usize, Person)> {
        // The object stays in the clause of the verb: `đội em đá, em cổ vũ`.
        let clause = self.ns.get(pos.saturating_sub(1)).map(|w| w.clause);
        let fits = |k: usize, list: &[&str]| {
            self.ns
                .get(k)
                .is_some_and(|w| w.sentence == sentence && Some(w.clause) == clause && w.is(list))
        };
        let mut p = pos;
        while p < pos + 2 && fits(p, FILLERS) {
            p += 1;
        }
        let mut ends = Vec::new();
        for body in 0..=3 {
            if body > 0 && !fits(p + body - 1, BODY) {
                break;
            }
            let mut q = p + body;
            if fits(q, &["cua"]) {
                q += 1;
            }
            if fits(q, &["cac", "may", "nhung", "my", "our"]) || self.ns.get(q).is_some_and(is_plural) {
                q += 1;
            }
            if let Some(class) = self
                .ns
                .get(q)
                .filter(|w| w.sentence == sentence && Some(w.clause) == clause)
                .and_then(|_| self.person[q])
            {
                ends.push((q + 1, class));
            }
        }
        ends
    }

    /// Matches of each phrase, as `(index, start, end, person)`.
    fn occurrences(&self, set: &Phrases) -> Vec<(usize, usize, usize, Option<Person>)> {
        let mut out = Vec::new();
        for (start, w) in self.ns.iter().enumerate() {
            let from = out.len();
            let firsts = std::iter::once(&w.folded).chain(&w.alts);
            let tried = firsts
                .flat_map(|f| set.by_first.get(f).into_iter().flatten())
                .chain(&set.others);
            for index in tried {
                if let Some((end, who)) = self.match_at(&set.phrases[*index], start, w.sentence, None)
                    && end > start
                {
                    out.push((*index, start, end, who));
                }
            }
            // In the rules' order, each once (two readings may start the
            // same phrase).
            if out.len() - from > 1 {
                out[from..].sort_unstable_by_key(|m| m.0);
                let mut kept: Vec<_> = out.drain(from..).collect();
                kept.dedup_by_key(|m| m.0);
                out.extend(kept);
            }
        }
        out
    }

    /// The person nearest before word `start` in its sentence (or, if none,
    /// after word `end`), at most [`WINDOW`] words away.
    fn person_near(&self, start: usize, end: usize) -> Option<Person> {
        let before = (start.saturating_sub(WINDOW)..start)
            .rev()
            .filter(|&k| self.same_sentence(k, start))
            .find_map(|k| self.person[k]);
        before.or_else(|| {
            (end..(end + WINDOW).min(self.ns.len()))
                .filter(|&k| self.same_sentence(k, start))
                .find_map(|k| self.person[k])
        })
    }

    /// `em bị chú giữ giấy khai sinh`: the person before a `bị` earlier in
    /// the clause is the one harmed, whoever is named after it.
    fn passive_subject(&self, s: usize) -> Option<Person> {
        let clause = self.ns[s].clause;
        let bi = (s.saturating_sub(WINDOW)..=s).rev().find(|&k| {
            self.ns[k].clause == clause
                && self.ns[k].folded == "bi"
                && self.ns[k].marked.as_deref().is_none_or(|m| m == "bị")
        })?;
        (bi.saturating_sub(4)..bi)
            .rev()
            .filter(|&k| self.same_sentence(k, bi))
            .find_map(|k| self.person[k])
    }

    fn adult_near(&self, start: usize, end: usize, window: usize) -> bool {
        (start.saturating_sub(window)..(end + window).min(self.ns.len()))
            .any(|k| self.adult[k] && self.same_sentence(k, start))
    }

    fn adult_in_clause(&self, at: usize) -> bool {
        let clause = self.ns[at].clause;
        self.ns
            .iter()
            .enumerate()
            .skip(at.saturating_sub(12))
            .take(24)
            .any(|(k, w)| w.clause == clause && self.adult[k])
    }
}

/// Where each sentence's first occurrence of a phrase of `set` starts (a
/// word index), if it has one.
fn first_in_sentence(t: &Text<'_>, set: &Phrases, sentences: usize) -> Vec<Option<usize>> {
    let mut first = vec![None; sentences];
    for (_, s, _, _) in t.occurrences(set) {
        let slot = &mut first[t.ns[s].sentence];
        if slot.is_none_or(|f| s < f) {
            *slot = Some(s);
        }
    }
    first
}

/// One finding: a rule (or combination of cues) that fired.
struct Found {
    categories: Vec<ConcernCategory>,
    outcome: Outcome,
    /// Word ranges that fired.
    spans: Vec<(usize, usize)>,
}

struct CueHit {
    rule: usize,
    start: usize,
    end: usize,
    who: Option<Person>,
    cap: bool,
}

/// Flags disclosures; see the module documentation.
pub(super) fn assess(text: &str) -> Option<Concern> {
    let lists = &*LISTS;
    let ns = normalise::normalise(text, &|w| lists.vocabulary.contains(w));
    if ns.is_empty() {
        return None;
    }
    let sentences = ns.last().map_or(0, |w| w.sentence + 1);
    let person = persons(&ns, lists);
    let adult = ns
        .iter()
        .zip(&person)
        .map(|(n, p)| {
            any(&lists.adults, n)
                && (!matches!(n.folded.as_str(), "me" | "ba" | "u") || n.vietnamese)
                && (n.folded != "ma" || n.marked.is_some() || p.is_some())
        })
        .collect();
    let t = Text { ns: &ns, person, adult };
    // The exceptions only ever drop or soften a match: a text that no rule
    // matches (most texts) needs no more reading.
    let matches = t.occurrences(&lists.phrases);
    if matches.is_empty() {
        return None;
    }
    let ex = &lists.exceptions;

    // Idioms covering each word, as (start, end).
    let mut idioms: Vec<Vec<(usize, usize)>> = vec![Vec::new(); ns.len()];
    for (_, s, e, _) in t.occurrences(&ex.idiom) {
        for slot in &mut idioms[s..e] {
            slot.push((s, e));
        }
    }
    let mut soft = vec![false; ns.len()];
    for (_, s, e, _) in t.occurrences(&ex.soften) {
        soft[s..e].fill(true);
    }
    let mut topic_end = vec![false; ns.len() + 1];
    for (_, _, e, _) in t.occurrences(&ex.topic) {
        topic_end[e] = true;
    }
    let mut fear_end = vec![false; ns.len() + 1];
    for (_, _, e, _) in t.occurrences(&ex.fear) {
        fear_end[e] = true;
    }
    let report = first_in_sentence(&t, &ex.report, sentences);
    let hedge = first_in_sentence(&t, &ex.hedge, sentences);
    let advice = first_in_sentence(&t, &ex.advice, sentences);
    let game = first_in_sentence(&t, &ex.game, sentences);
    let exam = first_in_sentence(&t, &ex.exam, sentences);
    let resolved = first_in_sentence(&t, &ex.resolved, sentences);
    let speech = first_in_sentence(&t, &ex.speech, sentences);
    let question = questions(text, &ns, sentences);

    // An idiom overlapping the match drops it, unless the rule spells the
    // idiom out itself (`{p} đánh nhau` holds `đánh nhau`).
    let idiom_over = |index: usize, s: usize, e: usize| {
        idioms[s..e]
            .iter()
            .flatten()
            .any(|&(is, ie)| is < s || ie > e || !holds(&lists.phrases.phrases[index], &ns[is..ie]))
    };
    let topical = |s: usize| (s.saturating_sub(1)..=s).any(|k| k > 0 && topic_end[k] && t.same_sentence(k - 1, s));
    // A fear word just before word `s` in its clause, maybe with `bị`, `sẽ` … between.
    let feared = |s: usize| {
        let clause = ns[s].clause;
        let mut k = s;
        for _ in 0..4 {
            let linked = k > 0 && ns[k - 1].clause == clause;
            if !linked {
                return false;
            }
            if fear_end[k] {
                return true;
            }
            if !ns[k - 1].is(FEAR_FILLERS) {
                return false;
            }
            k -= 1;
        }
        false
    };
    let mut adult_in_sentence = vec![false; sentences];
    for (k, w) in ns.iter().enumerate() {
        adult_in_sentence[w.sentence] |= t.adult[k];
    }

    let mut found: Vec<Found> = Vec::new();
    let mut cues: Vec<CueHit> = Vec::new();
    for (index, s, e, who) in matches {
        let rule = &lists.rules[index];
        let sentence = ns[s].sentence;
        if idiom_over(index, s, e)
            || topical(s)
            || report[sentence].is_some_and(|r| r < s)
            || resolved[sentence].is_some()
        {
            continue;
        }
        if negated(&t, lists, &lists.phrases.phrases[index], s, e, &question) {
            continue;
        }
        let mut cap = rule.cap || soft[s..e].contains(&true);
        if feared(s) {
            if !t.adult_in_clause(s) {
                continue;
            }
            cap = true;
        }
        if let Some(h) = hedge[sentence].filter(|h| *h < s) {
            if advice[sentence].is_some() || question[sentence] {
                continue;
            }
            // `dọa nếu méc thầy thì sẽ đánh em`: a threat reported, not a
            // hypothesis.
            if speech[sentence].is_none_or(|p| p > h) {
                cap = true;
            }
        }
        let violence_only = rule.categories == [Violence];
        if violence_only && game[sentence].is_some() && !adult_in_sentence[sentence] {
            continue;
        }
        if exam[sentence].is_some() {
            // Exam hyperbole: `bài kiểm tra giết em`, `muốn biến mất khỏi
            // tiết kiểm tra` are dropped; `thi xong muốn chết` is possible.
            let killing = ns[s..e].iter().any(|w| w.is(&["giet", "kil", "chet", "die", "dead"]));
            if violence_only && killing || rule.categories.contains(&SelfHarm) && cap {
                continue;
            }
            if rule.categories.contains(&SelfHarm) && killing {
                cap = true;
            }
        }
        let who = who.or_else(|| t.passive_subject(s)).or_else(|| t.person_near(s, e));
        let victim = match (rule.kind, who) {
            (Kind::Cue { .. }, _) => {
                cues.push(CueHit {
                    rule: index,
                    start: s,
                    end: e,
                    who,
                    cap,
                });
                continue;
            }
            (Kind::Say, who) => who.unwrap_or(Person::Writer),
            (Kind::Near, Some(who)) => who,
            // No person: the writer left out the subject (`bị nhốt trong nhà
            // vệ sinh`, `ko có gì ăn mấy ngày r`): possible. Other terms
            // with no person are talk about the topic.
            (Kind::Near, None) if implicit_subject(rule, &lists.phrases.phrases[index], generic_before(&ns, s)) => {
                Person::Other
            }
            (Kind::Near, None) => continue,
        };
        let outcome = if cap || victim == Person::Other {
            Outcome::Possible
        } else {
            Outcome::Clear
        };
        found.push(Found {
            categories: rule.categories.clone(),
            outcome,
            spans: vec![(s, e)],
        });
    }
    combine_cues(lists, &cues, &mut found);

    let outcome = found.iter().map(|f| f.outcome).max()?;
    let mut categories: Vec<ConcernCategory> = found.iter().flat_map(|f| f.categories.iter().copied()).collect();
    categories.sort_by_key(|c| ConcernCategory::ALL.iter().position(|x| x == c));
    categories.dedup();
    let severity = found
        .iter()
        .flat_map(|f| f.categories.iter().map(move |c| (c, f)))
        .map(|(c, f)| match c {
            Violence if f.spans.iter().any(|&(s, e)| t.adult_near(s, e, ADULT_WINDOW)) => Severity::Urgent,
            c => severity(*c),
        })
        .max()?;
    let mut spans: Vec<(usize, usize)> = found.iter().flat_map(|f| f.spans.iter().copied()).collect();
    spans.sort();
    spans.dedup();
    let mut matched: Vec<String> = Vec::new();
    for (s, e) in spans {
        let (from, to) = (ns[s].start, ns[e - 1].end.max(ns[s].start));
        let words = text.get(from..to).unwrap_or_default().to_owned();
        if !words.is_empty() && !matched.contains(&words) {
            matched.push(words);
        }
    }
    Some(Concern {
        categories,
        severity,
        outcome,
        matched,
    })
}

/// A `near` rule whose subject a child often leaves out: a passive (`bị …`),
/// and self-harm, neglect and sexual abuse, which are about the writer.
fn implicit_subject(rule: &Rule, elems: &[Elem], generic: bool) -> bool {
    if generic {
        return false;
    }
    let passive = matches!(elems.first(), Some(Elem::Word(p)) if p.folded == "bi");
    passive
        || rule
            .categories
            .iter()
            .any(|c| matches!(c, SelfHarm | Neglect | SexualAbuse))
}

/// The phrase has word elements in a row that match `words`.
fn holds(elems: &[Elem], words: &[Norm]) -> bool {
    !words.is_empty()
        && elems.windows(words.len()).any(|win| {
            win.iter()
                .zip(words)
                .all(|(e, w)| matches!(e, Elem::Word(p) if p.matches(w)))
        })
}

/// Cues in combination: for each category, a window of [`CUE_WINDOW`] words
/// holding a cue of every group of a `combo` line fires it; a `cue?` cue
/// that fired no combination is a possible disclosure when a person is near.
fn combine_cues(lists: &Lists, cues: &[CueHit], found: &mut Vec<Found>) {
    let mut sorted: Vec<&CueHit> = cues.iter().collect();
    sorted.sort_by_key(|c| c.start);
    let group = |c: &CueHit| match lists.rules[c.rule].kind {
        Kind::Cue { group, .. } => group,
        _ => usize::MAX,
    };
    for category in ConcernCategory::ALL {
        let hits: Vec<&CueHit> = sorted
            .iter()
            .copied()
            .filter(|c| lists.rules[c.rule].categories.contains(&category))
            .collect();
        let mut used = vec![false; hits.len()];
        let mut best: Option<Found> = None;
        for (k, first) in hits.iter().enumerate() {
            let window: Vec<usize> = (k..hits.len())
                .take_while(|&j| hits[j].start <= first.start + CUE_WINDOW)
                .collect();
            for combo in lists.combos.iter().filter(|c| c.category == category) {
                if !combo.groups.contains(&group(first)) {
                    continue;
                }
                let members: Option<Vec<usize>> = combo
                    .groups
                    .iter()
                    .map(|g| window.iter().copied().find(|&j| group(hits[j]) == *g))
                    .collect();
                let Some(members) = members else { continue };
                // `mẹ em đi Hàn Quốc làm việc`: a weak combination about a
                // parent, not a child.
                if combo.outcome == Outcome::Possible && members.iter().all(|&j| hits[j].who == Some(Person::Household))
                {
                    continue;
                }
                let who = members.iter().filter_map(|&j| hits[j].who).max();
                let cap = members.iter().any(|&j| hits[j].cap);
                let outcome = if cap || who.is_none_or(|w| w == Person::Other) {
                    Outcome::Possible
                } else {
                    combo.outcome
                };
                for &j in &members {
                    used[j] = true;
                }
                let candidate = Found {
                    categories: vec![category],
                    outcome,
                    spans: members.iter().map(|&j| (hits[j].start, hits[j].end)).collect(),
                };
                if best.as_ref().is_none_or(|b| candidate.outcome > b.outcome) {
                    best = Some(candidate);
                }
            }
        }
        for (j, hit) in hits.iter().enumerate() {
            let alone = matches!(lists.rules[hit.rule].kind, Kind::Cue { alone: true, .. });
            if alone && !used[j] && hit.who.is_some() && best.is_none() {
                best = Some(Found {
                    categories: vec![category],
                    outcome: Outcome::Possible,
                    spans: vec![(hit.start, hit.end)],
                });
            }
        }
        found.extend(best);
    }
}

/// Whether each sentence is a question: it ends with `?`, or with `không`
/// or `chưa` after `có` (`bố có đánh em không`).
fn questions(text: &str, ns: &[Norm], sentences: usize) -> Vec<bool> {
    let mut out = vec![false; sentences];
    for (i, w) in ns.iter().enumerate() {
        let last = ns.get(i + 1).is_none_or(|n| n.sentence != w.sentence);
        if !last {
            continue;
        }
        let after = text.get(w.end..).unwrap_or_default();
        let mark = after.chars().find(|c| !c.is_whitespace());
        let tag =
            w.is(&["khong", "chua", "ko"]) && ns[..i].iter().rev().take_while(|n| n.sentence == w.sentence).any(is_co);
        out[w.sentence] = mark == Some('?') || tag;
    }
    out
}

/// A negation governs the match: a negator just before it (maybe with
/// `ai`, `bao giờ`, `có`, `bị` … between) in its clause, or `đâu` after it,
/// or the match sits in a question (`có … không?`) without a writer's
/// statement.
fn negated(t: &Text<'_>, lists: &Lists, elems: &[Elem], s: usize, e: usize, question: &[bool]) -> bool {
    let ns = t.ns;
    let clause = ns[s].clause;
    let is_negator = |w: &Norm| any(&lists.negators, w) || (w.folded == "no" && !w.vietnamese);
    // Inside the match (`bố chưa bao giờ đánh`), unless the phrase has a
    // negation of its own (`không muốn sống`).
    let own = elems.iter().any(
        |el| matches!(el, Elem::Word(p) if p.folded == "no" || lists.negators.iter().any(|n| n.folded == p.folded)),
    );
    if !own && ns[s..e].iter().any(is_negator) {
        return true;
    }
    // Just before it; but `gửi ảnh ko tao đăng`: a negation before a person
    // word ends a clause (`or else`) and negates nothing of the match.
    if t.person[s].is_none() {
        let mut k = s;
        let mut steps = 0;
        while k > 0 && steps < 5 && ns[k - 1].clause == clause {
            let w = &ns[k - 1];
            if is_negator(w) {
                return true;
            }
            if !w.is(NEGATION_FILLERS) {
                break;
            }
            k -= 1;
            steps += 1;
        }
    }
    let dau_after = !own
        && ns[e..]
            .iter()
            .take(4)
            .take_while(|w| w.clause == clause)
            .any(|w| w.marked.as_deref() == Some("đâu"));
    let sentence = ns[s].sentence;
    let asks = question[sentence]
        && ns[..s]
            .iter()
            .rev()
            .take_while(|w| w.sentence == sentence)
            .take(30)
            .any(is_co);
    dau_after || asks
}

/// Children or people in general (`trẻ em`, `học sinh`, `kids`) earlier in
/// the sentence: a harm term with no person is then about them in general.
fn generic_before(ns: &[Norm], s: usize) -> bool {
    const GENERIC: &[&str] = &[
        "tre",
        "hoc sinh",
        "moi nguoi",
        "nguoi ta",
        "nhieu ban",
        "cac ban",
        "children",
        "kids",
        "students",
        "people",
        "someone",
        "anyone",
    ];
    let sentence = ns[s].sentence;
    let words: Vec<&str> = ns[..s]
        .iter()
        .rev()
        .take_while(|w| w.sentence == sentence)
        .take(30)
        .map(|w| w.folded.as_str())
        .collect();
    words.iter().enumerate().any(|(k, w)| {
        GENERIC.iter().any(|g| match g.split_once(' ') {
            None => g == w,
            // `words` runs backwards: `học sinh` is `sinh`, then `học`.
            Some((a, b)) => b == *w && words.get(k + 1) == Some(&a),
        })
    })
}

/// `tụi`, `bọn`, `chúng`: the plural before a pronoun (`tụi em`).
fn is_plural(n: &Norm) -> bool {
    matches!(n.marked.as_deref(), Some("tụi" | "bọn" | "chúng")) || (n.marked.is_none() && n.is(&["bon", "chung"]))
}

/// `có` (or `co` typed without diacritics), not `cô`.
fn is_co(n: &Norm) -> bool {
    n.folded == "co" && n.marked.as_deref().is_none_or(|m| m == "có")
}

fn severity(category: ConcernCategory) -> Severity {
    match category {
        SelfHarm | SexualAbuse | Trafficking | OnlineExploitation => Severity::Urgent,
        Violence | Neglect => Severity::High,
        Bullying => Severity::Medium,
    }
}
