use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use lotse_store::{audit, organisations};

use crate::{TestApp, web_test};

fn form(name: &str, postcode: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_owned()),
        ("kind", "welfare_association".to_owned()),
        ("town", "05570004".to_owned()),
        ("street", "Marktplatz 1".to_owned()),
        ("postcode", postcode.to_owned()),
        ("city", "Ahlen".to_owned()),
        ("email", "".to_owned()),
        ("phone", "".to_owned()),
        ("website", "".to_owned()),
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

web_test!(
    coordination_creates_edits_and_deactivates_organisations,
    |app| {
        let cookie = app.login("koordination").await;
        let invalid = post(&app, "/organisations", &form("", "123"), &cookie).await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(invalid.body.contains("Bitte prüfen Sie Ihre Angaben"));
        assert!(
            invalid.body.contains("href=\"#f-name\""),
            "error summary links to the field"
        );
        assert!(invalid.body.contains("Die Postleitzahl hat 5 Ziffern."));
        assert!(
            invalid.body.contains("value=\"Marktplatz 1\""),
            "typed values are kept"
        );

        let created = post(
            &app,
            "/organisations",
            &form("Caritasverband Ahlen", "59227"),
            &cookie,
        )
        .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let id = app.organisation_id("Caritasverband Ahlen").await;
        assert_eq!(
            created.location(),
            format!("/organisations/{id}?ok=created")
        );
        let page = app.get(created.location(), Some(&cookie)).await;
        assert!(page.body.contains("Wohlfahrtsverband") && page.body.contains("Angelegt."));

        let dup = post(
            &app,
            "/organisations",
            &form("caritasverband ahlen", "59227"),
            &cookie,
        )
        .await;
        assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(dup.body.contains("gibt es schon"));

        let edited = post(
            &app,
            &format!("/organisations/{id}"),
            &form("Caritasverband Ahlen e. V.", "59229"),
            &cookie,
        )
        .await;
        assert_eq!(edited.location(), format!("/organisations/{id}?ok=saved"));
        let off = app
            .post_form(
                &format!("/organisations/{id}/active"),
                &[("active", "false")],
                Some(&cookie),
            )
            .await;
        assert_eq!(
            off.location(),
            format!("/organisations/{id}?ok=deactivated")
        );
        let list = app.get("/organisations", Some(&cookie)).await.body;
        assert!(!list.contains("Caritasverband Ahlen e. V."));
        let list = app
            .get("/organisations?inactive=1", Some(&cookie))
            .await
            .body;
        assert!(list.contains("Caritasverband Ahlen e. V."));
        let bad = app
            .post_form(
                &format!("/organisations/{id}/active"),
                &[("active", "vielleicht")],
                Some(&cookie),
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);

        let entries = audit::search(
            &app.db,
            &audit::AuditFilter {
                record_id: Some(id.clone()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["deactivate", "update", "create"]);
        assert!(entries.iter().all(|e| e.actor_name == "koordination"));
        assert!(entries[1].changes.contains("59229"));

        let admin = app.login("admin").await;
        let log = app
            .get(&format!("/admin/audit?record_id={id}"), Some(&admin))
            .await
            .body;
        assert!(log.contains("PLZ: 59227 → 59229"), "{log}");
        let verified = app.get("/admin/audit?verify=1", Some(&admin)).await.body;
        assert!(verified.contains("Die Kette ist unversehrt"));
        let bad_date = app
            .get("/admin/audit?from=gestern", Some(&admin))
            .await
            .body;
        assert!(bad_date.contains("ist kein Datum"));
    }
);

web_test!(filters_answer_htmx_with_the_results_only, |app| {
    let cookie = app.login("partner").await;
    let full = app
        .get("/organisations?kind=immigration_office", Some(&cookie))
        .await;
    assert!(full.body.contains("<html") && full.body.contains("Ausländerbehörde (Demo)"));
    assert!(!full.body.contains("Sprachkurse Muster"));
    let req = Request::builder()
        .uri("/organisations?q=sprachkurse")
        .header(header::COOKIE, &cookie)
        .header("hx-request", "true")
        .body(Body::empty())
        .unwrap();
    let partial = app.send(req).await;
    assert!(!partial.body.contains("<html"));
    assert!(
        partial.body.contains("id=\"results\"")
            && partial.body.contains("Sprachkurse Muster gGmbH (Demo)")
    );
    assert!(
        partial.body.contains("1 Organisation gefunden")
            && partial.body.contains("hx-swap-oob=\"true\"")
    );
    assert_eq!(partial.headers.get("vary").unwrap(), "HX-Request");
    // History restores get the whole page.
    let req = Request::builder()
        .uri("/organisations?q=sprachkurse")
        .header(header::COOKIE, &cookie)
        .header("hx-request", "true")
        .header("hx-history-restore-request", "true")
        .body(Body::empty())
        .unwrap();
    assert!(app.send(req).await.body.contains("<html"));
    assert_eq!(
        full.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-store",
        "private pages are not cached"
    );
    assert!(
        !full.body.contains("Neue Organisation"),
        "partners do not see the create button"
    );
});

async fn upload(
    app: &TestApp,
    cookie: &str,
    fields: &[(&str, Option<&str>, &str)],
) -> crate::Reply {
    let (content_type, body) = crate::multipart(fields);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/organisations/import")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, content_type)
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

const CSV: &str = "\u{feff}Name;Art;Gemeinde;PLZ\r\nAWO Ortsverein Oelde;Wohlfahrtsverband;Oelde;59302\r\nGrundschule am Bach;Schule;Sassenberg;123\r\nMigrantenverein;Migrantenorganisation;;\r\n";

web_test!(csv_import_reports_rows_and_writes_all_or_nothing, |app| {
    let cookie = app.login("koordination").await;
    let before = organisations::list(&app.db, true).await.unwrap().len();
    let reply = upload(
        &app,
        &cookie,
        &[("file", Some("orgs.csv"), CSV), ("mode", None, "all")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply
            .body
            .contains("Zeile 3, PLZ: Die Postleitzahl hat 5 Ziffern."),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("Es wurde nichts importiert."));
    assert!(
        reply
            .body
            .contains("Nur die 2 fehlerfreien Zeilen importieren")
    );
    assert_eq!(
        organisations::list(&app.db, true).await.unwrap().len(),
        before
    );

    // The second step sends the carried content back, choosing the valid rows only.
    let reply = upload(
        &app,
        &cookie,
        &[("mode", None, "valid"), ("content", None, CSV)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.body.contains("2 Organisationen angelegt"),
        "{}",
        reply.body
    );
    assert_eq!(
        organisations::list(&app.db, true).await.unwrap().len(),
        before + 2
    );

    let broken = upload(
        &app,
        &cookie,
        &[
            ("file", Some("x.csv"), "Name;Farbe\nx;y\n"),
            ("mode", None, "all"),
        ],
    )
    .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(broken.body.contains("Unbekannte Spalte „Farbe“"));
    let empty = upload(&app, &cookie, &[("mode", None, "all")]).await;
    assert!(empty.body.contains("Bitte eine CSV-Datei auswählen."));
});
