use lotse_domain::Date;
use lotse_domain::offer::{Locale, OfferContent, OfferInput, OfferTexts};
use lotse_store::offers::{self, ListState, OfferFilter, RevisionState, SaveAs};
use lotse_store::{Db, StoreError, both_backends, organisations, users};

use crate::{admin, coordination, day, now, prepared};
use lotse_domain::Role;
use lotse_store::paging::PageRequest;
use lotse_store::scoped::{Scoped, Viewer};

const TODAY: Date = Date::new(2026, 11, 25).expect("a day");

pub fn content(title: &str) -> OfferContent {
    OfferInput {
        title: title.into(),
        description: format!("{title}: Beschreibung"),
        topics: vec!["language_course".into()],
        languages: vec!["de".into(), "ar".into()],
        free_of_charge: "yes".into(),
        location_town: vec!["05570004".into()],
        location_street: vec!["Marktplatz 1".into()],
        ..OfferInput::default()
    }
    .validate(None)
    .unwrap()
}

/// The demo's partner account, and two new organisations without offers (the demo's own offers
/// stay out of the way by filtering on them).
async fn setup(db: &Db) -> (Viewer, String, String) {
    prepared(db).await;
    lotse_store::demo::load(db).await.unwrap();
    let partner = users::get_by_username(db, "partner").await.unwrap();
    let vocabulary = organisations::vocabulary(db).await.unwrap();
    let mut ids = Vec::new();
    for name in ["Testträger A", "Testträger B"] {
        let draft = lotse_domain::organisation::OrganisationInput {
            name: name.into(),
            kind: "welfare_association".into(),
            ..Default::default()
        }
        .validate(&vocabulary)
        .unwrap();
        ids.push(
            db.write(async |tx| organisations::create(tx, &admin(), &draft, false, now()).await)
                .await
                .unwrap(),
        );
    }
    // The partner works for the first of them.
    let partner = Viewer {
        user_id: partner.id,
        username: partner.username,
        organisation_id: ids[0].clone(),
        roles: vec![Role::Partner],
    };
    (partner, ids[0].clone(), ids[1].clone())
}

fn of(org: &str) -> OfferFilter {
    OfferFilter {
        organisation_id: Some(org.to_owned()),
        ..OfferFilter::default()
    }
}

async fn published_of(db: &Db, org: &str) -> Vec<offers::PublishedOffer> {
    offers::published(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.organisation_id == org)
        .collect()
}

fn states(list: &[offers::OfferSummary]) -> Vec<(String, Option<String>, bool)> {
    list.iter()
        .map(|o| {
            (
                o.title.clone(),
                o.open_state.clone(),
                o.published_revision.is_some(),
            )
        })
        .collect()
}

both_backends!(
    a_partners_offer_goes_live_only_after_approval,
    |db: Db| async move {
        let (partner, org, _) = setup(&db).await;
        let id = db
            .write(async |tx| {
                offers::create(
                    tx,
                    &partner,
                    None,
                    &org,
                    &content("Sprachcafé"),
                    SaveAs::Submitted,
                    false,
                    TODAY,
                    now(),
                )
                .await
                .map(|saved| saved.id)
            })
            .await
            .unwrap();
        let offer = offers::for_viewer(&db, &coordination())
            .get(&id)
            .await
            .map(Scoped::into_inner)
            .unwrap();
        assert!(offer.published.is_none());
        assert_eq!(offer.open.as_ref().unwrap().state, RevisionState::Submitted);
        assert!(!offer.is_public(TODAY));
        assert!(published_of(&db, &org).await.is_empty());
        let waiting = offers::for_viewer(&db, &coordination())
            .list(
                &OfferFilter {
                    state: Some(ListState::Submitted),
                    ..of(&org)
                },
                TODAY,
                &PageRequest::first(200),
            )
            .await
            .map(|p| {
                p.items
                    .into_iter()
                    .map(Scoped::into_inner)
                    .collect::<Vec<_>>()
            })
            .unwrap();
        assert_eq!(
            states(&waiting),
            [("Sprachcafé".to_owned(), Some("submitted".to_owned()), false)]
        );

        db.write(async |tx| offers::approve(tx, &coordination(), &id, None, TODAY, now()).await)
            .await
            .unwrap();
        let offer = offers::for_viewer(&db, &coordination())
            .get(&id)
            .await
            .map(Scoped::into_inner)
            .unwrap();
        assert!(offer.open.is_none());
        assert_eq!(offer.verified_on, Some(TODAY));
        assert!(offer.is_public(TODAY));
        assert_eq!(
            published_of(&db, &org).await[0].content.title(),
            "Sprachcafé"
        );

        // A change waits while the published version stays live.
        db.write(async |tx| {
            offers::save(
                tx,
                &partner,
                &id,
                &content("Sprachcafé am Abend"),
                SaveAs::Submitted,
                None,
                TODAY,
                now(),
            )
            .await
        })
        .await
        .unwrap();
        let live = offers::published_one(&db, &id).await.unwrap();
        assert_eq!(live.content.title(), "Sprachcafé");
        assert_eq!(
            offers::for_viewer(&db, &coordination())
                .get(&id)
                .await
                .map(Scoped::into_inner)
                .unwrap()
                .title,
            "Sprachcafé am Abend"
        );

        // Returned with a note; the note is required.
        let no_note = db
            .write(async |tx| {
                offers::return_change(tx, &coordination(), &id, None, "  ", now()).await
            })
            .await;
        assert!(matches!(no_note, Err(StoreError::Invalid(ref e)) if e.get("note").is_some()));
        db.write(async |tx| {
            offers::return_change(
                tx,
                &coordination(),
                &id,
                None,
                "Bitte Uhrzeit ergänzen",
                now(),
            )
            .await
        })
        .await
        .unwrap();
        let offer = offers::for_viewer(&db, &coordination())
            .get(&id)
            .await
            .map(Scoped::into_inner)
            .unwrap();
        let open = offer.open.unwrap();
        assert_eq!(open.state, RevisionState::Returned);
        assert_eq!(open.note, "Bitte Uhrzeit ergänzen");
        let not_waiting = db
            .write(async |tx| offers::approve(tx, &coordination(), &id, None, TODAY, now()).await)
            .await;
        assert!(matches!(not_waiting, Err(StoreError::Invalid(ref e)) if e.get("state").is_some()));

        // A reviewer's click only applies to the version they looked at, an editor's save only to
        // the version they started from.
        let seen = offers::for_viewer(&db, &coordination())
            .get(&id)
            .await
            .map(Scoped::into_inner)
            .unwrap()
            .open
            .unwrap()
            .id;
        let stale = db
            .write(async |tx| {
                offers::save(
                    tx,
                    &partner,
                    &id,
                    &content("Von veraltetem Stand"),
                    SaveAs::Submitted,
                    Some("not-the-current-revision"),
                    TODAY,
                    now(),
                )
                .await
            })
            .await;
        assert!(matches!(stale, Err(StoreError::Invalid(ref e)) if e.get("state").is_some()));
        db.write(async |tx| {
            offers::save(
                tx,
                &partner,
                &id,
                &content("Sprachcafé, neu eingereicht"),
                SaveAs::Submitted,
                Some(&seen),
                TODAY,
                now(),
            )
            .await
        })
        .await
        .unwrap();
        let outdated = db
            .write(async |tx| {
                offers::approve(tx, &coordination(), &id, Some(&seen), TODAY, now()).await
            })
            .await;
        assert!(
            matches!(outdated, Err(StoreError::Invalid(ref e)) if e.get("state").is_some()),
            "the reviewed version was replaced by a new submission"
        );

        // Resubmitted (the same open revision) and approved: the old text is superseded.
        db.write(async |tx| {
            offers::save(
                tx,
                &partner,
                &id,
                &content("Sprachcafé am Abend, 18 Uhr"),
                SaveAs::Submitted,
                None,
                TODAY,
                now(),
            )
            .await
        })
        .await
        .unwrap();
        db.write(async |tx| offers::approve(tx, &coordination(), &id, None, TODAY, now()).await)
            .await
            .unwrap();
        let (history, _) = offers::for_viewer(&db, &coordination())
            .history(&id)
            .await
            .unwrap();
        let mut seen: Vec<(RevisionState, String)> = history
            .iter()
            .map(|r| (r.state, r.content.title().to_owned()))
            .collect();
        seen.sort_by_key(|(_, t)| t.len());
        assert_eq!(
            seen,
            [
                (RevisionState::Superseded, "Sprachcafé".to_owned()),
                (
                    RevisionState::Published,
                    "Sprachcafé am Abend, 18 Uhr".to_owned()
                ),
            ]
        );
        assert_eq!(
            offers::published_one(&db, &id)
                .await
                .unwrap()
                .content
                .title(),
            "Sprachcafé am Abend, 18 Uhr"
        );

        // Each step is in the audit log.
        let actions: Vec<String> = lotse_store::audit::search(
            &db,
            &lotse_store::audit::AuditFilter {
                record_id: Some(id.clone()),
                ..Default::default()
            },
            100,
            0,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
        for a in ["create", "approve", "update", "return"] {
            assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
        }
    }
);

both_backends!(
    trusted_organisations_and_the_coordination_publish_directly,
    |db: Db| async move {
        let (partner, org, _) = setup(&db).await;
        db.write(async |tx| {
            organisations::set_trusted_publisher(tx, &admin(), &org, true, now()).await
        })
        .await
        .unwrap();
        assert!(
            organisations::get(&db, &org)
                .await
                .unwrap()
                .trusted_publisher
        );
        let id = db
            .write(async |tx| {
                offers::create(
                    tx,
                    &partner,
                    None,
                    &org,
                    &content("Hausaufgabenhilfe"),
                    SaveAs::Published,
                    false,
                    TODAY,
                    now(),
                )
                .await
                .map(|saved| saved.id)
            })
            .await
            .unwrap();
        let offer = offers::for_viewer(&db, &coordination())
            .get(&id)
            .await
            .map(Scoped::into_inner)
            .unwrap();
        assert!(offer.organisation_trusted);
        assert!(offer.open.is_none());
        assert!(offer.is_public(TODAY));

        // A translation published directly replaces the live version.
        let mut translated = offer.published.unwrap().content;
        translated.texts.insert(
            Locale::Ar,
            OfferTexts {
                title: "مساعدة في الواجبات المنزلية".into(),
                ..OfferTexts::default()
            },
        );
        db.write(async |tx| {
            offers::save(
                tx,
                &coordination(),
                &id,
                &translated,
                SaveAs::Published,
                None,
                TODAY,
                now(),
            )
            .await
        })
        .await
        .unwrap();
        let live = offers::published_one(&db, &id).await.unwrap();
        assert_eq!(live.content.translated_locales(), [Locale::Ar]);
        assert_eq!(
            offers::for_viewer(&db, &coordination())
                .history(&id)
                .await
                .unwrap()
                .1,
            2
        );
    }
);

both_backends!(
    expiry_withdrawal_and_drafts_keep_offers_out_of_public_view,
    |db: Db| async move {
        let (partner, org, _) = setup(&db).await;
        let mut ended = content("Ferienkurs Sommer");
        ended.valid_to = Some(day("2026-08-31"));
        let mut later = content("Kurs ab Januar");
        later.valid_from = Some(day("2027-01-10"));
        let mut ids = Vec::new();
        for (c, save_as) in [
            (ended, SaveAs::Published),
            (later, SaveAs::Published),
            (content("Läuft"), SaveAs::Published),
            (content("Nur ein Entwurf"), SaveAs::Draft),
        ] {
            ids.push(
                db.write(async |tx| {
                    offers::create(
                        tx,
                        &coordination(),
                        None,
                        &org,
                        &c,
                        save_as,
                        false,
                        TODAY,
                        now(),
                    )
                    .await
                    .map(|saved| saved.id)
                })
                .await
                .unwrap(),
            );
        }
        let titles = |state| {
            let db = db.clone();
            let filter = OfferFilter {
                state: Some(state),
                ..of(&org)
            };
            async move {
                offers::for_viewer(&db, &coordination())
                    .list(&filter, TODAY, &PageRequest::first(200))
                    .await
                    .map(|p| {
                        p.items
                            .into_iter()
                            .map(Scoped::into_inner)
                            .collect::<Vec<_>>()
                    })
                    .unwrap()
                    .into_iter()
                    .map(|o| o.title)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(titles(ListState::Public).await, ["Läuft"]);
        assert_eq!(titles(ListState::Expired).await, ["Ferienkurs Sommer"]);
        assert_eq!(titles(ListState::Draft).await, ["Nur ein Entwurf"]);
        assert_eq!(titles(ListState::Unpublished).await, ["Nur ein Entwurf"]);
        assert!(
            !offers::for_viewer(&db, &coordination())
                .get(&ids[0])
                .await
                .map(Scoped::into_inner)
                .unwrap()
                .is_public(TODAY)
        );
        assert!(
            offers::for_viewer(&db, &coordination())
                .get(&ids[0])
                .await
                .map(Scoped::into_inner)
                .unwrap()
                .is_public(day("2026-08-31"))
        );
        assert!(
            !offers::for_viewer(&db, &coordination())
                .get(&ids[1])
                .await
                .map(Scoped::into_inner)
                .unwrap()
                .is_public(TODAY)
        );

        db.write(async |tx| offers::set_withdrawn(tx, &partner, &ids[2], true, now()).await)
            .await
            .unwrap();
        assert!(titles(ListState::Public).await.is_empty());
        assert_eq!(titles(ListState::Withdrawn).await, ["Läuft"]);
        assert_eq!(published_of(&db, &org).await.len(), 2);
        assert!(matches!(
            offers::published_one(&db, &ids[2]).await,
            Err(StoreError::NotFound)
        ));
        // By id, in the order asked, in one statement: withdrawn, unknown and draft ones left out.
        let asked: Vec<String> = vec![
            ids[2].clone(),
            ids[1].clone(),
            "unbekannt".into(),
            ids[0].clone(),
            ids[3].clone(),
        ];
        let found: Vec<String> = offers::published_by_ids(&db, &asked)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(found, [ids[1].clone(), ids[0].clone()]);

        // A never-published draft cannot be discarded back to nothing; a change to a live one can.
        let discard = db
            .write(async |tx| offers::discard_change(tx, &partner, &ids[3], now()).await)
            .await;
        assert!(matches!(discard, Err(StoreError::Invalid(_))));
        db.write(async |tx| {
            offers::save(
                tx,
                &partner,
                &ids[1],
                &content("Geändert"),
                SaveAs::Draft,
                None,
                TODAY,
                now(),
            )
            .await
        })
        .await
        .unwrap();
        db.write(async |tx| offers::discard_change(tx, &partner, &ids[1], now()).await)
            .await
            .unwrap();
        let back = offers::for_viewer(&db, &coordination())
            .get(&ids[1])
            .await
            .map(Scoped::into_inner)
            .unwrap();
        assert!(back.open.is_none());
        assert_eq!(back.title, "Kurs ab Januar");
    }
);

both_backends!(
    unverified_offers_are_flagged_and_their_providers_reminded_once_a_month,
    |db: Db| async move {
        let (partner, org, other) = setup(&db).await;
        // Demo accounts have no address; reminders need one.
        let user = users::get_by_username(&db, "partner").await.unwrap();
        let draft = users::UserDraft {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            email: "sam.probe@example.org".into(),
            organisation_id: org.clone(),
            roles: user.roles.clone(),
        };
        db.write(async |tx| users::update(tx, &admin(), &user, &draft, now()).await)
            .await
            .unwrap();
        let old = db
            .write(async |tx| {
                offers::create(
                    tx,
                    &coordination(),
                    None,
                    &org,
                    &content("Alte Beratung"),
                    SaveAs::Published,
                    false,
                    day("2025-10-01"),
                    now(),
                )
                .await
                .map(|saved| saved.id)
            })
            .await
            .unwrap();
        db.write(async |tx| {
            offers::create(
                tx,
                &coordination(),
                None,
                &other,
                &content("Frisch geprüft"),
                SaveAs::Published,
                false,
                day("2026-10-01"),
                now(),
            )
            .await
            .map(|saved| saved.id)
        })
        .await
        .unwrap();
        assert!(
            offers::for_viewer(&db, &coordination())
                .get(&old)
                .await
                .map(Scoped::into_inner)
                .unwrap()
                .verification_overdue(TODAY)
        );
        let overdue = offers::for_viewer(&db, &coordination())
            .list(
                &OfferFilter {
                    state: Some(ListState::Overdue),
                    ..of(&org)
                },
                TODAY,
                &PageRequest::first(200),
            )
            .await
            .map(|p| {
                p.items
                    .into_iter()
                    .map(Scoped::into_inner)
                    .collect::<Vec<_>>()
            })
            .unwrap();
        assert_eq!(overdue.len(), 1);
        assert!(overdue[0].verification_overdue(TODAY));

        let mine = |due: Vec<offers::VerificationReminder>| -> Vec<offers::VerificationReminder> {
            due.into_iter()
                .filter(|d| d.organisation_id == org || d.organisation_id == other)
                .collect()
        };
        let due = mine(offers::due_for_reminder(&db, TODAY, now()).await.unwrap());
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].organisation_id, org);
        assert_eq!(due[0].offers[0].1, "Alte Beratung");
        assert!(
            due[0]
                .recipients
                .iter()
                .any(|(_, e)| e == "sam.probe@example.org"),
            "{due:?}"
        );

        let ids = vec![old.clone()];
        db.write(async |tx| offers::mark_reminded(tx, &admin(), &ids, now()).await)
            .await
            .unwrap();
        assert!(mine(offers::due_for_reminder(&db, TODAY, now()).await.unwrap()).is_empty());
        let next_month = now() + offers::REMINDER_INTERVAL_MS + 1;
        assert_eq!(
            mine(
                offers::due_for_reminder(&db, TODAY, next_month)
                    .await
                    .unwrap()
            )
            .len(),
            1
        );

        // Verifying clears the flag and the reminder.
        db.write(async |tx| offers::verify(tx, &partner, &old, TODAY, now()).await)
            .await
            .unwrap();
        let offer = offers::for_viewer(&db, &coordination())
            .get(&old)
            .await
            .map(Scoped::into_inner)
            .unwrap();
        assert_eq!(offer.verified_on, Some(TODAY));
        assert!(!offer.verification_overdue(TODAY));
        assert!(
            mine(
                offers::due_for_reminder(&db, TODAY, next_month)
                    .await
                    .unwrap()
            )
            .is_empty()
        );
    }
);

both_backends!(
    offers_refer_only_to_existing_organisations_and_towns,
    |db: Db| async move {
        let (partner, _, _) = setup(&db).await;
        let missing = db
            .write(async |tx| {
                offers::create(
                    tx,
                    &partner,
                    None,
                    "no-such-org",
                    &content("X"),
                    SaveAs::Draft,
                    false,
                    TODAY,
                    now(),
                )
                .await
                .map(|saved| saved.id)
            })
            .await;
        assert!(
            matches!(missing, Err(StoreError::Invalid(ref e)) if e.get("organisation_id").is_some())
        );
        let mut c = content("Y");
        c.locations[0].town = "05570999".into();
        let e = offers::check_references(&db, &c).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref e) if e.get("location_town_0").is_some()));
        assert!(offers::check_references(&db, &content("Z")).await.is_ok());
    }
);

#[test]
fn changed_fields_name_what_changed() {
    let a = content("A");
    let mut b = a.clone();
    b.free_of_charge = false;
    b.texts.insert(
        Locale::Tr,
        OfferTexts {
            title: "Dil kursu".into(),
            ..OfferTexts::default()
        },
    );
    assert_eq!(
        offers::changed_fields(Some(&a), &b),
        ["free_of_charge", "texts.tr.title"]
    );
    assert!(offers::changed_fields(Some(&a), &a).is_empty());
}

/// The titles of the offers of `organisations` on the first page of `viewer`'s list, and whether
/// they may change each.
async fn visible(
    db: &Db,
    viewer: &Viewer,
    organisations: &[&str],
    filter: OfferFilter,
) -> Vec<(String, bool)> {
    offers::for_viewer(db, viewer)
        .list(&filter, TODAY, &PageRequest::first(200))
        .await
        .unwrap()
        .items
        .iter()
        .filter(|o| organisations.contains(&o.organisation_id.as_str()))
        .map(|o| (o.title.clone(), o.access.change))
        .collect()
}

both_backends!(
    a_provider_sees_others_offers_only_as_published_and_changes_only_their_own,
    |db: Db| async move {
        let (partner, own, other) = setup(&db).await;
        let create = |org: String, title: &'static str, save_as: SaveAs| {
            let db = db.clone();
            async move {
                db.write(async |tx| {
                    offers::create(
                        tx,
                        &coordination(),
                        None,
                        &org,
                        &content(title),
                        save_as,
                        false,
                        TODAY,
                        now(),
                    )
                    .await
                    .map(|saved| saved.id)
                })
                .await
                .unwrap()
            }
        };
        let own_draft = create(own.clone(), "Eigener Entwurf", SaveAs::Draft).await;
        let other_draft = create(other.clone(), "Geheimer Entwurf", SaveAs::Draft).await;
        let other_live = create(other.clone(), "Öffentliches Angebot", SaveAs::Published).await;
        // A pending change of the published offer: its new title must not reach the partner.
        db.write(async |tx| {
            offers::save(
                tx,
                &coordination(),
                &other_live,
                &content("Neuer geheimer Titel"),
                SaveAs::Draft,
                None,
                TODAY,
                now(),
            )
            .await
        })
        .await
        .unwrap();

        let store = offers::for_viewer(&db, &partner);
        assert_eq!(
            visible(&db, &partner, &[&own, &other], OfferFilter::default()).await,
            [
                ("Eigener Entwurf".to_owned(), true),
                ("Öffentliches Angebot".to_owned(), false)
            ]
        );
        // Neither the state filter nor the search finds what the partner may not see.
        for filter in [
            OfferFilter {
                state: Some(ListState::Draft),
                ..OfferFilter::default()
            },
            OfferFilter {
                q: "geheim".into(),
                ..OfferFilter::default()
            },
        ] {
            let found = visible(&db, &partner, &[&own, &other], filter).await;
            assert!(found.iter().all(|(t, _)| !t.contains("eheim")), "{found:?}");
        }
        assert_eq!(
            visible(
                &db,
                &partner,
                &[&own, &other],
                OfferFilter {
                    q: "offentlich".into(),
                    ..OfferFilter::default()
                }
            )
            .await,
            [("Öffentliches Angebot".to_owned(), false)]
        );
        // One offer: the published version only; a draft of another organisation is not found.
        let live = store.get(&other_live).await.unwrap();
        assert_eq!(live.title, "Öffentliches Angebot");
        assert!(live.open.is_none());
        assert!(!live.access.change);
        assert!(matches!(
            store.get(&other_draft).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.history(&other_live).await,
            Err(StoreError::NotFound)
        ));
        assert!(store.get(&own_draft).await.unwrap().access.change);
        // Changing another organisation's offer: not found, decided inside the transaction.
        let refused = db
            .write(async |tx| {
                offers::save(
                    tx,
                    &partner,
                    &other_live,
                    &content("Übernommen"),
                    SaveAs::Submitted,
                    None,
                    TODAY,
                    now(),
                )
                .await
            })
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
        let refused = db
            .write(async |tx| offers::approve(tx, &partner, &own_draft, None, TODAY, now()).await)
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    }
);

both_backends!(
    pages_follow_each_other_without_gaps_or_repeats,
    |db: Db| async move {
        let (_, org, _) = setup(&db).await;
        // Equal titles, umlauts and case: the order must still be total and German.
        let titles = [
            "Beratung",
            "Ärztliche Hilfe",
            "beratung",
            "Zumba",
            "Apfel",
            "Beratung",
            "Öl",
            "Ost",
            "Übung",
            "Ufer",
            "Straße",
            "Strasse",
        ];
        for title in titles {
            db.write(async |tx| {
                offers::create(
                    tx,
                    &coordination(),
                    None,
                    &org,
                    &content(title),
                    SaveAs::Draft,
                    false,
                    TODAY,
                    now(),
                )
                .await
                .map(|saved| saved.id)
            })
            .await
            .unwrap();
        }
        let viewer = coordination();
        let store = offers::for_viewer(&db, &viewer);
        let filter = of(&org);
        let mut seen = Vec::new();
        let mut request = PageRequest::first(5);
        loop {
            let page = store.list(&filter, TODAY, &request).await.unwrap();
            assert!(page.items.len() <= 5);
            seen.extend(page.items.iter().map(|o| o.title.clone()));
            match page.next {
                Some(next) => request = PageRequest::new(Some(&next.encode()), Some(5)),
                None => break,
            }
        }
        let mut expected: Vec<String> = titles.iter().map(|t| (*t).to_owned()).collect();
        expected.sort_by_cached_key(|t| lotse_domain::collation::sort_key(t));
        assert_eq!(seen, expected);
        assert_eq!(
            store.count(&filter, TODAY).await.unwrap(),
            offers::Count::Exactly(titles.len() as i64)
        );
    }
);

both_backends!(
    the_store_applies_the_publication_rule_whatever_the_caller_asks,
    |db: Db| async move {
        let (partner, org, _) = setup(&db).await;
        let create = |title: &'static str| {
            let (db, partner, org) = (db.clone(), partner.clone(), org.clone());
            async move {
                db.write(async |tx| {
                    offers::create(
                        tx,
                        &partner,
                        None,
                        &org,
                        &content(title),
                        SaveAs::Published,
                        false,
                        TODAY,
                        now(),
                    )
                    .await
                })
                .await
                .unwrap()
            }
        };
        // A partner whose organisation is not trusted hands in for approval, even when asking to
        // publish: nothing reaches the public.
        let handed_in = create("Sprachcafé").await;
        assert_eq!(handed_in.state, SaveAs::Submitted);
        assert!(published_of(&db, &org).await.is_empty());
        let again = db
            .write(async |tx| {
                offers::save(
                    tx,
                    &partner,
                    &handed_in.id,
                    &content("Sprachcafé am Abend"),
                    SaveAs::Published,
                    None,
                    TODAY,
                    now(),
                )
                .await
            })
            .await
            .unwrap();
        assert_eq!(again, SaveAs::Submitted);
        assert!(published_of(&db, &org).await.is_empty());
        // Once the coordination trusts the organisation, the same request goes live.
        db.write(async |tx| {
            organisations::set_trusted_publisher(tx, &admin(), &org, true, now()).await
        })
        .await
        .unwrap();
        let live = create("Hausaufgabenhilfe").await;
        assert_eq!(live.state, SaveAs::Published);
        assert_eq!(published_of(&db, &org).await.len(), 1);
    }
);

both_backends!(
    an_offer_history_shows_the_newest_revisions_and_counts_the_rest,
    |db: Db| async move {
        let (_, org, _) = setup(&db).await;
        let id = db
            .write(async |tx| {
                offers::create(
                    tx,
                    &coordination(),
                    None,
                    &org,
                    &content("Beratung"),
                    SaveAs::Published,
                    false,
                    TODAY,
                    now(),
                )
                .await
                .map(|saved| saved.id)
            })
            .await
            .unwrap();
        let saves = offers::HISTORY_SHOWN + 5;
        for i in 0..saves {
            db.write(async |tx| {
                offers::save(
                    tx,
                    &coordination(),
                    &id,
                    &content(&format!("Beratung {i}")),
                    SaveAs::Published,
                    None,
                    TODAY,
                    now() + i + 1,
                )
                .await
            })
            .await
            .unwrap();
        }
        let (shown, total) = offers::for_viewer(&db, &coordination())
            .history(&id)
            .await
            .unwrap();
        assert_eq!(shown.len() as i64, offers::HISTORY_SHOWN);
        assert_eq!(total, saves + 1);
        assert_eq!(
            shown[0].content.title(),
            format!("Beratung {}", saves - 1),
            "newest first"
        );
    }
);

lotse_store::both_backends!(
    shipped_concepts_load_once_and_a_withdrawn_one_stays_withdrawn,
    |db: lotse_store::Db| async move {
        use lotse_store::finder_concepts;
        lotse_store::reference::load(&db).await.unwrap();
        let shipped = lotse_domain::finder_concept::shipped();
        let loaded = finder_concepts::list(&db).await.unwrap();
        assert_eq!(loaded.len(), shipped.len());
        let kita = finder_concepts::shipped_id("kita");
        assert_eq!(kita.len(), 36);
        assert_eq!(
            finder_concepts::get(&db, &kita).await.unwrap().name(),
            "Kita"
        );
        let actor = lotse_store::Actor::system("test");
        db.write(async |tx| finder_concepts::withdraw(tx, &actor, &kita, 1).await)
            .await
            .unwrap();
        // Loading the reference data again (every start does) brings nothing back.
        lotse_store::reference::load(&db).await.unwrap();
        assert_eq!(
            finder_concepts::list(&db).await.unwrap().len(),
            shipped.len() - 1
        );
        assert!(matches!(
            finder_concepts::get(&db, &kita).await,
            Err(lotse_store::StoreError::NotFound)
        ));
        // Withdrawing twice, or a concept that never was, is "not found".
        let again = db
            .write(async |tx| finder_concepts::withdraw(tx, &actor, &kita, 2).await)
            .await;
        assert!(matches!(again, Err(lotse_store::StoreError::NotFound)));
    }
);
