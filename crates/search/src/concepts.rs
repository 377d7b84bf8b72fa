//! The finder's concepts at search time (decision 0013): which query words name a concept, in
//! which language, and what the concept's other labels are. A label matches a query word (or
//! a run of words, for labels of several words) when both read the same after the analysis of
//! the label's language: German folded and stemmed as the index reads it, the others by their
//! field's analyser (Snowball where there is one).

use std::collections::HashMap;

use lotse_domain::finder_concept::ConceptLabels;
use lotse_domain::offer::Locale;

use crate::{analyzer, german};

/// A label's words as its language reads them.
pub(crate) fn normalise(locale: Locale, text: &str) -> Vec<String> {
    if locale.is_german() {
        return german::words(text).map(|w| german::stem(&w)).collect();
    }
    let mut a = analyzer(locale);
    let mut out = Vec::new();
    let mut stream = a.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The concepts, ready to be found by query words.
#[derive(Default)]
pub struct Concepts {
    labels: Vec<ConceptLabels>,
    /// (language, label's words joined by a space) → concepts with that label.
    by_label: HashMap<(Locale, String), Vec<usize>>,
    /// The most words a label has.
    longest: usize,
}

impl Concepts {
    pub fn new(list: Vec<ConceptLabels>) -> Concepts {
        let mut by_label: HashMap<(Locale, String), Vec<usize>> = HashMap::new();
        let mut longest = 1;
        for (i, labels) in list.iter().enumerate() {
            for (locale, words) in labels {
                for label in words {
                    let normal = normalise(*locale, label);
                    // Two-letter labels ("ev", Turkish for house) would catch abbreviations of
                    // other languages ("Ev. Beratung"); German ones are the editors' own choice.
                    let letters: usize = normal.iter().map(|w| w.chars().count()).sum();
                    if normal.is_empty() || (*locale != Locale::De && letters < 3) {
                        continue;
                    }
                    longest = longest.max(normal.len());
                    let ids = by_label.entry((*locale, normal.join(" "))).or_default();
                    if !ids.contains(&i) {
                        ids.push(i);
                    }
                }
            }
        }
        Concepts {
            labels: list,
            by_label,
            longest,
        }
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn labels(&self, concept: usize) -> Option<&ConceptLabels> {
        self.labels.get(concept)
    }

    /// For each query word (lower-cased, as typed), the concepts a label of which it is, or is
    /// part of (a run of words matching a label of several words).
    pub fn matches(&self, words: &[String]) -> Vec<Vec<usize>> {
        let mut found: Vec<Vec<usize>> = vec![Vec::new(); words.len()];
        if self.labels.is_empty() {
            return found;
        }
        for locale in Locale::ALL {
            // Each word as this language reads it (a word may read as nothing: a stop word).
            let forms: Vec<String> = words
                .iter()
                .map(|w| normalise(locale, w).join(" "))
                .collect();
            for start in 0..words.len() {
                for len in 1..=self.longest.min(words.len() - start) {
                    let run = &forms[start..start + len];
                    if run.iter().any(String::is_empty) {
                        break;
                    }
                    let Some(ids) = self.by_label.get(&(locale, run.join(" "))) else {
                        continue;
                    };
                    for slot in &mut found[start..start + len] {
                        for id in ids {
                            if !slot.contains(id) {
                                slot.push(*id);
                            }
                        }
                    }
                }
            }
        }
        found
    }
}
