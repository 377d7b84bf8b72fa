//! The legal pages and the barrier report (issue 11, slice 6), and an offer's share link and
//! bilingual printout (slice 3).

use axum::http::StatusCode;
use lotse_store::audit::{AuditFilter, Entity};

use crate::finder::publish;
use crate::web_test;

web_test!(every_legal_page_is_public_in_every_language, |app| {
    for (path, heading, mark) in [
        ("/impressum", "<h1>Impressum</h1>", "Waldenburger Straße 2"),
        ("/datenschutz", "<h1>Datenschutz</h1>", "Art. 15 DSGVO"),
        (
            "/barrierefreiheit",
            "<h1>Barrierefreiheit</h1>",
            "Durchsetzungsverfahren",
        ),
    ] {
        let page = app.get(path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(heading), "{path}: {}", page.body);
        assert!(page.body.contains(mark), "{path}");
        // Addresses in the text are links; the German page needs no note.
        assert!(!page.body.contains("class=\"fallback\""), "{path}");
        let arabic = app.get(&format!("/ar{path}"), None).await;
        assert_eq!(arabic.status, StatusCode::OK, "/ar{path}");
        assert!(arabic.body.contains("<html lang=\"ar\" dir=\"rtl\">"));
        assert!(
            arabic.body.contains("class=\"fallback\""),
            "the German text is marked"
        );
        assert!(
            arabic
                .body
                .contains("<div class=\"legal-text\" lang=\"de\" dir=\"ltr\">")
        );
        assert_eq!(
            app.get(&format!("/de{path}"), None).await.status,
            StatusCode::PERMANENT_REDIRECT
        );
        assert_eq!(
            app.get(&format!("/xx{path}"), None).await.status,
            StatusCode::NOT_FOUND
        );
    }
    let privacy = app.get("/datenschutz", None).await;
    assert!(privacy.body.contains("<a href=\"https://www.ldi.nrw.de\""));
});

web_test!(a_barrier_is_reported_and_handled_by_an_admin, |app| {
    // Wrong input is named in the page's language and kept.
    let wrong = app
        .post_form(
            "/uk/barrierefreiheit",
            &[
                ("message", "  "),
                ("page", "/angebote"),
                ("contact", "keine-adresse"),
            ],
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("role=\"alert\""));
    assert!(wrong.body.contains("href=\"#fb-message\""));
    assert!(wrong.body.contains("href=\"#fb-contact\""));
    assert!(
        wrong.body.contains("value=\"keine-adresse\""),
        "kept as typed"
    );
    assert!(wrong.body.contains("aria-invalid=\"true\""));

    let sent = app
        .post_form(
            "/uk/barrierefreiheit",
            &[
                (
                    "message",
                    "Die Karte ist mit der Tastatur schwer zu bedienen.",
                ),
                ("page", "/uk/angebote"),
                ("contact", "leser@example.org"),
            ],
            None,
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(
        sent.location(),
        "/uk/barrierefreiheit?gesendet=1#feedback-h"
    );
    let thanks = app.get("/uk/barrierefreiheit?gesendet=1", None).await;
    assert!(thanks.body.contains("class=\"sent\""));

    // Admins read it (the read of an address is logged) and mark it handled (audited).
    let admin = app.login("admin").await;
    let page = app.get("/admin/legal", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Die Karte ist mit der Tastatur schwer zu bedienen.")
    );
    assert!(page.body.contains("mailto:leser@example.org"));
    assert!(page.body.contains("Ukrainisch"));
    let prefix = "/admin/legal/feedback/";
    let start = page.body.find(prefix).expect("handled button") + prefix.len();
    let id = page.body[start..start + 36].to_owned();
    app.db.access_log().flush().await;
    let reads = lotse_store::access_log::reads_of(&app.db, Entity::AccessibilityFeedback, &id, 5)
        .await
        .unwrap();
    assert_eq!(reads[0].actor_name, "admin");
    let done = app
        .post_form(
            &format!("/admin/legal/feedback/{id}/handled"),
            &[],
            Some(&admin),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let log = lotse_store::audit::search(
        &app.db,
        &AuditFilter {
            record_id: Some(id.clone()),
            ..Default::default()
        },
        5,
        0,
    )
    .await
    .unwrap();
    assert_eq!(log[0].entity, "accessibility_feedback");
    assert_eq!(log[0].actor_name, "admin");
    let page = app.get("/admin/legal", Some(&admin)).await;
    assert!(page.body.contains("erledigt "), "shown as handled");
    // Twice is not found; others may not see the reports at all.
    let again = app
        .post_form(
            &format!("/admin/legal/feedback/{id}/handled"),
            &[],
            Some(&admin),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    // After a flood, all open reports at once (one audited act).
    for n in 0..3 {
        app.post_form(
            "/barrierefreiheit",
            &[
                ("message", &format!("Unsinn {n}")),
                ("page", ""),
                ("contact", ""),
            ],
            None,
        )
        .await;
    }
    let page = app.get("/admin/legal", Some(&admin)).await;
    assert_eq!(
        page.body
            .matches("class=\"secondary\">erledigt<span")
            .count(),
        3,
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Alle offenen Meldungen als erledigt markieren")
    );
    let all = app
        .post_form("/admin/legal/feedback/handled", &[], Some(&admin))
        .await;
    assert_eq!(all.status, StatusCode::SEE_OTHER);
    let page = app.get("/admin/legal", Some(&admin)).await;
    assert!(
        !page
            .body
            .contains("Alle offenen Meldungen als erledigt markieren")
    );
    // A year after handling, the daily clean-up removes them (also run by hand here).
    let run = app
        .post_form("/admin/jobs/feedback-purge/run", &[], Some(&admin))
        .await;
    assert_eq!(run.location(), "/admin/jobs?ok=job_run");
    let kept = |db: lotse_store::Db| async move {
        lotse_store::accessibility_feedback::list(
            &db,
            &lotse_store::Actor::system("test"),
            100,
            lotse_store::now_ms(),
        )
        .await
        .unwrap()
        .len()
    };
    assert_eq!(kept(app.db.clone()).await, 4, "handled today: kept");
    let later = lotse_store::now_ms()
        + lotse_store::accessibility_feedback::KEPT_AFTER_HANDLING_MS
        + 60_000;
    assert_eq!(
        lotse_store::accessibility_feedback::prune(&app.db, later)
            .await
            .unwrap(),
        4
    );
    assert_eq!(kept(app.db.clone()).await, 0);
    let editor = app.login("koordination").await;
    assert_eq!(
        app.get("/admin/legal", Some(&editor)).await.status,
        StatusCode::FORBIDDEN
    );
});

web_test!(admins_edit_the_legal_texts_and_the_public_contact, |app| {
    let admin = app.login("admin").await;
    let page = app.get("/admin/legal", Some(&admin)).await;
    assert!(
        page.body
            .contains("Entwurf – noch nicht geprüft und gespeichert")
    );
    let imprint =
        "## Herausgeber\n\nKreis Warendorf\nDer Landrat\n\nMehr: https://www.kreis-warendorf.de";
    let privacy = lotse_domain::legal::LegalPage::Privacy.draft();
    let statement = lotse_domain::legal::LegalPage::Accessibility.draft();

    // Every field is checked and named; nothing is saved when one is wrong.
    let wrong = app
        .post_form(
            "/admin/legal",
            &[
                ("impressum", ""),
                ("datenschutz", privacy),
                ("barrierefreiheit", statement),
                ("phone", "ruf an"),
                ("email", "nicht@"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("id=\"e-impressum\""));
    assert!(wrong.body.contains("id=\"e-phone\""));
    assert!(wrong.body.contains("id=\"e-email\""));
    assert!(
        app.get("/impressum", None)
            .await
            .body
            .contains("Villa Küper"),
        "draft still"
    );

    let saved = app
        .post_form(
            "/admin/legal",
            &[
                ("impressum", imprint),
                ("datenschutz", privacy),
                ("barrierefreiheit", statement),
                ("phone", "02581 53-4711"),
                ("email", "integration@example.org"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let public = app.get("/impressum", None).await;
    assert!(public.body.contains("<h2>Herausgeber</h2>"));
    assert!(public.body.contains("Kreis Warendorf<br>Der Landrat"));
    assert!(!public.body.contains("Villa Küper"));
    let statement_page = app.get("/barrierefreiheit", None).await;
    assert!(
        statement_page
            .body
            .contains("mailto:integration@example.org")
    );
    let page = app.get("/admin/legal", Some(&admin)).await;
    assert!(
        !page
            .body
            .contains("Entwurf – noch nicht geprüft und gespeichert")
    );
    let log = lotse_store::audit::search(
        &app.db,
        &AuditFilter {
            record_id: Some(lotse_store::settings::LEGAL_IMPRINT.to_owned()),
            ..Default::default()
        },
        5,
        0,
    )
    .await
    .unwrap();
    assert_eq!(log[0].actor_name, "admin");
});

web_test!(an_offer_is_shared_and_printed_in_two_languages, |app| {
    let mut course = crate::finder::mothers_course();
    course
        .texts
        .entry(lotse_domain::offer::Locale::Ar)
        .or_default()
        .description = "تعلم الألمانية مع رعاية الأطفال.".into();
    let id = publish(&app, &course, lotse_store::offers::SaveAs::Published).await;
    let page = app.get(&format!("/ar/angebote/{id}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    // The plain address to copy, mail or text: no script needed.
    let url = format!("http://lotse.test/ar/angebote/{id}");
    assert!(
        page.body.contains(&format!("value=\"{url}\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("href=\"mailto:?subject="));
    assert!(page.body.contains("href=\"sms:?body="));
    assert!(
        page.body
            .contains(&format!("href=\"/ar/angebote/{id}/druck\""))
    );

    let print = app.get(&format!("/ar/angebote/{id}/druck"), None).await;
    assert_eq!(print.status, StatusCode::OK);
    // Arabic beside German, each column in its language and direction, ids not repeated.
    assert!(
        print
            .body
            .contains("<article class=\"print-column\" lang=\"ar\" dir=\"rtl\"")
    );
    assert!(
        print
            .body
            .contains("<article class=\"print-column\" lang=\"de\" dir=\"ltr\"")
    );
    assert!(print.body.contains("تعلم الألمانية مع رعاية الأطفال."));
    assert!(print.body.contains("Deutsch lernen mit Kinderbetreuung."));
    assert!(print.body.contains("id=\"where-h\"") && print.body.contains("id=\"de-where-h\""));
    // A QR code that leads back to the page, with the address written under it.
    assert!(print.body.contains("<svg"));
    assert!(print.body.contains(&url));
    // German alone on the German printout; gone offers have none.
    let german = app.get(&format!("/angebote/{id}/druck"), None).await;
    assert_eq!(german.body.matches("class=\"print-column\"").count(), 1);
    let gone = app
        .get(
            "/uk/angebote/01a22fa8-0000-7000-8000-000000000000/druck",
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(
        gone.body.contains("<html lang=\"uk\""),
        "the public page, in the reader's language"
    );
});
