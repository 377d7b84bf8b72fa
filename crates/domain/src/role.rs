//! The roles a user can hold. A role says what kind of work someone does; what that lets them do is
//! decided in one place, [`crate::policy`].

use std::fmt;
use std::str::FromStr;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Coordination,
    CaseManager,
    Partner,
    ImmigrationOffice,
    SchoolCounsellor,
    Interpreter,
    Reader,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::Coordination,
        Role::CaseManager,
        Role::Partner,
        Role::ImmigrationOffice,
        Role::SchoolCounsellor,
        Role::Interpreter,
        Role::Reader,
    ];

    /// The stable key stored in the database and used in the API and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordination => "coordination",
            Role::CaseManager => "case_manager",
            Role::Partner => "partner",
            Role::ImmigrationOffice => "immigration_office",
            Role::SchoolCounsellor => "school_counsellor",
            Role::Interpreter => "interpreter",
            Role::Reader => "reader",
        }
    }

    /// The German label users see.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administration",
            Role::Coordination => "Koordination (KI/KIM)",
            Role::CaseManager => "Fallmanagement",
            Role::Partner => "Partnerorganisation",
            Role::ImmigrationOffice => "Ausländerbehörde",
            Role::SchoolCounsellor => "Schulische Erstberatung",
            Role::Interpreter => "Sprachmittlung (Pool)",
            Role::Reader => "Lesezugriff (Gremien)",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "unbekannte Rolle „{0}“ (erlaubt: admin, coordination, case_manager, partner, immigration_office, school_counsellor, interpreter, reader)"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.key() == s.trim())
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.key().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
