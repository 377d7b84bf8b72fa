//! Lotse storage: one set of queries over SQLite and PostgreSQL.
//!
//! One module per aggregate. Writes take a [`Tx`] and record a typed [`audit::Event`] on it; the
//! transaction writes the events into the audit chain when it commits and refuses to commit a
//! change without one, so a change and its audit entry are committed together or not at all.

mod db;
mod migrations;

pub mod access_log;
pub mod accessibility_feedback;
pub mod api_tokens;
pub mod audit;
pub mod bodies;
pub mod cases;
pub mod copy;
pub mod demo;
pub mod demo_cases;
mod demo_catalogue;
pub mod demo_offers;
pub mod demo_services;
pub mod finder_concepts;
pub mod finder_misses;
pub mod funding;
pub mod interpreters;
pub mod jobs;
pub mod login_throttle;
pub mod measure_import;
pub mod measures;
pub mod notifications;
pub mod offer_exchange;
pub mod offers;
pub mod organisations;
pub mod outbox;
pub mod paging;
pub mod password;
pub mod programmes;
pub mod reference;
pub mod rounds;
pub mod school_counselling;
pub mod scoped;
pub mod sessions;
pub mod settings;
pub mod sort_keys;
pub mod statistics;
pub mod status_report;
pub mod structural_issues;
pub mod users;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use audit::Actor;
pub use db::{Backend, DatabaseUrl, Db, On, Tx, day_of, new_id, now_ms};
pub use lotse_domain::FieldErrors;
pub use migrations::{latest_version, migrate};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Input that breaks a rule, reported per field.
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Config(String),
    /// A transaction changed data without recording an audit event: a programming error, refused
    /// so that no change goes unrecorded.
    #[error("a change without an audit event was refused")]
    Unaudited,
    /// Temporarily overloaded; the request may be repeated shortly.
    #[error("busy: {0}")]
    Busy(String),
}

impl From<FieldErrors> for StoreError {
    fn from(e: FieldErrors) -> Self {
        StoreError::Invalid(e)
    }
}

impl StoreError {
    /// An error about one field, e.g. a duplicate name found by the database's unique index.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut e = FieldErrors::new();
        e.add(field, message);
        StoreError::Invalid(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
