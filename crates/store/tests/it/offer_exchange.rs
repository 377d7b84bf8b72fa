use std::collections::BTreeMap;

use lotse_domain::Date;
use lotse_domain::hsds;
use lotse_store::offers::{self, SaveAs};
use lotse_store::testing::TestDb;
use lotse_store::{Backend, Db, StoreError, both_backends, offer_exchange, organisations};

use crate::{admin, coordination, day, now, prepared};
use lotse_store::paging::PageRequest;
use lotse_store::scoped::Scoped;

const TODAY: Date = Date::new(2026, 11, 25).expect("a day");

/// A second, empty database on the same backend.
async fn another(db: &Db) -> TestDb {
    let t = match db.backend() {
        Backend::Sqlite => TestDb::sqlite().await,
        Backend::Postgres => TestDb::postgres().await.unwrap(),
    };
    prepared(&t.db).await;
    t
}

fn fixture(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/hsds-3.0")
        .join(path)
}

/// The files of a datapackage directory, as `read_datapackage` takes them.
fn files_of(dir: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

async fn import_files(
    db: &Db,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<offer_exchange::ImportReport, Vec<String>> {
    let directory = hsds::read_datapackage(files)?;
    let imported = offer_exchange::parse(db, &directory).await?;
    offer_exchange::import(
        db,
        &coordination(),
        &imported,
        SaveAs::Published,
        TODAY,
        now(),
    )
    .await
    .map_err(|e| match e {
        StoreError::Invalid(errors) => errors.iter().map(|(_, m)| m.to_owned()).collect(),
        other => vec![other.to_string()],
    })
}

/// Offers as comparable values: (id, organisation name, verified on, content). Without the
/// record of which German text each translation was made from: bookkeeping of this directory,
/// not exchanged (decision 0015), so an imported translation's state is unknown.
async fn published(db: &Db) -> Vec<(String, String, Option<Date>, String)> {
    offers::published(db)
        .await
        .unwrap()
        .into_iter()
        .map(|mut o| {
            o.content.translated_from.clear();
            (
                o.id,
                o.organisation,
                o.verified_on,
                serde_json::to_string(&o.content).unwrap(),
            )
        })
        .collect()
}

both_backends!(
    export_then_import_gives_back_the_same_offers,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let source = published(&db).await;
        assert!(source.len() >= 10, "the demo offers");
        assert!(
            source.iter().any(|(_, _, _, c)| c.contains("\"ar\"")),
            "translations travel along"
        );

        // As a tabular datapackage.
        let directory = offer_exchange::export(&db, TODAY).await.unwrap();
        let files: BTreeMap<String, Vec<u8>> = hsds::write_datapackage(&directory)
            .unwrap()
            .into_iter()
            .collect();
        let target = another(&db).await;
        let report = import_files(&target.db, &files).await.unwrap();
        assert_eq!(report.created, source.len());
        assert_eq!(published(&target.db).await, source);
        // Once more: the same offers are updated, not doubled.
        let again = import_files(&target.db, &files).await.unwrap();
        assert_eq!((again.created, again.updated), (0, source.len()));
        assert_eq!(again.organisations_created, 0);
        assert_eq!(published(&target.db).await, source);

        // As the JSON of the HSDS API.
        let services: Vec<serde_json::Value> = directory
            .rows("service")
            .iter()
            .map(|s| hsds::service_json(&directory, &s["id"]).unwrap())
            .collect();
        let json_directory = hsds::from_service_json(&serde_json::Value::Array(services)).unwrap();
        let third = another(&db).await;
        let imported = offer_exchange::parse(&third.db, &json_directory)
            .await
            .unwrap();
        offer_exchange::import(
            &third.db,
            &coordination(),
            &imported,
            SaveAs::Published,
            TODAY,
            now(),
        )
        .await
        .unwrap();
        assert_eq!(published(&third.db).await, source);
    }
);

both_backends!(the_official_hsds_example_imports, |db: Db| async move {
    prepared(&db).await;
    let report = import_files(&db, &files_of(&fixture("examples-csv")))
        .await
        .unwrap();
    assert_eq!((report.created, report.organisations_created), (1, 1));
    assert_eq!(
        report.notes.len(),
        1,
        "the example's impossible coordinates: {report:?}"
    );
    let offer = &offers::published(&db).await.unwrap()[0];
    assert_eq!(offer.id, "ac148810-d857-441c-9679-408f346de14b");
    assert_eq!(offer.organisation, "Example Organization Inc.");
    let c = &offer.content;
    assert_eq!(c.title(), "Community Counselling");
    assert_eq!(c.languages, ["ur"]);
    assert_eq!(c.min_age, Some(12));
    assert!(!c.free_of_charge, "a cost option of 35 GBP");
    assert_eq!(c.locations[0].city, "MyCity");
    assert_eq!(c.locations[0].latitude, None);
    assert_eq!(
        c.opening_hours
            .iter()
            .map(|h| (h.day.key(), h.opens.as_str(), h.closes.as_str()))
            .collect::<Vec<_>>(),
        [("th", "10:00", "18:00"), ("fr", "10:00", "18:00")]
    );
    assert!(
        c.german()
            .schedule_note
            .contains("not available on public holidays")
    );
    assert!(c.german().accessibility.contains("induction loops"));
    assert_eq!(offer.verified_on, Some(day("2005-01-01")));

    // The nested JSON of the same service updates it.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("service_full.json")).unwrap()).unwrap();
    let directory = hsds::from_service_json(&json).unwrap();
    let imported = offer_exchange::parse(&db, &directory).await.unwrap();
    let report = offer_exchange::import(
        &db,
        &coordination(),
        &imported,
        SaveAs::Published,
        TODAY,
        now(),
    )
    .await
    .unwrap();
    assert_eq!((report.created, report.updated), (0, 1));
});

fn replace(files: &mut BTreeMap<String, Vec<u8>>, name: &str, from: &str, to: &str) {
    let text = String::from_utf8(files[name].clone()).unwrap();
    assert!(text.contains(from), "{name} contains {from}");
    files.insert(name.to_owned(), text.replacen(from, to, 1).into_bytes());
}

both_backends!(
    malformed_hsds_files_are_refused_with_clear_errors_and_write_nothing,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let directory = offer_exchange::export(&db, TODAY).await.unwrap();
        let good: BTreeMap<String, Vec<u8>> = hsds::write_datapackage(&directory)
            .unwrap()
            .into_iter()
            .collect();
        let org_id = directory.rows("organization")[0]["id"].clone();
        let service = &directory.rows("service")[0];
        let target = another(&db).await;
        let count = |db: Db| async move {
            (
                offers::for_viewer(&db, &coordination())
                    .list(&Default::default(), TODAY, &PageRequest::first(200))
                    .await
                    .map(|p| {
                        p.items
                            .into_iter()
                            .map(Scoped::into_inner)
                            .collect::<Vec<_>>()
                    })
                    .unwrap()
                    .len(),
                organisations::list(&db, true).await.unwrap().len(),
            )
        };
        let before = count(target.db.clone()).await;

        let mut cases: Vec<(BTreeMap<String, Vec<u8>>, &str)> = Vec::new();
        let mut missing_org = good.clone();
        replace(
            &mut missing_org,
            "organizations.csv",
            &org_id,
            "0b6a2ab5-0000-4000-8000-000000000000",
        );
        cases.push((missing_org, "fehlt in organizations.csv"));
        let mut bad_number = good.clone();
        let min_age = service.get("minimum_age").cloned();
        if let Some(age) = min_age {
            replace(
                &mut bad_number,
                "services.csv",
                &format!(",{age},"),
                ",zwölf,",
            );
            cases.push((bad_number, "Spalte minimum_age: „zwölf“ ist keine Zahl"));
        }
        let mut no_package = good.clone();
        no_package.remove("datapackage.json");
        cases.push((no_package, "datapackage.json fehlt"));
        let mut broken_json = good.clone();
        broken_json.insert("datapackage.json".into(), b"{ not json".to_vec());
        cases.push((broken_json, "datapackage.json: kein gültiges JSON"));
        let mut no_id = good.clone();
        replace(
            &mut no_id,
            "services.csv",
            "id,organization_id",
            "ident,organization_id",
        );
        cases.push((no_id, "services.csv: Spalte „id“ fehlt"));
        let mut missing_file = good.clone();
        missing_file.remove("locations.csv");
        cases.push((missing_file, "locations.csv: fehlt"));
        // Well-formed, but the last offer's title is far too long: the offers before it must
        // not be written either.
        let mut too_long = good.clone();
        let last_title = directory.rows("service").last().unwrap()["name"].clone();
        replace(
            &mut too_long,
            "services.csv",
            &last_title,
            &"Sehr lang ".repeat(40),
        );
        cases.push((too_long, "Titel: höchstens 200 Zeichen"));

        // Well-formed and every offer fine, but the last one's organisation cannot be created (its
        // name is too long): found only inside the transaction, after the other offers were
        // written, which must be rolled back.
        let mut bad_organisation = good.clone();
        let last = directory.rows("service").last().unwrap();
        let (last_id, last_org) = (last["id"].clone(), last["organization_id"].clone());
        let mut orgs = String::from_utf8(bad_organisation["organizations.csv"].clone()).unwrap();
        orgs.push_str(&format!(
            "0b6a2ab5-0000-4000-8000-00000000000b,{},Sonstige,,\n",
            "Verein ".repeat(40)
        ));
        bad_organisation.insert("organizations.csv".into(), orgs.into_bytes());
        replace(
            &mut bad_organisation,
            "services.csv",
            &format!("{last_id},{last_org}"),
            &format!("{last_id},0b6a2ab5-0000-4000-8000-00000000000b"),
        );
        cases.push((bad_organisation, "Organisation „Verein Verein"));

        // An id that would not survive in an address.
        let mut bad_id = good.clone();
        let first_id = service["id"].clone();
        replace(&mut bad_id, "services.csv", &first_id, "../etc/passwd");
        cases.push((bad_id, "ist unzulässig"));
        // A link the public pages would render must be a web address.
        let mut script = good.clone();
        replace(
            &mut script,
            "services.csv",
            &format!("{first_id},"),
            &format!("{first_id},"),
        );
        let text = String::from_utf8(script["services.csv"].clone()).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let header: Vec<&str> = lines[0].split(',').collect();
        let url_column = header.iter().position(|h| *h == "url").unwrap();
        let mut record: Vec<String> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(lines[1].as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        record[url_column] = "javascript:alert(1)".into();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&record).unwrap();
        lines[1] = String::from_utf8(w.into_inner().unwrap())
            .unwrap()
            .trim_end()
            .to_owned();
        script.insert("services.csv".into(), lines.join("\n").into_bytes());
        cases.push((script, "keine Internetadresse"));

        for (files, expected) in cases {
            let errors = import_files(&target.db, &files).await.unwrap_err();
            assert!(
                errors.iter().any(|e| e.contains(expected)),
                "expected „{expected}“ in {errors:?}"
            );
            assert_eq!(
                count(target.db.clone()).await,
                before,
                "nothing written ({expected})"
            );
        }
    }
);

/// An offer as two ways of writing it must agree on: everything but its id, its revisions' ids
/// and the time it was last touched.
fn comparable(offer: &offers::Offer) -> serde_json::Value {
    let mut value = serde_json::to_value(offer).unwrap();
    let map = value.as_object_mut().unwrap();
    map.remove("id");
    map.remove("updated_at");
    for revision in ["published", "open"] {
        if let Some(r) = map.get_mut(revision).and_then(|r| r.as_object_mut()) {
            r.remove("id");
        }
    }
    value
}

/// A person of the coordination with an account, so revisions name who saved and decided them.
async fn coordinator_account(db: &Db) -> lotse_store::scoped::Viewer {
    use lotse_domain::organisation::OrganisationInput;
    use lotse_store::users::{self, UserInput};
    let vocabulary = organisations::vocabulary(db).await.unwrap();
    let org = OrganisationInput {
        name: "Kreis Warendorf (Test)".into(),
        kind: "integration_centre".into(),
        ..Default::default()
    }
    .validate(&vocabulary)
    .unwrap();
    let org = db
        .write(async |tx| organisations::create(tx, &admin(), &org, false, now()).await)
        .await
        .unwrap();
    let input = UserInput {
        username: "koordination".into(),
        display_name: "Koordination".into(),
        organisation_id: org.clone(),
        roles: vec![lotse_domain::Role::Coordination.key().into()],
        ..Default::default()
    };
    let draft = users::validate_new(db, &input, "ein langes passwort")
        .await
        .unwrap();
    let user_id = db
        .write(async |tx| users::create(tx, &admin(), &draft, "x", false, now()).await)
        .await
        .unwrap();
    lotse_store::scoped::Viewer {
        user_id,
        username: "koordination".into(),
        organisation_id: org,
        roles: vec![lotse_domain::Role::Coordination],
    }
}

both_backends!(
    imported_offers_are_written_as_offers_create_writes_them,
    |db: Db| async move {
        use lotse_store::audit::{self, AuditFilter, Entity};
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let directory = offer_exchange::export(&db, TODAY).await.unwrap();
        let imported = offer_exchange::parse(&db, &directory).await.unwrap();
        assert!(imported.offers.iter().any(|o| o.verified_on.is_some()));
        for save_as in [SaveAs::Published, SaveAs::Draft] {
            let target = another(&db).await;
            let viewer = coordinator_account(&target.db).await;
            let at = now();
            let report = offer_exchange::import(&target.db, &viewer, &imported, save_as, TODAY, at)
                .await
                .unwrap();
            assert_eq!(report.created, imported.offers.len());
            let events = async |id: &str| {
                let filter = AuditFilter {
                    entity: Some(Entity::Offer.key().to_owned()),
                    record_id: Some(id.to_owned()),
                    ..AuditFilter::default()
                };
                audit::search(&target.db, &filter, 10, 0)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|e| (e.at, e.actor_name, e.action, e.changes))
                    .collect::<Vec<_>>()
            };
            for offer in &imported.offers {
                let get = async |id: &str| {
                    offers::for_viewer(&target.db, &viewer)
                        .get(id)
                        .await
                        .unwrap()
                        .into_inner()
                };
                let bulk = get(&offer.id).await;
                // The same offer once more, the way an editor's form creates one.
                let single_id = target
                    .db
                    .write(async |tx| {
                        let id = offers::create(
                            tx,
                            &viewer,
                            None,
                            &bulk.organisation_id,
                            &offer.content,
                            save_as,
                            false,
                            TODAY,
                            at,
                        )
                        .await?
                        .id;
                        if save_as == SaveAs::Published
                            && let Some(verified) = offer.verified_on
                        {
                            offers::set_verified_on(tx, &id, verified).await?;
                        }
                        Ok(id)
                    })
                    .await
                    .unwrap();
                let single = get(&single_id).await;
                assert_eq!(comparable(&bulk), comparable(&single), "{save_as:?}");
                assert_eq!(events(&bulk.id).await, events(&single_id).await);
                assert_eq!(events(&bulk.id).await.len(), 1);
            }
        }
    }
);

both_backends!(
    nested_services_through_the_index_are_those_of_the_single_lookup,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let directory = offer_exchange::export(&db, TODAY).await.unwrap();
        let one_by_one: Vec<serde_json::Value> = directory
            .rows("service")
            .iter()
            .map(|s| hsds::service_json(&directory, &s["id"]).unwrap())
            .collect();
        assert!(one_by_one.len() >= 10);
        assert_eq!(hsds::services_json(&directory), one_by_one);
        let mut written = Vec::new();
        let count = hsds::write_services_json(&directory, &mut written).unwrap();
        assert_eq!(count, one_by_one.len());
        assert_eq!(written, serde_json::to_vec_pretty(&one_by_one).unwrap());
    }
);

both_backends!(
    an_offer_given_twice_is_created_then_updated,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let directory = offer_exchange::export(&db, TODAY).await.unwrap();
        let mut imported = offer_exchange::parse(&db, &directory).await.unwrap();
        // The parser refuses a file with an id twice; a caller may still hand over a list.
        let first = imported.offers[0].clone();
        let mut again = first.clone();
        again
            .content
            .texts
            .get_mut(&lotse_domain::offer::Locale::De)
            .unwrap()
            .title = "Zweite Fassung".into();
        imported.offers = vec![first.clone(), imported.offers[1].clone(), again];
        let target = another(&db).await;
        let report = offer_exchange::import(
            &target.db,
            &coordination(),
            &imported,
            SaveAs::Published,
            TODAY,
            now(),
        )
        .await
        .unwrap();
        assert_eq!((report.created, report.updated), (2, 1));
        let viewer = coordination();
        let offers = offers::for_viewer(&target.db, &viewer);
        let offer = offers.get(&first.id).await.unwrap().into_inner();
        assert_eq!(offer.title, "Zweite Fassung");
        assert_eq!(offers.history(&first.id).await.unwrap().1, 2);
    }
);

both_backends!(
    an_offer_id_of_another_organisation_is_refused,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let directory = offer_exchange::export(&db, TODAY).await.unwrap();
        let mut imported = offer_exchange::parse(&db, &directory).await.unwrap();
        let target = another(&db).await;
        let import = async |imported: &hsds::Imported| {
            offer_exchange::import(
                &target.db,
                &coordination(),
                imported,
                SaveAs::Published,
                TODAY,
                now(),
            )
            .await
        };
        import(&imported).await.unwrap();
        let before = (
            published(&target.db).await,
            organisations::list(&target.db, true).await.unwrap().len(),
        );
        // Ids are public: another directory must not take over an offer by naming its id.
        let last = imported.offers.len() - 1;
        let owner = imported.offers[last].organisation.name.clone();
        imported.offers[last].organisation = hsds::ImportedOrganisation {
            id: "0b6a2ab5-0000-4000-8000-00000000000c".into(),
            name: "Fremder Verein".into(),
            email: String::new(),
            website: String::new(),
        };
        let Err(StoreError::Invalid(errors)) = import(&imported).await else {
            panic!("refused");
        };
        let expected = format!("gehört zu einem Angebot von „{owner}“, nicht von „Fremder Verein“");
        assert!(
            errors.iter().any(|(_, m)| m.contains(&expected)),
            "{errors:?}"
        );
        let after = (
            published(&target.db).await,
            organisations::list(&target.db, true).await.unwrap().len(),
        );
        assert_eq!(after, before, "nothing written");
    }
);
