//! The route table is the access contract: walk all of it.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use lotse_domain::{Permission, Role, allows};
use lotse_web::{Access, route_specs};

use crate::web_test;

fn concrete(path: &str) -> String {
    path.replace("{id}", "0190a0a0-0000-7000-8000-000000000000")
        .replace("{file}", "app.css")
}

async fn call(
    app: &crate::TestApp,
    method: &Method,
    path: &str,
    cookie: Option<&str>,
) -> crate::Reply {
    let mut req = Request::builder()
        .method(method.clone())
        .uri(concrete(path))
        .header("sec-fetch-site", "same-origin");
    if *method == Method::POST {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

web_test!(only_public_routes_answer_without_a_session, |app| {
    let specs = route_specs();
    assert!(specs.len() > 30);
    for spec in specs {
        let reply = call(&app, &spec.method, spec.path, None).await;
        let to_login = reply.status == StatusCode::SEE_OTHER
            && (reply.location() == "/login" || reply.location().starts_with("/login?next="));
        let unauthorized = reply.status == StatusCode::UNAUTHORIZED;
        if spec.access == Access::Public {
            assert!(
                !to_login && !unauthorized,
                "{} {} is public but refused",
                spec.method,
                spec.path
            );
        } else if spec.path.starts_with("/api/") {
            assert!(
                unauthorized,
                "{} {} answered {} without a session",
                spec.method, spec.path, reply.status
            );
        } else {
            assert!(
                to_login,
                "{} {} answered {} without a session",
                spec.method, spec.path, reply.status
            );
        }
    }
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/", None).await.location(), "/login");
});

web_test!(each_role_is_refused_what_it_may_not_do, |app| {
    let demo_users = [
        ("admin", Role::Admin),
        ("koordination", Role::Coordination),
        ("fallmanagement", Role::CaseManager),
        ("partner", Role::Partner),
        ("abh", Role::ImmigrationOffice),
        ("schulberatung", Role::SchoolCounsellor),
        ("sprachmittlung", Role::Interpreter),
        ("lesen", Role::Reader),
    ];
    for (username, role) in demo_users {
        let cookie = app.login(username).await;
        for spec in route_specs() {
            let Access::Permission(p) = spec.access else {
                continue;
            };
            let reply = call(&app, &spec.method, spec.path, Some(&cookie)).await;
            if allows(role, p) {
                assert_ne!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{username} should reach {} {}",
                    spec.method,
                    spec.path
                );
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{username} must not reach {} {}",
                    spec.method,
                    spec.path
                );
            }
        }
    }
    // The navigation offers only what the role may open.
    let partner = app.login("partner").await;
    let page = app.get("/", Some(&partner)).await.body;
    assert!(page.contains("href=\"/organisations\""));
    assert!(!page.contains("href=\"/admin/users\""));
    assert!(allows(Role::Admin, Permission::ViewAuditLog));
});

web_test!(cross_site_writes_are_refused, |app| {
    let cookie = app.login("admin").await;
    let req = Request::builder()
        .method(Method::POST)
        .uri("/organisations")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from("name=Evil&kind=other"))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/organisations")
        .header(header::COOKIE, &cookie)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=Evil&kind=other"))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    assert!(
        lotse_store::organisations::list(&app.db, true)
            .await
            .unwrap()
            .iter()
            .all(|o| o.name != "Evil")
    );
});

web_test!(pages_carry_security_headers_and_embedded_assets, |app| {
    let reply = app.get("/login", None).await;
    let csp = reply
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(reply.headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
    assert!(reply.headers.get("x-request-id").is_some());
    assert!(reply.body.contains("<html lang=\"de\">"));
    assert!(reply.body.contains("Demo-Zugänge"));
    let css = app.get("/assets/app.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let js = app.get("/assets/htmx-2.0.11.min.js", None).await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(
        app.get("/assets/nope.js", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/gibt-es-nicht", None).await.status,
        StatusCode::NOT_FOUND
    );
});

/// The demo accounts, one per role.
const DEMO_USERS: [(&str, Role); 8] = [
    ("admin", Role::Admin),
    ("koordination", Role::Coordination),
    ("fallmanagement", Role::CaseManager),
    ("partner", Role::Partner),
    ("abh", Role::ImmigrationOffice),
    ("schulberatung", Role::SchoolCounsellor),
    ("sprachmittlung", Role::Interpreter),
    ("lesen", Role::Reader),
];

/// Records of one organisation for the matrix: a published offer with a pending change (whose
/// title nobody outside may see), and a report asked of the organisation in an open round.
struct Records {
    offer: String,
    round: String,
    report: String,
    /// A request to the interpreter pool, as the organisation sent it.
    request: String,
}

/// Sets up a record of every kind for each of `organisations`, through the stores as the
/// coordination.
async fn records_of(app: &crate::TestApp, organisations: &[String]) -> Vec<Records> {
    use lotse_domain::measure::MeasureInput;
    use lotse_domain::offer::OfferInput;
    use lotse_store::measures::{self, ConceptInput};
    use lotse_store::offers::{self, SaveAs};
    use lotse_store::rounds;
    use lotse_store::scoped::Viewer;
    let system = Viewer::system("test");
    let actor = lotse_store::Actor::system("test");
    let now = app.clock.now_ms();
    let today = lotse_web::today();
    let concept = ConceptInput {
        short_name: "Matrix".into(),
        title: "Zugriffsmatrix".into(),
        adopted_on: "2026-01-01".into(),
        ..Default::default()
    }
    .validate()
    .unwrap_or_else(|_| panic!("concept"));
    let concept = app
        .db
        .write(async |tx| measures::create_concept(tx, &actor, &concept, false, now).await)
        .await
        .unwrap();
    let mut offers_of = Vec::new();
    for (i, org) in organisations.iter().enumerate() {
        let content = |title: &str| {
            OfferInput {
                title: title.into(),
                description: "Beschreibung".into(),
                topics: vec!["counselling".into()],
                languages: vec!["de".into()],
                free_of_charge: "yes".into(),
                ..OfferInput::default()
            }
            .validate(None)
            .unwrap()
        };
        let offer = app
            .db
            .write(async |tx| {
                let id = offers::create(
                    tx,
                    &system,
                    None,
                    org,
                    &content(&format!("Matrix-Angebot {i}")),
                    SaveAs::Published,
                    false,
                    today,
                    now,
                )
                .await?
                .id;
                offers::save(
                    tx,
                    &system,
                    &id,
                    &content(&format!("Unveröffentlichte Änderung {i}")),
                    SaveAs::Submitted,
                    None,
                    today,
                    now,
                )
                .await?;
                Ok(id)
            })
            .await
            .unwrap();
        offers_of.push(offer);
        let input = MeasureInput {
            concept_id: concept.clone(),
            code: format!("{}", i + 1),
            title: format!("Matrix-Maßnahme {i}"),
            lead_organisation_id: org.clone(),
            ki_involvement: "none".into(),
            status: "in_progress".into(),
            ..Default::default()
        };
        let draft = measures::validate(&app.db, &input).await.unwrap();
        app.db
            .write(async |tx| measures::create(tx, &actor, &draft, false, now).await)
            .await
            .unwrap();
    }
    let round = app
        .db
        .write(async |tx| {
            rounds::open(
                tx,
                &actor,
                "Matrix-Runde",
                "2026-06-30",
                "2099-12-31",
                std::slice::from_ref(&concept),
                false,
                now,
            )
            .await
        })
        .await
        .unwrap();
    let reports = rounds::updates(&app.db, &round, None).await.unwrap();
    let mut requests = Vec::new();
    for org in organisations {
        requests.push(
            lotse_store::interpreters::submit(
                &app.db,
                &system,
                org,
                &request_draft(app).await,
                false,
                now,
            )
            .await
            .unwrap(),
        );
    }
    organisations
        .iter()
        .zip(offers_of)
        .zip(requests)
        .map(|((org, offer), request)| Records {
            request,
            offer,
            round: round.clone(),
            report: reports
                .iter()
                .find(|r| r.organisation_id.as_deref() == Some(org.as_str()))
                .map(|r| r.id.clone())
                .unwrap_or_else(|| panic!("a report asked of {org}")),
        })
        .collect()
}

/// A request to the pool a month ahead, in Arabic, in Ahlen.
async fn request_draft(app: &crate::TestApp) -> lotse_domain::interpreters::RequestDraft {
    let towns = lotse_store::reference::town_names(&app.db).await.unwrap();
    lotse_domain::interpreters::RequestInput {
        language: "ar".into(),
        date: lotse_web::today().add_days(30).unwrap().to_string(),
        start: "10:00".into(),
        duration_minutes: "60".into(),
        town: "Ahlen".into(),
        setting: "authority".into(),
        ..Default::default()
    }
    .validate(lotse_web::today(), &towns)
    .unwrap()
}

/// A request of another organisation assigned to the demo interpreter (linked to the
/// `sprachmittlung` account): what they stand to as its assigned interpreter.
async fn assigned_request(app: &crate::TestApp, organisation: &str) -> String {
    use lotse_store::interpreters;
    let system = lotse_store::scoped::Viewer::system("test");
    let now = app.clock.now_ms();
    let draft = lotse_domain::interpreters::InterpreterInput {
        name: "Matrix-Sprachmittlerin".into(),
        languages: vec!["ar".into()],
        level: "c1".into(),
        weekdays: [true; 7],
        available_from: "00:00".into(),
        available_until: "23:59".into(),
        pledge_signed_on: "2026-01-01".into(),
        active: true,
        ..Default::default()
    }
    .validate(lotse_web::today())
    .unwrap();
    let interpreter =
        interpreters::create_interpreter(&app.db, &system, &draft, "sprachmittlung", false, now)
            .await
            .unwrap();
    let request = interpreters::submit(
        &app.db,
        &system,
        organisation,
        &request_draft(app).await,
        false,
        now,
    )
    .await
    .unwrap();
    interpreters::assign(&app.db, &system, &request, &interpreter, now)
        .await
        .unwrap();
    request
}

/// A body the route's form accepts in shape, so that a refusal cannot hide behind a malformed
/// request (422 before the record is looked at).
fn body_for(path: &str) -> &'static str {
    if path.ends_with("/withdraw") {
        "withdrawn=true"
    } else if path.ends_with("/return") {
        "note=Bitte+ergänzen"
    } else if path.ends_with("/review") {
        "decision=return&review_comment=Bitte+ergänzen"
    } else {
        ""
    }
}

web_test!(
    every_record_route_answers_as_the_access_table_decides,
    |app| {
        use lotse_domain::access::{Decision, Fields, Relationship, decide};
        let specs: Vec<_> = route_specs()
            .into_iter()
            .filter(|s| s.record.is_some())
            .collect();
        for record in lotse_domain::access::Record::ALL {
            if record == lotse_domain::access::Record::ReviewRound {
                // Rounds are opened and closed through routes the route gate alone decides.
                continue;
            }
            assert!(
                specs.iter().any(|s| s.record.map(|r| r.0) == Some(record)),
                "no route is marked as one about a {record:?}"
            );
        }
        // Every organisation a demo account belongs to, plus one nobody belongs to ("another").
        let mut organisations = Vec::new();
        for (username, _) in DEMO_USERS {
            let org = lotse_store::users::get_by_username(&app.db, username)
                .await
                .unwrap()
                .organisation_id;
            if !organisations.contains(&org) {
                organisations.push(org);
            }
        }
        let vocab = lotse_store::organisations::vocabulary(&app.db)
            .await
            .unwrap();
        let stranger = lotse_domain::organisation::OrganisationInput {
            name: "Fremder Träger (Matrix)".into(),
            kind: "welfare_association".into(),
            ..Default::default()
        }
        .validate(&vocab)
        .unwrap();
        let stranger = app
            .db
            .write(async |tx| {
                lotse_store::organisations::create(
                    tx,
                    &lotse_store::Actor::system("test"),
                    &stranger,
                    false,
                    app.clock.now_ms(),
                )
                .await
            })
            .await
            .unwrap();
        organisations.push(stranger);
        let records = records_of(&app, &organisations).await;
        let other = records.last().unwrap();
        let assigned = assigned_request(&app, organisations.last().unwrap()).await;
        // Programmes and the funding books belong to no organisation: the same records serve both
        // relationships (the demo's FIT programme, a demo grant and its funding programme).
        let system = lotse_store::scoped::Viewer::system("test");
        let programme = lotse_store::programmes::for_viewer(&app.db, &system)
            .list()
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.name.starts_with("FIT"))
            .map(|p| p.id.clone())
            .unwrap();
        let grant = lotse_store::funding::for_viewer(&app.db, &system)
            .all_grants()
            .await
            .unwrap()
            .into_iter()
            .next()
            .unwrap();

        // A family at the demo counsellor's site (Ahlen) and one at another site (Beckum),
        // each with a child: the "own" and the "other" record of the school counselling.
        let family_at = async |town: &str| {
            let input = lotse_domain::school_counselling::RegistrationInput {
                guardian_name: "Matrixfamilie".into(),
                phone: "02382 1".into(),
                town: town.into(),
                language: "ar".into(),
                children: vec![lotse_domain::school_counselling::ChildInput {
                    first_name: "Matrixkind".into(),
                    last_name: "Beispiel".into(),
                    birth_date: lotse_web::today().years_back(9).unwrap().to_string(),
                    ..Default::default()
                }],
                ..Default::default()
            };
            let towns = lotse_store::reference::town_names(&app.db).await.unwrap();
            let draft = input.validate(lotse_web::today(), &towns, true).unwrap();
            let lotse_store::school_counselling::Received::Kept(id) =
                lotse_store::school_counselling::receive(&app.db, &draft, "de", app.clock.now_ms())
                    .await
                    .unwrap()
            else {
                panic!("kept")
            };
            // Accepted, with an appointment booked, so that every route finds its record.
            lotse_store::school_counselling::accept(
                &app.db,
                &system,
                &id,
                None,
                app.clock.now_ms(),
            )
            .await
            .unwrap();
            let slot = lotse_domain::interpreters::Slot {
                date: lotse_web::today().add_days(30).unwrap(),
                start_minute: 9 * 60,
                duration_minutes: 60,
            };
            let appointment = lotse_store::school_counselling::book(
                &app.db,
                &system,
                &id,
                &lotse_domain::school_counselling::AppointmentDraft {
                    slot,
                    counsellor: None,
                    place: "KI".into(),
                    interpreter_language: None,
                },
                None,
                app.clock.now_ms(),
            )
            .await
            .unwrap();
            let child_id: String =
                lotse_store::school_counselling::registrations_for(&app.db, &system)
                    .get(&id)
                    .await
                    .unwrap()
                    .record
                    .children[0]
                    .id
                    .clone();
            (id, child_id, appointment)
        };
        let own_family = family_at("Ahlen").await;
        let other_family = family_at("Beckum").await;

        // A case assigned to each demo account (whatever its role: the table decides what the
        // assignment is worth) and one assigned to someone else; names that must not leak.
        let mut own_cases: std::collections::HashMap<&str, String> =
            std::collections::HashMap::new();
        // An entry of each kind on each case, for the routes that name one ({entry}).
        let mut entries: std::collections::HashMap<String, Vec<(&str, String)>> =
            std::collections::HashMap::new();
        let as_case_manager = |u: &lotse_store::users::User| lotse_store::scoped::Viewer {
            user_id: u.id.clone(),
            username: u.username.clone(),
            organisation_id: u.organisation_id.clone(),
            roles: vec![Role::CaseManager],
        };
        for (username, _) in DEMO_USERS {
            let u = lotse_store::users::get_by_username(&app.db, username)
                .await
                .unwrap();
            let owner = as_case_manager(&u);
            let case = open_case(&app, &owner, &format!("Matrixperson {username}")).await;
            entries.insert(case.clone(), case_entries(&app, &owner, &case).await);
            own_cases.insert(username, case);
        }
        // Every other tie a viewer can have to a case (deputy, shares, release, emergency
        // access): one case each, owned by another account, tied to the viewer alone.
        let mut tied: std::collections::HashMap<(&str, Relationship), String> =
            std::collections::HashMap::new();
        for (username, _) in DEMO_USERS {
            let u = lotse_store::users::get_by_username(&app.db, username)
                .await
                .unwrap();
            let someone_else = if username == "lesen" {
                "partner"
            } else {
                "lesen"
            };
            let owner = as_case_manager(
                &lotse_store::users::get_by_username(&app.db, someone_else)
                    .await
                    .unwrap(),
            );
            for &rel in lotse_domain::access::Record::Case.relationships() {
                if matches!(rel, Relationship::AssignedCaseManager | Relationship::Other) {
                    continue;
                }
                let case =
                    open_case(&app, &owner, &format!("Matrixperson {username} {rel:?}")).await;
                entries.insert(case.clone(), case_entries(&app, &owner, &case).await);
                lotse_store::testing::tie_to_case(
                    &app.db,
                    &case,
                    &u.id,
                    &u.organisation_id,
                    rel,
                    app.clock.now_ms(),
                )
                .await
                .unwrap();
                tied.insert((username, rel), case);
            }
        }

        let mut checked = 0;
        for (username, role) in DEMO_USERS {
            let own_org = lotse_store::users::get_by_username(&app.db, username)
                .await
                .unwrap()
                .organisation_id;
            let own = &records[organisations.iter().position(|o| *o == own_org).unwrap()];
            let cookie = app.login(username).await;
            for (relationship, r) in [
                (Relationship::OwnOrganisation, own),
                (Relationship::Other, other),
            ] {
                // Records of organisations stand in two relationships; a case in each of its own
                // ties, walked in the first pass.
                let walks: Vec<(&lotse_web::RouteSpec, Relationship)> = specs
                    .iter()
                    .flat_map(|spec| {
                        let is_case =
                            spec.record.map(|r| r.0) == Some(lotse_domain::access::Record::Case);
                        // A request also stands to its assigned interpreter, walked with the
                        // first pass.
                        let is_request = spec.record.map(|r| r.0)
                            == Some(lotse_domain::access::Record::InterpreterRequest);
                        let rels: Vec<Relationship> = match (is_case, relationship) {
                            (true, Relationship::OwnOrganisation) => {
                                lotse_domain::access::Record::Case.relationships().to_vec()
                            }
                            (true, _) => Vec::new(),
                            (false, Relationship::OwnOrganisation) if is_request => vec![
                                Relationship::OwnOrganisation,
                                Relationship::AssignedInterpreter,
                            ],
                            (false, rel) => vec![rel],
                        };
                        rels.into_iter().map(move |rel| (spec, rel))
                    })
                    .collect();
                for (spec, relationship) in walks {
                    let (record, action) = spec.record.unwrap();
                    // The API's record routes name the same records as the pages'.
                    let page_path = spec.path.strip_prefix("/api/v1").unwrap_or(spec.path);
                    let other_case = if username == "lesen" {
                        &own_cases["partner"]
                    } else {
                        &own_cases["lesen"]
                    };
                    let case_id = match relationship {
                        Relationship::AssignedCaseManager => &own_cases[username],
                        // Interpreters stand to requests only, never to a case.
                        Relationship::Other
                        | Relationship::OwnOrganisation
                        | Relationship::AssignedInterpreter => other_case,
                        rel => &tied[&(username, rel)],
                    };
                    let id = if page_path.starts_with("/cases/") {
                        case_id
                    } else if page_path.starts_with("/interpreters/requests/")
                        || page_path.starts_with("/interpreter-requests/")
                    {
                        if relationship == Relationship::AssignedInterpreter {
                            &assigned
                        } else {
                            &r.request
                        }
                    } else if page_path.starts_with("/school-counselling/") {
                        let family = if relationship == Relationship::OwnOrganisation {
                            &own_family
                        } else {
                            &other_family
                        };
                        if page_path.starts_with("/school-counselling/children/") {
                            &family.1
                        } else if page_path.starts_with("/school-counselling/appointments/") {
                            &family.2
                        } else {
                            &family.0
                        }
                    } else if page_path.starts_with("/offers/") {
                        &r.offer
                    } else if page_path.starts_with("/rounds/") {
                        &r.round
                    } else if page_path.starts_with("/programmes/") {
                        &programme
                    } else if page_path.starts_with("/funding/") {
                        &grant.funding_programme_id
                    } else if page_path.starts_with("/grants/") {
                        &grant.id
                    } else {
                        panic!("{}: which record does it name?", spec.path)
                    };
                    // The entry of the kind the path names, on the case it names.
                    let entry = entries
                        .get(id.as_str())
                        .and_then(|kinds| {
                            kinds
                                .iter()
                                .find(|(kind, _)| spec.path.contains(&format!("/{kind}/{{entry}}")))
                        })
                        .map_or("none", |(_, e)| e.as_str());
                    let path = spec
                        .path
                        .replace("{id}", id)
                        .replace("{entry}", entry)
                        .replace("{update}", &r.report)
                        .replace("{locale}", "ar");
                    let mut req = Request::builder()
                        .method(spec.method.clone())
                        .uri(&path)
                        .header(header::COOKIE, &cookie)
                        .header("sec-fetch-site", "same-origin");
                    if spec.method == Method::POST {
                        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                    }
                    let reply = app
                        .send(req.body(Body::from(body_for(&path))).unwrap())
                        .await;
                    let gate = match spec.access {
                        Access::Permission(p) => allows(role, p),
                        _ => true,
                    };
                    let decision = if record == lotse_domain::access::Record::Case {
                        // Every viewer also stands as "anyone" to a case: the widest answer.
                        let viewer = lotse_store::scoped::Viewer {
                            user_id: "u".into(),
                            username: "u".into(),
                            organisation_id: "o".into(),
                            roles: vec![role],
                        };
                        viewer
                            .decide_case(lotse_domain::access::CaseTies::only(relationship), action)
                    } else if record == lotse_domain::access::Record::SchoolRegistration {
                        // The "own" family stands at the demo counsellor's site; to everyone
                        // else it is any family.
                        let rel = if username == "schulberatung"
                            && relationship == Relationship::OwnOrganisation
                        {
                            Relationship::OwnSite
                        } else {
                            Relationship::Other
                        };
                        decide(&[role], record, rel, action)
                    } else {
                        decide(&[role], record, relationship, action)
                    };
                    let what = format!(
                        "{username} ({role:?}), {relationship:?} {record:?}: {} {} answered {}",
                        spec.method, spec.path, reply.status
                    );
                    if !gate {
                        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}");
                    } else if !decision.allows() {
                        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{what}");
                    } else {
                        assert!(
                            reply.status != StatusCode::NOT_FOUND
                                && reply.status != StatusCode::FORBIDDEN
                                && !reply.status.is_server_error(),
                            "{what}"
                        );
                    }
                    // Restricted to the published version: a pending change stays invisible.
                    if spec.method == Method::GET
                        && gate
                        && decision == Decision::Only(Fields::Published)
                    {
                        let offer = lotse_store::offers::for_viewer(
                            &app.db,
                            &lotse_store::scoped::Viewer::system("test"),
                        )
                        .get(&r.offer)
                        .await
                        .unwrap();
                        if let Some(open) = &offer.open {
                            assert!(
                                !reply.body.contains(open.content.title()),
                                "{what}: shows the pending change"
                            );
                        }
                    }
                    // Pseudonymised: the person's name does not reach the page.
                    if gate && decision == Decision::Only(Fields::Pseudonymous) {
                        assert!(!reply.body.contains("Matrixperson"), "{what}: shows a name");
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked >= DEMO_USERS.len() * 2 * specs.len());
    }
);

/// Opens a case assigned to `owner` (a viewer with the case manager role) for the matrix.
/// A goal, a referral, a hand-off and a follow-up on the case, as (path segment, id).
async fn case_entries(
    app: &crate::TestApp,
    owner: &lotse_store::scoped::Viewer,
    case: &str,
) -> Vec<(&'static str, String)> {
    use lotse_store::cases;
    let today = lotse_web::today();
    let day = today.to_string();
    let now = app.clock.now_ms();
    app.db
        .write(async |tx| {
            let goal = cases::add_goal(
                tx,
                owner,
                case,
                &lotse_domain::case::GoalInput {
                    life_domain: "language".into(),
                    description: "B1 erreichen".into(),
                    ..Default::default()
                },
                now,
            )
            .await?;
            let referral = cases::add_referral(
                tx,
                owner,
                case,
                &lotse_domain::case::ReferralInput {
                    life_domain: "language".into(),
                    organisation_id: owner.organisation_id.clone(),
                    requested_on: day.clone(),
                    ..Default::default()
                },
                today,
                now,
            )
            .await?;
            let handoff = cases::add_handoff(
                tx,
                owner,
                case,
                &lotse_domain::case::HandoffInput {
                    handoff_type: "residence_permit".into(),
                    started_on: day.clone(),
                    completed_on: String::new(),
                },
                &cases::HandoffTargets::default(),
                today,
                now,
            )
            .await?;
            let follow_up = cases::add_follow_up(
                tx,
                owner,
                case,
                &lotse_domain::case::FollowUpInput {
                    due_on: day.clone(),
                    subject: "Nachfragen".into(),
                },
                now,
            )
            .await?;
            let consent = cases::record_consent(
                tx,
                owner,
                case,
                &lotse_domain::case::ConsentInput {
                    purpose: "case_management".into(),
                    given_on: day.clone(),
                    form: "written".into(),
                    ..Default::default()
                }
                .validate(today)
                .map_err(lotse_store::StoreError::Invalid)?,
                now,
            )
            .await?;
            let document = cases::add_document(
                tx,
                owner,
                case,
                &lotse_domain::case::check_document("notice", "", Some("b.pdf"), b"%PDF-1.4 x")
                    .map_err(lotse_store::StoreError::Invalid)?,
                b"%PDF-1.4 x",
                now,
            )
            .await?;
            Ok(vec![
                ("goals", goal),
                ("referrals", referral),
                ("handoffs", handoff),
                ("follow-ups", follow_up),
                ("consents", consent),
                ("documents", document),
            ])
        })
        .await
        .unwrap()
}

async fn open_case(
    app: &crate::TestApp,
    owner: &lotse_store::scoped::Viewer,
    family: &str,
) -> String {
    let person = lotse_domain::case::PersonInput {
        family_name: family.into(),
        birth_date: "1990-04-12".into(),
        ..Default::default()
    }
    .validate(lotse_web::today())
    .unwrap();
    let intake = lotse_store::cases::IntakeDraft {
        access_route: lotse_domain::case::AccessRoute::Jobcenter,
        opened_on: lotse_web::today(),
    };
    app.db
        .write(async |tx| {
            lotse_store::cases::intake(tx, owner, &person, &intake, false, app.clock.now_ms()).await
        })
        .await
        .unwrap()
}
