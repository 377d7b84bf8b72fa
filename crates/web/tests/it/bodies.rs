//! Bodies, meetings and the status report read what they show, a page at a time: never every
//! decision, meeting, action item, issue or account there is.

use axum::http::StatusCode;
use lotse_store::bodies::{self, ActionItemInput, DecisionInput};
use lotse_store::{Actor, now_ms, users};

use crate::{TestApp, web_test};

fn actor() -> Actor {
    Actor::system("test")
}

async fn body(app: &TestApp, name: &str) -> String {
    app.db
        .write(async |tx| bodies::create_body(tx, &actor(), name, "", &[], false, now_ms()).await)
        .await
        .unwrap()
}

async fn decision(app: &TestApp, body: &str, number: &str, day: &str) -> String {
    let input = DecisionInput {
        number: number.into(),
        decided_on: day.into(),
        text: format!("Text von {number}"),
        ..Default::default()
    };
    app.db
        .write(async |tx| bodies::create_decision(tx, &actor(), body, &input, now_ms()).await)
        .await
        .unwrap()
}

/// The address a link with `rel` points to on a page.
fn link(page: &str, rel: &str) -> Option<String> {
    let (before, _) = page.split_once(&format!("rel=\"{rel}\""))?;
    let href = before.rsplit("href=\"").next()?;
    Some(href.trim_end_matches("\" ").replace("&amp;", "&"))
}

web_test!(a_body_page_shows_a_page_of_decisions_and_meetings, |app| {
    let kreistag = body(&app, "Kreistag (Seiten)").await;
    for i in 0..25 {
        decision(
            &app,
            &kreistag,
            &format!("KT-{i:02}"),
            &format!("2025-{:02}-01", i % 12 + 1),
        )
        .await;
    }
    for i in 0..14 {
        let day = format!("{}-{:02}-15", 2025 + i / 12, i % 12 + 1);
        app.db
            .write(async |tx| bodies::create_meeting(tx, &actor(), &kreistag, &day, now_ms()).await)
            .await
            .unwrap();
    }
    let coordination = app.login("koordination").await;
    let first = app
        .get(&format!("/bodies/{kreistag}"), Some(&coordination))
        .await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(
        first.body.matches("<article class=\"decision\">").count(),
        20
    );
    assert!(
        first.body.contains("Beschluss KT-11 vom 01.12.2025"),
        "the newest first"
    );
    // The meetings: the twelve newest, and a link to the older ones.
    assert_eq!(first.body.matches("href=\"/meetings/").count(), 12);
    assert!(first.body.contains("Sitzung vom 15.02.2026"));
    assert!(!first.body.contains("Sitzung vom 15.01.2025"));
    let older = link(&first.body, "next")
        .filter(|l| l.contains("meetings="))
        .expect("older meetings");
    let older = app.get(&older, Some(&coordination)).await;
    assert_eq!(older.status, StatusCode::OK);
    assert_eq!(older.body.matches("href=\"/meetings/").count(), 2);
    assert!(
        older.body.contains("Sitzung vom 15.01.2025") && older.body.contains("Neueste Sitzungen")
    );
    // The structural issues: one link form for the page, its buttons one per decision.
    assert_eq!(first.body.matches("name=\"issue_id\"").count(), 1);
    assert_eq!(first.body.matches("formaction=\"/decisions/").count(), 20);

    // The next page of decisions holds the rest, each once.
    let next = first
        .body
        .split("aria-label=\"Seiten der Beschlüsse\"")
        .nth(1)
        .and_then(|pager| link(pager, "next"))
        .expect("a next page of decisions");
    let second = app.get(&next, Some(&coordination)).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(
        second.body.matches("<article class=\"decision\">").count(),
        5
    );
    assert!(second.body.contains("rel=\"first\""));
    for i in 0..25 {
        let heading = format!("Beschluss KT-{i:02} vom");
        assert_eq!(
            first.body.matches(&heading).count() + second.body.matches(&heading).count(),
            1,
            "{heading}"
        );
    }

    // Linking an issue through the one form shows it at that decision only.
    let (issues, _) = bodies::issue_choices(&app.db, "", 1).await.unwrap();
    let issue = &issues[0].0;
    let on_second_page = second
        .body
        .split("formaction=\"/decisions/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_owned();
    let linked = app
        .post_form(
            &format!("/decisions/{on_second_page}/issues"),
            &[("issue_id", issue.as_str()), ("issue_q", "")],
            Some(&coordination),
        )
        .await;
    assert_eq!(linked.location(), format!("/bodies/{kreistag}?ok=saved"));
    let second = app.get(&next, Some(&coordination)).await.body;
    assert_eq!(second.matches("Behandelte Hürden: ").count(), 1);
    let first = app
        .get(&format!("/bodies/{kreistag}"), Some(&coordination))
        .await
        .body;
    assert!(!first.contains("Behandelte Hürden: "));

    // Readers see the decisions, not the forms.
    let reader = app.login("lesen").await;
    let page = app
        .get(&format!("/bodies/{kreistag}"), Some(&reader))
        .await
        .body;
    assert!(page.contains("Beschluss KT-11") && !page.contains("name=\"issue_id\""));
});

web_test!(the_issue_pick_is_bounded_and_narrowed, |app| {
    let input = |i: usize| lotse_domain::structural_issue::IssueInput {
        title: format!("Hürde Nummer {i:02}"),
        status: "reported".into(),
        reported_on: "2026-01-01".into(),
        evidence_count: "1".into(),
        ..Default::default()
    };
    for i in 0..60 {
        let draft = input(i).validate().unwrap();
        app.db
            .write(async |tx| {
                lotse_store::structural_issues::create(tx, &actor(), &draft, false, now_ms()).await
            })
            .await
            .unwrap();
    }
    let kreistag = body(&app, "Kreistag (Hürden)").await;
    decision(&app, &kreistag, "H-1", "2026-02-01").await;
    let coordination = app.login("koordination").await;
    let page = app
        .get(&format!("/bodies/{kreistag}"), Some(&coordination))
        .await
        .body;
    let select = page.split("id=\"f-issue_id\"").nth(1).unwrap();
    let select = select.split("</select>").next().unwrap();
    assert_eq!(
        select.matches("<option value=\"").count(),
        51,
        "50 and „bitte wählen“"
    );
    assert!(page.contains("Es passen mehr als 50 Hürden"));
    let narrowed = app
        .get(
            &format!("/bodies/{kreistag}?issue_q=nummer+07"),
            Some(&coordination),
        )
        .await
        .body;
    let select = narrowed.split("id=\"f-issue_id\"").nth(1).unwrap();
    let select = select.split("</select>").next().unwrap();
    assert_eq!(select.matches("<option value=\"").count(), 2, "{select}");
    assert!(select.contains("Hürde Nummer 07"));
});

web_test!(
    a_meeting_reads_its_own_action_items_and_a_bounded_owner_pick,
    |app| {
        let kreistag = body(&app, "Kreistag (Sitzung)").await;
        let mut meetings = Vec::new();
        for day in ["2026-03-01", "2026-04-01"] {
            let id = app
                .db
                .write(async |tx| {
                    bodies::create_meeting(tx, &actor(), &kreistag, day, now_ms()).await
                })
                .await
                .unwrap();
            meetings.push(id);
        }
        for (meeting, title) in [
            (&meetings[0], "Aufgabe hier"),
            (&meetings[1], "Aufgabe dort"),
        ] {
            let item = ActionItemInput {
                title: title.into(),
                meeting_id: meeting.clone(),
                ..Default::default()
            };
            app.db
                .write(async |tx| bodies::create_action_item(tx, &actor(), &item, now_ms()).await)
                .await
                .unwrap();
        }
        // More accounts than the owner pick lists, sorting before the demo's.
        let org = users::get_by_username(&app.db, "koordination")
            .await
            .unwrap()
            .organisation_id;
        let mut last = String::new();
        for i in 0..55 {
            let draft = users::UserDraft {
                username: format!("aa-person-{i:02}"),
                display_name: format!("Person {i:02}"),
                email: String::new(),
                organisation_id: org.clone(),
                roles: vec![lotse_domain::Role::Reader],
            };
            last = app
                .db
                .write(async |tx| users::create(tx, &actor(), &draft, "x", false, now_ms()).await)
                .await
                .unwrap();
        }
        let coordination = app.login("koordination").await;
        let page = app
            .get(&format!("/meetings/{}", meetings[0]), Some(&coordination))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Aufgabe hier") && !page.body.contains("Aufgabe dort"));
        let owners = |body: &str| -> String {
            body.split("id=\"f-owner_user_id\"")
                .nth(1)
                .unwrap()
                .split("</select>")
                .next()
                .unwrap()
                .to_owned()
        };
        let select = owners(&page.body);
        assert_eq!(
            select.matches("<option value=\"").count(),
            51,
            "50 and „niemand bestimmt“"
        );
        assert!(!select.contains("Person 54"));
        assert!(page.body.contains("Es passen mehr als 50 Personen"));
        assert_eq!(page.body.matches("name=\"issue_id\"").count(), 1);

        // A search keeps the chosen owner and what was typed.
        let search = app
        .get(
            &format!(
                "/meetings/{}?action_title=Protokoll+verschicken&owner_user_id={last}&owner_q=kim",
                meetings[0]
            ),
            Some(&coordination),
        )
        .await
        .body;
        let select = owners(&search);
        assert!(
            select.contains(&format!(
                "<option value=\"{last}\" selected>Person 54</option>"
            )),
            "{select}"
        );
        assert!(select.contains("Kim Beispiel (Koordination)"));
        assert_eq!(select.matches("<option value=\"").count(), 3);
        assert!(search.contains("value=\"Protokoll verschicken\""));

        // A deactivated account is no longer offered.
        app.db
            .write(async |tx| users::set_active(tx, &actor(), &last, false, now_ms()).await)
            .await
            .unwrap();
        let search = app
            .get(
                &format!("/meetings/{}?owner_q=person+54", meetings[0]),
                Some(&coordination),
            )
            .await
            .body;
        assert!(!owners(&search).contains("Person 54"));

        // A refused action item comes back with its owner chosen and its date kept.
        let kim = users::get_by_username(&app.db, "koordination")
            .await
            .unwrap()
            .id;
        let refused = app
            .post_form(
                "/action-items",
                &[
                    ("action_title", ""),
                    ("owner_user_id", &kim),
                    ("due_on", "2026-05-31"),
                    ("meeting_id", &meetings[0]),
                ],
                Some(&coordination),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(owners(&refused.body).contains(&format!("<option value=\"{kim}\" selected>")));
        assert!(refused.body.contains("value=\"2026-05-31\""));

        // The state of one item is set by its id.
        let item = bodies::action_items_of_meeting(&app.db, &meetings[1])
            .await
            .unwrap()[0]
            .id
            .clone();
        let done = app
            .post_form(
                &format!("/action-items/{item}/state"),
                &[("state", "done")],
                Some(&coordination),
            )
            .await;
        assert_eq!(
            done.location(),
            format!("/meetings/{}?ok=saved", meetings[1])
        );
        assert_eq!(
            app.post_form(
                "/action-items/gibt-es-nicht/state",
                &[("state", "done")],
                Some(&coordination)
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
    }
);

web_test!(the_status_report_lists_the_decisions_of_its_period, |app| {
    let kreistag = body(&app, "Kreistag (Bericht)").await;
    decision(&app, &kreistag, "BER-ALT-1", "2023-06-01").await;
    decision(&app, &kreistag, "BER-NEU-1", "2024-06-01").await;
    decision(&app, &kreistag, "BER-SPAETER-1", "2025-02-01").await;
    let closed = lotse_store::rounds::rounds(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| !r.is_open())
        .unwrap();
    let reader = app.login("lesen").await;
    let report = app
        .get(&format!("/rounds/{}/report", closed.id), Some(&reader))
        .await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.contains("BER-NEU-1"));
    assert!(
        !report.body.contains("BER-ALT-1"),
        "before the report period"
    );
    assert!(
        !report.body.contains("BER-SPAETER-1"),
        "after the reference date"
    );
    assert!(
        report
            .body
            .contains("Beschlüsse vom 01.01.2024 bis zum Stichtag")
    );
});

web_test!(
    linking_an_issue_returns_to_the_decision_page_it_came_from,
    |app| {
        let draft = lotse_domain::structural_issue::IssueInput {
            title: "Hürde zum Verknüpfen".into(),
            status: "reported".into(),
            reported_on: "2026-01-01".into(),
            evidence_count: "1".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let issue = app
            .db
            .write(async |tx| {
                lotse_store::structural_issues::create(tx, &actor(), &draft, false, now_ms()).await
            })
            .await
            .unwrap();
        let kreistag = body(&app, "Kreistag (Rückweg)").await;
        let mut last = String::new();
        for i in 0..25 {
            last = decision(&app, &kreistag, &format!("R-{i:02}"), "2026-02-01").await;
        }
        let coordination = app.login("koordination").await;
        let first = app
            .get(&format!("/bodies/{kreistag}"), Some(&coordination))
            .await
            .body;
        let next = link(&first, "next").expect("a second page of decisions");
        // The cursor as the page's hidden field holds it (decoded, as a browser sends it).
        let query = next.split_once('?').unwrap().1.split('#').next().unwrap();
        let decoded = form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "after")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let linked = app
            .post_form(
                &format!("/decisions/{last}/issues"),
                &[("issue_id", issue.as_str()), ("after", &decoded)],
                Some(&coordination),
            )
            .await;
        assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
        assert!(
            linked.location().contains("after="),
            "{}",
            linked.location()
        );
        assert!(linked.location().ends_with("ok=saved"));
    }
);
