//! The books of scheduled work: run history and the lock that keeps a job on one node.

use lotse_store::jobs::{self, Trigger};
use lotse_store::{Actor, Backend, Db, audit, both_backends};

both_backends!(
    runs_are_kept_and_a_hand_started_run_is_audited,
    |db: Db| async move {
        assert_eq!(
            jobs::last_started(&db, "session-purge").await.unwrap(),
            None
        );
        let scheduled = jobs::start_run(&db, "session-purge", Trigger::Schedule, None, 1_000)
            .await
            .unwrap();
        jobs::finish_run(
            &db,
            &scheduled,
            true,
            "3 abgelaufene Anmeldungen entfernt.",
            1_500,
        )
        .await
        .unwrap();
        // The scheduler's bookkeeping is no one's act: nothing in the audit log.
        assert_eq!(audit::verify(&db).await.unwrap().entries, 0);
        let admin = Actor::user("u-admin", "admin");
        let by_hand = jobs::start_run(&db, "offer-reminders", Trigger::Manual, Some(&admin), 2_000)
            .await
            .unwrap();
        jobs::finish_run(&db, &by_hand, false, "Nicht zugestellt an: X.", 2_100)
            .await
            .unwrap();
        let log = audit::search(&db, &Default::default(), 5, 0).await.unwrap();
        assert_eq!(
            (
                log[0].entity.as_str(),
                log[0].action.as_str(),
                log[0].actor_name.as_str()
            ),
            ("job", "run", "admin")
        );
        assert_eq!(
            jobs::last_started(&db, "session-purge").await.unwrap(),
            Some(1_000)
        );
        let runs = jobs::runs(&db, None, 10).await.unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].job, "offer-reminders");
        assert_eq!(runs[0].outcome.as_deref(), Some("failed"));
        assert_eq!(runs[0].started_by.as_deref(), Some("admin"));
        assert_eq!(runs[1].finished_at, Some(1_500));
        assert_eq!(
            jobs::runs(&db, Some("session-purge"), 10)
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

both_backends!(one_node_at_a_time_runs_a_job, |db: Db| async move {
    let first = jobs::try_lock(&db, "offer-reminders").await.unwrap();
    assert!(first.is_some());
    let second = jobs::try_lock(&db, "offer-reminders").await.unwrap();
    match db.backend() {
        // Several nodes share a PostgreSQL database: the second one waits its turn.
        Backend::Postgres => assert!(second.is_none()),
        // SQLite has one node.
        Backend::Sqlite => assert!(second.is_some()),
    }
    // Another job is not held up.
    assert!(
        jobs::try_lock(&db, "session-purge")
            .await
            .unwrap()
            .is_some()
    );
    first.unwrap().release().await.unwrap();
    assert!(
        jobs::try_lock(&db, "offer-reminders")
            .await
            .unwrap()
            .is_some()
    );
});
