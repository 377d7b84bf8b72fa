use axum::http::StatusCode;
use lotse_store::{audit, login_throttle};

use crate::{TestApp, web_test};

const FAILED: &str = "Anmeldung fehlgeschlagen";

web_test!(
    login_shows_the_start_page_and_logout_ends_the_session,
    |app| {
        let cookie = app.login("koordination").await;
        let page = app.get("/", Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Kim Beispiel"));
        assert!(
            page.body.contains("Demo-Modus"),
            "demo banner on every page"
        );
        let out = app.post_form("/logout", &[], Some(&cookie)).await;
        assert_eq!(out.location(), "/login?ok=logout");
        assert_eq!(app.get("/", Some(&cookie)).await.location(), "/login");
        let actions: Vec<String> = audit::search(
            &app.db,
            &audit::AuditFilter {
                entity: Some("session".into()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
        assert_eq!(actions, ["logout", "login"]);
    }
);

web_test!(failures_do_not_reveal_whether_a_user_exists, |app| {
    let wrong = app
        .post_form(
            "/login",
            &[("username", "admin"), ("password", "falsch")],
            None,
        )
        .await;
    let unknown = app
        .post_form(
            "/login",
            &[("username", "niemand"), ("password", "falsch")],
            None,
        )
        .await;
    for reply in [&wrong, &unknown] {
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains(FAILED));
        assert!(reply.session_cookie().is_none());
    }
    assert_eq!(
        wrong.body.replace("value=\"admin\"", "value=\"X\""),
        unknown.body.replace("value=\"niemand\"", "value=\"X\"")
    );
});

web_test!(repeated_failures_lock_the_account_for_a_while, |app| {
    for _ in 0..login_throttle::MAX_FAILURES {
        app.post_form(
            "/login",
            &[("username", "partner"), ("password", "falsch")],
            None,
        )
        .await;
    }
    let right = app
        .post_form(
            "/login",
            &[("username", "partner"), ("password", "lotse-demo")],
            None,
        )
        .await;
    assert_eq!(
        right.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "locked even with the right password"
    );
    assert!(right.body.contains(FAILED));
    // Others are not affected.
    app.login("abh").await;
});

web_test!(sessions_survive_a_restart_and_work_on_another_node, |app| {
    let cookie = app.login("lesen").await;
    let other_node = app.node(TestApp::router_for(&app.db));
    let page = other_node.get("/towns", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("05570052"), "Warendorf's AGS is listed");
});

web_test!(
    after_login_the_user_returns_to_the_page_they_asked_for,
    |app| {
        let r = app.get("/organisations?kind=school", None).await;
        assert_eq!(r.location(), "/login?next=/organisations%3Fkind%3Dschool");
        let reply = app
            .post_form(
                "/login",
                &[
                    ("username", "admin"),
                    ("password", "lotse-demo"),
                    ("next", "/organisations?kind=school"),
                ],
                None,
            )
            .await;
        assert_eq!(reply.location(), "/organisations?kind=school");
        let evil = app
            .post_form(
                "/login",
                &[
                    ("username", "admin"),
                    ("password", "lotse-demo"),
                    ("next", "https://evil.example/"),
                ],
                None,
            )
            .await;
        assert_eq!(evil.location(), "/");
    }
);
