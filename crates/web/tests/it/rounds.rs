use axum::http::{StatusCode, header};
use lotse_store::{measures, rounds};

use crate::{TestApp, web_test};

async fn kim_concept(app: &TestApp) -> String {
    measures::concepts(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.short_name == "KIM")
        .unwrap()
        .id
}

async fn open_kim_round(app: &TestApp, cookie: &str) -> String {
    let kim = kim_concept(app).await;
    let opened = app
        .post_form(
            "/rounds",
            &[
                ("title", "Überprüfung Test"),
                ("reference_date", "2026-06-30"),
                ("concept_ids", &kim),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    opened
        .location()
        .trim_start_matches("/rounds/")
        .trim_end_matches("?ok=created")
        .to_owned()
}

/// Gives the demo partner account an e-mail address, so reminders reach it; returns the account.
async fn partner_with_address(app: &TestApp) -> lotse_store::users::User {
    let partner = lotse_store::users::get_by_username(&app.db, "partner")
        .await
        .unwrap();
    let draft = lotse_store::users::UserDraft {
        username: partner.username.clone(),
        display_name: partner.display_name.clone(),
        email: "partner@example.org".into(),
        organisation_id: partner.organisation_id.clone(),
        roles: partner.roles.clone(),
    };
    app.db
        .write(async |tx| {
            lotse_store::users::update(tx, &lotse_store::Actor::system("test"), &partner, &draft, 0)
                .await
        })
        .await
        .unwrap();
    partner
}

web_test!(
    partners_report_coordination_reviews_closing_freezes,
    |app| {
        let coordination = app.login("koordination").await;
        let kim = kim_concept(&app).await;
        let bad = app
            .post_form(
                "/rounds",
                &[
                    ("title", ""),
                    ("reference_date", "bald"),
                    ("concept_ids", &kim),
                ],
                Some(&coordination),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Stichtag: Bitte einen Stichtag angeben"));
        assert!(
            bad.body.contains(&format!(r#"value="{kim}" checked>"#)),
            "the chosen concept stays ticked after the error"
        );
        assert_eq!(bad.body.matches(" checked>").count(), 1);
        let round = open_kim_round(&app, &coordination).await;

        // The partner's organisation (the demo welfare association) is asked for some of them.
        let partner = app.login("partner").await;
        let partner_org = app
            .organisation_id("Beratungsdienst Musterverband Beckum (Demo)")
            .await;
        let updates = rounds::updates(&app.db, &round, None).await.unwrap();
        let own = updates
            .iter()
            .find(|u| u.organisation_id.as_deref() == Some(partner_org.as_str()))
            .expect("a measure led by the partner");
        let foreign = updates
            .iter()
            .find(|u| u.organisation_id.as_deref() != Some(partner_org.as_str()))
            .expect("a measure led by others");

        let start = app.get("/", Some(&partner)).await.body;
        assert!(
            start.contains("Überprüfung Test") && start.contains("Ihrer Organisation ausstehend"),
            "task on the start page"
        );
        let page = app
            .get(&format!("/rounds/{round}"), Some(&partner))
            .await
            .body;
        assert!(
            page.contains(&own.title) && !page.contains(&format!("updates/{}", foreign.id)),
            "only their own tasks"
        );

        // Another organisation's measure: not found, in the page and in the write (a refusal
        // would confirm whose report it is).
        assert_eq!(
            app.get(
                &format!("/rounds/{round}/updates/{}", foreign.id),
                Some(&partner)
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        let refused = app
            .post_form(
                &format!("/rounds/{round}/updates/{}", foreign.id),
                &[("status", "completed"), ("progress", "x")],
                Some(&partner),
            )
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        assert_eq!(
            rounds::update(&app.db, &foreign.id).await.unwrap().state,
            "missing"
        );

        let invalid = app
            .post_form(
                &format!("/rounds/{round}/updates/{}", own.id),
                &[("status", "completed"), ("adaptation", "drop")],
                Some(&partner),
            )
            .await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            invalid.body.contains("Fortschritt: Bitte kurz beschreiben")
                && invalid.body.contains("Begründung: Bitte begründen")
        );
        let submitted = app
            .post_form(
                &format!("/rounds/{round}/updates/{}", own.id),
                &[
                    ("status", "completed"),
                    ("progress", "Projekt erfolgreich beendet."),
                    ("adaptation", "none"),
                ],
                Some(&partner),
            )
            .await;
        assert_eq!(submitted.location(), format!("/rounds/{round}?ok=saved"));

        // The partner cannot review; the coordination returns, the partner corrects, the coordination accepts.
        let review = format!("/rounds/{round}/updates/{}/review", own.id);
        assert_eq!(
            app.post_form(&review, &[("decision", "accept")], Some(&partner))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let returned = app
            .post_form(
                &review,
                &[
                    ("decision", "return"),
                    ("review_comment", "Bitte Teilnehmerzahl nennen"),
                ],
                Some(&coordination),
            )
            .await;
        assert_eq!(returned.location(), format!("/rounds/{round}?ok=saved"));
        let page = app
            .get(
                &format!("/rounds/{round}/updates/{}", own.id),
                Some(&partner),
            )
            .await
            .body;
        assert!(page.contains("Bitte Teilnehmerzahl nennen"));
        app.post_form(
            &format!("/rounds/{round}/updates/{}", own.id),
            &[
                ("status", "completed"),
                ("progress", "Beendet, 40 Teilnehmende."),
                ("adaptation", "none"),
            ],
            Some(&partner),
        )
        .await;
        let accepted = app
            .post_form(&review, &[("decision", "accept")], Some(&coordination))
            .await;
        assert_eq!(accepted.location(), format!("/rounds/{round}?ok=saved"));
        assert_eq!(
            measures::get(&app.db, &own.measure_id)
                .await
                .unwrap()
                .status,
            "completed"
        );

        // Progress at a glance, then closing freezes the round.
        let page = app
            .get(&format!("/rounds/{round}"), Some(&coordination))
            .await
            .body;
        assert!(page.contains("Beratungsdienst Musterverband Beckum (Demo)"));
        // Closing is confirmed on a page that says what is outstanding; a bare POST (an old
        // button, a double click) only leads there, and outstanding reports must be
        // acknowledged.
        let bare = app
            .post_form(&format!("/rounds/{round}/close"), &[], Some(&coordination))
            .await;
        assert_eq!(bare.location(), format!("/rounds/{round}/close"));
        let confirm = app
            .get(&format!("/rounds/{round}/close"), Some(&coordination))
            .await;
        assert_eq!(confirm.status, StatusCode::OK);
        assert!(
            confirm
                .body
                .contains("Das lässt sich nicht rückgängig machen.")
        );
        let outstanding = confirm.body.contains("noch nicht angenommen:");
        if outstanding {
            assert!(
                confirm
                    .body
                    .contains("Noch nicht angenommene Berichte je Organisation")
            );
            let unacknowledged = app
                .post_form(
                    &format!("/rounds/{round}/close"),
                    &[("confirm", "yes")],
                    Some(&coordination),
                )
                .await;
            assert_eq!(unacknowledged.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(unacknowledged.body.contains("role=\"alert\""));
            assert!(
                app.get(&format!("/rounds/{round}"), Some(&coordination))
                    .await
                    .body
                    .contains("Abschluss vorbereiten"),
                "still open"
            );
        }
        let closed = app
            .post_form(
                &format!("/rounds/{round}/close"),
                &[("confirm", "yes"), ("outstanding_ok", "yes")],
                Some(&coordination),
            )
            .await;
        assert_eq!(
            closed.location(),
            format!("/rounds/{round}?ok=round_closed")
        );
        let after = app
            .get(
                &format!("/rounds/{round}?ok=round_closed"),
                Some(&coordination),
            )
            .await;
        assert!(after.body.contains("Die Runde ist abgeschlossen"));
        // Closed is closed: the confirmation page leads back to the round.
        let again = app
            .get(&format!("/rounds/{round}/close"), Some(&coordination))
            .await;
        assert_eq!(again.location(), format!("/rounds/{round}"));
        let page = app
            .get(&format!("/rounds/{round}"), Some(&app.login("lesen").await))
            .await
            .body;
        assert!(page.contains("Eingefrorener Stand") && page.contains("Beendet, 40 Teilnehmende."));
        // The committee report of the closed round shows the accepted report and the change since 2024.
        let report = app
            .get(
                &format!("/rounds/{round}/report"),
                Some(&app.login("lesen").await),
            )
            .await;
        assert_eq!(report.status, StatusCode::OK);
        assert!(report.body.contains("Sachstandsbericht: Überprüfung Test"));
        assert!(report.body.contains("Beendet, 40 Teilnehmende."));
        assert!(
            report.body.contains("Überprüfung 2024"),
            "compared with the previous closed round"
        );
        assert!(report.body.contains("data:image/svg+xml;base64,"), "chart");
        let late = app
            .post_form(
                &format!("/rounds/{round}/updates/{}", foreign.id),
                &[("status", "completed"), ("progress", "x")],
                Some(&coordination),
            )
            .await;
        assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(late.body.contains("abgeschlossen"));
    }
);

web_test!(reports_exist_only_for_closed_rounds, |app| {
    let reader = app.login("lesen").await;
    let rounds = rounds::rounds(&app.db).await.unwrap();
    let (open, closed) = (&rounds[0], &rounds[1]);
    let report = app
        .get(&format!("/rounds/{}/report", closed.id), Some(&reader))
        .await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.contains("Stichtag 31.12.2024"));
    assert!(
        report.body.contains("sind erfundene Beispiele"),
        "the demo says so in the report"
    );
    assert!(
        report
            .body
            .contains("Maßnahmen nach Handlungsfeld und Sachstand")
    );
    let refused = app
        .get(&format!("/rounds/{}/report", open.id), Some(&reader))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("noch offen"));

    // The page offers the committee paper as PDF/A and DOCX; both are served, for closed rounds only.
    for (suffix, content_type, magic) in [
        ("pdf", "application/pdf", "%PDF-1.7"),
        (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "PK",
        ),
    ] {
        let link = format!("/rounds/{}/report.{suffix}", closed.id);
        assert!(report.body.contains(&format!("href=\"{link}\"")), "{link}");
        let file = app.get(&link, Some(&reader)).await;
        assert_eq!(file.status, StatusCode::OK, "{link}");
        assert_eq!(file.headers[header::CONTENT_TYPE], content_type);
        assert!(file.body.starts_with(magic), "{link}");
        let refused = app
            .get(
                &format!("/rounds/{}/report.{suffix}", open.id),
                Some(&reader),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{suffix}");
    }
    assert_eq!(
        app.get(&format!("/rounds/{}/report.pdf", closed.id), None)
            .await
            .status,
        StatusCode::SEE_OTHER,
        "anonymous visitors are sent to the login"
    );
});

web_test!(case_managers_report_structural_issues, |app| {
    let cm = app.login("fallmanagement").await;
    let list = app.get("/issues", Some(&cm)).await.body;
    assert!(
        list.contains("Lücke beim Wechsel vom AsylbLG ins SGB II")
            && list.contains("(AsylbLG) → SGB II")
    );
    let bad = app
        .post_form(
            "/issues",
            &[
                ("title", ""),
                ("evidence_count", "viele"),
                ("reported_on", "gestern"),
            ],
            Some(&cm),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("Zahl der Belegfälle: Bitte eine ganze Zahl")
    );
    let created = app
        .post_form(
            "/issues",
            &[
                ("title", "Dolmetschkosten beim Jobcenter ungeklärt"),
                ("from_jurisdiction", "sgb2"),
                ("evidence_count", "4"),
                ("status", "reported"),
                ("reported_on", "2026-05-04"),
                ("towns", "05570004"),
            ],
            Some(&cm),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let page = app.get(created.location(), Some(&cm)).await.body;
    assert!(
        page.contains("Dolmetschkosten beim Jobcenter ungeklärt")
            && page.contains("04.05.2026")
            && page.contains("Ahlen")
    );
    let reader = app.login("lesen").await;
    assert!(
        app.get("/issues", Some(&reader))
            .await
            .body
            .contains("Dolmetschkosten"),
        "the committee reads the register"
    );
});

web_test!(
    bodies_meetings_decisions_and_action_items_in_the_ui,
    |app| {
        let coordination = app.login("koordination").await;
        let start = app.get("/", Some(&coordination)).await.body;
        assert!(
            start.contains("Ihre Aufgaben aus Gremien") && start.contains("BIKS-2026/07"),
            "demo action items on the start page"
        );

        let created = app
            .post_form(
                "/bodies",
                &[("name", "Projektgruppe Rechtskreiswechsel")],
                Some(&coordination),
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let body = created
            .location()
            .trim_start_matches("/bodies/")
            .trim_end_matches("?ok=created")
            .to_owned();
        let bad = app
            .post_form(
                &format!("/bodies/{body}/meetings"),
                &[("held_on", "morgen")],
                Some(&coordination),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let meeting = app
            .post_form(
                &format!("/bodies/{body}/meetings"),
                &[("held_on", "2026-10-01")],
                Some(&coordination),
            )
            .await;
        let meeting_id = meeting
            .location()
            .trim_start_matches("/meetings/")
            .trim_end_matches("?ok=created")
            .to_owned();
        app.post_form(
            &format!("/meetings/{meeting_id}/agenda"),
            &[("agenda_title", "Fallbeispiele")],
            Some(&coordination),
        )
        .await;
        app.post_form(
            &format!("/meetings/{meeting_id}/minutes"),
            &[("minutes", "Alle anwesend.")],
            Some(&coordination),
        )
        .await;

        let measure = measures::list(&app.db, &Default::default()).await.unwrap()[5].clone();
        let decision_body = format!(
            "number=PG-1&decided_on=2026-10-01&text=Wir+starten.&meeting_id={meeting_id}&measure_ids={}",
            measure.id
        );
        let req = axum::http::Request::builder()
            .method("POST")
            .uri(format!("/bodies/{body}/decisions"))
            .header("cookie", &coordination)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(axum::body::Body::from(decision_body))
            .unwrap();
        assert_eq!(app.send(req).await.status, StatusCode::SEE_OTHER);
        let page = app
            .get(&format!("/bodies/{body}"), Some(&coordination))
            .await
            .body;
        assert!(page.contains("Beschluss PG-1 vom 01.10.2026") && page.contains(&measure.title));

        // A decision is linked to the structural issue it addresses; the issue shows it.
        let issue = lotse_store::structural_issues::list(&app.db, None)
            .await
            .unwrap()[0]
            .id
            .clone();
        let decision = lotse_store::bodies::decision_page_of_body(
            &app.db,
            &body,
            &lotse_store::paging::PageRequest::default(),
        )
        .await
        .unwrap()
        .items[0]
            .id
            .clone();
        let reader = app.login("lesen").await;
        assert_eq!(
            app.post_form(
                &format!("/decisions/{decision}/issues"),
                &[("issue_id", &issue)],
                Some(&reader)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let linked = app
            .post_form(
                &format!("/decisions/{decision}/issues"),
                &[("issue_id", &issue)],
                Some(&coordination),
            )
            .await;
        assert_eq!(linked.location(), format!("/bodies/{body}?ok=saved"));
        let body_page = app
            .get(&format!("/bodies/{body}"), Some(&coordination))
            .await
            .body;
        assert!(
            body_page.contains(&format!(r#"Behandelte Hürden: <a href="/issues/{issue}">"#)),
            "the decision shows the issue it addressed"
        );
        let issue_page = app
            .get(&format!("/issues/{issue}"), Some(&coordination))
            .await
            .body;
        assert!(
            issue_page.contains(&format!(
                r#"<a href="/bodies/{body}">Projektgruppe Rechtskreiswechsel – Beschluss PG-1 vom 01.10.2026</a>"#
            )),
            "{issue_page}"
        );
        assert_eq!(
            app.post_form(
                "/decisions/gibt-es-nicht/issues",
                &[("issue_id", &issue)],
                Some(&coordination)
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );

        let partner_user = lotse_store::users::get_by_username(&app.db, "partner")
            .await
            .unwrap()
            .id;
        let action = app
            .post_form(
                "/action-items",
                &[
                    ("action_title", "Zahlen sammeln"),
                    ("owner_user_id", &partner_user),
                    ("due_on", "2026-11-30"),
                    ("meeting_id", &meeting_id),
                ],
                Some(&coordination),
            )
            .await;
        assert_eq!(
            action.location(),
            format!("/meetings/{meeting_id}?ok=created")
        );
        let meeting_page = app
            .get(&format!("/meetings/{meeting_id}"), Some(&coordination))
            .await
            .body;
        assert!(
            meeting_page.contains("Fallbeispiele")
                && meeting_page.contains("Alle anwesend.")
                && meeting_page.contains("30.11.2026")
        );

        // The owner sees it on the start page and marks it done; others may not touch it.
        let partner = app.login("partner").await;
        assert!(
            app.get("/", Some(&partner))
                .await
                .body
                .contains("Zahlen sammeln")
        );
        let item = lotse_store::bodies::action_items_of_meeting(&app.db, &meeting_id)
            .await
            .unwrap()[0]
            .id
            .clone();
        let reader = app.login("lesen").await;
        assert_eq!(
            app.post_form(
                &format!("/action-items/{item}/state"),
                &[("state", "done")],
                Some(&reader)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let cancel = app
            .post_form(
                &format!("/action-items/{item}/state"),
                &[("state", "cancelled")],
                Some(&partner),
            )
            .await;
        assert_eq!(
            cancel.status,
            StatusCode::FORBIDDEN,
            "owners report done; cancelling is for the coordination"
        );
        let done = app
            .post_form(
                &format!("/action-items/{item}/state"),
                &[("state", "done")],
                Some(&partner),
            )
            .await;
        assert_eq!(done.location(), "/?ok=saved");
        assert!(
            !app.get("/", Some(&partner))
                .await
                .body
                .contains("Zahlen sammeln")
        );
    }
);

web_test!(missing_reports_are_reminded_by_mail, |app| {
    let Some(sink) = crate::SmtpSink::start() else {
        return;
    };
    let coordination = app.login("koordination").await;
    // Without a mail server the button explains what is missing.
    let rounds = rounds::rounds(&app.db).await.unwrap();
    let open = rounds.iter().find(|r| r.is_open()).unwrap();
    let refused = app
        .post_form(
            &format!("/rounds/{}/remind", open.id),
            &[],
            Some(&coordination),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("kein Mailserver eingerichtet"));

    // The partner gets an address; the welfare association owes reports in the open demo round.
    let partner = partner_with_address(&app).await;
    let mail = crate::mail_to_port(sink.port);
    let node = app.node(TestApp::router_with_mail(&app.db, Some(mail)));
    let sent = node
        .post_form(
            &format!("/rounds/{}/remind", open.id),
            &[],
            Some(&coordination),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let messages = sink.messages();
    assert_eq!(
        messages.len(),
        1,
        "one mail for the one account with an address"
    );
    let message = &messages[0];
    assert!(
        message.contains("To: partner@example.org")
            && message.contains("From: ki@kreis-warendorf.example")
    );
    assert!(
        message.contains("Überprüfung 2026") || message.contains("=C3=9Cberpr"),
        "{message}"
    );
    let log = lotse_store::audit::search(
        &app.db,
        &lotse_store::audit::AuditFilter {
            action: Some("remind".into()),
            ..Default::default()
        },
        5,
        0,
    )
    .await
    .unwrap();
    assert!(log[0].changes.contains(&partner.id));
});

web_test!(partners_report_indicator_values_with_their_update, |app| {
    let coordination = app.login("koordination").await;
    let round = open_kim_round(&app, &coordination).await;
    let partner_org = app
        .organisation_id("Beratungsdienst Musterverband Beckum (Demo)")
        .await;
    let own = rounds::updates(&app.db, &round, None)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.organisation_id.as_deref() == Some(partner_org.as_str()))
        .unwrap();
    let added = app
        .post_form(
            &format!("/measures/{}/indicators", own.measure_id),
            &[
                ("indicator_name", "Beratungen"),
                ("indicator_unit", "Anzahl"),
            ],
            Some(&coordination),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let indicator = measures::indicators(&app.db, &own.measure_id)
        .await
        .unwrap()[0]
        .id
        .clone();
    let partner = app.login("partner").await;
    let form = app
        .get(
            &format!("/rounds/{round}/updates/{}", own.id),
            Some(&partner),
        )
        .await
        .body;
    assert!(
        form.contains(&format!("name=\"value_{indicator}\""))
            && form.contains("Beratungen (Anzahl)")
    );
    let field = format!("value_{indicator}");
    let bad = app
        .post_form(
            &format!("/rounds/{round}/updates/{}", own.id),
            &[
                ("status", "in_progress"),
                ("progress", "läuft"),
                (&field, "viele"),
            ],
            Some(&partner),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("„viele“ ist keine Zahl.") && bad.body.contains("value=\"viele\""));
    app.post_form(
        &format!("/rounds/{round}/updates/{}", own.id),
        &[
            ("status", "in_progress"),
            ("progress", "läuft"),
            (&field, "7,5"),
        ],
        Some(&partner),
    )
    .await;
    app.post_form(
        &format!("/rounds/{round}/updates/{}/review", own.id),
        &[("decision", "accept")],
        Some(&coordination),
    )
    .await;
    let measure = app
        .get(&format!("/measures/{}", own.measure_id), Some(&partner))
        .await
        .body;
    assert!(
        measure.contains("30.06.2026") && measure.contains("7,5"),
        "the value counts as of the reference date"
    );
});

web_test!(a_round_page_shows_its_reports_a_page_at_a_time, |app| {
    let coordination = app.login("koordination").await;
    // Every concept: more reports than one page holds.
    let mut fields = vec![
        ("title", "Große Runde".to_owned()),
        ("reference_date", "2026-06-30".to_owned()),
    ];
    for c in measures::concepts(&app.db).await.unwrap() {
        fields.push(("concept_ids", c.id));
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let opened = app.post_form("/rounds", &fields, Some(&coordination)).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let round = opened
        .location()
        .trim_start_matches("/rounds/")
        .trim_end_matches("?ok=created")
        .to_owned();
    let all = rounds::updates(&app.db, &round, None).await.unwrap();
    assert!(all.len() > 100, "{} reports", all.len());

    let report_links = |body: &str| body.matches(&format!("/rounds/{round}/updates/")).count();
    let first = app
        .get(&format!("/rounds/{round}"), Some(&coordination))
        .await
        .body;
    assert_eq!(report_links(&first), 100);
    // The counts cover the whole round, not the page.
    assert!(
        first.contains(&format!(
            r#"<tr class="total"><th scope="row">Gesamt</th><td class="num">{}</td>"#,
            all.len()
        )),
        "all reports are counted as missing"
    );
    let next = first
        .split(r#"rel="next""#)
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .map(|s| s.trim_end_matches("\" ").replace("&amp;", "&"))
        .expect("a next link");
    let second = app.get(&next, Some(&coordination)).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(report_links(&second.body), all.len() - 100);
    assert!(second.body.contains(r#"rel="first""#) && !second.body.contains(r#"rel="next""#));
    // Together the pages hold every report once.
    for u in &all {
        let link = format!("/rounds/{round}/updates/{}\"", u.id);
        assert_eq!(
            first.matches(&link).count() + second.body.matches(&link).count(),
            1,
            "{}",
            u.title
        );
    }
    // The rounds list counts the same from the database.
    let list = app.get("/rounds", Some(&coordination)).await.body;
    assert!(list.contains(&format!("0 von {}", all.len())), "{list}");
});

web_test!(several_reports_are_accepted_at_once_or_none, |app| {
    let coordination = app.login("koordination").await;
    let round = open_kim_round(&app, &coordination).await;
    let partner = app.login("partner").await;
    let partner_org = app
        .organisation_id("Beratungsdienst Musterverband Beckum (Demo)")
        .await;
    let own: Vec<rounds::Update> = rounds::updates(&app.db, &round, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.organisation_id.as_deref() == Some(partner_org.as_str()))
        .collect();
    assert!(!own.is_empty());
    for u in &own {
        let submitted = app
            .post_form(
                &format!("/rounds/{round}/updates/{}", u.id),
                &[
                    ("status", "in_progress"),
                    ("progress", "Läuft wie geplant."),
                    ("adaptation", "none"),
                ],
                Some(&partner),
            )
            .await;
        assert_eq!(
            submitted.status,
            StatusCode::SEE_OTHER,
            "{}",
            submitted.body
        );
    }
    let page = app
        .get(&format!("/rounds/{round}"), Some(&coordination))
        .await;
    assert!(page.body.contains("Ausgewählte Berichte annehmen"));
    let mut picks: Vec<String> = Vec::new();
    for u in &own {
        let now = rounds::update(&app.db, &u.id).await.unwrap();
        picks.push(format!("{}@{}", u.id, now.submitted_at.unwrap_or_default()));
    }
    assert_eq!(
        page.body.matches("name=\"report\"").count(),
        own.len(),
        "a box per submitted report"
    );

    // Nothing chosen: said so. A report that was submitted again after the page was read:
    // nothing is accepted.
    let none = app
        .post_form(&format!("/rounds/{round}/accept"), &[], Some(&coordination))
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    let stale: Vec<(&str, String)> = own
        .iter()
        .map(|u| ("report", format!("{}@1", u.id)))
        .collect();
    let stale_form: Vec<(&str, &str)> = stale.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = app
        .post_form(
            &format!("/rounds/{round}/accept"),
            &stale_form,
            Some(&coordination),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Keiner der ausgewählten Berichte wurde angenommen")
    );
    for u in &own {
        assert_eq!(
            rounds::update(&app.db, &u.id).await.unwrap().state,
            "submitted"
        );
    }

    let form: Vec<(&str, &str)> = picks.iter().map(|p| ("report", p.as_str())).collect();
    let accepted = app
        .post_form(
            &format!("/rounds/{round}/accept"),
            &form,
            Some(&coordination),
        )
        .await;
    assert_eq!(accepted.location(), format!("/rounds/{round}?ok=accepted"));
    for u in &own {
        assert_eq!(
            rounds::update(&app.db, &u.id).await.unwrap().state,
            "accepted"
        );
    }
    // Partners may not.
    let partner_try = app
        .post_form(&format!("/rounds/{round}/accept"), &form, Some(&partner))
        .await;
    assert_eq!(partner_try.status, StatusCode::FORBIDDEN);

    // Who still owes what, with their number, for chasing by phone.
    let bytes = app
        .get_bytes(&format!("/rounds/{round}/progress.xlsx"), &coordination)
        .await;
    let cells = lotse_reports::read_xlsx(&bytes).unwrap();
    assert!(
        cells[0][0].ends_with(": Stand der Berichte"),
        "{:?}",
        cells[0]
    );
    assert_eq!(
        cells[2][..4],
        ["Organisation", "Telefon", "E-Mail", "ausstehend"]
    );
    let row = cells
        .iter()
        .find(|r| {
            r.first().map(String::as_str) == Some("Beratungsdienst Musterverband Beckum (Demo)")
        })
        .expect("the partner's organisation");
    assert_eq!(row[3], "0", "nothing owed any more: {row:?}");
    assert!(
        cells
            .iter()
            .skip(3)
            .any(|r| r.get(3).is_some_and(|n| n != "0")),
        "others still owe reports"
    );
    assert_eq!(
        app.get(&format!("/rounds/{round}/progress.xlsx"), Some(&partner))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
});

web_test!(
    a_round_has_a_deadline_that_partners_see_and_the_schedule_reminds_of,
    |app| {
        let coordination = app.login("koordination").await;
        let kim = kim_concept(&app).await;
        let today = lotse_store::day_of(lotse_store::now_ms());
        let day = |n: i64| today.add_days(n).unwrap();

        // A deadline in the past is refused by name; the German spelling is understood.
        let past = app
            .post_form(
                "/rounds",
                &[
                    ("title", "Zu spät"),
                    ("reference_date", "30.06.2026"),
                    ("submission_deadline", "01.01.2020"),
                    ("concept_ids", &kim),
                ],
                Some(&coordination),
            )
            .await;
        assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            past.body
                .contains("Abgabefrist: Die Abgabefrist 01.01.2020 liegt in der Vergangenheit"),
            "{}",
            past.body
        );
        // Without a deadline: four weeks.
        let opened = app
            .post_form(
                "/rounds",
                &[
                    ("title", "Ohne Frist"),
                    ("reference_date", "2026-06-30"),
                    ("concept_ids", &kim),
                ],
                Some(&coordination),
            )
            .await;
        let without = opened
            .location()
            .trim_start_matches("/rounds/")
            .trim_end_matches("?ok=created")
            .to_owned();
        assert_eq!(
            rounds::round(&app.db, &without)
                .await
                .unwrap()
                .submission_deadline,
            Some(day(rounds::DEFAULT_DEADLINE_DAYS))
        );

        let opened = app
            .post_form(
                "/rounds",
                &[
                    ("title", "Mit Frist"),
                    ("reference_date", "2026-06-30"),
                    ("submission_deadline", &day(10).to_string()),
                    ("concept_ids", &kim),
                ],
                Some(&coordination),
            )
            .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let round = opened
            .location()
            .trim_start_matches("/rounds/")
            .trim_end_matches("?ok=created")
            .to_owned();
        let page = app
            .get(&format!("/rounds/{round}"), Some(&coordination))
            .await
            .body;
        assert!(
            page.contains(&format!("{} (noch 10 Tage)", day(10).german())),
            "{page}"
        );
        let list = app.get("/rounds", Some(&coordination)).await.body;
        assert!(
            list.contains("<th scope=\"col\">Abgabefrist</th>") && list.contains(&day(10).german())
        );

        // The partner sees it on the round and on each of their reports.
        let partner = app.login("partner").await;
        let partner_org = app
            .organisation_id("Beratungsdienst Musterverband Beckum (Demo)")
            .await;
        let own = rounds::updates(&app.db, &round, Some(&partner_org))
            .await
            .unwrap();
        let report = app
            .get(
                &format!("/rounds/{round}/updates/{}", own[0].id),
                Some(&partner),
            )
            .await
            .body;
        assert!(report.contains("<dt>Abgabefrist</dt>") && report.contains(&day(10).german()));

        // Moved, typed the German way; recorded; partners may not.
        let moved = app
            .post_form(
                &format!("/rounds/{round}/deadline"),
                &[("submission_deadline", &day(3).german())],
                Some(&coordination),
            )
            .await;
        assert_eq!(moved.location(), format!("/rounds/{round}?ok=deadline"));
        assert_eq!(
            rounds::round(&app.db, &round)
                .await
                .unwrap()
                .submission_deadline,
            Some(day(3))
        );
        let empty = app
            .post_form(
                &format!("/rounds/{round}/deadline"),
                &[("submission_deadline", "")],
                Some(&coordination),
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.body.contains("Bitte eine Abgabefrist angeben"));
        assert_eq!(
            app.post_form(
                &format!("/rounds/{round}/deadline"),
                &[("submission_deadline", &day(30).to_string())],
                Some(&partner),
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );

        // The schedule reminds a week before the deadline, then once a week, by mail.
        let Some(sink) = crate::SmtpSink::start() else {
            return;
        };
        partner_with_address(&app).await;
        let mail = crate::mail_to_port(sink.port);
        let run = async |now: i64| crate::run_job(&app, "round-reminders", Some(&mail), now).await;
        let now = lotse_store::now_ms();
        let first = run(now).await;
        assert!(first.ok, "{}", first.summary);
        let messages = sink.messages();
        let to_partner: Vec<&String> = messages
            .iter()
            .filter(|m| m.contains("To: partner@example.org") && m.contains("Mit Frist"))
            .collect();
        assert_eq!(to_partner.len(), 1, "{messages:?}");
        assert!(
            to_partner[0].contains(&day(3).german()),
            "the mail names the deadline: {}",
            to_partner[0]
        );
        // An hour later: nothing new. A week later: again.
        let before = sink.messages().len();
        run(now + 3_600_000).await;
        assert_eq!(sink.messages().len(), before);
        run(now + 7 * 24 * 3_600_000).await;
        assert!(
            sink.messages()[before..]
                .iter()
                .any(|m| m.contains("To: partner@example.org") && m.contains("Mit Frist"))
        );
        // Closed rounds are not reminded of.
        let owing = rounds::owed_reports(&app.db, &round).await.unwrap();
        assert!(!owing.is_empty());
    }
);

web_test!(
    the_round_page_filters_sorts_and_compares_with_the_previous_round,
    |app| {
        let coordination = app.login("koordination").await;
        let all_rounds = rounds::rounds(&app.db).await.unwrap();
        let open = all_rounds.iter().find(|r| r.is_open()).unwrap();
        let closed = all_rounds.iter().find(|r| !r.is_open()).unwrap();
        let reports = rounds::updates(&app.db, &open.id, None).await.unwrap();
        let links = |body: &str| -> Vec<String> {
            body.split(&format!("/rounds/{}/updates/", open.id))
                .skip(1)
                .map(|s| s.split('"').next().unwrap_or_default().to_owned())
                .collect()
        };

        // By state: exactly the submitted ones.
        let submitted: Vec<&rounds::Update> =
            reports.iter().filter(|u| u.state == "submitted").collect();
        assert!(
            !submitted.is_empty(),
            "the demo round has submitted reports"
        );
        let page = app
            .get(
                &format!("/rounds/{}?state=submitted", open.id),
                Some(&coordination),
            )
            .await
            .body;
        let shown = links(&page);
        assert_eq!(shown.len(), submitted.len().min(100));
        assert!(shown.iter().all(|id| submitted.iter().any(|u| &u.id == id)));
        assert!(page.contains("Filter zurücksetzen"));

        // By organisation, and the filter's choices name the organisations.
        let org = reports
            .iter()
            .find_map(|u| u.organisation_id.clone())
            .unwrap();
        let theirs = reports
            .iter()
            .filter(|u| u.organisation_id.as_deref() == Some(org.as_str()))
            .count();
        let page = app
            .get(
                &format!("/rounds/{}?organisation={org}", open.id),
                Some(&coordination),
            )
            .await
            .body;
        assert_eq!(links(&page).len(), theirs.min(100));
        assert!(page.contains(&format!("<option value=\"{org}\" selected>")));

        // "Not yet accepted" and an adaptation need combine.
        let adjust = reports
            .iter()
            .filter(|u| u.state != "accepted" && u.state != "missing" && u.adaptation == "adjust")
            .count();
        let page = app
            .get(
                &format!("/rounds/{}?state=open&adaptation=adjust", open.id),
                Some(&coordination),
            )
            .await
            .body;
        assert_eq!(links(&page).len(), adjust.min(100));

        // Sorted by organisation: the names come in German order; the header says so.
        let page = app
            .get(
                &format!("/rounds/{}?sort=organisation", open.id),
                Some(&coordination),
            )
            .await
            .body;
        assert!(page.contains("aria-sort=\"ascending\"><a href=\"/rounds/"));
        let order: Vec<String> = links(&page)
            .iter()
            .map(|id| {
                reports
                    .iter()
                    .find(|u| &u.id == id)
                    .and_then(|u| u.organisation.clone())
                    .unwrap_or_else(|| "~".into())
            })
            .collect();
        let mut sorted = order.clone();
        sorted.sort_by_cached_key(|o| lotse_domain::collation::sort_key(o));
        assert_eq!(order, sorted);
        // The pager keeps the order and the filter.
        if page.contains("rel=\"next\"") {
            let next = page
                .split("rel=\"next\"")
                .next()
                .and_then(|s| s.rsplit("href=\"").next())
                .unwrap_or_default();
            assert!(next.contains("sort=organisation"), "{next}");
        }
        // A hand-edited filter lists everything rather than failing.
        let odd = app
            .get(
                &format!("/rounds/{}?state=nonsense&sort=x", open.id),
                Some(&coordination),
            )
            .await;
        assert_eq!(odd.status, StatusCode::OK);

        // The previous round's status stands beside each report.
        let page = app
            .get(&format!("/rounds/{}", open.id), Some(&coordination))
            .await
            .body;
        assert!(
            page.contains(&format!(
                "<th scope=\"col\">Sachstand {}</th>",
                closed.title
            )),
            "{page}"
        );

        // A report beside the decision, and the previous round for comparison.
        let one = submitted[0];
        let report = app
            .get(
                &format!("/rounds/{}/updates/{}", open.id, one.id),
                Some(&coordination),
            )
            .await
            .body;
        assert!(report.contains("Bericht der Organisation"));
        assert!(
            report.contains("Entscheidung der Koordination") && report.contains("value=\"accept\"")
        );
        assert!(
            report.contains(&format!("Zum Vergleich: {}", closed.title))
                || report.contains("in keiner früheren abgeschlossenen Überprüfungsrunde"),
        );
        let snapshot = rounds::snapshot(&app.db, &closed.id).await.unwrap();
        let compared = reports
            .iter()
            .find(|u| snapshot.iter().any(|s| s.measure_id == u.measure_id))
            .unwrap();
        let report = app
            .get(
                &format!("/rounds/{}/updates/{}", open.id, compared.id),
                Some(&coordination),
            )
            .await
            .body;
        assert!(
            report.contains(&format!("Zum Vergleich: {}", closed.title)),
            "{report}"
        );
        assert!(report.contains("Sachstand damals"));
    }
);

web_test!(
    the_register_of_structural_issues_sorts_by_status_or_the_day_reported,
    |app| {
        let coordination = app.login("koordination").await;
        let days = |body: &str| -> Vec<lotse_domain::Date> {
            body.split("<tbody>")
                .nth(1)
                .unwrap_or_default()
                .split("<tr>")
                .skip(1)
                .filter_map(|row| {
                    row.split("<td>")
                        .filter_map(|c| lotse_domain::Date::parse(c.split('<').next()?))
                        .next()
                })
                .collect()
        };
        let page = app
            .get("/issues?sort=reported", Some(&coordination))
            .await
            .body;
        assert!(
            page.contains("aria-sort=\"ascending\"><a href=\"/issues?sort=reported\""),
            "{page}"
        );
        let reported = days(&page);
        assert!(reported.len() > 1, "{page}");
        assert!(reported.windows(2).all(|w| w[0] <= w[1]), "{reported:?}");
        let by_status = app.get("/issues?sort=status", Some(&coordination)).await;
        assert_eq!(by_status.status, StatusCode::OK);
        assert!(
            by_status
                .body
                .contains("<input type=\"hidden\" name=\"sort\" value=\"status\">")
        );
    }
);
