//! Ids that say what they name. Every record has a UUID (v7) id stored as text; as plain `&str`
//! two of them can be passed in each other's place (`link_measure(programme, measure)` with the
//! arguments swapped compiles and fails only at run time, if at all). Each kind of record gets its
//! own type instead, made where an id enters the program (a path, a form, a row) and unwrapped
//! only where it is bound into SQL.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                $name(id.clone())
            }
        }
    )*};
}

ids! {
    /// A user account.
    UserId;
    /// A personal API token.
    TokenId;
    /// An organisation.
    OrganisationId;
    /// A measure of an integration concept.
    MeasureId;
    /// An indicator of a measure.
    IndicatorId;
    /// A review round.
    RoundId;
    /// One organisation's report on one measure in a review round.
    ReportId;
    /// A programme (FIT, Rucksack, …).
    ProgrammeId;
    /// A site where a programme runs.
    SiteId;
    /// A meeting of a body.
    MeetingId;
    /// A decision of a body.
    DecisionId;
    /// A structural issue.
    IssueId;
    /// A town, by its official municipality key (Amtlicher Gemeindeschlüssel, 8 digits).
    Ags;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_travel_as_plain_strings() {
        let id = MeasureId::new("0190-a");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"0190-a\"");
        let back: MeasureId = serde_json::from_str("\"0190-a\"").unwrap();
        assert_eq!(back, id);
        assert_eq!(id.to_string(), "0190-a");
    }
}
