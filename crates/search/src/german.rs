//! German as people type it (decision 0013, slice 1): umlauts with or without dots, singular or
//! plural, a compound or one of its parts, the start of a word while typing.
//!
//! The German fields of the index are not analysed by a tantivy tokenizer chain but here, into
//! a line of terms (the text's words, folded and stemmed, each compound followed by its parts),
//! which the index then only splits at spaces. Query words go through the same functions, so
//! index and query always agree, and the dictionary the compounds are split with can grow
//! (words of the offers, words editors add) without a tokenizer that would have to hold it.

use std::collections::{HashMap, HashSet};

/// Shortest part a compound is split into: "Amt" in "Sozialamt", "Tag" in "Tagespflege".
const SHORTEST_PART: usize = 3;

/// Shortest word that is tried as a compound: two parts of the shortest length.
const SHORTEST_COMPOUND: usize = 2 * SHORTEST_PART;

/// Longest word that is tried as a compound, in bytes (folded German is ASCII).
const LONGEST_COMPOUND: usize = 40;

/// Shortest word of the offers' own texts taken into the dictionary: three-letter words in
/// texts are mostly function words and abbreviations, which would split words that are none
/// ("Termin" is no "Ter" + "min"); the shipped list carries the real ones ("Amt").
const SHORTEST_TEXT_WORD: usize = 4;

/// Endings the stemmer takes off, longest first.
const ENDINGS: [&str; 7] = ["ern", "en", "er", "es", "e", "n", "s"];

/// Words that are no part of a compound worth finding, folded: articles, pronouns,
/// prepositions, conjunctions and common verbs of four letters or more, which occur on their own
/// in every text.
const NOT_PARTS: &[&str] = &[
    "aber", "alle", "allem", "allen", "aller", "alles", "also", "auch", "beim", "bzw", "dass",
    "dein", "deine", "denen", "denn", "dich", "dies", "diese", "diesem", "diesen", "dieser",
    "dort", "durch", "eine", "einem", "einen", "einer", "eines", "etwa", "euch", "euer", "habe",
    "haben", "hier", "ihnen", "ihre", "ihrem", "ihren", "ihrer", "immer", "jede", "jedem", "jeden",
    "jeder", "kann", "kein", "keine", "konnen", "mehr", "mich", "mochten", "muss", "nach", "neben",
    "nicht", "noch", "nur", "oder", "ohne", "sehr", "sein", "seine", "sich", "sie", "sind",
    "sowie", "uber", "unser", "unsere", "unter", "viel", "viele", "vom", "von", "wann", "warum",
    "was", "weil", "welche", "wenn", "werden", "wieder", "wird", "wir", "wollen", "zwischen",
    "uhr", "jahr", "jahre", "jahren",
];

/// The shipped words of the domain (see the file's head).
const SHIPPED: &str = include_str!("german_words.txt");

/// A lower-cased word with umlauts (dotted or written as ae, oe, ue), ß and the accents of Latin
/// letters folded: "Fuhrerschein", "Fuehrerschein" and "Führerschein", "Cafe" and "Café" are
/// the same word. Other scripts pass unchanged.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        let plain = match c {
            'ä' | 'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
            'ö' | 'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'ō' | 'ő' => 'o',
            'ü' | 'ù' | 'ú' | 'û' | 'ū' | 'ů' | 'ű' => 'u',
            'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ę' | 'ė' | 'ě' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'ı' | 'ī' => 'i',
            'ç' | 'ć' | 'č' => 'c',
            'ñ' | 'ń' | 'ň' => 'n',
            'ş' | 'ś' | 'š' | 'ș' => 's',
            'ţ' | 'ț' | 'ť' => 't',
            'ž' | 'ź' | 'ż' => 'z',
            'ğ' => 'g',
            'ł' => 'l',
            'ř' => 'r',
            'ď' | 'đ' => 'd',
            'ý' | 'ÿ' => 'y',
            'ß' => {
                out.push_str("ss");
                continue;
            }
            other => other,
        };
        out.push(plain);
    }
    // Umlauts typed as two letters (no umlaut on the keyboard) meet the dotted ones: the same
    // rule on both sides, so "Steuer" is "steur" in the index and in a query alike.
    if out.contains("ae") || out.contains("oe") || out.contains("ue") {
        out = out.replace("ae", "a").replace("oe", "o").replace("ue", "u");
    }
    out
}

/// The stem of a folded word: the endings of plural and case taken off, again and again while
/// three letters stay. Repeating keeps the forms of a word together where one pass would not:
/// Kurs → kur and Kurse → kurs → kur; Bus → bus and Busse → buss → bus.
pub fn stem(word: &str) -> String {
    let mut w = word;
    'strip: loop {
        for ending in ENDINGS {
            if let Some(rest) = w.strip_suffix(ending)
                && rest.chars().count() >= SHORTEST_PART
            {
                w = rest;
                continue 'strip;
            }
        }
        return w.to_owned();
    }
}

/// The words of a text, lower-cased and folded, split at anything that is not a letter or digit.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| fold(&w.to_lowercase()))
}

fn is_latin_word(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_lowercase())
}

/// The dictionary compounds are split with: stems of the shipped words, of the words that
/// occur on their own in the offers, and of the words editors add.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    stems: HashSet<String>,
}

impl Dictionary {
    /// The shipped words alone.
    pub fn shipped() -> Dictionary {
        let mut d = Dictionary::default();
        for line in SHIPPED.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            d.add_word(line);
        }
        d
    }

    /// Adds one word as written (an editor's, a shipped one), whatever its length.
    pub fn add_word(&mut self, word: &str) {
        for w in words(word) {
            if w.chars().count() >= SHORTEST_PART && is_latin_word(&w) {
                self.stems.insert(stem(&w));
            }
        }
    }

    /// Adds the words of an offer's text that can stand as parts.
    pub fn add_text(&mut self, text: &str) {
        for w in words(text) {
            if w.chars().count() >= SHORTEST_TEXT_WORD
                && is_latin_word(&w)
                && !NOT_PARTS.contains(&w.as_str())
            {
                self.stems.insert(stem(&w));
            }
        }
    }

    pub fn len(&self) -> usize {
        self.stems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stems.is_empty()
    }

    fn knows(&self, part: &str) -> bool {
        self.stems.contains(&stem(part))
    }

    /// The parts of a folded compound, each a dictionary word of at least three letters (its
    /// linking -s-, -n-, -en-, -es-, -e- and a plural ending go with the part and are taken off
    /// by the stemmer); the split with the fewest parts, the longest first part among equals.
    /// `None` when the word cannot be cut entirely into known words (or is no compound).
    pub fn split(&self, word: &str) -> Option<Vec<String>> {
        // The index drops terms of 40 bytes and more anyway; longer "words" (a run of letters
        // without spaces in a text) would cost the cube of their length to cut.
        if word.len() < SHORTEST_COMPOUND || word.len() > LONGEST_COMPOUND || !is_latin_word(word) {
            return None;
        }
        let n = word.len();
        // fewest[i]: the fewest parts word[i..] can be cut into, and where the first ends.
        let mut fewest: Vec<Option<(usize, usize)>> = vec![None; n + 1];
        fewest[n] = Some((0, n));
        for i in (0..n).rev() {
            let mut best: Option<(usize, usize)> = None;
            // The whole word is never its own split: the offers' own compounds are in the
            // dictionary too ("Bewerbungswerkstatt") and must still be cut.
            let last = if i == 0 { n - 1 } else { n };
            for j in ((i + SHORTEST_PART)..=last).rev() {
                let Some((rest, _)) = fewest[j] else { continue };
                if best.is_some_and(|(b, _)| b <= rest + 1) {
                    continue;
                }
                if self.knows(&word[i..j]) {
                    best = Some((rest + 1, j));
                }
            }
            fewest[i] = best;
        }
        let (count, _) = fewest[0]?;
        let mut parts = Vec::with_capacity(count);
        let mut i = 0;
        while i < n {
            let (_, j) = fewest[i]?;
            parts.push(word[i..j].to_owned());
            i = j;
        }
        Some(parts)
    }
}

/// Analyses German texts into index terms, remembering the splits of the words it has seen
/// (a directory repeats its words: the cache makes a rebuild split each word once).
pub struct Analyser<'d> {
    dictionary: &'d Dictionary,
    seen: HashMap<String, Vec<String>>,
}

impl<'d> Analyser<'d> {
    pub fn new(dictionary: &'d Dictionary) -> Analyser<'d> {
        Analyser {
            dictionary,
            seen: HashMap::new(),
        }
    }

    /// The terms of one folded word: its stem, then the stems of its parts.
    pub fn terms_of(&mut self, word: &str) -> &[String] {
        if !self.seen.contains_key(word) {
            let terms = terms(self.dictionary, word);
            self.seen.insert(word.to_owned(), terms);
        }
        self.seen.get(word).map_or(&[], Vec::as_slice)
    }

    /// A text as the line of terms the index splits at spaces.
    pub fn line(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 2);
        for w in words(text) {
            for t in self.terms_of(&w) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(t);
            }
        }
        out
    }
}

/// The terms of one folded word, without a cache: the stem of the whole, then the stems of its
/// parts (each once).
pub fn terms(dictionary: &Dictionary, word: &str) -> Vec<String> {
    let whole = stem(word);
    let mut out = vec![whole];
    if let Some(parts) = dictionary.split(word) {
        for p in parts {
            let s = stem(&p);
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}
