//! Field-level validation errors that forms, imports and the API all report the same way.

use std::fmt;

/// Errors keyed by the name of the field they concern, in the order they were found.
///
/// A form shows each message beside its field; an import prefixes them with the row number; the API
/// returns them as `{"errors": {"field": "message"}}`. Messages are German because users read them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_owned(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `field` already has an error (a second check on it would repeat the first).
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(f, m)| (f.as_str(), m.as_str()))
    }

    /// `Ok(value)` when no error was recorded, so validators can end with `errors.into_result(draft)`.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (field, message) in &self.0 {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{field}: {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

/// Trims and checks a required single-line text field.
pub fn required_text(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, "Pflichtfeld: bitte ausfüllen.");
    } else {
        check_length(errors, field, value, max);
    }
    value.to_owned()
}

/// Trims and checks an optional single-line text field.
pub fn optional_text(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    check_length(errors, field, value, max);
    value.to_owned()
}

/// A text area: line breaks (normalised to `\n`) and tabs are allowed, other control characters not.
pub fn optional_multiline(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    max: usize,
) -> String {
    let value = value.replace("\r\n", "\n").trim().to_owned();
    if value.chars().count() > max {
        errors.add(field, format!("Höchstens {max} Zeichen."));
    } else {
        check_characters(errors, field, &value, Lines::Many);
    }
    value
}

/// Whether `text` is a UUID (8-4-4-4-12 hex digits, either case): the shape of every record id
/// in Lotse, and of HSDS ids.
pub fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// An optional `YYYY-MM-DD` date, checked for a real day.
pub fn optional_date(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
) -> Option<crate::date::Date> {
    let t = value.trim();
    if t.is_empty() {
        return None;
    }
    let parsed = crate::date::Date::parse(t);
    if parsed.is_none() {
        errors.add(field, format!("„{t}“ ist kein Datum (TT.MM.JJJJ)."));
    }
    parsed
}

/// A required `YYYY-MM-DD` date: empty asks for it, anything else is checked as
/// [`optional_date`] does.
pub fn required_date(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
) -> Option<crate::date::Date> {
    let day = optional_date(errors, field, value);
    if day.is_none() && errors.get(field).is_none() {
        errors.add(field, "Bitte das Datum angeben (TT.MM.JJJJ).");
    }
    day
}

fn check_length(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.add(field, format!("Höchstens {max} Zeichen."));
    } else {
        check_characters(errors, field, value, Lines::One);
    }
}

/// Whether a text may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// The one rule for the characters of a text, wherever it enters: forms, imports, the API, the
/// command line. Control characters (C0, DEL, C1) are refused, except line breaks and tabs in
/// text that may span lines, and so are U+FFFE and U+FFFF. NUL cannot be stored in PostgreSQL,
/// and XML (the DOCX report, HSDS exchange) forbids the rest; text that passes here can be
/// written everywhere Lotse writes it. Returns the first such character and its position
/// (counted from 1, as a person counts characters).
pub fn forbidden_character(value: &str, lines: Lines) -> Option<(usize, char)> {
    value
        .chars()
        .enumerate()
        .find(|&(_, c)| {
            let line_break = matches!(c, '\n' | '\r' | '\t');
            (c.is_control() && !(lines == Lines::Many && line_break))
                || c == '\u{FFFE}'
                || c == '\u{FFFF}'
        })
        .map(|(i, c)| (i + 1, c))
}

/// The message for [`forbidden_character`], naming the character so that it can be found even
/// where it is invisible.
pub fn forbidden_character_message((position, c): (usize, char)) -> String {
    format!(
        "Enthält ein unzulässiges Steuerzeichen (U+{:04X}) an Stelle {position}.",
        u32::from(c)
    )
}

/// Records an error for `field` if `value` breaks the character rule.
pub fn check_characters(errors: &mut FieldErrors, field: &str, value: &str, lines: Lines) {
    if let Some(found) = forbidden_character(value, lines) {
        errors.add(field, forbidden_character_message(found));
    }
}

/// A deliberately loose e-mail check: one `@`, something on both sides, a dot in the domain.
/// Real verification happens when mail is sent; this only catches typing slips.
pub fn optional_email(errors: &mut FieldErrors, field: &str, value: &str) -> String {
    let value = optional_text(errors, field, value, 254);
    if !value.is_empty() {
        let ok = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !value.contains(char::is_whitespace)
                    && !domain.contains('@')
            }
            None => false,
        };
        if !ok {
            errors.add(field, "Keine gültige E-Mail-Adresse.");
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_reports_empty_and_too_long() {
        let mut e = FieldErrors::new();
        required_text(&mut e, "name", "   ", 10);
        required_text(&mut e, "kurz", "elf Zeichen", 10);
        assert_eq!(e.get("name"), Some("Pflichtfeld: bitte ausfüllen."));
        assert_eq!(e.get("kurz"), Some("Höchstens 10 Zeichen."));
    }

    #[test]
    fn record_ids_are_uuids() {
        assert!(is_uuid("0190aaaa-0000-7000-8000-000000000001"));
        assert!(is_uuid("AC148810-D857-441C-9679-408F346DE14B"));
        for bad in [
            "",
            "x",
            "0190aaaa-0000-7000-8000-00000000000",
            "0190aaaa-0000-7000-8000-00000000000g",
            "0190aaaa00000-7000-8000-000000000001",
            "0190aaaa-0000-7000-8000-0000000000011",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
    }

    #[test]
    fn one_character_rule_for_single_and_multi_line_text() {
        assert_eq!(forbidden_character("Sprachcafé ትግርኛ", Lines::One), None);
        assert_eq!(forbidden_character("a\tb", Lines::One), Some((2, '\t')));
        assert_eq!(forbidden_character("a\r\n\tb", Lines::Many), None);
        for bad in [
            '\0', '\u{7}', '\u{b}', '\u{7f}', '\u{85}', '\u{fffe}', '\u{ffff}',
        ] {
            let text = format!("ab{bad}");
            assert_eq!(
                forbidden_character(&text, Lines::Many),
                Some((3, bad)),
                "{bad:?}"
            );
        }
        assert_eq!(
            forbidden_character_message((3, '\0')),
            "Enthält ein unzulässiges Steuerzeichen (U+0000) an Stelle 3."
        );
    }

    #[test]
    fn email_check_is_loose_but_catches_slips() {
        for ok in ["a@b.de", "info@ki.kreis-warendorf.de"] {
            let mut e = FieldErrors::new();
            optional_email(&mut e, "email", ok);
            assert!(e.is_empty(), "{ok}");
        }
        for bad in ["a@b", "@b.de", "a b@c.de", "a@.de", "ab.de"] {
            let mut e = FieldErrors::new();
            optional_email(&mut e, "email", bad);
            assert!(!e.is_empty(), "{bad}");
        }
    }
}
