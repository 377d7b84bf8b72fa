//! The access log: reads of protected records, written in batches apart from the audit chain.

use std::time::{Duration, Instant};

use lotse_store::paging::PageRequest;

use lotse_domain::organisation::OrganisationInput;
use lotse_store::audit::Entity;
use lotse_store::testing::{hold_audit_head, raw};
use lotse_store::users::{self, UserInput};
use lotse_store::{Actor, Db, access_log, both_backends, organisations};

use crate::{admin, now, prepared};

/// `n` accounts (protected records) without password hashing: the hash is never checked here.
async fn accounts(db: &Db, n: usize) -> Vec<String> {
    prepared(db).await;
    let vocab = organisations::vocabulary(db).await.unwrap();
    let org = OrganisationInput {
        name: "KI".into(),
        kind: "integration_centre".into(),
        ..Default::default()
    }
    .validate(&vocab)
    .unwrap();
    let org = db
        .write(async |tx| organisations::create(tx, &admin(), &org, false, now()).await)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let input = UserInput {
            username: format!("person{i}"),
            display_name: format!("Person {i}"),
            organisation_id: org.clone(),
            roles: vec!["case_manager".into()],
            ..Default::default()
        };
        let draft = users::validate_new(db, &input, "ein langes passwort")
            .await
            .unwrap();
        let id = db
            .write(async |tx| users::create(tx, &admin(), &draft, "x", false, now()).await)
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

fn reader(i: usize) -> Actor {
    Actor::user(&format!("reader-{i}"), &format!("reader{i}"))
}

both_backends!(every_read_is_logged_and_chained, |db: Db| async move {
    let ids = accounts(&db, 3).await;
    for id in &ids {
        users::read_account(&db, &reader(1), id, now())
            .await
            .unwrap();
    }
    // The list, page by page: every account shown is a read.
    let first = users::read_account_page(&db, &reader(2), &PageRequest::first(2), now())
        .await
        .unwrap();
    assert_eq!(first.items.len(), 2);
    let rest = users::read_account_page(
        &db,
        &reader(2),
        &PageRequest {
            after: first.next.clone(),
            size: 2,
        },
        now(),
    )
    .await
    .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.next, None);
    db.access_log().flush().await;
    let reads = access_log::reads_of(&db, Entity::User, &ids[0], 10)
        .await
        .unwrap();
    let readers: Vec<&str> = reads.iter().map(|r| r.actor_name.as_str()).collect();
    assert_eq!(readers, ["reader2", "reader1"]);
    let report = access_log::verify(&db).await.unwrap();
    assert_eq!(report.first_broken, None);
    assert_eq!(report.entries, 6);
    // An unknown id is not found, and its non-read is not logged.
    assert!(
        users::read_account(
            &db,
            &reader(1),
            "0190aaaa-0000-7000-8000-000000000000",
            now()
        )
        .await
        .is_err()
    );
    db.access_log().flush().await;
    assert_eq!(access_log::verify(&db).await.unwrap().entries, 6);
    // The reads do not touch the audit chain of changes.
    let audit = lotse_store::audit::verify(&db).await.unwrap();
    let reads_in_audit = lotse_store::audit::search(
        &db,
        &lotse_store::audit::AuditFilter {
            action: Some("read".into()),
            ..Default::default()
        },
        10,
        0,
    )
    .await
    .unwrap();
    assert!(reads_in_audit.is_empty(), "{audit:?}");
});

both_backends!(
    the_log_is_append_only_and_tampering_is_found,
    |db: Db| async move {
        let ids = accounts(&db, 2).await;
        for round in 0..3 {
            for id in &ids {
                users::read_account(&db, &reader(round), id, now())
                    .await
                    .unwrap();
            }
            // One batch per round: flushing waits for what was queued so far.
            db.access_log().flush().await;
        }
        assert_eq!(access_log::verify(&db).await.unwrap().entries, 6);
        assert!(
            raw(&db, "UPDATE access_log SET actor_name = 'x' WHERE seq = 2")
                .await
                .is_err()
        );
        assert!(
            raw(&db, "DELETE FROM access_log WHERE seq = 6")
                .await
                .is_err()
        );
        for drop in [
            "DROP TRIGGER IF EXISTS access_log_no_update",
            "DROP TRIGGER IF EXISTS access_log_no_change ON access_log",
        ] {
            raw(&db, drop).await.ok();
        }
        raw(
            &db,
            "UPDATE access_log SET actor_name = 'jemand' WHERE seq = 3",
        )
        .await
        .unwrap();
        let report = access_log::verify(&db).await.unwrap();
        let (batch, why) = report.first_broken.expect("tampering found");
        assert!(why.contains("hash"), "{why}");
        // Entry 3 is in the second or a later batch: the first still verifies.
        assert!(batch >= 2, "{batch}");
        assert!(report.entries >= 2);
    }
);

both_backends!(readers_do_not_wait_for_writers, |db: Db| async move {
    // 64 readers of protected records while a writer holds the audit chain's head (on SQLite
    // also the one write connection): with the old design, where every read appended to
    // the audit chain in a transaction of its own, not a single read could finish.
    const READERS: usize = 64;
    const READS: usize = 20;
    let ids = accounts(&db, 4).await;
    let run = |db: Db| {
        let ids = ids.clone();
        async move {
            let start = Instant::now();
            let mut tasks = Vec::new();
            for r in 0..READERS {
                let db = db.clone();
                let ids = ids.clone();
                tasks.push(tokio::spawn(async move {
                    for i in 0..READS {
                        users::read_account(&db, &reader(r), &ids[i % ids.len()], now())
                            .await
                            .unwrap();
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
            start.elapsed()
        }
    };
    let writer = hold_audit_head(&db).await;
    let logged = tokio::time::timeout(Duration::from_secs(60), run(db.clone()))
        .await
        .expect("readers finished while the writer held the lock");
    drop(writer);
    db.access_log().set_enabled(false);
    let unlogged = run(db.clone()).await;
    db.access_log().set_enabled(true);
    db.access_log().flush().await;
    let report = access_log::verify(&db).await.unwrap();
    assert_eq!(report.first_broken, None);
    assert_eq!(report.entries, (READERS * READS) as i64);
    let per_second = |d: Duration| (READERS * READS) as f64 / d.as_secs_f64();
    eprintln!(
        "{} reads: {:.0}/s with the access log (writer holding the lock), {:.0}/s without",
        READERS * READS,
        per_second(logged),
        per_second(unlogged)
    );
    // Not a timing target (those live in docs/benchmarks.md): a guard against reads being
    // serialised again, which would make them slower by orders of magnitude, not by a few
    // per cent.
    assert!(
        per_second(logged) * 5.0 >= per_second(unlogged),
        "logged reads are more than five times slower than unlogged ones"
    );
});
