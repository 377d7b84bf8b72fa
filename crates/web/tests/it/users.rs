use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use lotse_store::users;

use crate::{TestApp, web_test};

async fn post_raw(app: &TestApp, path: &str, body: &str, cookie: &str) -> crate::Reply {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body.to_owned()))
        .unwrap();
    app.send(req).await
}

web_test!(admins_manage_accounts_and_roles, |app| {
    let admin = app.login("admin").await;
    let org = app
        .organisation_id("Kommunales Integrationszentrum (Demo)")
        .await;

    let bad = post_raw(
        &app,
        "/admin/users",
        "username=Anna+M&display_name=&organisation_id=&password=kurz",
        &admin,
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for text in [
        "Nur Kleinbuchstaben",
        "Pflichtfeld",
        "Mindestens eine Rolle",
        "mindestens 12 Zeichen",
    ] {
        assert!(bad.body.contains(text), "{text}");
    }

    let body = format!(
        "username=anna&display_name=Anna+Beispiel&email=&organisation_id={org}&roles=case_manager&roles=reader&password=ein+langes+passwort"
    );
    let created = post_raw(&app, "/admin/users", &body, &admin).await;
    assert_eq!(
        created.location(),
        "/admin/users?ok=created",
        "{}",
        created.body
    );
    let anna = users::get_by_username(&app.db, "anna").await.unwrap();
    assert_eq!(anna.roles.len(), 2);
    assert!(!anna.fictitious);
    let dup = post_raw(&app, "/admin/users", &body, &admin).await;
    assert!(dup.body.contains("gibt es schon"));

    let anna_cookie = app.login_with("anna", "ein langes passwort").await;
    assert_eq!(
        app.get("/organisations", Some(&anna_cookie)).await.status,
        StatusCode::OK
    );

    // Roles change at once for the running session.
    let body = format!(
        "username=anna&display_name=Anna+Beispiel&email=anna%40example.org&organisation_id={org}&roles=coordination"
    );
    let updated = post_raw(&app, &format!("/admin/users/{}", anna.id), &body, &admin).await;
    assert_eq!(
        updated.location(),
        format!("/admin/users/{}?ok=saved", anna.id)
    );
    assert_eq!(
        app.get("/organisations/new", Some(&anna_cookie))
            .await
            .status,
        StatusCode::OK
    );

    // Admin sets a new password; deactivation ends the session.
    let pw = app
        .post_form(
            &format!("/admin/users/{}/password", anna.id),
            &[("password", "noch ein neues passwort")],
            Some(&admin),
        )
        .await;
    assert_eq!(
        pw.location(),
        format!("/admin/users/{}?ok=password", anna.id)
    );
    assert_eq!(
        app.get("/", Some(&anna_cookie)).await.location(),
        "/login",
        "password reset ends her sessions"
    );
    let anna_cookie = app.login_with("anna", "noch ein neues passwort").await;
    let off = app
        .post_form(
            &format!("/admin/users/{}/active", anna.id),
            &[("active", "false")],
            Some(&admin),
        )
        .await;
    assert_eq!(
        off.location(),
        format!("/admin/users/{}?ok=deactivated", anna.id)
    );
    assert_eq!(app.get("/", Some(&anna_cookie)).await.location(), "/login");
    let again = app
        .post_form(
            "/login",
            &[
                ("username", "anna"),
                ("password", "noch ein neues passwort"),
            ],
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    let list = app.get("/admin/users", Some(&admin)).await.body;
    assert!(list.contains("anna") && list.contains("deaktiviert"));

    // Looking at accounts (personal data of staff) is recorded too.
    assert_eq!(
        app.get(&format!("/admin/users/{}", anna.id), Some(&admin))
            .await
            .status,
        StatusCode::OK
    );
    // In the access log, apart from the audit chain of changes: the list recorded one entry per
    // account shown, the page one for anna.
    app.db.access_log().flush().await;
    let reads =
        lotse_store::access_log::reads_of(&app.db, lotse_store::audit::Entity::User, &anna.id, 10)
            .await
            .unwrap();
    assert_eq!(reads.len(), 2, "{reads:?}");
    assert!(reads.iter().all(|e| e.actor_name == "admin"));
});

web_test!(admins_cannot_lock_themselves_out, |app| {
    let admin = app.login("admin").await;
    let me = users::get_by_username(&app.db, "admin").await.unwrap();
    let body = format!(
        "username=admin&display_name=Admin&organisation_id={}&roles=reader",
        me.organisation_id
    );
    let reply = post_raw(&app, &format!("/admin/users/{}", me.id), &body, &admin).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("nicht selbst entziehen"));
    let off = app
        .post_form(
            &format!("/admin/users/{}/active", me.id),
            &[("active", "false")],
            Some(&admin),
        )
        .await;
    assert_eq!(off.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/admin/users/nope", Some(&admin)).await.status,
        StatusCode::NOT_FOUND
    );
});

web_test!(administrators_see_and_start_the_scheduled_work, |app| {
    let admin = app.login("admin").await;
    let page = app.get("/admin/jobs", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    for name in ["offer-reminders", "deadline-reminders", "session-purge"] {
        assert!(page.body.contains(name), "{name}");
    }
    assert!(page.body.contains("Noch keine Ausführung."));
    // No mail server on this node: the reminders rest, the clean-up runs.
    assert!(page.body.contains("ruht (kein Mailserver eingerichtet)"));
    let run = app
        .post_form("/admin/jobs/session-purge/run", &[], Some(&admin))
        .await;
    assert_eq!(run.location(), "/admin/jobs?ok=job_run", "{}", run.body);
    let page = app.get("/admin/jobs", Some(&admin)).await;
    assert!(page.body.contains("von Hand (admin)"), "{}", page.body);
    assert!(
        page.body.contains("abgelaufene Anmeldungen entfernt"),
        "{}",
        page.body
    );
    // A job nobody knows is not found; the page is the administrators' alone.
    assert_eq!(
        app.post_form("/admin/jobs/gibt-es-nicht/run", &[], Some(&admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let coordination = app.login("koordination").await;
    assert_eq!(
        app.get("/admin/jobs", Some(&coordination)).await.status,
        StatusCode::FORBIDDEN
    );
});

web_test!(the_audit_log_pages_back_by_sequence_number, |app| {
    let admin = app.login("admin").await;
    let first = app.get("/admin/audit", Some(&admin)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(!first.body.contains("Neueste"));
    // The demo data alone fills more than a page.
    let older = first
        .body
        .split("\">Ältere")
        .next()
        .and_then(|b| b.rsplit("href=\"").next())
        .map(|h| h.replace("&amp;", "&").replace("&#38;", "&"))
        .expect("a link to older entries");
    let before: i64 = older
        .rsplit("before=")
        .next()
        .and_then(|n| n.parse().ok())
        .expect("the link names the oldest entry shown");
    let second = app.get(&older, Some(&admin)).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("Neueste"));
    // Every entry on the second page is older than those of the first.
    let seqs: Vec<i64> = second
        .body
        .split("<th scope=\"row\">")
        .skip(1)
        .filter_map(|s| s.split('<').next()?.trim().parse().ok())
        .collect();
    assert!(!seqs.is_empty());
    assert!(seqs.iter().all(|&s| s < before), "{seqs:?} before {before}");
    // A hand-edited link starts at the newest rather than failing.
    let odd = app.get("/admin/audit?before=kaputt", Some(&admin)).await;
    assert_eq!(odd.status, StatusCode::OK);
});

web_test!(administrators_see_who_read_whose_account, |app| {
    let admin = app.login("admin").await;
    let anna = users::get_by_username(&app.db, "partner").await.unwrap();
    let page = app
        .get(&format!("/admin/users/{}", anna.id), Some(&admin))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    app.db.access_log().flush().await;
    let reads = app
        .get(&format!("/admin/reads?record_id={}", anna.id), Some(&admin))
        .await;
    assert_eq!(reads.status, StatusCode::OK);
    assert!(reads.body.contains("Benutzerkonto"), "{}", reads.body);
    assert!(reads.body.contains(&anna.id));
    let none = app.get("/admin/reads?actor=niemand", Some(&admin)).await;
    assert!(none.body.contains("Keine Lesezugriffe gefunden."));
    // Only those who may see the audit log see who read what.
    let coordination = app.login("koordination").await;
    assert_eq!(
        app.get("/admin/reads", Some(&coordination)).await.status,
        StatusCode::FORBIDDEN
    );
});

web_test!(the_account_list_pages_and_logs_only_what_it_shows, |app| {
    use lotse_store::users::UserInput;
    let admin = lotse_store::Actor::system("test");
    let organisation = users::get_by_username(&app.db, "partner")
        .await
        .unwrap()
        .organisation_id;
    for i in 0..50 {
        let input = UserInput {
            username: format!("person{i:02}"),
            display_name: format!("Person {i}"),
            organisation_id: organisation.clone(),
            roles: vec!["partner".into()],
            ..Default::default()
        };
        let draft = users::validate_new(&app.db, &input, "ein langes passwort")
            .await
            .unwrap();
        app.db
            .write(async |tx| {
                users::create(tx, &admin, &draft, "x", false, app.clock.now_ms()).await
            })
            .await
            .unwrap();
    }
    let cookie = app.login("admin").await;
    let first = app.get("/admin/users", Some(&cookie)).await;
    assert_eq!(first.status, StatusCode::OK);
    let total = lotse_store::demo::DEMO_USERS.len() + 50;
    assert!(
        first.body.contains(&format!("{total} Konten")),
        "the demo accounts and 50 more"
    );
    assert_eq!(
        first
            .body
            .matches("<th scope=\"row\"><a href=\"/admin/users/")
            .count(),
        50
    );
    let next = first
        .body
        .split("href=\"")
        .find_map(|s| s.strip_prefix("/admin/users?after="))
        .and_then(|s| s.split('"').next())
        .expect("a link to the next page");
    let second = app
        .get(&format!("/admin/users?after={next}"), Some(&cookie))
        .await;
    assert_eq!(
        second
            .body
            .matches("<th scope=\"row\"><a href=\"/admin/users/")
            .count(),
        total - 50
    );
    assert!(second.body.contains("rel=\"first\""));
    // Each page view logs a read of the accounts it showed, no more.
    app.db.access_log().flush().await;
    let reads = lotse_store::access_log::search(&app.db, None, None, None, 1000)
        .await
        .unwrap();
    assert_eq!(reads.len(), total, "{reads:?}");
});

web_test!(
    the_audit_log_reads_as_sentences_with_details_behind_a_disclosure,
    |app| {
        let coordination = app.login("koordination").await;
        let admin = app.login("admin").await;
        let page = app.get("/admin/audit", Some(&admin)).await.body;
        // The coordination's login, by display name, in words.
        assert!(
            page.contains("Kim Beispiel (Koordination) hat sich angemeldet."),
            "{page}"
        );
        assert!(page.contains("<summary>Einzelheiten"));
        // A change to a named record names it; the technical lines stay behind the disclosure.
        let concept = lotse_store::measures::concepts(&app.db).await.unwrap()[0].clone();
        let opened = app
            .post_form(
                "/rounds",
                &[
                    ("title", "Protokollrunde"),
                    ("reference_date", "30.06.2026"),
                    ("concept_ids", &concept.id),
                ],
                Some(&coordination),
            )
            .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let page = app
            .get("/admin/audit?entity=review_round", Some(&admin))
            .await
            .body;
        assert!(
            page.contains(
                "Kim Beispiel (Koordination) hat die Überprüfungsrunde „Protokollrunde“ eröffnet."
            ),
            "{page}"
        );
        assert!(page.contains("Stichtag: 30.06.2026"));
        // No English key shows through in the sentences.
        for sentence in page.split("<p class=\"sentence\">").skip(1) {
            let text = sentence.split("</p>").next().unwrap_or_default();
            for english in ["create", "update", "open", "review_round", "system:"] {
                assert!(!text.contains(english), "{text}");
            }
        }
    }
);

web_test!(the_account_list_sorts_by_username_or_organisation, |app| {
    let admin = app.login("admin").await;
    let page = app
        .get("/admin/users?sort=organisation&size=200", Some(&admin))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("aria-sort=\"ascending\"><a href=\"/admin/users?sort=organisation")
    );
    let orgs: Vec<String> = crate::column(&page.body, 2)
        .iter()
        .map(|c| lotse_domain::collation::sort_key(c))
        .collect();
    assert!(orgs.len() > 1, "{}", page.body);
    let mut sorted = orgs.clone();
    sorted.sort();
    assert_eq!(orgs, sorted);
});
