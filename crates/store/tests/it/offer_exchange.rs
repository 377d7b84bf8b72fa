use std::collections::BTreeMap;

use lotse_domain::hsds;
use lotse_store::offers::{self, SaveAs};
use lotse_store::testing::TestDb;
use lotse_store::{Backend, Db, StoreError, both_backends, offer_exchange, organisations};

use crate::{coordination, now, prepared};
use lotse_store::paging::PageRequest;
use lotse_store::scoped::Scoped;

const TODAY: &str = "2026-11-25";

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

/// Offers as comparable values: (id, organisation name, verified on, content).
async fn published(db: &Db) -> Vec<(String, String, Option<String>, String)> {
    offers::published(db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| {
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
    assert_eq!(offer.verified_on.as_deref(), Some("2005-01-01"));

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
