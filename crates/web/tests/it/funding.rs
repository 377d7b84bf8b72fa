use axum::http::{StatusCode, header};
use lotse_store::{Actor, now_ms, users};

use crate::{SmtpSink, TestApp, web_test};

const KOMM_AN: &str = "9d94421f-d7c0-48a2-b6d2-598b72aa3586";

web_test!(
    coordination_keeps_grants_money_and_deadlines_and_exports_them,
    |app| {
        for role in ["partner", "lesen", "fallmanagement"] {
            let cookie = app.login(role).await;
            assert_eq!(
                app.get("/funding", Some(&cookie)).await.status,
                StatusCode::FORBIDDEN,
                "{role}"
            );
        }
        let c = app.login("koordination").await;
        let list = app.get("/funding", Some(&c)).await;
        assert!(list.body.contains("KOMM-AN NRW"));
        assert!(
            list.body.contains("45.000,00 €"),
            "the demo grant, in German notation"
        );

        let bad = app
            .post_form(
                &format!("/funding/{KOMM_AN}/grants"),
                &[
                    ("purpose", ""),
                    ("amount", "viel"),
                    ("period_from", "2026-05-01"),
                    ("period_to", "2026-04-01"),
                ],
                Some(&c),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for anchor in [
            "#f-organisation_id",
            "#f-purpose",
            "#f-amount",
            "#f-period_to",
        ] {
            assert!(bad.body.contains(&format!("href=\"{anchor}\"")), "{anchor}");
        }
        let org = app
            .organisation_id("Integrationsagentur Beispielstadt (Demo)")
            .await;
        let created = app
            .post_form(
                &format!("/funding/{KOMM_AN}/grants"),
                &[
                    ("organisation_id", org.as_str()),
                    ("purpose", "Ehrenamtskoordination"),
                    ("amount", "12.345,67"),
                    ("period_from", "2026-01-01"),
                    ("period_to", "2026-12-31"),
                ],
                Some(&c),
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let grant_url = created.location().split('?').next().unwrap().to_owned();
        let paid = app
            .post_form(
                &format!("{grant_url}/movements"),
                &[
                    ("kind", "expense"),
                    ("on", "2026-06-30"),
                    ("amount", "345,67"),
                    ("note", "Schulung"),
                ],
                Some(&c),
            )
            .await;
        assert_eq!(paid.status, StatusCode::SEE_OTHER);
        let deadline = app
            .post_form(
                &format!("{grant_url}/deadlines"),
                &[
                    ("title", "Verwendungsnachweis 2026"),
                    ("due_on", "2027-03-31"),
                ],
                Some(&c),
            )
            .await;
        assert_eq!(deadline.status, StatusCode::SEE_OTHER);
        let page = app.get(&grant_url, Some(&c)).await;
        assert!(
            page.body.contains("12.000,00 €"),
            "remaining = granted - spent"
        );
        assert!(page.body.contains("Verwendungsnachweis 2026"));
        let budget = app
            .post_form(
                &format!("/funding/{KOMM_AN}/budgets"),
                &[("year", "1999"), ("amount", "5")],
                Some(&c),
            )
            .await;
        assert_eq!(budget.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The spreadsheet for the finance office.
        let xlsx = app.get("/funding/export.xlsx", Some(&c)).await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(
            xlsx.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .contains("spreadsheetml")
        );
        let bytes = app.get_bytes("/funding/export.xlsx", &c).await;
        let rows = lotse_reports::read_xlsx(&bytes).unwrap();
        assert_eq!(rows[0][0], "Förderprogramm");
        let komm_an = rows.iter().find(|r| r[0] == "KOMM-AN NRW").unwrap();
        assert_eq!(
            komm_an[3], "57345.67",
            "45,000.00 (demo) + 12,345.67, as a number: {komm_an:?}"
        );
    }
);

web_test!(
    the_coordination_is_reminded_of_spending_reports_due_soon,
    |app| {
        let Some(sink) = SmtpSink::start() else {
            return;
        };
        let kim = users::get_by_username(&app.db, "koordination")
            .await
            .unwrap();
        let draft = users::UserDraft {
            username: kim.username.clone(),
            display_name: kim.display_name.clone(),
            email: "kim@example.org".into(),
            organisation_id: kim.organisation_id.clone(),
            roles: kim.roles.clone(),
        };
        app.db
            .write(async |tx| {
                users::update(tx, &Actor::system("test"), &kim, &draft, now_ms()).await
            })
            .await
            .unwrap();
        let mail = lotse_web::mail::MailConfig::from_url(
            &format!("smtp://127.0.0.1:{}", sink.port),
            "lotse@kreis-warendorf.de",
        )
        .unwrap();
        let app = app.node(TestApp::router_with_mail(&app.db, Some(mail)));
        let c = app.login("koordination").await;
        let sent = app.post_form("/funding/reminders", &[], Some(&c)).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let messages = sink.messages();
        assert_eq!(messages.len(), 1);
        assert!(messages[0].contains("kim@example.org"));
        assert!(
            messages[0].contains("Zwischennachweis"),
            "the demo deadlines due in three weeks"
        );
        app.post_form("/funding/reminders", &[], Some(&c)).await;
        assert_eq!(sink.messages().len(), 1, "not again within a week");
    }
);

web_test!(
    a_grant_page_and_a_funding_page_read_their_own_records,
    |app| {
        let c = app.login("koordination").await;
        let org = app
            .organisation_id("Integrationsagentur Beispielstadt (Demo)")
            .await;
        let mut grants = Vec::new();
        for (purpose, from, to) in [
            ("Bewilligung Alt", "2023-01-01", "2023-12-31"),
            ("Bewilligung Neu", "2026-01-01", "2026-12-31"),
        ] {
            let created = app
                .post_form(
                    &format!("/funding/{KOMM_AN}/grants"),
                    &[
                        ("organisation_id", org.as_str()),
                        ("purpose", purpose),
                        ("amount", "1.000,00"),
                        ("period_from", from),
                        ("period_to", to),
                    ],
                    Some(&c),
                )
                .await;
            assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
            grants.push(created.location().split('?').next().unwrap().to_owned());
        }
        for (grant, note) in grants.iter().zip(["Nur-Alt-Zahlung", "Nur-Neu-Zahlung"]) {
            let paid = app
                .post_form(
                    &format!("{grant}/movements"),
                    &[
                        ("kind", "payment"),
                        ("on", "2026-02-01"),
                        ("amount", "10,00"),
                        ("note", note),
                    ],
                    Some(&c),
                )
                .await;
            assert_eq!(paid.status, StatusCode::SEE_OTHER);
        }
        // A grant's page shows its own movements only.
        let page = app.get(&grants[0], Some(&c)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Nur-Alt-Zahlung"));
        assert!(!page.body.contains("Nur-Neu-Zahlung"));
        assert_eq!(
            app.get("/grants/gibt-es-nicht", Some(&c)).await.status,
            StatusCode::NOT_FOUND
        );

        // The funding programme's page lists the grants running in one year, with the others a
        // link away.
        let in_2023 = app
            .get(&format!("/funding/{KOMM_AN}?year=2023"), Some(&c))
            .await;
        assert_eq!(in_2023.status, StatusCode::OK);
        assert!(in_2023.body.contains("Bewilligungen, die 2023 laufen"));
        assert!(in_2023.body.contains("Bewilligung Alt"));
        assert!(!in_2023.body.contains("Bewilligung Neu"));
        assert!(
            in_2023
                .body
                .contains(&format!("href=\"/funding/{KOMM_AN}?year=2024#grants-h\""))
        );
        let in_2026 = app
            .get(&format!("/funding/{KOMM_AN}?year=2026"), Some(&c))
            .await
            .body;
        assert!(in_2026.contains("Bewilligung Neu") && !in_2026.contains("Bewilligung Alt"));
        let nonsense = app
            .get(&format!("/funding/{KOMM_AN}?year=viel"), Some(&c))
            .await;
        assert_eq!(nonsense.status, StatusCode::OK, "this year instead");

        // The edit form reads the programme alone.
        let form = app.get(&format!("/funding/{KOMM_AN}/edit"), Some(&c)).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("KOMM-AN NRW"));

        // The API entry keeps its shape: this programme's grants with their movements only.
        let token = app.api_token(&c).await;
        let entry = app
            .api(
                axum::http::Method::GET,
                &format!("/api/v1/funding/{KOMM_AN}"),
                &token,
                None,
            )
            .await
            .json();
        let purposes: Vec<&str> = entry["grants"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|g| g["purpose"].as_str())
            .collect();
        assert!(purposes.contains(&"Bewilligung Alt") && purposes.contains(&"Bewilligung Neu"));
        let alt = entry["grants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["purpose"] == "Bewilligung Alt")
            .unwrap();
        let notes: Vec<&str> = alt["movements"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["note"].as_str())
            .collect();
        assert_eq!(notes, ["Nur-Alt-Zahlung"]);
    }
);

web_test!(a_refused_grant_keeps_the_year_the_page_showed, |app| {
    let c = app.login("koordination").await;
    let refused = app
        .post_form(
            &format!("/funding/{KOMM_AN}/grants"),
            &[
                ("year", "2024"),
                ("purpose", ""),
                ("amount", "viel"),
                ("organisation_q", "beispiel"),
            ],
            Some(&c),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Bewilligungen, die 2024 laufen"),
        "the year stays"
    );
    assert!(
        refused.body.contains(r#"value="beispiel""#),
        "the search words stay"
    );
    assert!(
        refused.body.contains(r#"name="year" value="2024""#),
        "and travel on"
    );
});
