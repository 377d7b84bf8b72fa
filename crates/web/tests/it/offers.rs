use axum::http::StatusCode;
use lotse_domain::offer::OfferInput;
use lotse_store::offers::{self, Count, SaveAs};
use lotse_store::scoped::{Scoped, Viewer};
use lotse_store::{Actor, now_ms, users};

use crate::{SmtpSink, TestApp, web_test};

const PARTNER_ORG: &str = "Beratungsdienst Musterverband Beckum (Demo)";

/// A complete offer form: one location and one opening slot, plus the empty extra slots the page
/// always renders.
fn form(title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", title.to_owned()),
        ("easy_summary", "".to_owned()),
        ("description", "Deutsch lernen im Alltag.".to_owned()),
        ("topics", "language_course".to_owned()),
        ("topics", "meeting".to_owned()),
        ("target_groups", "women".to_owned()),
        ("min_age", "".to_owned()),
        ("max_age", "".to_owned()),
        ("languages", "de".to_owned()),
        ("languages", "ar".to_owned()),
        ("free_of_charge", "yes".to_owned()),
        ("fees", "".to_owned()),
        ("capacity", "places_free".to_owned()),
        ("location_name", "Familienzentrum".to_owned()),
        ("location_street", "Oststraße 5".to_owned()),
        ("location_postal_code", "59269".to_owned()),
        ("location_town", "05570008".to_owned()),
        ("location_latitude", "51,7558".to_owned()),
        ("location_longitude", "8,0413".to_owned()),
        ("location_name", "".to_owned()),
        ("location_street", "".to_owned()),
        ("location_postal_code", "".to_owned()),
        ("location_town", "".to_owned()),
        ("location_latitude", "".to_owned()),
        ("location_longitude", "".to_owned()),
        ("hours_day", "we".to_owned()),
        ("hours_opens", "09:00".to_owned()),
        ("hours_closes", "11:00".to_owned()),
        ("hours_day", "".to_owned()),
        ("hours_opens", "".to_owned()),
        ("hours_closes", "".to_owned()),
        ("schedule_note", "nicht in den Ferien".to_owned()),
        ("eligibility", "".to_owned()),
        ("required_documents", "".to_owned()),
        ("registration", "Einfach vorbeikommen.".to_owned()),
        ("accessibility", "".to_owned()),
        ("contact_name", "".to_owned()),
        ("phone", "02521 12345".to_owned()),
        ("email", "".to_owned()),
        ("website", "".to_owned()),
        ("valid_from", "".to_owned()),
        ("valid_to", "".to_owned()),
    ]
}

async fn post(
    app: &TestApp,
    path: &str,
    fields: &[(&'static str, String)],
    cookie: &str,
) -> crate::Reply {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form(path, &pairs, Some(cookie)).await
}

fn with(
    mut fields: Vec<(&'static str, String)>,
    extra: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    for (k, v) in extra {
        fields.push((k, (*v).to_owned()));
    }
    fields
}

/// The offer id from a redirect to `/offers/{id}?ok=…`.
fn offer_id(location: &str) -> String {
    location
        .trim_start_matches("/offers/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

web_test!(
    a_partners_offer_is_published_after_the_coordinations_approval,
    |app| {
        let partner = app.login("partner").await;
        let created = post(
            &app,
            "/offers",
            &with(form("Sprachcafé für Frauen"), &[("save_as", "submit")]),
            &partner,
        )
        .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        assert!(created.location().ends_with("?ok=offer_submitted"));
        let id = offer_id(created.location());

        let page = app.get(&format!("/offers/{id}"), Some(&partner)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Offene Änderung: wartet auf Freigabe"));
        assert!(page.body.contains("nein, noch nicht veröffentlicht"));
        assert!(
            !page.body.contains("Freigeben und veröffentlichen"),
            "partners cannot approve"
        );
        let offer = offers::for_viewer(&app.db, &Viewer::system("test"))
            .get(&id)
            .await
            .map(Scoped::into_inner)
            .unwrap();
        assert_eq!(offer.organisation, PARTNER_ORG);
        let content = offer.open.unwrap().content;
        assert_eq!(content.languages, ["de", "ar"]);
        assert_eq!(content.locations[0].latitude, Some(51.7558));
        assert_eq!(content.opening_hours.len(), 1, "blank slots are skipped");

        // Approving is the coordination's: the route refuses partners outright.
        let refused = app
            .post_form(&format!("/offers/{id}/approve"), &[], Some(&partner))
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let coordination = app.login("koordination").await;
        let waiting = app
            .get("/offers?state=submitted&organisation=", Some(&coordination))
            .await;
        assert!(waiting.body.contains("Sprachcafé für Frauen"));
        assert!(
            waiting.body.contains("Änderungen warten auf Freigabe"),
            "the demo's and this one"
        );
        let approved = app
            .post_form(&format!("/offers/{id}/approve"), &[], Some(&coordination))
            .await;
        assert_eq!(approved.status, StatusCode::SEE_OTHER);
        let page = app.get(&format!("/offers/{id}"), Some(&partner)).await;
        assert!(page.body.contains("im Angebotsfinder ansehen"));
        assert!(!page.body.contains("Offene Änderung"));

        // A change waits again; the public version stays until it is approved.
        let changed = post(
            &app,
            &format!("/offers/{id}"),
            &with(
                form("Sprachcafé für Frauen und Mädchen"),
                &[("save_as", "submit")],
            ),
            &partner,
        )
        .await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
        let live = offers::published_one(&app.db, &id).await.unwrap();
        assert_eq!(live.content.title(), "Sprachcafé für Frauen");
        let page = app.get(&format!("/offers/{id}"), Some(&coordination)).await;
        assert!(
            page.body.contains("Geändert: Titel"),
            "the reviewer sees what changed"
        );

        // Returning needs a reason; the provider sees it.
        let no_reason = app
            .post_form(
                &format!("/offers/{id}/return"),
                &[("note", "")],
                Some(&coordination),
            )
            .await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_reason.body.contains("Bitte kurz begründen"));
        let returned = app
            .post_form(
                &format!("/offers/{id}/return"),
                &[("note", "Bitte auch die Kinderbetreuung nennen.")],
                Some(&coordination),
            )
            .await;
        assert_eq!(returned.status, StatusCode::SEE_OTHER);
        let page = app.get(&format!("/offers/{id}"), Some(&partner)).await;
        assert!(page.body.contains("Bitte auch die Kinderbetreuung nennen."));
    }
);

web_test!(partners_cannot_touch_another_organisations_offers, |app| {
    let coordination = app.login("koordination").await;
    let other = app
        .organisation_id("Kommunales Integrationszentrum (Demo)")
        .await;
    let created = post(
        &app,
        "/offers",
        &with(
            form("Angebot des KI"),
            &[("save_as", "publish"), ("organisation_id", &other)],
        ),
        &coordination,
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert!(created.location().ends_with("?ok=offer_published"));
    let id = offer_id(created.location());
    assert_eq!(
        offers::for_viewer(&app.db, &Viewer::system("test"))
            .get(&id)
            .await
            .map(Scoped::into_inner)
            .unwrap()
            .organisation_id,
        other
    );

    let partner = app.login("partner").await;
    // They may look (it is public anyway) but not change anything: whatever they may not change
    // is "not found" to them, which does not tell whose it is.
    let page = app.get(&format!("/offers/{id}"), Some(&partner)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Bearbeiten"));
    for path in [
        format!("/offers/{id}/edit"),
        format!("/offers/{id}/translations/ar"),
    ] {
        assert_eq!(
            app.get(&path, Some(&partner)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let edit = post(
        &app,
        &format!("/offers/{id}"),
        &with(form("Gekapert"), &[("save_as", "submit")]),
        &partner,
    )
    .await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND);
    for (path, fields) in [
        (format!("/offers/{id}/verify"), vec![]),
        (
            format!("/offers/{id}/withdraw"),
            vec![("withdrawn", "true")],
        ),
        (format!("/offers/{id}/discard"), vec![]),
        (
            format!("/offers/{id}/translations/ar"),
            vec![("title", "x")],
        ),
    ] {
        let reply = app.post_form(&path, &fields, Some(&partner)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
    // A partner creating "for" another organisation still creates for their own.
    let own = post(
        &app,
        "/offers",
        &with(
            form("Eigenes Angebot"),
            &[("save_as", "publish"), ("organisation_id", &other)],
        ),
        &partner,
    )
    .await;
    let own_id = offer_id(own.location());
    let offer = offers::for_viewer(&app.db, &Viewer::system("test"))
        .get(&own_id)
        .await
        .map(Scoped::into_inner)
        .unwrap();
    assert_eq!(offer.organisation, PARTNER_ORG);
    assert!(
        offer.published.is_none(),
        "an untrusted partner's 'publish' is a submission"
    );
    assert_eq!(
        offers::for_viewer(&app.db, &Viewer::system("test"))
            .get(&id)
            .await
            .map(Scoped::into_inner)
            .unwrap()
            .title,
        "Angebot des KI"
    );
    // Readers see the directory but cannot create.
    let reader = app.login("lesen").await;
    assert_eq!(
        app.get("/offers", Some(&reader)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/offers/new", Some(&reader)).await.status,
        StatusCode::FORBIDDEN
    );
});

web_test!(
    the_offer_form_names_each_wrong_field_and_keeps_the_input,
    |app| {
        let before = offer_count(&app).await;
        let partner = app.login("partner").await;
        let mut fields = form("");
        for (k, v) in fields.iter_mut() {
            match *k {
                "location_postal_code" if v == "59269" => *v = "5926".into(),
                "hours_closes" if v == "11:00" => *v = "08:00".into(),
                "languages" => v.clear(),
                _ => {}
            }
        }
        fields.push(("location_town", "".into()));
        fields.push(("location_street", "Nur eine Straße".into()));
        let reply = post(
            &app,
            "/offers",
            &with(fields, &[("save_as", "submit")]),
            &partner,
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        for anchor in [
            "#f-title",
            "#f-languages",
            "#f-location_postal_code_0",
            "#f-hours_closes_0",
            "#f-location_town_2",
        ] {
            assert!(
                reply.body.contains(&format!("href=\"{anchor}\"")),
                "{anchor}"
            );
        }
        assert!(
            reply
                .body
                .contains("Ort 1: Die Postleitzahl hat fünf Ziffern.")
        );
        assert!(
            reply.body.contains("value=\"Oststraße 5\""),
            "typed values are kept"
        );
        assert!(reply.body.contains("value=\"Nur eine Straße\""));
        assert_eq!(offer_count(&app).await, before, "nothing written");
    }
);

web_test!(
    translations_are_kept_per_language_and_trusted_providers_publish_directly,
    |app| {
        let coordination = app.login("koordination").await;
        let org = app.organisation_id(PARTNER_ORG).await;
        let trusted = app
            .post_form(
                &format!("/organisations/{org}/trusted"),
                &[("trusted", "true")],
                Some(&coordination),
            )
            .await;
        assert_eq!(trusted.status, StatusCode::SEE_OTHER);
        let partner = app.login("partner").await;
        let new_page = app.get("/offers/new", Some(&partner)).await;
        assert!(
            new_page
                .body
                .contains("sofort im öffentlichen Angebotsfinder sichtbar")
        );
        let created = post(
            &app,
            "/offers",
            &with(form("Elterncafé"), &[("save_as", "publish")]),
            &partner,
        )
        .await;
        let id = offer_id(created.location());
        assert!(
            offers::for_viewer(&app.db, &Viewer::system("test"))
                .get(&id)
                .await
                .map(Scoped::into_inner)
                .unwrap()
                .published
                .is_some()
        );

        let page = app
            .get(&format!("/offers/{id}/translations/ar"), Some(&partner))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("dir=\"rtl\""));
        assert!(page.body.contains("Deutsch: Elterncafé"));
        let saved = app
            .post_form(
                &format!("/offers/{id}/translations/ar"),
                &[
                    ("title", "مقهى الوالدين"),
                    ("description", ""),
                    ("save_as", "publish"),
                ],
                Some(&partner),
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let live = offers::published_one(&app.db, &id).await.unwrap();
        assert_eq!(
            live.content.texts[&lotse_domain::offer::Locale::Ar].title,
            "مقهى الوالدين"
        );
        assert_eq!(live.content.title(), "Elterncafé", "German stays");
        let page = app.get(&format!("/offers/{id}"), Some(&partner)).await;
        assert!(
            page.body
                .contains("Arabisch</a>: <span class=\"state-current\">aktuell"),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("Türkisch</a>: <span class=\"state-missing\">fehlt")
        );

        // Editing the German text keeps the translation.
        let edited = post(
            &app,
            &format!("/offers/{id}"),
            &with(form("Elterncafé am Markt"), &[("save_as", "publish")]),
            &partner,
        )
        .await;
        assert_eq!(edited.status, StatusCode::SEE_OTHER);
        let live = offers::published_one(&app.db, &id).await.unwrap();
        assert_eq!(live.content.title(), "Elterncafé am Markt");
        assert_eq!(
            live.content.translated_locales(),
            [lotse_domain::offer::Locale::Ar]
        );
        assert_eq!(
            app.get(&format!("/offers/{id}/translations/xx"), Some(&partner))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);

web_test!(
    providers_of_offers_unverified_for_a_year_are_reminded_by_mail,
    |app| {
        let Some(sink) = SmtpSink::start() else {
            return;
        };
        let partner = users::get_by_username(&app.db, "partner").await.unwrap();
        let draft = users::UserDraft {
            username: partner.username.clone(),
            display_name: partner.display_name.clone(),
            email: "sam.probe@example.org".into(),
            organisation_id: partner.organisation_id.clone(),
            roles: partner.roles.clone(),
        };
        let content = OfferInput {
            title: "Migrationsberatung".into(),
            description: "Beratung".into(),
            topics: vec!["counselling".into()],
            languages: vec!["de".into()],
            free_of_charge: "yes".into(),
            ..OfferInput::default()
        }
        .validate(None)
        .unwrap();
        let actor = Actor::system("test");
        let id = app
            .db
            .write(async |tx| {
                users::update(tx, &actor, &partner, &draft, now_ms()).await?;
                offers::create(
                    tx,
                    &Viewer::system("test"),
                    None,
                    &partner.organisation_id,
                    &content,
                    SaveAs::Published,
                    false,
                    lotse_domain::Date::new(2025, 6, 1).expect("a day"),
                    now_ms(),
                )
                .await
                .map(|saved| saved.id)
            })
            .await
            .unwrap();
        let mail = lotse_web::mail::MailConfig::from_url(
            &format!("smtp://127.0.0.1:{}", sink.port),
            "lotse@kreis-warendorf.de",
        )
        .unwrap();
        let app = app.node(TestApp::router_with_mail(&app.db, Some(mail)));
        let coordination = app.login("koordination").await;
        let list = app
            .get("/offers?state=overdue&organisation=", Some(&coordination))
            .await;
        assert!(list.body.contains("Prüfung fällig"));
        let sent = app
            .post_form("/offers/reminders", &[], Some(&coordination))
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let messages = sink.messages();
        assert_eq!(
            messages.len(),
            1,
            "one mail to the one account with an address"
        );
        assert!(messages[0].contains("sam.probe@example.org"));
        assert!(messages[0].contains("Migrationsberatung"));
        // Not again within 30 days.
        app.post_form("/offers/reminders", &[], Some(&coordination))
            .await;
        assert_eq!(sink.messages().len(), 1);
        assert!(
            offers::for_viewer(&app.db, &Viewer::system("test"))
                .get(&id)
                .await
                .map(Scoped::into_inner)
                .unwrap()
                .reminded_at
                .is_some()
        );
    }
);

web_test!(the_staff_list_is_paged, |app| {
    lotse_store::demo_offers::generate(&app.db, 150, 7, |_| {})
        .await
        .unwrap();
    let total = offer_count(&app).await;
    let coordination = app.login("koordination").await;
    let first = app.get("/offers?organisation=", Some(&coordination)).await;
    assert!(
        first
            .body
            .contains(&format!("{total} Angebote, auf dieser Seite 100.")),
        "{total}"
    );
    assert!(!first.body.contains("rel=\"first\""));
    // Following the "next" links visits every offer once, in the list's order.
    let mut rows = 0;
    let mut page = first;
    let mut pages = 1;
    loop {
        rows += page.body.matches("<th scope=\"row\">").count();
        let Some(next) = page
            .body
            .split("rel=\"next\"")
            .next()
            .filter(|_| page.body.contains("rel=\"next\""))
            .and_then(|before| before.rsplit("href=\"").next())
            .map(|href| {
                href.trim_end_matches("\" ")
                    .replace("&amp;", "&")
                    .replace("&#38;", "&")
            })
        else {
            break;
        };
        page = app.get(&next, Some(&coordination)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("rel=\"first\""), "{next}");
        pages += 1;
    }
    assert_eq!(rows, total);
    assert_eq!(pages, total.div_ceil(100));
    // A cursor nobody wrote starts at the top rather than failing.
    let odd = app
        .get("/offers?organisation=&after=kaputt", Some(&coordination))
        .await;
    assert_eq!(odd.status, StatusCode::OK);
});

/// How many offers the coordination's list has.
async fn offer_count(app: &TestApp) -> usize {
    match offers::for_viewer(&app.db, &Viewer::system("test"))
        .count(
            &Default::default(),
            lotse_domain::Date::new(2026, 11, 25).expect("a day"),
        )
        .await
        .unwrap()
    {
        Count::Exactly(n) => usize::try_from(n).unwrap(),
        Count::MoreThan(n) => panic!("more than {n} offers"),
    }
}

/// The form's fields without those named (to replace them).
fn without(fields: Vec<(&'static str, String)>, names: &[&str]) -> Vec<(&'static str, String)> {
    fields
        .into_iter()
        .filter(|(k, _)| !names.contains(k))
        .collect()
}

/// Two opening-hours rows as the form sends them: times per row, ticked days as "row:day".
fn hours(rows: &[(&[&str], &str, &str)]) -> Vec<(&'static str, String)> {
    let mut fields = Vec::new();
    for (i, (days, opens, closes)) in rows.iter().enumerate() {
        for day in *days {
            fields.push(("hours_days", format!("{i}:{day}")));
        }
        fields.push(("hours_opens", (*opens).to_owned()));
        fields.push(("hours_closes", (*closes).to_owned()));
    }
    fields
}

async fn stored(app: &TestApp, id: &str) -> lotse_domain::offer::OfferContent {
    let offer = offers::for_viewer(&app.db, &Viewer::system("test"))
        .get(id)
        .await
        .map(Scoped::into_inner)
        .unwrap();
    offer.working_content().cloned().unwrap()
}

web_test!(several_days_in_one_row_become_one_slot_per_day, |app| {
    let partner = app.login("partner").await;
    let mut fields = without(
        form("Hausaufgabenhilfe"),
        &["hours_day", "hours_opens", "hours_closes"],
    );
    fields.extend(hours(&[
        (&["mo", "tu", "we", "th", "fr"], "14:00", "16:00"),
        (&["sa"], "10:00", "12:00"),
        (&[], "", ""),
    ]));
    let created = post(
        &app,
        "/offers",
        &with(fields, &[("save_as", "draft")]),
        &partner,
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = offer_id(created.location());
    let content = stored(&app, &id).await;
    let slots: Vec<String> = content
        .opening_hours
        .iter()
        .map(|h| format!("{} {}–{}", h.day.key(), h.opens, h.closes))
        .collect();
    assert_eq!(
        slots,
        [
            "mo 14:00–16:00",
            "tu 14:00–16:00",
            "we 14:00–16:00",
            "th 14:00–16:00",
            "fr 14:00–16:00",
            "sa 10:00–12:00"
        ]
    );
    // The form shows the five days in one row again, the Saturday in its own, and a blank row.
    let edit = app.get(&format!("/offers/{id}/edit"), Some(&partner)).await;
    for day in ["mo", "tu", "we", "th", "fr"] {
        assert!(
            edit.body.contains(&format!("value=\"0:{day}\" checked")),
            "{day}"
        );
    }
    assert!(edit.body.contains("value=\"1:sa\" checked"));
    assert!(!edit.body.contains("value=\"0:sa\" checked"));
    assert!(edit.body.contains("<legend>Zeit 3</legend>"));
    assert!(!edit.body.contains("<legend>Zeit 4</legend>"));

    // Without script, "Mo–Fr" sends the form and it comes back with the days ticked, unsaved.
    let mut fields = without(
        form("Lernhilfe"),
        &["hours_day", "hours_opens", "hours_closes"],
    );
    fields.extend(hours(&[(&[], "09:00", "11:00")]));
    let quick = post(
        &app,
        "/offers",
        &with(fields, &[("assist", "weekdays-0")]),
        &partner,
    )
    .await;
    assert_eq!(quick.status, StatusCode::OK);
    assert!(
        quick
            .body
            .contains("Zeit 1: Montag bis Freitag angekreuzt.")
    );
    assert!(quick.body.contains("value=\"0:fr\" checked"));
    assert!(!quick.body.contains("value=\"0:sa\" checked"));
    assert!(quick.body.contains("value=\"09:00\""), "the times stay");
    assert!(
        quick.body.contains("value=\"Lernhilfe\""),
        "the title stays"
    );
    let list = app.get("/offers?q=Lernhilfe", Some(&partner)).await;
    assert!(!list.body.contains(">Lernhilfe</a>"), "nothing saved");

    // Times without a day, an end before the start: named per row, nothing lost.
    let mut fields = without(
        form("Lernhilfe"),
        &["hours_day", "hours_opens", "hours_closes"],
    );
    fields.extend(hours(&[
        (&[], "09:00", "11:00"),
        (&["mo"], "12:00", "10:00"),
    ]));
    let refused = post(
        &app,
        "/offers",
        &with(fields, &[("save_as", "draft")]),
        &partner,
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Zeit 1: Bitte mindestens einen Wochentag ankreuzen.")
    );
    assert!(refused.body.contains("href=\"#f-hours_days_0\""));
    assert!(
        refused
            .body
            .contains("Zeit 2: Das Ende (10:00 Uhr) liegt nicht nach dem Beginn (12:00 Uhr).")
    );
    assert!(refused.body.contains("value=\"1:mo\" checked"));
    assert!(refused.body.contains("value=\"12:00\""));

    // The older form's one day per row is still understood.
    let legacy = post(
        &app,
        "/offers",
        &with(form("Sprechstunde"), &[("save_as", "draft")]),
        &partner,
    )
    .await;
    assert_eq!(legacy.status, StatusCode::SEE_OTHER, "{}", legacy.body);
    let content = stored(&app, &offer_id(legacy.location())).await;
    assert_eq!(content.opening_hours.len(), 1);
    assert_eq!(content.opening_hours[0].day.key(), "we");
});

web_test!(
    a_place_without_coordinates_is_placed_from_its_address,
    |app| {
        let partner = app.login("partner").await;
        let fields = without(
            form("Familiencafé"),
            &["location_latitude", "location_longitude"],
        );
        let mut fields = fields;
        fields.extend([
            ("location_latitude", String::new()),
            ("location_longitude", String::new()),
            ("location_latitude", String::new()),
            ("location_longitude", String::new()),
        ]);
        let created = post(
            &app,
            "/offers",
            &with(fields.clone(), &[("save_as", "draft")]),
            &partner,
        )
        .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let id = offer_id(created.location());
        let place = stored(&app, &id).await.locations[0].clone();
        // 59269 is Beckum's postcode: the centre of Beckum.
        assert_eq!(
            (place.latitude, place.longitude),
            (Some(51.7558), Some(8.0413))
        );
        assert_eq!(place.located, Some(lotse_domain::town::Located::PostalCode));
        let page = app.get(&format!("/offers/{id}"), Some(&partner)).await;
        assert!(page.body.contains("(Lage aus Postleitzahl geschätzt)"));
        let edit = app.get(&format!("/offers/{id}/edit"), Some(&partner)).await;
        assert!(
            edit.body
                .contains("Lage aus Postleitzahl geschätzt (Ortsmitte).")
        );

        // The button fills the fields without saving (no script needed).
        let located = post(
            &app,
            "/offers",
            &with(fields, &[("assist", "locate-0")]),
            &partner,
        )
        .await;
        assert_eq!(located.status, StatusCode::OK);
        assert!(
            located.body.contains("value=\"51.7558\""),
            "{}",
            located.body
        );
        assert!(located.body.contains("value=\"8.0413\""));
        assert!(
            located
                .body
                .contains("Ort 1: Lage aus Postleitzahl geschätzt 59269: Ortsmitte von Beckum.")
        );
        assert!(located.body.contains("formaction=\"/offers#ort-1\""));

        // Coordinates outside the district are refused with the reason.
        let outside = post(
            &app,
            "/offers",
            &with(
                without(
                    form("Familiencafé"),
                    &["location_latitude", "location_longitude"],
                ),
                &[
                    ("location_latitude", "51,9624"),
                    ("location_longitude", "7,6257"),
                    ("location_latitude", ""),
                    ("location_longitude", ""),
                    ("save_as", "draft"),
                ],
            ),
            &partner,
        )
        .await;
        assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            outside.body.contains(
                "Ort 1: Die Lage 51,9624 / 7,6257 liegt etwa 5 km außerhalb des Kreises Warendorf."
            ),
            "{}",
            outside.body
        );
        assert!(outside.body.contains("href=\"#f-location_latitude_0\""));
        // Swapped ones are told so.
        let swapped = post(
            &app,
            "/offers",
            &with(
                without(
                    form("Familiencafé"),
                    &["location_latitude", "location_longitude"],
                ),
                &[
                    ("location_latitude", "8,0413"),
                    ("location_longitude", "51,7558"),
                    ("location_latitude", ""),
                    ("location_longitude", ""),
                    ("save_as", "draft"),
                ],
            ),
            &partner,
        )
        .await;
        assert_eq!(swapped.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            swapped
                .body
                .contains("Sind Breiten- und Längengrad vertauscht?")
        );
    }
);

web_test!(the_form_and_the_offer_show_the_finder_card, |app| {
    let partner = app.login("partner").await;
    let blank = app.get("/offers/new", Some(&partner)).await;
    assert!(blank.body.contains("Vorschau in der Angebotssuche"));
    assert!(
        blank
            .body
            .contains("Die Vorschau erscheint, sobald ein Titel eingetragen ist.")
    );

    let created = post(
        &app,
        "/offers",
        &with(form("Nähcafé"), &[("save_as", "draft")]),
        &partner,
    )
    .await;
    let id = offer_id(created.location());
    for path in [format!("/offers/{id}/edit"), format!("/offers/{id}")] {
        let page = app.get(&path, Some(&partner)).await;
        let start = page
            .body
            .find("Vorschau in der Angebotssuche")
            .expect(&path);
        let card = &page.body[start..];
        assert!(card.contains("<li class=\"result\">"), "{path}");
        assert!(card.contains(">Nähcafé</a></h3>"), "{path}");
        assert!(card.contains(PARTNER_ORG), "{path}");
        assert!(
            card.contains("<span lang=\"de\" dir=\"ltr\">Beckum</span>"),
            "{path}"
        );
        assert!(
            card.contains("<span class=\"tag\">kostenlos</span>"),
            "{path}"
        );
    }
    // "Vorschau aktualisieren" shows what the form holds, unsaved.
    let previewed = post(
        &app,
        &format!("/offers/{id}"),
        &with(form("Nähcafé am Markt"), &[("assist", "preview")]),
        &partner,
    )
    .await;
    assert_eq!(previewed.status, StatusCode::OK);
    assert!(previewed.body.contains(">Nähcafé am Markt</a></h3>"));
    assert_eq!(stored(&app, &id).await.title(), "Nähcafé");
});

web_test!(
    the_list_shows_each_translation_and_whether_it_is_outdated,
    |app| {
        let partner = app.login("partner").await;
        let created = post(
            &app,
            "/offers",
            &with(form("Lesepaten"), &[("save_as", "draft")]),
            &partner,
        )
        .await;
        let id = offer_id(created.location());
        let in_list = |body: &str| {
            let row = body.find(">Lesepaten</a>").expect("listed");
            let end = body[row..].find("</tr>").map_or(body.len(), |e| row + e);
            body[row..end].to_owned()
        };
        let list = app.get("/offers?q=Lesepaten", Some(&partner)).await;
        assert!(list.body.contains("<th scope=\"col\">Übersetzungen</th>"));
        assert!(in_list(&list.body).contains("<td class=\"translations\">keine</td>"));

        let saved = app
            .post_form(
                &format!("/offers/{id}/translations/en"),
                &[
                    ("title", "Reading mentors"),
                    ("description", "Learning German in everyday life."),
                    ("save_as", "draft"),
                ],
                Some(&partner),
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let list = app.get("/offers?q=Lesepaten", Some(&partner)).await;
        let row = in_list(&list.body);
        assert!(
            row.contains("<li class=\"state-current\">Englisch: aktuell</li>"),
            "{row}"
        );
        assert!(!row.contains("Arabisch"));

        // The German description changes: the English one is outdated, in the list, on the offer
        // and on the translation page, which names the field.
        let mut fields = without(form("Lesepaten"), &["description"]);
        fields.push(("description", "Vorlesen und gemeinsam lesen.".to_owned()));
        let edited = post(
            &app,
            &format!("/offers/{id}"),
            &with(fields, &[("save_as", "draft")]),
            &partner,
        )
        .await;
        assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
        let list = app.get("/offers?q=Lesepaten", Some(&partner)).await;
        let row = in_list(&list.body);
        assert!(
        row.contains("<li class=\"state-outdated\">Englisch: <span class=\"badge warn\">veraltet</span></li>"),
        "{row}"
    );
        let page = app.get(&format!("/offers/{id}"), Some(&partner)).await;
        assert!(
            page.body
                .contains("seit der Übersetzung auf Deutsch geändert: Beschreibung")
        );
        let edit = app.get(&format!("/offers/{id}/edit"), Some(&partner)).await;
        assert!(
            edit.body
                .contains("seit der Übersetzung auf Deutsch geändert: Beschreibung")
        );
        assert!(
            edit.body
                .contains(&format!("href=\"/offers/{id}/translations/en\""))
        );
        let translation = app
            .get(&format!("/offers/{id}/translations/en"), Some(&partner))
            .await;
        assert!(translation.body.contains(
            "Beschreibung (Englisch) <span class=\"badge warn\">Deutsch geändert</span>"
        ));
        assert!(
            !translation
                .body
                .contains("Titel (Englisch) <span class=\"badge warn\">")
        );

        // Checked and saved again, it is current.
        let saved = app
            .post_form(
                &format!("/offers/{id}/translations/en"),
                &[
                    ("title", "Reading mentors"),
                    ("description", "Reading aloud and together."),
                    ("save_as", "draft"),
                ],
                Some(&partner),
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        let list = app.get("/offers?q=Lesepaten", Some(&partner)).await;
        assert!(in_list(&list.body).contains("Englisch: aktuell"));
        // The record of the sources is no change anyone sees.
        let content = stored(&app, &id).await;
        assert!(
            !offers::changed_fields(Some(&content), &content)
                .contains(&"translated_from".to_owned())
        );
    }
);

web_test!(the_staff_offer_list_sorts_by_title_or_organisation, |app| {
    let coordination = app.login("koordination").await;
    let page = app
        .get(
            "/offers?organisation=&sort=organisation&size=200",
            Some(&coordination),
        )
        .await
        .body;
    assert!(
        page.contains("aria-sort=\"ascending\"><a href=\"/offers?"),
        "{page}"
    );
    assert!(page.contains("<input type=\"hidden\" name=\"sort\" value=\"organisation\">"));
    // The organisation column comes in German order.
    let orgs: Vec<String> = crate::column(&page, 1)
        .iter()
        .map(|c| lotse_domain::collation::sort_key(c))
        .collect();
    assert!(orgs.len() > 1, "{page}");
    let mut sorted = orgs.clone();
    sorted.sort();
    assert_eq!(orgs, sorted);
});
