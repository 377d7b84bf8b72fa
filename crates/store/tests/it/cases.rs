//! Cases and their persons: personal data, handed out only as the access table allows, the
//! names not even read where steering sees a case (decision 0012).

use lotse_domain::Date;
use lotse_domain::Role;
use lotse_domain::access::{Decision, Fields, Viewer};
use lotse_domain::case::{AccessRoute, PersonInput};
use lotse_store::cases::{self, IntakeDraft};
use lotse_store::paging::PageRequest;
use lotse_store::{Db, StoreError, both_backends, users};

use crate::{admin, now, prepared, viewer};

const TODAY: Date = Date::new(2026, 11, 30).expect("a day");

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
        // A colleague at the same organisation (one elsewhere needs a release: case_sharing).
        let colleague = users::UserDraft {
            username: "fm.kollegin".into(),
            display_name: "Kollegin im Fallmanagement".into(),
            email: String::new(),
            organisation_id: owner.organisation_id.clone(),
            roles: vec![Role::CaseManager],
        };
        db.write(async |tx| {
            users::create(tx, &admin(), &colleague, "unused-hash", false, now()).await
        })
        .await
        .unwrap();
        let deputy = viewer(&db, "fm.kollegin").await;
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

async fn open_in(db: &Db, owner: &Viewer, family: &str, town: &str, route: AccessRoute) -> String {
    let person = PersonInput {
        family_name: family.into(),
        town: town.into(),
        ..PersonInput::default()
    }
    .validate(TODAY)
    .unwrap();
    let intake = IntakeDraft {
        access_route: route,
        opened_on: Date::new(2026, 3, 1).expect("a day"),
    };
    db.write(async |tx| cases::intake(tx, owner, &person, &intake, false, now()).await)
        .await
        .unwrap()
}

both_backends!(
    work_on_a_case_is_recorded_checked_and_shown_without_free_text_to_the_coordination,
    |db: Db| async move {
        use lotse_domain::case::{
            AssessmentInput, ContactInput, FollowUpInput, GoalInput, HandoffInput, ReferralInput,
        };
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let other = other_case_manager(&db).await;
        let coordination = viewer(&db, "koordination").await;
        let id = open(&db, &owner, "Arbeit").await;
        let assessment = AssessmentInput {
            life_domain: "health".into(),
            need_level: "high".into(),
            situation: "Facharzttermin fehlt".into(),
            assessed_on: TODAY.to_string(),
        };
        db.write(async |tx| {
            cases::add_assessment(tx, &owner, &id, &assessment, TODAY, now()).await
        })
        .await
        .unwrap();
        // Another case manager cannot write to the case: it does not exist for them.
        let refused = db
            .write(async |tx| {
                cases::add_assessment(tx, &other, &id, &assessment, TODAY, now()).await
            })
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
        // A day before the case began is named at its field.
        let early = AssessmentInput {
            assessed_on: "2020-01-01".into(),
            ..assessment.clone()
        };
        let refused = db
            .write(async |tx| cases::add_assessment(tx, &owner, &id, &early, TODAY, now()).await)
            .await;
        assert!(
            matches!(&refused, Err(StoreError::Invalid(e)) if e.get("assessed_on").is_some()),
            "{refused:?}"
        );
        let goal = GoalInput {
            life_domain: "health".into(),
            description: "Behandlung beginnt".into(),
            target_on: "2027-02-01".into(),
            organisation_id: owner.organisation_id.clone(),
        };
        db.write(async |tx| cases::add_goal(tx, &owner, &id, &goal, now()).await)
            .await
            .unwrap();
        let referral = ReferralInput {
            life_domain: "health".into(),
            outcome: "no_suitable_offer".into(),
            unmet_reason: "language".into(),
            requested_on: TODAY.to_string(),
            ..ReferralInput::default()
        };
        db.write(async |tx| cases::add_referral(tx, &owner, &id, &referral, TODAY, now()).await)
            .await
            .unwrap();
        // An organisation that does not exist is named, and nothing is written.
        let nowhere = ReferralInput {
            organisation_id: "0190a0a0-0000-7000-8000-00000000dead".into(),
            outcome: String::new(),
            unmet_reason: String::new(),
            ..referral.clone()
        };
        let refused = db
            .write(async |tx| cases::add_referral(tx, &owner, &id, &nowhere, TODAY, now()).await)
            .await;
        assert!(
            matches!(&refused, Err(StoreError::Invalid(e)) if e.get("organisation_id").is_some()),
            "{refused:?}"
        );
        let handoff = HandoffInput {
            handoff_type: "residence_permit".into(),
            started_on: "2026-08-01".into(),
            completed_on: String::new(),
        };
        let targets = cases::HandoffTargets::default();
        db.write(async |tx| {
            cases::add_handoff(tx, &owner, &id, &handoff, &targets, TODAY, now()).await
        })
        .await
        .unwrap();
        let contact = ContactInput {
            contact_on: TODAY.to_string(),
            minutes: "40".into(),
            channel: "in_person".into(),
            interpreter: "on".into(),
            note: "Mit Dolmetscherin, Arabisch".into(),
        };
        db.write(async |tx| cases::add_contact(tx, &owner, &id, &contact, TODAY, now()).await)
            .await
            .unwrap();
        let follow_up = FollowUpInput {
            due_on: TODAY.to_string(),
            subject: "Termin beim Gesundheitsamt".into(),
        };
        db.write(async |tx| cases::add_follow_up(tx, &owner, &id, &follow_up, now()).await)
            .await
            .unwrap();

        let mine = cases::for_viewer(&db, &owner)
            .get(&id, now())
            .await
            .unwrap();
        let work = cases::for_viewer(&db, &owner).work(&mine).await.unwrap();
        assert_eq!(work.current_assessments().len(), 1);
        assert_eq!(work.assessments[0].situation, "Facharzttermin fehlt");
        assert_eq!(work.goals[0].description, "Behandlung beginnt");
        assert_eq!(work.referrals[0].unmet_reason.as_deref(), Some("language"));
        assert_eq!(
            work.handoffs[0].due_on,
            Date::new(2026, 10, 30).expect("a day")
        );
        assert!(work.handoffs[0].overdue(TODAY));
        assert_eq!(work.contacts[0].note, "Mit Dolmetscherin, Arabisch");
        assert_eq!(work.follow_ups[0].subject, "Termin beim Gesundheitsamt");

        // The coordination sees codes and days, never the texts.
        let seen = cases::for_viewer(&db, &coordination)
            .get(&id, now())
            .await
            .unwrap();
        let work = cases::for_viewer(&db, &coordination)
            .work(&seen)
            .await
            .unwrap();
        assert_eq!(work.assessments[0].need_level, "high");
        assert_eq!(work.assessments[0].situation, "");
        assert_eq!(work.goals[0].description, "");
        assert_eq!(work.contacts[0].note, "");
        assert_eq!(work.follow_ups[0].subject, "");
    }
);

both_backends!(
    an_overdue_handoff_reaches_its_case_manager_by_name_and_the_coordination_by_pseudonym,
    |db: Db| async move {
        use lotse_domain::case::HandoffInput;
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let other = other_case_manager(&db).await;
        let coordination = viewer(&db, "koordination").await;
        let id = open(&db, &owner, "Wartend").await;
        let targets = cases::HandoffTargets::default();
        let add = |started: &'static str| HandoffInput {
            handoff_type: "residence_permit".into(),
            started_on: started.into(),
            completed_on: String::new(),
        };
        // 90 days: due on 30 October (overdue), and one due on 30 November (not yet).
        let late = db
            .write(async |tx| {
                cases::add_handoff(tx, &owner, &id, &add("2026-08-01"), &targets, TODAY, now())
                    .await
            })
            .await
            .unwrap();
        db.write(async |tx| {
            cases::add_handoff(tx, &owner, &id, &add("2026-09-01"), &targets, TODAY, now()).await
        })
        .await
        .unwrap();
        let (mine, total) = cases::for_viewer(&db, &owner)
            .overdue_handoffs(TODAY, 20, now())
            .await
            .unwrap();
        // The demo's invented cases have overdue hand-offs too; this case has exactly one.
        assert!(total != lotse_store::paging::Count::Exactly(0));
        let mine: Vec<_> = mine.into_iter().filter(|h| h.case_id == id).collect();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].id, late);
        assert_eq!(mine[0].family_name.as_deref(), Some("Wartend"));
        assert_eq!(mine[0].days_over(TODAY), 31);
        let (steering, _) = cases::for_viewer(&db, &coordination)
            .overdue_handoffs(TODAY, 20, now())
            .await
            .unwrap();
        let row = steering.iter().find(|h| h.id == late).unwrap();
        assert_eq!(row.family_name, None);
        assert!(row.pseudonym.starts_with("P-"));
        let (theirs, total) = cases::for_viewer(&db, &other)
            .overdue_handoffs(TODAY, 20, now())
            .await
            .unwrap();
        assert!(theirs.is_empty() && total == lotse_store::paging::Count::Exactly(0));

        // The job's books: told once, then not again.
        let untold = cases::untold_overdue_handoffs(&db, TODAY, 100)
            .await
            .unwrap();
        assert!(untold.iter().any(|h| h.id == late));
        let told: Vec<(String, String)> = untold
            .iter()
            .map(|h| (h.case_id.clone(), h.id.clone()))
            .collect();
        db.write(async |tx| cases::mark_handoffs_told(tx, &admin(), &told, TODAY, now()).await)
            .await
            .unwrap();
        assert!(
            cases::untold_overdue_handoffs(&db, TODAY, 100)
                .await
                .unwrap()
                .is_empty()
        );

        // Completing it takes it off the monitor; an end before the start is refused.
        let backwards = db
            .write(async |tx| {
                cases::complete_handoff(tx, &owner, &id, &late, "2026-07-01", TODAY, now()).await
            })
            .await;
        assert!(
            matches!(&backwards, Err(StoreError::Invalid(e)) if e.get("completed_on").is_some())
        );
        db.write(async |tx| {
            cases::complete_handoff(tx, &owner, &id, &late, "2026-11-20", TODAY, now()).await
        })
        .await
        .unwrap();
        let (after, _) = cases::for_viewer(&db, &owner)
            .overdue_handoffs(TODAY, 200, now())
            .await
            .unwrap();
        assert!(after.iter().all(|h| h.case_id != id));
    }
);

both_backends!(
    case_figures_count_persons_and_never_show_a_group_below_five,
    |db: Db| async move {
        use lotse_store::statistics::{CaseFigure, Shown, case_figure};
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        // Seven persons in Ahlen, six in Beckum, two in Oelde: Oelde's two must not show, nor
        // any cell from which they could be worked out.
        for (town, n) in [("05570004", 7), ("05570008", 6), ("05570040", 2)] {
            for i in 0..n {
                open_in(
                    &db,
                    &owner,
                    &format!("Statistik {town} {i}"),
                    town,
                    AccessRoute::Jobcenter,
                )
                .await;
            }
        }
        let towns = lotse_store::reference::town_names(&db).await.unwrap();
        let from = Date::new(2026, 1, 1).expect("a day");
        let figure = case_figure(&db, CaseFigure::Town, from, TODAY, &towns)
            .await
            .unwrap();
        let shown = |key: &str| figure.lines.iter().find(|l| l.key == key).unwrap().shown;
        // The demo's own cases live in these towns too; ours are the bulk.
        assert!(
            matches!(shown("05570004"), Shown::Count(n) if n >= 7),
            "{:?}",
            shown("05570004")
        );
        assert_ne!(shown("05570040"), Shown::Count(2));
        for f in CaseFigure::ALL {
            let figure = case_figure(&db, f, from, TODAY, &towns).await.unwrap();
            for line in figure.lines.iter().map(|l| l.shown).chain([figure.total]) {
                assert!(!matches!(line, Shown::Count(1..=4)), "{f:?}: {line:?}");
            }
            // Where something is hidden, at least two cells are (no single gap to subtract).
            let hidden = figure
                .lines
                .iter()
                .filter(|l| l.shown != Shown::Count(l_count(l)))
                .count();
            assert!(
                hidden != 1,
                "{f:?}: one hidden cell can be worked out from the total"
            );
        }
        // A period before any case has nothing in it.
        let empty = case_figure(
            &db,
            CaseFigure::Town,
            Date::new(2000, 1, 1).expect("a day"),
            Date::new(2000, 12, 31).expect("a day"),
            &towns,
        )
        .await
        .unwrap();
        assert_eq!(empty.total, Shown::Count(0));
    }
);

/// The count a line shows, or a value no shown count has (for "is it hidden?").
fn l_count(l: &lotse_store::statistics::FigureLine) -> i64 {
    match l.shown {
        lotse_store::statistics::Shown::Count(n) => n,
        _ => -1,
    }
}
