//! Cases and their persons: personal data, handed out only as the access table allows, the
//! names not even read where steering sees a case (decision 0012).

use lotse_domain::Date;
use lotse_domain::Role;
use lotse_domain::access::{Decision, Fields, Viewer};
use lotse_domain::case::{AccessRoute, PersonInput};
use lotse_store::cases::{self, IntakeDraft};
use lotse_store::paging::PageRequest;
use lotse_store::{Db, StoreError, both_backends, users};

use crate::{admin, now, prepared};

const TODAY: Date = Date::new(2026, 11, 30).expect("a day");

async fn viewer(db: &Db, username: &str) -> Viewer {
    let u = users::get_by_username(db, username).await.unwrap();
    users::principal(db, &u.id).await.unwrap().unwrap().viewer()
}

/// A second case manager in another organisation than the demo's.
async fn other_case_manager(db: &Db) -> Viewer {
    let partner = users::get_by_username(db, "partner").await.unwrap();
    let draft = users::UserDraft {
        username: "fallmanagement.zwei".into(),
        display_name: "Zweite Fallmanagerin".into(),
        email: String::new(),
        organisation_id: partner.organisation_id.clone(),
        roles: vec![Role::CaseManager],
    };
    db.write(async |tx| users::create(tx, &admin(), &draft, "unused-hash", false, now()).await)
        .await
        .unwrap();
    viewer(db, "fallmanagement.zwei").await
}

fn person(family: &str) -> lotse_domain::case::PersonDraft {
    PersonInput {
        family_name: family.into(),
        given_names: "Mariam".into(),
        birth_date: "1990-04-12".into(),
        town: "05570004".into(),
        jurisdiction: "sgb2".into(),
        ..PersonInput::default()
    }
    .validate(TODAY)
    .unwrap()
}

async fn open(db: &Db, owner: &Viewer, family: &str) -> String {
    let intake = IntakeDraft {
        access_route: AccessRoute::Jobcenter,
        opened_on: TODAY,
    };
    db.write(async |tx| cases::intake(tx, owner, &person(family), &intake, false, now()).await)
        .await
        .unwrap()
}

both_backends!(
    a_case_is_seen_whole_by_its_case_manager_and_without_names_by_the_coordination,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let other = other_case_manager(&db).await;
        let mine = open(&db, &owner, "Haddad").await;
        let theirs = open(&db, &other, "Petrenko").await;

        let seen = cases::for_viewer(&db, &owner)
            .get(&mine, now())
            .await
            .unwrap();
        assert_eq!(seen.access.view, Decision::Allow);
        assert_eq!(seen.family_name.as_deref(), Some("Haddad"));
        assert_eq!(seen.birth_date, Date::new(1990, 4, 12));
        assert_eq!(seen.shown_name(), "Haddad, Mariam");
        assert!(seen.pseudonym.starts_with("P-") && seen.pseudonym.len() == 11);

        // Another case manager's case does not exist for them, in a get and in the list.
        assert!(matches!(
            cases::for_viewer(&db, &owner).get(&theirs, now()).await,
            Err(StoreError::NotFound)
        ));
        let listed: Vec<String> = cases::for_viewer(&db, &owner)
            .page(&PageRequest::first(50), now())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|c| c.record.id)
            .collect();
        assert!(listed.contains(&mine) && !listed.contains(&theirs));

        // The coordination sees both, pseudonymously: no names, no birth date, the year only.
        let coordination = viewer(&db, "koordination").await;
        let steering = cases::for_viewer(&db, &coordination)
            .get(&mine, now())
            .await
            .unwrap();
        assert_eq!(steering.access.view, Decision::Only(Fields::Pseudonymous));
        assert_eq!(steering.family_name, None);
        assert_eq!(steering.given_names, None);
        assert_eq!(steering.birth_date, None);
        assert_eq!(steering.birth_year.as_deref(), Some("1990"));
        assert_eq!(steering.shown_name(), steering.pseudonym);
        let all = cases::for_viewer(&db, &coordination)
            .page(&PageRequest::first(50), now())
            .await
            .unwrap()
            .items;
        assert!(all.iter().all(|c| c.family_name.is_none()));
        assert!(all.iter().any(|c| c.id == theirs));

        // Nobody else: a partner, a reader, an admin.
        for username in ["partner", "lesen", "admin"] {
            let v = viewer(&db, username).await;
            assert!(
                matches!(
                    cases::for_viewer(&db, &v).get(&mine, now()).await,
                    Err(StoreError::NotFound)
                ),
                "{username}"
            );
            assert!(
                cases::for_viewer(&db, &v)
                    .page(&PageRequest::first(50), now())
                    .await
                    .unwrap()
                    .items
                    .is_empty()
            );
        }

        // Every read is in the access log.
        db.access_log().flush().await;
        let reads =
            lotse_store::access_log::search(&db, Some(&owner.username), Some(&mine), None, 10)
                .await
                .unwrap();
        assert!(reads.len() >= 2, "the get and the list");
    }
);

both_backends!(
    only_case_managers_open_cases_and_bad_input_is_named,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let coordination = viewer(&db, "koordination").await;
        let intake = IntakeDraft {
            access_route: AccessRoute::OnOwnInitiative,
            opened_on: TODAY,
        };
        let refused = db
            .write(async |tx| {
                cases::intake(tx, &coordination, &person("Haddad"), &intake, false, now()).await
            })
            .await;
        assert!(matches!(refused, Err(StoreError::Invalid(_))));
        let bad = PersonInput {
            family_name: String::new(),
            birth_date: "2030-01-01".into(),
            ..PersonInput::default()
        }
        .validate(TODAY)
        .unwrap_err();
        assert!(bad.get("family_name").is_some() && bad.get("birth_date").is_some());
        // A case opened is in the audit log, without the person's name.
        let owner = viewer(&db, "fallmanagement").await;
        let id = open(&db, &owner, "Kaya").await;
        let entries = lotse_store::audit::search(&db, &Default::default(), 50, 0)
            .await
            .unwrap();
        let created = entries
            .iter()
            .find(|e| e.record_id == id)
            .expect("the case's event");
        assert!(!created.changes.contains("Kaya"));
    }
);

both_backends!(
    the_demo_gives_each_case_manager_their_own_cases,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let first = viewer(&db, "fallmanagement").await;
        let second = viewer(&db, "fallmanagement2").await;
        assert_ne!(first.organisation_id, second.organisation_id);
        let ids = |v: Viewer| {
            let db = db.clone();
            async move {
                cases::for_viewer(&db, &v)
                    .page(&PageRequest::first(200), now())
                    .await
                    .unwrap()
                    .items
                    .into_iter()
                    .map(|c| c.record.id)
                    .collect::<Vec<_>>()
            }
        };
        let mine = ids(first).await;
        let theirs = ids(second).await;
        assert!(!mine.is_empty() && !theirs.is_empty());
        assert!(
            mine.iter().all(|id| !theirs.contains(id)),
            "no case is both's"
        );
        // The generator adds synthetic persons, spread over both.
        let written = lotse_store::demo_cases::generate(&db, 30, 7, |_| {})
            .await
            .unwrap();
        assert_eq!(written, 30);
        let coordination = viewer(&db, "koordination").await;
        let all = cases::for_viewer(&db, &coordination)
            .page(&PageRequest::first(200), now())
            .await
            .unwrap()
            .items;
        assert_eq!(all.len(), mine.len() + theirs.len() + 30);
    }
);

both_backends!(
    likely_duplicates_meet_across_transliterations,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let p = |family: &str, given: &str| {
            PersonInput {
                family_name: family.into(),
                given_names: given.into(),
                ..PersonInput::default()
            }
            .validate(TODAY)
            .unwrap()
        };
        let intake = IntakeDraft {
            access_route: AccessRoute::Jobcenter,
            opened_on: TODAY,
        };
        db.write(async |tx| {
            cases::intake(
                tx,
                &owner,
                &p("El-Sayed", "Mohammed"),
                &intake,
                false,
                now(),
            )
            .await
        })
        .await
        .unwrap();
        let found = cases::likely_duplicates(&db, &owner, &p("El Sayed", "Muhammad"), now())
            .await
            .unwrap();
        assert_eq!(found.visible.len(), 1);
        let other = other_case_manager(&db).await;
        let found = cases::likely_duplicates(&db, &other, &p("Elsayed", "Mohamad"), now())
            .await
            .unwrap();
        assert_eq!((found.visible.len(), found.hidden), (0, 1));
        let none = cases::likely_duplicates(&db, &owner, &p("Petrenko", "Olena"), now())
            .await
            .unwrap();
        assert_eq!((none.visible.len(), none.hidden), (0, 0));
    }
);

both_backends!(
    a_named_deputy_sees_and_works_on_the_case_but_cannot_pass_it_on,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let deputy = viewer(&db, "fallmanagement2").await;
        let id = open(&db, &owner, "Vertretungsfall").await;
        assert!(matches!(
            cases::for_viewer(&db, &deputy).get(&id, now()).await,
            Err(StoreError::NotFound)
        ));
        // Only case managers can be named, and not the owner themselves.
        let partner = users::get_by_username(&db, "partner").await.unwrap();
        for wrong in [partner.id.as_str(), owner.user_id.as_str()] {
            let refused = db
                .write(async |tx| cases::set_deputy(tx, &owner, &id, Some(wrong), now()).await)
                .await;
            assert!(matches!(refused, Err(StoreError::Invalid(_))), "{wrong}");
        }
        db.write(async |tx| cases::set_deputy(tx, &owner, &id, Some(&deputy.user_id), now()).await)
            .await
            .unwrap();
        let seen = cases::for_viewer(&db, &deputy)
            .get(&id, now())
            .await
            .unwrap();
        assert_eq!(seen.family_name.as_deref(), Some("Vertretungsfall"));
        assert!(seen.access.change && !seen.access.decide);
        // The deputy cannot pass the case on: for that, it is not theirs.
        let passed = db
            .write(async |tx| cases::set_deputy(tx, &deputy, &id, None, now()).await)
            .await;
        assert!(matches!(passed, Err(StoreError::NotFound)));
        // Removed, the deputy sees nothing again.
        db.write(async |tx| cases::set_deputy(tx, &owner, &id, None, now()).await)
            .await
            .unwrap();
        assert!(matches!(
            cases::for_viewer(&db, &deputy).get(&id, now()).await,
            Err(StoreError::NotFound)
        ));
    }
);
