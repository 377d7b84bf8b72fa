//! The person's rights (decision 0012, slice 7): correction, the subject-access export,
//! anonymisation on request and after the retention period.

use lotse_domain::Date;
use lotse_domain::access::Viewer;
use lotse_domain::case::{
    AccessRoute, CasePhase, Closure, ClosureReason, ContactInput, GoalsReached, PersonInput,
};
use lotse_store::audit::{self, AuditFilter};
use lotse_store::cases::{self, IntakeDraft};
use lotse_store::{Db, StoreError, both_backends, day_of};

use crate::{now, prepared, viewer};

fn today() -> Date {
    day_of(now())
}

fn person(family: &str) -> PersonInput {
    PersonInput {
        family_name: family.into(),
        given_names: "Leyla".into(),
        birth_date: "1979-09-14".into(),
        languages: "Kurdisch".into(),
        town: "05570008".into(),
        jurisdiction: "sgb12".into(),
        ..PersonInput::default()
    }
}

/// Opens a case on `opened`, with a contact note, and closes it on `closed` if given.
async fn case_of(
    db: &Db,
    owner: &Viewer,
    family: &str,
    opened: Date,
    closed: Option<Date>,
) -> String {
    let draft = person(family).validate(today()).unwrap();
    let intake = IntakeDraft {
        access_route: AccessRoute::SocialWelfareOffice,
        opened_on: opened,
    };
    let case = db
        .write(async |tx| cases::intake(tx, owner, &draft, &intake, false, now()).await)
        .await
        .unwrap();
    db.write(async |tx| {
        cases::add_contact(
            tx,
            owner,
            &case,
            &ContactInput {
                contact_on: opened.to_string(),
                minutes: "45".into(),
                channel: "in_person".into(),
                note: format!("Gespräch mit Frau {family} über die Wohnung"),
                ..ContactInput::default()
            },
            today(),
            now(),
        )
        .await
    })
    .await
    .unwrap();
    if let Some(day) = closed {
        let closure = Closure {
            reason: ClosureReason::GoalsReached,
            goals_reached: GoalsReached::All,
        };
        // Recorded on that day too: retention counts from when a closing was recorded.
        let recorded = now() - (today().day_number() - day.day_number()) * 86_400_000;
        db.write(async |tx| {
            cases::change_phase(
                tx,
                owner,
                &case,
                CasePhase::Closed,
                Some(closure),
                day,
                today(),
                recorded,
            )
            .await
        })
        .await
        .unwrap();
    }
    case
}

both_backends!(
    a_correction_changes_the_person_and_the_log_names_only_the_fields,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let case = case_of(&db, &owner, "Yildiz", today(), None).await;
        let corrected = PersonInput {
            family_name: "Yıldız".into(),
            ..person("Yildiz")
        }
        .validate(today())
        .unwrap();
        db.write(async |tx| cases::correct_person(tx, &owner, &case, &corrected, now()).await)
            .await
            .unwrap();
        let store = cases::for_viewer(&db, &owner);
        let seen = store.get(&case, now()).await.unwrap();
        assert_eq!(seen.family_name.as_deref(), Some("Yıldız"));
        let record = store.person(&seen).await.unwrap();
        let events = audit::search(
            &db,
            &AuditFilter {
                record_id: Some(record.id.clone()),
                ..AuditFilter::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
        let correction = events
            .iter()
            .find(|e| e.changes.contains("corrected"))
            .expect("an event");
        assert!(correction.changes.contains("family_name"));
        assert!(
            !correction.changes.contains("Yıldız"),
            "no values in the log"
        );
        // Nobody else corrects: not found.
        let other = viewer(&db, "fallmanagement2").await;
        let refused = db
            .write(async |tx| cases::correct_person(tx, &other, &case, &corrected, now()).await)
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)));
    }
);

both_backends!(
    the_export_holds_everything_about_the_person_and_who_read_it,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let case = case_of(&db, &owner, "Export", today(), None).await;
        let store = cases::for_viewer(&db, &owner);
        let seen = store.get(&case, now()).await.unwrap();
        db.access_log().flush().await;
        let export = store.subject_access(&seen, now()).await.unwrap();
        let json = serde_json::to_string(&export).unwrap();
        for expected in [
            "Export",
            "1979-09-14",
            "Kurdisch",
            "über die Wohnung",
            "social_welfare_office",
        ] {
            assert!(
                json.contains(expected),
                "{expected} missing from the export"
            );
        }
        let tables: Vec<&str> = export.tables.iter().map(|(_, t, _)| t.as_str()).collect();
        for (table, _, _) in cases::SUBJECT_TABLES {
            assert!(tables.contains(table), "{table}");
        }
        assert!(!export.reads.is_empty(), "the reads of the case are listed");
        // Only the assigned case manager answers a request for access.
        let coordination = viewer(&db, "koordination").await;
        let steering = cases::for_viewer(&db, &coordination);
        let pseudonymised = steering.get(&case, now()).await.unwrap();
        assert!(matches!(
            steering.subject_access(&pseudonymised, now()).await,
            Err(StoreError::NotFound)
        ));
    }
);

both_backends!(
    anonymising_removes_who_the_person_is_and_keeps_what_is_counted,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let case = case_of(&db, &owner, "Anonym", today(), None).await;
        let before = cases::for_viewer(&db, &owner)
            .get(&case, now())
            .await
            .unwrap();
        let refused = db
            .write(async |tx| cases::anonymise_on_request(tx, &owner, &case, now()).await)
            .await;
        assert!(matches!(refused, Err(StoreError::Invalid(e)) if e.has("anonymise")));
        let closure = Closure {
            reason: ClosureReason::Declined,
            goals_reached: GoalsReached::Partly,
        };
        db.write(async |tx| {
            cases::change_phase(
                tx,
                &owner,
                &case,
                CasePhase::Closed,
                Some(closure),
                today(),
                today(),
                now(),
            )
            .await
        })
        .await
        .unwrap();
        db.write(async |tx| cases::anonymise_on_request(tx, &owner, &case, now()).await)
            .await
            .unwrap();
        let store = cases::for_viewer(&db, &owner);
        let after = store.get(&case, now()).await.unwrap();
        assert_eq!(after.family_name.as_deref(), Some(""));
        assert_eq!(after.birth_date, None);
        assert_eq!(after.birth_year.as_deref(), Some("1979"));
        assert_eq!(after.town_ags.as_deref(), Some("05570008"));
        assert_eq!(after.closure_reason.as_deref(), Some("declined"));
        assert_ne!(after.pseudonym, before.pseudonym, "a new pseudonym");
        assert!(after.shown_name().starts_with("anonymisiert"));
        let work = store.work(&after).await.unwrap();
        assert_eq!(work.contacts.len(), 1);
        assert_eq!(work.contacts[0].note, "");
        assert_eq!(work.contacts[0].minutes, 45);
        let json =
            serde_json::to_string(&store.subject_access(&after, now()).await.unwrap()).unwrap();
        for gone in [
            "Anonym\"",
            "Leyla",
            "1979-09-14",
            "Kurdisch",
            "über die Wohnung",
        ] {
            assert!(!json.contains(gone), "{gone} left after anonymising");
        }
        // The intake hint no longer finds the name.
        let again = person("Anonym").validate(today()).unwrap();
        let hint = cases::likely_duplicates(&db, &owner, &again, now())
            .await
            .unwrap();
        assert!(hint.visible.is_empty() && hint.hidden == 0);
        // Nothing more is recorded about them (it could never be removed again).
        let reopen = db
            .write(async |tx| {
                cases::change_phase(
                    tx,
                    &owner,
                    &case,
                    CasePhase::Clearing,
                    None,
                    today(),
                    today(),
                    now(),
                )
                .await
            })
            .await;
        assert!(matches!(reopen, Err(StoreError::Invalid(e)) if e.has("anonymised")));
        // Not twice.
        let twice = db
            .write(async |tx| cases::anonymise_on_request(tx, &owner, &case, now()).await)
            .await;
        assert!(matches!(twice, Err(StoreError::Invalid(_))));
    }
);

both_backends!(
    retention_anonymises_exactly_the_persons_whose_cases_all_closed_long_enough_ago,
    |db: Db| async move {
        prepared(&db).await;
        let owner = {
            lotse_store::demo::load(&db).await.unwrap();
            viewer(&db, "fallmanagement").await
        };
        let years_ago = |y: u16| today().years_back(y).unwrap();
        let due = case_of(&db, &owner, "Fällig", years_ago(6), Some(years_ago(4))).await;
        let recent = case_of(&db, &owner, "Jüngst", years_ago(3), Some(years_ago(2))).await;
        let open = case_of(&db, &owner, "Offen", years_ago(5), None).await;
        // One old closed case, one open: the person is still being worked with.
        let mixed_old = case_of(&db, &owner, "Gemischt", years_ago(6), Some(years_ago(5))).await;
        let mixed_person = cases::for_viewer(&db, &owner)
            .get(&mixed_old, now())
            .await
            .unwrap()
            .person_id
            .clone();
        // A second case of the same person, still open (written directly: intake makes a new
        // person, the store has no "new case for this person" yet).
        lotse_store::testing::second_open_case(
            &db,
            &mixed_person,
            &owner.user_id,
            &owner.organisation_id,
        )
        .await
        .unwrap();

        // Closed today with the day of the last contact typed in, years back: kept the full
        // period from today, not anonymised tonight.
        let typed_back = case_of(&db, &owner, "Rückdatiert", years_ago(6), None).await;
        let closure = Closure {
            reason: ClosureReason::NoContact,
            goals_reached: GoalsReached::NoneReached,
        };
        db.write(async |tx| {
            cases::change_phase(
                tx,
                &owner,
                &typed_back,
                CasePhase::Closed,
                Some(closure),
                years_ago(5),
                today(),
                now(),
            )
            .await
        })
        .await
        .unwrap();
        let dry = cases::run_retention(&db, today(), true, now())
            .await
            .unwrap();
        assert_eq!((dry.due, dry.anonymised, dry.years), (1, 0, 3));
        assert!(dry.summary().contains("Probelauf"));
        let name = |case: String| {
            let (db, owner) = (db.clone(), owner.clone());
            async move {
                cases::for_viewer(&db, &owner)
                    .get(&case, now())
                    .await
                    .unwrap()
                    .family_name
                    .clone()
                    .unwrap()
            }
        };
        assert_eq!(
            name(due.clone()).await,
            "Fällig",
            "the dry run changed nothing"
        );
        let run = cases::run_retention(&db, today(), false, now())
            .await
            .unwrap();
        assert_eq!(run.anonymised, 1);
        assert_eq!(name(due).await, "");
        for (case, family) in [
            (recent, "Jüngst"),
            (open, "Offen"),
            (mixed_old, "Gemischt"),
            (typed_back, "Rückdatiert"),
        ] {
            assert_eq!(name(case).await, family);
        }
        // A second run finds nothing new; a shorter period (setting) finds the recent one.
        assert_eq!(
            cases::run_retention(&db, today(), false, now())
                .await
                .unwrap()
                .anonymised,
            0
        );
        db.write(async |tx| {
            lotse_store::settings::set(tx, &crate::admin(), cases::RETENTION_YEARS, "1", now())
                .await
        })
        .await
        .unwrap();
        let shorter = cases::run_retention(&db, today(), true, now())
            .await
            .unwrap();
        assert_eq!((shorter.years, shorter.due), (1, 1));
    }
);
