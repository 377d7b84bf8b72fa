//! KIM case management: the codes of its vocabularies and the checks of what a case manager
//! enters about a person (decision 0012).
//!
//! The keys are the codes of ../shared/design/domain.md: files, the API and the statistics use
//! them, so codes are added, never renamed. Exchanges write `key()`, never the enum's serde name.

use crate::date::Date;
use crate::validation::{FieldErrors, optional_date, optional_text, required_text};

mod consent;
mod document;
mod import;
mod work;
pub use consent::*;
pub use document::*;
pub use import::*;
pub use work::*;

vocabulary! {
    /// Where a case stands (DGCC phases, plus paused).
    CasePhase {
        Intake => "intake", "Zugang";
        Clearing => "clearing", "Clearing";
        Assessment => "assessment", "Assessment";
        Planning => "planning", "Hilfeplanung";
        Implementation => "implementation", "Umsetzung/Monitoring";
        Evaluation => "evaluation", "Evaluation";
        Closed => "closed", "abgeschlossen";
        Paused => "paused", "ruhend";
    }
}

vocabulary! {
    /// How a person came to case management.
    AccessRoute {
        Jobcenter => "jobcenter", "Jobcenter";
        ImmigrationOffice => "immigration_office", "Ausländerbehörde";
        SocialWelfareOffice => "social_welfare_office", "Sozialamt";
        EmploymentAgency => "employment_agency", "Agentur für Arbeit";
        YouthOffice => "youth_office", "Jugendamt";
        School => "school", "Schule";
        CounsellingService => "counselling_service", "Beratungsstelle";
        OnOwnInitiative => "self", "eigene Initiative";
        Other => "other", "anderer Zugang";
    }
}

vocabulary! {
    /// The areas of life a case assesses and plans for.
    LifeDomain {
        Language => "language", "Sprache";
        Residence => "residence", "Aufenthalt";
        Work => "work", "Arbeit";
        Education => "education", "Bildung";
        Housing => "housing", "Wohnen";
        Health => "health", "Gesundheit";
        Family => "family", "Familie und Kinderbetreuung";
        Finances => "finances", "Finanzen";
        Participation => "participation", "Soziale Teilhabe";
    }
}

vocabulary! {
    /// How much support a life domain needs.
    NeedLevel {
        NoNeed => "none", "kein Bedarf";
        Low => "low", "gering";
        Medium => "medium", "mittel";
        High => "high", "hoch";
    }
}

vocabulary! {
    /// What came of a referral.
    ReferralOutcome {
        Placed => "placed", "vermittelt";
        WaitingList => "waiting_list", "Warteliste";
        Declined => "declined", "abgelehnt";
        NotAttended => "not_attended", "nicht wahrgenommen";
        NoSuitableOffer => "no_suitable_offer", "kein passendes Angebot";
    }
}

vocabulary! {
    /// Why a need stays unmet.
    UnmetReason {
        NoOffer => "no_offer", "kein Angebot";
        NoCapacity => "no_capacity", "keine Kapazität/Wartezeit";
        Language => "language", "Sprache";
        Distance => "distance", "Entfernung/Mobilität";
        NoChildcare => "no_childcare", "Kinderbetreuung fehlt";
        Eligibility => "eligibility", "Zugangsvoraussetzungen/Rechtskreis";
        Cost => "cost", "Kosten";
        Schedule => "schedule", "Termin/Uhrzeit";
    }
}

vocabulary! {
    /// A transition between authorities where time is lost (Schnittstelle), with the step it
    /// measures.
    HandoffType {
        RecognitionToJobcenter => "recognition_to_jobcenter", "Asylentscheidung → Antrag beim Jobcenter";
        JobcenterApplicationToPayment => "jobcenter_application_to_payment", "Antrag → erste Zahlung (Jobcenter)";
        ResidencePermit => "residence_permit", "Aufenthaltstitel beantragt → erteilt";
        IntegrationCourse => "integration_course", "Berechtigung → Beginn des Integrationskurses";
        SchoolPlacement => "school_placement", "Schulanmeldung → erster Schultag";
        KitaPlace => "kita_place", "Kita-Antrag → Platz";
        QualificationRecognition => "qualification_recognition", "Berufsabschluss eingereicht → Bescheid";
        BenefitsTransfer => "benefits_transfer", "Rechtskreiswechsel: altes Amt endet → neues Amt zahlt";
    }
}

impl HandoffType {
    /// The target duration a hand-off of this type should not exceed, in days, until the
    /// coordination sets another (a starting value from practice, not a legal deadline).
    pub fn default_target_days(self) -> i64 {
        match self {
            HandoffType::RecognitionToJobcenter => 14,
            HandoffType::JobcenterApplicationToPayment => 30,
            HandoffType::ResidencePermit => 90,
            HandoffType::IntegrationCourse => 42,
            HandoffType::SchoolPlacement => 28,
            HandoffType::KitaPlace => 90,
            HandoffType::QualificationRecognition => 120,
            HandoffType::BenefitsTransfer => 14,
        }
    }
}

vocabulary! {
    /// The legal framework responsible for a person's benefits and support (Rechtskreis).
    Jurisdiction {
        Asylblg => "asylblg", "AsylbLG";
        Sgb2 => "sgb2", "SGB II (Jobcenter)";
        Sgb3 => "sgb3", "SGB III (Agentur für Arbeit)";
        Sgb8 => "sgb8", "SGB VIII (Jugendamt)";
        Sgb12 => "sgb12", "SGB XII (Sozialamt)";
        NoJurisdiction => "none", "keiner";
    }
}

vocabulary! {
    /// Gender as the person states it.
    Gender {
        Female => "female", "weiblich";
        Male => "male", "männlich";
        Diverse => "diverse", "divers";
        NotStated => "not_stated", "keine Angabe";
    }
}

vocabulary! {
    /// What a consent is given for.
    ConsentPurpose {
        CaseManagement => "case_management", "Fallmanagement (Datenverarbeitung)";
        Release => "release", "Schweigepflichtentbindung gegenüber einer Organisation";
        CaseConference => "case_conference", "Fallkonferenz";
    }
}

vocabulary! {
    /// How a consent was given.
    ConsentForm {
        Written => "written", "schriftlich";
        OralWithWitness => "oral_with_witness", "mündlich mit Zeugin oder Zeuge";
    }
}

vocabulary! {
    /// How a contact with the person took place.
    ContactChannel {
        InPerson => "in_person", "persönlich";
        Phone => "phone", "Telefon";
        Video => "video", "Video";
        Message => "message", "Nachricht/E-Mail";
        HomeVisit => "home_visit", "Hausbesuch";
    }
}

vocabulary! {
    /// Why a case was closed.
    ClosureReason {
        GoalsReached => "goals_reached", "Ziele erreicht";
        HandedOver => "handed_over", "an andere Stelle übergeben";
        MovedAway => "moved_away", "verzogen";
        NoContact => "no_contact", "kein Kontakt mehr";
        Declined => "declined", "von der Person beendet";
        Other => "other", "anderer Grund";
    }
}

/// A person as the intake form sends it. Lists (nationalities, languages) arrive as repeated
/// fields or comma-separated text; dates as `YYYY-MM-DD`.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct PersonInput {
    pub family_name: String,
    pub given_names: String,
    pub birth_date: String,
    pub gender: String,
    /// ISO 3166 alpha-2 codes or names, comma-separated.
    pub nationalities: String,
    /// Languages the person speaks, comma-separated.
    pub languages: String,
    pub interpreter_needed: String,
    /// The language an interpreter is needed for.
    pub interpreter_language: String,
    pub arrived_in_germany: String,
    pub arrived_in_district: String,
    /// AGS of the town in the district.
    pub town: String,
    pub residence_status: String,
    pub residence_legal_basis: String,
    pub residence_valid_until: String,
    pub jurisdiction: String,
}

/// A person, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonDraft {
    pub family_name: String,
    pub given_names: String,
    pub birth_date: Option<Date>,
    pub gender: Gender,
    pub nationalities: Vec<String>,
    pub languages: Vec<String>,
    pub interpreter_needed: bool,
    pub interpreter_language: String,
    pub arrived_in_germany: Option<Date>,
    pub arrived_in_district: Option<Date>,
    pub town: Option<String>,
    pub residence_status: String,
    pub residence_legal_basis: String,
    pub residence_valid_until: Option<Date>,
    pub jurisdiction: Jurisdiction,
}

impl PersonInput {
    /// Checks every field and names each one that is wrong; dates must not lie in the future
    /// where they record something that happened (birth, arrival), and arrival in the district
    /// cannot precede arrival in Germany.
    pub fn validate(&self, today: Date) -> Result<PersonDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let family_name = required_text(&mut e, "family_name", &self.family_name, 200);
        let given_names = optional_text(&mut e, "given_names", &self.given_names, 200);
        let birth_date = optional_date(&mut e, "birth_date", &self.birth_date);
        let arrived_in_germany =
            optional_date(&mut e, "arrived_in_germany", &self.arrived_in_germany);
        let arrived_in_district =
            optional_date(&mut e, "arrived_in_district", &self.arrived_in_district);
        for (field, date) in [
            ("birth_date", birth_date),
            ("arrived_in_germany", arrived_in_germany),
            ("arrived_in_district", arrived_in_district),
        ] {
            if date.is_some_and(|d| d > today) {
                e.add(field, "Das Datum liegt in der Zukunft.");
            }
        }
        if let (Some(born), Some(arrived)) = (birth_date, arrived_in_germany)
            && arrived < born
        {
            e.add("arrived_in_germany", "Die Ankunft liegt vor der Geburt.");
        }
        if let (Some(germany), Some(district)) = (arrived_in_germany, arrived_in_district)
            && district < germany
        {
            e.add(
                "arrived_in_district",
                "Die Ankunft im Kreis liegt vor der Ankunft in Deutschland.",
            );
        }
        let gender = code(
            &mut e,
            "gender",
            &self.gender,
            Gender::parse,
            Gender::NotStated,
        );
        let jurisdiction = code(
            &mut e,
            "jurisdiction",
            &self.jurisdiction,
            Jurisdiction::parse,
            Jurisdiction::NoJurisdiction,
        );
        let nationalities = list(&mut e, "nationalities", &self.nationalities);
        let languages = list(&mut e, "languages", &self.languages);
        let interpreter_needed = matches!(
            self.interpreter_needed.trim(),
            "yes" | "true" | "1" | "on" | "ja"
        );
        let interpreter_language = optional_text(
            &mut e,
            "interpreter_language",
            &self.interpreter_language,
            100,
        );
        if interpreter_needed && interpreter_language.is_empty() && languages.is_empty() {
            e.add(
                "interpreter_language",
                "Für welche Sprache wird gedolmetscht?",
            );
        }
        let town = Some(self.town.trim().to_owned()).filter(|t| !t.is_empty());
        if town
            .as_deref()
            .is_some_and(|t| t.len() != 8 || !t.bytes().all(|b| b.is_ascii_digit()))
        {
            e.add("town", "Bitte eine Stadt oder Gemeinde des Kreises wählen.");
        }
        let residence_status =
            optional_text(&mut e, "residence_status", &self.residence_status, 200);
        let residence_legal_basis = optional_text(
            &mut e,
            "residence_legal_basis",
            &self.residence_legal_basis,
            200,
        );
        let residence_valid_until =
            optional_date(&mut e, "residence_valid_until", &self.residence_valid_until);
        e.into_result(PersonDraft {
            family_name,
            given_names,
            birth_date,
            gender,
            nationalities,
            languages,
            interpreter_needed,
            interpreter_language,
            arrived_in_germany,
            arrived_in_district,
            town,
            residence_status,
            residence_legal_basis,
            residence_valid_until,
            jurisdiction,
        })
    }
}

/// A code from a vocabulary: empty means `fallback`, anything unknown is a field error.
fn code<T: Copy>(
    e: &mut FieldErrors,
    field: &str,
    text: &str,
    parse: fn(&str) -> Option<T>,
    fallback: T,
) -> T {
    if text.trim().is_empty() {
        return fallback;
    }
    parse(text).unwrap_or_else(|| {
        e.add(field, format!("„{}“ ist kein bekannter Wert.", text.trim()));
        fallback
    })
}

/// A comma-separated list of short entries, trimmed, without empties and duplicates.
fn list(e: &mut FieldErrors, field: &str, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        if item.chars().count() > 60 || item.chars().any(char::is_control) {
            e.add(
                field,
                format!("„{item}“ ist zu lang oder enthält Steuerzeichen."),
            );
            continue;
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(item)) {
            out.push(item.to_owned());
        }
    }
    if out.len() > 10 {
        e.add(field, "Höchstens 10 Einträge.");
    }
    out
}

/// The skeleton of a name for the duplicate hint at intake: folded, letters only, vowels after
/// the first letter dropped and doubled letters collapsed, so that transliterations of one name
/// meet (Mohammed, Muhammad, Mohamad → "mhmd"; Youssef, Yusuf → "ysf"). One skeleton per word.
pub fn name_skeleton(name: &str) -> String {
    let folded = crate::collation::fold(name);
    let mut words = Vec::new();
    for word in folded
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
    {
        let mut skeleton = String::new();
        for (i, c) in word.chars().enumerate() {
            let vowel = matches!(
                c,
                'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'é' | 'è' | 'á' | 'à' | 'í' | 'ó' | 'ú'
            );
            if i > 0 && vowel {
                continue;
            }
            if skeleton.ends_with(c) {
                continue;
            }
            skeleton.push(c);
        }
        words.push(skeleton);
    }
    words.join(" ")
}

/// The label of a person field, for error summaries.
pub fn person_field_label(field: &str) -> &str {
    match field {
        "family_name" => "Familienname",
        "given_names" => "Vornamen",
        "birth_date" => "Geburtsdatum",
        "gender" => "Geschlecht",
        "nationalities" => "Staatsangehörigkeiten",
        "languages" => "Sprachen",
        "interpreter_language" => "Sprache für die Sprachmittlung",
        "arrived_in_germany" => "Ankunft in Deutschland",
        "arrived_in_district" => "Ankunft im Kreis",
        "town" => "Wohnort",
        "residence_status" => "Aufenthaltsstatus",
        "residence_legal_basis" => "Rechtsgrundlage",
        "residence_valid_until" => "gültig bis",
        "jurisdiction" => "zuständiger Rechtskreis",
        "anonymised" => "Fall",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 30).unwrap_or(Date::EARLIEST)
    }

    #[test]
    fn codes_are_those_of_the_domain_and_parse_from_key_or_label() {
        let keys: Vec<&str> = HandoffType::ALL.iter().map(|h| h.key()).collect();
        assert_eq!(
            keys,
            [
                "recognition_to_jobcenter",
                "jobcenter_application_to_payment",
                "residence_permit",
                "integration_course",
                "school_placement",
                "kita_place",
                "qualification_recognition",
                "benefits_transfer"
            ]
        );
        assert_eq!(
            AccessRoute::parse("self"),
            Some(AccessRoute::OnOwnInitiative)
        );
        assert_eq!(
            AccessRoute::parse("Ausländerbehörde"),
            Some(AccessRoute::ImmigrationOffice)
        );
        assert_eq!(NeedLevel::parse("none"), Some(NeedLevel::NoNeed));
        assert_eq!(CasePhase::parse("RUHEND"), Some(CasePhase::Paused));
        assert_eq!(Jurisdiction::parse("sgb2"), Some(Jurisdiction::Sgb2));
        assert_eq!(LifeDomain::ALL.len(), 9);
        assert_eq!(UnmetReason::ALL.len(), 8);
        assert!(HandoffType::ALL.iter().all(|h| h.default_target_days() > 0));
    }

    #[test]
    fn transliterations_of_one_name_share_a_skeleton() {
        for (a, b) in [
            ("Mohammed", "Muhammad"),
            ("Mohamad", "MOHAMMED"),
            ("Youssef", "Yusuf"),
            ("Ahmed", "Ahmad"),
            ("Müller", "Mueller"),
        ] {
            assert_eq!(name_skeleton(a), name_skeleton(b), "{a} / {b}");
        }
        assert_ne!(name_skeleton("Haddad"), name_skeleton("Hussein"));
        assert_eq!(name_skeleton("Al-Hassan Omar"), "al hsn omr");
    }

    #[test]
    fn a_person_needs_a_name_and_plausible_dates() {
        let input = PersonInput {
            family_name: "Haddad".into(),
            given_names: "Mariam".into(),
            birth_date: "1990-04-12".into(),
            nationalities: "SY, sy, IQ".into(),
            languages: "Arabisch, Kurdisch".into(),
            interpreter_needed: "yes".into(),
            arrived_in_germany: "2015-09-03".into(),
            arrived_in_district: "2016-01-20".into(),
            town: "05570004".into(),
            jurisdiction: "sgb2".into(),
            ..PersonInput::default()
        };
        let d = input.validate(today()).unwrap();
        assert_eq!(d.nationalities, ["SY", "IQ"]);
        assert_eq!(d.jurisdiction, Jurisdiction::Sgb2);
        assert!(d.interpreter_needed);
        assert_eq!(d.gender, Gender::NotStated);

        let bad = PersonInput {
            family_name: " ".into(),
            birth_date: "2030-01-01".into(),
            arrived_in_germany: "2016-01-01".into(),
            arrived_in_district: "2015-01-01".into(),
            gender: "unbekannt".into(),
            town: "Ahlen".into(),
            jurisdiction: "SGB 99".into(),
            ..PersonInput::default()
        };
        let e = bad.validate(today()).unwrap_err();
        for field in [
            "family_name",
            "birth_date",
            "arrived_in_district",
            "gender",
            "town",
            "jurisdiction",
        ] {
            assert!(e.get(field).is_some(), "{field}");
        }
    }
}
