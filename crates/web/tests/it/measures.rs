use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use lotse_store::measures::{self, MeasureFilter};

use crate::{TestApp, web_test};

async fn post_raw(app: &TestApp, path: &str, body: &str, cookie: &str) -> crate::Reply {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body.to_owned()))
        .unwrap();
    app.send(req).await
}

fn enc(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn concept_id(app: &TestApp, short: &str) -> String {
    measures::concepts(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.short_name == short)
        .unwrap()
        .id
}

web_test!(
    the_demo_catalogue_is_listed_filtered_and_searchable,
    |app| {
        let reader = app.login("lesen").await;
        let page = app.get("/measures", Some(&reader)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("123 Maßnahmen gefunden"),
            "82 + 35 + 6 demo measures"
        );
        assert!(
            page.body
                .contains("FIT: frühkindliches Integrationstraining")
        );
        assert!(
            page.body.contains("Beispiel</span>"),
            "invented measures are marked"
        );
        assert!(!page.body.contains("Neue Maßnahme"), "readers do not edit");

        let kim = concept_id(&app, "KIM").await;
        let req = Request::builder()
            .uri(format!("/measures?concept={kim}"))
            .header(header::COOKIE, &reader)
            .header("hx-request", "true")
            .body(Body::empty())
            .unwrap();
        let partial = app.send(req).await;
        assert!(!partial.body.contains("<html"));
        assert!(partial.body.contains("6 Maßnahmen gefunden"));

        let found = app.get("/measures?q=mercator", Some(&reader)).await.body;
        assert!(
            found.contains("1 Maßnahme gefunden"),
            "full-text search over titles"
        );
    }
);

web_test!(
    coordination_creates_and_edits_a_measure_with_history,
    |app| {
        let cookie = app.login("koordination").await;
        let concept = concept_id(&app, "IK 2010").await;
        let lead = app
            .organisation_id("Kommunales Integrationszentrum (Demo)")
            .await;
        let partner = app
            .organisation_id("Beratungsdienst Musterverband Beckum (Demo)")
            .await;

        let bad = post_raw(
            &app,
            "/measures",
            &enc(&[
                ("concept_id", &concept),
                ("status", "irgendwie"),
                ("planned_start", "1.1.24"),
            ]),
            &cookie,
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for text in [
            "Nr.: Pflichtfeld",
            "Titel: Pflichtfeld",
            "Unbekannter Sachstand",
            "ist kein Datum",
        ] {
            assert!(bad.body.contains(text), "{text}");
        }

        let body = enc(&[
            ("concept_id", &concept),
            ("code", "9.1"),
            ("title", "Sprachpatenschaften in Ennigerloh"),
            (
                "description",
                "Ehrenamtliche begleiten Familien.\nZweite Zeile.",
            ),
            ("status", "planned"),
            ("lead_organisation_id", &lead),
            ("partner_ids", &partner),
            ("partner_ids", &lead),
            ("towns", "05570020"),
            ("towns", "05570008"),
            ("ki_involvement", "lead"),
            ("planned_start", "2026-01-01"),
            ("tags", "Sprache, Ehrenamt"),
        ]);
        let created = post_raw(&app, "/measures", &body, &cookie).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let id = created
            .location()
            .trim_start_matches("/measures/")
            .trim_end_matches("?ok=created")
            .to_owned();
        let m = measures::get(&app.db, &id).await.unwrap();
        assert_eq!(m.partners.len(), 2);
        assert_eq!(
            m.towns.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
            ["Beckum", "Ennigerloh"]
        );

        // Changing the status needs a reason; the history shows who, when and why.
        let changed = body.replace("status=planned", "status=in_progress");
        let refused = post_raw(&app, &format!("/measures/{id}"), &changed, &cookie).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Bitte begründen Sie"));
        let saved = post_raw(
            &app,
            &format!("/measures/{id}"),
            &format!("{changed}&reason=Start+mit+3+Paaren"),
            &cookie,
        )
        .await;
        assert_eq!(saved.location(), format!("/measures/{id}?ok=saved"));
        let page = app
            .get(&format!("/measures/{id}"), Some(&cookie))
            .await
            .body;
        assert!(page.contains("Start mit 3 Paaren") && page.contains("in Umsetzung"));
        assert!(page.contains("koordination"), "who changed it");
        assert!(page.contains("Ehrenamtliche begleiten Familien.\nZweite Zeile."));

        // Indicators with values in German notation.
        let ind = app
            .post_form(
                &format!("/measures/{id}/indicators"),
                &[
                    ("indicator_name", "Patenschaften"),
                    ("indicator_unit", "Anzahl"),
                    ("indicator_target", "25"),
                ],
                Some(&cookie),
            )
            .await;
        assert_eq!(ind.location(), format!("/measures/{id}?ok=saved"));
        let indicator = measures::indicators(&app.db, &id).await.unwrap()[0]
            .id
            .clone();
        let value = app
            .post_form(
                &format!("/measures/{id}/indicators/{indicator}/values"),
                &[("value_as_of", "2026-06-30"), ("value", "1.234,5")],
                Some(&cookie),
            )
            .await;
        assert_eq!(value.location(), format!("/measures/{id}?ok=saved"));
        let page = app
            .get(&format!("/measures/{id}"), Some(&cookie))
            .await
            .body;
        assert!(page.contains("30.06.2026") && page.contains("1.234,5"));
        let bad_value = app
            .post_form(
                &format!("/measures/{id}/indicators/{indicator}/values"),
                &[("value_as_of", "2026-06-30"), ("value", "viel")],
                Some(&cookie),
            )
            .await;
        assert_eq!(bad_value.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad_value.body.contains("ist keine Zahl"));
        // The error sits at this indicator's own form, with what was typed kept.
        let at_form = bad_value
            .body
            .find(&format!(r#"id="e-value-{indicator}""#))
            .expect("error next to the value field");
        assert!(at_form < bad_value.body.find("Neuer Indikator").unwrap());
        assert!(
            bad_value
                .body
                .contains(r#"value="viel" required aria-invalid="true""#)
        );
        assert!(bad_value.body.contains(r#"value="2026-06-30""#));

        let bad_indicator = app
            .post_form(
                &format!("/measures/{id}/indicators"),
                &[
                    ("indicator_name", "Beratungen"),
                    ("indicator_target", "zwölf"),
                ],
                Some(&cookie),
            )
            .await;
        assert_eq!(bad_indicator.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad_indicator.body.contains(r#"value="Beratungen""#)
                && bad_indicator.body.contains(r#"value="zwölf""#),
            "the new indicator form keeps its input"
        );
        assert_eq!(
            measures::indicators(&app.db, &id).await.unwrap().len(),
            1,
            "nothing half-written"
        );
    }
);

web_test!(concepts_and_fields_are_kept_by_coordination, |app| {
    let cookie = app.login("koordination").await;
    let created = app
        .post_form(
            "/concepts",
            &[
                ("short_name", "IK 2026"),
                ("title", "Fortschreibung 2026"),
                ("adopted_on", "2026-03-01"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(created.location(), "/concepts?ok=created");
    let dup = app
        .post_form(
            "/concepts",
            &[("short_name", "IK 2026"), ("title", "Noch einmal")],
            Some(&cookie),
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    let id = concept_id(&app, "IK 2026").await;
    let field = app
        .post_form(
            &format!("/concepts/{id}/fields"),
            &[("name", "Digitale Teilhabe")],
            Some(&cookie),
        )
        .await;
    assert_eq!(field.location(), "/concepts?ok=saved");
    let dup_field = app
        .post_form(
            &format!("/concepts/{id}/fields"),
            &[("name", "Digitale Teilhabe")],
            Some(&cookie),
        )
        .await;
    assert_eq!(dup_field.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        dup_field.body.contains("Handlungsfeld nicht angelegt")
            && !dup_field.body.contains("href=\"#f-name\"")
    );
    let page = app.get("/concepts", Some(&cookie)).await.body;
    assert!(page.contains("Fortschreibung 2026") && page.contains("Digitale Teilhabe"));
    assert_eq!(
        app.post_form("/concepts/nope/fields", &[("name", "x")], Some(&cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

web_test!(the_api_lists_measures_with_filters, |app| {
    let cookie = app.login("partner").await;
    // Page by page: 123 measures in pages of 50, each exactly once, in the list's order.
    let mut all = Vec::new();
    let mut path = "/api/v1/measures".to_owned();
    loop {
        let page = app.get(&path, Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let page = page.json();
        let items = page["items"].as_array().unwrap().clone();
        assert!(items.len() <= 50);
        all.extend(items);
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/measures?after={next}"),
            None => break,
        }
    }
    assert_eq!(all.len(), 123);
    let mut ids: Vec<&str> = all.iter().map(|m| m["id"].as_str().unwrap()).collect();
    let listed: Vec<String> = measures::list(&app.db, &MeasureFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, listed);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 123);
    let all = serde_json::Value::Array(all);
    let first = &all[0];
    for key in [
        "code",
        "title",
        "status",
        "field_of_action",
        "lead_organisation",
    ] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    assert!(first["tags"].is_array());
    let dropped = app
        .get("/api/v1/measures?status=dropped", Some(&cookie))
        .await
        .json();
    let expected = measures::list(
        &app.db,
        &MeasureFilter {
            status: "dropped".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .len();
    assert_eq!(dropped["items"].as_array().unwrap().len(), expected);
    assert!(
        dropped["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["status"] == "dropped")
    );
    let id = first["id"].as_str().unwrap();
    let one = app
        .get(&format!("/api/v1/measures/{id}"), Some(&cookie))
        .await
        .json();
    assert_eq!(one["code"], first["code"]);
    assert_eq!(
        app.get("/api/v1/measures/nope", Some(&cookie)).await.status,
        StatusCode::NOT_FOUND
    );
});

web_test!(measures_and_round_results_download_as_excel, |app| {
    let reader = app.login("lesen").await;
    let page = app
        .get("/measures?status=dropped", Some(&reader))
        .await
        .body;
    assert!(
        page.contains("/measures/export.xlsx?status=dropped"),
        "the link keeps the filter"
    );
    let file = app
        .get("/measures/export.xlsx?status=dropped", Some(&reader))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(
        file.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = app
        .get_bytes("/measures/export.xlsx?status=dropped", &reader)
        .await;
    let rows = lotse_reports::read_xlsx(&bytes).unwrap();
    let expected = measures::list(
        &app.db,
        &MeasureFilter {
            status: "dropped".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), expected.len() + 1);
    assert_eq!(rows[0][2], "Maßnahme");
    assert!(rows[1..].iter().all(|r| r[12] == "entfallen"));

    let closed = lotse_store::rounds::rounds(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| !r.is_open())
        .unwrap();
    let req = Request::builder()
        .uri(format!("/rounds/{}/export.xlsx", closed.id))
        .header(header::COOKIE, &reader)
        .body(Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), req)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let rows = lotse_reports::read_xlsx(&bytes).unwrap();
    let snapshot = lotse_store::rounds::snapshot(&app.db, &closed.id)
        .await
        .unwrap();
    assert_eq!(rows.len(), snapshot.len() + 1);
});

async fn upload(
    app: &TestApp,
    cookie: &str,
    fields: &[(&str, Option<&str>, &str)],
) -> crate::Reply {
    let (content_type, body) = crate::multipart(fields);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/measures/import")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, content_type)
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

fn hidden<'a>(page: &'a str, name: &str) -> &'a str {
    let marker = format!("<textarea name=\"{name}\"");
    let tag = page
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in page"));
    let start = tag + page[tag..].find('>').unwrap() + 1;
    &page[start..start + page[start..].find("</textarea>").unwrap()]
}

web_test!(catalogue_import_in_the_browser_with_a_mapping_step, |app| {
    let cookie = app.login("koordination").await;
    let concept = concept_id(&app, "HK 2016").await;
    let csv = "Katalog\nNr.;Maßnahme;Sachstand;Bemerkung\nX1;Erste Maßnahme;geplant;Text eins\nX2;Zweite;läuft;Text zwei\n";
    let step1 = upload(
        &app,
        &cookie,
        &[
            ("step", None, "map"),
            ("concept_id", None, &concept),
            ("file", Some("k.csv"), csv),
        ],
    )
    .await;
    assert_eq!(step1.status, StatusCode::OK);
    assert!(step1.body.contains("Kopfzeile in Zeile 2 gefunden"));
    assert!(
        step1.body.contains("<option value=\"title\" selected>"),
        "recognised columns are preselected"
    );
    let content = hidden(&step1.body, "content").to_owned();

    // Map "Bemerkung" (column 3) to the description; one row has an unknown status.
    let step2 = upload(
        &app,
        &cookie,
        &[
            ("step", None, "import"),
            ("concept_id", None, &concept),
            ("filename", None, "k.csv"),
            ("content", None, &content),
            ("col_0", None, "code"),
            ("col_1", None, "title"),
            ("col_2", None, "status"),
            ("col_3", None, "description"),
            ("mode", None, "all"),
        ],
    )
    .await;
    assert_eq!(step2.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        step2
            .body
            .contains("Zeile 4, Spalte Sachstand: Unbekannter Sachstand „läuft“"),
        "{}",
        step2.body
    );
    assert!(step2.body.contains("Es wurde nichts importiert."));
    assert!(
        measures::list(
            &app.db,
            &MeasureFilter {
                q: "Erste Maßnahme".into(),
                ..Default::default()
            }
        )
        .await
        .unwrap()
        .is_empty()
    );

    let content = hidden(&step2.body, "content").to_owned();
    let step3 = upload(
        &app,
        &cookie,
        &[
            ("step", None, "import"),
            ("concept_id", None, &concept),
            ("filename", None, "k.csv"),
            ("content", None, &content),
            ("col_0", None, "code"),
            ("col_1", None, "title"),
            ("col_2", None, "status"),
            ("col_3", None, "description"),
            ("mode", None, "valid"),
        ],
    )
    .await;
    assert_eq!(step3.status, StatusCode::OK, "{}", step3.body);
    assert!(step3.body.contains("1 Maßnahmen angelegt"));
    let imported = measures::list(
        &app.db,
        &MeasureFilter {
            q: "Erste Maßnahme".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(imported[0].description, "Text eins");

    let broken = upload(
        &app,
        &cookie,
        &[
            ("step", None, "map"),
            ("concept_id", None, &concept),
            ("file", Some("x.csv"), "a;b\nc;d\n"),
        ],
    )
    .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(broken.body.contains("Keine Kopfzeile gefunden"));
});

web_test!(
    the_measure_list_sorts_by_column_and_pages_in_the_chosen_size,
    |app| {
        let coordination = app.login("koordination").await;
        let all = lotse_store::measures::list(&app.db, &Default::default())
            .await
            .unwrap();
        assert!(all.len() > 25);
        let rows = |body: &str| -> Vec<String> {
            body.split("<th scope=\"row\"><a href=\"/measures/")
                .skip(1)
                .filter_map(|r| r.split('"').next().map(str::to_owned))
                .collect()
        };
        let page = app
            .get("/measures?sort=lead&size=25", Some(&coordination))
            .await
            .body;
        let ids = rows(&page);
        assert_eq!(ids.len(), 25);
        let pages = all.len().div_ceil(25);
        assert!(page.contains(&format!("Seite 1 von {pages}")), "{page}");
        assert!(page.contains(
            "aria-sort=\"ascending\"><a href=\"/measures?sort=lead&#38;size=25\">Federführung"
        ));
        // In the order of the lead organisations, German collation; those without one last.
        let leads: Vec<String> = ids
            .iter()
            .map(|id| {
                let m = all.iter().find(|m| &m.id == id).unwrap();
                m.lead_organisation
                    .as_deref()
                    .map_or("~".to_owned(), lotse_domain::collation::sort_key)
            })
            .collect();
        let mut sorted = leads.clone();
        sorted.sort();
        assert_eq!(leads, sorted);
        // The next page keeps order and size and says which page it is.
        let next = page
            .split("rel=\"next\"")
            .next()
            .and_then(|s| s.rsplit("href=\"").next())
            .map(|s| {
                s.trim_end_matches("\" ")
                    .replace("&amp;", "&")
                    .replace("&#38;", "&")
            })
            .expect("a next page");
        assert!(next.contains("sort=lead") && next.contains("size=25") && next.contains("page=2"));
        let second = app.get(&next, Some(&coordination)).await.body;
        assert!(
            second.contains(&format!("Seite 2 von {pages}")),
            "{next}: {}",
            second.split("page-label").nth(1).unwrap_or(&second)
        );
        assert!(rows(&second).iter().all(|id| !ids.contains(id)));
        // By status; sizes nobody offers fall back to the usual page.
        let by_status = app
            .get("/measures?sort=status&size=7", Some(&coordination))
            .await
            .body;
        let statuses: Vec<usize> = rows(&by_status)
            .iter()
            .map(|id| {
                let s = &all.iter().find(|m| &m.id == id).unwrap().status;
                [
                    "planned",
                    "in_progress",
                    "established",
                    "completed",
                    "on_hold",
                    "dropped",
                ]
                .iter()
                .position(|k| k == s)
                .unwrap()
            })
            .collect();
        assert!(statuses.windows(2).all(|w| w[0] <= w[1]), "{statuses:?}");
        assert_eq!(rows(&by_status).len(), all.len().min(100));
    }
);
