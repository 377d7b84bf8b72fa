use lotse_domain::funding::{GrantInput, Movement, MovementDraft};
use lotse_store::{Db, StoreError, both_backends, funding, organisations};

use crate::{admin, coordination, day, now, prepared};

const KOMM_AN: &str = "9d94421f-d7c0-48a2-b6d2-598b72aa3586";

both_backends!(grants_money_and_deadlines_add_up, |db: Db| async move {
    prepared(&db).await;
    let seeded: Vec<String> = funding::for_viewer(&db, &coordination())
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    for name in [
        "KOMM-AN NRW",
        "Sprachmittlerpool",
        "Durchstarten in Ausbildung und Arbeit",
    ] {
        assert!(seeded.iter().any(|n| n == name), "{name} in {seeded:?}");
    }
    lotse_store::demo::load(&db).await.unwrap();
    let org = organisations::list(&db, false).await.unwrap()[0].id.clone();
    db.write(async |tx| {
        funding::set_budget(tx, &coordination(), KOMM_AN, 2026, 10_000_000, now()).await
    })
    .await
    .unwrap();
    db.write(async |tx| {
        funding::set_budget(tx, &coordination(), KOMM_AN, 2026, 12_000_000, now()).await
    })
    .await
    .unwrap();
    let grant = GrantInput {
        organisation_id: org.clone(),
        purpose: "Test-Bewilligung".into(),
        amount: "30.000,00".into(),
        period_from: "2026-01-01".into(),
        period_to: "2027-06-30".into(),
        ..GrantInput::default()
    }
    .validate()
    .unwrap();
    let id = db
        .write(async |tx| {
            funding::create_grant(tx, &coordination(), KOMM_AN, &grant, false, now()).await
        })
        .await
        .unwrap();
    for (kind, cents) in [
        (Movement::Payment, 1_500_000),
        (Movement::Expense, 400_000),
        (Movement::Expense, 100_000),
    ] {
        let m = MovementDraft {
            kind,
            on: day("2026-04-01"),
            amount_cents: cents,
            note: String::new(),
        };
        db.write(async |tx| funding::add_movement(tx, &coordination(), &id, &m, now()).await)
            .await
            .unwrap();
    }
    let detail = funding::for_viewer(&db, &coordination())
        .get(KOMM_AN)
        .await
        .unwrap();
    assert!(
        detail.budgets.contains(&(2026, 12_000_000)),
        "replaced: {:?}",
        detail.budgets
    );
    let g = detail.grants.iter().find(|g| g.id == id).unwrap();
    assert_eq!(
        (
            g.amount_cents,
            g.paid_cents,
            g.spent_cents,
            g.remaining_cents()
        ),
        (3_000_000, 1_500_000, 500_000, 2_500_000)
    );
    assert!(detail.granted_in(2027) >= 3_000_000, "runs into 2027");

    // Deadlines: due within the notice period or overdue, reminded weekly, done when handed in.
    for (title, due) in [
        ("Zwischennachweis", "2026-12-10"),
        ("Verwendungsnachweis", "2027-09-30"),
        ("Überfällig", "2026-10-01"),
    ] {
        db.write(async |tx| {
            funding::add_deadline(tx, &coordination(), &id, title, day(due), now()).await
        })
        .await
        .unwrap();
    }
    let ours = |d: Vec<funding::DueDeadline>| -> Vec<String> {
        d.into_iter()
            .filter(|d| d.purpose == "Test-Bewilligung")
            .map(|d| d.title)
            .collect()
    };
    let due = ours(
        funding::due_deadlines(&db, day("2026-12-25"), now())
            .await
            .unwrap(),
    );
    assert_eq!(due, ["Überfällig", "Zwischennachweis"]);
    let ids: Vec<String> = funding::due_deadlines(&db, day("2026-12-25"), now())
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    db.write(async |tx| funding::mark_deadlines_reminded(tx, &admin(), &ids, now()).await)
        .await
        .unwrap();
    assert!(
        ours(
            funding::due_deadlines(&db, day("2026-12-25"), now())
                .await
                .unwrap()
        )
        .is_empty()
    );
    let next_week = now() + funding::DEADLINE_REMINDER_INTERVAL_MS + 1;
    assert_eq!(
        ours(
            funding::due_deadlines(&db, day("2026-12-25"), next_week)
                .await
                .unwrap()
        )
        .len(),
        2
    );
    let overdue = funding::for_viewer(&db, &coordination())
        .all_deadlines()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.title == "Überfällig")
        .unwrap();
    db.write(async |tx| {
        funding::set_submitted(
            tx,
            &coordination(),
            &overdue.id,
            Some(day("2026-11-20")),
            now(),
        )
        .await
    })
    .await
    .unwrap();
    assert_eq!(
        ours(
            funding::due_deadlines(&db, day("2026-12-25"), next_week)
                .await
                .unwrap()
        ),
        ["Zwischennachweis"]
    );

    // References are checked.
    let bad = GrantInput {
        organisation_id: "nope".into(),
        ..GrantInput {
            purpose: "x".into(),
            amount: "1".into(),
            period_from: "2026-01-01".into(),
            period_to: "2026-01-02".into(),
            ..GrantInput::default()
        }
    }
    .validate()
    .unwrap();
    let e = db
        .write(async |tx| {
            funding::create_grant(tx, &coordination(), KOMM_AN, &bad, false, now()).await
        })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)));
    let summary = funding::for_viewer(&db, &coordination())
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.id == KOMM_AN)
        .unwrap();
    assert!(summary.granted_cents >= 3_000_000 && summary.spent_cents >= 500_000);
});
