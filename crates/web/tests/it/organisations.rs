use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use lotse_store::{audit, organisations};

use crate::{TestApp, web_test};

fn form(name: &str, postcode: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_owned()),
        ("kind", "welfare_association".to_owned()),
        ("town", "05570004".to_owned()),
        ("street", "Marktplatz 1".to_owned()),
        ("postcode", postcode.to_owned()),
        ("city", "Ahlen".to_owned()),
        ("email", "".to_owned()),
        ("phone", "".to_owned()),
        ("website", "".to_owned()),
    ]
}

async fn post(
    app: &TestApp,
    path: &str,
    fields: &[(&'static str, String)],
    cookie: &str,
) -> crate::Reply {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form(path, &pairs, Some(cookie)).await
}

web_test!(
    coordination_creates_edits_and_deactivates_organisations,
    |app| {
        let cookie = app.login("koordination").await;
        let invalid = post(&app, "/organisations", &form("", "123"), &cookie).await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(invalid.body.contains("Bitte prüfen Sie Ihre Angaben"));
        assert!(
            invalid.body.contains("href=\"#f-name\""),
            "error summary links to the field"
        );
        assert!(invalid.body.contains("Die Postleitzahl hat 5 Ziffern."));
        assert!(
            invalid.body.contains("value=\"Marktplatz 1\""),
            "typed values are kept"
        );

        let created = post(
            &app,
            "/organisations",
            &form("Caritasverband Ahlen", "59227"),
            &cookie,
        )
        .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let id = app.organisation_id("Caritasverband Ahlen").await;
        assert_eq!(
            created.location(),
            format!("/organisations/{id}?ok=created")
        );
        let page = app.get(created.location(), Some(&cookie)).await;
        assert!(page.body.contains("Wohlfahrtsverband") && page.body.contains("Angelegt."));

        let dup = post(
            &app,
            "/organisations",
            &form("caritasverband ahlen", "59227"),
            &cookie,
        )
        .await;
        assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(dup.body.contains("gibt es schon"));

        let edited = post(
            &app,
            &format!("/organisations/{id}"),
            &form("Caritasverband Ahlen e. V.", "59229"),
            &cookie,
        )
        .await;
        assert_eq!(edited.location(), format!("/organisations/{id}?ok=saved"));
        let off = app
            .post_form(
                &format!("/organisations/{id}/active"),
                &[("active", "false")],
                Some(&cookie),
            )
            .await;
        assert_eq!(
            off.location(),
            format!("/organisations/{id}?ok=deactivated")
        );
        let list = app.get("/organisations", Some(&cookie)).await.body;
        assert!(!list.contains("Caritasverband Ahlen e. V."));
        let list = app
            .get("/organisations?inactive=1", Some(&cookie))
            .await
            .body;
        assert!(list.contains("Caritasverband Ahlen e. V."));
        let bad = app
            .post_form(
                &format!("/organisations/{id}/active"),
                &[("active", "vielleicht")],
                Some(&cookie),
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);

        let entries = audit::search(
            &app.db,
            &audit::AuditFilter {
                record_id: Some(id.clone()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["deactivate", "update", "create"]);
        assert!(entries.iter().all(|e| e.actor_name == "koordination"));
        assert!(entries[1].changes.contains("59229"));

        let admin = app.login("admin").await;
        let log = app
            .get(&format!("/admin/audit?record_id={id}"), Some(&admin))
            .await
            .body;
        assert!(log.contains("PLZ: 59227 → 59229"), "{log}");
        let verified = app.get("/admin/audit?verify=1", Some(&admin)).await.body;
        assert!(verified.contains("Die Kette ist unversehrt"));
        let bad_date = app
            .get("/admin/audit?from=gestern", Some(&admin))
            .await
            .body;
        assert!(bad_date.contains("ist kein Datum"));
    }
);

web_test!(filters_answer_htmx_with_the_results_only, |app| {
    let cookie = app.login("partner").await;
    let full = app
        .get("/organisations?kind=immigration_office", Some(&cookie))
        .await;
    assert!(full.body.contains("<html") && full.body.contains("Ausländerbehörde (Demo)"));
    assert!(!full.body.contains("Sprachkurse Muster"));
    let req = Request::builder()
        .uri("/organisations?q=sprachkurse")
        .header(header::COOKIE, &cookie)
        .header("hx-request", "true")
        .body(Body::empty())
        .unwrap();
    let partial = app.send(req).await;
    assert!(!partial.body.contains("<html"));
    assert!(
        partial.body.contains("id=\"results\"")
            && partial.body.contains("Sprachkurse Muster gGmbH (Demo)")
    );
    assert!(
        partial.body.contains("1 Organisation gefunden")
            && partial.body.contains("hx-swap-oob=\"true\"")
    );
    assert_eq!(partial.headers.get("vary").unwrap(), "HX-Request");
    // History restores get the whole page.
    let req = Request::builder()
        .uri("/organisations?q=sprachkurse")
        .header(header::COOKIE, &cookie)
        .header("hx-request", "true")
        .header("hx-history-restore-request", "true")
        .body(Body::empty())
        .unwrap();
    assert!(app.send(req).await.body.contains("<html"));
    assert_eq!(
        full.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-store",
        "private pages are not cached"
    );
    assert!(
        !full.body.contains("Neue Organisation"),
        "partners do not see the create button"
    );
});

async fn upload(
    app: &TestApp,
    cookie: &str,
    fields: &[(&str, Option<&str>, &str)],
) -> crate::Reply {
    let (content_type, body) = crate::multipart(fields);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/organisations/import")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, content_type)
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

const CSV: &str = "\u{feff}Name;Art;Gemeinde;PLZ\r\nAWO Ortsverein Oelde;Wohlfahrtsverband;Oelde;59302\r\nGrundschule am Bach;Schule;Sassenberg;123\r\nMigrantenverein;Migrantenorganisation;;\r\n";

web_test!(csv_import_reports_rows_and_writes_all_or_nothing, |app| {
    let cookie = app.login("koordination").await;
    let before = organisations::list(&app.db, true).await.unwrap().len();
    let reply = upload(
        &app,
        &cookie,
        &[("file", Some("orgs.csv"), CSV), ("mode", None, "all")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply
            .body
            .contains("Zeile 3, PLZ: Die Postleitzahl hat 5 Ziffern."),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("Es wurde nichts importiert."));
    assert!(
        reply
            .body
            .contains("Nur die 2 fehlerfreien Zeilen importieren")
    );
    assert_eq!(
        organisations::list(&app.db, true).await.unwrap().len(),
        before
    );

    // The second step sends the carried content back, choosing the valid rows only.
    let reply = upload(
        &app,
        &cookie,
        &[("mode", None, "valid"), ("content", None, CSV)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.body.contains("2 Organisationen angelegt"),
        "{}",
        reply.body
    );
    assert_eq!(
        organisations::list(&app.db, true).await.unwrap().len(),
        before + 2
    );

    let broken = upload(
        &app,
        &cookie,
        &[
            ("file", Some("x.csv"), "Name;Farbe\nx;y\n"),
            ("mode", None, "all"),
        ],
    )
    .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(broken.body.contains("Unbekannte Spalte „Farbe“"));
    let empty = upload(&app, &cookie, &[("mode", None, "all")]).await;
    assert!(empty.body.contains("Bitte eine CSV-Datei auswählen."));
});

/// A demo funding programme (see the funding tests).
const KOMM_AN: &str = "9d94421f-d7c0-48a2-b6d2-598b72aa3586";

/// More organisations than any pick list offers: "Pickverein 001" … "Pickverein 120", and one
/// with umlauts. Returns the ids by name.
async fn crowd(app: &TestApp) -> std::collections::HashMap<String, String> {
    let vocab = organisations::vocabulary(&app.db).await.unwrap();
    let names: Vec<String> = (1..=120)
        .map(|i| format!("Pickverein {i:03}"))
        .chain(["Familienzentrum Südstadt".to_owned()])
        .collect();
    let drafts: Vec<_> = names
        .iter()
        .map(|name| {
            lotse_domain::organisation::OrganisationInput {
                name: name.clone(),
                kind: "welfare_association".into(),
                city: "Ahlen".into(),
                ..Default::default()
            }
            .validate(&vocab)
            .unwrap()
        })
        .collect();
    let now = app.clock.now_ms();
    let ids = app
        .db
        .write(async |tx| {
            let mut ids = Vec::new();
            for d in &drafts {
                ids.push(
                    organisations::create(tx, &lotse_store::Actor::system("test"), d, false, now)
                        .await?,
                );
            }
            Ok(ids)
        })
        .await
        .unwrap();
    names.into_iter().zip(ids).collect()
}

/// (value, label, selected) of the options of the select with this id, the empty one left out.
fn options_of(body: &str, select_id: &str) -> Vec<(String, String, bool)> {
    let start = body
        .find(&format!("<select id=\"{select_id}\""))
        .unwrap_or_else(|| panic!("no select {select_id}"));
    let end = start + body[start..].find("</select>").unwrap();
    body[start..end]
        .split("<option value=\"")
        .skip(1)
        .filter_map(|option| {
            let (value, rest) = option.split_once('"')?;
            let (attributes, rest) = rest.split_once('>')?;
            let label = rest.split("</option>").next()?.trim();
            (!value.is_empty()).then(|| {
                (
                    value.to_owned(),
                    label.to_owned(),
                    attributes.contains("selected"),
                )
            })
        })
        .collect()
}

fn labels(options: &[(String, String, bool)]) -> Vec<&str> {
    options.iter().map(|(_, l, _)| l.as_str()).collect()
}

fn selected(options: &[(String, String, bool)]) -> Vec<&str> {
    options
        .iter()
        .filter(|(.., s)| *s)
        .map(|(id, ..)| id.as_str())
        .collect()
}

web_test!(
    organisation_pick_lists_stay_bounded_and_narrow_by_words,
    |app| {
        let ids = crowd(&app).await;
        let koordination = app.login("koordination").await;
        let admin = app.login("admin").await;
        let cm = app.login("fallmanagement").await;
        let funding = format!("/funding/{KOMM_AN}");
        // Every form and filter that offers organisations.
        for (path, select, cookie) in [
            ("/offers", "f-organisation", &koordination),
            ("/offers/new", "f-organisation_id", &koordination),
            ("/measures", "f-lead", &koordination),
            ("/measures/new", "f-lead_organisation_id", &koordination),
            ("/measures/new", "f-partner_ids", &koordination),
            ("/issues/new", "f-from_organisation_id", &cm),
            ("/issues/new", "f-to_organisation_id", &cm),
            ("/admin/users/new", "f-organisation_id", &admin),
            ("/bodies", "f-members", &koordination),
            (funding.as_str(), "f-organisation_id", &koordination),
        ] {
            let page = app.get(path, Some(cookie)).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(
                page.body.contains("Organisationen für die Auswahl suchen"),
                "{path}"
            );
            assert!(
                page.body.contains("<label for=\"f-organisation_q\">"),
                "{path}: the search is labelled"
            );
            assert!(
                page.body.contains(">Suchen</button>"),
                "{path}: the search is a button"
            );
            assert!(
                page.body
                    .contains("Weitere Treffer: Suchbegriff verfeinern"),
                "{path}: says that there are more"
            );
            let options = options_of(&page.body, select);
            // The offers list's filter may start with the user's own organisation chosen.
            assert!(
                (40..=51).contains(&options.len()),
                "{path} {select}: {} options",
                options.len()
            );
        }
        let page = app.get("/programmes/new", Some(&koordination)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains("Weitere Treffer: Suchbegriff verfeinern")
        );
        let partners = page.body.matches("name=\"partners\"").count();
        assert!((40..=50).contains(&partners), "{partners} partner boxes");

        // Words narrow the list, umlauts and their spellings alike.
        let narrowed = app
            .get(
                "/measures/new?organisation_q=SUEDSTADT",
                Some(&koordination),
            )
            .await;
        assert_eq!(
            labels(&options_of(&narrowed.body, "f-partner_ids")),
            ["Familienzentrum Südstadt"]
        );
        assert!(narrowed.body.contains("value=\"SUEDSTADT\""));
        let narrowed = app
            .get(
                "/measures/new?organisation_q=pickverein+11",
                Some(&koordination),
            )
            .await;
        let found = labels(&options_of(&narrowed.body, "f-partner_ids"))
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        assert_eq!(found.len(), 11, "{found:?}");
        assert!(found.contains(&"Pickverein 011".to_owned()));
        assert!(found.contains(&"Pickverein 119".to_owned()));
        assert!(!narrowed.body.contains("Weitere Treffer"));
        let none = app
            .get("/issues/new?organisation_q=gibtsnicht", Some(&cm))
            .await;
        assert!(
            none.body
                .contains("Keine Organisation passt zu dieser Suche")
        );
        let none = app
            .get("/offers?organisation_q=gibtsnicht", Some(&koordination))
            .await;
        assert!(
            none.body
                .contains("Keine Organisation passt zu dieser Suche")
        );

        // A list filter keeps the organisation filtered by, however far down the directory.
        let last = &ids["Pickverein 120"];
        let filtered = app
            .get(&format!("/offers?organisation={last}"), Some(&koordination))
            .await;
        assert_eq!(
            selected(&options_of(&filtered.body, "f-organisation")),
            [last.as_str()]
        );
        let filtered = app
            .get(&format!("/measures?lead={last}"), Some(&koordination))
            .await;
        assert_eq!(
            selected(&options_of(&filtered.body, "f-lead")),
            [last.as_str()]
        );
    }
);

web_test!(
    organisation_pick_lists_keep_what_is_chosen_through_a_search,
    |app| {
        let ids = crowd(&app).await;
        let koordination = app.login("koordination").await;
        let (first, last, lead) = (
            ids["Pickverein 001"].as_str(),
            ids["Pickverein 120"].as_str(),
            ids["Pickverein 119"].as_str(),
        );
        let suedstadt = ids["Familienzentrum Südstadt"].as_str();

        // A stored measure whose organisations lie beyond the first matches, one deactivated.
        let concept = lotse_store::measures::concepts(&app.db).await.unwrap()[0]
            .id
            .clone();
        let created = app
            .post_form(
                "/measures",
                &[
                    ("concept_id", &concept),
                    ("code", "P.1"),
                    ("title", "Partnerschaften"),
                    ("status", "planned"),
                    ("ki_involvement", "none"),
                    ("lead_organisation_id", lead),
                    ("partner_ids", last),
                    ("partner_ids", first),
                ],
                Some(&koordination),
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let measure = created
            .location()
            .trim_start_matches("/measures/")
            .trim_end_matches("?ok=created")
            .to_owned();
        app.db
            .write(async |tx| {
                organisations::set_active(
                    tx,
                    &lotse_store::Actor::system("test"),
                    last,
                    false,
                    app.clock.now_ms(),
                )
                .await
            })
            .await
            .unwrap();
        let edit = app
            .get(&format!("/measures/{measure}/edit"), Some(&koordination))
            .await;
        assert_eq!(edit.status, StatusCode::OK);
        let lead_options = options_of(&edit.body, "f-lead_organisation_id");
        assert_eq!(selected(&lead_options), [lead]);
        let partner_options = options_of(&edit.body, "f-partner_ids");
        assert_eq!(
            labels(&partner_options[..3]),
            [
                "Pickverein 001",
                "Pickverein 119",
                "Pickverein 120 (deaktiviert)"
            ],
            "the chosen ones first, a deactivated one marked"
        );
        let mut chosen = selected(&partner_options);
        chosen.sort_unstable();
        let mut expected = vec![first, last];
        expected.sort_unstable();
        assert_eq!(chosen, expected);
        assert!(
            partner_options
                .iter()
                .filter(|(_, l, _)| l.ends_with("(deaktiviert)"))
                .count()
                == 1,
            "other deactivated organisations are not offered"
        );

        // A search in the form keeps every field and every chosen partner.
        let searched = app
            .get(
                &format!(
                    "/measures/{measure}/edit?title=Neuer+Titel&lead_organisation_id={lead}\
                     &partner_ids={first}&partner_ids={last}&organisation_q=s%C3%BCdstadt"
                ),
                Some(&koordination),
            )
            .await;
        assert!(searched.body.contains("value=\"Neuer Titel\""));
        let partner_options = options_of(&searched.body, "f-partner_ids");
        let mut chosen = selected(&partner_options);
        chosen.sort_unstable();
        assert_eq!(chosen, expected);
        assert!(
            partner_options
                .iter()
                .any(|(id, _, s)| id == suedstadt && !s)
        );
        assert_eq!(
            selected(&options_of(&searched.body, "f-lead_organisation_id")),
            [lead]
        );

        // The same in the other forms with several organisations.
        let bodies = app
            .get(
                &format!(
                    "/bodies?name=Runder+Tisch&members={first}&members={last}&organisation_q=s%C3%BCdstadt"
                ),
                Some(&koordination),
            )
            .await;
        assert!(bodies.body.contains("value=\"Runder Tisch\""));
        let members = options_of(&bodies.body, "f-members");
        assert_eq!(selected(&members).len(), 2);
        assert!(members.iter().any(|(id, _, s)| id == suedstadt && !s));
        let programme = app
            .get(
                &format!(
                    "/programmes/new?name=Neues+Programm&partners={first}&organisation_q=s%C3%BCdstadt"
                ),
                Some(&koordination),
            )
            .await;
        assert!(programme.body.contains("value=\"Neues Programm\""));
        assert!(
            programme
                .body
                .contains(&format!("value=\"{first}\" checked"))
        );
        assert!(programme.body.contains(&format!("value=\"{suedstadt}\">")));
        // Forms with free text search by POST: the form comes back, nothing is saved, and the
        // text never goes into an address.
        let before = lotse_store::structural_issues::list(&app.db, None)
            .await
            .unwrap()
            .len();
        let issue = app
            .post_form(
                "/issues",
                &[
                    ("title", "Schnittstelle"),
                    (
                        "description",
                        "Lange Beschreibung, die in keiner Adresse stehen soll.",
                    ),
                    ("from_organisation_id", last),
                    ("organisation_q", "pickverein 00"),
                    ("organisation_search", "1"),
                ],
                Some(&app.login("fallmanagement").await),
            )
            .await;
        assert_eq!(issue.status, StatusCode::OK, "{}", issue.body);
        assert!(issue.body.contains("value=\"Schnittstelle\""));
        assert!(
            issue
                .body
                .contains("Lange Beschreibung, die in keiner Adresse stehen soll.")
        );
        assert!(
            !issue.body.contains("formmethod=\"get\""),
            "no GET search in a form with free text"
        );
        assert_eq!(
            lotse_store::structural_issues::list(&app.db, None)
                .await
                .unwrap()
                .len(),
            before,
            "a search saves nothing"
        );
        assert_eq!(
            selected(&options_of(&issue.body, "f-from_organisation_id")),
            [last]
        );
        assert!(selected(&options_of(&issue.body, "f-to_organisation_id")).is_empty());

        // The new-account form holds a password: its search goes by POST and never echoes it.
        let admin = app.login("admin").await;
        let users = app
            .post_form(
                "/admin/users",
                &[
                    ("username", "neu.person"),
                    ("display_name", "Neue Person"),
                    ("organisation_id", first),
                    ("roles", "reader"),
                    ("password", "geheim-geheim-123"),
                    ("organisation_q", "südstadt"),
                    ("organisation_search", "1"),
                ],
                Some(&admin),
            )
            .await;
        assert_eq!(users.status, StatusCode::OK, "{}", users.body);
        assert!(users.body.contains("value=\"neu.person\""));
        assert!(!users.body.contains("geheim-geheim-123"));
        assert!(
            users
                .body
                .contains("name=\"organisation_search\" value=\"1\"")
        );
        let options = options_of(&users.body, "f-organisation_id");
        assert_eq!(selected(&options), [first]);
        assert!(options.iter().any(|(id, ..)| id == suedstadt));
        assert!(
            lotse_store::users::list(&app.db)
                .await
                .unwrap()
                .iter()
                .all(|u| u.username != "neu.person"),
            "a search saves nothing"
        );
    }
);

web_test!(saving_still_refuses_unknown_organisations, |app| {
    let koordination = app.login("koordination").await;
    let concept = lotse_store::measures::concepts(&app.db).await.unwrap()[0]
        .id
        .clone();
    let known = app
        .organisation_id("Kommunales Integrationszentrum (Demo)")
        .await;
    let refused = app
        .post_form(
            "/measures",
            &[
                ("concept_id", &concept),
                ("code", "P.2"),
                ("title", "Mit Unbekannten"),
                ("status", "planned"),
                ("lead_organisation_id", "gibt-es-nicht"),
                ("partner_ids", &known),
                ("partner_ids", "auch-nicht"),
                ("organisation_q", "integration"),
            ],
            Some(&koordination),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Diese Organisation gibt es nicht (mehr).")
    );
    assert!(
        refused
            .body
            .contains("Eine der Partnerorganisationen gibt es nicht (mehr).")
    );
    // The refused form keeps the narrowed list and the known partner chosen.
    assert!(refused.body.contains("value=\"integration\""));
    assert!(selected(&options_of(&refused.body, "f-partner_ids")).contains(&known.as_str()));
    let unknown_concept = app
        .post_form(
            "/measures",
            &[
                ("concept_id", "kein-konzept"),
                ("code", "P.3"),
                ("title", "Ohne Konzept"),
                ("status", "planned"),
            ],
            Some(&koordination),
        )
        .await;
    assert_eq!(unknown_concept.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown_concept
            .body
            .contains("Dieses Konzept gibt es nicht.")
    );

    let cm = app.login("fallmanagement").await;
    let issue = app
        .post_form(
            "/issues",
            &[
                ("title", "Unbekannte Schnittstelle"),
                ("from_organisation_id", "gibt-es-nicht"),
                ("to_organisation_id", &known),
                ("status", "reported"),
                ("reported_on", "2026-05-04"),
            ],
            Some(&cm),
        )
        .await;
    assert_eq!(issue.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(issue.body.contains("Diese Organisation gibt es nicht."));
});

web_test!(the_directory_sorts_by_name_kind_or_town, |app| {
    let coordination = app.login("koordination").await;
    let all = lotse_store::organisations::list(&app.db, false)
        .await
        .unwrap();
    let names = |body: &str| -> Vec<String> {
        body.split("<th scope=\"row\"><a href=\"/organisations/")
            .skip(1)
            .filter_map(|r| r.split('>').nth(1)?.split('<').next().map(str::to_owned))
            .collect()
    };
    for (sort, key) in [("kind", 0), ("town", 1)] {
        let page = app
            .get(&format!("/organisations?sort={sort}"), Some(&coordination))
            .await
            .body;
        assert!(
            page.contains(&format!(
                "aria-sort=\"ascending\"><a href=\"/organisations?sort={sort}\""
            )),
            "{page}"
        );
        let shown = names(&page);
        assert_eq!(shown.len(), all.len());
        let keys: Vec<String> = shown
            .iter()
            .map(|n| {
                let o = all.iter().find(|o| &o.name == n).unwrap();
                if key == 0 {
                    o.kind_label.clone()
                } else {
                    o.town_name.clone().unwrap_or_else(|| "~".into())
                }
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{sort}");
    }
    // A filter keeps the order.
    let page = app
        .get("/organisations?sort=town&q=demo", Some(&coordination))
        .await
        .body;
    assert!(page.contains("<input type=\"hidden\" name=\"sort\" value=\"town\">"));
});
