//! Consents, shares and emergency access (decision 0012, slice 3): who sees a case besides its
//! case manager, decided live from releases, accepted shares and open emergency accesses.

use lotse_domain::access::{Decision, Fields, Viewer};
use lotse_domain::case::{
    AccessRoute, AssessmentInput, BreakGlassInput, ConsentInput, ContactInput, GoalInput,
    PersonInput, RevocationInput, ShareInput,
};
use lotse_domain::{Date, Role};
use lotse_store::cases::{self, IntakeDraft};
use lotse_store::paging::PageRequest;
use lotse_store::{Db, StoreError, both_backends, day_of, users};

use crate::{admin, now, prepared, viewer};

/// A case manager in the partner's organisation: another organisation than the demo's KIM.
async fn case_manager_at_partner(db: &Db, username: &str) -> Viewer {
    let partner = users::get_by_username(db, "partner").await.unwrap();
    case_manager_at(db, username, &partner.organisation_id).await
}

/// A new case manager at `organisation`.
async fn case_manager_at(db: &Db, username: &str, organisation: &str) -> Viewer {
    let draft = users::UserDraft {
        username: username.into(),
        display_name: format!("Fallmanagement {username}"),
        email: String::new(),
        organisation_id: organisation.to_owned(),
        roles: vec![Role::CaseManager],
    };
    db.write(async |tx| users::create(tx, &admin(), &draft, "unused-hash", false, now()).await)
        .await
        .unwrap();
    viewer(db, username).await
}

fn today() -> Date {
    day_of(now())
}

async fn open(db: &Db, owner: &Viewer, family: &str) -> String {
    let person = PersonInput {
        family_name: family.into(),
        given_names: "Amal".into(),
        birth_date: "1988-02-03".into(),
        town: "05570004".into(),
        jurisdiction: "sgb2".into(),
        ..PersonInput::default()
    }
    .validate(today())
    .unwrap();
    let intake = IntakeDraft {
        access_route: AccessRoute::Jobcenter,
        opened_on: today(),
    };
    let case = db
        .write(async |tx| cases::intake(tx, owner, &person, &intake, false, now()).await)
        .await
        .unwrap();
    // Some work to see or not: an assessment (health), a goal, a contact.
    db.write(async |tx| {
        cases::add_assessment(
            tx,
            owner,
            &case,
            &AssessmentInput {
                life_domain: "health".into(),
                need_level: "high".into(),
                situation: "Behandlung nötig".into(),
                assessed_on: today().to_string(),
            },
            today(),
            now(),
        )
        .await?;
        cases::add_goal(
            tx,
            owner,
            &case,
            &GoalInput {
                life_domain: "work".into(),
                description: "Anerkennung des Abschlusses".into(),
                ..GoalInput::default()
            },
            now(),
        )
        .await?;
        cases::add_contact(
            tx,
            owner,
            &case,
            &ContactInput {
                contact_on: today().to_string(),
                minutes: "30".into(),
                channel: "phone".into(),
                note: "vertrauliche Notiz".into(),
                ..ContactInput::default()
            },
            today(),
            now(),
        )
        .await
    })
    .await
    .unwrap();
    case
}

async fn release(
    db: &Db,
    owner: &Viewer,
    case: &str,
    organisation: &str,
    covers: &[&str],
    valid_until: &str,
) -> String {
    let draft = ConsentInput {
        purpose: "release".into(),
        organisation_id: organisation.into(),
        given_on: today().to_string(),
        form: "written".into(),
        valid_until: valid_until.into(),
        covers: covers.iter().map(|c| (*c).to_owned()).collect(),
        ..ConsentInput::default()
    }
    .validate(today())
    .unwrap();
    db.write(async |tx| cases::record_consent(tx, owner, case, &draft, now()).await)
        .await
        .unwrap()
}

async fn revoke(db: &Db, owner: &Viewer, case: &str, consent: &str) -> Result<(), StoreError> {
    let input = RevocationInput {
        revoked_on: today().to_string(),
    };
    db.write(async |tx| {
        cases::revoke_consent(tx, owner, case, consent, &input, today(), now()).await
    })
    .await
}

/// The owner asks to share the case (the draft from `ShareInput`).
async fn ask(
    db: &Db,
    owner: &Viewer,
    case: &str,
    access: &str,
    to: &str,
    reason: &str,
) -> Result<String, StoreError> {
    let draft = ShareInput {
        access: access.into(),
        to_user_id: to.into(),
        override_reason: reason.into(),
        ..ShareInput::default()
    }
    .validate()
    .unwrap();
    db.write(async |tx| cases::request_share(tx, owner, case, &draft, now()).await)
        .await
}

async fn answer(
    db: &Db,
    receiver: &Viewer,
    share: &str,
    accept: bool,
) -> Result<String, StoreError> {
    db.write(async |tx| cases::answer_share(tx, receiver, share, accept, now()).await)
        .await
}

async fn sees(
    db: &Db,
    viewer: &Viewer,
    case: &str,
) -> Option<lotse_store::scoped::Scoped<cases::CaseRecord>> {
    match cases::for_viewer(db, viewer).get(case, now()).await {
        Ok(c) => Some(c),
        Err(StoreError::NotFound) => None,
        Err(e) => panic!("{e}"),
    }
}

both_backends!(
    a_release_shows_its_organisation_what_it_names_until_it_is_revoked,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let partner = viewer(&db, "partner").await;
        let abh = viewer(&db, "abh").await;
        let case = open(&db, &owner, "Karimi").await;
        assert!(sees(&db, &partner, &case).await.is_none());

        let consent = release(
            &db,
            &owner,
            &case,
            &partner.organisation_id,
            &["identity", "plan"],
            "",
        )
        .await;
        let seen = sees(&db, &partner, &case).await.expect("released");
        assert_eq!(seen.access.view, Decision::Only(Fields::Released));
        assert!(!seen.access.change);
        assert_eq!(seen.family_name.as_deref(), Some("Karimi"));
        // Residence is not named: town and jurisdiction are withheld, not read.
        assert_eq!(
            (seen.town_ags.as_deref(), seen.jurisdiction.as_deref()),
            (None, None)
        );
        let store = cases::for_viewer(&db, &partner);
        let work = store.work(&seen).await.unwrap();
        assert_eq!(work.goals.len(), 1);
        assert_eq!(work.goals[0].description, "Anerkennung des Abschlusses");
        assert!(work.assessments.is_empty() && work.withheld.assessment);
        assert!(work.contacts.is_empty() && work.withheld.diary);
        // Consents name other organisations: not the released organisation's business.
        assert!(store.consents(&seen).await.unwrap().is_empty());
        // In the list too, and nowhere for an organisation without a release.
        let page = store.page(&PageRequest::first(50), now()).await.unwrap();
        assert!(page.items.iter().any(|c| c.id == case));
        assert!(sees(&db, &abh, &case).await.is_none());
        // A release gives no right to change.
        let write = db
            .write(async |tx| {
                cases::add_goal(
                    tx,
                    &partner,
                    &case,
                    &GoalInput {
                        life_domain: "work".into(),
                        description: "x".into(),
                        ..GoalInput::default()
                    },
                    now(),
                )
                .await
            })
            .await;
        assert!(matches!(write, Err(StoreError::NotFound)));

        // Revoked: gone in the very next read.
        revoke(&db, &owner, &case, &consent).await.unwrap();
        assert!(sees(&db, &partner, &case).await.is_none());
        let again = db
            .write(async |tx| {
                cases::revoke_consent(
                    tx,
                    &owner,
                    &case,
                    &consent,
                    &RevocationInput {
                        revoked_on: today().to_string(),
                    },
                    today(),
                    now(),
                )
                .await
            })
            .await;
        assert!(matches!(again, Err(StoreError::Invalid(e)) if e.has("revoked_on")));

        // An expired release shows nothing either.
        let yesterday = today().add_days(-1).unwrap().to_string();
        let expired = ConsentInput {
            purpose: "release".into(),
            organisation_id: partner.organisation_id.clone(),
            given_on: today().add_days(-30).unwrap().to_string(),
            form: "written".into(),
            valid_until: yesterday,
            covers: vec!["identity".into()],
            ..ConsentInput::default()
        }
        .validate(today())
        .unwrap();
        db.write(async |tx| cases::record_consent(tx, &owner, &case, &expired, now()).await)
            .await
            .unwrap();
        assert!(sees(&db, &partner, &case).await.is_none());
        // The case manager sees every consent with its state.
        let own = sees(&db, &owner, &case).await.unwrap();
        let consents = cases::for_viewer(&db, &owner).consents(&own).await.unwrap();
        assert_eq!(consents.len(), 2);
        assert!(consents.iter().all(|k| !k.valid_on(today())));
    }
);

both_backends!(
    shares_are_requests_the_receiver_answers_and_a_release_bounds_them,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let elsewhere = case_manager_at_partner(&db, "fm.partner").await;
        let case = open(&db, &owner, "Nowak").await;

        // Another organisation without a release: refused, naming the field.
        let refused = ask(&db, &owner, &case, "read", &elsewhere.user_id, "").await;
        assert!(matches!(refused, Err(StoreError::Invalid(e)) if e.has("to_user_id")));
        // Pseudonymised needs no release; nothing is seen before it is accepted.
        let pseudo = ask(&db, &owner, &case, "pseudonymous", &elsewhere.user_id, "")
            .await
            .unwrap();
        assert!(sees(&db, &elsewhere, &case).await.is_none());
        let inbox = cases::inbox(&db, &elsewhere).await.unwrap();
        assert_eq!(inbox.pending.len(), 1);
        assert_eq!(inbox.pending[0].id, pseudo);
        // Only the addressee answers.
        let stranger = viewer(&db, "abh").await;
        let wrong = answer(&db, &stranger, &pseudo, true).await;
        assert!(matches!(wrong, Err(StoreError::NotFound)));
        answer(&db, &elsewhere, &pseudo, true).await.unwrap();
        let seen = sees(&db, &elsewhere, &case).await.unwrap();
        assert_eq!(seen.access.view, Decision::Only(Fields::Pseudonymous));
        assert_eq!(seen.family_name, None);
        // Typing the name at intake does not tie it to the pseudonym.
        let guess = PersonInput {
            family_name: "Nowak".into(),
            birth_date: "1988-02-03".into(),
            ..PersonInput::default()
        }
        .validate(today())
        .unwrap();
        let hint = cases::likely_duplicates(&db, &elsewhere, &guess, now())
            .await
            .unwrap();
        assert!(hint.visible.is_empty() && hint.hidden == 1);

        // A release of the plan alone does not open the whole case to a full share.
        let narrow = release(
            &db,
            &owner,
            &case,
            &elsewhere.organisation_id,
            &["plan"],
            "",
        )
        .await;
        let too_wide = ask(&db, &owner, &case, "read", &elsewhere.user_id, "").await;
        assert!(matches!(too_wide, Err(StoreError::Invalid(e)) if e.has("to_user_id")));
        revoke(&db, &owner, &case, &narrow).await.unwrap();
        // With a release of everything, a full read share; revoking it ends what it shows.
        let consent = release(
            &db,
            &owner,
            &case,
            &elsewhere.organisation_id,
            &["identity", "residence", "plan", "assessment"],
            "",
        )
        .await;
        let read = ask(&db, &owner, &case, "read", &elsewhere.user_id, "")
            .await
            .unwrap();
        answer(&db, &elsewhere, &read, true).await.unwrap();
        let seen = sees(&db, &elsewhere, &case).await.unwrap();
        assert_eq!(seen.access.view, Decision::Allow);
        assert_eq!(seen.family_name.as_deref(), Some("Nowak"));
        assert!(!seen.access.change);
        revoke(&db, &owner, &case, &consent).await.unwrap();
        let seen = sees(&db, &elsewhere, &case).await.unwrap();
        assert_eq!(
            seen.access.view,
            Decision::Only(Fields::Pseudonymous),
            "only the pseudonymised share is left"
        );

        // Without a release, in an emergency: a reason, reviewed by the coordination.
        let urgent = ask(
            &db,
            &owner,
            &case,
            "edit",
            &elsewhere.user_id,
            "Räumung morgen, Träger übernimmt die Begleitung heute.",
        )
        .await
        .unwrap();
        let coordination = viewer(&db, "koordination").await;
        let reviews = cases::access_reviews(&db, &coordination, true, 50)
            .await
            .unwrap();
        assert!(reviews.iter().any(|r| r.id == urgent && r.kind == "share"));
        assert!(cases::access_reviews(&db, &owner, true, 50).await.is_err());
        answer(&db, &elsewhere, &urgent, true).await.unwrap();
        assert!(sees(&db, &elsewhere, &case).await.unwrap().access.change);
        db.write(async |tx| {
            cases::review_access(
                tx,
                &coordination,
                "share",
                &urgent,
                "nachvollziehbar",
                now(),
            )
            .await
        })
        .await
        .unwrap();
        assert!(
            !cases::access_reviews(&db, &coordination, true, 50)
                .await
                .unwrap()
                .iter()
                .any(|r| r.id == urgent)
        );
        // The receiver gives it back.
        db.write(async |tx| cases::end_share(tx, &elsewhere, &urgent, now()).await)
            .await
            .unwrap();
        assert!(!sees(&db, &elsewhere, &case).await.unwrap().access.change);
    }
);

both_backends!(
    a_hand_over_makes_one_new_owner_and_never_two,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let colleague = viewer(&db, "fallmanagement2").await;
        let partner = viewer(&db, "partner").await;
        let case = open(&db, &owner, "Osei").await;
        // fallmanagement2 works at another organisation: the hand-over needs a release.
        release(
            &db,
            &owner,
            &case,
            &colleague.organisation_id,
            &["identity", "residence", "plan", "assessment"],
            "",
        )
        .await;
        // Only a case manager can take a case over.
        let wrong = ask(&db, &owner, &case, "ownership", &partner.user_id, "").await;
        assert!(matches!(wrong, Err(StoreError::Invalid(e)) if e.has("to_user_id")));
        let request = ask(&db, &owner, &case, "ownership", &colleague.user_id, "")
            .await
            .unwrap();
        let second = ask(&db, &owner, &case, "ownership", &colleague.user_id, "").await;
        assert!(matches!(second, Err(StoreError::Invalid(e)) if e.has("access")));
        // Only the assigned case manager hands a case on.
        let by_colleague = ask(&db, &colleague, &case, "ownership", &owner.user_id, "").await;
        assert!(
            matches!(by_colleague, Err(StoreError::NotFound)),
            "{by_colleague:?}"
        );
        // A colleague in the owner's organisation works on the case (no release needed
        // there) and is named deputy; a deputy does not pass the case on by a release.
        let teammate = case_manager_at(&db, "fm.team", &owner.organisation_id).await;
        let shared = ask(&db, &owner, &case, "edit", &teammate.user_id, "")
            .await
            .unwrap();
        answer(&db, &teammate, &shared, true).await.unwrap();
        db.write(async |tx| {
            cases::set_deputy(tx, &owner, &case, Some(teammate.user_id.as_str()), now()).await
        })
        .await
        .unwrap();
        let by_deputy = ConsentInput {
            purpose: "release".into(),
            organisation_id: partner.organisation_id.clone(),
            given_on: today().to_string(),
            form: "written".into(),
            covers: vec!["identity".into()],
            ..ConsentInput::default()
        }
        .validate(today())
        .unwrap();
        let refused = db
            .write(async |tx| cases::record_consent(tx, &teammate, &case, &by_deputy, now()).await)
            .await;
        assert!(matches!(refused, Err(StoreError::Invalid(e)) if e.has("purpose")));
        // A request still waiting when the case changes hands is withdrawn.
        let waiting = ask(&db, &owner, &case, "pseudonymous", &partner.user_id, "")
            .await
            .unwrap();
        answer(&db, &colleague, &request, true).await.unwrap();
        assert!(matches!(
            answer(&db, &partner, &waiting, true).await,
            Err(StoreError::Invalid(_))
        ));
        // The old organisation keeps nothing: the teammate's share now needs a release
        // towards it, which there is none of, and the deputy is gone.
        assert!(sees(&db, &teammate, &case).await.is_none());
        let theirs = sees(&db, &colleague, &case).await.unwrap();
        assert!(theirs.access.decide);
        assert_eq!(theirs.deputy_user_id, None);
        assert_eq!(theirs.owner_user_id, colleague.user_id);
        assert_eq!(theirs.organisation_id, colleague.organisation_id);
        assert!(
            sees(&db, &owner, &case).await.is_none(),
            "the old owner keeps nothing"
        );
        // A hand-over cannot be answered twice.
        let twice = answer(&db, &colleague, &request, true).await;
        assert!(matches!(twice, Err(StoreError::Invalid(_))));
    }
);

both_backends!(
    emergency_access_lasts_its_hours_and_waits_for_review,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let colleague = viewer(&db, "fallmanagement2").await;
        let partner = viewer(&db, "partner").await;
        let case = open(&db, &owner, "Haidari").await;
        let pseudonym = sees(&db, &owner, &case).await.unwrap().pseudonym.clone();
        let draft = BreakGlassInput {
            pseudonym: pseudonym.to_lowercase(),
            reason: "Kollegin krank, Klientin braucht heute den Bescheid.".into(),
            hours: "1".into(),
        }
        .validate()
        .unwrap();
        // Not a case manager: refused as if there were no case.
        let refused = db
            .write(async |tx| cases::break_glass(tx, &partner, &draft, now()).await)
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)));
        let unknown = BreakGlassInput {
            pseudonym: "P-2222-2222".into(),
            reason: "Kollegin krank, Klientin braucht heute den Bescheid.".into(),
            hours: "1".into(),
        }
        .validate()
        .unwrap();
        let none = db
            .write(async |tx| cases::break_glass(tx, &colleague, &unknown, now()).await)
            .await;
        assert!(matches!(none, Err(StoreError::Invalid(e)) if e.has("pseudonym")));

        let opened_at = now();
        let found = db
            .write(async |tx| cases::break_glass(tx, &colleague, &draft, opened_at).await)
            .await
            .unwrap();
        assert_eq!(found, case);
        let seen = cases::for_viewer(&db, &colleague)
            .get(&case, opened_at + 1_000)
            .await
            .unwrap();
        assert_eq!(seen.access.view, Decision::Allow);
        assert!(seen.access.change && !seen.access.decide);
        // An hour later it is over.
        let later = opened_at + 3_600_000 + 1;
        assert!(matches!(
            cases::for_viewer(&db, &colleague).get(&case, later).await,
            Err(StoreError::NotFound)
        ));
        let coordination = viewer(&db, "koordination").await;
        // Someone who both steers and works on cases does not review their own access.
        let both = Viewer {
            roles: vec![Role::Coordination, Role::CaseManager],
            ..colleague.clone()
        };
        let own = cases::access_reviews(&db, &both, true, 50).await.unwrap();
        let own = own
            .iter()
            .find(|r| r.kind == "break_glass" && r.pseudonym == pseudonym)
            .unwrap();
        let self_review = db
            .write(async |tx| {
                cases::review_access(tx, &both, "break_glass", &own.id, "passt", now()).await
            })
            .await;
        assert!(matches!(self_review, Err(StoreError::Invalid(e)) if e.has("review_note")));
        let open_reviews = cases::access_reviews(&db, &coordination, true, 50)
            .await
            .unwrap();
        let review = open_reviews
            .iter()
            .find(|r| r.kind == "break_glass" && r.pseudonym == pseudonym)
            .expect("flagged to the coordination");
        db.write(async |tx| {
            cases::review_access(
                tx,
                &coordination,
                "break_glass",
                &review.id,
                "geprüft",
                now(),
            )
            .await
        })
        .await
        .unwrap();
        let again = db
            .write(async |tx| {
                cases::review_access(tx, &coordination, "break_glass", &review.id, "", now()).await
            })
            .await;
        assert!(matches!(again, Err(StoreError::NotFound)));
    }
);

both_backends!(
    a_household_shows_its_members_as_far_as_the_viewer_sees_their_cases,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let colleague = viewer(&db, "fallmanagement2").await;
        let mother = open(&db, &owner, "Sadeghi").await;
        let son = open(&db, &owner, "Sadeghi").await;
        let theirs = open(&db, &colleague, "Fremd").await;
        let set = |who: &Viewer, case: &str, choice: cases::HouseholdChoice| {
            let (db, who, case) = (db.clone(), who.clone(), case.to_owned());
            async move {
                db.write(async |tx| cases::set_household(tx, &who, &case, &choice, now()).await)
                    .await
            }
        };
        let household_of = |case: &str| {
            let (db, owner, case) = (db.clone(), owner.clone(), case.to_owned());
            async move {
                let store = cases::for_viewer(&db, &owner);
                let c = store.get(&case, now()).await.unwrap();
                store.household(&c, now()).await.unwrap()
            }
        };
        let empty = set(&owner, &mother, cases::HouseholdChoice::New(" ".into())).await;
        assert!(matches!(empty, Err(StoreError::Invalid(e)) if e.has("household_label")));
        set(
            &owner,
            &mother,
            cases::HouseholdChoice::New("Familie S.".into()),
        )
        .await
        .unwrap();
        set(&owner, &son, cases::HouseholdChoice::Join(mother.clone()))
            .await
            .unwrap();
        let h = household_of(&mother).await.expect("a household");
        assert_eq!(h.label, "Familie S.");
        assert_eq!(h.members.len(), 1);
        assert_eq!(h.members[0].id, son);
        assert_eq!(h.others, 0);
        // A case the viewer may not change cannot be joined, nor can it join theirs.
        let foreign = set(
            &owner,
            &theirs,
            cases::HouseholdChoice::Join(mother.clone()),
        )
        .await;
        assert!(matches!(foreign, Err(StoreError::NotFound)));
        let into_foreign = set(&owner, &son, cases::HouseholdChoice::Join(theirs.clone())).await;
        assert!(matches!(into_foreign, Err(StoreError::Invalid(e)) if e.has("household_case")));
        // The son's case handed over to a colleague elsewhere: still in the household, unnamed.
        release(
            &db,
            &owner,
            &son,
            &colleague.organisation_id,
            &["identity", "residence", "plan", "assessment"],
            "",
        )
        .await;
        let handover = ask(&db, &owner, &son, "ownership", &colleague.user_id, "")
            .await
            .unwrap();
        answer(&db, &colleague, &handover, true).await.unwrap();
        let h = household_of(&mother).await.unwrap();
        assert!(h.members.is_empty());
        assert_eq!(h.others, 1);
        // Leaving: no household any more.
        set(&owner, &mother, cases::HouseholdChoice::Leave)
            .await
            .unwrap();
        assert!(household_of(&mother).await.is_none());
    }
);
