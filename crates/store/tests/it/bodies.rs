use lotse_store::bodies::{self, ActionItemInput, DecisionInput};
use lotse_store::paging::PageRequest;
use lotse_store::{Db, StoreError, both_backends, measures, users};

use crate::{admin, now, prepared};

both_backends!(
    bodies_meetings_decisions_and_action_items,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let org = lotse_store::organisations::list(&db, false).await.unwrap()[0]
            .id
            .clone();
        let body = db
            .write(async |tx| {
                bodies::create_body(
                    tx,
                    &admin(),
                    "Lenkungsgruppe KIM (Test)",
                    "",
                    std::slice::from_ref(&org),
                    false,
                    now(),
                )
                .await
            })
            .await
            .unwrap();
        let dup = db
            .write(async |tx| {
                bodies::create_body(
                    tx,
                    &admin(),
                    "Lenkungsgruppe KIM (Test)",
                    "",
                    &[],
                    false,
                    now(),
                )
                .await
            })
            .await;
        assert!(matches!(dup, Err(StoreError::Invalid(ref e)) if e.get("name").is_some()));
        assert_eq!(bodies::body(&db, &body).await.unwrap().members.len(), 1);

        let meeting = db
            .write(async |tx| {
                bodies::create_meeting(tx, &admin(), &body, "2026-03-04", now()).await
            })
            .await
            .unwrap();
        for title in ["Begrüßung", "Bericht aus dem Case Management"] {
            db.write(async |tx| {
                bodies::add_agenda_item(tx, &admin(), &meeting, title, now()).await
            })
            .await
            .unwrap();
        }
        db.write(async |tx| {
            bodies::set_minutes(tx, &admin(), &meeting, "Protokoll\\nZeile 2", now()).await
        })
        .await
        .unwrap();
        let m = bodies::meeting(&db, &meeting).await.unwrap();
        assert_eq!(
            m.agenda,
            vec![
                (1, "Begrüßung".to_owned()),
                (2, "Bericht aus dem Case Management".to_owned())
            ]
        );
        let bad = db
            .write(async |tx| bodies::create_meeting(tx, &admin(), &body, "4.3.26", now()).await)
            .await;
        assert!(matches!(bad, Err(StoreError::Invalid(ref e)) if e.get("held_on").is_some()));

        let measure = measures::list(&db, &Default::default()).await.unwrap()[0]
            .id
            .clone();
        let input = DecisionInput {
            number: "LG-2026/01".into(),
            decided_on: "2026-03-04".into(),
            text: "Die Lenkungsgruppe beauftragt eine Projektgruppe.".into(),
            meeting_id: meeting.clone(),
            measure_ids: vec![measure.clone()],
        };
        let decision = db
            .write(async |tx| bodies::create_decision(tx, &admin(), &body, &input, now()).await)
            .await
            .unwrap();
        let again = db
            .write(async |tx| bodies::create_decision(tx, &admin(), &body, &input, now()).await)
            .await;
        assert!(matches!(again, Err(StoreError::Invalid(ref e)) if e.get("number").is_some()));
        let mut wrong = input.clone();
        wrong.number = "LG-2026/02".into();
        wrong.measure_ids = vec!["gibt-es-nicht".into()];
        let wrong = db
            .write(async |tx| bodies::create_decision(tx, &admin(), &body, &wrong, now()).await)
            .await;
        assert!(matches!(wrong, Err(StoreError::Invalid(ref e)) if e.get("measure_ids").is_some()));
        let list = bodies::decision_page_of_body(&db, &body, &PageRequest::default())
            .await
            .unwrap()
            .items;
        assert_eq!(list.len(), 1, "the failed decision left nothing behind");
        assert_eq!(list[0].measures.len(), 1);

        let owner = users::get_by_username(&db, "koordination")
            .await
            .unwrap()
            .id;
        let item = ActionItemInput {
            title: "Projektgruppe einberufen".into(),
            owner_user_id: owner.clone(),
            due_on: "2026-04-01".into(),
            decision_id: decision.clone(),
            ..Default::default()
        };
        let id = db
            .write(async |tx| bodies::create_action_item(tx, &admin(), &item, now()).await)
            .await
            .unwrap();
        assert_eq!(
            bodies::action_items_of_meeting(&db, &meeting)
                .await
                .unwrap()
                .len(),
            1,
            "through its decision"
        );
        assert_eq!(
            bodies::action_item(&db, &id)
                .await
                .unwrap()
                .owner
                .as_deref(),
            Some("Kim Beispiel (Koordination)")
        );
        assert!(
            bodies::open_actions_until(&db, i64::MAX)
                .await
                .unwrap()
                .iter()
                .any(|a| a.id == id)
        );
        db.write(async |tx| bodies::set_action_state(tx, &admin(), &id, "done", now()).await)
            .await
            .unwrap();
        assert!(
            bodies::open_actions_until(&db, i64::MAX)
                .await
                .unwrap()
                .iter()
                .all(|a| a.id != id),
            "done items leave the list"
        );
        assert!(matches!(
            bodies::action_item(&db, "gibt-es-nicht").await,
            Err(StoreError::NotFound)
        ));
        let orphan = db
            .write(async |tx| {
                bodies::create_action_item(
                    tx,
                    &admin(),
                    &ActionItemInput {
                        title: "x".into(),
                        ..Default::default()
                    },
                    now(),
                )
                .await
            })
            .await;
        assert!(matches!(orphan, Err(StoreError::Invalid(_))));

        let issue = lotse_store::structural_issues::list(&db, None)
            .await
            .unwrap()[0]
            .id
            .clone();
        db.write(async |tx| {
            bodies::link_issue(
                tx,
                &admin(),
                &lotse_domain::ids::MeetingId::from(&meeting),
                &lotse_domain::ids::IssueId::from(&issue),
                now(),
            )
            .await
        })
        .await
        .unwrap();
        assert_eq!(
            bodies::issues_of_meeting(&db, &meeting)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            bodies::meetings_of_issue(&db, &issue).await.unwrap()[0].2,
            "2026-03-04"
        );

        for _ in 0..2 {
            // Linking twice is harmless: the second click must not fail or duplicate.
            db.write(async |tx| {
                bodies::link_issue_to_decision(
                    tx,
                    &admin(),
                    &lotse_domain::ids::DecisionId::from(&decision),
                    &lotse_domain::ids::IssueId::from(&issue),
                    now(),
                )
                .await
            })
            .await
            .unwrap();
        }
        let linked = bodies::decisions_of_issue(&db, &issue).await.unwrap();
        assert_eq!(linked.len(), 1);
        assert_eq!(linked[0].2, "LG-2026/01");
        let missing = db
            .write(async |tx| {
                bodies::link_issue_to_decision(
                    tx,
                    &admin(),
                    &lotse_domain::ids::DecisionId::from("gibt-es-nicht"),
                    &lotse_domain::ids::IssueId::from(&issue),
                    now(),
                )
                .await
            })
            .await;
        assert!(matches!(missing, Err(StoreError::NotFound)));
    }
);

both_backends!(
    decisions_and_action_items_stay_within_their_body_and_meeting,
    |db: Db| async move {
        prepared(&db).await;
        let a = db
            .write(async |tx| bodies::create_body(tx, &admin(), "A", "", &[], false, now()).await)
            .await
            .unwrap();
        let b = db
            .write(async |tx| bodies::create_body(tx, &admin(), "B", "", &[], false, now()).await)
            .await
            .unwrap();
        let meeting_a = db
            .write(async |tx| bodies::create_meeting(tx, &admin(), &a, "2026-01-01", now()).await)
            .await
            .unwrap();
        let meeting_b = db
            .write(async |tx| bodies::create_meeting(tx, &admin(), &b, "2026-01-02", now()).await)
            .await
            .unwrap();
        let input = DecisionInput {
            number: "1".into(),
            decided_on: "2026-01-01".into(),
            text: "T".into(),
            meeting_id: meeting_b.clone(),
            ..Default::default()
        };
        let wrong = db
            .write(async |tx| bodies::create_decision(tx, &admin(), &a, &input, now()).await)
            .await;
        assert!(
            matches!(wrong, Err(StoreError::Invalid(ref e)) if e.get("meeting_id").is_some()),
            "{wrong:?}"
        );
        let input = DecisionInput {
            meeting_id: meeting_a.clone(),
            ..input
        };
        let decision = db
            .write(async |tx| bodies::create_decision(tx, &admin(), &a, &input, now()).await)
            .await
            .unwrap();
        let mixed = ActionItemInput {
            title: "x".into(),
            meeting_id: meeting_b.clone(),
            decision_id: decision.clone(),
            ..Default::default()
        };
        let mixed = db
            .write(async |tx| bodies::create_action_item(tx, &admin(), &mixed, now()).await)
            .await;
        assert!(
            matches!(mixed, Err(StoreError::Invalid(_))),
            "a decision of another meeting"
        );
        assert!(
            bodies::action_items_of_meeting(&db, &meeting_b)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

both_backends!(
    a_body_is_read_a_page_of_decisions_and_meetings_at_a_time,
    |db: Db| async move {
        prepared(&db).await;
        let body = db
            .write(async |tx| {
                bodies::create_body(tx, &admin(), "Kreistag", "", &[], false, now()).await
            })
            .await
            .unwrap();
        let other = db
            .write(async |tx| {
                bodies::create_body(tx, &admin(), "BIKS", "", &[], false, now()).await
            })
            .await
            .unwrap();
        // 15 meetings, one a month from January 2025.
        for i in 0..15 {
            let day = format!("{}-{:02}-10", 2025 + i / 12, i % 12 + 1);
            db.write(async |tx| bodies::create_meeting(tx, &admin(), &body, &day, now()).await)
                .await
                .unwrap();
        }
        // 25 decisions, two on some days, and some of another body.
        for i in 0..25 {
            let input = DecisionInput {
                number: format!("KT-{i:02}"),
                decided_on: format!("2025-{:02}-01", i / 2 % 12 + 1),
                text: "Beschluss".into(),
                ..Default::default()
            };
            db.write(async |tx| bodies::create_decision(tx, &admin(), &body, &input, now()).await)
                .await
                .unwrap();
        }
        for (number, day) in [("B-1", "2024-12-31"), ("B-2", "2025-06-30")] {
            let input = DecisionInput {
                number: number.into(),
                decided_on: day.into(),
                text: "Beschluss".into(),
                ..Default::default()
            };
            db.write(async |tx| bodies::create_decision(tx, &admin(), &other, &input, now()).await)
                .await
                .unwrap();
        }

        // Decisions: a page of 20, the newest first, then the rest; nothing twice, nothing lost.
        let first = bodies::decision_page_of_body(&db, &body, &PageRequest::first(20))
            .await
            .unwrap();
        assert_eq!(first.items.len(), 20);
        assert!(first.first);
        assert!(
            first
                .items
                .windows(2)
                .all(|w| w[0].decided_on >= w[1].decided_on),
            "newest first"
        );
        let next = first.next.clone().expect("a second page");
        let second = bodies::decision_page_of_body(
            &db,
            &body,
            &PageRequest::new(Some(&next.encode()), Some(20)),
        )
        .await
        .unwrap();
        assert_eq!(second.items.len(), 5);
        assert!(second.next.is_none() && !second.first);
        let mut numbers: Vec<String> = first
            .items
            .iter()
            .chain(&second.items)
            .map(|d| d.number.clone())
            .collect();
        assert!(first.items.last().unwrap().decided_on >= second.items[0].decided_on);
        numbers.sort();
        numbers.dedup();
        assert_eq!(
            numbers.len(),
            25,
            "every decision of the body once, none of another"
        );
        assert!(numbers.iter().all(|n| n.starts_with("KT-")));

        // Meetings: the 12 newest, then the 3 oldest.
        let newest = bodies::meeting_page(&db, &body, &PageRequest::first(12))
            .await
            .unwrap();
        assert_eq!(newest.items.len(), 12);
        assert_eq!(newest.items[0].held_on.to_string(), "2026-03-10");
        let older = bodies::meeting_page(
            &db,
            &body,
            &PageRequest::new(Some(&newest.next.clone().unwrap().encode()), Some(12)),
        )
        .await
        .unwrap();
        let days: Vec<String> = older.items.iter().map(|m| m.held_on.to_string()).collect();
        assert_eq!(days, ["2025-03-10", "2025-02-10", "2025-01-10"]);
        assert!(older.next.is_none());

        // The issue links are read for the decisions asked about only.
        let issues =
            lotse_store::structural_issues::register_page(&db, None, &PageRequest::first(1))
                .await
                .unwrap()
                .0
                .items;
        if let Some(issue) = issues.first() {
            for d in [&first.items[0].id, &second.items[0].id] {
                db.write(async |tx| {
                    bodies::link_issue_to_decision(
                        tx,
                        &admin(),
                        &lotse_domain::ids::DecisionId::from(d),
                        &lotse_domain::ids::IssueId::from(&issue.id),
                        now(),
                    )
                    .await
                })
                .await
                .unwrap();
            }
            let ids: Vec<&str> = first.items.iter().map(|d| d.id.as_str()).collect();
            let linked = bodies::issues_of_decisions(&db, &ids).await.unwrap();
            assert_eq!(linked.len(), 1, "{linked:?}");
            assert_eq!(linked[0].0, first.items[0].id);
        }
        assert!(
            bodies::issues_of_decisions(&db, &[])
                .await
                .unwrap()
                .is_empty()
        );

        // A status report's period: after one day, up to and including another, every body.
        let between = bodies::decisions_between(
            &db,
            Some(crate::day("2025-01-01")),
            crate::day("2025-06-01"),
        )
        .await
        .unwrap();
        assert!(
            between
                .iter()
                .all(|d| d.decided_on > crate::day("2025-01-01")
                    && d.decided_on <= crate::day("2025-06-01")),
            "{between:?}"
        );
        assert_eq!(between.len(), 10, "KT-02 … KT-11 (February to June 1st)");
        let all_until = bodies::decisions_between(&db, None, crate::day("2025-06-30"))
            .await
            .unwrap();
        assert!(
            all_until.iter().any(|d| d.number == "B-1")
                && all_until.iter().any(|d| d.number == "B-2")
        );
    }
);

both_backends!(
    pick_lists_of_issues_and_people_are_bounded,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        // Issues: in register order (settled ones last), at most as many as asked, with the rest
        // announced; words narrow by title.
        let (two, more) = bodies::issue_choices(&db, "", 2).await.unwrap();
        assert_eq!(two.len(), 2);
        assert!(more);
        let (all, more) = bodies::issue_choices(&db, "", 50).await.unwrap();
        assert!(!more);
        assert!(
            all.last().unwrap().1.starts_with("Anerkennung"),
            "the resolved issue comes last: {all:?}"
        );
        let (found, _) = bodies::issue_choices(&db, "kinderbetreuung KREISES", 50)
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.starts_with("Keine Integrationskurse"));
        assert!(
            bodies::issue_choices(&db, "100%_", 50)
                .await
                .unwrap()
                .0
                .is_empty()
        );
        assert_eq!(
            bodies::issue_labels(&db, &[found[0].0.as_str(), ""])
                .await
                .unwrap(),
            found
        );

        // People: active accounts only, by username, bounded, narrowed by name or username.
        let (few, more) = users::pick(&db, "", 2).await.unwrap();
        assert_eq!(few.len(), 2);
        assert!(more);
        let (kim, _) = users::pick(&db, "kim BEISPIEL", 50).await.unwrap();
        assert_eq!(kim.len(), 1);
        assert_eq!(kim[0].1, "Kim Beispiel (Koordination)");
        db.write(async |tx| users::set_active(tx, &admin(), &kim[0].0, false, now()).await)
            .await
            .unwrap();
        let (everyone, _) = users::pick(&db, "", 200).await.unwrap();
        assert!(
            everyone.iter().all(|(id, _)| *id != kim[0].0),
            "deactivated"
        );
        assert!(!everyone.is_empty());

        // Reminder recipients by role: active, with an address, in one of the roles.
        let keepers = users::reachable_with(&db, &[lotse_domain::Role::Coordination])
            .await
            .unwrap();
        assert!(keepers.iter().all(|u| u.active
            && !u.email.is_empty()
            && u.roles.contains(&lotse_domain::Role::Coordination)));
        assert!(users::reachable_with(&db, &[]).await.unwrap().is_empty());
    }
);

both_backends!(
    the_status_report_lists_the_decisions_of_its_period,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let body = db
            .write(async |tx| {
                bodies::create_body(tx, &admin(), "Kreistag (Bericht)", "", &[], false, now()).await
            })
            .await
            .unwrap();
        for (number, day) in [
            ("vorher", "2023-06-01"),
            ("im-jahr", "2024-06-01"),
            ("am-stichtag", "2024-12-31"),
            ("danach", "2025-01-15"),
        ] {
            let input = DecisionInput {
                number: number.into(),
                decided_on: day.into(),
                text: "Beschluss".into(),
                ..Default::default()
            };
            db.write(async |tx| bodies::create_decision(tx, &admin(), &body, &input, now()).await)
                .await
                .unwrap();
        }
        let ours = |r: &lotse_store::status_report::StatusReport| -> Vec<String> {
            r.decisions
                .iter()
                .filter(|d| d.body == "Kreistag (Bericht)")
                .map(|d| d.number.clone())
                .collect()
        };
        let rounds = lotse_store::rounds::rounds(&db).await.unwrap();
        // The first report (reference date 2024-12-31, no round before it): the year up to it.
        let closed = rounds.iter().find(|r| !r.is_open()).unwrap();
        let first = lotse_store::status_report::build(&db, &closed.id)
            .await
            .unwrap();
        assert_eq!(ours(&first), ["am-stichtag", "im-jahr"]);
        assert!(
            first
                .decisions
                .iter()
                .all(|d| d.decided_on > crate::day("2023-12-31")
                    && d.decided_on <= crate::day("2024-12-31"))
        );
        // The next report: since the previous round's reference date.
        let open = rounds.iter().find(|r| r.is_open()).unwrap();
        db.write(async |tx| lotse_store::rounds::close(tx, &admin(), &open.id, now()).await)
            .await
            .unwrap();
        let second = lotse_store::status_report::build(&db, &open.id)
            .await
            .unwrap();
        assert_eq!(ours(&second), ["danach"]);
        assert_eq!(
            lotse_store::status_report::decisions_after(&second.round, second.previous.as_ref()),
            crate::day("2024-12-31")
        );
    }
);
