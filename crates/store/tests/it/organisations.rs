use lotse_domain::organisation::OrganisationInput;
use lotse_domain::parse_organisation_csv;
use lotse_store::organisations::{self, ImportMode};
use lotse_store::{Db, StoreError, audit, both_backends};

use crate::{admin, now, prepared};

fn input(name: &str) -> OrganisationInput {
    OrganisationInput {
        name: name.into(),
        kind: "welfare_association".into(),
        town: "Ahlen".into(),
        postcode: "59227".into(),
        ..Default::default()
    }
}

both_backends!(create_update_deactivate_with_audit, |db: Db| async move {
    prepared(&db).await;
    let vocab = organisations::vocabulary(&db).await.unwrap();
    let draft = input("Caritas Ahlen").validate(&vocab).unwrap();
    let mut tx = db.begin().await.unwrap();
    let id = organisations::create(&mut tx, &admin(), &draft, false, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let org = organisations::get(&db, &id).await.unwrap();
    assert_eq!(org.town_name.as_deref(), Some("Ahlen"));
    assert_eq!(org.kind_label, "Wohlfahrtsverband");
    assert!(org.active);

    let mut changed = input("Caritas Ahlen");
    changed.city = "Ahlen".into();
    let draft = changed.validate(&vocab).unwrap();
    let mut tx = db.begin().await.unwrap();
    organisations::update(&mut tx, &admin(), &id, &draft, now())
        .await
        .unwrap();
    organisations::set_active(&mut tx, &admin(), &id, false, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    assert!(
        organisations::list(&db, false)
            .await
            .unwrap()
            .iter()
            .all(|o| o.id != id)
    );
    assert!(
        organisations::list(&db, true)
            .await
            .unwrap()
            .iter()
            .any(|o| o.id == id && !o.active)
    );

    let filter = audit::AuditFilter {
        record_id: Some(id.clone()),
        ..Default::default()
    };
    let entries = audit::search(&db, &filter, 10, 0).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["deactivate", "update", "create"]);
    // The update records only what changed.
    let update: serde_json::Value = serde_json::from_str(&entries[1].changes).unwrap();
    assert_eq!(
        update,
        serde_json::json!({ "city": { "from": "", "to": "Ahlen" } })
    );
});

both_backends!(duplicate_names_are_refused_by_field, |db: Db| async move {
    prepared(&db).await;
    let vocab = organisations::vocabulary(&db).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    organisations::create(
        &mut tx,
        &admin(),
        &input("AWO").validate(&vocab).unwrap(),
        false,
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let err = organisations::create(
        &mut tx,
        &admin(),
        &input(" awo ").validate(&vocab).unwrap(),
        false,
        now(),
    )
    .await
    .unwrap_err();
    match err {
        StoreError::Invalid(e) => assert!(e.get("name").unwrap().contains("gibt es schon")),
        other => panic!("expected a field error, got {other:?}"),
    }
});

const CSV: &str = "\u{feff}Name;Art;Gemeinde;PLZ;E-Mail\n\
    Diakonie Beckum;Wohlfahrtsverband;Beckum;59269;info@example.org\n\
    Schule am Park;Schule;Oelde;1234;\n\
    Diakonie Beckum;Wohlfahrtsverband;;;\n\
    Kulturverein;Migrantenorganisation;Münster;;kein-mail\n\
    Jobcenter;Jobcenter;;;\n";

both_backends!(
    import_all_or_nothing_writes_nothing_on_errors,
    |db: Db| async move {
        prepared(&db).await;
        let rows = parse_organisation_csv(CSV.as_bytes()).unwrap();
        let report = organisations::import(&db, &admin(), &rows, ImportMode::AllOrNothing, now())
            .await
            .unwrap();
        assert_eq!(report.rows, 5);
        assert_eq!(report.created, 0);
        let messages: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert!(
            messages.contains(&"Zeile 3, PLZ: Die Postleitzahl hat 5 Ziffern.".to_owned()),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("Zeile 4, Name: Derselbe Name steht schon in Zeile 2")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("Zeile 5, Gemeinde:")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("Zeile 5, E-Mail:")),
            "{messages:?}"
        );
        assert!(organisations::list(&db, true).await.unwrap().is_empty());
    }
);

both_backends!(import_valid_rows_only, |db: Db| async move {
    prepared(&db).await;
    let rows = parse_organisation_csv(CSV.as_bytes()).unwrap();
    let report = organisations::import(&db, &admin(), &rows, ImportMode::ValidRowsOnly, now())
        .await
        .unwrap();
    assert_eq!(report.created, 2);
    let names: Vec<String> = organisations::list(&db, true)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert_eq!(names, ["Diakonie Beckum", "Jobcenter"]);
    // Importing the same file again finds the names already stored.
    let again = organisations::import(&db, &admin(), &rows, ImportMode::ValidRowsOnly, now())
        .await
        .unwrap();
    assert_eq!(again.created, 0);
    assert!(
        again
            .errors
            .iter()
            .any(|e| e.line == 2 && e.message.contains("gibt es schon"))
    );
});

both_backends!(
    lists_sort_umlauts_alike_on_both_backends,
    |db: Db| async move {
        prepared(&db).await;
        let vocab = organisations::vocabulary(&db).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        for name in [
            "Zentrum Nord",
            "Ärztekammer",
            "apotheke am Markt",
            "Ölmühle e. V.",
        ] {
            organisations::create(
                &mut tx,
                &admin(),
                &input(name).validate(&vocab).unwrap(),
                false,
                now(),
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let names: Vec<String> = organisations::list(&db, false)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.name)
            .collect();
        assert_eq!(
            names,
            [
                "apotheke am Markt",
                "Ärztekammer",
                "Ölmühle e. V.",
                "Zentrum Nord"
            ]
        );
    }
);

both_backends!(
    the_directory_pages_in_german_order_and_filters_in_sql,
    |db: Db| async move {
        use lotse_store::organisations::OrganisationFilter;
        use lotse_store::paging::{Count, PageRequest};
        prepared(&db).await;
        let vocab = organisations::vocabulary(&db).await.unwrap();
        let orgs = [
            ("Übersetzungsbüro Öztürk", "other", "Ahlen"),
            ("awo Beckum", "welfare_association", "Beckum"),
            ("Caritas Ahlen", "welfare_association", "Ahlen"),
            ("Arbeitslosenzentrum", "other", "Münster"),
            ("Zentrum für Ärztinnen", "other", "Warendorf"),
            ("Ölmühle e. V.", "other", "Ennigerloh"),
        ];
        for (name, kind, city) in orgs {
            let draft = lotse_domain::organisation::OrganisationInput {
                name: name.into(),
                kind: kind.into(),
                city: city.into(),
                ..Default::default()
            }
            .validate(&vocab)
            .unwrap();
            db.write(async |tx| organisations::create(tx, &admin(), &draft, false, now()).await)
                .await
                .unwrap();
        }
        // The filter's own rules over the whole directory, as the page did before, are the oracle.
        let walk = |filter: OrganisationFilter| {
            let db = db.clone();
            async move {
                let mut names = Vec::new();
                let mut request = PageRequest::first(2);
                loop {
                    let page = organisations::page(&db, &filter, &request).await.unwrap();
                    names.extend(page.items.into_iter().map(|o| o.name));
                    match page.next {
                        Some(c) => request = PageRequest::new(Some(&c.encode()), Some(2)),
                        None => break,
                    }
                }
                let Count::Exactly(n) = organisations::count(&db, &filter).await.unwrap() else {
                    panic!("a handful of organisations");
                };
                assert_eq!(n as usize, names.len());
                names
            }
        };
        let all = walk(OrganisationFilter::default()).await;
        let mut expected: Vec<String> = organisations::list(&db, false)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.name)
            .collect();
        expected.sort_by_cached_key(|n| lotse_domain::collation::sort_key(n));
        assert_eq!(all, expected);
        assert_eq!(
            walk(OrganisationFilter {
                q: "ahlen".into(),
                ..Default::default()
            })
            .await,
            ["Caritas Ahlen", "Übersetzungsbüro Öztürk"],
            "found by city too"
        );
        assert_eq!(
            walk(OrganisationFilter {
                q: "OEZTUERK".into(),
                ..Default::default()
            })
            .await,
            ["Übersetzungsbüro Öztürk"],
            "umlauts and their spellings"
        );
        assert_eq!(
            walk(OrganisationFilter {
                kind: "welfare_association".into(),
                q: "beckum".into(),
                ..Default::default()
            })
            .await,
            ["awo Beckum"]
        );
    }
);

both_backends!(
    labels_existing_and_by_ids_read_only_the_given_organisations,
    |db: Db| async move {
        prepared(&db).await;
        let vocab = organisations::vocabulary(&db).await.unwrap();
        let mut ids = Vec::new();
        for name in [
            "Zentrum Nord",
            "Ärztekammer",
            "Ölmühle e. V.",
            "Beratung Süd",
        ] {
            let draft = input(name).validate(&vocab).unwrap();
            ids.push(
                db.write(async |tx| {
                    organisations::create(tx, &admin(), &draft, false, now()).await
                })
                .await
                .unwrap(),
            );
        }
        let (zentrum, aerzte, oelmuehle, beratung) = (
            ids[0].as_str(),
            ids[1].as_str(),
            ids[2].as_str(),
            ids[3].as_str(),
        );
        db.write(async |tx| organisations::set_active(tx, &admin(), oelmuehle, false, now()).await)
            .await
            .unwrap();

        // Labels: chosen ones in list order, deactivated ones marked, unknown and blank ids
        // and repetitions left out.
        let labels = organisations::labels(
            &db,
            &[zentrum, "gibt-es-nicht", oelmuehle, " ", aerzte, zentrum],
        )
        .await
        .unwrap();
        assert_eq!(
            labels,
            [
                (aerzte.to_owned(), "Ärztekammer".to_owned()),
                (
                    oelmuehle.to_owned(),
                    "Ölmühle e. V. (deaktiviert)".to_owned()
                ),
                (zentrum.to_owned(), "Zentrum Nord".to_owned()),
            ]
        );
        assert!(organisations::labels(&db, &[]).await.unwrap().is_empty());

        // Existing: which ids are stored (deactivated ones too), in the order given.
        assert_eq!(
            organisations::existing(&db, &[beratung, "gibt-es-nicht", oelmuehle, "", beratung])
                .await
                .unwrap(),
            [beratung.to_owned(), oelmuehle.to_owned()]
        );
        assert!(
            organisations::existing(&db, &["x", "y"])
                .await
                .unwrap()
                .is_empty()
        );
        // More ids than one statement binds: still only those that exist.
        let mut many: Vec<String> = (0..1_200).map(|i| format!("unbekannt-{i}")).collect();
        many.push(zentrum.to_owned());
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            organisations::existing(&db, &many).await.unwrap(),
            [zentrum.to_owned()]
        );
        assert_eq!(
            organisations::labels(&db, &many).await.unwrap(),
            [(zentrum.to_owned(), "Zentrum Nord".to_owned())]
        );

        // By ids: whole rows in the order asked for.
        let rows = organisations::by_ids(&db, &[oelmuehle, "gibt-es-nicht", zentrum, aerzte])
            .await
            .unwrap();
        let names: Vec<&str> = rows.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["Ölmühle e. V.", "Zentrum Nord", "Ärztekammer"]);
        assert!(!rows[0].active);
        assert_eq!(rows[1], organisations::get(&db, zentrum).await.unwrap());
        assert_eq!(
            organisations::by_ids(&db, &many).await.unwrap().len(),
            1,
            "chunked lookups"
        );
    }
);
