//! Offers (Angebote): what a provider offers newcomers and professionals, modelled after the
//! Open Referral HSDS 3 "service" so the directory can be exchanged with other directories.
//!
//! An offer's content is one value ([`OfferContent`]) that is stored per revision: the published
//! revision stays live while a provider's change waits for approval (see the store's `offers`).

use std::collections::BTreeMap;
use std::fmt;

use crate::date::Date;
use crate::town::{Located, estimate, in_district, postcode_town};

use crate::validation::{
    FieldErrors, Lines, forbidden_character, forbidden_character_message, optional_date,
    optional_email, optional_multiline, optional_text,
};

/// The languages the public finder is offered in. German is the source language of every offer;
/// the others are translations that may be missing (then German is shown, and the page says so).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    De,
    En,
    Ar,
    Tr,
    Uk,
    Ru,
    Fa,
    Ro,
    Bg,
    Ku,
    Prs,
    Ti,
    So,
    /// German in Leichte Sprache: its own variant with its own interface texts and offer texts.
    Ls,
}

impl Locale {
    /// The finder's languages, in the order the language switcher lists them: German and its
    /// easy variant, then the languages of the district's larger communities.
    pub const ALL: [Locale; 14] = [
        Locale::De,
        Locale::Ls,
        Locale::En,
        Locale::Ar,
        Locale::Tr,
        Locale::Uk,
        Locale::Ru,
        Locale::Fa,
        Locale::Prs,
        Locale::Ku,
        Locale::Ro,
        Locale::Bg,
        Locale::Ti,
        Locale::So,
    ];

    /// The translations, i.e. every locale but German.
    pub fn translations() -> impl Iterator<Item = Locale> {
        Locale::ALL.into_iter().filter(|l| *l != Locale::De)
    }

    /// The key: the URL prefix (`/ar/angebote`), the key of stored texts and of the finder's
    /// fields. The BCP 47 tag for `lang` attributes is [`Locale::lang_tag`].
    pub fn key(self) -> &'static str {
        match self {
            Locale::De => "de",
            Locale::En => "en",
            Locale::Ar => "ar",
            Locale::Tr => "tr",
            Locale::Uk => "uk",
            Locale::Ru => "ru",
            Locale::Fa => "fa",
            Locale::Ro => "ro",
            Locale::Bg => "bg",
            Locale::Ku => "ku",
            // ISO 639-3 for Dari; "fa-AF" as browsers send it is read as Dari too.
            Locale::Prs => "prs",
            Locale::Ti => "ti",
            Locale::So => "so",
            Locale::Ls => "ls",
        }
    }

    /// The BCP 47 tag of `lang` and `hreflang`: the key, but German with a private-use subtag
    /// for Leichte Sprache (read aloud as German).
    pub fn lang_tag(self) -> &'static str {
        match self {
            Locale::Ls => "de-x-ls",
            other => other.key(),
        }
    }

    /// The language's name in itself, for the language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::De => "Deutsch",
            Locale::En => "English",
            Locale::Ar => "العربية",
            Locale::Tr => "Türkçe",
            Locale::Uk => "Українська",
            Locale::Ru => "Русский",
            Locale::Fa => "فارسی",
            Locale::Ro => "Română",
            Locale::Bg => "Български",
            Locale::Ku => "Kurdî (Kurmancî)",
            Locale::Prs => "دری",
            Locale::Ti => "ትግርኛ",
            Locale::So => "Soomaali",
            Locale::Ls => "Leichte Sprache",
        }
    }

    /// The language's name in German, for the staff pages.
    pub fn german_name(self) -> &'static str {
        match self {
            Locale::De => "Deutsch",
            Locale::En => "Englisch",
            Locale::Ar => "Arabisch",
            Locale::Tr => "Türkisch",
            Locale::Uk => "Ukrainisch",
            Locale::Ru => "Russisch",
            Locale::Fa => "Persisch (Farsi)",
            Locale::Ro => "Rumänisch",
            Locale::Bg => "Bulgarisch",
            Locale::Ku => "Kurdisch (Kurmandschi)",
            Locale::Prs => "Dari",
            Locale::Ti => "Tigrinya",
            Locale::So => "Somali",
            Locale::Ls => "Leichte Sprache",
        }
    }

    /// Arabic, Persian and Dari are written right to left; pages set `dir="rtl"` for them.
    pub fn is_rtl(self) -> bool {
        matches!(self, Locale::Ar | Locale::Fa | Locale::Prs)
    }

    /// German or its easy variant: analysed by the finder's German analysis.
    pub fn is_german(self) -> bool {
        matches!(self, Locale::De | Locale::Ls)
    }

    pub fn parse(text: &str) -> Option<Locale> {
        let t = text.trim().to_ascii_lowercase().replace('_', "-");
        match t.as_str() {
            "fa-af" => return Some(Locale::Prs),
            "de-x-ls" => return Some(Locale::Ls),
            _ => {}
        }
        // Accept region variants ("de-DE", "ar-SY") as browsers send them.
        let primary = t.split('-').next().unwrap_or("");
        Locale::ALL.into_iter().find(|l| l.key() == primary)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

vocabulary! {
    /// What an offer is about (the finder's topic filter; exported as an HSDS taxonomy).
    Topic {
        LanguageCourse => "language_course", "Sprachkurse";
        Counselling => "counselling", "Beratung";
        Education => "education", "Schule und Bildung";
        Work => "work", "Arbeit und Ausbildung";
        Housing => "housing", "Wohnen";
        Health => "health", "Gesundheit";
        Family => "family", "Familie und Kinder";
        Residence => "residence", "Aufenthalt und Recht";
        EverydayLife => "everyday_life", "Alltag und Orientierung";
        Meeting => "meeting", "Begegnung und Ehrenamt";
        Leisure => "leisure", "Freizeit und Sport";
    }
}

vocabulary! {
    /// Whom an offer is for (the finder's target-group filter; exported as an HSDS taxonomy).
    TargetGroup {
        Everyone => "everyone", "alle";
        Children => "children", "Kinder";
        YoungPeople => "young_people", "Jugendliche und junge Erwachsene";
        Adults => "adults", "Erwachsene";
        Seniors => "seniors", "Ältere Menschen";
        Families => "families", "Eltern und Familien";
        Women => "women", "Frauen";
        Refugees => "refugees", "Geflüchtete";
        EuCitizens => "eu_citizens", "EU-Bürgerinnen und -Bürger";
        Professionals => "professionals", "Fachkräfte und Ehrenamtliche";
    }
}

vocabulary! {
    /// Whether a newcomer can still get a place.
    Capacity {
        PlacesFree => "places_free", "Plätze frei";
        WaitingList => "waiting_list", "Warteliste";
        Full => "full", "ausgebucht";
    }
}

vocabulary! {
    /// Days of the week for opening hours (HSDS `byday` uses the iCalendar two-letter codes).
    Weekday {
        Monday => "mo", "Montag";
        Tuesday => "tu", "Dienstag";
        Wednesday => "we", "Mittwoch";
        Thursday => "th", "Donnerstag";
        Friday => "fr", "Freitag";
        Saturday => "sa", "Samstag";
        Sunday => "su", "Sonntag";
    }
}

/// Languages an offer can be delivered in: ISO 639-1 code, German name, and the name in the
/// language itself (the public finder lists them so, readable for speakers in any page language).
/// The list covers the languages of the district's larger immigrant communities; add more here.
pub const DELIVERY_LANGUAGES: &[(&str, &str, &str)] = &[
    ("de", "Deutsch", "Deutsch"),
    ("en", "Englisch", "English"),
    ("ar", "Arabisch", "العربية"),
    ("tr", "Türkisch", "Türkçe"),
    ("uk", "Ukrainisch", "Українська"),
    ("ru", "Russisch", "Русский"),
    ("fa", "Persisch (Farsi/Dari)", "فارسی"),
    ("ku", "Kurdisch", "Kurdî"),
    ("pl", "Polnisch", "Polski"),
    ("ro", "Rumänisch", "Română"),
    ("bg", "Bulgarisch", "Български"),
    ("sq", "Albanisch", "Shqip"),
    ("sr", "Serbisch", "Српски"),
    ("hr", "Kroatisch", "Hrvatski"),
    ("bs", "Bosnisch", "Bosanski"),
    ("el", "Griechisch", "Ελληνικά"),
    ("it", "Italienisch", "Italiano"),
    ("fr", "Französisch", "Français"),
    ("es", "Spanisch", "Español"),
    ("pt", "Portugiesisch", "Português"),
    ("ps", "Paschtu", "پښتو"),
    ("ti", "Tigrinya", "ትግርኛ"),
    ("so", "Somali", "Soomaali"),
    ("am", "Amharisch", "አማርኛ"),
    ("ur", "Urdu", "اردو"),
    ("hi", "Hindi", "हिन्दी"),
    ("vi", "Vietnamesisch", "Tiếng Việt"),
    ("zh", "Chinesisch", "中文"),
    ("hu", "Ungarisch", "Magyar"),
];

/// German name of a delivery language, by ISO 639-1 code.
pub fn delivery_language_name(code: &str) -> Option<&'static str> {
    DELIVERY_LANGUAGES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, n, _)| *n)
}

/// The name of a delivery language in itself ("العربية"), by ISO 639-1 code.
pub fn delivery_language_endonym(code: &str) -> Option<&'static str> {
    DELIVERY_LANGUAGES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, n)| *n)
}

/// Accepts an ISO 639-1 code or the German name, ignoring case.
pub fn parse_delivery_language(text: &str) -> Option<&'static str> {
    let t = text.trim().to_lowercase();
    DELIVERY_LANGUAGES
        .iter()
        .find(|(c, n, native)| *c == t || n.to_lowercase() == t || native.to_lowercase() == t)
        .map(|(c, _, _)| *c)
}

/// The translatable texts of an offer, one set per [`Locale`].
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct OfferTexts {
    pub title: String,
    /// A few sentences in easy language (Leichte/Einfache Sprache), shown first when present.
    pub easy_summary: String,
    pub description: String,
    /// Notes on the opening hours ("nicht in den Schulferien").
    pub schedule_note: String,
    /// What it costs, when it is not free.
    pub fees: String,
    pub eligibility: String,
    pub required_documents: String,
    /// How to register (Anmeldung).
    pub registration: String,
    pub accessibility: String,
}

/// One field of [`OfferTexts`]: the form names, labels and limits in one table.
#[derive(Debug, Clone, Copy)]
pub struct TextField {
    pub name: &'static str,
    pub label: &'static str,
    pub max: usize,
    pub multiline: bool,
    pub get: fn(&OfferTexts) -> &str,
    pub set: fn(&mut OfferTexts, String),
}

pub const TEXT_FIELDS: [TextField; 9] = [
    TextField {
        name: "title",
        label: "Titel",
        max: 200,
        multiline: false,
        get: |t| &t.title,
        set: |t, v| t.title = v,
    },
    TextField {
        name: "easy_summary",
        label: "Kurz in einfacher Sprache",
        max: 1_000,
        multiline: true,
        get: |t| &t.easy_summary,
        set: |t, v| t.easy_summary = v,
    },
    TextField {
        name: "description",
        label: "Beschreibung",
        max: 10_000,
        multiline: true,
        get: |t| &t.description,
        set: |t, v| t.description = v,
    },
    TextField {
        name: "schedule_note",
        label: "Hinweise zu den Zeiten",
        max: 1_000,
        multiline: true,
        get: |t| &t.schedule_note,
        set: |t, v| t.schedule_note = v,
    },
    TextField {
        name: "fees",
        label: "Kosten",
        max: 1_000,
        multiline: true,
        get: |t| &t.fees,
        set: |t, v| t.fees = v,
    },
    TextField {
        name: "eligibility",
        label: "Voraussetzungen",
        max: 2_000,
        multiline: true,
        get: |t| &t.eligibility,
        set: |t, v| t.eligibility = v,
    },
    TextField {
        name: "required_documents",
        label: "Mitzubringende Unterlagen",
        max: 2_000,
        multiline: true,
        get: |t| &t.required_documents,
        set: |t, v| t.required_documents = v,
    },
    TextField {
        name: "registration",
        label: "Anmeldung",
        max: 2_000,
        multiline: true,
        get: |t| &t.registration,
        set: |t, v| t.registration = v,
    },
    TextField {
        name: "accessibility",
        label: "Barrierefreiheit",
        max: 2_000,
        multiline: true,
        get: |t| &t.accessibility,
        set: |t, v| t.accessibility = v,
    },
];

impl OfferTexts {
    pub fn is_empty(&self) -> bool {
        TEXT_FIELDS.iter().all(|f| (f.get)(self).is_empty())
    }
}

/// Where an offer takes place.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct OfferLocation {
    /// Name of the place ("Familienzentrum Am Park").
    pub name: String,
    pub street: String,
    pub postal_code: String,
    /// Amtlicher Gemeindeschlüssel of one of the district's towns.
    pub town: String,
    /// The place name as another directory gave it, kept when it is no town of the district
    /// (offers imported from elsewhere); empty for offers entered here.
    pub city: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Set when the coordinates were estimated from the address rather than given (decision
    /// 0015); an estimate moves with the address, given coordinates stay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub located: Option<Located>,
}

/// One weekly opening slot.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OpeningHours {
    pub day: Weekday,
    /// `HH:MM`
    pub opens: String,
    /// `HH:MM`
    pub closes: String,
}

/// Everything an offer says, as published or as proposed in a pending revision.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct OfferContent {
    /// Texts per locale; German is always present and has at least a title and a description.
    pub texts: BTreeMap<Locale, OfferTexts>,
    pub topics: Vec<Topic>,
    pub target_groups: Vec<TargetGroup>,
    pub min_age: Option<u8>,
    pub max_age: Option<u8>,
    /// ISO 639-1 codes of the languages the offer is delivered in.
    pub languages: Vec<String>,
    pub free_of_charge: bool,
    pub capacity: Option<Capacity>,
    pub locations: Vec<OfferLocation>,
    pub opening_hours: Vec<OpeningHours>,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    /// Before this day the offer is not shown publicly.
    pub valid_from: Option<Date>,
    /// After this day the offer leaves the public finder by itself.
    pub valid_to: Option<Date>,
    /// Per translation, the [`fingerprint`] of each German field its translated text was made
    /// from, recorded when the translation is saved: a German text changed since makes the
    /// translation outdated (decision 0015). Bookkeeping, not content: not exported, not
    /// listed as a change.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub translated_from: BTreeMap<Locale, BTreeMap<String, String>>,
}

/// A short fingerprint of a German text (16 hex digits of its SHA-1): equal texts, equal
/// fingerprints. It tells a changed source, nothing more; the text is not kept twice.
pub fn fingerprint(text: &str) -> String {
    use sha1::{Digest, Sha1};
    Sha1::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a translation keeps up with the German text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TranslationState {
    /// No translated text at all.
    Missing,
    /// Translated before the sources were recorded (or imported): nobody knows.
    Unknown,
    /// Every translated field was made from the German text as it is.
    Current,
    /// The German text of these fields (their labels) changed since they were translated.
    Outdated(Vec<&'static str>),
}

impl TranslationState {
    /// The state in a word, for lists ("aktuell", "veraltet").
    pub fn label(&self) -> &'static str {
        match self {
            TranslationState::Missing => "fehlt",
            TranslationState::Unknown => "Stand unbekannt",
            TranslationState::Current => "aktuell",
            TranslationState::Outdated(_) => "veraltet",
        }
    }

    /// A key for styles and tests.
    pub fn key(&self) -> &'static str {
        match self {
            TranslationState::Missing => "missing",
            TranslationState::Unknown => "unknown",
            TranslationState::Current => "current",
            TranslationState::Outdated(_) => "outdated",
        }
    }

    pub fn is_translated(&self) -> bool {
        *self != TranslationState::Missing
    }
}

/// A text as shown in one locale: the translation, or the German text when it is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShownText<'a> {
    pub text: &'a str,
    /// The language the text is actually in (for the `lang` attribute).
    pub locale: Locale,
}

impl ShownText<'_> {
    pub fn is_fallback(&self, wanted: Locale) -> bool {
        self.locale != wanted
    }
}

/// Applies the character rule to every string below `value` except the texts, which
/// [`OfferContent::check_imported`] checks per field; errors are named by their path.
fn check_all_strings(errors: &mut FieldErrors, path: &str, value: &serde_json::Value) {
    match value {
        serde_json::Value::String(text) => {
            if let Some(found) = forbidden_character(text, Lines::Many) {
                errors.add(
                    path,
                    format!("{path}: {}", forbidden_character_message(found)),
                );
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_all_strings(errors, &format!("{path}.{i}"), item);
            }
        }
        serde_json::Value::Object(fields) => {
            for (key, item) in fields {
                if path.is_empty() && key == "texts" {
                    continue;
                }
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                check_all_strings(errors, &path, item);
            }
        }
        _ => {}
    }
}

impl OfferContent {
    pub fn german(&self) -> &OfferTexts {
        static EMPTY: OfferTexts = OfferTexts {
            title: String::new(),
            easy_summary: String::new(),
            description: String::new(),
            schedule_note: String::new(),
            fees: String::new(),
            eligibility: String::new(),
            required_documents: String::new(),
            registration: String::new(),
            accessibility: String::new(),
        };
        self.texts.get(&Locale::De).unwrap_or(&EMPTY)
    }

    pub fn title(&self) -> &str {
        &self.german().title
    }

    /// One field in `locale`, falling back to German field by field: a translator may have done
    /// the title and description but not yet the registration notes.
    pub fn text(&self, locale: Locale, field: &TextField) -> ShownText<'_> {
        if let Some(t) = self.texts.get(&locale) {
            let text = (field.get)(t);
            if !text.is_empty() {
                return ShownText { text, locale };
            }
        }
        ShownText {
            text: (field.get)(self.german()),
            locale: Locale::De,
        }
    }

    /// Whether any field the German text has is missing in `locale` (the page then says so).
    pub fn is_incompletely_translated(&self, locale: Locale) -> bool {
        locale != Locale::De
            && TEXT_FIELDS.iter().any(|f| {
                !(f.get)(self.german()).is_empty() && self.text(locale, f).locale != locale
            })
    }

    /// Whether the translation into `locale` was made from the German text as it is now.
    pub fn translation_state(&self, locale: Locale) -> TranslationState {
        let Some(texts) = self.texts.get(&locale).filter(|t| !t.is_empty()) else {
            return TranslationState::Missing;
        };
        let Some(sources) = self.translated_from.get(&locale) else {
            return TranslationState::Unknown;
        };
        let german = self.german();
        let changed: Vec<&'static str> = TEXT_FIELDS
            .iter()
            .filter(|f| !(f.get)(texts).is_empty())
            .filter(|f| {
                sources
                    .get(f.name)
                    .is_some_and(|source| *source != fingerprint((f.get)(german)))
            })
            .map(|f| f.label)
            .collect();
        if changed.is_empty() {
            TranslationState::Current
        } else {
            TranslationState::Outdated(changed)
        }
    }

    /// The state of every translation, in the finder's order of languages.
    pub fn translation_states(&self) -> Vec<(Locale, TranslationState)> {
        Locale::translations()
            .map(|l| (l, self.translation_state(l)))
            .collect()
    }

    /// The names of the fields whose German text changed since their translation into `locale`.
    pub fn outdated_fields(&self, locale: Locale) -> Vec<&'static str> {
        let german = self.german();
        match (self.texts.get(&locale), self.translated_from.get(&locale)) {
            (Some(texts), Some(sources)) => TEXT_FIELDS
                .iter()
                .filter(|f| !(f.get)(texts).is_empty())
                .filter(|f| {
                    sources
                        .get(f.name)
                        .is_some_and(|s| *s != fingerprint((f.get)(german)))
                })
                .map(|f| f.name)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Records that the translation into `locale` was made from the German text as it is now
    /// (called when a translation is saved); forgets it when nothing is translated.
    pub fn note_translation_source(&mut self, locale: Locale) {
        let german = self.german().clone();
        let sources: BTreeMap<String, String> = self
            .texts
            .get(&locale)
            .map(|texts| {
                TEXT_FIELDS
                    .iter()
                    .filter(|f| !(f.get)(texts).is_empty())
                    .map(|f| (f.name.to_owned(), fingerprint((f.get)(&german))))
                    .collect()
            })
            .unwrap_or_default();
        if sources.is_empty() || locale == Locale::De {
            self.translated_from.remove(&locale);
        } else {
            self.translated_from.insert(locale, sources);
        }
    }

    /// Locales with at least a translated title.
    pub fn translated_locales(&self) -> Vec<Locale> {
        Locale::translations()
            .filter(|l| self.texts.get(l).is_some_and(|t| !t.title.is_empty()))
            .collect()
    }

    /// Whether the public finder shows the offer on `today`: not before its start, not after its
    /// end.
    pub fn is_current(&self, today: Date) -> bool {
        self.valid_from.is_none_or(|from| from <= today)
            && self.valid_to.is_none_or(|to| to >= today)
    }

    /// Distinct town keys of the locations, in order.
    pub fn towns(&self) -> Vec<&str> {
        let mut towns: Vec<&str> = Vec::new();
        for l in &self.locations {
            if !l.town.is_empty() && !towns.contains(&l.town.as_str()) {
                towns.push(&l.town);
            }
        }
        towns
    }
}

impl OfferContent {
    /// Checks content that did not come through the form (imports): the limits of every text in
    /// every language, a German title, coordinates and language codes. Topics, languages and
    /// towns are not required, since other directories may not have them; the form asks for
    /// them when the offer is next edited.
    pub fn check_imported(&self) -> FieldErrors {
        let mut e = FieldErrors::new();
        if self.title().trim().is_empty() {
            e.add("title", "Der Titel (name) ist leer.");
        }
        for (locale, texts) in &self.texts {
            for f in &TEXT_FIELDS {
                let value = (f.get)(texts);
                let field = format!("{}.{}", f.name, locale.key());
                let lines = if f.multiline { Lines::Many } else { Lines::One };
                if value.chars().count() > f.max {
                    e.add(&field, format!("{}: höchstens {} Zeichen.", f.label, f.max));
                } else if let Some(found) = forbidden_character(value, lines) {
                    e.add(
                        &field,
                        format!("{}: {}", f.label, forbidden_character_message(found)),
                    );
                }
            }
        }
        // Every other text of the offer (addresses, contacts, hours, notes) under the same rule:
        // an import must not store what the form would refuse.
        if let Ok(value) = serde_json::to_value(self) {
            check_all_strings(&mut e, "", &value);
        }
        for (i, l) in self.locations.iter().enumerate() {
            let bad_lat = l.latitude.is_some_and(|v| !v.is_finite() || v.abs() > 90.0);
            let bad_lon = l
                .longitude
                .is_some_and(|v| !v.is_finite() || v.abs() > 180.0);
            if bad_lat || bad_lon {
                e.add(
                    &format!("location_{i}"),
                    format!(
                        "Ort {}: Koordinaten außerhalb des gültigen Bereichs.",
                        i + 1
                    ),
                );
            }
            for (name, value, max) in [
                ("name", &l.name, 200),
                ("street", &l.street, 200),
                ("city", &l.city, 200),
            ] {
                if value.chars().count() > max {
                    e.add(
                        &format!("location_{i}"),
                        format!("Ort {}: {name} höchstens {max} Zeichen.", i + 1),
                    );
                }
            }
        }
        for code in &self.languages {
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
                e.add("languages", format!("„{code}“ ist kein ISO-639-1-Kürzel."));
            }
        }
        for (field, value, max) in [
            ("contact_name", &self.contact_name, 200),
            ("phone", &self.phone, 50),
            ("email", &self.email, 254),
            ("website", &self.website, 500),
        ] {
            if value.chars().count() > max {
                e.add(field, format!("Höchstens {max} Zeichen."));
            }
        }
        // The public pages link these: only web addresses and plausible e-mail addresses.
        let has_scheme =
            self.website.starts_with("https://") || self.website.starts_with("http://");
        if !self.website.is_empty() && !has_scheme {
            e.add(
                "website",
                format!("„{}“ ist keine Internetadresse (https://…).", self.website),
            );
        }
        if !self.email.is_empty() {
            let mut mail = FieldErrors::new();
            optional_email(&mut mail, "email", &self.email);
            if !mail.is_empty() {
                e.add(
                    "email",
                    format!("„{}“ ist keine E-Mail-Adresse.", self.email),
                );
            }
        }
        if let (Some(from), Some(to)) = (&self.valid_from, &self.valid_to)
            && to < from
        {
            e.add("valid_to", "Das Ende liegt vor dem Beginn.");
        }
        e
    }
}

/// The publication rule: a save by the coordination, or by a member of an organisation trusted
/// to publish, goes live at once; everyone else's waits for the coordination's approval. The
/// store applies it inside the transaction that saves (with the trust read there); the form asks
/// A telephone number in international form, as a phone abroad or with a foreign SIM card
/// needs it (decision 0013): "02521 12345" is shown as "+49 2521 12345" and dialled as
/// "+49252112345"; "+49 …" and "0049 …" stay German numbers, other country codes stay theirs.
/// `None` for a number without an area code (it cannot be made international) or without
/// enough digits to be one.
pub fn international_phone(phone: &str) -> Option<(String, String)> {
    // "+49 (0)2521 …": the bracketed 0 is dialled only from within Germany.
    let typed_owned = phone.trim().replace("(0)", "");
    let typed = typed_owned.as_str();
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 {
        return None;
    }
    if typed.starts_with('+') {
        let shown = typed.split_whitespace().collect::<Vec<_>>().join(" ");
        return Some((shown, format!("+{digits}")));
    }
    if let Some(rest) = digits.strip_prefix("00") {
        let shown = typed.trim_start_matches(['0']).trim_start();
        return Some((
            format!(
                "+{}",
                shown.split_whitespace().collect::<Vec<_>>().join(" ")
            ),
            format!("+{rest}"),
        ));
    }
    let national = digits.strip_prefix('0')?;
    // The number as typed, without its leading 0 and the brackets around an area code.
    let mut shown = typed.replace(['(', ')'], " ");
    if let Some(i) = shown.find('0') {
        shown.replace_range(i..=i, "");
    }
    let shown = shown.split_whitespace().collect::<Vec<_>>().join(" ");
    Some((format!("+49 {shown}"), format!("+49{national}")))
}

/// Most words the editors may add to the finder's dictionary of compound parts.
pub const FINDER_WORDS_MAX: usize = 2_000;

/// A line of the finder's word list that is not a word: its line number (from 1) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinderWordError {
    pub line: usize,
    pub message: String,
}

/// The words editors add to the finder's dictionary (decision 0013), one per line as typed:
/// letters only (with hyphens inside), 3 to 40 of them; empty lines are skipped, doubles kept
/// once, the list sorted. Every wrong line is named.
pub fn parse_finder_words(text: &str) -> Result<Vec<String>, Vec<FinderWordError>> {
    let mut words: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let word = line.trim();
        if word.is_empty() {
            continue;
        }
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        let only_letters = word.chars().all(|c| c.is_alphabetic() || c == '-')
            && !word.starts_with('-')
            && !word.ends_with('-');
        if !only_letters || !(3..=40).contains(&letters) {
            errors.push(FinderWordError {
                line: n + 1,
                message: format!(
                    "„{word}“ ist kein Wort: nur Buchstaben (Bindestriche innen), 3 bis 40."
                ),
            });
            continue;
        }
        if !words
            .iter()
            .any(|w| w.to_lowercase() == word.to_lowercase())
        {
            words.push(word.to_owned());
        }
    }
    if words.len() > FINDER_WORDS_MAX {
        errors.push(FinderWordError {
            line: 0,
            message: format!("Höchstens {FINDER_WORDS_MAX} Wörter."),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    words.sort_by_key(|w| crate::collation::sort_key(w));
    Ok(words)
}

/// it only to label its button.
pub fn publishes_directly(viewer: &crate::access::Viewer, organisation_trusted: bool) -> bool {
    crate::policy::any_allows(&viewer.roles, crate::policy::Permission::ManageOffers)
        || organisation_trusted
}

/// How long a published offer may go unverified before it is flagged and its provider reminded.
pub const VERIFICATION_MONTHS: u32 = 12;

/// The day a verification made on or before counts as overdue on `today`: twelve months back
/// (from 29 February: 28 February).
pub fn verification_overdue_before(today: Date) -> Date {
    today.years_back(1).unwrap_or(Date::EARLIEST)
}

/// Whether an offer last verified on `verified_on` is overdue for verification on `today`.
pub fn verification_overdue(verified_on: Date, today: Date) -> bool {
    verified_on <= verification_overdue_before(today)
}

/// What the offer form submits. Repeated groups (locations, opening hours) arrive as parallel lists
/// because every slot of the form sends all its fields, filled or not.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct OfferInput {
    pub title: String,
    pub easy_summary: String,
    pub description: String,
    pub schedule_note: String,
    pub fees: String,
    pub eligibility: String,
    pub required_documents: String,
    pub registration: String,
    pub accessibility: String,
    pub topics: Vec<String>,
    pub target_groups: Vec<String>,
    pub min_age: String,
    pub max_age: String,
    pub languages: Vec<String>,
    /// "yes" or "no".
    pub free_of_charge: String,
    pub capacity: String,
    pub location_name: Vec<String>,
    pub location_street: Vec<String>,
    pub location_postal_code: Vec<String>,
    pub location_town: Vec<String>,
    /// Carried through the form unseen (see [`OfferLocation::city`]).
    pub location_city: Vec<String>,
    pub location_latitude: Vec<String>,
    pub location_longitude: Vec<String>,
    /// Carried through the form unseen: how the row's coordinates were estimated and which they
    /// were ("postal_code 51.7633 7.8912"), so that an estimate left as it was follows a changed
    /// address and coordinates typed over it count as given (see [`OfferLocation::located`]).
    pub location_located: Vec<String>,
    /// One weekday per row: the older form's select, still read (imports of forms, tests).
    pub hours_day: Vec<String>,
    /// The weekdays ticked per row, as "row:day" ("0:mo", "0:tu"): check boxes send only the
    /// ticked ones, so each names its row.
    pub hours_days: Vec<String>,
    pub hours_opens: Vec<String>,
    pub hours_closes: Vec<String>,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub valid_from: String,
    pub valid_to: String,
}

fn german_text_value<'a>(input: &'a OfferInput, field: &TextField) -> &'a str {
    match field.name {
        "title" => &input.title,
        "easy_summary" => &input.easy_summary,
        "description" => &input.description,
        "schedule_note" => &input.schedule_note,
        "fees" => &input.fees,
        "eligibility" => &input.eligibility,
        "required_documents" => &input.required_documents,
        "registration" => &input.registration,
        _ => &input.accessibility,
    }
}

/// Validates one set of texts: German needs a title and a description, translations need nothing.
pub fn validate_texts(
    errors: &mut FieldErrors,
    locale: Locale,
    value: impl Fn(&TextField) -> String,
) -> OfferTexts {
    let mut texts = OfferTexts::default();
    for field in &TEXT_FIELDS {
        let raw = value(field);
        let v = if field.multiline {
            optional_multiline(errors, field.name, &raw, field.max)
        } else {
            optional_text(errors, field.name, &raw, field.max)
        };
        if locale == Locale::De && v.is_empty() && matches!(field.name, "title" | "description") {
            errors.add(field.name, "Pflichtfeld: bitte ausfüllen.");
        }
        (field.set)(&mut texts, v);
    }
    texts
}

/// `HH:MM` on a 24-hour clock, normalised to two-digit hours ("9:00" → "09:00").
pub fn parse_time(text: &str) -> Option<String> {
    let (h, m) = text.trim().split_once(':')?;
    let h: u32 = h.parse().ok()?;
    let m: u32 = (m.len() == 2).then(|| m.parse().ok()).flatten()?;
    (h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))
}

fn slot(list: &[String], i: usize) -> &str {
    list.get(i).map(|s| s.trim()).unwrap_or("")
}

/// Sets `list[i]`, growing the list as needed.
fn put(list: &mut Vec<String>, i: usize, value: String) {
    if list.len() <= i {
        list.resize(i + 1, String::new());
    }
    list[i] = value;
}

/// The estimate a form row carried ("postal_code 51.7633 7.8912").
fn carried_estimate(text: &str) -> Option<(Located, f64, f64)> {
    let mut parts = text.split_whitespace();
    let located = Located::parse(parts.next()?)?;
    let lat = parts.next()?.parse().ok()?;
    let lon = parts.next()?.parse().ok()?;
    Some((located, lat, lon))
}

/// Two coordinates are the same place (to a tenth of a millimetre).
fn same_degree(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Most opening-hours rows a form may have (seven days, each with a few slots, fit many times).
pub const MAX_HOUR_ROWS: usize = 50;

/// An opening-hours row of the form: the weekdays ticked, one opening and closing time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursRow {
    pub days: Vec<Weekday>,
    pub opens: String,
    pub closes: String,
}

impl OfferInput {
    /// Checks the form. The German texts replace `previous`'s; translations are kept as they are
    /// (they are edited on their own page). Town keys are checked by the caller against the store.
    pub fn validate(&self, previous: Option<&OfferContent>) -> Result<OfferContent, FieldErrors> {
        let (content, errors) = self.check(previous);
        errors.into_result(content)
    }

    /// [`OfferInput::validate`] that keeps what is valid even when something is not: the content
    /// without the wrong values, with the errors (for the form's preview).
    pub fn check(&self, previous: Option<&OfferContent>) -> (OfferContent, FieldErrors) {
        let mut e = FieldErrors::new();
        let german = validate_texts(&mut e, Locale::De, |f| {
            german_text_value(self, f).to_owned()
        });
        let mut texts = previous.map(|p| p.texts.clone()).unwrap_or_default();
        texts.insert(Locale::De, german);
        let translated_from = previous
            .map(|p| p.translated_from.clone())
            .unwrap_or_default();

        let mut topics = Vec::new();
        for t in self.topics.iter().filter(|t| !t.trim().is_empty()) {
            match Topic::parse(t) {
                Some(topic) if !topics.contains(&topic) => topics.push(topic),
                Some(_) => {}
                None => e.add("topics", format!("Unbekanntes Thema „{}“.", t.trim())),
            }
        }
        if topics.is_empty() && e.get("topics").is_none() {
            e.add("topics", "Bitte mindestens ein Thema wählen.");
        }
        let mut target_groups = Vec::new();
        for t in self.target_groups.iter().filter(|t| !t.trim().is_empty()) {
            match TargetGroup::parse(t) {
                Some(g) if !target_groups.contains(&g) => target_groups.push(g),
                Some(_) => {}
                None => e.add(
                    "target_groups",
                    format!("Unbekannte Zielgruppe „{}“.", t.trim()),
                ),
            }
        }
        let mut age = |field: &str, text: &str| -> Option<u8> {
            let t = text.trim();
            if t.is_empty() {
                return None;
            }
            match t.parse::<u8>() {
                Ok(a) if a <= 120 => Some(a),
                _ => {
                    e.add(field, format!("„{t}“ ist kein Alter (0 bis 120)."));
                    None
                }
            }
        };
        let min_age = age("min_age", &self.min_age);
        let max_age = age("max_age", &self.max_age);
        if let (Some(min), Some(max)) = (min_age, max_age)
            && max < min
        {
            e.add("max_age", "Das Höchstalter liegt unter dem Mindestalter.");
        }
        let mut languages: Vec<String> = Vec::new();
        for l in self.languages.iter().filter(|l| !l.trim().is_empty()) {
            match parse_delivery_language(l) {
                Some(code) if !languages.iter().any(|x| x == code) => {
                    languages.push(code.to_owned())
                }
                Some(_) => {}
                None => e.add(
                    "languages",
                    format!(
                        "Unbekannte Sprache „{}“ (ISO-639-1-Kürzel wie „ar“ oder deutscher Name).",
                        l.trim()
                    ),
                ),
            }
        }
        if languages.is_empty() && e.get("languages").is_none() {
            e.add(
                "languages",
                "Bitte mindestens eine Sprache wählen, in der das Angebot stattfindet.",
            );
        }
        let free_of_charge = match self.free_of_charge.trim() {
            "yes" | "ja" | "true" | "1" => true,
            "no" | "nein" | "false" | "0" => false,
            _ => {
                e.add(
                    "free_of_charge",
                    "Bitte angeben, ob das Angebot kostenlos ist.",
                );
                false
            }
        };
        let capacity = match self.capacity.trim() {
            "" => None,
            other => {
                let c = Capacity::parse(other);
                if c.is_none() {
                    e.add(
                        "capacity",
                        "Erlaubt: Plätze frei, Warteliste, ausgebucht oder keine Angabe.",
                    );
                }
                c
            }
        };

        let mut locations = Vec::new();
        for i in 0..self.location_rows() {
            let name = slot(&self.location_name, i);
            let street = slot(&self.location_street, i);
            let postal = slot(&self.location_postal_code, i);
            let town = slot(&self.location_town, i);
            let lat = slot(&self.location_latitude, i);
            let lon = slot(&self.location_longitude, i);
            if [name, street, postal, town, lat, lon]
                .iter()
                .all(|s| s.is_empty())
            {
                continue;
            }
            let n = i + 1;
            let name = optional_text(&mut e, &format!("location_name_{i}"), name, 200);
            let street = optional_text(&mut e, &format!("location_street_{i}"), street, 200);
            let well_formed = postal.len() == 5 && postal.bytes().all(|b| b.is_ascii_digit());
            if !postal.is_empty() && !well_formed {
                e.add(
                    &format!("location_postal_code_{i}"),
                    format!("Ort {n}: Die Postleitzahl hat fünf Ziffern."),
                );
            }
            if town.is_empty() {
                e.add(
                    &format!("location_town_{i}"),
                    format!("Ort {n}: Bitte die Stadt oder Gemeinde wählen."),
                );
            } else if well_formed && postcode_town(postal).is_some_and(|p| p.ags != town) {
                e.add(
                    &format!("location_postal_code_{i}"),
                    format!(
                        "Ort {n}: Die Postleitzahl {postal} gehört zu einer anderen Stadt oder Gemeinde des Kreises als der gewählten."
                    ),
                );
            }
            let mut coordinate = |field: String, text: &str, limit: f64, what: &str| {
                if text.is_empty() {
                    return None;
                }
                match text.replace(',', ".").parse::<f64>() {
                    Ok(v) if v.is_finite() && v.abs() <= limit => Some(v),
                    _ => {
                        e.add(
                            &field,
                            format!(
                                "Ort {n}: „{text}“ ist kein {what} (Dezimalgrad, z. B. 51,76)."
                            ),
                        );
                        None
                    }
                }
            };
            let latitude = coordinate(format!("location_latitude_{i}"), lat, 90.0, "Breitengrad");
            let longitude = coordinate(format!("location_longitude_{i}"), lon, 180.0, "Längengrad");
            if lat.is_empty() != lon.is_empty() {
                e.add(
                    &format!("location_longitude_{i}"),
                    format!("Ort {n}: Breiten- und Längengrad gehören zusammen."),
                );
            }
            // No coordinates, or the estimate the form carried left as it was: the position
            // comes from the address as it is now. Coordinates typed (or clicked on the map)
            // are kept as given.
            let carried = carried_estimate(slot(&self.location_located, i));
            let untouched = matches!(
                (latitude, longitude, carried),
                (Some(a), Some(b), Some((_, ca, cb))) if same_degree(a, ca) && same_degree(b, cb)
            );
            let (latitude, longitude, located) = if (lat.is_empty() && lon.is_empty()) || untouched
            {
                match estimate(postal, town) {
                    Some(est) => (Some(est.lat), Some(est.lon), Some(est.located)),
                    None => (latitude, longitude, None),
                }
            } else {
                (latitude, longitude, None)
            };
            if let (Some(a), Some(b), None) = (latitude, longitude, located)
                && !in_district((a, b))
            {
                let shown = |v: f64| v.to_string().replace('.', ",");
                let message = if in_district((b, a)) {
                    format!(
                        "Ort {n}: Die Lage {} / {} liegt außerhalb des Kreises Warendorf. Sind Breiten- und Längengrad vertauscht? Der Breitengrad liegt im Kreis bei etwa 51,7 bis 52,1, der Längengrad bei 7,7 bis 8,3.",
                        shown(a),
                        shown(b)
                    )
                } else {
                    format!(
                        "Ort {n}: Die Lage {} / {} liegt etwa {} km außerhalb des Kreises Warendorf. Bitte Breiten- und Längengrad prüfen oder leer lassen: Dann wird die Lage aus der Adresse geschätzt.",
                        shown(a),
                        shown(b),
                        crate::town::km_outside_district((a, b)).round()
                    )
                };
                e.add(&format!("location_latitude_{i}"), message);
            }
            locations.push(OfferLocation {
                name,
                street,
                postal_code: postal.to_owned(),
                town: town.to_owned(),
                city: slot(&self.location_city, i).to_owned(),
                latitude,
                longitude,
                located,
            });
        }

        let opening_hours = self.check_hours(&mut e);

        let contact_name = optional_text(&mut e, "contact_name", &self.contact_name, 200);
        let phone = optional_text(&mut e, "phone", &self.phone, 50);
        if !phone.is_empty()
            && !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-/()".contains(c))
        {
            e.add(
                "phone",
                "Nur Ziffern, Leerzeichen und + - / ( ) sind erlaubt.",
            );
        }
        let email = optional_email(&mut e, "email", &self.email);
        let website = optional_text(&mut e, "website", &self.website, 500);
        let has_scheme = website.starts_with("https://") || website.starts_with("http://");
        if !website.is_empty() && !has_scheme {
            e.add("website", "Die Adresse beginnt mit https:// oder http://.");
        }
        let valid_from = optional_date(&mut e, "valid_from", &self.valid_from);
        let valid_to = optional_date(&mut e, "valid_to", &self.valid_to);
        if let (Some(from), Some(to)) = (&valid_from, &valid_to)
            && to < from
        {
            e.add("valid_to", "Das Ende liegt vor dem Beginn.");
        }

        let content = OfferContent {
            texts,
            topics,
            target_groups,
            min_age,
            max_age,
            languages,
            free_of_charge,
            capacity,
            locations,
            opening_hours,
            contact_name,
            phone,
            email,
            website,
            valid_from,
            valid_to,
            translated_from,
        };
        (content, e)
    }

    /// The ticked days' keys by row, read once (a form may send many).
    fn ticked(&self) -> BTreeMap<usize, Vec<&str>> {
        let mut rows: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
        for (row, day) in self.hours_days.iter().filter_map(|t| t.split_once(':')) {
            if let Ok(row) = row.trim().parse::<usize>()
                && row < MAX_HOUR_ROWS
            {
                rows.entry(row).or_default().push(day.trim());
            }
        }
        rows
    }

    /// The weekdays ticked in opening-hours row `i`: the check boxes' and the older select's, in
    /// the week's order, each once; unknown ones are named in `errors`.
    fn row_days(
        &self,
        ticked: &BTreeMap<usize, Vec<&str>>,
        i: usize,
        errors: Option<&mut FieldErrors>,
    ) -> Vec<Weekday> {
        let mut keys: Vec<&str> = ticked.get(&i).cloned().unwrap_or_default();
        keys.push(slot(&self.hours_day, i));
        let mut unknown = Vec::new();
        let mut days = Vec::new();
        for key in keys.into_iter().filter(|k| !k.is_empty()) {
            match Weekday::parse(key) {
                Some(day) if !days.contains(&day) => days.push(day),
                Some(_) => {}
                None => unknown.push(key),
            }
        }
        if let (Some(e), Some(key)) = (errors, unknown.first()) {
            e.add(
                &format!("hours_days_{i}"),
                format!("Zeit {}: „{key}“ ist kein Wochentag.", i + 1),
            );
        }
        days.sort_by_key(|d| Weekday::ALL.iter().position(|w| w == d));
        days
    }

    /// How many opening-hours rows the form sent (every row sends its times, ticked or not), up
    /// to [`MAX_HOUR_ROWS`].
    fn hour_row_count(&self) -> usize {
        self.sent_hour_rows().min(MAX_HOUR_ROWS)
    }

    fn sent_hour_rows(&self) -> usize {
        self.hours_day
            .len()
            .max(self.hours_opens.len())
            .max(self.hours_closes.len())
    }

    /// The opening-hours rows: each row names one or more weekdays and one opening time, and
    /// becomes one slot per day (the data stays per day). Slots are ordered by day and time.
    fn check_hours(&self, e: &mut FieldErrors) -> Vec<OpeningHours> {
        // (row, slot) of every valid row, to find overlaps between rows.
        let mut slots: Vec<(usize, OpeningHours)> = Vec::new();
        let beyond = (MAX_HOUR_ROWS..self.sent_hour_rows()).any(|i| {
            !slot(&self.hours_opens, i).is_empty()
                || !slot(&self.hours_closes, i).is_empty()
                || !slot(&self.hours_day, i).is_empty()
        });
        if beyond {
            e.add(
                &format!("hours_days_{}", MAX_HOUR_ROWS - 1),
                format!("Höchstens {MAX_HOUR_ROWS} Zeilen mit Zeiten."),
            );
        }
        let ticked = self.ticked();
        for i in 0..self.hour_row_count() {
            let n = i + 1;
            let days = self.row_days(&ticked, i, Some(&mut *e));
            let opens = slot(&self.hours_opens, i);
            let closes = slot(&self.hours_closes, i);
            let unknown_day = e.has(&format!("hours_days_{i}"));
            if days.is_empty() && opens.is_empty() && closes.is_empty() {
                continue;
            }
            if days.is_empty() && !unknown_day {
                e.add(
                    &format!("hours_days_{i}"),
                    format!("Zeit {n}: Bitte mindestens einen Wochentag ankreuzen."),
                );
            }
            let mut time = |field: String, text: &str, what: &str| {
                if text.is_empty() {
                    e.add(
                        &field,
                        format!("Zeit {n}: Bitte {what} angeben (SS:MM, z. B. 09:30)."),
                    );
                    return None;
                }
                let t = parse_time(text);
                if t.is_none() {
                    e.add(
                        &field,
                        format!("Zeit {n}: „{text}“ ist keine Uhrzeit (SS:MM, z. B. 09:30)."),
                    );
                }
                t
            };
            let opens = time(format!("hours_opens_{i}"), opens, "den Beginn");
            let closes = time(format!("hours_closes_{i}"), closes, "das Ende");
            let (Some(opens), Some(closes)) = (opens, closes) else {
                continue;
            };
            if closes <= opens {
                e.add(
                    &format!("hours_closes_{i}"),
                    format!(
                        "Zeit {n}: Das Ende ({closes} Uhr) liegt nicht nach dem Beginn ({opens} Uhr)."
                    ),
                );
                continue;
            }
            for day in days {
                let slot = OpeningHours {
                    day,
                    opens: opens.clone(),
                    closes: closes.clone(),
                };
                let clash = slots
                    .iter()
                    .find(|(_, s)| s.day == day && s.opens < slot.closes && slot.opens < s.closes);
                match clash {
                    Some((_, s)) if *s == slot => {}
                    Some((row, s)) => {
                        if !e.has(&format!("hours_opens_{i}")) {
                            e.add(
                                &format!("hours_opens_{i}"),
                                format!(
                                    "Zeit {n}: Am {} überschneidet sie sich mit Zeit {} ({}–{} Uhr).",
                                    day.label(),
                                    row + 1,
                                    s.opens,
                                    s.closes
                                ),
                            );
                        }
                    }
                    None => slots.push((i, slot)),
                }
            }
        }
        let mut hours: Vec<OpeningHours> = slots.into_iter().map(|(_, s)| s).collect();
        hours.sort_by(|a, b| {
            let day = |h: &OpeningHours| Weekday::ALL.iter().position(|w| *w == h.day);
            day(a).cmp(&day(b)).then_with(|| a.opens.cmp(&b.opens))
        });
        hours
    }

    /// The opening-hours rows as the form shows them: days ticked, opening and closing time.
    pub fn hour_rows(&self) -> Vec<HoursRow> {
        let ticked = self.ticked();
        (0..self.hour_row_count())
            .map(|i| HoursRow {
                days: self.row_days(&ticked, i, None),
                opens: slot(&self.hours_opens, i).to_owned(),
                closes: slot(&self.hours_closes, i).to_owned(),
            })
            .collect()
    }

    /// Ticks `days` in opening-hours row `i` (the form's quick choices, "Mo–Fr").
    pub fn tick_days(&mut self, i: usize, days: &[Weekday]) {
        if i >= self.hour_row_count() {
            return;
        }
        let ticked = self.row_days(&self.ticked(), i, None);
        for day in days {
            if !ticked.contains(day) {
                self.hours_days.push(format!("{i}:{}", day.key()));
            }
        }
    }

    /// Fills location `i`'s coordinates from its address (the form's button "Lage aus Adresse
    /// übernehmen"); `None`, and nothing changed, when the address names no place of the
    /// district.
    pub fn locate(&mut self, i: usize) -> Option<crate::town::Estimate> {
        if i >= self.location_rows() {
            return None;
        }
        let est = estimate(
            slot(&self.location_postal_code, i),
            slot(&self.location_town, i),
        )?;
        put(&mut self.location_latitude, i, est.lat.to_string());
        put(&mut self.location_longitude, i, est.lon.to_string());
        put(
            &mut self.location_located,
            i,
            format!("{} {} {}", est.located.key(), est.lat, est.lon),
        );
        Some(est)
    }

    /// How location `i`'s coordinates came about, if they are the estimate the form carried.
    pub fn location_estimate(&self, i: usize) -> Option<Located> {
        let (located, a, b) = carried_estimate(slot(&self.location_located, i))?;
        let typed = |list: &[String]| slot(list, i).replace(',', ".").parse::<f64>().ok();
        let same = typed(&self.location_latitude).is_some_and(|v| same_degree(v, a))
            && typed(&self.location_longitude).is_some_and(|v| same_degree(v, b));
        same.then_some(located)
    }

    /// The form pre-filled from stored content, with `empty_slots` extra blank location and
    /// opening-hour rows to fill in.
    pub fn from_content(content: &OfferContent, empty_slots: usize) -> OfferInput {
        let g = content.german();
        let mut input = OfferInput {
            title: g.title.clone(),
            easy_summary: g.easy_summary.clone(),
            description: g.description.clone(),
            schedule_note: g.schedule_note.clone(),
            fees: g.fees.clone(),
            eligibility: g.eligibility.clone(),
            required_documents: g.required_documents.clone(),
            registration: g.registration.clone(),
            accessibility: g.accessibility.clone(),
            topics: content.topics.iter().map(|t| t.key().to_owned()).collect(),
            target_groups: content
                .target_groups
                .iter()
                .map(|t| t.key().to_owned())
                .collect(),
            min_age: content.min_age.map(|a| a.to_string()).unwrap_or_default(),
            max_age: content.max_age.map(|a| a.to_string()).unwrap_or_default(),
            languages: content.languages.clone(),
            free_of_charge: if content.free_of_charge { "yes" } else { "no" }.to_owned(),
            capacity: content
                .capacity
                .map(|c| c.key().to_owned())
                .unwrap_or_default(),
            contact_name: content.contact_name.clone(),
            phone: content.phone.clone(),
            email: content.email.clone(),
            website: content.website.clone(),
            valid_from: content
                .valid_from
                .map(|d| d.to_string())
                .unwrap_or_default(),
            valid_to: content.valid_to.map(|d| d.to_string()).unwrap_or_default(),
            ..OfferInput::default()
        };
        for l in &content.locations {
            input.location_name.push(l.name.clone());
            input.location_street.push(l.street.clone());
            input.location_postal_code.push(l.postal_code.clone());
            input.location_town.push(l.town.clone());
            input.location_city.push(l.city.clone());
            input
                .location_latitude
                .push(l.latitude.map(|v| v.to_string()).unwrap_or_default());
            input
                .location_longitude
                .push(l.longitude.map(|v| v.to_string()).unwrap_or_default());
            input
                .location_located
                .push(match (l.located, l.latitude, l.longitude) {
                    (Some(how), Some(a), Some(b)) => format!("{} {a} {b}", how.key()),
                    _ => String::new(),
                });
        }
        // Days with the same times share a row ("Mo–Fr 09:00–12:00"), in the order they first
        // appear.
        let mut rows: Vec<(&str, &str)> = Vec::new();
        for h in &content.opening_hours {
            let times = (h.opens.as_str(), h.closes.as_str());
            let row = match rows.iter().position(|r| *r == times) {
                Some(row) => row,
                None => {
                    rows.push(times);
                    input.hours_day.push(String::new());
                    input.hours_opens.push(h.opens.clone());
                    input.hours_closes.push(h.closes.clone());
                    rows.len() - 1
                }
            };
            input.hours_days.push(format!("{row}:{}", h.day.key()));
        }
        input.pad(empty_slots);
        input
    }

    /// Makes sure the form has one blank location and one blank opening-hours row to fill in
    /// (without adding a second blank one each time the form comes back).
    pub fn ensure_blank_rows(&mut self) {
        let locations = self.location_rows();
        let blank_location = locations > 0
            && [
                &self.location_name,
                &self.location_street,
                &self.location_postal_code,
                &self.location_town,
                &self.location_latitude,
                &self.location_longitude,
            ]
            .iter()
            .all(|list| slot(list, locations - 1).is_empty());
        if !blank_location {
            for list in [
                &mut self.location_name,
                &mut self.location_street,
                &mut self.location_postal_code,
                &mut self.location_town,
                &mut self.location_city,
                &mut self.location_latitude,
                &mut self.location_longitude,
                &mut self.location_located,
            ] {
                list.resize(locations, String::new());
                list.push(String::new());
            }
        }
        let rows = self.hour_rows();
        let blank_hours = rows
            .last()
            .is_some_and(|r| r.days.is_empty() && r.opens.is_empty() && r.closes.is_empty());
        if !blank_hours {
            let n = rows.len();
            for list in [
                &mut self.hours_day,
                &mut self.hours_opens,
                &mut self.hours_closes,
            ] {
                list.resize(n, String::new());
                list.push(String::new());
            }
        }
    }

    /// How many location rows the form sent.
    pub fn location_rows(&self) -> usize {
        [
            self.location_name.len(),
            self.location_street.len(),
            self.location_postal_code.len(),
            self.location_town.len(),
            self.location_latitude.len(),
            self.location_longitude.len(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    }

    /// Adds blank rows so the form always has room for one more location and opening slot.
    pub fn pad(&mut self, empty_slots: usize) {
        for _ in 0..empty_slots {
            for list in [
                &mut self.location_name,
                &mut self.location_street,
                &mut self.location_postal_code,
                &mut self.location_town,
                &mut self.location_city,
                &mut self.location_latitude,
                &mut self.location_longitude,
                &mut self.location_located,
                &mut self.hours_day,
                &mut self.hours_opens,
                &mut self.hours_closes,
            ] {
                list.push(String::new());
            }
        }
    }
}

/// Field label for error summaries ("Ort 2: …" messages carry their row themselves).
pub fn field_label(field: &str) -> &str {
    if let Some(f) = TEXT_FIELDS.iter().find(|f| f.name == field) {
        return f.label;
    }
    match field {
        "topics" => "Themen",
        "target_groups" => "Zielgruppen",
        "min_age" => "Mindestalter",
        "max_age" => "Höchstalter",
        "languages" => "Sprachen des Angebots",
        "free_of_charge" => "Kostenlos",
        "capacity" => "Plätze",
        "contact_name" => "Ansprechperson",
        "phone" => "Telefon",
        "email" => "E-Mail",
        "website" => "Internetseite",
        "valid_from" => "Gültig ab",
        "valid_to" => "Gültig bis",
        "state" => "Bearbeitungsstand",
        f if f.starts_with("location_") => "Ort",
        f if f.starts_with("hours_") => "Zeiten",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_input() -> OfferInput {
        OfferInput {
            title: "Sprachkurs für Frauen".into(),
            description: "Deutsch lernen mit Kinderbetreuung.".into(),
            topics: vec!["language_course".into()],
            target_groups: vec!["women".into()],
            languages: vec!["de".into(), "Arabisch".into()],
            free_of_charge: "yes".into(),
            location_name: vec!["Familienzentrum".into(), String::new()],
            location_street: vec!["Marktplatz 1".into(), String::new()],
            location_postal_code: vec!["59227".into(), String::new()],
            location_town: vec!["05570004".into(), String::new()],
            location_latitude: vec!["51,7633".into(), String::new()],
            location_longitude: vec!["7.8912".into(), String::new()],
            hours_day: vec!["mo".into(), String::new()],
            hours_opens: vec!["9:00".into(), String::new()],
            hours_closes: vec!["11:30".into(), String::new()],
            ..OfferInput::default()
        }
    }

    #[test]
    fn a_valid_form_becomes_content_and_blank_rows_are_skipped() {
        let content = valid_input().validate(None).expect("valid");
        assert_eq!(content.title(), "Sprachkurs für Frauen");
        assert_eq!(content.languages, ["de", "ar"]);
        assert_eq!(content.locations.len(), 1);
        assert_eq!(content.locations[0].latitude, Some(51.7633));
        assert_eq!(content.opening_hours[0].opens, "09:00");
        assert!(content.free_of_charge);
        // The form round-trips through from_content.
        let again = OfferInput::from_content(&content, 0)
            .validate(None)
            .expect("valid");
        assert_eq!(again, content);
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut input = valid_input();
        input.title.clear();
        input.topics = vec!["astrologie".into()];
        input.languages.clear();
        input.free_of_charge.clear();
        input.location_town[0].clear();
        input.location_postal_code[0] = "1234".into();
        input.hours_closes[0] = "08:00".into();
        input.valid_from = "2026-02-30".into();
        input.website = "www.example.org".into();
        let e = input.validate(None).expect_err("invalid");
        for field in [
            "title",
            "topics",
            "languages",
            "free_of_charge",
            "location_town_0",
            "location_postal_code_0",
            "hours_closes_0",
            "valid_from",
            "website",
        ] {
            assert!(e.get(field).is_some(), "{field}: {e}");
        }
        assert!(
            e.get("location_town_0")
                .is_some_and(|m| m.starts_with("Ort 1"))
        );
    }

    #[test]
    fn translations_fall_back_to_german_field_by_field() {
        let mut content = valid_input().validate(None).expect("valid");
        content.texts.insert(
            Locale::Ar,
            OfferTexts {
                title: "دورة لغة للنساء".into(),
                ..OfferTexts::default()
            },
        );
        let title = content.text(Locale::Ar, &TEXT_FIELDS[0]);
        assert_eq!(title.locale, Locale::Ar);
        let description = content.text(Locale::Ar, &TEXT_FIELDS[2]);
        assert_eq!(description.locale, Locale::De);
        assert!(description.is_fallback(Locale::Ar));
        assert!(content.is_incompletely_translated(Locale::Ar));
        assert!(content.is_incompletely_translated(Locale::Tr));
        assert!(!content.is_incompletely_translated(Locale::De));
        assert_eq!(content.translated_locales(), [Locale::Ar]);
    }

    #[test]
    fn editing_the_german_form_keeps_translations() {
        let mut content = valid_input().validate(None).expect("valid");
        content.texts.insert(
            Locale::En,
            OfferTexts {
                title: "Language course for women".into(),
                ..OfferTexts::default()
            },
        );
        let mut input = valid_input();
        input.title = "Sprachkurs für Frauen (neu)".into();
        let edited = input.validate(Some(&content)).expect("valid");
        assert_eq!(edited.title(), "Sprachkurs für Frauen (neu)");
        assert_eq!(edited.texts[&Locale::En].title, "Language course for women");
    }

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap_or(Date::EARLIEST)
    }

    #[test]
    fn current_means_between_valid_from_and_valid_to() {
        let content = OfferContent {
            valid_from: Date::parse("2026-01-01"),
            valid_to: Date::parse("2026-06-30"),
            ..OfferContent::default()
        };
        assert!(!content.is_current(day("2025-12-31")));
        assert!(content.is_current(day("2026-01-01")));
        assert!(content.is_current(day("2026-06-30")));
        assert!(!content.is_current(day("2026-07-01")));
        assert!(OfferContent::default().is_current(day("2026-07-01")));
    }

    #[test]
    fn verification_is_overdue_after_twelve_months() {
        assert!(!verification_overdue(day("2025-11-26"), day("2026-11-25")));
        assert!(verification_overdue(day("2025-11-25"), day("2026-11-25")));
        assert!(verification_overdue(day("2024-03-01"), day("2026-11-25")));
        assert!(verification_overdue(day("2023-02-28"), day("2024-02-29")));
    }

    #[test]
    fn locales_parse_browser_tags_and_know_their_direction() {
        assert_eq!(Locale::parse("ar-SY"), Some(Locale::Ar));
        assert_eq!(Locale::parse("FA"), Some(Locale::Fa));
        assert_eq!(Locale::parse("xx"), None);
        assert_eq!(Locale::parse("fa-AF"), Some(Locale::Prs));
        assert_eq!(Locale::parse("fa_IR"), Some(Locale::Fa));
        assert_eq!(Locale::parse("prs"), Some(Locale::Prs));
        assert_eq!(Locale::parse("de-x-ls"), Some(Locale::Ls));
        assert!(Locale::Prs.is_rtl() && !Locale::Ti.is_rtl());
        assert_eq!(Locale::Ls.lang_tag(), "de-x-ls");
        assert!(Locale::Ar.is_rtl() && Locale::Fa.is_rtl());
        assert!(!Locale::Uk.is_rtl());
    }

    #[test]
    fn content_serialises_with_locale_keys() {
        let content = valid_input().validate(None).expect("valid");
        let json = serde_json::to_string(&content).expect("json");
        assert!(
            json.contains("\"de\":{\"title\":\"Sprachkurs für Frauen\""),
            "{json}"
        );
        assert!(json.contains("\"topics\":[\"language_course\"]"));
        let back: OfferContent = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, content);
    }

    #[test]
    fn finder_words_are_checked_line_by_line() {
        assert_eq!(
            parse_finder_words("Krabbel\n\n zwerg \nKRABBEL\nNäh-Café").unwrap(),
            ["Krabbel", "Näh-Café", "zwerg"]
        );
        let errors = parse_finder_words("gut\nx1\nab\n-an").unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4]);
    }

    #[test]
    fn phone_numbers_are_given_in_international_form() {
        let p = |t: &str| international_phone(t);
        assert_eq!(
            p("02521 12345"),
            Some(("+49 2521 12345".into(), "+49252112345".into()))
        );
        assert_eq!(
            p("(02382) 94 00-0"),
            Some(("+49 2382 94 00-0".into(), "+49238294000".into()))
        );
        assert_eq!(
            p("+49 2581 53-0"),
            Some(("+49 2581 53-0".into(), "+492581530".into()))
        );
        assert_eq!(
            p("0049 2581 530"),
            Some(("+49 2581 530".into(), "+492581530".into()))
        );
        assert_eq!(
            p("+31 20 123 4567"),
            Some(("+31 20 123 4567".into(), "+31201234567".into()))
        );
        assert_eq!(
            p("+49 (0)2521 12345"),
            Some(("+49 2521 12345".into(), "+49252112345".into()))
        );
        assert_eq!(p("12345"), None, "too short");
        assert_eq!(p("7788 99"), None, "no area code");
    }

    #[test]
    fn a_row_with_several_days_becomes_one_slot_per_day() {
        let mut input = valid_input();
        input.hours_day = vec![String::new(), String::new(), String::new()];
        input.hours_opens = vec!["9:00".into(), "14:00".into(), String::new()];
        input.hours_closes = vec!["12:00".into(), "16:30".into(), String::new()];
        input.hours_days = ["0:mo", "0:tu", "0:we", "0:th", "0:fr", "1:we"]
            .map(String::from)
            .to_vec();
        let content = input.validate(None).expect("valid");
        let slots: Vec<String> = content
            .opening_hours
            .iter()
            .map(|h| format!("{} {}-{}", h.day.key(), h.opens, h.closes))
            .collect();
        assert_eq!(
            slots,
            [
                "mo 09:00-12:00",
                "tu 09:00-12:00",
                "we 09:00-12:00",
                "we 14:00-16:30",
                "th 09:00-12:00",
                "fr 09:00-12:00"
            ]
        );
        // Back in the form, days with the same times share a row.
        let again = OfferInput::from_content(&content, 0);
        let rows = again.hour_rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].days.len(), 5);
        assert_eq!(
            (rows[1].days.clone(), rows[1].opens.as_str()),
            (vec![Weekday::Wednesday], "14:00")
        );
        assert_eq!(again.validate(None).expect("valid"), content);
    }

    #[test]
    fn hours_rows_name_their_mistakes() {
        let mut input = valid_input();
        input.hours_day = vec![String::new(); 4];
        input.hours_opens = ["10:00", "12:00", "", "11:00"].map(String::from).to_vec();
        input.hours_closes = ["12:00", "11:00", "", "13:00"].map(String::from).to_vec();
        input.hours_days = ["1:mo", "2:sa", "3:mo", "3:xx"].map(String::from).to_vec();
        let e = input.validate(None).expect_err("invalid");
        assert_eq!(
            e.get("hours_days_0"),
            Some("Zeit 1: Bitte mindestens einen Wochentag ankreuzen.")
        );
        assert_eq!(
            e.get("hours_closes_1"),
            Some("Zeit 2: Das Ende (11:00 Uhr) liegt nicht nach dem Beginn (12:00 Uhr).")
        );
        assert_eq!(
            e.get("hours_opens_2"),
            Some("Zeit 3: Bitte den Beginn angeben (SS:MM, z. B. 09:30).")
        );
        assert_eq!(
            e.get("hours_days_3"),
            Some("Zeit 4: „xx“ ist kein Wochentag.")
        );

        let mut overlap = valid_input();
        overlap.hours_day = vec![String::new(); 2];
        overlap.hours_opens = ["09:00", "11:00"].map(String::from).to_vec();
        overlap.hours_closes = ["12:00", "13:00"].map(String::from).to_vec();
        overlap.hours_days = ["0:mo", "0:tu", "1:tu"].map(String::from).to_vec();
        let e = overlap.validate(None).expect_err("overlap");
        assert_eq!(
            e.get("hours_opens_1"),
            Some("Zeit 2: Am Dienstag überschneidet sie sich mit Zeit 1 (09:00–12:00 Uhr).")
        );
    }

    #[test]
    fn a_form_has_at_most_fifty_rows_of_hours() {
        let mut input = valid_input();
        let rows = MAX_HOUR_ROWS + 10;
        input.hours_day = vec!["mo".into(); rows];
        input.hours_opens = (0..rows).map(|i| format!("{:02}:00", i % 23)).collect();
        input.hours_closes = (0..rows).map(|i| format!("{:02}:30", i % 23)).collect();
        let e = input.validate(None).expect_err("too many");
        assert_eq!(
            e.get("hours_days_49"),
            Some("Höchstens 50 Zeilen mit Zeiten.")
        );
        assert_eq!(input.hour_rows().len(), MAX_HOUR_ROWS);
    }

    #[test]
    fn quick_choices_tick_days_and_blank_rows_are_not_doubled() {
        let mut input = valid_input();
        input.tick_days(1, &Weekday::ALL[..5]);
        assert_eq!(input.hour_rows()[1].days.len(), 5);
        input.ensure_blank_rows();
        input.ensure_blank_rows();
        assert_eq!(input.hour_rows().len(), 3, "one blank row after the two");
        assert_eq!(
            input.location_rows(),
            2,
            "the blank second location stays the only one"
        );
    }

    #[test]
    fn places_without_coordinates_are_placed_from_the_address() {
        let mut input = valid_input();
        input.location_latitude[0].clear();
        input.location_longitude[0].clear();
        input.location_postal_code[0] = "59229".into();
        let content = input.validate(None).expect("valid");
        let place = &content.locations[0];
        assert_eq!(
            (place.latitude, place.longitude),
            (Some(51.7633), Some(7.8912))
        );
        assert_eq!(place.located, Some(Located::PostalCode));

        // Left as they were, estimated coordinates follow the address to another town…
        let mut moved = OfferInput::from_content(&content, 0);
        moved.location_postal_code[0] = "59269".into();
        moved.location_town[0] = "05570008".into();
        let place = moved.validate(None).expect("valid").locations[0].clone();
        assert_eq!(
            (place.latitude, place.longitude),
            (Some(51.7558), Some(8.0413))
        );
        // …while coordinates typed over them are kept as given.
        let mut typed = OfferInput::from_content(&content, 0);
        typed.location_latitude[0] = "51,7701".into();
        let place = typed.validate(None).expect("valid").locations[0].clone();
        assert_eq!((place.latitude, place.located), (Some(51.7701), None));

        // The button fills the form the same way.
        let mut form = valid_input();
        assert_eq!(
            form.locate(1 << 40),
            None,
            "no row grows from a made-up number"
        );
        let est = form.locate(0).expect("Ahlen");
        assert_eq!(est.located, Located::PostalCode);
        assert_eq!(form.location_latitude[0], "51.7633");
        assert_eq!(form.location_estimate(0), Some(Located::PostalCode));
    }

    #[test]
    fn places_outside_the_district_and_wrong_postcodes_are_refused() {
        let mut input = valid_input();
        input.location_latitude[0] = "51,9624".into();
        input.location_longitude[0] = "7,6257".into();
        let e = input.validate(None).expect_err("Münster");
        let message = e.get("location_latitude_0").unwrap_or_default();
        assert!(
            message.contains("außerhalb des Kreises Warendorf"),
            "{message}"
        );

        let mut swapped = valid_input();
        swapped.location_latitude[0] = "7.8912".into();
        swapped.location_longitude[0] = "51.7633".into();
        let e = swapped.validate(None).expect_err("swapped");
        assert!(
            e.get("location_latitude_0")
                .is_some_and(|m| m.contains("vertauscht")),
            "{e}"
        );

        let mut wrong = valid_input();
        wrong.location_postal_code[0] = "48231".into();
        let e = wrong
            .validate(None)
            .expect_err("Warendorf's postcode in Ahlen");
        assert!(e.get("location_postal_code_0").is_some(), "{e}");
    }

    #[test]
    fn a_translation_is_outdated_when_its_german_source_changes() {
        let mut content = valid_input().validate(None).expect("valid");
        assert_eq!(
            content.translation_state(Locale::En),
            TranslationState::Missing
        );
        content.texts.insert(
            Locale::En,
            OfferTexts {
                title: "Language course for women".into(),
                description: "Learning German.".into(),
                ..OfferTexts::default()
            },
        );
        assert_eq!(
            content.translation_state(Locale::En),
            TranslationState::Unknown
        );
        content.note_translation_source(Locale::En);
        assert_eq!(
            content.translation_state(Locale::En),
            TranslationState::Current
        );

        // A change of the German text (through the form) outdates the translated field…
        let mut input = OfferInput::from_content(&content, 0);
        input.description = "Deutsch lernen, mit Kinderbetreuung.".into();
        let edited = input.validate(Some(&content)).expect("valid");
        assert_eq!(
            edited.translation_state(Locale::En),
            TranslationState::Outdated(vec!["Beschreibung"])
        );
        assert_eq!(edited.outdated_fields(Locale::En), ["description"]);
        // …a change of a field not translated does not.
        let mut input = OfferInput::from_content(&content, 0);
        input.registration = "Anmeldung im Büro.".into();
        let edited = input.validate(Some(&content)).expect("valid");
        assert_eq!(
            edited.translation_state(Locale::En),
            TranslationState::Current
        );
    }
}
