use lotse_store::measures;
use lotse_store::rounds::{self, Decision, ProposalInput, UpdateInput};
use lotse_store::testing::raw;
use lotse_store::{Actor, Db, StoreError, both_backends};

use crate::{now, prepared};

async fn demo(db: &Db) -> String {
    prepared(db).await;
    lotse_store::demo::load(db).await.unwrap();
    measures::concepts(db)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.short_name == "KIM")
        .unwrap()
        .id
}

fn coordination() -> Actor {
    Actor::user("u-koordination", "koordination")
}

/// The same person as the scoped stores see them.
fn coordinator() -> lotse_store::scoped::Viewer {
    lotse_store::scoped::Viewer {
        user_id: "u-koordination".into(),
        username: "koordination".into(),
        organisation_id: String::new(),
        roles: vec![lotse_domain::Role::Coordination],
    }
}

fn good_update() -> UpdateInput {
    UpdateInput {
        status: "established".into(),
        progress: "Läuft in allen Städten.".into(),
        adaptation: "adjust".into(),
        adaptation_reason: "Zielgruppe erweitern".into(),
        values: Vec::new(),
    }
}

both_backends!(
    a_round_from_opening_to_frozen_snapshot,
    |db: Db| async move {
        let kim = demo(&db).await;
        let expected = measures::list(
            &db,
            &measures::MeasureFilter {
                concept: kim.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.status != "dropped")
        .count();
        let round = db
            .write(async |tx| {
                rounds::open(
                    tx,
                    &coordination(),
                    "Überprüfung 2026",
                    "2026-06-30",
                    "2099-12-31",
                    std::slice::from_ref(&kim),
                    false,
                    now(),
                )
                .await
            })
            .await
            .unwrap();
        let updates = rounds::updates(&db, &round, None).await.unwrap();
        assert_eq!(updates.len(), expected);
        assert!(updates.iter().all(|u| u.state == "missing"));
        let (_, total) = rounds::progress_of(&db, &round).await.unwrap();
        assert_eq!(total.missing, expected);

        // Bad input is named per field.
        let first = updates[0].clone();
        let bad = UpdateInput {
            status: "weiß nicht".into(),
            adaptation: "drop".into(),
            ..Default::default()
        };
        match db
            .write(async |tx| {
                rounds::submit(
                    tx,
                    &coordinator(),
                    &lotse_domain::ids::ReportId::from(&first.id),
                    &bad,
                    now(),
                )
                .await
            })
            .await
        {
            Err(StoreError::Invalid(e)) => {
                for f in ["status", "progress", "adaptation_reason"] {
                    assert!(e.get(f).is_some(), "{f}: {e}");
                }
            }
            other => panic!("expected field errors, got {other:?}"),
        }

        // Submit, return with a comment, resubmit, accept: the measure takes the reported status.
        db.write(async |tx| {
            rounds::submit(
                tx,
                &coordinator(),
                &lotse_domain::ids::ReportId::from(&first.id),
                &good_update(),
                now(),
            )
            .await
        })
        .await
        .unwrap();
        let no_comment = db
            .write(async |tx| {
                rounds::review(
                    tx,
                    &coordinator(),
                    &lotse_domain::ids::ReportId::from(&first.id),
                    Decision::Return,
                    "",
                    None,
                    now(),
                )
                .await
            })
            .await;
        assert!(
            matches!(no_comment, Err(StoreError::Invalid(ref e)) if e.get("review_comment").is_some())
        );
        db.write(async |tx| {
            rounds::review(
                tx,
                &coordinator(),
                &lotse_domain::ids::ReportId::from(&first.id),
                Decision::Return,
                "Bitte Zahlen nennen",
                None,
                now(),
            )
            .await
        })
        .await
        .unwrap();
        assert_eq!(
            rounds::update(&db, &first.id).await.unwrap().state,
            "returned"
        );
        db.write(async |tx| {
            rounds::submit(
                tx,
                &coordinator(),
                &lotse_domain::ids::ReportId::from(&first.id),
                &good_update(),
                now(),
            )
            .await
        })
        .await
        .unwrap();
        db.write(async |tx| {
            rounds::review(
                tx,
                &coordinator(),
                &lotse_domain::ids::ReportId::from(&first.id),
                Decision::Accept,
                "",
                None,
                now(),
            )
            .await
        })
        .await
        .unwrap();
        let measure = measures::get(&db, &first.measure_id).await.unwrap();
        assert_eq!(measure.status, "established");
        if first.measure_status != "established" {
            let history = measures::status_history(&db, &first.measure_id)
                .await
                .unwrap();
            assert!(
                history[0].reason.contains("Überprüfung 2026"),
                "{:?}",
                history[0]
            );
        }
        let resubmit = db
            .write(async |tx| {
                rounds::submit(
                    tx,
                    &coordinator(),
                    &lotse_domain::ids::ReportId::from(&first.id),
                    &good_update(),
                    now(),
                )
                .await
            })
            .await;
        assert!(
            matches!(resubmit, Err(StoreError::Invalid(_))),
            "an accepted update is final"
        );

        let proposal = ProposalInput {
            proposal_concept: kim.clone(),
            proposal_title: "Sprechstunde im Jobcenter".into(),
            proposal_description: String::new(),
        };
        db.write(async |tx| {
            rounds::propose(
                tx,
                &coordination(),
                &lotse_domain::ids::RoundId::from(&round),
                &lotse_domain::ids::OrganisationId::from(""),
                &proposal,
                now(),
            )
            .await
        })
        .await
        .unwrap_err();
        let org = first.organisation_id.clone().unwrap_or_default();
        db.write(async |tx| {
            rounds::propose(
                tx,
                &coordination(),
                &lotse_domain::ids::RoundId::from(&round),
                &lotse_domain::ids::OrganisationId::from(&org),
                &proposal,
                now(),
            )
            .await
        })
        .await
        .unwrap();
        assert_eq!(rounds::proposals(&db, &round).await.unwrap().len(), 1);

        // Closing freezes the snapshot; nothing in the round can change any more.
        let closed = db
            .write(async |tx| rounds::close(tx, &coordination(), &round, now()).await)
            .await
            .unwrap();
        assert_eq!(closed, expected);
        let snapshot = rounds::snapshot(&db, &round).await.unwrap();
        let row = snapshot
            .iter()
            .find(|r| r.measure_id == first.measure_id)
            .unwrap();
        assert_eq!(
            (
                row.status.as_str(),
                row.adaptation.as_str(),
                row.update_state.as_str()
            ),
            ("established", "adjust", "accepted")
        );
        assert!(
            snapshot
                .iter()
                .filter(|r| r.measure_id != first.measure_id)
                .all(|r| r.update_state == "missing" && r.progress.is_empty())
        );

        let later = db
            .write(async |tx| {
                rounds::submit(
                    tx,
                    &coordinator(),
                    &lotse_domain::ids::ReportId::from(&updates[1].id),
                    &good_update(),
                    now(),
                )
                .await
            })
            .await;
        assert!(matches!(later, Err(StoreError::Invalid(ref e)) if e.get("round").is_some()));
        let again = db
            .write(async |tx| rounds::close(tx, &coordination(), &round, now()).await)
            .await;
        assert!(matches!(again, Err(StoreError::Invalid(_))));
        // Later edits of the measure do not touch the snapshot; the database refuses direct changes.
        let mut changed = measures::get(&db, &first.measure_id).await.unwrap();
        changed.title = "Neuer Titel".into();
        raw(&db, "UPDATE measures SET title = 'Neuer Titel'")
            .await
            .unwrap();
        assert_eq!(rounds::snapshot(&db, &round).await.unwrap(), snapshot);
        assert!(
            raw(&db, "UPDATE review_snapshots SET status = 'dropped'")
                .await
                .is_err()
        );
        assert!(raw(&db, "DELETE FROM review_snapshots").await.is_err());
    }
);

both_backends!(opening_needs_a_date_and_measures, |db: Db| async move {
    prepared(&db).await;
    let err = db
        .write(async |tx| {
            rounds::open(
                tx,
                &coordination(),
                "",
                "30.06.",
                "30.02.2099",
                &[],
                false,
                now(),
            )
            .await
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid(e) if e.get("title").is_some() && e.get("reference_date").is_some() && e.get("submission_deadline").is_some()),
        "{err:?}"
    );
    let err = db
        .write(async |tx| {
            rounds::open(
                tx,
                &coordination(),
                "Leer",
                "2026-06-30",
                "2099-12-31",
                &[],
                false,
                now(),
            )
            .await
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid(e) if e.get("concept_ids").is_some()),
        "{err:?}"
    );
    assert!(
        rounds::rounds(&db).await.unwrap().is_empty(),
        "nothing half-written"
    );
});

both_backends!(the_status_report_counts_and_compares, |db: Db| async move {
    demo(&db).await;
    let rounds = rounds::rounds(&db).await.unwrap();
    let closed = rounds.iter().find(|r| !r.is_open()).unwrap();
    let report = lotse_store::status_report::build(&db, &closed.id)
        .await
        .unwrap();
    let counted: usize = report.by_status.iter().map(|(_, n)| n).sum();
    assert_eq!(counted, report.rows.len());
    assert_eq!(
        report.by_field.iter().map(|f| f.total).sum::<usize>(),
        report.rows.len()
    );
    assert!(
        report.previous.is_none(),
        "the first round has nothing to compare with"
    );
    assert!(report.fictitious > 0 && report.fictitious < report.rows.len());
    assert!(!report.adaptations.is_empty());

    // Close the open round: it is compared with the earlier one.
    let open = rounds.iter().find(|r| r.is_open()).unwrap();
    db.write(async |tx| rounds::close(tx, &coordination(), &open.id, now()).await)
        .await
        .unwrap();
    let second = lotse_store::status_report::build(&db, &open.id)
        .await
        .unwrap();
    assert_eq!(
        second.previous.as_ref().map(|p| p.id.as_str()),
        Some(closed.id.as_str())
    );
    assert!(
        !second.changes.is_empty(),
        "demo statuses moved between the rounds"
    );
    assert!(second.changes.iter().all(|c| c.from != c.to));
    let err = lotse_store::status_report::build(&db, "nope")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound));
});

both_backends!(
    measures_filter_by_the_last_reported_adaptation_need,
    |db: Db| async move {
        demo(&db).await;
        let drop = measures::list(
            &db,
            &measures::MeasureFilter {
                adaptation: "drop".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let adjust = measures::list(
            &db,
            &measures::MeasureFilter {
                adaptation: "adjust".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(!adjust.is_empty(), "the demo rounds propose adjustments");
        assert!(
            drop.iter().all(|m| !adjust.iter().any(|a| a.id == m.id)),
            "one answer per measure: the newest"
        );
        // The database's answer (the list pages) is the same.
        for (key, expected) in [("drop", &drop), ("adjust", &adjust)] {
            let page = measures::page(
                &db,
                &measures::MeasureFilter {
                    adaptation: key.into(),
                    ..Default::default()
                },
                &lotse_store::paging::PageRequest::first(200),
            )
            .await
            .unwrap();
            let ids =
                |list: &[measures::Measure]| list.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
            assert_eq!(ids(&page.items), ids(expected), "{key}");
        }
    }
);

both_backends!(
    a_review_applies_only_to_the_version_seen,
    |db: Db| async move {
        let kim = demo(&db).await;
        let round = db
            .write(async |tx| {
                rounds::open(
                    tx,
                    &coordination(),
                    "Versionen",
                    "2026-07-31",
                    "2099-12-31",
                    std::slice::from_ref(&kim),
                    false,
                    now(),
                )
                .await
            })
            .await
            .unwrap();
        let update = rounds::updates(&db, &round, None).await.unwrap()[0].clone();
        db.write(async |tx| {
            rounds::submit(
                tx,
                &coordinator(),
                &lotse_domain::ids::ReportId::from(&update.id),
                &good_update(),
                1_000,
            )
            .await
        })
        .await
        .unwrap();
        let seen = rounds::update(&db, &update.id).await.unwrap().submitted_at;
        db.write(async |tx| {
            rounds::submit(
                tx,
                &coordinator(),
                &lotse_domain::ids::ReportId::from(&update.id),
                &good_update(),
                2_000,
            )
            .await
        })
        .await
        .unwrap();
        let stale = db
            .write(async |tx| {
                rounds::review(
                    tx,
                    &coordinator(),
                    &lotse_domain::ids::ReportId::from(&update.id),
                    Decision::Accept,
                    "",
                    seen,
                    now(),
                )
                .await
            })
            .await;
        assert!(
            matches!(stale, Err(StoreError::Invalid(ref e)) if e.get("state").is_some()),
            "{stale:?}"
        );
        let fresh = rounds::update(&db, &update.id).await.unwrap().submitted_at;
        db.write(async |tx| {
            rounds::review(
                tx,
                &coordinator(),
                &lotse_domain::ids::ReportId::from(&update.id),
                Decision::Accept,
                "",
                fresh,
                now(),
            )
            .await
        })
        .await
        .unwrap();
    }
);

both_backends!(
    indicator_values_come_with_the_report_and_count_on_acceptance,
    |db: Db| async move {
        let kim = demo(&db).await;
        let round = db
            .write(async |tx| {
                rounds::open(
                    tx,
                    &coordination(),
                    "Mit Werten",
                    "2026-08-31",
                    "2099-12-31",
                    std::slice::from_ref(&kim),
                    false,
                    now(),
                )
                .await
            })
            .await
            .unwrap();
        let update = rounds::updates(&db, &round, None).await.unwrap()[0].clone();
        let indicator = db
            .write(async |tx| {
                measures::add_indicator(
                    tx,
                    &coordination(),
                    &update.measure_id,
                    "Beratungen",
                    "Anzahl",
                    "100",
                    now(),
                )
                .await
            })
            .await
            .unwrap();
        let mut input = good_update();
        input.values = vec![(indicator.clone(), "viele".into())];
        let bad = db
            .write(async |tx| {
                rounds::submit(
                    tx,
                    &coordinator(),
                    &lotse_domain::ids::ReportId::from(&update.id),
                    &input,
                    now(),
                )
                .await
            })
            .await;
        assert!(
            matches!(bad, Err(StoreError::Invalid(ref e)) if e.get(&format!("value_{indicator}")).is_some()),
            "{bad:?}"
        );
        input.values = vec![("fremder-indikator".into(), "1".into())];
        let foreign = db
            .write(async |tx| {
                rounds::submit(
                    tx,
                    &coordinator(),
                    &lotse_domain::ids::ReportId::from(&update.id),
                    &input,
                    now(),
                )
                .await
            })
            .await;
        assert!(matches!(foreign, Err(StoreError::NotFound)));
        input.values = vec![(indicator.clone(), "1.234,5".into())];
        db.write(async |tx| {
            rounds::submit(
                tx,
                &coordinator(),
                &lotse_domain::ids::ReportId::from(&update.id),
                &input,
                now(),
            )
            .await
        })
        .await
        .unwrap();
        assert_eq!(
            rounds::update_values(&db, &update.id).await.unwrap(),
            vec![(indicator.clone(), 1234.5)]
        );
        assert!(
            measures::indicators(&db, &update.measure_id).await.unwrap()[0]
                .values
                .is_empty(),
            "counted only when accepted"
        );
        db.write(async |tx| {
            rounds::review(
                tx,
                &coordinator(),
                &lotse_domain::ids::ReportId::from(&update.id),
                Decision::Accept,
                "",
                None,
                now(),
            )
            .await
        })
        .await
        .unwrap();
        let values = &measures::indicators(&db, &update.measure_id).await.unwrap()[0].values;
        assert_eq!(
            values,
            &vec![(crate::day("2026-08-31"), 1234.5)],
            "recorded as of the reference date"
        );
    }
);
