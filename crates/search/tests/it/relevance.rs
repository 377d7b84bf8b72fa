//! The finder tried as people type (decision 0013): a directory of the kind the district has,
//! and the queries newcomers and counsellors type, each with the offer that must be among the
//! first three. Every query named in issue 11 is here, and others of the same kinds.

use lotse_domain::offer::{OfferContent, Topic};
use lotse_search::{OfferDocument, OfferIndex, OfferQuery};

use crate::{TODAY, offer, towns};

include!("../shared/relevance_directory.rs");

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

#[test]
fn every_language_reaches_every_offer_through_the_concepts() {
    let index = directory();
    assert_in_top_three(&index, THROUGH_CONCEPTS);
    // A word of no concept and no offer finds nothing, in any language.
    assert!(find(&index, "Raumfahrt").is_empty());
    assert!(find(&index, "космонавт").is_empty());
}
