use axum::http::StatusCode;
use lotse_domain::offer::{Locale, OfferContent, OfferInput, OfferTexts};
use lotse_store::now_ms;
use lotse_store::offers::{self, SaveAs};
use tower::ServiceExt;

use crate::{TestApp, web_test};

const BECKUM: &str = "05570008";

fn content(title: &str, description: &str) -> OfferContent {
    OfferInput {
        title: title.into(),
        description: description.into(),
        topics: vec!["language_course".into()],
        languages: vec!["de".into(), "ar".into()],
        free_of_charge: "yes".into(),
        location_name: vec!["Familienzentrum".into()],
        location_street: vec!["Oststraße 5".into()],
        location_postal_code: vec!["59269".into()],
        location_town: vec![BECKUM.into()],
        location_latitude: vec!["51.7558".into()],
        location_longitude: vec!["8.0413".into()],
        hours_day: vec!["we".into()],
        hours_opens: vec!["09:00".into()],
        hours_closes: vec!["11:00".into()],
        phone: "02521 12345".into(),
        ..OfferInput::default()
    }
    .validate(None)
    .unwrap()
}

/// A course in Beckum with an Arabic title and nothing else translated.
pub(crate) fn mothers_course() -> OfferContent {
    let mut course = content(
        "Sprachkurs für Mütter",
        "Deutsch lernen mit Kinderbetreuung.",
    );
    course.texts.insert(
        Locale::Ar,
        OfferTexts {
            title: "دورة لغة للأمهات".into(),
            ..OfferTexts::default()
        },
    );
    course
}

pub(crate) async fn publish(app: &TestApp, content: &OfferContent, save_as: SaveAs) -> String {
    let org = app
        .organisation_id("Beratungsdienst Musterverband Beckum (Demo)")
        .await;
    let today = lotse_web::today();
    app.db
        .write(async |tx| {
            offers::create(
                tx,
                &lotse_store::scoped::Viewer::system("test"),
                None,
                &org,
                content,
                save_as,
                false,
                today,
                now_ms(),
            )
            .await
            .map(|saved| saved.id)
        })
        .await
        .unwrap()
}

/// The public search API, as JSON.
pub(crate) async fn api(app: &TestApp, query: &str) -> (StatusCode, serde_json::Value) {
    let reply = app
        .get(&format!("/api/v1/public/offers?{query}"), None)
        .await;
    let json = serde_json::from_str(&reply.body).unwrap_or(serde_json::Value::Null);
    (reply.status, json)
}

pub(crate) fn titles(json: &serde_json::Value) -> Vec<String> {
    json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

web_test!(
    the_finder_searches_published_current_offers_without_login,
    |app| {
        let course_id = publish(&app, &mothers_course(), SaveAs::Published).await;
        let mut ended = content("Sprachkurs im Sommer", "Vorbei.");
        ended.valid_to = lotse_domain::Date::new(2020, 8, 31);
        publish(&app, &ended, SaveAs::Published).await;
        publish(
            &app,
            &content("Sprachkurs als Entwurf", "Noch nicht frei."),
            SaveAs::Submitted,
        )
        .await;

        // Stemming and one typo; drafts and expired offers are not found.
        let (status, json) = api(&app, "q=Sprachkurse").await;
        assert_eq!(status, StatusCode::OK);
        let found = titles(&json);
        assert!(
            found.contains(&"Sprachkurs für Mütter".to_owned()),
            "{found:?}"
        );
        assert!(
            !found
                .iter()
                .any(|t| t.contains("Sommer") || t.contains("Entwurf")),
            "{found:?}"
        );
        let (_, json) = api(&app, "q=Sprachkurse%20M%C3%BCtter").await;
        assert_eq!(titles(&json), ["Sprachkurs für Mütter"]);
        assert_eq!(json["total"], 1);
        let item = &json["items"][0];
        assert_eq!(item["id"], course_id.as_str());
        assert_eq!(
            item["provider"],
            "Beratungsdienst Musterverband Beckum (Demo)"
        );
        assert_eq!(item["towns"][0], "Beckum");
        assert_eq!(item["languages"][1], "ar");
        assert_eq!(item["topics"][0], "language_course");
        assert_eq!(
            titles(&api(&app, "q=Sprahkurs%20Mutter").await.1),
            ["Sprachkurs für Mütter"]
        );

        // Filters by town name or key, language of delivery; locale picks the translation.
        for town in ["Beckum", "beckum", BECKUM] {
            assert_eq!(
                api(&app, &format!("q=M%C3%BCtter&town={town}")).await.1["total"],
                1,
                "{town}"
            );
        }
        assert_eq!(api(&app, "q=M%C3%BCtter&town=Ahlen").await.1["total"], 0);
        assert_eq!(api(&app, "language=ar&q=M%C3%BCtter").await.1["total"], 1);
        assert_eq!(api(&app, "language=tr&q=M%C3%BCtter").await.1["total"], 0);
        let (_, ar) = api(&app, "locale=ar&q=M%C3%BCtter").await;
        assert_eq!(titles(&ar), ["دورة لغة للأمهات"]);
        assert_eq!(ar["items"][0]["title_language"], "ar");
        let (_, tr) = api(&app, "locale=tr&q=M%C3%BCtter").await;
        assert_eq!(
            tr["items"][0]["title_language"], "de",
            "missing translation: German"
        );

        // Bad parameters are named.
        for (query, field) in [
            ("town=Hamburg", "town"),
            ("topic=astrology", "topic"),
            ("language=arabic", "language"),
            ("locale=xx", "locale"),
            ("limit=1000", "limit"),
            ("free=maybe", "free"),
        ] {
            let (status, json) = api(&app, query).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
            assert_eq!(json["field"], field, "{query}");
        }

        // One offer, with the text language per field.
        let reply = app
            .get(
                &format!("/api/v1/public/offers/{course_id}?locale=ar"),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let offer = reply.json();
        assert_eq!(offer["texts"]["title"]["lang"], "ar");
        assert_eq!(offer["texts"]["description"]["lang"], "de");
        assert_eq!(offer["incompletely_translated"], true);
        assert_eq!(offer["locations"][0]["town"], "Beckum");
        assert_eq!(
            app.get("/api/v1/public/offers/unknown", None).await.status,
            StatusCode::NOT_FOUND
        );
    }
);

web_test!(
    public_pages_are_translated_and_right_to_left_for_arabic,
    |app| {
        let id = publish(&app, &mothers_course(), SaveAs::Published).await;

        let de = app.get("/angebote?q=M%C3%BCtter", None).await;
        assert_eq!(de.status, StatusCode::OK);
        assert!(de.body.contains("<html lang=\"de\" dir=\"ltr\">"));
        assert!(de.body.contains("1 Angebot gefunden"));
        assert!(de.body.contains("Sprachkurs für Mütter"));
        assert!(de.body.contains("Beckum</span>: 1"), "town overview counts");
        assert!(
            !de.headers.contains_key("set-cookie"),
            "no cookies on public pages"
        );

        let ar = app.get("/ar/angebote?q=M%C3%BCtter", None).await;
        assert_eq!(ar.status, StatusCode::OK);
        assert!(ar.body.contains("<html lang=\"ar\" dir=\"rtl\">"));
        assert!(ar.body.contains("دورة لغة للأمهات"));
        assert!(ar.body.contains("تم العثور على خدمة واحدة"));

        let page = app.get(&format!("/ar/angebote/{id}"), None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("dir=\"rtl\""));
        assert!(
            page.body.contains("بعض المعلومات غير متوفرة بالعربية"),
            "fallback notice"
        );
        assert!(
            page.body
                .contains("lang=\"de\" dir=\"ltr\">Deutsch lernen mit Kinderbetreuung."),
            "the German fallback text is marked as German"
        );
        assert!(
            page.body.contains("الأربعاء: 09:00–11:00"),
            "weekday in Arabic"
        );
        assert!(page.body.contains("href=\"geo:51.7558,8.0413\""));
        assert!(page.body.contains("href=\"tel:+49252112345\""));
        let de_page = app.get(&format!("/angebote/{id}"), None).await;
        assert!(de_page.body.contains("Mittwoch: 09:00–11:00"));
        assert!(!de_page.body.contains("class=\"fallback\""));

        assert_eq!(
            app.get("/xx/angebote", None).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/de/angebote", None).await.status,
            StatusCode::PERMANENT_REDIRECT
        );
        assert_eq!(
            app.get("/angebote/nope", None).await.status,
            StatusCode::NOT_FOUND
        );
        // No third-party requests: every URL in the page is local (or a tel/mailto/geo link);
        // the only absolute address is the page's own, to share it.
        for body in [&de.body, &page.body] {
            let body = body.replace("http://lotse.test/", "");
            assert!(
                !body.contains("http://") && !body.contains("https://"),
                "{body}"
            );
        }
    }
);

web_test!(
    approval_withdrawal_and_other_nodes_reach_the_finder,
    |app| {
        // Submitted through the staff pages: not public until the coordination approves.
        let partner = app.login("partner").await;
        let form: Vec<(&str, &str)> = vec![
            ("title", "Nähcafé"),
            ("description", "Gemeinsam nähen."),
            ("topics", "meeting"),
            ("languages", "de"),
            ("free_of_charge", "yes"),
            ("location_town", BECKUM),
            ("save_as", "submit"),
        ];
        let created = app.post_form("/offers", &form, Some(&partner)).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let id = created
            .location()
            .trim_start_matches("/offers/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        assert_eq!(api(&app, "q=Nähcafé").await.1["total"], 0);
        let coordination = app.login("koordination").await;
        app.post_form(&format!("/offers/{id}/approve"), &[], Some(&coordination))
            .await;
        assert_eq!(
            api(&app, "q=Nähcafé").await.1["total"],
            1,
            "visible at once"
        );

        // A second node on the same database picks the change up by itself.
        let other = app.syncing_node();
        let ask = |router: axum::Router, q: &'static str| async move {
            let response = router
                .oneshot(
                    axum::http::Request::builder()
                        .uri(format!("/api/v1/public/offers?q={q}"))
                        .body(axum::body::Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()["total"].clone()
        };
        assert_eq!(ask(other.clone(), "N%C3%A4hcaf%C3%A9").await, 1);
        let withdrawn = app
            .post_form(
                &format!("/offers/{id}/withdraw"),
                &[("withdrawn", "true")],
                Some(&partner),
            )
            .await;
        assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
        assert_eq!(
            api(&app, "q=Nähcafé").await.1["total"],
            0,
            "this node at once"
        );
        assert_eq!(
            ask(other, "N%C3%A4hcaf%C3%A9").await,
            0,
            "the other node on its next search"
        );
    }
);

web_test!(deep_pages_stop_at_the_search_window, |app| {
    use lotse_domain::limits::SEARCH_WINDOW;
    // More current offers than the window (the demo's plus generated ones).
    lotse_store::demo_offers::generate(&app.db, SEARCH_WINDOW + 20, 7, |_| {})
        .await
        .unwrap();

    // The JSON API: offset + limit up to the window, then 400 naming offset.
    let (status, last) = api(&app, &format!("offset={}", SEARCH_WINDOW - 20)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(last["items"].as_array().unwrap().len(), 20);
    assert!(last["total"].as_u64().unwrap() > SEARCH_WINDOW as u64);
    let (status, _) = api(&app, &format!("offset={}&limit=100", SEARCH_WINDOW - 100)).await;
    assert_eq!(status, StatusCode::OK);
    for query in [
        format!("offset={}", SEARCH_WINDOW - 19),
        format!("offset={}&limit=100", SEARCH_WINDOW - 99),
        format!("offset={SEARCH_WINDOW}&limit=1"),
        "q=Sprachkurs&offset=99000".to_owned(),
        "offset=123456789012345678901234567890".to_owned(),
        "offset=-1".to_owned(),
        "offset=zehn".to_owned(),
    ] {
        let (status, json) = api(&app, &query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(json["field"], "offset", "{query}");
    }
    let (_, json) = api(&app, "offset=5000").await;
    let message = json["error"].as_str().unwrap();
    assert!(
        message.contains("1.000") && message.contains("/hsds/services"),
        "{message}"
    );

    // The page: the last page of the window is shown, with no link past it and the count of all.
    let last_page = SEARCH_WINDOW / 20;
    let page = app.get(&format!("/angebote?page={last_page}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("Seite {last_page} von {last_page}")),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("page={}", last_page - 1)));
    assert!(!page.body.contains(&format!("page={}", last_page + 1)));
    assert!(!page.body.contains("rel=\"next\""));
    assert!(
        page.body
            .contains("Gezeigt werden nur die ersten 1.000 Angebote")
    );
    let total = usize::try_from(last["total"].as_u64().unwrap()).unwrap();
    assert!(
        page.body.contains(&format!(
            "{} Angebote gefunden",
            lotse_domain::limits::count_label(total)
        )),
        "the count says how many there are, digits grouped"
    );
    let first = app.get("/angebote", None).await;
    assert!(first.body.contains("page=2"));
    assert!(first.body.contains(&format!("Seite 1 von {last_page}")));

    // One page further: 400 in the page's language, links back inside the window.
    let too_far = app
        .get(&format!("/angebote?q=Kurs&page={}", last_page + 1), None)
        .await;
    assert_eq!(too_far.status, StatusCode::BAD_REQUEST);
    assert!(
        too_far
            .body
            .contains("Diese Seite liegt hinter den ersten 1.000 Angeboten."),
        "{}",
        too_far.body
    );
    assert!(
        too_far.body.contains(&format!(
            "/angebote?q=Kurs&#38;page={last_page}\">Zur letzten Seite ({last_page})"
        )),
        "{}",
        too_far.body
    );
    assert!(!too_far.body.contains(&format!("page={}", last_page + 1)));
    let english = app
        .get("/en/angebote?page=99999999999999999999999", None)
        .await;
    assert_eq!(english.status, StatusCode::BAD_REQUEST);
    assert!(english.body.contains("beyond the first 1,000 services"));
    assert!(english.body.contains("<html lang=\"en\""));
    // Anything that is not a number still means the first page (hand-edited addresses).
    assert_eq!(
        app.get("/angebote?page=zwei", None).await.status,
        StatusCode::OK
    );
});

web_test!(editors_add_words_the_finder_splits_compounds_by, |app| {
    publish(
        &app,
        &content("Spielgruppe Krabbelzwerge", "Für Eltern mit Kleinkindern."),
        SaveAs::Published,
    )
    .await;
    let found =
        |json: &serde_json::Value| titles(json).contains(&"Spielgruppe Krabbelzwerge".to_owned());
    // Neither "Krabbel" nor "Zwerge" stands anywhere on its own: the finder cannot cut the
    // compound, so "Zwerge" finds nothing.
    let (status, json) = api(&app, "q=Zwerge").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!found(&json), "{json}");

    let co = app.login("koordination").await;
    let page = app
        .get("/offers/words?probe=Krabbelzwerge", Some(&co))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("die Suche zerlegt es nicht"),
        "{}",
        page.body
    );
    // A wrong line is named and nothing is saved.
    let refused = app
        .post_form(
            "/offers/words",
            &[("words", "Krabbel\nx1\nZwerg")],
            Some(&co),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Zeile 2: „x1“ ist kein Wort"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Krabbel\nx1\nZwerg"),
        "the input comes back"
    );
    assert_eq!(
        api(&app, "q=Zwerge").await.1["items"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    let saved = app
        .post_form(
            "/offers/words",
            &[("words", "Krabbel\n\nZwerg\nkrabbel\n")],
            Some(&co),
        )
        .await;
    assert_eq!(saved.location(), "/offers/words?ok=saved", "{}", saved.body);
    let (_, json) = api(&app, "q=Zwerge").await;
    assert!(
        found(&json),
        "the part is found once the parts are words: {json}"
    );
    let page = app
        .get("/offers/words?probe=Krabbelzwerge", Some(&co))
        .await;
    assert!(
        page.body
            .contains("<strong>krabbel</strong> + <strong>zwerg</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("(2 gespeichert)"));
    // Another node picks the words up at its next look at the store.
    let other = app.node(app.syncing_node());
    let (_, json) = api(&other, "q=Zwerge").await;
    assert!(found(&json), "{json}");
    // Providers do not edit the finder's words.
    let partner = app.login("partner").await;
    assert_eq!(
        app.get("/offers/words", Some(&partner)).await.status,
        StatusCode::FORBIDDEN
    );
});

web_test!(
    the_coordination_edits_the_concepts_queries_expand_through,
    |app| {
        publish(
            &app,
            &content(
                "Spielgruppe für Kleinkinder",
                "Singen und Spielen am Vormittag.",
            ),
            SaveAs::Published,
        )
        .await;
        let found = |json: &serde_json::Value| {
            titles(json).contains(&"Spielgruppe für Kleinkinder".to_owned())
        };
        assert!(!found(&api(&app, "q=Krabbelgruppe").await.1));

        let co = app.login("koordination").await;
        let list = app.get("/offers/concepts", Some(&co)).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body.contains("Kita, Kindertagesstätte"),
            "the shipped concepts"
        );
        // One German word is no concept: refused, the field named, the input kept.
        let refused = app
            .post_form(
                "/offers/concepts",
                &[("de", "Krabbelgruppe"), ("uk", "група для малюків")],
                Some(&co),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("Deutsch: Mindestens zwei deutsche Begriffe"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("група для малюків"));

        let saved = app
            .post_form(
                "/offers/concepts",
                &[
                    ("de", "Krabbelgruppe, Spielgruppe"),
                    ("uk", "група для малюків"),
                ],
                Some(&co),
            )
            .await;
        assert_eq!(
            saved.location(),
            "/offers/concepts?ok=saved",
            "{}",
            saved.body
        );
        assert!(found(&api(&app, "q=Krabbelgruppe").await.1));
        // A Ukrainian query reaches the German-only offer; its title comes in German.
        let (_, json) = api(&app, "q=%D0%B3%D1%80%D1%83%D0%BF%D0%B0%20%D0%B4%D0%BB%D1%8F%20%D0%BC%D0%B0%D0%BB%D1%8E%D0%BA%D1%96%D0%B2&locale=uk").await;
        assert!(found(&json), "{json}");
        // Another node reads the concepts at its next look at the store.
        let other = app.node(app.syncing_node());
        assert!(found(&api(&other, "q=Krabbelgruppe").await.1));

        // Taken out of use, the concept no longer expands anything.
        let list = app.get("/offers/concepts", Some(&co)).await;
        let id = list
            .body
            .split("href=\"/offers/concepts/")
            .filter_map(|s| s.split('"').next())
            .find(|id| {
                list.body.contains(&format!(
                    "{id}\">bearbeiten<span class=\"visually-hidden\">: Krabbelgruppe"
                ))
            })
            .unwrap()
            .to_owned();
        let gone = app
            .post_form(&format!("/offers/concepts/{id}/withdraw"), &[], Some(&co))
            .await;
        assert_eq!(gone.location(), "/offers/concepts?ok=saved");
        assert!(!found(&api(&app, "q=Krabbelgruppe").await.1));
        assert_eq!(
            app.get(&format!("/offers/concepts/{id}"), Some(&co))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // Providers do not edit the concepts.
        let partner = app.login("partner").await;
        assert_eq!(
            app.get("/offers/concepts", Some(&partner)).await.status,
            StatusCode::FORBIDDEN
        );
    }
);

web_test!(
    searches_that_found_nothing_are_counted_for_the_editors,
    |app| {
        publish(&app, &mothers_course(), SaveAs::Published).await;
        // Found something: not noted. Nothing found, in German twice and in Ukrainian once:
        // noted by words and language. With a filter, nothing is noted (the words may exist).
        api(&app, "q=Sprachkurs").await;
        app.get("/angebote?q=Raumfahrt+Beratung", None).await;
        api(&app, "q=raumfahrt%20%20BERATUNG").await;
        api(&app, "q=%D0%BA%D0%BE%D1%81%D0%BC%D0%BE%D1%81&locale=uk").await;
        api(&app, "q=Zirkus&town=05570008").await;
        // Digits or an @ may be a telephone number or an address: never noted.
        api(&app, "q=Karimi%200171%202345678").await;
        api(&app, "q=karimi%40example.org").await;
        // The notes are written on tasks of their own: wait for them.
        let mut misses = Vec::new();
        for _ in 0..100 {
            misses = lotse_store::finder_misses::most_searched(&app.db, 10)
                .await
                .unwrap();
            if misses.len() == 2 && misses[0].searches == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let seen: Vec<(&str, &str, i64)> = misses
            .iter()
            .map(|m| (m.term.as_str(), m.locale.as_str(), m.searches))
            .collect();
        assert_eq!(seen, [("raumfahrt beratung", "de", 2), ("космос", "uk", 1)]);

        let co = app.login("koordination").await;
        let page = app.get("/offers/misses", Some(&co)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("raumfahrt beratung") && page.body.contains("Ukrainisch"));
        assert!(
            page.body
                .contains("/offers/concepts/new?uk=%D0%BA%D0%BE%D1%81%D0%BC%D0%BE%D1%81"),
            "{}",
            page.body
        );
        // The link fills the concept form in.
        let form = app
            .get(
                "/offers/concepts/new?uk=%D0%BA%D0%BE%D1%81%D0%BC%D0%BE%D1%81",
                Some(&co),
            )
            .await;
        assert!(form.body.contains("value=\"космос\""), "{}", form.body);
        // Ninety days after the last search for it, the scheduled clean-up removes a term.
        let now = lotse_store::now_ms();
        let later = now + lotse_store::finder_misses::KEPT_FOR_MS + 1;
        assert_eq!(
            lotse_store::finder_misses::prune(&app.db, now)
                .await
                .unwrap(),
            0
        );
        let admin = app.login("admin").await;
        let run = app
            .post_form("/admin/jobs/finder-misses-purge/run", &[], Some(&admin))
            .await;
        assert_eq!(run.location(), "/admin/jobs?ok=job_run");
        assert_eq!(
            lotse_store::finder_misses::most_searched(&app.db, 10)
                .await
                .unwrap()
                .len(),
            2,
            "recent terms stay"
        );
        assert_eq!(
            lotse_store::finder_misses::prune(&app.db, later)
                .await
                .unwrap(),
            2
        );
        let co = app.login("koordination").await;
        let cleared = app.post_form("/offers/misses/clear", &[], Some(&co)).await;
        assert_eq!(cleared.location(), "/offers/misses?ok=saved");
        assert!(
            lotse_store::finder_misses::most_searched(&app.db, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let partner = app.login("partner").await;
        assert_eq!(
            app.get("/offers/misses", Some(&partner)).await.status,
            StatusCode::FORBIDDEN
        );
    }
);

web_test!(
    the_offer_page_puts_contact_first_and_an_empty_result_leads_on,
    |app| {
        let id = publish(&app, &mothers_course(), SaveAs::Published).await;
        let page = app.get(&format!("/angebote/{id}"), None).await;
        assert_eq!(page.status, StatusCode::OK);
        // Call, write, find the way: before the description, with the number in +49 form.
        let quick = page
            .body
            .find("class=\"quick noprint\"")
            .expect("quick actions");
        let where_ = page.body.find("id=\"where-h\"").expect("where");
        assert!(quick < where_, "the actions come first");
        assert!(
            page.body.contains("href=\"tel:+49252112345\""),
            "{}",
            page.body
        );
        assert!(page.body.contains("+49 2521 12345"));
        assert!(
            page.body
                .contains(">Anrufen <span dir=\"ltr\">+49 2521 12345</span></a>")
        );
        assert!(page.body.contains(">Weg dorthin</a>"));
        let arabic = app.get(&format!("/ar/angebote/{id}"), None).await;
        assert!(arabic.body.contains("aria-label=\"تواصل سريع\""));

        // Nothing in Ahlen: the nearest towns with offers for the same words, and the topics.
        publish(
            &app,
            &content("Töpferkurs am Abend", "Ton formen und brennen."),
            SaveAs::Published,
        )
        .await;
        let empty = app
            .get("/angebote?q=T%C3%B6pferkurs&town=05570004", None)
            .await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(
            empty.body.contains("Passende Angebote in der Nähe:"),
            "{}",
            empty.body
        );
        assert!(
            empty
                .body
                .contains("town=05570008\"><span lang=\"de\" dir=\"ltr\">Beckum</span> (1)"),
            "{}",
            empty.body
        );
        assert!(empty.body.contains("Oder stöbern Sie nach Thema:"));
        assert!(empty.body.contains("/angebote?topic=language_course"));
        // A result that is not empty shows neither.
        let full = app.get("/angebote?q=T%C3%B6pferkurs", None).await;
        assert!(full.body.contains("Töpferkurs am Abend"));
        assert!(!full.body.contains("Oder stöbern Sie nach Thema:"));
    }
);
