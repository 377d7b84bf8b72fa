//! The start page as each role's work inbox (issue 12, decision 0014): what waits for the
//! person, from the demo data, each count linking to the list filtered to it.

use axum::http::StatusCode;
use lotse_store::rounds;

use crate::web_test;

/// The open demo round and a report the partner's organisation has not yet submitted in it.
async fn missing_partner_report(
    app: &crate::TestApp,
) -> (lotse_store::rounds::Round, lotse_store::rounds::Update) {
    let open = rounds::rounds(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.is_open())
        .unwrap();
    let org = app
        .organisation_id("Beratungsdienst Musterverband Beckum (Demo)")
        .await;
    let own = rounds::updates(&app.db, &open.id, Some(&org))
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.state == "missing")
        .expect("the partner owes a report");
    (open, own)
}

/// `text` as a query value.
fn encoded(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The address and count of the inbox line whose text contains `text`.
fn line<'a>(page: &'a str, text: &str) -> Option<(&'a str, &'a str)> {
    page.split("<li><a href=\"").skip(1).find_map(|li| {
        let (href, rest) = li.split_once('"')?;
        let count = rest
            .split("<span class=\"count\">")
            .nth(1)?
            .split('<')
            .next()?;
        rest.split("</li>")
            .next()?
            .contains(text)
            .then_some((href, count))
    })
}

web_test!(the_coordination_sees_what_waits_for_it, |app| {
    let coordination = app.login("koordination").await;
    let start = app.get("/", Some(&coordination)).await.body;
    let open = rounds::rounds(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.is_open())
        .unwrap();
    let submitted = rounds::updates(&app.db, &open.id, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.state == "submitted")
        .count();
    assert!(submitted > 0);
    let (href, count) = line(&start, "eingereichte Berichte zu prüfen").expect("reports to review");
    assert_eq!(count, submitted.to_string());
    assert_eq!(href, format!("/rounds/{}?state=submitted#tasks-h", open.id));
    // The count leads to exactly those reports.
    let list = app.get(href, Some(&coordination)).await.body;
    assert_eq!(
        list.matches(&format!("/rounds/{}/updates/", open.id))
            .count(),
        submitted.min(100)
    );

    // Offers waiting for approval, if the demo has any, counted and linked the same way.
    let waiting = app
        .get("/offers?state=submitted&organisation=", Some(&coordination))
        .await;
    assert_eq!(waiting.status, StatusCode::OK);
    if let Some((href, _)) = line(&start, "warten auf Freigabe") {
        assert_eq!(href, "/offers?state=submitted&#38;organisation=");
    }

    // Deadlines in date order, the round's among them.
    assert!(start.contains("<h2 id=\"fristen\">Fristen</h2>"));
    let deadline = open
        .submission_deadline
        .expect("the demo round has a deadline");
    assert!(
        start.contains(&format!("<td>{}</td>", deadline.german()))
            && start.contains(&format!("Abgabefrist „{}“", open.title)),
        "{start}"
    );
    let dates: Vec<lotse_domain::Date> = start
        .split("<h2 id=\"fristen\">")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap()
        .split("<tr><td>")
        .skip(1)
        .filter_map(|c| lotse_domain::Date::parse(c.split('<').next().unwrap_or_default()))
        .collect();
    assert!(!dates.is_empty());
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
    // Figures stay for the coordination.
    assert!(start.contains("Auf einen Blick"));

    // A first visit says so; after the partner submits a report, the next visit counts it.
    assert!(start.contains("Dies ist Ihre erste Anmeldung."), "{start}");
    let partner = app.login("partner").await;
    let org = app
        .organisation_id("Beratungsdienst Musterverband Beckum (Demo)")
        .await;
    let own = rounds::updates(&app.db, &open.id, Some(&org))
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.state == "missing" || u.state == "returned")
        .expect("the partner owes a report");
    let sent = app
        .post_form(
            &format!("/rounds/{}/updates/{}", open.id, own.id),
            &[
                ("status", "in_progress"),
                ("progress", "Zwei neue Gruppen."),
                ("adaptation", "none"),
            ],
            Some(&partner),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let again = app.login("koordination").await;
    let start = app.get("/", Some(&again)).await.body;
    let (href, count) = line(&start, "Berichte eingereicht").expect("changes since the last visit");
    assert_eq!((href, count), ("/rounds", "1"));
    let (_, count) = line(&start, "eingereichte Berichte zu prüfen").unwrap();
    assert_eq!(count, (submitted + 1).to_string());
});

web_test!(
    a_provider_sees_what_was_returned_and_why_and_their_open_work,
    |app| {
        let coordination = app.login("koordination").await;
        let partner = app.login("partner").await;
        let (open, own) = missing_partner_report(&app).await;
        app.post_form(
            &format!("/rounds/{}/updates/{}", open.id, own.id),
            &[("status", "in_progress"), ("progress", "läuft")],
            Some(&partner),
        )
        .await;
        let seen = rounds::update(&app.db, &own.id)
            .await
            .unwrap()
            .submitted_at
            .unwrap();
        let back = app
            .post_form(
                &format!("/rounds/{}/updates/{}/review", open.id, own.id),
                &[
                    ("decision", "return"),
                    ("review_comment", "Bitte die Teilnehmerzahlen ergänzen."),
                    ("submitted_at", &seen.to_string()),
                ],
                Some(&coordination),
            )
            .await;
        assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);

        let start = app.get("/", Some(&partner)).await.body;
        assert!(start.contains("Von der Koordination zurückgegeben"));
        assert!(
            start.contains(&format!("/rounds/{}/updates/{}", open.id, own.id))
                && start.contains("Bitte die Teilnehmerzahlen ergänzen."),
            "the returned report with its reason"
        );
        // Their open reports with the round's deadline, linked to the reports not yet accepted.
        let deadline = open.submission_deadline.unwrap();
        assert!(
            start.contains(&format!("Abgabefrist {}", deadline.german())),
            "{start}"
        );
        assert!(start.contains(&format!("/rounds/{}?state=open#tasks-h", open.id)));
        // Their offers by state, each count linking to their list in that state.
        let principal_offers = app.get("/offers?state=public", Some(&partner)).await;
        assert_eq!(principal_offers.status, StatusCode::OK);
        if let Some((href, count)) = line(&start, "veröffentlicht") {
            assert_eq!(href, "/offers?state=public");
            let shown = principal_offers.body.matches("href=\"/offers/").count();
            assert!(
                shown >= count.parse::<usize>().unwrap().min(50),
                "{count} vs {shown}"
            );
        }
        // No figures for providers: their work instead.
        assert!(!start.contains("Auf einen Blick"));
        assert!(!start.contains("Zu prüfen und freizugeben"));
    }
);

web_test!(a_committee_member_finds_the_latest_report_first, |app| {
    let reader = app.login("lesen").await;
    let start = app.get("/", Some(&reader)).await.body;
    let closed = rounds::rounds(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| !r.is_open())
        .unwrap();
    let lead = start.find("Neuester Bericht").expect("the latest report");
    assert!(lead < start.find("Ihre Bereiche").unwrap_or(usize::MAX));
    assert!(start.contains(&format!("Neuester Bericht: {}", closed.title)));
    for link in ["report", "report.pdf", "report.docx"] {
        let href = format!("/rounds/{}/{link}", closed.id);
        assert!(start.contains(&href), "{href}");
        assert_eq!(
            app.get(&href, Some(&reader)).await.status,
            StatusCode::OK,
            "{href}"
        );
    }
    assert!(!start.contains("Auf einen Blick"));
});

web_test!(
    each_role_gets_its_own_grouped_menu_and_every_page_a_trail,
    |app| {
        let menu = |page: &str| -> Vec<String> {
            page.split("aria-label=\"Hauptnavigation\"")
                .nth(1)
                .and_then(|n| n.split("</nav>").next())
                .unwrap_or_default()
                .split("<a href=\"")
                .skip(1)
                .filter_map(|a| a.split('"').next().map(str::to_owned))
                .collect()
        };
        let partner = app.login("partner").await;
        let coordination = app.login("koordination").await;
        let reader = app.login("lesen").await;
        let admin = app.login("admin").await;
        let partner_menu = menu(&app.get("/", Some(&partner)).await.body);
        let coordination_page = app.get("/", Some(&coordination)).await.body;
        let coordination_menu = menu(&coordination_page);
        let reader_menu = menu(&app.get("/", Some(&reader)).await.body);
        let admin_menu = menu(&app.get("/", Some(&admin)).await.body);
        // Only what the role uses.
        assert!(partner_menu.contains(&"/offers".to_owned()));
        assert!(
            !partner_menu.contains(&"/towns".to_owned()),
            "{partner_menu:?}"
        );
        assert!(!partner_menu.contains(&"/admin/users".to_owned()));
        assert!(coordination_menu.contains(&"/towns".to_owned()));
        assert!(coordination_menu.contains(&"/funding".to_owned()));
        assert!(!reader_menu.contains(&"/funding".to_owned()));
        assert!(reader_menu.contains(&"/rounds".to_owned()));
        assert!(admin_menu.contains(&"/admin/audit".to_owned()));
        assert!(!coordination_menu.contains(&"/admin/audit".to_owned()));
        // Grouped under headings that name them.
        assert!(coordination_page.contains("<span class=\"nav-group-label\" id=\"nav-g"));
        assert!(coordination_page.contains(">Integrationskonzept</span>"));

        // A trail on every page but the start page: the start page, the area, the page.
        assert!(!coordination_page.contains("aria-label=\"Brotkrümelpfad\""));
        let list = app.get("/measures", Some(&coordination)).await.body;
        assert!(list.contains(
        "<nav class=\"breadcrumb\" aria-label=\"Brotkrümelpfad\"><ol><li><a href=\"/\">Übersicht</a></li><li><span aria-current=\"page\">"
    ));
        let round = rounds::rounds(&app.db)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.is_open())
            .unwrap();
        let report = rounds::updates(&app.db, &round.id, None).await.unwrap()[0].clone();
        let page = app
            .get(
                &format!("/rounds/{}/updates/{}", round.id, report.id),
                Some(&coordination),
            )
            .await
            .body;
        let trail = page
            .split("aria-label=\"Brotkrümelpfad\"")
            .nth(1)
            .and_then(|t| t.split("</nav>").next())
            .expect("a trail");
        assert!(trail.contains("<a href=\"/\">Übersicht</a>"));
        assert!(
            trail.contains(&format!("<a href=\"/rounds/{}\">", round.id)),
            "{trail}"
        );
        assert!(trail.contains("aria-current=\"page\""));
        assert_eq!(page.matches("aria-label=\"Brotkrümelpfad\"").count(), 1);
    }
);

web_test!(the_bell_tells_each_person_what_concerns_them, |app| {
    let coordination = app.login("koordination").await;
    let partner = app.login("partner").await;
    let bell = |page: &str| -> String {
        page.split("class=\"bell\"")
            .nth(1)
            .and_then(|b| b.split("aria-label=\"").nth(1))
            .and_then(|l| l.split('"').next())
            .unwrap_or_default()
            .to_owned()
    };
    // The demo's rounds left news; read, the bell is quiet.
    assert!(bell(&app.get("/", Some(&partner)).await.body).ends_with("ungelesen"));
    for who in [&partner, &coordination] {
        app.post_form("/notifications/read", &[], Some(who)).await;
        assert_eq!(
            bell(&app.get("/", Some(who)).await.body),
            "Benachrichtigungen: keine neuen"
        );
    }
    let (open, own) = missing_partner_report(&app).await;
    app.post_form(
        &format!("/rounds/{}/updates/{}", open.id, own.id),
        &[("status", "in_progress"), ("progress", "läuft")],
        Some(&partner),
    )
    .await;
    // The coordination hears that reports wait; the link is the filtered round page.
    let page = app.get("/notifications", Some(&coordination)).await.body;
    assert!(
        page.contains(&format!("Neue Berichte zur Prüfung in „{}“", open.title)),
        "{page}"
    );
    assert!(bell(&app.get("/", Some(&coordination)).await.body).contains("ungelesen"));

    let seen = rounds::update(&app.db, &own.id)
        .await
        .unwrap()
        .submitted_at
        .unwrap();
    app.post_form(
        &format!("/rounds/{}/updates/{}/review", open.id, own.id),
        &[
            ("decision", "return"),
            ("review_comment", "Bitte Zahlen ergänzen."),
            ("submitted_at", &seen.to_string()),
        ],
        Some(&coordination),
    )
    .await;
    let start = app.get("/", Some(&partner)).await.body;
    assert_eq!(bell(&start), "Benachrichtigungen: 1 ungelesen");
    let page = app.get("/notifications", Some(&partner)).await.body;
    assert!(
        page.contains("wurde zurückgegeben: Bitte Zahlen ergänzen."),
        "{page}"
    );
    let link = page
        .split("<a href=\"/notifications/")
        .nth(1)
        .and_then(|l| l.split('"').next())
        .unwrap()
        .to_owned();
    // Someone else cannot open it; its owner is led to the report and it counts as read.
    let foreign = app
        .get(&format!("/notifications/{link}"), Some(&coordination))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let opened = app
        .get(&format!("/notifications/{link}"), Some(&partner))
        .await;
    assert_eq!(
        opened.location(),
        format!("/rounds/{}/updates/{}", open.id, own.id)
    );
    assert_eq!(
        bell(&app.get("/", Some(&partner)).await.body),
        "Benachrichtigungen: keine neuen"
    );
    // All at once.
    let read = app
        .post_form("/notifications/read", &[], Some(&coordination))
        .await;
    assert_eq!(read.location(), "/notifications?ok=notifications_read");
    assert!(
        app.get(read.location(), Some(&coordination))
            .await
            .body
            .contains("Alle Benachrichtigungen sind als gelesen markiert.")
    );
    assert_eq!(
        bell(&app.get("/", Some(&coordination)).await.body),
        "Benachrichtigungen: keine neuen"
    );
});

web_test!(
    one_search_finds_measures_offers_organisations_programmes_and_decisions_a_role_may_see,
    |app| {
        let coordination = app.login("koordination").await;
        let measure = lotse_store::measures::list(&app.db, &Default::default())
            .await
            .unwrap()
            .into_iter()
            .next()
            .unwrap();
        // A word of the title, typed in lower case without umlauts.
        let word = measure
            .title
            .split_whitespace()
            .find(|w| w.chars().count() >= 5)
            .unwrap_or(&measure.title);
        let typed = lotse_domain::collation::fold(word);
        let page = app
            .get(
                &format!("/search?q={}", encoded(&typed)),
                Some(&coordination),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("<h2 id=\"s-1\">Maßnahmen ("),
            "{}",
            page.body
        );
        assert!(
            page.body.contains(&format!("/measures/{}", measure.id)),
            "{typed}: {}",
            page.body
        );
        // The header carries the search on every page.
        assert!(
            page.body
                .contains("action=\"/search\" class=\"site-search\" role=\"search\"")
        );

        // An organisation by a word of its name, and it leads to its page.
        let org_id = app
            .organisation_id("Beratungsdienst Musterverband Beckum (Demo)")
            .await;
        let page = app
            .get("/search?q=musterverband", Some(&coordination))
            .await
            .body;
        assert!(page.contains(&format!("/organisations/{org_id}")));

        // Scoped: a provider finds another organisation's offers only as published; one never
        // published stays out of their search (and its count).
        let partner = app.login("partner").await;
        let system = lotse_store::scoped::Viewer::system("test");
        let all = lotse_store::offers::for_viewer(&app.db, &system);
        let unpublished = all
            .list(
                &lotse_store::offers::OfferFilter {
                    state: Some(lotse_store::offers::ListState::Unpublished),
                    ..Default::default()
                },
                lotse_store::day_of(lotse_store::now_ms()),
                &lotse_store::paging::PageRequest::first(200),
            )
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|o| o.organisation_id != org_id);
        if let Some(hidden) = unpublished {
            let q = encoded(&hidden.title);
            let theirs = app
                .get(&format!("/search?q={q}"), Some(&partner))
                .await
                .body;
            assert!(!theirs.contains(&format!("/offers/{}", hidden.id)));
            let ours = app
                .get(&format!("/search?q={q}"), Some(&coordination))
                .await
                .body;
            assert!(ours.contains(&format!("/offers/{}", hidden.id)));
        }
        let short = app.get("/search?q=a", Some(&partner)).await.body;
        assert!(short.contains("Bitte mindestens zwei Buchstaben eingeben."));
        let reader = app.login("lesen").await;
        // Each part exactly when the role may see that kind of record.
        let abh = app.login("abh").await;
        for (who, cookie) in [("lesen", &reader), ("partner", &partner), ("abh", &abh)] {
            let roles = lotse_store::users::get_by_username(&app.db, who)
                .await
                .unwrap()
                .roles;
            let page = app.get("/search?q=musterverband", Some(cookie)).await.body;
            for (heading, permission) in [
                ("Maßnahmen", lotse_domain::Permission::ViewMeasures),
                ("Angebote", lotse_domain::Permission::ViewOffers),
                (
                    "Organisationen",
                    lotse_domain::Permission::ViewOrganisations,
                ),
                ("Programme", lotse_domain::Permission::ViewProgrammes),
                ("Beschlüsse", lotse_domain::Permission::ViewBodies),
            ] {
                assert_eq!(
                    page.contains(&format!("\">{heading} (")),
                    lotse_domain::policy::any_allows(&roles, permission),
                    "{who}: {heading}"
                );
            }
        }
    }
);

web_test!(
    every_paged_list_offers_its_page_size_and_says_which_page_it_shows,
    |app| {
        let admin = app.login("admin").await;
        let coordination = app.login("koordination").await;
        for (path, who) in [
            ("/organisations", &coordination),
            ("/offers?organisation=", &coordination),
            ("/measures", &coordination),
            ("/issues", &coordination),
            ("/admin/users", &admin),
        ] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let page = app.get(&format!("{path}{sep}size=25"), Some(who)).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            let body = page.body;
            assert!(body.contains("Seite 1"), "{path}: page label");
            if path != "/measures" {
                assert!(
                    body.contains("<strong aria-current=\"true\">25</strong>"),
                    "{path}: {body}"
                );
                assert!(body.contains("Je Seite: "), "{path}: the size choices");
                assert!(
                    body.contains("size=200"),
                    "{path}: a link to 200 rows a page"
                );
            }
            // A size nobody offers falls back to the list's own.
            let odd = app.get(&format!("{path}{sep}size=100000"), Some(who)).await;
            assert_eq!(odd.status, StatusCode::OK, "{path}");
        }
    }
);
