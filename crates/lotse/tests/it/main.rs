//! The binary as operators use it: real processes, real files, real PostgreSQL (when configured).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod resilience;
mod server;

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

use lotse_store::testing::{TestDb, temp_dir};
use lotse_store::{Db, copy, measures, users};

fn lotse(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lotse"));
    c.args(args)
        .env_remove("LOTSE_DATABASE_URL")
        .env_remove("LOTSE_DATA_DIR")
        .env("LOTSE_LOG", "warn");
    c
}

fn run(args: &[&str]) -> Output {
    lotse(args).stdin(Stdio::null()).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn sqlite_url(dir: &std::path::Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

#[tokio::test]
async fn bootstrap_the_first_admin_on_an_empty_database() {
    let dir = temp_dir();
    let url = sqlite_url(&dir, "lotse.db");
    let out = lotse(&[
        "--database-url",
        &url,
        "user",
        "create",
        "--name",
        "erste.admin",
        "--org",
        "Kreisverwaltung Warendorf",
        "--role",
        "admin",
    ])
    .env("LOTSE_USER_PASSWORD", "ein sicheres passwort")
    .stdin(Stdio::null())
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("created organisation 'Kreisverwaltung Warendorf'"));
    let db = Db::open(&url).await.unwrap();
    let user = users::get_by_username(&db, "erste.admin").await.unwrap();
    assert_eq!(user.roles, vec![lotse_domain::Role::Admin]);
    assert!(!user.fictitious);
    let creds = users::credentials(&db, "erste.admin")
        .await
        .unwrap()
        .unwrap();
    assert!(lotse_store::password::verify(
        &creds.password_hash,
        "ein sicheres passwort"
    ));

    // Without a password, one is generated and shown once.
    let out = run(&[
        "--database-url",
        &url,
        "user",
        "create",
        "--name",
        "zweite",
        "--org",
        "Kreisverwaltung Warendorf",
        "--role",
        "reader",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("initial password"));

    // Bad input is named.
    let out = run(&[
        "--database-url",
        &url,
        "user",
        "create",
        "--name",
        "Böse Name",
        "--org",
        "Kreisverwaltung Warendorf",
        "--role",
        "root",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("username") && text(&out).contains("roles"),
        "{}",
        text(&out)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn serve_with_demo_data_answers_and_stops_gracefully_on_sigterm() {
    let dir = temp_dir();
    let mut server = server::Server::start(&["--data-dir", dir.to_str().unwrap()], &["--demo"]);
    let (addr, printed) = (server.addr, server.printed.clone());
    for login in [
        "admin",
        "koordination",
        "fallmanagement",
        "partner",
        "abh",
        "schulberatung",
        "lesen",
    ] {
        assert!(printed.contains(login), "demo login {login} printed");
    }
    assert!(dir.join("lotse.db").exists(), "SQLite file in the data dir");

    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_public_address_is_printed_on_offers_and_checked_at_the_start() {
    let dir = temp_dir();
    let data = dir.to_str().unwrap();
    let server = server::Server::start(
        &["--data-dir", data],
        &["--demo", "--public-url", "https://angebote.example.org/"],
    );
    let page = server::get(
        std::net::Ipv4Addr::LOCALHOST.into(),
        server.addr,
        "/angebote",
    )
    .await
    .unwrap();
    let start = page.body.find("href=\"/angebote/").expect("an offer link") + 6;
    let path = &page.body[start..start + page.body[start..].find('"').unwrap()];
    let offer = server::get(std::net::Ipv4Addr::LOCALHOST.into(), server.addr, path)
        .await
        .unwrap();
    assert!(
        offer
            .body
            .contains(&format!("value=\"https://angebote.example.org{path}\"")),
        "{}",
        offer.body
    );
    drop(server);
    // An address that is none is refused before anything listens.
    let out = run(&[
        "--data-dir",
        data,
        "serve",
        "--public-url",
        "angebote.example.org",
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("--public-url"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(dir);
}

async fn demo_db(url: &str) -> Db {
    let db = Db::open(url).await.unwrap();
    lotse_store::reference::load(&db).await.unwrap();
    lotse_store::demo::load(&db).await.unwrap();
    db
}

#[tokio::test]
async fn db_copy_moves_a_deployment_and_verifies_it() {
    let dir = temp_dir();
    let from = sqlite_url(&dir, "from.db");
    let source = demo_db(&from).await;
    let to = sqlite_url(&dir, "to.db");
    let out = run(&["db", "copy", "--from", &from, "--to", &to]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("verified"));
    let target = Db::open(&to).await.unwrap();
    assert_eq!(
        copy::fingerprint(&source).await.unwrap(),
        copy::fingerprint(&target).await.unwrap()
    );
    // A second copy into the now full target is refused.
    let out = run(&["db", "copy", "--from", &from, "--to", &to]);
    assert!(!out.status.success());
    assert!(text(&out).contains("already holds data"));

    // SQLite → PostgreSQL → SQLite, when PostgreSQL is available.
    if let Some(pg) = TestDb::postgres().await {
        let pg_url = pg_url_for(&pg.db).await;
        let out = run(&["db", "copy", "--from", &from, "--to", &pg_url]);
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(
            copy::fingerprint(&source).await.unwrap(),
            copy::fingerprint(&pg.db).await.unwrap()
        );
        let back = sqlite_url(&dir, "back.db");
        let out = run(&["db", "copy", "--from", &pg_url, "--to", &back]);
        assert!(out.status.success(), "{}", text(&out));
        let back_db = Db::open(&back).await.unwrap();
        assert_eq!(
            copy::fingerprint(&source).await.unwrap(),
            copy::fingerprint(&back_db).await.unwrap()
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The URL of a test schema, for handing to the binary.
async fn pg_url_for(db: &Db) -> String {
    let base = std::env::var("LOTSE_TEST_POSTGRES_URL").unwrap();
    let schema = lotse_store::testing::current_schema(db).await;
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

#[tokio::test]
async fn backup_restore_and_audit_verify() {
    let dir = temp_dir();
    let url = sqlite_url(&dir, "live.db");
    let source = demo_db(&url).await;
    let file = dir.join("sicherung.db");
    let backup = |url: &str, file: &std::path::Path| {
        run(&[
            "--database-url",
            url,
            "backup",
            "--unencrypted",
            file.to_str().unwrap(),
        ])
    };
    let out = backup(&url, &file);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("UNENCRYPTED"));
    let out = backup(&url, &file);
    assert!(!out.status.success(), "never overwrites an existing backup");

    let restored = sqlite_url(&dir, "restored.db");
    let out = run(&[
        "--database-url",
        &restored,
        "restore",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let restored_db = Db::open(&restored).await.unwrap();
    assert_eq!(
        copy::fingerprint(&source).await.unwrap(),
        copy::fingerprint(&restored_db).await.unwrap()
    );

    let out = run(&["--database-url", &restored, "audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("audit log intact"));
    assert!(text(&out).contains("access log intact"));

    if let Some(pg) = TestDb::postgres().await {
        let pg_url = pg_url_for(&pg.db).await;
        let out = run(&["--database-url", &pg_url, "restore", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        let pg_file = dir.join("pg-sicherung.db");
        let out = backup(&pg_url, &pg_file);
        assert!(out.status.success(), "{}", text(&out));
        let again = Db::open(&sqlite_url(&dir, "pg-sicherung.db"))
            .await
            .unwrap();
        assert_eq!(
            copy::fingerprint(&source).await.unwrap(),
            copy::fingerprint(&again).await.unwrap()
        );
    }

    // Tampering is reported with the entry number and a failing exit code.
    lotse_store::testing::raw(&restored_db, "DROP TRIGGER audit_log_no_update")
        .await
        .unwrap();
    lotse_store::testing::raw(
        &restored_db,
        "UPDATE audit_log SET actor_name = 'jemand' WHERE seq = 2",
    )
    .await
    .unwrap();
    let out = run(&["--database-url", &restored, "audit", "verify"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("BROKEN at entry 2"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(dir);
}

/// Backups hold personal data: encrypted unless asked otherwise, readable only with the key.
#[tokio::test]
async fn backups_are_encrypted_and_restored_with_the_key_or_passphrase() {
    let dir = temp_dir();
    let url = sqlite_url(&dir, "live.db");
    let source = demo_db(&url).await;
    let file = dir.join("sicherung.age");
    let no_key = run(&["--database-url", &url, "backup", file.to_str().unwrap()]);
    assert!(!no_key.status.success());
    assert!(
        text(&no_key).contains("--recipient") && text(&no_key).contains("--unencrypted"),
        "{}",
        text(&no_key)
    );
    assert!(!file.exists(), "nothing written without a key");
    let wrong = run(&[
        "--database-url",
        &url,
        "backup",
        "--recipient",
        "kein-schluessel",
        file.to_str().unwrap(),
    ]);
    assert!(!wrong.status.success() && text(&wrong).contains("kein-schluessel"));

    // A key pair: the secret to a file kept offline, the public key for the server.
    let key = run(&["backup-key"]);
    assert!(key.status.success());
    let identity = String::from_utf8_lossy(&key.stdout).into_owned();
    let public = String::from_utf8_lossy(&key.stderr)
        .lines()
        .find_map(|l| l.strip_prefix("public key: "))
        .unwrap()
        .trim()
        .to_owned();
    assert!(public.starts_with("age1") && identity.contains("AGE-SECRET-KEY-"));
    let identity_file = dir.join("schluessel.txt");
    std::fs::write(&identity_file, &identity).unwrap();
    let out = run(&[
        "--database-url",
        &url,
        "backup",
        "--recipient",
        &public,
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "only the owner reads the backup");
    }
    assert!(
        !bytes.windows(15).any(|w| w == b"SQLite format 3"),
        "no plain database inside"
    );
    let beside: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        beside.is_empty(),
        "no plain snapshot beside the backup: {beside:?}"
    );

    let restored = sqlite_url(&dir, "restored.db");
    let without = run(&[
        "--database-url",
        &restored,
        "restore",
        file.to_str().unwrap(),
    ]);
    assert!(!without.status.success() && text(&without).contains("--identity"));
    let out = run(&[
        "--database-url",
        &restored,
        "restore",
        "--identity",
        identity_file.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let restored_db = Db::open(&restored).await.unwrap();
    assert_eq!(
        copy::fingerprint(&source).await.unwrap(),
        copy::fingerprint(&restored_db).await.unwrap()
    );

    // With a passphrase from the environment instead.
    let by_phrase = dir.join("sicherung-pass.age");
    let out = lotse(&[
        "--database-url",
        &url,
        "backup",
        by_phrase.to_str().unwrap(),
    ])
    .env(
        "LOTSE_BACKUP_PASSPHRASE",
        "lange geheime Passphrase für Tests",
    )
    .stdin(Stdio::null())
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let again = sqlite_url(&dir, "again.db");
    let wrong = lotse(&[
        "--database-url",
        &again,
        "restore",
        by_phrase.to_str().unwrap(),
    ])
    .env("LOTSE_BACKUP_PASSPHRASE", "falsch")
    .stdin(Stdio::null())
    .output()
    .unwrap();
    assert!(!wrong.status.success() && text(&wrong).contains("cannot decrypt"));
    let out = lotse(&[
        "--database-url",
        &again,
        "restore",
        by_phrase.to_str().unwrap(),
    ])
    .env(
        "LOTSE_BACKUP_PASSPHRASE",
        "lange geheime Passphrase für Tests",
    )
    .stdin(Stdio::null())
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn every_option_is_documented_with_its_environment_variable() {
    let out = run(&["serve", "--help"]);
    let help = text(&out);
    for (option, env) in [
        ("--listen", "LOTSE_LISTEN"),
        ("--data-dir", "LOTSE_DATA_DIR"),
        ("--database-url", "LOTSE_DATABASE_URL"),
        ("--demo", "LOTSE_DEMO"),
        ("--log-format", "LOTSE_LOG_FORMAT"),
    ] {
        assert!(
            help.contains(option) && help.contains(env),
            "{option} / {env} in:\n{help}"
        );
    }
    let create = text(&run(&["user", "create", "--help"]));
    for env in [
        "LOTSE_USER_NAME",
        "LOTSE_USER_ORG",
        "LOTSE_USER_ROLES",
        "LOTSE_USER_PASSWORD",
    ] {
        assert!(create.contains(env), "{env} in:\n{create}");
    }
    let backup = text(&run(&["backup", "--help"]));
    assert!(
        backup.contains("LOTSE_BACKUP_RECIPIENTS") && backup.contains("LOTSE_BACKUP_PASSPHRASE")
    );
    let restore = text(&run(&["restore", "--help"]));
    assert!(restore.contains("LOTSE_BACKUP_IDENTITY"));
    let copy = text(&run(&["db", "copy", "--help"]));
    assert!(copy.contains("LOTSE_COPY_FROM") && copy.contains("LOTSE_COPY_TO"));
    let top = text(&run(&["--help"]));
    for command in ["serve", "user", "db", "backup", "restore", "audit"] {
        assert!(top.contains(command), "{command}");
    }
}

#[tokio::test]
async fn without_demo_nothing_fictitious_is_loaded() {
    let dir = temp_dir();
    let url = sqlite_url(&dir, "plain.db");
    let out = run(&["--database-url", &url, "db", "migrate"]);
    assert!(out.status.success(), "{}", text(&out));
    let db = Db::open(&url).await.unwrap();
    assert_eq!(
        lotse_store::reference::towns(&db).await.unwrap().len(),
        13,
        "reference data is fact and always there"
    );
    assert!(
        lotse_store::organisations::list(&db, true)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(users::count(&db).await.unwrap(), 0);
    assert!(!lotse_store::settings::demo_data_loaded(&db).await.unwrap());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn hostile_catalogues_end_the_import_with_a_message_not_the_process() {
    let dir = temp_dir();
    let url = sqlite_url(&dir, "hostile.db");
    let db = demo_db(&url).await;
    let hostile = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/hostile");
    for (file, expected) in [
        ("far-cell.xlsx", "Zelle XFD1048576"),
        ("unpacks-150mb.xlsx", "entpackt größer"),
    ] {
        let path = format!("{hostile}/{file}");
        let out = run(&[
            "--database-url",
            &url,
            "import",
            "measures",
            &path,
            "--concept",
            "IK 2010",
        ]);
        // Exit code 1 with the message; a signal (SIGABRT from a failed allocation) has none.
        assert_eq!(out.status.code(), Some(1), "{file}: {}", text(&out));
        assert!(text(&out).contains(expected), "{file}: {}", text(&out));
    }
    assert_eq!(
        measures::list(&db, &Default::default())
            .await
            .unwrap()
            .len(),
        123
    );
    // An exchange file beyond the limit is refused before it is read (a sparse file: its size
    // is claimed, not written).
    let big = dir.join("angebote.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(lotse_domain::limits::EXCHANGE_FILE_BYTES + 1)
        .unwrap();
    let out = run(&[
        "--database-url",
        &url,
        "import",
        "hsds",
        big.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("höchstens 256 MB"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn import_a_measure_catalogue_from_csv() {
    let dir = temp_dir();
    let url = sqlite_url(&dir, "import.db");
    let db = demo_db(&url).await;
    let file = dir.join("katalog.csv");
    let good = "Maßnahmenkatalog 2026\nStand: Mai\n\nNr.;Maßnahme;Handlungsfeld;Federführung;Partner;Sachstand;Beginn;Notiz\n\
        N1;Lernpaten in Telgte;Bildung;Bürgerstiftung Telgte;\"Caritas Telgte; AWO\";in Umsetzung;01.09.2025;a\n\
        N2;Sprechstunde im Rathaus;Neues Feld;Kommunales Integrationszentrum (Demo);;geplant;2026;b\n";
    let bad = good
        .replace("in Umsetzung", "läuft gut")
        .replace(";2026;", ";irgendwann;");
    std::fs::write(&file, bad).unwrap();
    let out = run(&[
        "--database-url",
        &url,
        "import",
        "measures",
        file.to_str().unwrap(),
        "--concept",
        "IK 2010",
    ]);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(
        t.contains("Zeile 5, Spalte Sachstand: Unbekannter Sachstand „läuft gut“"),
        "{t}"
    );
    assert!(t.contains("Zeile 6, Spalte Beginn"), "{t}");
    assert!(t.contains("nothing was imported"));
    let count = |db: Db| async move {
        measures::list(&db, &Default::default())
            .await
            .unwrap()
            .len()
    };
    assert_eq!(count(db.clone()).await, 123, "nothing half-written");

    std::fs::write(&file, good).unwrap();
    let out = run(&[
        "--database-url",
        &url,
        "import",
        "measures",
        file.to_str().unwrap(),
        "--concept",
        "IK 2010",
        "--map",
        "Notiz=description",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("2 measures created (3 organisations and 1 fields of action created)"),
        "{}",
        text(&out)
    );
    let imported = measures::list(
        &db,
        &measures::MeasureFilter {
            q: "Lernpaten".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(imported.len(), 1);
    let m = &imported[0];
    assert_eq!(
        (
            m.status.as_str(),
            m.planned_start.map(|d| d.to_string()).as_deref(),
            m.description.as_str()
        ),
        ("in_progress", Some("2025-09-01"), "a")
    );
    assert_eq!(
        m.lead_organisation.as_deref(),
        Some("Bürgerstiftung Telgte")
    );
    assert_eq!(m.partners.len(), 2);
    // The same file again: the numbers exist now.
    let out = run(&[
        "--database-url",
        &url,
        "import",
        "measures",
        file.to_str().unwrap(),
        "--concept",
        "IK 2010",
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("gibt es in diesem Konzept schon"));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_exported_catalogue_imports_again_from_xlsx() {
    let dir = temp_dir();
    let url = sqlite_url(&dir, "roundtrip.db");
    let db = demo_db(&url).await;
    let kim = measures::concepts(&db)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.short_name == "KIM")
        .unwrap();
    let source = measures::list(
        &db,
        &measures::MeasureFilter {
            concept: kim.id.clone(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let file = dir.join("kim.xlsx");
    std::fs::write(&file, lotse_reports::measures_xlsx(&source).unwrap()).unwrap();
    let draft = measures::ConceptInput {
        short_name: "Kopie".into(),
        title: "Kopie von KIM".into(),
        ..Default::default()
    }
    .validate()
    .unwrap_or_else(|e| panic!("{e}"));
    db.write(async |tx| {
        measures::create_concept(tx, &lotse_store::Actor::system("test"), &draft, false, 0).await
    })
    .await
    .unwrap();
    let out = run(&[
        "--database-url",
        &url,
        "import",
        "measures",
        file.to_str().unwrap(),
        "--concept",
        "Kopie",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let copy = measures::list(
        &db,
        &measures::MeasureFilter {
            concept: draft_id(&db, "Kopie").await,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(copy.len(), source.len());
    for (a, b) in source.iter().zip(&copy) {
        assert_eq!(
            (
                &a.code,
                &a.title,
                &a.status,
                &a.field_of_action,
                &a.lead_organisation
            ),
            (
                &b.code,
                &b.title,
                &b.status,
                &b.field_of_action,
                &b.lead_organisation
            )
        );
        assert_eq!(a.partners.len(), b.partners.len());
    }
    let _ = std::fs::remove_dir_all(dir);
}

async fn draft_id(db: &Db, short: &str) -> String {
    measures::concepts(db)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.short_name == short)
        .unwrap()
        .id
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of an XML document: tags become spaces, the five entities are decoded.
fn xml_text(xml: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn report_status(url: &str, round: &str, format: &str, out: &std::path::Path) -> Output {
    run(&[
        "--database-url",
        url,
        "report",
        "status",
        "--round",
        round,
        "--format",
        format,
        "--out",
        out.to_str().unwrap(),
    ])
}

#[tokio::test]
async fn the_status_report_from_the_command_line() {
    let dir = temp_dir();
    let url = sqlite_url(&dir, "report.db");
    let db = demo_db(&url).await;
    let html = dir.join("bericht.html");
    let out = report_status(&url, "Überprüfung 2024", "html", &html);
    assert!(out.status.success(), "{}", text(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html>") && page.contains("Sachstandsbericht: Überprüfung 2024")
    );
    assert!(
        !page.contains("href=\"/rounds/"),
        "a standalone document links nowhere into Lotse"
    );
    let closed = lotse_store::rounds::rounds(&db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| !r.is_open())
        .unwrap();
    let snapshot = lotse_store::rounds::snapshot(&db, &closed.id)
        .await
        .unwrap();
    assert!(
        snapshot.iter().take(5).all(|r| page.contains(&r.title)),
        "measure titles in the report"
    );

    let xlsx = dir.join("bericht.xlsx");
    let out = report_status(&url, &closed.id, "xlsx", &xlsx);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        lotse_reports::read_xlsx(&std::fs::read(&xlsx).unwrap())
            .unwrap()
            .len(),
        snapshot.len() + 1
    );

    // Titles in the scripts of the district's communities, and a control character from before
    // input was checked: the PDF once answered 500 for one glyph outside its font.
    lotse_store::testing::raw(&db, "DROP TRIGGER review_snapshots_no_update")
        .await
        .unwrap();
    lotse_store::testing::raw(
        &db,
        "UPDATE review_snapshots SET title = title || ' ትግርኛ 中文' || char(1) \
         WHERE measure_id = (SELECT MIN(measure_id) FROM review_snapshots)",
    )
    .await
    .unwrap();

    // The tagged PDF/A file is opened by poppler (installed by scripts/test), not just written.
    let pdf = dir.join("bericht.pdf");
    let out = report_status(&url, &closed.id, "pdf", &pdf);
    assert!(out.status.success(), "{}", text(&out));
    let bytes = std::fs::read(&pdf).unwrap();
    let xmp = String::from_utf8_lossy(&bytes);
    assert!(
        xmp.contains("<pdfaid:part>2</pdfaid:part>") && xmp.contains("<pdfaid:conformance>A"),
        "declares PDF/A-2a"
    );
    let info = std::process::Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .expect("pdfinfo (poppler-utils) is installed by scripts/test");
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    assert!(
        info.contains("Title:           Sachstandsbericht: Überprüfung 2024")
            && info.contains("Tagged:          yes")
            && info
                .lines()
                .any(|l| l.starts_with("PDF version:") && l.ends_with("1.7")),
        "{info}"
    );
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!(pages >= 2, "{pages} pages");
    // -raw keeps the content-stream order, so a wrapped table cell reads as one run of text.
    let pdf_text = std::process::Command::new("pdftotext")
        .args(["-raw", pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let pdf_text = squash(&String::from_utf8_lossy(&pdf_text.stdout));
    let docx = dir.join("bericht.docx");
    let out = report_status(&url, &closed.id, "docx", &docx);
    assert!(out.status.success(), "{}", text(&out));
    let docx_xml = lotse_reports::docx_document_xml(&std::fs::read(&docx).unwrap()).unwrap();
    let docx_text = squash(&xml_text(&docx_xml));

    // Both documents carry every measure title and the counts of the summary.
    let built = lotse_store::status_report::build(&db, &closed.id)
        .await
        .unwrap();
    let mut expected: Vec<String> = vec![
        "Sachstandsbericht: Überprüfung 2024".into(),
        format!("{} Maßnahmen wurden überprüft", built.rows.len()),
    ];
    expected.extend(
        built
            .by_status
            .iter()
            .map(|(status, n)| format!("{} {n}", status.label())),
    );
    expected.extend(built.rows.iter().map(|r| r.title.clone()));
    assert!(
        pdf_text.contains("ትግርኛ 中文"),
        "the fallback fonts draw Tigrinya and Chinese"
    );
    for want in &expected {
        // The control character is drawn as U+FFFD in the PDF and left out of the DOCX.
        let want = want.replace('\u{1}', "");
        let pdf_text = pdf_text.replace('\u{FFFD}', "");
        assert!(pdf_text.contains(want.as_str()), "PDF lacks {want}");
        assert!(docx_text.contains(want.as_str()), "DOCX lacks {want}");
    }
    assert!(pdf_text.contains(&format!("Seite {pages} von {pages}")));
    // The cover names district, committee and reference date; every field of action has its
    // heading and its counts (in the summary table and beside its chart).
    for want in [
        "Kreis Warendorf",
        "Ausschuss für Bildung, Integration, Kultur und Sport (BIKS)",
        "Stichtag: 31.12.2024",
        "Inhalt",
        "Maßnahmen nach Handlungsfeld",
    ] {
        assert!(pdf_text.contains(want), "PDF lacks {want}");
        assert!(docx_text.contains(want), "DOCX lacks {want}");
    }
    for f in &built.by_field {
        let counts: Vec<String> = f.counts.iter().map(ToString::to_string).collect();
        let row = format!("{} {} {} {}", f.concept, f.field, counts.join(" "), f.total);
        assert!(pdf_text.contains(&row), "PDF lacks the row {row}");
        for (status, n) in lotse_domain::measure::MeasureStatus::ALL
            .iter()
            .zip(&f.counts)
        {
            if *n > 0 {
                assert!(pdf_text.contains(&format!("{}: {n}", status.label())));
            }
        }
    }
    // No word of a table header is broken across lines: with the layout kept, each stands
    // whole in the text.
    let layout = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let layout = String::from_utf8_lossy(&layout.stdout).into_owned();
    let words: std::collections::HashSet<&str> = layout.split_whitespace().collect();
    let mut header_words = vec![
        "Sachstand",
        "Anzahl",
        "Konzept",
        "Handlungsfeld",
        "gesamt",
        "Nr.",
        "Maßnahme",
        "Federführung",
        "Fortschritt",
        "Vorschlag",
        "Begründung",
    ];
    header_words.extend(
        lotse_domain::measure::MeasureStatus::ALL
            .iter()
            .flat_map(|s| s.label().split(' ')),
    );
    for word in header_words {
        assert!(
            words.contains(word),
            "header word {word} broken in:\n{layout}"
        );
    }

    let open = run(&[
        "--database-url",
        &url,
        "report",
        "status",
        "--round",
        "Überprüfung 2026",
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(!open.status.success());
    assert!(text(&open).contains("noch offen"), "{}", text(&open));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_report_benchmark_runs_on_synthetic_data() {
    let out = run(&["bench", "report", "--measures", "20", "--runs", "1"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("| build the report from the snapshot |"));
    assert!(text(&out).contains("| write PDF/A ("));
}

#[test]
fn hsds_export_is_valid_hsds_and_imports_into_another_deployment() {
    let dir = temp_dir();
    let source = sqlite_url(&dir, "source.db");
    let out = run(&["--database-url", &source, "demo", "offers", "--count", "30"]);
    assert!(out.status.success(), "{}", text(&out));
    let export = dir.join("export");
    let out = run(&[
        "--database-url",
        &source,
        "export",
        "hsds",
        export.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("30 Angebote"), "{}", text(&out));

    // The files validate against the HSDS 3.0 schemas (CSV rows and the nested JSON).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let validation = Command::new("python3")
        .arg(root.join("scripts/hsds-validate.py"))
        .arg(&export)
        .output()
        .unwrap();
    assert!(validation.status.success(), "{}", text(&validation));

    // Published by default, drafts with --draft; a second import updates instead of doubling.
    let target = sqlite_url(&dir, "target.db");
    let out = run(&[
        "--database-url",
        &target,
        "import",
        "hsds",
        export.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("30 Angebote angelegt, 0 aktualisiert (veröffentlicht)"),
        "{}",
        text(&out)
    );
    let drafts = sqlite_url(&dir, "drafts.db");
    let out = run(&[
        "--database-url",
        &drafts,
        "import",
        "hsds",
        export.to_str().unwrap(),
        "--draft",
    ]);
    assert!(text(&out).contains("(als Entwurf)"), "{}", text(&out));
    let again = dir.join("again");
    let out = run(&[
        "--database-url",
        &drafts,
        "export",
        "hsds",
        again.to_str().unwrap(),
    ]);
    assert!(
        text(&out).contains("0 Angebote"),
        "drafts are not published: {}",
        text(&out)
    );
    let json = export.join("services.json");
    let out = run(&[
        "--database-url",
        &target,
        "import",
        "hsds",
        json.to_str().unwrap(),
    ]);
    assert!(
        text(&out).contains("0 Angebote angelegt, 30 aktualisiert"),
        "{}",
        text(&out)
    );

    // A broken package: the errors are listed, the exit code says so, nothing is written.
    let broken = dir.join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    for entry in std::fs::read_dir(&export).unwrap().flatten() {
        std::fs::copy(entry.path(), broken.join(entry.file_name())).unwrap();
    }
    let services = std::fs::read_to_string(broken.join("services.csv")).unwrap();
    let mut lines: Vec<String> = services.lines().map(str::to_owned).collect();
    let fields: Vec<&str> = lines[1].splitn(3, ',').collect();
    lines[1] = format!(
        "{},0b6a2ab5-0000-4000-8000-000000000000,{}",
        fields[0], fields[2]
    );
    std::fs::write(broken.join("services.csv"), lines.join("\n")).unwrap();
    let empty = sqlite_url(&dir, "empty.db");
    let out = run(&[
        "--database-url",
        &empty,
        "import",
        "hsds",
        broken.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("Import abgelehnt, nichts wurde geschrieben"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("services.csv, Zeile 2"),
        "{}",
        text(&out)
    );
    let check = dir.join("check");
    let out = run(&[
        "--database-url",
        &empty,
        "export",
        "hsds",
        check.to_str().unwrap(),
    ]);
    assert!(text(&out).contains("0 Angebote"), "{}", text(&out));

    // The official example of the HSDS specification imports.
    let example = root.join("tests/fixtures/hsds-3.0/examples-csv");
    let out = run(&[
        "--database-url",
        &empty,
        "import",
        "hsds",
        example.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("1 Angebote angelegt"), "{}", text(&out));
}

#[tokio::test]
async fn scheduled_work_runs_from_the_command_line_and_is_kept_in_the_history() {
    let dir = lotse_store::testing::temp_dir();
    let url = sqlite_url(&dir, "jobs.db");
    let list = run(&["--database-url", &url, "jobs", "list"]);
    assert!(list.status.success(), "{}", text(&list));
    for name in ["offer-reminders", "deadline-reminders", "session-purge"] {
        assert!(text(&list).contains(name), "{}", text(&list));
    }
    let purge = run(&["--database-url", &url, "jobs", "run", "session-purge"]);
    assert!(purge.status.success(), "{}", text(&purge));
    assert!(text(&purge).contains("abgelaufene Anmeldungen entfernt"));
    // A job that mails cannot do its work without a mail server: it says so and fails.
    let reminders = run(&["--database-url", &url, "jobs", "run", "offer-reminders"]);
    assert!(!reminders.status.success());
    assert!(
        text(&reminders).contains("kein Mailserver"),
        "{}",
        text(&reminders)
    );
    let unknown = run(&["--database-url", &url, "jobs", "run", "gibt-es-nicht"]);
    assert!(!unknown.status.success());
    assert!(text(&unknown).contains("unknown job"));
    let db = Db::open(&url).await.unwrap();
    let runs = lotse_store::jobs::runs(&db, None, 10).await.unwrap();
    let jobs: Vec<(&str, &str)> = runs
        .iter()
        .map(|r| (r.job.as_str(), r.trigger.as_str()))
        .collect();
    assert_eq!(
        jobs,
        [("offer-reminders", "command"), ("session-purge", "command")]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Cases the account `username` holds, straight from the table.
async fn cases_of(db: &Db, username: &str) -> i64 {
    let id = users::get_by_username(db, username).await.unwrap().id;
    lotse_store::testing::count(
        db,
        "SELECT COUNT(*) FROM cases WHERE owner_user_id = $1",
        Some(&id),
    )
    .await
}

#[tokio::test]
async fn a_case_list_is_moved_in_from_the_command_line_in_a_case_managers_name() {
    let dir = temp_dir();
    let url = sqlite_url(&dir, "cases.db");
    let db = demo_db(&url).await;
    let before = cases_of(&db, "fallmanagement").await;
    let file = dir.join("fallliste.csv");
    let list = "Fallliste KIM\n\nName;Vorname;Geb.;Ort;Rechtskreis;Zugangsweg;Beginn\n\
        Quarisch;Amal;12.04.1990;Ahlen;SGB II;Jobcenter;01.03.2025\n\
        Quendolin;Olena;31.02.1985;Beckum;AsylbLG;Ausländerbehörde;02.03.2025\n";
    std::fs::write(&file, list).unwrap();
    let import = |extra: &[&str]| {
        let mut args = vec![
            "--database-url",
            &url,
            "import",
            "cases",
            file.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    // A wrong row: named by line and field, and nothing is written.
    let out = import(&["--case-manager", "fallmanagement"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("Zeile 5, Geburtsdatum"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("nothing was imported"),
        "{}",
        text(&out)
    );
    assert_eq!(cases_of(&db, "fallmanagement").await, before);
    // Only an active account that may open cases takes persons in.
    let out = import(&["--case-manager", "koordination", "--valid-only"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("Fallmanagerinnen"), "{}", text(&out));
    let out = import(&["--case-manager", "niemand"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no account 'niemand'"),
        "{}",
        text(&out)
    );
    // The valid rows only: the good one becomes the case manager's case.
    let out = import(&["--case-manager", "fallmanagement", "--valid-only"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("2 rows read, 1 persons with a case created, 1 errors"),
        "{}",
        text(&out)
    );
    assert_eq!(cases_of(&db, "fallmanagement").await, before + 1);
    // The same list again doubles nobody.
    let out = import(&["--case-manager", "fallmanagement", "--valid-only"]);
    assert!(text(&out).contains("schon erfasst"), "{}", text(&out));
    assert_eq!(cases_of(&db, "fallmanagement").await, before + 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_synthetic_district_is_generated_from_the_command_line() {
    let dir = temp_dir();
    let url = sqlite_url(&dir, "district.db");
    let db = demo_db(&url).await;
    let out = run(&["--database-url", &url, "demo", "cases", "--persons", "250"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("cases of 250 synthetic persons written"),
        "{}",
        text(&out)
    );
    let generated = lotse_store::testing::count(
        &db,
        "SELECT COUNT(*) FROM persons WHERE fictitious = TRUE",
        None,
    )
    .await;
    assert!(generated >= 250, "{generated}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_ki_services_are_filled_with_invented_data_from_the_command_line() {
    let dir = temp_dir();
    let url = sqlite_url(&dir, "services.db");
    let db = demo_db(&url).await;
    let out = run(&[
        "--database-url",
        &url,
        "demo",
        "services",
        "--families",
        "30",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("8 interpreters") && text(&out).contains("30 families"),
        "{}",
        text(&out)
    );
    let count = async |sql: &str| lotse_store::testing::count(&db, sql, None).await;
    assert_eq!(
        count("SELECT COUNT(*) FROM interpreters WHERE fictitious = TRUE").await,
        8
    );
    assert!(count("SELECT COUNT(*) FROM interpreter_requests WHERE fictitious = TRUE").await >= 5);
    assert_eq!(
        count("SELECT COUNT(*) FROM school_registrations WHERE fictitious = TRUE").await,
        30
    );
    assert!(count("SELECT COUNT(*) FROM school_appointments").await >= 10);
    // Families from months ago are counselled, some placed already; the figures show it.
    assert!(
        count("SELECT COUNT(*) FROM school_child_steps WHERE status = 'counselled'").await >= 10
    );
    assert!(count("SELECT COUNT(*) FROM school_child_steps WHERE status = 'assigned'").await >= 1);
    // Without the demo's accounts it says what to do first.
    let empty = sqlite_url(&dir, "empty.db");
    lotse_store::Db::open(&empty).await.unwrap().close().await;
    let out = run(&["--database-url", &empty, "demo", "services"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("load the demo first"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(dir);
}
