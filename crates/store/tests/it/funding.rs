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

both_backends!(
    a_grant_and_a_funding_year_are_read_for_themselves,
    |db: Db| async move {
        prepared(&db).await;
        // The recipient: a programme of the reference data (FIT), no organisation needed.
        let fit = "485fea7c-eb61-46fe-bfdc-6e001ac9f024";
        let other = db
            .write(async |tx| {
                funding::create_programme(
                    tx,
                    &coordination(),
                    &lotse_domain::funding::FundingProgrammeInput {
                        name: "Anderes Programm".into(),
                        ..Default::default()
                    }
                    .validate()
                    .unwrap(),
                    now(),
                )
                .await
            })
            .await
            .unwrap();
        let grant = |purpose: &str, from: &str, to: &str, amount: &str| {
            GrantInput {
                programme_id: fit.into(),
                purpose: purpose.into(),
                amount: amount.into(),
                period_from: from.into(),
                period_to: to.into(),
                ..GrantInput::default()
            }
            .validate()
            .unwrap()
        };
        let mut ids = Vec::new();
        for (programme, g) in [
            (KOMM_AN, grant("2024", "2024-01-01", "2024-12-31", "100,00")),
            (
                KOMM_AN,
                grant("2025-26", "2025-07-01", "2026-06-30", "200,00"),
            ),
            (KOMM_AN, grant("2026", "2026-01-01", "2026-12-31", "400,00")),
            (
                other.as_str(),
                grant("fremd", "2026-01-01", "2026-12-31", "800,00"),
            ),
        ] {
            let id = db
                .write(async |tx| {
                    funding::create_grant(tx, &coordination(), programme, &g, false, now()).await
                })
                .await
                .unwrap();
            ids.push(id);
        }
        for (i, id) in ids.iter().enumerate() {
            let m = MovementDraft {
                kind: Movement::Payment,
                on: day("2026-02-01"),
                amount_cents: 1_000 * (i as i64 + 1),
                note: format!("Zahlung {i}"),
            };
            db.write(async |tx| funding::add_movement(tx, &coordination(), id, &m, now()).await)
                .await
                .unwrap();
            db.write(async |tx| {
                funding::add_deadline(
                    tx,
                    &coordination(),
                    id,
                    &format!("Nachweis {i}"),
                    day("2027-03-31"),
                    now(),
                )
                .await
            })
            .await
            .unwrap();
        }
        for year in [2025, 2026] {
            db.write(async |tx| {
                funding::set_budget(tx, &coordination(), KOMM_AN, year, 100_000, now()).await
            })
            .await
            .unwrap();
        }
        let viewer = coordination();
        let books = funding::for_viewer(&db, &viewer);

        // One grant: its own sums, movements and deadlines only.
        let g = books.grant(&ids[1]).await.unwrap();
        assert_eq!((g.purpose.as_str(), g.paid_cents), ("2025-26", 2_000));
        let movements = books.movements_of(&ids[1]).await.unwrap();
        assert_eq!(movements.len(), 1);
        assert_eq!(movements[0].note, "Zahlung 1");
        let deadlines = books.deadlines_of(&ids[1]).await.unwrap();
        assert_eq!(deadlines.len(), 1);
        assert_eq!(deadlines[0].title, "Nachweis 1");
        assert!(matches!(
            books.grant("gibt-es-nicht").await,
            Err(StoreError::NotFound)
        ));

        // A funding year: the grants running in it, the budgets with their sums by the database.
        let year = books.in_year(KOMM_AN, 2026).await.unwrap();
        let purposes: Vec<&str> = year.grants.iter().map(|g| g.purpose.as_str()).collect();
        assert_eq!(
            purposes,
            ["2025-26", "2026"],
            "not 2024, not another programme's"
        );
        assert_eq!(year.grant_years, Some((2024, 2026)));
        let budgets: Vec<(i64, i64, i64)> = year
            .budgets
            .iter()
            .map(|b| (b.year, b.budget_cents, b.granted_cents))
            .collect();
        assert_eq!(budgets, [(2026, 100_000, 60_000), (2025, 100_000, 20_000)]);
        let empty = books.in_year(&other, 2030).await.unwrap();
        assert!(empty.grants.is_empty() && empty.budgets.is_empty());
        assert_eq!(empty.grant_years, Some((2026, 2026)));
        assert_eq!(
            books.programme(&other).await.unwrap().name,
            "Anderes Programm"
        );

        // The whole programme (the API): its grants with their movements and deadlines only.
        let detail = books.get(KOMM_AN).await.unwrap();
        assert!(
            detail
                .grants
                .iter()
                .all(|g| g.funding_programme_id == KOMM_AN)
        );
        assert!(
            detail
                .movements
                .iter()
                .all(|m| ids[..3].contains(&m.grant_id))
        );
        assert!(
            detail
                .deadlines
                .iter()
                .all(|d| ids[..3].contains(&d.grant_id))
        );
        assert_eq!(detail.movements.len(), 3);
        assert_eq!(detail.deadlines.len(), 3);

        // The funding books are the coordination's.
        let reader = lotse_store::scoped::Viewer {
            roles: vec![lotse_domain::Role::Reader],
            ..coordination()
        };
        assert!(
            funding::for_viewer(&db, &reader)
                .grant(&ids[0])
                .await
                .is_err()
        );
    }
);
