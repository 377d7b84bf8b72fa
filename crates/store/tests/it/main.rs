//! Storage tests: every test runs on SQLite and on PostgreSQL (see `both_backends!`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access_log;
mod audit;
mod bodies;
mod case_sharing;
mod cases;
mod copy;
mod district;
mod figures_property;
mod funding;
mod jobs;
mod measures;
mod offer_exchange;
mod offers;
mod organisations;
mod platform;
mod programmes;
mod rounds;
mod start_page;
mod statistics;
mod structural_issues;
mod subject_rights;
mod users;

use lotse_store::{Actor, Db, now_ms};

/// A database with the reference data loaded, as `lotse serve` prepares it.
pub async fn prepared(db: &Db) {
    lotse_store::reference::load(db).await.unwrap();
}

pub fn admin() -> Actor {
    Actor::system("test")
}

/// The coordination as the scoped stores see it (every record of every organisation).
pub fn coordination() -> lotse_store::scoped::Viewer {
    lotse_store::scoped::Viewer::system("test")
}

/// A day written in a test.
pub fn day(text: &str) -> lotse_domain::Date {
    lotse_domain::Date::parse(text).expect("a day")
}

/// A demo account as the scoped stores see it.
pub async fn viewer(db: &Db, username: &str) -> lotse_store::scoped::Viewer {
    let u = lotse_store::users::get_by_username(db, username)
        .await
        .unwrap();
    lotse_store::users::principal(db, &u.id)
        .await
        .unwrap()
        .unwrap()
        .viewer()
}

pub fn now() -> i64 {
    now_ms()
}
