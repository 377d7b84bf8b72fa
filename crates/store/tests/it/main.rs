//! Storage tests: every test runs on SQLite and on PostgreSQL (see `both_backends!`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access_log;
mod audit;
mod bodies;
mod cases;
mod copy;
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

pub fn now() -> i64 {
    now_ms()
}
