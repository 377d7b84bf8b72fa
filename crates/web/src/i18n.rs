//! Texts of the public pages in the finder's languages.
//!
//! One plain `key = value` file per language in `crates/web/i18n/`, compiled in: translators can
//! edit them without reading Rust, and a test proves every file has exactly the German keys and
//! placeholders. A missing key (which the test prevents) would show the German text.

use std::collections::HashMap;
use std::sync::OnceLock;

use lotse_domain::offer::Locale;

const FILES: [(Locale, &str); 14] = [
    (Locale::De, include_str!("../i18n/de.txt")),
    (Locale::Ls, include_str!("../i18n/ls.txt")),
    (Locale::En, include_str!("../i18n/en.txt")),
    (Locale::Ar, include_str!("../i18n/ar.txt")),
    (Locale::Tr, include_str!("../i18n/tr.txt")),
    (Locale::Uk, include_str!("../i18n/uk.txt")),
    (Locale::Ru, include_str!("../i18n/ru.txt")),
    (Locale::Fa, include_str!("../i18n/fa.txt")),
    (Locale::Prs, include_str!("../i18n/prs.txt")),
    (Locale::Ku, include_str!("../i18n/ku.txt")),
    (Locale::Ro, include_str!("../i18n/ro.txt")),
    (Locale::Bg, include_str!("../i18n/bg.txt")),
    (Locale::Ti, include_str!("../i18n/ti.txt")),
    (Locale::So, include_str!("../i18n/so.txt")),
];

type Catalog = HashMap<&'static str, &'static str>;

fn parse(file: &'static str) -> Catalog {
    file.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn catalogs() -> &'static HashMap<Locale, Catalog> {
    static CATALOGS: OnceLock<HashMap<Locale, Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| FILES.iter().map(|(l, f)| (*l, parse(f))).collect())
}

/// The texts of one language, as templates use them: `{{ t.get("search.submit") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Texts {
    pub locale: Locale,
}

impl Texts {
    pub fn new(locale: Locale) -> Texts {
        Texts { locale }
    }

    pub fn get(&self, key: &str) -> &'static str {
        let all = catalogs();
        all.get(&self.locale)
            .and_then(|c| c.get(key))
            .or_else(|| all.get(&Locale::De).and_then(|c| c.get(key)))
            .copied()
            .unwrap_or("")
    }

    /// A text with `{name}` placeholders filled in.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// The finder's start page in this language.
    pub fn finder_path(&self) -> String {
        crate::pages::finder::finder_path(self.locale)
    }

    /// A legal page (`impressum`, `datenschutz`, `barrierefreiheit`) in this language.
    pub fn legal_path(&self, page: &str) -> String {
        match self.locale {
            Locale::De => format!("/{page}"),
            other => format!("/{}/{page}", other.key()),
        }
    }

    pub fn lang(&self) -> &'static str {
        self.locale.lang_tag()
    }

    pub fn dir(&self) -> &'static str {
        if self.locale.is_rtl() { "rtl" } else { "ltr" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name))
            .collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn every_language_has_every_german_key_and_its_placeholders() {
        let all = catalogs();
        let german = &all[&Locale::De];
        assert!(german.len() > 80, "German catalogue read: {}", german.len());
        for locale in Locale::ALL {
            let catalog = &all[&locale];
            for (key, text) in german {
                let translated = catalog
                    .get(key)
                    .unwrap_or_else(|| panic!("{locale}: key {key} missing"));
                assert!(!translated.is_empty(), "{locale}: {key} empty");
                assert_eq!(
                    placeholders(translated),
                    placeholders(text),
                    "{locale}: placeholders of {key}"
                );
            }
            for key in catalog.keys() {
                assert!(german.contains_key(key), "{locale}: unknown key {key}");
            }
        }
    }

    #[test]
    fn texts_fill_placeholders_and_know_the_direction() {
        let ar = Texts::new(Locale::Ar);
        assert_eq!(ar.dir(), "rtl");
        assert_eq!(
            Texts::new(Locale::De).fill("results.many", &[("n", "12")]),
            "12 Angebote gefunden"
        );
        assert_eq!(Texts::new(Locale::En).get("search.submit"), "Search");
    }
}
