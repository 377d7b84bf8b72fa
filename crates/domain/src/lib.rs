//! Pure domain types of Lotse.
//!
//! Everything here is plain data and rules: no database, no HTTP, no clock. That keeps the rules
//! testable in isolation and lets the store and the web layer share one definition of each word in
//! the glossary (docs/glossary.md).

#[macro_use]
mod vocabulary;
pub use vocabulary::options as vocabulary_options;

pub mod access;
pub mod case;
pub mod collation;
pub mod csv_file;
pub mod date;
pub mod finder_concept;
pub mod funding;
pub mod hsds;
pub mod icalendar;
pub mod ids;
pub mod interpreters;
pub mod legal;
pub mod limits;
pub mod measure;
pub mod measure_import;
pub mod offer;
pub mod organisation;
pub mod policy;
pub mod programme;
pub mod role;
pub mod school_counselling;
pub mod statistics;
pub mod structural_issue;
pub mod totp;
pub mod town;
pub mod user;
pub mod validation;
pub mod working_days;

pub use date::Date;
pub use organisation::{OrganisationDraft, OrganisationImportRow, parse_organisation_csv};
pub use policy::{Permission, allows};
pub use role::Role;
pub use town::Ags;
pub use validation::FieldErrors;
