//! The demo data set: a few invented organisations and one user per role, so that the platform can
//! be tried out at once. Loaded only with `lotse serve --demo`; every record is flagged
//! `fictitious` and the UI says so on every page.

use lotse_domain::Role;
use lotse_domain::organisation::OrganisationInput;

use crate::audit::Actor;
use crate::users::UserDraft;
use crate::{Db, Result, StoreError, now_ms, organisations, password, settings, users};

pub const DEMO_PASSWORD: &str = "lotse-demo";

/// The hash of the demo password, computed once per process: every demo account shares the one
/// published password, so one salt reveals nothing more, and a test run that loads the demo into
/// hundreds of databases hashes it once instead of seven times each.
async fn demo_password_hash() -> Result<String, StoreError> {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    HASH.get_or_try_init(|| async { password::run(|| password::hash(DEMO_PASSWORD)).await? })
        .await
        .cloned()
}

/// (username, display name, role, index into ORGANISATIONS)
pub const DEMO_USERS: &[(&str, &str, Role, usize)] = &[
    ("admin", "Demo-Administration", Role::Admin, 0),
    (
        "koordination",
        "Kim Beispiel (Koordination)",
        Role::Coordination,
        1,
    ),
    (
        "fallmanagement",
        "Alex Muster (Fallmanagement)",
        Role::CaseManager,
        1,
    ),
    ("partner", "Sam Probe (Beratungsdienst)", Role::Partner, 2),
    (
        "abh",
        "Robin Test (Ausländerbehörde)",
        Role::ImmigrationOffice,
        3,
    ),
    (
        "schulberatung",
        "Jule Demo (Schulische Erstberatung)",
        Role::SchoolCounsellor,
        1,
    ),
    ("lesen", "Mika Leser (Ausschussmitglied)", Role::Reader, 4),
    (
        "sprachmittlung",
        "Nour Beispiel (Sprachmittlerpool)",
        Role::Interpreter,
        1,
    ),
    // A second case manager in another organisation: each has their own cases, so that their
    // separation can be tried.
    (
        "fallmanagement2",
        "Dana Beispiel (Fallmanagement, Beratungsdienst)",
        Role::CaseManager,
        2,
    ),
];

/// (name, kind, town) – all invented; "(Demo)" in the name keeps screenshots honest too.
const ORGANISATIONS: &[(&str, &str, &str)] = &[
    (
        "Kreisverwaltung – IT und Organisation (Demo)",
        "district_administration",
        "Warendorf",
    ),
    (
        "Kommunales Integrationszentrum (Demo)",
        "integration_centre",
        "Ahlen",
    ),
    (
        "Beratungsdienst Musterverband Beckum (Demo)",
        "welfare_association",
        "Beckum",
    ),
    ("Ausländerbehörde (Demo)", "immigration_office", "Warendorf"),
    (
        "Ausschuss für Bildung, Integration, Kultur und Sport (Demo)",
        "district_administration",
        "Warendorf",
    ),
    (
        "Integrationsagentur Beispielstadt (Demo)",
        "integration_agency",
        "Oelde",
    ),
    (
        "Sprachkurse Muster gGmbH (Demo)",
        "education_provider",
        "Telgte",
    ),
];

/// Loads the demo set once; returns the logins to print. Does nothing if it is already there.
pub async fn load(db: &Db) -> Result<Vec<(&'static str, Role)>> {
    let logins: Vec<(&'static str, Role)> =
        DEMO_USERS.iter().map(|(u, _, r, _)| (*u, *r)).collect();
    if settings::demo_data_loaded(db).await? {
        return Ok(logins);
    }
    // Demo accounts have a published password: never add them to a database with real accounts.
    if users::count(db).await? > 0 {
        return Err(StoreError::Config(
            "--demo refused: this database already has user accounts; demo data is only loaded into a new, empty database".into(),
        ));
    }
    let actor = Actor::system("demo");
    let vocab = organisations::vocabulary(db).await?;
    // Hash before the transaction: hashing is slow and must not hold the write lock.
    let hash = demo_password_hash().await?;
    let hashes = vec![hash; DEMO_USERS.len()];
    let now = now_ms();
    let mut tx = db.begin().await?;
    let mut org_ids = Vec::new();
    for (name, kind, town) in ORGANISATIONS {
        let input = OrganisationInput {
            name: (*name).into(),
            kind: (*kind).into(),
            town: (*town).into(),
            ..Default::default()
        };
        let draft = input.validate(&vocab)?;
        org_ids.push(organisations::create(&mut tx, &actor, &draft, true, now).await?);
    }
    let mut user_ids = Vec::new();
    for ((username, display_name, role, org), hash) in DEMO_USERS.iter().zip(&hashes) {
        let draft = UserDraft {
            username: (*username).into(),
            display_name: (*display_name).into(),
            email: String::new(),
            organisation_id: org_ids[*org].clone(),
            roles: vec![*role],
        };
        user_ids.push(users::create(&mut tx, &actor, &draft, hash, true, now).await?);
    }
    // Measures are led by the integration centre and the welfare, agency and course providers.
    let leads: Vec<String> = [1, 2, 5, 6].iter().map(|&i| org_ids[i].clone()).collect();
    crate::demo_catalogue::load(&mut tx, &actor, &leads, now).await?;
    crate::demo_catalogue::load_rounds(&mut tx, &actor, now).await?;
    crate::demo_catalogue::load_issues(&mut tx, &actor, &leads, now).await?;
    // Action items go to the coordination (the second demo user).
    crate::demo_catalogue::load_bodies(&mut tx, &actor, &leads, &user_ids[1], now).await?;
    crate::demo_offers::load(
        &mut tx,
        &crate::scoped::Viewer::system("demo"),
        &org_ids,
        now,
    )
    .await?;
    crate::demo_catalogue::load_funding(
        &mut tx,
        &crate::scoped::Viewer::system("demo"),
        &[org_ids[5].clone(), org_ids[2].clone()],
        now,
    )
    .await?;
    crate::demo_catalogue::load_programmes(
        &mut tx,
        &crate::scoped::Viewer::system("demo"),
        &[org_ids[1].clone(), org_ids[2].clone()],
        now,
    )
    .await?;
    // Invented cases of each case manager.
    let owners: Vec<crate::scoped::Viewer> = DEMO_USERS
        .iter()
        .zip(&user_ids)
        .filter(|((_, _, role, _), _)| *role == Role::CaseManager)
        .map(|((username, _, role, org), id)| crate::scoped::Viewer {
            user_id: id.clone(),
            username: (*username).to_owned(),
            organisation_id: org_ids[*org].clone(),
            roles: vec![*role],
        })
        .collect();
    crate::demo_cases::load(&mut tx, &owners, now).await?;
    // The demo counsellor counsels at the Ahlen site (the KI's seat).
    if let Some((_, id)) = DEMO_USERS
        .iter()
        .zip(&user_ids)
        .find(|((_, _, role, _), _)| *role == Role::SchoolCounsellor)
    {
        crate::db::tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO counselling_site_counsellors (site_ags, user_id) VALUES ('05570004', $1)"
        )
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    // The demo is for trying things out: no second factor until an admin switches it on.
    settings::set_totp_required_roles(&mut tx, &actor, &[], now).await?;
    settings::set(&mut tx, &actor, settings::DEMO_DATA, "loaded", now).await?;
    tx.commit().await?;
    Ok(logins)
}
