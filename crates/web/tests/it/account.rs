use axum::http::StatusCode;
use lotse_domain::{Role, totp};
use lotse_store::{Actor, now_ms, settings};

use crate::{TestApp, web_test};

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page"))
        + start.len();
    let len = text[from..].find(end).unwrap();
    &text[from..from + len]
}

/// The code an authenticator shows at the app's time, `offset_steps` steps of 30 s away.
fn code_at(app: &TestApp, secret_b32: &str, offset_steps: i64) -> String {
    let secret = totp::base32_decode(secret_b32).unwrap();
    format!(
        "{:06}",
        totp::code_at_step(
            &secret,
            totp::step_at(app.clock.now_ms() / 1000) + offset_steps
        )
    )
}

/// Enrols TOTP for a signed-in user through the pages; returns the secret.
async fn enrol(app: &TestApp, cookie: &str) -> String {
    let page = app.get("/account/totp", Some(cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let secret = between(&page.body, "name=\"secret\" value=\"", "\"").to_owned();
    assert!(
        page.body.contains("src=\"data:image/svg+xml;base64,"),
        "QR code for the app"
    );
    let wrong = app
        .post_form(
            "/account/totp",
            &[
                ("secret", &secret),
                ("code", "000000"),
                ("password", "lotse-demo"),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A session alone cannot attach an authenticator: the right code without the password.
    for password in ["", "falsch"] {
        let stolen = app
            .post_form(
                "/account/totp",
                &[
                    ("secret", &secret),
                    ("code", &code_at(app, &secret, -1)),
                    ("password", password),
                ],
                Some(cookie),
            )
            .await;
        assert_eq!(stolen.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(stolen.body.contains("Das bisherige Passwort stimmt nicht"));
        assert!(stolen.body.contains("id=\"password-error\""));
    }
    // The code of the previous step: a later login in the same step must still find a fresh one.
    let ok = app
        .post_form(
            "/account/totp",
            &[
                ("secret", &secret),
                ("code", &code_at(app, &secret, -1)),
                ("password", "lotse-demo"),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(ok.location(), "/account?ok=totp", "{}", ok.body);
    secret
}

/// Signs in with the demo password, then sends `code` as the second factor; the code step's reply.
async fn login_with_code(app: &TestApp, username: &str, code: &str) -> crate::Reply {
    let step1 = app
        .post_form(
            "/login",
            &[("username", username), ("password", "lotse-demo")],
            None,
        )
        .await;
    let half = step1.session_cookie().unwrap();
    app.post_form("/login/totp", &[("code", code), ("next", "/")], Some(&half))
        .await
}

web_test!(totp_enrolment_and_login_with_a_second_factor, |app| {
    let cookie = app.login("fallmanagement").await;
    let secret = enrol(&app, &cookie).await;
    app.post_form("/logout", &[], Some(&cookie)).await;

    let step1 = app
        .post_form(
            "/login",
            &[("username", "fallmanagement"), ("password", "lotse-demo")],
            None,
        )
        .await;
    assert_eq!(step1.location(), "/login/totp?next=/");
    let half = step1.session_cookie().unwrap();
    // Half signed in: nothing but the code form opens.
    assert_eq!(app.get("/", Some(&half)).await.location(), "/login/totp");
    assert_eq!(
        app.get("/api/v1/me", Some(&half)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let wrong = app
        .post_form(
            "/login/totp",
            &[("code", "123456"), ("next", "/")],
            Some(&half),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let right = app
        .post_form(
            "/login/totp",
            &[("code", &code_at(&app, &secret, 0)), ("next", "/")],
            Some(&half),
        )
        .await;
    assert_eq!(right.location(), "/");
    assert_eq!(app.get("/", Some(&half)).await.status, StatusCode::OK);
    // The same code cannot be used twice.
    let again = app
        .post_form(
            "/login",
            &[("username", "fallmanagement"), ("password", "lotse-demo")],
            None,
        )
        .await;
    let half2 = again.session_cookie().unwrap();
    let replay = app
        .post_form(
            "/login/totp",
            &[("code", &code_at(&app, &secret, 0)), ("next", "/")],
            Some(&half2),
        )
        .await;
    assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);
});

web_test!(a_role_can_be_made_to_use_a_second_factor, |app| {
    let admin = app.login("admin").await;
    let bad = app
        .post_form(
            "/admin/settings",
            &[("totp_required", "root")],
            Some(&admin),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let saved = app
        .post_form(
            "/admin/settings",
            &[
                ("totp_required", "admin"),
                ("totp_required", "coordination"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(saved.location(), "/admin/settings?ok=saved");
    assert_eq!(
        settings::totp_required_roles(&app.db).await.unwrap(),
        vec![Role::Admin, Role::Coordination]
    );

    let cookie = app.login("koordination").await;
    assert_eq!(
        app.get("/organisations", Some(&cookie)).await.location(),
        "/account/totp?required=1"
    );
    let page = app.get("/account/totp?required=1", Some(&cookie)).await;
    assert!(page.body.contains("vorgeschrieben"));
    enrol(&app, &cookie).await;
    assert_eq!(
        app.get("/organisations", Some(&cookie)).await.status,
        StatusCode::OK
    );
    // Required means it cannot be removed.
    assert_eq!(
        app.post_form("/account/totp/remove", &[], Some(&cookie))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The admin, now also required to enrol, is sent to the enrolment page first.
    assert_eq!(
        app.get("/admin/settings", Some(&admin)).await.location(),
        "/account/totp?required=1"
    );
    let mut tx = app.db.begin().await.unwrap();
    settings::set_totp_required_roles(&mut tx, &Actor::system("test"), &[], now_ms())
        .await
        .unwrap();
    tx.commit().await.unwrap();
});

web_test!(password_change_checks_the_old_password, |app| {
    let cookie = app.login("partner").await;
    let bad = app
        .post_form(
            "/account/password",
            &[
                ("current_password", "falsch"),
                ("new_password", "kurz"),
                ("repeat_password", "anders"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Das bisherige Passwort stimmt nicht",
        "mindestens 12 Zeichen",
        "stimmen nicht überein",
    ] {
        assert!(bad.body.contains(message), "{message}");
    }
    assert!(bad.body.contains("aria-invalid=\"true\""));
    let ok = app
        .post_form(
            "/account/password",
            &[
                ("current_password", "lotse-demo"),
                ("new_password", "ein ganz neues Passwort"),
                ("repeat_password", "ein ganz neues Passwort"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(ok.location(), "/account?ok=password");
    assert_eq!(
        app.get("/account", Some(&cookie)).await.status,
        StatusCode::OK,
        "own session kept"
    );
    let old = app
        .post_form(
            "/login",
            &[("username", "partner"), ("password", "lotse-demo")],
            None,
        )
        .await;
    assert_eq!(old.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.login_with("partner", "ein ganz neues Passwort").await;
});

web_test!(wrong_codes_count_across_fresh_password_logins, |app| {
    let cookie = app.login("abh").await;
    let secret = enrol(&app, &cookie).await;
    // Removing the second factor needs the password.
    let refused = app
        .post_form(
            "/account/totp/remove",
            &[("remove_password", "falsch")],
            Some(&cookie),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Das bisherige Passwort stimmt nicht"));
    app.post_form("/logout", &[], Some(&cookie)).await;

    // Five wrong codes, each after a fresh (correct) password step: the count is not reset.
    for _ in 0..lotse_store::login_throttle::MAX_FAILURES {
        login_with_code(&app, "abh", "000000").await;
    }
    let right = login_with_code(&app, "abh", &code_at(&app, &secret, 0)).await;
    assert_eq!(
        right.location(),
        "/login",
        "locked: even the right code is refused for now"
    );
});

web_test!(
    admin_resets_of_password_and_second_factor_take_effect,
    |app| {
        let victim = app.login("schulberatung").await;
        enrol(&app, &victim).await;
        let admin = app.login("admin").await;
        let id = lotse_store::users::get_by_username(&app.db, "schulberatung")
            .await
            .unwrap()
            .id;
        let short = app
            .post_form(
                &format!("/admin/users/{id}/password"),
                &[("password", "kurz")],
                Some(&admin),
            )
            .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            short.body.contains("id=\"e-new-password\"")
                && short.body.contains("mindestens 12 Zeichen"),
            "error shown at the field"
        );
        let reset = app
            .post_form(&format!("/admin/users/{id}/totp/reset"), &[], Some(&admin))
            .await;
        assert_eq!(reset.location(), format!("/admin/users/{id}?ok=totp_reset"));
        assert_eq!(
            app.get("/", Some(&victim)).await.location(),
            "/login",
            "sessions end with the reset"
        );
        let again = app
            .post_form(
                "/login",
                &[("username", "schulberatung"), ("password", "lotse-demo")],
                None,
            )
            .await;
        assert_eq!(again.location(), "/", "no code asked any more");
    }
);

web_test!(
    nobody_can_lock_another_users_second_factor_by_typing_names,
    |app| {
        let cookie = app.login("admin").await;
        let secret = enrol(&app, &cookie).await;
        app.post_form("/logout", &[], Some(&cookie)).await;
        // Anonymous failed logins under names that once mapped onto admin's code throttle.
        let admin_id = lotse_store::users::get_by_username(&app.db, "admin")
            .await
            .unwrap()
            .id;
        for name in ["totp:admin".to_owned(), format!("second-factor:{admin_id}")] {
            for _ in 0..lotse_store::login_throttle::MAX_FAILURES {
                app.post_form(
                    "/login",
                    &[("username", name.as_str()), ("password", "falsch")],
                    None,
                )
                .await;
            }
        }
        let right = login_with_code(&app, "admin", &code_at(&app, &secret, 0)).await;
        assert_eq!(right.location(), "/", "{}", right.body);
    }
);
