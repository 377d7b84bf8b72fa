//! Consents, shares and emergency access through the web (decision 0012, slice 3): what a case
//! manager records and prints, what a released partner sees ("vertraulich" for the rest), the
//! share inbox, and emergency access with the coordination's review.

use axum::http::StatusCode;

use crate::{TestApp, web_test};

/// Opens a case as `fallmanagement` with some work on it; returns its page path.
async fn case_with_work(app: &TestApp, cm: &str) -> String {
    let today = lotse_web::today().to_string();
    let created = app
        .post_form(
            "/cases",
            &[
                ("family_name", "Rahimi"),
                ("given_names", "Soraya"),
                ("birth_date", "1985-06-01"),
                ("languages", "Persisch, Deutsch"),
                ("town", "05570004"),
                ("jurisdiction", "sgb2"),
                ("access_route", "jobcenter"),
                ("opened_on", today.as_str()),
                ("confirmed", "1"),
            ],
            Some(cm),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location().split('?').next().unwrap().to_owned();
    for (kind, fields) in [
        (
            "assessments",
            vec![
                ("life_domain", "health"),
                ("need_level", "high"),
                ("situation", "Therapieplatz gesucht"),
                ("assessed_on", today.as_str()),
            ],
        ),
        (
            "goals",
            vec![("life_domain", "work"), ("description", "Praktikum finden")],
        ),
        (
            "contacts",
            vec![
                ("contact_on", today.as_str()),
                ("minutes", "20"),
                ("channel", "phone"),
                ("note", "Notiz nur für das Fallmanagement"),
            ],
        ),
    ] {
        let saved = app
            .post_form(&format!("{path}/{kind}"), &fields, Some(cm))
            .await;
        assert_eq!(
            saved.status,
            StatusCode::SEE_OTHER,
            "{kind}: {}",
            saved.body
        );
    }
    path
}

web_test!(
    a_release_is_recorded_printed_and_revoked_and_the_partner_sees_only_what_it_names,
    |app| {
        let cm = app.login("fallmanagement").await;
        let path = case_with_work(&app, &cm).await;
        let partner_org = lotse_store::users::get_by_username(&app.db, "partner")
            .await
            .unwrap()
            .organisation_id;

        let form = app.get(&format!("{path}/consents/new"), Some(&cm)).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body.contains("Einwilligung erfassen") && form.body.contains(r#"name="covers""#)
        );
        // A release without organisation and scope, oral without witness: every field named.
        let refused = app
            .post_form(
                &format!("{path}/consents"),
                &[
                    ("purpose", "release"),
                    ("form", "oral_with_witness"),
                    ("given_on", ""),
                ],
                Some(&cm),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        for label in [
            "Stelle",
            "freigegebene Angaben",
            "Zeugin oder Zeuge",
            "erteilt am",
        ] {
            assert!(refused.body.contains(label), "{label}: {}", refused.body);
        }
        let today = lotse_web::today().to_string();
        let saved = app
            .post_form(
                &format!("{path}/consents"),
                &[
                    ("purpose", "release"),
                    ("organisation_id", partner_org.as_str()),
                    ("given_on", today.as_str()),
                    ("form", "written"),
                    ("covers", "identity"),
                    ("covers", "plan"),
                ],
                Some(&cm),
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = app.get(&path, Some(&cm)).await.body;
        assert!(page.contains("Schweigepflichtentbindung") && page.contains("gültig"));
        let consent = page
            .split(&format!("{path}/consents/"))
            .nth(1)
            .and_then(|rest| rest.split("/print").next())
            .unwrap()
            .to_owned();

        // The form to sign: German beside the person's language (Persian, right to left).
        let print = app
            .get(&format!("{path}/consents/{consent}/print"), Some(&cm))
            .await;
        assert_eq!(print.status, StatusCode::OK);
        assert!(
            print
                .body
                .contains("Einwilligung und Schweigepflichtentbindung")
        );
        assert!(
            print.body.contains(r#"lang="fa" dir="rtl""#),
            "Persian column"
        );
        assert!(print.body.contains("Rahimi") && print.body.contains("Hilfeplan"));
        let ukrainian = app
            .get(
                &format!("{path}/consents/{consent}/print?lang=uk"),
                Some(&cm),
            )
            .await;
        assert!(ukrainian.body.contains(r#"lang="uk" dir="ltr""#));

        // The partner: the case in the list, name and plan, everything else "vertraulich".
        let partner = app.login("partner").await;
        let list = app.get("/cases", Some(&partner)).await;
        assert!(list.body.contains("Rahimi, Soraya"), "{}", list.body);
        let seen = app.get(&path, Some(&partner)).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert!(seen.body.contains("Schweigepflichtentbindung"));
        assert!(seen.body.contains("Praktikum finden"));
        assert!(seen.body.contains("vertraulich"));
        for hidden in [
            "Therapieplatz",
            "Notiz nur für",
            "Ahlen",
            "Einwilligung erfassen",
        ] {
            assert!(!seen.body.contains(hidden), "{hidden} shown to the partner");
        }
        // Nothing to change for them.
        assert_eq!(
            app.get(&format!("{path}/goals/new"), Some(&partner))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Revoked: the partner's next request finds nothing.
        let revocation = app
            .get(&format!("{path}/consents/{consent}"), Some(&cm))
            .await;
        assert!(revocation.body.contains("Einwilligung widerrufen"));
        let revoked = app
            .post_form(
                &format!("{path}/consents/{consent}"),
                &[("revoked_on", today.as_str())],
                Some(&cm),
            )
            .await;
        assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
        assert!(
            app.get(&path, Some(&cm))
                .await
                .body
                .contains("widerrufen am")
        );
        assert_eq!(
            app.get(&path, Some(&partner)).await.status,
            StatusCode::NOT_FOUND
        );
        assert!(
            !app.get("/cases", Some(&partner))
                .await
                .body
                .contains("Rahimi")
        );
    }
);

web_test!(
    a_case_is_shared_through_the_inbox_and_emergency_access_is_reviewed,
    |app| {
        let cm = app.login("fallmanagement").await;
        let path = case_with_work(&app, &cm).await;
        let other = lotse_store::users::get_by_username(&app.db, "fallmanagement2")
            .await
            .unwrap();

        // Another organisation without a release: refused at the field, with the way out.
        let share_form = app.get(&format!("{path}/shares/new"), Some(&cm)).await;
        assert_eq!(share_form.status, StatusCode::OK);
        let refused = app
            .post_form(
                &format!("{path}/shares"),
                &[("access", "read"), ("to_user_id", other.id.as_str())],
                Some(&cm),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("keine gültige Schweigepflichtentbindung")
        );
        let asked = app
            .post_form(
                &format!("{path}/shares"),
                &[
                    ("access", "pseudonymous"),
                    ("to_user_id", other.id.as_str()),
                    ("message", "Bitte Übergang Jobcenter mit begleiten"),
                ],
                Some(&cm),
            )
            .await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
        assert!(app.get(&path, Some(&cm)).await.body.contains("angefragt"));

        let fm2 = app.login("fallmanagement2").await;
        assert!(
            app.get("/", Some(&fm2))
                .await
                .body
                .contains("Anfrage, einen Fall zu teilen")
        );
        let inbox = app.get("/cases/shares", Some(&fm2)).await.body;
        assert!(inbox.contains("Bitte Übergang Jobcenter") && !inbox.contains("Rahimi"));
        assert_eq!(
            app.get(&path, Some(&fm2)).await.status,
            StatusCode::NOT_FOUND
        );
        let share = inbox
            .split("/cases/shares/")
            .nth(1)
            .and_then(|rest| rest.split("/accept").next())
            .unwrap()
            .to_owned();
        // Someone else cannot answer it.
        let partner = app.login("partner").await;
        assert_eq!(
            app.post_form(
                &format!("/cases/shares/{share}/accept"),
                &[],
                Some(&partner)
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        let accepted = app
            .post_form(&format!("/cases/shares/{share}/accept"), &[], Some(&fm2))
            .await;
        assert_eq!(accepted.status, StatusCode::SEE_OTHER);
        let seen = app.get(&path, Some(&fm2)).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert!(!seen.body.contains("Rahimi") && seen.body.contains("Pseudonymisierte Ansicht"));
        // Answered once only.
        assert_eq!(
            app.post_form(&format!("/cases/shares/{share}/accept"), &[], Some(&fm2))
                .await
                .status,
            StatusCode::CONFLICT
        );

        // Emergency access: a clear refusal first, then a case opened for hours.
        let pseudonym = app
            .get(&path, Some(&cm))
            .await
            .body
            .split("<dt>Pseudonym</dt><dd>")
            .nth(1)
            .and_then(|rest| rest.split("</dd>").next())
            .unwrap()
            .to_owned();
        let form = app.get("/cases/break-glass", Some(&fm2)).await;
        assert_eq!(form.status, StatusCode::OK);
        let refused = app
            .post_form(
                "/cases/break-glass",
                &[
                    ("pseudonym", "Rahimi"),
                    ("reason", "eilig"),
                    ("hours", "99"),
                ],
                Some(&fm2),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        for label in ["Fallnummer", "Begründung", "Dauer"] {
            assert!(refused.body.contains(label), "{label}");
        }
        let opened = app
            .post_form(
                "/cases/break-glass",
                &[
                    ("pseudonym", pseudonym.as_str()),
                    (
                        "reason",
                        "Kollegin erkrankt, Klientin steht mit Räumungsklage vor der Tür.",
                    ),
                    ("hours", "4"),
                ],
                Some(&fm2),
            )
            .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let emergency = app.get(&path, Some(&fm2)).await.body;
        assert!(emergency.contains("Notfallzugriff") && emergency.contains("Rahimi, Soraya"));
        // Not for a partner, whose role has no emergency access.
        assert_eq!(
            app.get("/cases/break-glass", Some(&partner)).await.status,
            StatusCode::FORBIDDEN
        );

        // The assigned case manager learns of it on their start page.
        let start = app.get("/", Some(&cm)).await.body;
        assert!(
            start.contains("Notfallzugriffe auf Ihre Fälle") && start.contains("Rahimi, Soraya")
        );
        let coordination = app.login("koordination").await;
        assert!(
            app.get("/", Some(&coordination))
                .await
                .body
                .contains("zu prüfen")
        );
        let reviews = app
            .get("/cases/access-reviews", Some(&coordination))
            .await
            .body;
        assert!(reviews.contains(&pseudonym) && reviews.contains("Räumungsklage"));
        assert!(!reviews.contains("Rahimi"), "the review names no person");
        let id = reviews
            .split("/cases/access-reviews/break_glass/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let reviewed = app
            .post_form(
                &format!("/cases/access-reviews/break_glass/{id}"),
                &[("review_note", "Rücksprache gehalten")],
                Some(&coordination),
            )
            .await;
        assert_eq!(reviewed.status, StatusCode::SEE_OTHER);
        let after = app
            .get("/cases/access-reviews", Some(&coordination))
            .await
            .body;
        assert!(after.contains("Nichts zu prüfen") && after.contains("Rücksprache gehalten"));
    }
);

web_test!(a_case_manager_puts_two_persons_into_one_household, |app| {
    let cm = app.login("fallmanagement").await;
    let first = case_with_work(&app, &cm).await;
    let second = case_with_work(&app, &cm).await;
    let second_id = second.trim_start_matches("/cases/").to_owned();
    let form = app.get(&format!("{first}/household/new"), Some(&cm)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&second_id), "the other case is offered");
    let refused = app
        .post_form(
            &format!("{first}/household"),
            &[("household_action", "join")],
            Some(&cm),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Fall im selben Haushalt"),
        "{}",
        refused.body
    );
    let saved = app
        .post_form(
            &format!("{first}/household"),
            &[
                ("household_action", "new"),
                ("household_label", "Familie Rahimi"),
            ],
            Some(&cm),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let first_id = first.trim_start_matches("/cases/").to_owned();
    let joined = app
        .post_form(
            &format!("{second}/household"),
            &[
                ("household_action", "join"),
                ("household_case", first_id.as_str()),
            ],
            Some(&cm),
        )
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    let page = app.get(&first, Some(&cm)).await.body;
    assert!(page.contains("Familie Rahimi") && page.contains(&format!("href=\"{second}\"")));
    // The coordination sees neither the label nor the members.
    let coordination = app.login("koordination").await;
    let steering = app.get(&first, Some(&coordination)).await.body;
    assert!(!steering.contains("Familie Rahimi"));
});

web_test!(
    a_case_manager_corrects_exports_and_anonymises_on_request,
    |app| {
        let cm = app.login("fallmanagement").await;
        let path = case_with_work(&app, &cm).await;
        let form = app.get(&format!("{path}/person"), Some(&cm)).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body.contains("Angaben zur Person berichtigen")
                && form.body.contains(r#"value="Rahimi""#)
        );
        let refused = app
            .post_form(&format!("{path}/person"), &[("family_name", "")], Some(&cm))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Familienname"));
        let corrected = app
            .post_form(
                &format!("{path}/person"),
                &[
                    ("family_name", "Rahimi-Karimi"),
                    ("given_names", "Soraya"),
                    ("birth_date", "1985-06-01"),
                    ("jurisdiction", "sgb2"),
                ],
                Some(&cm),
            )
            .await;
        assert_eq!(
            corrected.status,
            StatusCode::SEE_OTHER,
            "{}",
            corrected.body
        );
        assert!(
            app.get(&path, Some(&cm))
                .await
                .body
                .contains("Rahimi-Karimi, Soraya")
        );

        // The answer to a request for access, as JSON and as PDF.
        let json = app.get(&format!("{path}/export.json"), Some(&cm)).await;
        assert_eq!(json.status, StatusCode::OK);
        assert!(
            json.body.contains("Rahimi-Karimi")
                && json.body.contains("Notiz nur für das Fallmanagement")
        );
        let pdf = app.get_bytes(&format!("{path}/export.pdf"), &cm).await;
        assert!(pdf.starts_with(b"%PDF"));
        // Nobody else gets it.
        let coordination = app.login("koordination").await;
        assert_eq!(
            app.get(&format!("{path}/export.json"), Some(&coordination))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let fm2 = app.login("fallmanagement2").await;
        assert_eq!(
            app.get(&format!("{path}/export.json"), Some(&fm2))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Anonymising: confirmed, and only once the case is closed.
        let unconfirmed = app
            .post_form(&format!("{path}/anonymise"), &[], Some(&cm))
            .await;
        assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unconfirmed.body.contains("Bitte bestätigen"));
        let open = app
            .post_form(&format!("{path}/anonymise"), &[("confirm", "1")], Some(&cm))
            .await;
        assert_eq!(open.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(open.body.contains("zuerst den Fall abschließen"));
        let today = lotse_web::today().to_string();
        let closed = app
            .post_form(
                &format!("{path}/phase"),
                &[
                    ("phase", "closed"),
                    ("changed_on", today.as_str()),
                    ("closure_reason", "declined"),
                    ("goals_reached", "partly"),
                ],
                Some(&cm),
            )
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
        let done = app
            .post_form(&format!("{path}/anonymise"), &[("confirm", "1")], Some(&cm))
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let page = app.get(&path, Some(&cm)).await.body;
        assert!(page.contains("anonymisiert (P-") && !page.contains("Rahimi"));
        assert!(!page.contains("Notiz nur für"));
    }
);

web_test!(
    documents_are_checked_by_content_and_downloads_are_logged,
    |app| {
        let cm = app.login("fallmanagement").await;
        let path = case_with_work(&app, &cm).await;
        let form = app.get(&format!("{path}/documents/new"), Some(&cm)).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains(r#"enctype="multipart/form-data""#));
        let upload = |fields: Vec<(&'static str, Option<&'static str>, &'static str)>| {
            let (content_type, body) = crate::multipart(&fields);
            let request = axum::http::Request::builder()
                .method("POST")
                .uri(format!("{path}/documents"))
                .header(axum::http::header::COOKIE, cm.clone())
                .header("sec-fetch-site", "same-origin")
                .header(axum::http::header::CONTENT_TYPE, content_type)
                .body(axum::body::Body::from(body))
                .unwrap();
            app.send(request)
        };
        // A program renamed to .pdf is refused, naming the field.
        let refused = upload(vec![
            ("kind", None, "notice"),
            ("file", Some("bescheid.pdf"), "MZ\u{90}programm"),
        ])
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Nur PDF, JPEG und PNG"));
        let saved = upload(vec![
            ("kind", None, "notice"),
            ("title", None, "Bescheid Jobcenter"),
            (
                "file",
                Some("bescheid-ä.pdf"),
                "%PDF-1.4 Inhalt des Bescheids",
            ),
        ])
        .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = app.get(&path, Some(&cm)).await.body;
        assert!(page.contains("Bescheid Jobcenter") && page.contains("bescheid-ä.pdf"));
        let link = page
            .split(&format!("{path}/documents/"))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let file = app
            .get(&format!("{path}/documents/{link}"), Some(&cm))
            .await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.body, "%PDF-1.4 Inhalt des Bescheids");
        // The coordination sees neither the list nor the file.
        let coordination = app.login("koordination").await;
        assert!(
            !app.get(&path, Some(&coordination))
                .await
                .body
                .contains("Bescheid Jobcenter")
        );
        assert_eq!(
            app.get(&format!("{path}/documents/{link}"), Some(&coordination))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // The download is in the access log under the case manager's name.
        app.db.access_log().flush().await;
        let case_id = path.trim_start_matches("/cases/");
        let reads = lotse_store::access_log::reads_of(
            &app.db,
            lotse_store::audit::Entity::Case,
            case_id,
            50,
        )
        .await
        .unwrap();
        assert!(reads.iter().any(|r| r.actor_name == "fallmanagement"));
    }
);

web_test!(a_case_conference_needs_the_persons_consent, |app| {
    let cm = app.login("fallmanagement").await;
    let path = case_with_work(&app, &cm).await;
    let org = lotse_store::users::get_by_username(&app.db, "partner")
        .await
        .unwrap()
        .organisation_id;
    let today = lotse_web::today().to_string();
    let form = app.get(&format!("{path}/conferences/new"), Some(&cm)).await;
    assert_eq!(form.status, StatusCode::OK);
    let fields = [
        ("held_on", today.as_str()),
        ("topic", "Wohnung und Arbeit zusammen planen"),
        ("organisation_ids", org.as_str()),
        ("agreements", "Träger begleitet zur Wohnungsbesichtigung"),
    ];
    let without = app
        .post_form(&format!("{path}/conferences"), &fields, Some(&cm))
        .await;
    assert_eq!(without.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(without.body.contains("Einwilligung der Person"));
    let empty = app
        .post_form(
            &format!("{path}/conferences"),
            &[("held_on", "")],
            Some(&cm),
        )
        .await;
    assert!(empty.body.contains("Anlass") && empty.body.contains("beteiligte Organisationen"));
    let consent = app
        .post_form(
            &format!("{path}/consents"),
            &[
                ("purpose", "case_conference"),
                ("given_on", today.as_str()),
                ("form", "oral_with_witness"),
                ("witness", "Frau Demir (Sprachmittlerin)"),
            ],
            Some(&cm),
        )
        .await;
    assert_eq!(consent.status, StatusCode::SEE_OTHER, "{}", consent.body);
    let saved = app
        .post_form(&format!("{path}/conferences"), &fields, Some(&cm))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get(&path, Some(&cm)).await.body;
    assert!(page.contains("Wohnung und Arbeit zusammen planen"));
    assert!(page.contains("Träger begleitet zur Wohnungsbesichtigung"));
});

web_test!(
    a_case_list_moves_in_all_or_nothing_or_the_valid_rows,
    |app| {
        let cm = app.login("fallmanagement").await;
        let form = app.get("/cases/import", Some(&cm)).await;
        assert_eq!(form.status, StatusCode::OK);
        let csv = "Fallliste 2025;;;;\nName;Vorname;Geb.;Ort;Rechtskreis\nImportfall;Nadia;03.05.1988;Ahlen;SGB II\n;Ohne Namen;31.02.1990;Atlantis;SGB 99\nZweitfall;Omar;1979-01-20;Beckum;AsylbLG\n";
        let send = |fields: Vec<(&'static str, Option<&'static str>, String)>| {
            let borrowed: Vec<(&str, Option<&str>, &str)> = fields
                .iter()
                .map(|(n, f, v)| (*n, *f, v.as_str()))
                .collect();
            let (content_type, body) = crate::multipart(&borrowed);
            let request = axum::http::Request::builder()
                .method("POST")
                .uri("/cases/import")
                .header(axum::http::header::COOKIE, cm.clone())
                .header("sec-fetch-site", "same-origin")
                .header(axum::http::header::CONTENT_TYPE, content_type)
                .body(axum::body::Body::from(body))
                .unwrap();
            app.send(request)
        };
        // The mapping step finds the header below the title row.
        let mapped = send(vec![
            ("step", None, "map".into()),
            ("file", Some("liste.csv"), csv.into()),
        ])
        .await;
        assert_eq!(mapped.status, StatusCode::OK);
        assert!(mapped.body.contains("Kopfzeile in Zeile 2"));
        // All or nothing: the wrong row is named, nothing is written.
        let refused = send(vec![
            ("step", None, "import".into()),
            ("mode", None, "all".into()),
            ("file", Some("liste.csv"), csv.into()),
        ])
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains("Zeile 4, Familienname"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("Es wurde nichts importiert"));
        assert!(
            !app.get("/cases", Some(&cm))
                .await
                .body
                .contains("Importfall")
        );
        // The valid rows only.
        let done = send(vec![
            ("step", None, "import".into()),
            ("mode", None, "valid".into()),
            ("file", Some("liste.csv"), csv.into()),
        ])
        .await;
        assert_eq!(done.status, StatusCode::OK);
        assert!(done.body.contains("2 Fälle angelegt"), "{}", done.body);
        let list = app.get("/cases", Some(&cm)).await.body;
        assert!(list.contains("Importfall, Nadia") && list.contains("Zweitfall, Omar"));
        // The same list again (a reloaded result page): nobody is taken in twice.
        let again = send(vec![
            ("step", None, "import".into()),
            ("mode", None, "valid".into()),
            ("file", Some("liste.csv"), csv.into()),
        ])
        .await;
        assert!(again.body.contains("schon erfasst"), "{}", again.body);
        assert!(!again.body.contains("2 Fälle angelegt"));
        // Not for the coordination.
        let coordination = app.login("koordination").await;
        assert_eq!(
            app.get("/cases/import", Some(&coordination)).await.status,
            StatusCode::FORBIDDEN
        );
    }
);
