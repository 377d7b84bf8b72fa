//! The finder's concepts (decision 0013): words and abbreviations that mean the same for someone
//! looking for an offer, with labels in every finder language. A query naming one label also
//! searches for the others, so a word in Arabic reaches German-only offers, and "ABH" the
//! Ausländerbehörde. The coordination edits them; a shipped set starts every district.

use std::collections::BTreeMap;

use crate::offer::Locale;

/// The labels of one concept, per finder language: words and short phrases.
pub type ConceptLabels = BTreeMap<Locale, Vec<String>>;

/// Most labels per language and concept, and the longest label.
pub const MOST_LABELS: usize = 20;
pub const LONGEST_LABEL: usize = 60;

/// The shipped concepts (see the file's head).
const SHIPPED: &str = include_str!("finder_concepts.txt");

/// The shipped concepts: their keys and labels.
pub fn shipped() -> Vec<(String, ConceptLabels)> {
    SHIPPED
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|line| {
            let mut cells = line.split('|');
            let key = cells.next()?.trim().to_owned();
            let mut labels = ConceptLabels::new();
            for cell in cells {
                let (locale, words) = cell.split_once(':')?;
                let locale = Locale::parse(locale)?;
                labels.insert(locale, split_labels(words));
            }
            Some((key, labels))
        })
        .collect()
}

/// "a, b,  c" → ["a", "b", "c"]: labels as a form or the shipped list write them.
pub fn split_labels(text: &str) -> Vec<String> {
    text.split([',', '\n', ';'])
        .map(|w| w.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|w| !w.is_empty())
        .collect()
}

/// A language's field of the concept form that is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConceptError {
    pub locale: Locale,
    pub message: String,
}

/// The concept form: per language the labels as typed, comma-separated. German needs at least
/// two (a concept of one word expands nothing); the other languages may be empty.
pub fn parse_concept(
    fields: &BTreeMap<Locale, String>,
) -> Result<ConceptLabels, Vec<ConceptError>> {
    let mut labels = ConceptLabels::new();
    let mut errors = Vec::new();
    for locale in Locale::ALL {
        let typed = fields.get(&locale).map(String::as_str).unwrap_or("");
        let mut words: Vec<String> = Vec::new();
        for w in split_labels(typed) {
            if !words.iter().any(|x| x.to_lowercase() == w.to_lowercase()) {
                words.push(w);
            }
        }
        if let Some(long) = words.iter().find(|w| w.chars().count() > LONGEST_LABEL) {
            errors.push(ConceptError {
                locale,
                message: format!("„{long}“ ist zu lang (höchstens {LONGEST_LABEL} Zeichen)."),
            });
        } else if words.len() > MOST_LABELS {
            errors.push(ConceptError {
                locale,
                message: format!("Höchstens {MOST_LABELS} Begriffe je Sprache."),
            });
        } else if let Some(bad) = words.iter().find(|w| !w.chars().any(char::is_alphabetic)) {
            errors.push(ConceptError {
                locale,
                message: format!("„{bad}“ enthält keinen Buchstaben."),
            });
        }
        if locale == Locale::De && words.len() < 2 && errors.iter().all(|e| e.locale != locale) {
            errors.push(ConceptError {
                locale,
                message: "Mindestens zwei deutsche Begriffe, durch Komma getrennt: ein Begriff allein hat nichts, wofür er stehen könnte.".into(),
            });
        }
        if !words.is_empty() {
            labels.insert(locale, words);
        }
    }
    if errors.is_empty() {
        Ok(labels)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(Locale, &str)]) -> BTreeMap<Locale, String> {
        pairs.iter().map(|(l, t)| (*l, (*t).to_owned())).collect()
    }

    #[test]
    fn labels_are_split_at_commas_and_kept_once() {
        let labels = parse_concept(&form(&[
            (Locale::De, "Kita,  Kindertagesstätte , kita,"),
            (Locale::Uk, "дитячий   садок"),
            (Locale::Ar, ""),
        ]))
        .unwrap();
        assert_eq!(labels[&Locale::De], ["Kita", "Kindertagesstätte"]);
        assert_eq!(labels[&Locale::Uk], ["дитячий садок"]);
        assert!(
            !labels.contains_key(&Locale::Ar),
            "empty languages are left out"
        );
    }

    #[test]
    fn wrong_fields_are_named_by_their_language() {
        let errors = parse_concept(&form(&[(Locale::De, "Kita"), (Locale::En, "123, daycare")]))
            .unwrap_err();
        let named: Vec<Locale> = errors.iter().map(|e| e.locale).collect();
        assert_eq!(named, [Locale::De, Locale::En]);
        let long = "x".repeat(LONGEST_LABEL + 1);
        let errors = parse_concept(&form(&[(Locale::De, &format!("Kita, {long}"))])).unwrap_err();
        assert!(errors[0].message.contains("zu lang"));
    }

    #[test]
    fn the_shipped_concepts_are_valid_and_name_every_language() {
        let shipped = shipped();
        assert!(shipped.len() >= 25);
        for (key, labels) in shipped {
            let typed = labels.iter().map(|(l, w)| (*l, w.join(", "))).collect();
            assert_eq!(parse_concept(&typed), Ok(labels.clone()), "{key}");
            // Leichte Sprache is German: the German labels serve it.
            for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::Ls) {
                assert!(labels.contains_key(&locale), "{key}: no labels in {locale}");
            }
        }
    }
}
