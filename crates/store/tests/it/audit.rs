use lotse_store::audit::{self, Action, AuditFilter, Entity, Event};
use lotse_store::testing::raw;
use lotse_store::{Actor, Db, both_backends};
use serde_json::json;

use crate::now;

async fn append_n(db: &Db, n: usize) {
    for i in 0..n {
        let mut tx = db.begin().await.unwrap();
        tx.record(
            Event::new(
                &Actor::system("test"),
                now(),
                Entity::Setting,
                Action::Update,
                &format!("r{i}"),
            )
            .with(json!({ "i": i })),
        );
        tx.commit().await.unwrap();
    }
}

both_backends!(chain_verifies_and_is_append_only, |db: Db| async move {
    append_n(&db, 5).await;
    let report = audit::verify(&db).await.unwrap();
    assert_eq!(report.entries, 5);
    assert_eq!(report.first_broken, None);
    assert!(
        raw(&db, "UPDATE audit_log SET actor_name = 'x' WHERE seq = 2")
            .await
            .is_err()
    );
    assert!(
        raw(&db, "DELETE FROM audit_log WHERE seq = 5")
            .await
            .is_err()
    );
});

both_backends!(a_rolled_back_change_leaves_no_entry, |db: Db| async move {
    let mut tx = db.begin().await.unwrap();
    tx.record(Event::new(
        &Actor::system("test"),
        now(),
        Entity::Setting,
        Action::Create,
        "x",
    ));
    drop(tx);
    assert_eq!(audit::verify(&db).await.unwrap().entries, 0);
    append_n(&db, 1).await;
    assert_eq!(audit::verify(&db).await.unwrap().entries, 1);
});

both_backends!(
    tampering_is_found_at_the_first_broken_link,
    |db: Db| async move {
        append_n(&db, 6).await;
        raw(&db, "DROP TRIGGER IF EXISTS audit_log_no_update")
            .await
            .ok();
        raw(
            &db,
            "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
        )
        .await
        .ok();
        raw(
            &db,
            "UPDATE audit_log SET changes = '{\"i\":99}' WHERE seq = 3",
        )
        .await
        .unwrap();
        let report = audit::verify(&db).await.unwrap();
        let broken = report.first_broken.expect("tampering detected");
        assert_eq!(broken.seq, 3);
        assert!(broken.reason.contains("hash"), "{}", broken.reason);
    }
);

both_backends!(removing_the_newest_entries_is_found, |db: Db| async move {
    append_n(&db, 4).await;
    raw(&db, "DROP TRIGGER IF EXISTS audit_log_no_delete")
        .await
        .ok();
    raw(
        &db,
        "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
    )
    .await
    .ok();
    raw(&db, "DELETE FROM audit_log WHERE seq = 4")
        .await
        .unwrap();
    let broken = audit::verify(&db)
        .await
        .unwrap()
        .first_broken
        .expect("truncation detected");
    assert_eq!(broken.seq, 4);
});

both_backends!(concurrent_appends_keep_one_chain, |db: Db| async move {
    let mut handles = Vec::new();
    for i in 0..12 {
        let db = db.clone();
        handles.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            tx.record(Event::new(
                &Actor::system("test"),
                now(),
                Entity::Setting,
                Action::Update,
                &format!("c{i}"),
            ));
            tx.commit().await.unwrap();
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let report = audit::verify(&db).await.unwrap();
    assert_eq!(report.entries, 12);
    assert_eq!(report.first_broken, None);
});

both_backends!(search_filters_and_pages, |db: Db| async move {
    append_n(&db, 5).await;
    let all = audit::search(&db, &AuditFilter::default(), 2, 0)
        .await
        .unwrap();
    assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [5, 4]);
    let page2 = audit::search(&db, &AuditFilter::default(), 2, 2)
        .await
        .unwrap();
    assert_eq!(page2.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 2]);
    let one = AuditFilter {
        record_id: Some("r1".into()),
        actor: Some("system:test".into()),
        ..Default::default()
    };
    assert_eq!(audit::search(&db, &one, 10, 0).await.unwrap().len(), 1);
    let none = AuditFilter {
        entity: Some("user".into()),
        ..Default::default()
    };
    assert!(audit::search(&db, &none, 10, 0).await.unwrap().is_empty());
    let future = AuditFilter {
        from: Some(now() + 60_000),
        ..Default::default()
    };
    assert!(audit::search(&db, &future, 10, 0).await.unwrap().is_empty());
});

both_backends!(
    a_change_without_its_event_cannot_commit,
    |db: Db| async move {
        let mut tx = db.begin().await.unwrap();
        lotse_store::testing::change_without_event(&mut tx)
            .await
            .unwrap();
        assert!(matches!(
            tx.commit().await,
            Err(lotse_store::StoreError::Unaudited)
        ));
        assert_eq!(
            lotse_store::settings::get(&db, "unaudited").await.unwrap(),
            None,
            "nothing of the refused transaction is written"
        );
        // The same change with its event commits, and the event is in the chain.
        let mut tx = db.begin().await.unwrap();
        lotse_store::testing::change_without_event(&mut tx)
            .await
            .unwrap();
        tx.record(Event::new(
            &Actor::system("test"),
            now(),
            Entity::Setting,
            Action::Update,
            "unaudited",
        ));
        tx.commit().await.unwrap();
        assert_eq!(audit::verify(&db).await.unwrap().entries, 1);
    }
);

both_backends!(
    many_events_in_one_transaction_chain_in_order,
    |db: Db| async move {
        // More than one INSERT's worth of entries, as an import writes them.
        let mut tx = db.begin().await.unwrap();
        for i in 0..1_234 {
            tx.record(
                Event::new(
                    &Actor::system("test"),
                    now(),
                    Entity::Measure,
                    Action::Import,
                    &format!("m{i}"),
                )
                .with(json!({ "row": i })),
            );
        }
        tx.commit().await.unwrap();
        append_n(&db, 2).await;
        let report = audit::verify(&db).await.unwrap();
        assert_eq!(report.entries, 1_236);
        assert_eq!(report.first_broken, None);
        let last = audit::search(
            &db,
            &AuditFilter {
                entity: Some("measure".into()),
                ..Default::default()
            },
            1,
            0,
        )
        .await
        .unwrap();
        assert_eq!(last[0].record_id, "m1233");
        assert_eq!(last[0].seq, 1_234);
    }
);

#[test]
fn change_records_are_computed_from_both_values() {
    #[derive(serde::Serialize)]
    struct Thing {
        name: &'static str,
        count: i64,
        tags: Vec<&'static str>,
        note: Option<&'static str>,
        updated_at: i64,
    }
    let before = Thing {
        name: "Sprachcafé",
        count: 3,
        tags: vec!["a"],
        note: Some("x"),
        updated_at: 1,
    };
    let after = Thing {
        name: "Sprachcafé",
        count: 4,
        tags: vec!["a", "b"],
        note: None,
        updated_at: 2,
    };
    let event = Event::updated(&Actor::system("t"), 0, Entity::Offer, "o", &before, &after);
    assert_eq!(event.action, Action::Update);
    assert_eq!(
        event.changes,
        json!({
            "count": { "from": 3, "to": 4 },
            "tags": { "from": ["a"], "to": ["a", "b"] },
            "note": { "from": "x", "to": null },
        })
    );
    assert_eq!(
        audit::changes(&before, &before),
        json!({}),
        "no change, no fields"
    );
}

#[test]
fn every_entity_and_action_has_one_key() {
    for e in Entity::ALL {
        assert_eq!(Entity::parse(e.key()), Some(e));
    }
    for a in Action::ALL {
        assert_eq!(Action::parse(a.key()), Some(a));
    }
}
