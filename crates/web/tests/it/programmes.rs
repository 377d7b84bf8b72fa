use axum::http::StatusCode;

use crate::web_test;

const GRIFFBEREIT: &str = "5c578973-2319-4da1-a37c-55502705461c";

web_test!(
    coordination_keeps_programmes_partners_see_them_small_numbers_stay_hidden,
    |app| {
        // The demo's Griffbereit figures: one site had 3 participants in 2025/26.
        let reader = app.login("lesen").await;
        let page = app
            .get(&format!("/programmes/{GRIFFBEREIT}"), Some(&reader))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Kita Regenbogen (Demo)"));
        assert!(
            page.body.contains(
                "Kita Regenbogen (Demo)</th><td class=\"num\">1</td><td class=\"num\">&#60;5</td>"
            ),
            "3 participants are shown as <5"
        );
        assert!(
            page.body.contains(
                "Kita Sonnenschein (Demo)</th><td class=\"num\">1</td><td class=\"num\">x</td>"
            ),
            "and the next smallest too, or the total would give the 3 away"
        );
        assert!(
            page.body
                .contains("FIT: frühkindliches Integrationstraining"),
            "linked measure"
        );
        assert!(
            !page.body.contains("Standort hinzufügen"),
            "readers only read"
        );
        let list = app.get("/programmes", Some(&reader)).await;
        assert!(list.body.contains("Rucksack Schule"));

        let partner = app.login("partner").await;
        let refused = app
            .post_form(
                &format!("/programmes/{GRIFFBEREIT}/figures"),
                &[("period", "2026"), ("groups", "1"), ("participants", "9")],
                Some(&partner),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let coordination = app.login("koordination").await;
        let invalid = app
            .post_form(
                "/programmes",
                &[("name", ""), ("part_of", GRIFFBEREIT)],
                Some(&coordination),
            )
            .await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(invalid.body.contains("href=\"#f-name\""));
        let created = app
            .post_form(
                "/programmes",
                &[
                    ("name", "Elterncafé plus"),
                    ("description", "Neu."),
                    ("part_of", ""),
                ],
                Some(&coordination),
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let id = created
            .location()
            .trim_start_matches("/programmes/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let site = app
            .post_form(
                &format!("/programmes/{id}/sites"),
                &[
                    ("site_name", "Grundschule Nord"),
                    ("site_kind", "school"),
                    ("site_town", "05570052"),
                ],
                Some(&coordination),
            )
            .await;
        assert_eq!(site.status, StatusCode::SEE_OTHER);
        let bad = app
            .post_form(
                &format!("/programmes/{id}/figures"),
                &[
                    ("period", "Sommer"),
                    ("site_id", ""),
                    ("groups", "1"),
                    ("participants", "viele"),
                ],
                Some(&coordination),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("ist kein Zeitraum"));
        assert!(
            bad.body.contains("value=\"Sommer\""),
            "typed values are kept"
        );
        let ok = app
            .post_form(
                &format!("/programmes/{id}/figures"),
                &[
                    ("period", "2025/2026"),
                    ("site_id", ""),
                    ("groups", "2"),
                    ("participants", "17"),
                ],
                Some(&coordination),
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let page = app
            .get(&format!("/programmes/{id}"), Some(&coordination))
            .await;
        assert!(page.body.contains("<caption>2025/26</caption>"));
        assert!(
            page.body
                .contains("insgesamt gemeldet: 2 Gruppen, 17 Teilnehmende")
        );
        assert!(page.body.contains("Grundschule Nord"));
    }
);

web_test!(measure_pick_lists_stay_bounded_and_narrow_by_words, |app| {
    use lotse_domain::measure::{KiInvolvement, MeasureDraft, MeasureStatus};
    // A concept far larger than any real one: the pick lists must not offer all of it.
    let concept = lotse_store::measures::concepts(&app.db).await.unwrap()[0]
        .id
        .clone();
    let drafts: Vec<MeasureDraft> = (1..=250)
        .map(|i| MeasureDraft {
            concept_id: concept.clone(),
            code: format!("Z-{i:03}"),
            title: format!("Zusatzmaßnahme Nummer {i}"),
            description: String::new(),
            field_of_action_id: None,
            lead_organisation_id: None,
            partner_ids: Vec::new(),
            ki_involvement: KiInvolvement::None,
            target_group: String::new(),
            towns: Vec::new(),
            planned_start: None,
            planned_end: None,
            status: MeasureStatus::Planned,
            tags: Vec::new(),
        })
        .collect();
    app.db
        .write(async |tx| {
            lotse_store::measures::create_many(
                tx,
                &lotse_store::Actor::system("test"),
                &drafts,
                true,
                app.clock.now_ms(),
            )
            .await
        })
        .await
        .unwrap();
    let coordination = app.login("koordination").await;
    for path in [format!("/programmes/{GRIFFBEREIT}"), demo_body(&app).await] {
        let page = app.get(&path, Some(&coordination)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            page.body.contains("Maßnahmen für die Auswahl suchen"),
            "{path}"
        );
        // The search reloads the page itself, also after a refused post to another address.
        assert!(
            page.body
                .contains(&format!("formaction=\"{path}#measure-pick\"")),
            "{path}"
        );
        assert!(
            page.body.contains("Es passen mehr als 200 Maßnahmen"),
            "{path}: says that there are more"
        );
        let extra = |body: &str| body.matches("– Zusatzmaßnahme Nummer").count();
        assert!(extra(&page.body) < 200, "{path}: not all 250 offered");
        let narrowed = app
            .get(
                &format!("{path}?measure_q=Zusatzma%C3%9Fnahme+Nummer+24"),
                Some(&coordination),
            )
            .await;
        assert_eq!(narrowed.status, StatusCode::OK);
        // Words match anywhere: "Nummer 24", "… 124", "… 224" and "Nummer 240" … "Nummer 249".
        assert_eq!(extra(&narrowed.body), 13, "{path}");
        assert!(narrowed.body.contains("Z-249 – Zusatzmaßnahme Nummer 249"));
        assert!(!narrowed.body.contains("die ersten"));
        let none = app
            .get(&format!("{path}?measure_q=gibtsnicht"), Some(&coordination))
            .await;
        assert!(none.body.contains("Keine Maßnahme passt zu dieser Suche"));
    }

    // A search in the new-decision form keeps what was typed and chosen.
    let body = demo_body(&app).await;
    let chosen = lotse_store::measures::list(&app.db, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.code == "Z-001")
        .unwrap();
    let searched = app
        .get(
            &format!(
                "{body}?number=BIKS-2026%2F09&text=Neu&measure_ids={}&measure_q=Nummer+24",
                chosen.id
            ),
            Some(&coordination),
        )
        .await;
    assert!(searched.body.contains("value=\"BIKS-2026/09\""));
    assert!(searched.body.contains(">Neu</textarea>"));
    assert!(
        searched
            .body
            .contains(&format!("<option value=\"{}\" selected>", chosen.id)),
        "the chosen measure stays chosen although the search does not match it"
    );
    // A refused decision comes back with what was typed.
    let refused = app
        .post_form(
            &format!("{body}/decisions"),
            &[
                ("number", "BIKS-2026/10"),
                ("decided_on", "kein Datum"),
                ("text", "x"),
            ],
            Some(&coordination),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("value=\"BIKS-2026/10\""));
});

/// The address of a demo body's page.
async fn demo_body(app: &crate::TestApp) -> String {
    let id = lotse_store::bodies::bodies(&app.db).await.unwrap()[0]
        .id
        .clone();
    format!("/bodies/{id}")
}

web_test!(
    a_programme_page_shows_the_newest_periods_and_pages_back,
    |app| {
        for year in 2015..=2024 {
            let f = lotse_domain::programme::Figures {
                period: format!("Jahr {year}"),
                site_id: None,
                groups: 1,
                participants: 100 + i64::from(year - 2000),
            };
            app.db
                .write(async |tx| {
                    lotse_store::programmes::set_figures(
                        tx,
                        &lotse_store::scoped::Viewer::system("test"),
                        GRIFFBEREIT,
                        &f,
                        lotse_store::now_ms(),
                    )
                    .await
                })
                .await
                .unwrap();
        }
        let reader = app.login("lesen").await;
        let page = app
            .get(&format!("/programmes/{GRIFFBEREIT}"), Some(&reader))
            .await
            .body;
        let captions = |body: &str| -> Vec<String> {
            body.split("<caption>")
                .skip(1)
                .filter_map(|s| s.split("</caption>").next())
                .map(str::to_owned)
                .collect()
        };
        let shown = captions(&page);
        assert_eq!(shown.len(), 6, "{shown:?}");
        assert!(!shown.iter().any(|c| c == "Jahr 2015"));
        let older = page
            .split("rel=\"next\"")
            .next()
            .and_then(|s| s.rsplit("href=\"").next())
            .map(|s| s.trim_end_matches("\" ").replace("&amp;", "&"))
            .expect("older periods");
        assert!(older.contains("periods_before="), "{older}");
        let older = app.get(&older, Some(&reader)).await;
        assert_eq!(older.status, StatusCode::OK);
        let more = captions(&older.body);
        assert!(more.iter().any(|c| c == "Jahr 2015"), "{more:?}");
        assert!(shown.iter().all(|c| !more.contains(c)), "no period twice");
        assert!(older.body.contains("Neueste Zeiträume"));
    }
);
