//! The first school counselling (decision 0018): registration by staff and by the family
//! itself, the site's counsellor and nobody else, each child's steps, the public form's
//! protection.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use lotse_domain::Date;

use crate::{TestApp, web_test};

const AHLEN: &str = "05570004";
const BECKUM: &str = "05570008";
const SENDENHORST: &str = "05570040";

async fn families_in_store(app: &TestApp) -> i64 {
    lotse_store::testing::count(&app.db, "SELECT COUNT(*) FROM school_registrations", None).await
}

fn days_ago(app: &TestApp, days: i64) -> String {
    lotse_store::day_of(app.clock.now_ms())
        .add_days(-days)
        .unwrap()
        .to_string()
}

/// A child of `age` today, as the date input sends it.
fn born(app: &TestApp, age: u16) -> String {
    let today = lotse_store::day_of(app.clock.now_ms());
    today
        .years_back(age)
        .unwrap()
        .add_days(-30)
        .unwrap()
        .to_string()
}

/// The staff form filled in for one family in Sendenhorst (the Ahlen site's area).
fn staff_form(app: &TestApp) -> Vec<(&'static str, String)> {
    vec![
        ("source", "registration_office".into()),
        ("guardian_name", "Fatima Beispiel".into()),
        ("phone", "02526 12345".into()),
        ("town", SENDENHORST.into()),
        ("language", "ar".into()),
        ("interpreter_needed", "yes".into()),
        ("arrival_date", days_ago(app, 40)),
        ("child_first_name_1", "Omar".into()),
        ("child_last_name_1", "Beispiel".into()),
        ("child_birth_date_1", born(app, 10)),
        ("child_schooling_years_1", "3".into()),
        ("child_first_name_2", "Lina".into()),
        ("child_last_name_2", "Beispiel".into()),
        ("child_birth_date_2", born(app, 15)),
    ]
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The first family a list page links to.
fn first_family(page: &str) -> String {
    page.split("href=\"/school-counselling/")
        .filter_map(|s| s.split(['"', '?', '#']).next())
        .find(|s| s.len() >= 20 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
        .unwrap_or_else(|| panic!("no family in {page}"))
        .to_owned()
}

/// The id of a child's step form on the family page, by the child's first name.
fn child_id(page: &str, first_name: &str) -> String {
    let at = page
        .find(&format!("Nächster Schritt für {first_name}"))
        .unwrap_or_else(|| panic!("no step form for {first_name}"));
    let before = &page[..at];
    let form = before.rfind("/school-counselling/children/").unwrap();
    before[form + "/school-counselling/children/".len()..]
        .split('/')
        .next()
        .unwrap()
        .to_owned()
}

web_test!(
    a_town_registers_a_family_the_site_counsellor_works_on_it_and_no_one_else_sees_it,
    |app| {
        // A welfare association passes the family on; it does not read it afterwards.
        let partner = app.login("partner").await;
        let form = staff_form(&app);
        let sent = app
            .post_form("/school-counselling", &pairs(&form), Some(&partner))
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        assert_eq!(
            sent.location(),
            "/school-counselling/new?ok=school_passed_on"
        );
        assert_eq!(families_in_store(&app).await, 1);
        assert_eq!(
            app.get("/school-counselling", Some(&partner)).await.status,
            StatusCode::FORBIDDEN
        );

        // The KI sees the family, at the nearest site, with a bell.
        let kim = app.login("koordination").await;
        let list = app.get("/school-counselling", Some(&kim)).await;
        assert_eq!(list.status, StatusCode::OK);
        let id = first_family(&list.body);
        assert!(
            list.body.contains("Omar Beispiel (10 J.): gemeldet"),
            "{}",
            list.body
        );
        assert!(list.body.contains("<td>Ahlen</td>"));
        let bell = app.get("/notifications", Some(&kim)).await;
        assert!(
            bell.body
                .contains("Neue Meldung zur Schulischen Erstberatung (2 Kinder)")
        );

        // The Ahlen counsellor works on it: invited today; a step cannot go back before it.
        let counsellor = app.login("schulberatung").await;
        let page = app
            .get(&format!("/school-counselling/{id}"), Some(&counsellor))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Fatima Beispiel") && page.body.contains("02526 12345"));
        let omar = child_id(&page.body, "Omar Beispiel");
        let step =
            |status: &'static str, on: String| vec![("status", status.to_owned()), ("on", on)];
        let two_days_ago = days_ago(&app, 0);
        let invited = app
            .post_form(
                &format!("/school-counselling/children/{omar}/status"),
                &pairs_owned(&step("invited", two_days_ago.clone())),
                Some(&counsellor),
            )
            .await;
        assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
        // Skipping the appointment, a day in the future, a day before the last step: refused,
        // each with its reason at the field.
        for (status, on, says) in [
            ("counselled", String::new(), "von dort geht es nicht"),
            ("appointment", days_ago(&app, -1), "nicht in der Zukunft"),
            ("appointment", days_ago(&app, 3), "vor dem letzten Schritt"),
        ] {
            let refused = app
                .post_form(
                    &format!("/school-counselling/children/{omar}/status"),
                    &pairs_owned(&step(status, on)),
                    Some(&counsellor),
                )
                .await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{status}");
            assert!(refused.body.contains(says), "{says}: {}", refused.body);
        }
        let page = app
            .get(&format!("/school-counselling/{id}"), Some(&counsellor))
            .await;
        let shown = Date::iso(&two_days_ago).unwrap().german();
        assert!(
            page.body
                .contains(&format!("<td>eingeladen</td><td>{shown}</td>")),
            "{}",
            page.body
        );
        assert!(page.body.contains("Jule Demo"), "who recorded the step");

        // Moved to the Beckum site by the KI, the family is gone for the Ahlen counsellor.
        let moved = app
            .post_form(
                &format!("/school-counselling/{id}/site"),
                &[("site", BECKUM)],
                Some(&kim),
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        assert_eq!(
            app.get(&format!("/school-counselling/{id}"), Some(&counsellor))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert!(
            !app.get("/school-counselling", Some(&counsellor))
                .await
                .body
                .contains(&id)
        );
        let refused = app
            .post_form(
                &format!("/school-counselling/children/{omar}/status"),
                &pairs_owned(&step("appointment", String::new())),
                Some(&counsellor),
            )
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        // A counsellor cannot move families: that is the KI's.
        assert_eq!(
            app.post_form(
                &format!("/school-counselling/{id}/site"),
                &[("site", AHLEN)],
                Some(&counsellor),
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        // Admins and interpreters never see the families.
        for who in ["admin", "sprachmittlung", "lesen"] {
            let cookie = app.login(who).await;
            assert_eq!(
                app.get(&format!("/school-counselling/{id}"), Some(&cookie))
                    .await
                    .status,
                StatusCode::FORBIDDEN,
                "{who}"
            );
        }
        // Every read of the family is in the access log.
        let reads = lotse_store::testing::count(
            &app.db,
            "SELECT COUNT(*) FROM access_log WHERE entity = 'school_registration' AND record_id = $1",
            Some(&id),
        )
        .await;
        assert!(reads >= 3, "{reads} reads logged");
    }
);

fn pairs_owned<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs(form)
}

web_test!(
    the_staff_form_names_each_wrong_field_and_child_and_writes_nothing,
    |app| {
        let kim = app.login("koordination").await;
        let mut form = staff_form(&app);
        form.retain(|(k, _)| *k != "phone" && *k != "child_birth_date_2");
        form.push(("child_birth_date_2", born(&app, 3)));
        form.push(("town", "Münster".into()));
        form.retain(|(k, v)| !(*k == "town" && v == SENDENHORST));
        let refused = app
            .post_form("/school-counselling", &pairs(&form), Some(&kim))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        for says in [
            "Telefonnummer oder eine E-Mail-Adresse",
            "„Münster“ ist keine Stadt",
            "Kind 2: die Erstberatung ist für Kinder und Jugendliche von 5 bis 21 Jahren",
        ] {
            assert!(refused.body.contains(says), "{says}: {}", refused.body);
        }
        // What was typed stays in the form.
        assert!(refused.body.contains("value=\"Omar\""));
        assert_eq!(families_in_store(&app).await, 0);
    }
);

/// The public form filled in by a family.
fn public_form(app: &TestApp) -> Vec<(&'static str, String)> {
    vec![
        ("guardian_name", "Ahmad Beispiel".into()),
        ("phone", "0151 2345678".into()),
        ("town", BECKUM.into()),
        ("language", "ar".into()),
        ("interpreter_needed", "yes".into()),
        ("child_first_name_1", "Yusuf".into()),
        ("child_last_name_1", "Beispiel".into()),
        ("child_birth_date_1", born(app, 8)),
        ("child_first_name_2", String::new()),
        ("child_last_name_2", String::new()),
        ("child_birth_date_2", String::new()),
        ("website", String::new()),
        ("consent", "yes".into()),
    ]
}

web_test!(a_family_registers_in_arabic_and_the_ki_reviews_it, |app| {
    let form = app.get("/ar/schulanmeldung", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("dir=\"rtl\"") && form.body.contains("lang=\"ar\""));
    assert!(form.body.contains("name=\"child_birth_date_4\""));
    // The footer of every public page leads here.
    assert!(
        app.get("/ar/angebote", None)
            .await
            .body
            .contains("href=\"/ar/schulanmeldung\"")
    );

    // Without consent: refused in Arabic, nothing kept.
    let mut without = public_form(&app);
    without.retain(|(k, _)| *k != "consent");
    let refused = app
        .post_form("/ar/schulanmeldung", &pairs(&without), None)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let t = |key: &str| -> String {
        let file = include_str!("../../i18n/ar.txt");
        file.lines()
            .find_map(|l| l.strip_prefix(&format!("{key} = ")))
            .unwrap()
            .to_owned()
    };
    assert!(
        refused
            .body
            .contains(&askama_escape(&t("school.error.consent"))),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"Yusuf\""),
        "typed values stay"
    );
    assert_eq!(families_in_store(&app).await, 0);

    let sent = app
        .post_form("/ar/schulanmeldung", &pairs(&public_form(&app)), None)
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.location(), "/ar/schulanmeldung?gesendet=1#danke");
    let thanks = app.get("/ar/schulanmeldung?gesendet=1", None).await;
    assert!(thanks.body.contains(&askama_escape(&t("school.thanks"))));
    assert_eq!(families_in_store(&app).await, 1);

    // The KI is told and reviews it; until then the counsellor cannot move it on.
    let kim = app.login("koordination").await;
    assert!(
        app.get("/notifications", Some(&kim))
            .await
            .body
            .contains("online zur Schulischen Erstberatung gemeldet")
    );
    let pending = app.get("/school-counselling?pending=1", Some(&kim)).await;
    assert!(pending.body.contains("1 Online-Meldungen zu prüfen"));
    let id = first_family(&pending.body);
    let page = app
        .get(&format!("/school-counselling/{id}"), Some(&kim))
        .await;
    assert!(
        page.body.contains("Online-Meldung prüfen")
            && page.body.contains("Sprache des Formulars: ar")
    );
    assert!(page.body.contains("Familie (Online-Formular)"));
    // Beckum is the nearest site; the KI takes it at Ahlen (where the demo counsellor is).
    let accepted = app
        .post_form(
            &format!("/school-counselling/{id}/accept"),
            &[("site", AHLEN)],
            Some(&kim),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let counsellor = app.login("schulberatung").await;
    let page = app
        .get(&format!("/school-counselling/{id}"), Some(&counsellor))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Yusuf Beispiel"));

    // A second one, sent twice by mistake, is discarded: its data are gone.
    let again = app
        .post_form("/ar/schulanmeldung", &pairs(&public_form(&app)), None)
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let second = lotse_store::testing::count(
        &app.db,
        "SELECT COUNT(*) FROM school_registrations WHERE review = 'pending'",
        None,
    )
    .await;
    assert_eq!(second, 1);
    let list = app.get("/school-counselling?pending=1", Some(&kim)).await;
    let second_id = first_family(&list.body);
    let no_reason = app
        .post_form(
            &format!("/school-counselling/{second_id}/reject"),
            &[("reason", "")],
            Some(&kim),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let rejected = app
        .post_form(
            &format!("/school-counselling/{second_id}/reject"),
            &[("reason", "doppelt gemeldet")],
            Some(&kim),
        )
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.body);
    assert_eq!(families_in_store(&app).await, 1);
    assert_eq!(
        lotse_store::testing::count(
            &app.db,
            "SELECT COUNT(*) FROM school_children WHERE registration_id = $1",
            Some(&second_id),
        )
        .await,
        0
    );
});

/// The escaping askama applies to text in HTML.
fn askama_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

web_test!(
    robots_that_fill_the_hidden_field_are_thanked_and_forgotten,
    |app| {
        let mut form = public_form(&app);
        form.retain(|(k, _)| *k != "website");
        form.push(("website", "http://spam.example".into()));
        let sent = app.post_form("/schulanmeldung", &pairs(&form), None).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        assert_eq!(sent.location(), "/schulanmeldung?gesendet=1#danke");
        assert_eq!(families_in_store(&app).await, 0);
    }
);

/// A public registration from `address`, as the server would pass it on.
async fn post_from(app: &TestApp, address: std::net::IpAddr, body: &str) -> StatusCode {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/schulanmeldung")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap();
    req.extensions_mut()
        .insert(lotse_web::public_forms::ClientAddress(address));
    app.send(req).await.status
}

web_test!(
    the_public_form_holds_its_limits_under_load_and_refused_submissions_write_nothing,
    |app| {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs(&public_form(&app)))
            .finish();
        // One address sends 30 at once: the first ten are kept, the rest refused.
        let one: std::net::IpAddr = [198, 51, 100, 7].into();
        let answers = all_at_once((0..30).map(|_| post_from(&app, one, &body))).await;
        let kept = answers
            .iter()
            .filter(|s| **s == StatusCode::SEE_OTHER)
            .count();
        let refused = answers
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!(kept, lotse_web::public_forms::PER_ADDRESS);
        assert_eq!(kept + refused, 30, "{answers:?}");
        assert_eq!(families_in_store(&app).await, kept as i64);

        // Many addresses together are held by the overall limit.
        let many = all_at_once((0..120u8).map(|i| {
            let body = body.clone();
            let app = &app;
            async move { post_from(app, [203, 0, 113, i].into(), &body).await }
        }))
        .await;
        let kept_many = many.iter().filter(|s| **s == StatusCode::SEE_OTHER).count();
        assert_eq!(
            kept + kept_many,
            lotse_web::public_forms::OVERALL,
            "the hour's total"
        );
        assert!(
            many.iter()
                .all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::TOO_MANY_REQUESTS)
        );
        assert_eq!(
            families_in_store(&app).await,
            lotse_web::public_forms::OVERALL as i64
        );

        // An oversized body is refused before it is read.
        let huge = format!("{body}&note={}", "x".repeat(40 * 1024));
        assert_eq!(
            post_from(&app, [192, 0, 2, 99].into(), &huge).await,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            families_in_store(&app).await,
            lotse_web::public_forms::OVERALL as i64
        );
    }
);

/// Runs the futures concurrently on this task and returns their outputs in order.
async fn all_at_once<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut set: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.unwrap()).collect()
}

web_test!(the_ki_names_who_counsels_at_which_site, |app| {
    let kim = app.login("koordination").await;
    let page = app.get("/school-counselling/sites", Some(&kim)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for site in ["Ahlen", "Beckum", "Warendorf"] {
        assert!(page.body.contains(&format!(">{site}</h2>")), "{site}");
    }
    assert!(page.body.contains("Beratend: Jule Demo"));
    let counsellor = lotse_store::users::get_by_username(&app.db, "schulberatung")
        .await
        .unwrap();
    let saved = app
        .post_form(
            &format!("/school-counselling/sites/{BECKUM}"),
            &[("counsellors", &counsellor.id)],
            Some(&kim),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        lotse_store::school_counselling::sites_of(&app.db, &counsellor.id)
            .await
            .unwrap(),
        vec![AHLEN.to_owned(), BECKUM.to_owned()]
    );
    // Only counsellors counsel; a town that is no site is none.
    let partner = lotse_store::users::get_by_username(&app.db, "partner")
        .await
        .unwrap();
    let refused = app
        .post_form(
            &format!("/school-counselling/sites/{BECKUM}"),
            &[("counsellors", &partner.id)],
            Some(&kim),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Nur Konten mit der Rolle"));
    assert_eq!(
        app.post_form(
            &format!("/school-counselling/sites/{SENDENHORST}"),
            &[("counsellors", &counsellor.id)],
            Some(&kim),
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
});

web_test!(the_start_page_shows_who_waits_longest, |app| {
    let partner = app.login("partner").await;
    let mut form = staff_form(&app);
    form.retain(|(k, _)| *k != "arrival_date");
    form.push(("arrival_date", days_ago(&app, 90)));
    let sent = app
        .post_form("/school-counselling", &pairs(&form), Some(&partner))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let online = app
        .post_form("/schulanmeldung", &pairs(&public_form(&app)), None)
        .await;
    assert_eq!(online.status, StatusCode::SEE_OTHER);

    let kim = app.login("koordination").await;
    let start = app.get("/", Some(&kim)).await;
    assert!(
        start.body.contains("1</span> Online-Meldung zu prüfen"),
        "{}",
        start.body
    );
    assert!(
        start
            .body
            .contains("Omar B., Ahlen</a>: gemeldet, wartet seit 90 Tagen"),
        "{}",
        start.body
    );
    // The online registration waits for review, not on this list.
    assert!(!start.body.contains("Yusuf"));
    let counsellor = app.login("schulberatung").await;
    let start = app.get("/", Some(&counsellor)).await;
    assert!(start.body.contains("Lina B., Ahlen"));
    assert!(!start.body.contains("Online-Meldung zu prüfen"));
    // Partners who registered the family do not see it here either.
    assert!(
        !app.get("/", Some(&partner))
            .await
            .body
            .contains("Schulische Erstberatung</h2>")
    );
});

web_test!(
    families_whose_children_all_ended_are_anonymised_after_the_retention_period,
    |app| {
        use lotse_domain::school_counselling::ChildStatus;
        let system = lotse_store::scoped::Viewer::system("test");
        let towns = lotse_store::reference::town_names(&app.db).await.unwrap();
        let today = lotse_store::day_of(app.clock.now_ms());
        let mut ids = Vec::new();
        for name in ["Beendet", "Wartend"] {
            let draft = lotse_domain::school_counselling::RegistrationInput {
                guardian_name: format!("Familie {name}"),
                phone: "02382 1".into(),
                town: "Ahlen".into(),
                language: "ru".into(),
                arrival_date: today.to_string(),
                source: "town".into(),
                children: vec![lotse_domain::school_counselling::ChildInput {
                    first_name: format!("Kind {name}"),
                    last_name: name.into(),
                    birth_date: born(&app, 12),
                    ..Default::default()
                }],
                ..Default::default()
            }
            .validate(today, &towns, false)
            .unwrap();
            ids.push(
                lotse_store::school_counselling::register(
                    &app.db,
                    &system,
                    &draft,
                    false,
                    app.clock.now_ms(),
                )
                .await
                .unwrap(),
            );
        }
        let child = |id: &str| {
            let id = id.to_owned();
            let db = app.db.clone();
            let system = system.clone();
            async move {
                lotse_store::school_counselling::registrations_for(&db, &system)
                    .get(&id)
                    .await
                    .unwrap()
                    .record
                    .children[0]
                    .id
                    .clone()
            }
        };
        let ended = child(&ids[0]).await;
        for step in [
            ChildStatus::Invited,
            ChildStatus::Appointment,
            ChildStatus::Counselled,
            ChildStatus::Transmitted,
            ChildStatus::Assigned,
            ChildStatus::SchoolStarted,
        ] {
            lotse_store::school_counselling::advance(
                &app.db,
                &system,
                &ended,
                step.key(),
                "",
                "",
                app.clock.now_ms(),
            )
            .await
            .unwrap();
        }
        // Within the period nothing is due; four years on the ended family is.
        let now = app.clock.now_ms();
        assert_eq!(
            lotse_store::school_counselling::run_retention(&app.db, today, false, now)
                .await
                .unwrap(),
            (0, 0)
        );
        let later = now + 4 * 366 * 86_400_000;
        let (due, done) = lotse_store::school_counselling::run_retention(
            &app.db,
            lotse_store::day_of(later),
            false,
            later,
        )
        .await
        .unwrap();
        assert_eq!((due, done), (1, 1));
        let gone = lotse_store::school_counselling::registrations_for(&app.db, &system)
            .get(&ids[0])
            .await
            .unwrap()
            .record;
        assert!(gone.guardian_name.is_empty() && gone.phone.is_empty());
        assert!(gone.children[0].first_name.is_empty());
        assert_eq!(gone.children[0].birth_date.day(), 1);
        assert_eq!(
            gone.children[0].steps.len(),
            7,
            "the steps stay for the figures"
        );
        let kept = lotse_store::school_counselling::registrations_for(&app.db, &system)
            .get(&ids[1])
            .await
            .unwrap()
            .record;
        assert_eq!(kept.guardian_name, "Familie Wartend");
    }
);

/// A family registered by the KI with an e-mail address, in Sendenhorst (the Ahlen site).
async fn family_with_mail(app: &TestApp, kim: &str, name: &str) -> String {
    let mut form = staff_form(app);
    form.retain(|(k, _)| *k != "guardian_name");
    form.push(("guardian_name", name.to_owned()));
    form.push(("email", "familie@example.org".into()));
    let sent = app
        .post_form("/school-counselling", &pairs(&form), Some(kim))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    sent.location()
        .strip_prefix("/school-counselling/")
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

fn ahead(app: &TestApp, days: i64) -> String {
    days_ago(app, -days)
}

async fn statuses(app: &TestApp, family: &str) -> Vec<String> {
    lotse_store::school_counselling::registrations_for(
        &app.db,
        &lotse_store::scoped::Viewer::system("test"),
    )
    .get(family)
    .await
    .unwrap()
    .record
    .children
    .iter()
    .map(|c| c.status.clone())
    .collect()
}

async fn mails(app: &TestApp, family: &str) -> Vec<lotse_store::outbox::Queued> {
    lotse_store::outbox::about(&app.db, "school_registration", family)
        .await
        .unwrap()
}

/// The one mail whose subject starts so (the test clock stands still: all share a time).
fn mail_starting<'a>(
    sent: &'a [lotse_store::outbox::Queued],
    subject: &str,
) -> &'a lotse_store::outbox::Queued {
    let found: Vec<_> = sent
        .iter()
        .filter(|m| m.subject.starts_with(subject))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{subject}: {:?}",
        sent.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    found[0]
}

web_test!(
    the_ki_books_moves_and_closes_appointments_with_the_pool_and_the_family_told,
    |app| {
        let kim = app.login("koordination").await;
        let family = family_with_mail(&app, &kim, "Familie Termin").await;
        let counsellor = lotse_store::users::get_by_username(&app.db, "schulberatung")
            .await
            .unwrap();
        let book = |date: String, start: &'static str, interpreter: bool| {
            let mut f = vec![
                ("date", date),
                ("start", start.to_owned()),
                ("duration_minutes", "60".to_owned()),
                ("counsellor", counsellor.id.clone()),
                ("place", "KI Ahlen, Raum 2".to_owned()),
                ("interpreter_language", "ar".to_owned()),
            ];
            if interpreter {
                f.push(("interpreter", "yes".to_owned()));
            }
            f
        };
        let requests = || async {
            lotse_store::testing::count(
                &app.db,
                "SELECT COUNT(*) FROM interpreter_requests WHERE status = 'submitted'",
                None,
            )
            .await
        };
        let open_requests_before = requests().await;

        // Too soon for the pool: nothing is booked, and the rule is named.
        let soon = app
            .post_form(
                &format!("/school-counselling/{family}/appointments"),
                &pairs(&book(ahead(&app, 2), "09:00", true)),
                Some(&kim),
            )
            .await;
        assert_eq!(soon.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(soon.body.contains("Sprachmittlung: "), "{}", soon.body);
        assert!(soon.body.contains("Werktage"), "{}", soon.body);
        assert!(soon.body.contains("value=\"09:00\""), "typed values stay");
        assert_eq!(statuses(&app, &family).await, ["reported", "reported"]);
        assert_eq!(requests().await, open_requests_before);

        // Three weeks ahead, with an interpreter: booked, the pool asked, the family told.
        let booked = app
            .post_form(
                &format!("/school-counselling/{family}/appointments"),
                &pairs(&book(ahead(&app, 21), "09:00", true)),
                Some(&kim),
            )
            .await;
        assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.body);
        assert_eq!(
            statuses(&app, &family).await,
            ["appointment", "appointment"]
        );
        assert_eq!(requests().await, open_requests_before + 1);
        let page = app
            .get(&format!("/school-counselling/{family}"), Some(&kim))
            .await;
        assert!(page.body.contains("KI Ahlen, Raum 2"));
        let asked = format!(
            "Sprachmittlung: {}",
            lotse_domain::interpreters::RequestStatus::Submitted.label()
        );
        assert!(page.body.contains(&asked), "{}", page.body);
        assert!(page.body.contains("<td>eingeladen</td>") && page.body.contains("<td>Termin</td>"));
        let sent = mails(&app, &family).await;
        assert_eq!(
            sent.len(),
            1,
            "to the family (the demo counsellor has no address)"
        );
        assert_eq!(sent[0].recipient, "familie@example.org");
        assert!(
            sent[0]
                .subject
                .starts_with("Termin zur Schulischen Erstberatung")
        );
        assert!(!sent[0].body.contains("Omar"), "no child's name in a mail");
        let ics = sent[0].calendar.as_deref().unwrap();
        assert!(ics.contains("SUMMARY:Schulische Erstberatung") && ics.contains("SEQUENCE:0"));

        // The counsellor cannot be in two places: another family at the same time is refused.
        let other = family_with_mail(&app, &kim, "Familie Zweite").await;
        let clash = app
            .post_form(
                &format!("/school-counselling/{other}/appointments"),
                &pairs(&book(ahead(&app, 21), "09:30", false)),
                Some(&kim),
            )
            .await;
        assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(clash.body.contains("schon einen Termin"), "{}", clash.body);

        // Moved a day later: the pool's request for the old time is called off and a new one
        // made; the family gets the new time as a changed calendar entry.
        let appointment = lotse_store::school_counselling::registrations_for(
            &app.db,
            &lotse_store::scoped::Viewer::system("test"),
        )
        .get(&family)
        .await
        .unwrap()
        .record
        .appointments[0]
            .id
            .clone();
        let moved = app
            .post_form(
                &format!("/school-counselling/appointments/{appointment}/move"),
                &pairs(&book(ahead(&app, 22), "10:00", true)),
                Some(&kim),
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        assert_eq!(requests().await, open_requests_before + 1);
        assert_eq!(
            lotse_store::testing::count(
                &app.db,
                "SELECT COUNT(*) FROM interpreter_requests WHERE status = 'cancelled'",
                None
            )
            .await,
            1
        );
        let sent = mails(&app, &family).await;
        assert_eq!(sent.len(), 2);
        let new_time = mail_starting(&sent, "Neuer Termin");
        assert!(new_time.calendar.as_deref().unwrap().contains("SEQUENCE:1"));

        // Not yet its day: it cannot have taken place.
        let early = app
            .post_form(
                &format!("/school-counselling/appointments/{appointment}/close"),
                &[("outcome", "held")],
                Some(&kim),
            )
            .await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(early.body.contains("erst am"));

        // Called off: children back to "eingeladen", the interpreter off, the family told.
        let off = app
            .post_form(
                &format!("/school-counselling/appointments/{appointment}/close"),
                &[("outcome", "cancelled")],
                Some(&kim),
            )
            .await;
        assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
        assert_eq!(statuses(&app, &family).await, ["invited", "invited"]);
        assert_eq!(requests().await, open_requests_before);
        let sent = mails(&app, &family).await;
        let off = mail_starting(&sent, "Abgesagt");
        assert!(off.calendar.as_deref().unwrap().contains("METHOD:CANCEL"));

        // Today's appointment the family missed: back to "eingeladen" again.
        let today_booked = app
            .post_form(
                &format!("/school-counselling/{family}/appointments"),
                &pairs(&book(ahead(&app, 0), "23:00", false)),
                Some(&kim),
            )
            .await;
        assert_eq!(
            today_booked.status,
            StatusCode::SEE_OTHER,
            "{}",
            today_booked.body
        );
        assert_eq!(
            statuses(&app, &family).await,
            ["appointment", "appointment"]
        );
        let todays = lotse_store::school_counselling::registrations_for(
            &app.db,
            &lotse_store::scoped::Viewer::system("test"),
        )
        .get(&family)
        .await
        .unwrap()
        .record
        .appointments
        .into_iter()
        .find(|a| a.status == "booked")
        .unwrap()
        .id;
        let missed = app
            .post_form(
                &format!("/school-counselling/appointments/{todays}/close"),
                &[("outcome", "missed")],
                Some(&kim),
            )
            .await;
        assert_eq!(missed.status, StatusCode::SEE_OTHER, "{}", missed.body);
        assert_eq!(statuses(&app, &family).await, ["invited", "invited"]);
    }
);

web_test!(families_are_reminded_two_days_before_once, |app| {
    let kim = app.login("koordination").await;
    let family = family_with_mail(&app, &kim, "Familie Erinnerung").await;
    let booked = app
        .post_form(
            &format!("/school-counselling/{family}/appointments"),
            &[
                ("date", ahead(&app, 2).as_str()),
                ("start", "11:00"),
                ("place", "KI Beckum"),
            ],
            Some(&kim),
        )
        .await;
    assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.body);
    let now = app.clock.now_ms();
    let first = crate::run_job(&app, "appointment-reminders", None, now).await;
    assert!(first.ok && first.count == 1, "{}", first.summary);
    let again = crate::run_job(&app, "appointment-reminders", None, now + 1).await;
    assert_eq!(again.count, 0, "{}", again.summary);
    let sent = mails(&app, &family).await;
    assert!(
        mail_starting(&sent, "Erinnerung")
            .body
            .contains("KI Beckum")
    );
});

web_test!(
    waiting_times_per_site_and_town_keep_to_the_statistics_rule,
    |app| {
        use lotse_domain::school_counselling::ChildStatus;
        let kim = app.login("koordination").await;
        let system = lotse_store::scoped::Viewer::system("test");
        // Three families of two in Sendenhorst (the Ahlen site), arrived 40 days ago, all
        // counselled today; one family of one in Beckum, still waiting.
        for i in 0..3 {
            let id = family_with_mail(&app, &kim, &format!("Familie Warte {i}")).await;
            let family = lotse_store::school_counselling::registrations_for(&app.db, &system)
                .get(&id)
                .await
                .unwrap()
                .record;
            for child in &family.children {
                for step in [
                    ChildStatus::Invited,
                    ChildStatus::Appointment,
                    ChildStatus::Counselled,
                ] {
                    lotse_store::school_counselling::advance(
                        &app.db,
                        &system,
                        &child.id,
                        step.key(),
                        "",
                        "",
                        app.clock.now_ms(),
                    )
                    .await
                    .unwrap();
                }
            }
        }
        let mut beckum = staff_form(&app);
        beckum.retain(|(k, _)| !k.contains("_2") && *k != "town");
        beckum.push(("town", BECKUM.into()));
        let sent = app
            .post_form("/school-counselling", &pairs(&beckum), Some(&kim))
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);

        // The committee reads them; a partner does not.
        let reader = app.login("lesen").await;
        let page = app.get("/school-counselling/figures", Some(&reader)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let row = |name: &str| -> Vec<String> {
            page.body
                .split(&format!("<th scope=\"row\">{name}</th>"))
                .nth(1)
                .unwrap_or_else(|| panic!("no line {name}"))
                .split("</tr>")
                .next()
                .unwrap()
                .split("<td>")
                .skip(1)
                .map(|c| c.split('<').next().unwrap().to_owned())
                .collect()
        };
        // Beckum's one child is a small count; Ahlen's six would give it away against the
        // total, so they are hidden too. The counselled column holds no small count.
        assert_eq!(row("Ahlen"), ["x", "6", "40 (40)", "0", "–", "x"]);
        assert_eq!(row("Beckum"), ["&#60;5", "0", "–", "0", "–", "&#60;5"]);
        assert_eq!(row("Sendenhorst")[2], "40 (40)");
        // Each table closes with the district's line as its own suppression left it.
        assert_eq!(page.body.matches("<tfoot>").count(), 2);
        assert!(!page.body.contains("Omar") && !page.body.contains("Familie Warte"));
        let partner = app.login("partner").await;
        assert_eq!(
            app.get("/school-counselling/figures", Some(&partner))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let wrong = app
            .get(
                "/school-counselling/figures?from=2026-12-01&to=2026-01-01",
                Some(&reader),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("vor seinem Beginn"));
    }
);

web_test!(
    the_counselling_is_recorded_after_the_appointment_with_the_familys_consent,
    |app| {
        let kim = app.login("koordination").await;
        let family = family_with_mail(&app, &kim, "Familie Beratung").await;
        let counsellor = app.login("schulberatung").await;
        let page = app
            .get(&format!("/school-counselling/{family}"), Some(&counsellor))
            .await;
        let omar = child_id(&page.body, "Omar Beispiel");
        let today = ahead(&app, 0);
        let record = |consent_on: String| {
            vec![
                ("consent_given_on", consent_on),
                ("consent_form", "written".to_owned()),
                ("counselled_on", today.clone()),
                (
                    "prior_schooling",
                    "3 Jahre Grundschule in Aleppo".to_owned(),
                ),
                ("languages", "Arabisch, etwas Englisch".to_owned()),
                ("literate", "yes".to_owned()),
                ("german_level", "a1".to_owned()),
                ("maths_level", "at_level".to_owned()),
                ("interests", "Fußball".to_owned()),
                ("recommended_form", "primary".to_owned()),
                ("recommended_year", "4".to_owned()),
                ("interpreter_used", "yes".to_owned()),
            ]
        };
        // Not before an appointment.
        let early = app
            .post_form(
                &format!("/school-counselling/children/{omar}/record"),
                &pairs_owned(&record(today.clone())),
                Some(&counsellor),
            )
            .await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            early.body.contains("nach einem gebuchten Termin"),
            "{}",
            early.body
        );
        let booked = app
            .post_form(
                &format!("/school-counselling/{family}/appointments"),
                &[
                    ("date", today.as_str()),
                    ("start", "08:00"),
                    ("place", "KI Ahlen"),
                ],
                Some(&counsellor),
            )
            .await;
        assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.body);
        // A consent after the counselling, a missing level: refused, each named.
        let mut bad = record(ahead(&app, 1));
        bad.retain(|(k, _)| *k != "german_level");
        let refused = app
            .post_form(
                &format!("/school-counselling/children/{omar}/record"),
                &pairs_owned(&bad),
                Some(&counsellor),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("Einwilligung am: Der Tag kann nicht in der Zukunft liegen"),
            "{}",
            refused.body
        );
        assert!(
            refused
                .body
                .contains("Deutsch: Bitte die Deutschkenntnisse einschätzen")
        );
        assert_eq!(
            statuses(&app, &family).await,
            ["appointment", "appointment"]
        );

        let saved = app
            .post_form(
                &format!("/school-counselling/children/{omar}/record"),
                &pairs_owned(&record(today.clone())),
                Some(&counsellor),
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(statuses(&app, &family).await, ["counselled", "appointment"]);
        let page = app
            .get(&format!("/school-counselling/{family}"), Some(&counsellor))
            .await;
        assert!(
            page.body.contains("Grundschule, Jahrgangsstufe 4"),
            "{}",
            page.body
        );
        assert!(page.body.contains("3 Jahre Grundschule in Aleppo"));
        // The consent is in the district's consents, under its own purpose, without a person.
        assert_eq!(
            lotse_store::testing::count(
                &app.db,
                "SELECT COUNT(*) FROM consents WHERE school_child_id = $1 \
                 AND purpose = 'school_counselling' AND person_id IS NULL",
                Some(&omar),
            )
            .await,
            1
        );
        // Corrected later: the same record and consent, no second step.
        let mut corrected = record(today.clone());
        corrected.retain(|(k, _)| *k != "recommended_year");
        corrected.push(("recommended_year", "3".to_owned()));
        let again = app
            .post_form(
                &format!("/school-counselling/children/{omar}/record"),
                &pairs_owned(&corrected),
                Some(&counsellor),
            )
            .await;
        assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
        assert_eq!(
            lotse_store::testing::count(
                &app.db,
                "SELECT COUNT(*) FROM consents WHERE school_child_id = $1",
                Some(&omar)
            )
            .await,
            1
        );
        assert_eq!(
            lotse_store::testing::count(&app.db, "SELECT COUNT(*) FROM school_child_steps WHERE child_id = $1 AND status = 'counselled'", Some(&omar)).await,
            1
        );
        assert!(
            app.get(&format!("/school-counselling/{family}"), Some(&counsellor))
                .await
                .body
                .contains("Grundschule, Jahrgangsstufe 3")
        );

        // The letters: to the Schulamt for a primary school, to the health office, and to the
        // Bezirksregierung once the recommendation is the Berufskolleg.
        let letter = app
            .get(
                &format!("/school-counselling/children/{omar}/handoff"),
                Some(&counsellor),
            )
            .await;
        assert_eq!(letter.status, StatusCode::OK, "{}", letter.body);
        assert!(letter.body.contains("Schulamt für den Kreis Warendorf"));
        assert!(letter.body.contains("Grundschule, Jahrgangsstufe 3"));
        assert!(letter.body.contains("3 Jahre Grundschule in Aleppo"));
        let health = app
            .get(
                &format!("/school-counselling/children/{omar}/handoff?to=health"),
                Some(&counsellor),
            )
            .await;
        assert!(
            health.body.contains("Gesundheitsamt")
                && health.body.contains("Schuleingangsuntersuchung")
        );
        assert!(
            !health.body.contains("Aleppo"),
            "the health office learns what it needs"
        );
        let mut vocational = record(today.clone());
        vocational.retain(|(k, _)| *k != "recommended_form" && *k != "recommended_year");
        vocational.push(("recommended_form", "berufskolleg".to_owned()));
        vocational.push(("recommended_year", "11".to_owned()));
        app.post_form(
            &format!("/school-counselling/children/{omar}/record"),
            &pairs_owned(&vocational),
            Some(&counsellor),
        )
        .await;
        assert!(
            app.get(
                &format!("/school-counselling/children/{omar}/handoff"),
                Some(&counsellor),
            )
            .await
            .body
            .contains("Bezirksregierung Münster")
        );
        // No letter before the counselling; none for whoever may not see the family.
        let page = app
            .get(&format!("/school-counselling/{family}"), Some(&counsellor))
            .await;
        let lina = child_id(&page.body, "Lina Beispiel");
        assert_eq!(
            app.get(
                &format!("/school-counselling/children/{lina}/handoff"),
                Some(&counsellor),
            )
            .await
            .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let partner = app.login("partner").await;
        assert_eq!(
            app.get(
                &format!("/school-counselling/children/{omar}/handoff"),
                Some(&partner),
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
    }
);
