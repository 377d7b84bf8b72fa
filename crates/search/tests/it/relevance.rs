//! The finder tried as people type (decision 0013): a directory of the kind the district has,
//! and the queries newcomers and counsellors type, each with the offer that must be among the
//! first three. Every query named in issue 11 is here, and others of the same kinds.

use lotse_domain::offer::{OfferContent, Topic};
use lotse_search::{OfferDocument, OfferIndex, OfferQuery};

use crate::{AHLEN, BECKUM, TODAY, offer, towns};

const WARENDORF: &str = "05570052";
const OELDE: &str = "05570028";

/// An offer of the directory: id, title, description, town, languages of delivery, topic.
type Entry = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    Topic,
);

const DIRECTORY: &[Entry] = &[
    (
        "bewerbungswerkstatt",
        "Bewerbungswerkstatt",
        "Hilfe beim Lebenslauf und beim Anschreiben, Fotos für die Bewerbung inklusive.",
        AHLEN,
        &["de"],
        Topic::Work,
    ),
    (
        "fahrradwerkstatt",
        "Offene Fahrradwerkstatt",
        "Gemeinsam Fahrräder reparieren, Werkzeug ist da.",
        BECKUM,
        &["de"],
        Topic::Leisure,
    ),
    (
        "einbuergerung",
        "Einbürgerungsberatung",
        "Voraussetzungen, Unterlagen und Antrag: wir beraten Sie zur deutschen Staatsangehörigkeit.",
        WARENDORF,
        &["de", "tr"],
        Topic::Counselling,
    ),
    (
        "wohnungssuche",
        "Wohnungssuche für Geflüchtete",
        "Unterstützung bei der Suche nach einer Mietwohnung und beim Gespräch mit Vermietern.",
        BECKUM,
        &["de", "ar"],
        Topic::Housing,
    ),
    (
        "kitaplatz",
        "Hilfe beim Kita-Platz",
        "Wir helfen Eltern bei der Anmeldung in einer Kindertagesstätte.",
        AHLEN,
        &["de", "uk"],
        Topic::Family,
    ),
    (
        "konversation",
        "Konversationskurs Deutsch",
        "Sprechen üben in kleiner Gruppe, für alle mit Grundkenntnissen.",
        OELDE,
        &["de"],
        Topic::LanguageCourse,
    ),
    (
        "integrationskurs",
        "Integrationskurs mit Kinderbetreuung",
        "Sprachkurs und Orientierungskurs bis zum Niveau B1.",
        AHLEN,
        &["de"],
        Topic::LanguageCourse,
    ),
    (
        "fuehrerschein",
        "Führerschein-Theorie in Ihrer Sprache",
        "Die Fragen der Theorieprüfung mit Erklärungen.",
        AHLEN,
        &["de", "ar"],
        Topic::Education,
    ),
    (
        "abh",
        "Sprechstunde der Ausländerbehörde",
        "Fragen zum Aufenthaltstitel, Verlängerung und Termine.",
        WARENDORF,
        &["de"],
        Topic::Counselling,
    ),
    (
        "arztsuche",
        "Hilfe bei der Arztsuche",
        "Wir finden mit Ihnen eine Hausärztin oder einen Kinderarzt.",
        BECKUM,
        &["de", "ru"],
        Topic::Health,
    ),
    (
        "elterncafe",
        "Elterncafé",
        "Treffpunkt für Mütter und Väter, mit Kinderbetreuung.",
        OELDE,
        &["de"],
        Topic::Family,
    ),
    (
        "hausaufgaben",
        "Hausaufgabenhilfe",
        "Nachmittags in der Grundschule, für Kinder der Klassen 1 bis 4.",
        AHLEN,
        &["de"],
        Topic::Education,
    ),
    (
        "schuldner",
        "Schuldnerberatung",
        "Vertrauliche Beratung bei Schulden, Mahnungen und Pfändung.",
        WARENDORF,
        &["de"],
        Topic::Counselling,
    ),
    (
        "schwimmen",
        "Schwimmkurs für Frauen",
        "Schwimmen lernen in geschützter Runde mit Trainerin.",
        BECKUM,
        &["de"],
        Topic::Leisure,
    ),
    (
        "computer",
        "Computerkurse für Senioren",
        "Umgang mit Smartphone, E-Mail und Internet.",
        OELDE,
        &["de"],
        Topic::Education,
    ),
    (
        "mbe",
        "Migrationsberatung für Erwachsene",
        "Beratung zu Sprache, Arbeit, Wohnen und Gesundheit.",
        AHLEN,
        &["de", "ar", "fa"],
        Topic::Counselling,
    ),
    (
        "tafel",
        "Tafel Ahlen",
        "Lebensmittel für Menschen mit wenig Geld, Ausgabe dienstags.",
        AHLEN,
        &["de"],
        Topic::Leisure,
    ),
    (
        "kleider",
        "Kleiderkammer",
        "Kleidung für Erwachsene und Kinder gegen eine kleine Spende.",
        WARENDORF,
        &["de"],
        Topic::Leisure,
    ),
    (
        "anerkennung",
        "Anerkennungsberatung",
        "Anerkennung ausländischer Berufsabschlüsse und Zeugnisse.",
        WARENDORF,
        &["de", "en"],
        Topic::Work,
    ),
    (
        "sprachpaten",
        "Ehrenamtliche Sprachpaten",
        "Paten üben mit Ihnen Deutsch im Alltag.",
        BECKUM,
        &["de"],
        Topic::LanguageCourse,
    ),
];

fn content(
    title: &str,
    description: &str,
    town: &str,
    languages: &[&str],
    topic: Topic,
) -> OfferContent {
    let mut c = offer(title, description, town);
    c.languages = languages.iter().map(|l| (*l).to_owned()).collect();
    c.topics = vec![topic];
    c
}

fn directory() -> OfferIndex {
    let contents: Vec<(&str, OfferContent)> = DIRECTORY
        .iter()
        .map(|(id, title, text, town, languages, topic)| {
            (*id, content(title, text, town, languages, *topic))
        })
        .collect();
    let mut all_towns = towns();
    all_towns.push((WARENDORF.into(), "Warendorf".into()));
    all_towns.push((OELDE.into(), "Oelde".into()));
    let index = OfferIndex::new(all_towns).unwrap();
    // The shipped concepts, as a new district starts with them.
    index
        .set_concepts(
            lotse_domain::finder_concept::shipped()
                .into_iter()
                .map(|(_, labels)| labels)
                .collect(),
        )
        .unwrap();
    index
        .rebuild(contents.iter().map(|(id, c)| OfferDocument {
            id,
            organisation_id: "org-caritas",
            organisation: "Caritasverband",
            content: c,
        }))
        .unwrap();
    index
}

fn find(index: &OfferIndex, text: &str) -> Vec<String> {
    index
        .search(&OfferQuery {
            text: text.into(),
            today: Some(TODAY),
            limit: 50,
            ..OfferQuery::default()
        })
        .unwrap()
        .cards
        .into_iter()
        .map(|c| c.id)
        .collect()
}

/// Each query with the offers that must be among its first three results.
const IN_TOP_THREE: &[(&str, &[&str])] = &[
    // A part of a compound finds the compound.
    ("Bewerbung", &["bewerbungswerkstatt"]),
    ("werkstatt", &["bewerbungswerkstatt", "fahrradwerkstatt"]),
    ("Einbürgerung", &["einbuergerung"]),
    ("Wohnung", &["wohnungssuche"]),
    ("Arzt", &["arztsuche"]),
    ("Hausaufgaben", &["hausaufgaben"]),
    ("Schulden", &["schuldner"]),
    ("Beratung Schulden", &["schuldner"]),
    // A compound typed finds its parts side by side.
    ("Kitaplatz", &["kitaplatz"]),
    ("Deutschkurs", &["konversation"]),
    // Umlauts and ß typed without.
    ("Fuhrerschein", &["fuehrerschein"]),
    ("Auslanderbehorde", &["abh"]),
    ("Auslaenderbehoerde", &["abh"]),
    ("Einburgerung", &["einbuergerung"]),
    ("Elterncafe", &["elterncafe"]),
    // Singular and plural.
    ("Kurs Schwimmen", &["schwimmen"]),
    ("Computerkurs", &["computer"]),
    ("Kleider", &["kleider"]),
    // The start of a word, as typed.
    ("Bewerb", &["bewerbungswerkstatt"]),
    ("Einbürg", &["einbuergerung"]),
    ("Integrationsk", &["integrationskurs"]),
    ("Schwimm", &["schwimmen"]),
    // One typo.
    ("Schuldnerberatng", &["schuldner"]),
    ("Integartionskurs", &["integrationskurs"]),
    // Words with a town.
    ("Schuldnerberatung Warendorf", &["schuldner"]),
    ("Sprechstunde Warendorf", &["abh"]),
    ("Tafel", &["tafel"]),
];

#[test]
fn what_people_type_finds_what_they_mean() {
    assert_in_top_three(&directory(), IN_TOP_THREE);
}

/// Every query's expected offers among its first three results; all misses named at once.
fn assert_in_top_three(index: &OfferIndex, cases: &[(&str, &[&str])]) {
    let mut failures = Vec::new();
    for (query, expected) in cases {
        let found = find(index, query);
        let top: Vec<&str> = found.iter().take(3).map(String::as_str).collect();
        for e in *expected {
            if !top.contains(e) {
                failures.push(format!("„{query}“: {e} not in the first three {top:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn singular_and_plural_find_the_same() {
    let index = directory();
    for (one, other) in [
        ("Kurs", "Kurse"),
        ("Kita", "Kitas"),
        ("Beratung", "Beratungen"),
        ("Wohnung", "Wohnungen"),
        ("Kind", "Kinder"),
        ("Zeugnis", "Zeugnisse"),
        ("Arzt", "Ärzte"),
        ("Computerkurs", "Computerkursen"),
    ] {
        let mut a = find(&index, one);
        let mut b = find(&index, other);
        a.sort();
        b.sort();
        assert_eq!(a, b, "{one} / {other}");
        assert!(!a.is_empty(), "{one}");
    }
}

#[test]
fn language_names_filter_instead_of_matching_text() {
    let index = directory();
    // "Deutsch" is what people want to learn, not the language every offer is held in.
    let deutsch = find(&index, "Deutsch");
    assert!(
        deutsch.len() < DIRECTORY.len() / 2,
        "„Deutsch“ matches {} of {}",
        deutsch.len(),
        DIRECTORY.len()
    );
    assert!(deutsch.contains(&"konversation".to_owned()));
    // "Arabisch" is the language of delivery: exactly the offers held in Arabic.
    let mut arabic = find(&index, "Arabisch");
    arabic.sort();
    assert_eq!(arabic, ["fuehrerschein", "mbe", "wohnungssuche"]);
    assert_eq!(find(&index, "Beratung auf Arabisch"), ["mbe"]);
    assert_eq!(find(&index, "Wohnung Türkisch"), Vec::<String>::new());
    assert_eq!(find(&index, "Einbürgerung türkçe"), ["einbuergerung"]);
}

#[test]
fn a_split_query_word_needs_all_its_parts() {
    let index = directory();
    // "Kita" and "Platz" are both in the Kita offer; "Schwimmplatz" has no offer with both.
    assert_eq!(
        find(&index, "Kitaplatz").first().map(String::as_str),
        Some("kitaplatz")
    );
    assert!(!find(&index, "Schwimmplatz").contains(&"kitaplatz".to_owned()));
}

/// Queries that reach their offers through the concepts: other words, abbreviations, and words
/// of the other finder languages for offers written in German only.
const THROUGH_CONCEPTS: &[(&str, &[&str])] = &[
    ("ABH", &["abh"]),
    ("Ausländeramt", &["abh"]),
    ("Kindergarten", &["kitaplatz"]),
    ("Deutschkurs", &["konversation", "integrationskurs"]),
    ("Hausarzt", &["arztsuche"]),
    ("Lebenslauf", &["bewerbungswerkstatt"]),
    ("Nachhilfe", &["hausaufgaben"]),
    ("immigration office", &["abh"]),
    ("daycare", &["kitaplatz"]),
    ("driving licence", &["fuehrerschein"]),
    ("روضة", &["kitaplatz"]),
    ("طبيب", &["arztsuche"]),
    ("дитячий садок", &["kitaplatz"]),
    ("житло", &["wohnungssuche"]),
    ("врач", &["arztsuche"]),
    ("курс немецкого", &["konversation", "integrationskurs"]),
    ("ehliyet", &["fuehrerschein"]),
    ("borç", &["schuldner"]),
    ("مهدکودک", &["kitaplatz"]),
    ("vatandaşlık", &["einbuergerung"]),
    // The languages added for the district's newer communities (Romanian, Bulgarian, Kurmanji,
    // Dari, Tigrinya, Somali).
    ("medic", &["arztsuche"]),
    ("апартамент", &["wohnungssuche"]),
    ("belgeya ajotinê", &["fuehrerschein"]),
    ("داکتر", &["arztsuche"]),
    ("ሓኪም", &["arztsuche"]),
    ("deymo", &["schuldner"]),
];

#[test]
fn every_language_reaches_every_offer_through_the_concepts() {
    let index = directory();
    assert_in_top_three(&index, THROUGH_CONCEPTS);
    // A word of no concept and no offer finds nothing, in any language.
    assert!(find(&index, "Raumfahrt").is_empty());
    assert!(find(&index, "космонавт").is_empty());
}
