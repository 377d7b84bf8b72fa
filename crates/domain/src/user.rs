//! Rules for user accounts: usernames and passwords.

use crate::validation::FieldErrors;

/// Minimum password length. Length beats composition rules (NIST SP 800-63B, BSI IT-Grundschutz
/// ORP.4): we require 12 characters and nothing else, and never truncate.
pub const MIN_PASSWORD_LEN: usize = 12;
const MAX_PASSWORD_LEN: usize = 1024;

/// Usernames are lower-case ASCII so that `Admin` and `admin` cannot be two accounts.
pub fn validate_username(errors: &mut FieldErrors, field: &str, raw: &str) -> String {
    let name = raw.trim().to_lowercase();
    if name.is_empty() {
        errors.add(field, "Pflichtfeld: bitte ausfüllen.");
    } else if name.len() > 64 {
        errors.add(field, "Höchstens 64 Zeichen.");
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        errors.add(
            field,
            "Nur Kleinbuchstaben a–z, Ziffern sowie . _ - sind erlaubt.",
        );
    }
    name
}

pub fn validate_new_password(errors: &mut FieldErrors, field: &str, password: &str) {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        errors.add(
            field,
            format!("Das Passwort muss mindestens {MIN_PASSWORD_LEN} Zeichen lang sein."),
        );
    } else if len > MAX_PASSWORD_LEN {
        errors.add(field, "Das Passwort ist zu lang.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_restricted() {
        let mut e = FieldErrors::new();
        assert_eq!(
            validate_username(&mut e, "u", "  Koordination "),
            "koordination"
        );
        assert!(e.is_empty());
        validate_username(&mut e, "u", "anna müller");
        assert!(e.get("u").is_some());
    }

    #[test]
    fn short_passwords_are_refused() {
        let mut e = FieldErrors::new();
        validate_new_password(&mut e, "p", "kurz");
        assert!(e.get("p").is_some());
        let mut e = FieldErrors::new();
        validate_new_password(&mut e, "p", "lang genug für uns");
        assert!(e.is_empty());
    }
}
