use lotse_store::bodies::{self, ActionItemInput, DecisionInput};
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
            .write(async |tx| bodies::create_meeting(tx, &admin(), &body, "4.3.2026", now()).await)
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
        let list = bodies::decisions(&db, Some(&body)).await.unwrap();
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
            bodies::action_items(&db, Some(&meeting), None)
                .await
                .unwrap()
                .len(),
            1,
            "through its decision"
        );
        assert_eq!(
            bodies::action_items(&db, None, Some(&owner)).await.unwrap()[0]
                .owner
                .as_deref(),
            Some("Kim Beispiel (Koordination)")
        );
        db.write(async |tx| bodies::set_action_state(tx, &admin(), &id, "done", now()).await)
            .await
            .unwrap();
        assert!(
            bodies::action_items(&db, None, Some(&owner))
                .await
                .unwrap()
                .iter()
                .all(|a| a.id != id),
            "done items leave the list"
        );
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
            bodies::action_items(&db, Some(&meeting_b), None)
                .await
                .unwrap()
                .is_empty()
        );
    }
);
