use lotse_domain::programme::{Figures, ProgrammeInput, SiteKind};
use lotse_store::{Db, StoreError, both_backends, measures, programmes};

use crate::{coordination, now, prepared};

const FIT: &str = "485fea7c-eb61-46fe-bfdc-6e001ac9f024";
const GRIFFBEREIT: &str = "5c578973-2319-4da1-a37c-55502705461c";

fn draft(name: &str, part_of: &str) -> lotse_domain::programme::ProgrammeDraft {
    ProgrammeInput {
        name: name.into(),
        part_of: part_of.into(),
        ..ProgrammeInput::default()
    }
    .validate()
    .unwrap()
}

both_backends!(
    programmes_are_seeded_and_nest_one_level,
    |db: Db| async move {
        prepared(&db).await;
        let all = programmes::for_viewer(&db, &coordination())
            .list()
            .await
            .map(|l| {
                l.into_iter()
                    .map(lotse_store::scoped::Scoped::into_inner)
                    .collect::<Vec<_>>()
            })
            .unwrap();
        let names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
        for expected in [
            "FIT – Frühkindliches Integrationstraining",
            "Griffbereit",
            "Rucksack-KiTa",
            "Rucksack Schule",
            "Mercator-Projekt",
            "Sprachhelfer-Projekt",
            "Patenprojekt Übergang Schule–Beruf",
            "Schule ohne Rassismus – Schule mit Courage",
        ] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
        // Parts follow their umbrella in the list.
        let fit = names.iter().position(|n| n.starts_with("FIT")).unwrap();
        assert_eq!(all[fit + 1].part_of.as_deref(), Some(FIT));

        let id = db
            .write(async |tx| {
                programmes::create(
                    tx,
                    &coordination(),
                    &draft("Griffbereit MINI", FIT),
                    false,
                    now(),
                )
                .await
            })
            .await
            .unwrap();
        assert_eq!(
            programmes::for_viewer(&db, &coordination())
                .get(FIT)
                .await
                .map(lotse_store::scoped::Scoped::into_inner)
                .unwrap()
                .parts
                .len(),
            4
        );
        for (parent, field) in [(GRIFFBEREIT, "part_of"), ("nope", "part_of")] {
            let e = db
                .write(async |tx| {
                    programmes::create(tx, &coordination(), &draft("Zu tief", parent), false, now())
                        .await
                })
                .await
                .unwrap_err();
            assert!(
                matches!(e, StoreError::Invalid(ref e) if e.get(field).is_some()),
                "{parent}"
            );
        }
        let e = db
            .write(async |tx| {
                programmes::update(tx, &coordination(), FIT, &draft("FIT", GRIFFBEREIT), now())
                    .await
            })
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Invalid(_)),
            "an umbrella cannot become a part"
        );
        let dup = db
            .write(async |tx| {
                programmes::create(
                    tx,
                    &coordination(),
                    &draft("Griffbereit MINI", ""),
                    false,
                    now(),
                )
                .await
            })
            .await
            .unwrap_err();
        assert!(matches!(dup, StoreError::Invalid(ref e) if e.get("name").is_some()));
        assert_eq!(
            programmes::for_viewer(&db, &coordination())
                .get(&id)
                .await
                .map(lotse_store::scoped::Scoped::into_inner)
                .unwrap()
                .part_of
                .unwrap()
                .0,
            FIT
        );
    }
);

both_backends!(sites_figures_and_measures, |db: Db| async move {
    prepared(&db).await;
    lotse_store::demo::load(&db).await.unwrap();
    let site = db
        .write(async |tx| {
            programmes::add_site(
                tx,
                &coordination(),
                &lotse_domain::ids::ProgrammeId::from(FIT),
                "Grundschule Nord",
                SiteKind::School,
                &lotse_domain::ids::Ags::from("05570052"),
                now(),
            )
            .await
        })
        .await
        .unwrap();
    let figures = |site: Option<&str>, participants| Figures {
        period: "2025/26".into(),
        site_id: site.map(str::to_owned),
        groups: 2,
        participants,
    };
    for f in [
        figures(Some(&site), 14),
        figures(Some(&site), 15),
        figures(None, 40),
    ] {
        db.write(async |tx| programmes::set_figures(tx, &coordination(), FIT, &f, now()).await)
            .await
            .unwrap();
    }
    let p = programmes::for_viewer(&db, &coordination())
        .get(FIT)
        .await
        .map(lotse_store::scoped::Scoped::into_inner)
        .unwrap();
    let counts: Vec<(Option<String>, i64)> = p
        .figures
        .iter()
        .map(|f| (f.site.clone(), f.participant_count))
        .collect();
    assert_eq!(
        counts,
        [(None, 40), (Some("Grundschule Nord".into()), 15)],
        "replaced, not doubled"
    );

    // A site of another programme is refused.
    let other = p.sites[0].id.clone();
    let wrong = Figures {
        site_id: Some(other),
        ..figures(None, 1)
    };
    let e = db
        .write(async |tx| {
            programmes::set_figures(tx, &coordination(), GRIFFBEREIT, &wrong, now()).await
        })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref e) if e.get("site_id").is_some()));
    let bad_town = db
        .write(async |tx| {
            programmes::add_site(
                tx,
                &coordination(),
                &lotse_domain::ids::ProgrammeId::from(FIT),
                "Irgendwo",
                SiteKind::Other,
                &lotse_domain::ids::Ags::from("99999999"),
                now(),
            )
            .await
        })
        .await
        .unwrap_err();
    assert!(matches!(bad_town, StoreError::Invalid(_)));

    // Measures: linked once, listed on both sides, unlinked.
    let m = measures::list(&db, &Default::default()).await.unwrap()[0]
        .id
        .clone();
    for _ in 0..2 {
        db.write(async |tx| {
            programmes::link_measure(
                tx,
                &coordination(),
                &lotse_domain::ids::ProgrammeId::from(FIT),
                &lotse_domain::ids::MeasureId::from(&m),
                now(),
            )
            .await
        })
        .await
        .unwrap();
    }
    assert!(
        programmes::of_measure(&db, &m)
            .await
            .unwrap()
            .iter()
            .any(|(id, _)| id == FIT)
    );
    // Twice, as a double click does: the second finds nothing to undo and is no error (the
    // fuzzer once found it refused as a change without an audit event).
    for _ in 0..2 {
        db.write(async |tx| {
            programmes::unlink_measure(
                tx,
                &coordination(),
                &lotse_domain::ids::ProgrammeId::from(FIT),
                &lotse_domain::ids::MeasureId::from(&m),
                now(),
            )
            .await
        })
        .await
        .unwrap();
    }
    assert!(
        !programmes::of_measure(&db, &m)
            .await
            .unwrap()
            .iter()
            .any(|(id, _)| id == FIT)
    );
    db.write(async |tx| {
        programmes::set_site_active(
            tx,
            &coordination(),
            &lotse_domain::ids::ProgrammeId::from(FIT),
            &lotse_domain::ids::SiteId::from(&site),
            false,
            now(),
        )
        .await
    })
    .await
    .unwrap();
    assert!(
        !programmes::for_viewer(&db, &coordination())
            .get(FIT)
            .await
            .map(lotse_store::scoped::Scoped::into_inner)
            .unwrap()
            .sites
            .iter()
            .find(|s| s.id == site)
            .unwrap()
            .active
    );
});

both_backends!(
    a_programme_is_read_a_few_periods_and_grants_at_a_time,
    |db: Db| async move {
        prepared(&db).await;
        // Figures for the whole programme in eight years.
        for year in 2019..=2026 {
            let f = Figures {
                period: format!("Jahr {year}"),
                site_id: None,
                groups: 1,
                participants: year - 2000,
            };
            db.write(async |tx| programmes::set_figures(tx, &coordination(), FIT, &f, now()).await)
                .await
                .unwrap();
        }
        let viewer = coordination();
        let books = programmes::for_viewer(&db, &viewer);
        let periods = |p: &programmes::Programme| -> Vec<String> {
            p.figures.iter().map(|f| f.period.clone()).collect()
        };
        let newest = books
            .get_with(
                FIT,
                programmes::Periods::Newest {
                    count: 6,
                    before: None,
                },
            )
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            periods(&newest),
            [
                "Jahr 2026",
                "Jahr 2025",
                "Jahr 2024",
                "Jahr 2023",
                "Jahr 2022",
                "Jahr 2021"
            ]
        );
        assert!(newest.older_periods);
        let older = books
            .get_with(
                FIT,
                programmes::Periods::Newest {
                    count: 6,
                    before: Some("Jahr 2021"),
                },
            )
            .await
            .unwrap()
            .into_inner();
        assert_eq!(periods(&older), ["Jahr 2020", "Jahr 2019"]);
        assert!(!older.older_periods);
        let all = books.get(FIT).await.unwrap().into_inner();
        assert_eq!(all.figures.len(), 8, "the API's entry keeps every period");
        let bare = books
            .get_with(FIT, programmes::Periods::None)
            .await
            .unwrap()
            .into_inner();
        assert!(bare.figures.is_empty());
        assert_eq!(bare.parts.len(), all.parts.len());
        assert!(bare.parts.iter().any(|(id, _)| id == GRIFFBEREIT));
        let part = books
            .get_with(GRIFFBEREIT, programmes::Periods::None)
            .await
            .unwrap();
        assert_eq!(
            part.into_inner().part_of.map(|(id, _)| id).as_deref(),
            Some(FIT)
        );

        // Grants: the newest ones, with a note that older ones exist.
        for year in 2020..=2024 {
            let g = lotse_domain::funding::GrantInput {
                programme_id: FIT.into(),
                purpose: format!("FIT {year}"),
                amount: "1.000,00".into(),
                period_from: format!("{year}-01-01"),
                period_to: format!("{year}-12-31"),
                ..Default::default()
            }
            .validate()
            .unwrap();
            db.write(async |tx| {
                lotse_store::funding::create_grant(
                    tx,
                    &coordination(),
                    "9d94421f-d7c0-48a2-b6d2-598b72aa3586",
                    &g,
                    false,
                    now(),
                )
                .await
            })
            .await
            .unwrap();
        }
        let (grants, older) = books.grants(FIT, 3).await.unwrap();
        let purposes: Vec<&str> = grants.iter().map(|g| g.purpose.as_str()).collect();
        assert_eq!(purposes, ["FIT 2024", "FIT 2023", "FIT 2022"]);
        assert!(older);
        let (grants, older) = books.grants(FIT, 10).await.unwrap();
        assert_eq!(grants.len(), 5);
        assert!(!older);
    }
);
