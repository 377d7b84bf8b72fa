use lotse_domain::Role;
use lotse_store::both_backends;
use lotse_store::{Db, reference, settings};

use crate::prepared;

both_backends!(reference_data_loads_once, |db: Db| async move {
    prepared(&db).await;
    let towns = reference::towns(&db).await.unwrap();
    assert_eq!(towns.len(), 13);
    let ahlen = towns.iter().find(|t| t.name == "Ahlen").unwrap();
    assert_eq!(ahlen.ags, "05570004");
    assert!(ahlen.first_counselling_site);
    assert!(reference::organisation_kinds(&db).await.unwrap().len() >= 10);
    // A second start adds nothing.
    assert_eq!(reference::load(&db).await.unwrap(), 0);
});

both_backends!(migrations_are_idempotent, |db: Db| async move {
    // Opening runs the migrations; running them again must be a no-op.
    lotse_store::migrate(&db).await.unwrap();
    db.ping().await.unwrap();
});

both_backends!(
    totp_is_required_for_admins_by_default,
    |db: Db| async move {
        assert_eq!(
            settings::totp_required_roles(&db).await.unwrap(),
            vec![Role::Admin]
        );
        let mut tx = db.begin().await.unwrap();
        settings::set_totp_required_roles(
            &mut tx,
            &crate::admin(),
            &[Role::Admin, Role::CaseManager],
            crate::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            settings::totp_required_roles(&db).await.unwrap(),
            vec![Role::Admin, Role::CaseManager]
        );
    }
);

both_backends!(demo_data_is_loaded_once_and_flagged, |db: Db| async move {
    prepared(&db).await;
    let logins = lotse_store::demo::load(&db).await.unwrap();
    assert_eq!(logins.len(), lotse_store::demo::DEMO_USERS.len());
    let again = lotse_store::demo::load(&db).await.unwrap();
    assert_eq!(again.len(), lotse_store::demo::DEMO_USERS.len());
    let users = lotse_store::users::list(&db).await.unwrap();
    assert_eq!(
        users.len(),
        lotse_store::demo::DEMO_USERS.len(),
        "loading twice must not duplicate"
    );
    assert!(users.iter().all(|u| u.fictitious));
    assert!(settings::demo_data_loaded(&db).await.unwrap());
    assert!(settings::totp_required_roles(&db).await.unwrap().is_empty());
    for role in Role::ALL {
        assert!(
            users.iter().any(|u| u.roles == vec![role]),
            "a demo user for {role}"
        );
    }
});

both_backends!(
    demo_data_is_refused_on_a_database_with_real_accounts,
    |db: Db| async move {
        prepared(&db).await;
        let vocab = lotse_store::organisations::vocabulary(&db).await.unwrap();
        let org = lotse_domain::organisation::OrganisationInput {
            name: "Kreis".into(),
            kind: "other".into(),
            ..Default::default()
        }
        .validate(&vocab)
        .unwrap();
        let mut tx = db.begin().await.unwrap();
        let org_id =
            lotse_store::organisations::create(&mut tx, &crate::admin(), &org, false, crate::now())
                .await
                .unwrap();
        let draft = lotse_store::users::UserDraft {
            username: "echt".into(),
            display_name: "Echt".into(),
            email: String::new(),
            organisation_id: org_id,
            roles: vec![Role::Admin],
        };
        lotse_store::users::create(
            &mut tx,
            &crate::admin(),
            &draft,
            "hash",
            false,
            crate::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let err = lotse_store::demo::load(&db).await.unwrap_err();
        assert!(err.to_string().contains("--demo refused"), "{err}");
        assert!(!settings::demo_data_loaded(&db).await.unwrap());
    }
);

both_backends!(
    verify_is_not_confused_by_appends_while_it_runs,
    |db: Db| async move {
        use lotse_store::Actor;
        use lotse_store::audit::{self, Action, Entity, Event};
        let writer = {
            let db = db.clone();
            tokio::spawn(async move {
                for i in 0..200 {
                    let mut tx = db.begin().await.unwrap();
                    tx.record(Event::new(
                        &Actor::system("test"),
                        crate::now(),
                        Entity::Setting,
                        Action::Update,
                        &format!("{i}"),
                    ));
                    tx.commit().await.unwrap();
                }
            })
        };
        while !writer.is_finished() {
            assert_eq!(audit::verify(&db).await.unwrap().first_broken, None);
        }
        writer.await.unwrap();
        assert_eq!(audit::verify(&db).await.unwrap().entries, 200);
    }
);

both_backends!(
    only_one_node_runs_a_locked_job_at_a_time,
    |db: lotse_store::Db| async move {
        use lotse_store::jobs;
        let first = jobs::try_lock(&db, "offer-reminders")
            .await
            .unwrap()
            .unwrap();
        let second = jobs::try_lock(&db, "offer-reminders").await.unwrap();
        match db.backend() {
            // One node per SQLite file: nothing to coordinate.
            lotse_store::Backend::Sqlite => assert!(second.is_some()),
            lotse_store::Backend::Postgres => assert!(second.is_none(), "held by the first"),
        }
        if let Some(s) = second {
            s.release().await.unwrap();
        }
        first.release().await.unwrap();
        let again = jobs::try_lock(&db, "offer-reminders").await.unwrap();
        assert!(again.is_some(), "free after release");
        again.unwrap().release().await.unwrap();
    }
);

both_backends!(
    key_columns_of_older_rows_are_filled_at_start,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let measures_before = lotse_store::measures::page(
            &db,
            &Default::default(),
            &lotse_store::paging::PageRequest::first(200),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|m| m.id)
        .collect::<Vec<_>>();
        // Rows as a database from before the key columns holds them.
        lotse_store::testing::raw(
            &db,
            "UPDATE measures SET list_key = '', search_text = '', tags_key = ''; \
             UPDATE organisations SET list_key = '', search_text = ''; \
             UPDATE users SET search_text = ''; \
             UPDATE structural_issues SET list_key = '', search_text = ''; \
             UPDATE decisions SET list_key = ''; \
             UPDATE concepts SET name_key = ''",
        )
        .await
        .unwrap();
        // The next start fills them (nothing else to migrate).
        lotse_store::migrate(&db).await.unwrap();
        let measures_after = lotse_store::measures::page(
            &db,
            &Default::default(),
            &lotse_store::paging::PageRequest::first(200),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|m| m.id)
        .collect::<Vec<_>>();
        assert_eq!(measures_after, measures_before, "the same order as before");
        let (found, _) = lotse_store::users::pick(&db, "KOORDINATION", 10)
            .await
            .unwrap();
        assert!(
            !found.is_empty(),
            "accounts are found by their folded names again"
        );
        let filter = lotse_store::organisations::OrganisationFilter {
            q: "musterverband".into(),
            ..Default::default()
        };
        assert!(
            lotse_store::organisations::count(&db, &filter)
                .await
                .unwrap()
                != lotse_store::paging::Count::Exactly(0)
        );
    }
);
