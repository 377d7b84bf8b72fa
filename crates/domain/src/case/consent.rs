//! Consent, sharing and emergency access (decision 0012, slice 3): what a person agreed to,
//! with whom a case is shared, and the reasons for reaching a case outside both. Each input
//! arrives as form text and is checked here, naming every wrong field.

use super::work::{optional_id, past_day, required_code};
use super::{ConsentForm, ConsentPurpose};
use crate::date::Date;
use crate::validation::{FieldErrors, optional_date, optional_multiline, optional_text};

vocabulary! {
    /// What a confidentiality release lets the named organisation see. Contacts, follow-ups
    /// and notes are the case manager's working record and are never released.
    ReleaseScope {
        Identity => "identity", "Name und Geburtsdatum";
        Residence => "residence", "Wohnort, Aufenthaltsstatus und zuständiger Rechtskreis";
        Plan => "plan", "Hilfeplan: Ziele, Vermittlungen und Übergaben";
        Assessment => "assessment", "Einschätzung der Lebensbereiche (auch Gesundheit)";
    }
}

impl ReleaseScope {
    /// The consents column that records it.
    pub fn column(self) -> &'static str {
        match self {
            ReleaseScope::Identity => "covers_identity",
            ReleaseScope::Residence => "covers_residence",
            ReleaseScope::Plan => "covers_plan",
            ReleaseScope::Assessment => "covers_assessment",
        }
    }

    /// The key of its line on the printed consent form.
    pub fn text_key(self) -> &'static str {
        match self {
            ReleaseScope::Identity => "consent.covers.identity",
            ReleaseScope::Residence => "consent.covers.residence",
            ReleaseScope::Plan => "consent.covers.plan",
            ReleaseScope::Assessment => "consent.covers.assessment",
        }
    }
}

vocabulary! {
    /// What a share gives its receiver.
    ShareAccess {
        Ownership => "ownership", "Übergabe des Falls (neue Zuständigkeit)";
        Edit => "edit", "Mitarbeit (lesen und ändern)";
        Read => "read", "Einsicht (nur lesen)";
        Pseudonymous => "pseudonymous", "Einsicht ohne Namen (pseudonymisiert)";
    }
}

impl ShareAccess {
    /// Whether the receiver gets names and texts: then another organisation needs a release.
    pub fn identifies(self) -> bool {
        self != ShareAccess::Pseudonymous
    }
}

vocabulary! {
    /// Where a share request stands.
    ShareState {
        Requested => "requested", "angefragt";
        Accepted => "accepted", "angenommen";
        Declined => "declined", "abgelehnt";
        Withdrawn => "withdrawn", "zurückgezogen";
        Ended => "ended", "beendet";
    }
}

/// A consent as the case page's form sends it.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ConsentInput {
    pub purpose: String,
    pub organisation_id: String,
    pub given_on: String,
    pub form: String,
    pub witness: String,
    pub valid_until: String,
    /// The release's scope: every checked box sends its key under this name (the form is read
    /// with `serde_html_form`, which gathers repeated keys).
    pub covers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentDraft {
    pub purpose: ConsentPurpose,
    pub organisation_id: Option<String>,
    pub given_on: Date,
    pub form: ConsentForm,
    pub witness: String,
    pub valid_until: Option<Date>,
    pub covers: Vec<ReleaseScope>,
}

impl ConsentDraft {
    pub fn covers(&self, scope: ReleaseScope) -> bool {
        self.covers.contains(&scope)
    }
}

impl ConsentInput {
    /// Checks the consent; `opened_on` is the case's first day (a consent may be older than the
    /// case, e.g. given at the Jobcenter: it may not lie in the future).
    pub fn validate(&self, today: Date) -> Result<ConsentDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let purpose = required_code(
            &mut e,
            "purpose",
            &self.purpose,
            ConsentPurpose::parse,
            "Bitte wählen, wofür die Einwilligung gilt.",
        );
        let form = required_code(
            &mut e,
            "form",
            &self.form,
            ConsentForm::parse,
            "Bitte wählen, wie die Einwilligung gegeben wurde.",
        );
        let given_on = past_day(&mut e, "given_on", &self.given_on, Date::EARLIEST, today);
        let valid_until = optional_date(&mut e, "valid_until", &self.valid_until);
        if let (Some(from), Some(until)) = (given_on, valid_until)
            && until < from
        {
            e.add(
                "valid_until",
                "Das Ende liegt vor dem Tag der Einwilligung.",
            );
        }
        let witness = optional_text(&mut e, "witness", &self.witness, 200);
        if form == Some(ConsentForm::OralWithWitness) && witness.is_empty() {
            e.add(
                "witness",
                "Eine mündliche Einwilligung braucht den Namen der Zeugin oder des Zeugen.",
            );
        }
        let organisation_id = optional_id(&mut e, "organisation_id", &self.organisation_id);
        let mut covers = Vec::new();
        for key in &self.covers {
            match ReleaseScope::parse(key) {
                Some(s) if !covers.contains(&s) => covers.push(s),
                Some(_) => {}
                None => e.add(
                    "covers",
                    format!("„{}“ ist kein bekannter Wert.", key.trim()),
                ),
            }
        }
        covers.sort();
        if purpose == Some(ConsentPurpose::Release) {
            if organisation_id.is_none() && !e.has("organisation_id") {
                e.add(
                    "organisation_id",
                    "Bitte die Stelle wählen, der gegenüber die Schweigepflicht entfällt.",
                );
            }
            if covers.is_empty() && !e.has("covers") {
                e.add(
                    "covers",
                    "Bitte ankreuzen, welche Angaben weitergegeben werden dürfen.",
                );
            }
        }
        match (purpose, form, given_on, e.is_empty()) {
            (Some(purpose), Some(form), Some(given_on), true) => {
                let release = purpose == ConsentPurpose::Release;
                Ok(ConsentDraft {
                    purpose,
                    // Only a release names an organisation and what it may see.
                    organisation_id: organisation_id.filter(|_| release),
                    given_on,
                    form,
                    witness,
                    valid_until,
                    covers: if release { covers } else { Vec::new() },
                })
            }
            _ => Err(e),
        }
    }
}

/// The revocation of a consent: the day it was declared (today or before, not before the
/// consent itself).
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct RevocationInput {
    pub revoked_on: String,
}

impl RevocationInput {
    pub fn validate(&self, given_on: Date, today: Date) -> Result<Date, FieldErrors> {
        let mut e = FieldErrors::new();
        let day = crate::validation::required_date(&mut e, "revoked_on", &self.revoked_on);
        if let Some(d) = day {
            if d > today {
                e.add("revoked_on", "Das Datum liegt in der Zukunft.");
            } else if d < given_on {
                e.add("revoked_on", "Das Datum liegt vor der Einwilligung.");
            }
        }
        match day {
            Some(d) if e.is_empty() => Ok(d),
            _ => Err(e),
        }
    }
}

/// A request to share a case or hand it over, as the case page's form sends it: to one
/// account or to an organisation (whose case managers or staff then answer it).
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ShareInput {
    pub access: String,
    pub to_user_id: String,
    /// The organisation addressed (named as in every organisation pick list).
    pub organisation_id: String,
    pub message: String,
    /// Sharing with another organisation without a valid release: why (a separate permission).
    pub override_reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareDraft {
    pub access: ShareAccess,
    pub to: ShareTo,
    pub message: String,
    pub override_reason: Option<String>,
}

/// Whom a share is addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareTo {
    User(String),
    Organisation(String),
}

impl ShareInput {
    pub fn validate(&self) -> Result<ShareDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let access = required_code(
            &mut e,
            "access",
            &self.access,
            ShareAccess::parse,
            "Bitte wählen, was geteilt wird.",
        );
        let user = optional_id(&mut e, "to_user_id", &self.to_user_id);
        let organisation = optional_id(&mut e, "organisation_id", &self.organisation_id);
        let to = match (user, organisation) {
            (Some(u), None) => Some(ShareTo::User(u)),
            (None, Some(o)) => Some(ShareTo::Organisation(o)),
            (Some(_), Some(_)) => {
                e.add(
                    "to_user_id",
                    "Bitte entweder eine Person oder eine Organisation wählen, nicht beides.",
                );
                None
            }
            (None, None) => {
                if !e.has("to_user_id") && !e.has("organisation_id") {
                    e.add("to_user_id", "Bitte wählen, mit wem der Fall geteilt wird.");
                }
                None
            }
        };
        let message = optional_multiline(&mut e, "message", &self.message, 2000);
        let override_reason =
            optional_multiline(&mut e, "override_reason", &self.override_reason, 2000);
        let override_reason = (!override_reason.is_empty()).then_some(override_reason);
        if let Some(reason) = &override_reason
            && reason.chars().count() < MIN_REASON
        {
            e.add(
                "override_reason",
                format!("Bitte den Grund in mindestens {MIN_REASON} Zeichen nennen."),
            );
        }
        match (access, to, e.is_empty()) {
            (Some(access), Some(to), true) => Ok(ShareDraft {
                access,
                to,
                message,
                override_reason,
            }),
            _ => Err(e),
        }
    }
}

/// Reasons (emergency access, sharing without release) are read by the coordination: a word
/// or two does not say why.
pub const MIN_REASON: usize = 20;

/// How long an emergency access may last, in hours.
pub const BREAK_GLASS_HOURS: [i64; 4] = [1, 4, 8, 24];

/// An emergency access as its form sends it: the case by its pseudonym, why, for how long.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct BreakGlassInput {
    pub pseudonym: String,
    pub reason: String,
    pub hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassDraft {
    pub pseudonym: String,
    pub reason: String,
    pub hours: i64,
}

impl BreakGlassInput {
    pub fn validate(&self) -> Result<BreakGlassDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let pseudonym = self.pseudonym.trim().to_uppercase();
        if pseudonym.is_empty() {
            e.add("pseudonym", "Bitte die Fallnummer (P-…) angeben.");
        } else if !is_pseudonym(&pseudonym) {
            e.add(
                "pseudonym",
                "Eine Fallnummer hat die Form P-XXXX-XXXX (Buchstaben und Ziffern).",
            );
        }
        let reason = optional_multiline(&mut e, "reason", &self.reason, 2000);
        if reason.chars().count() < MIN_REASON && !e.has("reason") {
            e.add(
                "reason",
                format!("Bitte den Notfall in mindestens {MIN_REASON} Zeichen begründen."),
            );
        }
        let hours = match self.hours.trim().parse::<i64>() {
            Ok(h) if BREAK_GLASS_HOURS.contains(&h) => Some(h),
            _ => {
                e.add("hours", "Bitte eine der angebotenen Dauern wählen.");
                None
            }
        };
        match (hours, e.is_empty()) {
            (Some(hours), true) => Ok(BreakGlassDraft {
                pseudonym,
                reason,
                hours,
            }),
            _ => Err(e),
        }
    }
}

/// `P-XXXX-XXXX` from the pseudonym alphabet's characters (letters and digits).
pub fn is_pseudonym(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 11
        && b[0] == b'P'
        && b[1] == b'-'
        && b[6] == b'-'
        && b.iter()
            .enumerate()
            .filter(|(i, _)| ![0, 1, 6].contains(i))
            .all(|(_, c)| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The label of a consent, share or emergency-access field, for error summaries.
pub fn consent_field_label(field: &str) -> &str {
    match field {
        "purpose" => "Zweck",
        "organisation_id" => "Organisation",
        "given_on" => "erteilt am",
        "form" => "Form",
        "witness" => "Zeugin oder Zeuge",
        "valid_until" => "gültig bis",
        "covers" => "freigegebene Angaben",
        "revoked_on" => "widerrufen am",
        "access" => "Art der Freigabe",
        "to_user_id" => "Person",
        "message" => "Nachricht",
        "override_reason" => "Grund für das Teilen ohne Schweigepflichtentbindung",
        "pseudonym" => "Fallnummer",
        "reason" => "Begründung",
        "hours" => "Dauer",
        "anonymised" => "Fall",
        "household_action" => "Haushalt",
        "household_label" => "Bezeichnung des Haushalts",
        "household_case" => "Fall im selben Haushalt",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 30).unwrap_or(Date::EARLIEST)
    }

    fn release() -> ConsentInput {
        ConsentInput {
            purpose: "release".into(),
            organisation_id: "0190a0b0-0000-7000-8000-000000000001".into(),
            given_on: "2026-11-02".into(),
            form: "written".into(),
            covers: vec!["identity".into(), "plan".into()],
            ..ConsentInput::default()
        }
    }

    #[test]
    fn a_release_names_its_organisation_and_what_it_covers() {
        let d = release()
            .validate(today())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.covers, vec![ReleaseScope::Identity, ReleaseScope::Plan]);
        let e = ConsentInput {
            organisation_id: String::new(),
            covers: Vec::new(),
            ..release()
        }
        .validate(today())
        .err()
        .unwrap_or_default();
        assert!(e.has("organisation_id") && e.has("covers"));
    }

    #[test]
    fn oral_consent_needs_a_witness_and_days_are_in_order() {
        let e = ConsentInput {
            form: "oral_with_witness".into(),
            valid_until: "2026-11-01".into(),
            ..release()
        }
        .validate(today())
        .err()
        .unwrap_or_default();
        assert!(e.has("witness") && e.has("valid_until"));
        let e = ConsentInput {
            given_on: "2026-12-01".into(),
            ..release()
        }
        .validate(today())
        .err()
        .unwrap_or_default();
        assert!(e.has("given_on"));
    }

    #[test]
    fn other_purposes_name_no_organisation() {
        let d = ConsentInput {
            purpose: "case_management".into(),
            ..release()
        }
        .validate(today())
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.organisation_id, None);
        assert!(d.covers.is_empty());
    }

    #[test]
    fn a_share_goes_to_one_addressee() {
        let e = ShareInput {
            access: "read".into(),
            ..ShareInput::default()
        }
        .validate()
        .err()
        .unwrap_or_default();
        assert!(e.has("to_user_id"));
        let d = ShareInput {
            access: "edit".into(),
            organisation_id: "0190a0b0-0000-7000-8000-000000000001".into(),
            ..ShareInput::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(matches!(d.to, ShareTo::Organisation(_)));
        let e = ShareInput {
            access: "edit".into(),
            organisation_id: "0190a0b0-0000-7000-8000-000000000001".into(),
            override_reason: "eilig".into(),
            ..ShareInput::default()
        }
        .validate()
        .err()
        .unwrap_or_default();
        assert!(e.has("override_reason"));
    }

    #[test]
    fn emergency_access_needs_a_case_a_reason_and_a_duration() {
        let e = BreakGlassInput {
            pseudonym: "Müller".into(),
            reason: "dringend".into(),
            hours: "100".into(),
        }
        .validate()
        .err()
        .unwrap_or_default();
        assert!(e.has("pseudonym") && e.has("reason") && e.has("hours"));
        let d = BreakGlassInput {
            pseudonym: " p-7k3m-q9tx ".into(),
            reason: "Frau K. ist erkrankt, die Klientin steht mit Räumungsklage vor der Tür."
                .into(),
            hours: "4".into(),
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.pseudonym, "P-7K3M-Q9TX");
    }
}
