use lotse_domain::Role;
use lotse_domain::organisation::OrganisationInput;
use lotse_store::login_throttle::Throttle;
use lotse_store::users::{self, UserInput};
use lotse_store::{
    Db, StoreError, api_tokens, both_backends, login_throttle, organisations, password, sessions,
};

use crate::{admin, now, prepared};

async fn organisation(db: &Db) -> String {
    let vocab = organisations::vocabulary(db).await.unwrap();
    let draft = OrganisationInput {
        name: "KI".into(),
        kind: "integration_centre".into(),
        ..Default::default()
    }
    .validate(&vocab)
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    let id = organisations::create(&mut tx, &admin(), &draft, false, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn user(db: &Db, org: &str, name: &str, roles: &[&str]) -> String {
    let input = UserInput {
        username: name.into(),
        display_name: format!("{name} Test"),
        organisation_id: org.into(),
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        ..Default::default()
    };
    let draft = users::validate_new(db, &input, "ein langes passwort")
        .await
        .unwrap();
    let hash = password::hash("ein langes passwort").unwrap();
    let mut tx = db.begin().await.unwrap();
    let id = users::create(&mut tx, &admin(), &draft, &hash, false, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

both_backends!(accounts_with_roles, |db: Db| async move {
    prepared(&db).await;
    let org = organisation(&db).await;
    let id = user(&db, &org, "Anna", &["coordination", "reader"]).await;
    let u = users::get(&db, &id).await.unwrap();
    assert_eq!(u.username, "anna");
    assert_eq!(u.roles, vec![Role::Coordination, Role::Reader]);
    assert_eq!(u.organisation_name, "KI");
    assert!(!u.totp_enabled);

    // Same username again, any case: refused on the field.
    let input = UserInput {
        username: "ANNA".into(),
        display_name: "x".into(),
        organisation_id: org.clone(),
        roles: vec!["reader".into()],
        ..Default::default()
    };
    let draft = users::validate_new(&db, &input, "ein langes passwort")
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    match users::create(&mut tx, &admin(), &draft, "h", false, now()).await {
        Err(StoreError::Invalid(e)) => assert!(e.get("username").is_some()),
        other => panic!("expected duplicate error, got {other:?}"),
    }
});

both_backends!(bad_user_input_names_every_field, |db: Db| async move {
    prepared(&db).await;
    let input = UserInput {
        username: "Anna Müller".into(),
        roles: vec!["root".into()],
        organisation_id: "nope".into(),
        ..Default::default()
    };
    match users::validate_new(&db, &input, "kurz").await {
        Err(StoreError::Invalid(e)) => {
            for f in [
                "username",
                "display_name",
                "organisation_id",
                "roles",
                "password",
            ] {
                assert!(e.get(f).is_some(), "{f}: {e}");
            }
        }
        other => panic!("expected field errors, got {other:?}"),
    }
});

both_backends!(
    sessions_live_expire_and_end_on_password_change,
    |db: Db| async move {
        prepared(&db).await;
        let org = organisation(&db).await;
        let id = user(&db, &org, "bert", &["case_manager"]).await;
        let t0 = now();
        let creds = users::credentials(&db, "bert").await.unwrap().unwrap();
        let mut tx = db.begin().await.unwrap();
        let a = sessions::sign_in(&mut tx, &creds, t0).await.unwrap();
        let b = sessions::sign_in(&mut tx, &creds, t0).await.unwrap();
        tx.commit().await.unwrap();

        let s = sessions::lookup(&db, &a, t0 + 1000).await.unwrap().unwrap();
        assert_eq!(s.principal.username, "bert");
        assert!(sessions::lookup(&db, "wrong", t0).await.unwrap().is_none());
        // Idle for longer than the idle timeout: gone.
        assert!(
            sessions::lookup(&db, &b, t0 + sessions::IDLE_TIMEOUT_MS + 1)
                .await
                .unwrap()
                .is_none()
        );

        // Changing the password keeps the session that did it and ends the others.
        let c = {
            let mut tx = db.begin().await.unwrap();
            let c = sessions::sign_in(&mut tx, &creds, t0).await.unwrap();
            tx.commit().await.unwrap();
            c
        };
        let mut tx = db.begin().await.unwrap();
        users::set_password(&mut tx, &admin(), &id, "newhash", Some(&s.token_hash), t0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            sessions::lookup(&db, &a, t0 + 2000)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            sessions::lookup(&db, &c, t0 + 2000)
                .await
                .unwrap()
                .is_none()
        );

        // Deactivating the account ends every session.
        let mut tx = db.begin().await.unwrap();
        users::set_active(&mut tx, &admin(), &id, false, t0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            sessions::lookup(&db, &a, t0 + 3000)
                .await
                .unwrap()
                .is_none()
        );
    }
);

both_backends!(login_failures_lock_the_username, |db: Db| async move {
    let t0 = now();
    for i in 1..login_throttle::MAX_FAILURES {
        let mut tx = db.begin().await.unwrap();
        assert!(
            !sessions::refuse_password(&mut tx, "wer", None, false, t0 + i)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
    }
    assert!(
        !login_throttle::is_locked(&db, Throttle::Password("wer"), t0)
            .await
            .unwrap()
    );
    let mut tx = db.begin().await.unwrap();
    assert!(
        sessions::refuse_password(&mut tx, "wer", None, false, t0 + 10)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    assert!(
        login_throttle::is_locked(&db, Throttle::Password("WER"), t0 + 11)
            .await
            .unwrap()
    );
    assert!(
        !login_throttle::is_locked(
            &db,
            Throttle::Password("wer"),
            t0 + 10 + login_throttle::LOCK_MS
        )
        .await
        .unwrap()
    );
});

both_backends!(
    typed_usernames_cannot_count_against_a_second_factor,
    |db: Db| async move {
        let t0 = now();
        let user_id = "0190aaaa-0000-7000-8000-000000000001";
        // Whatever is typed as a username lands in the password namespace.
        for typed in [
            format!("totp:{user_id}"),
            format!("second-factor:{user_id}"),
            "totp:admin".to_owned(),
        ] {
            for i in 0..login_throttle::MAX_FAILURES {
                let mut tx = db.begin().await.unwrap();
                sessions::refuse_password(&mut tx, &typed, None, false, t0 + i)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }
            assert!(
                login_throttle::is_locked(&db, Throttle::Password(&typed), t0 + 10)
                    .await
                    .unwrap()
            );
        }
        assert!(
            !login_throttle::is_locked(&db, Throttle::SecondFactor(user_id), t0 + 10)
                .await
                .unwrap()
        );
        assert!(
            !login_throttle::is_locked(&db, Throttle::Password(user_id), t0 + 10)
                .await
                .unwrap()
        );
    }
);

both_backends!(api_tokens_authenticate_until_revoked, |db: Db| async move {
    prepared(&db).await;
    let org = organisation(&db).await;
    let id = user(&db, &org, "carla", &["admin"]).await;
    let mut tx = db.begin().await.unwrap();
    let (token_id, secret) = api_tokens::create(&mut tx, &admin(), &id, "Berichtsskript", now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(secret.starts_with("lotse_"));

    let p = api_tokens::authenticate(&db, &secret, now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.username, "carla");
    let listed = api_tokens::list_for_user(&db, &id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_some());
    assert!(!secret.starts_with(&listed[0].prefix) || listed[0].prefix.len() < secret.len());

    let mut tx = db.begin().await.unwrap();
    api_tokens::revoke(
        &mut tx,
        &admin(),
        &lotse_domain::ids::UserId::from(&id),
        &lotse_domain::ids::TokenId::from(&token_id),
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(
        api_tokens::authenticate(&db, &secret, now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        api_tokens::authenticate(&db, "lotse_guess", now())
            .await
            .unwrap()
            .is_none()
    );

    let mut tx = db.begin().await.unwrap();
    match api_tokens::create(&mut tx, &admin(), &id, "  ", now()).await {
        Err(StoreError::Invalid(e)) => assert!(e.get("name").is_some()),
        other => panic!("expected a name error, got {other:?}"),
    }
});

both_backends!(
    principal_carries_roles_and_the_second_factor_rule,
    |db: Db| async move {
        prepared(&db).await;
        let org = organisation(&db).await;
        let id = user(&db, &org, "dora", &["reader", "coordination"]).await;
        let p = users::principal(&db, &id).await.unwrap().unwrap();
        assert_eq!(p.roles, vec![Role::Coordination, Role::Reader]);
        assert_eq!(p.organisation_name, "KI");
        assert!(!p.second_factor_required, "by default only admins must");
        let mut tx = db.begin().await.unwrap();
        lotse_store::settings::set_totp_required_roles(&mut tx, &admin(), &[Role::Reader], now())
            .await
            .unwrap();
        users::set_active(&mut tx, &admin(), &id, true, now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            users::principal(&db, &id)
                .await
                .unwrap()
                .unwrap()
                .second_factor_required
        );
        let admin_id = user(&db, &org, "erik", &["admin"]).await;
        assert!(
            !users::principal(&db, &admin_id)
                .await
                .unwrap()
                .unwrap()
                .second_factor_required
        );
        let mut tx = db.begin().await.unwrap();
        users::set_active(&mut tx, &admin(), &id, false, now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            users::principal(&db, &id).await.unwrap().is_none(),
            "inactive accounts have no principal"
        );
    }
);
