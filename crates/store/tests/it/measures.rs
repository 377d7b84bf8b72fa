use lotse_domain::measure::MeasureInput;
use lotse_domain::organisation::OrganisationInput;
use lotse_store::measures::{self, ConceptInput, MeasureFilter};
use lotse_store::paging::{Count, PageRequest};
use lotse_store::{Db, StoreError, audit, both_backends, organisations};

use crate::{admin, day, now, prepared};

struct Setup {
    concept: String,
    other_concept: String,
    field: String,
    other_field: String,
    caritas: String,
    ki: String,
}

async fn setup(db: &Db) -> Setup {
    prepared(db).await;
    let vocab = organisations::vocabulary(db).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let org = |name: &str, kind: &str| {
        OrganisationInput {
            name: name.into(),
            kind: kind.into(),
            ..Default::default()
        }
        .validate(&vocab)
        .unwrap()
    };
    let caritas = organisations::create(
        &mut tx,
        &admin(),
        &org("Caritas", "welfare_association"),
        false,
        now(),
    )
    .await
    .unwrap();
    let ki = organisations::create(
        &mut tx,
        &admin(),
        &org("KI", "integration_centre"),
        false,
        now(),
    )
    .await
    .unwrap();
    let c = |short: &str| {
        ConceptInput {
            short_name: short.into(),
            title: format!("Konzept {short}"),
            adopted_on: "2010-07-02".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|_| panic!("valid concept"))
    };
    let concept = measures::create_concept(&mut tx, &admin(), &c("IK 2010"), false, now())
        .await
        .unwrap();
    let other_concept = measures::create_concept(&mut tx, &admin(), &c("HK 2016"), false, now())
        .await
        .unwrap();
    let field =
        measures::add_field_of_action(&mut tx, &admin(), &concept, "Sprache und Bildung", now())
            .await
            .unwrap();
    let other_field =
        measures::add_field_of_action(&mut tx, &admin(), &other_concept, "Wohnen", now())
            .await
            .unwrap();
    tx.commit().await.unwrap();
    Setup {
        concept,
        other_concept,
        field,
        other_field,
        caritas,
        ki,
    }
}

fn input(s: &Setup, code: &str, title: &str) -> MeasureInput {
    MeasureInput {
        concept_id: s.concept.clone(),
        code: code.into(),
        title: title.into(),
        description: "Förderung der Sprache in Kitas".into(),
        field_of_action_id: s.field.clone(),
        lead_organisation_id: s.ki.clone(),
        partner_ids: vec![s.caritas.clone()],
        ki_involvement: "lead".into(),
        target_group: "Familien".into(),
        towns: vec!["05570004".into(), "05570008".into()],
        planned_start: "2011-01-01".into(),
        planned_end: "".into(),
        status: "in_progress".into(),
        tags: "Sprache, Kita".into(),
    }
}

async fn create(db: &Db, input: &MeasureInput) -> String {
    let draft = measures::validate(db, input).await.unwrap();
    db.write(async |tx| measures::create(tx, &admin(), &draft, false, now()).await)
        .await
        .unwrap()
}

both_backends!(
    measures_with_partners_towns_and_history,
    |db: Db| async move {
        let s = setup(&db).await;
        let id = create(&db, &input(&s, "1.1", "Rucksack-KiTa ausbauen")).await;
        let m = measures::get(&db, &id).await.unwrap();
        assert_eq!(m.concept, "IK 2010");
        assert_eq!(m.field_of_action.as_deref(), Some("Sprache und Bildung"));
        assert_eq!(m.lead_organisation.as_deref(), Some("KI"));
        assert_eq!(m.partners, vec![(s.caritas.clone(), "Caritas".to_owned())]);
        assert_eq!(
            m.towns.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
            ["Ahlen", "Beckum"]
        );
        assert_eq!(m.status_label(), "in Umsetzung");
        assert_eq!(m.tag_list(), ["Sprache", "Kita"]);

        // A status change needs a reason and is kept in the history.
        let mut changed = input(&s, "1.1", "Rucksack-KiTa ausbauen");
        changed.status = "established".into();
        let draft = measures::validate(&db, &changed).await.unwrap();
        let err = db
            .write(async |tx| measures::update(tx, &admin(), &m, &draft, " ", now()).await)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Invalid(e) if e.get("reason").is_some()),
            "{err:?}"
        );
        db.write(async |tx| {
            measures::update(
                tx,
                &admin(),
                &m,
                &draft,
                "in allen Kitas verstetigt",
                now() + 1,
            )
            .await
        })
        .await
        .unwrap();
        let history = measures::status_history(&db, &id).await.unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].to_status, "established");
        assert_eq!(history[0].from_status.as_deref(), Some("in_progress"));
        assert_eq!(history[0].reason, "in allen Kitas verstetigt");
        assert_eq!(history[1].reason, "angelegt");
        let log = audit::search(
            &db,
            &audit::AuditFilter {
                record_id: Some(id.clone()),
                ..Default::default()
            },
            5,
            0,
        )
        .await
        .unwrap();
        assert_eq!(log[0].action, "update");
        assert!(log[0].changes.contains("verstetigt"));
    }
);

both_backends!(
    codes_are_unique_per_concept_and_references_are_checked,
    |db: Db| async move {
        let s = setup(&db).await;
        create(&db, &input(&s, "1.1", "Erste")).await;
        let dup = measures::validate(&db, &input(&s, "1.1", "Zweite"))
            .await
            .unwrap();
        let err = db
            .write(async |tx| measures::create(tx, &admin(), &dup, false, now()).await)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Invalid(e) if e.get("code").is_some()),
            "{err:?}"
        );
        // The same number in another concept is fine.
        let mut other = input(&s, "1.1", "Andere");
        other.concept_id = s.other_concept.clone();
        other.field_of_action_id = s.other_field.clone();
        create(&db, &other).await;

        let mut wrong = input(&s, "9", "Falsch");
        wrong.field_of_action_id = s.other_field.clone();
        wrong.partner_ids = vec!["gibt-es-nicht".into()];
        wrong.towns = vec!["05570099".into()];
        match measures::validate(&db, &wrong).await {
            Err(StoreError::Invalid(e)) => {
                for f in ["field_of_action_id", "partner_ids", "towns"] {
                    assert!(e.get(f).is_some(), "{f}: {e}");
                }
            }
            other => panic!("expected field errors, got {other:?}"),
        }
    }
);

both_backends!(filters_and_search, |db: Db| async move {
    let s = setup(&db).await;
    create(&db, &input(&s, "1.2", "Sprachförderung in Kitas")).await;
    let mut everywhere = input(&s, "1.10", "Elterntrainings");
    everywhere.towns = vec![];
    everywhere.description = String::new();
    everywhere.status = "planned".into();
    everywhere.ki_involvement = "none".into();
    everywhere.lead_organisation_id = s.caritas.clone();
    create(&db, &everywhere).await;

    // Every filter answered twice: by the database, one row per page (keyset paging), and by the
    // filter's own rules over all measures; both must agree.
    let codes = |f: MeasureFilter| {
        let db = db.clone();
        async move {
            let expected: Vec<String> = measures::list(&db, &f)
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.code)
                .collect();
            let mut paged = Vec::new();
            let mut request = PageRequest::first(1);
            loop {
                let page = measures::page(&db, &f, &request).await.unwrap();
                paged.extend(page.items.into_iter().map(|m| m.code));
                match page.next {
                    Some(c) => request = PageRequest::new(Some(&c.encode()), Some(1)),
                    None => break,
                }
            }
            assert_eq!(paged, expected, "{f:?}");
            assert_eq!(
                measures::count(&db, &f).await.unwrap(),
                Count::Exactly(expected.len() as i64)
            );
            expected
        }
    };
    assert_eq!(
        codes(MeasureFilter::default()).await,
        ["1.2", "1.10"],
        "numbered as people count"
    );
    assert_eq!(
        codes(MeasureFilter {
            status: "planned".into(),
            ..Default::default()
        })
        .await,
        ["1.10"]
    );
    assert_eq!(
        codes(MeasureFilter {
            ki: "lead".into(),
            ..Default::default()
        })
        .await,
        ["1.2"]
    );
    assert_eq!(
        codes(MeasureFilter {
            lead: s.caritas.clone(),
            ..Default::default()
        })
        .await,
        ["1.10"]
    );
    // A measure for all towns concerns Telgte too; one for Ahlen and Beckum does not.
    assert_eq!(
        codes(MeasureFilter {
            town: "05570044".into(),
            ..Default::default()
        })
        .await,
        ["1.10"]
    );
    assert_eq!(
        codes(MeasureFilter {
            town: "05570004".into(),
            ..Default::default()
        })
        .await,
        ["1.2", "1.10"]
    );
    assert_eq!(
        codes(MeasureFilter {
            q: "SPRACHFOERDERUNG kitas".into(),
            ..Default::default()
        })
        .await,
        ["1.2"]
    );
    assert_eq!(
        codes(MeasureFilter {
            tag: "kita".into(),
            ..Default::default()
        })
        .await,
        ["1.2", "1.10"]
    );
    assert!(
        codes(MeasureFilter {
            concept: s.other_concept.clone(),
            ..Default::default()
        })
        .await
        .is_empty()
    );
});

both_backends!(indicators_record_values_over_time, |db: Db| async move {
    let s = setup(&db).await;
    let id = create(&db, &input(&s, "1.1", "Mit Kennzahl")).await;
    let ind = db
        .write(async |tx| {
            measures::add_indicator(tx, &admin(), &id, "Gruppen", "Anzahl", "12", now()).await
        })
        .await
        .unwrap();
    for (date, value) in [
        ("2024-12-31", "8"),
        ("2025-12-31", "10,5"),
        ("2024-12-31", "9"),
    ] {
        db.write(async |tx| {
            measures::record_value(
                tx,
                &admin(),
                &lotse_domain::ids::MeasureId::from(&id),
                &lotse_domain::ids::IndicatorId::from(&ind),
                date,
                value,
                now(),
            )
            .await
        })
        .await
        .unwrap();
    }
    let list = measures::indicators(&db, &id).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].target, Some(12.0));
    assert_eq!(
        list[0].values,
        vec![
            (crate::day("2024-12-31"), 9.0),
            (crate::day("2025-12-31"), 10.5)
        ]
    );

    let err = db
        .write(async |tx| {
            measures::record_value(
                tx,
                &admin(),
                &lotse_domain::ids::MeasureId::from(&id),
                &lotse_domain::ids::IndicatorId::from(&ind),
                "31.12.",
                "viele",
                now(),
            )
            .await
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid(e) if e.get("value").is_some() && e.get("value_as_of").is_some()),
        "{err:?}"
    );
    let other = create(&db, &input(&s, "1.2", "Andere")).await;
    let err = db
        .write(async |tx| {
            measures::record_value(
                tx,
                &admin(),
                &lotse_domain::ids::MeasureId::from(&other),
                &lotse_domain::ids::IndicatorId::from(&ind),
                "2025-01-01",
                "1",
                now(),
            )
            .await
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound),
        "an indicator is only recorded through its own measure"
    );
});

both_backends!(concepts_have_unique_short_names, |db: Db| async move {
    let s = setup(&db).await;
    create(&db, &input(&s, "1.1", "Eine")).await;
    let concepts = measures::concepts(&db).await.unwrap();
    assert_eq!(
        concepts
            .iter()
            .find(|c| c.id == s.concept)
            .unwrap()
            .measure_count,
        1
    );
    let dup = ConceptInput {
        short_name: "IK 2010".into(),
        title: "Noch eins".into(),
        ..Default::default()
    }
    .validate()
    .unwrap_or_else(|_| panic!());
    let err = db
        .write(async |tx| measures::create_concept(tx, &admin(), &dup, false, now()).await)
        .await
        .unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(e) if e.get("short_name").is_some()));
    assert!(
        ConceptInput {
            adopted_on: "2.7.2010".into(),
            ..Default::default()
        }
        .validate()
        .is_err()
    );
});

both_backends!(
    catalogue_import_checks_every_row_first,
    |db: Db| async move {
        use lotse_domain::measure_import::ImportRow;
        use lotse_store::measure_import;
        use lotse_store::organisations::ImportMode;
        let s = setup(&db).await;
        let row = |line: usize, code: &str, title: &str, status: &str, lead: &str| ImportRow {
            line,
            code: code.into(),
            title: title.into(),
            status: status.into(),
            lead: lead.into(),
            field: "Neues Handlungsfeld".into(),
            partners: vec!["caritas".into(), "Neue Initiative".into()],
            start: "2025".into(),
            ..Default::default()
        };
        let rows = vec![
            row(5, "7.1", "Erste", "geplant", "KI"),
            row(6, "7.1", "Doppelt", "geplant", "KI"),
            row(7, "7.2", "", "läuft", "Neuer Träger"),
            row(8, "7.3", "Dritte", "umgesetzt", "Neuer Träger"),
        ];
        let report = measure_import::import(
            &db,
            &admin(),
            &s.concept,
            &rows,
            ImportMode::AllOrNothing,
            now(),
        )
        .await
        .unwrap();
        assert_eq!(report.created, 0);
        let messages: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("Zeile 6, Spalte Nr.: Dieselbe Nr. steht schon in Zeile 5")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("Zeile 7, Spalte Maßnahme")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("Zeile 7, Spalte Sachstand")),
            "{messages:?}"
        );
        assert!(
            measures::list(&db, &MeasureFilter::default())
                .await
                .unwrap()
                .is_empty(),
            "nothing written"
        );

        let report = measure_import::import(
            &db,
            &admin(),
            &s.concept,
            &rows,
            ImportMode::ValidRowsOnly,
            now(),
        )
        .await
        .unwrap();
        assert_eq!(
            (
                report.created,
                report.fields_created,
                report.organisations_created
            ),
            (2, 1, 2)
        );
        let list = measures::list(&db, &MeasureFilter::default())
            .await
            .unwrap();
        assert_eq!(
            list.iter().map(|m| m.code.as_str()).collect::<Vec<_>>(),
            ["7.1", "7.3"]
        );
        assert_eq!(
            list[0].lead_organisation.as_deref(),
            Some("KI"),
            "matched by name, not created again"
        );
        assert_eq!(list[1].status, "established");
        assert_eq!(list[0].partners.len(), 2);
    }
);

both_backends!(
    measures_created_in_bulk_keep_every_value,
    |db: Db| async move {
        use lotse_domain::measure::{KiInvolvement, MeasureDraft, MeasureStatus};
        let s = setup(&db).await;
        // Values the JSON path of the bulk insert could bend: quotes, backslashes, line breaks,
        // scripts, texts that look like numbers, booleans or null, and absent optional values.
        let awkward = MeasureDraft {
            concept_id: s.concept.clone(),
            code: "0042".into(),
            title: "„Café“ 'Ümit' \\ \"zitiert\" 🙂 مرحبا".into(),
            description: "Zeile 1\nZeile 2\t{\"a\": [1]}".into(),
            field_of_action_id: Some(s.field.clone()),
            lead_organisation_id: Some(s.ki.clone()),
            partner_ids: vec![s.caritas.clone(), s.ki.clone()],
            ki_involvement: KiInvolvement::Involved,
            target_group: "null".into(),
            towns: vec!["05570004".into()],
            planned_start: Some(day("2025-01-01")),
            planned_end: None,
            status: MeasureStatus::OnHold,
            tags: vec!["true".into(), "1e3".into()],
        };
        let plain = MeasureDraft {
            code: "A-2".into(),
            title: "Schlicht".into(),
            description: String::new(),
            field_of_action_id: None,
            lead_organisation_id: None,
            partner_ids: Vec::new(),
            towns: Vec::new(),
            planned_start: None,
            tags: Vec::new(),
            ..awkward.clone()
        };
        let drafts = vec![awkward.clone(), plain.clone()];
        let at = now();
        let ids = db
            .write(async |tx| measures::create_many(tx, &admin(), &drafts, true, at).await)
            .await
            .unwrap();
        assert_eq!(ids.len(), 2);
        for (id, d) in ids.iter().zip(&drafts) {
            let m = measures::get(&db, id).await.unwrap();
            assert_eq!(
                (
                    m.code.as_str(),
                    m.title.as_str(),
                    m.description.as_str(),
                    m.target_group.as_str(),
                    m.status.as_str(),
                    m.ki_involvement.as_str(),
                ),
                (
                    d.code.as_str(),
                    d.title.as_str(),
                    d.description.as_str(),
                    d.target_group.as_str(),
                    d.status.key(),
                    d.ki_involvement.key(),
                )
            );
            assert_eq!(m.field_of_action_id, d.field_of_action_id);
            assert_eq!(m.lead_organisation_id, d.lead_organisation_id);
            assert_eq!(
                (&m.planned_start, &m.planned_end),
                (&d.planned_start, &d.planned_end)
            );
            assert_eq!(m.tags, d.tags.join(", "));
            assert!(m.fictitious);
            assert_eq!(m.created_at, at);
            let mut partners: Vec<String> = m.partners.iter().map(|p| p.0.clone()).collect();
            partners.sort();
            let mut expected = d.partner_ids.clone();
            expected.sort();
            assert_eq!(partners, expected);
            assert_eq!(
                m.towns.iter().map(|t| t.0.clone()).collect::<Vec<_>>(),
                d.towns
            );
            let history = measures::status_history(&db, id).await.unwrap();
            assert_eq!(history.len(), 1);
            assert_eq!(history[0].to_status, "on_hold");
            assert_eq!(history[0].reason, "angelegt");
            let log = audit::search(
                &db,
                &audit::AuditFilter {
                    record_id: Some(id.clone()),
                    ..Default::default()
                },
                5,
                0,
            )
            .await
            .unwrap();
            assert_eq!(log.len(), 1);
            assert_eq!(log[0].action, "create");
            assert!(
                log[0]
                    .changes
                    .contains(&serde_json::to_string(&d.code).unwrap())
            );
        }
        assert_eq!(audit::verify(&db).await.unwrap().first_broken, None);

        // One taken number refuses the whole batch: nothing of it is written.
        let again = vec![
            MeasureDraft {
                code: "neu".into(),
                ..plain.clone()
            },
            plain.clone(),
        ];
        let err = db
            .write(async |tx| measures::create_many(tx, &admin(), &again, false, now()).await)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Invalid(e) if e.get("code").is_some()),
            "{err:?}"
        );
        assert_eq!(
            measures::list(&db, &MeasureFilter::default())
                .await
                .unwrap()
                .len(),
            2
        );
    }
);
