//! What the start page reads after every login: a person's open action items and the reports
//! their organisation owes, each bounded and counted by the database.

use lotse_store::bodies::{self, ActionItemInput, OPEN_ACTIONS_SHOWN};
use lotse_store::{Db, both_backends, measures, rounds, users};

use crate::{admin, now, prepared};

both_backends!(
    open_action_items_are_listed_most_urgent_first_up_to_a_bound,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = users::get_by_username(&db, "partner").await.unwrap();
        let other = users::get_by_username(&db, "koordination").await.unwrap();
        let body = db
            .write(async |tx| {
                bodies::create_body(tx, &admin(), "Arbeitskreis (Test)", "", &[], false, now())
                    .await
            })
            .await
            .unwrap();
        let meeting = db
            .write(async |tx| {
                bodies::create_meeting(tx, &admin(), &body, "2026-03-04", now()).await
            })
            .await
            .unwrap();
        let create = |title: String, owner: String, due: String| {
            let db = db.clone();
            let meeting = meeting.clone();
            async move {
                db.write(async |tx| {
                    bodies::create_action_item(
                        tx,
                        &admin(),
                        &ActionItemInput {
                            title,
                            owner_user_id: owner,
                            due_on: due,
                            meeting_id: meeting,
                            ..Default::default()
                        },
                        now(),
                    )
                    .await
                })
                .await
                .unwrap()
            }
        };
        let before = bodies::open_actions_of(&db, &owner.id, OPEN_ACTIONS_SHOWN)
            .await
            .unwrap()
            .1;
        let extra = OPEN_ACTIONS_SHOWN + 5;
        for i in 0..extra {
            create(
                format!("Aufgabe {i}"),
                owner.id.clone(),
                format!("2027-01-{:02}", 28 - i % 28),
            )
            .await;
        }
        let undated = create("Ohne Frist".into(), owner.id.clone(), String::new()).await;
        let done = create("Erledigt".into(), owner.id.clone(), "2026-01-01".into()).await;
        db.write(async |tx| bodies::set_action_state(tx, &admin(), &done, "done", now()).await)
            .await
            .unwrap();
        create(
            "Fremde Aufgabe".into(),
            other.id.clone(),
            "2026-01-01".into(),
        )
        .await;

        let (shown, total) = bodies::open_actions_of(&db, &owner.id, OPEN_ACTIONS_SHOWN)
            .await
            .unwrap();
        assert_eq!(shown.len() as i64, OPEN_ACTIONS_SHOWN);
        assert_eq!(
            total,
            before + extra + 1,
            "open ones only, the done one not"
        );
        assert!(shown.iter().all(|a| a.state == "open"
            && a.owner_user_id.as_deref() == Some(owner.id.as_str())));
        let dues: Vec<_> = shown.iter().map(|a| a.due_on).collect();
        let mut sorted = dues.clone();
        sorted.sort();
        assert_eq!(dues, sorted, "most urgent first");
        assert!(
            shown.iter().all(|a| a.id != undated),
            "undated ones come last"
        );
    }
);

both_backends!(
    owed_reports_are_counted_per_open_round,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let concepts: Vec<String> = measures::concepts(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        let round = db
            .write(async |tx| {
                rounds::open(
                    tx,
                    &admin(),
                    "Runde für die Startseite",
                    "2026-06-30",
                    "2099-12-31",
                    &concepts,
                    false,
                    now(),
                )
                .await
            })
            .await
            .unwrap();
        let reports = rounds::updates(&db, &round, None).await.unwrap();
        let org = reports
            .iter()
            .find_map(|u| u.organisation_id.clone())
            .expect("a report with a lead organisation");
        let owed = reports
            .iter()
            .filter(|u| u.organisation_id.as_deref() == Some(org.as_str()))
            .count();
        let tasks = rounds::open_tasks(&db, &org).await.unwrap();
        let this = tasks
            .iter()
            .find(|(r, _)| r.id == round)
            .expect("the new round");
        assert_eq!(this.1, owed);
        assert!(tasks.iter().all(|(r, n)| r.is_open() && *n > 0));
        // The reminder names the same reports.
        let named = rounds::owed_reports(&db, &round).await.unwrap();
        assert_eq!(named.len(), reports.len());
        // Progress is counted by the database, per organisation and in all.
        let (by_org, total) = rounds::progress_of(&db, &round).await.unwrap();
        assert_eq!(total.missing, reports.len());
        assert_eq!(
            by_org.iter().map(|p| p.total()).sum::<usize>(),
            reports.len()
        );
    }
);
