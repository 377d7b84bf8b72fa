//! The finder as a guide (issue 11, slice 3 and 5): nearest first, open now or on a day, free
//! places, "did you mean", whom to call, topic tiles, folded filters, every finder language.

use axum::http::StatusCode;
use lotse_domain::offer::{Capacity, Locale, OfferContent, OfferInput};
use lotse_store::now_ms;
use lotse_store::offers::SaveAs;

use crate::finder::{api, titles};
use crate::{TestApp, web_test};

const AHLEN: &str = "05570004";
const BECKUM: &str = "05570008";

/// An offer in `town` at `point`, open on `day` from `opens` to `closes`.
fn offer_at(
    title: &str,
    town: &str,
    point: Option<(&str, &str)>,
    hours: (&str, &str, &str),
) -> OfferContent {
    OfferInput {
        title: title.into(),
        description: "Beratung und Begleitung für Familien.".into(),
        topics: vec!["counselling".into()],
        languages: vec!["de".into()],
        free_of_charge: "yes".into(),
        location_name: vec!["Treffpunkt".into()],
        location_street: vec!["Markt 1".into()],
        location_postal_code: vec![String::new()],
        location_town: vec![town.into()],
        location_latitude: vec![point.map_or(String::new(), |p| p.0.into())],
        location_longitude: vec![point.map_or(String::new(), |p| p.1.into())],
        hours_day: vec![hours.0.into()],
        hours_opens: vec![hours.1.into()],
        hours_closes: vec![hours.2.into()],
        ..OfferInput::default()
    }
    .validate(None)
    .unwrap()
}

async fn publish(app: &TestApp, content: &OfferContent) -> String {
    crate::finder::publish(app, content, SaveAs::Published).await
}

/// A counselling offer in Beckum, open on Mondays.
fn beckum_offer() -> OfferContent {
    offer_at(
        "Familienberatung Beckum",
        BECKUM,
        None,
        ("mo", "09:00", "12:00"),
    )
}

web_test!(
    the_finder_orders_by_distance_and_filters_by_opening_hours_and_places,
    |app| {
        // Noon of today in the district, so that "now" is known to the test.
        let (today, minute) = lotse_web::weekday_and_minute(app.clock.now_ms());
        app.clock.advance((720 - i64::from(minute)) * 60_000);
        let day = today.key();
        let other_day = if day == "mo" { "tu" } else { "mo" };
        publish(
            &app,
            &offer_at(
                "Familienberatung Beckum",
                BECKUM,
                Some(("51.7558", "8.0413")),
                (day, "11:00", "13:00"),
            ),
        )
        .await;
        let mut ahlen = offer_at(
            "Familienberatung Ahlen",
            AHLEN,
            Some(("51.7633", "7.8912")),
            (day, "14:00", "16:00"),
        );
        ahlen.capacity = Some(Capacity::Full);
        publish(&app, &ahlen).await;
        // No coordinates: its town's centre counts.
        publish(
            &app,
            &offer_at(
                "Familienberatung Warendorf",
                "05570052",
                None,
                (other_day, "09:00", "12:00"),
            ),
        )
        .await;

        // Nearest first, from a village, a postcode or a town; the distance is given.
        let (status, json) = api(&app, "q=Familienberatung&near=Vorhelm").await;
        assert_eq!(status, StatusCode::OK, "{json}");
        assert_eq!(titles(&json)[0], "Familienberatung Ahlen");
        assert!(
            json["items"][0]["distance_km"].as_f64().unwrap_or(99.0) < 8.0,
            "{json}"
        );
        let (_, json) = api(&app, "q=Familienberatung&near=59269").await;
        assert_eq!(titles(&json)[0], "Familienberatung Beckum");
        let (_, json) = api(&app, "q=Familienberatung&near=Milte").await;
        assert_eq!(titles(&json)[0], "Familienberatung Warendorf", "{json}");
        let (status, json) = api(&app, "near=Paris").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json["field"], "near");
        assert!(json["error"].as_str().unwrap_or_default().contains("Paris"));

        // Open now, open on a day; wrong values are named.
        let (_, json) = api(&app, "q=Familienberatung&open=now").await;
        assert_eq!(titles(&json), ["Familienberatung Beckum"], "{json}");
        assert_eq!(json["items"][0]["open_now"], true);
        let mut on_day = titles(&api(&app, &format!("q=Familienberatung&open={day}")).await.1);
        on_day.sort();
        assert_eq!(
            on_day,
            ["Familienberatung Ahlen", "Familienberatung Beckum"]
        );
        let (status, json) = api(&app, "open=someday").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json["field"], "open");

        // Only offers with places: the full one is left out.
        let (_, json) = api(&app, "q=Familienberatung&places=true").await;
        let with_places = titles(&json);
        assert_eq!(with_places.len(), 2, "{json}");
        assert!(!with_places.contains(&"Familienberatung Ahlen".to_owned()));

        // The page says the same, in the page's words, and keeps everything in its links.
        let page = app
            .get("/angebote?q=Familienberatung&near=Neubeckum&open=now", None)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("1 Angebot gefunden"), "{}", page.body);
        assert!(page.body.contains("km entfernt"));
        assert!(
            page.body
                .contains("<span class=\"tag open\">jetzt geöffnet</span>")
        );
        assert!(
            page.body.contains("(2 Filter gewählt)") || page.body.contains("(1 Filter gewählt)")
        );
        assert!(page.body.contains("near=Neubeckum"), "links keep the place");
        let unknown = app
            .get("/angebote?q=Familienberatung&near=Atlantis", None)
            .await;
        assert_eq!(unknown.status, StatusCode::OK);
        assert!(
            unknown.body.contains("„Atlantis“ kennen wir nicht"),
            "{}",
            unknown.body
        );
        let arabic = app.get("/ar/angebote?open=now", None).await;
        assert!(arabic.body.contains("class=\"tag open\""));
    }
);

web_test!(an_empty_result_suggests_words_and_whom_to_call, |app| {
    publish(
        &app,
        &offer_at("Schuldnerberatung", BECKUM, None, ("mo", "09:00", "12:00")),
    )
    .await;
    let page = app.get("/angebote?q=Schuldnerbreatnug", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Meinten Sie:"), "{}", page.body);
    assert!(page.body.contains("href=\"/angebote?q=Schuldnerberatung\""));
    // Nothing to suggest: no suggestion, and no telephone number until admins set one.
    let none = app.get("/angebote?q=Raumfahrt", None).await;
    assert!(!none.body.contains("Meinten Sie:"));
    assert!(!none.body.contains("tel:"));

    app.db
        .write(async |tx| {
            lotse_store::settings::set(
                tx,
                &lotse_store::audit::Actor::system("test"),
                lotse_store::settings::PUBLIC_PHONE,
                "02581 53-4711",
                now_ms(),
            )
            .await
        })
        .await
        .unwrap();
    let none = app.get("/uk/angebote?q=Raumfahrt", None).await;
    assert!(
        none.body.contains("href=\"tel:+492581534711\""),
        "{}",
        none.body
    );
    assert!(none.body.contains("+49 2581 53-4711") || none.body.contains("+49 2581 534711"));
});

web_test!(
    the_start_page_leads_with_topics_and_folds_the_filters,
    |app| {
        publish(&app, &beckum_offer()).await;
        let start = app.get("/angebote", None).await;
        assert_eq!(start.status, StatusCode::OK);
        assert!(start.body.contains("Wobei suchen Sie Hilfe?"));
        assert!(start.body.contains("href=\"/angebote?topic=housing\""));
        assert!(start.body.contains("Wohnung suchen, Miete, Nachbarschaft"));
        assert!(start.body.contains("<details class=\"more\">"), "folded");
        // A search: no tiles, the chosen filters counted, one link removes them but keeps the words.
        let search = app
            .get("/angebote?q=Beratung&town=05570008&free=1", None)
            .await;
        assert!(!search.body.contains("Wobei suchen Sie Hilfe?"));
        assert!(
            search.body.contains("(2 Filter gewählt)"),
            "{}",
            search.body
        );
        assert!(
            search
                .body
                .contains("<a href=\"/angebote?q=Beratung\">Alle Filter entfernen</a>")
        );
        // The map: each town a labelled link with its count, the district's outline from shipped data.
        assert!(
            start.body.contains("aria-label=\"Beckum: "),
            "{}",
            start.body
        );
        assert!(start.body.contains("<polygon class=\"district\""));
        assert!(
            start.body.contains("class=\"point\""),
            "the offer's place as a dot"
        );
        // Every public page links the legal pages.
        for link in ["/impressum", "/datenschutz", "/barrierefreiheit"] {
            assert!(start.body.contains(&format!("href=\"{link}\"")), "{link}");
        }
    }
);

web_test!(every_finder_language_has_its_pages_and_direction, |app| {
    let id = publish(&app, &beckum_offer()).await;
    for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::De) {
        let key = locale.key();
        let page = app.get(&format!("/{key}/angebote"), None).await;
        assert_eq!(page.status, StatusCode::OK, "{key}");
        let dir = if locale.is_rtl() { "rtl" } else { "ltr" };
        assert!(
            page.body.contains(&format!(
                "<html lang=\"{}\" dir=\"{dir}\">",
                locale.lang_tag()
            )),
            "{key}"
        );
        // The switcher names all fourteen languages, each in itself.
        for other in Locale::ALL {
            assert!(page.body.contains(other.native_name()), "{key}: {other}");
        }
        let offer = app.get(&format!("/{key}/angebote/{id}"), None).await;
        assert_eq!(offer.status, StatusCode::OK, "{key}");
        // Untranslated: the German text is marked as German.
        assert!(offer.body.contains("lang=\"de\""), "{key}");
        assert!(offer.body.contains("class=\"fallback\""), "{key}");
    }
    let easy = app.get("/ls/angebote", None).await;
    assert!(easy.body.contains("<html lang=\"de-x-ls\" dir=\"ltr\">"));
    let dari = app.get("/prs/angebote", None).await;
    assert!(dari.body.contains("dir=\"rtl\""));
    // Browsers asking for Afghan Persian get Dari.
    assert_eq!(Locale::parse("fa-AF"), Some(Locale::Prs));
});
