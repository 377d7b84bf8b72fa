//! Search quality: stemming, typo tolerance, filters with text, relevance order, validity.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use lotse_domain::offer::{
    Locale, OfferContent, OfferInput, OfferLocation, OfferTexts, TargetGroup, Topic,
};
use lotse_search::{OfferDocument, OfferIndex, OfferQuery};

mod german;
mod guide;
mod relevance;

const TODAY: lotse_domain::Date = lotse_domain::Date::new(2026, 11, 25).expect("a day");
const AHLEN: &str = "05570004";
const BECKUM: &str = "05570008";

fn towns() -> Vec<(String, String)> {
    vec![
        (AHLEN.into(), "Ahlen".into()),
        (BECKUM.into(), "Beckum".into()),
    ]
}

fn offer(title: &str, description: &str, town: &str) -> OfferContent {
    let mut c = OfferInput {
        title: title.into(),
        description: description.into(),
        topics: vec!["counselling".into()],
        languages: vec!["de".into()],
        free_of_charge: "yes".into(),
        ..OfferInput::default()
    }
    .validate(None)
    .unwrap();
    c.locations.push(OfferLocation {
        town: town.into(),
        ..OfferLocation::default()
    });
    c
}

struct Fixture {
    index: OfferIndex,
}

impl Fixture {
    fn new(offers: &[(&str, OfferContent)]) -> Fixture {
        let index = OfferIndex::new(towns()).unwrap();
        index
            .rebuild(offers.iter().map(|(id, c)| OfferDocument {
                id,
                organisation_id: "org-caritas",
                organisation: "Caritas",
                content: c,
            }))
            .unwrap();
        Fixture { index }
    }

    fn ids(&self, q: OfferQuery) -> Vec<String> {
        self.index
            .search(&OfferQuery {
                today: Some(TODAY),
                ..q
            })
            .unwrap()
            .cards
            .into_iter()
            .map(|c| c.id)
            .collect()
    }

    fn find(&self, text: &str) -> Vec<String> {
        self.ids(OfferQuery {
            text: text.into(),
            ..OfferQuery::default()
        })
    }
}

#[test]
fn german_stemming_finds_other_forms_of_a_word() {
    let f = Fixture::new(&[
        (
            "kurs",
            offer("Sprachkurs für Frauen", "Deutsch lernen", AHLEN),
        ),
        (
            "kurse",
            offer("Sprachkurse am Abend", "Für Berufstätige", BECKUM),
        ),
        ("rad", offer("Radfahren lernen", "Übungsplatz", AHLEN)),
    ]);
    let mut found = f.find("Sprachkurse");
    found.sort();
    assert_eq!(found, ["kurs", "kurse"]);
    let mut found = f.find("sprachkurs");
    found.sort();
    assert_eq!(found, ["kurs", "kurse"]);
    assert_eq!(f.find("Berufstätigen"), ["kurse"]);
    // Town names and the provider are searchable words too.
    assert_eq!(f.find("Beckum"), ["kurse"]);
}

#[test]
fn one_typo_is_tolerated_two_are_not() {
    let f = Fixture::new(&[
        (
            "b",
            offer("Migrationsberatung", "Beratung für Erwachsene", AHLEN),
        ),
        ("k", offer("Sprachkurs", "Deutsch lernen", AHLEN)),
    ]);
    assert_eq!(f.find("Sprahkurs"), ["k"], "a missing letter");
    assert_eq!(f.find("Sprachkrus"), ["k"], "two letters swapped");
    assert_eq!(f.find("Beratunq"), ["b"], "a wrong letter");
    assert!(f.find("Sprhkurz").is_empty(), "two typos are too many");
}

#[test]
fn filters_combine_with_text() {
    let mut arabic = offer("Beratung auf Arabisch", "Beratung für Familien", BECKUM);
    arabic.languages = vec!["de".into(), "ar".into()];
    arabic.target_groups = vec![TargetGroup::Families];
    let mut paid = offer("Beratung gegen Gebühr", "Beratung", AHLEN);
    paid.free_of_charge = false;
    paid.target_groups = vec![TargetGroup::Women];
    let mut course = offer("Sprachkurs", "Beratung inklusive", AHLEN);
    course.topics = vec![Topic::LanguageCourse];
    let f = Fixture::new(&[
        ("arabic", arabic),
        ("paid", paid),
        ("course", course),
        ("ahlen", offer("Allgemeine Beratung", "Beratung", AHLEN)),
    ]);
    let q = |town: Option<&str>| OfferQuery {
        text: "Beratung".into(),
        town: town.map(str::to_owned),
        ..OfferQuery::default()
    };
    assert_eq!(f.ids(q(Some(BECKUM))), ["arabic"]);
    let mut ahlen = f.ids(q(Some(AHLEN)));
    ahlen.sort();
    assert_eq!(ahlen, ["ahlen", "course", "paid"]);
    assert_eq!(
        f.ids(OfferQuery {
            language: Some("ar".into()),
            ..q(None)
        }),
        ["arabic"]
    );
    let mut free = f.ids(OfferQuery {
        free_only: true,
        town: Some(AHLEN.into()),
        ..q(None)
    });
    free.sort();
    assert_eq!(free, ["ahlen", "course"]);
    assert_eq!(
        f.ids(OfferQuery {
            topic: Some(Topic::LanguageCourse),
            ..q(None)
        }),
        ["course"]
    );
    // Offers for everyone are for women too; the one for families is not.
    let mut women = f.ids(OfferQuery {
        target_group: Some(TargetGroup::Women),
        ..q(None)
    });
    women.sort();
    assert_eq!(women, ["ahlen", "course", "paid"]);
    let counts = f.index.count_by_town(&OfferQuery {
        text: "Beratung".into(),
        today: Some(TODAY),
        ..OfferQuery::default()
    });
    assert_eq!(
        counts.unwrap(),
        [(AHLEN.to_owned(), 3), (BECKUM.to_owned(), 1)]
    );
    // With a town chosen, the results are that town's, the overview still counts every town.
    let (page, counts) = f
        .index
        .search_with_town_counts(&OfferQuery {
            text: "Beratung".into(),
            town: Some(BECKUM.into()),
            today: Some(TODAY),
            ..OfferQuery::default()
        })
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(counts, [(AHLEN.to_owned(), 3), (BECKUM.to_owned(), 1)]);
}

#[test]
fn results_are_ordered_by_relevance() {
    let f = Fixture::new(&[
        (
            "mention",
            offer("Treffpunkt", "Hier gibt es auch Hausaufgabenhilfe.", AHLEN),
        ),
        (
            "title",
            offer("Hausaufgabenhilfe", "Nachmittags in der Schule", AHLEN),
        ),
        ("typo", offer("Hausaufgabenhilf", "Ohne e am Ende", AHLEN)),
    ]);
    let found = f.find("Hausaufgabenhilfe");
    assert_eq!(found[0], "title", "a title match ranks first: {found:?}");
    assert_eq!(found.len(), 3);
    // Without words the list is alphabetical by title.
    assert_eq!(f.find(""), ["typo", "title", "mention"]);

    // An exact match ranks above a match with a typo.
    let f = Fixture::new(&[
        ("typo", offer("Malkurz", "Farben", AHLEN)),
        ("exact", offer("Malkurs", "Farben", AHLEN)),
    ]);
    assert_eq!(f.find("Malkurs"), ["exact", "typo"]);
    assert_eq!(f.find("Malkurz"), ["typo", "exact"]);
}

#[test]
fn offers_outside_their_validity_are_not_found() {
    let mut ended = offer("Ferienkurs", "Sommer", AHLEN);
    ended.valid_to = lotse_domain::Date::parse("2026-11-24");
    let mut last_day = offer("Ferienkurs Herbst", "Herbst", AHLEN);
    last_day.valid_to = Some(TODAY);
    let mut later = offer("Ferienkurs Winter", "Winter", AHLEN);
    later.valid_from = lotse_domain::Date::parse("2026-12-01");
    let f = Fixture::new(&[("ended", ended), ("last", last_day), ("later", later)]);
    assert_eq!(f.find("Ferienkurs"), ["last"]);
    assert_eq!(f.find(""), ["last"]);
}

#[test]
fn translations_are_searched_in_their_language_and_fall_back_to_german() {
    let mut c = offer("Sprachcafé", "Gespräche auf Deutsch", AHLEN);
    c.texts.insert(
        Locale::Ar,
        OfferTexts {
            title: "مقهى اللغة".into(),
            description: "محادثات باللغة الألمانية".into(),
            ..OfferTexts::default()
        },
    );
    c.texts.insert(
        Locale::Ru,
        OfferTexts {
            title: "Языковое кафе".into(),
            description: "Разговоры на немецком".into(),
            ..OfferTexts::default()
        },
    );
    let f = Fixture::new(&[("cafe", c), ("other", offer("Beratung", "Hilfe", AHLEN))]);
    assert_eq!(f.find("مقهى"), ["cafe"]);
    assert_eq!(f.find("разговор"), ["cafe"], "Russian stemming");
    let page = f
        .index
        .search(&OfferQuery {
            text: "Hilfe".into(),
            locale: Locale::Ar,
            today: Some(TODAY),
            ..OfferQuery::default()
        })
        .unwrap();
    let card = &page.cards[0];
    assert_eq!(
        card.title(Locale::Ar),
        ("Beratung", Locale::De),
        "German fallback"
    );
    let cafe = f.index.card("cafe").unwrap().unwrap();
    assert_eq!(cafe.title(Locale::Ar), ("مقهى اللغة", Locale::Ar));
    assert_eq!(page.total, 1);
}

#[test]
fn updates_replace_and_remove_single_offers() {
    let f = Fixture::new(&[("a", offer("Elterncafé", "Treffen", AHLEN))]);
    f.index
        .update(
            "a",
            Some(OfferDocument {
                id: "a",
                organisation_id: "org-caritas",
                organisation: "Caritas",
                content: &offer("Väterfrühstück", "Treffen", AHLEN),
            }),
        )
        .unwrap();
    assert!(f.find("Elterncafé").is_empty());
    assert_eq!(f.find("Väterfrühstück"), ["a"]);
    assert_eq!(f.index.len(), 1);
    f.index.update("a", None).unwrap();
    assert!(f.index.is_empty());
}

#[test]
fn paging_counts_all_results() {
    let offers: Vec<(String, OfferContent)> = (0..25)
        .map(|i| {
            (
                format!("o{i:02}"),
                offer(&format!("Kurs {i:02}"), "Kurs", AHLEN),
            )
        })
        .collect();
    let refs: Vec<(&str, OfferContent)> = offers
        .iter()
        .map(|(i, c)| (i.as_str(), c.clone()))
        .collect();
    let f = Fixture::new(&refs);
    let page = f
        .index
        .search(&OfferQuery {
            limit: 10,
            offset: 20,
            today: Some(TODAY),
            ..OfferQuery::default()
        })
        .unwrap();
    assert_eq!(page.total, 25);
    assert_eq!(
        page.cards.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["o20", "o21", "o22", "o23", "o24"]
    );
    // Past the end but inside the window: nothing on the page, all counted.
    let past = f
        .index
        .search(&OfferQuery {
            offset: 500,
            today: Some(TODAY),
            ..OfferQuery::default()
        })
        .unwrap();
    assert_eq!((past.total, past.cards.len()), (25, 0));
}

#[test]
fn a_search_never_ranks_more_than_the_window() {
    use lotse_domain::limits::SEARCH_WINDOW;
    let f = Fixture::new(&[("a", offer("Kurs", "Kurs", AHLEN))]);
    let at = |offset: usize, limit: usize| {
        f.index.search(&OfferQuery {
            text: "Kurs".into(),
            offset,
            limit,
            today: Some(TODAY),
            ..OfferQuery::default()
        })
    };
    // The last page inside the window is answered (empty here), one hit further is refused.
    assert_eq!(at(SEARCH_WINDOW - 20, 20).unwrap().total, 1);
    assert_eq!(at(SEARCH_WINDOW - 1, 1).unwrap().cards.len(), 0);
    for (offset, limit) in [
        (SEARCH_WINDOW - 19, 20),
        (SEARCH_WINDOW, 1),
        (usize::MAX / 2, 20),
        (usize::MAX, 100),
    ] {
        assert!(
            matches!(
                at(offset, limit),
                Err(lotse_search::SearchError::BeyondWindow { .. })
            ),
            "{offset} + {limit}"
        );
    }
    // The title-ordered listing (no words) has the same window.
    assert!(
        f.index
            .search(&OfferQuery {
                offset: SEARCH_WINDOW,
                today: Some(TODAY),
                ..OfferQuery::default()
            })
            .is_err()
    );
}

#[test]
fn the_listing_follows_the_index() {
    use lotse_search::ListFilter;
    let f = Fixture::new(&[
        ("b", offer("Elterncafé", "Treffen", AHLEN)),
        ("a", offer("Väterfrühstück", "Treffen", BECKUM)),
    ]);
    let ids = |f: &Fixture| {
        f.index
            .listing()
            .unwrap()
            .services(ListFilter::default(), 0, 10)
            .items
    };
    assert_eq!(ids(&f), ["a", "b"]);
    let listing = f.index.listing().unwrap();
    assert_eq!(listing.service_at_locations(0, 10).total, 2);
    assert_eq!(listing.organisations(0, 10).items, ["org-caritas"]);
    drop(listing);
    f.index
        .update(
            "c",
            Some(OfferDocument {
                id: "c",
                organisation_id: "org-other",
                organisation: "Andere",
                content: &offer("Sprachcafé", "Treffen", AHLEN),
            }),
        )
        .unwrap();
    f.index.update("a", None).unwrap();
    assert_eq!(ids(&f), ["b", "c"]);
    assert_eq!(
        f.index.listing().unwrap().organisations(0, 10).items,
        ["org-caritas", "org-other"]
    );
}
