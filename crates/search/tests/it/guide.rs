//! The finder as a guide (issue 11, slice 3): nearest first, open now or on a day, free places
//! only, and "did you mean".

use lotse_domain::offer::{Capacity, OfferLocation, OpeningHours, Weekday};
use lotse_search::{OfferQuery, OpenAt};

use super::{AHLEN, BECKUM, Fixture, offer};

fn hours(day: Weekday, opens: &str, closes: &str) -> OpeningHours {
    OpeningHours {
        day,
        opens: opens.into(),
        closes: closes.into(),
    }
}

#[test]
fn nearest_offers_come_first_from_a_point() {
    let mut beckum = offer("Beratung in Beckum", "Beratung für alle.", BECKUM);
    let mut ahlen = offer("Beratung in Ahlen", "Beratung für alle.", AHLEN);
    // A place with its own coordinates counts, not its town's centre.
    ahlen.locations[0].latitude = Some(51.7640);
    ahlen.locations[0].longitude = Some(7.8900);
    let mut nowhere = offer("Beratung am Telefon", "Beratung für alle.", AHLEN);
    nowhere.locations.clear();
    beckum.locations.push(OfferLocation {
        town: BECKUM.into(),
        ..OfferLocation::default()
    });
    let f = Fixture::new(&[("beckum", beckum), ("ahlen", ahlen), ("phone", nowhere)]);
    let near = |point: (f64, f64), text: &str| {
        f.ids(OfferQuery {
            text: text.into(),
            near: Some(point),
            ..OfferQuery::default()
        })
    };
    // From Neubeckum's side of Beckum, and from Vorhelm (north of Ahlen).
    assert_eq!(
        near((51.79, 8.02), "Beratung"),
        ["beckum", "ahlen", "phone"]
    );
    assert_eq!(
        near((51.81, 7.95), "Beratung"),
        ["ahlen", "beckum", "phone"]
    );
    // Without words, too: every offer, nearest first.
    assert_eq!(near((51.76, 8.04), ""), ["beckum", "ahlen", "phone"]);
    let card = f
        .index
        .search(&OfferQuery {
            text: "Beratung".into(),
            near: Some((51.7558, 8.0413)),
            today: Some(super::TODAY),
            ..OfferQuery::default()
        })
        .unwrap()
        .cards
        .into_iter()
        .next()
        .unwrap();
    assert!(card.distance_km((51.7558, 8.0413)).unwrap() < 0.1);
}

#[test]
fn open_now_and_open_on_a_day_follow_the_opening_hours() {
    let mut morning = offer("Sprechstunde am Morgen", "Beratung.", AHLEN);
    morning.opening_hours = vec![
        hours(Weekday::Monday, "09:00", "12:00"),
        hours(Weekday::Thursday, "14:30", "18:00"),
    ];
    let mut evening = offer("Sprechstunde am Abend", "Beratung.", AHLEN);
    evening.opening_hours = vec![hours(Weekday::Monday, "17:00", "19:30")];
    let none = offer("Sprechstunde nach Vereinbarung", "Beratung.", AHLEN);
    let f = Fixture::new(&[("morning", morning), ("evening", evening), ("none", none)]);
    let open = |day: Weekday, minute: Option<u16>| {
        let mut ids = f.ids(OfferQuery {
            text: "Sprechstunde".into(),
            open: Some(OpenAt { day, minute }),
            ..OfferQuery::default()
        });
        ids.sort();
        ids
    };
    assert_eq!(open(Weekday::Monday, None), ["evening", "morning"]);
    assert_eq!(open(Weekday::Thursday, None), ["morning"]);
    assert!(open(Weekday::Sunday, None).is_empty());
    assert_eq!(
        open(Weekday::Monday, Some(9 * 60)),
        ["morning"],
        "opens at nine"
    );
    assert_eq!(open(Weekday::Monday, Some(11 * 60 + 59)), ["morning"]);
    assert!(
        open(Weekday::Monday, Some(12 * 60)).is_empty(),
        "closed at noon"
    );
    assert_eq!(open(Weekday::Monday, Some(19 * 60 + 25)), ["evening"]);
    assert!(open(Weekday::Thursday, Some(14 * 60 + 25)).is_empty());
    assert_eq!(open(Weekday::Thursday, Some(14 * 60 + 30)), ["morning"]);
}

#[test]
fn only_offers_with_places_leaves_out_full_ones_and_waiting_lists() {
    let mut free = offer("Sprachkurs A", "Deutsch lernen.", AHLEN);
    free.capacity = Some(Capacity::PlacesFree);
    let mut waiting = offer("Sprachkurs B", "Deutsch lernen.", AHLEN);
    waiting.capacity = Some(Capacity::WaitingList);
    let mut full = offer("Sprachkurs C", "Deutsch lernen.", AHLEN);
    full.capacity = Some(Capacity::Full);
    let unsaid = offer("Sprachkurs D", "Deutsch lernen.", AHLEN);
    let f = Fixture::new(&[("a", free), ("b", waiting), ("c", full), ("d", unsaid)]);
    let mut ids = f.ids(OfferQuery {
        text: "Sprachkurs".into(),
        places_only: true,
        ..OfferQuery::default()
    });
    ids.sort();
    assert_eq!(ids, ["a", "d"]);
    let mut all = f.ids(OfferQuery {
        places_only: true,
        ..OfferQuery::default()
    });
    all.sort();
    assert_eq!(all, ["a", "d"], "also without words");
}

#[test]
fn did_you_mean_offers_the_nearest_known_word() {
    let f = Fixture::new(&[
        (
            "a",
            offer(
                "Schuldnerberatung",
                "Hilfe bei Schulden und Mahnungen.",
                AHLEN,
            ),
        ),
        (
            "b",
            offer("Hausaufgabenhilfe", "Hilfe bei den Hausaufgaben.", BECKUM),
        ),
        ("c", offer("Kleiderkammer", "Kleidung für Kinder.", BECKUM)),
        ("d", {
            let mut c = offer("Arbeitssuche", "Hilfe bei der Arbeitssuche.", AHLEN);
            c.texts.insert(
                lotse_domain::offer::Locale::Uk,
                lotse_domain::offer::OfferTexts {
                    title: "Пошук роботи".into(),
                    description: "Допомога: праця і робота.".into(),
                    ..Default::default()
                },
            );
            c
        }),
    ]);
    let suggest = |q: &str| f.index.suggest(q).unwrap();
    // Two typos in a long word, one in a shorter one; written as the person writes.
    assert_eq!(
        suggest("Schuldnerbreatnug").as_deref(),
        Some("Schuldnerberatung")
    );
    assert_eq!(suggest("kleidng").as_deref(), Some("kleidung"));
    // Known words stay as typed, and so do language names and stop words: only the unknown
    // word changes.
    assert_eq!(
        suggest("Hilfe Hausaufgbaen").as_deref(),
        Some("Hilfe Hausaufgaben")
    );
    assert_eq!(
        suggest("Schuldnerbreatnug auf Türkisch").as_deref(),
        Some("Schuldnerberatung auf Türkisch")
    );
    // A provider's or a town's name is known although only the German text holds it.
    assert_eq!(suggest("Caritas"), None);
    // Letters, not bytes: one missing Cyrillic letter is one edit.
    assert_eq!(suggest("прця").as_deref(), Some("праця"));
    // Known words, nothing near, numbers: no suggestion.
    assert_eq!(suggest("Hilfe"), None);
    assert_eq!(suggest("Xylophon"), None);
    assert_eq!(suggest("12345"), None);
    assert_eq!(suggest(""), None);
}
